"""The Relaton XML reader: fixture table, collections, the mandate check, safety, and the real GB records."""
from __future__ import annotations

from pathlib import Path

import pytest

from catalogue.records import records_only
from conftest import FIXTURES, check_expected, shared_file
from ingest import relaton_xml

FIXTURE_DIR = FIXTURES / "readers" / "relaton-xml"
FIXTURE_FILES = sorted(p for p in FIXTURE_DIR.iterdir() if p.suffix == ".xml")


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=[p.name for p in FIXTURE_FILES])
def test_fixture_table(fixture: Path):
    # Read by the bare name, so the table is the same on every machine.
    with open(fixture, "rb") as fp:
        check_expected(list(relaton_xml.read_relaton_xml(fp, fixture.name)), fixture)


def test_collection_keeps_good_records_and_names_bad_ones():
    path = FIXTURE_DIR / "collection.xml"
    readings = list(relaton_xml.read(path))
    assert [r.item.designation for r in readings if r.ok] == ["JB/T 13368-2018", "T/GZAEPI 001—2018", "GB/T 1.1-2009"]
    assert [str(r.problem) for r in readings if not r.ok] == [
        f"{path}:37: gbtype: The mandate 'mandatory' means a GB designation, but the record is GB/T 5606.1-2004.",
        f"{path}:44: published: '2006-02-30x' is not a date (expected YYYY-MM-DD).",
    ]
    # A stage nobody taught us is a warning: the record lands with its status unknown.
    dormant = next(r for r in readings if r.ok and r.item.designation == "GB/T 1.1-2009")
    assert (dormant.item.status, [str(w) for w in dormant.warnings]) == ("", [
        f"{path}:50: status: unknown stage 'dormant': the status is left unknown (not an ISO stage code, "
        "an IEC stage code or a status word we know)."])


def test_title_parts_are_joined_with_an_em_dash():
    (record,) = records_only(relaton_xml.read(FIXTURE_DIR / "iso-5208-2008.xml"))
    assert record.titles["en"] == "Industrial valves — Pressure testing of metallic valves"
    assert record.designation == "ISO 5208:2008"  # the URN identifier is skipped
    # Stage 95.99 with a successor named: replaced, as the YAML reader reads it.
    assert (record.status, [(r.type, r.target) for r in record.relations]) == (
        "replaced", [("replaced_by", "ISO 5208:2015")])


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    doc = tmp_path / "evil.xml"
    doc.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE bibdata [<!ENTITY x SYSTEM "file://{secret}">]>\n'
        '<bibdata><docidentifier primary="true">GB/T 1-2000</docidentifier>'
        '<title type="main" language="en">&x;</title></bibdata>\n', encoding="utf-8")
    (reading,) = relaton_xml.read(doc)
    assert reading.item.designation == "GB/T 1-2000"
    assert reading.item.titles == {}  # the only text was the unresolved entity
    assert "TOP SECRET" not in str(reading.item)


def test_folder_reads_every_xml_file_and_names_it():
    readings = list(relaton_xml.read(FIXTURE_DIR))
    assert {r.source for r in readings if r.ok} == {
        "collection.xml", "gbt-19001-2016.xml", "gbt-20223-2018.xml", "iso-5208-2008.xml"}
    assert len([r for r in readings if not r.ok]) == 4


def test_sniff():
    for fixture in FIXTURE_FILES:
        expected = fixture.name != "no-record.xml"
        assert relaton_xml.sniff(fixture.read_bytes()[:4096]) is expected, fixture.name
    assert not relaton_xml.sniff(b"id: x\ndocid:\n")
    assert not relaton_xml.sniff(b"<standard><front><iso-meta/></front></standard>")


@pytest.mark.parametrize("stage, expected", [
    ("activated", "current"), ("obsoleted", "withdrawn"), ("60.60", "current"), ("95.99", "withdrawn"),
    ("40.20", "draft"), ("superseded", "replaced"), ("nonsense", ""),
])
def test_stage_words(stage, expected):
    from ingest.relaton_model import status_of

    assert status_of(stage)[0] == expected


# ----------------------------------------------------------------------------- real data

@pytest.mark.realdata
def test_real_gb_records():
    folder = shared_file("gb", "relaton-xml")
    readings = list(relaton_xml.read(folder))
    assert all(r.ok for r in readings), [str(r.problem) for r in readings if not r.ok]
    got = {r.item.designation: (r.item.status, r.item.published, r.item.ccs, r.item.ics) for r in readings}
    assert got == {
        "GB/T 20223-2006": ("withdrawn", "2006-03-10", "B32", ["59.060.10"]),
        "GB/T 5606.1-2004": ("current", "2004-12-14", "", []),
        "GB/T 5606 (all parts)": ("current", "2004-12-14", "", []),
        "JB/T 13368-2018": ("current", "2018-02-09", "J83", ["53.060"]),
        "T/GZAEPI 001—2018": ("current", "2018-05-08", "Y68", ["13.020.01"]),
    }


@pytest.mark.realdata
def test_real_yaml_sibling_is_not_sniffed_as_xml():
    path = shared_file("gb", "relaton-xml", "gb_bib_item.yml")
    assert not relaton_xml.sniff(path.read_bytes()[:4096])
