"""A record cited in GB/T 7714-2015 (信息与文献 参考文献著录规则), the form for standards.

The norm treats a standard as a monograph with the document type code [S] (标准); its number
goes where the form puts "other title information", after the title and a colon:

    主要责任者. 题名: 标准编号[S]. 版本项. 出版地: 出版者, 出版年.

Read on public pages (2026-12): the form for standards, "主要责任者.题名:其他题名信息[S].出版地:
出版者,出版年" (http://m.jizihe.com/page/2023/0719/23651656.shtml), and the monograph form with
the edition after the title (https://www.bitekongjian.com/caijing/23264709.html). Chinese
standard numbers are printed with an em dash before the year, as the norm prints its own
number ("GB/T 7714—2015").

Only what the record holds goes in; a part the record lacks is left out, never guessed:
- 主要责任者 (the issuing body): the publisher, where the designation's prefix is the
  organisation's own name (ISO, IEC, IEEE, API ...); Chinese records name no issuing authority
  (their prefix GB or JB/T is not one), so theirs is left out;
- 出版地 and 出版者 (place, press): no record holds them, so they are left out;
- 版本项: the edition when it is a number above 1 ("4版" / "4th ed."), the norm's rule that a
  first edition is not given;
- 出版年: the year of the publication date, else the year in the designation.

    >>> gb7714_text(record)   # GB/T 13927-2008
    '工业阀门 压力试验: GB/T 13927—2008[S]. 2008.'
    >>> gb7714_text(iso)      # ISO 5208:2015, 4th edition
    'ISO. Industrial valves - Pressure testing of metallic valves: ISO 5208:2015[S]. 4th ed. 2015.'
"""
from __future__ import annotations

import re

from .designation import is_chinese_publisher
from .records import Standard

#: Publisher codes that are the issuing organisation's own name, as the norm's 主要责任者.
RESPONSIBLE_BODIES = {
    "ISO": "ISO", "IEC": "IEC", "ISO/IEC": "ISO, IEC", "IEEE": "IEEE", "API": "API", "ASME": "ASME",
    "ASTM": "ASTM", "UL": "UL", "MSS": "MSS", "DIN": "DIN", "OIML": "OIML", "CIE": "CIE", "SAE": "SAE",
}
_YEAR_DASH = re.compile(r"-(\d{4})(?=$|/)")


def gb7714_designation(rec: Standard) -> str:
    """The number as the norm prints it: 'GB/T 13927-2008' -> 'GB/T 13927—2008'; others unchanged."""
    if is_chinese_publisher(rec.publisher):
        return _YEAR_DASH.sub("\u2014\\1", rec.designation, count=1)
    return rec.designation


def gb7714_text(rec: Standard) -> str:
    """The record's reference in the GB/T 7714-2015 form for standards (see the module docstring)."""
    chinese = is_chinese_publisher(rec.publisher)
    order = ("zh", "en") if chinese else ("en", "zh")
    title = next((rec.titles[lang] for lang in order if rec.titles.get(lang)), "") or \
        next((text for text in rec.titles.values() if text), "")
    title = " ".join(title.split()).rstrip(".。")
    designation = gb7714_designation(rec)
    parts = []
    body = RESPONSIBLE_BODIES.get(rec.publisher.upper() if rec.publisher else "")
    if body and not chinese:
        parts.append(f"{body}.")
    parts.append(f"{title}: {designation}[S]." if title else f"{designation}[S].")
    # IEC numbers editions '6.0' (with amendments merged, '6.1': not an edition of its own).
    edition = re.fullmatch(r"(\d+)(?:\.0)?", (rec.edition or "").strip())
    if edition and int(edition.group(1)) > 1:
        number = int(edition.group(1))
        parts.append(f"{number}版." if title and _has_cjk(title) else f"{_ordinal(number)} ed.")
    year = (rec.published or "")[:4] if re.match(r"\d{4}", rec.published or "") else rec.year
    if year:
        parts.append(f"{year}.")
    return " ".join(parts)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)
