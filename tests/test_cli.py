"""The `catalogue` command on a real catalogue folder: contracts, exit codes, error sentences."""
from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest
from click.testing import CliRunner

from catalogue.cli import main

from conftest import FIXTURES, ROOT

SMALL = FIXTURES / "catalogue" / "small.jsonl"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def home(tmp_path, runner):
    home = tmp_path / "home"
    result = runner.invoke(main, ["--home", str(home), "ingest", str(SMALL)])
    assert result.exit_code == 0, result.output
    return home


def test_every_command_has_help_and_is_in_the_readme(runner):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        assert command.help and command.help.strip(), name
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output, name
        assert f"catalogue {name}" in readme or f"`{name}`" in readme, f"README does not mention `catalogue {name}`"


def test_designation_json_contract(runner):
    result = runner.invoke(main, ["designation", "--json", "ＧＢ／Ｔ　１２２３８—２００８", "Figure 12"])
    assert result.exit_code == 1  # one input was not a designation
    first, second = [json.loads(line) for line in result.stdout.splitlines()]
    assert list(first) == ["input", "ok", "display", "key", "work", "publisher", "type", "number", "part", "year", "supplement"]
    assert first == {"input": "ＧＢ／Ｔ　１２２３８—２００８", "ok": True, "display": "GB/T 12238-2008", "key": "gb-t-12238-2008",
                     "work": "gb-t-12238", "publisher": "GB", "type": "T", "number": "12238", "part": "", "year": "2008",
                     "supplement": ""}
    assert second["ok"] is False and second["error"] == "'Figure 12' is not a standard designation: no known publisher prefix."


def test_designation_reads_standard_input(runner):
    result = runner.invoke(main, ["designation", "--json"], input="iso5208:2015\nIEC60947-2:2016\n")
    assert result.exit_code == 0
    assert [json.loads(line)["key"] for line in result.stdout.splitlines()] == ["iso-5208-2015", "iec-60947-2-2016"]


def test_show_dated_and_undated(runner, home):
    result = runner.invoke(main, ["--home", str(home), "show", "iso5208:2015", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["key"] == "iso-5208-2015" and data["status"] == "current"
    assert data["resolved_from"] == "iso5208:2015"  # spelled differently from "ISO 5208:2015"
    assert data["dates"] == {"published": "2015-06", "in_force": None, "withdrawn": None}

    result = runner.invoke(main, ["--home", str(home), "show", "ISO 5208", "--json"])
    data = json.loads(result.stdout)
    assert data["key"] == "iso-5208-2015" and data["resolved_from"] == "ISO 5208"
    assert "undated: showing the edition in force, ISO 5208:2015" in result.stderr
    chain = [r["target"] for r in data["relations"] if r["type"] == "replaces"]
    assert chain == ["ISO 5208:2008"]
    older = json.loads(runner.invoke(main, ["--home", str(home), "show", "ISO 5208:1993", "--json"]).stdout)
    assert older["status"] == "withdrawn"
    assert [r["target"] for r in older["relations"] if r["type"] == "replaced_by"] == ["ISO 5208:2008"]


def test_show_iec_newer_edition_replaces_older(runner, home):
    result = runner.invoke(main, ["--home", str(home), "show", "IEC 60947-2:2016"])
    assert result.exit_code == 0
    assert "IEC 60947-2:2016  [replaced]" in result.stdout
    assert "replaced by: IEC 60947-2:2024" in result.stdout


def test_show_unknown_is_one_sentence_and_exit_1(runner, home):
    result = runner.invoke(main, ["--home", str(home), "show", "ISO 5208:2014"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: ISO 5208:2014 is not in the catalogue. Editions in the catalogue: "
        "iso-5208-1982, iso-5208-1993, iso-5208-2008, iso-5208-2015.")
    result = runner.invoke(main, ["--home", str(home), "show", "hello world"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: 'hello world' is not a designation or key in the catalogue."


def test_missing_catalogue_exit_2(runner, tmp_path):
    result = runner.invoke(main, ["--home", str(tmp_path / "none"), "stats"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: No catalogue at {tmp_path / 'none'}: run `catalogue init --demo`")


def test_stats_json(runner, home):
    data = json.loads(runner.invoke(main, ["--home", str(home), "stats", "--json"]).stdout)
    assert data == {"records": 8, "by_publisher": {"ISO": 4, "GB": 2, "IEC": 2},
                    "by_status": {"withdrawn": 4, "current": 3, "replaced": 1},
                    "by_level": {"international": 6, "foreign": 0, "national": 2, "industry": 0, "local": 0,
                                 "group": 0, "enterprise": 0},
                    "benchmarking": {"enterprises": 0, "products": 0, "results": 0, "certificates": 0, "needs_review": 0}}


def test_export_jsonl_round_trips_and_csv(runner, home, tmp_path):
    out = tmp_path / "all.jsonl"
    assert runner.invoke(main, ["--home", str(home), "export", "--output", str(out)]).exit_code == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["key"] for r in rows][:2] == ["gb-t-20223-2006", "gb-t-20223-2018"]
    holding = next(r for r in rows if r["key"] == "gb-t-20223-2018")["holdings"]
    assert holding == [{"format": "paper", "shelf_mark": "W10-0231", "access": "reading room", "note": ""}]
    # Export -> ingest into a fresh catalogue gives the same records.
    home2 = tmp_path / "home2"
    assert runner.invoke(main, ["--home", str(home2), "ingest", str(out)]).exit_code == 0
    again = runner.invoke(main, ["--home", str(home2), "export"]).stdout
    strip = lambda rs: [{k: v for k, v in r.items() if k != "provenance"} for r in rs]
    assert strip([json.loads(x) for x in again.splitlines()]) == strip(rows)

    result = runner.invoke(main, ["--home", str(home), "export", "--format", "csv"])
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(table) == 8
    row = next(r for r in table if r["key"] == "iso-5208-2015")
    assert row["replaces"] == "ISO 5208:2008" and row["title_fr"].startswith("Robinetterie industrielle")


def test_ingest_twice_changes_nothing(runner, home):
    result = runner.invoke(main, ["--home", str(home), "ingest", str(SMALL), "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["added"], data["updated"], data["unchanged"], data["rejected"]) == (0, 0, 8, 0)


def test_init_creates_an_empty_catalogue(runner, tmp_path):
    result = runner.invoke(main, ["--home", str(tmp_path / "h"), "init"])
    assert result.exit_code == 0
    con = sqlite3.connect(tmp_path / "h" / "catalogue.sqlite3")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_first_ingest_builds_the_index_without_a_warning(tmp_path, caplog):
    # A new catalogue's first index is built from the store at the first file's commit: that
    # is news (logged at INFO), not "missing or out of date" (a WARNING meant for repairs).
    import logging

    from catalogue.edges.service import Catalogue

    with caplog.at_level(logging.INFO, logger="catalogue"), Catalogue(tmp_path / "fresh", create=True) as cat:
        report = cat.ingest([SMALL])
        assert report.added > 0 and cat.index.count() == cat.store.count()
    messages = [(r.levelname, r.getMessage()) for r in caplog.records if "search index" in r.getMessage()]
    assert messages and all(level == "INFO" and "building the search index" in text for level, text in messages), messages
