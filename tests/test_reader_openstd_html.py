"""The openstd.samr.gov.cn reader: fixture table, sniffing, encodings and the real recorded pages."""
from __future__ import annotations

from pathlib import Path

import pytest

from catalogue.records import records_only
from conftest import FIXTURES, check_expected, shared_file
from ingest import openstd_html

FIXTURE_DIR = FIXTURES / "readers" / "openstd-html"
FIXTURE_FILES = sorted(p for p in FIXTURE_DIR.iterdir() if p.suffix == ".html")


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=[p.name for p in FIXTURE_FILES])
def test_fixture_table(fixture: Path):
    # Read by the bare name, so the table is the same on every machine.
    with open(fixture, "rb") as fp:
        check_expected(list(openstd_html.read_openstd_html(fp, fixture.name)), fixture)


def test_fixture_folder_holds_every_page_type():
    names = {p.name for p in FIXTURE_FILES}
    assert {"result-list.html", "detail-20223-2006.html", "detail-19001-2016-gb18030.html"} <= names


def test_clsss_rows_are_read_by_label():
    (record,) = records_only(openstd_html.read(FIXTURE_DIR / "detail-20223-2006.html"))
    assert (record.ccs, record.ics, record.withdrawn) == ("B32", ["59.060.10"], "2018-05-01")


def test_gb18030_page_reads_like_utf8():
    raw = (FIXTURE_DIR / "detail-19001-2016-gb18030.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    (record,) = records_only(openstd_html.read(FIXTURE_DIR / "detail-19001-2016-gb18030.html"))
    assert record.titles["zh"] == "质量管理体系 要求"
    assert record.committee == "SAC/TC 151"
    assert [(r.type, r.target, r.degree) for r in record.relations] == [
        ("replaces", "GB/T 19001-2008", None), ("adopts", "ISO 9001:2015", "IDT")]


def test_bad_rows_are_problems_and_good_rows_carry_on():
    path = FIXTURE_DIR / "result-list.html"
    readings = list(openstd_html.read(path))
    problems = [str(r.problem) for r in readings if not r.ok]
    assert problems == [
        f"{path}:58: status: Unknown status '暂停' for GB/T 20223-2018.",
        f"{path}:70: published: '2006-13-10' is not a date (expected YYYY-MM-DD).",
    ]
    assert [r.designation for r in records_only(readings)] == ["GB/T 1.1-2000", "GB/T 1.1-2020", "GB/T 5606.1-2004"]


@pytest.mark.parametrize("text, expected", [
    ("GB / T 20223 -2018", "GB/T 20223-2018"),
    ("GB/T  5606 .1-2004", "GB/T 5606.1-2004"),
    ("T/GZAEPI 001—2018", "T/GZAEPI 001—2018"),
    ("DB33/ T 2023- 2017", "DB33/T 2023-2017"),
])
def test_clean_designation(text, expected):
    assert openstd_html.clean_designation(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("2018-03-15", "2018-03-15"), ("2018年05月08日", "2018-05-08"), ("2018/5/8", "2018-05-08"),
    ("", ""), ("2018-13-01", None), ("soon", None),
])
def test_parse_date(text, expected):
    assert openstd_html.parse_date(text) == expected


def test_sniff():
    assert openstd_html.sniff((FIXTURE_DIR / "detail-20223-2006.html").read_bytes()[:4096])
    assert openstd_html.sniff((FIXTURE_DIR / "detail-19001-2016-gb18030.html").read_bytes()[:4096])
    assert openstd_html.sniff((FIXTURE_DIR / "result-list.html").read_bytes()[:4096])
    assert not openstd_html.sniff(b"<html><head><title>ISO 5208:2015</title></head>")
    assert not openstd_html.sniff("<title>国家标准 - 全国标准信息公共服务平台</title>".encode())
    # Relaton YAML names the site in its links but is no page.
    assert not openstd_html.sniff(b"id: GBT20223-2006\nlink:\n  - content: http://openstd.samr.gov.cn/bzgk\n")


def test_truncated_and_binary_input_give_one_problem(tmp_path):
    junk = tmp_path / "junk.html"
    junk.write_bytes(b"\x00\xff\xfe<<<")
    readings = list(openstd_html.read(junk))
    assert [str(r.problem) for r in readings] == [
        f"{junk}: -: This page has neither an openstd result list nor a 标准号 detail heading."]


# ----------------------------------------------------------------------------- real data

@pytest.mark.realdata
def test_real_pages_all_read_without_problems():
    folder = shared_file("gb", "html", "openstd")
    counts = {}
    for page in sorted(folder.glob("*.html")):
        assert openstd_html.sniff(page.read_bytes()[:4096]), page.name
        readings = list(openstd_html.read(page))
        assert all(r.ok for r in readings), [str(r.problem) for r in readings if not r.ok]
        counts[page.name] = len(readings)
    assert counts == {
        "gb_t_1_1__01.html": 3, "gb_t_1_1__06.html": 1, "gb_t_1_1__09.html": 1, "gb_t_1_1__10.html": 1,
        "gb_t_20223_2006__01.html": 1, "gb_t_20223_2006__04.html": 1, "gb_t_20223_2014__01.html": 0,
        "gb_t_5606_1_2004__01.html": 1, "gb_t_5606_1_2004__04.html": 1,
        "gb_t_5606_2004_all_parts__01.html": 1, "gb_t_5606_2004_all_parts__04.html": 1,
    }


@pytest.mark.realdata
def test_real_detail_gbt_20223_2006_is_withdrawn():
    (record,) = records_only(openstd_html.read(shared_file("gb", "html", "openstd", "gb_t_20223_2006__04.html")))
    assert record.designation == "GB/T 20223-2006"
    assert record.titles == {"zh": "棉短绒", "en": "Cotton linter"}
    assert (record.status, record.published, record.in_force) == ("withdrawn", "2006-03-10", "2006-09-01")
    assert (record.ccs, record.ics) == ("B32", ["59.060.10"])


@pytest.mark.realdata
def test_real_detail_remark_names_the_replaced_edition():
    (record,) = records_only(openstd_html.read(shared_file("gb", "html", "openstd", "gb_t_5606_1_2004__04.html")))
    assert (record.designation, record.status, record.ccs) == ("GB/T 5606.1-2004", "current", "X87")
    assert [(r.type, r.target) for r in record.relations] == [("replaces", "GB/T 5606.1-1996")]


@pytest.mark.realdata
def test_real_result_list_rows():
    readings = list(openstd_html.read(shared_file("gb", "html", "openstd", "gb_t_1_1__01.html")))
    assert [(r.item.designation, r.item.status, r.item.published, r.line) for r in readings] == [
        ("GB/T 1.1-2000", "withdrawn", "2000-12-20", 1200),
        ("GB/T 1.1-2009", "withdrawn", "2009-06-17", 1247),
        ("GB/T 1.1-2020", "current", "2020-03-31", 1293),
    ]
