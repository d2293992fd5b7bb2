"""The response cache: same bytes as a fresh render, dropped on ingest, per language, bounded.

Apps here turn the cache on explicitly (``RESPONSE_CACHE_ENTRIES``): under ``TESTING`` it is
off by default so that other tests see fresh pages.
"""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from flask import jsonify

from catalogue.edges.service import Catalogue
from catalogue.web import create_app
from catalogue.web.cache import (
    CachedResponse,
    ResponseCache,
    make_etag,
    make_request_key,
    match_etag,
    IndexWatch,
    read_lang_cookie,
)
from catalogue.web.security import csrf_token
from test_web_support import NEW_RECORD, build_catalogue, soup_of

ZH = "zh-CN,zh;q=0.9"
EN = "en-GB,en;q=0.9"
PAGES = [
    "/", "/index.json", "/search?q=valves", "/search.json?q=valves&status=current&sort=date",
    "/search?q=%E9%97%B8%E9%98%80&publisher=ISO", "/standards/iso-5208-2015", "/standards/iso-5208-2015.json",
    "/standards/iso-5208", "/ics/23.060", "/ccs/", "/publishers/", "/feed.atom", "/resolve?ref=gbt13927-2022",
]


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return build_catalogue(tmp_path_factory.mktemp("cachecat"))


_opened: list = []


def make_app(home: Path, entries: int = 256, **config):
    app = create_app({"CATALOGUE_HOME": str(home), "TESTING": True, "RESPONSE_CACHE_ENTRIES": entries, **config})
    _opened.append(app)
    return app


@pytest.fixture(autouse=True)
def close_apps():
    """Close the catalogue of every app a test made (module-scoped apps close themselves)."""
    yield
    while _opened:
        app = _opened.pop()
        if app not in MODULE_APPS and app.extensions.get("catalogue") is not None:
            app.extensions["catalogue"].close()


MODULE_APPS: list = []


@pytest.fixture(scope="module")
def cached_app(home):
    app = make_app(home)
    MODULE_APPS.append(app)
    yield app
    app.extensions["catalogue"].close()


@pytest.fixture(scope="module")
def fresh_app(home):
    app = make_app(home, entries=0)
    MODULE_APPS.append(app)
    yield app
    app.extensions["catalogue"].close()


def get(app, path: str, lang: str = EN, **headers):
    return app.test_client().get(path, headers={"Accept-Language": lang, **headers})


# --------------------------------------------------------------------------- the store itself

def make_entry(body: bytes) -> CachedResponse:
    return CachedResponse("200 OK", (("Content-Type", "text/plain"),), body, make_etag(body))


def test_the_cache_keeps_the_most_recently_used_entries_within_its_entry_bound():
    cache = ResponseCache(max_entries=3, max_bytes=10**6)
    for name in "abcd":
        cache.put(name, make_entry(name.encode()))
    assert cache.get("a") is None
    assert cache.get("b").body == b"b"  # b is now the most recently used
    cache.put("e", make_entry(b"e"))
    assert [cache.get(k) is not None for k in "bcde"] == [True, False, True, True]
    assert len(cache) == 3


def test_the_cache_keeps_within_its_byte_bound_and_refuses_an_entry_larger_than_all_of_it():
    one = make_entry(b"x" * 1000)
    cache = ResponseCache(max_entries=100, max_bytes=3 * one.size)
    for i in range(10):
        cache.put(i, make_entry(b"x" * 1000))
    assert len(cache) == 3
    assert cache.bytes_used == 3 * one.size
    # kept bytes are deflated: an entry too big for the bound must be big once deflated too
    assert cache.put("huge", make_entry(random.Random(5).randbytes(4 * one.size))) is False
    assert cache.get("huge") is None and len(cache) == 3


def test_replacing_an_entry_does_not_count_its_bytes_twice():
    cache = ResponseCache(max_entries=10, max_bytes=10**6)
    cache.put("a", make_entry(b"12345"))
    cache.put("a", make_entry(b"12345"))
    assert cache.bytes_used == make_entry(b"12345").size


def test_a_cache_of_zero_entries_stores_nothing():
    cache = ResponseCache(max_entries=0)
    assert cache.put("a", make_entry(b"a")) is False
    assert len(cache) == 0


@pytest.mark.parametrize("header, expected", [
    ("lang=en", "en"), ("session=abc; lang=zh", "zh"), ("session=abc", None), ("", None),
    ("language=en", None), ("lang=zh; lang=en", "zh"),
])
def test_the_lang_cookie_is_read_from_the_cookie_header_as_flask_reads_it(header, expected):
    assert read_lang_cookie(header) == expected
    with create_app({"TESTING": True}).test_request_context(headers={"Cookie": header}) as ctx:
        assert ctx.request.cookies.get("lang") == expected


@pytest.mark.parametrize("header, expected", [
    ('"abc"', True), ('W/"abc"', True), ('"x", "abc"', True), ("*", True), ('"abd"', False), ("", False),
])
def test_if_none_match_is_compared_with_the_etag(header, expected):
    assert match_etag(header, '"abc"') is expected


def test_the_key_holds_every_header_a_page_depends_on():
    base = {"REQUEST_METHOD": "GET", "PATH_INFO": "/search", "QUERY_STRING": "q=valves", "HTTP_HOST": "a:1",
            "HTTP_ACCEPT_LANGUAGE": EN, "HTTP_ACCEPT": "text/html"}
    variants = [{"HTTP_ACCEPT_LANGUAGE": ZH}, {"HTTP_ACCEPT": "application/json"}, {"HTTP_COOKIE": "lang=zh"},
                {"QUERY_STRING": "q=valves&lang=zh"}, {"HTTP_HOST": "b:1"}, {"REQUEST_METHOD": "HEAD"},
                {"PATH_INFO": "/search.json"}]
    keys = {make_request_key({**base, **change}) for change in variants}
    assert len(keys | {make_request_key(base)}) == len(variants) + 1
    # Cookies other than ``lang`` (the session) do not split entries: pages using the session are never stored.
    assert make_request_key({**base, "HTTP_COOKIE": "session=abc"}) == make_request_key(base)


# --------------------------------------------------------------------------- through the app

@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", [ZH, EN])
def test_a_cached_answer_has_the_same_bytes_as_a_fresh_render(cached_app, fresh_app, path, lang):
    fresh = get(fresh_app, path, lang)
    first = get(cached_app, path, lang)
    again = get(cached_app, path, lang)
    assert fresh.status_code in (200, 302)
    assert "X-Cache" not in fresh.headers
    assert (first.headers["X-Cache"], again.headers["X-Cache"]) == ("miss", "hit")
    for answer in (first, again):
        assert answer.status_code == fresh.status_code
        assert answer.data == fresh.data
        for name in ("Content-Type", "Location", "Content-Security-Policy", "Vary"):
            assert answer.headers.get(name) == fresh.headers.get(name)
    assert again.headers["ETag"] == first.headers["ETag"] == make_etag(fresh.data)


def test_one_languages_page_is_never_served_for_another(home):
    app = make_app(home)
    zh_page = get(app, "/search?q=valves", ZH)
    en_page = get(app, "/search?q=valves", EN)
    assert en_page.headers["X-Cache"] == "miss"
    assert soup_of(zh_page).html["lang"] == "zh-Hans" and soup_of(en_page).html["lang"] == "en"
    # The cookie chosen with ?lang= wins over the browser: an English cookie on a Chinese browser.
    client = app.test_client()
    client.set_cookie("lang", "en")
    by_cookie = client.get("/search?q=valves", headers={"Accept-Language": ZH})
    assert soup_of(by_cookie).html["lang"] == "en"
    assert by_cookie.data == en_page.data
    # ?lang= in the address, and a browser that asks for neither language (English by the rules).
    assert soup_of(get(app, "/search?q=valves&lang=zh", EN)).html["lang"] == "zh-Hans"
    assert soup_of(get(app, "/search?q=valves", "fr-FR,fr;q=0.9")).html["lang"] == "en"
    assert soup_of(get(app, "/search?q=valves", ZH)).html["lang"] == "zh-Hans"


def test_the_json_twin_by_accept_header_is_not_served_as_html(home):
    app = make_app(home)
    page = get(app, "/search?q=valves")
    twin = get(app, "/search?q=valves", Accept="application/json")
    assert page.mimetype == "text/html" and twin.mimetype == "application/json"
    assert json.loads(twin.data)["query"] == "valves"
    assert get(app, "/search?q=valves").data == page.data


def test_an_ingest_through_another_connection_drops_stale_pages(tmp_path):
    home = build_catalogue(tmp_path / "cat")
    app = make_app(home)
    before = get(app, "/search.json?q=actuator")
    assert get(app, "/search.json?q=actuator").headers["X-Cache"] == "hit"
    assert json.loads(before.data)["total"] == 0
    records = json.loads(get(app, "/index.json").data)["records"]
    source = tmp_path / "new.jsonl"
    source.write_text(json.dumps(NEW_RECORD) + "\n", encoding="utf-8")
    with Catalogue(home) as other:  # a `catalogue ingest` in another process, in effect
        assert other.ingest([source]).added == 1
    after = get(app, "/search.json?q=actuator")
    assert after.headers["X-Cache"] == "miss"
    assert [h["key"] for h in json.loads(after.data)["hits"]] == ["iso-5211-2017"]
    assert json.loads(get(app, "/index.json").data)["records"] == records + 1
    assert get(app, "/standards/iso-5211-2017").status_code == 200


def test_an_ingest_through_the_apps_own_catalogue_drops_stale_pages(tmp_path):
    home = build_catalogue(tmp_path / "cat")
    app = make_app(home)
    assert json.loads(get(app, "/search.json?q=actuator").data)["total"] == 0
    source = tmp_path / "new.jsonl"
    source.write_text(json.dumps(NEW_RECORD) + "\n", encoding="utf-8")
    assert app.extensions["catalogue"].ingest([source]).added == 1
    after = get(app, "/search.json?q=actuator")
    assert after.headers["X-Cache"] == "miss"
    assert json.loads(after.data)["total"] == 1


@pytest.mark.parametrize("path, status", [
    ("/standards/iso-0000-1900", 404), ("/search?sort=colour", 400), ("/search.json?page=0", 400),
    ("/no/such/page", 404),
])
def test_errors_are_never_cached(home, path, status):
    app = make_app(home)
    cache = app.extensions["response_cache"]
    for _ in range(2):
        answer = get(app, path)
        assert answer.status_code == status
        assert "X-Cache" not in answer.headers and "ETag" not in answer.headers
    assert len(cache) == 0


def test_posts_pages_using_the_session_and_cookies_set_are_never_cached(home):
    app = make_app(home, CSRF_DISABLED=True)
    calls = []

    def counted():
        calls.append(1)
        return jsonify(calls=len(calls))

    def with_token():
        return jsonify(token=csrf_token())

    app.add_url_rule("/counted", view_func=counted, methods=["GET", "POST"])
    app.add_url_rule("/token", view_func=with_token)
    client = app.test_client()
    client.get("/")  # opens the catalogue: until then there is no generation to key on
    posts = [client.post("/counted") for _ in range(2)]
    assert [json.loads(p.data)["calls"] for p in posts] == [1, 2]
    assert all("X-Cache" not in p.headers for p in posts)
    assert client.get("/counted").headers["X-Cache"] == "miss"
    assert client.get("/counted").headers["X-Cache"] == "hit"
    # A page holding a visitor's CSRF token belongs to that visitor alone, also when the token
    # is only read from the session (no cookie set on the second visit).
    first, second = app.test_client(), app.test_client()
    token = json.loads(first.get("/token").data)["token"]
    again = first.get("/token")
    assert "Set-Cookie" not in again.headers and "X-Cache" not in again.headers
    assert json.loads(again.data)["token"] == token
    assert json.loads(second.get("/token").data)["token"] != token
    # Choosing a language with ?lang= sets a cookie: that answer is not shared either.
    chosen = app.test_client().get("/publishers/?lang=en")
    assert "lang=en" in chosen.headers["Set-Cookie"] and "X-Cache" not in chosen.headers
    head = app.test_client().head("/publishers/")
    assert head.status_code == 200 and "X-Cache" not in head.headers
    assert len(app.extensions["response_cache"]) == 2  # GET / and GET /counted only


def test_the_app_cache_stays_within_its_bounds(home):
    app = make_app(home, entries=3)
    cache = app.extensions["response_cache"]
    for word in ["valves", "pumps", "gate", "switch", "safety", "leather"]:
        assert get(app, f"/search?q={word}").status_code == 200
    assert len(cache) == 3
    assert get(app, "/search?q=leather").headers["X-Cache"] == "hit"
    assert get(app, "/search?q=valves").headers["X-Cache"] == "miss"
    small = make_app(home, entries=100, RESPONSE_CACHE_BYTES=40_000)
    for word in ["valves", "pumps", "gate", "switch", "safety", "leather"]:
        get(small, f"/search?q={word}")
    assert 0 < small.extensions["response_cache"].bytes_used <= 40_000


def test_the_index_generation_changes_with_every_index_write(tmp_path):
    home = build_catalogue(tmp_path / "cat")
    watch = IndexWatch(home / "index")
    source = tmp_path / "new.jsonl"
    source.write_text(json.dumps(NEW_RECORD) + "\n", encoding="utf-8")
    with Catalogue(home) as cat:
        before = watch.read_generation()
        assert before[1] == cat.store.generation()
        cat.ingest([source])
        updated = watch.read_generation()
        cat.reindex()
        rebuilt = watch.read_generation()
        assert updated[1] == rebuilt[1] == cat.store.generation() == before[1] + 1
    assert updated[0] == before[0] and rebuilt[0] != before[0]
    assert IndexWatch(tmp_path / "nowhere").read_generation() == ("unreadable",)


def test_two_writes_in_the_same_second_both_reach_every_cache(tmp_path):
    """The old page-data stamp (record count, latest updated_at to the second) missed the second
    of two writes made within one second; generations count transactions."""
    home = build_catalogue(tmp_path / "cat")
    app = make_app(home)
    first = tmp_path / "first.jsonl"
    second = tmp_path / "second.jsonl"
    first.write_text(json.dumps(NEW_RECORD) + "\n", encoding="utf-8")
    # the second write adds a (demo) holding of the museum's: the same record, changed again
    holding = {"format": "paper", "shelf_mark": "DEMO-0001", "access": "reading room", "note": "demo holding"}
    changed = {**NEW_RECORD, "holdings": [holding]}
    second.write_text(json.dumps(changed) + "\n", encoding="utf-8")
    with Catalogue(home) as other:
        other.ingest([first])
        assert json.loads(get(app, "/standards/iso-5211-2017.json").data)["holdings"] == []
        assert get(app, "/ics/").headers["X-Cache"] == "miss"
        assert get(app, "/ics/").headers["X-Cache"] == "hit"
        other.ingest([second])  # within the same second as the first
    page = json.loads(get(app, "/standards/iso-5211-2017.json").data)
    assert [h["shelf_mark"] for h in page["holdings"]] == ["DEMO-0001"]
    assert get(app, "/ics/").headers["X-Cache"] == "miss"
    hits = json.loads(get(app, "/search.json?q=actuator attachments").data)["hits"]
    assert [h["key"] for h in hits] == ["iso-5211-2017"]


def test_an_unchanged_page_answers_304_to_its_etag(cached_app):
    first = get(cached_app, "/standards/iso-5208-2015")
    again = get(cached_app, "/standards/iso-5208-2015", **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    other = get(cached_app, "/standards/iso-5208-2015", **{"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.data == first.data


def test_the_cache_is_off_under_testing_unless_asked_for(home):
    app = create_app({"CATALOGUE_HOME": str(home), "TESTING": True})
    _opened.append(app)
    assert "X-Cache" not in get(app, "/").headers
    assert app.extensions["response_cache"].max_entries == 0


def test_a_closed_store_gives_an_error_page_not_a_traceback_and_nothing_is_stored(home):
    app = make_app(home)
    assert get(app, "/publishers/").status_code == 200
    app.extensions["catalogue"].store.close()
    answer = get(app, "/publishers/")
    assert answer.status_code == 500
    assert "X-Cache" not in answer.headers
    assert b"Traceback" not in answer.data
    app.extensions.pop("catalogue")
