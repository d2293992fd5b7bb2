-- Accounts (issue 16): librarians and enterprise users, their server-side sessions, the login
-- attempts behind the rate limit and the lockout, and the audit log of who changed what.
-- The rules live in catalogue/accounts.py; the SQL in catalogue/store_accounts.py.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,              -- normalised: NFKC, lower case
    display_name  TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL CHECK (role IN ('librarian', 'enterprise')),
    enterprise_id TEXT,                              -- the register's enterprise; NULL for librarians
    password_hash TEXT NOT NULL,                     -- argon2id in PHC form; never the password
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE INDEX users_enterprise ON users (enterprise_id);

-- The cookie carries a random token; only its SHA-256 is kept, so a copy of this file opens no session.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    last_seen  TEXT NOT NULL,                        -- idle expiry counts from here
    expires_at TEXT NOT NULL,                        -- absolute expiry
    address    TEXT NOT NULL DEFAULT ''
);

CREATE INDEX sessions_user ON sessions (user_id);

-- Every attempt to sign in, whether or not the login name exists: outcome ok | failed | locked | limited.
CREATE TABLE login_attempts (
    id      INTEGER PRIMARY KEY,
    login   TEXT NOT NULL,
    address TEXT NOT NULL,
    at      TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'failed', 'locked', 'limited'))
);

CREATE INDEX login_attempts_login ON login_attempts (login, at);

CREATE INDEX login_attempts_address ON login_attempts (address, at);

-- Who did what to which object, when; detail is a JSON object (never a password or a hash).
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    actor_id    INTEGER,                             -- the acting user; NULL on the command line
    actor       TEXT NOT NULL,                       -- the acting user's login, or 'command line'
    action      TEXT NOT NULL,                       -- 'user.add', 'session.login', 'result.publish' ...
    object_type TEXT NOT NULL,                       -- 'user', 'session', later 'result' ...
    object_id   TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '{}'
);

CREATE INDEX audit_log_object ON audit_log (object_type, object_id, seq);

CREATE INDEX audit_log_actor ON audit_log (actor_id, seq)
