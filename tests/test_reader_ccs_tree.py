"""The CCS tree reader: fixture table, codes and parents, errata, encodings, and the real cnccs files."""
from __future__ import annotations

import collections
from pathlib import Path

import pytest

from catalogue.records import ClassNode
from conftest import FIXTURES, check_expected, shared_file
from ingest import ccs_tree

FIXTURE_DIR = FIXTURES / "readers" / "ccs-tree"
FIXTURE_FILES = sorted(p for p in FIXTURE_DIR.iterdir() if p.suffix == ".csv")


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=[p.name for p in FIXTURE_FILES])
def test_fixture_table(fixture: Path):
    # Read by the bare name, so the table is the same on every machine (read(path) names the
    # path as given: test_problems_name_the_path_as_given below).
    with open(fixture, "rb") as fp:
        check_expected(list(ccs_tree.read_ccs_tree(fp, fixture.name)), fixture)


def test_level3_header_repeats_a_name_and_columns_go_by_position():
    readings = list(ccs_tree.read(FIXTURE_DIR / "cat-level3.csv"))
    assert readings[1].item == ClassNode("ccs", "J16", "J10/29", {"zh": "阀门", "en": "Valves"}, {"zh": "非金属阀门入此。"},
                                         {"en": "catalogue:classnames"})


def test_known_bad_code_is_corrected_by_the_errata_table():
    readings = list(ccs_tree.read(FIXTURE_DIR / "cat-level3.csv"))
    assert (readings[2].item.code, readings[2].item.parent) == ("K22", "K20/29")


def test_bad_rows_are_problems():
    path = FIXTURE_DIR / "cat-level3.csv"
    problems = [str(r.problem) for r in ccs_tree.read(path) if not r.ok]
    assert problems == [
        f"{path}:7: titles: CCS code 'J31' has no name.",
        f"{path}:8: parent: CCS code J45 does not fall within its parent range 'J30/39'.",
        f"{path}:9: code: 'J7' is not a CCS code such as 'J16'.",
    ]


def test_gb18030_copy_reads_the_same():
    with pytest.raises(UnicodeDecodeError):
        (FIXTURE_DIR / "cat-level3-gb18030.csv").read_bytes().decode("utf-8")
    (reading,) = ccs_tree.read(FIXTURE_DIR / "cat-level3-gb18030.csv")
    assert reading.item.titles == {"zh": "阀门", "en": "Valves"}


def test_folder_reads_levels_in_order():
    sources = [r.source for r in ccs_tree.read(FIXTURE_DIR) if r.ok]
    assert sources == sorted(sources, key=lambda s: {"cat-level1.csv": 1, "cat-level2.csv": 2}.get(s, 3))
    assert sources[0] == "cat-level1.csv"


def test_sniff():
    assert [ccs_tree.sniff(p.read_bytes()[:4096]) for p in FIXTURE_FILES] == [True, True, True, True, False]
    assert not ccs_tree.sniff(b"\xef\xbb\xbfidentifier,parent,titleEn,titleFr\n")
    assert not ccs_tree.sniff(b"")


# ----------------------------------------------------------------------------- real data

@pytest.mark.realdata
def test_real_tree_counts_and_parents():
    folder = shared_file("ccs")
    readings = list(ccs_tree.read(folder))
    assert all(r.ok for r in readings), [str(r.problem) for r in readings if not r.ok]
    assert collections.Counter(r.source for r in readings) == {
        "cat-level1.csv": 24, "cat-level2.csv": 225, "cat-level3.csv": 1608}
    nodes = {r.item.code: r.item for r in readings}
    assert len(nodes) == 24 + 225 + 1608
    assert all(not n.parent or n.parent in nodes for n in nodes.values())
    assert (nodes["J"].titles, nodes["J10/29"].parent, nodes["J16"].parent) == ({"zh": "机械", "en": "Machinery"}, "J", "J10/29")
    assert nodes["J16"].titles == {"zh": "阀门", "en": "Valves"}
    assert (nodes["W10"].titles, nodes["W10"].parent) == ({"zh": "棉纺织综合", "en": "Cotton textiles in general"}, "W10/19")
    assert (nodes["B32"].titles, nodes["B32"].parent) == ({"zh": "纤维作物与产品", "en": "Fibre crops and products"}, "B30/39")
    assert (nodes["K22"].titles["zh"], nodes["D50"].titles["zh"]) == ("异步电机", "非金属矿综合")
    assert (nodes["K22"].titles["en"], nodes["D50"].titles["en"]) == ("Asynchronous machines", "Non-metallic minerals in general")
    # every node of the real tree has its English class name, from catalogue.classnames
    assert all(n.titles.get("en") and n.title_sources == {"en": "catalogue:classnames"} for n in nodes.values())
    assert "FF2" not in nodes and "D47" not in nodes


@pytest.mark.realdata
def test_real_files_sniff_and_ics_does_not():
    for level in ("cat-level1.csv", "cat-level2.csv", "cat-level3.csv"):
        path = shared_file("ccs", level)
        assert ccs_tree.sniff(path.read_bytes()[:4096])
    ics = shared_file("iso", "opendata", "ICS.csv")
    assert not ccs_tree.sniff(ics.read_bytes()[:4096])
