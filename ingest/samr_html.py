"""Read std.samr.gov.cn (www.std.gov.cn) and ttbz.org.cn pages, as recorded in 2018-2019.

Four page types:

- search results (``gb/search/gbQueryPage``): one ``div.panel.post`` card per hit, for national
  (国家标准), industry (行业标准: JB/T, NB/T ...), local (地方标准: DB33/T ...) standards and
  national plans (国标计划: project numbers such as ``20170450-T-469``). The standard number is
  split across ``<sacinfo>`` tags ("GB / T 20223 -2018") and is re-joined. Plans carry
  采标关系 (等同/修改/非等效 + an ISO number -> adopts IDT/MOD/NEQ).
- detail pages (``gbDetailed`` / ``stdHBDetailed``): ``dt``/``dd`` pairs (标准号, 发布日期,
  实施日期, 废止日期, 全部代替标准, 中国标准分类号, 国际标准分类号 ...), the status as a label,
  the committee number (TC513) in the opening sentence, and a "代替以下标准" section.
- ttbz.org.cn group standard detail pages (``StandardManage/Detail``): a label/value table.
- ttbz.org.cn group standard lists: a table of 团体名称, 标准编号, 标准名称, 公布日期.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO, Iterator

from bs4 import BeautifulSoup

from catalogue.records import Problem, Reading, Standard
from ingest.openstd_html import (
    CCS_RE,
    LineFinder,
    add_adoption,
    clean_ccs,
    clean_designation,
    clean_text,
    decode_head,
    decode_page,
    fill_date,
    fill_status,
    find_committee,
    find_designations,
    looks_like_html,
    parse_ics,
)


#: Plan (计划) stages still under way: the project is a draft.
PLAN_DRAFT_WORDS = ("正在", "已下达", "起草", "征求意见", "审查", "批准", "报批")


def sniff(head: bytes) -> bool:
    """True for a std.samr.gov.cn / std.gov.cn page or a ttbz.org.cn group standard page."""
    text = decode_head(head)
    if not looks_like_html(text):
        return False
    return bool(re.search(r"全国标准信息公共服务平台|全国团体标准信息平台|std\.gov\.cn|(?<!open)std\.samr\.gov\.cn"
                          r"|ttbz\.org\.cn", text))


def read(path) -> Iterator[Reading]:
    """Read one std.samr / ttbz page by path."""
    path = Path(path)
    with open(path, "rb") as fp:
        yield from read_samr_html(fp, str(path))


def read_samr_html(fp: BinaryIO, name: str) -> Iterator[Reading]:
    """Read any of the four page types: one Reading per standard or plan (or a Problem)."""
    text = decode_page(fp.read())
    soup = BeautifulSoup(text, "lxml")
    lines = LineFinder(text)
    cards = soup.select("div.panel.post")
    if cards:
        for card in cards:
            yield read_card(card, name, lines)
        return
    if soup.select_one("dl.basicInfo-block dt"):
        yield read_detail(soup, name, lines)
        return
    group_detail = soup.find(["th", "td"], string=re.compile("标准详细信息"))
    if group_detail is not None:
        yield read_group_detail(group_detail.find_parent("table"), name, lines)
        return
    group_list = next((t for t in soup.select("table.standard_list_table")
                       if t.find("th", string=re.compile("标准编号"))), None)
    if group_list is not None:
        yield from read_group_list(group_list, name, lines)
        return
    if soup.select_one("div.nums"):
        return  # a search that found nothing: no cards, nothing wrong
    yield Reading(problem=Problem(name, None, None,
                                  "This page has no std.samr search results, detail table or group standard table."))


# ----------------------------------------------------------------------------- search result cards

def collect_labelled_values(card) -> dict[str, str]:
    """Label -> value inside one card: media blocks (英文标题, 归口单位, 采标关系 ...),
    the ICS/CCS spans and the footer dates (发布于, 实施于, 下达于, 终止于 ...)."""
    values: dict[str, str] = {}
    for block in card.select("div.media-inner"):
        label = block.select_one("div.media-left")
        body = block.select_one("div.media-body")
        if label is not None and body is not None:
            values.setdefault(clean_text(label.get_text()), clean_text(body.get_text("")))
    for span in card.find_all("span"):
        label = clean_text(span.get_text())
        if label.startswith(("国际标准分类号", "中国标准分类号")):
            nxt = span.find_next_sibling("span")
            values.setdefault(label[:7], clean_text(nxt.get_text()) if nxt else "")
        elif label.endswith("于") and len(label) <= 4:
            when = span.find_next_sibling("time")
            values.setdefault(label, clean_text(when.get_text()) if when else "")
    return values


def read_card(card, name: str, lines: LineFinder) -> Reading:
    """One search result card: a standard, or a plan (国标计划) whose designation is its project number."""
    kind = clean_text(card.select_one(".s-logo").get_text("")) if card.select_one(".s-logo") else ""
    link = card.select_one(".post-head a")
    code = link.select_one(".en-code") if link is not None else None
    line = lines.line_of(f'pid="{link["pid"]}"') if link is not None and link.get("pid") else None
    if code is None:
        return Reading(problem=Problem(name, line, "designation", "This search result has no standard number."))
    designation = clean_designation(code.get_text(""))
    code.extract()
    record = Standard(designation=designation)
    zh = clean_text(link.get_text(""))
    if zh:
        record.titles["zh"] = zh
    values = collect_labelled_values(card)
    english = values.get("英文标题", "")
    # Plans sometimes hold the revised standard's number in the English title (20173763-T-610).
    if english and clean_designation(english) not in find_designations(english):
        record.titles["en"] = english
    status_word = clean_text(card.select_one(".post-head .s-status").get_text()) \
        if card.select_one(".post-head .s-status") else ""
    if "计划" in kind:
        problem = fill_plan(record, status_word, values, name, line)
    else:
        problem = fill_status(record, status_word, name, line)
        problem = problem or fill_date(record, "published", values.get("发布于", ""), name, line)
        problem = problem or fill_date(record, "in_force", values.get("实施于", ""), name, line)
        problem = problem or fill_date(record, "withdrawn", values.get("废止于", ""), name, line)
    problem = problem or fill_codes(record, values.get("国际标准分类号", ""), values.get("中国标准分类号", ""),
                                    name, line)
    if problem:
        return Reading(problem=problem)
    record.committee = find_committee(values.get("归口单位", ""))
    add_adoption(record, values.get("采标关系", ""))
    return Reading(item=record, line=line)


def fill_plan(record: Standard, status_word: str, values: dict[str, str], name: str, line) -> Problem | None:
    """A plan (计划): under way -> draft; 已终止 -> withdrawn on its 终止于 date; 已发布 -> the standard.

    A published plan names the standard it became (标准编号 GB/T 20223-2018): the record is that
    standard with the card's dates; its status is left empty because the card does not say
    whether the standard is still in force.
    """
    if "发布" in status_word:
        number = clean_designation(values.get("标准编号", ""))
        if not number:
            return Problem(name, line, "designation",
                           f"Plan {record.designation} is published but names no 标准编号.")
        record.designation = number
        problem = fill_date(record, "published", values.get("发布于", ""), name, line)
        return problem or fill_date(record, "in_force", values.get("实施于", ""), name, line)
    if "终止" in status_word:
        record.status = "withdrawn"
        return fill_date(record, "withdrawn", values.get("终止于", ""), name, line)
    if any(word in status_word for word in PLAN_DRAFT_WORDS):
        record.status = "draft"
        return None
    return Problem(name, line, "status", f"Unknown plan stage '{status_word}' for {record.designation}.")


def fill_codes(record: Standard, ics: str, ccs: str, name: str, line) -> Problem | None:
    """Set ICS and CCS. A CCS cell that holds an ICS code (plan 20110715-T-442 prints '65.140'
    there) is read as ICS; any other value that is not a letter and two digits is a Problem."""
    record.ics = parse_ics(ics)
    ccs = clean_ccs(ccs)
    if ccs and not CCS_RE.match(ccs):
        if re.fullmatch(r"\d{2}(\.\d{2,3}){0,2}", ccs):
            record.ics += [c for c in parse_ics(ccs) if c not in record.ics]
            return None
        return Problem(name, line, "ccs", f"CCS code '{ccs}' is not a letter and two digits.")
    record.ccs = ccs
    return None


# ----------------------------------------------------------------------------- detail pages

def read_detail(soup: BeautifulSoup, name: str, lines: LineFinder) -> Reading:
    """A gbDetailed / stdHBDetailed page: the dt/dd pairs, the status label, the committee sentence."""
    cells: dict[str, str] = {}
    for dt in soup.select("dl.basicInfo-block dt"):
        dd = dt.find_next_sibling("dd")
        if dd is None:
            continue
        for pop in dd.select(".icsInfoPop"):  # the ICS tree popup repeats the parents of the code
            pop.decompose()
        cells.setdefault(clean_text(dt.get_text()), clean_text(dd.get_text(" ")))
    designation = clean_designation(cells.get("标准号", ""))
    line = lines.line_of(">标准号<")
    if not designation:
        return Reading(problem=Problem(name, line, "designation", "The detail page has no 标准号."))
    record = Standard(designation=designation)
    header = soup.select_one("div.page-header")
    if header is not None:
        for lang, tag in (("zh", "h4"), ("en", "h5")):
            found = header.find(tag)
            if found is not None and clean_text(found.get_text()):
                record.titles[lang] = clean_text(found.get_text())
    labels = [clean_text(s.get_text()) for s in soup.select("div.page-header .s-status")]
    problem = fill_status(record, labels[-1] if len(labels) >= 3 else "", name, line)
    for field_name, label in (("published", "发布日期"), ("in_force", "实施日期"), ("withdrawn", "废止日期")):
        problem = problem or fill_date(record, field_name, cells.get(label, ""), name, line)
    problem = problem or fill_codes(record, cells.get("国际标准分类号", ""), cells.get("中国标准分类号", ""),
                                    name, line)
    if problem:
        return Reading(problem=problem)
    # The opening sentence links the committee by number: 由<a TA_CODE="1">TC513</a>（全国纤维...）归口.
    committee_link = soup.find("a", attrs={"ta_code": True})
    record.committee = find_committee(committee_link.get_text() if committee_link else "") \
        or find_committee(cells.get("归口单位", ""))
    for label, value in cells.items():
        if "代替" in label:
            for target in find_designations(value):
                record.add_relation("replaced_by" if label.startswith("被") else "replaces", target)
        elif "采标" in label or "采用国际" in label:
            add_adoption(record, value)
    for title in soup.select("div.para-title"):
        heading = clean_text(title.get_text())
        if "代替" not in heading:
            continue
        body = title.find_next_sibling()
        for target in find_designations(body.get_text(" ") if body else ""):
            record.add_relation("replaced_by" if heading.startswith("被") else "replaces", target)
    return Reading(item=record, line=line)


# ----------------------------------------------------------------------------- ttbz.org.cn group pages

def read_group_detail(table, name: str, lines: LineFinder) -> Reading:
    """A ttbz.org.cn detail table: rows of <td>label&nbsp;&nbsp;</td><td>value</td>."""
    cells: dict[str, str] = {}
    for row in table.find_all("tr"):
        tds = row.find_all("td")
        if len(tds) >= 2:
            cells.setdefault(clean_text(tds[0].get_text()), clean_text(tds[1].get_text(" ")))
    designation = clean_designation(cells.get("标准编号", ""))
    line = lines.line_of(">标准编号")
    if not designation:
        return Reading(problem=Problem(name, line, "designation", "The group standard table has no 标准编号."))
    record = Standard(designation=designation)
    for lang, label in (("zh", "中文标题"), ("en", "英文标题")):
        if cells.get(label):
            record.titles[lang] = cells[label]
    problem = fill_status(record, cells.get("标准状态", ""), name, line)
    for field_name, label in (("published", "发布日期"), ("in_force", "实施日期"), ("withdrawn", "废止日期")):
        problem = problem or fill_date(record, field_name, cells.get(label, ""), name, line)
    # ttbz pages append an ICS code to the CCS cell ('Y68       ICS 97.040.99'): the code after
    # "ICS" is read as a second ICS code, the CCS code is what comes before it.
    ccs_cell, _, extra_ics = cells.get("中国标准分类号", "").partition("ICS")
    problem = problem or fill_codes(record, cells.get("国际标准分类号", "") + " " + extra_ics, ccs_cell,
                                    name, line)
    if problem:
        return Reading(problem=problem)
    return Reading(item=record, line=line)


def read_group_list(table, name: str, lines: LineFinder) -> Iterator[Reading]:
    """A ttbz.org.cn list: 序号, 团体名称, 标准编号, 标准名称, 公布日期.

    公布日期 is the day the group announced the standard on the platform, not its 发布日期,
    so it is not read as a publication date.
    """
    columns: dict[str, int] = {}
    for row in table.find_all("tr"):
        headers = row.find_all("th")
        if headers:
            columns = {clean_text(th.get_text()): i for i, th in enumerate(headers)}
            continue
        cells = row.find_all("td")
        if "标准编号" not in columns or len(cells) < len(columns):
            continue
        designation = clean_designation(cells[columns["标准编号"]].get_text(" "))
        line = lines.line_of(f"<td>{clean_text(cells[0].get_text())}</td>")
        if not designation:
            yield Reading(problem=Problem(name, line, "designation", "This list row has no 标准编号."))
            continue
        record = Standard(designation=designation)
        if "标准名称" in columns and clean_text(cells[columns["标准名称"]].get_text()):
            record.titles["zh"] = clean_text(cells[columns["标准名称"]].get_text())
        yield Reading(item=record, line=line)
