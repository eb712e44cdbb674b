"""Closed-loop metrics (loop.yaml) against hand-written SQL on the demo's follow-up cases, by
case rule and month; on DuckDB and Postgres."""

from __future__ import annotations

import pytest

from cxlens.store.base import Warehouse
from tests.metrics.oracles import (
    MONTH,
    SECS,
    alone_and_with,
    assert_count,
    assert_quantile,
    assert_share,
    merged,
    oracle_for,
    quantile_merged,
)

OPENED = MONTH.format(col="opened_at")
TO_CONTACT = SECS.format(a="opened_at", b="first_contact_at")


#: Loop metrics asked together with the one under test (one scan, one sort of cases).
company = alone_and_with("followup_cases", "followup_within", "followup_within:h48",
                         "time_to_followup", "overdue_case_rate", "recovery_rate")


@oracle_for("followup_cases")
def test_cases_by_rule_month(demo: Warehouse, company: tuple[str, ...]) -> None:
    assert_count(merged(demo, "followup_cases", ["rule"], f"""
        SELECT rule, {OPENED} AS period, count(*) AS n_sql FROM followup_cases GROUP BY 1, 2""",
        company=company))


@oracle_for("followup_within", "followup_within:h48")
@pytest.mark.parametrize(("metric", "hours"), [("followup_within", 24),
                                               ("followup_within:h48", 48)])
def test_followed_up_within(demo: Warehouse, company: tuple[str, ...], metric: str,
                            hours: int) -> None:
    """Every case counts; one never contacted counts as not followed up."""
    assert_share(merged(demo, metric, ["rule"], f"""
        SELECT rule, {OPENED} AS period, count(*) AS n_sql,
               sum(CASE WHEN first_contact_at IS NOT NULL AND {TO_CONTACT} <= {hours * 3600}
                        THEN 1 ELSE 0 END) AS k
        FROM followup_cases GROUP BY 1, 2""", company=company))


@oracle_for("time_to_followup")
def test_time_to_followup_median(demo: Warehouse, company: tuple[str, ...]) -> None:
    """Median of contacted cases only; a segment with none contacted has n 0."""
    assert_quantile(quantile_merged(demo, "time_to_followup", ["rule"], f"""
        SELECT rule, {OPENED} AS period, {TO_CONTACT} AS x FROM followup_cases""", 0.5,
        company=company))


@oracle_for("overdue_case_rate", "recovery_rate")
def test_overdue_and_recovery(demo: Warehouse, company: tuple[str, ...]) -> None:
    assert_share(merged(demo, "overdue_case_rate", ["rule"], f"""
        SELECT rule, {OPENED} AS period, count(*) AS n_sql,
               sum(CASE WHEN overdue_at IS NOT NULL THEN 1 ELSE 0 END) AS k
        FROM followup_cases GROUP BY 1, 2""", company=company))
    # of cases whose customer answered again: the share whose answer left the band
    assert_share(merged(demo, "recovery_rate", ["rule"], f"""
        SELECT rule, {OPENED} AS period, count(*) AS n_sql,
               sum(CASE WHEN recovered THEN 1 ELSE 0 END) AS k
        FROM followup_cases WHERE recovered IS NOT NULL GROUP BY 1, 2""", company=company))
