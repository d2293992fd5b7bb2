"""Opening a reader's file by path: one place says what a file that cannot be opened becomes.

    >>> list(read_path("missing.yaml", read_relaton_yaml))
    [Reading(problem=Problem('missing.yaml', None, None, 'cannot open the file (No such file or directory).'))]
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from catalogue.records import Problem, Reading


def read_path(path, reader: Callable[[BinaryIO, str], Iterator[Reading]]) -> Iterator[Reading]:
    """Open ``path`` as bytes and hand it to ``reader(fp, name)``, the name being the path as
    given (docs/ingest.md); a file that cannot be opened is one Problem naming it."""
    path = Path(path)
    try:
        fp = open(path, "rb")
    except OSError as exc:
        yield Reading(problem=Problem(str(path), None, None, f"cannot open the file ({exc.strerror})."))
        return
    with fp:
        yield from reader(fp, str(path))


_PROLOGUE = re.compile(rb"\A(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?!\s+html)[^>]*>)*", re.DOTALL | re.IGNORECASE)
_HTML_START = re.compile(rb"<(?:!DOCTYPE\s+html|html|head|title|body|meta|link|script|style|div|table|p|a)\b", re.IGNORECASE)


def looks_like_html(head: bytes) -> bool:
    """True when a file's first element is HTML: '<!DOCTYPE html>', '<html>', '<title>', '<link ...>'.

    An XML record whose elements happen to be called title or link (Relaton XML) is not HTML: its
    first element is <bibdata>.
    """
    text = head.removeprefix(b"\xef\xbb\xbf")
    start = _PROLOGUE.match(text).end()
    return bool(_HTML_START.match(text, start))
