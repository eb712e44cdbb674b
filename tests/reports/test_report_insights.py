"""The report's insight sections on the shared demo: key drivers of CSAT, support-cohort NPS,
every initiative's impact and the customers' CLV and churn model, each with the numbers the
library gives (n and interval beside every figure) and the resamples it used; a vendor's
report keeps only their own key drivers."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pandas as pd
import pytest

from cxlens.alerts.store import listing
from cxlens.casemix import period
from cxlens.format import p_short
from cxlens.insights.churn.warehouse import churn_risk
from cxlens.insights.cohorts import cohort_nps, headline
from cxlens.insights.drivers import drivers
from cxlens.insights.impact import impacts
from cxlens.present.filters import Filters
from cxlens.present.model import Page
from cxlens.present.pages.customers import CLV_RESAMPLES
from cxlens.present.pages.drivers import DRIVER_RESAMPLES
from cxlens.reports.html import render_html
from cxlens.reports.insights import ci
from cxlens.reports.model import Report, build_report
from cxlens.text.themes import themes
from tests.web.conftest import Server

TITLES = {"drivers": "Key drivers of CSAT", "cohorts": "Relational NPS by support history",
          "impact": "Initiative impact on CSAT",
          "customers": "Customers: lifetime value and churn risk",
          "themes": "Themes in customer comments", "alerts": "Alerts"}


def _lock(server: Server) -> Any:
    return server.app.state.cxlens.lock  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def report(server: Server) -> Report:
    with _lock(server):
        return build_report(server.wh, Filters())


def section(report: Report, name: str) -> Page:
    found = [p for p in report.sections if p.name == name]
    assert len(found) == 1, [p.name for p in report.sections]
    return found[0]


def test_the_sections_come_before_the_verbatims(report: Report) -> None:
    names = [p.name for p in report.sections]
    assert names[-7:] == ["drivers", "cohorts", "impact", "customers", "themes", "alerts",
                          "verbatims"]
    for name, title in TITLES.items():
        assert section(report, name).title == title
    text = unescape(render_html(report))
    for title in TITLES.values():
        assert f"<h2>{title}</h2>" in text


def test_key_drivers_of_csat(server: Server, report: Report) -> None:
    page = section(report, "drivers")
    with _lock(server):
        first, after = period(server.wh, None, None)
        want = drivers(server.wh, "csat", first, after, resamples=DRIVER_RESAMPLES)
    head = want.iloc[0]
    [r2] = page.figures
    assert (r2.value, r2.ci_low, r2.ci_high, r2.n) == pytest.approx(
        (head["r2"], head["r2_ci_low"], head["r2_ci_high"], head["n"]))
    table = page.tables["drivers"]
    assert list(table["factor"]) == list(want["label"])
    for shown, r in zip(table.to_dict("records"), want.to_dict("records"), strict=True):
        assert shown["weight (95 %)"] == ci(r["weight"], r["weight_ci_low"],
                                           r["weight_ci_high"], 3)
        assert shown["with − without, points (95 %)"] == ci(r["effect"], r["effect_ci_low"],
                                                   r["effect_ci_high"], 1, True)
        assert shown["n"] == f"{int(r['n']):,}"
    assert [c.name for c in page.charts] == ["quadrant"]
    assert any(f"{DRIVER_RESAMPLES} bootstrap resamples" in n for n in page.notes)


def test_support_cohort_nps(server: Server, report: Report) -> None:
    page = section(report, "cohorts")
    with _lock(server):
        want = cohort_nps(server.wh)
    assert page.extra["findings"][0][1:] == headline(want)[1:] + "."
    table = page.tables["cohorts"]
    # each cohort by its name, not its id (the PDF printed "unresolved_escalation")
    names = {"unresolved_escalation": "Unresolved escalation", "reopened": "Reopened",
             "other_contact": "Other contact", "resolved_first_time": "Resolved first time",
             "no_contact": "No contact", "zero_reopens": "Zero reopens"}
    assert list(table["cohort"]) == [names[c] for c in want["cohort"]]
    assert "gap to unresolved escalation (95 %)" in table.columns
    for shown, r in zip(table.to_dict("records"), want.to_dict("records"), strict=True):
        assert shown["NPS (95 %)"] == ci(r["nps"], r["nps_ci_low"], r["nps_ci_high"], 1, True)
        assert shown["n"] == f"{int(r['n']):,}" and shown["flag"] == r["flag"]


def test_every_initiative_is_listed_with_its_impact(server: Server, report: Report) -> None:
    page = section(report, "impact")
    with _lock(server):
        want = impacts(server.wh)
    table = page.tables["initiatives"]
    assert list(table["initiative"]) == [f"{i} {n}" for i, n in
                                         zip(want["initiative_id"], want["name"], strict=True)]
    for shown, r in zip(table.to_dict("records"), want.to_dict("records"), strict=True):
        assert shown["change, points (95 %)"] == ci(r["change"], r["change_ci_low"],
                                                    r["change_ci_high"], 1, True)
        assert shown["before n"] == f"{int(r['before_n']):,}"
        did = "–" if pd.isna(r["did"]) else ci(r["did"], r["did_ci_low"], r["did_ci_high"], 1,
                                               True)
        assert shown["DiD, points (95 %)"] == did
    assert len(page.extra["findings"]) == len(want)


def test_customers_clv_and_churn(server: Server, report: Report) -> None:
    page = section(report, "customers")
    with _lock(server):
        risk = churn_risk(server.wh)
    figs = {f.metric: f for f in page.figures}
    auc = risk.evaluation.auc
    assert (figs["churn:auc"].value, figs["churn:auc"].ci_low, figs["churn:auc"].n) == \
        pytest.approx((auc.value, auc.ci_low, auc.n))
    clv = page.tables["clv"]
    assert set(clv["currency"]) >= {"EUR", "GBP", "USD"}
    fitted = clv[clv["not computed"] == ""]
    assert len(fitted) and all(f"mean_clv:{c}" in figs for c in fitted["currency"])
    assert (clv.loc[clv["not computed"] != "", "mean CLV (95 %)"] == "–").all()
    # this demo's churn model ranks no better than chance (AUC 0.49, 0.42–0.56): no list
    assert risk.verdict and "churn_top" not in page.tables
    assert any(risk.verdict in f for f in page.extra["findings"])
    assert any(f"{CLV_RESAMPLES} bootstrap resamples" in n for n in page.notes)
    assert [c.name for c in page.charts] == ["calibration"]


def test_a_vendor_report_keeps_only_their_key_drivers(server: Server) -> None:
    with _lock(server):
        report = build_report(server.wh, Filters(), vendor="Acme BPO")
        first, after = period(server.wh, None, None)
        want = drivers(server.wh, "csat", first, after, resamples=DRIVER_RESAMPLES,
                       only={"vendor": "Acme BPO"})
    names = [p.name for p in report.sections]
    assert "drivers" in names and "alerts" in names
    assert not {"cohorts", "impact", "customers", "themes"} & set(names)
    shown = section(report, "alerts").tables.get("alerts")
    if shown is not None:
        assert all("vendor=Acme BPO" in s.split(", ") for s in shown["segment"])
    [r2] = section(report, "drivers").figures
    assert (r2.value, r2.n) == pytest.approx((want["r2"].iloc[0], want["n"].iloc[0]))
    text = render_html(report)
    assert "Northwind" not in text and "in-house" not in text


def test_themes_with_their_effects(server: Server, report: Report) -> None:
    with _lock(server):
        want = themes(server.wh).themes
    table = section(report, "themes").tables["themes"]
    assert list(table["theme"]) == list(want["label"])
    for (_, got), (_, exp) in zip(table.iterrows(), want.iterrows(), strict=True):
        assert got["share % (95 %)"] == ci(exp["share"], exp["share_ci_low"],
                                           exp["share_ci_high"])
        assert got["effect, points (95 %)"] == ci(exp["effect"], exp["effect_ci_low"],
                                                  exp["effect_ci_high"], 1, True)


def test_alerts_as_the_dashboard_lists_them(server: Server, report: Report) -> None:
    with _lock(server):
        want = listing(server.wh)
    page = section(report, "alerts")
    if want.empty:
        assert "No alerts" in page.notes[0]
        return
    table = page.tables["alerts"]
    assert list(table["what"]) == list(want["message"])  # the demo's year: all of them
    assert all(f"{n:,}" in list(table["n"]) for n in want["n"])


def test_printed_intervals_and_p_values_read_as_the_dashboard_writes_them(
        server: Server, report: Report) -> None:
    """Hand-written: an interval with a negative end reads "to" (a dash beside a minus sign
    reads as two), and the cohort table's p and q read as the dashboard's tables write them,
    never in scientific notation ("2.6e-07") or with five decimals ("0.00062")."""
    assert ci(-11.0, -24.8, 2.8, 1, True) == "-11.0 (-24.8 to +2.8)"
    assert ci(19.2, 9.2, 29.1, 1, True) == "+19.2 (+9.2 – +29.1)"
    table = section(report, "cohorts").tables["cohorts"]
    with _lock(server):
        want = cohort_nps(server.wh)
    assert list(table["p"]) == [p_short(p) if pd.notna(p) else "–" for p in want["gap_p"]]
    assert list(table["q (BH)"]) == [p_short(q) if pd.notna(q) else "–" for q in want["gap_q"]]
    cells = [str(v) for v in table.to_numpy().ravel()]
    assert not [c for c in cells if re.search(r"\de-\d", c)], cells
