"""Turn any reference a person types into a catalogue record.

Used by ``catalogue show``, the web's ``/resolve`` and ``/standards/<work>``, and the
reference checker: one set of rules everywhere.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .designation import Designation, try_parse
from .errors import NotFound
from .records import Standard
from .store import Store

_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")


@dataclass
class Resolution:
    """The record a reference names, how it got there, and the other candidates."""

    reference: str
    record: Standard | None
    how: str  # exact | key | in_force | newest | series | none
    designation: Designation | None = None
    candidates: list[str] = field(default_factory=list)

    @property
    def resolved_from(self) -> str | None:
        """The input, when it was undated or spelled differently from the record's designation."""
        if self.record is None:
            return None
        if self.how in ("in_force", "newest") or self.reference.strip() != self.record.designation:
            return self.reference
        return None


def resolve_reference(store: Store, reference: str) -> Resolution:
    """Resolve 'ISO 5208', 'gbt12238-2008', 'iso-5208-2015' ... to a record.

    A dated designation answers that edition; an undated one (or a work key) the edition in
    force, else the newest edition. Never raises: ``record`` is None when nothing matches.
    """
    text = (reference or "").strip()
    d = try_parse(text) if text else None
    if d is None:
        if _KEY_RE.match(text.lower()):
            low = text.lower()
            if store.exists(low):
                return Resolution(text, store.get(low), "key")
            if store.work_exists(low):
                return _resolve_work(store, text, low, None)
        return Resolution(text, None, "none")
    if d.year or d.supplement:
        rec = store.get(d.key)
        if rec is not None:
            return Resolution(text, rec, "exact", d)
        return Resolution(text, None, "none", d, [e.key for e in store.editions(d.work)])
    return _resolve_work(store, text, d.work, d)


def _resolve_work(store: Store, text: str, work: str, d: Designation | None) -> Resolution:
    editions = store.editions(work)
    if not editions:
        parts = store.list_part_works(work)
        if parts:
            # a series held only as parts (lifecycle "series"): its parts are the choices, in part order
            keys = [store.edition_in_force_key(p) or _newest(store, p) for p in _in_part_order(work, parts)]
            return Resolution(text, None, "series", d, [k for k in keys if k])
        return Resolution(text, None, "none", d)
    key = store.edition_in_force_key(work)
    others = [e.key for e in reversed(editions)]
    if key:
        return Resolution(text, store.get(key), "in_force", d, others)
    base = [e for e in editions if not e.supplement] or editions
    return Resolution(text, base[-1], "newest", d, others)


def _newest(store: Store, work: str) -> str | None:
    editions = [e for e in store.editions(work) if not e.supplement] or store.editions(work)
    return editions[-1].key if editions else None


def _in_part_order(series: str, parts: list[str]) -> list[str]:
    """'iec-60947-10' after 'iec-60947-2'."""
    return sorted(parts, key=lambda p: (tuple(int(n) for n in re.findall(r"\d+", p[len(series):])), p))


def require_record(store: Store, reference: str) -> Resolution:
    """Like :func:`resolve_reference`, but raise NotFound with a sentence naming what was tried."""
    res = resolve_reference(store, reference)
    if res.record is None:
        if res.designation is None:
            raise NotFound(f"'{reference}' is not a designation or key in the catalogue.")
        if res.how == "series":
            raise NotFound(f"{res.designation.display} is a series; name one of its parts: {', '.join(res.candidates)}.")
        hint = f" Editions in the catalogue: {', '.join(res.candidates)}." if res.candidates else ""
        raise NotFound(f"{res.designation.display} is not in the catalogue.{hint}")
    return res
