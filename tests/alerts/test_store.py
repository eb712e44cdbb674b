"""One alert per breach: a breach opens an alert once, later breaching months extend it, the
first clear month resolves it, a new breach after that is a new alert, and judging a month
again changes nothing — on DuckDB and Postgres."""

from __future__ import annotations

import datetime as dt

from cxlens.alerts import config as alert_config
from cxlens.alerts import segments, store
from cxlens.alerts.checks import Judgement
from cxlens.alerts.run import check
from cxlens.store.base import Warehouse

NOW = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)


def _j(month: int, breached: bool, segment: str = "vendor=Acme", value: float = 70.0,
       rule: str = "r1") -> Judgement:
    return Judgement(rule, "threshold", "csat", segment, dt.date(2026, month, 1),
                     f"2026-{month:02d}", breached, value, 120, value - 5, value + 5, 75.0,
                     None, f"{segment}: CSAT {value} in 2026-{month:02d}")


def _rows(wh: Warehouse) -> list[tuple[object, ...]]:
    return wh.query("SELECT rule, segment, first_month, last_month, resolved_month, status, "
                    "value FROM cxlens_alerts ORDER BY first_month, segment")


def test_a_breach_is_alerted_once_then_extended_then_resolved(wh: Warehouse) -> None:
    first = store.record(wh, [_j(3, True), _j(3, False, "vendor=Zeta")], NOW, {})
    assert len(first.opened) == 1 and first.unchanged == 1
    again = store.record(wh, [_j(3, True)], NOW, {})  # the same month judged again
    assert not again.opened and not again.extended and again.unchanged == 1
    later = store.record(wh, [_j(4, True, value=65.0)], NOW, {})
    assert later.extended == first.opened
    clear = store.record(wh, [_j(5, False)], NOW, {})
    assert clear.resolved == first.opened
    assert _rows(wh) == [("r1", "vendor=Acme", "2026-03", "2026-04", "2026-05", "resolved",
                          65.0)]
    # replaying the covered months changes nothing; a new breach is a new alert
    replay = store.record(wh, [_j(3, True), _j(4, True)], NOW, {})
    assert not replay.opened and replay.unchanged == 2
    new = store.record(wh, [_j(7, True)], NOW, {})
    assert len(new.opened) == 1 and new.opened != first.opened
    assert [r[2:6] for r in _rows(wh)] == [("2026-03", "2026-04", "2026-05", "resolved"),
                                           ("2026-07", "2026-07", None, "open")]


def test_segments_and_rules_are_separate(wh: Warehouse) -> None:
    changes = store.record(wh, [_j(3, True), _j(3, True, "vendor=Zeta"),
                                _j(3, True, rule="r2")], NOW, {"r1": ("a@example.com",)})
    assert len(changes.opened) == 3
    to = dict(wh.query("SELECT rule || ' ' || segment, email_to FROM cxlens_alerts"))
    assert to == {"r1 vendor=Acme": "a@example.com", "r1 vendor=Zeta": "a@example.com",
                  "r2 vendor=Acme": ""}
    listed = store.listing(wh, "open")
    assert len(listed) == 3 and set(listed["status"]) == {"open"}


def test_a_vendor_viewer_sees_exactly_their_vendors_alerts(duck: Warehouse) -> None:
    """Vendors named Smith and "Smith, Jones & Co": the segment text of the second used to
    read as ``vendor=Smith`` plus a stray part, so Smith's viewers saw its alerts."""
    at = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    duck.insert_rows("interactions", ["interaction_id", "channel", "vendor", "created_at"],
                     [["i1", "phone", "Smith", at], ["i2", "phone", "Smith, Jones & Co", at],
                      ["i3", "phone", "Smith, Jones & Co", at]])
    alert_config.save(duck, "rules:\n  - {name: busy, metric: contact_volume, by: [vendor], "
                            "check: threshold, above: 0, min_sample: 1}\n")
    check(duck, dt.date(2026, 4, 1), deliver=False)
    assert sorted(store.listing(duck)["segment"]) == ['vendor="Smith, Jones & Co"',
                                                      "vendor=Smith"]
    assert list(store.listing(duck, vendor="Smith")["segment"]) == ["vendor=Smith"]
    assert list(store.listing(duck, vendor="Smith, Jones & Co")["value"]) == [2.0]


def test_segment_text_reads_back_as_its_values() -> None:
    for by, row in [(("vendor", "site"), ("Smith, site=Leeds", 'D"Arcy')),
                    (("vendor",), ("Acme BPO",)), ((), ())]:
        text = segments.label(by, row)
        assert segments.values(text) == dict(zip(by, row, strict=True))
    assert segments.label(("vendor", "site"), ("Acme BPO", "Leeds")) == (
        "vendor=Acme BPO, site=Leeds")  # ordinary names as before
