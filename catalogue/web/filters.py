"""Template filters: status words, dates and numbers by locale, titles in the reader's language,
safe snippets, and the geometry of the server-drawn SVG bar charts."""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Iterable

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal
from flask import Flask
from markupsafe import Markup

from .i18n import current_language
from .i18n import gettext as _
from .i18n import lazy_gettext as _l

_SNIPPET_TAG = re.compile(r"<(?!/?mark>)[^>]*>")


STATUS_LABELS = {
    "current": _l("Current"),
    "upcoming": _l("Upcoming (not yet in force)"),
    "withdrawn": _l("Withdrawn"),
    "replaced": _l("Replaced"),
    "draft": _l("Draft"),
}


def status_label(status: str | None) -> str:
    """The status in words, in the interface language: 'replaced' -> 'Replaced' / '被代替'."""
    label = STATUS_LABELS.get(status or "")
    return str(label) if label is not None else _("Status unknown")


LEVEL_LABELS = {
    "international": _l("International"),
    "foreign": _l("Foreign"),
    "national": _l("National"),
    "industry": _l("Industry"),
    "local": _l("Local"),
    "group": _l("Group"),
    "enterprise": _l("Enterprise"),
}


def level_label(level: str | None) -> str:
    """A level in words, in the interface language: 'industry' -> 'Industry' / '行业' (catalogue.levels)."""
    label = LEVEL_LABELS.get(level or "")
    return str(label) if label is not None else (level or "")


def industry_name(code: str | None) -> str:
    """An industry prefix's industry in the interface language: 'JB' -> 'Mechanical Engineering' / '机械'."""
    from catalogue.levels import industry_label

    return industry_label(code or "", current_language()) if code else ""


def status_class(status: str | None) -> str:
    """The CSS class of a status badge ('status-current'); the words carry the meaning, colour helps."""
    return f"status-{status}" if status in ("current", "upcoming", "withdrawn", "replaced", "draft") else "status-unknown"


RELATION_LABELS = {
    "replaces": _l("Replaces"),
    "replaced_by": _l("Replaced by"),
    "amends": _l("Amends"),
    "amended_by": _l("Amended by"),
    "corrects": _l("Corrects"),
    "corrected_by": _l("Corrected by"),
    "adopts": _l("Adopts"),
    "adopted_by": _l("Adopted by"),
    "cites": _l("Cites"),
    "cited_by": _l("Cited by"),
}


def relation_label(kind: str) -> str:
    """A relation type as a heading: 'replaced_by' -> 'Replaced by'."""
    return str(RELATION_LABELS.get(kind, kind))


DEGREE_LABELS = {"IDT": _l("identical"), "MOD": _l("modified"), "NEQ": _l("not equivalent")}


def degree_label(degree: str | None) -> str:
    """An adoption degree with its meaning: 'MOD' -> 'MOD (modified)'."""
    if not degree:
        return _("degree not given")
    return f"{degree} ({DEGREE_LABELS.get(degree, degree)})"


def locale_date(value: str | None) -> str:
    """'2015-06-01' -> '1 June 2015' / '2015年6月1日'; '2015-06' -> 'Jun 2015'; '2015' stays."""
    if not value:
        return ""
    return _format_date_text(value, current_language())


@lru_cache(maxsize=8192)
def _format_date_text(value: str, lang: str) -> str:
    # Babel parses the locale and the pattern on every call (~40 us); a standard page shows
    # ~13 dates (history, provenance), and the same dates recur across pages.
    parts = value.split("T")[0].split("-")
    try:
        if len(parts) == 3:
            return format_date(date(int(parts[0]), int(parts[1]), int(parts[2])), "long", locale=lang)
        if len(parts) == 2:
            return format_skeleton("yMMM", date(int(parts[0]), int(parts[1]), 1), locale=lang)
    except ValueError:  # a date the sources garbled (month 13): show it as given
        return value
    return value


def locale_number(value: int | float | None) -> str:
    """12345 -> '12,345' in the interface language's style."""
    if value is None:
        return ""
    return _format_number(value, current_language())


@lru_cache(maxsize=4096)
def _format_number(value: int | float, lang: str) -> str:
    # Babel parses the locale on every call (~30 us); a search page formats ~40 facet counts.
    return format_decimal(value, locale=lang)


#: The record fields a source may vouch for (the store's provenance rows), named as the details list names them.
FIELD_LABELS = {
    "designation": _l("Designation"), "type": _l("Document type"), "number": _l("Number"), "part": _l("Part"),
    "year": _l("Year"), "supplement": _l("Supplement"), "status": _l("Status"), "published": _l("Published"),
    "in_force": _l("In force from"), "withdrawn": _l("Withdrawn on"), "edition": _l("Edition"),
    "pages": _l("Pages"), "ics": _l("ICS"), "ccs": _l("CCS"), "committee": _l("Committee"),
    "languages": _l("Languages"), "keywords": _l("Keywords"),
}


def field_label(name: str) -> str:
    """A provenance field in words: 'in_force' -> 'In force from' / '实施日期', 'titles.fr' ->
    'Title (French)' / '名称（法语）'; a field this list does not know stays as it is."""
    base, _dot, lang = (name or "").partition(".")
    if lang and base == "titles":
        return _("Title (%(language)s)", language=language_name(lang))
    if lang and base == "scope":
        return _("Scope (%(language)s)", language=language_name(lang))
    label = FIELD_LABELS.get(name or "")
    return str(label) if label is not None else (name or "")


def language_name(code: str) -> str:
    """'fr' -> 'French' / '法语', named in the interface language; unknown codes stay as they are."""
    return _language_name(code, current_language())


@lru_cache(maxsize=1024)
def _language_name(code: str, lang: str) -> str:
    try:
        name = Locale.parse(code).get_display_name(lang)
    except (ValueError, TypeError, LookupError, UnknownLocaleError):  # e.g. ?language=current
        return code
    return name or code


def best_title(titles: dict | None) -> str:
    """The title in the interface language, else English, else Chinese, else any."""
    titles = titles or {}
    for lang in (current_language(), "en", "zh"):
        if titles.get(lang):
            return titles[lang]
    return next(iter(titles.values()), "")


def best_title_lang(titles: dict | None) -> str:
    """The language code of :func:`best_title`'s choice ('zh', 'en' ...), for the ``lang`` attribute."""
    titles = titles or {}
    for lang in (current_language(), "en", "zh"):
        if titles.get(lang):
            return lang
    return next(iter(titles), current_language())


def other_title(titles: dict | None) -> str:
    """The title in the other of zh/en, shown under the main one in lists ('' when absent)."""
    titles = titles or {}
    other = "en" if current_language() == "zh" else "zh"
    text = titles.get(other, "")
    return "" if text == best_title(titles) else text


def safe_snippet(snippet: str | None) -> Markup:
    """Mark the index's highlighted snippet safe, keeping only <mark> tags.

    The index escapes the text and adds <mark>; stripping any other tag guards against an
    index that forgot to escape.
    """
    return Markup(_SNIPPET_TAG.sub("", snippet or ""))


def bar_chart(items: Iterable, width: int = 360, bar_height: int = 22, gap: int = 6, label_width: int = 150) -> dict:
    """Geometry of a horizontal bar chart for [(label, count, href[, css class]), ...], drawn by the template."""
    rows = [tuple(item) + ("",) * (4 - len(tuple(item))) for item in items]
    top = max((row[1] for row in rows), default=0) or 1
    span = width - label_width - 60
    bars = []
    for index, (label, count, href, css) in enumerate(rows):
        y = index * (bar_height + gap)
        bars.append({
            "label": label,
            "count": count,
            "href": href,
            "y": y,
            "text_y": y + bar_height * 0.7,
            "width": max(2, round(span * count / top)) if count else 0,
            "css": css,
        })
    return {
        "bars": bars,
        "width": width,
        "height": max(bar_height, len(rows) * (bar_height + gap) - gap),
        "bar_height": bar_height,
        "label_width": label_width,
    }


def init_app(app: Flask) -> None:
    """Register the filters above under short names."""
    app.jinja_env.filters.update(
        status_label=status_label,
        status_class=status_class,
        level_label=level_label,
        industry_name=industry_name,
        relation_label=relation_label,
        degree_label=degree_label,
        locale_date=locale_date,
        locale_number=locale_number,
        language_name=language_name,
        field_label=field_label,
        best_title=best_title,
        best_title_lang=best_title_lang,
        other_title=other_title,
        safe_snippet=safe_snippet,
    )
    app.jinja_env.globals["bar_chart"] = bar_chart
