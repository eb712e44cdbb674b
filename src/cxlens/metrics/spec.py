"""A metric is data: what it measures, on which table, attributed to which timestamp, how it
aggregates, and how to read it. Specs are validated here (every problem at once) and compiled
to ibis expressions in ``compile.py``.

Expressions (conditions, values, filters) are SQL expressions over the metric's source
relation — the table plus joined customer and interaction attributes — e.g.
``score >= 9`` or ``seconds_between(created_at, answered_at) <= {answer_seconds}``, where
``{name}`` is one of the metric's ``params``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from cxlens.errors import ConfigError
from cxlens.sqltext import literal


class Kind(StrEnum):
    SHARE = "share"  # k of n rows meet a condition; Wilson interval
    SHARE_DIFFERENCE = "share_difference"  # (positive − negative)/n, e.g. NPS
    MEAN = "mean"  # mean of a value; t interval
    MEDIAN = "median"  # median of a value; order-statistic interval
    PERCENTILE = "percentile"  # p-th percentile of a value; order-statistic interval
    DURATION = "duration"  # end − start in seconds, summarised by ``stat``
    RATIO = "ratio"  # Σ value / Σ denominator; delta-method interval
    SUM = "sum"  # total of a value (revenue)
    COUNT = "count"  # rows; Poisson interval
    DISTINCT_COUNT = "distinct_count"  # distinct values of ``value`` (visitors, MAU)


class Phase(StrEnum):
    AWARENESS = "awareness"
    CONSIDERATION = "consideration"
    PURCHASE = "purchase"
    RETENTION = "retention"
    ADVOCACY = "advocacy"


class Unit(StrEnum):
    PERCENT = "percent"  # shares shown ×100
    POINTS = "points"  # NPS-like −100…100
    SECONDS = "seconds"
    SCORE = "score"
    COUNT = "count"
    CURRENCY = "currency"
    RATIO = "ratio"


QUANTILE_STATS = {"median": 0.5, "p90": 0.9}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PARAM = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
#: The fields holding one SQL expression each (``population`` holds a list of them).
EXPRESSION_FIELDS = ("condition", "positive", "negative", "value", "denominator", "start", "end")
#: Validation context that leaves the cross-field checks of ``spec_problems`` to the caller
#: (the catalogue lists each of them as its own problem).
DEFER_CHECKS = "defer_spec_problems"


class Metric(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="Identifier used on the command line, e.g. csat.")
    label: str = Field(description="Human name, e.g. CSAT.")
    description: str = Field(description="The definition in one or two sentences.")
    source: str = Field(description="Canonical table the metric is computed from.")
    time: str = Field(description="Timestamp a figure is attributed to (its period).")
    kind: Kind
    population: list[str] = Field(default_factory=list,
                                  description="Conditions a row must meet to count at all.")
    condition: str | None = Field(None, description="share: what counts as a success.")
    positive: str | None = Field(None, description="share_difference: the + side.")
    negative: str | None = Field(None, description="share_difference: the − side.")
    value: str | None = Field(None, description="The value aggregated (mean, quantiles, sum, "
                              "ratio numerator, distinct count).")
    denominator: str | None = Field(None, description="ratio: the value divided by.")
    start: str | None = Field(None, description="duration: start timestamp.")
    end: str | None = Field(None, description="duration: end timestamp.")
    stat: str = Field("median", description="duration: median, mean or p90.")
    hours: str = Field("calendar", description="duration: calendar time, or business hours of "
                       "the schedule named by the param 'schedule' (default: 'default').")
    percentile: float | None = Field(None, description="percentile: p in (0, 1).")
    per: str | None = Field(None, description="share: count entities (e.g. customer_id), not "
                            "rows; the condition may then use COUNT/MIN/MAX/SUM/AVG over each "
                            "entity's rows in the period.")
    uniform: list[str] = Field(default_factory=list, description="Columns that must not vary "
                               "within one figure (e.g. the survey scale, relational vs "
                               "transactional); a figure that mixes them is refused.")
    params: dict[str, float | int | str] = Field(default_factory=dict)
    unit: Unit
    higher_is_better: bool | None = None
    min_sample: int = Field(30, ge=0, description="Below this n the figure is flagged "
                            "insufficient_sample.")
    phase: Phase | None = None
    touchpoint: str | None = None
    references: list[str] = Field(default_factory=list, description="Sources of the definition.")
    variants: dict[str, dict[str, Any]] = Field(default_factory=dict,
                                                description="Named variants: field overrides.")
    variant: str | None = Field(None, description="Set on a resolved variant.")

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Metric:
        if info.context and info.context.get(DEFER_CHECKS):
            return self
        problems = spec_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def full_name(self) -> str:
        return f"{self.name}:{self.variant}" if self.variant else self.name

    @property
    def quantile(self) -> float | None:
        """The quantile this metric reports, or None for non-quantile kinds."""
        if self.kind is Kind.MEDIAN:
            return 0.5
        if self.kind is Kind.PERCENTILE:
            return self.percentile
        if self.kind is Kind.DURATION and self.stat in QUANTILE_STATS:
            return QUANTILE_STATS[self.stat]
        return None

    def expressions(self) -> dict[str, str]:
        """Every SQL expression of the spec, by field, with params substituted."""
        return {k: self.fill(v) for k, v in expression_texts(self.__dict__).items()}

    def fill(self, text: str) -> str:
        return fill(text, self.params)

    @property
    def definition(self) -> str:
        """The description with its parameters filled in, as people read it."""
        return _PARAM.sub(lambda m: str(self.params.get(m.group(1), m.group(0))),
                          self.description)

    def with_variant(self, name: str | None, params: dict[str, Any] | None = None) -> Metric:
        """This metric with a named variant's overrides (and parameter overrides) applied."""
        data = self.model_dump(exclude={"variants"})  # a resolved variant keeps its name
        if name:
            data.update(self.variants[name])
            data["variant"] = name
        if params:
            own = data.get("params", {})
            data["params"] = {**own, **{k: _like(own.get(k), v, k) for k, v in params.items()}}
        data["variants"] = {}
        return Metric.model_validate(data)


def _like(default: Any, value: Any, name: str) -> Any:
    """A parameter override as the type of its default: numbers given as text (``--param``,
    or stored in the warehouse by the settings page) become numbers."""
    if not isinstance(default, int | float) or not isinstance(value, str):
        return value
    try:
        return int(value) if value.strip().lstrip("-").isdigit() else float(value)
    except ValueError:
        raise ConfigError(f"parameter {name} is a number (default {default}), not {value!r}",
                          f"give a number, e.g. --param {name}={default}") from None


def expression_texts(data: Mapping[str, Any]) -> dict[str, str]:
    """The SQL expressions of a spec (validated or not: fields of the wrong type are left
    out), by field, as written."""
    population = data.get("population")
    out = {f"population[{i}]": cond for i, cond in
           enumerate(population if isinstance(population, list) else []) if isinstance(cond, str)}
    out |= {name: data[name] for name in EXPRESSION_FIELDS if isinstance(data.get(name), str)}
    return out


def fill(text: str, params: Mapping[str, Any]) -> str:
    """``text`` with each ``{name}`` replaced by its param as a SQL literal."""
    def one(m: re.Match[str]) -> str:
        value = params[m.group(1)]
        return literal(value) if isinstance(value, str) else str(value)

    return _PARAM.sub(one, text)


def param_problems(texts: list[str], params: Mapping[str, Any]) -> list[str]:
    """A message for every ``{name}`` in ``texts`` that is not one of ``params``."""
    return [f"{{{p}}} in {text!r} is not one of the params ({', '.join(params) or 'none'})"
            for text in texts for p in _PARAM.findall(text) if p not in params]


def variant_problems(variants: Mapping[str, Any]) -> list[str]:
    """Badly named variants, and overrides of fields a metric does not have."""
    problems = []
    for vname, override in variants.items():
        if not _NAME.match(str(vname)):
            problems.append(f"variant {vname!r}: use lower-case letters, digits and underscores")
        if not isinstance(override, dict):
            problems.append(f"variant {vname}: give a mapping of the fields it overrides")
            continue
        unknown = set(override) - set(Metric.model_fields) - {"variants"}
        if unknown:
            problems.append(f"variant {vname}: unknown field(s) {', '.join(sorted(unknown))}")
    return problems


_NEEDS: dict[Kind, tuple[str, ...]] = {
    Kind.SHARE: ("condition",),
    Kind.SHARE_DIFFERENCE: ("positive", "negative"),
    Kind.MEAN: ("value",),
    Kind.MEDIAN: ("value",),
    Kind.PERCENTILE: ("value", "percentile"),
    Kind.DURATION: ("start", "end"),
    Kind.RATIO: ("value", "denominator"),
    Kind.SUM: ("value",),
    Kind.COUNT: (),
    Kind.DISTINCT_COUNT: ("value",),
}


def spec_problems(m: Metric) -> list[str]:
    """Structural problems of a spec (column names are checked against the data at compile)."""
    problems: list[str] = []
    if not _NAME.match(m.name):
        problems.append(f"name {m.name!r}: use lower-case letters, digits and underscores")
    for field in _NEEDS[m.kind]:
        if getattr(m, field) is None:
            problems.append(f"kind {m.kind.value} needs {field}")
    if m.kind is Kind.DURATION and m.stat not in {"mean", *QUANTILE_STATS}:
        problems.append(f"stat {m.stat!r}: use mean, median or p90")
    if m.per is not None and m.kind is not Kind.SHARE:
        problems.append("per applies to share metrics only")
    if m.hours not in ("calendar", "business"):
        problems.append(f"hours {m.hours!r}: use calendar or business")
    elif m.hours == "business" and m.kind is not Kind.DURATION:
        problems.append("hours: business applies to duration metrics only")
    if m.percentile is not None and not 0 < m.percentile < 1:
        problems.append("percentile must be between 0 and 1 (0.9 for P90)")
    problems += param_problems(list(expression_texts(m.__dict__).values()), m.params)
    return problems + variant_problems(m.variants)
