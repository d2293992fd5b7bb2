"""GB/T 7714-2015 references for standards: the form, on the page, as a download and in export.

Records are the web fixture catalogue's (real designations, titles, editions and dates)."""
from __future__ import annotations

from click.testing import CliRunner

from catalogue.citation import gb7714_designation, gb7714_text
from catalogue.cli import main
from catalogue.store import Store
from test_web_support import RECORDS, app, client, soup_of, text_of, web_home  # noqa: F401 - fixtures


def record(web_home, key):
    with Store(web_home) as store:
        return store.get(key)


def test_chinese_standard_uses_its_chinese_title_and_the_em_dash(web_home):
    # The record names no issuing authority, place or press: they are left out, never guessed.
    assert gb7714_text(record(web_home, "gb-t-13927-2008")) == "工业阀门 压力试验: GB/T 13927—2008[S]. 2008."
    assert gb7714_text(record(web_home, "gb-t-14048.2-2020")) == (
        "低压开关设备和控制设备 第2部分：断路器: GB/T 14048.2—2020[S]. 2020.")


def test_international_standard_names_its_body_and_edition(web_home):
    assert gb7714_text(record(web_home, "iso-5208-2015")) == (
        "ISO. Industrial valves - Pressure testing of metallic valves: ISO 5208:2015[S]. 4th ed. 2015.")
    # IEC writes its sixth edition '6.0'.
    assert gb7714_text(record(web_home, "iec-60947-2-2024")) == (
        "IEC. Low-voltage switchgear and controlgear - Part 2: Circuit-breakers: IEC 60947-2:2024[S]. 6th ed. 2024.")


def test_what_a_record_lacks_is_left_out(web_home):
    rec = record(web_home, "gb-t-13927-2008")
    rec.titles = {}
    rec.published = ""
    assert gb7714_text(rec) == "GB/T 13927—2008[S]. 2008."
    rec.year = ""
    assert gb7714_text(rec) == "GB/T 13927—2008[S]."
    assert gb7714_designation(record(web_home, "iso-5208-2015")) == "ISO 5208:2015"


def test_the_cite_panel_shows_the_reference_and_links_the_download(client):
    soup = soup_of(client.get("/standards/gb-t-13927-2008"))
    box = soup.select_one("textarea#citation-gb7714")
    assert box.has_attr("readonly")
    assert box.get_text() == "工业阀门 压力试验: GB/T 13927—2008[S]. 2008."
    assert text_of(soup.select_one('label[for="citation-gb7714"]')) == "Reference in the GB/T 7714-2015 form"
    link = [a for a in soup.select("ul.exports a") if text_of(a) == "GB/T 7714"][0]
    assert link["href"] == "/standards/gb-t-13927-2008.gb7714"
    data = client.get("/standards/gb-t-13927-2008.json").get_json()
    assert data["citation_gb7714"] == "工业阀门 压力试验: GB/T 13927—2008[S]. 2008."
    assert data["exports"]["gb7714"] == "/standards/gb-t-13927-2008.gb7714"


def test_the_download(client):
    response = client.get("/standards/iso-5208-2015.gb7714")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="iso-5208-2015.gb7714.txt"'
    assert response.get_data(as_text=True) == (
        "ISO. Industrial valves - Pressure testing of metallic valves: ISO 5208:2015[S]. 4th ed. 2015.\r\n")
    # A work key still leads to the edition in force, keeping the format.
    moved = client.get("/standards/gb-t-13927.gb7714")
    assert moved.status_code == 302 and moved.headers["Location"].startswith("/standards/gb-t-13927-2022.gb7714")


def test_export_format_gb7714(web_home, tmp_path):
    out = tmp_path / "refs.txt"
    result = CliRunner().invoke(main, ["--home", str(web_home), "--lang", "en", "export", "--format", "gb7714",
                                       "--output", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == RECORDS
    assert "工业阀门 压力试验: GB/T 13927—2022[S]. 2022." in lines
    assert "ISO. Industrial valves - Pressure testing of metallic valves: ISO 5208:2015[S]. 4th ed. 2015." in lines
