"""What a number in a query means: that edition, the standard, a series of parts, or nothing held.

One decision for every search engine behind the catalogue (this Whoosh index, a Typesense
backend): :func:`decide` takes a designation the user typed (:class:`Asked`, from the grammar
in catalogue/designation.py) and *facts*, an object answering the few questions
``catalogue.lifecycle.standing_of`` asks (``describe``, ``edition_in_force_key``, ``year_of``,
``work_exists``, ``upcoming_edition_key``, ``list_statuses_of_work``, ``list_part_works``).
The store answers them (catalogue/store.py: the catalogue of record, which the reference checker
and ``/resolve`` ask too), and so does an index on its own (:class:`TableFacts`, for an index
searched without a store: tests, benchmarks). Because the standing comes from the one rule in
catalogue/lifecycle.py, search, ``/resolve``, ``/suggest`` and the reference checker agree on
what is held, what is not, and what is a series.

The meanings (``Meaning.kind``):

- ``edition``: a dated designation we hold ('ISO 5208:2008'): that edition first;
- ``work``: an undated designation whose work we hold ('ISO 5208'): the edition in force first,
  its other editions folded under it;
- ``series``: an undated, part-less number whose parts we hold ('IEC 60947', 'ISO 4126',
  'GB/T 14048'): its parts in part order, the series record (if any) beside them;
- ``not_held``: nothing of it is in the catalogue (or not that edition): said plainly, never
  answered with other standards.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from catalogue.lifecycle import Standing, standing_of

if TYPE_CHECKING:
    from .table import DocTable

#: A part work's suffix after its series number: '-2', '-5-1', '.2' (GB), '-2-3'.
_PART_SUFFIX = re.compile(r"^[-.](\d+)(?:[-.]\d+)*$")


@dataclass(frozen=True)
class Asked:
    """A designation found in a query: as typed, and as the grammar reads it."""

    text: str
    display: str
    key: str
    work: str
    year: str = ""
    supplement: str = ""
    publisher: str = ""
    doc_type: str = ""

    @property
    def dated(self) -> bool:
        return bool(self.year or self.supplement)

    @classmethod
    def from_designation(cls, text: str, parsed) -> "Asked":
        """From the grammar's Designation (catalogue.designation.try_parse)."""
        return cls(text=text, display=parsed.display, key=parsed.key, work=parsed.work, year=parsed.year or "",
                   supplement=parsed.supplement or "", publisher=parsed.publisher or "", doc_type=parsed.type or "")


@dataclass
class Meaning:
    """What one asked designation means here (see the module docstring)."""

    asked: Asked
    kind: str  # edition | work | series | not_held
    standing: Standing
    parts: list[str] = field(default_factory=list)  # series: the part works, in part order

    @property
    def held(self) -> bool:
        return self.kind != "not_held"

    def to_json(self) -> dict:
        return {"text": self.asked.text, "designation": self.asked.display, "key": self.asked.key,
                "work": self.asked.work, "kind": self.kind, "state": self.standing.state,
                "answer": self.standing.key, "in_force": self.standing.in_force, "parts": list(self.parts)}


def part_order(series: str, work: str) -> tuple:
    """Sort key of a part within its series: 'iec-60947-10' after 'iec-60947-2', '-5-1' after '-5'."""
    rest = work[len(series):]
    return (tuple(int(n) for n in re.findall(r"\d+", rest)), rest)


#: Publishers whose parts follow a dot ('GB/T 14048.2'): the Chinese national, industry, local,
#: group and enterprise codes. Elsewhere a dot is no part ('ISO/CD 9001.2' is a second draft).
_DOT_PARTS = re.compile(r"^(?:gb|[a-z]{2}|db\d+|t|q)-")


def is_part_of(series: str, work: str) -> bool:
    """Whether ``work`` is numbered as a part of ``series``: 'iec-60947-2' of 'iec-60947' (not
    'iec-60947-draft'); 'gb-t-14048.2' of 'gb-t-14048' (a dot makes a part for Chinese codes only)."""
    if not work.startswith(series):
        return False
    rest = work[len(series):]
    if rest.startswith(".") and not _DOT_PARTS.match(series):
        return False
    return bool(_PART_SUFFIX.match(rest))


def decide(asked: Asked, facts, parts: list[str] | None = None) -> Meaning:
    """The meaning of one asked designation, from ``facts`` (a Store or a :class:`TableFacts`).

    ``parts``: the series' part works when the caller already listed them (an index lists them
    all, in part order); else the facts' ``list_part_works``.
    """
    reference = asked.key if asked.dated else asked.work
    standing = standing_of(facts, reference, asked.work, asked.year)
    if asked.dated:
        held = facts.describe(asked.key) is not None
        return Meaning(asked, "edition" if held else "not_held", standing)
    if parts is None:
        parts = list(facts.list_part_works(asked.work))
    parts = sorted((p for p in parts if is_part_of(asked.work, p)), key=lambda p: part_order(asked.work, p))
    if parts:
        return Meaning(asked, "series", standing, parts)
    if facts.work_exists(asked.work):
        return Meaning(asked, "work", standing)
    return Meaning(asked, "not_held", standing)


class TableFacts:
    """The facts :func:`decide` needs, answered by an index's document table (no store).

    In step with the store (catalogue/edges/service.py keeps it so), it answers as the store does:
    the edition in force is the document the writer marked in force (schema.make_document's
    ``in_force``, from the store's rule), a work exists when a document has that work key.
    """

    def __init__(self, table: "DocTable"):
        self.table = table

    def _docs_of_key(self, key: str) -> list[int]:
        return [d for d in self.table.terms.list_docs("key", key) if self.table.live[d]]

    def _rows_of_work(self, work: str) -> list[tuple]:
        return [self.table.rows[d] for d in self.table.docs_of_work(work)]

    def describe(self, key: str | None):
        from .schema import ROW_DESIGNATION, ROW_STATUS, ROW_WORK

        if not key:
            return None
        for docnum in self._docs_of_key(key):
            row = self.table.rows[docnum]
            return row[ROW_WORK], row[ROW_DESIGNATION], row[ROW_STATUS] or None
        return None

    def edition_in_force_key(self, work: str | None) -> str | None:
        if not work:
            return None
        for docnum in self.table.docs_of_work(work):
            if self.table.in_force[docnum]:
                return self.table.rows[docnum][0]
        return None

    def year_of(self, key: str) -> str:
        from .schema import ROW_YEAR

        for docnum in self._docs_of_key(key):
            return self.table.rows[docnum][ROW_YEAR] or ""
        return ""

    def work_exists(self, work: str) -> bool:
        return bool(self.table.docs_of_work(work))

    def upcoming_edition_key(self, work: str) -> str | None:
        from .schema import ROW_KEY, ROW_STATUS, ROW_YEAR

        found = [r for r in self._rows_of_work(work) if r[ROW_STATUS] == "upcoming"]
        return max(found, key=lambda r: r[ROW_YEAR] or "")[ROW_KEY] if found else None

    def list_statuses_of_work(self, work: str) -> list[str]:
        from .schema import ROW_STATUS

        return [r[ROW_STATUS] or "" for r in self._rows_of_work(work)]

    def list_part_works(self, work: str, limit: int = 50) -> list[str]:
        return list_parts(self.table, work)[:limit]


def list_parts(table: "DocTable", series: str) -> list[str]:
    """Every part of ``series`` the index holds, in part order: 'iec-60947' -> ['iec-60947-1',
    'iec-60947-2', ..., 'iec-60947-10'] ('gb-t-14048' -> ['gb-t-14048.1', ...])."""
    found = [g for sep in "-." for g in table.groups_with_prefix(series + sep) if is_part_of(series, g)]
    return sorted(found, key=lambda p: part_order(series, p))


def series_record_docs(table: "DocTable", series: str) -> np.ndarray:
    """The documents of the series itself (IEC's SER record, or an edition of the part-less
    number such as ISO 4126:1981), in edition order."""
    return table.docs_of_group(table.group_code(series))
