"""Small checks for query arguments: each answers the value or raises BadArgument (a 400).

Messages name the argument and the allowed values, in English: they are part of the JSON
contract and are shown on the error page as they are (the page around them is translated).
"""
from __future__ import annotations

import re

from flask import current_app, request

from catalogue.errors import UsageError
from catalogue.levels import LEVELS
from catalogue.records import STATUSES

SORTS = ("relevance", "date", "designation")
#: How many values one repeated argument (``?publisher=ISO&publisher=IEC``) may carry.
MAX_VALUES = 20
MAX_VALUE_CHARS = 200
#: Deep pages cost the index as much as the first pages before them; nobody reads page 500.
MAX_PAGE = 500

_ICS = re.compile(r"^\d{2}(\.\d{3}(\.\d{2})?)?$")
_CCS = re.compile(r"^[A-Z](\d{2}(/\d{2})?)?$")
_YEAR = re.compile(r"^\d{4}$")
_DECADE = re.compile(r"^\d{3}0s$")
_INDUSTRY = re.compile(r"^[A-Z]{2,4}$")

#: Filters the search page passes on to the index, each with a check for its values.
FILTER_NAMES = ("publisher", "status", "ics", "ccs", "year", "decade", "committee", "language", "system", "level",
                "industry")


#: The order links put query arguments in: the search text, the filters, then the rest.
ARG_ORDER = ("q",) + FILTER_NAMES + ("sort", "group", "page_size", "page")
#: How search hits are grouped: one per standard (``work``, the default) or every edition (``none``).
GROUPS = ("work", "none")
_ARG_RANK = {name: rank for rank, name in enumerate(ARG_ORDER)}


def ordered_args(exclude: tuple[str, ...] = ("lang",)) -> list[tuple[str, str]]:
    """This request's arguments in one order whatever order the address gave them.

    '?status=current&q=valves&publisher=ISO' -> [('q', 'valves'), ('publisher', 'ISO'),
    ('status', 'current')]: by ``ARG_ORDER``, then by name; the values of one name keep their
    order (``filters['publisher']`` lists them so). Links built from this make the same page
    from any order of the same arguments, which lets the response cache share it
    (``cache.make_canonical_query``).
    """
    return sorted(
        ((k, v) for k, v in request.args.items(multi=True) if k not in exclude),
        key=lambda item: (_ARG_RANK.get(item[0], len(_ARG_RANK)), item[0]),
    )


class BadArgument(UsageError):
    """A query argument is wrong; answered with 400 and this sentence."""

    status = 400


def get_text(name: str, default: str = "", limit: int = MAX_VALUE_CHARS) -> str:
    """The argument ``name`` as stripped text, refused when longer than ``limit`` characters."""
    value = (request.args.get(name) or default).strip()
    if len(value) > limit:
        raise BadArgument(
            f"The argument '{name}' is {len(value)} characters long; the limit is {limit} characters."
        )
    return value


def get_query(name: str = "q") -> str:
    """The search text: up to MAX_QUERY_CHARS characters (500 by default), else a polite 400."""
    return get_text(name, limit=current_app.config["MAX_QUERY_CHARS"])


def get_choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    """One of ``allowed``: get_choice('sort', SORTS, 'relevance') refuses 'colour'."""
    value = (request.args.get(name) or default).strip()
    if value not in allowed:
        raise BadArgument(f"Cannot {_verb(name)} {_quote(value)}; use one of: {', '.join(allowed)}.")
    return value


def get_int(name: str, default: int, low: int, high: int, cap_hint: str = "") -> int:
    """A whole number between ``low`` and ``high`` ('page=2'); text or out of range is refused."""
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return default
    if not re.fullmatch(r"\d{1,9}", raw):
        raise BadArgument(f"The argument '{name}' must be a whole number from {low} to {high}, not {_quote(raw)}.")
    value = int(raw)
    if value < low or value > high:
        extra = f" ({cap_hint})" if cap_hint else ""
        raise BadArgument(f"The argument '{name}' must be from {low} to {high}{extra}; {value} is out of range.")
    return value


def get_page_size() -> int:
    """Hits per page: 1 to the cap (100), default 20; the message names the cap."""
    cap = current_app.config["PAGE_SIZE_CAP"]
    return get_int("page_size", current_app.config["PAGE_SIZE"], 1, cap, cap_hint=f"the cap is {cap} hits per page")


def get_filters() -> dict[str, list[str]]:
    """The search filters present in the query string, each value checked: {'status': ['current']}."""
    filters: dict[str, list[str]] = {}
    for name in FILTER_NAMES:
        values = [v.strip() for v in request.args.getlist(name) if v.strip()]
        if not values:
            continue
        if len(values) > MAX_VALUES:
            raise BadArgument(f"The argument '{name}' is given {len(values)} times; the limit is {MAX_VALUES}.")
        for value in values:
            check_filter_value(name, value)
        filters[name] = list(dict.fromkeys(values))
    return filters


def check_filter_value(name: str, value: str) -> None:
    """Refuse a filter value that cannot match anything: status 'current-ish', ics '23/060' ..."""
    if len(value) > MAX_VALUE_CHARS:
        raise BadArgument(f"The argument '{name}' is {len(value)} characters long; the limit is {MAX_VALUE_CHARS}.")
    if name == "status" and value not in STATUSES + ("unknown",):
        raise BadArgument(f"Cannot filter by status {_quote(value)}; use one of: {', '.join(STATUSES)}, unknown.")
    if name == "ics" and not _ICS.match(value):
        raise BadArgument(f"Cannot filter by ICS code {_quote(value)}; use a code like 23, 23.060 or 23.060.01.")
    if name == "ccs" and not _CCS.match(value):
        raise BadArgument(f"Cannot filter by CCS code {_quote(value)}; use a code like J, J10/19 or J16.")
    if name == "year" and not _YEAR.match(value):
        raise BadArgument(f"Cannot filter by year {_quote(value)}; use a year like 2015.")
    if name == "decade" and not _DECADE.match(value):
        raise BadArgument(f"Cannot filter by decade {_quote(value)}; use a decade like 2010s.")
    if name == "level" and value not in LEVELS:
        raise BadArgument(f"Cannot filter by level {_quote(value)}; use one of: {', '.join(LEVELS)}.")
    if name == "industry" and not _INDUSTRY.match(value):
        raise BadArgument(f"Cannot filter by industry {_quote(value)}; use an industry prefix like JB or QB.")


def _verb(name: str) -> str:
    return {"sort": "sort by", "group": "group by", "lang": "show the interface in"}.get(name, f"use {name}")


def _quote(value: str) -> str:
    shown = value if len(value) <= 40 else value[:40] + "..."
    return f"'{shown}'"
