"""The register's writes and the review rule's bookkeeping: all the SQL that changes the 对标达标
register (migrations 004 and 006). Mixed into :class:`catalogue.store.Store`; the reads pages ask are in
:mod:`catalogue.store_register_queries`.

    >>> store.flag_results_for_review({"iso-5208-2008", "iso-5208-2015"})
    ['r-3f9c0a6b12de']
"""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from typing import Iterable

from .register import (
    Certificate,
    EditionFacts,
    Enterprise,
    Product,
    Result,
    review_reasons,
)

#: Keys per query: well under SQLite's bound-parameter limit (999 before 3.32).
CHUNK = 500


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _j(data) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


#: The result's own fields a history line compares, beside its lists (standards, reports ...).
SNAPSHOT_FIELDS = ("product_id", "scheme_id", "own_standard", "result_date", "level", "reached", "published_on",
                   "platform", "link", "status", "state")
_REPORT_FIELDS = ("laboratory", "accreditation", "date")
_EVALUATION_FIELDS = ("body", "method", "conclusion", "date")
_INDICATOR_FIELDS = ("value", "unit", "value_kind", "report", "clause", "direction", "outcome", "note")
_CELL_FIELDS = ("value", "unit", "clause", "outcome")


def flatten_snapshot(snap: dict) -> dict:
    """A result snapshot as one value per field a person changes: 'level', 'standards',
    'test_reports[WT-1].laboratory', 'indicators[2].value', 'indicators[2].standards[ISO 5208:2008].clause'.
    Indicators are named by their number in the scheme (1 = first), reports by their number."""
    flat: dict = {k: snap[k] for k in SNAPSHOT_FIELDS if k in snap}
    flat["standards"] = ", ".join(snap.get("standards", []))
    for number, laboratory, accreditation, day in snap.get("test_reports", []):
        values = (laboratory, ", ".join(json.loads(accreditation or "[]")), day)
        flat[f"test_reports[{number}]"] = number
        flat.update({f"test_reports[{number}].{name}": v for name, v in zip(_REPORT_FIELDS, values)})
    for position, values in enumerate(snap.get("evaluations", []), 1):
        flat.update({f"evaluations[{position}].{name}": v for name, v in zip(_EVALUATION_FIELDS, values)})
    for indicator, *values in snap.get("indicators", []):
        name = f"indicators[{indicator + 1}]"
        cells = json.loads(values[7] or "[]")
        values = values[:7] + values[8:]
        flat.update({f"{name}.{field}": v for field, v in zip(_INDICATOR_FIELDS, values)})
        for cell in cells:
            flat.update({f"{name}.standards[{cell['designation']}].{field}": cell.get(field, "")
                         for field in _CELL_FIELDS})
    return flat


def diff_snapshots(before: dict, after: dict) -> dict:
    """Field-level changes between two snapshots, in the order a result reads (its fields, standards,
    reports, evaluations, indicators): {'level': ['advanced', 'leading'], 'indicators[1].value':
    ['2.4', '2.5']}; a field that appears or goes has None on its other side."""
    old, new = flatten_snapshot(before), flatten_snapshot(after)
    names = list(new) + [k for k in old if k not in new]
    return {k: [old.get(k), new.get(k)] for k in names if old.get(k) != new.get(k) and (old.get(k) or new.get(k))}


class StoreRegister:
    """The register's write methods of :class:`catalogue.store.Store` (it provides ``self.db``)."""

    db: sqlite3.Connection

    # ------------------------------------------------------------- levels
    def list_levels(self) -> list[tuple[str, dict]]:
        """The configured levels in order: [('leading', {'zh': '领先', 'en': 'leading'}), ...]."""
        return [(r[0], json.loads(r[1])) for r in self.db.execute(
            "SELECT code, names FROM benchmark_levels ORDER BY position, code")]

    def put_levels(self, levels: list[tuple[str, dict]]) -> None:
        """Replace the list of levels (a register file's ``levels:``); results keep the codes they have."""
        self.db.execute("DELETE FROM benchmark_levels")
        for position, (code, names) in enumerate(levels, 1):
            self.db.execute("INSERT INTO benchmark_levels (code, names, position) VALUES (?, ?, ?)",
                            (code, _j(names), position))

    # ------------------------------------------------------------- enterprises and products
    def find_enterprise_id(self, credit_code: str) -> str | None:
        row = self.db.execute("SELECT id FROM enterprises WHERE credit_code = ?", (credit_code,)).fetchone()
        return row[0] if row else None

    def list_product_keys(self, enterprise_id: str) -> list[tuple[str, str, str, str]]:
        """(id, model, zh name, en name) of an enterprise's products, for finding one by model or name."""
        out = []
        for r in self.db.execute("SELECT id, model, names FROM products WHERE enterprise_id = ?", (enterprise_id,)):
            names = json.loads(r["names"])
            out.append((r["id"], r["model"], names.get("zh", ""), names.get("en", "")))
        return out

    def put_enterprise(self, ent: Enterprise, credit_code: str, source: str, at: str) -> str:
        """Insert or update an enterprise by its credit code; what the file leaves empty stays."""
        row = self.db.execute("SELECT * FROM enterprises WHERE credit_code = ?", (credit_code,)).fetchone()
        if row is None:
            self.db.execute(
                "INSERT INTO enterprises (id, credit_code, names, district, cluster, source, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (ent.id, credit_code, _j(ent.names), ent.district, ent.cluster, source, at))
            return ent.id
        names = {**json.loads(row["names"]), **{k: v for k, v in ent.names.items() if v}}
        new = (_j(names), ent.district or row["district"], ent.cluster or row["cluster"])
        if new != (row["names"], row["district"], row["cluster"]):
            self.db.execute("UPDATE enterprises SET names = ?, district = ?, cluster = ?, source = ?, updated_at = ? "
                            "WHERE id = ?", (*new, source, at, row["id"]))
        return row["id"]

    def put_product(self, product: Product, enterprise_id: str, standards: list[dict], source: str, at: str) -> str:
        """Insert or update a product by its id (enterprise + model, else name)."""
        row = self.db.execute("SELECT * FROM products WHERE id = ?", (product.id,)).fetchone()
        if row is None:
            self.db.execute(
                "INSERT INTO products (id, enterprise_id, names, model, standards, source, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (product.id, enterprise_id, _j(product.names), product.model, json.dumps(standards, ensure_ascii=False),
                 source, at))
            return product.id
        names = {**json.loads(row["names"]), **{k: v for k, v in product.names.items() if v}}
        new = (_j(names), product.model or row["model"],
               json.dumps(standards, ensure_ascii=False) if standards else row["standards"])
        if new != (row["names"], row["model"], row["standards"]):
            self.db.execute("UPDATE products SET names = ?, model = ?, standards = ?, source = ?, updated_at = ? "
                            "WHERE id = ?", (*new, source, at, product.id))
        return product.id

    # ------------------------------------------------------------- results
    def result_id_for(self, natural_key: str) -> str | None:
        row = self.db.execute("SELECT id FROM benchmark_results WHERE natural_key = ?", (natural_key,)).fetchone()
        return row[0] if row else None

    def put_result(self, result: Result, enterprise_id: str, product_id: str, source: str, at: str,
                   actor: str, *, rid: str | None = None, author: tuple[int | None, str] = (None, ""),
                   actions: tuple[str, str] = ("added", "updated")) -> str:
        """Insert or replace one result with its compared editions, reports, evaluations and indicator
        comparisons; a change is written to its history, and the review rule is applied at once.
        Answers added | updated | unchanged (or the names ``actions`` gives those two).

        The result is found by ``rid`` (a draft made on the web keeps its random id), else by its
        natural key (enterprise, product, scheme, date: so an ingest updates a result first drafted
        on the web), else it gets the id its natural key hashes to. ``author``: the user's id and
        role when a signed-in user made the change (catalogue.register_workflow)."""
        rid = rid or self.result_id_for(result.natural_key) or result.id
        before = self.read_result_snapshot(rid)
        fields = {
            "natural_key": result.natural_key,
            "enterprise_id": enterprise_id, "product_id": product_id, "scheme_id": result.scheme,
            "own_standard": result.own_standard, "own_key": "", "result_date": result.date,
            "level": result.level, "reached": result.reached, "published_on": result.published_on,
            "platform": result.platform, "link": result.link,
        }
        if before is None:
            fields.update(status=result.status or "published", state=result.state or "published")
            columns = ["id", *fields, "source", "added_at", "updated_at"]
            self.db.execute(
                f"INSERT INTO benchmark_results ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                [rid, *fields.values(), source, at, at])
        else:
            # A file that names no status or state leaves the ones the workflow may have set.
            if result.status:
                fields["status"] = result.status
            if result.state:
                fields["state"] = result.state
            sets = ", ".join(f"{k} = ?" for k in fields)
            self.db.execute(f"UPDATE benchmark_results SET {sets}, source = ? WHERE id = ?",
                            [*fields.values(), source, rid])
        for table in ("result_standards", "test_reports", "evaluations", "result_indicators"):
            self.db.execute(f"DELETE FROM {table} WHERE result_id = ?", (rid,))
        for position, (designation, key, work, as_given) in enumerate(result.editions):
            self.db.execute("INSERT OR IGNORE INTO result_standards (result_id, position, designation, edition_key, "
                            "work, as_given) VALUES (?, ?, ?, ?, ?, ?)", (rid, position, designation, key, work, as_given))
        for report in result.reports:
            self.db.execute("INSERT INTO test_reports (result_id, number, laboratory, accreditation, report_date) "
                            "VALUES (?, ?, ?, ?, ?)",
                            (rid, report.number, report.laboratory, json.dumps(report.accreditation), report.date))
        for position, ev in enumerate(result.evaluations):
            self.db.execute("INSERT INTO evaluations (result_id, position, body, method, conclusion, evaluated_on) "
                            "VALUES (?, ?, ?, ?, ?, ?)", (rid, position, ev.body, ev.method, ev.conclusion, ev.date))
        for position, c in enumerate(result.comparisons):
            cells = [{"designation": v.designation, "key": v.key, "value": v.value, "unit": v.unit,
                      "clause": v.clause, "outcome": v.outcome} for v in c.cells]
            self.db.execute(
                "INSERT INTO result_indicators (result_id, position, indicator, names, value, unit, value_kind, report, "
                "clause, direction, outcome, computed, cells, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (rid, position, c.position, _j(c.names), c.value, c.unit, c.value_kind, c.report, c.clause,
                 c.direction, c.outcome, int(c.computed), json.dumps(cells, ensure_ascii=False), c.note))
        after = self.read_result_snapshot(rid)
        if before is None:
            self.log_result_change(rid, at, actor, actions[0], {}, author=author)
            action = actions[0]
        elif after != before:
            self.db.execute("UPDATE benchmark_results SET updated_at = ? WHERE id = ?", (at, rid))
            self.log_result_change(rid, at, actor, actions[1], diff_snapshots(before, after), author=author)
            action = actions[1]
        else:
            action = "unchanged"
        self.evaluate_review([rid], at)
        self._note_register()
        return action

    def set_result_state(self, rid: str, state: str, at: str, actor: str, action: str, *,
                         author: tuple[int | None, str] = (None, ""), note: str = "") -> bool:
        """Move a result to another workflow state (draft | published | withdrawn) with a history
        line ``{"state": [old, new]}`` (and the note, when given). Answers whether it changed."""
        row = self.db.execute("SELECT state FROM benchmark_results WHERE id = ?", (rid,)).fetchone()
        if row is None or row["state"] == state:
            return False
        self.db.execute("UPDATE benchmark_results SET state = ?, updated_at = ? WHERE id = ?", (state, at, rid))
        changes: dict = {"state": [row["state"], state]}
        if note:
            changes["note"] = note
        self.log_result_change(rid, at, actor, action, changes, author=author)
        self._note_register()
        return True

    def delete_draft_result(self, rid: str) -> bool:
        """Delete a result that is still a draft, with its lists (never a published or withdrawn one:
        those stay, withdrawn, for the record). Its history lines stay."""
        gone = self.db.execute("DELETE FROM benchmark_results WHERE id = ? AND state = 'draft'", (rid,)).rowcount
        if gone:
            self._note_register()
        return bool(gone)

    def _note_register(self) -> None:
        # Register writes are generations of the catalogue (standard pages count the results that
        # compared against them), but write no standards key: the index only records the number.
        self.note_written(scope="register")

    def read_result_snapshot(self, rid: str) -> dict | None:
        """Everything a file says about a result, as plain data (what history compares), or None."""
        row = self.db.execute("SELECT * FROM benchmark_results WHERE id = ?", (rid,)).fetchone()
        if row is None:
            return None
        snap = {k: row[k] for k in SNAPSHOT_FIELDS}
        snap["standards"] = [r[0] for r in self.db.execute(
            "SELECT designation FROM result_standards WHERE result_id = ? ORDER BY position", (rid,))]
        snap["test_reports"] = [list(r) for r in self.db.execute(
            "SELECT number, laboratory, accreditation, report_date FROM test_reports WHERE result_id = ? ORDER BY number",
            (rid,))]
        snap["evaluations"] = [list(r) for r in self.db.execute(
            "SELECT body, method, conclusion, evaluated_on FROM evaluations WHERE result_id = ? ORDER BY position", (rid,))]
        snap["indicators"] = [list(r) for r in self.db.execute(
            "SELECT indicator, value, unit, value_kind, report, clause, direction, outcome, cells, note "
            "FROM result_indicators WHERE result_id = ? ORDER BY position", (rid,))]
        return snap

    def log_result_change(self, rid: str, at: str, actor: str, action: str, changes: dict, *,
                          author: tuple[int | None, str] = (None, "")) -> None:
        """One line of a result's history: who (an ingest's source, 'catalogue' for the rule, a user's
        login with ``author`` = (user id, role)), when, what, and the result's state after it."""
        self.db.execute(
            "INSERT INTO result_history (result_id, at, actor, action, changes, actor_id, actor_role, state) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, COALESCE((SELECT state FROM benchmark_results WHERE id = ?), ''))",
            (rid, at, actor, action, json.dumps(changes, ensure_ascii=False), author[0], author[1], rid))

    # ------------------------------------------------------------- certificates
    def put_certificate(self, cert: Certificate, enterprise_id: str, product_id: str, basis_key: str,
                        source: str, at: str) -> str:
        """Insert or replace a certificate (by type and number) and its status events."""
        values = (cert.number, cert.cert_type, enterprise_id, product_id, cert.issuer, cert.basis, basis_key,
                  cert.scope, cert.issued, cert.expires, source, at)
        self.db.execute(
            "INSERT INTO certificates (id, number, cert_type, enterprise_id, product_id, issuer, basis, basis_key, "
            "scope, issued, expires, source, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET number = excluded.number, cert_type = excluded.cert_type, "
            "enterprise_id = excluded.enterprise_id, product_id = excluded.product_id, issuer = excluded.issuer, "
            "basis = excluded.basis, basis_key = excluded.basis_key, scope = excluded.scope, issued = excluded.issued, "
            "expires = excluded.expires, source = excluded.source, updated_at = excluded.updated_at",
            (cert.id, *values))
        self.db.execute("DELETE FROM certificate_events WHERE certificate_id = ?", (cert.id,))
        for position, ev in enumerate(sorted(cert.events, key=lambda e: e.date)):
            self.db.execute("INSERT INTO certificate_events (certificate_id, position, status, at, note) "
                            "VALUES (?, ?, ?, ?, ?)", (cert.id, position, ev.status, ev.date, ev.note))
        return cert.id

    # ------------------------------------------------------------- editions as of a date
    def edition_as_of(self, work: str, day: str) -> tuple[str, str] | None:
        """(key, designation) of the edition of ``work`` that was the latest published on ``day``:
        ('iso-5208', '2014-05-20') -> ('iso-5208-2008', 'ISO 5208:2008'); drafts and supplements never."""
        best = None
        for r in self.db.execute("SELECT key, designation, status, year, published, in_force, supplement "
                                 "FROM standards WHERE work = ? AND supplement = ''", (work,)):
            if r["status"] == "draft":
                continue
            since = r["in_force"] or r["published"] or r["year"]
            if not since or since[:len(day)] > day[:len(since)]:
                continue
            rank = (since, r["year"], r["key"])
            if best is None or rank > best[0]:
                best = (rank, r["key"], r["designation"])
        return (best[1], best[2]) if best else None

    # ------------------------------------------------------------- the review rule
    def read_lifecycle(self, keys: Iterable[str]) -> dict[str, EditionFacts]:
        """What the catalogue knows of each edition's later life (catalogue.register.EditionFacts),
        for the keys that are catalogued; a few queries per 500 keys."""
        wanted = sorted({k for k in keys if k})
        facts: dict[str, EditionFacts] = {}
        for chunk in _chunks(wanted):
            marks = ", ".join("?" * len(chunk))
            for r in self.db.execute(f"SELECT key, designation, status, withdrawn FROM standards WHERE key IN ({marks})",
                                     chunk):
                facts[r["key"]] = EditionFacts(r["key"], r["designation"], r["status"], r["withdrawn"])
            seen: set[tuple[str, str, str]] = set()
            for r in self.db.execute(
                    "SELECT r.key, r.type, r.target, r.target_key, s.designation, s.status, s.in_force, s.published, s.year "
                    "FROM relations r LEFT JOIN standards s ON s.key = r.target_key "
                    f"WHERE r.type IN ('replaced_by', 'amended_by') AND r.key IN ({marks}) "
                    "ORDER BY r.key, r.type, r.target_key", chunk):
                f = facts.get(r["key"])
                if f is None or (r["key"], r["type"], r["target_key"]) in seen:
                    continue
                seen.add((r["key"], r["type"], r["target_key"]))
                date = r["in_force"] or r["published"] or r["year"] or ""
                entry = (r["target_key"], r["designation"] or r["target"], date, r["status"] or "")
                (f.replaced_by if r["type"] == "replaced_by" else f.amended_by).append(entry)
            for r in self.db.execute(f"SELECT key, at, old, new FROM changes WHERE field = 'status' AND key IN ({marks}) "
                                     "ORDER BY seq", chunk):
                if r["key"] in facts:
                    facts[r["key"]].status_changes.append((r["at"], r["old"], r["new"]))
        return facts

    def evaluate_review(self, result_ids: Iterable[str], at: str | None = None) -> list[str]:
        """Apply the review rule to these results; store each new answer with a history line.
        Answers the ids whose answer changed."""
        at = at or _now()
        ids = sorted(set(result_ids))
        compared: dict[str, list[str]] = {rid: [] for rid in ids}
        dates: dict[str, tuple[str, str]] = {}
        for chunk in _chunks(ids):
            marks = ", ".join("?" * len(chunk))
            for r in self.db.execute(f"SELECT id, result_date, review_reasons FROM benchmark_results WHERE id IN ({marks})",
                                     chunk):
                dates[r["id"]] = (r["result_date"], r["review_reasons"])
            for r in self.db.execute(f"SELECT result_id, edition_key FROM result_standards WHERE result_id IN ({marks}) "
                                     "ORDER BY result_id, position", chunk):
                compared[r["result_id"]].append(r["edition_key"])
        facts = self.read_lifecycle(k for keys in compared.values() for k in keys)
        changed = []
        for rid in ids:
            if rid not in dates:
                continue
            day, old_raw = dates[rid]
            reasons = review_reasons(day, [facts[k] for k in compared[rid] if k in facts])
            new_raw = json.dumps(reasons, ensure_ascii=False, sort_keys=True)
            if new_raw == old_raw:
                continue
            self.db.execute("UPDATE benchmark_results SET needs_review = ?, review_reasons = ?, review_at = ? WHERE id = ?",
                            (int(bool(reasons)), new_raw, at, rid))
            action = "review_flagged" if reasons else "review_cleared"
            self.log_result_change(rid, at, "catalogue", action, {"reasons": reasons})
            changed.append(rid)
        return changed

    def flag_results_for_review(self, keys: Iterable[str], at: str | None = None) -> list[str]:
        """Re-apply the review rule to the results that compared against any of these edition keys
        (the keys a standards ingest wrote): one indexed lookup per 500 keys, then only those
        results. Answers the ids whose answer changed."""
        wanted = sorted({k for k in keys if k})
        ids: set[str] = set()
        for chunk in _chunks(wanted):
            ids.update(r[0] for r in self.db.execute(
                f"SELECT DISTINCT result_id FROM result_standards WHERE edition_key IN ({', '.join('?' * len(chunk))})",
                chunk))
        return self.evaluate_review(ids, at) if ids else []
