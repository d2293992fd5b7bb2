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
from .lifecycle import standing_of, verdict_of
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
    """Verdict for one parsed designation: where it stands (catalogue.lifecycle), in the
    checker's words."""
    dated = bool(d.year or d.supplement)
    standing = standing_of(store, d.key if dated else d.work, d.work, d.year)
    verdict = verdict_of(standing)
    if standing.state == "series":
        return CheckedReference(text, start, end, d.work, False, None, verdict, None, None, standing.parts)
    if dated:
        found = standing.held
        return CheckedReference(text, start, end, d.key, found, standing.status if found else None, verdict,
                                standing.in_force_designation, standing.in_force)
    if standing.state == "missing":
        return CheckedReference(text, start, end, d.key, False, None, verdict, None)
    current = standing.in_force_designation if standing.state == "current" else None
    status = standing.status if standing.state == "current" else standing.state
    return CheckedReference(text, start, end, d.work, True, status, verdict, current,
                            standing.in_force if current else None)


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
