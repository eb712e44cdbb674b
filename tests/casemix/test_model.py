"""The case-mix model fitted on cells (distinct feature combinations, weighted by their row
count) gives every row the expected value of statsmodels' GLM fitted on the rows themselves,
without a design matrix of one row per contact (issue 17: at 10 M contacts the dense matrix and
its copies took the server past 24 GB)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from cxlens.casemix import model
from cxlens.casemix.rows import COMPLEXITY, FEATURES


def _rows(n: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({name: rng.choice([f"{name}-{k}" for k in range(4)], n)
                          for name in FEATURES})
    frame.loc[rng.random(n) < 0.05, FEATURES[0]] = None  # missing: a level of its own
    frame[COMPLEXITY] = rng.integers(1, 100, n).astype(float)
    return frame


def _row_level(frame: pd.DataFrame, family: sm.families.Family) -> np.ndarray:
    """The oracle: statsmodels on one design row per contact, built here by hand."""
    parts = {name: frame[name].fillna("(unknown)") for name in FEATURES}
    parts[COMPLEXITY] = pd.qcut(frame[COMPLEXITY].rank(method="first"), 5,
                                labels=False).astype(str)
    x = pd.get_dummies(pd.DataFrame(parts), drop_first=True, dtype=float)
    x.insert(0, "const", 1.0)
    return np.asarray(sm.GLM(frame["y"].to_numpy(float), x.to_numpy(),
                             family=family).fit().fittedvalues)


@pytest.mark.parametrize(("family", "outcome"), [
    ("logit", lambda rng, n: (rng.random(n) < 0.8).astype(float)),
    ("log", lambda rng, n: rng.gamma(2.0, 150.0, n)),
    ("identity", lambda rng, n: rng.normal(0.0, 1.0, n)),
])
def test_the_cells_fit_is_the_rows_fit(family: str, outcome: object) -> None:
    frame = _rows(4_000)
    frame["y"] = outcome(np.random.default_rng(5), len(frame))  # type: ignore[operator]
    fitted = model.fit(frame)
    assert fitted.family == family
    fam = {"logit": sm.families.Binomial(), "log": sm.families.Poisson(),
           "identity": sm.families.Gaussian()}[family]
    np.testing.assert_allclose(fitted.expected, _row_level(frame, fam), rtol=1e-7, atol=1e-9)
    # canonical links with an intercept: Σ expected = Σ observed
    assert fitted.expected.sum() == pytest.approx(frame["y"].sum(), rel=1e-9)


def test_memory_does_not_grow_with_a_design_row_per_contact() -> None:
    """300,000 contacts: the rows' dense design (≈ 20 columns of float64, 48 MB) and the
    copies IRLS makes of it took 771 MB; the cells' fit needs per-row codes only."""
    frame = _rows(300_000)
    frame["y"] = (np.random.default_rng(1).random(len(frame)) < 0.7).astype(float)
    tracemalloc.start()
    try:
        model.fit(frame)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 150e6, f"peak {peak / 1e6:.0f} MB"  # 771 MB before, 64 MB after
