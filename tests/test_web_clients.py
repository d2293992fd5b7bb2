"""What clients do to the real server (issue 14): slow and many connections, requests waitress
answers itself, HEAD and other methods. Each test starts waitress on loopback (as
test_web_serve.py does) and talks to it through raw sockets, so nothing normalises the bytes.
"""
from __future__ import annotations

import json
import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from catalogue.web.channels import BODY_BYTES, CONNECTIONS, HEADER_BYTES, create_guarded_server
from catalogue.web.security import HEADERS
from catalogue.web.serve import make_server
from test_web_serve import fetch_with_headers, stop_server
from test_web_support import app, web_home  # noqa: F401 - fixtures


def start(home, **limits):
    """A real server on a free loopback port, running in a thread: (server, thread, port)."""
    server = make_server(home, "127.0.0.1", 0, **limits)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return server, thread, server.effective_port


@pytest.fixture(scope="module")
def served(web_home):  # noqa: F811 - the fixture imported above
    server, thread, port = start(web_home)
    yield port
    stop_server(server, thread)


def exchange(port: int, raw: bytes, timeout: float = 15) -> tuple[int, dict, bytes]:
    """Send ``raw`` bytes and read the answer to the end: (status, headers, body).

    Sent in 4 KB pieces, stopping when the server answers early (a 431 before the headers
    end): bytes it never read would make its close a reset that discards the answer.
    """
    import select

    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        for start in range(0, len(raw), 4096):
            if select.select([sock], [], [], 0.005)[0]:
                break  # the answer has begun
            sock.sendall(raw[start:start + 4096])
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split(" ")[1]), headers, body


def probe(port: int, path: str = "/search.json?q=valves") -> tuple[int, float]:
    """One ordinary visitor: (status, seconds to the whole answer)."""
    started = time.monotonic()
    status, _body, _headers = fetch_with_headers(f"http://127.0.0.1:{port}{path}", {"Accept-Language": "en"})
    return status, time.monotonic() - started


def trickle(port: int, count: int, stop: threading.Event, pause: float = 1.0) -> list[socket.socket]:
    """``count`` slowloris clients: each sends a request line and then one header every ``pause``
    seconds, never ending its headers, until ``stop`` is set (a thread keeps them trickling)."""
    socks = []
    for i in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(f"GET /search?q=slow{i} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
        socks.append(sock)

    def drip():
        n = 0
        while not stop.wait(pause):
            n += 1
            for sock in socks:
                try:
                    sock.sendall(f"X-Slow-{n}: {n}\r\n".encode())
                except OSError:
                    pass  # closed by the server: what it should do
    threading.Thread(target=drip, daemon=True).start()
    return socks


def closed_by_server(sock: socket.socket) -> bool:
    sock.settimeout(0.0)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


# ------------------------------------------------------------------ slow and many clients

@pytest.mark.slow  # 150 connections trickle for a few seconds
def test_150_slow_clients_do_not_stop_the_server_answering(served):
    stop = threading.Event()
    socks = trickle(served, 150, stop)
    try:
        time.sleep(1.5)  # every slow client has sent a few bytes since it connected
        answers = [probe(served) for _ in range(10)]
    finally:
        stop.set()
        for sock in socks:
            sock.close()
    assert [status for status, _ in answers] == [200] * 10
    assert max(seconds for _, seconds in answers) < 5, answers


@pytest.mark.slow
def test_at_the_connection_limit_the_longest_waiting_half_requests_make_room(web_home):  # noqa: F811
    # Below the limit the slow clients would only wait; at it (150 against 60), waitress alone
    # stops accepting and every visitor times out. The server closes the half-sent requests
    # that waited longest instead.
    server, thread, port = start(web_home, connection_limit=60)
    stop = threading.Event()
    socks = trickle(port, 150, stop, pause=0.5)
    try:
        time.sleep(1.5)
        answers = [probe(port) for _ in range(10)]
        with ThreadPoolExecutor(max_workers=10) as pool:  # several visitors at once, too
            answers += list(pool.map(lambda _: probe(port), range(20)))
    finally:
        stop.set()
        evicted = server.evicted
        stop_server(server, thread)
        for sock in socks:
            sock.close()
    assert [status for status, _ in answers] == [200] * 30
    assert max(seconds for _, seconds in answers) < 10, answers
    assert evicted >= 150 - 60, evicted


@pytest.mark.slow
def test_a_request_that_comes_too_slowly_is_closed_and_an_idle_connection_too(web_home):  # noqa: F811
    server, thread, port = start(web_home, header_seconds=1.0, request_seconds=3.0, channel_timeout=2)
    stop = threading.Event()
    [slow_head] = trickle(port, 1, stop, pause=0.3)
    slow_body = socket.create_connection(("127.0.0.1", port), timeout=5)
    idle = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        slow_body.sendall(b"POST /check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n")
        time.sleep(0.5)
        assert not any(closed_by_server(s) for s in (slow_head, slow_body, idle))

        def drip_body():
            while not stop.wait(0.3):
                try:
                    slow_body.sendall(b"x" * 10)
                except OSError:
                    return
        threading.Thread(target=drip_body, daemon=True).start()
        deadline = time.monotonic() + 10
        closed = {}
        while time.monotonic() < deadline and len(closed) < 3:
            for name, sock in (("headers", slow_head), ("body", slow_body), ("idle", idle)):
                if name not in closed and closed_by_server(sock):
                    closed[name] = round(time.monotonic() - deadline + 10, 1)
            time.sleep(0.1)
        assert probe(port)[0] == 200  # meanwhile a whole request is answered as ever
    finally:
        stop.set()
        timed_out = server.timed_out
        stop_server(server, thread)
        for sock in (slow_head, slow_body, idle):
            sock.close()
    # headers due in 1 s, a whole request in 3 s, idle 2 s (sweeps each second)
    assert set(closed) == {"headers", "body", "idle"}, closed
    assert closed["headers"] < 4 and closed["body"] < 6 and closed["idle"] < 6, closed
    assert timed_out == 2


@pytest.mark.slow
def test_many_open_connections_and_many_visitors_at_once(served):
    idle = [socket.create_connection(("127.0.0.1", served), timeout=5) for _ in range(CONNECTIONS - 100)]
    try:
        with ThreadPoolExecutor(max_workers=40) as pool:
            answers = list(pool.map(lambda i: probe(served, f"/search.json?q=valve&page={i % 3 + 1}"), range(200)))
    finally:
        for sock in idle:
            sock.close()
    assert [status for status, _ in answers] == [200] * 200


# ------------------------------------------------------------------ answers waitress writes itself

WAITRESS_ANSWERS = {
    "400 malformed request line": (b"GET\r\n\r\n", 400),
    "400 bad Content-Length": (b"POST /check HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400),
    "400 bad chunk": (b"POST /check HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
    "400 header without a colon": (b"GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", 400),
    "431 headers too large": (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (HEADER_BYTES + 1) + b"\r\n\r\n", 431),
    "413 body too large": (f"POST /check HTTP/1.1\r\nHost: x\r\nContent-Length: {BODY_BYTES + 1}\r\n\r\n".encode(), 413),
    "501 unknown transfer coding": (b"POST /check HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
}


@pytest.mark.parametrize("name", WAITRESS_ANSWERS)
def test_waitress_answers_carry_our_security_headers(served, name):
    raw, status = WAITRESS_ANSWERS[name]
    got, headers, body = exchange(served, raw)
    assert got == status, (name, body[:200])
    for header, value in HEADERS.items():
        assert headers.get(header) == value, (name, header, headers)
    assert headers["Cache-Control"] == "no-store"
    assert b"Traceback" not in body


def test_a_failure_outside_flask_is_a_500_with_our_headers():
    def broken(environ, start_response):  # what a failing middleware looks like to waitress
        raise RuntimeError("boom")

    server = create_guarded_server(broken, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        status, headers, body = exchange(server.effective_port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    finally:
        from waitress import wasyncore

        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        thread.join(timeout=10)
        server.task_dispatcher.shutdown()
    assert status == 500 and b"boom" not in body and b"Traceback" not in body
    for header, value in HEADERS.items():
        assert headers.get(header) == value, header


# ------------------------------------------------------------------ HEAD and other methods

def get_rules(app) -> list[str]:
    """One address per GET route, with sample values for its variables."""
    samples = {"key": "iso-5208-2015", "code": "23.060", "filename": "site.css"}
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods:
            url = rule.rule
            for arg in rule.arguments:
                url = re.sub(rf"<(?:[^:<>]+:)?{arg}>", samples.get(arg, "valves"), url)
            urls.append(url)
    return sorted(set(urls))


def test_head_on_every_get_page_answers_as_get_does_with_no_body(app):  # noqa: F811
    client = app.test_client()
    urls = get_rules(app)
    assert "/check" in urls and "/login" in urls and len(urls) > 40
    for url in urls:
        got, head = client.get(url), client.head(url)
        assert head.status_code == got.status_code, url
        assert head.data == b"", url
        got.close()
        head.close()
    assert client.head("/check").status_code == 200


def test_head_through_the_server_has_headers_and_no_body(served):
    for path in ("/check", "/search?q=valves", "/standards/iso-5208-2015", "/feed.atom"):
        status, headers, body = exchange(served, f"HEAD {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        assert (status, body) == (200, b""), path
        assert headers["Content-Security-Policy"] == HEADERS["Content-Security-Policy"]


def test_a_405_names_the_methods_allowed(served):
    for method, path, allowed in (("PUT", "/search", "GET, HEAD, OPTIONS"), ("DELETE", "/check", "GET, HEAD, OPTIONS, POST"),
                                  ("POST", "/standards/iso-5208-2015", "GET, HEAD, OPTIONS")):
        status, headers, body = exchange(served, f"{method} {path} HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n"
                                                 "Content-Length: 0\r\nConnection: close\r\n\r\n".encode())
        assert (status, headers["Allow"]) == (405, allowed), (method, path)
        assert json.loads(body)["status"] == 405
