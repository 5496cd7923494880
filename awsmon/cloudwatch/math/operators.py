"""Metric math's operators over evaluated values, with its alignment rules.

A value is a scalar (**S**, a float), a time series (**TS**, a `Series`) or an
array of time series (**TS[]**, a tuple of `Series`) [S-MM]. `binary` and
`negate` implement every operator; `awsmon.cloudwatch.math.functions` builds
the functions on the same helpers.

Alignment rules [S-MM]:

- TS with TS: the result has a point at every timestamp of either series; a
  missing value counts as 0. TS with S: the series' own timestamps.
- TS[] with TS or S: the operation applies to each series of the array.
- A point whose computation divides by zero is dropped.
- Comparisons and logical operators give 1 (true) or 0 (false).

Simulation notes:
    Besides division by zero, a point is dropped when its result is not a
    finite number (overflow, a negative base to a fractional power). A scalar
    with no value is NaN and drops every point computed with it. TS[] with TS[]
    in an operator is rejected (not documented).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable
from datetime import datetime

from awsmon.cloudwatch.math.series import Series

__all__ = [
    "BINARY_OPERATORS",
    "NAN",
    "EvaluationFailure",
    "Value",
    "binary",
    "finite_points",
    "negate",
    "series_of",
    "shape",
]

Value = float | Series | tuple[Series, ...]
NAN = math.nan


class EvaluationFailure(Exception):
    """A value of the wrong shape reached an operator or function (becomes ValidationError)."""


def shape(value: Value) -> str:
    """The metric-math type of a value: ``S``, ``TS`` or ``TS[]``."""
    if isinstance(value, Series):
        return "TS"
    if isinstance(value, tuple):
        return "TS[]"
    return "S"


def series_of(points: Iterable[tuple[datetime, float]], label: str, period: int | None) -> Series:
    """A series of (timestamp, value) points."""
    pairs = list(points)
    return Series([t for t, _ in pairs], [v for _, v in pairs], label, period)


def finite_points(
    pairs: Iterable[tuple[datetime, float | None]],
) -> list[tuple[datetime, float]]:
    """The points whose value is a finite number."""
    return [(t, v) for t, v in pairs if v is not None and math.isfinite(v)]


def _checked(fn: Callable[[float, float], float]) -> Callable[[float, float], float | None]:
    def apply(a: float, b: float) -> float | None:
        if not (math.isfinite(a) and math.isfinite(b)):
            return None
        try:
            result = fn(a, b)
        except (ArithmeticError, ValueError):
            return None
        return result if math.isfinite(result) else None

    return apply


def _truth(fn: Callable[[float, float], bool]) -> Callable[[float, float], float]:
    return lambda a, b: 1.0 if fn(a, b) else 0.0


def _divide(a: float, b: float) -> float:
    if b == 0:
        raise ZeroDivisionError
    return a / b


BINARY_OPERATORS: dict[str, Callable[[float, float], float | None]] = {
    "+": _checked(operator.add),
    "-": _checked(operator.sub),
    "*": _checked(operator.mul),
    "/": _checked(_divide),
    "^": _checked(math.pow),
    "==": _checked(_truth(operator.eq)),
    "!=": _checked(_truth(operator.ne)),
    "<": _checked(_truth(operator.lt)),
    "<=": _checked(_truth(operator.le)),
    ">": _checked(_truth(operator.gt)),
    ">=": _checked(_truth(operator.ge)),
    "AND": _checked(_truth(lambda a, b: a != 0 and b != 0)),
    "OR": _checked(_truth(lambda a, b: a != 0 or b != 0)),
}
BINARY_OPERATORS["&&"] = BINARY_OPERATORS["AND"]
BINARY_OPERATORS["||"] = BINARY_OPERATORS["OR"]


def binary(op: str, left: Value, right: Value) -> Value:
    """Apply a binary operator with metric math's alignment rules."""
    fn = BINARY_OPERATORS[op]
    if isinstance(left, tuple):
        if isinstance(right, tuple):
            raise EvaluationFailure(f"operator '{op}' cannot combine two arrays of time series")
        return tuple(_labelled(_binary_single(fn, item, right), item) for item in left)
    if isinstance(right, tuple):
        return tuple(_labelled(_binary_single(fn, left, item), item) for item in right)
    return _binary_single(fn, left, right)


def _labelled(value: float | Series, source: Series) -> Series:
    """An array item's result keeps that item's label and period (legend "expr-label label")."""
    assert isinstance(value, Series)
    return Series(value.timestamps, value.values, source.label, source.period)


def _binary_single(
    fn: Callable[[float, float], float | None], left: float | Series, right: float | Series
) -> float | Series:
    if isinstance(left, Series) and isinstance(right, Series):
        a, b = left.as_dict(), right.as_dict()
        stamps = sorted(a.keys() | b.keys())
        points = finite_points((t, fn(a.get(t, 0.0), b.get(t, 0.0))) for t in stamps)
        return series_of(points, "", left.period or right.period)
    if isinstance(left, Series):
        assert not isinstance(right, Series)
        return left.with_points(finite_points((t, fn(v, right)) for t, v in left.points()))
    if isinstance(right, Series):
        return right.with_points(finite_points((t, fn(left, v)) for t, v in right.points()))
    result = fn(left, right)
    return NAN if result is None else result


def negate(value: Value) -> Value:
    """Unary minus on S, TS or TS[]."""
    return binary("-", 0.0, value) if not isinstance(value, float) else -value
