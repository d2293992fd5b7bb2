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
    SUPPLEMENT_TAIL,
    YEAR_TAIL,
    bigram_analyzer,
    char_analyzer,
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
#: Replaced and withdrawn editions at half weight: a standard in force with half the word score
#: still ranks above them (bench/relevance.py, 2026-12-02: at 0.75, 接触器 put a replaced GB first,
#: ahead of the IEC 60947-4 parts in force; 0.5 lifted s@1 from 0.956 to 0.966 on the demo and
#: from 0.840 to 0.843 on the real catalogue, no kind lower).
STATUS_FACTOR = {"current": 1.0, "upcoming": 0.95, "": 0.9, "draft": 0.8, "replaced": 0.5, "withdrawn": 0.5}

#: Row positions of the stored tuple.
ROW_KEY, ROW_WORK, ROW_DESIGNATION, ROW_TITLES, ROW_STATUS, ROW_PUBLISHER, ROW_YEAR, \
    ROW_IN_FORCE, ROW_DATE, ROW_SORTKEY, ROW_FACETS, ROW_GROUP, ROW_KIND = range(13)

#: What a document is within its standard (its group): the edition itself, a supplement to an
#: edition, or another form of an edition (IEC's consolidated CSV, redline RLV, series SER,
#: extended EXV and commented CMV versions; IEEE's redlines). Codes are stored per document.
KINDS = ("edition", "amendment", "corrigendum", "version", "series", "other")
#: A supplement's or version's marker in a designation or key, as the sources spell them.
_VERSION_WORDS = ("csv", "rlv", "ser", "exv", "cmv", "prv", "redline")
_VERSION_TAIL = re.compile(r"(?:[\s+-]+(?:CSV|RLV|SER|EXV|CMV|PRV|REDLINE)\b)+\s*$", re.IGNORECASE)
_SUPPLEMENT_KEY = re.compile(r"-(?:amd|cor|ish|xg|dam|damd|dcor|fdam|fdamd|pdam|cd-amd|csv|rlv|ser|exv|cmv|prv|"
                             r"redline)(?:-|$).*$")
#: Stage words of ISO/IEC drafts in a work key ('iso-dis-18984'): a draft folds under the
#: standard it will become ('iso-18984'); 'dts' becomes 'ts' and so on.
_STAGES = {"dis": "", "fdis": "", "cd": "", "wd": "", "awi": "", "pwi": "", "np": "", "nwip": "",
           "dts": "ts", "dtr": "tr", "dpas": "pas", "fdts": "ts", "fdtr": "tr", "dguide": "guide"}
_YEAR4 = re.compile(r"(?:1[89]|20)\d{2}")


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
        title_char=TEXT(analyzer=char_analyzer(), phrase=False),
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
    """The year of a document: an edition's own year, else the year it was published: '2015'.

    A supplement carries its own year, not its base edition's: 'ISO 16139:2006/Amd 1:2019' is
    2019 (the last year its supplement names: '.../Amd 1:2019/Cor 1:2020' is 2020).
    """
    supplement = (record.supplement or "").strip()
    kind = kind_of(record) if supplement else "edition"
    if kind != "edition":
        years = _YEAR4.findall(supplement) if kind in ("amendment", "corrigendum", "other") else []
        if years:
            return years[-1]
        published = (record.published or "")[:4]
        base = (record.year or "").strip()
        if len(published) == 4 and published.isdigit() and published > base:
            return published  # a consolidated version published after its base edition
    year = (record.year or "").strip()
    if not (len(year) == 4 and year.isdigit()):
        year = (record.published or "")[:4]
    return year if len(year) == 4 and year.isdigit() else ""


def kind_of(record: Standard) -> str:
    """What a document is within its standard (see KINDS): 'IEC 60934:2019 RLV' -> 'version',
    'ISO 16139:2006/Amd 1:2019' -> 'amendment', '.../AMD1:2019/COR1:2020' -> 'corrigendum'."""
    supplement = (record.supplement or "").strip().lower()
    doc_type = (record.doc_type or "").strip().lower()
    designation = (record.designation or "").lower()
    if re.search(r"\bser\b", supplement) or re.search(r"\sSER$", record.designation or ""):
        return "series"  # IEC's series record: every part of a number in one publication
    if doc_type == "redline" or any(re.search(rf"\b{w}\b", supplement) for w in _VERSION_WORDS) \
            or _VERSION_TAIL.search(record.designation or ""):
        return "version"
    if not supplement and not SUPPLEMENT_TAIL.search(designation):
        return "edition"
    last = re.split(r"[/+]", supplement)[-1].strip() if supplement else designation.rsplit("/", 1)[-1]
    if last.startswith(("amd", "dam", "fdam", "pdam", "cd amd", "xg")):
        return "amendment"
    if last.startswith(("cor", "dcor")):
        return "corrigendum"
    return "other"


def group_of(record: Standard) -> str:
    """The standard a document belongs to (the work its hits are grouped under): an edition's
    own work; a supplement's or version's base work ('IEC 60898-1:2015+AMD1:2019 CSV' ->
    'iec-60898-1'); a draft's future work ('ISO/DIS 18984' -> 'iso-18984')."""
    work = record.work or record.key
    if kind_of(record) != "edition":
        base = SUPPLEMENT_TAIL.split(record.designation or "", maxsplit=1)[0]
        base = _VERSION_TAIL.sub("", base).strip()
        parsed = _parse(base) if base and base != record.designation else None
        if parsed is not None and parsed.work:
            work = parsed.work
        else:
            work = YEAR_TAIL.sub("", _SUPPLEMENT_KEY.sub("", record.key or work))
    return _without_stage(work)


def _without_stage(work: str) -> str:
    parts = work.split("-")
    if len(parts) > 2 and parts[0] in ("iso", "iec") or (len(parts) > 3 and parts[:2] == ["iso", "iec"]):
        head = 2 if parts[:2] == ["iso", "iec"] else 1
        stage = parts[head]
        if stage in _STAGES:
            replaced = [_STAGES[stage]] if _STAGES[stage] else []
            # 'iso-cd-9001.2': the second committee draft of ISO 9001, not a part
            rest = [re.sub(r"\.\d+$", "", p) for p in parts[head + 1:]]
            return "-".join(parts[:head] + replaced + rest)
    return work


def _parse(text: str):
    try:
        from catalogue.designation import try_parse
    except ImportError:  # pragma: no cover - the grammar is part of the catalogue core
        return None
    try:
        return try_parse(text)
    except Exception:  # another team's module: a bug there must not stop indexing
        return None


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
        "title_char": cjk_titles,
        # alphabetic titles only: CJK runs would be one junk "word" each in the typo word list
        "title_plain": " ".join(text for text in titles.values() if not HAS_CJK.search(text)),
        "scope_en": scope.get("en", ""),
        "scope_fr": scope.get("fr", ""),
        "scope_zh": " ".join(text for lang, text in scope.items() if lang.startswith("zh")),
        "keywords": " ".join(record.keywords),
    }
    doc = {name: value for name, value in doc.items() if value}
    year = year_of(record)
    date = record.published or record.in_force or (year and f"{year}-01-01") or ""
    if year and date[:4] < year:  # a supplement dated with its base edition's year (ISO's Amd records)
        date = f"{year}-01-01"
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
        group_of(record),
        kind_of(record),
    )
    return doc
