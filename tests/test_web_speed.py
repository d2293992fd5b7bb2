"""What makes pages fast must not change a byte of them.

Templates compiled per language with their fixed strings translated, ``url_for`` remembered,
facet links built from arguments encoded once, links in one argument order (so the response
cache shares a page between orders of its arguments), and the index watched by ``stat``: each
is checked here against the slow way it replaced.
"""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest
from flask import redirect, request
from jinja2 import Environment
from jinja2.lexer import Token

from catalogue.edges.service import Catalogue
from catalogue.web import create_app
from catalogue.web.cache import make_canonical_query
from catalogue.web.search import make_add_links, search_url
from catalogue.web.templating import EXTENSION_KEY, MemoUrlFor, rewrite_fixed_strings, translate_fixed
from test_web_support import NEW_RECORD, build_catalogue

ZH = "zh-CN,zh;q=0.9"
EN = "en-GB,en;q=0.9"
PAGES = [
    "/", "/search?q=valves", "/search?q=valves&status=current&publisher=ISO&sort=date", "/search?q=%E9%97%B8%E9%98%80",
    "/search?q=nothing-matches-this", "/standards/iso-5208-2015", "/standards/iso-5208-1982", "/standards/gb-t-13927-2022",
    "/ics/", "/ics/23.060", "/ccs/", "/publishers/", "/committees/", "/systems/", "/schemes/", "/resolve?ref=ISO%205208",
    "/feed.atom", "/opensearch.xml", "/standards/iso-0000-1900", "/no/such/page", "/search?sort=colour",
]


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return build_catalogue(tmp_path_factory.mktemp("speedcat"))


@pytest.fixture(scope="module")
def app(home):
    application = create_app({"CATALOGUE_HOME": str(home), "TESTING": True})
    yield application
    application.extensions["catalogue"].close()


@pytest.fixture(scope="module")
def cached_app(home):
    application = create_app({"CATALOGUE_HOME": str(home), "TESTING": True, "RESPONSE_CACHE_ENTRIES": 256})
    yield application
    application.extensions["catalogue"].close()


def get(app, path: str, lang: str = EN):
    return app.test_client().get(path, headers={"Accept-Language": lang})


def without_token(body: bytes) -> bytes:
    """The page without its CSRF token (new for every session)."""
    return re.sub(rb'name="csrf_token" value="[^"]*"', b"", body)


# --------------------------------------------------------------------------- translated when compiled

@pytest.mark.parametrize("lang", [ZH, EN])
def test_pages_compiled_per_language_are_the_pages_translated_while_drawn(app, lang):
    compiled = {path: get(app, path, lang) for path in PAGES}
    environments = app.extensions.pop(EXTENSION_KEY)
    try:
        drawn = {path: get(app, path, lang) for path in PAGES}
    finally:
        app.extensions[EXTENSION_KEY] = environments
    for path in PAGES:
        assert compiled[path].status_code == drawn[path].status_code, path
        assert without_token(compiled[path].data) == without_token(drawn[path].data), path
    assert ("被代替" in compiled["/standards/iso-5208-1982"].get_data(as_text=True)) == (lang == ZH)


class Catalog:
    """A stand-in for compiled translations: one Chinese string."""

    def ugettext(self, text: str) -> str:
        return {"Search": "检索", "Done %%": "完成 %%", "Odd": "100% 奇"}.get(text, text)


def tokens_of(source: str) -> list[Token]:
    return list(Environment().lexer.tokenize(source))


def rewrite(source: str) -> str:
    """The expression's tokens after rewriting, as text: 'Search' -> '( "检索" | safe )'."""
    out = []
    for token in rewrite_fixed_strings(tokens_of(source), Catalog()):
        if token.type in ("variable_begin", "variable_end"):
            continue
        out.append(repr(token.value) if token.type == "string" else str(token.value))
    return " ".join(out)


@pytest.mark.parametrize("source, expected", [
    ('{{ _("Search") }}', "( '检索' | safe )"),
    ("{{ _('Search')|upper }}", "( '检索' | safe ) | upper"),
    ('{{ _("Unknown words") }}', "( 'Unknown words' | safe )"),
    ('{{ _("Done %%") }}', "( '完成 %' | safe )"),  # formatted with no variables, as at request time
    ('{{ _("Odd") }}', "_ ( 'Odd' )"),  # a stray % fails formatting: left to request time
    ('{{ _("Search", n=1) }}', "_ ( 'Search' , n = 1 )"),
    ('{{ x._("Search") }}', "x . _ ( 'Search' )"),
    ('{{ ngettext("Search", "Searches", 2) }}', "ngettext ( 'Search' , 'Searches' , 2 )"),
])
def test_only_a_call_of_underscore_with_one_literal_is_rewritten(source, expected):
    assert rewrite(source) == expected


def test_translate_fixed_answers_none_when_formatting_fails():
    assert translate_fixed("Search", Catalog()) == "检索"
    assert translate_fixed("Odd", Catalog()) is None


def test_a_rewritten_string_is_shown_as_the_runtime_call_shows_it(app):
    env = app.extensions[EXTENSION_KEY]["zh"]
    source = '<p title="{{ _("Search") }}">{{ _("Search") }} {{ _("Search")|length }}</p>'
    with app.test_request_context(headers={"Accept-Language": ZH}):
        page = env.from_string(source).render()
        runtime = app.jinja_env.from_string(source).render()
    assert page == runtime == '<p title="检索">检索 2</p>'


# --------------------------------------------------------------------------- url_for remembered

def test_remembered_addresses_are_flasks_for_each_host_and_script_root(app):
    memo = MemoUrlFor(app)
    calls = [("search.show_search", {}), ("standards.show_standard", {"key": "iso-5208-2015"}),
             ("standards.show_standard", {"key": "iso-5208-2015", "_external": True}),
             ("search.show_search", {"publisher": "ISO", "q": "valves"}), ("static", {"filename": "site.css"}),
             ("search.show_search", {"status": ["current", "replaced"]})]  # a list: not hashable, not kept
    for environ in ({}, {"HTTP_HOST": "museum.example"}, {"SCRIPT_NAME": "/catalogue"},
                    {"wsgi.url_scheme": "https", "HTTP_HOST": "museum.example"}):
        with app.test_request_context(environ_base=environ, headers={"Host": environ.get("HTTP_HOST", "localhost")}):
            for _ in range(2):
                for endpoint, values in calls:
                    assert memo(endpoint, **values) == app.url_for(endpoint, **values)
    assert 0 < len(memo.built) < 4 * len(calls)
    small = MemoUrlFor(app, limit=2)
    with app.test_request_context():
        for key in ("a", "b", "c"):
            assert small("standards.show_standard", key=key) == f"/standards/{key}"
    assert len(small.built) <= 2


# --------------------------------------------------------------------------- one order of arguments

@pytest.mark.parametrize("query, expected", [
    ("q=valves", "q=valves"),
    ("status=current&q=valves&publisher=ISO", "publisher=ISO&q=valves&status=current"),
    ("publisher=ISO&q=x&publisher=IEC", "publisher=ISO&publisher=IEC&q=x"),  # one name keeps its order
    ("q=x&%71=y", "q=x&%71=y"),  # an encoded name: left as given
    ("q=x&&status=current", "q=x&&status=current"),
    ("", ""),
])
def test_the_canonical_query_sorts_plain_names_and_keeps_each_names_values_in_order(query, expected):
    assert make_canonical_query(query) == expected


ORDERS = [
    ("q=valves&status=current&publisher=ISO&sort=date", "sort=date&publisher=ISO&status=current&q=valves",
     "publisher=ISO&sort=date&q=valves&status=current"),
    ("q=valve&publisher=ISO&publisher=IEC&page_size=5&page=2",
     "page=2&publisher=ISO&q=valve&page_size=5&publisher=IEC"),
    ("ref=ISO%205208&lang=en", "lang=en&ref=ISO%205208"),
]


@pytest.mark.parametrize("orders", ORDERS)
@pytest.mark.parametrize("lang", [ZH, EN])
def test_every_order_of_the_same_arguments_makes_the_same_page(app, orders, lang):
    path = "/resolve" if orders[0].startswith("ref") else "/search"
    for suffix in ("", ".json") if path == "/search" else ("",):
        pages = {without_token(get(app, f"{path}{suffix}?{order}", lang).data) for order in orders}
        assert len(pages) == 1, (suffix, orders)


def test_a_page_cached_for_one_order_is_served_for_another_with_the_same_bytes(cached_app, app):
    first, second = ORDERS[0][0], ORDERS[0][1]
    assert get(cached_app, f"/search?{first}").headers["X-Cache"] == "miss"
    again = get(cached_app, f"/search?{second}")
    assert again.headers["X-Cache"] == "hit"
    assert again.data == get(app, f"/search?{second}").data


def test_an_answer_other_than_200_is_shared_only_by_the_very_same_address(home):
    """A redirect may repeat the address as given (werkzeug's added slash does), so it is not shared."""
    application = create_app({"CATALOGUE_HOME": str(home), "TESTING": True, "RESPONSE_CACHE_ENTRIES": 16})
    application.add_url_rule("/again", view_func=lambda: redirect(request.full_path.replace("/again", "/search")))
    try:
        get(application, "/")  # opens the catalogue: until then there is no generation to key on
        moved = get(application, "/again?b=1&a=2")
        assert moved.status_code == 302 and moved.headers["Location"] == "/search?b=1&a=2"
        assert get(application, "/again?b=1&a=2").headers["X-Cache"] == "hit"
        other = get(application, "/again?a=2&b=1")
        assert other.headers["X-Cache"] == "miss" and other.headers["Location"] == "/search?a=2&b=1"
    finally:
        application.extensions["catalogue"].close()


def test_facet_links_built_at_once_are_the_links_built_one_by_one(app):
    queries = ["q=valves", "q=valves&status=current&page=3", "status=current&q=x&publisher=ISO&sort=date",
               "publisher=ISO&publisher=IEC&q=%E9%97%B8%E9%98%80", "decade=2010s&lang=en&zzz=1&q=a+b"]
    for query in queries:
        with app.test_request_context(f"/search?{query}"):
            for name in ("status", "publisher", "ics", "decade", "year", "committee"):
                values = ["current", "ISO", "IEC", "23.060", "2010s", "ISO/TC 153", "a&b=c"]
                links = make_add_links(name, values)
                assert links == {v: search_url(add=(name, v)) for v in values}, (query, name)


# --------------------------------------------------------------------------- a record page's dict, built once

def test_a_record_pages_dict_is_built_once_for_both_languages_and_the_twin_until_an_ingest(tmp_path):
    home = build_catalogue(tmp_path / "cat")
    application = create_app({"CATALOGUE_HOME": str(home), "TESTING": True, "RESPONSE_CACHE_ENTRIES": 64})
    try:
        get(application, "/")
        cat = application.extensions["catalogue"]
        reads = []
        real_get = cat.store.get
        cat.store.get = lambda key: reads.append(key) or real_get(key)
        zh = get(application, "/standards/iso-5208-2015", ZH)
        en = get(application, "/standards/iso-5208-2015", EN)
        twin = get(application, "/standards/iso-5208-2015.json", ZH)
        assert [a.status_code for a in (zh, en, twin)] == [200, 200, 200]
        assert reads == ["iso-5208-2015"]
        assert "检索" in zh.get_data(as_text=True) and "检索" not in en.get_data(as_text=True)
        assert twin.get_json()["key"] == "iso-5208-2015"
        # Links come from the base URL, never from the Host header (catalogue/web/baseurl.py):
        # another host gets the same page, from the same remembered dict.
        other_host = application.test_client().get("/standards/iso-5208-2015.json", base_url="http://museum.example")
        assert other_host.get_json()["permalink"] == "http://localhost/standards/iso-5208-2015"
        assert reads == ["iso-5208-2015"]
        source = tmp_path / "new.jsonl"
        source.write_text(json.dumps(NEW_RECORD) + "\n", encoding="utf-8")
        with Catalogue(home) as other:  # an ingest in another process, in effect
            assert other.ingest([source]).added == 1
        assert get(application, "/standards/iso-5208-2015.json", EN).status_code == 200
        assert reads == ["iso-5208-2015"] * 2
        assert len(application.extensions["generation_memo"]) <= 3
    finally:
        application.extensions["catalogue"].close()


def test_nothing_is_remembered_when_the_response_cache_is_off(app):
    assert app.extensions["generation_memo"].max_entries == 0


# --------------------------------------------------------------------------- headers read as the pages read them

LANGUAGE_HEADERS = ["", "zh-CN,zh;q=0.9", "zh-CN", "zh-CN,zh;q=0.9,en;q=0.8,en-GB;q=0.7,en-US;q=0.6",
                    "zh-CN,zh;q=0.8,zh-TW;q=0.7,zh-HK;q=0.5,en-US;q=0.3,en;q=0.2", "en-GB,en;q=0.9", "en",
                    "en-US,en;q=0.9,zh-CN;q=0.8", "fr-FR,fr;q=0.9", "*", "zh;q=0, en;q=0.1", ";;;,q=x", "de, zh;q=0.5"]
ACCEPT_HEADERS = ["", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/json",
                  "application/json, text/html;q=0.5", "*/*", "text/*", "application/*", "image/png", "nonsense;;q=",
                  "text/html;q=0.1, application/json;q=0.2"]


@pytest.mark.parametrize("header", LANGUAGE_HEADERS)
def test_the_language_in_the_cache_key_is_the_language_the_page_is_drawn_in(app, header):
    from catalogue.web.i18n import choose_language

    answer = app.test_client().get("/publishers/", headers={"Accept-Language": header} if header else {})
    drawn = "zh" if '<html lang="zh-Hans">' in answer.get_data(as_text=True) else "en"
    assert choose_language(header) == drawn


@pytest.mark.parametrize("header", ACCEPT_HEADERS)
def test_the_face_in_the_cache_key_is_the_face_the_page_is_drawn_in(app, header):
    from catalogue.web.render import choose_twin

    with app.test_request_context("/publishers/", headers={"Accept": header} if header else {}):
        from flask import request as current

        best = current.accept_mimetypes.best_match(["text/html", "application/json"])
    answer = app.test_client().get("/publishers/", headers={"Accept": header} if header else {})
    assert choose_twin(header) == ("json" if best == "application/json" else "html")
    assert answer.mimetype == ("application/json" if choose_twin(header) == "json" else "text/html")


def test_browsers_spelling_one_language_differently_share_a_page_and_two_languages_never_do(cached_app):
    client = cached_app.test_client()
    chinese = [h for h in LANGUAGE_HEADERS[:5]]
    answers = [client.get("/search?q=gate", headers={"Accept-Language": h} if h else {}) for h in chinese]
    assert [a.headers["X-Cache"] for a in answers] == ["miss"] + ["hit"] * (len(chinese) - 1)
    assert len({a.data for a in answers}) == 1
    english = client.get("/search?q=gate", headers={"Accept-Language": "en-US,en;q=0.9,zh-CN;q=0.8"})
    assert english.headers["X-Cache"] == "miss" and english.data != answers[0].data
    french = client.get("/search?q=gate", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert french.headers["X-Cache"] == "hit" and french.data == english.data


def test_the_server_switches_threads_every_millisecond_unless_told_otherwise():
    from catalogue.web import serve

    before = sys.getswitchinterval()
    try:
        assert serve.SWITCH_INTERVAL_MS == float(os.environ.get("CATALOGUE_SWITCH_INTERVAL_MS") or 1)
        serve.set_switch_interval(1)
        assert sys.getswitchinterval() == pytest.approx(0.001)
        serve.set_switch_interval(0)  # never zero: Python refuses it
        assert sys.getswitchinterval() == pytest.approx(0.0001)
    finally:
        sys.setswitchinterval(before)
