"""The 对标达标 register in the browser (issue 16): the pilot's figures, enterprises, products,
results with their indicator comparisons, a feed of results that need review, and exports.

``/benchmarking/`` (figures drawn as SVG bars, each also as a table), ``/benchmarking/results/``
(filtered by ``standard``, ``scheme``, ``enterprise``, ``product``, ``level``, ``status``, ``year``,
``cluster``; ``.csv`` and ``.xlsx`` exports of the same list), ``/benchmarking/results/<id>``,
``/benchmarking/enterprises/<id>``, ``/benchmarking/products/<id>`` and
``/benchmarking/review.atom``. Every page has its JSON twin. Only public results are shown (see
:mod:`catalogue.store_register_queries`); ids are opaque, and an id that is unknown, a draft or
withdrawn is the same 404. The web only reads the register: writes come with the accounts
workflow, each on a Store of its own.
"""
from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, Response, current_app, request, url_for

from catalogue.register import certificate_status, is_example_code
from catalogue.store import now_iso
from catalogue.store_register_queries import RESULT_FILTERS

from . import get_catalogue
from .errors import PageNotFound
from .filters import best_title
from .i18n import gettext as _
from .i18n import lazy_gettext as _l
from .params import BadArgument, get_int, get_text
from .register_export import export_csv, export_xlsx
from .render import add_twin_rules, respond, split_suffix
from .templating import render_page

bp = Blueprint("register", __name__)

_ID = re.compile(r"^[a-z]-[0-9a-f]{12}$")
_YEAR = re.compile(r"^\d{4}$")
RESULTS_PAGE_SIZE = 50
RESULTS_PAGE_CAP = 200
FEED_ENTRIES_CAP = 500

REACHED_LABELS = {"yes": _l("Reached"), "no": _l("Not reached"), "partly": _l("Partly reached"), "": _l("Not stated")}
STATUS_LABELS = {"published": _l("Result published"), "updated": _l("Result updated"), "needs_review": _l("Needs review"),
                 "withdrawn": _l("Result withdrawn")}
DIRECTION_LABELS = {"higher": _l("Higher is better"), "lower": _l("Lower is better"), "range": _l("Within the range"),
                    "pass-fail": _l("Pass or fail"), "": _l("Not stated")}
OUTCOME_LABELS = {"better": _l("Better"), "equal": _l("Equal"), "worse": _l("Worse"),
                  "not-applicable": _l("Not applicable"), "": _l("Not assessed")}
VALUE_KIND_LABELS = {"declared": _l("declared"), "measured": _l("measured")}
CERTIFICATE_LABELS = {"valid": _l("Valid"), "suspended": _l("Suspended"), "restored": _l("Restored"),
                      "revoked": _l("Revoked"), "cancelled": _l("Cancelled"), "expired": _l("Expired")}
HISTORY_LABELS = {"added": _l("Added"), "updated": _l("Updated"), "review_flagged": _l("Flagged for review"),
                  "review_cleared": _l("Review no longer needed"),
                  # The accounts workflow (catalogue.register_workflow):
                  "drafted": _l("Drafted"), "edited": _l("Draft edited"), "corrected": _l("Corrected by a librarian"),
                  "published": _l("Published by the enterprise"), "approved": _l("Approved and published by a librarian"),
                  "withdrawn": _l("Withdrawn by a librarian"), "restored": _l("Published again by a librarian"),
                  "discarded": _l("Draft discarded")}


def label(table: dict, code: str | None) -> str:
    """A code in words in the interface language; an unknown code stays as it is."""
    found = table.get(code or "")
    return str(found) if found is not None else (code or "")


def level_names(store) -> dict[str, dict]:
    return dict(store.list_levels())


def level_label(levels: dict[str, dict], code: str) -> str:
    return best_title(levels.get(code)) if code in levels else (code or str(REACHED_LABELS[""]))


def reason_text(reason: dict) -> str:
    """One review reason as a sentence: 'ISO 5208:2008 was replaced by ISO 5208:2015 on 2015-06.'"""
    values = {"designation": reason["designation"], "by": reason.get("by_designation") or "", "date": reason.get("on") or ""}
    kind = reason["kind"]
    if kind == "replaced":
        if values["by"]:
            return _("%(designation)s was replaced by %(by)s on %(date)s.", **values) if values["date"] else \
                _("%(designation)s was replaced by %(by)s (the date is not recorded).", **values)
        return _("%(designation)s was replaced on %(date)s.", **values) if values["date"] else \
            _("%(designation)s was replaced (the date is not recorded).", **values)
    if kind == "withdrawn":
        return _("%(designation)s was withdrawn on %(date)s.", **values) if values["date"] else \
            _("%(designation)s was withdrawn (the date is not recorded).", **values)
    return _("%(designation)s was amended by %(by)s on %(date)s.", **values) if values["date"] else \
        _("%(designation)s was amended by %(by)s (the date is not recorded).", **values)


def check_id(raw: str, kind: str) -> str:
    """An opaque id from the address; anything else cannot exist (the same 404 as an unknown id)."""
    if not _ID.match(raw):
        raise PageNotFound(_("There is no %(kind)s with the id '%(id)s' in the register.", kind=kind, id=raw[:40]))
    return raw


def result_url(rid: str) -> str:
    return url_for("register.show_result", rid=rid)


def decorate_result(item: dict, levels: dict[str, dict]) -> dict:
    """Add links and words to a result brief (in place) for the pages; the JSON keeps the codes."""
    item["url"] = result_url(item["id"])
    item["enterprise"]["url"] = url_for("register.show_enterprise", eid=item["enterprise"]["id"])
    item["product"]["url"] = url_for("register.show_product", pid=item["product"]["id"])
    item["scheme"]["url"] = url_for("systems.show_scheme", scheme_id=item["scheme"]["id"])
    item["level_label"] = level_label(levels, item["level"])
    item["reached_label"] = label(REACHED_LABELS, item["reached"])
    item["status_label"] = label(STATUS_LABELS, item["status"])
    item["review_text"] = [reason_text(r) for r in item["review_reasons"]]
    for s in item.get("standards", []):
        s["url"] = url_for("standards.show_standard", key=s["key"]) if s["catalogued"] else \
            url_for("meta.show_resolve", ref=s["designation"])
    return item


# ------------------------------------------------------------------ the figures
def share(count: int, total: int) -> float:
    """count / total as a percentage with one decimal: (3, 8) -> 37.5; 0 of nothing is 0."""
    return round(100 * count / total, 1) if total else 0.0


def figure_rows(pairs: list[tuple[str, int]], total: int, words, link) -> list[dict]:
    return [{"code": code, "label": words(code), "count": count, "share": share(count, total), "url": link(code)}
            for code, count in pairs]


def build_figures(store) -> dict:
    """The pilot's figures over public results: counts, and shares by level, review, reached,
    industry cluster and year, each a list of rows a chart and its table are drawn from."""
    counts = store.count_register()
    total = counts["results"]
    levels = level_names(store)
    by_level = dict(store.count_results_by("level"))
    level_pairs = [(code, by_level.get(code, 0)) for code in levels] + \
        [(code, n) for code, n in by_level.items() if code not in levels]
    by_cluster = store.count_results_by("cluster")
    clusters = {code: best_title(titles) for code, titles in store.read_system_titles([c for c, _n in by_cluster]).items()}

    def link(name):
        return lambda code: url_for("register.show_results", **{name: code}) if code else None

    review = [("needs_review", counts["needs_review"]), ("up_to_date", total - counts["needs_review"])]
    return {
        "counts": counts,
        "by_level": figure_rows(level_pairs, total, lambda c: level_label(levels, c), link("level")),
        "review": [{"code": code, "count": n, "share": share(n, total),
                    "label": str(_l("Needs review")) if code == "needs_review" else str(_l("Up to date")),
                    "url": url_for("register.show_results", status="needs_review") if code == "needs_review" else None}
                   for code, n in review],
        "by_reached": figure_rows(store.count_results_by("reached"), total, lambda c: label(REACHED_LABELS, c),
                                  lambda c: None),
        "by_cluster": figure_rows(by_cluster, total,
                                  lambda c: clusters.get(c) or c or str(_l("No cluster given")), link("cluster")),
        "by_year": figure_rows(sorted(store.count_results_by("year")), total, lambda c: c, link("year")),
        "certificates_by_type": [{"type": t, "count": n} for t, n in store.count_certificates_by_type()],
    }


def show_dashboard():
    """``/benchmarking/``: the register's figures, the latest results and those needing review."""
    store = get_catalogue().store
    data = build_figures(store)
    levels = level_names(store)
    _total, latest = store.list_results(limit=10)
    _n, review = store.list_results(limit=10, review_only=True)
    data["latest"] = [decorate_result(r, levels) for r in latest]
    data["needing_review"] = [decorate_result(r, levels) for r in review]
    data["links"] = {"results": url_for("register.show_results"), "feed": url_for("register.show_review_feed"),
                     "csv": url_for("register.export_results", suffix="csv"),
                     "xlsx": url_for("register.export_results", suffix="xlsx")}
    return respond("benchmarking.html", data)


# ------------------------------------------------------------------ results
def read_result_filters(store) -> dict[str, str]:
    """The list's filters from the query string, each checked (a 400 names the allowed values)."""
    filters = {}
    for name in RESULT_FILTERS:
        value = get_text(name, limit=200)
        if not value:
            continue
        if name == "status" and value not in STATUS_LABELS:
            raise BadArgument(f"Cannot filter by status '{value[:40]}'; use one of: {', '.join(STATUS_LABELS)}.")
        if name == "level" and value not in level_names(store):
            raise BadArgument(f"Cannot filter by level '{value[:40]}'; use one of: {', '.join(level_names(store))}.")
        if name == "year" and not _YEAR.match(value):
            raise BadArgument(f"Cannot filter by year '{value[:40]}'; use a year like 2019.")
        filters[name] = value
    return filters


def describe_filters(store, filters: dict[str, str]) -> list[dict]:
    """The filters in words for the page's heading: [{'name', 'value', 'label'}]."""
    levels = level_names(store)
    out = []
    for name, value in filters.items():
        shown = value
        if name == "standard":
            found = store.describe(value)
            shown = found[1] if found else value
        elif name == "level":
            shown = level_label(levels, value)
        elif name == "status":
            shown = label(STATUS_LABELS, value)
        words = {"standard": _("Compared against %(value)s", value=shown), "scheme": _("Scheme %(value)s", value=shown),
                 "enterprise": _("One enterprise"), "product": _("One product"), "level": _("Level: %(value)s", value=shown),
                 "status": _("Status: %(value)s", value=shown), "year": _("Year %(value)s", value=shown),
                 "cluster": _("Industry cluster %(value)s", value=shown)}
        out.append({"name": name, "value": value, "label": words[name]})
    return out


def show_results():
    """``/benchmarking/results/``: public results, newest first, filtered and paged."""
    store = get_catalogue().store
    filters = read_result_filters(store)
    page = get_int("page", 1, 1, 10_000)
    size = get_int("page_size", RESULTS_PAGE_SIZE, 1, RESULTS_PAGE_CAP,
                   cap_hint=f"the cap is {RESULTS_PAGE_CAP} results per page")
    total, rows = store.list_results(filters, limit=size, offset=(page - 1) * size)
    levels = level_names(store)
    pages = max(1, -(-total // size))
    return respond("benchmarking_results.html", {
        "filters": filters, "filter_words": describe_filters(store, filters), "total": total, "page": page,
        "page_size": size, "pages": pages, "results": [decorate_result(r, levels) for r in rows],
        "next": url_for("register.show_results", **filters, page=page + 1) if page < pages else None,
        "previous": url_for("register.show_results", **filters, page=page - 1) if page > 1 else None,
        "exports": {s: url_for("register.export_results", suffix=s, **filters) for s in ("csv", "xlsx")},
    })


@bp.route("/benchmarking/results.csv", defaults={"suffix": "csv"})
@bp.route("/benchmarking/results.xlsx", defaults={"suffix": "xlsx"})
def export_results(suffix: str):
    """``/benchmarking/results.csv`` and ``.xlsx``: the filtered list, headings in the interface language."""
    store = get_catalogue().store
    filters = read_result_filters(store)
    _total, rows = store.list_results(filters, limit=current_app.config.get("REGISTER_EXPORT_CAP", 10_000))
    levels = level_names(store)
    rows = [decorate_result(r, levels) for r in rows]
    base = request.url_root.rstrip("/")
    if suffix == "csv":
        return export_csv(rows, base)
    details = [store.read_result(r["id"]) for r in rows]
    return export_xlsx(rows, [d for d in details if d], base)


@bp.route("/benchmarking/results/<rid>")
def show_result(rid: str):
    """``/benchmarking/results/<id>`` and its twin ``.json``: the comparison table, reports, history."""
    rid, _suffix = split_suffix(rid, ("json",))
    store = get_catalogue().store
    data = store.read_result(check_id(rid, _("result")))
    if data is None:
        raise PageNotFound(_("There is no %(kind)s with the id '%(id)s' in the register.", kind=_("result"), id=rid))
    levels = level_names(store)
    decorate_result(data, levels)
    for ind in data["indicators"]:
        ind["direction_label"] = label(DIRECTION_LABELS, ind["direction"])
        ind["outcome_label"] = label(OUTCOME_LABELS, ind["outcome"])
        ind["value_kind_label"] = label(VALUE_KIND_LABELS, ind["value_kind"])
        for cell in ind["standards"]:
            cell["outcome_label"] = label(OUTCOME_LABELS, cell["outcome"]) if cell["outcome"] else ""
    # The history since the result was public, people named by role (catalogue.register_workflow);
    # imported here because workspace_forms takes this module's labels.
    from .workspace_forms import describe_history

    names = {ind["indicator"]: ind["names"] for ind in data["indicators"]}
    products = {data["product"]["id"]: " ".join(x for x in (best_title(data["product"]["names"]), data["product"]["model"]) if x)}
    data["history"] = describe_history(data["history"], names, levels, products, public=True)
    data["history_public"] = True
    data["example_code"] = is_example_code(data["enterprise"]["credit_code"])
    data["json_url"] = result_url(rid) + ".json"
    return respond("benchmarking_result.html", data)


# ------------------------------------------------------------------ enterprises and products
def decorate_certificates(certs: list[dict]) -> list[dict]:
    today = date.today().isoformat()
    for c in certs:
        c["status"] = certificate_status(c["events"], c["expires"] or "", today)
        c["status_label"] = label(CERTIFICATE_LABELS, c["status"])
        c["product_url"] = url_for("register.show_product", pid=c["product_id"]) if c["product_id"] else None
        c["basis_url"] = url_for("meta.show_resolve", ref=c["basis"]) if c["basis"] else None
        for e in c["events"]:
            e["label"] = label(CERTIFICATE_LABELS, e["status"])
    return certs


@bp.route("/benchmarking/enterprises/<eid>")
def show_enterprise(eid: str):
    """``/benchmarking/enterprises/<id>``: an enterprise, its products, results and certificates."""
    eid, _suffix = split_suffix(eid, ("json",))
    store = get_catalogue().store
    data = store.read_enterprise(check_id(eid, _("enterprise")))
    if data is None:
        raise PageNotFound(_("There is no %(kind)s with the id '%(id)s' in the register.", kind=_("enterprise"), id=eid))
    levels = level_names(store)
    for p in data["products"]:
        p["url"] = url_for("register.show_product", pid=p["id"])
    _total, results = store.list_results({"enterprise": eid}, limit=RESULTS_PAGE_CAP)
    data["results"] = [decorate_result(r, levels) for r in results]
    data["certificates"] = decorate_certificates(data["certificates"])
    data["example_code"] = is_example_code(data["credit_code"])
    data["cluster_url"] = url_for("systems.show_system", system_id=data["cluster"]) \
        if data["cluster"] and store.has_system(data["cluster"]) else None
    data["results_url"] = url_for("register.show_results", enterprise=eid)
    return respond("benchmarking_enterprise.html", data)


@bp.route("/benchmarking/products/<pid>")
def show_product(pid: str):
    """``/benchmarking/products/<id>``: a product, the standards it declares, its results and certificates."""
    pid, _suffix = split_suffix(pid, ("json",))
    store = get_catalogue().store
    data = store.read_product(check_id(pid, _("product")))
    if data is None:
        raise PageNotFound(_("There is no %(kind)s with the id '%(id)s' in the register.", kind=_("product"), id=pid))
    levels = level_names(store)
    data["enterprise"]["url"] = url_for("register.show_enterprise", eid=data["enterprise"]["id"])
    for s in data["standards"]:
        s["url"] = url_for("meta.show_resolve", ref=s["designation"])
    _total, results = store.list_results({"product": pid}, limit=RESULTS_PAGE_CAP)
    data["results"] = [decorate_result(r, levels) for r in results]
    data["certificates"] = decorate_certificates(data["certificates"])
    return respond("benchmarking_product.html", data)


# ------------------------------------------------------------------ the review feed
@bp.route("/benchmarking/review.atom")
def show_review_feed():
    """``/benchmarking/review.atom``: public results the review rule flagged, latest flagged first."""
    store = get_catalogue().store
    _total, rows = store.list_results(limit=FEED_ENTRIES_CAP, review_only=True)
    levels = level_names(store)
    base = request.url_root.rstrip("/")
    entries = []
    for r in sorted(rows, key=lambda r: (r["review_at"] or "", r["id"]), reverse=True):
        decorate_result(r, levels)
        entries.append({**r, "absolute_url": base + r["url"], "updated": r["review_at"] or now_iso()})
    body = render_page("review.atom.xml", entries=entries, site=current_app.config["CATALOGUE_SITE_NAME"],
                       self_url=base + url_for("register.show_review_feed"),
                       page_url=base + url_for("register.show_results", status="needs_review"),
                       updated=entries[0]["updated"] if entries else now_iso())
    return Response(body, mimetype="application/atom+xml")


# ------------------------------------------------------------------ hooks other pages call
def benchmarked_against(store, key: str) -> dict | None:
    """For a standard's page: how many public results compared against this edition, and where
    they are listed ({"count": 3, "url": "/benchmarking/results/?standard=iso-5208-2008"}), or None."""
    count = store.count_results_comparing(key)
    return {"count": count, "url": url_for("register.show_results", standard=key)} if count else None


def results_using_scheme(store, scheme_id: str) -> dict:
    """For a scheme's page: the public results that used it (the latest 50) and the full list's address."""
    total, rows = store.list_results({"scheme": scheme_id}, limit=50)
    levels = level_names(store)
    return {"total": total, "results": [decorate_result(r, levels) for r in rows],
            "url": url_for("register.show_results", scheme=scheme_id)}


bp.add_app_template_filter(lambda code: label(OUTCOME_LABELS, code), "outcome_label")
add_twin_rules(bp, "/benchmarking/", show_dashboard)
add_twin_rules(bp, "/benchmarking/results/", show_results)
