"""The record store on a real SQLite file: round trip, provenance, relations, editions in force."""
from __future__ import annotations

import sqlite3

import pytest

from catalogue.errors import CatalogueMissing
from catalogue.records import Holding, Relation, Standard
from catalogue.store import Store


def iso5208(year: str, **kw) -> Standard:
    return Standard(designation=f"ISO 5208:{year}", key=f"iso-5208-{year}", work="iso-5208", publisher="ISO",
                    number="5208", year=year, **kw)


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "home", create=True)
    yield s
    s.close()


def test_missing_catalogue_says_what_to_do(tmp_path):
    with pytest.raises(CatalogueMissing) as exc:
        Store(tmp_path / "nowhere")
    assert str(exc.value) == (
        f"No catalogue at {tmp_path / 'nowhere'}: run `catalogue init --demo` or `catalogue ingest FILES`."
    )


def test_wal_mode_and_migrations(store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.schema_version >= 1
    # Opening again applies nothing twice.
    again = Store(store.home)
    assert again.schema_version == store.schema_version
    again.close()


def full_record() -> Standard:
    return Standard(
        designation="GB/T 20223-2018", key="gb-t-20223-2018", work="gb-t-20223", publisher="GB",
        doc_type="T", number="20223", part="", year="2018", supplement="",
        titles={"zh": "棉花加工企业生产环境及安全管理要求", "en": "Requirements for production environment and safety management of cotton processing enterprises"},
        status="current", published="2018-09-17", in_force="2019-01-01", withdrawn="",
        ics=["59.060.10"], ccs="W10", committee="SAC/TC 406", edition="2", pages="12",
        languages=["zh"], scope={}, keywords=["棉花"],
        relations=[Relation("replaces", "GB/T 20223-2006", None, "gb-t-20223-2006")],
        holdings=[Holding("paper", "W10/123", "reading room", "")],
    )


def test_round_trip_every_field(store):
    rec = full_record()
    with store.transaction():
        assert store.merge(rec, "test:one", at="2026-01-01T00:00:00Z").action == "added"
    got = store.get("gb-t-20223-2018")
    for name in ("designation", "key", "work", "publisher", "doc_type", "number", "year", "titles", "status",
                 "published", "in_force", "ics", "ccs", "committee", "edition", "pages", "languages", "keywords"):
        assert getattr(got, name) == getattr(rec, name), name
    assert got.holdings == rec.holdings
    assert [(r.type, r.target, r.target_key, r.resolved) for r in got.relations] == [
        ("replaces", "GB/T 20223-2006", "gb-t-20223-2006", False)]
    fields = {(p.field, p.source) for p in got.provenance}
    assert ("status", "test:one") in fields and ("titles.zh", "test:one") in fields


def test_merge_is_idempotent_and_keeps_provenance_per_field(store):
    with store.transaction():
        store.merge(full_record(), "openstd:a.html", at="2026-01-01T00:00:00Z")
    with store.transaction():
        assert store.merge(full_record(), "openstd:a.html", at="2026-02-01T00:00:00Z").action == "unchanged"
    # A second source enriches without wiping: it has only an English title and a French one.
    second = Standard(designation="GB/T 20223-2018", key="gb-t-20223-2018", work="gb-t-20223",
                      titles={"fr": "Exigences ..."}, status="")
    with store.transaction():
        out = store.merge(second, "sheet:museum.xlsx", at="2026-03-01T00:00:00Z")
    assert out.action == "updated" and out.fields == ("titles",)
    got = store.get("gb-t-20223-2018")
    assert got.status == "current" and got.titles["zh"].startswith("棉花") and got.titles["fr"] == "Exigences ..."
    prov = {p.field: p.source for p in got.provenance if p.field.startswith("titles")}
    assert prov == {"titles.en": "openstd:a.html", "titles.zh": "openstd:a.html", "titles.fr": "sheet:museum.xlsx"}


def test_relation_resolves_when_its_target_arrives(store):
    with store.transaction():
        store.merge(full_record(), "s")
    assert store.get("gb-t-20223-2018").relations[0].resolved is False
    # The inverse is stored already, under the key of a record not catalogued yet.
    old = Standard(designation="GB/T 20223-2006", key="gb-t-20223-2006", work="gb-t-20223", year="2006",
                   status="withdrawn")
    with store.transaction():
        store.merge(old, "s")
    assert store.get("gb-t-20223-2018").relations[0].resolved is True
    back = store.get("gb-t-20223-2006").relations
    assert [(r.type, r.target_key, r.resolved) for r in back] == [("replaced_by", "gb-t-20223-2018", True)]


def test_edition_in_force_chain_of_four_with_partial_relations(store):
    # 1982 and 1993 say nothing; 2008 is explicitly replaced by 2015; a stale source still says
    # 1993 is current. Only 2015 is in force; the older ones become replaced.
    e1982 = iso5208("1982")
    e1993 = iso5208("1993", status="current")
    e2008 = iso5208("2008", status="current")
    e2015 = iso5208("2015", status="current", relations=[Relation("replaces", "ISO 5208:2008", None, "iso-5208-2008")])
    with store.transaction():
        for rec in (e2015, e1993, e1982, e2008):
            store.merge(rec, "t")
        store.settle_works({"iso-5208"})
    assert store.edition_in_force_key("iso-5208") == "iso-5208-2015"
    assert store.edition_in_force("iso-5208").designation == "ISO 5208:2015"
    assert {k: store.get(k).status for k in ("iso-5208-1982", "iso-5208-1993", "iso-5208-2008", "iso-5208-2015")} == {
        "iso-5208-1982": "replaced", "iso-5208-1993": "replaced", "iso-5208-2008": "replaced", "iso-5208-2015": "current"}
    chain = {k: [(r.type, r.target_key) for r in store.get(k).relations if r.type == "replaced_by"] for k in ("iso-5208-1982", "iso-5208-1993", "iso-5208-2008")}
    assert chain == {
        "iso-5208-1982": [("replaced_by", "iso-5208-1993")],
        "iso-5208-1993": [("replaced_by", "iso-5208-2008")],
        "iso-5208-2008": [("replaced_by", "iso-5208-2015")],
    }
    assert [e.key for e in store.editions("iso-5208")] == ["iso-5208-1982", "iso-5208-1993", "iso-5208-2008", "iso-5208-2015"]


def test_upcoming_edition_does_not_replace_the_one_in_force(store):
    with store.transaction():
        store.merge(iso5208("2015", status="current"), "t")
        store.merge(iso5208("2026", status="upcoming"), "t")
        store.settle_works({"iso-5208"})
    assert store.get("iso-5208-2015").status == "current"
    assert store.edition_in_force_key("iso-5208") == "iso-5208-2015"


def test_withdrawn_without_successor_has_no_edition_in_force(store):
    with store.transaction():
        store.merge(iso5208("1993", status="withdrawn", withdrawn="2008-01-01"), "t")
    assert store.edition_in_force_key("iso-5208") is None


def test_transaction_is_all_or_nothing(store):
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.merge(iso5208("2015"), "t")
            raise RuntimeError("power cut")
    assert store.count() == 0
    # The file on disk agrees, from a second connection.
    con = sqlite3.connect(store.path)
    assert con.execute("SELECT COUNT(*) FROM standards").fetchone()[0] == 0
    con.close()


def test_stats_counts(store):
    with store.transaction():
        store.merge(iso5208("2015", status="current"), "t")
        store.merge(iso5208("2008", status="withdrawn"), "t")
        store.merge(full_record(), "t")
    assert store.stats() == {"records": 3, "by_publisher": {"ISO": 2, "GB": 1},
                             "by_status": {"current": 2, "withdrawn": 1},
                             "by_level": {"international": 2, "foreign": 0, "national": 1, "industry": 0, "local": 0,
                                          "group": 0, "enterprise": 0}}


def test_changes_are_logged_for_watching(store):
    with store.transaction():
        store.merge(iso5208("2015", status="current"), "t", at="2026-01-01T00:00:00Z")
    with store.transaction():
        store.merge(iso5208("2015", status="withdrawn"), "t", at="2026-06-01T00:00:00Z")
    got = [(c["key"], c["field"], c["old"], c["new"]) for c in store.changes_since("2026-05-01")]
    assert got == [("iso-5208-2015", "status", "current", "withdrawn")]


def test_no_two_parts_of_the_store_define_the_same_method():
    """Store is assembled from mixins (queries, systems, register, accounts); a method defined in
    two of them would silently shadow the other (a register query once did)."""
    from catalogue.store import Store

    seen: dict[str, str] = {}
    clashes = []
    for part in Store.__mro__[:-1]:
        for name, value in vars(part).items():
            if callable(value) and not name.startswith("__"):
                if name in seen:
                    clashes.append((name, seen[name], part.__name__))
                seen.setdefault(name, part.__name__)
    assert clashes == []
