"""The real IBM Telco churn file, imported with the example mappings.

Expected figures are the widely published ones (tests/data/README.md), checked with
hand-written SQL over what was loaded; the 11 blank TotalCharges are found independently
with the csv module."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cxlens.ingest.pipeline import import_files
from cxlens.store.base import Warehouse
from tests.conftest import DATA

TELCO = DATA / "ibm_telco_churn" / "Telco-Customer-Churn.csv"
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def blank_total_charges() -> dict[str, int]:
    with TELCO.open(newline="") as fh:
        return {r["customerID"]: i for i, r in enumerate(csv.DictReader(fh), start=2)
                if not r["TotalCharges"].strip()}


def test_telco_customers_reproduce_published_churn(wh: Warehouse) -> None:
    r = import_files(wh, "customers", [TELCO], mapping=EXAMPLES / "telco-customers.yaml")
    assert (r.rows_read, r.loaded, r.rejected) == (7043, 7043, 0)
    churned, total = wh.query(
        "SELECT sum(CASE WHEN churned_at IS NOT NULL THEN 1 ELSE 0 END), count(*) FROM customers"
    )[0]
    assert (churned, total) == (1869, 7043)
    assert round(100 * churned / total, 2) == 26.54
    by_contract = {
        seg: round(100 * c / n, 2)
        for seg, c, n in wh.query(
            "SELECT segment, sum(CASE WHEN churned_at IS NOT NULL THEN 1 ELSE 0 END), count(*) "
            "FROM customers GROUP BY segment")
    }
    assert by_contract == {"month-to-month": 42.71, "one year": 11.27, "two year": 2.83}
    seniors = wh.scalar("SELECT count(*) FROM customers WHERE age_group = '65+'")
    with TELCO.open(newline="") as fh:
        assert seniors == sum(r["SeniorCitizen"] == "1" for r in csv.DictReader(fh))


def test_acquired_at_is_the_snapshot_less_tenure_months(wh: Warehouse) -> None:
    r = import_files(wh, "customers", [TELCO], mapping=EXAMPLES / "telco-customers.yaml")
    assert r.files[0].mapped_to_missing == {("Churn", "No"): 7043 - 1869}
    months = [(2018 - a.year) * 12 + (1 - a.month)
              for (a,) in wh.query("SELECT acquired_at FROM customers")]
    assert len(months) == 7043 and min(months) == 0 and max(months) == 72
    assert round(sum(months) / len(months), 2) == 32.37  # the published mean tenure
    with TELCO.open(newline="") as fh:
        tenure = {r["customerID"]: int(r["tenure"]) for r in csv.DictReader(fh)}
    got = {cid: (2018 - a.year) * 12 + (1 - a.month)
           for cid, a in wh.query("SELECT customer_id, acquired_at FROM customers")}
    assert got == tenure


def test_blank_total_charges_are_quarantined_with_their_rows(wh: Warehouse) -> None:
    expected = blank_total_charges()
    assert len(expected) == 11
    r = import_files(wh, "orders", [TELCO], mapping=EXAMPLES / "telco-lifetime-charges.yaml")
    assert (r.rows_read, r.loaded, r.rejected) == (7043, 7032, 11)
    rows = wh.query("SELECT source_row, rules, reason FROM quarantine WHERE table_name = 'orders'"
                    " ORDER BY source_row")
    assert [row for row, _, _ in rows] == sorted(expected.values())
    assert all(rules == "required" and "amount is empty" in reason for _, rules, reason in rows)
    loaded = {cid for (cid,) in wh.query("SELECT customer_id FROM orders")}
    assert not loaded & set(expected)
    assert wh.count("orders") + wh.count("quarantine") == 7043


@pytest.mark.parametrize("mapping", ["telco-customers.yaml", "telco-lifetime-charges.yaml"])
def test_telco_reimport_is_idempotent(duck: Warehouse, mapping: str) -> None:
    first = import_files(duck, None, [TELCO], mapping=EXAMPLES / mapping)
    second = import_files(duck, None, [TELCO], mapping=EXAMPLES / mapping)
    assert second.inserted == 0 and second.updated == first.loaded
    assert duck.count("quarantine") == first.rejected
