"""The counts of docs/demo-catalogue.md, read from a catalogue loaded from the demo files (the
build script's last step): records by publisher, level and status, holdings by industry and
level, which site each field came from, what the research pruning dropped, and how the systems'
and schemes' members resolve. Markdown, so the document can quote it.
"""
from __future__ import annotations

from collections import Counter

from demo_selection import INDUSTRIES, INDUSTRY_NAMES, LEVEL_ORDER
from demo_sources import GRADES, grade_of, site_of

from catalogue.levels import level_of
from catalogue.store import Store
from catalogue.systems import member_keys, member_state


def table(header: list[str], rows: list[list]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out + [""]


def summarise(store: Store, research: dict, cited: dict, unresolved: list[tuple[str, str]]) -> str:
    stats = store.stats()
    lines = [f"Records: {stats['records']:,}.", ""]
    lines += ["### Records by level", ""]
    lines += table(["level", "records"], [[lvl, f"{stats['by_level'].get(lvl, 0):,}"] for lvl in LEVEL_ORDER])
    lines += ["### Records by publisher", ""]
    lines += table(["publisher", "level", "records"],
                   [[p, level_of(_sample(store, p)) if _sample(store, p) else "", f"{n:,}"]
                    for p, n in stats["by_publisher"].items()])
    lines += ["### Records by status", ""]
    lines += table(["status", "records"], [[s, f"{n:,}"] for s, n in stats["by_status"].items()])
    lines += holdings_section(store)
    lines += fields_section(store)
    lines += research_section(research)
    lines += members_section(store, cited, unresolved)
    return "\n".join(lines)


def _sample(store: Store, publisher: str) -> str | None:
    row = store.db.execute("SELECT designation FROM standards WHERE publisher = ? LIMIT 1", (publisher,)).fetchone()
    return row[0] if row else None


def holdings_section(store: Store) -> list[str]:
    rows = store.db.execute("SELECT h.shelf_mark, s.designation FROM holdings h JOIN standards s ON s.key = h.key").fetchall()
    by = Counter()
    for mark, designation in rows:
        code = mark.split("-")[1] if mark.startswith("DEMO-") else "?"
        by[(code, level_of(designation))] += 1
    codes = {v: k for k, v in INDUSTRIES.items()}
    out = ["### Demo holdings by industry and level", "", f"Holdings: {len(rows):,}; Chinese records held "
           f"(national, industry, local, group): "
           f"{sum(n for (c, lvl), n in by.items() if lvl in ('national', 'industry', 'local', 'group')):,}.", ""]
    body = []
    for code in INDUSTRIES.values():
        counts = [by[(code, lvl)] for lvl in LEVEL_ORDER]
        body.append([f"{INDUSTRY_NAMES[codes[code]]} (DEMO-{code})", *counts, sum(counts)])
    totals = [sum(by[(c, lvl)] for c in INDUSTRIES.values()) for lvl in LEVEL_ORDER]
    body.append(["all", *totals, sum(totals)])
    return out + table(["industry", *LEVEL_ORDER, "all"], body)


def fields_section(store: Store) -> list[str]:
    """Provenance rows (one per field a source gave a record) by site, and by grade."""
    by_site: Counter = Counter()
    records_by_site: dict[str, set] = {}
    for key, source in store.db.execute("SELECT key, source FROM provenance WHERE key NOT LIKE '%:%' OR source LIKE 'http%'"):
        if source.startswith(("http://", "https://")):
            site = site_of(source)
        elif source.startswith("demo/"):
            site = "shared data (" + source.split(":", 1)[-1] + ")"
        else:
            continue
        by_site[site] += 1
        records_by_site.setdefault(site, set()).add(key)
    by_grade: Counter = Counter()
    for site, n in by_site.items():
        grade = 1 if site.startswith("shared data") else grade_of("https://" + site)
        by_grade[GRADES[grade - 1]] += n
    out = ["### Fields by source", "",
           "One row per site: the fields it gave (provenance rows: one per record and field) and the records.", ""]
    out += table(["grade", "fields"], [[g, f"{by_grade.get(g, 0):,}"] for g in GRADES])
    out += table(["site", "grade", "fields", "records"],
                 [[site, "publisher" if site.startswith("shared data") else GRADES[grade_of("https://" + site) - 1],
                   f"{n:,}", f"{len(records_by_site[site]):,}"] for site, n in by_site.most_common()])
    return out


def research_section(research: dict) -> list[str]:
    kept = [p for p in research.values() if p.line is not None]
    dropped = [p for p in research.values() if p.line is None]
    by_file: Counter = Counter()
    for p in research.values():
        by_file[(p.record.files[0], p.line is not None)] += 1
    out = ["### The researched records", "",
           f"Editions researched: {len(research)} (after merging lines of one edition); kept {len(kept)}, dropped {len(dropped)}.", ""]
    out += table(["first research file", "kept", "dropped"],
                 [[f, by_file[(f, True)], by_file[(f, False)]] for f in sorted({f for f, _ in by_file})])
    fields = Counter(name for p in kept for name, _urls in p.dropped_fields)
    out += ["Fields left out of kept records because their only pages were sharing sites (grade 5; titles are kept) "
            "while a page of grade 1-3 gave the rest: "
            + (", ".join(f"{name} {n}" for name, n in fields.most_common()) or "none") + ".",
            f"Weaker pages left out of a field a better page also gave: {sum(p.dropped_citations for p in kept)}.", ""]
    weak_kept = sorted(p.record.designation for p in kept if p.grade == 5)
    org_kept = sorted(p.record.designation for p in kept if p.grade == 4)
    out += [f"Kept although only a sharing site gives them (a system or scheme cites the work): {len(weak_kept)}: "
            + (", ".join(weak_kept) or "none") + ".", "",
            f"Kept with an organisation's page as their best source: {len(org_kept)}: " + (", ".join(org_kept) or "none") + ".", ""]
    reasons: dict[str, list[str]] = {}
    for p in dropped:
        reasons.setdefault(p.reason, []).append(p.record.designation)
    for reason, names in sorted(reasons.items()):
        out += [f"Dropped, {reason} ({len(names)}): " + ", ".join(sorted(names)) + ".", ""]
    return out


def members_section(store: Store, cited: dict, unresolved: list[tuple[str, str]]) -> list[str]:
    seen: dict[str, dict] = {}
    for stem, found in sorted(cited.items()):
        for designation in sorted(found):
            _display, key, work = member_keys(designation)
            state = member_state(store, key, work)
            rec = store.get(state["key"]) if state["key"] else None
            seen.setdefault(designation, {"state": state["state"], "record": rec.designation if rec else None,
                                          "zh": bool(rec and rec.titles.get("zh")),
                                          "en": bool(rec and rec.titles.get("en"))})
    both = sorted(d for d, s in seen.items() if s["zh"] and s["en"])
    zh_missing = sorted(d for d, s in seen.items() if s["record"] and not s["zh"])
    en_missing = sorted(d for d, s in seen.items() if s["record"] and not s["en"])
    states = Counter(s["state"] for s in seen.values())
    out = ["### Members of the demo systems and schemes", "",
           f"Distinct standards cited: {len(seen)}; resolving to a record: {sum(1 for s in seen.values() if s['record'])}; "
           f"with titles in both languages: {len(both)}.", ""]
    out += table(["state", "members"], [[k, v] for k, v in states.most_common()])
    out += ["Not catalogued (no source lets us catalogue them): "
            + (", ".join(sorted({d for _s, d in unresolved})) or "none") + ".", "",
            f"Resolving, without a Chinese title ({len(zh_missing)}): " + ", ".join(zh_missing) + ".", "",
            f"Resolving, without an English title ({len(en_missing)}): " + (", ".join(en_missing) or "none") + ".", ""]
    return out
