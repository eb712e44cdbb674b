"""The key-driver bootstrap: its intervals against the plain bootstrap of copied rows (an
independent loop: draw, copy, fit, take percentiles), and the memory a resample may take —
each resample used to copy the whole n × p design (two thirds of the page's time at 10 M)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd
import pytest

from cxlens.insights.drivers import analyse, design, fetch
from cxlens.stats.relative_weights import relative_weights
from cxlens.store.base import Warehouse
from tests.insights.test_drivers import END, START, _world


def test_intervals_are_the_plain_bootstrap_of_the_copied_rows(duck: Warehouse) -> None:
    _world(duck)
    rows = fetch(duck, "csat", START, END)
    table = analyse(rows, resamples=60, seed=11).set_index("factor")
    x, _ = design(rows)
    xs, ys = x.to_numpy(float), rows["y"].to_numpy(float)
    fcr, reopened = rows["fcr"].to_numpy(float), rows["reopened"].to_numpy(float)
    col = list(x.columns).index("fcr")
    point = relative_weights(xs, ys)
    assert table.loc["fcr", "weight"] == pytest.approx(point.weights[col], rel=1e-9)
    assert table.loc["fcr", "beta"] == pytest.approx(point.beta[col], rel=1e-9)
    assert table.loc["fcr", "r2"] == pytest.approx(point.r2, rel=1e-9)
    assert table.loc["fcr", "effect"] == pytest.approx(
        ys[fcr == 1].mean() - ys[fcr == 0].mean(), rel=1e-9)
    rng = np.random.default_rng(11)
    got: dict[str, list[float]] = {k: [] for k in ("weight", "share", "beta", "r2", "effect",
                                                   "reopened")}
    for _ in range(60):
        pick = rng.integers(0, len(ys), len(ys))
        fit = relative_weights(xs[pick], ys[pick])
        y, f, r = ys[pick], fcr[pick], reopened[pick]
        got["weight"].append(fit.weights[col])
        got["share"].append(fit.weights[col] / fit.r2)
        got["beta"].append(fit.beta[col])
        got["r2"].append(fit.r2)
        got["effect"].append(y[f == 1].mean() - y[f == 0].mean())
        got["reopened"].append(y[r == 1].mean() - y[r == 0].mean())
    for name, factor, column in (("weight", "fcr", "weight"), ("share", "fcr", "share"),
                                 ("beta", "fcr", "beta"), ("r2", "fcr", "r2"),
                                 ("effect", "fcr", "effect"),
                                 ("reopened", "reopened", "effect")):
        low, high = np.percentile(got[name], [2.5, 97.5])
        assert table.loc[factor, f"{column}_ci_low"] == pytest.approx(low, rel=1e-9), name
        assert table.loc[factor, f"{column}_ci_high"] == pytest.approx(high, rel=1e-9), name


def _rows(n: int) -> pd.DataFrame:
    """``n`` synthetic CSAT answers with 24 categories: a design of 33 columns (7 + 2 channel + 24 category)."""
    rng = np.random.default_rng(3)
    fcr = (rng.random(n) < 0.7).astype(float)
    return pd.DataFrame({
        "y": 40 + 40 * fcr + rng.normal(0, 15, n), "no_contact": 0.0, "fcr": fcr,
        "reopened": (rng.random(n) < 0.1).astype(float),
        "escalated": (rng.random(n) < 0.05).astype(float),
        "aht_s": rng.lognormal(6, 0.5, n), "wait_s": rng.lognormal(4, 1, n),
        "ces": np.where(rng.random(n) < 0.2, rng.uniform(0, 100, n), np.nan),
        "channel": rng.choice(["phone", "chat", "email"], n),
        "category": rng.choice([f"c{i:02d}" for i in range(25)], n),
    })


def _peak(rows: pd.DataFrame, resamples: int) -> int:
    tracemalloc.start()
    try:
        analyse(rows, resamples=resamples)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_resample_does_not_copy_the_design() -> None:
    rows = _rows(120_000)
    x, _ = design(rows)
    size = x.to_numpy(float).nbytes  # 120,000 × 33 × 8 bytes = 31.7 MB
    assert size == 120_000 * 33 * 8
    extra = _peak(rows, 6) - _peak(rows, 0)
    # what the resamples add to the analysis's peak: a block of weighted rows and the draws'
    # counts (a few MB), not a copy of the rows (the design's size, and its standardised copy)
    assert extra < size / 4, f"{extra / 1e6:.1f} MB"
    print(f"resamples add {extra / 1e6:.1f} MB to the peak; the design is {size / 1e6:.1f} MB")
