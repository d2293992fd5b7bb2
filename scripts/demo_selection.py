"""Which real records the demo takes from the IEEE, OIML and CIE archives, which pillar industry
each record belongs to, and the demo holdings (the museum's copies, fictional and marked so).

The five pillar industries of Wenzhou, with their shelf-mark codes: valves and pumps (VAL),
low-voltage electrical (ELE), eyewear (EYE), footwear and leather (SHO), auto parts (AUT).
"""
from __future__ import annotations

import re
from pathlib import Path

INDUSTRIES = {"valves_pumps": "VAL", "low_voltage": "ELE", "eyewear": "EYE", "footwear_leather": "SHO",
              "auto_parts": "AUT"}
INDUSTRY_NAMES = {"valves_pumps": "valves and pumps", "low_voltage": "low-voltage electrical", "eyewear": "eyewear",
                  "footwear_leather": "footwear and leather", "auto_parts": "auto parts"}
#: The research files' industry words (research-format.md) -> ours.
RESEARCH_INDUSTRY = {"valves": "valves_pumps", "pumps": "valves_pumps", "low_voltage": "low_voltage",
                     "eyewear": "eyewear", "footwear_leather": "footwear_leather", "auto_parts": "auto_parts"}

#: ICS codes of each pillar industry (a code matches itself and everything under it). Quality
#: management (03.120.10) is selected too, as the systems cite ISO 9001, but is no pillar.
PILLAR_ICS = {
    "valves_pumps": ["23.060", "23.080", "23.040.60", "23.040.40", "13.240"],
    "low_voltage": ["29.130.20", "29.120"],
    "eyewear": ["11.040.70", "13.340.20"],
    "footwear_leather": ["61.060", "13.340.50", "59.140"],
    "auto_parts": ["43.060", "43.120"],
    "": ["03.120.10"],
}
#: The demo systems and schemes by industry (catalogue/demo_data/systems.*.yaml, schemes.*.yaml).
FILE_INDUSTRY = {"valves": "valves_pumps", "steel-gate-valves": "valves_pumps", "low-voltage": "low_voltage",
                 "mccb": "low_voltage", "eyewear": "eyewear", "spectacle-frames": "eyewear",
                 "footwear-leather": "footwear_leather", "auto-parts": "auto_parts"}

#: OIML recommendations (R) and documents (D) on instruments the pillar industries make or use.
OIML_WORKS = {
    "valves_pumps": {"R 49", "R 101", "R 109", "R 110", "R 117", "R 118", "R 120", "R 105", "R 137", "R 31",
                     "R 32", "D 4", "D 7"},  # water, gas and liquid meters, fuel dispensers, pressure gauges
    "low_voltage": {"R 46"},  # electrical energy meters
    "eyewear": {"R 93", "R 145"},  # focimeters, ophthalmic tonometers
    "footwear_leather": {"R 136"},  # leather area measuring instruments
    "auto_parts": {"R 21", "R 23", "R 55", "R 99", "R 134", "R 139"},  # taximeters, tyre pressure gauges,
    # speedometers, exhaust gas analysers, vehicles weighed in motion, gaseous fuel for vehicles
}
_OIML = re.compile(r"^OIML ([RD]) (\d+)(?![\d])")
#: CIE publications on vision, the eye and optical radiation (eyewear), and on vehicle lighting.
_CIE_VEHICLE = re.compile(r"vehicle|headlight|headlamp|signal light|light signal", re.I)
_CIE_EYE = re.compile(r"\beyes?\b|ocular|vision|visual (?:performance|acuity)|photobiolog|retina|sunglass|spectacle"
                      r"|ultraviolet|\bUV|blue.light|colour[- ]deficien|glare", re.I)
#: IEEE: high-voltage switchgear shares ICS 29.120/29.130 with the low-voltage kind.
_HIGH_VOLTAGE = re.compile(r"high[- ]voltage|medium[- ]voltage|above 1000|\bkV\b", re.I)
_LOW_VOLTAGE = re.compile(r"low[- ]voltage|molded[- ]case|moulded[- ]case", re.I)


def matches(codes: list[str], prefixes: list[str]) -> bool:
    return any(c == p or c.startswith(p + ".") for c in codes for p in prefixes)


def industry_by_ics(codes: list[str]) -> str | None:
    """'valves_pumps' for ['23.060.10'], '' for quality management, None outside the pillars."""
    for industry, prefixes in PILLAR_ICS.items():
        if matches(codes, prefixes):
            return industry
    return None


def wanted_ieee(rec) -> bool:
    """A published IEEE record on low-voltage switchgear, breakers or electrical accessories."""
    if rec.status == "draft":
        return False
    title = " ".join(rec.titles.values())
    if _HIGH_VOLTAGE.search(title):
        return False
    if matches(rec.ics, PILLAR_ICS["low_voltage"]):
        return True
    return "C37" in rec.designation and bool(_LOW_VOLTAGE.search(title))


def oiml_industry(designation: str) -> str | None:
    m = _OIML.match(designation)
    if not m:
        return None
    work = f"{m.group(1)} {m.group(2)}"
    return next((ind for ind, works in OIML_WORKS.items() if work in works), None)


def cie_industry(rec) -> str | None:
    title = rec.titles.get("en", "") or " ".join(rec.titles.values())
    if _CIE_VEHICLE.search(title):
        return "auto_parts"
    if _CIE_EYE.search(title):
        return "eyewear"
    return None


def cited_by_file(folder: Path, parse) -> dict[str, dict[str, str]]:
    """Designations the demo systems and schemes cite: {file stem: {designation: work}}."""
    import yaml

    out: dict[str, dict[str, str]] = {}

    def walk(value, found: dict) -> None:
        if isinstance(value, str):
            d = parse(value)
            if d is not None:
                found[value.strip()] = d.work
        elif isinstance(value, dict):
            for v in value.values():
                walk(v, found)
        elif isinstance(value, list):
            for v in value:
                walk(v, found)

    for path in sorted(folder.glob("s*.yaml")):
        found: dict[str, str] = {}
        walk(yaml.safe_load(path.read_text(encoding="utf-8")), found)
        out[path.name.split(".")[1]] = found
    return out


def industry_of_work(cited: dict[str, dict[str, str]]) -> dict[str, str]:
    """work -> industry, for works a system or scheme cites (the first file in name order wins)."""
    out: dict[str, str] = {}
    for stem, found in sorted(cited.items()):
        for work in found.values():
            out.setdefault(work, FILE_INDUSTRY.get(stem, ""))
    return out


NOTE = "演示馆藏 / demo holding"
LEVEL_ORDER = ("international", "foreign", "national", "industry", "local", "group", "enterprise")


def shelf_marks(held: list[tuple[str, str, str]]) -> dict[str, dict]:
    """Holdings for (key, industry, level) triples: shelf marks DEMO-VAL-0001 ... numbered per
    industry in level order, then key order. Every holding is a paper copy marked as a demo."""
    out: dict[str, dict] = {}
    counters = dict.fromkeys(INDUSTRIES, 0)
    for key, industry, _level in sorted(held, key=lambda t: (t[1], LEVEL_ORDER.index(t[2]), t[0])):
        counters[industry] += 1
        out[key] = {"format": "paper", "shelf_mark": f"DEMO-{INDUSTRIES[industry]}-{counters[industry]:04d}",
                    "note": NOTE}
    return out
