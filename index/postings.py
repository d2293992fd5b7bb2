"""Term postings of the text fields as flat arrays, one cache file set per Whoosh segment.

Reading a term's postings through Whoosh decodes pickled, zlib-compressed blocks of 128
postings in Python (profiled at 86,000 real records: 8 ms a query for the words seen first,
most of a search's time). A segment never changes once written, so the first process that
opens it walks every term of the text fields once (4-6 s for the real ISO + IEC catalogue)
and leaves two files beside it:

- ``post-<segment>.npy``: one int32 array, the document numbers of every term one after the
  other, then their term frequencies (float32 bits) in the same order;
- ``post-<segment>.terms``: the term directory, a bundle (index/bundle.py) holding each field's
  terms sorted (bytes and offsets), their ordinals, and ``starts``: term ``i`` owns
  ``[starts[i], starts[i + 1])`` of the array.

Later opens memory-map both (the pages are shared by every worker reading the same generation):
no dictionary is loaded, a term is found by bisection over its field's sorted terms, and its
postings are then a slice. The designation field is left to Whoosh: its postings are short and its 270,000 terms
would cost more memory than they save.
"""
from __future__ import annotations

import logging
import os
import threading
from array import array
from itertools import accumulate, repeat
from pathlib import Path

import numpy as np

from .bundle import Bundle, BundleError, StringTable, pack_strings, write_bundle

log = logging.getLogger(__name__)

#: Fields whose postings are cached (the text fields; see the module note on ``desig``).
CACHED_FIELDS = ("title_en", "title_fr", "title_zh", "title_cjk", "title_char", "title_plain",
                 "scope_en", "scope_fr", "scope_zh", "keywords")
#: Layout of the cache files; files of another version are rebuilt.
CACHE_VERSION = 3

EMPTY_DOCS = np.zeros(0, dtype=np.int32)
EMPTY_TFS = np.zeros(0, dtype=np.float32)


class SegmentPostings:
    """The cached postings of one segment: ``get(field, text)`` -> (local docnums, frequencies)."""

    def __init__(self, fields: dict[str, "TermDirectory"], starts: np.ndarray, flat: np.ndarray, size: int):
        self.fields = fields
        self.starts = starts
        # a plain ndarray view of the memory map: slicing np.memmap goes through Python hooks
        flat = flat.view(np.ndarray)
        self.docs = flat[:size]
        self.tfs = flat[size:].view(np.float32)

    def touch(self) -> int:
        """Read every page of the arrays once (a server's warm-up: no page faults in searches)."""
        step = 1024  # int32s per 4 KiB page
        for directory in self.fields.values():  # the look-up numbers of every term (made on first use)
            directory.table.heads()
        return int(self.docs[::step].sum() + self.tfs.view(np.int32)[::step].sum())

    def _ordinal(self, fieldname: str, text: str) -> int | None:
        directory = self.fields.get(fieldname)
        return directory.get(text) if directory is not None else None

    def __contains__(self, term: tuple[str, str]) -> bool:
        return self._ordinal(term[0], term[1]) is not None

    def get(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers (ascending, deleted ones included) and term frequencies of a term."""
        ordinal = self._ordinal(fieldname, text)
        if ordinal is None:
            return EMPTY_DOCS, EMPTY_TFS
        start, end = int(self.starts[ordinal]), int(self.starts[ordinal + 1])
        return self.docs[start:end], self.tfs[start:end]

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """Documents holding the term, deleted ones included (as Whoosh counts them)."""
        ordinal = self._ordinal(fieldname, text)
        if ordinal is None:
            return 0
        return int(self.starts[ordinal + 1] - self.starts[ordinal])


class TermDirectory:
    """One field's terms, sorted, with their ordinals: ``get(text)`` -> ordinal or None."""

    def __init__(self, table: StringTable, ordinals: np.ndarray):
        self.table = table
        self.ordinals = ordinals

    @classmethod
    def from_dict(cls, terms: dict[str, int]) -> "TermDirectory":
        items = sorted(terms.items(), key=lambda kv: kv[0].encode("utf-8"))
        blob, off = pack_strings(k for k, _ in items)
        return cls(StringTable(blob, off), np.array([v for _, v in items], dtype=np.int64))

    def get(self, text: str) -> int | None:
        i = self.table.find(text)
        return int(self.ordinals[i]) if i >= 0 else None

    def __len__(self) -> int:
        return len(self.table)


def load_postings(reader, folder: Path | None, seg_id: str | None) -> SegmentPostings:
    """The postings of one segment reader, from its cache files or walked now (and saved).

    ``folder`` None (or a folder that cannot be written) keeps the arrays in memory only.
    """
    array_file = terms_file = None
    if folder is not None and seg_id:
        array_file, terms_file = folder / f"post-{seg_id}.npy", folder / f"post-{seg_id}.terms"
        found = _read_cache(array_file, terms_file)
        if found is not None:
            return found
    fields, starts, docs, tfs = walk_postings(reader)
    if array_file is not None and _write_cache(array_file, terms_file, fields, starts, docs, tfs):
        found = _read_cache(array_file, terms_file)
        if found is not None:
            return found
    size = len(docs)
    flat = np.empty(2 * size, dtype=np.int32)
    if size:
        flat[:size] = np.frombuffer(docs, dtype=np.int32)
        flat[size:] = np.frombuffer(tfs, dtype=np.int32)
    directories = {name: TermDirectory.from_dict(terms) for name, terms in fields.items()}
    return SegmentPostings(directories, np.frombuffer(starts, dtype=np.int64), flat, size)


def _read_cache(array_file: Path, terms_file: Path) -> SegmentPostings | None:
    if not (array_file.exists() and terms_file.exists()):
        return None
    try:
        bundle = Bundle(terms_file)
        meta = bundle.meta
        if meta.get("version") != CACHE_VERSION:
            raise ValueError("not a postings cache of this version")
        size = meta["size"]
        flat = np.load(array_file, mmap_mode="r") if size else np.zeros(0, dtype=np.int32)
        starts = bundle["starts"]
        if flat.dtype != np.int32 or flat.shape != (2 * size,) or (len(starts) and starts[-1] != size):
            raise ValueError("the array does not match its term directory")
        fields = {name: TermDirectory(StringTable(bundle[f"t:{name}"], bundle[f"to:{name}"]), bundle[f"tn:{name}"])
                  for name in meta["fields"]}
        return SegmentPostings(fields, starts, flat, size)
    except (EOFError, ValueError, TypeError, KeyError, OSError, BundleError) as exc:
        log.warning("ignoring the unreadable postings cache %s (%s)", terms_file, exc)
        return None


def _write_cache(array_file: Path, terms_file: Path, fields: dict, starts: array, docs: array,
                 tfs: array) -> bool:
    """Both files through temporary names; the directory last, so it vouches for the array.

    The array is written straight from the walk's buffers (no second copy in memory: at a
    million records the postings are several hundred MB). Returns whether both were written.
    """
    tmp_array = array_file.with_name(f"{array_file.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    size = len(docs)
    try:
        with open(tmp_array, "wb") as out:
            header = {"descr": np.dtype(np.int32).str, "fortran_order": False, "shape": (2 * size,)}
            np.lib.format.write_array_header_1_0(out, header)
            docs.tofile(out)
            tfs.tofile(out)  # float32 bits, read back as int32 and viewed as float32
        os.replace(tmp_array, array_file)
        arrays: dict[str, np.ndarray] = {"starts": np.frombuffer(starts, dtype=np.int64)}
        for name, terms in fields.items():
            items = sorted(terms.items(), key=lambda kv: kv[0].encode("utf-8"))
            blob, off = pack_strings(k for k, _ in items)
            arrays[f"t:{name}"], arrays[f"to:{name}"] = blob, off
            arrays[f"tn:{name}"] = np.array([v for _, v in items], dtype=np.int64)
        write_bundle(terms_file, arrays, {"version": CACHE_VERSION, "size": size, "fields": list(fields)})
        return True
    except (OSError, ValueError) as exc:  # a read-only index still searches, from memory
        log.warning("could not write the postings cache %s (%s)", terms_file, exc)
        tmp_array.unlink(missing_ok=True)
        return False


def walk_postings(reader) -> tuple[dict[str, dict[str, int]], array, array, array]:
    """Every posting of the cached fields of one segment: (directory, starts, docs, tfs).

    whoosh-reloaded 2.7.5's W3 codec is read block by block (its ``_data`` tuple: delta-coded
    ids, weights as None / one float / a sequence); any other reader goes through the public
    matcher API, a posting at a time.
    """
    fields: dict[str, dict[str, int]] = {}
    starts = array("q", [0])
    docs = array("i")
    tfs = array("f")
    terms = getattr(reader, "_terms", None)
    if terms is not None and hasattr(terms, "items") and hasattr(terms, "_postfile"):
        from whoosh.codec.whoosh3 import W3LeafMatcher

        wanted = {name: reader.schema[name].format for name in CACHED_FIELDS if name in reader.schema}
        postfile = terms._postfile
        for (fieldname, tbytes), info in terms.items():
            fmt = wanted.get(fieldname)
            if fmt is None:
                continue
            if info.is_inlined():
                ids, weights, _ = info.inlined_postings()
                docs.extend(ids)
                tfs.extend(weights)
            else:
                offset, length = info.extent()
                matcher = W3LeafMatcher(postfile, offset, length, fmt)
                while not matcher._atend:
                    matcher._read_data()
                    ids, weights = matcher._data[0], matcher._data[1]
                    docs.extend(ids if matcher._byteids else accumulate(ids))
                    if weights is None:
                        tfs.extend(repeat(1.0, matcher._blocklength))
                    elif isinstance(weights, float):
                        tfs.extend(repeat(weights, matcher._blocklength))
                    else:
                        tfs.extend(weights)
                    matcher._next_block()
            directory = fields.setdefault(fieldname, {})
            directory[tbytes.decode("utf-8")] = len(starts) - 1
            starts.append(len(docs))
        return fields, starts, docs, tfs
    for fieldname in CACHED_FIELDS:
        if fieldname not in reader.schema:
            continue
        directory = fields.setdefault(fieldname, {})
        for text in reader.field_terms(fieldname):
            matcher = reader.postings(fieldname, text)
            while matcher.is_active():
                docs.append(matcher.id())
                tfs.append(matcher.weight())
                matcher.next()
            directory[text] = len(starts) - 1
            starts.append(len(docs))
    return fields, starts, docs, tfs


def find_stale_cache_files(folder: Path, kept: set[str]) -> list[Path]:
    """Postings cache files of segments that are no longer in use (merged away)."""
    stale = []
    for pattern in ("post-*.npy", "post-*.terms"):  # finished files only: a .tmp may be another process's
        for path in folder.glob(pattern):
            if path.name[5:].rsplit(".", 1)[0] not in kept:
                stale.append(path)
    return stale
