"""``query``: metrics × segments × periods → one tidy table with n, interval and flag."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from cxlens import store
from cxlens.errors import ConfigError, NotFound, did_you_mean
from cxlens.metrics import relations
from cxlens.metrics.business_hours import Schedule
from cxlens.metrics.catalogue import catalogue, resolve
from cxlens.metrics.compile import (
    Request,
    compile_fused,
    compile_metric,
    compile_quantiles,
    fusable,
    quantile_key,
    split_fused,
)
from cxlens.metrics.result import COLUMNS, finalize, ordered
from cxlens.metrics.spec import Metric
from cxlens.store.base import Warehouse


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
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ConfigError(f"cannot read the date {text!r}",
                              "use YYYY-MM-DD or an ISO 8601 date and time") from None
        if end and len(text) <= 10:
            value += dt.timedelta(days=1)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def warehouse_params(wh: Warehouse) -> dict[str, str]:
    """Parameter defaults stored in the warehouse (cxlens_meta keys ``param.NAME``)."""
    rows = wh.query("SELECT key, value FROM cxlens_meta WHERE key LIKE 'param.%'")
    return {k.removeprefix("param."): v for k, v in rows}


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


def statistics(wh: Warehouse, metric: Metric, req: Request) -> pd.DataFrame:
    """The sufficient statistics of ``metric`` per segment, straight from the warehouse."""
    if metric.hours == "business":
        req = dataclasses.replace(req, schedule=schedule(wh, str(metric.params.get(
            "schedule", "default"))))
    raw: pd.DataFrame = compile_metric(wh.ibis().table, metric, req).to_pandas()
    return raw


def all_statistics(wh: Warehouse, metrics: list[Metric], req: Request) -> list[pd.DataFrame]:
    """Statistics of every metric, scanning each table once for the metrics that can share a
    scan (same table and time column; no quantiles, per-entity or business-hours metrics)."""
    out: dict[int, pd.DataFrame] = {}
    groups: dict[tuple[object, ...], list[int]] = {}
    for i, metric in enumerate(metrics):
        key = quantile_key(metric)
        if fusable(metric, req.dialect):
            groups.setdefault(("scan", metric.source, metric.time), []).append(i)
        elif key is not None:
            groups.setdefault(("sort", *key), []).append(i)
        else:
            out[i] = statistics(wh, metric, req)
    backend = wh.ibis()
    for key, members in groups.items():
        if len(members) == 1:
            out[members[0]] = statistics(wh, metrics[members[0]], req)
            continue
        chosen = [metrics[i] for i in members]
        compile_many = compile_fused if key[0] == "scan" else compile_quantiles
        raw = compile_many(backend.table, chosen, req).to_pandas()
        for i, part in zip(members, split_fused(raw, len(chosen), req), strict=True):
            out[i] = part
    return [out[i] for i in range(len(metrics))]


def run(wh: Warehouse, names: list[str], req: Request, params: dict[str, Any],
        confidence: float = 0.95) -> pd.DataFrame:
    metrics = resolve_all(wh, names, params)
    req = dataclasses.replace(req, dialect=wh.dialect)
    frames = [ordered(finalize(raw, metric, req, confidence), list(req.dims))
              for metric, raw in zip(metrics, all_statistics(wh, metrics, req), strict=True)]
    out = pd.concat(frames, ignore_index=True)
    return out[[*req.dims, *COLUMNS]]


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
        req = dataclasses.replace(req, dialect=own.dialect)
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
    from cxlens.metrics.rank import rank

    req = Request(dims=_dims(by), grain=grain,
                  start=parse_time(start), end=parse_time(end, end=True), where=where or None)
    own = db if isinstance(db, Warehouse) else store.connect(db)
    try:
        m = _one(own, metric, params)
        req = dataclasses.replace(req, dialect=own.dialect)
        return rank(statistics(own, m, req), m, req)
    finally:
        if own is not db:
            own.close()
