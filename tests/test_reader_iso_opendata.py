"""ISO Open Data readers: deliverables (JSON, JSON lines), the ICS tree (CSV, XML), committees (JSONL, CSV)."""
from __future__ import annotations

import pytest

from conftest import FIXTURES, check_expected, shared_file
from ingest import ics_tree, iso_committees, iso_deliverables
from ingest.iso_opendata import decode_text, html_to_text, iter_csv_records

HERE = FIXTURES / "readers" / "iso-opendata"
READERS = {
    "iso-9001-2015.json": iso_deliverables.read_iso_deliverables,
    "deliverables.jsonl": iso_deliverables.read_iso_deliverables,
    "ics-small.csv": ics_tree.read_ics_csv,
    "ics-small.xml": ics_tree.read_ics_xml,
    "ics-broken.xml": ics_tree.read_ics_xml,
    "committees.jsonl": iso_committees.read_iso_committees,
    "committees.csv": iso_committees.read_iso_committees_csv,
}


def read_fixture(name: str):
    with open(HERE / name, "rb") as fp:
        return list(READERS[name](fp, name))


@pytest.mark.parametrize("name", sorted(READERS))
def test_fixture_table(name):
    check_expected(read_fixture(name), HERE / name)


def test_every_fixture_is_in_the_table():
    on_disk = {p.name for p in HERE.iterdir() if not p.name.endswith(".expected.json")}
    assert on_disk == set(READERS)


def outcome(readings):
    return [str(r.problem) if r.problem else (r.line, getattr(r.item, "designation", None) or getattr(r.item, "code", None)
                                              or r.item.reference) for r in readings]


# --- deliverables -----------------------------------------------------------------------------

def test_single_pretty_printed_object_with_word_html_scope():
    (reading,) = read_fixture("iso-9001-2015.json")
    rec = reading.item
    assert (rec.designation, rec.status, rec.published, rec.edition, rec.pages) == (
        "ISO 9001:2015", "current", "2015-09-22", "5", "29")
    assert (rec.committee, rec.ics) == ("ISO/TC 176/SC 2", ["03.120.10", "03.100.70"])
    assert rec.titles == {"en": "Quality management systems — Requirements",
                          "fr": "Systèmes de management de la qualité — Exigences"}
    assert rec.scope == {"en": "Fixture text: what this standard asks of an organization.\n"
                               "— a first listed point;\n"
                               "— a second point, with a line break in the source."}
    assert rec.relations == []  # 46486, 54538 and 88464 are not rows of this file


def test_jsonl_resolves_ids_within_the_file_and_reports_bad_rows():
    readings = read_fixture("deliverables.jsonl")
    assert outcome(readings) == [
        (1, "ISO 5208:2015"),
        (2, "ISO 5208:2008"),
        (3, "ISO/IEC 19566-7:2022/Amd 1:2025"),
        "deliverables.jsonl:5: status: currentStage '7000' is not a known ISO stage.",
        "deliverables.jsonl:6: reference: the row has no reference, so it names no standard.",
        "deliverables.jsonl:7: published: publicationDate '22/09/2015' is not a date (YYYY-MM-DD).",
        "deliverables.jsonl:8: -: each deliverable must be a JSON object.",
        "deliverables.jsonl:9: -: not valid JSON: Expecting property name enclosed in double quotes at column 37.",
    ]
    new, old = readings[0].item, readings[1].item
    assert [(r.type, r.target) for r in new.relations] == [("replaces", "ISO 5208:2008")]
    assert [(r.type, r.target) for r in old.relations] == [("replaced_by", "ISO 5208:2015")]
    assert (new.status, old.status) == ("current", "replaced")
    assert readings[2].item.scope == {}


def test_empty_deliverables_file_is_one_problem(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"\n")
    (reading,) = list(iso_deliverables.read(path))
    assert reading.problem.reason == "the file is empty: it holds no deliverable."


def test_broken_single_json_object_names_its_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_bytes(b'{\n  "reference": "ISO 9001:2015",\n  "edition": 5,\n')
    (reading,) = list(iso_deliverables.read(path))
    assert reading.problem.line == 4 and reading.problem.reason.startswith("not valid JSON: Expecting property name")


# --- ICS ----------------------------------------------------------------------------------------

def test_ics_csv_bad_rows_are_problems_and_the_rest_come_out():
    readings = read_fixture("ics-small.csv")
    assert outcome(readings) == [
        (2, "21"),
        (3, "21.040"),
        "ics-small.csv:4: -: malformed CSV row: a quote inside a quoted field is not doubled (',' expected after '\"').",
        (5, "23"),
        (6, "23.060"),
        (8, "23.060.01"),
        (9, "23.060.10"),
        "ics-small.csv:10: identifier: '23.6' is not an ICS code (NN, NN.NNN or NN.NNN.NN).",
        "ics-small.csv:11: parent: parent '23.070' does not contain code '23.060.20' (expected '23.060').",
        "ics-small.csv:12: title: ICS code 23.060.30 has no title.",
        "ics-small.csv:13: -: the row has 3 fields where the header has 6.",
    ]
    valves = readings[4].item
    assert valves.notes == {"en": "Fixture note over two lines", "fr": 'Note de test "entre guillemets"'}
    assert readings[6].item.titles == {"en": "Globe valves", "fr": "Robinets à soupape", "zh": "截止阀"}
    assert readings[6].item.title_sources == {"zh": "catalogue:classnames"}


def test_ics_xml_gives_the_same_nodes_as_csv_and_rejects_strays():
    readings = read_fixture("ics-small.xml")
    assert outcome(readings) == [
        (3, "23"),
        (9, "23.060"),
        (23, "23.060.10"),
        "ics-small.xml:29: parent: parent '23.070' does not contain code '23.060.99' (expected '23.060').",
        "ics-small.xml:34: -: unexpected element <section>; an ICS file holds <field>, <group> and <subGroup>.",
    ]
    assert readings[1].item.notes == {"en": "Fixture note over two lines"}
    assert readings[1].item.parent == "23"


def test_broken_xml_is_one_problem():
    (reading,) = read_fixture("ics-broken.xml")
    assert str(reading.problem) == "ics-broken.xml:9: -: not well-formed XML: Premature end of data in tag field line 8."


def test_ics_xml_external_entities_are_not_resolved(tmp_path):
    path = tmp_path / "ICS-entity.xml"
    path.write_bytes(b'<?xml version="1.0"?>\n<!DOCTYPE fields [<!ENTITY ext SYSTEM "file:///etc/hostname">]>\n'
                     b'<fields><field><identifier>23</identifier><title xml:lang="en">Fluid &ext;systems</title>'
                     b'</field></fields>')
    (reading,) = list(ics_tree.read(path))
    assert reading.item.titles == {"en": "Fluid &ext;systems", "zh": "流体系统和通用件"}


def test_unbalanced_quote_does_not_swallow_the_rest():
    text = 'identifier,parent\n"01,\n"03",\n"07",\n'
    got = list(iter_csv_records(text))
    assert got[0] == (1, ["identifier", "parent"], None)
    assert got[1][0] == 2 and got[1][2].startswith("malformed CSV row")
    assert [(line, fields) for line, fields, _ in got[2:]] == [(3, ["03", ""]), (4, ["07", ""])]


# --- committees ---------------------------------------------------------------------------------

def test_committees_jsonl():
    readings = read_fixture("committees.jsonl")
    assert outcome(readings) == [
        (1, "ISO/TC 153"),
        (2, "ISO/TC 191"),
        "committees.jsonl:3: reference: the row has no committee reference.",
        "committees.jsonl:4: -: not valid JSON: Expecting value at column 1.",
    ]
    tc = readings[0].item
    assert (tc.titles, tc.publisher) == ({"en": "Valves"}, "ISO")
    assert tc.scope == "Fixture scope for valves.\nExcluded :\n- fixture item one;\n- fixture item two."


def test_committees_csv_is_windows_1252():
    readings = read_fixture("committees.csv")
    assert outcome(readings) == [
        (2, "ISO/TC 153"),
        (3, "ISO/TC 191"),
        "committees.csv:4: -: the row has 3 fields where the header has 19.",
    ]
    assert readings[0].item.scope.endswith("- fixture item two at 50 °C.")


@pytest.mark.parametrize("raw, text", [
    (b"\xef\xbb\xbfidentifier", "identifier"),
    ("énergie".encode("utf-8"), "énergie"),
    ("énergie 50 °C".encode("cp1252"), "énergie 50 °C"),
])
def test_decode_text(raw, text):
    assert decode_text(raw) == text


def test_html_to_text_plain_and_short_texts_stay_as_they_are():
    assert html_to_text("Standardization of ships/boats") == "Standardization of ships/boats"
    assert html_to_text("") == ""
    assert html_to_text("a &amp; b<br>c") == "a & b\nc"


@pytest.mark.parametrize("module, head, expected", [
    (iso_deliverables, b'{"id":62085,"deliverableType":"IS","reference":"ISO 9001:2015"', True),
    (iso_deliverables, b'{"id":53156,"reference":"ISO/TC 153","secretariat":{}}', False),
    (iso_committees, b'{"id":53156,"reference":"ISO/TC 153","status":"Active","secretariat":{}}', True),
    (iso_committees, b"id,reference,status,title.en,secretariat.id\n", True),
    (iso_committees, b"\xef\xbb\xbfidentifier,parent,titleEn,titleFr,scopeEn,scopeFr\n", False),
    (ics_tree, b"\xef\xbb\xbfidentifier,parent,titleEn,titleFr,scopeEn,scopeFr\n", True),
    (ics_tree, b'<?xml version="1.0"?>\n<fields>\n  <field>\n    <identifier>01</identifier>', True),
    (ics_tree, b"<standard><front/></standard>", False),
])
def test_sniff(module, head, expected):
    assert module.sniff(head) is expected


# --- real data ------------------------------------------------------------------------------------

def read_real(module, *parts):
    path = shared_file("iso", "opendata", *parts)
    readings = list(module.read(path))
    return [r.item for r in readings if r.ok], [str(r.problem) for r in readings if not r.ok]


@pytest.mark.realdata
def test_real_deliverables():
    (iso9001,), problems = read_real(iso_deliverables, "62085.json")
    assert problems == []
    assert (iso9001.designation, iso9001.status, iso9001.published, iso9001.edition, iso9001.pages) == (
        "ISO 9001:2015", "current", "2015-09-22", "5", "29")
    assert iso9001.scope["en"].startswith("ISO 9001:2015 specifies requirements for a quality management system")
    items, problems = read_real(iso_deliverables, "88821-88915.jsonl")
    assert problems == []
    assert [(r.designation, r.status, r.committee, r.ics) for r in items] == [
        ("ISO/TR 7035-2:2024", "current", "ISO/TC 5/SC 2", ["23.040.10"]),
        ("ISO/IEC 19566-7:2022/Amd 1:2025", "current", "ISO/IEC JTC 1/SC 29", ["35.040.30"]),
    ]
    assert "<" not in items[0].scope["en"] and "mso-" not in items[0].scope["en"]
    (single,), _ = read_real(iso_deliverables, "88821.json")
    assert single == items[0]


@pytest.mark.realdata
def test_real_ics_csv_and_xml_agree():
    csv_nodes, csv_problems = read_real(ics_tree, "ICS.csv")
    xml_nodes, xml_problems = read_real(ics_tree, "ICS-simple.xml")
    assert (len(csv_nodes), csv_problems, len(xml_nodes), xml_problems) == (1381, [], 1381, [])
    assert sorted(csv_nodes, key=lambda n: n.code) == sorted(xml_nodes, key=lambda n: n.code)
    by_code = {n.code: n for n in csv_nodes}
    assert by_code["23.060.10"].titles == {"en": "Globe valves", "fr": "Robinets à soupape", "zh": "截止阀"}
    assert (by_code["23.060.10"].parent, by_code["23.060"].parent, by_code["23"].parent) == ("23.060", "23", "")
    assert by_code["23.060.01"].titles["en"] == "Valves in general"
    assert by_code["01.020"].notes == {"en": "Including terminography", "fr": "Y compris terminographie"}
    assert sum(len(c) == 2 for c in by_code) == 40


@pytest.mark.realdata
def test_real_malformed_ics_csv_names_the_bad_row():
    nodes, problems = read_real(ics_tree, "ICS.malformed-quote.csv")
    assert len(nodes) == 1380
    assert [p.split(": ", 1)[0].rsplit("/", 1)[-1] for p in problems] == ["ICS.malformed-quote.csv:661"]
    assert problems[0].endswith("malformed CSV row: a quote inside a quoted field is not doubled (',' expected after '\"').")
    assert "21.040.30" not in {n.code for n in nodes} and "21.040.20" in {n.code for n in nodes}


@pytest.mark.realdata
def test_real_committees_jsonl_and_csv():
    from_jsonl, problems = read_real(iso_committees, "iso_technical_committees.jsonl")
    from_csv, csv_problems = read_real(iso_committees, "iso_technical_committees.csv")
    assert (len(from_jsonl), problems, len(from_csv), csv_problems) == (785, [], 785, [])
    tc153 = next(c for c in from_jsonl if c.reference == "ISO/TC 153")
    assert (tc153.titles, tc153.publisher) == ({"en": "Valves"}, "ISO")
    assert tc153.scope.startswith("Standardization in the field of industrial valves")
    assert "\n- solenoids." in tc153.scope
    assert [c.reference for c in from_csv] == [c.reference for c in from_jsonl]
    assert [c.titles for c in from_csv] == [c.titles for c in from_jsonl]
    # The CSV is Windows-1252: its "IEA - énergie" liaison decodes, and no replacement characters appear.
    assert not any("\ufffd" in c.scope for c in from_csv)
