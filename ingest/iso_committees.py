"""ISO technical committees from ISO Open Data: ``iso_technical_committees.jsonl`` or ``.csv``.

Each row gives ``Committee(reference="ISO/TC 153", titles={"en": "Valves"}, publisher="ISO",
scope=plain text)``. The JSON lines nest ``title.en`` and ``scope.en``; the CSV flattens them to
columns ``title.en`` and ``scope.en`` and is Windows-1252, not UTF-8 (see ``iso_opendata``).
Scopes are HTML: stripped to text, one line a paragraph or list item ("- ..."). Every row of
the file is kept, ``Suspended`` committees too (the record has no status field); membership,
liaison and secretariat columns are not read. The publisher is "ISO" for every row: the list is
ISO's, joint committees (ISO/IEC JTC 1, IEC/ISO JSyC BDC) included.
"""
from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, Iterator

from catalogue.records import Committee, Problem, Reading
from ingest.files import read_path
from ingest.iso_opendata import decode_text, html_to_text, iter_csv_records, iter_json_objects


def sniff(head: bytes) -> bool:
    """True for '{"id":53156,"reference":"ISO/TC 153","status":"Active","title":{...' or its CSV header."""
    text = head.lstrip(b"\xef\xbb\xbf")
    if text.startswith(b"{"):
        return b'"reference"' in text and b'"secretariat"' in text
    header = text.split(b"\n", 1)[0]
    return b"reference" in header and b"title.en" in header and b"secretariat" in header


def read(path) -> Iterator[Reading]:
    """Read the committees file (.jsonl, .json or .csv) by path."""
    path = Path(path)
    csv_file = path.suffix.lower() == ".csv"
    yield from read_path(path, read_iso_committees_csv if csv_file else read_iso_committees)


def read_iso_committees(fp: BinaryIO, name: str) -> Iterator[Reading]:
    """JSON lines: '{"reference":"ISO/TC 153","title":{"en":"Valves"},"scope":{"en":"<p>...</p>"},...}'."""
    raw = fp.read()
    if not raw.strip():
        yield Reading(problem=Problem(name, None, None, "the file is empty: it holds no committee."))
        return
    for line, row, error in iter_json_objects(decode_text(raw), prefer_whole=name.lower().endswith(".json")):
        if error:
            yield Reading(problem=Problem(name, line, None, error))
        elif not isinstance(row, dict):
            yield Reading(problem=Problem(name, line, None, "each committee must be a JSON object."))
        else:
            title = row.get("title") if isinstance(row.get("title"), dict) else {}
            scope = row.get("scope") if isinstance(row.get("scope"), dict) else {}
            yield _committee(name, line, row.get("reference"), title.get("en"), scope.get("en"))


def read_iso_committees_csv(fp: BinaryIO, name: str) -> Iterator[Reading]:
    """CSV rows: 'id,reference,status,title.en,...,scope.en,...' (Windows-1252)."""
    columns: dict[str, int] | None = None
    for line, fields, error in iter_csv_records(decode_text(fp.read())):
        if error:
            yield Reading(problem=Problem(name, line, None, error))
            continue
        if columns is None:
            columns = {col: i for i, col in enumerate(fields)}
            if "reference" not in columns or "title.en" not in columns:
                yield Reading(problem=Problem(name, line, None, "the header lacks the columns reference and title.en."))
                return
            continue
        if len(fields) != len(columns):
            reason = f"the row has {len(fields)} fields where the header has {len(columns)}."
            yield Reading(problem=Problem(name, line, None, reason))
            continue
        row = {col: fields[i] for col, i in columns.items()}
        yield _committee(name, line, row.get("reference"), row.get("title.en"), row.get("scope.en"))
    if columns is None:
        yield Reading(problem=Problem(name, None, None, "the file is empty: it holds no committee."))


def _committee(name: str, line: int, reference, title, scope) -> Reading:
    reference = " ".join(str(reference or "").split())
    if not reference:
        return Reading(problem=Problem(name, line, "reference", "the row has no committee reference."))
    titles = {"en": " ".join(str(title).split())} if title else {}
    return Reading(item=Committee(reference, titles, "ISO", html_to_text(str(scope or ""))), line=line)
