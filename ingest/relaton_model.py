"""The Relaton bibliographic model, read once for YAML and XML, for any publisher.

Written for the model's specification and the whole family of its publishers, not for the
files at hand: the older schema (``docid``, ``docstatus``; ISO, IEC, IEEE, CIE) and the newer one
(``docidentifier`` with ``content``, ``status.stage``, ``ext``; schema v1.5 and later, OIML).

- **Status** comes from ``status``/``docstatus`` (stage, substage), else from the words an
  ``ext`` block carries (``stage``, ``standard_status``, ``status``). ISO harmonized stage codes,
  IEC stage codes and status words of every flavour are read (``in-force``, ``Valid``,
  ``withdrawn``, ``superseded``, ``cancelled``, ``obsolete``, ``under development`` ..., any case,
  any of ``-``, ``_`` or a space between words). A word nobody taught us leaves the status
  unknown (empty) with a warning: the record still lands.
- **Not standards**: bibliographic types and doctypes of periodicals and papers (article,
  journal, issue, volume, section, inproceedings ...), and papers by named authors with a
  generic doctype (CIE conference papers), are skipped with the reason; every other doctype
  lands (recommendation, specification, code-of-practice, expert-report ...).
- **Variants**: a language version ("OIML R 100:1991 (F)", doctype translation) or a redline
  ("IEEE Std 1010-2022 Redline", doctype redline) belongs to its base record;
  :class:`Collection` merges them into it across the files of a folder or archive.
- **Titles** in any language and script: a string, a list, typed parts (main, title-main,
  title-intro, title-part), with ``language``/``script``; ISO 639-2 codes (``eng``, ``fra``, ``ukr``)
  become the two-letter codes the catalogue uses, and a script other than the language's usual
  one is kept in the key (``zh-Hant``, ``sr-Latn``). A part's title ("Part 1: ...") is completed
  from its parent's (``partOf``).
- **Relations**: see RELATIONS; a relation type nobody taught us is a warning.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterator

from catalogue.designation import try_parse
from catalogue.records import Problem, Reading, Standard

# ---------------------------------------------------------------------------------------------
# Status words. Keys are folded by fold_word: lower case, runs of spaces/underscores as "-".
_CURRENT = ("published", "publish", "in-force", "inforce", "force", "valid", "active", "current", "approved",
            "effective", "confirmed", "reaffirmed", "stabilized", "stable", "activated", "ppub", "issued",
            "under-review", "under-revision", "being-revised", "in-revision", "systematic-review",
            "international-standard", "standard", "60.60", "现行", "有效")
_UPCOMING = ("upcoming", "to-be-implemented", "forthcoming", "not-yet-in-force", "pending", "即将实施")
_WITHDRAWN = ("withdrawn", "withdraw", "cancelled", "canceled", "cancellation", "abolished", "obsoleted", "obsolete",
              "inactive", "retired", "deleted", "delpub", "rescinded", "repealed", "void", "expired", "historical",
              "discontinued", "deprecated", "废止", "作废", "撤销", "已废止")
_REPLACED = ("superseded", "supersede", "replaced", "revised", "succeeded", "被代替", "已被代替")
_DRAFT = ("draft", "drafting", "under-development", "in-development", "development", "in-preparation",
          "preparation", "preparatory", "proposal", "proposed", "committee", "enquiry", "approval",
          "in-progress", "ballot", "balloting", "working-draft", "pre-draft", "preliminary", "project",
          "under-consideration", "comment", "public-comment", "草案", "征求意见", "征求意见稿", "制定中", "报批",
          "wd", "cd", "dis", "fdis", "prf", "pwi", "awi", "np", "nwip", "dts", "dtr", "dpas")
STATUS_WORDS: dict[str, str] = {
    **dict.fromkeys(_CURRENT, "current"), **dict.fromkeys(_UPCOMING, "upcoming"),
    **dict.fromkeys(_WITHDRAWN, "withdrawn"), **dict.fromkeys(_REPLACED, "replaced"), **dict.fromkeys(_DRAFT, "draft"),
}
# IEC's stage codes (the 2026 archive, its web API, relaton-gb's words for Chinese standards).
_IEC_CODES = {
    "PUBLISHED": "current", "PPUB": "current", "REVISED": "replaced", "REPLACED": "replaced",
    "WITHDRAWN": "withdrawn", "DELPUB": "withdrawn",
    "ACTIVATED": "current", "OBSOLETED": "withdrawn", "ABOLISHED": "withdrawn", "UPCOMING": "upcoming",
}
_IEC_DRAFT_CODES = frozenset(
    "PNW ANW RPUB AMW ACD ACDV ADIS ADTR ADTS AFDIS APUB BPUB CAN CCDV CD CDM CDPAS CDTR CDTS "
    "CDV CDVM DEC DECDISH DTR DTS FDIS NCDV NDTR NDTS NFDIS PCC PRVC PRVD PRVDPAS PRVDTR PRVDTS "
    "PRVN RDIS RFDIS TCDV TDTR TDTS".split()
)

# ---------------------------------------------------------------------------------------------
# What is not a standard. Relaton's bibliographic item types for periodicals and papers, and the
# doctypes publishers use for them (OIML Bulletin: article, section, issue, volume, periodical).
NOT_STANDARD_TYPES = frozenset(
    "article journal periodical inproceedings incollection inbook conference presentation thesis "
    "social_media alert message conversation website webresource newspaper magazine".split())
NOT_STANDARD_DOCTYPES = frozenset(
    "article section issue volume periodical journal paper conference-paper proceedings-paper abstract poster "
    "newsletter bulletin-article magazine-article editorial news".split())
#: Doctypes that say nothing about the kind of document: a paper by named authors with one of
#: these is a paper (CIE's conference papers), not a standard.
GENERIC_DOCTYPES = frozenset(("", "document", "standard", "publication", "other"))
#: Doctypes of a version of another record, merged into it.
VARIANT_DOCTYPES = frozenset(("redline", "translation"))

# ---------------------------------------------------------------------------------------------
# Relations: Relaton type -> catalogue type; None for types that are known and not kept.
RELATIONS: dict[str, str | None] = {
    "obsoletes": "replaces", "supersedes": "replaces", "replaces": "replaces", "successorOf": "replaces",
    "revises": "replaces",
    "obsoletedBy": "replaced_by", "supersededBy": "replaced_by", "replacedBy": "replaced_by",
    "hasSuccessor": "replaced_by", "revisedBy": "replaced_by",
    "amends": "amends", "amendedBy": "amended_by", "corrects": "corrects", "correctedBy": "corrected_by",
    "adoptedFrom": "adopts", "adoptedAs": "adopted_by", "identical": "adopts", "equivalent": "adopts",
    "nonequivalent": "adopts", "cites": "cites",
    # "updates"/"updatedBy" depend on the target (read_relation); the rest carry no catalogue relation:
    "updates": "", "updatedBy": "",
    **dict.fromkeys((
        "instanceOf", "hasInstance", "exemplarOf", "hasExemplar", "manifestationOf", "hasManifestation",
        "reproductionOf", "hasReproduction", "reprintOf", "hasReprint", "expressionOf", "hasExpression",
        "translatedFrom", "hasTranslation", "arrangementOf", "hasArrangement", "abridgementOf", "hasAbridgement",
        "annotationOf", "hasAnnotation", "draftOf", "hasDraft", "editionOf", "hasEdition", "partOf", "hasPart",
        "includedIn", "includes", "complements", "complementOf", "describes", "describedBy", "merges",
        "mergedInto", "splits", "splitInto", "related", "hasAttachment", "attachmentOf", "hasComment",
        "commentaryOf", "hasReview", "reviewOf", "hasRelation", "isCitedIn", "derivedFrom", "derives",
        "adapts", "adaptedFrom", "hasAdaptation"), None),
}
#: Adoption degree from a relation's type or description (GB/T 20000.2, ISO/IEC Guide 21).
DEGREE_WORDS = (
    ("nonequivalent", "NEQ"), ("non-equivalent", "NEQ"), ("not equivalent", "NEQ"), ("neq", "NEQ"), ("非等效", "NEQ"),
    ("identical", "IDT"), ("idt", "IDT"), ("等同", "IDT"),
    ("modified", "MOD"), ("equivalent", "MOD"), ("mod", "MOD"), ("修改", "MOD"),
)
#: Words in an ``updates`` relation's description that say which way it points (IEEE).
_UPDATE_WORDS = {"revises": "replaces", "supersedes": "replaces", "replaces": "replaces",
                 "amends": "amends", "corrects": "corrects"}

_LANG_SUFFIX = re.compile(r"\s*\(([A-Z]{1,3})\)\s*$")
_REDLINE = re.compile(r"\s+redline$", re.IGNORECASE)
_PART_TITLE = re.compile(r"^(?:Part|Partie|Parte|Teil|Deel|Część|Часть|Частина|Del)\s+\S+?\s*[:：.—-]|^第\S+部分", re.IGNORECASE)
_DATED = re.compile(r"[:\-]((?:19|20)\d{2})\b")
_DRAFT_MARK = re.compile(r"\b(?:PWI|NP|AWI|WD|CD|DIS|FDIS|PRF|DTS|DTR|DPAS|CDV|DAmd|FDAmd|DAM|FDAM)\b|/D-?\d")
_COR = re.compile(r"\bCOR", re.IGNORECASE)
_TRADEMARK = re.compile(r"[\u2122\u00ae]")
_NON_DESIGNATION_TYPES = frozenset(("URN", "DOI", "ISBN", "ISSN", "URI", "URL", "OIML-BULLETIN-URL-SLUG"))


def fold_word(text: str) -> str:
    """'Under Development' -> 'under-development'; 'IN_FORCE' -> 'in-force'."""
    return re.sub(r"[\s_]+", "-", str(text).strip().lower()).strip("-")


class RecordError(ValueError):
    """A record that cannot become a Standard: carries the field and a one-sentence reason."""

    def __init__(self, field_name: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field = field_name
        self.reason = reason


@dataclass
class Built:
    """What one Relaton record gives: a Standard with its warnings, or the reason it is skipped."""

    record: Standard | None = None
    warnings: list[tuple[str | None, str]] = field(default_factory=list)
    skip: str = ""
    #: The base record's designation when this record is a language version or a redline.
    variant_of: str = ""
    #: The parent's designation (``partOf``), for completing a part's title.
    part_of: str = ""
    #: The parent's titles when the partOf relation carries them.
    parent_titles: dict[str, str] = field(default_factory=dict)
    #: The record names its parts (``hasPart``): its titles complete theirs.
    has_parts: bool = False


# ---------------------------------------------------------------------------------------------
def status_of(stage: str, substage: str = "", has_successor: bool = False) -> tuple[str, str | None]:
    """(catalogue status, warning or None) of a stage: ('95', '99', True) -> ('replaced', None);
    ('Valid', '') -> ('current', None); ('dormant', '') -> ('', "unknown stage 'dormant' ...")."""
    stage, substage = str(stage or "").strip(), str(substage or "").strip()
    if not stage:
        return "", None
    if re.fullmatch(r"\d{2}\.\d{2}", stage) and not substage:
        stage, substage = stage.split(".")
    if stage.isdigit():
        status = iso_stage_status(stage, substage, has_successor)
        if status:
            return status, None
        return "", f"unknown ISO stage '{stage}.{substage or '00'}': the status is left unknown."
    word = stage.upper()
    if word in _IEC_CODES:
        return _IEC_CODES[word], None
    if word in _IEC_DRAFT_CODES:
        return "draft", None
    folded = fold_word(stage)
    found = STATUS_WORDS.get(folded)
    if found is None:
        # "Inactive - Reserved", "withdrawn-2019": the first word carries the status.
        found = STATUS_WORDS.get(folded.split("-", 1)[0]) if "-" in folded else None
    if found == "withdrawn" and has_successor:
        found = "replaced"
    if found:
        return found, None
    return "", f"unknown stage '{stage}': the status is left unknown (not an ISO stage code, an IEC stage code or a status word we know)."


def iso_stage_status(stage: str, substage: str, has_successor: bool) -> str:
    """The status of an ISO harmonized stage: ('95', '99', True) -> 'replaced'; ('60', '00', False) -> 'draft'.

    '' for a stage code outside the harmonized scheme."""
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
    return ""


# ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=512)
def language_code(code: str, script: str = "") -> str:
    """The catalogue's language key: 'eng' -> 'en', 'zho' + 'Hant' -> 'zh-Hant', 'ko' + 'Hang' -> 'ko'."""
    code = str(code or "").strip().replace("_", "-")
    if not code:
        return ""
    base, _, rest = code.partition("-")
    base = base.lower()
    try:
        from babel.core import get_global

        base = get_global("language_aliases").get(base, base)
        likely = get_global("likely_subtags").get(base, "")
    except Exception:  # babel without CLDR data: keep the code as given
        likely = ""
    script = (script or (rest if len(rest) == 4 else "")).strip()
    if script:
        script = script[:1].upper() + script[1:].lower()
        usual = likely.split("_")[1] if likely.count("_") >= 1 else ""
        if script != usual and not _script_within(script, usual):
            return f"{base}-{script}"
    return base


def _script_within(script: str, usual: str) -> bool:
    """Hangul is within Korean's usual script (Kore); Han, Hiragana and Katakana within Japanese's (Jpan)."""
    return (usual == "Kore" and script in ("Hang", "Hani")) or (usual == "Jpan" and script in ("Hira", "Kana", "Hani"))


def read_titles(entries: Any, default_langs: list[str], default_script: str = "") -> dict[str, str]:
    """Titles by language; 'Industrial valves' + 'Pressure testing ...' -> 'Industrial valves — Pressure testing ...'."""
    default_lang = next((x for x in default_langs if x), "en")
    parts: dict[str, dict[str, str]] = {}
    for entry in as_list(entries):
        if isinstance(entry, str):
            entry = {"content": entry}
        if not isinstance(entry, dict):
            continue
        text = content(entry)
        if "html" in str(entry.get("format") or "") or "<" in text:
            text = strip_tags(text)
        text = clean(text)
        if not text:
            continue
        scripts = [s for s in as_list(entry.get("script")) if isinstance(s, str)]
        langs = [language_code(x, scripts[0] if scripts else "") for x in as_list(entry.get("language"))
                 if isinstance(x, str)] or [language_code(default_lang, default_script)]
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
            usable = [v for k, v in by_kind.items() if k not in ("subtitle", "abbreviation", "title-amd")]
            titles[lang] = usable[0] if usable else next(iter(by_kind.values()))
        # Supplement titles join base and supplement with " -- " ("Part 3: ... -- Amendment 1: ...").
        titles[lang] = titles[lang].replace(" -- ", " — ")
    english = titles.get("en")
    # Drafts often carry the English title again under "fr": that is no translation.
    return {lang: text for lang, text in titles.items() if lang == "en" or text != english}


def complete_part_titles(titles: dict[str, str], parent: dict[str, str]) -> dict[str, str]:
    """'Part 1: Metrological ...' + parent 'Dynamic measuring systems ...' -> 'Dynamic ... — Part 1: ...'."""
    done = dict(titles)
    for lang, text in titles.items():
        main = parent.get(lang)
        if main and _PART_TITLE.match(text) and not text.startswith(main):
            # A parent title that is itself a part title is not a main title to borrow.
            if not _PART_TITLE.match(main):
                done[lang] = f"{main} — {text}"
    return done


# ---------------------------------------------------------------------------------------------
def base_designation(designation: str, doctype: str = "") -> str:
    """The record a variant belongs to: 'OIML R 100:1991 (F)' -> 'OIML R 100:1991',
    'IEEE Std 1010-2022 Redline' -> 'IEEE Std 1010-2022'; '' when it is no variant."""
    stripped = _LANG_SUFFIX.sub("", designation)
    stripped = _REDLINE.sub("", stripped).strip()
    if stripped != designation.strip():
        return stripped
    return ""


def why_not_a_standard(kind: str, doctype: str, authors_are_people: bool) -> str:
    """The reason a record is skipped, or '' for a standard."""
    kind_f, doctype_f = fold_word(kind), fold_word(doctype)
    if kind_f in NOT_STANDARD_TYPES or doctype_f in NOT_STANDARD_DOCTYPES:
        what = f"type '{kind}'" + (f", doctype '{doctype}'" if doctype else "")
        return f"not a standard: a periodical or its article ({what}); skipped."
    if authors_are_people and doctype_f in GENERIC_DOCTYPES:
        return f"not a standard: a paper by named authors (doctype '{doctype or '-'}'), such as a conference paper; skipped."
    return ""


def pick_designation(ids: list[dict]) -> str:
    """The primary identifier (not a trademark spelling, URN, DOI or ISBN), else the first usable one."""
    usable = []
    for entry in ids:
        text = clean(str(entry.get("id") or entry.get("content") or ""))
        kind = str(entry.get("type") or "").upper()
        if not text or kind in _NON_DESIGNATION_TYPES:
            continue
        usable.append((entry, _TRADEMARK.sub("", text)))
    for prefer in (lambda e: e.get("primary") and not e.get("scope"), lambda e: e.get("primary"), lambda e: True):
        for entry, text in usable:
            if prefer(entry):
                return text
    return ""


def read_relation(kind: str, designation: str, target: str, description: str = "") -> tuple[str | None, str | None]:
    """(catalogue relation type or None, warning or None) for one Relaton relation of ``designation``.

    ``updates`` X: with a description (IEEE: revises / amends / corrects), it says which way it
    points; without one (ISO, CIE): a supplement of this record amends it, an edition dated the same
    year or later replaces it, an earlier one is replaced by it, and anything undated or a draft is a
    revision in progress.
    """
    if kind not in RELATIONS:
        return None, f"relation type '{kind}' is not one we know; the relation to {target} was left out."
    mapped = RELATIONS[kind]
    if kind == "updates":
        word = _UPDATE_WORDS.get(fold_word(description))
        if word:
            return word, None
        if target.startswith(designation + "/"):
            return ("corrected_by" if _COR.search(target[len(designation) + 1:]) else "amended_by"), None
        mine, theirs = _year_of(designation), _year_of(target)
        if not theirs or _DRAFT_MARK.search(target):
            return None, None
        # ISO's archive lists the successor on the older record, often of the same year (IEC 796-1:1990
        # -> IEC 60796-1:1990, Cor 1 -> Cor 2): only a target dated before this record is its predecessor.
        if mine and theirs < mine:
            return "replaces", None
        return "replaced_by", None
    if kind == "updatedBy":
        if designation.startswith(target + "/"):
            return ("corrects" if _COR.search(designation[len(target) + 1:]) else "amends"), None
        return "replaces", None
    return mapped, None


def degree_of(kind: str, description: str) -> str | None:
    """IDT / MOD / NEQ from a relation type ('identical') or its description ('modified')."""
    words = f"{kind} {description}".lower()
    for word, degree in DEGREE_WORDS:
        if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", words):
            return degree
    return None


def _year_of(designation: str) -> str:
    m = _DATED.search(designation)
    return m.group(1) if m else ""


# ---------------------------------------------------------------------------------------------
def as_list(value: Any) -> list:
    """Relaton writes a one-item list as the item itself ('docid: {id: ...}', 'language: en')."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def content(value: Any) -> str:
    """The text of a Relaton value: 'x', {'content': 'x'}, [{'content': 'x'}] -> 'x'."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("content", value.get("value", ""))
        if isinstance(value, (dict, list)):
            return content(value)
    return "" if value is None else str(value)


def clean(text: str) -> str:
    """Collapse runs of whitespace (YAML folding, tabs, newlines) to one space; strip the ends."""
    return " ".join(str(text).split())


def strip_tags(text: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]*>", "", text))


# ---------------------------------------------------------------------------------------------
def group_key(designation: str) -> str:
    """One key for every spelling of a designation (the grammar's key, else the folded text)."""
    parsed = try_parse(designation)
    return parsed.key if parsed else clean(designation).lower()


class Collection:
    """The records of one folder, archive or file, with variants merged and parts' titles completed.

    Streams: a record is given back at once unless it must wait. A variant (language version,
    redline) waits for the end and then brings only what its base record lacked (or becomes the
    record when the base is not there); a part titled only "Part 1: ..." whose parent has not been
    read yet waits for it.
    Memory: the variants and waiting parts, plus the titles of records that have parts.
    """

    def __init__(self) -> None:
        self.main_languages: dict[str, set[str]] = {}
        self.parent_titles: dict[str, dict[str, str]] = {}
        self.waiting_parts: dict[str, list[tuple[Reading, Built]]] = defaultdict(list)
        self.variants: dict[str, list[tuple[Reading, Built]]] = defaultdict(list)

    def add(self, reading: Reading, built: Built) -> Iterator[Reading]:
        """Take one reading (with what it was built from); yield the readings ready now."""
        record = reading.item
        if not isinstance(record, Standard):
            yield reading
            return
        if built.variant_of:
            self.variants[group_key(built.variant_of)].append((reading, built))
            return
        key = group_key(record.designation)
        self.main_languages[key] = set(record.titles)
        if built.has_parts or key in self.waiting_parts:
            self.parent_titles[key] = dict(record.titles)
        if built.part_of and any(_PART_TITLE.match(t) for t in record.titles.values()):
            parent_key = group_key(built.part_of)
            parent = self.parent_titles.get(parent_key) or built.parent_titles
            if not parent and parent_key not in self.main_languages:
                self.waiting_parts[parent_key].append((reading, built))
                return
            record.titles = complete_part_titles(record.titles, parent)
        yield reading
        for waiting, _ in self.waiting_parts.pop(key, []):
            waiting.item.titles = complete_part_titles(waiting.item.titles, record.titles)
            yield waiting

    def finish(self) -> Iterator[Reading]:
        """The readings still waiting: parts whose parent never came, then the merged variants."""
        for parts in self.waiting_parts.values():
            for waiting, built in parts:
                waiting.item.titles = complete_part_titles(waiting.item.titles, built.parent_titles)
                yield waiting
        self.waiting_parts.clear()
        for key, group in self.variants.items():
            yield merge_variants(group, self.main_languages.get(key))
        self.variants.clear()


def merge_variants(group: list[tuple[Reading, Built]], main_languages: set[str] | None) -> Reading:
    """One Reading for the variants of one base record (see :class:`Collection`)."""
    first, first_built = group[0]
    merged = first.item
    merged.designation = first_built.variant_of
    warnings = list(first.warnings)
    for reading, _ in group[1:]:
        other = reading.item
        for lang, text in other.titles.items():
            merged.titles.setdefault(lang, text)
        for lang in other.languages:
            if lang not in merged.languages:
                merged.languages.append(lang)
        for name in ("status", "published", "in_force", "withdrawn", "edition", "committee"):
            if not getattr(merged, name) and getattr(other, name):
                setattr(merged, name, getattr(other, name))
        if not merged.ics:
            merged.ics = list(other.ics)
        for lang, text in other.scope.items():
            merged.scope.setdefault(lang, text)
        for rel in other.relations:
            merged.add_relation(rel.type, rel.target, rel.degree)
    if main_languages is None:
        return Reading(item=merged, line=first.line, source=first.source, warnings=warnings)
    # The base record was read: a variant only brings the languages it lacked.
    extra = {lang: text for lang, text in merged.titles.items() if lang not in main_languages}
    if not extra:
        return Reading(line=first.line, source=first.source, skipped=Problem(
            "", first.line, None, "a language version or redline of a record read from the same source; merged into it."))
    rec = Standard(designation=merged.designation, titles=extra, languages=list(merged.languages))
    return Reading(item=rec, line=first.line, source=first.source)
