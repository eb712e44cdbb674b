"""Vendor scope is decided in one place (``cxlens.present.scope``): no route module under
``cxlens.web`` — a module that uses ``APIRouter`` — and no bespoke page builder under
``cxlens.present.pages`` tests a user's role against the vendor viewer's or filters rows by
vendor by hand (``frame[frame["vendor"] == vendor]``, ``case["vendor"] != user.vendor``).
Modules are parsed with ``ast``, nothing is imported."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "cxlens"


def _route_modules() -> list[Path]:
    web = [p for p in sorted((SRC / "web").rglob("*.py"))
           if "APIRouter" in p.read_text(encoding="utf-8")]
    return web + sorted((SRC / "present" / "pages").glob("*.py"))


def _is_vendor(node: ast.expr) -> bool:
    """``x["vendor"]``, ``x.vendor`` or the literal ``"vendor"``."""
    if isinstance(node, ast.Constant):
        return node.value == "vendor"
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Constant) and node.slice.value == "vendor"
    return isinstance(node, ast.Attribute) and node.attr == "vendor"


def _by_hand(tree: ast.AST) -> list[int]:
    """Lines comparing a vendor (column, attribute, role name) with ``==``/``!=``."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) \
                and all(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops) \
                and any(_is_vendor(x) for x in (node.left, *node.comparators)):
            out.append(node.lineno)
    return out


def test_the_check_finds_a_hand_written_scope() -> None:
    """The checker itself: the patterns the bespoke pages used to have are caught."""
    for text in ('frame = frame[frame["vendor"] == vendor]',
                 'if user.role == "vendor": pass',
                 'if case["vendor"] != user.vendor: pass',
                 'own = user.vendor if user.role != "vendor" else None'):
        assert _by_hand(ast.parse(text)) == [1], text
    assert _by_hand(ast.parse("vendor = vendor_in_scope(user, vendor)")) == []


def test_no_route_module_scopes_by_hand() -> None:
    modules = _route_modules()
    assert {p.name for p in modules} >= {"qa.py", "contracts.py", "cases.py", "alerts.py",
                                         "admin.py", "pages.py"}
    found = {f"{p.relative_to(SRC)}:{line}" for p in modules
             for line in _by_hand(ast.parse(p.read_text(encoding="utf-8")))}
    assert not found, ("use cxlens.present.scope (vendor_in_scope, may_see, rows_of, ...) "
                       f"instead of testing the vendor by hand: {sorted(found)}")
