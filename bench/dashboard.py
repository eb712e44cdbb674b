"""Benchmark: dashboard page times on a big warehouse, cold (first request after the server
starts: nothing cached) and warm (the same request again: served from the cache keyed by the
data version), against a bare endpoint (/api/health) of the same server.

    .venv/bin/python bench/dashboard.py --db /tmp/bench42.duckdb [--repeat 30]

Starts `cxlens serve` on the file (a user `bench` is added if missing), waits until it has
pre-computed the default pages (``--no-prewarm``: does not let it), logs in, then for each
page: one first request ("cold": for pages with filters nothing is cached), then ``--repeat``
warm ones. Prints a Markdown table.
Issue target: warm p95 < 300 ms, cold < 2 s on 10 M interactions.
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

PAGES = ["/overview", "/touchpoints", "/journey", "/vendors", "/vendors?vendor=Acme+BPO",
         "/verbatims", "/catalogue", "/overview?channel=chat&grain=quarter",
         "/api/pages/overview", "/api/pages/vendors/tables/kpis.csv"]
PASSWORD = "bench-password-123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def ensure_user(db: str) -> None:
    from cxlens import store
    from cxlens.web import accounts

    with store.connect(db) as wh:
        accounts.ensure(wh)
        if not wh.query("SELECT 1 FROM cxlens_users WHERE username = 'bench'"):
            accounts.add(wh, "bench", PASSWORD, "analyst")


def timed(client: httpx.Client, path: str) -> float:
    t0 = time.perf_counter()
    response = client.get(path, headers={"accept": "text/html"})
    elapsed = time.perf_counter() - t0
    if response.status_code != 200:
        sys.exit(f"{path}: HTTP {response.status_code}: {response.text[:300]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--prewarm", action=argparse.BooleanOptionalAction, default=True,
                        help="let the server pre-compute the default pages first (default)")
    args = parser.parse_args()
    ensure_user(args.db)
    port = free_port()
    cli = Path(sys.executable).with_name("cxlens")
    flag = "--prewarm" if args.prewarm else "--no-prewarm"
    server = subprocess.Popen([str(cli), "serve", "--db", args.db, "--port", str(port), flag],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ})
    base = f"http://127.0.0.1:{port}"
    try:
        t0 = time.monotonic()
        while True:
            try:
                health = httpx.get(base + "/api/health").json()
                if health["prewarmed"] or not args.prewarm:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() - t0 > 1800:
                sys.exit("the server did not start (or pre-compute) within 30 min")
            time.sleep(0.2)
        print(f"server up{' and default pages pre-computed' if args.prewarm else ''} in "
              f"{time.monotonic() - t0:.1f} s", file=sys.stderr)
        client = httpx.Client(base_url=base, timeout=600)
        form = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token
        client.post("/login", data={"username": "bench", "password": PASSWORD,
                                    "csrf_token": token.group(1)})
        rows = []
        bare = [timed(client, "/api/health") for _ in range(args.repeat)]
        rows.append(("/api/health (bare endpoint)", float("nan"), bare))
        for path in PAGES:
            cold = timed(client, path)
            warm = [timed(client, path) for _ in range(args.repeat)]
            rows.append((path, cold, warm))
            print(f"{path}: cold {cold:.2f} s, warm p95 "
                  f"{statistics.quantiles(warm, n=20)[18] * 1000:.0f} ms", file=sys.stderr)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(30)
    print("| request | cold (s) | warm p50 (ms) | warm p95 (ms) |\n|---|---:|---:|---:|")
    for path, cold, warm in rows:
        p50 = statistics.median(warm) * 1000
        p95 = statistics.quantiles(warm, n=20)[18] * 1000
        cold_text = "–" if cold != cold else f"{cold:.2f}"
        print(f"| `{path}` | {cold_text} | {p50:.0f} | {p95:.0f} |")
    colds = [c for _, c, _ in rows if c == c]
    p95s = [statistics.quantiles(w, n=20)[18] for _, c, w in rows if c == c]
    print(f"\n- slowest cold page {max(colds):.2f} s (target < 2 s: "
          f"{'met' if max(colds) < 2 else 'NOT met'})")
    print(f"- slowest warm p95 {max(p95s) * 1000:.0f} ms (target < 300 ms: "
          f"{'met' if max(p95s) < 0.3 else 'NOT met'})")


if __name__ == "__main__":
    main()
