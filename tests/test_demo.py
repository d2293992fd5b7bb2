"""The bundled demo catalogue, loaded by `catalogue init --demo` through the ordinary pipeline."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from catalogue.cli import main


#: What `catalogue init --demo` said on standard error (the session's one load).
INIT_OUTPUT: dict[str, str] = {}


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo") / "home"
    result = CliRunner().invoke(main, ["--home", str(home), "--lang", "en", "init", "--demo"])
    assert result.exit_code == 0, result.output
    INIT_OUTPUT["stderr"] = result.stderr
    return home


def show(home, ref):
    result = CliRunner().invoke(main, ["--home", str(home), "show", ref, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_demo_is_big_enough_and_mixed(demo_home):
    stats = json.loads(CliRunner().invoke(main, ["--home", str(demo_home), "stats", "--json"]).stdout)
    assert stats["records"] >= 1300
    assert {"ISO", "IEC", "GB"} <= set(stats["by_publisher"])
    assert stats["by_status"]["withdrawn"] > 100 and stats["by_status"]["replaced"] > 100


def test_iso_5208_chain_back_to_1982(demo_home):
    data = show(demo_home, "ISO 5208")
    assert data["designation"] == "ISO 5208:2015" and data["status"] == "current"
    assert data["resolved_from"] == "ISO 5208"
    assert [e["designation"] for e in data["editions"]] == ["ISO 5208:1982", "ISO 5208:1993", "ISO 5208:2008", "ISO 5208:2015"]
    older = show(demo_home, "ISO 5208:1993")
    assert [r["target"] for r in older["relations"] if r["type"] == "replaced_by"] == ["ISO 5208:2008"]


def test_iec_newer_edition_replaces_older(demo_home):
    data = show(demo_home, "IEC 60947-2:2016")
    assert data["status"] == "replaced"
    assert [r["target"] for r in data["relations"] if r["type"] == "replaced_by"] == ["IEC 60947-2:2024"]
    assert data["edition_in_force"] == "iec-60947-2-2024"


def test_gb_record_from_the_chinese_pages(demo_home):
    data = show(demo_home, "GB/T 20223-2018")
    assert (data["status"], data["ccs"], data["ics"]) == ("current", "W10", ["59.060.10"])
    assert [r["target"] for r in data["relations"] if r["type"] == "replaces"] == ["GB/T 20223-2006"]
    assert data["titles"]["zh"] == "棉短绒"


def test_demo_has_trees_systems_and_schemes(demo_home):
    from catalogue.store import Store
    from catalogue.systems import list_schemes, list_systems

    with Store(demo_home) as store:
        assert len(store.class_nodes("ics")) == 1381
        assert len(store.class_nodes("ccs")) == 1857
        assert {s["id"] for s in list_systems(store)} == {"valves", "low-voltage", "eyewear", "footwear-leather", "auto-parts"}
        assert {s["id"] for s in list_schemes(store)} == {"steel-gate-valves", "spectacle-frames", "mccb"}


def test_demo_trees_name_classes_in_both_languages(demo_home):
    from catalogue.classnames import SOURCE
    from catalogue.store import Store

    with Store(demo_home) as store:
        valves = store.class_node("ics", "23.060")
        assert (valves.titles["zh"], valves.titles["en"], valves.title_sources) == ("阀门", "Valves", {"zh": SOURCE})
        assert store.class_node("ics", "29.130.20").titles["zh"] == "低压开关设备和控制设备"
        j16 = store.class_node("ccs", "J16")
        assert (j16.titles, j16.title_sources) == ({"zh": "阀门", "en": "Valves"}, {"en": SOURCE})
        assert store.class_node("ccs", "Y78").titles["en"] == "Footwear and boots"
        assert all(n.titles.get("zh") for n in store.class_nodes("ics"))
        assert all(n.titles.get("en") for n in store.class_nodes("ccs"))


def test_demo_index_agrees_with_store(demo_home):
    from catalogue.service import Catalogue

    with Catalogue(demo_home) as cat:
        assert cat.index.count() == cat.store.count()
        hits = cat.search("ISO 5208").to_json()["hits"]
        assert hits[0]["key"] == "iso-5208-2015"


def test_demo_data_holds_facts_only():
    """No abstracts or scope text in the bundled files (data/README.md: facts may be taken, sentences not)."""
    from catalogue.demo import demo_files

    for path in demo_files():
        if path.suffix == ".jsonl":
            for line in path.read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                assert "scope" not in row and "notes" not in row, path.name
    total = sum(p.stat().st_size for p in demo_files())
    assert total < 5_000_000


def test_demo_register_is_fictional_and_needs_review_where_standards_changed(demo_home):
    """The demo register (Deliver 7): 示例 enterprises with placeholder credit codes, results on the
    three demo schemes, some needing review because a compared edition was replaced, certificates
    with events in every status, and no value invented for a real standard."""
    from catalogue.register import CERTIFICATE_STATUSES, check_credit_code, is_example_code
    from catalogue.store import Store

    with Store(demo_home) as store:
        assert store.count_register() == {"enterprises": 3, "products": 3, "results": 5, "certificates": 6, "needs_review": 3}
        _total, results = store.list_results()
        details = [store.read_result(r["id"]) for r in results]
        enterprises = {r["enterprise"]["id"]: r["enterprise"] for r in results}
        certificates = [c for eid in enterprises for c in store.list_certificates(enterprise_id=eid)]
    for e in enterprises.values():
        assert "示例" in e["names"]["zh"] and "fictional" in e["names"]["en"]
        assert check_credit_code(e["credit_code"]) is None and is_example_code(e["credit_code"])
    assert {r["scheme"]["id"] for r in results} == {"steel-gate-valves", "mccb", "spectacle-frames"}
    assert {(r["date"], r["status"]) for r in results} == {
        ("2013-09-16", "needs_review"), ("2021-06-18", "published"), ("2018-05-10", "needs_review"),
        ("2019-04-08", "needs_review"), ("2025-03-20", "published")}
    old_valves = next(d for d in details if d["date"] == "2013-09-16")
    assert [(r["designation"], r["by_designation"]) for r in old_valves["review_reasons"]] == [
        ("ISO 5208:2008", "ISO 5208:2015"), ("ISO 10434:2004", "ISO 10434:2020")]
    for d in details:
        for ind in d["indicators"]:
            assert ind["note"].startswith("示例数据")  # the enterprise's values are marked as invented
            assert ind["standards"] and all(c["clause"] and c["value"] == "" for c in ind["standards"])
    assert {e["status"] for c in certificates for e in c["events"]} == set(CERTIFICATE_STATUSES)


def test_the_demo_makes_no_accounts_and_says_once_how_to_add_them(demo_home):
    from catalogue.store import Store

    with Store(demo_home) as store:
        assert store.list_user_rows() == []
        enterprises = {e["credit_code"]: e["id"] for e in store.list_enterprise_choices()}
    lines = INIT_OUTPUT["stderr"].splitlines()
    start = lines.index("No accounts yet: the demo makes none. To sign in and try the register's workflow, add some "
                        "(each asks for a password):")
    assert lines[start + 1] == f"  catalogue --home {demo_home} user add librarian --role librarian"
    assert lines[start + 2] == (f"  catalogue --home {demo_home} user add demo-enterprise --role enterprise "
                                "--enterprise 91330300PDY0000288")
    assert lines[start + 4:] == [
        "  91330300PDY0000288  e-1b30abe97072  Wenzhou Example Eyewear Co., Ltd. (fictional)",
        "  91330300PDY0000363  e-681b81b45b4c  Wenzhou Example Electric Co., Ltd. (fictional)",
        "  91330324PDY00001X1  e-d29a2bc922cf  Wenzhou Example Valve Co., Ltd. (fictional)"]
    # The hint's command works: --enterprise takes the credit code and stores the enterprise's id.
    added = CliRunner().invoke(main, ["--home", str(demo_home), "user", "add", "demo-enterprise", "--role", "enterprise",
                                      "--enterprise", "91330300PDY0000288", "--password-stdin", "--json"],
                               input="a-long-password-for-the-demo\n")
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["enterprise_id"] == enterprises["91330300PDY0000288"]
