"""Read ISO STS and NISO STS XML: the metadata blocks at the front of a standard.

ISO STS v1 puts ``<iso-meta>``, ``<reg-meta>`` (a regional adoption, e.g. CEN) and
``<nat-meta>`` (a national adoption, e.g. DIN or NEN) in ``<front>``; NISO STS uses
``<std-meta>`` for all three and tells them apart by ``id`` ("profile.int", "profile.reg",
"profile.nat") or, failing that, by the originator. Each block that identifies a document
becomes one Standard:

- designation: ``std-ref[@type="dated"]``, else an untyped ``std-ref`` or ``doc-ref`` (its
  "(en)" language suffix cut), else ``std-ref[@type="undated"]``. DIN prints the month in its
  dates ("DIN EN ISO 13849-1:2008-12"); ISO and CEN do not, so a "-MM" after the year of a
  non-DIN designation ("ISO 13849-1:2006-11") is cut to match how ISO and CEN print it.
- titles by ``xml:lang``: intro, main and complement joined with " — " (as iso.org prints
  them), or ``full`` when the parts are missing. DIN's ``full`` appends "— English version of
  DIN ..." to the title: building from the parts leaves that note out.
- ``ics``, ``release-date`` (else ``pub-date``) -> published, ``comm-ref`` -> committee,
  ``std-ident/edition``, ``page-count/@count``, ``content-language`` -> languages.
- status: only a draft ``release-version`` (WD, CD, DIS, FDIS ...) says anything, -> draft.
  "IS" says the text was published, not whether that edition is still in force, so the status
  is left empty for a source that knows.
- ``std-xref type="supersedes"`` (or "replaces") -> replaces; other known types as named below.
- the adoption chain: a national block adopts the regional block (or, without one, the
  international block); a regional block adopts the international one. Degree IDT unless the
  adopting block says otherwise: a ``std-xref`` typed "mod"/"modified"/"neq"/... or a title
  ending "(ISO 9999:2000, MOD)".

Placeholders: sample files write "N/A" or leave every element empty. Such a block names no
document and is reported as a Problem; a std-ref without any digit ("TBX examples") is not a
designation either. A release date that is not a date ("30/05/2015") is a Problem for its block.

Safety: lxml parses with ``load_dtd=False, resolve_entities=False, no_network=True,
huge_tree=False``, so an external entity (``SYSTEM "file:///etc/passwd"``) is never read and
a billion-laughs bomb is never expanded. Entities declared only in the STS DTD (``&mdash;``,
``&Eacute;``, ``&nbsp;``) stay entity nodes and are turned into their characters here from
the HTML entity table; other entity references are dropped. A file that uses such entities
without any DOCTYPE is not well-formed to libxml2: when undeclared entities are the only
errors it is parsed again with ``recover=True``, so those records are not lost. Any other
well-formedness error (``tbx-highlight-elements.xml`` uses an unbound ``tbx:`` prefix) is one
Problem for the file.
"""
from __future__ import annotations

import html.entities
import re
from pathlib import Path
from typing import BinaryIO, Iterator

from lxml import etree

from catalogue.records import Problem, Reading, Standard


META_TAGS = ("iso-meta", "reg-meta", "nat-meta", "std-meta")
#: How far a block is from the international original: national 0, regional 1, international 2.
LEVELS = {"nat-meta": 0, "reg-meta": 1, "iso-meta": 2}
REGIONAL_ORIGINATORS = {"CEN", "CENELEC", "ETSI", "CEN/CENELEC"}
INTERNATIONAL_ORIGINATORS = {"ISO", "IEC", "ISO/IEC", "ITU", "ITU-T"}
#: std-xref/@type -> relation type.
XREF_RELATIONS = {
    "supersedes": "replaces",
    "replaces": "replaces",
    "revises": "replaces",
    "superseded-by": "replaced_by",
    "replaced-by": "replaced_by",
    "amends": "amends",
    "corrects": "corrects",
}
#: std-xref/@type or a title note -> adoption degree.
DEGREE_WORDS = {
    "idt": "IDT", "identical": "IDT", "eqv": "IDT", "equivalent": "IDT",
    "mod": "MOD", "modified": "MOD",
    "neq": "NEQ", "not-equivalent": "NEQ", "nonequivalent": "NEQ",
}
DRAFT_RELEASES = {"WD", "CD", "DIS", "FDIS", "PRF", "NP", "PWI", "AWI", "DTS", "DTR", "DPAS", "DAM", "FDAM",
                  "DCOR", "FDCOR", "PREN", "FPREN"}

_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_DIN_MONTH = re.compile(r"^(.*:\d{4})-(?:0[1-9]|1[0-2])$")
_TITLE_DEGREE = re.compile(r",\s*(IDT|MOD|NEQ)\s*\)\s*$")
_ADOPTION_NOTE = re.compile(r"\s*(?:[—-]\s*)?\([^()]*,\s*(?:IDT|MOD|NEQ)\s*\)\s*$")
_PLACEHOLDERS = {"", "N/A", "n/a", "?????"}
_UNDECLARED_ENTITY = 26  # libxml2's XML_ERR_UNDECLARED_ENTITY


def sniff(head: bytes) -> bool:
    """True for STS XML: XML with an iso-meta, reg-meta, nat-meta or std-meta block."""
    text = head.lower()
    return text.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<") and (
        any(b"<" + tag.encode() in text for tag in META_TAGS)
        or b"isosts" in text or b"niso-sts" in text or b"<sts-metadata-extract" in text
    )


def read(path) -> Iterator[Reading]:
    """Read one STS XML file by path."""
    path = Path(path)
    with open(path, "rb") as fp:
        yield from read_sts_xml(fp, str(path))


def read_sts_xml(fp: BinaryIO, name: str) -> Iterator[Reading]:
    """Read '<standard><front><iso-meta>...</iso-meta></front>...': one Reading per meta block."""
    data = fp.read()
    try:
        root = parse_safely(data)
    except NotWellFormed as exc:
        yield Reading(problem=Problem(name, exc.line, None, f"The file is not well-formed XML: {exc.message}."))
        return
    if root is None:
        yield Reading(problem=Problem(name, None, None, "The file holds no XML element at all."))
        return
    blocks = [el for el in root.iter() if isinstance(el.tag, str) and etree.QName(el).localname in META_TAGS]
    if not blocks:
        yield Reading(problem=Problem(name, None, None,
                                      "No iso-meta, reg-meta, nat-meta or std-meta block: not an STS document."))
        return
    found: list[tuple[int, Standard, etree._Element, int]] = []
    for block in blocks:
        kind = etree.QName(block).localname
        record, field, reason = build_record(block)
        if record is None:
            yield Reading(problem=Problem(name, block.sourceline, field, f"The {kind} block {reason}."))
            continue
        found.append((find_block_level(block), record, block, block.sourceline))
    link_adoptions(found)
    for _, record, _, line in found:
        yield Reading(item=record, line=line)


class NotWellFormed(Exception):
    """The first real well-formedness error of a file (undeclared entities aside) and its line."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message, self.line = message, line or None


def parse_safely(data: bytes) -> etree._Element | None:
    """Parse bytes with entities and the network off; recover only from undeclared entities."""
    options = dict(load_dtd=False, resolve_entities=False, no_network=True, huge_tree=False)
    strict = etree.XMLParser(recover=False, **options)
    try:
        return etree.fromstring(data, strict)
    except etree.XMLSyntaxError as exc:
        # The parser's own log: exc.error_log can hold errors left by earlier parses in this thread.
        others = [e for e in strict.error_log if e.type != _UNDECLARED_ENTITY]
        if others or not len(strict.error_log):
            first = others[0] if others else None
            message = first.message if first is not None else str(exc.msg or exc).split(" (")[0]
            raise NotWellFormed(message.strip().rstrip("."), first.line if first is not None else exc.lineno) from exc
    return etree.fromstring(data, etree.XMLParser(recover=True, **options))


def build_record(block: etree._Element) -> tuple[Standard | None, str, str]:
    """(Standard, "", "") for a meta block like '<iso-meta><std-ref type="dated">ISO 2560:2009</std-ref>...',
    or (None, field, why) when the block names no document or holds a bad value."""
    designation = pick_designation(block)
    if not designation:
        return None, "std-ref", "names no document (its std-ref, doc-ref and std-ident are empty)"
    if not re.search(r"\d", designation):
        return None, "std-ref", f"names '{designation}', which is not a standard designation (it has no number)"
    record = Standard(designation=designation)
    default_lang = _get_child_text(block, "content-language") or "en"
    for wrap in _find_children(block, "title-wrap"):
        lang = wrap.get("{http://www.w3.org/XML/1998/namespace}lang") or default_lang
        title = compose_title(wrap)
        if title:
            record.titles.setdefault(lang.lower(), title)
    codes = [_clean_text(extract_text(el)) for el in _find_children(block, "ics")]
    record.ics = [code for code in codes if code not in _PLACEHOLDERS]
    date_tag = "release-date" if _get_child_text(block, "release-date") else "pub-date"
    published = _get_child_text(block, date_tag)
    if published and not _DATE.match(published):
        return None, date_tag, f"of {designation} has {date_tag} '{published}', which is not a date like 2009-05-30"
    record.published = published
    record.committee = _get_child_text(block, "comm-ref")
    ident = _find_first(block, "std-ident")
    if ident is not None:
        record.edition = _get_child_text(ident, "edition")
    pages = _find_first(block, "page-count")
    if pages is not None and (pages.get("count") or "").strip().isdigit() and int(pages.get("count")) > 0:
        record.pages = str(int(pages.get("count")))
    language = _get_child_text(block, "content-language")
    if language:
        record.languages = [language.lower()]
    release = (_get_child_text(block, "release-version")
               or _get_child_text(_find_first(block, "doc-ident"), "release-version"))
    if release.upper().replace("/", "").replace(" ", "") in DRAFT_RELEASES:
        record.status = "draft"
    for xref in _find_children(block, "std-xref"):
        relation = XREF_RELATIONS.get((xref.get("type") or "").strip().lower())
        target = _clean_text(extract_text(_find_first(xref, "std-ref")))
        if relation and target:
            record.add_relation(relation, target)
    return record, "", ""


def pick_designation(block: etree._Element) -> str:
    """'ISO 13849-1:2006' from <std-ref type="dated">ISO 13849-1:2006-11</std-ref> (and fallbacks)."""
    # The first std-ref of each type wins (reversed, so earlier ones overwrite later ones).
    refs = {(ref.get("type") or "").strip().lower(): _clean_text(extract_text(ref))
            for ref in reversed(_find_children(block, "std-ref"))}
    doc_ref = re.sub(r"\s*\([a-z]{2}(?:,[a-z]{2})*\)\s*$", "", _get_child_text(block, "doc-ref"))
    for candidate in (refs.get("dated"), refs.get(""), doc_ref, refs.get("undated")):
        if candidate and candidate not in _PLACEHOLDERS:
            if not candidate.upper().startswith("DIN"):
                candidate = _DIN_MONTH.sub(r"\1", candidate)
            return candidate
    return ""


def compose_title(wrap: etree._Element) -> str:
    """'Safety of machinery — Safety-related parts ... — Part 1: ...' from intro/main/compl (or full)."""
    parts = [_get_child_text(wrap, tag) for tag in ("intro", "main", "compl")]
    if parts[1]:
        return " — ".join(p for p in parts if p)
    # A national <full> may end with its adoption note, "(IEC 60947-2:2016, MOD)": not title text.
    return _ADOPTION_NOTE.sub("", _get_child_text(wrap, "full"))


def find_block_level(block: etree._Element) -> int:
    """0 for a national block, 1 regional, 2 international (NISO std-meta: by id, then originator)."""
    kind = etree.QName(block).localname
    if kind in LEVELS:
        return LEVELS[kind]
    profile = (block.get("id") or "").lower()
    for suffix, level in ((".nat", 0), (".reg", 1), (".int", 2)):
        if profile.endswith(suffix):
            return level
    ident = _find_first(block, "std-ident")
    originator = (_get_child_text(ident, "originator") if ident is not None else "").upper()
    if originator in INTERNATIONAL_ORIGINATORS:
        return 2
    if originator in REGIONAL_ORIGINATORS:
        return 1
    return 0


def link_adoptions(found: list[tuple[int, Standard, etree._Element, int]]) -> None:
    """National adopts regional (else international); regional adopts international."""
    by_level: dict[int, tuple[Standard, etree._Element]] = {}
    for level, record, block, _ in found:
        by_level.setdefault(level, (record, block))
    for level, record, block, _ in found:
        target = next((by_level[up] for up in range(level + 1, 3) if up in by_level), None)
        if target is None or target[0].designation == record.designation:
            continue
        record.add_relation("adopts", target[0].designation, find_adoption_degree(block))


def find_adoption_degree(block: etree._Element) -> str:
    """IDT unless a std-xref type or a title note ('..., MOD)') in the adopting block says otherwise."""
    for xref in _find_children(block, "std-xref"):
        degree = DEGREE_WORDS.get((xref.get("type") or "").strip().lower())
        if degree:
            return degree
    for wrap in _find_children(block, "title-wrap"):
        match = _TITLE_DEGREE.search(_get_child_text(wrap, "full"))
        if match:
            return match.group(1)
    return "IDT"


def extract_text(el: etree._Element | None) -> str:
    """The text of an element with DTD-only entities turned into characters ('&mdash;' -> '—')."""
    if el is None:
        return ""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child, etree._Entity):
            code = html.entities.name2codepoint.get(child.name)
            parts.append(chr(code) if code else "")
        elif isinstance(child.tag, str):
            parts.append(extract_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _find_children(el: etree._Element | None, localname: str) -> list[etree._Element]:
    if el is None:
        return []
    return [c for c in el if isinstance(c.tag, str) and etree.QName(c).localname == localname]


def _find_first(el: etree._Element | None, localname: str) -> etree._Element | None:
    found = _find_children(el, localname)
    return found[0] if found else None


def _get_child_text(el: etree._Element | None, localname: str) -> str:
    """Clean text of the first child called ``localname``; placeholders like 'N/A' read as ''."""
    value = _clean_text(extract_text(_find_first(el, localname)))
    return "" if value in _PLACEHOLDERS else value


def _clean_text(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()
