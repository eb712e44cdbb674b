"""No chart of the demo names a category "null" (issue 17): a missing vendor, channel or
segment is labelled "(not set)", never left for Vega-Lite to print as "null" or for Python
as "None"; and charts split by a segment name it (the drivers by vendor name the vendor).
Every page's JSON twin is fetched from the shared demo server with a real login."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cxlens.present.registry import PAGES
from tests.web.server import Server

#: Page views beside each page's default: the splits where a segment can be missing.
VIEWS = ("drivers?by=vendor", "drivers?by=channel", "vendors?level=site",
         "vendors?level=team", "vendors?level=agent_id")
NULLS = (None, "null", "None", "nan", "NaN", "")


def _categorical(spec: dict[str, Any]) -> set[str]:
    """Fields a spec (or any of its layers) encodes as categories."""
    out: set[str] = set()
    for part in (spec, *spec.get("layer", []), *spec.get("hconcat", []),
                 *spec.get("vconcat", [])):
        for channel in part.get("encoding", {}).values():
            if isinstance(channel, dict) and channel.get("type") in ("nominal", "ordinal") \
                    and isinstance(channel.get("field"), str):
                out.add(channel["field"])
    return out


def _rows(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for part in (spec, *spec.get("layer", []), *spec.get("hconcat", []),
                 *spec.get("vconcat", [])):
        yield from part.get("data", {}).get("values", [])


def _null_categories(page: dict[str, Any]) -> list[str]:
    found = []
    for chart in page.get("charts", []):
        fields = _categorical(chart["spec"])
        for row in _rows(chart["spec"]):
            for name in fields & set(row):
                if row[name] in NULLS:
                    found.append(f"{chart['name']}.{name}={row[name]!r}")
    return found


def _page(client: httpx.Client, view: str) -> dict[str, Any]:
    name, _, query = view.partition("?")
    response = client.get(f"/api/pages/{name}" + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.text[:300]
    return dict(response.json())


@pytest.mark.parametrize("view", [*(p for p in PAGES if p != "agent"), *VIEWS])
def test_no_chart_shows_a_null_category(analyst: httpx.Client, view: str) -> None:
    assert _null_categories(_page(analyst, view)) == []


def test_no_chart_of_an_agent_shows_a_null_category(server: Server,
                                                    analyst: httpx.Client) -> None:
    agent = server.wh.scalar("SELECT agent_id FROM interactions WHERE agent_id IS NOT NULL "
                             "ORDER BY agent_id LIMIT 1")
    assert _null_categories(_page(analyst, f"agent?agent_id={agent}")) == []


def test_the_loop_chart_labels_cases_without_a_vendor(analyst: httpx.Client) -> None:
    """The demo's follow-up cases of answers with no vendor: "(not set)", not null."""
    within = {c["name"]: c for c in _page(analyst, "loop")["charts"]}["within"]
    assert "(not set)" in {row["vendor"] for row in within["spec"]["data"]["values"]}


def test_drivers_by_vendor_name_the_vendor(analyst: httpx.Client) -> None:
    page = _page(analyst, "drivers?by=vendor")
    charts = {c["name"]: c for c in page["charts"]}
    quadrant = charts.pop("quadrant")
    assert quadrant["title"] == "Importance × performance by vendor"
    points = quadrant["spec"]["layer"][1]["encoding"]
    assert points["shape"] == {"field": "segment", "type": "nominal", "title": "vendor"}
    titles = sorted(c["title"] for c in charts.values())
    assert titles and all(": vendor " in t for t in titles), titles
    assert "Share of R² with 95 % interval: vendor Acme BPO" in titles
