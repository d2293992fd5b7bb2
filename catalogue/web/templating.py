"""Templates compiled once per interface language, with their fixed strings already translated.

A page's fixed interface strings (``{{ _("Edition history") }}``) were translated while the page
was drawn: ~60 calls on a standard page, each through Jinja's context, the i18n extension's
escaping and formatting, and a translations lookup (0.4 ms of a 1.5 ms render, profiled
2026-11-25). They do not change between requests of one language, so each language gets its
own overlay of the app's Jinja environment (same loader, filters and globals, its own cache of
compiled templates) whose :class:`FixedStringTranslator` rewrites ``_("literal")`` into the
translated literal while the template is compiled; Jinja then folds it into the template's text.

Only the plain form is rewritten: ``_`` called with one string literal and nothing else. Calls
with variables (``_("Page %(page)s", page=2)``), ``ngettext`` and ``{% trans %}`` stay as they
were and are translated at request time, as are templates rendered through Flask's own
``render_template``. The rewritten text is what the runtime call answers: the translation,
formatted with no variables (so ``%%`` reads ``%``), marked safe as Jinja's newstyle gettext marks
it, in parentheses so a filter or attribute after the call still applies to the whole.
"""
from __future__ import annotations

import os
from typing import Iterable, Iterator

from babel import Locale
from babel.support import Translations
from flask import Flask, current_app
from flask.globals import request_ctx
from flask.signals import before_render_template, template_rendered
from jinja2 import Environment
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream

from .i18n import LANGUAGES, current_language

#: Compiled templates kept per language environment (Jinja's default).
TEMPLATE_CACHE_SIZE = 400
EXTENSION_KEY = "catalogue_language_environments"


class FixedStringTranslator(Extension):
    """Rewrites ``_("literal")`` to ``("translated"|safe)`` as a template is compiled.

    The environment carries its language's translations in ``catalogue_translations``.
    """

    def filter_stream(self, stream: TokenStream) -> Iterable[Token]:
        translations = getattr(self.environment, "catalogue_translations", None)
        if translations is None:
            return stream
        return rewrite_fixed_strings(list(stream), translations)


def rewrite_fixed_strings(tokens: list[Token], translations) -> Iterator[Token]:
    """The tokens with every ``_ ( "literal" )`` not after a dot replaced by the translated literal."""
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if (token.type == "name" and token.value == "_" and i + 3 < len(tokens)
                and tokens[i + 1].type == "lparen" and tokens[i + 2].type == "string"
                and tokens[i + 3].type == "rparen" and (i == 0 or tokens[i - 1].type != "dot")):
            text = translate_fixed(tokens[i + 2].value, translations)
            if text is not None:
                line = token.lineno
                yield Token(line, "lparen", "(")
                yield Token(line, "string", text)
                yield Token(line, "pipe", "|")
                yield Token(line, "name", "safe")
                yield Token(line, "rparen", ")")
                i += 4
                continue
        yield token
        i += 1


def translate_fixed(msgid: str, translations) -> str | None:
    """What the runtime ``_(msgid)`` shows: the translation formatted with no variables.

    None when that formatting would fail ('100% sure' has a stray %): such a call is left to
    fail, or not, at request time exactly as before.
    """
    try:
        return translations.ugettext(msgid) % {}
    except (KeyError, ValueError, TypeError):
        return None


def load_translations(app: Flask, lang: str) -> Translations:
    """The compiled translations of ``lang`` from the app's translation folders, merged as Flask-Babel merges them."""
    merged = Translations()
    for folder in str(app.config.get("BABEL_TRANSLATION_DIRECTORIES", "")).split(";"):
        if not folder:
            continue
        found = Translations.load(os.path.join(app.root_path, folder), [Locale.parse(lang)], "messages")
        if isinstance(found, Translations):
            merged.merge(found)
            if hasattr(found, "plural"):
                merged.plural = found.plural
    return merged


def make_language_environment(app: Flask, lang: str) -> Environment:
    """An overlay of the app's Jinja environment for ``lang`` (shares loader, filters, globals)."""
    env = app.jinja_env.overlay(extensions=[FixedStringTranslator], cache_size=TEMPLATE_CACHE_SIZE)
    env.catalogue_translations = load_translations(app, lang)
    return env


def render_page(template_name: str, **context) -> str:
    """Render a template as ``flask.render_template`` does, compiled for this request's language.

    render_page('standard.html', designation='ISO 5208:2015', ...). Context processors and
    Flask's template signals run as they do for ``render_template``.
    """
    app = current_app._get_current_object()
    envs = app.extensions.get(EXTENSION_KEY) or {}
    env = envs.get(current_language()) or app.jinja_env
    template = env.get_template(template_name)
    app.update_template_context(context)
    before_render_template.send(app, _async_wrapper=app.ensure_sync, template=template, context=context)
    body = template.render(context)
    template_rendered.send(app, _async_wrapper=app.ensure_sync, template=template, context=context)
    return body


class MemoUrlFor:
    """``url_for`` for templates, remembering each address it built for the same request shape.

    A page builds ~30 addresses (the site navigation, static files, links to records), ~10 us
    each through werkzeug's router (profiled 2026-11-25), and most are the same on every page.
    An address depends on the endpoint and its values and on the request's script root, host,
    scheme and blueprint (relative endpoints), all in the key; values that cannot be hashed,
    and apps with URL-default functions, go straight to Flask. Bounded: emptied at ``limit``.
    """

    def __init__(self, app: Flask, limit: int = 8192):
        self.app = app
        self.limit = limit
        self.built: dict = {}

    def __call__(self, endpoint: str, **values) -> str:
        req = request_ctx._get_current_object() if request_ctx else None
        if req is None or self.app.url_default_functions:  # outside a request: Flask's own rules
            return self.app.url_for(endpoint, **values)
        environ = req.request.environ
        key = (endpoint, tuple(values.items()), environ.get("SCRIPT_NAME"), environ.get("HTTP_HOST"),
               environ.get("SERVER_NAME"), environ.get("SERVER_PORT"), environ.get("wsgi.url_scheme"),
               req.request.blueprint)
        try:
            return self.built[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable value (a list): nothing to remember it by
            return self.app.url_for(endpoint, **values)
        address = self.app.url_for(endpoint, **values)
        if len(self.built) >= self.limit:
            self.built.clear()
        self.built[key] = address
        return address


def url_for_page(endpoint: str, **values) -> str:
    """``flask.url_for`` through the app's :class:`MemoUrlFor` (views building many record links)."""
    app = current_app._get_current_object()
    memo = app.jinja_env.globals.get("url_for")
    return memo(endpoint, **values) if isinstance(memo, MemoUrlFor) else app.url_for(endpoint, **values)


def init_app(app: Flask) -> None:
    """Make one environment per interface language and the remembering ``url_for``.

    Call after the filters and globals are installed (the overlays share the globals).
    """
    app.jinja_env.globals["url_for"] = MemoUrlFor(app)
    app.extensions[EXTENSION_KEY] = {lang: make_language_environment(app, lang) for lang in LANGUAGES}
