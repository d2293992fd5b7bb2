"""The validity check of a list on /check: the form, the result table, the JSON twin, the XLSX and
PDF reports as downloads, refusals, and a long pasted text bounded in its answer (issue 14)."""
from __future__ import annotations

import io
import time

import openpyxl
from pypdf import PdfReader
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from test_web_support import app, client, soup_of, text_of, web_home  # noqa: F401 - fixtures

CSV_LIST = ("序号,标准编号,备注\r\n1,GB/T 13927-2008,壳体\r\n2,阀门类,\r\n3,IEC 60947-2:2016,断路器\r\n"
            "4,GB/T 13927-2022,\r\n").encode("gb18030")


def token_of(c) -> str:
    return c.get("/check.json").get_json()["csrf_token"]


def post_list(c, body: bytes = CSV_LIST, name: str = "清单.csv", path: str = "/check", **fields):
    data = {"csrf_token": token_of(c), "list": (io.BytesIO(body), name), **fields}
    return c.post(path, data=data, content_type="multipart/form-data")


def test_the_list_form_is_on_the_checker_page(client):
    soup = soup_of(client.get("/check"))
    form = soup.select_one("form.list-form")
    assert (form["method"], form["action"], form["enctype"]) == ("post", "/check", "multipart/form-data")
    assert form.select_one('input[name="csrf_token"]')["value"]
    upload = form.select_one("input#check-list")
    assert (upload["type"], upload["name"], upload["accept"]) == ("file", "list", ".xlsx,.xlsm,.csv,.tsv,.docx")
    assert text_of(soup.select_one('label[for="check-list"]')) == "List of standards"
    assert [(b["name"], b["value"]) for b in form.select("button")] == [("report", ""), ("report", "xlsx"), ("report", "pdf")]


def test_a_list_is_checked_line_by_line(client):
    response = post_list(client)
    assert response.status_code == 200
    soup = soup_of(response)
    assert text_of(soup.select_one("#h-list-results")) == "Validity of the list “清单.csv”"
    assert text_of(soup.select_one("#list-column")) == "Designations read from the column “标准编号”."
    assert text_of(soup.select_one("#list-checked-on")).startswith("Checked on ")
    rows = [(text_of(tr.select_one(".line")), text_of(tr.select_one(".as-given")), tr["data-verdict"],
             text_of(tr.select_one(".in-force"))) for tr in soup.select("tr.list-row")]
    assert rows == [
        ("2", "GB/T 13927-2008", "superseded", "GB/T 13927-2022 Industrial valves - Pressure testing"),
        ("3", "阀门类", "not_designation", ""),
        ("4", "IEC 60947-2:2016", "superseded", "IEC 60947-2:2024 Low-voltage switchgear and controlgear - Part 2: Circuit-breakers"),
        ("5", "GB/T 13927-2022", "current", "GB/T 13927-2022 Industrial valves - Pressure testing"),
    ]
    first = soup.select("tr.list-row")[0]
    assert first.select_one(".designation a")["href"] == "/standards/gb-t-13927-2008"
    assert first.select_one(".replaced-by a")["href"] == "/standards/gb-t-13927-2022"
    assert text_of(first.select_one(".dates")) == "Published 2008 In force from July 1, 2009 Withdrawn on July 1, 2023"
    assert text_of(soup.select("tr.list-row")[3].select_one(".adoption")) == "MOD ISO 5208:2015"
    assert text_of(soup.select("tr.list-row")[1].select_one(".badge")) == "Not a designation"


def test_the_json_twin_of_a_list(client):
    data = post_list(client, path="/check.json").get_json()
    assert [r["verdict"] for r in data["references"]] == ["superseded", "superseded", "current"]
    listing = data["list"]
    assert listing["counts"]["not_designation"] == 1 and listing["column"] == "标准编号"
    assert listing["rows"][0]["in_force"]["url"] == "/standards/gb-t-13927-2022"
    assert listing["catalogue"]["records"] == 31
    assert listing["catalogue"]["label"] == "Standards catalogue · Wenzhou Standards Museum"
    assert listing["rows"][0]["columns"] == {"序号": "1", "备注": "壳体"}


def test_the_xlsx_report_as_a_download(client):
    response = post_list(client, report="xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="validity-check-')
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet["A1"].value == "Validity check of a list of standards"
    assert sheet["A2"].value == "List checked: 清单.csv"
    assert sheet["B9"].value == "GB/T 13927-2008" and sheet["F9"].value == "Superseded"


def test_the_pdf_report_in_chinese(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9"
    response = post_list(client, report="pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "标准有效性确认报告" in text and "核查清单：清单.csv" in text and "核查依据：标准目录 · 温州标准馆，共 31 条记录" in text


def test_a_list_page_in_chinese(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9"
    soup = soup_of(post_list(client))
    assert text_of(soup.select_one("#h-list-results")) == "清单“清单.csv”的有效性"
    assert [text_of(th) for th in soup.select("table.list-table th")][:5] == ["行号", "原文", "识别的标准号", "状态", "结论"]


def test_refusals(client):
    bad = post_list(client, body="名称,数量\r\n阀门,2\r\n".encode(), name="l.csv")
    assert bad.status_code == 400
    assert text_of(soup_of(bad).select_one("#check-error")) == (
        "no column holds standard designations: name it 标准号 or Designation, or put one designation a row.")
    wrong = post_list(client, body=b"%PDF-1.7", name="l.pdf", path="/check.json")
    assert wrong.get_json() == {"ok": False, "status": 400, "error": (
        "'l.pdf' is not a list the checker reads; use one of: .xlsx, .xlsm, .csv, .tsv, .docx.")}
    no_list = client.post("/check.json", data={"csrf_token": token_of(client), "text": "ISO 5208", "report": "pdf"})
    assert no_list.get_json()["error"] == "Reports are made for lists: choose a list of standards to check."
    odd = post_list(client, report="exe", path="/check.json")
    assert odd.get_json()["error"] == "A report is XLSX or PDF: report=xlsx or report=pdf."
    assert post_list(client, body=b"", name="l.csv").status_code == 400


def test_a_long_pasted_text_is_answered_with_its_first_thousand_references(client):
    text = "".join(f"ISO {n} " for n in range(1, 80_000))[:490_000]
    boundary, payload = encode_multipart({"csrf_token": token_of(client), "text": text})
    started = time.monotonic()
    response = client.post("/check.json", data=payload, content_type=f"multipart/form-data; boundary={boundary}")
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    data = response.get_json()
    assert len(data["references"]) == 1000 and data["truncated"] is True and data["reference_limit"] == 1000
    assert len(response.data) < 1_000_000  # was 9.8 MB
    assert elapsed < 5, elapsed  # was 6.2 s
    boundary, payload = encode_multipart({"csrf_token": token_of(client), "text": text})
    page = client.post("/check", data=payload, content_type=f"multipart/form-data; boundary={boundary}")
    assert text_of(soup_of(page).select_one("#check-truncated")) == (
        "The text cites more standards than the checker reports: only the first 1,000 are shown; check the text in parts.")


def test_uploads_through_filestorage_keep_working(client):
    # A DOCX list through the same field (FileStorage as a browser sends it).
    import docx

    document = docx.Document()
    document.add_paragraph("执行标准：GB/T 14048.2-2020")
    out = io.BytesIO()
    document.save(out)
    data = {"csrf_token": token_of(client), "list": FileStorage(io.BytesIO(out.getvalue()), filename="清单.docx")}
    response = client.post("/check.json", data=data, content_type="multipart/form-data")
    assert [(r["line"], r["designation"], r["verdict"]) for r in response.get_json()["list"]["rows"]] == [
        (1, "GB/T 14048.2-2020", "current")]
