"""What a search process needs beside Whoosh's own files, written with each index commit.

Two kinds of files in a generation folder, read in place by every process: the ``.bnd`` files
memory-mapped (index/bundle.py), the ``.rows`` files with ``pread`` (see :class:`SegmentSide`):

- per Whoosh segment (segments never change once written; only deletions are added later):
  ``side-<segment>.rows``, every document's stored row (marshal, one after the other), and
  ``side-<segment>.bnd``: the rows' offsets, each document's status, in-force flag, title
  length, sort keys, facet value codes, and its suggestion lists (designation and title
  prefixes). Written once by the process that commits the segment.
- per commit (Whoosh's table-of-contents generation): ``table-<toc>.bnd``, the index-wide arrays
  searches use: which documents are live, score factors, the three sort orders and each
  document's place in them, and the facet columns (value codes, combinations, the documents
  of each value). Built from the segments' files with numpy, in time proportional to the
  catalogue but with no Python loop over documents (tens of milliseconds for the real
  catalogue): a one-row ingest writes one small segment file and one table.

A process opening the index maps these files; it builds nothing unless a file is missing
(an index written by an older version, or a writer killed between its commit and these
files), in which case it writes the file itself for the next process.
"""
from __future__ import annotations

import logging
import marshal
import os
import threading
import re
import weakref
from pathlib import Path
from typing import Iterable

import numpy as np

from .analyzers import dash_form, strip_publisher
from .bundle import Bundle, BundleError, StringTable, pack_strings, write_bundle
from .schema import (
    FACETS,
    ROW_DATE,
    ROW_DESIGNATION,
    ROW_FACETS,
    ROW_GROUP,
    ROW_IN_FORCE,
    ROW_KIND,
    ROW_SORTKEY,
    ROW_STATUS,
    ROW_TITLES,
    ROW_WORK,
    STATUS_FACTOR,
    STATUS_RANK,
    KINDS,
)

log = logging.getLogger(__name__)

#: Layout of the files; files of another version are rebuilt.
SIDE_VERSION = 2
#: Longest group (work) key kept per document; longer ones are cut (never seen: the longest
#: base work of the real catalogue has 37 characters).
GROUP_BYTES = 96
#: Status words in code order (codes are stored per document).
STATUS_CODES = ("current", "upcoming", "draft", "replaced", "withdrawn", "")
SORTKEY_BYTES = 64
DATE_BYTES = 10
FOCUS_FLOOR = 0.6
_HAN = re.compile("[\u4e00-\u9fff]")


def title_length(titles: dict) -> int:
    """Words in the English (else any) title; CJK counts two characters a word."""
    text = titles.get("en") or next(iter(titles.values()), "") if titles else ""
    if not text:
        return 1
    words = len(text.split())
    cjk = len(_HAN.findall(text)) if _HAN.search(text) else 0
    return max(1, words + cjk // 2)


def segment_paths(folder: Path, seg_id: str) -> tuple[Path, Path]:
    return folder / f"side-{seg_id}.bnd", folder / f"side-{seg_id}.rows"


def table_path(folder: Path, toc: int) -> Path:
    return folder / f"table-{toc}.bnd"


# ------------------------------------------------------------------ one segment
def build_segment(reader, folder: Path, seg_id: str) -> None:
    """Write one segment's side files from its stored rows (every document number, deleted
    ones included while their stored fields are still readable)."""
    n = reader.doc_count_all()
    rows: list = [None] * n
    for docnum in range(n):
        try:
            rows[docnum] = reader.stored_fields(docnum).get("row")
        except Exception:  # a deleted document whose fields are gone: no row, never live
            rows[docnum] = None
    encoded = [marshal.dumps(row) if row is not None else b"" for row in rows]
    row_off = np.zeros(n + 1, dtype=np.int64)
    if n:
        np.cumsum([len(e) for e in encoded], out=row_off[1:])
    status = np.full(n, STATUS_CODES.index(""), dtype=np.int8)
    in_force = np.zeros(n, dtype=np.uint8)
    has_row = np.zeros(n, dtype=np.uint8)
    tlen = np.ones(n, dtype=np.int32)
    sortkey = np.zeros(n, dtype=f"S{SORTKEY_BYTES}")
    date = np.zeros(n, dtype=f"S{DATE_BYTES}")
    group = np.zeros(n, dtype=f"S{GROUP_BYTES}")
    kind = np.zeros(n, dtype=np.int8)
    facet_values: dict[str, list[list[str]]] = {name: [[] for _ in range(n)] for name in FACETS}
    designations: list[tuple[bytes, int, int]] = []
    titles: list[tuple[bytes, int, str]] = []
    for docnum, row in enumerate(rows):
        if row is None:
            continue
        has_row[docnum] = 1
        code = row[ROW_STATUS] if row[ROW_STATUS] in STATUS_CODES else ""
        status[docnum] = STATUS_CODES.index(code)
        in_force[docnum] = 1 if row[ROW_IN_FORCE] else 0
        tlen[docnum] = title_length(row[ROW_TITLES])
        sortkey[docnum] = (row[ROW_SORTKEY] or "").encode("utf-8")[:SORTKEY_BYTES]
        date[docnum] = (row[ROW_DATE] or "").encode("utf-8")[:DATE_BYTES]
        group[docnum] = (row[ROW_GROUP] or row[ROW_WORK]).encode("utf-8")[:GROUP_BYTES]
        kind[docnum] = KINDS.index(row[ROW_KIND]) if row[ROW_KIND] in KINDS else 0
        for name, values in zip(FACETS, row[ROW_FACETS]):
            facet_values[name][docnum] = list(values)
        rank = 0 if row[ROW_IN_FORCE] else 1
        dashed = dash_form(row[ROW_DESIGNATION])
        if dashed:
            designations.append((dashed.encode("utf-8"), rank, docnum))
            bare = strip_publisher(dashed)
            if bare and bare != dashed:
                designations.append((bare.encode("utf-8"), rank, docnum))
        for title in row[ROW_TITLES].values():
            titles.append((title.lower().encode("utf-8"), docnum, title))
    arrays: dict[str, np.ndarray] = {"row_off": row_off, "status": status, "in_force": in_force, "has_row": has_row,
                                     "title_len": tlen, "sortkey": sortkey, "date": date,
                                     "group": group, "kind": kind}
    facets_meta = {}
    for name in FACETS:
        per_doc = facet_values[name]
        values = sorted({v for vs in per_doc for v in vs})
        code = {v: i for i, v in enumerate(values)}
        multi = any(len(vs) > 1 for vs in per_doc)
        if not multi:
            arrays[f"fs:{name}"] = np.array([code[vs[0]] if vs else -1 for vs in per_doc], dtype=np.int32)
            facets_meta[name] = {"values": values, "multi": False}
            continue
        combos: dict[tuple, int] = {(): 0}
        ids = np.zeros(n, dtype=np.int32)
        for docnum, vs in enumerate(per_doc):
            key = tuple(sorted(code[v] for v in dict.fromkeys(vs)))
            found = combos.get(key)
            if found is None:
                found = combos[key] = len(combos)
            ids[docnum] = found
        arrays[f"fc:{name}"] = ids
        facets_meta[name] = {"values": values, "multi": True, "combos": list(combos)}
    designations.sort()
    blob, off = pack_strings(d[0].decode("utf-8") for d in designations)
    arrays.update({"sd_text": blob, "sd_off": off, "sd_rank": np.array([d[1] for d in designations], dtype=np.uint8),
                   "sd_doc": np.array([d[2] for d in designations], dtype=np.int32)})
    titles.sort(key=lambda t: (t[0], t[1]))
    blob, off = pack_strings(t[0].decode("utf-8") for t in titles)
    shown, shown_off = pack_strings(t[2] for t in titles)
    arrays.update({"st_text": blob, "st_off": off, "st_doc": np.array([t[1] for t in titles], dtype=np.int32),
                   "st_shown": shown, "st_shown_off": shown_off})
    side_file, rows_file = segment_paths(folder, seg_id)
    tmp = rows_file.with_name(f"{rows_file.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_bytes(b"".join(encoded))
        os.replace(tmp, rows_file)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    # the bundle last: it vouches for the rows file beside it
    write_bundle(side_file, arrays, {"version": SIDE_VERSION, "n": n, "rows_bytes": int(row_off[-1]),
                                     "facets": facets_meta})


class SegmentSide:
    """One segment's side files, mapped: rows by local document number, facet codes, suggestions."""

    def __init__(self, folder: Path, seg_id: str):
        side_file, rows_file = segment_paths(folder, seg_id)
        self.seg_id = seg_id
        self.bundle = Bundle(side_file)
        meta = self.bundle.meta
        if meta.get("version") != SIDE_VERSION:
            raise BundleError(f"{side_file} is of another version")
        self.n = meta["n"]
        self.facets = meta["facets"]
        # The rows are read with pread, not mapped: a search reads a few rows of 0.5 KB at random
        # places, and a map would have the kernel map 64 KB around each into the process
        # (fault-around): the whole 46 MB file of the real catalogue after a load run, for the
        # same pages of the page cache. The descriptor is closed with this object.
        try:
            fd = os.open(rows_file, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            raise BundleError(f"{rows_file} cannot be read ({exc})") from exc
        self._fd = fd
        weakref.finalize(self, os.close, fd)
        size = os.fstat(fd).st_size
        if size != meta["rows_bytes"]:
            raise BundleError(f"{rows_file} does not match its offsets")
        self.row_off = self.bundle["row_off"]
        self.designations = StringTable(self.bundle["sd_text"], self.bundle["sd_off"])
        self.titles = StringTable(self.bundle["st_text"], self.bundle["st_off"])
        self.shown_titles = StringTable(self.bundle["st_shown"], self.bundle["st_shown_off"])

    def row(self, local: int):
        start, end = int(self.row_off[local]), int(self.row_off[local + 1])
        if start == end:
            return None
        return marshal.loads(os.pread(self._fd, end - start, start))

    def __getitem__(self, name: str) -> np.ndarray:
        return self.bundle[name]


def open_segment(reader, folder: Path, seg_id: str) -> SegmentSide:
    """The side files of one segment, written now when missing or unreadable."""
    try:
        return SegmentSide(folder, seg_id)
    except BundleError as exc:
        if segment_paths(folder, seg_id)[0].exists():
            log.warning("rewriting the unreadable table file of segment %s (%s)", seg_id, exc)
    build_segment(reader, folder, seg_id)
    return SegmentSide(folder, seg_id)


# ------------------------------------------------------------------ the whole index
#: The layout of a commit's table file beyond SIDE_VERSION (which the segments' side files share):
#: a table of another layout is made again at open from the segments' side files (a few seconds
#: at a million documents; the segments themselves are not read). 2: per-facet ``fu:`` arrays.
TABLE_LAYOUT = 2


def build_table(folder: Path, toc: int, segments: list[tuple[SegmentSide, int, Iterable[int]]], size: int) -> None:
    """Write ``table-<toc>.bnd`` from the segments (side, document offset, deleted local numbers)."""
    live = np.zeros(size, dtype=bool)
    status = np.full(size, STATUS_CODES.index(""), dtype=np.int8)
    in_force = np.zeros(size, dtype=np.uint8)
    tlen = np.ones(size, dtype=np.int32)
    sortkey = np.zeros(size, dtype=f"S{SORTKEY_BYTES}")
    date = np.zeros(size, dtype=f"S{DATE_BYTES}")
    group = np.zeros(size, dtype=f"S{GROUP_BYTES}")
    kind = np.zeros(size, dtype=np.int8)
    for side, offset, deleted in segments:
        span = slice(offset, offset + side.n)
        alive = side["has_row"].astype(bool)
        gone = np.fromiter(deleted, dtype=np.int64)
        if len(gone):
            alive = alive.copy()
            alive[gone] = False
        live[span] = alive
        status[span] = side["status"]
        in_force[span] = side["in_force"]
        tlen[span] = side["title_len"]
        sortkey[span] = side["sortkey"]
        date[span] = side["date"]
        group[span] = side["group"]
        kind[span] = side["kind"]
    alive_docs = np.flatnonzero(live).astype(np.int32)
    factor = np.zeros(size, dtype=np.float64)
    codes_factor = np.array([STATUS_FACTOR.get(s, 0.9) for s in STATUS_CODES], dtype=np.float64)
    factor[alive_docs] = np.where(in_force[alive_docs] == 1, 1.0, codes_factor[status[alive_docs]])
    focus = np.ones(size, dtype=np.float64)
    if len(alive_docs):
        lengths = tlen[alive_docs].astype(np.float64)
        average = lengths.mean()
        focus[alive_docs] = np.clip(1.0 / (FOCUS_FLOOR + (1 - FOCUS_FLOOR) * lengths / average), 0.65, 1.3)
    arrays: dict[str, np.ndarray] = {"live": live.astype(np.uint8), "alive": alive_docs, "factor": factor,
                                     "focus": focus}
    # the three orders (ties: document number, so every process agrees)
    keys = sortkey[alive_docs]
    order_designation = alive_docs[np.lexsort((alive_docs, keys))]
    _, date_rank = np.unique(date[alive_docs], return_inverse=True)
    order_date = alive_docs[np.lexsort((alive_docs, keys, -date_rank))]
    rank_of = np.array([STATUS_RANK.get(s, 5) for s in STATUS_CODES], dtype=np.int64)
    order_browse = alive_docs[np.lexsort((alive_docs, keys, rank_of[status[alive_docs]], 1 - in_force[alive_docs]))]
    for name, order in (("designation", order_designation), ("date", order_date), ("browse", order_browse)):
        places = np.full(size, len(order), dtype=np.int32)
        places[order] = np.arange(len(order), dtype=np.int32)
        arrays[f"ord:{name}"] = order.astype(np.int32)
        arrays[f"pos:{name}"] = places
    _build_groups(alive_docs, group, kind, status, in_force, date_rank, size, arrays)
    facets_meta = {}
    for name in FACETS:
        facets_meta[name] = _build_facet(name, segments, size, live, arrays)
        _mark_uniform(name, arrays, facets_meta[name])
    write_bundle(table_path(folder, toc), arrays, {"version": SIDE_VERSION, "size": size, "facets": facets_meta,
                                                   "factors": factors_stamp(), "table": TABLE_LAYOUT,
                                                   "segments": [(side.seg_id, offset) for side, offset, _ in segments]})


def _mark_uniform(name: str, arrays: dict, meta: dict) -> None:
    """Whether each standard's documents all have the same value (or set of values) of a facet:
    ``fu:<name>``, one byte per group, written only when some standard's editions differ
    (``meta["uniform"]`` False). Counting standards per value then needs no distinct pass over
    the standards whose editions agree (facets.count_values)."""
    codes = arrays.get(f"fs:{name}")
    if codes is None:
        codes = arrays[f"fc:{name}"]
    by_group, starts = arrays["grp_docs"], arrays["grp_starts"][:-1]
    if not len(by_group):
        meta["uniform"] = True
        return
    values = codes[by_group]
    same = np.maximum.reduceat(values, starts) == np.minimum.reduceat(values, starts)
    meta["uniform"] = bool(same.all())
    if not meta["uniform"]:
        arrays[f"fu:{name}"] = same.astype(np.uint8)


def factors_stamp() -> list:
    """The status factors a table's ``factor`` array was made with: a table made with others is
    made again at open (a few seconds; the segments are not read again)."""
    return sorted(STATUS_FACTOR.items())


def _build_groups(alive_docs: np.ndarray, group: np.ndarray, kind: np.ndarray, status: np.ndarray,
                  in_force: np.ndarray, date_rank: np.ndarray, size: int, arrays: dict) -> None:
    """The standards (groups of editions, supplements and versions under one work) as arrays:

    ``grp``: each document's group code (-1 for a deleted one), codes numbering ``grp_vals``
    (the group keys, sorted bytes); ``grp_docs``: the live documents by group, each group's
    documents in edition order (in force first, then editions before supplements and versions,
    then by status, newest first), so ``grp_docs[grp_starts[c]]`` is group c's representative
    when nothing is filtered; ``edrank``: each document's place in that edition order.
    """
    codes = np.full(size, -1, dtype=np.int32)
    names = group[alive_docs]
    width = max(1, int(np.char.str_len(names).max())) if len(names) else 1
    values, inverse = np.unique(names.astype(f"S{width}"), return_inverse=True)
    codes[alive_docs] = inverse.astype(np.int32)
    rank_of = np.array([STATUS_RANK.get(s, 5) for s in STATUS_CODES], dtype=np.int64)
    # date_rank is over alive_docs (ascending dates); newest first within a group
    edition = np.lexsort((alive_docs, -date_rank, rank_of[status[alive_docs]], kind[alive_docs] != 0,
                          1 - in_force[alive_docs]))
    edrank = np.full(size, len(alive_docs), dtype=np.int32)
    edrank[alive_docs[edition]] = np.arange(len(alive_docs), dtype=np.int32)
    by_group = alive_docs[np.lexsort((edrank[alive_docs], codes[alive_docs]))]
    counts = np.bincount(codes[alive_docs], minlength=len(values)) if len(alive_docs) else np.zeros(0, dtype=np.int64)
    arrays.update({"in_force": in_force, "grp": codes, "grp_vals": values, "grp_docs": by_group.astype(np.int32),
                   "grp_starts": np.concatenate(([0], np.cumsum(counts))).astype(np.int64),
                   "edrank": edrank, "kind": kind})


def _build_facet(name: str, segments, size: int, live: np.ndarray, arrays: dict) -> dict:
    """One facet's index-wide arrays (see facets.FacetColumn for how searches use them)."""
    values = sorted({v for side, _, _ in segments for v in side.facets[name]["values"]})
    code = {v: i for i, v in enumerate(values)}
    multi = any(side.facets[name]["multi"] for side, _, _ in segments)
    if not multi:
        single = np.full(size, -1, dtype=np.int32)
        for side, offset, _ in segments:
            mapping = np.array([code[v] for v in side.facets[name]["values"]] + [-1], dtype=np.int32)
            local = side[f"fs:{name}"]
            single[offset:offset + side.n] = mapping[local]  # -1 indexes the trailing -1
        single[~live] = -1
        docs = np.flatnonzero(single >= 0).astype(np.int32)
        vals = single[docs]
        arrays[f"fs:{name}"] = single
        _write_pairs(name, docs, vals, len(values), arrays)
        return {"values": values, "multi": False}
    combos: dict[tuple, int] = {(): 0}
    combo = np.zeros(size, dtype=np.int32)
    for side, offset, _ in segments:
        meta = side.facets[name]
        local_values = meta["values"]
        if meta["multi"]:
            remap = []
            for key in meta["combos"]:
                gkey = tuple(sorted(code[local_values[c]] for c in key))
                found = combos.get(gkey)
                if found is None:
                    found = combos[gkey] = len(combos)
                remap.append(found)
            combo[offset:offset + side.n] = np.array(remap, dtype=np.int32)[side[f"fc:{name}"]]
        else:
            remap = []
            for v in local_values:
                gkey = (code[v],)
                found = combos.get(gkey)
                if found is None:
                    found = combos[gkey] = len(combos)
                remap.append(found)
            mapping = np.array(remap + [0], dtype=np.int32)
            combo[offset:offset + side.n] = mapping[side[f"fs:{name}"]]
    combo[~live] = 0
    combo_len = np.array([len(k) for k in combos], dtype=np.int64)
    combo_start = np.concatenate(([0], np.cumsum(combo_len)[:-1])).astype(np.int64)
    combo_vals = np.array([c for k in combos for c in k], dtype=np.int32)
    combo_of_pair = np.repeat(np.arange(len(combos), dtype=np.int32), combo_len)
    # every (document, value) pair, for the documents of a value
    lengths = combo_len[combo]
    docs = np.repeat(np.arange(size, dtype=np.int32), lengths)
    total = int(lengths.sum())
    shift = np.repeat(combo_start[combo] - (np.cumsum(lengths) - lengths), lengths)
    vals = combo_vals[shift + np.arange(total)] if total else np.zeros(0, dtype=np.int32)
    arrays.update({f"fc:{name}": combo, f"fcl:{name}": combo_len, f"fcs:{name}": combo_start,
                   f"fcv:{name}": combo_vals, f"fcp:{name}": combo_of_pair})
    _write_pairs(name, docs, vals, len(values), arrays)
    with_values = int((lengths > 0).sum())
    average = max(1.0, total / max(1, with_values))
    return {"values": values, "multi": True, "expand_below": int((len(combos) + len(combo_vals)) / average)}


def _write_pairs(name: str, docs: np.ndarray, vals: np.ndarray, nvalues: int, arrays: dict) -> None:
    order = np.lexsort((docs, vals))
    arrays[f"fp:{name}"] = docs[order].astype(np.int32)
    counts = np.bincount(vals, minlength=nvalues) if len(vals) else np.zeros(nvalues, dtype=np.int64)
    arrays[f"fvs:{name}"] = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)


def remove_stale(folder: Path, kept_segments: set[str], kept_tables: set[int]) -> None:
    """Side files of segments merged away, and tables of older commits (a process that still
    maps one keeps its pages: unlinking a mapped file is safe on POSIX)."""
    for path in folder.glob("side-*"):
        if path.name.endswith(".tmp"):
            continue
        seg = path.name[5:].rsplit(".", 1)[0]
        if seg not in kept_segments:
            path.unlink(missing_ok=True)
    for path in folder.glob("table-*.bnd"):
        try:
            toc = int(path.name[6:-4])
        except ValueError:
            continue
        if toc not in kept_tables:
            path.unlink(missing_ok=True)
