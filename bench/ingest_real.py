"""Benchmark: ingest the real ISO + IEC Relaton archives (about 94,000 records) into an empty
catalogue, store and index, and report records per second for reading, storing and indexing.

    .venv/bin/python bench/ingest_real.py [--data ../shared/data] [--keep DIR]

Target (issue 3): the whole run under 6 minutes on a 2-core machine, peak memory under 2 GB.
Reads the archives directly (nothing is unpacked). Prints one JSON object; paste the numbers
into BENCHMARKS.md with the command and the machine.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--keep", type=Path, default=None, help="Build the catalogue here and keep it.")
    args = parser.parse_args()
    archives = [args.data / "iso/relaton/iso-relaton-yaml.tar.xz", args.data / "iec/relaton/iec-relaton-yaml.tar.xz"]
    for a in archives:
        if not a.exists():
            print(f"missing {a}", file=sys.stderr)
            return 2
    from catalogue.service import Catalogue
    from ingest.progress import make_progress

    home = args.keep or Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    if args.keep and home.exists():
        shutil.rmtree(home)
    started = time.monotonic()
    with Catalogue(home, create=True) as cat:
        report = cat.ingest(archives, progress=make_progress(sys.stderr))
        total = time.monotonic() - started
        records = cat.store.count()
        indexed = cat.index.count()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    db_mb = (home / "catalogue.sqlite3").stat().st_size / 1e6
    index_mb = sum(f.stat().st_size for f in (home / "index").rglob("*") if f.is_file()) / 1e6
    t = report.timings
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "records_in_store": records,
        "records_in_index": indexed,
        "added": report.added,
        "rejected": report.rejected,
        "seconds_total": round(total, 1),
        "seconds_read": round(t.get("read", 0), 1),
        "seconds_store": round(t.get("store", 0), 1),
        "seconds_index": round(t.get("index", 0), 1),
        "read_per_s": round(records / t["read"]) if t.get("read") else None,
        "store_per_s": round(records / t["store"]) if t.get("store") else None,
        "index_per_s": round(indexed / t["index"]) if t.get("index") else None,
        "total_per_s": round(records / total),
        "peak_rss_mb": round(peak_mb),
        "sqlite_mb": round(db_mb, 1),
        "index_mb": round(index_mb, 1),
    }
    print(json.dumps(result, indent=1))
    if not args.keep:
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
