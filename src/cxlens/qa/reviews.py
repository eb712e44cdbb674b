"""What the QA pages read about the reviewed interactions and their agents: the vendors to
choose from, an interaction's facts, the interaction, vendor and agent of each review, and an
agent's segments, reviews and coaching notes. (Scores come from :mod:`cxlens.qa.scoring`;
these are the plain look-ups the pages used to run themselves.)"""

from __future__ import annotations

from typing import Any

from cxlens.qa import coaching
from cxlens.store.base import Warehouse

#: An interaction's facts shown beside its review.
FACTS = ("interaction_id", "channel", "vendor", "site", "team", "agent_id", "category",
         "created_at", "closed_at")
#: Review ids per query (the database's limit on parameters is far above it).
CHUNK = 1000


def vendors(wh: Warehouse) -> list[str]:
    """Every vendor with interactions, sorted (the pages' vendor choices)."""
    return [str(v) for (v,) in wh.query(
        "SELECT DISTINCT vendor FROM interactions WHERE vendor IS NOT NULL ORDER BY 1")]


def interaction_facts(wh: Warehouse, interaction_id: str) -> dict[str, Any] | None:
    """The interaction's :data:`FACTS`; None when there is no such interaction."""
    rows = wh.query(f"SELECT {', '.join(FACTS)} FROM interactions WHERE interaction_id = ?",
                    [interaction_id])
    return dict(zip(FACTS, rows[0], strict=True)) if rows else None


def owners(wh: Warehouse, review_ids: list[str]) -> dict[str, tuple[Any, ...]]:
    """review → (interaction_id, vendor, agent_id) of the reviewed interaction."""
    out: dict[str, tuple[Any, ...]] = {}
    for start in range(0, len(review_ids), CHUNK):
        chunk = review_ids[start:start + CHUNK]
        for rid, iid, vendor, agent in wh.query(
                "SELECT q.review_id, min(q.interaction_id), min(i.vendor), min(i.agent_id) "
                "FROM qa_reviews q LEFT JOIN interactions i ON i.interaction_id = "
                f"q.interaction_id WHERE q.review_id IN ({', '.join('?' * len(chunk))}) "
                "GROUP BY q.review_id", chunk):
            out[str(rid)] = (iid, vendor, agent)
    return out


def agent_segments(wh: Warehouse, agent_id: str) -> list[tuple[Any, Any, int]]:
    """(vendor, team, interactions) the agent worked in, the busiest first."""
    return [(v, t, int(n)) for v, t, n in wh.query(
        "SELECT vendor, team, count(*) FROM interactions WHERE agent_id = ? "
        "GROUP BY vendor, team ORDER BY 3 DESC", [agent_id])]


def agent_reviewed(wh: Warehouse, agent_id: str, vendor: str | None,
                   limit: int = 30) -> list[str]:
    """The agent's reviewed interactions (of ``vendor`` only, unless None), latest review
    first."""
    where, params = "i.agent_id = ?", [agent_id]
    if vendor is not None:
        where += " AND i.vendor = ?"
        params.append(vendor)
    return [str(r[0]) for r in wh.query(
        "SELECT q.interaction_id FROM qa_reviews q JOIN interactions i ON i.interaction_id = "
        f"q.interaction_id WHERE {where} GROUP BY q.interaction_id ORDER BY "
        "max(q.reviewed_at) DESC LIMIT ?", [*params, limit])]


def agent_review_ids(wh: Warehouse, agent_id: str) -> set[str]:
    """Every review of an interaction the agent handled."""
    return {str(r) for (r,) in wh.query(
        "SELECT DISTINCT q.review_id FROM qa_reviews q JOIN interactions i ON "
        "i.interaction_id = q.interaction_id WHERE i.agent_id = ?", [agent_id])}


def coached_agents(wh: Warehouse, vendor: str | None) -> list[tuple[Any, ...]]:
    """(agent_id, notes, latest note's time) of the agents with coaching notes (those who
    worked for ``vendor`` only, unless None), the latest first."""
    coaching.ensure(wh)
    where, params = "", []
    if vendor is not None:
        where = ("WHERE c.agent_id IN (SELECT agent_id FROM interactions WHERE vendor = ? AND "
                 "agent_id IS NOT NULL)")
        params = [vendor]
    return wh.query(f"SELECT c.agent_id, count(*), max(c.created_at) FROM cxlens_coaching c "
                    f"{where} GROUP BY c.agent_id ORDER BY 3 DESC", params)
