"""Write docs/templates/catalogue-template.{csv,xlsx}: the heading row plus three example rows.

Run from the repository root: ``.venv/bin/python scripts/make_sheet_template.py``. The headings come
from ``ingest.sheet.COLUMNS`` (the first, Chinese heading of each field), so the template always
matches what the reader accepts. The example rows carry real facts, checked against the recorded
openstd/std.samr pages and the ISO catalogue in ../shared/data; the shelf marks are invented.
"""
from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.sheet import COLUMNS  # noqa: E402  (needs the repository on the path first)

OUT = ROOT / "docs" / "templates"
TITLE_13849_EN = "Safety of machinery — Safety-related parts of control systems — Part 1: General principles for design"
TITLE_13849_FR = ("Sécurité des machines — Parties des systèmes de commande relatives à la sécurité — "
                  "Partie 1: Principes généraux de conception")

#: One dict a row, by record field; missing fields stay empty.
EXAMPLES = [
    {"designation": "GB/T 20223-2018", "title_zh": "棉短绒", "title_en": "Cotton linter", "status": "现行",
     "published": "2018-03-15", "in_force": "2018-05-01", "replaces": "GB/T 20223-2006", "ics": "59.060.10",
     "ccs": "W10", "committee": "全国纤维标准化技术委员会", "keywords": "棉短绒、棉花",
     "shelf_mark": "A-01-03", "holding_format": "纸本", "access": "馆内阅览"},
    {"designation": "GB/T 20223-2006", "title_zh": "棉短绒", "title_en": "Cotton linter", "status": "废止",
     "published": "2006-03-10", "in_force": "2006-09-01", "withdrawn": "2018-05-01",
     "replaced_by": "GB/T 20223-2018", "ics": "59.060.10", "ccs": "B32", "committee": "中国纤维检验局",
     "shelf_mark": "A-01-02", "holding_format": "纸本", "access": "馆内阅览", "note": "旧版留存"},
    {"designation": "EN ISO 13849-1:2008", "title_en": TITLE_13849_EN, "title_fr": TITLE_13849_FR,
     "status": "被代替", "published": "2008-06", "replaces": "EN ISO 13849-1:2006",
     "adoption": "IDT ISO 13849-1:2006", "ics": "13.110", "keywords": "safety of machinery; control systems",
     "holding_format": "PDF", "access": "开放"},
]


def template_rows() -> list[list[str]]:
    """The heading row and the example rows as lists of text, in COLUMNS order."""
    fields = [f for f in COLUMNS if f != "ignored"]
    return [[COLUMNS[f][0] for f in fields]] + [[row.get(f, "") for f in fields] for row in EXAMPLES]


def write_csv(path: Path) -> None:
    """UTF-8 with a byte-order mark: Excel on Windows reads Chinese CSV correctly only with it."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(template_rows())
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))


def write_xlsx(path: Path) -> None:
    """One sheet named 标准 with a bold frozen heading row and text-formatted cells (keeps 53.060)."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "标准"
    for row in template_rows():
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in sheet.columns:
        for cell in column:
            cell.number_format = "@"
        sheet.column_dimensions[column[0].column_letter].width = 18
    sheet.freeze_panes = "A2"
    book.save(path)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    write_csv(OUT / "catalogue-template.csv")
    write_xlsx(OUT / "catalogue-template.xlsx")
    print(f"wrote {OUT / 'catalogue-template.csv'} and {OUT / 'catalogue-template.xlsx'}")


if __name__ == "__main__":
    main()
