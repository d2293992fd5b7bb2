"""Every absolute link comes from one configured base URL, never from the request's Host header.

Feeds, the OpenSearch description, permalinks, citations and exports name the catalogue by an
absolute address. Built from the ``Host`` header, a client could make the catalogue publish
(and cache) links to any site it names. So the app is told its public address once
(``CATALOGUE_BASE_URL``, ``catalogue serve --base-url``, the ``BASE_URL`` setting), and a WSGI
wrapper in front of everything writes it into each request's environ (scheme, host, port,
script root) before Flask, the response cache or a view read them. Redirects stay relative
(``Location: /standards/iso-5208-2015``), so they follow whatever address the browser used.

Without a setting, ``catalogue serve`` uses the address it listens on (``http://127.0.0.1:5000``)
and the app alone ``http://localhost`` (what Flask's test client sends).
"""
from __future__ import annotations

from typing import Callable
from urllib.parse import urlsplit

from flask import Flask

from catalogue.errors import UsageError

#: The base URL of an app that is given none (Flask's test client calls itself localhost).
DEFAULT_BASE_URL = "http://localhost"


def parse_base_url(text: str) -> tuple[str, str, str, str]:
    """('https', 'museum.example', '443', '/catalogue') from 'https://museum.example/catalogue/'.

    Refuses (UsageError) anything but http(s)://host[:port][/path], without query, fragment or
    credentials: the base is pasted in front of every link.
    """
    given = (text or "").strip()
    try:
        parts = urlsplit(given)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.query
            or parts.fragment or parts.username or parts.password or any(c.isspace() for c in given)):
        raise UsageError(f"The base URL '{given}' is not an http:// or https:// address like "
                         "https://museum.example/catalogue (no query, fragment or user name).")
    port_text = str(port or (443 if parts.scheme == "https" else 80))
    return parts.scheme, parts.netloc.lower(), port_text, parts.path.rstrip("/")


class BaseUrlMiddleware:
    """WSGI wrapper that makes every request look addressed to the base URL (see the module docstring)."""

    def __init__(self, wsgi_app: Callable, base_url: str):
        self.wsgi_app = wsgi_app
        self.base_url = base_url
        self.scheme, self.netloc, self.port, self.root = parse_base_url(base_url)
        self.server_name = urlsplit(base_url).hostname or ""

    def __call__(self, environ: dict, start_response: Callable):
        environ["wsgi.url_scheme"] = self.scheme
        environ["HTTP_HOST"] = self.netloc
        environ["SERVER_NAME"] = self.server_name
        environ["SERVER_PORT"] = self.port
        if self.root:
            path = environ.get("PATH_INFO", "")
            # A front server that forwards /catalogue/search unchanged: the root is ours, not a path.
            if path == self.root or path.startswith(self.root + "/"):
                environ["PATH_INFO"] = path[len(self.root):] or "/"
            environ["SCRIPT_NAME"] = self.root
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    """Put the base URL in front of ``app`` (call it last: it must wrap the response cache too)."""
    base = app.config.get("BASE_URL") or DEFAULT_BASE_URL
    app.wsgi_app = BaseUrlMiddleware(app.wsgi_app, base)
    app.config["BASE_URL"] = base
