"""What a standard is, as the library records it.

Plain dataclasses with no dependencies: readers in ``ingest/`` build them, the store keeps
them, the index and the web read them. A record's ``key`` and ``work`` come from the
designation grammar (:mod:`catalogue.designation`); readers may leave them empty and the
pipeline fills them in.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Iterable

#: The statuses of DESIGN.md. ``upcoming`` is published but not yet in force (即将实施).
STATUSES = ("current", "upcoming", "withdrawn", "replaced", "draft")

#: Relation types and their inverses. Every relation is stored both ways.
INVERSE_RELATIONS = {
    "replaces": "replaced_by",
    "replaced_by": "replaces",
    "amends": "amended_by",
    "amended_by": "amends",
    "corrects": "corrected_by",
    "corrected_by": "corrects",
    "adopts": "adopted_by",
    "adopted_by": "adopts",
    "cites": "cited_by",
    "cited_by": "cites",
}
RELATION_TYPES = tuple(INVERSE_RELATIONS)

#: Degrees of adoption (GB/T 20000.2): identical, modified, not equivalent.
ADOPTION_DEGREES = ("IDT", "MOD", "NEQ")

#: Scalar fields that carry provenance one by one (lists and dicts are tracked per item below).
SCALAR_FIELDS = (
    "designation",
    "publisher",
    "doc_type",
    "number",
    "part",
    "year",
    "supplement",
    "status",
    "published",
    "in_force",
    "withdrawn",
    "ccs",
    "committee",
    "edition",
    "pages",
)
LIST_FIELDS = ("ics", "languages", "keywords")
DICT_FIELDS = ("titles", "scope")


@dataclass
class Relation:
    """A typed link from a record to another designation, which may not be catalogued yet.

    ``target`` is the designation as the source printed it (``"ISO 5208:2008"``);
    ``target_key`` its normalised key, filled by the grammar; ``degree`` only for adoptions.
    """

    type: str
    target: str
    degree: str | None = None
    target_key: str = ""
    resolved: bool = False

    def __post_init__(self) -> None:
        if self.type not in INVERSE_RELATIONS:
            raise ValueError(f"unknown relation type {self.type!r}; use one of: {', '.join(RELATION_TYPES)}")
        if self.degree is not None and self.degree not in ADOPTION_DEGREES:
            raise ValueError(f"unknown adoption degree {self.degree!r}; use one of: {', '.join(ADOPTION_DEGREES)}")


@dataclass
class Holding:
    """A copy the museum holds: ``format`` (paper, pdf ...), ``shelf_mark``, ``access``, ``note``."""

    format: str = ""
    shelf_mark: str = ""
    access: str = ""
    note: str = ""


@dataclass
class Provenance:
    """Which source gave a field, and when. ``field`` is ``status``, ``titles.zh``, ``ics`` ..."""

    field: str
    source: str
    at: str
    value: Any = None


@dataclass
class Standard:
    """One edition of a standard (or one supplement to an edition)."""

    designation: str
    key: str = ""
    work: str = ""
    publisher: str = ""
    doc_type: str = ""
    number: str = ""
    part: str = ""
    year: str = ""
    supplement: str = ""
    titles: dict[str, str] = field(default_factory=dict)
    status: str = ""
    published: str = ""
    in_force: str = ""
    withdrawn: str = ""
    ics: list[str] = field(default_factory=list)
    ccs: str = ""
    committee: str = ""
    edition: str = ""
    pages: str = ""
    languages: list[str] = field(default_factory=list)
    scope: dict[str, str] = field(default_factory=dict)
    keywords: list[str] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    holdings: list[Holding] = field(default_factory=list)
    provenance: list[Provenance] = field(default_factory=list)
    #: Where this record's fields come from when it is not the file it was read from (a research
    #: line's page URL): the pipeline records provenance under this name instead of the file's.
    source: str = ""

    def __post_init__(self) -> None:
        if self.status and self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}; use one of: {', '.join(STATUSES)}")

    def to_dict(self) -> dict[str, Any]:
        """Every field as plain JSON-ready data."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Standard":
        data = dict(data)
        data["relations"] = [Relation(**r) for r in data.get("relations", [])]
        data["holdings"] = [Holding(**h) for h in data.get("holdings", [])]
        data["provenance"] = [Provenance(**p) for p in data.get("provenance", [])]
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def add_relation(self, type: str, target: str, degree: str | None = None) -> None:  # noqa: A002
        """Add a relation unless the same one is already there."""
        rel = Relation(type, target, degree)
        for r in self.relations:
            if r.type == rel.type and r.target == rel.target:
                return
        self.relations.append(rel)


@dataclass
class ClassNode:
    """A node of a classification tree: ICS (``scheme="ics"``) or CCS (``scheme="ccs"``).

    ``title_sources`` names the source of a title that did not come from the file read, by
    language: ``{"zh": "catalogue:classnames"}`` for a Chinese ICS name from
    :mod:`catalogue.classnames`; the store keeps it as the title's provenance.
    """

    scheme: str
    code: str
    parent: str = ""
    titles: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    title_sources: dict[str, str] = field(default_factory=dict)


@dataclass
class Committee:
    """A technical committee (``ISO/TC 153``, ``SAC/TC 188``)."""

    reference: str
    titles: dict[str, str] = field(default_factory=dict)
    publisher: str = ""
    scope: str = ""


@dataclass
class Problem:
    """Why a record (or a whole file) was rejected, skipped, or landed with a warning:
    ``file:line: field: reason``."""

    file: str
    line: int | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field or '-'}: {self.reason}"


@dataclass
class Reading:
    """What a reader yields: one item (a Standard, ClassNode, Committee ...), one Problem, or one
    record skipped on purpose.

    ``line`` is where the item starts in its file (1-based) or, for archives and folders,
    ``source`` names the member file the item came from. ``warnings`` are what the reader did not
    understand in a record that still lands (an unknown status word: the status is left unknown).
    ``skipped`` says why a record that is not a standard (a periodical's article, a conference
    paper) was left out: neither landed nor rejected.
    """

    item: Any = None
    problem: Problem | None = None
    line: int | None = None
    source: str = ""
    warnings: list[Problem] = field(default_factory=list)
    skipped: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None and self.skipped is None


def records_only(readings: Iterable[Reading]) -> list[Standard]:
    """The Standard items of a reader's output, for tests and small tools."""
    return [r.item for r in readings if r.ok and isinstance(r.item, Standard)]
