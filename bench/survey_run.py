"""Benchmark: one survey run (``cxlens surveys run``; ``cxlens serve --surveys-every N`` runs
the same :func:`cxlens.surveys.run.run` on a background thread) — its wall time and the stalls
it causes to every other thread of the process.

    .venv/bin/python bench/survey_run.py --db /tmp/surveyrun/s4.duckdb [--now ISO] [--passes 2]

The server answers requests on other threads of the same process; while the run holds the GIL
in one long C call (a fetch of a million rows into Python objects, a sort) none of them can
run. A watchdog thread sleeps 10 ms in a loop and records every wake-up later than 300 ms,
with the stack of the thread running the survey run at that moment (``sys._current_frames``).

The warehouse is copied to a temporary file first (the runs write invitations), so every
invocation starts from the same data. ``--now`` defaults to one hour after the last closed
interaction (the demo's data end in the past: with the real clock the transactional programme
would find nothing to do). Pass 1 at ``now`` is the first run on that warehouse — with the
demo's programmes it invites a whole relational wave; pass 2 one minute later is the steady
state ``cxlens serve`` repeats every minute. Messages are handed to a delivery function that
keeps only a count (no SMTP server: the run's own work is measured, not the mail server's).

The demo's customers have no e-mail address and no account, so every candidate is suppressed
for ``no_address`` and nothing is composed or delivered. ``--addresses`` gives four customers in
five an address, puts them in accounts of about five (65,536 of them; the per-account cap
applies now and then) and one in ten in the enterprise segment, so the run composes, signs and
delivers as it would for real.

The implementation before a change: ``mkdir TREE && git archive REV src | tar -x -C TREE`` and
run this script with ``PYTHONPATH=TREE/src`` (the old ``cxlens`` package is imported first).

Build the warehouse first: ``.venv/bin/cxlens demo --scale 4 --db /tmp/surveyrun/s4.duckdb``
(1 M interactions, 320,000 customers).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import shutil
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

LATE = 0.3  # s: a wake-up later than this is a stall
TICK = 0.01  # s the watchdog sleeps
ADDRESSES = ("UPDATE customers SET email = CASE WHEN customer_id LIKE '%3' THEN NULL ELSE "
             "customer_id || '@x.example' END, account_id = 'A' || substr(md5(customer_id), 1, "
             "4), segment = CASE WHEN customer_id LIKE '%1' THEN 'enterprise' ELSE 'smb' END")


@dataclass
class Stall:
    at: float  # s since the pass started
    late: float  # s later than the watchdog asked for
    stack: list[str] = field(default_factory=list)


class Watchdog(threading.Thread):
    """Sleeps ``TICK`` in a loop; a wake-up more than ``LATE`` late is recorded with the
    watched thread's stack (innermost cxlens frames last)."""

    def __init__(self, watched: int) -> None:
        super().__init__(daemon=True)
        self.watched = watched
        self.stalls: list[Stall] = []
        self.stop = threading.Event()
        self.start_at = time.perf_counter()

    def run(self) -> None:
        while not self.stop.is_set():
            before = time.perf_counter()
            time.sleep(TICK)
            late = time.perf_counter() - before - TICK
            if late > LATE:
                frame = sys._current_frames().get(self.watched)
                stack = [f"{Path(f.filename).name}:{f.lineno} {f.name}"
                         for f in traceback.extract_stack(frame)] if frame else []
                self.stalls.append(Stall(before - self.start_at, late, stack[-6:]))


class GcPauses:
    """The longest garbage collection while installed: a full collection walks every tracked
    object holding the GIL, so it is one of the stalls the watchdog sees."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._start = 0.0

    def __call__(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.longest = max(self.longest, time.perf_counter() - self._start)


def one_pass(url: str, now: dt.datetime) -> tuple[float, list[Stall], dict[str, object]]:
    from cxlens import store
    from cxlens.surveys.run import run
    from cxlens.surveys.send import Message
    from cxlens.surveys.spec import Programme

    sent = [0]

    def deliver(_p: Programme, _m: Message) -> None:
        sent[0] += 1

    with store.connect(url) as wh:
        dog = Watchdog(threading.get_ident())
        pauses = GcPauses()
        gc.callbacks.append(pauses)
        dog.start()
        t0 = time.perf_counter()
        try:
            summary = run(wh, now=now, deliver=deliver)
        finally:
            wall = time.perf_counter() - t0
            dog.stop.set()
            dog.join()
            gc.callbacks.remove(pauses)
    info = {k: v for k, v in vars(summary).items() if v}
    info["delivered"] = sent[0]
    info["longest_gc_s"] = round(pauses.longest, 3)
    return wall, dog.stalls, info


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True, help="a demo DuckDB warehouse (copied, not changed)")
    ap.add_argument("--now", help="ISO 8601; default: one hour after the last closed interaction")
    ap.add_argument("--passes", type=int, default=2)
    ap.add_argument("--stacks", type=int, default=5, help="stall stacks printed per pass")
    ap.add_argument("--addresses", action="store_true",
                    help="give the demo's customers e-mail addresses and accounts first")
    args = ap.parse_args()

    from cxlens import store

    with tempfile.TemporaryDirectory(prefix="survey_run_") as tmp:
        url = str(Path(tmp) / "run.duckdb")
        shutil.copyfile(args.db, url)
        if args.addresses:
            with store.connect(url) as wh, wh.transaction():
                wh.execute(ADDRESSES)
        if args.now:
            now = dt.datetime.fromisoformat(args.now).astimezone(dt.UTC)
        else:
            with store.connect(url) as wh:
                now = wh.scalar("SELECT max(closed_at) FROM interactions") + dt.timedelta(hours=1)
        import cxlens

        print(f"cxlens from {Path(cxlens.__file__).parent}; addresses: {args.addresses}")
        print(f"warehouse {args.db}, now {now:%Y-%m-%d %H:%M} UTC; watchdog tick "
              f"{TICK * 1000:.0f} ms, stall = wake-up > {LATE * 1000:.0f} ms late")
        print("| pass | wall s | stalls > 300 ms | worst stall s | stalled s in total | did |")
        print("|---|---|---|---|---|---|")
        details = []
        for i in range(args.passes):
            at = now + dt.timedelta(minutes=i)
            wall, stalls, info = one_pass(url, at)
            worst = max((s.late for s in stalls), default=0.0)
            print(f"| {i + 1} | {wall:.1f} | {len(stalls)} | {worst:.2f} | "
                  f"{sum(s.late for s in stalls):.1f} | {info} |", flush=True)
            details.append(stalls)
        for i, stalls in enumerate(details):
            for s in sorted(stalls, key=lambda s: -s.late)[:args.stacks]:
                print(f"\npass {i + 1}: {s.late:.2f} s late at {s.at:.1f} s\n  "
                      + "\n  ".join(s.stack))
    return 0


if __name__ == "__main__":
    sys.exit(main())
