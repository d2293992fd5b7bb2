"""The web as an attacker sees it (issue 7, point 4).

Hypothesis throws hostile values at every query parameter of every GET route: never a 500, the
error shape on every 4xx, security headers always, and user text never echoed unescaped. Then
the fixed checks: path traversal through the real HTTP server (raw request lines, so nothing
normalises the path first), CSRF on every form that posts, upload limits on every POST route,
and the hostile record title (``<script>alert(1)</script>``) in every place it can surface.
test_web_security.py holds the first round of these (headers on the main pages, argument
messages, the title on its own page and in search hits); this file does not repeat them.
"""
from __future__ import annotations

import io
import re
import socket
import threading
import zipfile
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from werkzeug.test import EnvironBuilder

from catalogue.web.security import CSP, HEADERS
from conftest import ROOT
from test_web_support import app, client, soup_of, text_of, web_home  # noqa: F401 - fixtures

#: Every GET route, with a real value in each path variable, and the twins.
ROUTES = [
    "/", "/index.json", "/search", "/search.json", "/standards/iso-5208-2015", "/standards/iso-5208-2015.json",
    "/standards/iso-5208-2015.csv", "/standards/iso-5208-2015.ris", "/standards/iso-5208-2015.bib",
    "/standards/iso-5208", "/standards/t-zzb-9999-2020", "/resolve", "/resolve.json", "/suggest", "/feed.atom",
    "/opensearch.xml", "/ics/", "/ics.json", "/ics/23.060", "/ics/23.060.json", "/ccs/", "/ccs.json",
    "/ccs/J10/29", "/publishers/", "/publishers.json", "/committees/", "/committees.json", "/systems/",
    "/systems.json", "/systems/valves", "/systems/valves.json", "/systems/valves/feed.atom", "/schemes/",
    "/schemes.json", "/schemes/mccb", "/schemes/mccb.json", "/schemes/mccb/feed.atom", "/check", "/check.json",
    "/openapi.json",
]
#: Every query parameter any view reads, and a few it does not.
PARAMETERS = ["q", "publisher", "status", "ics", "ccs", "year", "decade", "committee", "language", "system",
              "sort", "page", "page_size", "lang", "ref", "from", "since", "limit", "format", "callback", "__proto__"]
HOSTILE = [
    "<script>alert(7)</script>", "'\"><img src=x onerror=alert(7)>", "javascript:alert(7)", "../../etc/passwd",
    "..%2f..%2fetc%2fpasswd", "\x00", "%00", "title:(", "AND", "OR NOT", "*", "?", "\\", '"', "{{7*7}}",
    "${7*7}", "9" * 30, "-1", "0", "1e3", "1.5", " ", "", "ISO 5208:1999", "GB/T 13927", "\u202e", "𠮷",
    "闸阀 AND", "a" * 501, "2025-02-30", "2025-01-31", "zh", "en", "ZH", "relevance", "current", "23.060",
    "J10/29", "2015", "2010s", "SELECT * FROM standards", "'; DROP TABLE standards; --",
]
MARKER = re.compile(r"<(script|img|svg|iframe)[\s>/]", re.IGNORECASE)
#: Valid UTF-8 text without surrogates or C0/C1 control codes that HTTP cannot carry in a URL anyway.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
VALUES = st.one_of(st.sampled_from(HOSTILE), TEXT)


def assert_answer_is_safe(response, sent: list[str]) -> None:
    """No 5xx; the error shape on 4xx; the security headers; no hostile markup echoed."""
    assert response.status_code < 500, response.data[:500]
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, name
    body = response.get_data(as_text=True)
    if response.status_code >= 400:
        if response.mimetype == "application/json":
            answer = response.get_json()
            assert set(answer) <= {"ok", "error", "status", "suggestions"}
            assert answer["ok"] is False and answer["status"] == response.status_code
            assert isinstance(answer["error"], str) and answer["error"].strip()
        else:
            assert response.mimetype == "text/html"
            assert text_of(soup_of(response).select_one(".error-message"))
    if response.mimetype in ("text/html", "application/atom+xml", "application/opensearchdescription+xml"):
        # The page's own markup has exactly one script element (site.js); any other opening tag
        # the visitor sent would be an injection.
        for value in sent:
            if MARKER.search(value):
                assert value not in body, value
        assert len(re.findall(r"<script\b", body)) <= 1


@given(route=st.sampled_from(ROUTES),
       args=st.lists(st.tuples(st.sampled_from(PARAMETERS), VALUES), max_size=5),
       accept=st.sampled_from(["text/html", "application/json", "*/*", "application/xml;q=0.9, */*;q=0.1"]))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          database=None)
def test_any_query_on_any_route_is_answered_safely(client, route, args, accept):
    response = client.get(route, query_string=args, headers={"Accept": accept, "Accept-Language": "en"})
    assert_answer_is_safe(response, [v for _, v in args])


@pytest.mark.parametrize("value", ["current", "relevance", "zz", "en-XX-bogus", "中文"])
def test_a_language_filter_that_names_no_language_is_shown_as_given(client, value):
    # Found by the property test above in CI: babel raised UnknownLocaleError for ?language=current.
    for accept_language in ("en", "zh"):
        response = client.get("/search", query_string={"q": "valves", "language": value},
                              headers={"Accept-Language": accept_language})
        assert_answer_is_safe(response, [value])
        assert response.status_code == 200
        assert value in text_of(soup_of(response).select_one(".chip-label"))


@given(route=st.sampled_from(ROUTES), raw=st.binary(max_size=80))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          database=None)
def test_any_bytes_in_the_query_string_are_answered_safely(client, route, raw):
    # Invalid UTF-8, lone '%', '%zz', NUL, '&&==': what a scanner sends, percent-encoded or raw.
    for query in (quote(raw, safe="=&%+"), raw.decode("latin-1")):
        response = client.get(route + "?" + query, headers={"Accept-Language": "en"})
        assert_answer_is_safe(response, [])


@given(key=st.one_of(st.sampled_from(HOSTILE), TEXT).filter(lambda k: k.strip("/.")),
       suffix=st.sampled_from(["", ".json", ".csv", ".ris", ".bib", ".xml"]),
       prefix=st.sampled_from(["/standards/", "/ics/", "/ccs/", "/systems/", "/schemes/"]))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          database=None)
def test_any_path_variable_is_answered_safely(client, key, suffix, prefix):
    response = client.get(prefix + quote(key, safe="") + suffix, headers={"Accept-Language": "en"})
    assert_answer_is_safe(response, [key])
    if response.status_code in (301, 302, 303, 307, 308):
        # Never off-site: our redirects are paths; werkzeug's slash fixes name this host.
        location = urlsplit(response.headers["Location"])
        assert location.netloc in ("", "localhost") and not location.path.startswith("//"), location


# ------------------------------------------------------------------ security headers on every kind of answer


def test_security_headers_on_errors_redirects_posts_and_other_methods(client, web_home):
    from catalogue.web import create_app

    small = create_app({"CATALOGUE_HOME": str(web_home), "TESTING": True, "MAX_CONTENT_LENGTH": 100})
    token = client.get("/check.json").get_json()["csrf_token"]
    answers = {
        "302 work key": client.get("/standards/iso-5208"),
        "302 resolver": client.get("/resolve?ref=iso5208"),
        "400 bad argument": client.get("/search.json?sort=colour"),
        "400 missing csrf": client.post("/check", data={"text": "ISO 5208"}),
        "404 static": client.get("/static/no-such-file.css"),
        "404 json": client.get("/standards/nope-1.json"),
        "405 put without token": client.put("/search"),
        "405 post": client.post("/search", headers={"X-CSRF-Token": token}),
        "405 delete": client.delete("/standards/iso-5208-2015", headers={"X-CSRF-Token": token}),
        "413 body": small.test_client().post("/login", data=b"x" * 1000, headers={"Content-Type": "text/plain"}),
        "414 address": client.get("/search?" + "&".join(f"publisher=P{i}" for i in range(800))),
        "200 head": client.head("/search?q=valve"),
        "200 options": client.options("/search"),
        "200 openapi": client.get("/openapi.json"),
        "200 static": client.get("/static/site.css"),
    }
    for response in answers.values():
        response.close()  # static files are streamed from an open file
    for name, response in answers.items():
        status = int(name.split()[0])
        assert response.status_code == status, name
        assert response.headers["Content-Security-Policy"] == CSP, name
        for header, value in HEADERS.items():
            assert response.headers.get(header) == value, (name, header)
        if status == 405:  # RFC 9110: a 405 names the methods the address takes
            assert response.headers["Allow"] in ("GET, HEAD, OPTIONS", "GET, HEAD, OPTIONS, POST"), name


def test_session_and_language_cookies_are_http_only_and_same_site(client):
    response = client.get("/check.json?lang=en")
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 2
    for cookie in cookies:
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie


# ------------------------------------------------------------------ path traversal, through the real server


@pytest.fixture(scope="module")
def served(web_home):
    from test_web_serve import stop_server

    from catalogue.web.serve import make_server

    server = make_server(web_home, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield server.effective_port
    stop_server(server, thread)


def raw_get(port: int, target: str) -> tuple[int, bytes, str]:
    """Send ``GET <target> HTTP/1.1`` exactly as written (no client normalises the path)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, body, head.decode("latin-1")


TRAVERSALS = [
    "/static/../pyproject.toml", "/static/..%2fpyproject.toml", "/static/%2e%2e/pyproject.toml",
    "/static/%2e%2e%2fpyproject.toml", "/static/..%5cpyproject.toml", "/static/....//pyproject.toml",
    "/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%252f..%252fpyproject.toml", "/static//etc/passwd", "/static/%2fetc%2fpasswd",
    "/static/site.css/../../pyproject.toml", "/static/%c0%ae%c0%ae/pyproject.toml", "/static/site.css%00.toml",
    "/standards/..%2f..%2fetc%2fpasswd.json", "/standards/../../etc/passwd", "/standards/%2e%2e%2fpyproject.toml",
    "/standards/..%2f..%2fpyproject.toml.csv", "/ics/..%2f..%2fetc%2fpasswd", "/ccs/../../../etc/passwd",
    "/ccs/%2e%2e/%2e%2e/etc/passwd.json", "/systems/..%2f..%2fetc%2fpasswd", "/schemes/..%2f..%2fetc%2fpasswd.json",
    "/systems/..%2f..%2fetc%2fpasswd/feed.atom", "/openapi.json/../../etc/passwd", "/../../etc/passwd",
    "//etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/templates/base.html", "/static/../templates/base.html",
    "/static/../instance/catalogue.sqlite3", "/static/../.git/config", "/.git/config", "/docs/openapi.yaml",
]
#: Text from files outside static/ that would prove a traversal worked.
CANARIES = [b"root:x:0:", b"[build-system]", b"{% extends", b"SQLite format 3", b"[core]", b"openapi: 3.0.3"]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_no_path_traversal_through_the_server(served, target):
    status, body, head = raw_get(served, target)
    assert status in (301, 302, 308, 400, 404), (status, body[:200])
    for canary in CANARIES:
        assert canary not in body, (target, canary)
    assert f"Content-Security-Policy: {CSP}" in head and "X-Content-Type-Options: nosniff" in head, head
    if status in (301, 302, 308):
        location = re.search(r"Location: (\S+)", head).group(1)
        again, body, _ = raw_get(served, location.removeprefix("http://127.0.0.1"))
        for canary in CANARIES:
            assert canary not in body, (target, location, canary)


def test_static_files_still_serve_and_are_not_sniffed(served):
    status, body, head = raw_get(served, "/static/site.css")
    assert status == 200 and body
    assert "X-Content-Type-Options: nosniff" in head


# ------------------------------------------------------------------ CSRF on every form that posts


def test_every_posting_form_carries_the_sessions_token(client):
    forms_seen = 0
    token = client.get("/check.json").get_json()["csrf_token"]
    for route in ROUTES:
        response = client.get(route, headers={"Accept": "text/html", "Accept-Language": "en"})
        if response.mimetype != "text/html":
            continue
        for form in soup_of(response).select("form"):
            if (form.get("method") or "get").lower() != "post":
                continue
            forms_seen += 1
            field = form.select_one('input[type=hidden][name="csrf_token"]')
            assert field is not None and field["value"] == token, (route, form.get("action"))
    assert forms_seen >= 1  # the reference checker's form, at least


def test_every_post_route_refuses_a_missing_or_foreign_token(app, client):  # noqa: F811 - fixture
    post_rules = sorted(r.rule for r in app.url_map.iter_rules() if "POST" in r.methods)
    workspace = [f"/benchmarking/workspace/{path}" for path in (
        "new", "new.json", *(f"results/<rid>/{action}{suffix}" for action in ("discard", "edit", "publish", "withdraw")
                             for suffix in ("", ".json")))]
    assert post_rules == sorted(["/account/password", "/account/password.json", "/check", "/check.json",
                                 "/login", "/login.json", "/logout", "/logout.json", *workspace])
    foreign = app.test_client().get("/check.json").get_json()["csrf_token"]
    for rule in post_rules:
        for form in ({"text": "ISO 5208"}, {"text": "ISO 5208", "csrf_token": foreign},
                     {"text": "ISO 5208", "csrf_token": ""}):
            refused = client.post(rule, data=form, headers={"Accept": "application/json", "Accept-Language": "en"})
            assert refused.status_code == 400, (rule, form)
            assert refused.get_json() == {"ok": False, "status": 400, "error": (
                "The form has expired or did not come from this site: reload the page and send it again.")}
        if not rule.startswith("/check"):
            continue  # signing in and out with the token: tests/test_web_accounts.py
        # A cross-site page cannot read the token, but a same-origin script can send it in a header.
        token = client.get("/check.json").get_json()["csrf_token"]
        allowed = client.post(rule, data={"text": "ISO 5208"}, headers={"X-CSRF-Token": token, "Accept": "application/json"})
        assert allowed.status_code == 200, rule


def test_other_methods_on_get_routes_are_refused_whatever_the_token(client):
    token = client.get("/check.json").get_json()["csrf_token"]
    for route in ("/search", "/standards/iso-5208-2015", "/resolve", "/systems/valves", "/openapi.json"):
        response = client.post(route, data={"csrf_token": token}, headers={"Accept": "application/json"})
        assert response.status_code == 405, route
        assert response.get_json()["ok"] is False


# ------------------------------------------------------------------ uploads: size and type on every POST route


def posting_client(app):  # noqa: F811 - the app fixture's value
    c = app.test_client()
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = c.get("/check.json").get_json()["csrf_token"]
    return c, token


@pytest.mark.parametrize(("name", "body", "status", "message"), [
    ("payload.exe", b"MZ\x90\x00", 400, "'payload.exe' is not a document we read; use one of: .docx, .html, .htm, .md, .txt."),
    ("../../etc/passwd", b"root", 400, "'../../etc/passwd' is not a document we read; use one of: .docx, .html, .htm, .md, .txt."),
    ("report.pdf", b"%PDF-1.7", 400, "'report.pdf' is not a document we read; use one of: .docx, .html, .htm, .md, .txt."),
    ("scheme.docx.exe", b"PK\x03\x04", 400, "'scheme.docx.exe' is not a document we read; use one of: .docx, .html, .htm, .md, .txt."),
    ("svg.html", b"<svg onload=alert(1)>GB/T 13927-2022</svg>", 200, None),
])
def test_upload_types_are_checked_by_name_and_content(app, name, body, status, message):  # noqa: F811
    c, token = posting_client(app)
    response = c.post("/check.json", data={"csrf_token": token, "document": (io.BytesIO(body), name)},
                      content_type="multipart/form-data")
    assert response.status_code == status
    if message:
        assert response.get_json() == {"ok": False, "error": message, "status": status}
    else:
        assert [r["text"] for r in response.get_json()["references"]] == ["GB/T 13927-2022"]


def test_docx_zip_bomb_upload_is_refused_unopened(app):  # noqa: F811
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("word/document.xml", b" " * (60 * 1024 * 1024))
    assert len(data.getvalue()) < 1024 * 1024
    c, token = posting_client(app)
    response = c.post("/check.json", data={"csrf_token": token, "document": (io.BytesIO(data.getvalue()), "bomb.docx")},
                      content_type="multipart/form-data")
    assert response.status_code == 400
    assert response.get_json()["error"] == "bomb.docx unpacks to 60 MB, over the 50 MB limit."


@pytest.mark.parametrize("route", ["/check", "/check.json"])
def test_every_post_route_caps_the_body_before_reading_it(app, route):  # noqa: F811
    c, token = posting_client(app)
    huge = b"x" * (4 * 1024 * 1024)
    # Werkzeug's test builder spools a body over 500 kB to a temporary file it never closes.
    builder = EnvironBuilder(path=route, method="POST", headers={"Accept": "application/json"},
                             data={"csrf_token": token, "document": (io.BytesIO(huge), "big.txt")})
    environ = builder.get_environ()
    try:
        response = c.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()
    assert response.status_code == 413
    assert response.get_json() == {"ok": False, "status": 413, "error": (
        "The document is larger than 2 MiB, the most the checker reads; check it in parts.")}


# ------------------------------------------------------------------ the hostile title wherever it surfaces

SCRIPT_TITLE = "<script>alert(1)</script> Test title"


def assert_no_live_markup(response) -> None:
    body = response.get_data(as_text=True)
    assert "<script>alert(" not in body
    assert len(re.findall(r"<script\b", body)) <= 1  # site.js only


def test_hostile_title_in_resolver_candidates_is_text(client):
    response = client.get("/resolve", query_string={"ref": "T/ZZB 9999-2019"}, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert_no_live_markup(response)
    assert SCRIPT_TITLE in text_of(soup_of(response).select_one("main"))
    twin = client.get("/resolve.json", query_string={"ref": "T/ZZB 9999-2019"}).get_json()
    assert twin["candidates"][0]["titles"]["en"] == SCRIPT_TITLE  # JSON carries data, not markup


def test_hostile_title_in_the_site_feed_is_escaped_xml(client):
    response = client.get("/feed.atom")
    assert response.mimetype == "application/atom+xml"
    assert b"<script>" not in response.data
    feed = etree.fromstring(response.data, etree.XMLParser(resolve_entities=False, no_network=True))
    titles = [t.text or "" for t in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert any("<script>alert(1)</script>" in t for t in titles)


def test_hostile_title_in_search_snippets_and_suggestions(client):
    page = client.get("/search", query_string={"q": "alert", "page_size": 5}, headers={"Accept-Language": "en"})
    assert_no_live_markup(page)
    snippet = client.get("/search.json", query_string={"q": "alert"}).get_json()["hits"][0]["snippet"]
    # The snippet is HTML: the record's text escaped, our <mark> the only markup.
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert set(re.findall(r"</?([a-z]+)", snippet)) <= {"mark"}
    suggest = client.get("/suggest", query_string={"q": "T/ZZB"})
    assert suggest.mimetype == "application/x-suggestions+json"


@pytest.mark.parametrize("url", [
    "/resolve?ref=%3Cscript%3Ealert(5)%3C/script%3E", "/resolve.json?ref=%3Cscript%3Ealert(5)%3C/script%3E",
    "/search?sort=%3Cscript%3Ealert(5)%3C/script%3E", "/search?lang=%3Cscript%3Ealert(5)%3C/script%3E",
    "/search?ics=%3Cscript%3Ealert(5)%3C/script%3E", "/feed.atom?limit=%3Cscript%3Ealert(5)%3C/script%3E",
    "/systems/valves/feed.atom?since=%3Cscript%3Ealert(5)%3C/script%3E",
    "/systems/%3Cscript%3Ealert(5)%3C%2Fscript%3E", "/schemes/%3Cscript%3Ealert(5)%3C%2Fscript%3E.json",
    "/ics/%3Cscript%3Ealert(5)%3C%2Fscript%3E", "/standards/iso-5208-2015?from=%3Cscript%3Ealert(5)%3C/script%3E",
    "/%3Cscript%3Ealert(5)%3C/script%3E",
])
def test_error_pages_and_echoes_of_the_query_are_escaped(client, url):
    response = client.get(url, headers={"Accept-Language": "en"})
    assert response.status_code < 500
    if response.mimetype == "application/json":
        # JSON carries the text as data; a browser never renders it as a page.
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Security-Policy"] == CSP
    else:
        assert b"<script>alert(5)" not in response.data


# ------------------------------------------------------------------ the Host header is never a link (issue 14)

#: Every answer that names the catalogue by an absolute address: feeds, OpenSearch, permalinks,
#: citations, exports; and the redirects, whose Location must not name another host either.
ABSOLUTE = ["/feed.atom", "/opensearch.xml", "/standards/iso-5208-2015.json", "/standards/iso-5208-2015.ris",
            "/standards/iso-5208-2015.bib", "/systems/valves/feed.atom", "/schemes/mccb/feed.atom",
            "/benchmarking/review.atom"]
REDIRECTS = ["/standards/iso-5208", "/resolve?ref=iso5208", "/standards/iso-5208.json"]
EVIL = "evil.example"


def base_app(web_home, base: str | None):  # noqa: F811 - the fixture's value
    from catalogue.web import create_app

    config = {"CATALOGUE_HOME": str(web_home), "TESTING": True, "RESPONSE_CACHE_ENTRIES": 64}
    if base:
        config["BASE_URL"] = base
    return create_app(config)


@pytest.mark.parametrize("base, expected", [(None, "http://localhost"),
                                            ("https://museum.example/catalogue/", "https://museum.example/catalogue")])
def test_links_come_from_the_base_url_never_from_the_host_header(web_home, base, expected):  # noqa: F811
    application = base_app(web_home, base)
    try:
        honest, hostile = application.test_client(), application.test_client()
        for path in ABSOLUTE:
            # the hostile request first: were the Host header used, the cache would keep its links
            bad = hostile.get(path, headers={"Host": EVIL, "X-Forwarded-Host": EVIL, "Accept-Language": "en"})
            good = honest.get(path, headers={"Accept-Language": "en"})
            assert bad.status_code == good.status_code == 200, path
            body = bad.get_data(as_text=True)
            assert EVIL not in body, path
            assert expected + "/" in body, path
            assert bad.data == good.data, path
        for path in REDIRECTS:
            moved = hostile.get(path, headers={"Host": EVIL})
            assert moved.status_code == 302, path
            location = moved.headers["Location"]
            assert EVIL not in location and location.startswith(urlsplit(expected).path + "/standards/"), location
        permalink = hostile.get("/standards/iso-5208-2015.json", headers={"Host": EVIL}).get_json()["permalink"]
        assert permalink == expected + "/standards/iso-5208-2015"
    finally:
        cat = application.extensions.get("catalogue")
        if cat is not None:
            cat.close()


def test_a_base_url_with_a_path_serves_behind_a_front_that_keeps_or_strips_it(web_home):  # noqa: F811
    application = base_app(web_home, "https://museum.example/catalogue")
    try:
        c = application.test_client()
        kept, stripped = c.get("/catalogue/search?q=valves"), c.get("/search?q=valves")
        assert kept.status_code == stripped.status_code == 200
        assert kept.data == stripped.data
        assert 'href="/catalogue/standards/' in kept.get_data(as_text=True)
    finally:
        application.extensions["catalogue"].close()


@pytest.mark.parametrize("bad", ["ftp://museum.example", "museum.example", "https://", "https://a.example/?x=1",
                                 "https://user:pw@a.example", "https://a.example/#top", "https://a example"])
def test_a_base_url_that_is_no_web_address_is_refused(web_home, bad):  # noqa: F811
    from catalogue.errors import UsageError

    with pytest.raises(UsageError, match="is not an http:// or https:// address"):
        base_app(web_home, bad)


def test_serve_refuses_a_wrong_base_url_before_loading_anything(tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "catalogue.cli", "--home", str(tmp_path / "none"), "--lang", "en",
                           "serve", "--base-url", "ftp://museum.example", "--port", "0"],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        "Error: The base URL 'ftp://museum.example' is not an http:// or https:// address like "
        "https://museum.example/catalogue (no query, fragment or user name).")
    assert not (tmp_path / "none").exists()
