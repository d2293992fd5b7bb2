"""Relaton YAML: bibliographic records of any publisher (ISO, IEC, IEEE, OIML, CIE ... on GitHub).

One YAML document is one deliverable. ``read`` takes a single file, a folder (walked in sorted
order), or a ``.tar.xz``/``.tar.gz``/``.tgz``/``.tar``/``.zip`` archive read member by member in
archive order, never unpacked to disk. A member over 5 MB is a Problem. Members are read when
their name ends in .yaml/.yml or their content is Relaton YAML (a file named ``x.txt`` too).
``Reading.source`` is the member path inside the archive or folder; ``line`` is the line where
the record starts in that member (1 for a one-record file; files with several ``---`` documents
give one record each). YAML is loaded with a bounded safe loader: aliases and nesting are
capped, so an alias bomb is one Problem, in bounded time and memory.

The model (both schemas, status words, skipped non-standards, variants, part titles,
relations) is :mod:`ingest.relaton_model`. How the fields map:

- designation: the primary ``docid``/``docidentifier`` (not a trademark spelling, URN, DOI or
  ISBN), as printed; relaton-gb's split industry designations ({type: JB, id: T13368}) are
  read from the top-level id.
- titles: per language and script, ``title-intro``, ``title-main`` and ``title-part`` joined with
  " — " as iso.org prints them; a record with only a ``main`` title has its " - " separators turned
  into " — ", and supplements' " -- " becomes " — " too. A non-English title identical to the
  English one (drafts copy it under ``fr``) is dropped. A part's title is completed from its
  parent's (``partOf``) within one folder or archive.
- status: ``docstatus``/``status`` stage and substage, else the status words of ``ext``; see
  relaton_model.status_of. ISO 95.99 is ``replaced`` when the record itself names a successor.
- dates: ``published`` (else ``issued``) -> published, ``implemented`` -> in_force, ``obsoleted`` ->
  withdrawn when the status is withdrawn or replaced (on a PUBLISHED IEC record it is a planned
  date); the value may sit in ``value``, ``on`` or ``from``. Other date types are not kept.
- relations: relaton_model.read_relation. Amends/corrects from a supplement to its base are not
  read here: the pipeline derives them from the designation. IEC consolidated versions (CSV),
  redlines (RLV) and interpretation sheets (ISH) are records of their own; IEEE ``redline``
  records and OIML language versions are merged into their base record.
- ics, committee (``ISO/TC 153``; IEC's "TC 34/SC 34B" -> "IEC/TC 34/SC 34B"; IEEE's committee
  names; the newer schema's author subdivisions ``TC8``/``SC3`` -> "OIML/TC 8/SC 3"), edition,
  languages (two-letter codes).
- scope: the abstract per language (HTML stripped), else ``ext.scope``. A ``fr`` abstract that
  repeats the English one, or reads as English, is dropped (about 25,600 ISO records).
"""
from __future__ import annotations

import datetime as dt
import html
import os
import re
import tarfile
import zipfile
from pathlib import Path
from typing import Any, BinaryIO, Iterator

import yaml

from catalogue.designation import try_parse
from catalogue.records import Problem, Reading, Standard
from ingest.files import read_path
from ingest.relaton_model import (
    Built, Collection, RecordError, as_list, base_designation, clean, content, language_code, pick_designation,
    read_relation, read_titles, status_of, why_not_a_standard, degree_of, fold_word, VARIANT_DOCTYPES,
)

#: A member this big is not a bibliographic record (the largest real one is about 30 kB).
MAX_MEMBER_BYTES = 5 * 1024 * 1024
#: Bounds of one YAML document: aliases followed, and nodes composed, nesting depth.
MAX_ALIASES = 1000
MAX_NODES = 200_000
MAX_DEPTH = 100
YAML_SUFFIXES = (".yaml", ".yml")
TAR_SUFFIXES = (".tar.xz", ".txz", ".tar.gz", ".tgz", ".tar.bz2", ".tar")
ZIP_SUFFIXES = (".zip",)

_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DOC_START = re.compile(r"^---(?=[ \t]|$)", re.MULTILINE)
_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]\d")
_TAG = re.compile(r"<[^>]*>")
_BLOCK_TAG = re.compile(r"<(?:br|/p|/li|/div|/h\d)\b[^>]*>", re.IGNORECASE)
_COMMITTEE_CODE = re.compile(r"^(?:TC|SC|SyC|PC|JTC|JWG)\s")
_RELATON_KEYS = re.compile(rb"^(?:docid|docidentifier|docstatus|schema[-_]version|bibdata|formattedref):", re.MULTILINE)
_LEADING_COMMENTS = re.compile(rb"^(?:[ \t]*(?:#[^\n]*)?\r?\n)*")
_YAML_START = re.compile(rb"^(?:---|%YAML|[A-Za-z_][\w-]*:)", re.MULTILINE)

_ENGLISH_WORDS = frozenset("the of and is to this for in are be with which that by it".split())
_FRENCH_WORDS = frozenset("le la les des du de et est pour dans une un sont au aux qui ce cette par".split())


class TooComplex(yaml.YAMLError):
    """A YAML document over the loader's bounds (aliases, nodes or depth)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class BoundedLoader(yaml.SafeLoader):
    """SafeLoader that counts: at most MAX_ALIASES aliases, MAX_DEPTH levels of nesting, and
    MAX_NODES values in the document as it would be once every alias (and merge key) is expanded.

    A 474-byte document of nested aliases ("billion laughs") is small as a node graph but grows
    without bound once built (merge keys copy) or walked; counting each node's expanded size while
    composing stops it before anything is built.
    """

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._nodes = 0
        self._depth = 0
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent, index):
        alias = self.check_event(yaml.AliasEvent)
        if alias:
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise TooComplex(f"more than {MAX_ALIASES} aliases")
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise TooComplex(f"nested deeper than {MAX_DEPTH} levels")
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if alias:
            self._nodes += self._sizes.get(id(node), 1)
        else:
            self._sizes[id(node)] = 1 + sum(self._sizes.get(id(child), 1) for child in _children(node))
            self._nodes += 1
        if self._nodes > MAX_NODES:
            raise TooComplex(f"more than {MAX_NODES:,} values once its aliases are expanded")
        return node


def _children(node) -> list:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def load_yaml(text: str) -> Any:
    """Load one document: libyaml's fast safe loader, then, for a document with aliases, the
    bounded one (aliases are what can blow up; plain documents cannot)."""
    if "*" in text and re.search(r"(?:^|[\s\[{,:-])\*[^\s,\]}]", text):
        return yaml.load(text, Loader=BoundedLoader)  # noqa: S506 - BoundedLoader is a SafeLoader
    if text.count("\n") > MAX_NODES:
        raise TooComplex(f"more than {MAX_NODES:,} lines")
    return yaml.load(text, Loader=_BASE_LOADER)  # noqa: S506 - a safe loader


def sniff(head: bytes) -> bool:
    """True for one Relaton YAML document: YAML whose keys include docid, docidentifier, docstatus
    or a schema version with a title.

    Example: b"---\\nschema-version: v1.2.9\\nid: ISO5208-2015\\ntitle: ...\\ndocid: ..."."""
    text = _LEADING_COMMENTS.sub(b"", head.lstrip(b"\xef\xbb\xbf"))
    if not _YAML_START.match(text) or text.startswith((b"{", b"[", b"<")):
        return False
    if re.search(rb"^(?:system|scheme):", text, re.MULTILINE) and not _RELATON_KEYS.search(text):
        return False
    return bool(_RELATON_KEYS.search(text)) and (b"title" in text or b"docid" in text)


def read(path) -> Iterator[Reading]:
    """Read a Relaton YAML file, a folder of them, or an archive of them, by path (archives by content)."""
    path = Path(path)
    if path.is_dir():
        yield from read_relaton_folder(path)
        return
    try:
        with open(path, "rb") as fp:
            head = fp.read(512)
    except OSError:
        head = b""
    lower = path.name.lower()
    if head.startswith(b"PK\x03\x04") or (not head and lower.endswith(ZIP_SUFFIXES)):
        yield from read_relaton_zip(path)
    elif head.startswith((b"\xfd7zXZ\x00", b"\x1f\x8b", b"BZh")) or head[257:262] == b"ustar" \
            or lower.endswith(TAR_SUFFIXES + ZIP_SUFFIXES):
        if lower.endswith(ZIP_SUFFIXES) and not head.startswith(b"PK"):
            yield from read_relaton_zip(path)
        else:
            yield from read_relaton_tar(path)
    else:
        yield from read_path(path, read_relaton_yaml)


def _wanted(name: str, head: bytes) -> bool:
    """Whether a member of a folder or archive is read: named .yaml/.yml, or Relaton YAML inside."""
    return name.lower().endswith(YAML_SUFFIXES) or sniff(head)


def read_relaton_folder(folder: Path) -> Iterator[Reading]:
    """Every Relaton YAML file under ``folder``, in sorted path order; ``source`` is the relative path."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for file_name in files:
            if not file_name.startswith("."):
                found.append(Path(root, file_name))
    collection = Collection()
    for file_path in sorted(found):
        member = file_path.relative_to(folder).as_posix()
        with open(file_path, "rb") as fp:
            head = fp.read(4096)
            if not _wanted(member, head):
                continue
            fp.seek(0)
            yield from _through(collection, read_relaton_yaml(fp, f"{folder}!{member}", source=member, built=True))
    yield from _finish(collection, str(folder))


def read_relaton_tar(archive: Path) -> Iterator[Reading]:
    """Stream a tarball (any compression tarfile knows) member by member, in archive order."""
    try:
        tar = tarfile.open(archive, mode="r|*")
    except (tarfile.TarError, OSError, EOFError) as exc:
        yield Reading(problem=Problem(str(archive), None, None, f"not a readable tar archive ({exc})."))
        return
    collection = Collection()
    with tar:
        try:
            for member in tar:
                if not member.isfile():
                    continue
                name = f"{archive}!{member.name}"
                if member.size > MAX_MEMBER_BYTES:
                    if member.name.lower().endswith(YAML_SUFFIXES):
                        yield Reading(problem=_too_big(name, member.size))
                    continue
                fp = tar.extractfile(member)
                if fp is None:
                    continue
                raw = fp.read(MAX_MEMBER_BYTES + 1)
                if not _wanted(member.name, raw[:4096]):
                    continue
                yield from _through(collection, read_relaton_bytes(raw, name, member.name, built=True))
        except (tarfile.TarError, OSError, EOFError) as exc:
            # A truncated or corrupt archive: the records before the damage are already out.
            yield Reading(problem=Problem(str(archive), None, None, f"the tar archive is damaged and was read only up to here ({exc})."))
    yield from _finish(collection, str(archive))


def read_relaton_zip(archive: Path) -> Iterator[Reading]:
    """Read a zip member by member, in the order the archive lists them."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        yield Reading(problem=Problem(str(archive), None, None, f"not a readable zip archive ({exc})."))
        return
    collection = Collection()
    with zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            name = f"{archive}!{info.filename}"
            if info.file_size > MAX_MEMBER_BYTES:
                if info.filename.lower().endswith(YAML_SUFFIXES):
                    yield Reading(problem=_too_big(name, info.file_size))
                continue
            try:
                with zf.open(info) as fp:
                    raw = fp.read(MAX_MEMBER_BYTES + 1)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
                yield Reading(problem=Problem(name, None, None, f"the archive member cannot be unpacked ({exc})."))
                continue
            if _wanted(info.filename, raw[:4096]):
                yield from _through(collection, read_relaton_bytes(raw, name, info.filename, built=True))
    yield from _finish(collection, str(archive))


def _through(collection: Collection, pairs) -> Iterator[Reading]:
    for reading, built in pairs:
        yield from collection.add(reading, built)


def _finish(collection: Collection, container: str) -> Iterator[Reading]:
    for reading in collection.finish():
        if reading.skipped is not None and not reading.skipped.file:
            reading.skipped.file = f"{container}!{reading.source}" if reading.source else container
        yield reading


def read_relaton_yaml(fp: BinaryIO, name: str, source: str = "", built: bool = False) -> Iterator:
    """Read one Relaton YAML file ('---\\nid: ISO5208-2015\\ndocid: ...'): one Reading per document,
    language versions merged (with ``built``: (Reading, Built) pairs, for a Collection)."""
    raw = fp.read(MAX_MEMBER_BYTES + 1)
    if len(raw) > MAX_MEMBER_BYTES:
        reading = Reading(problem=_too_big(name, len(raw)))
        yield (reading, Built()) if built else reading
        return
    pairs = read_relaton_bytes(raw, name, source, built=True)
    if built:
        yield from pairs
        return
    collection = Collection()
    for reading, info in pairs:
        yield from collection.add(reading, info)
    for reading in collection.finish():
        if reading.skipped is not None and not reading.skipped.file:
            reading.skipped.file = name
        yield reading


def read_relaton_bytes(raw: bytes, name: str, source: str = "", built: bool = False) -> Iterator:
    """The records of one file's bytes; ``name`` is used in Problems, ``source`` in Readings."""
    def out(reading: Reading, info: Built | None = None):
        return (reading, info or Built()) if built else reading

    if not raw.strip():
        yield out(Reading(problem=Problem(name, None, None, "the file is empty: it holds no Relaton record."), source=source))
        return
    if b"\x00" in raw:
        yield out(Reading(problem=Problem(name, None, None, "the file holds binary data, not YAML text."), source=source))
        return
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield out(Reading(problem=Problem(name, None, None, f"the file is not UTF-8 text (byte {exc.start} cannot be decoded)."), source=source))
        return
    documents = split_documents(text)
    for start, chunk in documents:
        reading, info = _read_document(chunk, start, name, source, alone=len(documents) == 1)
        yield out(reading, info)


def split_documents(text: str) -> list[tuple[int, str]]:
    """Cut a YAML stream at its '---' lines: [(line the document starts on, its text), ...].

    One document is the usual case and costs one search; blank or comment-only pieces go.
    """
    starts = [m.start() for m in _DOC_START.finditer(text)]
    if len(starts) <= 1 and (not starts or not text[:starts[0]].strip()):
        return [(1, text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    pieces = []
    for i, begin in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        chunk = text[begin:end]
        body = [ln for ln in chunk.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
        if body and body != ["---"] and body != ["---", "..."]:
            pieces.append((text.count("\n", 0, begin) + 1, chunk))
    return pieces or [(1, text)]


def _read_document(chunk: str, start: int, name: str, source: str, alone: bool) -> tuple[Reading, Built]:
    none = Built()
    try:
        data = load_yaml(chunk)
    except TooComplex as exc:
        reason = f"the YAML document is too complex to load ({exc.what}); nothing was built from it."
        return Reading(problem=Problem(name, start, None, reason), source=source), none
    except yaml.constructor.ConstructorError as exc:
        line = start + exc.problem_mark.line if exc.problem_mark else start
        reason = f"YAML refused: {exc.problem}" if exc.problem else "YAML refused a tag it will not build."
        if "tag" in str(exc.problem or ""):
            reason = f"the YAML uses a tag safe loading refuses ({_tag_of(exc.problem)}); nothing was built from it."
        return Reading(problem=Problem(name, line, None, reason), source=source), none
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = start + mark.line if mark is not None else start
        # libyaml reports an error at the end of the stream one line past the last one.
        line = min(line, start + chunk.count("\n"))
        what = getattr(exc, "problem", None) or getattr(exc, "reason", None) or "unreadable"
        return Reading(problem=Problem(name, line, None, f"not valid YAML: {what}."), source=source), none
    except RecursionError:
        reason = f"the YAML document is too complex to load (nested deeper than {MAX_DEPTH} levels); nothing was built from it."
        return Reading(problem=Problem(name, start, None, reason), source=source), none
    if data is None:
        reason = "the file holds no Relaton record (only comments or an empty document)."
        return Reading(problem=Problem(name, start if not alone else None, None, reason), source=source), none
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single {type(data).__name__} value"
        reason = f"a Relaton record must be a YAML mapping (key: value lines), but this document is {kind}."
        return Reading(problem=Problem(name, start, None, reason), source=source), none
    try:
        info = build(data)
    except RecordError as exc:
        return Reading(problem=Problem(name, start, exc.field, exc.reason), source=source), none
    except (AttributeError, TypeError, ValueError, KeyError) as exc:
        # A mapping whose parts have the wrong shape (a list where a mapping belongs ...).
        reason = f"the record has an unexpected structure ({type(exc).__name__}: {exc})."
        return Reading(problem=Problem(name, start, None, reason), source=source), none
    if info.skip:
        return Reading(skipped=Problem(name, start, None, info.skip), line=start, source=source), info
    warnings = [Problem(name, start, f, reason) for f, reason in info.warnings]
    return Reading(item=info.record, line=start, source=source, warnings=warnings), info


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


def _too_big(name: str, size: int) -> Problem:
    return Problem(name, None, None, f"the file is {size:,} bytes, over the {MAX_MEMBER_BYTES:,}-byte limit for one record file.")


def _tag_of(problem: str) -> str:
    match = re.search(r"tag:yaml\.org,2002:(\S+?)'?$", problem) or re.search(r"'([^']+)'", problem)
    tag = match.group(1) if match else problem
    return tag if tag.startswith("!") else f"!!{tag}"
