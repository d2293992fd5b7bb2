"""The 对标达标 register written by librarians in YAML: one ``register:`` mapping a file.

Enterprises hold their products, results (with test reports, third-party evaluations and indicator
comparisons) and certificates (with status events); an optional ``levels:`` list replaces the
levels a result may reach. The format is documented in ``docs/register.md``. Every problem names
the file, the line and the field's path (``register.enterprises[0].results[1].indicators[2].unit``).
"""
from __future__ import annotations

from typing import BinaryIO, Iterator

import yaml

from catalogue.records import Problem, Reading
from catalogue.register import fold
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
from .system_yaml import _line_of, _Loader

MAX_BYTES = 20 * 1024 * 1024


def sniff(head: bytes) -> bool:
    """YAML whose first statement is ``register:``."""
    for line in head.lstrip(b"\xef\xbb\xbf").splitlines():
        s = line.strip()
        if not s or s.startswith((b"#", b"---")):
            continue
        return s.startswith(b"register:")
    return False


def read(path) -> Iterator[Reading]:
    yield from read_path(path, read_register_yaml)


def read_register_yaml(fp: BinaryIO, name: str) -> Iterator[Reading]:
    """Read 'register: {enterprises: [{name: 温州示例阀门有限公司, credit_code: ..., results: [...]}]}'."""
    raw = fp.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        yield Reading(problem=Problem(name, None, None, f"file is larger than {MAX_BYTES // 1048576} MB; not read"))
        return
    try:
        doc = yaml.load(raw.decode("utf-8-sig"), Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except UnicodeDecodeError as exc:
        yield Reading(problem=Problem(name, None, None, f"not UTF-8 text (byte {exc.start})"))
        return
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        yield Reading(problem=Problem(name, mark.line + 1 if mark else None, None,
                                      f"not valid YAML: {getattr(exc, 'problem', None) or exc}"))
        return
    if not isinstance(doc, dict) or not isinstance(doc.get("register"), dict):
        yield Reading(problem=Problem(name, 1, None, "expected a 'register:' mapping at the top"))
        return
    reader = _RegisterReader(name, doc["register"])
    batch = reader.read()
    for problem in reader.problems:
        yield Reading(problem=problem)
    yield Reading(item=batch, line=getattr(doc["register"], "line", 1))


class _RegisterReader:
    def __init__(self, name: str, register: dict):
        self.name = name
        self.register = register
        self.problems: list[Problem] = []
        self.batch = RegisterBatch(name)

    def where(self, seq, index: int, path: str, default) -> Where:
        return Where(self.name, _line_of(seq, index, default), path)

    def items(self, parent: dict, key: str, path: str) -> list:
        value = parent.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problems.append(Problem(self.name, getattr(parent, "line", None), f"{path}.{key}", "expected a list"))
            return []
        return value

    def read(self) -> RegisterBatch:
        top = self.register
        line = getattr(top, "line", 1)
        if "levels" in top:
            self.read_levels(self.items(top, "levels", "register"), line)
        enterprises = self.items(top, "enterprises", "register")
        codes: dict[str, int | None] = {}
        for i, raw in enumerate(enterprises):
            where = self.where(enterprises, i, f"register.enterprises[{i}]", line)
            if not isinstance(raw, dict):
                self.problems.append(where.problem("", "expected a mapping (name, credit_code, products ...)"))
                continue
            enterprise, problems = build_enterprise(raw, where)
            self.problems.extend(problems)
            if enterprise is None:
                continue
            code = enterprise.credit_code
            if code in codes:
                self.problems.append(where.problem("credit_code", (
                    f"the credit code '{code}' is given to two enterprises; the one on line {codes[code]} was kept")))
                continue
            codes[code] = where.line
            self.batch.enterprises.append(enterprise)
            self.read_products(raw, code, where)
            self.read_results(raw, code, where)
            self.read_certificates(raw, code, where)
        return self.batch

    def read_levels(self, levels: list, line) -> None:
        parsed = []
        for i, raw in enumerate(levels):
            where = self.where(levels, i, f"register.levels[{i}]", line)
            code = text(raw.get("code")) if isinstance(raw, dict) else ""
            names = {k: text(raw.get(k)) for k in ("zh", "en") if isinstance(raw, dict) and text(raw.get(k))}
            if not code or not names:
                self.problems.append(where.problem("code", "every level needs a code and a name (zh or en)"))
                return  # a half list would change which results read as which level
            parsed.append((code, names))
        if parsed:
            self.batch.levels = parsed

    def read_products(self, raw: dict, code: str, parent: Where) -> None:
        seen: dict[str, int | None] = {}
        products = self.items(raw, "products", parent.path)
        for j, item in enumerate(products):
            where = self.where(products, j, f"{parent.path}.products[{j}]", parent.line)
            product, problems = build_product(item if isinstance(item, dict) else {}, code, where)
            self.problems.extend(problems)
            if product is None:
                continue
            if product.natural in seen:
                self.problems.append(where.problem("model", (
                    f"the product '{product.model or product.natural}' is listed twice; the one on line "
                    f"{seen[product.natural]} was kept")))
                continue
            seen[product.natural] = where.line
            self.batch.products.append(product)

    def read_results(self, raw: dict, code: str, parent: Where) -> None:
        seen: dict[tuple, int | None] = {}
        results = self.items(raw, "results", parent.path)
        for j, item in enumerate(results):
            where = self.where(results, j, f"{parent.path}.results[{j}]", parent.line)
            if not isinstance(item, dict):
                self.problems.append(where.problem("", "expected a mapping (product, scheme, date ...)"))
                continue
            result, problems = build_result(item, code, where)
            self.problems.extend(problems)
            if result is None:
                continue
            key = result_key(code, result)
            if key in seen:
                self.problems.append(where.problem("date", (
                    f"a second result for the same enterprise, product, scheme and date ({result.date}); "
                    f"the one on line {seen[key]} was kept")))
                continue
            seen[key] = where.line
            self.read_reports(item, result, where)
            self.read_comparisons(item, result, where)
            self.batch.results.append(result)

    def read_reports(self, raw: dict, result, parent: Where) -> None:
        reports = self.items(raw, "test_reports", parent.path)
        for k, item in enumerate(reports):
            where = self.where(reports, k, f"{parent.path}.test_reports[{k}]", parent.line)
            report, problems = build_report(item if isinstance(item, dict) else {}, where)
            self.problems.extend(problems)
            if report is None:
                continue
            if any(fold(r.number) == fold(report.number) for r in result.reports):
                self.problems.append(where.problem("number", f"the test report '{report.number}' is listed twice"))
                continue
            result.reports.append(report)
        evaluations = self.items(raw, "evaluations", parent.path)
        for k, item in enumerate(evaluations):
            where = self.where(evaluations, k, f"{parent.path}.evaluations[{k}]", parent.line)
            evaluation, problems = build_evaluation(item if isinstance(item, dict) else {}, where)
            self.problems.extend(problems)
            if evaluation is not None:
                result.evaluations.append(evaluation)

    def read_comparisons(self, raw: dict, result, parent: Where) -> None:
        numbers = {fold(r.number) for r in result.reports}
        indicators = self.items(raw, "indicators", parent.path)
        for k, item in enumerate(indicators):
            where = self.where(indicators, k, f"{parent.path}.indicators[{k}]", parent.line)
            if not isinstance(item, dict):
                self.problems.append(where.problem("", "expected a mapping (indicator, value, unit ...)"))
                continue
            cells = []
            values = self.items(item, "standards", where.path)
            for m, cell_raw in enumerate(values):
                # A bad value is dropped with its problem; the comparison keeps the others.
                cell, problems = build_cell(cell_raw if isinstance(cell_raw, dict) else {},
                                            where.at(_line_of(values, m, where.line)), f"standards[{m}]")
                self.problems.extend(problems)
                if cell is not None:
                    cells.append(cell)
            comparison, problems = build_comparison(item, cells, where)
            self.problems.extend(problems)
            if comparison is None:
                continue
            if comparison.report and fold(comparison.report) not in numbers:
                self.problems.append(where.problem("report", f"no test report '{comparison.report}' is listed for this result"))
                continue
            result.comparisons.append(comparison)

    def read_certificates(self, raw: dict, code: str, parent: Where) -> None:
        certificates = self.items(raw, "certificates", parent.path)
        for j, item in enumerate(certificates):
            where = self.where(certificates, j, f"{parent.path}.certificates[{j}]", parent.line)
            if not isinstance(item, dict):
                self.problems.append(where.problem("", "expected a mapping (number, type, issued ...)"))
                continue
            events, bad = [], False
            listed = self.items(item, "events", where.path)
            for m, event_raw in enumerate(listed):
                event, problems = build_event(event_raw if isinstance(event_raw, dict) else {},
                                              Where(self.name, _line_of(listed, m, where.line), f"{where.path}.events[{m}]"))
                self.problems.extend(problems)
                bad = bad or event is None
                if event is not None:
                    events.append(event)
            if bad:
                continue
            certificate, problems = build_certificate(item, code, events, where)
            self.problems.extend(problems)
            if certificate is None:
                continue
            if any(c.id == certificate.id for c in self.batch.certificates):
                self.problems.append(where.problem("number", (
                    f"the {certificate.cert_type} certificate '{certificate.number}' is listed twice")))
                continue
            self.batch.certificates.append(certificate)
