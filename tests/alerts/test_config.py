"""Alert rules: every problem reported at once with the fix, nothing saved unless all are
right; the documented example loads."""

from __future__ import annotations

import pytest

from cxlens.alerts import config
from cxlens.alerts.spec import parse
from cxlens.errors import ConfigError, NotFound
from cxlens.store.base import Warehouse


def test_the_example_loads_and_is_stored(duck: Warehouse) -> None:
    saved = config.save(duck, config.example_text(), "test")
    assert config.current(duck) == saved
    assert {r.check for r in saved.rules} == {"threshold", "sla", "control", "drift",
                                          "emerging"}
    audit = duck.query("SELECT action FROM cxlens_audit WHERE action = 'alerts_config'")
    assert audit == [("alerts_config",)]


def test_shape_problems_are_reported_together() -> None:
    text = """
email: [not-an-address]
rules:
  - {name: a, metric: csat, check: threshold}
  - {name: a, metric: csat, check: sla}
  - {name: b, metric: csat, check: drift, alpha: 2}
"""
    with pytest.raises(ConfigError) as err:
        parse(text)
    msg = err.value.message
    for part in ("needs below or above", "needs a target", "less than 1"):
        assert part in msg
    assert "docs/alerts.md" in err.value.hint


def test_metric_and_segment_problems_name_the_rule_and_suggest(duck: Warehouse) -> None:
    text = """
rules:
  - {name: typo, metric: cast, check: threshold, below: 70}
  - {name: dim, metric: csat, by: [vendr], check: drift}
  - {name: undirected, metric: contact_volume, check: sla, target: 10}
"""
    with pytest.raises(ConfigError) as err:
        config.save(duck, text)
    msg = err.value.message
    assert msg.startswith("3 problem(s), nothing saved")
    assert """rule typo: no metric 'cast'. Did you mean "csat"?""" in msg
    assert 'rule dim: csat cannot be split by "vendr". Did you mean "vendor"?' in msg
    assert "rule undirected" in msg and "threshold rule" in msg
    assert config.text(duck) is None


def test_unknown_rule_name_suggests(duck: Warehouse) -> None:
    cfg = config.save(duck, config.example_text())
    with pytest.raises(NotFound) as err:
        cfg.rule("vendor-fcr-drif")
    assert "vendor-fcr-drift" in err.value.message
