"""The document table of one searcher: rows, live documents, score factors, sort orders and
facet columns, memory-mapped from the files written with each index commit (index/sidecar.py;
the stored rows are read from their file with ``pread``, a few at a time).

Opening costs a few ``mmap`` calls and small headers; no Python object per document is made
until a search asks for one (a hit's row is decoded when it is shown). Every process reading
the same generation shares the pages.
"""
from __future__ import annotations

import logging
from bisect import bisect_right
from collections import OrderedDict
from pathlib import Path

import numpy as np

from .analyzers import dash_form
from .bundle import Bundle, BundleError
from .facets import FACET_CACHE_ENTRIES, BoundedCache, FacetColumn, facet_candidates
from .postings import SegmentPostings, find_stale_cache_files, load_postings
from .schema import FACETS, ROW_DATE, ROW_DESIGNATION, ROW_IN_FORCE, ROW_KEY, ROW_STATUS, ROW_YEAR, STATUS_RANK
from .scoring import TermScores
from .sidecar import SIDE_VERSION, TABLE_LAYOUT, build_table, factors_stamp, open_segment, remove_stale, table_path

log = logging.getLogger(__name__)

#: Decoded rows kept per table (hits of recent pages, editions of recent works). A row is about
#: 2.5 KB of Python objects on the real catalogue and is read (pread) and decoded in ~17 us.
ROW_CACHE = 1024


class Rows:
    """``rows[docnum]``: the stored row of a live document, None for a deleted one."""

    def __init__(self, sides: list, offsets: np.ndarray, live: np.ndarray, size: int):
        self._sides = sides
        self._starts = [int(offset) for offset in offsets]  # a list: bisect beats numpy on a few
        self._live = live
        self._size = size
        self._cache: OrderedDict[int, tuple] = OrderedDict()

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, docnum: int):
        docnum = int(docnum)
        if docnum < 0 or docnum >= self._size:
            raise IndexError(docnum)
        if not self._live[docnum]:
            return None
        found = self._cache.get(docnum)
        if found is not None:
            return found
        i = bisect_right(self._starts, docnum) - 1
        row = self._sides[i].row(docnum - self._starts[i])
        self._cache[docnum] = row
        if len(self._cache) > ROW_CACHE:
            self._cache.popitem(last=False)
        return row

    def __iter__(self):
        for docnum in range(self._size):
            yield self[docnum]


class DocTable:
    """Rows, facet columns, keys and status factors of one searcher's live documents."""

    def __init__(self, searcher, segment_cache: dict, folder: Path | None = None):
        size = searcher.doc_count_all()
        self.size = size
        reader = searcher.reader()
        toc = reader.generation() if hasattr(reader, "generation") else None
        toc = -1 if toc is None else toc  # an empty index
        sides, offsets, postings, segments, kept = [], [], [], [], {}
        for sub, offset in searcher.leaf_searchers():
            leaf = sub.reader()
            seg = leaf.segment() if hasattr(leaf, "segment") else None
            seg_id = seg.segment_id() if seg is not None else f"mem{offset}"
            data = segment_cache.get(seg_id)
            if data is None:
                if folder is None:
                    raise BundleError("an index without a folder cannot be mapped")
                data = {"side": open_segment(leaf, folder, seg_id),
                        "terms": load_postings(leaf, folder, seg_id)}
            kept[seg_id] = data
            deleted = list(seg.deleted_docs()) if seg is not None and seg.has_deletions() else []
            sides.append(data["side"])
            offsets.append(offset)
            postings.append((data["terms"], offset))
            segments.append((data["side"], offset, deleted))
        segment_cache.clear()
        segment_cache.update(kept)
        self.bundle = self._open_table(folder, toc, segments, size)
        if folder is not None:
            self._clean(folder, set(kept), toc)
        b = self.bundle
        self.live = b["live"].view(bool)
        self.alive = b["alive"]
        self.factor = b["factor"]
        self.focus = b["focus"]
        self.in_force = b["in_force"]
        self.group = b["grp"]
        self.kind = b["kind"]
        self.edrank = b["edrank"]
        self._grp_vals = b["grp_vals"]
        self._grp_docs = b["grp_docs"]
        self._grp_starts = b["grp_starts"]
        self.offsets = np.array(offsets, dtype=np.int64)
        self.sides = sides
        self.rows = Rows(sides, self.offsets, self.live, size)
        meta = b.meta["facets"]
        self.columns = {name: FacetColumn(name, meta[name], b) for name in FACETS}
        self._candidates: dict[tuple, np.ndarray] = {}
        self._masks: OrderedDict = OrderedDict()
        #: Facet counts of queries without text (browsing), least recently used dropped first.
        self.facet_cache = BoundedCache(FACET_CACHE_ENTRIES)
        self.terms = TermScores(reader, postings)

    @staticmethod
    def _open_table(folder: Path | None, toc: int, segments: list, size: int) -> Bundle:
        """The commit's table file, built now if the writer did not leave one (an index from an
        older version, or a writer killed between its commit and this file)."""
        path = table_path(folder, toc)
        try:
            found = Bundle(path)
            if found.meta.get("version") == SIDE_VERSION and found.meta.get("size") == size \
                    and found.meta.get("factors") == factors_stamp() and found.meta.get("table") == TABLE_LAYOUT:
                return found
        except BundleError:
            pass
        build_table(folder, toc, segments, size)
        return Bundle(path)

    @staticmethod
    def _clean(folder: Path, kept: set[str], toc: int) -> None:
        """Files of segments merged away and tables of commits before the previous one."""
        try:
            remove_stale(folder, kept, {toc, toc - 1})
            for stale in find_stale_cache_files(folder, kept):
                stale.unlink(missing_ok=True)
        except OSError:  # a read-only index: the files stay, nothing is wrong
            pass

    # ---------------------------------------------------------------- documents
    def keys(self) -> set[str]:
        """Every live document's key (reads every row: for checks, not for searches)."""
        return {self.rows[int(d)][ROW_KEY] for d in self.alive}

    def docs_of_work(self, work: str) -> list[int]:
        """The live documents of one work (its editions), through the ``work`` field's postings."""
        return [d for d in self.terms.list_docs("work", work) if self.live[d]]

    # ---------------------------------------------------------------- standards (groups)
    @property
    def group_count(self) -> int:
        return len(self._grp_vals)

    def group_code(self, name: str) -> int:
        """The code of a group (a standard's work key, 'iso-5208'), or -1 when none is indexed."""
        key = name.encode("utf-8")
        i = int(np.searchsorted(self._grp_vals, key))
        return i if i < len(self._grp_vals) and self._grp_vals[i] == key else -1

    def group_name(self, code: int) -> str:
        return bytes(self._grp_vals[code]).decode("utf-8")

    def docs_of_group(self, code: int) -> np.ndarray:
        """A group's live documents in edition order (the representative first)."""
        if code < 0:
            return self._grp_docs[:0]
        return self._grp_docs[self._grp_starts[code]:self._grp_starts[code + 1]]

    def groups_with_prefix(self, prefix: str) -> list[str]:
        """Group keys starting with ``prefix`` ('iec-60947-' -> ['iec-60947-1', ...]), sorted as bytes."""
        key = prefix.encode("utf-8")
        lo = int(np.searchsorted(self._grp_vals, key))
        hi = int(np.searchsorted(self._grp_vals, key + b"\xff"))
        return [bytes(v).decode("utf-8") for v in self._grp_vals[lo:hi]]

    def edition_order(self, docnum: int) -> tuple:
        """Sort key among editions of one work: in force first, then by status, newest first."""
        row = self.rows[docnum]
        return (not row[ROW_IN_FORCE], STATUS_RANK.get(row[ROW_STATUS], 5), _neg_text(row[ROW_DATE] or row[ROW_YEAR]),
                row[ROW_KEY])

    # ---------------------------------------------------------------- orders
    def order(self, sort: str) -> np.ndarray:
        """Every live document in ``designation``, ``date`` (newest first) or ``browse`` order."""
        return self.bundle[f"ord:{sort}"]

    def position(self, sort: str) -> np.ndarray:
        """Each document's place in ``order(sort)`` (deleted ones last)."""
        return self.bundle[f"pos:{sort}"]

    def take_in_order(self, sort: str, docs: np.ndarray, count: int) -> list[int]:
        """The first ``count`` of ``docs`` in ``order(sort)``."""
        if not len(docs) or count < 1:
            return []
        order = self.order(sort)
        if len(docs) * 8 < len(order):
            places = self.position(sort)[docs]
            if count < len(docs):
                nearest = np.argpartition(places, count - 1)[:count]
                return docs[nearest[np.argsort(places[nearest])]].tolist()
            return docs[np.argsort(places)].tolist()
        mask = np.zeros(self.size, dtype=bool)
        mask[docs] = True
        return order[mask[order]][:count].tolist()

    # ---------------------------------------------------------------- filters
    def make_filter_masks(self, filters: dict[str, list[str]]) -> dict[str, np.ndarray]:
        """For each filtered facet, which documents have any of the chosen values (read-only)."""
        masks = {}
        for name, values in filters.items():
            if len(values) == 1:
                masks[name] = self.get_value_mask(name, values[0])
                continue
            chosen = np.zeros(self.size, dtype=bool)
            for value in values:
                chosen |= self.get_value_mask(name, value)
            masks[name] = chosen
        return masks

    def get_value_mask(self, name: str, value: str) -> np.ndarray:
        """Which documents have ``value`` in facet ``name``: a bool per document, kept for reuse
        (the same publisher, status and decade filters come back all the time); the kept masks
        hold at most MASK_BYTES, least recently used dropped first."""
        key = (name, value)
        found = self._masks.get(key)
        if found is not None:
            self._masks.move_to_end(key)
            return found
        found = np.zeros(self.size, dtype=bool)
        found[self.columns[name].find_docs(value)] = True
        found.flags.writeable = False
        self._masks[key] = found
        from . import facets  # the bound is read at call time (tests lower it)

        while len(self._masks) > 1 and len(self._masks) * max(1, self.size) > facets.MASK_BYTES:
            self._masks.popitem(last=False)
        return found

    def get_candidate_codes(self, name: str, active: list[str]) -> np.ndarray:
        """Codes of :func:`facet_candidates`, cached per facet and active filter."""
        key = (name, tuple(active))
        found = self._candidates.get(key)
        if found is None:
            code = self.columns[name].code
            found = np.array(sorted({code[v] for v in facet_candidates(self, name, active)}), dtype=np.int64)
            if len(self._candidates) >= 4096:
                self._candidates.clear()
            self._candidates[key] = found
        return found

    # ---------------------------------------------------------------- suggestions
    def suggest(self, prefix: str, limit: int) -> list[str]:
        """Designations, then titles, starting with ``prefix`` (in force first among equals)."""
        out: list[str] = []
        dashed = dash_form(prefix)
        if dashed:
            found = []
            for side, offset in zip(self.sides, self.offsets.tolist()):
                lo, hi = side.designations.prefix_range(dashed)
                hi = min(hi, lo + 4 * limit + 16)
                ranks, docs = side["sd_rank"], side["sd_doc"]
                for i in range(lo, hi):
                    d = int(docs[i]) + offset
                    if self.live[d]:
                        found.append((side.designations.raw(i), int(ranks[i]), d))
            found.sort()
            for _, _, d in found:
                shown = self.rows[d][ROW_DESIGNATION]
                if shown not in out:
                    out.append(shown)
                if len(out) >= limit:
                    return out
        lowered = prefix.lower()
        found_titles = []
        for side, offset in zip(self.sides, self.offsets.tolist()):
            lo, hi = side.titles.prefix_range(lowered)
            hi = min(hi, lo + 4 * limit + 16)
            docs = side["st_doc"]
            for i in range(lo, hi):
                if self.live[int(docs[i]) + offset]:
                    found_titles.append((side.titles.raw(i), side.shown_titles.text(i)))
        found_titles.sort()
        for _, title in found_titles:
            if title not in out:
                out.append(title)
            if len(out) >= limit:
                break
        return out


def _neg_text(text: str) -> tuple:
    """A key that sorts date strings newest first: '2015-06-01' after '2020-01-01'."""
    return tuple(-ord(c) for c in (text or "")) + (1,)


def touch_all(table: DocTable) -> None:
    """Read the table's arrays once (a server's warm-up: no page faults in searches)."""
    total = 0
    for arr in table.bundle.arrays.values():
        if arr.nbytes:
            total += int(arr.view(np.uint8)[::4096].sum())
    table.terms.touch()
    for side in table.sides:  # designations and titles a suggestion bisects (made on first use)
        for strings in (side.designations, side.titles, side.shown_titles):
            strings.heads()
    for name in FACETS:  # the values a facet lists with no filter chosen
        table.get_candidate_codes(name, [])


__all__ = ["DocTable", "Rows", "SegmentPostings", "touch_all"]
