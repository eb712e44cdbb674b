"""``query``: metrics × segments × periods → one tidy table with n, interval and flag."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from cxlens import store
from cxlens.dates import in_years, parse_bound
from cxlens.errors import ConfigError, CxlensError, NotFound, did_you_mean
from cxlens.metrics import partials, prepared, presence, relations, subject
from cxlens.metrics.business_hours import Schedule
from cxlens.metrics.catalogue import catalogue, resolve
from cxlens.metrics.compile import (
    EPOCH,
    Request,
    Span,
    business_span,
    compile_fused,
    compile_metric,
    compile_quantiles,
    customer_span,
    fusable,
    quantile_key,
    split_fused,
)
from cxlens.metrics.engine import for_dialect
from cxlens.metrics.failures import explained, from_engine
from cxlens.metrics.presence import Missing
from cxlens.metrics.result import COLUMNS, finalize, ordered
from cxlens.metrics.spec import Metric
from cxlens.store import meta
from cxlens.store.base import Warehouse


class MissingData(CxlensError):
    code = "missing_data"


def parse_time(text: str | dt.date | dt.datetime | None, *, end: bool = False,
               ) -> dt.datetime | None:
    """A bound as an aware UTC datetime; a plain date ``--to`` includes that whole day."""
    if text is None or text == "":
        return None
    if isinstance(text, dt.datetime):
        value = text
    elif isinstance(text, dt.date):
        value = dt.datetime.combine(text, dt.time())
        if end:
            value += dt.timedelta(days=1)
    else:
        try:
            dt.date.fromisoformat(text.strip())
        except ValueError:  # a date and time
            try:
                value = in_years(dt.datetime.fromisoformat(text), "date", text)
            except ValueError:
                raise ConfigError(f"cannot read the date {text[:40]!r}",
                                  "use YYYY-MM-DD or an ISO 8601 date and time") from None
        else:
            day = parse_bound(text, "date", end=end)
            value = dt.datetime.combine(day + dt.timedelta(days=1 if end else 0), dt.time())
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def warehouse_params(wh: Warehouse) -> dict[str, str]:
    """Parameter defaults stored in the warehouse (cxlens_meta keys ``param.NAME``)."""
    rows = wh.query("SELECT key, value FROM cxlens_meta WHERE key LIKE 'param.%'")
    return {k.removeprefix("param."): v for k, v in rows}


def set_warehouse_param(wh: Warehouse, name: str, value: str | None) -> None:
    """Store this warehouse's default for parameter ``name`` (None: remove it, the built-in
    default applies again); call inside the change's transaction."""
    meta.delete(wh, f"param.{name}")
    if value is not None:
        meta.put(wh, f"param.{name}", value)


def _names(metrics: str | Iterable[str]) -> list[str]:
    if isinstance(metrics, str):
        return [m for m in (part.strip() for part in metrics.split(",")) if m]
    return list(metrics)


def _dims(by: str | Sequence[str]) -> tuple[str, ...]:
    """The ``by`` dimensions: one name as a string, or several in a list."""
    return tuple(relations.ALIASES.get(d, d) for d in ([by] if isinstance(by, str) else by))


def query(metrics: str | Iterable[str], *, by: str | Sequence[str] = (),
          grain: str | None = None, start: str | dt.date | dt.datetime | None = None,
          end: str | dt.date | dt.datetime | None = None, where: str | None = None,
          params: dict[str, Any] | None = None, db: str | Warehouse | None = None,
          confidence: float = 0.95) -> pd.DataFrame:
    """Compute ``metrics`` (names, ``name:variant``, comma-separated or a list).

    ``by`` is one dimension (``"vendor"``) or a list of them. Returns the ``by`` dimensions,
    then period, metric, value, n, ci_low, ci_high and flag.
    """
    names = _names(metrics)
    if not names:
        raise ConfigError("no metric named", "give one or more, e.g. csat,nps (cxlens metrics)")
    req = Request(dims=_dims(by), grain=grain, start=parse_time(start),
                  end=parse_time(end, end=True), where=where or None)
    own = db if isinstance(db, Warehouse) else store.connect(db)
    try:
        return run(own, names, req, params or {}, confidence)
    finally:
        if own is not db:
            own.close()


def resolve_all(wh: Warehouse, names: list[str], params: dict[str, Any]) -> list[Metric]:
    """Metrics by name, with warehouse and explicit parameter overrides applied."""
    cat = catalogue()
    stored = warehouse_params(wh)
    resolved: list[Metric] = []
    for name in names:
        metric = resolve(name, cat)
        own = {k: v for k, v in {**stored, **params}.items() if k in metric.params}
        resolved.append(metric.with_variant(None, own) if own else metric)
    return resolved


def schedule(wh: Warehouse, name: str) -> Schedule:
    """A named working schedule stored in the warehouse (``cxlens schedule set``); the
    ``default`` schedule is Mon–Fri 09:00–17:00 UTC until one is stored."""
    text = wh.scalar("SELECT value FROM cxlens_meta WHERE key = ?", [f"schedule.{name}"])
    if text is not None:
        return Schedule.from_json(str(text))
    if name == "default":
        return Schedule()
    names = [k.removeprefix("schedule.") for (k,) in
             wh.query("SELECT key FROM cxlens_meta WHERE key LIKE 'schedule.%'")]
    raise NotFound(f"no schedule {name!r}.{did_you_mean(name, names)}",
                   "define it with cxlens schedule set NAME --hours 'mon-fri 09:00-17:00' ...")


def _span(frame: pd.DataFrame) -> Span:
    """(lo, hi) of a one-row span query as UTC datetimes; the epoch when there are no rows."""
    lo, hi = frame["lo"].iloc[0], frame["hi"].iloc[0]
    if pd.isna(lo) or pd.isna(hi):
        return EPOCH, EPOCH
    out = []
    for value in (lo, hi):
        ts = pd.Timestamp(value)
        out.append((ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
                    ).to_pydatetime())
    return out[0], out[1]


def _with_customer_span(wh: Warehouse, req: Request) -> Request:
    return dataclasses.replace(req, customer_span=_span(
        customer_span(wh.ibis().table).to_pandas()))


def spans(wh: Warehouse, metric: Metric, req: Request) -> Request:
    """``req`` with what compiling ``metric`` needs from the data filled in: the customers'
    span for customer-period metrics (kept when already read), the durations' span and the
    working schedule for business-hours metrics. Compiling itself runs no query."""
    if metric.source == relations.CUSTOMER_PERIODS and req.customer_span is None:
        req = _with_customer_span(wh, req)
    if metric.hours == "business":
        req = dataclasses.replace(req, schedule=schedule(wh, str(metric.params.get(
            "schedule", "default"))))
        req = dataclasses.replace(req, business_span=_span(
            business_span(wh.ibis().table, metric, req).to_pandas()))
    return req


def statistics(wh: Warehouse, metric: Metric, req: Request) -> pd.DataFrame:
    """The sufficient statistics of ``metric`` per segment (a subject's share of all rows when
    split by its subject, see ``subject``)."""
    subject.check_present(wh.ibis().table, metric, req)
    return subject.share_of_all(_statistics(wh, metric, req), metric, req)


def _statistics(wh: Warehouse, metric: Metric, req: Request) -> pd.DataFrame:
    """The sufficient statistics of ``metric`` per segment: kept ones brought up to date
    (``partials``), else straight from the warehouse."""
    return partials.kept(wh, [metric], req, lambda r, v: [_computed(wh, metric, r, v)])[0]


def _computed(wh: Warehouse, metric: Metric, req: Request,
              versions: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The sufficient statistics of ``metric`` per segment, straight from the warehouse
    (``versions``: the data versions already read for the request, see ``prepared.frame``)."""
    with explained([metric], req.where, wh.dialect):
        req = spans(wh, metric, dataclasses.replace(req, engine=for_dialect(wh.dialect)))
        return prepared.frame(wh, "one", [metric], req,
                              lambda r: compile_metric(wh.ibis().table, metric, r),
                              versions=versions)


def all_statistics(wh: Warehouse, metrics: list[Metric], req: Request) -> list[pd.DataFrame]:
    """Statistics of every metric, scanning each table once for the metrics that can share a
    scan (same table and time column; no quantiles, per-entity or business-hours metrics)."""
    req = dataclasses.replace(req, engine=for_dialect(wh.dialect))
    backend = wh.ibis()
    for metric in metrics:
        subject.check_present(backend.table, metric, req)
    out: dict[int, pd.DataFrame] = {}
    groups: dict[tuple[object, ...], list[int]] = {}
    kept = wh.dialect in partials.DIALECTS and req.grain is None
    for i, metric in enumerate(metrics):
        key = quantile_key(metric)
        if fusable(metric, req.engine):  # (kept per month when every metric adds up)
            groups.setdefault(("scan", metric.source, metric.time,
                               kept and partials.combinable(metric)), []).append(i)
        elif key is not None:
            groups.setdefault(("sort", *key), []).append(i)
        else:
            out[i] = _statistics(wh, metric, req)
    for key, members in groups.items():
        if len(members) == 1:
            out[members[0]] = _statistics(wh, metrics[members[0]], req)
            continue
        chosen = [metrics[i] for i in members]
        compile_many = compile_fused if key[0] == "scan" else compile_quantiles

        def compute(r: Request, versions: Mapping[str, str] | None,
                    chosen: list[Metric] = chosen, kind: str = str(key[0]),
                    compile_many: Any = compile_many) -> list[pd.DataFrame]:
            raw = prepared.frame(wh, kind, chosen, r,
                                 lambda q: compile_many(backend.table, chosen, q),
                                 versions=versions)
            return split_fused(raw, len(chosen), r)

        def listed(r: Request, versions: Mapping[str, str] | None,
                   chosen: list[Metric] = chosen) -> list[pd.DataFrame]:
            return [prepared.frame(wh, "lists", chosen, r, lambda q: compile_fused(
                backend.table, chosen, q, picked=False), arrays=True, versions=versions)]

        try:
            parts = partials.kept(wh, chosen, req, compute,
                                  listed if key[0] == "scan" else None)
        except Exception as exc:
            if not from_engine(exc):
                raise
            for i in members:  # one by one, so the error names the metric that failed
                out[i] = _statistics(wh, metrics[i], req)
            continue
        for i, part in zip(members, parts, strict=True):
            out[i] = part
    return [subject.share_of_all(out[i], metric, req) for i, metric in enumerate(metrics)]


def run(wh: Warehouse, names: list[str], req: Request, params: dict[str, Any],
        confidence: float = 0.95) -> pd.DataFrame:
    metrics = resolve_all(wh, names, params)
    if any(m.source == relations.CUSTOMER_PERIODS for m in metrics):
        req = _with_customer_span(wh, req)  # read once for every customer-period metric
    stats = all_statistics(wh, metrics, req)
    frames = [ordered(finalize(raw, metric, req, confidence, missing), list(req.dims))
              for metric, raw, missing in zip(metrics, stats, lacking(wh, metrics, req),
                                              strict=True)]
    out = pd.concat(frames, ignore_index=True)
    return out[[*req.dims, *COLUMNS]]


def lacking(wh: Warehouse, metrics: list[Metric], req: Request) -> list[list[Missing]]:
    """Per metric, the columns it needs that are empty (or copies) in the rows asked about."""
    checks = presence.plan(metrics)
    if not checks.probes:
        return [[] for _ in metrics]
    return presence.judge(checks, all_statistics(wh, checks.probes, presence.request(req)))


def _refuse_lacking(wh: Warehouse, metric: Metric, req: Request, what: str) -> None:
    """Changes and ranks of figures that cannot be computed would be noise: refuse them."""
    missing = lacking(wh, [metric], req)[0]
    if missing:
        raise MissingData(f"cannot {what} {metric.full_name}: "
                          + "; ".join(m.problem for m in missing),
                          "; ".join(m.fix for m in missing))


def _one(wh: Warehouse, metric: str, params: dict[str, Any] | None) -> Metric:
    names = _names(metric)
    if len(names) != 1:
        raise ConfigError(f"one metric at a time here, not {len(names)}",
                          "give a single metric name")
    return resolve_all(wh, names, params or {})[0]


def compare(metric: str, *, by: str | Sequence[str] = (), grain: str = "month",
            start: str | dt.date | dt.datetime | None = None,
            end: str | dt.date | dt.datetime | None = None, where: str | None = None,
            params: dict[str, Any] | None = None, db: str | Warehouse | None = None,
            alpha: float = 0.05) -> pd.DataFrame:
    """Each segment's change against its previous period, tested, with FDR control."""
    from cxlens.metrics.compare import compare as run_compare

    if not grain:
        raise ConfigError("compare needs periods to compare",
                          "add --grain month (or week, quarter, ...)")
    req = Request(dims=_dims(by), grain=grain,
                  start=parse_time(start), end=parse_time(end, end=True), where=where or None)
    own = db if isinstance(db, Warehouse) else store.connect(db)
    try:
        m = _one(own, metric, params)
        _refuse_lacking(own, m, req, "compare")
        return run_compare(statistics(own, m, req), m, req, alpha)
    finally:
        if own is not db:
            own.close()


def leaderboard(metric: str, *, by: str | Sequence[str], grain: str | None = None,
                start: str | dt.date | dt.datetime | None = None,
                end: str | dt.date | dt.datetime | None = None, where: str | None = None,
                params: dict[str, Any] | None = None,
                db: str | Warehouse | None = None) -> pd.DataFrame:
    """Segments ranked by their shrunk figure, with the raw figure and rank beside it."""
    from cxlens.metrics.rank import rank, rankable

    req = Request(dims=_dims(by), grain=grain,
                  start=parse_time(start), end=parse_time(end, end=True), where=where or None)
    own = db if isinstance(db, Warehouse) else store.connect(db)
    try:
        m = _one(own, metric, params)
        rankable(m, req)
        _refuse_lacking(own, m, req, "rank")
        return rank(statistics(own, m, req), m, req)
    finally:
        if own is not db:
            own.close()
