"""Search over a small real-fact catalogue: designations, languages, glossary, typos, facets, paging.

These tests list every edition (``group="none"``, the librarians' view); grouped results, what
a number means and designations not held are tested in tests/test_search_meaning.py.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogue.records import Standard
from index import QueryError, SearchIndex

EN_FR = ["en", "fr"]


def std(designation, key, work, publisher, status, titles, **kw) -> Standard:
    return Standard(designation, key=key, work=work, publisher=publisher, status=status, titles=titles, **kw)


RECORDS = [
    std("ISO 5208:2015", "iso-5208-2015", "iso-5208", "ISO", "current",
        {"en": "Industrial valves - Pressure testing of metallic valves",
         "fr": "Robinetterie industrielle - Essais sous pression des appareils de robinetterie métalliques"},
        number="5208", year="2015", published="2015-06", ics=["23.060.01"], committee="ISO/TC 153", languages=EN_FR),
    std("ISO 5208:2008", "iso-5208-2008", "iso-5208", "ISO", "withdrawn",
        {"en": "Industrial valves - Pressure testing of metallic valves"},
        number="5208", year="2008", published="2008-08", ics=["23.060.01"], committee="ISO/TC 153", languages=EN_FR),
    std("ISO 5208:1993", "iso-5208-1993", "iso-5208", "ISO", "withdrawn",
        {"en": "Industrial valves - Pressure testing of valves"},
        number="5208", year="1993", published="1993-01", ics=["23.060.01"], committee="ISO/TC 153", languages=EN_FR),
    std("GB/T 13927-2022", "gb-t-13927-2022", "gb-t-13927", "SAC", "current",
        {"zh": "工业阀门 压力试验", "en": "Industrial valves - Pressure testing"},
        number="13927", year="2022", published="2022-12-30", ics=["23.060.01"], ccs="J16", committee="SAC/TC 188", languages=["zh"]),
    std("GB/T 13927-2008", "gb-t-13927-2008", "gb-t-13927", "SAC", "replaced",
        {"zh": "工业阀门 压力试验", "en": "Industrial valves - Pressure testing"},
        number="13927", year="2008", published="2008", ics=["23.060.01"], ccs="J16", committee="SAC/TC 188", languages=["zh"]),
    std("GB/T 12234-2019", "gb-t-12234-2019", "gb-t-12234", "SAC", "current",
        {"zh": "石油、天然气工业用螺柱连接阀盖的钢制闸阀"},
        number="12234", year="2019", published="2019-08-30", ics=["23.060.30"], ccs="J16", committee="SAC/TC 188", languages=["zh"]),
    std("API 600:2015", "api-600-2015", "api-600", "API", "current",
        {"en": "Steel Gate Valves - Flanged and Butt-welding Ends, Bolted Bonnets"},
        number="600", year="2015", published="2015-02-01", ics=["75.180.20"], languages=["en"]),
    std("IEC 60947-2:2016", "iec-60947-2-2016", "iec-60947-2", "IEC", "replaced",
        {"en": "Low-voltage switchgear and controlgear - Part 2: Circuit-breakers",
         "fr": "Appareillage à basse tension - Partie 2: Disjoncteurs"},
        number="60947", part="2", year="2016", published="2016-06-07", ics=["29.130.20"], committee="IEC/SC 121A", languages=EN_FR),
    std("IEC 60947-2:2006", "iec-60947-2-2006", "iec-60947-2", "IEC", "withdrawn",
        {"en": "Low-voltage switchgear and controlgear - Part 2: Circuit-breakers"},
        number="60947", part="2", year="2006", published="2006-05-22", ics=["29.130.20"], committee="IEC/SC 121A", languages=EN_FR),
    std("GB/T 14048.2-2020", "gb-t-14048.2-2020", "gb-t-14048.2", "SAC", "current",
        {"zh": "低压开关设备和控制设备 第2部分：断路器", "en": "Low-voltage switchgear and controlgear - Part 2: Circuit-breakers"},
        number="14048.2", year="2020", published="2020-09-29", ics=["29.120.40"], ccs="K31", committee="SAC/TC 189", languages=["zh"]),
    std("ISO 12870:2016", "iso-12870-2016", "iso-12870", "ISO", "current",
        {"en": "Ophthalmic optics - Spectacle frames - Requirements and test methods",
         "fr": "Optique ophtalmique - Montures de lunettes - Exigences et méthodes d'essai"},
        number="12870", year="2016", published="2016-11", ics=["11.040.70"], committee="ISO/TC 172/SC 7", languages=EN_FR),
    std("GB/T 14214-2019", "gb-t-14214-2019", "gb-t-14214", "SAC", "current",
        {"zh": "眼镜架 通用要求和试验方法"},
        number="14214", year="2019", published="2019-12-31", ics=["11.040.70"], languages=["zh"]),
    std("ISO 20345:2021", "iso-20345-2021", "iso-20345", "ISO", "current",
        {"en": "Personal protective equipment - Safety footwear",
         "fr": "Équipement de protection individuelle - Chaussures de sécurité"},
        number="20345", year="2021", published="2021-12", ics=["13.340.50"], committee="ISO/TC 94/SC 3", languages=EN_FR),
    std("GB 21148-2020", "gb-21148-2020", "gb-21148", "SAC", "current",
        {"zh": "足部防护 安全鞋", "en": "Foot protection - Safety footwear"},
        number="21148", year="2020", published="2020-07-23", ics=["13.340.50"], ccs="C73", languages=["zh"]),
    std("JIS B 0205-1:2001", "jis-b-0205-1-2001", "jis-b-0205-1", "JISC", "current",
        {"ja": "一般用メートルねじ－第1部：基準山形", "en": "General purpose metric screw threads - Part 1: Basic profile"},
        number="0205", part="1", year="2001", ics=["21.040.10"], languages=["ja"]),
]
EXTRAS = {
    "iso-5208-2015": {"systems": ["valves"], "in_force": True},
    "iso-5208-2008": {"systems": ["valves"], "in_force": False},
    "gb-t-13927-2022": {"systems": ["valves"], "in_force": True},
    "gb-t-12234-2019": {"systems": ["valves"], "in_force": True},
    "iec-60947-2-2016": {"systems": ["low-voltage"], "in_force": True},
    "gb-t-14048.2-2020": {"systems": ["low-voltage"], "in_force": True},
    "iso-12870-2016": {"systems": ["eyewear"], "in_force": True},
    "gb-t-14214-2019": {"systems": ["eyewear"], "in_force": True},
}


class EveryEdition:
    """The index searched with every edition its own hit (``group="none"``)."""

    def __init__(self, index: SearchIndex):
        self.index = index

    def search(self, *args, **kwargs):
        kwargs.setdefault("group", "none")
        return self.index.search(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.index, name)


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    index = SearchIndex(tmp_path_factory.mktemp("search") / "index")
    assert index.rebuild(RECORDS, EXTRAS) == len(RECORDS)
    yield EveryEdition(index)
    index.close()


def keys(result) -> list[str]:
    return [hit["key"] for hit in result.hits]


# --- designations ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["ISO 5208:2015", "iso5208:2015", "ISO  5208-2015", "iso-5208-2015", "ＩＳＯ ５２０８：２０１５"])
def test_dated_designation_puts_that_edition_first_then_the_work(ix, text):
    assert keys(ix.search(text)) == ["iso-5208-2015", "iso-5208-2008", "iso-5208-1993"]


def test_dated_older_edition_first_then_edition_in_force(ix):
    assert keys(ix.search("ISO 5208:1993")) == ["iso-5208-1993", "iso-5208-2015", "iso-5208-2008"]


@pytest.mark.parametrize("text", ["ISO 5208", "iso5208", "5208"])
def test_undated_designation_puts_edition_in_force_first(ix, text):
    assert keys(ix.search(text))[:3] == ["iso-5208-2015", "iso-5208-2008", "iso-5208-1993"]


@pytest.mark.parametrize("text", ["GB/T12234", "GBT 12234", "gb/t 12234-2019", "GB/T 12234—2019", "12234"])
def test_chinese_designation_spellings(ix, text):
    assert keys(ix.search(text))[0] == "gb-t-12234-2019"


@pytest.mark.parametrize("text", ["IEC 60947-2", "iec 60947-2:2016", "60947-2"])
def test_designation_with_part(ix, text):
    assert keys(ix.search(text))[:2] == ["iec-60947-2-2016", "iec-60947-2-2006"]


def test_gb_part_with_dot(ix):
    assert keys(ix.search("GB/T 14048.2"))[0] == "gb-t-14048.2-2020"


def test_designation_inside_words_comes_first(ix):
    hits = keys(ix.search("valves ISO 5208"))
    assert hits[:3] == ["iso-5208-2015", "iso-5208-2008", "iso-5208-1993"]
    assert "api-600-2015" in hits


def test_designation_scores_mark_exact_work_and_number(ix):
    result = ix.search("ISO 5208:2008")
    assert [h["score"] for h in result.hits] == [100.0, 90.0, 90.0]


# --- words ------------------------------------------------------------------------------------

def test_english_stemmed_title_words(ix):
    assert keys(ix.search("circuit breaker"))[:1] in (["iec-60947-2-2016"], ["gb-t-14048.2-2020"])
    assert set(keys(ix.search("circuit breaker"))) >= {"iec-60947-2-2016", "gb-t-14048.2-2020", "iec-60947-2-2006"}


def test_current_ranks_above_withdrawn_at_equal_relevance(ix):
    hits = keys(ix.search("pressure testing metallic valves"))
    assert hits.index("iso-5208-2015") < hits.index("iso-5208-2008")
    assert "iso-5208-2008" in hits  # withdrawn editions stay findable


def test_french_words(ix):
    assert keys(ix.search("disjoncteurs"))[0] == "iec-60947-2-2016"
    assert keys(ix.search("robinetterie industrielle"))[0] == "iso-5208-2015"


def test_chinese_words(ix):
    assert keys(ix.search("断路器"))[0] == "gb-t-14048.2-2020"
    assert keys(ix.search("压力试验"))[:2] == ["gb-t-13927-2022", "gb-t-13927-2008"]


def test_traditional_chinese_query_is_folded(ix):
    assert keys(ix.search("閘閥"))[0] == "gb-t-12234-2019"
    assert keys(ix.search("斷路器"))[0] == "gb-t-14048.2-2020"


def test_japanese_title_by_bigrams(ix):
    assert keys(ix.search("メートルねじ")) == ["jis-b-0205-1-2001"]


def test_glossary_chinese_finds_english_title(ix):
    hits = keys(ix.search("闸阀"))
    assert hits[0] == "gb-t-12234-2019"
    assert "api-600-2015" in hits


def test_glossary_english_finds_chinese_title(ix):
    hits = keys(ix.search("spectacle frames"))
    assert hits[0] == "iso-12870-2016"
    assert "gb-t-14214-2019" in hits


def test_glossary_french_and_chinese_safety_footwear(ix):
    assert set(keys(ix.search("安全鞋"))) == {"gb-21148-2020", "iso-20345-2021"}
    assert set(keys(ix.search("chaussures de sécurité"))) == {"iso-20345-2021", "gb-21148-2020"}


@pytest.mark.parametrize("text, found", [
    ("pressure testng", "iso-5208-2015"),        # one edit
    ("spectcle frams", "iso-12870-2016"),        # one edit each
    ("switchgaer", "iec-60947-2-2016"),          # transposition, >= 8 letters
])
def test_typos_still_find(ix, text, found):
    assert found in keys(ix.search(text))


def test_did_you_mean(ix):
    assert ix.search("pressure testng").suggestion == "pressure testing"
    assert ix.search("spectcle").suggestion == "spectacle"
    assert ix.search("pressure testing").suggestion is None


@pytest.mark.parametrize("text", ["AND", '"', "title:(", "*", "valves AND", 'key:"x" OR (', "NOT", "<script>", "\\", "?~^"])
def test_hostile_input_never_raises(ix, text):
    result = ix.search(text)
    assert result.total >= 0


def test_operator_words_are_text(ix):
    # 'AND' is an English stop word here, not an operator; both pressure-testing titles match
    assert set(keys(ix.search("valves AND pressure"))[:2]) == {"iso-5208-2015", "gb-t-13927-2022"}
    assert set(keys(ix.search('"industrial valves'))[:2]) == {"iso-5208-2015", "gb-t-13927-2022"}


def test_long_paste_refused_politely(ix):
    with pytest.raises(QueryError, match="2,000 characters long; the limit is 500"):
        ix.search("valve " * 333 + "xx")
    assert ix.search("valve " * 83).total >= 0  # 498 characters: searched


def test_no_match_is_empty(ix):
    result = ix.search("zeppelin")
    assert (result.total, result.hits, result.pages) == (0, [], 1)


# --- snippets ---------------------------------------------------------------------------------

def test_snippet_marks_matches(ix):
    hit = ix.search("pressure testing", filters={"publisher": ["ISO"]}).hits[0]
    assert hit["snippet"] == "Industrial valves - <mark>Pressure</mark> <mark>testing</mark> of metallic valves"


def test_snippet_escapes_html():
    index_records = [std("ISO 1:2022", "iso-1-2022", "iso-1", "ISO", "current",
                          {"en": "Tests <b>& checks</b> for valves"})]
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        index = SearchIndex(Path(tmp) / "index")
        index.rebuild(index_records)
        hit = index.search("checks").hits[0]
        index.close()
    assert hit["snippet"] == "Tests &lt;b&gt;&amp; <mark>checks</mark>&lt;/b&gt; for valves"


def test_snippet_chinese_and_language_choice(ix):
    hit = ix.search("压力试验", lang="zh").hits[0]
    assert hit["snippet"] == "工业阀门 <mark>压力试验</mark>"
    assert hit["in_force"] is True


# --- facets and filters -----------------------------------------------------------------------

def test_facets_on_empty_query(ix):
    facets = ix.search("").facets
    assert facets["publisher"] == [["SAC", 6], ["ISO", 5], ["IEC", 2], ["API", 1], ["JISC", 1]]
    assert facets["status"] == [["current", 10], ["withdrawn", 3], ["replaced", 2]]
    assert facets["ccs"] == [["J", 3], ["C", 1], ["K", 1]]
    assert facets["decade"] == [["2020s", 4], ["2010s", 6], ["2000s", 4], ["1990s", 1]]
    assert facets["system"] == [["valves", 4], ["eyewear", 2], ["low-voltage", 2]]
    assert facets["language"] == [["en", 8], ["fr", 7], ["zh", 6], ["ja", 1]]
    assert ["ISO/TC 153", 3] in facets["committee"]


def test_ics_counts_every_level(ix):
    top = dict(ix.search("").facets["ics"])
    assert top == {"23": 6, "75": 1, "29": 3, "11": 2, "13": 2, "21": 1}


def test_ics_drill_down(ix):
    result = ix.search("", filters={"ics": ["23.060"]})
    assert result.total == 6
    assert result.facets["ics"] == [["23.060.01", 5], ["23.060.30", 1]]
    assert ix.search("", filters={"ics": ["23"]}).facets["ics"] == [["23.060", 6]]


def test_ccs_letter_then_codes(ix):
    result = ix.search("", filters={"ccs": ["j"]})
    assert result.total == 3
    assert result.facets["ccs"] == [["J16", 3]]


def test_filters_combine_and_counts_use_other_filters(ix):
    result = ix.search("valves", filters={"publisher": ["ISO"], "status": ["current"]})
    assert keys(result) == ["iso-5208-2015"]
    # publisher counts: status=current applied, publisher filter not
    # (GB/T 12234 counts: its Chinese title's 闸阀 holds 阀, the glossary's valve)
    assert dict(result.facets["publisher"]) == {"ISO": 1, "SAC": 2, "API": 1}
    # status counts: publisher=ISO applied, status filter not
    assert dict(result.facets["status"]) == {"current": 1, "withdrawn": 2}
    # other facets: both filters applied
    assert result.facets["decade"] == [["2010s", 1]]


def test_multi_select_within_a_facet_is_or(ix):
    result = ix.search("", filters={"publisher": ["ISO", "IEC"]})
    assert result.total == 7


@pytest.mark.parametrize("name, value, total", [
    ("year", "2016", 2), ("decade", "2000s", 4), ("committee", "ISO/TC 153", 3),
    ("language", "zh", 6), ("system", "eyewear", 2), ("status", "withdrawn", 3), ("ccs", "J16", 3),
])
def test_each_filter(ix, name, value, total):
    assert ix.search("", filters={name: [value]}).total == total


def test_unknown_filter_and_sort_refused(ix):
    with pytest.raises(QueryError, match="Cannot filter by 'colour'; use one of: publisher, status"):
        ix.search("valve", filters={"colour": ["red"]})
    with pytest.raises(QueryError, match="Cannot sort by 'colour'; use one of: relevance, designation, date"):
        ix.search("valve", sort="colour")


def test_facets_can_be_skipped(ix):
    assert ix.search("valves", facets=False).facets == {}


# --- sorting and paging -----------------------------------------------------------------------

def test_sort_by_designation_compares_numbers(ix):
    hits = keys(ix.search("", filters={"publisher": ["ISO"]}, sort="designation"))
    assert hits == ["iso-5208-1993", "iso-5208-2008", "iso-5208-2015", "iso-12870-2016", "iso-20345-2021"]


def test_sort_by_date_newest_first(ix):
    hits = keys(ix.search("valves", sort="date"))
    # GB/T 12234 (2019) has only a Chinese title, with 闸阀: its 阀 is the glossary's "valve"
    assert hits[:4] == ["gb-t-13927-2022", "gb-t-12234-2019", "iso-5208-2015", "api-600-2015"]


def test_paging(ix):
    first = ix.search("", page_size=4)
    second = ix.search("", page_size=4, page=2)
    last = ix.search("", page_size=4, page=4)
    assert (first.total, first.pages) == (15, 4)
    assert len(first.hits) == 4 and len(last.hits) == 3
    assert not set(keys(first)) & set(keys(second))


def test_page_size_cap(ix):
    assert len(ix.search("", page_size=100).hits) == 15
    with pytest.raises(QueryError, match="use 1 to 100 hits a page"):
        ix.search("", page_size=101)
    with pytest.raises(QueryError, match="pages start at 1"):
        ix.search("", page=0)


def test_to_json_contract(ix):
    data = ix.search("ISO 5208:2015", page_size=1).to_json()
    assert set(data) == {"query", "total", "hits", "facets", "suggestion", "group", "counts", "understood",
                         "not_held", "related", "series"}
    assert data["hits"] == [{
        "key": "iso-5208-2015", "designation": "ISO 5208:2015",
        "titles": RECORDS[0].titles, "status": "current", "publisher": "ISO", "year": "2015", "score": 100.0,
        "kind": "edition",
    }]
    assert data["total"] == 3
    assert (data["group"], data["counts"], data["not_held"], data["related"], data["series"]) == \
        ("none", "editions", [], [], [])
    assert data["understood"] == [{"text": "ISO 5208:2015", "designation": "ISO 5208:2015", "key": "iso-5208-2015",
                                   "work": "iso-5208", "kind": "edition", "state": "current",
                                   "answer": "iso-5208-2015", "in_force": "iso-5208-2015", "parts": []}]


# --- suggestions ------------------------------------------------------------------------------

def test_suggest_designations_then_titles(ix):
    assert ix.suggest("iso 520") == ["ISO 5208:1993", "ISO 5208:2008", "ISO 5208:2015"]
    assert ix.suggest("GBT1404") == ["GB/T 14048.2-2020"]
    assert ix.suggest("ophthal") == ["Ophthalmic optics - Spectacle frames - Requirements and test methods"]
    assert ix.suggest("") == []


def test_filters_that_exclude_everything_give_no_hits(ix):
    result = ix.search("valves", filters={"publisher": ["JISC"]})
    assert (result.total, result.hits) == (0, [])
    assert dict(result.facets["publisher"])["ISO"] == 3


def test_small_filtered_browse_uses_browse_order(ix):
    # few matches out of many take the sorted() path; the order must be the same as the full scan
    assert keys(ix.search("", filters={"system": ["valves"]})) == [
        "gb-t-12234-2019", "gb-t-13927-2022", "iso-5208-2015", "iso-5208-2008"]


def test_title_match_ranks_above_scope_match(tmp_path):
    index = SearchIndex(tmp_path / "index")
    index.rebuild([
        std("ISO 4045:2018", "iso-4045-2018", "iso-4045", "ISO", "current",
            {"en": "Leather - Chemical tests - Determination of pH and difference figure"},
            scope={"en": "Applies to all types of leather."}),
        std("ISO 20344:2021", "iso-20344-2021", "iso-20344", "ISO", "current",
            {"en": "Personal protective equipment - Test methods for footwear"},
            scope={"en": "Methods for testing footwear, including leather uppers."}),
    ])
    assert keys(index.search("leather")) == ["iso-4045-2018", "iso-20344-2021"]
    index.close()


def test_snippet_marks_traditional_title(tmp_path):
    index = SearchIndex(tmp_path / "index")
    # the real GB/T 12234-2019 title, as a library in Hong Kong or Taiwan records it
    index.rebuild([std("GB/T 12234-2019", "gb-t-12234-2019", "gb-t-12234", "SAC", "current",
                       {"zh-Hant": "石油、天然氣工業用螺柱連接閥蓋的鋼製閘閥"})])
    assert index.search("闸阀").hits[0]["snippet"] == "石油、天然氣工業用螺柱連接閥蓋的鋼製<mark>閘閥</mark>"
    assert index.search("閘閥").total == 1
    index.close()


def test_did_you_mean_replaces_whole_words_only(ix):
    # 'testng' also sits inside the first word, which has no correction: only the word changes
    assert ix.search("metallictestng testng").suggestion == "metallictestng testing"


# --- the snippet's ASCII short-cut ----------------------------------------------------------

TITLE_WORDS = ["valves", "Valve", "testing", "tests", "happy", "happiness", "relational", "x-ray", "ISO",
               "5208", "a", "i", "ies", "Pressure", "pressures", "of", "metallic", "sensibility", "A1b2", "facades"]


@given(st.lists(st.sampled_from(TITLE_WORDS + [" ", " - ", ", ", "(", ")", "/", "_", ":", " — ", "’", "«", "Ⓐ",
                                              "Façades", "façade", "Ωmega", "阀门", "İstanbul"]), max_size=20),
       st.lists(st.sampled_from(TITLE_WORDS), min_size=1, max_size=4))
@settings(max_examples=300, deadline=None)
def test_ascii_snippet_short_cut_marks_what_the_word_by_word_loop_marks(pieces, asked):
    """Where every letter of a title is ASCII the snippet visits only candidate words
    (index/snippets.py); it must mark exactly the spans that stemming every word marks, and
    titles with other letters (accents, Greek, CJK) or non-ASCII punctuation must not differ."""
    from index.query import Understood, fold_word, stem_word
    from index.snippets import match_spans

    title = "".join(pieces)
    words = {fold_word(w) for w in asked}
    stems = {stem_word(fold_word(w)) for w in asked}
    fast = Understood(text=" ".join(asked), words=set(words), stems=set(stems))
    slow = Understood(text=" ".join(asked), words=set(words), stems=set(stems))
    from index.query import collect_stem_heads

    slow.heads = (collect_stem_heads(stems), None)  # no candidate pattern: every word is stemmed
    assert match_spans(title, fast) == match_spans(title, slow)
    assert fast.heads is not None and (fast.heads[1] is not None) == (fast.heads[0] is not None)


@given(st.lists(st.integers(0, 6), min_size=1, max_size=40), st.integers(1, 400), st.integers(9000, 30000),
       st.integers(0, 2**32 - 1))
@settings(max_examples=60, deadline=None)
def test_kth_largest_equals_sorting(levels, k, n, seed):
    """The pool's threshold (index/search.py kth_largest) over arrays large enough for its
    sampled bound: few distinct values (as broad queries' scores are) and many."""
    import numpy as np

    from index.search import kth_largest

    rng = np.random.default_rng(seed)
    few = np.array(levels, dtype=np.float64)[rng.integers(0, len(levels), n)]
    many = rng.random(n) * (1 + few)
    for values in (few, many, np.sort(few), np.sort(many)[::-1]):
        k_here = min(k, len(values))
        assert kth_largest(values, k_here) == np.sort(values)[len(values) - k_here]


def test_kth_largest_falls_back_when_the_sample_misleads():
    """Large values only where the evenly spaced sample looks: fewer than k values reach the
    sampled bound, so the whole array is partitioned (and the answer is still exact)."""
    import numpy as np

    from index.search import kth_largest

    n = 30000
    values = np.zeros(n)
    values[::n // 2048] = np.arange(len(values[::n // 2048]), dtype=np.float64) + 1
    for k in (1, 20, 100, 400):
        assert kth_largest(values, k) == np.sort(values)[n - k]
    sample = np.sort(values[::n // 2048])
    bound = sample[len(sample) - 1 - (4 * 100 * len(sample) // n + 8)]
    assert (values >= bound).sum() < 100  # k = 100 took the fall-back path
