"""Opening a reader's file by path: one place says what a path that cannot be read becomes.

    >>> list(read_path("missing.yaml", read_relaton_yaml))
    [Reading(problem=Problem('missing.yaml', None, None, 'cannot open the file (No such file or directory).'))]

Only regular files are ever opened. A named pipe (FIFO), a device or a socket is refused from
``os.lstat``/``os.stat`` alone (opening a FIFO waits forever for a writer; opening a device can
have effects of its own); so are links that loop or point nowhere. Inside a folder, links to files
are followed; links to folders are not (a link to ``/`` would read the whole disk, a link to
``..`` would loop): each is one problem, and the folder's other files are read. File names that
are not UTF-8 (bytes Python keeps as surrogates) are shown with ``\\xNN`` escapes
(:func:`shown_name`), in reports and in the provenance of the records they give.
"""
from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from catalogue.records import Problem, Reading

_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def shown_name(name: str) -> str:
    """A path as text that can be printed and stored: bytes that are not UTF-8 become ``\\xNN``.

    ``shown_name(os.fsdecode(b"\\xff.csv"))`` is ``'\\\\xff.csv'``; a UTF-8 name is unchanged.
    """
    if name.isascii():
        return name
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def name_is_utf8(name: str) -> bool:
    """False for a file name holding bytes that are not UTF-8 (kept by Python as lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def refusal(path, *, in_folder: bool = False) -> str | None:
    """Why ``path`` will not be read, from its metadata only (it is never opened), or None for a
    regular file or a folder (reached through a link or not; inside a folder, a link to a folder
    is refused).

    >>> refusal("/dev/null")
    'this is a character device, not a regular file; it was not opened.'
    """
    try:
        st = os.lstat(path)
    except OSError as exc:
        return f"cannot open the file ({exc.strerror})."
    if stat.S_ISLNK(st.st_mode):
        try:
            st = os.stat(path)
        except OSError as exc:
            target = _link_target(path)
            if exc.errno == errno.ELOOP:
                return f"the link (to {target}) loops back on itself; it was not followed."
            if exc.errno == errno.ENOENT:
                return f"the link points at {target}, which does not exist."
            return f"the link (to {target}) cannot be followed ({exc.strerror})."
        if stat.S_ISDIR(st.st_mode) and in_folder:
            return (f"this is a link to the folder {_link_target(path)}; links to folders inside a folder are "
                    "not followed: give that folder itself.")
    if stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode):
        return None
    kind = next((what for test, what in _KINDS if test(st.st_mode)), "a special file")
    return f"this is {kind}, not a regular file; it was not opened."


def _link_target(path) -> str:
    try:
        return shown_name(os.readlink(path))
    except OSError:
        return "?"


def walk_folder(folder) -> Iterator[tuple[Path, str | None]]:
    """(path, None) for every regular file under ``folder`` and (path, reason) for every entry that
    is refused (see :func:`refusal`), in sorted path order; hidden files and folders are left out.

    Folders are entered only as themselves, never through a link, so a walk cannot loop.
    """
    found: list[tuple[Path, str | None]] = []
    pending = [Path(folder)]
    while pending:
        current = pending.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as exc:
            found.append((current, f"the folder cannot be listed ({exc.strerror})."))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(path)
                    continue
                if entry.is_file(follow_symlinks=False):
                    found.append((path, None))
                    continue
            except OSError:
                pass
            found.append((path, refusal(path, in_folder=True)))
    return iter(sorted(found))


def folder_problem(folder, path: Path, reason: str) -> Problem:
    """A refused entry of a folder, named like a member: 'data/iso!sub/loop.yaml'."""
    member = Path(path).relative_to(folder).as_posix()
    return Problem(f"{folder}!{member}", None, None, reason)


def read_path(path, reader: Callable[[BinaryIO, str], Iterator[Reading]]) -> Iterator[Reading]:
    """Open ``path`` as bytes and hand it to ``reader(fp, name)``, the name being the path as
    given (docs/ingest.md); a file that cannot (or must not) be opened is one Problem naming it."""
    path = Path(path)
    why = refusal(path)
    if why is not None and not path.is_dir():
        yield Reading(problem=Problem(str(path), None, None, why))
        return
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


def html_soup(markup):
    """BeautifulSoup with lxml's HTML parser, without the warnings bs4 gives on odd input (a page
    that looks like XML, text that looks like a file name): a reader says itself what is wrong."""
    import warnings

    from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(markup, "lxml")
