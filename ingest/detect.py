"""Pick the reader for a file, folder or archive from its content (or a --format name).

A file's first bytes decide; a zip is opened and asked (an XLSX, a DOCX, or an archive of
records); a tar archive or a folder is decided by sampling its members' content. The name of
what you give is never what decides: a Relaton YAML file named ``x.txt`` is Relaton YAML, and a
folder of .yaml files from a publisher nobody here has seen is read as Relaton YAML when its
members are. Extensions are only a last hint, for a file nobody recognises: the reader its
extension promises gets to say what is wrong with it. The readers and their order are declared
in ``ingest.registry``.
"""
from __future__ import annotations

import os
import tarfile
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from catalogue.errors import UsageError

from .registry import READERS, ReaderSpec, reader_named, reader_names

HEAD_BYTES = 4096
#: Members of a folder or archive whose content is sampled to decide its format.
SAMPLE_MEMBERS = 32
#: Share of the recognised sampled members one container reader must claim to take a folder whole.
FOLDER_MAJORITY = 0.9
_TAR_MAGIC = (b"\xfd7zXZ\x00", b"\x1f\x8b", b"BZh")


@dataclass
class Planned:
    """One input of a run: the path to read and its reader, or why it cannot be read."""

    path: Path
    reader: ReaderSpec | None = None
    error: str = ""


def formats() -> dict[str, ReaderSpec]:
    """--format name -> reader, in detection order."""
    return {spec.name: spec for spec in READERS}


def read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    with open(path, "rb") as fp:
        return fp.read(size)


def detect_format(path: Path, fmt: str | None = None) -> ReaderSpec:
    """The reader for ``path``: the one ``fmt`` names, else the one its content calls for.

    Raises UsageError with a sentence when nothing fits. A folder whose members call for several
    readers cannot be read whole: :func:`plan_inputs` splits it into its files instead.
    """
    path = Path(path)
    if fmt:
        spec = reader_named(fmt)
        if spec is None:
            raise UsageError(f"Unknown format '{fmt}'; use one of: {', '.join(reader_names())}.")
        return spec
    if path.is_dir():
        spec, _ = detect_folder(path)
        if spec is None:
            raise UsageError(f"{path}: the folder holds files of several formats (or none we read); "
                             f"give its files one by one, or name one format with --format.")
        return spec
    return detect_file(path)


def detect_file(path: Path) -> ReaderSpec:
    """The reader a single file's content calls for (see the module docstring)."""
    head = read_head(path)
    if not head:
        raise UsageError(f"{path}: the file is empty; there is nothing to read.")
    spec = detect_bytes(head, path)
    if spec is not None:
        return spec
    # No reader recognised the content: let the reader its extension promises explain what is
    # wrong with it ("not valid YAML ...", "not a readable zip archive ...").
    lower = path.name.lower()
    for candidate in READERS:
        if any(lower.endswith(ext) for ext in candidate.explains):
            return candidate
    raise UsageError(
        f"{path}: cannot tell what format this file is (empty, binary, or not one we read). "
        f"Formats we read: {', '.join(reader_names())}; name one with --format."
    )


def detect_bytes(head: bytes, path: Path | None = None) -> ReaderSpec | None:
    """The first reader (in registry order) whose content test accepts ``head``; archives are opened."""
    if head.startswith(b"PK\x03\x04") and path is not None:
        return detect_zip(path)
    if path is not None and _is_tar(head):
        spec = detect_tar(path)
        if spec is None and _tar_has_members(path):
            raise UsageError(f"{path}: the archive holds files that no reader reads packed (only Relaton YAML "
                             "archives are read as they are); unpack it and ingest its files.")
        return spec
    for spec in READERS:
        if spec.sniff(head):
            return spec
    return None


def _is_tar(head: bytes) -> bool:
    return head.startswith(_TAR_MAGIC) or head[257:262] == b"ustar"


def detect_zip(path: Path) -> ReaderSpec | None:
    """A workbook or Word document is one file; otherwise a zip is an archive of records."""
    try:
        with zipfile.ZipFile(path) as zf:
            for spec in READERS:
                if spec.sniff_zip(zf):
                    return spec
            samples = []
            for info in zf.infolist():
                if info.is_dir() or info.file_size == 0:
                    continue
                with zf.open(info) as fp:
                    samples.append(fp.read(HEAD_BYTES))
                if len(samples) >= SAMPLE_MEMBERS:
                    break
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
        return None
    return _container_reader(samples)


def detect_tar(path: Path) -> ReaderSpec | None:
    """A tar archive (any compression) is read whole by the container reader its members call for."""
    samples = []
    try:
        with tarfile.open(path, mode="r|*") as tar:
            for member in tar:
                if not member.isfile() or member.size == 0:
                    continue
                fp = tar.extractfile(member)
                if fp is not None:
                    samples.append(fp.read(HEAD_BYTES))
                if len(samples) >= SAMPLE_MEMBERS:
                    break
    except (tarfile.TarError, OSError, EOFError):
        # A damaged archive: let the reader its members call for report the damage.
        pass
    if not samples:
        return None
    return _container_reader(samples)


def _tar_has_members(path: Path) -> bool:
    """Whether a tar archive opens and holds at least one file (a damaged one is the reader's to report)."""
    try:
        with tarfile.open(path, mode="r|*") as tar:
            return any(member.isfile() for member in tar)
    except (tarfile.TarError, OSError, EOFError):
        return False


def _container_reader(samples: list[bytes]) -> ReaderSpec | None:
    votes = Counter()
    for head in samples:
        spec = detect_bytes(head)
        if spec is not None:
            votes[spec.name] += 1
    for name, count in votes.most_common():
        spec = reader_named(name)
        if spec.containers and count >= FOLDER_MAJORITY * sum(votes.values()):
            return spec
    return None


def folder_files(folder: Path) -> list[Path]:
    """Every file under ``folder`` in sorted path order, hidden ones left out."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(root, f) for f in files if not f.startswith("."))
    return sorted(found)


def detect_folder(folder: Path) -> tuple[ReaderSpec | None, list[Path]]:
    """(the container reader that takes the folder whole, or None; the folder's files).

    The members' content is sampled (at most SAMPLE_MEMBERS, spread over the sorted list): when
    one container reader claims nearly all the recognised ones, it reads the folder itself.
    """
    files = folder_files(folder)
    if not files:
        return None, files
    step = max(1, len(files) // SAMPLE_MEMBERS)
    votes = Counter()
    for member in files[::step][:SAMPLE_MEMBERS]:
        try:
            head = read_head(member)
            spec = detect_bytes(head, member) if head else None
        except OSError:
            spec = None
        if spec is not None:
            votes[spec.name] += 1
    for name, count in votes.most_common(1):
        spec = reader_named(name)
        if spec.containers and count >= FOLDER_MAJORITY * sum(votes.values()):
            return spec, files
    return None, files


def plan_inputs(paths: list[Path], fmt: str | None = None) -> list[Planned]:
    """Each input with its reader; a folder of mixed files becomes its files, each detected alone."""
    planned: list[Planned] = []
    for path in paths:
        if fmt or not path.is_dir():
            try:
                planned.append(Planned(path, detect_format(path, fmt)))
            except UsageError as exc:
                if fmt:
                    raise
                planned.append(Planned(path, error=str(exc)))
            continue
        spec, files = detect_folder(path)
        if spec is not None:
            planned.append(Planned(path, spec))
            continue
        if not files:
            planned.append(Planned(path, error=f"{path}: the folder holds no files."))
        for member in files:
            try:
                planned.append(Planned(member, detect_file(member)))
            except UsageError as exc:
                planned.append(Planned(member, error=str(exc)))
    return planned
