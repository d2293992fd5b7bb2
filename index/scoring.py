"""Matching and scoring in memory: each term's postings read once into {docnum: score}.

Whoosh's matchers walk every posting of every clause through several layers of Python
objects, twice (once for the full match set that facets need, once scored for the top hits):
profiled at 94,000 records, 50 ms each for two common words. Here a term's postings are read
once per reader into a dict of BM25 term scores (cached: the same words come back in the next
query), and And/Or/DisjunctionMax become dict and set operations that run in C.

The score is BM25 without length normalisation (b = 0): titles are short, and equal scores
are what lets the status factor and the designation order decide ties.
"""
from __future__ import annotations

import math
from collections import OrderedDict

from whoosh import query as Q

#: BM25 term-frequency saturation.
K1 = 1.2
#: Term score dicts kept per reader (least recently used dropped first), and the most
#: postings they may hold together (about 100 bytes each: ~60 MB, a worker's budget matters).
CACHE_TERMS = 2048
CACHE_POSTINGS = 600_000


class TermScores:
    """Per-reader cache of {docnum: BM25 score} for (field, term) pairs."""

    def __init__(self, reader, limit: int = CACHE_TERMS):
        self.reader = reader
        self.limit = limit
        self.total = max(1, reader.doc_count_all())
        self._cache: OrderedDict = OrderedDict()
        self._postings = 0

    def get(self, fieldname: str, text: str, boost: float = 1.0) -> dict[int, float]:
        """Scores of the documents holding ``text`` in ``fieldname``, times ``boost``."""
        key = (fieldname, text, boost)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        if boost != 1.0:
            scores = {d: s * boost for d, s in self.get(fieldname, text).items()}
            self._remember(key, scores)
            return scores
        scores = {}
        if (fieldname, text) in self.reader:
            idf = math.log(self.total / (self.reader.doc_frequency(fieldname, text) + 1)) + 1
            saturation = idf * (K1 + 1)
            leaves = self.reader.leaf_readers() if not self.reader.is_atomic() else [(self.reader, 0)]
            for leaf, offset in leaves:
                if (fieldname, text) in leaf:
                    _read_postings(leaf.postings(fieldname, text), offset, saturation, scores)
        self._remember(key, scores)
        return scores

    def _remember(self, key: tuple, scores: dict[int, float]) -> None:
        self._cache[key] = scores
        self._postings += len(scores)
        while len(self._cache) > 1 and (len(self._cache) > self.limit or self._postings > CACHE_POSTINGS):
            _, dropped = self._cache.popitem(last=False)
            self._postings -= len(dropped)


def _read_postings(matcher, offset: int, saturation: float, scores: dict[int, float]) -> None:
    """Add one segment's postings to ``scores``, a block at a time where the codec allows.

    whoosh-reloaded 2.7.5's W3LeafMatcher keeps a block's ids and weights in ``_ids`` and
    ``_weights``; reading them whole avoids four method calls per posting. Any other matcher
    goes posting by posting.
    """
    if all(hasattr(matcher, name) for name in ("_read_ids", "_read_weights", "_next_block", "_atend")):
        while not matcher._atend:
            matcher._read_ids()
            matcher._read_weights()
            ids = matcher._ids if not offset else [d + offset for d in matcher._ids]
            scores.update(zip(ids, [saturation * tf / (tf + K1) for tf in matcher._weights]))
            matcher._next_block()
        return
    while matcher.is_active():
        tf = matcher.weight()
        scores[matcher.id() + offset] = saturation * tf / (tf + K1)
        matcher.next()


def evaluate(q: Q.Query, terms: TermScores) -> dict[int, float]:
    """The documents matching a query built by :mod:`index.query`, with their scores.

    Never mutates cached dicts: a boosted term makes a new one.
    """
    if isinstance(q, Q.Term):
        return terms.get(q.fieldname, q.text, q.boost)
    if isinstance(q, Q.FuzzyTerm):
        expanded = [Q.Term(q.fieldname, t, boost=q.boost)
                    for t in terms.reader.terms_within(q.fieldname, q.text, q.maxdist, prefix=q.prefixlength)]
        return _union([evaluate(t, terms) for t in expanded])
    if isinstance(q, Q.And):
        result = _intersection([evaluate(sub, terms) for sub in q.subqueries])
    elif isinstance(q, Q.DisjunctionMax):
        result = _union([evaluate(sub, terms) for sub in q.subqueries], take_max=True)
    elif isinstance(q, Q.Or):
        result = _union([evaluate(sub, terms) for sub in q.subqueries])
    elif q is Q.NullQuery or isinstance(q, type(Q.NullQuery)):
        return {}
    else:
        raise TypeError(f"index.scoring cannot evaluate {type(q).__name__}")
    if q.boost != 1:
        result = {d: s * q.boost for d, s in result.items()}
    return result


def _union(parts: list[dict[int, float]], take_max: bool = False) -> dict[int, float]:
    parts = [p for p in parts if p]
    if not parts:
        return {}
    if len(parts) == 1:
        return parts[0]
    parts.sort(key=len, reverse=True)
    result = dict(parts[0])
    for part in parts[1:]:
        get = result.get
        if take_max:
            for docnum, score in part.items():
                if score > get(docnum, 0.0):
                    result[docnum] = score
        else:
            for docnum, score in part.items():
                result[docnum] = get(docnum, 0.0) + score
    return result


def _intersection(parts: list[dict[int, float]]) -> dict[int, float]:
    if not parts or any(not p for p in parts):
        return {}
    if len(parts) == 1:
        return parts[0]
    parts = sorted(parts, key=len)
    common = parts[0].keys() & parts[1].keys()
    for part in parts[2:]:
        common &= part.keys()
        if not common:
            return {}
    if len(parts) == 2:
        first, second = parts
        return {d: first[d] + second[d] for d in common}
    return {d: sum(p[d] for p in parts) for d in common}
