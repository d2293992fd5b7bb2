"""Accounts on a real SQLite file: hashing, sessions and their expiry, lockout, rate limits,
disabling and resetting, the audit log, and migrations that arrive out of order."""
from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from catalogue import accounts
from catalogue.accounts import (
    INVALID,
    AccountError,
    LoginRefused,
    Policy,
    add_user,
    change_password,
    disable_user,
    format_time,
    history,
    list_users,
    log_in,
    log_out,
    reset_password,
    resolve_session,
    utcnow,
)
from catalogue.errors import NotFound
from catalogue.store import Store

#: The unit tests hash with argon2-cffi's cheapest profile (one test checks the default's cost).
FAST = Policy(hash_profile="CHEAPEST")
PASSWORD = "valve-seat-leakage-2024"


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "home", create=True)
    yield s
    s.close()


def make_librarian(store, login="wang.li", password=PASSWORD):
    return add_user(store, login, "librarian", password, display_name="王丽", policy=FAST)


def test_default_hash_is_argon2id_with_the_rfc_9106_low_memory_cost(store):
    user = add_user(store, "chen.jie", "librarian", PASSWORD)
    stored = store.fetch_password_hash(user.id)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PASSWORD not in stored
    raw = store.db.execute("SELECT * FROM users WHERE id = ?", (user.id,)).fetchone()
    assert all(PASSWORD not in str(value) for value in tuple(raw))
    assert log_in(store, "chen.jie", PASSWORD).user.login == "chen.jie"


def test_no_plaintext_anywhere_in_the_file(store, tmp_path):
    make_librarian(store)
    signed = log_in(store, "wang.li", PASSWORD, "10.0.0.7", policy=FAST)
    store.db.execute("PRAGMA wal_checkpoint(FULL)")
    raw = (tmp_path / "home" / "catalogue.sqlite3").read_bytes()
    assert PASSWORD.encode() not in raw
    assert signed.token.encode() not in raw  # only the token's SHA-256 is kept
    assert accounts.token_hash(signed.token).encode() in raw


def test_add_user_normalises_the_login_and_refuses_bad_input(store):
    user = add_user(store, " Zhang.Wei@Example ", "enterprise", PASSWORD, enterprise_id="ent-0001", policy=FAST)
    assert (user.login, user.role, user.enterprise_id, user.display_name, user.disabled) == (
        "zhang.wei@example", "enterprise", "ent-0001", "", False)
    assert user.name == "zhang.wei@example"
    with pytest.raises(AccountError, match="^The login name 'zhang.wei@example' is taken.$"):
        add_user(store, "ZHANG.WEI@example", "enterprise", PASSWORD, enterprise_id="ent-0002", policy=FAST)
    with pytest.raises(AccountError, match="^An enterprise user must name its enterprise"):
        add_user(store, "li.na", "enterprise", PASSWORD, policy=FAST)
    with pytest.raises(AccountError, match="^A librarian belongs to no enterprise"):
        add_user(store, "li.na", "librarian", PASSWORD, enterprise_id="ent-1", policy=FAST)
    with pytest.raises(AccountError, match="^Unknown role 'admin'; use one of: librarian, enterprise.$"):
        add_user(store, "li.na", "admin", PASSWORD, policy=FAST)
    with pytest.raises(AccountError, match="^The password is too short: use at least 10 characters.$"):
        add_user(store, "li.na", "librarian", "short", policy=FAST)
    with pytest.raises(AccountError, match="^The password must not be the login name.$"):
        add_user(store, "li.na.valves", "librarian", "Li.Na.Valves", policy=FAST)
    with pytest.raises(AccountError, match="is not a login name"):
        add_user(store, "名字", "librarian", PASSWORD, policy=FAST)
    assert [u.login for u in list_users(store)] == ["zhang.wei@example"]


def test_log_in_and_out(store):
    user = make_librarian(store)
    signed = log_in(store, "WANG.LI", PASSWORD, "10.0.0.7", policy=FAST)
    assert signed.user == user and len(signed.token) == 43
    session = resolve_session(store, signed.token, policy=FAST)
    assert session.user.login == "wang.li" and session.user.is_librarian
    assert session.created_at == signed.session.created_at
    assert resolve_session(store, signed.token + "x", policy=FAST) is None
    assert resolve_session(store, "", policy=FAST) is None
    assert resolve_session(store, "a" * 500, policy=FAST) is None
    log_out(store, session)
    assert resolve_session(store, signed.token, policy=FAST) is None
    actions = [(row["action"], row["actor"]) for row in history(store, "user", user.id)]
    assert actions == [("session.logout", "wang.li"), ("session.login", "wang.li"), ("user.add", "command line")]


def test_unknown_name_wrong_password_and_disabled_user_read_the_same(store):
    make_librarian(store)
    refusals = []
    for login, password in (("nobody", PASSWORD), ("wang.li", "not the password"), ("名字", PASSWORD)):
        with pytest.raises(LoginRefused) as caught:
            log_in(store, login, password, "10.0.0.7", policy=FAST)
        refusals.append((caught.value.reason, str(caught.value)))
    disable_user(store, "wang.li")
    with pytest.raises(LoginRefused) as caught:
        log_in(store, "wang.li", PASSWORD, "10.0.0.8", policy=FAST)
    refusals.append((caught.value.reason, str(caught.value)))
    assert refusals == [("invalid", INVALID)] * 4


def test_idle_and_absolute_expiry_are_checked_on_the_server(store):
    make_librarian(store)
    policy = Policy(hash_profile="CHEAPEST", idle_minutes=30, absolute_hours=2, touch_seconds=60)
    start = utcnow()
    signed = log_in(store, "wang.li", PASSWORD, policy=policy, now=start)
    # Used every 20 minutes, the session lives on ...
    for minutes in (20, 40, 60, 80, 100):
        assert resolve_session(store, signed.token, policy=policy, now=start + timedelta(minutes=minutes)) is not None
    row = store.fetch_session(signed.session.token_hash)
    assert row["last_seen"] == format_time(start + timedelta(minutes=100))
    # ... until its absolute end, whatever its use.
    assert resolve_session(store, signed.token, policy=policy, now=start + timedelta(hours=2)) is None
    assert store.fetch_session(signed.session.token_hash) is None  # deleted when seen expired
    # Idle for 30 minutes: gone.
    again = log_in(store, "wang.li", PASSWORD, policy=policy, now=start)
    assert resolve_session(store, again.token, policy=policy, now=start + timedelta(minutes=29)) is not None
    assert resolve_session(store, again.token, policy=policy, now=start + timedelta(minutes=59)) is None


def test_last_seen_is_written_at_most_once_a_minute(store):
    make_librarian(store)
    start = utcnow()
    signed = log_in(store, "wang.li", PASSWORD, policy=FAST, now=start)
    before = store.db.total_changes
    resolve_session(store, signed.token, policy=FAST, now=start + timedelta(seconds=30))
    assert store.db.total_changes == before
    resolve_session(store, signed.token, policy=FAST, now=start + timedelta(seconds=61))
    assert store.db.total_changes == before + 1


def test_lockout_after_repeated_failures_then_it_ends(store):
    make_librarian(store)
    policy = Policy(hash_profile="CHEAPEST", max_failures=3, lockout_minutes=10, login_attempts=100)
    start = utcnow()
    for i in range(3):
        with pytest.raises(LoginRefused) as caught:
            log_in(store, "wang.li", "wrong password", "10.0.0.9", policy=policy, now=start + timedelta(seconds=i))
        assert caught.value.reason == "invalid"
    # Locked: even the right password is refused, without a hash check, for 10 minutes.
    with pytest.raises(LoginRefused) as caught:
        log_in(store, "wang.li", PASSWORD, "10.0.0.10", policy=policy, now=start + timedelta(minutes=5))
    assert caught.value.reason == "locked"
    assert caught.value.retry_after == 5 * 60
    assert str(caught.value) == "Too many failed sign-ins for this name: it is locked for a while. Try again later."
    # A name that does not exist locks the same way (the lock tells nothing about accounts).
    for i in range(3):
        with pytest.raises(LoginRefused):
            log_in(store, "no.such.user", "x" * 12, "10.0.0.9", policy=policy, now=start + timedelta(seconds=i))
    with pytest.raises(LoginRefused) as caught:
        log_in(store, "no.such.user", "x" * 12, "10.0.0.9", policy=policy, now=start + timedelta(minutes=1))
    assert caught.value.reason == "locked"
    # After the lockout the right password works, and the failures before it no longer count.
    assert log_in(store, "wang.li", PASSWORD, policy=policy, now=start + timedelta(minutes=11)).user.login == "wang.li"
    with pytest.raises(LoginRefused) as caught:
        log_in(store, "wang.li", "wrong password", policy=policy, now=start + timedelta(minutes=12))
    assert caught.value.reason == "invalid"
    outcomes = [r[0] for r in store.db.execute("SELECT outcome FROM login_attempts WHERE login = 'wang.li' ORDER BY id")]
    assert outcomes == ["failed", "failed", "failed", "locked", "ok", "failed"]
    lockouts = store.list_audit("login", "wang.li")
    assert [(r["action"], r["actor"], r["detail"]) for r in lockouts] == [
        ("session.lockout", "sign-in", {"address": "10.0.0.9", "minutes": 10})]


def test_rate_limit_per_address_and_per_login(store):
    make_librarian(store)
    make_librarian(store, "li.na")
    policy = Policy(hash_profile="CHEAPEST", address_attempts=4, login_attempts=3, window_minutes=10,
                    max_failures=100)
    start = utcnow()
    # Per login name: 3 attempts in 10 minutes, successful ones included, from any address.
    for i in range(3):
        log_in(store, "wang.li", PASSWORD, f"10.0.1.{i}", policy=policy, now=start + timedelta(seconds=i))
    with pytest.raises(LoginRefused) as caught:
        log_in(store, "wang.li", PASSWORD, "10.0.1.9", policy=policy, now=start + timedelta(minutes=1))
    assert (caught.value.reason, caught.value.retry_after) == ("limited", 9 * 60)
    assert str(caught.value) == "Too many sign-in attempts: wait a few minutes and try again."
    # Per address: 4 attempts in 10 minutes, whichever names they try.
    for i, name in enumerate(("li.na", "x1", "x2", "x3")):
        try:
            log_in(store, name, PASSWORD, "10.0.2.1", policy=policy, now=start + timedelta(seconds=i))
        except LoginRefused as refused:
            assert refused.reason == "invalid"
    with pytest.raises(LoginRefused) as caught:
        log_in(store, "li.na", PASSWORD, "10.0.2.1", policy=policy, now=start + timedelta(minutes=2))
    assert caught.value.reason == "limited"
    # Another address is not limited, and the window moves on.
    assert log_in(store, "li.na", PASSWORD, "10.0.2.2", policy=policy, now=start + timedelta(minutes=2)).user
    assert log_in(store, "wang.li", PASSWORD, "10.0.1.9", policy=policy, now=start + timedelta(minutes=11)).user


def test_disabling_ends_sessions_and_blocks_sign_in(store):
    user = make_librarian(store)
    first = log_in(store, "wang.li", PASSWORD, policy=FAST)
    second = log_in(store, "wang.li", PASSWORD, policy=FAST)
    disabled, ended = disable_user(store, "Wang.Li")
    assert (disabled.disabled, ended) == (True, 2)
    assert resolve_session(store, first.token, policy=FAST) is None
    assert resolve_session(store, second.token, policy=FAST) is None
    assert not disabled.may_act_for(None)
    row = history(store, "user", user.id)[0]
    assert (row["action"], row["actor"], row["actor_id"], row["detail"]) == (
        "user.disable", "command line", None, {"login": "wang.li", "sessions_ended": 2})


def test_a_session_of_a_user_disabled_behind_its_back_ends(store):
    make_librarian(store)
    signed = log_in(store, "wang.li", PASSWORD, policy=FAST)
    store.db.execute("UPDATE users SET disabled = 1")  # as another tool would
    assert resolve_session(store, signed.token, policy=FAST) is None


def test_reset_ends_every_session_and_only_the_new_password_works(store):
    user = make_librarian(store)
    signed = log_in(store, "wang.li", PASSWORD, policy=FAST)
    _, ended = reset_password(store, "wang.li", "a brand new passphrase", policy=FAST)
    assert ended == 1
    assert resolve_session(store, signed.token, policy=FAST) is None
    with pytest.raises(LoginRefused):
        log_in(store, "wang.li", PASSWORD, policy=FAST)
    assert log_in(store, "wang.li", "a brand new passphrase", policy=FAST).user.id == user.id
    with pytest.raises(NotFound, match="^No user 'ghost'; `catalogue user list` shows them.$"):
        reset_password(store, "ghost", "a brand new passphrase", policy=FAST)
    assert "user.reset" in [r["action"] for r in history(store, "user", user.id)]


def test_changing_ones_own_password_keeps_this_session_and_ends_the_others(store):
    user = make_librarian(store)
    here = log_in(store, "wang.li", PASSWORD, policy=FAST)
    elsewhere = log_in(store, "wang.li", PASSWORD, policy=FAST)
    session = resolve_session(store, here.token, policy=FAST)
    with pytest.raises(AccountError, match="^The current password is wrong.$"):
        change_password(store, session, "guess", "another long passphrase", policy=FAST)
    assert change_password(store, session, PASSWORD, "another long passphrase", policy=FAST) == 1
    assert resolve_session(store, here.token, policy=FAST) is not None
    assert resolve_session(store, elsewhere.token, policy=FAST) is None
    row = history(store, "user", user.id)[0]
    assert (row["action"], row["actor"], row["actor_id"]) == ("user.password", "wang.li", user.id)


def test_enterprise_users_act_only_for_their_enterprise(store):
    librarian = make_librarian(store)
    ent = add_user(store, "zhang.wei", "enterprise", PASSWORD, enterprise_id="ent-0001", policy=FAST)
    assert librarian.may_act_for("ent-0001") and librarian.may_act_for(None)
    assert ent.may_act_for("ent-0001")
    assert not ent.may_act_for("ent-0002") and not ent.may_act_for(None)
    assert "password" not in str(ent.to_json())


def test_record_change_is_the_audit_hook_for_other_workflows(store):
    user = make_librarian(store)
    with store.transaction():
        seq = accounts.record_change(store, user, "result.publish", "result", 17, {"status": ["draft", "published"]})
    assert history(store, "result", 17) == [{
        "seq": seq, "at": history(store, "result", 17)[0]["at"], "actor_id": user.id, "actor": "wang.li",
        "action": "result.publish", "object_type": "result", "object_id": "17",
        "detail": {"status": ["draft", "published"]}}]


def test_a_change_and_its_audit_row_land_together(store):
    make_librarian(store)
    store.db.execute("DROP TABLE audit_log")  # the audit write fails ...
    with pytest.raises(sqlite3.OperationalError):
        disable_user(store, "wang.li")
    assert store.fetch_user_by_login("wang.li")["disabled"] is False  # ... so the change did not land


def test_migrations_with_gaps_apply_the_missing_ones_later(tmp_path, monkeypatch):
    import catalogue.store as store_module

    home = tmp_path / "home"
    real = [m for m in store_module._migrations() if m[0] in (1, 2, 3)]
    # A file made with migrations 1, 2, 3 and 5 (004 not yet merged, as branches land) ...
    accounts = next(m for m in store_module._migrations() if m[0] == 5)
    monkeypatch.setattr(store_module, "_migrations", lambda: [*real, accounts])
    with Store(home, create=True) as first:
        assert first.schema_version == 5
        assert first.has_table("users")
    # ... gets 004 when it arrives, though its number is lower than the file's version.
    extra = (4, "CREATE TABLE register_probe (id INTEGER PRIMARY KEY)")
    monkeypatch.setattr(store_module, "_migrations", lambda: sorted([*real, extra, accounts]))
    with Store(home) as second:
        assert second.has_table("register_probe")
        numbers = [r[0] for r in second.db.execute("SELECT number FROM schema_migrations ORDER BY number")]
        assert numbers == [1, 2, 3, 4, 5] and second.schema_version == 5


def test_a_file_from_before_the_migration_record_is_taken_as_it_was(tmp_path, monkeypatch):
    import catalogue.store as store_module

    home = tmp_path / "home"
    real = store_module._migrations()
    monkeypatch.setattr(store_module, "_migrations", lambda: [m for m in real if m[0] <= 2])
    with Store(home, create=True):
        pass
    # As the old code left it: user_version 2 and no record table.
    db = sqlite3.connect(home / "catalogue.sqlite3")
    db.execute("DROP TABLE schema_migrations")
    db.commit()
    db.close()
    monkeypatch.setattr(store_module, "_migrations", lambda: real)
    with Store(home) as store:
        numbers = [r[0] for r in store.db.execute("SELECT number FROM schema_migrations ORDER BY number")]
        assert numbers == [n for n, _ in real] and numbers[:2] == [1, 2]
        assert store.has_table("audit_log") and store.has_table("write_log") and store.schema_version == numbers[-1]
