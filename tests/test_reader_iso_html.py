"""The iso.org page reader: fixture table (2018 and 2024 layouts, en/fr/ru) and the real pages."""
from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest

from conftest import FIXTURES, check_expected, shared_file
from ingest import iso_html

FOLDER = FIXTURES / "readers" / "iso-html"
CASES = sorted(p for p in FOLDER.iterdir() if not p.name.endswith(".expected.json"))


def read_fixture(name: str):
    with open(FOLDER / name, "rb") as fp:
        return list(iso_html.read_iso_html(fp, name))


@pytest.mark.parametrize("fixture", CASES, ids=lambda p: p.name)
def test_fixture_matches_expected(fixture: Path):
    with open(fixture, "rb") as fp:
        check_expected(list(iso_html.read_iso_html(fp, fixture.name)), fixture)


def test_read_by_path_gives_the_same_as_the_named_reader():
    assert list(iso_html.read(FOLDER / "iso_123_2024_en.html")) == read_fixture("iso_123_2024_en.html")


def test_sniff():
    head = b'<html lang="en"><head><link rel="canonical" href="https://www.iso.org/standard/23281.html">'
    assert iso_html.sniff(head)
    assert iso_html.sniff(b'<link href="/modules/isoorg-template/css/wood.min.css">')
    assert not iso_html.sniff(b"<title>CEN - CEN/TC 279</title>")
    # A Relaton record links to www.iso.org too, but is no page.
    assert not iso_html.sniff(b"link:\n- content: https://www.iso.org/standard/23281.html\n  type: src\n")


@pytest.mark.parametrize("name", sorted(p.name for p in CASES))
def test_every_fixture_sniffs_as_iso_html(name):
    assert iso_html.sniff((FOLDER / name).read_bytes()[:4096])


def test_the_ics_breadcrumb_at_the_foot_is_not_read_as_ics():
    [reading] = read_fixture("iso_123_2024_en.html")
    assert reading.item.ics == ["83.040.10"]


def test_russian_page_keeps_its_english_title_under_en():
    [reading] = read_fixture("iso_19115_1_2014_2018_ru.html")
    assert reading.item.titles == {"en": "Geographic information — Metadata — Part 1: Fundamentals"}


def test_withdrawn_edition_with_a_successor_is_replaced_and_lists_its_corrigendum():
    [reading] = read_fixture("iso_19115_2003_2018_en.html")
    assert reading.item.status == "replaced"
    assert [(r.type, r.target) for r in reading.item.relations] == [
        ("corrected_by", "ISO 19115:2003/Cor 1:2006"), ("replaced_by", "ISO 19115-1:2014")]


def test_a_label_stops_at_the_next_label():
    [reading] = read_fixture("iso_ts_19139_2007_2018_fr.html")
    assert (reading.item.status, reading.item.published) == ("current", "2007-04")


@pytest.mark.parametrize(("word", "stage", "status"), [
    ("Published", "", "current"), ("Publiée", "", "current"), ("Опубликовано", "", "current"),
    ("Withdrawn", "", "withdrawn"), ("Annulée", "", "withdrawn"), ("Under development", "", "draft"),
    ("Projet", "", "draft"), ("", "95.99", "withdrawn"), ("", "90.93", "current"), ("", "60.60", "current"),
    ("", "40.20", "draft"), ("Archived", "", None),
])
def test_status_words_and_stages(word, stage, status):
    assert iso_html.decide_status(word, stage) == status


def test_not_utf8_is_one_problem():
    [reading] = list(iso_html.read_iso_html(io.BytesIO(b"<html>\xff\xfe</html>"), "x.html"))
    assert reading.problem.reason == "The page is not UTF-8 text (bad byte at offset 6)."


@pytest.mark.realdata
def test_real_iso_pages():
    folder = shared_file("iso", "html")
    pages = sorted(folder.rglob("*.html"))
    assert len(pages) == 32
    readings = {p.name: list(iso_html.read(p)) for p in pages}
    assert all(len(rs) == 1 and rs[0].ok for rs in readings.values())
    got = {name: rs[0].item for name, rs in readings.items()}
    assert Counter(r.status for r in got.values()) == {"current": 23, "replaced": 6, "draft": 3}

    iso123 = got["iso_123.html"]
    assert (iso123.designation, iso123.status, iso123.published, iso123.edition, iso123.pages) == (
        "ISO 123:2001", "current", "2001-05", "3", "8")
    assert (iso123.committee, iso123.ics) == ("ISO/TC 45/SC 3", ["83.040.10"])
    assert iso123.titles == {"en": "Rubber latex — Sampling"}
    assert [(r.type, r.target) for r in iso123.relations] == [("replaces", "ISO 123:1985")]
    assert got["iso_123_fr.html"].titles == {"fr": "Latex de caoutchouc — Échantillonnage"}

    old = got["_standard_26020.html"]
    assert (old.designation, old.status, old.published) == ("ISO 19115:2003", "replaced", "2003-05")
    assert [(r.type, r.target) for r in old.relations] == [
        ("corrected_by", "ISO 19115:2003/Cor 1:2006"), ("replaced_by", "ISO 19115-1:2014")]

    new = got["_standard_53798.html"]
    assert (new.designation, new.status, new.pages, new.ics) == ("ISO 19115-1:2014", "current", "167", ["35.240.70"])
    assert [(r.type, r.target) for r in new.relations] == [
        ("replaces", "ISO 19115:2003"), ("replaces", "ISO 19115:2003/Cor 1:2006"),
        ("amended_by", "ISO 19115-1:2014/Amd 1:2018")]
    assert got["_fr_standard_53798.html"].pages == "196"  # the French edition has more pages
    assert got["_ru_standard_53798.html"].titles == {
        "en": "Geographic information — Metadata — Part 1: Fundamentals"}

    ts = got["_fr_standard_32557.html"]
    assert (ts.designation, ts.status) == ("ISO/TS 19139:2007", "current")
    assert [(r.type, r.target) for r in ts.relations] == [("replaced_by", "ISO/DTS 19139-1")]

    draft = got["_ru_standard_67039.html"]
    assert (draft.designation, draft.status, draft.edition, draft.pages) == ("ISO 19115-2", "draft", "2", "38")
