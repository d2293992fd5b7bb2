"""The catalogue in the browser: the Flask app factory.

Thin edges over the core and ``index/``: each view checks its arguments, calls one function,
builds one dict and renders it as HTML or as its JSON twin (``render.respond``). Templates live
in the top-level ``templates/`` folder and assets in ``static/`` (DESIGN.md).
"""
from __future__ import annotations

import logging
import os
import secrets
import threading
from pathlib import Path

from flask import Flask, current_app

ROOT = Path(__file__).resolve().parents[2]
log = logging.getLogger("catalogue.web")

#: How long a search text may be, in characters; longer ones get a polite 400.
MAX_QUERY_CHARS = 500
#: The most hits one page may hold (``page_size`` above it gets a 400 naming the cap).
PAGE_SIZE_CAP = 100


def create_app(test_config: dict | None = None) -> Flask:
    """Build the web app; ``test_config`` overrides settings ({"CATALOGUE_HOME": "/tmp/x"})."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        static_url_path="/static",
    )
    app.config.from_mapping(
        CATALOGUE_HOME=os.environ.get("CATALOGUE_HOME") or "instance",
        # Random per process unless set: sessions only carry CSRF tokens, so a restart
        # costing an open form its token is acceptable.
        SECRET_KEY=os.environ.get("CATALOGUE_SECRET_KEY") or secrets.token_hex(32),
        # No uploads yet; the reference checker (issue 6) posts pasted text, 1 MiB is plenty.
        MAX_CONTENT_LENGTH=1024 * 1024,
        MAX_QUERY_STRING=4096,
        MAX_QUERY_CHARS=MAX_QUERY_CHARS,
        PAGE_SIZE_CAP=PAGE_SIZE_CAP,
        PAGE_SIZE=20,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        JSON_SORT_KEYS=False,
        DEBUG=False,
        CATALOGUE_SITE_NAME="Wenzhou Standards Museum catalogue",
        # The public address every absolute link is built from (catalogue/web/baseurl.py).
        BASE_URL=os.environ.get("CATALOGUE_BASE_URL") or "",
    )
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    # Debug mode only when a developer asks for it explicitly (FLASK_DEBUG=1 with `flask run`).
    app.debug = bool(app.config.get("DEBUG")) and os.environ.get("FLASK_DEBUG") == "1"

    from . import (accounts, browse, check, errors, filters, home, i18n, meta, register, render, search, security,
                   standards, systems, workspace, writes)

    i18n.init_app(app)
    render.init_app(app)
    security.init_app(app)
    filters.init_app(app)
    errors.init_app(app)
    writes.init_app(app)
    accounts.init_app(app)
    for module in (home, search, standards, browse, meta, systems, register, workspace, check, accounts):
        app.register_blueprint(module.bp)
    check.init_app(app)
    from .api import bp as api_bp  # /openapi.json, the description of the JSON twins

    app.register_blueprint(api_bp)
    app.extensions["catalogue_lock"] = threading.Lock()
    from . import cache, templating

    templating.init_app(app)

    # Last, so the cache wraps everything above (hooks and blueprints) and sees final answers.
    cache.init_app(app)
    from . import baseurl

    # In front of the cache: every request looks addressed to the configured base URL.
    baseurl.init_app(app)
    return app


def get_catalogue():
    """The app's one Catalogue, opened on first use (with its index ready) under a lock.

    One Catalogue serves every waitress thread: SQLite is built serialized here
    (``sqlite3.threadsafety == 3``) and the store's connection allows other threads; the web
    only reads. Opening under a lock stops two first requests from rebuilding the index twice.
    """
    app = current_app._get_current_object()
    cat = app.extensions.get("catalogue")
    if cat is not None:
        return cat
    with app.extensions["catalogue_lock"]:
        cat = app.extensions.get("catalogue")
        if cat is None:
            from catalogue.edges.service import Catalogue

            cat = Catalogue(app.config["CATALOGUE_HOME"], repair_in_background=True)
            try:
                cat.index  # noqa: B018 - open (or rebuild) the index now, not inside a user's search
            except Exception:
                cat.close()
                raise
            app.extensions["catalogue"] = cat
    return cat
