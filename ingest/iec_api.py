"""Read the IEC publications web API (api.iec.ch ``/harmonized/publications``) as JSON lines.

One JSON object a line, one publication each: a base edition (``CISPR 11:2009``), an
amendment (``CISPR 11:2009/AMD1:2010``), a corrigendum (``.../COR1:2009``), an interpretation
sheet (``.../ISH1:2013``) or a consolidated version (``CISPR 11:2009+AMD1:2010 CSV``).

How the fields land in a Standard:

- ``reference`` -> designation, as IEC prints it.
- ``status``: PUBLISHED -> current, REVISED / REPLACED -> replaced, WITHDRAWN -> withdrawn.
- ``title[]`` -> titles by ``lang`` (en, fr, es). The Spanish titles start with a sales note,
  "Versión Oficial En español - " (and "(Modif)" on amendments): that note is cut off.
  Title parts stay joined with " - " as IEC prints them. A "fr" title that repeats the "en"
  title word for word (the API copies English into fr on some consolidated versions) is dropped.
- ``publicationDate`` -> published; ``dateOfWithdrawal`` -> withdrawn. ``stabilityDate`` (the
  year until which the committee means to leave the edition unchanged, a review date and not a
  status date) is deliberately not stored: the record has no field for it.
- ``committee.reference`` -> committee, prefixed "IEC/" when IEC prints a bare "TC 25" or
  "SC 17A" (as ISO pages print "ISO/TC 45"); CISPR subcommittees ("CISPR/CIS/B") stay as printed.
- ``classifications[type=ICS]`` -> ics; ``edition`` -> edition ("5", "5.1" for consolidated).
- ``releaseItems[].contentLanguage`` -> languages (first-seen order); pages from the first
  release item that gives a positive page count.
- ``supplType`` AMD -> relation ``amends`` the base designation (the reference before "/");
  COR -> ``corrects`` it. Interpretation sheets and consolidated versions get no relation:
  none of the relation types fits, and the designation already names the base.
- ``originator`` -> publisher only when the designation starts with it ("IEC 60027-1:1992"),
  so CISPR publications are left for the designation grammar.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from catalogue.records import Problem, Reading, Standard


#: IEC API status -> our status.
STATUSES = {
    "PUBLISHED": "current",
    "REVISED": "replaced",
    "REPLACED": "replaced",
    "WITHDRAWN": "withdrawn",
}
#: Supplement types that relate a supplement to its base edition.
SUPPLEMENT_RELATIONS = {"AMD": "amends", "COR": "corrects"}

# The es titles carry a sales note: "Versión Oficial En español - Equipos ..." or
# "Versión Oficial En español (Modif) Modificación 1 - ..." (the case of "En" varies).
_SPANISH_NOTE = re.compile(r"^\s*versi[oó]n oficial en espa[nñ]ol\s*(?:\(modif\)\s*)?(?:-\s*)?", re.IGNORECASE)
_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_BARE_COMMITTEE = re.compile(r"^(?:TC|SC|SyC|PC)\s")


def sniff(head: bytes) -> bool:
    """True for IEC API JSON lines: '{"urn": "iec:pub:1", ..., "publicationType": ...}'."""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return text.startswith(b"{") and b'"iec:pub:' in text and b'"reference"' in text


def read(path) -> Iterator[Reading]:
    """Read one IEC API JSON-lines file by path."""
    path = Path(path)
    with open(path, "rb") as fp:
        yield from read_iec_api(fp, str(path))


def read_iec_api(fp: BinaryIO, name: str) -> Iterator[Reading]:
    """Read lines like '{"reference": "CISPR 11:2009", "status": "REVISED", ...}': one Reading each."""
    for lineno, raw in enumerate(fp, 1):
        if lineno == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield _make_problem(name, lineno, None, f"Line is not UTF-8 text (bad byte at position {exc.start}).")
            continue
        try:
            data = json.loads(text.strip())
        except json.JSONDecodeError as exc:
            yield _make_problem(name, lineno, None, f"Line is not valid JSON ({exc.msg} at column {exc.pos + 1}).")
            continue
        if not isinstance(data, dict):
            yield _make_problem(name, lineno, None, "Line is not a JSON object with a publication's fields.")
            continue
        yield build_reading(data, name, lineno)


def build_reading(data: dict[str, Any], name: str, lineno: int) -> Reading:
    """Turn one API publication object ('{"reference": "IEC 60028:1925", ...}') into a Reading."""
    reference = _clean_text(data.get("reference"))
    if not reference:
        return _make_problem(name, lineno, "reference", "The publication has no reference (designation).")
    raw_status = _clean_text(data.get("status")).upper()
    status = STATUSES.get(raw_status)
    if status is None:
        allowed = ", ".join(STATUSES)
        return _make_problem(name, lineno, "status",
                        f"{reference}: unknown status '{raw_status}'; expected one of: {allowed}.")
    record = Standard(designation=reference, status=status)
    originator = _clean_text(data.get("originator"))
    if originator and reference.split(" ", 1)[0] == originator:
        record.publisher = originator
    for entry in _keep_dicts(data.get("title")):
        lang, value = _clean_text(entry.get("lang")).lower(), _clean_text(entry.get("value"))
        if lang == "es":
            value = _SPANISH_NOTE.sub("", value).strip()
        if lang and value:
            record.titles.setdefault(lang, value)
    # Some fr titles are the English title again (IEC 60027-1:1992+AMD1:1997+AMD2:2005 CSV):
    # a copy is not a French title, so it is dropped rather than stored under "fr".
    if record.titles.get("fr") and record.titles.get("fr") == record.titles.get("en"):
        del record.titles["fr"]
    for field_name, key in (("published", "publicationDate"), ("withdrawn", "dateOfWithdrawal")):
        value = _clean_text(data.get(key))
        if value and not _DATE.match(value):
            return _make_problem(name, lineno, key, f"{reference}: {key} '{value}' is not a date like 2010-03-10.")
        setattr(record, field_name, value)
    committee = data.get("committee")
    if isinstance(committee, dict):
        record.committee = _qualify_committee(_clean_text(committee.get("reference")))
    for entry in _keep_dicts(data.get("classifications")):
        code = _clean_text(entry.get("value"))
        if _clean_text(entry.get("type")).upper() == "ICS" and code and code not in record.ics:
            record.ics.append(code)
    record.edition = _clean_text(data.get("edition"))
    for item in _keep_dicts(data.get("releaseItems")):
        for lang in item.get("contentLanguage") or []:
            lang = _clean_text(lang).lower()
            if lang and lang not in record.languages:
                record.languages.append(lang)
        pages = item.get("pages")
        if not record.pages and isinstance(pages, int) and pages > 0:
            record.pages = str(pages)
    relation = SUPPLEMENT_RELATIONS.get(_clean_text(data.get("supplType")).upper())
    if relation and "/" in reference:
        record.add_relation(relation, reference.split("/", 1)[0].strip())
    return Reading(item=record, line=lineno)


def _qualify_committee(reference: str) -> str:
    """'TC 25' -> 'IEC/TC 25'; 'CISPR/CIS/B' stays."""
    return f"IEC/{reference}" if _BARE_COMMITTEE.match(reference) else reference


def _clean_text(value: Any) -> str:
    """A field as stripped text with inner whitespace runs collapsed ('' for None)."""
    if value is None:
        return ""
    return re.sub(r"\s+", " ", str(value)).strip()


def _keep_dicts(value: Any) -> list[dict]:
    """The dict entries of a JSON list (a missing or malformed list reads as empty)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _make_problem(name: str, line: int, field: str | None, reason: str) -> Reading:
    return Reading(problem=Problem(file=name, line=line, field=field, reason=reason))
