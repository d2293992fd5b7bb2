"""Messages for librarians in Chinese or English, outside the web (which uses Flask-Babel).

The command line and the ingest report speak the language of ``--lang``, else
``$CATALOGUE_LANG``, else the locale (``LANG=zh_CN.UTF-8`` gives Chinese), else English.
Translations live in ``catalogue/translations/zh/LC_MESSAGES/cli.po``; a msgid may hold
``{name}`` placeholders, so a message built as ``f"'{text}' is not a standard designation: ..."``
is still found: :func:`translate` matches the finished sentence against the msgids and carries
the values into the Chinese sentence.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("en", "zh")
PO_FILE = Path(__file__).resolve().parent / "translations" / "zh" / "LC_MESSAGES" / "cli.po"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
#: The language the running command chose (``catalogue --lang``); None outside a command.
_chosen: str | None = None


def use_language(lang: str | None) -> None:
    """Set the language for the rest of this command (the ingest progress lines read it)."""
    global _chosen
    _chosen = lang if lang in LANGUAGES else None


def choose_language(explicit: str | None = None) -> str:
    """'zh' or 'en': the explicit choice, else the command's, else $CATALOGUE_LANG, else the locale."""
    for value in (explicit, _chosen, os.environ.get("CATALOGUE_LANG")):
        if value:
            value = value.lower()[:2]
            if value in LANGUAGES:
                return value
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


@lru_cache(maxsize=1)
def _catalogue() -> tuple[dict[str, str], list[tuple[re.Pattern, str]]]:
    """Exact msgids, and the msgids with placeholders as patterns (longest first)."""
    from babel.messages.pofile import read_po

    exact: dict[str, str] = {}
    patterns: list[tuple[re.Pattern, str, int]] = []
    if not PO_FILE.exists():
        return exact, []
    with open(PO_FILE, "rb") as fp:
        catalog = read_po(fp, locale="zh")
    for message in catalog:
        if not message.id or not message.string or isinstance(message.id, tuple):
            continue
        exact[message.id] = message.string
        if _PLACEHOLDER.search(message.id):
            pieces = _PLACEHOLDER.split(message.id)
            rx = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(pieces))
            patterns.append((re.compile(rx + r"\Z", re.DOTALL), message.string, len(message.id)))
    patterns.sort(key=lambda item: -item[2])
    return exact, [(rx, text) for rx, text, _ in patterns]


def translate(text: str, lang: str) -> str:
    """The sentence in ``lang``; English (the msgids) or an untranslated sentence come back as is."""
    if lang != "zh" or not text:
        return text
    exact, patterns = _catalogue()
    if text in exact:
        return exact[text]
    for rx, target in patterns:
        m = rx.match(text)
        if m:
            values = {k: translate(v, lang) for k, v in m.groupdict().items()}
            return target.format(**values)
    if text.endswith(".") and not text.endswith(".."):
        # A sentence the edge ended with a full stop, whose msgid has none (readers' messages).
        bare = translate(text[:-1], lang)
        if bare != text[:-1]:
            return bare.rstrip("。") + "。"
    return text


def gettext(msgid: str, lang: str, /, **values) -> str:
    """Translate a msgid, then fill its placeholders: gettext("added {n}", "zh", n=3)."""
    exact, _ = _catalogue() if lang == "zh" else ({}, [])
    return exact.get(msgid, msgid).format(**values)
