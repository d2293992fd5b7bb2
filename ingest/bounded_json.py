"""JSON with a depth bound, for every reader of JSON (ours, the IEC API, ISO Open Data, hbba).

A record nests a few levels (a line, its relations, one relation, its fields: 3); nothing a
publisher sends needs more than MAX_JSON_DEPTH. The standard library's decoder recurses once
per level and stops with a RecursionError near 1,000 levels; both cases become :class:`TooDeep`,
a ``json.JSONDecodeError``, so a reader that catches decoding errors can never see a traceback,
and one that wants to say so precisely catches TooDeep first.

    >>> loads('[[[1]]]', max_depth=2)
    Traceback (most recent call last):
    ...
    ingest.bounded_json.TooDeep: nested deeper than 2 levels: line 1 column 1 (char 0)
"""
from __future__ import annotations

import json
from typing import Any

#: Levels of arrays and objects one JSON value (a line of JSON lines, or a whole file) may nest.
MAX_JSON_DEPTH = 32


class TooDeep(json.JSONDecodeError):
    """A JSON value nested deeper than the bound; ``reason`` is the sentence for a Problem."""

    def __init__(self, doc: str, max_depth: int) -> None:
        super().__init__(f"nested deeper than {max_depth} levels", doc, 0)
        self.reason = f"the JSON nests deeper than {max_depth} levels, more than any record needs; it was not read."


def loads(text: str | bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` that refuses values nested deeper than ``max_depth`` (raises TooDeep)."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise TooDeep(text if isinstance(text, str) else "", max_depth) from None
    if deeper_than(value, max_depth):
        raise TooDeep(text if isinstance(text, str) else "", max_depth)
    return value


def deeper_than(value: Any, limit: int) -> bool:
    """Whether arrays and objects (lists and dicts: JSON or YAML) nest more than ``limit`` levels (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False
