"""Pick the reader for a file from its first bytes and its name (or a --format name)."""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

import ingest
from catalogue.errors import UsageError

HEAD_BYTES = 4096
# Readers whose sniff is most specific go first: a generic sheet reader would claim any CSV.
PRIORITY = (
    "catalogue_jsonl", "system_yaml", "register_yaml", "relaton_yaml", "iso_deliverables", "ics_tree", "iso_committees",
    "iso_opendata", "iec_api", "sts_xml", "relaton_xml", "iso_html", "cen_html", "openstd_html", "samr_html",
    "ccs_tree", "register_sheet", "system_sheet", "scheme_doc", "sheet",
)


def reader_modules() -> list[ModuleType]:
    """Every reader module in ingest/ (one with FORMAT, sniff and read), most specific first."""
    names = [m.name for m in pkgutil.iter_modules(ingest.__path__)]
    ordered = [n for n in PRIORITY if n in names] + sorted(n for n in names if n not in PRIORITY)
    found = []
    for name in ordered:
        module = importlib.import_module(f"ingest.{name}")
        if all(hasattr(module, a) for a in ("FORMAT", "sniff", "read")):
            found.append(module)
    return found


def formats() -> dict[str, ModuleType]:
    """FORMAT name -> reader module."""
    return {m.FORMAT: m for m in reader_modules()}


def formats_help() -> str:
    return ", ".join(f"{m.FORMAT} ({getattr(m, 'DESCRIPTION', '')})" for m in reader_modules())


def read_head(path: Path) -> bytes:
    if path.is_dir():
        return b""
    with open(path, "rb") as fp:
        return fp.read(HEAD_BYTES)


def detect_format(path: Path, fmt: str | None = None) -> ModuleType:
    """The reader module for ``path``: the one named by ``fmt``, else the first whose sniff agrees."""
    readers = formats()
    if fmt:
        if fmt not in readers:
            raise UsageError(f"Unknown format '{fmt}'; use one of: {', '.join(sorted(readers))}.")
        return readers[fmt]
    head = read_head(path)
    if not path.is_dir() and not head:
        raise UsageError(f"{path}: the file is empty; there is nothing to read.")
    for module in readers.values():
        try:
            if module.sniff(head, path.name if not path.is_dir() else path.name + "/"):
                return module
        except Exception:  # a sniff must never stop detection; the next reader gets its turn
            continue
    # No reader recognised the content: let the reader its extension promises explain what is
    # wrong with it ("not valid YAML ...", "not a readable zip archive ...").
    by_extension = {".yaml": "relaton-yaml", ".yml": "relaton-yaml", ".xlsx": "sheet", ".csv": "sheet",
                    ".jsonl": "catalogue-jsonl", ".xml": "relaton-xml"}
    fallback = by_extension.get(path.suffix.lower())
    if fallback in readers and not path.is_dir():
        return readers[fallback]
    raise UsageError(
        f"{path}: cannot tell what format this file is (empty, binary, or not one we read). "
        f"Formats we read: {', '.join(sorted(readers))}; name one with --format."
    )
