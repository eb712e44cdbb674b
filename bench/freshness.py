"""Benchmark: what the dashboard's pre-computation recomputes after a survey run that only
invites (issue 18, data versions scoped by the tables a change names), against what it
recomputed when every change bumped the one data version, in the same run on the same data.

    .venv/bin/python bench/freshness.py --scale 1 [--db /tmp/fresh.duckdb]

Builds the demo at ``--scale`` (or opens ``--db``), pre-computes everything the server's
pre-computation does (``prewarm.warm`` and ``warm_opened``, on a connection of its own, as the
server), then:

1. *before*: bumps the data version as a survey run did before (everything) and pre-computes
   again: every page recomputed;
2. *after*: runs the demo's survey programmes once, two hours after its last contact closed
   (invitations, recorded as suppressed where a customer has no address, and the cases'
   reminders and escalations; its bump names the tables it wrote) and pre-computes again.

3. *a day of mentions imported*: 200 of the warehouse's mentions again, a day after its last,
   under new ids, through ``import_files`` (its bump names mentions, the quarantine and the
   import log): only the pages reading mentions are recomputed;
4. *a day of contacts and answers imported*: the contacts of the warehouse's last day and their
   answers again, a day later under new ids, imported as two files would be (what a daily
   sync lands): every page reading contacts or answers is recomputed — until refresh is
   incremental (issue 18), this is the time a day's data takes to reach every default page.

For each it prints the seconds and how many cached entries were computed again (new entries
in the dashboard's cache: page-model pages, and the others). Prints a Markdown table."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from cxlens import store
from cxlens.ingest.pipeline import import_files
from cxlens.store.migrate import bump_data_version
from cxlens.surveys.run import run
from cxlens.web import prewarm
from cxlens.web.app import create_app
from cxlens.web.state import WebState


def precompute(st: WebState) -> tuple[float, int, int, str]:
    """(seconds, pages computed, other entries computed: statements, the QA scores, filter
    choices; what they were) for one pass of the server's pre-computation."""
    before = set(st._cache)  # the cache itself is measured
    wh = st.wh.sibling()
    started = time.perf_counter()
    try:
        prewarm.warm(st, wh)
        prewarm.warm_opened(st, wh)
    finally:
        wh.close()
    seconds = time.perf_counter() - started
    new = set(st._cache) - before
    pages = sorted(str(full[2]) for full in new if full[1] == "page")  # (version, "page", name..
    others = sorted(str(full[1]) for full in new if full[1] != "page")
    names = ", ".join(f"{n} ×{pages.count(n)}" if pages.count(n) > 1 else n
                      for n in dict.fromkeys(pages + others))
    return seconds, len(pages), len(others), names


def a_day_again(wh: store.Warehouse, table: str, time_column: str, key: str, folder: Path,
                limit: int | None = None, follow: tuple[str, str, str] | None = None,
                ) -> Path:
    """The rows of ``table``'s last day (by ``time_column``; ``follow``: instead, the rows
    whose (column, of table, by its time column) points at that table's last day), a day
    later under new ids ("D-" + id; the followed column too), as a CSV file to import."""
    if follow is None:
        last = f"(SELECT max({time_column}) FROM {table})"
        where = f"{time_column} > {last} - INTERVAL 1 DAY"
    else:
        column, other, other_time = follow
        where = (f"{column} IN (SELECT {column} FROM {other} WHERE {other_time} > "
                 f"(SELECT max({other_time}) FROM {other}) - INTERVAL 1 DAY)")
    frame = wh.query_df(f"SELECT * FROM {table} WHERE {where} ORDER BY {key}"
                        + (f" LIMIT {limit}" if limit else ""))
    for column in frame.columns:
        if str(frame[column].dtype).startswith("datetime64"):
            frame[column] = frame[column] + pd.Timedelta(days=1)
    for column in (key, *([follow[0]] if follow else [])):
        frame[column] = "D-" + frame[column].astype(str)
    path = folder / f"{table}.csv"
    frame.to_csv(path, index=False)
    return path


def contacts_and_answers_again(wh: store.Warehouse, folder: Path) -> tuple[list[int], float]:
    """The contacts of the warehouse's last day and their answers imported again a day later
    (``a_day_again``), as two files a daily sync lands: (rows inserted per table, seconds)."""
    contacts = a_day_again(wh, "interactions", "created_at", "interaction_id", folder)
    answers = a_day_again(wh, "survey_responses", "responded_at", "response_id", folder,
                          follow=("interaction_id", "interactions", "created_at"))
    started = time.perf_counter()
    counts = [import_files(wh, table, [path]).inserted
              for table, path in (("interactions", contacts), ("survey_responses", answers))]
    return counts, time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--db", help="an existing demo warehouse (else one is built)")
    args = ap.parse_args()
    path = args.db or str(Path(tempfile.mkdtemp()) / "fresh.duckdb")
    wh = store.connect(path)
    if not args.db:
        from cxlens.demo import build_demo

        started = time.perf_counter()
        build_demo(wh, scale=args.scale, seed=7)
        print(f"demo at scale {args.scale} built in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
    interactions = wh.scalar("SELECT count(*) FROM interactions")
    st: WebState = create_app(wh).state.cxlens
    rows = []
    rows.append(("first pre-computation (nothing cached)", *precompute(st)))

    with wh.transaction():
        bump_data_version(wh)  # what a survey run did before issue 18's scoped versions
    rows.append(("before: a survey run bumped everything", *precompute(st)))

    last = wh.scalar("SELECT max(closed_at) FROM interactions")
    now = last + dt.timedelta(hours=2) if last.tzinfo else \
        (last + dt.timedelta(hours=2)).replace(tzinfo=dt.UTC)
    summary = run(wh, now, deliver=lambda p, m: None)
    changed = {k: v for k, v in vars(summary).items() if v and not isinstance(v, dict)}
    rows.append((f"after: a survey run ({changed or 'nothing written'}; scoped bump)",
                 *precompute(st)))

    folder = Path(tempfile.mkdtemp())
    mentions = a_day_again(wh, "mentions", "posted_at", "mention_id", folder, limit=200)
    import_files(wh, "mentions", [mentions])
    rows.append(("a day of mentions imported (200 rows)", *precompute(st)))

    counts, imported = contacts_and_answers_again(wh, folder)
    rows.append((f"a day of contacts and answers imported ({counts[0]:,} contacts, "
                 f"{counts[1]:,} answers; the import took {imported:.1f} s)", *precompute(st)))
    wh.close()
    print(f"\n{interactions:,} interactions (scale {args.scale})\n")
    print("| pass | seconds | pages computed | other entries computed |\n|---|---:|---:|---:|")
    for what, s, pages, other, _ in rows:
        print(f"| {what} | {s:.1f} | {pages} | {other} |")
    print(f"\ncomputed after the survey run: {rows[-1][-1]}")


if __name__ == "__main__":
    main()
