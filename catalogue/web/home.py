"""The home page: the search box, the collection at a glance, entry points to browse."""
from __future__ import annotations

from flask import Blueprint, url_for

from . import get_catalogue
from .queries import publisher_counts, recent_rows, store_stats, system_summaries
from .render import add_twin_rules, respond

bp = Blueprint("home", __name__)

#: How many publishers the home chart shows before "others".
TOP_PUBLISHERS = 10
#: How many recently added or changed records the home page lists.
RECENT = 10
#: What a system's name ends with, left off its bar on the chart ('阀门与泵产业标准体系' -> '阀门与泵').
SYSTEM_NAME_ENDINGS = {"zh": ("产业标准体系", "标准体系"), "en": (" industry standard system", " standard system")}


def short_titles(titles: dict) -> dict:
    """A system's names without the words every system's name ends with, for a chart's bar labels."""
    out = {}
    for lang, text in (titles or {}).items():
        for ending in SYSTEM_NAME_ENDINGS.get(lang, ()):
            if text.lower().endswith(ending.lower()) and len(text) > len(ending):
                text = text[: -len(ending)]
                break
        out[lang] = text
    return out


def build_home(store) -> dict:
    """The home page's data: totals, records by publisher and status, the pillar industries, recent changes.

    ``by_industry`` has one bar per industry standard system (the museum's pillar industries),
    counting the standards the system lists: the same figure, from the same function
    (``queries.system_summaries``), as /systems/ and the system's own page, where the bar links.
    """
    stats = store_stats(store)
    publishers = publisher_counts(store)
    shown = publishers[:TOP_PUBLISHERS]
    others = sum(count for _pub, count in publishers[TOP_PUBLISHERS:])
    return {
        "records": stats["records"],
        "by_publisher": [[pub, count] for pub, count in shown] + ([["others", others]] if others else []),
        "by_status": [[status, count] for status, count in stats["by_status"].items()],
        "by_industry": [
            {"system": item["id"], "titles": item["titles"], "short_titles": short_titles(item["titles"]),
             "count": item["total"],
             "current": item["counts"].get("current", 0),
             "url": url_for("systems.show_system", system_id=item["id"])}
            for item in system_summaries(store)
        ],
        "recent": recent_rows(store, RECENT),
    }


def show_home():
    """``/``: the search box and the collection as pictures."""
    return respond("home.html", build_home(get_catalogue().store))


add_twin_rules(bp, "/", show_home)
