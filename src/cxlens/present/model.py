"""The page model: what a dashboard page shows, as data — headline figures, charts, the tables
behind them and (``extra``) whatever else its template or JSON twin needs. The HTML pages,
their JSON twins under /api, the CSV downloads and the report all render these; nothing here
renders. It lives below the dashboard so every page's builder (``present.pages``) and the
report share one model and one context without importing ``cxlens.web``."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pandas as pd

from cxlens.jsonable import records
from cxlens.present.filters import Filters
from cxlens.present.scope import vendor_in_scope
from cxlens.present.viewer import Viewer as Viewer  # re-exported: builders name it here
from cxlens.store.base import Warehouse

T = TypeVar("T")


@dataclass
class Figure:
    metric: str
    label: str
    unit: str
    higher_is_better: bool | None
    value: float | None
    n: int
    ci_low: float | None
    ci_high: float | None
    flag: str | None
    note: str | None = None  # what a flagged figure lacks and the fix (missing_column, ...)
    not_filterable_by: list[str] = field(default_factory=list)


@dataclass
class Chart:
    name: str
    title: str
    spec: dict[str, Any]
    table: str  # the table behind it (CSV download)


@dataclass(frozen=True)
class Updating:
    """The page shows the figures computed before the data last changed while the new ones
    are computed: what they are as of, said on the page and in its JSON twin."""

    as_of: dt.datetime  # when the figures shown were computed (UTC)


@dataclass
class Page:
    name: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # drill-down (label, href)
    extra: dict[str, Any] = field(default_factory=dict)
    #: Set on an out-of-date copy shown while the new figures are computed (None: current).
    updating: Updating | None = None


@dataclass(frozen=True)
class PageCtx:
    """What every page's builder (``present.pages``) is given: the warehouse, who looks, the
    dashboard's filters (the filter bar's and drill-down's, already scoped to a vendor
    viewer's vendor by the caller), the request's other parameters and, optionally, the
    dashboard's cache. The vendor in scope is derived from the filters by ``present.scope``,
    so a builder never decides it itself."""

    wh: Warehouse
    user: Viewer
    filters: Filters = field(default_factory=Filters)
    options: dict[str, str] = field(default_factory=dict)  # page options, e.g. level
    #: The dashboard's cache (kept per data version; None: compute every time).
    cache: Callable[[tuple[Any, ...], Callable[[], Any]], Any] | None = None

    @property
    def vendor(self) -> str | None:
        """The vendor in scope: a vendor viewer's own whatever the filters say, else the
        vendor filter (None: every vendor)."""
        return vendor_in_scope(self.user, self.filters.vendor)

    def cached(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """``compute()``, or the value the dashboard kept for ``key`` in this data version."""
        if self.cache is None:
            return compute()
        value: T = self.cache(key, compute)
        return value

    def option(self, name: str) -> str | None:
        """A parameter's value, stripped; None when missing or blank."""
        return (self.options.get(name) or "").strip() or None


def as_json(page: Page) -> dict[str, Any]:
    """The page's JSON twin: figures, chart specs and every table as records."""
    return {
        "page": page.name, "title": page.title,
        "figures": [dataclasses.asdict(f) for f in page.figures],
        "charts": [{"name": c.name, "title": c.title, "table": c.table, "spec": c.spec}
                   for c in page.charts],
        "tables": {k: records(v) for k, v in page.tables.items()},
        "notes": page.notes, "links": [{"label": a, "href": b} for a, b in page.links],
        "updating": None if page.updating is None else {
            "as_of": page.updating.as_of.strftime("%Y-%m-%dT%H:%M:%SZ")},
        **page.extra,
    }
