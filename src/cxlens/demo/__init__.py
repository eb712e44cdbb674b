"""The demo operation: a deterministic, realistic year of a multi-vendor support operation
(customers, interactions, surveys, QA, shopping, social mentions) with planted effects that
the analysis features should recover. ``cxlens demo`` calls :func:`build_demo`."""

from cxlens.demo.build import DemoSummary, build_demo, planned_interactions

__all__ = ["DemoSummary", "build_demo", "planned_interactions"]
