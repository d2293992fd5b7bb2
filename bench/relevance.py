"""Relevance harness: success@1, success@5 and MRR per query kind, ours against plain SQLite FTS5.

    .venv/bin/python bench/relevance.py [--home DIR] [--queries bench/queries.tsv] [--json]
    .venv/bin/python bench/relevance.py --backend typesense [--home DIR]   # the Typesense backend

With ``--backend typesense`` the catalogue searches through the Typesense backend: the cluster
in CATALOGUE_TYPESENSE_NODES, else a server started for the run (bench/typesense_peer.py); a
new collection is filled from the store by the ordinary catch-up, whose time is reported.

Without --home it builds the bundled demo catalogue in a temporary folder. With --home it uses
that catalogue (e.g. the full real ISO + IEC one built by bench/ingest_real.py --keep DIR).
The peer is built in the same run from the same records: an FTS5 table (unicode61 tokenizer,
bm25 ranking) over designation, titles in every language and the key, queried with the user's
words as plain terms (FTS5's default AND of quoted tokens).

Judgments (bench/queries.tsv): a work key counts when a hit is that work's edition in force;
``=key`` counts only that exact edition; ``@parts`` (kind ``series``) counts the edition in
force of any part of the number queried; ``-`` (kind ``notheld``) means the designation is not
in the catalogue: the answer is right when it says so (ours: ``not_held`` names it and no hit
is shown; FTS5: no row), all three measures 1, else 0. ``real:`` before a key (or before ``-`` or
``@parts``) says the judgment holds in the real ISO + IEC catalogue only: the bundled demo does not
hold that work (or, for ``notheld``, it holds the designation; for ``series``, no part of it).
Queries whose answers are not in the catalogue (or, for ``notheld``, whose designation the
catalogue does hold) are skipped and counted: as "real catalogue only" when every item of the
judgment says ``real:``, else as not catalogued here (``--show-skipped`` lists those).
"""
from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

K = 5


def load_queries(path: Path) -> list[tuple[str, str, list[str]]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, query, relevant = line.split("\t")
        out.append((kind, query, relevant.split()))
    return out


REAL = "real:"


def real_only(judged: list[str]) -> bool:
    """Whether every item of a judgment is marked as held by the real ISO + IEC catalogue only."""
    return bool(judged) and all(item.startswith(REAL) for item in judged)


def relevant_keys(store, judged: list[str], query: str = "") -> set[str]:
    from catalogue.designation import try_parse

    keys = set()
    judged = [item.removeprefix(REAL) for item in judged]
    if judged == ["-"]:
        d = try_parse(query)
        if d is None:
            return set()
        held = store.exists(d.key) if (d.year or d.supplement) else (
            store.work_exists(d.work) or bool(store.list_part_works(d.work)))
        return set() if held else {"-"}
    if judged == ["@parts"]:
        d = try_parse(query)
        for work in (store.list_part_works(d.work, limit=10000) if d else []):
            k = store.edition_in_force_key(work)
            if k:
                keys.add(k)
        return keys
    for item in judged:
        if item.startswith("="):
            if store.exists(item[1:]):
                keys.add(item[1:])
        else:
            k = store.edition_in_force_key(item)
            if k:
                keys.add(k)
    return keys


def build_fts(store) -> sqlite3.Connection:
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(key UNINDEXED, designation, titles, tokenize='unicode61')")
    rows = ((r.key, r.designation, " ".join(r.titles.values())) for r in store.iter_records())
    con.executemany("INSERT INTO docs (key, designation, titles) VALUES (?, ?, ?)", rows)
    con.commit()
    return con


def fts_search(con: sqlite3.Connection, query: str, limit: int = K) -> list[str]:
    tokens = re.findall(r"\w+", query)
    if not tokens:
        return []
    match = " ".join('"' + t.replace('"', '""') + '"' for t in tokens)
    try:
        rows = con.execute("SELECT key FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 0, 5.0, 1.0) LIMIT ?",
                           (match, limit)).fetchall()
    except sqlite3.OperationalError:
        return []
    return [r[0] for r in rows]


def score(ranked: list[str], relevant: set[str]) -> tuple[float, float, float]:
    rr = 0.0
    for i, key in enumerate(ranked[:K], 1):
        if key in relevant:
            rr = 1.0 / i
            break
    return (1.0 if ranked[:1] and ranked[0] in relevant else 0.0,
            1.0 if any(k in relevant for k in ranked[:K]) else 0.0, rr)


def summarise(rows: list[tuple[str, tuple]]) -> dict:
    by_kind: dict[str, list] = defaultdict(list)
    for kind, s in rows:
        by_kind[kind].append(s)
        by_kind["all"].append(s)
    return {kind: {"n": len(v), "s@1": round(sum(x[0] for x in v) / len(v), 3),
                   "s@5": round(sum(x[1] for x in v) / len(v), 3), "mrr": round(sum(x[2] for x in v) / len(v), 3)}
            for kind, v in by_kind.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--queries", type=Path, default=ROOT / "bench" / "queries.tsv")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--show-skipped", action="store_true")
    parser.add_argument("--backend", choices=("whoosh", "typesense"), default="whoosh")
    args = parser.parse_args()
    from catalogue.edges.service import Catalogue

    nodes = []
    if args.backend == "typesense":
        from bench.typesense_peer import use_typesense

        nodes = use_typesense(collection="relevance")

    home = args.home
    if home is None:
        from click.testing import CliRunner

        from catalogue.cli import main as cli

        home = Path(tempfile.mkdtemp(prefix="relevance-")) / "demo"
        CliRunner().invoke(cli, ["--home", str(home), "init", "--demo"])
    queries = load_queries(args.queries)
    with Catalogue(home) as cat:
        t = time.monotonic()
        cat.index  # noqa: B018 - opened and brought in step (a new Typesense collection: filled)
        index_build = time.monotonic() - t
        t = time.monotonic()
        fts = build_fts(cat.store)
        fts_build = time.monotonic() - t
        ours, peer, skipped, misses, real, skipped_queries = [], [], 0, [], 0, []
        for kind, query, judged in queries:
            relevant = relevant_keys(cat.store, judged, query)
            if not relevant:
                if real_only(judged):
                    real += 1
                else:
                    skipped += 1
                    skipped_queries.append((kind, query))
                continue
            data = cat.search(query, page_size=K).to_json()
            hits = [h["key"] for h in data["hits"]]
            if relevant == {"-"}:
                said = any(item["text"] == query or item["designation"] == query for item in data["not_held"])
                ours.append((kind, (1.0, 1.0, 1.0) if said and not hits else (0.0, 0.0, 0.0)))
                peer.append((kind, (1.0, 1.0, 1.0) if not fts_search(fts, query) else (0.0, 0.0, 0.0)))
                if ours[-1][1][0] == 0:
                    misses.append((kind, query, hits[:3], ["(not held)"]))
                continue
            ours.append((kind, score(hits, relevant)))
            peer.append((kind, score(fts_search(fts, query), relevant)))
            if ours[-1][1][0] == 0:
                misses.append((kind, query, hits[:3], sorted(relevant)))
        records = cat.store.count()
    result = {"catalogue": str(home), "backend": args.backend, "records": records, "queries": len(queries),
              "skipped": skipped + real, "skipped_real_only": real,
              "skipped_queries": [f"{kind}\t{query}" for kind, query in skipped_queries],
              "index_open_seconds": round(index_build, 1),
              "fts5_build_seconds": round(fts_build, 1), "ours": summarise(ours), "fts5": summarise(peer),
              "misses_at_1": [{"kind": kind, "query": query, "first": top, "relevant": relevant}
                              for kind, query, top, relevant in misses]}
    if nodes:
        from bench.typesense_peer import server_rss_mb, stop

        result["server_rss_mb"] = server_rss_mb(nodes)
        stop(nodes)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        print(f"{records} records, {len(queries) - skipped - real} queries judged ({real} skipped: judged for the "
              f"real ISO + IEC catalogue only; {skipped} skipped: answers not catalogued here); "
              f"backend {args.backend} (opened/filled in {index_build:.1f} s)"
              + (f"; server RSS MB (now, peak): {result['server_rss_mb']}" if nodes else ""))
        print(f"{'kind':<12} {'n':>3}  {'ours s@1':>8} {'s@5':>5} {'MRR':>5}   {'FTS5 s@1':>8} {'s@5':>5} {'MRR':>5}")
        for kind in sorted(result["ours"], key=lambda k: (k == "all", k)):
            o, f = result["ours"][kind], result["fts5"][kind]
            print(f"{kind:<12} {o['n']:>3}  {o['s@1']:>8.2f} {o['s@5']:>5.2f} {o['mrr']:>5.2f}   "
                  f"{f['s@1']:>8.2f} {f['s@5']:>5.2f} {f['mrr']:>5.2f}")
    if args.show_skipped:
        for kind, query in skipped_queries:
            print("skipped:", kind, query, file=sys.stderr)
    if args.show_misses:
        for m in misses:
            print("miss:", *m, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
