"""The Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005, "RFM and CLV: using
iso-value curves for customer base analysis", Journal of Marketing Research 42(4); Fader &
Hardie 2013, "The Gamma-Gamma model of monetary value"), fitted by maximum likelihood.

A customer's purchases are worth z ~ Gamma(p, ν) each, with ν ~ Gamma(q, γ) across customers
(γ is ``v`` below). Fitted on repeat buyers only: x ≥ 1 repeat purchases with mean value m_x,
whose density is

    f(m_x | p, q, γ, x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q m_x^(px−1) x^(px) / (γ + m_x x)^(px+q).

It assumes spend per purchase does not depend on how often the customer buys: check that the
correlation of x and m_x is small before trusting it (:func:`frequency_correlation`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import special, stats

from cxlens.insights.clv.mle import distinct, minimise, weighted_sum, weighted_sums

Arr = npt.NDArray[np.float64]
NAMES = ("p", "q", "v")


@dataclass(frozen=True)
class GammaGamma:
    p: float
    q: float
    v: float
    loglik: float = float("nan")
    converged: bool = True
    boundary: tuple[str, ...] = ()  # parameters at the edge of [e^−12, e^12]
    finite: bool = True  # the likelihood at the answer is finite

    @property
    def params(self) -> tuple[float, float, float]:
        return self.p, self.q, self.v

    @property
    def mean_spend(self) -> float:
        """E[Z]: the population's mean spend per purchase, p γ / (q − 1) (infinite if q ≤ 1)."""
        return self.p * self.v / (self.q - 1) if self.q > 1 else float("inf")


def _f(v: Any) -> Arr:
    return np.asarray(v, dtype=np.float64)


def loglik_terms(params: tuple[float, float, float], x: Any, m: Any) -> Arr:
    p, q, v = params
    x, m = _f(x), _f(m)
    px = p * x
    return np.asarray(special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q)
                      + q * np.log(v) + (px - 1) * np.log(m) + px * np.log(x)
                      - (px + q) * np.log(v + m * x), dtype=np.float64)


class _Likelihood:
    """Σ w·log f and its gradient over repeat buyers (x, m_x) with weights, as the optimiser
    needs them. Only log(γ + m_x·x) ties a row to the parameters; the rest is sufficient
    statistics per distinct x (Σw, Σw·log m_x, constants of the fit), computed once."""

    def __init__(self, x: Arr, m: Arr, w: Arr) -> None:
        used = w > 0
        x, m, w = x[used], m[used], w[used]
        self.total = float(w.sum())
        self.k, where = distinct(x)
        self.per_k: Arr = np.bincount(where, weights=w, minlength=len(self.k)).astype(float)
        self.log_k = np.log(self.k)
        log_m = np.log(m)
        self.sum_log_m, self.sum_x_log_m = weighted_sums(w, np.stack([log_m, x * log_m]))
        self.mx = m * x
        self.w = np.stack([w, w * x])  # each row's weight, and times x

    def __call__(self, theta: Arr) -> tuple[float, Arr]:
        """Mean negative log-likelihood per weighted row and its gradient in the optimiser's
        coordinates (see :func:`_natural`)."""
        p, q, v = _natural(theta)
        k, per_k = self.k, self.per_k
        pk = p * k
        psi_pkq = special.digamma(pk + q)
        ll = (weighted_sum(per_k, special.gammaln(pk + q) - special.gammaln(pk) + pk * self.log_k)
              + self.total * (q * np.log(v) - special.gammaln(q))
              + p * self.sum_x_log_m - self.sum_log_m)
        g_p = (weighted_sum(per_k, k * (psi_pkq - special.digamma(pk) + self.log_k))
               + self.sum_x_log_m)
        g_q = weighted_sum(per_k, psi_pkq) + self.total * (np.log(v) - special.digamma(q))
        g_v = self.total * q / v
        u = v + self.mx
        # [[Σw log u, Σw/u], [Σwx log u, Σwx/u]]
        s = np.einsum("ki,ji->kj", self.w, np.stack([np.log(u), 1.0 / u]))
        ll -= p * s[1, 0] + q * s[0, 0]
        g_p -= s[1, 0]
        g_q -= s[0, 0]
        g_v -= p * s[1, 1] + q * s[0, 1]
        grad = np.array([p * g_p - v * g_v, q * g_q, v * g_v])
        return -float(ll) / self.total, -grad / self.total


def fit(x: Any, m: Any, weights: Any = None,
        start: tuple[float, float, float] | None = None, polish: bool = True) -> GammaGamma:
    """Maximum-likelihood Gamma-Gamma on repeat buyers (x ≥ 1, m > 0 — the caller filters)."""
    x, m = _f(x), _f(m)
    w = np.ones_like(x) if weights is None else _f(weights)
    total = float(w.sum())
    nll = _Likelihood(x, m, w)

    mean = float(np.average(m, weights=w)) if total else 1.0
    p0, q0, v0 = start or (1.0, 2.0, max(mean, 1e-6))
    opt = minimise(nll, np.log([p0, q0, p0 * v0]), polish)
    p, q, v = _natural(opt.theta)
    edge = {0: ("p", "v"), 1: ("q",), 2: ("v",)}
    names = {n for i in opt.boundary for n in edge[i]}
    return GammaGamma(p, q, v, loglik=-opt.nll * total, converged=opt.converged,
                      boundary=tuple(n for n in NAMES if n in names), finite=opt.finite)


def _natural(theta: Arr) -> tuple[float, float, float]:
    """(p, q, γ) from the optimiser's (log p, log q, log pγ): when p runs off (spend hardly
    varies within a customer) γ falls with it and pγ stays put, so the ridge is one
    coordinate."""
    p = float(np.exp(theta[0]))
    return p, float(np.exp(theta[1])), float(np.exp(theta[2])) / p


def expected_spend(g: GammaGamma, x: Any, m: Any) -> Arr:
    """E[Z | x, m_x]: expected value of a customer's future purchase — a weighted mean of the
    population mean p γ/(q−1) and their own mean m_x, with weight px/(px+q−1) on their own.
    A customer without repeat purchases (x = 0) gets the population mean."""
    x, m = _f(x), _f(m)
    px = g.p * x
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.where(x > 0, m, 0.0)
        return np.asarray(g.p * (g.v + own * x) / (px + g.q - 1), dtype=np.float64)


def frequency_correlation(x: Any, m: Any) -> tuple[float, float, float, int]:
    """Pearson correlation of repeat purchases and mean spend among repeat buyers, with a
    Fisher-z 95 % interval and n: (r, low, high, n). Nearly 0 is what the model assumes."""
    x, m = _f(x), _f(m)
    n = len(x)
    if n < 4 or np.std(x) == 0 or np.std(m) == 0:
        return float("nan"), float("nan"), float("nan"), n
    r = float(np.corrcoef(x, m)[0, 1])
    z, se = np.arctanh(np.clip(r, -0.999999, 0.999999)), 1 / np.sqrt(n - 3)
    q = stats.norm.ppf(0.975)
    return r, float(np.tanh(z - q * se)), float(np.tanh(z + q * se)), n
