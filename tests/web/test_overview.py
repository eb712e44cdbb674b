"""The overview names its period and says each headline's change on the previous period and on
the same period last year, tested, with its target and status, hand-worked on a small
warehouse of survey answers (vendor Acme unless said).

CSAT (top two boxes of 1–5): Feb 2025 5 of 10 satisfied (50.0 %), Mar 2025 8 of 10 (80.0 %),
none in Mar 2024. Change +30.0 points; variances 100²·.5·.5/10 = 250 and 100²·.8·.2/10 = 160,
SE √410 = 20.248, 95 % interval 30 ± 1.95996·20.248 = −9.7 to +69.7; pooled two-proportion z
= .3/√(.65·.35·(1/10 + 1/10)) = 1.4064, p = 0.160.
CES (1–7): Mar 2024 [2, 4], Feb 2025 [3, 5], Mar 2025 [5, 7]: means 3, 4, 6, each sd √2 so
each variance of the mean 2/2 = 1. On Feb: +2.0, SE √2, interval 2 ± 2.772 = −0.8 to +4.8,
Welch t = √2 with 2 df: p = 1 − 1/√2 = 0.293. On Mar 2024: +3.0, interval +0.2 to +5.8,
t = 3/√2 (2 df): p = 1 − t/√(2 + t²) = 1 − 2.1213/2.5495 = 0.168.
Benjamini–Hochberg over the three p (0.160, 0.168, 0.293): 0.160·3/1 = 0.479,
0.168·3/2 = 0.252, 0.293·3/3 = 0.293 → q = 0.252, 0.252, 0.293.
A Northwind CSAT answer (score 1) in Mar 2025 is in no Acme figure. Each case runs on DuckDB and
on Postgres.
"""

from __future__ import annotations

import datetime as dt
from contextlib import closing
from html import unescape

import pytest

from cxlens.accounts.users import User
from cxlens.contracts.store import save
from cxlens.metrics.period_change import PeriodChange
from cxlens.periods import Period, days, parse_period, words, year_before
from cxlens.present.filters import Filters
from cxlens.present.model import Page, PageCtx
from cxlens.present.pages.overview import overview, said
from cxlens.reports.html import render_html
from cxlens.reports.model import build_report
from cxlens.store.base import Warehouse
from cxlens.targets import Target, status, store
from tests.web.conftest import csrf_of, login
from tests.web.server import Server

ANN = User("ann", "analyst")
ACME = User("acme", "vendor", "Acme")
MARCH = Filters(start="2025-03-01", end="2025-03-31", vendor="Acme")


def _answers(survey: str, day: dt.date, scores: list[int], vendor: str = "Acme",
             top: int = 5) -> list[list[object]]:
    when = dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)
    return [[f"{survey}-{vendor}-{day}-{i}", survey, "transactional", s, 1, top,
             when + dt.timedelta(hours=i), vendor] for i, s in enumerate(scores)]


def _world(wh: Warehouse) -> None:
    rows = (_answers("csat", dt.date(2025, 2, 10), [5] * 5 + [2] * 5)
            + _answers("csat", dt.date(2025, 3, 10), [5] * 8 + [2] * 2)
            + _answers("csat", dt.date(2025, 3, 12), [1], vendor="Northwind")
            + _answers("ces", dt.date(2024, 3, 5), [2, 4], top=7)
            + _answers("ces", dt.date(2025, 2, 5), [3, 5], top=7)
            + _answers("ces", dt.date(2025, 3, 5), [5, 7], top=7))
    wh.insert_rows("survey_responses", ["response_id", "survey", "kind", "score", "scale_min",
                                        "scale_max", "responded_at", "vendor"], rows)


def _changes(page: Page, metric: str) -> list[str]:
    return [c["sentence"] for c in page.extra["headlines"][metric]["changes"]]


def test_period_in_words() -> None:
    assert words(parse_period("2025-03")) == "March 2025"
    assert words(parse_period("2025-03"), short=True) == "Mar 2025"
    assert words(parse_period("2025")) == "1 Jan – 31 Dec 2025"
    assert words(days(dt.date(2024, 12, 15), dt.date(2025, 1, 14))) == \
        "15 Dec 2024 – 14 Jan 2025"
    assert words(days(dt.date(2025, 3, 1), dt.date(2025, 3, 1))) == "1 Mar 2025"
    assert days(dt.date(2025, 3, 1), dt.date(2025, 3, 31)) == parse_period("2025-03")
    assert year_before(parse_period("2025-03")) == parse_period("2024-03")
    leap = Period("2024-02-29", dt.date(2024, 2, 29), dt.date(2024, 3, 1))
    assert (year_before(leap).start, year_before(leap).end) == (dt.date(2023, 2, 28),
                                                                dt.date(2023, 3, 1))


def test_changes_said_plainly_with_q(wh: Warehouse) -> None:
    _world(wh)
    page = overview(PageCtx(wh, ANN, MARCH))
    assert page.extra["period"] == "March 2025"
    assert _changes(page, "csat") == [
        "CSAT 80.0 %, up 30.0 points on Feb 2025 (95 % interval -9.7 to +69.7; "
        "p = 0.16, q = 0.25)",
        "CSAT 80.0 %: no data for the same period last year (Mar 2024)"]
    assert _changes(page, "ces") == [
        "CES 6.0, up 2.0 on Feb 2025 (95 % interval -0.8 to +4.8; p = 0.29, q = 0.29)",
        "CES 6.0, up 3.0 on Mar 2024 (95 % interval +0.2 to +5.8; p = 0.17, q = 0.25)"]
    csat = page.extra["headlines"]["csat"]["changes"][0]
    assert csat["change"] == pytest.approx(30.0)
    assert (csat["ci_low"], csat["ci_high"]) == pytest.approx((-9.686, 69.686), abs=1e-3)
    assert csat["p"] == pytest.approx(0.15960, abs=1e-4)
    assert csat["q"] == pytest.approx(3 / 2 * 0.16795, abs=1e-4)
    assert csat["href"] == "/moved?from=2025-03-01&to=2025-03-31&vendor=Acme&metric=csat"
    previous = page.extra["headlines"]["ces"]["changes"][0]
    assert previous["p"] == pytest.approx(1 - 2**-0.5, abs=1e-6)


def test_no_data_before_is_said_never_zero(wh: Warehouse) -> None:
    _world(wh)
    page = overview(PageCtx(wh, ANN, Filters(start="2025-02-01", end="2025-02-28",
                                           vendor="Acme")))
    assert page.extra["period"] == "February 2025"
    assert _changes(page, "csat") == [
        "CSAT 50.0 %: no data for the previous period (Jan 2025)",
        "CSAT 50.0 %: no data for the same period last year (Feb 2024)"]
    html_change = page.extra["headlines"]["csat"]["changes"][0]
    assert html_change["change"] is None and html_change["p"] is None


def test_whole_data_span_when_no_dates(wh: Warehouse) -> None:
    """Without from/to the figures cover the data's span (Mar 2024 – Mar 2025, 13 months),
    which has no previous period of its length: the changes are about the latest whole month
    instead (Mar 2025 against Feb 2025 and Mar 2024: CES 6.0 against 4.0 and 3.0, the same
    hand-worked changes as for March chosen), each naming that month and its figure."""
    _world(wh)
    page = overview(PageCtx(wh, ANN, Filters(vendor="Acme")))
    assert page.extra["period"] == "1 Mar 2024 – 31 Mar 2025"
    previous, year = _changes(page, "ces")
    assert previous.startswith(
        "CES Mar 2025: 6.0, up 2.0 on Feb 2025 (95 % interval -0.8 to +4.8; p = 0.29"), previous
    assert year.startswith(
        "CES Mar 2025: 6.0, up 3.0 on Mar 2024 (95 % interval +0.2 to +5.8; p = 0.17"), year


@pytest.mark.parametrize(("value", "low", "high", "goal", "expected"), [
    (80.0, 77.0, 83.0, Target(75.0, 2.0, True, "settings"), "met"),  # 5 over, CI above
    (80.0, 70.0, 90.0, Target(75.0, 2.0, True, "settings"), "at risk"),  # CI reaches 70
    (76.0, 75.5, 76.5, Target(75.0, 2.0, True, "settings"), "at risk"),  # 1 over, margin 2
    (77.0, 76.0, 78.0, Target(75.0, 2.0, True, "settings"), "at risk"),  # exactly the margin
    (74.0, 73.0, 75.0, Target(75.0, 2.0, True, "settings"), "missed"),
    (300.0, 280.0, 320.0, Target(420.0, 30.0, False, "settings"), "met"),  # lower is better
    (400.0, 380.0, 430.0, Target(420.0, 0.0, False, "settings"), "at risk"),  # CI over 420
    (430.0, 410.0, 450.0, Target(420.0, 0.0, False, "settings"), "missed"),
    (None, None, None, Target(75.0, 0.0, True, "settings"), None),
])
def test_target_status(value: float | None, low: float | None, high: float | None,
                       goal: Target, expected: str | None) -> None:
    assert status(value, low, high, goal) == expected


def test_targets_from_settings_on_the_page(wh: Warehouse) -> None:
    """CSAT 80.0 % against 75 (its Wilson interval for 8/10, 49.0–94.3 %, reaches below):
    at risk; CES 6.0 against 6.5: missed."""
    _world(wh)
    with wh.transaction():
        store(wh, "csat", "75", "2")
        store(wh, "ces", "6.5", "")
    page = overview(PageCtx(wh, ANN, MARCH))
    csat, ces = page.extra["headlines"]["csat"], page.extra["headlines"]["ces"]
    assert (csat["target"]["value"], csat["target"]["margin"], csat["status"]) == \
        (75.0, 2.0, "at risk")
    assert (ces["target"]["value"], ces["status"]) == (6.5, "missed")
    assert page.extra["headlines"]["response_rate"]["target"] is None


def test_vendor_viewer_sees_own_figures_and_contract_target(wh: Warehouse) -> None:
    """Acme's viewer: CSAT 80.0 % (the Northwind answer left out), and the target of Acme's
    contract (85) rather than the warehouse's 75: 80.0 < 85, missed."""
    _world(wh)
    contract = ("vendor: Acme\npricing: {model: per_fte, seats: 2, seat_rate: 100}\n"
                "at_risk: 0.05\nkpis:\n  - {name: csat, metric: csat, target: 85}\n"
                "  - {name: csat_billing, metric: csat, where: \"category = 'billing'\", "
                "target: 99}\n")
    save(wh, {"acme": contract})
    with wh.transaction():
        store(wh, "csat", "75", "")
    filters = Filters(start="2025-03-01", end="2025-03-31").scoped(ACME)
    page = overview(PageCtx(wh, ACME, filters))
    csat = next(f for f in page.figures if f.metric == "csat")
    assert (csat.value, csat.n) == (pytest.approx(80.0), 10)
    head = page.extra["headlines"]["csat"]
    assert (head["target"]["value"], head["target"]["source"], head["status"]) == \
        (85.0, "contract Acme", "missed")
    everyone = overview(PageCtx(wh, ANN, Filters(start="2025-03-01", end="2025-03-31")))
    all_csat = next(f for f in everyone.figures if f.metric == "csat")
    assert all_csat.n == 11  # the Northwind answer counts for all vendors
    assert everyone.extra["headlines"]["csat"]["target"]["value"] == 75.0


def test_sparkline_names_first_and_last(wh: Warehouse) -> None:
    _world(wh)
    page = overview(PageCtx(wh, ANN, MARCH))
    spark = page.extra["headlines"]["ces"]["sparkline"]
    assert spark["label"] == "CES by month, last 3: 3.0 in Mar 2024 to 6.0 in Mar 2025"
    assert spark["spec"]["description"] == spark["label"]
    assert [r["value"] for r in spark["spec"]["data"]["values"]] == [3.0, 4.0, 6.0]


def test_admin_sets_a_target_and_vendor_viewer_sees_their_contracts(server: Server) -> None:
    """On the demo server: the admin's CSAT target from the settings form shows on the
    overview for everyone but Acme's viewer, who sees the target of Acme BPO's contract (85)
    and Acme BPO's figures only; a target that is no number is refused."""
    with closing(login(server, "admin")) as admin, closing(login(server, "acme")) as acme:
        page = admin.get("/admin/settings")
        assert page.status_code == 200 and 'id="targets"' in page.text
        token = csrf_of(page.text)
        bad = admin.post("/admin/settings/targets",
                         data={"metric": "csat", "target": "high", "csrf_token": token})
        assert bad.status_code == 400 and "must be a number" in unescape(bad.text)
        ok = admin.post("/admin/settings/targets", data={"metric": "csat", "target": "70",
                                                         "margin": "1.5", "csrf_token": token})
        assert ok.status_code == 303
        try:
            mine = admin.get("/api/pages/overview").json()["headlines"]["csat"]
            assert (mine["target"]["value"], mine["target"]["margin"],
                    mine["target"]["source"]) == (70.0, 1.5, "settings")
            theirs = acme.get("/api/pages/overview?vendor=Northwind BPO").json()
            assert (theirs["headlines"]["csat"]["target"]["value"],
                    theirs["headlines"]["csat"]["target"]["source"]) == \
                (85.0, "contract Acme BPO")
            own = acme.get("/api/pages/overview?vendor=Acme BPO").json()
            assert theirs["figures"] == own["figures"]  # the URL's vendor is ignored
            html = acme.get("/overview").text
            assert "Target 85.0 % (contract Acme BPO)" in html
            assert "Northwind" not in html
        finally:
            admin.post("/admin/settings/targets", data={"metric": "csat", "target": "",
                                                        "margin": "", "csrf_token": token})
        assert admin.get("/api/pages/overview").json()["headlines"]["csat"]["target"] is None


def test_the_report_summary_says_the_same(wh: Warehouse) -> None:
    """The report's summary renders the overview's period and targets from the same page
    model; the change is said once, in the summary's sentence with its verdict (the cards do
    not repeat it with another family's q), and nothing links (paper)."""
    _world(wh)
    with wh.transaction():
        store(wh, "csat", "75", "2")
    text = unescape(render_html(build_report(wh, MARCH)))
    assert '<p class="period">March 2025</p>' in text
    assert "up 30.0 points on Feb 2025" not in text  # the cards do not say it again
    both = Filters(start="2025-02-01", end="2025-03-31", vendor="Acme")
    two = unescape(render_html(build_report(wh, both)))
    # 5/10 satisfied in February, 8/10 in March: the hand-worked p of the test above
    assert ("CSAT rose 30.0 points from 50.0 % in February 2025 to 80.0 % in March 2025, "
            "n = 10; not a statistically significant change (p = 0.16; two-proportion z "
            "test): it may be noise.") in two
    assert "Target 75.0 %" in text and "at risk" in text
    assert 'href="/moved?' not in text


def test_a_change_that_rounds_to_nothing_is_unchanged() -> None:
    """+0.04 points reads "unchanged", not "up 0.0 points"; one change alone has no q."""
    march, feb = parse_period("2025-03"), parse_period("2025-02")
    c = PeriodChange("csat", feb, march, 80.0, 900, 80.04, 950, 0.04, -3.0, 3.08, 0.98)
    assert said(c, "percent", "previous") == \
        "unchanged on Feb 2025 (95 % interval -3.0 to +3.1; p = 0.98)"
    down = PeriodChange("aht", feb, march, 400.0, 90, 310.0, 80, -90.0, -120.0, -60.0, None)
    assert said(down, "seconds", "previous") == "down 1 min 30 s on Feb 2025 (95 % interval " \
        "-2 min 00 s to -1 min 00 s; no test for this kind of figure)"
