"""The register's editing workflow in the browser (issue 16, Deliver 4): the workspace.

Signed-in users only (``login_required``). An enterprise user sees its own enterprise's results in
every state, drafts new ones, edits and publishes its drafts; a librarian sees every result,
approves (publishes) drafts, withdraws and restores results and corrects any of them. The rules
are :mod:`catalogue.register_workflow`'s; the form is read by :mod:`ingest.register_form` with the
ingest's rules, and each problem is shown beside its field in the reader's language.

| address | what |
|---|---|
| ``/benchmarking/workspace/`` | the results this user may act on (``?state=draft|published|withdrawn``) |
| ``/benchmarking/workspace/new`` | a new draft (librarians: ``?enterprise=<id>`` first) |
| ``/benchmarking/workspace/results/<id>`` | one result in any state, its actions and its whole history |
| ``/benchmarking/workspace/results/<id>/edit`` | the form (a draft's edits, a librarian's corrections) |
| ``POST .../publish``, ``.../withdraw``, ``.../discard`` | the state changes |

Every page has its JSON twin (``.json``); every form posts its CSRF token. Writes go through this
request's own Store in one transaction each (catalogue/web/writes.py). An id that is unknown and
an id of a result the user may not see (another enterprise's draft) get the same 404.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, redirect, request, url_for
from werkzeug.exceptions import Forbidden

from catalogue import register_workflow as workflow
from catalogue.register_workflow import DuplicateResult, ResultNotFound, WorkflowRefused
from ingest.register_form import check_result_form, form_from_result

from .accounts import current_user, login_required
from .errors import PageNotFound
from .filters import best_title
from .i18n import gettext as _
from .params import BadArgument, get_int, get_text
from .register import (
    DIRECTION_LABELS,
    OUTCOME_LABELS,
    VALUE_KIND_LABELS,
    decorate_result,
    label,
    level_names,
)
from .render import add_twin_rules, respond, split_suffix, wants_json
from .security import csrf_token
from .workspace_forms import (
    choices,
    describe_history,
    form_groups,
    problem_text,
    state_label,
    translated_errors,
)
from .writes import request_store

bp = Blueprint("workspace", __name__)

PAGE_SIZE = 50
STATES = ("draft", "published", "withdrawn")
#: What a finished action says on the page it leads to (``?done=``).
DONE = ("drafted", "edited", "corrected", "unchanged", "published", "approved", "withdrawn", "restored", "discarded")


def not_found(rid: str) -> PageNotFound:
    """The one answer for an unknown id and for a result this user may not see (as the public pages)."""
    return PageNotFound(_("There is no %(kind)s with the id '%(id)s' in the register.", kind=_("result"), id=rid[:40]))


def held_result(rid: str) -> workflow.Held:
    try:
        return workflow.find_result(request_store(), current_user(), rid)
    except ResultNotFound:
        raise not_found(rid) from None


def refusal(error: WorkflowRefused):
    """A refused action: 403 (the account may not) or 409 (the result's state forbids it now)."""
    message = problem_text(str(error))
    if error.status == 403:
        raise Forbidden(description=message)
    data = {"ok": False, "error": message, "status": error.status}
    if wants_json():
        response = jsonify(data)
        response.status_code = error.status
        return response
    return respond("error.html", data, error.status)


def done_notice() -> str:
    done = request.args.get("done", "")
    words = {"drafted": _("The draft is saved."), "edited": _("Your changes are saved."),
             "corrected": _("The correction is saved and recorded in the history."),
             "unchanged": _("Nothing had changed; nothing was saved."),
             "published": _("The result is published: it is on the public pages now."),
             "approved": _("The result is approved and published."), "restored": _("The result is public again."),
             "withdrawn": _("The result is withdrawn from the public pages."), "discarded": _("The draft is discarded.")}
    return words.get(done, "") if done in DONE else ""


def decorate(item: dict, levels: dict) -> dict:
    """A result brief with its public links, its workspace link and its state in words."""
    decorate_result(item, levels)
    item["workspace_url"] = url_for("workspace.show_result", rid=item["id"])
    item["state_label"] = state_label(item["state"])
    return item


# ------------------------------------------------------------------ the list
@login_required
def show_workspace():
    """``/benchmarking/workspace/``: an enterprise user's results in every state, or (librarians) all."""
    user = current_user()
    store = request_store()
    state = get_text("state", limit=20)
    if state and state not in STATES:
        raise BadArgument(f"Cannot filter by state '{state[:40]}'; use one of: {', '.join(STATES)}.")
    page = get_int("page", 1, 1, 10_000)
    filters = {} if user.is_librarian else {"enterprise": user.enterprise_id or ""}
    total, rows = store.list_results(filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, public=False,
                                     states=(state,) if state else ())
    levels = level_names(store)
    enterprise = None if user.is_librarian else store.read_enterprise_brief(user.enterprise_id or "")
    counts = {s: store.list_results(filters, limit=1, public=False, states=(s,))[0] for s in STATES}
    pages = max(1, -(-total // PAGE_SIZE))
    args = {"state": state} if state else {}
    return respond("workspace.html", {
        "user": user.to_json(), "enterprise": enterprise, "state": state or None, "counts": counts,
        "total": total, "page": page, "pages": pages,
        "results": [decorate(r, levels) for r in rows],
        "states": [{"code": s, "label": state_label(s), "count": counts[s],
                    "url": url_for("workspace.show_workspace", state=s)} for s in STATES],
        "new_url": url_for("workspace.new_result") if user.is_librarian or enterprise else None,
        "next": url_for("workspace.show_workspace", **args, page=page + 1) if page < pages else None,
        "previous": url_for("workspace.show_workspace", **args, page=page - 1) if page > 1 else None,
        "notice": done_notice() or None,
    })


# ------------------------------------------------------------------ the form
def with_token(data: dict) -> dict:
    """The JSON twin carries the CSRF token its client posts back (templates call csrf_token())."""
    if wants_json():
        data["csrf_token"] = csrf_token()
    return data


def form_page(template_data: dict, status: int = 200):
    with_token(template_data)
    return respond("workspace_form.html", template_data, status)


def enterprise_for_new(user) -> dict:
    """The enterprise a new draft is for: the user's own, or the one a librarian chose."""
    store = request_store()
    if not user.is_librarian:
        found = store.read_enterprise_brief(user.enterprise_id or "")
        if found is None:
            raise WorkflowRefused("Your account names an enterprise the register does not hold yet; "
                                  "ask a librarian to add it.", status=409)
        return found
    chosen = (request.values.get("enterprise") or "").strip()[:40]
    found = store.read_enterprise_brief(chosen) if chosen else None
    if chosen and found is None:
        raise BadArgument(f"There is no enterprise '{chosen}' in the register.")
    return found


@login_required
def new_result():
    """``/benchmarking/workspace/new``: draft a new result (GET the form, POST it)."""
    user = current_user()
    store = request_store()
    try:
        enterprise = enterprise_for_new(user)
    except WorkflowRefused as error:
        return refusal(error)
    if enterprise is None:  # a librarian chooses the enterprise first (a GET form: nothing changes)
        return respond("workspace_choose.html", {
            "enterprises": [{**e, "label": f"{best_title(e['names'])} ({e['credit_code']})"}
                            for e in store.list_enterprise_choices()]})
    data = {"mode": "new", "enterprise": enterprise, "result": None, "scheme": None,
            "choices": choices(store, enterprise["id"], with_scheme=True), "groups": form_groups({}, []),
            "action_url": url_for("workspace.new_result"), "errors": {}, "problems": []}
    if request.method == "GET":
        data["values"] = {"status": "published"}
        return form_page(data)
    values = posted_values()
    reading = check_result_form(store, values, credit_code=enterprise["credit_code"], enterprise_id=enterprise["id"])
    if reading.result is None:
        return form_refused(data, values, reading.errors)
    try:
        rid, action = workflow.save_result(store, user, reading.result, enterprise_id=enterprise["id"],
                                           product_id=reading.product_id)
    except DuplicateResult as error:
        return form_refused(data, values, {"date": [str(error)]})
    except WorkflowRefused as error:
        return refusal(error)
    return saved(rid, action, status=201)


def posted_values() -> dict[str, str]:
    return {k: v for k, v in request.form.items() if k != "csrf_token"}


def form_refused(data: dict, values: dict, errors: dict[str, list[str]]):
    """The form again with what was posted, each problem beside its field, and a summary (400)."""
    data["values"] = values
    data["errors"] = translated_errors(errors)
    data["problems"] = [{"control": c, "message": m} for c, ms in data["errors"].items() for m in ms]
    if data.get("scheme_indicators") is not None:
        data["groups"] = form_groups(values, data["scheme_indicators"])
    if wants_json():
        response = jsonify({"ok": False, "status": 400, "error": _("The result was not saved: %(count)s problems.",
                                                                    count=len(data["problems"])),
                            "errors": data["errors"]})
        response.status_code = 400
        return response
    return form_page(data, 400)


def saved(rid: str, action: str, status: int = 200):
    url = url_for("workspace.show_result", rid=rid)
    if wants_json():
        response = jsonify({"ok": True, "id": rid, "action": action, "url": url,
                            "edit_url": url_for("workspace.edit_result", rid=rid)})
        response.status_code = status
        return response
    # A new draft goes on to the rest of its form (reports, indicators); an edit back to the result.
    target = url_for("workspace.edit_result", rid=rid, done=action) if action == "drafted" else \
        url_for("workspace.show_result", rid=rid, done=action)
    return redirect(target, 303)


@login_required
def edit_result(rid: str):
    """``/benchmarking/workspace/results/<id>/edit``: a draft's form, or a librarian's correction."""
    user = current_user()
    store = request_store()
    held = held_result(rid)
    if "edit" not in held.allowed:
        return refusal(WorkflowRefused("This result is no longer a draft: only a librarian may correct it.", status=409))
    detail = store.read_result(rid, public=False)
    indicators = store.read_scheme_indicators(detail["scheme"]["id"])
    enterprise = store.read_enterprise_brief(held.enterprise_id)
    data = {"mode": "edit" if held.state == "draft" else "correct", "enterprise": enterprise,
            "result": decorate(detail_brief(detail), level_names(store)),
            "scheme": {"id": detail["scheme"]["id"], "titles": detail["scheme"]["titles"]},
            "scheme_indicators": indicators, "choices": choices(store, held.enterprise_id, with_scheme=False),
            "action_url": url_for("workspace.edit_result", rid=rid), "errors": {}, "problems": [],
            "notice": done_notice() or None}
    if request.method == "GET":
        data["values"] = form_from_result(detail, indicators)
        data["groups"] = form_groups(data["values"], indicators)
        return form_page(data)
    values = posted_values()
    reading = check_result_form(store, values, credit_code=enterprise["credit_code"], enterprise_id=held.enterprise_id,
                                scheme=detail["scheme"]["id"])
    if reading.result is None:
        return form_refused(data, values, reading.errors)
    try:
        rid, action = workflow.save_result(store, user, reading.result, enterprise_id=held.enterprise_id,
                                           product_id=reading.product_id, rid=rid)
    except DuplicateResult as error:
        return form_refused(data, values, {"date": [str(error)]})
    except WorkflowRefused as error:
        return refusal(error)
    return saved(rid, action)


def detail_brief(detail: dict) -> dict:
    """The parts of a result's detail a brief holds (decorate_result's input)."""
    keep = ("id", "date", "level", "reached", "status", "declared_status", "state", "needs_review", "review_reasons",
            "review_at", "published", "own_standard", "enterprise", "product", "scheme", "added_at", "updated_at",
            "source", "standards")
    return {k: detail[k] for k in keep if k in detail}


# ------------------------------------------------------------------ one result
@bp.route("/benchmarking/workspace/results/<rid>")
@login_required
def show_result(rid: str):
    """``/benchmarking/workspace/results/<id>``: a result in any state, what this user may do to it,
    and its whole history (who, when, each field before and after)."""
    rid, _suffix = split_suffix(rid, ("json",))
    held = held_result(rid)
    store = request_store()
    data = store.read_result(rid, public=False)
    levels = level_names(store)
    decorate(data, levels)
    for ind in data["indicators"]:
        ind["direction_label"] = label(DIRECTION_LABELS, ind["direction"])
        ind["outcome_label"] = label(OUTCOME_LABELS, ind["outcome"])
        ind["value_kind_label"] = label(VALUE_KIND_LABELS, ind["value_kind"])
        for cell in ind["standards"]:
            cell["outcome_label"] = label(OUTCOME_LABELS, cell["outcome"]) if cell["outcome"] else ""
    names = {ind["indicator"]: ind["names"] for ind in data["indicators"]}
    names.update({i["position"] + 1: i["names"] for i in store.read_scheme_indicators(data["scheme"]["id"])})
    products = {pid: " ".join(x for x in (zh or en, model) if x)
                for pid, model, zh, en in store.list_product_keys(held.enterprise_id)}
    data["history"] = describe_history(data["history"], names, levels, products, public=False)
    data["allowed"] = sorted(held.allowed)
    data["actions"] = {a: url_for(f"workspace.{a}_result", rid=rid) for a in ("publish", "withdraw", "discard")
                       if a in held.allowed}
    if "edit" in held.allowed:
        data["actions"]["edit"] = url_for("workspace.edit_result", rid=rid)
    data["public_url"] = data["url"] if data["state"] == "published" and data["status"] != "withdrawn" else None
    data["notice"] = done_notice() or None
    return respond("workspace_result.html", with_token(data))


def state_change(rid: str, change):
    held_result(rid)  # an unknown or hidden id: the one 404, before anything else is said
    try:
        action = change(request_store(), current_user())
    except ResultNotFound:
        raise not_found(rid) from None
    except WorkflowRefused as error:
        return refusal(error)
    url = url_for("workspace.show_result", rid=rid)
    if wants_json():
        return jsonify({"ok": True, "id": rid, "action": action, "url": url})
    if action == "discarded":
        return redirect(url_for("workspace.show_workspace", done=action), 303)
    return redirect(url_for("workspace.show_result", rid=rid, done=action), 303)


@login_required
def publish_result(rid: str):
    """``POST .../publish``: the enterprise publishes its draft; a librarian approves one or restores a withdrawn result."""
    return state_change(rid, lambda store, user: workflow.publish(store, user, rid))


@login_required
def withdraw_result(rid: str):
    """``POST .../withdraw`` (librarians): take a published result off the public pages, with a note."""
    note = (request.form.get("note") or "")[:workflow.MAX_NOTE_CHARS]
    return state_change(rid, lambda store, user: workflow.withdraw(store, user, rid, note))


@login_required
def discard_result(rid: str):
    """``POST .../discard``: delete a draft (its history stays)."""
    return state_change(rid, lambda store, user: workflow.discard(store, user, rid))


add_twin_rules(bp, "/benchmarking/workspace/", show_workspace)
add_twin_rules(bp, "/benchmarking/workspace/new", new_result, methods=["GET", "POST"])
add_twin_rules(bp, "/benchmarking/workspace/results/<rid>/edit", edit_result, methods=["GET", "POST"])
add_twin_rules(bp, "/benchmarking/workspace/results/<rid>/publish", publish_result, methods=["POST"])
add_twin_rules(bp, "/benchmarking/workspace/results/<rid>/withdraw", withdraw_result, methods=["POST"])
add_twin_rules(bp, "/benchmarking/workspace/results/<rid>/discard", discard_result, methods=["POST"])
