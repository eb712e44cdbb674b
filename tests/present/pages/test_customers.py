"""The customers page and the report's customers section when the churn model ranks no
better than chance on its holdout: the verdict is said, and no customer is listed as at risk;
and the page's random holdout for one snapshot of the customers (IBM Telco)."""

from __future__ import annotations

from cxlens.accounts.users import User
from cxlens.ingest.pipeline import import_files
from cxlens.insights.churn.snapshot import churn_risk_snapshot
from cxlens.insights.churn.warehouse import churn_risk
from cxlens.present import registry
from cxlens.present.filters import Filters
from cxlens.present.model import PageCtx
from cxlens.present.pages.customers import TOP_RISK
from cxlens.reports import insights as report_sections
from cxlens.store.base import Warehouse
from tests.insights.datasets import TELCO
from tests.insights.test_churn_snapshot import EXAMPLES
from tests.insights.test_churn_warehouse import no_signal_history


def test_no_riskiest_customers_from_a_model_no_better_than_chance(duck: Warehouse) -> None:
    no_signal_history(duck)
    verdict = churn_risk(duck).verdict
    assert verdict and "no better than chance" in verdict
    ctx = PageCtx(duck, User("ann", "analyst"), Filters())
    page = registry.build("customers", ctx)
    assert any(verdict in s and "no customer is listed" in s for s in page.extra["findings"])
    assert "churn_top" not in page.tables and "risk" not in [c.name for c in page.charts]
    assert {"churn:auc", "churn:brier"} <= {f.metric for f in page.figures}
    section = report_sections.customers(ctx)
    assert "churn_top" not in section.tables
    assert any(verdict in s for s in section.extra["findings"])


def test_a_snapshot_on_the_page(duck: Warehouse) -> None:
    import_files(duck, "customers", [TELCO], mapping=EXAMPLES / "telco-customers.yaml")
    ctx = PageCtx(duck, User("ann", "analyst"), Filters())
    time_based = registry.build("customers", ctx)
    assert any("Churn risk: a time-based holdout needs customers' history" in n
               and "--snapshot" in n for n in time_based.notes)
    page = registry.build("customers", PageCtx(duck, User("ann", "analyst"), Filters(),
                                       {"holdout": "snapshot"}))
    want = churn_risk_snapshot(duck)
    auc = {f.metric: f for f in page.figures}["churn:auc"]
    assert (auc.value, auc.ci_low, auc.n) == (want.evaluation.auc.value,
                                              want.evaluation.auc.ci_low, 2113)
    assert list(page.tables["churn_top"]["customer_id"]) == \
        list(want.scores["customer_id"].head(TOP_RISK))
    assert any("associations at the snapshot" in n for n in page.notes)
    assert page.extra["churn"]["holdout"] == "snapshot"
    # the report prints the ten riskiest and says how many more were scored (never a silent
    # cut), without a per-row n that was the holdout's size
    section = report_sections.customers(PageCtx(duck, User("ann", "analyst"), Filters(),
                                            {"holdout": "snapshot"}))
    shown = section.tables["churn_top"]
    assert list(shown["riskiest customers"]) == list(want.scores["customer_id"].head(10))
    assert "n" not in shown.columns
    assert section.extra["more"]["churn_top"].startswith(
        f"and {len(want.scores) - 10:,} more customers scored, less at risk")
