"""The catalogue's search index on a Typesense cluster: the second backend behind ``index/``.

Chosen by configuration (``CATALOGUE_SEARCH=typesense``; :func:`index.open_search_index`), it
answers what :class:`index.SearchIndex` answers, with the same :class:`index.SearchResult`
objects, so the command line and the web do not know which engine runs:

    CATALOGUE_TYPESENSE_NODES=http://127.0.0.1:8108,http://127.0.0.1:8109
    CATALOGUE_TYPESENSE_API_KEY=...
    CATALOGUE_TYPESENSE_COLLECTION=catalogue     (the alias; one per catalogue on a cluster)

Layout on the server: the alias names the collection in use (``catalogue-<time>``); a rebuild
fills a new collection, moves the alias in one call and drops the old one, so searches answer
from the old collection until the new one is complete. The store generation a collection
reflects is kept in a small metadata document (collection ``<alias>--meta``, one document per
collection: ``{"id": <collection>, "layout": LAYOUT, "applied": 412}``), written with the last
batch of every replay, exactly as the Whoosh index keeps its ``applied`` file; Typesense 0.24
has no collection metadata of its own. The catch-up (catalogue/edges/service.py) is unchanged.

A cluster is three (or five) nodes replicating by Raft; the client is given every node and
moves to the next one when a node does not answer (``num_retries``), so a lost node costs a
retry, not an error.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable
from urllib.parse import urlsplit

from catalogue.errors import CatalogueError
from catalogue.records import Standard

from .glossary import Glossary
from .search import SearchResult, check_arguments
from .typesense_docs import LAYOUT, collection_fields, glossary_synonyms, make_document
from .writer import RecoveryNeeded

log = logging.getLogger(__name__)

ENV_NODES = "CATALOGUE_TYPESENSE_NODES"
ENV_KEY = "CATALOGUE_TYPESENSE_API_KEY"
ENV_COLLECTION = "CATALOGUE_TYPESENSE_COLLECTION"
DEFAULT_NODES = "http://127.0.0.1:8108"
DEFAULT_COLLECTION = "catalogue"
#: Documents per import request.
IMPORT_BATCH = 1000
#: Keys per delete-by-filter request.
DELETE_BATCH = 100
#: Seconds a write may take before the client tries again (an import of IMPORT_BATCH documents
#: takes 1-2 s on a loaded 2-core machine; re-sent batches are upserts, so a retry is harmless).
WRITE_TIMEOUT = 300.0
#: How long the generation a web request keys its caches on may be reused (seconds).
TOKEN_SECONDS = 0.5


class SearchUnavailable(CatalogueError):
    """The search server cannot be reached or refuses us; the message says what to do."""

    exit_code = 2


@dataclass(frozen=True)
class TypesenseSettings:
    """Where the cluster is and which alias is this catalogue's."""

    nodes: tuple[str, ...]
    api_key: str
    collection: str = DEFAULT_COLLECTION
    timeout: float = 2.0
    retries: int = 3

    @classmethod
    def from_env(cls, environ=os.environ) -> "TypesenseSettings":
        nodes = tuple(n.strip().rstrip("/") for n in environ.get(ENV_NODES, DEFAULT_NODES).split(",") if n.strip())
        key = environ.get(ENV_KEY, "")
        if not key:
            raise SearchUnavailable(f"CATALOGUE_SEARCH=typesense needs the API key of the cluster in {ENV_KEY} "
                                    f"(and its nodes in {ENV_NODES}, default {DEFAULT_NODES}).")
        return cls(nodes=nodes, api_key=key, collection=environ.get(ENV_COLLECTION, DEFAULT_COLLECTION))


def make_client(settings: TypesenseSettings, timeout: float | None = None):
    """A Typesense client over every node of the cluster (it fails over between them)."""
    import typesense

    nodes = []
    for url in settings.nodes:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        nodes.append({"host": parts.hostname, "port": parts.port or (443 if parts.scheme == "https" else 8108),
                      "protocol": parts.scheme or "http"})
    return typesense.Client({
        "nodes": nodes,
        "api_key": settings.api_key,
        "connection_timeout_seconds": timeout or settings.timeout,
        # a lost node: try the next one at once, look at the lost one again after 2 s
        "num_retries": max(settings.retries, len(nodes)),
        "retry_interval_seconds": 0.05,
        "healthcheck_interval_seconds": 2,
    })


class TypesenseIndex:
    """The full-text index of the catalogue in a Typesense collection behind an alias."""

    backend = "typesense"

    def __init__(self, path: Path | str | None = None, settings: TypesenseSettings | None = None,
                 glossary: Glossary | None = None, **_ignored):
        self.path = Path(path) if path is not None else None
        self.settings = settings or TypesenseSettings.from_env()
        self.alias = self.settings.collection
        self.meta_name = f"{self.alias}--meta"
        self.client = make_client(self.settings)
        # writes wait longer: a client that gives up on a slow import re-sends it (a retry)
        self.writer = make_client(self.settings, timeout=WRITE_TIMEOUT)
        self.glossary = glossary if glossary is not None else Glossary.load()
        self.needs_rebuild = False
        self.problem: str | None = None
        self._lock = threading.RLock()
        self._token: tuple | None = None
        self._token_at = 0.0
        #: (field, term) -> present, for the collection in use (index.typesense_query.Vocabulary)
        self.vocabulary_cache: dict = {}
        self._vocabulary_of: str | None = None
        try:
            self._ensure()
        except SearchUnavailable as exc:
            self._mark_broken(str(exc))

    # --- server plumbing ------------------------------------------------------------------

    def _unavailable(self, exc: Exception) -> SearchUnavailable:
        detail = str(exc)
        # requests' connection errors repeat the whole URL and pool state: the kind says enough
        reason = type(exc).__name__ if len(detail) > 100 or not detail else f"{type(exc).__name__}: {detail}"
        return SearchUnavailable(
            f"The search server ({', '.join(self.settings.nodes)}) does not answer: {reason}. "
            "Start it (`make typesense-server`), or unset CATALOGUE_SEARCH to use the built-in index.")

    def call(self, fn, *args, **kwargs):
        """Run one client call; a server that cannot be reached becomes SearchUnavailable."""
        import typesense.exceptions as tse

        try:
            return fn(*args, **kwargs)
        except (tse.ObjectNotFound, tse.RequestMalformed, tse.ObjectAlreadyExists, tse.ObjectUnprocessable):
            raise
        except tse.RequestUnauthorized as exc:
            raise SearchUnavailable(f"The search server refused the API key in {ENV_KEY} ({exc}).") from exc
        except Exception as exc:  # connection refused, timeouts, 503 from a node without a leader
            raise self._unavailable(exc) from exc

    def _mark_broken(self, reason: str) -> None:
        self.needs_rebuild = True
        if reason != self.problem:
            log.warning("%s", reason)
        self.problem = reason

    def current_collection(self) -> str | None:
        """The collection the alias names (None: no alias yet)."""
        import typesense.exceptions as tse

        try:
            return self.call(self.client.aliases[self.alias].retrieve)["collection_name"]
        except tse.ObjectNotFound:
            return None

    def _ensure_meta(self) -> None:
        import typesense.exceptions as tse

        try:
            self.call(self.client.collections[self.meta_name].retrieve)
        except tse.ObjectNotFound:
            try:
                self.call(self.writer.collections.create,
                          {"name": self.meta_name, "fields": [{"name": "layout", "type": "string"}]})
            except tse.ObjectAlreadyExists:
                pass

    def _ensure(self) -> None:
        """An empty collection behind the alias when there is none (a new catalogue's index
        is built by the first catch-up, as for Whoosh)."""
        with self._lock:
            self._ensure_meta()
            if self.current_collection() is None:
                name = self._create_collection()
                self._write_meta(name, None)
                self.call(self.writer.aliases.upsert, self.alias, {"collection_name": name})

    def _create_collection(self) -> str:
        name = f"{self.alias}-{time.time_ns()}"
        self.call(self.writer.collections.create, {"name": name, "fields": collection_fields(),
                                                   "default_sorting_field": ""})
        return name

    def _write_meta(self, collection: str, applied: int | None) -> None:
        doc = {"id": collection, "layout": LAYOUT, "applied": applied}
        self.call(self.writer.collections[self.meta_name].documents.upsert, doc)
        self._token = None

    def _read_meta(self, collection: str) -> dict | None:
        import typesense.exceptions as tse

        try:
            return self.call(self.client.collections[self.meta_name].documents[collection].retrieve)
        except tse.ObjectNotFound:
            return None

    def documents(self):
        """The documents endpoint of the collection in use (through the alias)."""
        return self.client.collections[self.alias].documents

    # --- lifecycle --------------------------------------------------------------------------

    def close(self) -> None:
        """Nothing to release but the HTTP connections (the client reopens them on use)."""

    def healthy(self) -> bool:
        """Whether the server answers and the alias names a collection of our layout."""
        with self._lock:
            try:
                name = self.current_collection()
                if name is None:
                    self._ensure()
                    name = self.current_collection()
                meta = self._read_meta(name) or {}
            except SearchUnavailable as exc:
                self._mark_broken(str(exc))
                return False
            if meta.get("layout") != LAYOUT:
                self._mark_broken(f"The search collection {name} was written with another layout "
                                  f"({meta.get('layout')!r}, this version writes {LAYOUT!r}); it needs a rebuild.")
                return False
            self.needs_rebuild = False
            self.problem = None
            return True

    def applied_generation(self) -> int | None:
        """The store generation the collection in use reflects (None: unknown, rebuild it)."""
        name = self.current_collection()
        meta = self._read_meta(name) if name else None
        applied = (meta or {}).get("applied")
        return int(applied) if isinstance(applied, int) else None

    def generation_token(self, store_generation: int | None = None) -> tuple:
        """(collection, applied generation) for cache keys, asked of the server at most every
        TOKEN_SECONDS (sooner when it differs from ``store_generation``); ('unreadable',) when
        the server does not answer."""
        now = time.monotonic()
        token = self._token
        fresh = token is not None and now - self._token_at < TOKEN_SECONDS
        if fresh and (store_generation is None or token[-1] == store_generation or now - self._token_at < 0.05):
            return token
        try:
            name = self.current_collection()
            meta = self._read_meta(name) if name else None
            token = (name, (meta or {}).get("applied"))
        except SearchUnavailable:
            token = ("unreadable",)
        self._token, self._token_at = token, now
        return token

    def mark_applied(self, generation: int) -> None:
        """Record that the collection in use reflects ``generation`` (a replay that wrote nothing)."""
        name = self.current_collection()
        if name is None:
            raise RecoveryNeeded(f"The search alias {self.alias} names no collection yet; rebuild it.")
        self._write_meta(name, generation)

    # --- writing ------------------------------------------------------------------------------

    def _import(self, collection: str, docs: list[dict], action: str) -> None:
        endpoint = self.writer.collections[collection].documents
        for start in range(0, len(docs), IMPORT_BATCH):
            batch = docs[start:start + IMPORT_BATCH]
            results = self.call(endpoint.import_, batch, {"action": action})
            failed = [(doc["id"], r.get("error")) for doc, r in zip(batch, results) if not r.get("success")]
            if failed:
                raise RecoveryNeeded(f"The search server refused {len(failed)} documents, e.g. {failed[0]}")

    def _import_all(self, collection: str, docs: Iterable[dict], action: str) -> int:
        """Import documents a batch at a time, the server indexing one batch while the next is
        analysed here (our analysis and Typesense's indexing each take about half the time)."""
        from concurrent.futures import ThreadPoolExecutor

        count = 0
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="typesense-import") as pool:
            pending = None
            batch: list[dict] = []
            for doc in docs:
                batch.append(doc)
                if len(batch) >= IMPORT_BATCH:
                    if pending is not None:
                        pending.result()
                    pending = pool.submit(self._import, collection, batch, action)
                    count += len(batch)
                    batch = []
            if pending is not None:
                pending.result()
            if batch:
                self._import(collection, batch, action)
                count += len(batch)
        return count

    def _put_synonyms(self, collection: str) -> int:
        from concurrent.futures import ThreadPoolExecutor

        synonyms = glossary_synonyms(self.glossary) if self.glossary is not None else []
        endpoint = self.writer.collections[collection].synonyms
        # one request per synonym in 0.24 (no bulk import): four at a time (3,014: 16 s -> 5 s)
        with ThreadPoolExecutor(max_workers=4, thread_name_prefix="typesense-synonyms") as pool:
            for done in pool.map(lambda item: self.call(endpoint.upsert, item[0], {"synonyms": item[1]}), synonyms):
                pass
        return len(synonyms)

    def rebuild(self, records: Iterable[Standard], extras: dict | None = None, generation: int | None = None) -> int:
        """Fill a new collection from ``records``, move the alias to it, drop the old one;
        return the documents indexed. Searches answer from the old collection meanwhile."""
        name = self._create_collection()
        count = 0
        try:
            count = self._import_all(name, make_documents(records, extras), "upsert")
            self._put_synonyms(name)
            self._write_meta(name, generation)
        except BaseException:
            try:
                self.writer.collections[name].delete()
            except Exception:  # the server went away: the orphan is dropped by the next rebuild
                pass
            raise
        with self._lock:
            old = self.current_collection()
            self.call(self.writer.aliases.upsert, self.alias, {"collection_name": name})
            self.needs_rebuild = False
            self.problem = None
            self._token = None
        self._drop_others(keep=name, also=old)
        return count

    def _drop_others(self, keep: str, also: str | None) -> None:
        """Drop the collections of this alias other than ``keep`` (old generations, orphans of
        killed rebuilds older than a minute) and their metadata documents."""
        import typesense.exceptions as tse

        prefix = f"{self.alias}-"
        cutoff = time.time_ns() - 60 * 10**9
        for info in self.call(self.client.collections.retrieve):
            name = info["name"]
            if name == keep or not name.startswith(prefix) or name == self.meta_name:
                continue
            stamp = name[len(prefix):]
            if not stamp.isdigit():
                continue
            if name != also and int(stamp) > cutoff:
                continue  # perhaps another process's rebuild in progress
            try:
                self.call(self.writer.collections[name].delete)
                self.call(self.writer.collections[self.meta_name].documents[name].delete)
            except tse.ObjectNotFound:
                pass

    def update(self, records: Iterable[Standard], extras: dict | None = None, delete_keys: Iterable[str] = (),
               generation: int | None = None) -> None:
        """Add or replace ``records`` and delete ``delete_keys``; record ``generation`` last."""
        name = self.current_collection()
        if name is None:
            raise RecoveryNeeded(f"The search alias {self.alias} names no collection yet; rebuild it.")
        self._import_all(name, make_documents(records, extras), "upsert")
        keys = [k for k in dict.fromkeys(delete_keys) if k]
        endpoint = self.writer.collections[name].documents
        for start in range(0, len(keys), DELETE_BATCH):
            chunk = keys[start:start + DELETE_BATCH]
            self.call(endpoint.delete, {"filter_by": "key:=[" + ",".join(quote(k) for k in chunk) + "]"})
        if generation is not None:
            self._write_meta(name, generation)

    # --- reading ------------------------------------------------------------------------------

    def warm(self) -> None:
        """One search, so that the first user does not open the connections."""
        self.count()

    def count(self) -> int:
        """The number of indexed records."""
        return int(self.call(self.documents().search, {"q": "*", "per_page": 0})["found"])

    def count_safely(self) -> int:
        try:
            return self.count()
        except Exception:  # noqa: BLE001 - the server away or the alias gone: a count is a courtesy here
            return 0

    def keys(self) -> set[str]:
        """Every indexed key."""
        text = self.call(self.writer.collections[self.alias].documents.export, {"include_fields": "key"})
        return {json.loads(line)["key"] for line in text.splitlines() if line.strip()}

    def vocabulary(self):
        """The term look-ups of the collection in use, kept until it changes."""
        from .typesense_query import Vocabulary

        token = self.generation_token()
        if token != self._vocabulary_of:
            self.vocabulary_cache = {}
            self._vocabulary_of = token
        return Vocabulary(self, self.vocabulary_cache)

    def search(self, query: str, filters: dict[str, list[str]] | None = None, sort: str = "relevance",
               page: int = 1, page_size: int = 20, facets: bool = True, lang: str = "en",
               group: str = "work", facts=None) -> SearchResult:
        """Search as :meth:`index.SearchIndex.search` does (index/typesense_search.py): one hit
        per standard by default (``group="none"``: every edition), designations decided by
        index/meaning.py with ``facts`` (the store; else the collection's own answers)."""
        from .typesense_search import run_search

        clean = check_arguments(query, filters, sort, page, page_size, group)
        return run_search(self, query or "", clean, sort, page, page_size, facets, lang, group, facts)

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Designations, then titles, starting with ``prefix``: 'iso 52' -> ['ISO 5208:2015', ...]."""
        from .typesense_query import suggest

        prefix = (prefix or "").strip()
        if not prefix or limit < 1:
            return []
        return suggest(self, prefix, limit)


def make_documents(records: Iterable[Standard], extras: dict | None):
    """The Typesense documents of a batch, one per key (the last record given wins)."""
    extras = extras or {}
    by_key: dict[str, Standard] = {}
    for record in records:
        if not record.key:
            log.warning("not indexed: %s has no key", record.designation)
            continue
        by_key.pop(record.key, None)
        by_key[record.key] = record
    for key, record in by_key.items():
        yield make_document(record, extras.get(key))


def quote(value: str) -> str:
    """A filter value in backticks (Typesense 0.24 reads `a,b` and `(x)` inside them as text)."""
    return "`" + value.replace("`", "") + "`"
