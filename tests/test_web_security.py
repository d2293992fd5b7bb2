"""Safety: headers on every response, escaping, argument checks, size limits, CSRF, error pages."""
from __future__ import annotations

import pytest
from flask import jsonify

from catalogue.web import create_app
from catalogue.web.security import CSP, csrf_token
from test_web_support import app, client, soup_of, text_of, web_home  # noqa: F401 - fixtures

EVERY_KIND_OF_RESPONSE = [
    "/", "/index.json", "/search?q=valve", "/search.json?q=valve", "/standards/iso-5208-2015",
    "/standards/iso-5208-2015.json", "/standards/iso-5208-2015.csv", "/standards/iso-5208-2015.ris",
    "/standards/iso-5208-2015.bib", "/standards/iso-5208", "/standards/nope-1", "/resolve?ref=iso5208",
    "/resolve?ref=ISO+5208:1999", "/ics/", "/ics/23.060", "/ccs/", "/ccs/J10/29", "/publishers/", "/committees/",
    "/opensearch.xml", "/feed.atom", "/suggest?q=iso", "/static/site.css", "/static/site.js", "/search?sort=colour", "/no/such/page",
]


@pytest.mark.parametrize("url", EVERY_KIND_OF_RESPONSE)
def test_security_headers_on_every_response(client, url):
    response = client.get(url)
    response.close()  # static files are streamed from an open file
    assert response.status_code < 500
    assert response.headers["Content-Security-Policy"] == CSP
    assert "frame-ancestors 'none'" in CSP and "default-src 'self'" in CSP and "'unsafe-inline'" not in CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("url", ["/", "/search?q=valve", "/standards/iso-5208-2015", "/ics/23.060", "/resolve?ref=ISO+5208:1999"])
def test_pages_carry_no_inline_script_or_style(client, url):
    page = soup_of(client.get(url))
    assert [s.get("src") for s in page.select("script")] == ["/static/site.js"]
    assert page.select("style") == []
    assert page.select("[style]") == []
    assert not [tag for tag in page.find_all(True) if any(attr.startswith("on") for attr in tag.attrs)]


def test_script_tag_title_is_escaped_on_its_page(client):
    response = client.get("/standards/t-zzb-9999-2020")
    assert b"<script>alert(1)</script>" not in response.data
    assert b"&lt;script&gt;alert(1)&lt;/script&gt; Test title" in response.data
    page = soup_of(response)
    assert text_of(page.select_one(".standard-title")) == "<script>alert(1)</script> Test title"
    assert len(page.select("script")) == 1


def test_script_tag_title_is_escaped_in_search_hits_and_snippets(client):
    for query in ("script", "Test title", "T/ZZB 9999-2020"):
        response = client.get("/search", query_string={"q": query})
        assert b"<script>alert" not in response.data, query
        hit = soup_of(response).select_one("li.hit")
        assert "<script>alert(1)</script>" in text_of(hit), query
    marked = soup_of(client.get("/search?q=script")).select_one("li.hit .hit-title")
    assert [m.get_text() for m in marked.select("mark")] == ["script", "script"]


def test_script_tag_in_the_query_is_escaped(client):
    response = client.get("/search", query_string={"q": '"><script>alert(2)</script>'})
    assert response.status_code == 200
    assert b"<script>alert(2)" not in response.data
    page = soup_of(response)
    assert page.select_one("#q")["value"] == '"><script>alert(2)</script>'


def test_script_tag_in_an_unknown_key_is_escaped(client):
    response = client.get("/standards/%3Cscript%3Ealert(3)%3C%2Fscript%3E")
    assert response.status_code == 404
    assert b"<script>alert(3)" not in response.data


@pytest.mark.parametrize(("url", "message"), [
    ("/search?sort=colour", "Cannot sort by 'colour'; use one of: relevance, date, designation."),
    ("/search?page_size=101", "The argument 'page_size' must be from 1 to 100 (the cap is 100 hits per page); 101 is out of range."),
    ("/search?page_size=0", "The argument 'page_size' must be from 1 to 100 (the cap is 100 hits per page); 0 is out of range."),
    ("/search?page=two", "The argument 'page' must be a whole number from 1 to 500, not 'two'."),
    ("/search?page=501", "The argument 'page' must be from 1 to 500; 501 is out of range."),
    ("/search?status=valid", "Cannot filter by status 'valid'; use one of: current, upcoming, withdrawn, replaced, draft, unknown."),
    ("/search?ics=23/060", "Cannot filter by ICS code '23/060'; use a code like 23, 23.060 or 23.060.01."),
    ("/search?ccs=J1", "Cannot filter by CCS code 'J1'; use a code like J, J10/19 or J16."),
    ("/search?year=15", "Cannot filter by year '15'; use a year like 2015."),
    ("/search?decade=2015", "Cannot filter by decade '2015'; use a decade like 2010s."),
    ("/search?lang=fr", "Cannot show the interface in 'fr'; use one of: zh, en."),
    ("/search?q=" + "a" * 501, "The argument 'q' is 501 characters long; the limit is 500 characters."),
    ("/feed.atom?limit=1000", "The argument 'limit' must be from 1 to 200; 1000 is out of range."),
])
def test_bad_arguments_are_400_naming_the_argument(client, url, message):
    page = client.get(url)
    assert page.status_code == 400
    assert text_of(soup_of(page).select_one(".error-message")) == message
    twin = client.get(url, headers={"Accept": "application/json"})
    assert twin.status_code == 400
    assert twin.get_json() == {"ok": False, "error": message, "status": 400}


def test_hostile_queries_never_fail(client):
    for query in ('AND', '"', 'title:(', '*', '?', 'OR NOT', '\\', '[]{}', '%', '闸阀 AND', "a" * 500):
        response = client.get("/search.json", query_string={"q": query})
        assert response.status_code == 200, query


def test_over_long_query_string_is_refused(client):
    response = client.get("/search?" + "&".join(f"publisher=P{i}" for i in range(800)))
    assert response.status_code == 414
    assert text_of(soup_of(response).select_one(".error-message")) == "The address is too long."


def test_too_many_values_for_one_filter(client):
    response = client.get("/search.json?" + "&".join(f"publisher=P{i}" for i in range(21)))
    assert response.status_code == 400
    assert response.get_json()["error"] == "The argument 'publisher' is given 21 times; the limit is 20."


def test_unknown_page_and_wrong_method(client):
    missing = client.get("/no/such/page.json")
    assert missing.status_code == 404
    assert missing.get_json() == {"ok": False, "error": "There is no page at this address.", "status": 404}
    token_less_post = client.post("/search", data={"q": "x"})
    # No route takes a POST here: 405 naming what it takes (the CSRF check guards routes that write)
    assert token_less_post.status_code == 405
    assert token_less_post.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert client.post("/check", data={"text": "ISO 5208"}).status_code == 400  # no token


def test_body_size_is_limited(web_home):
    app = create_app({"CATALOGUE_HOME": str(web_home), "TESTING": True, "MAX_CONTENT_LENGTH": 1000,
                      "CSRF_DISABLED": True})

    @app.post("/echo")
    def echo():
        from flask import request

        return jsonify(size=len(request.get_data()))

    client = app.test_client()
    assert client.post("/echo", data=b"x" * 10).get_json() == {"size": 10}
    assert client.post("/echo", data=b"x" * 2000).status_code == 413


def test_csrf_token_guards_posting_forms(web_home):
    app = create_app({"CATALOGUE_HOME": str(web_home), "TESTING": True})

    @app.get("/form-token")
    def form_token():
        return jsonify(token=csrf_token())

    @app.post("/form")
    def form():
        return jsonify(ok=True)

    client = app.test_client()
    refused = client.post("/form", data={"text": "ISO 5208"}, headers={"Accept": "application/json", "Accept-Language": "en"})
    assert refused.status_code == 400
    assert refused.get_json()["error"] == (
        "The form has expired or did not come from this site: reload the page and send it again.")
    token = client.get("/form-token").get_json()["token"]
    assert len(token) >= 40
    assert client.post("/form", data={"text": "x", "csrf_token": "forged"}).status_code == 400
    assert client.post("/form", data={"text": "x", "csrf_token": token}).get_json() == {"ok": True}
    assert client.post("/form", headers={"X-CSRF-Token": token}).status_code == 200
    other = app.test_client()  # another browser has its own session and cannot reuse the token
    assert other.post("/form", data={"csrf_token": token}).status_code == 400


def test_unexpected_errors_are_a_plain_500_without_traceback(web_home, caplog):
    app = create_app({"CATALOGUE_HOME": str(web_home), "TESTING": True})

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    client = app.test_client()
    response = client.get("/boom", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert b"secret internals" not in response.data and b"Traceback" not in response.data
    assert text_of(soup_of(response).select_one(".error-message")) == (
        "Something went wrong on our side; the error has been logged. Please try again later.")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "secret internals" in caplog.text


def test_missing_catalogue_is_a_503_saying_what_to_do(tmp_path):
    app = create_app({"CATALOGUE_HOME": str(tmp_path / "nothing"), "TESTING": True})
    response = app.test_client().get("/search.json?q=x")
    assert response.status_code == 503
    assert response.get_json()["error"] == (
        f"No catalogue at {tmp_path / 'nothing'}: run `catalogue init --demo` or `catalogue ingest FILES`.")


def test_debug_is_off_and_secret_key_is_random_per_app(web_home):
    first = create_app({"CATALOGUE_HOME": str(web_home)})
    second = create_app({"CATALOGUE_HOME": str(web_home)})
    assert first.debug is False and second.debug is False
    assert first.config["SECRET_KEY"] != second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) == 64



ACCESSIBILITY_PAGES = ["/", "/search?q=valves&status=current", "/standards/iso-5208-1982", "/standards/gb-t-14048.2-2020",
                       "/ics/", "/ics/23.060", "/ccs/J10/29", "/publishers/", "/committees/", "/resolve?ref=ISO+5208:1999",
                       "/standards/iso-5208-2099", "/search?sort=colour"]


@pytest.mark.parametrize("url", ACCESSIBILITY_PAGES)
def test_headings_in_order_and_every_control_labelled(client, url):
    page = soup_of(client.get(url))
    levels = [int(h.name[1]) for h in page.select("main h1, main h2, main h3, main h4")]
    assert levels[0] == 1 and levels.count(1) == 1, levels
    assert all(after - before <= 1 for before, after in zip(levels, levels[1:])), levels
    for control in page.select("input:not([type=hidden]), select, textarea"):
        assert page.select_one(f'label[for="{control["id"]}"]') is not None, control
    assert page.html["lang"] in ("en", "zh-Hans")
    assert page.select_one("a.skip-link")["href"] == "#main"
    for badge in page.select(".badge"):
        assert text_of(badge), badge  # status is said in words, not only shown in colour


def test_upcoming_and_draft_banners(app):
    from catalogue.records import Standard
    from catalogue.web.standards import build_banner

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        upcoming = Standard(designation="GB/T 1-2030", key="gb-t-1-2030", status="upcoming", in_force="2030-07-01")
        banner = build_banner(upcoming, [], {"key": "gb-t-1-2020", "designation": "GB/T 1-2020"})
        assert banner == {"kind": "upcoming", "replaced_by": [], "date": "2030-07-01",
                          "in_force": {"key": "gb-t-1-2020", "designation": "GB/T 1-2020", "url": "/standards/gb-t-1-2020"}}
        draft = Standard(designation="ISO 1:2030", key="iso-1-2030", status="draft")
        assert build_banner(draft, [], None)["kind"] == "draft"
        current = Standard(designation="ISO 1:2020", key="iso-1-2020", status="current")
        assert build_banner(current, [], {"key": "iso-1-2020", "designation": "ISO 1:2020"}) is None
        stale = Standard(designation="ISO 1:2010", key="iso-1-2010", status="current")
        assert build_banner(stale, [], {"key": "iso-1-2020", "designation": "ISO 1:2020"})["kind"] == "not_in_force"
