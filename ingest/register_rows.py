"""Register records from plain field dicts: what the YAML and the spreadsheet readers share.

Each reader turns its input into dicts of field -> value ({"credit_code": "9133...", "name": ...})
and calls the builders here, which check what a file can be judged on alone and answer the record
(or None) with the problems found. Field names in problems come from :class:`Where`: a YAML path
(``register.enterprises[0].results[1].scheme``) or a spreadsheet's own column heading (对标方案).
Not a reader (no FORMAT): ``ingest.detect`` passes it by.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from catalogue.designation import try_parse
from catalogue.records import Problem
from catalogue.register import (
    CERTIFICATE_STATUS_WORDS,
    DIRECTION_WORDS,
    OUTCOME_WORDS,
    REACHED_WORDS,
    STATE_WORDS,
    STATUS_WORDS,
    VALUE_KIND_WORDS,
    Certificate,
    CertificateEvent,
    Comparison,
    Enterprise,
    Evaluation,
    Product,
    Result,
    StandardValue,
    TestReport,
    check_credit_code,
    fold,
    is_numeric_value,
    normalise_credit_code,
    read_accreditation,
    read_word,
)

from .sheet import parse_sheet_date

_LIST_SEP = re.compile(r"[、，,;；\n]+")
_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Certificate types written in several ways, stored under one name.
CERTIFICATE_TYPES = {fold(w): name for name, words in {
    "浙江制造": ("浙江制造", "品字标", "品字标浙江制造", "zhejiang made"),
    "CCC": ("ccc", "3c", "中国强制性产品认证"),
    "API Monogram": ("api monogram", "api", "api会标"),
    "CE": ("ce", "ce marking", "ce认证"),
}.items() for w in words}


@dataclass
class Where:
    """Where a record sits in its file: the file, the line, and how its fields are named."""

    file: str
    line: int | None
    path: str = ""
    headings: dict[str, str] = field(default_factory=dict)

    def label(self, name: str) -> str:
        if self.path:
            return f"{self.path}.{name}" if name else self.path
        return self.headings.get(name, name)

    def problem(self, name: str, reason: str) -> Problem:
        return Problem(self.file, self.line, self.label(name), reason)

    def at(self, line: int | None = None, path: str | None = None) -> "Where":
        return Where(self.file, line if line is not None else self.line, self.path if path is None else path, self.headings)


def text(value: Any) -> str:
    """A cell or YAML scalar as one stripped line: 2.40 -> '2.4', a date -> '2014-05-20', None -> ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    out = " ".join(str(value).replace("\u3000", " ").split())
    return "" if fold(out) in ("-", "—", "/", "无", "n/a") else out


def names_of(value: Any, english: Any = None) -> dict[str, str]:
    """{'zh': ..., 'en': ...} from a text (its script decides), a {zh, en} mapping, and an English text."""
    out: dict[str, str] = {}
    if isinstance(value, dict):
        out.update({str(k): text(v) for k, v in value.items() if text(v)})
    elif text(value):
        t = text(value)
        out["zh" if any("\u4e00" <= ch <= "\u9fff" for ch in t) else "en"] = t
    if text(english):
        out["en"] = text(english)
    return out


def items_of(value: Any) -> list[str]:
    """A YAML list or a cell of items separated by 、 ， , ; ； or line breaks."""
    if isinstance(value, (list, tuple)):
        return [text(v) for v in value if text(v)]
    return [t.strip() for t in _LIST_SEP.split(str(value or "")) if t.strip()]


def read_date(raw: Any, name: str, where: Where, problems: list[Problem], full: bool = False) -> str:
    """A date from a cell or YAML value ('2014/5/20', '2014年5月20日', a date object), '' when empty."""
    if not text(raw):
        return ""
    value = parse_sheet_date(raw) if not isinstance(raw, str) else parse_sheet_date(text(raw))
    if value is None or (full and not _FULL_DATE.match(value)):
        kind = "a full date (YYYY-MM-DD)" if full else "a date (YYYY-MM-DD)"
        problems.append(where.problem(name, f"'{text(raw)}' is not {kind}"))
        return ""
    return value


def _word(raw: Any, words: dict[str, str], name: str, reason: str, where: Where, problems: list[Problem]) -> str:
    value = read_word(text(raw), words)
    if value is None:
        problems.append(where.problem(name, reason.format(text=text(raw))))
        return ""
    return value


def _designations(raw: Any, name: str, where: Where, problems: list[Problem]) -> list[str] | None:
    out = []
    for item in items_of(raw):
        d = try_parse(item)
        if d is None:
            problems.append(where.problem(name, f"'{item}' is not a standard designation"))
            return None
        out.append(d.display)
    return out


# ------------------------------------------------------------------ builders
def build_enterprise(raw: dict, where: Where) -> tuple[Enterprise | None, list[Problem]]:
    names = names_of(raw.get("name"), raw.get("name_en"))
    if not names:
        return None, [where.problem("name", "an enterprise needs its name")]
    reason = check_credit_code(text(raw.get("credit_code")))
    if reason:
        return None, [where.problem("credit_code", reason)]
    return Enterprise(normalise_credit_code(text(raw.get("credit_code"))), names, text(raw.get("district")),
                      text(raw.get("cluster")), where.line, where.path), []


def build_product(raw: dict, code: str, where: Where) -> tuple[Product | None, list[Problem]]:
    names = names_of(raw.get("name"), raw.get("name_en"))
    if not names:
        return None, [where.problem("name", "a product needs its name")]
    problems: list[Problem] = []
    standards = _designations(raw.get("standards"), "standards", where, problems)
    if standards is None:
        return None, problems
    return Product(code, names, text(raw.get("model")), standards, where.line, where.path), []


def build_result(raw: dict, code: str, where: Where) -> tuple[Result | None, list[Problem]]:
    """The result's own fields (its reports, evaluations and comparisons are added by the reader)."""
    problems: list[Problem] = []
    for name, reason in (("product", "a result names its product (model or name)"),
                         ("scheme", "a result names its benchmarking scheme (the scheme's id)")):
        if not text(raw.get(name)):
            return None, [where.problem(name, reason)]
    if not text(raw.get("date")):
        return None, [where.problem("date", "a result needs its date (the compared standards are taken as of it)")]
    day = read_date(raw.get("date"), "date", where, problems, full=True)
    compared = _designations(raw.get("compared"), "compared", where, problems)
    if compared == []:
        problems.append(where.problem("compared", "a result names the standards it compared against"))
    reached = _word(raw.get("reached"), REACHED_WORDS, "reached", "'{text}' is not yes, no or partly (是 / 否 / 部分)",
                    where, problems)
    status = _word(raw.get("status"), STATUS_WORDS, "status",
                   "'{text}' is not a result status; use published, updated or withdrawn (needs review is set by the catalogue)",
                   where, problems)
    state = _word(raw.get("state"), STATE_WORDS, "state", "'{text}' is not a state; use draft, published or withdrawn",
                  where, problems)
    published = read_date(raw.get("published_on"), "published_on", where, problems)
    link = text(raw.get("link"))
    if link and not link.lower().startswith(("http://", "https://")):
        problems.append(where.problem("link", f"'{link}' is not a web address (http:// or https://)"))
    if problems:
        return None, problems
    return Result(code, text(raw.get("product")), text(raw.get("scheme")), day, compared or [],
                  text(raw.get("own_standard")), text(raw.get("level")), reached, published, text(raw.get("platform")),
                  link, status, state, ref=text(raw.get("ref")), line=where.line, path=where.path), []


def build_report(raw: dict, where: Where) -> tuple[TestReport | None, list[Problem]]:
    if not text(raw.get("number")):
        return None, [where.problem("number", "a test report needs its number")]
    problems: list[Problem] = []
    accreditation = read_accreditation(text(raw.get("accreditation")))
    if accreditation is None:
        problems.append(where.problem("accreditation", f"'{text(raw.get('accreditation'))}' is not CMA, CNAS or both"))
    day = read_date(raw.get("date"), "date", where, problems)
    if problems:
        return None, problems
    return TestReport(text(raw.get("number")), text(raw.get("laboratory")), accreditation, day, where.line), []


def build_evaluation(raw: dict, where: Where) -> tuple[Evaluation | None, list[Problem]]:
    if not text(raw.get("body")):
        return None, [where.problem("body", "a third-party evaluation names the body that made it")]
    problems: list[Problem] = []
    day = read_date(raw.get("date"), "date", where, problems)
    if problems:
        return None, problems
    return Evaluation(text(raw.get("body")), text(raw.get("method")), text(raw.get("conclusion")), day, where.line), []


def build_cell(raw: dict, where: Where, name: str = "") -> tuple[StandardValue | None, list[Problem]]:
    """One compared standard's value; ``name`` is its place in a YAML comparison ('standards[0]'),
    while a sheet names the columns (对比标准, 标准条款)."""
    designation = text(raw.get("standard"))
    d = try_parse(designation) if designation else None
    if d is None:
        reason = f"'{designation}' is not a standard designation" if designation else "every value names its standard"
        return None, [where.problem(f"{name}.standard" if where.path else "standard", reason)]
    value, clause = text(raw.get("value")), text(raw.get("clause"))
    if value and not clause:
        # As in schemes: a standard's value appears only with the clause it comes from.
        return None, [where.problem(f"{name}.clause" if where.path else "standard_clause",
                                    f"the value {value} of {d.display} needs the clause it comes from")]
    return StandardValue(d.display, value, text(raw.get("unit")), clause, line=where.line,
                         path=f"{where.path}.{name}" if where.path else ""), []


def build_comparison(raw: dict, cells: list[StandardValue], where: Where) -> tuple[Comparison | None, list[Problem]]:
    """An indicator comparison; the reader checks its report against the result's reports."""
    if not text(raw.get("indicator")):
        return None, [where.problem("indicator", "every comparison names the scheme's indicator (its number or name)")]
    problems: list[Problem] = []
    kind = _word(raw.get("value_kind", raw.get("kind")), VALUE_KIND_WORDS, "value_kind",
                 "'{text}' is not declared or measured (声明 / 实测)", where, problems)
    direction = _word(raw.get("direction"), DIRECTION_WORDS, "direction",
                      "'{text}' is not a direction; use higher, lower, range or pass-fail", where, problems)
    outcome = _word(raw.get("outcome"), OUTCOME_WORDS, "outcome",
                    "'{text}' is not an outcome; use better, equal, worse or not-applicable", where, problems)
    value, unit, report, clause = (text(raw.get(k)) for k in ("value", "unit", "report", "clause"))
    kind = kind or ("measured" if report else "declared")
    if not value and outcome != "not-applicable":
        problems.append(where.problem("value", "a comparison needs the enterprise's value"))
    elif value and is_numeric_value(value) and not unit:
        problems.append(where.problem("unit", f"the value {value} needs its unit"))
    elif value and kind == "measured" and not report:
        problems.append(where.problem("report", f"the measured value {value} needs the test report it comes from"))
    elif value and not (report or clause):
        problems.append(where.problem("report", (
            f"the value {value} needs its source: the test report it was measured in, or the clause of the "
            "enterprise's standard that declares it")))
    if problems:
        return None, problems
    return Comparison(text(raw.get("indicator")), value, unit, kind, report, clause, direction, outcome, cells,
                      text(raw.get("note")), where.line, where.path), []


def build_certificate(raw: dict, code: str, events: list[CertificateEvent], where: Where) -> tuple[Certificate | None, list[Problem]]:
    number, kind = text(raw.get("number")), text(raw.get("type"))
    if not number:
        return None, [where.problem("number", "a certificate needs its number")]
    if not kind:
        return None, [where.problem("type", "a certificate needs its type (浙江制造, CCC, API Monogram, CE ...)")]
    problems: list[Problem] = []
    issued = read_date(raw.get("issued"), "issued", where, problems)
    expires = read_date(raw.get("expires"), "expires", where, problems)
    basis = text(raw.get("basis"))
    if basis and try_parse(basis) is None:
        problems.append(where.problem("basis", f"'{basis}' is not a standard designation"))
    if issued and expires and expires < issued:
        problems.append(where.problem("expires", f"the certificate expires ({expires}) before it is issued ({issued})"))
    if problems:
        return None, problems
    display = try_parse(basis).display if basis else ""
    return Certificate(number, CERTIFICATE_TYPES.get(fold(kind), kind), code, text(raw.get("product")),
                       text(raw.get("issuer")), display, text(raw.get("scope")), issued, expires, events,
                       where.line, where.path), []


def build_event(raw: dict, where: Where) -> tuple[CertificateEvent | None, list[Problem]]:
    problems: list[Problem] = []
    status = _word(raw.get("status"), CERTIFICATE_STATUS_WORDS, "status",
                   "'{text}' is not a certificate status; use valid, suspended, restored, revoked, cancelled or expired",
                   where, problems)
    if not status and not problems:
        problems.append(where.problem("status", "a status event needs its status"))
    day = read_date(raw.get("date"), "date", where, problems)
    if not day and not problems:
        problems.append(where.problem("date", "a status event needs its date"))
    if problems:
        return None, problems
    return CertificateEvent(status, day, text(raw.get("note")), where.line), []


def result_key(code: str, result: Result) -> tuple[str, str, str, str]:
    """What makes two results of one file the same result, as far as the file can tell."""
    return (code, fold(result.product), result.scheme, result.date)
