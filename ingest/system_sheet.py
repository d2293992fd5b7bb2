"""Standard systems kept as spreadsheets (CSV or XLSX): one row per member standard.

Columns (Chinese or English headings; layout in docs/systems-and-schemes.md):
体系/system, 体系名称/system name, 节点/node, 上级节点/parent, 节点名称/node name,
英文名称/node name (en), 标准号/designation, 备注/note. Rows of one system may come in any order;
a node is created the first time its code appears. Schemes' indicator tables have their own
reader (``scheme_sheet``) built on the same table loading.
"""
from __future__ import annotations

import io
import unicodedata
import warnings
from pathlib import Path
from typing import BinaryIO, Iterator

from catalogue.designation import try_parse
from catalogue.records import Problem, Reading
from catalogue.systems import StandardSystem, SystemNode

from .sheet import check_zip_sizes, decode_sheet_bytes, iter_csv_rows


HEADINGS = {
    "system": ("体系", "体系编号", "system", "system id"),
    "system_zh": ("体系名称", "system name", "system name (zh)"),
    "system_en": ("体系英文名称", "system name (en)"),
    "node": ("节点", "节点编号", "node", "node code"),
    "parent": ("上级节点", "上级", "parent", "parent node"),
    "node_zh": ("节点名称", "node name", "node name (zh)"),
    "node_en": ("英文名称", "节点英文名称", "node name (en)"),
    "designation": ("标准号", "标准编号", "designation", "standard"),
    "note": ("备注", "note", "notes"),
}


def norm_heading(text) -> str:
    return unicodedata.normalize("NFKC", str(text or "")).strip().casefold()


def heading_map(headings: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {norm_heading(h): field for field, hs in headings.items() for h in hs}


_MAP = heading_map(HEADINGS)


def sniff(head: bytes) -> bool:
    """True for CSV whose heading row names a system, a node and a designation column."""
    if head.startswith(b"PK\x03\x04"):
        return False  # a workbook: sniff_zip looks at its first row
    text, problem = decode_sheet_bytes(head)
    if problem:
        return False
    first = text.splitlines()[0] if text else ""
    return _is_system_heading(first.split(","))


def _is_system_heading(cells) -> bool:
    return {"system", "node", "designation"} <= {_MAP.get(norm_heading(c)) for c in cells}


def sniff_zip(zf) -> bool:
    """True for a workbook whose first sheet's heading row names system, node and designation."""
    if "xl/workbook.xml" not in zf.namelist() or not getattr(zf, "filename", None):
        return False
    with open(zf.filename, "rb") as fp:
        if check_zip_sizes(fp):
            return False
        fp.seek(0)
        import openpyxl

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(fp, read_only=True, data_only=True)
        try:
            first = next(book.worksheets[0].iter_rows(max_row=1, values_only=True), ())
        finally:
            book.close()
    return _is_system_heading(first)


def load_table(fp: BinaryIO, name: str) -> tuple[list[tuple[int, list | None, str | None]], str | None]:
    """Rows of a CSV or the first sheet of an XLSX as (row number, cells, error), or a problem."""
    data = fp.read()
    if data.startswith(b"PK\x03\x04"):
        problem = check_zip_sizes(io.BytesIO(data))
        if problem:
            return [], problem
        import openpyxl

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
                rows = [(n, list(v), None) for n, v in enumerate(book.worksheets[0].iter_rows(values_only=True), 1)]
                book.close()
        except Exception as exc:  # openpyxl raises many kinds on a broken workbook
            return [], f"This XLSX workbook cannot be opened ({exc})."
        return rows, None
    text, problem = decode_sheet_bytes(data)
    if problem:
        return [], problem
    return list(iter_csv_rows(list(io.StringIO(text, newline="")), ",")), None


def read(path) -> Iterator[Reading]:
    path = Path(path)
    with open(path, "rb") as fp:
        yield from read_system_sheet(fp, str(path))


def read_system_sheet(fp: BinaryIO, name: str) -> Iterator[Reading]:
    """Read rows like 'valves,阀门产业标准体系,1.1,1,术语,Terminology,GB/T 21465,'."""
    rows, problem = load_table(fp, name)
    if problem:
        yield Reading(problem=Problem(name, None, None, problem))
        return
    header: dict[int, str] = {}
    systems: dict[str, StandardSystem] = {}
    nodes: dict[tuple[str, str], SystemNode] = {}
    first_line: dict[str, int] = {}
    for number, cells, error in rows:
        if error:
            yield Reading(problem=Problem(name, number, None, error))
            continue
        if not cells or all(c in (None, "") for c in cells):
            continue
        if not header:
            header = {i: _MAP[norm_heading(c)] for i, c in enumerate(cells) if norm_heading(c) in _MAP}
            missing = {"system", "node", "designation"} - set(header.values())
            if missing:
                yield Reading(problem=Problem(name, number, ", ".join(sorted(missing)),
                                              "the heading row lacks these columns; nothing was read"))
                return
            continue
        row = {f: str(cells[i]).strip() if i < len(cells) and cells[i] is not None else "" for i, f in header.items()}
        sid, code = row.get("system", ""), row.get("node", "")
        if not sid or not code:
            yield Reading(problem=Problem(name, number, "system" if not sid else "node", "every row needs a system and a node"))
            continue
        system = systems.setdefault(sid, StandardSystem(sid))
        first_line.setdefault(sid, number)
        for lang in ("zh", "en"):
            if row.get(f"system_{lang}") and lang not in system.titles:
                system.titles[lang] = row[f"system_{lang}"]
        node = nodes.get((sid, code))
        if node is None:
            node = SystemNode(code, {}, row.get("parent", ""))
            nodes[(sid, code)] = node
            system.nodes.append(node)
        for lang in ("zh", "en"):
            if row.get(f"node_{lang}") and lang not in node.titles:
                node.titles[lang] = row[f"node_{lang}"]
        designation = row.get("designation", "")
        if designation:
            if try_parse(designation) is None:
                yield Reading(problem=Problem(name, number, "designation",
                                              f"'{designation}' is not a standard designation; the row was skipped"))
                continue
            node.members.append((designation, row.get("note", "")))
    for sid, system in systems.items():
        # Parents listed after their children still make a tree: order nodes parents first.
        system.nodes.sort(key=lambda n: (n.code.count("."), ))
        yield Reading(item=system, line=first_line[sid])
