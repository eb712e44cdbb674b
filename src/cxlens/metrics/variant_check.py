"""A variant that changes what a metric measures says so in its own words: without its own
``description`` it would show the parent's (``first_response_time:mean`` read "median")."""

from __future__ import annotations

from cxlens.metrics.spec import Metric

#: Fields whose override changes the meaning of the figure.
MEANING = ("kind", "stat", "condition", "value", "percentile", "positive", "negative")


def undescribed(metric: Metric) -> dict[str, str]:
    """Per variant that overrides a field of ``MEANING`` but not ``description``, the
    problem (``description: what``)."""
    out = {}
    for name, override in metric.variants.items():
        changed = [f for f in MEANING if f in override]
        if changed and "description" not in override:
            out[name] = (f"description: the variant changes {', '.join(changed)}, so give it "
                         f"its own description (it would read {metric.description!r})")
    return out
