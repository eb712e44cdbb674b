"""The relation a metric is computed on: its source table, plus the attributes people segment
by — the customer's (segment, region, ...) for any table with a customer_id, and the handling
interaction's (vendor, site, team, agent, channel, category, product, ...) for survey responses,
invitations and QA reviews (a vendor, site, team or agent snapshotted on the row when the
survey was sent wins) — plus derived columns some definitions need (the customer's next
contact, for repeat-contact FCR; a customer's orders in a period, for CLV)."""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.types as ir

from cxlens.schema import TABLES

CUSTOMER_ATTRIBUTES = ("segment", "region", "country", "age_group", "gender",
                       "acquisition_source")
INTERACTION_ATTRIBUTES = ("vendor", "site", "team", "agent_id", "queue", "channel", "category",
                          "product", "priority", "language", "direction")
#: Tables about one interaction, segmentable by the handling interaction's attributes.
ABOUT_AN_INTERACTION = ("survey_responses", "survey_invitations", "qa_reviews",
                        "followup_cases")
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
#: The stored columns each derived column is made from, besides the time column: a derived
#: column is empty when they are (e.g. returning visitors need visitor_id).
DERIVED_FROM: dict[str, tuple[str, ...]] = {
    "next_contact_at": ("customer_id",),
    "next_same_category_contact_at": ("customer_id", "category"),
    "first_session_at": ("visitor_id",),
    "period_start": (), "period_end": (),
    "active_at_start": ("acquired_at",),
    "churned_in_period": ("churned_at",),
    "acquired_in_period": ("acquired_at",),
    "orders_in_period": (), "revenue_in_period": (), "order_currency": (),
}
#: Start of the figure's period (of the --from date without --grain); usable in expressions.
PERIOD_START = "period_start"
#: Customers × periods: who was a customer at each period's start, and who left during it.
CUSTOMER_PERIODS = "customer_periods"
CUSTOMER_PERIOD_COLUMNS = ("period_start", "period_end", "active_at_start",
                           "churned_in_period", "acquired_in_period")
#: The customer's completed orders in the period, one row per order currency; computed only
#: when a metric uses them.
CUSTOMER_PERIOD_ORDERS = ("orders_in_period", "revenue_in_period", "order_currency")
SOURCES = (*TABLES, CUSTOMER_PERIODS)


def columns(source: str) -> list[str]:
    """Every column a metric on ``source`` can use in expressions and --by."""
    if source == CUSTOMER_PERIODS:
        return [*TABLES["customers"].column_names, *CUSTOMER_PERIOD_COLUMNS,
                *CUSTOMER_PERIOD_ORDERS]
    cols = list(TABLES[source].column_names)
    if source in ABOUT_AN_INTERACTION:
        cols += [c for c in INTERACTION_ATTRIBUTES if c not in cols]
    if "customer_id" in cols:
        cols += [c for c in CUSTOMER_ATTRIBUTES if c not in cols]
    cols += [c for c in DERIVED.get(source, {}) if c not in cols]
    return [*cols, PERIOD_START]


def customer_periods(table: Table, periods: ir.Table, needed: set[str] | None = None,
                     ) -> ir.Table:
    """Every customer in every period, with whether they were active at its start, left
    during it, or joined during it; with their orders in the period when ``needed``."""
    c = table("customers")
    grid = c.cross_join(periods)
    start, end = grid.period_start, grid.period_end
    active = (grid.acquired_at < start) & (grid.churned_at.isnull() | (grid.churned_at >= start))
    grid = grid.mutate(
        active_at_start=active.fill_null(False),
        churned_in_period=((grid.churned_at >= start) & (grid.churned_at < end)).fill_null(False),
        acquired_in_period=((grid.acquired_at >= start) & (grid.acquired_at < end)
                            ).fill_null(False),
    )
    if not (needed or set()) & set(CUSTOMER_PERIOD_ORDERS):
        return grid
    return _with_orders(table, grid, periods)


def _with_orders(table: Table, grid: ir.Table, periods: ir.Table) -> ir.Table:
    """One row per customer, period and order currency, with the customer's completed orders
    and revenue in that currency and period (0 when none): every customer counts in every
    currency's denominator, so revenue per customer splits by currency and nothing is summed
    across currencies."""
    o = table("orders")
    o = o.filter(o.customer_id.notnull() & (o.status == "completed"))  # as revenue counts
    currencies = o.select(order_currency=o.currency).distinct()
    spans = periods.select(_ps=periods.period_start, _pe=periods.period_end)
    placed = o.inner_join(spans, (o.ordered_at >= spans._ps) & (o.ordered_at < spans._pe))
    per = placed.group_by(_oc=placed.customer_id, _op=placed._ps, _cu=placed.currency).aggregate(
        _n=placed.count(), _rev=placed.amount.sum())
    grid = grid.cross_join(currencies)
    grid = grid.left_join(per, (grid.customer_id == per._oc) & (grid.period_start == per._op)
                          & (grid.order_currency == per._cu))
    return grid.mutate(orders_in_period=grid._n.fill_null(0),
                       revenue_in_period=grid._rev.fill_null(0.0)
                       ).drop("_oc", "_op", "_cu", "_n", "_rev")


def relation(table: Table, source: str, needed: set[str]) -> ir.Table:
    """The source table with the joins and derived columns that ``needed`` requires."""
    base = table(source)
    own = set(base.columns)
    derived = DERIVED.get(source, {})
    wanted_derived = [c for c in derived if c in needed]
    if wanted_derived:
        base = base.mutate(**{c: derived[c](base) for c in wanted_derived})
    if source in ABOUT_AN_INTERACTION:
        attrs = [c for c in INTERACTION_ATTRIBUTES if c in needed]
        if attrs:
            inter = table("interactions")
            right = inter.select(_ii=inter.interaction_id,
                                 **{f"_i_{c}": inter[c] for c in attrs})
            base = base.left_join(right, base.interaction_id == right._ii)
            # a snapshot taken when the survey was sent wins over the interaction's value now
            base = base.mutate(**{
                c: (base[c].coalesce(base[f"_i_{c}"]) if c in own else base[f"_i_{c}"])
                for c in attrs})
            helpers = {"_ii", *(f"_i_{c}" for c in attrs)}  # (drop() orders them randomly)
            base = base.select([c for c in base.columns if c not in helpers])
    cust_attrs = [c for c in CUSTOMER_ATTRIBUTES if c in needed and c not in own]
    if cust_attrs and "customer_id" in base.columns:
        cust = table("customers")
        right = cust.select(_ci=cust.customer_id, **{c: cust[c] for c in cust_attrs})
        base = base.left_join(right, base.customer_id == right._ci).drop("_ci")
    return base


def distinct_values(table: Table, source: str, column: str, limit: int) -> list[object]:
    """The distinct non-null values of a source column, sorted (at most ``limit``)."""
    t = table(source)
    col = t[column]
    rows = t.filter(col.notnull()).select(_v=col).distinct().order_by("_v").limit(limit)
    return list(rows.to_pandas()["_v"])
