"""The register's model and rules: credit codes, outcomes, and the review rule on a real catalogue.

The review rule is tested end to end on a real SQLite file: a result comparing against
ISO 5208:2008 dated 2014 lands up to date, and ingesting the 2015 edition (which replaces it)
flags it for review, with a line in its history. Facts about standards come from the fixture
catalogue (tests/data/web/catalogue.jsonl, checked against the ISO and IEC archives).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalogue.register import (
    Comparison,
    EditionFacts,
    StandardValue,
    certificate_status,
    check_credit_code,
    compare_cell,
    credit_check_char,
    example_credit_code,
    is_example_code,
    judge_comparison,
    on_or_after,
    read_number,
    read_range,
    review_reasons,
)
from catalogue.edges.service import Catalogue
from catalogue.store import Store

DATA = Path(__file__).parent / "data"
SCHEME = DATA / "register" / "schemes.gate-valves.yaml"
#: Published August 2008 (ISO archive); the 2015 edition, published June 2015, replaces it.
ISO_5208_2008 = {"designation": "ISO 5208:2008", "status": "current", "titles": {"en": "Industrial valves - Pressure testing of metallic valves"},
                 "dates": {"published": "2008-08", "in_force": None, "withdrawn": None}, "committee": "ISO/TC 153"}
ISO_5208_2015 = {"designation": "ISO 5208:2015", "status": "current", "titles": {"en": "Industrial valves - Pressure testing of metallic valves"},
                 "dates": {"published": "2015-06", "in_force": None, "withdrawn": None}, "committee": "ISO/TC 153",
                 "relations": [{"type": "replaces", "target": "ISO 5208:2008"}]}
CODE = example_credit_code("330324", 1)
REGISTER = f"""\
register:
  enterprises:
    - name: 温州示例阀门有限公司
      credit_code: {CODE}
      products: [{{name: 钢制闸阀, model: Z41H-16C}}]
      results:
        - {{product: Z41H-16C, scheme: gate-valves, date: 2014-05-20, compared: [ISO 5208:2008], level: 先进}}
        - {{product: Z41H-16C, scheme: gate-valves, date: 2016-03-01, compared: [ISO 5208], level: 领先}}
"""


# ------------------------------------------------------------------ credit codes (GB 32100-2015)
def test_credit_check_character_follows_gb_32100_worked_example():
    # The standard's worked example (as quoted on wddqw.com/doc/53f79e6a...): 91350100M000100Y4 -> '3'.
    assert credit_check_char("91350100M000100Y4") == "3"
    assert check_credit_code("91350100M000100Y43") is None
    assert check_credit_code(" ９１３５０１００m000100y43 ") is None  # full-width, lower case and spaces folded


@pytest.mark.parametrize("code, reason", [
    ("", "a unified social credit code (统一社会信用代码) is required"),
    ("91350100M000100Y4", "'91350100M000100Y4' is not a unified social credit code: it has 17 characters, not 18"),
    ("91350100M000100Y4Z", "'91350100M000100Y4Z' is not a unified social credit code: 'Z' is not used in credit codes "
                           "(0-9 and A-Z without I, O, S, V, Z)"),
    ("91350100M000100Y44", "'91350100M000100Y44' is not a unified social credit code: its check character should be '3' "
                           "(GB 32100-2015)"),
])
def test_bad_credit_codes_say_why(code, reason):
    assert check_credit_code(code) == reason


def test_example_codes_pass_the_check_and_are_marked():
    # GB 11714-1997 clause 3 keeps PDY00001-PDY99999 for systems' internal codes: our placeholders.
    assert CODE == "91330324PDY00001X1"
    assert check_credit_code(CODE) is None and is_example_code(CODE)
    assert not is_example_code("91350100M000100Y43")


# ------------------------------------------------------------------ outcomes
def test_numbers_and_ranges_are_read_with_their_comparators():
    assert (read_number("≥ 2.4"), read_number("不小于2.4"), read_number("2.4 MPa"), read_number("合格")) == (2.4, 2.4, None, None)
    assert (read_range("1.0~1.5"), read_range("1.5 至 1.0"), read_range("-1-2"), read_range("2")) == \
        ((1.0, 1.5), (1.0, 1.5), (-1.0, 2.0), None)


@pytest.mark.parametrize("ours, theirs, direction, outcome", [
    ("12", "10", "higher", "better"), ("10", "10.0", "higher", "equal"), ("8", "10", "higher", "worse"),
    ("8", "10", "lower", "better"), ("12", "≤10", "lower", "worse"),
    ("5", "4~6", "range", "equal"), ("7", "4~6", "range", "worse"), ("4.5~5.5", "4~6", "range", "better"),
    ("4~6", "4~6", "range", "equal"), ("合格", "", "pass-fail", "equal"), ("不合格", "", "pass-fail", "worse"),
    ("A级", "10", "higher", None), ("12", "", "higher", None), ("12", "10", "", None),
])
def test_one_value_against_one_standard(ours, theirs, direction, outcome):
    assert compare_cell(ours, theirs, direction) == outcome


def test_a_row_is_judged_against_its_most_demanding_standard():
    row = Comparison("1", "11", "mm", direction="higher",
                     cells=[StandardValue("A", "10", clause="1"), StandardValue("B", "12", clause="2"), StandardValue("C", "", clause="3")])
    assert judge_comparison(row) is None
    assert (row.outcome, row.computed, [c.outcome for c in row.cells]) == ("worse", True, ["better", "worse", ""])
    row = Comparison("1", "11", "mm", direction="higher", outcome_given="better", cells=[StandardValue("B", "12", clause="2")])
    assert judge_comparison(row) == "the outcome 'better' does not follow from the values, which give 'worse' (higher)"
    # Units that differ are not compared (no conversion); then a given outcome stands unchecked.
    row = Comparison("1", "11", "mm", direction="higher", outcome_given="better", cells=[StandardValue("B", "1.2", "cm", "2")])
    assert judge_comparison(row) is None and (row.outcome, row.computed) == ("better", False)
    row = Comparison("1", "无泄漏", direction="pass-fail", outcome_given="not-applicable")
    assert judge_comparison(row) is None and row.outcome == "not-applicable"


def test_certificate_status_now():
    events = [{"status": "valid"}, {"status": "suspended"}, {"status": "restored"}]
    assert certificate_status(events, "2030-01-01", "2026-12-01") == "valid"
    assert certificate_status(events, "2018-01-09", "2026-12-01") == "expired"
    assert certificate_status(events[:2], "2018-01-09", "2026-12-01") == "suspended"
    assert certificate_status([], "", "2026-12-01") == "valid"


# ------------------------------------------------------------------ the review rule, as a function
def test_events_on_or_after_a_date_as_precise_as_known():
    assert on_or_after("2015-06", "2014-05-20") and on_or_after("2014", "2014-05-20") and on_or_after("2014-05-20", "2014-05-20")
    assert not on_or_after("2014-05", "2014-06-01") and not on_or_after("2013", "2014-01-01")


def test_review_reasons_from_lifecycle_facts():
    replaced = EditionFacts("iso-5208-2008", "ISO 5208:2008", "replaced",
                            replaced_by=[("iso-5208-2015", "ISO 5208:2015", "2015-06", "current")])
    assert review_reasons("2014-05-20", [replaced]) == [{
        "key": "iso-5208-2008", "designation": "ISO 5208:2008", "kind": "replaced", "by_key": "iso-5208-2015",
        "by_designation": "ISO 5208:2015", "on": "2015-06", "evidence": "record"}]
    assert review_reasons("2016-01-01", [replaced]) == []  # already replaced when benchmarked: not a change after
    draft_only = EditionFacts("iso-12870-2016", "ISO 12870:2016", "current", replaced_by=[("iso-12870", "ISO 12870", "2024-10", "draft")])
    assert review_reasons("2017-01-01", [draft_only]) == []
    withdrawn = EditionFacts("gb-2023-2003", "GB 2023-2003", "withdrawn")
    assert review_reasons("2020-01-01", [withdrawn])[0] == {
        "key": "gb-2023-2003", "designation": "GB 2023-2003", "kind": "withdrawn", "by_key": "", "by_designation": "",
        "on": "", "evidence": "undated"}
    learnt = EditionFacts("x-1-2000", "X 1-2000", "withdrawn", status_changes=[("2026-11-30T10:00:00Z", "current", "withdrawn")])
    assert [(r["on"], r["evidence"]) for r in review_reasons("2020-01-01", [learnt])] == [("2026-11-30", "catalogue")]
    # IEC 60947-2:2016: amended in July 2019, withdrawn when the 2024 edition came (IEC archive).
    amended = EditionFacts("iec-60947-2-2016", "IEC 60947-2:2016", "replaced", withdrawn="2024-09-18",
                           amended_by=[("iec-60947-2-2016-amd1-2019", "IEC 60947-2:2016/AMD1:2019", "2019-07-08", "replaced")])
    assert [(r["kind"], r["on"]) for r in review_reasons("2018-01-01", [amended])] == [
        ("replaced", "2024-09-18"), ("amended", "2019-07-08")]
    assert [(r["kind"], r["on"]) for r in review_reasons("2020-01-01", [amended])] == [("replaced", "2024-09-18")]


# ------------------------------------------------------------------ the review rule, on a real catalogue
def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_a_new_edition_flags_results_that_compared_the_old_one(tmp_path):
    home = tmp_path / "home"
    register = tmp_path / "register.valves.yaml"
    register.write_text(REGISTER, encoding="utf-8")
    with Catalogue(home, create=True) as cat:
        report = cat.ingest([write_jsonl(tmp_path / "old.jsonl", [ISO_5208_2008]), SCHEME, register])
        assert report.problems == []
        total, results = cat.store.list_results()
        assert total == 2
        # Both compared ISO 5208:2008: the 2016 one named it undated and got the edition as of its date.
        assert {r["date"]: [s["designation"] for s in r["standards"]] for r in results} == {
            "2014-05-20": ["ISO 5208:2008"], "2016-03-01": ["ISO 5208:2008"]}
        assert [r["status"] for r in results] == ["published", "published"]

        report = cat.ingest([write_jsonl(tmp_path / "new.jsonl", [ISO_5208_2015])])
        assert report.problems == []
        _total, results = cat.store.list_results()
        by_date = {r["date"]: r for r in results}
        old = by_date["2014-05-20"]
        assert (old["status"], old["needs_review"]) == ("needs_review", True)
        assert old["review_reasons"] == [{"key": "iso-5208-2008", "designation": "ISO 5208:2008", "kind": "replaced",
                                          "by_key": "iso-5208-2015", "by_designation": "ISO 5208:2015", "on": "2015-06",
                                          "evidence": "record"}]
        # Benchmarked after the 2015 edition came out: the rule says nothing changed after its date.
        assert (by_date["2016-03-01"]["status"], by_date["2016-03-01"]["needs_review"]) == ("published", False)
        history = cat.store.read_result_history(old["id"])
        assert [(h["actor"], h["action"]) for h in history] == [
            ("register-yaml:register.valves.yaml", "added"), ("catalogue", "review_flagged")]
        assert cat.store.count_register()["needs_review"] == 1


def test_ingesting_the_register_after_the_standards_applies_the_rule_at_once(tmp_path):
    register = tmp_path / "register.valves.yaml"
    register.write_text(REGISTER, encoding="utf-8")
    with Catalogue(tmp_path / "home", create=True) as cat:
        cat.ingest([write_jsonl(tmp_path / "all.jsonl", [ISO_5208_2008, ISO_5208_2015]), SCHEME, register])
        _total, results = cat.store.list_results()
        assert {r["date"]: r["status"] for r in results} == {"2014-05-20": "needs_review", "2016-03-01": "published"}
        # The undated 'ISO 5208' of 2016 is dated to the edition then in force: the 2015 one.
        assert {r["date"]: r["standards"][0]["designation"] for r in results}["2016-03-01"] == "ISO 5208:2015"


def test_flagging_costs_in_proportion_to_the_keys(tmp_path):
    register = tmp_path / "register.valves.yaml"
    register.write_text(REGISTER, encoding="utf-8")
    with Catalogue(tmp_path / "home", create=True) as cat:
        cat.ingest([write_jsonl(tmp_path / "old.jsonl", [ISO_5208_2008]), SCHEME, register])
        store = cat.store
        statements: list[str] = []
        store.db.set_trace_callback(statements.append)
        assert store.flag_results_for_review({"iso-10434-2004", "gb-t-12238-2008"}) == []
        store.db.set_trace_callback(None)
        # Keys no result compared against: one indexed lookup, and nothing else.
        assert len(statements) == 1 and "result_standards" in statements[0]
        plan = " ".join(str(tuple(r)) for r in store.db.execute(
            "EXPLAIN QUERY PLAN SELECT DISTINCT result_id FROM result_standards WHERE edition_key IN (?, ?)", ("a", "b")))
        assert "result_standards_key" in plan


def test_migration_004_applies_after_002_without_003(tmp_path):
    # Store.migrate applies the numbered files in order and allows gaps (003 is the lead's write log).
    with Store(tmp_path, create=True) as store:
        assert store.schema_version >= 4
        assert store.has_table("benchmark_results") and store.has_table("result_history")
        assert store.list_levels() == [("leading", {"en": "leading", "zh": "领先"}), ("advanced", {"en": "advanced", "zh": "先进"}),
                                       ("average", {"en": "average", "zh": "平均"}), ("lagging", {"en": "lagging", "zh": "落后"})]
