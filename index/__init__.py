"""The Whoosh full-text index of the catalogue: derived from the store, rebuildable at any time.

Everything Whoosh lives in this package; callers get plain Python back.

    >>> ix = SearchIndex(home / "index")
    >>> ix.rebuild(store.iter_records(), extras)
    >>> ix.search("闸阀", filters={"status": ["current"]}).to_json()
"""
from .glossary import Glossary
from .search import MAX_PAGE_SIZE, MAX_QUERY, SORTS, QueryError, SearchResult
from .searchindex import SearchIndex
from .schema import FACETS
from .writer import RecoveryNeeded

__all__ = [
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
