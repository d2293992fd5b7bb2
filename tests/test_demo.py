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
    assert {"ISO", "IEC", "IEEE", "OIML", "CIE", "API", "ASME", "ASTM", "MSS", "EN", "DIN", "BS", "JIS", "UL",
            "GB", "JB", "QB", "QC", "DB33", "T/ZZB"} <= set(stats["by_publisher"]), sorted(stats["by_publisher"])
    assert stats["by_status"]["withdrawn"] > 100 and stats["by_status"]["replaced"] > 100
    # Records by level (catalogue.levels): every level the museum collects is present.
    assert {"international", "foreign", "national", "industry", "local", "group"} <= set(stats["by_level"])
    assert sum(stats["by_level"].values()) == stats["records"]
    assert stats["by_level"]["international"] > stats["by_level"]["foreign"] > 100


#: Shelf-mark codes of the five pillar industries (scripts/demo_selection.py).
PILLARS = ("VAL", "ELE", "EYE", "SHO", "AUT")
CHINESE_LEVELS = ("national", "industry", "local", "group")


def test_demo_holdings_are_the_museums_collection_marked_as_demo(demo_home):
    from catalogue.levels import level_of
    from catalogue.store import Store

    with Store(demo_home) as store:
        rows = store.db.execute("SELECT h.shelf_mark, h.note, s.designation FROM holdings h "
                                "JOIN standards s ON s.key = h.key").fetchall()
    assert len(rows) >= 1300
    assert all(note == "演示馆藏 / demo holding" for _mark, note, _d in rows)
    marks = [mark for mark, _note, _d in rows]
    assert len(set(marks)) == len(marks)
    assert all(m.startswith("DEMO-") and m.split("-")[1] in PILLARS and m.split("-")[2].isdigit() for m in marks)
    by_industry = {code: sum(1 for m in marks if m.split("-")[1] == code) for code in PILLARS}
    assert all(n >= 50 for n in by_industry.values()), by_industry
    levels = [level_of(d) for _m, _n, d in rows]
    assert sum(1 for lvl in levels if lvl in CHINESE_LEVELS) >= 300
    assert {"international", "foreign"} <= set(levels)


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
    from catalogue.edges.service import Catalogue

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


def test_museum_standards_resolve_to_the_edition_in_force(demo_home):
    api = show(demo_home, "API 6D")
    assert (api["designation"], api["status"], api["resolved_from"]) == ("API Spec 6D-2021", "current", "API 6D")
    assert api["titles"]["en"] == "Specification for Valves"
    assert [e["designation"] for e in api["editions"]] == ["API Spec 6D-2008", "API Spec 6D-2014", "API Spec 6D-2021"]
    asme = show(demo_home, "ASME B16.34")
    assert (asme["designation"], asme["status"]) == ("ASME B16.34-2020", "current")
    gb = show(demo_home, "GB/T 12238")
    assert (gb["designation"], gb["status"], gb["ccs"]) == ("GB/T 12238-2008", "current", "J16")
    assert [r["target"] for r in gb["relations"] if r["type"] == "replaces"] == ["GB/T 12238-1989"]


def test_a_researched_record_names_the_page_it_was_read_on(demo_home):
    data = show(demo_home, "API Spec 6D-2021")
    sources = {p["source"] for p in data["provenance"]}
    assert "https://documentsales.org/api-2022/41841-api-spec-6d.html" in sources
    assert all(p["source"].startswith(("https://", "http://")) for p in data["provenance"]
               if p["field"] in ("titles", "status", "dates", "edition")), data["provenance"]
    # A record of the real Chinese pages keeps its shared-data file as provenance.
    gb = show(demo_home, "GB/T 20223-2018")
    assert not any(p["source"].startswith("http") for p in gb["provenance"])


def test_a_title_from_a_weaker_page_stands_and_names_that_page(demo_home):
    """scripts/demo_sources.py prune: GB/T 14048.4-2020's Chinese title is printed only by a page
    no grade list names (yzbzpt.cn, grade 5, the second research round): the title stands with
    that page as its provenance, while the rest of the record keeps chinesestandard.net's fields.
    GB/T 13927-2022's Chinese title comes from a trade association's page (tjybfm.org, grade 4)."""
    data = show(demo_home, "GB/T 14048.4-2020")
    assert data["titles"]["zh"].startswith("低压开关设备和控制设备 第4-1部分:接触器和电动机起动器")
    by_field = {p["field"]: p["source"] for p in data["provenance"]}
    assert by_field["titles.zh"].startswith("https://www.yzbzpt.cn/BzInfoDetail/")
    assert [f for f, s in by_field.items() if "yzbzpt.cn" in s] == ["titles.zh"]
    assert by_field["status"] == "https://www.chinesestandard.net/PDF.aspx/GBT14048.4-2020"
    valves = show(demo_home, "GB/T 13927-2022")
    assert valves["titles"]["zh"] == "工业阀门 压力试验"
    assert any(p["field"] == "titles.zh" and "tjybfm.org" in p["source"] for p in valves["provenance"])


#: Members of the demo systems and schemes whose record has titles in both languages: the 41 of
#: docs/demo-catalogue.md (the build's summary counts the members that resolve to an edition),
#: and GB 13511.1, whose work has no edition in force: its newest edition, GB 13511.1-2011, has both.
BOTH_LANGUAGES = 42


def unsourced() -> dict[str, list[str]]:
    """The members no source lets us catalogue, as scripts/build_demo.py wrote them."""
    from catalogue.demo import demo_files

    path = demo_files()[0].parent / "unsourced.txt"
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            designation, files = line.split("\t")
            out[designation] = files.split()
    return out


def test_every_member_of_the_demo_systems_and_schemes_resolves_or_is_listed_unsourced(demo_home):
    import yaml

    from catalogue.demo import demo_files
    from catalogue.designation import try_parse
    from catalogue.store import Store
    from catalogue.systems import member_keys, member_state

    cited: dict[str, set[str]] = {}

    def walk(value, stem):
        if isinstance(value, str):
            if try_parse(value) is not None:
                cited.setdefault(value.strip(), set()).add(stem)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v, stem)
        elif isinstance(value, list):
            for v in value:
                walk(v, stem)

    for path in demo_files():
        if path.name.startswith(("systems.", "schemes.")):
            walk(yaml.safe_load(path.read_text(encoding="utf-8")), path.name.split(".")[1])
    listed = unsourced()
    both = 0
    with Store(demo_home) as store:
        for designation, stems in sorted(cited.items()):
            state = member_state(store, *member_keys(designation)[1:])
            if designation in listed:
                assert state["state"] == "missing", f"{designation} is listed unsourced but resolves"
                assert set(listed[designation]) == stems
                continue
            assert state["state"] != "missing", f"{designation} (cited in {sorted(stems)}) resolves to nothing " \
                                                "and is not in catalogue/demo_data/unsourced.txt"
            # An undated member of a withdrawn work (ISO 12149, GB 13511.1) names no edition in
            # force: its newest edition stands for it.
            _display, _key, work = member_keys(designation)
            rec = store.get(state["key"]) if state["key"] else store.editions(work)[-1]
            both += bool(rec.titles.get("zh") and rec.titles.get("en"))
    assert set(listed) <= set(cited)
    assert "JIS B 2071" in listed and "GB/T 21465" in listed
    # docs/demo-catalogue.md reports how many have titles in both languages.
    assert both == BOTH_LANGUAGES, both


def test_an_unsourced_member_gets_the_honest_answer(demo_home):
    """JIS B 2071: no page gives its year or title, so the catalogue says it does not hold it and
    what it knows of it (the system citing it), and invents nothing."""
    result = CliRunner().invoke(main, ["--home", str(demo_home), "search", "JIS B 2071", "--json"])
    data = json.loads(result.stdout)
    assert data["total"] == 0 and result.exit_code == 1
    assert [n["designation"] for n in data["not_held"]] == ["JIS B 2071"]
    assert {r["id"] for r in data["related"] if r["why"] == "system"} == {"valves"}
    text = CliRunner().invoke(main, ["--home", str(demo_home), "--lang", "en", "search", "JIS B 2071"]).output
    assert "JIS B 2071 is not in the catalogue." in text
    gb = json.loads(CliRunner().invoke(main, ["--home", str(demo_home), "search", "GB/T 21465", "--json"]).stdout)
    assert [n["designation"] for n in gb["not_held"]] == ["GB/T 21465"]
    assert gb["not_held"][0]["lookup"]["url"].startswith("https://openstd.samr.gov.cn/")
