"""Signing in and out in the browser, on the web fixture catalogue's real SQLite file: the cookie,
server-side expiry, lockout, rate limits, disabled users, resets, the decorators other
blueprints use, the response cache, and a walk over every form the pages hold."""
from __future__ import annotations

import itertools
import re
import sqlite3
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Blueprint

from catalogue import accounts
from catalogue.accounts import Policy
from catalogue.edges.service import Catalogue
from catalogue.store import Store
from catalogue.web import create_app
from catalogue.web.accounts import current_user, login_required, role_required
from catalogue.web.writes import request_store, write_transaction
from test_web_support import app, soup_of, text_of, web_home  # noqa: F401 - fixtures

PASSWORD = "valve-seat-leakage-2024"
FAST = Policy(hash_profile="CHEAPEST")
#: Every test client comes from its own address, so one test's attempts never limit another's.
_addresses = (f"10.77.{n // 250}.{n % 250 + 1}" for n in itertools.count())
_names = (f"user{n}" for n in itertools.count())


#: Apps a test made for itself (other settings): closed when it ends, so their index files are
#: never left to the garbage collector (a ResourceWarning, an error here, in whichever test runs then).
_made_apps: list = []


def make_app(home, **config):
    settings = {"CATALOGUE_HOME": str(home), "TESTING": True, "ACCOUNTS_HASH_PROFILE": "CHEAPEST", **config}
    application = create_app(settings)
    _made_apps.append(application)
    return application


@pytest.fixture(autouse=True)
def close_made_apps():
    yield
    while _made_apps:
        cat = _made_apps.pop().extensions.get("catalogue")
        if cat is not None:
            cat.close()


@pytest.fixture(scope="module")
def accounts_app(web_home):
    application = create_app({"CATALOGUE_HOME": str(web_home), "TESTING": True, "ACCOUNTS_HASH_PROFILE": "CHEAPEST"})
    yield application
    cat = application.extensions.get("catalogue")
    if cat is not None:
        cat.close()


def new_client(application, lang="en"):
    c = application.test_client()
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9" if lang == "zh" else "en-GB,en;q=0.9"
    c.environ_base["REMOTE_ADDR"] = next(_addresses)
    return c


@pytest.fixture()
def client(accounts_app):
    return new_client(accounts_app)


def new_user(home, role="librarian", enterprise_id=None, display_name="王丽", password=PASSWORD):
    with Store(home) as store:
        return accounts.add_user(store, next(_names), role, password, enterprise_id=enterprise_id,
                                 display_name=display_name, policy=FAST)


def token_of(c) -> str:
    return c.get("/login.json").get_json()["csrf_token"]


def sign_in(c, login, password=PASSWORD, **extra):
    return c.post("/login", data={"csrf_token": token_of(c), "login": login, "password": password, **extra})


def auth_cookie(response) -> str | None:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith("catalogue_auth="):
            return header
    return None


def session_rows(home) -> list[sqlite3.Row]:
    db = sqlite3.connect(home / "catalogue.sqlite3")
    db.row_factory = sqlite3.Row
    try:
        return db.execute("SELECT * FROM sessions").fetchall()
    finally:
        db.close()


# ---------------------------------------------------------------- the form and signing in
def test_login_form_and_its_json_twin(client):
    response = client.get("/login")
    assert response.status_code == 200
    soup = soup_of(response)
    assert text_of(soup.select_one("h1")) == "Sign in"
    form = soup.select_one("form.login-form")
    assert (form["method"], form["action"]) == ("post", "/login")
    assert form.select_one('input[name="csrf_token"]')["value"]
    assert text_of(soup.select_one('label[for="login-name"]')) == "Login name"
    assert soup.select_one("#login-password")["type"] == "password"
    assert soup.select_one("#login-link")["href"] == "/login"
    data = client.get("/login.json").get_json()
    assert data["user"] is None and data["ok"] is True and len(data["csrf_token"]) > 20
    assert data["limits"] == {"lockout_after": 5, "lockout_minutes": 15}


def test_sign_in_sets_a_token_cookie_checked_on_the_server(client, web_home):
    user = new_user(web_home)
    response = sign_in(client, user.login.upper(), next="/search?q=valve")
    assert response.status_code == 303
    assert response.headers["Location"] == "/search?q=valve"
    header = auth_cookie(response)
    token = re.match(r"catalogue_auth=([^;]+);", header).group(1)
    assert len(token) == 43
    attributes = [part.strip().lower() for part in header.split(";")[1:]]
    assert "httponly" in attributes and "samesite=lax" in attributes and "path=/" in attributes
    assert "secure" not in attributes
    assert accounts.token_hash(token) in [r["token_hash"] for r in session_rows(web_home)]
    # The account page names the user; every page's header does too, with a sign-out button.
    page = client.get("/account")
    assert page.status_code == 200
    soup = soup_of(page)
    assert text_of(soup.select_one("#account-login")) == user.login
    assert text_of(soup.select_one("#account-role")) == "Librarian"
    assert text_of(soup.select_one("#account-link")) == "王丽"
    assert soup.select_one("form.logout-form button#logout-button")
    assert page.headers["Cache-Control"] == "private, no-store"


def test_the_cookie_is_secure_when_configured(web_home):
    secure_app = make_app(web_home, ACCOUNTS_COOKIE_SECURE=True)
    c = new_client(secure_app)
    user = new_user(web_home)
    response = sign_in(c, user.login)
    assert "secure" in [p.strip().lower() for p in auth_cookie(response).split(";")]
    assert secure_app.config["SESSION_COOKIE_SECURE"] is True


def test_json_sign_in_and_account_never_show_a_hash(client, web_home):
    user = new_user(web_home, role="enterprise", enterprise_id="ent-0042", display_name="示例阀门有限公司")
    response = client.post("/login.json", data={"csrf_token": token_of(client), "login": user.login,
                                                "password": PASSWORD})
    assert response.status_code == 200
    data = response.get_json()
    assert data["ok"] is True and data["user"]["login"] == user.login
    assert set(data["session"]) == {"created_at", "last_seen", "expires_at", "idle_expires_at"}
    account = client.get("/account.json")
    body = account.get_data(as_text=True)
    assert "argon2" not in body and "password_hash" not in body and "token" not in body
    info = account.get_json()
    assert info["user"] == {**user.to_json(), "updated_at": info["user"]["updated_at"]}
    assert info["user"]["enterprise_id"] == "ent-0042"
    assert [row["action"] for row in info["activity"]] == ["session.login", "user.add"]


def test_wrong_password_and_unknown_user_get_the_same_answer(client, web_home):
    user = new_user(web_home)
    answers = []
    for login, password in ((user.login, "not the password"), ("no.such.person", PASSWORD)):
        response = sign_in(client, login, password)
        answers.append((response.status_code, text_of(soup_of(response).select_one("#login-error"))))
        assert auth_cookie(response) is None
    assert answers == [(401, "The login name or password is wrong.")] * 2
    # The name typed stays in the box; the password does not.
    soup = soup_of(sign_in(client, user.login, "nope nope nope"))
    assert soup.select_one("#login-name")["value"] == user.login
    assert not soup.select_one("#login-password").get("value")


def test_disabled_users_cannot_sign_in_and_their_sessions_end(client, web_home):
    user = new_user(web_home)
    assert sign_in(client, user.login).status_code == 303
    assert client.get("/account").status_code == 200
    with Store(web_home) as store:
        accounts.disable_user(store, user.login)
    response = client.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    other = new_client(client.application)
    refused = sign_in(other, user.login)
    assert refused.status_code == 401
    assert text_of(soup_of(refused).select_one("#login-error")) == "The login name or password is wrong."


def test_a_reset_ends_the_users_sessions(client, web_home):
    user = new_user(web_home)
    sign_in(client, user.login)
    with Store(web_home) as store:
        _, ended = accounts.reset_password(store, user.login, "a brand new passphrase", policy=FAST)
    assert ended == 1
    assert client.get("/account.json").status_code == 401
    assert sign_in(client, user.login, "a brand new passphrase").status_code == 303


def test_sign_out_needs_the_token_and_ends_the_session_on_the_server(client, web_home):
    user = new_user(web_home)
    response = sign_in(client, user.login)
    token = re.match(r"catalogue_auth=([^;]+);", auth_cookie(response)).group(1)
    assert client.post("/logout").status_code == 400  # no CSRF token
    csrf = soup_of(client.get("/account")).select_one("form.logout-form input[name=csrf_token]")["value"]
    out = client.post("/logout", data={"csrf_token": csrf})
    assert (out.status_code, out.headers["Location"]) == (303, "/")
    assert auth_cookie(out).startswith("catalogue_auth=;")
    assert accounts.token_hash(token) not in [r["token_hash"] for r in session_rows(web_home)]
    # Replaying the old cookie opens nothing: the server forgot the session.
    replay = new_client(client.application)
    replay.set_cookie("catalogue_auth", token)
    assert replay.get("/account.json").status_code == 401
    assert client.get("/logout").status_code == 405


def test_expiry_is_decided_by_the_server(client, web_home):
    user = new_user(web_home)
    response = sign_in(client, user.login)
    token = re.match(r"catalogue_auth=([^;]+);", auth_cookie(response)).group(1)
    assert client.get("/account.json").status_code == 200
    # The browser still sends the cookie, but the session has been idle past its 30 minutes.
    db = sqlite3.connect(web_home / "catalogue.sqlite3")
    db.execute("UPDATE sessions SET last_seen = '2020-01-01T00:00:00Z' WHERE token_hash = ?",
               (accounts.token_hash(token),))
    db.commit()
    db.close()
    expired = client.get("/account")
    assert expired.status_code == 302 and expired.headers["Location"] == "/login?next=/account"
    assert auth_cookie(expired).startswith("catalogue_auth=;")  # the dead cookie is cleared
    assert accounts.token_hash(token) not in [r["token_hash"] for r in session_rows(web_home)]


def test_lockout_after_repeated_failures(web_home):
    locked_app = make_app(web_home, ACCOUNTS_MAX_FAILURES=3, ACCOUNTS_LOCKOUT_MINUTES=20)
    c = new_client(locked_app)
    user = new_user(web_home)
    assert [sign_in(c, user.login, "wrong password").status_code for _ in range(3)] == [401, 401, 401]
    response = sign_in(c, user.login)  # the right password, too late
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 20 * 60
    assert text_of(soup_of(response).select_one("#login-error")) == (
        "Too many failed sign-ins for this name: it is locked for 20 minutes. Try again later.")
    assert auth_cookie(response) is None
    # From another address the name stays locked: the lock is on the name.
    assert sign_in(new_client(locked_app), user.login).status_code == 429


def test_rate_limit_per_address(web_home):
    limited_app = make_app(web_home, ACCOUNTS_ADDRESS_ATTEMPTS=3, ACCOUNTS_WINDOW_MINUTES=10)
    c = new_client(limited_app)
    users = [new_user(web_home) for _ in range(4)]
    assert [sign_in(c, u.login).status_code for u in users[:3]] == [303, 303, 303]
    response = sign_in(c, users[3].login)
    assert response.status_code == 429
    assert text_of(soup_of(response).select_one("#login-error")) == (
        "Too many sign-in attempts: wait 10 minutes and try again.")
    json_answer = c.post("/login.json", data={"csrf_token": token_of(c), "login": users[3].login, "password": PASSWORD})
    assert json_answer.status_code == 429
    assert json_answer.get_json() == {"ok": False, "error": "Too many sign-in attempts: wait 10 minutes and try again.",
                                      "status": 429}
    assert sign_in(new_client(limited_app), users[3].login).status_code == 303


def test_next_never_leads_off_the_site(client, web_home):
    user = new_user(web_home)
    for given in ("//evil.example/", "https://evil.example/", "/\\evil.example", "/logout", "javascript:alert(1)"):
        fresh = new_client(client.application)
        assert sign_in(fresh, user.login, next=given).headers["Location"] == "/account", given


def test_an_anonymous_visit_to_the_account_goes_to_the_form_and_back(client, web_home):
    response = client.get("/account")
    assert (response.status_code, response.headers["Location"]) == (302, "/login?next=/account")
    form = soup_of(client.get("/login?next=/account"))
    assert form.select_one('input[name="next"]')["value"] == "/account"
    assert client.get("/account.json").get_json() == {"ok": False, "error": "Sign in to use this page.", "status": 401}
    user = new_user(web_home)
    assert sign_in(client, user.login, next="/account").headers["Location"] == "/account"
    # Signed in, the form sends one on.
    assert client.get("/login?next=/search").headers["Location"] == "/search"


def test_change_password_on_the_account_page(client, web_home):
    user = new_user(web_home)
    sign_in(client, user.login)
    elsewhere = new_client(client.application)
    sign_in(elsewhere, user.login)
    csrf = soup_of(client.get("/account")).select_one("form.password-form input[name=csrf_token]")["value"]
    form = {"csrf_token": csrf, "current_password": PASSWORD, "new_password": "another passphrase",
            "repeat_password": "another passphrase!"}
    differ = client.post("/account/password", data=form)
    assert differ.status_code == 400
    assert text_of(soup_of(differ).select_one("#account-error")) == "The two new passwords differ."
    wrong = client.post("/account/password", data={**form, "current_password": "guess", "repeat_password": "another passphrase"})
    assert text_of(soup_of(wrong).select_one("#account-error")) == "The current password is wrong."
    done = client.post("/account/password", data={**form, "repeat_password": "another passphrase"})
    assert done.status_code == 200
    assert text_of(soup_of(done).select_one("#account-notice")) == "Your password is changed; 1 other sessions were ended."
    assert elsewhere.get("/account.json").status_code == 401
    assert client.get("/account.json").status_code == 200


def test_account_pages_in_chinese(accounts_app, web_home):
    c = new_client(accounts_app, lang="zh")
    assert text_of(soup_of(c.get("/login")).select_one("h1")) == "登录"
    user = new_user(web_home)
    assert text_of(soup_of(sign_in(c, user.login, "wrong password")).select_one("#login-error")) == "登录名或密码错误。"
    sign_in(c, user.login)
    soup = soup_of(c.get("/account"))
    assert text_of(soup.select_one("h1")) == "我的账户"
    assert text_of(soup.select_one("#account-role")) == "馆员"
    assert text_of(soup.select_one("#logout-button")) == "退出"
    csrf = soup.select_one("form.password-form input[name=csrf_token]")["value"]
    short = c.post("/account/password", data={"csrf_token": csrf, "current_password": PASSWORD,
                                              "new_password": "short", "repeat_password": "short"})
    assert text_of(soup_of(short).select_one("#account-error")) == "密码太短：至少要 10 个字符。"


def test_sign_in_and_out_are_in_the_audit_log_with_the_address(client, web_home):
    user = new_user(web_home)
    address = client.environ_base["REMOTE_ADDR"]
    sign_in(client, user.login)
    csrf = soup_of(client.get("/account")).select_one("form.logout-form input[name=csrf_token]")["value"]
    client.post("/logout", data={"csrf_token": csrf})
    with Store(web_home) as store:
        rows = accounts.history(store, "user", user.id)
    assert [(r["action"], r["actor"], r["actor_id"]) for r in rows] == [
        ("session.logout", user.login, user.id), ("session.login", user.login, user.id),
        ("user.add", "command line", None)]
    assert rows[1]["detail"] == {"address": address}


# ---------------------------------------------------------------- for other blueprints
def test_decorators_and_the_write_helper_for_other_blueprints(web_home):
    probe = Blueprint("probe", __name__)

    @probe.route("/probe/librarians")
    @role_required("librarian")
    def librarians_only():
        return {"login": current_user().login}

    @probe.route("/probe/mine", methods=["GET", "POST"])
    @login_required
    def mine():
        with write_transaction() as store:
            accounts.record_change(store, current_user(), "probe.write", "probe", 1, {"n": 1})
        # The request's own connection sees its write; the shared read connection is untouched.
        return {"rows": len(request_store().list_audit("probe", "1")), "own": request_store() is request_store()}

    application = make_app(web_home)
    application.register_blueprint(probe)
    librarian, enterprise = new_user(web_home), new_user(web_home, role="enterprise", enterprise_id="ent-7")
    c = new_client(application)
    assert c.get("/probe/librarians").status_code == 302
    sign_in(c, enterprise.login)
    assert c.get("/probe/librarians", headers={"Accept": "application/json"}).get_json() == {
        "ok": False, "error": "Your account may not use this page.", "status": 403}
    assert c.get("/probe/mine").get_json() == {"rows": 1, "own": True}
    c2 = new_client(application)
    sign_in(c2, librarian.login)
    assert c2.get("/probe/librarians").get_json() == {"login": librarian.login}
    with pytest.raises(ValueError):
        role_required("admin")


# ---------------------------------------------------------------- the response cache
def test_pages_of_a_signed_in_user_are_never_cached_nor_served_from_the_cache(web_home):
    cached_app = make_app(web_home, RESPONSE_CACHE_ENTRIES=256)
    anonymous = new_client(cached_app)
    first = anonymous.get("/search?q=valve")
    assert first.headers["X-Cache"] == "miss"
    assert anonymous.get("/search?q=valve").headers["X-Cache"] == "hit"
    user = new_user(web_home, display_name="缓存测试员")
    member = new_client(cached_app)
    sign_in(member, user.login)
    page = member.get("/search?q=valve")
    assert "X-Cache" not in page.headers  # not answered from the cache, though an entry exists
    assert page.headers["Cache-Control"] == "private, no-store"
    assert text_of(soup_of(page).select_one("#account-link")) == "缓存测试员"
    for path in ("/", "/standards/iso-5208-2015", "/account"):
        assert "X-Cache" not in member.get(path).headers
    # Nothing the member saw was stored: anonymous visitors never see the name.
    cache = cached_app.extensions["response_cache"]
    assert all("缓存测试员".encode() not in entry.body for entry in cache._entries.values())
    again = anonymous.get("/standards/iso-5208-2015")
    assert "缓存测试员" not in again.get_data(as_text=True)
    assert soup_of(again).select_one("#login-link")


# ---------------------------------------------------------------- CSRF on every form
def collect_post_forms(c, starts: list[str], limit: int = 80) -> dict[str, dict]:
    """Walk the site's pages from ``starts`` (same-site links, one query variant per path) and
    answer every form that posts: {action: {field: value}} without its CSRF token."""
    seen_paths, queue, forms = set(), list(starts), {}
    while queue and len(seen_paths) < limit:
        url = queue.pop(0)
        path = urlsplit(url).path
        if path in seen_paths or path.endswith((".json", ".csv", ".ris", ".bib", ".atom", ".xml")) or path == "/logout":
            continue
        seen_paths.add(path)
        response = c.get(url)
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        soup = soup_of(response)
        for form in soup.select("form"):
            if form.get("method", "get").lower() != "post":
                continue
            action = urljoin(url, form.get("action") or url)
            fields = {}
            for control in form.select("input[name], textarea[name], select[name]"):
                if control["name"] != "csrf_token" and control.get("type") != "file":
                    fields[control["name"]] = control.get("value") or "x"
            forms[urlsplit(action).path] = fields
        for link in soup.select("a[href]"):
            href = urljoin(url, link["href"])
            if urlsplit(href).netloc in ("", "localhost") and "lang=" not in href:
                queue.append(urlsplit(href).path + ("?" + urlsplit(href).query if urlsplit(href).query else ""))
    return forms


def test_every_form_on_every_page_is_refused_without_its_token(accounts_app, web_home):
    # The register's workspace holds the forms that write results (catalogue/web/workspace.py):
    # an enterprise with a draft and a published result, so every one of them is on some page.
    register = Path(__file__).parent / "data" / "register"
    with Catalogue(web_home) as cat:
        assert cat.ingest([register / "schemes.gate-valves.yaml", register / "register.valves.yaml"]).problems == []
        enterprise = cat.store.find_enterprise_id("91330324PDY00001X1")
        results = cat.store.list_results({"enterprise": enterprise}, public=False)[1]
    draft = next(r["id"] for r in results if r["state"] == "draft")
    public = next(r["id"] for r in results if r["state"] == "published")
    anonymous = new_client(accounts_app)
    user = new_user(web_home)
    member = new_client(accounts_app)
    sign_in(member, user.login)
    maker = new_client(accounts_app)
    sign_in(maker, new_user(web_home, role="enterprise", enterprise_id=enterprise).login)
    workspace = ["/benchmarking/workspace/", f"/benchmarking/workspace/results/{draft}",
                 f"/benchmarking/workspace/results/{public}"]
    found = {}
    for c in (anonymous, member, maker):
        found.update(collect_post_forms(c, workspace))
        found.update(collect_post_forms(c, ["/", "/login", "/account", "/check", "/systems/", "/schemes/"]))
    assert {"/check", "/login", "/logout", "/account/password"} <= set(found)
    base = "/benchmarking/workspace/results/"
    assert {"/benchmarking/workspace/new", f"{base}{draft}/edit", f"{base}{draft}/publish", f"{base}{draft}/discard",
            f"{base}{public}/edit", f"{base}{public}/withdraw"} <= set(found)
    for action, fields in sorted(found.items()):
        for c in (anonymous, member, maker):
            response = c.post(action, data=fields)
            assert response.status_code == 400, (action, response.status_code)
            assert "did not come from this site" in response.get_data(as_text=True)
            wrong = c.post(action, data={**fields, "csrf_token": "forged"})
            assert wrong.status_code == 400, action
    # The members are still signed in, and the register is as it was: no refused form did anything.
    assert member.get("/account.json").status_code == 200
    with Store(web_home) as store:
        assert [(r["id"], r["state"]) for r in store.list_results({"enterprise": enterprise}, public=False)[1]] == \
            [(r["id"], r["state"]) for r in results]
