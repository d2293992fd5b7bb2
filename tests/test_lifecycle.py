"""One rule for "which edition is in force" and one vocabulary for where a reference stands
(catalogue/lifecycle.py), on a real SQLite store, asked the way systems, schemes, the reference
checker and record pages ask it."""
from __future__ import annotations

import pytest

from catalogue.designation import parse_designation
from catalogue.lifecycle import STANDINGS, VERDICTS, banner_of, standing_of, verdict_of
from catalogue.records import Standard
from catalogue.refcheck import check_reference
from catalogue.store import Store
from catalogue.systems import member_state
from ingest.pipeline import complete_record

#: Real editions (ISO and IEC archives in ../shared/data; GB/T 13927 from the GB cover pages the
#: fixtures cite): ISO 5208 1982-2015 (the ISO data marks old editions withdrawn), IEC 60947-2
#: 2016 and 2024 (IEC gives no replaces relations), GB/T 13927-2022 announced as upcoming here.
RECORDS = [
    ("ISO 5208:1982", "withdrawn"), ("ISO 5208:1993", "withdrawn"), ("ISO 5208:2008", "withdrawn"),
    ("ISO 5208:2015", "current"), ("ISO 5208:2015/Amd 1:2020", "current"),
    ("IEC 60947-2:2016", "current"), ("IEC 60947-2:2024", "current"),
    ("GB/T 13927-2008", "current"), ("GB/T 13927-2022", "upcoming"),
    ("ISO 4126-1:2013", "current"), ("ISO 4126-2:2018", "current"),
    ("ISO 10497:2010", "withdrawn"),
    # ASTM reapprovals (the demo's ASTM record pages): an edition of their own, not a supplement
    ("ASTM D2209-00(2015)", "replaced"), ("ASTM D2209-00(2021)", "current"),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = Store(tmp_path_factory.mktemp("life") / "home", create=True)
    with s.transaction():
        works = set()
        for designation, status in RECORDS:
            rec = Standard(designation=designation, status=status)
            assert complete_record(rec) is None
            s.merge(rec, "test:lifecycle")
            works.add(rec.work)
        s.settle_works(works)
    yield s
    s.close()


def ask(store, text: str):
    d = parse_designation(text)
    dated = bool(d.year or d.supplement)
    return standing_of(store, d.key if dated else d.work, d.work, d.year)


@pytest.mark.parametrize("text, state, answer, in_force", [
    ("ISO 5208", "current", "iso-5208-2015", "iso-5208-2015"),
    ("ISO 5208:2015", "current", "iso-5208-2015", "iso-5208-2015"),
    ("ISO 5208:2008", "replaced", "iso-5208-2008", "iso-5208-2015"),  # "withdrawn" in the ISO data
    ("ISO 5208:1990", "replaced", None, "iso-5208-2015"),  # an older year than the one in force
    ("ISO 5208:2030", "missing", None, "iso-5208-2015"),
    ("IEC 60947-2:2016", "replaced", "iec-60947-2-2016", "iec-60947-2-2024"),  # newer edition replaces
    ("GB/T 13927-2022", "upcoming", "gb-t-13927-2022", "gb-t-13927-2008"),
    ("GB/T 13927", "current", "gb-t-13927-2008", "gb-t-13927-2008"),
    ("ISO 4126", "series", None, None),
    ("ISO 10497", "withdrawn", None, None),
    ("ISO 10497:2010", "withdrawn", "iso-10497-2010", None),
    ("API 6D", "missing", None, None),
    ("ISO 5208:2015/Amd 1:2020", "current", "iso-5208-2015-amd-1-2020", None),
    ("ASTM D2209", "current", "astm-d2209-2000-2021", "astm-d2209-2000-2021"),
    ("astm d2209-00(2015)", "replaced", "astm-d2209-2000-2015", "astm-d2209-2000-2021"),
])
def test_where_a_reference_stands(store, text, state, answer, in_force):
    standing = ask(store, text)
    assert (standing.state, standing.key, standing.in_force) == (state, answer, in_force)
    assert standing.state in STANDINGS


def test_series_lists_its_parts_in_order(store):
    assert ask(store, "ISO 4126").parts == ("iso-4126-1", "iso-4126-2")


@pytest.mark.parametrize("text", ["ISO 5208", "ISO 5208:2008", "ISO 5208:1990", "IEC 60947-2:2016", "GB/T 13927-2022",
                                  "ISO 4126", "ISO 10497", "API 6D"])
def test_systems_and_the_reference_checker_give_the_same_answer(store, text):
    d = parse_designation(text)
    dated = bool(d.year or d.supplement)
    member = member_state(store, d.key if dated else d.work, d.work)
    checked = check_reference(store, d, text)
    standing = ask(store, text)
    assert member["state"] == standing.state
    assert checked.verdict == verdict_of(standing) == VERDICTS[member["state"]]


@pytest.mark.parametrize("key, status, in_force, supplement, kind", [
    ("iso-5208-2015", "current", "iso-5208-2015", False, None),
    ("iso-5208-2008", "withdrawn", "iso-5208-2015", False, "withdrawn"),
    ("iec-60947-2-2016", "current", "iec-60947-2-2024", False, "not_in_force"),
    ("iso-5208-2015-amd-1-2020", "current", None, True, None),
    ("gb-t-13927-2022", "upcoming", "gb-t-13927-2008", False, "upcoming"),
    ("x-1-2000", "", "x-1-2000", False, None),
    ("x-1-1990", "", "x-1-2000", False, "unknown"),
])
def test_the_record_page_banner(key, status, in_force, supplement, kind):
    assert banner_of(key, status, in_force, supplement) == kind


def test_settling_marks_the_older_edition_replaced_with_provenance(store):
    rec = store.get("iec-60947-2-2016")
    assert rec.status == "replaced"
    assert [p.source for p in rec.provenance if p.field == "status"] == ["catalogue:inferred", "test:lifecycle"]
