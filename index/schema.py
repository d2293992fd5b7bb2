"""The Whoosh schema and how one Standard becomes one index document.

Stored data is one narrow tuple per document (``row``): what a hit shows, what facets count
and what sorts order, so a search never unpickles more than that.
"""
from __future__ import annotations

import re
from typing import Any

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from catalogue.levels import industry_of_publisher, level_of, level_of_publisher
from catalogue.records import Standard

from .analyzers import (
    HAS_CJK,
    bigram_analyzer,
    chinese_analyzer,
    designation_terms,
    english_analyzer,
    french_analyzer,
    plain_analyzer,
)

#: Facet names, in the order the search result lists them.
FACETS = ("publisher", "status", "ics", "ccs", "year", "decade", "committee", "language", "system", "level", "industry")

#: Status order when editions of one work are listed: the edition in force first.
STATUS_RANK = {"current": 0, "upcoming": 1, "draft": 2, "replaced": 3, "withdrawn": 4, "": 5}

#: Score multipliers: at equal relevance a standard in force ranks above a withdrawn one.
STATUS_FACTOR = {"current": 1.0, "upcoming": 0.95, "": 0.9, "draft": 0.8, "replaced": 0.75, "withdrawn": 0.75}

#: Row positions of the stored tuple.
ROW_KEY, ROW_WORK, ROW_DESIGNATION, ROW_TITLES, ROW_STATUS, ROW_PUBLISHER, ROW_YEAR, \
    ROW_IN_FORCE, ROW_DATE, ROW_SORTKEY, ROW_FACETS = range(11)


def build_schema() -> Schema:
    """The index schema: designation terms, titles per language, scope, facets, and the row."""
    return Schema(
        key=ID(unique=True),
        work=ID(),
        desig=KEYWORD(lowercase=False, scorable=True),
        title_en=TEXT(analyzer=english_analyzer(), phrase=False),
        title_fr=TEXT(analyzer=french_analyzer(), phrase=False),
        title_zh=TEXT(analyzer=chinese_analyzer(), phrase=False),
        title_cjk=TEXT(analyzer=bigram_analyzer(), phrase=False),
        title_plain=TEXT(analyzer=plain_analyzer(), phrase=False),
        scope_en=TEXT(analyzer=english_analyzer(), phrase=False),
        scope_fr=TEXT(analyzer=french_analyzer(), phrase=False),
        scope_zh=TEXT(analyzer=chinese_analyzer(), phrase=False),
        keywords=TEXT(analyzer=english_analyzer(), phrase=False),
        row=STORED(),
    )


def ics_levels(code: str) -> list[str]:
    """Every level of an ICS code: '23.060.10' -> ['23', '23.060', '23.060.10']."""
    parts = [p for p in code.strip().split(".") if p]
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def ccs_levels(code: str) -> list[str]:
    """The CCS letter and the full code: 'J16' -> ['J', 'J16']; 'J' -> ['J']."""
    code = code.strip().upper()
    if not code:
        return []
    return [code[0]] if len(code) == 1 else [code[0], code]


def year_of(record: Standard) -> str:
    """The year of an edition: its own year, else the year it was published: '2015'."""
    year = (record.year or "").strip()
    if not (len(year) == 4 and year.isdigit()):
        year = (record.published or "")[:4]
    return year if len(year) == 4 and year.isdigit() else ""


def sort_key(record: Standard) -> str:
    """Designation order as one string, numbers zero-padded: 'ISO 9' before 'ISO 10'.

    'ISO 5208:2015' -> 'iso 000000005208:000000002015'. A string, not a tuple: the row of
    every document is held in memory, and 94,000 small tuples of tuples cost more than 94,000
    strings.
    """
    text = (record.designation or record.key).lower()
    return re.sub(r"\d+", lambda m: m.group().zfill(12), text)


def facet_values(record: Standard, systems: list[str]) -> dict[str, list[str]]:
    """The values a record counts under in each facet (ICS at every level, CCS letter and code).

    Stored in the row as a tuple of tuples in FACETS order (see :func:`make_document`).
    """
    year = year_of(record)
    standard_level = level_of_publisher(record.publisher) if record.publisher else level_of(record.designation)
    industry = industry_of_publisher(record.publisher) if standard_level == "industry" else ""
    ics: list[str] = []
    for code in record.ics:
        for level in ics_levels(code):
            if level not in ics:
                ics.append(level)
    return {
        "publisher": [record.publisher] if record.publisher else [],
        "status": [record.status] if record.status else [],
        "ics": ics,
        "ccs": ccs_levels(record.ccs or ""),
        "year": [year] if year else [],
        "decade": [f"{year[:3]}0s"] if year else [],
        "committee": [record.committee] if record.committee else [],
        "language": list(dict.fromkeys(record.languages)),
        "system": list(dict.fromkeys(systems)),
        "level": [standard_level] if standard_level else [],
        "industry": [industry] if industry else [],
    }


def _facet_tuple(values: dict[str, list[str]]) -> tuple:
    return tuple(tuple(values[name]) for name in FACETS)


def make_document(record: Standard, extra: dict | None = None) -> dict[str, Any]:
    """The Whoosh document for a record; ``extra`` may hold ``systems`` and ``in_force``."""
    extra = extra or {}
    systems = list(extra.get("systems") or [])
    in_force = bool(extra.get("in_force", record.status == "current"))
    titles = {lang: text for lang, text in (record.titles or {}).items() if text}
    scope = {lang: text for lang, text in (record.scope or {}).items() if text}
    cjk_titles = " ".join(text for text in titles.values() if HAS_CJK.search(text))
    zh_titles = " ".join(text for lang, text in titles.items() if lang.startswith("zh"))
    doc: dict[str, Any] = {
        "key": record.key,
        "work": record.work or record.key,
        "desig": " ".join(designation_terms(record.designation, record.key, record.work, record.number)),
        "title_en": titles.get("en", ""),
        "title_fr": titles.get("fr", ""),
        "title_zh": zh_titles,
        "title_cjk": cjk_titles,
        # alphabetic titles only: CJK runs would be one junk "word" each in the typo word list
        "title_plain": " ".join(text for text in titles.values() if not HAS_CJK.search(text)),
        "scope_en": scope.get("en", ""),
        "scope_fr": scope.get("fr", ""),
        "scope_zh": " ".join(text for lang, text in scope.items() if lang.startswith("zh")),
        "keywords": " ".join(record.keywords),
    }
    doc = {name: value for name, value in doc.items() if value}
    date = record.published or record.in_force or (year_of(record) and f"{year_of(record)}-01-01") or ""
    doc["row"] = (
        record.key,
        record.work or record.key,
        record.designation,
        titles,
        record.status,
        record.publisher,
        year_of(record),
        in_force,
        date,
        sort_key(record),
        _facet_tuple(facet_values(record, systems)),
    )
    return doc
