"""Matching and scoring in memory, over arrays: each term's postings scored with numpy.

Whoosh's matchers walk every posting of every clause through several layers of Python
objects, twice (once for the full match set that facets need, once scored for the top hits):
profiled at 94,000 records, 50 ms each for two common words. Python dicts of postings were
the next step (30 ms at p95 on the real catalogue: merging dicts and decoding Whoosh's blocks
in Python). Here a term's postings come from the segment's cached arrays (:mod:`index.postings`)
and a query's clauses combine as sorted arrays of document numbers with their scores:
And/Or/DisjunctionMax are a few numpy operations each (sorted-array searches for small sets,
a dense vector of every document for large ones), so the cost no longer grows with Python
loops over postings.

The score is BM25 without length normalisation (b = 0): titles are short, and equal scores
are what lets the status factor and the designation order decide ties.
"""
from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
from whoosh import query as Q

from .postings import CACHED_FIELDS, SegmentPostings

#: BM25 term-frequency saturation.
K1 = 1.2
#: Scored terms kept per reader (least recently used dropped first), and the most postings
#: they may hold together (8 bytes each, their scores: ~16 MB; the document numbers are the
#: memory-mapped postings themselves, or shared with the unboosted entry).
CACHE_TERMS = 2048
CACHE_POSTINGS = 2_000_000
#: Term look-ups (whether a field holds a word) remembered per snapshot, about 100 bytes each.
KNOWN_TERMS = 20_000
#: A union whose parts hold fewer postings than the documents ÷ this is merged by sorting;
#: larger ones are added into a dense vector of every document (no sort, two passes).
SPARSE_RATIO = 3


class Scored:
    """Matching documents, ascending and unique (int32), with their scores (float64)."""

    __slots__ = ("docs", "scores")

    def __init__(self, docs: np.ndarray, scores: np.ndarray):
        self.docs = docs
        self.scores = scores

    def __len__(self) -> int:
        return len(self.docs)

    def score_of(self, docnum: int) -> float | None:
        """The score of one document, or None when it does not match."""
        i = int(np.searchsorted(self.docs, docnum))
        if i < len(self.docs) and self.docs[i] == docnum:
            return float(self.scores[i])
        return None


EMPTY = Scored(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float64))


class TermScores:
    """Per-reader cache of the scored postings of (field, term) pairs.

    ``segments`` are the reader's leaves as (SegmentPostings or None, docnum offset); a field
    not cached there (the designations) is read through Whoosh.
    """

    def __init__(self, reader, segments: list[tuple[SegmentPostings | None, int]] | None = None,
                 limit: int = CACHE_TERMS):
        self.reader = reader
        self.limit = limit
        self.size = reader.doc_count_all()
        self.total = max(1, self.size)
        self.segments = segments or []
        self._arrays = bool(self.segments) and all(seg is not None for seg, _ in self.segments)
        self._cache: OrderedDict = OrderedDict()
        self._postings = 0
        self._frequencies: dict[tuple[str, str], int] = {}
        self._known: dict[tuple[str, str], bool] = {}

    def contains(self, fieldname: str, text: str) -> bool:
        """Whether any document holds ``text`` in ``fieldname`` (deleted ones included)."""
        if self._arrays and fieldname in CACHED_FIELDS:
            # query understanding asks about the same few thousand words again and again (every
            # word in six fields, its stems, its neighbours): answers kept per snapshot
            known = self._known
            found = known.get((fieldname, text))
            if found is None:
                found = any((fieldname, text) in seg for seg, _ in self.segments)
                if len(known) >= KNOWN_TERMS:
                    known.clear()
                known[(fieldname, text)] = found
            return found
        try:
            return (fieldname, text) in self.reader
        except (KeyError, ValueError):
            return False

    def field_terms(self, fieldname: str) -> list[str]:
        """Every term of a cached field, over all segments (for the Chinese typo vocabulary)."""
        found: list[str] = []
        for seg, _ in self.segments:
            directory = seg.fields.get(fieldname) if seg is not None else None
            if directory is not None:
                table = directory.table
                found.extend(table.text(i) for i in range(len(table)))
        return found

    def touch(self) -> None:
        """Page in the cached postings arrays (see SegmentPostings.touch)."""
        for seg, _ in self.segments:
            if seg is not None:
                seg.touch()

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """Documents holding a term, deleted ones included (cached per reader)."""
        key = (fieldname, text)
        found = self._frequencies.get(key)
        if found is None:
            if self._arrays and fieldname in CACHED_FIELDS:
                found = sum(seg.doc_frequency(fieldname, text) for seg, _ in self.segments)
            else:
                found = self.reader.doc_frequency(fieldname, text) if self.contains(fieldname, text) else 0
            if len(self._frequencies) >= 65536:
                self._frequencies.clear()
            self._frequencies[key] = found
        return found

    def list_docs(self, fieldname: str, text: str) -> list[int]:
        """The document numbers holding a term, ascending (deleted ones included)."""
        return self.get(fieldname, text).docs.tolist()

    def get(self, fieldname: str, text: str, boost: float = 1.0) -> Scored:
        """Scores of the documents holding ``text`` in ``fieldname``, times ``boost``."""
        key = (fieldname, text, boost)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        if boost != 1.0:
            base = self.get(fieldname, text)
            scored = Scored(base.docs, base.scores * boost) if len(base) else EMPTY  # the same docs
        elif self._arrays and fieldname in CACHED_FIELDS:
            scored = self._from_arrays(fieldname, text)
        else:
            scored = self._from_whoosh(fieldname, text)
        self._remember(key, scored)
        return scored

    def _from_arrays(self, fieldname: str, text: str) -> Scored:
        parts = []
        for seg, offset in self.segments:
            docs, tfs = seg.get(fieldname, text)
            if len(docs):
                parts.append((docs, tfs, offset))
        if not parts:
            return EMPTY
        df = sum(len(docs) for docs, _, _ in parts)
        saturation = (math.log(self.total / (df + 1)) + 1) * (K1 + 1)
        if len(parts) == 1 and not parts[0][2]:
            # the memory-mapped postings themselves (read-only, shared by every process), no copy
            docs, tfs = parts[0][0], parts[0][1]
        else:
            docs = np.concatenate([d + np.int32(offset) if offset else d for d, _, offset in parts]).astype(np.int32)
            tfs = np.concatenate([t for _, t, _ in parts])
        tf = tfs.astype(np.float64)
        return Scored(docs, saturation * tf / (tf + K1))

    def _from_whoosh(self, fieldname: str, text: str) -> Scored:
        if not self.contains(fieldname, text):
            return EMPTY
        idf = math.log(self.total / (self.doc_frequency(fieldname, text) + 1)) + 1
        saturation = idf * (K1 + 1)
        leaves = self.reader.leaf_readers() if not self.reader.is_atomic() else [(self.reader, 0)]
        ids: list[int] = []
        weights: list[float] = []
        for leaf, offset in leaves:
            if (fieldname, text) in leaf:
                _read_postings(leaf.postings(fieldname, text), offset, ids, weights)
        if not ids:
            return EMPTY
        tf = np.array(weights, dtype=np.float64)
        return Scored(np.array(ids, dtype=np.int32), saturation * tf / (tf + K1))

    def _remember(self, key: tuple, scored: Scored) -> None:
        self._cache[key] = scored
        self._postings += len(scored)
        while len(self._cache) > 1 and (len(self._cache) > self.limit or self._postings > CACHE_POSTINGS):
            _, dropped = self._cache.popitem(last=False)
            self._postings -= len(dropped)


def _read_postings(matcher, offset: int, ids: list[int], weights: list[float]) -> None:
    """Append one segment's postings, a block at a time where the codec allows.

    whoosh-reloaded 2.7.5's W3LeafMatcher keeps a block's ids and weights in ``_ids`` and
    ``_weights``; reading them whole avoids four method calls per posting. Any other matcher
    goes posting by posting.
    """
    if all(hasattr(matcher, name) for name in ("_read_ids", "_read_weights", "_next_block", "_atend")):
        while not matcher._atend:
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids if not offset else [d + offset for d in matcher._ids])
            weights.extend(matcher._weights)
            matcher._next_block()
        return
    while matcher.is_active():
        ids.append(matcher.id() + offset)
        weights.append(matcher.weight())
        matcher.next()


class Within:
    """Candidate documents (ascending) that an evaluation may keep; nothing outside them matters.

    An And evaluates its most selective clause first and the others only within its matches,
    so a common word next to a rare one costs a look-up per candidate, not a pass over its
    postings. The dense mask is made once, when a large clause needs it.
    """

    __slots__ = ("docs", "size", "_mask")

    def __init__(self, docs: np.ndarray, size: int):
        self.docs = docs
        self.size = size
        self._mask = None

    def restrict(self, scored: Scored) -> Scored:
        """The part of ``scored`` inside the candidates."""
        docs = self.docs
        if not len(scored) or not len(docs):
            return EMPTY
        if len(docs) * 4 < len(scored):
            # few candidates: find each among the postings
            where = np.searchsorted(scored.docs, docs)
            where[where == len(scored)] = 0
            where = where[scored.docs[where] == docs]
            return Scored(scored.docs[where], scored.scores[where])
        if self._mask is None and len(scored) * 64 < self.size:
            where = np.searchsorted(docs, scored.docs)
            where[where == len(docs)] = 0
            keep = docs[where] == scored.docs
        else:
            if self._mask is None:
                self._mask = np.zeros(self.size, dtype=bool)
                self._mask[docs] = True
            keep = self._mask[scored.docs]
        return Scored(scored.docs[keep], scored.scores[keep])


def estimate(q: Q.Query, terms: TermScores) -> int:
    """An upper bound of the documents a query matches, from document frequencies only."""
    if isinstance(q, Q.Term):
        return terms.doc_frequency(q.fieldname, q.text)
    if isinstance(q, Q.And):
        return min((estimate(sub, terms) for sub in q.subqueries), default=0)
    if isinstance(q, (Q.Or, Q.DisjunctionMax)):
        return min(terms.size, sum(estimate(sub, terms) for sub in q.subqueries))
    if q is Q.NullQuery or isinstance(q, type(Q.NullQuery)):
        return 0
    return terms.size  # a fuzzy term: unknown until expanded


def evaluate(q: Q.Query, terms: TermScores, within: Within | None = None) -> Scored:
    """The documents matching a query built by :mod:`index.query`, with their scores.

    ``within``: only these candidates are wanted (see Within). Never changes cached arrays:
    a boost makes new ones.
    """
    if isinstance(q, Q.Term):
        scored = terms.get(q.fieldname, q.text, q.boost)
        return within.restrict(scored) if within is not None else scored
    if isinstance(q, Q.FuzzyTerm):
        expanded = [Q.Term(q.fieldname, t, boost=q.boost)
                    for t in terms.reader.terms_within(q.fieldname, q.text, q.maxdist, prefix=q.prefixlength)]
        return combine_any([evaluate(t, terms, within) for t in expanded], terms.size)
    if isinstance(q, Q.And):
        result = _conjunction(q.subqueries, terms, within)
    elif isinstance(q, Q.DisjunctionMax):
        result = combine_any([evaluate(sub, terms, within) for sub in q.subqueries], terms.size, take_max=True)
    elif isinstance(q, Q.Or):
        result = combine_any([evaluate(sub, terms, within) for sub in q.subqueries], terms.size)
    elif q is Q.NullQuery or isinstance(q, type(Q.NullQuery)):
        return EMPTY
    else:
        raise TypeError(f"index.scoring cannot evaluate {type(q).__name__}")
    if q.boost != 1 and len(result):
        result = Scored(result.docs, result.scores * q.boost)
    return result


def _conjunction(subqueries: list[Q.Query], terms: TermScores, within: Within | None) -> Scored:
    """Documents matching every clause, scores added; the most selective clause first and the
    others evaluated only within what is left."""
    if not subqueries:
        return EMPTY
    ordered = sorted(subqueries, key=lambda sub: estimate(sub, terms))
    result = evaluate(ordered[0], terms, within)
    for sub in ordered[1:]:
        if not len(result):
            return EMPTY
        part = evaluate(sub, terms, Within(result.docs, terms.size))
        if not len(part):
            return EMPTY
        # part's documents are a subset of result's
        where = np.searchsorted(result.docs, part.docs)
        result = Scored(part.docs, result.scores[where] + part.scores)
    return result


def combine_any(parts: list[Scored], size: int, take_max: bool = False) -> Scored:
    """Documents in any part, scores added (or the best one with ``take_max``).

    Parts are added largest first, as the dict version did, so equal inputs give equal sums.
    """
    parts = [p for p in parts if len(p)]
    if not parts:
        return EMPTY
    if len(parts) == 1:
        return parts[0]
    parts.sort(key=len, reverse=True)
    total = sum(len(p) for p in parts)
    if total * SPARSE_RATIO < size:
        docs = np.concatenate([p.docs for p in parts])
        scores = np.concatenate([p.scores for p in parts])
        order = np.argsort(docs, kind="stable")
        docs, scores = docs[order], scores[order]
        starts = np.flatnonzero(np.concatenate(([True], docs[1:] != docs[:-1])))
        combine = np.maximum if take_max else np.add
        return Scored(docs[starts], combine.reduceat(scores, starts))
    acc = np.zeros(size, dtype=np.float64)
    seen = np.zeros(size, dtype=bool)
    for part in parts:
        if take_max:
            acc[part.docs] = np.maximum(acc[part.docs], part.scores)
        else:
            acc[part.docs] += part.scores
        seen[part.docs] = True
    docs = np.flatnonzero(seen).astype(np.int32)
    return Scored(docs, acc[docs])


def combine_all(parts: list[Scored], size: int) -> Scored:
    """Documents in every part, scores added smallest part first."""
    if not parts or any(not len(p) for p in parts):
        return EMPTY
    if len(parts) == 1:
        return parts[0]
    parts = sorted(parts, key=len)
    docs, scores = parts[0].docs, parts[0].scores
    for part in parts[1:]:
        if len(docs) * 16 > size:
            # many candidates: look them up in dense vectors rather than by binary search
            present = np.zeros(size, dtype=bool)
            present[part.docs] = True
            values = np.zeros(size, dtype=np.float64)
            values[part.docs] = part.scores
            keep = present[docs]
            docs = docs[keep]
            scores = scores[keep] + values[docs]
        else:
            where = np.searchsorted(part.docs, docs)
            where[where == len(part.docs)] = 0
            keep = part.docs[where] == docs
            docs = docs[keep]
            scores = scores[keep] + part.scores[where[keep]]
        if not len(docs):
            return EMPTY
    return Scored(docs, scores)
