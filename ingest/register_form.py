"""A benchmarking result from the web's form: the same rules as a register file, field by field.

The workspace's form (``catalogue/web/workspace.py``) posts flat fields: the result's own
(``product``, ``scheme``, ``date``, ``compared``, ``level`` ...), test reports
(``report-0-number``, ``report-0-laboratory`` ...), third-party evaluations (``evaluation-0-body``
...) and one group per indicator of the scheme, numbered by its position (``ind-0-value``,
``ind-0-unit``, ``ind-0-report``, ``ind-0-direction`` ... and per compared standard
``ind-0-cell-1-standard``, ``-value``, ``-unit``, ``-clause``). :func:`check_result_form` reads
them with the builders the YAML and spreadsheet readers use (``ingest.register_rows``: a value
without unit or source is refused, dates are checked ...) and then asks the catalogue what it
refutes (``RegisterBatch.check_in``: unknown scheme, level or indicator, an undated standard it
cannot date, an outcome the values contradict). Every problem names the form control it belongs
to (``ind-0-unit``), so the page shows it beside that field. Not a reader (no FORMAT):
``ingest.detect`` passes it by.

:func:`form_from_result` is the inverse: a stored result (``Store.read_result(public=False)``)
as the fields that show it, so an unchanged form saves an unchanged result.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

from catalogue.designation import try_parse
from catalogue.records import Problem
from catalogue.register import Result, fold
from catalogue.register_batch import RegisterBatch
from catalogue.store import Store

from .register_rows import (
    Where,
    build_cell,
    build_comparison,
    build_evaluation,
    build_report,
    build_result,
    text,
)

FILE = "form"
#: The result's own fields, as the form names them (and as build_result reads them).
RESULT_FIELDS = ("product", "scheme", "date", "compared", "own_standard", "level", "reached", "published_on",
                 "platform", "link", "status")
REPORT_FIELDS = ("number", "laboratory", "accreditation", "date")
EVALUATION_FIELDS = ("body", "method", "conclusion", "date")
COMPARISON_FIELDS = ("value", "unit", "value_kind", "report", "clause", "direction", "outcome", "note")
CELL_FIELDS = ("standard", "value", "unit", "clause")
#: What a person types into an indicator's group; the unit and the standards' clauses come
#: pre-filled from the scheme, so they alone do not make a comparison.
TYPED = ("value", "value_kind", "report", "clause", "direction", "outcome", "note")
#: How many rows of a kind the form may post (more are ignored: no form shows them).
MAX_ROWS = 50
_ROW = re.compile(r"^(report|evaluation|ind)-(\d{1,3})-")
_CELL = re.compile(r"^ind-(\d{1,3})-cell-(\d{1,3})-standard$")


@dataclass
class FormReading:
    """What a posted form gave: the checked result (None when a problem refused it), the chosen
    product's id, and the problems, each naming its control in ``field`` (``ind-0-unit``)."""

    result: Result | None
    product_id: str = ""
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> dict[str, list[str]]:
        """{control: [reasons]} for the page (a reason in English: the edge translates it)."""
        out: dict[str, list[str]] = {}
        for p in self.problems:
            out.setdefault(control_of(p.field), []).append(p.reason)
        return out


def control_of(name: str | None) -> str:
    """A problem's field as the form control it is about: 'ind-0.cell-1.clause' -> 'ind-0-cell-1-clause'."""
    return (name or "").replace(".", "-")


def _rows(form: Mapping[str, str], kind: str) -> list[int]:
    found = {int(m.group(2)) for key in form if (m := _ROW.match(key)) and m.group(1) == kind}
    return sorted(n for n in found if n < MAX_ROWS)


def _get(form: Mapping[str, str], name: str) -> str:
    return text(form.get(name, ""))


def check_result_form(store: Store, form: Mapping[str, str], *, credit_code: str, enterprise_id: str,
                      scheme: str | None = None) -> FormReading:
    """Read and check the posted fields of one result of the enterprise ``enterprise_id``.

    ``scheme``: the scheme of a stored result (fixed once drafted: its indicators number the
    comparisons); None reads it from the form (a new draft). Nothing is written."""
    problems: list[Problem] = []
    where = Where(FILE, None)
    products = {pid: model or zh or en for pid, model, zh, en in store.list_product_keys(enterprise_id)}
    if not products:
        problems.append(where.problem("product", "the enterprise has no product in the register yet; "
                                                 "a librarian adds its products"))
        return FormReading(None, "", problems)
    product_id = _get(form, "product")
    raw = {name: form.get(name, "") for name in RESULT_FIELDS}
    raw["scheme"] = scheme if scheme is not None else _get(form, "scheme")
    if product_id not in products:
        problems.append(where.problem("product", "choose one of the enterprise's products"))
        # The rest is still checked, as if for the first product, so every problem shows at once.
        raw["product"] = next(iter(products.values()))
    else:
        raw["product"] = products[product_id]
    result, found = build_result(raw, credit_code, where)
    problems.extend(found)
    if result is None:
        return FormReading(None, product_id, problems)
    _read_reports(form, result, problems)
    _read_comparisons(form, result, problems)
    batch = RegisterBatch(FILE, results=[result])
    problems.extend(batch.check_in(store))
    if problems or not batch.results:
        return FormReading(None, product_id, problems)
    return FormReading(batch.results[0], product_id, [])


def _read_reports(form: Mapping[str, str], result: Result, problems: list[Problem]) -> None:
    for n in _rows(form, "report"):
        prefix = f"report-{n}"
        raw = {name: form.get(f"{prefix}-{name}", "") for name in REPORT_FIELDS}
        if not any(text(v) for v in raw.values()):
            continue  # an empty row of the form
        report, found = build_report(raw, Where(FILE, None, prefix))
        problems.extend(found)
        if report is None:
            continue
        if any(fold(r.number) == fold(report.number) for r in result.reports):
            problems.append(Where(FILE, None, prefix).problem("number", f"the test report '{report.number}' is listed twice"))
            continue
        result.reports.append(report)
    for n in _rows(form, "evaluation"):
        prefix = f"evaluation-{n}"
        raw = {name: form.get(f"{prefix}-{name}", "") for name in EVALUATION_FIELDS}
        if not any(text(v) for v in raw.values()):
            continue
        evaluation, found = build_evaluation(raw, Where(FILE, None, prefix))
        problems.extend(found)
        if evaluation is not None:
            result.evaluations.append(evaluation)


def _read_comparisons(form: Mapping[str, str], result: Result, problems: list[Problem]) -> None:
    numbers = {fold(r.number) for r in result.reports}
    cells_of: dict[int, list[int]] = {}
    for key in form:
        m = _CELL.match(key)
        if m and int(m.group(2)) < MAX_ROWS:
            cells_of.setdefault(int(m.group(1)), []).append(int(m.group(2)))
    for n in _rows(form, "ind"):
        prefix = f"ind-{n}"
        where = Where(FILE, None, prefix)
        raw = {name: form.get(f"{prefix}-{name}", "") for name in COMPARISON_FIELDS}
        cells, typed_cells = [], False
        for j in sorted(cells_of.get(n, [])):
            cell_raw = {name: form.get(f"{prefix}-cell-{j}-{name}", "") for name in CELL_FIELDS}
            typed_cells = typed_cells or bool(text(cell_raw["value"]))
            if not (text(cell_raw["value"]) or text(cell_raw["clause"])):
                continue  # no value and no clause: nothing said about that standard
            cell, found = build_cell(cell_raw, where, f"cell-{j}")
            problems.extend(found)
            if cell is not None:
                cells.append(cell)
        if not typed_cells and not any(text(raw[name]) for name in TYPED):
            continue  # an indicator the enterprise did not compare
        comparison, found = build_comparison({"indicator": str(n + 1), **raw}, cells, where)
        problems.extend(found)
        if comparison is None:
            continue
        if comparison.report and fold(comparison.report) not in numbers:
            problems.append(where.problem("report", f"no test report '{comparison.report}' is listed for this result"))
            continue
        result.comparisons.append(comparison)


# ------------------------------------------------------------------ the inverse
def clause_for(scheme_cells: list[dict], designation: str) -> str:
    """The clause a scheme's indicator names for a compared edition's standard (same work), or ''."""
    d = try_parse(designation)
    if d is None:
        return ""
    for cell in scheme_cells:
        other = try_parse(cell.get("designation", ""))
        if other is not None and other.work == d.work and cell.get("clause"):
            return cell["clause"]
    return ""


def form_from_result(detail: dict, indicators: list[dict] | None = None) -> dict[str, str]:
    """The form's fields for a stored result (``Store.read_result(rid, public=False)``).

    ``indicators``: the scheme's (``Store.read_scheme_indicators``: position, names, unit, cells).
    Each gets a group with a cell per compared standard; what the result does not hold is
    pre-filled from the scheme (its unit, and the clause it names for that standard), and those
    pre-filled fields alone are no comparison. An outcome that followed from the values is left
    to follow again (empty), so changing a value never meets a stale outcome."""
    values = {
        "product": detail["product"]["id"], "scheme": detail["scheme"]["id"], "date": detail["date"],
        "compared": "\n".join(s["designation"] for s in detail.get("standards", [])),
        "own_standard": detail.get("own_standard") or "", "level": detail.get("level") or "",
        "reached": detail.get("reached") or "", "published_on": detail["published"]["date"] or "",
        "platform": detail["published"]["platform"] or "", "link": detail["published"]["link"] or "",
        "status": detail.get("declared_status") or "",
    }
    for n, report in enumerate(detail.get("test_reports", [])):
        values.update({f"report-{n}-number": report["number"], f"report-{n}-laboratory": report["laboratory"] or "",
                       f"report-{n}-accreditation": "/".join(report["accreditation"]),
                       f"report-{n}-date": report["date"] or ""})
    for n, evaluation in enumerate(detail.get("evaluations", [])):
        values.update({f"evaluation-{n}-{name}": evaluation[name] or "" for name in ("body", "method", "conclusion")})
        values[f"evaluation-{n}-date"] = evaluation["date"] or ""
    compared = [s["designation"] for s in detail.get("standards", [])]
    held = {ind["indicator"] - 1: ind for ind in detail.get("indicators", [])}
    scheme = {i["position"]: i for i in indicators or []}
    for position in sorted(set(scheme) | set(held)):
        prefix = f"ind-{position}"
        ind = held.get(position)
        if ind is not None:
            values.update({
                f"{prefix}-value": ind["value"], f"{prefix}-unit": ind["unit"], f"{prefix}-value_kind": ind["value_kind"],
                f"{prefix}-report": ind["report"] or "", f"{prefix}-clause": ind["clause"] or "",
                f"{prefix}-direction": ind["direction"], f"{prefix}-outcome": "" if ind["computed"] else ind["outcome"],
                f"{prefix}-note": ind["note"] or ""})
        else:
            values[f"{prefix}-unit"] = scheme[position]["unit"]
        cells = {c["designation"]: c for c in (ind or {}).get("standards", [])}
        scheme_cells = scheme[position]["cells"] if position in scheme else []
        for j, designation in enumerate(compared):
            cell = cells.get(designation)
            values[f"{prefix}-cell-{j}-standard"] = designation
            values[f"{prefix}-cell-{j}-value"] = cell["value"] if cell else ""
            values[f"{prefix}-cell-{j}-unit"] = cell["unit"] if cell else ""
            values[f"{prefix}-cell-{j}-clause"] = cell["clause"] if cell else clause_for(scheme_cells, designation)
    return values
