"""The relation a metric is computed on: its source table, plus the attributes people segment
by — the customer's (segment, region, ...) for any table with a customer_id, and the handling
interaction's (vendor, site, team, agent, channel, category, product, ...) for survey responses,
invitations and QA reviews (a vendor, site, team or agent snapshotted on the row when the
survey was sent wins) — plus derived columns some definitions need (the customer's next
contact, for repeat-contact FCR; a customer's orders in a period, for CLV)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from cxlens.metrics.derived import Derived, all_derived
from cxlens.schema import TABLES, Column, Type

if TYPE_CHECKING:  # ibis is imported when a relation is built, not when metrics are listed
    import ibis.expr.types as ir

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

Table = Callable[[str], "ir.Table"]


#: Made by the customer-period relation, not stored: what each is made from.
_PERIOD_MADE_FROM: dict[str, tuple[str, ...]] = {
    "period_start": (), "period_end": (),
    "active_at_start": ("acquired_at",),
    "churned_in_period": ("churned_at",),
    "acquired_in_period": ("acquired_at",),
    "orders_in_period": (), "revenue_in_period": (), "order_currency": (),
    "support_contacts": (), "tech_tickets": (), "reopens": (),
}


def derived_columns() -> dict[str, dict[str, Derived]]:
    """Derived columns per table: derived.yaml's and the user's own (``derived:`` in the
    files of $CXLENS_METRICS)."""
    return all_derived()


def derived_from() -> dict[str, tuple[str, ...]]:
    """The stored columns each derived column is made from, besides the time column: a
    derived column is empty when they are (e.g. returning visitors need visitor_id)."""
    return {**{name: d.partition for cols in derived_columns().values()
               for name, d in cols.items()}, **_PERIOD_MADE_FROM}


#: Start of the figure's period (of the --from date without --grain); usable in expressions.
PERIOD_START = "period_start"
#: Customers × periods: who was a customer at each period's start, and who left during it.
CUSTOMER_PERIODS = "customer_periods"
CUSTOMER_PERIOD_COLUMNS = ("period_start", "period_end", "active_at_start",
                           "churned_in_period", "acquired_in_period")
#: The customer's completed orders in the period, one row per order currency; computed only
#: when a metric uses them.
CUSTOMER_PERIOD_ORDERS = ("orders_in_period", "revenue_in_period", "order_currency")
#: The customer's support history in the SUPPORT_WINDOW_DAYS before the period's start, in
#: bands (BANDS): contacts, contacts of the TECH_CATEGORY and reopens (Σ reopen_count);
#: computed only when a metric or --by uses them.
CUSTOMER_PERIOD_SUPPORT = ("support_contacts", "tech_tickets", "reopens")
SUPPORT_WINDOW_DAYS = 90
TECH_CATEGORY = "technical"
#: (lowest count, label): 0, 1, 2–3, 4 or more.
BANDS = ((4, "4+"), (2, "2-3"), (1, "1"), (0, "0"))
SOURCES = (*TABLES, CUSTOMER_PERIODS)


def columns(source: str) -> list[str]:
    """Every column a metric on ``source`` can use in expressions and --by."""
    return list(column_types(source))


def column_types(source: str) -> dict[str, Column]:
    """Every column of ``columns(source)`` with its type (and enum), for type-checking."""
    made = {name: Column(name, Type.TIMESTAMP, "derived")
            for name in (PERIOD_START, "period_end")}
    made |= {c: Column(c, Type.BOOLEAN, "derived") for c in CUSTOMER_PERIOD_COLUMNS[2:]}
    made |= {"orders_in_period": Column("orders_in_period", Type.INTEGER, "derived"),
             "revenue_in_period": Column("revenue_in_period", Type.FLOAT, "derived"),
             "order_currency": TABLES["orders"].column("currency")}
    made |= {c: Column(c, Type.STRING, "derived", enum=tuple(b for _, b in reversed(BANDS)))
             for c in CUSTOMER_PERIOD_SUPPORT}
    if source == CUSTOMER_PERIODS:
        cols = {c.name: c for c in TABLES["customers"].columns}
        return cols | {c: made[c] for c in (*CUSTOMER_PERIOD_COLUMNS, *CUSTOMER_PERIOD_ORDERS,
                                             *CUSTOMER_PERIOD_SUPPORT)}
    cols = {c.name: c for c in TABLES[source].columns}
    if source in ABOUT_AN_INTERACTION:
        inter = TABLES["interactions"]
        cols |= {c: inter.column(c) for c in INTERACTION_ATTRIBUTES if c not in cols}
    if "customer_id" in cols:
        cust = TABLES["customers"]
        cols |= {c: cust.column(c) for c in CUSTOMER_ATTRIBUTES if c not in cols}
    # a window value has the type of the column it is taken from
    cols |= {name: Column(name, TABLES[source].column(d.of).type, "derived")
             for name, d in derived_columns().get(source, {}).items() if name not in cols}
    return cols | {PERIOD_START: made[PERIOD_START]}


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
    if (needed or set()) & set(CUSTOMER_PERIOD_SUPPORT):
        grid = _with_support(table, grid, periods)
    if not (needed or set()) & set(CUSTOMER_PERIOD_ORDERS):
        return grid
    return _with_orders(table, grid, periods)


def _band(count: ir.IntegerValue) -> ir.StringValue:
    import ibis

    out: ir.StringValue = ibis.literal(BANDS[-1][1])
    for low, label in reversed(BANDS[:-1]):
        out = ibis.ifelse(count >= low, label, out)
    return out


def _with_support(table: Table, grid: ir.Table, periods: ir.Table) -> ir.Table:
    """The customer's contacts, technical contacts and reopens in the SUPPORT_WINDOW_DAYS
    before each period's start, as bands ("0" when none): support history that precedes the
    period, so a churn rate by it does not count contacts made while leaving."""
    import ibis

    i = table("interactions")
    i = i.filter(i.customer_id.notnull())
    spans = periods.select(_ps=periods.period_start)
    spans = spans.mutate(_ws=spans._ps - ibis.interval(days=SUPPORT_WINDOW_DAYS))
    seen = i.inner_join(spans, (i.created_at >= spans._ws) & (i.created_at < spans._ps))
    per = seen.group_by(_sc=seen.customer_id, _sp=seen._ps).aggregate(
        _contacts=seen.count(),
        _tech=ibis.ifelse(seen.category == TECH_CATEGORY, 1, 0).sum(),
        _reopens=seen.reopen_count.fill_null(0).sum())
    grid = grid.left_join(per, (grid.customer_id == per._sc) & (grid.period_start == per._sp))
    grid = grid.mutate(support_contacts=_band(grid._contacts.fill_null(0)),
                       tech_tickets=_band(grid._tech.fill_null(0)),
                       reopens=_band(grid._reopens.fill_null(0)))
    return grid.drop("_sc", "_sp", "_contacts", "_tech", "_reopens")


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
    grid = grid.mutate(orders_in_period=grid._n.fill_null(0),
                       revenue_in_period=grid._rev.fill_null(0.0))
    helpers = {"_oc", "_op", "_cu", "_n", "_rev"}  # (drop() orders them randomly)
    return grid.select([c for c in grid.columns if c not in helpers])


def relation(table: Table, source: str, needed: set[str]) -> ir.Table:
    """The source table with the joins and derived columns that ``needed`` requires."""
    base = table(source)
    own = set(base.columns)
    derived = derived_columns().get(source, {})
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
