"""The route modules (web/routes/) and page builders run no SQL: a ``wh.query``/``wh.execute``/
``wh.scalar`` (``st.wh.query`` ...) belongs in the domain package the data is about, as a
named function (docs/dashboard.md, "Where the code lives"). Parsed with ``ast``."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "cxlens"
SQL = {"query", "execute", "scalar", "executemany"}


def _sql_calls(tree: ast.AST) -> list[int]:
    """Lines calling ``<...>wh.query(...)`` and the like."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in SQL:
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if name == "wh":
                out.append(node.lineno)
    return out


def test_the_check_finds_sql() -> None:
    assert _sql_calls(ast.parse('st.wh.query("SELECT 1")\nwh.execute("DELETE")')) == [1, 2]
    assert _sql_calls(ast.parse("reviews.vendors(st.wh)")) == []


def test_bespoke_routes_and_builders_run_no_sql() -> None:
    modules = [*sorted((SRC / "web" / "routes").glob("*.py")), SRC / "web" / "bespoke.py",
               *sorted((SRC / "present" / "pages").glob("*.py"))]
    found = {f"{p.relative_to(SRC)}:{line}" for p in modules
             for line in _sql_calls(ast.parse(p.read_text(encoding="utf-8")))}
    assert not found, f"move the SQL to its domain package: {sorted(found)}"
