"""What a number means, one hit per standard, and the same answer everywhere (issue 12).

On the web test catalogue (tests/data/web: 31 real records): a dated designation finds that
edition, an undated one the standard (edition in force first, the others folded), a part-less
number its parts with the series record beside them, and a designation not held is said to be
not held, with what we know of it, never answered with other standards. The web page, its JSON
twin, `catalogue search`, /resolve, /suggest and the reference checker agree on held, not held
and series.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from catalogue.cli import main as cli
from catalogue.refcheck import check_text
from catalogue.edges.service import Catalogue
from test_web_support import app, client, soup_of, text_of, web_home  # noqa: F401 - fixtures


@pytest.fixture(scope="module")
def cat(web_home):
    with Catalogue(web_home) as catalogue:
        yield catalogue


def keys(result) -> list[str]:
    return [hit["key"] for hit in result.hits]


# --- Deliver 1: what a number means ------------------------------------------------------------

def test_dated_designation_finds_that_edition_with_the_others_folded(cat):
    result = cat.search("ISO 5208:2008")
    assert keys(result) == ["iso-5208-2008"]
    hit = result.to_json()["hits"][0]
    assert hit["exact"] is True
    assert [m["key"] for m in hit["group"]["members"]] == ["iso-5208-2015", "iso-5208-1993", "iso-5208-1982"]
    assert (hit["group"]["count"], hit["group"]["editions"]) == (4, 4)


def test_undated_designation_finds_the_edition_in_force_first(cat):
    result = cat.search("ISO 5208")
    assert keys(result) == ["iso-5208-2015"]
    assert result.meanings[0].kind == "work"
    assert result.meanings[0].standing.state == "current"


def test_supplements_fold_under_their_standard_and_carry_their_own_year(cat):
    result = cat.search("ISO 20345")
    assert keys(result) == ["iso-20345-2021"]
    members = result.hits[0]["group"]["members"]
    amendment = next(m for m in members if m["kind"] == "amendment")
    assert (amendment["designation"], amendment["year"]) == ("ISO 20345:2021/Amd 1:2024", "2024")
    assert result.hits[0]["group"]["amendments"] == 1


@pytest.mark.parametrize("text, parts", [
    ("IEC 60947", ["iec-60947-2-2024"]),
    ("GB/T 14048", ["gb-t-14048.2-2020"]),
    ("ISO 4126", ["iso-4126-1-2013"]),
])
def test_part_less_number_finds_its_parts(cat, text, parts):
    result = cat.search(text)
    assert keys(result) == parts
    assert result.meanings[0].kind == "series"
    assert result.meanings[0].standing.state == "series"
    assert result.to_json()["series"][0]["designation"] == text


@pytest.mark.parametrize("text", ["GB/T 99999", "API 6D", "ASME B16.34", "IEC 63999", "GB/T 1234-2000"])
def test_designation_not_held_never_brings_back_other_standards(cat, text):
    data = cat.search(text).to_json()
    assert data["hits"] == [] and data["total"] == 0
    assert [item["designation"] for item in data["not_held"]] == [text]
    assert data["understood"][0]["kind"] == "not_held"


def test_not_held_edition_offers_the_editions_we_hold_and_what_adopted_it(cat):
    data = cat.search("IEC 60947-2:2006").to_json()
    assert data["hits"] == []
    assert data["not_held"][0]["lookup"]["site"] == "iec"
    related = {(r["why"], r.get("designation") or r.get("id"), r.get("degree")) for r in data["related"]}
    assert ("edition", "IEC 60947-2:2024", None) in related
    assert ("edition", "IEC 60947-2:2016", None) in related
    assert ("adopted_by", "GB/T 14048.2-2008", "IDT") in related


def test_not_held_series_lists_the_schemes_citing_its_parts(cat):
    # GB/T 14048 is held (as parts); GB/T 14048.1 is not, and the mccb scheme cites GB/T 14048.2 only
    data = cat.search("GB/T 14048.1").to_json()
    assert data["not_held"][0]["lookup"]["site"] == "openstd"
    assert ("close", "GB/T 14048.2-2020") in {(r["why"], r.get("designation")) for r in data["related"]}


def test_mixed_query_answers_the_words_beside_the_designation_not_held(cat):
    data = cat.search("API 6D 阀门").to_json()
    assert [item["designation"] for item in data["not_held"]] == ["API 6D"]
    assert data["hits"] and all("api" not in hit["key"] for hit in data["hits"])
    assert {"iso-5208-2015", "gb-t-13927-2022"} <= {hit["key"] for hit in data["hits"]}


def test_designation_held_and_words(cat):
    assert keys(cat.search("GB/T 13927 阀门"))[0] == "gb-t-13927-2022"


# --- Deliver 2: one hit per standard ---------------------------------------------------------------

def test_words_give_one_hit_per_standard_and_counts_of_standards(cat):
    grouped = cat.search("valves")
    every = cat.search("valves", group="none")
    assert len(keys(grouped)) == len(set(h["work"] for h in grouped.hits))
    assert grouped.total < every.total
    assert "iso-5208-2008" in keys(every) and "iso-5208-2008" not in keys(grouped)
    assert dict(grouped.facets["publisher"])["ISO"] == len([h for h in grouped.hits if h["publisher"] == "ISO"])
    assert grouped.to_json()["counts"] == "standards"
    assert every.to_json()["counts"] == "editions"


def test_group_none_lists_every_edition(cat):
    assert keys(cat.search("ISO 5208", group="none")) == ["iso-5208-2015", "iso-5208-2008", "iso-5208-1993",
                                                          "iso-5208-1982"]


def test_filter_picks_the_representative_among_the_editions(cat):
    result = cat.search("ISO 5208", filters={"status": ["replaced"]})
    assert keys(result) == ["iso-5208-2008"]
    assert [m["key"] for m in result.hits[0]["group"]["members"]] == ["iso-5208-1993"]


def test_facet_counts_count_standards(cat):
    result = cat.search("")
    assert result.total == len({h["work"] for h in cat.search("", page_size=100).hits})
    assert dict(result.facets["publisher"])["ISO"] < dict(cat.search("", group="none").facets["publisher"])["ISO"]


# --- Deliver 4: the same answer everywhere -----------------------------------------------------------

AGREEMENT = [
    # (reference, search's kind, the standing everyone names, the checker's verdict)
    ("ISO 5208:2015", "edition", "current", "current"),
    ("ISO 5208:2008", "edition", "replaced", "superseded"),
    ("ISO 5208", "work", "current", "current"),
    ("IEC 60947", "series", "series", "ambiguous"),
    ("GB/T 14048", "series", "series", "ambiguous"),
    ("GB/T 12238", "work", "current", "current"),
    ("GB/T 99999", "not_held", "missing", "unknown"),
    ("API 6D", "not_held", "missing", "unknown"),
]


@pytest.mark.parametrize("reference, kind, state, verdict", AGREEMENT)
def test_search_json_cli_resolve_suggest_and_checker_agree(cat, client, reference, kind, state, verdict):
    web = client.get("/search.json", query_string={"q": reference}).get_json()
    assert (web["understood"][0]["kind"], web["understood"][0]["state"]) == (kind, state)
    run = CliRunner().invoke(cli, ["--home", str(cat.home), "search", reference, "--json"])
    line = json.loads(run.output)
    assert (line["understood"][0]["kind"], line["understood"][0]["state"]) == (kind, state)
    assert line["not_held"] == web["not_held"] and [h["key"] for h in line["hits"]] == [h["key"] for h in web["hits"]]
    assert run.exit_code == (1 if kind == "not_held" else 0)
    checked = check_text(cat.store, f"按 {reference} 检验")[0]
    assert checked.verdict == verdict
    resolved = client.get("/resolve.json", query_string={"ref": reference})
    suggested = client.get("/suggest", query_string={"q": reference}).get_json()[1]
    if kind in ("edition", "work"):
        assert resolved.status_code == 200 and resolved.get_json()["key"] == web["hits"][0]["key"]
        assert suggested[0] == web["hits"][0]["designation"]
    elif kind == "series":
        body = resolved.get_json()
        assert body["how"] == "series"
        assert [c["key"] for c in body["candidates"]] == [h["key"] for h in web["hits"]]
        assert suggested[:len(web["hits"])] == [h["designation"] for h in web["hits"]]
    else:
        body = resolved.get_json()
        assert body["not_held"]["designation"] == reference and body["not_held"]["state"] == "missing"
        assert body["candidates"] == []
        assert reference not in suggested


def test_search_page_says_plainly_what_is_not_held(client):
    page = soup_of(client.get("/search", query_string={"q": "IEC 60947-2:2006"}))
    assert text_of(page.select_one(".not-held-statement")) == \
        "IEC 60947-2:2006 is not in the catalogue: we hold other editions of it."
    assert page.select(".hits .hit") == []
    assert page.select_one(".not-held-lookup a")["href"].startswith("https://webstore.iec.ch/en/search?")
    related = [text_of(dd) for dd in page.select(".related-list dd")]
    assert any(item.startswith("GB/T 14048.2-2008 (IDT)") for item in related)
    assert page.select_one(".no-hits") is None


def test_search_page_in_chinese_for_a_number_not_held(client):
    page = soup_of(client.get("/search", query_string={"q": "GB/T 99999"}, headers={"Accept-Language": "zh-CN"}))
    assert text_of(page.select_one(".not-held-statement")) == "本目录未收录 GB/T 99999。"


def test_search_page_folds_editions_and_switches_to_every_edition(client):
    page = soup_of(client.get("/search", query_string={"q": "ISO 5208"}))
    assert [text_of(h) for h in page.select(".hit-designation")] == ["ISO 5208:2015"]
    assert text_of(page.select_one(".hit-editions summary")) == "4 editions"
    assert [text_of(a) for a in page.select(".hit-editions li a")] == ["ISO 5208:2008", "ISO 5208:1993",
                                                                       "ISO 5208:1982"]
    assert page.select_one("#group-none")["href"] == "/search?q=ISO+5208&group=none#results"
    every = soup_of(client.get("/search", query_string={"q": "ISO 5208", "group": "none"}))
    assert len(every.select(".hit-designation")) == 4
    assert text_of(every.select_one(".facets-note")) == "Counts are of editions."


def test_search_page_shows_the_series(client):
    page = soup_of(client.get("/search", query_string={"q": "ISO 4126"}))
    assert text_of(page.select_one(".series-statement")) == "ISO 4126 is a series: its 1 part is listed in part order."


def test_group_argument_is_checked(client):
    response = client.get("/search.json", query_string={"q": "valves", "group": "colour"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "Cannot group by 'colour'; use one of: work, none."


def test_cli_group_none_and_not_held_text(cat):
    run = CliRunner().invoke(cli, ["--home", str(cat.home), "--lang", "en", "search", "GB/T 99999"])
    assert run.exit_code == 1
    assert "GB/T 99999 is not in the catalogue." in run.output
    assert "look it up: https://openstd.samr.gov.cn/" in run.output
    every = CliRunner().invoke(cli, ["--home", str(cat.home), "search", "ISO 5208", "--group", "none", "--json"])
    assert [h["key"] for h in json.loads(every.output)["hits"]][:2] == ["iso-5208-2015", "iso-5208-2008"]
