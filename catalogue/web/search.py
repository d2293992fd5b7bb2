"""The search page: hits, facets with counts, active filters, did-you-mean, sort and paging."""
from __future__ import annotations

import math
from urllib.parse import urlencode

from flask import Blueprint, g

from . import get_catalogue
from .filters import best_title, industry_name, language_name, level_label, locale_number, status_label
from .i18n import current_language
from .i18n import gettext as _
from .i18n import lazy_gettext as _l
from .params import (
    ARG_ORDER, FILTER_NAMES, MAX_PAGE, SORTS, get_choice, get_filters, get_int, get_page_size, get_query, ordered_args,
)
from .queries import class_node_map
from .render import add_twin_rules, respond
from .templating import url_for_page

bp = Blueprint("search", __name__)

#: The order facets appear in the sidebar; the index may offer fewer.
FACET_ORDER = ("status", "publisher", "level", "industry", "ics", "ccs", "decade", "year", "committee", "language",
               "system")
#: Values shown per facet in the sidebar (the JSON twin has them all).
FACET_VALUES_SHOWN = 12


def run_search() -> dict:
    """Check the arguments, search once, and answer the page's dict (the JSON twin's shape)."""
    query = get_query()
    filters = get_filters()
    sort = get_choice("sort", SORTS, "relevance")
    page = get_int("page", 1, 1, MAX_PAGE)
    page_size = get_page_size()
    result = get_catalogue().search(
        query, filters=filters, sort=sort, page=page, page_size=page_size, facets=True, lang=current_language()
    )
    data = result.to_json()
    pages = getattr(result, "pages", None) or max(1, math.ceil(result.total / page_size))
    data.update({
        "hits": [plain_hit(hit) for hit in result.hits],
        "filters": filters,
        "sort": sort,
        "page": page,
        "page_size": page_size,
        "pages": pages,
    })
    return data


def plain_hit(hit: dict) -> dict:
    """A hit as JSON: the DESIGN.md fields plus the snippet, edition-in-force flag and URL."""
    out = {name: hit.get(name) for name in ("key", "designation", "titles", "status", "publisher", "year", "score")}
    out["snippet"] = hit.get("snippet") or ""
    out["in_force"] = bool(hit.get("in_force"))
    out["url"] = url_for_page("standards.show_standard", key=hit["key"])
    return out


def search_url(drop: tuple[str, str] | None = None, add: tuple[str, str] | None = None, **changes) -> str:
    """This search's address with a filter value dropped or added, or arguments changed.

    ``search_url(add=('status', 'current'))``; ``search_url(page=3)``. Changing a filter or the
    sort goes back to page 1. Arguments come out in ``params.ARG_ORDER`` whatever order the
    address gave them, so one search has one address.
    """
    args = list(request_search_args())
    if drop is not None:
        args = [(k, v) for k, v in args if (k, v) != drop]
    if add is not None and add not in args:
        args.append(add)
    if drop is not None or add is not None or "sort" in changes:
        args = [(k, v) for k, v in args if k != "page"]
    for name, value in changes.items():
        args = [(k, v) for k, v in args if k != name]
        if value is None or value == "" or (name == "page" and value == 1):
            continue
        args.append((name, str(value)))
    args.sort(key=rank_arg)
    return join_url(url_for_page("search.show_search"), [urlencode([pair]) for pair in args])


def rank_arg(pair: tuple[str, str]) -> tuple[int, str]:
    """Where an argument goes in a link: ('status', 'current') -> (2, 'status') (``ARG_ORDER``)."""
    return (_ARG_RANK.get(pair[0], len(_ARG_RANK)), pair[0])


_ARG_RANK = {name: rank for rank, name in enumerate(ARG_ORDER)}


def request_search_args() -> list[tuple[str, str]]:
    """This request's arguments in link order without ``lang``, worked out once a request."""
    args = g.get("_search_args")
    if args is None:
        args = ordered_args()
        g._search_args = args
    return args


def join_url(path: str, encoded: list[str]) -> str:
    """'/search' and ['q=valves', 'status=current'] -> '/search?q=valves&status=current'."""
    return path + ("?" + "&".join(encoded) if encoded else "")


def make_add_links(name: str, values: list[str]) -> dict[str, str]:
    """The address of this search with each value of facet ``name`` added, back on page 1.

    The same as ``search_url(add=(name, value))`` for every value, built from the arguments
    encoded once: a sidebar has ~40 values, and a link each cost ~15 us (profiled 2026-11-25).
    A new value sorts after the arguments ranked before or with ``name`` and before the rest,
    so its place is the same for every value of the facet.
    """
    base = [pair for pair in request_search_args() if pair[0] != "page"]
    rank = rank_arg((name, ""))
    before = [urlencode([pair]) for pair in base if rank_arg(pair) <= rank]
    after = [urlencode([pair]) for pair in base if rank_arg(pair) > rank]
    path = url_for_page("search.show_search")
    present = set(base)
    links = {}
    for value in values:
        middle = [] if (name, value) in present else [urlencode([(name, value)])]
        links[value] = join_url(path, before + middle + after)
    return links


def json_twin_url() -> str:
    """This search's JSON twin with the same arguments (``lang`` too), in link order."""
    return join_url(url_for_page("search.show_search_json"), [urlencode([pair]) for pair in ordered_args(exclude=())])


def facet_groups(facets: dict, filters: dict) -> list[dict]:
    """Facets in sidebar order, each value with its count, label, link and whether it is an active filter.

    Labels, counts and links are made here rather than in the template: three template calls
    for each of ~40 values were a third of a search page's render (profiled 2026-11-25).
    """
    groups = []
    names = [n for n in FACET_ORDER if n in facets] + [n for n in facets if n not in FACET_ORDER]
    for name in names:
        values = facets.get(name) or []
        active = set(filters.get(name, []))
        items = [{"value": str(v), "count": c, "active": str(v) in active} for v, c in values]
        # Keep active values visible even when they are not among the first values shown.
        shown = items[:FACET_VALUES_SHOWN] + [i for i in items[FACET_VALUES_SHOWN:] if i["active"]]
        if shown:
            links = make_add_links(name, [i["value"] for i in shown if not i["active"]])
            for item in shown:
                value = item["value"]
                item["href"] = search_url(drop=(name, value)) if item["active"] else links[value]
                item["label"] = facet_value_label(name, value)
                item["count_text"] = locale_number(item["count"])
            groups.append({"name": name, "title": facet_title(name), "values": shown,
                           "more": max(0, len(items) - len(shown))})
    return groups


def show_search():
    """``/search?q=&publisher=&status=&ics=&year=&sort=&page=``."""
    return respond("search.html", run_search())


add_twin_rules(bp, "/search", show_search)


@bp.app_template_global()
def filter_names() -> tuple[str, ...]:
    return FILTER_NAMES


bp.app_template_global("search_url")(search_url)
bp.app_template_global("facet_groups")(facet_groups)
bp.app_template_global("json_twin_url")(json_twin_url)


FACET_TITLES = {
    "status": _l("Status"),
    "publisher": _l("Publisher"),
    "ics": _l("ICS field"),
    "ccs": _l("CCS class"),
    "year": _l("Year"),
    "decade": _l("Decade"),
    "committee": _l("Committee"),
    "language": _l("Language"),
    "system": _l("Industry system"),
    "level": _l("Level"),
    "industry": _l("Industry"),
}


@bp.app_template_global()
def facet_title(name: str) -> str:
    """A facet's heading in the interface language."""
    return str(FACET_TITLES.get(name, name))


@bp.app_template_global()
def facet_value_label(name: str, value: str) -> str:
    """A facet value as people read it: status words, language names, ICS/CCS code with its title."""
    if name == "status":
        return status_label(value)
    if name == "language":
        return language_name(value)
    if name in ("ics", "ccs"):
        # One cached tree per request instead of one query per facet value (12 per facet, profiled).
        nodes = g.get(f"class_nodes_{name}")
        if nodes is None:
            nodes = class_node_map(get_catalogue().store, name)
            setattr(g, f"class_nodes_{name}", nodes)
        node = nodes.get(value)
        title = best_title(node.titles) if node else ""
        return f"{value} {title}".strip()
    if name == "decade":
        return _("the %(decade)s", decade=value)
    if name == "level":
        return level_label(value)
    if name == "industry":
        return industry_name(value)
    return value
