"""Read CEN catalogue detail pages (standards.cen.eu, an Oracle APEX application, page 110).

A detail page is a set of ``table.dashlist`` tables of ``<th class="detail">label</th><td>value</td>``
rows: Reference, Title, Status, Reference Document, ICS, the implementation dates and the
relations. The committee that owns the deliverable is the page's ``<h1>`` ("CEN/TC 279",
"CEN/TC 459/SC 1", "CEN/WS XFS"), also in the ``<title>`` as "CEN - CEN/TC 279".

How the rows land in a Standard:

- Reference -> designation (EN, EN ISO, CEN ISO/TS, CWA, CR, HD, ENV ... as printed).
- Title -> titles in the page's language (the "En"/"Fr"/"De" switch that is on), as printed.
- Status: Published -> current; Withdrawn -> withdrawn, or replaced when "Superseded by"
  names a successor; any "Under ..." / "Approved" stage -> draft.
- Dates: "date of Availability (DAV)" is when CEN made the text available: -> published. The
  DOR, DOA and DOP are deadlines for CEN members, not dates of this edition; and "date of
  Withdrawal (DOW)" is the latest date for members to withdraw *conflicting national
  standards*, so it is stored as the withdrawal date only when the page says the standard
  itself is withdrawn.
- ICS -> codes ("01.040.03 - Services ..." -> "01.040.03").
- Supersedes -> replaces; Superseded by -> replaced_by (a draft successor such as
  "prEN 10160 rev" is kept as printed); Normative reference -> cites.
- Reference Document "ISO/TS 21003-7:2019 (EQV)" -> adopts that ISO deliverable; the degree
  follows the page: IDT, or EQV ("equivalent", CEN's older word for an identical adoption)
  -> IDT, MOD -> MOD, NEQ -> NEQ.

A CEN page without a Reference row (a committee's home page, its work programme ...) is not
a standard detail page: one Problem says so.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO, Iterator

from bs4 import BeautifulSoup, Tag

from catalogue.records import Problem, Reading, Standard
from ingest.files import looks_like_html


#: CEN status words -> our status (anything starting "under" is a stage of development).
STATUS_WORDS = {
    "published": "current",
    "withdrawn": "withdrawn",
    "approved": "draft",
    "in preparation": "draft",
    "preliminary": "draft",
}
#: Degree marks after a Reference Document -> GB/T 20000.2 degree.
DEGREES = {"IDT": "IDT", "EQV": "IDT", "MOD": "MOD", "NEQ": "NEQ"}

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ICS = re.compile(r"^\s*(\d{2}(?:\.\d{3}(?:\.\d{2})?)?)\b")
_REFERENCE_DOC = re.compile(r"^(?P<target>.+?)\s*\((?P<degree>[A-Z]{3})\)\s*$")


def sniff(head: bytes) -> bool:
    """True for a CEN APEX page: '<title>CEN - CEN/TC 279</title>' or a standards.cen.eu address."""
    if not looks_like_html(head):
        return False
    return bool(re.search(rb"<title>\s*CEN\s+-\s", head)) or b"standards.cen.eu" in head


def read(path) -> Iterator[Reading]:
    """Read one CEN page by path."""
    path = Path(path)
    with open(path, "rb") as fp:
        yield from read_cen_html(fp, str(path))


def read_cen_html(fp: BinaryIO, name: str) -> Iterator[Reading]:
    """Read a CEN detail page ('<th class="detail">Reference</th><td>EN 1325:2014</td>'): one Reading."""
    raw = fp.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield _make_problem(name, None, None, f"The page is not UTF-8 text (bad byte at offset {exc.start}).")
        return
    soup = BeautifulSoup(text, "lxml")
    rows = collect_detail_rows(soup)
    reference = rows.get("reference")
    if reference is None:
        yield _make_problem(name, None, None,
                       "This CEN page is not a standard detail page (it has no Reference row): nothing to read.")
        return
    designation = _get_text(reference)
    line = _find_line(text, designation)
    if not designation:
        yield _make_problem(name, line, "designation", "The Reference row is empty.")
        return
    record = Standard(designation=designation)
    title = _get_text(rows.get("title"))
    if title:
        record.titles[detect_page_language(soup)] = title
    word = _get_text(rows.get("status"))
    status = decide_status(word)
    if status is None:
        reason = f"{designation}: status '{word or '(none)'}' is not a CEN status we know."
        yield _make_problem(name, line, "status", reason)
        return
    record.status = status
    record.published = _find_date(rows.get("date of availability (dav)"))
    record.committee = find_committee(soup)
    record.ics = [m.group(1) for m in (_ICS.match(v) for v in _split_values(rows.get("ics"))) if m]
    for target in _split_values(rows.get("supersedes")):
        record.add_relation("replaces", target)
    for target in _split_values(rows.get("superseded by")):
        record.add_relation("replaced_by", target)
    for target in _split_values(rows.get("normative reference")):
        record.add_relation("cites", target)
    for value in _split_values(rows.get("reference document")):
        match = _REFERENCE_DOC.match(value)
        if match and match.group("degree") in DEGREES:
            record.add_relation("adopts", match.group("target"), DEGREES[match.group("degree")])
    if record.status == "withdrawn":
        record.withdrawn = _find_date(rows.get("date of withdrawal (dow)"))
        if any(r.type == "replaced_by" for r in record.relations):
            record.status = "replaced"
    yield Reading(item=record, line=line)


def collect_detail_rows(soup: BeautifulSoup) -> dict[str, Tag]:
    """{'reference': <td>, 'title': <td>, 'date of withdrawal (dow)': <td>, ...} from every dashlist."""
    rows: dict[str, Tag] = {}
    for th in soup.select("table.dashlist th"):
        td = th.find_next_sibling("td")
        if td is None:
            continue
        # Labels carry footnote marks: "date of Withdrawal (DOW) (5)", "Normative reference (6)".
        label = re.sub(r"\s*\(\d+\)\s*$", "", _get_text(th)).lower()
        rows.setdefault(label, td)
    return rows


def decide_status(word: str) -> str | None:
    """'Published' -> current, 'Withdrawn' -> withdrawn, 'Under Approval' -> draft."""
    word = word.strip().lower()
    if word.startswith("under "):
        return "draft"
    return STATUS_WORDS.get(word)


def find_committee(soup: BeautifulSoup) -> str:
    """'CEN/TC 279' from the dashboard heading, else from '<title>CEN - CEN/TC 279</title>'."""
    for h1 in soup.find_all("h1"):
        value = _get_text(h1)
        if re.match(r"^CEN(?:ELEC)?/", value):
            return value
    title = _get_text(soup.title) if soup.title else ""
    match = re.match(r"^CEN\s+-\s+(.+)$", title)
    return match.group(1).strip() if match else ""


def detect_page_language(soup: BeautifulSoup) -> str:
    """The language switch that is on ('bt-en-on', 'bt-fr-on', 'bt-de-on'), else English."""
    for lang in ("en", "fr", "de"):
        if soup.select_one(f"a.bt-{lang}-on"):
            return lang
    return "en"


def _split_values(td: Tag | None) -> list[str]:
    """The values of a cell, one per link, <br/> or <div> ('EN 1325-2:2004', 'EN 1325-1:1996')."""
    if td is None:
        return []
    parts = [re.sub(r"\s+", " ", p).strip() for p in td.get_text("\n").split("\n")]
    return [p for p in parts if p]


def _find_date(td: Tag | None) -> str:
    match = _DATE.search(_get_text(td)) if td is not None else None
    return match.group(0) if match else ""


def _find_line(text: str, designation: str) -> int | None:
    at = text.find(f"<td>{designation}</td>") if designation else -1
    if at < 0:
        at = text.find(">Reference<")
    return text.count("\n", 0, at) + 1 if at >= 0 else None


def _get_text(tag: Tag | None) -> str:
    return re.sub(r"\s+", " ", tag.get_text(" ") if tag is not None else "").strip()


def _make_problem(name: str, line: int | None, field: str | None, reason: str) -> Reading:
    return Reading(problem=Problem(file=name, line=line, field=field, reason=reason))
