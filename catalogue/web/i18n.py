"""Chinese and English through Flask-Babel: choosing the language, and compiling the .po files.

The language comes from, in order: ``?lang=zh|en`` (which also sets a cookie, so plain links
work without JavaScript), the ``lang`` cookie, the browser's Accept-Language, and Chinese when
the browser sends none (the museum is in Wenzhou). A browser that asks only for other
languages (French, say) gets English.

Translations are kept as ``catalogue/translations/<lang>/LC_MESSAGES/messages.po`` only: no
compiled binaries in the repository. At app start :func:`compile_translations` compiles them
with Babel into a folder under the system temp folder named after a hash of their contents, so
a restart reuses it and an edited .po is picked up on the next start.

After changing interface strings, refresh the catalogue of messages and translate the new ones:

    pybabel extract -F catalogue/translations/babel.cfg -k _ -k _l -k gettext -k lazy_gettext -k ngettext:1,2 -o /tmp/messages.pot .
    pybabel update -i /tmp/messages.pot -d catalogue/translations

English is the source language (the msgids), so there is no English .po file.

Python code translates with this module's ``gettext`` / ``lazy_gettext`` (same arguments as
Flask-Babel's, the translations looked up once a request), and templates' fixed strings are
translated when they are compiled, once per language (:mod:`catalogue.web.templating`).
"""
from __future__ import annotations

import hashlib
import io
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations
from flask import Flask, g, request
from flask_babel import Babel, get_locale, get_translations
from flask_babel.speaklater import LazyString
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from .params import BadArgument, ordered_args

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
COOKIE = "lang"
PO_ROOT = Path(__file__).resolve().parent.parent / "translations"


def compile_translations(po_root: Path = PO_ROOT, out_root: Path | None = None) -> Path:
    """Compile every ``<lang>/LC_MESSAGES/*.po`` under ``po_root`` to .mo files; answer their folder."""
    po_files = sorted(po_root.glob("*/LC_MESSAGES/*.po"))
    digest = hashlib.sha256()
    for po in po_files:
        digest.update(str(po.relative_to(po_root)).encode())
        digest.update(po.read_bytes())
    if out_root is None:
        out_root = Path(tempfile.gettempdir()) / f"standards-catalogue-i18n-{digest.hexdigest()[:16]}"
    for po in po_files:
        target = out_root / po.relative_to(po_root).with_suffix(".mo")
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(po, "rb") as fp:
            catalog = read_po(fp, locale=po.parts[-3])
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        # Write then rename: two processes starting together never read half a file.
        partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        partial.write_bytes(buffer.getvalue())
        os.replace(partial, target)
    return out_root


def select_locale() -> str:
    """The interface language for this request: 'zh' or 'en' (see the module docstring)."""
    return getattr(g, "lang_choice", None) or select_locale_without_argument()


def select_locale_without_argument() -> str:
    """The language from the cookie, else Accept-Language ('zh-CN,zh;q=0.9' -> 'zh')."""
    cookie = request.cookies.get(COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return choose_language(request.headers.get("Accept-Language", ""))


@lru_cache(maxsize=1024)
def choose_language(accept_language: str) -> str:
    """The language an Accept-Language header asks for: 'zh-CN,zh;q=0.9,en;q=0.8' -> 'zh'.

    Chinese when the header is empty or absent, English when it names neither language. The
    response cache keys pages on this answer rather than on the header, so the many spellings
    browsers send share one page (``cache.make_request_key``).
    """
    accepted = parse_accept_header(accept_language or None, LanguageAccept)
    if not accepted:
        return DEFAULT_LANGUAGE
    return accepted.best_match(LANGUAGES) or "en"


def read_lang_argument() -> None:
    """Take ``?lang=`` before the view runs; an unknown language is a 400 naming the choices."""
    value = request.args.get("lang")
    if value is None:
        return
    value = value.strip().lower()
    if value not in LANGUAGES:
        raise BadArgument(f"Cannot show the interface in '{value[:20]}'; use one of: {', '.join(LANGUAGES)}.")
    g.lang_choice = value


def remember_lang(response):
    """Keep a language chosen with ``?lang=`` in a cookie for a year."""
    chosen = getattr(g, "lang_choice", None)
    if chosen and request.args.get("lang", "").strip().lower() == chosen and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


def switch_url(lang: str) -> str:
    """This page's address with ``lang`` set: the language switcher's links."""
    args = ordered_args()
    args.append(("lang", lang))
    return f"{request.path}?{urlencode(args)}"


def current_language() -> str:
    """'zh' or 'en', as the templates need it (the ``lang`` attribute, babel formatting)."""
    # Kept in ``g``: a search page asks ~200 times (titles, snippets, numbers), and each
    # Flask-Babel get_locale() walks its context proxies (~10 us; 1-2 ms a page, profiled).
    # The language is settled before the view runs (read_lang_argument), so it cannot change.
    known = g.get("_current_language")
    if known is None:
        locale = get_locale()
        known = locale.language if locale else DEFAULT_LANGUAGE
        g._current_language = known
    return known


_NO_TRANSLATIONS = NullTranslations()


def request_translations():
    """The compiled translations of this request's language, found once per request.

    Flask-Babel's own ``gettext`` walks ``g``, its context namespace, the domain and the locale
    for every string: ~60 strings on a standard page cost ~0.5 ms of a 2 ms render (profiled
    2026-11-25). The language is settled before the view runs, so one lookup serves the request.
    Outside an app context: no translation (the English msgid).
    """
    try:
        found = g.get("_translations")
    except RuntimeError:  # no app context: a module-level string read at import, say
        return _NO_TRANSLATIONS
    if found is None:
        current_language()  # settle the locale first, so Flask-Babel loads the same language
        found = get_translations()
        g._translations = found
    return found


def gettext(text: str, **variables) -> str:
    """``text`` in the interface language, with ``%(name)s`` filled: gettext('Page %(page)s', page=2)."""
    translated = request_translations().ugettext(text)
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """The singular or plural form for ``num`` in the interface language; ``%(num)s`` is filled too."""
    variables.setdefault("num", num)
    return request_translations().ungettext(singular, plural, num) % variables


def lazy_gettext(text: str, **variables) -> LazyString:
    """A string translated when it is shown (module-level labels): lazy_gettext('Replaced')."""
    return LazyString(gettext, text, **variables)


def translate_for_jinja(text: str) -> str:
    """The template's ``_()``: Jinja's i18n extension escapes and fills variables itself."""
    return request_translations().ugettext(text)


def translate_plural_for_jinja(singular: str, plural: str, num: int) -> str:
    """The template's ``ngettext()``, without filling variables (Jinja does that)."""
    return request_translations().ungettext(singular, plural, num)


def init_app(app: Flask) -> None:
    """Compile the translations, install Flask-Babel and the language switch."""
    if "BABEL_TRANSLATION_DIRECTORIES" not in app.config:
        app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compile_translations())
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    Babel(app, locale_selector=select_locale)
    # Replace the callables Flask-Babel gave Jinja with ones that look the language up once a request.
    app.jinja_env.install_gettext_callables(translate_for_jinja, translate_plural_for_jinja, newstyle=True)
    app.before_request(read_lang_argument)
    app.after_request(remember_lang)
    app.jinja_env.globals.update(switch_url=switch_url, current_language=current_language, LANGUAGES=LANGUAGES)
