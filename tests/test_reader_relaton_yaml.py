"""The Relaton YAML reader: fixture tables, bad input, folders and archives, and the real catalogues."""
from __future__ import annotations

import collections
import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest

from catalogue.records import Standard
from conftest import FIXTURES, check_expected, shared_file
from ingest import relaton_yaml
from ingest.detect import detect_format
from ingest.relaton_yaml import read, read_relaton_yaml, sniff

HERE = FIXTURES / "readers" / "relaton-yaml"
FIXTURE_FILES = sorted(p for p in HERE.iterdir() if p.suffix in (".yaml", ".yml"))


def read_fixture(path: Path):
    with open(path, "rb") as fp:
        return list(read_relaton_yaml(fp, path.name))


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.name)
def test_fixture_table(fixture):
    check_expected(read_fixture(fixture), fixture)


def test_every_fixture_has_its_expected_file():
    missing = [p.name for p in FIXTURE_FILES if not p.with_name(p.name + ".expected.json").exists()]
    assert missing == []


def only(readings):
    assert len(readings) == 1
    return readings[0]


def test_iso_5208_2015_is_current_with_em_dash_title_and_no_english_fr_abstract():
    rec = only(read_fixture(HERE / "iso-5208-2015.yaml")).item
    assert rec.designation == "ISO 5208:2015"
    assert rec.titles == {
        "en": "Industrial valves — Pressure testing of metallic valves",
        "fr": "Robinetterie industrielle — Essais sous pression des appareils de robinetterie métalliques",
    }
    assert (rec.status, rec.published, rec.edition, rec.committee) == ("current", "2015-06", "4", "ISO/TC 153")
    assert rec.ics == ["23.060.01"]
    assert list(rec.scope) == ["en"]  # the "fr" abstract repeats the English one
    assert [(r.type, r.target) for r in rec.relations] == [("replaces", "ISO 5208:2008")]
    assert (rec.key, rec.work, rec.number, rec.year, rec.publisher) == ("", "", "", "", "")


def test_withdrawn_edition_with_a_successor_is_replaced():
    rec = only(read_fixture(HERE / "iso-5208-2008.yaml")).item
    assert rec.status == "replaced"
    assert [(r.type, r.target) for r in rec.relations] == [
        ("replaces", "ISO 5208:1993"), ("replaced_by", "ISO 5208:2015")]
    assert rec.scope["fr"].startswith("Texte de test")


def test_updates_means_replaced_by_or_amended_by_or_corrected_by():
    rec = only(read_fixture(HERE / "iso-1000-1992-supplements.yaml")).item
    assert [(r.type, r.target) for r in rec.relations] == [
        ("replaces", "ISO 1000:1981"),
        ("replaced_by", "ISO 80000-1:2009"),
        ("amended_by", "ISO 1000:1992/Amd 1:1998"),
        ("corrected_by", "ISO 1000:1992/Cor 1:1993"),
    ]
    assert rec.status == "replaced"


def test_stages_map_to_statuses_and_records_start_on_their_own_line():
    got = [(r.line, r.item.designation, r.item.status) for r in read_fixture(HERE / "iso-stages.yaml")]
    assert got == [
        (2, "ISO 10840:2008", "current"),
        (39, "ISO/DIS 18671", "draft"),
        (61, "ISO 12460-3:2020/DAM 1", "withdrawn"),
        (80, "ISO 10223:2005", "current"),
        (96, "IEC 61400-4", "draft"),
    ]


def test_revision_in_progress_is_not_a_replacement():
    rec = read_fixture(HERE / "iso-stages.yaml")[0].item
    assert rec.relations == []
    assert rec.committee == "ISO/TC 61/SC 4"


def test_draft_copy_of_english_title_under_fr_is_dropped():
    rec = read_fixture(HERE / "iso-stages.yaml")[1].item
    assert list(rec.titles) == ["en"]


def test_supplement_title_double_dash_becomes_em_dash():
    rec = read_fixture(HERE / "iso-stages.yaml")[2].item
    assert rec.titles["en"] == ("Wood-based panels — Determination of formaldehyde release — "
                                "Part 3: Gas analysis method — Amendment 1: Laser spectroscopy")


def test_iec_words_dates_committees_and_versions():
    got = [(r.item.designation, r.item.status, r.item.published, r.item.withdrawn, r.item.committee)
           for r in read_fixture(HERE / "iec-60947-2-editions.yaml")]
    assert got == [
        ("IEC 60947-2:2024", "current", "2024-09-18", "", "IEC/TC 121/SC 121A"),
        ("IEC 60947-2:2016", "replaced", "2016-06-07", "2024-09-18", "IEC/TC 121/SC 121A"),
        ("IEC 60947-2:2016 RLV", "replaced", "2016-06-07", "2024-09-18", ""),
        ("CISPR 13:2009+AMD1:2015 CSV", "replaced", "2015-01-28", "2017-03-31", "CISPR/CIS/I"),
        ("CISPR 14-1:2016/ISH1:2017", "replaced", "2017-05-24", "2020-09-07", ""),
        ("CISPR 10:1992", "withdrawn", "1992-09-15", "2004-11-15", "CISPR"),
    ]


def test_iec_html_abstract_is_plain_text():
    rec = read_fixture(HERE / "iec-60947-2-editions.yaml")[0].item
    assert rec.scope == {"en": "Fixture text: circuit-breakers & their tests. Sixth edition.",
                         "fr": "Texte de test : les disjoncteurs et leurs essais."}


def test_old_schema_with_scalars_for_lists():
    rec = only(read_fixture(HERE / "iso-iec-dir-old-schema.yml")).item
    assert (rec.designation, rec.status, rec.published, rec.edition) == ("ISO/IEC DIR 1 ISO SUP:2003", "", "2003-06-05", "1")
    assert rec.titles == {"en": "Consolidated Procedures for the technical work of ISO"}
    assert rec.relations == []  # partOf has no catalogue relation type


BAD = {
    "bad-empty.yaml": "bad-empty.yaml: -: the file is empty: it holds no Relaton record.",
    "bad-binary-junk.yaml": "bad-binary-junk.yaml: -: the file holds binary data, not YAML text.",
    "bad-invalid.yaml": "bad-invalid.yaml:7: -: not valid YAML: did not find expected ',' or ']'.",
    "bad-truncated.yaml": "bad-truncated.yaml:41: -: not valid YAML: could not find expected ':'.",
    "bad-python-tag.yaml": ("bad-python-tag.yaml:6: -: the YAML uses a tag safe loading refuses "
                            "(!!python/object/apply:os.system); nothing was built from it."),
    "bad-list.yaml": ("bad-list.yaml:1: -: a Relaton record must be a YAML mapping (key: value lines), "
                      "but this document is a list."),
    "bad-scalar.yaml": ("bad-scalar.yaml:1: -: a Relaton record must be a YAML mapping (key: value lines), "
                        "but this document is a single str value."),
    "bad-no-docid.yaml": "bad-no-docid.yaml:1: docid: the record has no docid, so it names no standard.",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_one_problem_with_a_sentence(name):
    reading = only(read_fixture(HERE / name))
    assert reading.item is None
    assert str(reading.problem) == BAD[name]


def test_bad_records_do_not_stop_the_good_one():
    readings = read_fixture(HERE / "bad-fields.yaml")
    assert [str(r.problem) if r.problem else r.item.designation for r in readings] == [
        "ISO 5208:2015",
        "ISO 5208:2008",
        "bad-fields.yaml:10: published: the published date 'June 2016' is not a date (YYYY, YYYY-MM or YYYY-MM-DD).",
    ]
    # A stage nobody taught us is a warning; the record lands with its status unknown.
    assert (readings[0].item.status, [str(w) for w in readings[0].warnings]) == (
        "", ["bad-fields.yaml:2: status: unknown ISO stage '70.00': the status is left unknown."])


def test_python_tag_is_never_executed(monkeypatch):
    calls = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a))
    reading = only(read_fixture(HERE / "bad-python-tag.yaml"))
    assert reading.problem is not None and calls == []


def test_read_by_path_names_the_file_and_leaves_source_empty():
    path = HERE / "iso-5208-2015.yaml"
    reading = only(list(read(path)))
    assert (reading.line, reading.source, reading.item.designation) == (1, "", "ISO 5208:2015")
    problem = only(list(read(HERE / "bad-empty.yaml"))).problem
    assert problem.file == str(HERE / "bad-empty.yaml")


def test_missing_file_is_a_problem(tmp_path):
    problem = only(list(read(tmp_path / "nothing-here.yaml"))).problem
    assert problem.reason == "cannot open the file (No such file or directory)."


def expected_from_fixtures(prefix: str):
    """What reading the fixture folder member by member must give: (source, line, designation or reason)."""
    out = []
    for path in FIXTURE_FILES:
        for r in read_fixture(path):
            out.append((prefix + path.name, r.line if r.ok else r.problem.line,
                        r.item.designation if r.ok else r.problem.reason))
    return out


def summarise(readings):
    return [(r.source, r.line if r.ok else r.problem.line, r.item.designation if r.ok else r.problem.reason)
            for r in readings]


@pytest.mark.parametrize("suffix, mode", [(".tar.gz", "w:gz"), (".tar.xz", "w:xz"), (".tgz", "w:gz")])
def test_tar_archive_is_streamed_member_by_member(tmp_path, suffix, mode):
    archive = tmp_path / f"relaton-fixtures{suffix}"
    with tarfile.open(archive, mode) as tar:
        tar.add(HERE / "iso-5208-2015.yaml.expected.json", arcname="data/README.json")  # not YAML: passed over
        for path in FIXTURE_FILES:
            tar.add(path, arcname=f"data/{path.name}")
    readings = list(read(archive))
    assert summarise(readings) == expected_from_fixtures("data/")
    first_problem = next(r.problem for r in readings if r.problem)
    assert first_problem.file == f"{archive}!data/bad-binary-junk.yaml"


def test_zip_archive(tmp_path):
    archive = tmp_path / "relaton-fixtures.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in FIXTURE_FILES:
            zf.write(path, f"data/{path.name}")
    assert summarise(read(archive)) == expected_from_fixtures("data/")
    assert detect_format(archive).name == "relaton-yaml"


def test_folder_is_walked_in_sorted_order():
    assert summarise(read(HERE)) == expected_from_fixtures("")


def test_member_over_the_size_limit_is_a_problem_and_reading_goes_on(tmp_path, monkeypatch):
    monkeypatch.setattr(relaton_yaml, "MAX_MEMBER_BYTES", 3000)
    archive = tmp_path / "relaton-big.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        big = tarfile.TarInfo("data/huge.yaml")
        big.size = 3001
        tar.addfile(big, io.BytesIO(b"#" * 3001))
        tar.add(HERE / "iso-5208-2008.yaml", arcname="data/iso-5208-2008.yaml")
    readings = list(read(archive))
    assert str(readings[0].problem) == (f"{archive}!data/huge.yaml: -: the file is 3,001 bytes, "
                                        "over the 3,000-byte limit for one record file.")
    assert readings[1].item.designation == "ISO 5208:2008"


def test_damaged_archive_gives_the_records_before_the_damage(tmp_path):
    whole = tmp_path / "whole.tar"
    with tarfile.open(whole, "w") as tar:
        for path in FIXTURE_FILES:
            tar.add(path, arcname=f"data/{path.name}")
    data = whole.read_bytes()
    cut = tmp_path / "relaton-cut.tar"
    cut.write_bytes(data[: len(data) // 2])
    readings = list(read(cut))
    assert readings[-1].problem.reason.startswith("the tar archive is damaged and was read only up to here")
    assert sum(r.ok for r in readings) >= 3


def test_junk_named_like_an_archive_is_one_problem(tmp_path):
    for name in ("relaton.tar.xz", "relaton.zip"):
        path = tmp_path / name
        path.write_bytes(b"this is no archive at all")
        problem = only(list(read(path))).problem
        assert problem.line is None and problem.reason.startswith("not a readable ")


@pytest.mark.parametrize("head, expected", [
    ((HERE / "iso-5208-2015.yaml").read_bytes()[:4096], True),
    ((HERE / "iso-iec-dir-old-schema.yml").read_bytes()[:4096], True),
    (b"---\nid: R43-1981-E\nschema_version: v1.5.6\ntype: standard\ndocidentifier:\n- content: OIML R 43:1981 (E)\n", True),
    (b"name: my-app\nversion: 2\n", False),
    (b"system: valves\ntitle: Valves\n", False),
    (b'{"docid": "x", "title": "y"}', False),
    (b"\xfd7zXZ\x00\x00", False),  # an archive is decided by its members (ingest.detect)
])
def test_sniff(head, expected):
    assert sniff(head) is expected


def test_detection_is_by_content_not_by_name(tmp_path):
    text = (HERE / "iso-5208-2015.yaml").read_bytes()
    (tmp_path / "x.txt").write_bytes(text)
    assert detect_format(tmp_path / "x.txt").name == "relaton-yaml"
    folder = tmp_path / "publisher-nobody-knows"
    folder.mkdir()
    for path in FIXTURE_FILES[-4:]:
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "README.md").write_text("Bibliographic records.\n", encoding="utf-8")
    assert detect_format(folder).name == "relaton-yaml"
    backup = tmp_path / "backup.tar.xz"
    with tarfile.open(backup, "w:xz") as tar:
        tar.add(HERE / "iso-5208-2015.yaml", arcname="records/one")
    assert detect_format(backup).name == "relaton-yaml"
    assert [r.item.designation for r in read(backup)] == ["ISO 5208:2015"]


def tally(readings):
    records, problems, status = {}, [], collections.Counter()
    for r in readings:
        if r.problem:
            problems.append(str(r.problem))
        else:
            records[r.item.designation] = r
            status[r.item.status] += 1
    return records, problems, status


@pytest.mark.realdata
@pytest.mark.slow
def test_real_iso_archive_streamed():
    archive = shared_file("iso", "relaton", "iso-relaton-yaml.tar.xz")
    records, problems, status = tally(read(archive))
    assert (len(records), problems) == (61637, [])
    # ISO 4146:1980 and ISO 8620:1986 "update" older records (1978, 1977): they replace them, so
    # they are no longer taken for replaced themselves (relaton_model.read_relation).
    assert status == {"current": 25847, "replaced": 22734, "draft": 9016, "withdrawn": 4021, "": 19}
    r2015 = records["ISO 5208:2015"]
    assert (r2015.source, r2015.line) == ("data/iso-5208-2015.yaml", 1)
    rec: Standard = r2015.item
    assert rec.titles["en"] == "Industrial valves — Pressure testing of metallic valves"
    assert (rec.status, rec.published, rec.edition, rec.committee, rec.ics) == (
        "current", "2015-06", "4", "ISO/TC 153", ["23.060.01"])
    assert list(rec.scope) == ["en"]  # the real "fr" abstract is the English one again
    old = records["ISO 5208:2008"].item
    assert old.status == "replaced"
    assert ("replaced_by", "ISO 5208:2015") in [(r.type, r.target) for r in old.relations]
    assert records["ISO 1000:1992"].item.relations[-1].type == "amended_by"


@pytest.mark.realdata
@pytest.mark.slow
def test_real_iec_archive_streamed():
    archive = shared_file("iec", "relaton", "iec-relaton-yaml.tar.xz")
    records, problems, status = tally(read(archive))
    assert (len(records), problems) == (32524, [])
    assert status == {"current": 15443, "replaced": 15489, "withdrawn": 1592}
    rec = records["IEC 60947-2:2016"].item
    assert (rec.status, rec.published, rec.withdrawn, rec.committee, rec.edition) == (
        "replaced", "2016-06-07", "2024-09-18", "IEC/TC 121/SC 121A", "5")
    assert rec.titles["en"] == "Low-voltage switchgear and controlgear — Part 2: Circuit-breakers"
    assert records["IEC 60947-2:2024"].item.status == "current"
    assert records["CISPR 13:2009+AMD1:2015 CSV"].item.status == "replaced"
    assert sum(" CSV" in d for d in records) == 1873
    assert sum(" RLV" in d for d in records) == 997
