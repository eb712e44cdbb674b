"""Contract files: every problem of every file reported at once, with a remedy."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxlens.contracts.spec import load_folder
from cxlens.errors import ConfigError

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "cxlens" / "contracts" / "examples"


def test_the_examples_load() -> None:
    contracts = load_folder(EXAMPLES)
    assert sorted(c.vendor for c in contracts) == ["Acme BPO", "Northwind BPO"]


def test_every_problem_at_once(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "vendor: A\npricing: {model: per_fte, seats: 3}\nat_risk: 1.5\n"
        "kpis:\n  - {name: csat, metric: cast, target: 85, weight: 0.7}\n"
        "  - {name: aht, metric: aht, target: 400, weight: 0.6, bonus: 0.1}\n",
        encoding="utf-8")
    (tmp_path / "b.yaml").write_text(
        "vendor: B\npricing: {model: hybrid, base: 10, rate: 1}\nat_risk: 0.1\n"
        "kpis:\n  - {name: csat, metric: cast, target: 85, weight: 0.5}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_folder(tmp_path)
    message = exc.value.message
    for part in ("a.yaml has 4 problem(s)", "seat_rate", "at_risk", "a bonus needs a stretch",
                 "b.yaml", "no metric 'cast'", 'Did you mean "csat"'):
        assert part in message, part
    assert "docs/contracts.md" in exc.value.hint


def test_weights_above_one_are_refused(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(
        "vendor: C\npricing: {model: outcome, rate: 2}\nat_risk: 0.1\n"
        "kpis:\n  - {name: csat, metric: csat, target: 85, weight: 0.7}\n"
        "  - {name: aht, metric: aht, target: 400, weight: 0.6}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="weights add up to 1.3"):
        load_folder(tmp_path)
