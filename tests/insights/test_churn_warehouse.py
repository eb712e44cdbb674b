"""Churn-risk features from the warehouse against a world worked by hand (DuckDB and Postgres),
the time-based holdout on the demo, and the refusals."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from cxlens.insights import InsufficientData
from cxlens.insights.churn.warehouse import churn_risk, features, features_at, labelled
from cxlens.store.base import Warehouse


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


CUT = dt.date(2026, 4, 1)  # window: 1 Jan – 31 Mar 2026


def _world(wh: Warehouse) -> None:
    wh.insert_rows("customers", ["customer_id", "acquired_at", "churned_at", "segment"], [
        ("A", _at("2025-04-01 00:00"), _at("2026-05-01 00:00"), "smb"),
        ("B", _at("2026-03-01 00:00"), None, None),
        ("C", _at("2025-01-01 00:00"), _at("2026-03-15 00:00"), "consumer"),  # gone before
        ("D", _at("2026-05-01 00:00"), None, "consumer"),  # not yet a customer
        ("E", _at("2024-04-01 00:00"), _at("2026-08-01 00:00"), "consumer"),  # churns later
    ])
    wh.insert_rows("interactions", ["interaction_id", "customer_id", "channel", "created_at",
                                    "reopen_count", "escalated", "resolved"], [
        ("i1", "A", "phone", _at("2026-02-01 10:00"), 2, True, False),  # unresolved escalation
        ("i2", "A", "email", _at("2026-03-01 10:00"), 0, True, True),
        ("i3", "A", "chat", _at("2025-12-15 10:00"), 5, True, False),  # before the window
        ("i4", "E", "chat", _at("2026-03-31 23:00"), None, None, None),
    ])
    wh.insert_rows("survey_responses", ["response_id", "customer_id", "survey", "score",
                                        "scale_min", "scale_max", "responded_at"], [
        ("r1", "A", "nps", 3, 0, 10, _at("2026-02-10 10:00")),
        ("r2", "A", "nps", 9, 0, 10, _at("2026-03-20 10:00")),  # A's last NPS
        ("r3", "A", "nps", 0, 0, 10, _at("2026-04-02 10:00")),  # after the cutoff
        ("r4", "B", "csat", 2, None, None, _at("2026-03-05 10:00")),
        ("r5", "B", "csat", 5, 0, 10, _at("2026-03-10 10:00")),  # 5 of 0–10 = 3 on 1–5
    ])
    wh.insert_rows("orders", ["order_id", "customer_id", "ordered_at", "amount", "status"], [
        ("o1", "A", _at("2026-03-15 10:00"), 10.0, "completed"),
        ("o2", "A", _at("2026-02-01 10:00"), 10.0, "refunded"),
        ("o3", "A", _at("2025-06-01 10:00"), 10.0, "completed"),  # ever, not in the window
        ("o4", "E", _at("2025-12-01 10:00"), 10.0, "completed"),
    ])


def test_features_by_hand(wh: Warehouse) -> None:
    _world(wh)
    got = labelled(wh, CUT, horizon_days=90).set_index("customer_id")
    assert list(got.index) == ["A", "B", "E"]  # C churned before, D came later
    a = got.loc["A"]
    assert a["tenure_years"] == pytest.approx(365 / 365.25)
    assert (a["contacts"], a["reopens"], a["unresolved_escalations"]) == (
        pytest.approx(math.log1p(2)), 2.0, 1.0)
    assert (a["last_nps"], a["no_nps"], a["last_csat"], a["no_csat"]) == (9.0, 0.0, 0.0, 1.0)
    assert (a["orders"], a["never_ordered"], a["churned"]) == (pytest.approx(math.log1p(1)),
                                                              0.0, 1)
    assert a["segment"] == "smb"
    b = got.loc["B"]
    assert (b["contacts"], b["last_csat"], b["no_csat"], b["no_nps"]) == (0.0, 3.0, 0.0, 1.0)
    assert (b["never_ordered"], b["segment"], b["churned"]) == (1.0, "(unknown)", 0)
    e = got.loc["E"]  # churns on 1 August: after the 90 days from 1 April
    assert (e["contacts"], e["reopens"], e["churned"]) == (pytest.approx(math.log1p(1)), 0, 0)
    assert (e["orders"], e["never_ordered"]) == (0.0, 0.0)
    # a later cutoff: A has churned, the window moves on
    later = features(wh, dt.date(2026, 6, 1)).set_index("customer_id")
    assert sorted(later.index) == ["B", "D", "E"]


def test_three_days_in_one_read(wh: Warehouse) -> None:
    """The one read of several days (issue 18) gives each day the rows of its own read, and
    the answers and windows move with the day as worked by hand."""
    _world(wh)
    days = [dt.date(2026, 3, 1), CUT, dt.date(2026, 4, 3)]
    read = features_at(wh, days, lean=days[:2])
    for day in days:
        alone = features(wh, day)
        if day in days[:2]:  # lean: segment only of the attributes
            alone = alone[[c for c in alone.columns
                           if c not in {"region", "country", "age_group", "gender",
                                        "acquisition_source"}]]
        pd.testing.assert_frame_equal(read[day], alone)
    a = {day: read[day].set_index("customer_id").loc["A"] for day in days}
    # A's last NPS: 3 (10 Feb) on 1 March, 9 (20 March) on 1 April, 0 (2 April) on 3 April
    assert [a[d]["last_nps"] for d in days] == [3.0, 9.0, 0.0]
    # A's contacts in the 90 days before: i3 (15 Dec) and i1 (1 Feb) on 1 March; i1 and i2
    # on 1 April and 3 April
    assert [a[d]["contacts"] for d in days] == pytest.approx([math.log1p(2)] * 3)
    assert [a[d]["reopens"] for d in days] == [7.0, 2.0, 2.0]
    # B's CSAT: none before 1 March, then 3 (5 of 0–10) — and B was acquired on 1 March,
    # so is not at risk that day (acquired before the day's start only)
    assert "B" not in set(read[days[0]]["customer_id"])
    assert read[days[2]].set_index("customer_id").loc["B", "last_csat"] == 3.0


def test_holdout_on_the_demo(demo: Warehouse) -> None:
    r = churn_risk(demo)
    assert r.as_of == dt.date(2026, 9, 30)
    assert (r.train.cutoff, r.test.cutoff) == (dt.date(2026, 4, 4), dt.date(2026, 7, 3))
    assert r.train.churned >= 20 and r.test.churned >= 20
    e = r.evaluation
    for f in e.figures().values():
        assert f.n == r.test.customers and f.ci_low <= f.value <= f.ci_high
    # the demo's churn depends on the segment and little else: not much to find
    assert 0.45 < e.auc.value < 0.75
    assert e.churn_rate.value == pytest.approx(r.test.churned / r.test.customers)
    assert e.brier.value == pytest.approx(e.brier_reference, rel=0.1)
    # every customer at risk on 1 October 2026 is scored, riskiest first, with an interval
    at_risk = demo.scalar(
        "SELECT count(*) FROM customers WHERE acquired_at < ? AND "
        "(churned_at IS NULL OR churned_at >= ?)", [_at("2026-10-01 00:00")] * 2)
    s = r.scores
    assert len(s) == at_risk and s["customer_id"].is_unique
    assert (np.diff(s["risk"]) <= 0).all()
    assert ((s["ci_low"] <= s["risk"]) & (s["risk"] <= s["ci_high"])).all()
    assert (s["n"] == r.test.customers).all()


def test_refusals(wh: Warehouse) -> None:
    with pytest.raises(InsufficientData) as empty:
        churn_risk(wh)
    assert "no customers" in empty.value.message
    _world(wh)
    with pytest.raises(InsufficientData) as few:
        churn_risk(wh, dt.date(2026, 9, 30))
    assert "churned_at" in few.value.hint


def no_signal_history(wh: Warehouse, n: int = 1500) -> None:
    """A year of customers whose churn day is drawn independently of everything they have
    (segment, tenure, contacts): a model can only rank them by chance."""
    rng = np.random.default_rng(3)
    start = _at("2025-10-01 00:00")
    rows = []
    for i in range(n):
        acquired = start - dt.timedelta(days=int(rng.integers(30, 1000)))
        churn = start + dt.timedelta(days=int(rng.integers(0, 365)), hours=12) \
            if rng.random() < 0.4 else None
        rows.append((f"C{i:04d}", acquired, churn, str(rng.choice(["consumer", "smb"]))))
    wh.insert_rows("customers", ["customer_id", "acquired_at", "churned_at", "segment"], rows)
    contacts = rng.poisson(0.8, n)
    wh.insert_rows("interactions", ["interaction_id", "customer_id", "channel", "created_at"], [
        (f"I{i:04d}-{k}", f"C{i:04d}", "chat",
         start + dt.timedelta(days=int(rng.integers(0, 365))))
        for i in range(n) for k in range(int(contacts[i]))])


def test_no_better_than_chance_lists_nobody(wh: Warehouse) -> None:
    no_signal_history(wh)
    r = churn_risk(wh, dt.date(2026, 9, 30))
    a = r.evaluation.auc
    assert a.ci_low < 0.5 < a.ci_high and r.test.churned >= 50
    assert r.verdict == (f"this model ranks customers no better than chance on the holdout: "
                         f"AUC {a.value:.2f} ({a.ci_low:.2f}–{a.ci_high:.2f}), n = {a.n:,}")
    assert r.scores.empty and r.at_risk > 500


def test_riskiest_first_is_pandas_order_with_ties_and_missing() -> None:
    """The score order equals pandas' two-key sort (risk descending, id ascending, missing
    risk last) on hand-made ties, a missing risk and ids out of order."""
    import numpy as np
    import pandas as pd

    from cxlens.insights.churn.warehouse import riskiest_first

    frame = pd.DataFrame({"customer_id": ["c9", "a1", "b2", "z0", "c3", "a0", "m5", "b1"],
                          "risk": [0.2, 0.5, 0.2, np.nan, 0.9, 0.2, np.nan, 0.5]})
    expected = ["c3", "a1", "b1", "a0", "b2", "c9", "m5", "z0"]
    assert frame.sort_values(["risk", "customer_id"], ascending=[False, True],
                             kind="stable")["customer_id"].tolist() == expected
    got = riskiest_first(frame["risk"].to_numpy(float), frame["customer_id"])
    assert frame["customer_id"].iloc[got].tolist() == expected
    # the riskiest few are the first of that order, ties at the edge and missing risks too
    for top in range(len(expected) + 2):
        few = riskiest_first(frame["risk"].to_numpy(float), frame["customer_id"], top)
        assert frame["customer_id"].iloc[few].tolist() == expected[:top]


def test_the_riskiest_few_are_the_first_of_every_score(demo: Warehouse) -> None:
    """``churn_risk(top=k)``'s scores are the first k rows of the whole list: the same
    customers, risks, intervals and attributes (the page and the CLI ask for the few they show)."""
    whole = churn_risk(demo).scores
    few = churn_risk(demo, top=25)
    assert few.at_risk == len(whole) and len(few.scores) == 25
    pd.testing.assert_frame_equal(few.scores, whole.head(25), check_exact=False, rtol=1e-13)
    assert few.scores["risk"].tolist() == whole["risk"].head(25).tolist()
