"""The reference checker in the browser: the form, pasted and uploaded text, the JSON twin,
CSRF, limits, wrong files, and hostile text.

Texts mix Chinese and English the way Wenzhou valve and breaker documents do; the verdicts
come from the shared web fixture catalogue (ISO 5208 editions, IEC 60947-2:2016 and :2024,
GB/T 13927-2008 and -2022, ISO 12870:2016 and :2024 ...).
"""
from __future__ import annotations

import io
import re

import docx
import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from catalogue.web.check import MAX_UPLOAD_BYTES
from test_web_support import app, client, soup_of, text_of, web_home  # noqa: F401 - fixtures

MIXED = ("壳体试验按ISO5208:2008进行；断路器 IEC60947-2:2016。阀门按 GB/T 13927—2008《工业阀门 压力试验》，"
         "镜架 ISO 12870:2024，另见 API Std 598 和 ISO 5208 表 VI-1，第13版。")


def token_of(client) -> str:
    """The CSRF token the form carries (and the session remembers)."""
    soup = soup_of(client.get("/check"))
    return soup.select_one('form.check-form input[name="csrf_token"]')["value"]


def post_check(client, headers=None, path="/check", **fields):
    return client.post(path, data={"csrf_token": token_of(client), **fields},
                       content_type="multipart/form-data", headers=headers or {})


def post_large(client, path: str, name: str, body: bytes, text: str = ""):
    """Post a large form encoded in memory: the test client spills multipart bodies over
    500 KB to a temporary file it never closes (Werkzeug 3.1), a ResourceWarning here."""
    fields = {"csrf_token": token_of(client), "text": text}
    if name:
        fields["document"] = FileStorage(io.BytesIO(body), filename=name)
    boundary, payload = encode_multipart(fields)
    return client.post(path, data=payload, content_type=f"multipart/form-data; boundary={boundary}")


def rows_of(response) -> list[tuple[str, str, str]]:
    """(reference as written, verdict in words, edition in force) for every result row."""
    soup = soup_of(response)
    return [(text_of(tr.select_one("mark.ref-text")), text_of(tr.select_one(".badge.verdict")),
             text_of(tr.select("td")[2])) for tr in soup.select("tr.reference")]


def test_get_shows_the_empty_form(client):
    response = client.get("/check")
    assert response.status_code == 200
    soup = soup_of(response)
    assert text_of(soup.select_one("h1")) == "Reference checker"
    form = soup.select_one("form.check-form")
    assert (form["method"], form["action"], form["enctype"]) == ("post", "/check", "multipart/form-data")
    assert text_of(soup.select_one('label[for="check-text"]')) == "Text to check (Chinese or English)"
    assert soup.select_one("textarea#check-text").get_text() == ""
    upload = soup.select_one("input#check-document")
    assert (upload["type"], upload["accept"]) == ("file", ".docx,.html,.htm,.md,.txt")
    assert text_of(soup.select_one("#check-document-hint")) == "Word (.docx), HTML, Markdown or plain text, up to 2 MiB."
    assert soup.select(".check-results") == []


def test_get_json_twin_gives_an_empty_result_and_a_token(client):
    data = client.get("/check.json").get_json()
    assert data["references"] == [] and data["corrected"] == [] and data["checked"] is False
    assert len(data["csrf_token"]) > 20
    assert data["limits"] == {"upload_bytes": 2 * 1024 * 1024, "text_chars": 500_000, "references": 1000}


def test_pasted_mixed_chinese_and_english_text(client):
    response = post_check(client, text=MIXED)
    assert response.status_code == 200
    assert rows_of(response) == [
        ("ISO5208:2008", "Replaced", "ISO 5208:2015"),
        ("IEC60947-2:2016", "Replaced", "IEC 60947-2:2024"),
        ("GB/T 13927—2008", "Replaced", "GB/T 13927-2022"),
        ("ISO 12870:2024", "Current", "ISO 12870:2024"),
        ("API Std 598", "Not in the catalogue", "look it up"),
        ("ISO 5208", "Current", "ISO 5208:2015"),
    ]
    soup = soup_of(response)
    assert text_of(soup.select_one("#result-count")) == "6 references found."
    links = [a["href"] for a in soup.select("tr.reference a.current-link")]
    assert links == ["/standards/iso-5208-2015", "/standards/iec-60947-2-2024", "/standards/gb-t-13927-2022",
                     "/standards/iso-12870-2024", "/standards/iso-5208-2015"]
    assert soup.select("tr.reference")[4].select_one("a")["href"] == "/resolve?ref=API+Std+598"
    # The context shows where each reference was found.
    assert text_of(soup.select("tr.reference")[0].select_one(".context")) == "…壳体试验按 ISO5208:2008 进行；断路器 IEC60947-2:2016。阀…"
    corrected = soup.select_one("textarea#corrected")
    assert corrected.has_attr("readonly")
    assert corrected.get_text().split("\n") == [
        "ISO 5208:2015", "IEC 60947-2:2024", "GB/T 13927-2022", "ISO 12870:2024", "API Std 598"]
    summary = {li.select_one(".badge")["data-verdict"]: text_of(li.select_one(".count")) for li in soup.select(".verdict-summary li")}
    assert summary == {"current": "2", "superseded": "3", "unknown": "1"}
    # The pasted text stays in the box to edit and send again.
    assert soup.select_one("textarea#check-text").get_text() == MIXED


def test_json_twin_follows_the_check_refs_contract(client):
    response = post_check(client, path="/check.json", text="壳体试验按ISO5208:2008进行；断路器 IEC60947-2:2016。")
    assert response.status_code == 200
    data = response.get_json()
    contract = ["text", "start", "end", "key", "found", "status", "verdict", "current"]
    assert [{k: r[k] for k in contract} for r in data["references"]] == [
        {"text": "ISO5208:2008", "start": 5, "end": 17, "key": "iso-5208-2008", "found": True,
         "status": "replaced", "verdict": "superseded", "current": "ISO 5208:2015"},
        {"text": "IEC60947-2:2016", "start": 24, "end": 39, "key": "iec-60947-2-2016", "found": True,
         "status": "replaced", "verdict": "superseded", "current": "IEC 60947-2:2024"},
    ]
    assert data["references"][0]["current_url"] == "/standards/iso-5208-2015"
    assert data["corrected"] == ["ISO 5208:2015", "IEC 60947-2:2024"]
    assert "text" not in data  # the caller has its own text
    # Accept: application/json on the page's own address gives the same answer.
    again = post_check(client, headers={"Accept": "application/json"},
                       text="壳体试验按ISO5208:2008进行；断路器 IEC60947-2:2016。")
    assert again.get_json() == data


def make_docx() -> bytes:
    """A Word document built here: a heading, a paragraph, and a references table."""
    document = docx.Document()
    document.add_heading("钢制闸阀对标方案", level=1)
    document.add_paragraph("壳体试验和密封试验按 GB/T 13927-2008 进行，并对标 ISO 5208:2015。")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "规范性引用文件"
    table.cell(0, 1).text = "IEC 60947-2:2016"
    table.cell(1, 0).text = "Spectacle frames"
    table.cell(1, 1).text = "ISO 12870:2016"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_uploaded_docx(client):
    response = post_check(client, document=(io.BytesIO(make_docx()), "对标方案.docx"))
    assert response.status_code == 200
    assert rows_of(response) == [
        ("GB/T 13927-2008", "Replaced", "GB/T 13927-2022"),
        ("ISO 5208:2015", "Current", "ISO 5208:2015"),
        ("IEC 60947-2:2016", "Replaced", "IEC 60947-2:2024"),
        ("ISO 12870:2016", "Replaced", "ISO 12870:2024"),
    ]
    assert text_of(soup_of(response).select_one("#result-count")) == "In the document “对标方案.docx”: 4 references found."


def test_pasted_text_and_a_document_are_checked_together(client):
    response = post_check(client, path="/check.json", text="见 GB/T 12238-2008",
                          document=(io.BytesIO("# 说明\n\n按 ISO 10434:2004 制造。\n".encode("utf-8")), "notes.md"))
    data = response.get_json()
    assert [(r["text"], r["verdict"], r["current"]) for r in data["references"]] == [
        ("GB/T 12238-2008", "current", "GB/T 12238-2008"), ("ISO 10434:2004", "superseded", "ISO 10434:2020")]
    assert data["document"] == "notes.md"


def test_gb18030_text_file(client):
    # Chinese Windows saves .txt files in GB18030 (GBK); the checker reads them too.
    body = "断路器按 IEC 60947-2:2016 试验".encode("gb18030")
    data = post_check(client, path="/check.json", document=(io.BytesIO(body), "断路器.txt")).get_json()
    assert [(r["text"], r["verdict"]) for r in data["references"]] == [("IEC 60947-2:2016", "superseded")]


def test_posting_without_the_csrf_token_is_refused(client):
    client.get("/check")
    response = client.post("/check", data={"text": "ISO 5208:2008"})
    assert response.status_code == 400
    assert text_of(soup_of(response).select_one(".error-message")) == (
        "The form has expired or did not come from this site: reload the page and send it again.")
    forged = client.post("/check.json", data={"text": "ISO 5208:2008", "csrf_token": "forged"})
    assert forged.status_code == 400
    assert forged.get_json()["status"] == 400


def test_empty_submission_asks_for_text(client):
    response = post_check(client, text="   ")
    assert response.status_code == 400
    assert text_of(soup_of(response).select_one("#check-error")) == "Paste some text or choose a document to check."


def test_text_without_references(client):
    response = post_check(client, text="表 VI-1 第13版 第 5208 页")
    soup = soup_of(response)
    assert text_of(soup.select_one("#result-count")) == "0 references found."
    assert soup.select("tr.reference") == [] and soup.select("#corrected") == []


def test_upload_too_large(client):
    big = b"ISO 5208:2008 " * (MAX_UPLOAD_BYTES // 14 + 10)
    response = post_large(client, "/check", "big.txt", big)
    assert response.status_code == 413
    assert text_of(soup_of(response).select_one("#check-error")) == (
        "The document is larger than 2 MiB, the most the checker reads; check it in parts.")
    as_json = post_large(client, "/check.json", "big.txt", big)
    assert as_json.status_code == 413
    assert as_json.get_json() == {"ok": False, "status": 413,
                                  "error": "The document is larger than 2 MiB, the most the checker reads; check it in parts."}


def test_body_far_over_the_limit_is_refused_before_reading(client):
    huge = b"x" * (4 * 1024 * 1024)
    response = post_large(client, "/check.json", "huge.txt", huge)
    assert response.status_code == 413
    assert response.get_json()["error"] == "The document is larger than 2 MiB, the most the checker reads; check it in parts."


def test_pasted_text_too_long(client):
    # 600,000 Chinese characters: 1.8 MB of UTF-8, over the 500,000-character limit.
    response = post_large(client, "/check", "", b"", text="阀门" * 300_000)
    assert response.status_code == 413
    assert text_of(soup_of(response).select_one("#check-error")) == (
        "The text is 600,000 characters long; the checker reads up to 500,000 characters.")


@pytest.mark.parametrize("name, body, message", [
    ("scheme.pdf", b"%PDF-1.7", "'scheme.pdf' is not a document we read; use one of: .docx, .html, .htm, .md, .txt."),
    ("fake.docx", b"not a zip file", "fake.docx is not a valid .docx file: File is not a zip file."),
    ("empty.txt", b"", "The file 'empty.txt' is empty."),
])
def test_wrong_or_broken_files_get_a_sentence(client, name, body, message):
    response = post_check(client, document=(io.BytesIO(body), name))
    assert response.status_code == 400
    assert text_of(soup_of(response).select_one("#check-error")) == message
    as_json = post_check(client, path="/check.json", document=(io.BytesIO(body), name))
    assert as_json.get_json() == {"ok": False, "error": message, "status": 400}


def test_hostile_pasted_text_is_escaped(client):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)> ISO 5208:2008 </textarea><b>bold</b>'
    response = post_check(client, text=hostile)
    soup = soup_of(response)
    assert [s.get("src") for s in soup.select("script")] == ["/static/site.js"]
    assert soup.select("img") == [] and soup.select("main b") == []
    assert soup.select_one("textarea#check-text").get_text() == hostile
    assert b"<script>alert" not in response.data
    assert rows_of(response) == [("ISO 5208:2008", "Replaced", "ISO 5208:2015")]
    context = text_of(soup.select_one("tr.reference .context"))
    assert context == '…src=x onerror=alert(1)> ISO 5208:2008 </textarea><b>bold</b>…'


def test_hostile_file_name_is_escaped(client):
    name = '<img src=x onerror=alert(1)>.pdf'
    response = post_check(client, document=(io.BytesIO(b"x"), name))
    assert response.status_code == 400
    soup = soup_of(response)
    assert soup.select("img") == []
    assert text_of(soup.select_one("#check-error")).startswith("'<img src=x onerror=alert(1)>.pdf' is not a document")


def test_checker_in_chinese(client):
    token = token_of(client)
    response = client.post("/check?lang=zh", data={"csrf_token": token, "text": "按ISO5208:2008进行"})
    soup = soup_of(response)
    assert text_of(soup.select_one("h1")) == "引用标准检查"
    assert rows_of(response) == [("ISO5208:2008", "被代替", "ISO 5208:2015")]
    assert text_of(soup.select_one("#result-count")) == "找到 1 处引用标准。"


def test_form_works_without_javascript_markup(client):
    # No script is needed: a plain form post, labelled controls, a real submit button.
    soup = soup_of(client.get("/check"))
    for control in soup.select("form.check-form textarea, form.check-form input[type=file]"):
        assert soup.select_one(f'label[for="{control["id"]}"]') is not None
    assert soup.select_one("form.check-form button[type=submit]") is not None
    assert re.search(r"\bon\w+=", str(soup.select_one("form.check-form"))) is None


def test_an_ambiguous_reference_offers_designations_not_keys(tmp_path):
    """'ISO 4126' exists only as parts: the choices are named by their editions, never by keys."""
    from catalogue.edges.service import Catalogue
    from catalogue.web import create_app

    lines = tmp_path / "parts.jsonl"
    # Real parts of ISO 4126 (safety devices against excessive pressure), facts from the ISO archive
    # (iso-4126-1-2013.yaml, iso-4126-2-2018.yaml, iso-4126-1-2013-amd-1-2016.yaml: stages 90.93, 90, 60).
    lines.write_text(
        '{"designation": "ISO 4126-1:2013", "status": "current", "dates": {"published": "2013-07"}}\n'
        '{"designation": "ISO 4126-2:2018", "status": "current", "dates": {"published": "2018-12"}}\n'
        '{"designation": "ISO 4126-1:2013/Amd 1:2016", "status": "current"}\n',
        encoding="utf-8")
    with Catalogue(tmp_path / "cat", create=True) as cat:
        assert cat.ingest([lines]).rejected == 0
    application = create_app({"CATALOGUE_HOME": str(tmp_path / "cat"), "TESTING": True})
    try:
        browser = application.test_client()
        browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        soup = soup_of(post_check(browser, text="Relief valves to ISO 4126."))
        row = soup.select_one("tr.reference")
        assert text_of(row.select_one(".badge.verdict")) == "Ambiguous"
        links = [(text_of(a), a["href"]) for a in row.select("a.candidate-link")]
        assert [text for text, _href in links] == ["ISO 4126-1:2013", "ISO 4126-2:2018"]
        assert "iso-4126" not in text_of(row)
    finally:
        application.extensions["catalogue"].close()
