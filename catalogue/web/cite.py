"""Cite and export one record: RIS, BibTeX and CSV (the JSON is the page's twin)."""
from __future__ import annotations

import csv
import io
import re

from catalogue.present import EXPORT_COLUMNS, record_row
from catalogue.records import Standard

_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
# Spreadsheet programs run a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def ris_text(rec: Standard, url: str) -> str:
    """The record as RIS (type STAND), one tag a line, for reference managers:

    'TY  - STAND' ... 'ER  - '. Line breaks inside values are folded to spaces.
    """
    lines = [("TY", "STAND"), ("ID", rec.key)]
    title = rec.titles.get("en") or next(iter(rec.titles.values()), "")
    if title:
        lines.append(("TI", title))
    for lang, text in sorted(rec.titles.items()):
        if text != title:
            lines.append(("TT", text))
    lines.append(("CN", rec.designation))
    if rec.publisher:
        lines.append(("PB", rec.publisher))
    if rec.year:
        lines.append(("PY", rec.year))
    if rec.published:
        lines.append(("DA", rec.published.replace("-", "/")))
    if rec.edition:
        lines.append(("ET", rec.edition))
    if rec.committee:
        lines.append(("A2", rec.committee))
    lines.extend(("KW", code) for code in rec.ics)
    if rec.status:
        lines.append(("N1", f"Status: {rec.status}"))
    lines.append(("UR", url))
    body = "".join(f"{tag}  - {_one_line(value)}\r\n" for tag, value in lines)
    return body + "ER  - \r\n"


def bibtex_text(rec: Standard, url: str) -> str:
    """The record as a BibTeX ``@misc`` entry (BibTeX has no standard type; biblatex users map it)."""
    fields = [
        ("title", rec.titles.get("en") or next(iter(rec.titles.values()), rec.designation)),
        ("number", rec.designation),
        ("organization", rec.publisher),
        ("year", rec.year),
        ("edition", rec.edition),
        ("note", f"Status: {rec.status}" if rec.status else ""),
        ("url", url),
    ]
    if rec.titles.get("zh") and rec.titles.get("zh") != fields[0][1]:
        fields.insert(1, ("titleaddon", rec.titles["zh"]))
    body = ",\n".join(f"  {name} = {{{_bibtex_escape(value, name)}}}" for name, value in fields if value)
    return f"@misc{{{bibtex_key(rec.key)},\n{body}\n}}\n"


def bibtex_key(key: str) -> str:
    """A citation key BibTeX accepts: 'gb-t-14048.2-2020' -> 'gb-t-14048.2-2020' (no commas, braces, spaces)."""
    return re.sub(r"[^A-Za-z0-9.:\-]", "-", key) or "standard"


def csv_text(rec: Standard) -> str:
    """The record as CSV: a header of EXPORT_COLUMNS and one row, formula-looking cells defused."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(EXPORT_COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    row = record_row(rec)
    writer.writerow({name: defuse_cell(row.get(name, "")) for name in EXPORT_COLUMNS})
    return out.getvalue()


def defuse_cell(value) -> str:
    """Prefix a cell that a spreadsheet would run as a formula ('=HYPERLINK(...)') with a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _one_line(value: str) -> str:
    return " ".join(str(value).split())


def _bibtex_escape(value: str, name: str) -> str:
    text = _one_line(value)
    if name == "url":  # url fields are read verbatim by the url package; only braces would break them
        return text.replace("{", "%7B").replace("}", "%7D")
    return "".join(_BIBTEX_SPECIAL.get(char, char) for char in text)
