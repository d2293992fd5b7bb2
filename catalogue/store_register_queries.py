"""Read-only questions about the 对标达标 register that pages, feeds, exports and ``catalogue stats``
ask. Mixed into :class:`catalogue.store.Store`; all SQL stays in the store.

Only *public* results are answered here: state 'published' and a declared status other than
'withdrawn' (drafts and withdrawn results belong to the accounts workflow, which asks its own
questions). An enterprise or product is public when a public result or a certificate names it.

    >>> store.count_register()
    {'enterprises': 3, 'products': 4, 'results': 6, 'certificates': 7, 'needs_review': 3}
"""
from __future__ import annotations

import json
import sqlite3

#: The SQL condition for a result the public may see (``r`` is benchmark_results).
PUBLIC = "r.state = 'published' AND r.status != 'withdrawn'"
#: A result's effective status: the declared one, needs_review when the rule says so, withdrawn stays.
EFFECTIVE_STATUS = ("CASE WHEN r.status = 'withdrawn' THEN 'withdrawn' WHEN r.needs_review = 1 THEN 'needs_review' "
                    "ELSE r.status END")
#: Filters :meth:`RegisterQueries.list_results` takes, each with its SQL (one bound value).
RESULT_FILTERS = {
    "standard": "r.id IN (SELECT result_id FROM result_standards WHERE edition_key = ?)",
    "scheme": "r.scheme_id = ?",
    "enterprise": "r.enterprise_id = ?",
    "product": "r.product_id = ?",
    "level": "r.level = ?",
    "status": f"{EFFECTIVE_STATUS} = ?",
    "year": "substr(r.result_date, 1, 4) = ?",
    "cluster": "e.cluster = ?",
}
_RESULT_COLUMNS = (
    "SELECT r.id, r.result_date, r.level, r.reached, r.status AS declared_status, r.state, r.needs_review, "
    f"r.review_reasons, r.review_at, r.published_on, r.platform, r.link, r.own_standard, {EFFECTIVE_STATUS} AS status, "
    "r.scheme_id, r.enterprise_id, r.product_id, r.added_at, r.updated_at, r.source, "
    "e.names AS enterprise_names, e.credit_code, e.district, e.cluster, p.names AS product_names, p.model, "
    "COALESCE(s.titles, '{}') AS scheme_titles "
    "FROM benchmark_results r JOIN enterprises e ON e.id = r.enterprise_id JOIN products p ON p.id = r.product_id "
    "LEFT JOIN schemes s ON s.id = r.scheme_id"
)


class RegisterQueries:
    """The register's read-only query methods of :class:`catalogue.store.Store` (it provides ``self.db``)."""

    db: sqlite3.Connection

    # ------------------------------------------------------------- schemes, as the register needs them
    def list_scheme_ids(self) -> list[str]:
        """Every benchmarking scheme's id, sorted: ['mccb', 'spectacle-frames', 'steel-gate-valves']."""
        return [r[0] for r in self.db.execute("SELECT id FROM schemes ORDER BY id")]

    def list_scheme_indicators(self, scheme_id: str) -> list[tuple[int, dict, str]]:
        """(0-based position, names, unit) of a scheme's indicators: [(0, {'zh': '壳体试验压力', ...}, 'MPa'), ...]."""
        return [(r[0], json.loads(r[1]), r[2]) for r in self.db.execute(
            "SELECT position, names, unit FROM scheme_indicators WHERE scheme_id = ? ORDER BY position", (scheme_id,))]

    def read_scheme_indicators(self, scheme_id: str) -> list[dict]:
        """A scheme's indicators with the clauses it names: [{"position": 0, "names": {...}, "unit": "MPa",
        "cells": [{"designation": "ISO 5208", "clause": "shell test", ...}]}] (the workspace's form)."""
        return [{"position": r[0], "names": json.loads(r[1]), "unit": r[2], "cells": json.loads(r[3])}
                for r in self.db.execute("SELECT position, names, unit, cells FROM scheme_indicators "
                                         "WHERE scheme_id = ? ORDER BY position", (scheme_id,))]

    def list_scheme_choices(self) -> list[tuple[str, dict]]:
        """(id, titles) of every benchmarking scheme, by id: what a new draft may choose from."""
        return [(r[0], json.loads(r[1])) for r in self.db.execute("SELECT id, titles FROM schemes ORDER BY id")]

    def list_enterprise_choices(self) -> list[dict]:
        """Every enterprise of the register, public or not ({"id", "names", "credit_code"}, by credit
        code): for librarians drafting on an enterprise's behalf and for `catalogue user add`."""
        return [{"id": r[0], "names": json.loads(r[1]), "credit_code": r[2]} for r in self.db.execute(
            "SELECT id, names, credit_code FROM enterprises ORDER BY credit_code")]

    def read_enterprise_brief(self, eid: str) -> dict | None:
        """An enterprise's id, names and credit code whether or not anything of it is public, or None."""
        r = self.db.execute("SELECT id, names, credit_code FROM enterprises WHERE id = ?", (eid,)).fetchone()
        return {"id": r[0], "names": json.loads(r[1]), "credit_code": r[2]} if r else None

    # ------------------------------------------------------------- figures
    def count_register(self) -> dict[str, int]:
        """The pilot's figures over public results (``catalogue stats --json``'s "benchmarking")."""
        row = self.db.execute(
            f"SELECT COUNT(*), COUNT(DISTINCT r.enterprise_id), COUNT(DISTINCT r.product_id), "
            f"COALESCE(SUM(r.needs_review), 0) FROM benchmark_results r WHERE {PUBLIC}").fetchone()
        certificates = self.db.execute(
            f"SELECT COUNT(*) FROM certificates c WHERE c.enterprise_id IN (SELECT r.enterprise_id FROM "
            f"benchmark_results r WHERE {PUBLIC})").fetchone()[0]
        return {"enterprises": row[1], "products": row[2], "results": row[0], "certificates": certificates,
                "needs_review": row[3]}

    def count_results_by(self, what: str) -> list[tuple[str, int]]:
        """Public results per level, reached, cluster, scheme or year, most first: [('advanced', 3), ...]."""
        expression = {"level": "r.level", "reached": "r.reached", "cluster": "e.cluster", "scheme": "r.scheme_id",
                      "year": "substr(r.result_date, 1, 4)", "status": EFFECTIVE_STATUS}[what]
        rows = self.db.execute(
            f"SELECT {expression} AS value, COUNT(*) FROM benchmark_results r JOIN enterprises e ON e.id = r.enterprise_id "
            f"WHERE {PUBLIC} GROUP BY value ORDER BY COUNT(*) DESC, value")
        return [(r[0] or "", r[1]) for r in rows]

    def read_system_titles(self, ids: list[str]) -> dict[str, dict]:
        """Titles of the systems among ``ids`` (industry clusters): {'valves': {'zh': '阀门产业标准体系', ...}}."""
        wanted = sorted({i for i in ids if i})
        if not wanted or not self.has_table("systems"):
            return {}
        rows = self.db.execute(f"SELECT id, titles FROM systems WHERE id IN ({', '.join('?' * len(wanted))})", wanted)
        return {r[0]: json.loads(r[1]) for r in rows}

    def count_certificates_by_type(self) -> list[tuple[str, int]]:
        rows = self.db.execute("SELECT cert_type, COUNT(*) FROM certificates GROUP BY cert_type ORDER BY COUNT(*) DESC, cert_type")
        return [(r[0], r[1]) for r in rows]

    # ------------------------------------------------------------- results
    def list_results(self, filters: dict[str, str] | None = None, limit: int = 50, offset: int = 0,
                     review_only: bool = False, *, public: bool = True,
                     states: tuple[str, ...] = ()) -> tuple[int, list[dict]]:
        """(total, one page of public results, newest first) matching ``filters`` (RESULT_FILTERS names).

        ``public=False`` (the accounts workflow's workspace, which checks who asks) answers results
        in every state, or in ``states``, most recently changed first."""
        where, args = ([PUBLIC] if public else []), []
        if states:
            where.append(f"r.state IN ({', '.join('?' * len(states))})")
            args.extend(states)
        for name, value in (filters or {}).items():
            where.append(RESULT_FILTERS[name])
            args.append(value)
        if review_only:
            where.append("r.needs_review = 1")
        sql_where = (" WHERE " + " AND ".join(where)) if where else ""
        order = "r.result_date DESC, r.id" if public else "r.updated_at DESC, r.id"
        total = self.db.execute(
            "SELECT COUNT(*) FROM benchmark_results r JOIN enterprises e ON e.id = r.enterprise_id" + sql_where,
            args).fetchone()[0]
        rows = self.db.execute(f"{_RESULT_COLUMNS}{sql_where} ORDER BY {order} LIMIT ? OFFSET ?",
                               [*args, limit, offset]).fetchall()
        out = [self._result_brief(r) for r in rows]
        standards = self._standards_of([o["id"] for o in out])
        for item in out:
            item["standards"] = standards.get(item["id"], [])
        return total, out

    def _result_brief(self, r: sqlite3.Row) -> dict:
        return {
            "id": r["id"], "date": r["result_date"], "level": r["level"], "reached": r["reached"],
            "status": r["status"], "declared_status": r["declared_status"], "state": r["state"],
            "needs_review": bool(r["needs_review"]), "review_reasons": json.loads(r["review_reasons"]),
            "review_at": r["review_at"] or None,
            "published": {"date": r["published_on"] or None, "platform": r["platform"] or None, "link": r["link"] or None},
            "own_standard": r["own_standard"] or None,
            "enterprise": {"id": r["enterprise_id"], "names": json.loads(r["enterprise_names"]),
                           "credit_code": r["credit_code"], "district": r["district"], "cluster": r["cluster"]},
            "product": {"id": r["product_id"], "names": json.loads(r["product_names"]), "model": r["model"]},
            "scheme": {"id": r["scheme_id"], "titles": json.loads(r["scheme_titles"])},
            "added_at": r["added_at"], "updated_at": r["updated_at"], "source": r["source"],
        }

    def _standards_of(self, ids: list[str]) -> dict[str, list[dict]]:
        """Each result's compared editions with their status now: {id: [{designation, key, work, as_given,
        status, catalogued}]}."""
        out: dict[str, list[dict]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows = self.db.execute(
                "SELECT rs.result_id, rs.designation, rs.edition_key, rs.work, rs.as_given, s.status, s.key IS NOT NULL "
                "AS catalogued FROM result_standards rs LEFT JOIN standards s ON s.key = rs.edition_key "
                f"WHERE rs.result_id IN ({', '.join('?' * len(chunk))}) ORDER BY rs.result_id, rs.position", chunk)
            for r in rows:
                out.setdefault(r[0], []).append({"designation": r[1], "key": r[2], "work": r[3], "as_given": r[4] or None,
                                                 "status": (r[5] or "unknown") if r[6] else None,
                                                 "catalogued": bool(r[6])})
        return out

    def read_result(self, rid: str, *, public: bool = True) -> dict | None:
        """One public result with everything its page shows, or None (unknown, draft or withdrawn).

        ``public=False``: the result in any state, with its whole history (the accounts workflow
        asks, having checked who may see it); else only the history since it was public."""
        condition = f" AND {PUBLIC}" if public else ""
        row = self.db.execute(f"{_RESULT_COLUMNS} WHERE r.id = ?{condition}", (rid,)).fetchone()
        if row is None:
            return None
        out = self._result_brief(row)
        out["standards"] = self._standards_of([rid]).get(rid, [])
        out["test_reports"] = [
            {"number": r[0], "laboratory": r[1], "accreditation": json.loads(r[2]), "date": r[3] or None}
            for r in self.db.execute("SELECT number, laboratory, accreditation, report_date FROM test_reports "
                                     "WHERE result_id = ? ORDER BY number", (rid,))]
        out["evaluations"] = [
            {"body": r[0], "method": r[1], "conclusion": r[2], "date": r[3] or None}
            for r in self.db.execute("SELECT body, method, conclusion, evaluated_on FROM evaluations "
                                     "WHERE result_id = ? ORDER BY position", (rid,))]
        out["indicators"] = [
            {"indicator": r["indicator"] + 1, "names": json.loads(r["names"]), "value": r["value"], "unit": r["unit"],
             "value_kind": r["value_kind"], "report": r["report"] or None, "clause": r["clause"] or None,
             "direction": r["direction"], "outcome": r["outcome"], "computed": bool(r["computed"]),
             "standards": json.loads(r["cells"]), "note": r["note"] or None}
            for r in self.db.execute("SELECT * FROM result_indicators WHERE result_id = ? ORDER BY position", (rid,))]
        out["history"] = self.read_result_history(rid, public=public)
        return out

    def read_result_history(self, rid: str, *, public: bool = False) -> list[dict]:
        """Who changed the result, when, and what, oldest first: [{"at", "actor", "actor_role",
        "action", "changes", "state"}], ``state`` being the result's after the change.

        ``public=True``: only the lines written while the result was published, and a signed-in
        user named by role ('librarian', 'enterprise'), never by login name."""
        rows = self.db.execute("SELECT at, actor, action, changes, actor_role, state FROM result_history "
                               "WHERE result_id = ? ORDER BY seq", (rid,))
        out = []
        for r in rows:
            if public and r["state"] != "published":
                continue
            out.append({"at": r["at"], "actor": r["actor_role"] if public and r["actor_role"] else r["actor"],
                        "actor_role": r["actor_role"] or None, "action": r["action"],
                        "changes": json.loads(r["changes"]), "state": r["state"] or None})
        return out

    def read_result_owner(self, rid: str) -> tuple[str, str] | None:
        """(enterprise id, workflow state) of a result in any state, or None: what the workflow
        checks before it shows or changes one."""
        row = self.db.execute("SELECT enterprise_id, state FROM benchmark_results WHERE id = ?", (rid,)).fetchone()
        return (row[0], row[1]) if row else None

    def count_results_comparing(self, key: str) -> int:
        """How many public results compared against this edition (as dated in the result)."""
        return self.db.execute(
            f"SELECT COUNT(*) FROM benchmark_results r WHERE {PUBLIC} AND r.id IN "
            "(SELECT result_id FROM result_standards WHERE edition_key = ?)", (key,)).fetchone()[0]

    # ------------------------------------------------------------- enterprises, products, certificates
    def read_enterprise(self, eid: str) -> dict | None:
        """A public enterprise with its products and certificates (results are listed separately), or None."""
        row = self.db.execute("SELECT * FROM enterprises WHERE id = ?", (eid,)).fetchone()
        if row is None or not self._enterprise_is_public(eid):
            return None
        products = [self._product_row(p) for p in self.db.execute(
            "SELECT * FROM products WHERE enterprise_id = ? ORDER BY model, id", (eid,))]
        public = {pid for (pid,) in self.db.execute(
            f"SELECT DISTINCT r.product_id FROM benchmark_results r WHERE r.enterprise_id = ? AND {PUBLIC}", (eid,))}
        public |= {pid for (pid,) in self.db.execute(
            "SELECT product_id FROM certificates WHERE enterprise_id = ? AND product_id != ''", (eid,))}
        return {"id": eid, "names": json.loads(row["names"]), "credit_code": row["credit_code"],
                "district": row["district"], "cluster": row["cluster"], "updated_at": row["updated_at"],
                "products": [p for p in products if p["id"] in public],
                "certificates": self.list_certificates(enterprise_id=eid)}

    def _enterprise_is_public(self, eid: str) -> bool:
        found = self.db.execute(
            f"SELECT EXISTS (SELECT 1 FROM benchmark_results r WHERE r.enterprise_id = ? AND {PUBLIC}) "
            "OR EXISTS (SELECT 1 FROM certificates WHERE enterprise_id = ?)", (eid, eid)).fetchone()[0]
        return bool(found)

    def _product_row(self, p: sqlite3.Row) -> dict:
        return {"id": p["id"], "enterprise_id": p["enterprise_id"], "names": json.loads(p["names"]),
                "model": p["model"], "standards": json.loads(p["standards"])}

    def read_product(self, pid: str) -> dict | None:
        """A public product with its enterprise and certificates, or None."""
        p = self.db.execute("SELECT * FROM products WHERE id = ?", (pid,)).fetchone()
        if p is None:
            return None
        public = self.db.execute(
            f"SELECT EXISTS (SELECT 1 FROM benchmark_results r WHERE r.product_id = ? AND {PUBLIC}) "
            "OR EXISTS (SELECT 1 FROM certificates WHERE product_id = ?)", (pid, pid)).fetchone()[0]
        if not public:
            return None
        out = self._product_row(p)
        e = self.db.execute("SELECT id, names, credit_code FROM enterprises WHERE id = ?", (p["enterprise_id"],)).fetchone()
        out["enterprise"] = {"id": e["id"], "names": json.loads(e["names"]), "credit_code": e["credit_code"]}
        out["certificates"] = self.list_certificates(product_id=pid)
        return out

    def list_certificates(self, enterprise_id: str | None = None, product_id: str | None = None) -> list[dict]:
        """Certificates of an enterprise or a product, each with its status events in date order."""
        column, value = ("enterprise_id", enterprise_id) if enterprise_id else ("product_id", product_id)
        certs = []
        for c in self.db.execute(f"SELECT * FROM certificates WHERE {column} = ? ORDER BY issued, number", (value,)):
            events = [{"status": e[0], "date": e[1], "note": e[2] or None} for e in self.db.execute(
                "SELECT status, at, note FROM certificate_events WHERE certificate_id = ? ORDER BY position", (c["id"],))]
            certs.append({"id": c["id"], "number": c["number"], "type": c["cert_type"], "issuer": c["issuer"] or None,
                          "basis": c["basis"] or None, "basis_key": c["basis_key"] or None, "scope": c["scope"] or None,
                          "issued": c["issued"] or None, "expires": c["expires"] or None,
                          "product_id": c["product_id"] or None, "events": events})
        return certs
