"""The reader registry and detection by content: files, zips, tar archives and folders, never by name."""
from __future__ import annotations

import io
import json
import tarfile
import zipfile

import pytest
from click.testing import CliRunner

from catalogue.cli import main
from catalogue.errors import UsageError
from conftest import FIXTURES
from ingest.detect import detect_format, plan_inputs
from ingest.registry import READERS, formats_help, reader_named

YAML_DIR = FIXTURES / "readers" / "relaton-yaml"
SMALL = FIXTURES / "catalogue" / "small.jsonl"


def test_every_reader_is_declared_once_with_help_and_a_module():
    names = [r.name for r in READERS]
    assert len(names) == len(set(names))
    for spec in READERS:
        assert spec.help and callable(spec.loaded.read) and callable(spec.loaded.sniff)
        assert spec.name in formats_help()


def test_ingest_help_and_format_choices_come_from_the_registry():
    result = CliRunner().invoke(main, ["ingest", "--help"])
    for spec in READERS:
        assert spec.name in result.output
    assert "detected from the content" in result.output
    bad = CliRunner().invoke(main, ["--home", "/nonexistent-home", "ingest", "--format", "nonsense", str(SMALL)])
    assert bad.exit_code == 2 and "use one of: " + ", ".join(sorted(r.name for r in READERS)) in bad.stderr


@pytest.mark.parametrize("source, name", [
    (YAML_DIR / "iso-5208-2015.yaml", "notes.txt"), (SMALL, "catalogue.dat"),
    (FIXTURES / "readers" / "relaton-xml" / "gbt-20223-2018.xml", "record.yaml"),
])
def test_a_file_is_read_by_its_content_whatever_its_name(tmp_path, source, name):
    expected = detect_format(source).name
    copy = tmp_path / name
    copy.write_bytes(source.read_bytes())
    assert detect_format(copy).name == expected


def test_zip_members_decide_workbook_document_or_archive(tmp_path):
    import docx
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["体系", "节点", "标准号"])
    book.active.append(["valves", "1", "GB/T 12238-2008"])
    book.save(tmp_path / "a.bin")
    assert detect_format(tmp_path / "a.bin").name == "system-sheet"
    book = openpyxl.Workbook()
    book.active.append(["标准号", "标准名称"])
    book.save(tmp_path / "b.bin")
    assert detect_format(tmp_path / "b.bin").name == "sheet"
    document = docx.Document()
    document.add_paragraph("对标方案：GB/T 12238-2008")
    document.save(tmp_path / "c.bin")
    assert detect_format(tmp_path / "c.bin").name == "scheme-doc"
    with zipfile.ZipFile(tmp_path / "d.bin", "w") as zf:
        zf.write(YAML_DIR / "iso-5208-2015.yaml", "records/one")
    assert detect_format(tmp_path / "d.bin").name == "relaton-yaml"


def test_a_tar_archive_is_decided_by_its_members(tmp_path):
    archive = tmp_path / "backup.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        data = SMALL.read_bytes()
        info = tarfile.TarInfo("small.jsonl")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(UsageError, match="the archive holds files that no reader reads packed"):
        detect_format(archive)  # our own lines are read unpacked


def test_a_mixed_folder_is_read_file_by_file(tmp_path):
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "a.jsonl").write_bytes(SMALL.read_bytes())
    (folder / "b.yaml").write_bytes((YAML_DIR / "iso-5208-2015.yaml").read_bytes())
    (folder / "c.dat").write_text("hello\n", encoding="utf-8")
    planned = plan_inputs([folder])
    assert [(p.path.name, p.reader.name if p.reader else p.error.split(": ", 1)[1][:26]) for p in planned] == [
        ("a.jsonl", "catalogue-jsonl"), ("b.yaml", "relaton-yaml"), ("c.dat", "cannot tell what format th")]
    result = CliRunner().invoke(main, ["--home", str(tmp_path / "home"), "ingest", "--json", str(folder)])
    report = json.loads(result.stdout)
    assert (result.exit_code, report["added"], report["updated"], report["rejected"]) == (1, 8, 1, 1)


def test_a_folder_of_one_format_is_read_whole(tmp_path):
    folder = tmp_path / "publisher"
    folder.mkdir()
    for name in ("iso-5208-2008.yaml", "iso-5208-2015.yaml"):
        (folder / name.replace(".yaml", ".txt")).write_bytes((YAML_DIR / name).read_bytes())
    assert [(p.path, p.reader.name) for p in plan_inputs([folder])] == [(folder, "relaton-yaml")]
    assert reader_named("relaton-yaml").containers
