"""Public test vectors (the project's reference notes, values copied into
this file) through the whole stack: a CSV is
imported with the real importer, then the metric is queried."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cxlens import store
from cxlens.ingest.pipeline import import_files
from cxlens.metrics.query import query
from cxlens.store.base import Warehouse
from tests.metrics.oracles import oracle_for


def responses(tmp_path: Path, survey: str, scores: list[object],
              scale: tuple[int, int] | None = None) -> Warehouse:
    lines = ["response_id,survey,score,responded_at,scale_min,scale_max"]
    lo, hi = scale or ("", "")
    for i, s in enumerate(scores):
        lines.append(f"r{i},{survey},{'' if s is None else s},2024-05-0{1 + i % 9},{lo},{hi}")
    path = tmp_path / f"{survey}.csv"
    path.write_text("\n".join(lines) + "\n")
    wh = store.connect(str(tmp_path / "v.duckdb"))
    import_files(wh, "survey_responses", [path])
    return wh


def one(wh: Warehouse, metric: str) -> tuple[float, int]:
    row = query(metric, db=wh).iloc[0]
    return row["value"], int(row["n"])


@oracle_for("nps")
def test_nps_basic_formbricks(tmp_path: Path) -> None:
    value, n = one(responses(tmp_path, "nps", [10, 7, 3, 9]), "nps")
    assert (value, n) == (25.0, 4)


def test_nps_only_detractor_answered_formbricks(tmp_path: Path) -> None:
    wh = responses(tmp_path, "nps", ["invalid", None, 5])
    assert one(wh, "nps") == (-100.0, 1)
    reasons = [r for (r,) in wh.query("SELECT rules FROM quarantine ORDER BY source_row")]
    assert reasons == ["type", "required"]  # rejected with a reason, not counted


def test_nps_dismissed_invitations_are_not_responses(tmp_path: Path) -> None:
    # one 10 and two dismissed invitations: dismissed ones are never rows of survey_responses
    assert one(responses(tmp_path, "nps", [10]), "nps") == (100.0, 1)


def test_non_integer_nps_is_rejected_at_import(tmp_path: Path) -> None:
    wh = responses(tmp_path, "nps", [6.5, 8.5])
    assert one(wh, "nps")[1] == 0
    assert wh.scalar("SELECT count(*) FROM quarantine WHERE rules LIKE '%not_integer%'") == 2


@oracle_for("csat", "csat:mean")
@pytest.mark.parametrize(("scores", "csat", "mean"), [
    ([5, 4, 2, 1], 50.0, 3.0),            # Formbricks
    ([5, 4, 3, 1, 5], 60.0, 3.6),         # Formbricks
    ([1] * 10 + [2] * 20 + [3] * 15 + [4] * 3 + [5] * 2, 10.0, 2.34),  # Chatwoot distribution
    ([4] * 12 + [5] * 15 + [3] * 27, 50.0, 204 / 54),                   # Chatwoot 54 responses
])
def test_csat_vectors(tmp_path: Path, scores: list[int], csat: float, mean: float) -> None:
    wh = responses(tmp_path, "csat", scores)
    value, n = one(wh, "csat")
    assert (value, n) == (pytest.approx(csat), len(scores))
    assert one(wh, "csat:mean")[0] == pytest.approx(mean, abs=1e-4)


def test_csat_distribution_shares_chatwoot(tmp_path: Path) -> None:
    wh = responses(tmp_path, "csat", [1] * 10 + [2] * 20 + [3] * 15 + [4] * 3 + [5] * 2)
    volume = query("csat:mean", by=["score"], db=wh)
    shares = (100 * volume["n"] / volume["n"].sum()).round(2).tolist()
    assert shares == [20.0, 40.0, 30.0, 6.0, 4.0]


def test_ces_vectors_formbricks(tmp_path: Path) -> None:
    assert one(responses(tmp_path, "ces", [5, 4, 2, 3], (1, 5)), "ces")[0] == 3.5
    (tmp_path / "b").mkdir()
    wh2 = responses(tmp_path / "b", "ces", [7, 6, 1])
    assert round(one(wh2, "ces")[0], 2) == 4.67


@oracle_for("first_response_time:mean")
def test_reply_time_mean_chatwoot(tmp_path: Path) -> None:
    path = tmp_path / "i.csv"
    path.write_text("interaction_id,channel,created_at,first_response_at\n"
                    "a,email,2024-05-01 10:00:00,2024-05-01 10:00:30\n"
                    "b,email,2024-05-01 11:00:00,2024-05-01 11:00:40\n")
    wh = store.connect(str(tmp_path / "v.duckdb"))
    import_files(wh, "interactions", [path])
    assert one(wh, "first_response_time:mean") == (35.0, 2)


def test_empty_group_is_null_with_n_zero(tmp_path: Path) -> None:
    wh = responses(tmp_path, "csat", [5, 4])
    for metric in ("nps", "csat", "ces", "aht", "first_response_time", "contact_volume"):
        frame = query(metric, start="2030-01-01", db=wh)
        assert len(frame) == 1
        assert pd.isna(frame["value"][0]) and frame["n"][0] == 0, metric
        assert frame["flag"][0] == "no_data"


def test_public_python_api(tmp_path: Path) -> None:
    import cxlens

    wh = responses(tmp_path, "csat", [5, 1])
    wh.close()
    frame = cxlens.query("csat", db=str(tmp_path / "v.duckdb"))
    assert list(frame.columns) == ["period", "metric", "value", "n", "ci_low", "ci_high", "flag",
                                   "note"]
    assert frame["value"][0] == 50.0
