"""Replication (issue 17): a three-node Typesense cluster on loopback (Raft, one node list file)
keeps answering while a node is killed, and the node catches up with the writes it missed.

Searches run without pause in a thread through the catalogue's own backend (the client is
given all three nodes); one node is killed with SIGKILL mid-way; records are written while it
is down; then it is started again on its data folder and, asked alone, answers with them.
"""
from __future__ import annotations

import threading
import time

import pytest

from catalogue.records import Standard
from index.glossary import Glossary
from index.typesense_backend import TypesenseIndex, TypesenseSettings

pytestmark = [pytest.mark.typesense, pytest.mark.slow]

#: How long the searching thread runs at most, and how many searches it makes at most.
SEARCH_SECONDS = 90.0
SEARCH_LIMIT = 20000


def _records(store, count: int) -> list[Standard]:
    return [r for _, r in zip(range(count), store.iter_records())]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    import secrets

    from index.typesense_server import ServerMissing, start_nodes

    try:
        nodes = start_nodes(tmp_path_factory.mktemp("cluster"), 3, api_key=secrets.token_hex(12))
    except ServerMissing as exc:
        pytest.fail(f"{exc} The cluster test needs three of these servers.", pytrace=False)
    yield nodes
    for node in nodes:
        node.stop()


def _index_on(nodes, collection: str) -> TypesenseIndex:
    settings = TypesenseSettings(nodes=tuple(n.url for n in nodes), api_key=nodes[0].api_key,
                                 collection=collection, timeout=1.0)
    return TypesenseIndex(settings=settings, glossary=Glossary([]))


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except Exception:  # noqa: BLE001 - a node still starting answers with errors
            pass
        time.sleep(0.25)
    pytest.fail(f"{what} within {timeout:g} s")


def test_a_cluster_keeps_answering_through_a_lost_node_and_the_node_catches_up(cluster, tmp_path):
    from catalogue.edges.service import Catalogue
    from click.testing import CliRunner

    from catalogue.cli import main

    home = tmp_path / "demo"
    assert CliRunner().invoke(main, ["--home", str(home), "init", "--demo"]).exit_code == 0
    with Catalogue(home) as cat:
        records = _records(cat.store, 600)
        extras = cat.extras_for([r.key for r in records])
    first, later = records[:500], records[500:]
    idx = _index_on(cluster, "replicated")
    assert idx.rebuild(first, extras, generation=1) == 500
    # every node holds the collection (a write goes through the leader and is replicated)
    for node in cluster:
        alone = _index_on([node], "replicated")
        _wait(lambda: alone.count() == 500, 30, f"node {node.url} did not hold the 500 records")

    probe = first[0]
    answers: list[int] = []
    errors: list[str] = []
    stop = threading.Event()

    def keep_searching() -> None:
        searcher = _index_on(cluster, "replicated")
        started = time.monotonic()
        while not stop.is_set() and len(answers) + len(errors) < SEARCH_LIMIT \
                and time.monotonic() - started < SEARCH_SECONDS:
            try:
                result = searcher.search(probe.designation, facets=True)
                answers.append(result.total)
                if not result.hits or result.hits[0]["key"] != probe.key:
                    errors.append(f"wrong answer: {[h['key'] for h in result.hits[:3]]}")
            except Exception as exc:  # noqa: BLE001 - counted: the test wants none
                errors.append(f"{type(exc).__name__}: {exc}")

    thread = threading.Thread(target=keep_searching, daemon=True)
    thread.start()
    time.sleep(1.0)
    victim = cluster[0]
    victim.kill()
    during = len(answers)
    # written while the node is down: the two others are a majority and accept writes
    _wait(lambda: idx.update(later, extras, generation=2) is None, 60, "the cluster did not accept writes")
    # a follower answers reads from its own copy: the write shows there once replicated
    _wait(lambda: idx.applied_generation() == 2, 30, "the surviving nodes did not show generation 2")
    time.sleep(1.0)
    after_kill = len(answers) - during
    victim.start()
    victim.wait_healthy(timeout=90)
    stop.set()
    thread.join(timeout=30)

    assert errors == []
    assert answers and after_kill > 0, "no search ran while the node was down"
    # the restarted node, asked alone, has caught up with what it missed
    alone = _index_on([victim], "replicated")
    _wait(lambda: alone.count() == 600, 60, "the restarted node did not catch up with the 100 records")
    assert {r.key for r in later} <= alone.keys()
    assert alone.applied_generation() == 2
    assert alone.search(later[-1].designation).hits[0]["key"] == later[-1].key
