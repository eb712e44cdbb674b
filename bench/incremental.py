"""Benchmark: how soon a day of contacts and answers imported into a big warehouse reaches the
dashboard's pages, with the statistics kept per period and patched (issue 18,
``cxlens.metrics.partials``), against a full recomputation of the same pages on the same data
in the same run — and whether both give the same pages.

    .venv/bin/python bench/incremental.py --db COPY_OF_A_DEMO.duckdb [--heavy]
    .venv/bin/python bench/incremental.py --scale 1

The pages are the pre-computation's (``cxlens.web.prewarm``): every default page but the
insight pages that fit models over everything (``computing.HEAVY``), each vendor's drill-down
and each vendor viewer's overview. Passes, each building every page from its builder in
sequence (no page cache) and timing it:

1. *first*: nothing kept (every request computed in full, and kept);
2. the contacts of the warehouse's last day and their answers, again a day later under new
   ids, imported as a daily sync lands them (two imports);
3. *patched*: the same pages, the kept statistics brought up to date;
4. *full*: the kept statistics forgotten, the same pages on the same data.

Pages 3 and 4 are compared as the dashboard's JSON twin gives them (``present.model.as_json``).
``--heavy`` also times each insight page once after the import (minutes at 10 M). Prints a
Markdown table; the import's file is written under a temporary folder."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from freshness import a_day_again  # type: ignore[import-not-found]

from cxlens import store
from cxlens.accounts.users import User
from cxlens.ingest.pipeline import import_files
from cxlens.metrics import partials
from cxlens.present import registry
from cxlens.present.filters import Filters
from cxlens.present.model import PageCtx, as_json
from cxlens.store.base import Warehouse
from cxlens.web.computing import HEAVY
from cxlens.web.prewarm import order

Visit = tuple[str, Filters, User]


def visits(wh: Warehouse) -> list[Visit]:
    """What the pre-computation builds, the insight pages left out."""
    analyst = User("bench", "analyst")
    out: list[Visit] = [(n, Filters(), analyst) for n in order() if n not in HEAVY]
    for (vendor,) in wh.query("SELECT DISTINCT vendor FROM interactions "
                              "WHERE vendor IS NOT NULL ORDER BY 1"):
        out.append(("vendors", Filters(vendor=str(vendor)), analyst))
        out.append(("overview", Filters(vendor=str(vendor)),
                    User("bench", "vendor", str(vendor))))
    return out


def one_pass(wh: Warehouse, todo: list[Visit]) -> tuple[float, float, dict[str, str],
                                                           Counter[str]]:
    """(seconds, slowest page's seconds, each page's JSON, how the statistics were answered)."""
    start = partials.counts.copy()
    pages: dict[str, str] = {}
    slowest = 0.0
    began = time.perf_counter()
    for name, filters, user in todo:
        t = time.perf_counter()
        page = registry.build(name, PageCtx(wh, user, filters))
        slowest = max(slowest, time.perf_counter() - t)
        pages[f"{name}?{filters.query_string()} ({user.role})"] = json.dumps(
            as_json(page), sort_keys=True, default=str)
    return time.perf_counter() - began, slowest, pages, partials.counts - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--db", help="an existing demo warehouse, changed by the run (use a copy)")
    ap.add_argument("--heavy", action="store_true", help="also time each insight page once")
    args = ap.parse_args()
    path = args.db or str(Path(tempfile.mkdtemp()) / "incremental.duckdb")
    wh = store.connect(path)
    if not args.db:
        from cxlens.demo import build_demo

        build_demo(wh, scale=args.scale, seed=7)
    interactions = int(wh.scalar("SELECT count(*) FROM interactions") or 0)
    todo = visits(wh)
    rows: list[tuple[str, float, float, Counter[str]]] = []
    seconds, slowest, _, how = one_pass(wh, todo)
    rows.append(("first: nothing kept", seconds, slowest, how))

    folder = Path(tempfile.mkdtemp())
    contacts = a_day_again(wh, "interactions", "created_at", "interaction_id", folder)
    answers = a_day_again(wh, "survey_responses", "responded_at", "response_id", folder,
                          follow=("interaction_id", "interactions", "created_at"))
    began = time.perf_counter()
    counts = [import_files(wh, table, [p]).inserted
              for table, p in (("interactions", contacts), ("survey_responses", answers))]
    imported = time.perf_counter() - began

    seconds, slowest, patched, how = one_pass(wh, todo)
    rows.append(("patched: the kept statistics brought up to date", seconds, slowest, how))
    partials.clear()
    seconds, slowest, full, how = one_pass(wh, todo)
    rows.append(("full: the same pages recomputed from nothing", seconds, slowest, how))
    same = sum(patched[k] == full[k] for k in full)
    differ = [k for k in full if patched[k] != full[k]]

    heavy: list[tuple[str, float]] = []
    if args.heavy:
        for name in (n for n in order() if n in HEAVY):
            t = time.perf_counter()
            registry.build(name, PageCtx(wh, User("bench", "analyst")))
            heavy.append((name, time.perf_counter() - t))
    wh.close()

    def how_text(c: Counter[str]) -> str:
        return ", ".join(f"{k} {v}" for k, v in sorted(c.items()))

    print(f"\n{interactions:,} interactions; {len(todo)} pages; imported {counts[0]:,} "
          f"contacts and {counts[1]:,} answers in {imported:.1f} s\n")
    print("| pass | seconds | slowest page (s) | statistics requests |\n|---|---:|---:|---|")
    for what, s, slow, c in rows:
        print(f"| {what} | {s:.1f} | {slow:.1f} | {how_text(c)} |")
    print(f"\npages identical (patched vs full): {same} of {len(full)}"
          + (f"; differing: {', '.join(differ)}" if differ else ""))
    for name, s in heavy:
        print(f"- {name} (insight page, after the import): {s:.1f} s")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
