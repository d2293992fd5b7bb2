"""Whoosh's file storage, with every file read through a memory map.

Whoosh opens each segment file of a searcher as a Python file object and keeps it open for the
searcher's life. Memory-mapping instead (the file descriptor closed at once) gives the same bytes
from the page cache, shared by every process that reads the same generation, with no copy into
the process (Whoosh's compound files were copied whole into a ``BytesIO``: 118 MB of the real
catalogue per process) and no open file left for the garbage collector to complain about.
"""
from __future__ import annotations

import mmap
import os

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile


class MappedFile(StructFile):
    """A read-only StructFile over a memory map; ``get`` slices without moving a file position,
    so concurrent readers of one file never disturb each other."""

    def __init__(self, mapped: mmap.mmap | bytes, name: str | None = None, onclose=None):
        import io

        self._map = mapped
        super().__init__(io.BytesIO(mapped) if isinstance(mapped, bytes) else mapped, name=name, onclose=onclose)
        self.is_real = False

    def get(self, position: int, length: int) -> bytes:
        return self._map[position:position + length]


class MappedFileStorage(FileStorage):
    """FileStorage whose ``open_file`` maps the file (see the module docstring)."""

    def open_file(self, name, **kwargs):
        path = self._fpath(name)
        with open(path, "rb") as fp:
            size = os.fstat(fp.fileno()).st_size
            if not size:
                return MappedFile(b"", name=name, **kwargs)
            mapped = mmap.mmap(fp.fileno(), 0, access=mmap.ACCESS_READ)
        return MappedFile(mapped, name=name, **kwargs)


def open_index(folder) -> "whoosh_index.FileIndex":
    """The Whoosh index in ``folder``, its files read through memory maps."""
    return MappedFileStorage(str(folder)).open_index()
