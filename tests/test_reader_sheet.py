"""The librarians' spreadsheet reader (CSV and XLSX): fixture table, sniffing, encodings, bad input."""
from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from catalogue.records import Problem, records_only
from conftest import FIXTURES, ROOT, check_expected, shared_file
from ingest import sheet

SHEET_DIR = FIXTURES / "readers" / "sheet"
FIXTURE_FILES = sorted(p for p in SHEET_DIR.iterdir() if p.suffix in (".csv", ".txt"))
TEMPLATES = ROOT / "docs" / "templates"
TITLE_13849 = "Safety of machinery — Safety-related parts of control systems — Part 1: General principles for design"


def problems_of(readings) -> list[str]:
    return [str(r.problem) for r in readings if not r.ok]


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=[p.name for p in FIXTURE_FILES])
def test_fixture_table(fixture: Path):
    # Read by the bare name, so the table is the same on every machine.
    with open(fixture, "rb") as fp:
        check_expected(list(sheet.read_sheet(fp, fixture.name)), fixture)


def test_fixture_folder_covers_every_encoding_and_case():
    assert {p.name for p in FIXTURE_FILES} == {
        "museum-utf8.csv", "museum-bom-semicolon.csv", "museum-gb18030.csv", "unicode-text.txt",
        "bad-rows.csv", "no-designation.csv"}
    assert (SHEET_DIR / "museum-bom-semicolon.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        (SHEET_DIR / "museum-gb18030.csv").read_bytes().decode("utf-8")


def test_gb18030_export_reads_title_row_serial_column_and_multiline_note():
    readings = list(sheet.read(SHEET_DIR / "museum-gb18030.csv"))
    assert problems_of(readings) == []
    records = records_only(readings)
    assert [(r.line, ) for r in readings] == [(3,), (5,), (6,)]  # a title row above, a blank row between
    assert [r.status for r in records] == ["withdrawn", "withdrawn", "current"]
    assert records[2].holdings[0].note == "馆员常用，\n请勿外借"
    assert records[2].holdings[0].format == "pdf"


def test_utf8_sheet_relations_and_cleaned_codes():
    records = {r.designation: r for r in records_only(sheet.read(SHEET_DIR / "museum-utf8.csv"))}
    old = records["GB/T 20223-2006"]
    assert (old.status, old.withdrawn) == ("withdrawn", "2018-05-01")  # 废止 with a successor stays withdrawn
    assert [(r.type, r.target) for r in old.relations] == [("replaced_by", "GB/T 20223-2018")]
    assert [(r.type, r.target) for r in records["GB/T 5606.1-2004"].relations] == [("replaces", "GB/T 5606.1-1996")]
    assert records["GB/T 5606.1-1996"].relations[0].type == "replaced_by"  # '无' in 代替标准 gives nothing
    assert records["JB/T 13368-2018"].ics == ["53.060"]  # std.samr prints 53.06
    assert records["T/GZAEPI 001—2018"].ccs == "Y68"
    assert records["T/GZAEPI 001—2018"].in_force == "2018-07-01"


def test_bad_rows_name_line_and_field_and_good_rows_land():
    readings = list(sheet.read(SHEET_DIR / "bad-rows.csv"))
    assert problems_of(readings) == [
        f"{SHEET_DIR}/bad-rows.csv:3: designation: The standard number (标准号 / Designation) is empty; every row needs one.",
        f"{SHEET_DIR}/bad-rows.csv:4: status: Unknown status word '停用'; use one of: 现行, 即将实施, 废止, 被代替, 草案 "
        "(or current, upcoming, withdrawn, replaced, draft).",
        f"{SHEET_DIR}/bad-rows.csv:5: published: '2004-02-30' is not a date; write 2020-01-31, 2020/1/31, 2020.01.31 or 2020年1月31日.",
        f"{SHEET_DIR}/bad-rows.csv:5: in_force: '待定' is not a date; write 2020-01-31, 2020/1/31, 2020.01.31 or 2020年1月31日.",
        f"{SHEET_DIR}/bad-rows.csv:6: -: Malformed CSV record starting on text line 6 (',' expected after '\"'); "
        "a quote inside a quoted cell must be doubled. The row was skipped.",
        f"{SHEET_DIR}/bad-rows.csv:7: adoption: Adoption 'ISO 13849-1:2006' gives no degree (IDT/等同, MOD/修改 or NEQ/非等效) "
        "for ISO 13849-1:2006.",
        f"{SHEET_DIR}/bad-rows.csv:8: ics: '机械' holds no ICS code such as 23.060.10.",
        f"{SHEET_DIR}/bad-rows.csv:9: pages: '十二' is not a number of pages.",
        f"{SHEET_DIR}/bad-rows.csv:10: -: This row has 12 cells but the heading row names 11; a cell holding the separator "
        "must be quoted. The row was skipped.",
    ]
    assert [(r.line, r.item.designation) for r in readings if r.ok] == [(2, "GB/T 20223-2018"), (11, "GB/T 1.1-2009")]


def test_missing_designation_column_loads_nothing():
    readings = list(sheet.read(SHEET_DIR / "no-designation.csv"))
    assert len(readings) == 1
    assert readings[0].problem.line == 1 and readings[0].problem.field == "designation"
    assert readings[0].problem.reason.startswith("No designation column (标准号 / Designation), so nothing was read;")


def test_unknown_column_is_one_problem_per_file_and_rows_still_load():
    readings = list(sheet.read(SHEET_DIR / "museum-bom-semicolon.csv"))
    (problem,) = [r.problem for r in readings if not r.ok]
    assert (problem.line, problem.field) == (1, "Colour")
    assert problem.reason.startswith("Unknown column 'Colour' ignored; known columns are 标准号/Designation, ")
    assert len(records_only(readings)) == 4


def test_semicolon_sheet_with_english_headings():
    records = records_only(sheet.read(SHEET_DIR / "museum-bom-semicolon.csv"))
    iso2006, iso2023, en, din = records
    assert iso2006.titles["en"] == TITLE_13849 and iso2006.titles["fr"].startswith("Sécurité des machines — ")
    assert (iso2006.status, iso2006.published, iso2006.committee) == ("withdrawn", "2006-11", "ISO/TC 199")
    assert iso2006.keywords == ["safety of machinery", "control systems"]
    assert [(r.type, r.target) for r in iso2006.relations] == [
        ("replaces", "ISO 13849-1:1999"), ("replaced_by", "ISO 13849-1:2015")]
    assert (iso2023.status, iso2023.holdings[0].format) == ("current", "pdf")
    assert [(r.type, r.target, r.degree) for r in en.relations if r.type == "adopts"] == [
        ("adopts", "ISO 13849-1:2006", "IDT")]
    assert en.status == "replaced" and din.status == "replaced"
    assert [(r.type, r.target, r.degree) for r in din.relations][-1] == ("adopts", "EN ISO 13849-1:2008", "IDT")
    assert din.holdings == []  # no holding cell filled: no holding


def build_museum_xlsx(path: Path) -> Path:
    """An XLSX as a librarian keeps it: a notes sheet first, then 标准 with a merged title row,
    a blank row, a heading merged over two columns, date cells, a lost-format serial and a float ICS."""
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active["A1"] = "本表记录温州标准馆馆藏标准。"
    ws = book.create_sheet("标准")
    ws["A1"] = "温州标准馆 馆藏标准（机械安全）"
    ws.merge_cells("A1:F1")
    ws.append([])
    ws.append(["标准号", "标准名称", "English title", "状态", "发布日期", "实施日期", "废止日期", "被代替标准",
               "采标情况", "ICS", None, "归口单位", "页数", "载体"])
    ws.merge_cells("J3:K3")
    ws.append(["ISO 13849-1:2015", None, TITLE_13849, "withdrawn", "2015-12", None, None, "ISO 13849-1:2023",
               None, 13.11, None, "ISO/TC 199", None, "paper"])
    ws.append(["DIN EN ISO 13849-1:2008-12", None, TITLE_13849, "replaced", "2008-12", dt.datetime(2008, 12, 1),
               None, None, "EN ISO 13849-1:2008（IDT）", "13.110", None, None, None, "纸本"])
    ws.append([])
    ws.append(["GB/T 20223-2018", "棉短绒", "Cotton linter", "现行", 43174, dt.date(2018, 5, 1), None, None,
               None, "59.060.10", None, "全国纤维标准化技术委员会", None, None])
    ws.append(["GB/T 20223-2006", "棉短绒", "Cotton linter", "废止", dt.datetime(2006, 3, 10), "2006-09-01",
               "待定", "GB/T 20223-2018", None, "59.060.10", None, None, None, None])
    ws.append(["ISO 9001:2015", None, "Quality management systems — Requirements", "现行", dt.datetime(2015, 9, 22),
               None, None, None, None, "03.120.10", "03.100.70", "ISO/TC 176/SC 2", 29, "PDF"])
    book.save(path)
    return path


def test_xlsx_table(tmp_path):
    # Built fresh each run (openpyxl stamps the time into the file); compared with the committed JSON.
    with open(build_museum_xlsx(tmp_path / "museum.xlsx"), "rb") as fp:
        readings = list(sheet.read_sheet(fp, "museum.xlsx"))
    check_expected(readings, SHEET_DIR / "museum.xlsx")


def test_xlsx_cells_become_dates_codes_and_numbers(tmp_path):
    readings = list(sheet.read(build_museum_xlsx(tmp_path / "museum.xlsx")))
    assert problems_of(readings) == [
        f"{tmp_path}/museum.xlsx:8: withdrawn: '待定' is not a date; write 2020-01-31, 2020/1/31, 2020.01.31 or 2020年1月31日.",
        f"{tmp_path}/museum.xlsx:9: -: Column K (number 11) has values but no heading; its values are ignored.",
    ]
    iso, din, gb, iso9001 = records_only(readings)
    assert iso.ics == ["13.110"]  # a number cell: 13.11
    assert (din.in_force, din.relations[0].target, din.relations[0].degree) == ("2008-12-01", "EN ISO 13849-1:2008", "IDT")
    assert (gb.published, gb.in_force) == ("2018-03-15", "2018-05-01")  # a lost-format serial, a date cell
    assert (iso9001.published, iso9001.pages, iso9001.ics) == ("2015-09-22", "29", ["03.120.10"])
    assert [r.line for r in readings if r.ok] == [4, 5, 7, 9]


def test_xlsx_first_sheet_when_none_is_named_standards(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["Designation", "Title"])
    book.active.append(["ISO 13849-1:2023", TITLE_13849])
    book.create_sheet("Other").append(["标准号", "标准名称"])
    book.save(tmp_path / "plain.xlsx")
    (record,) = records_only(sheet.read(tmp_path / "plain.xlsx"))
    assert (record.designation, record.titles) == ("ISO 13849-1:2023", {"en": TITLE_13849})


def test_zip_bomb_like_member_is_refused_before_opening(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    readings = list(sheet.read(path))
    assert len(readings) == 1
    reason = readings[0].problem.reason
    assert reason.startswith("The member xl/worksheets/sheet1.xml of this XLSX file is compressed more than 200 times")
    assert reason.endswith("like a zip bomb; it was not opened.")


def test_member_claiming_a_huge_size_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
    data = bytearray(buffer.getvalue())
    central = data.rindex(b"PK\x01\x02")
    data[central + 24:central + 28] = struct.pack("<I", 3_000_000_000)  # uncompressed size field
    path = tmp_path / "liar.xlsx"
    path.write_bytes(bytes(data))
    assert sheet.sniff(bytes(data[:4096]))
    assert problems_of(sheet.read(path)) == [
        f"{tmp_path}/liar.xlsx: -: This XLSX file would unpack to 2861 MB (more than 100 MB); it was not opened."]


def test_broken_xlsx_and_old_xls_are_one_problem(tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04" + b"not really a zip" * 10)
    assert problems_of(sheet.read(tmp_path / "broken.xlsx")) == [
        f"{tmp_path}/broken.xlsx: -: This XLSX file is not a readable zip archive (File is not a zip file)."]
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    assert problems_of(sheet.read(tmp_path / "old.xls")) == [
        f"{tmp_path}/old.xls: -: This is an old binary Excel (.xls) file; save it as .xlsx or CSV and read that."]
    with zipfile.ZipFile(tmp_path / "empty.xlsx", "w") as archive:
        archive.writestr("xl/nothing.txt", "x")
    (problem,) = problems_of(sheet.read(tmp_path / "empty.xlsx"))
    assert problem.startswith(f"{tmp_path}/empty.xlsx: -: This XLSX workbook cannot be opened (")


def test_encoding_decided_once_and_overridable(tmp_path):
    text = "标准号,标准名称\r\nGB/T 20223-2018,棉短绒\r\n"
    for name, data in (("u.csv", text.encode("utf-8")), ("b.csv", b"\xef\xbb\xbf" + text.encode("utf-8")),
                       ("g.csv", text.encode("gb18030"))):
        (tmp_path / name).write_bytes(data)
        (record,) = records_only(sheet.read(tmp_path / name))
        assert record.titles == {"zh": "棉短绒"}, name
    (record,) = records_only(sheet.read(tmp_path / "g.csv", encoding="gb18030"))
    assert record.titles == {"zh": "棉短绒"}
    # The argument wins over the guess: UTF-8 bytes read as Latin-1 give no heading we know.
    assert problems_of(sheet.read(tmp_path / "u.csv", encoding="latin-1"))[0].startswith(
        f"{tmp_path}/u.csv: designation: No heading row found")
    assert problems_of(sheet.read(tmp_path / "g.csv", encoding="utf-8")) == [
        f"{tmp_path}/g.csv: -: This file is not valid utf-8 (byte 0)."]
    assert problems_of(sheet.read(tmp_path / "u.csv", encoding="ascii")) == [f"{tmp_path}/u.csv: -: This file is not valid ascii (byte 0)."]
    assert problems_of(sheet.read(tmp_path / "u.csv", encoding="klingon")) == [f"{tmp_path}/u.csv: -: Unknown encoding 'klingon'."]


def test_bytes_invalid_in_utf8_and_gb18030_are_one_problem(tmp_path):
    (tmp_path / "junk.csv").write_bytes("标准号,标准名称\n".encode("utf-8") + b"\xff\xfe\xff,\x80\n")
    assert problems_of(sheet.read(tmp_path / "junk.csv")) == [
        f"{tmp_path}/junk.csv: -: This file is neither UTF-8 (bad byte at offset 23) nor GB18030 (at offset 8); save it as UTF-8 "
        "CSV or name its encoding."]


def test_unclosed_quote_costs_one_row(tmp_path):
    (tmp_path / "q.csv").write_text(
        '标准号,标准名称\nGB/T 1.1-2020,"标准化工作导则\nGB/T 20223-2018,棉短绒\n"GB/T 5606.1-2004","卷烟\n第1部分:抽样"\n',
        encoding="utf-8")
    readings = list(sheet.read(tmp_path / "q.csv"))
    assert problems_of(readings) == [
        f"{tmp_path}/q.csv:2: -: Malformed CSV record starting on text line 2 (',' expected after '\"'); a quote inside "
        "a quoted cell must be doubled. The row was skipped."]
    assert [(r.line, r.item.designation, r.item.titles["zh"]) for r in readings if r.ok] == [
        (3, "GB/T 20223-2018", "棉短绒"), (4, "GB/T 5606.1-2004", "卷烟 第1部分:抽样")]


def test_empty_and_heading_only_files(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    assert problems_of(sheet.read(tmp_path / "empty.csv"))[0].startswith(
        f"{tmp_path}/empty.csv: designation: No heading row found: the first row must name the columns, for example 标准号/Designation")
    (tmp_path / "head.csv").write_text("标准号,标准名称\n", encoding="utf-8")
    assert list(sheet.read(tmp_path / "head.csv")) == []


def test_repeated_column_is_reported_once(tmp_path):
    (tmp_path / "dup.csv").write_text("标准号,标准名称,中文名称\nGB/T 20223-2018,棉短绒,棉 短绒\n", encoding="utf-8")
    readings = list(sheet.read(tmp_path / "dup.csv"))
    assert readings[0].problem == Problem(str(tmp_path / "dup.csv"), 1, "中文名称", "Column '中文名称' repeats column '标准名称'; only the first is read.")
    assert readings[1].item.titles == {"zh": "棉短绒"}


@pytest.mark.parametrize("head, expected", [
    ("标准号,标准名称,状态\r\n".encode("utf-8"), True),
    ("标准号,标准名称\r\n".encode("gb18030"), True),
    (b"\xef\xbb\xbfDesignation;Title;Status\n", True),
    (b"\xff\xfe" + "标准号\t标准名称\r\n".encode("utf-16-le"), True),
    ("温州标准馆目录,,\n序号,标准编号,中文标准名称\n".encode("utf-8"), True),
    (b"id,reference,status,title.en\n", False),  # one known heading is not enough
    (b"\xef\xbb\xbfidentifier,parent,titleEn,titleFr\n", False),
    (b"PK\x03\x04\x14\x00\x00\x00\x08\x00xl/workbook.xml", True),
    (b"PK\x03\x04\x14\x00\x00\x00\x08\x00data/iso-1-2000.yaml", False),
    (("标准号,标准名称," + "棉短绒," * 600).encode("utf-8")[:4095], True),  # cut inside a character
])
def test_sniff(head, expected):
    assert sheet.sniff(head) is expected


def test_a_sheet_is_a_sheet_whatever_its_name(tmp_path):
    from ingest.detect import detect_format

    (tmp_path / "馆藏.yaml").write_text("标准号,标准名称\nGB/T 20223-2018,棉短绒\n", encoding="utf-8")
    assert detect_format(tmp_path / "馆藏.yaml").name == "sheet"


@pytest.mark.parametrize("heading, field", [
    ("标准号", "designation"), (" Designation ", "designation"), ("STANDARD NUMBER", "designation"),
    ("ICS（国际标准分类号）", "ics"), ("标准号 / Designation", "designation"), ("发布日期 *", "published"),
    ("代替/被代替", None), ("颜色", None), ("ｓｔａｔｕｓ", "status"),
])
def test_heading_matching(heading, field):
    assert sheet._heading_field(heading) == field


@pytest.mark.parametrize("value, expected", [
    ("2020-01-01", "2020-01-01"), ("2020/1/1", "2020-01-01"), ("2020.01.01", "2020-01-01"),
    ("2020年1月1日", "2020-01-01"), ("２０２０年１月１日", "2020-01-01"), ("20200101", "2020-01-01"),
    ("2020-01-01 00:00:00", "2020-01-01"), ("2006-11", "2006-11"), ("2006年11月", "2006-11"), ("2006", "2006"),
    (dt.datetime(2008, 12, 1, 0, 0), "2008-12-01"), (dt.date(2018, 5, 1), "2018-05-01"), (43174, "2018-03-15"),
    (2015, "2015"), ("2020-02-30", None), ("2020-13", None), ("待定", None), (12, None), ("2020-1-1-1", None),
])
def test_parse_sheet_date(value, expected):
    assert sheet.parse_sheet_date(value) == expected


@pytest.mark.parametrize("text, expected", [
    ("IDT ISO 5208:2008", [("ISO 5208:2008", "IDT")]),
    ("ISO 5208:2008,IDT", [("ISO 5208:2008", "IDT")]),
    ("ISO 5208:2008, idt", [("ISO 5208:2008", "IDT")]),
    ("等同采用 ISO 5208:2008", [("ISO 5208:2008", "IDT")]),
    ("修改采用IEC 60947-2:2016", [("IEC 60947-2:2016", "MOD")]),
    ("ISO 4126-1:2013（非等效）", [("ISO 4126-1:2013", "NEQ")]),
    ("MOD ISO 13849-1:2006; NEQ ISO 12100:2010", [("ISO 13849-1:2006", "MOD"), ("ISO 12100:2010", "NEQ")]),
    ("IDT, ISO 5208:2008", [("ISO 5208:2008", "IDT")]),
    ("无", []), ("", []),
])
def test_parse_adoption(text, expected):
    assert sheet.parse_adoption(text) == expected


@pytest.mark.parametrize("text, message", [
    ("ISO 5208:2008", "Adoption 'ISO 5208:2008' gives no degree (IDT/等同, MOD/修改 or NEQ/非等效) for ISO 5208:2008."),
    ("IDT", "Adoption 'IDT' names no adopted standard, e.g. 'IDT ISO 5208:2008'."),
    ("IDT MOD ISO 5208:2008", "'IDT MOD ISO 5208:2008' gives two degrees for one standard."),
])
def test_parse_adoption_errors(text, message):
    with pytest.raises(ValueError) as caught:
        sheet.parse_adoption(text)
    assert str(caught.value) == message


@pytest.mark.parametrize("text, expected", [
    ("23.060.10", ["23.060.10"]), ("23.060.10; 23.040", ["23.060.10", "23.040"]),
    ("53.06", ["53.060"]), ("13.020.01 环境和环境保护综合", ["13.020.01"]), ("59.060.10、59.060.10", ["59.060.10"]),
    ("机械", []),
])
def test_parse_ics(text, expected):
    assert sheet.parse_ics(text) == expected


def test_split_designations_accepts_every_separator():
    cell = "全部代替 GB/T 5606.1-1996、GB 5606.2-1996，GB 5606.3-1996; GB 5606.4-1996\nGB 5606.6-1996"
    assert sheet.split_designations(cell) == [
        "GB/T 5606.1-1996", "GB 5606.2-1996", "GB 5606.3-1996", "GB 5606.4-1996", "GB 5606.6-1996"]


def test_templates_read_cleanly_and_alike():
    csv_readings = list(sheet.read(TEMPLATES / "catalogue-template.csv"))
    xlsx_readings = list(sheet.read(TEMPLATES / "catalogue-template.xlsx"))
    assert problems_of(csv_readings) == [] and problems_of(xlsx_readings) == []
    csv_records, xlsx_records = records_only(csv_readings), records_only(xlsx_readings)
    assert [r.designation for r in csv_records] == ["GB/T 20223-2018", "GB/T 20223-2006", "EN ISO 13849-1:2008"]
    assert [r.to_dict() for r in csv_records] == [r.to_dict() for r in xlsx_records]
    header = (TEMPLATES / "catalogue-template.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header == [headings[0] for field, headings in sheet.COLUMNS.items() if field != "ignored"]


def test_every_column_is_documented():
    doc = (ROOT / "docs" / "spreadsheet-template.md").read_text(encoding="utf-8")
    for headings in sheet.COLUMNS.values():
        for heading in headings:
            assert heading.casefold() in doc.casefold(), heading
    for word in sheet.STATUS_WORDS:
        assert word in doc.casefold(), word


@pytest.mark.realdata
@pytest.mark.parametrize("parts", [
    ("iso", "opendata", "ICS.csv"), ("iso", "opendata", "ICS.malformed-quote.csv"),
    ("iso", "opendata", "iso_technical_committees.csv"), ("ccs", "cat-level1.csv"), ("ccs", "cat-level2.csv"),
    ("ccs", "cat-level3.csv"),
])
def test_real_csvs_of_other_kinds_are_not_sniffed_as_sheets(parts):
    path = shared_file(*parts)
    with open(path, "rb") as fp:
        assert sheet.sniff(fp.read(4096)) is False


@pytest.mark.realdata
def test_real_malformed_ics_csv_forced_as_sheet_is_one_problem():
    path = shared_file("iso", "opendata", "ICS.malformed-quote.csv")
    readings = list(sheet.read(path))
    assert [(r.problem.line, r.problem.field) for r in readings] == [(None, "designation")]
    assert readings[0].problem.reason.startswith("No heading row found")


@pytest.mark.realdata
def test_real_gb_records_survive_a_gb18030_sheet(tmp_path):
    """Real relaton-xml GB/JB/T/T records written to a Chinese Excel-style CSV read back unchanged."""
    folder = shared_file("gb", "relaton-xml")
    rows = ["标准号,标准名称,英文名称,发布日期,国际标准分类号,中国标准分类号"]
    expected = {}
    for path in sorted(folder.glob("*.xml")):
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)).getroot()
        designation = root.findtext("docidentifier").strip()
        zh = root.findtext("title[@language='zh'][@type='main']")
        en = root.findtext("title[@language='en'][@type='main']") or ""
        published = root.findtext("date[@type='published']/on")
        ics, ccs = root.findtext("ext/ics/code") or "", root.findtext("ext/ccs/code") or ""
        rows.append(",".join([designation, zh, en, published, ics, ccs]))
        expected[designation] = (" ".join(zh.split()), en, published, [ics] if ics else [], ccs)
    (tmp_path / "real.csv").write_bytes("\r\n".join(rows).encode("gb18030"))
    readings = list(sheet.read(tmp_path / "real.csv"))
    assert problems_of(readings) == []
    got = {r.designation: (r.titles["zh"], r.titles.get("en", ""), r.published, r.ics, r.ccs)
           for r in records_only(readings)}
    assert got == expected
    assert got["T/GZAEPI 001—2018"] == ("环保型家用吸油烟机", "Environmental protection type household range hood",
                                        "2018-05-08", ["13.020.01"], "Y68")
    assert got["GB/T 5606.1-2004"][0] == "卷烟 第1部分:抽样"  # the source has two spaces
    assert len(got) == 5
