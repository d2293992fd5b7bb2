"""Index folders on disk: generations, the atomic swap, batch updates.

The index folder holds one Whoosh index per generation (``gen-<time>-<pid>``) and a file
``CURRENT`` naming the one in use. ``rebuild`` fills a fresh generation, then replaces
``CURRENT`` with ``os.replace`` (a rename, atomic on POSIX), so a searcher sees the old index
or the new one, never a half-built one. The generation before stays on disk until the next
rebuild, for searchers in other processes that still hold it open.

What reaches the disk, and when (docs/durability.md): every file Whoosh writes is fsynced as it
is closed (:class:`DurableStorage`), so a table of contents is renamed into place only over
segment files that are on the disk; after each commit the whole folder is synced
(:func:`sync_folder`: every file, then the folder itself) before ``applied`` records the
generation, and ``applied`` and ``CURRENT`` are replaced through a synced temporary file and a
synced folder. So a power cut leaves a folder that holds at least what its ``applied`` claims:
the index can only be behind (replayed), never silently short.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import time
from pathlib import Path
from typing import Iterable

from whoosh.index import LockError

from catalogue.records import Standard

from .storage import MappedFileStorage, open_index
from .schema import build_schema, make_document

log = logging.getLogger(__name__)

POINTER = "CURRENT"
#: In each generation folder: the store generation whose writes the folder holds (see
#: :func:`write_applied`); a folder without it is from before the write log and is rebuilt.
APPLIED = "applied"
#: The layout of the stored row (schema.make_document); a generation written with another
#: layout is rebuilt rather than misread.
#: 3: the facets tuple gained level and industry; 4: side files and tables, no compound segments,
#: title_char field, rows carry their group and kind; 5: both lines of work together.
ROW_FORMAT = "5"
FORMAT_FILE = "row-format"
#: Records per writer memory flush when building (Whoosh's ``limitmb``).
BUILD_LIMIT_MB = 256
#: Whoosh's compound segment files are read by copying each part (postings, term index) into a
#: BytesIO in every process that opens them (118 MB of the real catalogue per process, measured);
#: separate files are read on demand from the page cache instead.
COMPOUND = False


#: What a generation folder is called (``gen-<time_ns>-<pid>``); CURRENT names nothing else.
GEN_NAME = re.compile(r"gen-[0-9]+-[0-9]+")


class RecoveryNeeded(RuntimeError):
    """The index cannot be used as it is: rebuild it from the store (``catalogue reindex``)."""


def read_pointer(root: Path) -> tuple[Path | None, str | None]:
    """(the generation folder ``CURRENT`` names, what is wrong with it): (None, None) when
    there is no index yet; a problem when CURRENT is empty, names no generation folder of ours
    (damaged bytes, a path) or names one that is not there. Never raises for a damaged file."""
    pointer = root / POINTER
    try:
        raw = pointer.read_bytes()
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"{POINTER} cannot be read ({exc})"
    name = raw.decode("ascii", errors="replace").strip()
    if not name:
        return None, f"{POINTER} is empty"
    if not GEN_NAME.fullmatch(name):
        return None, f"{POINTER} holds {name[:60]!r}, which is not the name of a generation folder"
    folder = root / name
    if not folder.is_dir():
        return folder, f"{POINTER} names {name}, which is not there"
    return folder, None


def current_generation(root: Path) -> Path | None:
    """The generation folder that ``CURRENT`` names, or None when there is none yet (or
    CURRENT names nothing usable: see :func:`read_pointer`)."""
    return read_pointer(root)[0]


def read_applied(folder: Path | None) -> int | None:
    """The store generation a generation folder reflects, or None (unknown: rebuild it)."""
    if folder is None:
        return None
    try:
        return int((folder / APPLIED).read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


class DurableStorage(MappedFileStorage):
    """Whoosh's file storage (files read through memory maps, index/storage.py), with every file
    it writes fsynced as it is closed: Whoosh renames a new table of contents into place right
    after writing it, and without this the name could reach the disk before the segment files
    it lists (a power cut would then leave an index that cannot be opened, rebuilt from the
    store instead of merely replayed)."""

    def create_file(self, name, excl=False, mode="wb", **kwargs):
        given = kwargs.pop("onclose", None)

        def synced(structfile):
            raw = structfile.file
            if hasattr(raw, "flush"):
                raw.flush()
            if hasattr(raw, "fileno"):
                os.fsync(raw.fileno())
            if given is not None:
                given(structfile)

        return super().create_file(name, excl=excl, mode=mode, onclose=synced, **kwargs)


def fsync_folder(folder: Path) -> None:
    """Make the folder's entries (files created, renamed, removed in it) durable."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_folder(folder: Path) -> None:
    """fsync the files of ``folder`` written since it was last synced (newer than its ``applied``;
    all of them when it has none), then the folder: what it holds now survives a power cut."""
    try:
        since = (folder / APPLIED).stat().st_mtime_ns
    except OSError:
        since = -1
    with os.scandir(folder) as entries:
        files = [e.path for e in entries if e.is_file(follow_symlinks=False)
                 and e.stat(follow_symlinks=False).st_mtime_ns >= since]
    for path in files:
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:  # a searcher's stale table file, removed meanwhile
            continue
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    fsync_folder(folder)


def replace_durably(path: Path, text: str) -> None:
    """Replace the small file ``path`` with ``text`` atomically and durably: a synced temporary
    file, a rename, a synced folder (``applied``, ``CURRENT``)."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="ascii") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    fsync_folder(path.parent)


def write_applied(folder: Path, generation: int) -> None:
    """Record, after a commit, that ``folder`` holds every write up to ``generation``.

    The folder is synced first (:func:`sync_folder`), so the number never claims writes the disk
    could still lose; then it is replaced through a temporary name (atomic). A crash between
    the commit and this leaves the older number, and the next catch-up replays those keys
    again, which is harmless (replaying a key writes the record as the store holds it).
    """
    sync_folder(folder)
    replace_durably(folder / APPLIED, f"{generation}\n")


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_orphans(root: Path) -> list[str]:
    """Remove what killed runs left behind: generation folders that are neither the one in use
    nor the one before it and are not being built by a live process, and temporary pointer
    files (``CURRENT.<pid>.tmp``, ``applied.<pid>.tmp``) of dead processes. Answers the names removed."""
    current = current_generation(root)
    removed = []
    try:
        entries = list(root.iterdir())
    except OSError:
        return removed
    kept_names = sorted(e.name for e in entries if e.is_dir() and GEN_NAME.fullmatch(e.name))
    # the newest folder older than the current one may still be open in another process
    previous = max((n for n in kept_names if current is not None and n < current.name), default=None)
    for entry in entries:
        name = entry.name
        if name.endswith(".tmp") and entry.is_file() and not _pid_alive(_pid_of_tmp(name)):
            _remove_quietly(entry)
            removed.append(name)
            continue
        if not (entry.is_dir() and GEN_NAME.fullmatch(name)) or (current is not None and name == current.name):
            continue
        if name == previous:
            continue
        pid = _pid_of(name, -1)
        if pid > 0 and _pid_alive(pid) and (current is None or name > current.name):
            continue  # a build in progress
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(name)
    if current is not None and current.is_dir():
        removed += [f"{current.name}/{name}" for name in remove_temporaries(current)]
    return removed


#: What a Whoosh writer leaves when it is killed: its temporary storage, a table of contents
#: not yet renamed into place ('_MAIN_2.toc.1796208369.2019346').
_WHOOSH_TEMPORARY = re.compile(r"MAIN\.tmp|_MAIN_[0-9]+\.toc\.[0-9.]+")


def remove_temporaries(folder: Path) -> list[str]:
    """Remove from a generation folder the temporary files of dead processes ('applied.<pid>.tmp',
    'side-X.rows.<pid>.<thread>.tmp') and what a killed Whoosh writer left. Call it only while
    holding the catch-up lock: no index writer of ours runs then (searchers may write table files,
    but they are alive)."""
    removed = []
    for entry in folder.iterdir():
        name = entry.name
        if _WHOOSH_TEMPORARY.fullmatch(name):
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                _remove_quietly(entry)
            removed.append(name)
        elif name.endswith(".tmp") and entry.is_file() and not _pid_alive(_pid_of_tmp(name)):
            _remove_quietly(entry)
            removed.append(name)
    return removed


def _pid_of(name: str, position: int) -> int:
    """The process id in 'gen-<time>-<pid>' (position -1); 0 if none."""
    try:
        return int(name.replace(".", "-").split("-")[position])
    except (IndexError, ValueError):
        return 0


def _pid_of_tmp(name: str) -> int:
    """The process id in a temporary name: 'CURRENT.<pid>.tmp', 'side-X.rows.<pid>.<thread>.tmp'; 0 if none."""
    numbers = [part for part in name.split(".")[1:-1] if part.isdigit()]
    return int(numbers[0]) if numbers else 0


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _new_generation(root: Path) -> Path:
    folder = root / f"gen-{time.time_ns()}-{os.getpid()}"
    folder.mkdir(parents=True)
    return folder


def dedupe(records: Iterable[Standard], extras: dict | None) -> list[dict]:
    """Documents for a batch, one per key (the last record given wins).

    Whoosh's ``update_document`` does not replace a document added earlier in the same
    writer (NOTES.md): both would stay.
    """
    extras = extras or {}
    by_key: dict[str, dict] = {}
    for record in records:
        if not record.key:
            log.warning("not indexed: %s has no key", record.designation)
            continue
        by_key[record.key] = make_document(record, extras.get(record.key))
    return list(by_key.values())


def build_generation(root: Path, records: Iterable[Standard], extras: dict | None = None,
                     procs: int = 1, generation: int | None = None) -> tuple[Path, int]:
    """Write every record into a fresh generation folder; return it and the document count.

    ``generation``: the store generation the records were read at (recorded in the folder).
    """
    folder = _new_generation(root)
    ix = DurableStorage(str(folder)).create_index(build_schema())
    docs = dedupe(records, extras)
    kwargs = {"limitmb": BUILD_LIMIT_MB, "compound": COMPOUND}
    if procs > 1 and len(docs) > 20000:
        kwargs.update(procs=procs, multisegment=True)
    writer = ix.writer(**kwargs)
    try:
        for doc in docs:
            writer.add_document(**doc)
        writer.commit()
    except BaseException:
        writer.cancel()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    ix.close()
    (folder / FORMAT_FILE).write_text(ROW_FORMAT, encoding="ascii")
    derive_tables(folder)
    if generation is not None:
        write_applied(folder, generation)  # syncs the folder first
    else:
        sync_folder(folder)  # CURRENT must never name a folder the disk holds only in part
    return folder, len(docs)


def check_format(folder: Path) -> None:
    """Raise RecoveryNeeded when a generation holds no index or was written with another row layout."""
    if not any(folder.glob("_MAIN_*.toc")):
        raise RecoveryNeeded(f"{folder.name} holds no index (no table of contents _MAIN_*.toc)")
    try:
        found = (folder / FORMAT_FILE).read_text(encoding="ascii", errors="replace").strip() or "none"
    except OSError:
        found = "none"
    if found != ROW_FORMAT:
        raise RecoveryNeeded(f"{folder.name} was written by another version (row format {found[:20]}, "
                             f"this version reads {ROW_FORMAT})")


def swap_in(root: Path, folder: Path) -> None:
    """Make ``folder`` the generation in use (atomic rename of the pointer) and prune old ones."""
    previous = current_generation(root)
    replace_durably(root / POINTER, folder.name + "\n")
    # Only generations older than the one before go: a newer folder may be another process's
    # rebuild still in progress (names start with the creation time, so they sort by age).
    oldest_kept = min(folder.name, previous.name) if previous else folder.name
    for entry in root.iterdir():
        if entry.is_dir() and entry.name.startswith("gen-") and entry.name < oldest_kept:
            shutil.rmtree(entry, ignore_errors=True)


def write_batch(folder: Path, records: Iterable[Standard], extras: dict | None,
                delete_keys: Iterable[str], timeout: float, generation: int | None = None) -> int:
    """Add or replace records and delete keys in one commit; return the documents written.

    ``generation``: the store generation the batch brings the folder to (recorded after the commit).

    Raises RecoveryNeeded when the write lock cannot be taken within ``timeout`` seconds
    (a writer that died mid-way, or one that never finishes) or the index cannot be opened.
    """
    check_format(folder)
    try:
        ix = DurableStorage(str(folder)).open_index()
    except Exception as exc:  # Whoosh raises many kinds for a damaged folder
        raise RecoveryNeeded(f"{folder.name} cannot be opened ({type(exc).__name__}: {exc})") from exc
    docs = dedupe(records, extras)
    try:
        writer = ix.writer(timeout=timeout, compound=COMPOUND)
    except LockError as exc:
        ix.close()
        raise RecoveryNeeded(
            f"{folder.name} is locked by another writer (held over {timeout:g} s, "
            "perhaps left by a writer that was killed)"
        ) from exc
    try:
        for key in delete_keys:
            writer.delete_by_term("key", key)
        for doc in docs:
            writer.update_document(**doc)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    finally:
        ix.close()
    derive_tables(folder)
    if generation is not None:
        write_applied(folder, generation)
    return len(docs)


def derive_tables(folder: Path) -> None:
    """Write the files searches map for the commit just made (index/sidecar.py: the new
    segments' rows and columns, the commit's table, the postings arrays), so that no search
    process builds them. A failure leaves the commit as it is: readers write what is missing."""
    from .table import DocTable

    try:
        ix = open_index(folder)
        try:
            with ix.searcher() as searcher:
                DocTable(searcher, {}, folder)
        finally:
            ix.close()
    except OSError as exc:
        log.warning("the search tables of %s could not be written now (%s); the next search writes them", folder, exc)
