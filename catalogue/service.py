"""The catalogue as the edges use it: the store plus its derived search index.

Only the edges (``catalogue.cli`` and ``catalogue.web``) import this module: it is where the
store, ``index/`` and ``ingest/`` meet, so the core stays free of Whoosh.
"""
from __future__ import annotations

import fcntl
import logging
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable

from .errors import StoreError
from .store import Store, catalogue_home

log = logging.getLogger("catalogue")
INDEX_DIR = "index"
# Written when an index update fails after the store committed; the next open rebuilds.
DIRTY_MARK = "index.dirty"
# Also written before an ingest's first commit and removed when it ends with the index in step:
# a kill between a file's commit and its index update leaves it, so the next open rebuilds
# (a count check alone misses a file that only enriched records already there).
INGEST_MARK = "an ingest was in progress and may not have updated the index"
# Held (shared) by every running ingest; a free lock with the mark left means the ingest died.
INGEST_LOCK = "ingest.lock"


class Catalogue:
    """A store and its index under one home folder."""

    def __init__(self, home: str | os.PathLike | None = None, *, create: bool = False):
        self.home = catalogue_home(home)
        self.store = Store(self.home, create=create)
        self._index = None
        self._ingest_lock = None  # the open lock file while this object ingests
        self._own_mark = False  # the in-progress mark is this object's (not a dead run's)
        self._index_failed = False

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "Catalogue":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---------------------------------------------------------------- index
    @property
    def index(self):
        """The search index, opened on first use and rebuilt from the store if it is missing,
        cannot be opened, or does not hold the same records as the store."""
        if self._index is None:
            self._open_index()
        return self._index

    def _open_index(self) -> bool:
        """Open the index; answers True when it had to be rebuilt from the store."""
        from index import SearchIndex

        idx = SearchIndex(self.home / INDEX_DIR)
        rebuilt = False
        dirty = self.home / DIRTY_MARK
        # While another process ingests, its index updates trail its commits by design: search
        # the index as it is (a committed state) instead of rebuilding under the ingest's feet.
        other_ingest = self._ingest_lock is None and self._ingest_running()
        stale = not other_ingest and (self._dirty() or idx.count() != self.store.count())
        if stale or not idx.healthy():
            # A first index (new catalogue, or this run's own first file) is news, not a warning.
            if idx.count() == 0 and not self._dirty():
                log.info("building the search index at %s from the store", self.home / INDEX_DIR)
            else:
                log.warning("search index at %s is missing or out of date: rebuilding it from the store",
                            self.home / INDEX_DIR)
            idx.rebuild(self.store.iter_records(), self.extras_for_all())
            if self._ingest_lock is not None:
                # Mid-ingest the mark stays, now this run's own, until the run ends in step.
                dirty.write_text(INGEST_MARK, encoding="utf-8")
                self._own_mark = True
            elif not other_ingest:
                dirty.unlink(missing_ok=True)
            rebuilt = True
        self._index = idx
        return rebuilt

    def extras_for(self, keys: Iterable[str]) -> dict[str, dict]:
        """Index-only facts per key: whether it is the edition in force, and its systems."""
        out = {}
        works: dict[str, str | None] = {}
        for key in keys:
            found = self.store.describe(key)
            if found is None:
                continue
            work = found[0]
            if work not in works:
                works[work] = self.store.edition_in_force_key(work)
            out[key] = {"in_force": works[work] == key, "systems": self.systems_of(key)}
        return out

    def extras_for_all(self) -> dict[str, dict]:
        return self.extras_for(self.store.keys())

    def systems_of(self, key: str) -> list[str]:
        return self.store.list_system_ids_of(key)

    def update_index(self, keys: set[str]) -> None:
        """Bring the index in line with the store for ``keys`` (written, or deleted).

        The store is the truth: if the index cannot be updated, the store's commit stands, a
        mark is left so that the next open rebuilds the index, and the failure is logged.
        """
        try:
            self._update_index(keys)
        except Exception as exc:  # any index failure: keep the committed store, repair later
            self._index_failed = True
            try:
                (self.home / DIRTY_MARK).write_text(str(exc), encoding="utf-8")
            except OSError:  # a full disk: the ingest's own mark is already there and stays
                pass
            self._index = None
            log.error("search index update failed (%s); it will be rebuilt from the store on next use", exc)

    def _update_index(self, keys: set[str]) -> None:
        if self._index is None and self._open_index():
            return  # the rebuild read the store as committed, these keys included
        present = [k for k in keys if self.store.exists(k)]
        gone = [k for k in keys if not self.store.exists(k)]
        records = (self.store.get(k) for k in sorted(present))
        self.index.update(records, self.extras_for(present), delete_keys=gone)

    def reindex(self) -> int:
        from index import SearchIndex

        idx = self._index or SearchIndex(self.home / INDEX_DIR)
        n = idx.rebuild(self.store.iter_records(), self.extras_for_all())
        self._index = idx
        if not self._ingest_running():
            (self.home / DIRTY_MARK).unlink(missing_ok=True)
        return n

    # ---------------------------------------------------------------- ingest
    def ingest(self, paths: Iterable[Path], **kwargs):
        from ingest.pipeline import ingest_paths

        if kwargs.get("dry_run"):
            return ingest_paths(self.store, paths, **kwargs)
        with self._ingesting():
            return ingest_paths(self.store, paths, on_commit=self.update_index, **kwargs)

    @contextmanager
    def _ingesting(self):
        """Hold the ingest lock and the in-progress mark while an ingest writes."""
        lock = open(self.home / INGEST_LOCK, "a")
        fcntl.flock(lock, fcntl.LOCK_SH)
        self._ingest_lock, self._index_failed = lock, False
        mark = self.home / DIRTY_MARK
        if not mark.exists():
            try:
                mark.write_text(INGEST_MARK, encoding="utf-8")
            except OSError as exc:  # a full disk, or a folder we may not write in
                self._ingest_lock = None
                lock.close()
                raise StoreError(f"Cannot write in the catalogue folder {self.home} ({exc.strerror}); "
                                 "nothing was written.") from exc
            self._own_mark = True
        finished = False
        try:
            yield
            finished = True
        except Exception:
            # Errors raised by the pipeline come from a file's transaction, which rolled back;
            # the index was kept in step for the files before. An interrupt may have hit an
            # index update: then the mark stays.
            finished = True
            raise
        finally:
            own = self._own_mark
            self._ingest_lock, self._own_mark = None, False
            try:
                # Only the last ingest to finish clears the mark, and only a mark it wrote.
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                if own and finished and not self._index_failed and mark.read_text(encoding="utf-8") == INGEST_MARK:
                    mark.unlink()
            except OSError:  # another ingest still runs (it clears the mark), or the mark is gone
                pass
            lock.close()

    def _dirty(self) -> bool:
        """Whether the mark says the index may be behind the store: an index update failed, or
        an ingest died; this object's own in-progress mark does not count."""
        mark = self.home / DIRTY_MARK
        try:
            text = mark.read_text(encoding="utf-8")
        except OSError:
            return False
        return not (self._own_mark and text == INGEST_MARK)

    def _ingest_running(self) -> bool:
        """Whether some process holds the ingest lock now."""
        try:
            lock = open(self.home / INGEST_LOCK, "r")
        except OSError:
            return False
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        finally:
            lock.close()
        return False

    # ---------------------------------------------------------------- search
    def search(self, query: str, **kwargs):
        """Search the index (see index.SearchIndex.search); unknown filter names are refused."""
        from index import QueryError

        from .errors import UsageError

        try:
            return self.index.search(query, **kwargs)
        except QueryError as exc:
            raise UsageError(str(exc)) from exc
