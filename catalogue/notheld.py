"""What the catalogue knows about a designation it does not hold.

A search, ``/resolve`` and the command line answer a designation that is not catalogued by
saying so, then offering what we do know, apart from any matches (DESIGN.md ``search``:
``not_held`` and ``related``): other editions of it that we hold, the standards that adopt it
or that it adopts (relations point at records not yet catalogued: DESIGN.md), the industry
systems and benchmarking schemes that cite it, designations of the same publisher close to it,
and where to look it up at its publisher (catalogue/lookup.py).

    >>> related_to(store, "GB/T 13927", "gb-t-13927", "gb-t-13927", "GB")
    [{"for": "GB/T 13927", "why": "scheme", "id": "steel-gate-valves", ...}, ...]
"""
from __future__ import annotations

import re

from .lookup import publisher_page
from .records import Standard
from .store import Store

#: Close designations offered per designation not held.
CLOSE_LIMIT = 5
#: Related items of one kind, at most.
KIND_LIMIT = 12
_EDITION_TAIL = re.compile(r"^-(?:1[89]|20)\d{2}(?:-.*)?$")
_NUMBER = re.compile(r"^(?P<head>.*?-)(?P<digits>\d+)$")


def lookup_of(display: str, publisher: str, doc_type: str = "") -> dict | None:
    """Where to look ``display`` up at its publisher: {"site", "url", "exact"} or None."""
    return publisher_page(Standard(display, publisher=publisher, doc_type=doc_type))


def related_to(store: Store, display: str, key: str, work: str, publisher: str = "") -> list[dict]:
    """Everything the catalogue holds that bears on a designation it does not hold, each item
    ``{"for": display, "why": ..., ...}`` with ``why`` one of ``edition`` (another edition of
    it), ``adopted_by`` / ``adopts`` (with ``degree``: IDT, MOD, NEQ), ``replaced_by``,
    ``system``, ``scheme``, ``close`` (a designation of the same publisher close to it)."""
    out: list[dict] = []
    seen: set[tuple] = set()

    def add(item: dict) -> None:
        marker = (item["why"], item.get("key") or item.get("id"))
        if marker not in seen:
            seen.add(marker)
            out.append({"for": display, **item})

    for edition in reversed(store.editions(work)):
        if edition.key != key:
            add({"why": "edition", "key": edition.key, "designation": edition.designation,
                 "status": edition.status or None, "titles": edition.titles})
    has_editions = bool(out)
    for row in _relations_at(store, key, work):
        why = {"adopts": "adopted_by", "adopted_by": "adopts", "replaces": "replaced_by"}.get(row["type"])
        if why is None:
            continue
        found = store.describe(row["key"])
        add({"why": why, "key": row["key"], "designation": found[1] if found else row["key"],
             "status": found[2] if found else None, "degree": row["degree"] or None})
    for kind in ("system", "scheme"):
        for r in store.list_citing_lists(kind, key, work, KIND_LIMIT):
            add({"why": kind, "id": r["id"], "cited_as": r["designation"], "titles": r["titles"]})
    for close_work in ([] if has_editions else close_works(store, work)):
        shown = store.edition_in_force_key(close_work) or _newest_key(store, close_work)
        found = store.describe(shown) if shown else None
        if found:
            add({"why": "close", "key": shown, "designation": found[1], "status": found[2]})
    return out


def _relations_at(store: Store, key: str, work: str) -> list:
    """Relations whose target is this edition (dated), or this work or one of its editions."""
    if key != work:
        return store.list_relations_to([key])
    rows = store.list_relations_to([key, work], prefix=work + "-")
    return [r for r in rows if r["target_key"] in (key, work) or _EDITION_TAIL.match(r["target_key"][len(work):])]


def _newest_key(store: Store, work: str) -> str | None:
    editions = store.editions(work)
    return editions[-1].key if editions else None


def close_works(store: Store, work: str, limit: int = CLOSE_LIMIT) -> list[str]:
    """Works of the same publisher whose numbers are close: the same number with another part,
    then numbers sharing all but the last one or two digits ('gb-t-12238' -> 'gb-t-12234', ...)."""
    found: list[str] = []
    m = _NUMBER.match(work)
    candidates: list[str] = []
    # parts of the same number ('iso-4126-11' -> 'iso-4126-1', 'iso-4126-2' ...)
    stem = re.match(r"^(.*?-\d+)(?:[-.]\d+)+$", work)
    if stem:
        candidates.extend(_works_between(store, stem.group(1), stem.group(1) + "\uffff", limit * 2))
    if m:
        head, digits = m.group("head"), m.group("digits")
        for cut in (1, 2):
            if len(digits) - cut < 2:
                break
            prefix = head + digits[:-cut]
            candidates.extend(_works_between(store, prefix, prefix + "\uffff", limit * 4))
            if len([c for c in candidates if c != work]) >= limit:
                break
    number = int(m.group("digits")) if m else None
    for candidate in candidates:
        if candidate == work or candidate in found:
            continue
        found.append(candidate)
    if number is not None:
        def distance(w: str) -> tuple:
            n = re.match(r"^" + re.escape(m.group("head")) + r"(\d+)", w)
            return (abs(int(n.group(1)) - number) if n else 10**9, w)
        found.sort(key=distance)
    return found[:limit]


def _works_between(store: Store, low: str, high: str, limit: int) -> list[str]:
    return [w for w in store.list_works_between(low, high, limit)
            if not re.search(r"-(?:amd|cor|ish|csv|rlv|ser|exv|cmv|dam|fdam|pdam|damd|fdamd|dcor)(?:-|$)", w)]
