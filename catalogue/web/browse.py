"""Browsing: the ICS and CCS trees with counts (a leaf lists its standards), publishers, committees."""
from __future__ import annotations

import math

from flask import Blueprint, url_for

from . import get_catalogue
from .errors import PageNotFound
from .i18n import current_language
from .i18n import gettext as _
from .params import MAX_PAGE, get_int
from .queries import class_counts, class_node_map, classified_total, committee_counts, publisher_counts
from .render import add_twin_rules, respond, split_suffix

bp = Blueprint("browse", __name__)

SCHEMES = ("ics", "ccs")
MAX_CODE_CHARS = 40
#: Standards listed per page on a leaf class.
LEAF_PAGE_SIZE = 20


def class_tree(scheme: str, code: str | None) -> dict:
    """A node of a classification tree (or its top level when ``code`` is None) with counts.

    Codes the records use but the loaded tree lacks (or every code, when no tree was loaded)
    still get a page: their place is worked out from the code itself ('23.060.01' sits under
    '23.060'; 'J16' under 'J').
    """
    store = get_catalogue().store
    counts = class_counts(store, scheme)
    nodes = class_node_map(store, scheme)
    node = None
    ancestors = []
    if code is not None:
        found = nodes.get(code)
        if found is None and code not in counts:
            raise PageNotFound(
                _("There is no %(scheme)s code '%(code)s' in the catalogue.", scheme=scheme.upper(), code=code),
                [
                    {"key": "", "designation": n.code, "titles": n.titles, "status": "",
                     "url": url_for("browse.show_class", scheme=scheme, code=n.code)}
                    for n in nodes.values()
                    if not n.parent and code[:1] and n.code.startswith(code[:1])
                ][:8],
            )
        titles = found.titles if found else {}
        node = {"code": code, "parent": parent_of(scheme, code, nodes) or None, "titles": titles,
                "notes": found.notes if found else {}, "count": counts.get(code, 0)}
        parent = parent_of(scheme, code, nodes)
        seen = {code}
        while parent and parent not in seen:
            seen.add(parent)
            up = nodes.get(parent)
            ancestors.insert(0, {"code": parent, "titles": up.titles if up else {},
                                 "url": url_for("browse.show_class", scheme=scheme, code=parent)})
            parent = parent_of(scheme, parent, nodes)
    wanted = code or ""
    child_codes = {c for c, n in nodes.items() if (n.parent or "") == wanted}
    child_codes |= {c for c in counts if c not in nodes and parent_of(scheme, c, nodes) == wanted}
    children = [
        {
            "code": child,
            "titles": nodes[child].titles if child in nodes else {},
            "count": counts.get(child, 0),
            "url": url_for("browse.show_class", scheme=scheme, code=child),
            "search": url_for("search.show_search", **{scheme: child}) if _searchable(scheme, child) else None,
        }
        for child in sorted(child_codes)
    ]
    # The root counts each classified standard once, however many fields its codes fall in.
    total = classified_total(store, scheme) if code is None else node["count"]
    searchable = bool(code) and _searchable(scheme, code)
    return {
        "scheme": scheme,
        "node": node,
        "ancestors": ancestors,
        "children": children,
        "count": total,
        "search": url_for("search.show_search", **{scheme: code}) if searchable else None,
        "standards": leaf_standards(scheme, code) if searchable and not children and total else None,
    }


def leaf_standards(scheme: str, code: str) -> dict:
    """A page of the standards a leaf class holds, through the search index's class filter:
    {"total", "page", "pages", "hits", "pages_urls"}, in designation order (``?page=`` pages)."""
    from .search import decorate_hits, plain_hit

    page = get_int("page", 1, 1, MAX_PAGE)
    cat = get_catalogue()
    result = cat.search("", filters={scheme: [code]}, sort="designation", page=page, page_size=LEAF_PAGE_SIZE,
                        facets=False, lang=current_language())
    pages = max(1, math.ceil(result.total / LEAF_PAGE_SIZE))
    return {
        "total": result.total, "page": page, "pages": pages, "page_size": LEAF_PAGE_SIZE,
        "hits": decorate_hits(cat.store, [plain_hit(hit) for hit in result.hits]),
        "prev": url_for("browse.show_class", scheme=scheme, code=code, page=page - 1 if page > 2 else None)
        if page > 1 else None,
        "next": url_for("browse.show_class", scheme=scheme, code=code, page=page + 1) if page < pages else None,
    }


def parent_of(scheme: str, code: str, nodes: dict) -> str:
    """The parent code: from the tree when it has the code, else from the code's shape."""
    if code in nodes:
        return nodes[code].parent or ""
    if scheme == "ics":
        return code.rsplit(".", 1)[0] if "." in code else ""
    return code[0] if len(code) > 1 else ""


def _searchable(scheme: str, code: str) -> bool:
    # The search filter takes ICS codes and CCS letters or codes; CCS range groups ('J10/19')
    # are browse-only nodes the index does not know.
    return scheme == "ics" or "/" not in code


def show_class_root(scheme: str):
    """``/ics/`` and ``/ccs/``: the top level of the tree with counts."""
    return respond("classification.html", class_tree(scheme, None))


def show_class(scheme: str, code: str):
    """``/ics/<code>`` and ``/ccs/<code>`` (CCS group codes hold a slash: ``/ccs/J10/19``)."""
    code, _suffix = split_suffix(code, ("json",))
    if len(code) > MAX_CODE_CHARS:
        raise PageNotFound(_("There is no classification code that long."))
    return respond("classification.html", class_tree(scheme, code))


def show_publishers():
    """``/publishers/``: every publisher with its number of records."""
    rows = publisher_counts(get_catalogue().store)
    from .home import TOP_PUBLISHERS

    return respond("publishers.html", {
        "publishers": [
            {"publisher": pub, "count": count, "search": url_for("search.show_search", publisher=pub)}
            for pub, count in rows
        ],
        # The row the home chart's "others" bar points at (#others): the first one it leaves out.
        "first_other": TOP_PUBLISHERS + 1,
    })


def show_committees():
    """``/committees/``: technical committees, with their records in the catalogue."""
    store = get_catalogue().store
    counts = committee_counts(store)
    known = {c.reference: c for c in store.committees()}
    refs = sorted(set(known) | set(counts))
    return respond("committees.html", {
        "committees": [
            {
                "reference": ref,
                "titles": known[ref].titles if ref in known else {},
                "publisher": known[ref].publisher if ref in known else "",
                "count": counts.get(ref, 0),
                "search": url_for("search.show_search", committee=ref),
            }
            for ref in refs
        ]
    })


for _scheme in SCHEMES:
    add_twin_rules(bp, f"/{_scheme}/", show_class_root, defaults={"scheme": _scheme})
bp.add_url_rule("/<any(ics, ccs):scheme>/<path:code>", view_func=show_class)
add_twin_rules(bp, "/publishers/", show_publishers)
add_twin_rules(bp, "/committees/", show_committees)
