"""Statistics queries compiled once per shape and run again with other dates give what
compiling each request gives: the same frames, column types included, and the same SQL text
when both bounds are given."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import ibis
import pandas as pd
import pytest

from cxlens import store
from cxlens.metrics import partials, prepared
from cxlens.metrics.catalogue import resolve
from cxlens.metrics.compile import Request, compile_fused, compile_metric
from cxlens.metrics.engine import for_dialect
from cxlens.metrics.query import all_statistics, query
from cxlens.store import trace
from cxlens.store.base import Warehouse
from cxlens.store.duck import DuckDBWarehouse

#: Totals and periods, segments, a filter on a joined column, quantiles, open and closed
#: ranges (a range with microseconds: the kept statistics' edges have them).
REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("csat,nps,fcr", {"by": "vendor", "grain": "month"}),
    ("csat,ces", {}),
    ("aht,asa,first_response_time:p90", {"by": "channel"}),
    ("csat", {"by": "vendor", "grain": "week", "where": "category = 'billing'"}),
    ("csat,nps", {"start": "2025-03-01", "end": "2025-06-30"}),
    ("aht", {"by": "vendor", "start": "2025-02-01T10:20:30.000001"}),
    ("first_response_time,first_response_time:p90", {"by": "vendor",
                                                     "end": "2025-08-15T00:00:00.5"}),
    ("response_rate", {"by": "vendor", "grain": "quarter"}),
]


@pytest.fixture
def wh(demo_db: str) -> Iterator[Warehouse]:
    partials.clear()
    prepared.clear()
    with store.connect(demo_db, read_only=True) as wh:
        yield wh
    partials.clear()
    prepared.clear()


def _all(wh: Warehouse) -> list[pd.DataFrame]:
    out = []
    for names, kw in REQUESTS:
        partials.clear()  # every request computed from the warehouse, not from kept frames
        out.append(query(names, db=wh, **kw))
    return out


def test_reused_queries_give_what_compiling_each_gives(wh: Warehouse,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    first = _all(wh)
    done = dict(prepared.counts)
    again = _all(wh)
    assert prepared.counts["reused"] - done["reused"] > len(REQUESTS), prepared.counts
    assert prepared.counts["compiled"] == done["compiled"]  # every shape compiled once
    monkeypatch.setattr(prepared, "DIALECTS", ())  # every request compiled by ibis
    direct = _all(wh)
    for (names, kw), a, b, c in zip(REQUESTS, first, again, direct, strict=True):
        pd.testing.assert_frame_equal(a, c, check_exact=True, obj=f"{names} {kw}")
        pd.testing.assert_frame_equal(b, c, check_exact=True, obj=f"{names} {kw}")


@pytest.mark.parametrize(("start", "end"), [
    (dt.datetime(2025, 1, 1, tzinfo=dt.UTC), dt.datetime(2025, 2, 1, tzinfo=dt.UTC)),
    (dt.datetime(2025, 3, 4, 5, 6, 7, 1, tzinfo=dt.UTC),
     dt.datetime(2025, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC)),
])
def test_the_text_run_is_the_text_ibis_compiles(wh: Warehouse, start: dt.datetime,
                                                end: dt.datetime) -> None:
    backend = wh.ibis()
    metrics = [resolve("csat"), resolve("nps"), resolve("fcr")]
    req = Request(dims=("vendor",), grain="month", start=start, end=end,
                  engine=for_dialect(wh.dialect))

    def build(r: Request) -> Any:
        return compile_fused(backend.table, metrics, r)

    prepared.frame(wh, "scan", metrics, dataclasses.replace(req, start=None), build)
    (shape,) = prepared._shapes.values()
    assert shape.sql is not None
    filled = shape.sql.replace(shape.stand_ins[0], prepared.literal(backend, start)).replace(
        shape.stand_ins[1], prepared.literal(backend, end))
    assert filled == backend.compile(build(req).as_table())


def test_an_open_range_keeps_every_row(wh: Warehouse) -> None:
    """An open start or end is filled with year 1 or 9999: the same rows as no bound."""
    metric = resolve("aht")
    req = Request(dims=("channel",), engine=for_dialect(wh.dialect))

    def build(r: Request) -> Any:
        return compile_metric(wh.ibis().table, metric, r)

    got = prepared.frame(wh, "one", [metric], req, build)
    assert prepared.counts["reused"] >= 1
    expected = build(req).to_pandas()  # compiled by ibis without any bound
    pd.testing.assert_frame_equal(got.sort_values("channel").reset_index(drop=True),
                                  expected.sort_values("channel").reset_index(drop=True),
                                  check_exact=True)
    assert int(got["n"].sum()) > 0


def test_a_shape_reading_more_than_literal_bounds_is_compiled_each_time(wh: Warehouse) -> None:
    """A builder that uses the start's year as a number cannot be filled in: it is run as
    ibis compiles it, every time, with the right answer."""
    backend = wh.ibis()
    metric = resolve("csat")

    def build(r: Request) -> Any:
        t = backend.table("survey_responses")
        assert r.start is not None
        return t.aggregate(n=t.count(), year=ibis.literal(r.start.year))

    before = dict(prepared.counts)
    for year in (2024, 2025):
        req = Request(start=dt.datetime(year, 1, 1, tzinfo=dt.UTC), engine=for_dialect("duckdb"))
        got = prepared.frame(wh, "custom", [metric], req, build)
        assert int(got["year"].iloc[0]) == year
    assert prepared.counts["direct"] - before["direct"] == 2
    assert prepared.counts["reused"] == before["reused"]


#: The statement ``changes.versions`` runs: every data version stored in ``cxlens_meta``.
VERSIONS_READ = "FROM cxlens_meta WHERE key = ? OR key LIKE ?"


@pytest.mark.parametrize("names", [["csat"], ["csat", "nps"]])
def test_one_statistics_request_reads_the_data_versions_once(wh: Warehouse,
                                                             names: list[str]) -> None:
    """A request's statistics (one metric alone, or two fused in one scan: one kept entry
    either way) read the data versions once: ``partials.kept`` reads them to check its kept
    frames and hands them to the computation, whose compiled shape is keyed by them
    (``prepared.frame``), instead of that reading them a second time."""
    assert isinstance(wh, DuckDBWarehouse)
    req = Request(dims=("vendor",), grain="month")
    before, shapes = partials.counts.copy(), dict(prepared.counts)
    with trace.recording(wh) as (rec, ran):
        all_statistics(rec, [resolve(n) for n in names], req)
    assert (partials.counts - before)["full"] == 1  # computed, from the compiled text
    assert prepared.counts["compiled"] - shapes["compiled"] == 1, prepared.counts
    reads = [s for s in ran.sql if VERSIONS_READ in s]
    assert len(reads) == 1, reads
