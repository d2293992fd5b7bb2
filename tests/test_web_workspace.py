"""The register's editing workflow in the browser (issue 16, Deliver 4), on a real SQLite catalogue:
the web fixture plus tests/data/register (two fictional enterprises, 示例 in their names, with
placeholder credit codes; their values are test data, real standards' values are never given).

An enterprise user drafts, edits and publishes its own results; librarians approve, withdraw,
restore and correct; every change is a history line (who, when, each field before and after) and
a catalogue generation; the public sees published results only, and their history since they
were published without people's names. Another enterprise's draft answers exactly as an unknown
id does, in HTML and JSON. Problems stand beside their fields in the reader's language.
"""
from __future__ import annotations

import itertools
import re
import sqlite3
from pathlib import Path

import pytest

from catalogue import accounts
from catalogue.accounts import Policy
from catalogue.edges.service import Catalogue
from catalogue.store import Store
from catalogue.web import create_app
from test_web_support import build_catalogue, soup_of, text_of

REG = Path(__file__).parent / "data" / "register"
PASSWORD = "valve-seat-leakage-2024"
FAST = Policy(hash_profile="CHEAPEST")
VALVES_CODE = "91330324PDY00001X1"
ELECTRIC_CODE = "91330300PDY0000363"
UNKNOWN_ID = "r-0123456789ab"
_addresses = (f"10.88.{n // 250}.{n % 250 + 1}" for n in itertools.count())
_names = (f"ws{n}" for n in itertools.count())


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    home = build_catalogue(tmp_path_factory.mktemp("workspace"))
    with Catalogue(home) as cat:
        report = cat.ingest([REG / "schemes.gate-valves.yaml", REG / "register.valves.yaml",
                             REG / "register-results.csv", REG / "register-certificates.csv"])
        assert report.problems == []
    return home


@pytest.fixture(scope="module")
def app(home):
    application = create_app({"CATALOGUE_HOME": str(home), "TESTING": True, "ACCOUNTS_HASH_PROFILE": "CHEAPEST"})
    yield application
    cat = application.extensions.get("catalogue")
    if cat is not None:
        cat.close()


@pytest.fixture(scope="module")
def ids(home) -> dict[str, str]:
    with Store(home) as store:
        valves, electric = store.find_enterprise_id(VALVES_CODE), store.find_enterprise_id(ELECTRIC_CODE)
        products = {model: pid for pid, model, _zh, _en in store.list_product_keys(valves)}
        draft = store.db.execute("SELECT id FROM benchmark_results WHERE state = 'draft'").fetchone()[0]
    return {"valves": valves, "electric": electric, "gate_valve": products["Z41H-16C"],
            "wedge_valve": products["Z40H-25"], "ingested_draft": draft}


def client_of(app, lang="en"):
    c = app.test_client()
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9" if lang == "zh" else "en-GB,en;q=0.9"
    c.environ_base["REMOTE_ADDR"] = next(_addresses)
    return c


def new_user(home, role, enterprise_id=None):
    with Store(home) as store:
        return accounts.add_user(store, next(_names), role, PASSWORD, enterprise_id=enterprise_id,
                                 display_name="测试用户", policy=FAST)


def token_of(c) -> str:
    return c.get("/login.json").get_json()["csrf_token"]


def signed_in(app, home, role, enterprise_id=None, lang="en"):
    user = new_user(home, role, enterprise_id)
    c = client_of(app, lang)
    response = c.post("/login", data={"csrf_token": token_of(c), "login": user.login, "password": PASSWORD})
    assert response.status_code == 303
    return c, user


@pytest.fixture()
def valve_user(app, home, ids):
    return signed_in(app, home, "enterprise", ids["valves"])


@pytest.fixture()
def electric_user(app, home, ids):
    return signed_in(app, home, "enterprise", ids["electric"])


@pytest.fixture()
def librarian(app, home):
    return signed_in(app, home, "librarian")


def post(c, path, data=None, **kwargs):
    return c.post(path, data={"csrf_token": token_of(c), **(data or {})}, **kwargs)


_dates = (f"2025-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 29))


def draft_result(c, ids, product="wedge_valve", compared="ISO 5208\nGB/T 13927-2022", **fields) -> str:
    """Draft a result through the form (a new date each time: no duplicates); answers its id."""
    data = {"product": ids[product], "scheme": "gate-valves", "date": next(_dates), "compared": compared,
            "level": "advanced", "reached": "yes", "status": "published", **fields}
    response = post(c, "/benchmarking/workspace/new", data)
    assert response.status_code == 303, response.get_data(as_text=True)[-2000:]
    match = re.search(r"/benchmarking/workspace/results/(r-[0-9a-f]{12})/edit\?done=drafted$", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def edit_values(c, rid) -> dict[str, str]:
    """The edit form's fields as the page fills them (what a browser would post back)."""
    soup = soup_of(c.get(f"/benchmarking/workspace/results/{rid}/edit"))
    values = {}
    for control in soup.select("form.result-form input[name], form.result-form textarea[name]"):
        values[control["name"]] = control.get("value", "") if control.name == "input" else control.get_text()
    for select in soup.select("form.result-form select[name]"):
        chosen = select.select_one("option[selected]") or select.select_one("option")
        values[select["name"]] = chosen.get("value", "")
    values.pop("csrf_token", None)
    return values


def history_rows(home, rid):
    db = sqlite3.connect(home / "catalogue.sqlite3")
    try:
        return db.execute("SELECT actor, actor_role, action, state FROM result_history WHERE result_id = ? ORDER BY seq",
                          (rid,)).fetchall()
    finally:
        db.close()


# ---------------------------------------------------------------- an enterprise user, end to end
def test_an_enterprise_user_drafts_edits_and_publishes_its_own_result(app, home, ids, valve_user):
    c, user = valve_user
    anonymous = client_of(app)
    counted = anonymous.get("/standards/iso-5208-2015.json").get_json()
    before = (counted.get("benchmarked_against") or {}).get("count", 0)
    workspace = soup_of(c.get("/benchmarking/workspace/"))
    assert "Wenzhou Example Valve" in text_of(workspace.select_one("#workspace-enterprise"))
    assert workspace.select_one("#new-result-link")["href"] == "/benchmarking/workspace/new"
    # The ingested draft of this enterprise is in its workspace, in its state.
    assert workspace.select_one(f'tr[data-id="{ids["ingested_draft"]}"]')["data-state"] == "draft"

    rid = draft_result(c, ids)
    edit = c.get(f"/benchmarking/workspace/results/{rid}/edit?done=drafted")
    page = soup_of(edit)
    assert edit.status_code == 200
    assert text_of(page.select_one("#form-notice")) == "The draft is saved."
    # The undated ISO 5208 was dated as of the result: the 2015 edition; each indicator has a cell
    # per compared standard with the clause the scheme names for it.
    assert text_of(page.select_one("#f-compared")) == "ISO 5208:2015 GB/T 13927-2022"
    assert page.select_one("#f-ind-0-cell-0-standard") is None  # hidden fields have no id ...
    assert page.select_one('input[name="ind-0-cell-0-standard"]')["value"] == "ISO 5208:2015"
    assert page.select_one("#f-ind-0-cell-0-clause")["value"] == "shell test"
    assert page.select_one("#f-ind-0-unit")["value"] == "MPa"
    assert c.get(f"/benchmarking/results/{rid}").status_code == 404  # a draft is not public

    values = edit_values(c, rid)
    values.update({"report-0-number": "PDY-WT-2025-01", "report-0-laboratory": "示例阀门检测中心",
                   "report-0-accreditation": "CMA/CNAS", "report-0-date": "2025-01-01",
                   "ind-0-value": "2.4", "ind-0-report": "PDY-WT-2025-01", "ind-0-direction": "higher",
                   "ind-0-note": "示例数据（虚构）"})
    saved = post(c, f"/benchmarking/workspace/results/{rid}/edit", values)
    assert saved.status_code == 303
    assert saved.headers["Location"] == f"/benchmarking/workspace/results/{rid}?done=edited"
    view = soup_of(c.get(saved.headers["Location"]))
    assert text_of(view.select_one("#result-notice")) == "Your changes are saved."
    assert view.select_one("#result-state")["data-state"] == "draft"
    assert [li["data-action"] for li in view.select("ol.history > li")] == ["drafted", "edited"]
    edited = view.select("ol.history > li")[1]
    assert text_of(edited.select_one(".who")) == user.login
    rows = {text_of(tr.select_one("th")): (text_of(tr.select_one(".before")), text_of(tr.select_one(".after")))
            for tr in edited.select("tr.change")}
    assert rows["Shell test pressure · Value"] == ("—", "2.4")
    assert rows["Shell test pressure · Which way is better"] == ("—", "Higher is better")
    assert rows["Test report PDY-WT-2025-01 · Laboratory"] == ("—", "示例阀门检测中心")
    assert rows["Shell test pressure · ISO 5208:2015 · Clause"] == ("—", "shell test")
    # The untouched indicators stay uncompared (their pre-filled unit and clauses are no comparison).
    assert [tr["data-indicator"] for tr in view.select("table.comparison tr.indicator")] == ["1"]

    published = post(c, f"/benchmarking/workspace/results/{rid}/publish")
    assert published.status_code == 303
    assert published.headers["Location"] == f"/benchmarking/workspace/results/{rid}?done=published"
    public = anonymous.get(f"/benchmarking/results/{rid}")
    assert public.status_code == 200
    page = soup_of(public)
    assert text_of(page.select_one("tr.indicator .ours .value")) == "2.4"
    # The public history starts at the publication and names the enterprise, not the user.
    assert [li["data-action"] for li in page.select("ol.history > li")] == ["published"]
    assert text_of(page.select_one("ol.history .who")) == "the enterprise"
    assert user.login not in public.get_data(as_text=True)
    listed = anonymous.get("/benchmarking/results.json?standard=iso-5208-2015").get_json()
    assert rid in [r["id"] for r in listed["results"]]
    # Register writes are catalogue generations: the standard's page counts the new result at once.
    counted = anonymous.get("/standards/iso-5208-2015.json").get_json()
    assert counted["benchmarked_against"]["count"] == before + 1
    # Once published, the enterprise can no longer edit it, nor withdraw it (librarians do).
    refused = c.get(f"/benchmarking/workspace/results/{rid}/edit")
    assert refused.status_code == 409
    assert "only a librarian may correct it" in text_of(soup_of(refused).select_one(".error-message"))
    assert post(c, f"/benchmarking/workspace/results/{rid}/withdraw").status_code == 403
    assert post(c, f"/benchmarking/workspace/results/{rid}/publish").status_code == 409
    assert [(r[0], r[1], r[2], r[3]) for r in history_rows(home, rid)] == [
        (user.login, "enterprise", "drafted", "draft"), (user.login, "enterprise", "edited", "draft"),
        (user.login, "enterprise", "published", "published")]


def test_the_same_workflow_through_the_json_twins(app, home, ids, valve_user):
    c, _user = valve_user
    form = c.get("/benchmarking/workspace/new.json").get_json()
    assert form["mode"] == "new" and form["enterprise"]["id"] == ids["valves"]
    assert [p["value"] for p in form["choices"]["product"]] == [ids["wedge_valve"], ids["gate_valve"]]  # by model
    assert "gate-valves" in [s["value"] for s in form["choices"]["scheme"]]
    token = form["csrf_token"]
    created = c.post("/benchmarking/workspace/new.json", data={
        "csrf_token": token, "product": ids["gate_valve"], "scheme": "gate-valves", "date": "2024-11-11",
        "compared": "ISO 5208:2015"})
    assert created.status_code == 201
    body = created.get_json()
    assert body["ok"] is True and body["action"] == "drafted"
    rid = body["id"]
    assert re.fullmatch(r"r-[0-9a-f]{12}", rid)
    detail = c.get(f"/benchmarking/workspace/results/{rid}.json").get_json()
    assert (detail["state"], detail["allowed"]) == ("draft", ["discard", "edit", "publish", "view"])
    assert [h["action"] for h in detail["history"]] == ["drafted"]
    values = c.get(f"/benchmarking/workspace/results/{rid}/edit.json").get_json()["values"]
    values.update({"ind-2-value": "12.5", "ind-2-clause": "5.2", "ind-2-direction": "higher"})
    changed = c.post(f"/benchmarking/workspace/results/{rid}/edit.json", data=values,
                     headers={"X-CSRF-Token": token})
    assert changed.get_json() == {"ok": True, "id": rid, "action": "edited",
                                  "url": f"/benchmarking/workspace/results/{rid}",
                                  "edit_url": f"/benchmarking/workspace/results/{rid}/edit"}
    again = c.post(f"/benchmarking/workspace/results/{rid}/edit.json", data=values, headers={"X-CSRF-Token": token})
    assert again.get_json()["action"] == "unchanged"
    published = c.post(f"/benchmarking/workspace/results/{rid}/publish.json", headers={"X-CSRF-Token": token})
    assert published.get_json() == {"ok": True, "id": rid, "action": "published",
                                    "url": f"/benchmarking/workspace/results/{rid}"}
    public = client_of(app).get(f"/benchmarking/results/{rid}.json").get_json()
    assert public["indicators"][0]["value"] == "12.5"
    assert [h["action"] for h in public["history"]] == ["published"]
    assert public["history"][0]["actor"] == "enterprise"


# ---------------------------------------------------------------- validation beside the fields
BAD_VALUES = {
    "ind-0-value": "2.4", "ind-0-unit": "", "ind-0-report": "", "ind-0-direction": "higher",      # no unit
    "ind-1-value": "无泄漏", "ind-1-value_kind": "measured", "ind-1-direction": "pass-fail",       # no report
    "ind-2-value": "12.5", "ind-2-clause": "5.2", "ind-2-direction": "higher", "ind-2-outcome": "worse",
    "ind-2-cell-0-value": "11",                                                                   # no clause
    "ind-2-cell-1-value": "11", "ind-2-cell-1-clause": "4.1",                                      # says 'better'
    "report-0-number": "PDY-1", "report-0-date": "2025-13-40",                                    # not a date
}


def test_problems_stand_beside_their_fields_in_english_and_chinese(app, home, ids, valve_user):
    c, _user = valve_user
    rid = draft_result(c, ids, compared="ISO 5208:2015\nGB/T 13927-2022")
    before = history_rows(home, rid)
    values = {**edit_values(c, rid), **BAD_VALUES, "ind-2-cell-0-clause": ""}
    refused = post(c, f"/benchmarking/workspace/results/{rid}/edit", values)
    assert refused.status_code == 400
    page = soup_of(refused)
    errors = {e["id"][2:]: text_of(e) for e in page.select(".field-error")}
    assert errors == {
        "report-0-date": "'2025-13-40' is not a date (YYYY-MM-DD)",
        "ind-0-unit": "the value 2.4 needs its unit",
        "ind-1-report": "the measured value 无泄漏 needs the test report it comes from",
        "ind-2-cell-0-clause": "the value 11 of ISO 5208:2015 needs the clause it comes from",
        # The catalogue's own check in the same pass: the outcome follows from direction and values.
        "ind-2-outcome": "the outcome 'worse' does not follow from the values, which give 'better' (higher)",
    }
    # Each field says it is wrong and which sentence says why; the summary links to the fields.
    unit = page.select_one("#f-ind-0-unit")
    assert (unit["aria-invalid"], unit["aria-describedby"]) == ("true", "e-ind-0-unit")
    assert [a["href"] for a in page.select("#error-summary a")] == [
        "#f-report-0-date", "#f-ind-0-unit", "#f-ind-1-report", "#f-ind-2-cell-0-clause", "#f-ind-2-outcome"]
    # What was typed stays in the form.
    assert page.select_one("#f-ind-0-value")["value"] == "2.4"
    assert history_rows(home, rid) == before  # nothing saved

    # Alone, the contradicting outcome is refused too; left empty, it is computed.
    values = {**edit_values(c, rid), "ind-2-value": "12.5", "ind-2-clause": "5.2", "ind-2-direction": "higher",
              "ind-2-outcome": "worse", "ind-2-cell-1-value": "11", "ind-2-cell-1-clause": "4.1"}
    refused = post(c, f"/benchmarking/workspace/results/{rid}.json".replace(".json", "/edit.json"), values)
    assert refused.status_code == 400
    assert refused.get_json()["errors"] == {
        "ind-2-outcome": ["the outcome 'worse' does not follow from the values, which give 'better' (higher)"]}
    values["ind-2-outcome"] = ""
    assert post(c, f"/benchmarking/workspace/results/{rid}/edit.json", values).get_json()["action"] == "edited"
    stored = c.get(f"/benchmarking/workspace/results/{rid}.json").get_json()["indicators"][0]
    assert (stored["outcome"], stored["computed"]) == ("better", True)

    zh, _zh_user = signed_in(app, home, "enterprise", ids["valves"], lang="zh")
    values = {**edit_values(zh, rid), **BAD_VALUES, "ind-2-cell-0-clause": "", "ind-2-outcome": ""}
    page = soup_of(post(zh, f"/benchmarking/workspace/results/{rid}/edit", values))
    assert {e["id"][2:]: text_of(e) for e in page.select(".field-error")} == {
        "report-0-date": "“2025-13-40”不是日期（YYYY-MM-DD）",
        "ind-0-unit": "数值 2.4 必须注明单位",
        "ind-1-report": "实测值 无泄漏 必须注明所依据的检测报告",
        "ind-2-cell-0-clause": "ISO 5208:2015 的数值 11 必须注明出处条款",
    }
    assert text_of(page.select_one("#h-problems")) == "结果未保存。请更正："


def test_a_new_draft_is_checked_as_an_ingest_would(app, ids, valve_user):
    c, _user = valve_user
    refused = post(c, "/benchmarking/workspace/new.json", {
        "product": ids["electric"], "scheme": "no-such-scheme", "date": "2025-02", "compared": "Figure 12"})
    assert refused.status_code == 400
    assert refused.get_json()["errors"] == {
        "product": ["choose one of the enterprise's products"],
        "date": ["'2025-02' is not a full date (YYYY-MM-DD)"],
        "compared": ["'Figure 12' is not a standard designation"],
    }
    refused = post(c, "/benchmarking/workspace/new.json", {
        "product": ids["gate_valve"], "scheme": "no-such-scheme", "date": "2025-02-01", "compared": "API 598",
        "level": "卓越"})
    assert refused.get_json()["errors"] == {
        "scheme": ["unknown benchmarking scheme 'no-such-scheme'; the catalogue has: gate-valves, mccb"]}
    refused = post(c, "/benchmarking/workspace/new.json", {
        "product": ids["gate_valve"], "scheme": "gate-valves", "date": "2025-02-01", "compared": "API 598"})
    assert refused.get_json()["errors"] == {"compared": [
        "'API 598' is undated and the catalogue holds no edition of it published by 2025-02-01; "
        "name the edition compared against"]}
    # The same enterprise, product, scheme and date as a stored result: a duplicate, beside the date.
    duplicate = post(c, "/benchmarking/workspace/new", {
        "product": ids["gate_valve"], "scheme": "gate-valves", "date": "2014-05-20", "compared": "ISO 5208:2008"})
    assert duplicate.status_code == 400
    assert text_of(soup_of(duplicate).select_one("#e-date")) == (
        "a second result for the same enterprise, product, scheme and date (2014-05-20); the register already holds one")


# ---------------------------------------------------------------- ownership: guessing ids
def answers(c, rid: str) -> dict[str, tuple[int, str]]:
    """Every workspace address of ``rid`` (HTML and JSON, read and write) -> (status, body with the id masked)."""
    out = {}
    token = token_of(c)
    for suffix in ("", ".json"):
        for path in (f"/benchmarking/workspace/results/{rid}{suffix}", f"/benchmarking/workspace/results/{rid}/edit{suffix}",
                     f"/benchmarking/results/{rid}{suffix}"):
            response = c.get(path)
            out[f"GET {path.replace(rid, 'ID')}"] = (response.status_code, response.get_data(as_text=True).replace(rid, "ID"))
        for action in ("edit", "publish", "withdraw", "discard"):
            path = f"/benchmarking/workspace/results/{rid}/{action}{suffix}"
            response = c.post(path, data={"csrf_token": token, "date": "2025-01-01", "compared": "ISO 5208:2015"})
            out[f"POST {path.replace(rid, 'ID')}"] = (response.status_code, response.get_data(as_text=True).replace(rid, "ID"))
    return out


def test_another_enterprise_cannot_read_or_change_a_draft_by_guessing_its_id(app, home, ids, valve_user, electric_user):
    owner, _valve = valve_user
    rid = draft_result(owner, ids)
    other, _electric = electric_user
    guessed, unknown = answers(other, rid), answers(other, UNKNOWN_ID)
    assert {k: v[0] for k, v in guessed.items()} == {k: 404 for k in guessed}
    assert guessed == unknown  # the same status and the same bytes, HTML and JSON
    assert other.get(f"/benchmarking/workspace/results/{rid}.json").get_json() == {
        "ok": False, "status": 404, "error": "There is no result with the id '%s' in the register." % rid}
    # Nor does it appear in the other's workspace, and a post naming the owner's enterprise and
    # product drafts nothing for it (an enterprise user drafts for its own enterprise only).
    listed = other.get("/benchmarking/workspace.json").get_json()
    assert rid not in [r["id"] for r in listed["results"]]
    assert {r["enterprise"]["id"] for r in listed["results"]} == {ids["electric"]}
    refused = post(other, "/benchmarking/workspace/new.json", {
        "enterprise": ids["valves"], "product": ids["wedge_valve"], "scheme": "gate-valves", "date": "2025-06-06",
        "compared": "ISO 5208:2015"})
    assert refused.get_json()["errors"] == {"product": ["choose one of the enterprise's products"]}
    # The owner's draft is untouched by all of it.
    assert [r[2] for r in history_rows(home, rid)] == ["drafted"]
    assert owner.get(f"/benchmarking/workspace/results/{rid}.json").get_json()["state"] == "draft"


def test_ids_are_opaque_and_a_draft_reads_as_unknown_on_the_public_pages(app, ids, valve_user):
    owner, _user = valve_user
    rid = draft_result(owner, ids)
    anonymous = client_of(app)
    for path in (f"/benchmarking/results/{rid}", f"/benchmarking/results/{rid}.json"):
        draft, unknown = anonymous.get(path), anonymous.get(path.replace(rid, UNKNOWN_ID))
        assert draft.status_code == unknown.status_code == 404
        assert draft.get_data(as_text=True).replace(rid, "ID") == unknown.get_data(as_text=True).replace(UNKNOWN_ID, "ID")
    assert rid not in anonymous.get("/benchmarking/results.json").get_data(as_text=True)
    assert rid not in anonymous.get(f"/benchmarking/enterprises/{ids['valves']}.json").get_data(as_text=True)
    # Anonymous visitors are sent to sign in, whatever the id; the JSON twin answers 401.
    for target in (rid, UNKNOWN_ID):
        page = anonymous.get(f"/benchmarking/workspace/results/{target}")
        assert page.status_code == 302 and page.headers["Location"].startswith("/login?next=")
        assert anonymous.get(f"/benchmarking/workspace/results/{target}.json").status_code == 401
        assert post(anonymous, f"/benchmarking/workspace/results/{target}/publish").status_code == 401


# ---------------------------------------------------------------- librarians
def test_librarians_approve_correct_withdraw_and_restore(app, home, ids, valve_user, librarian):
    owner, _user = valve_user
    rid = draft_result(owner, ids)
    lib, lib_user = librarian
    workspace = lib.get("/benchmarking/workspace.json?state=draft").get_json()
    assert rid in [r["id"] for r in workspace["results"]]
    assert {r["state"] for r in workspace["results"]} == {"draft"}
    assert workspace["counts"]["draft"] == workspace["total"]
    approved = post(lib, f"/benchmarking/workspace/results/{rid}/publish")
    assert approved.headers["Location"].endswith("?done=approved")
    anonymous = client_of(app)
    assert anonymous.get(f"/benchmarking/results/{rid}").status_code == 200

    values = {**edit_values(lib, rid), "level": "leading", "own_standard": "Q/PDY 007-2025"}
    corrected = post(lib, f"/benchmarking/workspace/results/{rid}/edit", values)
    assert corrected.headers["Location"] == f"/benchmarking/workspace/results/{rid}?done=corrected"
    view = soup_of(lib.get(corrected.headers["Location"]))
    line = view.select("ol.history > li")[-1]
    assert line["data-action"] == "corrected" and text_of(line.select_one(".who")) == lib_user.login
    assert [(text_of(tr.select_one("th")), text_of(tr.select_one(".before")), text_of(tr.select_one(".after")))
            for tr in line.select("tr.change")] == [("Enterprise standard", "—", "Q/PDY 007-2025"),
                                                   ("Benchmarking level", "advanced", "leading")]
    public = soup_of(anonymous.get(f"/benchmarking/results/{rid}"))
    assert [li["data-action"] for li in public.select("ol.history > li")] == ["approved", "corrected"]
    assert [text_of(w) for w in public.select("ol.history .who")] == ["a librarian", "a librarian"]
    assert text_of(public.select_one(".result-facts .level")) == "leading"

    withdrawn = post(lib, f"/benchmarking/workspace/results/{rid}/withdraw", {"note": "  送检样品与产品不符  "})
    assert withdrawn.headers["Location"].endswith("?done=withdrawn")
    assert anonymous.get(f"/benchmarking/results/{rid}").status_code == 404
    assert rid not in anonymous.get("/benchmarking/results.json").get_data(as_text=True)
    view = soup_of(owner.get(f"/benchmarking/workspace/results/{rid}"))
    assert view.select_one("#result-state")["data-state"] == "withdrawn"
    assert text_of(view.select("ol.history > li")[-1].select_one(".history-note")) == "Note: 送检样品与产品不符"
    assert view.select_one("#publish-button") is None  # the enterprise cannot publish it again
    assert post(owner, f"/benchmarking/workspace/results/{rid}/publish").status_code == 409
    restored = post(lib, f"/benchmarking/workspace/results/{rid}/publish.json")
    assert restored.get_json()["action"] == "restored"
    assert anonymous.get(f"/benchmarking/results/{rid}").status_code == 200
    assert [r[2] for r in history_rows(home, rid)] == ["drafted", "approved", "corrected", "withdrawn", "restored"]
    # Every change is also in the accounts' audit log, with the user who made it.
    with Store(home) as store:
        audit = [(row["actor"], row["action"]) for row in accounts.history(store, "result", rid)]
    assert audit[::-1] == [(_user.login, "result.drafted"), (lib_user.login, "result.approved"),
                           (lib_user.login, "result.corrected"), (lib_user.login, "result.withdrawn"),
                           (lib_user.login, "result.restored")]


def test_a_librarian_drafts_for_a_chosen_enterprise_and_anyone_allowed_discards_drafts(app, home, ids, librarian,
                                                                                     valve_user):
    lib, _user = librarian
    chooser = soup_of(lib.get("/benchmarking/workspace/new"))
    assert {o["value"] for o in chooser.select("#f-enterprise option")} >= {ids["valves"], ids["electric"]}
    form = soup_of(lib.get(f"/benchmarking/workspace/new?enterprise={ids['electric']}"))
    assert form.select_one('input[name="enterprise"]')["value"] == ids["electric"]
    with Store(home) as store:
        breaker = store.list_product_keys(ids["electric"])[0][0]
    made = post(lib, "/benchmarking/workspace/new.json", {
        "enterprise": ids["electric"], "product": breaker, "scheme": "mccb", "date": "2025-04-04",
        "compared": "GB/T 14048.2-2020\nIEC 60947-2:2016"})
    assert made.status_code == 201
    rid = made.get_json()["id"]
    owner, _valve = valve_user
    assert owner.get(f"/benchmarking/workspace/results/{rid}").status_code == 404  # not the valve maker's
    discarded = post(lib, f"/benchmarking/workspace/results/{rid}/discard")
    assert discarded.headers["Location"] == "/benchmarking/workspace/?done=discarded"
    assert lib.get(f"/benchmarking/workspace/results/{rid}").status_code == 404
    assert [r[2] for r in history_rows(home, rid)] == ["drafted", "discarded"]  # the record stays


# ---------------------------------------------------------------- CSRF and the write log
def test_every_workspace_form_posts_its_token_and_is_refused_without_it(app, home, ids, valve_user):
    c, _user = valve_user
    rid = draft_result(c, ids)
    page = soup_of(c.get(f"/benchmarking/workspace/results/{rid}"))
    forms = page.select("main form[method=post]")
    assert {f["action"] for f in forms} == {f"/benchmarking/workspace/results/{rid}/publish",
                                            f"/benchmarking/workspace/results/{rid}/discard"}
    edit = soup_of(c.get(f"/benchmarking/workspace/results/{rid}/edit")).select_one("form.result-form")
    for form in [*forms, edit]:
        assert form.select_one('input[name="csrf_token"]')["value"]
    for path in (f"/benchmarking/workspace/results/{rid}/edit", f"/benchmarking/workspace/results/{rid}/publish",
                 f"/benchmarking/workspace/results/{rid}/discard", "/benchmarking/workspace/new",
                 f"/benchmarking/workspace/results/{rid}/publish.json"):
        for token in (None, "forged"):
            response = c.post(path, data={"date": "2025-01-01"} | ({"csrf_token": token} if token else {}))
            assert response.status_code == 400, path
            assert "did not come from this site" in response.get_data(as_text=True)
    assert [r[2] for r in history_rows(home, rid)] == ["drafted"]


def test_each_change_is_one_generation_of_the_catalogue(app, home, ids, valve_user):
    c, _user = valve_user
    with Store(home) as store:
        start = store.generation()
    rid = draft_result(c, ids)
    post(c, f"/benchmarking/workspace/results/{rid}/publish")
    with Store(home) as store:
        log = store.read_write_log(start)
    assert [entry["scopes"] for entry in log] == [["accounts", "register"], ["accounts", "register"]]


def test_an_ingest_updates_a_result_first_drafted_on_the_web(app, home, ids, valve_user, tmp_path):
    c, _user = valve_user
    rid = draft_result(c, ids, compared="ISO 5208:2015")
    date = c.get(f"/benchmarking/workspace/results/{rid}.json").get_json()["date"]
    register = tmp_path / "register.late.yaml"
    register.write_text(f"""register:
  enterprises:
    - name: 温州示例阀门有限公司
      credit_code: {VALVES_CODE}
      results:
        - {{product: Z40H-25, scheme: gate-valves, date: {date}, compared: [ISO 5208:2015], level: leading}}
""", encoding="utf-8")
    with Catalogue(home) as cat:
        report = cat.ingest([register])
    assert report.problems == []
    detail = c.get(f"/benchmarking/workspace/results/{rid}.json").get_json()
    assert (detail["id"], detail["level"], detail["state"]) == (rid, "leading", "draft")
    assert [h["action"] for h in detail["history"]] == ["drafted", "updated"]


def test_an_account_whose_enterprise_the_register_lacks_can_draft_nothing(app, home):
    c, _user = signed_in(app, home, "enterprise", "e-000000000000")
    page = soup_of(c.get("/benchmarking/workspace/"))
    assert text_of(page.select_one("#workspace-no-enterprise")) == (
        "Your account names an enterprise the register does not hold yet; ask a librarian to add it.")
    assert page.select_one("#new-result-link") is None
    refused = c.get("/benchmarking/workspace/new.json")
    assert refused.status_code == 409
    assert refused.get_json()["error"] == ("Your account names an enterprise the register does not hold yet; "
                                          "ask a librarian to add it.")
    zh, _zh_user = signed_in(app, home, "enterprise", "e-000000000000", lang="zh")
    assert zh.get("/benchmarking/workspace/new.json").get_json()["error"] == "您的账户所属企业尚未列入对标达标登记，请联系馆员添加。"


def test_a_publication_reaches_pages_the_response_cache_holds(home, ids):
    cached = create_app({"CATALOGUE_HOME": str(home), "TESTING": True, "ACCOUNTS_HASH_PROFILE": "CHEAPEST",
                         "RESPONSE_CACHE_ENTRIES": 256})
    try:
        anonymous = client_of(cached)
        first = anonymous.get("/standards/gb-t-13927-2022.json")
        assert anonymous.get("/standards/gb-t-13927-2022.json").headers["X-Cache"] == "hit"
        count = (first.get_json()["benchmarked_against"] or {}).get("count", 0)
        owner, _user = signed_in(cached, home, "enterprise", ids["valves"])
        rid = draft_result(owner, ids)
        # A draft is a generation too, but it changes no public answer.
        assert (anonymous.get("/standards/gb-t-13927-2022.json").get_json()["benchmarked_against"] or {}).get(
            "count", 0) == count
        post(owner, f"/benchmarking/workspace/results/{rid}/publish")
        after = anonymous.get("/standards/gb-t-13927-2022.json")
        assert after.headers["X-Cache"] == "miss"
        assert after.get_json()["benchmarked_against"]["count"] == count + 1
        assert rid in anonymous.get("/benchmarking/results.json?standard=gb-t-13927-2022").get_data(as_text=True)
    finally:
        cat = cached.extensions.get("catalogue")
        if cat is not None:
            # The write left the index a generation behind, so a request started a catch-up beside
            # it: closing waits for that thread (closing SQLite under it crashed the interpreter).
            cat.close()
            assert cat._background is None or not cat._background.is_alive()


def test_a_hostile_form_draws_no_endless_rows_and_echoes_no_markup(app, ids, valve_user):
    c, _user = valve_user
    rid = draft_result(c, ids)
    values = {**edit_values(c, rid), "report-99999-number": "x", "evaluation-123456-body": "x",
              "ind-0-value": "<script>alert(1)</script>", "ind-0-cell-9999-standard": "ISO 1", "link": "javascript:alert(1)"}
    refused = post(c, f"/benchmarking/workspace/results/{rid}/edit", values)
    assert refused.status_code == 400
    page = soup_of(refused)
    assert len(page.select("fieldset[data-row^=report-]")) == 2  # the posted empty row and one more, as for any form
    assert page.select_one("#f-ind-0-value")["value"] == "<script>alert(1)</script>"  # an attribute's text, escaped
    assert "<script>alert(1)</script>" not in refused.get_data(as_text=True)
    assert text_of(page.select_one("#e-link")) == "'javascript:alert(1)' is not a web address (http:// or https://)"
