"""The index folder: rebuild and swap, incremental updates, recovery, analyzers and the glossary."""
from __future__ import annotations

import collections
import logging
import threading

import pytest
from whoosh.filedb.filestore import FileStorage

from catalogue.records import Standard
from index import Glossary, RecoveryNeeded, SearchIndex
from index.analyzers import (analyse, bigram_analyzer, chinese_analyzer, dash_form, designation_terms, english_analyzer,
                             fold_chinese)
from index.glossary import DEFAULT_PATH, parse_glossary
from index.writer import ROW_FORMAT, current_generation


def valve(year: str, status: str, title: str = "Industrial valves - Pressure testing of metallic valves") -> Standard:
    return Standard(f"ISO 5208:{year}", key=f"iso-5208-{year}", work="iso-5208", publisher="ISO",
                    number="5208", year=year, status=status, titles={"en": title})


BREAKER = Standard("IEC 60947-2:2016", key="iec-60947-2-2016", work="iec-60947-2", publisher="IEC", number="60947",
                   part="2", year="2016", status="current",
                   titles={"en": "Low-voltage switchgear and controlgear - Part 2: Circuit-breakers"})


@pytest.fixture
def ix(tmp_path):
    index = SearchIndex(tmp_path / "index", lock_timeout=0.2)
    yield index
    index.close()


# --- analyzers --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, dashed", [
    ("ISO 5208:2015", "iso-5208-2015"), ("iso5208:2015", "iso-5208-2015"), ("GB/T12238", "gb-t-12238"),
    ("GBT 12238-2008", "gb-t-12238-2008"), ("ＧＢ／Ｔ １２２３８", "gb-t-12238"), ("IEC 60947-2", "iec-60947-2"),
    ("DB33/T 778", "db-33-t-778"), ("T/ZZB 2109-2021", "t-zzb-2109-2021"), ("API 600", "api-600"),
])
def test_dash_form(text, dashed):
    assert dash_form(text) == dashed


def test_designation_terms():
    assert designation_terms("ISO 5208:2015", "iso-5208-2015", "iso-5208", "5208") == [
        "iso-5208-2015", "5208-2015", "iso-5208", "5208"]
    assert designation_terms("GB/T 14048.2-2020", "gb-t-14048-2-2020", "gb-t-14048-2", "14048.2") == [
        "gb-t-14048-2-2020", "14048-2-2020", "gb-t-14048-2", "14048-2", "14048"]


def test_chinese_analyzer_folds_traditional_and_cuts_words():
    tokens = analyse(chinese_analyzer(), "鋼製閘閥")
    assert "闸阀" in tokens and all("閥" not in t for t in tokens)


def test_bigrams_and_english_stems():
    assert analyse(bigram_analyzer(), "眼镜架 abc 鞋") == ["眼镜", "镜架", "鞋"]
    assert analyse(english_analyzer(), "Testing the valves") == ["test", "valv"]


# --- building and updating --------------------------------------------------------------------

def test_empty_index_opens_and_searches(ix):
    assert (ix.count(), ix.keys(), ix.healthy()) == (0, set(), True)
    assert ix.search("valve").total == 0


def test_rebuild_swaps_generation(ix):
    assert ix.rebuild([valve("2015", "current")]) == 1
    first = current_generation(ix.path)
    assert ix.rebuild([valve("2015", "current"), BREAKER]) == 2
    assert current_generation(ix.path) != first
    assert ix.keys() == {"iso-5208-2015", "iec-60947-2-2016"}
    gens = sorted(p.name for p in ix.path.iterdir() if p.name.startswith("gen-"))
    assert len(gens) == 2  # the new one and the one before (for searchers still holding it)


def test_update_dedupes_keys_within_a_batch(ix):
    ix.rebuild([valve("2015", "current")])
    ix.update([valve("2008", "current"), valve("2008", "withdrawn", "Old title")])
    assert ix.count() == 2
    hits = ix.search("ISO 5208:2008").hits
    assert (hits[0]["key"], hits[0]["status"], hits[0]["titles"]["en"]) == ("iso-5208-2008", "withdrawn", "Old title")


def test_update_replaces_and_deletes(ix):
    ix.rebuild([valve("2015", "current"), valve("2008", "current")])
    ix.update([valve("2008", "withdrawn")], delete_keys=["iso-5208-2015"])
    assert ix.keys() == {"iso-5208-2008"}
    assert ix.search("5208").hits[0]["status"] == "withdrawn"


def test_extras_in_force_and_systems(ix):
    ix.rebuild([valve("2015", "upcoming"), valve("2008", "current")],
               {"iso-5208-2008": {"in_force": True, "systems": ["valves"]}, "iso-5208-2015": {"in_force": False}})
    result = ix.search("ISO 5208", group="none")
    assert [h["key"] for h in result.hits] == ["iso-5208-2008", "iso-5208-2015"]
    assert [h["in_force"] for h in result.hits] == [True, False]
    assert result.facets["system"] == [["valves", 1]]


def test_search_during_rebuild_never_fails(tmp_path):
    index = SearchIndex(tmp_path / "index")
    records = [valve(str(1990 + i), "withdrawn") for i in range(30)] + [BREAKER]
    index.rebuild(records)
    errors: list[BaseException] = []
    totals: list[int] = []
    stop = threading.Event()

    def searching():
        while not stop.is_set():
            try:
                totals.append(index.search("valves", group="none").total)
            except BaseException as exc:  # the test reports every kind
                errors.append(exc)

    thread = threading.Thread(target=searching)
    thread.start()
    try:
        for round_ in range(6):
            index.rebuild(records[: 20 + round_] + [BREAKER])
            index.update([valve("2015", "current")])
    finally:
        stop.set()
        thread.join()
        index.close()
    assert errors == []
    assert totals and min(totals) >= 20


def test_second_process_view_sees_rebuild(tmp_path):
    writer = SearchIndex(tmp_path / "index")
    reader = SearchIndex(tmp_path / "index")
    writer.rebuild([valve("2015", "current")])
    assert reader.count() == 1
    writer.update([BREAKER])
    assert reader.keys() == {"iso-5208-2015", "iec-60947-2-2016"}
    writer.close()
    reader.close()


# --- recovery ---------------------------------------------------------------------------------

def test_held_write_lock_reports_recovery_needed(ix, caplog):
    ix.rebuild([valve("2015", "current")])
    lock = FileStorage(str(current_generation(ix.path))).lock("MAIN_WRITELOCK")
    assert lock.acquire(blocking=False)
    try:
        with caplog.at_level(logging.WARNING), pytest.raises(RecoveryNeeded, match="locked by another writer"):
            ix.update([BREAKER])
        assert "it needs a rebuild from the store (`catalogue reindex`)" in caplog.text
        assert ix.needs_rebuild
    finally:
        lock.release()
    assert ix.rebuild([valve("2015", "current"), BREAKER]) == 2
    assert ix.healthy() and ix.search("circuit-breakers").total == 1


def test_held_lock_with_source_rebuilds_from_store(tmp_path):
    store = [valve("2015", "current"), BREAKER]
    index = SearchIndex(tmp_path / "index", source=lambda: (store, None), lock_timeout=0.2)
    index.rebuild(store[:1])
    lock = FileStorage(str(current_generation(index.path))).lock("MAIN_WRITELOCK")
    assert lock.acquire(blocking=False)
    try:
        index.update([BREAKER])  # the pipeline already stored BREAKER; the rebuild brings it in
    finally:
        lock.release()
    assert index.keys() == {"iso-5208-2015", "iec-60947-2-2016"}
    index.close()


def _damage(folder):
    for toc in folder.glob("*.toc"):
        toc.write_bytes(b"not a table of contents")


def test_corrupt_index_is_reported_not_fatal(tmp_path, caplog):
    index = SearchIndex(tmp_path / "index")
    index.rebuild([valve("2015", "current")])
    index.close()
    _damage(current_generation(tmp_path / "index"))
    with caplog.at_level(logging.WARNING):
        damaged = SearchIndex(tmp_path / "index")
    assert "cannot be opened" in caplog.text
    assert not damaged.healthy() and damaged.needs_rebuild
    with pytest.raises(RecoveryNeeded, match="needs a rebuild from the store"):
        damaged.search("valves")
    assert damaged.rebuild([valve("2015", "current")]) == 1
    assert damaged.healthy() and damaged.search("valves").total == 1
    damaged.close()


def test_corrupt_index_with_source_rebuilds_itself(tmp_path):
    index = SearchIndex(tmp_path / "index")
    index.rebuild([valve("2015", "current")])
    index.close()
    _damage(current_generation(tmp_path / "index"))
    healed = SearchIndex(tmp_path / "index", source=lambda: ([valve("2015", "current"), BREAKER], None))
    assert healed.healthy() and healed.count() == 2
    healed.close()


# --- glossary ---------------------------------------------------------------------------------

def test_shipped_glossary_is_large_and_well_formed():
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    entries, problems = parse_glossary(text)
    assert problems == []
    assert len(entries) >= 1500
    # every row has Chinese, English and where the pair comes from; no Chinese term twice
    assert [e.line for e in entries if not (e.zh and e.en and e.source)] == []
    kinds = collections.Counter(e.source.split(":", 1)[0] for e in entries)
    assert set(kinds) == {"ours", "title", "ics", "ccs"}
    assert min(kinds.values()) >= 100
    assert [e.line for e in entries if e.source != "ours" and not e.source.split(":", 1)[1].strip()] == []
    folded = collections.Counter(fold_chinese(t) for e in entries for t in e.zh)
    assert [t for t, n in folded.items() if n > 1] == []
    by_zh = {e.zh[0]: e for e in entries}
    for zh, en in [("闸阀", "gate valve"), ("截止阀", "globe valve"), ("球阀", "ball valve"), ("蝶阀", "butterfly valve"),
                   ("止回阀", "check valve"), ("安全阀", "safety valve"), ("壳体试验", "shell test"), ("密封试验", "seat test"),
                   ("法兰", "flange"), ("断路器", "circuit-breaker"), ("塑料外壳式断路器", "moulded-case circuit-breaker"),
                   ("接触器", "contactor"), ("开关", "switch"), ("插座", "socket-outlet"), ("眼镜架", "spectacle frame"),
                   ("太阳镜", "sunglasses"), ("眼镜片", "spectacle lens"), ("鞋", "footwear"), ("安全鞋", "safety footwear"),
                   ("皮革", "leather"), ("鞋底", "sole"), ("空气滤清器", "air filter"), ("制动", "brake"),
                   ("汽车", "road vehicles"), ("电动汽车", "electric vehicles"), ("试验", "test"), ("要求", "requirements"),
                   ("方法", "method"), ("安全", "safety"), ("术语", "vocabulary"), ("通则", "general rules"),
                   ("规范", "specification"), ("测定", "determination"), ("尺寸", "dimensions")]:
        assert en in by_zh[zh].en, zh
    # component terms of the five pillar industries, and pairs from titles and class names
    for zh, en, source in [("阀体", "valve body", "ours"), ("阀盖", "bonnet", "ours"), ("阀座", "seat", "ours"),
                           ("鞋帮", "upper", "ours"), ("镜架", "frame", "ours"), ("镜片", "lens", "ours"),
                           ("升降式止回阀", "lift check valves", "title:GB/T 12233-2025"),
                           ("配装眼镜", "assembled spectacles", "title:GB/T 13511.1-2025"),
                           ("制动器衬片", "brake linings", "title:GB 5763-2018"),
                           ("球阀和旋塞阀", "ball and plug valves", "ics:23.060.20"),
                           ("皮革技术", "leather technology", "ics:59.140"),
                           ("低压配电电器", "low-voltage distribution apparatus", "ccs:K31")]:
        assert (en in by_zh[zh].en, by_zh[zh].source) == (True, source), zh


def test_glossary_problems_and_reload(tmp_path, caplog):
    path = tmp_path / "glossary.tsv"
    path.write_text("# comment\n闸阀\tgate valve\trobinet-vanne\nonly one column\n\tno chinese\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        glossary = Glossary.load(path)
    assert len(glossary) == 1
    assert glossary.problems == [
        f"{path}:3: expected 2 to 4 tab-separated columns (zh, en, fr, source), found 1.",
        f"{path}:4: both the Chinese and the English column need a term.",
    ]
    assert glossary.find_words(["Gate", "Valves"])[0][:2] == (0, 2)
    path.write_text("闸阀\tgate valve\n眼镜架\tspectacle frames\n", encoding="utf-8")
    assert glossary.reload() == 2
    assert [span[:2] for span in glossary.find_chinese("眼镜架闸阀")] == [(0, 3), (3, 5)]


def test_glossary_reads_the_source_column_and_older_lines(tmp_path):
    path = tmp_path / "glossary.tsv"
    path.write_text("闸阀\tgate valve\trobinet-vanne\tours\n升降式止回阀\tlift check valves\t\ttitle:GB/T 12233-2025\n"
                    "截止阀\tglobe valve\trobinet à soupape\n球阀\tball valve\n"
                    "蝶阀\tbutterfly valve\t\tours\textra\n", encoding="utf-8")
    entries, problems = parse_glossary(path.read_text(encoding="utf-8"), str(path))
    assert [(e.zh, e.en, e.fr, e.source, e.line) for e in entries] == [
        (["闸阀"], ["gate valve"], ["robinet-vanne"], "ours", 1),
        (["升降式止回阀"], ["lift check valves"], [], "title:GB/T 12233-2025", 2),
        (["截止阀"], ["globe valve"], ["robinet à soupape"], "", 3),
        (["球阀"], ["ball valve"], [], "", 4)]
    assert problems == [f"{path}:5: expected 2 to 4 tab-separated columns (zh, en, fr, source), found 5."]
    glossary = Glossary.load(path)
    assert [e.source for e in glossary.find_chinese("升降式止回阀")[0][2]] == ["title:GB/T 12233-2025"]


def test_reloaded_glossary_changes_search(tmp_path):
    path = tmp_path / "glossary.tsv"
    path.write_text("阀门\tvalves\n", encoding="utf-8")
    index = SearchIndex(tmp_path / "index", glossary=Glossary.load(path))
    index.rebuild([valve("2015", "current")])
    assert index.search("螺柱").total == 0
    path.write_text("阀门\tvalves\n螺柱\tmetallic\n", encoding="utf-8")
    index.glossary.reload()
    assert index.search("螺柱").total == 1
    index.close()


def test_tables_written_with_the_commit_reused_and_damage_repaired(tmp_path, caplog):
    index = SearchIndex(tmp_path / "index")
    index.rebuild([valve("2015", "current"), BREAKER])
    folder = current_generation(tmp_path / "index")
    # the writer leaves the files searches map: one segment's side files and the commit's table
    sides = sorted(p.name.rsplit(".", 1)[1] for p in folder.glob("side-*"))
    assert sides == ["bnd", "rows"] and len(list(folder.glob("table-*.bnd"))) == 1
    assert index.count() == 2
    index.close()
    before = {p.name: p.stat().st_mtime_ns for p in folder.glob("side-*")}
    reopened = SearchIndex(tmp_path / "index")
    assert reopened.search("ISO 5208:2015").hits[0]["designation"] == "ISO 5208:2015"
    reopened.close()
    assert {p.name: p.stat().st_mtime_ns for p in folder.glob("side-*")} == before  # mapped, not rebuilt
    next(folder.glob("side-*.bnd")).write_bytes(b"\x00garbage")
    with caplog.at_level(logging.WARNING):
        third = SearchIndex(tmp_path / "index")
    assert "rewriting the unreadable table file" in caplog.text
    assert third.keys() == {"iso-5208-2015", "iec-60947-2-2016"}
    third.close()


def test_index_from_another_row_format_needs_rebuild(tmp_path):
    index = SearchIndex(tmp_path / "index")
    index.rebuild([valve("2015", "current")])
    index.close()
    (current_generation(tmp_path / "index") / "row-format").write_text("1", encoding="ascii")
    old = SearchIndex(tmp_path / "index")
    assert not old.healthy()
    assert f"row format 1, this version reads {ROW_FORMAT}" in old.problem
    with pytest.raises(RecoveryNeeded):
        old.update([BREAKER])
    assert old.rebuild([valve("2015", "current")]) == 1 and old.healthy()
    old.close()


def test_swap_keeps_a_rebuild_in_progress(ix):
    ix.rebuild([valve("2015", "current")])
    in_progress = ix.path / "gen-9999999999999999999-1"  # another process, still building
    in_progress.mkdir()
    ix.rebuild([valve("2015", "current")])
    ix.rebuild([valve("2015", "current")])
    gens = [p for p in ix.path.iterdir() if p.name.startswith("gen-")]
    assert in_progress.exists() and len(gens) == 3
