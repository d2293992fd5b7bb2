"""The store's answers to the web pages' questions (counts, recent changes, brief records), on a
real SQLite file: the SQL that catalogue/web/queries.py used to run itself."""
from __future__ import annotations


import pytest

from catalogue.records import ClassNode, Standard
from catalogue.store import Store
from catalogue.web import queries

JAN, FEB, MAR, APR = "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"


def record(designation: str, key: str, **kw) -> Standard:
    return Standard(designation=designation, key=key, work=key.rsplit("-", 1)[0], **kw)


def valves_and_switchgear() -> list[tuple[Standard, str]]:
    """Six real records (facts from the ISO and IEC archives and the GB cover pages), each with the
    time it is merged: ICS, CCS and committees in some, not all."""
    return [
        (record("ISO 5208:2015", "iso-5208-2015", publisher="ISO", status="current", ics=["23.060.01"],
                committee="ISO/TC 153", titles={"en": "Industrial valves — Pressure testing of metallic valves"},
                year="2015", published="2015-06"), JAN),
        (record("GB/T 13927-2022", "gb-t-13927-2022", publisher="GB", ics=["23.060.01"], ccs="J16",
                committee="SAC/TC 188", titles={"zh": "工业阀门 压力试验"}, year="2022"), FEB),
        (record("GB/T 12238-2008", "gb-t-12238-2008", publisher="GB", status="current", ics=["23.060.99"],
                ccs="J16", committee="SAC/TC 188", titles={"zh": "法兰和对夹连接弹性密封蝶阀"}, year="2008",
                in_force="2009-07-01"), FEB),
        # As catalogued in 2016, when it was the edition in force (IEC 60947-2:2024 replaced it).
        (record("IEC 60947-2:2016", "iec-60947-2-2016", publisher="IEC", status="current", ics=["29.130.20"],
                titles={"en": "Low-voltage switchgear and controlgear — Part 2: Circuit-breakers"}, year="2016"), MAR),
        (record("GB/T 1.1-2020", "gb-t-1.1-2020", publisher="GB", status="current", year="2020"), MAR),
        (record("ISO 19240:2017", "iso-19240-2017", publisher="ISO", status="current", ics=["23.060.01", "23.060.50"],
                committee="ISO/TC 153", year="2017", published="2017-05",
                titles={"en": "Industrial valves — Lined metal quarter turn and check valves for chemical process "
                              "and related industries"}), MAR),
    ]


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "home", create=True)
    yield s
    s.close()


@pytest.fixture
def filled(store):
    for rec, at in valves_and_switchgear():
        with store.transaction():
            store.merge(rec, "test:fixture", at=at)
    # A second source changes one record later: it becomes the most recent, and "changed".
    with store.transaction():
        store.merge(record("IEC 60947-2:2016", "iec-60947-2-2016", status="replaced"), "test:later", at=APR)
    with store.transaction():
        store.put_class_node(ClassNode("ics", "23.060", "23", {"en": "Valves"}))
        store.put_class_node(ClassNode("ics", "23.060.01", "23.060", {"en": "Valves in general"}))
        store.put_class_node(ClassNode("ccs", "J16", "J10/19", {"zh": "阀门"}))
    return store


def test_an_empty_catalogue_is_at_generation_zero(store):
    assert (store.generation(), store.read_write_log()) == (0, [])


def test_every_kind_of_write_is_one_generation_with_its_keys(filled):
    # The fixture wrote six records in six transactions, changed one in a seventh and the tree
    # nodes in an eighth.
    log = filled.read_write_log()
    assert [e["generation"] for e in log] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert log[-1]["scopes"] == ["classifications"] and log[-1]["key_count"] == 0
    assert filled.keys_written_since(6) == ["iec-60947-2-2016"]
    with filled.transaction():
        filled.put_class_node(ClassNode("ics", "23.060.10", "23.060", {"en": "Globe valves"}))
    assert filled.generation() == 9
    with filled.transaction():
        filled.merge(record("GB/T 13927-2022", "gb-t-13927-2022", status="current"), "test:x", at="2026-05-01T00:00:00Z")
    assert (filled.generation(), filled.keys_written_since(9)) == (10, ["gb-t-13927-2022"])
    assert filled.count_keys_written_since(0) == 6


def test_a_transaction_that_writes_nothing_is_no_generation(filled):
    before = filled.generation()
    with filled.transaction():
        # the same claim again from the same source changes nothing
        filled.merge(record("GB/T 1.1-2020", "gb-t-1.1-2020", publisher="GB", status="current", year="2020"),
                     "test", at=APR)
    assert filled.generation() == before


def test_two_writes_in_the_same_second_are_two_generations(store):
    # The old page-data stamp (count, latest updated_at) could not tell these apart.
    with store.transaction():
        store.merge(record("ISO 5208:2015", "iso-5208-2015", status="current"), "test", at=JAN)
    with store.transaction():
        store.merge(record("ISO 5208:2015", "iso-5208-2015", titles={"fr": "Robinetterie industrielle"}), "test2", at=JAN)
    assert store.generation() == 2
    assert queries.catalogue_version(store)[1] == 2


def test_a_write_outside_a_transaction_is_logged_too(store):
    store.merge(record("ISO 5208:2015", "iso-5208-2015", status="current"), "test", at=JAN)
    assert (store.generation(), store.keys_written_since(0)) == (1, ["iso-5208-2015"])


def test_a_rolled_back_transaction_leaves_no_generation(store):
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.merge(record("ISO 5208:2015", "iso-5208-2015", status="current"), "test", at=JAN)
            raise RuntimeError("stop")
    assert (store.generation(), store.count()) == (0, 0)


def test_list_record_ics_gives_one_list_per_record_with_codes(filled):
    assert sorted(filled.list_record_ics()) == [["23.060.01"], ["23.060.01"], ["23.060.01", "23.060.50"],
                                                ["23.060.99"], ["29.130.20"]]


def test_list_record_ccs_gives_one_code_per_record_with_one(filled):
    assert sorted(filled.list_record_ccs()) == ["J16", "J16"]


def test_count_by_committee_leaves_out_records_without_one(filled):
    assert filled.count_by_committee() == {"ISO/TC 153": 2, "SAC/TC 188": 2}


def test_empty_catalogue_answers_empty(store):
    assert (store.list_record_ics(), store.list_record_ccs(), store.count_by_committee()) == ([], [], {})
    assert (store.list_recently_updated(), store.fetch_briefs(["iso-5208-2015"])) == ([], {})


def test_list_recently_updated_newest_first_then_newest_standard(filled):
    # Records written in the same second come newest standard first (a published date beats none).
    assert filled.list_recently_updated(limit=4) == [
        {"key": "iec-60947-2-2016", "designation": "IEC 60947-2:2016",
         "titles": {"en": "Low-voltage switchgear and controlgear — Part 2: Circuit-breakers"},
         "status": "replaced", "added_at": MAR, "updated_at": APR, "change": "changed"},
        {"key": "iso-19240-2017", "designation": "ISO 19240:2017",
         "titles": {"en": "Industrial valves — Lined metal quarter turn and check valves for chemical process "
                          "and related industries"},
         "status": "current", "added_at": MAR, "updated_at": MAR, "change": "added"},
        {"key": "gb-t-1.1-2020", "designation": "GB/T 1.1-2020", "titles": {}, "status": "current",
         "added_at": MAR, "updated_at": MAR, "change": "added"},
        {"key": "gb-t-13927-2022", "designation": "GB/T 13927-2022", "titles": {"zh": "工业阀门 压力试验"},
         "status": "unknown", "added_at": FEB, "updated_at": FEB, "change": "added"},
    ]
    # The default is 20; a record without a status reads "unknown".
    everything = filled.list_recently_updated()
    assert len(everything) == 6
    assert [(r["key"], r["status"]) for r in everything[-2:]] == [("gb-t-12238-2008", "current"),
                                                                  ("iso-5208-2015", "current")]


def test_fetch_briefs_by_key_leaves_out_unknown_and_empty_keys(filled):
    briefs = filled.fetch_briefs(["gb-t-13927-2022", "iso-5208-2015", "iso-5208-2015", "", "iso-5208-1982"])
    assert briefs == {
        "gb-t-13927-2022": {"key": "gb-t-13927-2022", "work": "gb-t-13927", "designation": "GB/T 13927-2022",
                            "type": "", "status": "unknown", "year": "2022", "published": "", "in_force": "", "withdrawn": "",
                            "supplement": "", "titles": {"zh": "工业阀门 压力试验"}},
        "iso-5208-2015": {"key": "iso-5208-2015", "work": "iso-5208", "designation": "ISO 5208:2015",
                          "type": "", "status": "current", "year": "2015", "published": "2015-06", "in_force": "",
                          "withdrawn": "", "supplement": "",
                          "titles": {"en": "Industrial valves — Pressure testing of metallic valves"}},
    }


def test_fetch_briefs_past_one_query_of_500_keys(store):
    with store.transaction():
        for n in range(1, 1202):
            store.merge(record(f"GB/T {n}-2020", f"gb-t-{n}-2020", status="current"), "t", at=JAN)
    briefs = store.fetch_briefs(f"gb-t-{n}-2020" for n in range(0, 1300))
    assert len(briefs) == 1201
    assert briefs["gb-t-1201-2020"]["designation"] == "GB/T 1201-2020"


def test_has_table_knows_tables_and_nothing_else(store):
    assert [store.has_table(name) for name in ("standards", "systems", "schemes", "standards_work", "nope")] == [
        True, True, True, False, False]


# ------------------------------------------------------------- the web's cached counts over them

def test_class_counts_count_each_record_once_per_tree_node(filled):
    assert queries.class_counts(filled, "ics") == {
        "23.060.01": 3, "23.060.50": 1, "23.060.99": 1, "23.060": 4, "23": 4,
        "29.130.20": 1, "29.130": 1, "29": 1,
    }
    assert queries.class_counts(filled, "ccs") == {"J16": 2, "J10/19": 2, "J": 2}


def test_committee_counts_and_classified_totals(filled):
    assert queries.committee_counts(filled) == {"ISO/TC 153": 2, "SAC/TC 188": 2}
    # ISO 19240:2017 carries two ICS codes: the root counts it once.
    assert queries.classified_total(filled, "ics") == 5
    # the English name comes from our class names (catalogue/classnames/ccs-en.tsv)
    assert queries.class_titles(filled, "ccs") == {"J16": {"zh": "阀门", "en": "Valves"}}


def test_system_summaries_follow_a_system_loaded_without_any_record(filled):
    from catalogue.systems import StandardSystem, SystemNode

    assert queries.system_summaries(filled) == []
    system = StandardSystem("valves", {"en": "Valves industry standard system"},
                            nodes=[SystemNode("1", {"en": "Testing"}, members=[("ISO 5208", ""), ("API 598", "")])])
    with filled.transaction():
        system.store_into(filled, "test:x", "2026-05-01T00:00:00Z")
    summaries = queries.system_summaries(filled)
    assert [(s["id"], s["total"], s["counts"]) for s in summaries] == [
        ("valves", 2, {"current": 1, "upcoming": 0, "replaced": 0, "withdrawn": 0, "draft": 0, "series": 0,
                       "missing": 1})]
    assert queries.system_names(filled) == {"valves": {"en": "Valves industry standard system"}}


def test_cached_counts_follow_a_write(filled):
    assert queries.class_counts(filled, "ccs")["J16"] == 2
    with filled.transaction():
        filled.merge(record("JB/T 8527-1997", "jb-t-8527-1997", ccs="J16"), "t", at="2026-05-01T00:00:00Z")
    assert queries.class_counts(filled, "ccs")["J16"] == 3


# ------------------------------------------------------------- questions the checker and the CLI ask

def test_describe_gives_work_designation_and_status(filled):
    assert filled.describe("iso-5208-2015") == ("iso-5208", "ISO 5208:2015", "current")
    # No source gave GB/T 13927-2022 a status in this fixture: None, not ''.
    assert filled.describe("gb-t-13927-2022") == ("gb-t-13927", "GB/T 13927-2022", None)
    assert [filled.describe(k) for k in ("iso-5208-1982", "", None)] == [None, None, None]


def test_upcoming_edition_key_only_for_announced_editions(filled):
    assert filled.upcoming_edition_key("gb-t-13927") is None
    with filled.transaction():
        # GB/T 13927-2022 was announced on 2022-12-30 and came into force on 2023-07-01.
        filled.merge(record("GB/T 13927-2022", "gb-t-13927-2022", status="upcoming"), "test:plan", at=APR)
    assert filled.upcoming_edition_key("gb-t-13927") == "gb-t-13927-2022"
    assert filled.upcoming_edition_key("iso-5208") is None


def test_list_part_works_needs_a_digit_after_the_dash(store):
    with store.transaction():
        for designation, key, work in [("ISO 4126-1:2013", "iso-4126-1-2013", "iso-4126-1"),
                                       ("ISO 4126-10:2010", "iso-4126-10-2010", "iso-4126-10"),
                                       ("ISO 4126-2:2018", "iso-4126-2-2018", "iso-4126-2"),
                                       ("ISO 41260:2021", "iso-41260-2021", "iso-41260")]:
            store.merge(Standard(designation=designation, key=key, work=work), "test", at=JAN)
    assert store.list_part_works("iso-4126") == ["iso-4126-1", "iso-4126-10", "iso-4126-2"]
    assert store.list_part_works("iso-4126", limit=1) in (["iso-4126-1"], ["iso-4126-10"], ["iso-4126-2"])
    assert store.list_part_works("iso_4126") == []  # '_' is a literal, not LIKE's any-character


def test_systems_and_schemes_by_id_and_member(tmp_path, store):
    from ingest.pipeline import ingest_paths

    system = tmp_path / "systems.valves.yaml"
    system.write_text("system:\n  id: valves\n  titles: {zh: 阀门产业标准体系, en: Valves}\n  nodes:\n"
                      "    - code: \"1\"\n      titles: {en: Testing}\n      standards: [ISO 5208:2015, GB/T 13927]\n",
                      encoding="utf-8")
    assert (store.has_system("valves"), store.list_system_ids_of("iso-5208-2015")) == (False, [])
    report = ingest_paths(store, [system])
    assert report.problems == []
    assert (store.has_system("valves"), store.has_system("pumps"), store.has_scheme("valves")) == (True, False, False)
    assert store.list_system_ids_of("iso-5208-2015") == ["valves"]
    assert store.list_system_ids_of("iso-5208-2008") == []


def test_system_ids_in_a_catalogue_made_before_the_systems_tables(store):
    # Migration 002 adds the systems tables; a file without them has no systems, not an error.
    store.db.execute("DROP TABLE system_members")
    assert store.list_system_ids_of("iso-5208-2015") == []


def test_list_successors_names_what_replaced_each_record(filled):
    with filled.transaction():
        filled.merge(record("IEC 60947-2:2024", "iec-60947-2-2024", publisher="IEC", status="current", year="2024"),
                     "test:later", at=APR)
        rec = record("IEC 60947-2:2016", "iec-60947-2-2016")
        rec.add_relation("replaced_by", "IEC 60947-2:2024")
        rec.relations[0].target_key = "iec-60947-2-2024"
        old = record("ISO 5208:2015", "iso-5208-2015")
        old.add_relation("replaced_by", "ISO 5208:2030")
        old.relations[0].target_key = "iso-5208-2030"
        filled.merge(rec, "test:later", at=APR)
        filled.merge(old, "test:later", at=APR)
    assert filled.list_successors(["iec-60947-2-2016", "iso-5208-2015", "gb-t-12238-2008", ""]) == {
        "iec-60947-2-2016": [{"target": "IEC 60947-2:2024", "target_key": "iec-60947-2-2024", "resolved": True,
                              "status": "current"}],
        "iso-5208-2015": [{"target": "ISO 5208:2030", "target_key": "iso-5208-2030", "resolved": False, "status": None}],
    }
    assert filled.list_successors([]) == {}


def test_count_classified_counts_each_record_once(filled):
    # ISO 19240:2017 has two ICS codes and counts once; GB/T 1.1-2020 has none.
    assert (filled.count_classified("ics"), filled.count_classified("ccs")) == (5, 2)
