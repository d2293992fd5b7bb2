"""The generated fuzz tier (issue 14, point 5): every reader of the registry (ingest/registry.py),
through its entry point ``read(path)``, on random bytes and on truncated and mutated real
fixtures (tests/data/readers/*, tests/data/bad/*). Each input must give only Readings (a problem,
a skip or a record: never a traceback) within PER_INPUT_SECONDS of CPU, and a good file with one
bad record appended keeps every record of its good part.

Bounded: hypothesis runs a fixed number of examples per reader (``derandomize``: the same
inputs on every run, so a failure is reproducible; no example database is written). The whole
tier takes about 25 s here (12 s with 12 examples), hence the ``slow`` marker (``make test`` runs it).
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.records import Reading
from ingest.registry import READERS

from conftest import FIXTURES

pytestmark = pytest.mark.slow

#: CPU seconds one reader may spend on one fuzzed input (a few KB; the real cost is milliseconds).
PER_INPUT_SECONDS = 5.0
#: Examples per reader and kind of input; FUZZ_EXAMPLES=200 explores further (still reproducible).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

SEED_FILES = sorted(p for folder in (FIXTURES / "readers", FIXTURES / "bad") for p in folder.rglob("*")
                    if p.is_file() and not p.name.endswith(".expected.json") and p.stat().st_size <= 64 * 1024)
SEEDS = [p.read_bytes() for p in SEED_FILES]


@st.composite
def mutated_seed(draw) -> bytes:
    """A real fixture, cut short, with bytes flipped, or with random bytes inserted."""
    data = draw(st.sampled_from(SEEDS))
    how = draw(st.sampled_from(("truncate", "flip", "insert", "duplicate")))
    if not data:
        return data
    at = draw(st.integers(0, len(data) - 1))
    if how == "truncate":
        return data[:at]
    if how == "flip":
        flips = draw(st.lists(st.tuples(st.integers(0, len(data) - 1), st.integers(1, 255)), min_size=1, max_size=8))
        out = bytearray(data)
        for pos, mask in flips:
            out[pos] ^= mask
        return bytes(out)
    if how == "insert":
        return data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
    return data[:at] + data[at:at + 512] * draw(st.integers(2, 20)) + data[at:]


def read_all(spec, data: bytes, folder: Path) -> list[Reading]:
    """Run one reader on ``data`` written under its first extension; only Readings, in bounded time."""
    path = folder / f"fuzz{spec.extensions[0] if spec.extensions else '.dat'}"
    path.write_bytes(data)
    started = time.process_time()
    readings = []
    for reading in spec.read(path):
        assert isinstance(reading, Reading), (spec.name, type(reading))
        readings.append(reading)
        assert time.process_time() - started < PER_INPUT_SECONDS, (spec.name, len(data))
    assert time.process_time() - started < PER_INPUT_SECONDS, (spec.name, len(data))
    return readings


@pytest.mark.parametrize("spec", READERS, ids=lambda s: s.name)
def test_random_bytes_give_only_readings(spec, tmp_path):
    @FUZZ
    @given(data=st.one_of(st.binary(max_size=4096), st.text(max_size=2048).map(lambda t: t.encode("utf-8"))))
    def check(data):
        read_all(spec, data, tmp_path)
    check()


@pytest.mark.parametrize("spec", READERS, ids=lambda s: s.name)
def test_truncated_and_mutated_fixtures_give_only_readings(spec, tmp_path):
    @FUZZ
    @given(data=mutated_seed())
    def check(data):
        read_all(spec, data, tmp_path)
    check()


#: Generated bad records: JSON of any shape, and a few textual hazards.
BAD_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                        lambda children: st.lists(children, max_size=4) | st.dictionaries(
                            st.sampled_from(["designation", "titles", "dates", "ics", "relations", "holdings",
                                             "kind", "sources", "status", "edition", "scheme", "code"]), children,
                            max_size=5), max_leaves=20)


def designations_of(readings: list[Reading]) -> set[str]:
    return {r.item.designation for r in readings if r.item is not None and hasattr(r.item, "designation")}


def test_a_bad_jsonl_record_appended_loses_nothing_of_the_good_part(tmp_path):
    good = (FIXTURES / "catalogue" / "small.jsonl").read_bytes()
    spec = next(s for s in READERS if s.name == "catalogue-jsonl")
    wanted = designations_of(read_all(spec, good, tmp_path))
    assert len(wanted) == 8

    @FUZZ
    @given(bad=st.one_of(BAD_JSON.map(lambda v: json.dumps(v).encode("utf-8")), st.binary(max_size=200)))
    def check(bad):
        line = bad.replace(b"\n", b" ")
        readings = read_all(spec, good + line + b"\n", tmp_path)
        assert wanted <= designations_of(readings)
    check()


def test_a_bad_csv_row_appended_loses_nothing_of_the_good_part(tmp_path):
    good = (FIXTURES / "readers" / "sheet" / "museum-utf8.csv").read_bytes()
    spec = next(s for s in READERS if s.name == "sheet")
    wanted = designations_of(read_all(spec, good, tmp_path))
    assert wanted

    @FUZZ
    @given(bad=st.text(alphabet=st.sampled_from(list('",;\t\r\n abc标准GB/T 1-') + ["\x00"]), max_size=200))
    def check(bad):
        data = good if good.endswith(b"\n") else good + b"\n"
        readings = read_all(spec, data + bad.encode("utf-8") + b"\n", tmp_path)
        assert wanted <= designations_of(readings)
    check()
