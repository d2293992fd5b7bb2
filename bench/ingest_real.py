"""Benchmark: ingest the real catalogue into an empty catalogue, store and index, in one run,
and report records per second for reading, storing and indexing.

    .venv/bin/python bench/ingest_real.py [--data ../shared/data] [--set all|iso-iec] [--keep DIR]

``--set all`` (the default, issue 13): the ISO, IEC, IEEE, OIML and CIE Relaton archives and the
Chinese pages (openstd and std.samr pages, the GB Relaton XML, the hbba list and detail page),
about 112,000 records. ``--set iso-iec``: the ISO and IEC archives only (about 94,000 archive
members), the set of the earlier runs (issue 3).
Target (issue 3): the whole run under 6 minutes on a 2-core machine, peak memory under 2 GB.
Reads the archives directly (nothing is unpacked). Prints one JSON object, with the records
stored per publisher and per level; paste the numbers into BENCHMARKS.md with the command and
the machine.
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
    parser.add_argument("--set", dest="which", choices=("all", "iso-iec"), default="all",
                        help="all: ISO, IEC, IEEE, OIML, CIE and the Chinese pages (default); iso-iec: the two archives")
    args = parser.parse_args()
    archives = real_inputs(args.data, args.which)
    for a in archives:
        if not a.exists():
            print(f"missing {a}", file=sys.stderr)
            return 2
    from catalogue.edges.service import Catalogue
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
        stats = cat.store.stats()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    db_mb = (home / "catalogue.sqlite3").stat().st_size / 1e6
    index_mb = sum(f.stat().st_size for f in (home / "index").rglob("*") if f.is_file()) / 1e6
    t = report.timings
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "set": args.which,
        "inputs": len(archives),
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
        "load_average_at_end": [round(x, 1) for x in os.getloadavg()],
        "by_publisher": stats.get("by_publisher"),
        "by_level": stats.get("by_level"),
    }
    print(json.dumps(result, indent=1))
    if not args.keep:
        shutil.rmtree(home, ignore_errors=True)
    return 0


def real_inputs(data: Path, which: str) -> list[Path]:
    """The archives (and, for ``all``, the Chinese pages) of the real catalogue, in ingest order:
    international archives first, so the Chinese pages' adoptions resolve."""
    names = ["iso/relaton/iso-relaton-yaml.tar.xz", "iec/relaton/iec-relaton-yaml.tar.xz"]
    if which == "iso-iec":
        return [data / n for n in names]
    names += ["ieee/relaton/ieee-relaton-yaml.tar.xz", "oiml/relaton/oiml-relaton-yaml.tar.xz",
              "cie/relaton/cie-relaton-yaml.tar.xz"]
    chinese: list[Path] = []
    for folder, pattern in (("gb/html/openstd", "*.html"), ("gb/html/std-samr", "*.html"),
                            ("gb/relaton-xml", "*.xml"), ("gb/hbba", "*")):
        chinese += sorted((data / folder).glob(pattern))
    return [data / n for n in names] + chinese


if __name__ == "__main__":
    sys.exit(main())
