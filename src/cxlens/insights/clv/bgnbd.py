"""The BG/NBD model of repeat purchases (Fader, Hardie & Lee 2005, "Counting your customers the
easy way", Marketing Science 24(2)), fitted by maximum likelihood.

While alive, a customer buys at a Poisson rate λ ~ Gamma(r, α); after each purchase they drop
out with probability p ~ Beta(a, b). Per customer the data are x repeat purchases, the time t_x
of the last one and the time T since the first (both from the first purchase, in periods):

    L = Γ(r+x) αʳ / (Γ(r) (α+T)^(r+x)) · B(a, b+x)/B(a, b)
        + [x > 0] · Γ(r+x) αʳ / (Γ(r) (α+t_x)^(r+x)) · B(a+1, b+x−1)/B(a, b)

(equation 6 of the paper). Customers with the same (x, t_x, T) contribute the same term, so
the fit works on distinct rows with weights — a bootstrap over customers is then a
multinomial reweighting of those rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import special

from cxlens.insights.clv.mle import distinct, minimise, weighted_sum, weighted_sums

Arr = npt.NDArray[np.float64]
NAMES = ("r", "alpha", "a", "b")


@dataclass(frozen=True)
class BgNbd:
    """Fitted parameters, the log-likelihood at the optimum and whether the optimiser said it
    converged (the parameters are positive by construction: it works on their logarithms)."""

    r: float
    alpha: float
    a: float
    b: float
    loglik: float = float("nan")
    converged: bool = True
    boundary: tuple[str, ...] = ()  # parameters at the edge of [e^−12, e^12]
    finite: bool = True  # the likelihood at the answer is finite

    @property
    def params(self) -> tuple[float, float, float, float]:
        return self.r, self.alpha, self.a, self.b


def _f(v: Any) -> Arr:
    return np.asarray(v, dtype=np.float64)


def loglik_terms(params: tuple[float, float, float, float], x: Any, t_x: Any, T: Any) -> Arr:
    """Each customer's log-likelihood contribution."""
    x = _f(x)
    counts, where = np.unique(x, return_inverse=True)
    return _terms(params, counts, where.ravel(), x > 0, _f(t_x), _f(T))


def _terms(params: tuple[float, float, float, float], counts: Arr, where: Any, buyer: Any,
           t_x: Arr, T: Arr) -> Arr:
    """:func:`loglik_terms` with the Γ terms computed once per distinct x (``counts``;
    ``where`` maps rows to them): a handful of values against thousands of rows."""
    r, alpha, a, b = params
    k = counts
    per_x = (special.gammaln(r + k) + special.gammaln(b + k) - special.gammaln(a + b + k)
             - special.gammaln(r) + r * np.log(alpha) + special.gammaln(a + b)
             - special.gammaln(b))
    with np.errstate(divide="ignore", invalid="ignore"):
        drop = np.where(k > 0, np.log(a) - np.log(np.maximum(b + k - 1, 1e-300)), -np.inf)
    rx = (r + k)[where]
    a3 = -rx * np.log(alpha + T)
    with np.errstate(invalid="ignore"):
        a4 = np.where(buyer, drop[where] - rx * np.log(alpha + t_x), -np.inf)
    return np.asarray(per_x[where] + np.logaddexp(a3, a4), dtype=np.float64)


def _natural(theta: Arr) -> tuple[float, float, float, float]:
    """(r, α, a, b) from the optimiser's (log r, log α, logit μ, log κ), μ = a/(a+b) the mean
    dropout probability and κ = a+b its precision. In these coordinates the ridge where a and
    b grow together (everyone has the same dropout probability) is the single direction κ, so
    refits from a point estimate on that ridge do not stall."""
    mu = 1.0 / (1.0 + np.exp(-theta[2]))
    kappa = np.exp(theta[3])
    return float(np.exp(theta[0])), float(np.exp(theta[1])), float(mu * kappa), \
        float((1.0 - mu) * kappa)


def _coordinates(params: tuple[float, float, float, float]) -> Arr:
    r, alpha, a, b = params
    return np.array([np.log(r), np.log(alpha), np.log(a / b), np.log(a + b)])


class _Likelihood:
    """Σ w·log L and its gradient over rows (x, t_x, T) with weights, as the optimiser needs
    them: the Γ and ψ terms once per distinct x (their weights summed per x), customers
    without repeat purchases (only the first term of L) apart from the buyers, and rows of
    weight 0 (a customer a bootstrap resample did not draw) left out."""

    def __init__(self, x: Arr, t_x: Arr, T: Arr, w: Arr) -> None:
        used = w > 0
        x, t_x, T, w = x[used], t_x[used], T[used], w[used]
        self.total = float(w.sum())
        self.k, where = distinct(x)
        self.per_k: Arr = np.bincount(where, weights=w, minlength=len(self.k)).astype(float)
        buy = x > 0
        self.T0, self.w0 = T[~buy], w[~buy]
        self.T, self.t_x, self.w = T[buy], t_x[buy], w[buy]
        self.where = where[buy]

    def __call__(self, theta: Arr) -> tuple[float, Arr]:
        """Mean negative log-likelihood per weighted row and its gradient in the optimiser's
        coordinates (see :func:`_natural`)."""
        r, alpha, a, b = _natural(theta)
        k, per_k = self.k, self.per_k
        psi_ab, psi_abk = special.digamma(a + b), special.digamma(a + b + k)
        per_x = (special.gammaln(r + k) + special.gammaln(b + k) - special.gammaln(a + b + k)
                 - special.gammaln(r) + r * np.log(alpha) + special.gammaln(a + b)
                 - special.gammaln(b))
        g_r = weighted_sum(per_k, special.digamma(r + k) - special.digamma(r) + np.log(alpha))
        g_alpha = self.total * r / alpha
        g_a = weighted_sum(per_k, psi_ab - psi_abk)
        g_b = weighted_sum(per_k, special.digamma(b + k) - psi_abk + psi_ab
                           - special.digamma(b))
        ll = weighted_sum(per_k, per_x)
        # no repeat purchase: log L's row part is −r·log(α+T)
        log0 = np.log(alpha + self.T0)
        s_log0, s_inv0 = weighted_sums(self.w0, np.stack([log0, 1.0 / (alpha + self.T0)]))
        ll -= r * s_log0
        g_r -= s_log0
        g_alpha -= r * s_inv0
        # repeat buyers: log(e^A3 + e^A4), A3 = −(r+x)·log(α+T),
        # A4 = log a − log(b+x−1) − (r+x)·log(α+t_x); shares w3 + w4 = 1 of each row's L
        rx = (r + k)[self.where]
        drop = (np.log(a) - np.log(np.maximum(b + k - 1, 1e-300)))[self.where]
        log_T, log_t = np.log(alpha + self.T), np.log(alpha + self.t_x)
        a3 = -rx * log_T
        z = drop - rx * log_t - a3  # A4 − A3
        w4 = special.expit(z)
        w3 = special.expit(-z)
        inv_b = (1.0 / np.maximum(b + k - 1, 1e-300))[self.where]
        s = weighted_sums(self.w, np.stack([
            a3 + np.logaddexp(0.0, z),
            w3 * log_T + w4 * log_t,
            rx * (w3 / (alpha + self.T) + w4 / (alpha + self.t_x)),
            w4,
            w4 * inv_b]))
        ll += s[0]
        g_r -= s[1]
        g_alpha -= s[2]
        g_a += s[3] / a
        g_b -= s[4]
        kappa = a + b
        grad = np.array([r * g_r, alpha * g_alpha, a * b / kappa * (g_a - g_b),
                         a * g_a + b * g_b])
        return -ll / self.total, -grad / self.total


def fit(x: Any, t_x: Any, T: Any, weights: Any = None,
        start: tuple[float, float, float, float] | None = None, polish: bool = True) -> BgNbd:
    """Maximum-likelihood BG/NBD on (x, t_x, T) per row, each row counting ``weights`` times
    (default 1)."""
    x, t_x, T = _f(x), _f(t_x), _f(T)
    w = np.ones_like(x) if weights is None else _f(weights)
    total = float(w.sum())
    scale = max(float(np.average(T, weights=w)), 1e-9) if total else 1.0
    nll = _Likelihood(x, t_x, T, w)

    x0 = _coordinates(start or (1.0, scale / 4, 1.0, 1.0))
    opt = minimise(nll, x0, polish)
    r, alpha, a, b = _natural(opt.theta)
    edge: list[str] = []
    for i in opt.boundary:  # name the natural parameters that ran off
        if i < 2:
            edge.append(NAMES[i])
        elif i == 2:
            edge.append("a" if opt.theta[2] < 0 else "b")
        else:
            edge += ["a", "b"]
    return BgNbd(r, alpha, a, b, loglik=-opt.nll * total, converged=opt.converged,
                 boundary=tuple(n for n in NAMES if n in edge), finite=opt.finite)


def dropout_odds(m: BgNbd, x: Any, t_x: Any, T: Any) -> Arr:
    """The odds that a customer with history (x, t_x, T) dropped out after their last
    purchase: P(alive) = 1 / (1 + odds), 0 without repeat purchases."""
    x, t_x, T = _f(x), _f(t_x), _f(T)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        odds = np.where(x > 0, m.a / np.maximum(m.b + x - 1, 1e-300)
                        * ((m.alpha + T) / (m.alpha + t_x)) ** (m.r + x), 0.0)
    return np.asarray(odds, dtype=np.float64)


def p_alive(m: BgNbd, x: Any, t_x: Any, T: Any) -> Arr:
    """P(the customer is still alive at T | x, t_x, T) (equation 11)."""
    return np.asarray(1.0 / (1.0 + dropout_odds(m, x, t_x, T)), dtype=np.float64)


def expected_head(m: BgNbd, t: Any, x: Any, T: Any) -> Arr:
    """The numerator of equation 10, which depends on (x, T) only (not t_x): expected
    purchases in the next ``t`` periods are ``expected_head / (1 + dropout_odds)``, so over
    many customers it is computed once per distinct (x, T)."""
    t, x, T = _f(t), _f(x), _f(T)
    r, alpha, a, b = m.params
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
        head = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp)
    return np.asarray(head, dtype=np.float64)


def expected_purchases(m: BgNbd, t: Any, x: Any, t_x: Any, T: Any) -> Arr:
    """Expected purchases in the next ``t`` periods of a customer with history (x, t_x, T)
    (equation 10)."""
    return np.asarray(expected_head(m, t, x, T) / (1 + dropout_odds(m, x, t_x, T)),
                      dtype=np.float64)


def expected_purchases_new(m: BgNbd, t: Any) -> Arr:
    """E[X(t)]: expected purchases in ``t`` periods of a customer just acquired (equation 9)."""
    t = _f(t)
    r, alpha, a, b = m.params
    hyp = special.hyp2f1(r, b, a + b - 1, t / (alpha + t))
    return np.asarray((a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp),
                      dtype=np.float64)
