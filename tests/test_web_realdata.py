"""The web pages over real publisher data: one page of the IEC publications API (100 records)."""
from __future__ import annotations

import pytest

from catalogue.edges.service import Catalogue
from catalogue.web import create_app
from conftest import shared_file
from test_web_support import soup_of, text_of

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def iec_client(tmp_path_factory):
    source = shared_file("iec", "api", "publications_page0.jsonl")
    home = tmp_path_factory.mktemp("iec-api")
    with Catalogue(home, create=True) as cat:
        report = cat.ingest([source])
        assert (report.added, report.rejected) == (100, 0)
    app = create_app({"CATALOGUE_HOME": str(home), "TESTING": True})
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    yield client
    app.extensions["catalogue"].close()


def test_home_counts_the_real_page(iec_client):
    data = iec_client.get("/index.json").get_json()
    assert data["records"] == 100
    assert data["by_status"] == [["replaced", 56], ["current", 39], ["withdrawn", 5]]


def test_a_real_record_page(iec_client):
    page = soup_of(iec_client.get("/standards/cispr-11-2009"))
    assert text_of(page.h1) == "CISPR 11:2009"
    assert text_of(page.select_one(".standard-title")) == (
        "Industrial, scientific and medical equipment - Radio-frequency disturbance characteristics - "
        "Limits and methods of measurement")
    facts = dict(zip([text_of(d) for d in page.select(".facts dt")], [text_of(d) for d in page.select(".facts dd")]))
    assert facts["Published"] == "May 28, 2009"
    assert facts["Committee"] == "CISPR/CIS/B"
    assert facts["ICS"] == "33.100.10"
    assert facts["Edition"] == "5"
    assert text_of(page.select_one("#not-in-force .banner-status")) == "This edition has been replaced."


def test_real_search_finds_the_amendment_of_cispr_11(iec_client):
    data = iec_client.get("/search.json?q=CISPR+11").get_json()
    assert [h["key"] for h in data["hits"]][:1] == ["cispr-11-2009"]
    # One hit per standard: the amendment is folded under CISPR 11, with its own link ...
    folded = [m["key"] for m in data["hits"][0]["group"]["members"]]
    assert "cispr-11-2009-amd-1-2010" in folded
    # ... and listing every edition shows it as a hit of its own.
    editions = iec_client.get("/search.json?q=CISPR+11&group=none").get_json()
    assert "cispr-11-2009-amd-1-2010" in [h["key"] for h in editions["hits"]]
