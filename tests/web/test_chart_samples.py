"""Issue 17: the shared chart helpers (cxlens.present.charts) draw a figure below its minimum
sample hollow and grey with a legend entry "small sample (n < N)" — in the spec, so every
trend and interval chart gets it, and on screen (real Chromium) — and show durations on a
clock axis with tooltips written by the one formatter."""

from __future__ import annotations

import pandas as pd
from playwright.sync_api import Browser

from cxlens.present import charts
from tests.web.conftest import Server
from tests.web.test_browser import ARTIFACTS, Watched, log_in
from tests.web.test_phone import LAPTOP, PHONE, overflow, settle


def _frame(metric: str, ns: list[int], flags: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"period": pd.date_range("2026-01-01", periods=len(ns), freq="MS"),
                         "metric": metric, "value": [402.6] * len(ns),
                         "ci_low": [380.0] * len(ns), "ci_high": [430.0] * len(ns), "n": ns,
                         "flag": flags})


def _points(spec: dict) -> dict:
    return next(la for la in spec["layer"] if la["mark"]["type"] == "circle")


def test_a_flagged_point_is_hollow_and_grey_with_a_legend_entry() -> None:
    spec = charts.trend(_frame("csat", [120, 12], ["", "insufficient_sample"]), "CSAT")
    assert [r["sample"] for r in spec["data"]["values"]] == [
        "enough", "small sample (n < 30)"]  # csat's min_sample in the catalogue is 30
    enc = _points(spec)["encoding"]
    assert enc["fill"]["field"] == "sample" and enc["stroke"]["field"] == "sample"
    assert enc["fill"]["scale"] == {"domain": ["enough", "small sample (n < 30)"],
                                    "range": ["#4c78a8", "#ffffff"]}
    assert enc["stroke"]["scale"]["range"] == ["#4c78a8", "#8c959f"]
    assert enc["fill"]["legend"] is not None


def test_n_below_the_minimum_is_small_without_a_flag_and_no_legend_when_none_is() -> None:
    spec = charts.intervals(_frame("aht", [29, 31], ["", ""]).assign(site=["a", "b"]),
                            "site", "AHT", min_n=30)
    assert [r["sample"] for r in spec["data"]["values"]] == ["small sample (n < 30)",
                                                              "enough"]
    big = charts.trend(_frame("csat", [120, 300], ["", ""]), "CSAT")
    assert _points(big)["encoding"]["fill"]["legend"] is None


def test_bars_below_the_minimum_are_grey() -> None:
    frame = pd.DataFrame({"channel": ["voice", "sms"], "value": [1200, 4], "n": [1200, 4]})
    spec = charts.bars(frame, "channel", "Contacts", min_n=10)
    assert spec["encoding"]["color"]["scale"]["range"] == ["#4c78a8", "#d0d7de"]
    assert [r["sample"] for r in spec["data"]["values"]] == ["enough", "small sample (n < 10)"]
    assert [r["value_text"] for r in spec["data"]["values"]] == ["1,200", "4"]


def test_a_duration_chart_reads_h_mm_ss_on_its_axis_and_in_its_tooltips() -> None:
    spec = charts.trend(_frame("aht", [120, 130], ["", ""]), "AHT")
    band = spec["layer"][0]["encoding"]["y"]
    assert band["title"] == "AHT (h:mm:ss)" and "labelExpr" in band["axis"]
    # 380–430 s: 10-second ticks across the span (the axis starts near its lowest figure;
    # ticks chosen from 0, [0, 120, …, 480], left one label within it)
    assert band["axis"]["values"] == [380, 390, 400, 410, 420, 430, 440]
    row = spec["data"]["values"][0]
    assert row["value_text"] == "6 min 43 s"  # 402.6 s, as the cards write it
    assert row["interval_text"] == "6 min 20 s – 7 min 10 s"
    assert row["n_text"] == "120"
    assert spec["usermeta"]["unit"] == "seconds"
    assert {t["field"] for t in _points(spec)["encoding"]["tooltip"]} >= {
        "value_text", "interval_text", "n_text", "sample"}


def test_small_samples_are_drawn_hollow_in_chromium(browser: Browser, server: Server) -> None:
    """Acme's statement: CSAT (billing) has months below the contract's 30 cases; their
    points are white with a grey ring, and the legend says so, at 1440 and at 390 px (where
    the chart, sized to its container, fits the phone)."""
    context = browser.new_context(viewport=LAPTOP)
    w = Watched(context.new_page(), server)
    log_in(w, "acme", start="/statement")
    for size, viewport in (("1440", LAPTOP), ("390", PHONE)):
        w.page.set_viewport_size(viewport)
        w.page.reload()
        settle(w.page)
        charts_el = w.page.locator(".vega")
        legends = w.page.locator(".vega svg .role-legend-label text").all_text_contents()
        assert any(t.startswith("small sample (n < ") for t in legends), legends
        hollow = w.page.locator(".vega svg path[fill='#ffffff'][stroke='#8c959f']").count()
        assert hollow > 0
        widths = charts_el.evaluate_all(
            "els => els.map(e => e.getBoundingClientRect().right <= window.innerWidth)")
        assert all(widths) and overflow(w.page) <= 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        w.page.screenshot(path=str(ARTIFACTS / f"small-samples-statement-{size}.png"),
                          full_page=True)
    w.check()
    context.close()


def test_a_duration_axis_has_labels_across_its_figures(browser: Browser,
                                                       server: Server) -> None:
    """Acme's statement: the AHT chart's axis, ticks chosen from 0 in 2-minute steps, had one
    label (0:06:00) for figures between about 6 and 8 minutes. Every duration axis of the
    statement reads at least three."""
    context = browser.new_context(viewport=LAPTOP)
    w = Watched(context.new_page(), server)
    log_in(w, "acme", start="/statement")
    settle(w.page)
    axes = w.page.evaluate("""() => [...document.querySelectorAll('.vega svg g.role-axis')]
      .filter(a => [...a.querySelectorAll('g.role-axis-title text')]
                     .some(t => t.textContent.includes('(h:mm:ss)')))
      .map(a => a.querySelectorAll('g.role-axis-label text').length)""")
    assert axes and min(axes) >= 3, axes
    w.check()
    context.close()
