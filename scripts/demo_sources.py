"""The researched records of the demo (``/work/research/*.jsonl``): how good each page is, and
what of each record the demo keeps.

Each research line names, for every field, the pages it was read on (``"sources": {url:
[fields]}``, the format of research-format.md). The pages are graded by what kind of site they
are (:func:`grade_of`), best first:

1. ``publisher``: the publisher's own catalogue or shop, a national standards body, a Chinese
   national platform (std.samr, openstd, hbba, the CNIS service csres.com), or /work/shared/data;
2. ``seller``: a reputable standards seller (chinesestandard.net and its mirrors, codeofchina,
   documentsales, webstore.ansi.org, GlobalSpec, iTeh, Normservis ...);
3. ``catalogue``: a standards-information site whose page is a catalogue entry for the standard
   (number, titles, dates, status, replacements), not a copy of its text (bzxz, bzchaxun, 11bz,
   yunbiaozhun ...);
4. ``organisation``: a page of an organisation that is no standards catalogue: a testing or
   certification company, a trade association, a manufacturer, a news site or a journal;
5. ``sharing``: document-sharing and download sites, proxies of them, forums, blogs, wikis,
   and every site not named here.

What the demo keeps (:func:`prune`), per record:

- a field keeps only the citations of its best grade;
- a field whose best page is an organisation's (grade 4) is kept, with that page as its
  provenance;
- a title (``titles.zh``, ``titles.en``) whose only pages are sharing sites (grade 5) is kept
  too: its provenance names the page, so the record page shows where it came from;
- any other field whose only pages are sharing sites (grade 5) is dropped when another field of
  the record comes from a page of grade 1-3 (the better source gives the rest; a sharing site
  does not add to it);
- a record whose best page is an organisation's (grade 4) is kept, with that page as its
  provenance;
- a record whose best page is a sharing site (grade 5) is dropped, unless a demo system or
  scheme cites its work: then it is kept with that page as its provenance, and listed.

Undated research lines (``UL 489``, 13th edition) are folded into the dated line of the same
work and edition number when exactly one exists, else dropped: the catalogue keys editions.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

GRADES = ("publisher", "seller", "catalogue", "organisation", "sharing")

_PUBLISHER = {
    "astm.org", "din.de", "standardscatalog.ul.com", "shopulstandards.com", "shop.bsigroup.com",
    "shop.standards.ie", "webshop.ds.dk", "ecommerce.sist.si", "std.samr.gov.cn", "openstd.samr.gov.cn",
    "hbba.sacinfo.org.cn", "csres.com", "f.csres.com", "webstore.iec.ch", "iso.org",
}
_SELLER = {
    "chinesestandard.net", "chinesestandard.us", "chinesestandard.de", "gb-gbt.cn", "gb-gbt.com",
    "chinesestandards.org", "codeofchina.com", "bzfyw.com", "documentsales.org", "publicationstore.com",
    "webstore.ansi.org", "standards.globalspec.com", "normservis.cz", "eshop.normservis.sk",
    "intertekinform.com", "infostore.saiglobal.com", "genorma.com", "standards.iteh.ai", "theiteh.com",
    "asmedoc.com", "m.asmedoc.com", "crm.asmedoc.com", "standardsofchina.com",
}
_CATALOGUE = {
    "bzchaxun.com", "gbstd.com", "bzxz.net", "m.bzxz.net", "11bz.com", "yunbiaozhun.com", "biao-zhun.cn",
    "biaozhun.org", "bzpt.com", "guifan.ocsyun.com", "zbzlnet.com", "en1.nbchao.com", "huayunly.cn",
    "zzguifan.com", "groupstandards.asia", "onlinestandart.com", "sib.cicy.mx",
}
_ORGANISATION = {
    "intertek.com", "staging-corporate.eurofins.com", "nbclab.com", "china-certification.com",
    "m.baijiantest.com", "gsiic.com", "pfi.hk", "anytesting.com", "chinaleather.org", "scandiagear.com",
    "circuit-protection.co.uk", "howsafe.co.uk", "ul.com", "jsoi.or.jp", "sugarloafmarketing.com",
    "dfcvalve.com", "valvestest.com", "farprovalve.com", "xigaopv.com", "m.wfzsj.com", "fmbjw.com",
    "qiavi.com", "tjybfm.org", "journal01.magtechjournal.com", "m.fx361.cc", "xiaofei.hangzhou.com.cn",
    "shoes.efef.com.cn", "qijiankeji.com", "jianceye.com", "mdjjksjc.com", "m.tjtdgl.cn",
    "suqian.11467.com", "shenzhen0153099.11467.com", "m.qiyeku.com", "scupgkg.cn", "gxjzx.com",
}

#: Fields kept although their only pages are sharing sites (grade 5): the designation, and the
#: titles (their provenance names the page).
KEPT_FROM_SHARING = frozenset({"designation", "titles.zh", "titles.en"})

#: Shared-data files are written "shared:gb/html/openstd/xxx.html" (research-format.md).
SHARED = "shared:"


def site_of(url: str) -> str:
    """'https://www.chinesestandard.net/PDF.aspx/GBT12238-2008' -> 'chinesestandard.net'."""
    if url.startswith(SHARED):
        return "shared"
    return (urlparse(url).netloc or url).lower().removeprefix("www.")


def grade_of(url: str) -> int:
    """1 (publisher) .. 5 (sharing, or a site not named): see the module docstring."""
    site = site_of(url)
    if site == "shared" or site in _PUBLISHER:
        return 1
    for grade, sites in ((2, _SELLER), (3, _CATALOGUE), (4, _ORGANISATION)):
        if site in sites:
            return grade
    return 5


@dataclass
class Researched:
    """One edition's research lines merged: the record's fields and, per field, its pages."""

    designation: str
    values: dict = field(default_factory=dict)  # field name ('titles.zh', 'status' ...) -> value
    cited: dict = field(default_factory=dict)  # field name -> {url: None} (ordered)
    files: list = field(default_factory=list)  # research files it came from
    conflicts: list = field(default_factory=list)  # (field, kept, other) where lines disagreed
    industry: str = ""  # the research line's pillar industry word (valves, eyewear ... general)

    def best_grade(self) -> int:
        return min((grade_of(u) for urls in self.cited.values() for u in urls), default=5)


#: Record fields of a research line, flattened the way ``sources`` names them.
def flatten(line: dict) -> dict:
    out = {}
    for name in ("designation", "status", "ccs", "committee", "edition"):
        if line.get(name):
            out[name] = line[name]
    for lang, text in (line.get("titles") or {}).items():
        if text:
            out[f"titles.{lang}"] = text
    for name, value in (line.get("dates") or {}).items():
        if value:
            out[f"dates.{name}"] = value
    if line.get("ics"):
        out["ics"] = list(line["ics"])
    if line.get("relations"):
        out["relations"] = [dict(r) for r in line["relations"]]
    return out


def _field_sources(line: dict, name: str) -> list[str]:
    """The pages of a line that give the field ``name`` ('titles' covers 'titles.en' ...)."""
    head = name.split(".")[0]
    return [url for url, fields in line.get("sources", {}).items()
            if name in fields or head in fields]


def load_research(paths: list[Path], key_of) -> tuple[dict[str, Researched], list[str]]:
    """Merge the research lines by edition key; answers (records by key, notes).

    ``key_of(designation)`` gives the catalogue key (None if the grammar cannot read it). A
    field two lines both give keeps the value from the better page (the first line on a tie),
    and the disagreement is noted.
    """
    records: dict[str, Researched] = {}
    notes: list[str] = []
    for path in paths:
        for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not raw.strip():
                continue
            line = json.loads(raw)
            key = key_of(line["designation"])
            if key is None:
                notes.append(f"{path.name}:{lineno}: {line['designation']}: the designation grammar cannot read it; dropped")
                continue
            rec = records.setdefault(key, Researched(line["designation"]))
            rec.files.append(path.name)
            if line.get("industry") and rec.industry in ("", "general"):
                rec.industry = line["industry"]
            for name, value in flatten(line).items():
                urls = _field_sources(line, name)
                if not urls:
                    notes.append(f"{path.name}:{lineno}: {line['designation']}: {name} names no page; dropped")
                    continue
                old = rec.values.get(name)
                if old is not None and name in ("relations", "ics"):
                    rec.values[name] = old + [x for x in value if x not in old]
                    rec.cited[name].update(dict.fromkeys(urls))
                    continue
                if old is not None and old != value and name != "designation":
                    new_grade = min(grade_of(u) for u in urls)
                    old_grade = min(grade_of(u) for u in rec.cited.get(name, {})) if rec.cited.get(name) else 5
                    if new_grade < old_grade:
                        rec.conflicts.append((name, value, old))
                        rec.values[name] = value
                        rec.cited[name] = dict.fromkeys(urls)
                    else:
                        rec.conflicts.append((name, old, value))
                    continue
                rec.values.setdefault(name, value)
                rec.cited.setdefault(name, {}).update(dict.fromkeys(urls))
    return records, notes


def fold_undated(records: dict[str, Researched], parse) -> list[str]:
    """Fold an undated line into the one dated line of its work with the same edition number
    (``parse``: catalogue.designation.try_parse)."""
    notes = []
    work_of = lambda text: parse(text).work  # noqa: E731 - every research designation parses
    for key, rec in list(records.items()):
        if parse(rec.designation).dated:
            continue
        work = work_of(rec.designation)
        edition = rec.values.get("edition")
        same = [k for k, r in records.items() if k != key and work_of(r.designation) == work
                and edition and r.values.get("edition") == edition]
        del records[key]
        if len(same) != 1:
            notes.append(f"{rec.designation}: undated, and no single dated edition of the work has edition "
                         f"{edition or '(none given)'}; dropped")
            continue
        target = records[same[0]]
        for name, value in rec.values.items():
            if name == "designation":
                continue
            if name not in target.values:
                target.values[name] = value
            elif target.values[name] != value:
                target.conflicts.append((name, target.values[name], value))
                continue
            target.cited.setdefault(name, {}).update(rec.cited.get(name, {}))
        target.files += rec.files
        target.industry = target.industry or rec.industry
        notes.append(f"{rec.designation} (edition {edition}) folded into {target.designation}")
    return notes


@dataclass
class Pruned:
    """What :func:`prune` decided for one record."""

    key: str
    line: dict | None  # the demo line (None: dropped)
    grade: int
    dropped_fields: list = field(default_factory=list)  # (field, [urls]) left out
    dropped_citations: int = 0  # weaker pages left out of a field a better page gives
    reason: str = ""
    record: Researched | None = None


def prune(key: str, rec: Researched, cited_works: set[str], work: str) -> Pruned:
    """Apply the rules of the module docstring to one merged record."""
    best = rec.best_grade()
    if best == 5 and work not in cited_works:
        return Pruned(key, None, best, reason="its only pages are document-sharing or download sites, "
                                               "proxies, forums or blogs", record=rec)
    keep: dict[str, list[str]] = {}
    out = Pruned(key, None, best, record=rec)
    for name, urls in rec.cited.items():
        grades = {u: grade_of(u) for u in urls}
        top = min(grades.values())
        if top == 5 and name not in KEPT_FROM_SHARING and best <= 3:
            out.dropped_fields.append((name, list(urls)))
            continue
        chosen = [u for u in urls if grades[u] == top]
        out.dropped_citations += len(urls) - len(chosen)
        keep[name] = chosen
    if best == 5:
        out.reason = "kept: a demo system or scheme cites it, and only a sharing site gives it"
    out.line = demo_line(rec, keep)
    return out


def demo_line(rec: Researched, keep: dict[str, list[str]]) -> dict:
    """The catalogue-jsonl line of a record: its kept fields and ``sources`` {url: [fields]}."""
    line: dict = {"designation": rec.designation}
    v = rec.values
    titles = {k.split(".", 1)[1]: v[k] for k in keep if k.startswith("titles.")}
    if titles:
        line["titles"] = dict(sorted(titles.items(), key=lambda kv: ("zh", "en").index(kv[0]) if kv[0] in ("zh", "en") else 9))
    for name in ("status", "edition"):
        if name in keep:
            line[name] = v[name]
    dates = {k.split(".", 1)[1]: v[k] for k in ("dates.published", "dates.in_force", "dates.withdrawn") if k in keep}
    if dates:
        line["dates"] = dates
    for name in ("ics", "ccs", "committee", "relations"):
        if name in keep:
            line[name] = v[name]
    sources: dict[str, list[str]] = {}
    for name, urls in keep.items():
        for url in urls:
            sources.setdefault(url, []).append(name)
    line["sources"] = sources
    return line
