"""The register's workflow without the web: who may do what in which state, the form's reading
with the ingest's rules (and its inverse), field-level history, and what each change writes, on a
real SQLite catalogue (the web fixture plus tests/data/register: fictional enterprises)."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from catalogue import accounts
from catalogue import register_workflow as workflow
from catalogue.accounts import Policy, User
from catalogue.register_workflow import DuplicateResult, ResultNotFound, WorkflowRefused, allowed_actions
from catalogue.edges.service import Catalogue
from catalogue.store import Store
from catalogue.store_register import diff_snapshots
from ingest.register_form import check_result_form, form_from_result
from test_web_support import build_catalogue

REG = Path(__file__).parent / "data" / "register"
FAST = Policy(hash_profile="CHEAPEST")
VALVES_CODE = "91330324PDY00001X1"
_names = (f"wf{n}" for n in itertools.count())
_dates = (f"2025-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 29))


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    home = build_catalogue(tmp_path_factory.mktemp("workflow"))
    with Catalogue(home) as cat:
        assert cat.ingest([REG / "schemes.gate-valves.yaml", REG / "register.valves.yaml",
                           REG / "register-results.csv"]).problems == []
    return home


@pytest.fixture()
def store(home):
    with Store(home) as opened:
        yield opened


def user_of(store, role, enterprise_id=None) -> User:
    return accounts.add_user(store, next(_names), role, "a-long-password", enterprise_id=enterprise_id, policy=FAST)


def valves(store) -> str:
    return store.find_enterprise_id(VALVES_CODE)


def product(store, model="Z40H-25") -> str:
    return next(pid for pid, m, _zh, _en in store.list_product_keys(valves(store)) if m == model)


def read(store, form, scheme=None):
    return check_result_form(store, form, credit_code=VALVES_CODE, enterprise_id=valves(store), scheme=scheme)


def new_draft(store, user, **fields) -> str:
    form = {"product": product(store), "scheme": "gate-valves", "date": next(_dates), "compared": "ISO 5208:2015",
            **fields}
    reading = read(store, form)
    assert reading.problems == []
    rid, action = workflow.save_result(store, user, reading.result, enterprise_id=valves(store),
                                       product_id=reading.product_id)
    assert action == "drafted"
    return rid


# ---------------------------------------------------------------- the rules
def test_who_may_do_what_in_which_state():
    def user(role, enterprise=None, disabled=False):
        return User(1, "u", "", role, enterprise, disabled, "", "")

    librarian, owner, other = user("librarian"), user("enterprise", "e-1"), user("enterprise", "e-2")
    table = {(who, state): sorted(allowed_actions(u, "e-1", state))
             for who, u in (("librarian", librarian), ("owner", owner), ("other", other))
             for state in ("draft", "published", "withdrawn")}
    assert table == {
        ("librarian", "draft"): ["discard", "edit", "publish", "view"],
        ("librarian", "published"): ["edit", "view", "withdraw"],
        ("librarian", "withdrawn"): ["edit", "publish", "view"],
        ("owner", "draft"): ["discard", "edit", "publish", "view"],
        ("owner", "published"): ["view"],
        ("owner", "withdrawn"): ["view"],
        ("other", "draft"): [], ("other", "published"): [], ("other", "withdrawn"): [],
    }
    assert allowed_actions(user("librarian", disabled=True), "e-1", "draft") == frozenset()
    assert allowed_actions(None, "e-1", "published") == frozenset()


def test_another_enterprise_meets_the_sentence_an_unknown_id_gets(store):
    owner, other = user_of(store, "enterprise", valves(store)), user_of(store, "enterprise", "e-000000000000")
    rid = new_draft(store, owner)
    with pytest.raises(ResultNotFound) as hidden:
        workflow.find_result(store, other, rid)
    with pytest.raises(ResultNotFound) as unknown:
        workflow.find_result(store, other, "r-0123456789ab")
    assert str(hidden.value).replace(rid, "ID") == str(unknown.value).replace("r-0123456789ab", "ID") == \
        "There is no result with the id 'ID' in the register."
    for change in (lambda: workflow.publish(store, other, rid), lambda: workflow.discard(store, other, rid),
                   lambda: workflow.withdraw(store, other, rid)):
        with pytest.raises(ResultNotFound):
            change()
    with pytest.raises(ResultNotFound):
        workflow.find_result(store, owner, "not-an-id'; DROP TABLE users; --")
    assert workflow.find_result(store, owner, rid).state == "draft"


def test_refusals_say_why(store):
    owner, librarian = user_of(store, "enterprise", valves(store)), user_of(store, "librarian")
    rid = new_draft(store, owner)
    with pytest.raises(WorkflowRefused) as refused:
        workflow.withdraw(store, librarian, rid)
    assert (str(refused.value), refused.value.status) == ("Only a published result can be withdrawn.", 409)
    assert workflow.publish(store, owner, rid) == "published"
    for change, sentence, status in (
            (lambda: workflow.withdraw(store, owner, rid), "Your account may not do this.", 403),
            (lambda: workflow.publish(store, owner, rid), "This result is already published.", 409),
            (lambda: workflow.discard(store, librarian, rid),
             "Only a draft can be discarded; a librarian may withdraw a published result.", 409)):
        with pytest.raises(WorkflowRefused) as refused:
            change()
        assert (str(refused.value), refused.value.status) == (sentence, status)
    reading = read(store, form_from_result(store.read_result(rid, public=False),
                                           store.read_scheme_indicators("gate-valves")), scheme="gate-valves")
    with pytest.raises(WorkflowRefused) as refused:
        workflow.save_result(store, owner, reading.result, enterprise_id=valves(store), product_id=reading.product_id,
                             rid=rid)
    assert str(refused.value) == "This result is no longer a draft: only a librarian may correct it."
    with pytest.raises(WorkflowRefused):
        workflow.save_result(store, user_of(store, "enterprise", "e-000000000000"), reading.result,
                             enterprise_id=valves(store), product_id=reading.product_id)


# ---------------------------------------------------------------- the form
def test_an_unchanged_form_saves_an_unchanged_result(store):
    owner = user_of(store, "enterprise", valves(store))
    rid = new_draft(store, owner, compared="ISO 5208:2015\nGB/T 13927-2022")
    indicators = store.read_scheme_indicators("gate-valves")
    form = form_from_result(store.read_result(rid, public=False), indicators)
    form.update({"report-0-number": "PDY-R-9", "report-0-accreditation": "CNAS", "ind-0-value": "≥ 2.6",
                 "ind-0-report": "PDY-R-9", "ind-0-direction": "higher", "ind-0-cell-1-value": "2.4",
                 "evaluation-0-body": "示例认证有限公司", "evaluation-0-date": "2025-01-05"})
    reading = read(store, form, scheme="gate-valves")
    assert reading.problems == []
    assert workflow.save_result(store, owner, reading.result, enterprise_id=valves(store),
                                product_id=reading.product_id, rid=rid) == (rid, "edited")
    detail = store.read_result(rid, public=False)
    comparison = detail["indicators"][0]
    assert (comparison["value"], comparison["unit"], comparison["value_kind"], comparison["outcome"]) == (
        "≥ 2.6", "MPa", "measured", "better")
    assert [(c["designation"], c["value"], c["clause"], c["outcome"]) for c in comparison["standards"]] == [
        ("ISO 5208:2015", "", "shell test", ""), ("GB/T 13927-2022", "2.4", "壳体试验", "better")]
    again = read(store, form_from_result(detail, indicators), scheme="gate-valves")
    assert again.problems == []
    assert workflow.save_result(store, owner, again.result, enterprise_id=valves(store),
                                product_id=again.product_id, rid=rid) == (rid, "unchanged")
    history = store.read_result_history(rid)
    assert [h["action"] for h in history] == ["drafted", "edited"]
    assert history[-1]["changes"] == {
        "test_reports[PDY-R-9]": [None, "PDY-R-9"], "test_reports[PDY-R-9].accreditation": [None, "CNAS"],
        "evaluations[1].body": [None, "示例认证有限公司"], "evaluations[1].date": [None, "2025-01-05"],
        "indicators[1].value": [None, "≥ 2.6"], "indicators[1].unit": [None, "MPa"],
        "indicators[1].value_kind": [None, "measured"], "indicators[1].report": [None, "PDY-R-9"],
        "indicators[1].direction": [None, "higher"], "indicators[1].outcome": [None, "better"],
        "indicators[1].standards[ISO 5208:2015].clause": [None, "shell test"],
        "indicators[1].standards[GB/T 13927-2022].value": [None, "2.4"],
        "indicators[1].standards[GB/T 13927-2022].clause": [None, "壳体试验"],
        "indicators[1].standards[GB/T 13927-2022].outcome": [None, "better"]}


def test_a_draft_is_unique_like_an_ingested_result(store):
    owner = user_of(store, "enterprise", valves(store))
    day = next(_dates)
    new_draft(store, owner, date=day)
    reading = read(store, {"product": product(store), "scheme": "gate-valves", "date": day, "compared": "ISO 5208:2015"})
    with pytest.raises(DuplicateResult) as duplicate:
        workflow.save_result(store, owner, reading.result, enterprise_id=valves(store), product_id=reading.product_id)
    assert str(duplicate.value) == (f"a second result for the same enterprise, product, scheme and date ({day}); "
                                    "the register already holds one")


def test_history_diffs_name_each_field():
    before = {"level": "advanced", "state": "draft", "standards": ["ISO 5208:2008"],
              "test_reports": [["R-1", "示例检测中心", '["CMA"]', "2014-04-30"]], "evaluations": [],
              "indicators": [[0, "2.4", "MPa", "measured", "R-1", "", "higher", "better",
                              '[{"designation": "ISO 5208:2008", "value": "", "unit": "", "clause": "shell test", "outcome": ""}]',
                              ""]]}
    after = {**before, "level": "leading", "test_reports": [["R-1", "示例检测中心", '["CMA", "CNAS"]', "2014-04-30"]],
             "indicators": [[0, "2.5", "MPa", "measured", "R-1", "", "higher", "better",
                             '[{"designation": "ISO 5208:2008", "value": "", "unit": "", "clause": "5.3", "outcome": ""}]',
                             ""]]}
    assert diff_snapshots(before, after) == {
        "level": ["advanced", "leading"],
        "test_reports[R-1].accreditation": ["CMA", "CMA, CNAS"],
        "indicators[1].value": ["2.4", "2.5"],
        "indicators[1].standards[ISO 5208:2008].clause": ["shell test", "5.3"],
    }
    assert diff_snapshots(before, before) == {}


def test_each_change_writes_its_history_its_audit_row_and_one_generation(store):
    owner, librarian = user_of(store, "enterprise", valves(store)), user_of(store, "librarian")
    start = store.generation()
    rid = new_draft(store, owner)
    workflow.publish(store, librarian, rid)
    workflow.withdraw(store, librarian, rid, "  数值\n有误  ")
    assert [e["scopes"] for e in store.read_write_log(start)] == [["accounts", "register"]] * 3
    assert [(h["actor"], h["actor_role"], h["action"], h["state"]) for h in store.read_result_history(rid)] == [
        (owner.login, "enterprise", "drafted", "draft"), (librarian.login, "librarian", "approved", "published"),
        (librarian.login, "librarian", "withdrawn", "withdrawn")]
    assert store.read_result_history(rid)[-1]["changes"] == {"state": ["published", "withdrawn"], "note": "数值 有误"}
    # The public history holds what happened while it was public, people named by role.
    assert [(h["actor"], h["action"]) for h in store.read_result_history(rid, public=True)] == [("librarian", "approved")]
    assert [(a["actor"], a["action"], a["detail"]) for a in accounts.history(store, "result", rid)] == [
        (librarian.login, "result.withdrawn", {"state": ["published", "withdrawn"], "note": "数值 有误"}),
        (librarian.login, "result.approved", {"state": ["draft", "published"]}),
        (owner.login, "result.drafted", {})]
