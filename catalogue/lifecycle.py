"""Which edition is in force, and where a reference stands: one rule, one vocabulary.

Every part of the catalogue that asks "is this the standard to use?" asks here: the store
(settling which edition replaced which), the search index (which edition a hit shows first),
industry systems and schemes (health), the reference checker (verdicts), the record page (the
banner) and the register (results that need review).

The rule. An edition is *in force* when it is published (not a draft, not announced for later),
not withdrawn, and no published newer edition replaces it, by an explicit relation or, where the
sources give none (IEC never does), by being newer: of two published editions of one work, the
newer replaces the older. Supplements (amendments, corrigenda) follow their base edition and
are never the work's edition in force.

The vocabulary (:data:`STANDINGS`), for a reference to a record, a work or a designation we may
not hold:

- ``current``: the edition named is in force (for an undated reference: the work has one);
- ``upcoming``: published, not yet in force (即将实施);
- ``replaced``: a newer edition is in force, or the record says it was replaced (被代替);
- ``withdrawn``: no edition of it is in force and none replaces it (废止);
- ``draft``: in preparation only;
- ``missing``: not in the catalogue (不在本目录中);
- ``series``: an undated number held only as parts ("IEC 60947": IEC 60947-1, -2 ...).

The reference checker's verdicts (DESIGN.md ``check-refs``) are this vocabulary in the
contract's older words (:func:`verdict_of`): ``superseded`` for replaced, ``unknown`` for
missing, ``ambiguous`` for a series.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from .records import STATUSES

if TYPE_CHECKING:  # the store imports this module; only type names go the other way
    from .store import Store

#: Where a reference stands (see the module docstring).
STANDINGS = ("current", "upcoming", "replaced", "withdrawn", "draft", "missing", "series")
#: The reference checker's words for each standing (its JSON contract predates this module).
VERDICTS = {"current": "current", "upcoming": "upcoming", "replaced": "superseded", "withdrawn": "withdrawn",
            "draft": "upcoming", "missing": "unknown", "series": "ambiguous"}
#: A standing that means "use another edition, or check": what health bars count as outdated.
OUTDATED = ("replaced", "withdrawn")


def edition_order(e: Mapping) -> tuple:
    """Sort key among editions of one work, oldest first: by year, then published date, then key."""
    return (e["year"] or "", e["published"] or "", e["key"])


def published_editions(editions: Iterable[Mapping]) -> list[Mapping]:
    """The base editions that count for succession: not drafts, not supplements."""
    return [e for e in editions if e["status"] != "draft" and e["supplement"] == ""]


def inferred_successions(published: Sequence[Mapping], explicit: set[str]) -> list[tuple[Mapping, Mapping]]:
    """(older, newer) pairs where the sources are silent: each edition is replaced by the next
    newer one, unless a source already names its successor (``explicit`` keys)."""
    ordered = sorted(published, key=edition_order)
    return [(older, newer) for older, newer in zip(ordered, ordered[1:]) if older["key"] not in explicit]


def pick_in_force(editions: Iterable[Mapping], superseded: set[str]) -> str | None:
    """The key of the edition in force among a work's editions, or None.

    Candidates: base editions whose status is current or unknown, not replaced by a published
    newer edition (``superseded``). A stale "current" on an old edition loses to a newer one.
    """
    candidates = [e for e in editions if e["supplement"] == "" and e["status"] in ("current", "")
                  and e["key"] not in superseded]
    return max(candidates, key=edition_order)["key"] if candidates else None


def needs_settling(status: str) -> bool:
    """Whether an edition found superseded should be marked replaced (it says current or nothing)."""
    return status in ("", "current")


@dataclass(frozen=True)
class Standing:
    """Where one reference stands now (see the module docstring)."""

    state: str
    asked: str  # the key or work that was asked about
    key: str | None = None  # the record that answers: the edition named, or the one in force
    status: str | None = None  # that record's own status, as its sources say
    in_force: str | None = None  # the key of the work's edition in force
    in_force_designation: str | None = None
    upcoming: str | None = None  # the key of an edition announced, not yet in force
    parts: tuple[str, ...] = field(default=())  # a series: the works of its parts

    @property
    def held(self) -> bool:
        return self.key is not None

    @property
    def outdated(self) -> bool:
        return self.state in OUTDATED

    def to_json(self) -> dict:
        return {"state": self.state, "key": self.key, "status": self.status, "in_force": self.in_force,
                "in_force_designation": self.in_force_designation, "upcoming": self.upcoming,
                "parts": list(self.parts)}


def verdict_of(standing: Standing) -> str:
    """The reference checker's verdict for a standing: 'replaced' -> 'superseded'."""
    return VERDICTS[standing.state]


def standing_of(store: "Store", key: str, work: str, year: str = "") -> Standing:
    """Where the reference ``key`` (an edition's key, or a work key for an undated reference)
    of ``work`` stands. ``year``: the year the reference names, when it names one we do not
    hold (an older edition than the one in force reads as replaced, a newer one as missing)."""
    in_force = store.edition_in_force_key(work)
    in_force_row = store.describe(in_force) if in_force else None
    in_force_designation = in_force_row[1] if in_force_row else None

    def make(state: str, answer: str | None, status: str | None, **more) -> Standing:
        return Standing(state, key, answer, status, in_force, in_force_designation, **more)

    if key != work:  # a dated reference (an edition, or a supplement)
        found = store.describe(key)
        if found is None:
            held_year = store.year_of(in_force) if in_force else ""
            if year and held_year and year < held_year:
                return make("replaced", None, None)  # an older edition than the one in force
            return make("missing", None, None)
        status = found[2] or ""
        if key == in_force:
            return make("current", key, status or None)
        if in_force:
            # another edition is in force: this one is replaced (ISO marks old editions
            # "withdrawn" too), unless it is the next one, announced or in preparation
            return make(status if status in ("upcoming", "draft") else "replaced", key, status or None)
        return make(status if status in STATUSES else "current", key, status or None)
    # An undated reference: the work.
    if in_force:
        return make("current", in_force, in_force_row[2] if in_force_row else None)
    if store.work_exists(work):
        upcoming = store.upcoming_edition_key(work)
        if upcoming:
            return make("upcoming", upcoming, "upcoming", upcoming=upcoming)
        statuses = store.list_statuses_of_work(work)
        if statuses and all(s == "draft" for s in statuses):
            return make("draft", None, "draft")
        return make("withdrawn", None, "withdrawn")
    parts = tuple(store.list_part_works(work))
    if parts:
        return make("series", None, None, parts=parts)
    return make("missing", None, None)


def banner_of(key: str, status: str, in_force: str | None, is_supplement: bool) -> str | None:
    """The kind of warning a record page shows for an edition, or None when it is the one to use:
    'not_in_force' (it says current, yet a newer edition replaces it), or its own status word
    ('replaced', 'withdrawn', 'upcoming', 'draft'), or 'unknown' (no source gave a status)."""
    if key == in_force and status in ("current", ""):
        return None
    if status == "current":
        return None if is_supplement else "not_in_force"
    return status or "unknown"
