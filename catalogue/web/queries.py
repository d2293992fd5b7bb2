"""Read-only questions the pages ask, answered by ``Store`` methods and cached for the web.

Counts per classification node (every level of the ICS/CCS tree), per pillar industry and per
committee, recent changes, and brief records for relation lists. All SQL lives in
``catalogue/store.py`` (DESIGN.md); this module adds what only pages need: counting up the
classification trees, the museum's pillar industries, and a cache per store generation (one
more with every write transaction), so pages stay fast on 94,000 records.
"""
from __future__ import annotations

import threading
from collections import Counter
from typing import Callable

from catalogue.classnames import SOURCE, complete_titles
from catalogue.records import ClassNode
from catalogue.store import Store

#: The museum's five pillar industries, by ICS prefix (brief: valves 23.060, pumps 23.080 ...).
PILLARS = (
    ("valves", ("23.060",)),
    ("pumps", ("23.080",)),
    ("low_voltage", ("29.120", "29.130.20")),
    ("eyewear", ("11.040.70",)),
    ("footwear_leather", ("61.060", "59.140")),
    ("auto_parts", ("43",)),
)

_cache: dict[tuple, object] = {}
_cache_lock = threading.Lock()


def catalogue_version(store: Store) -> tuple:
    """(catalogue file, store generation): changes with every write transaction (Store.generation)."""
    return (str(store.path), store.generation())


def cached(store: Store, name: str, compute: Callable[[], object]) -> object:
    """``compute()`` once per store generation and name; older generations are dropped."""
    version = catalogue_version(store)
    key = (name, version)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    value = compute()
    with _cache_lock:
        # computed from a state at least as new as ``version``: keep it only if nothing moved
        if catalogue_version(store) == version:
            for old in [k for k in _cache if k[0] == name and k[1][0] == version[0]]:
                del _cache[old]
            _cache[key] = value
    return value


def ics_ancestors(code: str, parents: dict[str, str]) -> list[str]:
    """'23.060.01' -> ['23.060.01', '23.060', '23'], by the tree when it knows the code, else by dots."""
    chain = []
    seen = set()
    node = code
    while node and node not in seen:
        seen.add(node)
        chain.append(node)
        node = parents.get(node) or (node.rsplit(".", 1)[0] if "." in node else "")
    return chain


def ccs_ancestors(code: str, parents: dict[str, str]) -> list[str]:
    """'J16' -> ['J16', 'J10/19', 'J']: up the tree, or by the first letter when the tree lacks the code."""
    chain = []
    seen = set()
    node = code
    while node and node not in seen:
        seen.add(node)
        chain.append(node)
        node = parents.get(node, "")
    if code and code[0] not in chain:
        chain.append(code[0])
    return chain


def class_counts(store: Store, scheme: str) -> dict[str, int]:
    """Records per classification code, every level counted (a record counts once per node)."""

    def compute() -> dict[str, int]:
        parents = {n.code: n.parent for n in store.class_nodes(scheme)}
        counts: Counter = Counter()
        if scheme == "ics":
            for codes in store.list_record_ics():
                nodes = set()
                for code in codes:
                    nodes.update(ics_ancestors(code, parents))
                counts.update(nodes)
        else:
            for code in store.list_record_ccs():
                counts.update(set(ccs_ancestors(code, parents)))
        return dict(counts)

    return cached(store, f"class_counts:{scheme}", compute)  # type: ignore[return-value]


def complete_node(node: ClassNode) -> ClassNode:
    """The node itself, or a copy with the class names its titles lack (catalogue.classnames)."""
    titles = complete_titles(node.scheme, node.code, node.titles)
    if titles == node.titles:
        return node
    added = {lang: SOURCE for lang in titles if lang not in node.titles}
    return ClassNode(node.scheme, node.code, node.parent, titles, node.notes, {**node.title_sources, **added})


def class_node_map(store: Store, scheme: str) -> dict:
    """Every node of a classification tree by code ({'23.060': ClassNode, ...}), cached per version.

    Decoding the ICS tree's 1,381 rows of JSON cost 5-7 ms on every browse page (profiled
    2026-11-25); the tree only changes when something is ingested. Callers must not change it.
    A node the store holds without its class name in the other language (a catalogue ingested
    before catalogue.classnames existed) gets it here, so browse, facets and breadcrumbs name
    ICS classes in Chinese and CCS classes in English.
    """

    def compute() -> dict:
        return {n.code: complete_node(n) for n in store.class_nodes(scheme)}

    return cached(store, f"class_nodes:{scheme}", compute)  # type: ignore[return-value]


def pillar_counts(store: Store) -> list[tuple[str, tuple[str, ...], int]]:
    """Records per pillar industry: [('valves', ('23.060',), 412), ...]."""

    def compute():
        counts: Counter = Counter()
        for codes in store.list_record_ics():
            for name, prefixes in PILLARS:
                if any(c == p or c.startswith(p + ".") for c in codes for p in prefixes):
                    counts[name] += 1
        return [(name, prefixes, counts.get(name, 0)) for name, prefixes in PILLARS]

    return cached(store, "pillars", compute)  # type: ignore[return-value]


def recent_rows(store: Store, limit: int = 20) -> list[dict]:
    """The most recently added or changed records, newest first, with their times."""
    return store.list_recently_updated(limit)


def store_stats(store: Store) -> dict:
    """``Store.stats()`` (records, by publisher, by status), cached per catalogue version."""
    return cached(store, "stats", store.stats)  # type: ignore[return-value]


def publisher_counts(store: Store) -> list[tuple[str, int]]:
    """Records per publisher, most first."""
    return list(store_stats(store)["by_publisher"].items())


def committee_counts(store: Store) -> dict[str, int]:
    """Records per committee reference ('ISO/TC 153' -> 12)."""
    return cached(store, "committees", store.count_by_committee)  # type: ignore[return-value]


def brief_records(store: Store, keys: list[str]) -> dict[str, dict]:
    """Designation, status and titles for many keys in one query (relation lists, timelines)."""
    return store.fetch_briefs(keys)


def table_exists(store: Store, name: str) -> bool:
    """Whether the store has a table (later migrations add systems and schemes)."""
    return store.has_table(name)
