"""Benchmark: the customers page (``/customers``: CLV per order currency with 20 bootstrap
resamples, churn risk with its out-of-time holdout) on a big warehouse, optionally against an
older source tree in the same run — issue 18, "Freshness at scale".

    .venv/bin/cxlens demo --scale 42 --db /tmp/b43/bench43.duckdb      # ≈ 10 M, once
    cp /tmp/b43/bench43.duckdb /tmp/customers10m/w.duckdb              # opened read-only
    git archive OLD src | tar -x -C /tmp/customers10m/old              # the code to compare
    .venv/bin/python bench/customers.py --db /tmp/customers10m/w.duckdb \\
        --before /tmp/customers10m/old/src

With ``--after-import`` (this tree only, on a copy it may change): the page built once (its
churn days and CLV fits kept), a day of contacts and answers imported as a daily sync lands
them (``freshness.contacts_and_answers_again``), the page built again from what was kept, then
everything kept forgotten and the page built from nothing; the two pages' JSON twins
compared (and written beside the copy, ``COPY.kept.json`` and ``COPY.full.json``).

    cp /tmp/b43/bench43.duckdb /tmp/customers10m/rw.duckdb
    .venv/bin/python bench/customers.py --db /tmp/customers10m/rw.duckdb --after-import

Each tree runs in its own process (``PYTHONPATH`` = that tree's ``src``), one after the other
on the same file: the page built as the dashboard builds it, then its two parts timed apart
with ``--parts`` (CLV: ``warehouse_value``, its order summaries read on their own; churn:
``churn_risk``). The
1-minute load average is printed before and after each: the machine is shared, so compare
within a run. Prints a Markdown table and each tree's headline figures, which must agree to
rounding.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from trees import HERE, in_tree


def child(db: str, parts: bool) -> dict[str, object]:
    """Time the page and its parts in this process (whatever ``cxlens`` is on the path)."""
    import cxlens
    from cxlens.accounts.users import User
    from cxlens.insights.churn.warehouse import churn_risk
    from cxlens.insights.clv import warehouse_value
    from cxlens.insights.clv.summary import from_warehouse, latest_order_day
    from cxlens.present import registry
    from cxlens.present.model import PageCtx
    from cxlens.present.pages.customers import CLV_OPTIONS, CLV_RESAMPLES, TOP_VALUE
    from cxlens.store import connect

    wh = connect(db, migrate=False, read_only=True)
    out: dict[str, object] = {"src": str(Path(cxlens.__file__).parents[1]),
                              "load_before": os.getloadavg()[0]}
    t = time.perf_counter()
    page = registry.build("customers", PageCtx(wh, User("bench", "analyst")))
    out["page"] = time.perf_counter() - t
    clv = page.tables["clv"].set_index("currency")
    out["headline"] = {
        "mean_clv": clv[["mean_clv", "mean_clv_ci_low", "mean_clv_ci_high"]].astype(float)
        .to_dict("index"),
        "churn": page.tables["churn_evaluation"].set_index("figure")[
            ["value", "ci_low", "ci_high"]].astype(float).to_dict("index"),
        "riskiest": page.tables["churn_top"]["customer_id"].head(5).tolist()
        if "churn_top" in page.tables else []}
    out["clv_read"] = out["clv"] = out["churn"] = float("nan")
    if not parts:
        out["load_after"] = os.getloadavg()[0]
        return out
    day = latest_order_day(wh)
    t = time.perf_counter()
    from_warehouse(wh, day, "weeks")
    out["clv_read"] = time.perf_counter() - t
    t = time.perf_counter()
    warehouse_value(wh, day, "weeks", resamples=CLV_RESAMPLES, top=TOP_VALUE, **CLV_OPTIONS)
    out["clv"] = time.perf_counter() - t
    t = time.perf_counter()
    churn_risk(wh)
    out["churn"] = time.perf_counter() - t
    out["load_after"] = os.getloadavg()[0]
    return out


def after_import(db: str) -> None:
    """See the module: cold page, a day imported, the page from what was kept, the page from
    nothing; prints a Markdown table and whether both pages are the same."""
    import tempfile

    from freshness import contacts_and_answers_again
    from incremental import close

    from cxlens.accounts.users import User
    from cxlens.insights.churn import days
    from cxlens.present import registry
    from cxlens.present.model import PageCtx, as_json
    from cxlens.store import connect, memo

    wh = connect(db)

    def page() -> tuple[float, str, float, float]:
        load = os.getloadavg()[0]
        t = time.perf_counter()
        built = registry.build("customers", PageCtx(wh, User("bench", "analyst")))
        return (time.perf_counter() - t, json.dumps(as_json(built), sort_keys=True,
                                                    default=str), load, os.getloadavg()[0])

    rows = [("cold: nothing kept", *page(), "")]
    imported, took = contacts_and_answers_again(wh, Path(tempfile.mkdtemp()))
    before_days, before_memo = days.counts.copy(), memo.counts.copy()
    rows.append(("after the day's import, from what was kept", *page(),
                 ", ".join(f"{k} {v}" for k, v in sorted(
                     ((days.counts - before_days) + (memo.counts - before_memo)).items()))))
    days.clear()
    memo.clear()
    rows.append(("the same data, nothing kept", *page(), ""))
    wh.close()
    print(f"imported {imported[0]:,} contacts and {imported[1]:,} answers in {took:.1f} s\n")
    print("| pass | page s | load before → after | kept parts used |\n|---|---:|---|---|")
    for what, seconds, _, la, lb, how in rows:
        print(f"| {what} | {seconds:.1f} | {la:.1f} → {lb:.1f} | {how} |")
    kept, full = rows[1][2], rows[2][2]
    Path(db + ".kept.json").write_text(kept)
    Path(db + ".full.json").write_text(full)
    same = ("identical character for character" if kept == full else
            "numbers equal to 1e-9" if close(json.loads(kept), json.loads(full)) else "DIFFERENT")
    print(f"\npage from what was kept vs from nothing: {same}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="the warehouse (opened read-only)")
    parser.add_argument("--before", type=Path, help="an older tree's src/ to time first")
    parser.add_argument("--parts", action="store_true",
                        help="also time CLV, its order read and churn apart (doubles the run)")
    parser.add_argument("--after-import", action="store_true",
                        help="this tree only: the page after a day's import, from what was "
                             "kept and from nothing (changes --db: use a copy)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.after_import:
        after_import(args.db)
        return
    if args.child:
        print(json.dumps(child(args.db, args.parts)))
        return
    trees = ([("before", args.before)] if args.before else []) + [("this tree", HERE)]
    results = []
    for name, src in trees:
        flags = ["--parts"] if args.parts else []
        r = in_tree(__file__, src, ["--db", args.db, "--child", *flags])
        results.append((name, r))
        print(f"{name}: {json.dumps(r)}", file=sys.stderr)
    print("| code | page s | CLV s | of which the order read s | churn s "
          "| load before → after |")
    print("|---|---:|---:|---:|---:|---|")
    for name, r in results:
        print(f"| {name} | {r['page']:.1f} | {r['clv']:.1f} | {r['clv_read']:.1f} | "
              f"{r['churn']:.1f} | {r['load_before']:.1f} → {r['load_after']:.1f} |")
    for name, r in results:
        print(f"{name}: {json.dumps(r['headline'])}")


if __name__ == "__main__":
    main()
