"""Benchmark: the sentiment page (``/sentiment``: survey comments over the warehouse's default
year, scored and evaluated against the NPS and CSAT groups) on a big warehouse, optionally
against an older source tree in the same run — issue 18, "Freshness at scale".

    .venv/bin/cxlens demo --scale 42 --db /tmp/b43/bench43.duckdb        # ≈ 10 M, once
    cp /tmp/b43/bench43.duckdb /tmp/sentiment10m/w.duckdb                # opened read-only
    git archive OLD src | tar -x -C /tmp/sentiment10m/old                # the code to compare
    .venv/bin/python bench/sentiment.py --db /tmp/sentiment10m/w.duckdb \\
        --before /tmp/sentiment10m/old/src

Each tree runs in its own process (``PYTHONPATH`` = that tree's ``src``), one after the other
on the same file. The page is built twice: ``first`` in a fresh process (imports, VADER's
lexicon and the catalogue loaded on the way), then ``again`` as a running dashboard builds it
after a data-version bump; ``fetch`` is the comments' read (SQL, to pandas, blank texts
dropped, redaction, months) timed apart, and the rest of ``again`` is the sentiment's work
(scoring, summaries, the models' evaluation with its bootstrap). The 1-minute load average is
printed before and after each: the machine is shared, so compare within a run. The trees'
pages must be the same: their JSON twins (:func:`cxlens.present.model.as_json`, every figure,
table, chart and note) are compared as text; the script says whether they are.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from trees import command


def child(db: str, dump: str) -> dict[str, object]:
    """Time the page and its fetch in this process (whatever ``cxlens`` is on the path)."""
    import cxlens
    from cxlens.accounts.users import User
    from cxlens.present import registry
    from cxlens.present.model import PageCtx, as_json
    from cxlens.store import connect
    from cxlens.text import source

    wh = connect(db, migrate=False, read_only=True)
    out: dict[str, object] = {"src": str(Path(cxlens.__file__).parents[1]),
                              "load_before": os.getloadavg()[0]}
    ctx = PageCtx(wh, User("bench", "analyst"))
    t = time.perf_counter()
    registry.build("sentiment", ctx)
    out["first"] = time.perf_counter() - t
    t = time.perf_counter()
    page = registry.build("sentiment", ctx)
    out["again"] = again = time.perf_counter() - t
    first, after = source.period(wh, "comments", ctx.filters.start, ctx.filters.end)
    t = time.perf_counter()
    out["comments"] = len(source.comments(wh, first, after))
    out["fetch"] = fetched = time.perf_counter() - t
    out["work"] = again - fetched
    out["figures"] = len(page.figures)
    out["load_after"] = os.getloadavg()[0]
    with open(dump, "w") as f:
        json.dump(as_json(page), f, sort_keys=True, default=str)
    return out


def same(a: str, b: str) -> str:
    """Whether two JSON twins are the same text, and where they first differ if not."""
    with open(a) as f, open(b) as g:
        left, right = f.read(), g.read()
    if left == right:
        return f"the JSON twins are identical ({len(left):,} characters)"
    at = next((i for i, (x, y) in enumerate(zip(left, right, strict=False)) if x != y),
              min(len(left), len(right)))
    return (f"the JSON twins DIFFER from character {at:,}: "
            f"{left[max(0, at - 80):at + 80]!r} vs {right[max(0, at - 80):at + 80]!r}")


def main() -> None:
    done = command(__file__, __doc__ or "", child, ".json", same)
    if done is None:
        return
    results, verdict = done
    print("| code | comments | figures | page, fresh process s | page again s | fetch s "
          "| sentiment's work s | load before → after |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, r in results:
        print(f"| {name} | {r['comments']:,} | {r['figures']} | {r['first']:.1f} | "
              f"{r['again']:.1f} | {r['fetch']:.1f} | {r['work']:.1f} | "
              f"{r['load_before']:.1f} → {r['load_after']:.1f} |")
    if verdict:
        print(verdict)


if __name__ == "__main__":
    main()
