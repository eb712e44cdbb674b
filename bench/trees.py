"""Run a benchmark script again in a child process on another source tree (``--before``):
the before/after comparisons of bench/drivers.py, customers.py and themes.py, each tree in
a process of its own so neither imports the other's modules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

#: This checkout's source tree.
HERE = Path(__file__).resolve().parents[1] / "src"


def in_tree(script: str, src: Path, args: list[str]) -> dict[str, object]:
    """``script args`` run with ``src`` first on the import path; its last line of output,
    read as JSON."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run([sys.executable, script, *args], env=env, check=True,
                          capture_output=True, text=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
