"""Chinese and English: choosing the language, the switcher, locale formats, translated errors;
plus the small helpers behind the pages (filters, citation formats, tree counts)."""
from __future__ import annotations

from babel.messages.mofile import read_mo

from catalogue.records import Standard
from catalogue.web.cite import bibtex_text, defuse_cell, ris_text
from catalogue.web.filters import bar_chart
from catalogue.web.i18n import PO_ROOT, compile_translations
from catalogue.web.queries import ccs_ancestors, ics_ancestors
from test_web_support import app, client, soup_of, text_of, web_home  # noqa: F401 - fixtures


def lang_of(response) -> str:
    return soup_of(response).html["lang"]


def test_chinese_browsers_get_chinese(client):
    response = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert lang_of(response) == "zh-Hans"
    page = soup_of(response)
    assert text_of(page.h1) == "查找标准"
    assert text_of(page.select_one("label[for=q]")) == "按标准号或关键词检索标准"
    assert text_of(page.select_one("#chart-status title")) == "按状态统计"
    labels = [text_of(t) for t in page.select("#chart-status .bar-label")]
    assert labels == ["现行", "被代替", "废止"]


def test_english_browsers_get_english_and_others_too(client):
    assert lang_of(client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})) == "en"
    assert lang_of(client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})) == "en"


def test_no_accept_language_means_chinese(app):
    bare = app.test_client()
    assert lang_of(bare.get("/")) == "zh-Hans"


def test_switcher_links_keep_the_page_and_its_arguments(client):
    page = soup_of(client.get("/search?q=valve&status=current"))
    link = page.select_one("#lang-zh")
    assert link["href"] == "/search?q=valve&status=current&lang=zh"
    assert text_of(page.select_one(".lang-switch [aria-current]")) == "English"


def test_lang_argument_sets_a_cookie_that_later_pages_follow(app):
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    first = browser.get("/standards/iso-5208-2015?lang=en")
    assert lang_of(first) == "en"
    cookie = first.headers["Set-Cookie"]
    assert cookie.startswith("lang=en;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert lang_of(browser.get("/ics/")) == "en"
    back = browser.get("/ics/?lang=zh")
    assert lang_of(back) == "zh-Hans"
    assert text_of(soup_of(browser.get("/ics/")).h1) == "国际标准分类法（ICS）"


def test_dates_and_numbers_by_locale(client):
    en = soup_of(client.get("/standards/gb-t-13927-2022"))
    zh = soup_of(client.get("/standards/gb-t-13927-2022", headers={"Accept-Language": "zh"}))

    def facts(page):
        return dict(zip([text_of(d) for d in page.select(".facts dt")], [text_of(d) for d in page.select(".facts dd")]))

    assert facts(en)["Published"] == "December 30, 2022"
    assert facts(en)["In force from"] == "July 1, 2023"
    assert facts(zh)["发布日期"] == "2022年12月30日"
    assert facts(zh)["实施日期"] == "2023年7月1日"
    timeline = [text_of(w) for w in zh.select("ol.timeline .when")]
    assert timeline == ["发布于 2008", "发布于 2022年12月30日"]


def test_provenance_names_fields_in_the_interface_language(client):
    zh = soup_of(client.get("/standards/gb-t-13927-2022", headers={"Accept-Language": "zh"}))
    fields = [text_of(tr.td) for tr in zh.select("table.provenance tbody tr")]
    assert {"实施日期", "发布日期", "状态", "名称（中文）", "名称（英语）", "技术委员会"} <= set(fields), fields
    assert not [f for f in fields if f.isascii() and f not in ("ICS", "CCS")], fields


def test_error_pages_are_translated(client):
    zh = client.get("/standards/iso-5208-2099", headers={"Accept-Language": "zh-CN"})
    page = soup_of(zh)
    assert zh.status_code == 404
    assert text_of(page.h1) == "未找到"
    assert text_of(page.select_one(".error-message")) == "目录中没有与“iso-5208-2099”对应的标准。"
    assert text_of(page.select_one("#h-suggestions")) == "您要找的是不是以下标准？"
    missing = soup_of(client.get("/nowhere", headers={"Accept-Language": "zh-CN"}))
    assert text_of(missing.select_one(".error-message")) == "此地址没有页面。"


def test_search_page_in_chinese(client):
    page = soup_of(client.get("/search?q=%E6%96%AD%E8%B7%AF%E5%99%A8&status=current", headers={"Accept-Language": "zh"}))
    assert text_of(page.select_one(".result-count")) == "共 2 项标准与“断路器”相符。"
    assert text_of(page.select_one(".active-filters .chip-label")) == "状态：现行"
    title = page.select_one("li.hit .hit-title")
    assert title.get_text() == "低压开关设备和控制设备 第2部分：断路器"
    assert [m.get_text() for m in title.select("mark")] == ["断路器"]
    assert [text_of(h) for h in page.select("#filters .facet h3")][:3] == ["状态", "标准层级", "发布机构"]
    assert text_of(page.select_one("#filters summary")) == "筛选 （已选 1 项）"


def test_every_translation_compiles_and_covers_the_interface(tmp_path):
    out = compile_translations(PO_ROOT, tmp_path)
    with open(out / "zh" / "LC_MESSAGES" / "messages.mo", "rb") as fp:
        catalog = read_mo(fp)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert untranslated == []
    # One vocabulary: the platforms' words, one each (被代替, not 已被代替; 被 X 代替, not 被代替为 X).
    assert catalog.get("Replaced by %(designation)s").string == "被 %(designation)s 代替"
    assert catalog.get("Replaced").string == "被代替"
    assert catalog.get("Terminated").string == "已终止"
    assert catalog.get("Not in the catalogue").string == "不在本目录中"
    assert len(catalog) > 150


# ---------------------------------------------------------------- helpers behind the pages
def test_ics_and_ccs_ancestors():
    parents = {"23.060.01": "23.060", "23.060": "23", "23": ""}
    assert ics_ancestors("23.060.01", parents) == ["23.060.01", "23.060", "23"]
    assert ics_ancestors("01.040.61", {}) == ["01.040.61", "01.040", "01"]
    assert ccs_ancestors("J16", {"J16": "J10/29", "J10/29": "J", "J": ""}) == ["J16", "J10/29", "J"]
    assert ccs_ancestors("Y78", {}) == ["Y78", "Y"]


def test_bar_chart_geometry_scales_to_the_largest_value():
    chart = bar_chart([("ISO", 20, "/a"), ("GB", 5, "/b"), ("None", 0, "")], width=360, label_width=150)
    assert [b["width"] for b in chart["bars"]] == [150, 38, 0]
    assert [b["y"] for b in chart["bars"]] == [0, 28, 56]
    assert chart["height"] == 78
    assert bar_chart([])["bars"] == []


def test_csv_cells_that_look_like_formulas_are_defused():
    assert defuse_cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert defuse_cell("@SUM(A1)") == "'@SUM(A1)"
    assert defuse_cell("ISO 5208:2015") == "ISO 5208:2015"
    assert defuse_cell(None) == ""


def test_bibtex_escapes_special_characters_and_ris_folds_lines():
    rec = Standard(designation="T/ZZB 1-2020", key="t-zzb-1-2020", publisher="T/ZZB", year="2020",
                   titles={"en": "Valves {50% & more}_#1\nnext line"})
    bib = bibtex_text(rec, "http://x/standards/t-zzb-1-2020")
    assert "  title = {Valves \\{50\\% \\& more\\}\\_\\#1 next line},\n" in bib
    ris = ris_text(rec, "http://x/standards/t-zzb-1-2020")
    assert "TI  - Valves {50% & more}_#1 next line\r\n" in ris


def test_pages_follow_new_records_without_a_restart(tmp_path):
    """Counts are cached per catalogue version: an ingest by another process shows at once."""
    from catalogue.edges.service import Catalogue
    from catalogue.web import create_app

    from test_web_support import build_catalogue

    home = build_catalogue(tmp_path / "writable")
    app = create_app({"CATALOGUE_HOME": str(home), "TESTING": True})
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert client.get("/index.json").get_json()["records"] == 31
    assert client.get("/ics/23.080.json").get_json()["node"]["count"] == 1
    extra = tmp_path / "extra.jsonl"
    extra.write_text('{"designation": "ISO 9906:1999", "status": "replaced", "dates": {"published": "1999-12"}, '
                     '"titles": {"en": "Rotodynamic pumps - Hydraulic performance acceptance tests - Grades 1 and 2"}, '
                     '"ics": ["23.080"]}\n', encoding="utf-8")
    with Catalogue(home) as writer:
        assert writer.ingest([extra]).added == 1
    home_data = client.get("/index.json").get_json()
    assert home_data["records"] == 32
    assert home_data["by_status"][1] == ["replaced", 13]
    assert client.get("/ics/23.080.json").get_json()["node"]["count"] == 2
    assert client.get("/search.json?q=ISO+9906&group=none").get_json()["total"] == 2
    app.extensions["catalogue"].close()
