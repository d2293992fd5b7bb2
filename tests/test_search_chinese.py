"""Chinese that always finds (issue 12, Deliver 3): one character, short words, parts of compounds,
homophone typos through pinyin, and mixed queries, over real standards' titles."""
from __future__ import annotations

import pytest

from catalogue.records import Standard
from index import SearchIndex


def std(designation, key, work, publisher, titles, **kw) -> Standard:
    return Standard(designation, key=key, work=work, publisher=publisher, status="current", titles=titles, **kw)


RECORDS = [
    std("GB/T 12234-2019", "gb-t-12234-2019", "gb-t-12234", "GB", {"zh": "石油、天然气工业用螺柱连接阀盖的钢制闸阀"}),
    std("GB/T 12237-2021", "gb-t-12237-2021", "gb-t-12237", "GB", {"zh": "石油、石化及相关工业用的钢制球阀"}),
    std("GB/T 3216-2016", "gb-t-3216-2016", "gb-t-3216", "GB", {"zh": "回转动力泵 水力性能验收试验 1级、2级和3级"}),
    std("QB/T 1002-2015", "qb-t-1002-2015", "qb-t-1002", "QB", {"zh": "皮鞋"}),
    std("GB 21148-2020", "gb-21148-2020", "gb-21148", "GB", {"zh": "足部防护 安全鞋", "en": "Foot protection - Safety footwear"}),
    std("GB/T 14214-2019", "gb-t-14214-2019", "gb-t-14214", "GB", {"zh": "眼镜架 通用要求和试验方法"}),
    std("GB/T 14048.2-2020", "gb-t-14048.2-2020", "gb-t-14048.2", "GB",
        {"zh": "低压开关设备和控制设备 第2部分：断路器"}),
    # scopes in our own words, from the facts of the real records' abstracts
    std("ISO 5208:2015", "iso-5208-2015", "iso-5208", "ISO", {"en": "Industrial valves - Pressure testing of metallic valves"},
        scope={"en": "Tests of the pressure boundary of metallic valves and of their closure tightness."}),
    std("ISO 10497:2022", "iso-10497-2022", "iso-10497", "ISO", {"en": "Testing of valves - Fire type-testing requirements"},
        scope={"en": "A fire type-test of valves, measuring the leakage through their seat."}),
    std("ISO 12870:2024", "iso-12870-2024", "iso-12870", "ISO",
        {"en": "Ophthalmic optics - Spectacle frames - Requirements and test methods"}),
    std("IEC 63145-1-1:2018", "iec-63145-1-1-2018", "iec-63145-1-1", "IEC",
        {"en": "Eyewear display - Part 1-1: Generic - Introduction"}),
    std("ISO 17292:2015", "iso-17292-2015", "iso-17292", "ISO",
        {"en": "Metal ball valves for petroleum, petrochemical and allied industries"}),
    std("ISO 20345:2021", "iso-20345-2021", "iso-20345", "ISO", {"en": "Personal protective equipment - Safety footwear"}),
    std("ISO 9906:2012", "iso-9906-2012", "iso-9906", "ISO",
        {"en": "Rotodynamic pumps - Hydraulic performance acceptance tests - Grades 1, 2 and 3"}),
    std("EN 12209:2016", "en-12209-2016", "en-12209", "EN",
        {"en": "Building hardware - Locks and latches - Mechanically operated locks, latches and locking plates"}),
    std("IEC 60947-2:2024", "iec-60947-2-2024", "iec-60947-2", "IEC",
        {"en": "Low-voltage switchgear and controlgear - Part 2: Circuit-breakers"}),
]


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    index = SearchIndex(tmp_path_factory.mktemp("chinese") / "index")
    index.rebuild(RECORDS)
    yield index
    index.close()


def keys(result) -> set[str]:
    return {hit["key"] for hit in result.hits}


@pytest.mark.parametrize("text, expected", [
    ("阀", {"gb-t-12234-2019", "gb-t-12237-2021", "iso-5208-2015", "iso-10497-2022", "iso-17292-2015"}),
    ("泵", {"gb-t-3216-2016", "iso-9906-2012"}),
    ("鞋", {"qb-t-1002-2015", "gb-21148-2020", "iso-20345-2021"}),
    ("锁", {"en-12209-2016"}),
    ("镜", {"gb-t-14214-2019", "iso-12870-2024"}),
])
def test_one_character_finds_chinese_titles_and_through_the_glossary(ix, text, expected):
    assert expected <= keys(ix.search(text))


def test_short_word_found_in_a_chinese_title_and_by_its_parts(ix):
    assert next(iter(ix.search("皮鞋").hits))["key"] == "qb-t-1002-2015"
    assert "iso-20345-2021" in keys(ix.search("皮鞋"))  # 鞋, the head of 皮鞋, is footwear


def test_a_word_no_title_holds_is_found_by_its_head(tmp_path):
    index = SearchIndex(tmp_path / "index")
    index.rebuild([r for r in RECORDS if r.key != "qb-t-1002-2015"])
    try:
        # no title holds 皮鞋 and none says "leather shoes": 鞋 (footwear) still finds
        assert {"gb-21148-2020", "iso-20345-2021"} <= keys(index.search("皮鞋"))
    finally:
        index.close()


@pytest.mark.parametrize("typo, word, found", [
    ("闸伐", "闸阀", "gb-t-12234-2019"),
    ("断录器", "断路器", "gb-t-14048.2-2020"),
])
def test_chinese_typo_gets_a_chinese_did_you_mean(ix, typo, word, found):
    result = ix.search(typo)
    assert result.suggestion == word
    assert found in keys(result)


def test_words_of_known_terms_are_never_corrected(ix):
    assert ix.search("钢制闸阀").suggestion is None


def test_eyeglasses_rank_spectacle_frames_above_eyewear_displays(ix):
    ranked = [hit["key"] for hit in ix.search("眼镜").hits]
    assert ranked.index("iso-12870-2024") < ranked.index("iec-63145-1-1-2018")


def test_valve_seat_test_ranks_pressure_testing_above_fire_testing(ix):
    ranked = [hit["key"] for hit in ix.search("阀门 密封试验").hits]
    assert ranked.index("iso-5208-2015") < ranked.index("iso-10497-2022")


def test_mixed_designation_and_chinese(ix):
    result = ix.search("API 6D 球阀")
    assert [item["designation"] for item in result.not_held] == ["API 6D"]
    assert {"gb-t-12237-2021", "iso-17292-2015"} <= keys(result)
    assert all(not hit["key"].startswith("api") for hit in result.hits)
