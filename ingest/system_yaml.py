"""Industry standard systems and benchmarking schemes written by librarians in YAML.

The formats are documented in ``docs/systems-and-schemes.md``. A file holds one
``system:`` or one ``scheme:`` mapping. Every problem names the file, the line and the field.
"""
from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, Iterator

import yaml

from catalogue.designation import try_parse
from catalogue.records import Problem, Reading
from catalogue.systems import Indicator, Scheme, StandardSystem, SystemNode

MAX_BYTES = 5 * 1024 * 1024
_LANGS = ("zh", "en", "fr")


def sniff(head: bytes) -> bool:
    """True for YAML whose first key is 'system:' or 'scheme:'."""
    text = head.lstrip(b"\xef\xbb\xbf")
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith((b"#", b"---")):
            continue
        return s.startswith((b"system:", b"scheme:"))
    return False


def read(path) -> Iterator[Reading]:
    path = Path(path)
    with open(path, "rb") as fp:
        yield from read_system_yaml(fp, str(path))


class _Loader(yaml.SafeLoader):
    """Safe loading that remembers where each mapping starts, for line numbers in problems."""


def _construct_mapping(loader, node):
    data = loader.construct_mapping(node, deep=True)
    return _Located(data, node.start_mark.line + 1)


class _Located(dict):
    def __init__(self, data, line):
        super().__init__(data)
        self.line = line


class _LocatedList(list):
    """A YAML sequence that knows the line of each item."""

    def __init__(self, items, lines):
        super().__init__(items)
        self.lines = lines


def _construct_sequence(loader, node):
    items = loader.construct_sequence(node, deep=True)
    return _LocatedList(items, [child.start_mark.line + 1 for child in node.value])


def _line_of(seq, i: int, default):
    lines = getattr(seq, "lines", None)
    return lines[i] if lines and i < len(lines) else default


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def read_system_yaml(fp: BinaryIO, name: str) -> Iterator[Reading]:
    """Read 'system: {id: valves, titles: {zh: 阀门...}, nodes: [...]}' or 'scheme: {...}'."""
    raw = fp.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        yield Reading(problem=Problem(name, None, None, f"file is larger than {MAX_BYTES // 1048576} MB; not read"))
        return
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield Reading(problem=Problem(name, None, None, f"not UTF-8 text (byte {exc.start})"))
        return
    try:
        doc = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        yield Reading(problem=Problem(name, line, None, f"not valid YAML: {getattr(exc, 'problem', None) or exc}"))
        return
    if not isinstance(doc, dict) or not ({"system", "scheme"} & set(doc)):
        yield Reading(problem=Problem(name, 1, None, "expected a 'system:' or 'scheme:' mapping at the top"))
        return
    if "system" in doc:
        yield from _system(doc["system"], name)
    if "scheme" in doc:
        yield from _scheme(doc["scheme"], name)


def _titles(value, where: str, name: str, line, problems: list) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {"zh" if any("\u4e00" <= ch <= "\u9fff" for ch in value) else "en": value.strip()}
    if isinstance(value, dict):
        return {str(k): str(v).strip() for k, v in value.items() if v}
    problems.append(Problem(name, line, where, "expected text or a mapping of language to text"))
    return {}


def _check_designation(text, name, line, field, problems) -> bool:
    if not isinstance(text, str) or not text.strip():
        problems.append(Problem(name, line, field, "a designation is required"))
        return False
    if try_parse(text) is None:
        problems.append(Problem(name, line, field, f"'{text}' is not a standard designation; the entry was skipped"))
        return False
    return True


def _system(data, name: str) -> Iterator[Reading]:
    line = getattr(data, "line", None)
    if not isinstance(data, dict) or not data.get("id"):
        yield Reading(problem=Problem(name, line, "system.id", "a system needs an id (used in its URL)"))
        return
    problems: list[Problem] = []
    system = StandardSystem(str(data["id"]), _titles(data.get("titles"), "system.titles", name, line, problems),
                            _titles(data.get("notes"), "system.notes", name, line, problems))
    seen: set[str] = set()

    def walk(nodes, parent: str, path: str) -> None:
        if nodes is None:
            return
        if not isinstance(nodes, list):
            problems.append(Problem(name, getattr(nodes, "line", line), path, "expected a list of nodes"))
            return
        for i, node in enumerate(nodes):
            nline = _line_of(nodes, i, line)
            where = f"{path}[{i}]"
            if not isinstance(node, dict) or not node.get("code"):
                problems.append(Problem(name, nline, f"{where}.code", "every node needs a code"))
                continue
            code = str(node["code"])
            if code in seen:
                problems.append(Problem(name, nline, f"{where}.code", f"node code '{code}' is used twice"))
                continue
            seen.add(code)
            sn = SystemNode(code, _titles(node.get("titles"), f"{where}.titles", name, nline, problems), parent,
                            _titles(node.get("notes"), f"{where}.notes", name, nline, problems))
            members = node.get("standards") or []
            for j, member in enumerate(members):
                field = f"{where}.standards[{j}]"
                mline = _line_of(members, j, nline)
                if isinstance(member, dict):
                    designation, note = member.get("designation"), str(member.get("note") or "")
                else:
                    designation, note = member, ""
                if _check_designation(designation, name, mline, field, problems):
                    sn.members.append((designation.strip(), note))
            system.nodes.append(sn)
            walk(node.get("children"), code, f"{where}.children")

    walk(data.get("nodes"), "", "system.nodes")
    for p in problems:
        yield Reading(problem=p)
    yield Reading(item=system, line=line)


def _scheme(data, name: str) -> Iterator[Reading]:
    line = getattr(data, "line", None)
    if not isinstance(data, dict) or not data.get("id"):
        yield Reading(problem=Problem(name, line, "scheme.id", "a scheme needs an id (used in its URL)"))
        return
    problems: list[Problem] = []
    scheme = Scheme(
        str(data["id"]),
        titles=_titles(data.get("titles"), "scheme.titles", name, line, problems),
        product=_titles(data.get("product"), "scheme.product", name, line, problems),
        enterprise=str(data.get("enterprise") or ""),
        notes=_titles(data.get("notes"), "scheme.notes", name, line, problems),
    )
    for role in ("domestic", "international"):
        items = data.get(role) or []
        for j, designation in enumerate(items):
            if _check_designation(designation, name, _line_of(items, j, line), f"scheme.{role}[{j}]", problems):
                getattr(scheme, role).append(designation.strip())
    known = {try_parse(d).key for d in scheme.domestic + scheme.international}
    indicators = data.get("indicators") or []
    for i, ind in enumerate(indicators):
        iline = _line_of(indicators, i, line)
        where = f"scheme.indicators[{i}]"
        if not isinstance(ind, dict) or not ind.get("indicator"):
            problems.append(Problem(name, iline, f"{where}.indicator", "every indicator row needs a name"))
            continue
        row = Indicator(_titles(ind.get("indicator"), f"{where}.indicator", name, iline, problems), str(ind.get("unit") or ""))
        cells = ind.get("values") or []
        for j, cell in enumerate(cells):
            cline = _line_of(cells, j, iline)
            field = f"{where}.values[{j}]"
            if not isinstance(cell, dict) or not _check_designation(cell.get("standard"), name, cline, f"{field}.standard", problems):
                continue
            value = cell.get("value")
            clause = str(cell.get("clause") or "")
            source = str(cell.get("source") or "")
            if value not in (None, "") and not (clause or source):
                # Our rule: a number appears only with the clause or source it comes from.
                problems.append(Problem(name, cline, f"{field}.value",
                                        "a value needs the clause or source it comes from; the value was dropped"))
                value = None
            if try_parse(cell["standard"]).key not in known:
                problems.append(Problem(name, cline, f"{field}.standard",
                                        f"'{cell['standard']}' is not among the scheme's domestic or international standards"))
            row.cells.append({"designation": cell["standard"].strip(), "value": "" if value is None else str(value),
                              "requirement": str(cell.get("requirement") or ""), "clause": clause, "source": source})
        scheme.indicators.append(row)
    for p in problems:
        yield Reading(problem=p)
    yield Reading(item=scheme, line=line)
