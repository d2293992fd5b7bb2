"""Per-searcher document tables, filters and facet counts, computed in memory.

Whoosh's ``groupedby`` re-reads columns for every query (NOTES.md: 2.1 s at 100,000 records),
so the rows of every live document are loaded once per reader (per segment, so an ingest that
adds one segment loads only that one), and facets are counted over sets of document numbers:
per document when few match, per value by set intersection (in C) when many do.
"""
from __future__ import annotations

import logging
import marshal
import os
from collections import Counter
from itertools import chain
from pathlib import Path
from typing import Iterable

from .scoring import TermScores
from .schema import (
    FACETS,
    ROW_DATE,
    ROW_FACETS,
    ROW_IN_FORCE,
    ROW_KEY,
    ROW_TITLES,
    ROW_SORTKEY,
    ROW_STATUS,
    ROW_WORK,
    ROW_YEAR,
    STATUS_FACTOR,
    STATUS_RANK,
)

log = logging.getLogger(__name__)

#: At most this many values per facet in a result (the most frequent ones).
FACET_LIMIT = 50
#: Facets listed newest first rather than by count.
BY_VALUE_DESC = ("year", "decade")
#: Up to this many candidate values a facet is counted by set intersections, else per document.
_INTERSECT_UP_TO = 12


FOCUS_FLOOR = 0.6


def title_length(titles: dict) -> int:
    """Words in the English (else any) title; CJK counts two characters a word."""
    text = titles.get("en") or next(iter(titles.values()), "") if titles else ""
    if not text:
        return 1
    words = len(text.split())
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return max(1, words + cjk // 2)


class DocTable:
    """Rows, facet postings, keys and status factors of one searcher's live documents."""

    def __init__(self, searcher, segment_cache: dict, folder: Path | None = None):
        size = searcher.doc_count_all()
        rows: list[tuple | None] = [None] * size
        self.postings: dict[str, dict[str, set[int]]] = {name: {} for name in FACETS}
        kept = {}
        for sub, offset in searcher.leaf_searchers():
            reader = sub.reader()
            seg = reader.segment() if hasattr(reader, "segment") else None
            seg_id = seg.segment_id() if seg is not None else None
            data = segment_cache.get(seg_id) if seg_id else None
            if data is None:
                data = load_segment(reader, folder / f"rows-{seg_id}.marshal" if folder and seg_id else None)
            if seg_id:
                kept[seg_id] = data
            deleted = {d for d in data["rows"] if reader.is_deleted(d)} if reader.has_deletions() else set()
            for docnum, row in data["rows"].items():
                if docnum not in deleted:
                    rows[offset + docnum] = row
            for name, by_value in data["postings"].items():
                target = self.postings[name]
                for value, docnums in by_value.items():
                    if offset or deleted:
                        docnums = [d + offset for d in docnums if d not in deleted]
                    found = target.get(value)
                    if found is None:
                        target[value] = set(docnums)
                    else:
                        found.update(docnums)
        segment_cache.clear()
        segment_cache.update(kept)
        if folder is not None:  # row caches of segments merged away
            for stale in folder.glob("rows-*.marshal"):
                if stale.name[5:-8] not in kept:
                    stale.unlink(missing_ok=True)

        self.rows = rows
        live = [(d, row) for d, row in enumerate(rows) if row is not None]
        self.alive: set[int] = {d for d, _ in live}
        self.by_key: dict[str, int] = {row[ROW_KEY]: d for d, row in live}
        self.by_work: dict[str, list[int]] = {}
        for docnum, row in live:
            self.by_work.setdefault(row[ROW_WORK], []).append(docnum)
        self.factor = [0.0] * size
        self.focus = [1.0] * size
        lengths = {}
        for docnum, row in live:
            self.factor[docnum] = 1.0 if row[ROW_IN_FORCE] else STATUS_FACTOR.get(row[ROW_STATUS], 0.9)
            lengths[docnum] = title_length(row[ROW_TITLES])
        # Length normalisation at the end of ranking (BM25's b, on the title): among titles
        # matching the same words, the one that is about them ("Safety footwear") beats a long
        # one that mentions them in passing. Bounded, so a short title cannot win on length alone.
        average = (sum(lengths.values()) / len(lengths)) if lengths else 1.0
        for docnum, n in lengths.items():
            self.focus[docnum] = min(1.3, max(0.65, 1.0 / (FOCUS_FLOOR + (1 - FOCUS_FLOOR) * n / average)))
        self.values: dict[str, list[tuple]] = {
            name: [row[ROW_FACETS][i] if row is not None else () for row in rows] for i, name in enumerate(FACETS)
        }
        self._orders: dict[str, list[int]] = {}
        self._positions: dict[str, dict[int, int]] = {}
        self.facet_cache: dict = {}
        self.terms = TermScores(searcher.reader())

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

    def position(self, sort: str):
        """A sort key giving each document its place in the cached ``order(sort)``."""
        if sort not in self._positions:
            self._positions[sort] = {d: i for i, d in enumerate(self.order(sort))}
        return self._positions[sort].__getitem__

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


def load_segment(reader, cache: Path | None) -> dict:
    """One segment's stored rows by document number and its facet postings (local numbers).

    Unpickling 94,000 stored documents one by one took 2.7 s (profiled); a segment never
    changes once written (deletions are checked separately), so the first process to read it
    leaves one marshal file beside it that the next loads in a fraction of that.
    """
    if cache is not None and cache.exists():
        try:
            data = marshal.loads(cache.read_bytes())
            if isinstance(data, dict) and set(data) == {"rows", "postings"}:
                return data
            raise ValueError("not a row cache")
        except (EOFError, ValueError, TypeError, OSError) as exc:
            log.warning("ignoring the unreadable row cache %s (%s)", cache, exc)
    rows = {docnum: fields.get("row") for docnum, fields in reader.iter_docs()}
    postings: dict[str, dict[str, list[int]]] = {name: {} for name in FACETS}
    for docnum, row in rows.items():
        for name, values in zip(FACETS, row[ROW_FACETS]):
            for value in values:
                postings[name].setdefault(value, []).append(docnum)
    data = {"rows": rows, "postings": postings}
    if cache is not None:
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        try:
            tmp.write_bytes(marshal.dumps(data))
            os.replace(tmp, cache)
        except (OSError, ValueError) as exc:  # a read-only index still searches, just slower to open
            log.warning("could not write the row cache %s (%s)", cache, exc)
            tmp.unlink(missing_ok=True)
    return data


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
    counts: Counter
    if len(candidates) <= _INTERSECT_UP_TO:
        # few values (publisher, status, decade): one C-level set intersection each
        counts = Counter()
        for value in candidates:
            hits = postings[value]
            n = len(hits & docs) if len(hits) < len(docs) else len(docs & hits)
            if n:
                counts[value] = n
    else:
        # many values (committees, years, ICS): count each document's values, in C
        per_doc = table.values.get(name) or []
        counts = Counter(chain.from_iterable(map(per_doc.__getitem__, docs)))
        wanted = set(candidates)
        if len(wanted) != len(counts):
            counts = Counter({v: n for v, n in counts.items() if v in wanted})
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
