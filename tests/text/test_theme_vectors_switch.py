"""Kept themes when the theme vectors change between runs (``cxlens themes vectors``), on the
hand-built comments of test_theme_track.py (six themes in January; in February the same six,
half ending in " again", plus the planted "charged twice" complaint), DuckDB and Postgres.

A centroid is compared only with centroids of the same fixed space (GloVe's or WordLlama's):
an LSA space is fitted on each run's comments, so its centroids are comparable with no other
run, and two fixed tables are two spaces. A run in another space matches kept themes by the
comments it shares with the previous run; a theme whose comments are all new to it starts a
new id."""

from __future__ import annotations

import datetime as dt

from cxlens.store.base import Warehouse
from cxlens.text import embed, glove, lsa
from cxlens.text import theme_store as ts
from cxlens.text import vectors as theme_vectors
from cxlens.text.theme_track import Tracked, track
from tests.text.test_theme_track import (
    FEB,
    JAN,
    RUN1_AT,
    RUN2_AT,
    ids_of,
    run_february,
    run_january,
    theme_ids,
)
from tests.text.theme_comments import COLUMNS, THEMES, month_of_comments

RUN3_AT = dt.datetime(2026, 3, 2, 6, tzinfo=dt.UTC)
#: The id of the kept theme ``_plant_kept_login_centroid`` stores.
KEPT = 1


def _centroids(wh: Warehouse) -> dict[int, tuple[str, list[float]]]:
    return {t.theme_id: (t.space, t.centroid) for t in ts.stored(wh)}


def _continued(wh: Warehouse, r: Tracked, first: dict[str, int], ids: dict[str, int]) -> int:
    """After February's run (run 2) in other vectors than January's: every January comment
    keeps its theme (matched by the comments the runs share), every planted theme its id,
    the login theme its name and the app theme its pin (listed first); only the planted
    complaint is new. Returns its id."""
    second = ids_of(wh, 2)
    assert {rid: second[rid] for rid in first} == first
    for name in THEMES:
        assert theme_ids(wh, 2)[name] == {ids[name]}
    (planted,) = theme_ids(wh, 2)["charged"]
    assert planted not in ids.values()
    table = r.themes.set_index("theme")
    assert table.loc[ids["login"], "label"] == "Login problems"
    assert r.themes["theme"].iloc[0] == ids["app"] and bool(r.themes["pinned"].iloc[0])
    assert table["new"].tolist().count(True) == 1 and bool(table.loc[planted, "new"])
    return int(planted)


def test_switching_to_lsa_and_back_keeps_ids_names_and_pins(wh: Warehouse) -> None:
    theme_vectors.choose(wh, "wordllama")
    run_january(wh)
    first = ids_of(wh, 1)
    ids = {name: min(v) for name, v in theme_ids(wh, 1).items()}
    ts.rename(wh, ids["login"], "Login problems")
    ts.pin(wh, ids["app"])
    wordllama = _centroids(wh)
    assert {space for space, _ in wordllama.values()} == {embed.MODEL}
    assert {len(c) for _, c in wordllama.values()} == {256}

    theme_vectors.choose(wh, "lsa")
    planted = _continued(wh, run_february(wh), first, ids)  # LSA: 10-d, fitted on Jan–Feb
    second = ids_of(wh, 2)
    # the run records its vectors; the kept themes keep their WordLlama centroids (an LSA
    # centroid is comparable with no later run) and the new theme gets none
    assert wh.query("SELECT run_id, model FROM cxlens_theme_runs ORDER BY run_id") == \
        [(1, embed.MODEL), (2, lsa.MODEL)]
    after = _centroids(wh)
    assert {t: after[t] for t in wordllama} == wordllama
    assert after[planted] == (lsa.MODEL, [])

    theme_vectors.choose(wh, "wordllama")
    track(wh, "2026-01-01", "2026-02-28", now=RUN3_AT)
    third = ids_of(wh, 3)
    assert third == second  # back in WordLlama's space: the same ids for every comment
    assert ts.one(wh, ids["login"]).title == "Login problems"
    assert ts.one(wh, ids["app"]).pinned
    back = _centroids(wh)
    assert back[planted][0] == embed.MODEL and len(back[planted][1]) == 256


def test_lsa_runs_over_periods_without_shared_comments_start_new_ids(wh: Warehouse) -> None:
    """Two LSA runs, January then February alone: no comment in common and no comparable
    centroid, so nothing says a February cluster continues a January theme — each gets a new
    id (docs/text.md says so, and that the default rolling year avoids it)."""
    theme_vectors.choose(wh, "lsa")
    wh.insert_rows("survey_responses", COLUMNS, month_of_comments(JAN))
    track(wh, "2026-01-01", "2026-01-31", now=RUN1_AT)
    wh.insert_rows("survey_responses", COLUMNS, month_of_comments(FEB, planted=True))
    r = track(wh, "2026-02-01", "2026-02-28", now=RUN2_AT)
    january = set(ids_of(wh, 1).values())
    february = set(ids_of(wh, 2).values())
    assert len(january) == 6 and len(february) == 7
    assert not january & february
    assert r.themes["new"].all()


def test_a_centroid_stored_before_the_vectors_were_a_setting_is_wordllamas(
        wh: Warehouse) -> None:
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    wh.insert_rows("cxlens_themes", ["theme_id", "polarity", "label", "terms", "centroid",
                                     "pinned", "first_seen", "last_seen"],
                   [[1, "negative", "login", "login", "[0.6, 0.8]", False, at, at]])
    (old,) = ts.stored(wh)
    assert (old.space, old.centroid) == (embed.MODEL, [0.6, 0.8])
    assert ts.read_centroid(ts.write_centroid(lsa.MODEL, [0.123456789])) == \
        (lsa.MODEL, [0.123457])


def test_a_centroid_of_a_per_run_space_is_never_compared_even_when_it_agrees(
        wh: Warehouse) -> None:
    """A kept theme whose centroid was recorded in an LSA space, equal to the centroid the
    next LSA run finds for the login complaints: the numbers agree, but two LSA fits are
    different spaces, so the run does not continue that theme by its centroid."""
    theme_vectors.choose(wh, "lsa")
    _plant_kept_login_centroid(wh, "lsa", lsa.MODEL)
    track(wh, "2026-02-01", "2026-02-28", now=RUN2_AT)
    _assert_kept_theme_not_continued(wh)


def test_when_the_default_moves_from_wordllama_to_glove_ids_names_and_pins_stay(
        wh: Warehouse) -> None:
    """A warehouse tracked while WordLlama was the default (it never chose, so its setting is
    empty) has kept themes with 256-d WordLlama centroids. The next run clusters GloVe, the
    default now: another fixed space, so no centroid is compared; every theme continues by
    the comments the runs share, keeps its id, name and pin, and takes a GloVe centroid; only
    the planted complaint is new. A third GloVe run then matches by centroids too."""
    wh.insert_rows("survey_responses", COLUMNS, month_of_comments(JAN))
    track(wh, "2026-01-01", "2026-01-31", now=RUN1_AT, vectors="wordllama")
    assert wh.query("SELECT count(*) FROM cxlens_meta WHERE key = ?",
                    [theme_vectors.KEY]) == [(0,)]
    first = ids_of(wh, 1)
    ids = {name: min(v) for name, v in theme_ids(wh, 1).items()}
    assert {space for space, _ in _centroids(wh).values()} == {embed.MODEL}
    ts.rename(wh, ids["login"], "Login problems")
    ts.pin(wh, ids["app"])

    _continued(wh, run_february(wh), first, ids)  # no --vectors, no setting: GloVe
    second = ids_of(wh, 2)
    assert wh.query("SELECT run_id, model FROM cxlens_theme_runs ORDER BY run_id") == \
        [(1, embed.MODEL), (2, glove.MODEL)]
    after = _centroids(wh)
    assert {space for space, _ in after.values()} == {glove.MODEL}
    assert {len(c) for _, c in after.values()} == {50}

    track(wh, "2026-01-01", "2026-02-28", now=RUN3_AT)
    assert ids_of(wh, 3) == second


def test_a_centroid_of_another_fixed_table_is_never_compared_even_when_it_agrees(
        wh: Warehouse) -> None:
    """A kept theme whose centroid is recorded as WordLlama's but holds the very numbers of
    the GloVe centroid the next run finds for the login complaints: two fixed tables are two
    spaces, so the run does not continue it by its centroid."""
    _plant_kept_login_centroid(wh, "glove", embed.MODEL)
    track(wh, "2026-02-01", "2026-02-28", now=RUN2_AT)
    _assert_kept_theme_not_continued(wh)


def test_a_centroid_of_the_run_s_own_fixed_table_is_compared(wh: Warehouse) -> None:
    """The control of the two tests above: the same kept login centroid recorded as GloVe's,
    the space the run clusters in (the default), is compared, agrees, and the run continues
    the kept theme: the login complaints take its id. So what those tests check can fail."""
    _plant_kept_login_centroid(wh, "glove", glove.MODEL)
    track(wh, "2026-02-01", "2026-02-28", now=RUN2_AT)
    assert theme_ids(wh, 1)["login"] == {KEPT}


def _assert_kept_theme_not_continued(wh: Warehouse) -> None:
    """The first run gave the kept theme's id to none of its comments (the login complaints
    among them): it did not continue that theme by its centroid, and started its own."""
    given = set(ids_of(wh, 1).values())
    assert given and given.isdisjoint({KEPT}), (
        f"kept theme {KEPT} was continued by a centroid of another space: the run gave "
        f"ids {sorted(given)}")
    assert len(theme_ids(wh, 1)["login"]) == 1  # the login complaints: one new theme


def _plant_kept_login_centroid(wh: Warehouse, vectors: str, recorded_as: str) -> None:
    """February's comments in the warehouse (nothing tracked yet), and kept theme ``KEPT``: the
    centroid ``vectors`` finds for February's negative login complaints, recorded as
    ``recorded_as``'s."""
    from cxlens.text import sentiment, source
    from cxlens.text.themes import find_themes

    wh.insert_rows("survey_responses", COLUMNS, month_of_comments(FEB))
    frame = source.comments(wh, FEB, dt.date(2026, 3, 1))
    scored = sentiment.score(frame["comment"].astype(str).tolist())
    negative = (scored["label"] == "negative").to_numpy()
    r = find_themes(frame[negative].reset_index(drop=True), FEB, dt.date(2026, 2, 28),
                    scores=scored.loc[negative, "compound"].to_numpy(),
                    space=theme_vectors.SPACES[vectors])
    login = int(r.comments.loc[r.comments["response_id"] == "202602-login-0", "theme"].iloc[0])
    at = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    wh.insert_rows("cxlens_themes", ["theme_id", "polarity", "label", "terms", "centroid",
                                     "pinned", "first_seen", "last_seen"],
                   [[KEPT, "negative", "login", "login",
                     ts.write_centroid(recorded_as, r.centroids[login - 1].tolist()), False, at,
                     at]])
