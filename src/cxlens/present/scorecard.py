"""The vendor scorecard grid: vendors (or sites, or teams) as columns and the contracts' KPIs
as rows, each cell the month's value with its 95 % interval and n, the target, a status in
words (met / at risk / missed / not measurable) and a twelve-month sparkline.

Why a module of its own: the dashboard's /vendors page and the board report print the same
grid, and neither computes a figure — the cells come from ``contracts.compare`` (the metric
layer's figures, the contracts' targets and verdicts). Here they are only read and written
out: the formatting is ``cxlens.format``'s, the links are made by the caller's ``link``
(the dashboard's URLs; the report passes none)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cxlens import format as fmt
from cxlens.contracts.compare import Cell, Comparison, Definition, Segment
from cxlens.present.charts import SCHEMA

#: A status and what it reads, with the mark shown beside the word (never colour alone).
STATUS_TEXT = {"met": ("✓", "met"), "at risk": ("!", "at risk"), "missed": ("✗", "missed"),
               "not measurable": ("?", "not measurable"), "no target": ("–", "no target")}
#: Makes a dashboard URL from the filters to set (None: keep that filter out).
Link = Callable[[dict[str, str | None]], str]


@dataclass(frozen=True)
class GridCell:
    value: str
    interval: str
    n: int
    target: str
    status: str  # a key of STATUS_TEXT
    says: str  # the status said in full, for screen readers and the tooltip
    href: str | None
    spark: dict[str, Any] | None
    raw: float | None  # the unformatted value (data attribute, for tests and scripts)

    @property
    def mark(self) -> str:
        return STATUS_TEXT[self.status][0]

    @property
    def word(self) -> str:
        return STATUS_TEXT[self.status][1]


@dataclass(frozen=True)
class Column:
    label: str
    segment: Segment
    href: str | None  # the next level down for this segment


@dataclass(frozen=True)
class Row:
    name: str
    label: str
    cells: list[GridCell]


@dataclass
class Grid:
    by: str
    month: dt.date
    columns: list[Column]
    rows: list[Row]
    crumbs: list[tuple[str, str | None]] = field(default_factory=list)  # (label, href)

    def chunks(self, size: int = 0,
               ) -> list[tuple[list[Column], list[tuple[Row, list[GridCell]]]]]:
        """The columns in groups of ``size`` (0: all at once) with each row's cells: a
        printed page holds a few columns beside the KPI names, the rest follow below."""
        size = size or max(len(self.columns), 1)
        out = []
        for start in range(0, max(len(self.columns), 1), size):
            part = slice(start, start + size)
            out.append((self.columns[part], [(r, r.cells[part]) for r in self.rows]))
        return out


def status_of(cell: Cell) -> str:
    """The contract's verdict, with "at risk" for a met KPI whose 95 % interval reaches past
    the target (met on this sample, but a plausible true value misses it)."""
    if cell.status is None:
        return "no target"
    if cell.status != "met" or cell.target is None:
        return cell.status
    a = cell.actual
    bound = a.ci_low if cell.direction == "higher" else a.ci_high
    if bound is None:
        return "met"
    crosses = bound < cell.target if cell.direction == "higher" else bound > cell.target
    return "at risk" if crosses else "met"


def target_text(cell: Cell, unit: str) -> str:
    if cell.target is None:
        return fmt.MISSING
    return f"{'≥' if cell.direction == 'higher' else '≤'} {fmt.number(cell.target, unit)}"


def _says(d: Definition, seg: Segment, cell: Cell, status: str, unit: str) -> str:
    value = fmt.number(cell.actual.value, unit)
    head = f"{d.label} at {seg.label}: {value}, n = {fmt.count(cell.actual.n)}"
    if status == "no target":
        return f"{head}; no contract target for this KPI"
    if status == "not measurable":
        return (f"{head}; not measurable: fewer than {fmt.count(cell.min_sample)} cases "
                f"(target {target_text(cell, unit)})")
    return f"{head}; {STATUS_TEXT[status][1]} against a target of {target_text(cell, unit)}"


def sparkline(c: Comparison, seg: Segment, d: Definition) -> dict[str, Any] | None:
    """The KPI's value in each of the thirteen months (a tiny line, the target dashed), or
    None when no month has a value."""
    unit = d.unit
    points = []
    for month in c.months:
        cell = c.cell(seg, d.name, month)
        value = fmt.as_float(cell.actual.value)
        points.append({"month": month.isoformat(), "value": value,
                       "text": f"{month:%b %Y}: {fmt.number(value, unit)} "
                               f"(n = {fmt.count(cell.actual.n)})"})
    if all(p["value"] is None for p in points):
        return None
    target = c.cell(seg, d.name).target
    layer: list[dict[str, Any]] = [{
        "mark": {"type": "line", "point": {"size": 12}, "strokeWidth": 1.5},
        "encoding": {"x": {"field": "month", "type": "temporal", "axis": None},
                     "y": {"field": "value", "type": "quantitative", "axis": None,
                           "scale": {"zero": False}},
                     "tooltip": [{"field": "text", "type": "nominal", "title": d.label}]}}]
    if target is not None:
        layer.append({"mark": {"type": "rule", "strokeDash": [3, 2], "color": "#8c959f"},
                      "encoding": {"y": {"datum": target}}})
    return {"$schema": SCHEMA, "width": 96, "height": 26, "padding": 2, "background": None,
            "data": {"values": points}, "layer": layer,
            "config": {"view": {"stroke": None}},
            "description": f"{d.label} at {seg.label}, the last 13 months"}


def grid(c: Comparison, link: Link | None = None,
         statement: Callable[[Segment, dt.date], str | None] | None = None) -> Grid:
    """The comparison as a grid. ``link`` makes the drill-down URLs (a column's next level,
    a cell without a statement); ``statement`` the URL of a segment's statement, where a
    contract judges the cell."""
    columns = [Column(_column_label(c.by, s), s, _drill(c.by, s, link)) for s in c.segments]
    rows = []
    for d in c.definitions:
        cells = []
        for col in columns:
            cell = c.cell(col.segment, d.name)
            status = status_of(cell)
            a = cell.actual
            href = (statement(col.segment, c.month) if statement and cell.contract else None) \
                or col.href
            cells.append(GridCell(
                value=fmt.number(a.value, d.unit), interval=fmt.interval(a.ci_low, a.ci_high,
                                                                         d.unit),
                n=a.n, target=target_text(cell, d.unit), status=status,
                says=_says(d, col.segment, cell, status, d.unit), href=href,
                spark=sparkline(c, col.segment, d), raw=fmt.as_float(a.value)))
        rows.append(Row(d.name, d.label + (f" where {d.where}" if d.where else ""), cells))
    return Grid(c.by, c.month, columns, rows)


def _column_label(by: str, s: Segment) -> str:
    return {"vendor": s.vendor, "site": s.site or s.vendor, "team": s.team or s.vendor}[by]


def _drill(by: str, s: Segment, link: Link | None) -> str | None:
    """Vendor → its sites, site → its teams, team → its agents (the /vendors table)."""
    if link is None:
        return None
    if by == "vendor":
        return link({"vendor": s.vendor, "site": None, "team": None, "by": "site"})
    if by == "site":
        return link({"vendor": s.vendor, "site": s.site, "team": None, "by": "team"})
    return link({"vendor": s.vendor, "site": s.site, "team": s.team, "by": None,
                 "level": "agent_id"})


#: The levels above each level of the grid, in the breadcrumbs' order.
ABOVE = {"vendor": (), "site": ("vendor",), "team": ("vendor", "site")}


def crumbs(by: str, chosen: dict[str, str], link: Link) -> list[tuple[str, str | None]]:
    """"All vendors › Northwind › Manila": each level above the grid's that is chosen, linked
    to its grid, the last one (the grid shown) not linked."""
    none: dict[str, str | None] = {"vendor": None, "site": None, "team": None}
    trail: list[tuple[str, dict[str, str | None]]] = [("All vendors", {**none, "by": "vendor"})]
    picked = dict(none)
    for dim in ABOVE[by]:
        if dim not in chosen:
            break
        picked[dim] = chosen[dim]
        trail.append((chosen[dim], {**picked, "by": "site" if dim == "vendor" else "team"}))
    return [(label, None if i == len(trail) - 1 else link(params))
            for i, (label, params) in enumerate(trail)]
