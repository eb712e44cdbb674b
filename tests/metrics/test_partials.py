"""Statistics kept per period and patched after an import (issue 18) give exactly what a full
computation gives: every request below is computed, data is imported (a new day, contacts
whose vendor changes under old answers, answers moved to another month), and the figures
computed from the kept statistics are compared with those computed from nothing."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from cxlens import store
from cxlens.ingest.pipeline import import_files
from cxlens.metrics import partials
from cxlens.metrics.catalogue import resolve
from cxlens.metrics.compile import PERIOD, Request
from cxlens.metrics.query import query
from cxlens.store.base import Warehouse
from cxlens.store.migrate import bump_data_version

#: (metrics, query arguments): periods, totals, segments, quantiles, distinct counts, a
#: ratio, a filter on a joined column, a derived column (computed in full), customer periods.
REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("csat,nps,fcr", {"by": "vendor", "grain": "month"}),
    ("csat,ces", {}),
    ("csat", {"by": ["vendor", "channel"]}),
    ("aht,asa,service_level,first_response_time:p90", {"by": "channel"}),
    ("aht,first_response_time:p90", {"by": "vendor", "grain": "month",
                                     "start": "2025-01-01", "end": "2026-12-31"}),
    ("csat", {"by": "vendor", "grain": "week", "where": "category = 'billing'"}),
    ("contact_volume,reopen_rate,escalation_rate", {"by": "segment"}),
    ("fcr:repeat_contact", {"grain": "month"}),
    ("response_rate", {"by": "vendor"}),
    ("churn_rate", {"grain": "quarter"}),
    # a median and a P90 over everything: each month's sorted values kept and merged
    ("first_response_time,first_response_time:p90,first_resolution_time:p90",
     {"by": "channel"}),
    ("first_response_time,first_response_time:p90", {"where": "vendor = 'Acme BPO'"}),
    # relational NPS is about no contact, so it has no answer of a vendor: no row in any month
    ("nps:relational,csat", {"where": "vendor = 'Acme BPO'"}),
]


def _all(wh: Warehouse) -> list[pd.DataFrame]:
    return [query(names, db=wh, **kw) for names, kw in REQUESTS]


@pytest.fixture
def copy(demo_db: str, tmp_path: Path) -> Iterator[Warehouse]:
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    partials.clear()
    with store.connect(str(path)) as wh:
        yield wh
    partials.clear()


def _csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def _changes(wh: Warehouse, folder: Path) -> None:
    """A day of new contacts and answers; contacts of the first month moved to another
    vendor (their old answers' vendor moves with them); answers moved a month later."""
    last = wh.scalar("SELECT max(created_at) FROM interactions")
    day = wh.query_df("SELECT * FROM interactions WHERE created_at > "
                      "(SELECT max(created_at) FROM interactions) - INTERVAL 1 DAY "
                      "ORDER BY interaction_id")
    answers = wh.query_df("SELECT * FROM survey_responses WHERE interaction_id IN "
                          f"({','.join(repr(i) for i in day['interaction_id'])}) "
                          "ORDER BY response_id")
    for frame in (day, answers):
        for col in frame.columns:
            if str(frame[col].dtype).startswith("datetime64"):
                frame[col] = frame[col] + pd.Timedelta(days=1)
    day["interaction_id"] = "D-" + day["interaction_id"].astype(str)
    answers["response_id"] = "D-" + answers["response_id"].astype(str)
    answers["interaction_id"] = "D-" + answers["interaction_id"].astype(str)
    first = wh.query_df(
        "SELECT i.* FROM interactions i WHERE i.interaction_id IN (SELECT interaction_id FROM "
        "survey_responses) AND i.created_at < (SELECT min(created_at) FROM interactions) + "
        "INTERVAL 20 DAY ORDER BY i.interaction_id LIMIT 40")
    vendors = sorted(str(v) for (v,) in wh.query(
        "SELECT DISTINCT vendor FROM interactions WHERE vendor IS NOT NULL"))
    first["vendor"] = [vendors[(vendors.index(str(v)) + 1) % len(vendors)]
                       if v in vendors else vendors[0] for v in first["vendor"]]
    moved = wh.query_df("SELECT * FROM survey_responses WHERE responded_at < "
                        "(SELECT min(responded_at) FROM survey_responses) + INTERVAL 45 DAY "
                        "ORDER BY response_id LIMIT 30")
    moved["responded_at"] = moved["responded_at"] + pd.Timedelta(days=35)
    assert last is not None and len(day) and len(answers) and len(first) and len(moved)
    for table, frame in (("interactions", pd.concat([day, first])),
                         ("survey_responses", pd.concat([answers, moved]))):
        result = import_files(wh, table, [_csv(frame, folder / f"{table}.csv")])
        assert result.inserted + result.updated == len(frame), result.summary()


def _straight(wh: Warehouse) -> list[pd.DataFrame]:
    """Every request computed straight from the warehouse's SQL, nothing kept or summed."""
    dialects = partials.DIALECTS
    partials.DIALECTS = ()
    try:
        return _all(wh)
    finally:
        partials.DIALECTS = dialects


def _same(kept: list[pd.DataFrame], full: list[pd.DataFrame]) -> None:
    for (names, kw), a, b in zip(REQUESTS, kept, full, strict=True):
        pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-9,
                                      obj=f"{names} {kw}")


def test_patched_statistics_equal_a_full_computation(copy: Warehouse, tmp_path: Path) -> None:
    lists = partials.counts["full:lists"]
    before = _all(copy)
    before_lists = partials.counts["full:lists"] - lists  # the two quantile requests
    _changes(copy, tmp_path)
    start = partials.counts.copy()
    kept = _all(copy)
    done = partials.counts - start
    # the kept path, not a recompute; what is kept whole (a derived column, customer periods, a
    # P90 over everything) is computed again: the change reaches it
    assert done["patched"] > 0 and done["full:periods"] + done["full:months"] == 0, done
    assert done["full:whole"] > 0, done
    assert done["no rows: kept"] >= 1, done  # relational NPS per vendor, not scanned again
    assert done["full:lists"] == 0 and before_lists == 2, (done, before_lists)
    partials.clear()
    full = _straight(copy)
    _same(kept, full)
    _same(_all(copy), full)  # computed in full from months and sorted lists: the same
    nothing = kept[-1].set_index("metric").loc["nps:relational"]
    assert nothing["n"] == 0 and nothing["flag"] == "no_data", nothing
    # the changes moved the figures the test looks at (a test that would pass unpatched fails)
    by_vendor = [f[f["metric"] == "csat"] for f in (before[0], kept[0])]
    first_month = by_vendor[0]["period"].min()
    old, new = (f[f["period"] == first_month].set_index("vendor")["n"] for f in by_vendor)
    assert not old.equals(new), "moving contacts to another vendor moves their answers"
    assert kept[1]["n"].sum() > before[1]["n"].sum()


def test_nothing_changed_answers_from_the_kept_statistics(copy: Warehouse) -> None:
    first = _all(copy)
    start = partials.counts.copy()
    again = _all(copy)
    done = partials.counts - start
    assert done["full"] == 0 and done["patched"] == 0 and done["hit"] > 0, done
    assert done["uncached"] == 0, done  # every request here is kept
    _same(again, first)


def test_a_change_the_log_does_not_describe_recomputes_in_full(copy: Warehouse) -> None:
    _all(copy)
    with copy.transaction():
        copy.execute("UPDATE survey_responses SET score = 1 WHERE response_id IN "
                     "(SELECT response_id FROM survey_responses ORDER BY response_id LIMIT 50)")
        bump_data_version(copy, ["survey_responses"])  # no ranges: the chain breaks here
    start = partials.counts.copy()
    kept = _all(copy)
    done = partials.counts - start
    assert done["full"] > 0 and done["patched"] == 0, done
    _same(kept, _straight(copy))


def test_pooled_means_and_spreads_match_numpy() -> None:
    """Summing months: the pooled mean, SD, variances and covariance of parts equal numpy's
    over the concatenated values (a maintained library as the oracle)."""
    rng = np.random.default_rng(3)
    parts = [rng.normal(5, 2, size=(n, 2)) for n in (1, 7, 30, 2, 0, 11)]
    rows = []
    for i, p in enumerate(parts):
        x, y = p[:, 0], p[:, 1]
        n = len(p)
        rows.append({"period": pd.Timestamp(2026, i + 1, 1), "n": n,
                     "mean": x.mean() if n else np.nan, "sd": x.std(ddof=1) if n > 1 else np.nan,
                     "mean_x": x.mean() if n else np.nan, "mean_y": y.mean() if n else np.nan,
                     "var_x": x.var(ddof=1) if n > 1 else np.nan,
                     "var_y": y.var(ddof=1) if n > 1 else np.nan,
                     "cov_xy": np.cov(x, y)[0, 1] if n > 1 else np.nan})
    frame = pd.DataFrame(rows)
    aht = resolve("aht")
    assert partials.combinable(aht)
    total = partials._total(frame, aht, Request())
    assert total is not None
    allx = np.concatenate([p[:, 0] for p in parts])
    ally = np.concatenate([p[:, 1] for p in parts])
    assert total["n"].iloc[0] == len(allx)
    assert total["mean"].iloc[0] == pytest.approx(allx.mean(), rel=1e-12)
    assert total["sd"].iloc[0] == pytest.approx(allx.std(ddof=1), rel=1e-12)
    assert total["var_y"].iloc[0] == pytest.approx(ally.var(ddof=1), rel=1e-12)
    assert total["cov_xy"].iloc[0] == pytest.approx(np.cov(allx, ally)[0, 1], rel=1e-12)
    assert PERIOD not in total


@pytest.mark.parametrize(("grain", "when", "start", "after"), [
    ("day", "2026-03-31 23:59", "2026-03-31", "2026-04-01"),
    ("week", "2026-03-01 10:00", "2026-02-23", "2026-03-02"),  # a Sunday: Monday's week
    ("month", "2026-12-31 12:00", "2026-12-01", "2027-01-01"),
    ("quarter", "2026-08-15 00:00", "2026-07-01", "2026-10-01"),
    ("year", "2026-08-15 00:00", "2026-01-01", "2027-01-01"),
])
def test_periods_are_cut_as_the_warehouse_cuts_them(grain: str, when: str, start: str,
                                                   after: str) -> None:
    first = partials.start_of(dt.datetime.fromisoformat(when), grain)
    assert first == dt.datetime.fromisoformat(start)
    assert partials.next_start(first, grain) == dt.datetime.fromisoformat(after)


@pytest.mark.parametrize(("names", "kw"), [
    ("csat,nps,fcr", {"by": "vendor", "grain": "month"}),
    ("aht,first_response_time:p90", {"by": "channel", "grain": "week"}),
    ("csat,ces,contact_volume", {}),  # totals from months: both edges are mid-month
])
def test_a_window_that_slid_is_patched_not_recomputed(copy: Warehouse, names: str,
                                                      kw: dict[str, Any]) -> None:
    """The pages' windows slide with the data (the last twelve months, a month later): the
    periods both windows share are kept, those at the edges computed again."""
    query(names, db=copy, start="2025-10-07", end="2026-03-20", **kw)
    start = partials.counts.copy()
    slid = query(names, db=copy, start="2025-11-15", end="2026-05-03", **kw)
    done = partials.counts - start
    assert done["patched"] >= 1, done  # (its presence probes too)
    assert done["full:periods"] + done["full:months"] == 0, done
    partials.clear()
    full = query(names, db=copy, start="2025-11-15", end="2026-05-03", **kw)
    pd.testing.assert_frame_equal(slid, full, check_dtype=False, rtol=1e-9)
    assert len(full) and full["n"].sum() > 0


def test_a_scale_mixed_across_months_is_still_refused(copy: Warehouse, tmp_path: Path) -> None:
    """CSAT never mixes scales in one figure: each month is on 1–5 alone, so only the kept
    months' extents (lowest and highest scale) show that the whole range mixes 1–5 and 1–7."""
    from cxlens.metrics.result import MixedFigure

    query("csat", db=copy)
    last = pd.Timestamp(copy.scalar("SELECT max(responded_at) FROM survey_responses"))
    later = (last + pd.Timedelta(days=40)).strftime("%Y-%m-%d %H:%M")
    path = tmp_path / "seven.csv"
    path.write_text("response_id,survey,score,scale_min,scale_max,responded_at\n"
                    f"S7-1,csat,7,1,7,{later}\nS7-2,csat,6,1,7,{later}\n")
    import_files(copy, "survey_responses", [path])
    start = partials.counts.copy()
    with pytest.raises(MixedFigure, match="scale_max"):
        query("csat", db=copy)
    assert (partials.counts - start)["patched"] >= 1


def test_customer_periods_are_computed_again_when_their_orders_change(
        copy: Warehouse, tmp_path: Path) -> None:
    """CLV reads the customers' orders through the customer periods: kept whole, it is
    computed again after an orders import."""
    ask = {"grain": "quarter", "by": "order_currency"}
    before = query("clv,churn_rate", db=copy, **ask)
    orders = copy.query_df("SELECT * FROM orders WHERE status = 'completed' "
                           "ORDER BY ordered_at DESC LIMIT 20")
    orders["order_id"] = "N-" + orders["order_id"].astype(str)
    orders["amount"] = orders["amount"] * 10
    import_files(copy, "orders", [_csv(orders, tmp_path / "orders.csv")])
    start = partials.counts.copy()
    kept = query("clv,churn_rate", db=copy, **ask)
    assert (partials.counts - start)["full:whole"] >= 1
    partials.clear()
    pd.testing.assert_frame_equal(kept, query("clv,churn_rate", db=copy, **ask),
                                  check_dtype=False, rtol=1e-9)
    clv = [f[f["metric"] == "clv"]["value"].sum() for f in (before, kept)]
    assert clv[1] > clv[0]


def test_kept_whole_figures_stay_when_a_change_touches_none_of_their_rows(
        copy: Warehouse, tmp_path: Path) -> None:
    """A median over everything is kept whole; new contacts that no follow-up case points
    at leave the cases' median time to follow up as it was (no recomputation), while a P90
    of the contacts themselves is computed again."""
    cases = ("time_to_followup", {"by": "vendor"})
    contacts = ("first_response_time:p90", {"by": "channel"})
    for names, kw in (cases, contacts):
        query(names, db=copy, **kw)
    day = copy.query_df("SELECT * FROM interactions ORDER BY created_at DESC LIMIT 50")
    day["interaction_id"] = "W-" + day["interaction_id"].astype(str)
    import_files(copy, "interactions", [_csv(day, tmp_path / "day.csv")])
    start = partials.counts.copy()
    kept = query(cases[0], db=copy, **cases[1])
    assert (partials.counts - start)["full"] == 0
    query(contacts[0], db=copy, **contacts[1])
    assert (partials.counts - start)["full:whole"] >= 1
    partials.clear()
    pd.testing.assert_frame_equal(kept, query(cases[0], db=copy, **cases[1]),
                                  check_dtype=False, rtol=1e-9)


def test_quantiles_from_months_sorted_values_by_hand() -> None:
    """Two months' sorted values [1, 3, 5] and [2, 4] of one segment, and a segment with
    rows but no value: worked by hand with the nearest-rank median and its interval
    (n = 5: ranks 3 and 3; 2.5 ∓ 1.96·√1.25 + 0.5 gives ranks 0 → 1 and 6 → 5)."""
    median = resolve("first_response_time")
    assert median.quantile == 0.5
    frame = pd.DataFrame({
        "vendor": ["a", "a", None],
        PERIOD: pd.to_datetime(["2025-01-01", "2025-02-01", "2025-01-01"]),
        "m0__population_rows": [3, 2, 4],
        "_xs0": [np.array([1.0, 3.0, 5.0]), np.array([2.0, 4.0]), None],
    })
    (got,) = partials._picked(frame, [median], Request(dims=("vendor",)))
    assert got.to_dict("records")[0] == {"vendor": "a", "n": 5, "q_lo": 3.0, "q_hi": 3.0,
                                         "ci_lo": 1.0, "ci_hi": 5.0}
    second = got.to_dict("records")[1]
    assert second["vendor"] is None and second["n"] == 0 and np.isnan(second["q_lo"])


def test_sorted_values_kept_stay_within_their_budget(copy: Warehouse,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Over the budget, the least recently used sorted values are dropped (and computed
    again when asked for)."""
    names = "first_response_time,first_response_time:p90"

    def held() -> list[int]:
        return [e.values for e in partials._kept.values() if e.values]

    first = query(names, by="vendor", db=copy)
    (size,) = held()  # the same answers split by channel hold as many values
    monkeypatch.setattr(partials, "VALUES", size * 3 // 2)
    query(names, by="channel", db=copy)
    assert len(held()) == 1
    start = partials.counts.copy()
    again = query(names, by="vendor", db=copy)
    assert (partials.counts - start)["full:lists"] == 1  # dropped, so computed again
    pd.testing.assert_frame_equal(again, first)
