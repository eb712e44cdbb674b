"""Readers for the public data sets the customer-insight tests check against (tests/data/,
with their sources, licences and published figures in tests/data/README.md)."""

from __future__ import annotations

import pandas as pd

from tests.conftest import DATA

CDNOW = DATA / "cdnow"
TELCO = DATA / "ibm_telco_churn" / "Telco-Customer-Churn.csv"
#: The calibration period of Fader, Hardie & Lee (2005): the first 39 weeks of 1997.
CDNOW_END = pd.Timestamp("1997-09-30").date()

TELCO_CATEGORICAL = ["gender", "Partner", "Dependents", "PhoneService", "MultipleLines",
                     "InternetService", "OnlineSecurity", "OnlineBackup", "DeviceProtection",
                     "TechSupport", "StreamingTV", "StreamingMovies", "Contract",
                     "PaperlessBilling", "PaymentMethod"]
TELCO_NUMERIC = ["SeniorCitizen", "tenure", "MonthlyCharges", "TotalCharges"]


def cdnow_summary() -> pd.DataFrame:
    """The published 2,357-customer summary (ID, frequency, recency, T in weeks)."""
    return pd.read_csv(CDNOW / "cdnow_customers_summary.csv").set_index("ID")


def cdnow_with_spend() -> pd.DataFrame:
    """The same customers with their mean spend per repeat purchase, in the column names of
    cxlens.insights.clv.summary (frequency, recency, T, monetary, orders)."""
    s = pd.read_csv(CDNOW / "cdnow_customers_summary_with_transactions.csv").set_index("ID")
    s = s.rename(columns={"x": "frequency", "t_x": "recency", "zbar": "monetary"})
    s["orders"] = s["frequency"] + 1  # at least one order per purchase day
    return s


def cdnow_master() -> pd.DataFrame:
    """All 69,659 transactions of the 23,570-customer cohort: customer_id, day, cds, amount."""
    raw = pd.read_csv(CDNOW / "CDNOW_master.txt", sep=r"\s+", header=None, skiprows=1,
                      names=["customer_id", "date", "cds", "amount"],
                      dtype={"customer_id": int, "date": str})
    raw["day"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    return raw.drop(columns="date")


def telco() -> pd.DataFrame:
    """The IBM Telco table with ``churned`` (0/1) and TotalCharges as a number: the 11 blank
    TotalCharges (" ") become NaN, and are checked to be customers with tenure 0 (not billed
    yet); the churn model then leaves them out and says so."""
    t = pd.read_csv(TELCO)
    blank = t["TotalCharges"].str.strip() == ""
    assert (t.loc[blank, "tenure"] == 0).all(), "a blank TotalCharges outside tenure 0"
    t["TotalCharges"] = pd.to_numeric(t["TotalCharges"].where(~blank))
    t["churned"] = (t["Churn"] == "Yes").astype(int)
    return t
