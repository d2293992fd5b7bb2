"""Class names in the reader's language: Chinese names for ICS, English names for CCS.

ISO's ICS data is English and French only, and the CCS tree (metanorma/cnccs) is Chinese only, so
a Chinese reader would see ICS classes in English and an English reader CCS classes in Chinese.
``catalogue/classnames/ics-zh.tsv`` and ``ccs-en.tsv`` hold the missing language, one code a line
(``code<TAB>name<TAB>source``: the URL of a page that prints the name, or ``ours`` for our own
translation). They are read once, on first use.

>>> class_name("ics", "23.060", "zh")
'阀门'
>>> complete_titles("ccs", "J16", {"zh": "阀门"})
{'zh': '阀门', 'en': 'Valves'}
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "classnames"
#: The language each file adds to a scheme, and the file that holds it.
FILES = {("ics", "zh"): "ics-zh.tsv", ("ccs", "en"): "ccs-en.tsv"}
#: The provenance source of a title that :func:`complete_titles` added.
SOURCE = "catalogue:classnames"

_lock = threading.Lock()
_tables: dict[tuple[str, str], dict[str, "ClassName"]] = {}


@dataclass(frozen=True)
class ClassName:
    """One row of a class-name file: the code, its name, and where the name comes from."""

    code: str
    name: str
    source: str


def read_class_names(path: Path) -> dict[str, ClassName]:
    """Rows of a class-name file by code: '23.060\\t阀门\\tours' -> {'23.060': ClassName(...)}.

    Lines starting with ``#`` are comments. A row without three columns is an error: the files
    ship with the package, so a broken row is a bug to fix, not data to skip.
    """
    rows: dict[str, ClassName] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if len(cells) != 3 or not all(cells):
            raise ValueError(f"{path}:{number}: expected code, name and source separated by tabs.")
        code, name, source = cells
        if code in rows:
            raise ValueError(f"{path}:{number}: code {code} is named twice.")
        rows[code] = ClassName(code, name, source)
    return rows


def class_names(scheme: str, lang: str) -> dict[str, ClassName]:
    """Every name this package holds for a scheme in a language ({} when it holds none)."""
    key = (scheme, lang)
    if key not in FILES:
        return {}
    table = _tables.get(key)
    if table is None:
        with _lock:
            table = _tables.get(key)
            if table is None:
                table = _tables[key] = read_class_names(FOLDER / FILES[key])
    return table


def class_name(scheme: str, code: str, lang: str) -> str | None:
    """The name of a class in a language: ('ics', '23.060', 'zh') -> '阀门'; None if not held."""
    row = class_names(scheme, lang).get(code)
    return row.name if row else None


def class_name_source(scheme: str, code: str, lang: str) -> str | None:
    """Where a held name comes from: a page's URL, or 'ours'; None if the name is not held."""
    row = class_names(scheme, lang).get(code)
    return row.source if row else None


def missing_languages(scheme: str, code: str, titles: dict) -> list[str]:
    """The languages :func:`complete_titles` would add to these titles."""
    return [lang for (s, lang) in FILES if s == scheme and not titles.get(lang) and class_name(s, code, lang)]


def complete_titles(scheme: str, code: str, titles: dict) -> dict:
    """The titles with the held names added for languages they lack (a title present is kept).

    ('ics', '23.060', {'en': 'Valves'}) -> {'en': 'Valves', 'zh': '阀门'}. A new dict; the
    argument is not changed.
    """
    completed = dict(titles)
    for lang in missing_languages(scheme, code, titles):
        completed[lang] = class_name(scheme, code, lang)
    return completed
