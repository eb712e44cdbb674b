"""The key drivers' quadrant chart, drawn by the presentation layer from the table the
analysis returns (cxlens.insights.drivers returns data only)."""

from __future__ import annotations

import json

import pandas as pd

from cxlens.insights.drivers import FIX_FIRST, KEEP_UP
from cxlens.present.charts import quadrant_chart


def test_quadrant_chart_inlines_rated_drivers() -> None:
    table = pd.DataFrame({"segment": "all", "label": ["FCR", "Wait", "Channel"],
                          "share": [0.6, 0.3, 0.1], "share_ci_low": [0.5, 0.2, 0.0],
                          "share_ci_high": [0.7, 0.4, 0.2], "performance": [80.0, 70.0, None],
                          "quadrant": [KEEP_UP, FIX_FIRST, None], "n": 100})
    spec = quadrant_chart(table)
    assert [v["label"] for v in spec["data"]["values"]] == ["FCR", "Wait"]
    assert "url" not in json.dumps(spec["data"])
