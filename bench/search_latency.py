"""Search latency: our Whoosh index beside SQLite FTS5 (bm25) and tantivy (BM25) over the same
records and queries, same run.

    .venv/bin/python bench/search_latency.py --records 1300          # synthetic catalogue
    .venv/bin/python bench/search_latency.py --records 94000 --queries 60
    .venv/bin/python bench/search_latency.py --home instance          # the store in a catalogue home
    .venv/bin/python bench/search_latency.py --home instance --index /tmp/ix --tantivy-index /tmp/tv --rss
    .venv/bin/python bench/search_latency.py --home instance --backend typesense --rss --result out.json

``--backend typesense`` measures the Typesense backend instead of Whoosh (the cluster in
CATALOGUE_TYPESENSE_NODES, else a server started for the run: bench/typesense_peer.py; with
CATALOGUE_TYPESENSE_COLLECTION naming a filled collection of the same records, the build is
skipped); --rss then also reports the server's resident memory.

The peers: FTS5 in bench/fts5_peer.py (in memory; a copy on disk for the fresh process), tantivy
(PyPI `tantivy`) in bench/tantivy_peer.py (a temporary folder, or --tantivy-index).

Query classes: designation, two English words, Chinese, two words with three facet filters,
prefix (autocomplete). Every search asks for facets (the issue's targets include them).
Prints p50 and p95 in milliseconds per class for the three engines, the build times, the load
average before and after, and with --rss one fresh process per engine (bench/fresh_process.py)
that imports the engine, opens the index and answers its first query (the cold open), then runs
every query once: its resident memory at start, after the first answer, after all queries and at
peak (what one server worker holds). --result writes every number as JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
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

from bench import tantivy_peer  # noqa: E402
from bench.fts5_peer import build_fts, fts_search, save_fts  # noqa: E402

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


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95


def load_average() -> str:
    """The 1-minute load average, as text: '1.52'."""
    return f"{os.getloadavg()[0]:.2f}"


def fresh_process(engine: str, index: Path, queries_file: Path) -> dict:
    """Run bench/fresh_process.py for one engine: its cold open, RSS, and the process's wall time."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "fresh_process.py"), engine, str(index), str(queries_file)],
                         capture_output=True, text=True, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["process_s"] = round(time.perf_counter() - started, 2)
    return result


def build_tantivy(records: list[Standard], folder: Path) -> bool:
    """Build the tantivy index in folder unless it already holds these records; True when reused."""
    if tantivy_peer.count(folder) == len(records):
        return True
    if (folder / "meta.json").exists():  # a tantivy index of other records: replace it
        shutil.rmtree(folder)
    tantivy_peer.build(records, folder)
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1300, help="synthetic records to generate (default 1300)")
    parser.add_argument("--home", type=Path, help="a catalogue home: index its store instead of synthetic records")
    parser.add_argument("--queries", type=int, default=100, help="queries per class (default 100)")
    parser.add_argument("--procs", type=int, default=1, help="writer processes for the Whoosh build")
    parser.add_argument("--index", type=Path,
                        help="keep the Whoosh index in this folder and reuse it when it is there (skips the build)")
    parser.add_argument("--tantivy-index", type=Path,
                        help="keep the tantivy index in this folder and reuse it when it holds as many records")
    parser.add_argument("--rss", action="store_true",
                        help="also run a fresh process per engine: cold open (open + first answer) and resident memory")
    parser.add_argument("--result", type=Path, help="also write every number as JSON to this file")
    parser.add_argument("--backend", choices=("whoosh", "typesense"), default="whoosh",
                        help="the search backend to measure beside FTS5 and tantivy (default whoosh)")
    args = parser.parse_args(argv)
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
    ours_name = "ours" if args.backend == "whoosh" else "ts"
    engines = (ours_name, "fts5", "tantivy")
    result = {"records": len(records), "queries_per_class": args.queries, "backend": args.backend,
              "notes": [tantivy_peer.ZH_NOTE], "build_s": {}, "reused": {}, "latency_ms": {}}
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
        result["build_s"][ours_name], result["reused"][ours_name] = round(time.perf_counter() - started, 3), reuse
        started = time.perf_counter()
        db = build_fts(records)
        result["build_s"]["fts5"], result["reused"]["fts5"] = round(time.perf_counter() - started, 3), False
        tantivy_dir = args.tantivy_index or Path(tmp) / "tantivy"
        started = time.perf_counter()
        result["reused"]["tantivy"] = build_tantivy(records, tantivy_dir)
        result["build_s"]["tantivy"] = round(time.perf_counter() - started, 3)
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
        started = time.perf_counter()
        peer = tantivy_peer.TantivyPeer(tantivy_dir)
        tantivy_open_s = time.perf_counter() - started
        result.update(open_s={ours_name: round(opens[0], 3), ours_name + " with row cache": round(opens[1], 3),
                              "tantivy": round(tantivy_open_s, 4)}, warm_s=round(warm_s, 3))
        queries = make_queries(records, args.queries)
        builds = ", ".join(f"{e} {result['build_s'][e]:.1f} s{' (reused)' if result['reused'][e] else ''}" for e in engines)
        print(f"records: {len(records):,}; build: {builds}; open: {ours_name} {opens[0]:.2f} s first, "
              f"{opens[1]:.2f} s with row cache, tantivy {tantivy_open_s:.3f} s; {ours_name} warm-up {warm_s:.2f} s")
        print(f"{'class':<20}" + "".join(f"{e + ' p50':>12}{e + ' p95':>12}" for e in engines) + "  (ms)")
        searches = (lambda kind, text, filters: ix.suggest(text) if kind == "prefix" else ix.search(text, filters=filters),
                    lambda kind, text, filters: fts_search(db, kind, text, filters), peer.search)
        for kind, items in queries.items():
            if not items:
                continue
            samples = [[] for _ in engines]
            for text, filters in items:
                for search, times in zip(searches, samples):
                    t0 = time.perf_counter()
                    search(kind, text, filters)
                    times.append((time.perf_counter() - t0) * 1000)
            cells = [percentiles(times) for times in samples]
            result["latency_ms"][kind] = {e: {"p50": round(p50, 3), "p95": round(p95, 3)} for e, (p50, p95) in zip(engines, cells)}
            print(f"{kind:<20}" + "".join(f"{p50:>12.1f}{p95:>12.1f}" for p50, p95 in cells))
        ix.close()
        peer.close()
        result["load_average"] = [float(load_before), float(load_average())]
        print(f"load average: {load_before} before, {result['load_average'][1]:.2f} after")
        short = sum(len(text) < 3 for text, _ in queries["Chinese"])
        if short:  # FTS5's trigram tokenizer cannot match fewer than 3 characters
            result["notes"].append(f"{short} of {len(queries['Chinese'])} Chinese queries are shorter than 3 characters: "
                                   "FTS5's trigram table answers them with no hits (tantivy's bigrams do match them)")
        for note in result["notes"]:
            print(f"note: {note}")
        if args.rss:
            queries_file = Path(tmp) / "queries.json"
            queries_file.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
            fts_file = Path(tmp) / "fts5.sqlite"
            save_fts(db, fts_file)
            result["fresh_process"] = {}
            print(f"a fresh process per engine: {'engine':<8}{'cold open s':>12}{'RSS start':>11}{'1st answer':>11}"
                  f"{'all queries':>12}{'peak':>7}{'process s':>11}  (MB)")
            for engine, name, index in ((args.backend, ours_name, index_dir), ("fts5", "fts5", fts_file),
                                        ("tantivy", "tantivy", tantivy_dir)):
                rss = result["fresh_process"][name] = fresh_process(engine, index, queries_file)
                print(f"{'':<27}{name:<8}{rss['cold_open_s']:>12.3f}{rss['start']:>11}{rss['first']:>11}"
                      f"{rss['after']:>12}{rss['peak']:>7}{rss['process_s']:>11.2f}")
        db.close()
    if nodes:
        from bench.typesense_peer import server_rss_mb, stop

        result["typesense_server_rss_mb"] = server_rss_mb(nodes)
        print(f"Typesense server RSS (MB, now and peak): {result['typesense_server_rss_mb']}")
        stop(nodes)
    if args.result:
        args.result.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0

if __name__ == "__main__":
    raise SystemExit(main())
