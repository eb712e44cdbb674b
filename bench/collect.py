"""Benchmark: the survey collection API (``POST /api/v1/responses``) against a bare FastAPI
endpoint that parses the same body and stores nothing, in the same run on the same machine.

    .venv/bin/python bench/collect.py [--seconds 10] [--rate 500] [--connections 32]
    .venv/bin/python bench/collect.py --engine postgres --workers 1 2

What is measured, for each server (one uvicorn process, log level "warning", 127.0.0.1 only,
on the stack ``cxlens serve`` uses: cxlens.web.proxies.server_config, uvloop + httptools):

1. **Sustained throughput** (closed loop): ``--connections`` keep-alive HTTP/1.1 connections,
   each sending the next request as soon as the previous answer arrived, for ``--seconds``.
   Reported: acknowledged responses (HTTP 201) per second, and the latency of each request.
2. **Latency at a fixed offered load** (open loop): ``--rate`` requests per second sent on a
   fixed timetable for ``--seconds`` over a pool of ``--pool`` connections, whatever the server
   does. Latency runs from the *scheduled* send time to the last byte of the answer, so a
   server (or client) that falls behind pays for the queue it built (no coordinated omission).

For cxlens every request carries a distinct, valid invitation token, and each 201 means the
answer was committed (DuckDB WAL commit by the collector's writer thread) before the answer
was sent. After the runs the server is stopped (gracefully; ``--kill`` sends SIGKILL instead),
the DuckDB file is reopened and every acknowledged ``response_id`` is looked up in
``survey_responses``: any missing one is a lost response.

A before/after under the same load: ``--before TREE`` (a source tree, e.g. ``mkdir TREE &&
git archive main src | tar -x -C TREE``) first measures that tree's cxlens and a bare endpoint
with uvloop and httptools hidden (asyncio + h11, as before issue 18), then this tree's; both
report, the exit status is this tree's. ``--same-stack`` keeps uvloop and httptools for the
before tree too, so only cxlens's code differs.

Postgres (``--engine postgres``): a throw-away server from the system's binaries
(tests/pg_server.py) with its durable defaults (``fsync`` and ``synchronous_commit`` on, unlike
the tests' server), and ``cxlens serve --db postgresql://… --workers N`` for each N of
``--workers`` against a bare endpoint with the same N worker processes on one socket (uvicorn's
supervisor, as ``cxlens serve`` runs them). The Postgres server's own CPU is not in the server
CPU columns (it serves every worker). ``--kill`` sends SIGKILL to the whole server (supervisor
and every worker) and then checks the acknowledged answers in Postgres.

Set-up: a fresh temporary warehouse with the demo data (``--scale``), the example programmes
(src/cxlens/surveys/example.yaml: ``support-csat``, CSAT 1–5, with its follow-up case rules) and
``--invitations`` open invitations on closed demo interactions, with their signed tokens.
Scores follow a typical CSAT spread (about 15 % are 1–2 and open a follow-up case).

The load generator is asyncio in this process with raw HTTP/1.1 over ``asyncio.open_connection``;
it shares the machine's two cores with the server under test, as any same-host benchmark does
(the CPU time of both is reported). Every phase and every wait has a deadline: the script stops
by itself. Issue targets: cxlens throughput ≥ 50 % of the bare endpoint's, p99 < 50 ms at
500 req/s, zero lost responses.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import math
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, Field

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.pg_server

HOST = "127.0.0.1"  # the only address this script ever sends to
ROOT = Path(__file__).resolve().parents[1]
PROGRAMMES = ROOT / "src" / "cxlens" / "surveys" / "example.yaml"
PATH = "/api/v1/responses"
SCORES = (1, 2, 3, 4, 5)
WEIGHTS = (8, 7, 10, 25, 50)  # a typical CSAT spread
START_TIMEOUT = 120.0  # s for a server to answer /api/health
STOP_TIMEOUT = 30.0  # s for a graceful stop
DRAIN = 30.0  # s an unfinished phase may overrun before it is cut


# -- the bare baseline -----------------------------------------------------------------------
class ScoreIn(BaseModel):
    """The body of POST /api/v1/responses, as cxlens declares it."""

    token: str = Field(description="The invitation's token (the last part of its link).")
    score: int = Field(description="A whole number on the survey's scale.")


def serve_bare(port: int, workers: int = 1) -> None:
    """A FastAPI app with the same route and body model that stores nothing; ``workers``
    processes on one socket as ``cxlens serve --workers`` runs them."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from cxlens.web.proxies import server_config  # the same loop and HTTP parser as cxlens

    if workers == 1:
        uvicorn.Server(server_config(bare_app(), host=HOST, port=port)).run()
        return
    # the workers import this file as the module ``collect`` (its folder is on sys.path)
    config = server_config("collect:bare_app", host=HOST, port=port, workers=workers,
                           factory=True)
    Multiprocess(config, sockets=[config.bind_socket()]).run()


def bare_app() -> object:
    """The bare endpoint's ASGI app (a factory, for the worker processes)."""
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse

    app = FastAPI()

    @app.get("/api/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post(PATH)
    async def post_response(body: ScoreIn) -> JSONResponse:
        rid = "r_" + body.token.split(".", 1)[0]
        return JSONResponse({"response_id": rid, "score": body.score, "duplicate": False,
                             "completed": False, "case_id": None}, 201)

    return app


# -- set-up ----------------------------------------------------------------------------------
def prepare(db: str, invitations: int, scale: float, seed: int) -> list[bytes]:
    """Build the warehouse; return one ready-made request (bytes) per invitation."""
    import pyarrow as pa

    from cxlens import store
    from cxlens.demo import build_demo
    from cxlens.store.migrate import secret
    from cxlens.surveys import config, tokens

    t0 = time.perf_counter()
    wh = store.connect(db)
    try:
        if scale > 0:
            build_demo(wh, scale=scale, seed=seed)
        config.save(wh, PROGRAMMES.read_text(encoding="utf-8"), "bench")
        key = secret(wh, tokens.SECRET_KEY)
        pool = wh.query("SELECT interaction_id, customer_id, vendor, site, team, agent_id "
                        "FROM interactions WHERE closed_at IS NOT NULL ORDER BY interaction_id")
        if not pool:
            pool = [(None, f"C{i:05d}", None, None, None, None) for i in range(1000)]
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        sent, expires = now - dt.timedelta(hours=1), now + dt.timedelta(days=7)
        rng = random.Random(seed)
        # random order, as real ids are random: no min/max pruning luck for the point lookups
        ids = rng.sample([f"inv_bench{i:07d}" for i in range(invitations)], invitations)
        picks = [pool[i % len(pool)] for i in range(invitations)]
        ts = pa.timestamp("us", tz="UTC")

        def const(value: object, typ: pa.DataType | None = None) -> pa.Array:
            return pa.array([value] * invitations, typ or pa.string())

        table = pa.table({
            "invitation_id": pa.array(ids), "survey": const("csat"),
            "programme": const("support-csat"), "sent_at": const(sent, ts),
            "customer_id": pa.array([p[1] for p in picks], pa.string()),
            "interaction_id": pa.array([p[0] for p in picks], pa.string()),
            "survey_channel": const("email"), "kind": const("transactional"),
            "touchpoint": const("support"), "status": const("sent"),
            "vendor": pa.array([p[2] for p in picks], pa.string()),
            "site": pa.array([p[3] for p in picks], pa.string()),
            "team": pa.array([p[4] for p in picks], pa.string()),
            "agent_id": pa.array([p[5] for p in picks], pa.string()),
            "language": const("en"), "expires_at": const(expires, ts),
            "reminders_sent": const(0, pa.int64()),
        })
        with wh.transaction():
            wh.insert_arrow("survey_invitations", table)
        scores = rng.choices(SCORES, weights=WEIGHTS, k=invitations)
        requests = [request_bytes(tokens.make(key, i, expires), s)
                    for i, s in zip(ids, scores, strict=True)]
        rows = wh.count("survey_invitations")
    finally:
        wh.close()
    print(f"set-up: {db} with {rows:,} invitations ({invitations:,} for the bench) in "
          f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return requests


def request_bytes(token: str, score: int) -> bytes:
    body = json.dumps({"token": token, "score": score}).encode()
    return (f"POST {PATH} HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


# -- HTTP client -----------------------------------------------------------------------------
class Conn:
    """One keep-alive HTTP/1.1 connection; one request at a time."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Conn:
        reader, writer = await asyncio.open_connection(HOST, port)
        return cls(reader, writer)

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        at = lower.find(b"content-length:")
        if at < 0:
            raise ConnectionError(f"answer without content-length: {head[:200]!r}")
        length = int(lower[at + 15:lower.index(b"\r\n", at)])
        body = await self.reader.readexactly(length) if length else b""
        return status, body

    def close(self) -> None:
        self.writer.close()


async def wait_ready(port: int, proc: subprocess.Popen[bytes], log: Path) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < START_TIMEOUT:
        if proc.poll() is not None:
            sys.exit(f"the server exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            conn = await Conn.open(port)
            try:
                async with asyncio.timeout(5):
                    status, _ = await conn.request(
                        f"GET /api/health HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
            finally:
                conn.close()
            if status == 200:
                return time.perf_counter() - t0
        except (OSError, asyncio.IncompleteReadError, TimeoutError):
            pass
        await asyncio.sleep(0.1)
    sys.exit(f"the server did not answer /api/health within {START_TIMEOUT:.0f} s")


# -- measurements ----------------------------------------------------------------------------
@dataclass
class Phase:
    name: str
    sent: int = 0
    ok: int = 0  # 201 with a response id
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)  # connection-level failures
    latencies: list[float] = field(default_factory=list)  # s, every answered request
    acked: list[str] = field(default_factory=list)
    elapsed: float = 0.0  # s, first send to last answer
    server_cpu: float = 0.0  # s of CPU used by the server process meanwhile
    client_cpu: float = 0.0  # s of CPU used by this process meanwhile
    max_lag: float = 0.0  # open loop: worst lateness of a send against the timetable
    exhausted: bool = False  # ran out of distinct tokens

    @property
    def answered(self) -> int:
        return sum(self.statuses.values())

    @property
    def unfinished(self) -> int:
        return self.sent - self.answered - sum(self.errors.values())

    @property
    def throughput(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def pct(self, q: float) -> float:
        """Nearest-rank percentile of the latencies, in ms."""
        if not self.latencies:
            return math.nan
        xs = sorted(self.latencies)
        return xs[max(0, math.ceil(q * len(xs)) - 1)] * 1000

    def record(self, status: int, body: bytes, latency: float) -> None:
        self.statuses[status] += 1
        self.latencies.append(latency)
        if status == 201:
            rid = json.loads(body).get("response_id")
            if rid:
                self.ok += 1
                self.acked.append(str(rid))

    def problems(self) -> str:
        bad = {str(k): v for k, v in sorted(self.statuses.items()) if k != 201}
        bad.update(self.errors)
        if self.unfinished:
            bad["unfinished"] = self.unfinished
        return ", ".join(f"{k}: {v}" for k, v in bad.items()) or "none"


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads) and of its child processes (a
    supervisor's workers), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return math.nan
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(int(c)) for c in children)


async def closed_loop(port: int, nxt: Callable[[], bytes | None], connections: int,
                      seconds: float, phase: Phase) -> None:
    conns = [await Conn.open(port) for _ in range(connections)]
    t0 = time.perf_counter()
    deadline = t0 + seconds
    last = t0

    async def worker(conn: Conn) -> None:
        nonlocal last
        while time.perf_counter() < deadline:
            raw = nxt()
            if raw is None:
                phase.exhausted = True
                return
            phase.sent += 1
            start = time.perf_counter()
            try:
                status, body = await conn.request(raw)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                phase.errors[type(exc).__name__] += 1
                conn.close()
                conn = await Conn.open(port)
                continue
            end = time.perf_counter()
            last = max(last, end)
            phase.record(status, body, end - start)
        conn.close()

    tasks = [asyncio.create_task(worker(c)) for c in conns]
    try:
        async with asyncio.timeout(seconds + DRAIN):
            await asyncio.gather(*tasks)
    except TimeoutError:
        print(f"{phase.name}: cut after {seconds + DRAIN:.0f} s", file=sys.stderr)
    finally:
        for c in conns:
            c.close()
    phase.elapsed = last - t0


async def open_loop(port: int, nxt: Callable[[], bytes | None], rate: float, seconds: float,
                    pool: int, phase: Phase) -> None:
    idle: asyncio.Queue[Conn] = asyncio.Queue()
    every: list[Conn] = []
    for _ in range(pool):
        conn = await Conn.open(port)
        every.append(conn)
        idle.put_nowait(conn)
    t0 = time.perf_counter() + 0.05
    last = t0

    async def one(raw: bytes, scheduled: float) -> None:
        nonlocal last
        conn = await idle.get()
        try:
            status, body = await conn.request(raw)
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            phase.errors[type(exc).__name__] += 1
            conn.close()
            conn = await Conn.open(port)
            every.append(conn)
            return
        finally:
            idle.put_nowait(conn)
        end = time.perf_counter()
        last = max(last, end)
        phase.record(status, body, end - scheduled)

    tasks: set[asyncio.Task[None]] = set()
    try:
        async with asyncio.timeout(seconds + DRAIN):
            for i in range(int(rate * seconds)):
                scheduled = t0 + i / rate
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                else:
                    phase.max_lag = max(phase.max_lag, -delay)
                raw = nxt()
                if raw is None:
                    phase.exhausted = True
                    break
                phase.sent += 1
                task = asyncio.create_task(one(raw, scheduled))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            if tasks:
                await asyncio.gather(*tasks)
    except TimeoutError:
        print(f"{phase.name}: cut after {seconds + DRAIN:.0f} s", file=sys.stderr)
        for task in tasks:
            task.cancel()
    finally:
        for c in every:
            c.close()
    phase.elapsed = last - t0


@dataclass
class Result:
    server: str
    startup: float
    warmup: Phase
    closed: Phase
    open: Phase
    stopped: str = ""
    acked: int = 0
    found: int | None = None  # acknowledged ids found in survey_responses


async def measure(server: str, port: int, proc: subprocess.Popen[bytes], log: Path,
                  nxt: Callable[[], bytes | None], args: argparse.Namespace) -> Result:
    startup = await wait_ready(port, proc, log)
    print(f"{server}: up in {startup:.1f} s", file=sys.stderr)
    phases: list[Phase] = []
    runs: list[tuple[str, Callable[[Phase], Awaitable[None]]]] = [
        ("warm-up", lambda p: closed_loop(port, nxt, args.connections, args.warmup, p)),
        ("closed loop", lambda p: closed_loop(port, nxt, args.connections, args.seconds, p)),
        (f"open loop {args.rate:g}/s",
         lambda p: open_loop(port, nxt, args.rate, args.seconds, args.pool, p)),
    ]
    for name, run in runs:
        phase = Phase(f"{server} {name}")
        cpu0, own0 = cpu_seconds(proc.pid), time.process_time()
        await run(phase)
        phase.server_cpu = cpu_seconds(proc.pid) - cpu0
        phase.client_cpu = time.process_time() - own0
        phases.append(phase)
        print(f"{phase.name}: {phase.ok:,} acknowledged in {phase.elapsed:.1f} s "
              f"({phase.throughput:,.0f}/s), p50 {phase.pct(0.5):.1f} ms, p99 "
              f"{phase.pct(0.99):.1f} ms, problems: {phase.problems()}"
              f"{' (ran out of tokens)' if phase.exhausted else ''}", file=sys.stderr)
        await asyncio.sleep(0.5)
    return Result(server, startup, phases[0], phases[1], phases[2])


def start(cmd: list[str], log: Path,
          env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def stop(proc: subprocess.Popen[bytes], kill: bool = False) -> str:
    if proc.poll() is not None:
        return f"had exited ({proc.returncode})"
    if kill:  # the whole session: a supervisor and each of its workers
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(STOP_TIMEOUT)
        return "SIGKILL"
    t0 = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(STOP_TIMEOUT)
        return f"SIGINT, exited {proc.returncode} in {time.perf_counter() - t0:.1f} s"
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(STOP_TIMEOUT)
        return f"did not stop on SIGINT within {STOP_TIMEOUT:.0f} s: SIGKILL"


def check_durable(db: str, acked: list[str]) -> tuple[int, int]:
    """How many acknowledged ids are in survey_responses (and how many bench rows in all)."""
    import duckdb
    import pyarrow as pa

    if db.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(db) as pg:
            found = pg.execute("SELECT count(*) FROM survey_responses WHERE response_id = "
                               "ANY(%s)", [sorted(set(acked))]).fetchone()
            every = pg.execute("SELECT count(*) FROM survey_responses "
                               "WHERE invitation_id LIKE 'inv_bench%%'").fetchone()
        assert found is not None and every is not None
        return int(found[0]), int(every[0])
    con = duckdb.connect(db, read_only=True)
    try:
        ids = pa.table({"response_id": pa.array(sorted(set(acked)), pa.string())})
        con.register("acked", ids)
        row = con.execute("SELECT count(*) FROM survey_responses r "
                          "JOIN acked a USING (response_id)").fetchone()
        total = con.execute("SELECT count(*) FROM survey_responses "
                            "WHERE invitation_id LIKE 'inv_bench%'").fetchone()
    finally:
        con.close()
    assert row is not None and total is not None
    return int(row[0]), int(total[0])


# -- report ----------------------------------------------------------------------------------
def report(bare: Result, cx: Result, args: argparse.Namespace, command: str,
           title: str = "") -> bool:
    ratio = cx.closed.throughput / bare.closed.throughput if bare.closed.throughput else 0.0
    lost = cx.acked - (cx.found or 0)
    rate_ok = cx.open.ok == int(args.rate * args.seconds)  # every scheduled request acked
    p99 = cx.open.pct(0.99)
    targets = [
        ("throughput ≥ 50 % of the bare endpoint's", f"{ratio:.0%} ({cx.closed.throughput:,.0f}"
         f" vs {bare.closed.throughput:,.0f} req/s)", ratio >= 0.5),
        (f"p99 < 50 ms at {args.rate:g} req/s", f"{p99:.1f} ms (p50 {cx.open.pct(0.5):.1f} ms;"
         f" {cx.open.ok:,} of {int(args.rate * args.seconds):,} acknowledged)",
         p99 < 50 and rate_ok),
        ("zero lost responses", f"{lost} lost of {cx.acked:,} acknowledged", lost == 0),
    ]
    if args.engine == "duckdb":  # issue 18's absolute target for one process on a file
        targets.insert(0, ("≥ 1,500 durable answers/s (closed loop)",
                           f"{cx.closed.throughput:,.0f}/s", cx.closed.throughput >= 1500))
    print("\n" + "=" * 100 + (f"\n{title}" if title else ""))
    head = (f"{'server':<8} {'phase':<16} {'sent':>7} {'201':>7} {'s':>6} {'req/s':>7} "
            f"{'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'srv cpu':>7} {'cli cpu':>7}  problems")
    print(head)
    for r in (bare, cx):
        for ph in (r.closed, r.open):
            kind = ph.name.removeprefix(r.server + " ")
            print(f"{r.server:<8} {kind:<16} {ph.sent:>7,} {ph.ok:>7,} {ph.elapsed:>6.1f} "
                  f"{ph.throughput:>7,.0f} {ph.pct(0.5):>7.1f} {ph.pct(0.99):>7.1f} "
                  f"{ph.pct(1.0):>7.1f} {ph.server_cpu / max(ph.elapsed, 1e-9):>6.2f}c "
                  f"{ph.client_cpu / max(ph.elapsed, 1e-9):>6.2f}c  {ph.problems()}")
    print(f"cxlens: stopped by {cx.stopped}; {cx.found:,} of {cx.acked:,} acknowledged "
          f"responses found after reopening the file")
    for name, value, met in targets:
        print(f"{'MET    ' if met else 'NOT MET'} {name}: {value}")

    print("\n```markdown")
    print(f"`{command}`{f' — {title}' if title else ''}\n")
    print(f"| server | closed loop, {args.connections} connections: req/s | p50 (ms) | p99 (ms)"
          f" | open loop {args.rate:g} req/s: acknowledged/s | p50 (ms) | p99 (ms) | max (ms)"
          " | server CPU (cores), open loop | failed requests |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r, label in ((bare, "bare FastAPI (stores nothing)"),
                     (cx, "cxlens (group commit, durable)")):
        c, o = r.closed, r.open
        print(f"| {label} | {c.throughput:,.0f} | {c.pct(0.5):.1f} | {c.pct(0.99):.1f} | "
              f"{o.throughput:,.0f} | {o.pct(0.5):.1f} | {o.pct(0.99):.1f} | {o.pct(1.0):.1f} "
              f"| {o.server_cpu / max(o.elapsed, 1e-9):.2f} | "
              f"{sum(p.sent - p.ok for p in (r.warmup, c, o))} |")
    print("\n| target | measured | met? |\n|---|---|---|")
    for name, value, met in targets:
        print(f"| {name} | {value} | {'yes' if met else 'no'} |")
    print("```")
    return all(met for *_, met in targets)


def feeder(requests: list[bytes], cycle: bool) -> Callable[[], bytes | None]:
    """The next request to send: each token once (cxlens), or round and round (bare)."""
    it: Iterator[bytes] = itertools.cycle(requests) if cycle else iter(requests)
    return lambda: next(it, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--rate", type=float, default=500.0, help="open-loop offered req/s")
    parser.add_argument("--connections", type=int, default=32, help="closed-loop connections")
    parser.add_argument("--pool", type=int, default=64, help="open-loop connection pool")
    parser.add_argument("--warmup", type=float, default=1.0, help="closed-loop warm-up, s")
    parser.add_argument("--invitations", type=int, default=100_000)
    parser.add_argument("--scale", type=float, default=0.03, help="demo scale (0: no demo)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--engine", choices=("duckdb", "postgres"), default="duckdb",
                        help="the warehouse: a DuckDB file, or a durable throw-away Postgres "
                        "server from the system's binaries")
    parser.add_argument("--workers", type=int, nargs="+", default=[1], metavar="N",
                        help="server processes, each N measured in turn (cxlens serve "
                        "--workers N and a bare endpoint with N workers; more than 1 needs "
                        "--engine postgres)")
    parser.add_argument("--kill", action="store_true",
                        help="stop cxlens with SIGKILL instead of SIGINT before the check")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--before", type=Path, metavar="TREE",
                        help="first measure the cxlens of this source tree (e.g. `git archive "
                        "main src | tar -x -C TREE`) on asyncio + h11, as before issue 18, "
                        "with its own bare endpoint: a before/after under the same load")
    parser.add_argument("--same-stack", action="store_true",
                        help="with --before: keep uvloop and httptools for the before tree "
                        "too, so only cxlens's code differs")
    parser.add_argument("--after-first", action="store_true",
                        help="with --before: measure this tree first (alternate the order "
                        "between runs: a load that changes during a run then favours neither)")
    parser.add_argument("--serve-bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        serve_bare(args.serve_bare, args.workers[0])
        return
    if args.engine == "duckdb" and args.workers != [1]:
        parser.error("--workers above 1 needs --engine postgres (a DuckDB file is held by "
                     "one process)")
    command = " ".join([".venv/bin/python bench/collect.py", *sys.argv[1:]])
    busy = machine_busy()
    print(f"CPU in use before the run: {busy:.2f} of {os.cpu_count()} cores, load average "
          f"{load()}{' (something else is running: figures will be low)' if busy > 0.3 else ''}",
          file=sys.stderr)
    work = Path(tempfile.mkdtemp(prefix="cxlens-collect-"))
    procs: list[subprocess.Popen[bytes]] = []
    pg = None
    try:
        if args.engine == "postgres":
            from tests.pg_server import PostgresServer, find_bindir

            bindir = find_bindir()
            if bindir is None:
                sys.exit("PostgreSQL binaries not found: install Debian's postgresql package "
                         "or set CXLENS_PG_BIN to the folder holding initdb")
            pg = PostgresServer(bindir)
            db = pg.start(durable=True)
        else:
            db = str(work / "bench.duckdb")
        requests = prepare(db, args.invitations, args.scale, args.seed)
        tokens = feeder(requests, cycle=False)  # each token once, across every pair
        from cxlens.web import stack

        met = True
        for workers in args.workers:
            on = f"{args.engine}, {workers} worker{'s' if workers > 1 else ''}"
            runs: list[tuple[str, dict[str, str] | None, str]] = [
                ("", None, f"this tree on {stack.describe()}; {on}")]
            if args.before:  # only for the record: the targets are this tree's
                then = (before_env(args.before.resolve()) if args.same_stack
                        else hide_fast_stack(work, args.before.resolve()))
                old = ("before", then, f"before: {args.before} on "
                       f"{stack.describe() if args.same_stack else 'asyncio + h11'}; {on}")
                runs = [*runs, old] if args.after_first else [old, *runs]
            for tag, env, title in runs:
                bare, cx = pair(tag, env, db, requests, tokens, work, procs, args, workers)
                done = report(bare, cx, args, command, f"{title}; load average {load()}")
                met = met and (done or bool(tag))
    finally:
        for p in procs:
            if p.poll() is None:
                stop(p)
        if pg is not None:
            pg.stop()
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if met else 1)


def load() -> str:
    """The machine's load averages over 1, 5 and 15 minutes (it is shared)."""
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def pair(tag: str, env: dict[str, str] | None, db: str, requests: list[bytes],
         tokens: Callable[[], bytes | None], work: Path, procs: list[subprocess.Popen[bytes]],
         args: argparse.Namespace, workers: int = 1) -> tuple[Result, Result]:
    """The bare endpoint, then cxlens, each in its own process(es) run with ``env``."""
    port = free_port()
    name = f"{tag}{'w' + str(workers) if workers > 1 else ''}"
    log = work / f"bare{name}.log"
    proc = start([sys.executable, str(Path(__file__).resolve()), "--serve-bare", str(port),
                  "--workers", str(workers)], log, env)
    procs.append(proc)
    bare = asyncio.run(measure(f"bare{name and ' ' + name}", port, proc, log,
                               feeder(requests, cycle=True), args))
    bare.stopped = stop(proc)

    port = free_port()
    log = work / f"cxlens{name}.log"
    cli = Path(sys.executable).with_name("cxlens")
    proc = start([str(cli), "serve", "--db", db, "--port", str(port), "--no-prewarm",
                  "--surveys-every", "0", "--collect-rate", "1000000",
                  "--workers", str(workers)], log, env)
    procs.append(proc)
    cx = asyncio.run(measure(f"cxlens{name and ' ' + name}", port, proc, log, tokens, args))
    cx.stopped = stop(proc, kill=args.kill)
    acked = [*cx.warmup.acked, *cx.closed.acked, *cx.open.acked]
    cx.acked = len(set(acked))
    if cx.acked != len(acked):
        print(f"odd: {len(acked) - cx.acked} response ids acknowledged twice", file=sys.stderr)
    cx.found, total = check_durable(db, acked)
    settle(db)
    print(f"{cx.server}: {total:,} bench rows in survey_responses, {cx.found:,} of this "
          f"server's {cx.acked:,} acknowledged ones found", file=sys.stderr)
    text = log.read_text(errors="replace").strip()
    if text:
        print(f"{cx.server} log (tail):\n{text[-1500:]}", file=sys.stderr)
    return bare, cx


def settle(db: str) -> None:
    """Checkpoint a DuckDB file between two servers: after a SIGKILL its write-ahead log
    holds every answer of the run, and the next server replayed it and paid the checkpoint
    during its own measurement (the server measured second was 34–43 % slower with the same
    code). Postgres checkpoints by itself."""
    if db.startswith("postgresql://"):
        return
    import duckdb

    con = duckdb.connect(db)
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()


def before_env(tree: Path) -> dict[str, str]:
    """The environment of a "before" server on this tree's stack: cxlens from ``tree``."""
    src = tree / "src" if (tree / "src" / "cxlens").is_dir() else tree
    return {**os.environ, "PYTHONPATH": str(src)}


def hide_fast_stack(work: Path, tree: Path) -> dict[str, str]:
    """The environment of a "before" server: cxlens imported from ``tree`` (a source tree, for
    example ``git archive`` of main) and uvloop/httptools hidden, as they were not installed
    before issue 18, so uvicorn's ``auto`` picks asyncio and h11 as it did then."""
    hidden = work / "hidden"
    for name in ("uvloop", "httptools"):
        (hidden / name).mkdir(parents=True, exist_ok=True)
        (hidden / name / "__init__.py").write_text(
            f"raise ImportError('{name} hidden by bench/collect.py --before')\n")
    src = tree / "src" if (tree / "src" / "cxlens").is_dir() else tree
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(hidden), str(src)])}


def machine_busy(seconds: float = 1.0) -> float:
    """Cores kept busy (user + nice + system time) by everything on the machine meanwhile."""
    def sample() -> tuple[int, int]:
        ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(ticks[:3]), sum(ticks)

    try:
        busy0, all0 = sample()
        time.sleep(seconds)
        busy1, all1 = sample()
    except OSError:
        return math.nan
    return (busy1 - busy0) / max(all1 - all0, 1) * (os.cpu_count() or 1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


if __name__ == "__main__":
    main()
