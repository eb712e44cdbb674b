"""One definition per concept: the pieces of a catalogue metric for features that need more
than its figure — a cohort's relational NPS, a vendor's brand health, QA's detractor
answers, the key drivers' FCR, a report's standard errors.

``definition("nps:relational")`` hands out, from the catalogue's YAML (never a feature's own
SQL):

- ``population`` — the conditions a row must meet to count (SQL text, parameters filled);
- ``relation(wh, start, end, where)`` — the metric's joined relation (its table with the
  interaction and customer attributes and derived columns its expressions use, plus any
  ``columns`` asked for), filtered to the population, the time range on the metric's own time
  column (``time``; ``end`` exclusive) and an extra filter; ``rows(...)`` is the same before
  the population filter;
- ``in_population(rel)``, ``condition(rel)``, ``positive(rel)``, ``negative(rel)`` — boolean
  ibis expressions on such a relation (unknown → false, as in the figure); ``outcome(rel)`` —
  a share's condition as 1.0 / 0.0 inside the population and null outside; ``value(rel)``;
- ``figures(wh, ...)`` — the figures by segment and period with their sufficient statistics,
  ``var`` and ``se`` (display units; :func:`cxlens.metrics.sampling.variance`).

A feature joins and groups these as it needs; the definition stays in the catalogue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from cxlens.errors import ConfigError
from cxlens.metrics import expr, relations
from cxlens.metrics.catalogue import resolve
from cxlens.metrics.compile import Request, rows
from cxlens.metrics.engine import GENERIC, Engine, for_dialect
from cxlens.metrics.query import resolve_all, statistics
from cxlens.metrics.result import finalize, ordered
from cxlens.metrics.sampling import standard_error, variance
from cxlens.metrics.spec import Kind, Metric
from cxlens.store.base import Warehouse


@dataclass(frozen=True)
class Definition:
    """A resolved catalogue metric (variant and parameters applied) and its pieces."""

    metric: Metric
    engine: Engine = GENERIC  # its spellings of time functions (the warehouse's engine)

    @property
    def name(self) -> str:
        return self.metric.full_name

    @property
    def time(self) -> str:
        """The column a row's period is taken from (e.g. ``responded_at``)."""
        return self.metric.time

    @property
    def population(self) -> tuple[str, ...]:
        """The population conditions as SQL text, parameters filled."""
        return tuple(self.metric.fill(p) for p in self.metric.population)

    def rows(self, wh: Warehouse | relations.Table, start: dt.datetime | None = None,
             end: dt.datetime | None = None, where: str | None = None,
             columns: Iterable[str] = ()) -> ir.Table:
        """The metric's relation in [start, end) on its time column, with ``where`` applied
        and ``columns`` (e.g. ``vendor``, ``segment``) joined: every row, in the population
        or not."""
        table = wh.ibis().table if isinstance(wh, Warehouse) else wh
        req = Request(start=start, end=end, where=where or None, engine=self.engine)
        return rows(table, self.metric, req, set(columns))

    def relation(self, wh: Warehouse | relations.Table, start: dt.datetime | None = None,
                 end: dt.datetime | None = None, where: str | None = None,
                 columns: Iterable[str] = ()) -> ir.Table:
        """:meth:`rows` filtered to the population: the rows a figure counts."""
        rel = self.rows(wh, start, end, where, columns)
        return rel.filter(self.in_population(rel))

    def _bool(self, text: str, rel: ir.Table) -> ir.BooleanValue:
        out: ir.BooleanValue = expr.to_ibis(self.metric.fill(text), rel, engine=self.engine
                                            ).fill_null(False)
        return out

    def in_population(self, rel: ir.Table) -> ir.BooleanValue:
        out: ir.BooleanValue = rel[self.time].notnull()
        for text in self.metric.population:
            out = out & self._bool(text, rel)
        return out

    def _field(self, name: str) -> str:
        text = getattr(self.metric, name)
        if text is None:
            raise ConfigError(f"{self.name} is a {self.metric.kind.value} metric: it has no "
                              f"{name} condition",
                              "share metrics have a condition, NPS-like ones a positive and "
                              "a negative side")
        return str(text)

    def condition(self, rel: ir.Table) -> ir.BooleanValue:
        """A share's success condition (unknown → false, as the figure counts it)."""
        return self._bool(self._field("condition"), rel)

    def positive(self, rel: ir.Table) -> ir.BooleanValue:
        """The + side of an NPS-like metric (promoters)."""
        return self._bool(self._field("positive"), rel)

    def negative(self, rel: ir.Table) -> ir.BooleanValue:
        """The − side of an NPS-like metric (detractors)."""
        return self._bool(self._field("negative"), rel)

    def outcome(self, rel: ir.Table) -> ir.FloatingValue:
        """A share's condition per row as 1.0 / 0.0 inside the population, null outside."""
        hit = ibis.ifelse(self.condition(rel), 1.0, 0.0)
        out: ir.FloatingValue = ibis.ifelse(self.in_population(rel), hit,
                                            ibis.null("float64"))
        return out

    def value(self, rel: ir.Table) -> ir.Value:
        """The value a mean, quantile, sum or ratio aggregates (a duration in seconds)."""
        m = self.metric
        if m.hours == "business":
            raise ConfigError(f"{self.name} counts business hours: its value needs the "
                              "schedule's calendar", "use its calendar-time variant here")
        if m.kind is Kind.DURATION:
            text = f"seconds_between({m.fill(m.start or '')}, {m.fill(m.end or '')})"
        else:
            text = m.fill(self._field("value"))
        return expr.to_ibis(text, rel, engine=self.engine)

    def figures(self, wh: Warehouse, *, by: Sequence[str] = (), grain: str | None = None,
                start: dt.datetime | None = None, end: dt.datetime | None = None,
                where: str | None = None, confidence: float = 0.95) -> pd.DataFrame:
        """The figures (as :func:`cxlens.metrics.query.query` gives them) with the sufficient
        statistics kept beside them and each figure's ``var`` and ``se`` in display units."""
        req = Request(dims=tuple(relations.ALIASES.get(d, d) for d in by), grain=grain,
                      start=start, end=end, where=where or None)
        return with_statistics(statistics(wh, self.metric, req), self.metric, req, confidence)


def with_statistics(raw: pd.DataFrame, metric: Metric, req: Request,
                    confidence: float = 0.95) -> pd.DataFrame:
    """The figures finished from ``raw`` sufficient statistics, the statistics kept beside
    them, with each figure's ``var`` and ``se`` (display units): what :meth:`figures` gives,
    for statistics read several metrics at a time (:func:`cxlens.metrics.query.all_statistics`).
    """
    final = finalize(raw, metric, req, confidence)
    keep = raw.drop(columns=[c for c in raw.columns  # (extents: only checked, in finalize)
                             if c in final.columns or c.startswith("uniform_")])
    out = pd.concat([keep.reset_index(drop=True), final.reset_index(drop=True)], axis=1)
    out["var"] = variance(out, metric)
    out["se"] = standard_error(out, metric)
    return ordered(out, list(req.dims))


def definition(name: str, wh: Warehouse | None = None,
               params: dict[str, Any] | None = None) -> Definition:
    """The catalogue's definition of ``name`` (``nps:relational``, ``fcr:operational``),
    with the warehouse's stored parameters (``cxlens_meta``) and ``params`` applied as every
    figure applies them."""
    if wh is None:
        metric = resolve(name)
        if params:
            metric = metric.with_variant(None, {k: v for k, v in params.items()
                                                if k in metric.params})
        return Definition(metric)
    return Definition(resolve_all(wh, [name], params or {})[0], for_dialect(wh.dialect))
