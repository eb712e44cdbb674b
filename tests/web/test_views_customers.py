"""The customers page and the report's customers section when the churn model ranks no
better than chance on its holdout: the verdict is said, and no customer is listed as at risk."""

from __future__ import annotations

from cxlens.insights.churn.warehouse import churn_risk
from cxlens.reports import insights as report_sections
from cxlens.store.base import Warehouse
from cxlens.web import site
from cxlens.web.accounts import User
from cxlens.web.filters import Filters
from cxlens.web.views import Ctx
from tests.insights.test_churn_warehouse import no_signal_history


def test_no_riskiest_customers_from_a_model_no_better_than_chance(duck: Warehouse) -> None:
    no_signal_history(duck)
    verdict = churn_risk(duck).verdict
    assert verdict and "no better than chance" in verdict
    ctx = Ctx(duck, User("ann", "analyst"), Filters())
    page = site.build("customers", ctx)
    assert any(verdict in s and "no customer is listed" in s for s in page.extra["findings"])
    assert "churn_top" not in page.tables and "risk" not in [c.name for c in page.charts]
    assert {"churn:auc", "churn:brier"} <= {f.metric for f in page.figures}
    section = report_sections.customers(ctx)
    assert "churn_top" not in section.tables
    assert any(verdict in s for s in section.extra["findings"])
