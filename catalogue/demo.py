"""The bundled demo catalogue: our own compact JSON lines in ``catalogue/demo_data``.

Built from the real ISO, IEC and Chinese catalogue data by ``scripts/build_demo.py`` (facts
only: designations, titles, dates, status, codes, committees, relations; no abstracts or
scope text). Loaded by ``catalogue init --demo`` through the ordinary ingest pipeline.
"""
from __future__ import annotations

from pathlib import Path

# Trees first, then international standards, then the Chinese ones that adopt them, then
# the systems and schemes that cite them, then the benchmarking register that uses the schemes:
# each file resolves relations to the ones before.
ORDER = ("ics", "ccs", "committees", "iso", "iec", "gb", "systems", "schemes", "register")


def demo_files() -> list[Path]:
    """The demo's files in load order."""
    folder = Path(__file__).resolve().parent / "demo_data"
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "README")))

    def rank(p: Path) -> tuple[int, str]:
        stem = p.name.split(".")[0]
        return (ORDER.index(stem) if stem in ORDER else len(ORDER), p.name)

    return sorted(files, key=rank)
