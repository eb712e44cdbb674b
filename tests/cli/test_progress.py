"""Long commands show a spinner on a terminal's stderr, and nothing where stderr is a file or
a pipe (so logs and JSON output stay clean)."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from cxlens.cli.progress import working


def test_a_terminal_sees_what_is_being_done() -> None:
    screen = io.StringIO()
    with working("fitting the model", Console(file=screen, force_terminal=True, width=80)):
        pass
    assert "fitting the model" in screen.getvalue()


def test_a_file_sees_nothing() -> None:
    log = io.StringIO()
    with working("fitting the model", Console(file=log, force_terminal=False)):
        pass
    assert log.getvalue() == ""


def test_the_spinner_goes_to_stderr_and_json_stays_clean(demo_db: str) -> None:
    """cxlens clv --format json with stderr on a pseudo-terminal and stdout piped."""
    leader, follower = pty.openpty()
    cli = Path(sys.executable).with_name("cxlens")
    done = subprocess.run([str(cli), "clv", "--db", demo_db, "--resamples", "5", "--format",
                           "json"], stdout=subprocess.PIPE, stderr=follower, timeout=600,
                          env={**os.environ, "COLUMNS": "120"})
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert done.returncode == 0
    assert b"bootstrap resamples" in seen
    assert json.loads(done.stdout)["resamples"] == 5
