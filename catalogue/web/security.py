"""Security headers on every response, request size limits, and CSRF tokens for forms that post.

The pages need no inline script or style (charts are SVG drawn with presentation attributes),
so the Content-Security-Policy allows only our own files.
"""
from __future__ import annotations

import hmac
import secrets

from flask import Flask, current_app, request, session
from werkzeug.exceptions import BadRequest, RequestURITooLarge

from .i18n import gettext as _

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def add_security_headers(response):
    """Set the security headers (CSP, nosniff, frame-ancestors, Referrer-Policy) on any response."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    # Pages change with the language (cookie or Accept-Language) and the twin (Accept).
    response.vary.update(("Accept", "Accept-Language", "Cookie"))
    return response


def check_request_size() -> None:
    """Refuse over-long query strings (the body is capped by MAX_CONTENT_LENGTH)."""
    limit = current_app.config["MAX_QUERY_STRING"]
    if len(request.query_string) > limit:
        raise RequestURITooLarge()


def csrf_token() -> str:
    """The session's CSRF token, made on first use: put it in every form that posts."""
    token = session.get(CSRF_FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def check_csrf() -> None:
    """Refuse a posting request whose form field or header does not carry the session's token."""
    if request.method not in UNSAFE_METHODS or current_app.config.get("CSRF_DISABLED"):
        return
    if request.routing_exception is not None:
        return  # no route takes this (404, or 405 with Allow): nothing will be written
    expected = session.get(CSRF_FIELD, "")
    given = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER, "")
    if not expected or not given or not hmac.compare_digest(str(expected), str(given)):
        raise BadRequest(description=_("The form has expired or did not come from this site: reload the page and send it again."))


def init_app(app: Flask) -> None:
    """Install the limits, the CSRF check and the headers; expose ``csrf_token()`` to templates."""
    app.before_request(check_request_size)
    app.before_request(check_csrf)
    app.after_request(add_security_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token
