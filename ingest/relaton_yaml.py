"""Relaton YAML: bibliographic records from any publisher (the ISO and IEC catalogues on GitHub).

One YAML document is one deliverable. ``read`` takes a single ``.yml``/``.yaml`` file, a folder
(walked in sorted order), or a ``.tar.xz``/``.tar.gz``/``.tgz``/``.tar``/``.zip`` archive read
member by member in archive order, never unpacked to disk. A member over 5 MB is a Problem.
``Reading.source`` is the member path inside the archive or folder; ``line`` is the line where
the record starts in that member (1 for a one-record file; files with several ``---`` documents
give one record each).

How the fields map (studied on relaton-data-iso @ 87c31d31 and relaton-data-iec @ e61a22f3):

- designation: the ``docid`` with ``primary: true`` (else the first docid), as printed.
- titles: per language, ``title-intro``, ``title-main`` and ``title-part`` joined with " — " as
  iso.org prints them; a record with only a ``main`` title has its " - " separators turned into
  " — ", and supplements' " -- " (base title -- "Amendment 1: ...") becomes " — " too. A
  non-English title identical to the English one (drafts copy it under ``fr``) is dropped. IEC intros sometimes hold their own unspaced dash ("equipment -Radio"): left as printed.
- status: ISO gives a harmonized stage (``docstatus.stage`` 95 + ``substage`` 99). 00-50 and 60.00
  (under publication) are ``draft``; a project deleted before publication (substage 98 below
  stage 60) is ``withdrawn``; 60.60, 90.xx, 95.20 and 95.60 (withdrawal not yet decided) are
  ``current``; 95.99 is ``replaced`` when the record itself names a successor (see relations),
  else ``withdrawn``. IEC gives words: PUBLISHED (and PPUB) ``current``, REVISED and REPLACED
  ``replaced``, WITHDRAWN (and DELPUB) ``withdrawn``, IEC project codes (CD, CDV, FDIS, APUB ...)
  ``draft``. A record without docstatus (the ISO/IEC Directives supplements) has no status; an
  unknown stage is a Problem.
- dates: ``published`` -> published, ``implemented`` -> in_force, and IEC's ``obsoleted`` ->
  withdrawn when the status is withdrawn or replaced (on a PUBLISHED record it is a planned date).
  ``updated``, ``corrected``, ``stable-until`` and ``circulated`` are not kept.
- relations: ``obsoletes`` X -> replaces X. ``updates`` X means "X is newer than this record": when
  X is a supplement of this very record ("ISO 5208:2015/Amd 1:2020" on ISO 5208:2015) it is
  ``amended_by`` (``corrected_by`` for a Cor); otherwise X is a new edition and this record is
  ``replaced_by`` X, but only when X is a dated, published designation: an ``updates`` to an
  undated reference or a draft ("ISO/CD 10840") is a revision still in progress and is left out.
  The inverse Relaton names (obsoletedBy, updatedBy, hasSuccessor, successorOf), ``adoptedFrom``
  / ``adoptedAs`` and ``cites`` map the same way. ``partOf`` (Directives supplements -> the
  undated directive), ``instanceOf``/``hasInstance`` (an undated work and its editions: the
  grammar's ``work`` key already links them) and ``complements`` have no relation type in the
  catalogue and are not kept. Amends/corrects from a supplement to its base are not read here:
  the pipeline derives them from the designation.
- IEC consolidated versions (``CISPR 13:2009+AMD1:2015 CSV``), redlines (``IEC 60947-2:2016
  RLV``) and interpretation sheets (``.../ISH1:2017``) are records of their own, with the status
  IEC gives them and no invented relation: no relation type says "consolidates" or "redline of",
  and the designation grammar already knows the CSV/RLV/ISH markers.
- ics, committee (``ISO/TC 153``, ``ISO/TC 121/SC 3``; IEC's "TC 34/SC 34B" -> "IEC/TC 34/SC 34B"),
  edition, languages. Neither catalogue gives pages (no ``extent``): pages stay empty.
- scope: the abstract per language (IEC abstracts are HTML: tags stripped). A ``fr`` (or other
  non-English) abstract that repeats the English one, or reads as English, is dropped: about
  25,600 ISO records carry the English abstract under ``fr``.
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

FORMAT = "relaton-yaml"
DESCRIPTION = "Relaton YAML (ISO, IEC ... bibliographic records): a file, a folder, or a .tar.xz/.tar.gz/.zip archive"
#: Bounds itself: one file or archive member at most MAX_MEMBER_BYTES, archives streamed.
SELF_LIMITED = True

#: A member this big is not a bibliographic record (the largest real one is about 30 kB).
MAX_MEMBER_BYTES = 5 * 1024 * 1024
YAML_SUFFIXES = (".yaml", ".yml")
TAR_SUFFIXES = (".tar.xz", ".txz", ".tar.gz", ".tgz", ".tar.bz2", ".tar")
ZIP_SUFFIXES = (".zip",)

# libyaml's loader is about ten times faster than the pure-Python one; both are safe loaders.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_DOC_START = re.compile(r"^---(?=[ \t]|$)", re.MULTILINE)
_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]\d")
_TAG = re.compile(r"<[^>]*>")
_BLOCK_TAG = re.compile(r"<(?:br|/p|/li|/div|/h\d)\b[^>]*>", re.IGNORECASE)
_DATED = re.compile(r"[:\-]\d{4}\b")
_DRAFT_MARK = re.compile(r"\b(?:PWI|NP|AWI|WD|CD|DIS|FDIS|PRF|DTS|DTR|DPAS|CDV|DAmd|FDAmd|DAM|FDAM)\b")
_COR = re.compile(r"\bCOR", re.IGNORECASE)
_COMMITTEE_CODE = re.compile(r"^(?:TC|SC|SyC|PC|JTC|JWG)\s")

# IEC stage words. PUBLISHED/REVISED/REPLACED/WITHDRAWN are in the 2026 archive; the rest are
# IEC's project stage codes, which its web API uses for documents in preparation.
_IEC_STATUS = {
    "PUBLISHED": "current", "PPUB": "current",
    "REVISED": "replaced", "REPLACED": "replaced",
    "WITHDRAWN": "withdrawn", "DELPUB": "withdrawn",
    # relaton-gb's stage words for Chinese standards (现行 / 废止 / 即将实施).
    "ACTIVATED": "current", "OBSOLETED": "withdrawn", "ABOLISHED": "withdrawn", "UPCOMING": "upcoming",
}
_IEC_DRAFT_CODES = frozenset(
    "PNW ANW RPUB AMW ACD ACDV ADIS ADTR ADTS AFDIS APUB BPUB CAN CCDV CD CDM CDPAS CDTR CDTS "
    "CDV CDVM DEC DECDISH DTR DTS FDIS NCDV NDTR NDTS NFDIS PCC PRVC PRVD PRVDPAS PRVDTR PRVDTS "
    "PRVN RDIS RFDIS TCDV TDTR TDTS".split()
)

# Relaton relation type -> (catalogue relation type) when the meaning does not depend on the target.
_PLAIN_RELATIONS = {
    "obsoletes": "replaces",
    "obsoletedBy": "replaced_by",
    "successorOf": "replaces",
    "hasSuccessor": "replaced_by",
    "adoptedFrom": "adopts",
    "adoptedAs": "adopted_by",
    "cites": "cites",
}

_ENGLISH_WORDS = frozenset("the of and is to this for in are be with which that by it".split())
_FRENCH_WORDS = frozenset("le la les des du de et est pour dans une un sont au aux qui ce cette par".split())


class RecordError(ValueError):
    """A record that cannot become a Standard: carries the field and a one-sentence reason."""

    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def sniff(head: bytes, name: str) -> bool:
    """True for a Relaton YAML file, a .zip of them, or a folder/tarball named like 'relaton'.

    Example: head b"---\\nschema-version: v1.2.9\\nid: ISO5208-2015\\ntitle: ..." with name
    'iso-5208-2015.yaml'.
    """
    lower = name.lower()
    if lower.endswith(YAML_SUFFIXES):
        text = head.lstrip(b"\xef\xbb\xbf")
        return b"docid:" in text or (b"schema-version:" in text and b"title:" in text)
    if lower.endswith(ZIP_SUFFIXES):
        # A zip's first local header holds the first member's name at byte 30.
        if head[:4] != b"PK\x03\x04" or len(head) < 30:
            return False
        size = int.from_bytes(head[26:28], "little")
        return head[30:30 + size].lower().endswith((b".yaml", b".yml", b"/"))
    if lower.endswith(TAR_SUFFIXES) or lower.endswith("/"):
        return "relaton" in lower
    return False


def read(path) -> Iterator[Reading]:
    """Read a Relaton YAML file, a folder of them, or an archive of them, by path."""
    path = Path(path)
    lower = path.name.lower()
    if path.is_dir():
        yield from read_relaton_folder(path)
    elif lower.endswith(ZIP_SUFFIXES):
        yield from read_relaton_zip(path)
    elif lower.endswith(TAR_SUFFIXES):
        yield from read_relaton_tar(path)
    else:
        yield from read_path(path, read_relaton_yaml)


def read_relaton_folder(folder: Path) -> Iterator[Reading]:
    """Every .yaml/.yml file under ``folder``, in sorted path order; ``source`` is the relative path."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for file_name in files:
            if file_name.lower().endswith(YAML_SUFFIXES):
                found.append(Path(root, file_name))
    for file_path in sorted(found):
        member = file_path.relative_to(folder).as_posix()
        with open(file_path, "rb") as fp:
            yield from read_relaton_yaml(fp, f"{folder}!{member}", source=member)


def read_relaton_tar(archive: Path) -> Iterator[Reading]:
    """Stream a tarball (any compression tarfile knows) member by member, in archive order."""
    try:
        tar = tarfile.open(archive, mode="r|*")
    except (tarfile.TarError, OSError, EOFError) as exc:
        yield Reading(problem=Problem(str(archive), None, None, f"not a readable tar archive ({exc})."))
        return
    with tar:
        try:
            for member in tar:
                if not member.isfile() or not member.name.lower().endswith(YAML_SUFFIXES):
                    continue
                name = f"{archive}!{member.name}"
                if member.size > MAX_MEMBER_BYTES:
                    yield Reading(problem=_too_big(name, member.size))
                    continue
                fp = tar.extractfile(member)
                if fp is None:
                    continue
                yield from read_relaton_yaml(fp, name, source=member.name)
        except (tarfile.TarError, OSError, EOFError) as exc:
            # A truncated or corrupt archive: the records before the damage are already out.
            yield Reading(problem=Problem(str(archive), None, None, f"the tar archive is damaged and was read only up to here ({exc})."))


def read_relaton_zip(archive: Path) -> Iterator[Reading]:
    """Read a zip member by member, in the order the archive lists them."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        yield Reading(problem=Problem(str(archive), None, None, f"not a readable zip archive ({exc})."))
        return
    with zf:
        for info in zf.infolist():
            if info.is_dir() or not info.filename.lower().endswith(YAML_SUFFIXES):
                continue
            name = f"{archive}!{info.filename}"
            if info.file_size > MAX_MEMBER_BYTES:
                yield Reading(problem=_too_big(name, info.file_size))
                continue
            try:
                with zf.open(info) as fp:
                    yield from read_relaton_yaml(fp, name, source=info.filename)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                yield Reading(problem=Problem(name, None, None, f"the archive member cannot be unpacked ({exc})."))


def read_relaton_yaml(fp: BinaryIO, name: str, source: str = "") -> Iterator[Reading]:
    """Read one Relaton YAML file ('---\\nid: ISO5208-2015\\ndocid: ...'): one Reading per document."""
    raw = fp.read(MAX_MEMBER_BYTES + 1)
    if len(raw) > MAX_MEMBER_BYTES:
        yield Reading(problem=_too_big(name, len(raw)))
        return
    yield from read_relaton_bytes(raw, name, source)


def read_relaton_bytes(raw: bytes, name: str, source: str = "") -> Iterator[Reading]:
    """The records of one file's bytes; ``name`` is used in Problems, ``source`` in Readings."""
    if not raw.strip():
        yield Reading(problem=Problem(name, None, None, "the file is empty: it holds no Relaton record."), source=source)
        return
    if b"\x00" in raw:
        yield Reading(problem=Problem(name, None, None, "the file holds binary data, not YAML text."), source=source)
        return
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield Reading(problem=Problem(name, None, None, f"the file is not UTF-8 text (byte {exc.start} cannot be decoded)."), source=source)
        return
    documents = split_documents(text)
    for start, chunk in documents:
        yield _read_document(chunk, start, name, source, alone=len(documents) == 1)


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


def _read_document(chunk: str, start: int, name: str, source: str, alone: bool) -> Reading:
    try:
        data = yaml.load(chunk, Loader=_LOADER)
    except yaml.constructor.ConstructorError as exc:
        line = start + exc.problem_mark.line if exc.problem_mark else start
        reason = f"YAML refused: {exc.problem}" if exc.problem else "YAML refused a tag it will not build."
        if "tag" in str(exc.problem or ""):
            reason = f"the YAML uses a tag safe loading refuses ({_tag_of(exc.problem)}); nothing was built from it."
        return Reading(problem=Problem(name, line, None, reason), source=source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = start + mark.line if mark is not None else start
        # libyaml reports an error at the end of the stream one line past the last one.
        line = min(line, start + chunk.count("\n"))
        what = getattr(exc, "problem", None) or getattr(exc, "reason", None) or "unreadable"
        return Reading(problem=Problem(name, line, None, f"not valid YAML: {what}."), source=source)
    if data is None:
        reason = "the file holds no Relaton record (only comments or an empty document)."
        return Reading(problem=Problem(name, start if not alone else None, None, reason), source=source)
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single {type(data).__name__} value"
        reason = f"a Relaton record must be a YAML mapping (key: value lines), but this document is {kind}."
        return Reading(problem=Problem(name, start, None, reason), source=source)
    try:
        return Reading(item=build_standard(data), line=start, source=source)
    except RecordError as exc:
        return Reading(problem=Problem(name, start, exc.field, exc.reason), source=source)
    except (AttributeError, TypeError, ValueError, KeyError) as exc:
        # A mapping whose parts have the wrong shape (a list where a mapping belongs ...).
        reason = f"the record has an unexpected structure ({type(exc).__name__}: {exc})."
        return Reading(problem=Problem(name, start, None, reason), source=source)


def build_standard(data: dict) -> Standard:
    """Turn one loaded Relaton mapping ({'docid': [{'id': 'ISO 5208:2015', ...}], ...}) into a Standard."""
    designation = primary_id(data)
    if not designation:
        raise RecordError("docid", "the record has no docid, so it names no standard.")
    ext = data.get("ext") if isinstance(data.get("ext"), dict) else {}
    rec = Standard(designation=designation)
    rec.titles = read_titles(data.get("title"), _as_list(data.get("language")))
    for kind, target in read_relations(designation, data.get("relation")):
        rec.add_relation(kind, target)
    successor = any(r.type == "replaced_by" for r in rec.relations)
    rec.status = read_status(data.get("docstatus"), successor)
    dates = read_dates(data.get("date"))
    rec.published = dates.get("published", "")
    rec.in_force = dates.get("implemented", "")
    if rec.status in ("withdrawn", "replaced"):
        rec.withdrawn = dates.get("obsoleted", "")
    rec.ics = read_ics(ext.get("ics", data.get("ics")))
    group = ext.get("editorialgroup", data.get("editorialgroup"))
    rec.committee = read_committee(group, _publisher_body(data, designation))
    rec.edition = _clean(_content(data.get("edition")))
    rec.languages = [lang for lang in _as_list(data.get("language")) if isinstance(lang, str)]
    rec.scope = read_abstracts(data.get("abstract"))
    return rec


def primary_id(data: dict) -> str:
    """The docid marked primary ('ISO 5208:2015'), else the first one; '' when there is none."""
    ids = [d for d in _as_list(data.get("docid")) if isinstance(d, dict) and d.get("id")]
    chosen = next((d for d in ids if d.get("primary")), ids[0] if ids else None)
    if chosen is None:
        ref = data.get("formattedref")
        return _clean(_content(ref)) if ref else ""
    found = _clean(str(chosen["id"]))
    # relaton-gb splits industry designations: docid {type: JB, id: T13368} for JB/T 13368, with
    # the whole designation only in the top-level id ("JB/T13368").
    top = data.get("id")
    kind = str(chosen.get("type") or "")
    if isinstance(top, str) and kind and not found.upper().startswith(kind.upper()) \
            and top.replace(" ", "").upper().startswith(kind.upper()) and try_parse(top) is not None:
        return _clean(top)
    return found


def read_titles(entries: Any, languages: list) -> dict[str, str]:
    """Titles by language; 'Industrial valves' + 'Pressure testing ...' -> 'Industrial valves — Pressure testing ...'."""
    default_lang = next((x for x in languages if isinstance(x, str)), "en")
    parts: dict[str, dict[str, str]] = {}
    for entry in _as_list(entries):
        if isinstance(entry, str):
            entry = {"content": entry}
        if not isinstance(entry, dict):
            continue
        text = _clean(_content(entry))
        if not text:
            continue
        langs = [x for x in _as_list(entry.get("language")) if isinstance(x, str)] or [default_lang]
        # Old records write "language: en" as a plain string; _as_list keeps it whole.
        kind = str(entry.get("type") or "")
        for lang in langs:
            parts.setdefault(lang, {}).setdefault(kind, text)
    titles = {}
    for lang, by_kind in parts.items():
        pieces = [by_kind.get(k, "") for k in ("title-intro", "title-main", "title-part")]
        if by_kind.get("title-main"):
            titles[lang] = " — ".join(p for p in pieces if p)
        elif by_kind.get("main"):
            titles[lang] = by_kind["main"].replace(" - ", " — ")
        else:
            titles[lang] = next(iter(by_kind.values()))
        # Supplement titles join base and supplement with " -- " ("Part 3: ... -- Amendment 1: ...").
        titles[lang] = titles[lang].replace(" -- ", " — ")
    english = titles.get("en")
    # Drafts often carry the English title again under "fr": that is no translation.
    return {lang: text for lang, text in titles.items() if lang == "en" or text != english}


def read_status(docstatus: Any, has_successor: bool) -> str:
    """The catalogue status of a Relaton docstatus: {'stage': {'value': '95'}, 'substage': {'value': '99'}} -> 'withdrawn'."""
    if not docstatus:
        return ""
    if not isinstance(docstatus, dict):
        raise RecordError("status", f"docstatus must be a mapping with a stage, not '{docstatus}'.")
    stage = _clean(_content(docstatus.get("stage")))
    substage = _clean(_content(docstatus.get("substage")))
    if not stage:
        return ""
    if "." in stage and not substage:
        stage, substage = stage.split(".", 1)
    if stage.isdigit():
        return iso_stage_status(stage, substage, has_successor)
    word = stage.upper()
    if word in _IEC_STATUS:
        return _IEC_STATUS[word]
    if word in _IEC_DRAFT_CODES:
        return "draft"
    raise RecordError("status", f"unknown stage '{stage}': not an ISO harmonized stage code or an IEC stage word.")


def iso_stage_status(stage: str, substage: str, has_successor: bool) -> str:
    """The status of an ISO harmonized stage: ('95', '99', True) -> 'replaced'; ('60', '00', False) -> 'draft'."""
    code = int(stage)
    sub = int(substage) if substage.isdigit() else 0
    if code < 60:
        # Substage 98 is "project deleted": it will never be published.
        return "withdrawn" if sub == 98 else "draft"
    if code == 60:
        return "current" if sub == 60 else "draft"
    if code == 90:
        return "current"
    if code == 95:
        if sub != 99:
            return "current"  # 95.20/95.60: withdrawal balloted, the edition is still in force
        return "replaced" if has_successor else "withdrawn"
    raise RecordError("status", f"unknown ISO stage '{stage}.{substage or '00'}'.")


def read_relations(designation: str, entries: Any) -> list[tuple[str, str]]:
    """(catalogue relation type, target designation) pairs; see the module docstring for the rules."""
    found = []
    for entry in _as_list(entries):
        if not isinstance(entry, dict):
            continue
        kind = str(entry.get("type") or "")
        bib = entry.get("bibitem")
        target = primary_id(bib) if isinstance(bib, dict) else ""
        if not target or target == designation:
            continue
        if kind in _PLAIN_RELATIONS:
            found.append((_PLAIN_RELATIONS[kind], target))
        elif kind == "updates":
            if target.startswith(designation + "/"):
                supplement = target[len(designation) + 1:]
                found.append(("corrected_by" if _COR.search(supplement) else "amended_by", target))
            elif _is_published_edition(target):
                found.append(("replaced_by", target))
        elif kind == "updatedBy":
            if designation.startswith(target + "/"):
                supplement = designation[len(target) + 1:]
                found.append(("corrects" if _COR.search(supplement) else "amends", target))
            else:
                found.append(("replaces", target))
    return found


def _is_published_edition(designation: str) -> bool:
    """'ISO 5208:2015' yes; 'ISO 12176-2' (undated) and 'ISO/CD 10840' (a draft) no."""
    return bool(_DATED.search(designation)) and not _DRAFT_MARK.search(designation)


def read_dates(entries: Any) -> dict[str, str]:
    """{'published': '2015-06', 'obsoleted': '2017-03-31', ...}: the first date of each type."""
    dates: dict[str, str] = {}
    for entry in _as_list(entries):
        if not isinstance(entry, dict):
            continue
        kind = str(entry.get("type") or "")
        value = entry.get("value", entry.get("on"))
        if kind not in ("published", "implemented", "obsoleted") or kind in dates or value in (None, ""):
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
    field = {"published": "published", "implemented": "in_force", "obsoleted": "withdrawn"}[kind]
    raise RecordError(field, f"the {kind} date '{text}' is not a date (YYYY, YYYY-MM or YYYY-MM-DD).")


def read_ics(entries: Any) -> list[str]:
    """ICS codes: [{'code': '23.060.01', 'text': 'Valves in general'}] -> ['23.060.01']."""
    codes = []
    for entry in _as_list(entries):
        code = _clean(str(entry.get("code", "")) if isinstance(entry, dict) else str(entry))
        if code and code not in codes:
            codes.append(code)
    return codes


def read_committee(group: Any, body: str) -> str:
    """The first technical committee: 'ISO/TC 121/SC 3' as given, or IEC's 'TC 1' as 'IEC/TC 1'."""
    if not isinstance(group, dict):
        return ""
    for tc in _as_list(group.get("technical_committee")):
        if not isinstance(tc, dict):
            continue
        identifier = _clean(str(tc.get("identifier") or ""))
        if identifier:
            return identifier
        name = _clean(_content(tc.get("name")))
        if name and _COMMITTEE_CODE.match(name) and body:
            return f"{body}/{name}"
        number = tc.get("number")
        if number and str(tc.get("type", "")).upper() in ("TC", "PC") and body:
            return f"{body}/{str(tc['type']).upper()} {number}"
        if name:
            return name
    return ""


def _publisher_body(data: dict, designation: str) -> str:
    ids = [d for d in _as_list(data.get("docid")) if isinstance(d, dict) and d.get("primary")]
    kind = str(ids[0].get("type", "")) if ids else ""
    if kind.isalpha() and kind.isupper():
        return kind
    return re.split(r"[ /]", designation, maxsplit=1)[0]


def read_abstracts(entries: Any) -> dict[str, str]:
    """Abstracts by language, HTML stripped; a non-English one that is really English is dropped."""
    found: dict[str, str] = {}
    for entry in _as_list(entries):
        if not isinstance(entry, dict):
            continue
        text = _content(entry)
        if "html" in str(entry.get("format") or "") or "<" in text:
            text = strip_html(text)
        text = _clean(text)
        for lang in _as_list(entry.get("language")) or ["en"]:
            if isinstance(lang, str) and text and lang not in found:
                found[lang] = text
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


def _as_list(value: Any) -> list:
    """Relaton writes a one-item list as the item itself ('docid: {id: ...}', 'language: en')."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _content(value: Any) -> str:
    """The text of a Relaton value: 'x', {'content': 'x'}, [{'content': 'x'}] -> 'x'."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("content", value.get("value", ""))
        if isinstance(value, (dict, list)):
            return _content(value)
    return "" if value is None else str(value)


def _clean(text: str) -> str:
    """Collapse runs of whitespace (YAML folding, tabs, newlines) to one space; strip the ends."""
    return " ".join(text.split())
