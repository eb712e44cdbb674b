"""Errors that ibis or an engine (DuckDB, Postgres, Spark) raise while a metric is compiled or
run, turned into the one error shape: which metric, its expressions and the filter, the
engine's own first line, and what to do. Expressions are type-checked before they get here
(``typecheck.py``), so what remains is what only the engine can see: an overflow, a value it
cannot convert, a resource limit."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from cxlens.errors import CxlensError
from cxlens.metrics.spec import Metric

#: Top-level packages whose exceptions are the engine's (or ibis's) refusals, not cxlens bugs
#: elsewhere; matched by name so that no engine driver is imported to catch its errors.
ENGINES = frozenset({"ibis", "duckdb", "_duckdb", "psycopg", "pyspark", "py4j", "sqlglot"})


class EngineRefused(CxlensError):
    """The engine (or ibis compiling for it) refused a metric's query."""

    code = "engine_refused"


def from_engine(exc: BaseException) -> bool:
    return any(k.__module__.split(".")[0] in ENGINES for k in type(exc).__mro__)


@contextmanager
def explained(metrics: Sequence[Metric], where: str | None, engine: str) -> Iterator[None]:
    """Raise an ``EngineRefused`` naming ``metrics`` for an ibis or engine error inside."""
    try:
        yield
    except CxlensError:
        raise
    except Exception as exc:
        if not from_engine(exc):
            raise
        first = _first_line(exc)
        texts = [f"{m.full_name} {field} `{text}`" for m in metrics
                 for field, text in m.expressions().items()]
        if where:
            texts.append(f"--where `{where}`")
        names = ", ".join(m.full_name for m in metrics)
        raise EngineRefused(
            f"{engine or 'the engine'} could not compute {names}: {first} (expressions: "
            f"{'; '.join(texts) or 'none'})",
            "change the expression or --where value the engine's message points at (a number "
            "too large for 64 bits, a text it cannot read as a date, ...); if they are right, "
            "report this message as a cxlens bug") from exc


def _first_line(exc: BaseException) -> str:
    """The engine's message in one line; ibis's own internal checks print object reprs that
    mean nothing to a reader, so those are named by their type only."""
    first = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
    if not first or "object at 0x" in first:
        return f"{type(exc).__name__} while ibis built the query"
    return first if len(first) <= 300 else first[:297] + "..."
