"""The register's editing workflow: who may do what to a benchmarking result, and doing it.

An enterprise user (``catalogue.accounts`` role ``enterprise``) drafts results for its own
enterprise, edits its drafts, publishes them and discards them; it never sees another
enterprise's drafts: to it those ids are unknown ids. Librarians see every result, approve
(publish) drafts, withdraw published results, restore withdrawn ones and correct any result in
any state. The rules, by role and the result's workflow state (``benchmark_results.state``):

=============  =========================================  =========================================
state          the owning enterprise's users               librarians
=============  =========================================  =========================================
draft          view, edit, publish, discard                view, edit, publish (approve), discard
published      view                                        view, edit (correct), withdraw
withdrawn      view                                        view, edit (correct), publish (restore)
=============  =========================================  =========================================

Every change is one store transaction (so the write log records it: register writes are
catalogue generations) holding the change, its line in the result's history (who, when, the
field-level before/after, the state after it) and a row in the accounts audit log. No Flask here;
the forms are read by :mod:`ingest.register_form` and served by :mod:`catalogue.web.workspace`.

    >>> rid, action = save_result(store, user, result, enterprise_id="e-…", product_id="p-…")
    >>> publish(store, user, rid)
    'published'
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from . import accounts
from .accounts import User
from .errors import CatalogueError, NotFound
from .register import Result, new_token
from .store import Store, now_iso

#: What a user may do to a result (see the module's table).
ACTIONS = ("view", "edit", "publish", "withdraw", "discard")
#: Where a change made on the web comes from, in the result's ``source`` column.
SOURCE = "web"
#: The opaque ids of the register: 'r-' and twelve hex digits (catalogue.register.make_id, new_token).
RESULT_ID = re.compile(r"^r-[0-9a-f]{12}$")
MAX_NOTE_CHARS = 1000


class ResultNotFound(NotFound):
    """An id that is unknown, or names a result this user may not see: the same answer for both."""

    def __init__(self, rid: str):
        super().__init__(f"There is no result with the id '{rid[:40]}' in the register.")
        self.rid = rid


class WorkflowRefused(CatalogueError):
    """A user may see the result but not do this to it now (``status`` 403 on the web, or 409
    when the result's state is the obstacle)."""

    exit_code = 1

    def __init__(self, message: str, status: int = 403):
        super().__init__(message)
        self.status = status


class DuplicateResult(CatalogueError):
    """Another result has the same enterprise, product, scheme and date (what makes a duplicate)."""

    exit_code = 1

    def __init__(self, day: str):
        super().__init__(f"a second result for the same enterprise, product, scheme and date ({day}); "
                         "the register already holds one")
        self.day = day


@dataclass(frozen=True)
class Held:
    """A result as the workflow checks it: its id, owner, state, and what this user may do to it."""

    rid: str
    enterprise_id: str
    state: str
    allowed: frozenset[str]


def allowed_actions(user: User | None, enterprise_id: str, state: str) -> frozenset[str]:
    """What ``user`` may do to a result of ``enterprise_id`` in ``state`` (the module's table)."""
    if user is None or user.disabled:
        return frozenset()
    if user.is_librarian:
        found = {"view", "edit"}
        found |= {"draft": {"publish", "discard"}, "published": {"withdraw"}, "withdrawn": {"publish"}}.get(state, set())
        return frozenset(found)
    if not user.may_act_for(enterprise_id):
        return frozenset()
    return frozenset({"view", "edit", "publish", "discard"} if state == "draft" else {"view"})


def may_create_for(user: User | None, enterprise_id: str | None) -> bool:
    """Whether ``user`` may draft a new result for ``enterprise_id`` (its own, or any for librarians)."""
    return bool(user is not None and enterprise_id and user.may_act_for(enterprise_id))


def find_result(store: Store, user: User | None, rid: str) -> Held:
    """The result ``rid`` as this user may see it; ResultNotFound when it is unknown or hidden from
    the user (another enterprise's result: the same sentence as an id that does not exist)."""
    owner = store.read_result_owner(rid) if RESULT_ID.match(rid or "") else None
    if owner is None:
        raise ResultNotFound(rid or "")
    allowed = allowed_actions(user, *owner)
    if "view" not in allowed:
        raise ResultNotFound(rid)
    return Held(rid, owner[0], owner[1], allowed)


def _require(held: Held, action: str, user: User) -> None:
    """Refuse ``action`` unless allowed: 403 when the account may never do it (an enterprise user
    withdrawing), 409 when the result's state is what stands in the way now."""
    if action in held.allowed:
        return
    if action == "withdraw" and not user.is_librarian:
        raise WorkflowRefused("Your account may not do this.")
    if action == "edit":
        message = "This result is no longer a draft: only a librarian may correct it."
    elif action == "publish":
        message = "This result is already published." if held.state == "published" else \
            "Only a librarian may publish a withdrawn result again."
    elif action == "withdraw":
        message = "Only a published result can be withdrawn."
    else:
        message = "Only a draft can be discarded; a librarian may withdraw a published result."
    raise WorkflowRefused(message, status=409)


def _author(user: User) -> tuple[int, str]:
    return (user.id, user.role)


def save_result(store: Store, user: User, result: Result, *, enterprise_id: str, product_id: str,
                rid: str | None = None, at: str | None = None) -> tuple[str, str]:
    """Draft a new result (``rid`` None) or save the changes to one; answers (id, action).

    ``result`` has been read and checked (``ingest.register_form``: the ingest's rules, and the
    catalogue's through RegisterBatch.check_in). A new result is a draft with a random id; an
    enterprise user edits drafts only, a librarian corrects results in any state. Actions in the
    history: drafted, edited, corrected, or unchanged when nothing differed."""
    at = at or now_iso()
    with store.transaction():
        if rid is None:
            if not may_create_for(user, enterprise_id):
                raise WorkflowRefused("Your account may not draft results for this enterprise.")
            rid = _fresh_id(store)
            result.state, actions = "draft", ("drafted", "edited")
        else:
            held = find_result(store, user, rid)
            _require(held, "edit", user)
            if held.enterprise_id != enterprise_id:
                raise WorkflowRefused("A result stays with the enterprise it was drafted for.")
            result.state = ""  # an edit never moves the result to another state
            actions = ("drafted", "edited") if held.state == "draft" else ("drafted", "corrected")
        other = store.result_id_for(result.natural_key)
        if other is not None and other != rid:
            raise DuplicateResult(result.date)
        action = store.put_result(result, enterprise_id, product_id, SOURCE, at, actor=user.login, rid=rid,
                                  author=_author(user), actions=actions)
        if action != "unchanged":
            changes = store.read_result_history(rid)[-1]["changes"] if action != "drafted" else {}
            accounts.record_change(store, user, f"result.{action}", "result", rid,
                                   {"fields": sorted(changes)} if changes else {}, at=at)
    return rid, action


def publish(store: Store, user: User, rid: str, *, at: str | None = None) -> str:
    """Make a draft (or a withdrawn result) public; answers the history's action: published (by its
    enterprise), approved (a librarian publishing a draft) or restored (a withdrawn one)."""
    at = at or now_iso()
    with store.transaction():
        held = find_result(store, user, rid)
        _require(held, "publish", user)
        action = "restored" if held.state == "withdrawn" else "approved" if user.is_librarian else "published"
        store.set_result_state(rid, "published", at, user.login, action, author=_author(user))
        accounts.record_change(store, user, f"result.{action}", "result", rid, {"state": [held.state, "published"]},
                               at=at)
    return action


def withdraw(store: Store, user: User, rid: str, note: str = "", *, at: str | None = None) -> str:
    """A librarian takes a published result off the public pages, with an optional note saying why."""
    at = at or now_iso()
    note = " ".join((note or "").split())[:MAX_NOTE_CHARS]
    with store.transaction():
        held = find_result(store, user, rid)
        _require(held, "withdraw", user)
        store.set_result_state(rid, "withdrawn", at, user.login, "withdrawn", author=_author(user), note=note)
        accounts.record_change(store, user, "result.withdrawn", "result", rid,
                               {"state": [held.state, "withdrawn"], **({"note": note} if note else {})}, at=at)
    return "withdrawn"


def discard(store: Store, user: User, rid: str, *, at: str | None = None) -> str:
    """Delete a draft (its history lines and audit rows stay, so the discarding is recorded)."""
    at = at or now_iso()
    with store.transaction():
        held = find_result(store, user, rid)
        _require(held, "discard", user)
        store.log_result_change(rid, at, user.login, "discarded", {"state": [held.state, None]}, author=_author(user))
        store.delete_draft_result(rid)
        accounts.record_change(store, user, "result.discarded", "result", rid, {"state": [held.state, None]}, at=at)
    return "discarded"


def _fresh_id(store: Store) -> str:
    for _attempt in range(8):
        rid = new_token("r")
        if store.read_result_owner(rid) is None:
            return rid
    raise CatalogueError("Could not find a free result id; try again.")  # 8 collisions in 2^48: never
