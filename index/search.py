"""Searching: arguments checked, designations answered first, ranking, paging, snippets.

Ranking: a query that is (or contains) a designation lists that edition first, then the other
editions of its work (the edition in force first), then other standards sharing the number,
then word matches. Word matches are scored by BM25 per field with field boosts (titles above
scope; :mod:`index.scoring`), multiplied by a status factor (schema.STATUS_FACTOR: in force
1.0, withdrawn or replaced 0.75) so that a standard in force ranks above a withdrawn one of
about the same relevance, which stays findable, and by a bounded title-length factor
(table.DocTable.focus); remaining ties go in designation order.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .analyzers import HAS_CJK, LATIN_WORD, dash_form, fold_chinese
from .facets import FACETS, count_facets, keep_passing
from .table import DocTable
from .scoring import EMPTY, Scored, evaluate
from .query import Understood, bare_of, fold_word, collect_stem_heads, stem_word, suggest_spelling, understand
from .schema import (
    ROW_DESIGNATION,
    ROW_IN_FORCE,
    ROW_KEY,
    ROW_PUBLISHER,
    ROW_STATUS,
    ROW_TITLES,
    ROW_WORK,
    ROW_YEAR,
)

SORTS = ("relevance", "designation", "date")
#: Longest query text accepted; longer text is refused (the reference checker reads documents).
MAX_QUERY = 500
#: Most hits on one page.
MAX_PAGE_SIZE = 100
#: Synthetic scores of designation answers (word matches carry their BM25F score).
EXACT_SCORE, WORK_SCORE, NUMBER_SCORE = 100.0, 90.0, 80.0
#: Word matches re-ranked with the title-length normalisation (the best this many by BM25F).
RERANK_POOL = 300


class QueryError(ValueError):
    """A search the catalogue refuses politely; the message says what to change."""


@dataclass
class SearchResult:
    """One page of hits, the facet counts over all matches, and a spelling suggestion."""

    query: str
    total: int
    hits: list[dict] = field(default_factory=list)
    facets: dict[str, list[list]] = field(default_factory=dict)
    suggestion: str | None = None
    page: int = 1
    page_size: int = 20

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size)) if self.page_size else 1

    def to_json(self) -> dict[str, Any]:
        """The DESIGN.md ``search`` contract."""
        return {
            "query": self.query,
            "total": self.total,
            "hits": [
                {name: hit[name] for name in ("key", "designation", "titles", "status", "publisher", "year", "score")}
                for hit in self.hits
            ],
            "facets": self.facets,
            "suggestion": self.suggestion,
        }


def check_arguments(query: str | None, filters: dict | None, sort: str, page: int, page_size: int) -> dict[str, list[str]]:
    """Refuse what cannot be searched, with a sentence naming the argument; return clean filters."""
    if query is not None and len(query) > MAX_QUERY:
        raise QueryError(
            f"The search text is {len(query):,} characters long; the limit is {MAX_QUERY}. "
            "Shorten it, or use the reference checker to find designations in a long text."
        )
    if sort not in SORTS:
        raise QueryError(f"Cannot sort by {sort!r}; use one of: {', '.join(SORTS)}.")
    if not isinstance(page, int) or page < 1:
        raise QueryError(f"Page {page!r} does not exist; pages start at 1.")
    if not isinstance(page_size, int) or page_size < 1 or page_size > MAX_PAGE_SIZE:
        raise QueryError(f"Page size {page_size!r} is not allowed; use 1 to {MAX_PAGE_SIZE} hits a page.")
    clean: dict[str, list[str]] = {}
    for name, values in (filters or {}).items():
        if name not in FACETS:
            raise QueryError(f"Cannot filter by {name!r}; use one of: {', '.join(FACETS)}.")
        if isinstance(values, str):
            values = [values]
        values = [str(v).strip() for v in values if str(v).strip()]
        if name == "ccs":
            values = [v.upper() for v in values]
        if values:
            clean[name] = values
    return clean


def _pinned(und: Understood, searcher, table: DocTable) -> list[tuple[int, float]]:
    """Designation answers in order: the edition asked for, its work's editions, same number."""
    out: dict[int, float] = {}
    rows = table.rows
    for dashed in und.designations:
        # postings keep deleted documents until a merge: live rows only
        docs = [d for d in table.terms.list_docs("desig", dashed) if rows[d] is not None]
        exact = [d for d in docs if _dashed_key(rows[d][ROW_KEY]) == dashed]
        for docnum in exact:
            out.setdefault(docnum, EXACT_SCORE)
        works: list[str] = []
        for docnum in exact + sorted(docs, key=table.edition_order):
            row = table.rows[docnum]
            if row and row[ROW_WORK] not in works:
                works.append(row[ROW_WORK])
        # the works named exactly ('iso-5208') before works that only share the number
        works.sort(key=lambda w: (_dashed_key(w) != dashed and not any(table.rows[d][ROW_WORK] == w for d in exact)))
        for work in works:
            for docnum in sorted(table.docs_of_work(work), key=table.edition_order):
                out.setdefault(docnum, WORK_SCORE if _dashed_key(work) == dashed or exact else NUMBER_SCORE)
        bare = bare_of(dashed)
        if bare and bare != dashed:
            others = [d for d in table.terms.list_docs("desig", bare) if d not in out and rows[d] is not None]
            for docnum in sorted(others, key=table.edition_order):
                out.setdefault(docnum, NUMBER_SCORE)
    return list(out.items())


def _dashed_key(key: str) -> str:
    return dash_form(key)


def run_search(searcher, table: DocTable, glossary, text: str, filters: dict[str, list[str]],
               sort: str, page: int, page_size: int, facets: bool, lang: str) -> SearchResult:
    """Search one searcher snapshot; arguments already checked by :func:`check_arguments`."""
    text = (text or "").strip()
    und = understand(text, searcher, glossary, table.terms) if text else Understood(text="")
    pinned = _pinned(und, searcher, table) if und.designations else []
    pinned_docs = np.array(sorted({d for d, _ in pinned}), dtype=np.int32)
    word_q = und.word_query(require_all=True)
    scored = EMPTY
    if not text:
        matched = table.alive
    else:
        scored = _evaluate(word_q, table)
        if word_q is not None and not len(scored) and len(und.groups) > 1 and not len(pinned_docs):
            # no title holds every word: any word will do, more matched words score higher
            scored = _evaluate(und.word_query(require_all=False), table)
        matched = np.union1d(scored.docs, pinned_docs).astype(np.int32) if len(pinned_docs) else scored.docs
    masks = table.make_filter_masks(filters)
    final = keep_passing(matched, masks.values())

    def passes(docnum: int) -> bool:
        return all(mask[docnum] for mask in masks.values())

    offset = (page - 1) * page_size
    needed = offset + page_size
    scores: dict[int, float] = {}
    if sort != "relevance" or not text:
        sort_name = sort if sort != "relevance" else "browse"  # an empty query has no relevance
        ordered = table.take_in_order(sort_name, final, needed)[offset:needed]
        factor = table.factor
        for docnum in ordered:
            score = scored.score_of(docnum) if len(scored) else None
            if score is not None:
                scores[docnum] = score * float(factor[docnum])
        scores.update((d, s) for d, s in pinned if passes(d))
    else:
        head = [(d, s) for d, s in pinned if passes(d)]
        ordered_all = [d for d, _ in head]
        scores = dict(head)
        if len(ordered_all) < needed and len(scored):
            ordered_all.extend(_rank_words(table, scored, masks, pinned_docs, needed - len(ordered_all), scores))
        ordered = ordered_all[offset:needed]

    hits = [_hit(table.rows[d], scores.get(d), und, lang) for d in ordered]
    facet_counts: dict[str, list[list]] = {}
    if facets:
        cache_key = None if text else tuple(sorted((k, tuple(sorted(v))) for k, v in filters.items()))
        if cache_key is not None and cache_key in table.facet_cache:
            facet_counts = table.facet_cache[cache_key]
        else:
            facet_counts = count_facets(table, matched, filters, masks)
            if cache_key is not None:
                table.facet_cache[cache_key] = facet_counts
    suggestion = suggest_spelling(und, searcher, text) if text and und.unknown else None
    return SearchResult(query=text, total=len(final), hits=hits, facets=facet_counts,
                        suggestion=suggestion, page=page, page_size=page_size)


def _rank_words(table: DocTable, scored: Scored, masks: dict, pinned_docs: np.ndarray, count: int,
                  scores: dict[int, float]) -> list[int]:
    """The best ``count`` word matches that pass the filters and are not pinned; fills ``scores``.

    A pool by relevance and status (every match scoring at least the RERANK_POOL-th best, ties
    included), then the title-length normalisation (facets.py) decides among it; at equal
    score: in force first (the factor), then designation order.
    """
    keep = np.ones(len(scored), dtype=bool)
    for mask in masks.values():
        keep &= mask[scored.docs]
    if len(pinned_docs):
        keep &= ~np.isin(scored.docs, pinned_docs)
    docs = scored.docs[keep]
    if not len(docs):
        return []
    factor = table.factor[docs]
    value = scored.scores[keep] * factor
    pool_size = max(count, RERANK_POOL)
    if len(value) > pool_size:
        threshold = np.partition(value, len(value) - pool_size)[len(value) - pool_size]
        in_pool = value >= threshold
        docs, factor, value = docs[in_pool], factor[in_pool], value[in_pool]
    final = value * table.focus[docs]
    places = table.position("designation")[docs]
    top = np.lexsort((places, -factor, -final))[:count]
    chosen = docs[top].tolist()
    scores.update(zip(chosen, final[top].tolist()))
    return chosen


def _evaluate(word_q, table: DocTable) -> Scored:
    """Scores of the live documents matching the word query (empty without one)."""
    if word_q is None:
        return EMPTY
    scored = evaluate(word_q, table.terms)
    if len(table.alive) != len(table.rows) and len(scored):  # deleted documents linger in postings until a merge
        live = table.live[scored.docs]
        if not live.all():
            scored = Scored(scored.docs[live], scored.scores[live])
    return scored


def _hit(row: tuple, score: float | None, und: Understood, lang: str) -> dict:
    titles = row[ROW_TITLES]
    return {
        "key": row[ROW_KEY],
        "designation": row[ROW_DESIGNATION],
        "titles": dict(titles),
        "status": row[ROW_STATUS],
        "publisher": row[ROW_PUBLISHER],
        "year": row[ROW_YEAR],
        "score": round(float(score), 4) if score is not None else None,
        "snippet": make_snippet(titles, und, lang),
        "in_force": bool(row[ROW_IN_FORCE]),
    }


def make_snippet(titles: dict[str, str], und: Understood, lang: str) -> str:
    """The title in ``lang`` (or the one with most matches), HTML-escaped, matches in <mark>.

    'Industrial valves - Pressure testing' for 'valve test' ->
    'Industrial <mark>valves</mark> - Pressure <mark>testing</mark>'.
    """
    if not titles:
        return ""
    best = None
    for tlang, title in titles.items():
        spans = match_spans(title, und)
        # the reader's language when it has a match, else the title with most matches
        rank = (bool(spans), tlang == lang, len(spans), tlang == "en")
        if best is None or rank > best[0]:
            best = (rank, title, spans)
    return mark_spans(best[1], best[2])


def _find_all(text: str, terms: set[str]) -> list[tuple[int, int]]:
    """Every (start, end) of every term in the text, longest terms first."""
    spans = []
    for term in sorted(terms, key=len, reverse=True):
        start = text.find(term)
        while start >= 0:
            spans.append((start, start + len(term)))
            start = text.find(term, start + len(term))
    return spans


def match_spans(title: str, und: Understood) -> list[list[int]]:
    """The [start, end] of every matched word of a title, overlaps merged, in order."""
    spans: list[tuple[int, int]] = []
    if und.words or und.stems:
        words, stems = und.words, und.stems
        if und.heads is None:
            und.heads = (collect_stem_heads(stems),)
        heads = und.heads[0]
        for m in LATIN_WORD.finditer(title):
            low = fold_word(m.group())
            if low in words or ((heads is None or low[:2] in heads) and stem_word(low) in stems):
                spans.append(m.span())
    if und.cjk:
        found = _find_all(title, und.cjk)
        if not found and HAS_CJK.search(title):
            # a traditional-character title: fold it (slow, pure-Python OpenCC) only when needed
            folded = fold_chinese(title)
            if len(folded) == len(title):
                found = _find_all(folded, und.cjk)
        spans.extend(found)
    if not spans:
        return []
    spans.sort()
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def mark_spans(title: str, spans: list[list[int]]) -> str:
    """The title HTML-escaped, each span in <mark>."""
    if not spans:
        return html.escape(title)
    out, pos = [], 0
    for start, end in spans:
        out.append(html.escape(title[pos:start]))
        out.append(f"<mark>{html.escape(title[start:end])}</mark>")
        pos = end
    out.append(html.escape(title[pos:]))
    return "".join(out)


def highlight(title: str, und: Understood) -> tuple[str, int]:
    """A title HTML-escaped with matched words in <mark>, and how many were marked."""
    spans = match_spans(title, und)
    return mark_spans(title, spans), len(spans)
