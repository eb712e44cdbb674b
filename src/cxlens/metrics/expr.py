"""SQL expressions → ibis expressions, so metric specs and ``--where`` filters are written in
plain SQL and still compile on every engine.

Supported: columns, numbers, strings, TRUE/FALSE/NULL, = <> < <= > >=, AND/OR/NOT, IN,
IS [NOT] NULL, BETWEEN, LIKE, + − × ÷, CASE WHEN, COALESCE, ABS, LOWER, UPPER, GREATEST, LEAST,
and ``seconds_between(start, end)`` (end − start in seconds). Anything else is refused with a
message naming what is supported. Parsing and type-checking (no ibis needed) live in
``typecheck.py``; this module only translates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import ibis
import ibis.expr.types as ir
from sqlglot import exp

from cxlens.metrics.engine import GENERIC, Engine
from cxlens.metrics.typecheck import (
    SUPPORTED,
    ExpressionError,
    columns_of,
    operands,
    parse,
    unknown_columns,
)

__all__ = ["ExpressionError", "columns_of", "parse", "to_ibis", "unknown_columns"]


def to_ibis(text: str, table: ir.Table, *, aggregate: bool = False, engine: Engine = GENERIC,
            ) -> ir.Value:
    """Translate ``text`` against ``table``; unknown columns are reported all at once.

    With ``aggregate``, COUNT(*), COUNT/MIN/MAX/SUM/AVG(x) are allowed: the expression is
    evaluated once per group (per customer, per visitor, ...).
    """
    problems = unknown_columns(text, list(table.columns))
    if problems:
        raise ExpressionError("; ".join(problems),
                              f"columns here: {', '.join(sorted(table.columns))}")
    return _Translator(table, text, aggregate, engine).visit(parse(text))


class _Translator:
    def __init__(self, table: ir.Table, text: str, aggregate: bool = False,
                 engine: Engine = GENERIC) -> None:
        self.t, self.text, self.aggregate, self.engine = table, text, aggregate, engine

    def fail(self, node: Any) -> ExpressionError:
        return ExpressionError(f"{self.text!r}: {node.sql()!r} is not supported",
                               f"use {SUPPORTED}")

    def visit(self, node: Any) -> Any:
        handler = self.HANDLERS.get(type(node))
        if handler is not None:
            return handler(self, node)
        if isinstance(node, exp.Binary) and type(node) in _BINARY:
            return _BINARY[type(node)](self.visit(node.left), self.visit(node.right))
        if isinstance(node, exp.Func):
            return self.function(node)
        raise self.fail(node)

    def column(self, node: exp.Column) -> Any:
        return self.t[node.name]

    def literal(self, node: exp.Literal) -> Any:
        if node.is_string:
            return ibis.literal(node.this)
        # whole numbers stay integers; 1e3 and 2.5 are floats (int("1e308") would overflow)
        return ibis.literal(int(node.this) if node.this.isdigit() else float(node.this))

    def boolean(self, node: exp.Boolean) -> Any:
        return ibis.literal(bool(node.this))

    def null(self, node: exp.Null) -> Any:
        return ibis.null()

    def paren(self, node: exp.Paren) -> Any:
        return self.visit(node.this)

    def neg(self, node: exp.Neg) -> Any:
        return -self.visit(node.this)

    def not_(self, node: exp.Not) -> Any:
        inner = node.this
        if isinstance(inner, exp.Is):
            return self.visit(inner.this).notnull()
        return ~self.visit(inner)

    def is_(self, node: exp.Is) -> Any:
        if not isinstance(node.expression, exp.Null):
            raise self.fail(node)
        return self.visit(node.this).isnull()

    def in_(self, node: exp.In) -> Any:
        if node.args.get("query") is not None:
            raise self.fail(node)
        return self.visit(node.this).isin([self.visit(e) for e in node.expressions])

    def between(self, node: exp.Between) -> Any:
        return self.visit(node.this).between(self.visit(node.args["low"]),
                                             self.visit(node.args["high"]))

    def like(self, node: exp.Like) -> Any:
        return self.visit(node.this).like(self.visit(node.expression))

    def case(self, node: exp.Case) -> Any:
        if node.this is not None:
            raise self.fail(node)
        return ibis.cases(*[(self.visit(w.this), self.visit(w.args["true"]))
                            for w in node.args["ifs"]],
                          else_=self.visit(node.args["default"])
                          if node.args.get("default") is not None else None)

    def function(self, node: exp.Func) -> Any:
        name = (node.name if isinstance(node, exp.Anonymous) else node.key).lower()
        if name in _AGGREGATES:
            if not self.aggregate:
                raise ExpressionError(f"{self.text!r}: {name.upper()} is only allowed in "
                                      "per-entity conditions", "use a row condition here")
            if name == "count" and isinstance(node.this, exp.Star):
                return self.t.count()
            return _AGGREGATES[name](self.visit(node.this))
        args = [self.visit(a) for a in operands(node)]
        if name == "seconds_between" and len(args) == 2:
            return self.engine.seconds(args[1]) - self.engine.seconds(args[0])
        fn = _FUNCTIONS.get(name)
        if fn is None:
            raise self.fail(node)
        return fn(*args)

    HANDLERS: ClassVar[dict[type, Callable[[_Translator, Any], Any]]] = {
        exp.Column: column, exp.Literal: literal, exp.Boolean: boolean, exp.Null: null,
        exp.Paren: paren, exp.Neg: neg, exp.Not: not_, exp.Is: is_, exp.In: in_,
        exp.Between: between, exp.Like: like, exp.Case: case,
    }


_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    exp.EQ: lambda a, b: a == b,
    exp.NEQ: lambda a, b: a != b,
    exp.GT: lambda a, b: a > b,
    exp.GTE: lambda a, b: a >= b,
    exp.LT: lambda a, b: a < b,
    exp.LTE: lambda a, b: a <= b,
    exp.And: lambda a, b: a & b,
    exp.Or: lambda a, b: a | b,
    exp.Add: lambda a, b: a + b,
    exp.Sub: lambda a, b: a - b,
    exp.Mul: lambda a, b: a * b,
    exp.Div: lambda a, b: a.cast("float64") / b,
}

_AGGREGATES: dict[str, Callable[[Any], Any]] = {
    "count": lambda x: x.count(),
    "min": lambda x: x.min(),
    "max": lambda x: x.max(),
    "sum": lambda x: x.sum(),
    "avg": lambda x: x.mean(),
}

_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "coalesce": lambda *xs: ibis.coalesce(*xs),
    "abs": lambda x: x.abs(),
    "lower": lambda x: x.lower(),
    "upper": lambda x: x.upper(),
    "greatest": lambda *xs: ibis.greatest(*xs),
    "least": lambda *xs: ibis.least(*xs),
}
