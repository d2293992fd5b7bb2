"""Every reader, declared once: its name, what it reads, where its code is, and how it is found.

The order of ``READERS`` is the order of detection: the most specific content test comes first
(a generic spreadsheet reader would claim any CSV that names two known columns). Detection looks
at content only (``ingest.detect``); ``extensions`` are hints: they are printed in the help, and
when no reader recognises a file's content, the reader its extension promises (``explains``)
reads it anyway, to say what is wrong with it ("not valid YAML ..."). ``catalogue ingest --help``
and the ``--format`` choices are generated from this table.

Each reader module offers ``read(path)`` (a generator of Readings) and ``sniff(head) -> bool`` on
the first bytes of a file; a reader of zip-based files (XLSX, DOCX) also offers ``sniff_zip(zf)``
on the open archive. A reader with ``containers=True`` reads a folder or an archive of its files
itself; the detector decides by sampling the members' content.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Iterator

from catalogue.records import Reading


@dataclass(frozen=True)
class ReaderSpec:
    """One reader: ``name`` as --format spells it, ``help`` for people, ``module`` to import."""

    name: str
    module: str
    help: str
    extensions: tuple[str, ...] = ()
    #: Reads a folder, or a .tar.xz/.tar.gz/.zip archive, of its files by itself.
    containers: bool = False
    #: Reads a file whose content nobody recognised, when the file's extension is one of these.
    explains: tuple[str, ...] = ()
    #: Bounds itself (line by line, member by member, or with its own cap): the pipeline's
    #: whole-file size cap does not apply.
    bounded: bool = False
    #: Takes ``encoding=`` for text it decodes itself (CSV).
    takes_encoding: bool = False

    @property
    def loaded(self) -> ModuleType:
        return importlib.import_module(self.module)

    def sniff(self, head: bytes) -> bool:
        """Whether these first bytes look like this reader's format (never raises)."""
        try:
            return bool(self.loaded.sniff(head))
        except Exception:  # a sniff must never stop detection; the next reader gets its turn
            return False

    def sniff_zip(self, zf) -> bool:
        """Whether an open zip archive is one file of this format (XLSX, DOCX), never raises."""
        try:
            test = getattr(self.loaded, "sniff_zip", None)
            return bool(test(zf)) if test is not None else False
        except Exception:
            return False

    def read(self, path, encoding: str | None = None) -> Iterator[Reading]:
        if encoding and self.takes_encoding:
            return self.loaded.read(path, encoding=encoding)
        return self.loaded.read(path)


READERS: tuple[ReaderSpec, ...] = (
    ReaderSpec("catalogue-jsonl", "ingest.catalogue_jsonl",
               "the catalogue's own JSON lines (export --format jsonl, the demo catalogue, research lines with sources)",
               (".jsonl", ".json"), explains=(".jsonl",), bounded=True),
    ReaderSpec("system-yaml", "ingest.system_yaml",
               "standard systems and benchmarking schemes in YAML (docs/systems-and-schemes.md)", (".yaml", ".yml")),
    ReaderSpec("register-yaml", "ingest.register_yaml",
               "the benchmarking register (对标达标) in YAML: enterprises, products, results, certificates "
               "(docs/register.md)", (".yaml", ".yml")),
    ReaderSpec("relaton-yaml", "ingest.relaton_yaml",
               "Relaton YAML bibliographic records of any publisher, older and newer schema: a file, a folder, "
               "or a .tar.xz/.tar.gz/.zip archive", (".yaml", ".yml", ".tar.xz", ".tar.gz", ".tgz", ".zip"),
               containers=True, explains=(".yaml", ".yml", ".tar.xz", ".tar.gz", ".tgz", ".tar", ".zip"), bounded=True),
    ReaderSpec("iso-deliverables", "ingest.iso_deliverables",
               "ISO Open Data deliverables metadata (JSON or JSON lines: reference, currentStage, icsCode ...)",
               (".json", ".jsonl")),
    ReaderSpec("iso-ics", "ingest.ics_tree", "ISO Open Data ICS classification (ICS.csv or ICS-simple.xml)",
               (".csv", ".xml")),
    ReaderSpec("iso-committees", "ingest.iso_committees",
               "ISO Open Data technical committees (iso_technical_committees .jsonl or .csv)", (".jsonl", ".csv")),
    ReaderSpec("iec-api", "ingest.iec_api",
               "IEC publications API, JSON lines (CISPR and IEC editions, amendments, corrigenda)", (".jsonl",)),
    ReaderSpec("hbba", "ingest.hbba",
               "hbba.sacinfo.org.cn industry-standard filings (行业标准备案): search-list JSON and detail pages",
               (".json", ".html")),
    ReaderSpec("sts-xml", "ingest.sts_xml", "ISO STS / NISO STS XML (iso-meta, reg-meta, nat-meta, std-meta blocks)",
               (".xml",)),
    ReaderSpec("relaton-xml", "ingest.relaton_xml",
               "Relaton XML (<bibdata>/<bibitem>) of any publisher: a file or a folder of them", (".xml",),
               containers=True, explains=(".xml",)),
    ReaderSpec("iso-html", "ingest.iso_html", "iso.org standard pages, 2018 and 2024 layouts, in English, French or Russian",
               (".html", ".htm")),
    ReaderSpec("cen-html", "ingest.cen_html",
               "CEN catalogue detail pages (standards.cen.eu: EN, EN ISO, CWA, CR, HD, ENV)", (".html", ".htm")),
    ReaderSpec("openstd-html", "ingest.openstd_html",
               "openstd.samr.gov.cn GB pages (result lists and detail pages, 2026 layout)", (".html", ".htm")),
    ReaderSpec("samr-html", "ingest.samr_html",
               "std.samr.gov.cn / ttbz.org.cn pages (search results, detail pages, plans; 2018-2019)", (".html", ".htm")),
    ReaderSpec("ccs-tree", "ingest.ccs_tree", "CCS (中国标准文献分类) tree: cat-level1/2/3.csv from metanorma/cnccs, "
               "a file or their folder", (".csv",), containers=True),
    ReaderSpec("gb-sector-prefixes", "ingest.sector_prefixes",
               "Chinese industry-standard prefixes with their industries (prefix,industry_zh,admin_zh,industry_en,admin_en)",
               (".csv",)),
    ReaderSpec("register-sheet", "ingest.register_sheet",
               "the benchmarking register (对标达标) as XLSX/CSV: results and certificates tables (docs/register.md)",
               (".csv", ".xlsx")),
    ReaderSpec("system-sheet", "ingest.system_sheet",
               "standard systems as CSV/XLSX, one row per member (docs/systems-and-schemes.md)", (".csv", ".xlsx")),
    ReaderSpec("sheet", "ingest.sheet",
               "librarians' spreadsheets, CSV or XLSX, one row a standard (Chinese or English headings)",
               (".csv", ".tsv", ".txt", ".xlsx"), explains=(".csv", ".tsv", ".xlsx", ".xlsm"), bounded=True,
               takes_encoding=True),
    ReaderSpec("scheme-doc", "ingest.scheme_doc",
               "benchmarking scheme documents (.docx, Markdown, text or HTML citing standards) read for their references",
               (".docx", ".md", ".txt", ".html"), bounded=True),
)

BY_NAME: dict[str, ReaderSpec] = {spec.name: spec for spec in READERS}


def reader_named(name: str) -> ReaderSpec | None:
    """The reader --format NAME means, or None."""
    return BY_NAME.get(name)


def reader_names() -> list[str]:
    """Every --format name, sorted (for choices and messages)."""
    return sorted(BY_NAME)


def formats_help() -> str:
    """One line a reader, for ``catalogue ingest --help``: 'relaton-yaml: Relaton YAML ... (.yaml, .yml ...)'."""
    lines = []
    for spec in READERS:
        hint = f" ({', '.join(spec.extensions)})" if spec.extensions else ""
        lines.append(f"{spec.name}: {spec.help}{hint}")
    return "\n".join(lines)
