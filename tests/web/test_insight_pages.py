"""The insight pages (key drivers, support-cohort NPS, initiative impact, customers) on the
shared demo server: each renders, each JSON twin holds what the library function gives when
called directly on the same warehouse with the same arguments, every figure carries n and an
interval, below-minimum samples are flagged, a vendor viewer gets their vendor's key drivers
and a 403 on the company-wide pages, and the quadrant chart draws in a browser."""

from __future__ import annotations

import datetime as dt
import math
import re
from html import unescape
from typing import Any

import httpx
import pandas as pd
import pytest
from playwright.sync_api import Browser

from cxlens.accounts.users import User
from cxlens.casemix import period
from cxlens.format import change, number, points
from cxlens.insights.churn.warehouse import churn_risk
from cxlens.insights.clv import warehouse_value
from cxlens.insights.clv.summary import latest_order_day
from cxlens.insights.cohorts import cohort_nps, headline
from cxlens.insights.drivers import drivers
from cxlens.insights.impact import impacts, initiatives
from cxlens.present import registry
from cxlens.present.filters import Filters
from cxlens.present.model import PageCtx
from cxlens.present.pages.customers import CLV_OPTIONS, CLV_RESAMPLES, TOP_VALUE
from cxlens.present.pages.drivers import DRIVER_RESAMPLES
from cxlens.store.base import Warehouse
from tests.web.conftest import Server
from tests.web.test_api import error_shape
from tests.web.test_browser import Watched, log_in

#: A short cell's class (render.SHORT_CELL): a figure keeps to one line.
NW = ' class="nw"'

PAGES = ("drivers", "cohorts", "impact", "customers")
COMPANY_WIDE = ("cohorts", "impact", "customers")
OTHERS = ("Northwind", "in-house")


@pytest.fixture(scope="module")
def direct(server: Server) -> dict[str, Any]:
    """The library's answers on the server's warehouse, computed once (under the server's
    lock: one DuckDB connection)."""
    with server.app.state.cxlens.lock:  # type: ignore[attr-defined]
        wh = server.wh
        first, after = period(wh, None, None)
        return {
            "period": (first, after),
            "drivers": drivers(wh, "csat", first, after, resamples=DRIVER_RESAMPLES),
            "cohorts": cohort_nps(wh),
            "impact": impacts(wh, "csat"),
            "clv": warehouse_value(wh, latest_order_day(wh), "weeks", resamples=CLV_RESAMPLES,
                                   top=TOP_VALUE, **CLV_OPTIONS),
            "churn": churn_risk(wh),
        }


def same(got: Any, want: Any) -> bool:
    """One JSON value against the library's (NaN and NaT are null in JSON)."""
    if want is None or (isinstance(want, float) and math.isnan(want)) or want is pd.NaT:
        return got is None
    if isinstance(want, pd.Timestamp):
        return bool(pd.Timestamp(got) == want)
    if isinstance(want, bool) or isinstance(got, str):
        return bool(got == want)
    if isinstance(want, int | float):
        return got is not None and got == pytest.approx(float(want), rel=1e-9, abs=1e-12)
    return bool(got == want)


def assert_table(rows: list[dict[str, Any]], want: pd.DataFrame) -> None:
    assert len(rows) == len(want)
    assert list(rows[0]) == [str(c) for c in want.columns]
    for got, exp in zip(rows, want.astype(object).to_dict("records"), strict=True):
        for col, value in exp.items():
            assert same(got[str(col)], value), (col, got[str(col)], value)


def figures(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["metric"]: f for f in body["figures"]}


def assert_figure(f: dict[str, Any], value: Any, low: Any, high: Any, n: Any) -> None:
    assert same(f["value"], value) and same(f["ci_low"], low) and same(f["ci_high"], high)
    assert f["n"] == int(n)


# -- every page ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", PAGES)
def test_each_page_renders_for_an_analyst(analyst: httpx.Client, name: str) -> None:
    page = analyst.get(f"/{name}")
    assert page.status_code == 200, page.text[:500]
    body = analyst.get(f"/api/pages/{name}").json()
    assert f"<h1>{body['title']}</h1>" in unescape(page.text)
    assert f'href="/api/pages/{name}?' in page.text
    assert f'<a href="/{name}" aria-current="page">' in page.text  # in the menu
    assert body["figures"] and body["tables"]
    for chart in body["charts"]:  # each chart's data has its interval and n
        values = [v for layer in [chart["spec"], *chart["spec"].get("layer", [])]
                  for v in layer.get("data", {}).get("values", [])]
        shown = [v for v in values if any(k.endswith("ci_low") for k in v)]
        assert shown and all("n" in v for v in shown), chart["name"]


@pytest.mark.parametrize("name", PAGES)
def test_every_figure_has_n_and_an_interval(analyst: httpx.Client, name: str) -> None:
    body = analyst.get(f"/api/pages/{name}").json()
    for f in body["figures"]:
        assert {"value", "n", "ci_low", "ci_high", "flag"} <= set(f), f
        assert isinstance(f["n"], int) and f["n"] >= 0
        if f["value"] is not None:
            assert f["n"] > 0, f
            assert f["ci_low"] is not None and f["ci_high"] is not None, f
            assert f["ci_low"] <= f["ci_high"], f
    page = unescape(analyst.get(f"/{name}").text)
    assert page.count('<div class="ci">95 % CI') == page.count('<div class="n">n = ') == \
        len(body["figures"])


@pytest.mark.parametrize("name", COMPANY_WIDE)
def test_company_wide_pages_refuse_a_vendor_viewer(acme: httpx.Client, name: str) -> None:
    err = error_shape(acme.get(f"/api/pages/{name}"), 403, "forbidden")
    assert "all customers" in err["message"] and err["hint"]
    first = {"cohorts": "cohorts", "impact": "initiatives", "customers": "clv"}[name]
    error_shape(acme.get(f"/api/pages/{name}/tables/{first}.csv"), 403, "forbidden")
    page = acme.get(f"/{name}", headers={"accept": "text/html"})
    assert page.status_code == 403 and "all customers" in unescape(page.text)
    assert not [o for o in OTHERS if o in page.text]


def test_the_menu_hides_company_wide_pages_from_vendor_viewers(analyst: httpx.Client,
                                                               acme: httpx.Client) -> None:
    mine, theirs = analyst.get("/overview").text, acme.get("/overview").text
    for name in PAGES:
        assert f'href="/{name}"' in mine
    assert 'href="/drivers"' in theirs
    assert not [n for n in COMPANY_WIDE if f'href="/{n}"' in theirs]


def test_an_empty_warehouse_says_why_on_each_page(duck: Warehouse) -> None:
    """No data is not an error page: each insight page says what is missing and the fix."""
    for name, says in (("drivers", "no interactions"), ("cohorts", "no interactions"),
                       ("impact", "no initiatives"), ("customers", "no completed orders")):
        page = registry.build(name, PageCtx(duck, User("ann", "analyst"), Filters()))
        assert not page.figures and not page.charts, name
        assert any(says in note for note in page.notes), (name, page.notes)
    notes = registry.build("customers", PageCtx(duck, User("ann", "analyst"), Filters())).notes
    assert any("Churn risk: the warehouse has no customers" in n for n in notes)


# -- key drivers --------------------------------------------------------------------------------
def test_drivers_page_is_the_library_analysis(analyst: httpx.Client,
                                              direct: dict[str, Any]) -> None:
    body = analyst.get("/api/pages/drivers").json()
    want = direct["drivers"]
    first, after = direct["period"]
    assert (body["outcome"], body["by"], body["resamples"]) == ("csat", None, DRIVER_RESAMPLES)
    assert (body["from"], body["to"]) == (str(first), str(after - dt.timedelta(days=1)))
    assert f"{DRIVER_RESAMPLES} bootstrap resamples" in body["notes"][0]
    assert_table(body["tables"]["drivers"], want)
    figs = figures(body)
    head = want.iloc[0]
    assert_figure(figs["r2:all"], head["r2"], head["r2_ci_low"], head["r2_ci_high"], head["n"])
    for r in want.to_dict("records"):
        assert_figure(figs[f"share:{r['factor']}"], 100 * r["share"], 100 * r["share_ci_low"],
                      100 * r["share_ci_high"], r["n"])
        if not math.isnan(r["effect"]):
            assert_figure(figs[f"effect:{r['factor']}"], r["effect"], r["effect_ci_low"],
                          r["effect_ci_high"], r["n"])
    fcr = want.set_index("factor").loc["fcr"]  # the planted driver: with FCR, happier
    assert fcr["effect_ci_low"] > 0
    assert body["charts"][0]["name"] == "quadrant"
    plotted = {(v["label"], v["segment"]) for v in body["charts"][0]["spec"]["data"]["values"]}
    rated = want[want["performance"].notna() & want["share"].notna()]
    assert plotted == set(zip(rated["label"], rated["segment"], strict=True))
    fix = want[want["quadrant"] == "fix first"]
    assert len(body["findings"]) == len(fix)
    for label, finding in zip(fix["label"], body["findings"], strict=True):
        assert finding.startswith(f"Fix first: {label} — ")


def test_drivers_options_outcome_and_segments(server: Server, analyst: httpx.Client,
                                              direct: dict[str, Any]) -> None:
    body = analyst.get("/api/pages/drivers?outcome=nps&by=vendor").json()
    first, after = direct["period"]
    with server.app.state.cxlens.lock:  # type: ignore[attr-defined]
        want = drivers(server.wh, "nps", first, after, by="vendor", resamples=DRIVER_RESAMPLES)
    assert body["title"] == "Key drivers of Relational NPS by vendor"
    assert_table(body["tables"]["drivers"], want)
    figs = figures(body)
    for segment, part in want.groupby("segment"):
        head = part.iloc[0]
        f = figs[f"r2:{segment}"]
        assert_figure(f, head["r2"], head["r2_ci_low"], head["r2_ci_high"], head["n"])
        assert f["flag"] == (head["flag"] or None)
    # below the minimum sample: flagged on the card and named in a note
    small = sorted(set(want.loc[want["flag"] == "small sample", "segment"]))
    assert small, "the small demo should have a vendor under 200 NPS answers"
    page = unescape(analyst.get("/drivers?outcome=nps&by=vendor").text)
    assert page.count('class="figure flagged"') == len(small)
    assert page.count('<span class="flag">small sample</span>') == len(small)
    assert any(", ".join(small) in note for note in body["notes"])
    # the options are offered, chosen, and kept in the JSON link
    assert '<option value="nps" selected>' in page and '<option value="vendor" selected>' in page
    assert "/api/pages/drivers?outcome=nps&amp;by=vendor" in analyst.get(
        "/drivers?outcome=nps&by=vendor").text
    err = error_shape(analyst.get("/api/pages/drivers?outcome=cast"), 404, "not_found")
    assert 'Did you mean "csat"' in err["message"]
    error_shape(analyst.get("/api/pages/drivers?by=vendr"), 404, "not_found")


def test_a_vendor_viewer_gets_their_vendors_drivers(server: Server, acme: httpx.Client,
                                                    analyst: httpx.Client,
                                                    direct: dict[str, Any]) -> None:
    body = acme.get("/api/pages/drivers?vendor=Northwind+BPO").json()  # the URL cannot widen it
    first, after = direct["period"]
    with server.app.state.cxlens.lock:  # type: ignore[attr-defined]
        want = drivers(server.wh, "csat", first, after, resamples=DRIVER_RESAMPLES,
                       only={"vendor": "Acme BPO"})
        rows = server.wh.query("SELECT count(*) FROM survey_responses r JOIN "
                               "interactions i ON i.interaction_id = r.interaction_id WHERE "
                               "r.survey = 'csat' AND r.score IS NOT NULL AND "
                               "coalesce(r.vendor, i.vendor) = 'Acme BPO' AND "
                               "r.responded_at >= ? AND r.responded_at < ?",
                               [first, after])[0][0]
    assert body["only"] == {"vendor": "Acme BPO"}
    assert_table(body["tables"]["drivers"], want)
    assert body["tables"]["drivers"][0]["n"] == rows  # Acme's answers, counted by hand
    # the same answers as Acme's segment of the analyst's vendor cut
    cut = analyst.get("/api/pages/drivers?by=vendor").json()["tables"]["drivers"]
    acme_cut = [r for r in cut if r["segment"] == "Acme BPO"]
    for mine, theirs in zip(body["tables"]["drivers"], acme_cut, strict=True):
        assert {k: v for k, v in mine.items() if k != "segment"} == \
            {k: v for k, v in theirs.items() if k != "segment"}
    page = acme.get("/drivers")
    assert page.status_code == 200 and not [o for o in OTHERS if o in page.text]
    assert 'name="channel"' in page.text and 'name="segment"' not in page.text
    assert 'name="grain"' not in page.text


# -- support-cohort NPS -------------------------------------------------------------------------
def test_cohorts_page_is_the_library_table(analyst: httpx.Client,
                                           direct: dict[str, Any]) -> None:
    body = analyst.get("/api/pages/cohorts").json()
    want = direct["cohorts"]
    assert_table(body["tables"]["cohorts"], want)
    figs = figures(body)
    ref = want.attrs["reference"]
    ref_n = int(want.set_index("cohort").loc[ref, "n"])
    for r in want.to_dict("records"):
        f = figs[f"nps:{r['cohort']}"]
        assert_figure(f, r["nps"], r["nps_ci_low"], r["nps_ci_high"], r["n"])
        assert f["flag"] == (r["flag"] or None)
        if r["cohort"] != ref:
            assert_figure(figs[f"gap:{r['cohort']}"], r["gap"], r["gap_ci_low"],
                          r["gap_ci_high"], r["n"] + ref_n)
    assert body["findings"] == [headline(want)[0].upper() + headline(want)[1:] + "."]
    flagged = want[want["flag"] != ""]
    assert len(flagged), "the small demo should have a cohort under 50 answers"
    page = unescape(analyst.get("/cohorts").text)
    for r in flagged.to_dict("records"):
        assert re.search(rf'class="figure flagged" data-metric="nps:{r["cohort"]}"', page)
    assert body["findings"][0] in page


def test_cohorts_reference_and_period(server: Server, analyst: httpx.Client) -> None:
    body = analyst.get("/api/pages/cohorts?reference=reopened&from=2026-03-01&to=2026-08-31"
                       "&channel=chat").json()
    with server.app.state.cxlens.lock:  # type: ignore[attr-defined]
        want = cohort_nps(server.wh, "2026-03-01", "2026-08-31", reference="reopened")
    assert_table(body["tables"]["cohorts"], want)
    assert body["filters"] == "from=2026-03-01&to=2026-08-31"  # channel does not apply here
    assert (body["reference"], body["period"]) == ("reopened", {"from": "2026-03-01",
                                                                "to": "2026-08-31"})
    assert "than those with a contact reopened" in body["findings"][0]
    error_shape(analyst.get("/api/pages/cohorts?reference=reopend"), 404, "not_found")
    # the page names the period in words, as the overview does (it printed the JSON's dict,
    # "{'from': '2026-03-01', 'to': '2026-08-31'}")
    page = unescape(analyst.get("/cohorts?reference=reopened&from=2026-03-01&to=2026-08-31")
                    .text)
    assert '<p class="period">1 Mar – 31 Aug 2026</p>' in page
    assert "{'from'" not in page


def test_cohorts_are_named_not_given_by_their_ids(analyst: httpx.Client) -> None:
    """The cohorts read as people name them on the page — its charts, cards, option and
    notes (they read "unresolved_escalation", "Gap: zero_reopens − unresolved_escalation");
    the JSON twin keeps the ids, which the page's URL option takes."""
    body = analyst.get("/api/pages/cohorts").json()
    assert {r["cohort"] for r in body["tables"]["cohorts"]} >= {"zero_reopens", "reopened"}
    gaps = {f["label"] for f in body["figures"] if f["metric"].startswith("gap:")}
    assert "Gap: Zero reopens − Unresolved escalation" in gaps
    labels = {v["label"] for c in body["charts"] for v in c["spec"]["data"]["values"]}
    assert labels == {"Unresolved escalation", "Reopened", "Other contact",
                      "Resolved first time", "No contact", "Zero reopens"}
    page = unescape(analyst.get("/cohorts", params={"reference": "reopened"}).text)
    assert '<option value="zero_reopens"' in page and ">Zero reopens</option>" in page
    assert "Gap to reopened in NPS points" in page
    # the words on the page, outside the table (which keeps its ids beside the descriptions)
    shown = re.sub(r"<(table|script)\b.*?</\1>", "", page, flags=re.S)
    words = re.sub(r"<[^>]+>", " ", shown)
    assert "Zero reopens" in words
    assert "zero_reopens" not in words and "unresolved_escalation" not in words


def test_impact_chart_rows_say_what_they_are_first(analyst: httpx.Client) -> None:
    """The chart cuts long labels at their end: "Empathy training at Acme BP…" read the same
    for an initiative's change and its difference-in-differences. Each row now starts with
    what it is, and no two rows cut to the same 30 characters."""
    body = analyst.get("/api/pages/impact").json()
    chart = next(c for c in body["charts"] if c["name"] == "changes")
    labels = [v["label"] for v in chart["spec"]["data"]["values"]]
    names = {r["name"] for r in body["tables"]["initiatives"]}
    assert labels and all(x.split(": ", 1)[0] in ("Change", "DiD") for x in labels)
    assert {x.split(": ", 1)[1] for x in labels} <= names
    assert len({x[:30] for x in labels}) == len(labels)


def test_cohort_and_impact_tables_read_as_their_cards(analyst: httpx.Client) -> None:
    """Their tables printed NPS -11.01 and CSAT before 82.29 beside cards reading -11.0 and
    82.3 %: each figure of the table is in the unit of its card (NPS points signed, one
    decimal; a CSAT in percent), each change signed."""
    body = analyst.get("/api/pages/cohorts").json()
    page = unescape(analyst.get("/cohorts").text)
    for r in body["tables"]["cohorts"]:
        nps = f"<td{NW}>{points(r['nps'])}</td><td{NW}>{points(r['nps_ci_low'])}</td>"
        assert nps in page, nps
        if r["gap"] is not None:
            assert f"<td{NW}>{change(r['gap'], 'points')}</td>" in page
    body = analyst.get("/api/pages/impact").json()
    page = unescape(analyst.get("/impact").text)
    for r in body["tables"]["initiatives"]:
        before = f"<td{NW}>{number(r['before'], 'percent')}</td>"
        assert before in page and f"<td{NW}>{change(r['change'], 'percent')}</td>" in page
        assert f">{pd.Timestamp(r['started_at']):%Y-%m-%d %H:%M} UTC</td>" in page


def test_a_chart_is_headed_by_its_title(analyst: httpx.Client) -> None:
    """A chart's drawing is headed by its axis label only ("points" on /impact, "churn risk"
    on /customers); the page heads it with the chart's title, as the report does."""
    page = unescape(analyst.get("/impact").text)
    assert ('<p class="chart-title">Change and difference-in-differences of CSAT (95 % '
            'interval)</p>') in page


# -- initiative impact --------------------------------------------------------------------------
def test_impact_lists_every_initiative_as_the_library(server: Server, analyst: httpx.Client,
                                                      direct: dict[str, Any]) -> None:
    body = analyst.get("/api/pages/impact").json()
    want = direct["impact"]
    with server.app.state.cxlens.lock:  # type: ignore[attr-defined]
        every = [i.initiative_id for i in initiatives(server.wh)]
    assert [r["initiative_id"] for r in body["tables"]["initiatives"]] == every
    assert_table(body["tables"]["initiatives"], want)
    figs = figures(body)
    for r in want.to_dict("records"):
        for part in ("before", "after", "change", "did"):
            if part in r and not pd.isna(r[part]):
                assert_figure(figs[f"{part}:{r['initiative_id']}"], r[part],
                              r[f"{part}_ci_low"], r[f"{part}_ci_high"], r[f"{part}_n"])
        sentence = next(s for s in body["findings"] if f"({r['initiative_id']}," in s)
        # p in words beside its number, q beside it; never "p = 2.8e-15" (issue 17)
        assert f"{_p_words(r['change_p'])}, q {_q(r['change_q'])}" in sentence, sentence
        if r["scope"]:
            assert f"{_p_words(r['did_p'])}, q {_q(r['did_q'])}" in sentence, sentence
            assert "difference-in-differences" in sentence
        assert not re.search(r"\de-\d", sentence), sentence
    fcr = analyst.get("/api/pages/impact?metric=fcr").json()
    with server.app.state.cxlens.lock:  # type: ignore[attr-defined]
        assert_table(fcr["tables"]["initiatives"], impacts(server.wh, "fcr"))
    assert fcr["title"] == "Initiative impact on FCR"
    err = error_shape(analyst.get("/api/pages/impact?metric=csta"), 404, "not_found")
    assert 'Did you mean "csat"' in err["message"]


# -- customers ----------------------------------------------------------------------------------
def test_customers_page_is_the_library_fits(analyst: httpx.Client,
                                            direct: dict[str, Any]) -> None:
    body = analyst.get("/api/pages/customers").json()
    figs = figures(body)
    assert body["clv"]["resamples"] == CLV_RESAMPLES
    assert any(f"{CLV_RESAMPLES} bootstrap resamples" in n for n in body["notes"])
    fitted = [c for c in direct["clv"] if c.value is not None]
    assert fitted and len(fitted) < len(direct["clv"])  # the small currencies are skipped
    params = pd.DataFrame(body["tables"]["clv_parameters"])
    top = pd.DataFrame(body["tables"]["clv_top"])
    for c in direct["clv"]:
        if c.value is None:
            assert any(f"CLV in {c.currency} not computed" in n for n in body["notes"])
            continue
        v = c.value
        m = v.mean
        assert_figure(figs[f"mean_clv:{c.currency}"], m.value, m.ci_low, m.ci_high, m.n)
        mine = params[params["currency"] == c.currency].drop(columns="currency")
        assert_table(mine.to_dict("records"), v.parameters)
        shown = top[top["currency"] == c.currency]
        assert list(shown["customer_id"]) == [str(i) for i in v.top.index]
        for col in ("clv", "clv_ci_low", "clv_ci_high", "p_alive", "orders"):
            assert list(shown[col]) == pytest.approx(list(v.top[col]))
        assert list(shown["n"]) == list(v.top["orders"])
    risk = direct["churn"]
    for name, f in risk.evaluation.figures().items():
        scale = 100.0 if name == "churn_rate" else 1.0
        assert_figure(figs[f"churn:{name}"], scale * f.value, scale * f.ci_low,
                      scale * f.ci_high, f.n)
    # this demo's churn model ranks no better than chance (AUC 0.49, 0.42–0.56): no list
    assert risk.verdict and risk.scores.empty and "churn_top" not in body["tables"]
    assert any(risk.verdict in f and "no customer is listed" in f for f in body["findings"])
    assert_table(body["tables"]["churn_calibration"], risk.evaluation.deciles)
    assert_table(body["tables"]["churn_odds_ratios"], risk.model.coefficients())


# -- in a browser -------------------------------------------------------------------------------
def test_the_quadrant_chart_draws(server: Server, browser: Browser) -> None:
    context = browser.new_context()
    w = Watched(context.new_page(), server)
    try:
        log_in(w, "ann", start="/drivers")
        w.page.wait_for_selector("#chart-quadrant svg")
        assert w.page.locator("#chart-quadrant svg .mark-symbol path").count() >= 3
        assert "Chart failed" not in w.page.inner_text("#content")
        w.page.select_option("select[name=outcome]", "nps")
        w.page.wait_for_url("**outcome=nps*")
        w.page.wait_for_selector("#chart-quadrant svg")
        assert "Key drivers of Relational NPS" in w.page.inner_text("h1")
        assert w.page.locator(".vega svg").count() == w.page.locator(".vega").count() >= 2
        assert "Chart failed" not in w.page.inner_text("#content")
        w.shot("drivers-nps")
        w.check()
    finally:
        context.close()


def _q(p: float) -> str:
    """docs/metrics.md: below 0.001 "< 0.001", below 0.1 three decimals, else two."""
    return "< 0.001" if p < 0.001 else f"= {p:.3f}" if p < 0.1 else f"= {p:.2f}"


def _p_words(p: float) -> str:
    """docs/metrics.md, "Reading figures and p-values"."""
    words = ("very strong evidence" if p < 0.001 else "strong evidence" if p < 0.01 else
             "moderate evidence" if p < 0.05 else "weak evidence" if p < 0.1 else "no evidence")
    return f"p {_q(p)}, {words}"
