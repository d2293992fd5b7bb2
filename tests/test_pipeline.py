"""The ingest pipeline end to end on a real catalogue folder: bad input, all-or-nothing, reports."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.cli import main
from catalogue.demo import demo_files
from catalogue.records import Standard
from catalogue.store import Store
from ingest.pipeline import complete_record, ingest_paths

from conftest import FIXTURES, ROOT

SMALL = FIXTURES / "catalogue" / "small.jsonl"
BAD = FIXTURES / "bad"
FORMATS = ("catalogue-jsonl, ccs-tree, cen-html, gb-sector-prefixes, hbba, iec-api, iso-committees, iso-deliverables, "
           "iso-html, iso-ics, openstd-html, register-sheet, register-yaml, relaton-xml, relaton-yaml, samr-html, scheme-doc, "
           "sheet, sts-xml, system-sheet, system-yaml")


@pytest.fixture
def home(tmp_path):
    home = tmp_path / "home"
    result = CliRunner().invoke(main, ["--home", str(home), "ingest", str(SMALL)])
    assert result.exit_code == 0, result.output
    return home


def ingest_json(home, *args):
    result = CliRunner().invoke(main, ["--home", str(home), "ingest", "--json", *map(str, args)])
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else None, result


@pytest.mark.parametrize("name, reason", [
    ("empty.yaml", "the file is empty; there is nothing to read."),
    ("notes.dat", f"cannot tell what format this file is (empty, binary, or not one we read). Formats we read: {FORMATS}; name one with --format."),
    ("junk.html", "cannot tell what format this file is"),
    ("junk.xlsx", "This file is named like an Excel workbook but is not one (an .xlsx file is a zip archive); nothing was read."),
    ("truncated.yaml", "not valid YAML: did not find expected ',' or ']'."),
    ("code-tag.yaml", "the YAML uses a tag safe loading refuses (!!python/object/apply:os.system); nothing was built from it."),
    ("bomb.xml", "This file is not well-formed XML: Maximum entity amplification factor exceeded"),
])
def test_bad_input_is_one_clear_problem_and_changes_nothing(home, name, reason):
    before = sqlite3.connect(home / "catalogue.sqlite3").execute("SELECT COUNT(*) FROM standards").fetchone()[0]
    code, report, _ = ingest_json(home, BAD / name)
    assert code == 1 if report["problems"][0]["line"] is not None or name not in ("notes.dat", "junk.html", "empty.yaml") else code in (1, 2)
    assert report["rejected"] == 1 and report["added"] == 0
    problem = report["problems"][0]
    assert problem["file"] == str(BAD / name) and problem["reason"].startswith(reason)
    after = sqlite3.connect(home / "catalogue.sqlite3").execute("SELECT COUNT(*) FROM standards").fetchone()[0]
    assert after == before


def test_code_tag_runs_nothing(home, tmp_path):
    ingest_json(home, BAD / "code-tag.yaml")
    assert not Path("/tmp/pwned").exists()


def test_external_entity_is_not_read(home):
    code, report, _ = ingest_json(home, BAD / "xxe.xml")
    assert code == 0
    out = CliRunner().invoke(main, ["--home", str(home), "export"]).stdout
    assert "root:" not in out  # nothing from /etc/passwd reached the catalogue


def test_gb18030_csv_is_detected(home):
    code, report, _ = ingest_json(home, BAD / "gb18030-labelled.csv")
    assert (code, report["added"] + report["updated"] + report["unchanged"]) == (0, 1)
    show = json.loads(CliRunner().invoke(main, ["--home", str(home), "show", "GB/T 20223-2018", "--json"]).stdout)
    assert show["titles"]["zh"] == "棉短绒"


def test_unknown_file_does_not_stop_the_others(tmp_path):
    code, report, _ = ingest_json(tmp_path / "h", BAD / "notes.dat", SMALL)
    assert code == 1 and report["added"] == 8 and report["rejected"] == 1


def test_only_unknown_files_exit_2(tmp_path):
    code, report, _ = ingest_json(tmp_path / "h", BAD / "notes.dat")
    assert code == 2 and report["rejected"] == 1


def test_strict_is_all_or_nothing(tmp_path):
    bad = tmp_path / "mixed.jsonl"
    bad.write_text('{"designation": "ISO 5208:2015", "status": "current"}\n{"designation": "Figure 12"}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--home", str(tmp_path / "h"), "ingest", "--strict", str(SMALL), str(bad)])
    assert result.exit_code == 1
    assert "--strict: stopped at the first problem, nothing was written:" in result.stderr
    con = sqlite3.connect(tmp_path / "h" / "catalogue.sqlite3")
    assert con.execute("SELECT COUNT(*) FROM standards").fetchone()[0] == 0
    # Without --strict the good record of the same file lands and the bad one is reported.
    code, report, _ = ingest_json(tmp_path / "h", bad)
    assert (code, report["added"], report["rejected"]) == (1, 1, 1)
    assert report["problems"] == [{"file": str(bad), "line": 2, "field": "designation",
                                   "reason": "'Figure 12' is not a standard designation: no known publisher prefix."}]


def test_dry_run_writes_nothing_and_report_file(tmp_path):
    report_file = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["--home", str(tmp_path / "h"), "ingest", "--dry-run", "--report", str(report_file), str(SMALL)])
    assert result.exit_code == 0
    assert json.loads(report_file.read_text(encoding="utf-8"))["added"] == 8
    con = sqlite3.connect(tmp_path / "h" / "catalogue.sqlite3")
    assert con.execute("SELECT COUNT(*) FROM standards").fetchone()[0] == 0


def test_second_source_enriches_and_reingest_is_unchanged(home, tmp_path):
    extra = tmp_path / "museum.csv"
    extra.write_text("标准号,英文名称,馆藏位置,载体\nISO 5208:2015,,A-12-3,纸本\n", encoding="utf-8")
    code, report, _ = ingest_json(home, extra)
    assert (code, report["updated"]) == (0, 1)
    code, report, _ = ingest_json(home, extra, SMALL)
    assert (report["added"], report["updated"]) == (0, 0)
    show = json.loads(CliRunner().invoke(main, ["--home", str(home), "show", "ISO 5208:2015", "--json"]).stdout)
    assert show["titles"]["fr"].startswith("Robinetterie") and show["holdings"][0]["shelf_mark"] == "A-12-3"


@pytest.mark.slow
def test_kill_9_mid_file_leaves_the_previous_catalogue(home, tmp_path):
    # One file of about 4,000 real records (the demo's ISO and IEC lines): its transaction lasts
    # a second or two, long enough to be killed inside it.
    big = tmp_path / "big.jsonl"
    big.write_text("".join(p.read_text(encoding="utf-8") for p in demo_files() if p.name in ("iso.jsonl", "iec.jsonl")),
                   encoding="utf-8")
    before = sqlite3.connect(home / "catalogue.sqlite3").execute("SELECT COUNT(*) FROM standards").fetchone()[0]
    proc = subprocess.Popen([sys.executable, "-m", "catalogue.cli", "--home", str(home), "ingest", str(big)],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=ROOT)
    assert proc.stderr.readline().startswith("reading big.jsonl")
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    rest = proc.stderr.read()
    proc.stderr.close()
    assert "records in" not in rest, "the file finished before the kill: make the input bigger"
    con = sqlite3.connect(home / "catalogue.sqlite3")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT COUNT(*) FROM standards").fetchone()[0] == before
    con.close()
    # A rerun completes and the index agrees with the store.
    code, report, _ = ingest_json(home, big)
    assert code == 0 and report["added"] > 4000
    from catalogue.edges.service import Catalogue
    with Catalogue(home) as cat:
        assert cat.index.count() == cat.store.count() == before + report["added"]


@pytest.mark.realdata
def test_every_other_real_file_ingests_with_only_explained_rejects(tmp_path):
    from conftest import SHARED_DATA, shared_file

    shared_file("gb")
    files = sorted(p for p in SHARED_DATA.rglob("*") if p.is_file()
                   and not p.name.endswith(".tar.xz") and p.name not in ("README.md", "LICENSE.txt"))
    assert len(files) == 99  # with gb/hbba (list JSON, detail page) and gb/prefixes
    code, report, _ = ingest_json(tmp_path / "h", *files)
    assert code == 1
    # Every problem names a file by the path it was given on the command line.
    assert {p["file"] for p in report["problems"]} <= {str(f) for f in files}
    rejected = sorted((Path(p["file"]).name, p["line"], p["field"]) for p in report["problems"])
    assert rejected == sorted([
        ("gbt_5606_2004_all_parts.xml", 1, "designation"),      # a series ("all parts"), not an edition
        ("ICS.malformed-quote.csv", 661, None),                  # the real broken row
        ("tbx-highlight-elements.xml", 34, None),                # not well-formed: unbound prefix
        ("tbx-nisosts-0.2.xml", 9, "std-ref"),                   # "TBX examples" has no number
        ("Sample2.xml", 5, "std-ref"), ("isosts_feature_doc.xml", 6, "std-ref"),
        ("para-mixes_ok_1.xml", 5, "std-ref"),
        ("meta-mixes_ok_1.xml", 5, "std-ref"), ("meta-mixes_ok_1.xml", 30, "std-ref"), ("meta-mixes_ok_1.xml", 56, "std-ref"),
        ("meta-mixes_ok_2.xml", 5, "std-ref"), ("meta-mixes_ok_2.xml", 30, "std-ref"), ("meta-mixes_ok_2.xml", 55, "std-ref"),
        ("meta-mixes_ok_2.xml", 80, "std-ref"),                  # empty sample templates
    ])
    show = json.loads(CliRunner().invoke(main, ["--home", str(tmp_path / "h"), "show", "GB/T 20223-2018", "--json"]).stdout)
    assert (show["status"], show["ccs"], show["ics"]) == ("current", "W10", ["59.060.10"])
    assert [r["target"] for r in show["relations"] if r["type"] == "replaces"] == ["GB/T 20223-2006"]
    # The hbba list and detail page, and the Relaton XML of the same standard, make one record.
    show = json.loads(CliRunner().invoke(main, ["--home", str(tmp_path / "h"), "show", "JB/T 13368-2018", "--json"]).stdout)
    assert (show["status"], show["dates"]["in_force"], show["ccs"], show["level"], show["industry"]) == (
        "current", "2018-10-01", "J83", "industry", "JB")
    # The sector prefixes land as the industry classification (64 prefixes).
    con = sqlite3.connect(tmp_path / "h" / "catalogue.sqlite3")
    assert con.execute("SELECT COUNT(*) FROM classifications WHERE scheme = 'industry'").fetchone()[0] == 64


@pytest.mark.realdata
@pytest.mark.slow
def test_both_archives_dry_run_rejects_only_what_the_grammar_leaves_out(tmp_path):
    from conftest import shared_file

    archives = [shared_file("iso", "relaton", "iso-relaton-yaml.tar.xz"), shared_file("iec", "relaton", "iec-relaton-yaml.tar.xz")]
    code, report, _ = ingest_json(tmp_path / "h", "--dry-run", *archives)
    assert code == 1
    # 186 since the grammar reads letter parts (ISO 105-F:1982, IEC 62087-BD:2011) and IEC/ISO joints.
    assert report["added"] == 94161 - 186 and report["rejected"] == 186
    # Every reject is a designation the grammar knowingly leaves out (docs/designation-forms.md):
    # directives supplements, IEC fragments and database entries, ISO/DATA, and the like.
    assert {p["field"] for p in report["problems"]} == {"designation"}
    texts = " ".join(p["reason"] for p in report["problems"])
    for form in ("ISO/IEC DIR", "/FRAG", "ISO/DATA"):
        assert form in texts


# --- supplements by the grammar, on designations no fixture holds ----------------------------

@st.composite
def astm_designations(draw):
    """ASTM's numbering with its revision marks: 'ASTM D2209-00a(2015)e2' (a letter for a second
    revision in a year, a reapproval year, an editorial change): each names an edition."""
    letter = draw(st.sampled_from("ABCDEFG"))
    number = draw(st.integers(1, 9999))
    year = draw(st.integers(0, 99))
    text = f"ASTM {letter}{number}-{year:02d}"
    if draw(st.booleans()):
        text += draw(st.sampled_from("abcd"))
    if draw(st.booleans()):
        text += f"({draw(st.integers(2000, 2025))})"
    if draw(st.booleans()):
        text += f"e{draw(st.integers(1, 9))}"
    return text


@st.composite
def supplements(draw):
    """An ISO or IEC amendment or corrigendum of a dated edition, as each publisher prints it."""
    publisher = draw(st.sampled_from(["ISO", "IEC"]))
    number = draw(st.integers(100, 99999))
    base_year, year = draw(st.integers(1990, 2020)), draw(st.integers(2021, 2025))
    kind = draw(st.sampled_from(["amends", "corrects"]))
    count = draw(st.integers(1, 3))
    if publisher == "ISO":
        mark = f"Amd {count}" if kind == "amends" else f"Cor {count}"
        return f"ISO {number}:{base_year}/{mark}:{year}", f"ISO {number}:{base_year}", kind
    mark = f"AMD{count}" if kind == "amends" else f"COR{count}"
    return f"IEC {number}:{base_year}/{mark}:{year}", f"IEC {number}:{base_year}", kind


@settings(max_examples=200, deadline=None)
@given(astm_designations())
def test_astm_revision_marks_name_editions_not_supplements(text):
    record = Standard(text, titles={"en": "Generated ASTM title"})
    assert complete_record(record) is None
    assert record.supplement == "" and record.publisher == "ASTM" and record.year
    assert not [r for r in record.relations if r.type in ("amends", "corrects")]


@settings(max_examples=200, deadline=None)
@given(supplements())
def test_iso_and_iec_supplements_relate_to_their_edition(case):
    text, base, kind = case
    record = Standard(text, titles={"en": "Generated supplement"})
    assert complete_record(record) is None
    assert [(r.type, r.target) for r in record.relations if r.type in ("amends", "corrects")] == [(kind, base)]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(astm_designations(), min_size=1, max_size=6, unique=True),
       st.lists(supplements(), max_size=4, unique_by=lambda case: case[0]))
def test_a_generated_file_lands_with_the_relations_the_grammar_gives(tmp_path_factory, astm, supps):
    """End to end: a JSONL file of generated records into a real store; ASTM editions get no
    supplement relation, each ISO/IEC supplement one to its base edition."""
    folder = tmp_path_factory.mktemp("generated")
    lines = [{"designation": text, "titles": {"en": "Generated"}} for text in astm]
    lines += [{"designation": text, "titles": {"en": "Generated"}} for text, _, _ in supps]
    path = folder / "generated.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    with Store(folder / "home", create=True) as store:
        report = ingest_paths(store, [path])
        assert (report.added, report.rejected) == (len(lines), 0)
        for text in astm:
            record = Standard(text)
            complete_record(record)
            assert not [r for r in store.relations(record.key) if r.type in ("amends", "corrects")], text
        for text, base, kind in supps:
            record = Standard(text)
            complete_record(record)
            assert [(r.type, r.target) for r in store.relations(record.key)
                    if r.type in ("amends", "corrects")] == [(kind, base)], text
