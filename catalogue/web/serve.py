"""Serve the catalogue with waitress (what ``catalogue serve`` and ``make run`` call).

One process by default: waitress with 8 threads over one shared Catalogue, with the response
cache (:mod:`catalogue.web.cache`) in front. ``workers > 1`` pre-forks that many waitress
processes on one listening socket, so pages that miss the cache use every core rather than
one (Python runs one thread at a time per process). The parent opens the catalogue once before
forking (so a missing or stale index is reported or rebuilt once, not by every worker at the
same time), without jieba (searching needs none); each worker opens its own SQLite connection
and index searcher after the fork. The parent restarts a worker that dies and stops them all on SIGTERM or Ctrl-C. The serving processes switch
threads every 1 ms rather than Python's 5 ms (:func:`set_switch_interval`) and use 2 malloc
arenas rather than glibc's 16 on two cores (:func:`limit_malloc_arenas`).
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import time

#: Request threads per process (``CATALOGUE_SERVE_THREADS`` overrides; see BENCHMARKS.md).
THREADS = int(os.environ.get("CATALOGUE_SERVE_THREADS") or 8)
#: Python's thread switch interval in the server, in milliseconds (``CATALOGUE_SWITCH_INTERVAL_MS``
#: overrides; Python's own default is 5 ms). See :func:`set_switch_interval` and BENCHMARKS.md.
SWITCH_INTERVAL_MS = float(os.environ.get("CATALOGUE_SWITCH_INTERVAL_MS") or 1)
#: glibc malloc arenas per serving process (``CATALOGUE_MALLOC_ARENAS`` overrides; 0 leaves
#: glibc's own bound, 8 per core). See :func:`limit_malloc_arenas` and BENCHMARKS.md.
MALLOC_ARENAS = int(os.environ.get("CATALOGUE_MALLOC_ARENAS") or 2)
#: mallopt's parameter number for the arena bound (glibc's malloc.h).
M_ARENA_MAX = -8
#: A bound on --workers: each worker holds its own catalogue and cache (~210-270 MB on the demo
#: catalogue, BENCHMARKS.md; more on the real one), and the museum's machines have 2 cores.
MAX_WORKERS = 16
log = logging.getLogger("catalogue.web")


def make_server(home: str | os.PathLike | None, host: str = "127.0.0.1", port: int = 5000, threads: int = THREADS,
                sock: socket.socket | None = None, base_url: str | None = None, **limits):
    """A waitress server for the catalogue under ``home``, bound but not yet running (port 0: any free port).

    Opens the catalogue (and its index) first, so a missing catalogue is reported at once
    (CatalogueMissing) rather than on the first request. ``sock``: an already listening socket
    to serve on instead of binding ``host:port`` (the pre-forked workers share one).
    ``base_url``: the public address links are built from (else $CATALOGUE_BASE_URL, else the
    address served on: :func:`default_base_url`). Slow and many clients are bounded, and
    waitress's own error answers carry our headers (:mod:`catalogue.web.channels`); ``limits``
    replace its bounds (connection_limit=100, header_seconds=1.0 ...).
    """
    from . import create_app, get_catalogue
    from .channels import create_guarded_server

    config = {"CATALOGUE_HOME": str(home)} if home else {}
    config["BASE_URL"] = base_url or os.environ.get("CATALOGUE_BASE_URL") or ""
    if sock is not None:
        server = create_guarded_server(None, sockets=[sock], threads=threads, **limits)
    else:
        server = create_guarded_server(None, host=host, port=port, threads=threads, **limits)
    try:
        if not config["BASE_URL"]:
            config["BASE_URL"] = default_base_url(server.effective_host, server.effective_port)
        app = create_app(config)
        with app.app_context():
            get_catalogue()
    except BaseException:
        server.close()
        raise
    server.application = app
    server.flask_app = app  # for whoever stops it: app.extensions["catalogue"].close()
    return server


def default_base_url(host: str, port: int) -> str:
    """The address served on, as links name it: 'http://127.0.0.1:5000'. An address that means
    "every interface" (0.0.0.0, ::) names no host a visitor can use: the server then says to
    set --base-url."""
    if host in ("0.0.0.0", "::", ""):
        log.warning("serving on every interface without a base URL: links will name http://%s:%s; "
                    "set `catalogue serve --base-url https://your.host` or CATALOGUE_BASE_URL", host or "0.0.0.0", port)
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def set_switch_interval(milliseconds: float) -> None:
    """How long a thread may hold the interpreter while another waits: set_switch_interval(1).

    A cheap page (a record, 1 ms of work) gives the interpreter up at every SQLite query and
    socket call, and each time waits until the thread running a long search yields it: up to
    one switch interval per wait, so with 5 ms and ~20 waits a page it sat behind searches of the
    real catalogue for hundreds of milliseconds. 1 ms cut the real catalogue's p95 from ~1,000
    to ~640 ms at 50 clients and changed nothing on the demo (BENCHMARKS.md, 2026-11-25).
    """
    sys.setswitchinterval(max(0.0001, milliseconds / 1000))


def limit_malloc_arenas(arenas: int) -> bool:
    """Bound glibc's malloc arenas of this process (and of workers forked from it) to ``arenas``;
    False where the C library is not glibc or ``arenas`` is 0 (nothing changed).

    glibc gives each thread that finds the arenas busy an arena of its own, up to 8 per core;
    memory freed in one arena is kept there for that arena's next allocations. With 8 request
    threads each building numpy arrays of every document (hundreds of KB) and page strings, a
    worker on the real catalogue held ~70 MB more heap after a load run than with 2 arenas,
    which is what the serving processes keep (the other threads then share them, under a lock
    that numpy's and SQLite's short allocations hardly contend). Must run before the request
    threads start: an arena, once made, stays.
    """
    if arenas <= 0 or not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return mallopt(M_ARENA_MAX, arenas) == 1


def serve(home: str | os.PathLike | None, host: str = "127.0.0.1", port: int = 5000, workers: int = 1,
          base_url: str | None = None) -> None:
    """Serve the catalogue under ``home`` on http://host:port until stopped: serve('instance', '127.0.0.1', 5000, 2)."""
    set_switch_interval(SWITCH_INTERVAL_MS)  # the serving process only, inherited by forked workers
    limit_malloc_arenas(MALLOC_ARENAS)  # before any request thread: inherited by forked workers too
    if base_url:
        from .baseurl import parse_base_url

        parse_base_url(base_url)  # a wrong one is a usage error now, not in every worker
    if workers <= 1 or not hasattr(os, "fork"):
        server = make_server(home, host, port, base_url=base_url)
        log.info("serving the catalogue on http://%s:%s", host, server.effective_port)
        try:
            server.run()
        finally:
            server.close()
        return
    serve_workers(home, host, port, min(workers, MAX_WORKERS), base_url)


def open_listen_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port ('127.0.0.1', 5000), non-blocking as waitress wants it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def prepare_catalogue(home: str | os.PathLike | None) -> None:
    """Open the catalogue and its index once in the parent (rebuilding a stale index here) and
    close every file again. jieba is not loaded: searching needs none (queries are cut by the
    index's own vocabulary, index.query.segment_by_index), and a dictionary loaded in the parent
    would not stay shared (reference counts and the collector dirty its pages in every worker).
    A worker that indexes (a write from the web) loads it then."""
    from catalogue.edges.service import Catalogue

    with Catalogue(home) as cat:
        cat.index.close()


def serve_workers(home: str | os.PathLike | None, host: str, port: int, workers: int,
                  base_url: str | None = None) -> None:
    """Pre-fork ``workers`` waitress processes on one socket and look after them until stopped."""
    prepare_catalogue(home)
    sock = open_listen_socket(host, port)
    bound = sock.getsockname()
    base_url = base_url or os.environ.get("CATALOGUE_BASE_URL") or default_base_url(bound[0], bound[1])
    log.info("serving the catalogue on http://%s:%s with %d workers", host, bound[1], workers)
    children: dict[int, int] = {}
    stopping = False

    def stop(signum, _frame):
        nonlocal stopping
        stopping = True
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    old_handlers = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        for slot in range(workers):
            children[start_worker(home, sock, slot, base_url)] = slot
        while children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            except InterruptedError:  # pragma: no cover - Python retries wait() itself (PEP 475)
                continue
            slot = children.pop(pid, None)
            if slot is None or stopping:
                continue
            log.warning("worker %d (pid %d) stopped with status %d; starting another", slot, pid, status)
            time.sleep(0.5)  # a worker that dies at once must not spin the machine
            children[start_worker(home, sock, slot, base_url)] = slot
    finally:
        for s, handler in old_handlers.items():
            signal.signal(s, handler)
        stop(signal.SIGTERM, None)
        sock.close()


def start_worker(home: str | os.PathLike | None, sock: socket.socket, slot: int, base_url: str | None = None) -> int:
    """Fork one worker serving on ``sock``; answer its pid (the child never returns)."""
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        server = make_server(home, sock=sock, base_url=base_url)
        server.run()
    except BaseException:  # the parent logs the exit and starts another worker
        log.exception("worker %d failed", slot)
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
