"""Accounts: who may sign in, how a session lives and ends, and the audit log (no Flask here).

Two roles: ``librarian`` (runs the catalogue: approves, withdraws and corrects results) and
``enterprise`` (acts for one enterprise of the register, named by ``enterprise_id``). Rules:

- Passwords are hashed with argon2id (argon2-cffi, RFC 9106 low-memory profile by default);
  the store keeps the PHC string only. Unknown login names cost the same hash check as known
  ones, and every refusal of a name or password reads the same (:data:`INVALID`).
- A session is a random token (in the browser's cookie) whose SHA-256 the store keeps, with
  an idle expiry (``idle_minutes`` since it was last used) and an absolute one
  (``absolute_hours`` since sign-in), both checked here, on the server, at every use.
- Sign-in attempts are rate limited per address and per login name (``address_attempts`` and
  ``login_attempts`` per ``window_minutes``), and ``max_failures`` failed attempts for one
  name within ``lockout_minutes`` (since its last success) lock that name until they age out.
  The lockout applies to names that do not exist too, so it tells nothing about who has an
  account.
- Disabling a user or resetting its password ends its sessions; changing one's own password
  ends one's other sessions. Every change is a row in the audit log (who, when, what, object),
  in the same transaction as the change: :func:`record_change` is how later workflows (the
  register's drafts and publications) write theirs.

    >>> user = add_user(store, "wang.li", "librarian", "correct horse battery", display_name="王丽")
    >>> signed = log_in(store, "Wang.Li", "correct horse battery", address="10.0.0.7")
    >>> resolve_session(store, signed.token).user.login
    'wang.li'
"""
from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
import unicodedata
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from functools import lru_cache

import argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from .errors import CatalogueError, NotFound, UsageError
from .store import Store

ROLES = ("librarian", "enterprise")
#: The audit log's actor for changes made on the command line (no signed-in user).
COMMAND_LINE = "command line"
#: What every refused name or password reads (unknown name, wrong password, disabled user).
INVALID = "The login name or password is wrong."
LOGIN_RE = re.compile(r"[a-z0-9][a-z0-9._@-]{1,63}")
MAX_PASSWORD_CHARS = 1024
#: Longest cookie value looked up (tokens are 43 characters); anything longer is no session.
MAX_TOKEN_CHARS = 128
#: Sign-in attempts are kept this long for the limits, then pruned.
ATTEMPTS_KEPT = timedelta(days=2)
HASH_PROFILES = ("RFC_9106_LOW_MEMORY", "RFC_9106_HIGH_MEMORY", "CHEAPEST")


class AccountError(UsageError):
    """A request about accounts that the rules refuse (bad login name, short password ...)."""


class LoginRefused(CatalogueError):
    """Sign-in refused: ``reason`` is 'invalid', 'locked' or 'limited'; ``retry_after`` in seconds."""

    exit_code = 1

    def __init__(self, reason: str, message: str, retry_after: int = 0):
        super().__init__(message)
        self.reason = reason
        self.retry_after = retry_after


@dataclass(frozen=True)
class Policy:
    """The tunable rules; the web reads them from ``ACCOUNTS_*`` settings (docs/accounts.md)."""

    idle_minutes: int = 30
    absolute_hours: int = 12
    #: A session's last_seen is written at most this often (each write is a store commit).
    touch_seconds: int = 60
    max_failures: int = 5
    lockout_minutes: int = 15
    address_attempts: int = 30
    login_attempts: int = 10
    window_minutes: int = 15
    min_password_chars: int = 10
    hash_profile: str = "RFC_9106_LOW_MEMORY"


DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class User:
    """A user as everyone but the password check sees it (no hash)."""

    id: int
    login: str
    display_name: str
    role: str
    enterprise_id: str | None
    disabled: bool
    created_at: str
    updated_at: str

    @property
    def is_librarian(self) -> bool:
        return self.role == "librarian"

    @property
    def name(self) -> str:
        """What pages call the user: the display name, else the login name."""
        return self.display_name or self.login

    def may_act_for(self, enterprise_id: str | None) -> bool:
        """Whether this user may change an object of ``enterprise_id``: librarians any, an
        enterprise user only its own (the rule the register's drafts follow)."""
        if self.disabled:
            return False
        return self.is_librarian or (enterprise_id is not None and enterprise_id == self.enterprise_id)

    def to_json(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class ActiveSession:
    """A session that is valid now: its user and when it ends (idle and absolute)."""

    user: User
    token_hash: str
    created_at: str
    last_seen: str
    expires_at: str
    idle_expires_at: str

    def to_json(self) -> dict:
        return {"created_at": self.created_at, "last_seen": self.last_seen, "expires_at": self.expires_at,
                "idle_expires_at": self.idle_expires_at}


@dataclass(frozen=True)
class SignedIn:
    """A successful sign-in: the user, the token to put in the cookie, and the session."""

    user: User
    token: str
    session: ActiveSession


# ----------------------------------------------------------------- time
def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def format_time(moment: datetime) -> str:
    """'2026-12-02T08:30:00Z': the store's time format (sorts as text)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


# ----------------------------------------------------------------- names and passwords
def normalise_login(text: str) -> str:
    """' Wang.Li ' -> 'wang.li'; refuses what is not 2-64 letters, digits or . _ @ - (starting with a letter or digit)."""
    login = unicodedata.normalize("NFKC", text or "").strip().lower()
    if not LOGIN_RE.fullmatch(login):
        raise AccountError(f"'{(text or '')[:70]}' is not a login name: use 2 to 64 letters, digits, '.', '_', '@' "
                           "or '-', starting with a letter or digit.")
    return login


def check_password(password: str, login: str, policy: Policy = DEFAULT_POLICY) -> None:
    """Refuse a password that is too short, too long, or the login name itself."""
    if len(password) < policy.min_password_chars:
        raise AccountError(f"The password is too short: use at least {policy.min_password_chars} characters.")
    if len(password) > MAX_PASSWORD_CHARS:
        raise AccountError(f"The password is too long: use at most {MAX_PASSWORD_CHARS} characters.")
    if password.strip().lower() == login:
        raise AccountError("The password must not be the login name.")


@lru_cache(maxsize=None)
def password_hasher(profile: str = DEFAULT_POLICY.hash_profile) -> argon2.PasswordHasher:
    """argon2id with one of argon2-cffi's parameter profiles ('CHEAPEST' only for tests)."""
    if profile not in HASH_PROFILES:
        raise AccountError(f"Unknown password hash profile '{profile}'; use one of: {', '.join(HASH_PROFILES)}.")
    return argon2.PasswordHasher.from_parameters(getattr(argon2.profiles, profile))


@lru_cache(maxsize=None)
def _decoy_hash(profile: str) -> str:
    # Checked against when the name is unknown, so a wrong name costs what a wrong password costs.
    return password_hasher(profile).hash(secrets.token_hex(16))


def hash_password(password: str, policy: Policy = DEFAULT_POLICY) -> str:
    """The argon2id PHC string for a password: '$argon2id$v=19$m=65536,t=3,p=4$...'."""
    return password_hasher(policy.hash_profile).hash(password)


def verify_password(stored: str, password: str, policy: Policy = DEFAULT_POLICY) -> bool:
    """Whether ``password`` matches the stored hash (a damaged hash matches nothing)."""
    try:
        return password_hasher(policy.hash_profile).verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    """What the store keeps of a session token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# ----------------------------------------------------------------- users
def _as_user(row: dict | None) -> User | None:
    return None if row is None else User(**row)


def find_user(store: Store, login: str) -> User:
    """The user with this login name (any case); NotFound names it."""
    user = _as_user(store.fetch_user_by_login(normalise_login(login)))
    if user is None:
        raise NotFound(f"No user '{login}'; `catalogue user list` shows them.")
    return user


def list_users(store: Store, role: str | None = None) -> list[User]:
    """Every user by login name (optionally of one role)."""
    return [User(**row) for row in store.list_user_rows(role=role)]


def add_user(store: Store, login: str, role: str, password: str, *, display_name: str = "",
             enterprise_id: str | None = None, actor: User | None = None, policy: Policy = DEFAULT_POLICY) -> User:
    """Create a user. Librarians have no enterprise; an enterprise user must name its enterprise."""
    name = normalise_login(login)
    if role not in ROLES:
        raise AccountError(f"Unknown role '{role}'; use one of: {', '.join(ROLES)}.")
    enterprise = (enterprise_id or "").strip() or None
    if role == "enterprise" and enterprise is None:
        raise AccountError("An enterprise user must name its enterprise (--enterprise ID).")
    if role == "librarian" and enterprise is not None:
        raise AccountError("A librarian belongs to no enterprise: leave out --enterprise.")
    check_password(password, name, policy)
    display = " ".join((display_name or "").split())[:200]
    hashed = hash_password(password, policy)
    at = format_time(utcnow())
    with store.transaction():
        try:
            user_id = store.insert_user(name, display, role, enterprise, hashed, at)
        except sqlite3.IntegrityError:
            raise AccountError(f"The login name '{name}' is taken.") from None
        record_change(store, actor, "user.add", "user", user_id,
                      {"login": name, "role": role, "enterprise_id": enterprise, "display_name": display}, at=at)
    return _as_user(store.fetch_user(user_id))


def disable_user(store: Store, login: str, *, actor: User | None = None) -> tuple[User, int]:
    """Disable a user (it can no longer sign in) and end its sessions; answers it and how many ended."""
    user = find_user(store, login)
    at = format_time(utcnow())
    with store.transaction():
        store.update_user(user.id, at, disabled=True)
        ended = store.delete_user_sessions(user.id)
        record_change(store, actor, "user.disable", "user", user.id, {"login": user.login, "sessions_ended": ended},
                      at=at)
    return _as_user(store.fetch_user(user.id)), ended


def reset_password(store: Store, login: str, password: str, *, actor: User | None = None,
                   policy: Policy = DEFAULT_POLICY) -> tuple[User, int]:
    """Give a user a new password and end every session it has; answers it and how many ended."""
    user = find_user(store, login)
    check_password(password, user.login, policy)
    hashed = hash_password(password, policy)
    at = format_time(utcnow())
    with store.transaction():
        store.update_user(user.id, at, password_hash=hashed)
        ended = store.delete_user_sessions(user.id)
        record_change(store, actor, "user.reset", "user", user.id, {"login": user.login, "sessions_ended": ended},
                      at=at)
    return _as_user(store.fetch_user(user.id)), ended


def change_password(store: Store, session: ActiveSession, current: str, new: str,
                    policy: Policy = DEFAULT_POLICY) -> int:
    """A signed-in user changes its own password; its other sessions end. Answers how many ended."""
    user = session.user
    stored = store.fetch_password_hash(user.id) or _decoy_hash(policy.hash_profile)
    if not verify_password(stored, current, policy):
        raise AccountError("The current password is wrong.")
    check_password(new, user.login, policy)
    hashed = hash_password(new, policy)
    at = format_time(utcnow())
    with store.transaction():
        store.update_user(user.id, at, password_hash=hashed)
        ended = store.delete_user_sessions(user.id, keep=session.token_hash)
        record_change(store, user, "user.password", "user", user.id, {"sessions_ended": ended}, at=at)
    return ended


# ----------------------------------------------------------------- signing in and out
def _window_start(now: datetime, minutes: int) -> str:
    return format_time(now - timedelta(minutes=minutes))


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, int((moment - now).total_seconds()))


def _refuse(store: Store, login: str, address: str, at: str, outcome: str, error: LoginRefused) -> LoginRefused:
    with store.transaction():
        store.insert_login_attempt(login, address, at, outcome)
    return error


def log_in(store: Store, login: str, password: str, address: str = "", *, policy: Policy = DEFAULT_POLICY,
           now: datetime | None = None) -> SignedIn:
    """Check a name and password against the limits and the store; open a session.

    Raises :class:`LoginRefused` ('limited' over a rate limit, 'locked' after repeated failures,
    'invalid' for any wrong name, password or disabled user: all with one sentence).
    """
    now = now or utcnow()
    at = format_time(now)
    address = (address or "")[:100]
    name = unicodedata.normalize("NFKC", login or "").strip().lower()[:100]
    window = _window_start(now, policy.window_minutes)
    for kind, limit in (("address", policy.address_attempts), ("login", policy.login_attempts)):
        key = {kind: address if kind == "address" else name}
        times = store.list_login_attempt_times(window, ("ok", "failed"), **key)
        if len(times) >= limit:
            oldest = parse_time(times[-limit])
            wait = _seconds_until(oldest + timedelta(minutes=policy.window_minutes), now)
            raise _refuse(store, name, address, at, "limited", LoginRefused(
                "limited", "Too many sign-in attempts: wait a few minutes and try again.", wait))
    since = max(_window_start(now, policy.lockout_minutes), store.last_login_success(name) or "")
    failures = store.list_login_attempt_times(since, ("failed",), login=name)
    if len(failures) >= policy.max_failures:
        unlock = parse_time(failures[-policy.max_failures]) + timedelta(minutes=policy.lockout_minutes)
        raise _refuse(store, name, address, at, "locked", LoginRefused(
            "locked", "Too many failed sign-ins for this name: it is locked for a while. Try again later.",
            _seconds_until(unlock, now)))
    row = store.fetch_user_by_login(name) if LOGIN_RE.fullmatch(name) else None
    stored = store.fetch_password_hash(row["id"]) if row else None
    matches = verify_password(stored or _decoy_hash(policy.hash_profile), password or "", policy)
    if row is None or stored is None or not matches or row["disabled"]:
        with store.transaction():
            store.insert_login_attempt(name, address, at, "failed")
            if len(failures) + 1 == policy.max_failures:
                record_change(store, None, "session.lockout", "login", name,
                              {"address": address, "minutes": policy.lockout_minutes}, at=at, actor_name="sign-in")
        raise LoginRefused("invalid", INVALID)
    user = User(**row)
    token = secrets.token_urlsafe(32)
    hashed = token_hash(token)
    expires = format_time(now + timedelta(hours=policy.absolute_hours))
    with store.transaction():
        store.insert_login_attempt(name, address, at, "ok")
        store.insert_session(hashed, user.id, at, expires, address)
        if password_hasher(policy.hash_profile).check_needs_rehash(stored):
            store.update_user(user.id, at, password_hash=hash_password(password, policy))
        record_change(store, user, "session.login", "user", user.id, {"address": address}, at=at)
        store.delete_login_attempts_before(format_time(now - ATTEMPTS_KEPT))
        store.delete_stale_sessions(at, _window_start(now, policy.idle_minutes))
    session = ActiveSession(user, hashed, at, at, expires, format_time(now + timedelta(minutes=policy.idle_minutes)))
    return SignedIn(user, token, session)


def resolve_session(store: Store, token: str | None, *, policy: Policy = DEFAULT_POLICY,
                    now: datetime | None = None) -> ActiveSession | None:
    """The session a cookie's token opens now, or None (unknown, expired, or its user disabled).

    An expired session is deleted when it is seen; a live one has its last use recorded (at most
    every ``touch_seconds``).
    """
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    now = now or utcnow()
    hashed = token_hash(token)
    row = store.fetch_session(hashed)
    if row is None:
        return None
    last_seen = parse_time(row["last_seen"])
    idle_end = last_seen + timedelta(minutes=policy.idle_minutes)
    if now >= parse_time(row["expires_at"]) or now >= idle_end or row["user"]["disabled"]:
        with store.transaction():
            store.delete_session(hashed)
        return None
    seen = row["last_seen"]
    if (now - last_seen).total_seconds() >= policy.touch_seconds:
        seen = format_time(now)
        with store.transaction():
            store.touch_session(hashed, seen)
        idle_end = now + timedelta(minutes=policy.idle_minutes)
    return ActiveSession(User(**row["user"]), hashed, row["created_at"], seen, row["expires_at"], format_time(idle_end))


def log_out(store: Store, session: ActiveSession) -> None:
    """End this session (the cookie's token opens nothing any more)."""
    with store.transaction():
        store.delete_session(session.token_hash)
        record_change(store, session.user, "session.logout", "user", session.user.id, {})


# ----------------------------------------------------------------- audit log
def record_change(store: Store, actor: User | None, action: str, object_type: str, object_id, detail: dict | None = None,
                  *, at: str | None = None, actor_name: str | None = None) -> int:
    """Append who did what to which object (call inside the change's own transaction).

    ``actor`` None means the command line. record_change(store, user, 'result.publish', 'result', 17,
    {'status': ['draft', 'published']}).
    """
    name = actor_name or (actor.login if actor is not None else COMMAND_LINE)
    return store.insert_audit(at or format_time(utcnow()), actor.id if actor is not None else None, name, action,
                              object_type, str(object_id), detail)


def history(store: Store, object_type: str, object_id, limit: int = 200) -> list[dict]:
    """The audit rows of one object, newest first (a result's history page reads this)."""
    return store.list_audit(object_type, str(object_id), limit=limit)
