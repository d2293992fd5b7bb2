"""Read iso.org product pages (``/standard/23281.html``) in English, French or Russian.

Two layouts are read:

- 2024: ``<h1 class="stdTitle">`` holds the designation and the title (``span.lead``);
  "General information" is a ``ul.refine`` of ``div.entry-label`` / value pairs
  (``#publicationStatus``, ``#publicationDate``, ``#stageId`` ...); the life cycle is
  ``section#lifecycle ul.steps > li.time-step`` with "Previously" / "Now" / later steps.
- 2018: ``#itemReference`` holds the designation and ``h3[itemprop=description]`` the title
  (parts joined with " -- "); "General information" is ``div.well ul.refine`` with
  ``<strong>`` labels; the current stage is the ``li.dropdown.active`` of the stage bar; the
  life cycle ("Revisions / Corrigenda") is a ``ul.steps`` whose ``li.active`` is this edition.

Fields: designation; title in the page's language (``<html lang>``), with " -- " written as
" — " as iso.org prints it today; status from the status word in the page's language
(Published / Publiée / Опубликовано ...; the Russian 2018 pages print English status words),
falling back on the stage code (95.99 withdrawn, 60.60 and 90.xx published, earlier stages a
draft); publication date; edition; number of pages; committee and ICS (the links inside
"General information", never the ICS breadcrumb at the foot of the page).

Life cycle, read by position so it works in every language: each designation in a step before
this edition's step -> ``replaces`` ("Previously: Withdrawn ISO 123:1985"); after it, a
supplement of this edition ("ISO 19115-1:2014/Amd 1:2018") -> ``amended_by`` (``/Cor`` ->
``corrected_by``), anything else ("Revised by", "Will be replaced by") -> ``replaced_by``.
A withdrawn edition that names a successor is ``replaced``. The stage code itself has no field
in the record: it only decides the status when the status word is missing or unknown.

Quirk: the Russian 2018 pages keep the English title (no Cyrillic in it): such a title is
stored as "en", not "ru", so it is not mistaken for a Russian title.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO, Iterator

from bs4 import BeautifulSoup, Tag

from catalogue.records import Problem, Reading, Standard
from ingest.files import looks_like_html


#: Status words as iso.org prints them (lower case) -> our status.
STATUS_WORDS = {
    "published": "current",
    "publiée": "current",
    "publié": "current",
    "опубликовано": "current",
    "опубликован": "current",
    "withdrawn": "withdrawn",
    "annulée": "withdrawn",
    "annulé": "withdrawn",
    "отменено": "withdrawn",
    "отменен": "withdrawn",
    "deleted": "withdrawn",
    "under development": "draft",
    "projet": "draft",
    "en cours d'élaboration": "draft",
    "в стадии разработки": "draft",
    "разрабатывается": "draft",
}
#: "General information" labels in en/fr/ru -> our name for the value.
LABELS = {
    "status": "status", "current status": "status", "état actuel": "status", "текущий статус": "status",
    "statut": "status",
    "publication date": "published", "date de publication": "published", "дата публикации": "published",
    "stage": "stage", "stade": "stage", "стадия": "stage",
    "edition": "edition", "édition": "edition", "версия": "edition", "издание": "edition",
    "number of pages": "pages", "nombre de pages": "pages", "число страниц": "pages",
    "количество страниц": "pages",
}

_STAGE = re.compile(r"\b(\d{2}\.\d{2})\b")
_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def sniff(head: bytes) -> bool:
    """True for an iso.org page: HTML whose head names iso.org or its page template."""
    if not looks_like_html(head):
        return False
    return any(mark in head for mark in (b"www.iso.org/", b"isoorg-template", b"iso-jahia"))


def read(path) -> Iterator[Reading]:
    """Read one iso.org page by path."""
    path = Path(path)
    with open(path, "rb") as fp:
        yield from read_iso_html(fp, str(path))


def read_iso_html(fp: BinaryIO, name: str) -> Iterator[Reading]:
    """Read an iso.org product page ('<h1 class="stdTitle">ISO 123:2001 ...'): one Reading."""
    raw = fp.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield _make_problem(name, None, None, f"The page is not UTF-8 text (bad byte at offset {exc.start}).")
        return
    soup = BeautifulSoup(text, "lxml")
    lang = detect_page_language(soup)
    if soup.select_one("h1.stdTitle") is not None:
        page = read_2024_layout(soup)
        marker = "stdTitle"
    elif soup.find(id="itemReference") is not None:
        page = read_2018_layout(soup)
        marker = "itemReference"
    else:
        yield _make_problem(name, None, None,
                            "This is not an iso.org standard page (no stdTitle or itemReference heading).")
        return
    line = text.count("\n", 0, max(text.find(marker), 0)) + 1
    designation = page["designation"]
    if not designation:
        yield _make_problem(name, line, "designation", "The page's heading names no standard.")
        return
    record = Standard(designation=designation)
    title = clean_title(page["title"])
    if title:
        # The Russian 2018 pages keep the English title.
        record.titles["en" if lang == "ru" and not _CYRILLIC.search(title) else lang] = title
    fields = page["fields"]
    stage = page["stage"] or _find_stage(fields.get("stage", ""))
    status = decide_status(fields.get("status", ""), stage)
    if status is None:
        word = fields.get("status") or "(none)"
        reason = f"{designation}: status '{word}' is not a status word we know, and the page gives no stage code."
        yield _make_problem(name, line, "status", reason)
        return
    record.status = status
    published = fields.get("published", "")
    if published and not _DATE.match(published):
        yield _make_problem(name, line, "published", f"{designation}: publication date '{published}' is not a date.")
        return
    record.published = published
    record.edition = _find_number(fields.get("edition", ""))
    record.pages = _find_number(fields.get("pages", ""))
    record.committee = page["committee"]
    record.ics = page["ics"]
    add_lifecycle(record, page["before"], page["after"])
    if record.status == "withdrawn" and any(r.type == "replaced_by" for r in record.relations):
        record.status = "replaced"
    yield Reading(item=record, line=line)


def read_2024_layout(soup: BeautifulSoup) -> dict:
    """Designation, title, fields and life cycle of a 2024 page."""
    heading = soup.select_one("h1.stdTitle")
    spans = [s for s in heading.find_all("span") if "d-block" in (s.get("class") or [])]
    designation = next((_get_text(s) for s in spans if "lead" not in s.get("class", [])), "")
    lead = heading.select_one("span.lead")
    status_box = soup.find(id="publicationStatus")
    box = status_box.find_parent("ul") if status_box is not None else soup.select_one("ul.refine")
    stage_link = soup.select_one("#stageId a")
    steps = soup.select("#lifecycle ul.steps > li.time-step")
    now = next((i for i, li in enumerate(steps) if li.select_one(".step.active")), None)
    before, after = _split_steps(steps, now, lambda li: [_get_text(h) for h in li.select("h5")], designation)
    return {
        "designation": designation,
        "title": _get_text(lead) if lead else "",
        "fields": read_info_fields(box),
        "stage": _get_text(stage_link) if stage_link else "",
        "committee": _find_first_link(box, "/committee/"),
        "ics": _find_links(box, "/ics/"),
        "before": before,
        "after": after,
    }


def read_2018_layout(soup: BeautifulSoup) -> dict:
    """Designation, title, fields and life cycle of a 2018 page."""
    designation = _get_text(soup.find(id="itemReference"))
    title = soup.find("h3", attrs={"itemprop": "description"})
    box = soup.select_one("div.well ul.refine")
    stage = soup.select_one("ul.stages li.dropdown.active span.stage-code")
    steps = soup.select("ul.steps > li")
    now = next((i for i, li in enumerate(steps) if "active" in (li.get("class") or [])), None)
    before, after = _split_steps(steps, now, lambda li: [_get_text(a) for a in li.find_all("a")], designation)
    return {
        "designation": designation,
        "title": _get_text(title) if title else "",
        "fields": read_info_fields(box),
        "stage": _get_text(stage) if stage else "",
        "committee": _find_first_link(box, "/committee/"),
        "ics": _find_links(box, "/ics/"),
        "before": before,
        "after": after,
    }


def _split_steps(steps: list[Tag], now: int | None, names, designation: str) -> tuple[list[str], list[str]]:
    """Designations in life-cycle steps before and after this edition's step."""
    if now is None:
        now = next((i for i, li in enumerate(steps) if designation in names(li)), None)
    if now is None:
        return [], []
    before = [d for li in steps[:now] for d in names(li) if d and d != designation]
    after = [d for li in steps[now + 1:] for d in names(li) if d and d != designation]
    after += [d for d in names(steps[now]) if d and d != designation]
    return before, after


def add_lifecycle(record: Standard, before: list[str], after: list[str]) -> None:
    """Earlier steps -> replaces; later: supplements of this edition -> amended_by / corrected_by, else replaced_by."""
    for target in before:
        record.add_relation("replaces", target)
    for target in after:
        if target.startswith(record.designation + "/"):
            kind = "corrected_by" if "/cor" in target.lower() else "amended_by"
            record.add_relation(kind, target)
        else:
            record.add_relation("replaced_by", target)


def read_info_fields(box: Tag | None) -> dict[str, str]:
    """'General information' as {'status': 'Published', 'published': '2001-05', 'stage': '...', ...}."""
    fields: dict[str, str] = {}
    if box is None:
        return fields
    labels = box.select(".entry-label, strong, dt")
    for label in labels:
        key = LABELS.get(_normalise_label(label.get_text()))
        if not key or key in fields:
            continue
        pieces = []
        for sibling in label.next_siblings:
            if isinstance(sibling, Tag) and (sibling in labels or sibling.select_one(".entry-label, strong, dt")):
                break  # the next label's value starts here
            pieces.append(sibling.get_text(" ") if isinstance(sibling, Tag) else str(sibling))
        fields[key] = re.sub(r"\s+", " ", " ".join(pieces).replace("\xa0", " ")).strip(" :")
    return fields


def decide_status(word: str, stage: str) -> str | None:
    """'Published' / 'Publiée' / 'Withdrawn' (or, without a known word, a stage like '95.99') -> status."""
    status = STATUS_WORDS.get(word.strip().lower())
    if status:
        return status
    if not stage:
        return None
    if stage == "95.99":
        return "withdrawn"
    if stage == "60.60" or stage.startswith("9"):
        return "current"
    return "draft"


def detect_page_language(soup: BeautifulSoup) -> str:
    """'en', 'fr' or 'ru' from <html lang>, else from the canonical link (/fr/standard/...)."""
    html_tag = soup.find("html")
    lang = (html_tag.get("lang") if html_tag else "") or ""
    if not lang:
        canonical = soup.find("link", rel="canonical")
        href = canonical.get("href", "") if canonical else ""
        match = re.search(r"iso\.org/(fr|ru|es)/", href)
        lang = match.group(1) if match else "en"
    return lang.split("-")[0].lower()


def clean_title(title: str) -> str:
    """'Geographic information -- Metadata' -> 'Geographic information — Metadata'."""
    title = re.sub(r"\s+", " ", title).strip()
    return re.sub(r"\s+--\s+", " — ", title)


def _normalise_label(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip(" :").lower()


def _find_stage(text: str) -> str:
    match = _STAGE.search(text)
    return match.group(1) if match else ""


def _find_number(text: str) -> str:
    match = re.search(r"\d+", text)
    return match.group(0) if match else ""


def _find_first_link(box: Tag | None, part: str) -> str:
    links = _find_links(box, part)
    return links[0] if links else ""


def _find_links(box: Tag | None, part: str) -> list[str]:
    """Texts of the links whose href holds ``part`` ('/ics/'), in order, without repeats."""
    if box is None:
        return []
    found: list[str] = []
    for a in box.find_all("a", href=True):
        if part in a["href"]:
            value = _get_text(a)
            if value and value not in found:
                found.append(value)
    return found


def _get_text(tag: Tag | None) -> str:
    return re.sub(r"\s+", " ", tag.get_text(" ") if tag else "").strip()


def _make_problem(name: str, line: int | None, field: str | None, reason: str) -> Reading:
    return Reading(problem=Problem(file=name, line=line, field=field, reason=reason))
