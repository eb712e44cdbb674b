"""Runs the survey programmes inside ``cxlens serve`` (with DuckDB only one process may write
the file, so the server is where the scheduled work happens): every few seconds one
:func:`cxlens.surveys.run.run`, with the configuration re-read from the warehouse, and a data
version bump when answers arrived, so dashboard figures include them; then the alert checks
when they are due (:class:`cxlens.alerts.run.Schedule`).

With several workers (``cxlens serve --workers N``) every worker re-reads the configuration
(its collection API uses it) and bumps the data version for the answers it collected, but
only the :class:`~cxlens.web.leader.Leader` runs the programmes and the alert checks; each run
is logged in ``cxlens_job_runs`` (:mod:`cxlens.store.runs`) with the worker that ran it."""

from __future__ import annotations

import logging
import threading
import time

from cxlens.alerts.run import Schedule
from cxlens.store import background, runs
from cxlens.store.base import Warehouse
from cxlens.store.migrate import bump_data_version
from cxlens.surveys.config import current
from cxlens.surveys.run import run
from cxlens.web.leader import Leader
from cxlens.web.survey_service import SurveyService

log = logging.getLogger("cxlens.surveys")
alert_log = logging.getLogger("cxlens.alerts")


def programme_runner(wh: Warehouse, svc: SurveyService, every: float,
                     stop: threading.Event, alerts: Schedule | None = None,
                     leader: Leader | None = None) -> None:
    """Until ``stop``: every ``every`` s a survey run (when leading) and the due alert checks.
    Its connection is a background one (:mod:`cxlens.store.background`), so stopping the
    server interrupts the statement it runs: a run over 10 M interactions held Ctrl+C for up
    to 80 s. An interrupted run is undone by its transaction: an invitation is delivered only
    after its row is committed."""
    seen = svc.writer.accepted
    alerts = alerts or Schedule()
    leader = leader or Leader(wh)
    try:
        with background.background(wh):
            while not stop.wait(every):
                leading = leader.held()
                try:
                    config = current(wh)
                    svc.set_config(config)
                    accepted = svc.writer.accepted
                    if leading:
                        with runs.logged(wh, "surveys"):
                            run(wh, config=config, answers_arrived=accepted != seen)
                    elif accepted != seen:  # the leader cannot see this worker's answers
                        with wh.transaction():
                            bump_data_version(wh)
                    seen = accepted
                except Exception:  # keep running; the next tick retries
                    if stop.is_set():  # interrupted by the server's stop: not a failure
                        break
                    log.exception("survey programme run failed")
                if not leading:
                    continue
                try:
                    alerts.tick(wh, time.monotonic())
                except Exception:  # a broken rule must not stop the surveys
                    if stop.is_set():
                        break
                    alert_log.exception("alert check failed")
    finally:
        leader.close()
