"""A bounded load run on the full real catalogue over loopback (issue 7, point 5).

    .venv/bin/python bench/ingest_real.py --keep /tmp/real94k          # once: the real catalogue
    .venv/bin/python bench/load_real.py --home /tmp/real94k --clients 50 --seconds 60 --markdown

Starts ``catalogue --home HOME serve`` on a free 127.0.0.1 port (the helpers of bench/load_web.py),
waits until it answers, then runs ``--clients`` client threads, each with its own keep-alive
connection, for at most ``--seconds`` and at most ``--max-requests`` requests in all. Requests are
drawn from the catalogue itself (records sampled from its SQLite store, read-only), so every
designation exists and the searches look like a reader's:

- searches by designation in the spellings people type (``ISO 5208:2015``, ``iso5208``, undated),
- searches by two English title words, and by Chinese words from the bundled glossary (the real
  ISO/IEC catalogue has English and French titles: Chinese finds them through the glossary),
- searches with two or three facet filters (publisher, status, ICS, decade) and a sort,
- standard pages, their JSON twins, search JSON twins, work-key redirects, ``/resolve?ref=...``.

Every response is checked against the status it should have; anything else, a timeout or a
refused connection is an error, and the first ten are printed with their paths. Reports p50 /
p95 / p99 / max per kind and overall, throughput, the server's resident memory (``VmRSS`` of the
server and its children from /proc) before and after, and the load average, since the clients
share the machine's 2 cores with the server, and the server's CPU time per request (the measure that
stays comparable when other jobs share the machine). The server is stopped at the end, whatever happens.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load_web import free_port, server_cpu_seconds, server_memory_mb, server_rss_mb, start_server  # noqa: E402

#: Request kinds and their weights in the mix.
MIX = {
    "search_designation": 12, "search_english": 12, "search_chinese": 8, "search_facets": 15,
    "search_json": 8, "standard": 17, "standard_json": 8, "work_redirect": 5, "resolve": 15,
}
#: Statuses that count as success per kind (anything else is an error).
EXPECTED = {"work_redirect": (302, 200), "resolve": (302, 200)}
STOP = {"with", "from", "part", "general", "and", "for", "the", "of", "amendment", "technical", "corrigendum"}


def sample_catalogue(home: Path, size: int, seed: int) -> dict:
    """Records picked at random from the store (read-only): keys, works, designations, facets."""
    db = sqlite3.connect(f"file:{home / 'catalogue.sqlite3'}?mode=ro", uri=True)
    total = db.execute("SELECT count(*) FROM standards").fetchone()[0]
    rng = random.Random(seed)
    rowids = rng.sample(range(1, db.execute("SELECT max(rowid) FROM standards").fetchone()[0] + 1), size * 2)
    rows = []
    for start in range(0, len(rowids), 500):
        chunk = rowids[start:start + 500]
        rows.extend(db.execute(
            "SELECT key, work, designation, publisher, status, year, titles, ics FROM standards "
            f"WHERE rowid IN ({','.join('?' * len(chunk))})", chunk).fetchall())
    db.close()
    rows = rows[:size]
    sample = {"records": total, "keys": [], "works": [], "designations": [], "english": [], "facets": []}
    for key, work, designation, publisher, status, year, titles, ics in rows:
        sample["keys"].append(key)
        if work != key:
            sample["works"].append(work)
        sample["designations"].append(designation)
        words = [w for w in re.findall(r"[A-Za-z]{4,}", json.loads(titles).get("en", "")) if w.lower() not in STOP]
        if len(words) >= 2:
            sample["english"].append(" ".join(rng.sample(words, 2)))
        facet = {"publisher": publisher, "status": status}
        if year:
            facet["decade"] = year[:3] + "0s"
        codes = json.loads(ics)
        if codes:
            facet["ics"] = codes[0].split(".")[0]
        sample["facets"].append(facet)
    return sample


def read_glossary_chinese() -> list[str]:
    """Chinese terms of index/glossary.tsv (the cross-language glossary): '闸阀', '断路器' ..."""
    terms = []
    for line in (ROOT / "index" / "glossary.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        first = line.split("\t")[0].split(";")[0].strip()
        if first:
            terms.append(first)
    return terms


def spell(designation: str, rng: random.Random) -> str:
    """A spelling a user might type: as printed, lower case without spaces, or undated."""
    choice = rng.random()
    if choice < 0.4:
        return designation
    if choice < 0.7:
        return designation.lower().replace(" ", "")
    return re.sub(r"[:-](19|20)\d\d\b.*$", "", designation)


def make_path(kind: str, rng: random.Random, sample: dict, chinese: list[str]) -> str:
    """The path of one request of ``kind``: '/search?q=iso5208%3A2015' ..."""
    if kind == "search_designation":
        return "/search?" + urlencode({"q": spell(rng.choice(sample["designations"]), rng)})
    if kind == "search_english":
        return "/search?" + urlencode({"q": rng.choice(sample["english"])})
    if kind == "search_chinese":
        return "/search?" + urlencode({"q": rng.choice(chinese)})
    if kind == "search_facets":
        facet = rng.choice(sample["facets"])
        names = rng.sample(sorted(facet), min(len(facet), rng.choice((2, 3))))
        params = {"q": rng.choice(sample["english"] + chinese[:50])}
        params.update({name: facet[name] for name in names})
        params["sort"] = rng.choice(("relevance", "date", "designation"))
        return "/search?" + urlencode(params)
    if kind == "search_json":
        return "/search.json?" + urlencode({"q": rng.choice(sample["english"] + chinese), "page": rng.choice((1, 1, 2))})
    if kind == "standard":
        return f"/standards/{quote(rng.choice(sample['keys']))}"
    if kind == "standard_json":
        return f"/standards/{quote(rng.choice(sample['keys']))}.json"
    if kind == "work_redirect":
        return f"/standards/{quote(rng.choice(sample['works']))}"
    return "/resolve?" + urlencode({"ref": spell(rng.choice(sample["designations"]), rng)})


class Tally:
    """Latencies, errors and cache hits per kind, shared by the client threads."""

    def __init__(self, budget: int):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = {k: [] for k in MIX}
        self.errors: dict[str, int] = {k: 0 for k in MIX}
        self.hits: dict[str, int] = {k: 0 for k in MIX}
        self.examples: list[str] = []
        self.budget = budget

    def take(self) -> bool:
        """One request from the shared budget (the run is bounded in count as well as time)."""
        with self.lock:
            if self.budget <= 0:
                return False
            self.budget -= 1
            return True

    def add(self, local: "Tally") -> None:
        with self.lock:
            for kind in MIX:
                self.times[kind].extend(local.times[kind])
                self.errors[kind] += local.errors[kind]
                self.hits[kind] += local.hits[kind]
            self.examples.extend(local.examples[: max(0, 10 - len(self.examples))])


def run_client(port: int, until: float, seed: int, sample: dict, chinese: list[str], tally: Tally,
               timeout: float) -> None:
    """One client: keep-alive requests of random kinds until the time or the budget runs out."""
    rng = random.Random(seed)
    kinds, weights = list(MIX), list(MIX.values())
    local = Tally(0)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    languages = ("zh-CN,zh;q=0.9", "en-GB,en;q=0.9")
    while time.time() < until and tally.take():
        kind = rng.choices(kinds, weights)[0]
        path = make_path(kind, rng, sample, chinese)
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers={"Accept-Language": rng.choice(languages)})
            response = conn.getresponse()
            response.read()
            status = response.status
            if response.getheader("X-Cache") == "hit":
                local.hits[kind] += 1
        except (OSError, http.client.HTTPException) as exc:
            status = f"{type(exc).__name__}"
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        local.times[kind].append((time.perf_counter() - started) * 1000)
        if status not in EXPECTED.get(kind, (200,)):
            local.errors[kind] += 1
            if len(local.examples) < 10:
                local.examples.append(f"{status} {path}")
    conn.close()
    tally.add(local)


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summarise(tally: Tally, elapsed: float) -> list[dict]:
    """One row per kind plus 'all', as dicts: requests, errors, p50/p95/p99/max ms, cache hits."""
    rows = []
    every = [t for times in tally.times.values() for t in times]
    for kind, times in list(tally.times.items()) + [("all", every)]:
        if not times:
            continue
        errors = sum(tally.errors.values()) if kind == "all" else tally.errors[kind]
        hits = sum(tally.hits.values()) if kind == "all" else tally.hits[kind]
        rows.append({"kind": kind, "requests": len(times), "errors": errors,
                     "p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 0.95), 1),
                     "p99_ms": round(percentile(times, 0.99), 1), "max_ms": round(max(times), 1),
                     "per_second": round(len(times) / elapsed, 1), "cache_hits_pct": round(100 * hits / len(times))})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="the catalogue to serve (e.g. /tmp/real94k)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=200_000, help="stop after this many requests in all")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds a client waits for one answer")
    parser.add_argument("--sample", type=int, default=3000, help="records sampled from the store for requests")
    parser.add_argument("--seed", type=int, default=94161)
    parser.add_argument("--workers", type=int, default=1, help="`catalogue serve --workers N`")
    parser.add_argument("--no-cache", action="store_true", help="turn the server's response cache off")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables for BENCHMARKS.md")
    parser.add_argument("--result", type=Path, help="also write the result as JSON here")
    args = parser.parse_args(argv)
    if not (args.home / "catalogue.sqlite3").exists():
        print(f"No catalogue at {args.home}: build it with bench/ingest_real.py --keep {args.home}", file=sys.stderr)
        return 2

    sample = sample_catalogue(args.home, args.sample, args.seed)
    chinese = read_glossary_chinese()
    result: dict = {"home": str(args.home), "records": sample["records"], "clients": args.clients,
                    "workers": args.workers, "cache": not args.no_cache}
    with tempfile.TemporaryDirectory(prefix="load-real-") as tmp:
        port = free_port()
        opened = time.monotonic()
        server = start_server(args.home, port, Path(tmp) / "server.log", args.workers, cache=not args.no_cache)
        try:
            result["server_start_seconds"] = round(time.monotonic() - opened, 1)
            # a short warm-up (jieba, the document table, sort orders) stays out of the numbers
            warm = Tally(200)
            run_client(port, time.time() + 5, args.seed - 1, sample, chinese, warm, args.timeout)
            result["rss_before_mb"] = round(server_rss_mb(server.pid))
            result["loadavg_before"] = [round(x, 2) for x in os.getloadavg()]
            cpu_before = server_cpu_seconds(server.pid)
            tally = Tally(args.max_requests)
            until = time.time() + args.seconds
            started = time.time()
            threads = [threading.Thread(target=run_client, args=(port, until, args.seed + i, sample, chinese, tally,
                                                                 args.timeout)) for i in range(args.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(args.seconds + args.timeout + 30)
            elapsed = time.time() - started
            result["rss_after_mb"] = round(server_rss_mb(server.pid))
            result["memory_after_mb"] = server_memory_mb(server.pid)
            result["server_cpu_seconds"] = round(server_cpu_seconds(server.pid) - cpu_before, 1)
            result["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except Exception:  # a server that ignores SIGTERM is killed: never leave it running
                server.kill()
                server.wait(timeout=15)
            log_text = (Path(tmp) / "server.log").read_text(errors="replace")
    result["seconds"] = round(elapsed, 1)
    result["rows"] = summarise(tally, elapsed)
    result["error_examples"] = tally.examples
    result["server_log_tracebacks"] = log_text.count("Traceback")
    overall = result["rows"][-1]
    header = (f"{sample['records']:,} records, {args.clients} clients, {args.workers} worker(s), cache "
              f"{'off' if args.no_cache else 'on'}, {elapsed:.0f} s, {overall['requests']:,} requests "
              f"({overall['per_second']:.0f}/s), {overall['errors']} errors, server RSS {result['rss_before_mb']} MB "
              f"before, {result['rss_after_mb']} MB after (own heap {result['memory_after_mb']['RssAnon']} MB, "
              f"mapped index files {result['memory_after_mb']['RssFile']} MB), server CPU {result['server_cpu_seconds']} s "
              f"({1000 * result['server_cpu_seconds'] / max(1, overall['requests']):.1f} ms a request), "
              f"load average {result['loadavg_before'][0]} before, "
              f"{result['loadavg_after'][0]} after; server log tracebacks: {result['server_log_tracebacks']}")
    print(header)
    if args.markdown:
        print("\n| kind | requests | errors | p50 ms | p95 ms | p99 ms | max ms | req/s | cache hits |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in result["rows"]:
            print(f"| {r['kind']} | {r['requests']:,} | {r['errors']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} "
                  f"| {r['max_ms']} | {r['per_second']} | {r['cache_hits_pct']}% |")
    else:
        for r in result["rows"]:
            print(json.dumps(r))
    for example in tally.examples:
        print(f"error: {example}", file=sys.stderr)
    if args.result:
        args.result.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    return 1 if overall["errors"] else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    raise SystemExit(main())
