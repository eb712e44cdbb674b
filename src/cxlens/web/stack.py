"""Which event loop and HTTP parser ``cxlens serve`` runs on: uvloop and httptools, the
production stack uvicorn recommends (``uvicorn[standard]``), which cxlens depends on.

Named here rather than left to uvicorn's ``auto`` so that the choice is visible and the same
for every server that must be compared with it (bench/collect.py runs its bare endpoint on
:func:`server_config`'s stack too). The pure-Python fallbacks (asyncio, h11) stay for a
platform without the compiled packages (uvloop has no Windows build)."""

from __future__ import annotations

import importlib.util
from typing import Literal


def loop() -> Literal["uvloop", "asyncio"]:
    """uvloop where it is installed (about twice the asyncio loop's speed for small requests,
    docs/performance.md), else the standard library's loop."""
    return "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"


def http() -> Literal["httptools", "h11"]:
    """httptools (llhttp, in C) where it is installed, else h11 (pure Python)."""
    return "httptools" if importlib.util.find_spec("httptools") else "h11"


def describe() -> str:
    """"uvloop + httptools", for logs and benchmark reports."""
    return f"{loop()} + {http()}"
