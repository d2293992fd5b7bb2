"""Librarians read the command line and the ingest report in Chinese or English."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from catalogue.cli import main
from catalogue.i18n import PO_FILE, _catalogue, choose_language, translate

from conftest import FIXTURES, ROOT

SMALL = FIXTURES / "catalogue" / "small.jsonl"


def test_every_interface_string_of_the_command_line_is_translated():
    sources = [ROOT / "catalogue" / "cli.py", ROOT / "catalogue" / "cli_users.py", ROOT / "ingest" / "progress.py",
               ROOT / "ingest" / "pipeline.py"]
    msgids = set()
    for path in sources:
        msgids |= set(re.findall(r'(?:_t|gettext)\("((?:[^"\\]|\\.)*)"', path.read_text(encoding="utf-8")))
    exact, _ = _catalogue()
    missing = sorted(m for m in msgids if m not in exact)
    assert missing == [], f"add these to {PO_FILE.name}: {missing}"


@pytest.mark.parametrize("env, explicit, expected", [
    ({"LANG": "zh_CN.UTF-8"}, None, "zh"),
    ({"LANG": "en_GB.UTF-8"}, None, "en"),
    ({"LANG": "zh_CN.UTF-8", "CATALOGUE_LANG": "en"}, None, "en"),
    ({"LANG": "en_US.UTF-8"}, "zh", "zh"),
    ({}, None, "en"),
])
def test_language_choice(monkeypatch, env, explicit, expected):
    monkeypatch.setattr("catalogue.i18n._chosen", None)
    for name in ("LANG", "LC_ALL", "LC_MESSAGES", "CATALOGUE_LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert choose_language(explicit) == expected


def test_finished_sentences_are_matched_with_their_values():
    assert translate("'Figure 12' is not a standard designation: no known publisher prefix.", "zh") == \
        "“Figure 12”不是标准编号：没有可识别的发布机构代号。"
    assert translate("ISO 5208:2014 is not in the catalogue. Editions in the catalogue: iso-5208-2015.", "zh") == \
        "目录中没有 ISO 5208:2014。目录中的版本：iso-5208-2015。"
    # An English sentence nobody translated comes back unchanged, never garbled.
    assert translate("a sentence nobody translated", "zh") == "a sentence nobody translated"
    assert translate("'Figure 12' is not a standard designation: no known publisher prefix.", "en").startswith("'Figure 12'")


def test_ingest_report_in_chinese(tmp_path, monkeypatch):
    monkeypatch.delenv("CATALOGUE_LANG", raising=False)
    bad = tmp_path / "mixed.jsonl"
    bad.write_text('{"designation": "ISO 5208:2015"}\n{"designation": "Figure 12"}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--lang", "zh", "--home", str(tmp_path / "h"), "ingest", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:2: designation: “Figure 12”不是标准编号：没有可识别的发布机构代号。" in result.stderr
    assert "新增 1，更新 0，未变 0，拒收 1" in result.stderr
    # The JSON report stays machine-readable English.
    result = CliRunner().invoke(main, ["--lang", "zh", "--home", str(tmp_path / "h"), "ingest", "--json", str(bad)])
    assert '"reason": "\'Figure 12\' is not a standard designation: no known publisher prefix."' in result.stdout


def test_errors_in_chinese(tmp_path):
    result = CliRunner().invoke(main, ["--lang", "zh", "--home", str(tmp_path / "none"), "stats"])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"错误：{tmp_path / 'none'} 没有目录：请运行 `catalogue init --demo` 或 `catalogue ingest 文件`。"
