"""The cross-language glossary: Chinese <-> English (and French) terms that expand queries.

``glossary.tsv`` has four tab-separated columns, ``zh<TAB>en<TAB>fr<TAB>source``: a cell may hold
several spellings separated by ``;`` (the first is the preferred one), ``fr`` may be empty, and
``source`` says where the pair comes from (``ours``, ``title:GB/T 13927-2022``, ``ics:23.060``,
``ccs:J16``; see the file's header). Lines of two or three columns (no source, or no French
either) are read too. Lines starting with ``#`` are comments. Librarians edit the file and call
:meth:`Glossary.reload`.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from whoosh.lang.porter import stem
from whoosh.support.charset import accent_map

from .analyzers import fold_chinese, latin_words

log = logging.getLogger(__name__)

DEFAULT_PATH = Path(__file__).with_name("glossary.tsv")
#: The longest English or French term we look for, in words.
MAX_WORDS = 6


@dataclass
class Entry:
    """One glossary line: Chinese terms, English terms, French terms (first of each preferred),
    and where the pair comes from ('ours', 'title:<designation>', 'ics:<code>', 'ccs:<code>')."""

    zh: list[str]
    en: list[str]
    fr: list[str] = field(default_factory=list)
    line: int = 0
    source: str = ""


def word_key(words: list[str]) -> tuple[str, ...]:
    """The matching form of a word sequence: ['Gate', 'Valves'] -> ('gate', 'valv')."""
    return tuple(stem(w.lower().translate(accent_map)) for w in words)


class Glossary:
    """Term pairs, looked up by Chinese substring or by English/French word sequence."""

    def __init__(self, entries: list[Entry] | None = None, path: Path | None = None):
        self.path = path
        self.problems: list[str] = []
        self._lock = threading.Lock()
        self._set_entries(entries or [])

    @classmethod
    def load(cls, path: Path | str = DEFAULT_PATH) -> "Glossary":
        """Read a glossary TSV (``zh<TAB>en<TAB>fr<TAB>source``); bad lines are logged and skipped."""
        glossary = cls(path=Path(path))
        glossary.reload()
        return glossary

    def reload(self) -> int:
        """Read the file again (after a librarian's edit); return the number of entries."""
        if self.path is None:
            return len(self.entries)
        entries, problems = parse_glossary(self.path.read_text(encoding="utf-8-sig"), str(self.path))
        for problem in problems:
            log.warning("%s", problem)
        with self._lock:
            self.problems = problems
            self._set_entries(entries)
        return len(entries)

    def _set_entries(self, entries: list[Entry]) -> None:
        self.entries = entries
        by_zh: dict[str, list[Entry]] = {}
        by_words: dict[tuple[str, ...], list[Entry]] = {}
        for entry in entries:
            for term in entry.zh:
                found = by_zh.setdefault(fold_chinese(term), [])
                if entry not in found:
                    found.append(entry)
            for term in entry.en + entry.fr:
                words = latin_words(term)
                if words:
                    found = by_words.setdefault(word_key(words), [])
                    if not any(e is entry for e in found):
                        found.append(entry)
        self._by_zh = by_zh
        self._by_words = by_words
        self._zh_longest = max((len(t) for t in by_zh), default=0)

    def __len__(self) -> int:
        return len(self.entries)

    def find_chinese(self, text: str, longest: int | None = None) -> list[tuple[int, int, list[Entry]]]:
        """Glossary terms inside a Chinese run, longest first from the left.

        '闸阀壳体试验' -> [(0, 2, [闸阀 entry]), (2, 6, [壳体试验 entry])]; a single character
        is a term too when the glossary has it ('阀' -> valve). ``longest``: terms of at most
        that many characters (a term's parts: '皮鞋' with longest=1 -> 皮, 鞋).
        """
        text = fold_chinese(text)
        found = []
        i = 0
        size = self._zh_longest if longest is None else min(longest, self._zh_longest)
        while i < len(text):
            for j in range(min(len(text), i + size), i, -1):
                entries = self._by_zh.get(text[i:j])
                if entries:
                    found.append((i, j, entries))
                    i = j
                    break
            else:
                i += 1
        return found

    def has_chinese(self, term: str) -> bool:
        """Whether a Chinese term is in the glossary: '闸阀' -> True."""
        return fold_chinese(term) in self._by_zh

    def chinese_terms(self) -> list[str]:
        """Every Chinese term of the glossary (folded to simplified characters)."""
        return list(self._by_zh)

    def find_words(self, words: list[str]) -> list[tuple[int, int, list[Entry]]]:
        """Glossary terms in a word sequence, longest first from the left.

        ['spectacle', 'frames', 'test'] -> [(0, 2, [眼镜架 entry]), (2, 3, [试验 entry])].
        """
        keys = word_key(words)
        found = []
        i = 0
        while i < len(keys):
            for j in range(min(len(keys), i + MAX_WORDS), i, -1):
                entries = self._by_words.get(keys[i:j])
                if entries:
                    found.append((i, j, entries))
                    i = j
                    break
            else:
                i += 1
        return found


def parse_glossary(text: str, source: str = "glossary.tsv") -> tuple[list[Entry], list[str]]:
    """Entries and problem sentences from glossary text: '闸阀\\tgate valve\\trobinet-vanne\\tours'."""
    entries: list[Entry] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) < 2 or len(cells) > 4:
            problems.append(f"{source}:{number}: expected 2 to 4 tab-separated columns (zh, en, fr, source), "
                            f"found {len(cells)}.")
            continue
        cells += [""] * (4 - len(cells))
        zh = [t.strip() for t in cells[0].split(";") if t.strip()]
        en = [t.strip() for t in cells[1].split(";") if t.strip()]
        fr = [t.strip() for t in cells[2].split(";") if t.strip()]
        if not zh or not en:
            problems.append(f"{source}:{number}: both the Chinese and the English column need a term.")
            continue
        entries.append(Entry(zh=zh, en=en, fr=fr, line=number, source=cells[3].strip()))
    return entries, problems
