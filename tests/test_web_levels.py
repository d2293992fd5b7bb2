"""Level and industry on the web: search facets and filters, and a row each on the record page."""
from __future__ import annotations

from test_web_support import app, client, soup_of, text_of, web_home  # noqa: F401 - fixtures


def test_search_facets_count_levels_and_industries(client):
    # every edition (group=none); grouped, the same facets count standards, never more
    data = client.get("/search.json?q=&page_size=50&group=none").get_json()
    levels = dict(data["facets"]["level"])
    assert levels["international"] >= 20 and levels["national"] >= 5 and levels["industry"] == 1
    assert dict(data["facets"]["industry"]) == {"JB": 1}
    grouped = dict(client.get("/search.json?q=&page_size=50").get_json()["facets"]["level"])
    assert set(grouped) == set(levels) and all(0 < grouped[k] <= levels[k] for k in levels)
    assert grouped["international"] < levels["international"]


def test_filter_by_level_and_industry(client):
    hits = client.get("/search.json?q=&level=industry").get_json()["hits"]
    assert [h["designation"] for h in hits] == ["JB/T 13368-2018"]
    assert client.get("/search.json?q=&industry=JB").get_json()["hits"][0]["designation"] == "JB/T 13368-2018"
    bad = client.get("/search.json?q=&level=galactic")
    assert bad.status_code == 400
    assert bad.get_json()["error"] == ("Cannot filter by level 'galactic'; use one of: international, foreign, "
                                       "national, industry, local, group, enterprise.")


def test_facet_labels_in_both_languages(client):
    page = soup_of(client.get("/search?q="))
    group = page.select_one('section.facet[data-facet="level"]')
    assert text_of(group.select_one("h3")) == "Level"
    assert "International standards" in [text_of(x) for x in group.select(".facet-label")]
    industry = page.select_one('section.facet[data-facet="industry"]')
    assert [text_of(x) for x in industry.select(".facet-label")] == ["Mechanical Engineering"]
    zh = soup_of(client.get("/search?q=", headers={"Accept-Language": "zh"}))
    assert text_of(zh.select_one('section.facet[data-facet="level"] h3')) == "标准层级"
    assert [text_of(x) for x in zh.select('section.facet[data-facet="industry"] .facet-label')] == ["机械"]


def test_record_page_shows_level_and_industry(client):
    page = soup_of(client.get("/standards/jb-t-13368-2018"))
    rows = {text_of(dt): text_of(dt.find_next_sibling("dd")) for dt in page.select("dl dt")}
    assert rows["Level"] == "Industry standards" and rows["Industry"] == "Mechanical Engineering (JB)"
    assert page.select_one('a[href="/search?level=industry"]') is not None
    zh = soup_of(client.get("/standards/jb-t-13368-2018", headers={"Accept-Language": "zh"}))
    rows = {text_of(dt): text_of(dt.find_next_sibling("dd")) for dt in zh.select("dl dt")}
    assert rows["标准层级"] == "行业标准" and rows["行业"] == "机械 (JB)"
    data = client.get("/standards/jb-t-13368-2018.json").get_json()
    assert (data["level"], data["industry"]) == ("industry", "JB")
    iso = client.get("/standards/iso-5208-2015.json").get_json()
    assert (iso["level"], iso["industry"]) == ("international", None)
