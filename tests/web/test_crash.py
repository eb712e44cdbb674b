"""Acknowledged answers survive a crash: a real `cxlens serve` process takes answers through
the collection API, is killed with SIGKILL right after the last acknowledgement, and every
acknowledged answer is in the warehouse when it is opened again."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from cxlens import store
from cxlens.store.migrate import secret
from cxlens.surveys import tokens
from tests.surveys.world import START, invited
from tests.web.server import free_port

CLI = Path(sys.executable).with_name("cxlens")


def test_acknowledged_answers_survive_kill_9(tmp_path: Path) -> None:
    db = tmp_path / "crash.duckdb"
    with store.connect(str(db)) as wh:
        invited(wh, at=START + dt.timedelta(days=2))
        wh.execute("UPDATE survey_invitations SET expires_at = ? WHERE status = 'sent'",
                   [dt.datetime.now(dt.UTC) + dt.timedelta(days=1)])
        key = secret(wh, tokens.SECRET_KEY)
        rows = wh.query("SELECT invitation_id, expires_at, survey FROM survey_invitations "
                        "WHERE status = 'sent' AND invitation_id LIKE 'inv_%'")
    port = free_port()
    proc = subprocess.Popen([str(CLI), "serve", "--db", str(db), "--port", str(port),
                             "--no-prewarm", "--surveys-every", "0", "--collect-rate", "100000"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.2)
        acked: list[str] = []

        def answer(row: tuple[str, dt.datetime, str]) -> str | None:
            score = 3 if row[2] == "csat" else 7
            r = httpx.post(f"{url}/api/v1/responses", timeout=10,
                           json={"token": tokens.make(key, row[0], row[1]), "score": score})
            return str(r.json()["response_id"]) if r.status_code == 201 else None

        with ThreadPoolExecutor(8) as pool:  # concurrent: the writer commits them in groups
            acked = [rid for rid in pool.map(answer, rows) if rid]
        os.kill(proc.pid, signal.SIGKILL)  # right after the last acknowledgement
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        if proc.stderr:
            proc.stderr.close()
    assert len(acked) == len(rows) > 20
    with store.connect(str(db)) as wh:
        kept = {r[0] for r in wh.query("SELECT response_id FROM survey_responses WHERE "
                                       "invitation_id LIKE 'inv_%'")}
        linked = wh.scalar("SELECT count(*) FROM survey_invitations WHERE response_id IS NOT "
                           "NULL AND invitation_id LIKE 'inv_%'")
    assert set(acked) <= kept and linked == len(acked)
