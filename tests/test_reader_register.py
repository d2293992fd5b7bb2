"""Ingest of the register: YAML, CSV and XLSX through `catalogue ingest`, every bad-row case with
its exact problem (file, line, field, reason), the good rows landing beside them, re-ingest, and
format detection. Real files under tests/data/register, a real SQLite catalogue built from the
web fixture catalogue (real ISO, IEC and GB records) and the test schemes.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from catalogue.cli import main
from catalogue.edges.service import Catalogue
from ingest.detect import detect_format

DATA = Path(__file__).parent / "data"
REG = DATA / "register"
BASE = [DATA / "web" / "catalogue.jsonl", DATA / "web" / "schemes.mccb.yaml", REG / "schemes.gate-valves.yaml"]
VALVES = REG / "register.valves.yaml"
RESULTS_CSV = REG / "register-results.csv"
CERTIFICATES_CSV = REG / "register-certificates.csv"


@pytest.fixture()
def home(tmp_path) -> Path:
    with Catalogue(tmp_path / "home", create=True) as cat:
        report = cat.ingest(BASE)
        assert report.problems == []
    return tmp_path / "home"


def problems_of(report) -> list[tuple]:
    return [(Path(p.file).name, p.line, p.field, p.reason) for p in report.problems]


# ------------------------------------------------------------------ detection
def test_register_files_are_recognised_by_their_content(tmp_path):
    assert detect_format(VALVES).name == "register-yaml"
    assert detect_format(RESULTS_CSV).name == "register-sheet"
    assert detect_format(CERTIFICATES_CSV).name == "register-sheet"
    assert detect_format(REG / "schemes.gate-valves.yaml").name == "system-yaml"
    # An XLSX is the register's when its workbook has a results sheet, whatever the file's name.
    book = tmp_path / "list.xlsx"
    workbook = Workbook()
    workbook.active.title = "说明"
    workbook.create_sheet("对标结果")
    workbook.save(book)
    assert detect_format(book).name == "register-sheet"
    plain = tmp_path / "对标结果2024.xlsx"  # a register's name but a plain librarians' sheet inside
    Workbook().save(plain)
    assert detect_format(plain).name != "register-sheet"


# ------------------------------------------------------------------ YAML
def test_yaml_register_lands_whole(home):
    with Catalogue(home) as cat:
        report = cat.ingest([VALVES])
        assert report.problems == [] and report.rejected == 0
        store = cat.store
        assert store.count_register() == {"enterprises": 1, "products": 2, "results": 2, "certificates": 2, "needs_review": 1}
        _total, results = store.list_results()
        old = next(r for r in results if r["date"] == "2014-05-20")
        detail = store.read_result(old["id"])
    assert detail["enterprise"]["names"] == {"zh": "温州示例阀门有限公司", "en": "Wenzhou Example Valve Co., Ltd."}
    assert (detail["level"], detail["reached"], detail["own_standard"]) == ("advanced", "yes", "Q/PDY 001-2014")
    assert detail["published"] == {"date": "2014-06-01", "platform": "示例对标平台", "link": "https://example.org/results/1"}
    assert [(s["designation"], s["as_given"], s["status"]) for s in detail["standards"]] == [
        ("GB/T 13927-2008", None, "replaced"), ("ISO 5208:2008", "ISO 5208", "replaced"), ("T/PDY 001-2013", None, None)]
    assert detail["test_reports"] == [{"number": "WT-2014-0101", "laboratory": "示例阀门检测中心",
                                       "accreditation": ["CMA", "CNAS"], "date": "2014-04-30"}]
    assert detail["evaluations"] == [{"body": "示例认证有限公司", "method": "文件审查与现场核查", "conclusion": "达到先进水平",
                                      "date": "2014-05-15"}]
    assert [(i["indicator"], i["value"], i["unit"], i["value_kind"], i["direction"], i["outcome"], i["computed"])
            for i in detail["indicators"]] == [
        (1, "2.4", "MPa", "measured", "higher", "", False),
        (2, "无泄漏", "", "measured", "pass-fail", "equal", True),
        (3, "12.5", "mm", "declared", "higher", "better", True)]
    assert detail["indicators"][2]["standards"] == [{"designation": "T/PDY 001-2013", "key": "t-pdy-001-2013", "value": "11",
                                                    "unit": "", "clause": "4.1", "outcome": "better"}]
    assert [r["kind"] + ":" + r["designation"] for r in detail["review_reasons"]] == [
        "replaced:GB/T 13927-2008", "replaced:ISO 5208:2008"]


def test_yaml_bad_rows_are_problems_and_good_rows_land(home):
    with Catalogue(home) as cat:
        report = cat.ingest([REG / "register.bad-rows.yaml"])
        counts = cat.store.count_register()
        _total, results = cat.store.list_results()
        detail = cat.store.read_result(results[0]["id"])
    name = "register.bad-rows.yaml"
    assert problems_of(report) == [
        (name, 4, "register.enterprises[0].credit_code",
         "'91330324PDY0000282' is not a unified social credit code: its check character should be '1' (GB 32100-2015)"),
        (name, 19, "register.enterprises[1].results[0].indicators[0].unit", "the value 2.4 needs its unit"),
        (name, 20, "register.enterprises[1].results[0].indicators[1].report",
         "the measured value 无泄漏 needs the test report it comes from"),
        (name, 30, "register.enterprises[1].results[1].date",
         "a second result for the same enterprise, product, scheme and date (2014-05-20); the one on line 11 was kept"),
        (name, 34, "register.enterprises[1].certificates[0].expires",
         "the certificate expires (2019-05-01) before it is issued (2020-05-01)"),
        (name, 21, "register.enterprises[1].results[0].indicators[2].indicator",
         "the scheme 'gate-valves' has no indicator '9'; its indicators are: 1 壳体试验压力; 2 密封试验泄漏量; 3 阀体最小壁厚"),
        (name, 22, "register.enterprises[1].results[0].indicators[3].outcome",
         "the outcome 'better' does not follow from the values, which give 'worse' (higher)"),
        (name, 31, "register.enterprises[1].results[2].scheme",
         "unknown benchmarking scheme 'no-such-scheme'; the catalogue has: gate-valves, mccb"),
        (name, 32, "register.enterprises[1].results[3].level",
         "unknown level '卓越'; use one of: 领先/leading, 先进/advanced, 平均/average, 落后/lagging"),
    ]
    assert report.rejected == 9
    # The good rows: one enterprise, its product, one result with its one good comparison, one certificate.
    assert counts == {"enterprises": 1, "products": 1, "results": 1, "certificates": 1, "needs_review": 1}
    assert [(i["indicator"], i["outcome"]) for i in detail["indicators"]] == [(2, "equal")]


def test_a_dry_run_reports_what_the_catalogue_refutes_and_writes_nothing(home):
    with Catalogue(home) as cat:
        report = cat.ingest([REG / "register.bad-rows.yaml"], dry_run=True)
        assert len(report.problems) == 9
        assert cat.store.count_register()["results"] == 0


def test_ingesting_again_changes_nothing_and_a_change_is_history(home, tmp_path):
    with Catalogue(home) as cat:
        cat.ingest([VALVES])
        _total, results = cat.store.list_results()
        rid = next(r["id"] for r in results if r["date"] == "2014-05-20")
        before = cat.store.read_result_history(rid)
        cat.ingest([VALVES])
        assert cat.store.read_result_history(rid) == before
        changed = tmp_path / "register.valves.yaml"
        changed.write_text(VALVES.read_text(encoding="utf-8").replace("level: 先进", "level: 领先"), encoding="utf-8")
        cat.ingest([changed])
        history = cat.store.read_result_history(rid)
    assert [h["action"] for h in history] == ["added", "review_flagged", "updated"]
    assert history[-1]["changes"] == {"level": ["advanced", "leading"]}


def test_a_draft_result_is_stored_but_not_public(home):
    with Catalogue(home) as cat:
        cat.ingest([VALVES])
        rows = cat.store.db.execute("SELECT result_date, state FROM benchmark_results ORDER BY result_date").fetchall()
        assert [tuple(r) for r in rows] == [("2014-05-20", "published"), ("2023-09-01", "published"), ("2024-01-15", "draft")]
        draft_id = cat.store.db.execute("SELECT id FROM benchmark_results WHERE state = 'draft'").fetchone()[0]
        assert cat.store.read_result(draft_id) is None
        assert draft_id not in {r["id"] for r in cat.store.list_results()[1]}


# ------------------------------------------------------------------ spreadsheets
def test_csv_tables_land(home):
    with Catalogue(home) as cat:
        report = cat.ingest([RESULTS_CSV, CERTIFICATES_CSV])
        assert report.problems == []
        _total, results = cat.store.list_results()
        detail = cat.store.read_result(results[0]["id"])
        enterprise = cat.store.read_enterprise(detail["enterprise"]["id"])
    assert (detail["date"], detail["scheme"]["id"], detail["status"]) == ("2019-06-10", "mccb", "needs_review")
    assert [s["designation"] for s in detail["standards"]] == ["GB/T 14048.2-2008", "IEC 60947-2:2016"]
    assert [(i["indicator"], i["value"], i["unit"], i["report"], [c["designation"] for c in i["standards"]])
            for i in detail["indicators"]] == [(1, "50", "kA", "EL-2019-0042", ["GB/T 14048.2-2008", "IEC 60947-2:2016"])]
    assert {r["kind"] for r in detail["review_reasons"]} == {"replaced", "amended"}
    assert [(c["number"], c["type"], [e["status"] for e in c["events"]]) for c in enterprise["certificates"]] == [
        ("CCC-PDY-0003", "CCC", ["valid", "cancelled"])]
    assert enterprise["certificates"][0]["events"][1] == {"status": "cancelled", "date": "2021-12-31", "note": "企业申请注销"}


def test_an_xlsx_workbook_holds_both_tables(home, tmp_path):
    book = Workbook()
    book.active.title = "说明"
    book.active.append(["这张表不被读取"])
    for title, source in (("对标结果", RESULTS_CSV), ("证书", CERTIFICATES_CSV)):
        sheet = book.create_sheet(title)
        with open(source, encoding="utf-8-sig", newline="") as fp:
            for row in csv.reader(fp):
                sheet.append(row)
    path = tmp_path / "register-2019.xlsx"
    book.save(path)
    with Catalogue(home) as cat:
        report = cat.ingest([path])
        assert report.problems == []
        assert cat.store.count_register() == {"enterprises": 1, "products": 1, "results": 1, "certificates": 1,
                                              "needs_review": 1}


def test_sheet_bad_rows_name_the_row_and_the_column(home):
    with Catalogue(home) as cat:
        report = cat.ingest([REG / "register-bad-rows.csv"])
        _total, results = cat.store.list_results()
        detail = cat.store.read_result(results[0]["id"])
    name = "register-bad-rows.csv"
    assert problems_of(report) == [
        (name, 10, "结果编号", "every row names its result (结果编号)"),
        (name, 5, "对标方案", "'gate-valves' differs from 'mccb' on line 2 of result R1; the row was skipped"),
        (name, 4, "单位", "the value 60 needs its unit"),
        (name, 7, "结果日期", "a second result for the same enterprise, product, scheme and date (2019-06-10); the one on line 2 was kept"),
        (name, 8, "统一社会信用代码", "'9133030OPDY0000363' is not a unified social credit code: 'O' is not used in credit codes "
                                     "(0-9 and A-Z without I, O, S, V, Z)"),
        (name, 9, "结果日期", "'2020-03' is not a full date (YYYY-MM-DD)"),
        (name, 6, "对比标准", "'ISO 5208:2008' is not among the result's compared standards"),
        (name, 3, "指标", "the scheme 'mccb' has no indicator '额定运行短路分断能力 Ics'; its indicators are: 1 额定极限短路分断能力 Icu"),
    ]
    # R1 landed with its good comparison, the bad value on row 6 dropped.
    assert [(i["indicator"], [c["designation"] for c in i["standards"]]) for i in detail["indicators"]] == [(1, ["IEC 60947-2:2016"])]


def test_a_certificate_sheet_alone_may_name_an_enterprise_already_stored(home, tmp_path):
    lone = tmp_path / "certificates.csv"
    lone.write_text("证书编号,证书类型,统一社会信用代码,发证日期,有效期至,证书状态,状态日期\r\n"
                    "CE-PDY-0007,CE,91330300PDY0000363,2021-01-01,2026-01-01,有效,2021-01-01\r\n"
                    "CE-PDY-0008,CE,91330300PDY000044X,2021-01-01,2026-01-01,有效,2021-01-01\r\n", encoding="utf-8")
    with Catalogue(home) as cat:
        cat.ingest([RESULTS_CSV])
        report = cat.ingest([lone])
    assert problems_of(report) == [("certificates.csv", 3, "统一社会信用代码",
                                    "no enterprise has the credit code '91330300PDY000044X' in this file or the catalogue")]


# ------------------------------------------------------------------ the command line
def test_catalogue_ingest_reports_register_problems_in_json_and_chinese(home):
    runner = CliRunner()
    result = runner.invoke(main, ["--home", str(home), "ingest", str(REG / "register.bad-rows.yaml"), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["rejected"] == 9
    assert data["problems"][1] == {"file": str(REG / "register.bad-rows.yaml"), "line": 19,
                                   "field": "register.enterprises[1].results[0].indicators[0].unit",
                                   "reason": "the value 2.4 needs its unit"}
    result = runner.invoke(main, ["--lang", "zh", "--home", str(home), "ingest", str(REG / "register.bad-rows.yaml")])
    assert "register.enterprises[1].results[0].indicators[0].unit: 数值 2.4 必须注明单位" in result.stderr
    assert "“91330324PDY0000282”不是统一社会信用代码：校验码应为“1”（GB 32100-2015）" in result.stderr


# ------------------------------------------------------------------ the templates
def test_the_templates_read_back_without_problems_and_match_the_script(home, tmp_path):
    import importlib.util

    templates = Path(__file__).parent.parent / "docs" / "templates"
    spec = importlib.util.spec_from_file_location("make_register_template", templates.parent.parent / "scripts" / "make_register_template.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    for name, columns, examples in (("register-results-template.csv", script.RESULT_COLUMNS, script.RESULT_EXAMPLES),
                                    ("register-certificates-template.csv", script.CERTIFICATE_COLUMNS, script.CERTIFICATE_EXAMPLES)):
        script.write_csv(tmp_path / name, script.table(columns, examples))
        assert (tmp_path / name).read_bytes() == (templates / name).read_bytes(), f"run scripts/make_register_template.py ({name})"
    demo_scheme = Path(__file__).parent.parent / "catalogue" / "demo_data" / "schemes.steel-gate-valves.yaml"
    with Catalogue(home) as cat:
        assert cat.ingest([demo_scheme]).problems == []
        report = cat.ingest([templates / "register-template.xlsx"])
        assert report.problems == []
        assert cat.store.count_register() == {"enterprises": 1, "products": 1, "results": 1, "certificates": 1, "needs_review": 1}
        _total, results = cat.store.list_results()
        detail = cat.store.read_result(results[0]["id"])
    assert [(i["indicator"], i["outcome"]) for i in detail["indicators"]] == [(1, ""), (2, "equal"), (3, "better")]
    assert detail["evaluations"][0]["conclusion"] == "主要指标达到国际先进水平（示例）"
