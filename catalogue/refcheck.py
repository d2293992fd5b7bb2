"""The reference checker: find every designation in a text, resolve it, give a verdict.

Verdicts (DESIGN.md ``check-refs``): ``current`` (the edition cited, or for an undated
reference the work, is in force), ``superseded`` (a newer edition is in force), ``withdrawn``
(no edition is in force), ``upcoming`` (published, not yet in force), ``unknown`` (not in the
catalogue), ``ambiguous`` (an undated reference that matches several standards, e.g. the parts
of a multi-part standard).
"""
from __future__ import annotations

from dataclasses import dataclass

from .designation import find_designations
from .store import Store

VERDICTS = ("current", "superseded", "withdrawn", "upcoming", "unknown", "ambiguous")
#: Longest text checked: a long standard is ~300,000 characters (issue 14: bound the text ...).
MAX_TEXT_CHARS = 500_000
#: ... and the answer: at most this many references are looked up and reported (the rest are counted).
MAX_REFERENCES = 1000


@dataclass
class CheckedReference:
    text: str
    start: int
    end: int
    key: str
    found: bool
    status: str | None
    verdict: str
    current: str | None  # designation of the edition in force
    current_key: str | None = None
    candidates: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"text": self.text, "start": self.start, "end": self.end, "key": self.key, "found": self.found,
                "status": self.status, "verdict": self.verdict, "current": self.current}

    @property
    def corrected(self) -> str:
        """The reference as it should read now: the edition in force, or the text unchanged."""
        return self.current or self.text


def check_reference(store: Store, d, text: str = "", start: int = 0, end: int = 0) -> CheckedReference:
    """Verdict for one parsed designation."""
    in_force = store.edition_in_force_key(d.work) if store.work_exists(d.work) else None
    in_force_record = store.describe(in_force)
    current = in_force_record[1] if in_force_record else None
    dated = bool(d.year or d.supplement)
    if dated:
        found = store.describe(d.key)
        if found is None:
            return CheckedReference(text, start, end, d.key, False, None, "unknown", current, in_force)
        status = found[2]
        if d.key == in_force:
            verdict = "current"
        elif status == "upcoming":
            verdict = "upcoming"
        elif in_force:
            verdict = "superseded"
        elif status in ("current", None):
            verdict = "current"
        else:
            verdict = "withdrawn"
        return CheckedReference(text, start, end, d.key, True, status, verdict, current, in_force)
    if store.work_exists(d.work):
        if in_force_record:
            return CheckedReference(text, start, end, d.work, True, in_force_record[2], "current", current, in_force)
        if store.upcoming_edition_key(d.work):
            return CheckedReference(text, start, end, d.work, True, "upcoming", "upcoming", None)
        return CheckedReference(text, start, end, d.work, True, "withdrawn", "withdrawn", None)
    # An undated number that only exists as parts ("ISO 4126" for ISO 4126-1 ... -10).
    parts = store.list_part_works(d.work)
    if len(parts) > 1:
        return CheckedReference(text, start, end, d.work, False, None, "ambiguous", None, None, tuple(parts))
    return CheckedReference(text, start, end, d.key, False, None, "unknown", None)


def check_text(store: Store, text: str, limit: int | None = None) -> list[CheckedReference]:
    """Every designation found in ``text`` (Chinese or English), in order, with its verdict
    (the first ``limit`` only, when given)."""
    return [check_reference(store, f.designation, f.text, f.start, f.end) for f in find_designations(text, limit)]


def check_text_capped(store: Store, text: str, limit: int = MAX_REFERENCES) -> tuple[list[CheckedReference], bool]:
    """The first ``limit`` references of ``text`` and whether there were more (then say so)."""
    found = find_designations(text, limit + 1)
    refs = [check_reference(store, f.designation, f.text, f.start, f.end) for f in found[:limit]]
    return refs, len(found) > limit


def corrected_list(refs: list[CheckedReference]) -> list[str]:
    """The reference list as it should read now, each standard once, in order of first citation."""
    out: list[str] = []
    for r in refs:
        line = r.corrected
        if line not in out:
            out.append(line)
    return out
