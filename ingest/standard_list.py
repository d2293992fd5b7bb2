"""Lists of standards a client brings for a validity check (标准有效性确认): XLSX, CSV or DOCX.

A list has a column of designations under any Chinese or English heading (标准号, 标准编号,
标准代号, 编号, Designation, Standard No., Reference ...); other columns are kept as they are.
When no heading names the column, the column whose cells hold the most designations is taken
(``detected_by`` says which way it was found). A DOCX gives its paragraphs and its tables' rows
in document order: a table is read like a sheet; a paragraph is one line.

Nothing here looks anything up: the lines go to :func:`catalogue.reflist.check_list`. Bounded:
files over ``MAX_BYTES`` are refused before they are opened (the caller checks the size before
reading), zip members are checked before unpacking, and at most ``MAX_LINES`` lines are read
(``truncated`` says when a list had more).

    >>> found = read_standard_list("清单.csv", "序号,标准号,数量\\r\\n1,GB/T 13927-2008,2\\r\\n".encode())
    >>> found.column, [(l.line, l.text, l.columns) for l in found.lines]
    ('标准号', [(2, 'GB/T 13927-2008', {'序号': '1', '数量': '2'})])
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from typing import Any, Iterable

from catalogue.designation import find_designations

from .documents import MAX_BYTES, MAX_UNZIPPED
from .sheet import _cell_text, _column_label, check_zip_sizes, decode_sheet_bytes
from .workbook import worksheet_rows

KINDS = (".xlsx", ".xlsm", ".csv", ".tsv", ".docx")
MAX_LINES = 5000
HEADER_SEARCH_ROWS = 10
#: Headings (normalised: NFKC, case-folded, brackets and stars dropped) of a designation column.
HEADINGS = {
    "标准号", "标准编号", "标准代号", "编号", "标准", "标准号码", "标准文号", "执行标准", "引用标准", "依据标准",
    "采用标准", "参考标准", "检测标准", "检验标准", "标准名称及编号", "标准编号及名称",
    "designation", "designations", "standard", "standards", "standard no.", "standard no", "standard number",
    "standard code", "standard id", "reference", "references", "ref", "ref.", "document number",
}
#: Words that name a designation column inside a longer heading ('标准号（含年代号）').
HEADING_WORDS = ("标准号", "标准编号", "标准代号", "designation", "standard no", "standard number")
_BRACKETS = re.compile(r"\s*[(（\[【][^)）\]】]*[)）\]】]\s*")


class ListError(ValueError):
    """The list cannot be read; the message says why in one sentence."""


@dataclass
class ListLine:
    """One line of the list: its row (or paragraph) number, the designation cell as given, the other cells."""

    line: int
    text: str
    columns: dict[str, str] = field(default_factory=dict)


@dataclass
class StandardList:
    """What was read: the file, its kind, the designation column and how it was found, the lines."""

    name: str
    kind: str
    column: str
    detected_by: str  # heading | content | paragraphs
    headings: list[str]
    lines: list[ListLine]
    truncated: bool = False


def is_list_name(name: str) -> bool:
    """Whether a file name is a list the checker reads as one ('清单.xlsx', 'list.csv', 'a.docx')."""
    return name.lower().endswith(KINDS)


def read_standard_list(name: str, data: bytes) -> StandardList:
    """Read the list in ``data`` (its kind from the first bytes, then the name)."""
    if len(data) > MAX_BYTES:
        raise ListError(f"{name} is larger than {MAX_BYTES // 1048576} MB")
    lower = name.lower()
    if data.startswith(b"PK\x03\x04"):
        if lower.endswith(".docx"):
            return _read_docx(name, data)
        return _read_xlsx(name, data)
    if lower.endswith((".xlsx", ".xlsm", ".docx")):
        raise ListError(f"{name} is named like an Office file but is not one (it is not a zip archive)")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ListError(f"{name} is an old binary Office file (.xls or .doc); save it as .xlsx, .docx or CSV")
    return _read_csv(name, data)


# ----------------------------------------------------------------- sheets
def heading_names_designations(text: str) -> bool:
    """'标准号', ' Standard No. ', '标准编号（含年号）', '标准号 / Designation' -> True; '标准名称' -> False."""
    norm = " ".join(unicodedata.normalize("NFKC", text or "").casefold().split()).strip("*:： ")
    if not norm:
        return False
    bare = _BRACKETS.sub("", norm).strip()
    if norm in HEADINGS or bare in HEADINGS:
        return True
    if any(part.strip() in HEADINGS for part in re.split(r"[/|]", bare)):
        return True
    return any(word in bare for word in HEADING_WORDS)


def _holds_designation(text: str) -> bool:
    return bool(text) and bool(find_designations(text[:500], limit=1))


def lines_from_rows(rows: Iterable[tuple[int, list[str]]]) -> tuple[str, str, list[str], list[ListLine], bool]:
    """(column heading, detected_by, headings, lines, truncated) from (row number, cell texts) rows."""
    rows = [(n, cells) for n, cells in rows if any(c for c in cells)]
    header_at, column = None, None
    for position, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        hits = [i for i, c in enumerate(cells) if heading_names_designations(c)]
        if hits:
            header_at, column = position, hits[0]
            break
    detected_by = "heading"
    if column is None:
        detected_by = "content"
        width = max((len(cells) for _, cells in rows), default=0)
        scores = [0] * width
        for _, cells in rows[:MAX_LINES]:
            for i, cell in enumerate(cells):
                if cell and _holds_designation(cell):
                    scores[i] += 1
        best = max(range(width), key=lambda i: (scores[i], -i)) if width else None
        if best is None or scores[best] == 0:
            raise ListError("no column holds standard designations: name it 标准号 or Designation, "
                            "or put one designation a row")
        column = best
        first = rows[0][1]
        # A first row whose cell in that column is no designation is the heading row.
        if column < len(first) and first[column] and not _holds_designation(first[column]):
            header_at = 0
    if header_at is not None:
        header = rows[header_at][1]
        body = rows[header_at + 1:]
    else:
        header, body = [], rows
    width = max([len(header)] + [len(cells) for _, cells in body])
    headings = [(header[i] if i < len(header) and header[i] else "") or _column_label(i) for i in range(width)]
    lines = []
    for number, cells in body[:MAX_LINES]:
        text = cells[column] if column < len(cells) else ""
        others = {headings[i]: cell for i, cell in enumerate(cells) if i != column and cell}
        lines.append(ListLine(number, text, others))
    return headings[column], detected_by, headings, lines, len(body) > MAX_LINES


def _read_csv(name: str, data: bytes) -> StandardList:
    text, problem = decode_sheet_bytes(data)
    if problem:
        raise ListError(f"{name}: {problem.rstrip('.')}")
    sample = text[:20_000].splitlines()[:20]
    # The delimiter that splits the first lines into the most cells, the same number each time.
    delimiter = max((",", "\t", ";"), key=lambda d: (min((line.count(d) for line in sample if line), default=0),
                                                    sum(line.count(d) for line in sample)))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for cells in reader:
            rows.append((reader.line_num, [_clean(c) for c in cells]))
            if len(rows) > MAX_LINES + HEADER_SEARCH_ROWS:
                break
    except csv.Error as exc:
        raise ListError(f"{name} is not readable CSV near line {reader.line_num} ({exc})") from None
    return _as_list(name, "csv", rows)


def _read_xlsx(name: str, data: bytes) -> StandardList:
    problem = check_zip_sizes(io.BytesIO(data))
    if problem:
        raise ListError(f"{name}: {problem.rstrip('.')}")
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken workbook
        raise ListError(f"{name} cannot be opened as an XLSX workbook ({exc})") from None
    try:
        if not book.worksheets:
            raise ListError(f"{name} has no worksheet")
        sheet = book.worksheets[0]
        rows = [(number, [_clean(_cell_text(v)) for v in values])
                for number, values in worksheet_rows(sheet, MAX_LINES + HEADER_SEARCH_ROWS + 1)]
    except ListError:
        raise
    except Exception as exc:  # a worksheet whose XML breaks part-way
        raise ListError(f"{name}: the worksheet cannot be read ({exc})") from None
    finally:
        book.close()
    return _as_list(name, "xlsx", rows)


def _as_list(name: str, kind: str, rows: list[tuple[int, list[str]]]) -> StandardList:
    if not any(any(cells) for _, cells in rows):
        raise ListError(f"{name} is empty")
    column, detected_by, headings, lines, truncated = lines_from_rows(rows)
    return StandardList(name, kind, column, detected_by, headings, lines, truncated)


# ----------------------------------------------------------------- Word documents
def _read_docx(name: str, data: bytes) -> StandardList:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(i.file_size for i in zf.infolist())
            if total > MAX_UNZIPPED:
                raise ListError(f"{name} unpacks to {total // 1048576} MB, over the {MAX_UNZIPPED // 1048576} MB limit")
            if "word/document.xml" not in zf.namelist():
                raise ListError(f"{name} is a zip file but not a Word document (no word/document.xml)")
    except zipfile.BadZipFile as exc:
        raise ListError(f"{name} is not a valid .docx file: {exc}") from None
    import docx  # python-docx parses with lxml and never resolves external relationships
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        blocks = list(document.iter_inner_content())
    except Exception as exc:  # python-docx raises many kinds on a broken package
        raise ListError(f"{name} cannot be read as a Word document: {exc}") from None
    lines: list[ListLine] = []
    column, detected_by, headings = "", "paragraphs", []
    number = 0
    truncated = False
    for block in blocks:
        if isinstance(block, Table):
            rows = []
            for row in block.rows:
                number += 1
                rows.append((number, [_clean(cell.text) for cell in row.cells]))
            try:
                table_column, table_by, table_headings, table_lines, cut = lines_from_rows(rows)
            except ListError:  # a table of other things (indicators, contacts): its rows as paragraphs
                table_lines = [ListLine(n, " ".join(c for c in cells if c)) for n, cells in rows if any(cells)]
                table_column, table_by, table_headings, cut = "", "", [], False
            if table_column and not column:
                column, detected_by, headings = table_column, table_by, table_headings
            lines.extend(table_lines)
            truncated |= cut
        else:
            text = _clean(block.text)
            if text:
                number += 1
                lines.append(ListLine(number, text))
        if len(lines) > MAX_LINES:
            truncated = True
            lines = lines[:MAX_LINES]
            break
    if not lines:
        raise ListError(f"{name} holds no text")
    return StandardList(name, "docx", column, detected_by, headings, lines, truncated)


def _clean(value: Any) -> str:
    text = "" if value is None else str(value)
    return " ".join(text.replace("\u3000", " ").replace("\xa0", " ").split())
