"""Scale benchmark: a synthetic catalogue of up to a million records (issue 7, point 6).

    .venv/bin/python bench/scale.py --records 1000000 --home /tmp/scale1m --procs 2 --result /tmp/scale1m.json
    .venv/bin/python bench/scale.py --home /tmp/scale1m --skip-ingest --skip-index   # search only, again

Phases, each timed, with the load average and memory after it:
1. ingest: records from bench/synthetic.py (generated, completed by the pipeline's own
   ``complete_record``) merged into the store with ``Store.merge``, one transaction per batch of
   50,000 (``--batch``), then the explicit ``replaces`` relations settle the editions in force;
2. index: what ``catalogue reindex`` does: the extras (edition in force, systems) for every key,
   then ``SearchIndex.rebuild(store.iter_records(), extras)`` into a fresh generation;
3. search: a fresh ``SearchIndex`` opened (as a server process would), warmed, then the query
   classes of bench/search_latency.py (designation, two English words, Chinese, two words with
   three facet filters, prefix), every search with facets; p50/p95/max per class.
Prints one JSON object and writes it to ``--result`` after every phase, so a run stopped half-way
keeps the numbers of the phases it finished.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import synthetic  # noqa: E402
from search_latency import make_queries, percentiles  # noqa: E402

SOURCE = "synthetic"


def read_memory() -> dict:
    """This process's resident memory now and at its peak, in MB (from /proc/self/status)."""
    out = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            # RssAnon is the process's own memory; RssFile the mapped index files' pages it has
            # touched, which every process reading the same generation shares
            if line.startswith(("VmRSS:", "VmHWM:", "RssAnon:", "RssFile:")):
                out[line.split(":")[0]] = round(int(line.split()[1]) / 1024)
    except OSError:
        pass
    out["ru_maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if children:
        out["children_ru_maxrss_mb"] = round(children / 1024)
    return out


def measure_folder(path: Path) -> float:
    """Size in MB of every file under ``path`` (a file: its own size)."""
    if path.is_file():
        return round(path.stat().st_size / 1e6, 1)
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6, 1)


def note(result: dict, phase: str, started: float, out: Path | None, **facts) -> None:
    """Record one phase: seconds, load average, memory, and ``facts``; save the result so far."""
    result[phase] = {"seconds": round(time.monotonic() - started, 1), **facts,
                     "loadavg_1_5_15": [round(x, 2) for x in os.getloadavg()], "memory_mb": read_memory()}
    print(f"[{time.strftime('%H:%M:%S')}] {phase}: {json.dumps(result[phase], ensure_ascii=False)}",
          file=sys.stderr, flush=True)
    if out is not None:
        out.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")


def ingest_synthetic(store, count: int, batch: int, seed: int) -> dict:
    """Merge ``count`` synthetic records into ``store``, one transaction per ``batch``."""
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    works: set[str] = set()
    records = synthetic.generate_records(count, seed)
    started = time.monotonic()
    done = 0
    while True:
        with store.transaction():
            n = 0
            for rec in records:
                counts[store.merge(rec, SOURCE).action] += 1
                works.add(rec.work)
                n += 1
                if n >= batch:
                    break
        done += n
        if n:
            print(f"[{time.strftime('%H:%M:%S')}] stored {done:,} ({done / (time.monotonic() - started):,.0f}/s)",
                  file=sys.stderr, flush=True)
        if n < batch:
            break
    settle_started = time.monotonic()
    # settle in batches too: one huge transaction would hold the write lock for minutes
    ordered = sorted(works)
    for i in range(0, len(ordered), batch):
        with store.transaction():
            store.settle_works(ordered[i:i + batch])
    counts["works"] = len(works)
    counts["settle_seconds"] = round(time.monotonic() - settle_started, 1)
    return counts


def sample_records(store, size: int, seed: int) -> list:
    """``size`` records picked at random from the store (the query material)."""
    keys = store.keys()
    rng = random.Random(seed)
    return [store.get(k) for k in rng.sample(keys, min(size, len(keys)))]


def run_queries(ix, queries: dict) -> dict:
    """p50 / p95 / max milliseconds and mean hits per query class, searches with facets."""
    out = {}
    for kind, items in queries.items():
        if not items:
            continue
        times, hits = [], 0
        for text, filters in items:
            t0 = time.perf_counter()
            if kind == "prefix":
                hits += len(ix.suggest(text))
            else:
                hits += ix.search(text, filters=filters).total
            times.append((time.perf_counter() - t0) * 1000)
        p50, p95 = percentiles(times)
        out[kind] = {"n": len(times), "p50_ms": round(p50, 1), "p95_ms": round(p95, 1),
                     "max_ms": round(max(times), 1), "mean_hits": round(hits / len(times), 1)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--home", type=Path, required=True, help="catalogue home to build (emptied first)")
    parser.add_argument("--batch", type=int, default=50000, help="records per store transaction")
    parser.add_argument("--procs", type=int, default=1, help="Whoosh writer processes for the rebuild")
    parser.add_argument("--queries", type=int, default=60, help="queries per class")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--result", type=Path, help="write the JSON result here after every phase")
    parser.add_argument("--skip-ingest", action="store_true", help="reuse the store already in --home")
    parser.add_argument("--skip-index", action="store_true", help="reuse the index already in --home")
    args = parser.parse_args(argv)

    from catalogue.edges.service import INDEX_DIR, Catalogue
    from catalogue.store import Store
    from index import SearchIndex

    result: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                    "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "records_asked": args.records,
                    "batch": args.batch, "procs": args.procs, "loadavg_at_start": list(os.getloadavg())}
    if not args.skip_ingest:
        if args.home.exists():
            shutil.rmtree(args.home)
        started = time.monotonic()
        with Store(args.home, create=True) as store:
            counts = ingest_synthetic(store, args.records, args.batch, args.seed)
            stored = store.count()
        note(result, "ingest", started, args.result, records=stored, **counts,
             per_second=round(stored / max(time.monotonic() - started, 1e-9)),
             sqlite_mb=measure_folder(args.home / "catalogue.sqlite3"))
    if not args.skip_index:
        started = time.monotonic()
        with Catalogue(args.home) as cat:
            extras = cat.extras_for_all()
            extras_s = round(time.monotonic() - started, 1)
            ix = SearchIndex(args.home / INDEX_DIR, procs=args.procs)
            indexed = ix.rebuild(cat.store.iter_records(), extras)
            ix.close()
        del extras
        note(result, "index", started, args.result, documents=indexed, extras_seconds=extras_s,
             per_second=round(indexed / max(time.monotonic() - started, 1e-9)),
             index_mb=measure_folder(args.home / INDEX_DIR))
    started = time.monotonic()
    with Store(args.home) as store:
        picks = sample_records(store, max(2000, args.queries * 20), args.seed)
        total_records = store.count()
        sqlite_mb = measure_folder(args.home / "catalogue.sqlite3")
    rss_before_open = read_memory().get("VmRSS")
    t0 = time.monotonic()
    ix = SearchIndex(args.home / INDEX_DIR)
    open_s = time.monotonic() - t0
    t0 = time.monotonic()
    ix.warm()
    warm_s = time.monotonic() - t0
    rss_after_warm = read_memory().get("VmRSS")
    queries = make_queries(picks, args.queries)
    classes = run_queries(ix, queries)
    second = run_queries(ix, queries)  # the same queries again: what a facet/result cache buys
    ix.close()
    note(result, "search", started, args.result, records=total_records, open_seconds=round(open_s, 1),
         warm_seconds=round(warm_s, 1), rss_index_mb=(rss_after_warm or 0) - (rss_before_open or 0),
         classes=classes, repeated=second, sqlite_mb=sqlite_mb,
         index_mb=measure_folder(args.home / INDEX_DIR))
    result["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    if args.result:
        args.result.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(result, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
