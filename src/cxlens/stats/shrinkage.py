"""Empirical-Bayes shrinkage for ranking agents on small samples.

kᵢ ~ Bin(nᵢ, θᵢ), θᵢ ~ Beta(α, β), with α, β fitted by maximum likelihood over all agents
(method of moments degenerates with few agents); the shrunk score is the posterior mean
(kᵢ + α)/(nᵢ + α + β) with a Beta posterior interval. A 1-of-1 agent cannot top a leaderboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize, stats

from cxlens.stats._arrays import Floats, arr

#: Upper bound on α + β: the prior may not outweigh more than this many observations.
MAX_PRIOR_STRENGTH = 1000.0


@dataclass(frozen=True)
class BetaPrior:
    alpha: float
    beta: float

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)


def fit_beta_binomial(k: Any, n: Any) -> BetaPrior:
    """Maximum-likelihood Beta prior from per-agent successes ``k`` of ``n``."""
    k_, n_ = arr(k), arr(n)
    keep = n_ > 0
    k_, n_ = k_[keep], n_[keep]
    if k_.size == 0:
        raise ValueError("no groups with observations to fit a prior on")
    mean = float(np.clip(k_.sum() / n_.sum(), 1e-3, 1 - 1e-3))

    def nll(params: Floats) -> float:
        m = 1 / (1 + np.exp(-params[0]))
        s = np.exp(params[1])
        return -float(stats.betabinom.logpmf(k_, n_, m * s, (1 - m) * s).sum())

    start = np.array([np.log(mean / (1 - mean)), np.log(10.0)])
    res = optimize.minimize(nll, start, method="L-BFGS-B",
                            bounds=[(-10, 10), (np.log(0.1), np.log(MAX_PRIOR_STRENGTH))])
    m = 1 / (1 + np.exp(-res.x[0]))
    s = float(np.exp(res.x[1]))
    return BetaPrior(alpha=float(m * s), beta=float((1 - m) * s))


def shrink(k: Any, n: Any, prior: BetaPrior | None = None, confidence: float = 0.95,
           ) -> tuple[Floats, Floats, Floats]:
    """(posterior mean, low, high) per group."""
    k_, n_ = arr(k), arr(n)
    prior = prior or fit_beta_binomial(k_, n_)
    a, b = k_ + prior.alpha, n_ - k_ + prior.beta
    tail = (1 - confidence) / 2
    return a / (a + b), stats.beta.ppf(tail, a, b), stats.beta.ppf(1 - tail, a, b)
