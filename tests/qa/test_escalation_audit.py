"""Escalation audit: the checks on a hand-built week (both backends), the week's sample fixed
once drawn, clear refusals, and a year of the demo operation against hand-written SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from statsmodels.stats.proportion import proportion_confint

from cxlens import store
from cxlens.demo import build_demo
from cxlens.errors import ConfigError
from cxlens.qa import escalation_audit as audit
from cxlens.store.base import Warehouse

MONDAY = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)  # 2026-W10
AFTER = dt.datetime(2026, 3, 20, tzinfo=dt.UTC)
_COLS = ("interaction_id", "vendor", "channel", "created_at", "escalated", "escalated_at",
         "escalation_accepted_at", "escalation_summary")
SUMMARY = "Issue: refund refused at tier 1; customer expects a call back."


def _esc(iid: str, vendor: str | None, *, at: dt.datetime | None = MONDAY,
         wait: float | None = 600, summary: str | None = SUMMARY,
         escalated: bool = True, created: dt.datetime | None = None) -> list[Any]:
    accepted = at + dt.timedelta(seconds=wait) if at is not None and wait is not None else None
    return [iid, vendor, "email", created or (at or MONDAY) - dt.timedelta(hours=1), escalated,
            at if escalated else None, accepted, summary]


def _week(wh: Warehouse) -> None:
    wh.insert_rows("interactions", _COLS, [
        _esc("A1", "Acme BPO", wait=600),                                 # passes both
        _esc("A2", "Acme BPO", wait=3600, summary=""),                    # SLA met exactly
        _esc("A3", "Acme BPO", wait=3601, summary="   "),                 # fails both
        _esc("A4", "Acme BPO", wait=None, summary="ok"),                  # never accepted
        _esc("A5", "Acme BPO", at=None, created=MONDAY + dt.timedelta(days=2)),  # no hand-over
        _esc("A6", "Acme BPO", at=MONDAY + dt.timedelta(days=7)),         # next week
        _esc("A7", "Acme BPO", escalated=False),                          # not escalated
        _esc("H1", None, wait=60),                                        # in-house
    ])


def test_a_hand_built_week(wh: Warehouse) -> None:
    _week(wh)
    got = audit.audit_week(wh, "2026-W10", now=AFTER)
    assert list(got["vendor"]) == ["Acme BPO", "in-house"]
    acme = got.iloc[0].to_dict()
    assert (acme["population"], acme["n"], acme["with_summary"], acme["within_sla"]) == (5, 5, 3, 2)
    assert acme["missing_summary"] == ["A2", "A3"]
    assert acme["over_sla"] == ["A3", "A4", "A5"]
    assert acme["summary_share"] == pytest.approx(0.6)
    low, high = proportion_confint(3, 5, method="wilson")
    assert (acme["summary_low"], acme["summary_high"]) == pytest.approx((low, high))
    low, high = proportion_confint(2, 5, method="wilson")
    assert (acme["sla_low"], acme["sla_high"]) == pytest.approx((low, high))
    assert got.iloc[1][["n", "with_summary", "within_sla"]].tolist() == [1, 1, 1]
    rows = audit.draw_week(wh, "2026-W10", now=AFTER)
    a2 = rows.set_index("interaction_id").loc["A2"]
    assert a2["transfer_seconds"] == 3600 and a2["summary_chars"] == 0 and bool(a2["within_sla"])


def test_a_minimum_summary_length(wh: Warehouse) -> None:
    _week(wh)
    got = audit.audit_week(wh, dt.date(2026, 3, 4), min_summary_chars=5, now=AFTER)
    assert got.iloc[0]["missing_summary"] == ["A2", "A3", "A4"]  # "ok" is too short


def test_the_sample_stays_fixed_once_drawn(wh: Warehouse) -> None:
    wh.insert_rows("interactions", _COLS, [_esc(f"N{k:02d}", "Northwind BPO",
                                                at=MONDAY + dt.timedelta(hours=k))
                                           for k in range(12)])
    first = audit.draw_week(wh, "2026-W10", sample_size=4, seed=5, now=AFTER)
    picked = list(first["interaction_id"])
    assert len(picked) == 4 and set(first["population"]) == {12}
    # new data for the week does not change the stored sample or its checks
    wh.execute("UPDATE interactions SET escalation_summary = '' WHERE interaction_id = ?",
               [picked[0]])
    wh.insert_rows("interactions", _COLS, [_esc("N99", "Northwind BPO")])
    again = audit.audit_week(wh, "2026-W10", sample_size=4, seed=5, now=AFTER)
    assert again.iloc[0]["n"] == 4 and again.iloc[0]["with_summary"] == 4
    assert list(audit.draw_week(wh, "2026W10", sample_size=4, seed=5, now=AFTER)
                ["interaction_id"]) == picked
    # ... but a vendor with no sample yet that week is drawn when it appears
    wh.insert_rows("interactions", _COLS, [_esc("Z1", "Zeta BPO")])
    assert list(audit.audit_week(wh, "2026-W10", sample_size=4, seed=5, now=AFTER)["vendor"]) \
        == ["Northwind BPO", "Zeta BPO"]
    # the seed decides the draw: the same seed draws the same sample again
    wh.execute("DELETE FROM cxlens_escalation_audits")
    wh.execute("DELETE FROM interactions WHERE interaction_id IN ('N99', 'Z1')")
    redrawn = audit.draw_week(wh, "2026-W10", sample_size=4, seed=5, now=AFTER)
    assert list(redrawn["interaction_id"]) == picked
    with pytest.raises(ConfigError) as err:
        audit.draw_week(wh, "2026-W10", sample_size=4, seed=6, now=AFTER)
    assert "already drawn with sample_size=4" in err.value.message and "seed=5" in err.value.message


def test_refusals_say_what_to_do() -> None:
    with pytest.raises(ConfigError, match="not an ISO week") as err:
        audit.iso_week("March 2026")
    assert "2026-W05" in err.value.hint
    with pytest.raises(ConfigError, match="2026 has no ISO week 54"):
        audit.iso_week("2026-W54")
    assert audit.iso_week("2026-w1")[0] == "2026-W01"
    assert audit.iso_week(dt.date(2027, 1, 1))[:2] == ("2026-W53", dt.datetime(
        2026, 12, 28, tzinfo=dt.UTC))


def test_unfinished_weeks_and_bad_parameters_are_refused(wh: Warehouse) -> None:
    with pytest.raises(ConfigError) as err:
        audit.draw_week(wh, "2026-W10", sample_size=0, sla_seconds=-1,
                        now=MONDAY + dt.timedelta(days=3))
    for part in ("sample_size must be at least 1", "sla_seconds cannot be negative",
                 "week 2026-W10 is not over yet"):
        assert part in err.value.message
    with pytest.raises(ConfigError, match="before the first"):
        audit.audit_weeks(wh, "2026-W10", "2026-W09", now=AFTER)


# -- a year of the demo operation against hand-written SQL ------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    path: Path = tmp_path_factory.mktemp("audit") / "demo.duckdb"
    wh = store.connect(str(path))
    build_demo(wh, scale=0.02, seed=3)
    yield wh
    wh.close()


def test_a_year_of_demo_audits_matches_hand_written_sql(demo: Warehouse) -> None:
    got = audit.audit_weeks(demo, "2025-W40", "2026-W40", sample_size=2, sla_seconds=1800,
                            seed=9, now=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    population = {(w, v): n for w, v, n in demo.query(
        "SELECT strftime(escalated_at, '%G-W%V'), vendor, count(*) FROM interactions "
        "WHERE escalated GROUP BY 1, 2")}
    assert sum(population.values()) == 400 and len(got) == len(population)
    assert {(r.week, r.vendor): r.population for r in got.itertuples()} == population
    assert (got["n"] == got["population"].clip(upper=2)).all()
    assert (got["population"] > 2).sum() > 20  # real sampling happened in many weeks
    checks = {(w, v): (n, s, ok) for w, v, n, s, ok in demo.query(
        "SELECT a.week, i.vendor, count(*), "
        "sum(CASE WHEN length(trim(i.escalation_summary)) >= 1 THEN 1 ELSE 0 END), "
        "sum(CASE WHEN epoch(i.escalation_accepted_at) - epoch(i.escalated_at) <= 1800 "
        "    THEN 1 ELSE 0 END) "
        "FROM cxlens_escalation_audits a JOIN interactions i USING (interaction_id) "
        "WHERE strftime(i.escalated_at, '%G-W%V') = a.week AND i.vendor = a.vendor "
        "AND i.escalated GROUP BY 1, 2")}
    assert {(r.week, r.vendor): (r.n, r.with_summary, r.within_sla)
            for r in got.itertuples()} == checks
    missing, over = sum(len(x) for x in got["missing_summary"]), sum(len(x) for x in got["over_sla"])
    assert missing == int((got["n"] - got["with_summary"]).sum()) and missing > 0
    assert over == int((got["n"] - got["within_sla"]).sum()) and over > 0
    for r in got.itertuples():
        low, high = proportion_confint(r.within_sla, r.n, method="wilson")
        assert (r.sla_low, r.sla_high) == pytest.approx((low, high))
    # asked again, the year's audit is the same
    again = audit.audit_weeks(demo, "2025-W40", "2026-W40", sample_size=2, sla_seconds=1800,
                              seed=9, now=dt.datetime(2026, 11, 2, tzinfo=dt.UTC))
    assert again.drop(columns=["missing_summary", "over_sla"]).equals(
        got.drop(columns=["missing_summary", "over_sla"]))
    assert list(again["over_sla"]) == list(got["over_sla"])
