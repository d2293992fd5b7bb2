"""The IEC publications API reader: fixture table, rules one by one, and the real page of 100 records."""
from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest

from catalogue.records import records_only
from conftest import FIXTURES, check_expected, shared_file
from ingest import iec_api

CASES = sorted(p for p in (FIXTURES / "readers" / "iec-api").iterdir() if not p.name.endswith(".expected.json"))


def read_bytes(data: bytes, name: str = "test.jsonl"):
    return list(iec_api.read_iec_api(io.BytesIO(data), name))


@pytest.mark.parametrize("fixture", CASES, ids=lambda p: p.name)
def test_fixture_matches_expected(fixture: Path):
    with open(fixture, "rb") as fp:
        check_expected(list(iec_api.read_iec_api(fp, fixture.name)), fixture)


def test_read_by_path_gives_the_same_as_the_named_reader():
    fixture = FIXTURES / "readers" / "iec-api" / "publications.jsonl"
    with open(fixture, "rb") as fp:
        expected = list(iec_api.read_iec_api(fp, str(fixture)))
    assert list(iec_api.read(fixture)) == expected


def test_sniff_knows_api_lines_and_nothing_else():
    assert iec_api.sniff(b'\xef\xbb\xbf{"urn": "iec:pub:1", "reference": "CISPR 11:2009"}')
    assert not iec_api.sniff(b'{"designation": "ISO 5208:2015", "status": "current"}')
    assert not iec_api.sniff(b"docid:\n  id: IEC 60027-1:1992\n")


@pytest.mark.parametrize(("api", "ours"), [("PUBLISHED", "current"), ("REVISED", "replaced"),
                                            ("REPLACED", "replaced"), ("WITHDRAWN", "withdrawn")])
def test_status_words(api, ours):
    [reading] = read_bytes(f'{{"reference": "IEC 60028:1925", "status": "{api}"}}'.encode())
    assert reading.item.status == ours


def test_amendment_amends_and_corrigendum_corrects_the_base_edition():
    lines = (b'{"reference": "CISPR 14-1:2005/AMD2:2011", "status": "REVISED", "supplType": "AMD"}\n'
             b'{"reference": "CISPR 14-1:2005/COR1:2009", "status": "REVISED", "supplType": "COR"}\n'
             b'{"reference": "CISPR 14-1:2005+AMD1:2008 CSV", "status": "REVISED", "supplType": "CONSOLIDATED"}\n')
    amd, cor, csv = records_only(read_bytes(lines))
    assert [(r.type, r.target) for r in amd.relations] == [("amends", "CISPR 14-1:2005")]
    assert [(r.type, r.target) for r in cor.relations] == [("corrects", "CISPR 14-1:2005")]
    assert csv.relations == []


def test_each_bad_line_is_one_problem_naming_its_line_and_the_good_lines_still_read():
    data = (b'{"reference": "CISPR 25:2008", "status": "REVISED"}\n'
            b'{"reference": "CISPR 32:2012", "status":\n'
            b'\n'
            b'{"reference": "CISPR 28:1997", "status": "PUBLISHED"}\n')
    readings = read_bytes(data, "page.jsonl")
    assert [r.item.designation for r in readings if r.ok] == ["CISPR 25:2008", "CISPR 28:1997"]
    [bad] = [r.problem for r in readings if not r.ok]
    assert (bad.file, bad.line, bad.field) == ("page.jsonl", 2, None)
    assert bad.reason.startswith("Line is not valid JSON (")
    assert [r.line for r in readings if r.ok] == [1, 4]


def test_unknown_status_names_the_allowed_words():
    [reading] = read_bytes(b'{"reference": "CISPR 17:2011", "status": "ARCHIVED"}')
    assert reading.problem.field == "status"
    assert reading.problem.reason == ("CISPR 17:2011: unknown status 'ARCHIVED'; expected one of: "
                                      "PUBLISHED, REVISED, REPLACED, WITHDRAWN.")


def test_empty_file_reads_nothing():
    assert read_bytes(b"") == []


@pytest.mark.realdata
def test_real_api_page():
    path = shared_file("iec", "api", "publications_page0.jsonl")
    readings = list(iec_api.read(path))
    assert len(readings) == 100
    assert [r.problem for r in readings if not r.ok] == []
    records = {r.designation: r for r in records_only(readings)}
    assert len(records) == 100
    assert Counter(r.status for r in records.values()) == {"replaced": 56, "current": 39, "withdrawn": 5}

    cispr11 = records["CISPR 11:2009"]
    assert cispr11.status == "replaced"
    assert cispr11.published == "2009-05-28"
    assert cispr11.committee == "CISPR/CIS/B"
    assert cispr11.ics == ["33.100.10"]
    assert cispr11.edition == "5"
    assert cispr11.pages == "106"
    assert cispr11.languages == ["en", "fr", "es"]
    assert cispr11.titles["es"].startswith("Equipos industriales, científicos y médicos.")

    cispr20 = records["CISPR 20:2006/AMD1:2013"]
    assert (cispr20.status, cispr20.published, cispr20.withdrawn) == ("withdrawn", "2013-10-29", "2020-07-31")
    assert [(r.type, r.target) for r in cispr20.relations] == [("amends", "CISPR 20:2006")]

    iec27 = records["IEC 60027-1:1992/COR1:1993"]
    assert (iec27.status, iec27.committee, iec27.ics, iec27.pages) == ("current", "IEC/TC 25", ["01.060"], "")
    assert [(r.type, r.target) for r in iec27.relations] == [("corrects", "IEC 60027-1:1992")]

    csv = records["IEC 60027-1:1992+AMD1:1997+AMD2:2005 CSV"]
    assert csv.edition == "6.2"
    assert "fr" not in csv.titles  # the API repeats the English title under fr here
    assert sum(1 for r in records.values() if any(x.type == "amends" for x in r.relations)) == 20
    assert sum(1 for r in records.values() if any(x.type == "corrects" for x in r.relations)) == 11
