"""Every route and its JSON twin through the Flask test client, on the fixture catalogue."""
from __future__ import annotations

import csv
import io

from lxml import etree

from test_web_support import RECORDS, app, client, soup_of, text_of, web_home  # noqa: F401 - fixtures

ATOM = "{http://www.w3.org/2005/Atom}"


# ---------------------------------------------------------------- home
def test_home_shows_search_box_charts_recent_and_entry_points(client):
    page = soup_of(client.get("/"))
    assert text_of(page.h1) == "Find a standard"
    box = page.select_one("form[role=search]")
    assert box["action"] == "/search" and box["method"] == "get"
    assert text_of(page.select_one("label[for=q]")) == "Search standards by number or words"
    charts = {svg["id"]: svg for svg in page.select("figure.chart svg.chart-svg")}
    assert sorted(charts) == ["chart-industry", "chart-publishers", "chart-status"]
    publishers = [(text_of(g.select_one(".bar-label")), text_of(g.select_one(".bar-value"))) for g in charts["chart-publishers"].select("g.bar")]
    assert publishers == [("ISO", "20"), ("GB", "5"), ("IEC", "3"), ("EN", "1"), ("JB", "1"), ("T/ZZB", "1")]
    # One bar per industry standard system, counting what the system lists (as its page does).
    industries = [(text_of(g.select_one(".bar-label")), text_of(g.select_one(".bar-value")), g.a["href"])
                  for g in charts["chart-industry"].select("g.bar")]
    assert industries == [("Valves", "2", "/systems/valves")]
    system_page = soup_of(client.get("/systems/valves"))
    assert text_of(system_page.select_one(".system-health .summary")).startswith("0 of 2 listed standards")
    # The "Others" publisher bar leads to the publishers page at the first publisher it leaves out.
    assert [g.a["href"] for g in charts["chart-publishers"].select("g.bar")][0] == "/search?publisher=ISO"
    statuses = [text_of(g.select_one(".bar-label")) for g in charts["chart-status"].select("g.bar")]
    assert statuses == ["Current", "Replaced", "Withdrawn"]
    assert charts["chart-status"].title.string == "Records by status"
    recent = page.select(".recent-list li")
    assert len(recent) == 10
    assert text_of(recent[0].select_one(".when")).startswith("added ")
    links = [a["href"] for a in page.select(".entry-points a")]
    assert links == ["/ics/", "/ccs/", "/publishers/", "/committees/"]


def test_home_json_twin_by_suffix_and_by_accept_header(client):
    data = client.get("/index.json").get_json()
    assert data["records"] == RECORDS
    assert data["by_status"] == [["current", 18], ["replaced", 12], ["withdrawn", 1]]
    assert [(i["system"], i["count"], i["current"], i["url"]) for i in data["by_industry"]] == [
        ("valves", 2, 2, "/systems/valves")]
    assert data["by_industry"][0]["count"] == client.get("/systems/valves.json").get_json()["total"]
    by_header = client.get("/", headers={"Accept": "application/json"})
    assert by_header.mimetype == "application/json"
    assert by_header.get_json()["records"] == RECORDS


# ---------------------------------------------------------------- search
def test_search_by_designation_lists_the_work_with_edition_in_force_first(client):
    page = soup_of(client.get("/search?q=ISO+5208&group=none"))
    hits = page.select("li.hit")
    assert [text_of(h.select_one(".hit-designation")) for h in hits] == [
        "ISO 5208:2015", "ISO 5208:2008", "ISO 5208:1993", "ISO 5208:1982"]
    first = hits[0]
    assert first.select_one(".hit-designation a")["href"] == "/standards/iso-5208-2015"
    # A current hit carries one badge; hits show their dates and what replaced them.
    assert [text_of(b) for b in first.select(".badge")] == ["Current"]
    assert [text_of(w) for w in first.select(".hit-meta .when")] == ["published Jun 2015"]
    assert text_of(first.select_one(".hit-title")) == "Industrial valves - Pressure testing of metallic valves"
    assert first.select_one(".hit-successor") is None
    assert text_of(hits[3].select_one(".badge")) == "Withdrawn"
    assert text_of(hits[1].select_one(".hit-successor")) == "Replaced by ISO 5208:2015"
    assert hits[1].select_one(".hit-successor a")["href"] == "/standards/iso-5208-2015"
    assert text_of(page.select_one(".result-count")) == "4 standards match “ISO 5208”."
    grouped = soup_of(client.get("/search?q=ISO+5208"))
    assert [text_of(h) for h in grouped.select("li.hit .hit-designation")] == ["ISO 5208:2015"]
    assert text_of(grouped.select_one(".result-count")) == "1 standard matches “ISO 5208”."


def test_search_json_twin_follows_the_contract(client):
    data = client.get("/search.json?q=ISO+5208&group=none").get_json()
    assert data["query"] == "ISO 5208"
    assert data["total"] == 4
    assert [h["key"] for h in data["hits"]] == ["iso-5208-2015", "iso-5208-2008", "iso-5208-1993", "iso-5208-1982"]
    assert set(data["hits"][0]) == {"key", "designation", "titles", "status", "publisher", "year", "score",
                                    "snippet", "in_force", "url", "dates", "type", "replaced_by", "kind"}
    grouped = client.get("/search.json?q=ISO+5208").get_json()
    assert (grouped["total"], grouped["counts"], grouped["hits"][0]["group"]["count"]) == (1, "standards", 4)
    assert grouped["understood"][0]["kind"] == "work" and grouped["not_held"] == []
    assert data["hits"][1]["replaced_by"] == [{"designation": "ISO 5208:2015", "key": "iso-5208-2015",
                                               "status": "current", "url": "/standards/iso-5208-2015"}]
    assert data["facets"]["status"] == [["replaced", 2], ["current", 1], ["withdrawn", 1]]
    assert (data["page"], data["pages"], data["page_size"], data["sort"], data["filters"]) == (1, 1, 20, "relevance", {})
    assert data["suggestion"] is None


def test_search_highlights_words_with_mark_only(client):
    page = soup_of(client.get("/search?q=circuit+breakers"))
    marks = [m.get_text() for m in page.select("li.hit .hit-title mark")]
    assert marks[:2] == ["Circuit", "breakers"]


def test_facet_link_adds_a_filter_and_the_chip_removes_it(client):
    page = soup_of(client.get("/search?q=valves"))
    status_facet = page.select_one('section.facet[data-facet="status"]')
    current = status_facet.select_one('a.facet-value[data-value="current"]')
    assert text_of(current.select_one(".facet-label")) == "Current"
    # A facet link lands on the results (#results, focusable), not on the top of the page.
    assert current["href"] == "/search?q=valves&status=current#results"
    filtered = soup_of(client.get(current["href"]))
    assert filtered.select_one("#results")["tabindex"] == "-1"
    chips = filtered.select(".active-filters a.chip")
    assert [c["data-filter"] for c in chips] == ["status=current"]
    assert text_of(chips[0].select_one(".chip-label")) == "Status: Current"
    assert chips[0]["href"] == "/search?q=valves#results"
    assert text_of(filtered.select_one("summary.facets-summary")) == "Refine (1 filter on)"
    statuses = {text_of(h.select_one(".badge")) for h in filtered.select("li.hit")}
    assert statuses == {"Current"}
    active = filtered.select_one('section.facet[data-facet="status"] a.facet-value.active')
    assert active["data-value"] == "current" and active["aria-current"] == "true"


def test_did_you_mean_offers_the_corrected_words(client):
    page = soup_of(client.get("/search?q=Spectacle+frams"))
    link = page.select_one("#did-you-mean")
    assert text_of(link) == "Spectacle frames"
    assert link["href"] == "/search?q=Spectacle+frames"


def test_sort_and_paging(client):
    page = soup_of(client.get("/search?sort=designation&group=none&page_size=5&page=2"))
    assert [text_of(h.select_one(".hit-designation")) for h in page.select("li.hit")] == [
        "GB/T 14048.2-2020", "IEC 60947-2:2016", "IEC 60947-2:2016/AMD1:2019", "IEC 60947-2:2024", "ISO 2418:2023"]
    assert page.select_one("ol.hits")["start"] == "6"
    nav = page.select_one("nav.pagination")
    assert nav.select_one("a[rel=prev]")["href"] == "/search?sort=designation&group=none&page_size=5#results"
    assert nav.select_one("a[rel=next]")["href"] == "/search?sort=designation&group=none&page_size=5&page=3#results"
    assert text_of(nav.select_one("[aria-current=page]")) == "2"
    assert page.select_one("#sort option[selected]")["value"] == "designation"
    assert "Page 2 of 7." in text_of(page.select_one(".result-count"))


def test_empty_search_lists_everything_with_facets(client):
    data = client.get("/search.json?group=none").get_json()
    assert data["total"] == RECORDS
    assert data["facets"]["publisher"][0] == ["ISO", 20]
    grouped = client.get("/search.json").get_json()
    assert grouped["total"] == 17  # standards: the 31 records' works, supplements under their base
    assert grouped["facets"]["publisher"][0] == ["ISO", 10]


# ---------------------------------------------------------------- standard pages
def test_standard_page_shows_every_field(client):
    page = soup_of(client.get("/standards/iso-5208-2015"))
    assert text_of(page.h1) == "ISO 5208:2015"
    assert text_of(page.select_one(".standard-title")) == "Industrial valves - Pressure testing of metallic valves"
    assert page.select_one("#not-in-force") is None
    # Every title, the reader's language first, one click away.
    assert text_of(page.select_one("details.all-titles summary")) == "The title in 2 languages"
    titles = [(text_of(r.th), text_of(r.td)) for r in page.select("details.all-titles table.titles tbody tr")]
    assert titles == [
        ("English", "Industrial valves - Pressure testing of metallic valves"),
        ("French", "Robinetterie industrielle - Essais sous pression des appareils de robinetterie métalliques"),
    ]
    assert [text_of(w) for w in page.select(".standard-status .when")] == ["published Jun 2015"]
    facts = dict(zip([text_of(d) for d in page.select(".facts dt")], [text_of(d) for d in page.select(".facts dd")]))
    # Codes with their names (from the store's classifications and committees tables).
    assert facts["Publisher"] == "ISO International Organization for Standardization"
    assert facts["Document type"] == "International Standard"
    assert facts["Published"] == "Jun 2015"
    assert facts["Edition"] == "4"
    assert facts["ICS"] == "23.060.01 Valves in general"
    assert facts["Committee"] == "ISO/TC 153 Valves"
    assert facts["Languages"] == "English, French"
    assert "Key" not in facts and "iso-5208-2015" not in text_of(page.select_one(".facts"))
    # No internal key shown, except as the citation key in the cite panel.
    assert text_of(page.select_one(".cite-panel .citation-key")) == "iso-5208-2015"
    assert page.select_one("#publisher-page")["href"] == "https://www.iso.org/search.html?q=ISO+5208%3A2015"
    timeline = page.select("ol.timeline li")
    assert [text_of(li.select_one(".timeline-year")) for li in timeline] == ["1982", "1993", "2008", "2015"]
    assert "this" in timeline[-1]["class"] and "in-force" in timeline[-1]["class"]
    assert timeline[0].a["href"] == "/standards/iso-5208-1982"
    holdings = [[text_of(td) for td in tr.select("td")] for tr in page.select("table.holdings tbody tr")]
    assert holdings == [["paper", "ISO-V-0153", "reading room", "English edition"]]
    # Provenance sits one click away, in a disclosure.
    assert page.select_one("details.provenance table.provenance") is not None
    provenance_fields = [text_of(tr.td) for tr in page.select("table.provenance tbody tr")]
    assert "Status" in provenance_fields and "Title (English)" in provenance_fields and "Title (French)" in provenance_fields
    assert {text_of(tr.select("td")[1]) for tr in page.select("table.provenance tbody tr")} == {"catalogue-jsonl:catalogue.jsonl"}
    exports = {text_of(a): a["href"] for a in page.select(".exports a")}
    assert exports == {"JSON": "/standards/iso-5208-2015.json", "CSV": "/standards/iso-5208-2015.csv",
                       "RIS": "/standards/iso-5208-2015.ris", "BibTeX": "/standards/iso-5208-2015.bib",
                       "GB/T 7714": "/standards/iso-5208-2015.gb7714"}
    assert page.select_one("#permalink")["value"] == "http://localhost/standards/iso-5208-2015"
    relations = [text_of(li) for li in page.select('[data-relation="replaces"]')]
    assert relations == ["Replaces: ISO 5208:2008 Replaced"]


def test_replaced_edition_has_a_banner_linking_to_its_successor(client):
    page = soup_of(client.get("/standards/iso-5208-2008"))
    banner = page.select_one("#not-in-force")
    assert text_of(banner.select_one(".banner-status")) == "This edition has been replaced."
    link = banner.select_one("#replaced-by-link")
    # The successor with its title.
    assert text_of(banner.select_one(".replaced-by")) == (
        "Replaced by ISO 5208:2015 Industrial valves - Pressure testing of metallic valves")
    assert link["href"] == "/standards/iso-5208-2015"
    assert banner.select_one("#in-force-link") is None  # the successor is the edition in force


def test_withdrawn_edition_names_successor_and_edition_in_force(client):
    banner = soup_of(client.get("/standards/iso-5208-1982")).select_one("#not-in-force")
    assert text_of(banner.select_one(".banner-status")) == "This standard was withdrawn on Jan 1993."
    assert banner.select_one("#replaced-by-link")["href"] == "/standards/iso-5208-1993"
    assert text_of(banner.select_one(".in-force-now")) == "The edition in force is ISO 5208:2015"
    assert banner.select_one("#in-force-link")["href"] == "/standards/iso-5208-2015"


def test_adoptions_both_ways_with_degree(client):
    gb = soup_of(client.get("/standards/gb-t-13927-2022"))
    rows = [[text_of(td) for td in tr.select("td")] for tr in gb.select("table.adoptions tbody tr")]
    assert rows == [["Adopts", "ISO 5208:2015", "MOD (modified)"]]
    assert gb.select_one("table.adoptions a")["href"] == "/standards/iso-5208-2015"
    iso = soup_of(client.get("/standards/iso-5208-2015"))
    rows = [[text_of(td) for td in tr.select("td")] for tr in iso.select("table.adoptions tbody tr")]
    assert rows == [["Adopted by", "GB/T 13927-2022", "MOD (modified)"]]


def test_amendments_are_listed_on_their_base_edition(client):
    page = soup_of(client.get("/standards/iec-60947-2-2016"))
    section = page.select_one("#h-supplements").parent
    assert [text_of(li) for li in section.select("li")] == ["Amended by: IEC 60947-2:2016/AMD1:2019 Replaced"]


def test_standard_json_twin_is_the_show_contract_plus_context(client):
    data = client.get("/standards/gb-t-13927-2022.json").get_json()
    for name in ("key", "work", "designation", "publisher", "status", "titles", "dates", "ics", "ccs", "committee",
                 "edition", "relations", "holdings", "provenance"):
        assert name in data
    assert data["titles"] == {"en": "Industrial valves - Pressure testing", "zh": "工业阀门 压力试验"}
    assert data["dates"] == {"published": "2022-12-30", "in_force": "2023-07-01", "withdrawn": None}
    assert data["ccs"] == "J16" and data["committee"] == "SAC/TC 188"
    assert data["edition_in_force"] == "gb-t-13927-2022"
    assert [(e["key"], e["this"], e["in_force"]) for e in data["editions"]] == [
        ("gb-t-13927-2008", False, False), ("gb-t-13927-2022", True, True)]
    assert data["banner"] is None
    assert data["cited_by_schemes"] == []
    assert [(s["id"], s["node"]) for s in data["systems"]] == [("valves", "1")]
    assert len(data["holdings"]) == 2


def test_chinese_standard_page_in_chinese(client):
    page = soup_of(client.get("/standards/gb-t-13927-2008", headers={"Accept-Language": "zh-CN,zh;q=0.9"}))
    assert text_of(page.select_one(".standard-title")) == "工业阀门 压力试验"
    assert page.select_one(".standard-title")["lang"] == "zh"
    banner = page.select_one("#not-in-force")
    # The platforms' idiom: "被 X 代替", with the successor's title.
    assert text_of(banner.select_one(".replaced-by")) == "被 GB/T 13927-2022 代替 工业阀门 压力试验"
    assert text_of(page.select_one(".standard-status .badge")) == "被代替"
    facts = dict(zip([text_of(d) for d in page.select(".facts dt")], [text_of(d) for d in page.select(".facts dd")]))
    assert facts["发布日期"] == "2008"  # only the year is known: the fixture gives no day
    assert facts["实施日期"] == "2009年7月1日"
    assert facts["废止日期"] == "2023年7月1日"
    assert facts["CCS"] == "J16 阀门"
    assert facts["标准号"] == "GB/T 13927-2008" and facts["文件类型"] == "推荐性标准"
    # Chinese title first on a Chinese page, the English one under it.
    assert text_of(page.select_one(".standard-title-other")) == "Industrial valves - Pressure testing"
    assert page.select_one("#publisher-page")["href"] == (
        "https://openstd.samr.gov.cn/bzgk/std/std_list?p.p1=0&p.p2=GB%2FT+13927-2008&p.p90=circulation_date&p.p91=desc")


def test_work_key_redirects_to_the_edition_in_force(client):
    response = client.get("/standards/iso-5208")
    assert response.status_code == 302
    assert response.headers["Location"] == "/standards/iso-5208-2015?from=iso-5208"
    page = soup_of(client.get(response.headers["Location"]))
    assert text_of(page.select_one(".resolved-note")) == "You asked for “iso-5208”; this is the record it leads to."
    twin = client.get("/standards/iec-60947-2.json")
    assert twin.status_code == 302
    assert twin.headers["Location"] == "/standards/iec-60947-2-2024.json?from=iec-60947-2"
    assert client.get(twin.headers["Location"]).get_json()["resolved_from"] == "iec-60947-2"


def test_a_designation_typed_into_the_address_redirects(client):
    response = client.get("/standards/GB%2FT 12238-2008")
    assert response.status_code == 404  # a slash cannot be part of a key: the route does not match
    response = client.get("/standards/GBT12238-2008")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/standards/gb-t-12238-2008?")


def test_unknown_key_is_a_404_that_suggests_close_matches(client):
    response = client.get("/standards/iso-5208-2099")
    assert response.status_code == 404
    page = soup_of(response)
    assert text_of(page.select_one(".error-message")) == "There is no standard with the key 'iso-5208-2099' in the catalogue."
    suggestions = [text_of(a) for a in page.select(".suggestions a")]
    assert suggestions[:4] == ["ISO 5208:2015", "ISO 5208:2008", "ISO 5208:1993", "ISO 5208:1982"]
    data = client.get("/standards/iso-5208-2099.json").get_json()
    assert data["ok"] is False and data["status"] == 404
    assert data["suggestions"][0]["key"] == "iso-5208-2015"


# ---------------------------------------------------------------- exports
def test_ris_export(client):
    response = client.get("/standards/iso-5208-2015.ris")
    assert response.mimetype == "application/x-research-info-systems"
    assert response.headers["Content-Disposition"] == 'attachment; filename="iso-5208-2015.ris"'
    assert response.get_data(as_text=True).split("\r\n") == [
        "TY  - STAND",
        "ID  - iso-5208-2015",
        "TI  - Industrial valves - Pressure testing of metallic valves",
        "TT  - Robinetterie industrielle - Essais sous pression des appareils de robinetterie métalliques",
        "CN  - ISO 5208:2015",
        "PB  - ISO",
        "PY  - 2015",
        "DA  - 2015/06",
        "ET  - 4",
        "A2  - ISO/TC 153",
        "KW  - 23.060.01",
        "N1  - Status: current",
        "UR  - http://localhost/standards/iso-5208-2015",
        "ER  - ",
        "",
    ]


def test_bibtex_export(client):
    response = client.get("/standards/gb-t-14048.2-2020.bib")
    assert response.mimetype == "application/x-bibtex"
    assert response.get_data(as_text=True) == (
        "@misc{gb-t-14048.2-2020,\n"
        "  title = {Low-voltage switchgear and controlgear - Part 2: Circuit-breakers},\n"
        "  titleaddon = {低压开关设备和控制设备 第2部分：断路器},\n"
        "  number = {GB/T 14048.2-2020},\n"
        "  organization = {GB},\n"
        "  year = {2020},\n"
        "  note = {Status: current},\n"
        "  url = {http://localhost/standards/gb-t-14048.2-2020}\n"
        "}\n"
    )


def test_csv_export(client):
    response = client.get("/standards/gb-t-13927-2022.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 1
    row = rows[0]
    assert (row["designation"], row["status"], row["title_zh"], row["ccs"]) == (
        "GB/T 13927-2022", "current", "工业阀门 压力试验", "J16")
    assert row["replaces"] == "GB/T 13927-2008"
    assert row["adopts"] == "MOD ISO 5208:2015"


# ---------------------------------------------------------------- resolve, opensearch, feed
def test_resolve_redirects_any_spelling(client):
    for spelling in ("gbt13927", "GB/T 13927", "ＧＢ／Ｔ　１３９２７"):
        response = client.get("/resolve", query_string={"ref": spelling})
        assert response.status_code == 302, spelling
        assert response.headers["Location"].startswith("/standards/gb-t-13927-2022?from="), spelling
    exact = client.get("/resolve?ref=ISO+5208:2008")
    assert exact.headers["Location"] == "/standards/iso-5208-2008"


def test_resolve_lists_candidates_for_an_edition_not_catalogued(client):
    response = client.get("/resolve?ref=ISO+5208:1999")
    assert response.status_code == 200
    page = soup_of(response)
    # said plainly, as search says it, with the editions we hold under "what we know"
    assert text_of(page.select_one(".not-held-statement")) == \
        "ISO 5208:1999 is not in the catalogue: we hold other editions of it."
    assert [text_of(a) for a in page.select(".related-list dd a")][:4] == [
        "ISO 5208:2015", "ISO 5208:2008", "ISO 5208:1993", "ISO 5208:1982"]
    data = client.get("/resolve.json?ref=ISO+5208:1999").get_json()
    assert data["how"] == "none" and data["key"] is None
    assert data["not_held"]["state"] == "replaced"
    assert [r["key"] for r in data["related"] if r["why"] == "edition"][0] == "iso-5208-2015"


def test_resolve_json_names_the_record(client):
    data = client.get("/resolve.json?ref=iso5208").get_json()
    assert (data["key"], data["how"], data["url"]) == ("iso-5208-2015", "in_force", "/standards/iso-5208-2015?from=iso5208")


def test_resolve_refuses_nothing_and_reports_no_match(client):
    missing = client.get("/resolve.json")
    assert missing.status_code == 400
    assert missing.get_json()["error"] == (
        "The argument 'ref' is required: give a designation such as ISO 5208:2015 or GB/T 12238.")
    nothing = client.get("/resolve?ref=XQZ+987654")
    assert nothing.status_code == 404
    assert text_of(soup_of(nothing).select_one(".error-message")) == "Nothing in the catalogue matches 'XQZ 987654'."


def test_opensearch_description(client):
    response = client.get("/opensearch.xml")
    assert response.mimetype == "application/opensearchdescription+xml"
    root = etree.fromstring(response.data)
    ns = {"os": "http://a9.com/-/spec/opensearch/1.1/"}
    templates = {u.get("type"): u.get("template") for u in root.findall("os:Url", ns)}
    assert templates["text/html"] == "http://localhost/search?q={searchTerms}"
    assert templates["application/json"] == "http://localhost/search.json?q={searchTerms}"


def test_feed_is_atom_with_every_recent_record(client):
    response = client.get("/feed.atom")
    assert response.mimetype == "application/atom+xml"
    root = etree.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{name}") is not None, name
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == RECORDS
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == RECORDS
    for entry in entries:
        assert entry.findtext(f"{ATOM}updated").endswith("Z")
        assert entry.find(f"{ATOM}link").get("href") == entry.findtext(f"{ATOM}id")
    assert "http://localhost/standards/iso-5208-2015" in ids
    script_entry = next(e for e in entries if e.findtext(f"{ATOM}id").endswith("t-zzb-9999-2020"))
    assert script_entry.findtext(f"{ATOM}title") == "T/ZZB 9999-2020 <script>alert(1)</script> Test title"
    assert b"<script>" not in response.data


# ---------------------------------------------------------------- browse
def test_ics_tree_top_level_with_counts(client):
    page = soup_of(client.get("/ics/"))
    rows = {text_of(tr.td): text_of(tr.select("td")[2]) for tr in page.select("table.class-tree tbody tr")}
    # 01 is not in the fixture's tree: ISO 19952 also carries 01.040.61, so the code gets a row anyway.
    assert rows == {"01": "1", "11": "2", "13": "8", "23": "9", "29": "5", "43": "1", "53": "1", "59": "1", "61": "1",
                    "75": "3"}
    data = client.get("/ics.json").get_json()
    assert data["node"] is None
    # The fixture's tree has no Chinese: the class name comes from catalogue.classnames.
    assert data["children"][3] == {"code": "23", "titles": {"en": "Fluid systems and components for general use",
                                   "fr": "Fluidique et composants à usage général", "zh": "流体系统和通用件"},
                                   "count": 9, "url": "/ics/23", "search": "/search?ics=23"}


def test_ics_node_with_breadcrumb_children_and_search_link(client):
    page = soup_of(client.get("/ics/23.060"))
    assert text_of(page.h1) == "23.060 Valves"
    # Breadcrumbs name the classes beside their codes.
    assert [text_of(a) for a in page.select(".breadcrumb a")] == ["ICS", "23 Fluid systems and components for general use"]
    assert text_of(page.select_one(".breadcrumb [aria-current=page]")) == "23.060 Valves"
    rows = [(text_of(tr.td), text_of(tr.select("td")[1]), text_of(tr.select("td")[2]))
            for tr in page.select("table.class-tree tbody tr")]
    assert rows == [("23.060.01", "Valves in general", "6"), ("23.060.30", "Gate valves", "0"),
                    ("23.060.99", "Other valves", "2")]
    assert text_of(page.select_one("p.count")) == "8 standards in this class. Search within this class"
    assert client.get("/ics/23.060.json").get_json()["node"]["count"] == 8


def test_ics_classes_are_named_in_chinese_for_a_chinese_reader(client):
    page = soup_of(client.get("/ics/23.060", headers={"Accept-Language": "zh-CN,zh;q=0.9"}))
    assert text_of(page.h1) == "23.060 阀门"
    rows = [(text_of(tr.td), text_of(tr.select("td")[1])) for tr in page.select("table.class-tree tbody tr")]
    assert rows == [("23.060.01", "阀门综合"), ("23.060.30", "闸阀"), ("23.060.99", "其他阀门")]


def test_ccs_classes_are_named_in_english_for_an_english_reader(client):
    page = soup_of(client.get("/ccs/J10/29"))
    assert text_of(page.h1) == "J10/29 General parts"
    assert client.get("/ccs/J10/29.json").get_json()["node"]["titles"] == {"zh": "通用零部件", "en": "General parts"}


def test_codes_missing_from_the_tree_are_placed_by_their_shape(client):
    data = client.get("/ics/01.040.json").get_json()
    assert data["node"] == {"code": "01.040", "parent": "01", "titles": {}, "notes": {}, "count": 1}
    assert [a["code"] for a in data["ancestors"]] == ["01"]
    assert [(c["code"], c["count"]) for c in data["children"]] == [("01.040.61", 1)]


def test_ccs_tree_range_groups_hold_a_slash(client):
    root = client.get("/ccs.json").get_json()
    assert [(c["code"], c["count"]) for c in root["children"]] == [("J", 4), ("K", 2)]
    group = client.get("/ccs/J10/29.json").get_json()
    assert [(c["code"], c["count"], c["search"]) for c in group["children"]] == [
        ("J15", 0, "/search?ccs=J15"), ("J16", 3, "/search?ccs=J16")]
    assert group["search"] is None  # range groups are browse-only
    page = soup_of(client.get("/ccs/J10/29", headers={"Accept-Language": "zh"}))
    assert text_of(page.h1) == "J10/29 通用零部件"


def test_unknown_class_code_is_a_404(client):
    response = client.get("/ics/99.999")
    assert response.status_code == 404
    assert response.get_json() is None
    assert client.get("/ics/99.999.json").get_json()["error"] == "There is no ICS code '99.999' in the catalogue."


def test_publishers_and_committees(client):
    pubs = client.get("/publishers.json").get_json()["publishers"]
    assert [(p["publisher"], p["count"]) for p in pubs][:3] == [("ISO", 20), ("GB", 5), ("IEC", 3)]
    assert pubs[0]["search"] == "/search?publisher=ISO"
    page = soup_of(client.get("/committees/"))
    rows = [[text_of(td) for td in tr.select("td")] for tr in page.select("table.committees tbody tr")]
    assert rows[0] == ["IEC/SC 121A", "Low-voltage switchgear and controlgear", "3"]
    assert ["ISO/TC 153", "Valves", "7"] in rows
    assert rows[-1][0] == "SAC/TC 189" and rows[-1][2] == "2"
    assert page.select_one("table.committees a")["href"] == "/search?committee=IEC/SC+121A"


def test_opensearch_suggestions_for_the_search_bar(client):
    response = client.get("/suggest?q=iso+52")
    assert response.mimetype == "application/x-suggestions+json"
    prefix, found = response.get_json(force=True)
    assert prefix == "iso 52"
    assert found == ["ISO 5208:1982", "ISO 5208:1993", "ISO 5208:2008", "ISO 5208:2015"]
    assert client.get("/suggest?q=").get_json(force=True) == ["", []]


def test_systems_and_schemes_that_include_or_cite_a_standard(client):
    data = client.get("/standards/iec-60947-2-2016.json").get_json()
    assert data["cited_by_schemes"] == [{"id": "mccb", "titles": {
        "en": "Moulded-case circuit-breakers benchmarking scheme", "zh": "塑料外壳式断路器对标方案"}, "url": "/schemes/mccb"}]
    page = soup_of(client.get("/standards/iso-5208-2008"))
    items = [text_of(li) for li in page.select("#h-systems + ul li")]
    assert items == ["Included in the system Valves industry standard system category 1"]
    assert page.select_one("#h-systems + ul a")["href"] == "/systems/valves"
    assert client.get("/standards/iso-10434-2020.json").get_json()["systems"] == []


# ---------------------------------------------------------------- issue 15: browsing, facets, footer
def test_ics_root_counts_each_classified_standard_once(client):
    data = client.get("/ics.json").get_json()
    # ISO 19952 carries codes in two fields (01 and 53): it counts under each field, once at the root.
    assert sum(c["count"] for c in data["children"]) == 32
    assert data["count"] == 31
    page = soup_of(client.get("/ics/"))
    assert text_of(page.select_one("p.count")).startswith("31 classified standards.")


def test_an_ics_leaf_lists_its_standards(client):
    page = soup_of(client.get("/ics/23.060.01"))
    hits = page.select("#results li.hit")
    # one hit per standard, the edition in force shown, the others folded
    assert [text_of(h.select_one(".hit-designation")) for h in hits] == ["GB/T 13927-2022", "ISO 5208:2015"]
    assert text_of(hits[0].select_one(".hit-editions summary")) == "2 editions"
    data = client.get("/ics/23.060.01.json").get_json()
    assert (data["standards"]["total"], data["standards"]["pages"]) == (2, 1)
    # An inner node lists subdivisions, not standards; an empty leaf says so.
    assert client.get("/ics/23.060.json").get_json()["standards"] is None
    empty = soup_of(client.get("/ics/23.060.30"))
    assert text_of(empty.select_one("main p:last-of-type")) == "The catalogue holds no standard in this class yet."


def test_a_truncated_facet_links_to_an_html_page_of_all_its_values(client):
    page = soup_of(client.get("/search"))
    more = page.select_one('section.facet[data-facet="year"] .facet-more a')
    assert text_of(more) == "Show all (6 more)"  # amendments count under their own year
    assert more["href"] == "/search/facets/year"
    assert "JSON" not in text_of(page.select_one("#filters"))
    every = soup_of(client.get("/search/facets/year?publisher=ISO"))
    assert text_of(every.h1) == "Every value of “Year”"
    values = every.select("ul.facet-all a.facet-value")
    assert values[0]["href"].startswith("/search?publisher=ISO&year=") and values[0]["href"].endswith("#results")
    assert client.get("/search/facets/year.json").get_json()["facet"] == "year"
    assert client.get("/search/facets/colour").status_code == 404


def test_facet_values_are_words_not_codes(client):
    zh = soup_of(client.get("/search", headers={"Accept-Language": "zh-CN"}))

    def labels(name):
        return [text_of(a.select_one(".facet-label")) for a in zh.select(f'section.facet[data-facet="{name}"] a')]

    assert labels("decade")[:2] == ["2020年代", "2010年代"]
    # standards counted (IEC 60947-2's three editions count once, as EN ISO 4126-1 does)
    assert labels("publisher")[:4] == ["ISO 国际标准化组织", "GB 中国国家标准", "EN", "IEC 国际电工委员会"]
    assert labels("language") == ["英语", "法语", "中文"]
    assert labels("committee")[0] == "ISO/TC 153 Valves"
    assert labels("status") == ["现行", "被代替", "废止"]


def test_the_footer_offers_one_discreet_json_link(client):
    page = soup_of(client.get("/ics/23.060"))
    assert [a["href"] for a in page.select(".site-footer a.twin-link")] == ["/ics/23.060.json"]
    assert "add .json" not in text_of(page.select_one(".site-footer"))
    assert soup_of(client.get("/")).select_one(".twin-link")["href"] == "/index.json"
    assert soup_of(client.get("/search?q=valves")).select_one(".twin-link")["href"] == "/search.json?q=valves"
    # A record page's cite panel already offers the JSON among its exports.
    record = soup_of(client.get("/standards/iso-5208-2015"))
    assert record.select_one(".twin-link") is None
    assert len([a for a in record.select("a") if a.get("type") == "application/json"]) == 1


def test_publishers_are_named_and_the_others_bar_has_a_place_to_land(client):
    page = soup_of(client.get("/publishers/"))
    rows = [[text_of(td) for td in tr.select("td")] for tr in page.select("table.publishers tbody tr")]
    assert rows[0] == ["ISO", "International Organization for Standardization", "20"]
    assert rows[2] == ["IEC", "International Electrotechnical Commission", "3"]
