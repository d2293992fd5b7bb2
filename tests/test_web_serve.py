"""The app under waitress with 8 threads: one shared Catalogue answers concurrent requests."""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from catalogue.errors import CatalogueMissing
from catalogue.web.serve import make_server
from test_web_support import web_home  # noqa: F401 - fixture

PATHS = [
    "/", "/search?q=valves", "/search.json?q=ISO+5208&status=current", "/search?q=%E9%97%B8%E9%98%80",
    "/standards/iso-5208-2015", "/standards/gb-t-14048.2-2020.json", "/ics/23.060", "/ccs/J10/29",
    "/resolve.json?ref=gbt13927", "/feed.atom", "/publishers/", "/committees/",
]


@pytest.fixture(scope="module")
def served(web_home):
    server = make_server(web_home, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read()


def test_concurrent_requests_from_many_threads_all_succeed(served):
    urls = [served + path for path in PATHS] * 8
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(fetch, urls))
    assert [status for status, _body in results] == [200] * len(urls)
    bodies = {url: body for url, (_status, body) in zip(urls, results)}
    twin = json.loads(bodies[served + "/search.json?q=ISO+5208&status=current"])
    assert [h["key"] for h in twin["hits"]] == ["iso-5208-2015"]


def test_served_errors_are_pages_not_tracebacks(served):
    status, body = fetch(served + "/search.json?sort=colour")
    assert status == 400
    assert json.loads(body)["error"] == "Cannot sort by 'colour'; use one of: relevance, date, designation."


def test_make_server_reports_a_missing_catalogue_at_once(tmp_path):
    with pytest.raises(CatalogueMissing):
        make_server(tmp_path / "none", "127.0.0.1", 0)
