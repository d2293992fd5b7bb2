"""Read-only questions the pages ask, answered by ``Store`` methods and cached for the web.

Counts per classification node (every level of the ICS/CCS tree) and per committee, the
industry systems' health, names by code (classes, committees, systems) for labels, recent
changes, and brief records for relation lists. All SQL lives in ``catalogue/store.py``
(DESIGN.md); this module adds what only pages need: counting up the classification trees, and a
cache per store generation (one more with every write transaction), so pages stay fast on
94,000 records.
"""
from __future__ import annotations

import threading
from collections import Counter
from typing import Callable

from flask import g, has_request_context

from catalogue.classnames import SOURCE, complete_titles
from catalogue.records import ClassNode
from catalogue.store import Store

_cache: dict[tuple, object] = {}
_cache_lock = threading.Lock()


def catalogue_version(store: Store) -> tuple:
    """(catalogue file, store generation): changes with every write transaction (Store.generation).

    Read once per request and store (a page asks for several cached answers: facet names,
    class titles, counts); outside a request, every call reads it afresh.
    """
    memo = g.get("_catalogue_versions") if has_request_context() else None
    if memo is not None and store.path in memo:
        return memo[store.path]
    version = (str(store.path), store.generation())
    if has_request_context():
        if memo is None:
            memo = g._catalogue_versions = {}
        memo[store.path] = version
    return version


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


def _forget(store: Store, name: str) -> None:
    """Drop the cached values called ``name`` for this catalogue file."""
    with _cache_lock:
        for old in [k for k in _cache if k[0] == name and k[1][0] == str(store.path)]:
            del _cache[old]


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


def classified_total(store: Store, scheme: str) -> int:
    """Records with at least one code of the scheme, each once (the tree root's total), cached."""
    return cached(store, f"classified:{scheme}", lambda: store.count_classified(scheme))  # type: ignore[return-value]


def system_summaries(store: Store) -> list[dict]:
    """Every industry standard system with its health counts, cached per catalogue version:
    [{'id': 'valves', 'titles': {...}, 'members': 55, 'counts': {'in_force': 20, ...}, 'total': 55}].

    The one answer to "how many standards does this industry's system hold": /systems/, each
    /systems/<id> and the home page's pillar-industry chart all show ``total`` (the listed
    standards, each listing once, whether or not the catalogue holds it).
    """

    def compute() -> list[dict]:
        if not store.has_table("systems"):
            return []
        from catalogue.systems import list_systems, system_tree

        out = []
        for item in list_systems(store):
            tree = system_tree(store, item["id"])
            out.append({**item, "counts": tree["counts"], "total": tree["total"]})
        return out

    # Loading a system file is a write transaction like any other: the generation moves.
    return cached(store, "system_summaries", compute)  # type: ignore[return-value]


def system_names(store: Store) -> dict[str, dict]:
    """Industry systems' names by id ({'valves': {'zh': ..., 'en': ...}}), for facet values."""
    return {item["id"]: item["titles"] for item in system_summaries(store)}


def committee_names(store: Store) -> dict[str, dict]:
    """Committees' names by reference ({'ISO/TC 153': {'en': 'Valves'}}), cached per version."""
    return cached(store, "committee_names",  # type: ignore[return-value]
                  lambda: {c.reference: c.titles for c in store.committees()})


def class_titles(store: Store, scheme: str) -> dict[str, dict]:
    """A classification tree's titles by code ({'23.060': {'en': 'Valves', ...}}), cached per version."""
    return cached(store, f"class_titles:{scheme}",  # type: ignore[return-value]
                  lambda: {code: node.titles for code, node in class_node_map(store, scheme).items()})


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
