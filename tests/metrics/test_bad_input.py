"""Bad input to the metric layer: clear errors that list the valid choices."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxlens import store
from cxlens.errors import ConfigError, NotFound
from cxlens.ingest.pipeline import import_files
from cxlens.metrics.catalogue import load
from cxlens.metrics.query import query
from cxlens.metrics.result import MixedFigure
from cxlens.store.base import Warehouse


@pytest.fixture
def mixed(tmp_path: Path) -> Warehouse:
    path = tmp_path / "r.csv"
    path.write_text(
        "response_id,survey,score,responded_at,scale_min,scale_max,kind\n"
        "a,csat,5,2024-05-01,1,5,transactional\nb,csat,7,2024-05-01,1,7,transactional\n"
        "c,nps,9,2024-05-01,,,relational\nd,nps,3,2024-05-01,,,transactional\n")
    wh = store.connect(str(tmp_path / "m.duckdb"))
    import_files(wh, "survey_responses", [path])
    return wh


def test_unknown_metric_variant_dimension_grain(demo_duck: Warehouse) -> None:
    with pytest.raises(NotFound, match='Did you mean "csat"'):
        query("csta", db=demo_duck)
    with pytest.raises(NotFound, match="variants of csat: mean, top3"):
        query("csat:median", db=demo_duck)
    with pytest.raises(ConfigError, match='Did you mean "vendor"') as info:
        query("csat", by=["vendr"], grain="moth", db=demo_duck)
    assert 'Did you mean "month"' in str(info.value)
    assert "grains: day, week, month, quarter, year" in info.value.hint


def test_where_filter_and_its_errors(demo_duck: Warehouse) -> None:
    chat = query("aht", where="channel = 'chat'", db=demo_duck)
    everything = query("aht", db=demo_duck)
    assert 0 < chat["n"][0] < everything["n"][0]
    with pytest.raises(ConfigError, match='no column "chanel". Did you mean "channel"'):
        query("aht", where="chanel = 'chat'", db=demo_duck)
    with pytest.raises(ConfigError, match="cannot read the expression"):
        query("aht", where="channel = = 'chat'", db=demo_duck)
    with pytest.raises(ConfigError, match="not supported"):
        query("aht", where="channel IN (SELECT 1)", db=demo_duck)


def test_mixed_scales_are_refused_unless_normalised(mixed: Warehouse) -> None:
    with pytest.raises(MixedFigure, match="CSAT would mix different scale_min|scale_max"):
        query("csat", db=mixed)
    split = query("csat", by=["scale_max"], db=mixed)
    assert split["value"].tolist() == [100.0, 100.0]
    normalised = query("csat:normalised_mean", db=mixed)
    assert normalised["value"][0] == 100.0 and normalised["n"][0] == 2


def test_relational_and_transactional_nps_are_never_mixed(mixed: Warehouse) -> None:
    with pytest.raises(MixedFigure, match="NPS would mix different kind"):
        query("nps", db=mixed)
    assert query("nps:relational", db=mixed)["value"][0] == 100.0
    assert query("nps", by=["kind"], db=mixed)["value"].tolist() == [100.0, -100.0]


def test_small_samples_are_flagged(mixed: Warehouse) -> None:
    frame = query("nps:relational", db=mixed)
    assert frame["flag"][0] == "insufficient_sample" and frame["n"][0] == 1


def test_user_metric_yaml_reports_every_problem_at_once(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("""
metrics:
  - name: chat_csat
    label: Chat CSAT
    description: CSAT of chat contacts.
    source: survey_responses
    time: responded_at
    kind: share
    population: ["survey = 'csat'", "chanel = 'chat'"]
    condition: "scroe >= 4"
    unit: percent
  - name: Bad Name
    label: x
    description: x
    source: interaction
    time: created_at
    kind: mean
    unit: seconds
""")
    with pytest.raises(ConfigError) as info:
        load([path])
    text = str(info.value)
    assert 'no column "chanel". Did you mean "channel"?' in text
    assert 'no column "scroe". Did you mean "score"?' in text
    assert "use lower-case letters" in text and "kind mean needs value" in text
    assert 'source: no table \'interaction\'. Did you mean "interactions"?' in text
    assert text.startswith("5 problem(s)")  # the name and the missing value: one line each


def test_user_metrics_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       demo_duck: Warehouse) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("""
metrics:
  - name: chat_share
    label: Chat share
    description: Share of contacts on chat.
    source: interactions
    time: created_at
    kind: share
    condition: "channel = 'chat'"
    unit: percent
""")
    monkeypatch.setenv("CXLENS_METRICS", str(path))
    got = query("chat_share", db=demo_duck)
    total, chats = demo_duck.query("SELECT count(*), sum(CASE WHEN channel = 'chat' THEN 1 "
                                   "ELSE 0 END) FROM interactions")[0]
    assert got["value"][0] == pytest.approx(100 * chats / total)
