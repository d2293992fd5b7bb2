"""ISO Open Data deliverables: rows of ``iso_deliverables_metadata`` as JSON or JSON lines.

One object per deliverable: ``{"id": 62085, "reference": "ISO 9001:2015", "deliverableType": "IS",
"publicationDate": "2015-09-22", "edition": 5, "icsCode": [...], "ownerCommittee": "ISO/TC 176/SC 2",
"currentStage": 9092, "replaces": [46486, 54538], "replacedBy": [88464], "languages": [...],
"pages": {"en": 29}, "scope": {"en": "<p>...</p>"}}``. A ``.json`` file may hold one object
(pretty-printed or not) or an array; a ``.jsonl`` file one object a line.

- status from ``currentStage`` (9092 = stage 90.92) with the same ISO stage rules as the Relaton
  reader; a 95.99 row whose ``replacedBy`` is not empty is ``replaced`` (the source says a
  successor exists even when we cannot name it).
- ``replaces``/``replacedBy`` hold numeric ids, not designations. Ids that belong to another row
  of the same file are turned into ``replaces``/``replaced_by`` relations with that row's
  reference; the others are left out without a Problem (the catalogue has no field for foreign
  ids: a whole-dataset file resolves nearly all of them).
- ``scope.en`` is HTML, often exported from Word: stripped to plain text, one line a paragraph.
- ``title`` (when present, {"en": ..., "fr": ...}), ``pages`` (the English count, else the first),
  ``languages``, ``edition`` (as text), ``icsCode``, ``ownerCommittee``.
"""
from __future__ import annotations

import re
from typing import BinaryIO, Iterator

from catalogue.records import Problem, Reading, Standard
from ingest.files import read_path
from ingest.iso_opendata import decode_text, html_to_text, iter_json_objects
from ingest.relaton_model import iso_stage_status


_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_STAGE = re.compile(r"^(\d{2})\.?(\d{2})$")


class RowError(ValueError):
    """A row that cannot become a Standard: the field and a one-sentence reason."""

    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def sniff(head: bytes) -> bool:
    """True for '{"id":62085,"deliverableType":"IS",...,"reference":"ISO 9001:2015",...}' (JSON or JSON lines)."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n[")
    return text.startswith(b"{") and b'"reference"' in text and (
        b'"deliverableType"' in text or b'"currentStage"' in text)


def read(path) -> Iterator[Reading]:
    """Read a deliverables .json or .jsonl file by path."""
    yield from read_path(path, read_iso_deliverables)


def read_iso_deliverables(fp: BinaryIO, name: str) -> Iterator[Reading]:
    """One Reading per deliverable row: '{"reference":"ISO 9001:2015","currentStage":9092,...}'."""
    raw = fp.read()
    if not raw.strip():
        yield Reading(problem=Problem(name, None, None, "the file is empty: it holds no deliverable."))
        return
    rows = list(iter_json_objects(decode_text(raw), prefer_whole=name.lower().endswith(".json")))
    references = {row["id"]: str(row["reference"]).strip()
                  for _, row, _ in rows if isinstance(row, dict) and row.get("id") is not None and row.get("reference")}
    for line, row, error in rows:
        if error:
            yield Reading(problem=Problem(name, line, None, error))
        elif not isinstance(row, dict):
            yield Reading(problem=Problem(name, line, None, "each deliverable must be a JSON object."))
        else:
            try:
                yield Reading(item=build_deliverable(row, references), line=line)
            except RowError as exc:
                yield Reading(problem=Problem(name, line, exc.field, exc.reason))
            except (AttributeError, TypeError, ValueError) as exc:
                reason = f"the row has an unexpected structure ({type(exc).__name__}: {exc})."
                yield Reading(problem=Problem(name, line, None, reason))


def build_deliverable(row: dict, references: dict) -> Standard:
    """A Standard from one row; ``references`` maps the file's numeric ids to their references."""
    designation = " ".join(str(row.get("reference") or "").split())
    if not designation:
        raise RowError("reference", "the row has no reference, so it names no standard.")
    rec = Standard(designation=designation)
    title = row.get("title")
    if isinstance(title, dict):
        rec.titles = {lang: " ".join(str(text).split()) for lang, text in title.items() if text}
    replaced_by = _as_ids(row.get("replacedBy"))
    rec.status = _status(row.get("currentStage"), bool(replaced_by))
    rec.published = _date(row.get("publicationDate"))
    if row.get("edition") is not None:
        rec.edition = str(row["edition"])
    rec.ics = [str(code).strip() for code in row.get("icsCode") or [] if str(code).strip()]
    rec.committee = " ".join(str(row.get("ownerCommittee") or "").split())
    rec.languages = [str(lang) for lang in row.get("languages") or []]
    pages = row.get("pages")
    if isinstance(pages, dict) and pages:
        rec.pages = str(pages.get("en", next(iter(pages.values()))))
    scope = row.get("scope")
    if isinstance(scope, dict):
        rec.scope = {lang: html_to_text(str(text)) for lang, text in scope.items() if text}
        rec.scope = {lang: text for lang, text in rec.scope.items() if text}
    for kind, ids in (("replaces", _as_ids(row.get("replaces"))), ("replaced_by", replaced_by)):
        for other in ids:
            if other in references:
                rec.add_relation(kind, references[other])
    return rec


def _as_ids(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _status(stage, has_successor: bool) -> str:
    """9092 -> 'current'; 9599 with a successor -> 'replaced'; '4020' -> 'draft'."""
    if stage in (None, ""):
        return ""
    match = _STAGE.match(str(stage).strip())
    if not match:
        raise RowError("status", f"currentStage '{stage}' is not an ISO stage code such as 6060 or 9599.")
    status = iso_stage_status(match.group(1), match.group(2), has_successor)
    if not status:
        raise RowError("status", f"currentStage '{stage}' is not a known ISO stage.")
    return status


def _date(value) -> str:
    if value in (None, ""):
        return ""
    text = str(value).strip()[:10] if "T" in str(value) else str(value).strip()
    if not _DATE.match(text):
        raise RowError("published", f"publicationDate '{value}' is not a date (YYYY-MM-DD).")
    return text
