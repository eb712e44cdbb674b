"""Scorecard definitions: the built-in frameworks match the demo, files are validated with
every problem reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxlens.demo.qa import COMMUNICATION, PROCESS
from cxlens.errors import ConfigError
from cxlens.qa import scorecards


def test_builtin_frameworks_match_the_demo_reviews() -> None:
    cards = scorecards.builtin()
    assert cards.names == ["process_compliance", "communication_quality"]
    for name, demo, scale in (("process_compliance", PROCESS, (0, 1)),
                              ("communication_quality", COMMUNICATION, (1, 5))):
        card = cards.get(name)
        assert [c.id for c in card.criteria] == [c.name for c in demo]
        assert [c.weight for c in card.criteria] == [c.weight for c in demo]
        assert [c.critical for c in card.criteria] == [c.critical for c in demo]
        assert {(c.scale.min, c.scale.max) for c in card.criteria} == {scale}
        assert not card.bonus
    process = cards.get("process_compliance")
    assert all(c.scale.binary for c in process.criteria)
    assert [c.id for c in process.criteria if c.critical] == ["followed_sop", "correct_status"]
    assert process.criterion("followed_sop").weight == 2
    assert process.criterion("right_template").title == "Used the right reply template"


BROKEN = """
scorecards:
  - name: Process
    sections:
      - id: basics
        criteria:
          - id: greeting
            wieght: 2
          - id: greeting
            scale: binery
          - id: bonus_points
            scale: {min: 5, max: 1}
            bonus: true
            critical: true
          - id: overall
            weight: -1
  - name: Process
    lable: Duplicate
    sections: []
  - name: extras
    sections:
      - id: extra
        criteria:
          - id: wow
            bonus: true
            weight: 0
"""


def test_a_broken_file_reports_every_problem_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        scorecards.parse(BROKEN, "cards.yaml")
    message = caught.value.message
    expected = [
        "scorecards.0.name: scorecard name 'Process' must be lower-case",
        "scorecards.0.sections.0.criteria.0.wieght: unknown field 'wieght'. "
        'Did you mean "weight"?',
        "scorecards.0.sections.0.criteria.1.scale: unknown scale 'binery'. "
        'Did you mean "binary"?',
        "scorecards.0.sections.0.criteria.2.scale: min (5) must be below max (1)",
        "scorecards.0.sections.0.criteria.2: criterion bonus_points: a bonus criterion cannot "
        "be critical",
        "scorecards.0.sections.0.criteria.3.id: criterion id 'overall' is reserved",
        "scorecards.0.sections.0.criteria.3.weight: Input should be greater than or equal to 0",
        "scorecards.0.sections: criterion ids must be unique within a scorecard: greeting",
        "scorecards.1.lable: unknown field 'lable'. Did you mean \"label\"?",
        "scorecards.1.sections: give at least one section",
        "scorecards: scorecard names must be unique: Process",
        "scorecards.2.sections.0.criteria.0: criterion wow: a bonus criterion needs a weight "
        "above 0",
    ]
    for part in expected:
        assert part in message
    assert message.startswith(f"cards.yaml has {len(expected) + 1} problem(s)")  # + 2nd name
    assert message.count("must be unique: Process") == 1  # found twice, reported once
    assert "scorecards.yaml" in caught.value.hint


def test_not_yaml_or_not_a_mapping() -> None:
    with pytest.raises(ConfigError, match="not valid YAML"):
        scorecards.parse("scorecards: [\n", "x.yaml")
    with pytest.raises(ConfigError, match="must be a mapping"):
        scorecards.parse("- a\n- b\n", "x.yaml")
    with pytest.raises(ConfigError, match="give at least one scorecard"):
        scorecards.parse("scorecards: []\n", "x.yaml")


def test_load_a_file_with_a_bonus_and_scale_shorthands(tmp_path: Path) -> None:
    path = tmp_path / "cards.yaml"
    path.write_text("""
scorecards:
  - name: chat
    sections:
      - id: main
        criteria:
          - {id: solution, scale: [1, 4], weight: 3}
          - {id: spelling}
          - {id: extra_mile, bonus: true, na_allowed: true}
""", encoding="utf-8")
    card = scorecards.load(path).get("chat")
    assert [(c.id, c.scale.min, c.scale.max, c.weight) for c in card.criteria] == [
        ("solution", 1, 4, 3.0), ("spelling", 0, 1, 1.0), ("extra_mile", 0, 1, 1.0)]
    assert card.bonus == ("extra_mile",)
    assert scorecards.load(path).bonus == [("chat", "extra_mile")]
    assert card.criterion("extra_mile").title == "Extra mile"
    with pytest.raises(ConfigError, match='Did you mean "spelling"'):
        card.criterion("speling")
    with pytest.raises(ConfigError, match='Did you mean "chat"'):
        scorecards.load(path).get("chats")
    with pytest.raises(ConfigError, match="no scorecards file"):
        scorecards.load(tmp_path / "missing.yaml")
