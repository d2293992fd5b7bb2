"""The International Classification for Standards (ICS) from ISO Open Data: ICS.csv or ICS-simple.xml.

Both give the same tree (1,381 codes: 40 fields, 401 groups, 940 sub-groups) as
``ClassNode(scheme="ics", code, parent, titles={"en", "fr", "zh"}, notes={"en", "fr"})``; the notes
are the scope sentences ("Including terminography"). ISO gives no Chinese: the ``zh`` title is the
class name of :mod:`catalogue.classnames`, with ``title_sources={"zh": "catalogue:classnames"}``.
The XML's cross references (``<references>``) are not kept, so both files give identical nodes.

- CSV: ``identifier,parent,titleEn,titleFr,scopeEn,scopeFr`` with a UTF-8 BOM. A row with an
  unescaped quote (the real ``ICS.malformed-quote.csv``, row 21.040.30) is a Problem naming its
  line; the other rows still come out.
- XML: ``<fields><field>``, ``<group>`` (parent in ``<field>``), ``<subGroup>`` (parent in
  ``<group>``), titles and scopes by ``xml:lang``; parsed by lxml with entities and network off.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO, Iterator

from lxml import etree

from catalogue.classnames import SOURCE, complete_titles
from catalogue.records import ClassNode, Problem, Reading
from ingest.files import read_path
from ingest.iso_opendata import decode_text, iter_csv_records


CSV_COLUMNS = ("identifier", "parent", "titleEn", "titleFr", "scopeEn", "scopeFr")
_CODE = re.compile(r"^\d{2}(?:\.\d{3}(?:\.\d{2})?)?$")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XML_PARENT = {"field": None, "group": "field", "subGroup": "group"}


def sniff(head: bytes) -> bool:
    """True for 'identifier,parent,titleEn,...' CSV or '<fields ...><field><identifier>01</identifier>' XML."""
    text = head.lstrip(b"\xef\xbb\xbf")
    if text.split(b"\n", 1)[0].strip().replace(b'"', b"").startswith(b"identifier,parent,titleEn"):
        return True
    return text.lstrip().startswith(b"<") and b"<fields" in text and b"<identifier>" in text


def read(path) -> Iterator[Reading]:
    """Read ICS.csv or ICS-simple.xml by path."""
    path = Path(path)
    yield from read_path(path, read_ics_xml if path.suffix.lower() == ".xml" else read_ics_csv)


def read_ics_csv(fp: BinaryIO, name: str) -> Iterator[Reading]:
    """Rows like '"23.060.10","23.060","Globe valves","Robinets à soupape",,' -> ClassNodes."""
    columns: dict[str, int] | None = None
    for line, fields, error in iter_csv_records(decode_text(fp.read())):
        if error:
            yield Reading(problem=Problem(name, line, None, error))
            continue
        if columns is None:
            columns = {col: i for i, col in enumerate(fields)}
            missing = [c for c in CSV_COLUMNS[:3] if c not in columns]
            if missing:
                reason = f"the header lacks the column(s) {', '.join(missing)}; expected {','.join(CSV_COLUMNS)}."
                yield Reading(problem=Problem(name, line, None, reason))
                return
            continue
        if len(fields) != len(columns):
            reason = f"the row has {len(fields)} fields where the header has {len(columns)}."
            yield Reading(problem=Problem(name, line, None, reason))
            continue
        # Whitespace collapsed as in the XML: a quoted CSV field may span lines.
        row = {col: " ".join(fields[i].split()) for col, i in columns.items()}
        yield _node(name, line, row["identifier"], row.get("parent", ""),
                    {"en": row.get("titleEn", ""), "fr": row.get("titleFr", "")},
                    {"en": row.get("scopeEn", ""), "fr": row.get("scopeFr", "")}, "identifier")
    if columns is None:
        yield Reading(problem=Problem(name, None, None, "the file is empty: it holds no ICS rows."))


def read_ics_xml(fp: BinaryIO, name: str) -> Iterator[Reading]:
    """'<group><identifier>01.020</identifier><field>01</field><title xml:lang="en">...' -> ClassNodes."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(fp.read(), parser=parser)
    except etree.XMLSyntaxError as exc:
        message = re.sub(r", line \d+, column \d+$", "", exc.msg)
        yield Reading(problem=Problem(name, exc.lineno or None, None, f"not well-formed XML: {message}."))
        return
    for element in root:
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        if element.tag not in _XML_PARENT:
            reason = f"unexpected element <{element.tag}>; an ICS file holds <field>, <group> and <subGroup>."
            yield Reading(problem=Problem(name, element.sourceline, None, reason))
            continue
        parent_tag = _XML_PARENT[element.tag]
        parent = _child_text(element, parent_tag) if parent_tag else ""
        titles = {el.get(_XML_LANG, "en"): _text(el) for el in element.findall("title")}
        notes = {el.get(_XML_LANG, "en"): _text(el) for el in element.findall("scope")}
        yield _node(name, element.sourceline, _child_text(element, "identifier"), parent, titles, notes, "identifier")


def _node(name: str, line: int, code: str, parent: str, titles: dict, notes: dict, code_field: str) -> Reading:
    if not _CODE.match(code):
        reason = f"'{code}' is not an ICS code (NN, NN.NNN or NN.NNN.NN)." if code else "the row has no ICS code."
        return Reading(problem=Problem(name, line, code_field, reason))
    expected_parent = code.rsplit(".", 1)[0] if "." in code else ""
    if parent and parent != expected_parent:
        reason = f"parent '{parent}' does not contain code '{code}' (expected '{expected_parent}')."
        return Reading(problem=Problem(name, line, "parent", reason))
    titles = {lang: text for lang, text in titles.items() if text}
    if not titles:
        return Reading(problem=Problem(name, line, "title", f"ICS code {code} has no title."))
    notes = {lang: text for lang, text in notes.items() if text}
    completed = complete_titles("ics", code, titles)
    sources = {lang: SOURCE for lang in completed if lang not in titles}
    return Reading(item=ClassNode("ics", code, expected_parent, completed, notes, sources), line=line)


def _child_text(element, tag: str) -> str:
    child = element.find(tag)
    return _text(child) if child is not None else ""


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())
