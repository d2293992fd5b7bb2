"""The ISO STS / NISO STS reader: fixture table, the adoption chain, unsafe XML, and the real samples."""
from __future__ import annotations

import io
import json
import time
import tracemalloc
from pathlib import Path

import pytest

from catalogue.records import records_only
from conftest import FIXTURES, check_expected, readings_to_json, shared_file
from ingest import sts_xml

FOLDER = FIXTURES / "readers" / "sts-xml"
CASES = sorted(p for p in FOLDER.iterdir() if not p.name.endswith(".expected.json"))


def read_fixture(name: str):
    path = FOLDER / name
    with open(path, "rb") as fp:
        return list(sts_xml.read_sts_xml(fp, path.name))


def read_text(text: str, name: str = "test.xml"):
    return list(sts_xml.read_sts_xml(io.BytesIO(text.encode("utf-8")), name))


@pytest.mark.parametrize("fixture", CASES, ids=lambda p: p.name)
def test_fixture_matches_expected(fixture: Path):
    with open(fixture, "rb") as fp:
        check_expected(list(sts_xml.read_sts_xml(fp, fixture.name)), fixture)


def test_read_by_path_gives_the_same_as_the_named_reader():
    assert list(sts_xml.read(FOLDER / "iso_2560_iso_meta.xml")) == read_fixture("iso_2560_iso_meta.xml")


def test_sniff():
    assert sts_xml.sniff(b'<?xml version="1.0"?>\n<standard><front><iso-meta>')
    assert sts_xml.sniff(b'<?xml version="1.0"?>\n<sts-metadata-extract><std-meta id="profile.int">')
    assert not sts_xml.sniff(b'<?xml version="1.0"?>\n<bibdata type="standard">')
    assert not sts_xml.sniff(b"iso-meta: a YAML key naming the tag")


def test_dtd_entities_become_characters():
    [reading] = read_fixture("iso_2560_iso_meta.xml")
    assert reading.item.titles["fr"].startswith("Produits consommables pour le soudage — Électrodes enrobées ")


def test_entities_in_a_file_without_doctype_do_not_lose_the_record():
    [reading] = read_fixture("entities_without_doctype.xml")
    assert reading.item.designation == "EN ISO 4126-1:2013"
    assert reading.item.titles["en"] == ("Safety devices for protection against excessive pressure — "
                                         "Part 1: Safety valves")


def test_adoption_chain_national_regional_international():
    nat, reg, iso = records_only(read_fixture("din_en_iso_13849_1_chain.xml"))
    assert (nat.designation, reg.designation, iso.designation) == (
        "DIN EN ISO 13849-1:2008-12", "EN ISO 13849-1:2008", "ISO 13849-1:2006")
    assert [(r.type, r.target, r.degree) for r in nat.relations] == [
        ("replaces", "DIN EN ISO 13849-1:2007-07", None), ("adopts", "EN ISO 13849-1:2008", "IDT")]
    assert [(r.type, r.target, r.degree) for r in reg.relations] == [
        ("replaces", "EN ISO 13849-1:2006", None), ("adopts", "ISO 13849-1:2006", "IDT")]
    assert iso.relations == []
    # DIN's <full> ends "— Englische Fassung der DIN EN ISO ...": the parts leave that out.
    assert nat.titles["de"] == ("Sicherheit von Maschinen — Sicherheitsbezogene Teile von Steuerungen — "
                                "Teil 1: Allgemeine Gestaltungsleitsätze")


def test_a_title_note_sets_the_degree_and_a_national_block_without_regional_adopts_the_international():
    nat, _ = records_only(read_fixture("gb_t_13927_2022_mod_chain.xml"))
    assert [(r.type, r.target, r.degree) for r in nat.relations if r.type == "adopts"] == [
        ("adopts", "ISO 5208:2015", "MOD")]


def test_std_xref_type_sets_the_degree():
    text = """<standard><front>
      <nat-meta><std-ref type="dated">GB/T 13927-2022</std-ref>
        <std-xref type="mod"><std-ref>ISO 5208:2015</std-ref></std-xref></nat-meta>
      <iso-meta><std-ref type="dated">ISO 5208:2015</std-ref></iso-meta>
    </front></standard>"""
    nat, _ = records_only(read_text(text))
    assert [(r.type, r.target, r.degree) for r in nat.relations] == [("adopts", "ISO 5208:2015", "MOD")]


def test_not_well_formed_xml_is_one_problem_with_its_line():
    [reading] = read_fixture("unbound_prefix.xml")
    assert reading.problem.line == 8
    assert reading.problem.reason == ("The file is not well-formed XML: "
                                      "Namespace prefix tbx on termEntry is not defined.")


def test_external_entities_are_never_read():
    readings = read_fixture("external_entity.xml")
    assert "root:" not in json.dumps(readings_to_json(readings))
    [reading] = readings
    assert reading.item.designation == "ISO 123:2001"
    assert reading.item.titles == {"en": "Rubber latex — Sampling"}


def test_billion_laughs_is_not_expanded():
    tracemalloc.start()
    started = time.monotonic()
    try:
        readings = read_fixture("billion_laughs.xml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 2
    assert peak < 20_000_000
    [reading] = readings
    assert reading.item.titles == {"en": "Rubber latex — Sampling"}


def test_blocks_that_name_no_document_are_problems_with_their_lines():
    problems = [r.problem for r in read_fixture("empty_template.xml")]
    assert [(p.line, p.field) for p in problems] == [(5, "std-ref"), (13, "std-ref")]
    assert problems[0].reason == "The iso-meta block names no document (its std-ref, doc-ref and std-ident are empty)."
    assert problems[1].reason == ("The nat-meta block names 'Terminology examples', which is not a standard "
                                  "designation (it has no number).")


@pytest.mark.parametrize("text", ["", "   ", "<standard><front/></standard>", "not xml at all"])
def test_nonsense_is_one_problem(text):
    readings = read_text(text)
    assert len(readings) == 1 and not readings[0].ok


@pytest.mark.realdata
def test_real_sts_samples():
    folder = shared_file("sts")
    results = {p.name: list(sts_xml.read(p)) for p in sorted(folder.rglob("*.xml"))}
    assert len(results) == 12
    records = {r.designation: r for rs in results.values() for r in records_only(rs)}
    problems = [r.problem for rs in results.values() for r in rs if not r.ok]
    assert sorted(records) == ["DIN EN ISO 13849-1:2008-12", "EN ISO 13849-1:2008", "ISO 123456:2009",
                               "ISO 13849-1:2006", "ISO 2560:2009"]
    assert len(problems) == 12

    [tbx] = results["tbx-highlight-elements.xml"]
    assert tbx.problem.line == 34
    assert "Namespace prefix tbx on termEntry is not defined" in tbx.problem.reason

    chain = records_only(results["DIN_EN_ISO_13849-1_2008-12.meta-only.xml"])
    din, en, iso = chain
    assert (din.published, din.ics) == ("2008-12", ["13.110"])
    assert [(r.type, r.target, r.degree) for r in din.relations] == [
        ("replaces", "DIN EN ISO 13849-1:2007-07", None), ("adopts", "EN ISO 13849-1:2008", "IDT")]
    assert [(r.type, r.target, r.degree) for r in en.relations] == [
        ("replaces", "EN ISO 13849-1:2006", None), ("adopts", "ISO 13849-1:2006", "IDT")]
    assert iso.published == "2006-11"
    assert iso.titles["en"] == ("Safety of machinery — Safety-related parts of control systems — "
                                "Part 1: General principles for design")

    [samp1] = records_only(results["Samp1.xml"])
    assert samp1.designation == "ISO 2560:2009"
    assert (samp1.published, samp1.committee, samp1.ics, samp1.edition, samp1.pages) == (
        "2009-05-30", "ISO/TC 44/SC 3", ["25.160.20"], "3", "29")
    assert samp1.titles["fr"] == ("Produits consommables pour le soudage — Électrodes enrobées pour le soudage "
                                  "manuel à l'arc des aciers non allié et des aciers à grains fins — Classification")


def test_a_real_error_is_named_even_when_undeclared_entities_come_first():
    text = ('<standard><front><iso-meta>\n<std-ref type="dated">ISO 5208:2015&nbsp;</std-ref>\n'
            '<comm-ref>ISO/TC 153</iso-meta></front></standard>')
    [reading] = read_text(text)
    assert reading.problem.line == 3
    assert reading.problem.reason == ("The file is not well-formed XML: "
                                      "Opening and ending tag mismatch: comm-ref line 3 and iso-meta.")


def test_a_bad_release_date_is_a_problem_naming_the_element():
    text = ('<standard><front><iso-meta>\n<std-ref type="dated">ISO 5208:2015</std-ref>\n'
            '<release-date>30/05/2015</release-date></iso-meta></front></standard>')
    [reading] = read_text(text)
    assert (reading.problem.line, reading.problem.field) == (1, "release-date")
    assert reading.problem.reason == ("The iso-meta block of ISO 5208:2015 has release-date '30/05/2015', "
                                      "which is not a date like 2009-05-30.")


@pytest.mark.parametrize("name", sorted(p.name for p in CASES))
def test_every_fixture_sniffs_as_sts_xml(name):
    assert sts_xml.sniff((FOLDER / name).read_bytes()[:4096])
