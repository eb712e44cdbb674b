"""Metric specs → ibis expressions: one compile function per measure kind.

Each compiled expression returns, per segment (``--by`` dimensions and period), the sufficient
statistics of the figure — counts, sums, means, SDs, order statistics — never the figure with
its interval: those are computed from these small results in ``result.py`` by ``cxlens.stats``,
identically for every engine. Conditions are written as ``ifelse(cond, 1, 0)`` so every backend
compiles them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd

from cxlens.errors import ConfigError, did_you_mean
from cxlens.metrics import expr, relations, typecheck
from cxlens.metrics.business_hours import Schedule
from cxlens.metrics.engine import GENERIC, Engine
from cxlens.metrics.spec import Kind, Metric

GRAINS = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}
Z95 = 1.959963984540054
PERIOD = "period"
ROWS = "population_rows"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
#: A time range read from the data, as UTC datetimes.
Span = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class Request:
    """What is asked of one metric: segments, grain, time range and an extra filter."""

    dims: tuple[str, ...] = ()
    grain: str | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None  # exclusive
    where: str | None = None
    schedule: Schedule | None = None  # for business-hours durations
    engine: Engine = GENERIC  # its spellings of time functions and quantiles
    #: Read from the data before compiling (``query.spans``), so compiling runs no query:
    #: the customers' first acquisition and last acquisition or churn (customer periods) and
    #: the earliest start and latest end of a business-hours duration (its hourly calendar).
    customer_span: Span | None = None
    business_span: Span | None = None


def check_request(metric: Metric, req: Request) -> None:
    """Every problem with dimensions, grain and filter at once, with suggestions."""
    available = relations.columns(metric.source)
    problems, fixes = [], []
    for dim in req.dims:
        if dim not in available:
            problems.append(f'{metric.full_name} cannot be split by "{dim}".'
                            f"{did_you_mean(dim, available)}")
    if problems:
        fixes.append(f"dimensions of {metric.source}: {', '.join(available)}")
    if req.grain is not None and req.grain not in GRAINS:
        problems.append(f'unknown grain "{req.grain}".{did_you_mean(req.grain, GRAINS)}')
        fixes.append(f"grains: {', '.join(GRAINS)}")
    types = relations.column_types(metric.source)
    where = typecheck.problems(req.where, types, "boolean") if req.where else []
    if where:
        problems += [f"--where {p}" for p in where]
        fixes.append("write --where as a SQL condition on the columns of "
                     f"{metric.source}, quoting text ('chat') but not numbers or true/false")
    # checked when the catalogue loaded; again here for --param values
    own = typecheck.metric_problems(metric.model_dump(), types)
    if own:
        problems += [f"{metric.full_name} {p}" for p in own]
        fixes.append(f"check the --param values given for {metric.name}")
    if problems:
        raise ConfigError("; ".join(problems), "; ".join(fixes))


def needed_columns(metric: Metric, req: Request) -> set[str]:
    cols = {metric.time, *req.dims, *metric.uniform, *([metric.per] if metric.per else [])}
    for text in [*metric.expressions().values(), *([req.where] if req.where else [])]:
        cols |= expr.columns_of(text)
    return cols


def _prepare(table: relations.Table, metric: Metric, needed: set[str], req: Request,
             ) -> tuple[ir.Table, list[str]]:
    """The filtered relation (time range, --where, period column) and the grouping keys."""
    if metric.source == relations.CUSTOMER_PERIODS:
        rel = relations.customer_periods(table, _periods(req), needed)
    else:
        rel = relations.relation(table, metric.source, needed)
    if relations.PERIOD_START in needed and relations.PERIOD_START not in rel.columns:
        start = (req.engine.truncate(rel[metric.time], GRAINS[req.grain]) if req.grain
                 else ibis.literal(req.start or EPOCH))
        rel = rel.mutate(**{relations.PERIOD_START: start})
    rel = rel.filter(rel[metric.time].notnull())
    if req.start is not None:
        rel = rel.filter(rel[metric.time] >= ibis.literal(req.start))
    if req.end is not None:
        rel = rel.filter(rel[metric.time] < ibis.literal(req.end))
    if req.where:
        rel = rel.filter(expr.to_ibis(req.where, rel, engine=req.engine))
    keys = list(req.dims)
    if req.grain:
        rel = rel.mutate(**{PERIOD: req.engine.truncate(rel[metric.time],
                                                        GRAINS[req.grain])})
        keys.append(PERIOD)
    return rel, keys


def rows(table: relations.Table, metric: Metric, req: Request, extra: set[str] | frozenset[str]
         = frozenset()) -> ir.Table:
    """The relation ``compile_metric`` aggregates — time range and filter of ``req`` applied,
    the population not yet — with the ``extra`` columns joined too (for
    :mod:`cxlens.metrics.definition`)."""
    check_request(metric, req)
    rel, _ = _prepare(table, metric, needed_columns(metric, req) | set(extra), req)
    return rel


def compile_metric(table: relations.Table, metric: Metric, req: Request) -> ir.Table:
    """The aggregate query for ``metric`` under ``req`` (not executed)."""
    check_request(metric, req)
    rel, keys = _population(table, metric, req)
    if metric.hours == "business":
        if req.business_span is None:
            raise ValueError(f"{metric.full_name}: business_span not set (see query.spans)")
        rel = _business_seconds(rel, metric, req.schedule or Schedule(), req.business_span,
                                req.engine)
    # every row counts from here on; a column expression keeps the aggregates column reductions
    pop = rel[metric.time].notnull()
    if metric.quantile is not None:
        return _quantile(rel, metric, keys, pop, metric.quantile, req.engine)
    if metric.per:
        return _per_entity(rel, metric, keys, req.engine)
    aggs = KINDS[metric.kind](rel, metric, pop, req.engine)
    for i, col in enumerate(metric.uniform):
        aggs |= _extent(rel[col], f"uniform_{i}")
    return rel.group_by(keys).aggregate(**aggs) if keys else rel.aggregate(**aggs)


def _population(table: relations.Table, metric: Metric, req: Request,
                ) -> tuple[ir.Table, list[str]]:
    """The prepared relation without rows outside the population, and the grouping keys."""
    rel, keys = _prepare(table, metric, needed_columns(metric, req), req)
    for text in metric.population:  # rows outside the population never form a segment
        rel = rel.filter(expr.to_ibis(metric.fill(text), rel, engine=req.engine
                                      ).fill_null(False))
    return rel, keys


def customer_span(table: relations.Table) -> ir.Table:
    """The query (one row: lo, hi) for ``Request.customer_span``: the first acquisition and
    the last acquisition or churn."""
    c = table("customers")
    return c.aggregate(lo=c.acquired_at.min(),
                       hi=ibis.greatest(c.acquired_at.max(), c.churned_at.max()))


def business_span(table: relations.Table, metric: Metric, req: Request) -> ir.Table:
    """The query (one row: lo, hi) for ``Request.business_span``: the earliest start and the
    latest end of the durations ``metric`` measures under ``req``."""
    assert metric.start is not None and metric.end is not None
    check_request(metric, req)
    rel, _ = _population(table, metric, req)
    start, end = rel[metric.fill(metric.start)], rel[metric.fill(metric.end)]
    rel = rel.filter(start.notnull() & end.notnull())
    return rel.aggregate(lo=rel[metric.start].min(), hi=rel[metric.end].max())


def fusable(metric: Metric, engine: Engine = GENERIC) -> bool:
    """Metrics that can share one scan with others on the same table and time column. Where
    the engine has sorted lists (DuckDB) quantiles can too: each segment's values are gathered
    into one sorted list."""
    if metric.per or metric.hours != "calendar" or metric.source == relations.CUSTOMER_PERIODS:
        return False
    return metric.quantile is None or engine.sorted_lists


def compile_fused(table: relations.Table, metrics: list[Metric], req: Request, *,
                  picked: bool = True) -> ir.Table:
    """One aggregate query computing several metrics of the same table and time column:
    each metric's population becomes a condition inside its aggregates instead of a filter,
    so the table is scanned once. Columns are prefixed ``m{i}__``. With ``picked`` False the
    quantiles' sorted lists are left as they are (columns :func:`list_columns`), their order
    statistics not picked (``partials`` merges lists kept per month)."""
    for metric in metrics:
        check_request(metric, req)
    assert len({(m.source, m.time) for m in metrics}) == 1
    assert all(fusable(m, req.engine) for m in metrics)
    needed = set().union(*(needed_columns(m, req) for m in metrics))
    rel, keys = _prepare(table, metrics[0], needed, req)
    aggs: Aggs = {}
    lists = list_columns(metrics)  # one sorted list per distinct quantile value
    picks: list[tuple[str, str, float]] = []  # (prefix, list column, p)
    for i, metric in enumerate(metrics):
        pop = rel[metric.time].notnull()
        for text in metric.population:
            pop = pop & expr.to_ibis(metric.fill(text), rel, engine=req.engine
                                     ).fill_null(False)
        # rows in the population: a segment exists for this metric when there are any, even
        # if none has a value (then the figure is null with n = 0, as when computed alone)
        aggs[f"m{i}__{ROWS}"] = _count(pop)
        listed = lists[i]
        if metric.quantile is not None and listed is not None:
            if listed not in aggs:
                x = _value(rel, metric, req.engine).cast("float64")
                aggs[listed] = _sorted_list(x, pop)
            picks.append((f"m{i}__", listed, metric.quantile))
            continue
        for name, agg in KINDS[metric.kind](rel, metric, pop, req.engine).items():
            aggs[f"m{i}__{name}"] = agg
        for j, col in enumerate(metric.uniform):
            aggs |= _extent(ibis.ifelse(pop, rel[col], ibis.null()), f"m{i}__uniform_{j}")
    out = rel.group_by(keys).aggregate(**aggs) if keys else rel.aggregate(**aggs)
    if not picks or not picked:
        return out
    cols: Aggs = {}
    for prefix, col, q in picks:
        cols |= _list_picks(out[col], q, prefix)
    return out.mutate(**cols).drop(*dict.fromkeys(c for c in lists if c is not None))


def list_columns(metrics: list[Metric]) -> list[str | None]:
    """Per metric of a ``compile_fused`` query, the column of its sorted list (None: not a
    quantile)."""
    lists: dict[tuple[object, ...], str] = {}
    out: list[str | None] = []
    for metric in metrics:
        key = quantile_key(metric)
        if metric.quantile is None or key is None:
            out.append(None)
            continue
        out.append(lists.setdefault(key, f"_xs{len(lists)}"))
    return out


def split_fused(raw: pd.DataFrame, count: int, req: Request) -> list[pd.DataFrame]:
    """The result of ``compile_fused`` as one statistics frame per metric; segments where a
    metric has no rows are dropped, as if it had been computed alone."""
    keys = [*req.dims, *([PERIOD] if req.grain else [])]
    out = []
    for i in range(count):
        prefix = f"m{i}__"
        cols = [c for c in raw.columns if c.startswith(prefix)]
        part = raw[[*keys, *cols]].rename(columns={c: c[len(prefix):] for c in cols})
        if keys and ROWS in part:
            rows = pd.to_numeric(part[ROWS], errors="coerce").fillna(0)
            part = part[rows > 0]
        out.append(part.drop(columns=[ROWS], errors="ignore").reset_index(drop=True))
    return out


def _per_entity(rel: ir.Table, metric: Metric, keys: list[str], engine: Engine) -> ir.Table:
    """share over entities: one row per (segment, period, entity), flagged by the condition
    evaluated on that entity's rows."""
    assert metric.per is not None and metric.condition is not None
    rel = rel.filter(rel[metric.per].notnull())
    flag = expr.to_ibis(metric.fill(metric.condition), rel, aggregate=True, engine=engine)
    ent = rel.group_by([*keys, metric.per]).aggregate(_f=ibis.ifelse(flag, 1, 0))
    aggs = {"n": ent.count(), "k": ent._f.sum()}
    return ent.group_by(keys).aggregate(**aggs) if keys else ent.aggregate(**aggs)


def _periods(req: Request) -> ir.Table:
    """The periods to evaluate customer-period metrics on: the --grain periods between --from
    and --to (default: from the first acquisition to the last acquisition or churn, as in
    ``req.customer_span``; with no --grain either, one period: the twelve months up to the
    last event)."""
    if req.customer_span is None:
        raise ValueError("customer_span not set (see query.spans)")

    def utc(value: object) -> pd.Timestamp:
        ts = pd.Timestamp(value)  # type: ignore[arg-type]
        return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")

    first, last = req.customer_span
    hi = utc(req.end or last)
    # without --from and --grain: the twelve months up to the data's last event
    lo = utc(req.start or (first if req.grain else hi - pd.Timedelta(days=365)))
    if req.grain:
        freq = {"day": "D", "week": "W-MON", "month": "MS", "quarter": "QS", "year": "YS"}
        naive = lo.tz_convert(None)
        if req.grain == "week":
            first = (naive - pd.Timedelta(days=naive.weekday())).normalize()
        else:
            first = naive.to_period(GRAINS[req.grain]).start_time
        starts = pd.date_range(first.tz_localize("UTC"), hi, freq=freq[req.grain])
        step = pd.tseries.frequencies.to_offset(freq[req.grain])
        ends = [*starts[1:], starts[-1] + step]
    else:
        starts, ends = pd.DatetimeIndex([lo]), [hi + pd.Timedelta(microseconds=1)]
    return ibis.memtable(pd.DataFrame({"period_start": starts, "period_end": ends}))


def _extent(values: ir.Value, name: str) -> Aggs:
    """The lowest and highest value of a column that must be uniform: a segment mixes values
    when they differ (``result._check_uniform``; much cheaper than COUNT DISTINCT, and the
    extents of several periods combine into the whole range's: ``partials``)."""
    return {f"{name}_lo": values.min(), f"{name}_hi": values.max()}


def _count(cond: ir.BooleanValue) -> ir.Value:
    return ibis.ifelse(cond, 1, 0).sum()


BUSINESS = "_business_seconds"


def _business_seconds(rel: ir.Table, metric: Metric, schedule: Schedule, span: Span,
                      engine: Engine) -> ir.Table:
    """Add end − start in business seconds: B(end) − B(start) from an hourly calendar
    covering ``span`` (every start and end of the rows)."""
    assert metric.start is not None and metric.end is not None
    start, end = rel[metric.fill(metric.start)], rel[metric.fill(metric.end)]
    rel = rel.filter(start.notnull() & end.notnull())
    lo, hi = span
    cal = ibis.memtable(schedule.calendar(min(lo, hi), max(lo, hi)))
    for side, col in (("s", metric.start), ("e", metric.end)):
        rel = rel.mutate(**{f"_h{side}": engine.truncate(rel[col], "h")})
        right = cal.select(**{f"_j{side}": cal.hour, f"_c{side}": cal.cum,
                              f"_f{side}": cal.open_from, f"_t{side}": cal.open_to})
        rel = rel.left_join(right, rel[f"_h{side}"] == right[f"_j{side}"])
        into = (engine.seconds(rel[col]) - rel[f"_h{side}"].epoch_seconds().cast("float64")
                - rel[f"_f{side}"])
        width = rel[f"_t{side}"] - rel[f"_f{side}"]
        rel = rel.mutate(**{f"_b{side}": rel[f"_c{side}"]
                            + ibis.greatest(ibis.least(into, width), 0)})
    rel = rel.mutate(**{BUSINESS: rel._be - rel._bs})
    return rel.select([c for c in rel.columns  # (drop() orders them randomly)
                       if c[:2] not in ("_h", "_j", "_c", "_f", "_t", "_b") or c == BUSINESS])


def _value(rel: ir.Table, metric: Metric, engine: Engine = GENERIC) -> ir.Value:
    if metric.hours == "business":
        return rel[BUSINESS]
    if metric.kind is Kind.DURATION:
        assert metric.start is not None and metric.end is not None
        text = f"seconds_between({metric.fill(metric.start)}, {metric.fill(metric.end)})"
    else:
        assert metric.value is not None
        text = metric.fill(metric.value)
    return expr.to_ibis(text, rel, engine=engine)


Aggs = dict[str, ir.Value]


def _share(rel: ir.Table, m: Metric, pop: ir.BooleanValue, engine: Engine = GENERIC) -> Aggs:
    assert m.condition is not None
    cond = expr.to_ibis(m.fill(m.condition), rel, engine=engine)
    return {"n": _count(pop), "k": _count(pop & cond.fill_null(False))}


def _share_difference(rel: ir.Table, m: Metric, pop: ir.BooleanValue,
                      engine: Engine = GENERIC) -> Aggs:
    assert m.positive is not None and m.negative is not None
    pos = expr.to_ibis(m.fill(m.positive), rel, engine=engine).fill_null(False)
    neg = expr.to_ibis(m.fill(m.negative), rel, engine=engine).fill_null(False)
    return {"n": _count(pop), "pos": _count(pop & pos), "neg": _count(pop & neg)}


def _mean(rel: ir.Table, m: Metric, pop: ir.BooleanValue, engine: Engine = GENERIC) -> Aggs:
    x = _value(rel, m, engine).cast("float64")
    valid = pop & x.notnull()
    kept = ibis.ifelse(valid, x, ibis.null())
    return {"n": _count(valid), "mean": kept.mean(), "sd": kept.std(how="sample")}


def _sum(rel: ir.Table, m: Metric, pop: ir.BooleanValue, engine: Engine = GENERIC) -> Aggs:
    x = _value(rel, m, engine).cast("float64")
    valid = pop & x.notnull()
    return {"n": _count(valid), "total": ibis.ifelse(valid, x, ibis.null()).sum()}


def _ratio(rel: ir.Table, m: Metric, pop: ir.BooleanValue, engine: Engine = GENERIC) -> Aggs:
    assert m.denominator is not None
    x = _value(rel, m, engine).cast("float64")
    y = expr.to_ibis(m.fill(m.denominator), rel, engine=engine).cast("float64")
    valid = pop & x.notnull() & y.notnull()
    kx, ky = ibis.ifelse(valid, x, ibis.null()), ibis.ifelse(valid, y, ibis.null())
    return {"n": _count(valid), "mean_x": kx.mean(), "mean_y": ky.mean(),
            "var_x": kx.var(how="sample"), "var_y": ky.var(how="sample"),
            "cov_xy": kx.cov(ky, how="sample")}


def _rows(rel: ir.Table, m: Metric, pop: ir.BooleanValue, engine: Engine = GENERIC) -> Aggs:
    return {"n": _count(pop)}


def _distinct(rel: ir.Table, m: Metric, pop: ir.BooleanValue, engine: Engine = GENERIC) -> Aggs:
    x = _value(rel, m, engine)
    return {"n": ibis.ifelse(pop, x, ibis.null()).nunique()}


KINDS: dict[Kind, Callable[[ir.Table, Metric, ir.BooleanValue, Engine], Aggs]] = {
    Kind.SHARE: _share,
    Kind.SHARE_DIFFERENCE: _share_difference,
    Kind.MEAN: _mean,
    Kind.DURATION: _mean,  # stat "mean"; median and p90 take the quantile path
    Kind.SUM: _sum,
    Kind.RATIO: _ratio,
    Kind.COUNT: _rows,
    Kind.DISTINCT_COUNT: _distinct,
}


def _ranks(n: ir.NumericValue, q: float) -> tuple[ir.NumericValue, ...]:
    """1-based ranks of the nearest-rank quantile (two for an even median) and of its
    order-statistic interval, unclipped — the formula of ``stats.quantile.quantile_ranks``."""
    half = Z95 * (n * q * (1 - q)).sqrt()
    if q == 0.5:
        lo_pt, hi_pt = ((n + 1) / 2).floor(), ((n + 1) / 2).ceil()
    else:
        lo_pt = hi_pt = (n * q).ceil()
    return lo_pt, hi_pt, (n * q - half + 0.5).floor(), (n * q + half + 0.5).ceil()


STATS = ("q_lo", "q_hi", "ci_lo", "ci_hi")


def _sorted_list(x: ir.NumericValue, valid: ir.BooleanValue) -> ir.Value:
    """DuckDB: a segment's valid values as one sorted list (a holistic aggregate: four times
    faster than ranking the rows with window functions)."""
    return x.collect(where=valid & x.notnull()).sort()


def _list_picks(xs: ir.ArrayValue, q: float, prefix: str = "") -> Aggs:
    """n and the order statistics of quantile ``q`` picked from a sorted list."""
    n = xs.length().fill_null(0)
    out: Aggs = {f"{prefix}n": n}
    for name, rank in zip(STATS, _ranks(n.cast("float64"), q), strict=True):
        index = ibis.greatest(ibis.least(rank.cast("int64"), n), 1) - 1
        out[f"{prefix}{name}"] = xs[index]
    return out


def _quantile(rel: ir.Table, metric: Metric, keys: list[str], pop: ir.BooleanValue,
              p: float | list[float], engine: Engine = GENERIC) -> ir.Table:
    """Nearest-rank quantile(s) and their order-statistic intervals, by ranks computed in SQL
    with the same formula as ``cxlens.stats.quantile.quantile_ranks``. Several quantiles of
    the same values share one sort; their columns are then prefixed ``m{i}__``."""
    ps = p if isinstance(p, list) else [p]
    x = _value(rel, metric, engine).cast("float64")

    def prefix(i: int) -> str:
        return f"m{i}__" if isinstance(p, list) else ""

    if engine.sorted_lists:
        xs = {"_xs": _sorted_list(x, pop)}
        listed = rel.group_by(keys).aggregate(**xs) if keys else rel.aggregate(**xs)
        picks: Aggs = {}
        for i, q in enumerate(ps):
            picks |= _list_picks(listed._xs, q, prefix(i))
        return listed.mutate(**picks).drop("_xs")
    # rows without a value rank last and are never picked; a segment whose rows all lack
    # one has n = 0 (null figure), as with the list path and the other measure kinds
    rows = rel.filter(pop).select(*keys, _x=x)
    group = [rows[k] for k in keys]
    last = ibis.asc(rows._x, nulls_first=False)
    ranked = rows.mutate(
        _rn=ibis.row_number().over(ibis.window(group_by=group, order_by=last)) + 1,
        _n=rows._x.count().over(ibis.window(group_by=group)),
    )
    n = ranked._n.cast("float64")
    rn = ranked._rn.cast("float64")

    def at(rank: ir.NumericValue) -> ir.Value:
        clipped = ibis.greatest(ibis.least(rank, n), 1)
        return ibis.ifelse(rn == clipped, ranked._x, ibis.null()).max()

    aggs: Aggs = {}
    for i, q in enumerate(ps):
        aggs[f"{prefix(i)}n"] = ranked._n.max()
        for name, rank in zip(STATS, _ranks(n, q), strict=True):
            aggs[f"{prefix(i)}{name}"] = at(rank)
    return ranked.group_by(keys).aggregate(**aggs) if keys else ranked.aggregate(**aggs)


def quantile_key(metric: Metric) -> tuple[object, ...] | None:
    """Quantile metrics with the same key share one sort (e.g. a median and its P90)."""
    if metric.quantile is None or metric.hours != "calendar":
        return None
    value = (metric.fill(metric.start or ""), metric.fill(metric.end or "")) \
        if metric.kind is Kind.DURATION else metric.fill(metric.value or "")
    return (metric.source, metric.time, value, tuple(metric.fill(p) for p in metric.population))


def compile_quantiles(table: relations.Table, metrics: list[Metric], req: Request,
                      ) -> ir.Table:
    """Several quantiles of the same values in one sort; columns prefixed ``m{i}__``."""
    for metric in metrics:
        check_request(metric, req)
    assert len({quantile_key(m) for m in metrics}) == 1 and quantile_key(metrics[0])
    first = metrics[0]
    rel, keys = _prepare(table, first, set().union(*(needed_columns(m, req) for m in metrics)),
                         req)
    for text in first.population:
        rel = rel.filter(expr.to_ibis(first.fill(text), rel, engine=req.engine
                                      ).fill_null(False))
    ps = [m.quantile for m in metrics]
    return _quantile(rel, first, keys, rel[first.time].notnull(),
                     [q for q in ps if q is not None], req.engine)
