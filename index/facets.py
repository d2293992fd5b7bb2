"""Per-searcher document tables, filters and facet counts, computed in memory.

Whoosh's ``groupedby`` re-reads columns for every query (NOTES.md: 2.1 s at 100,000 records),
so the rows of every live document are loaded once per reader (per segment, so an ingest that
adds one segment loads only that one), and facets are counted over sets of document numbers:
per document when few match, per value by set intersection (in C) when many do.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable

from .schema import (
    FACETS,
    ROW_DATE,
    ROW_FACETS,
    ROW_IN_FORCE,
    ROW_KEY,
    ROW_SORTKEY,
    ROW_STATUS,
    ROW_WORK,
    ROW_YEAR,
    STATUS_FACTOR,
    STATUS_RANK,
)

#: At most this many values per facet in a result (the most frequent ones).
FACET_LIMIT = 50
#: Facets listed newest first rather than by count.
BY_VALUE_DESC = ("year", "decade")
#: Below this many documents, counting document by document beats intersecting value sets.
_SCAN_BELOW = 4000


class DocTable:
    """Rows, facet postings, keys and status factors of one searcher's live documents."""

    def __init__(self, searcher, segment_cache: dict):
        size = searcher.doc_count_all()
        self.rows: list[tuple | None] = [None] * size
        kept = {}
        for sub, offset in searcher.leaf_searchers():
            reader = sub.reader()
            seg = reader.segment() if hasattr(reader, "segment") else None
            seg_id = seg.segment_id() if seg is not None else None
            rows = segment_cache.get(seg_id) if seg_id else None
            if rows is None:
                rows = {docnum: fields.get("row") for docnum, fields in reader.iter_docs()}
            if seg_id:
                kept[seg_id] = rows
            for docnum, row in rows.items():
                if row is not None and not reader.is_deleted(docnum):
                    self.rows[offset + docnum] = row
        segment_cache.clear()
        segment_cache.update(kept)

        self.alive: set[int] = set()
        self.by_key: dict[str, int] = {}
        self.by_work: dict[str, list[int]] = {}
        self.postings: dict[str, dict[str, set[int]]] = {name: {} for name in FACETS}
        self.factor = [0.0] * size
        for docnum, row in enumerate(self.rows):
            if row is None:
                continue
            self.alive.add(docnum)
            self.by_key[row[ROW_KEY]] = docnum
            self.by_work.setdefault(row[ROW_WORK], []).append(docnum)
            self.factor[docnum] = 1.0 if row[ROW_IN_FORCE] else STATUS_FACTOR.get(row[ROW_STATUS], 0.9)
            for name, values in row[ROW_FACETS].items():
                postings = self.postings.setdefault(name, {})
                for value in values:
                    postings.setdefault(value, set()).add(docnum)
        self._orders: dict[str, list[int]] = {}
        self.facet_cache: dict = {}

    def edition_order(self, docnum: int) -> tuple:
        """Sort key among editions of one work: in force first, then by status, newest first."""
        row = self.rows[docnum]
        return (not row[ROW_IN_FORCE], STATUS_RANK.get(row[ROW_STATUS], 5), _neg_text(row[ROW_DATE] or row[ROW_YEAR]), row[ROW_KEY])

    def order(self, sort: str) -> list[int]:
        """Every live document in ``designation`` or ``date`` (newest first) order, cached."""
        if sort not in self._orders:
            if sort == "designation":
                keyfn = lambda d: (self.rows[d][ROW_SORTKEY], self.rows[d][ROW_KEY])  # noqa: E731
            elif sort == "date":
                keyfn = lambda d: (_neg_text(self.rows[d][ROW_DATE]), self.rows[d][ROW_SORTKEY])  # noqa: E731
            else:  # browse order for an empty query: in force first, then designation
                keyfn = lambda d: (not self.rows[d][ROW_IN_FORCE], STATUS_RANK.get(self.rows[d][ROW_STATUS], 5),  # noqa: E731
                                   self.rows[d][ROW_SORTKEY])
            self._orders[sort] = sorted(self.alive, key=keyfn)
        return self._orders[sort]

    def filter_sets(self, filters: dict[str, list[str]]) -> dict[str, set[int]]:
        """For each filtered facet, the documents having any of the chosen values."""
        sets = {}
        for name, values in filters.items():
            postings = self.postings.get(name, {})
            chosen: set[int] = set()
            for value in values:
                chosen |= postings.get(value, set())
            sets[name] = chosen
        return sets


def _neg_text(text: str) -> tuple:
    """A key that sorts date strings newest first: '2015-06-01' after '2020-01-01'."""
    return tuple(-ord(c) for c in (text or "")) + (1,)


def intersect(sets: Iterable[set[int]]) -> set[int]:
    """The intersection of sets, smallest first (the cost is the smallest set's size)."""
    ordered = sorted(sets, key=len)
    if not ordered:
        raise ValueError("intersect needs at least one set")
    result = set(ordered[0])
    for other in ordered[1:]:
        result &= other
        if not result:
            break
    return result


def facet_candidates(table: DocTable, name: str, active: list[str]) -> list[str]:
    """The values of a hierarchical facet to count: ICS '23' -> its children '23.060' ...

    With no active filter, the top level (ICS '23', CCS letter 'J'); under an active ICS filter
    the next level down; under an active CCS letter the full codes of that letter.
    """
    values = table.postings.get(name, {})
    if name == "ics":
        if not active:
            return [v for v in values if "." not in v]
        wanted = []
        for code in active:
            depth = code.count(".") + 1
            wanted.extend(v for v in values if v.startswith(code + ".") and v.count(".") == depth)
        return wanted
    if name == "ccs":
        if not active:
            return [v for v in values if len(v) == 1]
        letters = {code[:1] for code in active}
        return [v for v in values if len(v) > 1 and v[:1] in letters]
    return list(values)


def count_facet(table: DocTable, name: str, docs: set[int], active: list[str]) -> list[list]:
    """[[value, count], ...] of one facet over ``docs``, most frequent first (years newest first)."""
    candidates = facet_candidates(table, name, active)
    postings = table.postings.get(name, {})
    counts: Counter = Counter()
    if len(docs) < _SCAN_BELOW:
        wanted = set(candidates)
        for docnum in docs:
            for value in table.rows[docnum][ROW_FACETS].get(name, ()):
                if value in wanted:
                    counts[value] += 1
    else:
        for value in candidates:
            hits = postings[value]
            n = len(hits & docs) if len(hits) < len(docs) else len(docs & hits)
            if n:
                counts[value] = n
    if name in BY_VALUE_DESC:
        ordered = sorted(counts.items(), key=lambda item: item[0], reverse=True)
    else:
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [[value, n] for value, n in ordered[:FACET_LIMIT]]


def count_facets(table: DocTable, matched: set[int], filters: dict[str, list[str]],
                 filter_sets: dict[str, set[int]]) -> dict[str, list[list]]:
    """Every facet counted over the matches with the OTHER facets' filters applied.

    Standard multi-select faceting: choosing 'ISO' under publisher still shows how many IEC
    records match, so the user can add IEC.
    """
    facets = {}
    for name in FACETS:
        others = [s for other, s in filter_sets.items() if other != name]
        docs = intersect([matched, *others]) if others else matched
        facets[name] = count_facet(table, name, docs, filters.get(name, []))
    return facets
