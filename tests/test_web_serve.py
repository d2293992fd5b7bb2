"""The app under waitress with 8 threads: one shared Catalogue answers concurrent requests;
its response cache over real HTTP; and `catalogue serve --workers 2` (pre-forked processes)."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from catalogue.errors import CatalogueMissing
from catalogue.web.serve import make_server
from test_web_support import web_home  # noqa: F401 - fixture

PATHS = [
    "/", "/search?q=valves", "/search.json?q=ISO+5208&status=current", "/search?q=%E9%97%B8%E9%98%80",
    "/standards/iso-5208-2015", "/standards/gb-t-14048.2-2020.json", "/ics/23.060", "/ccs/J10/29",
    "/resolve.json?ref=gbt13927", "/feed.atom", "/publishers/", "/committees/",
]


@pytest.fixture(scope="module")
def served(web_home):
    server = make_server(web_home, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    stop_server(server, thread)


def stop_server(server, thread: threading.Thread) -> None:
    """Stop a waitress server running in ``thread`` without racing its loop.

    ``server.close()`` from another thread closes sockets while the loop may sit in select() on
    them (EBADF in the server thread, now and then); closing every channel from inside the loop,
    through waitress's trigger, empties its map and so ends the loop cleanly.
    """
    from waitress import wasyncore

    server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
    thread.join(timeout=10)
    server.task_dispatcher.shutdown()
    assert not thread.is_alive(), "the server loop did not stop"
    # The app's catalogue holds the index files open (segments are separate files): close them
    # here rather than leave them to the garbage collector (a ResourceWarning in a later test).
    catalogue = server.flask_app.extensions.get("catalogue")
    if catalogue is not None:
        catalogue.close()


def fetch(url: str, headers: dict | None = None) -> tuple[int, bytes]:
    return fetch_with_headers(url, headers)[:2]


def fetch_with_headers(url: str, headers: dict | None = None) -> tuple:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read(), exc.headers


def test_concurrent_requests_from_many_threads_all_succeed(served):
    urls = [served + path for path in PATHS] * 8
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(fetch, urls))
    assert [status for status, _body in results] == [200] * len(urls)
    bodies = {url: body for url, (_status, body) in zip(urls, results)}
    twin = json.loads(bodies[served + "/search.json?q=ISO+5208&status=current"])
    assert [h["key"] for h in twin["hits"]] == ["iso-5208-2015"]


def test_served_errors_are_pages_not_tracebacks(served):
    status, body = fetch(served + "/search.json?sort=colour")
    assert status == 400
    assert json.loads(body)["error"] == "Cannot sort by 'colour'; use one of: relevance, date, designation."


def test_make_server_reports_a_missing_catalogue_at_once(tmp_path):
    with pytest.raises(CatalogueMissing):
        make_server(tmp_path / "none", "127.0.0.1", 0)


def test_served_pages_come_from_the_cache_the_second_time(served):
    url = served + "/search?q=gate+valves&status=current"
    zh = {"Accept-Language": "zh-CN,zh;q=0.9"}
    first = fetch_with_headers(url, zh)
    again = fetch_with_headers(url, zh)
    english = fetch_with_headers(url, {"Accept-Language": "en"})
    assert (first[0], again[0], english[0]) == (200, 200, 200)
    assert again[2]["X-Cache"] == "hit" and again[1] == first[1]
    assert english[1] != first[1]
    assert fetch_with_headers(url, {**zh, "If-None-Match": again[2]["ETag"]})[0] == 304


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_of(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fp:
            return [int(c) for c in fp.read().split()]
    except OSError:
        return []


@pytest.mark.slow  # three Python processes start: 3-5 s
@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs Linux /proc to count worker processes")
def test_serve_with_two_workers_answers_from_two_processes_and_stops_cleanly(web_home):
    port = free_port()
    command = [sys.executable, "-m", "catalogue.cli", "--home", str(web_home), "serve", "--port", str(port),
               "--workers", "2"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if fetch(base + "/index.json")[0] == 200 and len(children_of(proc.pid)) == 2:
                    break
            except OSError:
                pass
            assert proc.poll() is None and time.time() < deadline, proc.stderr.read().decode(errors="replace")
            time.sleep(0.1)
        workers = children_of(proc.pid)
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(fetch, [base + path for path in PATHS] * 2))
        assert [status for status, _body in results] == [200] * len(PATHS) * 2
        # A worker that dies is replaced; the others keep answering meanwhile.
        os.kill(workers[0], signal.SIGKILL)
        deadline = time.time() + 30
        while workers[0] in children_of(proc.pid) or len(children_of(proc.pid)) != 2:
            assert time.time() < deadline, "the dead worker was not replaced"
            time.sleep(0.1)
        assert fetch(base + "/search.json?q=ISO+5208")[0] == 200
        workers = children_of(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        finally:
            proc.stderr.close()
    assert proc.returncode == 0
    assert [pid for pid in workers if is_running(pid)] == []


def is_running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as fp:
            return "zombie" not in fp.read()
    except OSError:
        return False
