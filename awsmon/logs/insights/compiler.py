"""Expressions of a Logs Insights query compiled into Python closures over a row.

A row is a ``dict`` of field name → value. `compile_expr` turns an
expression node into ``fn(row) -> value`` once, so evaluating a query costs
one closure call per node and row. Field names with dots first read the
field of that exact name (JSON fields are flattened that way); when absent,
they walk into a map or list made by ``jsonParse``.

Aggregations compile to a read of their result in the stats row
(`aggregate_key`). Regexes that are plain literals become ``in`` tests.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

from awsmon.logs.insights.functions import FUNCTIONS, ceil_time, floor_time, millis_of
from awsmon.logs.insights.nodes import (
    Aggregate,
    Binary,
    BoolOp,
    Call,
    Compare,
    Duration,
    Expr,
    FieldRef,
    InList,
    Like,
    Literal,
    Regex,
    Unary,
)  # fmt: skip
from awsmon.logs.insights.regex import compile_regex, literal_of
from awsmon.logs.insights.values import Instant, compare, equals, number, text_of, truthy

__all__ = ["Getter", "aggregate_key", "compile_expr", "field_getter"]

Row = dict[str, Any]
Getter = Callable[[Row], Any]

_TIME_FIELDS = frozenset(("@timestamp", "@ingestionTime"))


def aggregate_key(index: int) -> str:
    """The hidden row key holding the result of aggregation `index`."""
    return f"\x00agg{index}"


def field_getter(name: str, parts: tuple[str, ...] | None = None) -> Getter:
    """Read field `name` of a row (None when absent); `parts` is its access path when known."""
    if name in _TIME_FIELDS:

        def timestamp(row: Row) -> Any:
            value = row.get(name)
            return Instant(value) if value.__class__ is int else value

        return timestamp
    if "." not in name:
        return operator.methodcaller("get", name)
    path = list(parts) if parts is not None else name.split(".")

    def dotted(row: Row) -> Any:
        value = row.get(name)
        if value is not None:
            return value
        for cut in range(len(path) - 1, 0, -1):
            base = row.get(".".join(path[:cut]))
            if isinstance(base, dict | list):
                return _walk(base, path[cut:])
        return None

    return dotted


def _walk(node: Any, path: list[str]) -> Any:
    for part in path:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdecimal() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def compile_expr(expr: Expr) -> Getter:
    """The closure evaluating `expr` on a row."""
    if isinstance(expr, Literal):
        value = expr.value
        return lambda row: value
    if isinstance(expr, FieldRef):
        return field_getter(expr.name, expr.parts)
    if isinstance(expr, Duration):
        millis = expr.millis
        return lambda row: millis
    if isinstance(expr, Regex):
        pattern = expr.pattern
        return lambda row: pattern
    if isinstance(expr, Aggregate):
        return operator.methodcaller("get", aggregate_key(expr.index))
    if isinstance(expr, Call):
        return _call(expr)
    if isinstance(expr, Unary):
        inner = compile_expr(expr.operand)
        return lambda row: _negate(inner(row))
    if isinstance(expr, Binary):
        return _arithmetic(expr.op, compile_expr(expr.left), compile_expr(expr.right))
    if isinstance(expr, Compare):
        return _comparison(expr.op, compile_expr(expr.left), compile_expr(expr.right))
    if isinstance(expr, Like):
        return _like(expr)
    if isinstance(expr, InList):
        return _in_list(expr)
    if isinstance(expr, BoolOp):
        parts = tuple(compile_expr(operand) for operand in expr.operands)
        if expr.op == "and":
            return lambda row: all(truthy(part(row)) for part in parts)
        return lambda row: any(truthy(part(row)) for part in parts)
    inner = compile_expr(expr.operand)
    return lambda row: not truthy(inner(row))


def _negate(value: Any) -> Any:
    as_number = number(value)
    return None if as_number is None else -as_number


def _mod(a: float, b: float) -> float:
    result = math.fmod(a, b)
    return int(result) if isinstance(a, int) and isinstance(b, int) else result


_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "%": _mod, "^": lambda a, b: _power(a, b),
}  # fmt: skip


def _power(a: float, b: float) -> float:
    """``a ^ b`` in floating point (an integer power of integers stays an integer)."""
    result = math.pow(a, b)
    if isinstance(a, int) and isinstance(b, int) and b >= 0 and abs(result) < 2**53:
        return int(result)
    return result


def _arithmetic(op: str, left: Getter, right: Getter) -> Getter:
    apply = _ARITHMETIC[op]

    def arithmetic(row: Row) -> Any:
        a, b = left(row), right(row)
        if a.__class__ not in (int, float):
            a = number(a)
        if b.__class__ not in (int, float):
            b = number(b)
        if a is None or b is None:
            return None
        try:
            result = apply(a, b)
        except (ZeroDivisionError, OverflowError, ValueError):
            return None
        if isinstance(result, complex) or (isinstance(result, float) and not math.isfinite(result)):
            return None
        return result

    return arithmetic


def _comparison(op: str, left: Getter, right: Getter) -> Getter:
    if op == "=":
        return lambda row: equals(left(row), right(row))
    if op == "!=":

        def different(row: Row) -> bool:
            a, b = left(row), right(row)
            return a is not None and b is not None and not equals(a, b)

        return different
    test: Callable[[int], bool] = {
        "<": lambda c: c < 0, "<=": lambda c: c <= 0, ">": lambda c: c > 0, ">=": lambda c: c >= 0,
    }[op]  # fmt: skip

    def ordered(row: Row) -> bool:
        result = compare(left(row), right(row))
        return result is not None and test(result)

    return ordered


def _like(expr: Like) -> Getter:
    operand = compile_expr(expr.operand)
    negated = expr.negated
    pattern = expr.pattern
    needle: str | None
    search: Callable[[str], object]
    if isinstance(pattern, Regex):
        needle = literal_of(pattern.pattern)
        search = compile_regex(pattern.pattern).search
    else:
        needle = text_of(compile_expr(pattern)({}))
        search = _never
    if needle is not None:
        found = needle

        def contains(row: Row) -> bool:
            value = operand(row)
            if value.__class__ is not str:
                value = text_of(value)
                if value is None:
                    return False
            return (found in value) is not negated

        return contains

    def matches(row: Row) -> bool:
        value = operand(row)
        if value.__class__ is not str:
            value = text_of(value)
            if value is None:
                return False
        return (search(value) is not None) is not negated

    return matches


def _never(text: str) -> None:
    return None


def _in_list(expr: InList) -> Getter:
    operand = compile_expr(expr.operand)
    values = [compile_expr(value)({}) for value in expr.values]
    negated = expr.negated

    def member(row: Row) -> bool:
        value = operand(row)
        if value is None:
            return False
        return any(equals(value, candidate) for candidate in values) is not negated

    return member


def _call(expr: Call) -> Getter:
    name = expr.name
    if name == "bin":
        period = expr.args[0]
        assert isinstance(period, Duration)
        step, months = period.millis, period.months

        def binned(row: Row) -> Any:
            at = row.get("@timestamp")
            if at.__class__ is not int:
                return None
            if step > 0 and not months:
                return Instant(at - at % step)
            moved = floor_time(at, step, months)
            return None if moved is None else Instant(moved)

        return binned
    if name in ("datefloor", "dateceil"):
        inner = compile_expr(expr.args[0])
        period = expr.args[1]
        assert isinstance(period, Duration)
        rounding = floor_time if name == "datefloor" else ceil_time
        step, months = period.millis, period.months

        def rounded(row: Row) -> Any:
            at = millis_of(inner(row))
            if at is None:
                return None
            moved = rounding(at, step, months)
            return None if moved is None else Instant(moved)

        return rounded
    function = FUNCTIONS[name][0]
    args = tuple(compile_expr(arg) for arg in expr.args)
    if len(args) == 1:
        (only,) = args
        return lambda row: function(only(row))
    return lambda row: function(*(arg(row) for arg in args))
