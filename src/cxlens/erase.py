"""Erasure on request (``cxlens erase CUSTOMER``): every table of the registry
(:mod:`cxlens.store.registry`) is handled by its personal-data policy (:mod:`cxlens.personal`)
in one transaction — the customer's rows deleted, or named columns redacted on them, or kept
for the reason the policy gives — and the erasure itself is logged (the customer id and the
counts, nothing else). There is no per-table code here: a table is covered by its policy.

First the customer's ids are resolved into a temporary table (their interactions, those they
answered a survey about, their answers, cases and the QA reviews of those interactions, and
the texts that quote them: their id as a JSON value, their e-mail address and phone), so
every policy sees the same rows whatever order tables are erased in.

Then the bytes go: deleted and overwritten values stay in the database files until they are
rewritten, so the warehouse compacts the tables touched (:meth:`Warehouse.compact`: a fresh
DuckDB file, or ``VACUUM (FULL)`` on Postgres). Backups made before remain as they were."""

from __future__ import annotations

import json
from typing import Any

from cxlens.accounts import audit
from cxlens.errors import NotFound
from cxlens.personal import ERASED, Link, Personal, Redaction
from cxlens.schema import Table
from cxlens.store.base import Warehouse
from cxlens.store.ddl import quote

__all__ = ["ERASED", "Erased", "erase"]

_SHORTEST = 6  # e-mail addresses and phone numbers shorter than this are not searched for
_IDS = "cxlens_erasing"  # the temporary table of the customer's ids (kind, id)
_RESOLVE = (  # (kind, query of the ids; ? is the customer id), in dependency order
    ("customer", "SELECT ?"),
    ("interaction", "SELECT interaction_id FROM interactions WHERE customer_id = ? UNION "
     "SELECT interaction_id FROM survey_responses WHERE customer_id = ? AND interaction_id "
     "IS NOT NULL"),
    ("response", "SELECT response_id FROM survey_responses WHERE customer_id = ?"),
    ("case", "SELECT case_id FROM followup_cases WHERE customer_id = ?"),
    ("review", f"SELECT DISTINCT review_id FROM qa_reviews WHERE interaction_id IN "
     f"(SELECT id FROM {_IDS} WHERE kind = 'interaction')"),
)


class Erased(dict[str, int]):
    """Rows deleted or redacted per table (tables whose policy keeps rows are not listed),
    and ``storage``: what was done to the database files, for the person who asked."""

    storage: str = ""


def erase(wh: Warehouse, customer_id: str, who: str | None = None) -> Erased:
    from cxlens.store import registry
    from cxlens.store.migrate import bump_data_version

    registry.ensure(wh)
    known = wh.scalar("SELECT count(*) FROM customers WHERE customer_id = ?", [customer_id])
    answers = wh.scalar("SELECT count(*) FROM survey_responses WHERE customer_id = ?",
                        [customer_id])
    if not known and not answers:
        raise NotFound(f"no customer {customer_id!r} and no answers from them",
                       "check the id (cxlens query ... or the dashboard's case page)")
    counts = Erased()
    with wh.transaction():
        _resolve(wh, customer_id)
        for table in registry.tables():
            if table.personal is not None and table.personal.action != "none":
                counts[table.name] = _apply(wh, table, table.personal)
        wh.execute(f"DROP TABLE {_IDS}")
        audit.record(wh, who, "erase", f"customer {customer_id}: " + ", ".join(
            f"{v} {k}" for k, v in counts.items() if v))
        bump_data_version(wh)
    counts.storage = wh.compact([t for t, n in counts.items() if n]) + (
        "; backups made before this erasure still hold the customer's data until they "
        "expire or are deleted")
    return counts


def _resolve(wh: Warehouse, customer_id: str) -> None:
    wh.execute(f"CREATE TEMPORARY TABLE {_IDS} (kind VARCHAR, id VARCHAR)")
    for kind, sql in _RESOLVE:
        wh.execute(f"INSERT INTO {_IDS} SELECT '{kind}', x.* FROM ({sql}) x",
                   [customer_id] * sql.count("?"))
    email, phone = (wh.query("SELECT email, phone FROM customers WHERE customer_id = ?",
                             [customer_id]) or [(None, None)])[0]
    # a short or junk address would match unrelated text ("7" in every audit entry with a 7)
    quoted = [json.dumps(customer_id), *(str(v).strip() for v in (email, phone)
                                         if v and len(str(v).strip()) >= _SHORTEST)]
    wh.insert_rows(_IDS, ("kind", "id"), [("mention", q.lower()) for q in quoted])


def _linked(link: Link) -> str:
    """SQL condition: the row is the customer's by ``link``."""
    col = quote(link.column)
    if link.kind == "mention":
        return (f"EXISTS (SELECT 1 FROM {_IDS} e WHERE e.kind = 'mention' AND "
                f"strpos(lower({col}), e.id) > 0)")
    if link.listed:
        return (f"EXISTS (SELECT 1 FROM {_IDS} e WHERE e.kind = '{link.kind}' AND "
                f"strpos(',' || replace({col}, ' ', '') || ',', ',' || e.id || ',') > 0)")
    return f"{col} IN (SELECT id FROM {_IDS} WHERE kind = '{link.kind}')"


def _pending(r: Redaction) -> tuple[str, list[Any], str, list[Any]]:
    """The column still needs redacting (condition, its parameters), and its new value (SQL,
    its parameters)."""
    col = quote(r.column)
    if r.part:
        return f"strpos({col}, ?) > 0", [r.part], f"replace({col}, ?, ?)", [r.part, r.to]
    if r.to is None:
        return f"{col} IS NOT NULL", [], "NULL", []
    if isinstance(r.to, bool):
        return f"{col} IS DISTINCT FROM ?", [r.to], "?", [r.to]
    return f"{col} IS NOT NULL AND {col} <> ?", [r.to], "?", [r.to]


def _apply(wh: Warehouse, table: Table, policy: Personal) -> int:
    """Apply ``policy`` to the customer's rows of ``table``; the rows deleted or changed."""
    where = " OR ".join(f"({_linked(link)})" for link in policy.links)
    parts = [_pending(r) for r in policy.redactions]
    params: list[Any] = [v for p in parts for v in p[1]]
    if parts:
        where = f"({where}) AND (" + " OR ".join(p[0] for p in parts) + ")"
    name = quote(table.name)
    found = int(wh.scalar(f"SELECT count(*) FROM {name} WHERE {where}", params))
    if found and policy.action == "delete":
        wh.execute(f"DELETE FROM {name} WHERE {where}", params)
    elif found:
        sets = [f"{quote(r.column)} = CASE WHEN {cond} THEN {new} ELSE {quote(r.column)} END"
                for r, (cond, _, new, _) in zip(policy.redactions, parts, strict=True)]
        wh.execute(f"UPDATE {name} SET {', '.join(sets)} WHERE {where}",
                   [v for p in parts for v in (*p[1], *p[3])] + params)
    return found
