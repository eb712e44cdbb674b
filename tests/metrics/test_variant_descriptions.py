"""A variant that changes what is measured declares its own description, checked when the
catalogue loads (``first_response_time:mean`` used to read "median")."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxlens.errors import ConfigError
from cxlens.metrics.catalogue import catalogue, load, resolve

YAML = """
metrics:
  - name: wait
    label: Wait
    description: Created → answered (median).
    source: interactions
    time: created_at
    kind: duration
    start: created_at
    end: answered_at
    unit: seconds
    variants:
      mean: {label: Wait (mean), stat: mean}
      p90: {label: Wait (P90), stat: p90, description: Created → answered (P90).}
      slow: {label: Slow share, kind: share, condition: "answered_at IS NULL"}
      later: {label: Wait by answer time, time: answered_at}
"""


def test_meaning_changing_variant_without_description_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(YAML)
    with pytest.raises(ConfigError) as info:
        load([path])
    text = info.value.message
    assert "(wait:mean) description: the variant changes stat, so give it its own" in text
    assert "(wait:slow) description: the variant changes kind, condition, so" in text
    assert "variant p90" not in text  # has its own
    assert "variant later" not in text  # the time column does not change the definition
    assert "2 problem(s)" in text


def test_library_variants_say_what_they_measure() -> None:
    cat = catalogue()
    for name in ("first_response_time", "first_resolution_time", "full_resolution_time",
                 "transfer_response_time"):
        assert "median" in cat[name].definition
        assert "median" not in resolve(f"{name}:mean", cat).definition.split(",")[1]
        assert "mean" in resolve(f"{name}:mean", cat).definition
        assert "90th percentile" in resolve(f"{name}:p90", cat).definition
    assert "negative" in resolve("social_sentiment:negative", cat).definition
    assert "direct" in resolve("traffic_share:direct", cat).definition
