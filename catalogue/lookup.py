"""Where to look a standard up at its publisher (or China's public platform): one function for
the record page, search answers about designations not held, and the command line.
"""
from __future__ import annotations

import re
from urllib.parse import urlencode

#: An iso.org product page, when a source gave one (its number is ISO's own id for the deliverable).
ISO_PAGE = re.compile(r"^https://www\.iso\.org/standard/\d+\.html$")
_LOCAL = re.compile(r"^DB\d{2}$")
#: Two-letter publisher codes that are not Chinese industry prefixes.
_FOREIGN_TWO_LETTER = ("EN", "BS", "UL", "NF", "CR", "HD")


def publisher_page(rec) -> dict | None:
    """Where the publisher (or China's public platform) shows this standard: {"site", "url", "exact"}.

    iso.org's own page when a source gave its address, else iso.org's search for the
    designation; the IEC webstore's search; for GB standards the search of
    openstd.samr.gov.cn (the form its own pages use: /bzgk/std/std_list?p.p1=0&p.p2=<number>&
    p.p90=circulation_date&p.p91=desc, recorded 2026 in relaton-gb); for industry, local and
    group standards and plans the search of std.samr.gov.cn (/search/std?q=<number>). None
    for other publishers.
    """
    publisher = rec.publisher or ""
    designation = rec.designation
    if publisher.startswith("ISO"):
        for p in getattr(rec, "provenance", None) or ():
            if ISO_PAGE.match(p.source or ""):
                return {"site": "iso", "url": p.source, "exact": True}
        return {"site": "iso", "url": "https://www.iso.org/search.html?" + urlencode({"q": designation}), "exact": False}
    if publisher.startswith("IEC"):
        return {"site": "iec", "url": "https://webstore.iec.ch/en/search?" + urlencode({"q": designation}),
                "exact": False}
    if publisher == "GB" and getattr(rec, "doc_type", "") != "plan":
        query = urlencode({"p.p1": "0", "p.p2": designation, "p.p90": "circulation_date", "p.p91": "desc"})
        return {"site": "openstd", "url": "https://openstd.samr.gov.cn/bzgk/std/std_list?" + query, "exact": False}
    chinese = (publisher == "GB" or publisher.startswith(("T/", "Q/")) or _LOCAL.match(publisher)
               or (re.fullmatch(r"[A-Z]{2}", publisher) and publisher not in _FOREIGN_TWO_LETTER))
    if chinese:
        return {"site": "samr", "url": "https://std.samr.gov.cn/search/std?" + urlencode({"q": designation}),
                "exact": False}
    return None
