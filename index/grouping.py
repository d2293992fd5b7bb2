"""One hit per standard: documents grouped under their standard's work, a representative shown.

A *group* is a standard: its editions, their amendments and corrigenda, and the other forms of
an edition (IEC's consolidated CSV, redline RLV, EXV/CMV, IEEE redlines) and drafts of its next
edition, all under one work key (schema.group_of, written per document in the commit's table:
sidecar._build_groups). A group's representative is its first document in edition order that
passes the filters: the edition in force, else the newest edition (editions before supplements
and versions); the others are folded under it, counted by kind ("3 editions, 1 amendment").
"""
from __future__ import annotations

from typing import Iterable

import numpy as np

from .facets import one_each
from .schema import KINDS, ROW_DESIGNATION, ROW_KEY, ROW_STATUS, ROW_YEAR
from .table import DocTable

#: Folded documents listed per hit (the count says how many there are in all).
MEMBERS_SHOWN = 12
#: Plural names of the kinds in a hit's counts (JSON keys).
KIND_COUNTS = {"edition": "editions", "amendment": "amendments", "corrigendum": "corrigenda",
               "version": "versions", "series": "series", "other": "other"}


def passing(docs: np.ndarray, masks: Iterable[np.ndarray]) -> np.ndarray:
    for mask in masks:
        docs = docs[mask[docs]]
    return docs


def count_standards(table: DocTable, docs: np.ndarray) -> int:
    """How many standards (distinct groups) the documents belong to."""
    if not len(docs):
        return 0
    # linear in the documents (a bincount over every standard of the catalogue is not)
    return int(np.count_nonzero(one_each(table.group[docs], table.group_count)))


def first_of_each(table: DocTable, docs: Iterable[int], limit: int, skip: set[int] | None = None) -> list[int]:
    """The group codes of ``docs`` in the order first met, at most ``limit`` (``skip``: codes
    already taken, e.g. by pinned designation answers)."""
    seen = set(skip or ())
    out: list[int] = []
    group = table.group
    for docnum in docs:
        code = int(group[docnum])
        if code < 0 or code in seen:
            continue
        seen.add(code)
        out.append(code)
        if len(out) >= limit:
            break
    return out


def members(table: DocTable, code: int, masks: Iterable[np.ndarray]) -> np.ndarray:
    """A group's documents that pass the filters, in edition order."""
    return passing(table.docs_of_group(code), list(masks))


def representative(table: DocTable, code: int, masks, prefer: int | None = None) -> int | None:
    """The document shown for a group: ``prefer`` (the edition a dated query named) when it
    passes, else the first passing document in edition order."""
    docs = members(table, code, masks)
    if prefer is not None and prefer in set(docs.tolist()):
        return prefer
    return int(docs[0]) if len(docs) else None


def describe_group(table: DocTable, code: int, shown: int, docs: np.ndarray) -> dict:
    """The ``group`` object of a hit: the standard's work, counts by kind and the folded documents.

    ``{"work": "iso-5208", "count": 4, "editions": 4, "amendments": 0, ..., "members": [{"key",
    "designation", "status", "year", "kind"}, ...]}`` (the representative not among the members).
    """
    numbers = docs.tolist()
    kinds = [0] * len(KINDS)
    for k in table.kind[docs].tolist():
        kinds[k] += 1
    out: dict = {"work": table.group_name(code), "count": len(numbers)}
    for i, kind in enumerate(KINDS):
        out[KIND_COUNTS[kind]] = kinds[i]
    listed = []
    for docnum in numbers:
        if docnum == shown:
            continue
        if len(listed) >= MEMBERS_SHOWN:
            break
        row = table.rows[docnum]
        listed.append({"key": row[ROW_KEY], "designation": row[ROW_DESIGNATION], "status": row[ROW_STATUS],
                       "year": row[ROW_YEAR], "kind": KINDS[int(table.kind[docnum])]})
    out["members"] = listed
    return out
