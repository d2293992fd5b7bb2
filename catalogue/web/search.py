"""The search page: hits, facets with counts, active filters, did-you-mean, sort and paging."""
from __future__ import annotations

import math
from urllib.parse import urlencode

from flask import Blueprint, g

from . import get_catalogue
from .errors import PageNotFound
from .filters import locale_number
from .i18n import current_language
from .i18n import gettext as _
from .i18n import ngettext
from .labels import facet_title
from .labels import facet_value_label as label_value
from .params import (
    ARG_ORDER, FILTER_NAMES, GROUPS, MAX_PAGE, SORTS, get_choice, get_filters, get_int, get_page_size, get_query,
    ordered_args,
)
from .queries import brief_records, class_titles, committee_names, system_names
from .render import add_twin_rules, respond, split_suffix
from .templating import url_for_page

bp = Blueprint("search", __name__)

#: The order facets appear in the sidebar; the index may offer fewer (``level`` and ``industry``
#: arrive with issue 13's readers).
FACET_ORDER = ("status", "level", "publisher", "industry", "ics", "ccs", "system", "decade", "year", "committee",
               "language")
#: Where a facet link lands: the results, so focus and the screen are on them after a click.
RESULTS_ANCHOR = "#results"
#: Values shown per facet in the sidebar (the JSON twin has them all).
FACET_VALUES_SHOWN = 12


def run_search(facets_only: bool = False) -> dict:
    """Check the arguments, search once, and answer the page's dict (the JSON twin's shape)."""
    query = get_query()
    filters = get_filters()
    sort = get_choice("sort", SORTS, "relevance")
    group = get_choice("group", GROUPS, "work")
    page = 1 if facets_only else get_int("page", 1, 1, MAX_PAGE)
    page_size = get_page_size()
    cat = get_catalogue()
    result = cat.search(
        query, filters=filters, sort=sort, page=page, page_size=page_size, facets=True, lang=current_language(),
        group=group,
    )
    data = result.to_json()
    pages = getattr(result, "pages", None) or max(1, math.ceil(result.total / page_size))
    data.update({
        "hits": [] if facets_only else decorate_hits(cat.store, [plain_hit(hit) for hit in result.hits]),
        "related": [link_related(item) for item in data["related"]],
        "series": [{**item, "record": plain_hit(item["record"]) if item.get("record") else None}
                   for item in data["series"]],
        "filters": filters,
        "sort": sort,
        "page": page,
        "page_size": page_size,
        "pages": pages,
    })
    return data


def plain_hit(hit: dict) -> dict:
    """A hit as JSON: the DESIGN.md fields plus the snippet, edition-in-force flag, kind, URL and,
    grouped, the standard's folded editions (each with its URL)."""
    out = {name: hit.get(name) for name in ("key", "designation", "titles", "status", "publisher", "year", "score")}
    out["snippet"] = hit.get("snippet") or ""
    out["in_force"] = bool(hit.get("in_force"))
    out["kind"] = hit.get("kind") or "edition"
    out["url"] = url_for_page("standards.show_standard", key=hit["key"])
    if hit.get("exact"):
        out["exact"] = True
    if hit.get("group"):
        folded = hit["group"]
        out["group"] = {**folded, "members": [{**m, "url": url_for_page("standards.show_standard", key=m["key"])}
                                              for m in folded["members"]]}
    return out


def link_related(item: dict) -> dict:
    """A related item of a designation not held, with the address of what it names."""
    if item.get("key"):
        return {**item, "url": url_for_page("standards.show_standard", key=item["key"])}
    if item["why"] == "system":
        return {**item, "url": url_for_page("systems.show_system", system_id=item["id"])}
    if item["why"] == "scheme":
        return {**item, "url": url_for_page("systems.show_scheme", scheme_id=item["id"])}
    return item


def decorate_hits(store, hits: list[dict]) -> list[dict]:
    """Add each hit's dates and what replaced it, read for the page's hits at once (two queries).

    ``dates``: {"published", "in_force", "withdrawn"}; ``replaced_by``: [{"designation", "key",
    "status", "url"}] (url and status None when the successor is not catalogued; a draft successor
    means a revision under way); ``type``: the document type.
    """
    keys = [hit["key"] for hit in hits]
    briefs = brief_records(store, keys)
    successors = store.list_successors(keys)
    for hit in hits:
        brief = briefs.get(hit["key"], {})
        hit["dates"] = {name: brief.get(name) or None for name in ("published", "in_force", "withdrawn")}
        hit["type"] = brief.get("type") or None
        hit["replaced_by"] = [
            {"designation": s["target"], "key": s["target_key"], "status": s["status"],
             "url": url_for_page("standards.show_standard", key=s["target_key"]) if s["resolved"] else None}
            for s in successors.get(hit["key"], [])
        ]
    return hits


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


def facet_groups(facets: dict, filters: dict, shown_values: int | None = None) -> list[dict]:
    """Facets in sidebar order, each value with its count, label, link and whether it is an active filter.

    Labels, counts and links are made here rather than in the template: three template calls
    for each of ~40 values were a third of a search page's render (profiled 2026-11-25).
    ``shown_values``: how many values a facet shows (FACET_VALUES_SHOWN; None shows them all);
    a facet with more gets ``more`` (how many are left) and ``all_url`` (the page listing all).
    """
    groups = []
    limit = FACET_VALUES_SHOWN if shown_values is None else shown_values
    names = [n for n in FACET_ORDER if n in facets] + [n for n in facets if n not in FACET_ORDER]
    for name in names:
        values = facets.get(name) or []
        active = set(filters.get(name, []))
        items = [{"value": str(v), "count": c, "active": str(v) in active} for v, c in values]
        # Keep active values visible even when they are not among the first values shown.
        shown = items[:limit] + [i for i in items[limit:] if i["active"]] if limit else items
        if shown:
            links = make_add_links(name, [i["value"] for i in shown if not i["active"]])
            for item in shown:
                value = item["value"]
                item["href"] = (search_url(drop=(name, value)) if item["active"] else links[value]) + RESULTS_ANCHOR
                item["label"] = facet_value_label(name, value)
                item["count_text"] = locale_number(item["count"])
            more = max(0, len(items) - len(shown))
            groups.append({"name": name, "title": facet_title(name), "values": shown, "more": more,
                           "all_url": facet_page_url(name) if more else None,
                           "active": sum(1 for i in items if i["active"])})
    return groups


def facet_page_url(name: str) -> str:
    """The page listing every value of facet ``name`` for this search: '/search/facets/publisher?q=valves'."""
    args = [pair for pair in request_search_args() if pair[0] != "page"]
    return join_url(url_for_page("search.show_facet", name=name), [urlencode([pair]) for pair in args])


def show_search():
    """``/search?q=&publisher=&status=&ics=&year=&sort=&page=``."""
    return respond("search.html", run_search())


def show_facet(name: str):
    """``/search/facets/<name>?q=...``: every value of one facet for this search, with counts and links."""
    name, _suffix = split_suffix(name, ("json",))
    data = run_search(facets_only=True)
    if name not in (data.get("facets") or {}):
        raise PageNotFound(_("This search has no facet '%(name)s'.", name=name[:40]))
    groups = facet_groups({name: data["facets"][name]}, data["filters"], shown_values=0)
    data.update({"facet": name, "facet_title": facet_title(name), "group": groups[0] if groups else None,
                 "back": search_url()})
    return respond("search_facet.html", data)


add_twin_rules(bp, "/search", show_search)
bp.add_url_rule("/search/facets/<name>", view_func=show_facet)  # and its twin /search/facets/<name>.json


@bp.app_template_global()
def filter_names() -> tuple[str, ...]:
    return FILTER_NAMES


#: A hit's folded documents, counted by kind: (JSON key, singular, plural).
FOLDED_KINDS = (
    ("editions", "%(num)s edition", "%(num)s editions"),
    ("amendments", "%(num)s amendment", "%(num)s amendments"),
    ("corrigenda", "%(num)s corrigendum", "%(num)s corrigenda"),
    ("versions", "%(num)s other version", "%(num)s other versions"),
    ("series", "%(num)s series record", "%(num)s series records"),
    ("other", "%(num)s other document", "%(num)s other documents"),
)


@bp.app_template_global()
def folded_summary(group: dict) -> str:
    """What a grouped hit folds, in the reader's language: '3 editions, 1 amendment'."""
    parts = [ngettext(one, many, group[key]) for key, one, many in FOLDED_KINDS if group.get(key)]
    return ("、" if current_language() == "zh" else ", ").join(parts)


@bp.app_template_global()
def related_groups(related: list[dict], designation: str) -> list[tuple[str, list[dict]]]:
    """The related items of one designation not held, by kind, in the page's order."""
    order = ("edition", "adopted_by", "adopts", "replaced_by", "system", "scheme", "close")
    mine = [item for item in related if item["for"] == designation]
    return [(why, [i for i in mine if i["why"] == why]) for why in order if any(i["why"] == why for i in mine)]


bp.app_template_global("search_url")(search_url)
bp.app_template_global("facet_groups")(facet_groups)
bp.app_template_global("json_twin_url")(json_twin_url)


def name_lookup(kind: str) -> dict:
    """The store's names for facet values of ``kind`` ('ics', 'ccs', 'committee', 'system'),
    looked up once a request (each is cached per catalogue version)."""
    key = f"_names_{kind}"
    found = g.get(key)
    if found is None:
        store = get_catalogue().store
        if kind in ("ics", "ccs"):
            found = class_titles(store, kind)
        elif kind == "committee":
            found = committee_names(store)
        elif kind == "system":
            found = system_names(store)
        else:
            found = {}
        setattr(g, key, found)
    return found


@bp.app_template_global()
def facet_value_label(name: str, value: str) -> str:
    """A facet value as people read it (labels.facet_value_label with the store's names)."""
    return label_value(name, value, name_lookup)
