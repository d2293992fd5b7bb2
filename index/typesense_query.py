"""Searching the Typesense collection: our query understanding, Typesense's matching.

What stays ours (Typesense 0.24 cannot do it): designations (``index.query.understand`` finds
them with the grammar and the collection's ``desig`` terms, and they are answered first, in
the same order as the Whoosh backend: the edition asked for, its work's editions, then the
same number), Chinese segmentation (by the collection's own vocabulary, as for Whoosh, with
glossary terms kept whole), stemming, and the multi-select facet rule. What is Typesense's:
matching every word (``title`` weighted above ``all``), typo tolerance, the glossary as
synonyms, facet counting, ``group_by`` and paging.

Term look-ups that query understanding makes (is 'valv' a title word? is 'iso-5208' a
designation?) are predicted from the text and asked in one multi-search before
``understand`` runs (:class:`Vocabulary`), then kept until the collection changes.
One search costs two to four round trips: the look-ups (none when cached), the designation
answers (only for a designation), and one multi-search for the hits and every facet.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .analyzers import CJK_RUN, ZH_STOP, dash_form, normalise_text, strip_publisher
from .facets import BY_VALUE_DESC, FACET_LIMIT
from .query import FUZZY_MIN, KANA_HANGUL, MAX_ZH_WORD, TermLookup, Understood, find_designations, parse_designation, \
    segment_by_index, split_chunks, understand
from .schema import FACETS, build_schema
from .search import EXACT_SCORE, NUMBER_SCORE, WORK_SCORE, SearchResult, make_snippet
from .typesense_docs import ICS_DEPTHS, _tokens, analyzers, cjk_pairs, squeeze

#: Which collection field answers a look-up that query understanding makes of a Whoosh field.
LOOKUP_FIELD = {"desig": "desig", "title_zh": "zh", "scope_zh": "zh", "title_plain": "plain", "title_cjk": "all",
                "title_en": "all", "scope_en": "all", "keywords": "all", "title_fr": "all", "scope_fr": "all"}
#: Searches per multi-search request (the server's default limit is 50).
MULTI_LIMIT = 50
#: Most hits Typesense returns per page.
TS_PAGE = 250
#: Typesense sort orders of ours: relevance, and the three orders of index/sidecar.py.
SORT_BY = {
    "relevance": "_text_match:desc,rank:desc,sort_key:asc",
    "designation": "sort_key:asc",
    "date": "dsort:desc,sort_key:asc",
    "browse": "in_force:desc,status_rank:asc,sort_key:asc",
}
#: What a hit needs back (the rest of the document stays on the server).
HIT_FIELDS = "key,work,row,in_force,status_rank,factor,date,sort_key," + ",".join(FACETS)
#: Facets whose values are all counted (drill-down levels, years): more than FACET_LIMIT exist.
MANY_VALUES = 1000

_SCHEMA = None


def _schema():
    global _SCHEMA
    if _SCHEMA is None:
        _SCHEMA = build_schema()
    return _SCHEMA


class _Searcher:
    """What ``understand`` reads of a searcher when it is given a term table: the schema."""

    @property
    def schema(self):
        return _schema()


def quote(value: str) -> str:
    return "`" + value.replace("`", "") + "`"


class Vocabulary:
    """Term membership, ``contains(field, term)``, answered by the collection (cached)."""

    def __init__(self, index, cache: dict):
        self.index = index
        self.cache = cache
        self.reader = self

    def terms_within(self, fieldname: str, text: str, maxdist: int, prefix: int = 0) -> list[str]:
        return []  # highlighting of typo matches: Typesense matches typos itself

    def contains(self, fieldname: str, term: str) -> bool:
        key = (LOOKUP_FIELD.get(fieldname, "all"), term)
        if key not in self.cache:
            self.fetch([key])
        return self.cache[key]

    def fetch(self, keys) -> None:
        """Ask the collection about every (field, term) not known yet, in multi-searches."""
        wanted = [k for k in dict.fromkeys(keys) if k not in self.cache]
        searches = []
        for fieldname, term in wanted:
            if fieldname == "desig":
                searches.append({"q": "*", "filter_by": f"desig:=[{quote(term)}]", "per_page": 0})
            elif any(ch.isalnum() for ch in term):
                searches.append({"q": term, "query_by": fieldname, "prefix": "false", "num_typos": 0,
                                 "drop_tokens_threshold": 0, "typo_tokens_threshold": 0, "per_page": 0})
            else:
                searches.append(None)
        found = multi_search(self.index, [s for s in searches if s is not None])
        answers = iter(found)
        for key, search in zip(wanted, searches):
            self.cache[key] = bool(search is not None and next(answers).get("found"))

    def predict(self, text: str) -> list[tuple[str, str]]:
        """The look-ups ``understand`` (and the query tokens) will make of ``text``."""
        schema = _schema()
        keys: list[tuple[str, str]] = []
        chunks = split_chunks(normalise_text(text).strip())
        whole = dash_form(" ".join(chunks))
        if whole and any(c.isdigit() for c in whole):
            keys.append(("desig", whole))
            parsed = parse_designation(" ".join(chunks))
            for candidate in (parsed.key, parsed.work) if parsed else ():
                if dash_form(candidate):
                    keys.append(("desig", dash_form(candidate)))
        for i, chunk in enumerate(chunks):
            if CJK_RUN.fullmatch(chunk):
                for start in range(len(chunk)):
                    for size in range(2, min(MAX_ZH_WORD, len(chunk) - start) + 1):
                        keys.append(("zh", chunk[start:start + size]))
                continue
            if chunk[:1].isascii() and chunk[:1].isalpha():
                for j in range(i + 1, min(len(chunks), i + 5) + 1):
                    dashed = dash_form(" ".join(chunks[i:j]))
                    if any(c.isdigit() for c in dashed) and not any(CJK_RUN.match(c) for c in chunks[i:j]):
                        keys.append(("desig", dashed))
            for word in re.findall(r"[^\W_]+", chunk):
                for fieldname in ("title_plain", "title_en", "title_fr"):
                    for term in _tokens(schema[fieldname].analyzer, word):
                        keys.append((LOOKUP_FIELD[fieldname], term))
        return keys


def multi_search(index, searches: list[dict]) -> list[dict]:
    """Run searches against the collection in use, MULTI_LIMIT a request; results in order."""
    out: list[dict] = []
    for start in range(0, len(searches), MULTI_LIMIT):
        chunk = [{"collection": index.alias, **s} for s in searches[start:start + MULTI_LIMIT]]
        answer = index.call(index.client.multi_search.perform, {"searches": chunk}, {})
        for result in answer["results"]:
            if "error" in result:
                from .search import QueryError

                raise QueryError(f"The search server refused the search: {result['error']}")
            out.append(result)
    return out


@dataclass
class Pinned:
    """Designation answers in order, with their scores and documents."""

    keys: list[str]
    scores: dict[str, float]
    docs: dict[str, dict]


def _edition_order(doc: dict) -> tuple:
    date = doc.get("date") or doc.get("year") or ""
    return (not doc.get("in_force"), doc.get("status_rank", 5), tuple(-ord(c) for c in date) + (1,), doc["key"])


def _fetch_all(index, searches: list[dict]) -> list[list[dict]]:
    results = multi_search(index, [{"q": "*", "per_page": TS_PAGE, "include_fields": HIT_FIELDS, **s}
                                   for s in searches])
    return [[h["document"] for h in r.get("hits", [])] for r in results]


def find_pinned(index, und: Understood) -> Pinned:
    """The designation answers of :func:`index.search._pinned`, from the collection."""
    order: dict[str, float] = {}
    docs: dict[str, dict] = {}
    for dashed in und.designations:
        bare = strip_publisher(dashed)
        searches = [{"filter_by": f"desig:=[{quote(dashed)}]"}]
        if bare and bare != dashed:
            searches.append({"filter_by": f"desig:=[{quote(bare)}]"})
        found = _fetch_all(index, searches)
        named = found[0]
        exact = [d for d in named if dash_form(d["key"]) == dashed]
        for doc in exact:
            docs[doc["key"]] = doc
            order.setdefault(doc["key"], EXACT_SCORE)
        works: list[str] = []
        for doc in exact + sorted(named, key=_edition_order):
            if doc["work"] not in works:
                works.append(doc["work"])
        exact_works = {d["work"] for d in exact}
        works.sort(key=lambda w: dash_form(w) != dashed and w not in exact_works)
        if works:
            of_works = _fetch_all(index, [{"filter_by": "work:=[" + ",".join(quote(w) for w in works) + "]"}])[0]
            by_work: dict[str, list[dict]] = {}
            for doc in of_works:
                by_work.setdefault(doc["work"], []).append(doc)
            for work in works:
                for doc in sorted(by_work.get(work, []), key=_edition_order):
                    docs.setdefault(doc["key"], doc)
                    order.setdefault(doc["key"], WORK_SCORE if dash_form(work) == dashed or exact else NUMBER_SCORE)
        if len(found) > 1:
            for doc in sorted((d for d in found[1] if d["key"] not in order), key=_edition_order):
                docs[doc["key"]] = doc
                order.setdefault(doc["key"], NUMBER_SCORE)
    return Pinned(list(order), order, docs)


def query_tokens(text: str, vocabulary: Vocabulary, glossary) -> tuple[list[str], list[str]]:
    """(designations, word tokens) of the text: the tokens as the collection holds them (stems,
    jieba words by the collection's vocabulary, glossary terms whole for the synonyms)."""
    reader = TermLookup(vocabulary)
    chunks = split_chunks(normalise_text(text).strip())
    designations, rest = find_designations(chunks, reader)
    runs: list[str] = []
    for chunk in rest:
        if CJK_RUN.fullmatch(chunk) or not runs or CJK_RUN.fullmatch(runs[-1]):
            runs.append(chunk)
        else:
            runs[-1] += " " + chunk
    tokens: list[str] = []
    english = analyzers()[0]
    for run in runs:
        if not CJK_RUN.fullmatch(run):
            words = re.findall(r"[^\W_]+", run)
            spans = {start: end for start, end, _ in (glossary.find_words(words) if glossary else [])}
            i = 0
            while i < len(words):
                end = spans.get(i, i + 1)
                for word in words[i:end]:
                    for stem in _tokens(english, word):
                        if end > i + 1 or vocabulary.contains("title_en", stem) \
                                or vocabulary.contains("title_plain", word.lower()):
                            tokens.append(stem)
                        elif len(word) >= FUZZY_MIN:
                            # as in understand(): an unknown word long enough to be a typo is
                            # matched as typed (Typesense's typo tolerance meets the unstemmed
                            # title words); a shorter one is no word to match
                            tokens.append(word.lower())
                i = end
            continue
        if KANA_HANGUL.search(run):
            tokens.extend(cjk_pairs(run))
            continue
        pos = 0
        for start, end, _entries in (glossary.find_chinese(run) if glossary else []):
            if start > pos:
                tokens.extend(t for t in segment_by_index(run[pos:start], reader) if vocabulary.contains("title_zh", t))
            tokens.append(run[start:end])
            pos = end
        if pos < len(run):
            tokens.extend(t for t in segment_by_index(run[pos:], reader) if vocabulary.contains("title_zh", t))
    tokens = [t for t in dict.fromkeys(tokens) if t.strip() and t not in ZH_STOP]
    return designations, tokens


def filter_expression(filters: dict[str, list[str]], skip: str | None = None) -> str:
    """Typesense filter_by for our facet filters (any chosen value of a facet; every facet)."""
    parts = [f"{name}:=[" + ",".join(quote(v) for v in values) + "]"
             for name, values in filters.items() if name != skip]
    return " && ".join(parts)


def _and(*parts: str) -> str:
    return " && ".join(p for p in parts if p)


def facet_fields(name: str, active: list[str]) -> list[str]:
    """The collection fields counted for a facet (drill-down: the level below a chosen code)."""
    if name == "ics":
        if not active:
            return ["ics_d1"]
        depths = sorted({code.count(".") + 2 for code in active if code.count(".") + 2 <= ICS_DEPTHS})
        return [f"ics_d{d}" for d in depths]
    if name == "ccs":
        return ["ccs_d2"] if active else ["ccs_d1"]
    return [name]


def candidate(name: str, value: str, active: list[str]) -> bool:
    """Whether a value is listed under a hierarchical facet with ``active`` chosen codes."""
    if name == "ics":
        if not active:
            return "." not in value
        return any(value.startswith(code + ".") and value.count(".") == code.count(".") + 1 for code in active)
    if name == "ccs":
        if not active:
            return len(value) == 1
        return len(value) > 1 and value[:1] in {code[:1] for code in active}
    return True


def _passes(doc: dict, filters: dict[str, list[str]], skip: str | None = None) -> bool:
    return all(set(doc.get(name) or ()) & set(values) for name, values in filters.items() if name != skip)


def _order_facet(name: str, counts: dict[str, int]) -> list[list]:
    items = [(v, c) for v, c in counts.items() if c > 0]
    if name in BY_VALUE_DESC:
        items.sort(key=lambda vc: vc[0], reverse=True)
    else:
        items.sort(key=lambda vc: (-vc[1], vc[0]))
    return [[v, c] for v, c in items[:FACET_LIMIT]]


def run_search(index, text: str, filters: dict[str, list[str]], sort: str, page: int, page_size: int,
               facets: bool, lang: str, group: str = "none") -> SearchResult:
    """One search; arguments already checked by :func:`index.search.check_arguments`."""
    text = (text or "").strip()
    vocabulary = index.vocabulary()
    und = Understood(text="")
    tokens: list[str] = []
    if text:
        vocabulary.fetch(vocabulary.predict(text))
        und = understand(text, _Searcher(), None, vocabulary)
        _, tokens = query_tokens(text, vocabulary, index.glossary)
    pinned = find_pinned(index, und) if und.designations else Pinned([], {}, {})
    passing = [k for k in pinned.keys if _passes(pinned.docs[k], filters)]
    grouped = group == "work"
    if grouped:  # one edition per work: the first pinned edition of each work stands for it
        seen: set[str] = set()
        passing = [k for k in passing if not (pinned.docs[k]["work"] in seen or seen.add(pinned.docs[k]["work"]))]
    words = bool(tokens) or not text
    exclude = ""
    if pinned.keys:
        exclude = ("work:!=[" + ",".join(quote(w) for w in dict.fromkeys(d["work"] for d in pinned.docs.values()))
                   + "]") if grouped else "key:!=[" + ",".join(quote(k) for k in pinned.keys) + "]"
    base = {"q": " ".join(tokens) if tokens else "*"}
    if tokens:
        base.update({"query_by": "title,all", "query_by_weights": "3,1", "prefix": "false",
                     "drop_tokens_threshold": 0 if pinned.keys else 1, "typo_tokens_threshold": 1,
                     "highlight_fields": "title"})
    sort_name = sort if sort != "relevance" else ("relevance" if text else "browse")
    offset, needed = (page - 1) * page_size, page * page_size
    searches: list[dict] = []
    hits_at = facets_at = -1
    if words:
        hits = {**base, "sort_by": SORT_BY[sort_name], "include_fields": HIT_FIELDS,
                "filter_by": _and(filter_expression(filters), exclude)}
        if grouped:
            hits.update({"group_by": "work", "group_limit": 1})
        if pinned.keys:
            hits.update({"page": 1, "per_page": min(TS_PAGE, needed)})
        else:
            hits.update({"page": page, "per_page": page_size})
        hits_at = len(searches)
        searches.append(hits)
    facet_plan: list[tuple[str, list[str], int]] = []
    if facets and words:
        open_fields = [f for name in FACETS if name not in filters for f in facet_fields(name, [])]
        if grouped:  # facets of a grouped search count groups: ask them of an ungrouped one
            facets_at = len(searches)
            searches.append({**base, "per_page": 0, "filter_by": _and(filter_expression(filters), exclude),
                             "facet_by": ",".join(open_fields), "max_facet_values": MANY_VALUES})
        else:  # the hits' own search counts them (over every match, not the page)
            facets_at = hits_at
            searches[hits_at].update({"facet_by": ",".join(open_fields), "max_facet_values": MANY_VALUES})
        for name in FACETS:
            if name in filters:
                facet_plan.append((name, facet_fields(name, filters[name]), len(searches)))
                searches.append({**base, "per_page": 0, "filter_by": _and(filter_expression(filters, skip=name), exclude),
                                 "facet_by": ",".join(facet_fields(name, filters[name])) or "status",
                                 "max_facet_values": MANY_VALUES})
    results = multi_search(index, searches) if searches else []
    word_hits: list[dict] = []
    found = 0
    if hits_at >= 0:
        answer = results[hits_at]
        found = int(answer.get("found", 0))
        if grouped:
            word_hits = [g["hits"][0] for g in answer.get("grouped_hits", []) if g.get("hits")]
        else:
            word_hits = answer.get("hits", [])
        if pinned.keys and len(word_hits) < min(found, needed) and needed > TS_PAGE:
            word_hits = _fetch_window(index, searches[hits_at], needed, grouped)
    ordered, scores = _arrange(pinned, passing, word_hits, None if sort_name == "relevance" else sort_name,
                               offset, needed, bool(pinned.keys), text)
    hits_out = [_hit(doc, scores.get(doc["key"]), und, lang) for doc in ordered]
    facet_counts: dict[str, list[list]] = {}
    if facets:
        facet_counts = _collect_facets(results, facets_at, facet_plan, filters, pinned, words)
    suggestion = suggest_spelling(index, und, text) if text and und.unknown else None
    return SearchResult(query=text, total=found + len(passing), hits=hits_out, facets=facet_counts,
                        suggestion=suggestion, page=page, page_size=page_size)


def _fetch_window(index, search: dict, needed: int, grouped: bool) -> list[dict]:
    """The first ``needed`` hits of a search, a Typesense page at a time (deep pages)."""
    out: list[dict] = []
    page = 1
    while len(out) < needed:
        answer = multi_search(index, [{**search, "page": page, "per_page": TS_PAGE}])[0]
        batch = ([g["hits"][0] for g in answer.get("grouped_hits", []) if g.get("hits")] if grouped
                 else answer.get("hits", []))
        out.extend(batch)
        if len(batch) < TS_PAGE:
            break
        page += 1
    return out


def _local_sort_key(sort_name: str):
    def neg(text: str) -> tuple:
        return tuple(-ord(c) for c in text) + (1,)
    if sort_name == "designation":
        return lambda d: (d["sort_key"],)
    if sort_name == "date":
        return lambda d: (neg(d.get("date") or ""), d["sort_key"])
    return lambda d: (-int(d.get("in_force") or 0), d.get("status_rank", 5), d["sort_key"])


def _arrange(pinned: Pinned, passing: list[str], word_hits: list[dict], sort_name: str | None, offset: int,
             needed: int, has_pinned: bool, text: str) -> tuple[list[dict], dict[str, float]]:
    """The page's documents in order, and their scores (pinned answers carry theirs)."""
    scores: dict[str, float] = {}
    top = max((int(h.get("text_match") or 0) for h in word_hits), default=0) or 1
    for h in word_hits:
        if text and h.get("text_match") is not None:
            factor = int(h["document"].get("factor", 100)) / 100
            scores[h["document"]["key"]] = round(10.0 * int(h["text_match"]) / top * factor, 4)
    for key in passing:
        scores[key] = pinned.scores[key]
    if not has_pinned:
        return [h["document"] for h in word_hits], scores
    pinned_docs = [pinned.docs[k] for k in passing]
    docs = [h["document"] for h in word_hits]
    if sort_name is None:
        merged = pinned_docs + docs
    else:
        merged = sorted(pinned_docs + docs, key=_local_sort_key(sort_name))
    return merged[offset:needed], scores


def _collect_facets(results: list[dict], facets_at: int, plan: list, filters: dict, pinned: Pinned,
                    words: bool) -> dict[str, list[list]]:
    counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}

    def add_from(result: dict, name: str) -> None:
        active = filters.get(name, [])
        fields = set(facet_fields(name, active))
        for facet in result.get("facet_counts", []):
            if facet["field_name"] in fields:
                for item in facet["counts"]:
                    if candidate(name, item["value"], active):
                        counts[name][item["value"]] = counts[name].get(item["value"], 0) + int(item["count"])

    if words and facets_at >= 0:
        for name in FACETS:
            if name not in filters:
                add_from(results[facets_at], name)
        for name, _fields, at in plan:
            add_from(results[at], name)
    for doc in pinned.docs.values():  # the designation answers are never among the word matches
        for name in FACETS:
            if not _passes(doc, filters, skip=name):
                continue
            active = filters.get(name, [])
            for value in doc.get(name) or ():
                if candidate(name, value, active):
                    counts[name][value] = counts[name].get(value, 0) + 1
    return {name: _order_facet(name, counts[name]) for name in FACETS}


def _hit(doc: dict, score: float | None, und: Understood, lang: str) -> dict:
    row = doc.get("row") or {}
    titles = row.get("titles") or {}
    return {
        "key": doc["key"],
        "designation": row.get("designation"),
        "titles": dict(titles),
        "status": row.get("status"),
        "publisher": row.get("publisher"),
        "year": row.get("year"),
        "score": score,
        "snippet": make_snippet(titles, und, lang),
        "in_force": bool(doc.get("in_force")),
    }


def suggest_spelling(index, und: Understood, original: str) -> str | None:
    """'Did you mean': unknown words replaced by the nearest title words (Typesense typos)."""
    searches = []
    for word in und.unknown:
        lowered = word.lower()
        searches.append({"q": lowered, "query_by": "plain", "prefix": "false",
                         "num_typos": 2 if len(lowered) >= 8 else 1, "drop_tokens_threshold": 0,
                         "typo_tokens_threshold": 1, "per_page": 1, "include_fields": "key",
                         "highlight_fields": "plain"})
    suggestion, changed = original, False
    for word, result in zip(und.unknown, multi_search(index, searches)):
        tokens = [t for h in result.get("hits", []) for hl in h.get("highlights", []) for t in hl.get("matched_tokens", [])]
        found = tokens[0].lower() if tokens and isinstance(tokens[0], str) else None
        if found and found != word.lower():
            suggestion = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", found, suggestion, count=1)
            changed = True
    return suggestion if changed else None


def suggest(index, prefix: str, limit: int) -> list[str]:
    """Designations, then titles, starting with ``prefix`` (in force first among equals)."""
    out: list[str] = []
    dashed = dash_form(prefix)
    lowered = prefix.lower()
    squeezed = squeeze(prefix)
    size = min(TS_PAGE, 4 * limit + 16)
    common = {"prefix": "true", "num_typos": 0, "drop_tokens_threshold": 0, "typo_tokens_threshold": 0,
              "per_page": size, "max_candidates": 1000, "include_fields": "row,in_force,dz,dzb"}
    searches = []
    if dashed:
        searches.append({**common, "q": dashed, "query_by": "dz", "sort_by": "dz:asc,in_force:desc"})
        searches.append({**common, "q": dashed, "query_by": "dzb", "sort_by": "dzb:asc,in_force:desc"})
    if squeezed:
        searches.append({**common, "q": squeezed, "query_by": "tz", "sort_by": "tz0:asc"})
    results = multi_search(index, searches) if searches else []
    if dashed:
        found = []
        for result, fieldname in zip(results[:2], ("dz", "dzb")):
            for h in result.get("hits", []):
                doc = h["document"]
                value = doc.get(fieldname) or ""
                if value.startswith(dashed):
                    found.append((value, 0 if doc.get("in_force") else 1, (doc.get("row") or {}).get("designation") or ""))
        for _, _, shown in sorted(found):
            if shown and shown not in out:
                out.append(shown)
            if len(out) >= limit:
                return out
    titles = []
    for h in (results[-1].get("hits", []) if squeezed else []):
        for title in ((h["document"].get("row") or {}).get("titles") or {}).values():
            if title.lower().startswith(lowered):
                titles.append((title.lower(), title))
    for _, title in sorted(titles):
        if title not in out:
            out.append(title)
        if len(out) >= limit:
            break
    return out

