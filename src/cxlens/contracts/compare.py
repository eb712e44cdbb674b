"""Vendors and sites side by side on the same KPIs: the KPI definitions of one contract (or of
every contract, one each per metric and ``where``), measured for every vendor or every site in
a month and in the twelve months before it — actual, n and 95 % interval from the metric layer
(the same figures as the statements) — with the target and verdict under the segment's own
contract where it has that KPI, and a flag where the sample is below the minimum.

Which contract judges a row: for a vendor, the vendor's contract for all its contacts (no
``site``, no ``scope``); for a site, the contract for that site, else the vendor's; for a team
(of a site), its site's contract, else the vendor's — a team is held to the targets its site
works under (QA scores are reviewed per site and are not measured per team). A contract
limited to a line of business (``scope``) covers another population and is judged on its
statement only."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from cxlens.contracts import measure, money
from cxlens.contracts.money import Actual, Status
from cxlens.contracts.spec import QA_SCORE, Contract, Kpi, Pricing
from cxlens.errors import ConfigError, NotFound, did_you_mean
from cxlens.metrics.catalogue import resolve
from cxlens.metrics.query import query
from cxlens.qa.scoring import MIN_SAMPLE as QA_MIN_SAMPLE
from cxlens.sqltext import equals
from cxlens.store.base import Warehouse

By = Literal["vendor", "site", "team"]
BY: tuple[By, ...] = ("vendor", "site", "team")
#: The columns that name a segment at each level (a team is a team of a site of a vendor).
DIMS: dict[str, list[str]] = {"vendor": ["vendor"], "site": ["vendor", "site"],
                              "team": ["vendor", "site", "team"]}
#: The year view: the month and the twelve before it (the same month a year earlier too).
YEAR_BEFORE = 12
INSUFFICIENT = "insufficient_sample"


@dataclass(frozen=True)
class Definition:
    """One KPI as compared: a metric (with variant) and a segment ``where``; ``names`` are the
    contracts' names for it."""

    name: str
    metric: str
    where: str | None
    label: str
    unit: str
    direction: str
    names: tuple[str, ...]


@dataclass(frozen=True, order=True)
class Segment:
    vendor: str
    site: str | None = None
    team: str | None = None

    @property
    def label(self) -> str:
        return " / ".join(p for p in (self.vendor, self.site, self.team) if p)


@dataclass(frozen=True)
class Cell:
    """A KPI of a segment in a month; ``contract``, ``kpi``, ``target`` and ``status`` are
    None where no contract of the segment has this KPI (or before the contract's start)."""

    actual: Actual
    min_sample: int
    contract: str | None = None
    kpi: str | None = None
    target: float | None = None
    direction: str | None = None
    status: Status | None = None

    @property
    def flag(self) -> str | None:
        return INSUFFICIENT if self.actual.n < self.min_sample else None


@dataclass(frozen=True)
class Comparison:
    month: dt.date
    by: By
    months: tuple[dt.date, ...]  # oldest first, ending with ``month``
    definitions: tuple[Definition, ...]
    segments: tuple[Segment, ...]
    cells: Mapping[tuple[Segment, str, dt.date], Cell]

    def cell(self, segment: Segment, kpi: str, month: dt.date | None = None) -> Cell:
        return self.cells[(segment, kpi, month or self.month)]

    def rows(self, year: bool = False) -> list[dict[str, Any]]:
        """One row per segment, KPI and month (the month alone, or the year view)."""
        out = []
        for seg in self.segments:
            for d in self.definitions:
                for month in self.months if year else (self.month,):
                    c = self.cells[(seg, d.name, month)]
                    a = c.actual
                    out.append({"vendor": seg.vendor,
                                **({"site": seg.site} if self.by != "vendor" else {}),
                                **({"team": seg.team} if self.by == "team" else {}),
                                "kpi": d.name, "metric": d.metric, "where": d.where,
                                "month": month.isoformat(), "value": _num(a.value), "n": a.n,
                                "ci_low": _num(a.ci_low), "ci_high": _num(a.ci_high),
                                "min_sample": c.min_sample, "flag": c.flag,
                                "contract": c.contract, "target": c.target,
                                "direction": c.direction or d.direction, "status": c.status})
        return out

    def frame(self, year: bool = False) -> pd.DataFrame:
        return pd.DataFrame(self.rows(year), columns=self.columns())

    def columns(self) -> list[str]:
        return [*DIMS[self.by], "kpi", "metric", "where",
                "month", "value", "n", "ci_low", "ci_high", "min_sample", "flag", "contract",
                "target", "direction", "status"]

    def as_dict(self) -> dict[str, Any]:
        return {"month": self.month.isoformat(), "by": self.by,
                "months": [m.isoformat() for m in self.months],
                "kpis": [{"name": d.name, "metric": d.metric, "where": d.where,
                          "label": d.label, "unit": d.unit, "direction": d.direction,
                          "contract_names": list(d.names)} for d in self.definitions],
                "segments": [{"vendor": s.vendor,
                              **({"site": s.site} if self.by != "vendor" else {}),
                              **({"team": s.team} if self.by == "team" else {})}
                             for s in self.segments],
                "rows": self.rows(), "year": self.rows(year=True)}


def _num(x: float | None) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _where_key(where: str | None) -> str | None:
    return " ".join(where.split()) or None if where else None


def _label_unit(metric: str) -> tuple[str, str]:
    if metric == QA_SCORE:
        return "QA score", "score"
    m = resolve(metric)
    return m.label, m.unit.value


def definitions(contracts: list[Contract]) -> list[Definition]:
    """The KPIs of ``contracts``, one per metric and ``where`` (in the order first seen)."""
    found: dict[tuple[str, str | None], list[tuple[Contract, Kpi]]] = {}
    for c in contracts:
        for k in c.kpis:
            found.setdefault((k.metric, _where_key(k.where)), []).append((c, k))
    out: list[Definition] = []
    taken: set[str] = set()
    for (metric, where), uses in found.items():
        names = tuple(dict.fromkeys(k.name for _, k in uses))
        name = "/".join(names)
        if name in taken:  # the same name for two different definitions
            name = f"{name} [{metric}{f' where {where}' if where else ''}]"
        taken.add(name)
        label, unit = _label_unit(metric)
        first_c, first_k = uses[0]
        out.append(Definition(name, metric, first_k.where, label, unit,
                              first_c.direction(first_k), names))
    return out


def judge(contracts: list[Contract], segment: Segment) -> Contract | None:
    """The contract that judges a segment's row (see the module's docstring)."""
    mine = [c for c in contracts if c.vendor == segment.vendor and c.scope is None]
    exact = [c for c in mine if c.site == segment.site]
    if exact or segment.site is None:
        return exact[0] if exact else None
    return next((c for c in mine if c.site is None), None)


def _probe(segment: Segment, defs: list[Definition]) -> Contract:
    """A stand-in contract covering the segment, to measure ``defs`` as a statement would."""
    return Contract(vendor=segment.vendor, site=segment.site, at_risk=0,
                    pricing=Pricing(model="per_fte", seats=0, seat_rate=0),
                    kpis=tuple(Kpi(name=f"k{i}", metric=d.metric, where=d.where, target=0)
                               for i, d in enumerate(defs)))


def measured(wh: Warehouse, defs: list[Definition], months: list[dt.date], by: By,
             vendor: str | None = None, extra: tuple[Segment, ...] = (),
             qa: measure.QaSource | None = None,
             ) -> dict[tuple[Segment, str, dt.date], Actual]:
    """Every definition's actual per segment and month, through the metric layer: one query
    per ``where`` for all segments at once (the same figures as a contract for the segment
    gets on its statement); QA scores through the statements' own QA measure."""
    dims = DIMS[by]
    first, last = months[0], measure.month_end(months[-1])
    groups: dict[str | None, list[Definition]] = {}
    for d in defs:
        if d.metric != QA_SCORE:
            groups.setdefault(d.where, []).append(d)
    own = equals({"vendor": vendor}) if vendor else None
    got: dict[tuple[Segment, str, dt.date], Actual] = {}
    for where, group in groups.items():
        text = " AND ".join(p for p in (own, f"({where})" if where else None) if p)
        frame = query(sorted({d.metric for d in group}), by=dims, grain="month", start=first,
                      end=last, where=text or None, db=wh)
        for rec in frame.to_dict(orient="records"):
            row = {str(k): v for k, v in rec.items()}
            seg = _segment(row, by)
            if seg is None:
                continue
            month = pd.Timestamp(row["period"]).date().replace(day=1)
            actual = Actual(_num(row["value"]), int(_num(row["n"]) or 0), _num(row["ci_low"]),
                            _num(row["ci_high"]))
            for d in group:
                if d.metric == row["metric"]:
                    got[(seg, d.name, month)] = actual
    quality = [d for d in defs if d.metric == QA_SCORE]
    segments = sorted({s for s, _, _ in got} | set(extra)
                      | (_listed(wh, by, vendor, first, last) if quality else set()))
    for seg in segments if quality and by != "team" else []:  # QA is judged per site
        found = measure.actuals(wh, _probe(seg, quality), months, qa)
        for i, d in enumerate(quality):
            for month in months:
                got[(seg, d.name, month)] = found[(f"k{i}", month)]
    return got


def _listed(wh: Warehouse, by: By, vendor: str | None, first: dt.date, last: dt.date,
            ) -> set[Segment]:
    """The vendors (or sites) with contacts in the period."""
    cols = ", ".join(DIMS[by])
    rows = wh.query(f"SELECT DISTINCT {cols} FROM interactions WHERE created_at >= ? AND "
                    "created_at < ?" + (" AND vendor = ?" if vendor else ""),
                    [dt.datetime.combine(first, dt.time(), dt.UTC),
                     dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), dt.UTC),
                     *([vendor] if vendor else [])])
    found = (_segment(dict(zip(DIMS[by], r, strict=False)), by) for r in rows)
    return {s for s in found if s is not None}


def _segment(row: dict[str, Any], by: By) -> Segment | None:
    vendor = row.get("vendor")
    site = row.get("site") if by != "vendor" else None
    team = row.get("team") if by == "team" else None
    if not isinstance(vendor, str) or (by != "vendor" and not isinstance(site, str)) or \
            (by == "team" and not isinstance(team, str)):
        return None
    return Segment(vendor, site, team)


def compare(wh: Warehouse, contracts: list[Contract], month: dt.date, by: str = "vendor", *,
            contract: str | None = None, vendor: str | None = None,
            qa: measure.QaSource | None = None) -> Comparison:
    """The KPIs of ``contracts`` (or of the one labelled ``contract``) for every vendor or
    site (only ``vendor``'s rows and contracts when given) in ``month`` and the twelve months
    before it."""
    if by not in BY:
        raise ConfigError(f"cannot compare by {by!r}.{did_you_mean(by, BY)}",
                          "compare by vendor, by site or by team")
    side: By = "team" if by == "team" else "site" if by == "site" else "vendor"
    month = month.replace(day=1)
    mine = [c for c in contracts if vendor is None or c.vendor == vendor]
    pool = mine
    if contract is not None:
        pool = [c for c in mine if c.label == contract]
        if not pool:
            labels = sorted(c.label for c in mine)
            raise NotFound(f"no contract {contract!r}.{did_you_mean(contract, labels)}",
                           f"contracts: {', '.join(labels) or 'none'}")
    defs = definitions(pool)
    if not defs:
        raise ConfigError("no contract KPIs to compare", "save contracts first: cxlens "
                          "contracts load DIR (docs/contracts.md)")
    months = measure.months_back(month, YEAR_BEFORE + 1)
    extra = tuple(Segment(c.vendor, c.site if side == "site" else None) for c in pool
                  if c.scope is None and side != "team"
                  and (side == "site") == (c.site is not None))
    actuals = measured(wh, defs, months, side, vendor, extra, qa)
    segments = tuple(sorted({s for s, _, _ in actuals} | set(extra)))
    judges = {s: judge(mine, s) for s in segments}
    cells: dict[tuple[Segment, str, dt.date], Cell] = {}
    for seg in segments:
        for d in defs:
            kpi, c = _kpi_of(judges[seg], d)
            for m in months:
                actual = actuals.get((seg, d.name, m), Actual(None, 0))
                if c is None or kpi is None or (c.start and m < c.start.replace(day=1)):
                    cells[(seg, d.name, m)] = Cell(actual, _default_min(d.metric))
                    continue
                cells[(seg, d.name, m)] = Cell(
                    actual, kpi.min_sample or c.min_sample, c.label, kpi.name, kpi.target,
                    c.direction(kpi), money.verdict(c, kpi, actual))
    return Comparison(month, side, tuple(months), tuple(defs), segments, cells)


def _kpi_of(c: Contract | None, d: Definition) -> tuple[Kpi | None, Contract | None]:
    if c is None:
        return None, None
    key = (d.metric, _where_key(d.where))
    return next((k for k in c.kpis if (k.metric, _where_key(k.where)) == key), None), c


def _default_min(metric: str) -> int:
    return QA_MIN_SAMPLE if metric == QA_SCORE else resolve(metric).min_sample
