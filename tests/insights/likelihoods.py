"""The CLV models' likelihoods written customer by customer from the papers, not from the code
under test: the reference the fits' vectorised sums and gradients are checked against
(tests/insights/test_clv_mle.py, test_customers_at_scale.py)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def bgnbd_loglik(rows: Sequence[tuple[float, float, float, float]], r: float, alpha: float,
                 a: float, b: float) -> float:
    """Σ w log L over ``rows`` of (x, t_x, T, w), L of equation 6 of Fader, Hardie & Lee
    (2005)."""
    total = 0.0
    for x, t_x, T, w in rows:
        head = (math.lgamma(r + x) + r * math.log(alpha) - math.lgamma(r)
                + math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b))
        beta = math.lgamma(a) + math.lgamma(b + x) - math.lgamma(a + b + x)
        term = math.exp(head + beta - (r + x) * math.log(alpha + T))
        if x > 0:
            beta1 = math.lgamma(a + 1) + math.lgamma(b + x - 1) - math.lgamma(a + b + x)
            term += math.exp(head + beta1 - (r + x) * math.log(alpha + t_x))
        total += w * math.log(term)
    return total


def gamma_gamma_loglik(rows: Sequence[tuple[float, float, float]], p: float, q: float,
                       v: float) -> float:
    """Σ w log f(m_x | p, q, γ, x) of the Gamma-Gamma density over ``rows`` of (x, m_x, w)
    (Fader, Hardie & Lee 2005, "RFM and CLV")."""
    total = 0.0
    for x, m, w in rows:
        total += w * (math.lgamma(p * x + q) - math.lgamma(p * x) - math.lgamma(q)
                      + q * math.log(v) + (p * x - 1) * math.log(m) + p * x * math.log(x)
                      - (p * x + q) * math.log(v + m * x))
    return total
