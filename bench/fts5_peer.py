"""SQLite FTS5 over the same records and queries as our index in bench/search_latency.py.

    db = build_fts(records)         # in memory: English (porter) and Chinese (trigram) tables
    save_fts(db, path)              # a copy on disk, for a fresh process to open (bench/fresh_process.py)
    fts_search(db, kind, text, filters)   # top 20 by bm25 plus publisher/status/decade counts
"""
from __future__ import annotations

import sqlite3
from pathlib import Path


def build_fts(records) -> sqlite3.Connection:
    """FTS5 over the same records: English (porter) and Chinese (trigram) tables, facets as columns."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE meta(rowid INTEGER PRIMARY KEY, key, designation, publisher, status, decade, ics)")
    db.execute("CREATE VIRTUAL TABLE fts USING fts5(designation, title_en, tokenize='porter unicode61')")
    db.execute("CREATE VIRTUAL TABLE fts_zh USING fts5(title_zh, tokenize='trigram')")
    for i, r in enumerate(records, start=1):
        year = r.year or r.published[:4]
        db.execute("INSERT INTO meta VALUES (?,?,?,?,?,?,?)",
                   (i, r.key, r.designation, r.publisher, r.status, year[:3] + "0s" if year else "",
                    r.ics[0] if r.ics else ""))
        db.execute("INSERT INTO fts(rowid, designation, title_en) VALUES (?,?,?)",
                   (i, r.designation, r.titles.get("en", "")))
        db.execute("INSERT INTO fts_zh(rowid, title_zh) VALUES (?,?)", (i, r.titles.get("zh", "")))
    db.commit()
    return db


def save_fts(db: sqlite3.Connection, path: Path) -> None:
    """Write the in-memory database to a file (replacing it) for a fresh process to open."""
    path.unlink(missing_ok=True)
    target = sqlite3.connect(path)
    db.backup(target)
    target.close()


def fts_search(db: sqlite3.Connection, kind: str, text: str, filters: dict | None) -> int:
    """One FTS5 search like ours: top 20 by bm25 plus publisher/status/decade counts."""
    if kind == "prefix":
        words = text.replace(":", " ").replace("/", " ").split()
        match = " ".join(f'"{w}"' for w in words[:-1]) + f' "{words[-1]}"*'
        return len(db.execute("SELECT designation FROM fts WHERE designation MATCH ? LIMIT 8", (match,)).fetchall())
    if kind == "Chinese":
        table, match = "fts_zh", f'"{text}"'
    elif kind == "designation":
        table, match = "fts", "designation : " + " ".join(f'"{w}"' for w in text.replace(":", " ").replace("/", " ").split())
    else:
        table, match = "fts", " ".join(f'"{w}"' for w in text.split())
    where, args = f"{table} MATCH ?", [match]
    for name, values in (filters or {}).items():
        where += f" AND meta.{name} IN ({','.join('?' * len(values))})"
        args.extend(values)
    sql = f"SELECT meta.key FROM {table} JOIN meta ON meta.rowid = {table}.rowid WHERE {where} ORDER BY bm25({table}) LIMIT 20"
    hits = db.execute(sql, args).fetchall()
    for facet in ("publisher", "status", "decade"):
        db.execute(f"SELECT meta.{facet}, count(*) FROM {table} JOIN meta ON meta.rowid = {table}.rowid "
                   f"WHERE {where} GROUP BY 1", args).fetchall()
    return len(hits)
