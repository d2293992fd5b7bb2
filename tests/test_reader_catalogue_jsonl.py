"""Our own JSON lines with per-field sources (the research lines): one partial record per source.

The line is generated here from the facts of a real research line (GB/T 12238-2008, as
/work/research/chinese-a.jsonl gives it: chinesestandard.net for the English title, dates and
codes); the Chinese title's source is a second, made-up page address to show the split.
"""
from __future__ import annotations

import json

from catalogue.store import Store
from ingest.catalogue_jsonl import read_catalogue_jsonl
from ingest.pipeline import ingest_paths

SELLER = "https://www.chinesestandard.net/PDF.aspx/GBT12238-2008"
PLATFORM = "https://openstd.samr.gov.cn/example-detail-page"
LINE = {
    "designation": "GB/T 12238-2008",
    "titles": {"en": "Flanged and wafer resilient seal butterfly valves", "zh": "法兰和对夹连接弹性密封蝶阀"},
    "status": "current", "dates": {"published": "2008-12-23", "in_force": "2009-07-01"},
    "ics": ["23.060.99"], "ccs": "J16", "relations": [{"type": "replaces", "target": "GB/T 12238-1989"}],
    "level": "national", "industry": "valves",
    "holdings": [{"format": "paper", "shelf_mark": "DEMO-V-001", "note": "demo holding"}],
    "sources": {SELLER: ["designation", "titles.en", "status", "dates.published", "dates.in_force", "ics", "ccs",
                         "relations", "colour"],
                PLATFORM: ["titles.zh"]},
}


def test_one_partial_record_per_source(tmp_path):
    path = tmp_path / "research.jsonl"
    path.write_text(json.dumps(LINE, ensure_ascii=False) + "\n", encoding="utf-8")
    with open(path, "rb") as fp:
        readings = list(read_catalogue_jsonl(fp, "research.jsonl"))
    assert [(r.line, r.item.source) for r in readings] == [(1, SELLER), (1, PLATFORM), (1, "")]
    seller, platform, rest = (r.item for r in readings)
    assert (seller.titles, seller.status, seller.published, seller.ccs, [x.target for x in seller.relations]) == (
        {"en": "Flanged and wafer resilient seal butterfly valves"}, "current", "2008-12-23", "J16", ["GB/T 12238-1989"])
    assert (platform.titles, platform.status, platform.ics) == ({"zh": "法兰和对夹连接弹性密封蝶阀"}, "", [])
    # Only the holdings are nobody's page: they stay with the file.
    assert (rest.titles, rest.status, [h.shelf_mark for h in rest.holdings]) == ({}, "", ["DEMO-V-001"])
    assert [str(w) for w in readings[0].warnings] == [
        f"research.jsonl:1: sources: source {SELLER} names a field 'colour' we do not know; it was left out."]


def test_provenance_names_each_page(tmp_path):
    path = tmp_path / "research.jsonl"
    path.write_text(json.dumps(LINE, ensure_ascii=False) + "\n", encoding="utf-8")
    with Store(tmp_path / "home", create=True) as store:
        report = ingest_paths(store, [path])
        record = store.get("gb-t-12238-2008")
    assert (report.added, report.updated, report.rejected, len(report.warnings)) == (1, 2, 0, 1)
    by_field = {p.field: p.source for p in record.provenance}
    assert by_field["titles.en"] == SELLER and by_field["status"] == SELLER and by_field["in_force"] == SELLER
    assert by_field["titles.zh"] == PLATFORM
    assert record.titles == LINE["titles"] and record.holdings[0].shelf_mark == "DEMO-V-001"


def test_a_line_without_sources_is_one_record_from_the_file(tmp_path):
    plain = {k: v for k, v in LINE.items() if k != "sources"}
    path = tmp_path / "plain.jsonl"
    path.write_text(json.dumps(plain, ensure_ascii=False) + "\n", encoding="utf-8")
    with Store(tmp_path / "home", create=True) as store:
        report = ingest_paths(store, [path])
        record = store.get("gb-t-12238-2008")
    assert (report.added, report.updated) == (1, 0)
    assert {p.source for p in record.provenance} == {"catalogue-jsonl:plain.jsonl"}


def test_bad_sources_and_shapes_are_problems_not_tracebacks(tmp_path):
    lines = [dict(LINE, sources=["not", "a", "map"]), dict(LINE, titles=["a list"]), {"designation": "GB/T 12238-2008",
             "dates": "2008"}, json.loads("[" * 50 + "]" * 50) if False else {"designation": "x", "relations": [1]}]
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    with open(path, "rb") as fp:
        readings = list(read_catalogue_jsonl(fp, "bad.jsonl"))
    assert all(r.problem is not None for r in readings)
    assert readings[0].problem.reason == "'sources' must map each source's URL to the list of fields it gave"
