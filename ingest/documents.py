"""Plain text out of the documents people paste or upload: .docx, .html, .md, .txt.

Used by the reference checker and the scheme-document reader. Bounded: files over
``MAX_BYTES`` are refused, a .docx is checked for zip bombs before it is opened, and nothing a
document links to (templates, images, external relationships) is ever fetched.
"""
from __future__ import annotations

import io
import os
import stat
import zipfile

MAX_BYTES = 10 * 1024 * 1024
MAX_UNZIPPED = 50 * 1024 * 1024
KINDS = (".docx", ".html", ".htm", ".md", ".txt")


class DocumentError(ValueError):
    """The document cannot be read; the message says why in one sentence."""


def read_limited(path, limit: int = MAX_BYTES) -> bytes:
    """A file's bytes, refused by its size before anything is read, and never more than ``limit``.

    Special files (FIFOs, devices, sockets) are refused from their ``stat``, unopened: a FIFO
    would block the read forever.
    """
    name = str(path)
    try:
        info = os.stat(path)
    except OSError as exc:
        raise DocumentError(f"{name}: cannot read the file ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise DocumentError(f"{name} is not a regular file")
    if info.st_size > limit:
        raise DocumentError(f"{name} is larger than {limit // 1048576} MB")
    try:
        with open(path, "rb") as fp:
            data = fp.read(limit + 1)
    except OSError as exc:
        raise DocumentError(f"{name}: cannot read the file ({exc.strerror})") from None
    if len(data) > limit:  # it grew after the stat
        raise DocumentError(f"{name} is larger than {limit // 1048576} MB")
    return data


def decode_text(data: bytes, name: str = "") -> str:
    """UTF-8 (with or without BOM), else GB18030 (Chinese Windows), else refuse."""
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise DocumentError(f"{name or 'the text'} is neither UTF-8 nor GB18030 text")


def kind_of(name: str) -> str:
    low = name.lower()
    for ext in KINDS:
        if low.endswith(ext):
            return ".html" if ext == ".htm" else ext
    raise DocumentError(f"'{name}' is not a document we read; use one of: {', '.join(KINDS)}")


def extract_text(name: str, data: bytes, kind: str | None = None) -> str:
    """The document's text, paragraphs and table cells on their own lines.

    ``kind`` ('.docx', '.html', '.md', '.txt') when the caller decided it from the content;
    otherwise the name's extension says.
    """
    if len(data) > MAX_BYTES:
        raise DocumentError(f"{name} is larger than {MAX_BYTES // 1048576} MB")
    kind = kind or kind_of(name)
    if kind == ".docx":
        return _docx_text(name, data)
    if kind == ".html":
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(decode_text(data, name), "lxml")
        for tag in soup(["script", "style"]):
            tag.decompose()
        return soup.get_text("\n")
    return decode_text(data, name)


def _docx_text(name: str, data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(i.file_size for i in zf.infolist())
            if total > MAX_UNZIPPED:
                raise DocumentError(f"{name} unpacks to {total // 1048576} MB, over the {MAX_UNZIPPED // 1048576} MB limit")
            if "word/document.xml" not in zf.namelist():
                raise DocumentError(f"{name} is a zip file but not a Word document (no word/document.xml)")
    except zipfile.BadZipFile as exc:
        raise DocumentError(f"{name} is not a valid .docx file: {exc}") from exc
    import docx  # python-docx parses with lxml and never resolves external relationships

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on a broken package
        raise DocumentError(f"{name} cannot be read as a Word document: {exc}") from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def first_heading(name: str, data: bytes, text: str) -> str:
    """A title for a document: its first heading or first non-empty line."""
    for line in text.splitlines():
        s = line.strip().lstrip("#").strip()
        if s:
            return s[:200]
    return name
