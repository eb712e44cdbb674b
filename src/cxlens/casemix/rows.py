"""The rows a case-mix model is fitted on: one per scored unit of an outcome metric (a CSAT
answer, a handled contact, ...), with the outcome ``y``, who handled it, and the features of
the contact that the agent does not control.

The rows and the outcome come from the metric's own definition in the catalogue
(:mod:`cxlens.metrics.definition`: relation, population, success condition or value, time
column, derived columns and stored parameters), so "CSAT" here is exactly the CSAT of every
other figure. Each row must rate (or be) a stored contact: its features are the contact's.
Survey answers are attributed as the metric layer attributes them: the vendor, site, team and
agent snapshotted on the answer when it was sent win over the interaction's.
"""

from __future__ import annotations

import datetime as dt

import ibis.expr.types as ir
import pandas as pd

from cxlens.errors import ConfigError
from cxlens.metrics.catalogue import resolve
from cxlens.metrics.definition import definition
from cxlens.metrics.query import parse_time
from cxlens.metrics.spec import Kind, Metric
from cxlens.store.base import Warehouse

#: Contact features outside the agent's control (interactions, and the customer's segment).
FEATURES = ("category", "channel", "priority", "product", "language", "segment")
#: Optional numeric difficulty: used (as quintiles) when most contacts carry it.
COMPLEXITY = "complexity"
WHO = ("agent_id", "team", "site", "vendor")
SOURCES = ("interactions", "survey_responses")


def outcome(name: str) -> Metric:
    """The catalogue metric ``name`` if a case-mix model can be fitted on it."""
    metric = resolve(name)
    problems = []
    if metric.kind not in (Kind.SHARE, Kind.MEAN):
        problems.append(f"it is a {metric.kind.value} metric")
    if metric.source not in SOURCES:
        problems.append(f"it is computed from {metric.source}, not from contacts")
    if metric.per:
        problems.append("it counts entities")
    if problems:
        raise ConfigError(f"cannot adjust {name!r} for case mix: {'; '.join(problems)}",
                          "use a share or mean metric of contacts or their survey answers, "
                          "e.g. csat, fcr, aht, ces")
    return metric


def relation(wh: Warehouse, metric: Metric, start: dt.datetime, end: dt.datetime,
             where: str | None = None) -> ir.Table:
    """The rows of ``metric`` in [start, end) — the catalogue's relation, population, time
    column and attribution, with its derived columns and parameters — that rate or are a
    stored contact, with y, who and features (``where`` is an extra filter on the metric's
    relation, e.g. the vendor)."""
    d = definition(metric.full_name, wh)
    rel = d.relation(wh, start, end, where, columns=(*WHO, *FEATURES))
    y = d.outcome(rel) if metric.kind is Kind.SHARE else d.value(rel).cast("float64")
    i = wh.ibis().table("interactions")
    # the contact itself: every row needs one (a survey answer's features are its contact's)
    contact = i.select(_cid=i.interaction_id, _complexity=i[COMPLEXITY])
    rel = rel.mutate(y=y).join(contact, rel.interaction_id == contact._cid)
    return rel.filter(rel.y.notnull()).select(
        *WHO, *FEATURES, rel._complexity.name(COMPLEXITY), "y", _key=rel[d.time])


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
    rel = relation(wh, metric, lo, hi, where)
    # a fixed order (every column): the complexity quintiles break ties by position
    ordered = rel.order_by([rel._key, *WHO, *FEATURES, COMPLEXITY, "y"]).drop("_key")
    # text as categories: one code per row, not a Python string each (at 10 M contacts the
    # object columns and their copies held the interpreter for seconds, stalling requests)
    frame: pd.DataFrame = ordered.to_pyarrow().to_pandas(strings_to_categorical=True)
    for name in ("y", COMPLEXITY):
        frame[name] = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
    return frame
