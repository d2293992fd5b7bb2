"""The one vocabulary (catalogue/web/labels.py): every code a reader sees, in zh and en, one word each."""
from __future__ import annotations

import pytest

from catalogue.web import labels
from test_web_support import app, web_home  # noqa: F401 - fixtures


@pytest.fixture(params=["zh", "en"])
def lang(request, app):
    with app.test_request_context(f"/?lang={request.param}"):
        app.preprocess_request()
        yield request.param


WORDS = {
    "zh": {"current": "现行", "upcoming": "即将实施", "replaced": "被代替", "withdrawn": "废止", "draft": "草案"},
    "en": {"current": "Current", "upcoming": "Upcoming", "replaced": "Replaced", "withdrawn": "Withdrawn",
           "draft": "Draft"},
}


def test_statuses_are_one_word_each_and_the_same_everywhere(lang):
    words = WORDS[lang]
    assert {s: labels.status_label(s) for s in words} == words
    # A system member's state and a checker's verdict use the very same words.
    # (one vocabulary: catalogue.lifecycle.STANDINGS)
    assert labels.state_label("current") == labels.verdict_label("current") == words["current"]
    assert labels.state_label("upcoming") == words["upcoming"]
    assert labels.state_label("replaced") == labels.verdict_label("superseded") == words["replaced"]
    assert labels.state_label("withdrawn") == labels.verdict_label("withdrawn") == words["withdrawn"]
    assert labels.verdict_label("upcoming") == words["upcoming"]
    assert labels.state_label("missing") == labels.verdict_label("unknown") == \
        {"zh": "不在本目录中", "en": "Not in the catalogue"}[lang]
    assert labels.status_label(None) == {"zh": "状态不明", "en": "Status unknown"}[lang]


def test_a_plan_is_terminated_not_withdrawn_and_has_a_project_number(lang):
    assert labels.status_label("withdrawn", "plan") == {"zh": "已终止", "en": "Terminated"}[lang]
    assert labels.status_label("draft", "plan") == {"zh": "正在制定", "en": "In progress"}[lang]
    assert labels.status_label("withdrawn", "T") == WORDS[lang]["withdrawn"]
    assert labels.designation_label("plan") == {"zh": "计划号", "en": "Project number"}[lang]
    assert labels.designation_label("T") == {"zh": "标准号", "en": "Designation"}[lang]


def test_document_types_in_words(lang):
    zh = lang == "zh"
    assert labels.doc_type_label("TS", "ISO") == ("技术规范" if zh else "Technical Specification")
    assert labels.doc_type_label("", "ISO") == ("国际标准" if zh else "International Standard")
    assert labels.doc_type_label("T", "GB") == ("推荐性标准" if zh else "Recommended standard")
    assert labels.doc_type_label("T", "DB33") == ("推荐性标准" if zh else "Recommended standard")
    assert labels.doc_type_label("", "GB") == ("强制性标准" if zh else "Mandatory standard")
    assert labels.doc_type_label("Z", "GB") == ("指导性技术文件" if zh else "Guidance technical document")
    assert labels.doc_type_label("plan", "GB") == ("标准计划项目" if zh else "Standard project (plan)")
    # A group standard (T/ZZB ...) carries no kind letter; an unknown code stays as given.
    assert labels.doc_type_label("", "T/ZZB") == ""
    assert labels.doc_type_label("XYZ", "ISO") == "XYZ"


def test_levels_publishers_decades_languages(lang):
    zh = lang == "zh"
    assert [labels.level_label(level) for level in labels.LEVELS] == (
        ["国际标准", "国外标准", "国家标准", "行业标准", "地方标准", "团体标准", "企业标准"] if zh else
        ["International standards", "Foreign standards", "National standards", "Industry standards",
         "Local standards", "Group standards", "Enterprise standards"])
    assert labels.publisher_label("ISO") == ("ISO 国际标准化组织" if zh else "ISO International Organization for Standardization")
    assert labels.publisher_label("IEC") == ("IEC 国际电工委员会" if zh else "IEC International Electrotechnical Commission")
    assert labels.publisher_label("DB33") == ("DB33 浙江省地方标准" if zh else "DB33 Zhejiang local standards")
    assert labels.publisher_label("JB") == "JB"  # industry names arrive with issue 13's table
    assert labels.decade_label("2020s") == ("2020年代" if zh else "2020s")
    assert labels.decade_label("current") == "current"
    assert labels.language_name("fr") == ("法语" if zh else "French")
    assert labels.facet_value_label("decade", "1990s") == ("1990年代" if zh else "1990s")
    assert labels.facet_value_label("year", "2015") == "2015"


def test_class_and_committee_names_in_the_readers_language_else_the_other(lang):
    both = {"en": "Valves", "zh": "阀门", "fr": "Robinetterie"}
    assert labels.class_label("ics", "23.060", both) == ("阀门" if lang == "zh" else "Valves")
    # A stored node lacking a language gets our class name (catalogue/classnames) ...
    assert labels.class_label("ics", "23.060", {"en": "Valves", "fr": "Robinetterie"}) == (
        "阀门" if lang == "zh" else "Valves")
    assert labels.class_label("ccs", "J16", {"zh": "阀门"}) == ("阀门" if lang == "zh" else "Valves")
    # ... and a code we have no name for shows the other language rather than nothing;
    # French only as a last resort.
    assert labels.class_label("ics", "99.999", {"en": "Valves", "fr": "Robinetterie"}) == "Valves"
    assert labels.class_label("ics", "99.999", {"fr": "Divers"}) == "Divers"
    assert labels.class_label("ics", "99", {}) == ""
    # An English reader is never handed a Chinese name: the code alone then.
    assert labels.class_label("ics", "99.999", {"zh": "某类"}) == ("某类" if lang == "zh" else "")
    names = {"ics": {"23.060": both}, "committee": {"ISO/TC 153": {"en": "Valves"}},
             "system": {"valves": {"zh": "阀门产业标准体系", "en": "Valves industry standard system"}}}
    lookup = names.get
    assert labels.facet_value_label("ics", "23.060", lookup) == ("23.060 阀门" if lang == "zh" else "23.060 Valves")
    assert labels.facet_value_label("committee", "ISO/TC 153", lookup) == "ISO/TC 153 Valves"
    assert labels.facet_value_label("system", "valves", lookup) == (
        "阀门产业标准体系" if lang == "zh" else "Valves industry standard system")
    assert labels.facet_value_label("system", "pumps", lookup) == "pumps"


def test_adoption_in_the_platforms_idiom(lang):
    zh = lang == "zh"
    assert str(labels.adoption_phrase("MOD", "ISO 5208:2015")) == (
        "修改采用 ISO 5208:2015（MOD）" if zh else "Modified adoption of ISO 5208:2015 (MOD)")
    assert str(labels.adoption_phrase("IDT", "IEC 60947-2:2006")) == (
        "等同采用 IEC 60947-2:2006（IDT）" if zh else "Identical adoption of IEC 60947-2:2006 (IDT)")
    # Text is escaped; a link passed as markup is kept.
    assert str(labels.adoption_phrase(None, "<b>x</b>")).endswith("&lt;b&gt;x&lt;/b&gt;")
    assert labels.degree_label("NEQ") == ("NEQ（非等效采用）" if zh else "NEQ (not equivalent)")
