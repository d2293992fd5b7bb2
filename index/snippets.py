"""Snippets: a hit's title with the query's words marked, HTML-escaped."""
from __future__ import annotations

import html
import re

from .analyzers import HAS_CJK, LATIN_WORD, fold_chinese
from .query import Understood, collect_stem_heads, fold_word, stem_word


def make_snippet(titles: dict[str, str], und: Understood, lang: str) -> str:
    """The title in ``lang`` (or the one with most matches), HTML-escaped, matches in <mark>.

    'Industrial valves - Pressure testing' for 'valve test' ->
    'Industrial <mark>valves</mark> - Pressure <mark>testing</mark>'.
    """
    if not titles:
        return ""
    own = titles.get(lang)
    own_spans = match_spans(own, und) if own else []
    if own_spans:  # the reader's language with a match outranks every other title
        return mark_spans(own, own_spans)
    best = None
    for tlang, title in titles.items():
        spans = own_spans if tlang == lang else match_spans(title, und)
        # the reader's language when it has a match, else the title with most matches
        rank = (bool(spans), tlang == lang, len(spans), tlang == "en")
        if best is None or rank > best[0]:
            best = (rank, title, spans)
    return mark_spans(best[1], best[2])


def _find_all(text: str, terms: set[str]) -> list[tuple[int, int]]:
    """Every (start, end) of every term in the text, longest terms first."""
    spans = []
    for term in sorted(terms, key=len, reverse=True):
        start = text.find(term)
        while start >= 0:
            spans.append((start, start + len(term)))
            start = text.find(term, start + len(term))
    return spans


def match_spans(title: str, und: Understood) -> list[list[int]]:
    """The [start, end] of every matched word of a title, overlaps merged, in order."""
    spans: list[tuple[int, int]] = []
    if und.words or und.stems:
        words, stems = und.words, und.stems
        if und.heads is None:
            heads = collect_stem_heads(stems)
            und.heads = (heads, _candidate_words(heads, words))
        heads, candidates = und.heads
        if candidates is not None and not _NON_ASCII_WORD.search(title):
            # every letter and digit is ASCII (dashes and quotes may not be): the title folds to
            # its lower case, letter for letter, so only words that start as a query word or
            # stem does need a look
            for m in _ASCII_WORD.finditer(title.lower()):
                low = m.group()
                if low[:2] in candidates and (low in words or (low[:2] in heads and stem_word(low) in stems)):
                    spans.append(m.span())
        else:
            for m in LATIN_WORD.finditer(title):
                low = fold_word(m.group())
                if low in words or ((heads is None or low[:2] in heads) and stem_word(low) in stems):
                    spans.append(m.span())
    if und.cjk:
        found = _find_all(title, und.cjk)
        if not found and HAS_CJK.search(title):
            # a traditional-character title: fold it (slow, pure-Python OpenCC) only when needed
            folded = fold_chinese(title)
            if len(folded) == len(title):
                found = _find_all(folded, und.cjk)
        spans.extend(found)
    if not spans:
        return []
    spans.sort()
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


_ASCII_WORD = re.compile("[a-z0-9]+")
#: A letter or digit outside ASCII (é, Greek, CJK ...): such a title takes the word-by-word loop.
_NON_ASCII_WORD = re.compile(r"[^\W\x00-\x7f]")


def _candidate_words(heads: frozenset[str] | None, words: set[str]) -> frozenset[str] | None:
    """How the lower-case ASCII words that can match begin: with a stem's first two letters or
    a query word's (None when a one-letter stem leaves every word a candidate). A word of one
    letter begins as itself."""
    if heads is None:
        return None
    # an ASCII title's words are runs of [a-z0-9] once lowered: only such beginnings can match
    return frozenset(start for start in set(heads) | {word[:2] for word in words} if _ASCII_WORD.fullmatch(start))


def mark_spans(title: str, spans: list[list[int]]) -> str:
    """The title HTML-escaped, each span in <mark>."""
    if not spans:
        return html.escape(title)
    out, pos = [], 0
    for start, end in spans:
        out.append(html.escape(title[pos:start]))
        out.append(f"<mark>{html.escape(title[start:end])}</mark>")
        pos = end
    out.append(html.escape(title[pos:]))
    return "".join(out)


def highlight(title: str, und: Understood) -> tuple[str, int]:
    """A title HTML-escaped with matched words in <mark>, and how many were marked."""
    spans = match_spans(title, und)
    return mark_spans(title, spans), len(spans)
