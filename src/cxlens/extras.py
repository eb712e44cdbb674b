"""Optional features and the packages they need
(``pip install 'cxlens[pdf,text,postgres,spark,connectors]'``). The core (DuckDB, metrics,
CLI, dashboard) needs none of them; a feature whose extra is not installed stops with
:class:`MissingExtra` naming the extra, before anything is imported."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence

from cxlens.errors import CxlensError

# extra → (what it enables, the importable packages it installs)
EXTRAS: dict[str, tuple[str, tuple[str, ...]]] = {
    "pdf": ("PDF printing (Playwright driving Chromium)", ("playwright",)),
    "text": ("text analytics (sentiment and themes)",
             ("vaderSentiment", "wordllama", "tokenizers", "safetensors", "threadpoolctl",
              "sklearn")),
    "postgres": ("a Postgres warehouse", ("psycopg",)),
    "spark": ("a Spark lake (spark+lake://)", ("pyspark",)),
    "connectors": ("helpdesk connectors (cxlens sync)", ("httpx",)),
}


class MissingExtra(CxlensError):
    """A feature needs an optional package that is not installed."""

    code = "missing_extra"


def require(extra: str, modules: Sequence[str] | None = None) -> None:
    """Raise :class:`MissingExtra` unless the packages of ``extra`` (or ``modules``, for a
    feature needing only some of them) can be imported."""
    feature, packages = EXTRAS[extra]
    missing = [m for m in (modules or packages) if importlib.util.find_spec(m) is None]
    if missing:
        raise MissingExtra(
            f"{feature} needs {', '.join(missing)}, which is not installed (the optional "
            f"extra '{extra}')",
            f"pip install 'cxlens[{extra}]' (in a checkout: uv sync --extra {extra}; make "
            "installs every extra)")
