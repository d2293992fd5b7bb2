"""What the workspace's pages show around a result: the form's choices and groups of fields,
problems in the reader's language, and a result's history in words (field by field, before and
after). Plain functions over plain dicts; the routes are in :mod:`catalogue.web.workspace`.
"""
from __future__ import annotations

import re

from catalogue.i18n import translate
from catalogue.register import DECLARED_STATUSES, DIRECTIONS, OUTCOMES, REACHED, VALUE_KINDS
from ingest.register_form import MAX_ROWS

from .filters import best_title
from .i18n import current_language
from .i18n import gettext as _
from .i18n import lazy_gettext as _l
from .register import (
    DIRECTION_LABELS,
    HISTORY_LABELS,
    OUTCOME_LABELS,
    REACHED_LABELS,
    STATUS_LABELS,
    VALUE_KIND_LABELS,
    label,
    level_label,
    reason_text,
)

#: The workflow's states in words (benchmark_results.state).
STATE_LABELS = {"draft": _l("Draft, not public"), "published": _l("Public"), "withdrawn": _l("Withdrawn from the public pages")}
ACCREDITATIONS = ("", "CMA", "CNAS", "CMA/CNAS")
#: Blank rows the form adds after the stored ones (save, and another appears).
BLANK_REPORTS = 1
BLANK_EVALUATIONS = 1
_CELL_KEY = re.compile(r"^ind-(\d+)-cell-(\d+)-standard$")
_ROW_KEY = re.compile(r"^(report|evaluation)-(\d+)-")
_FIELD = re.compile(r"^(?P<group>\w+)(?:\[(?P<item>[^\]]+)\])?(?:\.(?P<sub>\w+)(?:\[(?P<cell>[^\]]+)\])?)?"
                    r"(?:\.(?P<leaf>\w+))?$")


def state_label(state: str) -> str:
    return label(STATE_LABELS, state)


def problem_text(reason: str) -> str:
    """A problem found by the ingest's rules (English sentences from the core), in the reader's
    language (catalogue/translations/zh/LC_MESSAGES/cli.po holds them)."""
    return translate(reason, current_language())


def translated_errors(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    return {control: [problem_text(r) for r in reasons] for control, reasons in errors.items()}


# ------------------------------------------------------------------ choices
def choices(store, enterprise_id: str, with_scheme: bool) -> dict:
    """The options of the form's lists: [{"value", "label"}] per list, each in the reader's language."""
    levels = dict(store.list_levels())
    products = [{"value": pid, "label": " ".join(x for x in (zh or en, model) if x)}
                for pid, model, zh, en in sorted(store.list_product_keys(enterprise_id), key=lambda p: (p[1], p[0]))]
    out = {
        "product": products,
        "level": [{"value": "", "label": str(_l("Not stated"))}] +
                 [{"value": code, "label": level_label(levels, code)} for code in levels],
        "reached": [{"value": code, "label": label(REACHED_LABELS, code)} for code in ("", *REACHED)],
        "status": [{"value": code, "label": label(STATUS_LABELS, code)} for code in DECLARED_STATUSES],
        "value_kind": [{"value": "", "label": str(_l("From its source: measured with a test report, else declared"))}] +
                      [{"value": code, "label": label(VALUE_KIND_LABELS, code)} for code in VALUE_KINDS],
        "direction": [{"value": code, "label": label(DIRECTION_LABELS, code)} for code in ("", *DIRECTIONS)],
        "outcome": [{"value": "", "label": str(_l("Follows from the values"))}] +
                   [{"value": code, "label": label(OUTCOME_LABELS, code)} for code in OUTCOMES],
        "accreditation": [{"value": code, "label": code or "—"} for code in ACCREDITATIONS],
    }
    if with_scheme:
        out["scheme"] = [{"value": sid, "label": best_title(titles) or sid} for sid, titles in store.list_scheme_choices()]
    return out


def form_groups(values: dict[str, str], indicators: list[dict]) -> dict:
    """How many report and evaluation rows the form shows, and one group per scheme indicator with
    the cells (compared standards) its fields hold: what the template iterates."""
    rows = {"report": -1, "evaluation": -1}
    cells: dict[int, list[int]] = {}
    for key in values:
        # Rows past MAX_ROWS are not read (ingest.register_form), so a posted 'report-99999-number'
        # draws no 100,000 empty rows either.
        m = _ROW_KEY.match(key)
        if m and int(m.group(2)) < MAX_ROWS:
            rows[m.group(1)] = max(rows[m.group(1)], int(m.group(2)))
        m = _CELL_KEY.match(key)
        if m and int(m.group(2)) < MAX_ROWS:
            cells.setdefault(int(m.group(1)), []).append(int(m.group(2)))
    groups = [{"position": i["position"], "number": i["position"] + 1, "names": i["names"],
               "unit": i["unit"], "prefix": f"ind-{i['position']}",
               "cells": [{"index": j, "prefix": f"ind-{i['position']}-cell-{j}",
                          "standard": values.get(f"ind-{i['position']}-cell-{j}-standard", "")}
                         for j in sorted(cells.get(i["position"], []))]}
              for i in indicators]
    return {"reports": list(range(rows["report"] + 1 + BLANK_REPORTS)),
            "evaluations": list(range(rows["evaluation"] + 1 + BLANK_EVALUATIONS)), "indicators": groups}


# ------------------------------------------------------------------ history in words
RESULT_FIELD_LABELS = {
    "product_id": _l("Product"), "scheme_id": _l("Benchmarking scheme"), "own_standard": _l("Enterprise standard"),
    "result_date": _l("Result date"), "level": _l("Benchmarking level"), "reached": _l("Benchmark reached"),
    "published_on": _l("Published on"), "platform": _l("Platform"), "link": _l("Link"), "status": _l("Status"),
    "state": _l("State"), "standards": _l("Compared standards (as of the result)"), "note": _l("Note"),
}
LEAF_LABELS = {
    "value": _l("Value"), "unit": _l("Unit"), "value_kind": _l("Declared or measured"), "report": _l("Test report"),
    "clause": _l("Clause"), "direction": _l("Which way is better"), "outcome": _l("Outcome"), "note": _l("Note"),
    "laboratory": _l("Laboratory"), "accreditation": _l("Accreditation"), "date": _l("Date"), "body": _l("Body"),
    "method": _l("Method"), "conclusion": _l("Conclusion"),
}
ROLE_LABELS = {"librarian": _l("a librarian"), "enterprise": _l("the enterprise")}


def field_label(name: str, indicator_names: dict[int, dict]) -> str:
    """A history field in words: 'indicators[2].standards[ISO 5208:2008].clause' ->
    'Seat test leakage · ISO 5208:2008 · Clause'; 'level' -> 'Level'."""
    if name in RESULT_FIELD_LABELS:
        return str(RESULT_FIELD_LABELS[name])
    m = _FIELD.match(name)
    if not m:
        return name
    group, item, sub, cell, leaf = m.group("group", "item", "sub", "cell", "leaf")
    parts: list[str] = []
    if group == "test_reports":
        parts.append(_("Test report %(number)s", number=item))
    elif group == "evaluations":
        parts.append(_("Third-party evaluation %(number)s", number=item))
    elif group == "indicators" and item and item.isdigit():
        names = indicator_names.get(int(item))
        parts.append(best_title(names) if names else _("Indicator %(number)s", number=item))
    else:
        return name
    if sub == "standards" and cell:
        parts.append(cell)
        sub = leaf
    if sub:
        parts.append(str(LEAF_LABELS.get(sub, sub)))
    return " · ".join(parts)


def value_words(name: str, value, levels: dict, products: dict[str, str]) -> str:
    """A history value in words where it is a code (levels, directions, product ids ...)."""
    if value is None or value == "":
        return "—"
    leaf = name.rsplit(".", 1)[-1]
    tables = {"reached": REACHED_LABELS, "status": STATUS_LABELS, "state": STATE_LABELS, "direction": DIRECTION_LABELS,
              "outcome": OUTCOME_LABELS, "value_kind": VALUE_KIND_LABELS}
    if name == "level":
        return level_label(levels, value)
    if name == "product_id":
        return products.get(value, value)
    if leaf in tables:
        return label(tables[leaf], value)
    return str(value)


def describe_history(history: list[dict], indicator_names: dict[int, dict], levels: dict,
                     products: dict[str, str], public: bool) -> list[dict]:
    """Each history line with its words: who, what, and rows of {field, before, after}."""
    out = []
    for line in history:
        item = dict(line)
        item["action_label"] = label(HISTORY_LABELS, line["action"])
        role = line.get("actor_role")
        item["who"] = str(ROLE_LABELS[role]) if public and role in ROLE_LABELS else line["actor"]
        changes = line.get("changes") or {}
        if line["action"].startswith("review_"):
            item["reasons_text"] = [reason_text(r) for r in changes.get("reasons", [])]
            item["rows"] = []
        else:
            item["rows"] = [{"field": field_label(name, indicator_names),
                             "before": value_words(name, pair[0], levels, products),
                             "after": value_words(name, pair[1], levels, products)}
                            for name, pair in changes.items() if isinstance(pair, list) and len(pair) == 2]
            if isinstance(changes.get("note"), str):
                item["note"] = changes["note"]
        out.append(item)
    return out
