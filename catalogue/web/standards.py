"""A standard's page ``/standards/<key>`` and its exports (.json, .csv, .ris, .bib, .gb7714).

A work key (``/standards/iso-5208``) redirects (302) to the edition in force; any other
spelling a person might put in the address (``/standards/ISO 5208:2015``) redirects to the
record's key; an unknown key is a 404 page that suggests close matches.
"""
from __future__ import annotations

import re

from flask import Blueprint, Response, redirect, request, url_for

from catalogue.citation import gb7714_text
from catalogue.errors import CatalogueError
from catalogue.lookup import publisher_page  # noqa: F401 - the record page's link (moved to the core)
from catalogue.lifecycle import banner_of
from catalogue.present import record_json
from catalogue.records import Standard
from catalogue.resolve import resolve_reference

from . import get_catalogue
from .cache import remember
from .cite import bibtex_text, csv_text, ris_text
from .errors import PageNotFound
from .i18n import gettext as _
from .params import get_text
from .queries import brief_records, class_titles, committee_names, table_exists
from .register import benchmarked_against
from .render import respond, split_suffix
from .templating import url_for_page

bp = Blueprint("standards", __name__)

SUFFIXES = ("json", "csv", "ris", "bib", "gb7714")
EXPORTS = ("csv", "ris", "bib", "gb7714")
MAX_KEY_CHARS = 200
SUGGESTIONS = 8
SUPPLEMENT_TYPES = ("amended_by", "corrected_by")
ADOPTION_TYPES = ("adopts", "adopted_by")


def cited_by_schemes(store, key: str) -> list[dict]:
    """Benchmarking schemes that cite this edition or its work: [{"id", "titles", "url"}, ...].

    The hook the standard page calls (issue 6 owns schemes); [] when the store has no scheme
    tables yet (a catalogue made before migration 002).
    """
    if not table_exists(store, "scheme_standards"):
        return []
    from catalogue.systems import schemes_citing

    record = store.describe(key)
    found = schemes_citing(store, key, record[0] if record else key)
    return [{**item, "url": f"/schemes/{item['id']}"} for item in found]


def including_systems(store, key: str, work: str) -> list[dict]:
    """Industry systems that include this edition or its work: [{"id", "titles", "node", "url"}, ...]."""
    if not table_exists(store, "system_members"):
        return []
    from catalogue.systems import systems_including

    return [{**item, "url": f"/systems/{item['id']}"} for item in systems_including(store, key, work)]


def suggest_for(cat, text: str) -> list[dict]:
    """Close matches for an unknown key: other editions of the same work, then index hits."""
    found: list[dict] = []
    work_guess = re.sub(r"-(\d{4})$", "", text)
    if work_guess != text and cat.store.work_exists(work_guess):
        for e in reversed(cat.store.editions(work_guess)):
            found.append({"key": e.key, "designation": e.designation, "titles": e.titles, "status": e.status or "unknown"})
    words = re.sub(r"[-_/]+", " ", text).strip()
    if words:
        try:
            result = cat.search(words, page_size=SUGGESTIONS, facets=False)
        except CatalogueError:  # an unsearchable key text: suggestions are a courtesy, not a must
            result = None
        for hit in result.hits if result else []:
            found.append({k: hit.get(k) for k in ("key", "designation", "titles", "status")})
    seen = set()
    unique = []
    for item in found:
        if item["key"] not in seen:
            seen.add(item["key"])
            item["url"] = url_for("standards.show_standard", key=item["key"])
            unique.append(item)
    return unique[:SUGGESTIONS]


def build_standard(cat, rec: Standard, resolved_from: str | None = None) -> dict:
    """Everything the standard page shows, as the JSON twin's dict (``record_json`` plus context)."""
    store = cat.store
    in_force_key = store.edition_in_force_key(rec.work)
    data = record_json(rec, resolved_from, in_force_key)
    editions = [e for e in store.editions(rec.work)]
    targets = brief_records(store, [r.target_key for r in rec.relations] + ([in_force_key] if in_force_key else []))
    relations = []
    for r in rec.relations:
        target = targets.get(r.target_key)
        relations.append({
            "type": r.type, "target": r.target, "target_key": r.target_key, "degree": r.degree,
            "resolved": r.resolved, "status": target["status"] if target else None,
            "doc_type": target["type"] if target else None,
            "titles": target["titles"] if target else {},
            "url": url_for_page("standards.show_standard", key=r.target_key) if r.resolved else None,
        })
    data["relations"] = relations
    data["scope"] = dict(rec.scope)
    data["url"] = url_for_page("standards.show_standard", key=rec.key)
    data["permalink"] = url_for_page("standards.show_standard", key=rec.key, _external=True)
    data["exports"] = {s: url_for_page("standards.show_standard", key=f"{rec.key}.{s}") for s in SUFFIXES}
    data["citation_gb7714"] = gb7714_text(rec)
    data["editions"] = [
        {
            "key": e.key, "designation": e.designation, "year": e.year, "status": e.status or "unknown",
            "doc_type": e.doc_type or None,
            "published": e.published or None, "withdrawn": e.withdrawn or None,
            "this": e.key == rec.key, "in_force": e.key == in_force_key,
            "url": url_for_page("standards.show_standard", key=e.key),
        }
        for e in editions
    ]
    data["supplements"] = [r for r in relations if r["type"] in SUPPLEMENT_TYPES]
    data["adoptions"] = [r for r in relations if r["type"] in ADOPTION_TYPES]
    data["systems"] = including_systems(store, rec.key, rec.work)
    data["cited_by_schemes"] = cited_by_schemes(store, rec.key)
    data["benchmarked_against"] = benchmarked_against(store, rec.key)
    data["banner"] = build_banner(rec, relations, targets.get(in_force_key) if in_force_key else None)
    # Names beside the codes, in every language the store has (the page picks the reader's).
    ics_names = class_titles(store, "ics")
    data["ics_titles"] = {code: ics_names.get(code, {}) for code in rec.ics}
    data["ccs_titles"] = {rec.ccs: class_titles(store, "ccs").get(rec.ccs, {})} if rec.ccs else {}
    data["committee_titles"] = committee_names(store).get(rec.committee, {}) if rec.committee else {}
    data["publisher_page"] = publisher_page(rec)
    return data


def build_banner(rec: Standard, relations: list[dict], in_force: dict | None) -> dict | None:
    """Why this edition is not the one to use, or None when it is in force.

    ``{"kind": "replaced", "replaced_by": [...], "in_force": {...}, "date": ...}``.
    """
    is_in_force = in_force is not None and in_force["key"] == rec.key
    kind = banner_of(rec.key, rec.status, in_force["key"] if in_force else None, bool(rec.supplement))
    if kind is None:
        return None
    replaced_by = [r for r in relations if r["type"] == "replaced_by"]
    other = None if in_force is None or is_in_force else {
        "key": in_force["key"], "designation": in_force["designation"],
        "url": url_for_page("standards.show_standard", key=in_force["key"]),
    }
    date = {"withdrawn": rec.withdrawn, "upcoming": rec.in_force}.get(kind) or None
    if kind == "replaced" and rec.withdrawn:
        date = rec.withdrawn
    return {"kind": kind, "replaced_by": replaced_by, "in_force": other, "date": date}


def export_response(rec: Standard, suffix: str) -> Response:
    """The record as a download: CSV, RIS, BibTeX or a GB/T 7714 citation (text), named after its key."""
    url = url_for("standards.show_standard", key=rec.key, _external=True)
    filename = f"{rec.key}.{suffix}"
    if suffix == "csv":
        body, mimetype = csv_text(rec), "text/csv"
    elif suffix == "gb7714":
        body, mimetype, filename = gb7714_text(rec) + "\r\n", "text/plain", f"{rec.key}.gb7714.txt"
    elif suffix == "ris":
        body, mimetype = ris_text(rec, url), "application/x-research-info-systems"
    else:
        body, mimetype = bibtex_text(rec, url), "application/x-bibtex"
    response = Response(body, mimetype=mimetype)
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def find_standard_page(cat, key: str, resolved_from: str | None) -> dict | None:
    """The standard page's dict for the record ``key``, or None when no record has that key."""
    rec = cat.store.get(key)
    return None if rec is None else build_standard(cat, rec, resolved_from)


@bp.route("/standards/<key>")
def show_standard(key: str):
    """``/standards/<key>`` and its twins ``.json``, ``.csv``, ``.ris``, ``.bib``, ``.gb7714`` (text)."""
    key, suffix = split_suffix(key, SUFFIXES)
    if len(key) > MAX_KEY_CHARS:
        raise PageNotFound(_("No standard has a key that long."))
    cat = get_catalogue()
    resolved_from = get_text("from") or None
    if suffix not in EXPORTS:
        # The page's dict is the same in both languages and for the JSON twin: build it once
        # per catalogue generation (its permalink names the host, so the host is in the key).
        data = remember(("standard", key, resolved_from, request.host_url),
                        lambda: find_standard_page(cat, key, resolved_from))
        if data is not None:
            return respond("standard.html", data)
    rec = cat.store.get(key)
    if rec is None:
        res = resolve_reference(cat.store, key)
        if res.record is not None:
            # A work key, or a designation typed into the address: go to the record, keep the twin.
            target = res.record.key + (f".{suffix}" if suffix else "")
            return redirect(url_for("standards.show_standard", key=target, **{"from": key}), 302)
        raise PageNotFound(
            _("There is no standard with the key '%(key)s' in the catalogue.", key=key),
            suggest_for(cat, key),
        )
    if suffix in EXPORTS:
        return export_response(rec, suffix)
    return respond("standard.html", build_standard(cat, rec, resolved_from))


@bp.app_template_global()
def standard_url(key: str) -> str:
    """The permalink path of a record: ``/standards/iso-5208-2015``."""
    return url_for_page("standards.show_standard", key=key)

