"""SearchIndex: the one object the command line, the web app and the pipeline talk to.

It owns the index folder (generations, see :mod:`index.writer`), keeps one searcher and its
in-memory document table per process, refreshes them when the index changes on disk, and
recovers from a damaged or locked index: it logs a warning and reports ``needs_rebuild``, or
rebuilds at once from ``source`` (a callable returning the store's records) when given one.
"""
from __future__ import annotations

import gc
import logging
import threading
import warnings
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from catalogue.records import Standard

from .analyzers import configure_jieba
from .table import DocTable, touch_all
from .glossary import Glossary
from .search import SearchResult, check_arguments, run_search
from .storage import open_index
from .writer import (
    RecoveryNeeded,
    build_generation,
    check_format,
    current_generation,
    read_applied,
    read_pointer,
    remove_orphans,
    swap_in,
    write_applied,
    write_batch,
)

log = logging.getLogger(__name__)

#: What ``source`` returns: the records to index, their extras (systems, in_force) and, optionally,
#: the store generation they were read at.
Source = Callable[[], tuple]


class SearchIndex:
    """The full-text index of the catalogue at ``path`` (a folder; created when missing)."""

    def __init__(self, path: Path | str, source: Source | None = None, glossary: Glossary | None = None,
                 lock_timeout: float = 10.0, procs: int = 1, report: bool = True):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        configure_jieba(self.path)
        self.source = source
        self.glossary = glossary if glossary is not None else Glossary.load()
        self.lock_timeout = lock_timeout
        self.procs = procs
        #: Log a damaged index as a warning (False: the caller repairs it and says so itself, once).
        self.report = report
        self.needs_rebuild = False
        self.problem: str | None = None
        self._lock = threading.RLock()
        self._gen: Path | None = None
        self._ix = None
        self._searcher = None
        self._table: DocTable | None = None
        self._segments: dict = {}
        with self._lock:
            try:
                self._snapshot(recover=True)
            except RecoveryNeeded:
                pass  # logged; healthy() is False and searches raise until a rebuild

    # --- lifecycle ----------------------------------------------------------------------

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        self._searcher = None
        self._table = None

    def close(self) -> None:
        """Release the open searcher and index."""
        with self._lock:
            self._close_searcher()
            if self._ix is not None:
                self._ix.close()
            self._ix = None
            self._gen = None

    def _mark_broken(self, reason: str) -> None:
        """Remember what is wrong (``problem``: 'CURRENT names gen-1-2, which is not there');
        said once, not at every look, and only when no caller repairs it."""
        self.needs_rebuild = True
        if reason != self.problem and self.report:
            log.warning("%s", self.explain(reason))
        self.problem = reason
        self.close()

    def explain(self, reason: str | None = None) -> str:
        """The sentence for a damaged index: what is wrong and what repairs it."""
        return (f"The search index at {self.path}: {reason or self.problem}; "
                "it needs a rebuild from the store (`catalogue reindex`).")

    def _snapshot(self, recover: bool = False, attempts: int = 3):
        """The current (searcher, table), reopened when the index changed; call under the lock."""
        gen, pointer_problem = read_pointer(self.path)
        if gen is None and pointer_problem is None:  # a new index: an empty generation to start from
            folder, _ = build_generation(self.path, [], None)
            swap_in(self.path, folder)
            gen = folder
        if pointer_problem is not None:
            if attempts > 1 and read_pointer(self.path)[0] != gen:
                return self._snapshot(recover, attempts - 1)  # a rebuild swapped CURRENT meanwhile
            return self._broken(pointer_problem, recover)
        failure = None
        # Whoosh leaves a damaged TOC file open when it fails to read it (a ResourceWarning when
        # the exception is freed): the failure is reported below instead
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                if gen != self._gen or self._ix is None:
                    self.close()
                    self._segments = {}
                    check_format(gen)
                    self._ix = open_index(gen)
                    self._gen = gen
                if self._searcher is None or not self._searcher.up_to_date():
                    self._close_searcher()
                    searcher = self._ix.searcher()
                    self._searcher, self._table = searcher, DocTable(searcher, self._segments, gen)
                self.needs_rebuild = False
                self.problem = None
            except RecoveryNeeded as exc:  # no table of contents, another row format
                failure = str(exc)
            except Exception as exc:  # a damaged folder raises anything from EOFError to struct.error
                failure = f"{gen.name} cannot be opened ({type(exc).__name__}: {exc})"
            if failure is not None:
                # Whoosh also leaves open the files of a segment it could read only in part (a
                # postings file gone, the terms file open): free them here, where they are expected
                self.close()
                gc.collect()
        if failure is None:
            return self._searcher, self._table
        if attempts > 1 and current_generation(self.path) != gen:
            # a rebuild swapped in another generation (and pruned this one) while we opened it
            self.close()
            return self._snapshot(recover, attempts - 1)
        return self._broken(failure, recover)

    def _broken(self, problem: str, recover: bool):
        self._mark_broken(problem)
        if recover and self.source is not None:
            self._recover()
            return self._searcher, self._table
        raise RecoveryNeeded(self.explain())

    def _recover(self) -> None:
        log.warning("search index at %s: %s; rebuilding it from the store", self.path, self.problem)
        records, extras, *generation = self.source()
        self.rebuild(records, extras, generation[0] if generation else None)
        self._snapshot()

    def healthy(self) -> bool:
        """Whether the index opens and can be searched (False: rebuild it from the store)."""
        with self._lock:
            try:
                self._snapshot()
            except RecoveryNeeded:
                return False
            return not self.needs_rebuild

    # --- writing ------------------------------------------------------------------------

    def rebuild(self, records: Iterable[Standard], extras: dict | None = None, generation: int | None = None) -> int:
        """Build a fresh generation from ``records`` and swap it in; return the documents indexed.

        ``generation``: the store generation the records were read at (read it before them).
        Searches keep answering from the old generation while this runs; folders that killed
        builds left behind are removed first.
        """
        remove_orphans(self.path)
        folder, count = build_generation(self.path, records, extras, procs=self.procs, generation=generation)
        with self._lock:
            swap_in(self.path, folder)
            self.needs_rebuild = False
            self.problem = None
        return count

    def applied_generation(self) -> int | None:
        """The store generation the index in use reflects (None: unknown, rebuild it)."""
        return read_applied(current_generation(self.path))

    def mark_applied(self, generation: int) -> None:
        """Record that the index in use reflects ``generation`` (a replay that wrote nothing)."""
        gen = current_generation(self.path)
        if gen is None:
            raise RecoveryNeeded(self.explain(read_pointer(self.path)[1] or "it has no generation yet"))
        write_applied(gen, generation)

    def update(self, records: Iterable[Standard], extras: dict | None = None, delete_keys: Iterable[str] = (),
               generation: int | None = None) -> None:
        """Add or replace ``records`` and delete ``delete_keys`` in one commit.

        Keys repeated in the batch keep the last record. ``generation``: the store generation
        the batch brings the index to. A locked or damaged index raises RecoveryNeeded, or is
        rebuilt from ``source`` when the index has one.
        """
        gen = current_generation(self.path)
        try:
            if gen is None:
                raise RecoveryNeeded(read_pointer(self.path)[1] or "it has no generation yet")
            write_batch(gen, records, extras, list(delete_keys), self.lock_timeout, generation)
        except OSError:
            if current_generation(self.path) == gen:
                raise
            # a rebuild swapped in a new generation (and pruned this one) while we wrote: the
            # rebuild read the store, which already holds this batch
            log.warning("the search index was rebuilt during an update; the rebuild holds the records")
        except RecoveryNeeded as exc:
            with self._lock:
                self._mark_broken(str(exc))
                if self.source is None:
                    raise RecoveryNeeded(self.explain()) from exc
                self._recover()

    # --- reading ------------------------------------------------------------------------

    def _reading(self):
        try:
            return self._snapshot(recover=True)
        except RecoveryNeeded:
            raise

    def warm(self) -> None:
        """Do the once-per-process work now rather than in the first searches: open the document
        table, read its mapped arrays and the postings arrays once so that their pages are in
        memory, and make what searches make on first use. The benchmarks call it before they
        time; the web server does not (its workers' memory counts the mapped pages they read,
        and the first search of a worker pays some 10-30 ms). Searching needs no jieba: queries
        are cut by the index's own vocabulary (index.query.segment_by_index)."""
        with self._lock:
            searcher, table = self._reading()
            touch_all(table)
            # numpy imports numpy.ma at its first np.unique (14 ms), and the first browse page
            # counts every facet over the whole catalogue (its counts are then kept)
            np.unique(np.zeros(2, dtype=np.int64))
            run_search(searcher, table, self.glossary, "", {}, "relevance", 1, 20, True, "en")

    def keys(self) -> set[str]:
        """Every indexed key."""
        with self._lock:
            _, table = self._reading()
            return table.keys()

    def count(self) -> int:
        """The number of indexed records."""
        with self._lock:
            _, table = self._reading()
            return len(table.alive)

    def count_safely(self) -> int:
        """The number of indexed records, 0 when the index cannot be read."""
        try:
            return self.count()
        except RecoveryNeeded:
            return 0

    def search(self, query: str, filters: dict[str, list[str]] | None = None, sort: str = "relevance",
               page: int = 1, page_size: int = 20, facets: bool = True, lang: str = "en", group: str = "work",
               facts=None) -> SearchResult:
        """Search titles, scope and designations; see :mod:`index.search` for the ranking.

        ``group``: ``work`` (one hit per standard) or ``none`` (every edition). ``facts``: what
        decides whether a designation is held (the store; else this index, index/meaning.py).
        Raises QueryError for text over 500 characters, an unknown sort, filter or grouping, or
        a page size over 100; RecoveryNeeded when the index is damaged and there is no ``source``.
        """
        clean = check_arguments(query, filters, sort, page, page_size, group)
        with self._lock:
            searcher, table = self._reading()
            return run_search(searcher, table, self.glossary, query or "", clean, sort, page, page_size, facets, lang,
                              group=group, facts=facts)

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Designations, then titles, starting with ``prefix``: 'iso 52' -> ['ISO 5208:2015', ...]."""
        prefix = (prefix or "").strip()
        if not prefix or limit < 1:
            return []
        with self._lock:
            _, table = self._reading()
            return table.suggest(prefix, limit)
