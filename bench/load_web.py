"""A bounded load run against the served catalogue over loopback: mixed pages, many clients.

    .venv/bin/python bench/load_web.py                          # demo catalogue in a temp folder
    .venv/bin/python bench/load_web.py --home /tmp/perf --clients 20 --seconds 30
    .venv/bin/python bench/load_web.py --markdown               # a table for BENCHMARKS.md
    .venv/bin/python bench/load_web.py --no-cache               # every page rendered fresh
    .venv/bin/python bench/load_web.py --workers 2              # `catalogue serve --workers 2`

Starts ``catalogue serve`` (the command line, waitress) in a child process on a free port, then
runs ``--clients`` client threads for ``--seconds``, each with its own keep-alive connection,
each request picking a page kind at random (home, searches of several kinds with facets,
standard pages and their JSON twins, work-key redirects, the resolver, browse trees, the feed).
Reports, per page kind: requests, errors (any status other than the expected one, or a
connection failure), p50, p95, p99 and max latency in milliseconds, the share answered from the
server's response cache (``X-Cache: hit``), the overall rate, and the server's memory (RSS of
the server and its workers) before and after the run, and the server's CPU time per request (user +
system of the server and its workers over the run, divided by the requests: the measure that stays
comparable when other jobs share the machine).
The client runs in Python threads on the same 2 cores as the server, so the numbers are
conservative: they include the client's own time.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS_EN = ["valves", "gate valves", "pressure testing", "circuit-breakers", "switchgear", "spectacle frames",
            "safety footwear", "leather", "pumps", "air filter", "road vehicles", "sunglasses", "contactors"]
WORDS_ZH = ["闸阀", "阀门", "断路器", "眼镜架", "安全鞋", "皮革", "汽车", "压力试验", "低压开关设备"]
DESIGNATIONS = ["ISO 5208", "iso5208:2015", "IEC 60947-2", "GB/T 13927", "gbt 12238", "ISO 10434", "ISO 12870",
                "IEC 60898-1", "ISO 20345", "ISO 4126-1"]
FILTERS = ["status=current", "publisher=ISO", "publisher=IEC", "ics=23.060", "ics=29.130.20", "decade=2010s",
           "status=replaced", "ics=11.040.70"]
#: Page kinds and how often each is asked for (weights).
MIX = {
    "home": 5, "search_designation": 15, "search_words_en": 15, "search_words_zh": 10, "search_facets": 15,
    "search_json": 5, "standard": 15, "standard_json": 5, "work_redirect": 3, "resolve": 3, "browse_ics": 3,
    "browse_ccs": 2, "feed": 2, "publishers": 2,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_demo(home: Path) -> None:
    """Load the bundled demo catalogue into ``home`` (what `catalogue init --demo` does)."""
    subprocess.run([sys.executable, "-c", "from catalogue.cli import main; main()", "--home", str(home), "init", "--demo"], check=True,
                   cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_server(home: Path, port: int, log_path: Path, workers: int = 1, cache: bool = True) -> subprocess.Popen:
    """``catalogue --home HOME serve --port PORT [--workers N]`` in a child process, once it answers."""
    command = [sys.executable, "-c", "from catalogue.cli import main; main()", "--home", str(home), "serve",
               "--host", "127.0.0.1", "--port", str(port)]
    if workers != 1:
        command += ["--workers", str(workers)]
    env = dict(os.environ)
    if not cache:
        env["CATALOGUE_RESPONSE_CACHE_ENTRIES"] = "0"
    # The server's messages go to a file: a pipe nobody reads fills up and blocks the server.
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log_file)
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server stopped: {log_path.read_text(errors='replace')[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/index.json")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not answer within 120 seconds")


def server_rss_mb(pid: int) -> float:
    """Resident memory of the server process and its children (the workers), in MB, from /proc."""
    return server_memory_mb(pid)["VmRSS"]


def server_memory_mb(pid: int) -> dict[str, float]:
    """``VmRSS`` of the server and its workers split as /proc tells it: ``RssAnon`` (the
    process's own heap) and ``RssFile`` (pages of mapped files: the index's tables and postings,
    shared by every worker and by the page cache), in MB."""
    totals = {"VmRSS": 0, "RssAnon": 0, "RssFile": 0}
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            name = line.split(":", 1)[0]
            if name in totals:
                totals[name] += int(line.split()[1])
        todo.extend(int(c) for c in children)
    return {name: round(kb / 1024, 1) for name, kb in totals.items()}


def server_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by the server process and its children (the workers), from /proc.

    Divided by the requests answered, it is the server's cost per request: unlike latency, it
    hardly moves when other jobs share the machine, so runs on a busy machine stay comparable.
    """
    total = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        todo.extend(int(c) for c in children)
    return total / os.sysconf("SC_CLK_TCK")


def sample_keys(port: int) -> tuple[list[str], list[str]]:
    """Keys of real records (standard pages) and works (redirects), from the served catalogue."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    keys: list[str] = []
    for q in ["valves", "switchgear", "ISO", "IEC", "GB", "safety", "test"]:
        conn.request("GET", f"/search.json?q={quote(q)}&page_size=100")
        data = json.loads(conn.getresponse().read())
        keys.extend(h["key"] for h in data["hits"])
    keys = sorted(set(keys))
    works = set()
    for key in keys[::4]:
        conn.request("GET", f"/standards/{key}.json")
        record = json.loads(conn.getresponse().read())
        if record["work"] != record["key"]:
            works.add(record["work"])
    conn.close()
    return keys, sorted(works)


def make_request(kind: str, rng: random.Random, keys: list[str], works: list[str]) -> tuple[str, tuple[int, ...]]:
    """The path for one request of ``kind`` and the statuses that count as success."""
    if kind == "home":
        return "/", (200,)
    if kind == "search_designation":
        return f"/search?q={quote(rng.choice(DESIGNATIONS))}", (200,)
    if kind == "search_words_en":
        return f"/search?q={quote(rng.choice(WORDS_EN))}", (200,)
    if kind == "search_words_zh":
        return f"/search?q={quote(rng.choice(WORDS_ZH))}", (200,)
    if kind == "search_facets":
        chosen = "&".join(rng.sample(FILTERS, 2))
        return f"/search?q={quote(rng.choice(WORDS_EN))}&{chosen}&sort={rng.choice(['relevance', 'date'])}", (200,)
    if kind == "search_json":
        return f"/search.json?q={quote(rng.choice(WORDS_EN + WORDS_ZH))}&page={rng.choice([1, 1, 2])}", (200,)
    if kind == "standard":
        return f"/standards/{rng.choice(keys)}", (200,)
    if kind == "standard_json":
        return f"/standards/{rng.choice(keys)}.json", (200,)
    if kind == "work_redirect":
        return f"/standards/{rng.choice(works)}", (302, 200)  # 200: an undated record whose key is its work (API 6D)
    if kind == "resolve":
        return f"/resolve?ref={quote(rng.choice(DESIGNATIONS))}", (302, 200, 404)  # 404: nothing matches, a page too
    if kind == "browse_ics":
        return rng.choice(["/ics/", "/ics/23", "/ics/23.060", "/ics/29.130"]), (200,)
    if kind == "browse_ccs":
        return "/ccs/", (200,)
    if kind == "feed":
        return "/feed.atom", (200,)
    return "/publishers/", (200,)


def client_loop(port: int, until: float, seed: int, keys, works, results: dict, lock: threading.Lock) -> None:
    rng = random.Random(seed)
    kinds = list(MIX)
    weights = [MIX[k] for k in kinds]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    local: dict[str, list] = {k: [[], 0, 0] for k in kinds}
    languages = ["zh-CN,zh;q=0.9", "en-GB,en;q=0.9"]
    while time.time() < until:
        kind = rng.choices(kinds, weights)[0]
        path, ok = make_request(kind, rng, keys, works)
        start = time.perf_counter()
        try:
            conn.request("GET", path, headers={"Accept-Language": rng.choice(languages)})
            response = conn.getresponse()
            response.read()
            status = response.status
            if response.getheader("X-Cache") == "hit":
                local[kind][2] += 1
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        elapsed = (time.perf_counter() - start) * 1000
        local[kind][0].append(elapsed)
        if status not in ok:
            local[kind][1] += 1
    conn.close()
    with lock:
        for kind, (times, errors, hits) in local.items():
            results[kind][0].extend(times)
            results[kind][1] += errors
            results[kind][2] += hits


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, help="catalogue folder (default: the demo catalogue in a temp folder)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=5208)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--server-log", help="keep the server's messages in this file")
    parser.add_argument("--workers", type=int, default=1, help="server processes (`catalogue serve --workers N`)")
    parser.add_argument("--no-cache", action="store_true", help="turn the server's response cache off")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="load-web-") as tmp:
        home = args.home
        if home is None:
            home = Path(tmp) / "demo"
            print("loading the demo catalogue ...", file=sys.stderr)
            build_demo(home)
        port = free_port()
        log_path = Path(args.server_log) if args.server_log else Path(tmp) / "server.log"
        server = start_server(home, port, log_path, args.workers, cache=not args.no_cache)
        try:
            keys, works = sample_keys(port)
            # One warm-up pass over every kind, so first-use costs (jieba, caches) stay out of the numbers.
            warm_results = {k: [[], 0, 0] for k in MIX}
            client_loop(port, time.time() + 3, args.seed - 1, keys, works, warm_results, threading.Lock())
            rss_before = server_rss_mb(server.pid)
            cpu_before = server_cpu_seconds(server.pid)
            results = {k: [[], 0, 0] for k in MIX}
            lock = threading.Lock()
            until = time.time() + args.seconds
            started = time.time()
            threads = [threading.Thread(target=client_loop, args=(port, until, args.seed + i, keys, works, results, lock))
                       for i in range(args.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.time() - started
            rss_after = server_rss_mb(server.pid)
            cpu_used = server_cpu_seconds(server.pid) - cpu_before
        finally:
            server.terminate()
            server.wait(timeout=10)

    total = sum(len(v[0]) for v in results.values())
    errors = sum(v[1] for v in results.values())
    hits = sum(v[2] for v in results.values())
    every = [t for v in results.values() for t in v[0]]
    rows = []
    for kind, (times, errs, kind_hits) in results.items():
        if times:
            rows.append((kind, len(times), errs, statistics.median(times), percentile(times, 0.95),
                         percentile(times, 0.99), max(times), 100 * kind_hits / len(times)))
    rows.append(("all pages", total, errors, statistics.median(every), percentile(every, 0.95),
                 percentile(every, 0.99), max(every), 100 * hits / max(1, total)))
    header = (f"{args.clients} clients, {args.workers} worker(s), cache {'off' if args.no_cache else 'on'}, "
              f"{elapsed:.0f} s, {total} requests ({total / elapsed:.0f}/s), {errors} errors, "
              f"{len(keys)} record keys sampled, server RSS {rss_before:.0f} MB before, {rss_after:.0f} MB after, "
              f"server CPU {cpu_used:.1f} s ({1000 * cpu_used / max(1, total):.2f} ms a request), "
              f"load average {os.getloadavg()[0]:.1f}")
    if args.markdown:
        print(header + "\n")
        print("| page kind | requests | errors | p50 ms | p95 ms | p99 ms | max ms | cache hits |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for kind, n, e, p50, p95, p99, mx, hit in rows:
            print(f"| {kind} | {n} | {e} | {p50:.1f} | {p95:.1f} | {p99:.1f} | {mx:.1f} | {hit:.0f}% |")
    else:
        print(header)
        print(f"{'page kind':22} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
              f"{'max ms':>8} {'hits':>5}")
        for kind, n, e, p50, p95, p99, mx, hit in rows:
            print(f"{kind:22} {n:8d} {e:6d} {p50:8.1f} {p95:8.1f} {p99:8.1f} {mx:8.1f} {hit:4.0f}%")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    main()
