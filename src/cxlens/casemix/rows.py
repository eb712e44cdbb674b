"""The rows a case-mix model is fitted on: one per scored unit of an outcome metric (a CSAT
answer, a handled contact, ...), with the outcome ``y``, who handled it, and the features of
the contact that the agent does not control.

The outcome comes from the metric's own definition in the catalogue (population, success
condition or value, time column), so "CSAT" here is exactly the CSAT of every other figure.
Survey answers are attributed as the metric layer attributes them: the vendor, site, team and
agent snapshotted on the answer when it was sent win over the interaction's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from cxlens.errors import ConfigError
from cxlens.metrics.catalogue import resolve
from cxlens.metrics.query import parse_time
from cxlens.metrics.spec import Kind, Metric
from cxlens.store.base import Warehouse

#: Contact features outside the agent's control (interactions, and the customer's segment).
FEATURES = ("category", "channel", "priority", "product", "language", "segment")
#: Optional numeric difficulty: used (as quintiles) when most contacts carry it.
COMPLEXITY = "complexity"
WHO = ("agent_id", "team", "site", "vendor")
SOURCES = ("interactions", "survey_responses")
SNAPSHOT = ("vendor", "site", "team", "agent_id")


def outcome(name: str) -> Metric:
    """The catalogue metric ``name`` if a case-mix model can be fitted on it."""
    metric = resolve(name)
    problems = []
    if metric.kind not in (Kind.SHARE, Kind.MEAN):
        problems.append(f"it is a {metric.kind.value} metric")
    if metric.source not in SOURCES:
        problems.append(f"it is computed from {metric.source}, not from contacts")
    if metric.per or metric.params:
        problems.append("it counts entities or takes parameters")
    if problems:
        raise ConfigError(f"cannot adjust {name!r} for case mix: {'; '.join(problems)}",
                          "use a share or mean metric of contacts or their survey answers, "
                          "e.g. csat, fcr, aht, ces")
    return metric


def sql(metric: Metric, where: str | None = None) -> str:
    """SELECT of the rows of ``metric`` in [?, ?) with y, who and features (``where`` is an
    extra filter on the interaction's columns, e.g. the vendor)."""
    y = (f"CASE WHEN ({metric.condition}) THEN 1.0 ELSE 0.0 END"
         if metric.kind is Kind.SHARE else f"CAST(({metric.value}) AS DOUBLE PRECISION)")
    population = " AND ".join(f"({p})" for p in metric.population) or "TRUE"
    survey = metric.source == "survey_responses"
    snap = ", ".join(f"{c} AS s_{c}" for c in SNAPSHOT) if survey else \
        ", ".join(f"CAST(NULL AS VARCHAR) AS s_{c}" for c in SNAPSHOT)
    who = ", ".join(f"coalesce(m.s_{c}, i.{c}) AS {c}" for c in WHO)
    feats = ", ".join(f"i.{c}" for c in FEATURES if c != "segment")
    filt = f" AND ({where})" if where else ""
    return (f"WITH m AS (SELECT interaction_id AS m_id, {y} AS y, {snap} FROM {metric.source} "
            f"WHERE {population} AND {metric.time} >= ? AND {metric.time} < ?) "
            f"SELECT {who}, {feats}, c.segment, i.{COMPLEXITY}, m.y FROM m "
            "JOIN interactions i ON i.interaction_id = m.m_id "
            f"LEFT JOIN customers c ON c.customer_id = i.customer_id WHERE m.y IS NOT NULL{filt}")


def fetch(wh: Warehouse, metric: Metric, start: str | dt.date | dt.datetime,
          end: str | dt.date | dt.datetime, where: str | None = None) -> pd.DataFrame:
    """The rows of ``metric`` from ``start`` (inclusive) to ``end`` (exclusive)."""
    lo, hi = parse_time(start), parse_time(end)
    if lo is None or hi is None:
        raise ConfigError("a case-mix period needs a start and an end",
                          "give both dates, e.g. 2026-01-01 and 2026-04-01")
    if hi <= lo:
        raise ConfigError(f"the period {lo.date()} – {hi.date()} is empty",
                          "give an end date after the start date")
    params: list[Any] = [lo, hi]
    frame = wh.query_df(sql(metric, where), params)
    frame["y"] = pd.to_numeric(frame["y"], errors="coerce")
    frame[COMPLEXITY] = pd.to_numeric(frame[COMPLEXITY], errors="coerce")
    return frame
