"""One loaded Relaton mapping, older or newer schema, as a catalogue record (ingest.relaton_model.Built).

The YAML reader (ingest.relaton_yaml) loads each document into a mapping and hands it here; the
rules of the model (status words, skips, variants, relations, titles) are ingest.relaton_model.
How the fields map is described in the YAML reader's module docstring.
"""
from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from catalogue.designation import try_parse
from catalogue.records import Standard
from ingest.relaton_model import (
    VARIANT_DOCTYPES, Built, RecordError, as_list, base_designation, clean, content, degree_of, fold_word,
    language_code, pick_designation, read_relation, read_titles, status_of, why_not_a_standard,
)

_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]\d")
_TAG = re.compile(r"<[^>]*>")
_BLOCK_TAG = re.compile(r"<(?:br|/p|/li|/div|/h\d)\b[^>]*>", re.IGNORECASE)
_COMMITTEE_CODE = re.compile(r"^(?:TC|SC|SyC|PC|JTC|JWG)\s")
_ENGLISH_WORDS = frozenset("the of and is to this for in are be with which that by it".split())
_FRENCH_WORDS = frozenset("le la les des du de et est pour dans une un sont au aux qui ce cette par".split())


def build_standard(data: dict) -> Standard:
    """Turn one loaded Relaton mapping ({'docid': [{'id': 'ISO 5208:2015', ...}], ...}) into a Standard."""
    info = build(data)
    if info.skip:
        raise RecordError(None, info.skip)
    return info.record


def build(data: dict) -> Built:
    """One Relaton mapping, either schema, as a Built: the Standard, its warnings, or a skip."""
    ext = data.get("ext") if isinstance(data.get("ext"), dict) else {}
    doctype = fold_word(_doctype(ext.get("doctype", data.get("doctype"))))
    skip = why_not_a_standard(str(data.get("type") or ""), doctype, _authors_are_people(data))
    if skip:
        return Built(skip=skip)
    designation = primary_id(data)
    if not designation:
        raise RecordError("docid", "the record has no docid, so it names no standard.")
    info = Built()
    info.variant_of = base_designation(designation, doctype)
    if not info.variant_of and doctype in VARIANT_DOCTYPES:
        info.variant_of = designation
    rec = Standard(designation=designation)
    langs = [language_code(x) for x in as_list(data.get("language")) if isinstance(x, str)]
    scripts = [s for s in as_list(data.get("script")) if isinstance(s, str)]
    rec.titles = read_titles(data.get("title"), langs, scripts[0] if len(langs) == 1 and scripts else "")
    for entry in as_list(data.get("relation")):
        _read_relation_entry(entry, designation, rec, info)
    info.has_parts = any(isinstance(e, dict) and e.get("type") == "hasPart" for e in as_list(data.get("relation")))
    successor = any(r.type == "replaced_by" for r in rec.relations)
    rec.status = _read_status(data, ext, successor, info)
    dates = read_dates(data.get("date"))
    rec.published = dates.get("published") or dates.get("issued", "")
    rec.in_force = dates.get("implemented", "")
    if rec.status in ("withdrawn", "replaced"):
        rec.withdrawn = dates.get("obsoleted", "")
    rec.ics = read_ics(ext.get("ics", data.get("ics")))
    group = ext.get("editorialgroup", data.get("editorialgroup"))
    rec.committee = read_committee(group, _publisher_body(data, designation)) or _author_committee(data)
    rec.edition = clean(content(data.get("edition")))
    rec.languages = [lang for lang in dict.fromkeys(langs) if lang]
    rec.scope = read_abstracts(data.get("abstract"), langs)
    if not rec.scope and isinstance(ext.get("scope"), str) and clean(ext["scope"]):
        rec.scope = {(langs[0] if langs else "en"): clean(ext["scope"])}
    info.record = rec
    return info


def _doctype(value: Any) -> str:
    """The doctype word: older schema {type: standard}, newer {content: recommendation}, or a string."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("type") or value.get("content") or value.get("abbreviation") or ""
    return str(value or "")


def _read_status(data: dict, ext: dict, successor: bool, info: Built) -> str:
    """The status from status/docstatus, else from the status words of ext."""
    block = data.get("docstatus") or data.get("status")
    candidates: list[tuple[str, str]] = []
    if isinstance(block, dict):
        candidates.append((clean(content(block.get("stage"))), clean(content(block.get("substage")))))
    elif isinstance(block, str):
        candidates.append((clean(block), ""))
    elif block:
        raise RecordError("status", f"docstatus must be a mapping with a stage, not '{block}'.")
    for name in ("stage", "standard_status", "status"):
        if isinstance(ext.get(name), (str, dict)):
            candidates.append((clean(content(ext.get(name))), ""))
    warning = None
    for stage, substage in candidates:
        if not stage:
            continue
        status, why = status_of(stage, substage, successor)
        if status:
            return status
        warning = warning or why
    if warning:
        info.warnings.append(("status", warning))
    return ""


def _read_relation_entry(entry: Any, designation: str, rec: Standard, info: Built) -> None:
    if not isinstance(entry, dict):
        return
    kind = str(entry.get("type") or "")
    bib = entry.get("bibitem")
    target = primary_id(bib) if isinstance(bib, dict) else ""
    if not target or target == designation:
        return
    if kind == "partOf":
        info.part_of = target
        info.parent_titles = read_titles(bib.get("title"), [language_code(x) for x in as_list(bib.get("language"))
                                                             if isinstance(x, str)])
        return
    description = clean(content(entry.get("description")))
    mapped, warning = read_relation(kind, designation, target, description)
    if warning:
        info.warnings.append(("relation", warning))
    if mapped:
        degree = degree_of(kind, description) if mapped in ("adopts", "adopted_by") else None
        rec.add_relation(mapped, target, degree)


def primary_id(data: dict) -> str:
    """The docid marked primary ('ISO 5208:2015'), else the first one; '' when there is none."""
    ids = [d for d in as_list(data.get("docid")) + as_list(data.get("docidentifier")) if isinstance(d, dict)]
    found = pick_designation(ids)
    if not found:
        ref = data.get("formattedref")
        return clean(content(ref)) if ref else ""
    chosen = next((d for d in ids if clean(str(d.get("id") or d.get("content") or "")) == found), {})
    # relaton-gb splits industry designations: docid {type: JB, id: T13368} for JB/T 13368, with
    # the whole designation only in the top-level id ("JB/T13368").
    top = data.get("id")
    kind = str(chosen.get("type") or "")
    if isinstance(top, str) and kind and not found.upper().startswith(kind.upper()) \
            and top.replace(" ", "").upper().startswith(kind.upper()) and try_parse(top) is not None:
        return clean(top)
    return found


def _authors_are_people(data: dict) -> bool:
    """True when the record's authors are named people and no organisation authored it."""
    people = orgs = 0
    for entry in as_list(data.get("contributor")):
        if not isinstance(entry, dict):
            continue
        roles = {fold_word(content(r.get("type") if isinstance(r, dict) else r)) for r in as_list(entry.get("role"))}
        if "author" not in roles:
            continue
        if entry.get("person"):
            people += 1
        elif entry.get("organization"):
            orgs += 1
    return people > 0 and orgs == 0


def _author_committee(data: dict) -> str:
    """The newer schema's committee: an author organisation's subdivisions 'TC8', 'SC3' -> 'OIML/TC 8/SC 3'."""
    for entry in as_list(data.get("contributor")):
        org = entry.get("organization") if isinstance(entry, dict) else None
        if not isinstance(org, dict) or not org.get("subdivision"):
            continue
        body = clean(content(org.get("abbreviation")))
        codes = []
        for sub in as_list(org.get("subdivision")):
            if not isinstance(sub, dict):
                continue
            code = clean(content(sub.get("identifier")))
            if re.fullmatch(r"(?:TC|SC|PC|WG|SyC|JWG)\s?\d+[A-Z]?", code):
                codes.append(re.sub(r"^([A-Za-z]+)\s?", r"\1 ", code))
        if body and codes:
            return "/".join([body] + codes)
    return ""


def read_dates(entries: Any) -> dict[str, str]:
    """{'published': '2015-06', 'obsoleted': '2017-03-31', ...}: the first date of each type."""
    dates: dict[str, str] = {}
    for entry in as_list(entries):
        if not isinstance(entry, dict):
            continue
        kind = str(entry.get("type") or "")
        value = next((entry[k] for k in ("value", "on", "from") if entry.get(k) not in (None, "")), None)
        if kind not in ("published", "issued", "implemented", "obsoleted") or kind in dates or value is None:
            continue
        dates[kind] = _iso_date(value, kind)
    return dates


def _iso_date(value: Any, kind: str) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, int) and 1000 <= value <= 9999:
        return str(value)
    text = str(value).strip()
    if _DATE.match(text):
        return text
    stamp = _DATETIME.match(text)
    if stamp:
        return stamp.group(1)
    field = {"published": "published", "issued": "published", "implemented": "in_force", "obsoleted": "withdrawn"}[kind]
    raise RecordError(field, f"the {kind} date '{text}' is not a date (YYYY, YYYY-MM or YYYY-MM-DD).")


def read_ics(entries: Any) -> list[str]:
    """ICS codes: [{'code': '23.060.01', 'text': 'Valves in general'}] -> ['23.060.01']."""
    codes = []
    for entry in as_list(entries):
        code = clean(str(entry.get("code", "")) if isinstance(entry, dict) else str(entry))
        if code and code not in codes:
            codes.append(code)
    return codes


def read_committee(group: Any, body: str) -> str:
    """The first technical committee: 'ISO/TC 121/SC 3' as given, IEC's 'TC 1' as 'IEC/TC 1', or
    a committee's name (IEEE)."""
    if not isinstance(group, dict):
        return ""
    for tc in as_list(group.get("technical_committee")):
        if not isinstance(tc, dict):
            continue
        identifier = clean(str(tc.get("identifier") or ""))
        if identifier:
            return identifier
        name = clean(content(tc.get("name")))
        if name and _COMMITTEE_CODE.match(name) and body:
            return f"{body}/{name}"
        number = tc.get("number")
        if number and str(tc.get("type", "")).upper() in ("TC", "PC") and body:
            return f"{body}/{str(tc['type']).upper()} {number}"
        if name:
            return name
    for name in as_list(group.get("committee")):
        text = clean(content(name))
        if text:
            return text
    return ""


def _publisher_body(data: dict, designation: str) -> str:
    ids = [d for d in as_list(data.get("docid")) + as_list(data.get("docidentifier")) if isinstance(d, dict) and d.get("primary")]
    kind = str(ids[0].get("type", "")) if ids else ""
    if kind.isalpha() and kind.isupper():
        return kind
    return re.split(r"[ /]", designation, maxsplit=1)[0]


def read_abstracts(entries: Any, langs: list[str] | None = None) -> dict[str, str]:
    """Abstracts by language, HTML stripped; a non-English one that is really English is dropped."""
    found: dict[str, str] = {}
    default = (langs or ["en"])[0] or "en"
    for entry in as_list(entries):
        if not isinstance(entry, dict):
            continue
        text = content(entry)
        if "html" in str(entry.get("format") or "") or "<" in text:
            text = strip_html(text)
        text = clean(text)
        for lang in as_list(entry.get("language")) or [default]:
            if isinstance(lang, str) and text:
                found.setdefault(language_code(lang), text)
    english = found.get("en", "")
    for lang in [x for x in found if x != "en"]:
        if found[lang] == english or (lang == "fr" and reads_as_english(found[lang])):
            del found[lang]
    return found


def reads_as_english(text: str) -> bool:
    """True when common English words outnumber French ones: 'This document specifies ...'."""
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    english = sum(w in _ENGLISH_WORDS for w in words)
    french = sum(w in _FRENCH_WORDS for w in words)
    return english > french


def strip_html(text: str) -> str:
    """'a <strong>b</strong><br/>c' -> 'a b\\nc': IEC abstracts are small HTML fragments."""
    text = _BLOCK_TAG.sub("\n", text)
    return html.unescape(_TAG.sub("", text))
