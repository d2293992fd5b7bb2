"""Shared parsing for ISO Open Data files: text decoding, JSON (lines), CSV with line numbers, HTML.

Not a reader itself (not in ingest.registry): the readers are ``iso_deliverables`` (iso-deliverables),
``ics_tree`` (iso-ics) and ``iso_committees`` (iso-committees). ISO publishes each dataset as
JSON lines, CSV and sometimes XML; the quirks they share live here:

- CSV files come with a UTF-8 BOM (ICS.csv) or in Windows-1252 (iso_technical_committees.csv
  has "énergie" and "°C" as single bytes 0xE9/0xB0): UTF-8 is tried first, then cp1252.
- One real ICS.csv has an unescaped quote (``(dits "gaz")`` in row 21.040.30). Python's csv
  module reads that silently into a garbled row unless ``strict``; we read record by record, so
  the bad row becomes a Problem naming its line and the rows after it still come out.
- Scope texts are HTML, some exported from Word (``mso-`` styles, ``<!--[if !supportLists]-->``).
"""
from __future__ import annotations

import csv
import json
import re
import warnings
from typing import Iterator

from bs4 import BeautifulSoup, Comment, MarkupResemblesLocatorWarning


#: A quoted CSV field spanning more lines than this is taken for an unbalanced quote.
MAX_RECORD_LINES = 200

_BLOCKS = ("p", "div", "br", "li", "ul", "ol", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table")
_SPACES = re.compile(r"[ \t\xa0\u2002\u2003\u2009]+")


def decode_text(raw: bytes) -> str:
    """Bytes to text: UTF-8 (BOM or not), else Windows-1252 as ISO's CSV exports use.

    Example: b'\\xef\\xbb\\xbfidentifier,parent' -> 'identifier,parent'.
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def iter_json_objects(text: str, prefer_whole: bool) -> Iterator[tuple[int, object, str | None]]:
    """(line, value, error) for each JSON value: one per line, or one for a whole pretty-printed file.

    ``prefer_whole`` (a .json name) tries the whole text first; a top-level array gives one
    value per element. ``error`` is a sentence when a line is not JSON, and value is None then.
    """
    if prefer_whole:
        try:
            whole = json.loads(text)
        except json.JSONDecodeError as exc:
            whole_error = exc
        else:
            for item in whole if isinstance(whole, list) else [whole]:
                yield 1, item, None
            return
        # A .json file may still be JSON lines; if even its first line fails, report the whole-file error.
        first = next((ln for ln in text.splitlines() if ln.strip()), "")
        try:
            json.loads(first)
        except json.JSONDecodeError:
            yield whole_error.lineno, None, f"not valid JSON: {whole_error.msg} (line {whole_error.lineno}, column {whole_error.colno})."
            return
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield lineno, json.loads(line), None
        except json.JSONDecodeError as exc:
            yield lineno, None, f"not valid JSON: {exc.msg} at column {exc.colno}."


def iter_csv_records(text: str) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """(start line, fields, error) for each CSV record, a quoted field may span lines.

    A record whose quotes do not balance, or that strict csv rejects, gives an error sentence
    and reading goes on with the next line. Example: '"01",,"Generalities"' -> (1, ['01', '', 'Generalities'], None).
    """
    lines = text.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        start = i
        buffer = lines[i]
        i += 1
        while buffer.count('"') % 2 and i < len(lines) and i - start < MAX_RECORD_LINES:
            buffer += lines[i]
            i += 1
        if not buffer.strip():
            continue
        if buffer.count('"') % 2:
            yield start + 1, None, "malformed CSV row: a quote is opened and never closed."
            i = start + 1
            continue
        try:
            fields = next(csv.reader([buffer.rstrip("\r\n")], strict=True))
        except csv.Error as exc:
            reason = str(exc)
            if "expected after" in reason:
                reason = f"malformed CSV row: a quote inside a quoted field is not doubled ({reason})."
            else:
                reason = f"malformed CSV row ({reason})."
            yield start + 1, None, reason
            continue
        yield start + 1, fields, None


def html_to_text(fragment: str) -> str:
    """HTML (Word-exported or hand-written) to plain text, one line per paragraph or list item.

    Example: '<p>Standardization of valves.</p><p>Excluded :</p><ul><li>solenoids.</li></ul>'
    -> 'Standardization of valves.\\nExcluded :\\n- solenoids.'
    """
    if not fragment:
        return ""
    if "<" not in fragment and "&" not in fragment:
        return _tidy_lines(fragment)
    # Newlines in HTML source are spaces; only the block tags below break lines.
    fragment = re.sub(r"\s*\n\s*", " ", fragment)
    with warnings.catch_warnings():
        # A short scope such as "Standardization of ships/boats" looks like a path to bs4.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(fragment, "lxml")
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n- " if tag.name == "li" else "\n")
        tag.insert_after("\n")
    return _tidy_lines(soup.get_text())


def _tidy_lines(text: str) -> str:
    lines = (_SPACES.sub(" ", ln).strip() for ln in text.splitlines())
    return "\n".join(ln for ln in lines if ln and ln != "-")
