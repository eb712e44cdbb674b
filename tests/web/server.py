"""A real dashboard server (uvicorn, in a thread) on a small demo warehouse, with one user of
each role: a session fixture shared by the web and report tests (registered in
tests/conftest.py)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from cxlens import accounts, store
from cxlens.accounts import users
from cxlens.demo import build_demo
from cxlens.store import background
from cxlens.store.base import Warehouse
from cxlens.web.app import create_app
from cxlens.web.proxies import server_config

PASSWORD = "correct-horse-battery"
USERS = {"admin": ("admin", None), "ann": ("analyst", None),
         "acme": ("vendor", "Acme BPO"), "north": ("vendor", "Northwind BPO")}


@dataclass
class Server:
    url: str
    wh: Warehouse
    app: object


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    path = Path(tmp_path_factory.mktemp("web")) / "web.duckdb"
    wh = store.connect(str(path))
    build_demo(wh, scale=0.03, seed=11)
    accounts.ensure(wh)
    for name, (role, vendor) in USERS.items():
        users.add(wh, name, PASSWORD, role, vendor)
    app = create_app(wh)
    with running(app) as url:
        yield Server(url, wh, app)
    wh.close()


#: How long a test server's requests wait for a page being computed (the app's default is
#: 2 s, after which it answers "being computed": a loaded CI machine would turn page tests
#: into tests of that answer).
TEST_PAGE_WAIT = 600.0


@contextmanager
def running(app: object, trusted: Sequence[str] = ()) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a thread on a free port, configured as ``cxlens serve``
    configures it (X-Forwarded-For believed only from the ``trusted`` proxies); yields its
    URL."""
    st = getattr(getattr(app, "state", None), "cxlens", None)
    if st is not None:  # every page waited for: tests/web/test_computing.py checks the wait
        st.page_wait = TEST_PAGE_WAIT
    port = free_port()
    config = server_config(app, host="127.0.0.1", port=port, trusted=trusted, lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            pytest.fail("the dashboard server did not start within 20 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)
        # report jobs still computing: interrupted and ended before the test closes the
        # warehouse under them (a DuckDB connection closed mid-query crashed the run)
        background.stop_all()
