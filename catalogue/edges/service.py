"""The catalogue as the edges use it: the store plus its derived search index.

It lives with the edges (``catalogue/edges/``), and only the edges (``catalogue.cli`` and
``catalogue.web``) import it: it is where the store, ``index/`` and ``ingest/`` meet, so the core
stays free of Whoosh and of the readers (tests/test_layers.py checks it).

Freshness has one answer (DESIGN.md): the store counts its write transactions (its
*generation*, with the keys each wrote, :meth:`Store.generation`), and the index records the
generation it reflects. In step means the two numbers are equal. Behind means: replay the keys
written since (:meth:`Catalogue.catch_up`), which is safe to repeat; the index is rebuilt only
when it cannot be opened, was written with another layout, knows no generation, is ahead of the
store (a store restored from a copy), or is so far behind that a rebuild is cheaper.
"""
from __future__ import annotations

import errno
import fcntl
import logging
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from catalogue.errors import IndexUnavailable, StoreError
from catalogue.store import Store, catalogue_home

log = logging.getLogger("catalogue")
INDEX_DIR = "index"
#: Held while the index is being brought in step (replayed or rebuilt): one process does it at
#: a time; the others wait (an ingest) or search the index as it is (a searcher).
CATCH_UP_LOCK = "catch-up.lock"
#: Beyond this many keys to replay (and a quarter of the catalogue), rebuilding is cheaper.
REPLAY_LIMIT = 20000
#: Records read and written per replay batch.
REPLAY_BATCH = 2000
#: How long an ingest waits for another process's catch-up before giving up on its own.
WAIT_SECONDS = 900.0


@dataclass
class CatchUp:
    """What :meth:`Catalogue.catch_up` did: ``in-step`` | ``replayed`` | ``rebuilt`` | ``busy`` |
    ``failed``, the generations before and after, and how many keys it replayed."""

    action: str
    before: int | None
    after: int | None
    keys: int = 0
    reason: str = ""


class Catalogue:
    """A store and its index under one home folder."""

    def __init__(self, home: str | os.PathLike | None = None, *, create: bool = False,
                 repair_in_background: bool = False):
        """``repair_in_background``: a search that finds the index damaged starts the rebuild in
        a thread and answers IndexUnavailable at once (a server: its other requests go on);
        otherwise it rebuilds, then answers (the command line)."""
        self.home = catalogue_home(home)
        self.store = Store(self.home, create=create)
        self.repair_in_background = repair_in_background
        self._index = None
        self._thread_lock = threading.RLock()
        self._warned: set[str] = set()
        self._background: threading.Thread | None = None
        self._swept = False
        self._missing = ""
        self.last_catch_up: CatchUp | None = None

    def close(self) -> None:
        # A background catch-up (catch_up_in_background) reads the store and writes the index: let
        # it finish first. Closing the SQLite connection while that thread is inside it crashes
        # the interpreter (a segmentation fault in _sqlite3, seen when a server closed right after
        # a register write started one).
        with self._thread_lock:
            background = self._background
        if background is not None and background is not threading.current_thread():
            background.join()
        self.store.close()
        if self._index is not None:
            self._index.close()

    def __enter__(self) -> "Catalogue":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---------------------------------------------------------------- generations
    def generations(self) -> tuple[int, int | None]:
        """(store generation, index generation): equal when the index is in step."""
        return self.store.generation(), self._open().applied_generation()

    def in_step(self) -> bool:
        store_gen, index_gen = self.generations()
        return store_gen == index_gen

    # ---------------------------------------------------------------- index
    def _open(self):
        """The SearchIndex object, opened (not caught up) on first use; a damaged index opens
        too (it reports ``healthy() == False`` and the catch-up rebuilds it)."""
        if self._index is None:
            with self._thread_lock:
                if self._index is None:
                    from index import open_search_index

                    from index.writer import POINTER

                    folder = self.home / INDEX_DIR
                    aside = self._set_aside_non_folder(folder)
                    # No index at all for a catalogue that holds something: said as a repair.
                    if aside is not None:
                        self._missing = f"a file stood where the index folder belongs (moved to {aside})"
                    elif not (folder / POINTER).exists() and self.store.generation() > 0:
                        self._missing = "it is missing"
                    try:
                        # The problems it finds are said once, by the catch-up that repairs them.
                        self._index = open_search_index(folder, report=False)
                    except OSError as exc:
                        raise IndexUnavailable(
                            f"The search index at {folder} cannot be opened or created ({exc}); the catalogue "
                            "itself is unharmed: make the folder writable, or remove it, and try again.") from exc
        return self._index

    @property
    def opened_index(self):
        """The search index if it is open already, else None (opens nothing, catches nothing up)."""
        return self._index

    def _set_aside_non_folder(self, folder: Path) -> Path | None:
        """Where the index folder belongs stands a file (or a dangling link): the index is
        derived, so it is renamed aside (never deleted) and a new index is built. Answers where
        it went, or None when the folder is a folder (or absent)."""
        if folder.is_dir() or not (folder.exists() or folder.is_symlink()):
            return None
        aside = folder.with_name(f"{folder.name}.not-a-folder-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            os.replace(folder, aside)
        except OSError as exc:
            raise IndexUnavailable(f"{folder} should be the search index folder but is a file, and it cannot be "
                                   f"moved aside ({exc}); move it away and try again.") from exc
        return aside

    @property
    def index(self):
        """The search index, brought in step with the store on first use (a searcher that finds
        another process catching up searches the index as it is, a committed state)."""
        first = self._index is None
        idx = self._open()
        if first:
            self.catch_up(wait=False)
        return idx

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

    @contextmanager
    def _catch_up_lock(self, wait: bool):
        """The cross-process catch-up lock (yields whether it was taken)."""
        folder = self.home / INDEX_DIR
        folder.mkdir(parents=True, exist_ok=True)
        with self._thread_lock:
            fp = open(folder / CATCH_UP_LOCK, "a")
            try:
                deadline = time.monotonic() + (WAIT_SECONDS if wait else 0.0)
                while True:
                    try:
                        fcntl.flock(fp, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except OSError as exc:
                        if exc.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() >= deadline:
                            yield False
                            return
                        time.sleep(0.05)
                try:
                    yield True
                finally:
                    fcntl.flock(fp, fcntl.LOCK_UN)
            finally:
                fp.close()

    def catch_up(self, wait: bool = True) -> CatchUp:
        """Bring the index in step with the store (see the module docstring); never raises for
        an index problem: the store is the truth, and a failure is logged and retried later."""
        try:
            idx = self._open()
            if not self._swept:  # the first look of a process sweeps what killed runs left
                with self._catch_up_lock(wait=False) as taken:
                    if taken:
                        self._sweep()
            target, applied = self.store.generation(), idx.applied_generation()
            if applied == target and idx.healthy():
                result = CatchUp("in-step", applied, applied)
            else:
                with self._catch_up_lock(wait) as taken:
                    result = self._catch_up_locked(idx) if taken else CatchUp("busy", applied, applied)
        except Exception as exc:  # any index failure: keep the committed store, repair later
            result = CatchUp("failed", None, None, reason=f"{type(exc).__name__}: {exc}")
            if result.reason not in self._warned:  # said once a process, retried at every use
                self._warned.add(result.reason)
                log.error("the search index could not be brought in step with the store (%s); "
                          "it is retried on next use", result.reason)
        self.last_catch_up = result
        return result

    def _sweep(self) -> None:
        """Once a process, under the catch-up lock: remove the generation folders and temporary
        files that killed runs left (index.writer.remove_orphans)."""
        if self._swept:
            return
        self._swept = True
        from index.writer import remove_orphans

        removed = remove_orphans(self.home / INDEX_DIR)
        if removed:
            log.info("search index: removed %d folders or files left by interrupted runs", len(removed))

    def _catch_up_locked(self, idx) -> CatchUp:
        self._sweep()
        target, applied = self.store.generation(), idx.applied_generation()
        healthy = idx.healthy()
        if healthy and applied == target:
            return CatchUp("in-step", applied, applied)
        reason = ""
        if not healthy:
            reason = idx.problem or "it cannot be opened"
        elif applied is None:
            reason = "it records no store generation (built before the write log, or never finished)"
            if self._missing:
                reason = self._missing
            elif idx.count_safely() == 0:  # a new catalogue's first index: news, not a repair
                self._rebuild(idx, reason, news=True)
                return CatchUp("rebuilt", applied, idx.applied_generation(), reason=reason)
        elif applied > target:
            reason = f"it is ahead of the store (generation {applied} > {target}: a store restored from a copy?)"
        else:
            backlog = self.store.count_keys_written_since(applied)
            if backlog > max(REPLAY_LIMIT, self.store.count() // 4):
                reason = f"{backlog:,} records changed since it was written; rebuilding is cheaper than replaying"
            else:
                keys = self.store.keys_written_since(applied)
                try:
                    self._replay(idx, keys, target)
                except OSError:
                    raise  # a full disk, a read-only folder: a rebuild would fail the same way
                except Exception as exc:  # Whoosh met a damaged file it reads while writing (a merge)
                    reason = f"writing into it failed ({type(exc).__name__}: {exc})"
                else:
                    if backlog:
                        log.info("search index caught up with the store: %d records replayed (generation %d -> %d)",
                                 len(keys), applied, target)
                    return CatchUp("replayed", applied, target, len(keys))
        self._rebuild(idx, reason)
        return CatchUp("rebuilt", applied, idx.applied_generation(), reason=reason)

    def _replay(self, idx, keys: list[str], target: int) -> None:
        """Write the records of ``keys`` as the store holds them now (deleting those it no longer
        holds), in batches; the last batch records ``target``."""
        if not keys:
            idx.mark_applied(target)
            return
        for start in range(0, len(keys), REPLAY_BATCH):
            batch = keys[start:start + REPLAY_BATCH]
            last = start + REPLAY_BATCH >= len(keys)
            records = [r for r in (self.store.get(k) for k in batch) if r is not None]
            present = {r.key for r in records}
            gone = [k for k in batch if k not in present]
            idx.update(records, self.extras_for(present), delete_keys=gone, generation=target if last else None)

    def _rebuild(self, idx, reason: str, news: bool = False) -> int:
        """Rebuild from the store; ``reason`` says why (logged once per process as a warning,
        or as news when the index is simply new)."""
        if not reason:
            pass  # asked for (reindex): nothing to warn about
        elif news:
            log.info("building the search index at %s from the store", self.home / INDEX_DIR)
        elif reason not in self._warned:
            self._warned.add(reason)
            log.warning("search index at %s: %s; rebuilding it from the store", self.home / INDEX_DIR, reason)
        generation = self.store.generation()  # before the records: they are at least this new
        return idx.rebuild(self.store.iter_records(), self.extras_for_all(), generation)

    def catch_up_in_background(self) -> None:
        """Start a catch-up in a daemon thread unless one runs (a server noticed a gap: the
        request goes on with the index as it is)."""
        with self._thread_lock:
            if self._background is not None and self._background.is_alive():
                return
            self._background = threading.Thread(target=self.catch_up, kwargs={"wait": False},
                                                name="index-catch-up", daemon=True)
            self._background.start()

    def reindex(self) -> int:
        """Rebuild the index from the store (then replay what was written meanwhile)."""
        idx = self._open()
        with self._catch_up_lock(wait=True) as taken:
            if not taken:
                raise StoreError(f"Another process is updating the search index at {self.home / INDEX_DIR}; "
                                 "try again when it has finished.")
            n = self._rebuild(idx, "")
        self.catch_up(wait=True)
        return n

    # ---------------------------------------------------------------- ingest
    def ingest(self, paths: Iterable[Path], **kwargs):
        """Ingest files; after each file's commit the index catches up with the store."""
        from ingest.pipeline import ingest_paths

        if kwargs.get("dry_run"):
            return ingest_paths(self.store, paths, **kwargs)
        try:
            self._open()  # sets aside a file where the folder belongs, notes a missing index
        except (IndexUnavailable, MemoryError):
            pass  # the index is derived: the files land, and each commit's catch-up says what is wrong, once
        return ingest_paths(self.store, paths, on_commit=self.update_index, **kwargs)

    def update_index(self, keys: set[str] | None = None) -> CatchUp:
        """After a commit: bring the index in step (the keys come from the write log, so
        ``keys`` is only a hint, kept for callers that name what they wrote)."""
        return self.catch_up(wait=True)

    # ---------------------------------------------------------------- search
    def search(self, query: str, **kwargs):
        """Search the index (see index.SearchIndex.search); unknown filter names are refused.

        Whether a designation in the query is held is decided by the store (the catalogue of
        record, as for ``/resolve`` and the reference checker: index/meaning.py); for one that
        is not, the answer carries what the store knows about it (catalogue/notheld.py).
        A damaged index is rebuilt from the store once, and the search runs again (or, with
        ``repair_in_background``, IndexUnavailable says the rebuild has started).
        """
        from index import QueryError

        from catalogue.errors import UsageError

        kwargs.setdefault("facts", self.store)
        try:
            result = self._asking_index(lambda idx: idx.search(query, **kwargs))
        except QueryError as exc:
            raise UsageError(str(exc)) from exc
        self.describe_not_held(result)
        return result

    def describe_not_held(self, result) -> None:
        """Fill a search result's ``related`` and ``lookups`` for the designations not held."""
        from catalogue.notheld import lookup_of, related_to

        for meaning in result.meanings:
            if meaning.kind != "not_held":
                continue
            asked = meaning.asked
            result.lookups[asked.display] = lookup_of(asked.display, asked.publisher, asked.doc_type)
            result.related.extend(related_to(self.store, asked.display, asked.key, asked.work, asked.publisher))

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Designations and titles starting with ``prefix`` (index.SearchIndex.suggest), repaired as for search."""
        return self._asking_index(lambda idx: idx.suggest(prefix, limit=limit))

    def _asking_index(self, ask):
        from index import RecoveryNeeded

        idx = self.index
        try:
            return ask(idx)
        except RecoveryNeeded as exc:
            if self.repair_in_background:
                self.catch_up_in_background()
                raise IndexUnavailable("The search index is being rebuilt from the store; "
                                       "try again in a minute.") from exc
            result = self.catch_up(wait=True)
        try:
            return ask(idx)
        except RecoveryNeeded as exc:
            why = f": {result.reason}" if result.action == "failed" else ""
            raise IndexUnavailable(f"{exc} It could not be rebuilt now{why}.") from exc
