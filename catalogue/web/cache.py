"""A bounded, server-side cache of whole responses, dropped whenever the catalogue changes.

Every page is a pure function of the request and the catalogue's state, so a page rendered
once can be sent again until something is written. The cache sits in front of Flask as WSGI
middleware (a hit costs no routing, no view and no template) and is keyed by everything a
page may depend on:

- the method, scheme, host and full path with its query string (``?lang=`` included);
- the raw ``Accept-Language`` and ``Accept`` headers and the ``lang`` cookie: the language and
  the JSON twin are chosen from exactly these, so two requests that differ in any of them never
  share an entry (keying on the raw values, not on our reading of them, means the cache cannot
  disagree with ``i18n.select_locale`` or ``render.wants_json``);
- the catalogue's generation (:func:`read_catalogue_generation`): SQLite's ``PRAGMA data_version``
  (changes when another connection commits), the connection's own ``total_changes``, and a
  fingerprint of the search index folder (the generation in use and its files: every Whoosh
  commit writes a new table-of-contents file). An ingest changes at least one of them, so old
  entries stop matching at once; they age out of the LRU.

Only successful GET answers (200, 301, 302, 308) are stored, and only when the view did
not touch the session (a page holding a CSRF token belongs to one visitor), set no cookie,
and did not ask for ``no-store`` or ``private``. Errors, POSTs and streamed or file responses
pass through untouched. The store is bounded by entries and by bytes (least recently used out).

Each stored answer carries an ``ETag`` (a hash of its body); a request whose ``If-None-Match``
names it gets ``304 Not Modified``. ``X-Cache: hit|miss`` tells a load test what happened.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Hashable, Iterable

from flask import Flask, request
from flask.globals import request_ctx
from werkzeug.http import parse_cookie

#: Default bounds: a demo catalogue's pages are 2-25 KB, so 64 MiB holds thousands of them.
MAX_ENTRIES = 4096
MAX_BYTES = 64 * 1024 * 1024
#: One answer larger than this is never stored (an export of a big search, say).
MAX_ENTRY_BYTES = 1024 * 1024
CACHEABLE_STATUSES = (200, 301, 302, 308)
#: HEAD is answered by Flask with an empty body, so it passes through rather than share GET's entry.
CACHEABLE_METHODS = ("GET",)
#: Set in the WSGI environ by the Flask hook when the view's answer may be shared.
ENV_FLAG = "catalogue.cacheable"
LANG_COOKIE = "lang"
ENV_ENTRIES = "CATALOGUE_RESPONSE_CACHE_ENTRIES"
#: Response headers that are per-connection or that we set ourselves; never stored.
SKIPPED_HEADERS = {"date", "server", "connection", "x-cache", "etag"}


@dataclass(frozen=True)
class CachedResponse:
    """One stored answer: status line, headers (ETag included) and body."""

    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 200


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


def read_index_fingerprint(index_dir: Path) -> tuple:
    """The index generation in use and the names of its files: ('gen-17..', ('_MAIN_3.toc', ...)).

    Every commit to the index adds or renames files in the generation folder, and a rebuild
    points ``CURRENT`` at a new folder, so this changes with every write; it costs one small
    read and one directory listing.
    """
    try:
        name = (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
        files = tuple(sorted(os.listdir(index_dir / name))) if name else ()
    except OSError:
        return ("unreadable",)
    return (name, files)


def read_catalogue_generation(app: Flask) -> Hashable | None:
    """What identifies the catalogue's current state for this app, or None before it is opened.

    ``(data_version, total_changes, index fingerprint)`` of the app's one Catalogue.
    """
    cat = app.extensions.get("catalogue")
    if cat is None:
        return None
    db = cat.store.db
    try:
        data_version = db.execute("PRAGMA data_version").fetchone()[0]
        changes = db.total_changes
    except sqlite3.Error:
        # A closed or broken store: serve nothing from the cache; the view reports the problem.
        return None
    return (data_version, changes, read_index_fingerprint(Path(cat.home) / "index"))


def make_request_key(environ: dict) -> tuple:
    """Everything a page may depend on, from the WSGI environ (see the module docstring)."""
    return (
        environ.get("REQUEST_METHOD", "GET"),
        environ.get("wsgi.url_scheme", "http"),
        environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', '')}:{environ.get('SERVER_PORT', '')}",
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        environ.get("HTTP_ACCEPT_LANGUAGE", ""),
        environ.get("HTTP_ACCEPT", ""),
        read_lang_cookie(environ.get("HTTP_COOKIE", "")),
    )


def read_lang_cookie(header: str) -> str | None:
    """The ``lang`` cookie's value from a Cookie header ('lang=en; session=..' -> 'en').

    Parsed by werkzeug's own ``parse_cookie``, as ``request.cookies`` is, so a repeated or
    malformed cookie reads here exactly as the language chooser reads it.
    """
    if LANG_COOKIE not in header:
        return None
    return parse_cookie(header).get(LANG_COOKIE)


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

    def __init__(self, wsgi_app: Callable, cache: ResponseCache, generation: Callable[[], Hashable | None]):
        self.wsgi_app = wsgi_app
        self.cache = cache
        self.generation = generation

    def __call__(self, environ: dict, start_response: Callable):
        if environ.get("REQUEST_METHOD") not in CACHEABLE_METHODS or self.cache.max_entries <= 0:
            return self.wsgi_app(environ, start_response)
        before = self.generation()
        key = (make_request_key(environ), before) if before is not None else None
        if key is not None:
            entry = self.cache.get(key)
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
            self.cache.put((make_request_key(environ), after), entry)
        return self._send(entry, environ, start_response, "miss")

    @staticmethod
    def _send(entry: CachedResponse, environ: dict, start_response: Callable, outcome: str):
        headers = [*entry.headers, ("ETag", entry.etag), ("X-Cache", outcome)]
        if match_etag(environ.get("HTTP_IF_NONE_MATCH", ""), entry.etag):
            kept = [(k, v) for k, v in headers if k.lower() not in ("content-length", "content-type")]
            start_response("304 Not Modified", kept)
            return [b""]
        start_response(entry.status, headers)
        return [entry.body]

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


def init_app(app: Flask) -> ResponseCache:
    """Put the response cache in front of ``app``; answer it (also in ``app.extensions``).

    ``RESPONSE_CACHE_ENTRIES`` (default 4096; 0 turns the cache off) and ``RESPONSE_CACHE_BYTES``
    (64 MiB) bound it; the environment variable ``CATALOGUE_RESPONSE_CACHE_ENTRIES`` sets the
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
    # Hooks run in reverse order of registration: first in the list means last to run, so the
    # hook sees whether any other hook touched the session too.
    app.after_request_funcs.setdefault(None, []).insert(0, mark_cacheable)
    app.wsgi_app = CachingMiddleware(app.wsgi_app, cache, lambda: read_catalogue_generation(app))
    return cache
