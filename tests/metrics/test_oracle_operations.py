"""Operations metrics (operations.yaml) against hand-written SQL on the demo warehouse, and the
business-hours durations against a hand-worked week; on DuckDB and Postgres."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cxlens.metrics.query import query
from cxlens.store.base import Warehouse
from tests.metrics.oracles import (
    MONTH,
    SECS,
    alone_and_with,
    assert_count,
    assert_mean,
    assert_quantile,
    assert_share,
    merged,
    needs,
    oracle_for,
    quantile_merged,
)

CREATED = MONTH.format(col="created_at")
#: Offered contacts (the population of service level and abandonment).
OFFERED = ("direction = 'inbound' AND channel IN ('phone', 'chat') AND "
           "(answered_at IS NOT NULL OR abandoned_at IS NOT NULL)")


#: Each oracle below using ``company`` also checks its metric asked together with these
#: (one shared scan of interactions; a duration's median, P90 and mean in one sort).
company = alone_and_with("contact_volume", "escalation_rate", "upsell_rate", "aht:without_acw",
                         "fcr:one_touch", "fcr:repeat_same_category", "asa",
                         "first_resolution_time", "first_resolution_time:p90",
                         "first_resolution_time:mean")


@oracle_for("fcr")
def test_survey_fcr_by_vendor_month(demo: Warehouse) -> None:
    """Respondents saying it was solved in one contact / respondents who answered the
    question; the vendor snapshotted on the response wins over the interaction's."""
    assert_share(merged(demo, "fcr", ["vendor"], f"""
        SELECT coalesce(r.vendor, i.vendor) AS vendor,
               {MONTH.format(col='r.responded_at')} AS period, count(*) AS n_sql,
               sum(CASE WHEN r.resolved_reported THEN 1 ELSE 0 END) AS k
        FROM survey_responses r LEFT JOIN interactions i ON i.interaction_id = r.interaction_id
        WHERE r.resolved_reported IS NOT NULL GROUP BY 1, 2"""))


def with_next_contact(partition: str) -> str:
    """Every contact with the customer's next contact (any contact, abandoned ones included;
    ties in time ordered by interaction id) as ``nxt``, and ``alone`` when there is none
    within 7 days."""
    return f"""
        WITH c AS (SELECT *, lead(created_at) OVER (PARTITION BY {partition}
                                                    ORDER BY created_at, interaction_id) AS nxt
                   FROM interactions),
             w AS (SELECT *, (nxt IS NULL OR {SECS.format(a='created_at', b='nxt')} > 604800)
                             AS alone FROM c)"""


@oracle_for("fcr:repeat_same_category")
def test_repeat_same_category_fcr(demo: Warehouse, company: tuple[str, ...]) -> None:
    """Resolved = no later contact from the same customer about the same category within
    7 days."""
    assert_share(merged(demo, "fcr:repeat_same_category", ["vendor"], f"""
        {with_next_contact("customer_id, category")}
        SELECT vendor, {CREATED} AS period, count(*) AS n_sql,
               sum(CASE WHEN alone THEN 1 ELSE 0 END) AS k
        FROM w WHERE customer_id IS NOT NULL AND abandoned_at IS NULL GROUP BY 1, 2""",
        company=company))


@oracle_for("fcr:operational")
def test_operational_fcr(demo: Warehouse, company: tuple[str, ...]) -> None:
    """Handled (not abandoned) contacts with a recorded outcome: resolved and never reopened
    (no reopen count, as on a call, is no reopen)."""
    needs("fcr:operational")
    assert_share(merged(demo, "fcr:operational", ["vendor"], f"""
        SELECT vendor, {CREATED} AS period, count(*) AS n_sql,
               sum(CASE WHEN resolved AND coalesce(reopen_count, 0) = 0 THEN 1 ELSE 0 END) AS k
        FROM interactions WHERE abandoned_at IS NULL AND resolved IS NOT NULL
        GROUP BY 1, 2""", company=company))


@oracle_for("resolution_rate")
def test_resolution_rate(demo: Warehouse, company: tuple[str, ...]) -> None:
    """Handled contacts flagged resolved / handled contacts with a recorded outcome."""
    needs("resolution_rate")
    assert_share(merged(demo, "resolution_rate", ["vendor"], f"""
        SELECT vendor, {CREATED} AS period, count(*) AS n_sql,
               sum(CASE WHEN resolved THEN 1 ELSE 0 END) AS k
        FROM interactions WHERE abandoned_at IS NULL AND resolved IS NOT NULL GROUP BY 1, 2""",
        company=company))


@oracle_for("fcr:one_touch")
def test_one_touch_fcr(demo: Warehouse, company: tuple[str, ...]) -> None:
    assert_share(merged(demo, "fcr:one_touch", ["vendor"], f"""
        SELECT vendor, {CREATED} AS period, count(*) AS n_sql,
               sum(CASE WHEN agent_replies <= 1 THEN 1 ELSE 0 END) AS k
        FROM interactions WHERE resolved_at IS NOT NULL AND agent_replies IS NOT NULL
        GROUP BY 1, 2""", company=company))


@oracle_for("aht:without_acw")
def test_aht_without_after_call_work(demo: Warehouse, company: tuple[str, ...]) -> None:
    handle = "talk_seconds + coalesce(hold_seconds, 0)"
    assert_mean(merged(demo, "aht:without_acw", ["vendor"], f"""
        SELECT vendor, {CREATED} AS period, count(*) AS n_sql,
               avg({handle}) AS mean, stddev_samp({handle}) AS sd
        FROM interactions WHERE talk_seconds IS NOT NULL GROUP BY 1, 2""", company=company))


@oracle_for("asa")
def test_asa_is_the_mean_wait_of_answered_contacts(demo: Warehouse,
                                                   company: tuple[str, ...]) -> None:
    wait = SECS.format(a="created_at", b="answered_at")
    # every contact forms a segment; one without an answered contact has n 0 and no figure
    assert_mean(merged(demo, "asa", ["channel"], f"""
        SELECT channel, {CREATED} AS period, count({wait}) AS n_sql,
               avg({wait}) AS mean, stddev_samp({wait}) AS sd
        FROM interactions GROUP BY 1, 2""", company=company))


@oracle_for("service_level:negative", "service_level:positive")
def test_service_level_variants(demo: Warehouse, company: tuple[str, ...]) -> None:
    """negative: answered within 20 s / all offered; positive: (answered within 20 s +
    abandoned within 20 s) / all offered."""
    fast = (f"answered_at IS NOT NULL AND {SECS.format(a='created_at', b='answered_at')} <= 20")
    gone = f"abandoned_at IS NOT NULL AND {SECS.format(a='created_at', b='abandoned_at')} <= 20"
    assert_share(merged(demo, "service_level:negative", ["channel"], f"""
        SELECT channel, {CREATED} AS period, count(*) AS n_sql,
               sum(CASE WHEN {fast} THEN 1 ELSE 0 END) AS k
        FROM interactions WHERE {OFFERED} GROUP BY 1, 2""", company=company))
    assert_share(merged(demo, "service_level:positive", ["channel"], f"""
        SELECT channel, {CREATED} AS period, count(*) AS n_sql,
               sum(CASE WHEN ({fast}) OR ({gone}) THEN 1 ELSE 0 END) AS k
        FROM interactions WHERE {OFFERED} GROUP BY 1, 2""", company=company))


T0 = dt.datetime(2024, 6, 3, 10, tzinfo=dt.UTC)
#: Contacts at the thresholds: (id, channel, direction, answered after s, abandoned after s).
QUEUE = [
    ("a", "phone", "inbound", 10, None), ("b", "phone", "inbound", 20, None),
    ("c", "chat", "inbound", 21, None), ("d", "phone", "inbound", None, 4),
    ("e", "phone", "inbound", None, 5), ("f", "chat", "inbound", None, 20),
    ("g", "phone", "inbound", None, 21), ("h", "phone", "outbound", 5, None),
    ("i", "email", "inbound", None, None), ("j", "chat", "inbound", None, None),
]
# offered: a–g (h is outbound, i e-mail, j neither answered nor abandoned)
#   service_level: abandons within 20 s (d, e, f) left out → a b c g, met a b: 2/4
#   service_level:negative: a–g, met a b: 2/7
#   service_level:positive: a–g, met a b and the abandons within 20 s d e f: 5/7
#   abandonment_rate: abandons under 5 s (d) left out → a b c e f g, abandoned e f g: 3/6
#   abandonment_rate:all: every abandon counted → a–g, abandoned d e f g: 4/7
THRESHOLDS = {"service_level": (2, 4), "service_level:negative": (2, 7),
              "service_level:positive": (5, 7), "abandonment_rate": (3, 6),
              "abandonment_rate:all": (4, 7)}


@oracle_for(*THRESHOLDS)
def test_queue_metrics_at_their_thresholds(wh: Warehouse) -> None:
    def after(s: int | None) -> dt.datetime | None:
        return None if s is None else T0 + dt.timedelta(seconds=s)

    wh.insert_rows("interactions", ["interaction_id", "channel", "direction", "created_at",
                                    "answered_at", "abandoned_at"],
                   [[iid, ch, d, T0, after(ans), after(ab)] for iid, ch, d, ans, ab in QUEUE])
    for name, (k, n) in THRESHOLDS.items():
        row = query(name, db=wh).iloc[0]
        assert (row["n"], row["value"]) == (n, pytest.approx(100 * k / n)), name


@oracle_for("escalation_summary_completeness")
def test_an_empty_summary_is_no_summary(wh: Warehouse) -> None:
    # escalated: a summary, an empty one, none → 1 of 3; the contact not escalated is out
    wh.insert_rows("interactions", ["interaction_id", "channel", "created_at", "escalated",
                                    "escalation_summary"],
                   [["a", "phone", T0, True, "Customer wants a refund"],
                    ["b", "phone", T0, True, ""], ["c", "phone", T0, True, None],
                    ["d", "phone", T0, False, None]])
    row = query("escalation_summary_completeness", db=wh).iloc[0]
    assert (row["n"], row["value"]) == (3, pytest.approx(100 / 3))


#: Duration metrics on calendar time: (name, start, end, attributed to).
DURATIONS = {
    "first_response_time": ("created_at", "first_response_at", "created_at"),
    "first_resolution_time": ("created_at", "resolved_at", "created_at"),
    "full_resolution_time": ("created_at", "closed_at", "created_at"),
    "transfer_response_time": ("escalated_at", "escalation_accepted_at", "escalated_at"),
}


@oracle_for(*DURATIONS)
@oracle_for(*(f"{name}:p90" for name in DURATIONS))
@pytest.mark.parametrize("name", list(DURATIONS))
@pytest.mark.parametrize(("stat", "p"), [("", 0.5), (":p90", 0.9)])
def test_duration_quantiles_by_vendor_month(demo: Warehouse, company: tuple[str, ...],
                                            name: str, stat: str, p: float) -> None:
    start, end, time = DURATIONS[name]
    company = (*company, name, f"{name}:p90", f"{name}:mean") if company else ()
    assert_quantile(quantile_merged(demo, name + stat, ["vendor"], f"""
        SELECT vendor, {MONTH.format(col=time)} AS period, {SECS.format(a=start, b=end)} AS x
        FROM interactions WHERE {time} IS NOT NULL""", p, company=company))


@oracle_for(*(f"{name}:mean" for name in DURATIONS))
@pytest.mark.parametrize("name", list(DURATIONS))
def test_duration_means_by_vendor_month(demo: Warehouse, company: tuple[str, ...],
                                        name: str) -> None:
    start, end, time = DURATIONS[name]
    company = (*company, name, f"{name}:p90") if company else ()
    secs = SECS.format(a=start, b=end)
    assert_mean(merged(demo, f"{name}:mean", ["vendor"], f"""
        SELECT vendor, {MONTH.format(col=time)} AS period, count({secs}) AS n_sql,
               avg({secs}) AS mean, stddev_samp({secs}) AS sd
        FROM interactions WHERE {time} IS NOT NULL GROUP BY 1, 2""", company=company))


@oracle_for("escalation_summary_completeness")
def test_escalation_summary_completeness(demo: Warehouse, company: tuple[str, ...]) -> None:
    assert_share(merged(demo, "escalation_summary_completeness", ["vendor"], f"""
        SELECT vendor, {CREATED} AS period, count(*) AS n_sql,
               sum(CASE WHEN escalation_summary IS NOT NULL AND escalation_summary <> ''
                        THEN 1 ELSE 0 END) AS k
        FROM interactions WHERE escalated GROUP BY 1, 2""", company=company))


@oracle_for("calls_handled")
def test_calls_handled(demo: Warehouse, company: tuple[str, ...]) -> None:
    assert_count(merged(demo, "calls_handled", ["vendor"], f"""
        SELECT vendor, {CREATED} AS period, count(*) AS n_sql FROM interactions
        WHERE channel = 'phone' AND direction = 'inbound' AND answered_at IS NOT NULL
        GROUP BY 1, 2""", company=company))


@oracle_for("upsell_rate", "cross_sell_rate")
@pytest.mark.parametrize(("metric", "column"), [("upsell_rate", "upsell"),
                                                ("cross_sell_rate", "cross_sell")])
def test_sales_rates(demo: Warehouse, company: tuple[str, ...], metric: str,
                     column: str) -> None:
    assert_share(merged(demo, metric, ["vendor"], f"""
        SELECT vendor, {CREATED} AS period, count(*) AS n_sql,
               sum(CASE WHEN {column} THEN 1 ELSE 0 END) AS k
        FROM interactions WHERE abandoned_at IS NULL AND {column} IS NOT NULL
        GROUP BY 1, 2""", company=company))


# -- business hours: a hand-worked week -----------------------------------------------------


def at(day: int, hh: int, mm: int = 0) -> dt.datetime:
    """June 2024 in UTC: 3rd is a Monday, 8th–9th the weekend, 10th a Monday."""
    return dt.datetime(2024, 6, day, hh, mm, tzinfo=dt.UTC)


#: Contacts of one week: created, first response, first solve, last solve; the default
#: schedule is Mon–Fri 09:00–17:00 UTC without holidays. Business seconds worked out by hand
#: in the comment of each row (first response / first solve / last solve).
WEEK = [
    ("A", at(3, 10), at(3, 10, 5), at(3, 11), at(3, 11)),      # 5 min / 1 h / 1 h
    ("B", at(3, 16, 30), at(4, 9, 30), at(4, 10), at(5, 10)),  # 30+30 min / 30 min+1 h /
    #                                                            30 min + 8 h + 1 h
    ("C", at(7, 16), at(10, 9, 10), at(10, 12), at(10, 12)),   # Fri 1 h + Mon 10 min /
    #                                                            1 h + 3 h / the same
    ("D", at(8, 10), at(8, 11), at(10, 9), at(10, 10)),        # Saturday: 0 / 0 / Mon 1 h
    ("E", at(4, 8), at(4, 8, 30), at(4, 9, 15), at(4, 18)),    # before opening: 0 / 15 min /
    #                                                            the whole day, 8 h
    ("F", at(5, 12), at(5, 12, 1), at(5, 13), at(6, 13)),      # 1 min / 1 h / 5 h + 4 h
    ("G", at(5, 20), at(6, 9, 20), at(6, 17, 30), at(7, 9, 30)),  # evening: 20 min / 8 h /
    #                                                            8 h + 30 min
    ("H", at(6, 9), at(6, 9), at(6, 9), at(6, 9)),             # 0 / 0 / 0
    ("I", at(6, 14), None, at(7, 11), at(7, 11)),              # no reply / 3 h + 2 h / same
    ("J", at(3, 9), at(3, 9, 45), at(4, 9), at(10, 9)),        # 45 min / 8 h / five days 40 h
]
# first response (9 values): 0 0 0 60 300 1200 2700 3600 4200
#   median rank 5 = 300; z·√(9·¼) = 2.94 → interval ranks ⌊4.5 − 2.94 + ½⌋ = 2 and
#   ⌈4.5 + 2.94 + ½⌉ = 8: 0 … 3600. P90 rank ⌈8.1⌉ = 9 = 4200; z·√(9·0.09) = 1.76 →
#   ranks ⌊6.84⌋ = 6 and ⌈10.36⌉ = 11 → 9: 1200 … 4200.
# first solve (10): 0 0 900 3600 3600 5400 14400 18000 28800 28800
#   median (3600 + 5400)/2 = 4500; z·√2.5 = 3.10 → ranks 2 and 9: 0 … 28800.
#   P90 rank 9 = 28800; z·√0.9 = 1.86 → ranks 7 and 12 → 10: 14400 … 28800.
# last solve (10): 0 3600 3600 14400 18000 28800 30600 32400 34200 144000
#   median (18000 + 28800)/2 = 23400, ranks 2 and 9: 3600 … 34200;
#   P90 rank 9 = 34200, ranks 7 and 10: 30600 … 144000.
BUSINESS = {
    "first_response_time:business": (9, 300, 0, 3600),
    "first_response_time:business_p90": (9, 4200, 1200, 4200),
    "first_resolution_time:business": (10, 4500, 0, 28800),
    "first_resolution_time:business_p90": (10, 28800, 14400, 28800),
    "full_resolution_time:business": (10, 23400, 3600, 34200),
    "full_resolution_time:business_p90": (10, 34200, 30600, 144000),
}


@oracle_for(*BUSINESS)
def test_business_hours_durations_on_a_hand_worked_week(wh: Warehouse) -> None:
    wh.insert_rows("interactions", ["interaction_id", "channel", "created_at",
                                    "first_response_at", "resolved_at", "closed_at"],
                   [[iid, "email", *times] for iid, *times in WEEK])
    for name, want in BUSINESS.items():
        row = query(name, db=wh).iloc[0]
        assert tuple(float(row[k]) for k in ("n", "value", "ci_low", "ci_high")) == want, name


@oracle_for("fcr:repeat_contact")
def test_a_repeat_outside_the_range_or_filter_still_counts(wh: Warehouse) -> None:
    # K: phone 30 May, e-mail 2 June (3 days later); L: phone 20 May, phone 29 May (9 days)
    day = dt.datetime(2024, 5, 20, 10, tzinfo=dt.UTC)
    wh.insert_rows("interactions", ["interaction_id", "channel", "customer_id", "created_at"],
                   [["c1", "phone", "K", day + dt.timedelta(days=10)],
                    ["c2", "email", "K", day + dt.timedelta(days=13)],
                    ["c3", "phone", "L", day], ["c4", "phone", "L", day + dt.timedelta(days=9)]])
    cases: list[tuple[dict[str, Any], int, int]] = [
             ({}, 3, 4),                          # all: only c1 is followed within 7 days
             ({"end": "2024-05-31"}, 2, 3),       # c2 is after the range, still a repeat of c1
             ({"where": "channel = 'phone'"}, 2, 3)]  # c2 is filtered out, still a repeat
    for kw, k, n in cases:
        row = query("fcr:repeat_contact", db=wh, **kw).iloc[0]
        assert (row["n"], row["value"]) == (n, pytest.approx(100 * k / n)), kw
