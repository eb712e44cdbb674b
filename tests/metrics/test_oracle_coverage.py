"""Every catalogue entry and variant has an independent expected value (issue 15): an oracle
test — hand-written SQL or a hand-worked table — registered with ``oracle_for``. The check
reads whatever the catalogue holds when it runs, so a metric or variant added later without
an oracle fails here."""

from __future__ import annotations

import importlib
from pathlib import Path

from cxlens.metrics.catalogue import catalogue
from tests.metrics.oracles import COVERED, PENDING, catalogue_names

HERE = Path(__file__).parent
#: Modules holding oracles: every test_oracle*.py, plus the published test vectors.
MODULES = sorted({p.stem for p in HERE.glob("test_oracle*.py")} | {"test_vectors"})


def registered() -> dict[str, set[str]]:
    for name in MODULES:  # importing a test module registers its oracles
        importlib.import_module(f"tests.metrics.{name}")
    return COVERED


def uncovered(names: list[str], covered: dict[str, set[str]]) -> list[str]:
    return [name for name in names if not covered.get(name)]


def test_every_catalogue_entry_and_variant_has_an_oracle() -> None:
    names = catalogue_names()
    missing = uncovered(names, registered())
    assert not missing, (f"{len(missing)} of {len(names)} catalogue entries have no "
                         f"independent oracle: {', '.join(missing)}")


def test_every_oracle_names_a_catalogue_entry() -> None:
    """A registration that names nothing (a typo, a removed variant) would cover nothing."""
    stale = sorted(set(registered()) - set(catalogue_names()) - PENDING)
    assert not stale, f"oracles registered for names not in the catalogue: {stale}"
    helpers = sorted(t for tests in registered().values() for t in tests
                     if not t.rpartition(".")[2].startswith("test_"))
    assert not helpers, f"registered functions that pytest does not run: {helpers}"


def test_the_check_catches_an_entry_without_an_oracle(tmp_path: Path) -> None:
    path = tmp_path / "own.yaml"
    path.write_text("""
metrics:
  - name: chat_csat
    label: Chat CSAT
    description: CSAT of chat contacts.
    source: survey_responses
    time: responded_at
    kind: share
    population: ["survey = 'csat'", "channel = 'chat'"]
    condition: "score >= scale_max - 1"
    unit: percent
    variants:
      mean: {kind: mean, value: score, unit: score, label: Chat CSAT mean,
             description: Mean CSAT of chat contacts.}
""")
    names = catalogue_names(catalogue(extra=[path]))
    assert uncovered(names, registered()) == ["chat_csat", "chat_csat:mean"]
