"""Durability you can state (issue 14, Deliver 4; docs/durability.md says what survives what).

- Kill points stepped through EVERY write of an ingest and of a reindex (tests/crashkit.py
  numbers them: SQLite commits, file opens and closes, fsyncs, renames, removals): at each, the
  child dies by SIGKILL and leaves its home as a killed process does, and a second copy as the
  disk would hold it after a power cut at that instant (only what was fsynced). Both open
  with an intact store in a committed state, and an index that catches up by replaying the
  write log, never by a rebuild; the next run completes and removes what the killed one left.
- I/O errors (EIO, ENOSPC) and MemoryError injected at every write of the index and at the
  store's commit: a clear sentence, no traceback, the store whole, the index repaired next time.
- Two ingests at once: both land, nothing is lost, the index ends in step. A locked store is
  reported as another process writing. A bounded soak mixes ingests, kills and searches.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from catalogue.edges.service import Catalogue
from conftest import FIXTURES, ROOT
from crashkit import ForkServer, read_points
from faultkit import (
    child_env,
    cli_command,
    copy_home,
    generation_folders,
    in_step,
    integrity,
    run_cli,
    store_keys,
)

pytestmark = pytest.mark.slow

SMALL = FIXTURES / "catalogue" / "small.jsonl"
#: One file that changes a record already there (a Chinese title) and adds two.
CHANGE = [{"designation": "ISO 5208:2015", "titles": {"zh": "工业阀门 金属阀门的压力试验"}},
          {"designation": "ISO 9901:2020", "titles": {"en": "Durability test one"}},
          {"designation": "ISO 9902:2020", "titles": {"en": "Durability test two"}}]


@pytest.fixture(scope="module")
def small_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("base") / "home"
    done = run_cli(home, "ingest", SMALL)
    assert done.returncode == 0, done.stderr
    return home


@pytest.fixture(scope="module")
def change_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("inputs") / "change.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in CHANGE), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def forks(small_home):
    server = ForkServer({"CRASHKIT_NOSYNC": "1", "CRASHKIT_WARM": str(small_home)})
    yield server
    server.close()


def store_state(home: Path) -> tuple[frozenset, bool]:
    """What the store holds, as far as the change file can move it: (keys, whether ISO 5208:2015 has its zh title)."""
    import sqlite3

    con = sqlite3.connect(f"file:{home / 'catalogue.sqlite3'}?mode=ro", uri=True)
    try:
        titles = con.execute("SELECT titles FROM standards WHERE key = 'iso-5208-2015'").fetchone()[0]
    finally:
        con.close()
    return store_keys(home), "工业阀门" in titles


def index_agrees(forks, home: Path, allowed=("in-step", "replayed")) -> str:
    """Open the catalogue as the next run does (in a forked child, tests/crashkit.py check_home):
    the index holds the store's keys and titles, reached by ``allowed`` (a replay, never a
    rebuild); answers what opening did."""
    found = forks.check(home, home.parent / f"{home.name}.check.err")
    assert found["action"] in allowed, found
    assert found["keys_agree"], found
    assert found["hit"] == "iso-5208-2015" and found["hit_zh"] == found["store_zh"], found
    assert "Traceback" not in found["stderr"], found["stderr"]
    assert in_step(home)
    return found["action"]


def leftovers(home: Path) -> list[str]:
    """Temporary files a killed run left in the index folder or the folder in use."""
    from index.writer import current_generation

    index = home / "index"
    found = [p.name for p in index.glob("*.tmp")]
    current = current_generation(index)
    if current is not None:
        found += [p.name for p in current.glob("*.tmp")]
    return found


def count_points(forks, home: Path, argv: list, tmp_path: Path, **env) -> list[dict]:
    log = tmp_path / "points.jsonl"
    status, stderr = forks.run(["--home", home, *argv], {"CRASHKIT_LOG": str(log), **env}, tmp_path / "count.err")
    assert status == 0, stderr
    return read_points(log)


# ------------------------------------------------------------------ kill points and power cuts

#: Each stepping test is split into PARTS tests (part k takes the points n with n % PARTS == k):
#: together they take every point; apart, each stays within a minute on a shared 2-core machine.
PARTS = 4
#: A rebuild inside an ingest has 158 write points and each trial's next open rebuilds: eight parts.
REBUILD_PARTS = 8


def step_kill_points(forks, base: Path, argv: list, tmp_path: Path, states: list, allowed_after_kill: tuple,
                     part: int = 0, parts: int = 1):
    """Kill at every write point of ``argv`` (those of ``part`` of ``parts``) in turn; check the
    crash and power-cut images."""
    points = count_points(forks, copy_home(base, tmp_path / "counted"), argv, tmp_path)
    kinds = Counter(p["kind"] for p in points)
    print("write points", len(points), dict(kinds))
    outcomes = Counter()
    first = int(os.environ.get("KILLPOINTS_FROM") or 1)  # to replay a failure from its point on
    for point in points[first - 1:]:
        if point["n"] % parts != part:
            continue
        n = point["n"]
        home, cut = tmp_path / f"k{n}", tmp_path / f"p{n}"
        copy_home(base, home)
        status, stderr = forks.run(["--home", home, *argv], {"CRASHKIT_AT": str(n), "CRASHKIT_POWERCUT": str(cut)},
                                   tmp_path / f"k{n}.err")
        where = f"point {n} ({point['kind']} {point['path'].replace(str(home), '')})"
        assert status == -9, (where, stderr)
        assert "Traceback" not in stderr, where
        for image, name in ((home, "killed"), (cut, "power cut")):
            assert integrity(image) == "ok", (where, name)
            assert store_state(image) in states, (where, name)
            outcomes[(name, index_agrees(forks, image, allowed_after_kill))] += 1
        # the next run completes, and leaves no folder or temporary file of the killed one
        status, stderr = forks.run(["--home", home, *argv], {}, tmp_path / f"k{n}.rerun.err")
        assert status == 0 and "Traceback" not in stderr, (where, stderr)
        assert store_state(home) == states[-1], where
        assert in_step(home) and leftovers(home) == [], (where, leftovers(home))
        assert len(generation_folders(home)) <= 2, (where, generation_folders(home))
        shutil.rmtree(home)
        shutil.rmtree(cut)
    print("outcomes", dict(outcomes))
    return points


@pytest.mark.parametrize("part", range(PARTS))
def test_a_kill_or_a_power_cut_at_every_write_of_an_ingest_costs_a_replay_never_a_rebuild(
        forks, small_home, change_file, tmp_path, part):
    before = store_state(small_home)
    after = (before[0] | {"iso-9901-2020", "iso-9902-2020"}, True)
    points = step_kill_points(forks, small_home, ["ingest", change_file], tmp_path, [before, after],
                              ("in-step", "replayed"), part, PARTS)
    kinds = {p["kind"] for p in points}
    # every kind of write the ingest makes was a kill point
    assert {"commit", "committed", "open-write", "close-write", "fsync", "replace", "unlink"} <= kinds, kinds


@pytest.mark.parametrize("part", range(PARTS))
def test_a_kill_or_a_power_cut_at_every_write_of_a_reindex_leaves_the_index_in_use(forks, small_home, tmp_path, part):
    state = store_state(small_home)
    points = step_kill_points(forks, small_home, ["reindex"], tmp_path, [state], ("in-step", "replayed"), part, PARTS)
    assert {"mkdir", "open-write", "fsync", "replace", "rmtree"} <= {p["kind"] for p in points}


@pytest.mark.parametrize("part", range(REBUILD_PARTS))
def test_a_kill_at_every_write_of_a_rebuild_during_an_ingest(forks, small_home, change_file, tmp_path, part):
    # The index folder is gone, so the ingest's catch-up rebuilds it: kill points through a
    # rebuild that runs inside an ingest (the next run may rebuild again: the index was missing).
    base = copy_home(small_home, tmp_path / "no-index")
    shutil.rmtree(base / "index")
    before = store_state(small_home)
    after = (before[0] | {"iso-9901-2020", "iso-9902-2020"}, True)
    step_kill_points(forks, base, ["ingest", change_file], tmp_path, [before, after], ("in-step", "replayed", "rebuilt"),
                     part, REBUILD_PARTS)


# ------------------------------------------------------------------ I/O errors and no memory

@pytest.mark.parametrize("part", range(PARTS))
def test_an_io_error_at_every_index_write_of_an_ingest_lands_the_store_and_is_repaired_next(
        forks, small_home, change_file, tmp_path, part):
    counted = count_points(forks, copy_home(small_home, tmp_path / "counted"), ["ingest", change_file], tmp_path,
                           CRASHKIT_UNDER=str(tmp_path / "counted" / "index"))
    # the store's COMMIT counts among them too (its errors are the next test's): the index's writes only
    index_points = [p for p in counted if p["kind"] not in ("commit", "committed")]
    by_number = {p["n"]: p for p in index_points}
    # every write point under the index folder gets EIO; every fourth ENOSPC and MemoryError as well
    trials = [(p["n"], "eio") for p in index_points] + [(p["n"], a) for p in index_points[::4] for a in ("enospc", "nomem")]
    trials = trials[part::PARTS]
    after = (store_state(small_home)[0] | {"iso-9901-2020", "iso-9902-2020"}, True)
    outcomes = Counter()
    for n, action in trials:
        home = copy_home(small_home, tmp_path / f"e{n}-{action}")
        status, stderr = forks.run(["--home", home, "ingest", change_file],
                                   {"CRASHKIT_AT": str(n), "CRASHKIT_ACTION": action, "CRASHKIT_UNDER": str(home / "index")},
                                   tmp_path / f"e{n}.err")
        where = f"{action} at index point {n} ({by_number[n]['kind']} {by_number[n]['path']})"
        assert "Traceback" not in stderr, (where, stderr)
        assert status == 0, (where, stderr)  # the file landed: the store is the catalogue of record
        assert integrity(home) == "ok" and store_state(home) == after, where
        said = [line for line in stderr.splitlines() if "search index" in line]
        assert len(said) <= 1, (where, said)  # an index problem is said once
        outcomes[index_agrees(forks, home, ("in-step", "replayed", "rebuilt"))] += 1
        assert leftovers(home) == [], (where, leftovers(home))
        shutil.rmtree(home)
    print("outcomes", dict(outcomes), "of", len(trials), "trials")


@pytest.mark.parametrize("action, sentence", [
    ("eio", "could not be written (disk I/O error); nothing of {file} was written."),
    ("enospc", "is full (database or disk is full); nothing of {file} was written."),
    ("nomem", "ran out of memory while reading or writing {file}; nothing of it was written."),
])
def test_an_error_at_the_stores_commit_is_one_sentence_and_changes_nothing(forks, small_home, change_file, tmp_path,
                                                                           action, sentence):
    home = copy_home(small_home, tmp_path / "home")
    before = store_state(home)
    status, stderr = forks.run(["--home", home, "ingest", change_file],
                               {"CRASHKIT_AT": "1", "CRASHKIT_KINDS": "commit", "CRASHKIT_ACTION": action},
                               tmp_path / "err")
    assert status == 2 and "Traceback" not in stderr, stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("Error: the ") and last.endswith(sentence.format(file=change_file)), last
    assert integrity(home) == "ok" and store_state(home) == before
    index_agrees(forks, home, ("in-step",))


# ------------------------------------------------------------------ two writers

def test_two_ingests_at_once_both_land_and_the_index_ends_in_step(small_home, tmp_path):
    from faultkit import split_jsonl
    from catalogue.demo import demo_files

    home = copy_home(small_home, tmp_path / "home")
    demo = {p.name: p for p in demo_files()}
    first = split_jsonl(demo["iso.jsonl"], tmp_path / "a", 3)
    second = split_jsonl(demo["gb.jsonl"], tmp_path / "b", 3) + [demo["iec.jsonl"]]
    procs = [subprocess.Popen(cli_command(home, "ingest", *files), cwd=ROOT, env=child_env(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for files in (first, second)]
    errors = [p.communicate(timeout=600)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    assert not any("Traceback" in e for e in errors)
    from faultkit import keys_in_file

    expected = store_keys(small_home).union(*(keys_in_file(f) for f in first + second))
    assert store_keys(home) == expected
    assert integrity(home) == "ok"
    assert in_step(home)
    with Catalogue(home) as cat:
        assert cat.index.keys() == set(expected)
        assert cat.last_catch_up.action == "in-step"  # each run left it in step


def test_a_locked_store_is_another_process_writing_not_a_write_failure(small_home, change_file, tmp_path):
    home = copy_home(small_home, tmp_path / "home")
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys, time\n"
        f"db = sqlite3.connect({str(home / 'catalogue.sqlite3')!r}, isolation_level=None)\n"
        "db.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(60)\n")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        before = store_state(home)
        started = time.monotonic()
        done = subprocess.run(cli_command(home, "ingest", change_file), cwd=ROOT, capture_output=True, text=True,
                              env={**child_env(), "CATALOGUE_INGEST_WAIT": "2"}, timeout=120)
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[0] == f"another process is writing the catalogue {home / 'catalogue.sqlite3'}; waiting for it (up to 2 s)"
    assert lines[-1] == (f"Error: another process is writing the catalogue {home / 'catalogue.sqlite3'} (waited 2 s for it); "
                         f"nothing of {change_file} was written: try again when it has finished.")
    assert "could not be written" not in done.stderr
    assert 2 <= waited < 30
    assert store_state(home) == before
    zh = subprocess.run(cli_command(home, "--lang", "zh", "ingest", change_file), cwd=ROOT, capture_output=True, text=True,
                        env=child_env(), timeout=120)
    assert zh.returncode == 0, zh.stderr  # the lock is gone: it lands
    assert store_state(home)[1]


# ------------------------------------------------------------------ a bounded soak

SOAK_SECONDS = 30


def test_soak_ingests_kills_and_searches_for_half_a_minute(forks, small_home, tmp_path):
    """Ingests of demo slices (some killed at a random moment, with a searcher running), for
    SOAK_SECONDS; after each round the store is whole and the index catches up by replaying."""
    import random

    from catalogue.demo import demo_files
    from faultkit import keys_in_file, kill_after, split_jsonl

    rng = random.Random(20261202)
    home = copy_home(small_home, tmp_path / "home")
    demo = {p.name: p for p in demo_files()}
    slices = split_jsonl(demo["iso.jsonl"], tmp_path / "iso", 6) + split_jsonl(demo["gb.jsonl"], tmp_path / "gb", 3)
    expected = set(store_keys(home))
    searcher = subprocess.Popen([sys.executable, str(ROOT / "tests" / "faultkit.py"), "search-loop", str(home),
                                 str(tmp_path / "seen.jsonl"), str(tmp_path / "stop"), json.dumps(["valves", "ISO 5208"]),
                                 "soak", "0.05"], cwd=ROOT, env=child_env(), stdout=subprocess.PIPE, text=True)
    rounds = Counter()
    try:
        assert searcher.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + SOAK_SECONDS
        while time.monotonic() < deadline:
            files = rng.sample(slices, 2)
            if rng.random() < 0.5:
                kill = kill_after(home, ["ingest", *files], rng.uniform(0.3, 3.0))
                assert "Traceback" not in kill.stderr
                rounds["killed" if not kill.finished_first else "finished"] += 1
                with Catalogue(home) as cat:  # the next run catches up (or finds the searcher doing it)
                    cat.index  # noqa: B018
                    assert cat.last_catch_up.action in ("in-step", "replayed", "busy"), cat.last_catch_up
            else:
                done = run_cli(home, "ingest", *files)
                assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
                expected |= set().union(*(keys_in_file(f) for f in files))
                rounds["ingested"] += 1
            assert integrity(home) == "ok"
            assert expected <= store_keys(home)  # nothing that landed is ever lost
    finally:
        (tmp_path / "stop").touch()
        searcher.wait(timeout=60)
        searcher.stdout.close()
    print("soak rounds", dict(rounds))
    assert searcher.returncode == 0
    errors = [json.loads(line) for line in (tmp_path / "seen.jsonl").read_text().splitlines()]
    assert errors and all(o["error"] is None for o in errors), [o for o in errors if o["error"]][:3]
    done = run_cli(home, "ingest", *slices)
    assert done.returncode == 0, done.stderr
    index_agrees(forks, home)
    assert leftovers(home) == [] and len(generation_folders(home)) <= 2


# ------------------------------------------------------------------ a kill on a real archive slice

@pytest.mark.realdata
def test_after_a_kill_on_a_real_archive_slice_the_first_search_catches_up_instead_of_rebuilding(tmp_path):
    """Issue 14: "after a kill ... the first search afterwards rebuilds for 91-171 s". Real ISO
    Relaton records (../shared/data), 900 of them in three archives: two land, the third is
    killed by SIGKILL just after the store committed it, before its index update. The first
    `catalogue search` replays what the killed run wrote (the generation folder in use stays
    the one it was, nothing says rebuilding) and finds the killed file's records."""
    from conftest import shared_file
    from crashkit import traced_command
    from faultkit import keys_in_file, slice_relaton_archive
    from index.writer import current_generation

    archive = shared_file("iso", "relaton", "iso-relaton-yaml.tar.xz")
    parts = slice_relaton_archive(archive, tmp_path / "slices", 900, parts=3)
    home = tmp_path / "home"
    done = run_cli(home, "ingest", *parts[:2])
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr
    landed = store_keys(home)
    folder_before = current_generation(home / "index").name

    killed = subprocess.run(traced_command("--home", home, "ingest", parts[2]), cwd=ROOT, capture_output=True,
                            text=True, timeout=300,
                            env={**child_env(), "CRASHKIT_AT": "1", "CRASHKIT_KINDS": "committed"})
    assert killed.returncode == -9 and "Traceback" not in killed.stderr, killed.stderr
    new = store_keys(home) - landed
    assert new and keys_in_file(parts[2]) <= store_keys(home)  # the third archive landed whole in the store
    assert integrity(home) == "ok" and not in_step(home)
    probe = sorted(new)[len(new) // 2]
    with Catalogue(home) as cat:  # the store alone: the index is not opened
        designation = cat.store.get(probe).designation

    started = time.monotonic()
    first = run_cli(home, "search", designation)
    search_seconds = time.monotonic() - started
    assert first.returncode == 0 and "Traceback" not in first.stderr, first.stderr
    assert "rebuilding" not in first.stderr, first.stderr
    assert current_generation(home / "index").name == folder_before  # caught up in place: no new build
    assert in_step(home)
    assert designation in first.stdout, first.stdout[:2000]
    with Catalogue(home) as cat:
        cat.index  # noqa: B018
        assert cat.last_catch_up.action == "in-step", cat.last_catch_up
        assert cat.index.keys() == set(cat.store.keys())
        assert probe in {h["key"] for h in cat.search(designation, page_size=5).to_json()["hits"]}

    started = time.monotonic()
    assert run_cli(home, "reindex").returncode == 0
    print("records", len(store_keys(home)), "killed file", len(new), "first search %.1f s" % search_seconds,
          "a rebuild %.1f s" % (time.monotonic() - started))
