"""Librarians' spreadsheets: one row a standard, as CSV (any common export) or XLSX.

Column headings may be Chinese or English and are matched after NFKC, trimming and case-folding
(``docs/spreadsheet-template.md`` lists them). Line numbers are spreadsheet row numbers (the
heading row is row 1 when nothing is above it), also for CSV, where a cell holding a line break
makes the row number differ from the text line.

Rules for messy input, each a Problem and never a silent fix:
- an unknown column: one Problem per column per file; the rows still load without it;
- no designation column: one Problem, nothing loads;
- a row with an empty designation, an unknown status word, a date that is not a date, an adoption
  without a degree, no ICS code in its ICS cell, a CCS cell that is not a CCS code, pages that are
  not a number, or a malformed CSV record: a Problem naming the row, the other rows load;
- a file that is neither UTF-8 nor GB18030 (or the ``encoding`` given), or an XLSX whose members
  would unpack past the caps below: one Problem for the file.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import warnings
import zipfile
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

from catalogue.records import Holding, Problem, Reading, Standard


#: Record field -> accepted headings (already normalised: NFKC, case-folded, single spaces).
#: The first two of each are the ones named in messages: the Chinese and the English heading.
COLUMNS: dict[str, tuple[str, ...]] = {
    "designation": ("标准号", "designation", "标准编号", "标准代号", "standard number", "standard no.",
                    "standard no"),
    "title_zh": ("标准名称", "chinese title", "中文名称", "中文标准名称", "中文标题", "title (zh)"),
    "title_en": ("英文名称", "english title", "英文标准名称", "英文标题", "title", "title (en)"),
    "title_fr": ("法文名称", "french title", "法文标准名称", "title (fr)"),
    "status": ("状态", "status", "标准状态"),
    "published": ("发布日期", "published", "发布时间", "publication date", "date of publication"),
    "in_force": ("实施日期", "in force", "实施时间", "in force date", "effective date"),
    "withdrawn": ("废止日期", "withdrawn", "作废日期", "withdrawal date", "date of withdrawal"),
    "replaces": ("代替标准", "replaces", "代替", "替代标准", "全部代替标准", "supersedes"),
    "replaced_by": ("被代替标准", "replaced by", "被代替", "被替代标准", "superseded by"),
    "adoption": ("采标情况", "adoption", "采用国际标准", "采标关系", "采标", "adopts"),
    "ics": ("国际标准分类号", "ics", "ics分类号", "ics code", "ics codes"),
    "ccs": ("中国标准分类号", "ccs", "中国标准文献分类号", "中标分类", "ccs code"),
    "committee": ("归口单位", "committee", "技术委员会", "归口", "technical committee"),
    "pages": ("页数", "pages", "page count"),
    "keywords": ("关键词", "keywords", "关键字", "keyword"),
    "shelf_mark": ("馆藏位置", "shelf mark", "架位", "架号", "索书号", "shelfmark", "location", "call number"),
    "holding_format": ("载体", "format", "形式", "载体形式", "medium"),
    "access": ("访问", "access", "访问方式"),
    "note": ("备注", "note", "notes", "remarks"),
    # A running number is common in museum lists and carries nothing to catalogue.
    "ignored": ("序号", "no.", "no", "#", "s/n", "行号"),
}
_HEADING_FIELD = {h: f for f, hs in COLUMNS.items() for h in hs}
# Our own field names are headings too (what `export --format csv` writes: title_en, in_force ...),
# with a space or an underscore.
for _field in COLUMNS:
    if _field != "ignored":
        _HEADING_FIELD.setdefault(_field, _field)
        _HEADING_FIELD.setdefault(_field.replace("_", " "), _field)

#: Status words (normalised) -> status. 废止/作废 stay withdrawn even when a successor is named.
STATUS_WORDS = {
    **dict.fromkeys(("现行", "有效", "现行有效", "current", "active", "valid", "in force", "published"), "current"),
    **dict.fromkeys(("即将实施", "upcoming", "not yet in force"), "upcoming"),
    **dict.fromkeys(("废止", "作废", "已废止", "已作废", "withdrawn", "cancelled", "canceled", "abolished"),
                    "withdrawn"),
    **dict.fromkeys(("被代替", "已被代替", "被替代", "replaced", "superseded", "revised"), "replaced"),
    **dict.fromkeys(("草案", "征求意见稿", "送审稿", "报批稿", "制定中", "在研", "正在起草", "正在征求意见",
                     "正在审查", "正在批准", "draft", "under development"), "draft"),
}

#: Adoption degree words (GB/T 20000.2): the longest first, so 非等效 is not read as 等效.
_DEGREES = (("非等效采用", "NEQ"), ("修改采用", "MOD"), ("等同采用", "IDT"), ("非等效", "NEQ"), ("修改", "MOD"),
            ("等同", "IDT"), ("idt", "IDT"), ("mod", "MOD"), ("neq", "NEQ"))
_DEGREE_RE = re.compile("|".join(re.escape(w) for w, _ in _DEGREES), re.IGNORECASE)
_DEGREE_OF = {w: d for w, d in _DEGREES}

_HOLDING_FORMATS = {**dict.fromkeys(("纸本", "纸质", "纸", "paper", "print"), "paper"),
                    **dict.fromkeys(("pdf", "电子版", "电子", "电子文档"), "pdf")}
_EMPTY = {"", "-", "--", "—", "/", "无", "n/a", "none"}
_LIST_SEP = re.compile(r"[、，,;；\n]+")
_REPLACE_VERB = re.compile(r"^(?:全部代替|部分代替|代替|替代|replaces)\s*", re.IGNORECASE)
_ICS_CODE = re.compile(r"(?<![\d.])(\d{2})(?:\.(\d{2,3})(?:\.(\d{2}))?)?(?![\d.])")
_CCS_CODE = re.compile(r"^[A-Z]\d{2}$")
_DATE_RE = re.compile(r"^(\d{4})(?:\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})\s*日?)?\s*月?)?"
                      r"(?:[ t]\d{1,2}:\d{2}(?::\d{2})?)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")

#: Caps before opening an XLSX (its members are unpacked while parsing: zip bombs); MAX_UNPACKED
#: also caps a CSV file, which is read whole.
MAX_UNPACKED = 100 * 1024 * 1024
MAX_RATIO = 200
MAX_MEMBERS = 10_000
HEADER_SEARCH_ROWS = 10
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def sniff(head: bytes) -> bool:
    """True for an XLSX (a zip with ``xl/`` members) or CSV text whose heading row names two known columns.

    Example: ``sniff("标准号,标准名称\\r\\n".encode("gb18030"))`` is True.
    """
    if head.startswith(b"PK\x03\x04"):
        return b"xl/" in head
    text = _decode_head(head)
    if text is None:
        return False
    lines = text.splitlines()[:HEADER_SEARCH_ROWS]
    return any(_count_known(line.split(sep)) >= 2 for line in lines for sep in (",", "\t", ";"))


def sniff_zip(zf: zipfile.ZipFile) -> bool:
    """True for a workbook: a zip with ``xl/workbook.xml``."""
    return "xl/workbook.xml" in zf.namelist()


def read(path, encoding: str | None = None) -> Iterator[Reading]:
    """Read a .csv/.tsv/.txt or .xlsx spreadsheet by path; ``encoding`` overrides the CSV guess."""
    path = Path(path)
    with open(path, "rb") as fp:
        yield from read_sheet(fp, str(path), encoding)


def read_sheet(fp: BinaryIO, name: str, encoding: str | None = None) -> Iterator[Reading]:
    """Read an open spreadsheet: XLSX when it starts like a zip, otherwise CSV text."""
    head = fp.read(4)
    fp.seek(0)
    if head == b"PK\x03\x04":
        yield from read_sheet_xlsx(fp, name)
    elif name.lower().endswith((".xlsx", ".xlsm")):
        yield Reading(problem=Problem(name, None, None, "This file is named like an Excel workbook but is not one "
                                      "(an .xlsx file is a zip archive); nothing was read."))
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        yield Reading(problem=Problem(name, None, None, "This is an old binary Excel (.xls) file; "
                                      "save it as .xlsx or CSV and read that."))
    else:
        yield from read_sheet_csv(fp, name, encoding)


def read_sheet_csv(fp: BinaryIO, name: str, encoding: str | None = None) -> Iterator[Reading]:
    """Read CSV bytes such as ``标准号,标准名称\\r\\nGB/T 20223-2018,棉短绒`` (GB18030 or UTF-8)."""
    data = fp.read(MAX_UNPACKED + 1)
    if len(data) > MAX_UNPACKED:
        problem = f"This CSV file is larger than {MAX_UNPACKED // (1024 * 1024)} MB; split it into smaller files."
    else:
        text, problem = decode_sheet_bytes(data, encoding)
    if problem:
        yield Reading(problem=Problem(name, None, None, problem))
        return
    lines = list(io.StringIO(text, newline=""))
    delimiter = guess_delimiter(lines[:HEADER_SEARCH_ROWS])
    yield from read_rows(iter_csv_rows(lines, delimiter), name, strict_width=True)


def read_sheet_xlsx(fp: BinaryIO, name: str) -> Iterator[Reading]:
    """Read the first worksheet (or one named 标准/Standards) of an XLSX workbook."""
    problem = check_zip_sizes(fp)
    if problem:
        yield Reading(problem=Problem(name, None, None, problem))
        return
    import openpyxl  # only XLSX needs it, and it is slow to import

    fp.seek(0)
    try:
        # openpyxl warns about features it drops (data validation, default styles): nothing we read.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(fp, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (KeyError, InvalidFileException, XML errors)
        yield Reading(problem=Problem(name, None, None, f"This XLSX workbook cannot be opened ({exc})."))
        return
    try:
        sheets = book.worksheets
        if not sheets:
            yield Reading(problem=Problem(name, None, None, "This workbook has no worksheet."))
            return
        chosen = next((s for s in sheets if s.title.strip().casefold() in ("标准", "standards")), sheets[0])
        # Read the cells before yielding: a warnings filter must not stay changed while suspended.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows = [(n, list(values), None) for n, values in
                    enumerate(chosen.iter_rows(min_row=1, values_only=True), 1)]
    except Exception as exc:  # a worksheet whose XML breaks part-way
        yield Reading(problem=Problem(name, None, None, f"This worksheet cannot be read ({exc})."))
        return
    finally:
        book.close()
    yield from read_rows(rows, name, strict_width=False)


def check_zip_sizes(fp: BinaryIO) -> str | None:
    """Why an XLSX must not be unpacked (too big, too compressible, not a zip), or None.

    zipfile stops each member at the size the central directory declares, so checking the
    declared sizes bounds what openpyxl can unpack.
    """
    try:
        with zipfile.ZipFile(fp) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return f"This XLSX file is not a readable zip archive ({exc})."
    if len(members) > MAX_MEMBERS:
        return f"This XLSX file holds {len(members)} members (more than {MAX_MEMBERS}); it was not opened."
    total = sum(m.file_size for m in members)
    if total > MAX_UNPACKED:
        return (f"This XLSX file would unpack to {total // (1024 * 1024)} MB (more than "
                f"{MAX_UNPACKED // (1024 * 1024)} MB); it was not opened.")
    for m in members:
        if m.file_size > 1024 * 1024 and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            return (f"The member {m.filename} of this XLSX file is compressed more than {MAX_RATIO} times "
                    f"({m.compress_size} bytes -> {m.file_size}), like a zip bomb; it was not opened.")
    return None


def decode_sheet_bytes(data: bytes, encoding: str | None = None) -> tuple[str, str | None]:
    """Decide the encoding once: the given one, else a BOM, else UTF-8, else GB18030 (Chinese Excel)."""
    if encoding:
        try:
            return data.decode(encoding), None
        except LookupError:
            return "", f"Unknown encoding '{encoding}'."
        except UnicodeDecodeError as exc:
            return "", f"This file is not valid {encoding} (byte {exc.start})."
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec).lstrip("\ufeff"), None
            except UnicodeDecodeError as exc:
                return "", f"This file starts with a {codec} byte-order mark but is not valid {codec} (byte {exc.start})."
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        utf8_at = exc.start
    try:
        return data.decode("gb18030"), None
    except UnicodeDecodeError as exc:
        return "", (f"This file is neither UTF-8 (bad byte at offset {utf8_at}) nor GB18030 (at offset "
                    f"{exc.start}); save it as UTF-8 CSV or name its encoding.")


def guess_delimiter(lines: list[str]) -> str:
    """Comma, tab or semicolon: whichever splits a heading row into the most known headings."""
    best, best_count = ",", 0
    for sep in (",", "\t", ";"):
        count = max((_count_known(line.split(sep)) for line in lines), default=0)
        if count > best_count:
            best, best_count = sep, count
    return best


def iter_csv_rows(lines: list[str], delimiter: str) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """(row number, cells, None) per CSV record, or (row number, None, reason) for a malformed one.

    After a malformed record the reading restarts on the text line after the one it began on, so
    an unbalanced quote costs one row, not the rest of the file.
    """
    pos, row = 0, 0
    while pos < len(lines):
        reader = csv.reader(islice(lines, pos, None), delimiter=delimiter, strict=True)
        start = pos
        try:
            for cells in reader:
                row += 1
                yield row, cells, None
                start = pos + reader.line_num
            return
        except csv.Error as exc:
            row += 1
            yield row, None, (f"Malformed CSV record starting on text line {start + 1} ({exc}); a quote inside "
                              "a quoted cell must be doubled. The row was skipped.")
            pos = start + 1


def read_rows(rows: Iterable[tuple[int, list | None, str | None]], name: str,
              strict_width: bool) -> Iterator[Reading]:
    """Turn (row number, cells, error) rows into Readings: find the heading row, then one record a row."""
    rows = iter(rows)
    header_line, header = None, None
    seen = 0
    for number, cells, error in rows:
        if error:
            yield Reading(problem=Problem(name, number, None, error))
            continue
        if _blank(cells):
            continue
        if _count_known(cells) >= 2 or any(_heading_field(c) == "designation" for c in cells):
            header_line, header = number, cells
            break
        seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            break
    if header is None:
        yield Reading(problem=Problem(name, None, "designation", (
            "No heading row found: the first row must name the columns, for example "
            f"{_known_list()}.")))
        return
    columns: dict[int, str] = {}
    for index, heading in enumerate(header):
        text = _cell_text(heading)
        if not text:
            continue
        field = _heading_field(text)
        if field is None:
            yield Reading(problem=Problem(name, header_line, text, (
                f"Unknown column '{text}' ignored; known columns are {_known_list()}.")))
        elif field in columns.values() and field != "ignored":
            first = next(_cell_text(header[i]) for i, f in columns.items() if f == field)
            yield Reading(problem=Problem(name, header_line, text, (
                f"Column '{text}' repeats column '{first}'; only the first is read.")))
        else:
            columns[index] = field
    if "designation" not in columns.values():
        yield Reading(problem=Problem(name, header_line, "designation", (
            f"No designation column (标准号 / Designation), so nothing was read; "
            f"known columns are {_known_list()}.")))
        return
    width = len(header)
    unheaded: set[int] = set()
    for number, cells, error in rows:
        if error:
            yield Reading(problem=Problem(name, number, None, error))
            continue
        if _blank(cells):
            continue
        extra = [i for i, c in enumerate(cells) if _cell_text(c) and not (i < width and _cell_text(header[i]))]
        if strict_width and any(i >= width for i in extra):
            yield Reading(problem=Problem(name, number, None, (
                f"This row has {len(cells)} cells but the heading row names {width}; a cell holding "
                "the separator must be quoted. The row was skipped.")))
            continue
        for i in extra:
            if i not in unheaded:
                unheaded.add(i)
                yield Reading(problem=Problem(name, number, None, (
                    f"Column {_column_label(i)} (number {i + 1}) has values but no heading; its values are ignored.")))
        values = {f: cells[i] for i, f in columns.items() if i < len(cells)}
        yield from build_record(values, name, number)


def build_record(values: dict[str, Any], name: str, line: int) -> Iterator[Reading]:
    """One row's cells by field -> a Reading of a Standard, or one Problem per bad field."""
    problems: list[Problem] = []
    designation = _one_line(values.get("designation"))
    if not designation:
        problems.append(Problem(name, line, "designation",
                                "The standard number (标准号 / Designation) is empty; every row needs one."))
    record = Standard(designation=designation)
    for field, lang in (("title_zh", "zh"), ("title_en", "en"), ("title_fr", "fr")):
        title = _one_line(values.get(field))
        if title:
            record.titles[lang] = title
    status_text = _cell_text(values.get("status"))
    if status_text:
        status = STATUS_WORDS.get(_normalise(status_text))
        if status is None:
            problems.append(Problem(name, line, "status", (
                f"Unknown status word '{status_text}'; use one of: 现行, 即将实施, 废止, 被代替, 草案 "
                "(or current, upcoming, withdrawn, replaced, draft).")))
        else:
            record.status = status
    for field in ("published", "in_force", "withdrawn"):
        raw = values.get(field)
        if _cell_text(raw):
            date = parse_sheet_date(raw)
            if date is None:
                problems.append(Problem(name, line, field, (
                    f"'{_cell_text(raw)}' is not a date; write 2020-01-31, 2020/1/31, 2020.01.31 or 2020年1月31日.")))
            else:
                setattr(record, field, date)
    for kind in ("replaces", "replaced_by"):
        for target in split_designations(values.get(kind)):
            record.add_relation(kind, target)
    try:
        for target, degree in parse_adoption(_cell_text(values.get("adoption"))):
            record.add_relation("adopts", target, degree)
    except ValueError as exc:
        problems.append(Problem(name, line, "adoption", str(exc)))
    ics_text = _cell_text(values.get("ics"), numeric_ics=True)
    if ics_text:
        codes = parse_ics(ics_text)
        if not codes:
            problems.append(Problem(name, line, "ics", f"'{ics_text}' holds no ICS code such as 23.060.10."))
        record.ics = codes
    ccs_text = _cell_text(values.get("ccs"))
    if ccs_text:
        ccs = re.sub(r"\s+", "", unicodedata.normalize("NFKC", ccs_text)).upper()
        if not _CCS_CODE.match(ccs):
            problems.append(Problem(name, line, "ccs", f"'{ccs_text}' is not a CCS code such as J16."))
        record.ccs = ccs
    record.committee = _one_line(values.get("committee"))
    pages = _cell_text(values.get("pages"))
    if pages:
        digits = unicodedata.normalize("NFKC", pages).removesuffix("页").removesuffix("pages").strip()
        if not digits.isdigit():
            problems.append(Problem(name, line, "pages", f"'{pages}' is not a number of pages."))
        record.pages = digits
    record.keywords = split_list(values.get("keywords"))
    note = _cell_text(values.get("note"))
    holding = Holding(_holding_format(_one_line(values.get("holding_format"))), _one_line(values.get("shelf_mark")),
                      _one_line(values.get("access")), "" if _normalise(note) in _EMPTY else note)
    if any((holding.format, holding.shelf_mark, holding.access, holding.note)):
        record.holdings.append(holding)
    if problems:
        for problem in problems:
            yield Reading(problem=problem)
    else:
        yield Reading(item=record, line=line)


def parse_sheet_date(value: Any) -> str | None:
    """'2020年1月1日', '2020/1/1', '2020.01.01', an Excel date cell ... -> '2020-01-01' (None if not a date).

    A year or year and month alone give 'YYYY' / 'YYYY-MM'.
    """
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 1000 <= value <= 2999:
            return str(int(value))
        # A date cell that lost its number format shows Excel's day serial (1950..2100 accepted).
        if 18264 <= value <= 73051:
            return (dt.date(1899, 12, 30) + dt.timedelta(days=int(value))).isoformat()
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip().casefold()
    m = _COMPACT_DATE.match(text) or _DATE_RE.match(text)
    if not m:
        return None
    year, month, day = m.group(1), m.group(2), m.group(3)
    try:
        if day:
            return dt.date(int(year), int(month), int(day)).isoformat()
        if month:
            return dt.date(int(year), int(month), 1).isoformat()[:7]
    except ValueError:
        return None
    return year


def parse_adoption(text: str) -> list[tuple[str, str]]:
    """'IDT ISO 5208:2008', 'ISO 5208:2008,IDT', '等同采用 ISO 5208:2008' -> [('ISO 5208:2008', 'IDT')].

    Several adoptions may follow each other; each needs its degree. Raises ValueError naming
    what is missing.
    """
    if _normalise(text) in _EMPTY:
        return []
    pieces = [p.strip() for p in re.split(r"[、，,;；\n()（）\[\]]+", text) if p.strip()]
    found: list[tuple[str, str]] = []
    waiting_target: str | None = None
    waiting_degree: str | None = None
    for piece in pieces:
        degrees = [_DEGREE_OF[m.group(0).casefold()] for m in _DEGREE_RE.finditer(piece)
                   if _is_degree_word(piece, m)]
        target = " ".join(_DEGREE_RE.sub(lambda m: " " if _is_degree_word(piece, m) else m.group(0), piece).split())
        target = target.strip(" :：")
        if len(set(degrees)) > 1:
            raise ValueError(f"'{text}' gives two degrees for one standard.")
        degree = degrees[0] if degrees else None
        if target and degree:
            found.append((target, degree))
        elif target:
            if waiting_degree:
                found.append((target, waiting_degree))
                waiting_degree = None
            elif waiting_target:
                raise ValueError(f"'{text}': no degree (IDT, MOD or NEQ) for {waiting_target}.")
            else:
                waiting_target = target
        elif degree:
            if waiting_target:
                found.append((waiting_target, degree))
                waiting_target = None
            else:
                waiting_degree = degree
    if waiting_target:
        raise ValueError(f"Adoption '{text}' gives no degree (IDT/等同, MOD/修改 or NEQ/非等效) for {waiting_target}.")
    if waiting_degree or not found:
        raise ValueError(f"Adoption '{text}' names no adopted standard, e.g. 'IDT ISO 5208:2008'.")
    return found


def parse_ics(text: str) -> list[str]:
    """'23.060.10; 53.06' -> ['23.060.10', '53.060']: the ICS codes in a cell, in order.

    ICS second-level codes are three digits ending in 0, so a two-digit second group lost its
    trailing zero to a number format ('53.06' is 53.060) and gets it back.
    """
    codes = []
    for m in _ICS_CODE.finditer(unicodedata.normalize("NFKC", text)):
        first, second, third = m.groups()
        code = first + (f".{second.ljust(3, '0')}" if second else "") + (f".{third}" if third else "")
        if code not in codes:
            codes.append(code)
    return codes


def split_designations(value: Any) -> list[str]:
    """'GB/T 5606.1-1996、GB 5606.2-1996' (also ，,; or line breaks) -> each designation, verbs dropped."""
    return [t for t in (_REPLACE_VERB.sub("", item).strip() for item in split_list(value)) if t]


def split_list(value: Any) -> list[str]:
    """Split a cell on 、 ， , ; ； and line breaks; empty markers ('无', '-') give nothing."""
    text = _cell_text(value)
    if _normalise(text) in _EMPTY:
        return []
    return [" ".join(p.split()) for p in _LIST_SEP.split(text) if p.strip()]


def _is_degree_word(piece: str, m: re.Match) -> bool:
    # 'mod'/'idt'/'neq' count only as whole words: 'ISO 9001 Model' must keep its letters.
    word = m.group(0)
    if not word.isascii():
        return True
    before = piece[m.start() - 1] if m.start() else " "
    after = piece[m.end()] if m.end() < len(piece) else " "
    return not (before.isalnum() or after.isalnum())


def _holding_format(text: str) -> str:
    return _HOLDING_FORMATS.get(_normalise(text), text)


def _cell_text(value: Any, numeric_ics: bool = False) -> str:
    """A cell as stripped text: 12.0 -> '12', a date cell -> '2020-01-01', None -> ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer() and not numeric_ics:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    # Cells keep line breaks as \n whichever way the file ends its lines.
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\u3000", " ").replace("\xa0", " ").strip()


def _one_line(value: Any) -> str:
    text = _cell_text(value)
    return "" if _normalise(text) in _EMPTY else " ".join(text.split())


def _normalise(text: Any) -> str:
    return " ".join(unicodedata.normalize("NFKC", str(text or "")).casefold().split())


def _heading_field(heading: Any) -> str | None:
    """The field a heading names: '标准号', ' Designation ', 'ICS（国际标准分类号）', '标准号 / Designation'."""
    text = _normalise(_cell_text(heading)).rstrip("*:： ").lstrip("* ")
    if not text:
        return None
    if text in _HEADING_FIELD:
        return _HEADING_FIELD[text]
    bare = re.sub(r"\s*\([^)]*\)\s*$", "", text)
    if bare in _HEADING_FIELD:
        return _HEADING_FIELD[bare]
    if "/" in text:
        fields = {_HEADING_FIELD.get(part.strip()) for part in text.split("/")}
        if len(fields) == 1 and None not in fields:
            return fields.pop()
    return None


def _count_known(cells: Iterable[Any]) -> int:
    return len({f for f in (_heading_field(c) for c in cells) if f and f != "ignored"})


def _known_list() -> str:
    """'标准号/Designation, 标准名称/Chinese title, ...': one Chinese and one English heading a field."""
    return ", ".join(f"{hs[0]}/{hs[1].upper() if len(hs[1]) == 3 else hs[1].capitalize()}"
                     for f, hs in COLUMNS.items() if f != "ignored")


def _blank(cells: list | None) -> bool:
    return not cells or all(not _cell_text(c) for c in cells)


def _column_label(index: int) -> str:
    """0 -> 'A', 27 -> 'AB': the letters Excel shows above a column."""
    label, n = "", index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        label = chr(65 + rest) + label
    return label


def _decode_head(head: bytes) -> str | None:
    """The first bytes as text, forgiving a character cut at the 4096-byte edge."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return head[len(bom):].decode(codec if codec != "utf-8-sig" else "utf-8", errors="ignore")
    for codec in ("utf-8", "gb18030"):
        for cut in range(4):
            try:
                return head[: len(head) - cut].decode(codec)
            except UnicodeDecodeError:
                continue
    return None
