"""Systems and schemes in the browser: lists, the tree with health bars, exports, indicator
tables, watching feeds, the standard page's links back, and the home page's entry points.

The catalogue is the shared web fixture plus, written here, a withdrawn record
(ISO 12149:1999), ISO 14313:2007 with the undated draft of its next edition, a system whose members cover every state (in force, replaced, withdrawn,
not in the catalogue) across nested nodes, and a scheme with a cell for an unlisted standard
and a value without a clause (which the reader drops).
"""
from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from lxml import etree
from openpyxl import load_workbook

from catalogue.edges.service import Catalogue
from catalogue.web import create_app
from test_web_support import build_catalogue, client, soup_of, text_of  # noqa: F401 - fixture

ATOM = "{http://www.w3.org/2005/Atom}"

EXTRA_RECORDS = [
    {"designation": "ISO 12149:1999", "status": "withdrawn",
     "titles": {"en": "Bolted bonnet steel globe valves for general-purpose applications"},
     "dates": {"published": "1999-09", "in_force": None, "withdrawn": None},
     "ics": ["23.060.10"], "committee": "ISO/TC 153"},
    {"designation": "ISO 14313:2007", "status": "current",
     "titles": {"en": "Petroleum and natural gas industries — Pipeline transportation systems — Pipeline valves"},
     "dates": {"published": "2007-12", "in_force": None, "withdrawn": None},
     "ics": ["75.200"], "committee": "ISO/TC 67/SC 2"},
    # The next edition, still a draft: undated in the ISO data, so it holds the work's own key.
    {"designation": "ISO 14313", "status": "draft",
     "titles": {"en": "Oil and gas industries including lower carbon energy — Pipeline transportation systems — Pipeline valves"},
     "dates": {"published": "2025-06", "in_force": None, "withdrawn": None},
     "ics": ["75.200"], "committee": "ISO/TC 67/SC 2"},
]
HEALTH_SYSTEM = """\
system:
  id: valves-health
  titles: {zh: 阀门试验标准体系, en: "Valve testing <b>system</b>"}
  nodes:
    - code: "1"
      titles: {zh: 试验, en: Testing}
      standards:
        - ISO 5208
        - {designation: ISO 5208:2008, note: "<i>older</i> edition"}
      children:
        - code: "1.1"
          titles: {zh: 闸阀, en: Gate valves}
          standards: [ISO 10434:2004, ISO 12149:1999, API 600]
    - code: "2"
      titles: {zh: 低压电器, en: Low-voltage apparatus}
      standards: [IEC 60947-2:2024, GB/T 14048.2-2008]
    - code: "3"
      titles: {zh: 管线阀门, en: Pipeline valves}
      standards: [ISO 14313]
"""
GATE_SCHEME = """\
scheme:
  id: gate-valves-test
  titles: {zh: 闸阀对标测试方案, en: Gate valves test scheme}
  product: {zh: 钢制闸阀, en: Steel gate valves}
  enterprise: "温州<测试>阀门有限公司"
  domestic: [GB/T 13927-2008]
  international: [ISO 10434, ISO 5208:2015]
  indicators:
    - indicator: {zh: 壳体试验合格判据, en: Shell test acceptance}
      unit: ""
      values:
        - {standard: ISO 5208:2015, clause: shell test, requirement: no visible leakage}
        - {standard: GB/T 13927-2008, value: "1.5"}
        - {standard: API 598, clause: shell test}
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    home = build_catalogue(tmp_path_factory.mktemp("websys"))
    extra = tmp_path_factory.mktemp("websys-files")
    (extra / "extra.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in EXTRA_RECORDS), encoding="utf-8")
    (extra / "systems.health.yaml").write_text(HEALTH_SYSTEM, encoding="utf-8")
    (extra / "schemes.gate.yaml").write_text(GATE_SCHEME, encoding="utf-8")
    with Catalogue(home) as cat:
        report = cat.ingest([extra / "extra.jsonl", extra / "systems.health.yaml", extra / "schemes.gate.yaml"])
    # The two problems the scheme is written to have, and nothing else.
    assert [(p.field, p.reason) for p in report.problems] == [
        ("scheme.indicators[0].values[1].value", "a value needs the clause or source it comes from; the value was dropped"),
        ("scheme.indicators[0].values[2].standard", "'API 598' is not among the scheme's domestic or international standards"),
    ]
    application = create_app({"CATALOGUE_HOME": str(home), "TESTING": True})
    yield application
    cat = application.extensions.get("catalogue")
    if cat is not None:
        cat.close()


def words_of(health) -> dict[str, str]:
    """The words beside a health bar: {'in_force': 'In force: 2', ...}."""
    return {li["data-state"]: text_of(li) for li in health.select("li.health-word")}


# ------------------------------------------------------------------ systems
def test_systems_list_names_every_system_with_its_counts(client):
    soup = soup_of(client.get("/systems/"))
    items = soup.select("li.system-item")
    assert [li["data-id"] for li in items] == ["valves", "valves-health"]
    health = items[1]
    assert text_of(health.select_one("h2 a")) == "Valve testing <b>system</b>"  # escaped, shown as text
    assert health.select_one("h2 b") is None
    assert health.select_one("h2 a")["href"] == "/systems/valves-health"
    # A summary sentence: outdated (replaced or withdrawn) among those listed, and those not held.
    assert text_of(health.select_one(".summary")) == (
        "4 of 8 listed standards are outdated. 1 is not in the catalogue.")
    assert words_of(health) == {"current": "Current: 3", "replaced": "Replaced: 3",
                                "withdrawn": "Withdrawn: 1", "missing": "Not in the catalogue: 1"}


def test_systems_list_json_twin(client):
    data = client.get("/systems.json").get_json()
    assert [(s["id"], s["members"], s["total"], s["counts"]) for s in data["systems"]] == [
        ("valves", 2, 2, {"current": 2, "upcoming": 0, "replaced": 0, "withdrawn": 0, "draft": 0, "series": 0, "missing": 0}),
        ("valves-health", 8, 8, {"current": 3, "upcoming": 0, "replaced": 3, "withdrawn": 1, "draft": 0, "series": 0, "missing": 1}),
    ]
    assert data["systems"][1]["titles"] == {"en": "Valve testing <b>system</b>", "zh": "阀门试验标准体系"}


def test_system_tree_counts_at_every_node(client):
    soup = soup_of(client.get("/systems/valves-health"))
    assert text_of(soup.select_one("h1")) == "Valve testing <b>system</b>"
    assert words_of(soup.select_one(".system-health .health")) == {
        "current": "Current: 3", "replaced": "Replaced: 3", "withdrawn": "Withdrawn: 1",
        "missing": "Not in the catalogue: 1"}
    assert text_of(soup.select_one(".system-health .summary")) == (
        "4 of 8 listed standards are outdated. 1 is not in the catalogue.")
    # One bar and legend, at the top; the categories say their counts in words.
    assert len(soup.select("svg.health-bar")) == 1 and len(soup.select("ul.health-words")) == 1
    nodes = {li["data-code"]: li for li in soup.select("li.node")}
    assert list(nodes) == ["1", "1.1", "2", "3"]
    # A node counts its own members and those below it.
    def counts(code):
        return " ".join(nodes[code].find(class_="node-counts", recursive=False).get_text().split())

    assert counts("1") == "5 standards: Current 1, Replaced 2, Withdrawn 1, Not in the catalogue 1"
    assert counts("1.1") == "3 standards: Replaced 1, Withdrawn 1, Not in the catalogue 1"
    assert counts("2") == "2 standards: Current 1, Replaced 1"
    # The child node sits inside its parent; headings go down a level with the tree.
    assert nodes["1.1"].find_parent("li", class_="node") is nodes["1"]
    assert nodes["1"].find("h3").get_text(" ", strip=True).startswith("1 Testing")
    assert nodes["1.1"].find("h4").get_text(" ", strip=True).startswith("1.1 Gate valves")


def test_system_bar_segments_are_drawn_in_proportion(client):
    soup = soup_of(client.get("/systems/valves-health"))
    svg = soup.select_one(".system-health svg.health-bar")
    rects = [(r["class"][0], int(r["x"]), int(r["width"])) for r in svg.select("rect")]
    # 200 px for 8 members: 3 -> 75, 3 -> 75, 1 -> 25, 1 -> 25.
    assert rects == [("health-empty", 0, 200), ("health-current", 0, 75), ("health-replaced", 75, 75),
                     ("health-withdrawn", 150, 25), ("health-missing", 175, 25)]
    assert svg.get("style") is None and svg["aria-hidden"] == "true"  # the words beside carry the meaning


def test_system_members_link_to_records_or_the_resolver(client):
    soup = soup_of(client.get("/systems/valves-health"))
    members = {text_of(li.select_one("a.member-link")): li for li in soup.select("li.member")}
    assert {k: (li["data-state"], li.select_one("a.member-link")["href"]) for k, li in members.items()} == {
        "ISO 5208": ("current", "/standards/iso-5208-2015"),
        "ISO 5208:2008": ("replaced", "/standards/iso-5208-2008"),
        "ISO 10434:2004": ("replaced", "/standards/iso-10434-2004"),
        "ISO 12149:1999": ("withdrawn", "/standards/iso-12149-1999"),
        "API 600": ("missing", "/resolve?ref=API+600"),
        "IEC 60947-2:2024": ("current", "/standards/iec-60947-2-2024"),
        "GB/T 14048.2-2008": ("replaced", "/standards/gb-t-14048.2-2008"),
        # Undated: the edition in force, not the undated draft of the next edition.
        "ISO 14313": ("current", "/standards/iso-14313-2007"),
    }
    replaced = members["ISO 5208:2008"]
    assert text_of(replaced.select_one(".badge")) == "Replaced"
    assert text_of(replaced.select_one(".in-force-now")) == "edition in force: ISO 5208:2015"
    assert replaced.select_one("a.in-force-link")["href"] == "/standards/iso-5208-2015"
    # Titles beside the numbers (an undated listing takes the edition in force's title).
    assert text_of(replaced.select_one(".member-title")) == "Industrial valves - Pressure testing of metallic valves"
    assert text_of(members["ISO 5208"].select_one(".member-title")) == (
        "Industrial valves - Pressure testing of metallic valves")
    assert members["API 600"].select_one(".member-title") is None
    assert text_of(replaced.select_one(".member-note")) == "<i>older</i> edition"
    assert replaced.select_one(".member-note i") is None
    assert text_of(members["ISO 5208"].select_one(".in-force-now")) == "in force as ISO 5208:2015"
    assert members["ISO 12149:1999"].select_one(".in-force-now") is None
    assert text_of(members["ISO 14313"].select_one(".in-force-now")) == "in force as ISO 14313:2007"
    assert text_of(members["API 600"].select_one(".badge")) == "Not in the catalogue"


def test_system_page_links_exports_and_feed(client):
    soup = soup_of(client.get("/systems/valves-health"))
    assert soup.select_one("#export-xlsx")["href"] == "/systems/valves-health.xlsx"
    assert soup.select_one("#export-csv")["href"] == "/systems/valves-health.csv"
    assert soup.select_one("#watch-feed")["href"] == "/systems/valves-health/feed.atom"
    assert soup.select_one('link[rel=alternate][type="application/atom+xml"][href="/systems/valves-health/feed.atom"]')


def test_system_json_twin(client):
    data = client.get("/systems/valves-health.json").get_json()
    assert data["counts"] == {"current": 3, "upcoming": 0, "replaced": 3, "withdrawn": 1, "draft": 0, "series": 0, "missing": 1}
    child = data["nodes"][0]["children"][0]
    assert child["code"] == "1.1"
    assert [(m["designation"], m["state"], m["in_force_designation"], m["url"]) for m in child["members"]] == [
        ("ISO 10434:2004", "replaced", "ISO 10434:2020", "/standards/iso-10434-2004"),
        ("ISO 12149:1999", "withdrawn", None, "/standards/iso-12149-1999"),
        ("API 600", "missing", None, "/resolve?ref=API+600"),
    ]
    assert client.get("/systems/valves-health", headers={"Accept": "application/json"}).get_json() == data


EXPORT_EN = [
    ["Node", "Path", "Designation", "State", "Status", "Edition in force", "Note"],
    ["1", "1 试验", "ISO 5208", "Current", "Current", "ISO 5208:2015", ""],
    ["1", "1 试验", "ISO 5208:2008", "Replaced", "Replaced", "ISO 5208:2015", "<i>older</i> edition"],
    ["1.1", "1 试验 / 1.1 闸阀", "ISO 10434:2004", "Replaced", "Replaced", "ISO 10434:2020", ""],
    ["1.1", "1 试验 / 1.1 闸阀", "ISO 12149:1999", "Withdrawn", "Withdrawn", "", ""],
    ["1.1", "1 试验 / 1.1 闸阀", "API 600", "Not in the catalogue", "", "", ""],
    ["2", "2 低压电器", "IEC 60947-2:2024", "Current", "Current", "IEC 60947-2:2024", ""],
    ["2", "2 低压电器", "GB/T 14048.2-2008", "Replaced", "Replaced", "GB/T 14048.2-2020", ""],
    ["3", "3 管线阀门", "ISO 14313", "Current", "Current", "ISO 14313:2007", ""],
]


def test_system_csv_export(client):
    response = client.get("/systems/valves-health.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="valves-health.csv"'
    assert response.data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows == EXPORT_EN


def test_system_xlsx_export_in_chinese(client):
    response = client.get("/systems/valves-health.xlsx?lang=zh")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="valves-health.xlsx"'
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    sheet = book["valves-health"]
    rows = [[cell if cell is not None else "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    assert rows[0] == ["节点", "路径", "标准号", "现状", "状态", "现行版本", "备注"]
    assert rows[2] == ["1", "1 试验", "ISO 5208:2008", "被代替", "被代替", "ISO 5208:2015", "<i>older</i> edition"]
    assert rows[5] == ["1.1", "1 试验 / 1.1 闸阀", "API 600", "不在本目录中", "", "", ""]
    assert rows[8] == ["3", "3 管线阀门", "ISO 14313", "现行", "现行", "ISO 14313:2007", ""]
    assert len(rows) == 9


def test_unknown_system_is_a_404_sentence(client):
    response = client.get("/systems/no-such-system.json")
    assert response.status_code == 404
    assert response.get_json() == {"ok": False, "error": "There is no standard system 'no-such-system' in the catalogue.",
                                   "status": 404}
    assert client.get("/systems/no-such-system.csv").status_code == 404
    assert client.get("/systems/" + "x" * 150).status_code == 404


# ------------------------------------------------------------------ schemes
def test_schemes_list(client):
    soup = soup_of(client.get("/schemes/"))
    # A list (not a wide table): the scheme's name, then its product, enterprise and count.
    rows = soup.select("ul.scheme-list li.scheme-item")
    assert [(r["data-id"], text_of(r.h2), [text_of(dd) for dd in r.select("dd")]) for r in rows] == [
        ("gate-valves-test", "Gate valves test scheme", ["Steel gate valves", "温州<测试>阀门有限公司", "3"]),
        ("mccb", "Moulded-case circuit-breakers benchmarking scheme", ["Moulded-case circuit-breakers", "2"]),
    ]
    assert rows[1].select_one("a")["href"] == "/schemes/mccb"
    data = client.get("/schemes.json").get_json()
    assert [(s["id"], s["standards"], s["url"]) for s in data["schemes"]] == [
        ("gate-valves-test", 3, "/schemes/gate-valves-test"), ("mccb", 2, "/schemes/mccb")]


def test_scheme_standards_with_state_and_edition_in_force(client):
    soup = soup_of(client.get("/schemes/mccb"))
    assert text_of(soup.select_one("h1")) == "Moulded-case circuit-breakers benchmarking scheme"
    assert text_of(soup.select_one("dd.product")) == "Moulded-case circuit-breakers"
    tables = {t["data-role"]: t for t in soup.select("table.scheme-standards")}
    assert list(tables) == ["domestic", "international"]
    assert text_of(soup.select_one("#h-role-international")) == "International and foreign standards"
    got = {role: [[text_of(td) for td in tr.select("td")] for tr in t.select("tbody tr")] for role, t in tables.items()}
    # Titles beside the numbers.
    title = "Low-voltage switchgear and controlgear - Part 2: Circuit-breakers"
    assert got == {"domestic": [[f"GB/T 14048.2 Current {title}", "GB/T 14048.2-2020"]],
                   "international": [[f"IEC 60947-2:2016 Replaced {title}", "IEC 60947-2:2024"]]}
    assert text_of(soup.select_one("p.summary")) == "1 of 2 cited standards is outdated."
    iec = tables["international"].select_one("tbody tr")
    assert [a["href"] for a in iec.select("a")] == ["/standards/iec-60947-2-2016", "/standards/iec-60947-2-2024"]
    assert soup.select_one("#watch-feed")["href"] == "/schemes/mccb/feed.atom"


def test_scheme_indicator_table_side_by_side(client):
    soup = soup_of(client.get("/schemes/mccb"))
    table = soup.select_one("table.indicators")
    heads = [text_of(th) for th in table.select("thead th")]
    assert heads == ["Indicator", "Unit", "GB/T 14048.2 Current", "IEC 60947-2:2016 Replaced"]
    row = table.select_one("tbody tr")
    assert text_of(row.select_one("th")) == "Rated ultimate short-circuit breaking capacity Icu 额定极限短路分断能力 Icu"
    cells = [text_of(td) for td in row.select("td")]
    assert cells == ["kA", "Clause: 短路分断能力", "Clause: rated short-circuit breaking capacities"]
    assert row.select(".value") == []  # the fixture gives clauses, never a number


def test_scheme_cells_keep_clauses_and_drop_unsourced_values(client):
    soup = soup_of(client.get("/schemes/gate-valves-test"))
    assert text_of(soup.select_one("dd.enterprise")) == "温州<测试>阀门有限公司"
    table = soup.select_one("table.indicators")
    heads = [text_of(th) for th in table.select("thead th.standard-col")]
    # API 598 is not listed by the scheme but a cell names it: it gets a column at the end.
    assert heads == ["GB/T 13927-2008 Replaced", "ISO 10434 Current", "ISO 5208:2015 Current", "API 598"]
    assert table.select("thead th.standard-col a")[3]["href"] == "/resolve?ref=API+598"
    cells = [text_of(td) for td in table.select("tbody td.cell")]
    assert cells == ["— not compared", "— not compared", "no visible leakage Clause: shell test", "Clause: shell test"]
    assert "1.5" not in text_of(table)  # the value had no clause or source: it never shows


def test_scheme_json_twin(client):
    data = client.get("/schemes/gate-valves-test.json").get_json()
    assert [(s["role"], s["designation"], s["state"], s["in_force_designation"]) for s in data["standards"]] == [
        ("domestic", "GB/T 13927-2008", "replaced", "GB/T 13927-2022"),
        ("international", "ISO 10434", "current", "ISO 10434:2020"),
        ("international", "ISO 5208:2015", "current", "ISO 5208:2015"),
    ]
    assert [c["designation"] for c in data["table"]["columns"]] == ["GB/T 13927-2008", "ISO 10434", "ISO 5208:2015", "API 598"]
    assert data["table"]["rows"][0]["cells"] == [
        None, None, {"value": "", "requirement": "no visible leakage", "clause": "shell test", "source": ""},
        {"value": "", "requirement": "", "clause": "shell test", "source": ""}]
    assert client.get("/schemes/nope.json").get_json()["error"] == "There is no benchmarking scheme 'nope' in the catalogue."


def test_scheme_page_in_chinese(client):
    soup = soup_of(client.get("/schemes/mccb?lang=zh"))
    assert text_of(soup.select_one("h1")) == "塑料外壳式断路器对标方案"
    assert text_of(soup.select_one("#h-indicators")) == "关键指标对比"
    assert [text_of(th) for th in soup.select("table.indicators thead th")][:2] == ["指标", "单位"]


# ------------------------------------------------------------------ feeds
def parse_feed(response) -> etree._Element:
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    return etree.fromstring(response.data, etree.XMLParser(resolve_entities=False, no_network=True))


def test_scheme_feed_lists_changes_since_a_date(client):
    feed = parse_feed(client.get("/schemes/mccb/feed.atom?since=2020-01-01"))
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == (
        "Changes to the standards of Moulded-case circuit-breakers benchmarking scheme since 2020-01-01")
    assert feed.findtext(f"{ATOM}updated") == "2024-09-18T00:00:00Z"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "IEC 60947-2:2024 published", "IEC 60947-2:2016 withdrawn", "GB/T 14048.2-2020 published"]
    assert [e.findtext(f"{ATOM}updated") for e in entries] == [
        "2024-09-18T00:00:00Z", "2024-09-18T00:00:00Z", "2020-09-29T00:00:00Z"]
    withdrawn = entries[1]
    assert withdrawn.findtext(f"{ATOM}summary") == "Withdrawn on 2024-09-18. Edition in force: IEC 60947-2:2024."
    assert withdrawn.find(f"{ATOM}link[@rel='alternate']").get("href") == "http://localhost/standards/iec-60947-2-2016"
    assert withdrawn.find(f"{ATOM}link[@rel='related']").get("href") == "http://localhost/standards/iec-60947-2-2024"
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == 3


def test_system_feed_and_its_default_since(client):
    feed = parse_feed(client.get("/systems/valves/feed.atom?since=2022-01-01"))
    assert [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")] == [
        "GB/T 13927-2008 withdrawn", "GB/T 13927-2022 published"]
    year_ago = (date.today() - timedelta(days=365)).isoformat()
    response = client.get("/systems/valves/feed.atom")
    assert response.headers["Cache-Control"] == "no-store"  # the window moves with the calendar
    feed = parse_feed(response)
    assert feed.findtext(f"{ATOM}title").endswith(f"since {year_ago}")
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == f"http://localhost/systems/valves/feed.atom?since={year_ago}"
    assert feed.findall(f"{ATOM}entry") == []  # the fixture's last change was in 2022


@pytest.mark.parametrize("since", ["2024-02-30", "yesterday", "2024-1-5", "20240105"])
def test_feed_refuses_a_bad_date(client, since):
    response = client.get(f"/schemes/mccb/feed.atom?since={since}", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["error"] == f"Cannot read the date '{since}' in 'since'; use a date like 2025-01-31."


def test_feed_of_an_unknown_scheme_is_a_404(client):
    assert client.get("/schemes/nope/feed.atom").status_code == 404
    assert client.get("/systems/nope/feed.atom").status_code == 404


# ------------------------------------------------------------------ links in from other pages
def test_standard_page_lists_systems_and_schemes(client):
    soup = soup_of(client.get("/standards/iso-5208-2015"))
    links = {a["href"]: text_of(a) for a in soup.select('section[aria-labelledby="h-systems"] a')}
    assert links == {"/systems/valves": "Valves industry standard system",
                     "/systems/valves-health": "Valve testing <b>system</b>",
                     "/schemes/gate-valves-test": "Gate valves test scheme"}
    data = client.get("/standards/iec-60947-2-2016.json").get_json()
    assert data["cited_by_schemes"] == [{"id": "mccb", "titles": {
        "en": "Moulded-case circuit-breakers benchmarking scheme", "zh": "塑料外壳式断路器对标方案"}, "url": "/schemes/mccb"}]


def test_home_and_navigation_lead_to_systems_schemes_and_checker(client):
    soup = soup_of(client.get("/"))
    assert soup.select_one("#entry-systems")["href"] == "/systems/"
    assert soup.select_one("#entry-schemes")["href"] == "/schemes/"
    assert soup.select_one("#entry-check")["href"] == "/check"
    nav = [a["href"] for a in soup.select("nav.site-nav a")]
    assert {"/systems/", "/schemes/", "/check"} <= set(nav)


def test_pages_have_no_inline_style_or_script(client):
    # The CSP forbids both; a bar drawn with style="width:..." would silently lose its widths.
    for url in ("/systems/", "/systems/valves-health", "/schemes/", "/schemes/gate-valves-test"):
        soup = soup_of(client.get(url))
        assert soup.select("[style]") == [] and soup.select("style") == [], url
        assert all(s.get("src") for s in soup.select("script")), url



# ------------------------------------------------------------------ the demo catalogue
@pytest.fixture(scope="module")
def demo_client(tmp_path_factory):
    from click.testing import CliRunner

    from catalogue.cli import main

    home = tmp_path_factory.mktemp("demo-web") / "home"
    result = CliRunner().invoke(main, ["--home", str(home), "init", "--demo"])
    assert result.exit_code == 0, result.output
    application = create_app({"CATALOGUE_HOME": str(home), "TESTING": True})
    c = application.test_client()
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    yield c
    application.extensions["catalogue"].close()


@pytest.mark.slow
def test_demo_systems_and_schemes_are_reachable_from_home(demo_client):
    home = soup_of(demo_client.get("/"))
    assert home.select_one("#entry-systems")["href"] == "/systems/"
    systems = demo_client.get("/systems.json").get_json()["systems"]
    found = {s["id"]: (s["total"], {k: v for k, v in s["counts"].items() if v}) for s in systems}
    # the museum's demo holds every member but JIS B 2071 and GB/T 21465, which no source we
    # could read catalogues (catalogue/demo_data/unsourced.txt): both in the valves system
    assert found == {
        "auto-parts": (20, {"current": 19, "upcoming": 1}),
        "eyewear": (13, {"current": 12, "withdrawn": 1}),
        "footwear-leather": (18, {"current": 18}),
        "low-voltage": (30, {"current": 29, "replaced": 1}),
        "valves": (55, {"current": 50, "replaced": 2, "withdrawn": 1, "missing": 2}),
    }
    schemes = demo_client.get("/schemes.json").get_json()["schemes"]
    assert [s["id"] for s in schemes] == ["mccb", "spectacle-frames", "steel-gate-valves"]
    for item in systems + schemes:
        assert demo_client.get(item["url"]).status_code == 200, item["url"]
    # ISO 14313 is listed undated; the undated draft of its next edition must not make it "replaced".
    tree = demo_client.get("/systems/valves.json").get_json()
    members = [m for n in tree["nodes"] for c in [n, *n["children"]] for m in c["members"]]
    assert [(m["state"], m["in_force_designation"]) for m in members if m["designation"] == "ISO 14313"] == [
        ("current", "ISO 14313:2007")]


def test_feed_escapes_hostile_titles(client):
    feed = parse_feed(client.get("/systems/valves-health/feed.atom?since=2007-01-01"))
    assert feed.findtext(f"{ATOM}title") == "Changes to the standards of Valve testing <b>system</b> since 2007-01-01"
    # The undated draft of ISO 14313's next edition carries a date (2025-06) but is not published.
    assert [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")] == [
        "IEC 60947-2:2024 published", "IEC 60947-2:2016 withdrawn", "GB/T 14048.2-2020 published",
        "ISO 10434:2020 published", "IEC 60947-2:2016 published", "ISO 5208:2015 published",
        "GB/T 14048.2-2008 published", "ISO 5208:2008 published", "ISO 14313:2007 published"]
    summary = feed.findall(f"{ATOM}entry")[-1].findtext(f"{ATOM}summary")
    assert summary == "Published on 2007-12. Edition in force: ISO 14313:2007."
