"""The interface's one vocabulary: every code a reader might see, in the reader's language.

Statuses, document types, levels, relations and adoption degrees, facet values (publishers,
decades, languages, systems, classes, committees), the states of a system's members and the
reference checker's verdicts all get their words here, so a word means one thing everywhere:

    >>> status_label("replaced")           # '被代替' on a Chinese page
    >>> status_label("withdrawn", "plan")  # '已终止': a plan is terminated, not withdrawn
    >>> facet_value_label("decade", "2020s")  # '2020年代'
    >>> class_label("ics", "23.060", {"en": "Valves"})  # the node's name in the reader's language

Chinese words follow the national platforms (std.samr.gov.cn, openstd.samr.gov.cn): 现行,
即将实施, 被代替, 废止, 已终止 (plans), 推荐性 / 强制性, 国家标准 / 行业标准 / 地方标准 ...
Codes stay codes only where no name is known; internal keys are never shown (the cite panel
is the one place a record's key appears, as the citation key).
"""
from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from markupsafe import Markup, escape

from catalogue.classnames import complete_titles

from .i18n import current_language
from .i18n import gettext as _
from .i18n import lazy_gettext as _l

# ------------------------------------------------------------------ statuses
#: The record statuses of DESIGN.md, one word each.
STATUS_LABELS = {
    "current": _l("Current"),
    "upcoming": _l("Upcoming"),
    "replaced": _l("Replaced"),
    "withdrawn": _l("Withdrawn"),
    "draft": _l("Draft"),
}
#: A plan (国家标准计划, std.samr.gov.cn) is terminated (已终止), or still being drafted.
PLAN_STATUS_LABELS = {
    "withdrawn": _l("Terminated"),
    "draft": _l("In progress"),
}
STATUS_CLASSES = ("current", "upcoming", "withdrawn", "replaced", "draft")


def status_label(status: str | None, doc_type: str | None = None) -> str:
    """A record's status in one word: 'replaced' -> 'Replaced' / '被代替'; a plan's 'withdrawn' -> '已终止'."""
    if doc_type == "plan" and status in PLAN_STATUS_LABELS:
        return str(PLAN_STATUS_LABELS[status])
    label = STATUS_LABELS.get(status or "")
    return str(label) if label is not None else _("Status unknown")


def status_class(status: str | None) -> str:
    """The CSS class of a status badge ('status-current'); the words carry the meaning, colour helps."""
    return f"status-{status}" if status in STATUS_CLASSES else "status-unknown"


#: Where a standard a system lists (or a scheme cites) stands now, in the status words above.
#: Where a reference stands (catalogue.lifecycle.STANDINGS), in the statuses' words.
STATE_LABELS = {
    "current": _l("Current"),
    "upcoming": _l("Upcoming"),
    "replaced": _l("Replaced"),
    "withdrawn": _l("Withdrawn"),
    "draft": _l("Draft"),
    "series": _l("Series"),
    "missing": _l("Not in the catalogue"),
}


def state_label(state: str) -> str:
    """Where a reference stands: 'current' -> 'Current' / '现行'; 'missing' -> '不在本目录中'."""
    return str(STATE_LABELS.get(state, state))


#: The reference checker's verdicts (catalogue.refcheck.VERDICTS), in the same words.
VERDICT_LABELS = {
    "current": _l("Current"),
    "superseded": _l("Replaced"),
    "withdrawn": _l("Withdrawn"),
    "upcoming": _l("Upcoming"),
    "unknown": _l("Not in the catalogue"),
    "ambiguous": _l("Ambiguous"),
    "not_designation": _l("Not a designation"),
}


def verdict_label(verdict: str) -> str:
    """A verdict in words: 'superseded' -> 'Replaced' / '被代替'."""
    return str(VERDICT_LABELS.get(verdict, verdict))


# ------------------------------------------------------------------ relations
RELATION_LABELS = {
    "replaces": _l("Replaces"),
    "replaced_by": _l("Replaced by"),
    "amends": _l("Amends"),
    "amended_by": _l("Amended by"),
    "corrects": _l("Corrects"),
    "corrected_by": _l("Corrected by"),
    "adopts": _l("Adopts"),
    "adopted_by": _l("Adopted by"),
    "cites": _l("Cites"),
    "cited_by": _l("Cited by"),
}


def relation_label(kind: str) -> str:
    """A relation type as a heading: 'replaced_by' -> 'Replaced by' / '被代替'."""
    return str(RELATION_LABELS.get(kind, kind))


DEGREE_LABELS = {"IDT": _l("identical"), "MOD": _l("modified"), "NEQ": _l("not equivalent")}


def degree_label(degree: str | None) -> str:
    """An adoption degree with its meaning: 'MOD' -> 'MOD (modified)' / 'MOD（修改采用）'."""
    if not degree:
        return _("degree not given")
    return _("%(code)s (%(meaning)s)", code=degree, meaning=str(DEGREE_LABELS.get(degree, degree)))


#: "X adopts Y" as the national platforms say it: 等同采用 / 修改采用 / 非等效采用 + the standard.
ADOPTION_PHRASES = {
    "IDT": _l("Identical adoption of %(designation)s (IDT)"),
    "MOD": _l("Modified adoption of %(designation)s (MOD)"),
    "NEQ": _l("Not equivalent to %(designation)s (NEQ)"),
}


def adoption_phrase(degree: str | None, designation) -> Markup:
    """'MOD', a link -> '修改采用 ISO 5208:2015（MOD）' as safe markup; ``designation`` may be a link
    (markup, kept) or text (escaped)."""
    template = ADOPTION_PHRASES.get(degree or "")
    text = str(template) if template is not None else _("Adopts %(designation)s")
    before, _sep, after = text.partition("%(designation)s")
    return escape(before) + escape(designation) + escape(after)


# ------------------------------------------------------------------ document types and levels
#: Deliverable types as ISO and IEC name them (stage prefixes included), and China's three kinds.
DOC_TYPE_LABELS = {
    "IS": _l("International Standard"),
    "TS": _l("Technical Specification"),
    "TR": _l("Technical Report"),
    "PAS": _l("Publicly Available Specification"),
    "Guide": _l("Guide"),
    "IWA": _l("International Workshop Agreement"),
    "R": _l("ISO Recommendation"),
    "SRD": _l("Systems Reference Deliverable"),
    "AWI": _l("Approved work item"),
    "AWI TS": _l("Approved work item (Technical Specification)"),
    "CD": _l("Committee draft"),
    "CD TS": _l("Committee draft (Technical Specification)"),
    "CD TR": _l("Committee draft (Technical Report)"),
    "CD PAS": _l("Committee draft (Publicly Available Specification)"),
    "DIS": _l("Draft International Standard"),
    "FDIS": _l("Final Draft International Standard"),
    "DTS": _l("Draft Technical Specification"),
    "DTR": _l("Draft Technical Report"),
    "DPAS": _l("Draft Publicly Available Specification"),
    "T": _l("Recommended standard"),
    "Z": _l("Guidance technical document"),
    "plan": _l("Standard project (plan)"),
    "mandatory": _l("Mandatory standard"),
}
_LOCAL = re.compile(r"^DB\d{2}$")
_INTERNATIONAL = ("ISO", "IEC", "ISO/IEC", "IEC/ISO")


def doc_type_label(doc_type: str | None, publisher: str | None = "") -> str:
    """A document type in words: 'TS' -> 'Technical Specification' / '技术规范'.

    Chinese numbering says the kind: GB/T and DB33/T are recommended (推荐性), GB/Z guidance
    (指导性技术文件), and GB or DB33 with no letter mandatory (强制性). A group standard (T/...)
    has no such letter, so 'T' only means recommended when the publisher is not a group. An
    ISO or IEC record with no type is an International Standard. Unknown codes stay as given.
    """
    doc_type = doc_type or ""
    publisher = publisher or ""
    if not doc_type:
        if publisher in _INTERNATIONAL:
            doc_type = "IS"
        elif publisher == "GB" or _LOCAL.match(publisher):
            doc_type = "mandatory"
        else:
            return ""
    if doc_type == "T" and publisher.startswith(("T/", "Q/")):
        return ""
    label = DOC_TYPE_LABELS.get(doc_type)
    return str(label) if label is not None else doc_type


#: The designation's label: a plan is known by its project number (计划号), not a standard number.
def designation_label(doc_type: str | None) -> str:
    """'Designation' / '标准号', or 'Project number' / '计划号' for a plan."""
    return _("Project number") if doc_type == "plan" else _("Designation")


#: Levels of standards (issue 13): where a standard comes from, as the national platforms group them.
LEVEL_LABELS = {
    "international": _l("International standards"),
    "foreign": _l("Foreign standards"),
    "national": _l("National standards"),
    "industry": _l("Industry standards"),
    "local": _l("Local standards"),
    "group": _l("Group standards"),
    "enterprise": _l("Enterprise standards"),
}
LEVELS = tuple(LEVEL_LABELS)


def level_label(level: str | None) -> str:
    """A level code in words: 'industry' -> 'Industry standards' / '行业标准'."""
    label = LEVEL_LABELS.get(level or "")
    return str(label) if label is not None else (level or "")


def industry_label(code: str | None) -> str:
    """An industry (the sector of an industry standard) in words: 'JB' -> 'Mechanical Engineering' /
    '机械' (catalogue/levels.py and its sector table catalogue/data/sector-prefixes.tsv)."""
    from catalogue.levels import industry_label as name_of

    return name_of(code, current_language()) if code else ""


# ------------------------------------------------------------------ publishers
#: Publishers' names where the catalogue knows them. Sources: ISO, IEC, ITU as named in Chinese
#: at https://www.jianshu.com/p/8c0cdcb21789 (国际三大标准化组织); GB is China's national code.
PUBLISHER_NAMES = {
    "ISO": (_l("International Organization for Standardization"), "国际标准化组织"),
    "IEC": (_l("International Electrotechnical Commission"), "国际电工委员会"),
    "ISO/IEC": (_l("ISO and IEC (joint)"), "ISO/IEC 联合"),
    "ITU": (_l("International Telecommunication Union"), "国际电信联盟"),
    "GB": (_l("National standards of China"), "中国国家标准"),
}
#: Provinces by the first two digits of their administrative division code (GB/T 2260), which a
#: local standard's code carries after DB (DB33 = Zhejiang): http://gdhealth.net.cn/html/2016/tongjibiaozhun_0830/3437.html
#: (GB/T 2260-2007) and https://zk.995w.com/K/P?id=1451631159 (DB + the code's first two digits).
PROVINCES = {
    "11": ("Beijing", "北京市"), "12": ("Tianjin", "天津市"), "13": ("Hebei", "河北省"), "14": ("Shanxi", "山西省"),
    "15": ("Inner Mongolia", "内蒙古自治区"), "21": ("Liaoning", "辽宁省"), "22": ("Jilin", "吉林省"),
    "23": ("Heilongjiang", "黑龙江省"), "31": ("Shanghai", "上海市"), "32": ("Jiangsu", "江苏省"),
    "33": ("Zhejiang", "浙江省"), "34": ("Anhui", "安徽省"), "35": ("Fujian", "福建省"), "36": ("Jiangxi", "江西省"),
    "37": ("Shandong", "山东省"), "41": ("Henan", "河南省"), "42": ("Hubei", "湖北省"), "43": ("Hunan", "湖南省"),
    "44": ("Guangdong", "广东省"), "45": ("Guangxi", "广西壮族自治区"), "46": ("Hainan", "海南省"),
    "50": ("Chongqing", "重庆市"), "51": ("Sichuan", "四川省"), "52": ("Guizhou", "贵州省"), "53": ("Yunnan", "云南省"),
    "54": ("Tibet", "西藏自治区"), "61": ("Shaanxi", "陕西省"), "62": ("Gansu", "甘肃省"), "63": ("Qinghai", "青海省"),
    "64": ("Ningxia", "宁夏回族自治区"), "65": ("Xinjiang", "新疆维吾尔自治区"),
}


def publisher_name(code: str | None) -> str:
    """A publisher's name in the reader's language, '' when unknown: 'ISO' -> '国际标准化组织'.

    Local standards are named after their province ('DB33' -> '浙江省地方标准'). Industry
    prefixes (JB, QB ...) are named by the readers' industry table once it is merged (issue 13).
    """
    code = code or ""
    chinese = current_language() == "zh"
    if code in PUBLISHER_NAMES:
        english, zh = PUBLISHER_NAMES[code]
        return zh if chinese else str(english)
    if _LOCAL.match(code) and code[2:] in PROVINCES:
        english, zh = PROVINCES[code[2:]]
        return f"{zh}地方标准" if chinese else _("%(province)s local standards", province=english)
    return ""


def publisher_label(code: str | None) -> str:
    """The code with its name where known: 'ISO' -> 'ISO 国际标准化组织'; 'JB' -> 'JB'."""
    name = publisher_name(code)
    return f"{code} {name}" if name else (code or "")


# ------------------------------------------------------------------ languages, decades, fields
def language_name(code: str) -> str:
    """'fr' -> 'French' / '法语', named in the interface language; unknown codes stay as they are."""
    return _language_name(code, current_language())


@lru_cache(maxsize=1024)
def _language_name(code: str, lang: str) -> str:
    try:
        name = Locale.parse(code).get_display_name(lang)
    except (ValueError, TypeError, LookupError, UnknownLocaleError):  # e.g. ?language=current
        return code
    return name or code


def decade_label(decade: str) -> str:
    """'2020s' -> '2020s' / '2020年代'; anything else stays as given."""
    if not re.fullmatch(r"\d{3}0s", decade or ""):
        return decade or ""
    # The msgid is the English form ('2020s'); Chinese says '2020年代'.
    return _("%(start)ss", start=decade[:-1])


#: The record fields a source may vouch for (the store's provenance rows), named as the details list names them.
FIELD_LABELS = {
    "designation": _l("Designation"), "type": _l("Document type"), "doc_type": _l("Document type"),
    "number": _l("Number"), "part": _l("Part"), "year": _l("Year"), "supplement": _l("Supplement"),
    "status": _l("Status"), "published": _l("Published"), "in_force": _l("In force from"),
    "withdrawn": _l("Withdrawn on"), "edition": _l("Edition"), "pages": _l("Pages"), "ics": _l("ICS"),
    "ccs": _l("CCS"), "committee": _l("Committee"), "languages": _l("Languages"), "keywords": _l("Keywords"),
    "publisher": _l("Publisher"),
}


def field_label(name: str) -> str:
    """A provenance field in words: 'in_force' -> 'In force from' / '实施日期', 'titles.fr' ->
    'Title (French)' / '名称（法语）'; a field this list does not know stays as it is."""
    base, _dot, lang = (name or "").partition(".")
    if lang and base == "titles":
        return _("Title (%(language)s)", language=language_name(lang))
    if lang and base == "scope":
        return _("Scope (%(language)s)", language=language_name(lang))
    label = FIELD_LABELS.get(name or "")
    return str(label) if label is not None else (name or "")


# ------------------------------------------------------------------ names from the store
def pick_name(titles: dict | None, lang: str | None = None) -> str:
    """A name in ``lang`` (the reader's), else the other of Chinese and English, else any."""
    titles = titles or {}
    lang = lang or current_language()
    other = "en" if lang == "zh" else "zh"
    for choice in (lang, other):
        if titles.get(choice):
            return titles[choice]
    return next((text for text in titles.values() if text), "")


def class_label(scheme: str, code: str, titles: dict | None, lang: str | None = None) -> str:
    """The name of an ICS or CCS node in the reader's language: '阀门' / 'Valves'.

    ``titles`` are the node's titles from the store's classifications table. The one place
    class names are chosen: our Chinese ICS and English CCS names (catalogue.classnames) complete
    nodes whose stored titles lack a language (a store ingested before they existed). A Chinese
    reader is given the English name where no Chinese one is known; an English reader is never
    given a Chinese name (the code alone says more to them).
    """
    titles = complete_titles(scheme, code, dict(titles or {}))
    if (lang or current_language()) != "zh":
        titles.pop("zh", None)
    return pick_name(titles, lang)


def committee_label(reference: str, titles: dict | None, lang: str | None = None) -> str:
    """A committee's name in the reader's language, else the other ('' when none is recorded)."""
    return pick_name(titles, lang)


def system_label(system_id: str, names: dict[str, dict]) -> str:
    """An industry system's name from ``names`` ({id: titles}), else its id."""
    return pick_name(names.get(system_id)) or system_id


def facet_value_label(name: str, value: str, lookup=None) -> str:
    """A facet value as people read it: status words, language and system names, decades,
    publishers, levels, ICS/CCS codes with their names, committees with theirs.

    ``lookup(kind)`` answers the store's names for 'ics', 'ccs', 'committee' and 'system'
    ({code: titles}); without it codes stay codes.
    """
    if name == "status":
        return status_label(value)
    if name == "language":
        return language_name(value)
    if name == "decade":
        return decade_label(value)
    if name == "publisher":
        return publisher_label(value)
    if name == "level":
        return level_label(value)
    if name == "industry":
        return industry_label(value)
    if name in ("ics", "ccs") and lookup is not None:
        title = class_label(name, value, lookup(name).get(value))
        return f"{value} {title}".strip()
    if name == "committee" and lookup is not None:
        title = committee_label(value, lookup("committee").get(value))
        return f"{value} {title}".strip()
    if name == "system" and lookup is not None:
        return system_label(value, lookup("system"))
    return value


FACET_TITLES = {
    "status": _l("Status"),
    "publisher": _l("Publisher"),
    "level": _l("Level"),
    "industry": _l("Industry"),
    "ics": _l("ICS field"),
    "ccs": _l("CCS class"),
    "year": _l("Year"),
    "decade": _l("Decade"),
    "committee": _l("Committee"),
    "language": _l("Language"),
    "system": _l("Industry system"),
}


def facet_title(name: str) -> str:
    """A facet's heading in the interface language."""
    return str(FACET_TITLES.get(name, name))


ROLE_LABELS = {
    "domestic": _l("Domestic standards"),
    "international": _l("International and foreign standards"),
    "cited": _l("Other standards the scheme cites"),
}


def role_label(role: str) -> str:
    """A scheme standard's role as a heading: 'domestic' -> 'Domestic standards'."""
    return str(ROLE_LABELS.get(role, role))


def init_app(app) -> None:
    """Make the vocabulary available to templates as filters."""
    app.jinja_env.filters.update(
        status_label=status_label,
        status_class=status_class,
        state_label=state_label,
        verdict_label=verdict_label,
        relation_label=relation_label,
        degree_label=degree_label,
        doc_type_label=doc_type_label,
        level_label=level_label,
        industry_label=industry_label,
        publisher_name=publisher_name,
        publisher_label=publisher_label,
        language_name=language_name,
        decade_label=decade_label,
        field_label=field_label,
        pick_name=pick_name,
    )
    app.jinja_env.globals.update(adoption_phrase=adoption_phrase, class_label=class_label, committee_label=committee_label,
                                 designation_label=designation_label, facet_title=facet_title)
