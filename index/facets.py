"""Per-searcher document tables, filters and facet counts, computed in memory.

Whoosh's ``groupedby`` re-reads columns for every query (NOTES.md: 2.1 s at 100,000 records),
so the rows of every live document are loaded once per reader (per segment, so an ingest that
adds one segment loads only that one), and facets are counted with numpy over arrays that give
every document's value codes (``np.bincount`` over the matching documents' codes).
"""
from __future__ import annotations

import logging
import marshal
import os
import re
from collections import OrderedDict
from pathlib import Path
from typing import Iterable

import numpy as np

from .postings import SegmentPostings, load_postings, find_stale_cache_files
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
#: Memory for kept filter masks (one byte per document each).
MASK_BYTES = 32 * 1024 * 1024

#: Facet count results kept per document table (browse pages without query text).
FACET_CACHE_ENTRIES = 512

FOCUS_FLOOR = 0.6
_HAN = re.compile("[\u4e00-\u9fff]")


def title_length(titles: dict) -> int:
    """Words in the English (else any) title; CJK counts two characters a word."""
    text = titles.get("en") or next(iter(titles.values()), "") if titles else ""
    if not text:
        return 1
    words = len(text.split())
    cjk = len(_HAN.findall(text)) if _HAN.search(text) else 0
    return max(1, words + cjk // 2)


class BoundedCache(OrderedDict):
    """A small LRU mapping: ``in``, ``[key]`` and ``[key] = value``, at most ``limit`` entries."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def __getitem__(self, key):
        value = super().__getitem__(key)
        self.move_to_end(key)
        return value

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)


class FacetColumn:
    """One facet's values over every document, as arrays: codes number the values in sorted order.

    ``pair_docs`` lists every (document, value) pair by value, so a value's documents are one
    slice (for filters). For counting, a facet with at most one value per document keeps each
    document's code in ``single`` (-1 for none): counting N documents is one gather and one
    ``np.bincount``. A facet with several values per document (ICS levels, languages) numbers
    each distinct set of values ("combination": 3,958 for ICS over the real catalogue) and
    keeps each document's combination in ``combo``: counting is a ``bincount`` of the
    documents' combinations, then one of the combinations' values weighted by those counts,
    so its cost does not grow with the number of values per document.
    """

    def __init__(self, by_value: dict[str, list[np.ndarray]], size: int):
        self.values: list[str] = sorted(by_value)
        self.code = {value: i for i, value in enumerate(self.values)}
        lists = [np.concatenate(by_value[v]) if len(by_value[v]) > 1 else by_value[v][0] for v in self.values]
        lengths = np.array([len(docs) for docs in lists], dtype=np.int64)
        self.value_starts = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
        self.pair_docs = np.concatenate(lists).astype(np.int32) if lists else np.zeros(0, dtype=np.int32)
        pair_vals = np.repeat(np.arange(len(self.values), dtype=np.int32), lengths)
        per_doc = np.bincount(self.pair_docs, minlength=size) if len(self.pair_docs) else np.zeros(size, dtype=np.int64)
        self.single: np.ndarray | None = None
        if not len(per_doc) or per_doc.max() <= 1:
            self.single = np.full(size, -1, dtype=np.int32)
            self.single[self.pair_docs] = pair_vals
            return
        # pairs by document; within a document by code, as pairs are listed value by value
        order = np.argsort(self.pair_docs, kind="stable")
        by_doc, codes = self.pair_docs[order].tolist(), pair_vals[order].tolist()
        combos: dict[tuple, int] = {(): 0}
        combo = np.zeros(size, dtype=np.int32)
        doc_ids, doc_combos = [], []
        start = 0
        while start < len(by_doc):
            docnum = by_doc[start]
            end = start + int(per_doc[docnum])
            key = tuple(codes[start:end])
            found = combos.get(key)
            if found is None:
                found = combos[key] = len(combos)
            doc_ids.append(docnum)
            doc_combos.append(found)
            start = end
        combo[doc_ids] = doc_combos
        self.combo = combo
        self.combo_len = np.array([len(key) for key in combos], dtype=np.int64)
        self.combo_start = np.concatenate(([0], np.cumsum(self.combo_len)[:-1])).astype(np.int64)
        self.combo_vals = np.array([c for key in combos for c in key], dtype=np.int32)
        self.combo_of_pair = np.repeat(np.arange(len(combos), dtype=np.int32), self.combo_len)
        average = max(1.0, len(self.pair_docs) / max(1, int((per_doc > 0).sum())))
        # below this many documents, listing their values beats a pass over every combination
        self.expand_below = int((len(combos) + len(self.combo_vals)) / average)

    def find_docs(self, value: str) -> np.ndarray:
        """The documents having ``value`` (ascending)."""
        code = self.code.get(value)
        if code is None:
            return self.pair_docs[:0]
        return self.pair_docs[self.value_starts[code]:self.value_starts[code + 1]]

    def count(self, docs: np.ndarray) -> np.ndarray:
        """How many of ``docs`` have each value: an array indexed by code."""
        nvalues = len(self.values)
        if self.single is not None:
            return np.bincount(self.single[docs] + 1, minlength=nvalues + 1)[1:]
        combos = self.combo[docs]
        if len(docs) < self.expand_below:
            lengths = self.combo_len[combos]
            total = int(lengths.sum())
            if not total:
                return np.zeros(nvalues, dtype=np.int64)
            # the positions of every value of every document's combination, run after run
            shift = np.repeat(self.combo_start[combos] - (np.cumsum(lengths) - lengths), lengths)
            return np.bincount(self.combo_vals[shift + np.arange(total)], minlength=nvalues)
        per_combo = np.bincount(combos, minlength=len(self.combo_len))
        counts = np.bincount(self.combo_vals, weights=per_combo[self.combo_of_pair], minlength=nvalues)
        return counts.astype(np.int64)


class DocTable:
    """Rows, facet columns, keys and status factors of one searcher's live documents."""

    def __init__(self, searcher, segment_cache: dict, folder: Path | None = None):
        size = searcher.doc_count_all()
        self.size = size
        rows: list[tuple | None] = [None] * size
        by_value: dict[str, dict[str, list[np.ndarray]]] = {name: {} for name in FACETS}
        kept = {}
        segments: list[tuple[SegmentPostings, int]] = []
        for sub, offset in searcher.leaf_searchers():
            reader = sub.reader()
            seg = reader.segment() if hasattr(reader, "segment") else None
            seg_id = seg.segment_id() if seg is not None else None
            data = segment_cache.get(seg_id) if seg_id else None
            if data is None:
                data = load_segment(reader, folder / f"rows-{seg_id}.marshal" if folder and seg_id else None)
                data["terms"] = load_postings(reader, folder if seg_id else None, seg_id)
            if seg_id:
                kept[seg_id] = data
            segments.append((data["terms"], offset))
            deleted = {d for d in data["rows"] if reader.is_deleted(d)} if reader.has_deletions() else set()
            for docnum, row in data["rows"].items():
                if docnum not in deleted:
                    rows[offset + docnum] = row
            for name, values in data["postings"].items():
                target = by_value[name]
                for value, docnums in values.items():
                    if deleted:
                        docnums = [d for d in docnums if d not in deleted]
                    if docnums:
                        target.setdefault(value, []).append(np.asarray(docnums, dtype=np.int32) + np.int32(offset))
        segment_cache.clear()
        segment_cache.update(kept)
        if folder is not None:  # row and postings caches of segments merged away
            for stale in folder.glob("rows-*.marshal"):
                if stale.name[5:-8] not in kept:
                    stale.unlink(missing_ok=True)
            for stale in find_stale_cache_files(folder, set(kept)):
                stale.unlink(missing_ok=True)

        self.rows = rows
        live = [(d, row) for d, row in enumerate(rows) if row is not None]
        self.alive = np.array([d for d, _ in live], dtype=np.int32)
        self.live = np.zeros(size, dtype=bool)
        self.live[self.alive] = True
        self.by_key: dict[str, int] = {row[ROW_KEY]: d for d, row in live}
        self.by_work: dict[str, list[int]] = {}
        for docnum, row in live:
            self.by_work.setdefault(row[ROW_WORK], []).append(docnum)
        factor = np.zeros(size, dtype=np.float64)
        focus = np.ones(size, dtype=np.float64)
        lengths = {}
        for docnum, row in live:
            factor[docnum] = 1.0 if row[ROW_IN_FORCE] else STATUS_FACTOR.get(row[ROW_STATUS], 0.9)
            lengths[docnum] = title_length(row[ROW_TITLES])
        # Length normalisation at the end of ranking (BM25's b, on the title): among titles
        # matching the same words, the one that is about them ("Safety footwear") beats a long
        # one that mentions them in passing. Bounded, so a short title cannot win on length alone.
        average = (sum(lengths.values()) / len(lengths)) if lengths else 1.0
        for docnum, n in lengths.items():
            focus[docnum] = min(1.3, max(0.65, 1.0 / (FOCUS_FLOOR + (1 - FOCUS_FLOOR) * n / average)))
        self.factor = factor
        self.focus = focus
        self.columns = {name: FacetColumn(by_value[name], size) for name in FACETS}
        self._orders: dict[str, np.ndarray] = {}
        self._positions: dict[str, np.ndarray] = {}
        self._candidates: dict[tuple, np.ndarray] = {}
        self._masks: OrderedDict = OrderedDict()
        #: Facet counts of queries without text (browsing), least recently used dropped first.
        self.facet_cache = BoundedCache(FACET_CACHE_ENTRIES)
        self.terms = TermScores(searcher.reader(), segments)

    def edition_order(self, docnum: int) -> tuple:
        """Sort key among editions of one work: in force first, then by status, newest first."""
        row = self.rows[docnum]
        return (not row[ROW_IN_FORCE], STATUS_RANK.get(row[ROW_STATUS], 5), _neg_text(row[ROW_DATE] or row[ROW_YEAR]), row[ROW_KEY])

    def order(self, sort: str) -> np.ndarray:
        """Every live document in ``designation`` or ``date`` (newest first) order, cached."""
        if sort not in self._orders:
            rows = self.rows
            if sort == "designation":
                keyfn = lambda d: (rows[d][ROW_SORTKEY], rows[d][ROW_KEY])  # noqa: E731
            elif sort == "date":
                keyfn = lambda d: (_neg_text(rows[d][ROW_DATE]), rows[d][ROW_SORTKEY])  # noqa: E731
            else:  # browse order for an empty query: in force first, then designation
                keyfn = lambda d: (not rows[d][ROW_IN_FORCE], STATUS_RANK.get(rows[d][ROW_STATUS], 5),  # noqa: E731
                                   rows[d][ROW_SORTKEY])
            self._orders[sort] = np.array(sorted(self.alive.tolist(), key=keyfn), dtype=np.int32)
        return self._orders[sort]

    def position(self, sort: str) -> np.ndarray:
        """Each document's place in the cached ``order(sort)`` (deleted ones last)."""
        if sort not in self._positions:
            order = self.order(sort)
            places = np.full(self.size, len(order), dtype=np.int32)
            places[order] = np.arange(len(order), dtype=np.int32)
            self._positions[sort] = places
        return self._positions[sort]

    def take_in_order(self, sort: str, docs: np.ndarray, count: int) -> list[int]:
        """The first ``count`` of ``docs`` in ``order(sort)``."""
        if not len(docs) or count < 1:
            return []
        order = self.order(sort)
        if len(docs) * 8 < len(order):
            places = self.position(sort)[docs]
            if count < len(docs):
                nearest = np.argpartition(places, count - 1)[:count]
                return docs[nearest[np.argsort(places[nearest])]].tolist()
            return docs[np.argsort(places)].tolist()
        mask = np.zeros(self.size, dtype=bool)
        mask[docs] = True
        return order[mask[order]][:count].tolist()

    def make_filter_masks(self, filters: dict[str, list[str]]) -> dict[str, np.ndarray]:
        """For each filtered facet, which documents have any of the chosen values (read-only)."""
        masks = {}
        for name, values in filters.items():
            if len(values) == 1:
                masks[name] = self.get_value_mask(name, values[0])
                continue
            chosen = np.zeros(self.size, dtype=bool)
            for value in values:
                chosen |= self.get_value_mask(name, value)
            masks[name] = chosen
        return masks

    def get_value_mask(self, name: str, value: str) -> np.ndarray:
        """Which documents have ``value`` in facet ``name``: a bool per document, kept for reuse
        (the same publisher, status and decade filters come back all the time); the kept masks
        hold at most MASK_BYTES, least recently used dropped first."""
        key = (name, value)
        found = self._masks.get(key)
        if found is not None:
            self._masks.move_to_end(key)
            return found
        found = np.zeros(self.size, dtype=bool)
        found[self.columns[name].find_docs(value)] = True
        found.flags.writeable = False
        self._masks[key] = found
        while len(self._masks) > 1 and len(self._masks) * max(1, self.size) > MASK_BYTES:
            self._masks.popitem(last=False)
        return found

    def get_candidate_codes(self, name: str, active: list[str]) -> np.ndarray:
        """Codes of :func:`facet_candidates`, cached per facet and active filter."""
        key = (name, tuple(active))
        found = self._candidates.get(key)
        if found is None:
            code = self.columns[name].code
            found = np.array(sorted({code[v] for v in facet_candidates(self, name, active)}), dtype=np.int64)
            if len(self._candidates) >= 4096:
                self._candidates.clear()
            self._candidates[key] = found
        return found


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


def keep_passing(docs: np.ndarray, masks: Iterable[np.ndarray]) -> np.ndarray:
    """The documents of ``docs`` that every mask lets through."""
    for mask in masks:
        docs = docs[mask[docs]]
    return docs


def facet_candidates(table: DocTable, name: str, active: list[str]) -> list[str]:
    """The values of a hierarchical facet to count: ICS '23' -> its children '23.060' ...

    With no active filter, the top level (ICS '23', CCS letter 'J'); under an active ICS filter
    the next level down; under an active CCS letter the full codes of that letter.
    """
    values = table.columns[name].values
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


def count_facet(table: DocTable, name: str, docs: np.ndarray, active: list[str]) -> list[list]:
    """[[value, count], ...] of one facet over ``docs``, most frequent first (years newest first)."""
    column = table.columns[name]
    candidates = table.get_candidate_codes(name, active)
    if not len(candidates) or not len(docs):
        return []
    counts = column.count(docs)[candidates]
    found = counts > 0
    codes, counts = candidates[found], counts[found]
    # codes number the values in sorted order, so sorting codes sorts values
    if name in BY_VALUE_DESC:
        chosen = np.argsort(-codes, kind="stable")[:FACET_LIMIT]
    else:
        chosen = np.lexsort((codes, -counts))[:FACET_LIMIT]
    values = column.values
    return [[values[codes[i]], int(counts[i])] for i in chosen.tolist()]


def count_facets(table: DocTable, matched: np.ndarray, filters: dict[str, list[str]],
                 masks: dict[str, np.ndarray]) -> dict[str, list[list]]:
    """Every facet counted over the matches with the OTHER facets' filters applied.

    Standard multi-select faceting: choosing 'ISO' under publisher still shows how many IEC
    records match, so the user can add IEC.
    """
    facets = {}
    everything = None
    for name in FACETS:
        if name in masks:
            docs = keep_passing(matched, [m for other, m in masks.items() if other != name])
        else:
            if everything is None:
                everything = keep_passing(matched, masks.values())
            docs = everything
        facets[name] = count_facet(table, name, docs, filters.get(name, []))
    return facets
