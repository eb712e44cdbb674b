"""The collection API's path through the app is short (issue 18, docs/performance.md): a
request is matched against the app's routes in order and every app-wide dependency runs on
each request, so the survey routes come first and the app-wide dependencies are coroutines
(a plain function is run in the thread pool: a thread hop on every request)."""

from __future__ import annotations

import inspect
from pathlib import Path

from fastapi.routing import iter_route_contexts

from cxlens import store
from cxlens.web.app import create_app


def test_the_collection_api_is_matched_before_the_dashboard(tmp_path: Path) -> None:
    wh = store.connect(str(tmp_path / "order.duckdb"))
    try:
        paths = [r.path for r in iter_route_contexts(create_app(wh).routes)]
    finally:
        wh.close()
    # the static mount, then the survey router: /s/{token} …, then the API
    assert paths.index("/api/v1/responses") < 8
    assert paths.index("/api/v1/responses/followup") < 8
    assert paths.index("/s/{token}") < 8
    assert len(paths) > 80  # the dashboard's routes follow


def test_app_wide_dependencies_run_on_the_event_loop(tmp_path: Path) -> None:
    wh = store.connect(str(tmp_path / "deps.duckdb"))
    try:
        app = create_app(wh)
    finally:
        wh.close()
    calls = [d.dependency for d in app.router.dependencies]
    assert calls, "the app has app-wide dependencies (the URL parameter check)"
    assert all(inspect.iscoroutinefunction(c) for c in calls)
