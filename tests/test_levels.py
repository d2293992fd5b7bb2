"""Level (国际/国外/国家/行业/地方/团体/企业) and industry of every record: one rule, from the designation."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from catalogue.cli import main
from catalogue.levels import LEVELS, industry_label, industry_of, level_of, sector_prefixes
from catalogue.store import count_by_level
from conftest import FIXTURES, shared_file

SMALL = FIXTURES / "catalogue" / "small.jsonl"


@pytest.mark.parametrize("designation, level, industry", [
    ("ISO 5208:2015", "international", ""), ("IEC 60947-2:2016", "international", ""),
    ("ISO/IEC 27001:2022", "international", ""), ("CISPR 11:2015", "international", ""),
    ("ISO/IEC/IEEE 12207-2:2020", "international", ""), ("OIML R 117-1:2019", "international", ""),
    ("CIE 015:2018", "international", ""),
    ("IEEE 802.3-2022", "foreign", ""), ("ANSI/IEEE C37.13-2015", "foreign", ""), ("AIEE 11-1937", "foreign", ""),
    ("API Spec 6D", "foreign", ""), ("ASME B16.34-2020", "foreign", ""), ("ASTM A216/A216M-18", "foreign", ""),
    ("MSS SP-61-2019", "foreign", ""), ("EN 13306:2017", "foreign", ""), ("BS EN ISO 17292:2015", "foreign", ""),
    ("DIN EN 1092-1", "foreign", ""), ("JIS B 2071:2000", "foreign", ""), ("UL 489-2016", "foreign", ""),
    ("GB/T 13927-2022", "national", ""), ("GB 50235-2010", "national", ""), ("GB/Z 20986-2007", "national", ""),
    ("JB/T 13368-2018", "industry", "JB"), ("NB/T 20223-2013", "industry", "NB"),
    ("DB/T 61-2026", "industry", "DB"),
    ("DB33/T 778-2010", "local", ""), ("DB3303/T 001-2018", "local", ""),
    ("T/ZZB 0664-2018", "group", ""), ("Q/ZJSB 001-2020", "enterprise", ""),
    ("Figure 12", "", ""),
])
def test_level_and_industry_of_a_designation(designation, level, industry):
    assert (level_of(designation), industry_of(designation)) == (level, industry)


def test_industry_names_come_from_the_sector_table():
    table = sector_prefixes()
    assert table["JB"] == ("机械", "Mechanical Engineering") and table["QC"] == ("汽车", "Automotive")
    assert table["NB"] == ("能源", "Energy")  # missing from the gb-agencies list, added with its source
    assert (industry_label("JB", "zh"), industry_label("QB", "en"), industry_label("JJF", "zh")) == (
        "机械", "Light Industry", "JJF")


@pytest.mark.realdata
def test_sector_table_holds_every_prefix_of_the_shared_list():
    import csv

    path = shared_file("gb", "prefixes", "gb-sector-prefixes.csv")
    with open(path, encoding="utf-8") as fp:
        rows = {r["prefix"]: (r["industry_zh"], r["industry_en"]) for r in csv.DictReader(fp)}
    assert {k: v for k, v in sector_prefixes().items() if k != "NB"} == rows


def test_counts_by_level_cover_every_level():
    counts = count_by_level({"ISO": 3, "JB": 2, "GB": 1, "DB33": 1, "T/ZZB": 4, "API": 1, "?": 2})
    assert list(counts)[:7] == list(LEVELS)
    assert counts == {"international": 3, "foreign": 1, "national": 1, "industry": 2, "local": 1, "group": 4,
                      "enterprise": 0, "unknown": 2}


def test_stats_json_counts_by_level(tmp_path):
    home = tmp_path / "home"
    assert CliRunner().invoke(main, ["--home", str(home), "ingest", str(SMALL)]).exit_code == 0
    result = CliRunner().invoke(main, ["--home", str(home), "stats", "--json"])
    data = json.loads(result.stdout)
    assert sum(data["by_level"].values()) == data["records"] == 8
    assert data["by_level"]["international"] + data["by_level"]["national"] == 8
    shown = json.loads(CliRunner().invoke(main, ["--home", str(home), "show", "ISO 5208:2015", "--json"]).stdout)
    assert (shown["level"], shown["industry"]) == ("international", None)
    zh = CliRunner().invoke(main, ["--lang", "zh", "--home", str(home), "stats"]).stderr + \
        CliRunner().invoke(main, ["--lang", "zh", "--home", str(home), "stats"]).stdout
    assert "按层级" in zh and "国际" in zh
