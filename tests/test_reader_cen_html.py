"""The CEN catalogue page reader: fixture table, date and status rules, and the real pages."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from conftest import FIXTURES, check_expected, shared_file
from ingest import cen_html

FOLDER = FIXTURES / "readers" / "cen-html"
CASES = sorted(p for p in FOLDER.iterdir() if not p.name.endswith(".expected.json"))


def read_fixture(name: str):
    with open(FOLDER / name, "rb") as fp:
        return list(cen_html.read_cen_html(fp, name))


def read_text(text: str, name: str = "page.html"):
    return list(cen_html.read_cen_html(io.BytesIO(text.encode("utf-8")), name))


def detail_page(rows: dict[str, str], committee: str = "CEN/TC 279") -> str:
    cells = "".join(f'<tr><th class="detail">{k}</th><td>{v}</td></tr>' for k, v in rows.items())
    return f"<html><head><title>CEN - {committee}</title></head><body><h1>{committee}</h1>" \
           f'<table class="dashlist">{cells}</table></body></html>'


@pytest.mark.parametrize("fixture", CASES, ids=lambda p: p.name)
def test_fixture_matches_expected(fixture: Path):
    with open(fixture, "rb") as fp:
        check_expected(list(cen_html.read_cen_html(fp, fixture.name)), fixture)


def test_read_by_path_gives_the_same_as_the_named_reader():
    assert list(cen_html.read(FOLDER / "en_1325_2014.html")) == read_fixture("en_1325_2014.html")


def test_sniff():
    assert cen_html.sniff(b'<!-- #BeginEditable "DOCTITLE" --><title>CEN - CEN/TC 279</title>')
    assert not cen_html.sniff(b"<title> ISO 123:2001 - Rubber latex</title>")
    # Content decides, whatever the name: a CEN page saved as .json is still a CEN page.
    assert not cen_html.sniff(b'{"title": "CEN - CEN/TC 279"}')


def test_dow_of_a_published_standard_is_not_its_withdrawal_date():
    # EN 1325:2014's DOW (2014-09-30) is the date by which members withdraw conflicting national standards.
    [reading] = read_fixture("en_1325_2014.html")
    assert (reading.item.status, reading.item.published, reading.item.withdrawn) == ("current", "2014-03-26", "")


def test_dow_of_a_withdrawn_standard_is_its_withdrawal_date():
    # EN 1325-1:1996 was superseded by EN 1325:2014, whose DOW was 2014-09-30.
    page = detail_page({"Reference": "EN 1325-1:1996", "Status": "<div>Withdrawn</div>",
                        "date of Withdrawal (DOW) (5)": "2014-09-30", "Superseded by": "<a>EN 1325:2014</a>"})
    [reading] = read_text(page)
    assert (reading.item.status, reading.item.withdrawn) == ("replaced", "2014-09-30")
    assert [(r.type, r.target) for r in reading.item.relations] == [("replaced_by", "EN 1325:2014")]


@pytest.mark.parametrize(("mark", "degree"), [("IDT", "IDT"), ("EQV", "IDT"), ("MOD", "MOD"), ("NEQ", "NEQ")])
def test_reference_document_degree(mark, degree):
    page = detail_page({"Reference": "EN ISO 5208:2015", "Status": "Published",
                        "Reference Document": f"<div>ISO 5208:2015 ({mark})</div>"}, "CEN/TC 69")
    [reading] = read_text(page)
    assert [(r.type, r.target, r.degree) for r in reading.item.relations] == [("adopts", "ISO 5208:2015", degree)]


def test_a_page_that_is_not_a_standard_is_one_problem():
    [reading] = read_fixture("committee_work_programme.html")
    assert reading.problem.reason == (
        "This CEN page is not a standard detail page (it has no Reference row): nothing to read.")


@pytest.mark.parametrize(("word", "status"), [("Published", "current"), ("Withdrawn", "withdrawn"),
                                              ("Under Approval", "draft"), ("Under Drafting", "draft"),
                                              ("Approved", "draft"), ("Archived", None)])
def test_status_words(word, status):
    assert cen_html.decide_status(word) == status


@pytest.mark.realdata
def test_real_cen_pages():
    folder = shared_file("cen", "html")
    pages = sorted(folder.glob("*.html"))
    assert len(pages) == 9
    readings = {p.name: list(cen_html.read(p)) for p in pages}
    assert all(len(rs) == 1 and rs[0].ok for rs in readings.values())
    got = {name: rs[0].item for name, rs in readings.items()}

    en1325 = got["en_1325__03.html"]
    assert (en1325.designation, en1325.status, en1325.published, en1325.withdrawn) == (
        "EN 1325:2014", "current", "2014-03-26", "")
    assert (en1325.committee, en1325.ics) == ("CEN/TC 279", ["01.040.03", "03.100.40"])
    assert [(r.type, r.target) for r in en1325.relations] == [
        ("replaces", "EN 1325-2:2004"), ("replaces", "EN 1325-1:1996")]

    ts = got["cen_iso_ts_21003_7__03.html"]
    assert (ts.designation, ts.published, ts.committee) == ("CEN ISO/TS 21003-7:2019", "2019-05-29", "CEN/TC 155")
    assert [(r.type, r.target, r.degree) for r in ts.relations if r.type != "cites"] == [
        ("replaces", "CEN ISO/TS 21003-7:2008/A1:2010", None), ("replaces", "CEN ISO/TS 21003-7:2008", None),
        ("adopts", "ISO/TS 21003-7:2019", "IDT")]

    hd = got["hd_1215_2_1988__03.html"]
    assert (hd.designation, hd.status, hd.published, hd.withdrawn, hd.ics) == (
        "HD 1215-2:1988", "replaced", "1988-09-09", "", ["91.140.10"])
    assert [(r.type, r.target) for r in hd.relations] == [("replaced_by", "EN 215:2004")]

    # The recording named env_1993_1_1 holds the page of ENV 1613:1995.
    env = got["env_1993_1_1__03.html"]
    assert (env.designation, env.status, env.committee) == ("ENV 1613:1995", "replaced", "CEN/TC 251")

    assert (got["cwa_14050_21_2000__03.html"].committee, got["cwa_14050_21_2000__03.html"].status) == (
        "CEN/WS XFS", "current")
    assert got["cr_12101_5_2000__03.html"].relations[0].target == "CEN/TR 12101-5:2005"
    en285 = got["en_285_2015_a1_2021__03.html"]
    assert [r.target for r in en285.relations if r.type == "replaces"] == ["EN 285:2015/FprA1", "EN 285:2015"]
    assert sum(1 for r in en285.relations if r.type == "cites") == 39

    # subcommittee__03.html is a standard page too: EN 10160:1999, owned by a subcommittee.
    sub = got["subcommittee__03.html"]
    assert (sub.designation, sub.status, sub.committee, sub.published) == (
        "EN 10160:1999", "current", "CEN/TC 459/SC 1", "1999-07-14")
    assert [(r.type, r.target) for r in sub.relations] == [
        ("replaced_by", "prEN 10160 rev"), ("cites", "EN 1330-4"), ("cites", "EN 473")]


@pytest.mark.parametrize("name", sorted(p.name for p in CASES))
def test_every_fixture_sniffs_as_cen_html(name):
    assert cen_html.sniff((FOLDER / name).read_bytes()[:4096])
