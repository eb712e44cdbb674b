"""Type-checking of metric expressions and ``--where`` filters against the schema, without a
database: every column has a known type (``schema.py``, and the joins and derived columns of
``relations.py``), so comparisons of text with numbers, arithmetic on timestamps, unknown
functions, aggregates outside ``per`` metrics and a condition that is not true/false are all
refused when the catalogue loads, before ibis or an engine sees them.

Only sqlglot is needed here (no ibis): catalogue loading is on every command's start-up path.
The grammar accepted is exactly what ``expr.py`` translates; a test keeps the two in step.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

import sqlglot
from sqlglot import exp

from cxlens.errors import ConfigError, did_you_mean
from cxlens.metrics.spec import expression_texts, fill, param_problems
from cxlens.schema import Column, Type

SUPPORTED = ("comparisons, AND/OR/NOT, IN, IS NULL, BETWEEN, LIKE, arithmetic, CASE WHEN, "
             "COALESCE, ABS, LOWER, UPPER, GREATEST, LEAST, seconds_between(start, end)")
#: Row functions: name → (arity or None for one or more, what the arguments must be).
FUNCTIONS: dict[str, tuple[int | None, str]] = {
    "coalesce": (None, "same"), "greatest": (None, "same"), "least": (None, "same"),
    "abs": (1, "number"), "lower": (1, "text"), "upper": (1, "text"),
    "seconds_between": (2, "timestamp"),
}
#: Aggregates, allowed only in the condition of a ``per`` metric (once per entity).
AGGREGATES = ("count", "min", "max", "sum", "avg")
NUMBER = frozenset({Type.INTEGER, Type.FLOAT})
INT64 = 2**63 - 1
#: What each type is called in messages.
NAMES = {Type.STRING: "text", Type.INTEGER: "a whole number", Type.FLOAT: "a number",
         Type.BOOLEAN: "true/false", Type.TIMESTAMP: "a timestamp"}


class ExpressionError(ConfigError):
    code = "expression_error"


@lru_cache(maxsize=1024)
def parse(text: str) -> Any:
    """The sqlglot tree of ``text`` (cached: variants and requests repeat expressions; the
    trees are only read, never changed)."""
    try:
        tree = sqlglot.parse_one(text, read="duckdb")
    except sqlglot.errors.SqlglotError as err:  # ParseError, or TokenError for a lone quote
        first = getattr(err, "errors", None) or [{"description": "a quote is not closed"}]
        # "missing for <class 'sqlglot.expressions.core.EQ'>" → "missing for EQ"
        detail = ": " + re.sub(r"<class '(?:\w+\.)*(\w+)'>", r"\1", first[0]["description"])
        raise ExpressionError(f"cannot read the expression {text!r}{detail}",
                              "write a SQL condition such as channel = 'chat' AND score >= 4",
                              ) from None
    if tree is None:
        raise ExpressionError(f"empty expression {text!r}", "write a SQL condition")
    return tree


def columns_of(text: str) -> set[str]:
    return {c.name for c in parse(text).find_all(exp.Column)}


def unknown_columns(text: str, available: list[str]) -> list[str]:
    """Messages for every column of ``text`` not in ``available``, with suggestions."""
    return [f'{text!r}: no column "{name}".{did_you_mean(name, available)}'
            for name in sorted(columns_of(text)) if name not in available]


@dataclass(frozen=True)
class Typed:
    """What a sub-expression is: its type (None: NULL, or unknown after an error), and the
    column or string literal it is, for better messages and enum checks."""

    type: Type | None
    column: Column | None = None
    text: str | None = None  # a string literal's value
    is_null: bool = False  # the literal NULL


def problems(text: str, columns: Mapping[str, Column], want: str | None = None, *,
             per: str | None = None) -> list[str]:
    """Every problem of ``text`` over ``columns``: unreadable, unknown columns, unsupported
    functions, type mismatches, and a result that is not ``want`` (``boolean``, ``number``
    or ``timestamp``). With ``per`` (an entity column), ``text`` is evaluated once per
    entity: aggregates are allowed, and other columns only inside them."""
    try:
        tree = parse(text)
    except ExpressionError as exc:
        return [exc.message]
    checker = _Checker(columns, per)
    result = checker.visit(tree)
    found = [f"{text!r}: {p}" for p in dict.fromkeys(checker.problems)]
    if result.is_null and want is not None:
        what = {"boolean": "condition", "number": "number", "timestamp": "timestamp"}[want]
        return [f"{text!r} is NULL: it must be a {what}"]
    if found or want is None or result.type is None:
        return found
    ok = {"boolean": result.type is Type.BOOLEAN, "number": result.type in NUMBER,
          "timestamp": result.type is Type.TIMESTAMP}[want]
    if ok:
        return []
    fix = {"boolean": "a condition such as channel = 'chat' or score >= 4",
           "number": "a number, e.g. CASE WHEN resolved THEN 1 ELSE 0 END for true/false",
           "timestamp": "a timestamp column such as created_at"}[want]
    return [f"{text!r} is {NAMES[result.type]}; it must be {fix}"]


class _Checker:
    def __init__(self, columns: Mapping[str, Column], per: str | None) -> None:
        self.columns, self.per, self.aggregate = columns, per, per is not None
        self.problems: list[str] = []
        self.inside_aggregate = False

    def fail(self, message: str) -> Typed:
        self.problems.append(message)
        return Typed(None)

    def unsupported(self, node: Any) -> Typed:
        return self.fail(f"{node.sql()!r} is not supported (supported: {SUPPORTED})")

    def visit(self, node: Any) -> Typed:
        handler = self.HANDLERS.get(type(node))
        if handler is not None:
            return handler(self, node)
        if type(node) in _COMPARISONS:
            return self.compare(node.left, [node.right])
        if type(node) in (exp.And, exp.Or):
            for side in (node.left, node.right):
                self.boolean(side, node.key.upper())
            return Typed(Type.BOOLEAN)
        if type(node) in _ARITHMETIC:
            return self.arithmetic(node)
        if isinstance(node, exp.Func):
            return self.function(node)
        return self.unsupported(node)

    # leaves -----------------------------------------------------------------------------
    def column(self, node: exp.Column) -> Typed:
        col = self.columns.get(node.name)
        if col is None:
            return self.fail(f'no column "{node.name}".{did_you_mean(node.name, self.columns)}')
        if self.aggregate and not self.inside_aggregate and node.name != self.per:
            return self.fail(f"{node.name} is a value of each row, but this condition is "
                             f"evaluated once per {self.per}: put row conditions in the "
                             f"population, or use an aggregate such as max({node.name})")
        return Typed(col.type, column=col)

    def literal(self, node: exp.Literal) -> Typed:
        if node.is_string:
            return Typed(Type.STRING, text=node.this)
        if node.this.isdigit():
            if int(node.this) > INT64:
                return self.fail(f"{node.this} is too large a whole number")
            return Typed(Type.INTEGER)
        return Typed(Type.FLOAT)

    def boolean_literal(self, node: exp.Boolean) -> Typed:
        return Typed(Type.BOOLEAN)

    def null(self, node: exp.Null) -> Typed:
        return Typed(None, is_null=True)

    def not_null(self, got: Typed, where: str) -> Typed:
        """NULL where a value is needed makes the whole expression NULL (and ibis refuses
        it): say so instead."""
        if got.is_null:
            return self.fail(f"{where} with NULL is always NULL: test for it with IS NULL, or "
                             "replace it with COALESCE(x, default)")
        return got

    def paren(self, node: exp.Paren) -> Typed:
        return self.visit(node.this)

    # operators --------------------------------------------------------------------------
    def boolean(self, node: Any, where: str) -> None:
        got = self.not_null(self.visit(node), where)
        if got.type is not None and got.type is not Type.BOOLEAN:
            self.fail(f"{where} needs true/false, but {node.sql()} is {NAMES[got.type]}")

    def number(self, node: Any, where: str) -> Typed:
        got = self.not_null(self.visit(node), where)
        if got.type is not None and got.type not in NUMBER:
            hint = (" (use seconds_between(start, end) for the seconds between two timestamps)"
                    if got.type is Type.TIMESTAMP else "")
            return self.fail(f"{where} needs numbers, but {node.sql()} is "
                             f"{NAMES[got.type]}{hint}")
        return got

    def neg(self, node: exp.Neg) -> Typed:
        return self.number(node.this, "minus")

    def not_(self, node: exp.Not) -> Typed:
        if isinstance(node.this, exp.Is):
            return self.is_(node.this)
        self.boolean(node.this, "NOT")
        return Typed(Type.BOOLEAN)

    def is_(self, node: exp.Is) -> Typed:
        if not isinstance(node.expression, exp.Null):
            return self.unsupported(node)
        self.visit(node.this)
        return Typed(Type.BOOLEAN)

    def in_(self, node: exp.In) -> Typed:
        if node.args.get("query") is not None or node.args.get("unnest") is not None:
            return self.unsupported(node)
        return self.compare(node.this, list(node.expressions))

    def between(self, node: exp.Between) -> Typed:
        return self.compare(node.this, [node.args["low"], node.args["high"]])

    def like(self, node: exp.Like) -> Typed:
        for side in (node.this, node.expression):
            got = self.not_null(self.visit(side), "LIKE")
            if got.type is not None and got.type is not Type.STRING:
                self.fail(f"LIKE needs text, but {side.sql()} is {NAMES[got.type]}")
        return Typed(Type.BOOLEAN)

    def compare(self, left: Any, rights: list[Any]) -> Typed:
        a = self.visit(left)
        for right in rights:
            b = self.visit(right)
            if a.is_null or b.is_null:
                self.fail("a comparison with NULL is never true: write x IS NULL or "
                          "x IS NOT NULL")
                continue
            message = _incomparable(a, b, left, right) or _incomparable(b, a, right, left)
            if message:
                self.fail(message)
        return Typed(Type.BOOLEAN)

    def arithmetic(self, node: Any) -> Typed:
        sign = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/"}[type(node)]
        a = self.number(node.left, sign)
        b = self.number(node.right, sign)
        if isinstance(node, exp.Div) or Type.FLOAT in (a.type, b.type):
            return Typed(Type.FLOAT)
        return Typed(Type.INTEGER if a.type or b.type else None)

    def case(self, node: exp.Case) -> Typed:
        if node.this is not None:
            return self.unsupported(node)
        results = []
        for when in node.args["ifs"]:
            self.boolean(when.this, "CASE WHEN")
            results.append(when.args["true"])
        if node.args.get("default") is not None:
            results.append(node.args["default"])
        return self.common("CASE", results)

    def common(self, where: str, nodes: list[Any]) -> Typed:
        """The one type of several values (whole numbers and numbers mix into numbers)."""
        typed = [(n, self.visit(n)) for n in nodes]
        known = [(n, t, t.type) for n, t in typed if t.type is not None]
        if not known:
            return Typed(None)
        first_node, first, result = known[0]
        for n, t, type_ in known[1:]:
            if {type_, result} <= NUMBER:
                result = Type.FLOAT if Type.FLOAT in (type_, result) else Type.INTEGER
            elif not _compatible(first, t, dates=False):
                return self.fail(f"{where} mixes {first_node.sql()} ({NAMES[result]}) with "
                                 f"{n.sql()} ({NAMES[type_]})")
        return Typed(result)

    def function(self, node: exp.Func) -> Typed:
        name = (node.name if isinstance(node, exp.Anonymous) else node.key).lower()
        args = operands(node)
        if name in AGGREGATES:
            return self.aggregate_of(node, name, args)
        if name not in FUNCTIONS:
            listed = [*FUNCTIONS, *(AGGREGATES if self.aggregate else ())]
            return self.fail(f"{name.upper()}() is not a supported function (supported: "
                             f"{', '.join(f.upper() for f in listed)})")
        arity, kind = FUNCTIONS[name]
        if (arity is not None and len(args) != arity) or not args:
            return self.fail(f"{name}() takes {arity or 'one or more'} argument(s), "
                             f"not {len(args)}")
        if kind == "same":
            return self.common(f"{name.upper()}()", args)
        want = {"number": NUMBER, "text": {Type.STRING}, "timestamp": {Type.TIMESTAMP}}[kind]
        types = [self.not_null(self.visit(a), f"{name}()") for a in args]
        for a, t in zip(args, types, strict=True):
            if t.type is not None and t.type not in want:
                need = {"number": "numbers", "text": "text", "timestamp": "timestamps"}[kind]
                return self.fail(f"{name}() needs {need}, but {a.sql()} is {NAMES[t.type]}")
        if name == "seconds_between":
            return Typed(Type.FLOAT)
        return Typed(types[0].type)

    def aggregate_of(self, node: Any, name: str, args: list[Any]) -> Typed:
        if not self.aggregate:
            return self.fail(f"{name.upper()}() is an aggregate: only the condition of a "
                             "per-entity metric (per: customer_id, ...) may use it")
        if self.inside_aggregate:
            return self.fail(f"{node.sql()!r}: an aggregate inside an aggregate")
        if name == "count" and isinstance(node.this, exp.Star):
            return Typed(Type.INTEGER)
        if len(args) != 1:
            return self.fail(f"{name}() takes one argument, not {len(args)}")
        self.inside_aggregate = True
        try:
            got = self.number(args[0], f"{name}()") if name in ("sum", "avg") \
                else self.visit(args[0])
        finally:
            self.inside_aggregate = False
        if name == "count":
            return Typed(Type.INTEGER)
        return Typed(Type.FLOAT if name == "avg" else got.type)

    HANDLERS: ClassVar[dict[type, Callable[[_Checker, Any], Typed]]] = {
        exp.Column: column, exp.Literal: literal, exp.Boolean: boolean_literal,
        exp.Null: null, exp.Paren: paren, exp.Neg: neg, exp.Not: not_, exp.Is: is_,
        exp.In: in_, exp.Between: between, exp.Like: like, exp.Case: case,
    }


_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)
_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div)


def operands(node: Any) -> list[Any]:
    """The operands of a sqlglot node (a function's arguments)."""
    if isinstance(node, exp.Anonymous):
        return list(node.expressions)
    out = [node.this] if node.this is not None else []
    out += list(node.expressions or [])
    return [a for a in out if isinstance(a, exp.Expression)]


def _compatible(a: Typed, b: Typed, *, dates: bool = True) -> bool:
    """Whether values of ``a`` and ``b`` can meet in one comparison (and, without
    ``dates``, in one CASE, COALESCE, GREATEST or LEAST, where ibis does not read a quoted
    date as a timestamp)."""
    if a.type is None or b.type is None or a.type == b.type or {a.type, b.type} <= NUMBER:
        return True
    for x, y in ((a, b), (b, a)) if dates else ():
        if x.type is Type.TIMESTAMP and y.text is not None:
            return _is_date(y.text)
    return False


def _is_date(text: str) -> bool:
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _incomparable(a: Typed, b: Typed, a_node: Any, b_node: Any) -> str:
    """Why ``a`` cannot be compared with ``b``, with the fix ('' when it can)."""
    pairs = ((a, b, a_node, b_node), (b, a, b_node, a_node))
    if _compatible(a, b):
        for x, y, _, _ in pairs:
            if x.column is not None and x.column.enum and y.text is not None \
                    and y.text not in x.column.enum:
                return (f"{y.text!r} is never a {x.column.name}: it is one of "
                        f"{', '.join(x.column.enum)}.{did_you_mean(y.text, x.column.enum)}")
        return ""
    for x, y, _, _ in pairs:
        if x.type is Type.TIMESTAMP and y.text is not None:
            return f"compares a timestamp with {y.text!r}, which is not a date: write 'YYYY-MM-DD'"
    assert a.type is not None and b.type is not None
    what = f"compares {a_node.sql()} ({NAMES[a.type]}) with {b_node.sql()} ({NAMES[b.type]})"
    for x, y, xn, yn in pairs:
        if x.column is not None and x.column.enum:
            return (f"{what}: {x.column.name} is one of {', '.join(x.column.enum)}, "
                    f"e.g. {x.column.name} = '{x.column.enum[0]}'")
        if x.type is Type.BOOLEAN:
            return f"{what}: write {xn.sql()} or NOT {xn.sql()}"
        if x.column is not None and x.type is Type.STRING and y.type in NUMBER:
            return f"{what}: quote the value, e.g. '{yn.sql()}'"
    return what


def metric_problems(data: Mapping[str, Any], columns: Mapping[str, Column]) -> list[str]:
    """``field: problem`` for every expression and column of a spec, raw from YAML or
    validated: the time column must be a timestamp, conditions true/false, values numbers,
    start and end timestamps; aggregates only in a ``per`` metric's condition."""
    params = data.get("params")
    params = params if isinstance(params, dict) else {}
    per = data.get("per")
    out = []
    for field in ("time", "per"):
        name = data.get(field)
        if isinstance(name, str) and name not in columns:
            out.append(f'{field}: no column "{name}".{did_you_mean(name, columns)}')
    time = columns.get(str(data.get("time")))
    if time is not None and time.type is not Type.TIMESTAMP:
        out.append(f"time: {time.name} is {NAMES[time.type]}, not a timestamp")
    uniform = data.get("uniform")
    for name in uniform if isinstance(uniform, list) else []:
        if name not in columns:
            out.append(f'uniform: no column "{name}".{did_you_mean(str(name), columns)}')
    for field, text in expression_texts(data).items():
        if param_problems([text], params):
            continue  # reported as such; its type depends on the missing param
        want = _want(field, data.get("kind"))
        found = problems(fill(text, params), columns, want,
                         per=per if field == "condition" and isinstance(per, str) else None)
        out += [f"{field}: {p}" for p in found]
        if data.get("hours") == "business" and field in ("start", "end") \
                and not found and text not in columns:
            out.append(f"{field}: business hours need a timestamp column here, not {text!r}")
    return out


def _want(field: str, kind: Any) -> str | None:
    if field in ("condition", "positive", "negative") or field.startswith("population"):
        return "boolean"
    if field in ("start", "end"):
        return "timestamp"
    return None if kind == "distinct_count" else "number"
