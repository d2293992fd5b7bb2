"""A bounded, server-side cache of whole responses, dropped whenever the catalogue changes.

Every page is a pure function of the request and the catalogue's state, so a page rendered
once can be sent again until something is written. The cache sits in front of Flask as WSGI
middleware (a hit costs no routing, no view and no template) and is keyed by everything a
page may depend on:

- the method, scheme, host and full path with its query string (``?lang=`` included); for 200
  answers the query's arguments are put in order of name first (:func:`make_canonical_query`),
  so ``?status=current&q=valves`` and ``?q=valves&status=current`` share one entry: the pages
  build every link from their arguments in one order, so both are the same bytes;
- what the ``Accept-Language`` and ``Accept`` headers choose, read by the very functions the
  pages read them with (``i18n.choose_language``: 'zh' or 'en'; ``render.choose_twin``: 'html'
  or 'json'), and the ``lang`` cookie: two requests that choose differently never share an
  entry, while the many spellings browsers send of the same choice do;
- the catalogue's generations (:func:`read_catalogue_generation`): the store's generation (one
  more for every write transaction, whoever made it) and the index's (the store generation it
  reflects). Any write moves the first, and its replay into the index the second, so old entries
  stop matching at once; they age out of the LRU.

Only successful GET answers (200, 301, 302, 308) are stored, and only when the view did
not touch the session (a page holding a CSRF token belongs to one visitor), set no cookie,
and did not ask for ``no-store`` or ``private`` (every page that reads the signed-in account
does). A request carrying the account cookie (``ACCOUNTS_COOKIE_NAME``) is never answered
from the cache nor stored in it: its pages name who is signed in. Errors, POSTs and streamed or file responses
pass through untouched. The store is bounded by entries and by bytes (least recently used out).

:class:`GenerationMemo` keeps values behind pages (a record page's dict, shared by both
languages and the JSON twin) under the same generation rule.

Each stored answer carries an ``ETag`` (a hash of its body); a request whose ``If-None-Match``
names it gets ``304 Not Modified``. ``X-Cache: hit|miss`` tells a load test what happened.
"""
from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import sys
import threading
import zlib
from collections import OrderedDict
from pathlib import Path
from typing import Callable, Hashable, Iterable

from flask import Flask, current_app, request
from flask.globals import request_ctx
from werkzeug.http import parse_cookie

from index.writer import GEN_NAME

from .i18n import choose_language
from .render import choose_twin

#: Default bounds: pages are 2-30 KB (13 KB on average on the real catalogue, 3-6 KB deflated as
#: kept), so 32 MiB holds the 4,096 entries; the bytes are a serving worker's own heap (its budget
#: is 300 MB).
MAX_ENTRIES = 4096
MAX_BYTES = 32 * 1024 * 1024
#: One answer larger than this is never stored (an export of a big search, say).
MAX_ENTRY_BYTES = 1024 * 1024
CACHEABLE_STATUSES = (200, 301, 302, 308)
#: HEAD is answered by Flask with an empty body, so it passes through rather than share GET's entry.
CACHEABLE_METHODS = ("GET",)
#: Set in the WSGI environ by the Flask hook when the view's answer may be shared.
ENV_FLAG = "catalogue.cacheable"
LANG_COOKIE = "lang"
ENV_ENTRIES = "CATALOGUE_RESPONSE_CACHE_ENTRIES"
#: Values kept by :class:`GenerationMemo`, at most this many and this many bytes of Python
#: objects (:func:`estimate_size`; record page dicts are 5-50 KB of objects on the real catalogue).
DATA_ENTRIES = 2048
DATA_BYTES = 16 * 1024 * 1024
#: Response headers that are per-connection or that we set ourselves; never stored.
SKIPPED_HEADERS = {"date", "server", "connection", "x-cache", "etag"}


class CachedResponse:
    """One stored answer: status line, headers (ETag excluded), body and ETag.

    The body is kept deflated (zlib level 1: pages of the real catalogue shrink 3-5 times, for
    about 0.1 ms when stored and 0.03 ms when sent), so the byte bound holds several times the
    pages; ``body`` gives the bytes as rendered.
    """

    __slots__ = ("status", "headers", "packed", "etag")

    def __init__(self, status: str, headers: tuple[tuple[str, str], ...], body: bytes, etag: str):
        self.status = status
        self.headers = headers
        self.packed = zlib.compress(body, 1)
        self.etag = etag

    @property
    def body(self) -> bytes:
        return zlib.decompress(self.packed)

    @property
    def size(self) -> int:
        return len(self.packed) + sum(len(k) + len(v) for k, v in self.headers) + 200


class ResponseCache:
    """A thread-safe LRU of :class:`CachedResponse` bounded by entries and by total bytes."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, CachedResponse] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes_used(self) -> int:
        return self._bytes

    def get(self, key: Hashable) -> CachedResponse | None:
        """The entry for ``key`` (now the most recently used), or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: Hashable, entry: CachedResponse) -> bool:
        """Store ``entry``, evicting the least recently used until both bounds hold; False when too big."""
        size = entry.size
        if self.max_entries <= 0 or size > self.max_bytes:
            return False
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._entries[key] = entry
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _key, dropped = self._entries.popitem(last=False)
                self._bytes -= dropped.size
        return True

    def clear(self) -> None:
        """Forget every entry (the counters stay)."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0


class IndexWatch:
    """The index's generation (the store generation it reflects) for every request, cheaply.

    The index folder names the generation folder in use in ``CURRENT``, and that folder records
    its generation in ``applied``; both files are only ever replaced by a rename, so their inode
    changes with every write and one ``stat`` of each tells whether to read them again.
    """

    def __init__(self, index_dir: Path):
        self.index_dir = str(index_dir)
        self.pointer = os.path.join(self.index_dir, "CURRENT")
        self._named: tuple | None = None  # (the pointer's stat identity, the folder named in it)
        self._applied: tuple | None = None  # (the applied file's path and stat identity, its number)

    def read_generation(self) -> tuple:
        """('gen-17..', 412): the folder in use and its generation; ('unreadable',) when there is none."""
        try:
            st = os.stat(self.pointer)
            ident = (st.st_ino, st.st_mtime_ns, st.st_size)
            named = self._named
            if named is None or named[0] != ident:
                with open(self.pointer, encoding="utf-8") as fp:
                    named = (ident, fp.read().strip())
                self._named = named
            name = named[1]
            if not GEN_NAME.fullmatch(name):  # empty or damaged: no folder of ours to look into
                return (name[:40], None)
            path = os.path.join(self.index_dir, name, "applied")
            ast = os.stat(path)
            aident = (path, ast.st_ino, ast.st_mtime_ns, ast.st_size)
            applied = self._applied
            if applied is None or applied[0] != aident:
                with open(path, encoding="ascii") as fp:
                    applied = (aident, int(fp.read().strip() or -1))
                self._applied = applied
            return (name, applied[1])
        except (OSError, ValueError):
            return ("unreadable",)


def read_catalogue_generation(app: Flask) -> Hashable | None:
    """What identifies the catalogue's current state for this app, or None before it is opened.

    The pair (store generation, index generation) of the app's one Catalogue (DESIGN.md: every
    cache keys on it). When the index is behind the store, a catch-up starts in the background
    (a killed ingest, or another process's commit not yet replayed) and pages go on meanwhile.
    """
    cat = app.extensions.get("catalogue")
    if cat is None:
        return None
    try:
        store_gen = cat.store.generation()
    except sqlite3.Error:
        # A closed or broken store: serve nothing from the cache; the view reports the problem.
        return None
    token = getattr(cat.opened_index, "generation_token", None)
    if token is not None:  # an index on a server (Typesense): asked at most twice a second
        index_gen = token(store_gen)
    else:
        watch = app.extensions.get("catalogue_index_watch")
        if watch is None or watch[0] is not cat:
            watch = (cat, IndexWatch(Path(cat.home) / "index"))
            app.extensions["catalogue_index_watch"] = watch
        index_gen = watch[1].read_generation()
    if index_gen[-1] != store_gen:
        cat.catch_up_in_background()
    return (store_gen, index_gen)


def make_request_key(environ: dict, query: str | None = None) -> tuple:
    """Everything a page may depend on, from the WSGI environ (see the module docstring).

    ``query``: the query string to key on instead of the request's own (its canonical form).
    """
    return (
        environ.get("REQUEST_METHOD", "GET"),
        environ.get("wsgi.url_scheme", "http"),
        environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', '')}:{environ.get('SERVER_PORT', '')}",
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", "") if query is None else query,
        choose_language(environ.get("HTTP_ACCEPT_LANGUAGE", "")),
        choose_twin(environ.get("HTTP_ACCEPT", "")),
        read_lang_cookie(environ.get("HTTP_COOKIE", "")),
    )


_PLAIN_NAME = re.compile(r"[A-Za-z0-9_]+")


def make_canonical_query(query: str) -> str:
    """The query string with its arguments in order of name, the values of one name kept in order.

    'status=current&q=valves&publisher=ISO' -> 'publisher=ISO&q=valves&status=current'. Two
    addresses with the same canonical query carry the same values for every name, in the same
    order per name; the pages build their links in one order whatever the address's
    (``params.ordered_args``), so their 200 answers are the same bytes and may share an entry.
    Only plain names are moved (letters, digits, '_': what every form and link here makes);
    with any other name, encoded or empty, the query is answered as it is.
    """
    if "&" not in query:
        return query
    parts = query.split("&")
    names = [part.split("=", 1)[0] for part in parts]
    if not all(_PLAIN_NAME.fullmatch(name) for name in names):
        return query
    order = sorted(range(len(parts)), key=names.__getitem__)  # sorted() is stable
    return "&".join(parts[i] for i in order)


def read_lang_cookie(header: str) -> str | None:
    """The ``lang`` cookie's value from a Cookie header ('lang=en; session=..' -> 'en').

    Parsed by werkzeug's own ``parse_cookie``, as ``request.cookies`` is, so a repeated or
    malformed cookie reads here exactly as the language chooser reads it.
    """
    if LANG_COOKIE not in header:
        return None
    return parse_cookie(header).get(LANG_COOKIE)


def carries_personal_cookie(header: str, names: tuple[str, ...]) -> bool:
    """Whether a Cookie header holds one of ``names`` (the account cookie): such a request is
    answered fresh and never stored, since its pages show who is signed in."""
    if not names or not header or not any(name in header for name in names):
        return False
    cookies = parse_cookie(header)
    return any(name in cookies for name in names)


def make_etag(body: bytes) -> str:
    """A strong validator for a body: '"3f2a..."' (blake2b, 96 bits)."""
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def match_etag(header: str, etag: str) -> bool:
    """Whether an If-None-Match header ('"a", W/"b"' or '*') names ``etag``."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    wanted = etag.strip('"')
    return any(part.strip().removeprefix("W/").strip('"') == wanted for part in header.split(","))


def select_shareable_headers(headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...] | None:
    """The headers worth storing, or None when the answer must not be shared (a cookie, no-store)."""
    kept = []
    for name, value in headers:
        lowered = name.lower()
        if lowered == "set-cookie":
            return None
        if lowered == "cache-control" and ("no-store" in value or "private" in value):
            return None
        if lowered not in SKIPPED_HEADERS:
            kept.append((name, value))
    return tuple(kept)


class CachingMiddleware:
    """WSGI middleware that answers from a :class:`ResponseCache` and fills it on a miss."""

    def __init__(self, wsgi_app: Callable, cache: ResponseCache, generation: Callable[[], Hashable | None],
                 personal_cookies: tuple[str, ...] = ()):
        self.wsgi_app = wsgi_app
        self.cache = cache
        self.generation = generation
        self.personal_cookies = personal_cookies

    def __call__(self, environ: dict, start_response: Callable):
        if environ.get("REQUEST_METHOD") not in CACHEABLE_METHODS or self.cache.max_entries <= 0 \
                or carries_personal_cookie(environ.get("HTTP_COOKIE", ""), self.personal_cookies):
            return self.wsgi_app(environ, start_response)
        before = self.generation()
        query = environ.get("QUERY_STRING", "")
        canonical = make_canonical_query(query)
        if before is not None:
            # 200 answers live under the canonical query; others (a redirect whose Location
            # repeats the address as given, say) under the query as given.
            entry = self.cache.get((make_request_key(environ, canonical), before))
            if entry is None and canonical != query:
                entry = self.cache.get((make_request_key(environ), before))
            if entry is not None:
                return self._send(entry, environ, start_response, "hit")
        captured: dict = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"], captured["exc_info"] = status, headers, exc_info
            return lambda data: captured.setdefault("written", []).append(data)

        body_iter = self.wsgi_app(environ, capture)
        if not environ.get(ENV_FLAG) or "written" in captured:
            return self._pass_through(captured, body_iter, start_response)
        try:
            body = b"".join(body_iter)
        finally:
            if hasattr(body_iter, "close"):
                body_iter.close()
        status = captured["status"]
        headers = select_shareable_headers(captured["headers"])
        if headers is None or int(status.split(" ", 1)[0]) not in CACHEABLE_STATUSES or len(body) > MAX_ENTRY_BYTES:
            start_response(status, captured["headers"], captured["exc_info"])
            return [body]
        entry = CachedResponse(status, headers, body, make_etag(body))
        after = self.generation()
        # Store only when nothing was written while the page was made (else it may mix states),
        # and under the key read after the render if the catalogue was opened by this request.
        if after is not None and (before is None or after == before):
            shared_query = canonical if status.startswith("200") else query
            self.cache.put((make_request_key(environ, shared_query), after), entry)
        return self._send(entry, environ, start_response, "miss", body)

    @staticmethod
    def _send(entry: CachedResponse, environ: dict, start_response: Callable, outcome: str,
              body: bytes | None = None):
        """Answer from ``entry`` (``body``: its bytes when the caller has them, not inflated again)."""
        headers = [*entry.headers, ("ETag", entry.etag), ("X-Cache", outcome)]
        if match_etag(environ.get("HTTP_IF_NONE_MATCH", ""), entry.etag):
            kept = [(k, v) for k, v in headers if k.lower() not in ("content-length", "content-type")]
            start_response("304 Not Modified", kept)
            return [b""]
        start_response(entry.status, headers)
        return [entry.body if body is None else body]

    @staticmethod
    def _pass_through(captured: dict, body_iter, start_response: Callable):
        write = start_response(captured["status"], captured["headers"], captured["exc_info"])
        for chunk in captured.get("written", []):
            write(chunk)
        return body_iter


def check_session_used() -> bool:
    """Whether anything in this request read or wrote the session (a CSRF token, say).

    Flask 3.1 marks the session accessed whenever the ``session`` proxy itself is touched, so
    asking ``session.accessed`` would always answer True: read the request context's own
    session object instead. Should that private name change, answer True (never share).
    """
    opened = getattr(request_ctx._get_current_object(), "_session", _UNKNOWN)
    if opened is _UNKNOWN:
        return True
    return opened is not None and bool(opened.accessed)


_UNKNOWN = object()


def mark_cacheable(response):
    """Flask hook: let the middleware store this answer unless the view used the session."""
    if request.method in CACHEABLE_METHODS and not response.direct_passthrough and not response.is_streamed \
            and not check_session_used():
        request.environ[ENV_FLAG] = True
    return response


def estimate_size(value: object) -> int:
    """Bytes of Python objects ``value`` holds, its containers walked (dicts, lists, tuples, sets)
    and each object counted once: estimate_size({'key': 'iso-5208-2015'}) -> ~300. What a kept
    value costs the process, for the byte bound of :class:`GenerationMemo`."""
    seen: set[int] = set()
    todo = [value]
    total = 0
    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, dict):
            todo.extend(item.keys())
            todo.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            todo.extend(item)
    return total


class GenerationMemo:
    """Values computed from the catalogue (a record page's dict), kept until the catalogue changes.

    A thread-safe LRU bounded by entries and by the bytes of its values (:func:`estimate_size`), keyed by what the caller names plus the catalogue's
    generation (:func:`read_catalogue_generation`), so an ingest makes every old value
    unreachable, as for whole answers. A value is kept only when the generation did not move
    while it was computed. What a value may not depend on is the caller's to leave out of it:
    the record page's dict is the same in every interface language and for the HTML page and
    its JSON twin, four answers the response cache keeps apart.
    """

    def __init__(self, max_entries: int, max_bytes: int = DATA_BYTES):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._values: OrderedDict = OrderedDict()  # key -> (value, its size)
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._values)

    @property
    def bytes_used(self) -> int:
        return self._bytes

    def fetch(self, app: Flask, key: Hashable, compute: Callable[[], object]):
        """The value for ``key`` at the catalogue's current generation, computed when missing (None is not kept)."""
        before = read_catalogue_generation(app) if self.max_entries > 0 else None
        if before is None:
            return compute()
        full = (key, before)
        with self._lock:
            if full in self._values:
                self._values.move_to_end(full)
                return self._values[full][0]
        value = compute()
        if value is not None and read_catalogue_generation(app) == before:
            self._keep(full, value, estimate_size(value))
        return value

    def _keep(self, key: Hashable, value: object, size: int) -> None:
        """Store a value, dropping the least recently used until both bounds hold (a value larger
        than the byte bound is not kept)."""
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._values.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._values[key] = (value, size)
            self._bytes += size
            while len(self._values) > self.max_entries or self._bytes > self.max_bytes:
                _key, (_value, dropped) = self._values.popitem(last=False)
                self._bytes -= dropped


def remember(key: Hashable, compute: Callable[[], object]):
    """``compute()``, or its value from earlier at the same catalogue generation.

    remember(('standard', 'iso-5208-2015'), build): ``build()`` once per generation.
    """
    app = current_app._get_current_object()
    memo = app.extensions.get("generation_memo")
    return compute() if memo is None else memo.fetch(app, key, compute)


def init_app(app: Flask) -> ResponseCache:
    """Put the response cache in front of ``app``; answer it (also in ``app.extensions``).

    ``RESPONSE_CACHE_ENTRIES`` (default 4096; 0 turns the cache off) and ``RESPONSE_CACHE_BYTES``
    (32 MiB of compressed bodies) bound it (``DATA_CACHE_ENTRIES`` and ``DATA_CACHE_BYTES`` the values behind pages); the environment variable ``CATALOGUE_RESPONSE_CACHE_ENTRIES`` sets the
    default (``0`` serves every page fresh: what ``bench/load_web.py --no-cache`` measures).
    Under ``TESTING`` the cache is off unless a test sets the entries, so tests that change the
    app between requests see fresh pages.
    """
    default_entries = 0 if app.config.get("TESTING") else int(os.environ.get(ENV_ENTRIES) or MAX_ENTRIES)
    cache = ResponseCache(
        int(app.config.get("RESPONSE_CACHE_ENTRIES", default_entries)),
        int(app.config.get("RESPONSE_CACHE_BYTES", MAX_BYTES)),
    )
    app.extensions["response_cache"] = cache
    # Values behind pages (a record page's dict), on when the response cache is on.
    app.extensions["generation_memo"] = GenerationMemo(
        int(app.config.get("DATA_CACHE_ENTRIES", DATA_ENTRIES if cache.max_entries > 0 else 0)),
        int(app.config.get("DATA_CACHE_BYTES", DATA_BYTES)))
    # Hooks run in reverse order of registration: first in the list means last to run, so the
    # hook sees whether any other hook touched the session too.
    app.after_request_funcs.setdefault(None, []).insert(0, mark_cacheable)
    personal = tuple(n for n in (app.config.get("ACCOUNTS_COOKIE_NAME"),) if n)
    app.wsgi_app = CachingMiddleware(app.wsgi_app, cache, lambda: read_catalogue_generation(app), personal)
    return cache
