"""The validity check of a list of standards: reading XLSX, CSV and DOCX lists, the verdicts and
details per line, the XLSX and PDF reports, and `catalogue check-refs` with them.

Designations, titles, dates and relations are the web fixture catalogue's (real records)."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from catalogue.cli import main
from catalogue.reflist import check_list
from catalogue.refreport import ReportError, write_pdf, write_xlsx
from catalogue.store import Store
from ingest.standard_list import ListError, heading_names_designations, read_standard_list
from test_web_support import web_home  # noqa: F401 - fixture

from conftest import ROOT

CSV_LIST = ("序号,标准号,数量,备注\r\n"
            "1,GB/T 13927-2008,2,壳体试验\r\n"
            "2,ISO 5208,1,\r\n"
            "3,阀门类,,\r\n"
            "4,IEC 60947-2:2016、GB/T 14048.2-2020,3,断路器\r\n"
            "5,API Std 598,1,\r\n"
            "6,ISO 4126,1,\r\n"
            "7,GB/T 13927-2022,1,=HYPERLINK(\"http://example.invalid\")\r\n")


def xlsx_bytes(rows, stale_dimension: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    if stale_dimension is None:
        return data
    # Rewrite <dimension ref> as some exporters leave it: smaller than the sheet.
    src = zipfile.ZipFile(io.BytesIO(data))
    fixed = io.BytesIO()
    with zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = body.decode()
                start = text.index('<dimension ref="') + len('<dimension ref="')
                body = (text[:start] + stale_dimension + text[text.index('"', start):]).encode()
            dst.writestr(item, body)
    return fixed.getvalue()


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("产品执行标准清单")
    table = document.add_table(rows=3, cols=2)
    for i, (a, b) in enumerate([("标准编号", "用途"), ("GB/T 13927-2008", "压力试验"), ("ISO 5208:2015", "壳体")]):
        table.cell(i, 0).text, table.cell(i, 1).text = a, b
    document.add_paragraph("另引用 IEC 60947-2:2016。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def checked(web_home, data: bytes, name: str):
    listed = read_standard_list(name, data)
    with Store(web_home) as store:
        return check_list(store, listed.lines, name=listed.name, kind=listed.kind, column=listed.column,
                          detected_by=listed.detected_by, headings=listed.headings, truncated=listed.truncated,
                          catalogue_label="test catalogue", checked_on="2026-12-02")


# ---------------------------------------------------------------- reading lists
def test_csv_in_gb18030_with_a_chinese_heading_keeps_the_other_columns():
    listed = read_standard_list("清单.csv", CSV_LIST.encode("gb18030"))
    assert (listed.kind, listed.column, listed.detected_by) == ("csv", "标准号", "heading")
    assert listed.headings == ["序号", "标准号", "数量", "备注"]
    assert [(line.line, line.text, line.columns) for line in listed.lines[:3]] == [
        (2, "GB/T 13927-2008", {"序号": "1", "数量": "2", "备注": "壳体试验"}),
        (3, "ISO 5208", {"序号": "2", "数量": "1"}),
        (4, "阀门类", {"序号": "3"}),
    ]


@pytest.mark.parametrize("heading", ["标准号", "标准编号", "标准代号", "编号", "Designation", "Standard No.",
                                     "standard number", "Reference", "标准号（含年代号）", "标准号 / Designation",
                                     "* 标准编号："])
def test_designation_headings_in_chinese_and_english(heading):
    assert heading_names_designations(heading)
    listed = read_standard_list("l.csv", f"名称,{heading}\r\n工业阀门 压力试验,GB/T 13927-2008\r\n".encode())
    assert (listed.column, listed.detected_by, listed.lines[0].text) == (heading.strip(), "heading", "GB/T 13927-2008")


@pytest.mark.parametrize("heading", ["标准名称", "Title", "数量", "备注"])
def test_other_headings_do_not_name_the_column(heading):
    assert not heading_names_designations(heading)


def test_an_unknown_heading_is_found_by_the_cells_content():
    listed = read_standard_list("l.csv", "项目,依据\r\n压力试验,GB/T 13927-2008\r\n壳体,ISO 5208:2015\r\n".encode())
    assert (listed.column, listed.detected_by, listed.headings) == ("依据", "content", ["项目", "依据"])
    assert [(line.line, line.text, line.columns) for line in listed.lines] == [
        (2, "GB/T 13927-2008", {"项目": "压力试验"}), (3, "ISO 5208:2015", {"项目": "壳体"})]


def test_a_list_without_any_heading_row():
    listed = read_standard_list("l.csv", "GB/T 13927-2008;2\nISO 5208:2015;1\n".encode())
    assert (listed.column, listed.detected_by, listed.headings) == ("A", "content", ["A", "B"])
    assert [(line.line, line.text, line.columns) for line in listed.lines] == [
        (1, "GB/T 13927-2008", {"B": "2"}), (2, "ISO 5208:2015", {"B": "1"})]


def test_xlsx_with_a_stale_dimension_loses_no_row():
    rows = [["标准号", "名称"], ["GB/T 13927-2008", "工业阀门 压力试验"], ["ISO 5208:2015", ""],
            ["IEC 60947-2:2024", ""], ["GB/T 14048.2-2020", ""]]
    listed = read_standard_list("清单.xlsx", xlsx_bytes(rows, stale_dimension="A1:B2"))
    assert [line.text for line in listed.lines] == ["GB/T 13927-2008", "ISO 5208:2015", "IEC 60947-2:2024",
                                                   "GB/T 14048.2-2020"]
    assert listed.lines[0].columns == {"名称": "工业阀门 压力试验"}


def test_docx_paragraphs_and_tables_in_document_order():
    listed = read_standard_list("清单.docx", docx_bytes())
    assert (listed.kind, listed.column, listed.detected_by) == ("docx", "标准编号", "heading")
    assert [(line.line, line.text, line.columns) for line in listed.lines] == [
        (1, "产品执行标准清单", {}), (3, "GB/T 13927-2008", {"用途": "压力试验"}), (4, "ISO 5208:2015", {"用途": "壳体"}),
        (5, "另引用 IEC 60947-2:2016。", {})]


@pytest.mark.parametrize("name, data, message", [
    ("l.csv", "名称,数量\r\n阀门,2\r\n".encode(), "no column holds standard designations"),
    ("l.csv", b"", "l.csv is empty"),
    ("l.xlsx", b"not a zip", "l.xlsx is named like an Office file but is not one"),
    ("l.xlsx", b"\xd0\xcf\x11\xe0" + b"\0" * 100, "l.xlsx is named like an Office file"),
    ("l.csv", b"\xd0\xcf\x11\xe0" + b"\0" * 100, "l.csv is an old binary Office file"),
    ("l.docx", b"PK\x03\x04 broken", "l.docx"),
])
def test_unreadable_lists_get_a_sentence(name, data, message):
    with pytest.raises(ListError) as caught:
        read_standard_list(name, data)
    assert str(caught.value).startswith(message)


def test_a_long_list_is_cut_and_says_so():
    body = "标准号\r\n" + "".join(f"ISO {n}\r\n" for n in range(1, 5101))
    listed = read_standard_list("l.csv", body.encode())
    assert listed.truncated and len(listed.lines) == 5000


# ---------------------------------------------------------------- the check
def test_every_line_gets_its_verdict_and_details(web_home):
    result = checked(web_home, CSV_LIST.encode("gb18030"), "清单.csv")
    rows = [(r.line, r.designation, r.verdict, r.status) for r in result.rows]
    assert rows == [
        (2, "GB/T 13927-2008", "superseded", "replaced"),
        (3, "ISO 5208", "current", "current"),
        (4, "", "not_designation", None),
        (5, "IEC 60947-2:2016", "superseded", "replaced"),
        (5, "GB/T 14048.2-2020", "current", "current"),
        (6, "API Std 598", "unknown", None),
        (7, "ISO 4126", "ambiguous", None),  # a series: its part ISO 4126-1 is held, no undated ISO 4126
        (8, "GB/T 13927-2022", "current", "current"),
    ]
    old = result.rows[0]
    assert old.in_force == {"designation": "GB/T 13927-2022", "key": "gb-t-13927-2022",
                            "titles": {"zh": "工业阀门 压力试验", "en": "Industrial valves - Pressure testing"}}
    assert old.replaced_by == [{"designation": "GB/T 13927-2022", "key": "gb-t-13927-2022",
                                "titles": {"zh": "工业阀门 压力试验", "en": "Industrial valves - Pressure testing"}}]
    assert old.dates == {"published": "2008", "in_force": "2009-07-01", "withdrawn": "2023-07-01"}
    assert old.columns == {"序号": "1", "数量": "2", "备注": "壳体试验"}
    assert result.rows[7].adoptions == [{"target": "ISO 5208:2015", "degree": "MOD"}]
    undated = result.rows[1]  # an undated reference is described by the edition in force
    assert undated.in_force["designation"] == "ISO 5208:2015" and undated.dates["published"] == "2015-06"
    assert result.counts == {"current": 3, "superseded": 2, "withdrawn": 0, "upcoming": 0, "unknown": 1,
                             "ambiguous": 1, "not_designation": 1}
    assert result.catalogue == {"label": "test catalogue", "records": 31, "updated": result.catalogue["updated"],
                                "generation": result.catalogue["generation"]}
    assert result.catalogue["generation"] > 0
    assert not result.all_current
    assert result.references[0] == {"text": "GB/T 13927-2008", "start": 0, "end": 15, "key": "gb-t-13927-2008",
                                    "found": True, "status": "replaced", "verdict": "superseded",
                                    "current": "GB/T 13927-2022"}


# ---------------------------------------------------------------- reports
def test_xlsx_report_says_what_when_and_against_what(web_home):
    result = checked(web_home, CSV_LIST.encode("gb18030"), "清单.csv")
    book = openpyxl.load_workbook(io.BytesIO(write_xlsx(result, "zh")))
    sheet = book.active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "标准有效性确认报告"
    assert [row[0] for row in values[1:5]] == [
        "核查清单：清单.csv", "核查日期：2026-12-02",
        f"核查依据：test catalogue，共 31 条记录，最近更新于 {result.catalogue['updated']}",
        "标准号所在列：标准号（按列标题识别）"]
    assert values[5][0] == "现行 3; 已被代替 2; 目录中没有 1; 有歧义 1; 不是标准编号 1"
    header = values[7]
    assert header[:14] == ("行号", "原文", "识别的标准号", "标准名称", "状态", "结论", "现行版本", "现行版本名称",
                           "被代替为", "采标情况", "发布日期", "实施日期", "废止日期", "核查日期")
    assert header[14:] == ("序号", "数量", "备注")
    first = values[8]
    assert first[:14] == (2, "GB/T 13927-2008", "GB/T 13927-2008", "工业阀门 压力试验", "被代替", "已被代替",
                          "GB/T 13927-2022", "工业阀门 压力试验", "GB/T 13927-2022 工业阀门 压力试验", None,
                          "2008", "2009-07-01", "2023-07-01", "2026-12-02")
    assert first[14:] == ("1", "2", "壳体试验")
    assert values[-1][9] == "MOD ISO 5208:2015"
    assert values[-1][16] == "'=HYPERLINK(\"http://example.invalid\")"  # never run as a formula
    assert sheet.freeze_panes == "A9"


def test_pdf_report_in_chinese_with_its_header_and_rows(web_home):
    result = checked(web_home, CSV_LIST.encode("gb18030"), "清单.csv")
    body = write_pdf(result, "zh")
    assert body.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(body))
    text = " ".join(page.extract_text() for page in reader.pages)
    for expected in ("标准有效性确认报告", "核查清单：清单.csv", "核查日期：2026-12-02", "核查依据：test catalogue",
                     "GB/T 13927-2022", "已被代替", "不是标准编号", "MOD ISO 5208:2015"):
        # a table cell may wrap inside a designation; the extracted text then drops its space
        assert expected.replace(" ", "") in text.replace(" ", "").replace("\n", ""), expected
    assert reader.metadata.title == "标准有效性确认报告"
    english = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(write_pdf(result, "en"))).pages)
    assert "Validity check of a list of standards" in english and "Superseded" in english


def test_pdf_report_without_a_cjk_font_says_what_to_install(web_home, monkeypatch, tmp_path):
    result = checked(web_home, CSV_LIST.encode("gb18030"), "清单.csv")
    monkeypatch.setenv("CATALOGUE_PDF_FONT", str(tmp_path / "missing.ttc"))
    with pytest.raises(ReportError, match=f"^The font {tmp_path / 'missing.ttc'} named by CATALOGUE_PDF_FONT does not exist.$"):
        write_pdf(result, "zh")
    monkeypatch.delenv("CATALOGUE_PDF_FONT")
    monkeypatch.setattr("catalogue.refreport.FONT_CANDIDATES", (str(tmp_path / "none.ttc"),))
    with pytest.raises(ReportError, match="^The PDF report needs a Chinese font: install Debian's fonts-wqy-microhei"):
        write_pdf(result, "zh")


# ---------------------------------------------------------------- the command line
def run(home, *args, stdin=None):
    return CliRunner().invoke(main, ["--home", str(home), *args], input=stdin)


def test_check_refs_on_an_xlsx_list_with_reports(web_home, tmp_path):
    rows = [["序号", "标准号"], [1, "GB/T 13927-2008"], [2, "ISO 5208:2015"], [3, "说明：以下为电器"],
            [4, "IEC 60947-2:2024"]]
    path = tmp_path / "清单.xlsx"
    path.write_bytes(xlsx_bytes(rows))
    result = run(web_home, "--lang", "en", "check-refs", str(path), "--json", "--report", str(tmp_path / "r.xlsx"))
    assert result.exit_code == 1, result.output  # one line is superseded
    data = json.loads(result.stdout)
    assert [r["verdict"] for r in data["references"]] == ["superseded", "current", "current"]
    assert list(data["references"][0]) == ["text", "start", "end", "key", "found", "status", "verdict", "current"]
    listing = data["list"]
    assert (listing["file"], listing["kind"], listing["column"], listing["detected_by"]) == (
        "清单.xlsx", "xlsx", "标准号", "heading")
    assert [(r["line"], r["verdict"]) for r in listing["rows"]] == [
        (2, "superseded"), (3, "current"), (4, "not_designation"), (5, "current")]
    assert listing["rows"][0]["columns"] == {"序号": "1"}
    assert listing["catalogue"]["label"] == f"the catalogue at {web_home.resolve()}"
    assert "report written to" in result.stderr
    assert openpyxl.load_workbook(tmp_path / "r.xlsx").active["A1"].value == "Validity check of a list of standards"
    text = run(web_home, "--lang", "zh", "check-refs", str(path), "--report", str(tmp_path / "r.pdf"))
    assert text.stdout.splitlines()[0] == "2\tGB/T 13927-2008\tGB/T 13927-2008\t已被代替 -> GB/T 13927-2022"
    assert text.stdout.splitlines()[2] == "4\t说明：以下为电器\t-\t不是标准编号"
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF-")


def test_check_refs_report_of_a_text_and_a_bad_report_name(web_home, tmp_path):
    doc = tmp_path / "方案.txt"
    doc.write_text("壳体试验按 ISO 5208:2008 进行。\n\n断路器按 IEC 60947-2:2024。\n", encoding="utf-8")
    result = run(web_home, "--lang", "en", "check-refs", str(doc), "--report", str(tmp_path / "r.xlsx"))
    assert result.exit_code == 1
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx").active
    rows = [row for row in sheet.iter_rows(values_only=True)]
    assert [(r[0], r[2], r[5]) for r in rows[8:]] == [(1, "ISO 5208:2008", "Superseded"), (3, "IEC 60947-2:2024", "Current")]
    bad = run(web_home, "--lang", "en", "check-refs", str(doc), "--report", str(tmp_path / "r.docx"))
    assert (bad.exit_code, bad.stderr.strip()) == (2, "Error: A report is written as .xlsx or .pdf, not 'r.docx'.")


def test_check_refs_refuses_a_big_file_by_its_size_before_reading_it(web_home, tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as fp:
        fp.truncate(11 * 1024 * 1024)  # sparse: costs nothing to make, 11 MB to read
    started = time.monotonic()
    result = run(web_home, "--lang", "en", "check-refs", str(big))
    assert (result.exit_code, result.stderr.strip()) == (2, f"Error: {big} is larger than 10 MB.")
    assert time.monotonic() - started < 2


def test_check_refs_refuses_a_fifo_without_opening_it(web_home, tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "catalogue.cli", "--home", str(web_home), "--lang", "en", "check-refs",
                           str(fifo)], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert (done.returncode, done.stderr.strip()) == (2, f"Error: {fifo} is not a regular file.")


def test_a_huge_pasted_text_is_bounded_in_time_and_answer(web_home):
    text = "".join(f"ISO {n} " for n in range(1, 80_000))[:490_000]
    started = time.monotonic()
    result = run(web_home, "--lang", "en", "check-refs", "-", "--json", stdin=text)
    elapsed = time.monotonic() - started
    data = json.loads(result.stdout)
    assert len(data["references"]) == 1000 and data["truncated"] is True
    assert len(result.stdout) < 300_000
    assert "only the first 1000 references were checked; check the text in parts." in result.stderr
    assert elapsed < 5, elapsed  # was 6.2 s of CPU and a 9.8 MB answer (issue 14)
    too_long = run(web_home, "--lang", "en", "check-refs", "-", stdin="x" * 500_001)
    assert too_long.exit_code == 2
    assert too_long.stderr.strip() == ("Error: The text is 500,001 characters long; the checker reads up to 500,000 "
                                       "characters: check it in parts.")
