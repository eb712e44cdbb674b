"""Benchmark: dashboard page times on a big warehouse, cold (first request after the server
starts: nothing cached) and warm (the same request again: served from the cache keyed by the
data version), against a bare endpoint (/api/health) of the same server.

    .venv/bin/python bench/dashboard.py --db /tmp/bench42.duckdb [--repeat 30]

Starts `cxlens serve` on the file (a user `bench` is added if missing), waits until it has
pre-computed the default pages (``--no-prewarm``: does not let it) while timing /api/health
and a logged-in page (``--probe``) every 0.2 s, logs in, then for each page of the menu and
the pages opened from it (an agent, a statement, a vendor drill-down): one first request
("cold": for pages with filters nothing is cached; a page still being computed answers
"being computed" at once and is asked again until it comes: both times are printed), then
``--repeat`` warm ones. Prints a Markdown table.
Issue target: first view < 2 s on the scale-1 demo, warm p95 < 300 ms at 10 M, and every
request answered within the targets while the server pre-computes.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

#: Beyond the menu: drill-downs, filtered pages and the JSON/CSV twins.
EXTRA = ["/vendors?vendor=Acme+BPO", "/overview?channel=chat&grain=quarter",
         "/api/pages/overview", "/api/pages/vendors/tables/kpis.csv"]
PASSWORD = "bench-password-123"


def rss_mb(pid: int) -> float:
    """Resident memory of the server process (Linux), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):  # the peak
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def ensure_user(db: str) -> None:
    from cxlens import accounts, store
    from cxlens.accounts import users

    with store.connect(db) as wh:
        accounts.ensure(wh)
        if not wh.query("SELECT 1 FROM cxlens_users WHERE username = 'bench'"):
            users.add(wh, "bench", PASSWORD, "analyst")


def pages(db: str) -> list[str]:
    """Every menu page, an agent page (not the one pre-computed) and the statement, then
    ``EXTRA``."""
    from cxlens import store
    from cxlens.web.pages import NAV

    with store.connect(db) as wh:
        agent = wh.scalar("SELECT max(agent_id) FROM interactions WHERE vendor = 'Acme BPO'")
    return [*(f"/{path}" for path, _ in NAV), f"/agent?agent_id={agent}", "/statement", *EXTRA]


def probe(base: str, client: httpx.Client | None, path: str) -> tuple[float, float | None]:
    """Seconds for /api/health and for ``path`` (logged in) while the server pre-computes."""
    t0 = time.perf_counter()
    httpx.get(base + "/api/health", timeout=600)
    health = time.perf_counter() - t0
    return health, timed(client, path) if client else None


def login(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=600)
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    client.post("/login", data={"username": "bench", "password": PASSWORD,
                                "csrf_token": token.group(1)})
    return client


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) > 1 else values[0]


def timed(client: httpx.Client, path: str) -> float:
    """Seconds to the first answer: the page, or "being computed" (202)."""
    return answered(client, path)[0]


def answered(client: httpx.Client, path: str) -> tuple[float, float]:
    """(seconds to the first answer, seconds until the page itself came): a page still being
    computed answers 202 at once and is asked again after its Retry-After, as the browser's
    reload does."""
    t0 = time.perf_counter()
    response = client.get(path, headers={"accept": "text/html"})
    first = time.perf_counter() - t0
    while response.status_code == 202:
        time.sleep(float(response.headers.get("retry-after", "3")))
        response = client.get(path, headers={"accept": "text/html"})
    if response.status_code != 200:
        sys.exit(f"{path}: HTTP {response.status_code}: {response.text[:300]}")
    return first, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--prewarm", action=argparse.BooleanOptionalAction, default=True,
                        help="let the server pre-compute the default pages first (default)")
    parser.add_argument("--wait", type=float, default=3600,
                        help="seconds to wait for the pre-computation before measuring anyway")
    parser.add_argument("--probe", default="/catalogue",
                        help="a page requested with /api/health while the server pre-computes")
    parser.add_argument("--surveys-every", type=float, default=60,
                        help="the server's survey programme runs, every so many seconds (0: "
                             "off; at 10 M a run that invites changes the data version and "
                             "restarts the pre-computation)")
    args = parser.parse_args()
    ensure_user(args.db)
    paths = pages(args.db)
    port = free_port()
    cli = Path(sys.executable).with_name("cxlens")
    flag = "--prewarm" if args.prewarm else "--no-prewarm"
    server = subprocess.Popen([str(cli), "serve", "--db", args.db, "--port", str(port), flag,
                               "--surveys-every", str(args.surveys_every)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ})
    base = f"http://127.0.0.1:{port}"
    during: list[tuple[float, float | None]] = []
    try:
        t0 = time.monotonic()
        next_note = t0 + 60
        unfinished = False
        client: httpx.Client | None = None
        while True:
            try:
                health = httpx.get(base + "/api/health").json()
                if health["prewarmed"] or not args.prewarm:
                    break
                client = client or login(base)
                during.append(probe(base, client, args.probe))
            except httpx.TransportError:
                pass
            if time.monotonic() - t0 > args.wait:
                if client is None:
                    sys.exit(f"the server did not start within {args.wait:.0f} s")
                print(f"pre-computation not finished after {args.wait:.0f} s: measuring the "
                      "pages anyway", file=sys.stderr)
                unfinished = True
                break
            if time.monotonic() > next_note:  # a line a minute: how the wait is going
                next_note += 60
                health = [h for h, _ in during] or [0.0]
                print(f"{time.monotonic() - t0:.0f} s: {len(during)} probes, /api/health max "
                      f"{max(health) * 1000:.0f} ms, server peak RSS {rss_mb(server.pid):.0f} MB",
                      file=sys.stderr)
            time.sleep(0.2)
        up = time.monotonic() - t0
        print(f"server up{' and default pages pre-computed' if args.prewarm else ''} in "
              f"{up:.1f} s", file=sys.stderr)
        rss = rss_mb(server.pid)
        client = client or login(base)
        rows = []
        readies: dict[str, float] = {}
        bare = [timed(client, "/api/health") for _ in range(args.repeat)]
        rows.append(("/api/health (bare endpoint)", float("nan"), bare))
        for path in paths:
            cold, ready = answered(client, path)
            warm = [timed(client, path) for _ in range(args.repeat)]
            rows.append((path, cold, warm))
            readies[path] = ready
            print(f"{path}: cold {cold:.2f} s (page after {ready:.2f} s), warm p95 "
                  f"{p95(warm) * 1000:.0f} ms", file=sys.stderr)
        rss = max(rss, rss_mb(server.pid))
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            print("the server did not stop within 30 s of Ctrl-C: killed", file=sys.stderr)
            server.kill()
            server.wait()
    print("| request | first answer (s) | page ready (s) | warm p50 (ms) | warm p95 (ms) |\n"
          "|---|---:|---:|---:|---:|")
    for path, cold, warm in rows:
        p50 = statistics.median(warm) * 1000
        cold_text = "–" if cold != cold else f"{cold:.2f}"
        ready_text = f"{readies[path]:.2f}" if path in readies else "–"
        print(f"| `{path}` | {cold_text} | {ready_text} | {p50:.0f} | {p95(warm) * 1000:.0f} |")
    colds = [c for _, c, _ in rows if c == c]
    p95s = [p95(w) for _, c, w in rows if c == c]
    if args.prewarm:
        done = f"not finished {up:.1f} s" if unfinished else f"{up:.1f} s"
        print(f"\n- pre-computation: {done} after the start; server peak RSS {rss:.0f} MB")
    if during:
        health = [h for h, _ in during]
        page = [p for _, p in during if p is not None]
        print(f"- while pre-computing ({len(during)} probes): /api/health max "
              f"{max(health) * 1000:.0f} ms, p95 {p95(health) * 1000:.0f} ms; `{args.probe}` "
              f"max {max(page) * 1000:.0f} ms, p95 {p95(page) * 1000:.0f} ms")
    print(f"\n- slowest cold page {max(colds):.2f} s (target < 2 s: "
          f"{'met' if max(colds) < 2 else 'NOT met'})")
    print(f"- slowest warm p95 {max(p95s) * 1000:.0f} ms (target < 300 ms: "
          f"{'met' if max(p95s) < 0.3 else 'NOT met'})")


if __name__ == "__main__":
    main()
