"""The std.samr.gov.cn / ttbz.org.cn reader: fixture table, page types, quirks and the real pages."""
from __future__ import annotations

from pathlib import Path

import pytest

from catalogue.records import records_only
from conftest import FIXTURES, check_expected, shared_file
from ingest import samr_html

FIXTURE_DIR = FIXTURES / "readers" / "samr-html"
FIXTURE_FILES = sorted(p for p in FIXTURE_DIR.iterdir() if p.suffix == ".html")


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=[p.name for p in FIXTURE_FILES])
def test_fixture_table(fixture: Path):
    # Read by the bare name, so the table is the same on every machine.
    with open(fixture, "rb") as fp:
        check_expected(list(samr_html.read_samr_html(fp, fixture.name)), fixture)


def test_split_number_is_rejoined():
    first = records_only(samr_html.read(FIXTURE_DIR / "search-results.html"))[0]
    assert first.designation == "GB/T 20223-2018"


def test_plans_draft_terminated_and_published():
    path = FIXTURE_DIR / "search-results.html"
    readings = list(samr_html.read(path))
    plans = [(r.item.designation, r.item.status, r.item.withdrawn) for r in readings[3:6]]
    assert plans == [
        ("20170450-T-469", "draft", ""),
        ("20110184-T-469", "withdrawn", "2017-12-18"),
        ("GB/T 20223-2018", "", ""),
    ]
    assert [(r.type, r.target, r.degree) for r in readings[3].item.relations] == [("adopts", "ISO/TS 9002", "IDT")]
    assert readings[3].item.ccs == "A00"  # printed "A.00"
    assert str(readings[6].problem) == f"{path}:180: status: Unknown plan stage '搁置' for 20173763-T-610."


def test_gb18030_detail_page():
    raw = (FIXTURE_DIR / "detail-20223-2006-gb18030.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    (record,) = records_only(samr_html.read(FIXTURE_DIR / "detail-20223-2006-gb18030.html"))
    assert (record.designation, record.status, record.withdrawn) == ("GB/T 20223-2006", "withdrawn", "2018-05-01")
    assert record.committee == ""  # its committee link reads "424-fibre": no TC number


def test_committee_number_and_replacement_from_detail():
    (record,) = records_only(samr_html.read(FIXTURE_DIR / "detail-20223-2018.html"))
    assert record.committee == "SAC/TC 513"
    assert [(r.type, r.target) for r in record.relations] == [("replaces", "GB/T 20223-2006")]
    assert record.ics == ["59.060.10"]  # the popup tree of parent codes is not read as codes


def test_truncated_ics_group_gets_its_zero_back():
    (record,) = records_only(samr_html.read(FIXTURE_DIR / "detail-jbt-13368-2018.html"))
    assert record.ics == ["53.060"]


def test_group_detail_ccs_cell_with_ics_code():
    (record,) = records_only(samr_html.read(FIXTURE_DIR / "group-detail.html"))
    assert (record.ccs, record.ics, record.published) == ("Y68", ["13.020.01", "97.040.99"], "2018-05-08")


def test_sniff():
    for page in FIXTURE_FILES:
        assert samr_html.sniff(page.read_bytes()[:4096]), page.name
    assert not samr_html.sniff("<title>国家标准|GB/T 1.1-2000</title>".encode())
    assert not samr_html.sniff(b"<bibdata type='standard'/>")
    assert not samr_html.sniff(b"id: JB/T13368\nlink:\n  - content: http://std.samr.gov.cn/hb\n")
    assert not samr_html.sniff(b"<html><head><title>x</title><a href='http://openstd.samr.gov.cn/'>")


def test_binary_input_gives_one_problem(tmp_path):
    junk = tmp_path / "junk.html"
    junk.write_bytes(b"\x00\x01\xfe\xff")
    assert [str(r.problem) for r in samr_html.read(junk)] == [
        f"{junk}: -: This page has no std.samr search results, detail table or group standard table."]


# ----------------------------------------------------------------------------- real data

REAL_COUNTS = {
    "22746.html": 1, "5dda8ba00fc618dee05397be0a0a95a7.html": 1, "5dda8ba037ff18dee05397be0a0a95a7.html": 1,
    "5dda8ba054f418dee05397be0a0a95a7.html": 1, "6747e1059f9dc35ae05397be0a0a017f.html": 1,
    "6bc3ad94a1728abce05397be0a0a5667.html": 1, "71f772d7cb63d3a7e05397be0a0ab82a.html": 1,
    "gbt_20223.html": 10, "gbt_20223_2006.html": 10, "gbt_20223_2014.html": 5, "gbt_2023_2006.html": 10,
    "gbt_5606.1.html": 10, "gbt_5606.1_2004.html": 10, "tgzaepi_001_2018.html": 1,
}


@pytest.mark.realdata
def test_real_pages_all_read_without_problems():
    folder = shared_file("gb", "html", "std-samr")
    counts = {}
    for page in sorted(folder.glob("*.html")):
        assert samr_html.sniff(page.read_bytes()[:4096]), page.name
        readings = list(samr_html.read(page))
        assert all(r.ok for r in readings), [str(r.problem) for r in readings if not r.ok]
        counts[page.name] = len(readings)
    assert counts == REAL_COUNTS


@pytest.mark.realdata
def test_real_gbt_20223_2018_is_current_and_replaces_2006():
    page = shared_file("gb", "html", "std-samr", "6747e1059f9dc35ae05397be0a0a017f.html")
    (record,) = records_only(samr_html.read(page))
    assert record.designation == "GB/T 20223-2018"
    assert (record.status, record.published, record.in_force) == ("current", "2018-03-15", "2018-05-01")
    assert (record.ccs, record.ics, record.committee) == ("W10", ["59.060.10"], "SAC/TC 513")
    assert [(r.type, r.target) for r in record.relations] == [("replaces", "GB/T 20223-2006")]


@pytest.mark.realdata
def test_real_gbt_20223_2006_is_withdrawn_on_2018_05_01():
    page = shared_file("gb", "html", "std-samr", "5dda8ba00fc618dee05397be0a0a95a7.html")
    (record,) = records_only(samr_html.read(page))
    assert (record.designation, record.status, record.withdrawn) == ("GB/T 20223-2006", "withdrawn", "2018-05-01")
    assert (record.ccs, record.ics) == ("B32", ["59.060.10"])


@pytest.mark.realdata
def test_real_search_page_with_plans():
    readings = list(samr_html.read(shared_file("gb", "html", "std-samr", "gbt_20223.html")))
    got = [(r.item.designation, r.item.status) for r in readings]
    assert got == [
        ("GB/T 20223-2018", "current"), ("GB/T 20223-2006", "withdrawn"), ("NB/T 20223-2013", "current"),
        ("20170450-T-469", "draft"), ("20173763-T-610", "draft"), ("20110715-T-442", "draft"),
        ("20130757-T-605", "draft"), ("20110184-T-469", "withdrawn"), ("20100474-Z-469", "withdrawn"),
        ("20100473-Z-469", "withdrawn"),
    ]
    adoptions = [(r.item.designation, [(x.target, x.degree) for x in r.item.relations]) for r in readings
                 if r.item.relations]
    assert adoptions == [("20170450-T-469", [("ISO/TS 9002", "IDT")]),
                         ("20110184-T-469", [("ISO/IWA4:2008", "NEQ")])]


@pytest.mark.realdata
def test_real_local_and_industry_standards():
    readings = list(samr_html.read(shared_file("gb", "html", "std-samr", "gbt_2023_2006.html")))
    designations = [r.item.designation for r in readings]
    assert designations == ["GB 2023-2003", "LY/T 2023-2012", "JC/T 2023-2010", "SN/T 2023-2007", "QB/T 2023-1994",
                            "DB44/T 2023-2017", "DB33/T 2023-2017", "DB13/T 2023-2014", "DB22/T 2023-2014",
                            "DB34/T 2023-2013"]
    assert readings[7].item.ccs == "Q34"  # printed "Q 34"


@pytest.mark.realdata
def test_real_group_standard_detail():
    (record,) = records_only(samr_html.read(shared_file("gb", "html", "std-samr", "22746.html")))
    assert record.designation == "T/GZAEPI 001—2018"
    assert record.titles == {"zh": "环保型家用吸油烟机", "en": "Environmental protection type household range hood"}
    assert (record.status, record.published, record.in_force) == ("current", "2018-05-08", "2018-07-01")
