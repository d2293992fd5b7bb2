"""Properties of the designation grammar, checked with hypothesis over the real table and arbitrary text."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.designation import DesignationError, find_designations, parse_designation
from conftest import FIXTURES

ROWS = [line.split("\t") for line in (FIXTURES / "designations.tsv").read_text(encoding="utf-8").split("\n")
        if line and not line.startswith("#")]
DISPLAYS = sorted({row[1] for row in ROWS})
BOUNDED = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


@st.composite
def respelled(draw):
    """A table display, re-typed: random case, spaces dropped or doubled, full-width characters, dashes."""
    display = draw(st.sampled_from(DISPLAYS))
    out = []
    for char in display:
        if char == " ":
            out.append(draw(st.sampled_from(["", " ", "  ", "\u3000"])))
            continue
        if char == "-" and draw(st.booleans()):
            char = draw(st.sampled_from(["\u2013", "\u2014", "\uff0d"]))
        if char.isalpha() and draw(st.booleans()):
            char = char.swapcase()
        if draw(st.integers(0, 5)) == 0:
            char = FULL_WIDTH.get(char, char)
        out.append(char)
    return display, "".join(out)


@BOUNDED
@given(respelled())
def test_key_survives_case_spacing_and_full_width(pair):
    display, typed = pair
    assert parse_designation(typed).key == parse_designation(display).key


@BOUNDED
@given(st.sampled_from(DISPLAYS))
def test_display_round_trip_is_stable(display):
    first = parse_designation(display)
    again = parse_designation(first.display)
    assert again == first
    assert parse_designation(first.display.replace(" ", "  ")).key == first.key


@BOUNDED
@given(st.text(alphabet=st.sampled_from(list("ISOGBTIECENAPDMQ/:-+.  0123456789表第版—：／ａ")), max_size=30)
       | st.text(max_size=40))
def test_parse_raises_only_designation_error(text):
    try:
        found = parse_designation(text)
    except DesignationError as error:
        assert str(error).endswith(".")
    else:
        assert found.key and found.key == found.key.lower()


@BOUNDED
@given(st.lists(st.sampled_from(DISPLAYS) | st.text(max_size=12) | st.sampled_from(["按", "《阀门》", "、", "。", " and "]),
                max_size=6))
def test_found_offsets_slice_to_the_found_text(pieces):
    text = "".join(pieces)
    for item in find_designations(text):
        assert text[item.start:item.end] == item.text
        assert item.text == item.text.strip()
