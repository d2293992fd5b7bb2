"""The designation grammar: a table of real designations, the rejects, describe() and find_designations()."""
from __future__ import annotations

import json
import re

import pytest

from catalogue.designation import (
    Designation,
    DesignationError,
    Found,
    describe,
    find_designations,
    normalise_text,
    parse_designation,
    try_parse,
)
from conftest import FIXTURES, shared_file

TABLE = FIXTURES / "designations.tsv"
REJECTS = FIXTURES / "not_designations.tsv"


def read_rows(path):
    """The rows of a TSV fixture, split on tabs; lines starting with '#' are comments."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


ROWS = read_rows(TABLE)
REJECT_ROWS = read_rows(REJECTS)


def test_table_covers_enough_real_designations_and_publishers():
    displays = {display for _, display, _, _ in ROWS}
    prefixes = {parse_designation(d).prefix for d in displays}
    assert len(displays) >= 300
    assert len(prefixes) >= 20
    assert len(ROWS) > len(displays)  # several spellings per edition


@pytest.mark.parametrize(("text", "display", "key", "work"), ROWS, ids=[f"{i}:{r[0]}" for i, r in enumerate(ROWS)])
def test_table_row_parses_to_its_display_key_and_work(text, display, key, work):
    found = parse_designation(text)
    assert (found.display, found.key, found.work) == (display, key, work)
    assert re.fullmatch(r"[a-z0-9.-]+", found.key)


@pytest.mark.parametrize(("text", "reason"), REJECT_ROWS, ids=[f"{i}:{r[0]!r}" for i, r in enumerate(REJECT_ROWS)])
def test_rejects_non_designations_with_a_reason(text, reason):
    with pytest.raises(DesignationError) as caught:
        parse_designation(text)
    message = str(caught.value)
    assert reason in message
    assert message.startswith(f"'{text.strip()}' is not a standard designation: ") and message.endswith(".")
    assert try_parse(text) is None


def test_error_sentence_matches_the_brief():
    with pytest.raises(DesignationError, match=r"^'Figure 12' is not a standard designation: no known publisher prefix\.$"):
        parse_designation("Figure 12")


PARTS = [
    # text, publisher, prefix, type, number, part, year, supplement
    ("GB/T 14048.2-2020", "GB", "GB/T", "T", "14048", "2", "2020", ""),
    ("gbz20986-2007", "GB", "GB/Z", "Z", "20986", "", "2007", ""),
    ("GB 1234-89", "GB", "GB", "", "1234", "", "1989", ""),
    ("ISO 4126-1:2013", "ISO", "ISO", "", "4126", "1", "2013", ""),
    ("ISO/TS 15066:2016", "ISO", "ISO/TS", "TS", "15066", "", "2016", ""),
    ("ISO/IEC Guide 2:2004", "ISO/IEC", "ISO/IEC Guide", "Guide", "2", "", "2004", ""),
    ("ISO 5208:2015/Amd.1:2020", "ISO", "ISO", "", "5208", "", "2015", "Amd 1:2020"),
    ("IEC 60947-2:2016+AMD1:2019 CSV", "IEC", "IEC", "", "60947", "2", "2016", "Amd 1:2019 CSV"),
    ("IEC 60947-2:2016+AMD1:2019 CSV/COR1:2019", "IEC", "IEC", "", "60947", "2", "2016", "Amd 1:2019 CSV/Cor 1:2019"),
    ("IEC 60050-351:2013 RLV", "IEC", "IEC", "", "60050", "351", "2013", "RLV"),
    ("ISO 9001-2015", "ISO", "ISO", "", "9001", "", "2015", ""),
    ("ISO/CD TS 21219-1", "ISO", "ISO/CD TS", "CD TS", "21219", "1", "", ""),
    ("IEC/FDIS 63339", "IEC", "IEC/FDIS", "FDIS", "63339", "", "", ""),
    ("CEN/TS 16555-1:2013", "CEN", "CEN/TS", "TS", "16555", "1", "2013", ""),
    ("ANSI/ASME B16.34-2017", "ASME", "ASME", "", "B16.34", "", "2017", ""),
    ("ASME BPVC Section VIII Division 1", "ASME", "ASME", "", "BPVC.VIII.1", "", "", ""),
    ("ASTM E29-13(2019)", "ASTM", "ASTM", "", "E29", "", "2013", ""),  # a reapproval: an edition
    ("IEEE Std 802.3-2022", "IEEE", "IEEE", "", "802.3", "", "2022", ""),
    ("DB33/ 1234-2020", "DB33", "DB33/", "", "1234", "", "2020", ""),
    ("BS EN ISO 4126-1:2013+A1:2016", "BS", "BS EN ISO", "", "4126", "1", "2013", "+A1:2016"),
    ("DIN EN ISO 13849-1:2008-12", "DIN", "DIN EN ISO", "", "13849", "1", "2008", ""),
    ("API Spec 6D 2014", "API", "API Spec", "Spec", "6D", "", "2014", ""),
    ("API RP 520 Part 1", "API", "API RP", "RP", "520", "1", "", ""),
    ("ASTM A216/A216M-18", "ASTM", "ASTM", "", "A216/A216M", "", "2018", ""),
    ("ASTM A105/A105M-98", "ASTM", "ASTM", "", "A105/A105M", "", "1998", ""),
    ("ASTM D1785-15e1", "ASTM", "ASTM", "", "D1785", "", "2015", ""),  # an editorial change: an edition
    ("MSS SP-25-2018", "MSS", "MSS SP", "", "25", "", "2018", ""),
    ("JIS B2071:2000", "JIS", "JIS", "", "B2071", "", "2000", ""),
    ("ASME B16.34-2017", "ASME", "ASME", "", "B16.34", "", "2017", ""),
    ("DB33/T 778-2010", "DB33", "DB33/T", "T", "778", "", "2010", ""),
    ("T/ZZB 0664-2018", "T/ZZB", "T/ZZB", "", "0664", "", "2018", ""),
    ("Q/ZJSB 001-2020", "Q/ZJSB", "Q/ZJSB", "", "001", "", "2020", ""),
]


@pytest.mark.parametrize("row", PARTS, ids=[r[0] for r in PARTS])
def test_parts_of_a_designation(row):
    found = parse_designation(row[0])
    got = (found.publisher, found.prefix, found.type, found.number, found.part, found.year, found.supplement)
    assert got == row[1:]
    assert found.dated is bool(row[6])


def test_keys_from_the_brief():
    assert parse_designation("API Spec 6D").key == parse_designation("API 6D").key == "api-6d"
    assert parse_designation("API Spec 6D").display == "API Spec 6D"
    assert parse_designation("MSS SP-25-2018").key == "mss-sp-25-2018"
    assert parse_designation("ASME B16.34-2017").key == "asme-b16.34-2017"
    assert parse_designation("IEC 60947-2:2016").key == "iec-60947-2-2016"
    assert parse_designation("ISO 5208:2015/Amd 1:2020").work == "iso-5208-2015-amd-1"
    assert parse_designation("ISO 5208:2015").work == "iso-5208"


def test_normalise_text_folds_what_people_type():
    assert normalise_text("ＧＢ／Ｔ　１２２３８—２００８") == "GB/T 12238-2008"
    assert normalise_text("  ISO  5208：2015 ") == "ISO 5208:2015"
    assert normalise_text("GB/T 12238、GB/T 12237") == "GB/T 12238,GB/T 12237"
    assert normalise_text("GB/T 13927–2008") == "GB/T 13927-2008"


def test_describe_shape_when_ok():
    got = describe("iso5208:2015")
    assert list(got) == ["input", "ok", "display", "key", "work", "publisher", "type", "number", "part", "year",
                         "supplement"]
    assert got == {"input": "iso5208:2015", "ok": True, "display": "ISO 5208:2015", "key": "iso-5208-2015",
                   "work": "iso-5208", "publisher": "ISO", "type": "", "number": "5208", "part": "", "year": "2015",
                   "supplement": ""}
    assert json.loads(json.dumps(got)) == got


def test_describe_shape_when_rejected():
    got = describe("Figure 12")
    assert list(got) == ["input", "ok", "display", "key", "work", "publisher", "type", "number", "part", "year",
                         "supplement", "error"]
    assert got["ok"] is False
    assert all(got[name] is None for name in list(got)[2:-1])
    assert got["error"] == "'Figure 12' is not a standard designation: no known publisher prefix."


FIND_CASES = [
    ("按ISO5208:2015进行壳体试验", [("ISO5208:2015", 1, 13, "iso-5208-2015")]),
    ("GB/T 13927—2008《工业阀门 压力试验》", [("GB/T 13927—2008", 0, 15, "gb-t-13927-2008")]),
    ("API Std 598", [("API Std 598", 0, 11, "api-598")]),
    ("IEC60947-2:2016", [("IEC60947-2:2016", 0, 15, "iec-60947-2-2016")]),
    ("according to EN ISO 4126-1 and ISO 5208",
     [("EN ISO 4126-1", 13, 26, "en-iso-4126-1"), ("ISO 5208", 31, 39, "iso-5208")]),
    ("GB/T 12238、GB/T 12237", [("GB/T 12238", 0, 10, "gb-t-12238"), ("GB/T 12237", 11, 21, "gb-t-12237")]),
    ("按ISO5208进行", [("ISO5208", 1, 8, "iso-5208")]),
    ("阀门按 API 6D, 试验按 API 598 执行。", [("API 6D", 4, 10, "api-6d"), ("API 598", 16, 23, "api-598")]),
    ("见 DB33/T 778-2010 和 T/ZZB 0664-2018；",
     [("DB33/T 778-2010", 2, 17, "db33-t-778-2010"), ("T/ZZB 0664-2018", 20, 35, "t-zzb-0664-2018")]),
    ("材料符合ＧＢ／Ｔ　１２２３８—２００８。", [("ＧＢ／Ｔ　１２２３８—２００８", 4, 19, "gb-t-12238-2008")]),
    ("see ASTM A216/A216M-18, MSS SP-25 and JB/T 7927-2014.",
     [("ASTM A216/A216M-18", 4, 22, "astm-a216-a216m-2018"), ("MSS SP-25", 24, 33, "mss-sp-25"),
      ("JB/T 7927-2014", 38, 52, "jb-t-7927-2014")]),
    ("（GB / T 20223 -2018）规定", [("GB / T 20223 -2018", 1, 19, "gb-t-20223-2018")]),
    ("IEC 60947-2:2016+AMD1:2019 CSV is consolidated",
     [("IEC 60947-2:2016+AMD1:2019 CSV", 0, 30, "iec-60947-2-2016-amd-1-2019-csv")]),
]


@pytest.mark.parametrize(("text", "expected"), FIND_CASES, ids=[c[0] for c in FIND_CASES])
def test_find_designations_with_exact_offsets(text, expected):
    found = find_designations(text)
    assert [(f.text, f.start, f.end, f.designation.key) for f in found] == expected
    for item in found:
        assert isinstance(item, Found) and isinstance(item.designation, Designation)
        assert text[item.start:item.end] == item.text


@pytest.mark.parametrize("text", ["表 VI-1", "Figure 12", "第13版", "page 12", "电话 0577-88888888", "2015-06-01",
                                  "ISO", "ISO alone", "Table A.1", "ISO/TC 153/SC 1 works on valves",
                                  "in en 2015 you'll see", "the CH 12 of the book", "p. 45",
                                  "gb688 is a page id"])
def test_find_designations_ignores_look_alikes(text):
    assert find_designations(text) == []


KNOWN_MEMBERS = {
    "data/iso-5208-2015.yaml": ("ISO 5208:2015", "iso-5208-2015", "iso-5208"),
    "data/iso-4126-1-2013-amd-1-2016.yaml": ("ISO 4126-1:2013/Amd 1:2016", "iso-4126-1-2013-amd-1-2016",
                                             "iso-4126-1-2013-amd-1"),
    "data/iec_60947-2_2016+amd1_2019_csv.yaml": ("IEC 60947-2:2016+AMD1:2019 CSV", "iec-60947-2-2016-amd-1-2019-csv",
                                                 "iec-60947-2-2016-amd-1-csv"),
}


def read_primary_ids(archive, every):
    """(member name, primary docid) for every n-th member of a Relaton archive, plus the KNOWN_MEMBERS."""
    import tarfile

    with tarfile.open(archive, "r:xz") as tar:
        for index, member in enumerate(tar):
            if not member.isfile() or (index % every and member.name not in KNOWN_MEMBERS):
                continue
            text = tar.extractfile(member).read().decode("utf-8")
            match = re.search(r"^docid:\n(?:- )?\s*id: (.+)$", text, re.M)
            yield member.name, match.group(1).strip()


@pytest.mark.realdata
def test_real_iso_and_iec_identifiers_parse():
    """Every 50th primary identifier of the ISO and IEC Relaton archives parses; known ones exactly."""
    seen = parsed = 0
    failures = []
    known = {}
    for name in ("iso/relaton/iso-relaton-yaml.tar.xz", "iec/relaton/iec-relaton-yaml.tar.xz"):
        for member, identifier in read_primary_ids(shared_file(*name.split("/")), every=50):
            seen += 1
            found = try_parse(identifier)
            if found is None:
                failures.append(identifier)
                continue
            parsed += 1
            if member in KNOWN_MEMBERS:
                known[member] = (found.display, found.key, found.work)
    assert seen > 1800
    assert known == KNOWN_MEMBERS
    # 99.5 % of all 94,161 identifiers parse; the rest are draft iterations ("ISO/DIS 10239.2") and
    # IEC fragments ("/FRAG1"), listed in .briefs/designation-forms.md.
    assert parsed / seen > 0.98, failures[:20]


@pytest.mark.realdata
def test_real_gb_page_designation_split_across_tags():
    """std.samr pages print 'GB / T 20223 -2018' across tags; the folded text still parses."""
    page = shared_file("gb", "html", "std-samr", "gbt_20223_2014.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", page)
    found = {(f.text, f.designation.key) for f in find_designations(text)}
    assert found == {
        ("GB  /  T   20223 -2006", "gb-t-20223-2006"),
        ("GB  /  T   20223 -2018", "gb-t-20223-2018"),
        ("NB /  T   20223 -2013", "nb-t-20223-2013"),
    }
