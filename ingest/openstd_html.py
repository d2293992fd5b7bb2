"""Read openstd.samr.gov.cn pages: GB result lists and GB detail pages (2026 layout).

openstd.samr.gov.cn is the national standards portal (全国标准信息公共服务平台). A result
list (``bzgk/gb/std_list``) has one table row per standard: 标准号, 标准名称, 状态 and the
发布/实施 dates. A detail page (``newGbInfo?hcno=...``) has 标准号 in an ``<h1>``, the
Chinese and English names and 标准状态 in a table, then label/value cells: 中国标准分类号
(CCS), 国际标准分类号 (ICS), 发布日期, 实施日期, 废止日期, 主管部门, 归口部门, 发布单位, 备注
(where "代替 GB/T 5606.1-1996" names the edition this one replaces) and 采标情况.

The small helpers here (decoding, cleaning designations, dates, statuses, remarks,
adoptions, committees) are shared with :mod:`ingest.samr_html`, which reads the older
std.samr.gov.cn pages of the same publisher.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import BinaryIO, Iterator

from bs4 import BeautifulSoup

from catalogue.records import Problem, Reading, Standard


#: 标准状态 as the Chinese portals print it -> our status.
STATUS_WORDS = {
    "现行": "current",
    "即将实施": "upcoming",
    "废止": "withdrawn",
    "作废": "withdrawn",
    "被代替": "replaced",
    "被替代": "replaced",
}

#: Degrees of adoption as printed (采标情况 / 采标关系), longest first so 非等效 wins over 等效.
ADOPTION_WORDS = (
    ("非等效采用", "NEQ"),
    ("非等效", "NEQ"),
    ("修改采用", "MOD"),
    ("等同采用", "IDT"),
    ("IDT", "IDT"),
    ("MOD", "MOD"),
    ("NEQ", "NEQ"),
    ("等同", "IDT"),
    ("修改", "MOD"),
    # 等效 (EQV) is the pre-2001 degree: GB/T 20000.2 has no equivalent, so the degree stays unknown.
    ("等效采用", None),
    ("EQV", None),
    ("等效", None),
)

#: A Chinese designation inside free text: GB, GB/T, GB/Z, industry (JB/T ...), local (DB33/T), group (T/ABC).
CHINESE_DESIGNATION_RE = re.compile(
    r"(?:T/[A-Z][A-Z0-9]*|DB\d{2}(?:/[TZ])?|GB(?:/[TZ])?|[A-Z]{2,3}(?:/[TZ])?)"
    r"\s*\d+(?:\.\d+)*(?:\s*[-—–]\s*\d{4})?"
)
#: An international or foreign designation named as an adopted standard.
FOREIGN_DESIGNATION_RE = re.compile(
    r"\b(?:ISO|IEC|EN|ITU-T|ITU-R|ASTM|API|ASME|JIS|DIN|BS|ANSI|IEEE|OIML|CAC|UIC)"
    r"(?:/[A-Z]+)*\s?(?:[A-Z]+\s?)?\d[\w.:/\-—+]*"
)
TC_RE = re.compile(r"TC\s*(\d+)(?:\s*/\s*SC\s*(\d+))?", re.IGNORECASE)
ICS_RE = re.compile(r"\b(\d{2})(?:\.(\d{2,3}))?(?:\.(\d{2}))?\b")
CCS_RE = re.compile(r"^[A-Z]\d{2}$")


# ----------------------------------------------------------------------------- shared helpers

def decode_page(raw: bytes) -> str:
    """Decide a page's encoding once: b'\\xef\\xbb\\xbf<html>...' -> '<html>...'.

    UTF-8 (with or without a BOM) when the bytes are valid UTF-8, else GB18030, the superset
    of GBK/GB2312 that older Chinese pages use. Bytes that are neither become U+FFFD.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")


def decode_head(head: bytes) -> str:
    """Decode the first bytes of a file for sniffing; the last character may be cut in two."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    for cut in range(4):
        try:
            return head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return head.decode("gb18030", errors="ignore")


def clean_text(text: str | None) -> str:
    """Collapse runs of whitespace (incl. &nbsp; and ideographic spaces) to one space: ' 卷烟  抽样 ' -> '卷烟 抽样'."""
    if not text:
        return ""
    return re.sub(r"[\s\u00a0\u3000]+", " ", text).strip()


def clean_designation(text: str) -> str:
    """Re-join a designation split across tags: 'GB / T 20223 -2018' -> 'GB/T 20223-2018'.

    Spaces around '/', '.', '-' and '—' are dropped; the dash the publisher printed is kept
    ('T/GZAEPI 001—2018' stays as printed). A missing space between the prefix and the number
    is not added: the designation grammar accepts both.
    """
    text = clean_text(text)
    text = re.sub(r"\s*/\s*", "/", text)
    text = re.sub(r"\s*([.\-—–])\s*", r"\1", text)
    return text


def parse_date(text: str) -> str | None:
    """'2018-03-15', '2018年05月08日', '2018/5/8' -> '2018-05-08'; '' -> ''; nonsense -> None."""
    text = clean_text(text)
    if not text:
        return ""
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+[\d:]+)?", text)
    if m:
        year, month, day = (int(g) for g in m.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
        return None
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?", text)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
    if re.fullmatch(r"\d{4}", text):
        return text
    return None


def map_status(text: str) -> str | None:
    """'现行' -> 'current', '即将实施' -> 'upcoming'; an unknown word -> None."""
    return STATUS_WORDS.get(clean_text(text).replace(" ", ""))


def parse_ics(text: str) -> list[str]:
    """ICS codes in a cell: '59.060.10；59.080' -> ['59.060.10', '59.080'].

    The 2018 std.samr JB/T pages print group 53.060 as '53.06' (a number format dropped the
    trailing zero); ICS groups always have three digits, so a two-digit group gets its zero back.
    """
    codes = []
    for field_, group, sub in ICS_RE.findall(text or ""):
        code = field_
        if group:
            code += "." + (group + "0" if len(group) == 2 else group)
            if sub:
                code += "." + sub
        if code not in codes:
            codes.append(code)
    return codes


def clean_ccs(text: str) -> str:
    """'W10' -> 'W10'; 'A.00' and 'Q 34' (std.samr typing slips) -> 'A00', 'Q34'; '' -> ''."""
    text = unicodedata.normalize("NFKC", clean_text(text)).upper()
    return re.sub(r"^([A-Z])[\s.]*(\d{2})$", r"\1\2", text)


def find_committee(text: str) -> str:
    """The SAC committee named in a cell: '全国阀门标准化技术委员会(SAC/TC 188)' -> 'SAC/TC 188'; none -> ''."""
    m = TC_RE.search(text or "")
    if not m:
        return ""
    return f"SAC/TC {m.group(1)}" + (f"/SC {m.group(2)}" if m.group(2) else "")


def find_designations(text: str) -> list[str]:
    """Chinese designations in free text: '代替GB/T 5606.1-1996、GB 5606.2-1996' -> both, cleaned."""
    found = []
    for m in CHINESE_DESIGNATION_RE.finditer(unicodedata.normalize("NFKC", text or "")):
        value = clean_designation(m.group(0))
        if value not in found:
            found.append(value)
    return found


def add_remark_relations(record: Standard, remark: str) -> None:
    """Turn 备注 prose into relations: '2005-03-01实施,代替GB/T 5606.1-1996' -> replaces GB/T 5606.1-1996.

    '被 GB/T 20223-2018 代替' (this edition was replaced by another) -> replaced_by.
    """
    text = unicodedata.normalize("NFKC", remark or "")
    for clause in re.split(r"[;；。]", text):
        if "代替" not in clause and "替代" not in clause:
            continue
        passive = re.search(r"被.*(?:代替|替代)", clause)
        for target in find_designations(clause):
            if target != record.designation:
                record.add_relation("replaced_by" if passive else "replaces", target)


def add_adoption(record: Standard, text: str) -> None:
    """Add an adopts relation from '等同 ISO 5208:2008', 'IDT ISO 5208:2008' or 'ISO 5208:2008, MOD'."""
    text = clean_text(unicodedata.normalize("NFKC", text or ""))
    if not text:
        return
    degree = None
    for word, value in ADOPTION_WORDS:
        if word in text:
            degree = value
            break
    rest = text
    for word, _ in ADOPTION_WORDS:
        rest = rest.replace(word, " ")
    for m in FOREIGN_DESIGNATION_RE.finditer(rest):
        target = clean_text(m.group(0)).rstrip(",.;")
        if target:
            record.add_relation("adopts", target, degree)


class LineFinder:
    """Line numbers for items in a page: BeautifulSoup's lxml parser keeps no source lines.

    ``line_of('GB/T 1.1-2000')`` finds the next occurrence after the previous one, so rows
    that repeat a designation still get their own line.
    """

    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def line_of(self, needle: str) -> int | None:
        if not needle:
            return None
        at = self.text.find(needle, self.pos)
        if at < 0:
            at = self.text.find(needle)
            if at < 0:
                return None
        else:
            self.pos = at + len(needle)
        return self.text.count("\n", 0, at) + 1


# ----------------------------------------------------------------------------- the reader

def sniff(head: bytes) -> bool:
    """True for an openstd page: its <title> is '国家标准|GB/T ...' or '国家标准全文阅读|标准检索'."""
    text = decode_head(head)
    if not looks_like_html(text):
        return False
    if "openstd.samr.gov.cn" in text:
        return True
    return bool(re.search(r"<title>\s*国家标准(?:全文阅读)?\s*\|", text))


def looks_like_html(text: str) -> bool:
    """True if a file's first characters hold an HTML tag (Relaton YAML also names these sites)."""
    return bool(re.search(r"<(?:!DOCTYPE\s+html|html|head|title|body)\b", text, re.IGNORECASE))


def read(path) -> Iterator[Reading]:
    """Read one openstd page by path."""
    path = Path(path)
    with open(path, "rb") as fp:
        yield from read_openstd_html(fp, str(path))


def read_openstd_html(fp: BinaryIO, name: str) -> Iterator[Reading]:
    """Read an openstd result list or detail page: one Reading per standard (or a Problem)."""
    text = decode_page(fp.read())
    soup = BeautifulSoup(text, "lxml")
    lines = LineFinder(text)
    table = soup.select_one("table.result_list")
    if table is not None:
        yield from read_result_list(table, name, lines)
        return
    heading = soup.find(["h1", "h2", "h3"], string=re.compile("标准号"))
    if heading is None:
        heading = next((h for h in soup.find_all("h1") if "标准号" in h.get_text()), None)
    if heading is not None:
        yield read_detail(soup, heading, name, lines)
        return
    yield Reading(problem=Problem(name, None, None,
                                  "This page has neither an openstd result list nor a 标准号 detail heading."))


def read_result_list(table, name: str, lines: LineFinder) -> Iterator[Reading]:
    """Rows of ``table.result_list``: columns found by their header text (序号, 标准号, 状态 ...)."""
    columns: dict[str, int] = {}
    for row in table.find_all("tr"):
        headers = row.find_all("th")
        if headers:
            columns = {clean_text(th.get_text()): i for i, th in enumerate(headers)}
            continue
        cells = row.find_all("td", recursive=False)
        if not columns or len(cells) < len(columns) - 1:
            continue

        def cell(label: str) -> str:
            i = columns.get(label)
            return clean_text(cells[i].get_text(" ")) if i is not None and i < len(cells) else ""

        designation = clean_designation(cell("标准号"))
        # The row's own link (showInfo('<hcno>')) is unique; the designation also sits in the search box.
        anchor = row.find(onclick=re.compile(r"showInfo\("))
        hcno = re.search(r"showInfo\('([^']+)'", anchor["onclick"]) if anchor else None
        line = lines.line_of(hcno.group(1) if hcno else designation)
        if not designation:
            yield Reading(problem=Problem(name, line, "designation", "This result row has no 标准号."))
            continue
        record = Standard(designation=designation)
        if cell("标准名称"):
            record.titles["zh"] = cell("标准名称")
        problem = fill_status(record, cell("状态"), name, line)
        problem = problem or fill_date(record, "published", cell("发布日期"), name, line)
        problem = problem or fill_date(record, "in_force", cell("实施日期"), name, line)
        yield Reading(problem=problem) if problem else Reading(item=record, line=line)


def fill_status(record: Standard, word: str, name: str, line: int | None) -> Problem | None:
    """Set ``record.status`` from a status word, or return the Problem naming the unknown word."""
    if not clean_text(word):
        return None
    status = map_status(word)
    if status is None:
        return Problem(name, line, "status", f"Unknown status '{clean_text(word)}' for {record.designation}.")
    record.status = status
    return None


def fill_date(record: Standard, field_name: str, value: str, name: str, line: int | None) -> Problem | None:
    """Set a date field from '2018-03-15' or '2018年03月15日', or return the Problem for a bad date."""
    parsed = parse_date(value)
    if parsed is None:
        return Problem(name, line, field_name, f"'{clean_text(value)}' is not a date (expected YYYY-MM-DD).")
    if parsed:
        setattr(record, field_name, parsed)
    return None


def collect_detail_cells(soup: BeautifulSoup) -> dict[str, str]:
    """Label -> value of the detail cells, found by the label text, never by the row class.

    openstd pages misspell class as "clsss" on the rows (``<div clsss="row">``, 2026 layout),
    so a selector like ``div.row.detail`` finds nothing; each label sits in a ``div.title``
    with its value in the next ``div.content`` sibling, which is what we rely on.
    """
    cells: dict[str, str] = {}
    for title in soup.select("div.title"):
        value = title.find_next_sibling("div", class_="content")
        if value is None:
            continue
        label = re.sub(r"[\s:：]", "", title.get_text())
        cells.setdefault(label, clean_text(value.get_text(" ")))
    # The name/status rows are table cells "中文标准名称：<b>棉短绒</b>" instead.
    for td in soup.select("table.tdlist td"):
        text = clean_text(td.get_text(" "))
        m = re.match(r"^([^：:]{2,10})[：:]\s*(.*)$", text)
        if m:
            cells.setdefault(m.group(1).strip(), m.group(2).strip())
    return cells


def find_cell(cells: dict[str, str], *labels: str) -> str:
    """The first cell whose label starts with one of ``labels`` ('中国标准分类号' matches '中国标准分类号（CCS）')."""
    for label in labels:
        for key, value in cells.items():
            if key.startswith(label):
                return value
    return ""


def read_detail(soup: BeautifulSoup, heading, name: str, lines: LineFinder) -> Reading:
    """One detail page -> one Reading."""
    raw = "".join(s for s in heading.strings if s.parent is heading or s.parent.name != "span")
    designation = clean_designation(re.sub(r"^.*?标准号\s*[:：]", "", clean_text(raw)))
    line = lines.line_of("标准号")
    if not designation:
        return Reading(problem=Problem(name, line, "designation", "The detail heading has no 标准号."))
    cells = collect_detail_cells(soup)
    record = Standard(designation=designation)
    for lang, label in (("zh", "中文标准名称"), ("en", "英文标准名称")):
        if find_cell(cells, label):
            record.titles[lang] = find_cell(cells, label)
    problem = fill_status(record, find_cell(cells, "标准状态"), name, line)
    for field_name, label in (("published", "发布日期"), ("in_force", "实施日期"), ("withdrawn", "废止日期")):
        problem = problem or fill_date(record, field_name, find_cell(cells, label), name, line)
    if problem:
        return Reading(problem=problem)
    record.ics = parse_ics(find_cell(cells, "国际标准分类号"))
    ccs = clean_ccs(find_cell(cells, "中国标准分类号"))
    if ccs and not CCS_RE.match(ccs):
        return Reading(problem=Problem(name, line, "ccs", f"CCS code '{ccs}' is not a letter and two digits."))
    record.ccs = ccs
    record.committee = find_committee(find_cell(cells, "归口单位", "归口部门"))
    add_remark_relations(record, find_cell(cells, "备注"))
    add_adoption(record, find_cell(cells, "采标情况", "采用国际标准"))
    return Reading(item=record, line=line)
