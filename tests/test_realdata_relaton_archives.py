"""The IEEE, OIML and CIE Relaton archives of ../shared/data land: at least 98% of their standards.

Each archive is ingested into a real SQLite store (no search index: the pipeline's part is what is
tested). Non-standards (OIML Bulletin articles, issues and volumes; CIE conference papers) and the
language versions and redlines merged into their base record are skipped with a reason, not
rejected; the counts below are what the archives give today, so a change shows.
"""
from __future__ import annotations

import collections

import pytest

from catalogue.store import Store
from conftest import shared_file
from ingest.pipeline import ingest_paths

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

#: archive -> (added, updated, rejected, skipped, warnings). IEEE: 163 rejects of 11,191 records (1.5%):
#: identifiers that are title fragments ("IEEE Smart", "A Template"), typos ("EEE Std 1671.1-2017",
#: "IEEE 1076-199O") and draft labels the grammar leaves out; "updated" are ANSI/IEEE and IEEE spellings
#: of one standard and approved/unapproved copies of one draft. OIML: "updated" are language versions
#: bringing a language their base record lacks; the 5 warnings are the stage word "joint".
EXPECTED = {
    "ieee": (10986, 42, 163, 595, 0),
    "oiml": (531, 140, 0, 4485, 5),
    "cie": (341, 1, 1, 647, 0),
}


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    """Each archive ingested into its own store: {name: (report, store path)}."""
    out = {}
    for name in EXPECTED:
        archive = shared_file(name, "relaton", f"{name}-relaton-yaml.tar.xz")
        home = tmp_path_factory.mktemp(name)
        with Store(home, create=True) as store:
            report = ingest_paths(store, [archive])
        out[name] = (report, home)
    return out


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_at_least_98_percent_of_the_standards_land(landed, name):
    report, _ = landed[name]
    read = report.added + report.updated + report.unchanged + report.rejected
    assert report.rejected <= 0.02 * read, [str(p) for p in report.problems[:20]]
    assert (report.added, report.updated, report.rejected, report.skipped, len(report.warnings)) == EXPECTED[name]
    # Rejects are designations the grammar leaves out, never a reader's failure.
    assert {p.field for p in report.problems} <= {"designation"}


def test_skips_are_the_non_standards_and_merged_versions(landed):
    reasons = {name: collections.Counter(p.reason for p in landed[name][0].skips) for name in EXPECTED}
    oiml = reasons["oiml"]
    assert oiml["not a standard: a periodical or its article (type 'article', doctype 'article'); skipped."] == 3334
    assert oiml["not a standard: a periodical or its article (type 'journal', doctype 'issue'); skipped."] == 233
    assert sum(n for r, n in reasons["cie"].items() if "paper by named authors" in r) == 647
    assert set(reasons["ieee"]) == {"a language version or redline of a record read from the same source; merged into it."}


def test_oiml_language_versions_and_parts(landed):
    _, home = landed["oiml"]
    with Store(home) as store:
        part = store.get("oiml-r-117-1-2019")
        whole = store.get("oiml-r-117-2019")
        old = store.get("oiml-r-100-1991")
    assert whole.titles["en"] == "Dynamic measuring systems for liquids other than water"
    assert part.titles["en"] == "Dynamic measuring systems for liquids other than water — Part 1: Metrological and technical requirements"
    assert (part.status, part.published, part.committee) == ("current", "2019-01-01", "OIML/TC 8/SC 3")
    # R 100:1991 comes as four files (both languages, English, French, a Persian translation): one record.
    assert set(old.titles) == {"en", "fr", "fa"} and old.status == "replaced"
    assert ("replaced_by", "OIML R 100:2013") in [(r.type, r.target) for r in old.relations]


def test_ieee_and_cie_records(landed):
    with Store(landed["ieee"][1]) as store:
        std = store.get("ieee-1692-2011")
        draft = store.get("ieee-p1010-d20-2021-11")
    assert std.titles["en"] == "IEEE Guide for the Protection of Communication Installations from Lightning Effects"
    assert (std.publisher, std.published, std.ics) == ("IEEE", "2011-08-17", ["29.120.50", "91.120.40"])
    assert draft.status == "draft" and draft.work == "ieee-p1010"
    with Store(landed["cie"][1]) as store:
        cie = store.get("cie-130-1998")
    assert (cie.designation, cie.status, cie.titles["en"]) == (
        "CIE 130-1998", "", "Practical methods for the measurement of reflectance and transmittance")
