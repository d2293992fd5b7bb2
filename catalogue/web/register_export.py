"""Results of the register as CSV and XLSX, headings and words in the interface language.

People open these in a spreadsheet to read (as the system exports), so headings and codes are in
words (``?lang=zh`` gives 结果日期 / 企业 / 水平 ...); the JSON twin of ``/benchmarking/results/``
is the machine-readable form. Cells that a spreadsheet would run as formulas are defused.
"""
from __future__ import annotations

import csv
import io

from flask import Response

from .cite import defuse_cell
from .filters import best_title
from .i18n import lazy_gettext as _l

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

RESULT_COLUMNS = (
    ("id", _l("Result")), ("date", _l("Result date")), ("enterprise", _l("Enterprise")),
    ("credit_code", _l("Unified social credit code")), ("district", _l("County or district")),
    ("cluster", _l("Industry cluster")), ("product", _l("Product")), ("model", _l("Model")),
    ("scheme", _l("Benchmarking scheme")), ("own_standard", _l("Enterprise standard")),
    ("standards", _l("Compared standards (as of the result)")), ("level", _l("Benchmarking level")), ("reached", _l("Benchmark reached")),
    ("status", _l("Status")), ("review", _l("Needs review because")), ("published_on", _l("Published on")),
    ("platform", _l("Platform")), ("link", _l("Link")), ("page", _l("Page in the catalogue")),
)
INDICATOR_COLUMNS = (
    ("id", _l("Result")), ("indicator", _l("Indicator")), ("value", _l("Our value")), ("unit", _l("Unit")),
    ("kind", _l("Declared or measured")), ("report", _l("Test report")), ("direction", _l("Which way is better")),
    ("outcome", _l("Outcome")), ("standard", _l("Compared standard")), ("standard_value", _l("Standard's value")),
    ("clause", _l("Clause")),
)


def result_rows(results: list[dict], base: str) -> list[list[str]]:
    """The heading row and one row per result (decorated by catalogue.web.register)."""
    rows = [[str(title) for _name, title in RESULT_COLUMNS]]
    for r in results:
        values = {
            "id": r["id"], "date": r["date"], "enterprise": best_title(r["enterprise"]["names"]),
            "credit_code": r["enterprise"]["credit_code"], "district": r["enterprise"]["district"],
            "cluster": r["enterprise"]["cluster"], "product": best_title(r["product"]["names"]),
            "model": r["product"]["model"], "scheme": best_title(r["scheme"]["titles"]) or r["scheme"]["id"],
            "own_standard": r["own_standard"] or "", "standards": "; ".join(s["designation"] for s in r["standards"]),
            "level": r["level_label"], "reached": r["reached_label"], "status": r["status_label"],
            "review": " ".join(r["review_text"]), "published_on": r["published"]["date"] or "",
            "platform": r["published"]["platform"] or "", "link": r["published"]["link"] or "",
            "page": base + r["url"],
        }
        rows.append([defuse_cell(values[name]) for name, _title in RESULT_COLUMNS])
    return rows


def indicator_rows(details: list[dict]) -> list[list[str]]:
    """The heading row and one row per compared standard of each indicator comparison."""
    from .register import DIRECTION_LABELS, OUTCOME_LABELS, VALUE_KIND_LABELS, label

    rows = [[str(title) for _name, title in INDICATOR_COLUMNS]]
    for d in details:
        for ind in d["indicators"]:
            common = {"id": d["id"], "indicator": best_title(ind["names"]), "value": ind["value"], "unit": ind["unit"],
                      "kind": label(VALUE_KIND_LABELS, ind["value_kind"]), "report": ind["report"] or "",
                      "direction": label(DIRECTION_LABELS, ind["direction"]), "outcome": label(OUTCOME_LABELS, ind["outcome"])}
            for cell in ind["standards"] or [{}]:
                values = {**common, "standard": cell.get("designation", ""), "standard_value": cell.get("value", ""),
                          "clause": cell.get("clause", "")}
                rows.append([defuse_cell(values[name]) for name, _title in INDICATOR_COLUMNS])
    return rows


def export_csv(results: list[dict], base: str) -> Response:
    """The results as CSV, UTF-8 with a BOM so that Excel on Chinese Windows does not read it as GBK."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(result_rows(results, base))
    response = Response("\ufeff" + buffer.getvalue(), mimetype="text/csv")
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="benchmarking-results.csv"'
    return response


def export_xlsx(results: list[dict], details: list[dict], base: str) -> Response:
    """The results as an XLSX workbook: a sheet of results and one of their indicator comparisons."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    for index, (title, rows) in enumerate(((_l("Results"), result_rows(results, base)),
                                           (_l("Indicators"), indicator_rows(details)))):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = str(title)[:31]
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = 18
    buffer = io.BytesIO()
    book.save(buffer)
    response = Response(buffer.getvalue(), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = 'attachment; filename="benchmarking-results.xlsx"'
    return response
