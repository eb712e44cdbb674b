"""Runs the survey programmes inside ``cxlens serve`` (with DuckDB only one process may write
the file, so the server is where the scheduled work happens): every few seconds one
:func:`cxlens.surveys.run.run`, with the configuration re-read from the warehouse, and a data
version bump when answers arrived, so dashboard figures include them; then the alert checks
when they are due (:class:`cxlens.alerts.run.Schedule`)."""

from __future__ import annotations

import logging
import threading
import time

from cxlens.alerts.run import Schedule
from cxlens.store.base import Warehouse
from cxlens.surveys.config import current
from cxlens.surveys.run import run
from cxlens.web.survey_service import SurveyService

log = logging.getLogger("cxlens.surveys")
alert_log = logging.getLogger("cxlens.alerts")


def programme_runner(wh: Warehouse, svc: SurveyService, every: float,
                     stop: threading.Event, alerts: Schedule | None = None) -> None:
    seen = svc.writer.accepted
    alerts = alerts or Schedule()
    while not stop.wait(every):
        try:
            config = current(wh)
            svc.set_config(config)
            accepted = svc.writer.accepted
            run(wh, config=config, answers_arrived=accepted != seen)
            seen = accepted
        except Exception:  # keep running; the next tick retries
            log.exception("survey programme run failed")
        try:
            alerts.tick(wh, time.monotonic())
        except Exception:  # a broken rule must not stop the surveys
            alert_log.exception("alert check failed")
