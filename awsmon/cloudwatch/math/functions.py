"""The operators and functions of CloudWatch metric math, over evaluated values.

A value is a scalar (**S**, a float), a time series (**TS**, a `Series`) or an
array of time series (**TS[]**, a tuple of `Series`) [S-MM]. This module
implements every function of the reference's table (`FUNCTIONS`) on those
values; the operators are in `awsmon.cloudwatch.math.operators`. `awsmon.cloudwatch.math.expression`
parses expressions and calls in here; a handler reads its arguments through
the `Arguments` protocol, so arguments are evaluated only when needed.

Alignment rules [S-MM]:

- TS with TS: the result has a point at every timestamp of either series; a
  missing value counts as 0. TS with S: the series' own timestamps.
- TS[] with TS or S: the operation applies to each series of the array.
- A point whose computation divides by zero is dropped.
- Comparisons and logical operators give 1 (true) or 0 (false).

Simulation notes:
    Besides division by zero, a point is dropped when its result is not a
    finite number (overflow, ``LOG`` of a value ≤ 0, a negative base to a
    fractional power). A scalar with no value (``AVG`` of an empty series) is
    NaN here and drops every point computed with it. Cross-series aggregates
    (SUM, AVG, MIN, MAX, STDDEV of TS[]) count a missing value as 0, the
    documented rule for AVG applied to all; STDDEV is the population standard
    deviation. TS[] with TS[] in an operator is rejected (not documented).
    ``FILL(TS, TS)`` is accepted like the array form. ``SLICE`` always returns
    an array. FILL's REPEAT and LINEAR leave gaps before the first and (for
    LINEAR) after the last value unfilled. MINUTE 0-59, HOUR 0-23, DAY 1
    (Monday)-7, DATE 1-31, MONTH 1-12, YEAR and EPOCH (Unix seconds) are read
    from each UTC period start, the natural reading of the documented names.
    Per-point functions (ABS, LOG ...) and aggregates accept only the
    documented TS and TS[] arguments, not scalars.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable, Sequence
from datetime import datetime
from itertools import pairwise
from typing import Protocol

from awsmon.cloudwatch.math.operators import (
    NAN,
    EvaluationFailure,
    Value,
    finite_points,
    series_of,
    shape,
)
from awsmon.cloudwatch.math.series import EvaluationContext, Series, period_grid
from awsmon.errors import Unsupported

__all__ = ["FUNCTIONS", "Arguments"]


class Arguments(Protocol):
    """The arguments of one function call, evaluated on demand."""

    @property
    def context(self) -> EvaluationContext:
        """The context the expression is evaluated in."""
        ...

    def __len__(self) -> int: ...

    def value(self, index: int) -> Value:
        """Evaluate argument `index` as an expression."""
        ...

    def is_word(self, index: int) -> bool:
        """Whether argument `index` is a bare keyword (REPEAT, AVG, DESC ...) or a string."""
        ...

    def word(self, index: int) -> str:
        """The text of a keyword or string argument."""
        ...

    def reference(self, index: int) -> str:
        """The query id that argument `index` names (it must be a bare id)."""
        ...


# --------------------------------------------------------------------------------------------
# Shape helpers


def _expect_series(value: Value, name: str) -> Series:
    if not isinstance(value, Series):
        raise EvaluationFailure(f"{name} expects a time series (TS), got {shape(value)}")
    return value


def _expect_array(value: Value, name: str) -> tuple[Series, ...]:
    if not isinstance(value, tuple):
        raise EvaluationFailure(
            f"{name} expects an array of time series (TS[]), got {shape(value)}"
        )
    return value


def _expect_scalar(value: Value, name: str) -> float:
    if not isinstance(value, float):
        raise EvaluationFailure(f"{name} expects a scalar (S), got {shape(value)}")
    return value


def _expect_index(value: Value, name: str) -> int:
    number = _expect_scalar(value, name)
    if not (math.isfinite(number) and number.is_integer() and number >= 0):
        raise EvaluationFailure(f"{name} expects a non-negative whole number, got {number}")
    return int(number)


def _each_series(value: Value, name: str, fn: Callable[[Series], Series]) -> Value:
    """Apply a per-series function to TS or to each series of TS[]."""
    if isinstance(value, tuple):
        return tuple(fn(item) for item in value)
    return fn(_expect_series(value, name))


def _pointwise(name: str, fn: Callable[[float], float]) -> Callable[[Arguments], Value]:
    def apply_to(series: Series) -> Series:
        def safe(v: float) -> float | None:
            try:
                return fn(v)
            except (ArithmeticError, ValueError):
                return None

        return series.with_points(finite_points((t, safe(v)) for t, v in series.points()))

    return lambda args: _each_series(args.value(0), name, apply_to)


def _log(base: float | None) -> Callable[[float], float]:
    def log(v: float) -> float:
        if v <= 0:
            raise ValueError("log of a value <= 0")
        return math.log(v) if base is None else math.log(v, base) if base != 10 else math.log10(v)

    return log


# --------------------------------------------------------------------------------------------
# Aggregates


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values) if values else NAN


def _stddev(values: Sequence[float]) -> float:
    if not values:
        return NAN
    mean = math.fsum(values) / len(values)
    return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / len(values))


REDUCERS: dict[str, Callable[[Sequence[float]], float]] = {
    "SUM": lambda vs: math.fsum(vs) if vs else NAN,
    "AVG": _mean,
    "MIN": lambda vs: min(vs) if vs else NAN,
    "MAX": lambda vs: max(vs) if vs else NAN,
    "STDDEV": _stddev,
}


def _aggregate(name: str) -> Callable[[Arguments], Value]:
    reducer = REDUCERS[name]

    def apply(args: Arguments) -> Value:
        value = args.value(0)
        if isinstance(value, Series):
            return reducer(value.values)
        array = _expect_array(value, name)
        columns = [item.as_dict() for item in array]
        stamps = sorted(set().union(*columns)) if columns else []
        points = finite_points((t, reducer([c.get(t, 0.0) for c in columns])) for t in stamps)
        return series_of(points, "", array[0].period if array else None)

    return apply


def _datapoint_count(args: Arguments) -> Value:
    value = args.value(0)
    if isinstance(value, Series):
        return float(len(value))
    array = _expect_array(value, "DATAPOINT_COUNT")
    counts: dict[datetime, float] = {}
    for item in array:
        for stamp in item.timestamps:
            counts[stamp] = counts.get(stamp, 0.0) + 1.0
    return series_of(sorted(counts.items()), "", array[0].period if array else None)


def _metric_count(args: Arguments) -> Value:
    return float(len(_expect_array(args.value(0), "METRIC_COUNT")))


# --------------------------------------------------------------------------------------------
# Per-series transforms


def _diff(series: Series) -> Series:
    pairs = list(series.points())
    return series.with_points(finite_points((t, v - pv) for (_, pv), (t, v) in pairwise(pairs)))


def _diff_time(series: Series) -> Series:
    stamps = series.timestamps
    return series.with_points((t, (t - pt).total_seconds()) for pt, t in pairwise(stamps))


def _rate(series: Series) -> Series:
    pairs = list(series.points())
    return series.with_points(
        finite_points(
            (t, (v - pv) / (t - pt).total_seconds()) for (pt, pv), (t, v) in pairwise(pairs)
        )
    )


def _running_sum(series: Series) -> Series:
    total: list[float] = []
    points: list[tuple[datetime, float | None]] = []
    for stamp, value in series.points():
        total.append(value)
        points.append((stamp, math.fsum(total)))
    return series.with_points(finite_points(points))


def _per_series(name: str, fn: Callable[[Series], Series]) -> Callable[[Arguments], Value]:
    return lambda args: _each_series(args.value(0), name, fn)


def _grid_for(series: Series, context: EvaluationContext) -> list[datetime]:
    return period_grid(context.start, context.end, series.period or context.period)


def _fill(args: Arguments) -> Value:
    target = args.value(0)
    context = args.context
    how = args.word(1) if args.is_word(1) else None
    if how is not None and how not in ("REPEAT", "LINEAR"):
        raise EvaluationFailure(f"FILL expects a value, REPEAT or LINEAR, got '{how}'")
    filler = None if how is not None else args.value(1)
    if isinstance(filler, tuple):
        raise EvaluationFailure("FILL cannot fill with an array of time series")

    def fill(series: Series) -> Series:
        have = series.as_dict()
        stamps = list(series.timestamps)
        added: dict[datetime, float] = {}
        for slot in _grid_for(series, context):
            if slot in have:
                continue
            value = _fill_value(slot, stamps, series.values, how, filler)
            if value is not None and math.isfinite(value):
                added[slot] = value
        return series.with_points(sorted({**have, **added}.items()))

    return _each_series(target, "FILL", fill)


def _fill_value(
    slot: datetime,
    stamps: Sequence[datetime],
    values: Sequence[float],
    how: str | None,
    filler: float | Series | None,
) -> float | None:
    if isinstance(filler, Series):
        return filler.as_dict().get(slot)
    if isinstance(filler, float):
        return filler
    after = bisect_left(stamps, slot)
    if after == 0:
        return None
    before_t, before_v = stamps[after - 1], values[after - 1]
    if how == "REPEAT":
        return before_v
    if after == len(stamps):
        return None
    after_t, after_v = stamps[after], values[after]
    fraction = (slot - before_t) / (after_t - before_t)
    return before_v + (after_v - before_v) * fraction


def _time_function(name: str, of: Callable[[datetime], float]) -> Callable[[Arguments], Value]:
    def apply(args: Arguments) -> Value:
        series = _expect_series(args.value(0), name)
        grid = _grid_for(series, args.context)
        return series_of(((t, of(t)) for t in grid), "", series.period or args.context.period)

    return apply


def _time_series(args: Arguments) -> Value:
    value = _expect_scalar(args.value(0), "TIME_SERIES")
    context = args.context
    grid = period_grid(context.start, context.end, context.period)
    return series_of(finite_points((t, value) for t in grid), "", context.period)


# --------------------------------------------------------------------------------------------
# Arrays


def _first_or_last(index: int, name: str) -> Callable[[Arguments], Value]:
    def apply(args: Arguments) -> Value:
        array = _expect_array(args.value(0), name)
        return array[index] if array else Series((), ())

    return apply


def _remove_empty(args: Arguments) -> Value:
    return tuple(item for item in _expect_array(args.value(0), "REMOVE_EMPTY") if len(item))


def _sort(args: Arguments) -> Value:
    array = _expect_array(args.value(0), "SORT")
    by, order = args.word(1), args.word(2)
    if by not in ("AVG", "MIN", "MAX", "SUM"):
        raise EvaluationFailure(f"SORT expects AVG, MIN, MAX or SUM, got '{by}'")
    if order not in ("ASC", "DESC"):
        raise EvaluationFailure(f"SORT expects ASC or DESC, got '{order}'")
    reducer = REDUCERS[by]
    keyed = [(reducer(item.values), item) for item in array]
    with_value = [pair for pair in keyed if not math.isnan(pair[0])]
    without_value = [item for key, item in keyed if math.isnan(key)]
    with_value.sort(key=lambda pair: pair[0], reverse=order == "DESC")
    ordered = [item for _, item in with_value] + without_value
    if len(args) == 4:
        ordered = ordered[: _expect_index(args.value(3), "SORT")]
    return tuple(ordered)


def _slice(args: Arguments) -> Value:
    array = _expect_array(args.value(0), "SLICE")
    start = _expect_index(args.value(1), "SLICE")
    end = _expect_index(args.value(2), "SLICE") if len(args) == 3 else len(array)
    return array[start:end]


def _metrics(args: Arguments) -> Value:
    context = args.context
    needle = args.word(0) if len(args) else ""
    found: list[Series] = []
    for query_id in context.metric_ids():
        if needle in query_id:
            resolved = context.resolve(query_id)
            if isinstance(resolved, Series):
                found.append(resolved)
            elif resolved is not None:
                found.extend(resolved)
    return tuple(found)


# --------------------------------------------------------------------------------------------
# IF


def _if(args: Arguments) -> Value:
    condition = args.value(0)
    when_true = args.value(1)
    when_false = args.value(2) if len(args) == 3 else None
    if isinstance(condition, tuple):
        raise EvaluationFailure("IF expects a scalar or a time series condition, got TS[]")
    if isinstance(when_true, tuple) or isinstance(when_false, tuple):
        raise EvaluationFailure("IF branches must be scalars or time series, not TS[]")
    if isinstance(condition, float):
        if math.isnan(condition):
            return Series((), ())
        if condition != 0:
            return when_true
        return Series((), ()) if when_false is None else when_false
    true_points = when_true.as_dict() if isinstance(when_true, Series) else None
    false_points = when_false.as_dict() if isinstance(when_false, Series) else None
    points: list[tuple[datetime, float | None]] = []
    for stamp, flag in condition.points():
        chosen: float | Series | None
        if flag != 0:
            chosen = true_points.get(stamp, 0.0) if true_points is not None else when_true
        elif false_points is not None:
            chosen = false_points.get(stamp)
        else:
            chosen = when_false if isinstance(when_false, float) else None
        assert not isinstance(chosen, Series)
        points.append((stamp, chosen))
    return series_of(finite_points(points), "", condition.period)


def _period(args: Arguments) -> Value:
    query_id = args.reference(0)
    period = args.context.metric_period(query_id)
    if period is None:
        raise EvaluationFailure(
            f"PERIOD applies to metrics only, and '{query_id}' is not a metric query"
        )
    return float(period)


def _anomaly_detection_band(args: Arguments) -> Value:
    """ANOMALY_DETECTION_BAND(m, k): the lower and upper series of m's anomaly band.

    The band comes from the context's anomaly model (`anomaly_band`); a
    context without one (a `StaticContext`) cannot evaluate it.
    """
    query_id = args.reference(0)
    width = _expect_scalar(args.value(1), "ANOMALY_DETECTION_BAND") if len(args) > 1 else 2.0
    band: Callable[[str, float], Value] | None = getattr(args.context, "anomaly_band", None)
    if band is None:
        raise Unsupported(
            "ANOMALY_DETECTION_BAND needs an anomaly model, which this context does not have",
            param="Expression",
        )
    return band(query_id, width)


def _unsupported(name: str, reason: str) -> Callable[[Arguments], Value]:
    def apply(args: Arguments) -> Value:
        raise Unsupported(f"{name} is not simulated by awsmon: {reason}", param="Expression")

    return apply


FUNCTIONS: dict[str, Callable[[Arguments], Value]] = {
    "ABS": _pointwise("ABS", abs),
    "CEIL": _pointwise("CEIL", lambda v: float(math.ceil(v))),
    "FLOOR": _pointwise("FLOOR", lambda v: float(math.floor(v))),
    "LOG": _pointwise("LOG", _log(None)),
    "LOG10": _pointwise("LOG10", _log(10)),
    **{name: _aggregate(name) for name in REDUCERS},
    "DATAPOINT_COUNT": _datapoint_count,
    "METRIC_COUNT": _metric_count,
    "DIFF": _per_series("DIFF", _diff),
    "DIFF_TIME": _per_series("DIFF_TIME", _diff_time),
    "RATE": _per_series("RATE", _rate),
    "RUNNING_SUM": _per_series("RUNNING_SUM", _running_sum),
    "FILL": _fill,
    "FIRST": _first_or_last(0, "FIRST"),
    "LAST": _first_or_last(-1, "LAST"),
    "REMOVE_EMPTY": _remove_empty,
    "SORT": _sort,
    "SLICE": _slice,
    "METRICS": _metrics,
    "IF": _if,
    "TIME_SERIES": _time_series,
    "PERIOD": _period,
    "MINUTE": _time_function("MINUTE", lambda t: float(t.minute)),
    "HOUR": _time_function("HOUR", lambda t: float(t.hour)),
    "DAY": _time_function("DAY", lambda t: float(t.isoweekday())),
    "DATE": _time_function("DATE", lambda t: float(t.day)),
    "MONTH": _time_function("MONTH", lambda t: float(t.month)),
    "YEAR": _time_function("YEAR", lambda t: float(t.year)),
    "EPOCH": _time_function("EPOCH", lambda t: t.timestamp()),
    "ANOMALY_DETECTION_BAND": _anomaly_detection_band,
    "INSIGHT_RULE_METRIC": _unsupported(
        "INSIGHT_RULE_METRIC", "it reads Contributor Insights rules, which awsmon does not simulate"
    ),
    "SERVICE_QUOTA": _unsupported(
        "SERVICE_QUOTA", "it reads Service Quotas, which awsmon does not simulate"
    ),
    "LAMBDA": _unsupported("LAMBDA", "custom Lambda data sources are not simulated"),
    "DB_PERF_INSIGHTS": _unsupported(
        "DB_PERF_INSIGHTS", "it reads RDS Performance Insights, which awsmon does not simulate"
    ),
}
