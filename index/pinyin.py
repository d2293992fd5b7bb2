"""Chinese typos: a word typed with the wrong character of the same sound ('闸伐' for '闸阀',
'断录器' for '断路器'), found through its pinyin.

Chinese is typed through a pinyin input method, so the common typo is a homophone: the right
syllables, the wrong character picked from the candidate list. A query stretch that is no word
we know is read as toneless pinyin (pypinyin, the maintained library for it) and compared with
the words we know (the glossary's Chinese terms and the Chinese title words of the index) read
the same way; a word that sounds the same is the correction. Syllables that input methods and
speakers commonly confuse count as the same sound too (the fuzzy pinyin pairs of Chinese input
methods: zh/z, ch/c, sh/s, n/l, and the finals -in/-ing, -en/-eng, -an/-ang).

pypinyin is imported the first time a query needs it, never by a query that is spelled right,
and without its phrase dictionary: every character is read on its own here, and single
characters are read from its character dictionary alone (the phrase dictionary holds no
one-character entry; the readings of all its 41,000 characters are the same without it). The
phrase dictionary and the segmenter built on it cost a serving worker about 45 MB of heap; the
character dictionary about 4 MB.
"""
from __future__ import annotations

import os
import sys
import threading
from functools import lru_cache
from typing import Iterable

#: Initials and finals that fuzzy pinyin input treats as one: the pairs of the common IMEs.
_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"))
_FUZZY_FINALS = (("ing", "in"), ("eng", "en"), ("ang", "an"))
#: Longest stretch read as one word (glossary terms are rarely longer).
MAX_WORD = 6

_lock = threading.Lock()
_reader = None


def _read_syllables():
    """The pypinyin reading function (loaded once per process, on first use)."""
    global _reader
    if _reader is None:
        with _lock:
            if _reader is None:
                Style, lazy_pinyin = _import_pypinyin()

                def read(text: str) -> list[str]:
                    return lazy_pinyin(text, style=Style.NORMAL, errors="ignore")

                _reader = read
    return _reader


#: pypinyin's switches for its dictionaries: no phrases, and no private copy of the character one.
PYPINYIN_SWITCHES = {"PYPINYIN_NO_PHRASES": "1", "PYPINYIN_NO_DICT_COPY": "1"}


def _import_pypinyin():
    """(Style, lazy_pinyin), pypinyin imported without its phrase dictionary (see the module
    docstring). pypinyin reads the switches from the environment once, at import; they are set
    only for that import, so no child process inherits them. Already imported elsewhere in the
    process: used as it is (the readings are the same)."""
    if "pypinyin" not in sys.modules:
        saved = {name: os.environ.get(name) for name in PYPINYIN_SWITCHES}
        os.environ.update(PYPINYIN_SWITCHES)
        try:
            import pypinyin  # noqa: F401
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    from pypinyin import Style, lazy_pinyin

    return Style, lazy_pinyin


def fuzzy_syllable(syllable: str) -> str:
    """One spelling for syllables people confuse: 'zhang' -> 'zan', 'ling' -> 'lin' ... ('n' -> 'l')."""
    for long, short in _FUZZY_INITIALS:
        if syllable.startswith(long):
            syllable = short + syllable[len(long):]
            break
    for long, short in _FUZZY_FINALS:
        if syllable.endswith(long):
            syllable = syllable[: -len(long)] + short
            break
    return syllable


@lru_cache(maxsize=65536)
def _char_sound(char: str) -> str:
    found = _read_syllables()(char)
    return found[0] if len(found) == 1 else ""


def sound_of(word: str) -> tuple[str, ...] | None:
    """A word's toneless pinyin, one syllable a character: '闸阀' -> ('zha', 'fa'); None when a
    character has no reading. Each character is read on its own (its common reading), once per
    process: a typo is a character picked for its sound, whatever the word around it."""
    syllables = tuple(_char_sound(c) for c in word)
    return None if not all(syllables) else syllables


class Homophones:
    """Known Chinese words by sound: ``find('闸伐')`` -> ['闸阀']."""

    def __init__(self, words: Iterable[str]):
        self.exact: dict[tuple[str, ...], list[str]] = {}
        self.fuzzy: dict[tuple[str, ...], list[str]] = {}
        for word in dict.fromkeys(words):
            if not (2 <= len(word) <= MAX_WORD):
                continue
            sound = sound_of(word)
            if sound is None:
                continue
            self.exact.setdefault(sound, []).append(word)
            self.fuzzy.setdefault(tuple(fuzzy_syllable(s) for s in sound), []).append(word)

    def find(self, text: str) -> list[str]:
        """Known words sounding like ``text`` (same syllables first, then fuzzy ones), ``text``
        itself excluded; [] when nothing sounds like it."""
        sound = sound_of(text)
        if sound is None:
            return []
        found = [w for w in self.exact.get(sound, []) if w != text]
        if not found:
            found = [w for w in self.fuzzy.get(tuple(fuzzy_syllable(s) for s in sound), []) if w != text]
        # a word differing in fewer characters is the likelier typo
        return sorted(found, key=lambda w: sum(a != b for a, b in zip(w, text)))
