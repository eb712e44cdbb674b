"""The "What moved" page (/moved, its JSON twin and CSV) on a hand-worked warehouse, on the demo's
planted Northwind slip, in a vendor viewer's scope, and the URL the overview links to."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest
from statsmodels.stats.proportion import proportion_confint

from cxlens import accounts, store
from cxlens.accounts import users
from cxlens.web.app import create_app
from tests.insights.test_moved import HAND, world
from tests.web.conftest import PASSWORD, Server, login
from tests.web.server import running


def _serve(wh: Any) -> Iterator[Server]:
    accounts.ensure(wh)
    users.add(wh, "ann", PASSWORD, "analyst", None)
    users.add(wh, "acme", PASSWORD, "vendor", "Acme BPO")
    app = create_app(wh)
    with running(app) as url:
        yield Server(url, wh, app)


@pytest.fixture(scope="module")
def hand(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """tests/insights' hand-worked case: CSAT 280/400 in April, 245/400 in May, all Acme."""
    wh = world(Path(tmp_path_factory.mktemp("moved")), HAND)
    yield from _serve(wh)
    wh.close()


@pytest.fixture(scope="module")
def slip(demo_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A copy of the shared test demo (scale 0.05), served."""
    path = Path(tmp_path_factory.mktemp("moved-demo")) / "demo.duckdb"
    shutil.copy(demo_db, path)
    wh = store.connect(str(path))
    yield from _serve(wh)
    wh.close()


def _get(client: httpx.Client, url: str, status: int = 200) -> Any:
    response = client.get(url)
    assert response.status_code == status, response.text[:800]
    return response.json() if "json" in response.headers["content-type"] else response.text


def _figures(page: dict[str, Any]) -> dict[str, Any]:
    return {f["metric"].split(":")[0]: f for f in page["figures"]}


def test_the_hand_worked_case_through_the_page_json(hand: Server) -> None:
    """April: billing 160/200, technical 120/200 (70 %); May: billing 80/100, technical
    165/300 (61.25 %). Change −8.75 points; mix (billing's share 50 → 25 %, technical's 50 →
    75 %): Σ Δw·(r̄ − R̄) with R̄ = 65.625 — billing −0.25 × (80 − 65.625) = −3.59375,
    technical +0.25 × (57.5 − 65.625) = −2.03125, −5.625 in all; rate: technical 60 → 55 %
    at its mean share 0.625 = −3.125, billing 0. The change's SE is 3.3442 (tests/stats), so
    its interval is −8.75 ± 1.96 × 3.3442 = −15.3 to −2.2."""
    with closing(login(hand, "ann")) as client:
        page = _get(client, "/api/pages/moved?metric=csat&by=category&from=2026-05-01"
                            "&to=2026-05-31")
        csv_text = _get(client, "/api/pages/moved/tables/segments.csv?metric=csat&by=category"
                                "&from=2026-05-01&to=2026-05-31")
        html = _get(client, "/moved?metric=csat&by=category&from=2026-05-01&to=2026-05-31")
    assert page["page"] == "moved" and page["title"] == "What moved CSAT: Apr 2026 → May 2026"
    assert (page["before"]["label"], page["after"]["label"]) == ("2026-04", "2026-05")
    f = _figures(page)
    assert (f["before"]["value"], f["after"]["value"]) == pytest.approx((70.0, 61.25))
    assert (f["before"]["n"], f["after"]["n"]) == (400, 400)
    # each period's own interval is the metric's (Wilson for a share, as on the overview):
    # statsmodels' on 280 of 400 and 245 of 400
    for card, k in (("before", 280), ("after", 245)):
        low, high = proportion_confint(k, 400, alpha=0.05, method="wilson")
        assert (f[card]["ci_low"], f[card]["ci_high"]) == pytest.approx(
            (100 * low, 100 * high), abs=1e-6)
    assert (f["change"]["value"], f["mix"]["value"], f["rate"]["value"]) == pytest.approx(
        (-8.75, -5.625, -3.125))
    assert f["change"]["ci_low"] == pytest.approx(-8.75 - 1.959964 * 3.344218, abs=1e-4)
    assert f["change"]["unit"] == "points" and page["significant"] is True
    rows = {r["category"]: r for r in page["tables"]["segments"]}
    assert [rows["billing"][k] for k in ("n_before", "n_after", "share_before", "share_after",
                                         "value_before", "value_after")] == pytest.approx(
        [200, 100, 50.0, 25.0, 80.0, 80.0])
    assert (rows["billing"]["mix"], rows["billing"]["rate"]) == pytest.approx((-3.59375, 0.0))
    assert (rows["technical"]["mix"], rows["technical"]["rate"]) == pytest.approx(
        (-2.03125, -3.125))
    assert rows["billing"]["flag"] == rows["technical"]["flag"] == ""
    assert page["findings"] == [
        "CSAT fell 8.8 points from 70.0 % in Apr 2026 to 61.3 % in May 2026 (95 % interval "
        "-15.3 to -2.2 points): 3.6 from fewer billing, 3.1 from lower CSAT in technical, "
        "2.0 from more technical. Mix -5.6 points, rate -3.1 points."]
    chart = page["charts"][0]
    assert chart["table"] == "segments"
    bars = {(v["segment"], v["effect"]): v["value"] for v in chart["spec"]["data"]["values"]}
    assert bars == pytest.approx({("All", "mix"): -5.625, ("All", "rate"): -3.125,
                                  ("billing", "mix"): -3.59375, ("billing", "rate"): 0.0,
                                  ("technical", "mix"): -2.03125,
                                  ("technical", "rate"): -3.125})
    # the tooltips read as the table does (the one formatter), not as d3 formats floats
    tips = {(v["segment"], v["effect"]): (v["value_text"], v["n_text"])
            for v in chart["spec"]["data"]["values"]}
    assert tips[("All", "mix")] == ("-5.6 points", "800")
    assert tips[("billing", "mix")] == ("-3.6 points", "300")
    fields = [t["field"] for layer in chart["spec"]["layer"]
              for t in layer.get("encoding", {}).get("tooltip", [])]
    assert "value_text" in fields and "value" not in fields
    # the CSV keeps the plain values; the HTML table reads them as people do
    by_cat = {r["category"]: r for r in csv.DictReader(io.StringIO(csv_text))}
    assert by_cat["billing"]["share_after"] == "25.0" and by_cat["billing"]["mix"] == "-3.59375"
    row = ("billing", "200", "100", "50.0 %", "25.0 %", "80.0 %", "80.0 %", "-3.6")
    # (each a short cell, kept to one line: class "nw")
    assert "".join(f'<td class="nw">{v}</td>' for v in row) in html
    assert "CSAT fell 8.8 points" in html and "What moved" in html


def test_the_reference_and_what_cannot_be_split_are_said(hand: Server) -> None:
    """Last year has no answers: said on the page (200), not an error; an unknown metric and
    an unknown reference are 404s in the one error shape."""
    with closing(login(hand, "ann")) as client:
        page = _get(client, "/api/pages/moved?metric=csat&from=2026-05-01&to=2026-05-31"
                            "&reference=last_year")
        assert page["figures"] == [] and page["reference"] == "last_year"
        assert any("no CSAT answers in 2025-05" in n for n in page["notes"])
        median = _get(client, "/api/pages/moved?metric=first_response_time")
        assert any("not a mean over its population" in n for n in median["notes"])
        wrong = _get(client, "/api/pages/moved?metric=csatt", 404)
        assert wrong["error"]["code"] == "not_found" and "csat" in wrong["error"]["message"]
        wrong = _get(client, "/api/pages/moved?reference=yesterday", 404)
        assert "last_year" in wrong["error"]["hint"]


def test_northwinds_planted_slip_is_found(slip: Server) -> None:
    """The demo plants a Northwind slip from 2026-05 (docs/moved.md): FCR in May against
    April by vendor is led by lower FCR within Northwind, its interval below 0, and the vendor
    mix is small — the same reading as tests/insights/test_moved.py, through the page."""
    with closing(login(slip, "ann")) as client:
        page = _get(client, "/api/pages/moved?metric=fcr&by=vendor&from=2026-05-01"
                            "&to=2026-05-31")
    assert (page["before"]["label"], page["after"]["label"]) == ("2026-04", "2026-05")
    rows = {r["vendor"]: r for r in page["tables"]["segments"]}
    north = rows["Northwind BPO"]
    assert north["rate"] < 0 and north["rate_high"] < 0
    assert max(abs(r["rate"]) for r in rows.values()) == abs(north["rate"])
    assert abs(_figures(page)["mix"]["value"]) < 1
    assert page["findings"][0].startswith("FCR fell ")
    assert "from lower FCR in Northwind BPO" in page["findings"][0].split(",")[0]


def test_a_vendor_viewer_sees_their_vendor_split_by_something_else(slip: Server) -> None:
    """acme asks for Northwind by vendor: the page is Acme's own answers (the same as an
    analyst's page filtered to Acme), split by category, and says why; vendor is not offered."""
    url = "/api/pages/moved?metric=csat&from=2026-05-01&to=2026-05-31"
    with closing(login(slip, "acme")) as client:
        mine = _get(client, f"{url}&by=vendor&vendor=Northwind+BPO")
        csv_text = _get(client, "/api/pages/moved/tables/segments.csv?metric=csat&by=vendor"
                                "&vendor=Northwind+BPO&from=2026-05-01&to=2026-05-31")
        html = _get(client, "/moved?metric=csat&by=vendor&vendor=Northwind+BPO")
    with closing(login(slip, "ann")) as client:
        theirs = _get(client, f"{url}&by=category&vendor=Acme+BPO")
    assert mine["filters"].endswith("vendor=Acme+BPO") and mine["by"] == "category"
    assert mine["tables"] == theirs["tables"] and mine["findings"] == theirs["findings"]
    assert any("You see Acme BPO only, so a split by vendor" in n for n in mine["notes"])
    split = next(c for c in mine["controls"] if c["name"] == "by")
    assert "vendor" not in " ".join(value for value, _ in split["choices"])
    [[n]] = slip.wh.query(
        "SELECT count(*) FROM survey_responses s JOIN interactions i USING (interaction_id) "
        "WHERE s.survey = 'csat' AND s.score IS NOT NULL AND i.vendor = 'Acme BPO' AND "
        "s.responded_at >= '2026-05-01' AND s.responded_at < '2026-06-01'")
    assert sum(r["n_after"] for r in mine["tables"]["segments"]) == n
    assert "Northwind" not in csv_text and "Northwind" not in html.split("<main")[-1]


def test_the_overviews_link_opens_the_page(slip: Server) -> None:
    """The overview links each headline to /moved?metric=<id>&<its filters>: every headline
    id opens (a figure that does not split, like the response rate's, says so in a note)."""
    with closing(login(slip, "ann")) as client:
        for metric in ("nps:relational", "csat", "ces", "fcr", "response_rate"):
            html = _get(client, f"/moved?metric={metric}&from=2026-04-01&to=2026-06-30"
                                "&channel=email&grain=week")
            assert "What moved" in html
            page = _get(client, f"/api/pages/moved?metric={metric}&from=2026-04-01"
                                "&to=2026-06-30&channel=email")
            assert page["metric"] == metric
            assert page["figures"] or page["notes"]
    relational = _get(login(slip, "ann"), "/api/pages/moved?metric=nps:relational")
    assert relational["by"] == "segment"  # its answers carry no category
