"""Chinese industry-standard prefixes with their industries (metanorma/gb-agencies, as CSV).

``prefix,industry_zh,admin_zh,industry_en,admin_en`` rows ("JB,机械,国家发改委,Mechanical
Engineering,State Economic and Trade Commission") become classification nodes of the scheme
``industry``: code = prefix, titles = the industry in Chinese and English, notes = the
administering body as the file names it (before 2018). The catalogue's own level and industry
rules (catalogue.levels) use a corrected copy of these facts in catalogue/data/sector-prefixes.tsv.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import BinaryIO, Iterator

from catalogue.records import ClassNode, Problem, Reading
from ingest.files import read_path

SCHEME = "industry"
COLUMNS = ("prefix", "industry_zh", "admin_zh", "industry_en", "admin_en")
MAX_BYTES = 1024 * 1024


def sniff(head: bytes) -> bool:
    """True when the first row is 'prefix,industry_zh,...'."""
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].strip().replace(b'"', b"")
    cells = first.decode("utf-8", errors="replace").split(",")
    return cells[:2] == ["prefix", "industry_zh"]


def read(path) -> Iterator[Reading]:
    yield from read_path(Path(path), read_sector_prefixes)


def read_sector_prefixes(fp: BinaryIO, name: str) -> Iterator[Reading]:
    """One ClassNode per prefix row; a row without a prefix or an industry is a Problem."""
    raw = fp.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        yield Reading(problem=Problem(name, None, None, f"the file is over {MAX_BYTES // 1024} kB; "
                                      "a table of industry prefixes is a few kB."))
        return
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield Reading(problem=Problem(name, None, None, f"not UTF-8 text (byte {exc.start} cannot be decoded)."))
        return
    rows = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(rows, [])]
    if header[:2] != ["prefix", "industry_zh"]:
        yield Reading(problem=Problem(name, 1, None, f"the first row must name the columns {', '.join(COLUMNS)}."))
        return
    where = {column: header.index(column) for column in COLUMNS if column in header}
    for lineno, cells in enumerate(rows, 2):
        if not any(c.strip() for c in cells):
            continue

        def cell(column: str) -> str:
            index = where.get(column)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        prefix = cell("prefix").upper()
        if not prefix.isalpha():
            yield Reading(problem=Problem(name, lineno, "prefix", f"'{cell('prefix')}' is not an industry prefix (letters)."))
            continue
        titles = {lang: cell(f"industry_{lang}") for lang in ("zh", "en") if cell(f"industry_{lang}")}
        if not titles:
            yield Reading(problem=Problem(name, lineno, "industry_zh", f"the prefix {prefix} names no industry."))
            continue
        notes = {lang: cell(f"admin_{lang}") for lang in ("zh", "en") if cell(f"admin_{lang}")}
        yield Reading(item=ClassNode(SCHEME, prefix, "", titles, notes), line=lineno)
