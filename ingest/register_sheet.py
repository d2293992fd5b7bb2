"""The 对标达标 register kept as a spreadsheet: a results table and a certificates table.

Both tables are "long": in the **results** table (sheet 对标结果) one row is one compared
standard's value for one indicator of one result, and the rows of a result share its 结果编号
(result no.); the first row of a result gives its enterprise, product and result fields, later
rows may repeat them or leave them empty. In the **certificates** table (sheet 证书) one row is
one status event of a certificate (证书编号 + 证书类型). An XLSX workbook holds either or both
sheets (a sheet named 说明 / Instructions is skipped); a CSV file holds one table, recognised by
its headings. Headings are Chinese or English (``docs/register.md`` lists them,
``docs/templates/register-template.xlsx`` is the template). Row numbers in problems are the
spreadsheet's, and problems name the column as the file heads it.
"""
from __future__ import annotations

import io
import re
import unicodedata
import warnings
from pathlib import Path
from typing import BinaryIO, Iterator

from catalogue.records import Problem, Reading
from catalogue.register import check_credit_code, fold, normalise_credit_code
from catalogue.register_batch import RegisterBatch

from .files import read_path
from .register_rows import (
    Where,
    build_cell,
    build_certificate,
    build_comparison,
    build_enterprise,
    build_evaluation,
    build_event,
    build_product,
    build_report,
    build_result,
    result_key,
    text,
)
from .sheet import check_zip_sizes, decode_sheet_bytes, iter_csv_rows

HEADER_SEARCH_ROWS = 10
SKIPPED_SHEETS = {"说明", "instructions", "readme", "read me"}
#: Sheet names that make a workbook the register's (the template's, in Chinese and English).
RESULT_SHEET_NAMES = {"对标结果", "results", "benchmarking results", "对标达标结果"}

#: field -> headings (the first Chinese and the first English one are the template's).
RESULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "ref": ("结果编号", "result no.", "result no", "result", "对标结果编号"),
    "enterprise": ("企业名称", "enterprise", "企业", "enterprise name"),
    "enterprise_en": ("企业英文名称", "enterprise (en)", "enterprise name (en)"),
    "credit_code": ("统一社会信用代码", "credit code", "unified social credit code", "信用代码"),
    "district": ("县（市、区）", "district", "县市区", "所在县（市、区）", "county or district"),
    "cluster": ("产业集群", "industry cluster", "cluster", "产业体系"),
    "product": ("产品名称", "product", "产品"),
    "product_en": ("产品英文名称", "product (en)"),
    "model": ("型号", "model", "规格型号"),
    "product_standards": ("执行标准", "declared standards", "product standards"),
    "scheme": ("对标方案", "scheme", "对标方案编号", "scheme id"),
    "own_standard": ("企业标准", "own standard", "enterprise standard"),
    "compared": ("对标标准", "compared standards"),
    "date": ("结果日期", "result date", "对标日期"),
    "level": ("水平", "level", "对标水平"),
    "reached": ("是否达标", "reached"),
    "published_on": ("发布日期", "published on", "publication date"),
    "platform": ("发布平台", "platform"),
    "link": ("链接", "link", "网址"),
    "status": ("状态", "status", "结果状态"),
    "state": ("公开状态", "state"),
    "indicator": ("指标", "indicator", "指标名称"),
    "value": ("企业值", "our value", "enterprise value", "企业指标值"),
    "unit": ("单位", "unit"),
    "value_kind": ("数值类型", "value kind", "声明或实测"),
    "report": ("检测报告编号", "test report", "test report no.", "报告编号"),
    "clause": ("企业标准条款", "own clause", "enterprise standard clause"),
    "direction": ("比较方向", "direction", "优劣方向"),
    "outcome": ("对比结论", "outcome", "结论"),
    "standard": ("对比标准", "compared standard"),
    "standard_value": ("标准值", "standard value", "标准指标值"),
    "standard_unit": ("标准值单位", "standard unit"),
    "standard_clause": ("标准条款", "standard clause", "条款"),
    "laboratory": ("检测机构", "laboratory", "testing laboratory"),
    "accreditation": ("资质", "accreditation", "检测资质"),
    "report_date": ("报告日期", "report date"),
    "evaluation_body": ("评价机构", "evaluation body", "第三方评价机构"),
    "evaluation_method": ("评价方法", "evaluation method"),
    "evaluation_conclusion": ("评价结论", "evaluation conclusion"),
    "evaluation_date": ("评价日期", "evaluation date"),
    "note": ("备注", "note", "notes"),
}
CERTIFICATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("证书编号", "certificate no.", "certificate number", "certificate no"),
    "type": ("证书类型", "certificate type", "type"),
    "credit_code": RESULT_COLUMNS["credit_code"],
    "enterprise": RESULT_COLUMNS["enterprise"],
    "enterprise_en": RESULT_COLUMNS["enterprise_en"],
    "district": RESULT_COLUMNS["district"],
    "cluster": RESULT_COLUMNS["cluster"],
    "product": ("认证产品", "certified product", "产品名称", "product", "型号", "model"),
    "issuer": ("发证机构", "issuer", "认证机构"),
    "basis": ("依据标准", "basis standard", "basis"),
    "scope": ("认证范围", "scope", "范围"),
    "issued": ("发证日期", "issued", "颁发日期"),
    "expires": ("有效期至", "expires", "有效期"),
    "event": ("证书状态", "status", "状态"),
    "event_date": ("状态日期", "status date"),
    "event_note": ("状态说明", "status note"),
}
REQUIRED = {"results": ("ref", "credit_code", "product", "scheme", "date"),
            "certificates": ("number", "type", "credit_code")}
#: Fields of a result that every row of it must agree on (when a later row fills them).
RESULT_FIELDS = ("credit_code", "product", "model", "scheme", "own_standard", "compared", "date", "level", "reached",
                 "published_on", "platform", "link", "status", "state")
ENTERPRISE_FIELDS = {"name": "enterprise", "name_en": "enterprise_en", "credit_code": "credit_code",
                     "district": "district", "cluster": "cluster"}
PRODUCT_FIELDS = {"name": "product", "name_en": "product_en", "model": "model", "standards": "product_standards"}
REPORT_FIELDS = {"number": "report", "laboratory": "laboratory", "accreditation": "accreditation", "date": "report_date"}
EVALUATION_FIELDS = {"body": "evaluation_body", "method": "evaluation_method", "conclusion": "evaluation_conclusion",
                     "date": "evaluation_date"}
COMPARISON_FIELDS = {k: k for k in ("indicator", "value", "unit", "value_kind", "report", "clause", "direction",
                                    "outcome", "note")}
CELL_FIELDS = {"standard": "standard", "value": "standard_value", "unit": "standard_unit", "clause": "standard_clause"}
CERTIFICATE_FIELDS = {k: k for k in ("number", "type", "product", "issuer", "basis", "scope", "issued", "expires")}
EVENT_FIELDS = {"status": "event", "date": "event_date", "note": "event_note"}


def norm_heading(heading) -> str:
    """'统一社会信用代码*', ' Credit Code ', '水平（领先/先进/平均/落后）' -> the heading as matched."""
    t = " ".join(unicodedata.normalize("NFKC", str(heading or "")).casefold().split()).strip("*:： ")
    return re.sub(r"\s*\([^)]*\)$", "", t) if not t.endswith("(en)") else t


def _mapping(columns: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {norm_heading(h): f for f, hs in columns.items() for h in hs}


_MAPS = {"results": _mapping(RESULT_COLUMNS), "certificates": _mapping(CERTIFICATE_COLUMNS)}


def field_of(heading, kind: str) -> str | None:
    """The field a heading names in a table of ``kind``; bilingual '结果编号 / Result no.' too."""
    t = norm_heading(heading)
    found = _MAPS[kind].get(t)
    if found is None and "/" in t:
        parts = {_MAPS[kind].get(norm_heading(p)) for p in t.split("/")}
        found = parts.pop() if len(parts) == 1 else None
    return found


def table_kind(cells) -> str | None:
    """'results' or 'certificates' when a row heads one of the two tables, else None."""
    for kind in ("results", "certificates"):
        fields = {field_of(c, kind) for c in cells}
        if set(REQUIRED[kind]) <= fields:
            return kind
    return None


def sniff(head: bytes) -> bool:
    """A CSV headed like one of the register's tables (a workbook: :func:`sniff_zip`)."""
    if head.startswith(b"PK\x03\x04"):
        return False
    decoded, problem = decode_sheet_bytes(head)
    if problem or not decoded:
        return False
    for line in decoded.splitlines()[:HEADER_SEARCH_ROWS]:
        for sep in (",", "\t", ";"):
            if table_kind(line.split(sep)):
                return True
    return False


def read(path) -> Iterator[Reading]:
    yield from read_path(Path(path), read_register_sheet)


def load_tables(fp: BinaryIO) -> tuple[list[tuple[str, list]], str | None]:
    """[(sheet title, [(row number, cells, error)])] of an XLSX, or one table of a CSV; or a problem."""
    data = fp.read()
    if data.startswith(b"PK\x03\x04"):
        problem = check_zip_sizes(io.BytesIO(data))
        if problem:
            return [], problem
        import openpyxl

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
                tables = [(ws.title, [(n, list(v), None) for n, v in enumerate(ws.iter_rows(values_only=True), 1)])
                          for ws in book.worksheets]
                book.close()
        except Exception as exc:  # openpyxl raises many kinds on a broken workbook
            return [], f"This XLSX workbook cannot be opened ({exc})."
        return tables, None
    decoded, problem = decode_sheet_bytes(data)
    if problem:
        return [], problem
    lines = decoded.splitlines(keepends=True)
    sep = max((",", "\t", ";"), key=lambda s: max((len({field_of(c, k) for c in line.split(s)} - {None})
                                                     for line in lines[:HEADER_SEARCH_ROWS] for k in _MAPS), default=0))
    return [("", list(iter_csv_rows(lines, sep)))], None


def read_register_sheet(fp: BinaryIO, name: str) -> Iterator[Reading]:
    """Read a register workbook or CSV: 'R1,温州示例阀门有限公司,91330324PDY00001X1,...'."""
    tables, problem = load_tables(fp)
    if problem:
        yield Reading(problem=Problem(name, None, None, problem))
        return
    reader = _SheetReader(name)
    for title, rows in tables:
        if fold(title) in SKIPPED_SHEETS:
            continue
        reader.read_table(title, rows)
    for p in reader.problems:
        yield Reading(problem=p)
    yield Reading(item=reader.batch, line=1)


class _SheetReader:
    def __init__(self, name: str):
        self.name = name
        self.problems: list[Problem] = []
        self.batch = RegisterBatch(name)
        self.codes: set[str] = set()
        self.products: set[tuple[str, str]] = set()
        self.results: dict[tuple, int | None] = {}

    def where(self, line, headings: dict[str, str], fields: dict[str, str] | None = None) -> Where:
        """A Where naming each builder field by the column the file heads it with."""
        names = {b: headings.get(s, s) for b, s in (fields or {}).items()} if fields is not None else headings
        return Where(self.name, line, "", names)

    def read_table(self, title: str, rows: list) -> None:
        where_sheet = self.name if not title else f"{self.name} [{title}]"
        header, kind, heading_of = None, None, {}
        body = []
        for number, cells, error in rows:
            if error:
                self.problems.append(Problem(self.name, number, None, error))
                continue
            if header is None:
                if number > HEADER_SEARCH_ROWS:
                    break
                kind = table_kind(cells or [])
                if kind:
                    header = {}
                    for i, c in enumerate(cells):
                        f = field_of(c, kind)
                        if f and f not in heading_of:
                            header[i], heading_of[f] = f, text(c)
                        elif text(c):
                            known = ", ".join(hs[0] for hs in (RESULT_COLUMNS if kind == "results" else CERTIFICATE_COLUMNS).values())
                            self.problems.append(Problem(self.name, number, text(c),
                                                         f"Unknown column '{text(c)}' ignored; known columns are {known}."))
                continue
            if not cells or all(not text(c) for c in cells):
                continue
            body.append((number, {f: cells[i] if i < len(cells) else None for i, f in header.items()}))
        if header is None:
            self.problems.append(Problem(where_sheet, None, None, (
                "no heading row of a results table (结果编号, 统一社会信用代码, 产品名称, 对标方案, 结果日期) or a "
                "certificates table (证书编号, 证书类型, 统一社会信用代码) in the first ten rows; nothing was read")))
            return
        if kind == "results":
            self.batch.headings.update({f: heading_of.get(f, RESULT_COLUMNS[f][0]) for f in RESULT_COLUMNS})
            self.batch.headings["standards"] = self.batch.headings["standard"]
            self.read_results(body, heading_of)
        else:
            self.read_certificates(body, heading_of)

    def add_enterprise(self, row: dict, line, heading_of) -> str | None:
        """The enterprise's code once the row names a valid one (the first row naming it describes it)."""
        raw = {b: row.get(s) for b, s in ENTERPRISE_FIELDS.items()}
        code = normalise_credit_code(text(raw["credit_code"]))
        if code in self.codes:
            return code
        where = self.where(line, heading_of, ENTERPRISE_FIELDS)
        if not text(raw["name"]) and not text(raw["name_en"]):
            # A row about a stored enterprise may leave its name out; check_in finds it by its code.
            reason = check_credit_code(code)
            if reason:
                self.problems.append(where.problem("credit_code", reason))
                return None
            return code
        enterprise, problems = build_enterprise(raw, where)
        self.problems.extend(problems)
        if enterprise is None:
            return None
        self.codes.add(code)
        self.batch.enterprises.append(enterprise)
        return code

    def read_results(self, body: list, heading_of: dict[str, str]) -> None:
        groups: dict[str, list] = {}
        for line, row in body:
            ref = text(row.get("ref"))
            if not ref:
                self.problems.append(self.where(line, heading_of).problem("ref", "every row names its result (结果编号)"))
                continue
            groups.setdefault(fold(ref), []).append((line, row))
        for rows in groups.values():
            self.read_result(rows, heading_of)

    def read_result(self, rows: list, heading_of: dict[str, str]) -> None:
        line, first = rows[0]
        code = self.add_enterprise(first, line, heading_of)
        if code is None:
            return
        product_raw = {b: first.get(s) for b, s in PRODUCT_FIELDS.items()}
        product, problems = build_product(product_raw, code, self.where(line, heading_of, PRODUCT_FIELDS))
        if product is not None and text(product_raw["name"]) and (code, product.natural) not in self.products:
            self.products.add((code, product.natural))
            self.batch.products.append(product)
        elif product is None and text(product_raw["name"]):
            self.problems.extend(problems)
            return
        raw = {f: first.get(f) for f in RESULT_FIELDS + ("ref",)}
        raw["product"] = text(first.get("model")) or text(first.get("product"))
        result, problems = build_result(raw, code, self.where(line, heading_of))
        self.problems.extend(problems)
        if result is None:
            return
        key = result_key(code, result)
        if key in self.results:
            self.problems.append(self.where(line, heading_of).problem("date", (
                f"a second result for the same enterprise, product, scheme and date ({result.date}); "
                f"the one on line {self.results[key]} was kept")))
            return
        self.results[key] = line
        kept = [(line, first)]
        for other_line, row in rows[1:]:
            clash = next((f for f in RESULT_FIELDS if text(row.get(f)) and fold(row.get(f)) != fold(first.get(f))), None)
            if clash:
                self.problems.append(self.where(other_line, heading_of).problem(clash, (
                    f"'{text(row.get(clash))}' differs from '{text(first.get(clash))}' on line {line} of result "
                    f"{text(first.get('ref'))}; the row was skipped")))
                continue
            kept.append((other_line, row))
        self.read_reports(result, kept, heading_of)
        self.read_comparisons(result, kept, heading_of)
        self.batch.results.append(result)

    def read_reports(self, result, rows: list, heading_of) -> None:
        for line, row in rows:
            if text(row.get("report")) and not any(fold(r.number) == fold(row.get("report")) for r in result.reports):
                report, problems = build_report({b: row.get(s) for b, s in REPORT_FIELDS.items()},
                                                self.where(line, heading_of, REPORT_FIELDS))
                self.problems.extend(problems)
                if report is not None:
                    result.reports.append(report)
            if text(row.get("evaluation_body")):
                evaluation, problems = build_evaluation({b: row.get(s) for b, s in EVALUATION_FIELDS.items()},
                                                        self.where(line, heading_of, EVALUATION_FIELDS))
                self.problems.extend(problems)
                if evaluation is not None and _facts(evaluation) not in [_facts(e) for e in result.evaluations]:
                    result.evaluations.append(evaluation)

    def read_comparisons(self, result, rows: list, heading_of) -> None:
        numbers = {fold(r.number) for r in result.reports}
        groups: dict[str, list] = {}
        for line, row in rows:
            if text(row.get("indicator")):
                groups.setdefault(fold(row.get("indicator")), []).append((line, row))
            elif text(row.get("standard")):
                self.problems.append(self.where(line, heading_of).problem(
                    "indicator", "every comparison names the scheme's indicator (its number or name)"))
        for group in groups.values():
            line, first = group[0]
            cells = []
            for cell_line, row in group:
                if not text(row.get("standard")):
                    continue
                # A bad value is dropped with its row's problem; the comparison keeps the others.
                cell, problems = build_cell({b: row.get(s) for b, s in CELL_FIELDS.items()},
                                            self.where(cell_line, heading_of))
                self.problems.extend(problems)
                if cell is not None:
                    cells.append(cell)
            where = self.where(line, heading_of, COMPARISON_FIELDS)
            comparison, problems = build_comparison({b: first.get(s) for b, s in COMPARISON_FIELDS.items()}, cells, where)
            self.problems.extend(problems)
            if comparison is None:
                continue
            if comparison.report and fold(comparison.report) not in numbers:
                self.problems.append(where.problem("report", f"no test report '{comparison.report}' is listed for this result"))
                continue
            result.comparisons.append(comparison)

    def read_certificates(self, body: list, heading_of: dict[str, str]) -> None:
        groups: dict[tuple[str, str], list] = {}
        for line, row in body:
            groups.setdefault((fold(row.get("type")), fold(row.get("number"))), []).append((line, row))
        for rows in groups.values():
            line, first = rows[0]
            code = self.add_enterprise(first, line, heading_of)
            if code is None:
                continue
            events, bad = [], False
            for event_line, row in rows:
                if not text(row.get("event")) and not text(row.get("event_date")):
                    continue
                event, problems = build_event({b: row.get(s) for b, s in EVENT_FIELDS.items()},
                                              self.where(event_line, heading_of, EVENT_FIELDS))
                self.problems.extend(problems)
                bad = bad or event is None
                if event is not None:
                    events.append(event)
            if bad:
                continue
            where = self.where(line, heading_of, CERTIFICATE_FIELDS)
            certificate, problems = build_certificate({b: first.get(s) for b, s in CERTIFICATE_FIELDS.items()}, code,
                                                      events, where)
            self.problems.extend(problems)
            if certificate is not None:
                self.batch.certificates.append(certificate)
        for name in ("credit_code", "product"):
            self.batch.headings.setdefault(name, heading_of.get(name, CERTIFICATE_COLUMNS[name][0]))


def _facts(evaluation) -> tuple[str, str, str, str]:
    """An evaluation without its line: the same evaluation repeated on a result's rows is one."""
    return (evaluation.body, evaluation.method, evaluation.conclusion, evaluation.date)


def sniff_zip(zf) -> bool:
    """A workbook with a sheet named like the register's results table (对标结果 / results), or
    whose first rows hold such a heading row: decided from the workbook's own sheet list."""
    if "xl/workbook.xml" not in zf.namelist():
        return False
    try:
        with zf.open("xl/workbook.xml") as fp:
            listing = fp.read(256 * 1024).decode("utf-8", "replace")
    except (KeyError, OSError, ValueError):
        return False
    names = [n.strip().lower() for n in re.findall(r'<sheet[^>]*\bname="([^"]*)"', listing)]
    return any(n in RESULT_SHEET_NAMES for n in names)
