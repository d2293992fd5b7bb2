"""How a Standard becomes a Typesense document, the collection's fields, and the glossary as
Typesense synonyms.

Typesense 0.24 has no stemmer, no jieba and no designation grammar, so every text field holds
*our* analysis, space-joined (Typesense splits on spaces and drops punctuation inside a token):
English and French stems, jieba's search-mode words (traditional folded to simplified), CJK
character pairs for Japanese and Korean titles, and the designation terms of
:func:`index.analyzers.designation_terms`. Queries are analysed the same way
(:mod:`index.typesense_query`), so a typed word and a title word meet in one token, and Typesense
adds what it does well on top: typo tolerance, synonyms, facets, grouping and replication.

Fields that a hit shows but no query reads (titles, designation) are stored undeclared: Typesense
keeps and returns them without indexing them.
"""
from __future__ import annotations

import re
from typing import Any

from catalogue.records import Standard

from .analyzers import (
    CJK_RUN,
    HAS_CJK,
    analyse,
    chinese_analyzer,
    dash_form,
    designation_terms,
    english_analyzer,
    french_analyzer,
    normalise_text,
    plain_analyzer,
    strip_publisher,
)
from .sidecar import FOCUS_FLOOR, title_length
from .schema import FACETS, STATUS_FACTOR, STATUS_RANK, facet_values, group_of, kind_of, sort_key, year_of

#: Bumped when the documents change shape: a collection of another layout is rebuilt.
LAYOUT = "ts-3"  # ts-2: the standard a document is grouped under (grp) and its kind; ts-3: replaced and withdrawn at factor 50
#: Words in an average title (the real ISO + IEC catalogue: about 9; the demo: 8).
AVERAGE_TITLE_WORDS = 9.0
#: ICS levels with a facet field of their own (drill-down: the children of a chosen code).
ICS_DEPTHS = 3


def _field(name: str, kind: str = "string", **options) -> dict:
    return {"name": name, "type": kind, **options}


def collection_fields() -> list[dict]:
    """The declared fields of a catalogue collection (Typesense 0.24 schema)."""
    fields = [
        _field("key", sort=True),
        _field("work", facet=True),
        _field("grp", facet=True),            # its standard (schema.group_of): group_by needs a facet field
        _field("kind"),                       # schema.kind_of: edition, amendment, version, ...
        _field("desig", "string[]"),           # exact designation terms (filters)
        _field("dz", sort=True),               # the dashed designation, for prefix suggestions
        _field("dzb", sort=True),              # ... and without its publisher ('5208-2015')
        _field("tz", "string[]", optional=True),  # each title lowered without spaces: title suggestions
        _field("tz0", sort=True),              # the first of them in order (suggestions come in it)
        _field("title", optional=True),        # analysed title words (weighted above `all`)
        _field("all", optional=True),          # analysed titles, scope, keywords, designation terms
        _field("plain", optional=True),        # unstemmed title words: typo suggestions
        _field("zh", optional=True),           # jieba words of the Chinese title and scope
        _field("sort_key", sort=True),
        _field("date"),
        _field("dsort", sort=True),           # the date, '0' when none (Typesense sorts '' first)
        _field("in_force", "int32"),
        _field("status_rank", "int32"),
        _field("factor", "int32"),            # status factor x 100
        _field("rank", "int32"),              # status factor x title-length focus x 1000: ties of text match
    ]
    for name in FACETS:
        fields.append(_field(name, "string[]", facet=True, optional=True))
    for depth in range(1, ICS_DEPTHS + 1):
        fields.append(_field(f"ics_d{depth}", "string[]", facet=True, optional=True))
    fields.append(_field("ccs_d1", "string[]", facet=True, optional=True))
    fields.append(_field("ccs_d2", "string[]", facet=True, optional=True))
    return fields


_ANALYZERS: dict = {}
_NOT_ALNUM = re.compile(r"[\W_]+")


def analyzers() -> tuple:
    """(English, French, Chinese) analyzers, made once: a Whoosh stemming filter keeps its stem
    cache per instance, so a new analyzer per record would stem every word again."""
    if not _ANALYZERS:
        _ANALYZERS["all"] = (english_analyzer(), french_analyzer(), chinese_analyzer(), plain_analyzer())
    return _ANALYZERS["all"]


def _tokens(analyzer, text: str) -> list[str]:
    """Analysed tokens of one text, keeping only those Typesense would not mangle: it drops
    punctuation inside a token, so a token of punctuation alone would be an empty one."""
    return [t for t in analyse(analyzer, text) if t and any(ch.isalnum() for ch in t)]


def analyse_titles(titles: dict[str, str]) -> list[str]:
    """Every token a title answers to, in every language we analyse (one list, order kept)."""
    tokens: list[str] = []
    en, fr, zh, _ = analyzers()
    for lang, text in titles.items():
        if lang.startswith("zh"):
            tokens.extend(_tokens(zh, text))
        elif HAS_CJK.search(text):
            # Japanese, Korean: no dictionary here; character pairs as the Whoosh bigram field
            tokens.extend(cjk_pairs(text))
            tokens.extend(_tokens(en, CJK_RUN.sub(" ", text)))
        else:
            tokens.extend(_tokens(en, text))
            if lang == "fr":
                tokens.extend(_tokens(fr, text))
    return list(dict.fromkeys(tokens))


def focus_of(titles: dict[str, str]) -> float:
    """The title-length factor of index/sidecar.py (short, focused titles first among equal
    text matches), against a fixed average: a collection has no statistics of its own here."""
    length = title_length(titles)
    return min(1.3, max(0.65, 1.0 / (FOCUS_FLOOR + (1 - FOCUS_FLOOR) * length / AVERAGE_TITLE_WORDS)))


def squeeze(text: str) -> str:
    """A title as one prefix-searchable token: lowered, without spaces or punctuation (Typesense
    drops punctuation inside a token anyway): 'Industrial valves - Pressure' -> 'industrialvalvespressure'."""
    return _NOT_ALNUM.sub("", text.lower())


def cjk_pairs(text: str) -> list[str]:
    """Overlapping character pairs of each CJK run: '眼镜架' -> ['眼镜', '镜架']."""
    out = []
    for run in CJK_RUN.finditer(normalise_text(text)):
        chars = run.group()
        out.extend([chars] if len(chars) == 1 else [chars[i:i + 2] for i in range(len(chars) - 1)])
    return out


def make_document(record: Standard, extra: dict | None = None) -> dict[str, Any]:
    """The Typesense document for a record; ``extra`` may hold ``systems`` and ``in_force``."""
    extra = extra or {}
    systems = list(extra.get("systems") or [])
    in_force = bool(extra.get("in_force", record.status == "current"))
    titles = {lang: text for lang, text in (record.titles or {}).items() if text}
    scope = {lang: text for lang, text in (record.scope or {}).items() if text}
    work = record.work or record.key
    dashed = dash_form(record.designation or record.key)
    squeezed = [t for t in dict.fromkeys(squeeze(text) for text in titles.values()) if t]
    desig = designation_terms(record.designation, record.key, record.work, record.number)
    title_tokens = analyse_titles(titles)
    body = list(title_tokens)
    en, fr, zh, plain_words = analyzers()
    zh_tokens = [t for lang, text in titles.items() if lang.startswith("zh") for t in _tokens(zh, text)]
    for lang, text in scope.items():
        if lang.startswith("zh"):
            found = _tokens(zh, text)
            zh_tokens.extend(found)
            body.extend(found)
        else:
            body.extend(_tokens(en, text))
            if lang == "fr":
                body.extend(_tokens(fr, text))
    for word in record.keywords:
        body.extend(_tokens(en, word))
    plain = [t for text in titles.values() if not HAS_CJK.search(text) for t in _tokens(plain_words, text)]
    body.extend(plain)  # a word we do not know is sent as typed: its typos meet these
    # every Chinese character of a CJK title on its own, as the Whoosh title_char field: a one-
    # character query (阀, 鞋) finds the titles holding it (jieba rarely makes a word of one)
    body.extend(ch for text in titles.values() if HAS_CJK.search(text)
                for run in CJK_RUN.findall(normalise_text(text)) for ch in run)
    body.extend(desig)
    values = facet_values(record, systems)
    factor = 100 if in_force else int(round(100 * STATUS_FACTOR.get(record.status or "", 0.9)))
    year = year_of(record)
    date = record.published or record.in_force or (year and f"{year}-01-01") or ""
    if year and date[:4] < year:  # as schema.make_document: a supplement dated with its base edition's year
        date = f"{year}-01-01"
    doc: dict[str, Any] = {
        "id": record.key,
        "key": record.key,
        "work": work,
        "grp": group_of(record),
        "kind": kind_of(record),
        "desig": desig,
        "dz": dashed,
        "dzb": strip_publisher(dashed) if strip_publisher(dashed) != dashed else "",
        "tz": squeezed,
        "tz0": min(squeezed, default=""),
        "title": " ".join(title_tokens),
        "all": " ".join(dict.fromkeys(body)),
        "plain": " ".join(dict.fromkeys(plain)),
        "zh": " ".join(dict.fromkeys(zh_tokens)),
        "sort_key": sort_key(record),
        "date": date,
        "dsort": date or "0",
        "in_force": int(in_force),
        "status_rank": STATUS_RANK.get(record.status or "", 5),
        "factor": factor,
        "rank": int(round(10 * factor * focus_of(titles))),
        # shown by hits, never searched (undeclared: stored as it is)
        "row": {"designation": record.designation, "titles": titles, "status": record.status,
                "publisher": record.publisher, "year": year},
    }
    for name in FACETS:
        doc[name] = values[name]
    ics = values["ics"]
    for depth in range(1, ICS_DEPTHS + 1):
        doc[f"ics_d{depth}"] = [code for code in ics if code.count(".") == depth - 1]
    doc["ccs_d1"] = [code for code in values["ccs"] if len(code) == 1]
    doc["ccs_d2"] = [code for code in values["ccs"] if len(code) > 1]
    return doc


def glossary_synonyms(glossary) -> list[tuple[str, list[str]]]:
    """The glossary as multi-way Typesense synonyms, in our analysed forms.

    Each entry gives one set: its Chinese terms as typed (a query keeps a glossary term whole,
    index.typesense_query) and as jieba cuts them (how titles hold them), its English terms as
    stems and its French terms as French stems: ('g12', ['闸阀', 'gate valv', 'robinet vann']).
    """
    out = []
    en, fr, zh, _ = analyzers()
    for number, entry in enumerate(glossary.entries):
        forms: list[str] = []
        for term in entry.zh:
            folded = normalise_text(term).strip()
            if folded:
                forms.append(folded)
                cut = " ".join(_tokens(zh, folded))
                if cut:
                    forms.append(cut)
        for term in entry.en:
            stems = " ".join(_tokens(en, term))
            if stems:
                forms.append(stems)
        for term in entry.fr:
            stems = " ".join(_tokens(fr, term))
            if stems:
                forms.append(stems)
        forms = list(dict.fromkeys(forms))
        if len(forms) > 1:
            out.append((f"g{entry.line or number}", forms))
    return out
