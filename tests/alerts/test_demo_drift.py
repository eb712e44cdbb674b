"""The demo's planted slip (one vendor clearly worse for three months, then back) is what the
example alert rules find when the demo replays their monthly checks: the tests read the answer
from the demo's description only to compare, the checks are never told."""

from __future__ import annotations

from cxlens.alerts.store import listing
from cxlens.demo.effects import planted
from cxlens.store.base import Warehouse


def _months(first: str, last: str) -> set[str]:
    y, m = map(int, first.split("-"))
    out = set()
    while f"{y}-{m:02d}" <= last:
        out.add(f"{y}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def test_the_drifting_vendor_is_alerted_in_its_slip_months(demo: Warehouse) -> None:
    slip = planted()["northwind_slip"]
    vendor, months = f"vendor={slip['vendor']}", set(str(slip["months"]).split(","))
    alerts = listing(demo)
    drift = alerts[alerts["check_kind"] == "drift"]
    ours = drift[drift["segment"] == vendor]
    assert len(ours) >= 1
    for _, a in ours.iterrows():
        # the recent window of the alert overlaps the slip months
        first, _, last = str(a["covering"]).partition("..")
        assert _months(first, last or first) & months
        assert a["change"] < 0 and a["change_high"] < 0 and a["n"] > 0
    others = drift[drift["segment"] != vendor]
    during = [a for _, a in others.iterrows()
              if _months(a["first_month"], a["last_month"]) & months]
    assert during == []
    # every alert open during the slip months is about the slipping vendor
    in_slip = alerts[[bool(_months(f, lst) & months) for f, lst in
                      zip(alerts["first_month"], alerts["last_month"], strict=True)]]
    assert len(in_slip) >= 2 and set(in_slip["segment"]) == {vendor}
    assert set(alerts["status"]) == {"resolved"}  # it recovered, and the alerts say so
