"""Search latency: our Whoosh index against SQLite FTS5 (bm25) over the same records, same run.

    .venv/bin/python bench/search_latency.py --records 1300          # synthetic catalogue
    .venv/bin/python bench/search_latency.py --records 94000 --queries 60
    .venv/bin/python bench/search_latency.py --home instance          # the store in a catalogue home
    .venv/bin/python bench/search_latency.py --home instance --index /tmp/ix --rss   # reuse a build
    .venv/bin/python bench/search_latency.py --home instance --backend typesense --rss

``--backend typesense`` measures the Typesense backend instead of Whoosh (the cluster in
CATALOGUE_TYPESENSE_NODES, else a server started for the run: bench/typesense_peer.py; with
CATALOGUE_TYPESENSE_COLLECTION naming a filled collection of the same records, the build is
skipped); --rss then also reports the server's resident memory.

Query classes: designation, two English words, Chinese, two words with three facet filters,
prefix (autocomplete). Every search asks for facets (the issue's targets include them).
Prints p50 and p95 in milliseconds per class, for both engines, the build times, the load
average before and after, and with --rss the resident memory of a fresh process that opens the
index, warms it and runs every query once (what one server worker holds).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalogue.records import Standard  # noqa: E402
from index import SearchIndex  # noqa: E402

EN_WORDS = ("valves gate globe ball butterfly check safety pressure testing metallic industrial steel flanged "
            "switchgear controlgear circuit breakers contactors low voltage socket outlets plugs household "
            "spectacle frames lenses sunglasses ophthalmic optics footwear safety leather soles upper "
            "road vehicles brake air filter electric engines requirements methods test general rules "
            "specification determination dimensions vocabulary terminology performance").split()
ZH_WORDS = ("闸阀 截止阀 球阀 蝶阀 止回阀 安全阀 压力试验 工业阀门 断路器 接触器 低压 开关设备 插座 眼镜架 眼镜片 太阳镜 "
            "安全鞋 皮革 鞋底 汽车 制动 空气滤清器 电动汽车 试验方法 通用要求 术语 通则 规范 测定 尺寸").split()
PUBLISHERS = (("ISO", "ISO {n}:{y}", "iso-{n}-{y}", "iso-{n}"), ("IEC", "IEC {n}:{y}", "iec-{n}-{y}", "iec-{n}"),
              ("SAC", "GB/T {n}-{y}", "gb-t-{n}-{y}", "gb-t-{n}"), ("MIIT", "JB/T {n}-{y}", "jb-t-{n}-{y}", "jb-t-{n}"))
ICS = ("23.060.01", "23.060.30", "29.130.20", "11.040.70", "13.340.50", "43.040.40", "59.140.30", "01.040.23")
STATUSES = ("current", "current", "current", "withdrawn", "replaced", "upcoming")


def make_records(count: int, seed: int = 7) -> list[Standard]:
    """Synthetic standards-like records: real-looking designations, titles from the vocabularies."""
    rng = random.Random(seed)
    records = []
    number = 1000
    while len(records) < count:
        number += rng.randint(1, 7)
        publisher, display, key, work = rng.choice(PUBLISHERS)
        for year in sorted(rng.sample(range(1985, 2025), rng.randint(1, 3))):
            title = " ".join(rng.sample(EN_WORDS, rng.randint(3, 8))).capitalize()
            titles = {"en": title}
            if publisher in ("SAC", "MIIT"):
                titles["zh"] = "".join(rng.sample(ZH_WORDS, rng.randint(2, 4)))
            records.append(Standard(
                display.format(n=number, y=year), key=key.format(n=number, y=year), work=work.format(n=number),
                publisher=publisher, number=str(number), year=str(year), status=rng.choice(STATUSES),
                titles=titles, ics=[rng.choice(ICS)], committee=f"TC {rng.randint(1, 300)}",
                languages=["zh"] if publisher in ("SAC", "MIIT") else ["en", "fr"],
                published=f"{year}-{rng.randint(1, 12):02d}-01"))
    return records[:count]


def make_queries(records: list[Standard], per_class: int, seed: int = 11) -> dict[str, list]:
    """Queries drawn from the records themselves, so every class finds something."""
    import jieba  # the index has loaded it already; used here to pick Chinese words

    rng = random.Random(seed)
    picks = rng.sample(records, min(per_class, len(records)))
    english = [r for r in records if len(_words(r.titles.get("en", ""))) >= 2]
    chinese = [r for r in records if r.titles.get("zh")]

    def two_words() -> tuple[str, Standard]:
        record = rng.choice(english)
        return " ".join(rng.sample(_words(record.titles["en"]), 2)), record

    def chinese_word() -> str:
        words = [w for w in jieba.cut(rng.choice(chinese).titles["zh"]) if len(w) >= 2 and w.isalpha()]
        return rng.choice(words) if words else "阀门"

    faceted = []
    for _ in range(per_class):
        text, record = two_words()
        year = record.year or record.published[:4]
        faceted.append((text, {"publisher": [record.publisher], "status": [record.status or "current"],
                               "decade": [year[:3] + "0s"] if year else []}))
    return {
        "designation": [(r.designation, None) for r in picks],
        "two English words": [(two_words()[0], None) for _ in range(per_class)],
        "Chinese": [(chinese_word(), None) for _ in range(per_class)] if chinese else [],
        "three facets": [(text, {k: v for k, v in f.items() if v}) for text, f in faceted],
        "prefix": [(r.designation[: rng.randint(5, 8)], None) for r in picks],
    }


def _words(title: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z]{4,}", title) if w.lower() not in ("with", "from", "part", "general")]


def build_fts(records: list[Standard]) -> sqlite3.Connection:
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


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95


def read_rss_mb() -> tuple[float, float]:
    """This process's resident memory now and at its peak, in MB (Linux /proc): (812.4, 840.1)."""
    found = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                found[line.split(":")[0]] = int(line.split()[1]) / 1024
    return found.get("VmRSS", 0.0), found.get("VmHWM", 0.0)


def measure_rss(index_dir: Path, queries_file: Path, backend: str = "whoosh") -> int:
    """Child mode of --rss: open the index, warm it, run every query once, print RSS as JSON."""
    before = read_rss_mb()[0]
    if backend == "typesense":
        from index.typesense_backend import TypesenseIndex

        ix = TypesenseIndex(index_dir)
    else:
        ix = SearchIndex(index_dir)
    ix.warm()
    warmed = read_rss_mb()[0]
    for kind, items in json.loads(queries_file.read_text(encoding="utf-8")).items():
        for text, filters in items:
            if kind == "prefix":
                ix.suggest(text)
            else:
                ix.search(text, filters=filters)
    now, peak = read_rss_mb()
    print(json.dumps({"start": round(before), "warmed": round(warmed), "after": round(now), "peak": round(peak)}))
    ix.close()
    return 0


def load_average() -> str:
    """The 1-minute load average, as text: '1.52'."""
    return f"{os.getloadavg()[0]:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1300, help="synthetic records to generate (default 1300)")
    parser.add_argument("--home", type=Path, help="a catalogue home: index its store instead of synthetic records")
    parser.add_argument("--queries", type=int, default=100, help="queries per class (default 100)")
    parser.add_argument("--procs", type=int, default=1, help="writer processes for the Whoosh build")
    parser.add_argument("--index", type=Path,
                        help="keep the Whoosh index in this folder and reuse it when it is there (skips the build)")
    parser.add_argument("--rss", action="store_true",
                        help="also measure a fresh process's RSS after opening, warming and running the queries")
    parser.add_argument("--measure-rss", nargs=2, type=Path, metavar=("INDEX", "QUERIES"), help=argparse.SUPPRESS)
    parser.add_argument("--backend", choices=("whoosh", "typesense"), default="whoosh",
                        help="the search backend to measure beside FTS5 (default whoosh)")
    args = parser.parse_args(argv)
    if args.measure_rss:
        return measure_rss(*args.measure_rss, backend=args.backend)
    load_before = load_average()

    if args.home:
        from catalogue.store import Store  # the store API of catalogue/store.py

        store = Store(args.home)
        records = list(store.iter_records())
    else:
        records = make_records(args.records)

    nodes = []
    if args.backend == "typesense":
        from bench.typesense_peer import use_typesense

        nodes = use_typesense(collection="latency")
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        index_dir = args.index or Path(tmp) / "index"
        started = time.perf_counter()
        if args.backend == "typesense":
            from index.typesense_backend import TypesenseIndex

            ix = TypesenseIndex(index_dir)
            reuse = ix.healthy() and ix.count() == len({r.key for r in records if r.key})
        else:
            reuse = (index_dir / "CURRENT").exists()
            ix = SearchIndex(index_dir, procs=args.procs)
        if not reuse or not ix.healthy() or ix.count() != len({r.key for r in records if r.key}):
            ix.rebuild(records)
            reuse = False
        build_whoosh = time.perf_counter() - started
        started = time.perf_counter()
        db = build_fts(records)
        build_fts_s = time.perf_counter() - started
        ix.close()
        opens = []
        for _ in range(2):  # a new process opening the index: first time, then with the row cache
            started = time.perf_counter()
            ix = SearchIndex(index_dir) if args.backend == "whoosh" else TypesenseIndex(index_dir)
            opens.append(time.perf_counter() - started)
            if len(opens) == 1:
                ix.close()
        started = time.perf_counter()
        ix.warm()  # jieba, sort orders, suggestion lists: once per process, as a server does at start
        warm_s = time.perf_counter() - started
        queries = make_queries(records, args.queries)
        print(f"records: {len(records):,}; build: {args.backend} {build_whoosh:.1f} s{' (reused)' if reuse else ''}, fts5 {build_fts_s:.1f} s; "
              f"open: {opens[0]:.2f} s first, {opens[1]:.2f} s with row cache; warm-up {warm_s:.2f} s")
        ours_name = "ours" if args.backend == "whoosh" else "ts"
        print(f"{'class':<20}{ours_name + ' p50':>10}{ours_name + ' p95':>10}{'fts5 p50':>10}{'fts5 p95':>10}  (ms)")
        for kind, items in queries.items():
            if not items:
                continue
            ours, theirs = [], []
            for text, filters in items:
                t0 = time.perf_counter()
                if kind == "prefix":
                    ix.suggest(text)
                else:
                    ix.search(text, filters=filters)
                ours.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                fts_search(db, kind, text, filters)
                theirs.append((time.perf_counter() - t0) * 1000)
            o50, o95 = percentiles(ours)
            f50, f95 = percentiles(theirs)
            print(f"{kind:<20}{o50:>10.1f}{o95:>10.1f}{f50:>10.1f}{f95:>10.1f}")
        ix.close()
        print(f"load average: {load_before} before, {load_average()} after")
        if args.rss:
            queries_file = Path(tmp) / "queries.json"
            queries_file.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
            out = subprocess.run([sys.executable, __file__, "--measure-rss", str(index_dir), str(queries_file),
                                  "--backend", args.backend],
                                 capture_output=True, text=True, check=True).stdout
            rss = json.loads(out.strip().splitlines()[-1])
            print(f"RSS of a fresh process (MB): {rss['start']} at start, {rss['warmed']} opened and warmed, "
                  f"{rss['after']} after the queries, peak {rss['peak']}")
    if nodes:
        from bench.typesense_peer import server_rss_mb, stop

        print(f"Typesense server RSS (MB, now and peak): {server_rss_mb(nodes)}")
        stop(nodes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
