"""Import throughput on CSV: cxlens (full validation, quarantine, upsert) against baselines run
in the same process on the same file: hand-written DuckDB SQL (read_csv into a table, no checks)
and pandas (read_csv with date parsing, no checks, no load).

    .venv/bin/python bench/import_speed.py [--rows 1000000] [--backend duckdb|postgres URL]

Prints a Markdown table; the floor set by the issue is 1,000,000 rows per minute.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from cxlens import store
from cxlens.ingest.pipeline import import_files


def make_csv(path: Path, rows: int, seed: int = 1) -> None:
    """A realistic interactions export: 16 columns, ~1 % bad rows."""
    rng = np.random.default_rng(seed)
    created = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 365 * 86400, rows),
                                                           unit="s")
    first = created + pd.to_timedelta(rng.lognormal(7, 1, rows), unit="s")
    resolved = first + pd.to_timedelta(rng.lognormal(9, 1, rows), unit="s")
    talk = rng.lognormal(5.5, 0.6, rows).round()
    frame = pd.DataFrame({
        "interaction_id": [f"T{i:08d}" for i in range(rows)],
        "customer_id": [f"C{i:06d}" for i in rng.integers(0, 200_000, rows)],
        "channel": rng.choice(["phone", "email", "Chat", "sms", "social"], rows),
        "vendor": rng.choice(["in-house", "Acme BPO", "Northwind BPO"], rows),
        "site": rng.choice(["Leeds", "Manila", "Bogota"], rows),
        "agent_id": [f"A{i:03d}" for i in rng.integers(0, 60, rows)],
        "category": rng.choice(["billing", "technical", "delivery", "returns"], rows),
        "priority": rng.choice(["low", "normal", "high", "urgent"], rows),
        "created_at": created.strftime("%Y-%m-%d %H:%M:%S"),
        "first_response_at": first.strftime("%Y-%m-%d %H:%M:%S"),
        "resolved_at": resolved.strftime("%Y-%m-%d %H:%M:%S"),
        "reopen_count": rng.poisson(0.1, rows),
        "agent_replies": rng.poisson(2, rows) + 1,
        "talk_seconds": [f"{int(t) // 60}:{int(t) % 60:02d}" for t in talk],
        "resolved": rng.choice(["Y", "N"], rows, p=[0.85, 0.15]),
        "escalated": rng.choice(["true", "false"], rows, p=[0.1, 0.9]),
    })
    bad = rng.choice(rows, rows // 100, replace=False)
    frame.loc[bad[: len(bad) // 2], "channel"] = "pigeon"
    frame.loc[bad[len(bad) // 2:], "talk_seconds"] = "-1"
    frame.to_csv(path, index=False)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--db", default=None, help="warehouse URL (default: a temp DuckDB file)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cxlens-bench-"))
    csv_path = tmp / "interactions.csv"
    make_csv(csv_path, args.rows)
    size_mb = csv_path.stat().st_size / 1e6
    results: list[tuple[str, float]] = []

    t = time.perf_counter()
    con = duckdb.connect(str(tmp / "baseline.duckdb"))
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv_path}', header=true)")
    n = con.execute("SELECT count(*) FROM t").fetchone()
    con.close()
    results.append(("hand-written DuckDB SQL (read_csv → table, no checks)",
                    time.perf_counter() - t))
    assert n is not None and n[0] == args.rows

    t = time.perf_counter()
    df = pd.read_csv(csv_path, parse_dates=["created_at", "first_response_at", "resolved_at"])
    results.append(("pandas read_csv with date parsing (no checks, no load)",
                    time.perf_counter() - t))
    del df

    url = args.db or str(tmp / "cxlens.duckdb")
    t = time.perf_counter()
    with store.connect(url) as wh:
        r = import_files(wh, "interactions", [csv_path])
        elapsed = time.perf_counter() - t
        assert r.loaded + r.rejected == args.rows, (r.loaded, r.rejected)
    results.append((f"cxlens import ({'Postgres' if '://' in url else 'DuckDB file'}; "
                    f"validate, quarantine {r.rejected:,}, upsert)", elapsed))

    print(f"\n{args.rows:,} rows, {size_mb:.0f} MB CSV, {os.cpu_count()} cores, "
          f"peak RSS {peak_rss_mb():.0f} MB\n")
    print("| method | seconds | rows per minute |\n|---|---:|---:|")
    for name, secs in results:
        print(f"| {name} | {secs:.1f} | {args.rows / secs * 60:,.0f} |")


if __name__ == "__main__":
    main()
