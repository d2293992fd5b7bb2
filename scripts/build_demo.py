"""Build the bundled demo catalogue (catalogue/demo_data/*.jsonl): the museum's collection.

    .venv/bin/python scripts/build_demo.py [--data ../shared/data] [--research /work/research]
                                           [--summary FILE.md] [--trees-only]

Keeps facts only (designations, titles, dates, status, ICS/CCS codes, committees, edition,
relations); never abstracts, scope text or notes. What it selects:

- ISO and IEC: every edition (withdrawn ones too) and every supplement of each standard that
  has at least one edition classified under the pillar industries' ICS codes
  (scripts/demo_selection.py), or that a demo system or scheme cites;
- IEEE: the published records on low-voltage switchgear, breakers and electrical accessories
  (ICS 29.130.20 and 29.120, C37.x low-voltage titles) and every published edition of their
  works; OIML: the recommendations on instruments of the pillar industries (water and fuel
  meters, pressure gauges, energy meters, focimeters ...); CIE: the publications on vision,
  the eye, optical radiation and vehicle lighting;
- GB, industry, local and group standards: every record of the real Chinese pages and
  Relaton XML (gb.jsonl);
- the researched foreign and Chinese records (``--research``: foreign.jsonl, chinese-a.jsonl,
  chinese-b.jsonl, zh-titles.jsonl and the second round zh-titles-2.jsonl), each field with the
  page it came from, pruned by the rules of scripts/demo_sources.py (foreign.jsonl,
  gb-museum.jsonl; Chinese titles of ISO and IEC editions we hold in zh-titles.jsonl);
- demo holdings (shelf marks DEMO-VAL-0001 ..., note "演示馆藏 / demo holding"): the edition in
  force of every international standard of a pillar industry, every edition a system or scheme
  names, and every researched foreign and Chinese edition;
- the ICS tree (titles in English and French, Chinese class names), the CCS tree (titles in
  Chinese, English class names) and ISO's technical committees (titles only);
  ``--trees-only`` rewrites just these three files.

The records go through the ordinary ingest pipeline into a temporary catalogue first, so the
demo files hold merged, validated records, then are written one JSON object a line in the
format of ``ingest/catalogue_jsonl.py``. Last, the written files are loaded into a fresh
catalogue as ``catalogue init --demo`` would, and every standard the systems and schemes cite
is looked up: the ones no source lets us catalogue are reported (never invented).
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
sys.path.insert(0, str(ROOT / "scripts"))

from catalogue.designation import try_parse  # noqa: E402
from catalogue.levels import level_of  # noqa: E402
from catalogue.records import Reading, Standard  # noqa: E402
from catalogue.store import Store  # noqa: E402
from demo_selection import (INDUSTRIES, PILLAR_ICS, RESEARCH_INDUSTRY, cie_industry, cited_by_file,  # noqa: E402
                            industry_by_ics, industry_of_work, oiml_industry, shelf_marks, wanted_ieee)
from demo_sources import fold_undated, load_research, prune  # noqa: E402
from ingest.pipeline import complete_record, ingest_paths  # noqa: E402

OUT = ROOT / "catalogue" / "demo_data"
RESEARCH_FILES = ("foreign.jsonl", "chinese-a.jsonl", "chinese-b.jsonl", "zh-titles.jsonl", "zh-titles-2.jsonl")
INTERNATIONAL = ("iso", "iec", "ieee", "oiml", "cie")
PREFIXES = tuple(code for codes in PILLAR_ICS.values() for code in codes)
_YEAR_REST = re.compile(r"^(?:19|20)\d{2}")


def matches_pillar(codes: list[str]) -> bool:
    return any(c == p or c.startswith(p + ".") for c in codes for p in PREFIXES)


def read_archive(archive: Path) -> list[Standard]:
    """Every record of a Relaton archive the pipeline would accept, keys filled in."""
    from ingest.relaton_yaml import read

    records: list[Standard] = []
    for reading in read(archive):
        if reading.problem is None and isinstance(reading.item, Standard):
            rec = reading.item
            if complete_record(rec) is None:
                records.append(rec)
    return records


def with_supplements(records: list[Standard], works: set[str]) -> list[Standard]:
    """The records of ``works``, and the supplements of their editions ("iso-5208-2015-amd-1")."""
    def wanted(rec: Standard) -> bool:
        if rec.work in works:
            return True
        for w in (rec.work.rsplit("-", n)[0] for n in range(1, 6) if rec.work.count("-") >= n):
            if w in works and _YEAR_REST.match(rec.work[len(w) + 1:]):
                return True
        return False

    return [r for r in records if wanted(r)]


def select_iso_iec(archive: Path, cited_works: set[str]) -> list[Standard]:
    """Every edition and supplement of each work with an edition in the pillar ICS codes (ISO
    10434 sits under petroleum equipment, ISO 26262 under road vehicle electronics: the works a
    system or scheme cites are taken whatever their ICS)."""
    records = read_archive(archive)
    return with_supplements(records, {r.work for r in records if matches_pillar(r.ics)} | cited_works)


def select_ieee(archive: Path) -> list[Standard]:
    records = read_archive(archive)
    works = {r.work for r in records if wanted_ieee(r)}
    return [r for r in records if r.work in works and r.status != "draft"]


def select_by(archive: Path, industry_of) -> list[Standard]:
    return [r for r in read_archive(archive) if industry_of(r) is not None]


def dump_standard(store: Store, rec: Standard, holding: dict | None = None) -> dict:
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
        "holdings": [holding] if holding else None,
    }
    out["dates"] = {k: v for k, v in out["dates"].items() if v}
    return {k: v for k, v in out.items() if v not in (None, [], {})}


def write_jsonl(path: Path, rows: list[dict], compact: bool = True) -> None:
    """One object a line; records without spaces after separators (the trees keep them: the
    reader tells a tree file by '"kind": "class"')."""
    separators = (",", ":") if compact else (", ", ": ")
    with open(path, "w", encoding="utf-8") as fp:
        for row in rows:
            fp.write(json.dumps(row, ensure_ascii=False, separators=separators) + "\n")
    print(f"wrote {path.relative_to(ROOT)}: {len(rows)} lines, {path.stat().st_size / 1024:.0f} KB", file=sys.stderr)


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--research", type=Path, default=Path("/work/research"),
                        help="folder of the researched records (research-format.md JSON lines)")
    parser.add_argument("--summary", type=Path, default=None, help="write the counts for docs/demo-catalogue.md here")
    parser.add_argument("--verify-only", action="store_true",
                        help="build nothing: load the demo files as they are, report the cited standards no record "
                             "answers (unsourced.txt) and write the --summary")
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
    missing = [n for n in RESEARCH_FILES if not (args.research / n).exists()]
    if missing:
        print(f"no research files {', '.join(missing)} in {args.research}", file=sys.stderr)
        return 2
    cited = cited_by_file(OUT, try_parse)
    cited_works = {w for found in cited.values() for w in found.values()}
    if args.verify_only:
        # The research is pruned against the demo as loaded: it holds the ISO and IEC editions
        # the build took, so the same research lines are kept.
        summary = verify(tmp_root=Path(tempfile.mkdtemp(prefix="demo-verify-")), research=None, cited=cited,
                         research_folder=args.research, cited_works=cited_works)
        if args.summary:
            args.summary.write_text(summary, encoding="utf-8")
            print(f"wrote {args.summary}", file=sys.stderr)
        return 0
    work_industry = industry_of_work(cited)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        store = Store(tmp / "home", create=True)
        picked = {
            "iso": select_iso_iec(data / "iso/relaton/iso-relaton-yaml.tar.xz", cited_works),
            "iec": select_iso_iec(data / "iec/relaton/iec-relaton-yaml.tar.xz", cited_works),
            "ieee": select_ieee(data / "ieee/relaton/ieee-relaton-yaml.tar.xz"),
            "oiml": select_by(data / "oiml/relaton/oiml-relaton-yaml.tar.xz", lambda r: oiml_industry(r.designation)),
            "cie": select_by(data / "cie/relaton/cie-relaton-yaml.tar.xz", cie_industry),
        }
        for family, records in picked.items():
            staging = tmp / f"{family}.jsonl"
            write_staging(staging, records)
            report = ingest_paths(store, [staging])
            print(f"{family}: {len(records)} records selected; {report.summary()}", file=sys.stderr)
        gb_inputs = sorted((data / "gb/html/openstd").glob("*.html")) + sorted((data / "gb/html/std-samr").glob("*.html")) \
            + sorted((data / "gb/relaton-xml").glob("*.xml"))
        before = set(store.keys())
        report = ingest_paths(store, gb_inputs)
        for p in report.problems:
            print(f"  gb problem: {p}", file=sys.stderr)
        gb_keys = sorted(set(store.keys()) - before)

        industry = international_industries(store, picked, work_industry)
        research, notes = researched_lines(args.research, store, cited_works)
        for note in notes:
            print(f"  research: {note}", file=sys.stderr)
        held = choose_holdings(store, picked, industry, research, cited, work_industry)
        holdings = shelf_marks(held)

        for family in INTERNATIONAL:
            keys = sorted({r.key for r in picked[family]})
            write_jsonl(OUT / f"{family}.jsonl",
                        [dump_standard(store, store.get(k), holdings.get(k)) for k in keys if store.exists(k)])
        write_jsonl(OUT / "gb.jsonl", [dump_standard(store, store.get(k), holdings.get(k)) for k in gb_keys if store.exists(k)])
        for name, rows in split_research(research).items():
            for row in rows:
                key = try_parse(row["designation"]).key
                if key in holdings and not store.exists(key):
                    row["holdings"] = [holdings[key]]
            write_jsonl(OUT / name, rows)
        write_trees(data)
        store.close()
    summary = verify(tmp_root=Path(tempfile.mkdtemp(prefix="demo-verify-")), research=research, cited=cited)
    if args.summary:
        args.summary.write_text(summary, encoding="utf-8")
        print(f"wrote {args.summary}", file=sys.stderr)
    return 0


def international_industries(store: Store, picked: dict, work_industry: dict[str, str]) -> dict[str, str]:
    """key -> pillar industry ('' for quality management) of every selected international record:
    by its own ICS codes, else by another edition's, else by the system or scheme that cites it."""
    by_work: dict[str, str] = {}
    for family in ("iso", "iec", "ieee"):
        for rec in picked[family]:
            found = industry_by_ics(rec.ics)
            if found is not None:
                by_work.setdefault(rec.work, found)
    out: dict[str, str] = {}
    for family, records in picked.items():
        for rec in records:
            if family == "oiml":
                found = oiml_industry(rec.designation)
            elif family == "cie":
                found = cie_industry(rec)
            else:
                found = industry_by_ics(rec.ics)
                if found is None:
                    found = by_work.get(rec.work, work_industry.get(rec.work))
            if found is None and family == "ieee":
                found = "low_voltage"
            out[rec.key] = found or ""
    return out


def researched_lines(folder: Path, store: Store, cited_works: set[str]) -> tuple[dict, list[str]]:
    """{key: Pruned} for the researched records, and notes on what was folded or dropped."""
    records, notes = load_research([folder / n for n in RESEARCH_FILES], lambda t: getattr(try_parse(t), "key", None))
    notes += fold_undated(records, try_parse)
    out = {}
    for key, rec in records.items():
        d = try_parse(rec.designation)
        pruned = prune(key, rec, cited_works, d.work)
        if pruned.line is not None and level_of(rec.designation) == "international" and not store.exists(key):
            # A Chinese title of an ISO or IEC edition the real catalogue data does not hold
            # ("IEC 60529:2001" as Chinese covers name the consolidated edition 2.1): adding it
            # would make an edition the publisher's own catalogue does not list.
            pruned.line, pruned.reason = None, "an international edition the ISO/IEC data does not hold"
        out[key] = pruned
    return out, notes


def split_research(research: dict) -> dict[str, list[dict]]:
    """The kept research lines by demo file: foreign.jsonl, gb-museum.jsonl, zh-titles.jsonl."""
    files: dict[str, list[dict]] = {"foreign.jsonl": [], "gb-museum.jsonl": [], "zh-titles.jsonl": []}
    for key in sorted(research):
        line = research[key].line
        if line is None:
            continue
        level = level_of(line["designation"])
        name = "zh-titles.jsonl" if level == "international" else "foreign.jsonl" if level == "foreign" else "gb-museum.jsonl"
        files[name].append(dict(line))
    return files


def choose_holdings(store: Store, picked: dict, industry: dict[str, str], research: dict,
                    cited: dict, work_industry: dict[str, str]) -> list[tuple[str, str, str]]:
    """(key, industry, level) of every demo holding (see the module docstring)."""
    held: dict[str, tuple[str, str]] = {}
    for family in INTERNATIONAL:
        for work in sorted({r.work for r in picked[family]}):
            key = store.edition_in_force_key(work)
            if key and industry.get(key) in INDUSTRIES:
                held[key] = (industry[key], level_of(store.get(key).designation))
    for stem, found in cited.items():
        for designation in found:
            d = try_parse(designation)
            if d.dated and store.exists(d.key) and d.key in industry:
                held.setdefault(d.key, (industry[d.key] or work_industry.get(d.work, ""), level_of(d.display)))
    for key, pruned in research.items():
        if pruned.line is None or store.exists(key):
            continue
        rec = pruned.record
        found = RESEARCH_INDUSTRY.get(rec.industry) or work_industry.get(try_parse(rec.designation).work, "")
        if found in INDUSTRIES:
            held[key] = (found, level_of(rec.designation))
    return [(k, ind, lvl) for k, (ind, lvl) in held.items() if ind in INDUSTRIES]


def verify(tmp_root: Path, research: dict | None, cited: dict, research_folder: Path | None = None,
           cited_works: set[str] | None = None) -> str:
    """Load the written demo as ``catalogue init --demo`` does; report the cited standards that
    resolve to no record, and answer the counts of docs/demo-catalogue.md (Markdown)."""
    from demo_report import summarise

    from catalogue.demo import demo_files
    from catalogue.systems import member_keys, member_state

    store = Store(tmp_root / "home", create=True)
    report = ingest_paths(store, demo_files())
    print(f"verify: {report.summary()}", file=sys.stderr)
    if research is None:
        research, notes = researched_lines(research_folder, store, cited_works or set())
        for note in notes:
            print(f"  research: {note}", file=sys.stderr)
    unresolved = []
    for stem, found in sorted(cited.items()):
        for designation in sorted(found):
            _display, key, work = member_keys(designation)
            state = member_state(store, key, work)
            if state["state"] == "missing":
                unresolved.append((stem, designation))
    for stem, designation in unresolved:
        print(f"  NOT CATALOGUED: {designation} (cited in {stem}): no source lets us catalogue it", file=sys.stderr)
    write_unsourced(unresolved)
    text = summarise(store, research, cited, unresolved)
    store.close()
    return text


UNSOURCED = OUT / "unsourced.txt"


def write_unsourced(unresolved: list[tuple[str, str]]) -> None:
    """The members of the demo systems and schemes no source lets us catalogue, one a line
    ("designation<TAB>system or scheme files"): the one list tests/test_demo.py and
    docs/demo-catalogue.md read. Not loaded by ``catalogue init --demo`` (catalogue.demo loads
    only .jsonl and .yaml files)."""
    by_designation: dict[str, list[str]] = {}
    for stem, designation in unresolved:
        by_designation.setdefault(designation, []).append(stem)
    lines = ["# Cited by a demo system or scheme, but no source found lets us catalogue it (written by",
             "# scripts/build_demo.py; see docs/demo-catalogue.md). designation<TAB>files citing it"]
    lines += [f"{d}\t{' '.join(sorted(stems))}" for d, stems in sorted(by_designation.items())]
    UNSOURCED.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {UNSOURCED.relative_to(ROOT)}: {len(by_designation)} members not catalogued", file=sys.stderr)


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
    write_jsonl(OUT / "ics.jsonl", [node_row(n) for n in ics], compact=False)
    ccs = []
    for level in ("cat-level1.csv", "cat-level2.csv", "cat-level3.csv"):
        ccs += [r.item for r in nodes_from(data / "ccs" / level) if r.problem is None and isinstance(r.item, ClassNode)]
    write_jsonl(OUT / "ccs.jsonl", [node_row(n) for n in ccs], compact=False)
    committees = [r.item for r in nodes_from(data / "iso/opendata/iso_technical_committees.jsonl")
                  if r.problem is None and isinstance(r.item, Committee)]
    write_jsonl(OUT / "committees.jsonl", [{"kind": "committee", "reference": c.reference, "publisher": c.publisher,
                                            "titles": c.titles} for c in committees], compact=False)


if __name__ == "__main__":
    sys.exit(main())
