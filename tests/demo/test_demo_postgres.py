"""The demo builds the same rows on Postgres as on DuckDB."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlens import store
from cxlens.demo import build_demo
from cxlens.schema import TABLES

#: Tables the demo generator fills (follow-up cases are made by running the closed loop).
DEMO_TABLES = list(TABLES)


@pytest.mark.postgres
def test_demo_on_postgres_matches_duckdb(pg_db: str, tmp_path: Path) -> None:
    frames: dict[str, list[pd.DataFrame]] = {name: [] for name in DEMO_TABLES}
    for url in (str(tmp_path / "d.duckdb"), pg_db):
        with store.connect(url) as wh:
            build_demo(wh, scale=0.01, seed=3)
            for name in DEMO_TABLES:
                table = TABLES[name]
                order = ", ".join(table.key)
                frame = wh.query_df(f"SELECT * FROM {name} ORDER BY {order}")
                frames[name].append(frame)
    for name, (duck, pg) in frames.items():
        assert len(duck) == len(pg) > 0, name
        for col in duck.columns:
            a, b = duck[col], pg[col]
            if pd.api.types.is_datetime64_any_dtype(a) or pd.api.types.is_datetime64_any_dtype(b):
                a, b = pd.to_datetime(a, utc=True), pd.to_datetime(b, utc=True)
            elif pd.api.types.is_float_dtype(a) or pd.api.types.is_float_dtype(b):
                np.testing.assert_allclose(a.astype(float), b.astype(float), rtol=1e-12,
                                           equal_nan=True, err_msg=f"{name}.{col}")
                continue
            assert a.astype(object).where(a.notna(), None).tolist() == \
                b.astype(object).where(b.notna(), None).tolist(), (name, col)
