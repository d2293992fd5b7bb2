"""Text analysis for the index: designations, English, French, Chinese and other CJK text.

The same functions run at index time and at query time, so a spelling that a user types and
the spelling in a record meet in the same token. Chinese goes through jieba (``jieba.cut``,
never ``jieba.analyse``: NOTES.md, 130 MB) after folding traditional characters to simplified
with OpenCC's ``t2s`` table.
"""
from __future__ import annotations

import contextlib
import gc
import warnings

import logging
import re
import tempfile
import threading
import unicodedata
from pathlib import Path

from whoosh.analysis import (
    CharsetFilter,
    LanguageAnalyzer,
    LowercaseFilter,
    RegexTokenizer,
    StemmingAnalyzer,
    Token,
    Tokenizer,
)
from whoosh.support.charset import accent_map

log = logging.getLogger(__name__)

#: Han (incl. extension A and compatibility), kana, hangul: the scripts without spaces.
CJK_CHARS = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
CJK_RUN = re.compile(f"[{CJK_CHARS}]+")
HAS_CJK = re.compile(f"[{CJK_CHARS}]")
#: Words of the alphabetic scripts: letters and digits, apostrophes and hyphens split.
LATIN_WORD = re.compile(f"[^\\W{CJK_CHARS}_]+")
_ASCII_GROUP = re.compile(r"[a-z]+|[0-9]+")
#: Where a supplement starts: 'ISO 5208:2015/Amd 1:2020', 'IEC 60027-1:1992+AMD1:1997 CSV', 'GB/T 1-2020/XG1-2021'.
SUPPLEMENT_TAIL = re.compile(r"\s*(?:/\s*(?:amd|cor|ish|xg|dam|damd|dcor|fdamd|pdam)|\+)", re.IGNORECASE)
#: A dashed designation's trailing year: 'iec-60027-1-1992' -> 'iec-60027-1'.
YEAR_TAIL = re.compile(r"-(?:1[89]|20)[0-9]{2}$")

#: Chinese function words that carry no meaning in a title search.
ZH_STOP = frozenset("的 和 与 及 或 等 之 于 用 在 中 其 对".split())

#: Chinese sector codes typed without their slash: "GBT 12238" means "GB/T 12238".
_SECTOR_CODES = frozenset(
    "gb jb qb qc hg sh nb sj yy fz hj dl ja cj jc jt jg ny sy yb ws gy tb mt dz lb sn wb hb ls"
    " gh ga sb hy cy my dy mz xf kj aq wh bb cb ch jr yd yz jy db".split()
)

_jieba_lock = threading.Lock()
_jieba_ready = False
_jieba_dir: Path | None = None
_opencc = None


def configure_jieba(cache_dir: Path) -> None:
    """Point jieba's dictionary cache at a folder we control (call before the first search).

    jieba writes a 9 MB cache into the temp folder on first use and raises when that folder is
    not writable (NOTES.md), so the index keeps it next to the index folders.
    """
    global _jieba_dir
    if not _jieba_ready:
        _jieba_dir = Path(cache_dir)


@contextlib.contextmanager
def quiet_leaks():
    """jieba 0.42.1 and opencc-python-reimplemented open their dictionary files without closing
    them. The ResourceWarning fires whenever the garbage collector meets the file, in whatever
    code runs then, so a filter by module cannot catch it: collect here, inside the filter."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        yield
        gc.collect()


def load_jieba():
    """The jieba module, its dictionary loaded once per process, e.g. load_jieba().cut('闸阀')."""
    global _jieba_ready
    import jieba

    if _jieba_ready:
        return jieba
    with _jieba_lock:
        if not _jieba_ready:
            folder = _jieba_dir or Path(tempfile.gettempdir()) / "catalogue-jieba"
            folder.mkdir(parents=True, exist_ok=True)
            jieba.setLogLevel(logging.WARNING)
            jieba.dt.tmp_dir = str(folder)
            with quiet_leaks():
                jieba.initialize()
            _jieba_ready = True
    return jieba


def fold_chinese(text: str) -> str:
    """Traditional Chinese folded to simplified: '閘閥' -> '闸阀'; text without Han is returned as is."""
    global _opencc
    if not HAS_CJK.search(text):
        return text
    if _opencc is None:
        from opencc import OpenCC

        with quiet_leaks():
            _opencc = OpenCC("t2s")
    return _opencc.convert(text)


def normalise_text(text: str) -> str:
    """NFKC (full-width letters and digits to ASCII) and traditional to simplified: 'ＩＳＯ 閥' -> 'ISO 阀'."""
    return fold_chinese(unicodedata.normalize("NFKC", text or ""))


# --- designations -------------------------------------------------------------------------

def dash_form(text: str) -> str:
    """One spelling for every way a designation is typed: 'ISO 5208:2015' -> 'iso-5208-2015'.

    ASCII letter and digit groups joined by dashes, so 'iso5208:2015', 'ISO  5208-2015' and
    'iso-5208-2015' meet; 'GBT 12238' and 'GB/T12238' both give 'gb-t-12238' because a sector
    code typed without its slash is split ('GBT' is how people type 'GB/T' on a phone).
    """
    folded = unicodedata.normalize("NFKC", text or "").lower()
    groups = _ASCII_GROUP.findall(folded)
    out: list[str] = []
    for group in groups:
        if (
            group[-1] in "tz"
            and group[:-1] in _SECTOR_CODES
            and len(group) > 2
        ):
            out.extend([group[:-1], group[-1]])
        else:
            out.append(group)
    return "-".join(out)


def strip_publisher(dashed: str) -> str:
    """A dashed designation without its leading letter groups: 'gb-t-13927-2022' -> '13927-2022'."""
    parts = dashed.split("-")
    i = 0
    while i < len(parts) and parts[i].isalpha():
        i += 1
    # 'db-33-t-1234' (a province code between letters) keeps its number part only
    rest = parts[i:]
    if len(rest) > 2 and rest[1].isalpha():
        rest = rest[2:]
    return "-".join(rest)


def designation_terms(designation: str, key: str, work: str, number: str = "") -> list[str]:
    """The terms a record answers to in the ``desig`` field.

    'ISO 5208:2015' with key 'iso-5208-2015', work 'iso-5208', number '5208' gives
    ['iso-5208-2015', 'iso-5208', '5208-2015', '5208'] (duplicates dropped, order kept).
    """
    terms: list[str] = []
    for text in (key, work, designation):
        dashed = dash_form(text)
        if dashed:
            terms.append(dashed)
            bare = strip_publisher(dashed)
            if bare:
                terms.append(bare)
    base = SUPPLEMENT_TAIL.split(designation or "", maxsplit=1)[0]
    if base != designation:
        # an amendment, corrigendum or consolidated version answers to its base edition too:
        # 'IEC 60027-1:1992/AMD1:1997' is listed under 'IEC 60027-1' and 'IEC 60027-1:1992'
        dashed = dash_form(base)
        if dashed:
            terms.append(dashed)
            work_part = YEAR_TAIL.sub("", dashed)
            if work_part and work_part != dashed:
                terms.append(work_part)
    if number:
        dashed = dash_form(number)
        if dashed:
            terms.append(dashed)
            terms.append(dashed.split("-")[0])
    seen: dict[str, None] = {}
    for term in terms:
        seen.setdefault(term, None)
    return list(seen)


# --- tokenizers -----------------------------------------------------------------------------

class ChineseTokenizer(Tokenizer):
    """Chinese words by jieba in search mode (long words and their parts), after t2s folding.

    Latin words inside Chinese titles ('GB/T', 'PVC') come out lower-cased too.
    """

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, mode="", **kwargs):
        jieba = load_jieba()
        text = normalise_text(value)
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for word, start, end in jieba.tokenize(text, mode="search"):
            word = word.strip().lower()
            if not word or not (word[0].isalnum() or HAS_CJK.match(word)):
                continue
            if word in ZH_STOP:
                continue
            token.original = token.text = word
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = pos
                pos += 1
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


class CJKBigramTokenizer(Tokenizer):
    """Overlapping character pairs of each CJK run ('眼镜架' -> '眼镜', '镜架'); a lone character stays.

    Used for Japanese and Korean titles (no dictionary here) and as a recall net for Chinese
    where jieba cuts a query differently from a title.
    """

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for run in CJK_RUN.finditer(normalise_text(value)):
            text = run.group()
            pairs = [text] if len(text) == 1 else [text[i:i + 2] for i in range(len(text) - 1)]
            for offset, pair in enumerate(pairs):
                token.original = token.text = pair
                token.boost = 1.0
                token.stopped = False
                if positions:
                    token.pos = pos
                    pos += 1
                if chars:
                    token.startchar = start_char + run.start() + offset
                    token.endchar = token.startchar + len(pair)
                yield token


class CJKCharTokenizer(Tokenizer):
    """Every CJK character of a text on its own ('阀门' -> '阀', '门'): the field that lets one
    character find every title holding it (a single character is rarely a jieba word)."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for run in CJK_RUN.finditer(normalise_text(value)):
            for offset, char in enumerate(run.group()):
                token.original = token.text = char
                token.boost = 1.0
                token.stopped = False
                if positions:
                    token.pos = pos
                    pos += 1
                if chars:
                    token.startchar = start_char + run.start() + offset
                    token.endchar = token.startchar + 1
                yield token


def chinese_analyzer():
    """The analyzer of the Chinese title and scope fields."""
    return ChineseTokenizer()


def bigram_analyzer():
    """The analyzer of the CJK bigram field."""
    return CJKBigramTokenizer()


def char_analyzer():
    """The analyzer of the CJK single-character field."""
    return CJKCharTokenizer()


def english_analyzer():
    """English words, lower-cased, stop words dropped, Porter-stemmed ('valves' -> 'valv')."""
    return StemmingAnalyzer(expression=r"[^\W_]+(\.?[^\W_]+)*") | CharsetFilter(accent_map)


def french_analyzer():
    """French words stemmed with the Snowball French stemmer ('robinets' -> 'robinet')."""
    return LanguageAnalyzer("fr")


def plain_analyzer():
    """Words of any alphabetic script, lower-cased and accent-folded, never stemmed.

    The field for typo tolerance (fuzzy terms need the unstemmed word list: NOTES.md) and
    "did you mean".
    """
    return RegexTokenizer(r"[^\W_]+") | LowercaseFilter() | CharsetFilter(accent_map)


def latin_words(text: str) -> list[str]:
    """The alphabetic-script words of a text, in order: 'Gate valves — vannes' -> ['Gate', 'valves', 'vannes']."""
    return LATIN_WORD.findall(unicodedata.normalize("NFKC", text or ""))


def analyse(analyzer, text: str) -> list[str]:
    """The token texts an analyzer makes of ``text``: analyse(english_analyzer(), 'Valves') -> ['valv']."""
    return [t.text for t in analyzer(text)]
