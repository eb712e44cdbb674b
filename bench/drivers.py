"""Benchmark: the key-drivers page (``/drivers``, CSAT over the warehouse's default period, 100
bootstrap resamples) on a big warehouse, optionally against an older source tree in the same
run — issue 18, "Freshness at scale".

    .venv/bin/cxlens demo --scale 42 --db /tmp/b43/bench43.duckdb      # ≈ 10 M, once
    cp /tmp/b43/bench43.duckdb /tmp/drivers10m/w.duckdb                # opened read-only
    git archive OLD src | tar -x -C /tmp/drivers10m/old                # the code to compare
    .venv/bin/python bench/drivers.py --db /tmp/drivers10m/w.duckdb --before /tmp/drivers10m/old/src

Each tree runs in its own process (``PYTHONPATH`` = that tree's ``src``), one after the other
on the same file: the page built as the dashboard builds it (in a fresh process, then again
in the same process, as a running dashboard after a data-version bump), then its parts timed
apart — the SQL fetch of the answers (as the page reads them), the design matrix, and the
analysis without resamples (design, point fit, effects, performance); the bootstrap is what
the second page took beyond the fetch and that analysis (page assembly is under a second).
The 1-minute load average is printed before and after each: the machine is shared, so
compare within a run. Prints a Markdown table, each tree's headline figures (R² and FCR's
share with their intervals), and whether the two pages' JSON twins
(:func:`cxlens.present.model.as_json`) are the same text.
"""

from __future__ import annotations

import inspect
import json
import os
import time
from pathlib import Path

from sentiment import same
from trees import command


def child(db: str, dump: str) -> dict[str, object]:
    """Time the page and its parts in this process (whatever ``cxlens`` is on the path)."""
    import cxlens
    from cxlens.accounts.users import User
    from cxlens.casemix import period
    from cxlens.insights import drivers as lib
    from cxlens.present import registry
    from cxlens.present.model import PageCtx, as_json
    from cxlens.store import connect

    wh = connect(db, migrate=False, read_only=True)
    out: dict[str, object] = {"src": str(Path(cxlens.__file__).parents[1]),
                              "load_before": os.getloadavg()[0]}
    ctx = PageCtx(wh, User("bench", "analyst"))
    t = time.perf_counter()
    page = registry.build("drivers", ctx)
    out["page"] = time.perf_counter() - t
    t = time.perf_counter()
    page = registry.build("drivers", ctx)  # again, as a running dashboard after a bump
    out["again"] = built = time.perf_counter() - t
    with open(dump, "w") as f:
        json.dump(as_json(page), f, sort_keys=True, default=str)
    table = page.tables["drivers"].set_index("factor")
    out["headline"] = table.loc["fcr", [
        "r2", "r2_ci_low", "r2_ci_high", "share", "share_ci_low", "share_ci_high",
        "effect_ci_low", "effect_ci_high"]].astype(float).to_dict()
    first, after = period(wh, ctx.filters.start, ctx.filters.end)
    # the read as the page makes it: a tree whose fetch takes ``segments`` reads only the
    # attributes the page cuts by (none here: channel and category)
    lean = {"segments": ()} if "segments" in inspect.signature(lib.fetch).parameters else {}
    t = time.perf_counter()
    rows = lib.fetch(wh, "csat", first, after, **lean)
    out["fetch"] = fetched = time.perf_counter() - t
    t = time.perf_counter()
    x, _ = lib.design(rows)
    out["design"] = time.perf_counter() - t
    out["n"], out["p"] = x.shape
    t = time.perf_counter()
    lib.analyse(rows, resamples=0)
    out["point"] = point = time.perf_counter() - t
    out["bootstrap"] = built - fetched - point
    out["load_after"] = os.getloadavg()[0]
    return out


def main() -> None:
    done = command(__file__, __doc__ or "", child, ".json", same)
    if done is None:
        return
    results, verdict = done
    print("| code | answers × columns | page s | page again s | fetch s | design s "
          "| point fit etc. s | bootstrap s | load before → after |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for name, r in results:
        print(f"| {name} | {r['n']:,} × {r['p']} | {r['page']:.1f} | {r['again']:.1f} | "
              f"{r['fetch']:.1f} | {r['design']:.1f} | {r['point']:.1f} | "
              f"{r['bootstrap']:.1f} | {r['load_before']:.1f} → {r['load_after']:.1f} |")
    if verdict:
        print(verdict)
    for name, r in results:
        print(f"{name}: {r['headline']}")


if __name__ == "__main__":
    main()
