"""The relation a metric is computed on: its source table, plus the attributes people segment
by — the customer's (segment, region, ...) for any table with a customer_id, and the handling
interaction's (vendor, site, team, agent, channel, category, product, ...) for survey responses
and QA reviews — plus derived columns some definitions need (the customer's next contact, for
repeat-contact FCR)."""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.types as ir

from cxlens.schema import TABLES

CUSTOMER_ATTRIBUTES = ("segment", "region", "country", "age_group", "gender",
                       "acquisition_source")
INTERACTION_ATTRIBUTES = ("vendor", "site", "team", "agent_id", "queue", "channel", "category",
                          "product", "priority", "language", "direction")
#: Friendly names accepted for --by.
ALIASES = {"agent": "agent_id", "ticket_type": "category", "contact_reason": "category",
           "age": "age_group", "source_channel": "acquisition_source"}

Table = Callable[[str], ir.Table]


def _next_contact(t: ir.Table, same_category: bool) -> ir.Value:
    keys = [t.customer_id, t.category] if same_category else [t.customer_id]
    window = ibis.window(group_by=keys, order_by=[t.created_at, t.interaction_id])
    return t.created_at.lead().over(window)


DERIVED: dict[str, dict[str, Callable[[ir.Table], ir.Value]]] = {
    "interactions": {
        "next_contact_at": lambda t: _next_contact(t, False),
        "next_same_category_contact_at": lambda t: _next_contact(t, True),
    },
    "web_sessions": {
        "first_session_at": lambda t: t.started_at.min().over(
            ibis.window(group_by=[t.visitor_id])),
    },
}
#: Start of the figure's period (of the --from date without --grain); usable in expressions.
PERIOD_START = "period_start"
#: Customers × periods: who was a customer at each period's start, and who left during it.
CUSTOMER_PERIODS = "customer_periods"
CUSTOMER_PERIOD_COLUMNS = ("period_start", "period_end", "active_at_start",
                           "churned_in_period", "acquired_in_period")
SOURCES = (*TABLES, CUSTOMER_PERIODS)


def columns(source: str) -> list[str]:
    """Every column a metric on ``source`` can use in expressions and --by."""
    if source == CUSTOMER_PERIODS:
        return [*TABLES["customers"].column_names, *CUSTOMER_PERIOD_COLUMNS]
    cols = list(TABLES[source].column_names)
    if source in ("survey_responses", "qa_reviews"):
        cols += [c for c in INTERACTION_ATTRIBUTES if c not in cols]
    if "customer_id" in cols:
        cols += [c for c in CUSTOMER_ATTRIBUTES if c not in cols]
    cols += [c for c in DERIVED.get(source, {}) if c not in cols]
    return [*cols, PERIOD_START]


def customer_periods(table: Table, periods: ir.Table) -> ir.Table:
    """Every customer in every period, with whether they were active at its start, left
    during it, or joined during it."""
    c = table("customers")
    grid = c.cross_join(periods)
    start, end = grid.period_start, grid.period_end
    active = (grid.acquired_at < start) & (grid.churned_at.isnull() | (grid.churned_at >= start))
    return grid.mutate(
        active_at_start=active.fill_null(False),
        churned_in_period=((grid.churned_at >= start) & (grid.churned_at < end)).fill_null(False),
        acquired_in_period=((grid.acquired_at >= start) & (grid.acquired_at < end)
                            ).fill_null(False),
    )


def relation(table: Table, source: str, needed: set[str]) -> ir.Table:
    """The source table with the joins and derived columns that ``needed`` requires."""
    base = table(source)
    own = set(base.columns)
    derived = DERIVED.get(source, {})
    wanted_derived = [c for c in derived if c in needed]
    if wanted_derived:
        base = base.mutate(**{c: derived[c](base) for c in wanted_derived})
    if source in ("survey_responses", "qa_reviews"):
        attrs = [c for c in INTERACTION_ATTRIBUTES if c in needed and c not in own]
        if attrs:
            inter = table("interactions")
            right = inter.select(_ii=inter.interaction_id, **{c: inter[c] for c in attrs})
            base = base.left_join(right, base.interaction_id == right._ii).drop("_ii")
    cust_attrs = [c for c in CUSTOMER_ATTRIBUTES if c in needed and c not in own]
    if cust_attrs and "customer_id" in base.columns:
        cust = table("customers")
        right = cust.select(_ci=cust.customer_id, **{c: cust[c] for c in cust_attrs})
        base = base.left_join(right, base.customer_id == right._ci).drop("_ci")
    return base
