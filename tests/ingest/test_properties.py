"""Property tests: nothing is lost (quarantined + loaded = read) and imports are idempotent."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxlens import store
from cxlens.ingest.pipeline import import_files

ids = st.text(alphabet="abcdef0123", min_size=1, max_size=3)
scores = st.one_of(st.integers(-2, 12).map(str), st.sampled_from(["", "6.5", "x", " 7 "]))
surveys = st.sampled_from(["nps", "csat", "CES", "", "custom"])
dates = st.one_of(
    st.datetimes(min_value=__import__("datetime").datetime(2020, 1, 1),
                 max_value=__import__("datetime").datetime(2030, 1, 1)).map(
        lambda d: d.strftime("%Y-%m-%d %H:%M:%S")),
    st.sampled_from(["", "not a date", "2024-02-30 10:00"]),
)
rows = st.lists(st.tuples(ids, surveys, scores, dates), min_size=1, max_size=40)


def write(path: Path, data: list[tuple[str, str, str, str]]) -> None:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["response_id", "survey", "score", "responded_at"])
        w.writerows(data)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=rows)
def test_nothing_is_lost_and_reimport_changes_nothing(data: list[tuple[str, str, str, str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "r.csv"
        write(f, data)
        with store.connect(":memory:") as wh:
            first = import_files(wh, "survey_responses", [f])
            assert first.rows_read == len(data)
            loaded = wh.count("survey_responses")
            rejected = wh.scalar("SELECT count(*) FROM quarantine WHERE status = 'rejected'")
            assert loaded + rejected == len(data)
            assert first.loaded == loaded and first.rejected == rejected
            # every loaded id is unique and every valid score is on its scale
            assert wh.scalar("SELECT count(*) FROM survey_responses WHERE score < scale_min "
                             "OR score > scale_max") == 0
            snapshot = wh.query("SELECT * FROM survey_responses ORDER BY response_id")
            quarantine = wh.query("SELECT source_row, rules FROM quarantine ORDER BY 1, 2")
            second = import_files(wh, "survey_responses", [f])
            assert second.inserted == 0 and second.updated == loaded
            assert wh.query("SELECT * FROM survey_responses ORDER BY response_id") == snapshot
            assert wh.query("SELECT source_row, rules FROM quarantine ORDER BY 1, 2") == quarantine
