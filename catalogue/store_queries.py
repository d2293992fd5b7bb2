"""Read-only questions about the catalogue that pages, the reference checker and the command
line ask: counts per tree node and committee, recent changes, brief records, and whether a system,
scheme or table exists. Mixed into :class:`catalogue.store.Store`; all SQL stays in the store.

    >>> store.describe("iso-5208-2015")
    ('iso-5208', 'ISO 5208:2015', 'current')
"""
from __future__ import annotations

import re

import json
import sqlite3
from typing import Iterable

#: What follows a series number in a part's work key: '-2', '-5-1', '.2' (GB).
_PART_SUFFIX = re.compile(r"[-.]\d+(?:[-.]\d+)*")


class StoreQueries:
    """The read-only query methods of :class:`catalogue.store.Store` (it provides ``self.db``)."""

    db: sqlite3.Connection

    def class_title_sources(self, scheme: str, code: str) -> dict[str, str]:
        """The sources of a node's completed titles, by language: {'zh': 'catalogue:classnames'}."""
        rows = self.db.execute(
            "SELECT field, source FROM provenance WHERE key = ? AND field LIKE 'titles.%' ORDER BY at, source",
            (f"{scheme}:{code}",),
        )
        return {fld.split(".", 1)[1]: source for fld, source in rows}

    def class_title_values(self, scheme: str, code: str) -> dict[str, str]:
        """The completed titles the provenance of a node records, by language: {'zh': '阀门'}."""
        rows = self.db.execute(
            "SELECT field, value FROM provenance WHERE key = ? AND field LIKE 'titles.%' ORDER BY at, source",
            (f"{scheme}:{code}",),
        )
        return {fld.split(".", 1)[1]: json.loads(value) for fld, value in rows if value}

    def list_record_ics(self) -> list[list[str]]:
        """The ICS codes of each record that has any, one list per record, in no set order:
        [['23.060.01'], ['23.060.10', '23.060.20'], ...] (counts per ICS node and pillar)."""
        return [json.loads(raw) for (raw,) in self.db.execute("SELECT ics FROM standards WHERE ics != '[]'")]

    def list_record_ccs(self) -> list[str]:
        """The CCS code of each record that has one, in no set order: ['J16', 'J16', 'W10', ...]."""
        return [code for (code,) in self.db.execute("SELECT ccs FROM standards WHERE ccs != ''")]

    def count_by_committee(self) -> dict[str, int]:
        """Records per committee reference, records without one left out: {'ISO/TC 153': 12, ...}."""
        rows = self.db.execute("SELECT committee, COUNT(*) FROM standards WHERE committee != '' GROUP BY committee")
        return {r[0]: r[1] for r in rows}

    def list_recently_updated(self, limit: int = 20) -> list[dict]:
        """The ``limit`` records added or changed last, newest first, as plain dicts:
        [{'key': 'iso-5208-2015', 'designation': 'ISO 5208:2015', 'titles': {'en': ...},
        'status': 'current', 'added_at': ..., 'updated_at': ..., 'change': 'added'}, ...];
        ``change`` is 'changed' once updated_at moved past added_at, and status '' reads 'unknown'.
        Records written in the same second (one ingest) come newest standard first (published
        date, then year), then by key: a batch reads as its latest standards, not as A, B, C."""
        rows = self.db.execute(
            "SELECT key, designation, titles, status, added_at, updated_at FROM standards "
            "ORDER BY updated_at DESC, published DESC, year DESC, key LIMIT ?",
            (limit,),
        ).fetchall()
        return [
            {
                "key": r["key"], "designation": r["designation"], "titles": json.loads(r["titles"]),
                "status": r["status"] or "unknown", "added_at": r["added_at"], "updated_at": r["updated_at"],
                "change": "added" if r["added_at"] == r["updated_at"] else "changed",
            }
            for r in rows
        ]

    def fetch_briefs(self, keys: Iterable[str]) -> dict[str, dict]:
        """Designation, status, dates and titles of many records by key, in queries of 500 keys
        (relation lists, timelines): ['iso-5208-2015', 'gb-t-1-1999'] -> {'iso-5208-2015': {'key',
        'work', 'designation', 'type', 'status', 'year', 'published', 'in_force', 'withdrawn',
        'supplement', 'titles'}}; keys not catalogued (and empty ones) are left out, status '' reads 'unknown'."""
        wanted = sorted({k for k in keys if k})
        out: dict[str, dict] = {}
        for start in range(0, len(wanted), 500):
            # 500 stays well under SQLite's bound-parameter limit (999 before 3.32).
            chunk = wanted[start:start + 500]
            rows = self.db.execute(
                "SELECT key, work, designation, doc_type, status, year, published, in_force, withdrawn, supplement, titles "
                f"FROM standards WHERE key IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            for r in rows:
                out[r["key"]] = {
                    "key": r["key"], "work": r["work"], "designation": r["designation"], "type": r["doc_type"],
                    "status": r["status"] or "unknown", "year": r["year"], "published": r["published"],
                    "in_force": r["in_force"], "withdrawn": r["withdrawn"], "supplement": r["supplement"],
                    "titles": json.loads(r["titles"]),
                }
        return out

    def list_successors(self, keys: Iterable[str]) -> dict[str, list[dict]]:
        """What replaced each of many records (their ``replaced_by`` relations), in queries of 500
        keys (search hits): ['iso-5208-2008'] -> {'iso-5208-2008': [{'target': 'ISO 5208:2015',
        'target_key': 'iso-5208-2015', 'resolved': True, 'status': 'current'}]} (status None when the
        successor is not catalogued); records replaced by nothing are left out."""
        wanted = sorted({k for k in keys if k})
        out: dict[str, list[dict]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            rows = self.db.execute(
                "SELECT r.key, r.target, r.target_key, s.key IS NOT NULL AS resolved, s.status "
                "FROM relations r LEFT JOIN standards s ON s.key = r.target_key "
                f"WHERE r.type = 'replaced_by' AND r.key IN ({', '.join('?' * len(chunk))}) "
                "ORDER BY r.key, r.target_key",
                chunk,
            )
            for r in rows:
                found = out.setdefault(r["key"], [])
                if all(item["target_key"] != r["target_key"] for item in found):
                    found.append({"target": r["target"], "target_key": r["target_key"], "resolved": bool(r["resolved"]),
                                  "status": (r["status"] or "unknown") if r["resolved"] else None})
        return out

    def count_classified(self, scheme: str) -> int:
        """How many records carry at least one code of ``scheme`` ('ics' or 'ccs'): each record once,
        however many codes it has (the ICS root's total)."""
        column = {"ics": "ics != '[]'", "ccs": "ccs != ''"}[scheme]
        return self.db.execute(f"SELECT COUNT(*) FROM standards WHERE {column}").fetchone()[0]

    def describe(self, key: str | None) -> tuple[str, str, str | None] | None:
        """Work, designation and status of one record, or None when it is not catalogued:
        'iso-5208-2015' -> ('iso-5208', 'ISO 5208:2015', 'current'); a status no source gave is None."""
        if not key:
            return None
        row = self.db.execute("SELECT work, designation, status FROM standards WHERE key = ?", (key,)).fetchone()
        return (row["work"], row["designation"], row["status"] or None) if row else None

    def upcoming_edition_key(self, work: str) -> str | None:
        """The newest edition of ``work`` announced but not yet in force: 'gb-t-13927' -> 'gb-t-13927-2022'."""
        row = self.db.execute("SELECT key FROM standards WHERE work = ? AND status = 'upcoming' ORDER BY year DESC",
                              (work,)).fetchone()
        return row[0] if row else None

    def list_part_works(self, work: str, limit: int = 50) -> list[str]:
        """Works numbered as parts of ``work``, sorted: 'iso-4126' -> ['iso-4126-1', 'iso-4126-10', 'iso-4126-2', ...];
        Chinese parts follow a dot: 'gb-t-14048' -> ['gb-t-14048.1', 'gb-t-14048.2', ...] (a digit must follow
        the dash or dot, and nothing but numbers after it, so neither 'iso-4126-draft' nor a supplement's work is a part)."""
        found: set[str] = set()
        # Chinese parts follow a dot (GB/T 14048.2); elsewhere a dot is no part (ISO/CD 9001.2 is a second draft)
        for sep in ("-", ".") if re.match(r"^(?:gb|[a-z]{2}|db\d+|t|q)-", work) else ("-",):
            low = work + sep
            rows = self.db.execute("SELECT DISTINCT work FROM standards WHERE work > ? AND work < ? LIMIT ?",
                                   (low, low + "\uffff", limit))
            # a part's suffix is numbers only ('-5-1', '.2'): 'iec-60947-2-2016-amd-1' is a supplement's work
            found.update(w for (w,) in rows if _PART_SUFFIX.fullmatch(w[len(work):]))
        return sorted(found)[:limit]

    def list_system_ids_of(self, key: str) -> list[str]:
        """The industry systems that list this edition as a member: 'iso-5208-2015' -> ['valves']
        ([] in a catalogue made before the systems tables, migration 002)."""
        # Asked once per record by every reindex: one query, not a table check before each.
        try:
            rows = self.db.execute("SELECT DISTINCT system_id FROM system_members WHERE member_key = ?",
                                   (key,)).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" not in str(exc):
                raise
            return []
        return [r[0] for r in rows]

    def has_system(self, system_id: str) -> bool:
        """Whether an industry standard system with this id is catalogued: 'valves' -> True."""
        return self.has_table("systems") and self.db.execute(
            "SELECT 1 FROM systems WHERE id = ?", (system_id,)).fetchone() is not None

    def has_scheme(self, scheme_id: str) -> bool:
        """Whether a benchmarking scheme with this id is catalogued: 'mccb-2024' -> True."""
        return self.has_table("schemes") and self.db.execute(
            "SELECT 1 FROM schemes WHERE id = ?", (scheme_id,)).fetchone() is not None

    def has_table(self, name: str) -> bool:
        """Whether the file has table ``name`` ('systems', 'schemes': later migrations add them)."""
        found = self.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
        return found is not None


    def year_of(self, key: str) -> str:
        """The year of one edition ('iso-5208-2015' -> '2015'), '' when unknown or not held."""
        row = self.db.execute("SELECT year, published FROM standards WHERE key = ?", (key,)).fetchone()
        if row is None:
            return ""
        return row["year"] or (row["published"] or "")[:4]

    def list_statuses_of_work(self, work: str) -> list[str]:
        """The status of every edition of a work ('' where no source gave one)."""
        return [r[0] for r in self.db.execute("SELECT status FROM standards WHERE work = ?", (work,))]

    def list_relations_to(self, targets: list[str], prefix: str | None = None, limit: int = 200) -> list[dict]:
        """Relations whose target is one of ``targets`` (or, with ``prefix``, any key starting with it):
        [{'key', 'type', 'target_key', 'degree'}] (at most ``limit``)."""
        marks = ", ".join("?" * len(targets))
        sql = f"SELECT key, type, target_key, degree FROM relations WHERE target_key IN ({marks})"
        args: list = list(targets)
        if prefix:
            sql += " OR (target_key > ? AND target_key < ?)"
            args += [prefix, prefix + "\uffff"]
        return [dict(r) for r in self.db.execute(sql + " LIMIT ?", (*args, limit))]

    def list_works_between(self, low: str, high: str, limit: int) -> list[str]:
        """Distinct works with low <= work < high, in order (close numbers of one publisher)."""
        return [r[0] for r in self.db.execute(
            "SELECT DISTINCT work FROM standards WHERE work >= ? AND work < ? ORDER BY work LIMIT ?", (low, high, limit))]
