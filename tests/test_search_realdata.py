"""Search over real records: one page of the IEC publications API (../shared/data)."""
from __future__ import annotations

import pytest

from catalogue.designation import try_parse
from conftest import shared_file
from index import SearchIndex
from ingest.iec_api import read

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def iec(tmp_path_factory):
    path = shared_file("iec", "api", "publications_page0.jsonl")
    records = [r.item for r in read(path) if r.ok]
    for record in records:  # what the pipeline does before indexing
        parsed = try_parse(record.designation)
        record.key, record.work = parsed.key, parsed.work
        record.publisher = record.publisher or parsed.publisher
    index = SearchIndex(tmp_path_factory.mktemp("iec") / "index")
    assert index.rebuild(records) == 100
    yield index
    index.close()


def keys(result):
    return [hit["key"] for hit in result.hits]


def test_real_counts_and_facets(iec):
    # one hit per standard: the page's 100 editions, amendments and consolidated versions are
    # 47 standards, and facets count standards
    grouped = iec.search("")
    assert grouped.total == 47
    assert grouped.facets["status"] == [["current", 25], ["replaced", 20], ["withdrawn", 2]]
    assert grouped.facets["decade"] == [["2010s", 28], ["2000s", 23], ["1990s", 3], ["1920s", 1]]
    result = iec.search("", group="none")
    assert result.total == 100
    assert result.facets["status"] == [["replaced", 56], ["current", 39], ["withdrawn", 5]]
    assert result.facets["ics"][:2] == [["33", 86], ["01", 10]]
    assert result.facets["decade"] == [["2010s", 57], ["2000s", 36], ["1990s", 6], ["1920s", 1]]


def test_real_undated_designation_lists_base_then_supplements(iec):
    supplements = ["iec-60027-1-1992-amd-2-2005", "iec-60027-1-1992-amd-1-1997",
                   "iec-60027-1-1992-cor-1-1993", "iec-60027-1-1992-amd-1-1997-amd-2-2005-csv"]
    assert keys(iec.search("IEC 60027-1", group="none")) == ["iec-60027-1-1992"] + supplements
    grouped = iec.search("IEC 60027-1")  # one standard, its supplements folded under the base
    assert keys(grouped) == ["iec-60027-1-1992"]
    assert [m["key"] for m in grouped.hits[0]["group"]["members"]] == supplements


def test_real_dated_designation_any_spelling(iec):
    for text in ("CISPR 11:2009", "cispr11:2009", "CISPR 11-2009"):
        result = iec.search(text)
        assert keys(result)[0] == "cispr-11-2009"
        assert result.hits[0]["titles"]["en"].startswith("Industrial, scientific and medical equipment - Radio-frequency")
        assert result.hits[0]["status"] == "replaced"


def test_real_words_glossary_and_typo(iec):
    english = keys(iec.search("rotating electrical machines"))
    assert {"iec-60034-1-2010", "iec-60034-11-2004"} <= set(english)
    assert set(keys(iec.search("旋转电机"))) == set(english)
    assert iec.search("Letter symbols telecomunications").suggestion == "Letter symbols telecommunications"
    assert keys(iec.search("Letter symbols telecomunications")) == ["iec-60027-2-2005"]
