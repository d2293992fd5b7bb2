"""The register in the browser: the figures page, the results list and its filters, a result's
comparison table, enterprise and product pages, the review feed, CSV/XLSX exports, the links from
standard and scheme pages, and `catalogue stats`; every page and its JSON twin, in English and
Chinese. Drafts and unknown ids are the same 404.

The catalogue is the shared web fixture plus tests/data/register: two fictional enterprises
(示例), three public results (two need review: the 2014 one compared ISO 5208:2008 and
GB/T 13927-2008, the 2019 one GB/T 14048.2-2008 and IEC 60947-2:2016), a draft, and certificates.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from openpyxl import load_workbook

from catalogue.cli import main
from catalogue.edges.service import Catalogue
from catalogue.web import create_app
from test_web_support import build_catalogue, soup_of, text_of

REG = Path(__file__).parent / "data" / "register"
ATOM = "{http://www.w3.org/2005/Atom}"
VALVE_CODE = "91330324PDY00001X1"


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    home = build_catalogue(tmp_path_factory.mktemp("webreg"))
    with Catalogue(home) as cat:
        report = cat.ingest([REG / "schemes.gate-valves.yaml", REG / "register.valves.yaml",
                             REG / "register-results.csv", REG / "register-certificates.csv"])
        assert report.problems == []
    return home


@pytest.fixture(scope="module")
def app(home):
    application = create_app({"CATALOGUE_HOME": str(home), "TESTING": True})
    yield application
    cat = application.extensions.get("catalogue")
    if cat is not None:
        cat.close()


@pytest.fixture()
def client(app):
    c = app.test_client()
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-GB,en;q=0.9"
    return c


@pytest.fixture()
def zh(app):
    c = app.test_client()
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9"
    return c


@pytest.fixture(scope="module")
def ids(app) -> dict[str, str]:
    """Result, enterprise and product ids by what they are, read from the JSON twin."""
    data = app.test_client().get("/benchmarking/results.json").get_json()
    by_date = {r["date"]: r for r in data["results"]}
    with Catalogue(app.config["CATALOGUE_HOME"]) as cat:
        draft = cat.store.db.execute("SELECT id FROM benchmark_results WHERE state = 'draft'").fetchone()[0]
    return {"old": by_date["2014-05-20"]["id"], "new": by_date["2023-09-01"]["id"], "mccb": by_date["2019-06-10"]["id"],
            "draft": draft, "valves": by_date["2014-05-20"]["enterprise"]["id"],
            "electric": by_date["2019-06-10"]["enterprise"]["id"], "gate_valve": by_date["2014-05-20"]["product"]["id"]}


def figure(soup, name: str) -> list[tuple[str, str, str]]:
    return [(tr["data-code"], text_of(tr.select_one(".count")), text_of(tr.select_one(".share")))
            for tr in soup.select(f'table.figures[data-figure="{name}"] tbody tr')]


# ------------------------------------------------------------------ /benchmarking/
def test_dashboard_shows_the_pilots_figures(client, ids):
    soup = soup_of(client.get("/benchmarking/"))
    assert text_of(soup.select_one("h1")) == "Benchmarking register (对标达标)"
    assert {k: text_of(soup.select_one(f"#count-{k}")) for k in ("enterprises", "products", "results", "certificates", "needs-review")} == {
        "enterprises": "2", "products": "3", "results": "3", "certificates": "3", "needs-review": "2"}
    assert figure(soup, "review") == [("needs_review", "2", "66.7%"), ("up_to_date", "1", "33.3%")]
    assert figure(soup, "level") == [("leading", "1", "33.3%"), ("advanced", "2", "66.7%"), ("average", "0", "0%"),
                                     ("lagging", "0", "0%")]
    assert figure(soup, "year") == [("2014", "1", "33.3%"), ("2019", "1", "33.3%"), ("2023", "1", "33.3%")]
    cluster = {tr["data-code"]: text_of(tr.select_one("th")) for tr in soup.select('table.figures[data-figure="cluster"] tbody tr')}
    assert cluster == {"valves": "Valves industry standard system", "low-voltage": "low-voltage"}
    # Each chart is an SVG with a title, bars as rects, and a link per bar to the filtered list.
    svg = soup.select_one("#level-svg")
    # a chart whose bars are links is a group, not an image (axe: nested-interactive)
    assert svg["role"] == "group" and text_of(svg.select_one("title")) == "Results by level"
    assert [a["href"] for a in svg.select("a")][:2] == ["/benchmarking/results/?level=leading", "/benchmarking/results/?level=advanced"]
    assert [int(r["width"]) for r in svg.select("rect")] == [75, 150, 0, 0]
    assert [tr["data-id"] for tr in soup.select("section[aria-labelledby=h-review] tr.result-row")] == [ids["mccb"], ids["old"]]
    assert soup.select_one('link[rel=alternate][href="/benchmarking/review.atom"]')
    assert soup.select_one('nav.site-nav a[href="/benchmarking/"]')


def test_dashboard_json_twin_and_chinese(client, zh):
    data = client.get("/benchmarking.json").get_json()
    assert data["counts"] == {"enterprises": 2, "products": 3, "results": 3, "certificates": 3, "needs_review": 2}
    assert [(r["code"], r["count"], r["share"]) for r in data["by_reached"]] == [("yes", 2, 66.7), ("partly", 1, 33.3)]
    assert data["certificates_by_type"] == [{"type": "CCC", "count": 1}, {"type": "CE", "count": 1}, {"type": "浙江制造", "count": 1}]
    soup = soup_of(zh.get("/benchmarking/"))
    assert text_of(soup.select_one("h1")) == "对标达标登记"
    assert [text_of(tr.select_one("th")) for tr in soup.select('table.figures[data-figure="level"] tbody tr')] == [
        "领先", "先进", "平均", "落后"]
    assert text_of(soup.select_one("#review-svg title")) == "需复核结果的占比"
    assert zh.get("/benchmarking.json").get_json()["counts"] == data["counts"]


# ------------------------------------------------------------------ the results list
def test_results_list_and_its_filters(client, zh, ids):
    soup = soup_of(client.get("/benchmarking/results/"))
    assert text_of(soup.select_one("#results-total")) == "3 results"
    zh_soup = soup_of(zh.get("/benchmarking/results/?status=needs_review"))
    assert (text_of(zh_soup.select_one("h1")), text_of(zh_soup.select_one("#results-total"))) == ("对标结果", "2 条结果")
    assert text_of(zh_soup.select_one('.active-filters li[data-filter="status"]')) == "状态：需复核"
    assert [tr["data-id"] for tr in soup.select("tr.result-row")] == [ids["new"], ids["mccb"], ids["old"]]
    soup = soup_of(client.get("/benchmarking/results/?standard=iso-5208-2008"))
    assert [tr["data-id"] for tr in soup.select("tr.result-row")] == [ids["old"]]
    assert text_of(soup.select_one('.active-filters li[data-filter="standard"]')) == "Compared against ISO 5208:2008"
    data = client.get("/benchmarking/results.json?status=needs_review").get_json()
    assert (data["total"], [r["id"] for r in data["results"]]) == (2, [ids["mccb"], ids["old"]])
    assert client.get(f"/benchmarking/results.json?enterprise={ids['valves']}&level=leading").get_json()["total"] == 1
    assert client.get("/benchmarking/results.json?year=2019").get_json()["total"] == 1


@pytest.mark.parametrize("query, message", [
    ("status=lost", "Cannot filter by status 'lost'; use one of: published, updated, needs_review, withdrawn."),
    ("level=top", "Cannot filter by level 'top'; use one of: leading, advanced, average, lagging."),
    ("year=19", "Cannot filter by year '19'; use a year like 2019."),
    ("page_size=500", "The argument 'page_size' must be from 1 to 200 (the cap is 200 results per page); 500 is out of range."),
])
def test_bad_filters_are_400_naming_the_choices(client, query, message):
    response = client.get(f"/benchmarking/results.json?{query}")
    assert response.status_code == 400
    assert response.get_json() == {"ok": False, "error": message, "status": 400}


# ------------------------------------------------------------------ a result
def test_result_page_compares_our_values_with_the_standards(client, ids):
    soup = soup_of(client.get(f"/benchmarking/results/{ids['old']}"))
    assert text_of(soup.select_one("h1")) == "Benchmarking result: Steel gate valve"
    assert [text_of(li) for li in soup.select("#review-banner li.review-reason")] == [
        "GB/T 13927-2008 was replaced by GB/T 13927-2022 on 2023-07-01.",
        "ISO 5208:2008 was replaced by ISO 5208:2015 on 2015-06."]
    assert text_of(soup.select_one(".credit-code")) == f"{VALVE_CODE} example code"
    rows = soup.select("table.comparison tr.indicator")
    assert [(tr["data-indicator"], tr["data-outcome"]) for tr in rows] == [("1", ""), ("2", "equal"), ("3", "better")]
    first = rows[0]
    assert text_of(first.select_one(".ours")) == "2.4 MPa (measured) Test report: WT-2014-0101"
    assert [text_of(li) for li in first.select("li.cell")] == [
        "GB/T 13927-2008 : no value given Clause: 壳体试验", "ISO 5208:2008 : no value given Clause: shell test"]
    assert text_of(first.select_one(".outcome")) == "Not assessed"
    third = rows[2]
    assert text_of(third.select_one("li.cell")) == "T/PDY 001-2013 : 11 mm Clause: 4.1 → Better"
    assert text_of(third.select_one(".outcome")) == "Better (follows from the values)"
    assert [li.select_one("a")["href"] for li in soup.select("ul.compared li")] == [
        "/standards/gb-t-13927-2008", "/standards/iso-5208-2008", "/resolve?ref=T/PDY+001-2013"]
    assert [text_of(td) for td in soup.select("table.reports tr.report-row td")] == [
        "WT-2014-0101", "示例阀门检测中心", "CMA, CNAS", "April 30, 2014"]
    assert [li["data-action"] for li in soup.select("ol.history > li")] == ["added", "review_flagged"]


def test_result_json_twin_and_chinese(client, zh, ids):
    data = client.get(f"/benchmarking/results/{ids['old']}.json").get_json()
    assert (data["id"], data["status"], data["declared_status"], data["needs_review"]) == (ids["old"], "needs_review", "published", True)
    assert [(i["indicator"], i["outcome"]) for i in data["indicators"]] == [(1, ""), (2, "equal"), (3, "better")]
    assert data["enterprise"]["credit_code"] == VALVE_CODE
    soup = soup_of(zh.get(f"/benchmarking/results/{ids['old']}"))
    assert text_of(soup.select_one("h1")) == "对标结果：钢制闸阀"
    assert text_of(soup.select_one(".result-status .badge")) == "需复核"
    assert text_of(soup.select_one("#review-banner li")) == "GB/T 13927-2008 已于 2023-07-01 被 GB/T 13927-2022 代替。"
    assert text_of(soup.select_one('tr.indicator[data-indicator="3"] .outcome')) == "优于 （由数值得出）"


@pytest.mark.parametrize("path", ["/benchmarking/results/{draft}", "/benchmarking/results/{draft}.json",
                                  "/benchmarking/results/r-000000000000", "/benchmarking/results/1",
                                  "/benchmarking/enterprises/e-000000000000", "/benchmarking/products/1"])
def test_drafts_and_unknown_ids_are_the_same_404(client, ids, path):
    response = client.get(path.format(**ids))
    assert response.status_code == 404
    if path.endswith(".json"):
        assert response.get_json()["error"] == f"There is no result with the id '{ids['draft']}' in the register."


# ------------------------------------------------------------------ enterprises and products
def test_enterprise_page_lists_products_results_and_certificates(client, zh, ids):
    soup = soup_of(client.get(f"/benchmarking/enterprises/{ids['valves']}"))
    assert text_of(soup.select_one("h1")) == "Wenzhou Example Valve Co., Ltd."
    assert text_of(soup.select_one(".district")) == "永嘉县"
    assert soup.select_one(".cluster a")["href"] == "/systems/valves"
    assert [text_of(li) for li in soup.select("ul.products li")] == ["楔式闸阀 Z40H-25", "Steel gate valve Z41H-16C"]  # by model
    assert [tr["data-id"] for tr in soup.select("tr.result-row")] == [ids["new"], ids["old"]]  # not the draft
    certs = {text_of(tr.select_one(".number")): tr for tr in soup.select("tr.certificate")}
    assert {n: (text_of(tr.select_one(".type")), tr["data-status"]) for n, tr in certs.items()} == {
        "ZZ-PDY-0001": ("浙江制造", "expired"), "CE-PDY-0002": ("CE", "revoked")}
    assert [text_of(li) for li in certs["ZZ-PDY-0001"].select("ol.events li")] == [
        "January 10, 2015: Valid", "March 1, 2016: Suspended (监督审核未通过)", "June 1, 2016: Restored"]
    data = client.get(f"/benchmarking/enterprises/{ids['valves']}.json").get_json()
    assert (data["credit_code"], data["district"], data["cluster"]) == (VALVE_CODE, "永嘉县", "valves")
    assert [(c["number"], c["status"]) for c in data["certificates"]] == [("ZZ-PDY-0001", "expired"), ("CE-PDY-0002", "revoked")]
    soup = soup_of(zh.get(f"/benchmarking/enterprises/{ids['valves']}"))
    assert text_of(soup.select_one("h1")) == "温州示例阀门有限公司"
    assert text_of(soup.select_one('tr.certificate[data-status="revoked"] .badge')) == "撤销"


def test_product_page(client, zh, ids):
    soup = soup_of(client.get(f"/benchmarking/products/{ids['gate_valve']}"))
    assert text_of(soup.select_one("h1")) == "Steel gate valve Z41H-16C"
    assert soup.select_one(".declared a")["href"] == "/resolve?ref=GB/T+12234-2019"
    assert [tr["data-id"] for tr in soup.select("tr.result-row")] == [ids["old"]]
    assert [text_of(tr.select_one(".number")) for tr in soup.select("tr.certificate")] == ["ZZ-PDY-0001"]
    data = client.get(f"/benchmarking/products/{ids['gate_valve']}.json").get_json()
    assert (data["model"], data["standards"]) == ("Z41H-16C", [{"designation": "GB/T 12234-2019", "key": "gb-t-12234-2019",
                                                                "url": "/resolve?ref=GB/T+12234-2019"}])
    assert text_of(soup_of(zh.get(f"/benchmarking/products/{ids['gate_valve']}")).select_one("h1")) == "钢制闸阀 Z41H-16C"


# ------------------------------------------------------------------ the feed and the exports
def test_review_feed_lists_the_flagged_results(client, zh, ids):
    response = client.get("/benchmarking/review.atom")
    assert response.mimetype == "application/atom+xml"
    feed = etree.fromstring(response.data)
    entries = feed.findall(f"{ATOM}entry")
    assert {e.find(f"{ATOM}link").get("href") for e in entries} == {
        f"http://localhost/benchmarking/results/{ids['old']}", f"http://localhost/benchmarking/results/{ids['mccb']}"}
    old = next(e for e in entries if e.find(f"{ATOM}link").get("href").endswith(ids["old"]))
    assert old.find(f"{ATOM}title").text == "Wenzhou Example Valve Co., Ltd., Steel gate valve: the result of 2014-05-20 needs review"
    assert old.find(f"{ATOM}summary").text == ("GB/T 13927-2008 was replaced by GB/T 13927-2022 on 2023-07-01. "
                                               "ISO 5208:2008 was replaced by ISO 5208:2015 on 2015-06.")
    feed = etree.fromstring(zh.get("/benchmarking/review.atom").data)
    assert feed.find(f"{ATOM}title").text == "需复核的对标结果"


def test_csv_export_in_the_interface_language(client, zh, ids):
    rows = list(csv.reader(io.StringIO(client.get("/benchmarking/results.csv").data.decode("utf-8-sig"))))
    assert rows[0][:6] == ["Result", "Result date", "Enterprise", "Unified social credit code", "County or district", "Industry cluster"]
    assert [r[0] for r in rows[1:]] == [ids["new"], ids["mccb"], ids["old"]]
    old = dict(zip(rows[0], rows[3]))
    assert (old["Compared standards (as of the result)"], old["Benchmarking level"], old["Status"]) == (
        "GB/T 13927-2008; ISO 5208:2008; T/PDY 001-2013", "advanced", "Needs review")
    assert old["Page in the catalogue"] == f"http://localhost/benchmarking/results/{ids['old']}"
    rows = list(csv.reader(io.StringIO(zh.get("/benchmarking/results.csv?status=needs_review").data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["结果", "结果日期", "企业"] and len(rows) == 3
    assert dict(zip(rows[0], rows[2]))["对标水平"] == "先进"


def test_xlsx_export_has_results_and_indicators(client, ids):
    response = client.get(f"/benchmarking/results.xlsx?enterprise={ids['valves']}")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Results", "Indicators"]
    assert [row[0] for row in book["Results"].iter_rows(min_row=2, values_only=True)] == [ids["new"], ids["old"]]
    indicators = [row for row in book["Indicators"].iter_rows(min_row=2, values_only=True) if row[0] == ids["old"]]
    assert [(r[1], r[2], r[8]) for r in indicators] == [
        ("Shell test pressure", "2.4", "GB/T 13927-2008"), ("Shell test pressure", "2.4", "ISO 5208:2008"),
        ("Seat test leakage", "无泄漏", "ISO 5208:2008"), ("Minimum body wall thickness", "12.5", "T/PDY 001-2013")]


# ------------------------------------------------------------------ other pages that link here
def test_standard_page_counts_the_results_that_benchmarked_against_it(client, zh):
    soup = soup_of(client.get("/standards/iso-5208-2008"))
    link = soup.select_one("#benchmarked-against a")
    assert (text_of(link), link["href"]) == ("Benchmarked against in 1 result", "/benchmarking/results/?standard=iso-5208-2008")
    assert client.get("/standards/iso-5208-2008.json").get_json()["benchmarked_against"] == {
        "count": 1, "url": "/benchmarking/results/?standard=iso-5208-2008"}
    assert soup_of(client.get("/standards/iso-10434-2004")).select_one("#benchmarked-against") is None
    assert text_of(soup_of(zh.get("/standards/iec-60947-2-2016")).select_one("#benchmarked-against")) == "在 1 条对标结果中被对标"


def test_scheme_page_lists_the_results_that_used_it(client, ids):
    soup = soup_of(client.get("/schemes/gate-valves"))
    assert [tr["data-id"] for tr in soup.select("section[aria-labelledby=h-results] tr.result-row")] == [ids["new"], ids["old"]]
    data = client.get("/schemes/gate-valves.json").get_json()
    assert data["benchmarking"]["total"] == 2
    assert soup_of(client.get("/schemes/mccb")).select("tr.result-row")[0]["data-id"] == ids["mccb"]


def test_stats_json_gains_the_register(home):
    data = json.loads(CliRunner().invoke(main, ["--home", str(home), "stats", "--json"]).stdout)
    assert data["benchmarking"] == {"enterprises": 2, "products": 3, "results": 3, "certificates": 3, "needs_review": 2}
    result = CliRunner().invoke(main, ["--lang", "zh", "--home", str(home), "stats"])
    assert "对标达标登记：3 条结果，其中 2 条需复核" in result.stdout
