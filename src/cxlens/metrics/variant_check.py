"""A variant that changes what a metric measures says so in its own words: without its own
``description`` it would show the parent's (``first_response_time:mean`` read "median")."""

from __future__ import annotations

from cxlens.metrics.spec import Metric

#: Fields whose override changes the meaning of the figure.
MEANING = ("kind", "stat", "condition", "value", "percentile", "positive", "negative")


def undescribed(metric: Metric) -> list[str]:
    """One message per variant that overrides a field of ``MEANING`` but not ``description``."""
    out = []
    for name, override in metric.variants.items():
        changed = [f for f in MEANING if f in override]
        if changed and "description" not in override:
            out.append(f"variant {name} overrides {', '.join(changed)} but not description: "
                       f"give it its own (it would read {metric.description!r})")
    return out
