"""Standard systems and benchmarking schemes: file formats, health counts, watching."""
from __future__ import annotations

from pathlib import Path

import pytest

from catalogue.demo import demo_files
from catalogue.store import Store
from catalogue.systems import changes_for, flatten_system, list_schemes, scheme_detail, schemes_citing, system_tree
from ingest.pipeline import ingest_paths
from ingest.system_yaml import read

from conftest import FIXTURES

SMALL = FIXTURES / "catalogue" / "small.jsonl"
BAD = FIXTURES / "systems"


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "home", create=True)
    ingest_paths(s, [SMALL])
    yield s
    s.close()


def problems_of(path: Path) -> list[str]:
    return [str(r.problem) for r in read(path) if r.problem]


def test_bad_system_reports_each_mistake_and_keeps_the_rest(store):
    f = BAD / "bad-system.yaml"
    assert problems_of(f) == [
        f"{f}:10: system.nodes[0].standards[1]: 'Figure 12' is not a standard designation; the entry was skipped",
        f"{f}:11: system.nodes[0].standards[2]: a designation is required",
        f"{f}:12: system.nodes[1].code: every node needs a code",
        f"{f}:13: system.nodes[2].code: node code '1' is used twice",
    ]
    report = ingest_paths(store, [f])
    assert report.rejected == 4
    tree = system_tree(store, "test-bad")
    assert [n["code"] for n in tree["nodes"]] == ["1", "2"]
    # ISO 5208:2015 in force; GB/T 20223 undated -> in force (2018); IEC 60947-2:2016 replaced by 2024.
    assert tree["counts"] == {"current": 2, "upcoming": 0, "replaced": 1, "withdrawn": 0, "draft": 0, "series": 0, "missing": 0}
    node2 = tree["nodes"][1]
    assert [(m["designation"], m["state"], m["in_force_designation"]) for m in node2["members"]] == [
        ("GB/T 20223", "current", "GB/T 20223-2018"), ("IEC 60947-2:2016", "replaced", "IEC 60947-2:2024")]
    rows = flatten_system(tree)
    assert rows[0] == {"node": "1", "path": "1 基础", "designation": "ISO 5208:2015", "state": "current",
                       "status": "current", "in_force": "ISO 5208:2015", "note": ""}


def test_bad_scheme(store):
    f = BAD / "bad-scheme.yaml"
    assert problems_of(f) == [
        f"{f}:5: scheme.international[1]: 'not a designation' is not a standard designation; the entry was skipped",
        f"{f}:10: scheme.indicators[0].values[0].value: a value needs the clause or source it comes from; the value was dropped",
        f"{f}:11: scheme.indicators[0].values[1].standard: 'ISO 5208:2008' is not among the scheme's domestic or international standards",
        f"{f}:12: scheme.indicators[1].indicator: every indicator row needs a name",
    ]
    ingest_paths(store, [f])
    detail = scheme_detail(store, "test-bad-scheme")
    assert detail["columns"] == ["GB/T 20223-2018", "ISO 5208:2015"]
    assert detail["indicators"][0]["cells"][0] == {"designation": "ISO 5208:2015", "key": "iso-5208-2015", "value": "",
                                                   "requirement": "", "clause": "", "source": ""}


@pytest.mark.parametrize("name, reason", [
    ("truncated.yaml", "not valid YAML"),
    ("code-tag.yaml", "not valid YAML: could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'"),
])
def test_broken_yaml_is_one_clear_problem(name, reason):
    problems = problems_of(BAD / name)
    assert len(problems) == 1 and reason in problems[0]


def test_demo_systems_and_schemes_load(store):
    report = ingest_paths(store, [p for p in demo_files() if p.name.startswith(("systems.", "schemes."))])
    assert report.rejected == 0, [str(p) for p in report.problems]
    assert {s["id"] for s in list_schemes(store)} == {"steel-gate-valves", "spectacle-frames", "mccb"}
    assert [s["id"] for s in schemes_citing(store, "iec-60947-2-2016", "iec-60947-2")] == ["mccb"]
    assert [s["id"] for s in schemes_citing(store, "iso-5208-2015", "iso-5208")] == ["steel-gate-valves"]
    mccb = scheme_detail(store, "mccb")
    iec = next(s for s in mccb["standards"] if s["designation"] == "IEC 60947-2:2016")
    assert (iec["state"], iec["in_force_designation"]) == ("replaced", "IEC 60947-2:2024")


def test_changes_since_for_a_scheme(store):
    ingest_paths(store, [p for p in demo_files() if p.name.startswith("schemes.")])
    events = [(e["designation"], e["field"], e["at"][:10]) for e in changes_for(store, "2024-01-01", scheme_id="mccb")]
    assert ("IEC 60947-2:2024", "published", "2024-09-18") in events
    assert all(d.startswith("IEC 60947-2") for d, _, _ in events)
    assert changes_for(store, "2030-01-01", scheme_id="mccb") == []


def test_system_spreadsheet(store):
    f = FIXTURES / "systems" / "valves-system.csv"
    report = ingest_paths(store, [f])
    assert [str(p) for p in report.problems] == [
        f"{f}:4: designation: '表 VI-1' is not a standard designation; the row was skipped"]
    tree = system_tree(store, "valves")
    assert tree["titles"] == {"zh": "阀门产业标准体系"}
    assert [(n["code"], [c["code"] for c in n["children"]]) for n in tree["nodes"]] == [("1", ["1.1"]), ("2", [])]
    assert tree["counts"] == {"current": 2, "upcoming": 0, "replaced": 1, "withdrawn": 0, "draft": 0, "series": 0, "missing": 0}
    assert tree["nodes"][0]["counts"]["current"] == 2  # its own member and its child's


def test_system_xlsx_round_trip(store, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["system", "node", "node name (en)", "designation"], ["lv", "1", "Breakers", "IEC 60947-2"]):
        sheet.append(row)
    path = tmp_path / "lv-system.xlsx"
    book.save(path)
    report = ingest_paths(store, [path])
    assert report.rejected == 0
    tree = system_tree(store, "lv")
    member = tree["nodes"][0]["members"][0]
    assert (member["designation"], member["state"], member["in_force_designation"]) == (
        "IEC 60947-2", "current", "IEC 60947-2:2024")
