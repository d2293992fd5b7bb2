"""Class names in the reader's language: the shipped files, the look-ups, and ingest of the real trees."""
from __future__ import annotations

import csv
import re

import pytest

from catalogue import classnames
from catalogue.classnames import SOURCE, class_name, class_name_source, class_names, complete_titles, read_class_names
from catalogue.records import ClassNode
from catalogue.store import Store
from conftest import shared_file
from ingest.pipeline import ingest_paths

CJK = re.compile(r"[\u4e00-\u9fff]")
URL = re.compile(r"^https?://[^\s/]+\.[a-z]{2,}/\S*$")


def ics_csv_codes() -> list[str]:
    path = shared_file("iso", "opendata", "ICS.csv")
    with open(path, encoding="utf-8-sig", newline="") as fp:
        return [row["identifier"] for row in csv.DictReader(fp)]


def ccs_codes(level: int) -> list[str]:
    path = shared_file("ccs", f"cat-level{level}.csv")
    with open(path, encoding="utf-8-sig", newline="") as fp:
        return [row[0].strip() for row in list(csv.reader(fp))[1:] if row and row[0].strip()]


# --- the shipped files -----------------------------------------------------------------------

@pytest.mark.parametrize("scheme, lang", sorted(classnames.FILES))
def test_shipped_file_is_well_formed(scheme, lang):
    rows = read_class_names(classnames.FOLDER / classnames.FILES[(scheme, lang)])
    assert rows and rows == class_names(scheme, lang)
    bad_sources = [r.code for r in rows.values() if r.source != "ours" and not URL.match(r.source)]
    assert bad_sources == []
    if lang == "zh":
        assert [r.code for r in rows.values() if not CJK.search(r.name)] == []
    else:
        assert [r.code for r in rows.values() if CJK.search(r.name) or r.name != r.name.strip()] == []
    # Both kinds of source are there: pages that print the name, and our own translations.
    assert {r.source == "ours" for r in rows.values()} == {True, False}


def test_names_and_sources_of_the_pillar_classes():
    assert [class_name("ics", code, "zh") for code in ("23.060", "23.060.30", "23.080", "29.130.20", "11.040.70",
                                                        "61.060", "59.140", "43.040.40")] == [
        "阀门", "闸阀", "泵", "低压开关设备和控制设备", "眼科设备", "鞋类", "皮革技术", "制动系统"]
    assert [class_name("ccs", code, "en") for code in ("J", "J10/29", "J16", "J71", "K30/39", "K31", "Y78", "T24")] == [
        "Machinery", "General parts", "Valves", "Pumps", "Low-voltage apparatus", "Low-voltage distribution apparatus",
        "Footwear and boots", "Braking systems"]
    assert class_name_source("ics", "11.040.70", "zh") == \
        "https://std.samr.gov.cn/hb/search/stdHBDetailed?id=8B1827F1802FBB19E05397BE0A0AB44A"
    assert class_name_source("ccs", "J16", "en") == "ours"


def test_lookups_for_what_is_not_held():
    assert class_name("ics", "99.999", "zh") is None
    assert class_name("ics", "23.060", "en") is None  # English ICS titles come from ISO, not from us
    assert class_name("ccs", "J16", "zh") is None
    assert class_name("gb", "J16", "en") is None
    assert class_name_source("ics", "99.999", "zh") is None


def test_complete_titles_adds_only_what_is_missing():
    titles = {"en": "Valves", "fr": "Robinetterie"}
    assert complete_titles("ics", "23.060", titles) == {"en": "Valves", "fr": "Robinetterie", "zh": "阀门"}
    assert titles == {"en": "Valves", "fr": "Robinetterie"}  # the argument is not changed
    assert complete_titles("ics", "23.060", {"en": "Valves", "zh": "阀门类"}) == {"en": "Valves", "zh": "阀门类"}
    assert complete_titles("ccs", "J16", {"zh": "阀门"}) == {"zh": "阀门", "en": "Valves"}
    assert complete_titles("ccs", "J16", {"zh": "阀门", "en": ""}) == {"zh": "阀门", "en": "Valves"}
    assert complete_titles("ics", "99.999", {"en": "Unknown"}) == {"en": "Unknown"}


@pytest.mark.parametrize("text, reason", [
    ("23.060\t阀门\n", "expected code, name and source separated by tabs."),
    ("23.060\t阀门\tours\n23.060\t阀\tours\n", "code 23.060 is named twice."),
    ("# note\n23.060\t\tours\n", "expected code, name and source separated by tabs."),
])
def test_a_broken_row_is_an_error_naming_its_line(tmp_path, text, reason):
    path = tmp_path / "ics-zh.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError) as exc:
        read_class_names(path)
    line = len(text.rstrip("\n").split("\n"))
    assert str(exc.value) == f"{path}:{line}: {reason}"


# --- the real trees ----------------------------------------------------------------------------

@pytest.mark.realdata
def test_every_ics_code_of_the_real_file_has_a_chinese_name():
    codes = ics_csv_codes()
    names = class_names("ics", "zh")
    levels = {n: [c for c in codes if c.count(".") == n] for n in (0, 1, 2)}
    assert [len(levels[n]) for n in (0, 1, 2)] == [40, 401, 940]
    assert [c for c in codes if c not in names] == []  # every field, group and sub-group
    assert sorted(names) == sorted(codes)  # and no code the real tree lacks


@pytest.mark.realdata
def test_every_ccs_code_of_the_real_files_has_an_english_name():
    names = class_names("ccs", "en")
    level1, level2 = ccs_codes(1), ccs_codes(2)
    assert (len(level1), len(level2)) == (24, 225)
    assert [c for c in level1 + level2 if c not in names] == []
    # The two-digit classes too, under the codes the reader gives (cnccs misnumbers two rows).
    level3 = {"FF2": "K22", "D47": "D50"}
    got = [level3.get(c, c) for c in ccs_codes(3)]
    assert len(got) == 1608 and [c for c in got if c not in names] == []
    assert len(names) == 24 + 225 + 1608


@pytest.mark.realdata
def test_ingest_of_the_real_trees_completes_titles_with_provenance(tmp_path):
    ics = shared_file("iso", "opendata", "ICS.csv")
    ccs = [shared_file("ccs", f"cat-level{level}.csv") for level in (1, 2, 3)]
    with Store(tmp_path / "home", create=True) as store:
        report = ingest_paths(store, [ics, *ccs])
        assert report.rejected == 0
        nodes = store.class_nodes("ics")
        assert len(nodes) == 1381 and all(n.titles.get("zh") and n.titles.get("en") for n in nodes)
        ccs_nodes = store.class_nodes("ccs")
        assert len(ccs_nodes) == 1857 and all(n.titles.get("zh") and n.titles.get("en") for n in ccs_nodes)
        valves = store.class_node("ics", "23.060")
        assert valves.titles == {"en": "Valves", "fr": "Robinetterie", "zh": "阀门"}
        assert valves.title_sources == {"zh": SOURCE}
        j16 = store.class_node("ccs", "J16")
        assert (j16.titles, j16.title_sources) == ({"zh": "阀门", "en": "Valves"}, {"en": SOURCE})
        rows = store.db.execute("SELECT source, value FROM provenance WHERE key = 'ics:23.060' AND field = 'titles.zh'")
        assert [tuple(r) for r in rows] == [(SOURCE, '"阀门"')]


# --- the store: a completion never replaces a title from elsewhere ---------------------------------

def test_completion_fills_a_gap_but_keeps_a_title_from_elsewhere(tmp_path):
    with Store(tmp_path / "home", create=True) as store:
        with store.transaction():
            store.put_class_node(ClassNode("ics", "23.060", "23", {"en": "Valves", "zh": "阀门（另一来源）"}))
            assert store.put_class_node(ClassNode("ics", "23.060", "23", {"en": "Valves", "zh": "阀门"}, {},
                                                  {"zh": SOURCE})) == "unchanged"
            assert store.put_class_node(ClassNode("ics", "23.080", "23", {"en": "Pumps", "zh": "泵"}, {},
                                                  {"zh": SOURCE})) == "added"
        kept = store.class_node("ics", "23.060")
        assert (kept.titles["zh"], kept.title_sources) == ("阀门（另一来源）", {})
        added = store.class_node("ics", "23.080")
        assert (added.titles, added.title_sources) == ({"en": "Pumps", "zh": "泵"}, {"zh": SOURCE})


def test_a_corrected_class_name_replaces_the_earlier_completion(tmp_path):
    with Store(tmp_path / "home", create=True) as store:
        with store.transaction():
            store.put_class_node(ClassNode("ccs", "J71", "J70/89", {"zh": "泵", "en": "Pump"}, {}, {"en": SOURCE}))
            assert store.put_class_node(ClassNode("ccs", "J71", "J70/89", {"zh": "泵", "en": "Pumps"}, {},
                                                  {"en": SOURCE})) == "updated"
        node = store.class_node("ccs", "J71")
        assert (node.titles, node.title_sources) == ({"zh": "泵", "en": "Pumps"}, {"en": SOURCE})
        assert [tuple(r) for r in store.db.execute("SELECT value FROM provenance WHERE key = 'ccs:J71'")] == [('"Pumps"',)]
