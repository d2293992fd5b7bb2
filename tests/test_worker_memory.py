"""What keeps a serving worker small (issue 11): mapped postings not copied, rows read without a
map, pypinyin without its phrase dictionary, the values behind pages
bounded by bytes, two malloc arenas. Real index, real pypinyin, real glibc; no mocks."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from catalogue.records import Standard
from catalogue.web.cache import GenerationMemo, estimate_size
from index import SearchIndex
from index.schema import ROW_KEY

ROOT = Path(__file__).resolve().parent.parent
WORDS = "valves gate pressure testing steel safety footwear switchgear circuit breakers".split()


def make_records(count: int) -> list[Standard]:
    return [Standard(f"ISO {1000 + i}:2015", key=f"m-{i}", work=f"m-w{i}", publisher="ISO", number=str(1000 + i),
                     year="2015", status="current", titles={"en": " ".join(WORDS[i % 7:i % 7 + 3]).capitalize()},
                     ics=["23.060.01"]) for i in range(count)]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    found = SearchIndex(tmp_path_factory.mktemp("memory") / "index")
    found.rebuild(make_records(60))
    yield found
    found.close()


def take_table(index: SearchIndex):
    with index._lock:
        return index._reading()[1]


def common_term(index: SearchIndex) -> str:
    """The title_en term held by most documents (terms are stemmed: 'valv')."""
    with index._lock:
        reader = index._reading()[0].reader()
        return max(reader.field_terms("title_en"), key=lambda t: reader.doc_frequency("title_en", t))


def owner_of(arr: np.ndarray):
    while isinstance(arr, np.ndarray) and arr.base is not None:
        arr = arr.base
    return arr


def test_a_terms_documents_are_the_mapped_postings_not_a_copy(index):
    table = take_table(index)
    scored = table.terms.get("title_en", common_term(index))
    assert len(scored) > 0
    assert not scored.docs.flags.owndata and not scored.docs.flags.writeable
    assert type(owner_of(scored.docs)).__name__ == "mmap"


def test_boosted_scores_share_the_documents_of_the_term(index):
    table = take_table(index)
    term = common_term(index)
    base = table.terms.get("title_en", term)
    assert len(base) > 0
    boosted = table.terms.get("title_en", term, 2.5)
    assert boosted.docs is base.docs  # one array of document numbers (the map), two of scores
    assert boosted.scores.tolist() == (base.scores * 2.5).tolist()


def mapped_files() -> set[str]:
    return {line.split()[-1] for line in Path("/proc/self/maps").read_text().splitlines() if "/" in line}


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs Linux /proc/self/maps to see the maps")
def test_rows_are_read_without_mapping_their_file(index):
    table = take_table(index)
    rows = [table.rows[int(d)] for d in table.alive]
    assert {row[ROW_KEY] for row in rows} >= {"m-0", "m-59"}
    rows_files = {str(Path(side.bundle.path).with_suffix(".rows")) for side in table.sides}
    assert rows_files and not rows_files & mapped_files()
    assert any(f.endswith(".bnd") for f in mapped_files())  # the tables themselves stay mapped


def test_pypinyin_is_loaded_without_its_phrase_dictionary():
    code = ("import os, sys, json; from index.pinyin import sound_of; "
            "print(json.dumps([sound_of('闸伐'), sound_of('断路器'), 'pypinyin.phrases_dict' in sys.modules, "
            "os.environ.get('PYPINYIN_NO_PHRASES')]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    sounds_wrong, sounds_right, phrases, left = json.loads(out.stdout)
    assert sounds_wrong == ["zha", "fa"] and sounds_right == ["duan", "lu", "qi"]
    assert phrases is False and left is None  # no phrase dictionary, no switch left for children


def test_estimate_size_counts_what_a_value_holds():
    text = "x" * 10_000
    assert estimate_size({"title": text}) >= 10_000
    assert estimate_size([text, text]) < 2 * 10_000  # one object counted once
    assert estimate_size({"a": [1, 2, {"b": "c" * 500}]}) > 500


def test_the_values_behind_pages_are_bounded_by_bytes():
    memo = GenerationMemo(max_entries=100, max_bytes=50_000)
    for i in range(10):
        value = {"key": f"k{i}", "body": "y" * 9_000}
        memo._keep(("standard", i), value, estimate_size(value))
    assert memo.bytes_used <= 50_000 and len(memo) == 5
    assert [k[1] for k in memo._values] == [5, 6, 7, 8, 9]  # least recently stored out first
    memo._keep(("huge", 0), "z" * 60_000, estimate_size("z" * 60_000))  # larger than the bound: not kept
    assert ("huge", 0) not in memo._values and len(memo) == 5


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt is Linux-only")
def test_serving_processes_bound_their_malloc_arenas():
    from catalogue.web.serve import MALLOC_ARENAS, limit_malloc_arenas

    assert MALLOC_ARENAS == 2
    assert limit_malloc_arenas(0) is False
    code = "from catalogue.web.serve import limit_malloc_arenas; print(limit_malloc_arenas(2))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_a_cached_answer_is_kept_deflated_and_sent_as_rendered():
    from catalogue.web.cache import CachedResponse, ResponseCache, make_etag

    body = ("<tr><td>ISO 5208:2015</td><td>Industrial valves — Pressure testing of metallic valves</td></tr>\n"
            * 200).encode("utf-8")
    entry = CachedResponse("200 OK", (("Content-Type", "text/html; charset=utf-8"),), body, make_etag(body))
    assert entry.body == body and entry.etag == make_etag(body)
    assert len(entry.packed) * 10 < len(body) and entry.size < len(body) // 10
    cache = ResponseCache(max_entries=100, max_bytes=3 * entry.size)
    for i in range(5):
        cache.put(i, entry)
    assert len(cache) == 3 and cache.bytes_used == 3 * entry.size  # the bound counts the deflated bytes
