"""Read Relaton XML bibliographic records (``<bibdata>`` / ``<bibitem>``) of any publisher.

Relaton XML is the XML twin of Relaton YAML: ``docidentifier``, ``title`` by language, script and
type, ``date`` by type, ``status/stage``, ``relation`` elements holding a nested ``bibitem``,
and an ``ext`` block; the vocabulary (status words, relation types, languages, what is not a
standard, language versions) is :mod:`ingest.relaton_model`, shared with the YAML reader. A stage
or relation type nobody taught us is a warning, and the record lands. relaton-gb's ``ext`` adds
``ccs``, ``ics`` and ``gbtype`` (``gbscope`` national/sector/local/social-group, ``gbprefix``,
``gbmandate`` mandatory/recommended/guide). The mandate is not stored: it must agree with a
national designation (mandatory = GB, recommended = GB/T, guide = GB/Z) or the record is rejected.

A file may hold one record, or a collection whose records sit in ``relation`` elements
(``<relaton-collection><relation type="partOf"><bibdata>``); a folder is read file by file, its
language versions merged and its parts' titles completed (relaton_model.Collection).
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import BinaryIO, Iterator

from lxml import etree

from catalogue.records import Problem, Reading, Standard
from ingest.relaton_model import (
    Built, Collection, base_designation, degree_of, fold_word, language_code, read_relation, status_of,
    why_not_a_standard, VARIANT_DOCTYPES,
)


#: gbmandate -> the prefix a national designation must have.
MANDATE_PREFIX = {"mandatory": "GB", "recommended": "GB/T", "guide": "GB/Z", "guidance": "GB/Z"}
RECORD_TAGS = ("bibdata", "bibitem")


def sniff(head: bytes) -> bool:
    """True if the first element of the file is <bibdata>, <bibitem> or a <relaton-collection>."""
    text = head.lstrip(b"\xef\xbb\xbf").decode("utf-8", errors="ignore")
    text = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", text, flags=re.S).lstrip()
    return bool(re.match(r"<(?:\w+:)?(?:bibdata|bibitem|relaton-collection)\b", text))


def read(path) -> Iterator[Reading]:
    """Read a Relaton XML file, or every Relaton XML file of a folder (each Reading names its file)."""
    path = Path(path)
    if path.is_dir():
        collection = Collection()
        for member in sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")):
            with open(member, "rb") as fp:
                if not member.name.lower().endswith(".xml") and not sniff(fp.read(4096)):
                    continue
                fp.seek(0)
                # Problems name the folder as given plus '!member', like archive members.
                for reading, built in _read_document(fp, f"{path}!{member.name}"):
                    if reading.item is not None or reading.skipped is not None:
                        reading.source = member.name
                    yield from collection.add(reading, built)
        for reading in collection.finish():
            if reading.skipped is not None and not reading.skipped.file:
                reading.skipped.file = f"{path}!{reading.source}"
            yield reading
        return
    with open(path, "rb") as fp:
        yield from read_relaton_xml(fp, str(path))


def read_relaton_xml(fp: BinaryIO, name: str) -> Iterator[Reading]:
    """Read one Relaton XML document: one Reading per top-level record (language versions merged)."""
    collection = Collection()
    for reading, built in _read_document(fp, name):
        yield from collection.add(reading, built)
    for reading in collection.finish():
        if reading.skipped is not None and not reading.skipped.file:
            reading.skipped.file = name
        yield reading


def _read_document(fp: BinaryIO, name: str) -> Iterator[tuple[Reading, Built]]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(fp.read(), parser)
    except etree.XMLSyntaxError as err:
        line = err.lineno if getattr(err, "lineno", None) else None
        yield Reading(problem=Problem(name, line, None, f"This file is not well-formed XML: {err.msg}.")), Built()
        return
    records = [root] if strip_namespace(root) in RECORD_TAGS else [
        el for el in root.iter() if strip_namespace(el) in RECORD_TAGS
        and not any(strip_namespace(a) in RECORD_TAGS for a in el.iterancestors())
    ]
    if not records:
        yield Reading(problem=Problem(name, root.sourceline, None,
                                      f"This XML has no <bibdata> or <bibitem> record (its root is <{strip_namespace(root)}>).")), Built()
        return
    for element in records:
        built = Built()
        reading = read_record(element, name, built)
        yield reading, built


def strip_namespace(element) -> str:
    """The tag without its namespace: '{http://...}bibdata' -> 'bibdata' (comments -> '')."""
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def find_children(element, tag: str) -> list:
    """Direct children named ``tag`` (any namespace)."""
    return [c for c in element if strip_namespace(c) == tag]


def find_child(element, tag: str):
    """The first direct child named ``tag`` (``find_child(bibdata, "ext")``), or None."""
    found = find_children(element, tag)
    return found[0] if found else None


def collect_text(element) -> str:
    """All text inside an element, whitespace collapsed: '<title>Cotton <em>linter</em></title>' -> 'Cotton linter'.

    Comments and unresolved entity references (``&x;``, left alone because entities are
    never resolved) add nothing; the text after them is kept.
    """
    if element is None:
        return ""
    parts: list[str] = []

    def walk(node) -> None:
        if isinstance(node.tag, str) and node.text:
            parts.append(node.text)
        for sub in node:
            walk(sub)
            if sub.tail:
                parts.append(sub.tail)

    walk(element)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def pick_identifier(element) -> str:
    """The primary docidentifier, else the first that is not a URN/DOI/ISBN."""
    identifiers = find_children(element, "docidentifier")
    for ident in identifiers:
        if ident.get("primary") == "true":
            return collect_text(ident)
    for ident in identifiers:
        if (ident.get("type") or "").upper() not in ("URN", "DOI", "ISBN", "ISSN", "URI"):
            return collect_text(ident)
    return ""


def pick_titles(element) -> dict[str, str]:
    """Titles by language: type 'main' if given, else intro — main — part, else the first title."""
    by_lang: dict[str, dict[str, str]] = {}
    for title in find_children(element, "title"):
        lang = language_code(title.get("language") or "en", title.get("script") or "")
        by_lang.setdefault(lang, {}).setdefault(title.get("type") or "", collect_text(title))
    titles = {}
    for lang, parts in by_lang.items():
        if parts.get("main"):
            titles[lang] = parts["main"]
        elif any(parts.get(t) for t in ("title-intro", "title-main", "title-part")):
            titles[lang] = " — ".join(parts[t] for t in ("title-intro", "title-main", "title-part") if parts.get(t))
        else:
            titles[lang] = next(v for v in parts.values() if v) if any(parts.values()) else ""
    return {k: v for k, v in titles.items() if v}


def parse_relaton_date(text: str) -> str | None:
    """'2006-03-10' -> itself; '2006-03-10T00:00:00Z' -> '2006-03-10'; '2006-03', '2006'; else None."""
    text = (text or "").strip()
    m = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?:[T ].*)?$", text)
    if not m or (m.group(2) and not 1 <= int(m.group(2)) <= 12) or (m.group(3) and not 1 <= int(m.group(3)) <= 31):
        return None
    return "-".join(g for g in m.groups() if g)


def read_record(element, name: str, built: Built | None = None) -> Reading:
    """One <bibdata>/<bibitem> -> a Reading (what it was built from goes into ``built``)."""
    built = built if built is not None else Built()
    line = element.sourceline
    ext = find_child(element, "ext")
    doctype = fold_word(collect_text(find_child(ext, "doctype")) if ext is not None else "")
    people = _authors_are_people(element)
    skip = why_not_a_standard(element.get("type") or "", doctype, people)
    if skip:
        return Reading(skipped=Problem(name, line, None, skip), line=line)
    designation = re.sub(r"\s+", " ", unicodedata.normalize("NFC", pick_identifier(element))).strip()
    if not designation:
        return Reading(problem=Problem(name, line, "designation", "This record has no docidentifier."))
    built.variant_of = base_designation(designation, doctype) or (designation if doctype in VARIANT_DOCTYPES else "")
    record = Standard(designation=designation, titles=pick_titles(element))
    warnings: list[Problem] = []
    for date in find_children(element, "date"):
        kind = date.get("type") or ""
        target = {"published": "published", "issued": "published", "implemented": "in_force",
                  "obsoleted": "withdrawn"}.get(kind)
        if target is None:
            continue
        raw = collect_text(find_child(date, "on")) or collect_text(find_child(date, "from")) or collect_text(date)
        value = parse_relaton_date(raw)
        if value is None:
            return Reading(problem=Problem(name, date.sourceline, target,
                                          f"'{raw}' is not a date (expected YYYY-MM-DD)."))
        # 'published' wins over 'issued' when a record has both.
        if not getattr(record, target) or kind != "issued":
            setattr(record, target, value)
    edition = collect_text(find_child(element, "edition"))
    if edition:
        record.edition = edition
    record.languages = list(dict.fromkeys(
        language_code(collect_text(lang)) for lang in find_children(element, "language") if collect_text(lang)))
    if ext is not None:
        problem = fill_ext(record, ext, name)
        if problem:
            return Reading(problem=problem)
    for relation in find_children(element, "relation"):
        kind = relation.get("type") or ""
        item = find_child(relation, "bibitem")
        if item is None:
            continue
        target = pick_identifier(item) or collect_text(find_child(item, "formattedref"))
        if not target or target == designation:
            continue
        if kind == "partOf":
            built.part_of, built.parent_titles = target, pick_titles(item)
            continue
        built.has_parts = built.has_parts or kind == "hasPart"
        words = " ".join(collect_text(d) for d in find_children(relation, "description"))
        mapped, why = read_relation(kind, designation, target, words)
        if why:
            warnings.append(Problem(name, relation.sourceline, "relation", why))
        if mapped:
            degree = degree_of(kind, words) if mapped in ("adopts", "adopted_by") else None
            record.add_relation(mapped, target, degree)
    status = find_child(element, "status")
    stage = collect_text(find_child(status, "stage")) if status is not None else ""
    if stage:
        substage = collect_text(find_child(status, "substage"))
        successor = any(r.type == "replaced_by" for r in record.relations)
        record.status, why = status_of(stage, substage, successor)
        if why:
            warnings.append(Problem(name, status.sourceline, "status", why))
    return Reading(item=record, line=line, warnings=warnings)


def _authors_are_people(element) -> bool:
    """True when the record's authors (contributor/role type=author) are people, none an organisation."""
    people = orgs = 0
    for contributor in find_children(element, "contributor"):
        roles = {(r.get("type") or "").lower() for r in find_children(contributor, "role")}
        if "author" not in roles:
            continue
        if find_child(contributor, "person") is not None:
            people += 1
        elif find_child(contributor, "organization") is not None:
            orgs += 1
    return people > 0 and orgs == 0


def fill_ext(record: Standard, ext, name: str) -> Problem | None:
    """ICS, CCS, committee number, and the gbtype mandate check."""
    for ics in find_children(ext, "ics"):
        code = collect_text(find_child(ics, "code"))
        if code and code not in record.ics:
            record.ics.append(code)
    ccs = find_child(ext, "ccs")
    if ccs is not None:
        record.ccs = collect_text(find_child(ccs, "code")) or collect_text(ccs)
    committee = collect_text(find_child(ext, "gbcommittee"))
    tc = re.search(r"TC\s*(\d+)", committee)
    if tc:  # relaton-gb often puts the administering ministry here (市场监管总局): not a committee
        record.committee = f"SAC/TC {tc.group(1)}"
    gbtype = find_child(ext, "gbtype")
    if gbtype is None:
        return None
    scope = collect_text(find_child(gbtype, "gbscope"))
    mandate = collect_text(find_child(gbtype, "gbmandate"))
    expected = MANDATE_PREFIX.get(mandate)
    if scope == "national" and expected:
        printed = re.match(r"GB(?:\s*/\s*[TZ])?", unicodedata.normalize("NFKC", record.designation).upper())
        actual = re.sub(r"\s", "", printed.group(0)) if printed else ""
        if actual != expected:
            return Problem(name, gbtype.sourceline, "gbtype",
                           f"The mandate '{mandate}' means a {expected} designation, but the record is "
                           f"{record.designation}.")
    return None
