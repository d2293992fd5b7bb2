"""Read the industry-standards filing platform (行业标准备案, hbba.sacinfo.org.cn).

Two kinds of file:

- the search list's JSON answer: ``{"records": [{"code": "JB/T 13368-2018", "chName": "叉车属具 软包夹",
  "status": "现行", "industry": "机械", "chargeDept": "工业和信息化部", "issueDate": 1518105600000,
  "actDate": 1538323200000, "recordDate": 1519574400000, "recordNo": "61715-2018", "pk": "..."}],
  "total": 1, ...}``. Dates are epoch milliseconds, read in China time (UTC+8): 1538323200000 is
  2018-10-01, not 2018-09-30. ``code`` is the designation, ``chName`` the Chinese title,
  ``status`` the status word (现行 / 即将实施 / 废止 / 被代替 ...; an unknown word is a warning and
  the status stays unknown), ``issueDate`` published, ``actDate`` in force. The filing number and
  date (``recordNo``, ``recordDate``), the administering department and the platform's id are
  not kept: the catalogue has no field for them; the industry comes from the designation's prefix
  (catalogue.levels), not from this label.
- the detail page (``/portal/stdDetail/<pk>``): the same dt/dd layout as std.samr.gov.cn's
  industry-standard pages (标准号, 发布日期, 实施日期, 中国标准分类号, 国际标准分类号 ...), read by
  :func:`ingest.samr_html.read_detail`.

``line`` is the 1-based position of a record in ``records`` for the JSON (the file is one line).
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import BinaryIO, Iterator

from catalogue.records import Problem, Reading, Standard
from ingest.files import looks_like_html, read_path
from ingest.relaton_model import status_of

#: China Standard Time, the platform's clock (no daylight saving since 1991).
CHINA_TIME = dt.timezone(dt.timedelta(hours=8), "CST")
#: A list answer bigger than this is not one page of search results.
MAX_BYTES = 16 * 1024 * 1024
_MARKS = (b"/statics/hb/", b"hbba.sacinfo.org.cn", "行业标准备案".encode())


def sniff(head: bytes) -> bool:
    """True for the list JSON ('{"current":1,...,"records":[{"actDate":...,"chName":...') or a detail page."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"{"):
        return b'"records"' in text and b'"chName"' in text and (b'"recordNo"' in text or b'"actDate"' in text)
    return looks_like_html(head) and any(mark in head for mark in _MARKS)


def read(path) -> Iterator[Reading]:
    """Read a list JSON or a detail page by path."""
    yield from read_path(Path(path), read_hbba)


def read_hbba(fp: BinaryIO, name: str) -> Iterator[Reading]:
    """Read an open list JSON or detail page: one Reading per standard (or a Problem)."""
    raw = fp.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        yield Reading(problem=Problem(name, None, None, f"the file is over {MAX_BYTES // 1048576} MB, "
                                      "more than one page of search results; it was not read."))
        return
    if raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        yield from read_list(raw, name)
        return
    from bs4 import BeautifulSoup

    from ingest.openstd_html import LineFinder, decode_page
    from ingest.samr_html import read_detail

    text = decode_page(raw)
    soup = BeautifulSoup(text, "lxml")
    if soup.select_one("dl.basicInfo-block dt") is None:
        yield Reading(problem=Problem(name, None, None, "this hbba page has no 基础信息 table (标准号, 发布日期 ...): "
                                      "it is not a standard's detail page."))
        return
    reading = read_detail(soup, name, LineFinder(text))
    if reading.ok and not reading.item.status:
        # hbba's header shows two labels (the industry, then the status); std.samr's show three.
        labels = [" ".join(s.get_text().split()) for s in soup.select("div.page-header .s-status")]
        word = labels[-1] if len(labels) == 2 else ""
        if word:
            reading.item.status, why = status_of(word)
            if why:
                reading.warnings.append(Problem(name, reading.line, "status", why))
    yield reading


def read_list(raw: bytes, name: str) -> Iterator[Reading]:
    """The ``records`` of one search-list answer."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        yield Reading(problem=Problem(name, None, None, f"not UTF-8 text (byte {exc.start} cannot be decoded)."))
        return
    except json.JSONDecodeError as exc:
        yield Reading(problem=Problem(name, exc.lineno, None, f"not valid JSON: {exc.msg} at column {exc.colno}."))
        return
    records = data.get("records") if isinstance(data, dict) else None
    if not isinstance(records, list):
        yield Reading(problem=Problem(name, None, "records", "the answer has no 'records' list."))
        return
    for index, row in enumerate(records, 1):
        yield read_row(row, name, index)


def read_row(row, name: str, index: int) -> Reading:
    """One ``records[]`` entry -> a Reading."""
    if not isinstance(row, dict):
        return Reading(problem=Problem(name, index, None, "each entry of 'records' must be a JSON object."))
    code = re.sub(r"\s+", " ", str(row.get("code") or "")).strip()
    if not code:
        return Reading(problem=Problem(name, index, "code", "the entry has no 'code' (标准号)."))
    record = Standard(designation=code)
    title = re.sub(r"\s+", " ", str(row.get("chName") or "")).strip()
    if title:
        record.titles["zh"] = title
    warnings = []
    word = str(row.get("status") or "").strip()
    if word:
        record.status, why = status_of(word)
        if why:
            warnings.append(Problem(name, index, "status", why))
    for field_name, key in (("published", "issueDate"), ("in_force", "actDate")):
        value = row.get(key)
        if value in (None, ""):
            continue
        day = china_date(value)
        if day is None:
            return Reading(problem=Problem(name, index, field_name,
                                           f"'{key}' is {value!r}, not a time in epoch milliseconds."))
        setattr(record, field_name, day)
    return Reading(item=record, line=index, warnings=warnings)


def china_date(millis) -> str | None:
    """The day in China time of an epoch-milliseconds stamp: 1538323200000 -> '2018-10-01'."""
    if isinstance(millis, bool) or not isinstance(millis, (int, float, str)):
        return None
    try:
        value = float(millis)
    except ValueError:
        return None
    if not -2_208_988_800_000 <= value <= 4_102_444_800_000:  # 1900 .. 2100
        return None
    return dt.datetime.fromtimestamp(value / 1000, CHINA_TIME).date().isoformat()
