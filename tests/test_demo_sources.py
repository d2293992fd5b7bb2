"""What the demo keeps of a researched record (scripts/demo_sources.py ``prune``), on the pages of
the research rounds: an organisation's page stands for a field, a sharing site stands for a title
only, and the designation never goes."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"

SELLER = "https://www.chinesestandard.net/PDF.aspx/GBT14048.4-2020"  # grade 2
ORGANISATION = "http://tjybfm.org/jszl_view.asp?id=1"  # a trade association's page, grade 4
SHARING = "https://www.yzbzpt.cn/BzInfoDetail/435b902f-aa7d-4056-8c97-9e72afd4e91f"  # no list names it, grade 5


@pytest.fixture(scope="module")
def sources():
    spec = importlib.util.spec_from_file_location("demo_sources", SCRIPTS / "demo_sources.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def researched(sources, cited: dict[str, list[str]]):
    values = {"designation": "GB/T 14048.4-2020", "titles.zh": "低压开关设备和控制设备 第4-1部分:接触器和电动机起动器",
              "titles.en": "Low-voltage switchgear and controlgear - Part 4-1", "status": "current",
              "dates.published": "2020-09-29", "ccs": "K32"}
    return sources.Researched("GB/T 14048.4-2020", values={k: values[k] for k in cited},
                              cited={k: dict.fromkeys(urls) for k, urls in cited.items()})


def test_the_pages_are_graded_as_the_rule_expects(sources):
    assert [sources.grade_of(u) for u in (SELLER, ORGANISATION, SHARING)] == [2, 4, 5]


def test_a_sharing_site_gives_a_title_but_not_the_other_fields_when_a_better_page_gives_the_rest(sources):
    rec = researched(sources, {"designation": [SELLER, SHARING], "titles.en": [SELLER], "titles.zh": [SHARING],
                               "status": [SHARING], "ccs": [SHARING], "dates.published": [ORGANISATION]})
    pruned = sources.prune("gbt-14048-4-2020", rec, cited_works=set(), work="gbt-14048-4")
    line = pruned.line
    assert line["titles"] == {"zh": rec.values["titles.zh"], "en": rec.values["titles.en"]}
    # The organisation's page stands for its field; the sharing site's status and CCS go.
    assert line["dates"] == {"published": "2020-09-29"}
    assert "status" not in line and "ccs" not in line
    assert sorted(name for name, _urls in pruned.dropped_fields) == ["ccs", "status"]
    # Provenance names the page each kept field was read on; the weaker designation page is left out.
    assert line["sources"] == {SELLER: ["designation", "titles.en"], SHARING: ["titles.zh"],
                               ORGANISATION: ["dates.published"]}
    assert pruned.dropped_citations == 1


def test_a_record_without_a_better_page_keeps_its_sharing_site_fields_when_a_system_cites_it(sources):
    rec = researched(sources, {"designation": [SHARING], "titles.zh": [SHARING], "status": [SHARING]})
    kept = sources.prune("gbt-14048-4-2020", rec, cited_works={"gbt-14048-4"}, work="gbt-14048-4")
    assert kept.line["status"] == "current" and kept.line["titles"] == {"zh": rec.values["titles.zh"]}
    assert kept.dropped_fields == [] and kept.grade == 5
    dropped = sources.prune("gbt-14048-4-2020", rec, cited_works=set(), work="gbt-14048-4")
    assert dropped.line is None and "document-sharing" in dropped.reason
