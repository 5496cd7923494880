"""An alarm's evaluation window read from the metric store, and the fast state decision.

Main functions:

- `window_end`: the end (exclusive, epoch seconds) of the newest period an
  alarm looks at, at a given instant.
- `read_fast` / `read_window`: the R most recent period values of one metric
  series for a statistic: plain floats (fast), or `PeriodValue`s with their
  sample counts (what StateReasonData reports).
- `breach_test` and `quick_state`: the state `awsmon.cloudwatch.alarms.evaluation.evaluate`
  would return, computed on plain floats without building an `EvaluationResult`.
  The service decides every evaluation with `quick_state` and calls `evaluate`
  only when the state changes, to write the reason; the tests hold the two to
  the same answer on random windows.

Everything here is pure: the caller passes the store and the instant.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from awsmon.cloudwatch.alarms.model import (
    AlarmState,
    ComparisonOperator,
    EvaluationConfig,
    PeriodValue,
    TreatMissingData,
)
from awsmon.cloudwatch.metrics.statistics import Statistic, StatisticKind
from awsmon.cloudwatch.metrics.store import SeriesStore

__all__ = ["breach_test", "quick_state", "read_fast", "read_window", "window_end"]

_BASIC_COLUMNS = {
    StatisticKind.SAMPLE_COUNT: 0,
    StatisticKind.SUM: 1,
    StatisticKind.MINIMUM: 2,
    StatisticKind.MAXIMUM: 3,
    StatisticKind.AVERAGE: 4,
}


def window_end(now_seconds: int, period: int) -> int:
    """End of the newest period an alarm evaluates at epoch second `now_seconds`.

    Rounded down to the minute, or to a multiple of the period for periods
    under a minute, as `awsmon.cloudwatch.alarms.evaluation.window_timestamps` does.

    >>> window_end(125, 60), window_end(125, 10), window_end(125, 300)
    (120, 120, 120)
    """
    step = period if period < 60 else 60
    return now_seconds - now_seconds % step


def read_fast(
    series: SeriesStore | None, statistic: Statistic, start: int, period: int, size: int
) -> list[float | None]:
    """The statistic of each of `size` periods from `start`, None where no data.

    Basic statistics are read straight from the store's columns (summed in
    time order, exactly as `SeriesStore.summary` does); extended ones from the
    raw values (None when the period has none, as CloudWatch gives).
    """
    values: list[float | None] = [None] * size
    if series is None or not len(series):
        return values
    column = _BASIC_COLUMNS.get(statistic.kind)
    if column is None:
        for bucket, low, high in series.buckets(start, start + size * period, period):
            aggregate = series.aggregate(low, high, raw=True)
            values[(bucket - start) // period] = statistic.compute(aggregate)
        return values
    first, last = series.window(start, start + size * period)
    if first == last:
        return values
    times = series.times
    if column == 4:  # Average: sum / count per period
        totals = [0.0] * size
        counts = [0.0] * size
        sums, numbers = series.sums, series.counts
        for i in range(first, last):
            index = (times[i] - start) // period
            totals[index] += sums[i]
            counts[index] += numbers[i]
        for index in range(size):
            if counts[index]:
                values[index] = totals[index] / counts[index]
        return values
    data = (series.counts, series.sums, series.mins, series.maxs)[column]
    for i in range(first, last):
        index = (times[i] - start) // period
        seen = values[index]
        value = data[i]
        if seen is None:
            values[index] = value
        elif column == 2:
            values[index] = min(seen, value)
        elif column == 3:
            values[index] = max(seen, value)
        else:
            values[index] = seen + value
    return values


def read_window(
    series: SeriesStore | None, statistic: Statistic, start: int, period: int, size: int
) -> list[PeriodValue | None]:
    """Like `read_fast`, with each period's sample count (for StateReasonData)."""
    values: list[PeriodValue | None] = [None] * size
    if series is None or not len(series):
        return values
    for bucket, low, high in series.buckets(start, start + size * period, period):
        aggregate = series.aggregate(low, high, raw=statistic.is_extended)
        value = statistic.compute(aggregate)
        if value is not None:
            values[(bucket - start) // period] = PeriodValue(
                value, sample_count=aggregate.sample_count
            )
    return values


def breach_test(config: EvaluationConfig) -> Callable[[float], bool]:
    """A one-argument test "does this value breach?" for a static-threshold alarm.

    Raises:
        ValueError: the alarm compares with an anomaly band.
    """
    threshold = config.threshold
    operator = config.comparison_operator
    if operator.is_band or threshold is None:
        raise ValueError(f"{operator.value} compares with a band, not a threshold")
    if operator is ComparisonOperator.GREATER_THAN_THRESHOLD:
        return threshold.__lt__
    if operator is ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD:
        return threshold.__le__
    if operator is ComparisonOperator.LESS_THAN_THRESHOLD:
        return threshold.__gt__
    return threshold.__ge__


_ALL_MISSING = {
    TreatMissingData.MISSING: AlarmState.INSUFFICIENT_DATA,
    TreatMissingData.BREACHING: AlarmState.ALARM,
    TreatMissingData.NOT_BREACHING: AlarmState.OK,
}


def quick_state(
    breaches: Callable[[float], bool],
    n: int,
    m: int,
    treat: TreatMissingData,
    values: Sequence[float | None],
    current: AlarmState,
) -> AlarmState:
    """The state `evaluate` decides for a window of plain values (None = missing).

    Args:
        breaches: the alarm's `breach_test`.
        n: EvaluationPeriods.
        m: DatapointsToAlarm (N when not set).
        treat: the effective TreatMissingData.
        values: the R most recent period values, oldest first (exactly R of them).
        current: the alarm's state before the evaluation.

    >>> quick_state((50.0).__lt__, 3, 3, TreatMissingData.MISSING, [None, None, 60.0, None, None],
    ...             AlarmState.OK)
    <AlarmState.ALARM: 'ALARM'>
    """
    real = [i for i, v in enumerate(values) if v is not None]
    k = len(real)
    if k >= n:
        count = 0
        for i in real[k - n :]:
            value = values[i]
            if value is not None and breaches(value):
                count += 1
        return AlarmState.ALARM if count >= m else AlarmState.OK
    if k == 0:
        return current if treat is TreatMissingData.IGNORE else _ALL_MISSING[treat]
    breaching = 0
    for i in real:
        value = values[i]
        if value is not None and breaches(value):
            breaching += 1
    if treat is TreatMissingData.BREACHING:
        return AlarmState.ALARM if breaching + (n - k) >= m else AlarmState.OK
    if breaching >= m:
        return AlarmState.ALARM
    if treat is TreatMissingData.NOT_BREACHING or breaching < k:
        return AlarmState.OK
    # missing / ignore: every real datapoint breaches, fewer than M of them.
    if treat is TreatMissingData.IGNORE:
        return current
    missing = [i for i, v in enumerate(values) if v is None]
    filled = missing[len(missing) - (n - k) :]
    oldest = real[0]
    age = n - sum(1 for i in filled if i < oldest)
    return AlarmState.ALARM if age >= m else AlarmState.INSUFFICIENT_DATA
