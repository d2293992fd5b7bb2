"""Query understanding: designations, words in any language, glossary expansion, typos.

User text is never handed to Whoosh's query parser (it turns ``title:(`` into some other
query without a word: NOTES.md); every query object is built here from analysed words, so
``AND``, ``"``, ``*`` and field syntax are plain text. The query objects are Whoosh's, but
:mod:`index.scoring` evaluates them (Term, FuzzyTerm, And, Or, DisjunctionMax only).
"""
from __future__ import annotations

from functools import lru_cache

import re
from dataclasses import dataclass, field

from whoosh import query as Q
from whoosh.lang.porter import stem as porter_stem
from whoosh.support.charset import accent_map

from .analyzers import (
    CJK_CHARS,
    CJK_RUN,
    ZH_STOP,
    analyse,
    dash_form,
    normalise_text,
    strip_publisher,
)
from .glossary import Glossary, word_key
from .meaning import Asked

try:  # the designation grammar (catalogue/designation.py); words-only search works without it
    from catalogue.designation import try_parse as _try_parse
except ImportError:  # pragma: no cover - only while the grammar module is being written
    _try_parse = None


#: Field boosts: titles above keywords above scope; designations above all.
BOOST = {
    "desig": 8.0, "title_en": 4.0, "title_fr": 3.0, "title_zh": 4.0, "title_cjk": 2.0,
    "title_plain": 2.0, "keywords": 2.0, "scope_en": 1.0, "scope_fr": 0.8, "scope_zh": 1.0,
    "fuzzy": 1.0,
}
#: Glossary translations count less than the words the user typed.
TRANSLATION_BOOST = 0.25
#: A glossary cell's first spelling is the preferred term ('眼镜': spectacles before eyewear);
#: the other spellings count this much of it.
ALTERNATE_BOOST = 0.6
#: A Chinese term found only through its parts (皮鞋 through 鞋 and 皮) counts this much.
COMPONENT_BOOST = 0.5
#: More words than this are not searched (a pasted paragraph is not a title search).
MAX_GROUPS = 24
#: Words shorter than this are never matched fuzzily (1 edit; 2 from 8 letters on).
FUZZY_MIN = 5

KANA_HANGUL = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uac00-\ud7af]")
_CHUNK = re.compile(f"[{CJK_CHARS}]+|[^\\s{CJK_CHARS}]+")


def parse_designation(text: str):
    """The grammar's reading of a designation ('GB/T 13927—2022'), or None."""
    if _try_parse is None:
        return None
    try:
        return _try_parse(text)
    except Exception:  # the grammar is another team's module: a bug there must not break search
        return None


@dataclass
class Understood:
    """What a query means: designation terms answered first, word groups all required."""

    text: str
    designations: list[str] = field(default_factory=list)
    groups: list[Q.Query] = field(default_factory=list)
    words: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)
    cjk: set[str] = field(default_factory=set)
    unknown: list[str] = field(default_factory=list)
    #: Designations the grammar reads in the text, held or not (index/meaning.py decides).
    asked: list[Asked] = field(default_factory=list)
    #: Chinese typos corrected by sound: (as typed, the known word), e.g. ('闸伐', '闸阀').
    corrected: list[tuple[str, str]] = field(default_factory=list)
    #: (collect_stem_heads(stems), how candidate ASCII words begin), filled by the first highlight (stems complete by then)
    heads: tuple | None = None

    def word_query(self, require_all: bool = True) -> Q.Query | None:
        """The words as one query: every group required, or any (the fallback)."""
        if not self.groups:
            return None
        if len(self.groups) == 1:
            return self.groups[0]
        return Q.And(self.groups) if require_all else UnionOr(self.groups)

    def core_query(self) -> Q.Query | None:
        """Every group required except lone Chinese characters that nothing translates (制 of
        an unknown 钢制): the first fallback when no title holds every word, before 'any word',
        so that such a character never brings back every title that has it. None when no group
        is such a character, or every group is."""
        core = [g for g in self.groups if not _lone_character(g)]
        if not core or len(core) == len(self.groups):
            return None
        return core[0] if len(core) == 1 else Q.And(core)

    def any_query(self) -> Q.Query | None:
        """Any word will do (the last fallback), lone untranslated characters left out when
        other words remain."""
        core = [g for g in self.groups if not _lone_character(g)] or self.groups
        if not core:
            return None
        return core[0] if len(core) == 1 else UnionOr(core)


def _lone_character(group: Q.Query) -> bool:
    """A group that is one Chinese character matched alone ('title_char'), with no translation."""
    while isinstance(group, (UnionOr, Q.Or)) and len(group.subqueries) == 1:
        group = group.subqueries[0]
    return isinstance(group, Q.Term) and group.fieldname == "title_char"


def split_chunks(text: str) -> list[str]:
    """Whitespace-separated pieces with CJK runs apart: 'GB/T12234钢制闸阀 test' -> ['GB/T12234', '钢制闸阀', 'test']."""
    return _CHUNK.findall(text)


def has_term(reader, fieldname: str, text: str) -> bool:
    """Whether the index holds ``text`` in ``fieldname``."""
    try:
        return (fieldname, text) in reader
    except (KeyError, ValueError):
        return False


def _asked(text: str) -> Asked | None:
    """The designation ``text`` is, by the grammar (held or not), or None."""
    parsed = parse_designation(text)
    if parsed is None or not parsed.key or not any(c.isdigit() for c in text):
        return None
    return Asked.from_designation(text, parsed)


def find_designations(chunks: list[str], reader) -> tuple[list[str], list[Asked], list[str]]:
    """Designations among the chunks (longest first from the left) and the chunks left over:
    (designation terms the index holds that the grammar does not read, designations the grammar
    reads, rest).

    The grammar's reading wins: 'GB/T 12238' is a designation whether or not we hold it (and
    is then answered as not held, never as the words 'GB', 'T', '12238'). A whole query that is
    a bare number ('5208', '60947-2') counts when the index holds it; inside longer text a
    designation must start with letters ('ISO 5208 valves'), so 'valves 2015' stays words.
    """
    whole_text = " ".join(chunks)
    whole = dash_form(whole_text)
    if whole and any(c.isdigit() for c in whole) and not any(CJK_RUN.match(c) for c in chunks):
        asked = _asked(whole_text) if whole_text[:1].isalpha() else None
        if asked is not None:
            return [], [asked], []
        if has_term(reader, "desig", whole):
            return [whole], [], []
    found: list[str] = []
    asked_list: list[Asked] = []
    rest: list[str] = []
    i = 0
    while i < len(chunks):
        matched = 0
        if chunks[i][:1].isascii() and chunks[i][:1].isalpha() and not CJK_RUN.match(chunks[i]):
            for j in range(min(len(chunks), i + 5), i, -1):
                window = chunks[i:j]
                if any(CJK_RUN.match(c) for c in window):
                    continue
                text = " ".join(window)
                dashed = dash_form(text)
                if not any(c.isdigit() for c in dashed):
                    continue
                asked = _asked(text)
                if asked is not None:
                    asked_list.append(asked)
                    matched = j - i
                    break
                if has_term(reader, "desig", dashed):
                    found.append(dashed)
                    matched = j - i
                    break
        if matched:
            i += matched
        else:
            rest.append(chunks[i])
            i += 1
    return found, asked_list, rest


#: Analysed words by (field, text): the same words come back query after query, and a field's
#: analyzer is fixed by schema.build_schema (an index of another layout is rebuilt, writer.py).
_ANALYSED: dict[tuple[str, str], tuple[str, ...]] = {}
_ANALYSED_LIMIT = 50_000


def _analysed(schema, fieldname: str, text: str) -> list[str]:
    key = (fieldname, text)
    found = _ANALYSED.get(key)
    if found is None:
        found = tuple(analyse(schema[fieldname].analyzer, text))
        if len(_ANALYSED) >= _ANALYSED_LIMIT:
            _ANALYSED.clear()
        _ANALYSED[key] = found
    return list(found)


class UnionOr(Q.Or):
    """Or with a tree of union matchers: Whoosh's automatic choice preloads arrays the size of
    the whole index for every Or (profiled: most of a query's time at 94,000 documents)."""

    matcher_type = Q.Or.DEFAULT_MATCHER


def _terms_query(fieldname: str, terms: list[str], boost: float, reader=None) -> Q.Query | None:
    """All of ``terms`` in one field, or None when there is none (or one is not in the index)."""
    terms = [t for t in dict.fromkeys(terms) if t]
    if not terms:
        return None
    if reader is not None and not all(has_term(reader, fieldname, t) for t in terms):
        return None
    if len(terms) == 1:
        return Q.Term(fieldname, terms[0], boost=boost)
    # the boost goes on the leaves: Whoosh does not apply a compound query's own boost
    return Q.And([Q.Term(fieldname, t, boost=boost) for t in terms])


#: The fields a glossary translation is matched in, by its language: an English term is not
#: looked for in French titles ('spectacles' is also French for shows: ISO 3382-1, "Salles de
#: spectacles"), nor a French one in English titles.
TRANSLATION_FIELDS = {"en": ("title_en", "scope_en", "keywords"), "fr": ("title_fr", "scope_fr")}
ALL_FIELDS = ("title_en", "scope_en", "keywords", "title_fr", "scope_fr", "title_plain")


def _latin_alternatives(word: str, schema, reader, und: Understood, boost: float = 1.0,
                        fields: tuple[str, ...] = ALL_FIELDS) -> list[Q.Query]:
    """Every field in which a typed word can match, with field boosts."""
    alternatives: list[Q.Query] = []
    plain = _analysed(schema, "title_plain", word)
    en = _analysed(schema, "title_en", word)
    fr = _analysed(schema, "title_fr", word)
    for fieldname, terms in (("title_en", en), ("scope_en", en), ("keywords", en),
                             ("title_fr", fr), ("scope_fr", fr), ("title_plain", plain)):
        if fieldname not in fields:
            continue
        q = _terms_query(fieldname, terms, BOOST[fieldname] * boost, reader)
        if q is not None:
            alternatives.append(q)
    und.words.update(plain)
    und.stems.update(en)
    und.stems.update(fr)
    if any(c.isdigit() for c in word):
        dashed = dash_form(word)
        if dashed:
            alternatives.append(Q.Term("desig", dashed, boost=BOOST["desig"] * boost))
    if boost == 1.0 and len(plain) == 1 and not word.isdigit():
        text = plain[0]
        known = has_term(reader, "title_plain", text) or any(has_term(reader, "title_en", t) for t in en)
        if not known and len(text) >= FUZZY_MIN:
            maxdist = 2 if len(text) >= 8 else 1
            alternatives.append(Q.FuzzyTerm("title_plain", text, boost=BOOST["fuzzy"], maxdist=maxdist, prefixlength=1))
            und.words.update(_near_words(reader, text, maxdist))
        if not known and not has_term(reader, "scope_en", en[0] if en else text) and len(text) >= 4:
            und.unknown.append(word)
    return alternatives


def _near_words(reader, text: str, maxdist: int) -> list[str]:
    """Index words within ``maxdist`` edits (what the fuzzy term will match), for highlighting."""
    try:
        return list(reader.terms_within("title_plain", text, maxdist, prefix=1))
    except (KeyError, ValueError, TypeError):
        return []


def _is_stopword(word: str, schema) -> bool:
    """A word that English or French analysis drops ('the', 'for', 'de', 'et')."""
    return not _analysed(schema, "title_en", word) or not _analysed(schema, "title_fr", word)


#: The longest word :func:`segment_by_index` looks for (jieba's dictionary words are rarely longer).
MAX_ZH_WORD = 8


def segment_by_index(text: str, reader) -> list[str]:
    """Cut a Chinese run into the words the index holds, longest first (forward maximum matching
    over the Chinese title and scope vocabulary): '钢制闸阀' -> ['钢制', '闸阀'].

    At query time this replaces jieba, whose dictionary costs a process a second and 80 MB to
    load: a word the index does not hold cannot match anyway, and the titles were cut by jieba
    in search mode, so their vocabulary holds the words and the words inside them. A character
    that starts no indexed word stays on its own.
    """
    words: list[str] = []
    pos = 0
    while pos < len(text):
        for size in range(min(MAX_ZH_WORD, len(text) - pos), 1, -1):
            piece = text[pos:pos + size]
            if has_term(reader, "title_zh", piece) or has_term(reader, "scope_zh", piece):
                words.append(piece)
                pos += size
                break
        else:
            words.append(text[pos])
            pos += 1
    return words


def _chinese_alternatives(term: str, schema, reader, und: Understood, boost: float = 1.0) -> list[Q.Query]:
    """Chinese title, bigram, single-character and scope matches of one Chinese term."""
    words = [w for w in segment_by_index(term, reader) if w.strip() and w not in ZH_STOP]
    und.cjk.add(term)
    alternatives = []
    if len(term) == 1:
        # one character: every title holding it (jieba rarely makes a word of one character)
        q = _terms_query("title_char", [term], BOOST["title_cjk"] * boost, reader)
        return [q] if q is not None else []
    bigrams = _analysed(schema, "title_cjk", term)
    for fieldname, terms in (("title_zh", words), ("scope_zh", words), ("title_cjk", bigrams)):
        q = _terms_query(fieldname, terms, BOOST[fieldname] * boost, reader)
        if q is not None:
            alternatives.append(q)
    return alternatives


def _translations(entries, schema, reader, und: Understood, typed_key: tuple | None) -> list[Q.Query]:
    """One query for the other terms of glossary entries, at the translation boost.

    The best-matching translation counts (a disjunction-max), so an entry listing 'gate valve'
    and 'gate valves' does not score twice; the typed term itself (``typed_key``) is skipped.
    """
    alternatives: list[Q.Query] = []
    seen: set = set()
    for entry in entries:
        if typed_key is not None:
            for term in entry.zh:
                if term not in seen:
                    seen.add(term)
                    alternatives.extend(_chinese_alternatives(normalise_text(term), schema, reader, und))
        for lang, terms in (("en", entry.en), ("fr", entry.fr)):
            for rank, term in enumerate(terms):
                words = re.findall(r"[^\W_]+", term)
                key = word_key(words)
                if key == typed_key or key in seen:
                    continue
                seen.add(key)
                per_word = [_phrase_word(w, schema, reader, und, TRANSLATION_FIELDS[lang]) for w in words]
                per_word = [q for q in per_word if q is not None]
                if per_word:
                    q = per_word[0] if len(per_word) == 1 else Q.And(per_word)
                    alternatives.append(_scaled(q, 1.0 if rank == 0 else ALTERNATE_BOOST))
    if not alternatives:
        return []
    return [Q.DisjunctionMax([_scaled(q, TRANSLATION_BOOST) for q in alternatives])]


def _scaled(q: Q.Query, factor: float) -> Q.Query:
    """The query with every leaf's boost multiplied: Whoosh ignores the boost of a compound
    query's matcher (a DisjunctionMax(boost=0.25) scored like boost=1), leaves honour theirs."""
    subqueries = getattr(q, "subqueries", None)
    if subqueries:
        for sub in subqueries:
            _scaled(sub, factor)
    else:
        q.boost *= factor
    return q


def _phrase_word(word: str, schema, reader, und: Understood, fields: tuple[str, ...] = ALL_FIELDS) -> Q.Query | None:
    if _is_stopword(word, schema):
        return None
    alternatives = _latin_alternatives(word, schema, reader, und, boost=0.99, fields=fields)
    return UnionOr(alternatives) if alternatives else None


class TermLookup:
    """The reader as query understanding uses it, with term membership answered by the
    searcher's term table (:class:`index.scoring.TermScores`: a dict look-up for the text
    fields instead of Whoosh's on-disk hash table)."""

    def __init__(self, terms):
        self.terms = terms

    def __contains__(self, term: tuple[str, str]) -> bool:
        return self.terms.contains(*term)

    def terms_within(self, fieldname: str, text: str, maxdist: int, prefix: int = 0):
        return self.terms.reader.terms_within(fieldname, text, maxdist, prefix=prefix)


def understand(text: str, searcher, glossary: Glossary | None, terms=None) -> Understood:
    """Turn user text into designation terms and word groups (every group must match).

    ``terms``: the searcher's TermScores, for fast term look-ups (else Whoosh's reader).
    """
    reader = TermLookup(terms) if terms is not None else searcher.reader()
    schema = searcher.schema
    normalised = normalise_text(text).strip()
    und = Understood(text=normalised)
    chunks = split_chunks(normalised)
    und.designations, und.asked, rest = find_designations(chunks, reader)
    # consecutive alphabetic chunks stay together so glossary phrases span them ('gate valves')
    runs: list[str] = []
    for chunk in rest:
        if CJK_RUN.fullmatch(chunk) or not runs or CJK_RUN.fullmatch(runs[-1]):
            runs.append(chunk)
        else:
            runs[-1] += " " + chunk
    for run in runs:
        if CJK_RUN.fullmatch(run):
            _add_chinese_groups(run, schema, reader, glossary, und)
        else:
            _add_latin_groups(run, schema, reader, glossary, und)
    del und.groups[MAX_GROUPS:]
    return und


def _add_chinese_groups(run: str, schema, reader, glossary, und: Understood) -> None:
    if KANA_HANGUL.search(run):
        # Japanese or Korean: no dictionary here, every character pair of the run is required
        query = _terms_query("title_cjk", _analysed(schema, "title_cjk", run), BOOST["title_cjk"], reader)
        und.groups.append(query if query is not None else Q.NullQuery)
        und.cjk.add(run)
        return
    run = correct_chinese(run, reader, glossary, und)
    for piece, entries in cut_chinese(run, reader, glossary):
        if not piece.strip() or piece in ZH_STOP:
            continue
        alternatives = _chinese_alternatives(piece, schema, reader, und)
        if entries:
            alternatives.extend(_translations(entries, schema, reader, und, None))
        query = UnionOr(alternatives) if alternatives else None
        if len(piece) > 1 and (query is None or not _matches(query, reader)):
            # no title holds the word: its parts, the last one (the head of a Chinese compound:
            # 皮鞋 is a kind of 鞋) required, the others raising the score
            parts = _component_query(piece, schema, reader, glossary, und)
            if parts is not None:
                query = parts if query is None else UnionOr([query, parts])
        if query is not None:
            und.groups.append(query)


def cut_chinese(run: str, reader, glossary) -> list[tuple[str, list]]:
    """A Chinese run cut into glossary terms (longest first) and, between them, the words the
    index holds: '钢制闸阀' -> [('钢制', []), ('闸阀', [闸阀 entry])]."""
    spans = glossary.find_chinese(run) if glossary else []
    pos = 0
    pieces: list[tuple[str, list]] = []
    for start, end, entries in spans:
        if start > pos:
            pieces.extend((w, []) for w in segment_by_index(run[pos:start], reader))
        pieces.append((run[start:end], entries))
        pos = end
    if pos < len(run):
        pieces.extend((w, []) for w in segment_by_index(run[pos:], reader))
    return pieces


def _matches(query: Q.Query, reader) -> bool:
    """Whether a query matches any document (evaluated: an And of present terms may match none)."""
    terms = getattr(reader, "terms", None)
    if terms is None:
        return True
    from .scoring import evaluate

    return bool(len(evaluate(query, terms)))


def _component_query(piece: str, schema, reader, glossary, und: Understood) -> Q.Query | None:
    """A Chinese term by its parts: the glossary terms inside it, else its characters."""
    spans = glossary.find_chinese(piece, longest=len(piece) - 1) if glossary else []
    covered = {i for a, b, _ in spans for i in range(a, b)}
    parts = [(piece[a:b], e) for a, b, e in spans] + [(piece[i], []) for i in range(len(piece)) if i not in covered]
    order = {text: piece.find(text) for text, _ in parts}
    parts.sort(key=lambda p: order[p[0]])
    queries = []
    for text, entries in parts:
        alternatives = _chinese_alternatives(text, schema, reader, und, boost=COMPONENT_BOOST)
        if entries:
            alternatives.extend(_scaled(q, COMPONENT_BOOST) for q in _translations(entries, schema, reader, und, None))
        queries.append(UnionOr(alternatives) if alternatives else None)
    if not queries or queries[-1] is None:
        return None
    head = queries[-1]
    others = [q for q in queries[:-1] if q is not None]
    return UnionOr([head, Q.And([head] + others)]) if others else head


def _known_chinese(word: str, reader, glossary) -> bool:
    return bool(glossary and glossary.has_chinese(word)) or has_term(reader, "title_zh", word) \
        or has_term(reader, "scope_zh", word)


def correct_chinese(run: str, reader, glossary, und: Understood) -> str:
    """The run with homophone typos replaced by the known word that sounds the same
    ('闸伐' -> '闸阀'; index/pinyin.py), each correction noted in ``und.corrected``.

    Only a stretch holding a character that no known word of the cut covers is corrected, so a
    run of known words ('钢制闸阀') is never changed.
    """
    pieces = cut_chinese(run, reader, glossary)
    unknown: set[int] = set()
    pos = 0
    for piece, entries in pieces:
        if len(piece) == 1 and not entries and not _known_chinese(piece, reader, glossary):
            unknown.add(pos)
        pos += len(piece)
    if not unknown:
        return run
    homophones = _homophones(reader, glossary)
    out = run
    i = 0
    while i < len(run):
        fixed = 0
        for j in range(min(len(run), i + 6), i + 1, -1):
            window = run[i:j]
            if not any(k in unknown for k in range(i, j)) or _known_chinese(window, reader, glossary):
                continue
            found = homophones.find(window)
            if found:
                out = out.replace(window, found[0], 1)
                und.corrected.append((window, found[0]))
                fixed = j - i
                break
        i += fixed or 1
    return out


def _homophones(reader, glossary):
    """The known Chinese words by sound, built once per searcher (index/pinyin.py)."""
    from .pinyin import Homophones

    terms = getattr(reader, "terms", None)
    holder = terms if terms is not None else reader
    found = getattr(holder, "_homophones", None)
    if found is None or found[0] is not glossary:
        words = list(glossary.chinese_terms()) if glossary else []
        if terms is not None:
            words += terms.field_terms("title_zh")
        found = (glossary, Homophones(words))
        try:
            holder._homophones = found
        except AttributeError:  # a reader that takes no attributes: build again next time
            pass
    return found[1]


def _add_latin_groups(chunk: str, schema, reader, glossary, und: Understood) -> None:
    words = re.findall(r"[^\W_]+", chunk)
    spans = glossary.find_words(words) if glossary else []
    covered: dict[int, tuple[int, list]] = {start: (end, entries) for start, end, entries in spans}
    i = 0
    while i < len(words):
        if i in covered:
            end, entries = covered[i]
            parts = [_phrase_word(w, schema, reader, und) for w in words[i:end]]
            parts = [p for p in parts if p is not None]
            alternatives: list[Q.Query] = []
            if parts:
                alternatives.append(parts[0] if len(parts) == 1 else Q.And(parts))
            alternatives.extend(_translations(entries, schema, reader, und, word_key(words[i:end])))
            if alternatives:
                und.groups.append(UnionOr(alternatives))
            i = end
            continue
        word = words[i]
        i += 1
        if _is_stopword(word, schema):
            continue
        alternatives = _latin_alternatives(word, schema, reader, und)
        if alternatives:
            und.groups.append(UnionOr(alternatives))


def suggest_spelling(und: Understood, searcher, original: str) -> str | None:
    """'Did you mean': the query with unknown words replaced by the index's nearest words, and
    Chinese typos by the known word that sounds the same ('闸伐' -> '闸阀')."""
    if not und.unknown and not und.corrected:
        return None
    suggestion = original
    changed = False
    for typed, word in und.corrected:
        if typed not in suggestion:
            suggestion = normalise_text(suggestion)  # typed in traditional characters or full width
        if typed in suggestion:
            suggestion = suggestion.replace(typed, word, 1)
            changed = True
    if not und.unknown:
        return suggestion if changed else None
    corrector = searcher.corrector("title_plain")
    for word in und.unknown:
        lowered = word.lower()
        maxdist = 2 if len(lowered) >= 8 else 1
        found = corrector.suggest(lowered, limit=1, maxdist=maxdist, prefix=1)
        if found and found[0] != lowered:
            suggestion = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", found[0], suggestion, count=1)
            changed = True
    return suggestion if changed else None


@lru_cache(maxsize=65536)
def fold_word(word: str) -> str:
    """A title word as highlighting compares it, lower case without accents: 'Façades' -> 'facades'."""
    return word.lower().translate(accent_map)


@lru_cache(maxsize=65536)
def stem_word(lowered: str) -> str:
    """The Porter stem of a lowered word: 'valves' -> 'valv'."""
    return porter_stem(lowered)


def highlight_keys(word: str) -> tuple[str, str]:
    """The forms a title word is compared in: ('valves' -> 'valves', 'valv')."""
    lowered = fold_word(word)
    return lowered, stem_word(lowered)


def collect_stem_heads(stems: set[str]) -> frozenset[str] | None:
    """The first two letters of each stem: a word whose first two letters are not among them
    cannot stem to any of them, so it need not be stemmed (None: every word must be).

    Porter only rewrites endings and never shortens a word below two letters except to one
    ('ies' -> 'i'; checked on every title word of the real catalogue), so one-letter stems
    give None.
    """
    if any(len(stem) < 2 for stem in stems):
        return None
    return frozenset(stem[:2] for stem in stems)


def bare_of(dashed: str) -> str:
    """The number part of a dashed designation, for 'other standards with this number'."""
    return strip_publisher(dashed)
