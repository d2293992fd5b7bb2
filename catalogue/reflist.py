"""The validity check of a list of standards (标准有效性确认): one verdict for every line.

Standards libraries sell this per item: a client sends the list of standards a product or a
quality manual declares, and gets back, for each line, the designation as given and as
recognised, its status, the edition in force, what replaced it (with the title), its adoption
of an international standard (IDT / MOD / NEQ), its dates and a verdict, all dated. Lines that
hold no designation (headings, notes) are kept and marked ``not_designation``.

The lines come from :mod:`ingest.standard_list` (anything with ``line``, ``text`` and
``columns``); the verdicts from :func:`catalogue.refcheck.check_reference`, the one rule.

    >>> result = check_list(store, lines, name="清单.xlsx", column="标准号", detected_by="heading")
    >>> result.rows[0].verdict, result.rows[0].in_force
    ('superseded', {'designation': 'GB/T 13927-2022', 'key': 'gb-t-13927-2022', 'titles': {...}})
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Protocol

from .designation import find_designations
from .refcheck import VERDICTS, check_reference
from .store import Store

#: The verdict of a line that holds no designation.
NOT_DESIGNATION = "not_designation"
LIST_VERDICTS = VERDICTS + (NOT_DESIGNATION,)
#: Designations read from one line (a cell listing twenty standards is rare; a pasted page is not a line).
MAX_PER_LINE = 20


class Line(Protocol):
    line: int
    text: str
    columns: dict[str, str]


@dataclass
class ListRow:
    """One row of the report: a designation found on a line (or the line itself when it holds none)."""

    line: int
    as_given: str
    columns: dict[str, str]
    verdict: str
    text: str = ""  # the designation as written in the line
    start: int = 0  # where it is in the line
    end: int = 0
    designation: str = ""  # as recognised: 'GB/T 13927-2008'
    key: str = ""
    found: bool = False
    status: str | None = None
    titles: dict[str, str] = field(default_factory=dict)
    in_force: dict | None = None  # {'designation', 'key', 'titles'}
    replaced_by: list[dict] = field(default_factory=list)  # [{'designation', 'key', 'titles'}]
    adoptions: list[dict] = field(default_factory=list)  # [{'target', 'degree'}]
    dates: dict[str, str | None] = field(default_factory=dict)  # published, in_force, withdrawn
    candidates: tuple[str, ...] = ()

    def reference_json(self) -> dict:
        """The DESIGN.md ``check-refs`` reference ({text, start, end, ...}; offsets within the line)."""
        current = self.in_force["designation"] if self.in_force else None
        return {"text": self.text, "start": self.start, "end": self.end, "key": self.key, "found": self.found,
                "status": self.status, "verdict": self.verdict, "current": current}

    def to_json(self) -> dict:
        return {
            "line": self.line, "as_given": self.as_given, "text": self.text, "designation": self.designation,
            "key": self.key, "found": self.found, "status": self.status, "verdict": self.verdict,
            "titles": self.titles, "in_force": self.in_force, "replaced_by": self.replaced_by,
            "adoptions": self.adoptions, "dates": self.dates, "candidates": list(self.candidates),
            "columns": self.columns,
        }


@dataclass
class ListCheck:
    """The whole check: what was checked, when, against which catalogue, and the rows."""

    name: str
    kind: str
    column: str
    detected_by: str
    checked_on: str
    catalogue: dict  # {'records', 'updated', 'label'}
    rows: list[ListRow]
    truncated: bool = False
    headings: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(LIST_VERDICTS, 0)
        for row in self.rows:
            counts[row.verdict] += 1
        return counts

    @property
    def all_current(self) -> bool:
        """Every designation is current (lines without one do not count), and there is at least one."""
        checked = [r for r in self.rows if r.verdict != NOT_DESIGNATION]
        return bool(checked) and all(r.verdict == "current" for r in checked)

    @property
    def other_headings(self) -> list[str]:
        """The list's other columns, in their order, for the report."""
        return [h for h in self.headings if h != self.column]

    @property
    def references(self) -> list[dict]:
        """The rows that hold a designation, in the ``check-refs`` contract's form."""
        return [r.reference_json() for r in self.rows if r.verdict != NOT_DESIGNATION]

    def to_json(self) -> dict:
        return {"file": self.name, "kind": self.kind, "column": self.column, "detected_by": self.detected_by,
                "checked_on": self.checked_on, "catalogue": self.catalogue, "truncated": self.truncated,
                "counts": self.counts, "rows": [r.to_json() for r in self.rows]}


def describe_catalogue(store: Store, label: str) -> dict:
    """What the list was checked against: {'label', 'records', 'updated', 'generation'}: the record
    count, the date of the latest write and the store generation (one more with every write)."""
    log = store.read_write_log(after=max(0, store.generation() - 1), limit=1)
    updated = log[-1]["at"] if log else None
    return {"label": label, "records": store.count(), "updated": (updated or "")[:10] or None,
            "generation": store.generation()}


def check_list(store: Store, lines: Iterable[Line], *, name: str, kind: str = "", column: str = "",
               detected_by: str = "", headings: list[str] | None = None, truncated: bool = False,
               catalogue_label: str = "", checked_on: str | None = None, keep_plain: bool = True) -> ListCheck:
    """Check every line of a list; each designation found on a line is a row, a line with none is one
    row too (unless ``keep_plain`` is False: the prose lines of a text are no list's lines)."""
    rows: list[ListRow] = []
    briefs_wanted: set[str] = set()
    for item in lines:
        text = item.text or ""
        found = find_designations(text, limit=MAX_PER_LINE)
        if not found:
            if keep_plain:
                rows.append(ListRow(item.line, text, dict(item.columns), NOT_DESIGNATION))
            continue
        for f in found:
            ref = check_reference(store, f.designation, f.text, f.start, f.end)
            row = ListRow(item.line, text, dict(item.columns), ref.verdict, text=f.text, start=f.start, end=f.end,
                          designation=f.designation.display, key=ref.key, found=ref.found, status=ref.status,
                          candidates=ref.candidates)
            dated = bool(f.designation.year or f.designation.supplement)
            # A dated reference is described by its own edition (none when it is not catalogued),
            # an undated one by the edition in force.
            record_key = (ref.key if ref.found else None) if dated else ref.current_key
            record = store.get(record_key) if record_key else None
            if record is not None:
                row.titles = dict(record.titles)
                row.dates = {"published": record.published or None, "in_force": record.in_force or None,
                             "withdrawn": record.withdrawn or None}
                row.replaced_by = [{"designation": r.target, "key": r.target_key, "titles": {}}
                                   for r in record.relations if r.type == "replaced_by"]
                row.adoptions = [{"target": r.target, "degree": r.degree}
                                 for r in record.relations if r.type == "adopts"]
                briefs_wanted.update(r["key"] for r in row.replaced_by)
            if ref.current_key:
                row.in_force = {"designation": ref.current, "key": ref.current_key, "titles": {}}
                briefs_wanted.add(ref.current_key)
            rows.append(row)
    briefs = store.fetch_briefs(briefs_wanted)
    for row in rows:
        if row.in_force and row.in_force["key"] in briefs:
            row.in_force["titles"] = briefs[row.in_force["key"]]["titles"]
        for target in row.replaced_by:
            if target["key"] in briefs:
                target["titles"] = briefs[target["key"]]["titles"]
                target["designation"] = briefs[target["key"]]["designation"]
    return ListCheck(name, kind, column, detected_by, checked_on or date.today().isoformat(),
                     describe_catalogue(store, catalogue_label), rows, truncated, list(headings or []))


def best_title(titles: dict[str, str], lang: str) -> str:
    """The title in ``lang``, else English, else Chinese, else any: the report's choice."""
    for choice in (lang, "en", "zh"):
        if titles.get(choice):
            return titles[choice]
    return next((t for t in titles.values() if t), "")


@dataclass
class TextLine:
    """A line of a text (numbered from 1), as a list line without other columns."""

    line: int
    text: str
    columns: dict[str, str] = field(default_factory=dict)


def lines_of_text(text: str, limit: int = 20_000) -> list[TextLine]:
    """The lines of a text that are not blank, numbered as in the text (a report of a text's references)."""
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            out.append(TextLine(number, " ".join(line.split())))
            if len(out) >= limit:
                break
    return out
