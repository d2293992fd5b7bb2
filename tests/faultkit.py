"""Helpers for the fault and concurrency tiers: run the real command in a child process, kill
it, and judge what it left behind.

Also a small child-process entry point (``python tests/faultkit.py MODE ...``) for the two
jobs the command line cannot do by itself: an ingest that logs the search totals after every
committed file (the committed states concurrent searchers may see), and a search loop that
records every answer it got.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "catalogue.sqlite3"


# ------------------------------------------------------------------------- running the command
def cli_command(home: Path, *args) -> list[str]:
    """The argv of `catalogue --home HOME ARGS...` run as a child: ['python', '-m', 'catalogue.cli', ...]."""
    return [sys.executable, "-m", "catalogue.cli", "--home", str(home), *map(str, args)]


def child_env() -> dict[str, str]:
    """The child's environment: English messages, and the repository importable."""
    env = dict(os.environ)
    env["CATALOGUE_LANG"] = "en"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def run_cli(home: Path, *args, timeout: float = 300, preexec_fn=None) -> subprocess.CompletedProcess:
    """Run `catalogue --home HOME ARGS...` to the end; e.g. run_cli(home, 'ingest', 'a.jsonl')."""
    return subprocess.run(cli_command(home, *args), cwd=ROOT, env=child_env(), capture_output=True, text=True,
                          timeout=timeout, preexec_fn=preexec_fn)


@dataclass
class Kill:
    """What one SIGKILL trial did: how long the child ran and whether it had already finished."""

    delay: float
    finished_first: bool
    returncode: int
    stderr: str


def kill_after(home: Path, args: list, delay: float) -> Kill:
    """Start `catalogue --home HOME ARGS...`, SIGKILL it ``delay`` seconds later, and wait.

    Example: kill_after(home, ['ingest', 'iso.jsonl'], 1.25).
    """
    proc = subprocess.Popen(cli_command(home, *args), cwd=ROOT, env=child_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        proc.wait(timeout=delay)
        finished = True
    except subprocess.TimeoutExpired:
        finished = False
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    stderr = proc.stderr.read()
    proc.stderr.close()
    return Kill(delay, finished, proc.returncode, stderr)


def seeded_random(seed: int) -> random.Random:
    """A random source whose seed is printed, so a failing trial can be replayed (FAULT_SEED=...)."""
    print(f"fault seed {seed}")
    return random.Random(seed)


def base_seed() -> int:
    """FAULT_SEED from the environment, else a fixed default so CI runs the same delays."""
    return int(os.environ.get("FAULT_SEED", "20261125"))


# ------------------------------------------------------------------------- judging the catalogue
def open_readonly(home: Path) -> sqlite3.Connection:
    """A read-only connection to a catalogue's SQLite file (it never creates or migrates)."""
    return sqlite3.connect(f"file:{home / DB_NAME}?mode=ro", uri=True)


def integrity(home: Path) -> str:
    """SQLite's own verdict on the file: 'ok' when whole."""
    con = open_readonly(home)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def store_keys(home: Path) -> frozenset[str]:
    """Every record key in the store, read straight from SQLite."""
    con = open_readonly(home)
    try:
        return frozenset(r[0] for r in con.execute("SELECT key FROM standards"))
    finally:
        con.close()


def table_counts(home: Path) -> dict[str, int]:
    """Rows per table that ingest writes besides records (trees, committees): for all-or-nothing checks."""
    con = open_readonly(home)
    try:
        return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("standards", "classifications", "committees", "relations", "provenance")}
    finally:
        con.close()


_KEYS_CACHE: dict[Path, frozenset[str]] = {}


def keys_in_file(path: Path) -> frozenset[str]:
    """The record keys one file brings (its reader's records that pass validation), e.g. for
    'gb.jsonl' {'gb-t-20223-2018', ...}; computed in-process with the ingest's own reader."""
    path = Path(path)
    if path not in _KEYS_CACHE:
        from catalogue.records import Standard
        from ingest.detect import detect_format
        from ingest.pipeline import complete_record

        module = detect_format(path)
        keys = set()
        for reading in module.read(path):
            if reading.problem is None and isinstance(reading.item, Standard) and complete_record(reading.item) is None:
                keys.add(reading.item.key)
        _KEYS_CACHE[path] = frozenset(keys)
    return _KEYS_CACHE[path]


def committed_states(before: frozenset[str], files: list[Path]) -> list[frozenset[str]]:
    """The key sets a run over ``files`` may leave: before, then after each whole file."""
    states = [before]
    for path in files:
        states.append(states[-1] | keys_in_file(path))
    return states


def copy_home(base: Path, dest: Path) -> Path:
    """A private copy of a prepared catalogue for one trial (no process has it open)."""
    shutil.copytree(base, dest)
    return dest


def raw_index_state(home: Path) -> tuple[bool, int | None]:
    """The index as the killed process left it, before any Catalogue repairs it: (healthy, count)."""
    from index import SearchIndex

    idx = SearchIndex(home / "index")
    try:
        if not idx.healthy():
            return False, None
        return True, idx.count()
    finally:
        idx.close()


def raw_generations(home: Path) -> tuple[int, int | None]:
    """(store generation, index generation) as a killed process left them, read without opening
    a Catalogue (which would catch up)."""
    import sqlite3

    from index.writer import current_generation, read_applied

    db = sqlite3.connect(f"file:{home / DB_NAME}?mode=ro", uri=True)
    try:
        store_gen = db.execute("SELECT COALESCE(MAX(generation), 0) FROM write_log").fetchone()[0]
    finally:
        db.close()
    return store_gen, read_applied(current_generation(home / "index"))


def in_step(home: Path) -> bool:
    """Whether the index reflects the store's last write (the one answer to "is it in step")."""
    store_gen, index_gen = raw_generations(home)
    return store_gen == index_gen


def generation_folders(home: Path) -> list[str]:
    """The index generation folders on disk (gen-<time>-<pid>)."""
    return sorted(p.name for p in (home / "index").iterdir() if p.is_dir() and p.name.startswith("gen-"))


# ------------------------------------------------------------------------- real archive slices
def slice_relaton_archive(archive: Path, dest_dir: Path, members: int, parts: int = 1,
                          stem: str = "iso-relaton-slice") -> list[Path]:
    """Re-pack the first ``members`` YAML files of a real Relaton .tar.xz as ``parts`` .tar.gz
    archives under ``dest_dir`` (names keep 'relaton' so the reader is detected); e.g.
    slice_relaton_archive(iso_tar_xz, tmp, 3000) -> [tmp/iso-relaton-slice-1.tar.gz]."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    per_part = -(-members // parts)
    out: list[Path] = []
    writer = None
    taken = 0
    with tarfile.open(archive, "r:*") as tin:
        for member in tin:
            if not member.isfile() or not member.name.endswith((".yaml", ".yml")):
                continue
            if taken % per_part == 0:
                if writer is not None:
                    writer.close()
                out.append(dest_dir / f"{stem}-{len(out) + 1}.tar.gz")
                writer = tarfile.open(out[-1], "w:gz", compresslevel=1)
            writer.addfile(member, tin.extractfile(member))
            taken += 1
            if taken >= members:
                break
    if writer is not None:
        writer.close()
    return out


def split_jsonl(source: Path, dest_dir: Path, parts: int) -> list[Path]:
    """Cut a catalogue JSON-lines file into ``parts`` files of whole lines (each one commit)."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    per_part = -(-len(lines) // parts)
    dest_dir.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(parts):
        chunk = lines[i * per_part:(i + 1) * per_part]
        if chunk:
            out.append(dest_dir / f"{source.stem}-{i + 1:02d}.jsonl")
            out[-1].write_text("".join(chunk), encoding="utf-8")
    return out


# ------------------------------------------------------------------------- child entry points
@dataclass
class Observation:
    """One search answer seen by a searcher: which query, the total, or the error it raised."""

    who: str
    query: str
    total: int | None = None
    error: str | None = None
    at: float = field(default_factory=time.monotonic)


def search_totals(cat, queries: list[str]) -> dict[str, int]:
    """The total hits of each probe query in one catalogue, e.g. {'valves': 412, ...}."""
    return {q: cat.search(q, page_size=5, facets=True).total for q in queries}


def _child_ingest_logged(home: str, log_path: str, queries: list[str], files: list[str]) -> int:
    """Ingest ``files`` one commit each; after every file's index update append the probe totals
    to ``log_path``: these are the committed states searchers may see."""
    from catalogue.edges.service import Catalogue

    with Catalogue(home) as cat, open(log_path, "a", encoding="utf-8") as log:
        def write_state(label: str) -> None:
            log.write(json.dumps({"after": label, "totals": search_totals(cat, queries),
                                  "records": cat.store.count(), "indexed": cat.index.count()}) + "\n")
            log.flush()

        write_state("start")
        original = cat.update_index
        updates = 0

        def update_and_log(keys):
            nonlocal updates
            original(keys)
            updates += 1
            write_state(f"file {updates}")

        cat.update_index = update_and_log
        report = cat.ingest([Path(f) for f in files])
        log.write(json.dumps({"done": True, "added": report.added, "rejected": report.rejected}) + "\n")
    return 0


def _child_search_loop(home: str, out_path: str, stop_path: str, queries: list[str], who: str,
                       pause: float = 0.005) -> int:
    """Search the probe queries in a loop until ``stop_path`` exists, ``pause`` seconds apart;
    one JSON line per answer."""
    from catalogue.edges.service import Catalogue

    with Catalogue(home) as cat, open(out_path, "w", encoding="utf-8") as out:
        cat.index  # open (and if needed repair) before saying ready
        print("ready", flush=True)
        while not os.path.exists(stop_path):
            for q in queries:
                try:
                    obs = Observation(who, q, total=cat.search(q, page_size=5).total)
                except Exception as exc:  # the test counts every error; none may happen
                    obs = Observation(who, q, error=f"{type(exc).__name__}: {exc}")
                out.write(json.dumps(obs.__dict__) + "\n")
                time.sleep(pause)  # leave the ingest a share of the cores
        out.flush()
    return 0


def _child_kill_before_index(home: str, files: list[str]) -> int:
    """Ingest ``files`` but die by SIGKILL just after the store committed the first file, before
    its index update: the narrowest window of a real kill, made certain."""
    from catalogue.edges.service import Catalogue

    with Catalogue(home) as cat:
        def die(keys):
            os.kill(os.getpid(), signal.SIGKILL)

        cat.update_index = die
        cat.ingest([Path(f) for f in files])
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    mode, rest = sys.argv[1], sys.argv[2:]
    if mode == "ingest-logged":
        home_arg, log_arg, queries_arg, *file_args = rest
        sys.exit(_child_ingest_logged(home_arg, log_arg, json.loads(queries_arg), file_args))
    if mode == "search-loop":
        home_arg, out_arg, stop_arg, queries_arg, who_arg, pause_arg = rest
        sys.exit(_child_search_loop(home_arg, out_arg, stop_arg, json.loads(queries_arg), who_arg,
                                    float(pause_arg)))
    if mode == "kill-before-index":
        home_arg, *file_args = rest
        sys.exit(_child_kill_before_index(home_arg, file_args))
    sys.exit(f"unknown mode {mode!r}")
