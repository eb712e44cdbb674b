"""Columns a figure needs that carry nothing in the rows asked about, found for every metric
from the columns its expressions use (issue 15: no silent zeros).

Two problems make a figure meaningless while it still looks like a number:

- ``missing_column``: a needed column is empty in every row the figure is about (returning
  visitors without visitor_id, churn without acquired_at or churned_at, abandonment without
  abandoned_at). "The rows the figure is about" are the rows of the time range and --where
  that meet the metric's population conditions not involving that column.
- ``missing_time``: ``seconds_between(a, b)`` is 0 in every such row where both are set — b
  is a copy of a or a date without a time (abandons with abandoned_at = created_at all read as
  "short", and the abandonment rate as 0 %).

Each check is a probe: a share metric (n = the rows the figure is about, k = the rows where the
column carries something) run on the warehouse like any other; k = 0 < n is a problem. A column
used only inside COALESCE(...) or tested only with ``IS NULL`` is optional and never checked
(hold time), and neither is a column a population condition only tests with ``IS NULL``
("not abandoned").
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

import pandas as pd
from sqlglot import exp

from cxlens.metrics import expr, relations
from cxlens.metrics.compile import Request
from cxlens.metrics.spec import Kind, Metric, Unit

MISSING_COLUMN = "missing_column"
MISSING_TIME = "missing_time"
_COLUMN = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*$")
#: Better fixes than importing the column again, where there is one.
FIXES = {"sentiment": "import the mentions again with their text (cxlens import scores a "
                      "blank sentiment from it, docs/text.md) or with a sentiment column"}


@dataclass(frozen=True)
class Missing:
    """What a figure lacks: the flag, the column and a note naming the fix."""

    code: str
    column: str
    problem: str
    fix: str

    @property
    def note(self) -> str:
        return f"{self.problem}; fix: {self.fix}"


@dataclass
class Plan:
    """Distinct probes to run, and per metric the (probe index, problem) pairs to judge."""

    probes: list[Metric] = field(default_factory=list)
    checks: list[list[tuple[int, Missing]]] = field(default_factory=list)


def _optional(node: exp.Column, population: bool) -> bool:
    """Inside COALESCE, or (in a population condition) the subject of a bare ``IS NULL``."""
    if node.find_ancestor(exp.Coalesce) is not None:
        return True
    parent = node.parent
    return (population and isinstance(parent, exp.Is) and parent.this is node
            and not isinstance(parent.parent, exp.Not))


def _stored(metric: Metric, name: str) -> tuple[str, ...]:
    cols = relations.derived_from().get(name, (name,))
    return tuple(c for c in cols if c not in (metric.time, relations.PERIOD_START))


def _needed(metric: Metric, text: str, population: bool = False) -> set[str]:
    tree = expr.parse(metric.fill(text))
    return {c for node in tree.find_all(exp.Column) if not _optional(node, population)
            for c in _stored(metric, node.name)}


def _mentions(metric: Metric, text: str) -> set[str]:
    return {c for name in expr.columns_of(metric.fill(text)) for c in _stored(metric, name)}


def _between(metric: Metric) -> list[tuple[str, str]]:
    """(start, end) column pairs whose difference in seconds the metric uses."""
    pairs = []
    if metric.kind is Kind.DURATION and metric.start and metric.end:
        a, b = _COLUMN.match(metric.start), _COLUMN.match(metric.end)
        if a and b:
            pairs.append((a.group(1), b.group(1)))
    for text in metric.expressions().values():
        for call in expr.parse(text).find_all(exp.Anonymous):
            args = call.expressions
            if (call.name.lower() == "seconds_between" and len(args) == 2
                    and all(isinstance(a, exp.Column) for a in args)):
                pairs.append((args[0].name, args[1].name))
    derived = set(relations.derived_from())
    return [p for p in dict.fromkeys(pairs) if not set(p) & derived]


def _probe(metric: Metric, scope: list[str], condition: str) -> Metric:
    return Metric(name="presence_probe", label="presence probe", description=condition,
                  source=metric.source, time=metric.time, kind=Kind.SHARE, population=scope,
                  condition=condition, params=metric.params, unit=Unit.PERCENT, min_sample=0)


def _probes(metric: Metric) -> list[tuple[Metric, Missing]]:
    texts = [t for t in (metric.condition, metric.positive, metric.negative, metric.value,
                         metric.denominator, metric.start, metric.end) if t]
    needed = set().union(*(_needed(metric, t, True) for t in metric.population),
                         *(_needed(metric, t) for t in texts))
    if metric.per:
        needed |= set(_stored(metric, metric.per))

    def scope(columns: set[str]) -> list[str]:
        return [p for p in metric.population if not _mentions(metric, p) & columns]

    out = []
    for col in sorted(needed):
        fix = FIXES.get(col, f"map the export's column to {col} and import again "
                             "(docs/import.md)")
        out.append((_probe(metric, scope({col}), f"{col} IS NOT NULL"), Missing(
            MISSING_COLUMN, col, f"{col} is empty in every {metric.source} row this figure is "
                                 "about, so it cannot be computed", fix)))
    for a, b in _between(metric):
        both = [*scope({a, b} - {metric.time}), f"{a} IS NOT NULL", f"{b} IS NOT NULL"]
        out.append((_probe(metric, both, f"seconds_between({a}, {b}) <> 0"), Missing(
            MISSING_TIME, b, f"{b} equals {a} in every {metric.source} row that has both, so "
                             f"the time from {a} to {b} is unknown (each would count as 0 s)",
            f"import when {b} really happened, with the time of day, not a copy of {a}")))
    return out


def plan(metrics: list[Metric]) -> Plan:
    """The probes for ``metrics``, each distinct probe once."""
    out = Plan()
    index: dict[tuple[object, ...], int] = {}
    for metric in metrics:
        checks = []
        for probe, missing in _probes(metric):
            key = (probe.source, probe.time, tuple(probe.expressions().values()))
            if key not in index:
                index[key] = len(out.probes)
                out.probes.append(probe)
            checks.append((index[key], missing))
        out.checks.append(checks)
    return out


def request(req: Request) -> Request:
    """Probes look at the whole time range and --where filter, not segment by segment: a
    column legitimately empty in one small segment (no abandons this month) is no problem."""
    return dataclasses.replace(req, dims=(), grain=None)


def judge(p: Plan, stats: list[pd.DataFrame]) -> list[list[Missing]]:
    """Per metric, the problems whose probe found rows (n > 0) none of which qualified."""
    def empty(raw: pd.DataFrame) -> bool:
        if raw.empty:
            return False
        n, k = (float(pd.to_numeric(raw[c], errors="coerce").fillna(0).sum()) for c in "nk")
        return n > 0 and k == 0

    bad = [empty(raw) for raw in stats]
    return [list({m.note: m for i, m in checks if bad[i]}.values()) for checks in p.checks]
