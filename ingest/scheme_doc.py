"""Benchmarking scheme documents (对标方案): Word, Markdown, plain text or HTML, read for their references.

The scheme's id is the file name without extension, its title the first heading, and its
cited standards every designation found in the text. Detection is by content: a Word document
(a zip with ``word/document.xml``), or text (HTML included) that names at least one standard.
It comes last but one in the registry, so catalogue pages, spreadsheets and records that merely
mention designations are claimed by their own readers first.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from catalogue.designation import find_designations
from catalogue.records import Problem, Reading
from catalogue.systems import Scheme

from .documents import MAX_BYTES, DocumentError, decode_text, extract_text, first_heading
from .files import looks_like_html

#: The detector's head size: the last bytes may cut a character in two.
HEAD_LIMIT = 4096
#: A first line like YAML's 'key: value', '- key: value' or '---'.
_DATA_LINE = re.compile(r"(?:---|%YAML|(?:- )?[A-Za-z_][\w.-]*:(?:\s|$))")


def sniff(head: bytes) -> bool:
    """True for text (not binary, not JSON or XML data) that names at least one standard."""
    if b"\x00" in head or head.startswith(b"PK"):
        return False
    text = _decode_head(head)
    if text is None:
        return False
    stripped = text.lstrip()
    if stripped.startswith(("{", "[", "<?xml")) or _DATA_LINE.match(stripped):
        return False  # JSON, XML or YAML data that names standards is a record file, not a document
    return bool(find_designations(text))


def _decode_head(head: bytes) -> str | None:
    """UTF-8 (forgiving a character cut at the head's edge), else GB18030, else None."""
    try:
        return head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if len(head) >= HEAD_LIMIT and exc.start >= len(head) - 3:
            return head[:exc.start].decode("utf-8-sig", errors="replace")
    try:
        return decode_text(head)
    except DocumentError:
        return None


def sniff_zip(zf) -> bool:
    """True for a Word document: a zip with ``word/document.xml``."""
    return "word/document.xml" in zf.namelist()


def read(path) -> Iterator[Reading]:
    path = Path(path)
    data = path.read_bytes() if path.stat().st_size <= MAX_BYTES else b"x" * (MAX_BYTES + 1)
    yield from read_scheme_doc(data, str(path))


def kind_of_content(data: bytes) -> str:
    """'.docx', '.html' or '.txt', from the bytes: what extract_text should read them as."""
    if data.startswith(b"PK"):
        return ".docx"
    return ".html" if looks_like_html(data[:4096]) else ".txt"


def read_scheme_doc(data: bytes, name: str) -> Iterator[Reading]:
    """Read a scheme document's bytes into a Scheme citing every designation found."""
    try:
        text = extract_text(name, data, kind=kind_of_content(data))
    except DocumentError as exc:
        yield Reading(problem=Problem(name, None, None, str(exc)))
        return
    found = find_designations(text)
    if not found:
        yield Reading(problem=Problem(name, None, None, "no standard designations found in this document"))
        return
    cited: list[str] = []
    for f in found:
        if f.designation.display not in cited:
            cited.append(f.designation.display)
    stem = Path(name).stem
    scheme_id = re.sub(r"[^\w.-]+", "-", stem, flags=re.UNICODE).strip("-").lower() or "scheme"
    title = first_heading(name, data, text)
    lang = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in title) else "en"
    yield Reading(item=Scheme(scheme_id, titles={lang: title}, cited=cited), line=1)
