"""The SQL behind accounts: users, server-side sessions, login attempts and the audit log.

Mixed into :class:`catalogue.store.Store` (migration 005 makes the tables); the rules (hashing,
expiry, lockout, who may do what) live in :mod:`catalogue.accounts`, which calls these inside
``store.transaction()``. Rows come back as plain dicts; a user's ``password_hash`` is only ever
read by :meth:`AccountRows.fetch_password_hash`.

    >>> store.fetch_user_by_login("wang.li")
    {'id': 1, 'login': 'wang.li', 'display_name': '王丽', 'role': 'librarian', 'enterprise_id': None, ...}
"""
from __future__ import annotations

import json
import sqlite3
from typing import Iterable

#: The columns of a user row that leave the store (everything but the password hash).
USER_COLUMNS = ("id", "login", "display_name", "role", "enterprise_id", "disabled", "created_at", "updated_at")
_USER_SELECT = ", ".join(f"u.{c}" for c in USER_COLUMNS)


def _user(row: sqlite3.Row | None) -> dict | None:
    if row is None:
        return None
    user = {c: row[c] for c in USER_COLUMNS}
    user["disabled"] = bool(user["disabled"])
    return user


class AccountRows:
    """The account methods of :class:`catalogue.store.Store` (it provides ``self.db``)."""

    db: sqlite3.Connection

    # ----------------------------------------------------------------- users
    def insert_user(self, login: str, display_name: str, role: str, enterprise_id: str | None,
                    password_hash: str, at: str) -> int:
        """Add a user and answer its id; raises sqlite3.IntegrityError when the login is taken."""
        self.note_written(scope="accounts")
        cur = self.db.execute(
            "INSERT INTO users (login, display_name, role, enterprise_id, password_hash, disabled, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
            (login, display_name, role, enterprise_id, password_hash, at, at),
        )
        return int(cur.lastrowid)

    def fetch_user(self, user_id: int) -> dict | None:
        """One user by id, without the password hash, or None."""
        row = self.db.execute(f"SELECT {_USER_SELECT} FROM users u WHERE u.id = ?", (user_id,)).fetchone()
        return _user(row)

    def fetch_user_by_login(self, login: str) -> dict | None:
        """One user by (normalised) login name, without the password hash, or None."""
        row = self.db.execute(f"SELECT {_USER_SELECT} FROM users u WHERE u.login = ?", (login,)).fetchone()
        return _user(row)

    def fetch_password_hash(self, user_id: int) -> str | None:
        """The stored argon2 hash of one user (only the password check reads it)."""
        row = self.db.execute("SELECT password_hash FROM users WHERE id = ?", (user_id,)).fetchone()
        return row[0] if row else None

    def list_user_rows(self, role: str | None = None, enterprise_id: str | None = None) -> list[dict]:
        """Every user, by login name, optionally of one role or one enterprise."""
        sql = f"SELECT {_USER_SELECT} FROM users u WHERE 1 = 1"
        args: list = []
        if role is not None:
            sql += " AND u.role = ?"
            args.append(role)
        if enterprise_id is not None:
            sql += " AND u.enterprise_id = ?"
            args.append(enterprise_id)
        return [_user(r) for r in self.db.execute(sql + " ORDER BY u.login", args)]

    def update_user(self, user_id: int, at: str, *, password_hash: str | None = None, disabled: bool | None = None,
                    display_name: str | None = None) -> bool:
        """Change the given fields of one user (and its updated_at); False when no such user."""
        self.note_written(scope="accounts")
        sets, args = ["updated_at = ?"], [at]
        if password_hash is not None:
            sets.append("password_hash = ?")
            args.append(password_hash)
        if disabled is not None:
            sets.append("disabled = ?")
            args.append(int(disabled))
        if display_name is not None:
            sets.append("display_name = ?")
            args.append(display_name)
        cur = self.db.execute(f"UPDATE users SET {', '.join(sets)} WHERE id = ?", [*args, user_id])
        return cur.rowcount == 1

    # ----------------------------------------------------------------- sessions
    def insert_session(self, token_hash: str, user_id: int, at: str, expires_at: str, address: str) -> None:
        """Open a session: the token's hash, its user, when it started and when it ends at the latest."""
        self.note_written(scope="accounts")
        self.db.execute(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen, expires_at, address) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (token_hash, user_id, at, at, expires_at, address),
        )

    def fetch_session(self, token_hash: str) -> dict | None:
        """The session with this token hash and its user: {'token_hash', 'created_at', 'last_seen',
        'expires_at', 'address', 'user': {...}}, or None."""
        row = self.db.execute(
            f"SELECT s.token_hash, s.created_at AS s_created, s.last_seen, s.expires_at, s.address, {_USER_SELECT} "
            "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
            (token_hash,),
        ).fetchone()
        if row is None:
            return None
        return {"token_hash": row["token_hash"], "created_at": row["s_created"], "last_seen": row["last_seen"],
                "expires_at": row["expires_at"], "address": row["address"], "user": _user(row)}

    def list_user_sessions(self, user_id: int) -> list[dict]:
        """The sessions a user has open (expired ones included until pruned), newest first."""
        rows = self.db.execute(
            "SELECT token_hash, created_at, last_seen, expires_at, address FROM sessions WHERE user_id = ? "
            "ORDER BY created_at DESC, token_hash", (user_id,))
        return [dict(r) for r in rows]

    def touch_session(self, token_hash: str, at: str) -> None:
        """Move a session's last_seen (its idle expiry) to ``at``."""
        self.note_written(scope="accounts")
        self.db.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", (at, token_hash))

    def delete_session(self, token_hash: str) -> int:
        """End one session; answers 1 when it existed."""
        self.note_written(scope="accounts")
        return self.db.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,)).rowcount

    def delete_user_sessions(self, user_id: int, keep: str | None = None) -> int:
        """End every session of a user (but ``keep``, a token hash); answers how many ended."""
        self.note_written(scope="accounts")
        return self.db.execute("DELETE FROM sessions WHERE user_id = ? AND token_hash IS NOT ?",
                               (user_id, keep)).rowcount

    def delete_stale_sessions(self, now: str, idle_before: str) -> int:
        """Forget sessions past their absolute expiry or idle since before ``idle_before``."""
        self.note_written(scope="accounts")
        return self.db.execute("DELETE FROM sessions WHERE expires_at <= ? OR last_seen < ?",
                               (now, idle_before)).rowcount

    # ----------------------------------------------------------------- login attempts
    def insert_login_attempt(self, login: str, address: str, at: str, outcome: str) -> None:
        """Record one sign-in attempt: outcome ok | failed | locked | limited."""
        self.note_written(scope="accounts")
        self.db.execute("INSERT INTO login_attempts (login, address, at, outcome) VALUES (?, ?, ?, ?)",
                        (login, address, at, outcome))

    def count_login_attempts(self, since: str, outcomes: Iterable[str], *, login: str | None = None,
                             address: str | None = None) -> int:
        """Attempts at or after ``since`` with one of ``outcomes``, for one login name or one address."""
        wanted = tuple(outcomes)
        sql = f"SELECT COUNT(*) FROM login_attempts WHERE at >= ? AND outcome IN ({', '.join('?' * len(wanted))})"
        args: list = [since, *wanted]
        if login is not None:
            sql += " AND login = ?"
            args.append(login)
        if address is not None:
            sql += " AND address = ?"
            args.append(address)
        return self.db.execute(sql, args).fetchone()[0]

    def list_login_attempt_times(self, since: str, outcomes: Iterable[str], *, login: str | None = None,
                                 address: str | None = None) -> list[str]:
        """The times of the attempts :meth:`count_login_attempts` counts, oldest first."""
        wanted = tuple(outcomes)
        sql = f"SELECT at FROM login_attempts WHERE at >= ? AND outcome IN ({', '.join('?' * len(wanted))})"
        args: list = [since, *wanted]
        if login is not None:
            sql += " AND login = ?"
            args.append(login)
        if address is not None:
            sql += " AND address = ?"
            args.append(address)
        return [r[0] for r in self.db.execute(sql + " ORDER BY at, id", args)]

    def last_login_success(self, login: str) -> str | None:
        """When this login name last signed in, or None."""
        row = self.db.execute("SELECT MAX(at) FROM login_attempts WHERE login = ? AND outcome = 'ok'",
                              (login,)).fetchone()
        return row[0]

    def delete_login_attempts_before(self, at: str) -> int:
        """Forget attempts older than ``at`` (they no longer count for any limit)."""
        self.note_written(scope="accounts")
        return self.db.execute("DELETE FROM login_attempts WHERE at < ?", (at,)).rowcount

    # ----------------------------------------------------------------- audit log
    def insert_audit(self, at: str, actor_id: int | None, actor: str, action: str, object_type: str,
                     object_id: str, detail: dict | None = None) -> int:
        """Append one row to the audit log; answers its sequence number."""
        self.note_written(scope="accounts")
        cur = self.db.execute(
            "INSERT INTO audit_log (at, actor_id, actor, action, object_type, object_id, detail) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (at, actor_id, actor, action, object_type, str(object_id),
             json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)),
        )
        return int(cur.lastrowid)

    def list_audit(self, object_type: str | None = None, object_id: str | None = None,
                   actor_id: int | None = None, limit: int = 200) -> list[dict]:
        """Audit rows, newest first, for one object (type and id), one actor, or all:
        [{'seq', 'at', 'actor_id', 'actor', 'action', 'object_type', 'object_id', 'detail': {...}}, ...]."""
        sql, args = "SELECT * FROM audit_log WHERE 1 = 1", []
        if object_type is not None:
            sql += " AND object_type = ?"
            args.append(object_type)
        if object_id is not None:
            sql += " AND object_id = ?"
            args.append(str(object_id))
        if actor_id is not None:
            sql += " AND actor_id = ?"
            args.append(actor_id)
        rows = self.db.execute(sql + " ORDER BY seq DESC LIMIT ?", [*args, limit])
        return [{**dict(r), "detail": json.loads(r["detail"])} for r in rows]
