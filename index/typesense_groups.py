"""What a number means and one hit per standard, on the Typesense collection.

The decisions are not made here: :func:`index.meaning.decide` says what an asked designation
means (held edition, standard, series, not held) from the facts it is given (the store, or
:class:`TypesenseFacts`, the collection's own answers), and the grouping follows
index/grouping.py: a standard is every document under one group key (``grp``:
schema.group_of), shown by its first document in edition order that passes the filters (the
edition in force, else the newest edition; editions before supplements and versions), the
others folded under it. This module only reads those things from the collection: the
documents of a set of standards, the parts of a series, the designation answers in the order
index/search.py pins them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .analyzers import dash_form, strip_publisher
from .grouping import KIND_COUNTS, MEMBERS_SHOWN
from .meaning import Meaning, is_part_of, part_order
from .schema import FACETS, KINDS
from .search import EXACT_SCORE, NUMBER_SCORE, WORK_SCORE

#: Most documents Typesense returns per page.
TS_PAGE = 250
#: What the grouping reads of a document (the facets too: members pass the filters).
DOC_FIELDS = "key,work,grp,kind,row,in_force,status_rank,factor,date,sort_key," + ",".join(FACETS)
#: Group keys per filter (a long filter is one request per chunk).
GROUPS_PER_FILTER = 100
#: Distinct group keys listed when looking for a series' parts.
PART_LIMIT = 1000


def quote(value: str) -> str:
    return "`" + value.replace("`", "") + "`"


def _neg(text: str) -> tuple:
    return tuple(-ord(c) for c in text) + (1,)


def edition_order(doc: dict) -> tuple:
    """index/sidecar.py's edition order within a standard: in force first, editions before
    supplements and versions, then by status, newest first (then by key)."""
    return (not doc.get("in_force"), (doc.get("kind") or "edition") != "edition", doc.get("status_rank", 5),
            _neg(doc.get("date") or ""), doc["key"])


def fetch_docs(index, filter_by: str, fields: str) -> list[dict]:
    """Every document passing ``filter_by`` (a Typesense page at a time)."""
    from .typesense_query import multi_search

    out: list[dict] = []
    page = 1
    while True:
        answer = multi_search(index, [{"q": "*", "filter_by": filter_by, "per_page": TS_PAGE, "page": page,
                                       "include_fields": fields}])[0]
        hits = answer.get("hits", [])
        out.extend(h["document"] for h in hits)
        if len(hits) < TS_PAGE or len(out) >= int(answer.get("found", 0)):
            return out
        page += 1


def docs_of_groups(index, groups, fields: str = DOC_FIELDS) -> dict[str, list[dict]]:
    """The documents of each standard (group key), in edition order."""
    names = list(dict.fromkeys(g for g in groups if g))
    found: dict[str, list[dict]] = {g: [] for g in names}
    for start in range(0, len(names), GROUPS_PER_FILTER):
        chunk = names[start:start + GROUPS_PER_FILTER]
        for doc in fetch_docs(index, "grp:=[" + ",".join(quote(g) for g in chunk) + "]", fields):
            found.setdefault(doc["grp"], []).append(doc)
    for docs in found.values():
        docs.sort(key=edition_order)
    return found


def list_parts(index, series: str) -> list[str]:
    """The standards numbered as parts of ``series`` in the collection, in part order (as
    index/meaning.py's list_parts over a Whoosh table): the groups sharing its number."""
    from .typesense_query import multi_search

    number = strip_publisher(dash_form(series)) or series
    number = number.split("-")[0]
    answer = multi_search(index, [{"q": "*", "filter_by": f"desig:=[{quote(number)}]", "per_page": 0,
                                   "facet_by": "grp", "max_facet_values": PART_LIMIT}])[0]
    groups = [c["value"] for f in answer.get("facet_counts", []) for c in f.get("counts", [])]
    return sorted((g for g in groups if is_part_of(series, g)), key=lambda p: part_order(series, p))


class TypesenseFacts:
    """The facts :func:`index.meaning.decide` needs, answered by the collection (no store), as
    :class:`index.meaning.TableFacts` answers them from a Whoosh table. One per search: the
    documents of a work are asked once."""

    FIELDS = "key,work,grp,kind,row,in_force,status_rank,date"

    def __init__(self, index):
        self.index = index
        self._works: dict[str, list[dict]] = {}
        self._keys: dict[str, dict | None] = {}

    def _of_work(self, work: str) -> list[dict]:
        if work not in self._works:
            self._works[work] = fetch_docs(self.index, f"work:=[{quote(work)}]", self.FIELDS)
        return self._works[work]

    def _of_key(self, key: str) -> dict | None:
        if key not in self._keys:
            found = fetch_docs(self.index, f"key:=[{quote(key)}]", self.FIELDS)
            self._keys[key] = found[0] if found else None
        return self._keys[key]

    def describe(self, key: str | None):
        doc = self._of_key(key) if key else None
        if doc is None:
            return None
        row = doc.get("row") or {}
        return doc["work"], row.get("designation"), row.get("status") or None

    def edition_in_force_key(self, work: str | None) -> str | None:
        if not work:
            return None
        return next((d["key"] for d in self._of_work(work) if d.get("in_force")), None)

    def year_of(self, key: str) -> str:
        doc = self._of_key(key)
        return ((doc or {}).get("row") or {}).get("year") or ""

    def work_exists(self, work: str) -> bool:
        return bool(self._of_work(work))

    def upcoming_edition_key(self, work: str) -> str | None:
        found = [d for d in self._of_work(work) if (d.get("row") or {}).get("status") == "upcoming"]
        return max(found, key=lambda d: d["row"].get("year") or "")["key"] if found else None

    def list_statuses_of_work(self, work: str) -> list[str]:
        return [(d.get("row") or {}).get("status") or "" for d in self._of_work(work)]

    def list_part_works(self, work: str, limit: int = 50) -> list[str]:
        return list_parts(self.index, work)[:limit]


@dataclass
class PinnedGroups:
    """Designation answers in order, one entry a standard: (group key, the document a dated
    designation named or None, score), as index/search.py's Pinned; series asked for."""

    groups: list[tuple[str, str | None, float]] = field(default_factory=list)
    series: list[dict] = field(default_factory=list)
    #: The documents of every pinned standard (and series record), in edition order.
    docs: dict[str, list[dict]] = field(default_factory=dict)

    def add(self, group: str | None, prefer: str | None, score: float) -> None:
        if group and all(group != g for g, _, _ in self.groups):
            self.groups.append((group, prefer, score))

    @property
    def names(self) -> list[str]:
        return [g for g, _, _ in self.groups]


def pin(index, meanings: list[Meaning], designations: list[str]) -> PinnedGroups:
    """The designation answers of index/search.py (_pin_meanings, then _pin_numbers), from
    the collection: the edition asked for, the standard, a series' parts in part order; then
    designation terms the grammar does not read (a bare number), the standards named exactly
    first, then others sharing the number."""
    from .typesense_query import multi_search

    pinned = PinnedGroups()
    keyed = [m.asked.key for m in meanings if m.kind == "edition"]
    by_key: dict[str, list[dict]] = {}
    if keyed:
        for doc in fetch_docs(index, "key:=[" + ",".join(quote(k) for k in keyed) + "]", DOC_FIELDS):
            by_key.setdefault(doc["key"], []).append(doc)
    for meaning in meanings:
        asked = meaning.asked
        if meaning.kind == "edition":
            for doc in by_key.get(asked.key, []):
                pinned.add(doc["grp"], doc["key"], EXACT_SCORE)
        elif meaning.kind == "work":
            pinned.add(asked.work, None, WORK_SCORE)
        elif meaning.kind == "series":
            for part in meaning.parts:
                pinned.add(part, None, WORK_SCORE)
            pinned.series.append({"designation": asked.display, "work": asked.work, "parts": len(meaning.parts)})
    for dashed in designations:
        bare = strip_publisher(dashed)
        searches = [{"q": "*", "filter_by": f"desig:=[{quote(dashed)}]", "per_page": TS_PAGE,
                     "include_fields": DOC_FIELDS}]
        if bare and bare != dashed:
            searches.append({**searches[0], "filter_by": f"desig:=[{quote(bare)}]"})
        found = [[h["document"] for h in r.get("hits", [])] for r in multi_search(index, searches)]
        docs = found[0]
        exact = [d for d in docs if dash_form(d["key"]) == dashed]
        for doc in exact:
            pinned.add(doc["grp"], doc["key"], EXACT_SCORE)
        groups = list(dict.fromkeys(d["grp"] for d in sorted(docs, key=edition_order)))
        named = [g for g in groups if dash_form(g) == dashed]
        for group in named + [g for g in groups if g not in named]:
            pinned.add(group, None, WORK_SCORE if group in named or exact else NUMBER_SCORE)
        if len(found) > 1:
            for doc in sorted(found[1], key=edition_order):
                pinned.add(doc["grp"], None, NUMBER_SCORE)
    wanted = pinned.names + [item["work"] for item in pinned.series]
    pinned.docs = docs_of_groups(index, wanted) if wanted else {}
    return pinned


def describe_group(group: str, shown: dict, docs: list[dict]) -> dict:
    """The ``group`` object of a hit, as index/grouping.py's describe_group: the standard's
    work, counts by kind and the folded documents (the representative not among them)."""
    out: dict = {"work": group, "count": len(docs)}
    for kind in KINDS:
        out[KIND_COUNTS[kind]] = sum(1 for d in docs if (d.get("kind") or "edition") == kind)
    listed = []
    for doc in docs:
        if doc["key"] == shown["key"]:
            continue
        if len(listed) >= MEMBERS_SHOWN:
            break
        row = doc.get("row") or {}
        listed.append({"key": doc["key"], "designation": row.get("designation"), "status": row.get("status"),
                       "year": row.get("year"), "kind": doc.get("kind") or "edition"})
    out["members"] = listed
    return out
