"""A fresh process measured for bench/search_latency.py --rss: open one engine's index, answer the
first query (the cold open: importing the engine's modules, opening, answering), run every other
query once, print resident memory (MB) as JSON: at start (before the imports), after the first
answer, after all queries, and the peak.

    .venv/bin/python bench/fresh_process.py ENGINE INDEX QUERIES.json
    {"cold_open_s": 0.012, "start": 21, "first": 40, "after": 48, "peak": 49}

ENGINE is whoosh (ours, warmed after its first answer as a server does at start), typesense,
fts5 (INDEX is the SQLite file) or tantivy (INDEX is its folder). Only the engine's own modules
are imported, so the three numbers compare what each engine holds.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def read_rss_mb() -> tuple[float, float]:
    """This process's resident memory now and at its peak, in MB (Linux /proc): (812.4, 840.1)."""
    found = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                found[line.split(":")[0]] = int(line.split()[1]) / 1024
    return found.get("VmRSS", 0.0), found.get("VmHWM", 0.0)


def _opener(engine: str, index: Path):
    """A function opening the index and the search function of one engine: (open(), search(handle, kind, text, filters))."""
    if engine == "fts5":
        import sqlite3

        from bench.fts5_peer import fts_search

        return lambda: sqlite3.connect(f"file:{index}?mode=ro", uri=True), fts_search, lambda db: db.close()
    if engine == "tantivy":
        from bench.tantivy_peer import TantivyPeer

        return lambda: TantivyPeer(index), lambda peer, *query: peer.search(*query), lambda peer: peer.close()
    if engine == "typesense":
        from index.typesense_backend import TypesenseIndex as Index
    else:
        from index import SearchIndex as Index

    def search(ix, kind, text, filters):
        return ix.suggest(text) if kind == "prefix" else ix.search(text, filters=filters)

    return lambda: Index(index), search, lambda ix: ix.close()


def measure(engine: str, index: Path, queries_file: Path) -> dict:
    queries = [(kind, text, filters) for kind, items in json.loads(queries_file.read_text(encoding="utf-8")).items()
               for text, filters in items]
    start = read_rss_mb()[0]
    started = time.perf_counter()  # the cold open counts importing the engine's modules
    open_index, search, close = _opener(engine, index)
    handle = open_index()
    search(handle, *queries[0])
    cold = time.perf_counter() - started
    first = read_rss_mb()[0]
    if engine in ("whoosh", "typesense"):
        handle.warm()  # jieba, sort orders, suggestion lists: once per process, as a server does at start
    for query in queries[1:]:
        search(handle, *query)
    now, peak = read_rss_mb()
    close(handle)
    return {"cold_open_s": round(cold, 3), "start": round(start), "first": round(first), "after": round(now), "peak": round(peak)}


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))))
