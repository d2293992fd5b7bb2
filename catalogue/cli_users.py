"""``catalogue user add|disable|reset|list``: accounts on the command line (issue 16).

Whoever can run the command on the catalogue's machine is trusted like a librarian; the audit
log names the actor 'command line'. Passwords come from a hidden prompt (typed twice) or, for
scripts, from the first line of standard input with ``--password-stdin``; they are never
arguments (a process list or a shell history would show them).
"""
from __future__ import annotations

import sys

import click

from .cli import _emit_json, _store, _t, handle_errors


def _read_password(login: str, from_stdin: bool) -> str:
    from .errors import UsageError

    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise UsageError(_t("no password on standard input (--password-stdin reads its first line)"))
        return line
    first = click.prompt(_t("Password for {login}", login=login), hide_input=True, err=True)
    again = click.prompt(_t("The same password again"), hide_input=True, err=True)
    if first != again:
        raise UsageError(_t("the two passwords differ; nothing was changed"))
    return first


def _enterprise_of(store, text: str) -> str:
    """The register's enterprise id for an id ('e-d29a2bc922cf') or a unified social credit code
    ('91330324PDY00001X1'); what was given, with a warning, when the register holds neither yet."""
    from .register import normalise_credit_code

    wanted = text.strip()
    if store.read_enterprise_brief(wanted) is not None:
        return wanted
    found = store.find_enterprise_id(normalise_credit_code(wanted))
    if found is not None:
        return found
    click.echo(_t("warning: the register holds no enterprise '{enterprise}' yet; the user can sign in, but drafts nothing until a librarian adds it",  # noqa: E501
                  enterprise=wanted), err=True)
    return wanted


def _user_line(user) -> str:
    state = _t("disabled") if user.disabled else _t("active")
    return f"{user.login:<24} {_t(user.role):<12} {user.enterprise_id or '-':<16} {state:<10} {user.display_name}"


@click.group()
def user() -> None:
    """Manage accounts: librarians and enterprise users who sign in on the web."""


@user.command("add")
@click.argument("login")
@click.option("--role", required=True, type=click.Choice(["librarian", "enterprise"]),
              help="librarian: runs the catalogue; enterprise: acts for one enterprise of the register.")
@click.option("--enterprise", "enterprise_id", default=None, metavar="ID",
              help="The enterprise an enterprise user acts for: its id or its unified social credit code "
                   "(required with --role enterprise).")
@click.option("--name", "display_name", default="", help="The name pages show (default: the login name).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@click.option("--json", "as_json", is_flag=True, help="Print the new user as JSON.")
@click.pass_context
@handle_errors
def add_user(ctx, login, role, enterprise_id, display_name, password_stdin, as_json):
    """Create an account; the password is asked for (hidden, twice) unless --password-stdin."""
    from . import accounts

    name = accounts.normalise_login(login)
    with _store(ctx) as store:
        if store.fetch_user_by_login(name) is not None:
            raise accounts.AccountError(f"The login name '{name}' is taken.")
        if role == "enterprise" and enterprise_id:
            enterprise_id = _enterprise_of(store, enterprise_id)
        password = _read_password(name, password_stdin)
        created = accounts.add_user(store, name, role, password, display_name=display_name or "",
                                    enterprise_id=enterprise_id)
    if as_json:
        _emit_json(created.to_json())
    click.echo(_t("user {login} added ({role})", login=created.login, role=_t(created.role)), err=True)


@user.command("disable")
@click.argument("login")
@click.pass_context
@handle_errors
def disable_user(ctx, login):
    """Disable an account: it can no longer sign in, and its sessions end at once."""
    from . import accounts

    with _store(ctx) as store:
        disabled, ended = accounts.disable_user(store, login)
    click.echo(_t("user {login} disabled; sessions ended: {n}", login=disabled.login, n=ended), err=True)


@user.command("reset")
@click.argument("login")
@click.option("--password-stdin", is_flag=True, help="Read the new password from the first line of standard input.")
@click.pass_context
@handle_errors
def reset_user(ctx, login, password_stdin):
    """Give an account a new password (asked for, hidden, twice); every session it has ends."""
    from . import accounts

    with _store(ctx) as store:
        found = accounts.find_user(store, login)
        password = _read_password(found.login, password_stdin)
        changed, ended = accounts.reset_password(store, found.login, password)
    click.echo(_t("new password set for {login}; sessions ended: {n}", login=changed.login, n=ended), err=True)


@user.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the users as a JSON list (never their password hashes).")
@click.pass_context
@handle_errors
def list_users(ctx, as_json):
    """List every account: login name, role, enterprise, state and name."""
    from . import accounts

    with _store(ctx) as store:
        users = accounts.list_users(store)
    if as_json:
        _emit_json([u.to_json() for u in users])
        return
    for found in users:
        click.echo(_user_line(found))
    if not users:
        click.echo(_t("no users yet: `catalogue user add LOGIN --role librarian` creates one"), err=True)
