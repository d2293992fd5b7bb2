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
relations) is :mod:`ingest.relaton_model`; one mapping becomes a record in
:mod:`ingest.relaton_mapping`. How the fields map:

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

import os
import re
import tarfile
import zipfile
from pathlib import Path
from typing import Any, BinaryIO, Iterator

import yaml

from catalogue.records import Problem, Reading
from ingest.files import read_path
from ingest.relaton_mapping import build, build_standard  # noqa: F401 - build_standard: this module's API
from ingest.relaton_model import Built, Collection, RecordError

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
_RELATON_KEYS = re.compile(rb"^(?:docid|docidentifier|docstatus|schema[-_]version|bibdata|formattedref):", re.MULTILINE)
_LEADING_COMMENTS = re.compile(rb"^(?:[ \t]*(?:#[^\n]*)?\r?\n)*")
_YAML_START = re.compile(rb"^(?:---|%YAML|[A-Za-z_][\w-]*:)", re.MULTILINE)



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


def _too_big(name: str, size: int) -> Problem:
    return Problem(name, None, None, f"the file is {size:,} bytes, over the {MAX_MEMBER_BYTES:,}-byte limit for one record file.")


def _tag_of(problem: str) -> str:
    match = re.search(r"tag:yaml\.org,2002:(\S+?)'?$", problem) or re.search(r"'([^']+)'", problem)
    tag = match.group(1) if match else problem
    return tag if tag.startswith("!") else f"!!{tag}"
