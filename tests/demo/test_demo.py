"""The demo generator: determinism, referential integrity, the schema's rules (checked by the
project's own import validator), realism, and the planted effects.

Expected values are written here by hand from the issue, never taken from the generator."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlens import store
from cxlens.demo import DemoSummary, build_demo, planned_interactions
from cxlens.errors import ConfigError
from cxlens.ingest.pipeline import import_files, validate_files
from cxlens.schema import TABLES
from cxlens.store.base import Warehouse

#: Tables the demo generator fills (follow-up cases are made by running the closed loop).
DEMO_TABLES = list(TABLES)

SLIP_MONTHS = ("2026-05", "2026-06", "2026-07")
#: Tables in an order where every foreign key points at a table imported before it.
IMPORT_ORDER = ("customers", "web_sessions", "orders", "carts", "store_visits", "interactions",
                "survey_responses", "survey_invitations", "qa_reviews", "mentions",
                "initiatives")


def one(wh: Warehouse, sql: str) -> float:
    value = wh.scalar(sql)
    assert value is not None, sql
    return float(value)


def content_hash(wh: Warehouse, table: str) -> int:
    keys = ", ".join(TABLES[table].key)
    frame = wh.query_df(f"SELECT * FROM {table} ORDER BY {keys}")
    return int(pd.util.hash_pandas_object(frame, index=False).sum()) ^ len(frame)


def build(path: Path, scale: float, seed: int) -> Warehouse:
    wh = store.connect(str(path))
    build_demo(wh, scale=scale, seed=seed)
    return wh


# -- size and summary ------------------------------------------------------------------------
def test_scale_one_has_at_least_200k_interactions() -> None:
    assert 200_000 <= planned_interactions(1.0) <= 280_000
    assert 9_500_000 <= planned_interactions(42) <= 10_500_000
    assert planned_interactions(0.01) == 2_400


def test_every_table_is_filled_and_the_summary_counts_match(wh: Warehouse,
                                                            summary: DemoSummary) -> None:
    for name in DEMO_TABLES:
        assert wh.count(name) == summary.rows[name], name
        assert summary.rows[name] > 0, name
    assert summary.rows["interactions"] == 12_000
    assert summary.rows["initiatives"] == 2
    assert summary.start == dt.date(2025, 10, 1)
    assert summary.end == dt.date(2026, 9, 30)
    first, last = wh.query("SELECT min(created_at), max(created_at) FROM interactions")[0]
    assert first >= dt.datetime(2025, 10, 1, tzinfo=dt.UTC)
    assert first < dt.datetime(2025, 10, 2, tzinfo=dt.UTC)
    assert last < dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    assert last > dt.datetime(2026, 9, 30, tzinfo=dt.UTC)


def test_summary_is_frozen_and_describes_the_planted_effects(summary: DemoSummary) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.seed = 1  # type: ignore[misc]
    assert {"fcr_drives_satisfaction", "support_cohort_nps", "acme_empathy_initiative",
            "northwind_slip"} <= set(summary.planted)
    assert summary.planted["northwind_slip"]["vendor"] == "Northwind BPO"
    assert summary.planted["northwind_slip"]["months"] == ",".join(SLIP_MONTHS)
    assert summary.planted["acme_empathy_initiative"]["start"] == "2026-04-01"
    assert all(isinstance(e["what"], str) and e["what"] for e in summary.planted.values())


@pytest.mark.parametrize("scale", [0.0, -1.0, float("nan"), float("inf"), 1e-9])
def test_a_bad_scale_is_refused(tmp_path: Path, scale: float) -> None:
    with store.connect(str(tmp_path / "x.duckdb")) as wh, pytest.raises(ConfigError):
        build_demo(wh, scale=scale)


def test_progress_reaches_the_total(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    with store.connect(str(tmp_path / "p.duckdb")) as wh:
        build_demo(wh, scale=0.01, seed=1,
                   progress=lambda step, done, total: calls.append((step, done, total)))
    steps = [c for c in calls if c[0].startswith("demo data")]
    assert len(steps) == 12
    assert [c[1] for c in steps] == sorted(c[1] for c in steps)
    assert steps[-1][1] == steps[-1][2] == 2_400
    customers = [c for c in calls if c[0] == "customers"]
    assert customers[-1][1] == customers[-1][2] == 800
    assert calls[-1] == ("alert checks", 12, 12)  # the example alert rules, replayed monthly


# -- determinism -----------------------------------------------------------------------------
def test_same_seed_same_data_other_seed_other_data(tmp_path: Path) -> None:
    a, b, c = (build(tmp_path / f"{n}.duckdb", 0.01, seed)
               for n, seed in (("a", 3), ("b", 3), ("c", 4)))
    try:
        for name in DEMO_TABLES:
            assert content_hash(a, name) == content_hash(b, name), name
            if name != "initiatives":  # fixed rows, the same for every seed
                assert content_hash(a, name) != content_hash(c, name), name
    finally:
        for wh in (a, b, c):
            wh.close()


def test_a_rebuild_replaces_the_tables(tmp_path: Path) -> None:
    wh = build(tmp_path / "r.duckdb", 0.01, 5)
    try:
        before = content_hash(wh, "interactions")
        build_demo(wh, scale=0.01, seed=5)
        assert wh.count("interactions") == 2_400
        assert content_hash(wh, "interactions") == before
    finally:
        wh.close()


# -- integrity -------------------------------------------------------------------------------
FOREIGN_KEYS = [
    ("interactions", "customer_id", "customers", "customer_id"),
    ("survey_responses", "customer_id", "customers", "customer_id"),
    ("survey_responses", "interaction_id", "interactions", "interaction_id"),
    ("customers", "referred_by", "customers", "customer_id"),
    ("orders", "customer_id", "customers", "customer_id"),
    ("carts", "customer_id", "customers", "customer_id"),
    ("carts", "session_id", "web_sessions", "session_id"),
    ("carts", "order_id", "orders", "order_id"),
    ("web_sessions", "customer_id", "customers", "customer_id"),
    ("store_visits", "customer_id", "customers", "customer_id"),
    ("store_visits", "order_id", "orders", "order_id"),
    ("qa_reviews", "interaction_id", "interactions", "interaction_id"),
    ("survey_invitations", "customer_id", "customers", "customer_id"),
    ("survey_invitations", "interaction_id", "interactions", "interaction_id"),
    ("survey_invitations", "response_id", "survey_responses", "response_id"),
]


@pytest.mark.parametrize(("table", "column", "target", "key"), FOREIGN_KEYS)
def test_every_foreign_key_resolves(wh: Warehouse, table: str, column: str, target: str,
                                    key: str) -> None:
    used = one(wh, f"SELECT count(*) FROM {table} WHERE {column} IS NOT NULL")
    dangling = one(wh, f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT "
                       f"EXISTS (SELECT 1 FROM {target} r WHERE r.{key} = t.{column})")
    assert used > 0
    assert dangling == 0


def test_links_are_consistent(wh: Warehouse) -> None:
    # a referrer was a customer before the customer they referred
    assert one(wh, "SELECT count(*) FROM customers c JOIN customers r "
                   "ON r.customer_id = c.referred_by WHERE r.acquired_at >= c.acquired_at") == 0
    assert one(wh, "SELECT count(*) FROM customers WHERE referred_by IS NOT NULL "
                   "AND acquisition_source <> 'referral'") == 0
    # every order came from exactly one cart or store visit
    assert one(wh, "SELECT count(*) FROM orders o WHERE (SELECT count(*) FROM carts c WHERE "
                   "c.order_id = o.order_id) + (SELECT count(*) FROM store_visits v WHERE "
                   "v.order_id = o.order_id) <> 1") == 0
    assert one(wh, "SELECT count(*) FROM orders o JOIN store_visits v USING (order_id) "
                   "WHERE o.channel <> 'store' OR o.ordered_at < v.visited_at") == 0
    assert one(wh, "SELECT count(*) FROM orders o JOIN carts c USING (order_id) "
                   "WHERE o.channel <> 'online' OR o.ordered_at < c.created_at") == 0
    # surveys are about closed interactions of the same customer, sent after the close
    assert one(wh, "SELECT count(*) FROM survey_responses s JOIN interactions i "
                   "USING (interaction_id) WHERE s.customer_id <> i.customer_id "
                   "OR i.closed_at IS NULL OR s.sent_at < i.closed_at") == 0
    assert one(wh, "SELECT count(*) FROM qa_reviews q JOIN interactions i USING "
                   "(interaction_id) WHERE q.reviewed_at < i.closed_at") == 0


def test_exports_pass_the_import_validator(wh: Warehouse, tmp_path: Path) -> None:
    con = wh.con  # type: ignore[attr-defined]
    for name in DEMO_TABLES:
        path = tmp_path / f"{name}.parquet"
        con.execute(f"COPY (SELECT * FROM {name}) TO '{path}' (FORMAT parquet)")
        with store.connect(":memory:") as fresh:
            r = validate_files(fresh, name, [path])
        assert r.rows_read == wh.count(name), name
        assert r.rejected == 0, (name, [str(p) for p in r.problems[:5]])
        assert [p for p in r.problems if p.severity == "error"] == [], name


def test_imported_in_order_the_validator_finds_no_unknown_reference(wh: Warehouse,
                                                                      tmp_path: Path) -> None:
    con = wh.con  # type: ignore[attr-defined]
    with store.connect(":memory:") as fresh:
        for name in IMPORT_ORDER:
            path = tmp_path / f"{name}.parquet"
            con.execute(f"COPY (SELECT * FROM {name}) TO '{path}' (FORMAT parquet)")
            r = import_files(fresh, name, [path])
            assert r.problems == [], (name, [str(p) for p in r.problems[:5]])
            assert not [n for n in r.notes if "not checked" in n], (name, r.notes)
            assert fresh.count(name) == wh.count(name)


# -- the schema's rules, by hand -------------------------------------------------------------
def test_interaction_rules(wh: Warehouse) -> None:
    def none(where: str) -> None:
        assert one(wh, f"SELECT count(*) FROM interactions WHERE {where}") == 0, where

    none("answered_at IS NOT NULL AND abandoned_at IS NOT NULL")
    for early, late in TABLES["interactions"].time_order:
        none(f"{late} < {early}")
    none("channel NOT IN ('phone', 'email', 'chat', 'sms', 'social', 'in_app', 'in_store')")
    none("priority NOT IN ('low', 'normal', 'high', 'urgent')")
    none("talk_seconds < 0 OR hold_seconds < 0 OR wrap_seconds < 0 OR complexity < 0")
    none("(answered_at IS NOT NULL OR abandoned_at IS NOT NULL) "
         "AND channel NOT IN ('phone', 'chat')")
    none("first_response_at IS NOT NULL AND channel NOT IN ('email', 'sms', 'social', 'in_app')")
    none("reopen_count > 0 AND closed_at <= resolved_at")
    none("escalated AND (escalation_tier <> 2 OR escalated_at IS NULL)")
    none("NOT escalated AND (escalation_tier IS NOT NULL OR escalated_at IS NOT NULL "
         "OR escalation_summary IS NOT NULL)")
    none("abandoned_at IS NOT NULL AND (agent_id IS NOT NULL OR resolved)")
    none("resolved AND resolved_at IS NULL")
    # consistent organisation: one site per vendor, one vendor per team, one team per agent
    assert wh.query("SELECT vendor, min(site), max(site) FROM interactions GROUP BY 1 "
                    "ORDER BY 1") == [("Acme BPO", "Manila", "Manila"),
                                      ("Northwind BPO", "Bogotá", "Bogotá"),
                                      ("in-house", "Leeds", "Leeds")]
    assert one(wh, "SELECT count(*) FROM (SELECT team FROM interactions GROUP BY team "
                   "HAVING count(DISTINCT vendor) > 1)") == 0
    assert one(wh, "SELECT count(*) FROM (SELECT agent_id FROM interactions WHERE agent_id "
                   "IS NOT NULL GROUP BY 1 HAVING count(DISTINCT team) > 1)") == 0
    assert 50 <= one(wh, "SELECT count(DISTINCT agent_id) FROM interactions") <= 70
    assert one(wh, "SELECT count(DISTINCT channel) FROM interactions") == 7
    assert one(wh, "SELECT count(DISTINCT category) FROM interactions") >= 5


def test_survey_rules(wh: Warehouse) -> None:
    rows = wh.query("SELECT survey, kind, min(score), max(score), min(scale_min), "
                    "max(scale_max), count(interaction_id), count(*) FROM survey_responses "
                    "GROUP BY 1, 2 ORDER BY 1, 2")
    by = {(r[0], r[1]): r[2:] for r in rows}
    assert set(by) == {("ces", "transactional"), ("csat", "transactional"),
                       ("nps", "relational")}
    assert by["csat", "transactional"][:4] == (1, 5, 1, 5)
    assert by["ces", "transactional"][:4] == (1, 7, 1, 7)
    assert by["nps", "relational"][:4] == (0, 10, 0, 10)
    assert by["nps", "relational"][4] == 0  # relational NPS is never about one interaction
    assert by["csat", "transactional"][4] == by["csat", "transactional"][5]
    assert one(wh, "SELECT count(*) FROM survey_responses WHERE responded_at < sent_at") == 0
    touchpoints = {r[0] for r in wh.query(
        "SELECT DISTINCT touchpoint FROM survey_responses WHERE survey = 'nps'")}
    assert touchpoints == {"onboarding", "renewal"}
    # each customer hears from the relational programme at most once a quarter
    assert one(wh, "SELECT max(n) FROM (SELECT count(*) n FROM survey_responses "
                   "WHERE survey = 'nps' GROUP BY customer_id, date_trunc('quarter', sent_at))") \
        == 1


def test_invitations_account_for_every_answer(wh: Warehouse) -> None:
    """Every CSAT and NPS answer came from exactly one invitation that agrees with it; CES
    rides on the CSAT invitation; bounced invitations were never answered; every closed,
    handled contact of a known customer was invited (Zendesk's default) unless the invitation
    would have gone out after the data ends."""
    answers = one(wh, "SELECT count(*) FROM survey_responses WHERE survey IN ('csat', 'nps')")
    matched = one(wh, """
        SELECT count(*) FROM survey_responses r JOIN survey_invitations v USING (response_id)
        WHERE v.survey = r.survey AND v.kind = r.kind AND v.sent_at = r.sent_at
          AND v.responded_at = r.responded_at AND v.customer_id = r.customer_id
          AND v.interaction_id IS NOT DISTINCT FROM r.interaction_id
          AND v.survey_channel = r.survey_channel AND v.touchpoint = r.touchpoint""")
    assert matched == answers > 0
    assert one(wh, "SELECT count(response_id) - count(DISTINCT response_id) FROM survey_invitations") \
        == 0
    assert one(wh, "SELECT count(*) FROM survey_invitations WHERE (status = 'bounced' AND "
                   "response_id IS NOT NULL) OR (response_id IS NULL) <> (responded_at IS NULL) "
                   "OR (status = 'bounced') <> (reason IS NOT NULL)") == 0
    assert one(wh, "SELECT count(*) FROM survey_invitations WHERE status = 'bounced'") > 0
    not_invited = one(wh, """
        SELECT count(*) FROM interactions i WHERE i.closed_at IS NOT NULL
          AND i.agent_id IS NOT NULL AND i.customer_id IS NOT NULL
          AND i.closed_at < (SELECT max(sent_at) - INTERVAL 7 DAY FROM survey_invitations)
          AND NOT EXISTS (SELECT 1 FROM survey_invitations v
                          WHERE v.interaction_id = i.interaction_id)""")
    assert not_invited == 0
    # one CSAT invitation per interaction, sent after it closed
    assert one(wh, "SELECT count(*) - count(DISTINCT interaction_id) FROM survey_invitations "
                   "WHERE survey = 'csat'") == 0
    assert one(wh, "SELECT count(*) FROM survey_invitations v JOIN interactions i "
                   "USING (interaction_id) WHERE v.sent_at < i.closed_at") == 0
    rate = one(wh, "SELECT count(response_id) * 1.0 / count(*) FROM survey_invitations "
                   "WHERE survey = 'csat' AND status = 'sent'")
    assert 0.10 <= rate <= 0.20  # typical of e-mailed support CSAT


# -- realism ---------------------------------------------------------------------------------
def test_durations_are_right_skewed(wh: Warehouse) -> None:
    for col in ("talk_seconds", "wrap_seconds"):
        mean, median = wh.query(f"SELECT avg({col}), median({col}) FROM interactions "
                                "WHERE channel = 'phone'")[0]
        assert mean > 1.1 * median, col
    mean, median = wh.query("SELECT avg(epoch(closed_at) - epoch(created_at)), "
                            "median(epoch(closed_at) - epoch(created_at)) FROM interactions")[0]
    assert mean > 1.5 * median
    # phone AHT in a plausible band around the "about 6 minutes" benchmark
    aht = one(wh, "SELECT avg(talk_seconds + hold_seconds + wrap_seconds) FROM interactions "
                  "WHERE channel = 'phone' AND answered_at IS NOT NULL")
    assert 240 <= aht <= 600


def test_weekly_and_daily_rhythm(wh: Warehouse) -> None:
    per_day = wh.query_df("SELECT CAST(created_at AS DATE) AS d, isodow(created_at) AS dow, "
                          "count(*) AS n FROM interactions GROUP BY 1, 2")
    mean = per_day.groupby("dow")["n"].mean()
    assert mean[[1, 2, 3, 4, 5]].min() > 1.3 * mean[[6, 7]].max()
    assert mean.idxmax() == 1  # Monday peak
    office = one(wh, "SELECT avg(CASE WHEN hour(created_at) BETWEEN 8 AND 17 THEN 1 ELSE 0 END)"
                     " FROM interactions WHERE channel = 'phone'")
    assert office > 0.6  # 10 of 24 hours carry most calls


def test_abandonment_is_plausible(wh: Warehouse) -> None:
    offered, abandoned, short = wh.query(
        "SELECT count(*), count(abandoned_at), count(*) FILTER (WHERE epoch(abandoned_at) - "
        "epoch(created_at) < 5) FROM interactions WHERE channel IN ('phone', 'chat') "
        "AND direction = 'inbound'")[0]
    assert 0.01 < abandoned / offered < 0.10
    assert 0 < short < abandoned


def test_survey_programme_is_plausible(wh: Warehouse) -> None:
    share = one(wh, "SELECT count(*) FILTER (WHERE survey = 'csat') * 1.0 / (SELECT count(*) "
                    "FROM interactions WHERE closed_at IS NOT NULL) FROM survey_responses")
    assert 0.12 <= share <= 0.18
    top2 = one(wh, "SELECT avg(CASE WHEN score >= 4 THEN 1.0 ELSE 0 END) FROM survey_responses "
                   "WHERE survey = 'csat'")
    assert 0.70 <= top2 <= 0.92
    commented = one(wh, "SELECT avg(CASE WHEN comment IS NOT NULL THEN 1.0 ELSE 0 END) "
                        "FROM survey_responses WHERE survey IN ('csat', 'nps')")
    assert 0.25 <= commented <= 0.6
    comments = [r[0] for r in wh.query("SELECT comment FROM survey_responses "
                                       "WHERE comment IS NOT NULL")]
    # fake personal data in some comments, for the redaction features to find
    for pattern in (r"\b[a-z]+\.[a-z]+@example\.com\b", r"\+44 7700 900\d{3}|\+1 555 01\d\d \d{4}",
                    r"\b\d{4} \d{4} \d{4} \d{4}\b"):
        hits = [c for c in comments if re.search(pattern, c)]
        assert 0 < len(hits) < 0.1 * len(comments), pattern
    assert any("login" in c.lower() or "log in" in c.lower() for c in comments)
    assert any("friendly" in c.lower() for c in comments)


def test_commerce_is_plausible(wh: Warehouse) -> None:
    abandoned = one(wh, "SELECT avg(CASE WHEN order_id IS NULL THEN 1.0 ELSE 0 END) FROM carts")
    assert 0.55 <= abandoned <= 0.85
    completed = one(wh, "SELECT avg(CASE WHEN status = 'completed' THEN 1.0 ELSE 0 END) "
                        "FROM orders")
    assert 0.8 <= completed < 1.0
    mean, median = wh.query("SELECT avg(amount), median(amount) FROM orders")[0]
    assert mean > 1.1 * median
    assert {r[0] for r in wh.query("SELECT DISTINCT status FROM orders")} == \
        {"completed", "refunded", "cancelled"}
    logged_in = one(wh, "SELECT avg(CASE WHEN customer_id IS NULL THEN 0 ELSE 1.0 END) "
                        "FROM web_sessions")
    assert 0.2 < logged_in < 0.7
    assert one(wh, "SELECT count(DISTINCT visitor_id) FROM web_sessions") < \
        one(wh, "SELECT count(*) FROM web_sessions")  # returning visitors
    converted = one(wh, "SELECT avg(CASE WHEN order_id IS NULL THEN 0 ELSE 1.0 END) "
                        "FROM store_visits")
    assert 0.1 < converted < 0.6
    brands = {r[0] for r in wh.query("SELECT DISTINCT brand FROM mentions")}
    assert brands == {"Lumen", "Corvid", "Halcyon"}


def test_qa_scorecards(wh: Warehouse) -> None:
    cards = wh.query_df("SELECT scorecard, criterion, min(score) lo, max(score) hi, "
                        "avg(CASE WHEN not_applicable THEN 1.0 ELSE 0 END) na, "
                        "bool_or(critical) crit FROM qa_reviews GROUP BY 1, 2")
    process = cards[cards.scorecard == "process_compliance"].set_index("criterion")
    comm = cards[cards.scorecard == "communication_quality"].set_index("criterion")
    assert set(process.index) == {"followed_sop", "right_template", "correct_status",
                                  "met_response_sla", "escalation_summary"}
    assert set(comm.index) == {"tone", "empathy", "proactive_guidance",
                               "policy_denial_handling", "clarity"}
    assert (process.lo == 0).all() and (process.hi == 1).all()
    assert (comm.lo >= 1).all() and (comm.hi <= 5).all()
    assert process.crit.any() and not process.crit.all()
    # N/A exactly where the criterion does not apply
    assert one(wh, "SELECT count(*) FROM qa_reviews q JOIN interactions i USING "
                   "(interaction_id) WHERE q.criterion = 'escalation_summary' "
                   "AND q.not_applicable = i.escalated") == 0
    assert one(wh, "SELECT count(*) FROM qa_reviews q JOIN interactions i USING "
                   "(interaction_id) WHERE q.criterion = 'policy_denial_handling' "
                   "AND q.not_applicable = i.policy_denial") == 0
    assert one(wh, "SELECT count(*) FROM qa_reviews q JOIN interactions i USING "
                   "(interaction_id) WHERE q.criterion = 'escalation_summary' AND "
                   "q.score <> CASE WHEN i.escalation_summary IS NULL THEN 0 ELSE 1 END") == 0
    assert one(wh, "SELECT count(DISTINCT reviewer) FROM qa_reviews") >= 3
    # calibration: some interactions are scored by two reviewers
    assert one(wh, "SELECT count(*) FROM (SELECT interaction_id FROM qa_reviews WHERE "
                   "scorecard = 'communication_quality' GROUP BY 1 "
                   "HAVING count(DISTINCT reviewer) > 1)") > 0


def test_initiatives(wh: Warehouse) -> None:
    rows = wh.query("SELECT name, started_at, ended_at, scope FROM initiatives ORDER BY "
                    "started_at")
    assert [(r[0], r[1].date(), r[2], r[3]) for r in rows] == [
        ("Self-service help centre relaunch", dt.date(2026, 2, 1), None, None),
        ("Empathy training at Acme BPO", dt.date(2026, 4, 1), None, "vendor = 'Acme BPO'"),
    ]


# -- planted effects -------------------------------------------------------------------------
def northwind_by_slip(wh: Warehouse) -> pd.DataFrame:
    months = ", ".join(f"'{m}'" for m in SLIP_MONTHS)
    return wh.query_df(
        f"SELECT strftime(created_at, '%Y-%m') IN ({months}) AS slip, "
        "avg(CASE WHEN resolved AND reopen_count = 0 THEN 1.0 ELSE 0 END) AS fcr, "
        "avg(CASE WHEN resolved_at IS NULL THEN NULL WHEN reopen_count > 0 THEN 1.0 ELSE 0 END)"
        " AS reopen, avg(talk_seconds + hold_seconds + wrap_seconds) AS aht, "
        "avg(CASE WHEN NOT escalated THEN NULL WHEN escalation_summary IS NULL THEN 0 ELSE 1.0"
        " END) AS summaries FROM interactions WHERE vendor = 'Northwind BPO' GROUP BY 1"
    ).set_index("slip")


def csat_top2(wh: Warehouse, where: str) -> float:
    return one(wh, "SELECT avg(CASE WHEN s.score >= 4 THEN 1.0 ELSE 0 END) FROM "
                   "survey_responses s JOIN interactions i USING (interaction_id) "
                   f"WHERE s.survey = 'csat' AND {where}")


def test_northwind_slips_for_three_months_then_recovers(wh: Warehouse) -> None:
    nw = northwind_by_slip(wh)
    assert nw.fcr[True] < nw.fcr[False] - 0.1
    assert nw.reopen[True] > 1.5 * nw.reopen[False]
    assert nw.aht[True] > 1.15 * nw.aht[False]
    assert nw.summaries[True] < nw.summaries[False] - 0.2
    months = ", ".join(f"'{m}'" for m in SLIP_MONTHS)
    slip = csat_top2(wh, f"i.vendor = 'Northwind BPO' AND strftime(i.created_at, '%Y-%m') IN "
                         f"({months})")
    other = csat_top2(wh, f"i.vendor = 'Northwind BPO' AND strftime(i.created_at, '%Y-%m') "
                          f"NOT IN ({months})")
    after = csat_top2(wh, "i.vendor = 'Northwind BPO' AND i.created_at >= '2026-08-01'")
    assert slip < other - 0.08
    assert after > slip + 0.08
    # the other vendors do not slip in those months
    inhouse = csat_top2(wh, f"i.vendor = 'in-house' AND strftime(i.created_at, '%Y-%m') IN "
                            f"({months})")
    assert inhouse > slip + 0.08


def test_resolution_on_first_contact_drives_csat(wh: Warehouse) -> None:
    fcr = csat_top2(wh, "i.resolved AND i.reopen_count = 0")
    not_fcr = csat_top2(wh, "NOT (i.resolved AND i.reopen_count = 0)")
    assert fcr > not_fcr + 0.2
    frame = wh.query_df(
        "SELECT i.channel, s.score, epoch(coalesce(i.answered_at, i.first_response_at)) - "
        "epoch(i.created_at) AS wait FROM survey_responses s JOIN interactions i "
        "USING (interaction_id) WHERE s.survey = 'csat' AND i.channel IN ('phone', 'email') "
        "AND i.direction = 'inbound'")
    for channel, part in frame.groupby("channel"):
        slow = part.wait > part.wait.median()
        assert part.score[slow].mean() < part.score[~slow].mean(), channel


def test_agents_and_vendors_differ(wh: Warehouse) -> None:
    agents = wh.query_df("SELECT agent_id, avg(CASE WHEN resolved AND reopen_count = 0 "
                         "THEN 1.0 ELSE 0 END) AS fcr, count(*) AS n FROM interactions "
                         "WHERE agent_id IS NOT NULL GROUP BY 1")
    assert agents.fcr.max() - agents.fcr.min() > 0.1
    aht = wh.query_df("SELECT vendor, avg(talk_seconds + hold_seconds + wrap_seconds) AS aht "
                      "FROM interactions WHERE channel = 'phone' GROUP BY 1").set_index("vendor")
    assert aht.aht.max() > 1.05 * aht.aht.min()


def test_the_planted_cherry_picker_is_flagged_and_nobody_else(wh: Warehouse,
                                                               summary: DemoSummary) -> None:
    """The case-mix analysis finds the agent who picks easy tickets without being told."""
    from cxlens.casemix import cherry_picking, flagged

    table = cherry_picking(wh, "2025-10-01", "2026-10-01")
    assert flagged(table) == [summary.planted["cherry_picker"]["agent"]]
    row = table[(table.agent_id == flagged(table)[0]) & (table.metric == "aht")].iloc[0]
    assert row.raw < 0.8 * row.team_raw  # raw handle time far below the team's ...
    assert row.vs_team_ci_low <= 1 <= row.vs_team_ci_high  # ... but average on the same contacts
    assert row.mix_js > 0.2


# -- scale 1 (slow): every planted effect at its stated size ---------------------------------
def relative_weights(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Johnson's relative weights (they sum to R²), written out for the test."""
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    y = (y - y.mean()) / y.std()
    corr = np.corrcoef(x, rowvar=False)
    values, vectors = np.linalg.eigh(corr)
    half = vectors @ np.diag(np.sqrt(np.clip(values, 0, None))) @ vectors.T
    beta = np.linalg.solve(half, x.T @ y / len(y))
    return np.asarray((half ** 2) @ beta ** 2)


def nps(frame: pd.DataFrame) -> float:
    return float(100 * ((frame.score >= 9).mean() - (frame.score <= 6).mean()))


@pytest.mark.slow
def test_planted_effects_at_scale_one(tmp_path: Path) -> None:
    wh = store.connect(str(tmp_path / "one.duckdb"))
    summary = build_demo(wh, scale=1.0, seed=7)
    try:
        assert wh.count("interactions") >= 200_000

        # (1) key drivers of CSAT: first-contact resolution, then wait (within channel)
        csat = wh.query_df(
            "SELECT s.score, CASE WHEN i.resolved AND i.reopen_count = 0 THEN 1 ELSE 0 END fcr,"
            " i.channel, ln(1 + coalesce(epoch(i.answered_at), epoch(i.first_response_at), "
            "epoch(i.created_at)) - epoch(i.created_at)) AS log_wait, "
            "CASE WHEN i.policy_denial THEN 1 ELSE 0 END AS denied, "
            "CASE WHEN i.escalated THEN 1 ELSE 0 END AS escalated, i.agent_replies, "
            "i.complexity, coalesce(i.talk_seconds, 0) AS talk FROM survey_responses s "
            "JOIN interactions i USING (interaction_id) WHERE s.survey = 'csat'")
        by = csat.groupby("channel").log_wait
        csat["wait"] = ((csat.log_wait - by.transform("mean"))
                        / by.transform("std").replace(0, 1)).fillna(0)
        drivers = ["fcr", "wait", "denied", "escalated", "agent_replies", "complexity", "talk"]
        w = relative_weights(csat[drivers].to_numpy(float), csat.score.to_numpy(float))
        ranked = [drivers[i] for i in np.argsort(-w)]
        assert ranked[:2] == ["fcr", "wait"], dict(zip(drivers, w, strict=True))

        # (2) support cohorts: zero reopens vs an unresolved escalation in the prior 90 days
        cohorts = wh.query_df(
            "SELECT n.response_id, any_value(n.score) AS score, "
            "count(i.interaction_id) AS contacts, "
            "coalesce(sum(CASE WHEN i.reopen_count > 0 THEN 1 ELSE 0 END), 0) AS reopens, "
            "coalesce(sum(CASE WHEN i.escalated AND NOT i.resolved THEN 1 ELSE 0 END), 0) "
            "AS unresolved FROM survey_responses n LEFT JOIN interactions i "
            "ON i.customer_id = n.customer_id AND i.created_at < n.responded_at "
            "AND i.created_at >= n.responded_at - INTERVAL 90 DAY "
            "WHERE n.survey = 'nps' GROUP BY 1")
        gap = nps(cohorts[cohorts.reopens == 0]) - nps(cohorts[cohorts.unresolved > 0])
        contacted = cohorts[(cohorts.reopens == 0) & (cohorts.contacts > 0)]
        gap_contacted = nps(contacted) - nps(cohorts[cohorts.unresolved > 0])
        assert 15 <= gap <= 30
        assert 15 <= gap_contacted <= 30

        # (3) Acme's empathy training: difference-in-differences against the in-house team
        def change(vendor: str) -> float:
            post = csat_top2(wh, f"i.vendor = '{vendor}' AND i.created_at >= '2026-04-01'")
            pre = csat_top2(wh, f"i.vendor = '{vendor}' AND i.created_at < '2026-04-01'")
            return 100 * (post - pre)

        did = change("Acme BPO") - change("in-house")
        assert 3 <= did <= 9
        assert abs(change("in-house")) < 3

        # (4) Northwind's slip
        nw = northwind_by_slip(wh)
        assert nw.fcr[True] < nw.fcr[False] - 0.15
        # ... and the demo's replay of the example alert rules finds it (docs/alerts.md)
        from cxlens.alerts.store import listing

        alerts = listing(wh)
        slip = summary.planted["northwind_slip"]
        first_slip = str(slip["months"]).split(",")[0]
        theirs = alerts[(alerts.segment == f"vendor={slip['vendor']}")
                        & (alerts.first_month == first_slip)]
        assert {"drift", "control", "sla"} <= set(theirs.check_kind), alerts

        # (5) the cherry-picker, and only them, by handle time and satisfaction
        from cxlens.casemix import CHERRY_PICKING, cherry_picking

        table = cherry_picking(wh, "2025-10-01", "2026-10-01")
        picked = table[table.flag == CHERRY_PICKING]
        assert set(picked.agent_id) == {summary.planted["cherry_picker"]["agent"]}, picked
    finally:
        wh.close()


def test_a_finished_build_is_marked_complete(wh: Warehouse) -> None:
    state = wh.scalar("SELECT value FROM cxlens_meta WHERE key = 'demo'")
    assert state == "complete: scale 0.05, seed 7"
