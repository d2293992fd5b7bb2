"""Our own JSON lines: what `catalogue export --format jsonl` writes, read back in.

One object a line: a record in the ``show`` contract of DESIGN.md, or a classification node
``{"kind": "class", "scheme": "ics", "code": "23.060", "parent": "23", "titles": {...}}`` (with
``"title_sources": {"zh": "catalogue:classnames"}`` for a title from catalogue.classnames), or a
committee ``{"kind": "committee", "reference": "ISO/TC 153", ...}``. The bundled demo catalogue
is kept in this format, so export -> ingest round-trips.

A record may name where each field comes from, as the research lines do
(``"sources": {"https://...": ["designation", "titles.en", "status", "dates.published"], ...}``):
it then becomes one partial record per source, holding only that source's fields, with the
source's URL as its provenance source (``Standard.source``); fields no source names (and the
holdings) stay in one more partial whose source is the file. ``level`` and ``industry`` are
accepted and ignored: both come from the designation (catalogue.levels), and a research line's
``industry`` names a pillar industry (valves, eyewear ...), not a sector prefix.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import BinaryIO, Iterator

from catalogue.records import ClassNode, Committee, Holding, Problem, Reading, Relation, Standard

MAX_LINE_BYTES = 4 * 1024 * 1024


def sniff(head: bytes) -> bool:
    """JSON lines whose first object carries our record or node keys."""
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    return first.startswith(b"{") and (b'"kind": "class"' in first or b'"kind": "committee"' in first
                                       or first.startswith(b'{"designation"')
                                       or (first.startswith(b'{"key"') and b'"designation"' in first))


def read(path) -> Iterator[Reading]:
    path = Path(path)
    with open(path, "rb") as fp:
        yield from read_catalogue_jsonl(fp, str(path))


def read_catalogue_jsonl(fp: BinaryIO, name: str) -> Iterator[Reading]:
    """Read lines like '{"designation": "ISO 5208:2015", "status": "current", "dates": {...}, ...}'."""
    for lineno, raw in enumerate(iter_lines(fp), 1):
        if raw is None:
            yield Reading(problem=Problem(name, lineno, None, f"the line is longer than {MAX_LINE_BYTES // 1048576} MB, "
                                          "more than any record needs; it was skipped unread."))
            continue
        if lineno == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        if not raw.strip():
            continue
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            yield Reading(problem=Problem(name, lineno, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})"))
            continue
        except json.JSONDecodeError as exc:
            yield Reading(problem=Problem(name, lineno, None, f"not valid JSON: {exc.msg} at column {exc.colno}"))
            continue
        except RecursionError:
            yield Reading(problem=Problem(name, lineno, None, "the line nests deeper than a record can"))
            continue
        if not isinstance(data, dict):
            yield Reading(problem=Problem(name, lineno, None, "each line must be a JSON object"))
            continue
        try:
            items, notes = _items(data)
        except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
            field = exc.args[0] if isinstance(exc, KeyError) else None
            if isinstance(exc, RecursionError):
                reason = "the line nests deeper than a record can"
            elif isinstance(exc, AttributeError):
                reason = "a field has the wrong shape (a list or text where an object belongs)"
            else:
                reason = f"missing field '{field}'" if field else str(exc)
            yield Reading(problem=Problem(name, lineno, field, reason))
            continue
        warnings = [Problem(name, lineno, f, why) for f, why in notes]
        for index, item in enumerate(items):
            yield Reading(item=item, line=lineno, warnings=warnings if index == 0 else [])


def iter_lines(fp: BinaryIO) -> Iterator[bytes | None]:
    """Each line's bytes, or None for a line over MAX_LINE_BYTES (skipped in bounded chunks).

    Iterating a file object would build a 200 MB bytes object for a 200 MB line.
    """
    while True:
        raw = fp.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        if len(raw) <= MAX_LINE_BYTES or raw.endswith(b"\n"):
            yield raw
            continue
        while raw and not raw.endswith(b"\n"):
            raw = fp.readline(1024 * 1024)
        yield None


#: Field names a ``sources`` list may use (research-format.md), and the record field each fills.
_SOURCE_FIELDS = {"designation": (), "status": ("status",), "ics": ("ics",), "ccs": ("ccs",),
                  "committee": ("committee",), "relations": ("relations",), "edition": ("edition",),
                  "pages": ("pages",), "languages": ("languages",), "keywords": ("keywords",),
                  "titles": ("titles",), "scope": ("scope",),
                  "dates": ("published", "in_force", "withdrawn"), "dates.published": ("published",),
                  "dates.in_force": ("in_force",), "dates.withdrawn": ("withdrawn",)}


def _items(data: dict) -> tuple[list, list[tuple[str, str]]]:
    """The items of one line (one, or one partial record per source) and warnings (field, reason)."""
    item = _item(data)
    sources = data.get("sources") if isinstance(item, Standard) else None
    if not sources:
        return [item], []
    if not isinstance(sources, dict):
        raise ValueError("'sources' must map each source's URL to the list of fields it gave")
    parts, notes, covered = [], [], set()
    for url, fields in sources.items():
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            raise ValueError(f"the fields of source {url} must be a list of field names")
        part = Standard(designation=item.designation, source=str(url))
        for name in fields:
            if not _copy_field(item, part, name):
                notes.append(("sources", f"source {url} names a field '{name}' we do not know; it was left out."))
            covered.add(name)
        parts.append(part)
    rest = Standard(designation=item.designation, holdings=item.holdings)
    for name in ("titles", "scope"):
        for lang in getattr(item, name):
            if name not in covered and f"{name}.{lang}" not in covered:
                _copy_field(item, rest, f"{name}.{lang}")
    for name, targets in _SOURCE_FIELDS.items():
        if name in ("titles", "scope", "designation") or "." in name:
            continue
        for target in targets:
            dotted = {"published": "dates.published", "in_force": "dates.in_force", "withdrawn": "dates.withdrawn"}
            if name not in covered and dotted.get(target) not in covered:
                setattr(rest, target, getattr(item, target))
    if _has_facts(rest):
        parts.append(rest)
    return parts, notes


def _copy_field(item: Standard, part: Standard, name: str) -> bool:
    """Copy one named field ('titles.en', 'dates.published', 'ics' ...) from item to part; False if unknown."""
    head, _, lang = name.partition(".")
    if head in ("titles", "scope") and lang:
        text = getattr(item, head).get(lang)
        if text:
            getattr(part, head)[lang] = text
        return True
    targets = _SOURCE_FIELDS.get(name)
    if targets is None:
        return False
    for target in targets:
        value = getattr(item, target)
        setattr(part, target, dict(value) if isinstance(value, dict) else list(value) if isinstance(value, list) else value)
    return True


def _has_facts(rec: Standard) -> bool:
    return any(getattr(rec, f) for f in ("titles", "scope", "status", "published", "in_force", "withdrawn", "ics",
                                          "ccs", "committee", "edition", "pages", "languages", "keywords",
                                          "relations", "holdings"))


def _item(data: dict):
    kind = data.get("kind", "standard")
    if kind == "class":
        return ClassNode(data["scheme"], data["code"], data.get("parent", ""), data.get("titles", {}), data.get("notes", {}),
                         data.get("title_sources", {}))
    if kind == "committee":
        return Committee(data["reference"], data.get("titles", {}), data.get("publisher", ""), data.get("scope", ""))
    if not data.get("designation"):
        raise KeyError("designation")
    dates = data.get("dates") or {}
    status = data.get("status") or ""
    return Standard(
        designation=data["designation"],
        titles={k: v for k, v in (data.get("titles") or {}).items() if v},
        status="" if status == "unknown" else status,
        published=dates.get("published") or "",
        in_force=dates.get("in_force") or "",
        withdrawn=dates.get("withdrawn") or "",
        ics=list(data.get("ics") or []),
        ccs=data.get("ccs") or "",
        committee=data.get("committee") or "",
        edition=str(data.get("edition") or ""),
        pages=str(data.get("pages") or ""),
        languages=list(data.get("languages") or []),
        keywords=list(data.get("keywords") or []),
        relations=[Relation(r["type"], r["target"], r.get("degree")) for r in data.get("relations") or []
                   if r.get("type") in ("replaces", "amends", "corrects", "adopts", "cites", "replaced_by")],
        holdings=[Holding(**{k: h.get(k, "") for k in ("format", "shelf_mark", "access", "note")})
                  for h in data.get("holdings") or []],
    )
