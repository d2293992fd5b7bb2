"""Write docs/templates/register-template.{xlsx} and the two CSV tables beside it.

Run from the repository root: ``.venv/bin/python scripts/make_register_template.py``. The
headings come from ``ingest.register_sheet`` (the first Chinese and the first English heading of
each field, as "结果编号 / Result no."), so the template always matches what the reader accepts.
The example rows are the demo's fictional enterprise (示例, a placeholder credit code in GB 11714's
PDY zone) benchmarking against real standards, whose own values are left empty: only the
scheme's clause is named, because a standard's value appears only once someone has read it.
"""
from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.register_sheet import CERTIFICATE_COLUMNS, RESULT_COLUMNS  # noqa: E402

OUT = ROOT / "docs" / "templates"
VALVES = {"enterprise": "温州示例阀门有限公司", "enterprise_en": "Wenzhou Example Valve Co., Ltd. (fictional)",
          "credit_code": "91330324PDY00001X1", "district": "永嘉县", "cluster": "valves", "product": "钢制闸阀",
          "product_en": "Steel gate valve", "model": "Z41H-16C-PDY", "product_standards": "GB/T 12234-2019"}
RESULT_EXAMPLES = [
    {"ref": "R1", **VALVES, "scheme": "steel-gate-valves", "own_standard": "Q/PDY 0001-2013",
     "compared": "ISO 5208:2008、ISO 10434:2004", "date": "2013-09-16", "level": "先进", "reached": "是",
     "published_on": "2013-10-08", "platform": "示例对标平台", "link": "https://example.org/benchmarking/valves-2013",
     "status": "已发布", "state": "公开", "indicator": "1", "value": "2.4", "unit": "MPa", "value_kind": "实测",
     "report": "PDY-VT-2013-0815", "direction": "越大越好", "standard": "ISO 5208:2008", "standard_clause": "shell test",
     "laboratory": "温州示例检测中心", "accreditation": "CMA/CNAS", "report_date": "2013-08-15",
     "evaluation_body": "示例认证有限公司", "evaluation_method": "文件审查与现场核查",
     "evaluation_conclusion": "主要指标达到国际先进水平（示例）", "evaluation_date": "2013-09-10", "note": "示例数据（虚构）"},
    {"ref": "R1", "indicator": "2", "value": "无可见泄漏", "value_kind": "实测", "report": "PDY-VT-2013-0815",
     "direction": "合格判定", "standard": "ISO 5208:2008", "standard_clause": "seat test / leakage rates",
     "note": "示例数据（虚构）"},
    {"ref": "R1", "indicator": "3", "value": "12.7", "unit": "mm", "value_kind": "声明", "clause": "5.3",
     "direction": "越大越好", "outcome": "优于", "standard": "ISO 10434:2004", "standard_clause": "body wall thickness",
     "note": "示例数据（虚构）；结论为企业自评"},
]
CERTIFICATE_EXAMPLES = [
    {"number": "PDY-ZJZZ-2016-001", "type": "浙江制造", "credit_code": VALVES["credit_code"],
     "enterprise": VALVES["enterprise"], "product": VALVES["model"], "issuer": "示例认证有限公司", "scope": "钢制闸阀（示例）",
     "issued": "2016-03-01", "expires": "2029-02-28", "event": "有效", "event_date": "2016-03-01"},
    {"number": "PDY-ZJZZ-2016-001", "type": "浙江制造", "credit_code": VALVES["credit_code"], "event": "暂停",
     "event_date": "2018-07-01", "event_note": "监督检查发现问题（示例）"},
    {"number": "PDY-ZJZZ-2016-001", "type": "浙江制造", "credit_code": VALVES["credit_code"], "event": "恢复",
     "event_date": "2018-10-15", "event_note": "整改完成（示例）"},
]
INSTRUCTIONS = [
    ["对标达标登记表 / Benchmarking register template"],
    ["格式说明见 docs/register.md；此“说明”页不被读取。The format is described in docs/register.md; this sheet is not read."],
    ["对标结果：一行为一项指标对一项对标标准的对比；同一结果的各行共用结果编号，第一行写企业、产品和结果信息。"],
    ["Results: one row per compared standard of one indicator; the rows of a result share its result no.; the first row gives the enterprise, product and result."],
    ["证书：一行为证书的一条状态记录（有效、暂停、恢复、撤销、注销、过期）。Certificates: one row per status event."],
    ["示例行中的企业、代码、数值和证书均为虚构；对标标准的数值未填写，只注明应查阅的条款。"],
    ["The example rows' enterprise, code, values and certificates are fictional; the standards' own values are left empty with the clause to read."],
]


def heading(columns: dict[str, tuple[str, ...]], name: str) -> str:
    """'结果编号 / Result no.': the first Chinese and the first English heading of a field."""
    chinese = next(h for h in columns[name] if any("\u4e00" <= ch <= "\u9fff" for ch in h))
    english = next(h for h in columns[name] if not any("\u4e00" <= ch <= "\u9fff" for ch in h))
    return f"{chinese} / {english[:1].upper()}{english[1:]}"


def table(columns: dict[str, tuple[str, ...]], examples: list[dict]) -> list[list[str]]:
    return [[heading(columns, f) for f in columns]] + [[row.get(f, "") for f in columns] for row in examples]


def write_csv(path: Path, rows: list[list[str]]) -> None:
    """UTF-8 with a byte-order mark: Excel on Windows reads Chinese CSV correctly only with it."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))


def write_xlsx(path: Path) -> None:
    """Sheets 说明, 对标结果 and 证书; bold frozen headings and text cells (keeps '0001' and dates as typed)."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    book.active.title = "说明"
    for row in INSTRUCTIONS:
        book.active.append(row)
    book.active.column_dimensions["A"].width = 120
    for title, rows in (("对标结果", table(RESULT_COLUMNS, RESULT_EXAMPLES)),
                        ("证书", table(CERTIFICATE_COLUMNS, CERTIFICATE_EXAMPLES))):
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column in sheet.columns:
            for cell in column:
                cell.number_format = "@"
            sheet.column_dimensions[column[0].column_letter].width = 20
        sheet.freeze_panes = "A2"
    book.save(path)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    write_xlsx(OUT / "register-template.xlsx")
    write_csv(OUT / "register-results-template.csv", table(RESULT_COLUMNS, RESULT_EXAMPLES))
    write_csv(OUT / "register-certificates-template.csv", table(CERTIFICATE_COLUMNS, CERTIFICATE_EXAMPLES))
    print(f"wrote {OUT / 'register-template.xlsx'} and the two CSV tables beside it")


if __name__ == "__main__":
    main()
