"""`catalogue user add|disable|reset|list` on a real catalogue folder."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from catalogue import accounts
from catalogue.cli import main
from catalogue.store import Store

from conftest import ROOT

PASSWORD = "valve-seat-leakage-2024"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def home(tmp_path, runner):
    home = tmp_path / "home"
    result = runner.invoke(main, ["--home", str(home), "init"])
    assert result.exit_code == 0, result.output
    return home


def run(runner, home, *args, stdin=None):
    return runner.invoke(main, ["--home", str(home), "--lang", "en", *args], input=stdin)


def test_every_user_command_has_help_and_is_in_the_readme(runner):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    group = main.commands["user"]
    assert sorted(group.commands) == ["add", "disable", "list", "reset"]
    for name, command in group.commands.items():
        assert command.help and command.help.strip(), name
        result = runner.invoke(main, ["user", name, "--help"])
        assert result.exit_code == 0 and "Usage: main user " + name in result.output, name
        assert f"catalogue user {name}" in readme, name


def test_add_with_a_prompt_then_list(runner, home):
    result = run(runner, home, "user", "add", "Wang.Li", "--role", "librarian", "--name", "王丽",
                 stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "user wang.li added (librarian)" in result.stderr
    assert PASSWORD not in result.output
    listed = run(runner, home, "user", "list", "--json")
    users = json.loads(listed.stdout)
    assert [(u["login"], u["role"], u["display_name"], u["disabled"]) for u in users] == [
        ("wang.li", "librarian", "王丽", False)]
    assert "hash" not in listed.stdout
    with Store(home) as store:
        assert store.fetch_password_hash(users[0]["id"]).startswith("$argon2id$")
        assert accounts.log_in(store, "wang.li", PASSWORD).user.login == "wang.li"
    text = run(runner, home, "user", "list")
    assert text.stdout.split() == ["wang.li", "librarian", "-", "active", "王丽"]


def test_add_from_standard_input_with_json(runner, home):
    result = run(runner, home, "user", "add", "zhang.wei", "--role", "enterprise", "--enterprise", "ent-0001",
                 "--password-stdin", "--json", stdin=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["login"], data["role"], data["enterprise_id"]) == ("zhang.wei", "enterprise", "ent-0001")
    assert set(data) == {"id", "login", "display_name", "role", "enterprise_id", "disabled", "created_at", "updated_at"}


def test_an_enterprise_is_named_by_its_id_or_its_credit_code(runner, home):
    register = ROOT / "tests" / "data" / "register"
    # In an empty catalogue the undated 'ISO 5208' cannot be dated (exit 1), but the enterprise lands.
    run(runner, home, "ingest", str(register / "schemes.gate-valves.yaml"), str(register / "register.valves.yaml"))
    with Store(home) as store:
        valves = store.find_enterprise_id("91330324PDY00001X1")
    assert valves is not None
    by_code = run(runner, home, "user", "add", "valve.maker", "--role", "enterprise", "--enterprise",
                  "９１３３０３２４pdy00001x1", "--password-stdin", "--json", stdin=PASSWORD + "\n")
    assert by_code.exit_code == 0, by_code.output
    assert json.loads(by_code.stdout)["enterprise_id"] == valves
    by_id = run(runner, home, "user", "add", "valve.two", "--role", "enterprise", "--enterprise", valves,
                "--password-stdin", "--json", stdin=PASSWORD + "\n")
    assert json.loads(by_id.stdout)["enterprise_id"] == valves
    assert "warning" not in by_id.stderr
    unknown = run(runner, home, "user", "add", "valve.three", "--role", "enterprise", "--enterprise", "e-000000000000",
                  "--password-stdin", stdin=PASSWORD + "\n")
    assert unknown.exit_code == 0
    assert unknown.stderr.splitlines()[0] == ("warning: the register holds no enterprise 'e-000000000000' yet; the user "
                                              "can sign in, but drafts nothing until a librarian adds it")


def test_refusals_have_sentences_and_exit_codes(runner, home):
    cases = [
        (["user", "add", "li.na", "--role", "enterprise", "--password-stdin"], PASSWORD,
         "Error: An enterprise user must name its enterprise (--enterprise ID).", 2),
        (["user", "add", "li.na", "--role", "librarian", "--password-stdin"], "short",
         "Error: The password is too short: use at least 10 characters.", 2),
        (["user", "add", "li.na", "--role", "librarian", "--password-stdin"], "",
         "Error: no password on standard input (--password-stdin reads its first line)", 2),
        (["user", "add", "li.na", "--role", "librarian"], f"{PASSWORD}\nsomething else\n",
         "Error: the two passwords differ; nothing was changed", 2),
        (["user", "disable", "ghost"], None, "Error: No user 'ghost'; `catalogue user list` shows them.", 1),
        (["user", "reset", "ghost", "--password-stdin"], PASSWORD,
         "Error: No user 'ghost'; `catalogue user list` shows them.", 1),
    ]
    for args, stdin, message, code in cases:
        result = run(runner, home, *args, stdin=None if stdin is None else stdin + "\n")
        assert (result.exit_code, result.stderr.strip().splitlines()[-1]) == (code, message), args
    assert json.loads(run(runner, home, "user", "list", "--json").stdout) == []
    run(runner, home, "user", "add", "li.na", "--role", "librarian", "--password-stdin", stdin=PASSWORD + "\n")
    taken = run(runner, home, "user", "add", "LI.NA", "--role", "librarian", "--password-stdin", stdin=PASSWORD + "\n")
    assert (taken.exit_code, taken.stderr.strip()) == (2, "Error: The login name 'li.na' is taken.")


def test_disable_and_reset_end_sessions(runner, home):
    run(runner, home, "user", "add", "wang.li", "--role", "librarian", "--password-stdin", stdin=PASSWORD + "\n")
    with Store(home) as store:
        first = accounts.log_in(store, "wang.li", PASSWORD)
    reset = run(runner, home, "user", "reset", "wang.li", "--password-stdin", stdin="a brand new passphrase\n")
    assert reset.exit_code == 0, reset.output
    assert "new password set for wang.li; sessions ended: 1" in reset.stderr
    with Store(home) as store:
        assert accounts.resolve_session(store, first.token) is None
        second = accounts.log_in(store, "wang.li", "a brand new passphrase")
    disabled = run(runner, home, "user", "disable", "wang.li")
    assert disabled.exit_code == 0
    assert "user wang.li disabled; sessions ended: 1" in disabled.stderr
    with Store(home) as store:
        assert accounts.resolve_session(store, second.token) is None
        with pytest.raises(accounts.LoginRefused):
            accounts.log_in(store, "wang.li", "a brand new passphrase")
        actions = [(r["action"], r["actor"]) for r in accounts.history(store, "user", 1)]
    assert actions == [("user.disable", "command line"), ("session.login", "wang.li"), ("user.reset", "command line"),
                       ("session.login", "wang.li"), ("user.add", "command line")]
    assert run(runner, home, "user", "list").stdout.split()[3] == "disabled"


def test_messages_in_chinese(runner, home):
    result = runner.invoke(main, ["--home", str(home), "--lang", "zh", "user", "add", "li.na", "--role", "librarian",
                                  "--password-stdin"], input="short\n")
    assert result.stderr.strip() == "错误：密码太短：至少要 10 个字符。"
    ok = runner.invoke(main, ["--home", str(home), "--lang", "zh", "user", "add", "li.na", "--role", "librarian",
                              "--password-stdin"], input=PASSWORD + "\n")
    assert ok.stderr.strip() == "已添加用户 li.na（馆员）"
