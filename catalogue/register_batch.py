"""One register file's contents, checked against the catalogue and written into it.

A reader (``ingest/register_yaml.py``, ``ingest/register_sheet.py``) yields one
:class:`RegisterBatch` a file, having already reported what it can judge alone (credit codes,
dates, words, values without unit or source, certificates expiring before issue, duplicates).
The pipeline then asks :meth:`RegisterBatch.check_in` what the catalogue itself refutes (an unknown
scheme, indicator, level or product, an undated standard with no edition as of the result date,
an outcome the values contradict): those parts are dropped with a Problem each, and
:meth:`RegisterBatch.store_into` writes the rest (all SQL in :mod:`catalogue.store_register`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .designation import try_parse
from .records import Problem
from .register import (
    Certificate,
    Comparison,
    Enterprise,
    Product,
    Result,
    fold,
    judge_comparison,
    normalise_credit_code,
    read_level,
)
from .store import Store

#: How many scheme ids an 'unknown scheme' problem lists before '...'.
LISTED_SCHEMES = 12


@dataclass
class RegisterBatch:
    """Enterprises, products, results and certificates from one file, with where each came from."""

    file: str
    headings: dict[str, str] = field(default_factory=dict)  # a sheet's column heading per field
    levels: list[tuple[str, dict]] | None = None  # a file's own list of levels, replacing the stored one
    enterprises: list[Enterprise] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    certificates: list[Certificate] = field(default_factory=list)

    @property
    def item_count(self) -> int:
        return len(self.enterprises) + len(self.products) + len(self.results) + len(self.certificates)

    def label(self, obj, name: str) -> str:
        """The field a problem names: 'register.enterprises[0].results[1].scheme' or a sheet's '对标方案'."""
        if getattr(obj, "path", ""):
            return f"{obj.path}.{name}" if name else obj.path
        return self.headings.get(name, name)

    def problem(self, obj, name: str, reason: str) -> Problem:
        return Problem(self.file, obj.line, self.label(obj, name), reason)

    # ------------------------------------------------------------- checking
    def check_in(self, store: Store) -> list[Problem]:
        """What the catalogue refutes in this batch; the refuted parts are dropped (read-only)."""
        problems: list[Problem] = []
        levels = self.levels if self.levels is not None else store.list_levels()
        in_file = {normalise_credit_code(e.credit_code) for e in self.enterprises}
        products_of: dict[str, list[Product | tuple]] = {}
        for p in self.products:
            products_of.setdefault(normalise_credit_code(p.enterprise_code), []).append(p)

        def enterprise_id(code: str) -> str | None:
            return store.find_enterprise_id(code)

        def known(code: str) -> bool:
            return code in in_file or enterprise_id(code) is not None

        def find_product(code: str, text: str) -> str | None:
            """The natural key of the enterprise's product named by model or name, or None."""
            wanted = fold(text)
            for p in products_of.get(code, []):
                if wanted in {fold(p.model), fold(p.names.get("zh", "")), fold(p.names.get("en", ""))} - {""}:
                    return p.natural
            eid = enterprise_id(code)
            for _pid, model, zh, en in store.list_product_keys(eid) if eid else []:
                if wanted in {fold(model), fold(zh), fold(en)} - {""}:
                    return fold(model) or fold(zh or en)
            return None

        kept_products = []
        for p in self.products:
            code = normalise_credit_code(p.enterprise_code)
            if not known(code):
                problems.append(self.problem(p, "credit_code", f"no enterprise has the credit code '{code}' in this file or the catalogue"))
            else:
                kept_products.append(p)
        self.products = kept_products

        kept_results, seen = [], {}
        for r in self.results:
            found = self._check_result(store, r, levels, known, find_product)
            if isinstance(found, Problem):
                problems.append(found)
                continue
            problems.extend(found)
            if r.natural_key in seen:
                problems.append(self.problem(r, "date", (
                    f"a second result for the same enterprise, product, scheme and date ({r.date}); "
                    f"the one on line {seen[r.natural_key]} was kept")))
                continue
            seen[r.natural_key] = r.line
            kept_results.append(r)
        self.results = kept_results

        kept_certificates = []
        for c in self.certificates:
            code = normalise_credit_code(c.enterprise_code)
            if not known(code):
                problems.append(self.problem(c, "credit_code", f"no enterprise has the credit code '{code}' in this file or the catalogue"))
                continue
            if c.product and find_product(code, c.product) is None:
                problems.append(self.problem(c, "product", f"the enterprise has no product '{c.product}' (name or model)"))
                continue
            kept_certificates.append(c)
        self.certificates = kept_certificates
        return problems

    def _check_result(self, store: Store, r: Result, levels, known, find_product) -> Problem | list[Problem]:
        """A Problem that rejects the whole result, or the problems of the comparisons it dropped."""
        code = normalise_credit_code(r.enterprise_code)
        if not known(code):
            return self.problem(r, "credit_code", f"no enterprise has the credit code '{code}' in this file or the catalogue")
        natural = find_product(code, r.product)
        if natural is None:
            return self.problem(r, "product", f"the enterprise has no product '{r.product}' (name or model)")
        r.product_natural = natural
        if not store.has_scheme(r.scheme):
            ids = store.list_scheme_ids()
            listed = ", ".join(ids[:LISTED_SCHEMES]) + (" ..." if len(ids) > LISTED_SCHEMES else "")
            return self.problem(r, "scheme", f"unknown benchmarking scheme '{r.scheme}'; the catalogue has: {listed or 'none'}")
        if r.level:
            level = read_level(r.level, levels)
            if level is None:
                names = ", ".join("/".join(dict.fromkeys([n.get("zh", ""), n.get("en", "") or c])) for c, n in levels)
                return self.problem(r, "level", f"unknown level '{r.level}'; use one of: {names}")
            r.level = level
        r.editions = []
        for designation in r.compared:
            d = try_parse(designation)
            if d is None:  # the readers refuse these; a batch built by other code is held to the same rule
                return self.problem(r, "compared", f"'{designation}' is not a standard designation")
            if d.key != d.work or d.year:
                r.editions.append((d.display, d.key, d.work, ""))
                continue
            found = store.edition_as_of(d.work, r.date)
            if found is None:
                return self.problem(r, "compared", (
                    f"'{designation}' is undated and the catalogue holds no edition of it published by {r.date}; "
                    "name the edition compared against"))
            r.editions.append((found[1], found[0], d.work, d.display))
        return self._check_comparisons(store, r)

    def _check_comparisons(self, store: Store, r: Result) -> list[Problem]:
        problems: list[Problem] = []
        indicators = store.list_scheme_indicators(r.scheme)
        by_key = {key: (designation, key) for designation, key, _work, _given in r.editions}
        by_work = {work: (designation, key) for designation, key, work, _given in r.editions}
        kept: list[Comparison] = []
        used: set[int] = set()
        for c in r.comparisons:
            position = _find_indicator(c.indicator, indicators)
            if position is None:
                listing = "; ".join(f"{i + 1} {names.get('zh') or names.get('en', '')}" for i, names, _unit in indicators)
                problems.append(self.problem(c, "indicator", (
                    f"the scheme '{r.scheme}' has no indicator '{c.indicator}'; its indicators are: {listing or 'none'}")))
                continue
            if position in used:
                problems.append(self.problem(c, "indicator", f"the indicator '{c.indicator}' is compared twice in this result"))
                continue
            c.position, c.names = position, indicators[position][1]
            cells = []
            for cell in c.cells:
                d = try_parse(cell.designation)
                match = None if d is None else by_key.get(d.key) or (by_work.get(d.work) if d.key == d.work else None)
                if match is None:
                    # That value is dropped (its row, in a sheet); the comparison keeps the others.
                    problems.append(self.problem(cell, "standard", f"'{cell.designation}' is not among the result's compared standards"))
                    continue
                cell.designation, cell.key = match
                cells.append(cell)
            c.cells = cells
            bad = judge_comparison(c)
            if bad:
                problems.append(self.problem(c, "outcome", bad))
                continue
            used.add(position)
            kept.append(c)
        r.comparisons = kept
        return problems

    # ------------------------------------------------------------- writing
    def store_into(self, store: Store, source: str, at: str) -> set[str]:
        """Write what check_in kept; answers no record keys (the register is not in the search index)."""
        if self.levels is not None:
            store.put_levels(self.levels)
        ids: dict[str, str] = {}

        def enterprise_id(code: str) -> str:
            if code not in ids:
                ids[code] = store.find_enterprise_id(code) or ""
            return ids[code]

        for e in self.enterprises:
            code = normalise_credit_code(e.credit_code)
            ids[code] = store.put_enterprise(e, code, source, at)
        for p in self.products:
            standards = []
            for designation in p.standards:
                d = try_parse(designation)
                standards.append({"designation": d.display if d else designation, "key": d.key if d else ""})
            store.put_product(p, enterprise_id(normalise_credit_code(p.enterprise_code)), standards, source, at)
        for r in self.results:
            code = normalise_credit_code(r.enterprise_code)
            product_id = Product(code, model=r.product_natural).id
            store.put_result(r, enterprise_id(code), product_id, source, at, actor=source)
        for c in self.certificates:
            code = normalise_credit_code(c.enterprise_code)
            product_id = ""
            if c.product:
                product_id = _product_id_by_name(store, enterprise_id(code), code, c.product, self.products)
            basis = try_parse(c.basis) if c.basis else None
            store.put_certificate(c, enterprise_id(code), product_id, basis.key if basis else "", source, at)
        return set()


def _find_indicator(text: str, indicators: list[tuple[int, dict, str]]) -> int | None:
    """The 0-based position of the scheme indicator written as a 1-based number or a name (zh or en)."""
    written = fold(text)
    if written.isdigit():
        position = int(written) - 1
        return position if 0 <= position < len(indicators) else None
    for position, names, _unit in indicators:
        if written in {fold(n) for n in names.values()}:
            return position
    return None


def _product_id_by_name(store: Store, eid: str, code: str, text: str, in_file: list[Product]) -> str:
    wanted = fold(text)
    for p in in_file:
        if normalise_credit_code(p.enterprise_code) == code and wanted in {
                fold(p.model), fold(p.names.get("zh", "")), fold(p.names.get("en", ""))} - {""}:
            return p.id
    for pid, model, zh, en in store.list_product_keys(eid):
        if wanted in {fold(model), fold(zh), fold(en)} - {""}:
            return pid
    return ""
