"""Build the bundled demo catalogue (catalogue/demo_data/*.jsonl) from the real data.

    .venv/bin/python scripts/build_demo.py [--data ../shared/data]

Keeps facts only (designations, titles, dates, status, ICS/CCS codes, committees, edition,
relations); never abstracts, scope text or notes. What it selects:

- ISO and IEC: every edition (withdrawn ones too) and every supplement of each standard that
  has at least one edition classified under the pillar industries' ICS codes below;
- GB, industry, local and group standards: every record of the real Chinese pages and
  Relaton XML;
- the ICS tree (titles in English and French, Chinese class names), the CCS tree (titles in
  Chinese, English class names) and ISO's technical committees (titles only);
  ``--trees-only`` rewrites just these three files.

The records go through the ordinary ingest pipeline into a temporary catalogue first, so the
demo files hold merged, validated records, then are written one JSON object a line in the
format of ``ingest/catalogue_jsonl.py``.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalogue.records import Reading, Standard  # noqa: E402
from catalogue.store import Store  # noqa: E402
from ingest.pipeline import complete_record, ingest_paths  # noqa: E402

OUT = ROOT / "catalogue" / "demo_data"

#: The pillar industries of Wenzhou, as ICS codes (a code matches itself and everything under it).
PILLAR_ICS = {
    "valves": ["23.060"],
    "pumps": ["23.080"],
    "flanges and pipe fittings": ["23.040.60", "23.040.40"],
    "ophthalmic optics and eyewear": ["11.040.70", "13.340.20"],
    "footwear": ["61.060", "13.340.50"],
    "leather": ["59.140"],
    "road vehicle engines and filters": ["43.060"],
    "pressure relief (safety valves)": ["13.240"],
    "electric road vehicles": ["43.120"],
    "quality management": ["03.120.10"],
    "low-voltage switchgear": ["29.130.20"],
    "electrical accessories": ["29.120"],
}
PREFIXES = tuple(code for codes in PILLAR_ICS.values() for code in codes)
_YEAR_REST = re.compile(r"^(?:19|20)\d{2}")


def matches_pillar(codes: list[str]) -> bool:
    return any(c == p or c.startswith(p + ".") for c in codes for p in PREFIXES)


def select_relaton(archive: Path) -> list[Standard]:
    """Every edition and supplement of each work with an edition in the pillar ICS codes."""
    from ingest.relaton_yaml import read

    records: list[Standard] = []
    for reading in read(archive):
        if reading.problem is None and isinstance(reading.item, Standard):
            rec = reading.item
            if complete_record(rec) is None:
                records.append(rec)
    works = {r.work for r in records if matches_pillar(r.ics)} | cited_works()

    def wanted(rec: Standard) -> bool:
        if rec.work in works:
            return True
        # Supplements have a work of their own ("iso-5208-2015-amd-1"): keep those of a kept work.
        for w in (rec.work.rsplit("-", n)[0] for n in range(1, 6) if rec.work.count("-") >= n):
            if w in works and _YEAR_REST.match(rec.work[len(w) + 1:]):
                return True
        return False

    return [r for r in records if wanted(r)]


def cited_works() -> set[str]:
    """Works the demo's standard systems and benchmarking schemes cite (ISO 10434 sits under
    petroleum equipment, ISO 26262 under road vehicle electronics: outside the ICS codes above)."""
    import yaml

    from catalogue.designation import try_parse

    works: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, str):
            d = try_parse(value)
            if d is not None:
                works.add(d.work)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for path in sorted(OUT.glob("s*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return works


def dump_standard(store: Store, rec: Standard) -> dict:
    """One demo line: the facts of a record, with only the relations a source stated."""
    rels = store.db.execute(
        "SELECT type, target, degree FROM relations WHERE key = ? AND origin = 'source' ORDER BY type, target",
        (rec.key,)).fetchall()
    out = {
        "designation": rec.designation,
        "status": rec.status or None,
        "titles": rec.titles,
        "dates": {"published": rec.published or None, "in_force": rec.in_force or None,
                  "withdrawn": rec.withdrawn or None},
        "ics": rec.ics, "ccs": rec.ccs or None, "committee": rec.committee or None,
        "edition": rec.edition or None, "pages": rec.pages or None, "languages": rec.languages,
        "relations": [{"type": r["type"], "target": r["target"], "degree": r["degree"]} for r in rels],
    }
    return {k: v for k, v in out.items() if v not in (None, [], {})}


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as fp:
        for row in rows:
            fp.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")
    print(f"wrote {path.relative_to(ROOT)}: {len(rows)} lines, {path.stat().st_size / 1024:.0f} KB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--trees-only", action="store_true",
                        help="rewrite only ics.jsonl, ccs.jsonl and committees.jsonl (after a class-name change)")
    args = parser.parse_args()
    data: Path = args.data
    if not data.exists():
        print(f"no real data at {data}", file=sys.stderr)
        return 2
    OUT.mkdir(exist_ok=True)
    if args.trees_only:
        write_trees(data)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        store = Store(tmp / "home", create=True)
        picked: dict[str, list[Standard]] = {}
        for family, archive in (("iso", data / "iso/relaton/iso-relaton-yaml.tar.xz"),
                                ("iec", data / "iec/relaton/iec-relaton-yaml.tar.xz")):
            picked[family] = select_relaton(archive)
            print(f"{family}: {len(picked[family])} records selected", file=sys.stderr)
            staging = tmp / f"{family}.jsonl"
            write_staging(staging, picked[family])
            report = ingest_paths(store, [staging])
            print(f"{family}: {report.summary()}", file=sys.stderr)
        gb_inputs = sorted((data / "gb/html/openstd").glob("*.html")) + sorted((data / "gb/html/std-samr").glob("*.html")) \
            + sorted((data / "gb/relaton-xml").glob("*.xml"))
        before = set(store.keys())
        report = ingest_paths(store, gb_inputs)
        for p in report.problems:
            print(f"  gb problem: {p}", file=sys.stderr)
        gb_keys = sorted(set(store.keys()) - before)
        families = {
            "iso": sorted({r.key for r in picked["iso"]}),
            "iec": sorted({r.key for r in picked["iec"]}),
            "gb": gb_keys,
        }
        for family, keys in families.items():
            write_jsonl(OUT / f"{family}.jsonl", [dump_standard(store, store.get(k)) for k in keys if store.exists(k)])
        write_trees(data)
        store.close()
    return 0


def write_staging(path: Path, records: list[Standard]) -> None:
    """Hand the selected records to the pipeline in our own JSON lines."""
    with open(path, "w", encoding="utf-8") as fp:
        for rec in records:
            fp.write(json.dumps({
                "designation": rec.designation, "status": rec.status, "titles": rec.titles,
                "dates": {"published": rec.published, "in_force": rec.in_force, "withdrawn": rec.withdrawn},
                "ics": rec.ics, "ccs": rec.ccs, "committee": rec.committee, "edition": rec.edition,
                "pages": rec.pages, "languages": rec.languages,
                "relations": [{"type": r.type, "target": r.target, "degree": r.degree} for r in rec.relations],
            }, ensure_ascii=False) + "\n")


def write_trees(data: Path) -> None:
    """ICS (en, fr titles; zh class names), CCS (zh titles; en class names) and ISO committees
    (titles), facts only. A title from catalogue.classnames keeps its ``title_sources``."""
    from catalogue.records import ClassNode, Committee
    from ingest.detect import detect_format

    def nodes_from(path: Path) -> list[Reading]:
        return list(detect_format(path).read(path))

    def node_row(n: ClassNode) -> dict:
        row = {"kind": "class", "scheme": n.scheme, "code": n.code, "parent": n.parent, "titles": n.titles}
        if n.title_sources:
            row["title_sources"] = n.title_sources
        return row

    ics = [r.item for r in nodes_from(data / "iso/opendata/ICS.csv") if r.problem is None and isinstance(r.item, ClassNode)]
    write_jsonl(OUT / "ics.jsonl", [node_row(n) for n in ics])
    ccs = []
    for level in ("cat-level1.csv", "cat-level2.csv", "cat-level3.csv"):
        ccs += [r.item for r in nodes_from(data / "ccs" / level) if r.problem is None and isinstance(r.item, ClassNode)]
    write_jsonl(OUT / "ccs.jsonl", [node_row(n) for n in ccs])
    committees = [r.item for r in nodes_from(data / "iso/opendata/iso_technical_committees.jsonl")
                  if r.problem is None and isinstance(r.item, Committee)]
    write_jsonl(OUT / "committees.jsonl", [{"kind": "committee", "reference": c.reference, "publisher": c.publisher,
                                            "titles": c.titles} for c in committees])


if __name__ == "__main__":
    sys.exit(main())
