"""Template filters: dates and numbers by locale, titles in the reader's language, safe snippets,
and the geometry of the server-drawn SVG bar charts. The words (statuses, types, facet values ...)
come from :mod:`catalogue.web.labels`, the one vocabulary; they are re-exported here for callers
that import them from this module."""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Iterable

from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal
from flask import Flask
from markupsafe import Markup, escape

from . import labels
from .i18n import current_language
from .i18n import gettext as _
from .labels import (  # noqa: F401 - re-exported: the vocabulary moved to labels.py
    degree_label, field_label, language_name, relation_label, status_class, status_label,
)

_SNIPPET_TAG = re.compile(r"<(?!/?mark>)[^>]*>")


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


def ordered_titles(titles: dict | None) -> list[tuple[str, str]]:
    """Titles as (language, text), the reader's language first, then the other of zh/en, then the rest."""
    titles = titles or {}
    first = current_language()
    order = {first: 0, ("en" if first == "zh" else "zh"): 1}
    return sorted(((lang, text) for lang, text in titles.items() if text), key=lambda item: (order.get(item[0], 2), item[0]))


def link_to(text: str, url: str | None, **attributes: str) -> Markup:
    """A link as safe markup, for a sentence that holds one ('被 %(designation)s 代替'):
    link_to('ISO 5208:2015', '/standards/iso-5208-2015'); no url gives the escaped text alone."""
    if not url:
        return Markup(escape(text))
    extra = "".join(f' {name.rstrip("_").replace("_", "-")}="{escape(value)}"' for name, value in attributes.items() if value)
    return Markup(f'<a href="{escape(url)}"{extra}>{escape(text)}</a>')


def successor_link(item: dict, link_id: str = "") -> Markup:
    """A successor as it sits in '被 ... 代替': its link, or its designation marked not catalogued.

    ``item`` is a hit's successor ({"designation", "url"}) or a relation ({"target", "url"}).
    """
    text = item.get("designation") or item.get("target") or ""
    if item.get("url"):
        return link_to(text, item["url"], id=link_id, class_="successor-link")
    return Markup(escape(text)) + Markup(' <span class="unresolved">') + \
        escape(_("(not in the catalogue)")) + Markup("</span>")


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
    labels.init_app(app)
    app.jinja_env.filters.update(
        locale_date=locale_date,
        locale_number=locale_number,
        best_title=best_title,
        best_title_lang=best_title_lang,
        other_title=other_title,
        ordered_titles=ordered_titles,
        safe_snippet=safe_snippet,
    )
    app.jinja_env.globals.update(bar_chart=bar_chart, link_to=link_to, successor_link=successor_link)
