"""The page model: what a dashboard page shows, as data — headline figures, charts, the tables
behind them and (``extra``) whatever else its template or JSON twin needs. The HTML pages,
their JSON twins under /api, the CSV downloads and the report all render these; nothing here
renders. It lives below the dashboard so the bespoke pages' builders (``present.pages``) and
the page model's pages (``web.views*``) share one model without importing ``cxlens.web``."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import pandas as pd

from cxlens.jsonable import records
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


class Viewer(Protocol):
    """Who looks at a page (the dashboard's logged-in user satisfies it): the page model needs
    their name, role and — for a vendor viewer — vendor, nothing of the account itself."""

    @property
    def username(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def vendor(self) -> str | None: ...


@dataclass(frozen=True)
class PageCtx:
    """What a bespoke page's builder (``present.pages``) is given: the warehouse, who looks,
    the vendor in scope (already decided by ``present.scope``; None: every vendor) and the
    request's parameters. (The page model's pages take ``web.views.Ctx``, which adds the
    dashboard's filter bar.)"""

    wh: Warehouse
    user: Viewer
    vendor: str | None = None
    options: dict[str, str] = field(default_factory=dict)
    #: The dashboard's cache (kept per data version; None: compute every time).
    cache: Callable[[tuple[Any, ...], Callable[[], Any]], Any] | None = None

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
        **page.extra,
    }
