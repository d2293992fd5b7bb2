"""The 对标达标 register: what enterprises benchmarked, and the rules that judge it.

Plain records (an enterprise, its products, a benchmarking result with its indicator comparisons,
test reports and third-party evaluations, a certificate with its status events) and the rules
applied to them, with no Flask, Whoosh or ingest imports:

- :func:`check_credit_code`: the unified social credit code's 18th character (GB 32100-2015);
- the words a file may use for levels, reached, status, direction, outcome ... (Chinese or English);
- :func:`judge_comparison`: an indicator's outcome from the values and which way is better;
- :func:`review_reasons`: **the review rule**, whether a result needs review because a standard it
  compared against (the edition as of the result date) was replaced, withdrawn or amended after it.

Readers in ``ingest/`` build these records; :mod:`catalogue.register_batch` checks them against the
store and writes them (all SQL in :mod:`catalogue.store_register`).
"""
from __future__ import annotations

import hashlib
import math
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable

# ------------------------------------------------------------------ the unified social credit code
#: GB 32100-2015 table 1: the 31 characters of the code (no I, O, S, V, Z), valued 0..30.
CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: W_i = 3^(i-1) mod 31 for positions 1..17 (GB 32100-2015 table 2).
CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
#: GB 11714-1997 clause 3 reserves organisation codes PDY00001..PDY99999 for systems' own internal
#: codes, never used between systems: credit codes whose subject part starts so are our examples.
EXAMPLE_PREFIX = "PDY"


def credit_check_char(first17: str) -> str:
    """The 18th character for the first 17: '91350100M000100Y4' -> '3' (GB 32100-2015's worked example)."""
    total = sum(CREDIT_CHARSET.index(ch) * w for ch, w in zip(first17, CREDIT_WEIGHTS))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def normalise_credit_code(text: str) -> str:
    """Full-width letters, spaces and lower case folded: '９１３５ 0100m000100y43' -> '91350100M000100Y43'."""
    return "".join(unicodedata.normalize("NFKC", str(text or "")).upper().split())


def check_credit_code(text: str) -> str | None:
    """Why ``text`` is not a unified social credit code, or None when it is one (check character included)."""
    code = normalise_credit_code(text)
    if not code:
        return "a unified social credit code (统一社会信用代码) is required"
    if len(code) != 18:
        return f"'{code}' is not a unified social credit code: it has {len(code)} characters, not 18"
    for ch in code:
        if ch not in CREDIT_CHARSET:
            return (f"'{code}' is not a unified social credit code: '{ch}' is not used in credit codes "
                    "(0-9 and A-Z without I, O, S, V, Z)")
    expected = credit_check_char(code[:17])
    if code[17] != expected:
        return f"'{code}' is not a unified social credit code: its check character should be '{expected}' (GB 32100-2015)"
    return None


def is_example_code(code: str) -> bool:
    """Whether a credit code is one of our documented placeholders (subject part in GB 11714's PDY zone)."""
    return normalise_credit_code(code)[8:11] == EXAMPLE_PREFIX


def example_credit_code(division: str, serial: int) -> str:
    """A placeholder credit code: enterprise (91), the division, PDY + a serial, both check characters.

    example_credit_code('330324', 1) -> '91330324PDY00001' + GB 11714 check + GB 32100 check.
    """
    body = f"{EXAMPLE_PREFIX}{serial:05d}"
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in body]  # GB 11714: A=10 ... Z=35
    c9 = 11 - sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2))) % 11
    first17 = f"91{division}{body}{'X' if c9 == 10 else '0' if c9 == 11 else c9}"
    return first17 + credit_check_char(first17)


# ------------------------------------------------------------------ ids
def make_id(prefix: str, *parts: str) -> str:
    """An opaque, stable id from what identifies a thing: make_id('r', ...) -> 'r-3f9c0a6b12de'."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"{prefix}-{digest[:12]}"


def new_token(prefix: str) -> str:
    """A random id for things made on the web (drafts): 'r-' + 12 random hex digits."""
    return f"{prefix}-{secrets.token_hex(6)}"


# ------------------------------------------------------------------ words
def fold(text) -> str:
    """Text as words are matched: NFKC, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", str(text if text is not None else "")).casefold().split())


def _words(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {fold(word): code for code, words in table.items() for word in (code, *words)}


REACHED = ("yes", "no", "partly")
DECLARED_STATUSES = ("published", "updated", "withdrawn")
#: The effective status adds the review rule's answer.
STATUSES = ("published", "updated", "needs_review", "withdrawn")
STATES = ("draft", "published", "withdrawn")
DIRECTIONS = ("higher", "lower", "range", "pass-fail")
OUTCOMES = ("better", "equal", "worse", "not-applicable")
VALUE_KINDS = ("declared", "measured")
CERTIFICATE_STATUSES = ("valid", "suspended", "restored", "revoked", "cancelled", "expired")
ACCREDITATIONS = ("CMA", "CNAS")
#: The default levels (水平), stored in benchmark_levels and replaceable by a register file's ``levels``.
DEFAULT_LEVELS = (("leading", {"zh": "领先", "en": "leading"}), ("advanced", {"zh": "先进", "en": "advanced"}),
                  ("average", {"zh": "平均", "en": "average"}), ("lagging", {"zh": "落后", "en": "lagging"}))

REACHED_WORDS = _words({"yes": ("是", "达标", "已达标", "y", "true", "reached"),
                        "no": ("否", "未达标", "n", "false", "not reached"),
                        "partly": ("部分", "部分达标", "partial", "partially")})
STATUS_WORDS = _words({"published": ("已发布", "发布", "公布", "已公布"), "updated": ("已更新", "更新"),
                       "withdrawn": ("已撤销", "撤销", "已撤回", "撤回", "已废止")})
STATE_WORDS = _words({"draft": ("草稿",), "published": ("公开", "已公开", "public"),
                      "withdrawn": ("撤下", "已撤下", "不公开")})
DIRECTION_WORDS = _words({"higher": ("越大越好", "越高越好", "望大", "higher is better", "≥"),
                          "lower": ("越小越好", "越低越好", "望小", "lower is better", "≤"),
                          "range": ("范围", "区间", "在范围内", "within"),
                          "pass-fail": ("合格判定", "符合性", "是否合格", "pass/fail", "pass fail")})
OUTCOME_WORDS = _words({"better": ("优于", "好于", "超过"), "equal": ("相当", "持平", "等同", "一致", "达到"),
                        "worse": ("劣于", "差于", "低于标准", "未达到"),
                        "not-applicable": ("不适用", "不涉及", "n/a", "na", "not applicable")})
VALUE_KIND_WORDS = _words({"declared": ("声明", "明示", "标称", "声明值"), "measured": ("实测", "检测", "测得", "实测值")})
CERTIFICATE_STATUS_WORDS = _words({"valid": ("有效", "颁发", "发证"), "suspended": ("暂停",),
                                   "restored": ("恢复",), "revoked": ("撤销",),
                                   "cancelled": ("注销", "canceled"), "expired": ("过期", "失效", "到期")})
PASS_WORDS = {fold(w) for w in ("合格", "符合", "通过", "无泄漏", "无可见泄漏", "未见泄漏", "pass", "passed", "conforms", "conform", "yes")}
FAIL_WORDS = {fold(w) for w in ("不合格", "不符合", "未通过", "fail", "failed", "no")}


def read_word(text, words: dict[str, str]) -> str | None:
    """The code a word stands for ('部分达标' -> 'partly'), '' for an empty cell, None when unknown."""
    folded = fold(text)
    if not folded:
        return ""
    return words.get(folded)


def read_accreditation(text) -> list[str] | None:
    """'CMA/CNAS', 'CMA、CNAS', 'cnas' -> ['CMA', 'CNAS'] / ['CNAS']; None when a part is neither."""
    parts = [p for p in re.split(r"[/、,，;；+\s]+", unicodedata.normalize("NFKC", str(text or "")).upper()) if p]
    if any(p not in ACCREDITATIONS for p in parts):
        return None
    return [a for a in ACCREDITATIONS if a in parts]


def read_level(text, levels: Iterable[tuple[str, dict]]) -> str | None:
    """A level's code from its code or any of its names ('先进' -> 'advanced'); '' empty, None unknown."""
    folded = fold(text)
    if not folded:
        return ""
    for code, names in levels:
        if folded == fold(code) or folded in {fold(n) for n in names.values()}:
            return code
    return None


# ------------------------------------------------------------------ records
@dataclass
class Enterprise:
    credit_code: str
    names: dict[str, str] = field(default_factory=dict)
    district: str = ""
    cluster: str = ""
    line: int | None = None
    path: str = ""  # where in its file a problem points (a YAML path; '' in a sheet, which names columns)

    @property
    def id(self) -> str:
        return make_id("e", normalise_credit_code(self.credit_code))


@dataclass
class Product:
    enterprise_code: str
    names: dict[str, str] = field(default_factory=dict)
    model: str = ""
    standards: list[str] = field(default_factory=list)
    line: int | None = None
    path: str = ""

    @property
    def natural(self) -> str:
        """What tells two products of one enterprise apart: the model, else the name."""
        return fold(self.model) or fold(self.names.get("zh") or self.names.get("en") or "")

    @property
    def id(self) -> str:
        return make_id("p", normalise_credit_code(self.enterprise_code), self.natural)


@dataclass
class TestReport:
    number: str
    laboratory: str = ""
    accreditation: list[str] = field(default_factory=list)
    date: str = ""
    line: int | None = None


@dataclass
class Evaluation:
    body: str = ""
    method: str = ""
    conclusion: str = ""
    date: str = ""
    line: int | None = None


@dataclass
class StandardValue:
    """One compared standard's value for an indicator, with the clause it comes from."""

    designation: str
    value: str = ""
    unit: str = ""
    clause: str = ""
    key: str = ""
    outcome: str = ""
    line: int | None = None
    path: str = ""


@dataclass
class Comparison:
    """One indicator of the scheme: the enterprise's value against each compared standard's."""

    indicator: str  # as written: a 1-based position ('2') or a name
    value: str = ""
    unit: str = ""
    value_kind: str = ""
    report: str = ""
    clause: str = ""
    direction: str = ""
    outcome_given: str = ""
    cells: list[StandardValue] = field(default_factory=list)
    note: str = ""
    line: int | None = None
    path: str = ""
    # Filled when checked against the scheme and judged:
    position: int | None = None
    names: dict[str, str] = field(default_factory=dict)
    outcome: str = ""
    computed: bool = False


@dataclass
class Result:
    enterprise_code: str
    product: str  # the product's model or name, among the enterprise's products
    scheme: str
    date: str
    compared: list[str] = field(default_factory=list)
    own_standard: str = ""
    level: str = ""  # as written; a level code once checked
    reached: str = ""
    published_on: str = ""
    platform: str = ""
    link: str = ""
    status: str = ""  # '' when the file names none: published for a new result, unchanged for one stored
    state: str = ""
    reports: list[TestReport] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)
    ref: str = ""  # the file's own name for the result (a sheet's 结果编号)
    line: int | None = None
    path: str = ""
    # Filled when checked against the store: (designation, edition key, work, as written when undated),
    # and the product's natural key (its model, else its name) once the product is found.
    editions: list[tuple[str, str, str, str]] = field(default_factory=list)
    product_natural: str = ""

    @property
    def natural_key(self) -> str:
        return "\x1f".join((normalise_credit_code(self.enterprise_code), self.product_natural or fold(self.product),
                             self.scheme, self.date))

    @property
    def id(self) -> str:
        return make_id("r", self.natural_key)


@dataclass
class CertificateEvent:
    status: str
    date: str
    note: str = ""
    line: int | None = None


@dataclass
class Certificate:
    number: str
    cert_type: str
    enterprise_code: str
    product: str = ""  # model or name of one of the enterprise's products, or empty
    issuer: str = ""
    basis: str = ""
    scope: str = ""
    issued: str = ""
    expires: str = ""
    events: list[CertificateEvent] = field(default_factory=list)
    line: int | None = None
    path: str = ""

    @property
    def id(self) -> str:
        return make_id("c", fold(self.cert_type), fold(self.number))


def certificate_status(events: list[dict], expires: str, today: str) -> str:
    """A certificate's status now: its last event's, and 'expired' once a valid one's expiry has passed.

    'restored' reads as valid again; no events at all means valid from issue.
    """
    last = events[-1]["status"] if events else "valid"
    if last in ("valid", "restored") and expires and expires < today:
        return "expired"
    return "valid" if last == "restored" else last


# ------------------------------------------------------------------ outcomes
_COMPARATOR = re.compile(r"^(?:≥|≤|>=|<=|>|<|⩾|⩽|≧|≦|不小于|不大于|不低于|不高于|不少于|不超过|大于|小于|至少|至多)\s*")
_NUMBER = r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?"
_NUMBER_RE = re.compile(rf"^{_NUMBER}$")
_RANGE_RE = re.compile(rf"^({_NUMBER})\s*(?:~|～|–|—|－|-|至|到|to)\s*({_NUMBER})$")
_RANK = {"worse": 0, "equal": 1, "better": 2}


def read_number(text) -> float | None:
    """'2.4', '≥ 2.4', '不小于2.4' -> 2.4; anything else (words, ranges) -> None."""
    s = _COMPARATOR.sub("", unicodedata.normalize("NFKC", str(text or "")).strip())
    return float(s) if _NUMBER_RE.match(s) else None


def read_range(text) -> tuple[float, float] | None:
    """'1.0~1.5', '1.0-1.5', '1.0 至 1.5' -> (1.0, 1.5); a single number or words -> None."""
    m = _RANGE_RE.match(unicodedata.normalize("NFKC", str(text or "")).strip())
    if not m:
        return None
    low, high = float(m.group(1)), float(m.group(2))
    return (low, high) if low <= high else (high, low)


def is_numeric_value(text) -> bool:
    return read_number(text) is not None or read_range(text) is not None


def compare_cell(ours: str, theirs: str, direction: str) -> str | None:
    """Our value against one standard's: better | equal | worse, or None when it cannot be computed.

    higher/lower compare numbers; range asks whether ours lies within theirs (a narrower range
    inside it is better); pass-fail reads our value's word (合格 / 不合格) and needs no number.
    """
    if direction == "pass-fail":
        word = fold(ours)
        return "equal" if word in PASS_WORDS else "worse" if word in FAIL_WORDS else None
    if direction in ("higher", "lower"):
        a, b = read_number(ours), read_number(theirs)
        if a is None or b is None:
            return None
        if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
            return "equal"
        return "better" if (a > b) == (direction == "higher") else "worse"
    if direction == "range":
        bounds = read_range(theirs)
        if bounds is None:
            return None
        low, high = bounds
        mine = read_range(ours)
        if mine is None:
            x = read_number(ours)
            if x is None:
                return None
            return "equal" if low <= x <= high else "worse"
        if low <= mine[0] and mine[1] <= high:
            return "better" if (mine[0] > low or mine[1] < high) else "equal"
        return "worse"
    return None


def judge_comparison(comparison: Comparison) -> str | None:
    """Fill each cell's outcome and the comparison's; answer why a given outcome is wrong, or None.

    The row's computed outcome is its worst cell (so: against the most demanding standard);
    a pass-fail row is judged on our value alone. A given outcome must agree with a computed one
    ('not-applicable' always may be given); when nothing can be computed the given one stands.
    """
    computed: list[str] = []
    for cell in comparison.cells:
        same_unit = not cell.unit or fold(cell.unit) == fold(comparison.unit)
        outcome = compare_cell(comparison.value, cell.value, comparison.direction) if same_unit and cell.value else None
        cell.outcome = outcome or ""
        if outcome:
            computed.append(outcome)
    if comparison.direction == "pass-fail" and not computed:
        own = compare_cell(comparison.value, "", "pass-fail")
        if own:
            computed.append(own)
    found = min(computed, key=_RANK.__getitem__) if computed else None
    given = comparison.outcome_given
    comparison.computed = found is not None
    comparison.outcome = given or found or ""
    if given and found and given != "not-applicable" and given != found:
        return f"the outcome '{given}' does not follow from the values, which give '{found}' ({comparison.direction})"
    return None


# ------------------------------------------------------------------ the review rule
@dataclass
class EditionFacts:
    """What the catalogue knows of one compared edition's life after it was published.

    ``replaced_by`` and ``amended_by``: (key, designation, date, status) of the successor or
    amendment, the date being when it took effect as far as the records say (in force, else
    published, else its year); ``status_changes``: (logged at, old, new) from the changes log.
    """

    key: str
    designation: str
    status: str = ""
    withdrawn: str = ""
    replaced_by: list[tuple[str, str, str, str]] = field(default_factory=list)
    amended_by: list[tuple[str, str, str, str]] = field(default_factory=list)
    status_changes: list[tuple[str, str | None, str]] = field(default_factory=list)


def on_or_after(event: str, day: str) -> bool:
    """Whether an event dated ``event`` (as precise as known) may fall on or after ``day``:
    ('2015-06', '2014-05-20') -> True; ('2015', '2015-03-01') -> True (the same year may be after)."""
    event = event[:10]
    return event >= day[:len(event)]


def review_reasons(result_date: str, facts: Iterable[EditionFacts]) -> list[dict]:
    """**The review rule.** Why a result dated ``result_date`` needs review: one reason per compared
    edition replaced, withdrawn or amended on or after that date ([] when none was).

    A reason is {"key", "designation", "kind": replaced | withdrawn | amended, "by_key",
    "by_designation", "on", "evidence"}. The date of an event is the record's (the successor's or
    amendment's in-force or publication date, the edition's withdrawal date); where the records give
    none, the day the catalogue logged the status change; where there is neither, the event may
    have come after the result, so it counts with ``on`` empty and evidence 'undated'. An edition
    not in the catalogue gives no reason (nothing is known of it); a draft successor is no successor.
    """
    reasons: list[dict] = []

    def learnt(f: EditionFacts, statuses: tuple[str, ...]) -> str:
        # The earliest logged change into one of ``statuses`` from a status held before.
        times = [at for at, old, new in f.status_changes if old and new in statuses]
        return min(times) if times else ""

    def add(f: EditionFacts, kind: str, on: str, by: tuple[str, str] = ("", ""), evidence: str = "record") -> None:
        if on and not on_or_after(on, result_date):
            return
        reasons.append({"key": f.key, "designation": f.designation, "kind": kind, "by_key": by[0],
                        "by_designation": by[1], "on": on[:10] if on else "", "evidence": evidence if on else "undated"})

    for f in facts:
        successors = [s for s in f.replaced_by if s[3] != "draft"]
        for key, designation, date, _status in successors:
            on, evidence = (date, "record") if date else (f.withdrawn, "record") if f.withdrawn else \
                (learnt(f, ("replaced", "withdrawn")), "catalogue")
            add(f, "replaced", on, (key, designation), evidence)
        if not successors and f.status in ("replaced", "withdrawn"):
            on, evidence = (f.withdrawn, "record") if f.withdrawn else (learnt(f, (f.status,)), "catalogue")
            add(f, f.status, on, evidence=evidence)
        for key, designation, date, _status in f.amended_by:
            add(f, "amended", date, (key, designation))
    return reasons


def effective_status(declared: str, needs_review: bool) -> str:
    """What a result's status reads: withdrawn stays withdrawn, else needs_review when the rule says so."""
    if declared == "withdrawn":
        return "withdrawn"
    return "needs_review" if needs_review else (declared or "published")
