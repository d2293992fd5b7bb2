"""read -> validate -> merge into the store -> (after commit) update the index -> report.

All-or-nothing per file: a file's good records land in one transaction, its bad records are
reported, and a run stopped at any moment leaves the catalogue as it was before the file in
progress (SQLite rolls back an unfinished transaction, even after kill -9). ``strict`` makes
the whole run one transaction that the first problem stops.
"""
from __future__ import annotations

import os
import re
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from catalogue.designation import DesignationError, parse_designation, try_parse
from catalogue.errors import CatalogueError, StoreBusy, StoreError, UsageError
from catalogue.i18n import choose_language, gettext
from catalogue.records import STATUSES, ClassNode, Committee, Problem, Reading, Standard
from catalogue.store import Store, is_busy, now_iso

from .detect import plan_inputs
from .files import name_is_utf8, refusal, shown_name
from .progress import NoProgress, Progress

#: The biggest single file a whole-file reader is given (the largest real source file is 16 MB).
MAX_FILE_BYTES = 64 * 1024 * 1024
#: How long an ingest waits for another process writing the catalogue (another ingest's file,
#: a web request), in seconds; ``CATALOGUE_INGEST_WAIT`` overrides. A file of the real ISO
#: archive is one transaction of a few minutes.
INGEST_WAIT = float(os.environ.get("CATALOGUE_INGEST_WAIT") or 900)
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_SLUG = re.compile(r"[^a-z0-9.]+")


class StrictStop(CatalogueError):
    """--strict: the first problem stops the run and nothing is written."""

    exit_code = 1


class _FileRejected(Exception):
    """A reader said the file cannot land whole (``Reading.rejects_file``): its transaction is undone."""

    def __init__(self, fr: "FileReport") -> None:
        super().__init__(fr.file)
        self.fr = fr


@dataclass
class FileReport:
    file: str
    format: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0  # records that are not standards, or variants merged into their base
    other: int = 0  # classification nodes, committees, systems ...


@dataclass
class IngestReport:
    """Counts and every problem as ``file:line: field: reason`` (DESIGN.md ``ingest --json``).

    ``warnings`` are what a reader did not understand in records that still landed (same shape as
    problems); ``skips`` are records left out on purpose (not standards), counted in ``skipped``.
    """

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    skips: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    files: list[FileReport] = field(default_factory=list)
    dry_run: bool = False
    changed_keys: set[str] = field(default_factory=set)
    timings: dict[str, float] = field(default_factory=dict)
    unreadable: int = 0  # files no reader could take

    def to_json(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "skipped": self.skipped,
            "problems": [_as_json(p) for p in self.problems],
            "warnings": [_as_json(p) for p in self.warnings],
            "skips": [_as_json(p) for p in self.skips],
            "seconds": round(self.seconds, 3),
        }

    def skip_reasons(self) -> list[tuple[str, int]]:
        """Each reason for skipping with how many records it left out, most first."""
        counts: dict[str, int] = {}
        for p in self.skips:
            counts[p.reason] = counts.get(p.reason, 0) + 1
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def summary(self) -> str:
        return (f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, "
                f"rejected {self.rejected}, skipped {self.skipped}, warnings {len(self.warnings)}"
                + (" (dry run: nothing written)" if self.dry_run else ""))


def _as_json(p: Problem) -> dict:
    return {"file": p.file, "line": p.line, "field": p.field, "reason": p.reason}


def slug_key(text: str) -> str:
    """A stand-in key for a relation target the grammar cannot parse ('Directive 2006/42/EC')."""
    return _SLUG.sub("-", text.lower()).strip("-")


def complete_record(rec: Standard) -> Problem | None:
    """Fill key, work and the designation's parts from the grammar; check status and dates.

    Answers a Problem (with file and line left for the caller) when the record cannot land.
    """
    try:
        d = parse_designation(rec.designation)
    except DesignationError as exc:
        return Problem("", None, "designation", str(exc))
    rec.designation = d.display
    rec.key, rec.work = d.key, d.work
    if rec.status == "draft" and not d.year and not d.supplement and d.key == d.work:
        # ISO lists the next edition in preparation as "ISO 12870", undated: keyed like the work it
        # would shadow (/standards/iso-12870 must lead to the edition in force), so it gets its own.
        rec.key = f"{d.key}-draft"
    rec.publisher = d.publisher
    rec.doc_type, rec.number, rec.part, rec.year, rec.supplement = d.type, d.number, d.part, d.year, d.supplement
    if rec.status and rec.status not in STATUSES:
        return Problem("", None, "status", f"unknown status '{rec.status}'; use one of: {', '.join(STATUSES)}")
    for name in ("published", "in_force", "withdrawn"):
        value = getattr(rec, name)
        if value and not _DATE.match(value):
            return Problem("", None, name, f"'{value}' is not a date (YYYY-MM-DD)")
    kind = supplement_kind(d)
    if kind:
        base = base_of(d)
        if base is not None:
            rec.add_relation(kind, base.display)
    for rel in rec.relations:
        if not rel.target_key:
            target = try_parse(rel.target)
            rel.target_key = target.key if target else slug_key(rel.target)
            if target:
                rel.target = target.display
    # A record never relates to itself (some sources list the edition among its own predecessors).
    rec.relations = [r for r in rec.relations if r.target_key != rec.key]
    return None


_SUPPLEMENT_KIND = re.compile(r"^(?:(Amd|Add|A)\s?\d*|(Cor|AC)\s?\d*)(?::\d{4})?$", re.IGNORECASE)


def supplement_kind(d) -> str | None:
    """'amends' or 'corrects' for a true supplement; None for IEC consolidated or redline
    versions, which the grammar also keeps in ``supplement`` so that their keys differ (ASTM
    revision letters and reapprovals name editions: the grammar leaves their supplement empty)."""
    if not d.supplement:
        return None
    last = re.split(r"[/+]", d.supplement.strip())[-1].strip()
    m = _SUPPLEMENT_KIND.match(last)
    if not m:
        return None
    return "corrects" if m.group(2) else "amends"


def base_of(d) -> object | None:
    """The edition a supplement belongs to: 'ISO 5208:2015/Amd 1:2020' -> ISO 5208:2015,
    'IEC 60947-2:2016/AMD1:2019' -> IEC 60947-2:2016."""
    display = d.display
    for i, ch in enumerate(display):
        if ch in "/+" and any(c.isdigit() for c in display[:i]):
            cand = try_parse(display[:i])
            if cand is not None and not cand.supplement and cand.number == d.number:
                return cand
    return None


def ingest_paths(
    store: Store,
    paths: Iterable[Path],
    fmt: str | None = None,
    dry_run: bool = False,
    strict: bool = False,
    progress: Progress | None = None,
    on_commit: Callable[[set[str]], None] | None = None,
    source_prefix: str = "",
    encoding: str | None = None,
) -> IngestReport:
    """Ingest files (or folders/archives a reader accepts) into ``store``; see the module docstring.

    ``on_commit`` receives the keys written by each committed file (and the other editions
    of their works), for the caller to update the search index.
    """
    progress = progress or NoProgress()
    report = IngestReport(dry_run=dry_run)
    started = time.monotonic()
    paths = [Path(p) for p in paths]
    for p in paths:
        if not p.exists():
            if os.path.lexists(p):  # a link that loops or points nowhere
                raise UsageError(f"{shown_name(str(p))}: {refusal(p)}")
            raise UsageError(f"{shown_name(str(p))}: no such file or folder.")
    modules = []
    for planned in plan_inputs(paths, fmt):
        if planned.reader is not None:
            modules.append((planned.path, planned.reader))
            continue
        if strict:
            raise UsageError(planned.error)
        # One unreadable file must not stop the others: it is reported like a bad record.
        p = planned.path
        report.problems.append(Problem(shown_name(str(p)), None, None, shown_name(planned.error.removeprefix(f"{p}: "))))
        report.rejected += 1
        report.unreadable += 1
    if encoding:
        for path, module in modules:
            if not module.takes_encoding:
                raise UsageError(f"--encoding applies to text files a reader decodes itself; "
                                 f"the {module.name} reader of {path} decides its encoding from the file.")
    store.write_wait = INGEST_WAIT
    if strict and not dry_run:
        with _landing(store, "this run"):
            for path, module in modules:
                _ingest_file(store, path, module, report, progress, dry_run, strict, source_prefix, encoding)
        if on_commit:
            on_commit(set(report.changed_keys))
    else:
        for path, module in modules:
            if dry_run:
                try:
                    _ingest_file(store, path, module, report, progress, dry_run, strict, source_prefix, encoding)
                except _FileRejected as stop:
                    _nothing_landed(stop.fr, progress)
                continue
            try:
                with _landing(store, shown_name(str(path))):
                    fresh = _ingest_file(store, path, module, report, progress, dry_run, strict, source_prefix, encoding)
            except _FileRejected as stop:
                # Rolled back: the file lands whole or not at all (its problem says why not).
                _nothing_landed(stop.fr, progress)
                continue
            if on_commit:
                # After every committed file, whatever it wrote (records, trees, systems): the
                # index follows the store's write log, so it catches up with this commit now.
                t0 = time.monotonic()
                on_commit(fresh)
                report.timings["index"] = report.timings.get("index", 0.0) + time.monotonic() - t0
    report.seconds = time.monotonic() - started
    return report


def oversize_reason(path: Path, module) -> str | None:
    """Why a file is too big for its reader, or None: 'the file is 200 MB; ...'.

    Most readers hold a whole file in memory (and BeautifulSoup or lxml several times over: a
    200 MB page peaked at 1 GB), so a file over MAX_FILE_BYTES is refused before it is opened.
    Readers that bound themselves (line by line, member by member, or with their own cap) say
    so in the registry (``bounded=True``).
    """
    if module.bounded or not path.is_file():
        return None
    size = path.stat().st_size
    if size <= MAX_FILE_BYTES:
        return None
    return (f"the file is {size / 1048576:,.0f} MB; the {module.name} reader reads at most "
            f"{MAX_FILE_BYTES // 1048576} MB from one file: split it into smaller files.")


def _nothing_landed(fr: FileReport, progress: Progress) -> None:
    """A file whose transaction was undone: none of its records count as landed."""
    fr.added = fr.updated = fr.unchanged = fr.other = 0
    progress.done(gettext("(nothing of it was written)", choose_language()))


@contextmanager
def _landing(store: Store, what: str):
    """One transaction for ``what`` (a file, or the whole --strict run); a write the disk
    refuses rolls it back and becomes one sentence, never a traceback; so does a write lock
    another process holds longer than the store waits (``INGEST_WAIT``) is StoreBusy."""
    try:
        with store.transaction():
            yield
    except StoreBusy as exc:
        raise StoreBusy(exc.path, exc.waited, what) from exc
    except MemoryError as exc:  # the transaction rolled back: the catalogue is as it was
        raise StoreError(f"the catalogue ran out of memory while reading or writing {what}; "
                         "nothing of it was written.") from exc
    except sqlite3.Error as exc:
        if is_busy(exc):  # a lock met mid-way (SQLite's own wait ran out): not a failing disk
            raise StoreBusy(store.path, store.write_wait, what) from exc
        if "full" in str(exc):  # SQLITE_FULL: "database or disk is full"
            reason = f"the disk holding the catalogue {store.path} is full ({exc})"
        else:  # e.g. "disk I/O error" when a write fails with EFBIG or EIO
            reason = f"the catalogue {store.path} could not be written ({exc})"
        raise StoreError(f"{reason}; nothing of {what} was written.") from exc


def _ingest_file(store, path, module, report, progress, dry_run, strict, source_prefix, encoding) -> set[str]:
    """Read one file and merge its records (inside the caller's transaction); answers the keys
    it wrote, with the other editions of their works, for the index update."""
    name = shown_name(str(path))
    file_source = f"{source_prefix}{module.name}:{shown_name(path.name)}"
    at = now_iso()
    fr = FileReport(name, module.name)
    report.files.append(fr)
    progress.begin(shown_name(path.name))
    if not name_is_utf8(str(path)):
        report.warnings.append(Problem(name, None, None, "the file name is not UTF-8: it is shown here, and in the "
                                       "provenance of its records, with \\xNN for each byte that is not."))
    works: set[str] = set()
    keys: set[str] = set()
    seen: dict[str, int] = {}
    t_read = t_store = 0.0
    t0 = time.monotonic()
    oversize = oversize_reason(path, module)
    if oversize:
        readings = iter([Reading(problem=Problem(name, None, None, oversize))])
    else:
        readings = module.read(path, encoding=encoding)
    for reading in readings:
        t1 = time.monotonic()
        t_read += t1 - t0
        progress.step()
        if reading.problem is not None:
            _reject(report, fr, reading.problem, strict)
            if reading.rejects_file:
                raise _FileRejected(fr)
            t0 = time.monotonic()
            continue
        item = reading.item
        # Named like the readers' own problems (docs/ingest.md): the path as given, '!member' inside.
        where = f"{name}!{shown_name(reading.source)}" if reading.source else name
        if reading.skipped is not None:
            skip = reading.skipped
            skip.file, skip.line = shown_name(skip.file) if skip.file else where, skip.line if skip.line is not None else reading.line
            report.skips.append(skip)
            report.skipped += 1
            fr.skipped += 1
            t0 = time.monotonic()
            continue
        for warning in reading.warnings:
            warning.file = shown_name(warning.file) if warning.file else where
            report.warnings.append(warning)
        if isinstance(item, Standard):
            problem = complete_record(item)
            # A record's own source (a research line's page) names its provenance, else the file.
            source = shown_name(item.source) if item.source else file_source
            if problem is not None:
                problem.file, problem.line = where, reading.line
                _reject(report, fr, problem, strict)
            elif dry_run:
                fr.added += 1
            else:
                if item.key in seen:
                    # The same edition twice in one file: the later record enriches the earlier.
                    pass
                seen[item.key] = reading.line or 0
                outcome = store.merge(item, source, at)
                setattr(fr, outcome.action, getattr(fr, outcome.action) + 1)
                if outcome.action != "unchanged":
                    keys.add(item.key)
                    works.add(item.work)
                    for rel in item.relations:
                        keys.add(rel.target_key)
        elif isinstance(item, ClassNode):
            fr.other += 1
            if not dry_run:
                store.put_class_node(item)
        elif isinstance(item, Committee):
            fr.other += 1
            if not dry_run:
                store.put_committee(item)
        elif hasattr(item, "store_into"):
            # Systems, schemes and register files know how to write themselves (catalogue.systems,
            # catalogue.register_batch). A register file first drops what the catalogue refutes (an
            # unknown scheme ...), a problem each: check_in only reads, so a dry run reports them too.
            if hasattr(item, "check_in"):
                for problem in item.check_in(store):
                    problem.file = problem.file or where
                    _reject(report, fr, problem, strict)
            fr.other += getattr(item, "item_count", 1)
            if not dry_run:
                keys.update(item.store_into(store, file_source, at))
        else:
            _reject(report, fr, Problem(where, reading.line, None, f"reader gave an unknown item {type(item).__name__}"), strict)
        t0 = time.monotonic()
        t_store += t0 - t1
    if works and not dry_run:
        t1 = time.monotonic()
        keys.update(store.settle_works(works, at))
        for work in works:
            keys.update(e["key"] for e in store._editions_rows(work))
        t_store += time.monotonic() - t1
    report.timings["read"] = report.timings.get("read", 0.0) + t_read
    report.timings["store"] = report.timings.get("store", 0.0) + t_store
    report.added += fr.added
    report.updated += fr.updated
    report.unchanged += fr.unchanged
    written = {k for k in keys if k}
    if written and not dry_run:
        # The review rule (catalogue.register.review_reasons) for the results that compared against
        # an edition this file changed, inside the file's transaction: one indexed lookup per 500 keys.
        store.flag_results_for_review(written, at)
    report.changed_keys |= written
    lang = choose_language()
    other = gettext(", {n} other items (trees, committees, systems, schemes)", lang, n=fr.other) if fr.other else ""
    counts = gettext("added {added}, updated {updated}, unchanged {unchanged}, rejected {rejected}", lang,
                     added=fr.added, updated=fr.updated, unchanged=fr.unchanged, rejected=fr.rejected)
    if fr.skipped:
        counts += gettext(", skipped {n}", lang, n=fr.skipped)
    progress.done(f"({counts}{other})")
    return written


def _reject(report: IngestReport, fr: FileReport, problem: Problem, strict: bool) -> None:
    problem.file = shown_name(problem.file)
    report.problems.append(problem)
    report.rejected += 1
    fr.rejected += 1
    if strict:
        raise StrictStop(f"--strict: stopped at the first problem, nothing was written: {problem}")
