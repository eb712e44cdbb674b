"""Themes that last, on hand-built comments (tests/text/theme_comments.py) on DuckDB and
Postgres: found apart per sentiment label, matched from one run to the next (ids kept, a
planted complaint is a new theme and is alerted), and the user's names, merges and pins kept.

January: 20 answers for each of six themes (three complaints, three praises), 120 comments.
February: the same six (half of them now ending in " again") plus 20 for a new complaint,
"charged twice", 140 comments. Run 1 covers January, run 2 January–February.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

from cxlens import store
from cxlens.alerts import config as alert_config
from cxlens.alerts.run import check
from cxlens.errors import ConfigError, NotFound
from cxlens.store.base import Warehouse
from cxlens.store.migrate import data_version
from cxlens.text import sentiment
from cxlens.text import theme_store as ts
from cxlens.text.theme_match import Match, match
from cxlens.text.theme_track import Tracked, latest, track
from tests.text.theme_comments import COLUMNS, PLANTED, THEMES, month_of_comments, theme_of

JAN, FEB = dt.date(2026, 1, 1), dt.date(2026, 2, 1)
RUN1_AT = dt.datetime(2026, 2, 1, 6, tzinfo=dt.UTC)
RUN2_AT = dt.datetime(2026, 3, 1, 6, tzinfo=dt.UTC)


def run_january(wh: Warehouse) -> Tracked:
    wh.insert_rows("survey_responses", COLUMNS, month_of_comments(JAN))
    return track(wh, "2026-01-01", "2026-01-31", now=RUN1_AT)


def run_february(wh: Warehouse) -> Tracked:
    wh.insert_rows("survey_responses", COLUMNS,
                   month_of_comments(FEB, planted=True, again=True))
    return track(wh, "2026-01-01", "2026-02-28", now=RUN2_AT)


def ids_of(wh: Warehouse, run_id: int) -> dict[str, int]:
    """response id → stored theme id in ``run_id``."""
    a = ts.assignments(wh, run_id)
    return dict(zip(a["response_id"], a["theme_id"].astype(int), strict=True))


def theme_ids(wh: Warehouse, run_id: int) -> dict[str, set[int]]:
    """planted theme name → the stored ids its comments got in ``run_id``."""
    out: dict[str, set[int]] = {}
    for rid, tid in ids_of(wh, run_id).items():
        out.setdefault(theme_of(rid), set()).add(tid)
    return out


def test_the_hand_built_comments_carry_the_labels_they_were_written_for() -> None:
    for polarity, sentence, _ in (THEMES | PLANTED).values():
        labels = sentiment.score([sentence, sentence + " again"])["label"].tolist()
        assert labels == [polarity, polarity], sentence


def test_themes_are_found_apart_for_complaints_and_praise(wh: Warehouse) -> None:
    r = run_january(wh)
    ids = theme_ids(wh, 1)
    # one id per planted theme, six different ones: no theme mixes two planted ones
    assert all(len(v) == 1 for v in ids.values())
    assert len({min(v) for v in ids.values()}) == 6
    table = r.themes.set_index("theme")
    for name, (polarity, _, _) in THEMES.items():
        row = table.loc[min(ids[name])]
        assert row["polarity"] == polarity
        assert row["comments"] == 20 and row["n"] == 120
        assert row["share"] == pytest.approx(20 / 120)
        assert row["share_ci_low"] < 20 / 120 < row["share_ci_high"]
        assert bool(row["new"])
    login = table.loc[min(ids["login"])]
    assert set(login["label"].split(", ")) <= {"login", "broken", "password", "reset", "fails",
                                               "awful", "useless"}
    assert login["examples"] == [THEMES["login"][1]]
    # every complaint is NPS 0–3, every praise 9–10: with − without is −100 − 100 = … all the
    # commenters without the theme: 40 detractors and 60 promoters of 100 → NPS +20
    assert login["outcome"] == "nps"
    assert login["effect"] == pytest.approx(-100 - 20)
    assert r.unthemed == 0
    assert wh.scalar("SELECT count(*) FROM cxlens_themes") == 6


def test_two_runs_a_month_apart_keep_the_ids_and_the_planted_theme_is_new(
        wh: Warehouse) -> None:
    run_january(wh)
    first = ids_of(wh, 1)
    r = run_february(wh)
    second = ids_of(wh, 2)
    # every January comment keeps its theme id, and so does its February twin (" again")
    assert {rid: second[rid] for rid in first} == first
    jan_ids = theme_ids(wh, 1)
    feb_ids = theme_ids(wh, 2)
    for name in THEMES:
        assert feb_ids[name] == jan_ids[name]
    # the planted complaint: one id, new, not any January id
    (planted,) = feb_ids["charged"]
    assert planted not in set(first.values())
    table = r.themes.set_index("theme")
    assert bool(table.loc[planted, "new"]) and table.loc[planted, "polarity"] == "negative"
    assert not table.drop(index=planted)["new"].any()
    assert "charged" in table.loc[planted, "label"]
    # monthly volume: 0 of 120 in January, 20 of 140 in February (Wilson interval around it)
    months = r.trend[r.trend["theme"] == planted].set_index("month")
    assert months.loc["2026-01", ["comments", "n"]].tolist() == [0, 120]
    assert months.loc["2026-02", ["comments", "n"]].tolist() == [20, 140]
    assert months.loc["2026-02", "share_ci_low"] < 20 / 140 < months.loc["2026-02",
                                                                          "share_ci_high"]
    assert wh.query("SELECT run_id, first_day, last_day, comments FROM cxlens_theme_runs "
                    "ORDER BY run_id") == [(1, "2026-01-01", "2026-01-31", 120),
                                           (2, "2026-01-01", "2026-02-28", 260)]
    # the latest run read back (the page's path) is the run as it was returned
    back = latest(wh)
    assert back is not None
    cols = ["theme", "label", "comments", "share", "effect"]
    pd.testing.assert_frame_equal(back.themes[cols], r.themes[cols])


def test_the_planted_theme_is_alerted_through_the_alert_rules(wh: Warehouse) -> None:
    run_january(wh)
    r = run_february(wh)
    planted = int(r.themes.loc[r.themes["new"], "theme"].iloc[0])
    alert_config.save(wh, "rules:\n  - name: themes-emerging\n    check: emerging\n"
                          "    months: 1\n")
    done = check(wh, dt.date(2026, 3, 1), deliver=False)
    assert done.month == FEB
    judged = {j.segment: j for j in done.judgements}
    assert len(judged) == 7  # every theme has at least 10 comments in February
    assert [s for s, j in judged.items() if j.breached] == [f"theme={planted}"]
    j = judged[f"theme={planted}"]
    # 20 of 140 in February vs 0 of 120 in January. Pooled z test by hand:
    # p = 20/260, se = √(p(1 − p)(1/120 + 1/140)) = 0.033150, z = (20/140)/se = 4.3095
    z = (20 / 140) / math.sqrt(20 / 260 * 240 / 260 * (1 / 120 + 1 / 140))
    assert z == pytest.approx(4.3095, abs=1e-4)
    assert j.value == pytest.approx(100 * 20 / 140)
    assert j.limit == 0.0 and j.change == pytest.approx(100 * 20 / 140)
    assert j.p_value == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert j.message.startswith(f"new theme {planted} (")
    # an old theme: 20 of 140 vs 20 of 120, down — judged, not breached
    assert all(not j.breached and j.change is not None and j.change < 0
               for s, j in judged.items() if s != f"theme={planted}")
    opened = wh.query("SELECT segment, check_kind, status FROM cxlens_alerts")
    assert opened == [(f"theme={planted}", "emerging", "open")]
    # a second check of the same month changes nothing (alerts are per breach)
    again = check(wh, dt.date(2026, 3, 1), deliver=False)
    assert again.changes.opened == [] and wh.scalar("SELECT count(*) FROM cxlens_alerts") == 1


def test_rename_merge_and_pin_persist_across_runs(wh: Warehouse) -> None:
    run_january(wh)
    ids = {name: min(v) for name, v in theme_ids(wh, 1).items()}
    ts.rename(wh, ids["login"], "  Login   problems ")
    ts.merge(wh, ids["rude"], ids["login"])
    ts.pin(wh, ids["app"])
    r = run_february(wh)
    table = r.themes.set_index("theme")
    assert table.loc[ids["login"], "label"] == "Login problems"
    assert table.loc[ids["login"], "name"] == "Login problems"
    assert table.loc[ids["login"], "comments"] == 80  # 40 login + 40 rude, merged
    assert ids["rude"] not in table.index
    assert r.themes["theme"].iloc[0] == ids["app"] and bool(r.themes["pinned"].iloc[0])
    # the run still matched the merged theme by its own centroid: stored under its id
    assert theme_ids(wh, 2)["rude"] == {ids["rude"]}
    renamed = ts.one(wh, ids["login"])
    assert renamed.name == "Login problems" and renamed.label != "Login problems"
    # back to the terms' label with an empty name
    assert ts.rename(wh, ids["login"], "").title == renamed.label


def test_edits_that_cannot_be_done_are_refused(wh: Warehouse) -> None:
    run_january(wh)
    ids = {name: min(v) for name, v in theme_ids(wh, 1).items()}
    with pytest.raises(NotFound, match="no theme 99"):
        ts.rename(wh, 99, "x")
    with pytest.raises(ConfigError, match="would mix praise and complaints"):
        ts.merge(wh, ids["login"], ids["app"])
    with pytest.raises(ConfigError, match="same theme"):
        ts.merge(wh, ids["login"], ids["login"])
    ts.merge(wh, ids["rude"], ids["login"])
    with pytest.raises(ConfigError, match="already merged into"):
        ts.merge(wh, ids["login"], ids["rude"])
    version = data_version(wh, {"cxlens_themes"})
    answers = data_version(wh, {"survey_responses"})
    ts.pin(wh, ids["app"])
    assert data_version(wh, {"cxlens_themes"}) != version  # the themes page shows the pin
    assert data_version(wh, {"survey_responses"}) == answers  # what reads no theme stays


def test_only_the_latest_runs_keep_their_assignments(wh: Warehouse) -> None:
    run_january(wh)
    track(wh, "2026-01-01", "2026-01-31", now=RUN1_AT + dt.timedelta(days=1))
    track(wh, "2026-01-01", "2026-01-31", now=RUN1_AT + dt.timedelta(days=2))
    assert wh.query("SELECT run_id, count(*) FROM cxlens_theme_assignments GROUP BY run_id "
                    "ORDER BY run_id") == [(2, 120), (3, 120)]
    assert wh.scalar("SELECT count(*) FROM cxlens_themes") == 6  # the same six, every run


def test_matching_by_centroid_similarity() -> None:
    # stored: e1, e2. New: ≈ e2 (cos 0.9), e3 (cos 0 with both), ≈ e1 (cos 0.85), another
    # half of e1 (cos 0.81: a split of the e1 theme), e3 again (a split of the new theme)
    c = 0.9
    new = [[0, c, math.sqrt(1 - c * c)], [0, 0, 1], [0.85, math.sqrt(1 - 0.85**2), 0],
           [0.81, 0, math.sqrt(1 - 0.81**2)], [0, 0.1, math.sqrt(0.99)]]
    old = [[1, 0, 0], [0, 1, 0]]
    assert match(new, old) == [Match(1, True), Match(), Match(0, True), Match(0),
                               Match(twin=1)]
    # below the threshold (0.80) is a new theme
    assert match([[0.79, math.sqrt(1 - 0.79**2), 0]], [[1, 0, 0]]) == [Match()]
    assert match([[0.79, math.sqrt(1 - 0.79**2), 0]], [[1, 0, 0]], 0.75) == [Match(0, True)]
    # another embedding size never matches
    assert match([[1.0, 0.0]], [[1.0, 0.0, 0.0]]) == [Match()]


def test_a_warehouse_made_before_kept_themes_gets_their_tables(tmp_path: Path) -> None:
    """A warehouse written by the release before (schema 5, no theme tables) is migrated when
    opened: ``track`` would otherwise fail on a missing cxlens_themes."""
    url = str(tmp_path / "old.duckdb")
    with store.connect(url) as wh:
        for table in ("cxlens_themes", "cxlens_theme_runs", "cxlens_theme_assignments"):
            wh.execute(f"DROP TABLE {table}")
        wh.execute("UPDATE cxlens_meta SET value = '5' WHERE key = 'schema_version'")
    with store.connect(url) as wh:
        assert wh.existing_columns("cxlens_themes") == list(ts.THEMES.column_names)
        assert wh.existing_columns("cxlens_theme_assignments") == \
            list(ts.ASSIGNMENTS.column_names)


def test_matching_by_the_comments_a_cluster_shares_with_a_theme() -> None:
    # centroids only 0.6 similar (< 0.80) but 60 % of the cluster's earlier comments were in
    # the theme (≥ 50 %): a re-cut of the same comments continues the theme
    new = [[0.6, 0.8, 0.0], [0.0, 0.0, 1.0]]
    old = [[1.0, 0.0, 0.0]]
    assert match(new, old) == [Match(), Match()]
    assert match(new, old, overlap=[[0.6], [0.0]]) == [Match(0, True), Match()]
    assert match(new, old, overlap=[[0.4], [0.0]]) == [Match(), Match()]
    # a stored theme whose centroid is of another model is still found by its comments
    assert match(new, [[0.0, 0.0, 0.0]], overlap=[[0.0], [0.5]]) == [Match(), Match(0, True)]


def test_overlap_counts_only_comments_the_previous_run_themed() -> None:
    from cxlens.text.theme_track import overlap

    clusters = pd.DataFrame({"response_id": ["a", "b", "c", "d", "e"],
                             "theme": [1, 1, 1, 2, 2]})
    before = pd.DataFrame({"response_id": ["a", "b", "d", "z"], "theme_id": [7, 9, 7, 7]})
    # cluster 1: a, b seen before (c is new): 1 of 2 in 7, 1 of 2 in 9; cluster 2: d in 7
    # (e unseen); theme 8 had none of them
    got = overlap(clusters, before, [7, 8, 9], 2)
    assert got.tolist() == [[0.5, 0.0, 0.5], [1.0, 0.0, 0.0]]


def test_erasing_a_customer_deletes_their_comments_themes(wh: Warehouse) -> None:
    from cxlens.erase import erase

    rows = month_of_comments(JAN)
    wh.insert_rows("customers", ["customer_id"], [["C1"]])
    wh.insert_rows("survey_responses", [*COLUMNS, "customer_id"],
                   [[*r, "C1" if r[0] == "202601-login-0" else None] for r in rows])
    track(wh, "2026-01-01", "2026-01-31", now=RUN1_AT)
    assert wh.scalar("SELECT count(*) FROM cxlens_theme_assignments") == 120
    counts = erase(wh, "C1")
    assert counts["cxlens_theme_assignments"] == 1
    assert wh.scalar("SELECT count(*) FROM cxlens_theme_assignments "
                     "WHERE response_id = '202601-login-0'") == 0
    assert wh.scalar("SELECT count(*) FROM cxlens_theme_assignments") == 119
