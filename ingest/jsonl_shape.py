"""The shape each field of a catalogue-jsonl line must have, checked before a record is built.

A line written by hand or by another tool may hold a list where an object belongs, a number as
titles, an object as a designation. Each such line becomes one problem naming the field and the
shape it needs (the line is skipped, the file's other lines land); nothing of the wrong shape
reaches a record, so nothing later trips over it. ``null`` is accepted wherever a field may be
absent. ``level`` and ``industry`` are ignored (see ingest.catalogue_jsonl), whatever they hold.
"""
from __future__ import annotations

from typing import Any

TEXT = "a text"
NUMBER_OR_TEXT = "a number or a text"
TEXTS = "a list of texts"
BY_LANGUAGE = 'an object of texts by language, like {"en": "..."}'
DATES = 'an object of dates, like {"published": "2015-06"}'
RELATIONS = 'a list of objects like {"type": "replaces", "target": "ISO 5208:2008"}'
HOLDINGS = 'a list of objects like {"format": "print", "shelf_mark": "..."}'
SOURCES = "an object mapping each source's URL to the list of fields it gave"

_STANDARD = {"designation": TEXT, "titles": BY_LANGUAGE, "scope": BY_LANGUAGE, "status": TEXT, "dates": DATES,
             "ics": TEXTS, "ccs": TEXT, "committee": TEXT, "edition": NUMBER_OR_TEXT, "pages": NUMBER_OR_TEXT,
             "languages": TEXTS, "keywords": TEXTS, "relations": RELATIONS, "holdings": HOLDINGS, "sources": SOURCES,
             "kind": TEXT, "key": TEXT}
_CLASS = {"kind": TEXT, "scheme": TEXT, "code": TEXT, "parent": TEXT, "titles": BY_LANGUAGE, "notes": BY_LANGUAGE,
          "title_sources": BY_LANGUAGE}
_COMMITTEE = {"kind": TEXT, "reference": TEXT, "titles": BY_LANGUAGE, "publisher": TEXT, "scope": TEXT}


def shape_problem(data: dict) -> tuple[str, str] | None:
    """(field, reason) for the first field of the wrong shape in one line's object, or None."""
    kind = data.get("kind", "standard")
    if not isinstance(kind, str):
        return "kind", f"'kind' must be {TEXT} (standard, class or committee), not {_what(kind)}; the line was skipped."
    fields = {"class": _CLASS, "committee": _COMMITTEE}.get(kind, _STANDARD)
    for field, shape in fields.items():
        value = data.get(field)
        if value is not None and not _fits(value, shape):
            container = list if shape in (TEXTS, RELATIONS, HOLDINGS) else dict if shape in (BY_LANGUAGE, DATES, SOURCES) else None
            found = "one of its entries has another shape" if container and isinstance(value, container) \
                else f"not {_what(value)}"
            return field, f"'{field}' must be {shape}; {found}; the line was skipped."
    return None


def _fits(value: Any, shape: str) -> bool:
    if shape == TEXT:
        return isinstance(value, str)
    if shape == NUMBER_OR_TEXT:
        return isinstance(value, (str, int, float)) and not isinstance(value, bool)
    if shape == TEXTS:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if shape in (BY_LANGUAGE, DATES):
        return isinstance(value, dict) and all(isinstance(v, str) or v is None for v in value.values())
    if shape == RELATIONS:
        return isinstance(value, list) and all(
            isinstance(r, dict) and isinstance(r.get("type"), str) and isinstance(r.get("target"), str)
            and (r.get("degree") is None or isinstance(r.get("degree"), str)) for r in value)
    if shape == HOLDINGS:
        return isinstance(value, list) and all(
            isinstance(h, dict) and all(isinstance(v, str) or v is None for v in h.values()) for h in value)
    if shape == SOURCES:
        return isinstance(value, dict) and all(
            isinstance(f, list) and all(isinstance(x, str) for x in f) for f in value.values())
    return True


def _what(value: Any) -> str:
    """The JSON name of a value's shape, for the message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list):
        return "a list"
    return "an object"
