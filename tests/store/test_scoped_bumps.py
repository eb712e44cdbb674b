"""A sentiment model saved or forgotten, a tracked theme run or a user's edit of a theme, and an
AutoQA run bump the versions of the tables they write only (issue 18): at 10 M interactions
a bump of everything recomputes every page for minutes, though none of these changes a CSAT,
NPS or handle-time figure. Each is recorded statement by statement (store/trace.py): what it
writes must be among the tables its bump names, and the contacts' and answers' version (what
most pages read) must not move."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cxlens import store
from cxlens.qa import machine
from cxlens.store import registry
from cxlens.store.duck import DuckDBWarehouse
from cxlens.store.migrate import data_version
from cxlens.store.trace import recording
from cxlens.text import learned, model_store
from cxlens.text import theme_store as ts
from cxlens.text.theme_track import track
from tests.qa.test_machine import seed as seed_transcripts
from tests.text.test_sentiment_summary import NO_WORDS
from tests.text.test_theme_track import JAN, RUN1_AT, theme_ids
from tests.text.theme_comments import COLUMNS, month_of_comments

REGISTERED = {t.name for t in registry.tables()} - {"cxlens_meta"}
ANSWERS = {"interactions", "survey_responses"}


def check(wh: DuckDBWarehouse, written: set[str], names: tuple[str, ...],
          answers: str) -> None:
    assert written, "nothing recorded"
    assert written <= set(names), sorted(written - set(names))
    assert data_version(wh, ANSWERS) == answers  # the survey pages stay cached
    assert data_version(wh, set(names)) != answers


def test_a_sentiment_model_saved_and_forgotten(tmp_path: Path) -> None:
    with store.connect(str(tmp_path / "w.duckdb")) as wh:
        assert isinstance(wh, DuckDBWarehouse)
        answers = data_version(wh, ANSWERS)
        model = learned.fit(NO_WORDS, ["negative"] * 8 + ["positive"] * 2)
        with recording(wh) as (traced, statements):
            model_store.save(traced, model, pd.DataFrame(), "test", 10)
            assert model_store.forget(traced) == 1
        check(wh, statements.written() & REGISTERED, model_store.WRITES, answers)


def test_a_theme_run_and_a_users_edits(tmp_path: Path) -> None:
    with store.connect(str(tmp_path / "w.duckdb")) as wh:
        assert isinstance(wh, DuckDBWarehouse)
        wh.insert_rows("survey_responses", COLUMNS, month_of_comments(JAN))
        answers = data_version(wh, ANSWERS)
        with recording(wh) as (traced, statements):
            track(traced, "2026-01-01", "2026-01-31", now=RUN1_AT)
        written = statements.written() & REGISTERED
        assert {"cxlens_themes", "cxlens_theme_runs", "cxlens_theme_assignments"} <= written
        check(wh, written, ts.WRITES, answers)
        ids = {name: min(v) for name, v in theme_ids(wh, 1).items()}
        with recording(wh) as (traced, statements):
            ts.rename(traced, ids["login"], "Login problems")
            ts.pin(traced, ids["app"])
            ts.merge(traced, ids["rude"], ids["login"])
        check(wh, statements.written() & REGISTERED, (ts.THEMES.name,), answers)


def test_an_autoqa_run(tmp_path: Path) -> None:
    with store.connect(str(tmp_path / "w.duckdb")) as wh:
        assert isinstance(wh, DuckDBWarehouse)
        seed_transcripts(wh)
        answers = data_version(wh, ANSWERS)
        with recording(wh) as (traced, statements):
            machine.run(traced)
        check(wh, statements.written() & REGISTERED, machine.WRITES, answers)
