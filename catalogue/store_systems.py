"""The SQL of industry standard systems and benchmarking schemes (migration 002), mixed into
:class:`catalogue.store.Store`: catalogue/systems.py says what systems and schemes are and how
their members stand; this module only reads and writes their rows.

    >>> store.replace_system_rows("valves", {"zh": "阀门产业标准体系"}, {}, "system-yaml:valves.yaml", at, nodes, members)
"""
from __future__ import annotations

import json
import sqlite3
from typing import Iterable


def _j(data) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


class SystemRows:
    """Systems' and schemes' rows (the store provides ``self.db`` and ``note_written``)."""

    db: sqlite3.Connection

    # ---------------------------------------------------------------- systems: writing
    def replace_system_rows(self, system_id: str, titles: dict, notes: dict, source: str, at: str,
                            nodes: Iterable[tuple[str, str, dict, dict]],
                            members: Iterable[tuple[str, str, str, str, str]]) -> set[str]:
        """Replace one system: ``nodes`` as (code, parent, titles, notes) in document order,
        ``members`` as (node code, display, key, work, note) in order. Answers the keys of the
        records it lists now or listed before (their search documents carry the system facet),
        and notes them as written."""
        db = self.db
        keys = {r[0] for r in db.execute(
            "SELECT s.key FROM system_members m JOIN standards s ON s.key = m.member_key OR s.work = m.member_work "
            "WHERE m.system_id = ?", (system_id,))}
        for table in ("system_members", "system_nodes"):
            db.execute(f"DELETE FROM {table} WHERE system_id = ?", (system_id,))
        db.execute("INSERT OR REPLACE INTO systems (id, titles, notes, source, updated_at) VALUES (?, ?, ?, ?, ?)",
                   (system_id, _j(titles), _j(notes), source, at))
        for pos, (code, parent, node_titles, node_notes) in enumerate(nodes):
            db.execute("INSERT OR REPLACE INTO system_nodes (system_id, code, parent, titles, notes, position) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (system_id, code, parent, _j(node_titles), _j(node_notes), pos))
        for position, (code, display, key, work, note) in enumerate(members, 1):
            db.execute("INSERT OR REPLACE INTO system_members (system_id, node_code, designation, member_key, "
                       "member_work, note, position) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (system_id, code, display, key, work, note, position))
            keys.update(r[0] for r in db.execute("SELECT key FROM standards WHERE key = ? OR work = ?", (key, work)))
        self.note_written(keys, scope="systems")
        return keys

    # ---------------------------------------------------------------- schemes: writing
    def replace_scheme_rows(self, scheme_id: str, titles: dict, product: dict, enterprise: str, notes: dict,
                            source: str, at: str, standards: Iterable[tuple[str, str, str, str]],
                            indicators: Iterable[tuple[dict, str, list[dict]]]) -> None:
        """Replace one scheme: ``standards`` as (role, display, key, work) in order, ``indicators``
        as (names, unit, cells) in order."""
        db = self.db
        for table in ("scheme_standards", "scheme_indicators"):
            db.execute(f"DELETE FROM {table} WHERE scheme_id = ?", (scheme_id,))
        db.execute("INSERT OR REPLACE INTO schemes (id, titles, product, enterprise, notes, source, updated_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (scheme_id, _j(titles), _j(product), enterprise, _j(notes), source, at))
        for position, (role, display, key, work) in enumerate(standards, 1):
            db.execute("INSERT OR IGNORE INTO scheme_standards (scheme_id, role, designation, member_key, member_work, "
                       "position) VALUES (?, ?, ?, ?, ?, ?)", (scheme_id, role, display, key, work, position))
        for pos, (names, unit, cells) in enumerate(indicators):
            db.execute("INSERT INTO scheme_indicators (scheme_id, position, names, unit, cells) VALUES (?, ?, ?, ?, ?)",
                       (scheme_id, pos, _j(names), unit, json.dumps(cells, ensure_ascii=False)))
        self.note_written(scope="schemes")

    # ---------------------------------------------------------------- reading
    def list_system_rows(self) -> list[dict]:
        """Every system with its member count: [{'id', 'titles', 'members'}], by id."""
        rows = self.db.execute(
            "SELECT s.id, s.titles, (SELECT COUNT(*) FROM system_members m WHERE m.system_id = s.id) AS n "
            "FROM systems s ORDER BY s.id").fetchall()
        return [{"id": r["id"], "titles": json.loads(r["titles"]), "members": r["n"]} for r in rows]

    def fetch_system_row(self, system_id: str) -> dict | None:
        r = self.db.execute("SELECT * FROM systems WHERE id = ?", (system_id,)).fetchone()
        if r is None:
            return None
        return {"id": r["id"], "titles": json.loads(r["titles"]), "notes": json.loads(r["notes"]),
                "source": r["source"], "updated_at": r["updated_at"]}

    def list_system_nodes(self, system_id: str) -> list[dict]:
        """The nodes of one system in document order: [{'code', 'parent', 'titles', 'notes'}]."""
        return [{"code": n["code"], "parent": n["parent"], "titles": json.loads(n["titles"]),
                 "notes": json.loads(n["notes"])}
                for n in self.db.execute("SELECT * FROM system_nodes WHERE system_id = ? ORDER BY position",
                                         (system_id,))]

    def list_system_members(self, system_id: str) -> list[dict]:
        """The members of one system in order: [{'node', 'designation', 'key', 'work', 'note'}]."""
        return [{"node": m["node_code"], "designation": m["designation"], "key": m["member_key"],
                 "work": m["member_work"], "note": m["note"]}
                for m in self.db.execute("SELECT * FROM system_members WHERE system_id = ? ORDER BY position",
                                         (system_id,))]

    def list_scheme_rows(self) -> list[dict]:
        """Every scheme with its standard count: [{'id', 'titles', 'product', 'enterprise', 'standards'}]."""
        rows = self.db.execute(
            "SELECT s.*, (SELECT COUNT(*) FROM scheme_standards ss WHERE ss.scheme_id = s.id) AS n "
            "FROM schemes s ORDER BY s.id").fetchall()
        return [{"id": r["id"], "titles": json.loads(r["titles"]), "product": json.loads(r["product"]),
                 "enterprise": r["enterprise"], "standards": r["n"]} for r in rows]

    def fetch_scheme_row(self, scheme_id: str) -> dict | None:
        r = self.db.execute("SELECT * FROM schemes WHERE id = ?", (scheme_id,)).fetchone()
        if r is None:
            return None
        return {"id": r["id"], "titles": json.loads(r["titles"]), "product": json.loads(r["product"]),
                "enterprise": r["enterprise"], "notes": json.loads(r["notes"]), "source": r["source"],
                "updated_at": r["updated_at"]}

    def list_scheme_standards(self, scheme_id: str) -> list[dict]:
        """The standards one scheme names, in order: [{'role', 'designation', 'key', 'work'}]."""
        return [{"role": s["role"], "designation": s["designation"], "key": s["member_key"], "work": s["member_work"]}
                for s in self.db.execute("SELECT * FROM scheme_standards WHERE scheme_id = ? ORDER BY position",
                                         (scheme_id,))]

    def list_scheme_indicator_rows(self, scheme_id: str) -> list[dict]:
        return [{"names": json.loads(i["names"]), "unit": i["unit"], "cells": json.loads(i["cells"])}
                for i in self.db.execute("SELECT * FROM scheme_indicators WHERE scheme_id = ? ORDER BY position",
                                         (scheme_id,))]

    def list_schemes_citing(self, key: str, work: str) -> list[dict]:
        """Schemes that cite this edition or its work (undated): [{'id', 'titles'}]."""
        rows = self.db.execute(
            "SELECT DISTINCT s.id, s.titles FROM scheme_standards ss JOIN schemes s ON s.id = ss.scheme_id "
            "WHERE ss.member_key = ? OR ss.member_key = ? ORDER BY s.id", (key, work)).fetchall()
        return [{"id": r["id"], "titles": json.loads(r["titles"])} for r in rows]

    def list_systems_including(self, key: str, work: str) -> list[dict]:
        """Systems that list this edition or its work (undated): [{'id', 'titles', 'node'}]."""
        rows = self.db.execute(
            "SELECT DISTINCT s.id, s.titles, m.node_code FROM system_members m JOIN systems s ON s.id = m.system_id "
            "WHERE m.member_key = ? OR m.member_key = ? ORDER BY s.id", (key, work)).fetchall()
        return [{"id": r["id"], "titles": json.loads(r["titles"]), "node": r["node_code"]} for r in rows]

    def list_cited_works(self, scheme_id: str | None = None, system_id: str | None = None) -> set[str]:
        """The works a scheme (or a system, or every scheme and system) names."""
        if scheme_id:
            rows = self.db.execute("SELECT member_work FROM scheme_standards WHERE scheme_id = ?", (scheme_id,))
        elif system_id:
            rows = self.db.execute("SELECT member_work FROM system_members WHERE system_id = ?", (system_id,))
        else:
            rows = self.db.execute("SELECT member_work FROM scheme_standards UNION SELECT member_work FROM system_members")
        return {r[0] for r in rows}

    def list_keys_of_works(self, works: Iterable[str]) -> set[str]:
        """Every edition key of the given works."""
        keys: set[str] = set()
        for work in set(works):
            keys.update(r[0] for r in self.db.execute("SELECT key FROM standards WHERE work = ?", (work,)))
        return keys

    def fetch_change_rows(self, keys: Iterable[str]) -> dict[str, dict]:
        """key -> {'key', 'designation', 'work', 'status', 'published', 'withdrawn'} for held keys."""
        wanted = sorted(set(keys))
        out: dict[str, dict] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            for r in self.db.execute(
                    "SELECT key, designation, work, status, published, withdrawn FROM standards "
                    f"WHERE key IN ({', '.join('?' * len(chunk))})", chunk):
                out[r["key"]] = dict(r)
        return out

    def designation_of(self, key: str | None) -> str | None:
        """The designation of one record, or None."""
        if not key:
            return None
        row = self.db.execute("SELECT designation FROM standards WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def list_citing_lists(self, kind: str, key: str, work: str, limit: int) -> list[dict]:
        """Systems (``kind`` 'system') or schemes ('scheme') that list this edition, its work, or a
        part of its number (a series: 'gb-t-14048' when one lists GB/T 14048.2):
        [{'id', 'designation' (as listed), 'titles'}]."""
        table, title_table, id_column = (("system_members", "systems", "system_id") if kind == "system"
                                         else ("scheme_standards", "schemes", "scheme_id"))
        if not self.has_table(table):
            return []
        rows = self.db.execute(
            f"SELECT DISTINCT m.{id_column} AS id, m.designation, t.titles FROM {table} m "
            f"JOIN {title_table} t ON t.id = m.{id_column} "
            "WHERE m.member_work = ? OR m.member_key IN (?, ?) "
            "OR (m.member_work > ? AND m.member_work < ?) OR (m.member_work > ? AND m.member_work < ?) "
            f"ORDER BY m.{id_column} LIMIT ?",
            (work, key, work, work + ".", work + ".\uffff", work + "-", work + "-\uffff", limit)).fetchall()
        return [{"id": r["id"], "designation": r["designation"], "titles": json.loads(r["titles"] or "{}")} for r in rows]
