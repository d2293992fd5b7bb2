"""Searching the Typesense collection: our query understanding, Typesense's matching.

What stays ours (Typesense 0.24 cannot do it): designations (``index.query.understand`` finds
them with the grammar and the collection's ``desig`` terms; what they mean and how they are
answered first: index/typesense_search.py and typesense_groups.py), Chinese segmentation (by
the collection's own vocabulary, as for Whoosh, with glossary terms kept whole), stemming, and
the multi-select facet rule. What is Typesense's:
matching every word (``title`` weighted above ``all``), typo tolerance, the glossary as
synonyms, facet counting, ``group_by`` and paging.

Term look-ups that query understanding makes (is 'valv' a title word? is 'iso-5208' a
designation?) are predicted from the text and asked in one multi-search before
``understand`` runs (:class:`Vocabulary`), then kept until the collection changes.
A word search costs two or three round trips: the look-ups (none when cached), one
multi-search for the hits and every facet, and (grouped) the documents of the page's
standards. A designation adds its parts (undated), its answers and their standards'
documents (typesense_groups.pin), and, searched without the store, the collection's facts.
"""
from __future__ import annotations

import re

from .analyzers import CJK_RUN, ZH_STOP, dash_form, normalise_text
from .facets import BY_VALUE_DESC, FACET_LIMIT
from .query import FUZZY_MIN, KANA_HANGUL, MAX_ZH_WORD, TermLookup, Understood, find_designations, parse_designation, \
    segment_by_index, split_chunks
from .schema import FACETS, build_schema
from .typesense_docs import ICS_DEPTHS, _tokens, analyzers, cjk_pairs, squeeze

#: Which collection field answers a look-up that query understanding makes of a Whoosh field.
LOOKUP_FIELD = {"desig": "desig", "title_zh": "zh", "scope_zh": "zh", "title_plain": "plain", "title_cjk": "all",
                "title_char": "all",
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
HIT_FIELDS = "key,work,grp,kind,row,in_force,status_rank,factor,date,sort_key," + ",".join(FACETS)
#: Facets whose values are all counted (drill-down levels, years): more than FACET_LIMIT exist.
MANY_VALUES = 1000

_SCHEMA = None


def _schema():
    global _SCHEMA
    if _SCHEMA is None:
        _SCHEMA = build_schema()
    return _SCHEMA


class _Searcher:
    """What ``understand`` reads of a searcher: the schema, and a reader answering term
    membership from the collection (no term table: nothing is evaluated locally, as for a
    Whoosh reader without one)."""

    def __init__(self, vocabulary: "Vocabulary | None" = None):
        self.vocabulary = vocabulary

    @property
    def schema(self):
        return _schema()

    def reader(self) -> "_Reader":
        return _Reader(self.vocabulary)


class _Reader:
    """``(field, term) in reader`` by the collection's vocabulary; typo neighbours: none
    (Typesense matches typos itself). The known Chinese words by sound (index/query.py's
    homophones, from the glossary: the collection lists no vocabulary) are kept across searches."""

    _shared: dict = {}

    def __init__(self, vocabulary: "Vocabulary"):
        self.vocabulary = vocabulary

    @property
    def _homophones(self):
        return _Reader._shared.get("homophones")

    @_homophones.setter
    def _homophones(self, value) -> None:
        _Reader._shared["homophones"] = value

    def __contains__(self, term: tuple[str, str]) -> bool:
        return self.vocabulary.contains(*term)

    def terms_within(self, fieldname: str, text: str, maxdist: int, prefix: int = 0) -> list[str]:
        return []


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

    def field_terms(self, fieldname: str) -> list[str]:
        """Every term of a field: Typesense 0.24 lists no term dictionary, so a Chinese typo is
        corrected by sound to a glossary term only (Whoosh: to any title word too)."""
        return []

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
                keys.extend(("all", ch) for ch in chunk)  # a lone character (title_char)
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


def query_tokens(text: str, vocabulary: Vocabulary, glossary) -> tuple[list[str], list[str]]:
    """(designations, word tokens) of the text: the tokens as the collection holds them (stems,
    jieba words by the collection's vocabulary, glossary terms whole for the synonyms)."""
    reader = TermLookup(vocabulary)
    chunks = split_chunks(normalise_text(text).strip())
    designations, _asked, rest = find_designations(chunks, reader)
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
                tokens.extend(t for t in segment_by_index(run[pos:start], reader) if _held_chinese(vocabulary, t))
            tokens.append(run[start:end])
            pos = end
        if pos < len(run):
            tokens.extend(t for t in segment_by_index(run[pos:], reader) if _held_chinese(vocabulary, t))
    tokens = [t for t in dict.fromkeys(tokens) if t.strip() and t not in ZH_STOP]
    return designations, tokens


def _held_chinese(vocabulary: Vocabulary, term: str) -> bool:
    """A Chinese word the titles hold, or one character a title holds (index/query.py matches a
    lone character in the title_char field)."""
    return vocabulary.contains("title_zh", term) or (len(term) == 1 and vocabulary.contains("title_char", term))


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
    for typed, known in und.corrected:  # Chinese typos by sound, as index/query.py suggest_spelling
        if typed not in suggestion:
            suggestion = normalise_text(suggestion)
        if typed in suggestion:
            suggestion = suggestion.replace(typed, known, 1)
            changed = True
    for word, result in zip(und.unknown, multi_search(index, searches) if searches else []):
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

