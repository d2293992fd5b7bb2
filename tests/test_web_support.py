"""Fixtures and helpers the web and browser tests share (no tests here).

The test catalogue is built once per test module from ``tests/data/web/catalogue.jsonl``:
31 real records (ISO 5208 editions with replaces relations, ISO 10434, IEC 60947-2:2016 and
:2024, GB/T 13927-2008/-2022, GB/T 12238-2008, GB/T 14048.2-2020 MOD IEC 60947-2:2016 ...),
ICS and CCS subtrees, committees, one hostile record whose title holds a script tag, one
industry system and one benchmarking scheme.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from catalogue.edges.service import Catalogue
from catalogue.web import create_app

FIXTURE = Path(__file__).parent / "data" / "web" / "catalogue.jsonl"
#: A system that includes ISO 5208 and GB/T 13927 (undated) and a scheme citing IEC 60947-2:2016.
SYSTEMS_AND_SCHEMES = [Path(__file__).parent / "data" / "web" / name
                       for name in ("systems.valves.yaml", "schemes.mccb.yaml")]
RECORDS = 31

#: A real edition that the fixture catalogue lacks (ISO/TC 153, published March 2017, replaced by ISO 5211:2023).
NEW_RECORD = {
    "designation": "ISO 5211:2017", "status": "replaced",
    "titles": {"en": "Industrial valves - Part-turn actuator attachments"},
    "dates": {"published": "2017-03", "in_force": None, "withdrawn": None}, "ics": ["23.060.01"],
    "ccs": None, "committee": "ISO/TC 153", "edition": "2", "pages": None, "languages": [],
    "relations": [], "holdings": [],
}


def build_catalogue(home: Path) -> Path:
    """Ingest the fixture catalogue into ``home`` and answer it."""
    with Catalogue(home, create=True) as cat:
        report = cat.ingest([FIXTURE, *SYSTEMS_AND_SCHEMES])
        assert report.rejected == 0, [str(p) for p in report.problems]
        assert cat.store.count() == RECORDS
    return home


def soup_of(response) -> BeautifulSoup:
    """The response's HTML, parsed with lxml."""
    return BeautifulSoup(response.data, "lxml")


def text_of(node) -> str:
    """An element's text with whitespace collapsed."""
    return " ".join(node.get_text(" ", strip=True).split())


@pytest.fixture(scope="module")
def web_home(tmp_path_factory) -> Path:
    return build_catalogue(tmp_path_factory.mktemp("webcat"))


@pytest.fixture(scope="module")
def app(web_home):
    application = create_app({"CATALOGUE_HOME": str(web_home), "TESTING": True})
    yield application
    cat = application.extensions.get("catalogue")
    if cat is not None:
        cat.close()


@pytest.fixture()
def client(app):
    """A test client speaking English unless a test says otherwise."""
    c = app.test_client()
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-GB,en;q=0.9"
    return c
