"""The Whoosh full-text index of the catalogue: derived from the store, rebuildable at any time.

Everything Whoosh lives in this package; callers get plain Python back.

    >>> ix = SearchIndex(home / "index")
    >>> ix.rebuild(store.iter_records(), extras)
    >>> ix.search("闸阀", filters={"status": ["current"]}).to_json()
"""
import os

from .glossary import Glossary
from .search import MAX_PAGE_SIZE, MAX_QUERY, SORTS, QueryError, SearchResult
from .searchindex import SearchIndex
from .schema import FACETS
from .writer import RecoveryNeeded

#: Which engine holds the index: ``whoosh`` (the default, files under the catalogue's home) or
#: ``typesense`` (a cluster; see index/typesense_backend.py for its variables).
ENV_BACKEND = "CATALOGUE_SEARCH"
BACKENDS = ("whoosh", "typesense")


def open_search_index(path, **kwargs):
    """The search index the configuration chooses (the one place that decides): Whoosh at
    ``path`` unless ``CATALOGUE_SEARCH=typesense``."""
    backend = (os.environ.get(ENV_BACKEND) or "whoosh").strip().lower()
    if backend == "whoosh":
        return SearchIndex(path, **kwargs)
    if backend == "typesense":
        from .typesense_backend import TypesenseIndex

        return TypesenseIndex(path, **kwargs)
    from catalogue.errors import UsageError

    raise UsageError(f"{ENV_BACKEND}={backend!r} is not a search backend; use one of: {', '.join(BACKENDS)}.")


__all__ = [
    "BACKENDS",
    "open_search_index",
    "FACETS",
    "MAX_PAGE_SIZE",
    "MAX_QUERY",
    "SORTS",
    "Glossary",
    "QueryError",
    "RecoveryNeeded",
    "SearchIndex",
    "SearchResult",
]
