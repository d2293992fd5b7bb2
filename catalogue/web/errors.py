"""One error handler for the whole app: ``error.html`` or ``{"ok": false, "error", "status"}``.

Every failure a user can cause (a bad argument, an unknown key, a query the index refuses)
becomes a sentence and a 4xx status; anything else is logged with its traceback and shown as a
plain 500 sentence, never the traceback itself.
"""
from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from catalogue.errors import CatalogueError, CatalogueMissing, IndexUnavailable, NotFound, StoreError, UsageError

from .i18n import gettext as _
from .render import wants_json
from .templating import render_page

log = logging.getLogger("catalogue.web")


class PageNotFound(NotFound):
    """A key or code that is not in the catalogue, with close matches to offer."""

    def __init__(self, message: str, suggestions: list[dict] | None = None):
        super().__init__(message)
        self.suggestions = suggestions or []


def status_of(error: Exception) -> int:
    """The HTTP status for an error: 400 for usage, 404 not found, 503 no catalogue, else 500."""
    if isinstance(error, HTTPException):
        return error.code or 500
    if isinstance(error, UsageError):
        return 400
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, (CatalogueMissing, StoreError, IndexUnavailable)):
        return 503
    return 500


def message_of(error: Exception, status: int) -> str:
    """The sentence shown to the user; HTTP errors get a translated sentence of our own."""
    if isinstance(error, IndexUnavailable) and str(error).startswith("The search index is being rebuilt"):
        return _("The search index is being rebuilt from the store; try again in a minute.")
    if isinstance(error, CatalogueError):
        return str(error)
    if status == 404:
        return _("There is no page at this address.")
    if status == 405:
        return _("This address does not accept that kind of request.")
    if status == 413:
        return _("The request is too large.")
    if status == 414:
        return _("The address is too long.")
    if status in (400, 401, 403) and isinstance(error, HTTPException) and error.description:
        return str(error.description)
    if status < 500:
        return _("The request could not be understood.")
    return _("Something went wrong on our side; the error has been logged. Please try again later.")


def handle_error(error: Exception):
    """Render any error as ``error.html`` or as the JSON error object, with its status."""
    status = status_of(error)
    if status >= 500 and not isinstance(error, (CatalogueMissing, StoreError, IndexUnavailable)):
        log.exception("unexpected error", exc_info=error)
    message = message_of(error, status)
    suggestions = getattr(error, "suggestions", [])
    data = {"ok": False, "error": message, "status": status}
    if suggestions:
        data["suggestions"] = suggestions
    if wants_json():
        response = jsonify(data)
        response.status_code = status
    else:
        response = make_response(render_page("error.html", **data, data=data), status)
    if isinstance(error, IndexUnavailable):
        response.headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return response


def init_app(app: Flask) -> None:
    """Route every exception through :func:`handle_error`."""
    app.register_error_handler(HTTPException, handle_error)
    app.register_error_handler(CatalogueError, handle_error)
    app.register_error_handler(Exception, handle_error)
