"""Kill points and a power-cut model for the fault tier: run `catalogue ...` in a child that
numbers every write it makes, and at the N-th one dies by SIGKILL (or fails with an I/O error,
a full disk or no memory), optionally leaving a copy of the home as the disk would hold it
after a power cut at that instant.

    python tests/crashkit.py --home H ingest a.jsonl      (the catalogue command line, traced)

Environment (all optional; without CRASHKIT_AT the run only logs its writes):
- CRASHKIT_LOG: append one JSON line per write point ({"n", "kind", "path"}) to this file;
- CRASHKIT_AT: the write point (1-based) at which to act; CRASHKIT_ACTION: kill | eio | enospc | nomem;
- CRASHKIT_KINDS: comma-separated kinds that count (default all), CRASHKIT_UNDER: only paths
  under this folder count (commits always do) - e.g. the index folder, for index-layer errors;
- CRASHKIT_POWERCUT: before the kill, write the power-cut image of the home into this folder;
- CRASHKIT_NOSYNC: count and model every fsync but skip the real flush. The power-cut image is
  the model's (what was fsynced, not what the disk happened to keep), and a SIGKILL keeps the
  page cache, so a real flush changes no outcome; on a shared disk it costs most of a trial.

Write points, each counted *before* it happens: ``commit`` (SQLite COMMIT) and ``committed``
(just after it returned), ``open-write`` (a file created or opened for writing), ``close-write``
(a file written is closed: Python's buffer still unflushed), ``fsync``, ``replace`` (a rename),
``unlink``, ``mkdir``, ``rmtree``.

The power-cut model (what survives, docs/durability.md):
- a file's content is what it held at its last fsync (a file never synced is empty; a file that
  was already there when the run began, its content then);
- a folder's entries (creations, renames, removals) are those it held at its last fsync (POSIX:
  a name is durable once its folder is synced), else those it held when the run began;
- SQLite's files are copied as they are: with ``synchronous=FULL`` every COMMIT that returned has
  reached the disk, and what the unfinished transaction wrote into the WAL carries no commit
  frame, which SQLite's recovery ignores. (The model trusts the disk to keep what it was told
  to flush; it does not model a disk that lies, or torn sectors.)
"""
from __future__ import annotations

import builtins
import errno
import io
import json
import os
import shutil
import signal
import sqlite3
import stat
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_FILES = ("catalogue.sqlite3", "catalogue.sqlite3-wal")


class Tracer:
    """Numbers the writes under ``home`` and acts at one of them (see the module docstring)."""

    def __init__(self, home: Path):
        self.home = str(home.resolve())
        env = os.environ
        self.log_path = env.get("CRASHKIT_LOG")
        self.at = int(env.get("CRASHKIT_AT") or 0)
        self.action = env.get("CRASHKIT_ACTION", "kill")
        self.kinds = set(filter(None, env.get("CRASHKIT_KINDS", "").split(",")))
        self.under = str(Path(env["CRASHKIT_UNDER"]).resolve()) if env.get("CRASHKIT_UNDER") else None
        self.powercut = env.get("CRASHKIT_POWERCUT")
        self.nosync = bool(env.get("CRASHKIT_NOSYNC"))
        self.count = 0
        self.quiet = threading.local()
        self.real = {"open": builtins.open, "os_open": os.open, "fsync": os.fsync, "fdatasync": os.fdatasync,
                     "replace": os.replace, "rename": os.rename, "unlink": os.unlink, "remove": os.remove,
                     "rmdir": os.rmdir, "mkdir": os.mkdir, "rmtree": shutil.rmtree, "connect": sqlite3.connect}
        # the power-cut model: what each inode held at its last fsync, what each folder listed
        self.births: dict[int, int] = {}
        self.born = 0
        self.synced: dict[tuple[int, int], bytes] = {}
        self.listed: dict[str, dict[str, tuple[int, int, bool]]] = {}
        self._record_start()

    # ------------------------------------------------------------------ the model
    def _record_start(self) -> None:
        """Everything already under the home is taken as on the disk (a finished run wrote it)."""
        index = os.path.join(self.home, "index")
        if not os.path.isdir(index):
            return
        for folder, dirs, files in os.walk(index):
            self.listed[folder] = self._listing(folder)
            for name in files:
                path = os.path.join(folder, name)
                with self.real["open"](path, "rb") as fp:
                    self.synced[(os.stat(path).st_ino, 0)] = fp.read()

    def _listing(self, folder: str) -> dict[str, tuple[int, int, bool]]:
        out = {}
        with os.scandir(folder) as entries:
            for e in entries:
                st = e.stat(follow_symlinks=False)
                out[e.name] = (st.st_ino, self.births.get(st.st_ino, 0), stat.S_ISDIR(st.st_mode))
        return out

    def _note_birth(self, fd: int) -> None:
        self.born += 1
        self.births[os.fstat(fd).st_ino] = self.born

    def _note_fsync(self, fd: int) -> None:
        st = os.fstat(fd)
        path = os.readlink(f"/proc/self/fd/{fd}")
        if not path.startswith(self.home + os.sep) or path.endswith(" (deleted)"):
            return
        if stat.S_ISDIR(st.st_mode):
            self.listed[path] = self._listing(path)
        elif stat.S_ISREG(st.st_mode):
            with self.real["open"](path, "rb") as fp:
                self.synced[(st.st_ino, self.births.get(st.st_ino, 0))] = fp.read()

    def write_powercut_image(self, dest: Path) -> None:
        """The home as the disk would hold it after a power cut now (see the module docstring)."""
        dest.mkdir(parents=True, exist_ok=True)
        for name in DB_FILES:
            src = os.path.join(self.home, name)
            if os.path.exists(src):
                with self.real["open"](src, "rb") as fp, self.real["open"](dest / name, "wb") as out:
                    out.write(fp.read())
        index = os.path.join(self.home, "index")
        if index in self.listed:
            self._rebuild_folder(index, dest / "index")

    def _rebuild_folder(self, folder: str, dest: Path) -> None:
        dest.mkdir(exist_ok=True)
        for name, (ino, birth, is_dir) in self.listed.get(folder, {}).items():
            if is_dir:
                self._rebuild_folder(os.path.join(folder, name), dest / name)
            else:
                with self.real["open"](dest / name, "wb") as out:
                    out.write(self.synced.get((ino, birth), b""))

    # ------------------------------------------------------------------ write points
    def point(self, kind: str, path) -> None:
        """One write point: count it, log it, and act when it is the chosen one."""
        if getattr(self.quiet, "depth", 0):
            return
        text = os.path.abspath(os.fspath(path)) if path is not None else ""
        if kind not in ("commit", "committed"):
            if not text.startswith(self.home + os.sep):
                return
            if self.under and not (text + os.sep).startswith(self.under + os.sep):
                return
        if self.kinds and kind not in self.kinds:
            return
        self.count += 1
        if self.log_path:
            with self.real["open"](self.log_path, "a", encoding="utf-8") as log:
                log.write(json.dumps({"n": self.count, "kind": kind, "path": text}) + "\n")
        if self.count == self.at:
            self.act(kind, text)

    def act(self, kind: str, path: str) -> None:
        if self.action == "kill":
            self.quiet.depth = 1
            if self.powercut:
                self.write_powercut_image(Path(self.powercut))
            sys.stderr.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        if kind == "commit":  # what SQLite itself raises for these
            message = {"eio": "disk I/O error", "enospc": "database or disk is full"}.get(self.action)
            if message:
                raise sqlite3.OperationalError(message)
        if self.action == "eio":
            raise OSError(errno.EIO, "Input/output error (injected)", path)
        if self.action == "enospc":
            raise OSError(errno.ENOSPC, "No space left on device (injected)", path)
        if self.action == "nomem":
            raise MemoryError("injected")
        raise ValueError(f"unknown CRASHKIT_ACTION {self.action!r}")

    # ------------------------------------------------------------------ the hooks
    def install(self) -> None:
        tracer, real = self, self.real

        class TracedFile:
            """A file opened for writing: its close is a write point."""

            def __init__(self, raw, path):
                self._raw, self._path = raw, path

            def __getattr__(self, name):
                return getattr(self._raw, name)

            def __iter__(self):
                return iter(self._raw)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.close()

            def close(self):
                if not self._raw.closed:
                    tracer.point("close-write", self._path)
                self._raw.close()

        def traced_open(file, mode="r", *args, **kwargs):
            writing = isinstance(file, (str, bytes, os.PathLike)) and any(c in mode for c in "wax+")
            if not writing:
                return real["open"](file, mode, *args, **kwargs)
            tracer.point("open-write", file)
            existed = os.path.exists(file)
            raw = real["open"](file, mode, *args, **kwargs)
            if not existed or "w" in mode:
                tracer._note_birth(raw.fileno())
            return TracedFile(raw, file)

        def traced_os_open(path, flags, *args, **kwargs):
            writing = flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC)
            if writing and "dir_fd" not in kwargs:
                tracer.point("open-write", path)
                existed = os.path.exists(path)
                fd = real["os_open"](path, flags, *args, **kwargs)
                if not existed or flags & os.O_TRUNC:
                    tracer._note_birth(fd)
                return fd
            return real["os_open"](path, flags, *args, **kwargs)

        def traced_sync(name):
            def sync(fd):
                fd = fd if isinstance(fd, int) else fd.fileno()
                tracer.point("fsync", os.readlink(f"/proc/self/fd/{fd}"))
                if not tracer.nosync:
                    real[name](fd)
                tracer._note_fsync(fd)
            return sync

        def traced_path_op(kind, name):
            def op(path, *args, **kwargs):
                if "dir_fd" not in kwargs and "src_dir_fd" not in kwargs:
                    tracer.point(kind, path)
                return real[name](path, *args, **kwargs)
            return op

        def traced_rmtree(path, *args, **kwargs):
            tracer.point("rmtree", path)
            tracer.quiet.depth = getattr(tracer.quiet, "depth", 0) + 1
            try:
                return real["rmtree"](path, *args, **kwargs)
            finally:
                tracer.quiet.depth -= 1

        class TracedConnection(sqlite3.Connection):
            def execute(self, sql, *args):
                if sql == "COMMIT":
                    tracer.point("commit", None)
                    done = super().execute(sql, *args)
                    tracer.point("committed", None)
                    return done
                return super().execute(sql, *args)

        def traced_connect(*args, **kwargs):
            kwargs.setdefault("factory", TracedConnection)
            return real["connect"](*args, **kwargs)

        builtins.open = io.open = traced_open
        os.open = traced_os_open
        os.fsync, os.fdatasync = traced_sync("fsync"), traced_sync("fdatasync")
        os.replace, os.rename = traced_path_op("replace", "replace"), traced_path_op("replace", "rename")
        os.unlink, os.remove = traced_path_op("unlink", "unlink"), traced_path_op("unlink", "remove")
        os.rmdir, os.mkdir = traced_path_op("unlink", "rmdir"), traced_path_op("mkdir", "mkdir")
        shutil.rmtree = traced_rmtree
        sqlite3.connect = traced_connect


# ---------------------------------------------------------------------- the fork server
def serve_forks() -> None:
    """Run traced commands for a parent, one forked child each, so that a trial costs its own
    work rather than a Python start-up and the imports (jieba's dictionary is loaded once).

    Reads one JSON line per trial on standard input ({"argv": [...], "env": {...}, "stderr":
    path}, or {"check": home, "stderr": path} to open a home as the next run does, see
    :func:`check_home`) and answers one line ({"status": exit code, or minus the signal that
    ended it; "result": what the check found}).
    """
    sys.path.insert(0, str(ROOT))
    import catalogue.cli  # noqa: F401 - everything a command needs, imported before forking
    import catalogue.edges.service  # noqa: F401
    import ingest.pipeline  # noqa: F401
    from index.analyzers import load_jieba
    from ingest.registry import READERS

    load_jieba()
    for spec in READERS:  # every reader imported once, not once a trial
        spec.loaded  # noqa: B018
    share_glossary()
    if os.environ.get("CRASHKIT_WARM"):  # a home to open once: the lazy imports of a search, done here
        import tempfile

        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / "home"
            shutil.copytree(os.environ["CRASHKIT_WARM"], copy)
            check_home(copy)
    for line in sys.stdin:
        spec = json.loads(line)
        result_path = spec["stderr"] + ".result"
        pid = os.fork()
        if pid == 0:
            _run_child(spec, result_path)
        _, status = os.waitpid(pid, 0)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        result = None
        if os.path.exists(result_path):
            with open(result_path, encoding="utf-8") as fp:
                result = json.load(fp)
            os.unlink(result_path)
        sys.stdout.write(json.dumps({"status": code, "result": result}) + "\n")
        sys.stdout.flush()


def share_glossary() -> None:
    """Read the shipped glossary once for every trial of this process (each SearchIndex would
    parse its 3,000 pairs again): the writes under test never touch it."""
    from index import glossary

    shared = glossary.Glossary.load()
    original = glossary.Glossary.load.__func__

    def load(cls, path=glossary.DEFAULT_PATH):
        return shared if Path(path) == glossary.DEFAULT_PATH else original(cls, path)

    glossary.Glossary.load = classmethod(load)


def check_home(home: Path) -> dict:
    """Open ``home`` as the next run does (the store, then the index, which catches up) and say
    what was found: the catch-up's action, whether the index holds exactly the store's keys,
    the store's and the index's generations, and the first hit for ISO 5208:2015 with its titles."""
    from catalogue.edges.service import Catalogue

    with Catalogue(home) as cat:
        cat.index  # noqa: B018 - opening catches up
        done = cat.last_catch_up
        store_keys = set(cat.store.keys())
        hits = cat.search("ISO 5208:2015", page_size=1).to_json()["hits"]
        record = cat.store.get("iso-5208-2015")
        return {"action": done.action, "reason": getattr(done, "reason", ""),
                "keys_agree": cat.index.keys() == store_keys, "generations": list(cat.generations()),
                "hit": hits[0]["key"] if hits else None, "hit_zh": hits[0]["titles"].get("zh") if hits else None,
                "store_zh": record.titles.get("zh") if record else None}


def _run_child(spec: dict, result_path: str) -> None:
    code = 0
    try:
        os.environ.update(spec.get("env", {}))
        fd = os.open(spec["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 2)
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)
        if "check" in spec:
            if os.environ.get("CRASHKIT_NOSYNC"):  # as in a traced run (see the module docstring)
                os.fsync = os.fdatasync = lambda fd: None
            result = check_home(Path(spec["check"]))
            with open(result_path, "w", encoding="utf-8") as fp:
                json.dump(result, fp)
            return
        argv = spec["argv"]
        Tracer(Path(argv[argv.index("--home") + 1])).install()
        from catalogue.cli import main as cli_main

        cli_main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except BaseException:  # the trial reports the traceback (there must be none)
        import traceback

        traceback.print_exc()
        code = 3
    finally:
        sys.stderr.flush()
        os._exit(code)


class ForkServer:
    """The parent's side: ForkServer().run(['--home', h, 'ingest', f], {'CRASHKIT_AT': '7'}, err_path).
    ``env`` holds the server's environment: e.g. CRASHKIT_NOSYNC, or CRASHKIT_WARM (a home it
    opens once before the first trial)."""

    def __init__(self, env: dict | None = None):
        import subprocess

        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--fork-server"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
                                     env={**os.environ, "CATALOGUE_LANG": "en", **(env or {}),
                                          "PYTHONPATH": str(ROOT)})

    def run(self, argv: list, env: dict, stderr: Path) -> tuple[int, str]:
        """Run one traced command; answer (status, its standard error)."""
        answer = self._ask({"argv": [str(a) for a in argv], "env": env, "stderr": str(stderr)})
        return answer["status"], stderr.read_text(encoding="utf-8", errors="replace")

    def check(self, home: Path, stderr: Path) -> dict:
        """:func:`check_home` in a forked child; its standard error must hold no traceback."""
        answer = self._ask({"check": str(home), "stderr": str(stderr)})
        err = stderr.read_text(encoding="utf-8", errors="replace")
        if answer["status"] != 0 or answer["result"] is None:
            raise AssertionError(f"opening {home} failed ({answer['status']}): {err}")
        return {**answer["result"], "stderr": err}

    def _ask(self, spec: dict) -> dict:
        self.proc.stdin.write(json.dumps(spec) + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        if not answer:
            raise RuntimeError("the fork server stopped")
        return json.loads(answer)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()


def read_points(log: Path) -> list[dict]:
    """The write points a traced run logged, in order: [{'n': 1, 'kind': 'commit', 'path': ''}, ...]."""
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]


def traced_command(*args) -> list[str]:
    """argv for `catalogue ARGS...` under the tracer: traced_command('--home', h, 'ingest', f)."""
    return [sys.executable, str(Path(__file__).resolve()), *map(str, args)]


def main(argv: list[str]) -> None:
    home = Path(argv[argv.index("--home") + 1])
    Tracer(home).install()
    from catalogue.cli import main as cli_main

    cli_main(argv)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if sys.argv[1:] == ["--fork-server"]:
        serve_forks()
    else:
        main(sys.argv[1:])
