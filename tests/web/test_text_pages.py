"""The text pages (themes, sentiment) on the shared demo server: each renders in the menu,
its JSON twin holds what ``cxlens.text`` gives when called directly on the same warehouse,
every figure carries n and an interval, comments are shown redacted, options are checked, and
a vendor viewer is refused (company-wide)."""

from __future__ import annotations

from html import unescape
from typing import Any

import httpx
import pytest

from cxlens.format import change, percent, points
from cxlens.present.themes import with_sentences
from cxlens.text.sentiment_summary import sentiment_summary
from cxlens.text.themes import themes
from tests.web.conftest import Server
from tests.web.test_api import error_shape
from tests.web.test_insight_pages import assert_table, figures, same

PAGES = ("themes", "sentiment")


@pytest.fixture(scope="module")
def direct(server: Server) -> dict[str, Any]:
    with server.app.state.cxlens.lock:  # type: ignore[attr-defined]
        return {"themes": themes(server.wh),
                "comments": sentiment_summary(server.wh, "comments", "vader"),
                "mentions": sentiment_summary(server.wh, "mentions", "lexicon")}


@pytest.mark.parametrize("name", PAGES)
def test_page_renders_with_n_and_intervals(analyst: httpx.Client, name: str) -> None:
    page = analyst.get(f"/{name}")
    assert page.status_code == 200, page.text[:500]
    assert f'<a href="/{name}" aria-current="page">' in page.text
    body = analyst.get(f"/api/pages/{name}").json()
    assert body["figures"] and body["charts"]
    for f in body["figures"]:
        assert f["n"] > 0 and f["ci_low"] is not None and f["ci_low"] <= f["ci_high"], f
    assert unescape(page.text).count('<div class="n">n = ') == len(body["figures"])


def test_themes_page_is_the_library_result(analyst: httpx.Client,
                                           direct: dict[str, Any]) -> None:
    body = analyst.get("/api/pages/themes").json()
    want = direct["themes"]
    table = with_sentences(want.themes)  # the sentence is written by cxlens.present.themes
    got = body["tables"]["themes"]
    assert [r["label"] for r in got] == list(table["label"])
    for row, (_, exp) in zip(got, table.iterrows(), strict=True):
        for col in ("comments", "share", "share_ci_low", "share_ci_high", "effect",
                    "effect_ci_low", "effect_ci_high", "q_value", "n_with", "sentence"):
            assert same(row[col], exp[col]), (col, row[col], exp[col])
    assert_table(body["tables"]["effects"], want.effects)
    assert body["findings"] == list(table["sentence"])
    assert all("@" not in r["examples"] for r in got if r["examples"])  # redacted
    # one chart row per theme: the charts are drawn by label, so no two rows share one
    for chart in (c for c in body["charts"] if c["name"] in ("effects", "volume")):
        labels = [v["label"] for v in chart["spec"]["data"]["values"]]
        assert len(labels) == len(set(labels)), chart["name"]
    assert len(next(c for c in body["charts"] if c["name"] == "volume")["spec"]["data"][
        "values"]) == len(got)
    # each effect reads as the chart and the sentences say it, signed points with one
    # decimal (the table printed "4.19" and "-2.08")
    page = unescape(analyst.get("/themes").text)
    shown = [r for r in got if r["effect"] is not None]
    assert shown
    for r in shown:
        cells = "".join(f'<td class="nw">{change(r[c], "points")}</td>'
                        for c in ("effect", "effect_ci_low", "effect_ci_high"))
        assert cells in page, cells


def test_sentiment_page_is_the_library_summary(analyst: httpx.Client,
                                               direct: dict[str, Any]) -> None:
    body = analyst.get("/api/pages/sentiment").json()
    assert_table(body["tables"]["overall"], direct["comments"].overall)
    assert_table(body["tables"]["evaluation"], direct["comments"].evaluation)
    figs = figures(body)
    overall = direct["comments"].overall.set_index("group").loc["all"]
    assert same(figs["net:all"]["value"], overall["net"])
    assert figs["net:all"]["n"] == int(overall["n"])
    other = analyst.get("/api/pages/sentiment", params={"source": "mentions",
                                                        "model": "lexicon"}).json()
    assert_table(other["tables"]["overall"], direct["mentions"].overall)
    assert any(k.startswith("accuracy:") for k in figures(other))
    # the table reads as the cards: shares in percent, net sentiment in signed points (it
    # printed 0.51 and 32.98 beside a card reading +33.0)
    page = unescape(analyst.get("/sentiment").text)
    shown = (f'<td class="nw">{percent(overall["positive"], "share")}</td>'
             f'<td class="nw">{percent(overall["positive_ci_low"], "share")}</td>')
    assert shown in page, shown
    assert f'<td class="nw">{points(overall["net"])}</td>' in page


def test_options_are_checked(analyst: httpx.Client) -> None:
    err = error_shape(analyst.get("/api/pages/sentiment", params={"model": "vadr"}), 404,
                      "not_found")
    assert "vader" in err["message"]


@pytest.mark.parametrize("name", PAGES)
def test_vendor_viewer_is_refused(acme: httpx.Client, name: str) -> None:
    error_shape(acme.get(f"/api/pages/{name}"), 403, "forbidden")
    assert f'href="/{name}"' not in acme.get("/overview").text
    assert 'href="/alerts"' in acme.get("/overview").text
