"""One answer to "is everything in step" (issue 11): the store's write log and the index's
generation, on the real demo catalogue (a real SQLite file and a real Whoosh index).

- a one-row ingest replays only what it wrote (no rebuild), whatever the catalogue's size;
- an index that is behind (a killed ingest, another process's commit) catches up by replaying;
- an index that cannot be used (damaged, another layout, no generation, ahead of the store)
  is rebuilt once, and says so once.
"""
from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalogue.cli import main
from catalogue.edges.service import Catalogue
from index.writer import APPLIED, current_generation, read_applied

pytestmark = pytest.mark.slow

#: A real edition the demo does not hold (ISO archive, data/iso-12238-2023.yaml: stage 60.60,
#: published 2023-02).
ONE_ROW = ("designation,title_en,status,published\n"
           "ISO 12238:2023,Pneumatic fluid power - Directional control valves - Measurement of shifting time,"
           "current,2023-02\n")
QUERY = "directional control valves shifting time"


@pytest.fixture(scope="module")
def demo_master(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("fresh") / "demo"
    result = CliRunner().invoke(main, ["--home", str(home), "init", "--demo"])
    assert result.exit_code == 0, result.output
    return home


@pytest.fixture
def demo(demo_master, tmp_path) -> Path:
    home = tmp_path / "demo"
    shutil.copytree(demo_master, home)
    return home


def one_row_file(tmp_path: Path) -> Path:
    path = tmp_path / "one.csv"
    path.write_text(ONE_ROW, encoding="utf-8")
    return path


def segment_sizes(home: Path) -> dict[str, int]:
    """Documents per Whoosh segment of the index in use: {segment id: documents}."""
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(current_generation(home / "index")))
    try:
        return {s.segment_id(): s.doc_count_all() for s in ix._segments()}
    finally:
        ix.close()


def test_a_new_demo_is_in_step(demo):
    with Catalogue(demo) as cat:
        store_gen, index_gen = cat.generations()
        assert store_gen > 0 and store_gen == index_gen
        assert cat.in_step()


def test_a_one_row_ingest_replays_only_the_rows_it_wrote(demo, tmp_path):
    with Catalogue(demo) as cat:
        cat.search("valves")  # a searched, warm catalogue, as in the issue
        folder = current_generation(demo / "index")
        segments_before = segment_sizes(demo)
        before = cat.store.generation()
        report = cat.ingest([one_row_file(tmp_path)])
        assert (report.added, report.rejected) == (1, 0)
        step = cat.last_catch_up
        written = set(cat.store.keys_written_since(before))
        # the new edition (the demo holds no other edition of its work): nothing else
        assert written == {"iso-12238-2023"}
        assert (step.action, step.keys, step.before, step.after) == ("replayed", len(written), before, before + 1)
        # the same index folder (no rebuild); the segments holding the bulk of the catalogue are
        # untouched: only a small new segment was written (Whoosh may fold recent small ones into it)
        assert current_generation(demo / "index") == folder
        segments_after = segment_sizes(demo)
        new = {sid: n for sid, n in segments_after.items() if sid not in segments_before}
        kept = sum(n for sid, n in segments_after.items() if sid in segments_before)
        # Whoosh's merge policy may fold the recent small segments (the demo's last files) into
        # the new one: bounded by them, never the catalogue's bulk
        assert len(new) == 1 and sum(new.values()) < 0.3 * cat.store.count()
        assert kept + sum(new.values()) <= sum(segments_before.values()) + len(written)  # a merge drops deleted rows
        assert cat.in_step()
        hits = cat.search("ISO 12238:2023").to_json()["hits"]
        assert hits[0]["key"] == "iso-12238-2023"


def test_an_index_behind_the_store_catches_up_on_open(demo, tmp_path):
    # Another process commits a file and dies before touching the index (as a kill would leave it).
    from catalogue.store import Store
    from ingest.pipeline import ingest_paths

    with Store(demo) as store:
        ingest_paths(store, [one_row_file(tmp_path)])
        behind = store.generation()
    assert read_applied(current_generation(demo / "index")) == behind - 1
    with Catalogue(demo) as cat:
        assert cat.search(QUERY).to_json()["hits"][0]["key"] == "iso-12238-2023"
        assert cat.last_catch_up.action == "replayed" and cat.in_step()


@pytest.mark.parametrize("damage", ["pointer to a missing folder", "segment file gone", "no generation recorded",
                                    "ahead of the store"])
def test_an_unusable_index_is_rebuilt_once_and_says_so_once(demo, damage, caplog):
    index_dir = demo / "index"
    folder = current_generation(index_dir)
    if damage == "pointer to a missing folder":
        (index_dir / "CURRENT").write_text("gen-0-0\n", encoding="utf-8")
    elif damage == "segment file gone":
        next(folder.glob("*.pst")).unlink()  # segments are separate files (writer.COMPOUND): a postings file
    elif damage == "no generation recorded":
        (folder / APPLIED).unlink()
    else:
        (folder / APPLIED).write_text("999999\n", encoding="ascii")
    with caplog.at_level(logging.WARNING, logger="catalogue"), Catalogue(demo) as cat:
        total = cat.search("valves").total
        assert total > 0
        cat.search("pumps")
        assert cat.in_step()
        assert cat.last_catch_up.action in ("rebuilt", "in-step")
    rebuilt = [r for r in caplog.records if "rebuilding it from the store" in r.getMessage()]
    assert len(rebuilt) == 1, [r.getMessage() for r in caplog.records]


def test_cli_search_on_a_damaged_index_answers_instead_of_a_traceback(demo):
    (demo / "index" / "CURRENT").write_text("gen-0-0\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--home", str(demo), "search", "ISO 5208", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["hits"][0]["key"] == "iso-5208-2015"


def test_a_server_notices_another_processes_write_and_catches_up(demo, tmp_path):
    from catalogue.store import Store
    from catalogue.web import create_app
    from ingest.pipeline import ingest_paths

    app = create_app({"CATALOGUE_HOME": str(demo), "TESTING": True, "RESPONSE_CACHE_ENTRIES": 64})
    client = app.test_client()
    assert "iso-12238-2023" not in [h["key"] for h in json.loads(client.get(f"/search.json?q={QUERY}").data)["hits"]]
    with Store(demo) as store:  # a commit whose process died before its index update
        ingest_paths(store, [one_row_file(tmp_path)])
    cat = app.extensions["catalogue"]
    client.get("/")  # the request notices the gap and starts a catch-up beside it
    cat._background.join(timeout=60)
    assert cat.in_step()
    found = json.loads(client.get(f"/search.json?q={QUERY}").data)
    assert [h["key"] for h in found["hits"]][:1] == ["iso-12238-2023"]
    cat.close()
