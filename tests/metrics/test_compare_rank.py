"""Period-over-period significance with FDR control, and shrunk leaderboards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

from cxlens import store
from cxlens.demo import build_demo
from cxlens.errors import ConfigError
from cxlens.ingest.pipeline import import_files
from cxlens.metrics.query import compare, leaderboard, query
from cxlens.store.base import Warehouse


def test_compare_csat_by_vendor_matches_statsmodels(demo: Warehouse) -> None:
    got = compare("csat", by=["vendor"], grain="quarter", db=demo)
    figures = query("csat", by=["vendor"], grain="quarter", db=demo)
    assert len(got) == len(figures) - figures["vendor"].nunique()  # first quarters have no previous
    p_values = []
    for _, row in got.iterrows():
        cur = figures[(figures.vendor == row.vendor) & (figures.period == row.period)].iloc[0]
        prev = figures[(figures.vendor == row.vendor)
                       & (figures.period == row.previous_period)].iloc[0]
        k1, k2 = round(prev.value * prev.n / 100), round(cur.value * cur.n / 100)
        _, p = proportions_ztest([k2, k1], [cur.n, prev.n])
        p_values.append(p)
        assert row.change == pytest.approx(cur.value - prev.value)
    assert np.allclose(got["p_value"], p_values)
    reject, q, _, _ = multipletests(p_values, method="fdr_bh")
    assert np.allclose(got["q_value"], q) and list(got["significant"]) == list(reject)


@pytest.fixture(scope="module")
def demo_02(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    wh = store.connect(str(tmp_path_factory.mktemp("d02") / "d.duckdb"))
    build_demo(wh, scale=0.2, seed=7)
    yield wh
    wh.close()


@pytest.mark.parametrize(("metric", "direction"), [
    ("reopen_rate", 1), ("aht", 1), ("escalation_summary_completeness", -1)])
def test_compare_finds_northwinds_slip(demo_02: Warehouse, metric: str, direction: int) -> None:
    got = compare(metric, by=["vendor"], grain="month", db=demo_02)
    may = got[(got.vendor == "Northwind BPO") & (got.period.astype(str) == "2026-05-01")]
    assert len(may) == 1 and may["change"].iloc[0] * direction > 0
    assert bool(may["significant"].iloc[0])
    # nobody else moves significantly that month
    others = got[(got.vendor != "Northwind BPO") & (got.period.astype(str) == "2026-05-01")]
    assert not others["significant"].any()


def test_compare_needs_a_grain_and_skips_tests_for_medians(demo_duck: Warehouse) -> None:
    with pytest.raises(ConfigError, match="--grain"):
        compare("csat", grain="", db=demo_duck)
    got = compare("first_response_time", grain="quarter", db=demo_duck)
    assert got["p_value"].isna().all() and got["test"].str.startswith("none").all()


@pytest.fixture
def agents(tmp_path: Path) -> Warehouse:
    rng = np.random.default_rng(5)
    lines = ["interaction_id,channel,created_at,agent_id"]
    responses = ["response_id,survey,score,responded_at,interaction_id"]
    i = 0
    for agent in range(12):
        for _ in range(int(rng.integers(60, 120))):
            i += 1
            lines.append(f"i{i},email,2024-05-01,agent{agent:02d}")
            score = 5 if rng.random() < 0.8 else 2
            responses.append(f"r{i},csat,{score},2024-05-02,i{i}")
    i += 1  # a new agent with one happy customer
    lines.append(f"i{i},email,2024-05-01,newbie")
    responses.append(f"r{i},csat,5,2024-05-02,i{i}")
    (tmp_path / "i.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "r.csv").write_text("\n".join(responses) + "\n")
    wh = store.connect(str(tmp_path / "a.duckdb"))
    import_files(wh, "interactions", [tmp_path / "i.csv"])
    import_files(wh, "survey_responses", [tmp_path / "r.csv"])
    return wh


def test_a_one_of_one_agent_does_not_top_the_leaderboard(agents: Warehouse) -> None:
    board = leaderboard("csat", by=["agent"], db=agents)
    newbie = board[board.agent_id == "newbie"].iloc[0]
    assert newbie["raw_rank"] == 1 and newbie["value"] == 100.0
    assert newbie["rank"] > 1 and newbie["flag"] == "insufficient_sample"
    assert board["rank"].iloc[0] == 1 and board["agent_id"].iloc[0] != "newbie"
    assert (board["shrunk_low"] <= board["shrunk"]).all()


def test_rank_refuses_what_it_cannot_shrink(agents: Warehouse) -> None:
    with pytest.raises(ConfigError, match="share and mean"):
        leaderboard("first_response_time", by=["agent"], db=agents)
    with pytest.raises(ConfigError, match="--by"):
        leaderboard("csat", by=[], db=agents)
