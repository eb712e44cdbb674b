"""The report's "What moved it" section on the shared demo: right after the summary, for the
headline metrics whose change is significant (or the two that moved most), each with its
sentence, its chart and its segments — every one printed or counted in "and N more"."""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest

from cxlens.insights.moved import moved
from cxlens.present.filters import Filters
from cxlens.present.model import Page
from cxlens.reports.html import render_html
from cxlens.reports.model import Report, build_report
from tests.web.conftest import Server


def _lock(server: Server) -> Any:
    return server.app.state.cxlens.lock  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def report(server: Server) -> Report:
    with _lock(server):
        return build_report(server.wh, Filters())


def _section(report: Report) -> Page:
    found = [p for p in report.sections if p.name == "moved"]
    assert len(found) == 1, [p.name for p in report.sections]
    return found[0]


def test_what_moved_it_follows_the_summary(server: Server, report: Report) -> None:
    page = _section(report)
    assert report.sections[0] is page and page.title == "What moved it"
    shown = list(page.tables)
    assert len(shown) >= 1 and set(shown) <= {"csat", "nps_relational", "ces", "fcr"}
    text = unescape(render_html(report))
    assert "<h2>What moved it</h2>" in text
    for key, sentence in zip(shown, page.extra["findings"], strict=True):
        metric = {"nps_relational": "nps:relational"}.get(key, key)
        by = ["segment"] if metric == "nps:relational" else ["category", "vendor"]
        with _lock(server):  # the demo's latest month against the month before
            m = moved(server.wh, metric, by=by)
        assert sentence.startswith(m.label + " ") and sentence in text
        # the months in words ("Aug 2026"), the demo's latest against the month before
        before, after = (f"{d:%b %Y}" for d in (m.before.start, m.after.start))
        assert f"in {before} to " in sentence and f"in {after} (95 % " in sentence
        table = page.tables[key]
        left = len(m.segments) - len(table)
        assert len(table) == min(10, len(m.segments))
        more = (page.extra.get("more") or {}).get(key)
        if left:  # every segment printed, or the rest counted
            assert more is not None and more.startswith(f"and {left:,} more segments")
            assert more in text
        else:
            assert more is None
        seg = m.segments.assign(size=m.segments["contribution"].abs()).sort_values(
            "size", ascending=False, kind="stable")
        largest = [" · ".join("(no segment)" if v is None else str(v) for v in values)
                   for values in seg[by].itertuples(index=False)][:10]
        assert list(table["segment"]) == largest  # the largest contributions first
        pts = " (points)" if m.unit in ("percent", "points") else ""
        assert list(table.columns) == ["segment", "n", "share", m.label, f"mix{pts}",
                                       f"rate{pts}", "flag"]
        assert f'id="moved-{key}"' in text and f"chart-moved_{key}" in text
    if len(shown) == 2 and not any("significant" not in n for n in page.notes[:1]):
        assert page.notes[0].startswith("No headline change is statistically significant")


def test_a_vendor_report_splits_within_its_vendor(server: Server) -> None:
    with _lock(server):
        report = build_report(server.wh, Filters(), "Acme BPO")
    page = _section(report)
    assert page.tables
    for key, table in page.tables.items():
        assert "vendor" not in table.columns, key
    text = unescape(render_html(report))
    section = text.split("<h2>What moved it</h2>")[1].split("<section")[0]
    assert "Northwind" not in section and "in-house" not in section
