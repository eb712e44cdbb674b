"""A real ``cxlens serve`` on a DuckDB file, in a subprocess, for the hand-off tests
(cxlens.handoff): started as a user starts it, ready once it has published its hand-off file,
and commands run as a user runs them (the installed command, in another process)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from cxlens import store
from cxlens.handoff import handoff_file
from tests.web.server import free_port

CLI = [sys.executable, "-c", "from cxlens.cli import main; main()"]
#: Kept out of every process's environment unless a test gives them: the server must get a
#: helpdesk token from the command that hands it a sync, not from its own environment.
TOKENS = ("CXLENS_DB", "CXLENS_ZENDESK_TOKEN", "CXLENS_FRESHDESK_TOKEN")


@dataclass
class Served:
    db: Path
    copy: Path  # the same warehouse before the server started, for local runs
    folder: Path
    process: subprocess.Popen[str]


def environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in TOKENS}
    return {**env, "COLUMNS": "200", **(extra or {})}


def cxlens(folder: Path, *args: str,
           env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=folder, capture_output=True, text=True,
                          timeout=300, env=environment(env))


@contextmanager
def serving(folder: Path, *options: str, env: dict[str, str] | None = None,
            ) -> Iterator[Served]:
    """``cxlens serve`` (no pre-computation, no survey runs, plus ``options``) on a new
    warehouse in ``folder``, with a copy of that warehouse for local runs."""
    db, copy = folder / "served.duckdb", folder / "copy.duckdb"
    store.connect(str(db)).close()
    shutil.copy(db, copy)
    process = subprocess.Popen(
        [*CLI, "serve", "--db", str(db), "--port", str(free_port()), "--no-prewarm",
         "--surveys-every", "0", *options], cwd=folder, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, env=environment(env))
    deadline = time.monotonic() + 120
    while not handoff_file(db).exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"cxlens serve published no hand-off: {process.communicate()[0]}")
        time.sleep(0.2)
    try:
        yield Served(db, copy, folder, process)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


def stop(served: Served) -> str:
    """Stop the server as Ctrl+C would (SIGTERM unwinds it too); its log."""
    served.process.send_signal(signal.SIGTERM)
    return served.process.communicate(timeout=60)[0]
