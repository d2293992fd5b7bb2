"""One search on the Typesense collection, answered as index/search.py answers it.

The same steps in the same order: the query understood (index/query.py ``understand``, over
the collection's vocabulary), each designation it names decided by index/meaning.py
(``decide`` with the store's facts, else the collection's: typesense_groups.TypesenseFacts),
the designation answers pinned first (the edition asked for, the standard, a series' parts in
part order: typesense_groups.pin), then the word matches (Typesense's matching, query built in
typesense_query). Results group by standard by default (``group_by`` on the document's
standard, schema.group_of): one hit per standard, its representative the first document in
edition order passing the filters, the others folded under it; totals and facet counts count
standards. ``group="none"`` lists every edition. A designation not held pins nothing and
brings no word matches: ``SearchResult.meanings`` says it is not held (the catalogue adds
what it knows: catalogue/notheld.py).
"""
from __future__ import annotations

from .meaning import decide
from .query import Understood, understand
from .schema import FACETS
from .search import EXACT_SCORE, WORK_SCORE, SearchResult, make_snippet
from .typesense_groups import PinnedGroups, TypesenseFacts, describe_group, docs_of_groups, list_parts, pin, \
    quote
from .typesense_query import HIT_FIELDS, MANY_VALUES, SORT_BY, TS_PAGE, _and, _order_facet, \
    _passes, _Searcher, candidate, facet_fields, filter_expression, multi_search, query_tokens, suggest_spelling


def run_search(index, text: str, filters: dict[str, list[str]], sort: str, page: int, page_size: int,
               facets: bool, lang: str, group: str = "work", facts=None) -> SearchResult:
    """One search; arguments already checked by :func:`index.search.check_arguments`."""
    text = (text or "").strip()
    vocabulary = index.vocabulary()
    und = Understood(text="")
    tokens: list[str] = []
    if text:
        vocabulary.fetch(vocabulary.predict(text))
        und = understand(text, _Searcher(vocabulary), index.glossary)
        corrected = und.text
        for typed, known in und.corrected:  # a Chinese typo by sound ('闸伐' -> '闸阀') is searched corrected
            corrected = corrected.replace(typed, known, 1)
        _, tokens = query_tokens(corrected, vocabulary, index.glossary)
    facts = facts if facts is not None else TypesenseFacts(index)
    meanings = [decide(a, facts, parts=None if a.dated else list_parts(index, a.work)) for a in und.asked]
    pinned = pin(index, meanings, und.designations) if (meanings or und.designations) else PinnedGroups()
    grouped = group == "work"
    passing_of = {g: [d for d in pinned.docs.get(g, []) if _passes(d, filters)] for g in pinned.names}
    live = [(g, want, score) for g, want, score in pinned.groups if passing_of[g]]

    words = bool(tokens) or not text
    exclude = ("grp:!=[" + ",".join(quote(g) for g in pinned.names) + "]") if pinned.names else ""
    base: dict = {"q": " ".join(tokens) if tokens else "*"}
    if tokens:
        # every word required; 'any word will do' only when nothing holds them all and no
        # designation was asked for (index/search.py's fallback)
        strict = bool(pinned.names or und.asked)
        base.update({"query_by": "title,all", "query_by_weights": "3,1", "prefix": "false",
                     "drop_tokens_threshold": 0 if strict else 1, "typo_tokens_threshold": 1,
                     "highlight_fields": "title"})
    grouping = {"group_by": "grp", "group_limit": 1} if grouped else {}
    sort_name = sort if sort != "relevance" else ("relevance" if text else "browse")
    offset, needed = (page - 1) * page_size, page * page_size
    searches: list[dict] = []
    hits_at = -1
    plan: list[tuple[str, int]] = []
    if words:
        hits = {**base, **grouping, "sort_by": SORT_BY[sort_name], "include_fields": HIT_FIELDS,
                "filter_by": _and(filter_expression(filters), exclude)}
        if pinned.names:
            hits.update({"page": 1, "per_page": max(1, min(TS_PAGE, needed))})
        else:
            hits.update({"page": page, "per_page": page_size})
        if facets:
            open_fields = [f for name in FACETS if name not in filters for f in facet_fields(name, [])]
            hits.update({"facet_by": ",".join(open_fields), "max_facet_values": MANY_VALUES})
        hits_at = len(searches)
        searches.append(hits)
        if facets:  # multi-select: a chosen facet is counted without its own filter
            for name in FACETS:
                if name in filters:
                    plan.append((name, len(searches)))
                    searches.append({**base, **grouping, "per_page": 1, "include_fields": "key",
                                     "filter_by": _and(filter_expression(filters, skip=name), exclude),
                                     "facet_by": ",".join(facet_fields(name, filters[name])) or "status",
                                     "max_facet_values": MANY_VALUES})
    results = multi_search(index, searches) if searches else []
    word_hits: list[dict] = []
    found = 0
    if hits_at >= 0:
        answer = results[hits_at]
        found = int(answer.get("found", 0))
        word_hits = _hits_of(answer, grouped)
        if pinned.names and len(word_hits) < min(found, needed) and needed > TS_PAGE:
            word_hits = _fetch_window(index, searches[hits_at], needed, grouped)
    scores = _word_scores(word_hits, text)
    if grouped:
        hits_out = _grouped_hits(index, pinned, live, passing_of, word_hits, scores, filters, sort_name,
                                 offset, needed, und, lang)
        total = len(live) + found
    else:
        hits_out, head_count = _edition_hits(pinned, live, passing_of, word_hits, scores, sort_name, offset,
                                             needed, und, lang)
        total = head_count + found
    facet_counts: dict[str, list[list]] = {}
    if facets:
        facet_counts = _facets(results, hits_at, plan, filters, pinned, grouped)
    series = []
    for item in pinned.series:
        docs = [d for d in pinned.docs.get(item["work"], []) if _passes(d, filters)]
        series.append({"designation": item["designation"], "work": item["work"], "parts": item["parts"],
                       "record": _hit(docs[0], None, und, lang) if docs else None})
    suggestion = suggest_spelling(index, und, text) if text and (und.unknown or und.corrected) else None
    return SearchResult(query=text, total=total, hits=hits_out, facets=facet_counts, suggestion=suggestion,
                        page=page, page_size=page_size, group=group, meanings=meanings, series=series)


def _local_sort_key(sort_name: str):
    """The sort orders of index/sidecar.py over documents (designation, date, browse)."""
    def neg(text: str) -> tuple:
        return tuple(-ord(c) for c in text) + (1,)
    if sort_name == "designation":
        return lambda d: (d["sort_key"],)
    if sort_name == "date":
        return lambda d: (neg(d.get("date") or ""), d["sort_key"])
    return lambda d: (-int(d.get("in_force") or 0), d.get("status_rank", 5), d["sort_key"])


def _hits_of(answer: dict, grouped: bool) -> list[dict]:
    if grouped:
        return [g["hits"][0] for g in answer.get("grouped_hits", []) if g.get("hits")]
    return answer.get("hits", [])


def _fetch_window(index, search: dict, needed: int, grouped: bool) -> list[dict]:
    """The first ``needed`` hits of a search, a Typesense page at a time (deep pages)."""
    out: list[dict] = []
    page = 1
    while len(out) < needed:
        answer = multi_search(index, [{**search, "page": page, "per_page": TS_PAGE, "facet_by": ""}])[0]
        batch = _hits_of(answer, grouped)
        out.extend(batch)
        if len(batch) < TS_PAGE:
            break
        page += 1
    return out


def _word_scores(word_hits: list[dict], text: str) -> dict[str, float]:
    """Scores of word matches: the text match scaled to the best on the page (x10), times the
    status factor (in force 1.0); designation answers carry index/search.py's scores."""
    scores: dict[str, float] = {}
    top = max((int(h.get("text_match") or 0) for h in word_hits), default=0) or 1
    for h in word_hits:
        if text and h.get("text_match") is not None:
            factor = int(h["document"].get("factor", 100)) / 100
            scores[h["document"]["key"]] = round(10.0 * int(h["text_match"]) / top * factor, 4)
    return scores


def _grouped_hits(index, pinned: PinnedGroups, live: list, passing_of: dict, word_hits: list[dict],
                  scores: dict[str, float], filters: dict, sort_name: str, offset: int, needed: int,
                  und: Understood, lang: str) -> list[dict]:
    """One hit per standard: the pinned standards first (by relevance) or in the sort order
    with the word matches, a standard where its first passing document falls."""
    entries = [(g, want, score, None) for g, want, score in live]
    entries += [(h["document"]["grp"], None, scores.get(h["document"]["key"]), h["document"]) for h in word_hits]
    if sort_name != "relevance":
        key = _local_sort_key(sort_name)
        entries.sort(key=lambda e: key(e[3]) if e[3] is not None else min(key(d) for d in passing_of[e[0]]))
    page = entries[offset:needed] if pinned.names else entries  # else the word search was asked for this page
    members = docs_of_groups(index, [e[0] for e in page if e[3] is not None])
    out = []
    for group, want, score, _top in page:
        docs = passing_of.get(group) or [d for d in members.get(group, []) if _passes(d, filters)]
        if not docs:
            continue
        shown = next((d for d in docs if d["key"] == want), docs[0])
        hit = _hit(shown, score, und, lang)
        hit["group"] = describe_group(group, shown, docs)
        if want is not None and shown["key"] == want and score == EXACT_SCORE:
            hit["exact"] = True
        out.append(hit)
    return out


def _edition_hits(pinned: PinnedGroups, live: list, passing_of: dict, word_hits: list[dict],
                  scores: dict[str, float], sort_name: str, offset: int, needed: int, und: Understood,
                  lang: str) -> tuple[list[dict], int]:
    """Every edition its own hit (``group="none"``): each pinned standard's documents (the one
    asked for first, then edition order), then the word matches; (hits, pinned documents)."""
    head: list[dict] = []
    head_scores: dict[str, float] = {}
    for group, want, score in live:
        docs = passing_of[group]
        if want is not None:
            docs = sorted(docs, key=lambda d: d["key"] != want)
        for doc in docs:
            head.append(doc)
            head_scores[doc["key"]] = score if want is None or doc["key"] == want else WORK_SCORE
    merged = head + [h["document"] for h in word_hits]
    if sort_name != "relevance":
        merged.sort(key=_local_sort_key(sort_name))
    merged = merged[offset:needed] if pinned.names else merged  # else the word search was asked for this page
    scores = {**scores, **head_scores}
    return [_hit(d, scores.get(d["key"]), und, lang) for d in merged], len(head)


def _facets(results: list[dict], hits_at: int, plan: list[tuple[str, int]], filters: dict,
            pinned: PinnedGroups, grouped: bool) -> dict[str, list[list]]:
    """Facet counts over every match (standards when grouped: Typesense 0.24 counts the groups
    of a grouped search), the pinned standards (never among the word matches) added here."""
    counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}

    def add_from(result: dict, name: str) -> None:
        active = filters.get(name, [])
        fields = set(facet_fields(name, active))
        for facet in result.get("facet_counts", []):
            if facet["field_name"] in fields:
                for item in facet["counts"]:
                    if candidate(name, item["value"], active):
                        counts[name][item["value"]] = counts[name].get(item["value"], 0) + int(item["count"])

    if hits_at >= 0:
        for name in FACETS:
            if name not in filters:
                add_from(results[hits_at], name)
        for name, at in plan:
            add_from(results[at], name)
    for group in pinned.names:
        for name in FACETS:
            active = filters.get(name, [])
            docs = [d for d in pinned.docs.get(group, []) if _passes(d, filters, skip=name)]
            values = [v for d in docs for v in (d.get(name) or ()) if candidate(name, v, active)]
            for value in (set(values) if grouped else values):
                counts[name][value] = counts[name].get(value, 0) + 1
    return {name: _order_facet(name, counts[name]) for name in FACETS}


def _hit(doc: dict, score: float | None, und: Understood, lang: str) -> dict:
    row = doc.get("row") or {}
    titles = row.get("titles") or {}
    return {
        "key": doc["key"],
        "work": doc.get("work"),
        "designation": row.get("designation"),
        "titles": dict(titles),
        "status": row.get("status"),
        "publisher": row.get("publisher"),
        "year": row.get("year"),
        "score": score,
        "snippet": make_snippet(titles, und, lang),
        "in_force": bool(doc.get("in_force")),
        "kind": doc.get("kind") or "edition",
    }


__all__ = ["run_search"]
