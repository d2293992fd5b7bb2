"""The numbering of single publishers, for the designation grammar (catalogue.designation).

Each family is a regular expression (verbose, matched case-insensitively on text folded by
``normalise_text``) and a builder from its match to a Designation: API, ASME, ASTM, MSS, UL,
IEEE (with AIEE, IRE, ASA, ANSI, NACE and IEEE's own spelling of ISO/IEC joint standards), JIS,
OIML and CIE. The primitives every family shares (the Designation itself, key slugs) live here
too, so that catalogue.designation can assemble the grammar from this module.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_S = r"[ ]?"  # at most one space: text is collapsed before matching
_Y4 = r"(?:19|20)\d{2}"


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


def compose(publisher: str, prefix: str, kind: str, number: str, part: str, year: str, supplement: str,
            display: str, key_parts: tuple, work_parts: tuple) -> Designation:
    """Assemble a Designation; key and work are slugs of the given parts."""
    return Designation(publisher, prefix, kind, number, part, year, supplement, display,
                       slug(*key_parts), slug(*work_parts))


def slug(*pieces: str) -> str:
    """'ISO/TS', '15066', '2016' -> 'iso-ts-15066-2016' (lower-case ASCII, dots kept)."""
    text = "-".join(p for p in pieces if p)
    text = re.sub(r"^\+|(?<=[-/])\+", "plus-", text.lower())
    return re.sub(r"[^a-z0-9.]+", "-", text).strip("-.")


def canon(token: str | None) -> str:
    """'iso / iec' -> 'ISO/IEC': upper case, no spaces."""
    return re.sub(r"\s+", "", token or "").upper()


# ---------------------------------------------------------------------------------------------- API
_API_TYPES = {"SPEC": "Spec", "SPECIFICATION": "Spec", "STD": "Std", "STANDARD": "Std", "RP": "RP",
              "RECOMMENDED PRACTICE": "RP", "BULL": "Bull", "BULLETIN": "Bull", "TR": "TR",
              "TECHNICAL REPORT": "TR", "PUBL": "Publ", "PUBLICATION": "Publ", "MPMS": "MPMS"}
API = rf"""API{_S}(?:(?P<api_t>SPECIFICATION|SPEC|STANDARD|STD|RECOMMENDED[ ]PRACTICE|RP|BULLETIN|BULL
    |TECHNICAL[ ]REPORT|TR|PUBLICATION|PUBL|MPMS)\.?{_S})?(?:(?:CHAPTER|CH\.?){_S})?
  (?P<api_no>\d+[A-Z]{{0,3}}\d?(?:\.\d+)*)
  (?:{_S}(?:PART|PT\.?){_S}(?P<api_part>\d+|[IVX]+))?
  (?:(?:{_S}[-:]{_S}|\ )(?P<api_y>{_Y4}))?"""


def build_api(m: re.Match, shown: str) -> Designation:
    """API Spec 6D, API Std 598, API RP 520 Part 1, API MPMS Chapter 11.1: the key omits Spec/Std/RP.
    'API Standard 598' and 'API Recommended Practice 580' print as API does: 'API Std 598', 'API RP 580'."""
    word = _API_TYPES.get(re.sub(r"\s+", " ", (m.group("api_t") or "").upper()), "")
    number = m.group("api_no").upper()
    part = arabic(m.group("api_part") or "")
    year = m.group("api_y") or ""
    prefix = f"API {word}".strip()
    shown_no = f"Chapter {number}" if word == "MPMS" else number
    display = f"{prefix} {shown_no}" + (f" Part {part}" if part else "") + (f"-{year}" if year else "")
    key_prefix = "API MPMS" if word == "MPMS" else "API"
    return compose("API", prefix, word, number, part, year, "", display,
                   (key_prefix, number, part, year), (key_prefix, number, part))


def arabic(roman: str) -> str:
    """'VIII' -> '8'; digits pass through."""
    if not roman or roman.isdigit():
        return roman
    values = {"I": 1, "V": 5, "X": 10}
    total = 0
    for char, following in zip(roman.upper(), roman.upper()[1:] + " "):
        value = values[char]
        total += -value if values.get(following, 0) > value else value
    return str(total)


# --------------------------------------------------------------------------------------------- ASME
# "ANSI/ASME B16.34" and "ASME/ANSI B16.5" are ASME's documents co-branded as American National Standards.
ASME = rf"""(?:ANSI{_S}/{_S})?ASME(?:{_S}/{_S}ANSI)?{_S}(?P<asme_no>NQA-1|PTC{_S}\d+(?:\.\d+)*
  |BPVC(?:{_S}(?:SECTION|SEC\.?)|\.|{_S}-)?{_S}(?P<bpvc_sec>[IVX]+)(?:(?:{_S}(?:DIVISION|DIV\.?)|\.|{_S}-){_S}(?P<bpvc_div>\d))?
  |[A-Z]{{1,3}}\d+(?:\.\d+)*M?)
  (?:{_S}[-:]{_S}(?P<asme_y>{_Y4}))?"""


def build_asme(m: re.Match, shown: str) -> Designation:
    """ASME B16.34-2017; the Boiler Code as ASME prints it since 2013: 'ASME BPVC.VIII.1-2021'."""
    number = canon(m.group("asme_no"))
    if m.group("bpvc_sec"):
        number = "BPVC." + m.group("bpvc_sec").upper() + (f".{m.group('bpvc_div')}" if m.group("bpvc_div") else "")
    year = m.group("asme_y") or ""
    display = f"ASME {number}" if not number.startswith("PTC") else f"ASME PTC {number[3:]}"
    display += f"-{year}" if year else ""
    return compose("ASME", "ASME", "", number, "", year, "", display, ("ASME", number, year), ("ASME", number))


# --------------------------------------------------------------------------------------------- ASTM
ASTM = rf"""ASTM{_S}(?P<astm_no>[A-G]\d+(?:{_S}/{_S}[A-G]\d+M)?)
  (?:{_S}-{_S}(?P<astm_y>{_Y4}|\d{{2}})(?P<astm_rev>[a-d])?(?:\((?P<astm_r>{_Y4})\))?(?:[eε](?P<astm_e>\d))?)?"""


def build_astm(m: re.Match, shown: str) -> Designation:
    """ASTM A216/A216M-18, D1785-15e1, E29-13(2019): two-digit years expand (-18 -> 2018, -98 -> 1998)."""
    number = canon(m.group("astm_no"))
    raw_year = m.group("astm_y") or ""
    year = expand_year(raw_year, pivot=50) if raw_year else ""
    rev = (m.group("astm_rev") or "").lower()
    suffix = rev + (f"({m.group('astm_r')})" if m.group("astm_r") else "") + (f"e{m.group('astm_e')}" if m.group("astm_e") else "")
    display = f"ASTM {number}" + (f"-{year[2:]}{suffix}" if year else "")
    # The revision letter (-17a: the year's second revision), the reapproval year (-00(2021)) and
    # the editorial mark (-15e1) name an edition of its own, not a supplement to another one:
    # they stay in the display and the key, and the edition's supplement is empty, so that
    # ASTM D5356-17a can be the edition in force of ASTM D5356.
    return compose("ASTM", "ASTM", "", number, "", year, "", display,
                   ("ASTM", number, year, suffix), ("ASTM", number))


def expand_year(two_or_four: str, pivot: int) -> str:
    """'18' -> '2018', '98' -> '1998' (below the pivot is 20xx); four digits pass through."""
    if len(two_or_four) == 4:
        return two_or_four
    value = int(two_or_four)
    return f"{2000 + value if value < pivot else 1900 + value}"


# ---------------------------------------------------------------------------------------- MSS, UL
MSS = rf"MSS{_S}-?{_S}SP{_S}-?{_S}(?P<mss_no>\d+)(?:{_S}[-:]{_S}(?P<mss_y>{_Y4}))?"
UL = rf"UL{_S}(?P<ul_no>\d+[A-Z]?)(?P<ul_parts>(?:-\d{{1,2}})*)(?:{_S}[-:]{_S}(?P<ul_y>{_Y4}))?"


def build_simple(publisher: str, number: str, year: str, part: str = "") -> Designation:
    """Publishers printing 'PREFIX NUMBER[-PART][-YEAR]' and nothing else (UL)."""
    display = f"{publisher} {number}" + (f"-{part}" if part else "") + (f"-{year}" if year else "")
    return compose(publisher, publisher, "", number, part, year, "", display,
                   (publisher, number, part, year), (publisher, number, part))


def build_mss(m: re.Match, shown: str) -> Designation:
    """MSS SP-25-2018 (MSS prints a dash between SP and the number)."""
    number, year = m.group("mss_no"), m.group("mss_y") or ""
    display = f"MSS SP-{number}" + (f"-{year}" if year else "")
    return compose("MSS", "MSS SP", "", number, "", year, "", display, ("MSS SP", number, year), ("MSS SP", number))


def build_ul(m: re.Match, shown: str) -> Designation:
    """UL 489, UL 60947-4-1-2016, UL 489:2016."""
    parts = (m.group("ul_parts") or "").strip("-")
    return build_simple("UL", m.group("ul_no").upper(), m.group("ul_y") or "", parts)


# --------------------------------------------------------------------------------------------- IEEE
# Bodies as the IEEE catalogue prints them. ANSI/IEEE, IEEE/ANSI: IEEE's own standard approved as an
# American National Standard (the same document: one key with IEEE's, as ANSI/ASME is ASME's).
_IEEE_BODY = rf"""(?P<ieee_body>(?:ANSI{_S}/{_S})?(?:IEEE|AIEE|IRE|ASA)(?:{_S}/{_S}(?:ANSI|EAB|CSA|NACE|EIA|ASTM|IEC|ISO{_S}/{_S}IEC))?
  |ANSI(?:{_S}/{_S}USEMCSC)?|NACE)"""
#: A number as IEEE prints it: 802.3, 1003.1b, C37.20.2, 802.1Qat, N42.38, 11.REVmb, 1609.3v3, 12.S1,
#: SI 10 (IEEE/ASTM); a project may carry its base's part or year before the draft ('P60079.30-1/D-11',
#: 'P11073.10207-2024/D-1').
_IEEE_NO = r"(?:P(?=[A-Z]{0,3}[ ]?\d))?(?:[A-Z]{1,3}[ ]?(?=\d))?\d[0-9A-Za-z]*(?:[._](?:[0-9A-Za-z]+))*(?:-\d+(?=/))?"
_IEEE_TAIL = rf"""(?P<ieee_co>(?:{_S}/{_S}(?:ASHRAE[ ]|IEC[ ]|IEEE[ ]P?)?C?\d[\d.]*)*)
  (?:{_S}/{_S}(?P<ieee_s>COR|AMD){_S}(?P<ieee_sn>\d+))?
  (?:[/_](?P<ieee_dk>[DE])-?(?P<ieee_d>[0-9A-Za-z](?:[0-9A-Za-z.]*[0-9A-Za-z])?))?
  (?:/R-?(?P<ieee_r>[0-9A-Za-z]+))?
  (?:{_S}/{_S}(?P<ieee_s2>COR){_S}(?P<ieee_sn2>\d+))?
  (?:{_S}[-:]{_S}(?P<ieee_y>{_Y4})(?:-(?P<ieee_m>0[1-9]|1[0-2]|[A-Z]{{3,9}}))?)?"""
IEEE = rf"""{_IEEE_BODY}
  (?:{_S}(?P<ieee_stage>FDIS|DIS|CD\d?)(?=[ ]P))?
  (?:{_S}(?P<ieee_appr>UNAPPROVED|APPROVED|ACTIVE)(?=[ ]))?(?:{_S}(?:STD\.?|STANDARD)(?=[ .\d]))?(?:{_S}NO\.?)?
  {_S}(?P<ieee_no>{_IEEE_NO})
  {_IEEE_TAIL}"""
#: IEEE's spelling of joint ISO/IEC standards: 'ISO/IEC/IEEE 12207.2-2020' (ISO prints 12207-2:2020),
#: projects 'ISO/IEC/IEEE P16326/D-5-2017-12', stages 'IEC/IEEE FDIS P60079.30-1-2015'. Tried after
#: the ISO family, so only what ISO's own grammar cannot read lands here.
IEEE_JOINT = rf"""(?P<ij_body>(?:ISO|IEC)(?:{_S}/{_S}(?:ISO|IEC|IEEE))*)
  (?:{_S}(?P<ij_stage>FDIS|DIS|CDV|CD\d?|TS))?
  {_S}(?P<ij_p>P)?(?P<ij_no>\d+)(?P<ij_parts>(?:[.-](?:\d+[A-Z]{{0,2}}|[A-Z]{{1,2}}))*?)
  (?:{_S}/{_S}(?P<ij_s>AMD|COR){_S}(?P<ij_sn>\d+))?
  (?:/(?P<ij_dk>[DE])-?(?P<ij_d>[0-9A-Za-z](?:[0-9A-Za-z.]*[0-9A-Za-z])?))?
  (?:{_S}[-:]{_S}(?P<ij_y>{_Y4})(?:-(?P<ij_m>0[1-9]|1[0-2]))?)?"""


def _ieee_body(text: str) -> tuple[str, str]:
    """(publisher, prefix): 'ANSI/IEEE' -> ('IEEE', 'IEEE'); 'IEEE/NACE' -> ('IEEE', 'IEEE/NACE');
    'ANSI/USEMCSC' -> ('ANSI', 'ANSI/USEMCSC'); 'AIEE' -> ('AIEE', 'AIEE')."""
    body = canon(text)
    if body in ("ANSI/IEEE", "IEEE/ANSI"):
        return "IEEE", "IEEE"
    return body.split("/")[0], body


def build_ieee(m: re.Match, shown: str) -> Designation:
    """IEEE 802.3-2022 (the 'Std' word is dropped, as in IEEE's own citations); projects and their
    drafts 'IEEE P1010/D20-2021-11'; corrigenda 'IEEE 1003.1/Cor 1-2002'; AIEE, IRE, ASA, ANSI."""
    publisher, prefix = _ieee_body(m.group("ieee_body"))
    number = m.group("ieee_no")
    number = re.sub(r"^(P?)([a-z]{1,2})(?=\d)", lambda c: c.group(1) + c.group(2).upper(), number)
    number = re.sub(r"^p(?=[A-Z]?\d)", "P", number)
    co = re.sub(r"\s*/\s*", "/", m.group("ieee_co") or "")
    supp = _supp(m.group("ieee_s") or m.group("ieee_s2"), m.group("ieee_sn") or m.group("ieee_sn2"))
    draft = (m.group("ieee_dk") or "").upper() + (m.group("ieee_d") or "")
    if m.group("ieee_r"):
        draft += f"/R-{m.group('ieee_r')}"
    year, month = m.group("ieee_y") or "", m.group("ieee_m") or ""
    if m.group("ieee_stage"):
        prefix = f"{prefix} {m.group('ieee_stage').upper()}"
    head = f"{prefix} {number}{co}"
    display = head + (f"/{supp}" if supp else "") + (f"/{draft}" if draft else "") + \
        (f"-{year}" if year else "") + (f"-{month}" if month else "")
    kind = "draft" if draft else ("project" if number.startswith("P") else "")
    key = (prefix, number + co, supp, draft, year, month)
    # A draft belongs to its project (P1010); an edition's work is its number, a corrigendum's its base.
    work = (prefix, number + co, supp) if supp or draft or kind else (prefix, number + co)
    return compose(publisher, prefix, kind, number, "", year, supp, display, key, work)


def _supp(kind: str | None, number: str | None) -> str:
    if not kind:
        return ""
    return ("Cor" if kind.upper() == "COR" else "Amd") + f" {number}"


def build_ieee_joint(m: re.Match, shown: str) -> Designation:
    """ISO/IEC/IEEE 12207.2-2020 -> 'ISO/IEC/IEEE 12207-2:2020' (ISO's spelling, ISO's key)."""
    body = canon(m.group("ij_body"))
    stage = (m.group("ij_stage") or "").upper()
    parts = [p for p in re.split(r"[.-]", m.group("ij_parts") or "") if p]
    number = ("P" if m.group("ij_p") else "") + m.group("ij_no")
    year, month = m.group("ij_y") or "", m.group("ij_m") or ""
    supp = _supp(m.group("ij_s"), m.group("ij_sn"))
    draft = (m.group("ij_dk") or "").upper() + (m.group("ij_d") or "")
    prefix = body + (f" {stage}" if stage else "")
    part = "-".join(parts)
    head = f"{prefix} {number}" + (f"-{part}" if part else "")
    publisher = "ISO/IEC" if body.startswith("ISO/IEC") else ("ISO" if body.startswith("ISO") else "IEC")
    if supp:
        # 'ISO/IEC/IEEE 802.11/Amd5-2012': the year is the amendment's; the base edition is not named.
        supp_dated = supp + (f":{year}" if year else "")
        display = f"{head}/{supp_dated}" + (f"/{draft}" if draft else "") + (f"-{month}" if month else "")
        return compose(publisher, prefix, stage, number, part, "", supp_dated, display,
                       (prefix, number, part, supp_dated, draft, month), (prefix, number, part, supp))
    if draft or number.startswith("P"):
        # A project's draft is dated as IEEE dates it: 'ISO/IEC/IEEE P16326/D5-2017-12'.
        display = head + (f"/{draft}" if draft else "") + (f"-{year}" if year else "") + (f"-{month}" if month else "")
    else:
        display = head + (f":{year}" if year else "")
    key = (prefix, number, part, draft, year, month)
    work = (prefix, number, part)
    return compose(publisher, prefix, stage, number, part, year, "", display, key, work)


# ---------------------------------------------------------------------------------------------- JIS
JIS = rf"JIS{_S}(?P<jis_l>[A-Z]){_S}(?P<jis_no>\d{{4}})(?P<jis_parts>(?:-\d+)*)(?:{_S}[:-]{_S}(?P<jis_y>{_Y4}))?"


def build_jis(m: re.Match, shown: str) -> Designation:
    """JIS B 2071:2000: division letter, four digits, colon year ('JIS B2003' reads the same)."""
    number = m.group("jis_l").upper() + m.group("jis_no")
    part = (m.group("jis_parts") or "").strip("-")
    year = m.group("jis_y") or ""
    display = f"JIS {number[0]} {number[1:]}" + (f"-{part}" if part else "") + (f":{year}" if year else "")
    return compose("JIS", "JIS", "", number, part, year, "", display, ("JIS", number, part, year), ("JIS", number, part))


# --------------------------------------------------------------------------------------------- OIML
# Recommendations R, documents D, basic publications B, guides G, vocabularies V, expert reports E,
# seminar reports S. Parts after dashes (R 117-1, G 1-100, R 137-1-2, R 46-1/-2), a few named
# issues (R 60-sup, G 17-special, R 99-ISO3930, G 1-GUM 1), then ':year', then an amendment
# ('+Amendment:2012'), annexes ('Annex C', 'Annexes') or errata, as oiml.org lists them.
OIML = rf"""OIML{_S}(?P<oiml_t>[RDBGVES]){_S}(?P<oiml_no>\d+)(?P<oiml_parts>(?:-\d+)*(?:/-\d+)?)
  (?P<oiml_sfx>-(?:SUP|SPECIAL|ERRATUM|A|GUM{_S}\d+|ISO{_S}\d+))?
  (?:{_S}:{_S}(?P<oiml_y>{_Y4}))?
  (?:{_S}\+{_S}(?P<oiml_amd>AMENDMENT)(?:{_S}:{_S}(?P<oiml_amd_y>{_Y4}))?)?
  (?:[ ]?(?<=[\d \w])(?P<oiml_add>ANNEX(?:ES)?(?:[ ]?[A-Z](?:-[A-Z])?)?|ERRATA|BROCHURE))?"""


def build_oiml(m: re.Match, shown: str) -> Designation:
    """OIML R 117-1:2019, OIML D 31:2019, OIML G 1-100:2008, OIML B 10:2011+Amendment:2012."""
    kind = m.group("oiml_t").upper()
    number = m.group("oiml_no")
    part = (m.group("oiml_parts") or "").lstrip("-")
    sfx = m.group("oiml_sfx") or ""
    if sfx:
        word = sfx[1:].replace(" ", "").upper()
        if word in ("SUP", "SPECIAL", "ERRATUM"):
            word = word.lower()
        elif word.startswith("GUM"):
            word = f"GUM {word[3:]}"
        part = f"{part}-{word}" if part else word
    year = m.group("oiml_y") or ""
    supplement = ""
    shown_supp = ""
    if m.group("oiml_amd"):
        amd_year = m.group("oiml_amd_y") or ""
        supplement = "Amd" + (f":{amd_year}" if amd_year else "")
        shown_supp = "+Amendment" + (f":{amd_year}" if amd_year else "")
    if m.group("oiml_add"):
        add = re.sub(r"^(ANNEX(?:ES)?)[ ]?(?=[A-Z](?:-[A-Z])?$)", r"\1 ", m.group("oiml_add").upper()).title()
        supplement = (supplement + " " + add).strip()
        shown_supp += f" {add}"
    prefix = f"OIML {kind}"
    display = f"{prefix} {number}" + (f"-{part}" if part else "") + (f":{year}" if year else "") + shown_supp
    key = (prefix, number, part, year, supplement)
    work = (prefix, number, part, re.sub(r":\d{4}", "", supplement)) if supplement else (prefix, number, part)
    return compose("OIML", prefix, kind, number, part, year, supplement, display, key, work)


# ---------------------------------------------------------------------------------------------- CIE
# CIE publications (cie.co.at): 'CIE 015:2018', old 'CIE 001-1980', standards 'CIE S 026/E:2018' (the
# letter after the slash is the language edition: E, F, G), drafts 'CIE DIS 017/E:2016', 'CIE DS ...',
# proceedings 'CIE x046:2019', 'CIE D001-2006', joint 'CIE ISO 11664-1:2019', 'CIE ISO/CIE TR 3092:2023',
# sub-numbers 'CIE 018.2-1983', 'CIE 19/2.1-1981', joint numbers 'CIE 146/147:2002'.
CIE = rf"""CIE{_S}(?P<cie_pre>(?:ISO(?:/CIE)?(?:[ ]?(?:TR|TS|DIS))?|IEC|S|DS|DIS|TN)[ ]?(?=[XD]?\d))?
  (?P<cie_no>[XD]?\d+(?:\.\d+)?)(?P<cie_sub>(?:/\d{{1,3}}(?:\.\d+)?)*)(?P<cie_parts>(?:-(?:\d+|SP\d+)(?=[-:/ ]|$))*?)
  (?:/(?P<cie_lang>[EFGS])(?![A-Za-z]))?
  (?:(?P<cie_sep>[:/-]|{_S}(?<=[EFGS])){_S}(?P<cie_y>{_Y4}))?"""


def build_cie(m: re.Match, shown: str) -> Designation:
    """CIE 015:2018, CIE S 026/E:2018, CIE x046:2019, CIE 001-1980."""
    pre = canon(m.group("cie_pre"))
    pre = re.sub(r"^(ISO(?:/CIE)?)(TR|TS|DIS)$", r"\1 \2", pre)
    number = m.group("cie_no")
    number = number[0].lower() + number[1:] if number[0] in "xX" else number.upper()
    sub = m.group("cie_sub") or ""
    part = (m.group("cie_parts") or "").lstrip("-").upper()
    lang = (m.group("cie_lang") or "").upper()
    year = m.group("cie_y") or ""
    sep = m.group("cie_sep") or ""
    sep = sep if sep in (":", "-", "/") else ":"
    prefix = f"CIE {pre}".strip()
    display = f"{prefix} {number}{sub}" + (f"-{part}" if part else "") + (f"/{lang}" if lang else "") + \
        (f"{sep}{year}" if year else "")
    key = (prefix, number + sub, part, lang, year)
    return compose("CIE", prefix, pre, number + sub, part, year, "", display, key, (prefix, number + sub, part, lang))


#: Family name -> (regular expression, builder), in the order the grammar tries them.
FAMILIES = {
    "api": (API, build_api), "asme": (ASME, build_asme), "astm": (ASTM, build_astm), "mss": (MSS, build_mss),
    "ul": (UL, build_ul), "ieee": (IEEE, build_ieee), "jis": (JIS, build_jis), "oiml": (OIML, build_oiml),
    "cie": (CIE, build_cie),
}
#: Families tried after the ISO/EN family (see IEEE_JOINT).
LATE_FAMILIES = {"ieee_joint": (IEEE_JOINT, build_ieee_joint)}
