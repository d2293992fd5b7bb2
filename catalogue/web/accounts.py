"""Signing in and out in the browser: ``/login``, ``POST /logout``, ``/account`` (issue 16).

The rules are :mod:`catalogue.accounts`'; this module is the edge. The account cookie
(``ACCOUNTS_COOKIE_NAME``, default ``catalogue_auth``) carries only a random token, checked
against the store at every request (idle and absolute expiry on the server); it is HttpOnly,
SameSite=Lax, and Secure when ``ACCOUNTS_COOKIE_SECURE`` (or ``CATALOGUE_COOKIE_SECURE=1``) is set.
Every form carries the app's CSRF token (:mod:`catalogue.web.security`).

For other blueprints::

    from catalogue.web.accounts import current_user, login_required, role_required

    @bp.route("/results/<int:result_id>/edit", methods=["GET", "POST"])
    @login_required                       # anonymous: HTML redirects to /login, JSON answers 401
    def edit_result(result_id):
        user = current_user()             # catalogue.accounts.User
        if not user.may_act_for(enterprise_of(result_id)):
            raise Forbidden(...)

    @role_required("librarian")           # signed in with another role: 403
    def approve(...): ...

A page that reads the account is personal: it is sent with ``Cache-Control: private, no-store``,
and the response cache never answers, nor keeps, a request that carries the account cookie.
"""
from __future__ import annotations

import os
from dataclasses import fields
from functools import wraps
from typing import Callable

from flask import Blueprint, Flask, current_app, g, jsonify, redirect, request, session, url_for
from werkzeug.exceptions import Forbidden, Unauthorized

from catalogue import accounts
from catalogue.accounts import AccountError, ActiveSession, LoginRefused, Policy, User
from catalogue.errors import CatalogueError
from catalogue.i18n import translate

from .i18n import current_language
from .i18n import gettext as _
from .i18n import lazy_gettext as _l
from .render import add_twin_rules, respond, wants_json
from .security import CSRF_FIELD, csrf_token
from .templating import render_page
from .writes import request_store

bp = Blueprint("accounts", __name__)

DEFAULT_COOKIE = "catalogue_auth"
#: Where ``?next=`` may not lead after signing in.
_NO_RETURN = ("/login", "/logout")
MAX_NEXT_CHARS = 500


# ----------------------------------------------------------------- settings
def read_policy(app: Flask) -> Policy:
    """The account rules from ``ACCOUNTS_<FIELD>`` settings, else ``CATALOGUE_ACCOUNTS_<FIELD>``
    environment variables, else the defaults: ACCOUNTS_LOCKOUT_MINUTES=15, ACCOUNTS_HASH_PROFILE ..."""
    values = {}
    for field in fields(Policy):
        name = field.name.upper()
        value = app.config.get(f"ACCOUNTS_{name}", os.environ.get(f"CATALOGUE_ACCOUNTS_{name}"))
        if value is not None and value != "":
            values[field.name] = value if field.type in ("str", str) else int(value)
    return Policy(**values)


def policy() -> Policy:
    return current_app.extensions["accounts_policy"]


def cookie_name() -> str:
    return current_app.config["ACCOUNTS_COOKIE_NAME"]


# ----------------------------------------------------------------- who is asking
def current_session() -> ActiveSession | None:
    """The valid session this request's account cookie opens, or None (looked up once a request)."""
    if "_account_session" in g:
        return g._account_session
    token = request.cookies.get(cookie_name())
    found = None
    if token:
        g._account_personal = True
        found = accounts.resolve_session(request_store(), token, policy=policy())
        g._account_stale = found is None
    g._account_session = found
    return found


def current_user() -> User | None:
    """The signed-in user of this request, or None."""
    found = current_session()
    return found.user if found is not None else None


def signed_in_user() -> User | None:
    """:func:`current_user` for templates: None when the catalogue itself cannot be opened."""
    try:
        return current_user()
    except CatalogueError:
        return None


def login_required(view: Callable) -> Callable:
    """Let only signed-in users through: HTML goes to /login (and back), the JSON twin gets 401."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            if wants_json() or request.method not in ("GET", "HEAD"):
                raise Unauthorized(description=_("Sign in to use this page."))
            return redirect(url_for("accounts.show_login", next=request.full_path.rstrip("?")), 302)
        return view(*args, **kwargs)

    return wrapped


def role_required(*roles: str) -> Callable:
    """Let only signed-in users of one of ``roles`` through (others: 403): role_required("librarian")."""
    unknown = [r for r in roles if r not in accounts.ROLES]
    if not roles or unknown:
        raise ValueError(f"role_required needs roles among {accounts.ROLES}, got {roles}")

    def decorate(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_user().role not in roles:
                raise Forbidden(description=_("Your account may not use this page."))
            return view(*args, **kwargs)

        return wrapped

    return decorate


def protect_personal(response):
    """After a request: a page that read the account is never stored by anyone; a dead cookie goes."""
    if g.get("_account_personal"):
        response.headers["Cache-Control"] = "private, no-store"
        response.vary.add("Cookie")
        if g.get("_account_stale") and not g.get("_account_cookie_set"):
            clear_cookie(response)
    return response


def set_cookie(response, token: str) -> None:
    g._account_cookie_set = True
    response.set_cookie(cookie_name(), token, max_age=policy().absolute_hours * 3600, path="/", httponly=True,
                        samesite="Lax", secure=bool(current_app.config["ACCOUNTS_COOKIE_SECURE"]))


def clear_cookie(response) -> None:
    response.delete_cookie(cookie_name(), path="/", httponly=True, samesite="Lax",
                           secure=bool(current_app.config["ACCOUNTS_COOKIE_SECURE"]))


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path on this site ('/account'), never another site."""
    text = (value or "").strip()
    if (text.startswith("/") and not text.startswith("//") and "\\" not in text and len(text) <= MAX_NEXT_CHARS
            and text.isprintable() and not text.startswith(_NO_RETURN)):
        return text
    return url_for("accounts.show_account")


def core_message(error: CatalogueError) -> str:
    """A sentence from the core (catalogue/accounts.py), in the interface language (cli.po holds it)."""
    return translate(str(error), current_language())


# ----------------------------------------------------------------- pages
REFUSAL_STATUS = {"invalid": 401, "locked": 429, "limited": 429}


def refusal_message(refused: LoginRefused) -> str:
    if refused.reason == "locked":
        return _("Too many failed sign-ins for this name: it is locked for %(minutes)s minutes. Try again later.",
                 minutes=max(1, -(-refused.retry_after // 60)))
    if refused.reason == "limited":
        return _("Too many sign-in attempts: wait %(minutes)s minutes and try again.",
                 minutes=max(1, -(-refused.retry_after // 60)))
    return _("The login name or password is wrong.")


def login_page(status: int = 200, error: str = "", login: str = "", next_path: str = ""):
    data = {"user": None, "error": error or None, "login": login, "next": next_path,
            "limits": {"lockout_after": policy().max_failures, "lockout_minutes": policy().lockout_minutes}}
    if wants_json():
        response = jsonify({**data, "ok": not error, "csrf_token": csrf_token()} if not error else
                           {"ok": False, "error": error, "status": status})
        response.status_code = status
        return response
    return render_page("login.html", **data, data=data), status


def show_login():
    """``/login``: the form (GET); POST checks the name and password and opens a session."""
    if request.method in ("GET", "HEAD"):
        user = current_user()
        if user is not None:
            if wants_json():
                return jsonify({"ok": True, "user": user.to_json(), "csrf_token": csrf_token()})
            return redirect(safe_next(request.args.get("next")), 302)
        return login_page(next_path=request.args.get("next", "")[:MAX_NEXT_CHARS])
    login = request.form.get("login", "")[:200]
    next_path = request.form.get("next", "")[:MAX_NEXT_CHARS]
    try:
        signed = accounts.log_in(request_store(), login, request.form.get("password", ""),
                                 request.remote_addr or "", policy=policy())
    except LoginRefused as refused:
        response = login_page(REFUSAL_STATUS[refused.reason], refusal_message(refused), login, next_path)
        if refused.reason != "invalid":
            response = current_app.make_response(response)
            response.headers["Retry-After"] = str(refused.retry_after)
        return response
    # A new sign-in starts a new CSRF token too: nothing from before it stays valid.
    session.pop(CSRF_FIELD, None)
    g._account_personal = True
    if wants_json():
        response = jsonify({"ok": True, "user": signed.user.to_json(), "session": signed.session.to_json()})
    else:
        response = redirect(safe_next(next_path), 303)
    set_cookie(response, signed.token)
    return response


def do_logout():
    """``POST /logout``: end this session and forget the cookie."""
    found = current_session()
    if found is not None:
        accounts.log_out(request_store(), found)
    session.pop(CSRF_FIELD, None)
    g._account_personal = True
    response = jsonify({"ok": True}) if wants_json() else redirect(url_for("home.show_home"), 303)
    clear_cookie(response)
    g._account_cookie_set = True
    return response


def account_data(notice: str = "", error: str = "") -> dict:
    found = current_session()
    user = found.user
    activity = [{k: row[k] for k in ("at", "actor", "action", "object_type", "object_id")}
                for row in accounts.history(request_store(), "user", user.id, limit=20)]
    data = {"user": user.to_json(), "session": found.to_json(), "activity": activity,
            "min_password_chars": policy().min_password_chars, "idle_minutes": policy().idle_minutes}
    if notice:
        data["notice"] = notice
    if error:
        data["error"] = error
    return data


@login_required
def show_account():
    """``/account``: who is signed in, this session's expiry, recent activity, and a password form."""
    return respond("account.html", account_data())


@login_required
def change_password():
    """``POST /account/password``: change one's own password (the other sessions end)."""
    current = request.form.get("current_password", "")
    new = request.form.get("new_password", "")
    if new != request.form.get("repeat_password", ""):
        return respond("account.html", account_data(error=_("The two new passwords differ.")), 400)
    try:
        ended = accounts.change_password(request_store(), current_session(), current, new, policy=policy())
    except AccountError as error:
        return respond("account.html", account_data(error=core_message(error)), 400)
    return respond("account.html", account_data(notice=_(
        "Your password is changed; %(count)s other sessions were ended.", count=ended)))


AUDIT_ACTIONS = {
    "user.add": _l("Account created"),
    "user.disable": _l("Account disabled"),
    "user.reset": _l("Password reset by a librarian"),
    "user.password": _l("Password changed"),
    "session.login": _l("Signed in"),
    "session.logout": _l("Signed out"),
    "session.lockout": _l("Locked after failed sign-ins"),
}


def audit_action(action: str) -> str:
    """An audit log action in words: 'session.login' -> 'Signed in' / '登录'; unknown ones as they are."""
    return str(AUDIT_ACTIONS.get(action, action))


def moment_utc(value: str | None) -> str:
    """'2026-12-02T08:30:00Z' -> '2026-12-02 08:30 UTC' (the store keeps UTC)."""
    if not value:
        return ""
    return value.replace("T", " ")[:16] + " UTC"


def init_app(app: Flask) -> None:
    """Settings, the policy, the personal-page guard and ``signed_in_user()`` for templates."""
    app.config.setdefault("ACCOUNTS_COOKIE_NAME", DEFAULT_COOKIE)
    app.config.setdefault("ACCOUNTS_COOKIE_SECURE", os.environ.get("CATALOGUE_COOKIE_SECURE") == "1")
    if app.config["ACCOUNTS_COOKIE_SECURE"]:
        app.config["SESSION_COOKIE_SECURE"] = True  # the CSRF cookie too
    app.extensions["accounts_policy"] = read_policy(app)
    app.after_request(protect_personal)
    app.jinja_env.globals["signed_in_user"] = signed_in_user
    app.add_template_filter(audit_action, "audit_action")
    app.add_template_filter(moment_utc, "moment_utc")


add_twin_rules(bp, "/login", show_login, methods=["GET", "POST"])
add_twin_rules(bp, "/logout", do_logout, methods=["POST"])
add_twin_rules(bp, "/account", show_account)
add_twin_rules(bp, "/account/password", change_password, methods=["POST"])
