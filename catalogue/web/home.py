"""The home page: the search box, the collection at a glance, entry points to browse."""
from __future__ import annotations

from flask import Blueprint, url_for

from . import get_catalogue
from .i18n import lazy_gettext as _l
from .queries import pillar_counts, publisher_counts, recent_rows, store_stats
from .render import add_twin_rules, respond

bp = Blueprint("home", __name__)

#: How many publishers the home chart shows before "others".
TOP_PUBLISHERS = 10


PILLAR_LABELS = {
    "valves": _l("Valves"),
    "pumps": _l("Pumps"),
    "low_voltage": _l("Low-voltage electrical"),
    "eyewear": _l("Eyewear"),
    "footwear_leather": _l("Footwear and leather"),
    "auto_parts": _l("Auto parts"),
}


def pillar_label(name: str) -> str:
    """A pillar industry's name in the interface language."""
    return str(PILLAR_LABELS.get(name, name))


def build_home(store) -> dict:
    """The home page's data: totals, records by publisher, status and pillar industry, recent changes."""
    stats = store_stats(store)
    publishers = publisher_counts(store)
    shown = publishers[:TOP_PUBLISHERS]
    others = sum(count for _pub, count in publishers[TOP_PUBLISHERS:])
    return {
        "records": stats["records"],
        "by_publisher": [[pub, count] for pub, count in shown] + ([["others", others]] if others else []),
        "by_status": [[status, count] for status, count in stats["by_status"].items()],
        "by_industry": [
            {"industry": name, "label": pillar_label(name), "ics": list(prefixes), "count": count,
             "search": url_for("search.show_search", ics=list(prefixes))}
            for name, prefixes, count in pillar_counts(store)
        ],
        "recent": recent_rows(store, 10),
    }


def show_home():
    """``/``: the search box and the collection as pictures."""
    return respond("home.html", build_home(get_catalogue().store))


add_twin_rules(bp, "/", show_home)
