"""Facet columns, filters and facet counts over memory-mapped arrays.

Whoosh's ``groupedby`` re-reads columns for every query (NOTES.md: 2.1 s at 100,000 records),
so every document's value codes are written with each index commit (index/sidecar.py) and
facets are counted with numpy over them (``np.bincount`` over the matching documents' codes).
The document table that holds them is :class:`index.table.DocTable`.
"""
from __future__ import annotations

import logging
from collections import OrderedDict
from typing import TYPE_CHECKING, Iterable

import numpy as np

from .schema import FACETS

if TYPE_CHECKING:
    from .table import DocTable

log = logging.getLogger(__name__)

#: At most this many values per facet in a result (the most frequent ones).
FACET_LIMIT = 50
#: Facets listed newest first rather than by count.
BY_VALUE_DESC = ("year", "decade")
#: Memory for kept filter masks (one byte per document each).
MASK_BYTES = 32 * 1024 * 1024

#: Facet count results kept per document table (browse pages without query text).
FACET_CACHE_ENTRIES = 512


class BoundedCache(OrderedDict):
    """A small LRU mapping: ``in``, ``[key]`` and ``[key] = value``, at most ``limit`` entries."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def __getitem__(self, key):
        value = super().__getitem__(key)
        self.move_to_end(key)
        return value

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)


class FacetColumn:
    """One facet's values over every document, as arrays (written by index/sidecar.py with each
    index commit, memory-mapped here): codes number the values in sorted order.

    ``pair_docs`` lists every (document, value) pair by value, so a value's documents are one
    slice (for filters). For counting, a facet with at most one value per document keeps each
    document's code in ``single`` (-1 for none): counting N documents is one gather and one
    ``np.bincount``. A facet with several values per document (ICS levels, languages) numbers
    each distinct set of values ("combination": 3,958 for ICS over the real catalogue) and
    keeps each document's combination in ``combo``: counting is a ``bincount`` of the
    documents' combinations, then one of the combinations' values weighted by those counts,
    so its cost does not grow with the number of values per document.
    """

    def __init__(self, name: str, meta: dict, bundle):
        self.values: list[str] = meta["values"]
        self._code: dict[str, int] | None = None
        self.pair_docs = bundle[f"fp:{name}"]
        self.value_starts = bundle[f"fvs:{name}"]
        self.single: np.ndarray | None = None
        #: per standard (group): whether its documents agree on this facet; None when all do
        self.uniform: np.ndarray | None = None if meta.get("uniform", False) else bundle[f"fu:{name}"]
        if not meta["multi"]:
            self.single = bundle[f"fs:{name}"]
            return
        self.combo = bundle[f"fc:{name}"]
        self.combo_len = bundle[f"fcl:{name}"]
        self.combo_start = bundle[f"fcs:{name}"]
        self.combo_vals = bundle[f"fcv:{name}"]
        self.combo_of_pair = bundle[f"fcp:{name}"]
        # below this many documents, listing their values beats a pass over every combination
        self.expand_below = meta["expand_below"]

    @property
    def code(self) -> dict[str, int]:
        """Value -> code (built on first use: most facets are only counted, never looked up)."""
        if self._code is None:
            self._code = {value: i for i, value in enumerate(self.values)}
        return self._code

    def find_docs(self, value: str) -> np.ndarray:
        """The documents having ``value`` (ascending)."""
        code = self.code.get(value)
        if code is None:
            return self.pair_docs[:0]
        return self.pair_docs[self.value_starts[code]:self.value_starts[code + 1]]

    def count(self, docs: np.ndarray) -> np.ndarray:
        """How many of ``docs`` have each value: an array indexed by code."""
        nvalues = len(self.values)
        if self.single is not None:
            return np.bincount(self.single[docs] + 1, minlength=nvalues + 1)[1:]
        combos = self.combo[docs]
        if len(docs) < self.expand_below:
            lengths = self.combo_len[combos]
            total = int(lengths.sum())
            if not total:
                return np.zeros(nvalues, dtype=np.int64)
            # the positions of every value of every document's combination, run after run
            shift = np.repeat(self.combo_start[combos] - (np.cumsum(lengths) - lengths), lengths)
            return np.bincount(self.combo_vals[shift + np.arange(total)], minlength=nvalues)
        per_combo = np.bincount(combos, minlength=len(self.combo_len))
        counts = np.bincount(self.combo_vals, weights=per_combo[self.combo_of_pair], minlength=nvalues)
        return counts.astype(np.int64)


    def pairs(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every (position in ``docs``, value code) pair of the documents: for counting
        distinct standards per value."""
        if self.single is not None:
            codes = self.single[docs]
            where = np.flatnonzero(codes >= 0)
            return where, codes[where]
        combos = self.combo[docs]
        lengths = self.combo_len[combos]
        total = int(lengths.sum())
        if not total:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
        shift = np.repeat(self.combo_start[combos] - (np.cumsum(lengths) - lengths), lengths)
        return np.repeat(np.arange(len(docs)), lengths), self.combo_vals[shift + np.arange(total)]


def keep_passing(docs: np.ndarray, masks: Iterable[np.ndarray]) -> np.ndarray:
    """The documents of ``docs`` that every mask lets through."""
    for mask in masks:
        docs = docs[mask[docs]]
    return docs


def facet_candidates(table: DocTable, name: str, active: list[str]) -> list[str]:
    """The values of a hierarchical facet to count: ICS '23' -> its children '23.060' ...

    With no active filter, the top level (ICS '23', CCS letter 'J'); under an active ICS filter
    the next level down; under an active CCS letter the full codes of that letter.
    """
    values = table.columns[name].values
    if name == "ics":
        if not active:
            return [v for v in values if "." not in v]
        wanted = []
        for code in active:
            depth = code.count(".") + 1
            wanted.extend(v for v in values if v.startswith(code + ".") and v.count(".") == depth)
        return wanted
    if name == "ccs":
        if not active:
            return [v for v in values if len(v) == 1]
        letters = {code[:1] for code in active}
        return [v for v in values if len(v) > 1 and v[:1] in letters]
    return list(values)


#: Distinct (standard, value) pairs are found by scattering into a scratch array of this many
#: cells at most (time linear in the documents, pages touched only where written); beyond it
#: (many standards times many values) by ``np.unique``.
SCATTER_CELLS = 1 << 22


def one_each(keys: np.ndarray, size: int) -> np.ndarray:
    """A mask of ``keys`` (each 0 <= key < size) holding one True for each distinct key, in time
    linear in the keys: each key's cell of a scratch array keeps one of its positions (whichever
    lands last; the array is not zeroed, only cells written here are read)."""
    place = np.empty(max(1, size), dtype=np.int32)
    order = np.arange(len(keys), dtype=np.int32)
    place[keys] = order
    return place[keys] == order


class Standards:
    """The documents of a match set as standards (groups), for counting standards rather than
    documents: ``first`` holds one document of each standard (enough for a facet whose values a
    standard's editions share), ``dense`` numbers each document's standard 0..count-1 (for
    distinct (standard, value) pairs where the editions differ). Linear in the documents: no
    pass over every standard of the catalogue."""

    __slots__ = ("groups", "first", "first_groups", "dense", "count")

    def __init__(self, table: DocTable, docs: np.ndarray):
        groups = table.group[docs]
        self.groups = groups
        first = one_each(groups, table.group_count)
        self.first = docs[first]
        self.first_groups = groups[first]
        self.count = len(self.first)
        number = np.empty(max(1, table.group_count), dtype=np.int32)  # read only where written
        number[self.first_groups] = np.arange(self.count, dtype=np.int32)
        self.dense = number[groups]


def distinct_pairs(groups: np.ndarray, codes: np.ndarray, ngroups: int, ncodes: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (group, code) pairs of two parallel arrays (groups < ngroups, 0 <= codes <
    ncodes), as two arrays in no particular order."""
    if not len(groups):
        return groups, codes
    key = groups.astype(np.int64) * ncodes + codes
    if ngroups * ncodes <= SCATTER_CELLS:
        first = one_each(key, ngroups * ncodes)
        return groups[first], codes[first]
    key = np.unique(key)
    return key // ncodes, key % ncodes


def count_values(column: FacetColumn, docs: np.ndarray, standards: Standards | None) -> np.ndarray:
    """Documents (or, with ``standards``, distinct standards) per value code."""
    if standards is None:
        return column.count(docs)
    nvalues = len(column.values)
    if not nvalues or not len(docs):
        return np.zeros(nvalues, dtype=np.int64)
    if column.uniform is None:  # every standard's editions agree: one document per standard
        return column.count(standards.first)
    agree = column.uniform[standards.first_groups].view(bool)
    counts = column.count(standards.first[agree])
    differ = ~column.uniform[standards.groups].view(bool)
    if not differ.any():
        return counts
    rest, dense = docs[differ], standards.dense[differ]
    if column.single is not None:
        codes = column.single[rest]
        keep = codes >= 0
        _, values = distinct_pairs(dense[keep], codes[keep], standards.count, nvalues)
        return counts + np.bincount(values, minlength=nvalues)[:nvalues]
    # several values a document: editions of one standard mostly share their set of values
    # (their combination), so distinct (standard, combination) pairs first, values after
    groups, combos = distinct_pairs(dense, column.combo[rest], standards.count, len(column.combo_len))
    lengths = column.combo_len[combos]
    total = int(lengths.sum())
    if not total:
        return counts
    shift = np.repeat(column.combo_start[combos] - (np.cumsum(lengths) - lengths), lengths)
    values = column.combo_vals[shift + np.arange(total)]
    _, values = distinct_pairs(np.repeat(groups, lengths), values, standards.count, nvalues)
    return counts + np.bincount(values, minlength=nvalues)[:nvalues]


def count_facet(table: DocTable, name: str, docs: np.ndarray, active: list[str],
                standards: Standards | None = None) -> list[list]:
    """[[value, count], ...] of one facet over ``docs``, most frequent first (years newest first).

    With ``standards`` (the same documents split by :class:`Standards`), a value counts the
    standards having it, not their editions: ISO 5208's three editions count once under ISO.
    """
    column = table.columns[name]
    candidates = table.get_candidate_codes(name, active)
    if not len(candidates) or not len(docs):
        return []
    counts = count_values(column, docs, standards)[candidates]
    found = counts > 0
    codes, counts = candidates[found], counts[found]
    # codes number the values in sorted order, so sorting codes sorts values
    if name in BY_VALUE_DESC:
        chosen = np.argsort(-codes, kind="stable")[:FACET_LIMIT]
    else:
        chosen = np.lexsort((codes, -counts))[:FACET_LIMIT]
    values = column.values
    return [[values[codes[i]], int(counts[i])] for i in chosen.tolist()]


def count_facets(table: DocTable, matched: np.ndarray, filters: dict[str, list[str]],
                 masks: dict[str, np.ndarray], grouped: bool = False) -> dict[str, list[list]]:
    """Every facet counted over the matches with the OTHER facets' filters applied.

    Standard multi-select faceting: choosing 'ISO' under publisher still shows how many IEC
    records match, so the user can add IEC. ``grouped``: count standards (a value counts each
    standard having a matching document with that value once), as results are grouped.
    """
    facets = {}
    everything = None
    everything_standards = None
    for name in FACETS:
        if name in masks:
            docs = keep_passing(matched, [m for other, m in masks.items() if other != name])
            standards = Standards(table, docs) if grouped else None
        else:
            if everything is None:
                everything = keep_passing(matched, masks.values())
                everything_standards = Standards(table, everything) if grouped else None
            docs, standards = everything, everything_standards
        facets[name] = count_facet(table, name, docs, filters.get(name, []), standards)
    return facets
