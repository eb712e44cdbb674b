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
``--heavy`` adds the insight pages that fit models over everything (``computing.HEAVY``) to
every pass: built in the first (what they keep — the churn features' days, the CLV fits — is
kept), after the import from what they kept, and from nothing in the last (a minute or two
more at 10 M). Prints a Markdown table; the import's file is written under a temporary
folder."""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import NamedTuple

from freshness import contacts_and_answers_again

from cxlens import store
from cxlens.accounts.users import User
from cxlens.insights.churn import days
from cxlens.metrics import partials
from cxlens.present import registry
from cxlens.present.filters import Filters
from cxlens.present.model import PageCtx, as_json
from cxlens.store import memo
from cxlens.store.base import Warehouse
from cxlens.web.computing import HEAVY
from cxlens.web.prewarm import order

Visit = tuple[str, Filters, User]


def visits(wh: Warehouse, heavy: bool = False) -> list[Visit]:
    """What the pre-computation builds, the insight pages left out unless ``heavy``."""
    analyst = User("bench", "analyst")
    out: list[Visit] = [(n, Filters(), analyst) for n in order() if heavy or n not in HEAVY]
    for (vendor,) in wh.query("SELECT DISTINCT vendor FROM interactions "
                              "WHERE vendor IS NOT NULL ORDER BY 1"):
        out.append(("vendors", Filters(vendor=str(vendor)), analyst))
        out.append(("overview", Filters(vendor=str(vendor)),
                    User("bench", "vendor", str(vendor))))
    return out


class Pass(NamedTuple):
    seconds: float
    each: dict[str, float]  # per page
    pages: dict[str, str]  # per page, its JSON twin
    how: Counter[str]  # how the statistics requests were answered


def one_pass(wh: Warehouse, todo: list[Visit]) -> Pass:
    """Every page built once, in sequence, from its builder."""
    start = partials.counts.copy()
    pages: dict[str, str] = {}
    each: dict[str, float] = {}
    began = time.perf_counter()
    for name, filters, user in todo:
        t = time.perf_counter()
        page = registry.build(name, PageCtx(wh, user, filters))
        label = f"{name}?{filters.query_string()} ({user.role})"
        each[label] = time.perf_counter() - t
        pages[label] = json.dumps(as_json(page), sort_keys=True, default=str)
    return Pass(time.perf_counter() - began, each, pages, partials.counts - start)


#: Numbers compared to this relative tolerance: a mean summed from months differs from the
#: warehouse's own in the last of its 16 digits.
RTOL = 1e-9


def close(a: object, b: object) -> bool:
    """The same JSON, numbers equal to ``RTOL`` relative."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float | int):
        return math.isclose(a, b, rel_tol=RTOL)
    return a == b


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
    todo = visits(wh, args.heavy)
    rows: list[tuple[str, Pass]] = [("first: nothing kept", one_pass(wh, todo))]

    counts, imported = contacts_and_answers_again(wh, Path(tempfile.mkdtemp()))

    patched = one_pass(wh, todo)
    rows.append(("patched: the kept statistics brought up to date", patched))
    partials.clear()
    days.clear()
    memo.clear()
    full = one_pass(wh, todo)
    rows.append(("full: the same pages recomputed from nothing", full))
    same = sum(patched.pages[k] == full.pages[k] for k in full.pages)
    differ = [k for k in full.pages
              if not close(json.loads(patched.pages[k]), json.loads(full.pages[k]))]

    wh.close()

    def how_text(c: Counter[str]) -> str:
        return ", ".join(f"{k} {v}" for k, v in sorted(c.items()))

    print(f"\n{interactions:,} interactions; {len(todo)} pages; imported {counts[0]:,} "
          f"contacts and {counts[1]:,} answers in {imported:.1f} s\n")
    print("| pass | seconds | slowest page (s) | statistics requests |\n|---|---:|---:|---|")
    for what, p in rows:
        print(f"| {what} | {p.seconds:.1f} | {max(p.each.values()):.1f} | {how_text(p.how)} |")
    print("\n| page | patched (s) | full (s) |\n|---|---:|---:|")
    for label in full.each:
        print(f"| {label} | {patched.each[label]:.2f} | {full.each[label]:.2f} |")
    print(f"\npages identical (patched vs full): {same} of {len(full.pages)} character for "
          f"character; {len(full.pages) - len(differ)} of {len(full.pages)} with every number "
          f"equal to {RTOL:g} relative" + (f"; differing: {', '.join(differ)}" if differ else ""))
    inexact = [k for k in full.pages if patched.pages[k] != full.pages[k] and k not in differ]
    for label in inexact:  # equal to RTOL, not to the last digit: say where
        a, b = patched.pages[label], full.pages[label]
        at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y),
                  min(len(a), len(b)))
        print(f"- {label}: not character for character from {at:,}: "
              f"{a[max(0, at - 60):at + 40]!r} vs {b[max(0, at - 60):at + 40]!r}")
    light = [k for k in full.each if k.split("?")[0] not in HEAVY]
    print(f"\nafter the import, until every page shows it: {patched.seconds:.1f} s in sequence "
          f"(the light pages {sum(patched.each[k] for k in light):.1f} s, the insight pages "
          f"{patched.seconds - sum(patched.each[k] for k in light):.1f} s)")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
