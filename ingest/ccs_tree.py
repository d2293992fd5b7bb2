"""Read the Chinese Standard Classification (中国标准文献分类法, CCS) tree from its three CSV files.

The files (metanorma/cnccs) each start with a UTF-8 BOM and a bilingual header row:

- ``cat-level1.csv``: ``代码 / Code,名称 / Name`` -- 24 categories ``A`` .. ``Z`` (no I, O).
- ``cat-level2.csv``: ``代码 / Code,名称 / Name,类 / Category,注释 /Notes`` -- 225 groups
  named by a range of two-digit codes (``J10/19``) under a category.
- ``cat-level3.csv``: ``代码 / Code,名称 / Name,代码 / Code,备注 / Notes`` -- 1,608 classes
  (``J16``) whose parent is a level-2 range; the header repeats the name "代码 / Code", so
  columns are taken by position, never by name.

Notes are prose that often point elsewhere ("缩微设备入N47"): kept as written in ``notes["zh"]``.
The tree is Chinese only: the ``en`` title is the class name of :mod:`catalogue.classnames`, with
``title_sources={"en": "catalogue:classnames"}``.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import BinaryIO, Iterator

from catalogue.classnames import SOURCE, complete_titles
from catalogue.records import ClassNode, Problem, Reading


HEADERS = {
    ("代码 / Code", "名称 / Name"): 1,
    ("代码 / Code", "名称 / Name", "类 / Category"): 2,
    ("代码 / Code", "名称 / Name", "代码 / Code"): 3,
}
LEVEL1_RE = re.compile(r"^[A-HJ-NP-Z]$")  # the 24 categories skip I and O
LEVEL2_RE = re.compile(r"^([A-Z])(\d{2})/(\d{2})$")
LEVEL3_RE = re.compile(r"^([A-Z])(\d{2})$")

#: Two level-3 rows of cnccs @ 12d5a9b0 carry codes that are not CCS codes: "FF2" (异步电机,
#: under K20/29) is K22, and "D47" (非金属矿综合, under D50/59, outside its range) is D50.
#: Both real codes are otherwise missing from the file, and each fits its parent's range.
CODE_ERRATA = {("FF2", "K20/29"): "K22", ("D47", "D50/59"): "D50"}


def decode_csv(raw: bytes) -> str:
    """UTF-8 with or without a BOM; GB18030 when the bytes are not UTF-8 (a re-saved copy)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")


def detect_level(first_line: str) -> int | None:
    """1, 2 or 3 from the header row '代码 / Code,名称 / Name,类 / Category,注释 /Notes'; else None."""
    cells = tuple(c.strip() for c in next(csv.reader([first_line]), []))
    for prefix, level in sorted(HEADERS.items(), key=lambda kv: -len(kv[0])):
        if cells[: len(prefix)] == prefix:
            return level
    return None


def sniff(head: bytes) -> bool:
    """True if the first row is one of the three cnccs header rows."""
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError:
        text = first.decode("gb18030", errors="replace")
    return detect_level(text.strip()) is not None


def read(path) -> Iterator[Reading]:
    """Read one level file, or a folder: its level files in order 1, 2, 3 (each Reading names its file)."""
    path = Path(path)
    if path.is_dir():
        members = []
        for member in sorted(path.glob("*.csv")):
            with open(member, "rb") as fp:
                level = detect_level(decode_csv(fp.read()).split("\n", 1)[0])
            if level:
                members.append((level, member))
        for _, member in sorted(members):
            with open(member, "rb") as fp:
                # Problems name the folder as given plus '!member', like archive members.
                for reading in read_ccs_tree(fp, f"{path}!{member.name}"):
                    if reading.ok:
                        reading.source = member.name
                    yield reading
        return
    with open(path, "rb") as fp:
        yield from read_ccs_tree(fp, str(path))


def read_ccs_tree(fp: BinaryIO, name: str) -> Iterator[Reading]:
    """One cnccs CSV file -> a ClassNode per row (or a Problem for a row that does not fit)."""
    text = decode_csv(fp.read())
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows, None)
    level = detect_level(",".join(header)) if header else None
    if level is None:
        yield Reading(problem=Problem(name, 1, None,
                                      "The first row is not a CCS header ('代码 / Code,名称 / Name,...')."))
        return
    start = rows.line_num + 1
    for row in rows:
        line, start = start, rows.line_num + 1  # a quoted cell may span lines: report where the row starts
        if not any(cell.strip() for cell in row):
            continue
        yield read_row(level, [cell.strip() for cell in row], name, line)


def read_row(level: int, row: list[str], name: str, line: int) -> Reading:
    """One data row of a level file: ['J16', '阀门', 'J10/19', '...'] -> ClassNode('ccs', 'J16', 'J10/19')."""
    code = row[0]
    title = row[1] if len(row) > 1 else ""
    parent = row[2] if level > 1 and len(row) > 2 else ""
    note = row[3] if level > 1 and len(row) > 3 else ""
    if not title:
        return Reading(problem=Problem(name, line, "titles", f"CCS code '{code}' has no name."))
    if level == 1:
        if not LEVEL1_RE.match(code):
            return Reading(problem=Problem(name, line, "code",
                                          f"'{code}' is not a CCS category (one capital letter other than I or O)."))
    elif level == 2:
        m = LEVEL2_RE.match(code)
        if not m:
            return Reading(problem=Problem(name, line, "code", f"'{code}' is not a CCS range such as 'J10/19'."))
        if parent != m.group(1):
            return Reading(problem=Problem(name, line, "parent",
                                          f"Range {code} should sit under category {m.group(1)}, not '{parent}'."))
    else:
        code = CODE_ERRATA.get((code, parent), code)
        m = LEVEL3_RE.match(code)
        if not m:
            return Reading(problem=Problem(name, line, "code", f"'{code}' is not a CCS code such as 'J16'."))
        p = LEVEL2_RE.match(parent)
        if not p or p.group(1) != m.group(1) or not int(p.group(2)) <= int(m.group(2)) <= int(p.group(3)):
            return Reading(problem=Problem(name, line, "parent",
                                          f"CCS code {code} does not fall within its parent range '{parent}'."))
    titles = complete_titles("ccs", code, {"zh": title})
    node = ClassNode(scheme="ccs", code=code, parent=parent, titles=titles,
                     title_sources={lang: SOURCE for lang in titles if lang != "zh"})
    if note:
        node.notes["zh"] = note
    return Reading(item=node, line=line)
