"""The array layer under search: cached postings, numpy scoring, facet columns, the re-rank pool.

Each piece is checked against a plain reference computed here from the same index (Whoosh's
own postings, Python dicts and Counters over the stored rows), on an index of several
segments with deleted documents, so that the fast paths cannot drift from the meaning.
"""
from __future__ import annotations

import bisect
import logging
import math
import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import query as Q

from catalogue.records import Standard
from index import SearchIndex
from index import facets as facets_module
from index import postings as postings_module
from index import scoring
from index.bundle import StringTable, pack_strings
from index.facets import FACETS, count_facet, facet_candidates
from index.grouping import count_standards
from index.postings import CACHED_FIELDS
from index.schema import ROW_FACETS, ROW_WORK
from index.scoring import K1, Scored, Within, combine_all, combine_any, evaluate
from index.writer import current_generation

WORDS = ("valves gate pressure testing steel safety footwear switchgear circuit breakers plugs sockets "
         "frames lenses optics brake filter engines requirements methods rules vocabulary").split()
FR_WORDS = "robinetterie essais pression acier sécurité chaussures appareillage disjoncteurs".split()
ICS = ("23.060.01", "23.060.30", "29.130.20", "11.040.70", "13.340.50", "43.040.40", "59.140.30", "01.040.23")


def make_records(count: int, seed: int, prefix: str = "x") -> list[Standard]:
    """Records with English and French titles, one to three ICS codes, one or two languages."""
    rng = random.Random(seed)
    records = []
    for i in range(count):
        year = str(rng.randint(1980, 2024))
        records.append(Standard(
            f"ISO {1000 + i}:{year}", key=f"{prefix}-{i}", work=f"{prefix}-w{i // 2}", publisher=rng.choice(["ISO", "IEC", "CEN"]),
            number=str(1000 + i), year=year, status=rng.choice(["current", "withdrawn", "replaced", "draft"]),
            titles={"en": " ".join(rng.sample(WORDS, rng.randint(2, 6))).capitalize(),
                    "fr": " ".join(rng.sample(FR_WORDS, rng.randint(1, 3)))},
            scope={"en": " ".join(rng.choices(WORDS, k=rng.randint(0, 12)))},
            ics=rng.sample(ICS, rng.randint(1, 3)), committee=f"TC {rng.randint(1, 6)}",
            languages=rng.sample(["en", "fr", "ru"], rng.randint(1, 2))))
    return records


@pytest.fixture(scope="module")
def multi(tmp_path_factory):
    """An index of four segments (a build and three updates) with deleted documents."""
    path = tmp_path_factory.mktemp("arrays") / "index"
    index = SearchIndex(path)
    index.rebuild(make_records(120, 1, "a"))
    index.update(make_records(40, 2, "b"), delete_keys=["a-3", "a-17", "a-50"])
    index.update(make_records(30, 3, "c"), delete_keys=["b-5"])
    index.update(make_records(10, 4, "d"))
    yield index
    index.close()


def take_snapshot(index: SearchIndex):
    with index._lock:
        return index._reading()


def read_whoosh_scores(reader, fieldname: str, text: str, total: int) -> dict[int, float]:
    """BM25 (b = 0) term scores read posting by posting through Whoosh's public matcher."""
    if (fieldname, text) not in reader:
        return {}
    saturation = (math.log(total / (reader.doc_frequency(fieldname, text) + 1)) + 1) * (K1 + 1)
    out = {}
    leaves = reader.leaf_readers() if not reader.is_atomic() else [(reader, 0)]
    for leaf, offset in leaves:
        if (fieldname, text) in leaf:
            matcher = leaf.postings(fieldname, text)
            while matcher.is_active():
                tf = matcher.weight()
                out[matcher.id() + offset] = saturation * tf / (tf + K1)
                matcher.next()
    return out


def to_dict(scored: Scored) -> dict[int, float]:
    return dict(zip(scored.docs.tolist(), scored.scores.tolist()))


# --- cached postings --------------------------------------------------------------------------

def test_index_has_several_segments_and_deletions(multi):
    searcher, table = take_snapshot(multi)
    assert len(searcher.leaf_searchers()) >= 2
    assert len(table.alive) == multi.count() == 196 < len(table.rows)


def test_array_postings_equal_whoosh_postings_for_every_term(multi):
    searcher, table = take_snapshot(multi)
    reader = searcher.reader()
    checked = 0
    for fieldname in CACHED_FIELDS:
        if fieldname not in reader.schema:
            continue
        for text in reader.field_terms(fieldname):
            expected = read_whoosh_scores(reader, fieldname, text, table.terms.total)
            got = table.terms.get(fieldname, text)
            # the arrays keep deleted documents (as Whoosh's blocks do; searches drop them),
            # Whoosh's public matcher skips them
            live = table.live[got.docs]
            assert got.docs[live].tolist() == sorted(expected), (fieldname, text)
            assert got.scores[live].tolist() == [expected[d] for d in sorted(expected)], (fieldname, text)
            assert table.terms.doc_frequency(fieldname, text) == reader.doc_frequency(fieldname, text)
            assert table.terms.contains(fieldname, text)
            checked += 1
    assert checked > 60  # every distinct word of five text fields
    assert not table.terms.contains("title_en", "nosuchword")
    assert len(table.terms.get("title_en", "nosuchword")) == 0


def test_cache_files_are_written_per_segment_and_reused(multi, monkeypatch):
    searcher, _ = take_snapshot(multi)
    folder = current_generation(multi.path)
    segments = {leaf.reader().segment().segment_id() for leaf, _ in searcher.leaf_searchers()}
    assert {p.name for p in folder.glob("post-*")} == {f"post-{s}.{ext}" for s in segments for ext in ("npy", "terms")}

    def no_walk(reader):
        raise AssertionError("the cache files should have been read")

    monkeypatch.setattr(postings_module, "walk_postings", no_walk)
    again = SearchIndex(multi.path)
    try:
        assert again.search("valves").total == multi.search("valves").total > 0
    finally:
        again.close()


def test_unreadable_cache_is_ignored_and_rewritten(tmp_path, caplog):
    index = SearchIndex(tmp_path / "index")
    index.rebuild(make_records(30, 5))
    expected = [h["key"] for h in index.search("pressure testing").hits]
    index.close()
    folder = current_generation(tmp_path / "index")
    (terms_file,) = folder.glob("post-*.terms")
    terms_file.write_bytes(b"not marshal")
    with caplog.at_level(logging.WARNING, logger="index.postings"):
        again = SearchIndex(tmp_path / "index")
    try:
        assert "ignoring the unreadable postings cache" in caplog.text
        assert [h["key"] for h in again.search("pressure testing").hits] == expected
        assert terms_file.read_bytes() != b"not marshal"
    finally:
        again.close()


def test_cache_files_of_merged_segments_are_removed(tmp_path):
    index = SearchIndex(tmp_path / "index")
    index.rebuild(make_records(10, 6))
    folder = current_generation(tmp_path / "index")
    stale = [folder / "post-MAIN_gone.npy", folder / "post-MAIN_gone.terms", folder / "post-MAIN_gone.npy.99.tmp"]
    for path in stale:
        path.write_bytes(b"")
    index.update(make_records(3, 7, "z"))  # a new segment: the next search makes a new table
    assert index.count() == 13
    index.close()
    assert [p.exists() for p in stale] == [False, False, True]  # another process's temporary file stays


def test_read_only_folder_still_searches(tmp_path, monkeypatch):
    index = SearchIndex(tmp_path / "index")
    index.rebuild(make_records(20, 8))
    expected = [h["key"] for h in index.search("valves testing", page_size=100).hits]
    index.close()
    for path in current_generation(tmp_path / "index").glob("post-*"):
        path.unlink()

    def refuse(*args, **kwargs):
        raise OSError("read-only file system")

    monkeypatch.setattr(postings_module.os, "replace", refuse)
    again = SearchIndex(tmp_path / "index")
    try:
        assert expected and [h["key"] for h in again.search("valves testing", page_size=100).hits] == expected
        assert not list(current_generation(tmp_path / "index").glob("post-*"))
    finally:
        again.close()


# --- scoring ----------------------------------------------------------------------------------

def evaluate_with_dicts(q: Q.Query, reader, total: int) -> dict[int, float]:
    """The dict evaluation the arrays replaced (index/scoring.py before numpy)."""
    if isinstance(q, Q.Term):
        base = read_whoosh_scores(reader, q.fieldname, q.text, total)
        return {d: s * q.boost for d, s in base.items()} if q.boost != 1.0 else base
    parts = [evaluate_with_dicts(sub, reader, total) for sub in q.subqueries]
    if isinstance(q, Q.And):
        if not parts or any(not p for p in parts):
            return {}
        common = set.intersection(*(set(p) for p in parts))
        result = {d: sum(p[d] for p in sorted(parts, key=len)) for d in common}
    else:
        result = {}
        for part in sorted(parts, key=len, reverse=True):
            for d, s in part.items():
                if isinstance(q, Q.DisjunctionMax):
                    result[d] = max(result.get(d, 0.0), s)
                else:
                    result[d] = result.get(d, 0.0) + s
    return {d: s * q.boost for d, s in result.items()} if q.boost != 1 else result


TERMS = [("title_en", "valv"), ("title_en", "pressur"), ("title_en", "test"), ("title_en", "safeti"),
         ("scope_en", "valv"), ("scope_en", "method"), ("scope_en", "requir"), ("title_fr", "essais"),
         ("title_plain", "valves"), ("title_plain", "steel"), ("title_plain", "nosuchword")]
term_queries = st.builds(lambda t, b: Q.Term(t[0], t[1], boost=b), st.sampled_from(TERMS),
                         st.sampled_from([1.0, 4.0, 0.25, 0.99]))
queries = st.recursive(term_queries, lambda inner: st.one_of(
    st.builds(lambda subs: Q.And(subs), st.lists(inner, min_size=1, max_size=3)),
    st.builds(lambda subs: Q.Or(subs), st.lists(inner, min_size=1, max_size=4)),
    st.builds(lambda subs: Q.DisjunctionMax(subs), st.lists(inner, min_size=1, max_size=3)),
), max_leaves=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=queries, ratio=st.sampled_from([0, 3, 10**6]), cut=st.integers(0, 250))
def test_array_evaluation_equals_dict_reference(multi, monkeypatch, q, ratio, cut):
    monkeypatch.setattr(scoring, "SPARSE_RATIO", ratio)  # 0: always dense; 10**6: always sorted merge
    searcher, table = take_snapshot(multi)
    expected = evaluate_with_dicts(q, searcher.reader(), table.terms.total)
    got = {d: s for d, s in to_dict(evaluate(q, table.terms)).items() if table.live[d]}
    assert sorted(got) == sorted(expected)
    assert all(math.isclose(got[d], expected[d], rel_tol=1e-12) for d in got)
    # only some candidates wanted: the same documents among them, the same scores
    within = np.arange(cut, table.size, 3, dtype=np.int32)
    restricted = {d: s for d, s in to_dict(evaluate(q, table.terms, Within(within, table.size))).items()
                  if table.live[d]}
    wanted = set(within.tolist())
    assert sorted(restricted) == sorted(d for d in expected if d in wanted)
    assert all(math.isclose(restricted[d], expected[d], rel_tol=1e-12) for d in restricted)


def test_union_and_intersection_edge_cases():
    empty = scoring.EMPTY
    one = Scored(np.array([1, 5], dtype=np.int32), np.array([1.0, 2.0]))
    two = Scored(np.array([5, 7], dtype=np.int32), np.array([0.5, 3.0]))
    assert combine_any([], 10) is empty and combine_any([empty, one], 10) is one
    assert to_dict(combine_any([one, two], 10)) == {1: 1.0, 5: 2.5, 7: 3.0}
    assert to_dict(combine_any([one, two], 10, take_max=True)) == {1: 1.0, 5: 2.0, 7: 3.0}
    assert to_dict(combine_all([one, two], 10)) == {5: 2.5}
    assert len(combine_all([one, empty], 10)) == 0 and len(combine_all([], 10)) == 0
    assert (one.score_of(5), one.score_of(6)) == (2.0, None)


# --- facets -----------------------------------------------------------------------------------

def count_by_rows(table, name: str, docs: list[int], active: list[str]) -> list[list]:
    position = FACETS.index(name)
    counts = Counter(v for d in docs for v in set(table.rows[d][ROW_FACETS][position]))
    wanted = set(facet_candidates(table, name, active))
    items = [(v, n) for v, n in counts.items() if v in wanted]
    if name in facets_module.BY_VALUE_DESC:
        items.sort(key=lambda item: item[0], reverse=True)
    else:
        items.sort(key=lambda item: (-item[1], item[0]))
    return [[v, n] for v, n in items[:facets_module.FACET_LIMIT]]


@pytest.mark.parametrize("size", [0, 1, 7, 40, 150, 196])
@pytest.mark.parametrize("active", [[], ["23"], ["23.060", "13"]])
def test_facet_counts_equal_counting_the_rows(multi, size, active):
    _, table = take_snapshot(multi)
    docs = sorted(random.Random(size).sample(table.alive.tolist(), size))
    array = np.array(docs, dtype=np.int32)
    for name in FACETS:
        chosen = active if name == "ics" else []
        assert count_facet(table, name, array, chosen) == count_by_rows(table, name, docs, chosen), name
        column = table.columns[name]
        if column.single is None:  # both counting paths of a multi-valued facet
            for threshold in (0, 10**9):
                column.expand_below, kept = threshold, column.expand_below
                try:
                    assert count_facet(table, name, array, chosen) == count_by_rows(table, name, docs, chosen)
                finally:
                    column.expand_below = kept


def count_standards_by_rows(table, name: str, docs: list[int], active: list[str]) -> list[list]:
    """Distinct standards (works) per value, read row by row."""
    position = FACETS.index(name)
    works: dict[str, set] = {}
    for d in docs:
        row = table.rows[d]
        for v in set(row[ROW_FACETS][position]):
            works.setdefault(v, set()).add(row[ROW_WORK])
    wanted = set(facet_candidates(table, name, active))
    items = [(v, len(w)) for v, w in works.items() if v in wanted]
    if name in facets_module.BY_VALUE_DESC:
        items.sort(key=lambda item: item[0], reverse=True)
    else:
        items.sort(key=lambda item: (-item[1], item[0]))
    return [[v, n] for v, n in items[:facets_module.FACET_LIMIT]]


@pytest.mark.parametrize("scatter", [True, False])
@pytest.mark.parametrize("size", [0, 1, 7, 40, 150, 196])
def test_facet_counts_of_standards_equal_counting_distinct_works(tmp_path_factory, monkeypatch, size, scatter):
    """Counting standards: facets whose values differ between a standard's editions (publisher,
    status, ICS: each edition draws its own) and facets the editions share (committee and ICS
    in the second half, where every edition carries its work's)."""
    index = SearchIndex(tmp_path_factory.mktemp("grouped") / "index")
    try:
        records = make_records(200, 5, "g")
        for r in records[100:]:  # the second half: editions of a work share committee and ICS
            r.committee = f"TC {int(r.work.rsplit('w', 1)[1]) % 5}"
            r.ics = [ICS[int(r.work.rsplit('w', 1)[1]) % len(ICS)]]
        index.rebuild(records)
        _, table = take_snapshot(index)
        docs = sorted(random.Random(size).sample(table.alive.tolist(), size))
        array = np.array(docs, dtype=np.int32)
        if not scatter:  # distinct (standard, value) pairs by np.unique rather than a scratch array
            monkeypatch.setattr(facets_module, "SCATTER_CELLS", 0)
        standards = facets_module.Standards(table, array)
        assert standards.count == count_standards(table, array) == len({table.rows[d][ROW_WORK] for d in docs})
        assert sorted(table.rows[int(d)][ROW_WORK] for d in standards.first) == sorted({table.rows[d][ROW_WORK] for d in docs})
        for name in FACETS:
            assert count_facet(table, name, array, [], standards) == count_standards_by_rows(table, name, docs, []), name
        # the second half's committee is shared by every edition of a work, the first half's is not
        assert table.columns["committee"].uniform is not None and table.columns["committee"].uniform.any()
    finally:
        index.close()


def test_ics_facet_lists_top_level_codes_only_without_an_ics_filter(tmp_path):
    # 13 top-level ICS fields (more than a dozen); the matches hold 6 with a second level and
    # one without, 13 values in all: the count of values then equals the count of top-level
    # candidates, which made the dict version skip its level filter
    records = [Standard(f"ISO {100 + i}:2020", key=f"iso-{100 + i}-2020", work=f"iso-{100 + i}", publisher="ISO",
                        number=str(100 + i), year="2020", status="current",
                        titles={"en": "Valves" if i < 7 else "Pumps"},
                        ics=[f"{11 + i}.020" if i < 6 else f"{11 + i}"]) for i in range(13)]
    index = SearchIndex(tmp_path / "index")
    try:
        index.rebuild(records)
        result = index.search("valves")
        assert result.total == 7
        assert result.facets["ics"] == [[f"{11 + i}", 1] for i in range(7)]
        assert index.search("valves", filters={"ics": ["11"]}).facets["ics"] == [["11.020", 1]]
    finally:
        index.close()


def test_filter_masks_are_bounded_and_read_only(multi, monkeypatch):
    _, table = take_snapshot(multi)
    monkeypatch.setattr(facets_module, "MASK_BYTES", 2 * table.size)
    expected = {v: multi.search("", filters={"publisher": [v]}, group="none").total for v in ("ISO", "IEC", "CEN")}
    assert sum(expected.values()) == multi.count()
    assert len(table._masks) <= 2
    mask = table.get_value_mask("publisher", "ISO")
    assert int(mask.sum()) == expected["ISO"] and not mask.flags.writeable
    both = multi.search("", filters={"publisher": ["ISO", "IEC"]}, group="none").total
    assert both == expected["ISO"] + expected["IEC"]


# --- ranking ----------------------------------------------------------------------------------

def test_rerank_pool_keeps_every_tie_at_its_edge(tmp_path):
    # 320 titles that match one word once score the same BM25 (b = 0); the title-length
    # normalisation must see all of them, so the shortest title wins wherever it sorts
    filler = " ".join(["general", "rules", "for", "the", "design", "of", "equipment", "used", "in", "plants"])
    records = [Standard(f"ISO {1000 + i}:2020", key=f"iso-{1000 + i}-2020", work=f"iso-{1000 + i}", publisher="ISO",
                        number=str(1000 + i), year="2020", status="current",
                        titles={"en": f"Gaskets - {filler} {filler}"}) for i in range(319)]
    records.append(Standard("ISO 9999:2020", key="iso-9999-2020", work="iso-9999", publisher="ISO", number="9999",
                            year="2020", status="current", titles={"en": "Gaskets"}))
    index = SearchIndex(tmp_path / "index")
    try:
        index.rebuild(records)
        result = index.search("gaskets", page_size=5)
        assert result.total == 320
        assert result.hits[0]["key"] == "iso-9999-2020"
        assert [h["key"] for h in result.hits[1:]] == [f"iso-{1000 + i}-2020" for i in range(4)]  # designation order
    finally:
        index.close()


def test_warm_pages_in_postings_and_search_after(multi):
    multi.warm()
    assert multi.search("pressure testing", filters={"status": ["current"]}).total > 0


@pytest.mark.parametrize("group", ["work", "none"])
def test_pages_follow_one_order_however_far_one_pages(tmp_path, monkeypatch, group):
    """Paging past the re-ranking pool never repeats or skips a hit: page after page of five
    lists what one long page lists, in the same order (a pool of 7 makes many tiers of 150
    matches, with titles of many lengths and statuses)."""
    from index import search as search_module
    monkeypatch.setattr(search_module, "RERANK_POOL", 7)
    index = SearchIndex(tmp_path / "index")
    try:
        index.rebuild(make_records(150, 11, "p"))
        whole = index.search("valves", page_size=100, group=group)
        rest = index.search("valves", page_size=100, page=2, group=group)
        expected = [h["key"] for h in whole.hits + rest.hits]
        assert len(expected) == whole.total > 40
        paged = []
        for page in range(1, whole.total // 5 + 2):
            paged += [h["key"] for h in index.search("valves", page_size=5, page=page, group=group).hits]
        assert paged == expected
        assert len(set(paged)) == len(paged)
    finally:
        index.close()


@settings(max_examples=200, deadline=None)
@given(words=st.sets(st.text(alphabet=st.sampled_from("ab\x00zé阀门-.0129"), max_size=12), max_size=40),
       probes=st.lists(st.text(alphabet=st.sampled_from("ab\x00zé阀门-.0129"), max_size=13), max_size=20))
def test_a_string_table_finds_what_a_plain_bisection_finds(words, probes):
    # the numeric heads narrow the bisection; the answer is the plain bisection's, for every
    # string, prefix, longer and shorter probe, shared first bytes and NUL bytes
    ordered = sorted(words, key=lambda w: w.encode("utf-8"))
    table = StringTable(*pack_strings(ordered))
    encoded = [w.encode("utf-8") for w in ordered]
    for probe in list(probes) + ordered + [w[:3] for w in ordered]:
        key = probe.encode("utf-8")
        assert table.lower_bound(key) == bisect.bisect_left(encoded, key)
        assert table.find(probe) == (ordered.index(probe) if probe in words else -1)
        lo, hi = table.prefix_range(probe)
        assert [w for w in ordered[lo:hi]] == [w for w in ordered if w.encode("utf-8").startswith(key)]
