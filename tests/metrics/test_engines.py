"""Every metric and variant of the catalogue gives identical figures, intervals and flags on
DuckDB and Postgres (the same demo data on both)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxlens.metrics.catalogue import catalogue
from cxlens.metrics.query import query
from cxlens.metrics.relations import columns
from cxlens.store.base import Warehouse

ALL = [f"{m.name}:{v}" if v else m.name
       for m in catalogue().values() for v in [None, *m.variants]]
#: The demo sends NPS surveys only as relational surveys, never after a ticket, and its
#: invitations were all sent (suppression is checked in tests/surveys/test_month.py).
EMPTY_ON_DEMO = {"nps:transactional", "invitations_suppressed"}


def split_for(name: str) -> list[str]:
    metric = catalogue()[name.split(":")[0]].with_variant(name.partition(":")[2] or None)
    cols = columns(metric.source)
    for dim in ("vendor", "source", "brand", "store", "segment"):
        if dim in cols:
            return [dim, *metric.uniform]
    return list(metric.uniform)


@pytest.mark.postgres
@pytest.mark.parametrize("name", ALL)
def test_duckdb_and_postgres_agree(name: str, demo_duck: Warehouse, demo_pg: Warehouse) -> None:
    by = split_for(name)
    a = query(name, by=by, grain="quarter", db=demo_duck)
    b = query(name, by=by, grain="quarter", db=demo_pg)
    assert len(a) == len(b)
    if name in EMPTY_ON_DEMO:
        assert a.empty
        return
    keys = [*by, "period"]
    a = a.sort_values(keys, na_position="first").reset_index(drop=True)
    b = b.sort_values(keys, na_position="first").reset_index(drop=True)
    for col in [*keys, "metric", "n", "flag"]:
        assert a[col].astype(object).where(a[col].notna(), None).tolist() == \
            b[col].astype(object).where(b[col].notna(), None).tolist(), col
    for col in ("value", "ci_low", "ci_high"):
        np.testing.assert_allclose(a[col].to_numpy(float), b[col].to_numpy(float),
                                   rtol=1e-9, atol=1e-9, equal_nan=True, err_msg=col)
    assert not a["value"].isna().all()


def test_every_catalogue_entry_runs_on_the_demo(demo_duck: Warehouse) -> None:
    failures = {}
    for name in ALL:
        try:
            frame = query(name, by=split_for(name), db=demo_duck)
            if frame["value"].isna().all() != (name in EMPTY_ON_DEMO):
                failures[name] = "no figure" if name not in EMPTY_ON_DEMO else "unexpected data"
        except Exception as exc:  # report every failing metric at once
            failures[name] = repr(exc)
    assert failures == {}


def test_phases_and_touchpoints_make_the_journey_a_query() -> None:
    phases = {m.phase.value for m in catalogue().values() if m.phase}
    assert phases == {"awareness", "consideration", "purchase", "retention", "advocacy"}
    assert pd.Series([m.touchpoint for m in catalogue().values()]).notna().sum() > 10


def test_metrics_sharing_a_scan_equal_metrics_alone(demo: Warehouse) -> None:
    names = ["aht", "asa", "service_level", "abandonment_rate", "reopen_rate",
             "escalation_rate", "contact_volume", "upsell_rate", "csat", "nps", "ces", "fcr",
             "csat:mean", "first_response_time", "fcr:repeat_contact",
             "first_response_time:p90", "first_response_time:mean", "first_resolution_time",
             "first_resolution_time:p90", "full_resolution_time:p90"]
    for by in (["vendor"], ["channel", "category"]):  # ASA by channel: segments with no answer
        together = query(",".join(names), by=by, grain="month", db=demo)
        alone = pd.concat([query(n, by=by, grain="month", db=demo) for n in names],
                          ignore_index=True)
        pd.testing.assert_frame_equal(together, alone)
        assert (together["flag"] == "no_data").any() == (by != ["vendor"])


@pytest.mark.postgres
def test_quantile_segments_without_values_agree(demo_duck: Warehouse,
                                                demo_pg: Warehouse) -> None:
    """DuckDB picks quantiles from sorted lists, Postgres ranks rows with windows: both keep a
    segment whose contacts all lack a value (abandoned calls: no agent, no response) with
    n = 0 and no figure, exactly like the mean of the same durations."""
    names = "first_response_time,first_response_time:p90,first_response_time:mean"
    frames = [query(names, by=["agent_id"], grain="month", db=db).fillna({"agent_id": "-"})
              .sort_values(["agent_id", "period", "metric"]).reset_index(drop=True)
              for db in (demo_duck, demo_pg)]
    pd.testing.assert_frame_equal(frames[0], frames[1], rtol=1e-9)
    empty = frames[0][frames[0]["n"] == 0]
    assert not empty.empty and empty["value"].isna().all()
    assert set(empty["flag"]) == {"no_data"}
    per_metric = empty.groupby("metric").size()
    assert per_metric.nunique() == 1 and len(per_metric) == 3
