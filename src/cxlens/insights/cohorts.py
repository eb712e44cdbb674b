"""Support-cohort NPS: relational NPS split by each customer's support history before answering.

A relational NPS answer (the catalogue's ``nps:relational`` population, promoters and
detractors: :mod:`cxlens.metrics.definition`) is put in one cohort by the customer's contacts
(interactions) in the ``window_days`` before the answer
(``responded_at − window ≤ created_at < responded_at``). When several apply, the worst
experience wins, in this order:

1. ``unresolved_escalation`` — any contact escalated and not resolved;
2. ``reopened`` — any contact reopened (``reopen_rate``'s condition, ``reopen_count > 0``);
3. ``other_contact`` — contacted, no reopen and no unresolved escalation, but some contact not
   resolved (or its resolution unknown);
4. ``resolved_first_time`` — every contact resolved first time (the condition of the
   catalogue's ``fcr:operational``: resolved, never reopened);
5. ``no_contact`` — no contact in the window.

``zero_reopens`` combines 3–5 (everybody without a reopen or an unresolved escalation: the
cohort behind "customers with zero reopens score N points higher"). Each cohort's NPS has the
interval of :mod:`cxlens.stats.nps`; each gap to the reference cohort (default
``unresolved_escalation``) is NPS_a − NPS_ref with SE = 100·√(Var_a/n_a + Var_ref/n_ref), a
Wald interval and the NPS z test (:func:`cxlens.stats.change.nps_change`), with
Benjamini–Hochberg q-values across the gaps.

Answers without a customer id cannot be matched to contacts and are left out. By default the
period starts ``window_days`` after the first contact in the warehouse, so every answer has a
full window of history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from cxlens.dates import parse_day
from cxlens.errors import ConfigError, CxlensError, did_you_mean
from cxlens.format import count, p_value
from cxlens.metrics.definition import definition
from cxlens.stats._arrays import z_value
from cxlens.stats.change import nps_change
from cxlens.stats.fdr import benjamini_hochberg
from cxlens.stats.nps import nps_interval, nps_variance
from cxlens.store.base import Warehouse

WINDOW_DAYS = 90
#: The catalogue metric whose answers, promoters and detractors the cohorts count.
RELATIONAL_NPS = "nps:relational"
#: Cohorts in precedence order (worst experience first), then the combined one.
COHORTS = ("unresolved_escalation", "reopened", "other_contact", "resolved_first_time",
           "no_contact")
ZERO_REOPENS = "zero_reopens"
COMBINED = {ZERO_REOPENS: ("other_contact", "resolved_first_time", "no_contact")}
DESCRIPTIONS = {
    "unresolved_escalation": "a contact escalated and not resolved",
    "reopened": "a contact reopened",
    "other_contact": "contacted, no reopen or unresolved escalation, some contact unresolved",
    "resolved_first_time": "every contact resolved with zero reopens",
    "no_contact": "no support contact",
    ZERO_REOPENS: "no reopen and no unresolved escalation (incl. no contact)",
}
#: Each cohort as people name it (pages, the report, the headline), its id kept for URLs,
#: the JSON twin and the CLI's tables.
NAMES = {
    "unresolved_escalation": "Unresolved escalation",
    "reopened": "Reopened",
    "other_contact": "Other contact",
    "resolved_first_time": "Resolved first time",
    "no_contact": "No contact",
    ZERO_REOPENS: "Zero reopens",
}
REFERENCE = "unresolved_escalation"
GAP_TEST = "NPS z test (−1/0/+1 variances)"


class CohortError(CxlensError):
    code = "cohort_error"


def answers(wh: Warehouse, start: dt.datetime, end: dt.datetime) -> ir.Table:
    """Relational NPS answers in [start, end) with a customer id, by the catalogue's
    definition: ``_rid``, ``_cust``, ``_at`` (the answer's time) and ``_pos`` / ``_neg``
    (1 for a promoter / detractor)."""
    d = definition(RELATIONAL_NPS, wh)
    r = d.relation(wh, start, end)
    r = r.filter(r.customer_id.notnull())
    return r.select(_rid=r.response_id, _cust=r.customer_id, _at=r[d.time],
                    _pos=ibis.ifelse(d.positive(r), 1, 0), _neg=ibis.ifelse(d.negative(r), 1, 0))


def contacts_before(wh: Warehouse, answered: ir.Table, window_days: int) -> ir.Table:
    """Each answer of :func:`answers` with its customer's contacts (interactions) in the
    ``window_days`` before it (one row per contact; one row of nulls when none)."""
    i = wh.ibis().table("interactions")
    return answered.left_join(i, [i.customer_id == answered._cust, i.created_at < answered._at,
                                  i.created_at >= answered._at
                                  - ibis.interval(days=int(window_days))])


def _cohorts(wh: Warehouse, start: dt.datetime, end: dt.datetime,
             window_days: int) -> ir.Table:
    j = contacts_before(wh, answers(wh, start, end), window_days)
    # a contact's traits by the catalogue's conditions (unknown → false)
    escalated = definition("escalation_rate", wh).condition(j)
    reopened = definition("reopen_rate", wh).condition(j)
    first_time = definition("fcr:operational", wh).condition(j)
    h = j.group_by(j._rid).aggregate(
        pos=j._pos.max(), neg=j._neg.max(), contacts=j.interaction_id.count(),
        esc=ibis.ifelse(escalated & ~j.resolved.fill_null(False), 1, 0).max(),
        reop=ibis.ifelse(reopened, 1, 0).max(),
        fcr=ibis.ifelse(first_time, 1, 0).min())
    cohort = ibis.cases((h.esc == 1, "unresolved_escalation"), (h.reop == 1, "reopened"),
                        (h.contacts == 0, "no_contact"), (h.fcr == 1, "resolved_first_time"),
                        else_="other_contact")
    c = h.mutate(cohort=cohort)
    return c.group_by(c.cohort).aggregate(n=c.count(), pos=c.pos.sum(), neg=c.neg.sum())


def period(wh: Warehouse, start: str | dt.date | None, end: str | dt.date | None,
           window_days: int = WINDOW_DAYS) -> tuple[dt.date, dt.date]:
    """[first day, day after the last) from inclusive dates; by default from ``window_days``
    after the first contact to the last relational NPS answer."""
    if window_days < 1:
        raise ConfigError(f"--window-days {window_days} is empty", "give 1 or more days")
    first, last = parse_day(start, "--from"), parse_day(end, "--to")
    if first is None:
        oldest = wh.scalar("SELECT min(created_at) FROM interactions")
        if oldest is None:
            raise CohortError("the warehouse has no interactions, so no support history",
                              "import interactions first (cxlens import) or build the demo")
        first = oldest.date() + dt.timedelta(days=window_days)
    if last is None:
        d = definition(RELATIONAL_NPS, wh)
        rel = d.relation(wh)
        newest = rel.aggregate(last=rel[d.time].max()).to_pandas()["last"].iloc[0]
        newest = None if pd.isna(newest) else pd.Timestamp(newest)
        if newest is None:
            raise CohortError("the warehouse has no relational NPS answers",
                              "import survey_responses with survey = 'nps' and kind "
                              "relational (the default without an interaction_id), or "
                              "build the demo")
        last = newest.date()
    if last < first:
        raise ConfigError(f"the period {first} – {last} is empty",
                          "give a --to after --from (by default --from is the first contact "
                          "plus the window)")
    return first, last + dt.timedelta(days=1)


def counts(wh: Warehouse, start: dt.date, end: dt.date,
           window_days: int = WINDOW_DAYS) -> pd.DataFrame:
    """n, promoters and detractors per cohort (every cohort, zeros included) for answers in
    [start, end)."""
    lo = dt.datetime.combine(start, dt.time(), dt.UTC)
    hi = dt.datetime.combine(end, dt.time(), dt.UTC)
    got = {str(r.cohort): (int(r.n or 0), int(r.pos or 0), int(r.neg or 0))
           for r in _cohorts(wh, lo, hi, window_days).to_pandas().itertuples()}
    rows: list[tuple[str, int, int, int]] = [(c, *got.get(c, (0, 0, 0))) for c in COHORTS]
    for name, parts in COMBINED.items():
        n, p, d = (sum(got.get(c, (0, 0, 0))[j] for c in parts) for j in range(3))
        rows.append((name, n, p, d))
    return pd.DataFrame(rows, columns=["cohort", "n", "promoters", "detractors"])


def cohort_nps(wh: Warehouse, start: str | dt.date | None = None,
               end: str | dt.date | None = None, *, window_days: int = WINDOW_DAYS,
               reference: str = REFERENCE, confidence: float = 0.95,
               alpha: float = 0.05) -> pd.DataFrame:
    """One row per cohort: NPS with n and interval, and the gap to ``reference`` with its
    interval, p- and q-value. ``attrs`` holds the period, window and reference."""
    names = (*COHORTS, *COMBINED)
    if reference not in names:
        raise ConfigError(f"no cohort {reference!r}.{did_you_mean(reference, names)}",
                          "choose one of " + ", ".join(names))
    first, after = period(wh, start, end, window_days)
    t = counts(wh, first, after, window_days)
    n, pos, neg = (t[c].to_numpy(dtype=float) for c in ("n", "promoters", "detractors"))
    value, low, high = nps_interval(pos, neg, n, confidence)
    var = nps_variance(pos, neg, n)
    ref = names.index(reference)
    z = z_value(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        gap = value - value[ref]
        se = 100 * np.sqrt(var / n + var[ref] / n[ref])
    _, p = nps_change(value[ref], var[ref], n[ref], value, var, n)
    is_ref = np.arange(len(t)) == ref
    # the combined cohort overlaps its parts; the reference's gap to itself is not a test
    p = np.where(is_ref, np.nan, p)
    q, significant = benjamini_hochberg(p, alpha)
    out = pd.DataFrame({
        "cohort": t["cohort"], "description": [DESCRIPTIONS[c] for c in t["cohort"]],
        "n": t["n"].astype(np.int64), "promoters": t["promoters"],
        "detractors": t["detractors"], "nps": value, "nps_ci_low": low, "nps_ci_high": high,
        "gap": np.where(is_ref, np.nan, gap), "gap_se": np.where(is_ref, np.nan, se),
        "gap_ci_low": np.where(is_ref, np.nan, gap - z * se),
        "gap_ci_high": np.where(is_ref, np.nan, gap + z * se),
        "gap_p": p, "gap_q": q, "gap_significant": significant,
        "flag": np.where(n == 0, "no_data", np.where(n < 50, "insufficient_sample", "")),
    })
    out.attrs.update({"from": first.isoformat(),
                      "to": (after - dt.timedelta(days=1)).isoformat(),
                      "window_days": window_days, "reference": reference, "test": GAP_TEST,
                      "precedence": list(COHORTS)})
    return out


def headline(table: pd.DataFrame, cohort: str = ZERO_REOPENS) -> str:
    """"Customers with zero reopens score N points higher than ..." from ``cohort_nps``."""
    row = table.set_index("cohort").loc[cohort]
    ref = table.attrs.get("reference", REFERENCE)
    if not np.isfinite(row["gap"]):
        return (f"not enough answers to compare {NAMES[cohort].lower()} with "
                f"{NAMES[ref].lower()}")
    word = "higher" if row["gap"] >= 0 else "lower"
    # numbers through the one formatter: "p < 0.001, very strong evidence", "n 3,453",
    # never "p = 1.6e-07" or "n 3453"
    return (f"customers with {DESCRIPTIONS[cohort].split(' (')[0]} score "
            f"{abs(row['gap']):.1f} NPS points {word} than those with "
            f"{DESCRIPTIONS[ref]} (95 % {row['gap_ci_low']:+.1f} to {row['gap_ci_high']:+.1f}, "
            f"{p_value(row['gap_p'])}, n {count(row['n'])} vs "
            f"{count(table.set_index('cohort').loc[ref, 'n'])})")


def as_json(table: pd.DataFrame) -> dict[str, Any]:
    """The table as nested JSON: each figure with its n and interval."""
    def f(x: Any) -> float | None:
        return None if x is None or not np.isfinite(x) else float(x)

    cohorts = []
    ref_n = int(table.set_index("cohort").loc[table.attrs["reference"], "n"])
    for r in table.to_dict("records"):
        item: dict[str, Any] = {
            "cohort": r["cohort"], "description": r["description"], "flag": r["flag"] or None,
            "nps": {"value": f(r["nps"]), "n": int(r["n"]), "ci_low": f(r["nps_ci_low"]),
                    "ci_high": f(r["nps_ci_high"]), "promoters": int(r["promoters"]),
                    "detractors": int(r["detractors"])}}
        if np.isfinite(r["gap"]):
            item["gap"] = {"value": f(r["gap"]), "n": int(r["n"]) + ref_n,
                           "ci_low": f(r["gap_ci_low"]), "ci_high": f(r["gap_ci_high"]),
                           "se": f(r["gap_se"]), "p": f(r["gap_p"]), "q": f(r["gap_q"]),
                           "significant": bool(r["gap_significant"])}
        cohorts.append(item)
    attrs = {str(k): v for k, v in table.attrs.items()}
    return {**attrs, "headline": headline(table), "cohorts": cohorts}
