"""The dated report of a list check, as XLSX (openpyxl) or as a PDF a client can file (fpdf2).

Both say at the top what was checked (the file and its designation column), when, and against
which catalogue (its name, how many records, when it last changed), then one row a designation
(or a line without one), in the interface language (``lang``: 'zh' or 'en', through cli.po).
The XLSX keeps the list's other columns after the check's own. The PDF needs a CJK font: Debian's
fonts-wqy-microhei (``make test`` installs it) or any .ttf/.ttc named by ``CATALOGUE_PDF_FONT``;
without one it refuses with a sentence that says what to install.
"""
from __future__ import annotations

import io
import os
from pathlib import Path

from .errors import CatalogueError
from .i18n import gettext
from .reflist import NOT_DESIGNATION, ListCheck, ListRow, best_title

FONT_ENV = "CATALOGUE_PDF_FONT"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
#: Latin, Greek and symbols the CJK font may lack (fonts-dejavu-core), used when present.
FALLBACK_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#: The PDF lists at most this many rows (a filed report; the XLSX holds every row).
MAX_PDF_ROWS = 2000
VERDICT_MSGIDS = {
    "current": "Current", "superseded": "Superseded", "withdrawn": "Withdrawn", "upcoming": "Not yet in force",
    "unknown": "Not in the catalogue", "ambiguous": "Ambiguous", NOT_DESIGNATION: "Not a designation",
}
# Spreadsheet programs run a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ReportError(CatalogueError):
    """The report cannot be written (no CJK font for the PDF, an unknown report kind)."""


def report_kind(name: str) -> str:
    """'xlsx' or 'pdf' from a file name ('核查.PDF' -> 'pdf'); anything else is refused."""
    lower = name.lower()
    for kind in ("xlsx", "pdf"):
        if lower.endswith("." + kind):
            return kind
    raise ReportError(f"A report is written as .xlsx or .pdf, not '{name}'.")


def find_cjk_font() -> Path:
    """The font the PDF is set in: $CATALOGUE_PDF_FONT, else the first Debian CJK font found."""
    named = os.environ.get(FONT_ENV)
    if named:
        if not Path(named).is_file():
            raise ReportError(f"The font {named} named by {FONT_ENV} does not exist.")
        return Path(named)
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    raise ReportError("The PDF report needs a Chinese font: install Debian's fonts-wqy-microhei "
                      f"(apt-get install fonts-wqy-microhei), or name a .ttf or .ttc font in {FONT_ENV}.")


def _t(msgid: str, lang: str, **values) -> str:
    return gettext(msgid, lang, **values)


def verdict_text(verdict: str, lang: str) -> str:
    return _t(VERDICT_MSGIDS.get(verdict, verdict), lang)


def header_lines(check: ListCheck, lang: str) -> list[str]:
    """What was checked, when, against which catalogue: the lines above both reports' tables."""
    cat = check.catalogue
    against = _t("Checked against: {label}, {records} records, last changed {updated}", lang,
                 label=cat.get("label") or "-", records=f"{cat.get('records', 0):,}", updated=cat.get("updated") or "-")
    how = {"heading": _t("found by its heading", lang), "content": _t("found by its content", lang),
           "paragraphs": _t("paragraphs and tables", lang), "text": _t("the references of a text", lang)}.get(check.detected_by, check.detected_by)
    lines = [
        _t("List checked: {name}", lang, name=check.name),
        _t("Checked on: {date}", lang, date=check.checked_on),
        against,
        _t("Designation column: {column} ({how})", lang, column=check.column or "-", how=how),
        "; ".join(f"{verdict_text(v, lang)} {n}" for v, n in check.counts.items() if n),
    ]
    if check.truncated:
        lines.append(_t("The list is longer than the checker reads: only its first lines were checked.", lang))
    return lines


def _titled(item: dict | None, lang: str) -> str:
    if not item:
        return ""
    title = best_title(item.get("titles") or {}, lang)
    return f"{item['designation']} {title}".strip()


def row_cells(row: ListRow, lang: str) -> dict[str, str]:
    """One report row as text cells, by column name."""
    status = _t(row.status, lang) if row.status else ""
    return {
        "line": str(row.line), "as_given": row.as_given, "designation": row.designation,
        "title": best_title(row.titles, lang), "status": status, "verdict": verdict_text(row.verdict, lang),
        "in_force": row.in_force["designation"] if row.in_force else "",
        "in_force_title": best_title(row.in_force["titles"], lang) if row.in_force else "",
        "replaced_by": "; ".join(_titled(r, lang) for r in row.replaced_by),
        "adoption": "; ".join(f"{a['degree'] or ''} {a['target']}".strip() for a in row.adoptions),
        "published": row.dates.get("published") or "", "in_force_date": row.dates.get("in_force") or "",
        "withdrawn": row.dates.get("withdrawn") or "",
        "candidates": ", ".join(row.candidates),
    }


COLUMNS = (
    ("line", "Line"), ("as_given", "As given"), ("designation", "Designation recognised"), ("title", "Title"),
    ("status", "Status"), ("verdict", "Verdict"), ("in_force", "Edition in force"),
    ("in_force_title", "Title of the edition in force"), ("replaced_by", "Replaced by"),
    ("adoption", "Adoption"), ("published", "Published"), ("in_force_date", "In force from"),
    ("withdrawn", "Withdrawn on"), ("checked_on", "Checked on"),
)


def defuse(text: str) -> str:
    """Prefix a cell a spreadsheet would run as a formula ('=HYPERLINK(...)') with a quote."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_xlsx(check: ListCheck, lang: str) -> bytes:
    """The report as an XLSX workbook: the header lines, then one row a designation, other columns kept."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = _t("Validity check", lang)[:31]
    sheet.append([_t("Validity check of a list of standards", lang)])
    sheet["A1"].font = Font(bold=True, size=14)
    for line in header_lines(check, lang):
        sheet.append([defuse(line)])
    sheet.append([])
    others = check.other_headings
    heading_row = [_t(label, lang) for _, label in COLUMNS] + [defuse(h) for h in others]
    sheet.append(heading_row)
    header_at = sheet.max_row
    for cell in sheet[header_at]:
        cell.font = Font(bold=True)
    for row in check.rows:
        cells = row_cells(row, lang)
        cells["checked_on"] = check.checked_on
        values = [cells[name] for name, _ in COLUMNS] + [row.columns.get(h, "") for h in others]
        values[0] = row.line  # a number, so the sheet sorts by it
        sheet.append([v if isinstance(v, int) else defuse(v) for v in values])
    sheet.freeze_panes = sheet.cell(row=header_at + 1, column=1)
    sheet.auto_filter.ref = f"A{header_at}:{sheet.cell(row=sheet.max_row, column=len(heading_row)).coordinate}"
    widths = {"line": 6, "as_given": 28, "designation": 20, "title": 36, "status": 10, "verdict": 14,
              "in_force": 20, "in_force_title": 36, "replaced_by": 40, "adoption": 22}
    for index, (name, _) in enumerate(COLUMNS, 1):
        sheet.column_dimensions[sheet.cell(row=header_at, column=index).column_letter].width = widths.get(name, 13)
    for row_cells_ in sheet.iter_rows(min_row=header_at + 1):
        for cell in row_cells_:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    book.properties.title = _t("Validity check of a list of standards", lang)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


PDF_COLUMNS = (
    ("line", "Line", 9), ("as_given", "As given", 36), ("designation", "Designation recognised", 31),
    ("status", "Status", 15), ("verdict", "Verdict", 21), ("in_force", "Edition in force", 52),
    ("replaced_by", "Replaced by", 52), ("adoption", "Adoption", 25), ("dates", "Dates", 36),
)


def write_pdf(check: ListCheck, lang: str) -> bytes:
    """The report as an A4 landscape PDF with the header lines and a table, page numbers below."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    font = find_cjk_font()
    footer_text = _t("Validity check of a list of standards", lang) + " · " + check.name + " · " + check.checked_on

    class Report(FPDF):
        def footer(self):
            self.set_y(-10)
            self.set_font("cjk", size=7)
            self.cell(0, 5, f"{footer_text} · {self.page_no()}/{{nb}}", align="C")

    pdf = Report(orientation="L", unit="mm", format="A4")
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(True, margin=14)
    try:
        pdf.add_font("cjk", fname=str(font), collection_font_number=0)
        if Path(FALLBACK_FONT).is_file():
            pdf.add_font("fallback", fname=FALLBACK_FONT)
            pdf.set_fallback_fonts(["fallback"])
    except Exception as exc:  # fontTools raises many kinds on a file that is not a font
        raise ReportError(f"The font {font} cannot be used for the PDF report ({exc}).") from None
    pdf.set_title(_t("Validity check of a list of standards", lang))
    pdf.set_creator("standards-catalogue")
    pdf.add_page()
    pdf.set_font("cjk", size=15)
    pdf.cell(0, 9, _t("Validity check of a list of standards", lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    for line in header_lines(check, lang):
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    rows = check.rows[:MAX_PDF_ROWS]
    if len(check.rows) > len(rows):
        pdf.multi_cell(0, 5, _t("The PDF lists the first {n} rows; the XLSX report holds all {total}.", lang,
                                n=len(rows), total=len(check.rows)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("cjk", size=7.5)
    heading_style = FontFace(emphasis=None, fill_color=(225, 230, 236))
    with pdf.table(col_widths=[w for _, _, w in PDF_COLUMNS], headings_style=heading_style, line_height=4,
                   text_align="LEFT", first_row_as_headings=True, repeat_headings=1) as table:
        head = table.row()
        for _, label, _w in PDF_COLUMNS:
            head.cell(_t(label, lang))
        for row in rows:
            cells = row_cells(row, lang)
            cells["in_force"] = _titled(row.in_force, lang)
            dates = [(_t("Published", lang), cells["published"]), (_t("In force from", lang), cells["in_force_date"]),
                     (_t("Withdrawn on", lang), cells["withdrawn"])]
            cells["dates"] = "\n".join(f"{label} {value}" for label, value in dates if value)
            if row.candidates:
                cells["in_force"] = _t("Which one: {candidates}", lang, candidates=cells["candidates"])
            line = table.row()
            for name, _label, _w in PDF_COLUMNS:
                line.cell(cells[name][:600])
    return bytes(pdf.output())
