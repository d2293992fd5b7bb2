"""The level of a standard (国际 / 国外 / 国家 / 行业 / 地方 / 团体 / 企业) and, for an industry
standard, its industry: one answer, from the designation's publisher.

    >>> level_of("JB/T 13368-2018"), industry_of("JB/T 13368-2018")
    ('industry', 'JB')
    >>> level_of("DB33/T 778-2010"), level_of("T/ZZB 0664-2018"), level_of("API Spec 6D")
    ('local', 'group', 'foreign')

The rules (decided here, documented in docs/levels.md):

- international: ISO, IEC (and CISPR), ISO/IEC and every ISO or IEC joint (ISO/IEC/IEEE,
  ISO/ASTM ...), IWA, ITU, OIML, CIE: the bodies whose members are national bodies or states.
- national: GB, GB/T, GB/Z, national plans, and the national metrology regulations and
  specifications JJG and JJF (国家计量检定规程/技术规范), which SAMR issues for the whole country.
- industry: a sector prefix (JB/T, QB/T, QC/T, NB/T, DB/T ...); its industry code is the prefix.
- local: DB and two or more digits (DB33/T 778, DB3303/T 001): a province or city.
- group: T/ (T/ZZB ...); enterprise: Q/.
- foreign: everything else the grammar reads: IEEE (a professional society's standards, with
  ANSI/IEEE, AIEE, IRE), API, ASME, ASTM, MSS, UL, NFPA, SAE, NACE, the European EN and CEN/CENELEC
  deliverables, and national bodies abroad (BS, DIN, NF, JIS, ANSI).

Level codes are the English words above; the edges label them through their message catalogues
(zh: 国际, 国外, 国家, 行业, 地方, 团体, 企业). Industry names come from data/sector-prefixes.tsv.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from .designation import Designation, try_parse

LEVELS = ("international", "foreign", "national", "industry", "local", "group", "enterprise")
SECTOR_FILE = Path(__file__).resolve().parent / "data" / "sector-prefixes.tsv"

_INTERNATIONAL = frozenset(("ISO", "IEC", "ISO/IEC", "CISPR", "IWA", "ITU", "ITU-T", "ITU-R", "OIML", "CIE"))
_NATIONAL = frozenset(("GB", "JJG", "JJF"))
_LOCAL = re.compile(r"^DB\d{2,}$")


@lru_cache(maxsize=1)
def sector_prefixes() -> dict[str, tuple[str, str]]:
    """Industry prefix -> (Chinese name, English name): 'JB' -> ('机械', 'Mechanical Engineering')."""
    table: dict[str, tuple[str, str]] = {}
    for line in SECTOR_FILE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("prefix\t"):
            continue
        prefix, zh, en = (line.split("\t") + ["", ""])[:3]
        table[prefix] = (zh, en)
    return table


def _designation(value) -> Designation | None:
    return value if isinstance(value, Designation) else try_parse(str(value or ""))


def level_of_publisher(publisher: str) -> str:
    """The level of a parsed designation's publisher: 'JB' -> 'industry', 'DB33' -> 'local', 'BS' -> 'foreign'."""
    publisher = (publisher or "").strip()
    if not publisher:
        return ""
    upper = publisher.upper()
    if upper in _INTERNATIONAL or upper.startswith(("ISO", "IEC")):
        return "international"
    if upper in _NATIONAL:
        return "national"
    if _LOCAL.match(upper):
        return "local"
    if upper.startswith("T/"):
        return "group"
    if upper.startswith("Q/"):
        return "enterprise"
    if upper in sector_prefixes() or upper in _industry_codes():
        return "industry"
    return "foreign"


@lru_cache(maxsize=1)
def _industry_codes() -> frozenset[str]:
    from .designation import _CN_INDUSTRY  # the grammar's own list of sector codes

    return frozenset(_CN_INDUSTRY) - _NATIONAL


def level_of(designation) -> str:
    """'international' | 'foreign' | 'national' | 'industry' | 'local' | 'group' | 'enterprise', or ''
    when the text is no designation. Takes a designation's text or a parsed Designation."""
    parsed = _designation(designation)
    return level_of_publisher(parsed.publisher) if parsed else ""


def industry_of(designation) -> str:
    """The industry code of an industry standard ('JB/T 13368-2018' -> 'JB'), '' for any other level."""
    parsed = _designation(designation)
    if parsed is None or level_of_publisher(parsed.publisher) != "industry":
        return ""
    return parsed.publisher.upper()


def industry_of_publisher(publisher: str) -> str:
    """The industry code for a stored record's publisher: 'JB' -> 'JB', 'GB' -> ''."""
    return publisher.upper() if level_of_publisher(publisher) == "industry" else ""


def industry_label(code: str, lang: str = "en") -> str:
    """'JB' -> '机械' (zh) or 'Mechanical Engineering' (en); an unnamed code comes back as itself."""
    names = sector_prefixes().get((code or "").upper())
    if not names:
        return code
    zh, en = names
    return zh if lang.startswith("zh") else (en or zh)

