"""The last resort (web/fallback.py): an exception no handler takes becomes the one error
shape, a 500 naming a reference id that the server log carries with the traceback; nothing
of the exception reaches the client. The route that fails is added to a real app for this
test only: the known odd inputs never get here (tests/web/test_odd_inputs.py)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import httpx
import pytest

from cxlens.web.app import create_app
from tests.web.server import running

SECRET = "secret internals: SELECT * FROM cxlens_users"


def boom() -> None:
    raise RuntimeError(SECRET)


def test_an_unexpected_error_is_a_500_with_a_reference(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(str(tmp_path / "fallback.duckdb"))
    app.add_api_route("/api/boom", boom)
    app.add_api_route("/boom/page", boom)
    with running(app) as url, httpx.Client(base_url=url, timeout=60) as client, \
            caplog.at_level(logging.ERROR, logger="cxlens.web"):
        api = client.get("/api/boom")
        page = client.get("/boom/page", headers={"accept": "text/html"})
    assert api.status_code == 500
    error = api.json()["error"]
    assert error["status"] == 500 and error["code"] == "internal_error"
    ref = re.fullmatch(r"the server could not answer this request \(reference ([0-9a-f]{12})\)",
                       error["message"])
    assert ref, error
    assert ref.group(1) in error["hint"]
    assert SECRET not in api.text and "RuntimeError" not in api.text
    # security headers and no-store even on the last resort's answer
    assert api.headers["x-frame-options"] == "DENY"
    assert api.headers["cache-control"] == "no-store"
    assert page.status_code == 500 and "<h1>500: the server could not answer" in page.text
    assert SECRET not in page.text
    logged = [r for r in caplog.records if ref.group(1) in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info is not None
    assert SECRET in str(logged[0].exc_info[1])
