"""The industry-standards filing platform reader (hbba): fixture table, China time, detection, real files."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalogue.cli import main
from conftest import FIXTURES, check_expected, shared_file
from ingest import hbba
from ingest.detect import detect_format

FIXTURE_DIR = FIXTURES / "readers" / "hbba"
FIXTURE_FILES = sorted(p for p in FIXTURE_DIR.iterdir()
                       if p.suffix in (".json", ".html") and not p.name.endswith(".expected.json"))


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=[p.name for p in FIXTURE_FILES])
def test_fixture_table(fixture: Path):
    with open(fixture, "rb") as fp:
        check_expected(list(hbba.read_hbba(fp, fixture.name)), fixture)


@pytest.mark.parametrize("millis, day", [
    (1538323200000, "2018-10-01"),  # 2018-09-30T16:00Z: already 1 October in Beijing
    (1518105600000, "2018-02-09"), (1519574400000, "2018-02-26"),
    (1538319599000, "2018-09-30"),  # 2018-09-30T14:59:59Z: still 30 September in Beijing
    ("1538323200000", "2018-10-01"), ("soon", None), (True, None), (10 ** 16, None),
])
def test_epoch_milliseconds_are_read_in_china_time(millis, day):
    assert hbba.china_date(millis) == day


def test_bad_rows_are_problems_and_an_unknown_status_word_a_warning():
    with open(FIXTURE_DIR / "list-bad-rows.json", "rb") as fp:
        readings = list(hbba.read_hbba(fp, "list-bad-rows.json"))
    assert [str(r.problem) for r in readings if r.problem] == [
        "list-bad-rows.json:1: published: 'issueDate' is '9 February 2018', not a time in epoch milliseconds.",
        "list-bad-rows.json:2: code: the entry has no 'code' (标准号).",
        "list-bad-rows.json:3: -: each entry of 'records' must be a JSON object.",
    ]
    (last,) = [r for r in readings if r.ok]
    assert (last.item.status, [w.field for w in last.warnings]) == ("", ["status"])


def test_detected_by_content_whatever_the_name(tmp_path):
    for name in ("list-jb-t-13368-2018.json", "detail-jb-t-13368-2018.html"):
        copy = tmp_path / (name + ".txt")
        copy.write_bytes((FIXTURE_DIR / name).read_bytes())
        assert detect_format(copy).name == "hbba"


@pytest.mark.realdata
def test_real_list_and_detail_page_land_as_one_record(tmp_path):
    folder = shared_file("gb", "hbba")
    home = tmp_path / "home"
    result = CliRunner().invoke(main, ["--home", str(home), "ingest", "--json", *map(str, sorted(folder.iterdir()))])
    report = json.loads(result.stdout)
    # The detail page (read first) says all the list says, and more: the list changes nothing.
    assert (result.exit_code, report["added"], report["unchanged"], report["rejected"]) == (0, 1, 1, 0)
    shown = json.loads(CliRunner().invoke(main, ["--home", str(home), "show", "JB/T 13368-2018", "--json"]).stdout)
    assert (shown["titles"], shown["status"], shown["dates"]["published"], shown["dates"]["in_force"]) == (
        {"zh": "叉车属具 软包夹"}, "current", "2018-02-09", "2018-10-01")
    assert (shown["ccs"], shown["ics"], shown["level"], shown["industry"]) == ("J83", ["53.060"], "industry", "JB")
