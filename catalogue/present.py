"""Records as the plain JSON of the DESIGN.md contracts, shared by the command line and the web."""
from __future__ import annotations

from .levels import industry_of_publisher, level_of, level_of_publisher
from .records import Standard


def record_json(rec: Standard, resolved_from: str | None = None, in_force: str | None = None,
                editions: list[Standard] | None = None) -> dict:
    """The ``show`` contract: key, work, designation, publisher, status, titles, dates, ... .

    ``editions`` (all editions of the work, oldest first) adds the edition history: the chain
    of what replaced what, back to the first edition the catalogue knows.
    """
    out = {
        "key": rec.key,
        "work": rec.work,
        "designation": rec.designation,
        "publisher": rec.publisher,
        "status": rec.status or "unknown",
        "titles": dict(rec.titles),
        "dates": {"published": rec.published or None, "in_force": rec.in_force or None,
                  "withdrawn": rec.withdrawn or None},
        "ics": list(rec.ics),
        "ccs": rec.ccs or None,
        "committee": rec.committee or None,
        "edition": rec.edition or None,
        "relations": [
            {"type": r.type, "target": r.target, "degree": r.degree, "resolved": r.resolved, "target_key": r.target_key}
            for r in rec.relations
        ],
        "holdings": [
            {"format": h.format, "shelf_mark": h.shelf_mark, "access": h.access, "note": h.note} for h in rec.holdings
        ],
        "provenance": [{"field": p.field, "source": p.source, "at": p.at} for p in rec.provenance],
        "type": rec.doc_type or None,
        "number": rec.number,
        "part": rec.part or None,
        "year": rec.year or None,
        "supplement": rec.supplement or None,
        "pages": rec.pages or None,
        "languages": list(rec.languages),
        "keywords": list(rec.keywords),
        "edition_in_force": in_force,
        "level": level_of_publisher(rec.publisher) if rec.publisher else level_of(rec.designation),
        "industry": industry_of_publisher(rec.publisher) or None,
    }
    if editions is not None:
        out["editions"] = [
            {"key": e.key, "designation": e.designation, "status": e.status or "unknown", "year": e.year or None,
             "published": e.published or None, "in_force": e.key == in_force}
            for e in editions if not e.supplement
        ]
    if resolved_from is not None:
        out["resolved_from"] = resolved_from
    return out


EXPORT_COLUMNS = (
    "key", "work", "designation", "publisher", "type", "number", "part", "year", "supplement", "status",
    "published", "in_force", "withdrawn", "title_en", "title_zh", "title_fr", "ics", "ccs", "committee",
    "edition", "pages", "replaces", "replaced_by", "adopts",
)


def record_row(rec: Standard) -> dict:
    """One flat row for CSV export: lists joined with '; ', adoptions as 'IDT ISO 5208:2008'."""
    def targets(kind: str) -> str:
        return "; ".join(r.target for r in rec.relations if r.type == kind)

    return {
        "key": rec.key, "work": rec.work, "designation": rec.designation, "publisher": rec.publisher,
        "type": rec.doc_type, "number": rec.number, "part": rec.part, "year": rec.year,
        "supplement": rec.supplement, "status": rec.status, "published": rec.published,
        "in_force": rec.in_force, "withdrawn": rec.withdrawn, "title_en": rec.titles.get("en", ""),
        "title_zh": rec.titles.get("zh", ""), "title_fr": rec.titles.get("fr", ""), "ics": "; ".join(rec.ics),
        "ccs": rec.ccs, "committee": rec.committee, "edition": rec.edition, "pages": rec.pages,
        "replaces": targets("replaces"), "replaced_by": targets("replaced_by"),
        "adopts": "; ".join(f"{r.degree or ''} {r.target}".strip() for r in rec.relations if r.type == "adopts"),
    }
