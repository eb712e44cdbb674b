"""The user's own metric files: named by $CXLENS_METRICS (their metrics, and their derived
columns under ``derived:``)."""

from __future__ import annotations

import os
from pathlib import Path

from cxlens.errors import NotFound

USER_ENV = "CXLENS_METRICS"


def user_files() -> list[Path]:
    """Files named by $CXLENS_METRICS (paths separated by ':'; a folder means its *.yaml)."""
    out: list[Path] = []
    for part in filter(None, os.environ.get(USER_ENV, "").split(os.pathsep)):
        p = Path(part)
        if p.is_dir():
            out += sorted(p.glob("*.yaml"))
        elif p.is_file():
            out.append(p)
        else:
            raise NotFound(f"{USER_ENV} names {p}, which does not exist",
                           "point it at a metrics YAML file or a folder of them")
    return out
