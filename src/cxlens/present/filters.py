"""Dashboard filters (kept in the URL so a view can be shared) and the vendor viewer's scope,
turned into the ``where`` of each metric query.

A filter on a column a metric's table does not have (vendor on web sessions, say) cannot
apply to it: such a metric is shown as "not filterable by …" rather than unfiltered. A vendor
viewer's scope is stricter: metrics without a vendor column are not shown to them at all."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import urlencode

from cxlens.dates import YEARS, parse_bound
from cxlens.errors import ConfigError, did_you_mean
from cxlens.metrics import relations
from cxlens.metrics.compile import GRAINS
from cxlens.metrics.spec import Metric
from cxlens.present.scope import limited, vendor_in_scope
from cxlens.present.viewer import Viewer
from cxlens.sqltext import equals

#: Filters whose value is one column value: the filter bar's, then the drill-down's.
BAR = ("vendor", "site", "channel", "category", "product", "segment")
DIMENSIONS = (*BAR, "team", "agent_id")


@dataclass(frozen=True)
class Filters:
    start: str | None = None  # "from" in the URL
    end: str | None = None  # "to" in the URL, inclusive date
    grain: str = "month"
    vendor: str | None = None
    site: str | None = None
    channel: str | None = None
    category: str | None = None
    product: str | None = None
    segment: str | None = None
    team: str | None = None
    agent_id: str | None = None

    @classmethod
    def from_query(cls, params: dict[str, str]) -> Filters:
        """From URL parameters; every problem is reported at once."""
        problems = []
        values: dict[str, Any] = {}
        for name in ("from", "to"):
            text = (params.get(name) or "").strip()
            if text:
                try:  # stored as YYYY-MM-DD: an ISO week becomes its Monday or Sunday
                    day = parse_bound(text, name, end=name == "to")
                except ConfigError as exc:
                    problems.append(exc.message)
                    continue
                values["start" if name == "from" else "end"] = day.isoformat()
        if values.get("start", "") > values.get("end", "9"):
            problems.append(f"from={values['start']} is after to={values['end']}")
        grain = (params.get("grain") or "month").strip()
        if grain not in GRAINS:
            problems.append(f"unknown grain {grain!r}.{did_you_mean(grain, GRAINS)}")
        values["grain"] = grain
        for dim in DIMENSIONS:
            text = (params.get(dim) or "").strip()
            if text:
                values[dim] = text
        if problems:
            raise ConfigError("; ".join(problems),
                              f"dates like 2026-01-31 or ISO weeks like 2026-W05, from on or "
                              f"before to, within {YEARS[0]}–{YEARS[1]}; grains: "
                              f"{', '.join(GRAINS)}")
        return cls(**values)

    def chosen(self) -> dict[str, str]:
        return {d: v for d in DIMENSIONS if (v := getattr(self, d))}

    def query_string(self, **change: str | None) -> str:
        """This view's URL parameters, with ``change`` applied (None removes one)."""
        out: dict[str, str] = {}
        if self.start:
            out["from"] = self.start
        if self.end:
            out["to"] = self.end
        if self.grain != "month":
            out["grain"] = self.grain
        out |= self.chosen()
        for key, value in change.items():
            if value is None:
                out.pop(key, None)
            else:
                out[key] = value
        return urlencode(out)

    def scoped(self, user: Viewer) -> Filters:
        """A vendor viewer's filters always name their vendor, whatever the URL says."""
        return replace(self, vendor=vendor_in_scope(user, self.vendor))

    def keep(self, names: tuple[str, ...]) -> Filters:
        """Only the filters ``names`` (as in the URL: from, to, grain, vendor, …) — those a
        page reads; the others back to their defaults."""
        url = {"start": "from", "end": "to"}
        default = Filters()
        cleared: dict[str, Any] = {f.name: getattr(default, f.name) for f in fields(self)
                                   if url.get(f.name, f.name) not in names}
        return replace(self, **cleared)

    def key(self) -> tuple[object, ...]:
        return tuple(getattr(self, f.name) for f in fields(self))


def where(metric: Metric, filters: Filters, extra: dict[str, str] | None = None,
          ) -> tuple[str | None, list[str]]:
    """The ``where`` text for ``metric`` and the filters that cannot apply to it."""
    available = set(relations.columns(metric.source))
    chosen = {**filters.chosen(), **(extra or {})}
    unusable = [dim for dim in chosen if dim not in available]
    return equals({d: v for d, v in chosen.items() if d in available}) or None, unusable


def visible(metric: Metric, user: Viewer) -> bool:
    """Vendor viewers see only metrics computed from rows that carry a vendor."""
    return not limited(user) or "vendor" in relations.columns(metric.source)
