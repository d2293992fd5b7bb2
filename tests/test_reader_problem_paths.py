"""Every reader names the file of a problem the same way (docs/ingest.md, "Problems"):

- a file: the path exactly as the reader was given it (what ``catalogue ingest`` received),
  never the bare file name, so ``data/gb/list.csv:12: ...`` leads a librarian to the file;
- a member of a folder or an archive: that path, ``!``, and the member's path inside it
  (``iso-relaton-yaml.tar.xz!data/iso-5208-2015.yaml``).

One small bad file per reader, written under ``tmp_path/data/gb/`` so that the path has folders
in it; a new reader without a case here fails ``test_every_reader_has_a_case``.
"""
from __future__ import annotations

import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalogue.cli import main
from ingest.detect import formats

#: FORMAT -> (file name, bytes that give that reader at least one problem).
CASES = {
    "catalogue-jsonl": ("list.jsonl", b'{"designation": "GB/T 13927-2022"}\nnot json\n'),
    "ccs-tree": ("cat-level3.csv", "代码 / Code,名称 / Name,代码 / Code,备注 / Notes\nJ16,,J10/19,\n".encode()),
    "cen-html": ("en-1325.html", b"<html>\xff\xfe</html>"),
    "gb-sector-prefixes": ("gb-sector-prefixes.csv", "prefix,industry_zh\nJB,机械\n9,\n".encode()),
    "hbba": ("list.json", b'{"records": [{"code": "JB/T 13368-2018", "actDate": "soon"}]}'),
    "iec-api": ("publications.jsonl", b"not json\n"),
    "iso-committees": ("committees.jsonl", b"[1, 2]\n"),
    "iso-deliverables": ("deliverables.jsonl", b'{"id": 1, "reference": "ISO 5208:2015", "publicationDate": "x"}\n'),
    "iso-html": ("iso-5208.html", b"<html>\xff\xfe</html>"),
    "iso-ics": ("ICS.xml", b"<?xml version='1.0'?>\n<fields><field>\n"),
    "openstd-html": ("detail.html", "<html><body><p>无</p></body></html>".encode()),
    "register-sheet": ("register.csv", "结果编号,统一社会信用代码,产品名称,对标方案,结果日期\nR1,91330324PDY00001X2,闸阀,x,2014\n".encode()),
    "register-yaml": ("register.yaml", b"register:\n  enterprises:\n    - {name: x, credit_code: '1'}\n"),
    "relaton-xml": ("iso-5208.xml", b"<bibdata><docidentifier>ISO 5208</docidentifier>\n"),
    "relaton-yaml": ("iso-5208-2015.yaml", b""),
    "samr-html": ("search.html", b"\x00\x01\xfe\xff"),
    "scheme-doc": ("scheme.md", "# 对标方案\n\n没有引用标准。\n".encode()),
    "sheet": ("list.csv", "标准号,状态\nGB/T 13927-2022,停用\n".encode()),
    "sts-xml": ("iso-5208.xml", b"<standard><front>\n"),
    "system-sheet": ("system.csv", "体系,节点\nvalves,\n".encode()),
    "system-yaml": ("system.yaml", b"- just a list\n"),
}


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def problem_files(readings) -> list[str]:
    return [r.problem.file for r in readings if not r.ok]


def test_every_reader_has_a_case():
    assert set(CASES) == set(formats())


@pytest.mark.parametrize("fmt", sorted(CASES))
def test_problems_name_the_path_as_given(tmp_path, fmt):
    name, data = CASES[fmt]
    path = write(tmp_path / "data" / "gb" / name, data)
    files = problem_files(formats()[fmt].read(path))
    assert files and set(files) == {str(path)}


@pytest.mark.parametrize("fmt", ["catalogue-jsonl", "sheet", "relaton-yaml", "openstd-html"])
def test_a_path_given_as_text_is_named_as_that_text(tmp_path, fmt):
    name, data = CASES[fmt]
    write(tmp_path / "data" / "gb" / name, data)
    files = problem_files(formats()[fmt].read(f"{tmp_path}/data/gb/{name}"))
    assert files and set(files) == {f"{tmp_path}/data/gb/{name}"}


def test_folder_members_are_named_folder_bang_member(tmp_path):
    folder = tmp_path / "data" / "ccs"
    write(folder / "cat-level3.csv", CASES["ccs-tree"][1])
    assert problem_files(formats()["ccs-tree"].read(folder)) == [f"{folder}!cat-level3.csv"]

    folder = tmp_path / "data" / "relaton-xml"
    write(folder / "iso-5208.xml", CASES["relaton-xml"][1])
    assert problem_files(formats()["relaton-xml"].read(folder)) == [f"{folder}!iso-5208.xml"]

    folder = tmp_path / "data" / "relaton"
    write(folder / "data" / "iso-5208-2015.yaml", b"")
    assert problem_files(formats()["relaton-yaml"].read(folder)) == [f"{folder}!data/iso-5208-2015.yaml"]


def test_archive_members_are_named_archive_bang_member(tmp_path):
    archive = tmp_path / "iso-relaton-yaml.tar.xz"
    with tarfile.open(archive, "w:xz") as tar:
        info = tarfile.TarInfo("data/iso-5208-2015.yaml")
        tar.addfile(info, io.BytesIO(b""))
    assert problem_files(formats()["relaton-yaml"].read(archive)) == [f"{archive}!data/iso-5208-2015.yaml"]

    archive = tmp_path / "relaton.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("data/iso-5208-2015.yaml", b"")
    assert problem_files(formats()["relaton-yaml"].read(archive)) == [f"{archive}!data/iso-5208-2015.yaml"]


def test_ingest_report_names_reader_and_pipeline_problems_alike(tmp_path):
    # One member the reader refuses (empty) and one the pipeline refuses (no such designation):
    # both are named archive!member, and a plain file by its path, in the report.
    archive = tmp_path / "iso-relaton-yaml.tar.xz"
    record = b"---\nid: Figure12\ndocid:\n- id: Figure 12\n  type: ISO\n  primary: true\ntitle:\n- content: Figure\n"
    with tarfile.open(archive, "w:xz") as tar:
        for member, data in (("data/empty.yaml", b""), ("data/figure-12.yaml", record)):
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    sheet = write(tmp_path / "data" / "gb" / "list.csv", CASES["sheet"][1])
    result = CliRunner().invoke(main, ["--home", str(tmp_path / "home"), "ingest", "--json", str(archive), str(sheet)])
    report = json.loads(result.stdout)
    assert [(p["file"], p["line"], p["field"]) for p in report["problems"]] == [
        (f"{archive}!data/empty.yaml", None, None),
        (f"{archive}!data/figure-12.yaml", 1, "designation"),
        (f"{sheet}", 2, "status"),
    ]
