"""One dict, two faces: every page renders as HTML or as its JSON twin (DESIGN.md "Web").

The twin of ``/search`` is ``/search.json``; of ``/standards/iso-5208-2015`` it is
``/standards/iso-5208-2015.json``; of a folder-like path (``/ics/``, ``/``) it is the path
without its slash plus ``.json`` (``/ics.json``, ``/index.json``). ``Accept: application/json``
gives the twin on any path.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable
from urllib.parse import urlencode

from flask import Blueprint, jsonify, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from .params import ordered_args
from .templating import render_page


def wants_json() -> bool:
    """Whether this request asks for the JSON twin: a ``.json`` path or an Accept header preferring JSON."""
    if request.path.endswith(".json"):
        return True
    return choose_twin(request.headers.get("Accept", "")) == "json"


@lru_cache(maxsize=1024)
def choose_twin(accept: str) -> str:
    """Which face an Accept header prefers: 'json' or 'html' ('application/json' -> 'json').

    The response cache keys pages on this answer rather than on the header (browsers each send
    their own long Accept header), so it must stay the only way a page reads Accept.
    """
    best = parse_accept_header(accept or None, MIMEAccept).best_match(["text/html", "application/json"])
    return "json" if best == "application/json" else "html"


def respond(template: str, data: dict[str, Any], status: int = 200):
    """Render ``data`` with ``template``, or as JSON for the twin; both from the same dict."""
    if wants_json():
        response = jsonify(data)
        response.status_code = status
        return response
    return render_page(template, **data, data=data), status


def add_twin_rules(bp: Blueprint, rule: str, view: Callable, **options) -> None:
    """Register ``rule`` and its JSON twin: '/search' -> '/search.json', '/ics/' -> '/ics.json'."""
    bp.add_url_rule(rule, view_func=view, **options)
    twin = ("/index" if rule == "/" else rule.rstrip("/")) + ".json"
    bp.add_url_rule(twin, endpoint=f"{view.__name__}_json", view_func=view, **options)


def page_twin_url() -> str:
    """This page's JSON twin, the footer's one "data (JSON)" link: '/ics/' -> '/ics.json',
    '/' -> '/index.json', '/search?q=x' -> '/search.json?q=x'."""
    path = request.path
    if path.endswith(".json"):
        twin = path
    elif path == "/":
        twin = "/index.json"
    elif path.endswith("/"):
        twin = path.rstrip("/") + ".json"
    else:
        twin = path + ".json"
    # The arguments in their one order (not as the address gave them): the same page, the same bytes.
    query = urlencode(ordered_args())
    return twin + ("?" + query if query else "")


def init_app(app) -> None:
    """Template access to :func:`page_twin_url`."""
    app.jinja_env.globals["page_twin_url"] = page_twin_url


def split_suffix(text: str, suffixes: tuple[str, ...]) -> tuple[str, str]:
    """'iso-5208-2015.ris' -> ('iso-5208-2015', 'ris'); no known suffix -> (text, '')."""
    for suffix in suffixes:
        if text.endswith("." + suffix):
            return text[: -len(suffix) - 1], suffix
    return text, ""
