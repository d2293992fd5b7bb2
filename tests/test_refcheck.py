"""The reference checker on mixed Chinese and English documents, including a real .docx."""
from __future__ import annotations

import io
import json

import docx
import pytest
from click.testing import CliRunner

from catalogue.cli import main
from catalogue.refcheck import check_text, corrected_list
from catalogue.store import Store
from ingest.documents import DocumentError, extract_text
from ingest.pipeline import ingest_paths

from conftest import FIXTURES

SMALL = FIXTURES / "catalogue" / "small.jsonl"

TEXT = (
    "钢制闸阀对标方案\n"
    "壳体试验按ISO5208:2008进行，另见 GB/T 20223—2006《棉短绒》。\n"
    "Breakers: IEC60947-2:2016 and ISO 5208; the new edition ISO 5208:2015.\n"
    "见表 VI-1 和第13版第 12 页，电话 0577-88888888。Also API Std 598 and GB/T 99999-2020.\n"
)


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "home", create=True)
    ingest_paths(s, [SMALL])
    yield s
    s.close()


def test_verdicts_on_mixed_text(store):
    refs = check_text(store, TEXT)
    got = [(r.text, r.verdict, r.current) for r in refs]
    assert got == [
        ("ISO5208:2008", "superseded", "ISO 5208:2015"),
        ("GB/T 20223—2006", "superseded", "GB/T 20223-2018"),
        ("IEC60947-2:2016", "superseded", "IEC 60947-2:2024"),
        ("ISO 5208", "current", "ISO 5208:2015"),
        ("ISO 5208:2015", "current", "ISO 5208:2015"),
        ("API Std 598", "unknown", None),
        ("GB/T 99999-2020", "unknown", None),
    ]
    for r in refs:
        assert TEXT[r.start:r.end] == r.text
    assert corrected_list(refs) == ["ISO 5208:2015", "GB/T 20223-2018", "IEC 60947-2:2024", "API Std 598", "GB/T 99999-2020"]


def test_withdrawn_and_ambiguous(store, tmp_path):
    extra = tmp_path / "extra.jsonl"
    extra.write_text(
        '{"designation": "ISO 4126-1:2013", "status": "current"}\n'
        '{"designation": "ISO 4126-2:2018", "status": "current"}\n'
        '{"designation": "ISO 7268:1983", "status": "withdrawn"}\n', encoding="utf-8")
    ingest_paths(store, [extra])
    got = [(r.text, r.verdict) for r in check_text(store, "ISO 4126 and ISO 7268 and ISO 7268:1983")]
    assert got == [("ISO 4126", "ambiguous"), ("ISO 7268", "withdrawn"), ("ISO 7268:1983", "withdrawn")]


def make_docx(paragraphs, table=None) -> bytes:
    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for i, row in enumerate(table):
            for j, cell in enumerate(row):
                t.cell(i, j).text = cell
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_docx_built_in_the_test(store, tmp_path):
    data = make_docx(["对标方案：塑料外壳式断路器", "依据 IEC 60947-2:2016 与 GB/T 20223-2018。"],
                     table=[["指标", "标准"], ["壳体试验", "ISO 5208:2008"]])
    text = extract_text("scheme.docx", data)
    assert [(r.text, r.verdict) for r in check_text(store, text)] == [
        ("IEC 60947-2:2016", "superseded"), ("GB/T 20223-2018", "current"), ("ISO 5208:2008", "superseded")]
    path = tmp_path / "scheme.docx"
    path.write_bytes(data)
    result = CliRunner().invoke(main, ["--home", str(store.home), "check-refs", str(path), "--json"])
    assert result.exit_code == 1  # not every reference is current
    refs = json.loads(result.stdout)["references"]
    assert list(refs[0]) == ["text", "start", "end", "key", "found", "status", "verdict", "current"]
    assert refs[0]["key"] == "iec-60947-2-2016" and refs[0]["current"] == "IEC 60947-2:2024"


def test_check_refs_from_standard_input_all_current(store):
    result = CliRunner().invoke(main, ["--home", str(store.home), "check-refs", "-"], input="按 ISO 5208:2015 试验")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "ISO 5208:2015\tcurrent"


@pytest.mark.parametrize("name, data, message", [
    ("a.pdf", b"%PDF-1.4", "'a.pdf' is not a document we read; use one of: .docx, .html, .htm, .md, .txt"),
    ("a.docx", b"PK\x03\x04 not really", "a.docx is not a valid .docx file"),
    ("a.txt", b"\xff\xfe\xfa\xfb\x80\x81", "a.txt is neither UTF-8 nor GB18030 text"),
])
def test_bad_documents_are_refused_with_a_sentence(name, data, message):
    with pytest.raises(DocumentError) as exc:
        extract_text(name, data)
    assert str(exc.value).startswith(message)


def test_gb18030_text_is_read():
    assert extract_text("a.txt", "依据 GB/T 20223-2018".encode("gb18030")) == "依据 GB/T 20223-2018"
