"""Industry standard systems and benchmarking schemes: what they are and how they are stored.

A *system* is a tree of categories (code, names in Chinese and English, notes), each listing
designations that may or may not be in the catalogue. A *scheme* names a product, optionally
its enterprise, the domestic and the international or foreign standards it benchmarks against,
and a table of key indicators. Readers in ``ingest/`` build these; they write themselves into
the store through ``store_into`` inside the pipeline's transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .designation import try_parse
from .lifecycle import standing_of
from .store import Store

#: Health counts of systems and schemes, in the order bars and legends show them.
MEMBER_STATES = ("current", "upcoming", "replaced", "withdrawn", "draft", "series", "missing")


def member_keys(designation: str) -> tuple[str, str, str]:
    """(display, key, work) for a member designation; an undated one is keyed by its work."""
    d = try_parse(designation)
    if d is None:
        slug = "-".join(designation.lower().split())
        return designation.strip(), slug, slug
    return d.display, d.key, d.work


@dataclass
class SystemNode:
    code: str
    titles: dict[str, str] = field(default_factory=dict)
    parent: str = ""
    notes: dict[str, str] = field(default_factory=dict)
    members: list[tuple[str, str]] = field(default_factory=list)  # (designation, note)


@dataclass
class StandardSystem:
    """One industry standard system, nodes in document order."""

    id: str
    titles: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    nodes: list[SystemNode] = field(default_factory=list)

    def store_into(self, store: Store, source: str, at: str) -> set[str]:
        """Replace this system in the store; answers the member keys (for the search index),
        old members included (they leave the system facet)."""
        nodes = [(node.code, node.parent, node.titles, node.notes) for node in self.nodes]
        members = [(node.code, *member_keys(designation), note)
                   for node in self.nodes for designation, note in node.members]
        return store.replace_system_rows(self.id, self.titles, self.notes, source, at, nodes, members)


@dataclass
class Indicator:
    names: dict[str, str]
    unit: str = ""
    cells: list[dict] = field(default_factory=list)  # {designation, value, clause, source}


@dataclass
class Scheme:
    """A benchmarking scheme (对标方案)."""

    id: str
    titles: dict[str, str] = field(default_factory=dict)
    product: dict[str, str] = field(default_factory=dict)
    enterprise: str = ""
    notes: dict[str, str] = field(default_factory=dict)
    domestic: list[str] = field(default_factory=list)
    international: list[str] = field(default_factory=list)
    cited: list[str] = field(default_factory=list)  # references found in a scheme document
    indicators: list[Indicator] = field(default_factory=list)

    def store_into(self, store: Store, source: str, at: str) -> set[str]:
        standards = [(role, *member_keys(designation))
                     for role, items in (("domestic", self.domestic), ("international", self.international),
                                         ("cited", self.cited))
                     for designation in items]
        indicators = []
        for ind in self.indicators:
            cells = []
            for cell in ind.cells:
                display, key, _work = member_keys(cell.get("designation", ""))
                cells.append({**cell, "designation": display, "key": key})
            indicators.append((ind.names, ind.unit, cells))
        store.replace_scheme_rows(self.id, self.titles, self.product, self.enterprise, self.notes, source, at,
                                  standards, indicators)
        return set()


# ------------------------------------------------------------------ answering
def member_state(store: Store, key: str, work: str) -> dict:
    """Where a listed standard stands now (catalogue.lifecycle's vocabulary: current, upcoming,
    replaced, withdrawn, draft, series, missing), with the edition in force (if any) and the
    record the listing names: an undated listing names the edition in force."""
    year = key[len(work) + 1:][:4] if key != work and key.startswith(work + "-") else ""
    standing = standing_of(store, key, work, year if year.isdigit() else "")
    return {"state": standing.state, "key": standing.key, "in_force": standing.in_force,
            "in_force_designation": standing.in_force_designation, "status": standing.status,
            "parts": list(standing.parts)}


def list_systems(store: Store) -> list[dict]:
    return store.list_system_rows()


def system_tree(store: Store, system_id: str) -> dict | None:
    """A system with, at every node, its members' states and counts (own and below)."""
    row = store.fetch_system_row(system_id)
    if row is None:
        return None
    nodes = {}
    order = []
    for n in store.list_system_nodes(system_id):
        nodes[n["code"]] = {**n, "members": [], "children": [], "counts": dict.fromkeys(MEMBER_STATES, 0)}
        order.append(n["code"])
    cache: dict[tuple[str, str], dict] = {}
    for m in store.list_system_members(system_id):
        k = (m["key"], m["work"])
        if k not in cache:
            cache[k] = member_state(store, *k)
        state = cache[k]
        node = nodes.get(m["node"])
        if node is None:
            continue
        node["members"].append({"designation": m["designation"], "key": state["key"], "note": m["note"],
                                "state": state["state"], "status": state["status"],
                                "in_force": state["in_force"], "in_force_designation": state["in_force_designation"]})
    roots = []
    for code in order:
        node = nodes[code]
        parent = nodes.get(node["parent"])
        (parent["children"] if parent else roots).append(node)

    def total(node: dict) -> dict:
        counts = dict.fromkeys(MEMBER_STATES, 0)
        for m in node["members"]:
            counts[m["state"]] += 1
        for child in node["children"]:
            for s, c in total(child).items():
                counts[s] += c
        node["counts"] = counts
        node["total"] = sum(counts.values())
        return counts

    grand = dict.fromkeys(MEMBER_STATES, 0)
    for root in roots:
        for s, c in total(root).items():
            grand[s] += c
    return {**row, "nodes": roots, "counts": grand, "total": sum(grand.values())}


def flatten_system(tree: dict) -> list[dict]:
    """One row per member, with the node path, for CSV and XLSX export."""
    rows: list[dict] = []

    def walk(node: dict, path: list[str]) -> None:
        here = path + [f"{node['code']} {node['titles'].get('zh') or node['titles'].get('en', '')}".strip()]
        for m in node["members"]:
            rows.append({"node": node["code"], "path": " / ".join(here), "designation": m["designation"],
                         "state": m["state"], "status": m["status"] or "",
                         "in_force": m["in_force_designation"] or "", "note": m["note"]})
        for child in node["children"]:
            walk(child, here)

    for root in tree["nodes"]:
        walk(root, [])
    return rows


def list_schemes(store: Store) -> list[dict]:
    return store.list_scheme_rows()


def scheme_detail(store: Store, scheme_id: str) -> dict | None:
    """A scheme with every cited standard's current state and its indicator table."""
    row = store.fetch_scheme_row(scheme_id)
    if row is None:
        return None
    standards = []
    for s in store.list_scheme_standards(scheme_id):
        state = member_state(store, s["key"], s["work"])
        standards.append({"role": s["role"], "designation": s["designation"], "key": state["key"],
                          "state": state["state"], "status": state["status"], "in_force": state["in_force"],
                          "in_force_designation": state["in_force_designation"], "work": s["work"]})
    columns = [s["designation"] for s in standards if s["role"] != "cited"]
    return {**row, "standards": standards, "indicators": store.list_scheme_indicator_rows(scheme_id), "columns": columns}


def schemes_citing(store: Store, key: str, work: str) -> list[dict]:
    """Schemes that cite this edition or its work (undated)."""
    return store.list_schemes_citing(key, work)


def systems_including(store: Store, key: str, work: str) -> list[dict]:
    return store.list_systems_including(key, work)


def watched_keys(store: Store, scheme_id: str | None = None, system_id: str | None = None) -> set[str]:
    """Every edition of every work a scheme (or system, or all of them) cites."""
    return store.list_keys_of_works(store.list_cited_works(scheme_id, system_id))


def changes_for(store: Store, since: str, scheme_id: str | None = None, system_id: str | None = None) -> list[dict]:
    """Cited standards whose status or edition in force changed since ``since`` (YYYY-MM-DD).

    Two kinds of evidence, both listed: what the records say happened in the world (a new
    edition published, an edition withdrawn, on or after the date) and what the catalogue
    learnt (a status it held changed in an ingest on or after the date).
    """
    keys = watched_keys(store, scheme_id, system_id)
    events: list[dict] = []
    in_force_cache: dict[str, str | None] = {}

    def in_force_of(work: str) -> tuple[str | None, str | None]:
        if work not in in_force_cache:
            in_force_cache[work] = store.edition_in_force_key(work)
        k = in_force_cache[work]
        return k, store.designation_of(k)

    rows = store.fetch_change_rows(keys)
    for key, r in sorted(rows.items()):
        for fld, when, new in (("published", r["published"], "published"), ("withdrawn", r["withdrawn"], "withdrawn")):
            if fld == "published" and r["status"] == "draft":
                continue  # a draft's date is its enquiry's, not a publication (ISO stage 40)
            if when and when >= since:
                k, d = in_force_of(r["work"])
                events.append({"key": key, "designation": r["designation"], "at": when, "field": fld,
                               "old": None, "new": new,
                               "in_force": k, "in_force_designation": d, "evidence": "record"})
    for c in store.changes_since(since, keys):
        if c["old"] is None or c["key"] not in rows:
            continue  # a first sighting is not a change
        r = rows[c["key"]]
        k, d = in_force_of(r["work"])
        events.append({"key": c["key"], "designation": r["designation"], "at": c["at"], "field": c["field"],
                       "old": c["old"], "new": c["new"], "in_force": k, "in_force_designation": d,
                       "evidence": "catalogue"})
    events.sort(key=lambda e: (e["at"], e["designation"]))
    return events
