"""Benchmarking scheme documents (对标方案): .docx, .md, .txt, .html, read for their references.

The scheme's id is the file name without extension, its title the first heading, and its
cited standards every designation found in the text. HTML is read only when named with
``--format scheme-doc`` or when the file name says it is a scheme ("scheme", "对标"), since
catalogue pages are HTML too.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from catalogue.designation import find_designations
from catalogue.records import Problem, Reading
from catalogue.systems import Scheme

from .documents import MAX_BYTES, DocumentError, extract_text, first_heading

FORMAT = "scheme-doc"
DESCRIPTION = "benchmarking scheme documents (.docx, .md, .txt; .html by name) read for their references"
#: Bounds itself: documents over documents.MAX_BYTES are refused unread.
SELF_LIMITED = True


def sniff(head: bytes, name: str) -> bool:
    low = name.lower()
    if low.endswith(".docx"):
        return head.startswith(b"PK")
    if low.endswith((".md", ".txt")):
        return b"\x00" not in head
    if low.endswith((".html", ".htm")):
        return "scheme" in low or "对标" in name
    return False


def read(path) -> Iterator[Reading]:
    path = Path(path)
    data = path.read_bytes() if path.stat().st_size <= MAX_BYTES else b"x" * (MAX_BYTES + 1)
    yield from read_scheme_doc(data, str(path))


def read_scheme_doc(data: bytes, name: str) -> Iterator[Reading]:
    """Read a scheme document's bytes into a Scheme citing every designation found."""
    try:
        text = extract_text(name, data)
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
