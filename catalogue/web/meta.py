"""Links that last and machine entry points: ``/resolve``, ``/opensearch.xml``, ``/feed.atom``."""
from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, redirect, request, url_for

from catalogue.errors import CatalogueError
from catalogue.lifecycle import standing_of
from catalogue.notheld import lookup_of, related_to
from catalogue.resolve import resolve_reference
from catalogue.store import now_iso

from . import get_catalogue
from .errors import PageNotFound
from .i18n import gettext as _
from .params import BadArgument, get_int, get_query, get_text
from .queries import brief_records, recent_rows
from .render import add_twin_rules, respond, wants_json
from .search import link_related
from .standards import suggest_for
from .templating import render_page

bp = Blueprint("meta", __name__)

MAX_REF_CHARS = 200
FEED_ENTRIES = 50
SUGGESTIONS = 8


def show_resolve():
    """``/resolve?ref=<any spelling>``: redirect to the record, or list the candidates."""
    ref = get_text("ref", limit=MAX_REF_CHARS)
    if not ref:
        raise BadArgument("The argument 'ref' is required: give a designation such as ISO 5208:2015 or GB/T 12238.")
    cat = get_catalogue()
    res = resolve_reference(cat.store, ref)
    if res.record is not None:
        url = url_for("standards.show_standard", key=res.record.key, **({"from": ref} if res.resolved_from else {}))
        if wants_json():
            return respond("resolve.html", {
                "reference": ref, "how": res.how, "key": res.record.key, "designation": res.record.designation,
                "url": url, "candidates": res.candidates,
            })
        return redirect(url, 302)
    briefs = brief_records(cat.store, res.candidates)
    if res.how == "series":
        ordered = [briefs[k] for k in res.candidates if k in briefs]  # part order
    else:
        # Newest edition first: the one a person most likely wants.
        ordered = sorted((briefs[k] for k in res.candidates if k in briefs),
                         key=lambda b: (b["year"], b["published"], b["key"]), reverse=True)
    candidates = [{**brief, "url": url_for("standards.show_standard", key=brief["key"])} for brief in ordered]
    data = {
        "reference": ref,
        "how": res.how,
        "key": None,
        "designation": res.designation.display if res.designation else None,
        "parsed": res.designation is not None,
        "candidates": candidates,
        "not_held": None,
        "related": [],
    }
    if res.designation is not None and res.how != "series":
        # a designation we do not hold: said plainly, with what we know of it (as search says it)
        d = res.designation
        standing = standing_of(cat.store, d.key if d.dated or d.supplement else d.work, d.work, d.year)
        data["not_held"] = {"designation": d.display, "key": d.key, "work": d.work, "publisher": d.publisher,
                            "state": standing.state, "lookup": lookup_of(d.display, d.publisher, d.type)}
        data["related"] = [link_related(item) for item in related_to(cat.store, d.display, d.key, d.work, d.publisher)]
        return respond("resolve.html", data)
    if not candidates and res.designation is None:
        data["candidates"] = suggest_for(cat, ref)
    if not data["candidates"]:
        raise PageNotFound(_("Nothing in the catalogue matches '%(ref)s'.", ref=ref))
    return respond("resolve.html", data)


def show_opensearch():
    """``/opensearch.xml``: lets a browser's search bar search the catalogue."""
    body = render_page("opensearch.xml", base=request.url_root.rstrip("/"))
    return Response(body, mimetype="application/opensearchdescription+xml")


def show_feed():
    """``/feed.atom``: recently added and changed records (Atom 1.0)."""
    limit = get_int("limit", FEED_ENTRIES, 1, 200)
    entries = recent_rows(get_catalogue().store, limit)
    updated = entries[0]["updated_at"] if entries else now_iso()
    body = render_page(
        "feed.atom.xml",
        entries=entries,
        updated=updated,
        base=request.url_root.rstrip("/"),
        site=current_app.config["CATALOGUE_SITE_NAME"],
    )
    return Response(body, mimetype="application/atom+xml")


def show_suggestions():
    """``/suggest?q=iso 52``: OpenSearch suggestions for the browser's search bar.

    Answers ``["iso 52", ["ISO 5208:2015", ...]]`` (application/x-suggestions+json).
    """
    prefix = get_query()
    cat = get_catalogue()
    found = suggest_designations(cat, prefix) if prefix else []
    return Response(json.dumps([prefix, found], ensure_ascii=False), mimetype="application/x-suggestions+json")


def suggest_designations(cat, prefix: str) -> list[str]:
    """Completions of what is typed, agreeing with search about what a whole designation means:
    a held edition or standard first (its edition in force), a series its parts in part order;
    then designations and titles starting with the text. A designation not held gets no
    completion of its own (only longer designations that start with it)."""
    found: list[str] = []
    try:
        result = cat.search(prefix, page_size=SUGGESTIONS, facets=False)
    except CatalogueError:  # suggestions are a courtesy: unsearchable text gets prefix completions only
        result = None
    if result is not None and any(m.kind in ("edition", "work", "series") for m in result.meanings):
        found.extend(hit["designation"] for hit in result.hits)
    for item in cat.suggest(prefix, limit=SUGGESTIONS):  # a damaged index is repaired as for search
        if item not in found:
            found.append(item)
    return found[:SUGGESTIONS]


add_twin_rules(bp, "/resolve", show_resolve)
bp.add_url_rule("/suggest", view_func=show_suggestions)
bp.add_url_rule("/opensearch.xml", view_func=show_opensearch)
bp.add_url_rule("/feed.atom", view_func=show_feed)
