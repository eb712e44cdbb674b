"""How much memory the warehouse engine may keep in a long-running process (``cxlens serve
--memory-limit``): a size ("6GB", "512MiB") or a share of the machine's RAM ("25%").

DuckDB's own default is 80 % of RAM for its buffers alone; the server's Python side (a page
fitting models over 10 M interactions holds up to 6 GB of frames) comes on top, so with the
default a 24 GB machine ran out of memory while pre-computing (docs/performance.md)."""

from __future__ import annotations

import os
import re

from cxlens.errors import ConfigError

#: The server's default: a quarter of the RAM for the engine, the rest for Python and the OS.
DEFAULT = "25%"
_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*|%)\s*$", re.IGNORECASE)
#: Below this DuckDB cannot run the dashboard's queries at all.
FLOOR = 256 * 2**20


def ram() -> int:
    """The machine's physical memory in bytes."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def parse(text: str, total: int | None = None) -> int:
    """``text`` in bytes: a size with a unit (decimal GB or binary GiB) or a percentage of
    ``total`` (default: the machine's RAM)."""
    match = _SIZE.match(text)
    unit = match.group(2).lower() if match else ""
    if match is None or (unit != "%" and unit not in _UNITS):
        raise ConfigError(f"--memory-limit {text!r} is not a size",
                          "e.g. --memory-limit 6GB, 512MiB, or 25% (a share of RAM)")
    value = float(match.group(1))
    if unit == "%":
        if not 0 < value <= 100:
            raise ConfigError(f"--memory-limit {text}: a share of RAM is above 0 and at most "
                              "100 %", "e.g. --memory-limit 25%")
        size = int((total if total is not None else ram()) * value / 100)
    else:
        size = int(value * _UNITS[unit])
    if size < FLOOR:
        raise ConfigError(f"--memory-limit {text} is below {FLOOR // 2**20} MiB, too little "
                          "for the dashboard's queries", "e.g. --memory-limit 25% or 2GB")
    return size
