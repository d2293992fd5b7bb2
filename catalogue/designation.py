"""The designation grammar: every publisher's numbering, parsed into parts with one key per edition.

``parse_designation('gbt13927—2022')`` and ``parse_designation('GB/T 13927-2022')`` give the same
:class:`Designation` (key ``gb-t-13927-2022``). The key is built from the parsed parts only, so all
spellings of one edition share it; ``display`` is the form the publisher prints. The families and
the forms knowingly left out are listed in ``docs/designation-forms.md``.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .designation_families import (  # noqa: F401 - Designation, DesignationError are this module's API
    _S, _Y4, FAMILIES, LATE_FAMILIES, Designation, DesignationError, canon, compose, slug,
)

# Hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar, minus, small and
# full-width hyphen-minus: Chinese pages print "GB/T 13927—2008", Word turns "-" into "–".
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")
# NFKC leaves these Chinese punctuation marks alone; they separate designations in lists. The
# trade mark signs IEEE prints inside its numbers ("IEEE Std 802.3\u2122-2022") go: NFKC would make "TM".
_PUNCT = {ord("\u3001"): ",", ord("\u3002"): "."}
_MARKS = {ord("\u2122"): None, ord("\u00ae"): None}

_ISO_BODIES = ("ISO", "IEC", "CISPR")
_JOINT = ("IEC", "IEEE", "ASTM", "CIE", "SAE", "ASME", "HL7")
#: ISO/IEC deliverable types and draft stages (a stage may precede a type: "ISO/CD TS 21219").
_ISO_TYPES = ("TS", "TR", "PAS", "GUIDE", "ISP", "R", "TTA", "SRD", "DIR")
_ISO_STAGES = ("FDIS", "DIS", "CD", "DTS", "DTR", "DPAS", "AWI", "WD", "NP", "PWI")
#: National bodies whose adoptions we read ("BS EN ISO 4126-1", "DIN EN ISO 13849-1", "NF EN 12266-1").
_NATIONAL = ("BS", "DIN", "NF")
#: European deliverables ("EN ISO", "CEN/TS", "CWA", "HD", "ENV") and their publisher facet.
_EUROPEAN = {"EN": "EN", "ENV": "EN", "HD": "EN", "CR": "EN", "CWA": "CEN", "CEN": "CEN", "CLC": "CENELEC"}
#: IEC version markers after the date: consolidated, redline, commented, extended, series.
_MARKERS = ("EXV-CMV", "EXV-RLV", "CSV", "RLV", "CMV", "EXV", "SER", "PRV")
#: Chinese industry standard codes (行业标准代号), GB/T 1.1 and SAMR's list.
_CN_INDUSTRY = (
    "AQ BB CB CH CJ CY DA DB DL DZ EJ FZ GA GH GM GY HB HG HJ HS HY JB JC JG JJF JJG JR JT JY LB LD LS LY "
    "MH MT MZ NB NY QB QC QJ QX RB SB SC SF SH SJ SL SN SW SY TB TD TY WB WH WJ WM WS WW XB YB YC YD YS YY YZ"
).split()
#: Industry codes that are also common English abbreviations (Chapter, Subcommittee ...): in free
#: text they count only with "/T" or a year.
_CN_AMBIGUOUS = {"CH", "SC", "DA", "WS", "SB", "HB", "TB", "MT", "LD", "CB", "WB", "SF", "TD", "RB"}
_SUPP_KINDS = {"AMD": "Amd", "AM": "Amd", "COR": "Cor", "ADD": "Add", "ISH": "ISH", "AC": "AC", "A": "A"}

_END = r"(?![A-Za-z0-9])"

_ISO_BODY = rf"(?:{'|'.join(_ISO_BODIES)}|IWA)(?:{_S}/{_S}(?:{'|'.join(_JOINT)}))*"
_ISO_KIND = rf"(?:{'|'.join(_ISO_STAGES + _ISO_TYPES)})"
_SUPP_WORDS = r"(?:(?:CD|AWI|WD|NP|PWI)[ ]?)?(?:AMD|AM|COR|ADD|FDAM|PDAM|DAM|FDCOR|DCOR|ISH|AC|A)"
_SUPP = rf"""(?:{_S}[/+]{_S}{_SUPP_WORDS}\.?{_S}\d{{0,3}}(?:{_S}:{_S}{_Y4})?)"""

_EURO_ISO = rf"""(?=[A-Z])
  (?P<nat>(?:{'|'.join(_NATIONAL)})(?=[ \d]|{_S}(?:EN|ISO|IEC)))?{_S}
  (?P<eur>(?:EN(?:V)?|HD|CR|CWA|(?:CEN|CLC)(?:{_S}/{_S}(?:TS|TR))?)(?=[ \d/]|{_S}(?:ISO|IEC)))?{_S}
  (?:(?P<body>{_ISO_BODY})
  (?P<kinds>(?:(?:{_S}/{_S}|{_S}){_ISO_KIND}(?=[ \d/]))*))?
  (?:{_S}|-(?=\d))(?P<no>\d+[A-Z]?)(?P<parts>(?:{_S}-{_S}[A-Z]?\d+[A-Z]{{0,2}})*)(?:\.(?P<round>\d{{1,2}})(?!\d))?
  (?:{_S}:{_S}(?P<y>{_Y4})(?:-(?:0[1-9]|1[0-2]))?)?
  (?P<supp>{_SUPP}*)
  (?:{_S}(?P<marker>{'|'.join(_MARKERS)})(?P<post>{_SUPP}*))?
"""
# A DB with digits is local (DB33/T: Zhejiang); a bare DB is the seismology sector (DB/T 61-2026).
_CN = rf"""(?P<cn>GB|DB\d{{2}}(?:\d{{2}})?|{'|'.join(sorted(_CN_INDUSTRY, key=len, reverse=True))})
  (?:{_S}/{_S}(?P<cn_t>[TZ])?|{_S}(?P<cn_t2>[TZ])(?=[ \d]))?
  {_S}(?P<cn_no>\d+)(?:\.(?P<cn_part>\d+))?
  (?:{_S}-{_S}(?P<cn_y>{_Y4}|\d{{2}}))?"""
_GROUP = rf"(?P<grp>[TQ]){_S}/{_S}(?P<grp_code>[A-Z]{{2,12}}){_S}(?P<grp_no>\d+)(?:\.(?P<grp_part>\d+))?(?:{_S}-{_S}(?P<grp_y>{_Y4}))?"

_ALTERNATIVES = {**{name: rx for name, (rx, _) in FAMILIES.items()}, "group": _GROUP, "cn": _CN,
                 "euro_iso": _EURO_ISO, **{name: rx for name, (rx, _) in LATE_FAMILIES.items()}}
# Every family starts with a letter: the lookahead lets the engine skip other positions at once
# (50 times faster over long Chinese prose, where most positions start nothing).
_GRAMMAR = re.compile(
    r"(?<![A-Za-z0-9/])(?=[A-Za-z])(?:" + "|".join(f"(?P<fam_{name}>{rx})" for name, rx in _ALTERNATIVES.items()) + ")" + _END,
    re.IGNORECASE | re.VERBOSE,
)
# A publisher word at the start of the text, to tell "no known prefix" from "bad number".
_PREFIX_WORD = re.compile(
    rf"(?:{'|'.join(_ISO_BODIES + _NATIONAL + tuple(_EUROPEAN) + tuple(_CN_INDUSTRY))}|IWA|API|ANSI|ASME|ASTM|MSS|UL|IEEE"
    rf"|AIEE|IRE|ASA|NACE|JIS|OIML|CIE|GB|DB\d\d|[TQ]{_S}/)",
    re.IGNORECASE,
)


# A national standard project still in the plan (计划号, std.samr.gov.cn): year, serial, type,
# committee: "20170450-T-469". Read only as a whole input, never found inside free text.
_PLAN = re.compile(r"((?:19|20)\d{2})(\d{4})-([TQZ])-(\d{3})", re.IGNORECASE)


def _build_plan(m: re.Match) -> "Designation":
    number = f"{m.group(1)}{m.group(2)}-{m.group(3).upper()}-{m.group(4)}"
    key = f"plan-{number.lower()}"
    return Designation("GB", "", "plan", number, "", "", "", number, key, key)


@dataclass(frozen=True)
class Found:
    """A designation found in free text: ``text == source[start:end]``."""

    text: str
    start: int
    end: int
    designation: Designation


def normalise_text(text: str) -> str:
    """Fold what people type to plain ASCII forms: 'ＧＢ／Ｔ　１２２３８—２００８' -> 'GB/T 12238-2008'."""
    folded, _ = _fold_with_offsets(text)
    return folded.strip()


_FOLDED: dict[str, str] = {}
_FOLDED_MAX = 200_000


def _fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """NFKC each character, map dashes, collapse whitespace; return the text and each char's source offset."""
    out: list[str] = []
    where: list[int] = []
    # Each distinct character is folded once (NFKC per character cost ~2 us: a second for a
    # 490,000-character paste); the table is bounded by the characters Unicode has.
    table = _FOLDED
    for index, char in enumerate(text):
        folded = table.get(char)
        if folded is None:
            folded = unicodedata.normalize("NFKC", char.translate(_MARKS)).translate(_DASHES).translate(_PUNCT)
            if len(table) < _FOLDED_MAX:
                table[char] = folded
        for piece in folded:
            if piece.isspace():
                if out and out[-1] == " ":
                    continue
                piece = " "
            out.append(piece)
            where.append(index)
    return "".join(out), where


def parse_designation(text: str) -> Designation:
    """Parse 'GB/T 13927-2022' (or 'gbt13927—2022', 'ISO 5208:2015/Amd.1:2020') into a Designation."""
    if not isinstance(text, str):
        raise DesignationError(f"{text!r} is not a standard designation: it is not text.")
    folded = normalise_text(text)
    shown = text.strip()
    if not folded:
        raise DesignationError("'' is not a standard designation: the text is empty.")
    match = _GRAMMAR.fullmatch(folded)
    if match is not None:
        return _build(match, shown)
    plan = _PLAN.fullmatch(folded)
    if plan is not None:
        return _build_plan(plan)
    raise DesignationError(f"'{shown}' is not a standard designation: {_explain_rejection(folded)}.")


def _explain_rejection(folded: str) -> str:
    """Why folded text that the grammar refuses is not a designation: 'ISO' -> 'no number after ...'."""
    if re.fullmatch(r"[\d\s.:/+-]+", folded):
        return "a bare number has no publisher prefix"
    partial = _GRAMMAR.match(folded)
    if partial is not None:
        return f"unexpected text '{folded[partial.end():].strip()}' after '{partial.group(0).strip()}'"
    prefix = _PREFIX_WORD.match(folded)
    # "ISOLATION 5" starts with ISO but is a word: a prefix must end where the letters end.
    if prefix is None or (prefix.end() < len(folded) and folded[prefix.end() - 1].isalpha()
                          and folded[prefix.end()].isalpha()):
        return "no known publisher prefix"
    if not re.search(r"\d", folded):
        return "no number after the publisher prefix"
    return "the number after the prefix is not in a known form"


def try_parse(text: str) -> Designation | None:
    """Parse 'ISO 5208' into a Designation, or None when the text is not one ('Figure 12')."""
    try:
        return parse_designation(text)
    except DesignationError:
        return None


def describe(text: str) -> dict:
    """The `catalogue designation --json` object for 'iso5208:2015' (DESIGN.md), error or not."""
    fields = ("display", "key", "work", "publisher", "type", "number", "part", "year", "supplement")
    try:
        found = parse_designation(text)
    except DesignationError as error:
        return {"input": text, "ok": False, **dict.fromkeys(fields), "error": str(error)}
    return {"input": text, "ok": True, **{name: getattr(found, name) for name in fields}}


def find_designations(text: str, limit: int | None = None) -> list[Found]:
    """Find designations in free text: '按ISO5208:2015进行壳体试验' -> [Found('ISO5208:2015', 1, 13, ...)].

    ``limit``: stop after that many (a pasted text of 50,000 designations is answered by its first ones).
    """
    folded, where = _fold_with_offsets(text)
    found: list[Found] = []
    for match in _GRAMMAR.finditer(folded):
        if limit is not None and len(found) >= limit:
            break
        # Trailing spaces belong to the text around the designation, never to it.
        span = match.group(0).rstrip()
        if not _plausible_in_text(match, span):
            continue
        start = where[match.start()]
        end = where[match.start() + len(span) - 1] + 1
        try:
            designation = _build(match, text[start:end])
        except DesignationError:  # e.g. "GB 1234-05": matched the shape, but the year is unreadable
            continue
        found.append(Found(text[start:end], start, end, designation))
    return found


def _plausible_in_text(match: re.Match, span: str) -> bool:
    """In prose, lower-case 'en 12' or 'SC 1' are words, not standards: require upper case there."""
    family = match.lastgroup or ""
    head = re.match(r"[A-Za-z]+", span)
    letters = head.group(0) if head else ""
    if family == "fam_cn":
        code = match.group("cn").upper()
        if code in _CN_AMBIGUOUS and not (match.group("cn_t") or match.group("cn_t2") or match.group("cn_y")):
            return False
    if letters.isupper():
        return True
    # Lower case only for the big three typed in a hurry, and only with more than a bare number
    # ("gb/t12238", "iso5208:2015"): "gb688" turned up inside a recorded std.samr page.
    return letters.upper() in ("GB", "GBT", "GBZ", "ISO", "IEC") and bool(re.search(r"[/:-]", span))


def _build(match: re.Match, shown: str) -> Designation:
    """Turn one grammar match into a Designation, by family."""
    family = match.lastgroup
    builder = _BUILDERS[family]
    return builder(match, shown)


_compose, _slug, _canon = compose, slug, canon


def _build_euro_iso(m: re.Match, shown: str) -> Designation:
    """ISO, IEC, ISO/IEC and joint bodies, EN and CEN, national adoptions (BS, DIN, NF)."""
    nat = _canon(m.group("nat"))
    eur = _canon(m.group("eur"))
    body = _canon(m.group("body"))
    kinds = [k for k in re.split(r"[ /]+", _canon_spaced(m.group("kinds"))) if k]
    kinds = ["Guide" if k == "GUIDE" else k for k in kinds]
    if body == "IWA":
        kinds = ["IWA"] + kinds
    iso_prefix = _iso_prefix(body, kinds)
    prefix = " ".join(p for p in (nat, eur, iso_prefix) if p)
    if not kinds and eur and eur != "EN":
        # CEN/TS, CEN/TR, CWA, ENV, HD, CR are European deliverable types of their own.
        kinds = [eur.split("/")[-1]]
    publisher = nat or _EUROPEAN.get(eur.split("/")[0], "") or _iso_publisher(body)
    number = m.group("no")
    parts = [p for p in re.split(r"\s*-\s*", _canon(m.group("parts"))) if p]
    year = m.group("y") or ""
    supplement_text = m.group("supp") or ""
    # People write "ISO 9001-2015"; no ISO or IEC part number falls in 1950-2039, so read it as the year.
    if not year and parts and re.fullmatch(r"(?:19[5-9]\d|20[0-3]\d)", parts[-1]) and (body or eur):
        year = parts.pop()
    part = "-".join(parts)
    iec_style = body.startswith(("IEC", "CISPR")) and not (nat or eur)
    supplement, supp_display, supp_work = _supplements(supplement_text, m.group("marker"), iec_style,
                                                       m.group("post") or "")
    # A draft's round ("ISO/DIS 10239.2", the second DIS ballot) belongs to the number or part.
    if m.group("round"):
        if part:
            part = f"{part}.{m.group('round')}"
        else:
            number = f"{number}.{m.group('round')}"
    head = f"{prefix} {number}" + (f"-{part}" if part else "")
    base = head + (f":{year}" if year else "")
    display = base + supp_display
    key_base = (prefix, number, part, year)
    if supplement:
        return _compose(publisher, prefix, " ".join(kinds), number, part, year, supplement, display,
                        key_base + (supplement,), key_base + (supp_work,))
    return _compose(publisher, prefix, " ".join(kinds), number, part, year, "", display, key_base, key_base[:-1])


def _canon_spaced(token: str | None) -> str:
    """' / cd ts' -> '/CD TS': upper case, spaces around slashes removed."""
    return re.sub(r"\s*/\s*", "/", (token or "").strip()).upper()


def _iso_prefix(body: str, kinds: list[str]) -> str:
    """'ISO', ['TS'] -> 'ISO/TS'; 'IEC', ['TS'] -> 'IEC TS'; 'ISO/IEC', ['Guide'] -> 'ISO/IEC Guide'."""
    if not body:
        return ""
    if body == "IWA":
        return " ".join(["IWA"] + kinds[1:])
    if not kinds:
        return body
    # ISO alone prints its deliverable types after a slash (ISO/TS, ISO/CD TR), except Guides;
    # IEC prints types after a space (IEC TS) but drafts after a slash (IEC/CD, IEC/FDIS), as in
    # its catalogue; joint bodies print both after a space (ISO/IEC TR, ISO/IEC DIS).
    if (body == "ISO" and kinds[0] != "Guide") or (body == "IEC" and kinds[0] in _ISO_STAGES):
        return f"{body}/" + " ".join(kinds)
    return body + " " + " ".join(kinds)


def _iso_publisher(body: str) -> str:
    """The facet for an ISO-family body: 'ISO/IEC/IEEE' -> 'ISO/IEC', 'CISPR' -> 'IEC'."""
    if body.startswith("ISO/IEC"):
        return "ISO/IEC"
    if body.startswith(("ISO", "IWA")):
        return "ISO"
    return "IEC"


def _supplements(text: str, marker: str | None, iec_style: bool, post: str = "") -> tuple[str, str, str]:
    """'/Amd.1:2020' -> ('Amd 1:2020', '/Amd 1:2020', 'Amd 1'): normalised, as printed, for the work.

    The chain drops its leading "/" (and IEC's "+" before a CSV marker); an EN consolidation keeps
    its "+" ('+A1:2016') so that it stays apart from the amendment itself ('A1:2016'). ``post`` is
    a corrigendum to a consolidated version: '+AMD1:2019 CSV/COR1:2019'.
    """
    pattern = rf"([/+]) ?({_SUPP_WORDS})\.? ?(\d{{0,3}})(?: ?: ?(\d{{4}}))?"
    items = re.findall(pattern, text, re.IGNORECASE)
    marker = (marker or "").upper()
    if not items and not marker:
        return "", "", ""
    chain, shown = _chain(items, iec_style, keep_plus=not marker)
    after, after_shown = _chain(re.findall(pattern, post, re.IGNORECASE), iec_style, keep_plus=True, first=False)
    tail = f" {marker}" if marker else ""
    everything = items + re.findall(pattern, post, re.IGNORECASE)
    last_year = everything[-1][3] if everything else ""
    normalised = (chain + tail + after).strip()
    # The work of a supplement is its base edition plus the supplement without its own year.
    cut = normalised.rfind(f":{last_year}") if last_year else -1
    undated = normalised if cut < 0 else normalised[:cut] + normalised[cut + 5:]
    return normalised, shown + tail + after_shown, undated


def _chain(items: list[tuple[str, str, str, str]], iec_style: bool, keep_plus: bool,
           first: bool = True) -> tuple[str, str]:
    """[('/', 'Amd', '1', '2020')] -> ('Amd 1:2020', '/Amd 1:2020'): normalised and printed chains."""
    normal: list[str] = []
    shown: list[str] = []
    for index, (sep, kind, num, year) in enumerate(items):
        stage, _, word = kind.upper().rpartition(" ") if " " in kind else ("", "", kind.upper())
        if not stage and word.startswith(("CD", "AWI", "WD", "NP", "PWI")) and word not in _SUPP_KINDS:
            stage, word = re.match(r"(CD|AWI|WD|NP|PWI)(.*)", word).groups()
        name = (f"{stage} " if stage else "") + _SUPP_KINDS.get(word, word)
        if name in ("A", "AC"):  # EN amendments print as "A1", "AC"
            label = f"{name}{num}"
        else:
            label = f"{name} {num}".strip()
        dated = f"{label}:{year}" if year else label
        # IEC prints "AMD1", "COR1", "ISH1"; ISO prints "Amd 1", "Cor 1".
        printed = f"{name.upper()}{num}" if iec_style and name in ("Amd", "Cor", "ISH") else label
        printed += f":{year}" if year else ""
        lead = sep if index or not first or (sep == "+" and keep_plus) else ""
        normal.append(lead + dated)
        shown.append(sep + printed)
    return "".join(normal), "".join(shown)


def _build_cn(m: re.Match, shown: str) -> Designation:
    """GB, GB/T, GB/Z, industry (JB/T ...), local (DB33/T): 'GB/T 14048.2-2020', 'GB 1234-89'."""
    code = m.group("cn").upper()
    kind = (m.group("cn_t") or m.group("cn_t2") or "").upper()
    if kind:
        prefix = f"{code}/{kind}"
    elif code.startswith("DB") and len(code) > 2:
        # A mandatory local standard prints "DB33/ 1234-2020" (GB/T 1.1; the slash is the type's place).
        prefix = f"{code}/"
    else:
        prefix = code
    number, part = m.group("cn_no"), m.group("cn_part") or ""
    raw_year = m.group("cn_y") or ""
    if len(raw_year) == 2:
        if int(raw_year) < 50:
            raise DesignationError(f"'{shown}' is not a standard designation: two-digit year '{raw_year}' is ambiguous.")
        # Chinese standards moved to four-digit years in the 1990s; a two-digit year is 19xx.
        raw_year = "19" + raw_year
    year = raw_year
    display = f"{prefix} {number}" + (f".{part}" if part else "") + (f"-{year}" if year else "")
    numbered = number + (f".{part}" if part else "")
    return _compose(code, prefix, kind, number, part, year, "", display,
                    (prefix, numbered, year), (prefix, numbered))


def _build_group(m: re.Match, shown: str) -> Designation:
    """Group (T/ZZB 0664-2018) and enterprise (Q/ZJSB 001-2020) standards."""
    prefix = f"{m.group('grp').upper()}/{m.group('grp_code').upper()}"
    number, part, year = m.group("grp_no"), m.group("grp_part") or "", m.group("grp_y") or ""
    numbered = number + (f".{part}" if part else "")
    display = f"{prefix} {numbered}" + (f"-{year}" if year else "")
    return _compose(prefix, prefix, "", number, part, year, "", display, (prefix, numbered, year), (prefix, numbered))


_BUILDERS = {
    "fam_euro_iso": _build_euro_iso, "fam_cn": _build_cn, "fam_group": _build_group,
    **{f"fam_{name}": build for name, (_, build) in {**FAMILIES, **LATE_FAMILIES}.items()},
}


def is_chinese_publisher(publisher: str) -> bool:
    """Whether a record's publisher code is a Chinese one: national (GB), industry (JB, QB ...),
    local (DB33) or group and enterprise (T/ZZB, Q/...): 'GB' -> True, 'ISO' -> False."""
    code = (publisher or "").upper()
    return (code == "GB" or code in _CN_INDUSTRY or bool(re.fullmatch(r"DB\d{2}(?:\d{2})?", code))
            or code.startswith(("T/", "Q/")))
