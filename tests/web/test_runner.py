"""The server's background runner runs the due alert checks beside the survey programmes (on a
copy of the demo, with a rule every vendor breaches): the alerts appear without any command."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

from cxlens import store
from cxlens.alerts import config
from cxlens.alerts.run import Schedule
from cxlens.store.migrate import secret
from cxlens.surveys import collect, tokens
from cxlens.surveys.config import current
from cxlens.web.ratelimit import Limiter
from cxlens.web.runner import programme_runner
from cxlens.web.survey_service import SurveyService

RULES = "rules:\n  - {name: fcr-low, metric: fcr, by: [vendor], check: threshold, below: 101}\n"


def _service(wh: store.Warehouse) -> SurveyService:
    return SurveyService(reader=wh.sibling(), writer=collect.Writer(wh.sibling(), current(wh)),
                         secret=secret(wh, tokens.SECRET_KEY), limiter=Limiter(rate=5))


def test_the_runner_records_due_alerts(demo_db: str, tmp_path: Path) -> None:
    path = tmp_path / "r.duckdb"
    shutil.copy(demo_db, path)
    with store.connect(str(path)) as wh:
        config.save(wh, RULES)
        svc = _service(wh)
        stop = threading.Event()
        worker = wh.sibling()
        thread = threading.Thread(target=programme_runner,
                                  args=(worker, svc, 0.05, stop, Schedule(every=0)))
        thread.start()
        try:
            deadline = time.monotonic() + 60
            count = 0
            while time.monotonic() < deadline and count < 3:
                time.sleep(0.2)
                count = wh.scalar("SELECT count(*) FROM cxlens_alerts WHERE rule = 'fcr-low'")
        finally:
            stop.set()
            thread.join(30)
            svc.writer.close()
            worker.close()
        assert count == 3


def test_the_runner_s_connection_is_stopped_with_the_server(tmp_path: Path) -> None:
    """Issue 17: a survey run over 10 M interactions held Ctrl+C for up to 80 s, because the
    server's stop waited for it. The runner's connection is a background one while it runs,
    so the stop interrupts its statement (store.background), and the runner then ends
    without logging a failure."""
    from cxlens.store import background

    with store.connect(str(tmp_path / "w.duckdb")) as wh:
        svc = _service(wh)
        stop = threading.Event()
        worker = wh.sibling()
        before = background.running()
        thread = threading.Thread(target=programme_runner,
                                  args=(worker, svc, 0.05, stop, Schedule(every=0)))
        thread.start()
        try:
            deadline = time.monotonic() + 30
            while background.running() == before and time.monotonic() < deadline:
                time.sleep(0.05)
            registered = background.running() - before
        finally:
            stop.set()
            stopped = background.stop_all(10)
            thread.join(10)
            svc.writer.close()
            worker.close()
        assert registered == 1
        assert stopped and not thread.is_alive()
