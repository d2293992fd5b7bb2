"""A synthetic catalogue shaped like the real one, for scale benchmarks (issue 7, point 6).

    .venv/bin/python bench/synthetic.py --records 1000000 --output /tmp/synthetic.jsonl

Records are generated, never copied: designations follow each publisher's numbering (ISO, IEC,
ISO/IEC, GB, GB/T, JB/T, EN, ASTM, DB33/T, T/ group standards) with editions, amendments and
corrigenda, and drafts; titles are built from the words of the bundled demo catalogue's titles
(catalogue/demo_data/*.jsonl: English, French, Chinese); ICS codes come from the real ICS tree
(demo_data/ics.jsonl), CCS codes from the CCS tree; statuses follow the real ISO + IEC catalogue
(43% current, 41% replaced, 10% draft, 6% withdrawn; see BENCHMARKS.md), and every newer edition
``replaces`` the one before (stored both ways by the store). About 60% of ISO/IEC/EN records carry
an English scope of 40-90 words, as 64,425 of the 86,421 real records carry an abstract.

The generator streams: ``generate_records(n)`` yields ``Standard`` objects one by one (key, work
and the designation's parts filled by the pipeline's own ``complete_record``), so a million
records never sit in memory at once. ``write_jsonl`` writes them in the catalogue-jsonl format that
``catalogue ingest`` reads (the demo catalogue's format).
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalogue.records import Standard  # noqa: E402

DEMO = ROOT / "catalogue" / "demo_data"

#: Publisher families: (weight, designation pattern for an edition, languages, committee pattern).
#: {n} number, {p} part suffix, {y} year. Weights give ISO+IEC about 57%, Chinese ones about 30%.
FAMILIES = (
    (30, "ISO {n}{p}:{y}", ("en", "fr"), "ISO/TC {c}"),
    (4, "ISO/TS {n}{p}:{y}", ("en",), "ISO/TC {c}"),
    (3, "ISO/TR {n}{p}:{y}", ("en",), "ISO/TC {c}"),
    (15, "IEC {n}{p}:{y}", ("en", "fr"), "IEC/TC {c}"),
    (5, "ISO/IEC {n}{p}:{y}", ("en", "fr"), "ISO/IEC JTC 1/SC {c}"),
    (3, "GB {n}{d}-{y}", ("zh",), "SAC/TC {c}"),
    (14, "GB/T {n}{d}-{y}", ("zh",), "SAC/TC {c}"),
    (8, "JB/T {n}{d}-{y}", ("zh",), "SAC/TC {c}"),
    (7, "EN {n}{p}:{y}", ("en", "fr", "de"), "CEN/TC {c}"),
    (4, "ASTM {L}{n}-{y2}", ("en",), "ASTM {L}{c}"),
    (2, "DB33/T {n}-{y}", ("zh",), "浙江省市场监督管理局"),
    (1, "T/ZZB {n}-{y}", ("zh",), "浙江省品牌建设联合会"),
)
#: Of the works whose latest edition is published: that edition is withdrawn in this share.
WITHDRAWN_SHARE = 0.10
#: Share of ISO works (not withdrawn) with a draft of the next edition under way (ISO/DIS, ISO/CD ...).
DRAFT_SHARE = 0.7
SUPPLEMENT_SHARE = 0.22  # of published ISO/IEC editions: amendments, corrigenda (17% of real records)
SCOPE_SHARE = 0.6
STOP = {"and", "of", "for", "the", "in", "to", "with", "on", "by", "a", "an", "or", "de", "des", "la", "le",
        "les", "et", "du", "pour", "en", "à", "aux", "au", "par", "sur", "d", "l", "part", "partie"}


@dataclass
class Vocabulary:
    """Title material taken from the demo catalogue: words and title elements per language."""

    en_elements: list[str] = field(default_factory=list)
    fr_elements: list[str] = field(default_factory=list)
    en_words: list[str] = field(default_factory=list)
    zh_words: list[str] = field(default_factory=list)
    zh_endings: list[str] = field(default_factory=list)
    ics: list[str] = field(default_factory=list)
    ccs: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def load_vocabulary(folder: Path = DEMO) -> Vocabulary:
    """Read the demo catalogue once: 'Industrial valves — Pressure testing' gives two elements."""
    import jieba  # the index loads it anyway; here it splits the Chinese titles into words

    jieba.setLogLevel(60)
    vocab = Vocabulary()
    en_words: set[str] = set()
    zh_titles: list[str] = []
    for name in ("iso.jsonl", "iec.jsonl", "gb.jsonl"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            data = json.loads(line)
            titles = data.get("titles", {})
            for lang, target in (("en", vocab.en_elements), ("fr", vocab.fr_elements)):
                # "Main — Part 2: Complement": the elements, without the part label
                for element in re.split(r"\s+[—–-]\s+", titles.get(lang, "")):
                    element = re.sub(r"^(Part|Partie) [\d-]+:\s*", "", element).strip()
                    if 3 <= len(element) <= 90 and not element.startswith(("Amendment", "Amendement", "Corrigend")):
                        target.append(element)
            en_words.update(w.lower() for w in re.findall(r"[A-Za-z]{3,}", titles.get("en", "")))
            if titles.get("zh"):
                zh_titles.append(titles["zh"])
    for line in (folder / "ccs.jsonl").read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        vocab.ccs.append(data["code"])
        zh_titles.extend(re.split(r"[、，,与和及]", data["titles"].get("zh", "")))
    for line in (folder / "ics.jsonl").read_text(encoding="utf-8").splitlines():
        code = json.loads(line)["code"]
        if "." in code:  # standards are classed at level 2 or 3, never in a top-level field alone
            vocab.ics.append(code)
    zh_words: set[str] = set()
    endings: set[str] = set()
    for title in zh_titles:
        words = [w for w in jieba.cut(title) if len(w) >= 2 and not w.isascii()]
        zh_words.update(words)
        if len(words) >= 2:
            endings.add(words[-1])
    vocab.en_words = sorted(en_words - STOP)
    vocab.zh_words = sorted(zh_words)
    vocab.zh_endings = sorted(endings)
    vocab.ccs = [c for c in vocab.ccs if len(c) == 3]  # leaf codes like J16
    return vocab


def pick_family(rng: random.Random):
    """One of FAMILIES, by weight."""
    return rng.choices(FAMILIES, weights=[f[0] for f in FAMILIES])[0]


def make_designation(pattern: str, number: int, part: str, year: int) -> str:
    """'GB/T {n}{d}-{y}' with 13927, '2', 2022 -> 'GB/T 13927.2-2022'."""
    return pattern.format(n=number, p=f"-{part}" if part else "", d=f".{part}" if part else "", y=year,
                          y2=f"{year % 100:02d}", L="ABCDEFG"[number % 7])


def make_titles(rng: random.Random, vocab: Vocabulary, languages: tuple[str, ...], part: str) -> dict[str, str]:
    """Titles in the family's languages: 'Industrial valves — Part 2: Pressure testing'."""
    titles: dict[str, str] = {}
    if "en" in languages or "zh" in languages:
        main = rng.choice(vocab.en_elements)
        rest = rng.choice(vocab.en_elements)
        label = f"Part {part}: " if part else ""
        titles["en"] = f"{main} — {label}{rest}" if rng.random() < 0.8 else main
    if "fr" in languages:
        label = f"Partie {part}: " if part else ""
        titles["fr"] = f"{rng.choice(vocab.fr_elements)} — {label}{rng.choice(vocab.fr_elements)}"
    if "zh" in languages:
        words = rng.sample(vocab.zh_words, rng.randint(2, 4))
        label = f" 第{part}部分：" if part else " "
        titles["zh"] = "".join(words[:-1]) + label + words[-1] + rng.choice(vocab.zh_endings)
        if rng.random() < 0.35:  # Chinese national standards often have no English title
            del titles["en"]
    return titles


def make_scope(rng: random.Random, vocab: Vocabulary) -> str:
    """An English scope-like text of 40-90 vocabulary words (no real sentences copied)."""
    words = rng.choices(vocab.en_words, k=rng.randint(40, 90))
    return "This document specifies " + " ".join(words) + "."


def generate_records(count: int, seed: int = 20261125) -> Iterator[Standard]:
    """Yield ``count`` records, work by work: editions oldest first, then supplements and drafts.

    Deterministic for a seed. Every record has passed the pipeline's ``complete_record`` (key,
    work, publisher, number, part, year, supplement), as if it had been ingested from a file.
    """
    from ingest.pipeline import complete_record

    rng = random.Random(seed)
    vocab = load_vocabulary()
    made = 0
    serial = 1000
    while made < count:
        serial += rng.randint(1, 3)
        _, pattern, languages, committee_pattern = pick_family(rng)
        part = str(rng.randint(1, 12)) if rng.random() < 0.3 else ""
        committee = committee_pattern.format(c=rng.randint(1, 330), L="ABCDEFG"[serial % 7])
        ics = sorted(set(rng.choices(vocab.ics, k=1 if rng.random() < 0.8 else 2)))
        ccs = rng.choice(vocab.ccs) if "zh" in languages else ""
        titles = make_titles(rng, vocab, languages, part)
        scope = {"en": make_scope(rng, vocab)} if "zh" not in languages and rng.random() < SCOPE_SHARE else {}
        editions = 1 + (rng.random() < 0.45) + (rng.random() < 0.2) + (rng.random() < 0.08)
        years = sorted(rng.sample(range(1975, 2026), editions))
        withdrawn_last = rng.random() < WITHDRAWN_SHARE
        previous = None
        group: list[Standard] = []
        for i, year in enumerate(years):
            last = i == len(years) - 1
            status = ("withdrawn" if withdrawn_last else ("upcoming" if year == 2025 and rng.random() < 0.3
                                                        else "current")) if last else "replaced"
            rec = Standard(make_designation(pattern, serial, part, year), titles=dict(titles), status=status,
                           published=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                           ics=list(ics), ccs=ccs, committee=committee, edition=str(i + 1),
                           languages=list(languages), scope=dict(scope))
            if "zh" in languages:
                rec.in_force = f"{year}-{rng.randint(1, 12):02d}-01" if year < 2025 else "2026-06-01"
            if status == "withdrawn":
                rec.withdrawn = f"{min(year + rng.randint(3, 15), 2025)}-01-01"
            if previous is not None:
                rec.add_relation("replaces", previous.designation)
            group.append(rec)
            if ":" in pattern and rng.random() < SUPPLEMENT_SHARE:  # ISO/IEC/EN amendments, corrigenda
                kind = "Amd" if rng.random() < 0.65 else "Cor"
                sup_year = min(year + rng.randint(1, 6), 2025)
                sup = Standard(f"{rec.designation}/{kind} 1:{sup_year}", titles={
                    k: v + (" — Amendment 1" if k == "en" else " — Amendement 1" if k == "fr" else "")
                    for k, v in titles.items()}, status=status, published=f"{sup_year}-06-01", ics=list(ics),
                    committee=committee, languages=list(languages))
                group.append(sup)
            previous = rec
        if pattern.startswith("ISO ") and not withdrawn_last and rng.random() < DRAFT_SHARE:
            stage = rng.choice(("DIS", "FDIS", "CD"))
            group.append(Standard(pattern.split(" ")[0] + f"/{stage} {serial}{'-' + part if part else ''}",
                                  titles=dict(titles), status="draft", ics=list(ics), committee=committee,
                                  languages=list(languages)))
        for rec in group:
            if made >= count:
                return
            problem = complete_record(rec)
            if problem is not None:  # a pattern the grammar refuses would be a bug here: say so
                raise ValueError(f"synthetic designation {rec.designation!r} rejected: {problem.reason}")
            made += 1
            yield rec


def to_jsonl_line(rec: Standard) -> str:
    """One record in the catalogue-jsonl format of the demo catalogue (ingest reads it back)."""
    data = {"designation": rec.designation, "status": rec.status, "titles": rec.titles,
            "dates": {"published": rec.published or None, "in_force": rec.in_force or None,
                      "withdrawn": rec.withdrawn or None},
            "ics": rec.ics, "committee": rec.committee, "languages": rec.languages}
    if rec.ccs:
        data["ccs"] = rec.ccs
    if rec.edition:
        data["edition"] = rec.edition
    if rec.scope:
        data["scope"] = rec.scope
    relations = [{"type": r.type, "target": r.target, "degree": r.degree} for r in rec.relations
                 if r.type == "replaces"]
    if relations:
        data["relations"] = relations
    return json.dumps(data, ensure_ascii=False)


def write_jsonl(path: Path, count: int, seed: int = 20261125) -> int:
    """Write ``count`` synthetic records to ``path``; answer the number written."""
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        for rec in generate_records(count, seed):
            out.write(to_jsonl_line(rec) + "\n")
            written += 1
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--output", type=Path, required=True, help="catalogue-jsonl file to write")
    args = parser.parse_args(argv)
    print(f"wrote {write_jsonl(args.output, args.records, args.seed):,} records to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
