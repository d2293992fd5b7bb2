"""The catalogue as the edges use it: the store plus its derived search index.

Only the edges (``catalogue.cli`` and ``catalogue.web``) import this module: it is where the
store, ``index/`` and ``ingest/`` meet, so the core stays free of Whoosh.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Iterable

from .store import Store, catalogue_home

log = logging.getLogger("catalogue")
INDEX_DIR = "index"
# Written when an index update fails after the store committed; the next open rebuilds.
DIRTY_MARK = "index.dirty"


class Catalogue:
    """A store and its index under one home folder."""

    def __init__(self, home: str | os.PathLike | None = None, *, create: bool = False):
        self.home = catalogue_home(home)
        self.store = Store(self.home, create=create)
        self._index = None

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
        if dirty.exists() or not idx.healthy() or idx.count() != self.store.count():
            if idx.count() == 0 and not dirty.exists():
                log.info("building the search index at %s from the store", self.home / INDEX_DIR)
            else:
                log.warning("search index at %s is missing or out of date: rebuilding it from the store",
                            self.home / INDEX_DIR)
            idx.rebuild(self.store.iter_records(), self.extras_for_all())
            dirty.unlink(missing_ok=True)
            rebuilt = True
        self._index = idx
        return rebuilt

    def extras_for(self, keys: Iterable[str]) -> dict[str, dict]:
        """Index-only facts per key: whether it is the edition in force, and its systems."""
        out = {}
        works: dict[str, str | None] = {}
        for key in keys:
            rec_work = self.store.db.execute("SELECT work FROM standards WHERE key = ?", (key,)).fetchone()
            if rec_work is None:
                continue
            work = rec_work[0]
            if work not in works:
                works[work] = self.store.edition_in_force_key(work)
            out[key] = {"in_force": works[work] == key, "systems": self.systems_of(key)}
        return out

    def extras_for_all(self) -> dict[str, dict]:
        return self.extras_for(self.store.keys())

    def systems_of(self, key: str) -> list[str]:
        try:
            rows = self.store.db.execute(
                "SELECT DISTINCT system_id FROM system_members WHERE member_key = ?", (key,)
            ).fetchall()
        except Exception:  # systems arrive with a later migration; no table means no systems
            return []
        return [r[0] for r in rows]

    def update_index(self, keys: set[str]) -> None:
        """Bring the index in line with the store for ``keys`` (written, or deleted).

        The store is the truth: if the index cannot be updated, the store's commit stands, a
        mark is left so that the next open rebuilds the index, and the failure is logged.
        """
        try:
            self._update_index(keys)
        except Exception as exc:  # any index failure: keep the committed store, repair later
            (self.home / DIRTY_MARK).write_text(str(exc), encoding="utf-8")
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
        return n

    # ---------------------------------------------------------------- ingest
    def ingest(self, paths: Iterable[Path], **kwargs):
        from ingest.pipeline import ingest_paths

        return ingest_paths(self.store, paths, on_commit=self.update_index, **kwargs)

    # ---------------------------------------------------------------- search
    def search(self, query: str, **kwargs):
        """Search the index (see index.SearchIndex.search); unknown filter names are refused."""
        from index import QueryError

        from .errors import UsageError

        try:
            return self.index.search(query, **kwargs)
        except QueryError as exc:
            raise UsageError(str(exc)) from exc
