"""Our own JSON lines: what `catalogue export --format jsonl` writes, read back in.

One object a line: a record in the ``show`` contract of DESIGN.md, or a classification node
``{"kind": "class", "scheme": "ics", "code": "23.060", "parent": "23", "titles": {...}}``, or a
committee ``{"kind": "committee", "reference": "ISO/TC 153", ...}``. The bundled demo catalogue
is kept in this format, so export -> ingest round-trips.
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
        if not isinstance(data, dict):
            yield Reading(problem=Problem(name, lineno, None, "each line must be a JSON object"))
            continue
        try:
            yield Reading(item=_item(data), line=lineno)
        except (KeyError, TypeError, ValueError) as exc:
            field = exc.args[0] if isinstance(exc, KeyError) else None
            reason = f"missing field '{field}'" if field else str(exc)
            yield Reading(problem=Problem(name, lineno, field, reason))


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


def _item(data: dict):
    kind = data.get("kind", "standard")
    if kind == "class":
        return ClassNode(data["scheme"], data["code"], data.get("parent", ""), data.get("titles", {}), data.get("notes", {}))
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
