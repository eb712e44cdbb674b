"""The change log (store/changes.py, issue 18): each import's bump records what it touched —
the staged rows and the stored rows they replace, and the rows of other tables pointing at
them — and the chain of entries from one version to another is walked, or found broken."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cxlens import store
from cxlens.ingest.pipeline import import_files
from cxlens.store import changes
from cxlens.store.migrate import bump_data_version

UTC = dt.UTC


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


CONTACTS = """interaction_id,customer_id,channel,created_at,resolved_at
i1,c1,chat,2026-03-01 10:00,2026-03-01 10:30
i2,c1,chat,2026-03-05 09:00,
"""
ANSWERS = """response_id,interaction_id,survey,score,responded_at
r1,i1,csat,5,2026-03-02 08:00
r2,i2,csat,1,2026-04-20 12:00
"""
#: i1 moved to May (its old time, March 1, counts as touched too); i3 new.
AGAIN = """interaction_id,customer_id,channel,created_at,resolved_at
i1,c1,email,2026-05-10 10:00,2026-05-11 10:00
i3,c1,chat,2026-05-12 10:00,
"""


def test_an_import_records_the_times_it_touched_in_its_table_and_the_ones_pointing_at_it(
        tmp_path: Path) -> None:
    for name, text in (("c.csv", CONTACTS), ("a.csv", ANSWERS), ("again.csv", AGAIN)):
        (tmp_path / name).write_text(text)
    with store.connect(str(tmp_path / "w.duckdb")) as wh:
        import_files(wh, "interactions", [tmp_path / "c.csv"])
        import_files(wh, "survey_responses", [tmp_path / "a.csv"])
        versions = changes.versions(wh)
        before = versions["interactions"]
        import_files(wh, "interactions", [tmp_path / "again.csv"])
        after = changes.versions(wh)["interactions"]
        walked = changes.chain(wh, "interactions", before, after)
        assert walked is not None and len(walked) == 1
        (change,) = walked
        assert change.prev == before
        contacts = change.ranges["interactions"]
        # the staged rows (May 10, May 12) and the replaced row's old time (March 1)
        assert contacts["created_at"] == (_at("2026-03-01 10:00"), _at("2026-05-12 10:00"))
        assert contacts["resolved_at"] == (_at("2026-03-01 10:30"), _at("2026-05-11 10:00"))
        # the answers pointing at i1 or i3: r1 only (r2 is i2's, untouched)
        assert change.ranges["survey_responses"] == {
            "responded_at": (_at("2026-03-02 08:00"), _at("2026-03-02 08:00"))}
        # the whole chain from the first import: two entries, the first from no version
        first = changes.chain(wh, "interactions", None, after)
        assert first is not None and len(first) == 2 and first[-1].prev is None


def test_a_bump_without_ranges_breaks_the_chain(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text(CONTACTS)
    with store.connect(str(tmp_path / "w.duckdb")) as wh:
        import_files(wh, "interactions", [tmp_path / "c.csv"])
        before = changes.versions(wh)["interactions"]
        with wh.transaction():
            bump_data_version(wh, ["interactions"])  # e.g. an erasure: says nothing
        after = changes.versions(wh)["interactions"]
        assert changes.chain(wh, "interactions", before, after) is None
        assert changes.chain(wh, "interactions", after, after) == []


def test_old_entries_are_dropped_and_a_chain_through_them_is_broken(tmp_path: Path) -> None:
    with store.connect(str(tmp_path / "w.duckdb")) as wh:
        day = {"interactions": {"created_at": (_at("2026-03-01 00:00"),
                                               _at("2026-03-01 23:00"))}}
        with wh.transaction():
            bump_data_version(wh, ["interactions"], changes={"interactions": day})
        first = changes.versions(wh)["interactions"]
        for _ in range(changes.KEEP + 1):
            with wh.transaction():
                bump_data_version(wh, ["interactions"], changes={"interactions": day})
        kept = wh.scalar("SELECT count(*) FROM cxlens_meta WHERE key LIKE 'change:%'")
        assert kept == changes.KEEP
        now = changes.versions(wh)["interactions"]
        assert changes.chain(wh, "interactions", first, now) is None
        recent = changes.chain(wh, "interactions", None, now)
        assert recent is None  # the oldest entries are gone


def test_the_hull_spans_every_change_of_a_table_and_time_column() -> None:
    a = changes.Change(None, {"t": {"x": (_at("2026-01-05 00:00"), _at("2026-01-06 00:00"))}})
    b = changes.Change("v1", {"t": {"x": (_at("2025-12-30 00:00"), _at("2026-01-02 00:00")),
                                    "y": (_at("2027-01-01 00:00"), _at("2027-01-01 00:00"))}})
    assert changes.hull([a, b], "t", "x") == (_at("2025-12-30 00:00"), _at("2026-01-06 00:00"))
    assert changes.hull([a], "t", "y") is None
    assert changes.hull([a, b], "u", "x") is None
