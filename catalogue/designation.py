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

# Hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar, minus, small and
# full-width hyphen-minus: Chinese pages print "GB/T 13927—2008", Word turns "-" into "–".
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")
# NFKC leaves these Chinese punctuation marks alone; they separate designations in lists.
_PUNCT = {ord("\u3001"): ",", ord("\u3002"): "."}

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
    "AQ BB CB CH CJ CY DA DL DZ EJ FZ GA GH GM GY HB HG HJ HS HY JB JC JG JJF JJG JR JT JY LB LD LS LY "
    "MH MT MZ NB NY QB QC QJ QX RB SB SC SF SH SJ SL SN SW SY TB TD TY WB WH WJ WM WS WW XB YB YC YD YS YY YZ"
).split()
#: Industry codes that are also common English abbreviations (Chapter, Subcommittee ...): in free
#: text they count only with "/T" or a year.
_CN_AMBIGUOUS = {"CH", "SC", "DA", "WS", "SB", "HB", "TB", "MT", "LD", "CB", "WB", "SF", "TD", "RB"}
_API_TYPES = {"SPEC": "Spec", "STD": "Std", "RP": "RP", "BULL": "Bull", "TR": "TR", "PUBL": "Publ", "MPMS": "MPMS"}
_SUPP_KINDS = {"AMD": "Amd", "AM": "Amd", "COR": "Cor", "ADD": "Add", "ISH": "ISH", "AC": "AC", "A": "A"}

_S = r"[ ]?"  # at most one space: text is collapsed before matching
_Y4 = r"(?:19|20)\d{2}"
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
  {_S}(?P<no>\d+[A-Z]?)(?P<parts>(?:{_S}-{_S}[A-Z]?\d+[A-Z]{{0,2}})*)(?:\.(?P<round>\d{{1,2}})(?!\d))?
  (?:{_S}:{_S}(?P<y>{_Y4})(?:-(?:0[1-9]|1[0-2]))?)?
  (?P<supp>{_SUPP}*)
  (?:{_S}(?P<marker>{'|'.join(_MARKERS)})(?P<post>{_SUPP}*))?
"""
_API = rf"""API{_S}(?:(?P<api_t>SPEC|STD|RP|BULL|TR|PUBL|MPMS)\.?{_S})?(?:(?:CHAPTER|CH\.?){_S})?
  (?P<api_no>\d+[A-Z]{{0,3}}\d?(?:\.\d+)*)
  (?:{_S}(?:PART|PT\.?){_S}(?P<api_part>\d+|[IVX]+))?
  (?:(?:{_S}[-:]{_S}|\ )(?P<api_y>{_Y4}))?"""
# "ANSI/ASME B16.34" and "ASME/ANSI B16.5" are ASME's documents co-branded as American National Standards.
_ASME = rf"""(?:ANSI{_S}/{_S})?ASME(?:{_S}/{_S}ANSI)?{_S}(?P<asme_no>NQA-1|PTC{_S}\d+(?:\.\d+)*
  |BPVC(?:{_S}(?:SECTION|SEC\.?)|\.|{_S}-)?{_S}(?P<bpvc_sec>[IVX]+)(?:(?:{_S}(?:DIVISION|DIV\.?)|\.|{_S}-){_S}(?P<bpvc_div>\d))?
  |[A-Z]{{1,3}}\d+(?:\.\d+)*M?)
  (?:{_S}[-:]{_S}(?P<asme_y>{_Y4}))?"""
_ASTM = rf"""ASTM{_S}(?P<astm_no>[A-G]\d+(?:{_S}/{_S}[A-G]\d+M)?)
  (?:{_S}-{_S}(?P<astm_y>{_Y4}|\d{{2}})(?P<astm_rev>[a-d])?(?:\((?P<astm_r>{_Y4})\))?(?:[eε](?P<astm_e>\d))?)?"""
_MSS = rf"MSS{_S}-?{_S}SP{_S}-?{_S}(?P<mss_no>\d+)(?:{_S}[-:]{_S}(?P<mss_y>{_Y4}))?"
_UL = rf"UL{_S}(?P<ul_no>\d+[A-Z]?)(?P<ul_parts>(?:-\d{{1,2}})*)(?:{_S}[-:]{_S}(?P<ul_y>{_Y4}))?"
_IEEE = rf"IEEE{_S}(?:STD\.?{_S})?(?P<ieee_no>[A-Z]?\d+(?:\.\d+)*[A-Z]{{0,3}})(?:{_S}[-:]{_S}(?P<ieee_y>{_Y4}))?"
_JIS = rf"JIS{_S}(?P<jis_l>[A-Z]){_S}(?P<jis_no>\d{{4}})(?P<jis_parts>(?:-\d+)*)(?:{_S}:{_S}(?P<jis_y>{_Y4}))?"
_CN = rf"""(?P<cn>GB|{'|'.join(sorted(_CN_INDUSTRY, key=len, reverse=True))}|DB\d{{2}}(?:\d{{2}})?)
  (?:{_S}/{_S}(?P<cn_t>[TZ])?|{_S}(?P<cn_t2>[TZ])(?=[ \d]))?
  {_S}(?P<cn_no>\d+)(?:\.(?P<cn_part>\d+))?
  (?:{_S}-{_S}(?P<cn_y>{_Y4}|\d{{2}}))?"""
_GROUP = rf"(?P<grp>[TQ]){_S}/{_S}(?P<grp_code>[A-Z]{{2,12}}){_S}(?P<grp_no>\d+)(?:\.(?P<grp_part>\d+))?(?:{_S}-{_S}(?P<grp_y>{_Y4}))?"

_ALTERNATIVES = {"api": _API, "asme": _ASME, "astm": _ASTM, "mss": _MSS, "ul": _UL, "ieee": _IEEE,
                 "jis": _JIS, "group": _GROUP, "cn": _CN, "euro_iso": _EURO_ISO}
# Every family starts with a letter: the lookahead lets the engine skip other positions at once
# (50 times faster over long Chinese prose, where most positions start nothing).
_GRAMMAR = re.compile(
    r"(?<![A-Za-z0-9/])(?=[A-Za-z])(?:" + "|".join(f"(?P<fam_{name}>{rx})" for name, rx in _ALTERNATIVES.items()) + ")" + _END,
    re.IGNORECASE | re.VERBOSE,
)
# A publisher word at the start of the text, to tell "no known prefix" from "bad number".
_PREFIX_WORD = re.compile(
    rf"(?:{'|'.join(_ISO_BODIES + _NATIONAL + tuple(_EUROPEAN) + tuple(_CN_INDUSTRY))}|IWA|API|ANSI|ASME|ASTM|MSS|UL|IEEE|JIS|GB|DB\d\d|[TQ]{_S}/)",
    re.IGNORECASE,
)


# A national standard project still in the plan (计划号, std.samr.gov.cn): year, serial, type,
# committee: "20170450-T-469". Read only as a whole input, never found inside free text.
_PLAN = re.compile(r"((?:19|20)\d{2})(\d{4})-([TQZ])-(\d{3})", re.IGNORECASE)


def _build_plan(m: re.Match) -> "Designation":
    number = f"{m.group(1)}{m.group(2)}-{m.group(3).upper()}-{m.group(4)}"
    key = f"plan-{number.lower()}"
    return Designation("GB", "", "plan", number, "", "", "", number, key, key)


class DesignationError(ValueError):
    """Text that is not a standard designation; ``str()`` is one sentence saying why."""


@dataclass(frozen=True)
class Designation:
    """A parsed designation. ``key`` is the same for every spelling of one edition."""

    publisher: str
    prefix: str
    type: str  # noqa: A003 - the public field name is part of the contract
    number: str
    part: str
    year: str
    supplement: str
    display: str
    key: str
    work: str

    @property
    def dated(self) -> bool:
        """Whether the designation names an edition (a year) rather than the work."""
        return bool(self.year)


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
            folded = unicodedata.normalize("NFKC", char).translate(_DASHES).translate(_PUNCT)
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


def _compose(publisher: str, prefix: str, kind: str, number: str, part: str, year: str, supplement: str,
             display: str, key_parts: tuple, work_parts: tuple) -> Designation:
    """Assemble a Designation; key and work are slugs of the given parts."""
    return Designation(publisher, prefix, kind, number, part, year, supplement, display,
                       _slug(*key_parts), _slug(*work_parts))


def _slug(*pieces: str) -> str:
    """'ISO/TS', '15066', '2016' -> 'iso-ts-15066-2016' (lower-case ASCII, dots kept)."""
    text = "-".join(p for p in pieces if p)
    text = re.sub(r"^\+|(?<=[-/])\+", "plus-", text.lower())
    return re.sub(r"[^a-z0-9.]+", "-", text).strip("-.")


def _canon(token: str | None) -> str:
    """'iso / iec' -> 'ISO/IEC': upper case, no spaces."""
    return re.sub(r"\s+", "", token or "").upper()


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


def _build_api(m: re.Match, shown: str) -> Designation:
    """API Spec 6D, API Std 598, API RP 520 Part 1, API MPMS Chapter 11.1: the key omits Spec/Std/RP."""
    word = _API_TYPES.get((m.group("api_t") or "").upper(), "")
    number = m.group("api_no").upper()
    part = _arabic(m.group("api_part") or "")
    year = m.group("api_y") or ""
    prefix = f"API {word}".strip()
    shown_no = f"Chapter {number}" if word == "MPMS" else number
    display = f"{prefix} {shown_no}" + (f" Part {part}" if part else "") + (f"-{year}" if year else "")
    key_prefix = "API MPMS" if word == "MPMS" else "API"
    return _compose("API", prefix, word, number, part, year, "", display,
                    (key_prefix, number, part, year), (key_prefix, number, part))


def _arabic(roman: str) -> str:
    """'VIII' -> '8'; digits pass through."""
    if not roman or roman.isdigit():
        return roman
    values = {"I": 1, "V": 5, "X": 10}
    total = 0
    for char, following in zip(roman.upper(), roman.upper()[1:] + " "):
        value = values[char]
        total += -value if values.get(following, 0) > value else value
    return str(total)


def _build_asme(m: re.Match, shown: str) -> Designation:
    """ASME B16.34-2017; the Boiler Code as ASME prints it since 2013: 'ASME BPVC.VIII.1-2021'."""
    number = _canon(m.group("asme_no"))
    if m.group("bpvc_sec"):
        number = "BPVC." + m.group("bpvc_sec").upper() + (f".{m.group('bpvc_div')}" if m.group("bpvc_div") else "")
    year = m.group("asme_y") or ""
    display = f"ASME {number}" if not number.startswith("PTC") else f"ASME PTC {number[3:]}"
    display += f"-{year}" if year else ""
    return _compose("ASME", "ASME", "", number, "", year, "", display, ("ASME", number, year), ("ASME", number))


def _build_astm(m: re.Match, shown: str) -> Designation:
    """ASTM A216/A216M-18, D1785-15e1, E29-13(2019): two-digit years expand (-18 -> 2018, -98 -> 1998)."""
    number = _canon(m.group("astm_no"))
    raw_year = m.group("astm_y") or ""
    year = _expand_year(raw_year, pivot=50) if raw_year else ""
    rev = (m.group("astm_rev") or "").lower()
    supplement = rev + (f"({m.group('astm_r')})" if m.group("astm_r") else "") + (f"e{m.group('astm_e')}" if m.group("astm_e") else "")
    display = f"ASTM {number}" + (f"-{year[2:]}{supplement}" if year else "")
    # The revision letter and editorial mark qualify the edition; the work is the designation alone.
    return _compose("ASTM", "ASTM", "", number, "", year, supplement, display,
                    ("ASTM", number, year, supplement), ("ASTM", number))


def _expand_year(two_or_four: str, pivot: int) -> str:
    """'18' -> '2018', '98' -> '1998' (below the pivot is 20xx); four digits pass through."""
    if len(two_or_four) == 4:
        return two_or_four
    value = int(two_or_four)
    return f"{2000 + value if value < pivot else 1900 + value}"


def _build_simple(publisher: str, number: str, year: str, part: str = "") -> Designation:
    """Publishers printing 'PREFIX NUMBER[-PART][-YEAR]' and nothing else (UL, IEEE)."""
    display = f"{publisher} {number}" + (f"-{part}" if part else "") + (f"-{year}" if year else "")
    return _compose(publisher, publisher, "", number, part, year, "", display,
                    (publisher, number, part, year), (publisher, number, part))


def _build_mss(m: re.Match, shown: str) -> Designation:
    """MSS SP-25-2018 (MSS prints a dash between SP and the number)."""
    number, year = m.group("mss_no"), m.group("mss_y") or ""
    display = f"MSS SP-{number}" + (f"-{year}" if year else "")
    return _compose("MSS", "MSS SP", "", number, "", year, "", display, ("MSS SP", number, year), ("MSS SP", number))


def _build_ul(m: re.Match, shown: str) -> Designation:
    """UL 489, UL 60947-4-1-2016."""
    parts = (m.group("ul_parts") or "").strip("-")
    return _build_simple("UL", m.group("ul_no").upper(), m.group("ul_y") or "", parts)


def _build_ieee(m: re.Match, shown: str) -> Designation:
    """IEEE 802.3-2022 (the 'Std' word is dropped, as in IEEE's own citations)."""
    number = m.group("ieee_no")
    number = re.sub(r"^[a-z]", lambda c: c.group(0).upper(), number)
    return _build_simple("IEEE", number, m.group("ieee_y") or "")


def _build_jis(m: re.Match, shown: str) -> Designation:
    """JIS B 2071:2000: division letter, four digits, colon year."""
    number = m.group("jis_l").upper() + m.group("jis_no")
    part = (m.group("jis_parts") or "").strip("-")
    year = m.group("jis_y") or ""
    display = f"JIS {number[0]} {number[1:]}" + (f"-{part}" if part else "") + (f":{year}" if year else "")
    return _compose("JIS", "JIS", "", number, part, year, "", display, ("JIS", number, part, year), ("JIS", number, part))


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
    "fam_euro_iso": _build_euro_iso, "fam_api": _build_api, "fam_asme": _build_asme, "fam_astm": _build_astm,
    "fam_mss": _build_mss, "fam_ul": _build_ul, "fam_ieee": _build_ieee, "fam_jis": _build_jis,
    "fam_cn": _build_cn, "fam_group": _build_group,
}


def is_chinese_publisher(publisher: str) -> bool:
    """Whether a record's publisher code is a Chinese one: national (GB), industry (JB, QB ...),
    local (DB33) or group and enterprise (T/ZZB, Q/...): 'GB' -> True, 'ISO' -> False."""
    code = (publisher or "").upper()
    return (code == "GB" or code in _CN_INDUSTRY or bool(re.fullmatch(r"DB\d{2}(?:\d{2})?", code))
            or code.startswith(("T/", "Q/")))
