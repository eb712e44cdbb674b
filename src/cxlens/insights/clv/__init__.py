"""Probabilistic customer lifetime value: BG/NBD for how many purchases a customer will make
(:mod:`.bgnbd`), Gamma-Gamma for what each will be worth (:mod:`.gamma_gamma`), both fitted by
maximum likelihood on per-customer summaries (:mod:`.summary`).

CLV of a customer over H months, with a monthly discount rate d and a margin m:

    CLV = m · E[spend per purchase] · Σ_{k=1..H} (E[Y(k·M)] − E[Y((k−1)·M)]) / (1 + d)^k

where E[Y(t)] is the BG/NBD expected number of purchases in the next t periods given the
customer's history and M is a month in periods (365.25/12 days). Intervals come from a seeded
bootstrap over customers: both models are refitted on each resample, and the parameters, the
aggregate CLV of the customers at hand and each listed customer's figures are recomputed with
the resample's parameters (percentile intervals). They cover the uncertainty of the parameters,
not the randomness of the customers' future purchases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from cxlens.errors import ConfigError
from cxlens.insights import Figure, InsufficientData
from cxlens.insights.clv import bgnbd, gamma_gamma
from cxlens.insights.clv.bgnbd import BgNbd
from cxlens.insights.clv.gamma_gamma import GammaGamma
from cxlens.insights.clv.mle import distinct_rows
from cxlens.insights.clv.summary import from_warehouse, unit_days
from cxlens.store import memo
from cxlens.store.base import Warehouse

Arr = npt.NDArray[np.float64]
MONTH_DAYS = 365.25 / 12
#: Below these, a fit says little: the figures are refused with a reason.
MIN_CUSTOMERS = 50
MIN_REPEAT_BUYERS = 20
#: |correlation of frequency and spend| at or above this gets a note (Gamma-Gamma assumes ≈ 0).
MAX_CORRELATION = 0.3
CUSTOMER_FIGURES = ("p_alive", "expected_purchases", "expected_spend", "clv")


@dataclass(frozen=True)
class Clv:
    """Both fits, their parameters with intervals, the aggregate CLV and every customer's
    figures (``top`` adds intervals for the most valuable customers)."""

    purchases: BgNbd
    spend: GammaGamma
    parameters: pd.DataFrame  # model, parameter, value, ci_low, ci_high, n
    correlation: Figure  # of frequency and mean spend among repeat buyers
    total: Figure  # aggregate CLV of the customers summarised
    mean: Figure  # per customer
    customers: pd.DataFrame
    top: pd.DataFrame
    horizon_months: int
    discount: float
    margin: float
    unit: str
    resamples: int  # bootstrap resamples used (both refits with a finite likelihood)
    notes: list[str] = field(default_factory=list)


def _months(horizon_months: int, unit: str) -> Arr:
    step = MONTH_DAYS / unit_days(unit)
    return np.arange(1, horizon_months + 1, dtype=np.float64) * step


def discounted_purchases(m: BgNbd, x: Any, t_x: Any, T: Any, months: Arr,
                         discount: float, pairs: tuple[Arr, Arr, Any] | None = None) -> Arr:
    """Σ_k (E[Y(t_k)] − E[Y(t_{k−1})]) / (1+d)^k per customer, for month ends ``months``.
    E[Y(t)] is ``expected_head(x, T)`` (the hypergeometric part) over ``1 + dropout_odds``
    (the only part that depends on t_x), so the sum over months is taken once per distinct
    (x, T) — ``pairs``: their x, T and each row's pair, from :func:`distinct_pairs` — and
    divided per row: at 10 M, 1,800 pairs against 52,000 distinct rows of one currency."""
    px, pT, back = pairs if pairs is not None else distinct_pairs(x, T)
    head = bgnbd.expected_head(m, months[:, None], px[None, :], pT[None, :])
    step = np.diff(head, axis=0, prepend=0.0)
    factor = (1.0 + discount) ** -np.arange(1, len(months) + 1, dtype=np.float64)
    # einsum, not ``@``: a threaded BLAS product stalls on a loaded machine (see mle)
    per_pair = np.einsum("k,kn->n", factor, step)
    return np.asarray(per_pair[back] / (1 + bgnbd.dropout_odds(m, x, t_x, T)),
                      dtype=np.float64)


def distinct_pairs(x: Any, T: Any) -> tuple[Arr, Arr, Any]:
    """The distinct (x, T) of the rows: their x, their T, and each row's index among them."""
    pairs, back, _ = distinct_rows(x, T)
    return pairs[:, 0], pairs[:, 1], back


def _check(summary: pd.DataFrame) -> None:
    repeat = int((summary["frequency"] > 0).sum())
    if len(summary) < MIN_CUSTOMERS or repeat < MIN_REPEAT_BUYERS:
        raise InsufficientData(
            f"{len(summary)} customers of whom {repeat} bought again: too few to fit BG/NBD "
            f"and Gamma-Gamma (at least {MIN_CUSTOMERS} customers and {MIN_REPEAT_BUYERS} "
            "repeat buyers)",
            "use a later --as-of or a longer order history")


def _fit_notes(purchases: BgNbd, spend: GammaGamma, repeat: int) -> list[str]:
    notes = []
    if not (purchases.finite and spend.finite):
        raise InsufficientData("no finite maximum of the likelihood was found for "
                               + ("BG/NBD" if not purchases.finite else "Gamma-Gamma"),
                               "check the order history (amounts, dates) or use a longer one")
    dropout = purchases.a / (purchases.a + purchases.b)
    if dropout < 1e-3:
        notes.append("BG/NBD's dropout probability a/(a+b) is below one in a thousand: this "
                     "history shows almost no customer dropping out, so the model reduces to "
                     "the NBD (purchases without dropout), a and b are not identified "
                     "separately and P(alive) is close to 1 for everyone")
    elif {"a", "b"} <= set(purchases.boundary) and purchases.a + purchases.b < 1:
        notes.append(f"BG/NBD's a and b ran to 0 together (a/(a+b) = {dropout:.2g}): "
                     "customers seem to split into those who drop out right after a repeat "
                     "purchase and those who never do, so a and b are not identified "
                     "separately (read their ratio; their intervals mean little)")
    elif {"a", "b"} <= set(purchases.boundary):
        notes.append(f"BG/NBD's a and b ran to their upper edge together (a/(a+b) = "
                     f"{dropout:.2g}): every customer seems to have the same dropout "
                     "probability after a purchase, so a and b are not identified separately "
                     "(read their ratio; their intervals mean little)")
    elif purchases.boundary:
        notes.append(f"BG/NBD parameter(s) {', '.join(purchases.boundary)} at the edge of "
                     "their range: not identified by this history; treat the figures with care")
    elif not purchases.converged:
        notes.append("the BG/NBD optimiser did not report convergence: treat its figures with "
                     "care")
    if spend.boundary:
        notes.append(f"Gamma-Gamma parameter(s) {', '.join(spend.boundary)} at the edge of "
                     f"their range: {repeat} repeat buyers do not identify the spend model; "
                     "treat expected spend with care")
    elif not spend.converged:
        notes.append("the Gamma-Gamma optimiser did not report convergence: treat its figures "
                     "with care")
    return notes


def _pct(draws: Arr, axis: int = 0) -> tuple[Arr, Arr]:
    if draws.size == 0:
        shape = np.delete(np.array(draws.shape), axis)
        nan = np.full(tuple(shape), np.nan)
        return nan, nan
    low, high = np.nanpercentile(draws, [2.5, 97.5], axis=axis)
    return np.asarray(low), np.asarray(high)


def _bootstrap(purchases: BgNbd, spend: GammaGamma, summary: pd.DataFrame, inv: Any,
               rows: Arr, months: Arr, discount: float, margin: float,
               order: Any, resamples: int, seed: int
               ) -> tuple[list[list[float]], list[float], list[list[Arr]], int]:
    """Refit both models on ``resamples`` resamples of the customers (multinomial weights on
    the distinct rows, starting from the point estimates) and collect the parameters, the
    aggregate CLV of the customers at hand and the figures of the customers in ``order``."""
    x = summary["frequency"].to_numpy(dtype=float)
    t_x = summary["recency"].to_numpy(dtype=float)
    T = summary["T"].to_numpy(dtype=float)
    money = summary["monetary"].to_numpy(dtype=float)
    spenders = (x > 0) & (money > 0)
    ux, ut, uT = rows.T
    pairs = distinct_pairs(ux, uT)
    n = len(x)
    rng = np.random.default_rng(seed)
    par: list[list[float]] = []
    totals: list[float] = []
    per: list[list[Arr]] = []
    failed = 0
    for _ in range(resamples):
        w = np.bincount(rng.integers(0, n, n), minlength=n).astype(float)
        if w[spenders].sum() < 2:
            failed += 1
            continue
        mb = bgnbd.fit(ux, ut, uT, np.bincount(inv, weights=w, minlength=len(rows)),
                       start=purchases.params, polish=False)
        gb = gamma_gamma.fit(x[spenders], money[spenders], w[spenders], start=spend.params,
                             polish=False)
        if not (mb.finite and gb.finite):
            failed += 1
            continue
        d = discounted_purchases(mb, ux, ut, uT, months, discount, pairs)
        s = gamma_gamma.expected_spend(gb, x, money)
        par.append([*mb.params, *gb.params])
        totals.append(float(np.sum(margin * s * d[inv])))
        k = order
        per.append([bgnbd.p_alive(mb, x[k], t_x[k], T[k]),
                    bgnbd.expected_purchases(mb, months[-1], x[k], t_x[k], T[k]),
                    s[k], margin * s[k] * d[inv[k]]])
    return par, totals, per, failed


def customer_value(summary: pd.DataFrame, *, unit: str = "weeks", horizon_months: int = 12,
                   discount: float = 0.01, margin: float = 1.0, resamples: int = 200,
                   seed: int = 7, top: int = 10) -> Clv:
    """Fit both models on ``summary`` (columns frequency, recency, T, monetary, orders; one
    row per customer, see :mod:`.summary`) and value every customer over ``horizon_months``."""
    if horizon_months < 1 or discount < 0 or margin < 0:
        raise ConfigError("the horizon must be at least one month and the discount rate and "
                          "margin not negative",
                          "e.g. --horizon-months 12 --discount 0.01 --margin 0.3")
    _check(summary)
    notes: list[str] = []
    x = summary["frequency"].to_numpy(dtype=float)
    t_x = summary["recency"].to_numpy(dtype=float)
    T = summary["T"].to_numpy(dtype=float)
    money = summary["monetary"].to_numpy(dtype=float)
    n = len(x)
    rows, inv, counts = distinct_rows(x, t_x, T)
    inv = inv.ravel()
    ux, ut, uT = rows.T
    spenders = (x > 0) & (money > 0)
    free = int(((x > 0) & ~(money > 0)).sum())
    if free:
        notes.append(f"{free} repeat buyers whose repeat purchases were worth 0 are left out "
                     "of the Gamma-Gamma fit (its likelihood needs a positive mean spend)")
    if spenders.sum() < MIN_REPEAT_BUYERS:
        raise InsufficientData(f"only {int(spenders.sum())} repeat buyers spent anything",
                               "use a longer order history")

    purchases = bgnbd.fit(ux, ut, uT, counts)
    spend = gamma_gamma.fit(x[spenders], money[spenders])
    notes += _fit_notes(purchases, spend, int(spenders.sum()))
    if spend.q <= 1:
        notes.append("Gamma-Gamma q ≤ 1: the population's mean spend is infinite; expected "
                     "spend is unreliable")
    corr = Figure(*gamma_gamma.frequency_correlation(x[spenders], money[spenders]))
    if np.isfinite(corr.value) and abs(corr.value) >= MAX_CORRELATION:
        notes.append(f"frequency and spend per purchase are correlated (r = {corr.value:.2f}): "
                     "Gamma-Gamma assumes they are independent, so expected spend is biased")

    months = _months(horizon_months, unit)
    dep = discounted_purchases(purchases, ux, ut, uT, months, discount)
    value = margin * gamma_gamma.expected_spend(spend, x, money) * dep[inv]
    customers = summary.copy()
    customers["p_alive"] = bgnbd.p_alive(purchases, x, t_x, T)
    # per distinct (x, t_x, T): the hypergeometric function is the slow part
    customers["expected_purchases"] = bgnbd.expected_purchases(purchases, months[-1], ux, ut,
                                                               uT)[inv]
    customers["expected_spend"] = gamma_gamma.expected_spend(spend, x, money)
    customers["clv"] = value
    order = np.argsort(-value, kind="stable")[:max(top, 0)]

    par, totals, per, failed = _bootstrap(
        purchases, spend, summary, inv, rows, months, discount, margin, order,
        resamples, seed)
    if failed:
        notes.append(f"{failed} of {resamples} bootstrap resamples were dropped (a refit found no "
                     "finite likelihood or too few repeat buyers were drawn)")
    par_lo, par_hi = _pct(np.array(par, dtype=float).reshape(-1, 7))
    repeat_n = int(spenders.sum())
    parameters = pd.DataFrame({
        "model": ["bgnbd"] * 4 + ["gamma_gamma"] * 3,
        "parameter": [*bgnbd.NAMES, *gamma_gamma.NAMES],
        "value": [*purchases.params, *spend.params],
        "ci_low": par_lo, "ci_high": par_hi,
        "n": [n] * 4 + [repeat_n] * 3,
    })
    tot_lo, tot_hi = _pct(np.array(totals, dtype=float))
    total = Figure(float(value.sum()), float(tot_lo), float(tot_hi), n)
    mean = Figure(total.value / n, total.ci_low / n, total.ci_high / n, n)

    best = customers.iloc[order].copy()
    draws = np.array(per, dtype=float).reshape(len(per), len(CUSTOMER_FIGURES), len(order))
    lo, hi = _pct(draws)
    for i, name in enumerate(CUSTOMER_FIGURES):
        best[f"{name}_ci_low"], best[f"{name}_ci_high"] = lo[i], hi[i]
    return Clv(purchases, spend, parameters, corr, total, mean, customers, best,
               horizon_months, discount, margin, unit, len(totals), notes)


@dataclass(frozen=True)
class CurrencyValue:
    """The CLV of the customers who ordered in one currency, or why it was not computed."""

    currency: str
    customers: int
    repeat_buyers: int
    orders: int
    value: Clv | None
    skipped: str = ""


def warehouse_value(wh: Warehouse, as_of: Any = None, unit: str = "weeks",
                    **options: Any) -> list[CurrencyValue]:
    """:func:`customer_value` for each order currency of the warehouse (completed orders up to
    and including ``as_of``); currencies with too few customers are skipped with the reason,
    and when none is left the error lists them all. Kept while ``orders`` keeps its data
    version (:mod:`cxlens.store.memo`): it reads no other table."""
    key = (repr(as_of), unit, tuple(sorted((k, repr(v)) for k, v in options.items())))
    return memo.kept(wh, ("orders",), ("clv", key),
                     lambda: _warehouse_value(wh, as_of, unit, **options))


def _warehouse_value(wh: Warehouse, as_of: Any, unit: str,
                     **options: Any) -> list[CurrencyValue]:
    out = []
    for currency, summary in from_warehouse(wh, as_of, unit).items():
        sizes = (len(summary), int((summary["frequency"] > 0).sum()),
                 int(summary["orders"].sum()))
        try:
            out.append(CurrencyValue(currency, *sizes,
                                     customer_value(summary, unit=unit, **options)))
        except InsufficientData as exc:
            out.append(CurrencyValue(currency, *sizes, None, exc.message))
    if all(c.value is None for c in out):
        raise InsufficientData(
            "no order currency has enough customers for a CLV model: "
            + "; ".join(f"{c.currency}: {c.skipped}" for c in out),
            f"at least {MIN_CUSTOMERS} customers with {MIN_REPEAT_BUYERS} repeat buyers per "
            "currency are needed: use a later --as-of or a longer order history")
    return out
