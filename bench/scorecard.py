"""Benchmark: the standard scorecard with cxlens vs hand-written DuckDB SQL vs plain pandas.

    .venv/bin/python bench/scorecard.py [--scale 42] [--db PATH] [--repeat 1]
                                        [--only hand_sql,cxlens,pandas,spark] [--lake DIR]
                                        [--profile]

Builds (or reuses) a demo warehouse, then computes 15 figures (NPS, CSAT, CES, FCR, AHT, ASA,
service level, abandonment, first response and first resolution time median and P90, reopen
and escalation rate, contact volume) by month for three breakdowns (vendor, agent, channel ×
category) three ways, each in its own subprocess on the same file:

* ``cxlens``: ``cxlens.metrics.query.query(...)``, one call per breakdown;
* ``hand_sql``: one hand-written DuckDB query per source table per breakdown (conditional
  aggregates; ``median`` and ``quantile_disc``), value and interval finished in numpy;
* ``pandas``: load the needed columns from DuckDB into pandas, derive, merge, group by;
* ``spark`` (only when asked): the same ``cxlens`` calls on local PySpark over a Parquet lake
  exported from the file (``--lake``); starting Spark is its load step.

Every figure's value and n must agree across the three (relative tolerance 1e-9) — the run
fails with exit status 1 otherwise. Times are per breakdown (best of ``--repeat``; pandas'
load-and-prepare step is its own column); peak RSS is each subprocess's own maximum resident
set (``os.wait4``), so one implementation never pollutes another's figure. Prints a Markdown
table. ``--profile`` then runs cxlens once more under cProfile, timing each query it sends to
DuckDB, to show where its time goes.
"""

from __future__ import annotations

import argparse
import os
import pickle
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

BREAKDOWNS: dict[str, list[str]] = {
    "vendor × month": ["vendor"],
    "agent × month": ["agent_id"],
    "channel × category × month": ["channel", "category"],
}
#: The scorecard; ``nps`` may become ``nps:relational`` (see ``nps_name``).
METRICS = ["nps", "csat", "ces", "fcr", "aht", "asa", "service_level", "abandonment_rate",
           "first_response_time", "first_response_time:p90", "first_resolution_time",
           "first_resolution_time:p90", "reopen_rate", "escalation_rate", "contact_volume"]
QUANTILES = {"first_response_time", "first_response_time:p90", "first_resolution_time",
             "first_resolution_time:p90"}
IMPLEMENTATIONS = ("hand_sql", "cxlens", "pandas", "spark")
DEFAULT = "hand_sql,cxlens,pandas"  # spark only when asked, with --lake
RTOL = 1e-9
Z = 1.959963984540054  # two-sided 95 %
NULL = "<NULL>"  # stands for a null dimension value when comparing results


# ---------------------------------------------------------------------------------------------
# Intervals from sufficient statistics (numpy), shared by hand_sql and pandas


def wilson(k: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1 + Z * Z / n
        centre = (p + Z * Z / (2 * n)) / denom
        half = Z / denom * np.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return 100 * p, 100 * (centre - half), 100 * (centre + half)


def nps_figure(pos: np.ndarray, neg: np.ndarray, n: np.ndarray,
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """NPS in points; Wald interval, adjusted Wald (n + 3, +¾ each) below 100 responses."""
    adj = n < 100
    na = np.where(adj, n + 3, n)
    pa, da = np.where(adj, pos + 0.75, pos), np.where(adj, neg + 0.75, neg)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = 100 * (pos - neg) / n
        p, d = pa / na, da / na
        se = np.sqrt((p + d - (p - d) ** 2) / na)
    return (value, np.clip(100 * (p - d - Z * se), -100, 100),
            np.clip(100 * (p - d + Z * se), -100, 100))


def t_figure(n: np.ndarray, mean: np.ndarray, sd: np.ndarray,
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from scipy import stats

    t = stats.t.ppf(0.975, np.where(n >= 2, n - 1, 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        half = np.where(n >= 2, t * sd / np.sqrt(n), np.nan)
    return mean, mean - half, mean + half


def poisson_figure(n: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from scipy import stats

    low = np.where(n > 0, stats.chi2.ppf(0.025, 2 * n) / 2, 0.0)
    return n.astype(float), low, stats.chi2.ppf(0.975, 2 * n + 2) / 2


def long_form(stats_: pd.DataFrame, keys: list[str], metric: str, present: str,
              n: str, figure: tuple[np.ndarray, np.ndarray, np.ndarray]) -> pd.DataFrame:
    """One metric's rows in cxlens's shape; a segment exists where ``present`` > 0 (its
    population is not empty), as when cxlens computes the metric alone: ASA's population is
    every contact, so a segment with contacts but none answered has n = 0 (``no_data``)."""
    value, low, high = figure
    n_ = stats_[n].to_numpy(dtype=float)
    out = stats_[[*keys, "period"]].copy()
    out["metric"] = metric
    out["value"] = np.where(n_ > 0, value, np.nan)
    out["n"] = n_.astype(np.int64)
    out["ci_low"] = np.where(n_ > 0, low, np.nan)
    out["ci_high"] = np.where(n_ > 0, high, np.nan)
    return out[stats_[present].to_numpy(dtype=float) > 0]


def arr(frame: pd.DataFrame, col: str) -> np.ndarray:
    return pd.to_numeric(frame[col]).to_numpy(dtype=float)


def interaction_figures(s: pd.DataFrame, keys: list[str]) -> list[pd.DataFrame]:
    """Long rows of the interaction metrics from one wide frame of sufficient statistics."""
    out = [long_form(s, keys, "contact_volume", "volume", "volume",
                     poisson_figure(arr(s, "volume")))]
    for metric, stem, pop in (("aht", "aht", "aht_n"), ("asa", "asa", "volume")):
        out.append(long_form(s, keys, metric, pop, f"{stem}_n", t_figure(
            arr(s, f"{stem}_n"), arr(s, f"{stem}_mean"), arr(s, f"{stem}_sd"))))
    for metric, stem in (("service_level", "sl"), ("abandonment_rate", "ab"),
                         ("reopen_rate", "reopen"), ("escalation_rate", "esc")):
        out.append(long_form(s, keys, metric, f"{stem}_n", f"{stem}_n",
                             wilson(arr(s, f"{stem}_k"), arr(s, f"{stem}_n"))))
    nan = np.full(len(s), np.nan)  # order-statistic intervals are not computed here
    for metric, stem in (("first_response_time", "frt"), ("first_resolution_time", "res")):
        # the population is every contact: a segment with none answered has n = 0
        out.append(long_form(s, keys, metric, "volume", f"{stem}_n",
                             (arr(s, f"{stem}_med"), nan, nan)))
        out.append(long_form(s, keys, f"{metric}:p90", "volume", f"{stem}_n",
                             (arr(s, f"{stem}_p90"), nan, nan)))
    return out


def survey_figures(s: pd.DataFrame, keys: list[str], nps: str) -> list[pd.DataFrame]:
    return [
        long_form(s, keys, nps, "nps_n", "nps_n",
                  nps_figure(arr(s, "nps_pos"), arr(s, "nps_neg"), arr(s, "nps_n"))),
        long_form(s, keys, "csat", "csat_n", "csat_n",
                  wilson(arr(s, "csat_k"), arr(s, "csat_n"))),
        long_form(s, keys, "ces", "ces_n", "ces_n",
                  t_figure(arr(s, "ces_n"), arr(s, "ces_mean"), arr(s, "ces_sd"))),
        long_form(s, keys, "fcr", "fcr_n", "fcr_n", wilson(arr(s, "fcr_k"), arr(s, "fcr_n"))),
    ]


# ---------------------------------------------------------------------------------------------
# hand-written DuckDB SQL

INTERACTION_SQL = """
WITH x AS (
    SELECT {keys}, date_trunc('month', created_at) AS period,
           talk_seconds + coalesce(hold_seconds, 0) + coalesce(wrap_seconds, 0) AS handle,
           epoch(answered_at) - epoch(created_at) AS answer_s,
           epoch(abandoned_at) - epoch(created_at) AS abandon_s,
           epoch(first_response_at) - epoch(created_at) AS frt,
           epoch(resolved_at) - epoch(created_at) AS res,
           direction = 'inbound' AND channel IN ('phone', 'chat')
               AND (answered_at IS NOT NULL OR abandoned_at IS NOT NULL) AS offered,
           resolved_at, reopen_count, abandoned_at, escalated
    FROM interactions
    WHERE created_at IS NOT NULL
)
SELECT {keys}, period,
       count(*) AS volume,
       count(handle) AS aht_n, avg(handle) AS aht_mean, stddev_samp(handle) AS aht_sd,
       count(answer_s) AS asa_n, avg(answer_s) AS asa_mean, stddev_samp(answer_s) AS asa_sd,
       count(*) FILTER (offered AND (abandon_s IS NULL OR abandon_s > 20)) AS sl_n,
       count(*) FILTER (offered AND (abandon_s IS NULL OR abandon_s > 20)
                        AND answer_s <= 20) AS sl_k,
       count(*) FILTER (offered AND (abandon_s IS NULL OR abandon_s >= 5)) AS ab_n,
       count(*) FILTER (offered AND abandon_s >= 5) AS ab_k,
       count(frt) AS frt_n, median(frt) AS frt_med, quantile_disc(frt, 0.9) AS frt_p90,
       count(res) AS res_n, median(res) AS res_med, quantile_disc(res, 0.9) AS res_p90,
       count(*) FILTER (resolved_at IS NOT NULL AND reopen_count IS NOT NULL) AS reopen_n,
       count(*) FILTER (resolved_at IS NOT NULL AND reopen_count > 0) AS reopen_k,
       count(escalated) FILTER (abandoned_at IS NULL) AS esc_n,
       count(*) FILTER (abandoned_at IS NULL AND escalated) AS esc_k
FROM x
GROUP BY ALL
"""

SURVEY_SQL = """
SELECT {keys}, date_trunc('month', s.responded_at) AS period,
       count(*) FILTER ({nps}) AS nps_n,
       count(*) FILTER ({nps} AND s.score >= 9) AS nps_pos,
       count(*) FILTER ({nps} AND s.score <= 6) AS nps_neg,
       count(*) FILTER (s.survey = 'csat') AS csat_n,
       count(*) FILTER (s.survey = 'csat' AND s.score >= CASE WHEN s.scale_max - s.scale_min <= 1
                        THEN s.scale_max ELSE s.scale_max - 1 END) AS csat_k,
       count(s.score) FILTER (s.survey = 'ces') AS ces_n,
       avg(s.score) FILTER (s.survey = 'ces') AS ces_mean,
       stddev_samp(s.score) FILTER (s.survey = 'ces') AS ces_sd,
       count(s.resolved_reported) AS fcr_n,
       count(*) FILTER (s.resolved_reported) AS fcr_k
FROM survey_responses s
LEFT JOIN interactions i ON s.interaction_id = i.interaction_id
WHERE s.responded_at IS NOT NULL
GROUP BY ALL
"""


def nps_filter(nps: str, prefix: str = "s.") -> str:
    relational = f" AND {prefix}kind = 'relational'" if nps == "nps:relational" else ""
    return f"{prefix}survey = 'nps'{relational}"


def hand_sql(db: str, keys: list[str], nps: str) -> pd.DataFrame:
    import duckdb

    con = duckdb.connect(db, read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        inter = con.sql(INTERACTION_SQL.format(keys=", ".join(keys))).df()
        surv = con.sql(SURVEY_SQL.format(keys=", ".join(f"i.{k}" for k in keys),
                                         nps=nps_filter(nps))).df()
    finally:
        con.close()
    for frame in (inter, surv):
        frame["period"] = frame["period"].dt.date
    return pd.concat([*interaction_figures(inter, keys), *survey_figures(surv, keys, nps)],
                     ignore_index=True)


# ---------------------------------------------------------------------------------------------
# straightforward pandas


def pandas_load(db: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Load the needed columns, derive periods and durations once for every breakdown."""
    import duckdb

    con = duckdb.connect(db, read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        inter = con.sql(
            "SELECT interaction_id, vendor, agent_id, channel, category, direction, created_at,"
            " answered_at, abandoned_at, first_response_at, resolved_at, reopen_count,"
            " talk_seconds, hold_seconds, wrap_seconds, escalated FROM interactions").df()
        surv = con.sql(
            "SELECT survey, kind, score, scale_min, scale_max, responded_at, interaction_id,"
            " resolved_reported FROM survey_responses").df()
    finally:
        con.close()
    inter = inter[inter["created_at"].notna()]
    created = inter["created_at"]
    inter["period"] = created.dt.tz_localize(None).dt.to_period("M").dt.start_time.dt.date
    for name, col in (("answer_s", "answered_at"), ("abandon_s", "abandoned_at"),
                      ("frt", "first_response_at"), ("res", "resolved_at")):
        inter[name] = (inter[col] - created).dt.total_seconds()
    inter["handle"] = (inter["talk_seconds"] + inter["hold_seconds"].fillna(0)
                       + inter["wrap_seconds"].fillna(0))
    surv = surv[surv["responded_at"].notna()]
    surv["period"] = (surv["responded_at"].dt.tz_localize(None).dt.to_period("M")
                      .dt.start_time.dt.date)
    attrs = inter[["interaction_id", "vendor", "agent_id", "channel", "category"]]
    surv = surv.merge(attrs, on="interaction_id", how="left")
    return inter, surv


def _group(frame: pd.DataFrame, keys: list[str]) -> Any:
    return frame.groupby(keys, dropna=False, sort=False)


def _p90(frame: pd.DataFrame, keys: list[str], col: str) -> pd.Series:
    """Nearest-rank P90: the value at rank ceil(0.9 n) of each group."""
    d = frame.loc[frame[col].notna(), [*keys, col]].sort_values(col, kind="stable")
    g = _group(d, keys)[col]
    rank = g.cumcount() + 1
    n = g.transform("size")
    return _group(d[rank.to_numpy() == np.ceil(n.to_numpy() * 0.9)], keys)[col].first()


def pandas_breakdown(inter: pd.DataFrame, surv: pd.DataFrame, keys: list[str],
                     nps: str) -> pd.DataFrame:
    gk = [*keys, "period"]
    parts: dict[str, pd.Series] = {}
    g = _group(inter, gk)
    parts["volume"] = g.size()
    for stem, col in (("aht", "handle"), ("asa", "answer_s")):
        parts[f"{stem}_n"] = g[col].count()
        parts[f"{stem}_mean"] = g[col].mean()
        parts[f"{stem}_sd"] = g[col].std()
    offered = (inter["direction"].eq("inbound") & inter["channel"].isin(["phone", "chat"])
               & (inter["answered_at"].notna() | inter["abandoned_at"].notna()))
    abandoned = inter["abandoned_at"].notna()
    sl = inter[offered & (~abandoned | (inter["abandon_s"] > 20))]
    sl = sl.assign(met=sl["answer_s"] <= 20)
    parts["sl_n"] = _group(sl, gk).size()
    parts["sl_k"] = _group(sl, gk)["met"].sum()
    ab = inter[offered & (~abandoned | (inter["abandon_s"] >= 5))]
    parts["ab_n"] = _group(ab, gk).size()
    parts["ab_k"] = _group(ab, gk)["abandoned_at"].count()
    for stem in ("frt", "res"):
        parts[f"{stem}_n"] = g[stem].count()
        parts[f"{stem}_med"] = g[stem].median()
        parts[f"{stem}_p90"] = _p90(inter, gk, stem)
    reopen = inter[inter["resolved_at"].notna() & inter["reopen_count"].notna()]
    reopen = reopen.assign(reopened=reopen["reopen_count"] > 0)
    parts["reopen_n"] = _group(reopen, gk).size()
    parts["reopen_k"] = _group(reopen, gk)["reopened"].sum()
    esc = inter[~abandoned & inter["escalated"].notna()]
    esc = esc.assign(yes=esc["escalated"].astype(bool))
    parts["esc_n"] = _group(esc, gk).size()
    parts["esc_k"] = _group(esc, gk)["yes"].sum()
    wide = pd.concat(parts, axis=1, sort=False)
    wide = wide.fillna({c: 0 for c in wide.columns if c.endswith(("_n", "_k"))}).reset_index()

    sp: dict[str, pd.Series] = {}
    is_nps = surv["survey"].eq("nps")
    if nps == "nps:relational":
        is_nps &= surv["kind"].eq("relational")
    d = surv[is_nps]
    d = d.assign(pos=d["score"] >= 9, neg=d["score"] <= 6)
    sp["nps_n"] = _group(d, gk).size()
    sp["nps_pos"] = _group(d, gk)["pos"].sum()
    sp["nps_neg"] = _group(d, gk)["neg"].sum()
    d = surv[surv["survey"].eq("csat")]
    top = np.where(d["scale_max"] - d["scale_min"] <= 1, d["scale_max"], d["scale_max"] - 1)
    d = d.assign(top=d["score"] >= top)
    sp["csat_n"] = _group(d, gk).size()
    sp["csat_k"] = _group(d, gk)["top"].sum()
    d = surv[surv["survey"].eq("ces")]
    sp["ces_n"] = _group(d, gk)["score"].count()
    sp["ces_mean"] = _group(d, gk)["score"].mean()
    sp["ces_sd"] = _group(d, gk)["score"].std()
    d = surv[surv["resolved_reported"].notna()]
    d = d.assign(solved=d["resolved_reported"].astype(bool))
    sp["fcr_n"] = _group(d, gk).size()
    sp["fcr_k"] = _group(d, gk)["solved"].sum()
    swide = pd.concat(sp, axis=1, sort=False)
    counts = [c for c in swide.columns if c.endswith(("_n", "_k", "_pos", "_neg"))]
    swide = swide.fillna(dict.fromkeys(counts, 0)).reset_index()
    return pd.concat([*interaction_figures(wide, keys), *survey_figures(swide, keys, nps)],
                     ignore_index=True)


# ---------------------------------------------------------------------------------------------
# cxlens


def cxlens_breakdown(db: str, keys: list[str], nps: str) -> pd.DataFrame:
    from cxlens.metrics.query import query

    names = [nps if m == "nps" else m for m in METRICS]
    out = query(names, by=keys, grain="month", db=db)
    return out.drop(columns=["flag"])


def profile(db: str, keys: list[str], nps: str) -> dict[str, Any]:
    """One cxlens scorecard call under cProfile, with every query ibis sends to DuckDB timed:
    total seconds, [(seconds, tables read, output columns)], and the top functions."""
    import cProfile
    import io
    import pstats

    import ibis
    from ibis.backends.duckdb import Backend

    from cxlens.metrics.query import query

    statements: list[tuple[float, str, str]] = []
    original = Backend.execute

    def timed(self: Any, expr: Any, /, **kwargs: Any) -> Any:
        sql = str(ibis.to_sql(expr, dialect="duckdb"))
        tables = sorted(set(re.findall(r'(?:FROM|JOIN) "(\w+)"', sql)))
        t0 = time.perf_counter()
        try:
            return original(self, expr, **kwargs)
        finally:
            cols = [c for c in expr.columns if c not in (*keys, "period")]
            text = ", ".join(cols[:6]) + (f", … ({len(cols)} in all)" if len(cols) > 6 else "")
            statements.append((time.perf_counter() - t0, "+".join(tables), text))

    Backend.execute = timed
    prof = cProfile.Profile()
    try:
        t0 = time.perf_counter()
        prof.enable()
        query([nps if m == "nps" else m for m in METRICS], by=keys, grain="month", db=db)
        prof.disable()
        total = time.perf_counter() - t0
    finally:
        Backend.execute = original
    stream = io.StringIO()
    pstats.Stats(prof, stream=stream).sort_stats("tottime").print_stats(8)
    return {"total": total, "statements": statements, "top": stream.getvalue()}


# ---------------------------------------------------------------------------------------------
# child process: one implementation, all breakdowns


def child(impl: str, db: str, nps: str, out: str) -> None:
    import duckdb  # noqa: F401  (imports are not timed; every implementation needs these)
    import scipy.stats  # noqa: F401

    if impl == "cxlens":
        import cxlens.metrics.query  # noqa: F401
    timings: dict[str, float] = {}
    results: dict[str, pd.DataFrame] = {}
    extra: dict[str, Any] = {}
    if impl == "profile":
        extra["profile"] = {label: profile(db, keys, nps) for label, keys in BREAKDOWNS.items()}
    if impl == "pandas":
        t0 = time.perf_counter()
        inter, surv = pandas_load(db)
        timings["load"] = time.perf_counter() - t0
    if impl == "spark":  # db is the lake's URL; starting Spark is the "load" step
        from cxlens import store

        t0 = time.perf_counter()
        store.connect(db).query("SELECT 1")
        timings["load"] = time.perf_counter() - t0
    for label, keys in BREAKDOWNS.items() if impl != "profile" else ():
        t0 = time.perf_counter()
        if impl == "hand_sql":
            frame = hand_sql(db, keys, nps)
        elif impl in ("cxlens", "spark"):
            frame = cxlens_breakdown(db, keys, nps)
        else:
            frame = pandas_breakdown(inter, surv, keys, nps)
        timings[label] = time.perf_counter() - t0
        results[label] = frame
    with open(out, "wb") as fh:
        pickle.dump({"timings": timings, "results": results, "extra": extra}, fh)


def warm(path: str) -> None:
    """Read the warehouse file (or lake folder) once so every run starts with it in the page
    cache: pandas' 15 GB would otherwise evict it and hand the next run a cold disk."""
    target = Path(path.removeprefix("spark+lake://"))
    for file in ([target] if target.is_file() else sorted(target.rglob("*.parquet"))):
        with open(file, "rb") as fh:
            while fh.read(64 << 20):
                pass


def run_child(impl: str, db: str, nps: str) -> dict[str, Any]:
    warm(db)
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "result.pickle")
        cmd = [sys.executable, __file__, "--child", impl, "--db", db, "--nps", nps, "--out", out]
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            sys.exit(f"{impl} failed with exit status {proc.returncode}")
        with open(out, "rb") as fh:
            data: dict[str, Any] = pickle.load(fh)
    data["rss_mib"] = usage.ru_maxrss / 1024  # Linux: KiB
    data["process_seconds"] = wall
    data["load"] = (load, os.getloadavg()[0])
    return data


# ---------------------------------------------------------------------------------------------
# verification


def normalise(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = frame[[*keys, "period", "metric", "value", "n"]].copy()
    for k in keys:
        out[k] = out[k].astype(object).where(out[k].notna(), NULL).astype(str)
    out["period"] = out["period"].astype(str)
    out["value"] = pd.to_numeric(out["value"]).astype(float)
    out["n"] = pd.to_numeric(out["n"]).astype(np.int64)
    return out


def compare(ref: pd.DataFrame, other: pd.DataFrame, keys: list[str],
            ) -> tuple[list[str], int, int]:
    """Problems (empty when equal), segments in both, and how many of those agree."""
    on = [*keys, "period", "metric"]
    a, b = normalise(ref, keys), normalise(other, keys)
    problems = []
    for name, frame in (("reference", a), ("other", b)):
        dup = frame.duplicated(on)
        if dup.any():
            problems.append(f"{dup.sum()} duplicate segments in {name}: "
                            f"{frame[dup].head(3).to_dict('records')}")
    m = a.merge(b, on=on, how="outer", suffixes=("_a", "_b"), indicator=True)
    for side, label in (("left_only", "only in cxlens"), ("right_only", "missing from cxlens")):
        rows = m[m["_merge"] == side]
        if len(rows):
            problems.append(f"{len(rows)} segments {label}, e.g. "
                            f"{rows[on].head(3).to_dict('records')}")
    both = m[m["_merge"] == "both"]
    va, vb = both["value_a"].to_numpy(), both["value_b"].to_numpy()
    same_nan = np.isnan(va) & np.isnan(vb)
    with np.errstate(invalid="ignore"):
        close = np.abs(va - vb) <= RTOL * np.maximum(np.abs(va), np.abs(vb))
    bad_value = ~(same_nan | close)
    bad_n = both["n_a"].to_numpy() != both["n_b"].to_numpy()
    for mask, what in ((bad_value, "values"), (bad_n, "n")):
        if mask.any():
            rows = both[mask]
            cols = [*on, "value_a", "value_b", "n_a", "n_b"]
            problems.append(f"{mask.sum()} {what} differ, by metric "
                            f"{rows['metric'].value_counts().to_dict()}, e.g. "
                            f"{rows[cols].head(3).to_dict('records')}")
    return problems, len(both), int((~bad_value & ~bad_n).sum())


def exact_quantiles(ref: pd.DataFrame, other: pd.DataFrame, keys: list[str]) -> tuple[int, int]:
    """(identical, compared) median and P90 values — bit for bit."""
    on = [*keys, "period", "metric"]
    a, b = normalise(ref, keys), normalise(other, keys)
    m = a[a["metric"].isin(QUANTILES)].merge(b, on=on, suffixes=("_a", "_b"))
    same = (m["value_a"] == m["value_b"]) | (m["value_a"].isna() & m["value_b"].isna())
    return int(same.sum()), len(m)


# ---------------------------------------------------------------------------------------------
# parent


def warehouse(scale: float, db: str | None) -> str:
    path = db or str(Path(tempfile.gettempdir()) / f"cxlens-scorecard-{scale:g}.duckdb")
    if Path(path).exists():
        print(f"reusing {path}", file=sys.stderr)
        return path
    print(f"building the demo at scale {scale:g} into {path} ...", file=sys.stderr)
    t0 = time.perf_counter()
    cli = Path(sys.executable).with_name("cxlens")
    subprocess.run([str(cli), "demo", "--scale", str(scale), "--db", path], check=True)
    print(f"built in {time.perf_counter() - t0:,.0f} s", file=sys.stderr)
    return path


def facts(db: str) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect(db, read_only=True)
    try:
        def one(sql: str) -> Any:
            row = con.sql(sql).fetchone()
            assert row is not None
            return row[0]

        return {
            "interactions": one("SELECT count(*) FROM interactions"),
            "survey_responses": one("SELECT count(*) FROM survey_responses"),
            "nps_kinds": one("SELECT count(DISTINCT kind) FROM survey_responses "
                             "WHERE survey = 'nps'"),
            "duckdb": duckdb.__version__,
            "file_gib": Path(db).stat().st_size / 2**30,
        }
    finally:
        con.close()


def ensure_lake(db: str, lake: str | None) -> str:
    """The lake folder for the spark run, exported from ``db`` when it does not exist yet."""
    if not lake:
        sys.exit("spark needs --lake DIR (exported from --db when DIR does not exist)")
    folder = Path(lake).resolve()
    if not folder.exists():
        # in a process of its own: a child forked from a big parent would report the parent's
        # resident set as its own peak
        t0 = time.perf_counter()
        cli = Path(sys.executable).with_name("cxlens")
        subprocess.run([str(cli), "export-lake", str(folder), "--db", db], check=True,
                       stdout=subprocess.DEVNULL)
        print(f"exported the lake to {folder} in {time.perf_counter() - t0:.0f} s",
              file=sys.stderr)
    return str(folder)


def revision() -> str:
    """The last commit that changed src/, and whether src/ had uncommitted changes."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "log", "-1", "--format=%h", "--", "src"], cwd=root,
                              check=True, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "src"], cwd=root, check=True,
                               capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown revision"
    return f"commit {head}" + (" with uncommitted changes in src/" if dirty else "")


def nps_name(info: dict[str, Any]) -> str:
    """``nps`` refuses to mix relational and transactional responses in one figure; when the
    warehouse holds both, the scorecard uses ``nps:relational`` everywhere."""
    return "nps:relational" if info["nps_kinds"] > 1 else "nps"


def table(runs: dict[str, list[dict[str, Any]]]) -> tuple[str, dict[str, dict[str, float]]]:
    """The Markdown table (best time of each column over the repeats) and those times."""
    labels = list(BREAKDOWNS)
    best: dict[str, dict[str, float]] = {}
    for impl, reps in runs.items():
        cols = ["load", *labels]
        best[impl] = {c: min(r["timings"].get(c, 0.0) for r in reps) for c in cols}
        best[impl]["total"] = sum(best[impl][c] for c in cols)
    base = best.get("hand_sql", {}).get("total")
    head = ("| implementation | load (s) | " + " | ".join(f"{b} (s)" for b in labels)
            + " | total (s) | × hand SQL | peak RSS (MiB) |")
    lines = [head, "|---" + "|---:" * (len(labels) + 4) + "|"]
    for impl, t in best.items():
        ratio = f"{t['total'] / base:.2f}" if base else "–"
        rss = max(r["rss_mib"] for r in runs[impl])
        load = f"{t['load']:.1f}" if impl in ("pandas", "spark") else "–"
        lines.append(f"| {impl} | {load} | " + " | ".join(f"{t[b]:.1f}" for b in labels)
                     + f" | {t['total']:.1f} | {ratio} | {rss:,.0f} |")
    return "\n".join(lines) + "\n", best


def print_profile(prof: dict[str, dict[str, Any]]) -> None:
    print("\ncxlens under cProfile, each query sent to DuckDB timed:")
    for label, p in prof.items():
        sql = sum(t for t, _, _ in p["statements"])
        print(f"\n{label}: {p['total']:.1f} s = {sql:.1f} s in {len(p['statements'])} DuckDB "
              f"queries + {p['total'] - sql:.1f} s in Python\n")
        print("| seconds | reads | computes |\n|---:|---|---|")
        for seconds, tables, cols in sorted(p["statements"], reverse=True):
            print(f"| {seconds:.2f} | {tables} | {cols} |")
        top = [line for line in p["top"].splitlines() if line.strip()]
        start = next(i for i, line in enumerate(top) if line.lstrip().startswith("ncalls"))
        print("\nfunctions by own time:\n\n```\n" + "\n".join(top[start:]) + "\n```")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=42.0)
    parser.add_argument("--db", help="reuse (or build into) this DuckDB warehouse file")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; best time counts")
    parser.add_argument("--only", default=DEFAULT,
                        help="comma-separated subset of " + ", ".join(IMPLEMENTATIONS)
                        + f" (default {DEFAULT})")
    parser.add_argument("--lake", help="for spark: the Parquet lake (exported from --db with "
                        "cxlens export-lake when the folder does not exist)")
    parser.add_argument("--profile", action="store_true",
                        help="also profile one cxlens run (time of each DuckDB query)")
    parser.add_argument("--child", choices=[*IMPLEMENTATIONS, "profile"],
                        help=argparse.SUPPRESS)
    parser.add_argument("--nps", default="nps", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.db, args.nps, args.out)
        return

    impls = [i for i in IMPLEMENTATIONS if i in args.only.split(",")]
    db = warehouse(args.scale, args.db)
    info = facts(db)
    nps = nps_name(info)
    print(f"{info['interactions']:,} interactions, {info['survey_responses']:,} survey "
          f"responses, {info['file_gib']:.1f} GiB; NPS as {nps}", file=sys.stderr)
    runs: dict[str, list[dict[str, Any]]] = {i: [] for i in impls}
    before = revision()
    lake = f"spark+lake://{ensure_lake(db, args.lake)}" if "spark" in impls else ""
    for rep in range(args.repeat):
        for impl in impls:
            data = run_child(impl, lake if impl == "spark" else db, nps)
            runs[impl].append(data)
            total = sum(data["timings"].values())
            print(f"  run {rep + 1}: {impl} {total:,.1f} s, peak RSS {data['rss_mib']:,.0f} MiB"
                  f" (process {data['process_seconds']:,.1f} s; 1-min load average "
                  f"{data['load'][0]:.1f} before, {data['load'][1]:.1f} after)", file=sys.stderr)
    prof = run_child("profile", db, nps)["extra"]["profile"] if args.profile else None

    after = revision()
    failures: list[str] = []
    checks: list[str] = []
    if "cxlens" in runs:
        ref = runs["cxlens"][0]["results"]
        for impl in [i for i in impls if i != "cxlens"]:
            for label, keys in BREAKDOWNS.items():
                problems, count, agree = compare(ref[label], runs[impl][0]["results"][label],
                                                 keys)
                same, nq = exact_quantiles(ref[label], runs[impl][0]["results"][label], keys)
                if problems:
                    failures += [f"cxlens vs {impl}, {label}: {p}" for p in problems]
                checks.append(f"cxlens vs {impl}, {label}: {agree:,} of {count:,} figures in "
                              f"both agree{'' if not problems else ' — BUT SEE BELOW'}; "
                              "median/P90 identical "
                              f"bit for bit: {same:,} of {nq:,}")

    text, best = table(runs)
    print(f"\n{info['interactions']:,} interactions, {info['survey_responses']:,} survey "
          f"responses ({info['file_gib']:.1f} GiB DuckDB {info['duckdb']} file); "
          f"{os.cpu_count()} cores, {platform.python_version()}; NPS as {nps}; "
          f"best of {args.repeat}; src/ at {before}"
          + ("" if after == before else f" at the start, {after} at the end (CHANGED)") + "\n")
    print(text)
    if "hand_sql" in best and "cxlens" in best:
        ratio = best["cxlens"]["total"] / best["hand_sql"]["total"]
        print(f"- cxlens / hand SQL = {ratio:.2f} (target ≤ 1.5: "
              f"{'met' if ratio <= 1.5 else 'NOT met'})")
    if "spark" in best and "cxlens" in best:
        ratio = best["spark"]["total"] / best["cxlens"]["total"]
        print(f"- Spark (local, {os.cpu_count()} cores; start-up in load) / cxlens on DuckDB = "
              f"{ratio:.1f}")
    if "pandas" in best and "cxlens" in best:
        speedup = best["pandas"]["total"] / best["cxlens"]["total"]
        print(f"- pandas / cxlens = {speedup:.1f} (target ≥ 10: "
              f"{'met' if speedup >= 10 else 'NOT met'})")
    if "cxlens" in runs:
        rss = max(r["rss_mib"] for r in runs["cxlens"])
        print(f"- cxlens peak RSS {rss:,.0f} MiB (target < 4096: "
              f"{'met' if rss < 4096 else 'NOT met'})")
    if prof:
        print_profile(prof)
    print("\nverification (value rel. tol. 1e-9, n exact):")
    for line in checks:
        print(f"- {line}")
    if failures:
        print("\nVERIFICATION FAILED:", file=sys.stderr)
        for line in failures:
            print(f"- {line}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
