"""The demo's planted emerging complaint (``cxlens.demo.effects.EMERGING``: "the new app keeps
crashing" from the app's release on 2026-09-01), found the way a user finds it: on a copy of
the small demo (scale 0.05, seed 7) ``cxlens themes track`` to the end of August, ``cxlens
alerts check`` of August, ``cxlens themes track`` to the end of September (a month later),
``cxlens alerts check`` of September — with the alert rules the demo loads (the example rules).

Counts of the planted comments come from hand-written SQL on their literal words; the themes
and alerts come from the commands."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from typing import Any

import pytest
from typer.testing import CliRunner

from cxlens import store
from cxlens.cli import app
from cxlens.store.base import Warehouse
from cxlens.text import theme_store as ts

runner = CliRunner()

#: The planted comments: every one of its five templates says "new app", no other comment does.
PLANTED = "comment LIKE '%new app%'"
MONTH = "strftime(responded_at, '%Y-%m')"


@dataclass(frozen=True)
class Runs:
    db: str
    august: list[dict[str, Any]]  # alerts check --as-of 2026-09-01, after run 1
    september: list[dict[str, Any]]  # alerts check --as-of 2026-10-01, after run 2


def cli(*args: str) -> str:
    done = runner.invoke(app, list(args))
    assert done.exit_code == 0, done.output
    return done.stdout


@pytest.fixture(scope="module")
def runs(demo_db: str, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    db = str(tmp_path_factory.mktemp("emerging") / "d.duckdb")
    shutil.copy(demo_db, db)
    checked = []
    for last, as_of in (("2026-08-31", "2026-09-01"), ("2026-09-30", "2026-10-01")):
        cli("themes", "track", "--from", "2025-10-01", "--to", last, "--db", db)
        checked.append(json.loads(cli("alerts", "check", "--as-of", as_of, "--no-deliver",
                                      "--db", db, "--format", "json")))
    return Runs(db, *checked)


def themes_of(wh: Warehouse, run_id: int) -> dict[str, int]:
    """response id → theme id in ``run_id`` (themed comments)."""
    a = ts.assignments(wh, run_id)
    a = a[a["theme_id"].notna()]
    return dict(zip(a["response_id"], a["theme_id"].astype(int), strict=True))


def test_the_planted_complaint_starts_on_the_release_day(wh: Warehouse) -> None:
    months = wh.query(f"SELECT {MONTH} AS m, count(*) FROM survey_responses "
                        f"WHERE {PLANTED} GROUP BY m ORDER BY m")
    assert months == [("2026-09", 26)]  # none before the release; the demo ends in September
    first = wh.scalar(f"SELECT min(responded_at) FROM survey_responses WHERE {PLANTED}")
    assert first is not None and first.date().isoformat() >= "2026-09-01"
    # a visible share of September's low-score comments (CSAT 1–2, NPS 0–6): half are planted
    low = wh.query(
        f"SELECT count(*) FILTER (WHERE {PLANTED}), count(*) FROM survey_responses "
        f"WHERE comment IS NOT NULL AND {MONTH} = '2026-09' AND "
        "((survey = 'csat' AND score <= 2) OR (survey = 'nps' AND score <= 6))")
    planted, comments = low[0]
    assert 0.35 <= planted / comments <= 0.65


def test_a_month_later_the_ids_are_kept_and_the_planted_complaint_is_one_new_theme(
        runs: Runs) -> None:
    with store.connect(runs.db) as wh:
        first, second = themes_of(wh, 1), themes_of(wh, 2)
        kept = sum(second.get(r) == t for r, t in first.items())
        # measured: 1,516 of 1,602 (94.6 %) with GloVe (WordLlama: 1,506, 94.0 %)
        assert kept / len(first) >= 0.9
        new = set(second.values()) - set(first.values())
        assert len(new) == 1
        (planted,) = new
        theme = ts.one(wh, planted)
        assert theme.polarity == "negative"
        assert {"app", "crashing", "keeps"} <= {w.strip() for w in theme.terms.split(",")}
        rows = wh.query_df(f"SELECT response_id, {MONTH} AS month, {PLANTED} AS planted "
                           "FROM survey_responses WHERE comment IS NOT NULL")
    rows["theme"] = rows["response_id"].map(second)
    mine = rows[rows["theme"] == planted]
    # all 26 planted comments, nothing else (with WordLlama, before GloVe was the default, the
    # one ending in a second complaint — an appended "My card … was charged twice." — went to
    # the charged-twice theme)
    assert len(mine) == 26 and mine["planted"].all() and set(mine["month"]) == {"2026-09"}
    assert not (rows["planted"] & (rows["theme"] != planted)).any()


def test_the_example_alert_rules_open_one_emerging_alert_for_it(runs: Runs) -> None:
    def emerging(checked: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [j for r in checked for j in r["judgements"] if j["check"] == "emerging"]

    # August, after run 1: every theme judged (against May–July), none breaches
    assert emerging(runs.august) and not any(j["breached"] for j in emerging(runs.august))
    assert runs.august[0]["opened"] == []
    with store.connect(runs.db) as wh:
        (planted,) = set(themes_of(wh, 2).values()) - set(themes_of(wh, 1).values())
        alerts = wh.query("SELECT alert_id, rule, segment, first_month, status, value, n "
                          "FROM cxlens_alerts WHERE check_kind = 'emerging'")
    # September, after run 2: one alert, for the new theme, and nothing else opened
    assert runs.september[0]["opened"] == [alerts[0][0]]
    assert [a[1:5] for a in alerts] == [("themes-emerging", f"theme={planted}", "2026-09",
                                         "open")]
    # 26 of September's 147 comments (SELECT count(*) … WHERE comment IS NOT NULL in 2026-09)
    assert alerts[0][5:] == (pytest.approx(100 * 26 / 147), 147)
    breached = [j for j in emerging(runs.september) if j["breached"]]
    assert [j["segment"] for j in breached] == [f"theme={planted}"]
    assert breached[0]["message"].startswith(f"new theme {planted} (")
