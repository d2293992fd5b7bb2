"""The catalogue of record: one SQLite file (WAL mode), schema by numbered migrations.

Every record, relation, holding and provenance row lives here; the search index is derived
from it. Writes go through :meth:`Store.transaction`, so a run (or one file of a run) lands
whole or not at all.
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from contextlib import contextmanager
from functools import lru_cache
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from .errors import CatalogueMissing, StoreBusy, StoreError
from .levels import LEVELS, level_of_publisher
from .records import (
    DICT_FIELDS,
    INVERSE_RELATIONS,
    LIST_FIELDS,
    SCALAR_FIELDS,
    ClassNode,
    Committee,
    Holding,
    Provenance,
    Relation,
    Standard,
)
from .lifecycle import edition_order, inferred_successions, needs_settling, pick_in_force, published_editions
from .store_accounts import AccountRows
from .store_queries import StoreQueries
from .store_systems import SystemRows
from .store_register import StoreRegister
from .store_register_queries import RegisterQueries

DB_NAME = "catalogue.sqlite3"

SCALARS = ("work",) + SCALAR_FIELDS
JSON_DICTS = DICT_FIELDS
JSON_LISTS = LIST_FIELDS
COLUMNS = ("key",) + SCALARS + JSON_DICTS + JSON_LISTS + ("added_at", "updated_at")
# Fields the designation grammar derives from the designation: not a source's claim.
DERIVED = {"work", "publisher", "doc_type", "number", "part", "year", "supplement"}
# The fields whose changes users watch (DESIGN.md: "status or edition in force changed").
WATCHED = ("status", "withdrawn", "in_force")
INFERRED = "catalogue:inferred"
#: What a transaction may write without being a generation of the catalogue (see note_written).
PRIVATE_SCOPES = frozenset({"accounts"})
#: How long a write transaction waits for another process's to finish, in seconds (a web
#: request's writes; an ingest waits longer, ingest.pipeline.INGEST_WAIT). Then StoreBusy.
WRITE_WAIT = 30.0
#: SQLite's own wait for a lock, per statement (readers in WAL mode almost never wait).
BUSY_TIMEOUT_MS = 30_000
#: ``PRAGMA synchronous``: FULL makes every COMMIT wait for the write-ahead log to reach the disk
#: (one fsync per transaction), so a file reported as landed survives a power cut, and the index
#: never records a generation the disk could still lose (docs/durability.md). NORMAL would
#: save that fsync and could lose the last transactions on a power cut.
SYNCHRONOUS = "FULL"
log = logging.getLogger("catalogue")


def now_iso() -> str:
    """The current UTC time as an ISO 8601 string with seconds: '2026-11-25T08:30:00Z'."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def catalogue_home(home: str | os.PathLike | None = None) -> Path:
    """Where the catalogue lives: ``home``, else $CATALOGUE_HOME, else ./instance."""
    return Path(home or os.environ.get("CATALOGUE_HOME") or "instance")


@lru_cache(maxsize=1)
def _migrations() -> tuple[tuple[int, str], ...]:
    # A plain path beside this file: importlib.resources trips over editable installs run
    # from a folder that holds another "catalogue" entry.
    folder = Path(__file__).resolve().parent / "migrations"
    found = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), entry.read_text(encoding="utf-8")))
    # Read once a process: every request that writes opens its own Store (catalogue/web/writes.py).
    return tuple(sorted(found))


@dataclass
class MergeOutcome:
    """What merging one record did: ``added``, ``updated`` or ``unchanged``, and which fields."""

    key: str
    action: str
    fields: tuple[str, ...] = ()


class Store(StoreQueries, SystemRows, StoreRegister, RegisterQueries, AccountRows):
    """The SQLite catalogue under a home folder."""

    def __init__(self, home: str | os.PathLike | None = None, *, create: bool = False):
        self.home = catalogue_home(home)
        self.path = self.home / DB_NAME
        if not self.path.exists():
            if not create:
                raise CatalogueMissing(
                    f"No catalogue at {self.home}: run `catalogue init --demo` or `catalogue ingest FILES`."
                )
            self.home.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                      check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
            self.db.execute("PRAGMA foreign_keys=ON")
        except sqlite3.DatabaseError as exc:
            if "locked" in str(exc):
                raise StoreError(f"Cannot open the catalogue {self.path}: another process held its write lock for "
                                 f"more than {BUSY_TIMEOUT_MS / 1000:g} s (it is migrating or writing); try again "
                                 "when it has finished.") from exc
            raise StoreError(f"Cannot open the catalogue {self.path}: {exc}.") from exc
        self.write_wait = WRITE_WAIT
        try:
            self.migrate()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise StoreError(f"Cannot open the catalogue {self.path}: {exc}.") from exc
        except StoreError:
            self.db.close()
            raise
        self._in_tx = False
        self._tx_keys: set[str] = set()
        self._tx_scopes: set[str] = set()
        self._tx_changes = 0

    # ----------------------------------------------------------------- lifecycle
    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> int:
        """Apply every numbered migration the file has not seen yet, in order, each in its own transaction.

        Numbers may have gaps and may arrive out of order (branches that each add a migration land
        one after another: 005 may be applied before 003 exists), so the file records each
        migration it applied in ``schema_migrations``, not only the highest number. A file made
        before that table (only ``PRAGMA user_version``) had every migration up to its version.
        ``user_version`` stays the highest number applied. Answers it.
        """
        applied = self._applied_migrations()
        for number, sql in _migrations():
            if number in applied:
                continue
            self._begin()
            try:
                # Another process may have applied it between our read and our lock.
                if self.db.execute("SELECT 1 FROM schema_migrations WHERE number = ?", (number,)).fetchone():
                    self.db.execute("COMMIT")
                    applied.add(number)
                    continue
                for statement in sql.split(";\n"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute("INSERT INTO schema_migrations (number, applied_at) VALUES (?, ?)", (number, now_iso()))
                self.db.execute(f"PRAGMA user_version = {max(applied | {number})}")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            applied.add(number)
        return self.schema_version

    def _applied_migrations(self) -> set[int]:
        """The numbers of the migrations this file has had (creating the record of them if missing)."""
        has_table = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").fetchone()
        if not has_table:
            self._begin()
            try:
                self.db.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                                "(number INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
                version = self.schema_version
                at = now_iso()
                for number, _sql in _migrations():
                    if number <= version:
                        self.db.execute("INSERT OR IGNORE INTO schema_migrations (number, applied_at) VALUES (?, ?)",
                                        (number, at))
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
        return {row[0] for row in self.db.execute("SELECT number FROM schema_migrations")}

    @contextmanager
    def transaction(self) -> Iterator["Store"]:
        """Everything written inside lands together or not at all (nested calls use savepoints).

        The outermost transaction that changed anything records one new generation in the write
        log, with the keys and scopes noted while it ran (:meth:`note_written`), in the same
        commit: derived data follows the log (DESIGN.md, "is everything in step").
        """
        if self._in_tx:
            name = f"sp{id(self)}_{os.urandom(3).hex()}"
            self.db.execute(f"SAVEPOINT {name}")
            try:
                yield self
            except BaseException:
                self.db.execute(f"ROLLBACK TO {name}")
                self.db.execute(f"RELEASE {name}")
                raise
            self.db.execute(f"RELEASE {name}")
            return
        self._begin()
        self._in_tx = True
        self._tx_keys, self._tx_scopes = set(), set()
        self._tx_changes = self.db.total_changes
        try:
            yield self
            self._record_generation()
        except BaseException:
            self._in_tx = False
            # SQLite has already rolled back by itself after some errors (a full disk:
            # SQLITE_FULL), and a second ROLLBACK would hide the real error behind its own.
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise
        self._in_tx = False
        self.db.execute("COMMIT")

    def _begin(self) -> None:
        """BEGIN IMMEDIATE (take the write lock), waiting up to ``write_wait`` seconds while
        another process holds it; then StoreBusy, a sentence that names the cause (a locked
        store is not a failing disk)."""
        deadline = time.monotonic() + self.write_wait
        warned = False
        while True:
            slice_ms = int(max(0.0, min(deadline - time.monotonic(), 1.0)) * 1000)
            self.db.execute(f"PRAGMA busy_timeout = {slice_ms}")
            try:
                self.db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not is_busy(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise StoreBusy(self.path, self.write_wait) from exc
                if not warned:
                    warned = True
                    log.warning("another process is writing the catalogue %s; waiting for it (up to %g s)",
                                self.path, self.write_wait)
            finally:
                self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """A write method's own transaction when its caller has none (so it is logged too)."""
        if self._in_tx:
            yield
            return
        with self.transaction():
            yield

    def note_written(self, keys: Iterable[str] = (), scope: str = "standards") -> None:
        """Declare what the current transaction wrote: standards ``keys`` (whose derived data may
        change: index documents, pages) and a ``scope`` ('standards', 'systems', 'schemes' ...).

        Scopes in PRIVATE_SCOPES (accounts, sessions, sign-in attempts) are no generation of the
        catalogue: no index document, no shared page depends on them (signed-in pages are never
        cached), so a sign-in does not empty every cache. Outside a transaction (an autocommit
        write) there is nothing to log."""
        if not self._in_tx:
            return
        self._tx_keys.update(k for k in keys if k)
        self._tx_scopes.add(scope)

    def _record_generation(self) -> None:
        if not self._tx_keys and not self._tx_scopes and self.db.total_changes == self._tx_changes:
            return  # a transaction that wrote nothing is not a generation
        if not self._tx_keys and self._tx_scopes and self._tx_scopes <= PRIVATE_SCOPES:
            return  # accounts only: not the catalogue's state
        scopes = sorted(self._tx_scopes or {"other"})
        cur = self.db.execute("INSERT INTO write_log (at, scopes, key_count) VALUES (?, ?, ?)",
                              (now_iso(), json.dumps(scopes), len(self._tx_keys)))
        generation = cur.lastrowid
        self.db.executemany("INSERT INTO write_log_keys (generation, key) VALUES (?, ?)",
                            ((generation, key) for key in sorted(self._tx_keys)))

    # ----------------------------------------------------------------- the write log
    def generation(self) -> int:
        """The store's generation: the number of the last write transaction (0: never written)."""
        return self.db.execute("SELECT COALESCE(MAX(generation), 0) FROM write_log").fetchone()[0]

    def count_keys_written_since(self, generation: int) -> int:
        """How many distinct keys the transactions after ``generation`` wrote."""
        return self.db.execute("SELECT COUNT(DISTINCT key) FROM write_log_keys WHERE generation > ?",
                               (generation,)).fetchone()[0]

    def keys_written_since(self, generation: int) -> list[str]:
        """The distinct keys the transactions after ``generation`` wrote, in key order."""
        return [r[0] for r in self.db.execute(
            "SELECT DISTINCT key FROM write_log_keys WHERE generation > ? ORDER BY key", (generation,))]

    def read_write_log(self, after: int = 0, limit: int = 100) -> list[dict]:
        """Log entries after generation ``after``, oldest first: [{'generation', 'at', 'scopes', 'key_count'}]."""
        rows = self.db.execute("SELECT * FROM write_log WHERE generation > ? ORDER BY generation LIMIT ?",
                               (after, limit)).fetchall()
        return [{"generation": r["generation"], "at": r["at"], "scopes": json.loads(r["scopes"]),
                 "key_count": r["key_count"]} for r in rows]

    # ----------------------------------------------------------------- writing
    def merge(self, record: Standard, source: str, at: str | None = None) -> MergeOutcome:
        """Insert or update one record by key, field by field, keeping provenance per field.

        Empty values never wipe what another source said; a value equal to the stored one
        changes nothing (so ingesting the same file twice reports it unchanged).
        """
        if not record.key or not record.work:
            raise StoreError(f"record {record.designation!r} has no key: parse its designation first.")
        with self._writing():
            outcome = self._merge(record, source, at or now_iso())
            if outcome.action != "unchanged":
                self.note_written([record.key, *(r.target_key for r in record.relations)])
            return outcome

    def _merge(self, record: Standard, source: str, at: str) -> MergeOutcome:
        row = self.db.execute("SELECT * FROM standards WHERE key = ?", (record.key,)).fetchone()
        changed: list[str] = []
        prov: list[tuple[str, object]] = []
        if row is None:
            values = {"key": record.key}
            for name in SCALARS:
                values[name] = getattr(record, name) or ""
                if values[name] and name not in DERIVED:
                    prov.append((name, values[name]))
            for name in JSON_DICTS:
                data = {k: v for k, v in getattr(record, name).items() if v}
                values[name] = json.dumps(data, ensure_ascii=False, sort_keys=True)
                prov.extend((f"{name}.{k}", v) for k, v in data.items())
            for name in JSON_LISTS:
                items = _dedupe(getattr(record, name))
                values[name] = json.dumps(items, ensure_ascii=False)
                if items:
                    prov.append((name, items))
            values["added_at"] = values["updated_at"] = at
            self.db.execute(
                f"INSERT INTO standards ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                [values[c] for c in COLUMNS],
            )
            if values["status"]:
                self._log_change(record.key, at, "status", None, values["status"])
            action = "added"
        else:
            updates: dict[str, object] = {}
            # What this source said before: re-stating a claim that another source (or the
            # catalogue's own inference) has since overridden is not news, so it changes nothing.
            said = {
                r["field"]: r["value"]
                for r in self.db.execute("SELECT field, value FROM provenance WHERE key = ? AND source = ?",
                                         (record.key, source))
            }
            for name in SCALARS:
                new = getattr(record, name) or ""
                if new and new != row[name] and said.get(name) != json.dumps(new, ensure_ascii=False):
                    updates[name] = new
                    if name not in DERIVED:
                        prov.append((name, new))
                    if name in WATCHED:
                        self._log_change(record.key, at, name, row[name] or None, new)
            for name in JSON_DICTS:
                old = json.loads(row[name])
                merged = dict(old)
                for lang, text in getattr(record, name).items():
                    if text and old.get(lang) != text and said.get(f"{name}.{lang}") != json.dumps(text, ensure_ascii=False):
                        merged[lang] = text
                        prov.append((f"{name}.{lang}", text))
                if merged != old:
                    updates[name] = json.dumps(merged, ensure_ascii=False, sort_keys=True)
            for name in JSON_LISTS:
                old = json.loads(row[name])
                merged = _dedupe(old + list(getattr(record, name)))
                if merged != old:
                    updates[name] = json.dumps(merged, ensure_ascii=False)
                    prov.append((name, [v for v in merged if v not in old]))
            if updates:
                updates["updated_at"] = at
                sets = ", ".join(f"{k} = ?" for k in updates)
                self.db.execute(f"UPDATE standards SET {sets} WHERE key = ?", [*updates.values(), record.key])
                changed = [k for k in updates if k != "updated_at"]
            action = "updated" if updates else "unchanged"
        for fld, value in prov:
            self.db.execute(
                "INSERT INTO provenance (key, field, source, at, value) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (key, field, source) DO UPDATE SET at = excluded.at, value = excluded.value "
                "WHERE provenance.value IS NOT excluded.value",
                (record.key, fld, source, at, json.dumps(value, ensure_ascii=False)),
            )
        rel_changed = self._merge_relations(record)
        hold_changed = self._merge_holdings(record)
        if action == "unchanged" and (rel_changed or hold_changed):
            action = "updated"
            changed = ["relations"] * bool(rel_changed) + ["holdings"] * bool(hold_changed)
            self.db.execute("UPDATE standards SET updated_at = ? WHERE key = ?", (at, record.key))
        elif rel_changed or hold_changed:
            changed += ["relations"] * bool(rel_changed) + ["holdings"] * bool(hold_changed)
        return MergeOutcome(record.key, action, tuple(changed))

    def _merge_relations(self, record: Standard) -> int:
        count = 0
        for rel in record.relations:
            if not rel.target_key:
                continue
            cur = self.db.execute(
                "INSERT OR IGNORE INTO relations (key, type, target, target_key, degree, origin) "
                "VALUES (?, ?, ?, ?, ?, 'source')",
                (record.key, rel.type, rel.target, rel.target_key, rel.degree),
            )
            count += cur.rowcount
            self.db.execute(
                "INSERT OR IGNORE INTO relations (key, type, target, target_key, degree, origin) "
                "VALUES (?, ?, ?, ?, ?, 'inverse')",
                (rel.target_key, INVERSE_RELATIONS[rel.type], record.designation, record.key, rel.degree),
            )
            if rel.type in ("replaces", "replaced_by"):
                # A source row supersedes an inferred one for the same pair of editions.
                self.db.execute(
                    "DELETE FROM relations WHERE origin = 'inferred' AND type IN ('replaces', 'replaced_by') "
                    "AND ((key = ? AND target_key = ?) OR (key = ? AND target_key = ?))",
                    (record.key, rel.target_key, rel.target_key, record.key),
                )
        return count

    def _merge_holdings(self, record: Standard) -> int:
        count = 0
        for h in record.holdings:
            cur = self.db.execute(
                "INSERT OR IGNORE INTO holdings (key, format, shelf_mark, access, note) VALUES (?, ?, ?, ?, ?)",
                (record.key, h.format, h.shelf_mark, h.access, h.note),
            )
            count += cur.rowcount
        return count

    def _log_change(self, key: str, at: str, fld: str, old: str | None, new: str | None) -> None:
        self.db.execute("INSERT INTO changes (key, at, field, old, new) VALUES (?, ?, ?, ?, ?)", (key, at, fld, old, new))

    def put_class_node(self, node: ClassNode) -> str:
        """Insert or update a classification node; answers added | updated | unchanged.

        A title named in ``node.title_sources`` only completes the node (catalogue.classnames):
        it never replaces a title the store holds in that language from elsewhere (it does
        replace one an earlier completion gave), and its source is kept as provenance under the
        key ``"<scheme>:<code>"`` ('ics:23.060', field 'titles.zh').
        """
        with self._writing():
            action = self._put_class_node(node)
            if action != "unchanged":
                self.note_written(scope="classifications")
            return action

    def _put_class_node(self, node: ClassNode) -> str:
        own = {k: v for k, v in node.titles.items() if v and k not in node.title_sources}
        completions = {k: v for k, v in node.titles.items() if v and k in node.title_sources}
        notes = json.dumps(node.notes, ensure_ascii=False, sort_keys=True)
        row = self.db.execute(
            "SELECT parent, titles, notes FROM classifications WHERE scheme = ? AND code = ?", (node.scheme, node.code)
        ).fetchone()
        if row is None:
            titles = {**completions, **own}
            self.db.execute(
                "INSERT INTO classifications (scheme, code, parent, titles, notes) VALUES (?, ?, ?, ?, ?)",
                (node.scheme, node.code, node.parent, json.dumps(titles, ensure_ascii=False, sort_keys=True), notes),
            )
            self._note_title_sources(node, titles)
            return "added"
        stored = json.loads(row["titles"])
        if completions:
            # A stored title that an earlier completion gave may follow a corrected class name.
            earlier = self.class_title_values(node.scheme, node.code)
            stored = {k: v for k, v in stored.items() if not (k in completions and earlier.get(k) == v)}
        merged_titles = {**completions, **stored, **own}
        merged_notes = {**json.loads(row["notes"]), **{k: v for k, v in node.notes.items() if v}}
        new = (node.parent or row["parent"], json.dumps(merged_titles, ensure_ascii=False, sort_keys=True),
               json.dumps(merged_notes, ensure_ascii=False, sort_keys=True))
        self._note_title_sources(node, merged_titles)
        if new == (row["parent"], row["titles"], row["notes"]):
            return "unchanged"
        self.db.execute(
            "UPDATE classifications SET parent = ?, titles = ?, notes = ? WHERE scheme = ? AND code = ?",
            (*new, node.scheme, node.code),
        )
        return "updated"

    def _note_title_sources(self, node: ClassNode, stored: dict) -> None:
        """Provenance for the completed titles that the store now holds ('ics:23.060', 'titles.zh')."""
        for lang, source in node.title_sources.items():
            value = node.titles.get(lang)
            if value and stored.get(lang) == value:
                self.db.execute(
                    "INSERT INTO provenance (key, field, source, at, value) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (key, field, source) DO UPDATE SET at = excluded.at, value = excluded.value "
                    "WHERE provenance.value IS NOT excluded.value",
                    (f"{node.scheme}:{node.code}", f"titles.{lang}", source, now_iso(),
                     json.dumps(value, ensure_ascii=False)),
                )

    def put_committee(self, committee: Committee) -> str:
        """Insert or update a technical committee; answers added | updated | unchanged."""
        with self._writing():
            action = self._put_committee(committee)
            if action != "unchanged":
                self.note_written(scope="committees")
            return action

    def _put_committee(self, committee: Committee) -> str:
        titles = json.dumps(committee.titles, ensure_ascii=False, sort_keys=True)
        row = self.db.execute("SELECT * FROM committees WHERE reference = ?", (committee.reference,)).fetchone()
        if row is None:
            self.db.execute(
                "INSERT INTO committees (reference, publisher, titles, scope) VALUES (?, ?, ?, ?)",
                (committee.reference, committee.publisher, titles, committee.scope),
            )
            return "added"
        new = (committee.publisher or row["publisher"], titles if committee.titles else row["titles"],
               committee.scope or row["scope"])
        if new == (row["publisher"], row["titles"], row["scope"]):
            return "unchanged"
        self.db.execute(
            "UPDATE committees SET publisher = ?, titles = ?, scope = ? WHERE reference = ?", (*new, committee.reference)
        )
        return "updated"

    # ----------------------------------------------------------------- editions in force
    def settle_works(self, works: Iterable[str], at: str | None = None) -> list[str]:
        """Work out, for each work, which edition replaced which, where sources are silent.

        Explicit ``replaces`` relations win. Where a source gives none (IEC never does), a newer
        published edition of the same work replaces the next older one; editions that are then
        superseded but still say ``current`` (or nothing) become ``replaced``. Answers the keys
        whose status changed. Every edition of the works is noted as written: which one is in
        force, which a search document carries, may have moved.
        """
        with self._writing():
            return self._settle_works(works, at or now_iso())

    def _settle_works(self, works: Iterable[str], at: str) -> list[str]:
        changed = []
        for work in set(works):
            editions = self._editions_rows(work)
            self.note_written([e["key"] for e in editions])
            published = published_editions(editions)
            if len(published) < 2:
                continue
            keys = [e["key"] for e in published]
            marks = ", ".join("?" * len(keys))
            explicit_successor = {
                r["key"] for r in self.db.execute(
                    "SELECT key FROM relations WHERE type = 'replaced_by' AND origin != 'inferred' AND key IN "
                    f"({marks})", keys)
            }
            self.db.execute(f"DELETE FROM relations WHERE origin = 'inferred' AND key IN ({marks})", keys)
            for older, newer in inferred_successions(published, explicit_successor):
                self.db.execute(
                    "INSERT OR IGNORE INTO relations (key, type, target, target_key, degree, origin) "
                    "VALUES (?, 'replaced_by', ?, ?, NULL, 'inferred')",
                    (older["key"], newer["designation"], newer["key"]),
                )
                self.db.execute(
                    "INSERT OR IGNORE INTO relations (key, type, target, target_key, degree, origin) "
                    "VALUES (?, 'replaces', ?, ?, NULL, 'inferred')",
                    (newer["key"], older["designation"], older["key"]),
                )
            superseded = self._superseded_keys(keys)
            for e in published:
                if e["key"] in superseded and needs_settling(e["status"]):
                    self.db.execute(
                        "UPDATE standards SET status = 'replaced', updated_at = ? WHERE key = ?", (at, e["key"])
                    )
                    self.db.execute(
                        "INSERT OR REPLACE INTO provenance (key, field, source, at, value) VALUES (?, 'status', ?, ?, ?)",
                        (e["key"], INFERRED, at, json.dumps("replaced")),
                    )
                    self._log_change(e["key"], at, "status", e["status"] or None, "replaced")
                    changed.append(e["key"])
        return changed

    def _superseded_keys(self, keys: list[str]) -> set[str]:
        """Keys that a catalogued, published newer edition replaces."""
        if not keys:
            return set()
        rows = self.db.execute(
            "SELECT r.key FROM relations r JOIN standards s ON s.key = r.target_key "
            f"WHERE r.type = 'replaced_by' AND s.status NOT IN ('draft', 'upcoming') AND r.key IN ({', '.join('?' * len(keys))})",
            keys,
        )
        return {r["key"] for r in rows}

    def _editions_rows(self, work: str) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT key, designation, status, year, published, in_force, supplement FROM standards WHERE work = ?",
            (work,),
        ).fetchall()

    def edition_in_force(self, work: str) -> Standard | None:
        """The edition of ``work`` in force now, or None (withdrawn without successor, or unknown).

        An edition is in force when it is published (not draft, not upcoming), not withdrawn,
        and no published newer edition replaces it, by an explicit relation or, where the sources
        give none, by being newer (see :meth:`settle_works`).
        """
        key = self.edition_in_force_key(work)
        return self.get(key) if key else None

    def edition_in_force_key(self, work: str | None) -> str | None:
        """The key of the edition of ``work`` in force (the rule: catalogue.lifecycle)."""
        if not work:
            return None
        editions = self._editions_rows(work)
        candidates = [e["key"] for e in editions if e["supplement"] == "" and e["status"] in ("current", "")]
        return pick_in_force(editions, self._superseded_keys(candidates))

    # ----------------------------------------------------------------- reading
    def get(self, key: str) -> Standard | None:
        """The whole record by key, with relations (both ways), holdings and provenance."""
        row = self.db.execute("SELECT * FROM standards WHERE key = ?", (key,)).fetchone()
        return self._record(row) if row else None

    def exists(self, key: str) -> bool:
        return self.db.execute("SELECT 1 FROM standards WHERE key = ?", (key,)).fetchone() is not None

    def work_exists(self, work: str) -> bool:
        return self.db.execute("SELECT 1 FROM standards WHERE work = ? LIMIT 1", (work,)).fetchone() is not None

    def editions(self, work: str) -> list[Standard]:
        """All editions (and supplements) of a work, oldest first."""
        rows = self.db.execute("SELECT * FROM standards WHERE work = ?", (work,)).fetchall()
        return [self._record(r) for r in sorted(rows, key=edition_order)]

    def _record(self, row: sqlite3.Row) -> Standard:
        data = {c: row[c] for c in ("key",) + SCALARS}
        for name in JSON_DICTS + JSON_LISTS:
            data[name] = json.loads(row[name])
        rec = Standard(**data)
        rec.relations = self.relations(row["key"])
        rec.holdings = [
            Holding(h["format"], h["shelf_mark"], h["access"], h["note"])
            for h in self.db.execute("SELECT * FROM holdings WHERE key = ? ORDER BY rowid", (row["key"],))
        ]
        rec.provenance = [
            Provenance(p["field"], p["source"], p["at"], json.loads(p["value"]) if p["value"] else None)
            for p in self.db.execute("SELECT * FROM provenance WHERE key = ? ORDER BY field, at, source", (row["key"],))
        ]
        return rec

    def relations(self, key: str) -> list[Relation]:
        """Relations of a record, each marked resolved when its target (edition or work) is catalogued."""
        rows = self.db.execute(
            "SELECT r.type, r.target, r.target_key, r.degree, "
            "EXISTS (SELECT 1 FROM standards s WHERE s.key = r.target_key) "
            "OR EXISTS (SELECT 1 FROM standards s WHERE s.work = r.target_key) AS resolved "
            "FROM relations r WHERE r.key = ? ORDER BY r.type, r.target_key",
            (key,),
        ).fetchall()
        seen: set[tuple[str, str]] = set()
        out = []
        for r in rows:
            if (r["type"], r["target_key"]) in seen:
                continue
            seen.add((r["type"], r["target_key"]))
            out.append(Relation(r["type"], r["target"], r["degree"], r["target_key"], bool(r["resolved"])))
        return out

    def iter_records(self, batch: int = 2000) -> Iterator[Standard]:
        """Every record, in key order, read in batches (for export and reindex)."""
        last = ""
        while True:
            rows = self.db.execute(
                "SELECT * FROM standards WHERE key > ? ORDER BY key LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield self._record(row)
            last = rows[-1]["key"]

    def keys(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT key FROM standards ORDER BY key")]

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM standards").fetchone()[0]

    def stats(self) -> dict:
        """Counts for statistics: records, by publisher, by status (DESIGN.md ``stats`` contract)."""
        by_pub = {r[0] or "?": r[1] for r in self.db.execute(
            "SELECT publisher, COUNT(*) FROM standards GROUP BY publisher ORDER BY COUNT(*) DESC, publisher")}
        by_status = {r[0] or "unknown": r[1] for r in self.db.execute(
            "SELECT status, COUNT(*) FROM standards GROUP BY status ORDER BY COUNT(*) DESC, status")}
        return {"records": self.count(), "by_publisher": by_pub, "by_status": by_status, "by_level": count_by_level(by_pub)}

    def class_nodes(self, scheme: str, parent: str | None = None) -> list[ClassNode]:
        sql = "SELECT * FROM classifications WHERE scheme = ?"
        args: list = [scheme]
        if parent is not None:
            sql += " AND parent = ?"
            args.append(parent)
        return [
            ClassNode(r["scheme"], r["code"], r["parent"], json.loads(r["titles"]), json.loads(r["notes"]))
            for r in self.db.execute(sql + " ORDER BY code", args)
        ]

    def class_node(self, scheme: str, code: str) -> ClassNode | None:
        """One node, with the sources of its completed titles (``title_sources``)."""
        r = self.db.execute("SELECT * FROM classifications WHERE scheme = ? AND code = ?", (scheme, code)).fetchone()
        if r is None:
            return None
        return ClassNode(r["scheme"], r["code"], r["parent"], json.loads(r["titles"]), json.loads(r["notes"]),
                         self.class_title_sources(scheme, code))

    def committees(self) -> list[Committee]:
        return [
            Committee(r["reference"], json.loads(r["titles"]), r["publisher"], r["scope"])
            for r in self.db.execute("SELECT * FROM committees ORDER BY reference")
        ]

    def changes_since(self, since: str, keys: Iterable[str] | None = None) -> list[dict]:
        """Logged changes of watched fields at or after ``since`` (an ISO date or time)."""
        rows = self.db.execute("SELECT * FROM changes WHERE at >= ? ORDER BY seq", (since,)).fetchall()
        wanted = set(keys) if keys is not None else None
        return [dict(r) for r in rows if wanted is None or r["key"] in wanted]

    def recent(self, limit: int = 20) -> list[Standard]:
        rows = self.db.execute("SELECT * FROM standards ORDER BY updated_at DESC, key LIMIT ?", (limit,)).fetchall()
        return [self._record(r) for r in rows]

    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def is_busy(exc: sqlite3.Error) -> bool:
    """Whether SQLite refused because another connection holds a lock (SQLITE_BUSY/LOCKED)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc)


def count_by_level(by_publisher: dict[str, int]) -> dict[str, int]:
    """{'ISO': 3, 'JB': 2, 'GB': 1} -> {'international': 3, 'foreign': 0, 'national': 1, 'industry': 2, ...}:
    every level of catalogue.levels, then 'unknown' for records without a publisher, if any."""
    counts = dict.fromkeys(LEVELS, 0)
    for publisher, n in by_publisher.items():
        level = level_of_publisher("" if publisher == "?" else publisher) or "unknown"
        counts[level] = counts.get(level, 0) + n
    return counts


def _dedupe(items: Iterable) -> list:
    out = []
    for item in items:
        if item and item not in out:
            out.append(item)
    return out
