"""Industry standard systems and benchmarking schemes in the browser (issue 6).

``/systems/`` and ``/systems/<id>`` (the tree with a health bar at every node; ``.csv`` and
``.xlsx`` exports), ``/schemes/`` and ``/schemes/<id>`` (the indicator table side by side), and a
watching feed per system and per scheme (``/systems/<id>/feed.atom?since=2025-01-01``). Every
page has its JSON twin. The work happens in ``catalogue.systems``; these views only check
arguments, call it and present the result.

Exports use the interface language for their headings and state words (``?lang=zh`` gives
``节点 / 路径 / 标准号 ...``), because people open them in a spreadsheet to read, not to load
back; the JSON twin is the machine-readable form with stable codes.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

from flask import Blueprint, Response, current_app, request, url_for

from catalogue.store import now_iso
from catalogue.systems import (
    MEMBER_STATES,
    changes_for,
    flatten_system,
    list_schemes,
    scheme_detail,
    system_tree,
)

from . import get_catalogue
from .errors import PageNotFound
from .filters import best_title
from .i18n import current_language
from .i18n import gettext as _
from .i18n import lazy_gettext as _l
from .i18n import ngettext
from .labels import ROLE_LABELS, role_label, state_label, status_label  # noqa: F401 - state/role labels live in labels.py
from .params import BadArgument, get_text
from .queries import brief_records, system_summaries
from .register import results_using_scheme
from .render import add_twin_rules, respond, split_suffix
from .templating import render_page

bp = Blueprint("systems", __name__)

SYSTEM_SUFFIXES = ("json", "csv", "xlsx")
MAX_ID_CHARS = 100
#: How far back a feed looks when the reader gives no ``since``.
DEFAULT_FEED_DAYS = 365
FEED_ENTRIES_CAP = 500
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

#: States every health legend names, even at zero (the others only when they occur).
ALWAYS_SHOWN = ("current", "replaced", "withdrawn", "missing")
EXPORT_COLUMNS = (
    ("node", _l("Node")),
    ("path", _l("Path")),
    ("designation", _l("Designation")),
    ("state", _l("State")),
    ("status", _l("Status")),
    ("in_force", _l("Edition in force")),
    ("note", _l("Note")),
)


def health_bar(counts: dict, width: int = 200, height: int = 14) -> dict:
    """Geometry of a stacked bar for {'current': 3, 'replaced': 1, ...}, drawn by ``_health_bar.html``.

    Widths are SVG attributes, not inline styles: the Content-Security-Policy forbids those.
    """
    total = sum(counts.get(s, 0) for s in MEMBER_STATES)
    segments = []
    x = 0
    for state in MEMBER_STATES:
        count = counts.get(state, 0)
        if not count:
            continue
        span = round(width * count / total)
        segments.append({"state": state, "count": count, "x": x, "width": span})
        x += span
    if segments:  # rounding may leave a pixel over or short: the last segment absorbs it
        segments[-1]["width"] += width - x
    states = [s for s in MEMBER_STATES if counts.get(s) or s in ALWAYS_SHOWN]
    return {"segments": segments, "width": width, "height": height, "total": total, "states": states}


def member_url(member: dict) -> str:
    """Where a member links: its record, else the resolver (undated, withdrawn or missing listings)."""
    if member.get("key"):
        return url_for("standards.show_standard", key=member["key"])
    return url_for("meta.show_resolve", ref=member["designation"])


def in_force_url(member: dict) -> str | None:
    """The edition in force's page, when there is one."""
    return url_for("standards.show_standard", key=member["in_force"]) if member.get("in_force") else None


def decorate_node(node: dict, titles: dict[str, dict]) -> None:
    """Add links and titles to every member of a node and of the nodes below it (in place).

    A member's title is its record's, else the edition in force's (an undated listing).
    """
    for member in node["members"]:
        member["url"] = member_url(member)
        member["in_force_url"] = in_force_url(member)
        member["titles"] = titles.get(member.get("key") or "") or titles.get(member.get("in_force") or "") or {}
    for child in node["children"]:
        decorate_node(child, titles)


def member_keys_of(nodes: list[dict]) -> list[str]:
    """Every record key a tree's members name (their own and their edition in force)."""
    keys: list[str] = []
    for node in nodes:
        for member in node["members"]:
            keys.extend(k for k in (member.get("key"), member.get("in_force")) if k)
        keys.extend(member_keys_of(node["children"]))
    return keys


def health_summary(counts: dict, total: int, cited: bool = False) -> str:
    """One sentence on a system's (or scheme's) health: '1 of 5 cited standards is outdated.'

    Outdated = replaced or withdrawn; listings the catalogue does not hold are said separately.
    """
    outdated = counts.get("replaced", 0) + counts.get("withdrawn", 0)
    missing = counts.get("missing", 0)
    # The verb agrees with the outdated count ("1 of 5 cited standards is outdated").
    if cited:
        text = ngettext("%(num)s of %(total)s cited standards is outdated.",
                        "%(num)s of %(total)s cited standards are outdated.", outdated, total=total)
    else:
        text = ngettext("%(num)s of %(total)s listed standards is outdated.",
                        "%(num)s of %(total)s listed standards are outdated.", outdated, total=total)
    if missing:
        text += ("" if current_language() == "zh" else " ") + ngettext("%(num)s is not in the catalogue.", "%(num)s are not in the catalogue.", missing)
    return text


def check_id(raw: str) -> str:
    """A system or scheme id from the address; over-long ids cannot exist."""
    if len(raw) > MAX_ID_CHARS:
        raise PageNotFound(_("No system or scheme has an identifier that long."))
    return raw


def load_system(system_id: str) -> dict:
    """The system tree with links, or a 404 naming the id."""
    tree = system_tree(get_catalogue().store, check_id(system_id))
    if tree is None:
        raise PageNotFound(_("There is no standard system '%(id)s' in the catalogue.", id=system_id))
    titles = {key: brief["titles"] for key, brief in brief_records(get_catalogue().store, member_keys_of(tree["nodes"])).items()}
    for node in tree["nodes"]:
        decorate_node(node, titles)
    return tree


def load_scheme(scheme_id: str) -> dict:
    """The scheme with links and its indicator table, or a 404 naming the id."""
    detail = scheme_detail(get_catalogue().store, check_id(scheme_id))
    if detail is None:
        raise PageNotFound(_("There is no benchmarking scheme '%(id)s' in the catalogue.", id=scheme_id))
    keys = [k for item in detail["standards"] for k in (item.get("key"), item.get("in_force")) if k]
    titles = {key: brief["titles"] for key, brief in brief_records(get_catalogue().store, keys).items()}
    for item in detail["standards"]:
        item["url"] = member_url(item)
        item["in_force_url"] = in_force_url(item)
        item["titles"] = titles.get(item.get("key") or "") or titles.get(item.get("in_force") or "") or {}
    counts = dict.fromkeys(MEMBER_STATES, 0)
    for item in detail["standards"]:
        counts[item["state"]] = counts.get(item["state"], 0) + 1
    detail["counts"] = counts
    detail["total"] = len(detail["standards"])
    detail["table"] = build_indicator_table(detail)
    return detail


def build_indicator_table(detail: dict) -> dict:
    """The indicators side by side: one column per compared standard, one row per indicator.

    A cell naming a standard the scheme does not list (the reader keeps it with a problem) gets
    a column of its own at the end rather than disappearing.
    """
    by_designation = {s["designation"]: s for s in detail["standards"]}
    columns = list(detail["columns"])
    for indicator in detail["indicators"]:
        for cell in indicator["cells"]:
            if cell.get("designation") and cell["designation"] not in columns:
                columns.append(cell["designation"])
    heads = []
    for designation in columns:
        known = by_designation.get(designation, {})
        heads.append({"designation": designation, "state": known.get("state"),
                      "url": known.get("url") or url_for("meta.show_resolve", ref=designation)})
    rows = []
    for indicator in detail["indicators"]:
        cells = {c.get("designation"): c for c in indicator["cells"]}
        row_cells = []
        for designation in columns:
            cell = cells.get(designation)
            if cell is None:
                row_cells.append(None)
                continue
            if not (cell.get("clause") or cell.get("source")):
                # The museum's rule: a number appears only with the clause or source it comes
                # from; the reader drops such values, and an empty cell is shown as not compared.
                row_cells.append(None)
                continue
            row_cells.append({
                "value": cell.get("value", ""),
                "requirement": cell.get("requirement", ""),
                "clause": cell.get("clause", ""),
                "source": cell.get("source", ""),
            })
        rows.append({"names": indicator["names"], "unit": indicator["unit"], "cells": row_cells})
    return {"columns": heads, "rows": rows}


# ------------------------------------------------------------------ systems
def show_systems():
    """``/systems/``: every industry standard system with its health counts."""
    systems = [{**item, "url": url_for("systems.show_system", system_id=item["id"])}
               for item in system_summaries(get_catalogue().store)]
    return respond("systems.html", {"systems": systems})


@bp.route("/systems/<system_id>")
def show_system(system_id: str):
    """``/systems/<id>`` and its twins ``.json``, ``.csv`` and ``.xlsx``."""
    system_id, suffix = split_suffix(system_id, SYSTEM_SUFFIXES)
    tree = load_system(system_id)
    if suffix == "csv":
        return export_csv(tree)
    if suffix == "xlsx":
        return export_xlsx(tree)
    tree["url"] = url_for("systems.show_system", system_id=system_id)
    tree["exports"] = {s: url_for("systems.show_system", system_id=f"{system_id}.{s}") for s in SYSTEM_SUFFIXES}
    tree["feed"] = url_for("systems.show_system_feed", system_id=system_id)
    return respond("system.html", tree)


def export_rows(tree: dict) -> list[list[str]]:
    """The export's heading row and one row per member, headings and states in the interface language."""
    rows = [[str(label) for _name, label in EXPORT_COLUMNS]]
    for row in flatten_system(tree):
        values = dict(row, state=state_label(row["state"]),
                      status=status_label(row["status"]) if row["status"] else "")
        rows.append([values[name] or "" for name, _label in EXPORT_COLUMNS])
    return rows


def export_csv(tree: dict) -> Response:
    """The system as CSV, UTF-8 with a BOM so that Excel on Chinese Windows does not read it as GBK."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(export_rows(tree))
    response = Response("\ufeff" + buffer.getvalue(), mimetype="text/csv")
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{tree["id"]}.csv"'
    return response


def export_xlsx(tree: dict) -> Response:
    """The system as an XLSX workbook: one sheet, headings in bold, the heading row frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    # Excel refuses sheet titles over 31 characters or holding []:*?/\ .
    sheet.title = re.sub(r"[\[\]:*?/\\]", "-", tree["id"])[:31] or "system"
    for row in export_rows(tree):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFG", (8, 40, 22, 16, 22, 22, 30)):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    response = Response(buffer.getvalue(), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{tree["id"]}.xlsx"'
    return response


# ------------------------------------------------------------------ schemes
def show_schemes():
    """``/schemes/``: every benchmarking scheme."""
    schemes = [{**item, "url": url_for("systems.show_scheme", scheme_id=item["id"])}
               for item in list_schemes(get_catalogue().store)]
    return respond("schemes.html", {"schemes": schemes})


@bp.route("/schemes/<scheme_id>")
def show_scheme(scheme_id: str):
    """``/schemes/<id>`` and its twin ``.json``."""
    scheme_id, _suffix = split_suffix(scheme_id, ("json",))
    detail = load_scheme(scheme_id)
    detail["url"] = url_for("systems.show_scheme", scheme_id=scheme_id)
    detail["feed"] = url_for("systems.show_scheme_feed", scheme_id=scheme_id)
    detail["benchmarking"] = results_using_scheme(get_catalogue().store, scheme_id)
    detail["roles"] = [
        {"role": role, "label": role_label(role), "standards": [s for s in detail["standards"] if s["role"] == role]}
        for role in ROLE_LABELS
        if any(s["role"] == role for s in detail["standards"])
    ]
    return respond("scheme.html", detail)


# ------------------------------------------------------------------ feeds
def get_since() -> str:
    """The feed's ``since`` date (YYYY-MM-DD), one year ago when absent; anything else is a 400."""
    raw = get_text("since", limit=20)
    if not raw:
        return (date.today() - timedelta(days=DEFAULT_FEED_DAYS)).isoformat()
    try:
        if not _DATE.match(raw):
            raise ValueError(raw)
        date.fromisoformat(raw)
    except ValueError:
        raise BadArgument(f"Cannot read the date '{raw}' in 'since'; use a date like 2025-01-31.") from None
    return raw


def atom_time(value: str | None) -> str:
    """An Atom timestamp from a record date: '2008-08' -> '2008-08-01T00:00:00Z'; full ones stay."""
    if not value:
        return now_iso()
    if "T" in value:
        return value if value.endswith("Z") or "+" in value else value + "Z"
    parts = (value.split("-") + ["01", "01"])[:3]
    return f"{parts[0]}-{parts[1]}-{parts[2]}T00:00:00Z"


def feed_response(title: str, page_url: str, self_url: str, since: str, events: list[dict]) -> Response:
    """An Atom 1.0 feed of watching events, newest first."""
    base = request.url_root.rstrip("/")
    entries = []
    for event in reversed(events[-FEED_ENTRIES_CAP:]):
        entries.append({**event, "updated": atom_time(event["at"]),
                        "url": base + url_for("standards.show_standard", key=event["key"]),
                        "in_force_url": base + url_for("standards.show_standard", key=event["in_force"])
                        if event.get("in_force") else None})
    body = render_page(
        "watch.atom.xml", title=title, page_url=base + page_url, self_url=base + self_url, since=since,
        entries=entries, updated=entries[0]["updated"] if entries else now_iso(),
        site=current_app.config["CATALOGUE_SITE_NAME"],
    )
    response = Response(body, mimetype="application/atom+xml")
    if not request.args.get("since"):
        # "One year ago" moves with the calendar, not with the catalogue: keep the response
        # cache (which empties only when the catalogue changes) from serving yesterday's window.
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/systems/<system_id>/feed.atom")
def show_system_feed(system_id: str):
    """``/systems/<id>/feed.atom?since=YYYY-MM-DD``: members whose status or edition in force changed."""
    since = get_since()
    tree = system_tree(get_catalogue().store, check_id(system_id))
    if tree is None:
        raise PageNotFound(_("There is no standard system '%(id)s' in the catalogue.", id=system_id))
    events = changes_for(get_catalogue().store, since, system_id=system_id)
    title = _("Changes to the standards of %(name)s since %(date)s", name=best_title(tree["titles"]) or system_id, date=since)
    return feed_response(title, url_for("systems.show_system", system_id=system_id),
                         url_for("systems.show_system_feed", system_id=system_id, since=since), since, events)


@bp.route("/schemes/<scheme_id>/feed.atom")
def show_scheme_feed(scheme_id: str):
    """``/schemes/<id>/feed.atom?since=YYYY-MM-DD``: cited standards whose status or edition in force changed."""
    since = get_since()
    detail = scheme_detail(get_catalogue().store, check_id(scheme_id))
    if detail is None:
        raise PageNotFound(_("There is no benchmarking scheme '%(id)s' in the catalogue.", id=scheme_id))
    events = changes_for(get_catalogue().store, since, scheme_id=scheme_id)
    title = _("Changes to the standards of %(name)s since %(date)s", name=best_title(detail["titles"]) or scheme_id, date=since)
    return feed_response(title, url_for("systems.show_scheme", scheme_id=scheme_id),
                         url_for("systems.show_scheme_feed", scheme_id=scheme_id, since=since), since, events)


@bp.app_template_global()
def system_health(counts: dict) -> dict:
    """Template access to :func:`health_bar`."""
    return health_bar(counts)


bp.app_template_global("health_summary")(health_summary)
bp.add_app_template_global(MEMBER_STATES, "member_states")
add_twin_rules(bp, "/systems/", show_systems)
add_twin_rules(bp, "/schemes/", show_schemes)
