"""Searching: arguments checked, designations understood first, ranking, grouping, paging.

What a number means is decided once (index/meaning.py): a dated designation we hold answers
that edition, an undated one the standard, a part-less number its parts in part order; a
designation we do not hold is answered as not held (``SearchResult.meanings``), never with
other standards. Words are matched and scored by BM25 per field with field boosts (titles
above scope; :mod:`index.scoring`), multiplied by a status factor (schema.STATUS_FACTOR: in
force 1.0, withdrawn or replaced 0.5) and a bounded title-length factor (table.DocTable.focus);
remaining ties go in designation order.

Results are grouped by standard by default (index/grouping.py): one hit per work, the edition
in force shown, its other editions, supplements and versions folded under it; totals and facet
counts count standards. ``group="none"`` lists every edition (designation answers first: the
edition asked for, its work's other editions in edition order, then word matches).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .analyzers import dash_form
from .facets import FACETS, count_facets, keep_passing
from .grouping import count_standards, describe_group, first_of_each, members, representative
from .meaning import Meaning, TableFacts, decide, list_parts, series_record_docs
from .query import Understood, bare_of, suggest_spelling, understand
from .schema import (
    KINDS,
    ROW_DESIGNATION,
    ROW_IN_FORCE,
    ROW_KEY,
    ROW_PUBLISHER,
    ROW_STATUS,
    ROW_TITLES,
    ROW_WORK,
    ROW_YEAR,
)
from .scoring import EMPTY, Scored, evaluate
from .snippets import highlight, make_snippet, mark_spans, match_spans  # noqa: F401 - re-exported
from .table import DocTable

SORTS = ("relevance", "designation", "date")
#: ``work``: one hit per standard (the default); ``none``: every edition its own hit.
GROUPS = ("work", "none")
#: Longest query text accepted; longer text is refused (the reference checker reads documents).
MAX_QUERY = 500
#: Most hits on one page.
MAX_PAGE_SIZE = 100
#: Synthetic scores of designation answers (word matches carry their BM25F score).
EXACT_SCORE, WORK_SCORE, NUMBER_SCORE = 100.0, 90.0, 80.0
#: Word matches re-ranked with the title-length normalisation (the best this many by BM25F).
RERANK_POOL = 300
#: Hit fields of the DESIGN.md contract (plus the snippet, the edition-in-force flag, the kind).
HIT_FIELDS = ("key", "designation", "titles", "status", "publisher", "year", "score")


class QueryError(ValueError):
    """A search the catalogue refuses politely; the message says what to change."""


@dataclass
class SearchResult:
    """One page of hits, the facet counts over all matches, a spelling suggestion, and what the
    designations in the query mean (held, not held, a series), answered outside the hits."""

    query: str
    total: int
    hits: list[dict] = field(default_factory=list)
    facets: dict[str, list[list]] = field(default_factory=dict)
    suggestion: str | None = None
    page: int = 1
    page_size: int = 20
    group: str = "work"
    meanings: list[Meaning] = field(default_factory=list)
    #: Series asked for: {"designation", "work", "parts", "record": hit or None}.
    series: list[dict] = field(default_factory=list)
    #: What we know about designations not held (filled by the catalogue: catalogue/notheld.py).
    related: list[dict] = field(default_factory=list)
    #: Where to look a designation not held up, by designation (filled by the catalogue).
    lookups: dict[str, dict] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size)) if self.page_size else 1

    @property
    def not_held(self) -> list[dict]:
        """The designations asked for that the catalogue does not hold."""
        out = []
        for meaning in self.meanings:
            if meaning.kind == "not_held":
                asked = meaning.asked
                out.append({"designation": asked.display, "text": asked.text, "key": asked.key, "work": asked.work,
                            "publisher": asked.publisher, "state": meaning.standing.state,
                            "lookup": self.lookups.get(asked.display)})
        return out

    def to_json(self) -> dict[str, Any]:
        """The DESIGN.md ``search`` contract."""
        hits = []
        for hit in self.hits:
            out = {name: hit[name] for name in HIT_FIELDS}
            out["kind"] = hit.get("kind", "edition")
            if "group" in hit:
                out["group"] = hit["group"]
            if hit.get("exact"):
                out["exact"] = True
            hits.append(out)
        return {
            "query": self.query,
            "total": self.total,
            "group": self.group,
            "counts": "standards" if self.group == "work" else "editions",
            "hits": hits,
            "facets": self.facets,
            "suggestion": self.suggestion,
            "understood": [m.to_json() for m in self.meanings],
            "not_held": self.not_held,
            "related": self.related,
            "series": self.series,
        }


def check_arguments(query: str | None, filters: dict | None, sort: str, page: int, page_size: int,
                    group: str = "work") -> dict[str, list[str]]:
    """Refuse what cannot be searched, with a sentence naming the argument; return clean filters."""
    if group not in GROUPS:
        raise QueryError(f"Cannot group by {group!r}; use one of: {', '.join(GROUPS)}.")
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


@dataclass
class Pinned:
    """Designation answers, in order: groups (a standard each) or, ungrouped, documents."""

    groups: list[tuple[int, int | None, float]] = field(default_factory=list)  # (code, preferred doc, score)
    series: list[dict] = field(default_factory=list)

    def add(self, code: int, prefer: int | None, score: float) -> None:
        if code >= 0 and all(code != c for c, _, _ in self.groups):
            self.groups.append((code, prefer, score))


def _live_docs_of_key(table: DocTable, key: str) -> list[int]:
    return [d for d in table.terms.list_docs("key", key) if table.live[d]]


def _pin_meanings(meanings: list[Meaning], table: DocTable, pinned: Pinned) -> None:
    for meaning in meanings:
        asked = meaning.asked
        if meaning.kind == "edition":
            for docnum in _live_docs_of_key(table, asked.key):
                pinned.add(int(table.group[docnum]), docnum, EXACT_SCORE)
        elif meaning.kind == "work":
            pinned.add(table.group_code(asked.work), None, WORK_SCORE)
        elif meaning.kind == "series":
            for part in meaning.parts:
                pinned.add(table.group_code(part), None, WORK_SCORE)
            pinned.series.append({"designation": asked.display, "work": asked.work, "parts": len(meaning.parts),
                                  "docs": series_record_docs(table, asked.work)})


def _pin_numbers(und: Understood, table: DocTable, pinned: Pinned) -> None:
    """Designation terms the index holds that the grammar does not read (a bare number '5208',
    a plan number): the works named exactly, then other works sharing the number."""
    rows = table.rows
    for dashed in und.designations:
        docs = [d for d in table.terms.list_docs("desig", dashed) if rows[d] is not None]
        exact = [d for d in docs if dash_form(rows[d][ROW_KEY]) == dashed]
        for docnum in exact:
            pinned.add(int(table.group[docnum]), docnum, EXACT_SCORE)
        codes: list[int] = []
        for docnum in sorted(docs, key=lambda d: int(table.edrank[d])):
            code = int(table.group[docnum])
            if code not in codes:
                codes.append(code)
        named = [c for c in codes if dash_form(table.group_name(c)) == dashed]
        for code in named + [c for c in codes if c not in named]:
            pinned.add(code, None, WORK_SCORE if code in named or exact else NUMBER_SCORE)
        bare = bare_of(dashed)
        if bare and bare != dashed:
            others = sorted((d for d in table.terms.list_docs("desig", bare) if rows[d] is not None),
                            key=lambda d: int(table.edrank[d]))
            for docnum in others:
                pinned.add(int(table.group[docnum]), None, NUMBER_SCORE)


def run_search(searcher, table: DocTable, glossary, text: str, filters: dict[str, list[str]],
               sort: str, page: int, page_size: int, facets: bool, lang: str, group: str = "work",
               facts=None) -> SearchResult:
    """Search one searcher snapshot; arguments already checked by :func:`check_arguments`.

    ``facts``: what decides whether a designation is held (a Store, the catalogue of record;
    else this index's own table, :class:`index.meaning.TableFacts`).
    """
    text = (text or "").strip()
    und = understand(text, searcher, glossary, table.terms) if text else Understood(text="")
    facts = facts if facts is not None else TableFacts(table)
    meanings = [decide(a, facts, parts=None if a.dated else list_parts(table, a.work)) for a in und.asked]
    pinned = Pinned()
    _pin_meanings(meanings, table, pinned)
    _pin_numbers(und, table, pinned)
    pinned_docs = np.unique(np.concatenate([table.docs_of_group(c) for c, _, _ in pinned.groups])).astype(np.int32) \
        if pinned.groups else np.zeros(0, dtype=np.int32)
    word_q = und.word_query(require_all=True)
    scored = EMPTY
    if not text:
        matched = table.alive
    else:
        scored = _evaluate(word_q, table)
        if word_q is not None and not len(scored) and len(und.groups) > 1 and not len(pinned_docs) \
                and not und.asked:
            # no title holds every word: every word but lone untranslated characters, else any
            # word will do (more matched words score higher)
            core = und.core_query()
            if core is not None:
                scored = _evaluate(core, table)
            if not len(scored):
                scored = _evaluate(und.any_query(), table)
        matched = np.union1d(scored.docs, pinned_docs).astype(np.int32) if len(pinned_docs) else scored.docs
    masks = table.make_filter_masks(filters)
    final = keep_passing(matched, masks.values())
    grouped = group == "work"
    offset = (page - 1) * page_size
    needed = offset + page_size
    if grouped:
        hits = _grouped_hits(table, und, scored, pinned, masks, final, sort, text, offset, needed, lang)
        total = count_standards(table, final)
    else:
        hits = _edition_hits(table, und, scored, pinned, masks, final, sort, text, offset, needed, lang)
        total = len(final)
    facet_counts: dict[str, list[list]] = {}
    if facets:
        cache_key = None if text else (group,) + tuple(sorted((k, tuple(sorted(v))) for k, v in filters.items()))
        if cache_key is not None and cache_key in table.facet_cache:
            facet_counts = table.facet_cache[cache_key]
        else:
            facet_counts = count_facets(table, matched, filters, masks, grouped=grouped)
            if cache_key is not None:
                table.facet_cache[cache_key] = facet_counts
    suggestion = suggest_spelling(und, searcher, text) if text and (und.unknown or und.corrected) else None
    series = []
    for item in pinned.series:
        shown = representative(table, table.group_code(item["work"]), masks.values()) if len(item["docs"]) else None
        record = _hit(table, shown, None, und, lang) if shown is not None else None
        series.append({"designation": item["designation"], "work": item["work"], "parts": item["parts"],
                       "record": record})
    return SearchResult(query=text, total=total, hits=hits, facets=facet_counts, suggestion=suggestion,
                        page=page, page_size=page_size, group=group, meanings=meanings, series=series)


def _grouped_hits(table: DocTable, und: Understood, scored: Scored, pinned: Pinned, masks: dict, final: np.ndarray,
                  sort: str, text: str, offset: int, needed: int, lang: str) -> list[dict]:
    scores: dict[int, float] = {}
    prefer: dict[int, int | None] = {}
    mask_list = list(masks.values())
    if sort != "relevance" or not text:
        sort_name = sort if sort != "relevance" else "browse"  # an empty query has no relevance
        codes = _groups_in_order(table, sort_name, final, needed)
        for code, want, score in pinned.groups:
            prefer[code] = want
            scores[code] = score
        if len(scored):
            _fill_group_scores(table, scored, codes, scores)
    else:
        codes = []
        for code, want, score in pinned.groups:
            if len(members(table, code, mask_list)):
                codes.append(code)
                prefer[code] = want
                scores[code] = score
        if len(codes) < needed and len(scored):
            codes.extend(_rank_word_groups(table, scored, masks, set(codes), needed - len(codes), scores))
    hits = []
    for code in codes[offset:needed]:
        docs = members(table, code, mask_list)
        if not len(docs):
            continue
        want = prefer.get(code)
        shown = want if want is not None and want in set(docs.tolist()) else int(docs[0])
        hit = _hit(table, shown, scores.get(code), und, lang)
        hit["group"] = describe_group(table, code, shown, docs)
        if want is not None and shown == want and scores.get(code) == EXACT_SCORE:
            hit["exact"] = True
        hits.append(hit)
    return hits


def _groups_in_order(table: DocTable, sort_name: str, final: np.ndarray, needed: int) -> list[int]:
    """The first ``needed`` groups of ``final`` in a sort order (a group where its first
    document falls)."""
    if not len(final):
        return []
    take = max(needed * 4, 64)
    while True:
        docs = table.take_in_order(sort_name, final, take)
        codes = first_of_each(table, docs, needed)
        if len(codes) >= needed or len(docs) >= len(final):
            return codes
        take *= 4


def _fill_group_scores(table: DocTable, scored: Scored, codes: list[int], scores: dict[int, float]) -> None:
    factor = table.factor
    for code in codes:
        if code in scores:
            continue
        best = None
        for docnum in table.docs_of_group(code).tolist():
            score = scored.score_of(docnum)
            if score is not None:
                value = score * float(factor[docnum])
                best = value if best is None else max(best, value)
        if best is not None:
            scores[code] = best


def _edition_hits(table: DocTable, und: Understood, scored: Scored, pinned: Pinned, masks: dict, final: np.ndarray,
                  sort: str, text: str, offset: int, needed: int, lang: str) -> list[dict]:
    """Every edition its own hit (``group=none``)."""

    def passes(docnum: int) -> bool:
        return all(mask[docnum] for mask in masks.values())

    head: list[tuple[int, float]] = []
    seen: set[int] = set()
    for code, want, score in pinned.groups:
        docs = table.docs_of_group(code).tolist()
        if want is not None:
            docs = [want] + [d for d in docs if d != want]
        for docnum in docs:
            if docnum not in seen:
                seen.add(docnum)
                head.append((docnum, score if docnum == want or want is None else WORK_SCORE))
    scores: dict[int, float] = {}
    if sort != "relevance" or not text:
        sort_name = sort if sort != "relevance" else "browse"
        ordered = table.take_in_order(sort_name, final, needed)[offset:needed]
        factor = table.factor
        for docnum in ordered:
            score = scored.score_of(docnum) if len(scored) else None
            if score is not None:
                scores[docnum] = score * float(factor[docnum])
        scores.update((d, s) for d, s in head if passes(d))
    else:
        head = [(d, s) for d, s in head if passes(d)]
        ordered_all = [d for d, _ in head]
        scores = dict(head)
        pinned_docs = np.array(sorted(seen), dtype=np.int32)
        if len(ordered_all) < needed and len(scored):
            ordered_all.extend(_rank_words(table, scored, masks, pinned_docs, needed - len(ordered_all), scores))
        ordered = ordered_all[offset:needed]
    return [_hit(table, d, scores.get(d), und, lang) for d in ordered]


def _word_pool(table: DocTable, scored: Scored, masks: dict, pinned_docs: np.ndarray | None, needed: int):
    """The best matches in one order that no page size changes: (docs, final scores, whether
    every match is among them).

    Matches rank by relevance and status (score x factor); every RERANK_POOL of them form a tier
    (equal values never split: a match's tier is how many matches value more, over RERANK_POOL),
    and within a tier the title-length normalisation (facets.py) decides, then in force first,
    then designation order. Returns the tiers that hold the first ``needed`` matches.
    """
    return _pool_order(table, *_pool_values(table, scored, masks, pinned_docs), needed)


def _pool_values(table: DocTable, scored: Scored, masks: dict, pinned_docs: np.ndarray | None):
    """The matches that pass the filters and are not pinned, their status factors and values
    (score x factor): the part of :func:`_word_pool` that does not depend on how many are needed."""
    keep = np.ones(len(scored), dtype=bool)
    for mask in masks.values():
        keep &= mask[scored.docs]
    if pinned_docs is not None and len(pinned_docs):
        keep &= ~np.isin(scored.docs, pinned_docs)
    docs = scored.docs[keep]
    factor = table.factor[docs]
    return docs, factor, scored.scores[keep] * factor


def kth_largest(values: np.ndarray, k: int) -> float:
    """The k-th largest of ``values`` (k >= 1), exactly.

    ``np.partition`` slows down when few values repeat many times (broad queries: 105,674
    scores of 44 distinct values took 6 ms, against 1 ms for distinct ones), so over a large
    array the partition runs on the values at or above a bound read from an evenly spaced
    sample, which holds the k largest whenever at least k values reach it (else the whole).
    """
    n = len(values)
    if n > 8192 and k * 64 < n:
        sample = np.sort(values[::n // 2048])
        above_in_sample = min(len(sample) - 1, 4 * k * len(sample) // n + 8)
        bound = sample[len(sample) - 1 - above_in_sample]
        above = values[values >= bound]
        if len(above) >= k:
            return above[np.argpartition(above, len(above) - k)[len(above) - k]]
    return np.partition(values, n - k)[n - k]


def _pool_order(table: DocTable, docs: np.ndarray, factor: np.ndarray, value: np.ndarray, needed: int):
    """:func:`_word_pool`'s answer from :func:`_pool_values`."""
    if not len(docs):
        return docs, np.zeros(0), True
    complete = True
    cut = -(-max(needed, 1) // RERANK_POOL) * RERANK_POOL
    if len(value) > cut:
        threshold = kth_largest(value, cut)
        in_pool = value >= threshold  # ties with the last included
        docs, factor, value = docs[in_pool], factor[in_pool], value[in_pool]
        complete = bool(in_pool.all())
    valued_more = np.searchsorted(np.sort(-value), -value, side="left")
    tier = valued_more // RERANK_POOL
    final = value * table.focus[docs]
    places = table.position("designation")[docs]
    order = np.lexsort((places, -factor, -final, tier))
    return docs[order], final[order], complete


def _rank_words(table: DocTable, scored: Scored, masks: dict, pinned_docs: np.ndarray, count: int,
                scores: dict[int, float]) -> list[int]:
    """The best ``count`` word matches that pass the filters and are not pinned; fills ``scores``.

    In :func:`_word_pool`'s order, the same whatever the page.
    """
    docs, final, _ = _word_pool(table, scored, masks, pinned_docs, count)
    chosen = docs[:count].tolist()
    scores.update(zip(chosen, final[:count].tolist()))
    return chosen


def _rank_word_groups(table: DocTable, scored: Scored, masks: dict, skip: set[int], count: int,
                      scores: dict[int, float]) -> list[int]:
    """The best ``count`` standards by their best word match (not among ``skip``); fills ``scores``."""
    pool = count * 3
    values = _pool_values(table, scored, masks, None)  # once: only the pool grows below
    while True:
        docs, final, complete = _pool_order(table, *values, pool)
        codes: list[int] = []
        taken = set(skip)
        group = table.group
        for docnum, value in zip(docs.tolist(), final.tolist()):
            code = int(group[docnum])
            if code < 0 or code in taken:
                continue
            taken.add(code)
            codes.append(code)
            scores[code] = value
            if len(codes) >= count:
                return codes
        if complete:
            return codes
        pool *= 4


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


def _hit(table: DocTable, docnum: int, score: float | None, und: Understood, lang: str) -> dict:
    row = table.rows[docnum]
    titles = row[ROW_TITLES]
    return {
        "key": row[ROW_KEY],
        "work": row[ROW_WORK],
        "designation": row[ROW_DESIGNATION],
        "titles": dict(titles),
        "status": row[ROW_STATUS],
        "publisher": row[ROW_PUBLISHER],
        "year": row[ROW_YEAR],
        "score": round(float(score), 4) if score is not None else None,
        "snippet": make_snippet(titles, und, lang),
        "in_force": bool(row[ROW_IN_FORCE]),
        "kind": KINDS[int(table.kind[docnum])],
    }
