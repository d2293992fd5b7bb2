"""The bundled demo catalogue: our own compact JSON lines in ``catalogue/demo_data``.

Built by ``scripts/build_demo.py`` from the real ISO, IEC, IEEE, OIML, CIE and Chinese catalogue
data and from researched pages (each researched field names its page; facts only: designations,
titles, dates, status, codes, committees, relations; no abstracts or scope text), with demo
holdings marked as such. Loaded by ``catalogue init --demo`` through the ordinary ingest
pipeline. docs/demo-catalogue.md says what it holds.
"""
from __future__ import annotations

from pathlib import Path

# Trees first, then international standards (and the Chinese titles researched for some), then
# the foreign ones that adopt them, then the Chinese ones that adopt either, then the systems
# and schemes that cite them, then the benchmarking register that uses the schemes: each file
# resolves relations to the ones before.
ORDER = ("ics", "ccs", "committees", "iso", "iec", "ieee", "oiml", "cie", "zh-titles", "foreign", "gb", "gb-museum",
         "systems", "schemes", "register")


def demo_files() -> list[Path]:
    """The demo's files in load order."""
    folder = Path(__file__).resolve().parent / "demo_data"
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in (".jsonl", ".yaml")
                   and not p.name.startswith((".", "README")))

    def rank(p: Path) -> tuple[int, str]:
        stem = p.name.split(".")[0]
        return (ORDER.index(stem) if stem in ORDER else len(ORDER), p.name)

    return sorted(files, key=rank)
