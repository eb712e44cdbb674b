"""The checks on the demo warehouse against hand-written SQL and the textbook formulas:
drift (pooled two-proportion z test, Benjamini–Hochberg by hand), control (Laney p′ written
out), thresholds and SLA targets (decided from the figure and its interval)."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import pytest
from scipy import stats

from cxlens.alerts.checks import control, drift, sla, threshold
from cxlens.alerts.spec import Rule
from cxlens.metrics.catalogue import resolve
from cxlens.store.base import Warehouse

FCR_BY_VENDOR = """
SELECT i.vendor, count(*) AS n, sum(CASE WHEN r.resolved_reported THEN 1 ELSE 0 END) AS k
FROM survey_responses r JOIN interactions i ON r.interaction_id = i.interaction_id
WHERE r.resolved_reported IS NOT NULL AND r.responded_at >= ? AND r.responded_at < ?
GROUP BY i.vendor ORDER BY i.vendor"""


def _utc(y: int, m: int) -> dt.datetime:
    return dt.datetime(y, m, 1, tzinfo=dt.UTC)


def _fcr(wh: Warehouse, start: dt.datetime, end: dt.datetime) -> dict[str, tuple[int, int]]:
    return {v: (int(k), int(n)) for v, n, k in wh.query(FCR_BY_VENDOR, [start, end])}


def test_drift_matches_the_pooled_z_test_and_bh_by_hand(demo: Warehouse) -> None:
    rule = Rule(name="d", metric="fcr", by=("vendor",), check="drift", min_change=2)
    got = {j.segment: j for j in drift(demo, rule, resolve("fcr"), dt.date(2026, 7, 1))}
    now, before = _fcr(demo, _utc(2026, 5), _utc(2026, 8)), _fcr(demo, _utc(2026, 2),
                                                                 _utc(2026, 5))
    p = {}
    for vendor in now:
        (k2, n2), (k1, n1) = now[vendor], before[vendor]
        pooled = (k1 + k2) / (n1 + n2)
        z = (k2 / n2 - k1 / n1) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        p[vendor] = 2 * stats.norm.sf(abs(z))
        j = got[f"vendor={vendor}"]
        assert j.n == n2 and j.window == "2026-05..2026-07"
        assert j.change == pytest.approx(100 * (k2 / n2 - k1 / n1))
        se = 100 * math.sqrt(k1 / n1 * (1 - k1 / n1) / n1 + k2 / n2 * (1 - k2 / n2) / n2)
        assert j.change_low == pytest.approx(j.change - 1.959964 * se, rel=1e-5)
        assert j.p_value == pytest.approx(p[vendor])
    ranked = sorted(p.items(), key=lambda kv: kv[1])
    m = len(ranked)
    q = {}
    running = 1.0
    for i in range(m - 1, -1, -1):  # step-up: q_(i) = min over j >= i of p_(j) * m / j
        running = min(running, ranked[i][1] * m / (i + 1))
        q[ranked[i][0]] = running
    for vendor in now:
        j = got[f"vendor={vendor}"]
        expected = q[vendor] <= 0.05 and j.change is not None and j.change <= -2
        assert j.breached == expected, vendor
    assert any(j.breached for j in got.values())


def test_control_matches_laney_written_out(demo: Warehouse) -> None:
    rule = Rule(name="c", metric="fcr", by=("vendor",), check="control")
    month = dt.date(2026, 6, 1)
    got = {j.segment: j for j in control(demo, rule, resolve("fcr"), month)}
    base = [_fcr(demo, _utc(2025 + (m > 12), (m - 1) % 12 + 1), _utc(2025 + (m + 1 > 12),
                                                                     m % 12 + 1))
            for m in range(6, 18)]  # 2025-06 … 2026-05; the demo starts in 2025-10
    now = _fcr(demo, _utc(2026, 6), _utc(2026, 7))
    for vendor, (k_now, n_now) in now.items():
        pairs = [b[vendor] for b in base if vendor in b and b[vendor][1] > 0]
        pbar = sum(k for k, _ in pairs) / sum(n for _, n in pairs)
        z = [(k / n - pbar) / math.sqrt(pbar * (1 - pbar) / n) for k, n in pairs]
        sz = sum(abs(b - a) for a, b in itertools.pairwise(z)) / (len(z) - 1) / 1.128
        half = 3 * math.sqrt(pbar * (1 - pbar) / n_now) * sz
        low = max(pbar - half, 0.0)
        j = got[f"vendor={vendor}"]
        assert j.n == n_now and j.value == pytest.approx(100 * k_now / n_now)
        assert j.breached == (k_now / n_now < low)
        if j.breached:
            assert j.limit == pytest.approx(100 * low)
        assert f"σz {sz:.2f}" in j.message


@pytest.mark.parametrize("miss", ["confidence", "point"])
def test_sla_misses_by_interval_or_point(demo: Warehouse, miss: str) -> None:
    rule = Rule(name="s", metric="fcr", by=("vendor",), check="sla", target=75, miss=miss)
    judged = sla(demo, rule, resolve("fcr"), dt.date(2026, 6, 1))
    assert len(judged) == 3
    for j in judged:
        assert j.breached == ((j.ci_high if miss == "confidence" else j.value) < 75)
    if miss == "point":
        assert sum(j.breached for j in judged) >= sum(
            j.ci_high < 75 for j in judged)  # a point miss is the looser rule


def test_threshold_and_minimum_sample(demo: Warehouse) -> None:
    month = dt.date(2026, 6, 1)
    rule = Rule(name="t", metric="fcr", by=("vendor",), check="threshold", below=70)
    judged = threshold(demo, rule, resolve("fcr"), month)
    now = _fcr(demo, _utc(2026, 6), _utc(2026, 7))
    assert {j.segment: j.breached for j in judged} == {
        f"vendor={v}": 100 * k / n < 70 for v, (k, n) in now.items()}
    few = Rule(name="t", metric="fcr", by=("vendor",), check="threshold", below=70,
               min_sample=max(n for _, n in now.values()) + 1)
    assert threshold(demo, few, resolve("fcr"), month) == []  # nobody judged, nobody alerted


def test_control_on_a_median_uses_its_order_statistic_se(duck: Warehouse) -> None:
    """Median first response, by hand: each of six baseline months has replies after 100, 200,
    …, 1000 s (median 550 s; ranks 2 and 9 of 10 → SE = 700/7·√2.5 = 158.1 s); the judged
    month 1100…2000 s (median 1550 s, same SE). Limits 550 ± 3·158.1 = 75.7–1024.3 s: above.
    (Alerts on a median used to fail: its variance read a standard deviation it has not.)"""
    rows = []
    for month in range(1, 8):
        shift = 1000 if month == 7 else 0
        for k in range(1, 11):
            created = dt.datetime(2026, month, 2, k, tzinfo=dt.UTC)
            rows.append([f"I{month}-{k}", created,
                         created + dt.timedelta(seconds=100 * k + shift)])
    duck.insert_rows("interactions", ["interaction_id", "created_at", "first_response_at"], rows)
    rule = Rule(name="frt", metric="first_response_time", check="control", min_sample=5,
                baseline_months=6)
    (j,) = control(duck, rule, resolve("first_response_time"), dt.date(2026, 7, 1))
    se = 100 * math.sqrt(2.5)
    assert j.value == pytest.approx(1550.0)
    assert j.breached and j.limit == pytest.approx(550 + 3 * se)
    # in the message as people read durations: 75.7 s, 1,024.3 s and 550 s
    assert "±3 SE limits 1 min 16 s – 17 min 04 s around 9 min 10 s" in j.message
    assert "25 min 50 s" in j.message  # the month judged, 1,550 s
