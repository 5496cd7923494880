"""GetMetricStatistics' answer, and building it from a series' period summaries.

- `Datapoint`, `MetricStatistics`: the answer's records (re-exported by
  `awsmon.cloudwatch.service`).
- `datapoints_of`: one unit's datapoints, built column by column from
  `SeriesStore.summaries` (every period's statistic set at once), timestamps
  converted at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from itertools import repeat

from attrs import frozen

from awsmon.cloudwatch.metrics.model import StandardUnit
from awsmon.cloudwatch.metrics.statistics import Statistic
from awsmon.cloudwatch.metrics.store import SeriesStore, from_epochs

__all__ = ["Datapoint", "MetricStatistics", "datapoints_of"]


@frozen
class Datapoint:
    """One period of GetMetricStatistics: its start, unit and the statistics asked for.

    Fields may be given by position, in this order (GetMetricStatistics builds
    its datapoints so), or by name.
    """

    timestamp: datetime
    unit: StandardUnit
    statistics: Mapping[str, float]
    extended_statistics: Mapping[str, float]


@frozen
class MetricStatistics:
    """GetMetricStatistics' answer: the label (the metric name) and the datapoints."""

    label: str
    datapoints: tuple[Datapoint, ...]


def datapoints_of(
    series: SeriesStore,
    unit: StandardUnit,
    first: int,
    last: int,
    period: int,
    wanted: Sequence[Statistic],
) -> list[Datapoint]:
    """GetMetricStatistics' datapoints of one unit's series, built column by column."""
    found = series.summaries(first, last, period)
    if not found:
        return []
    names = [s.name for s in wanted if not s.is_extended]
    statistics = _statistic_dicts(names, [found.column(name) for name in names], len(found))
    extended: list[dict[str, float]] = [{} for _ in found.buckets]
    extended_wanted = [s for s in wanted if s.is_extended]
    if extended_wanted:
        for index, (low, high) in enumerate(zip(found.firsts, found.lasts, strict=True)):
            aggregate = series.aggregate(low, high, raw=True)
            for statistic in extended_wanted:
                value = statistic.compute(aggregate)
                if value is not None:
                    extended[index][statistic.name] = value
    return list(map(Datapoint, from_epochs(found.buckets), repeat(unit), statistics, extended))


def _statistic_dicts(
    names: Sequence[str], columns: Sequence[Sequence[float]], size: int
) -> list[dict[str, float]]:
    """One {statistic: value} dict per period, from a column per statistic.

    A dict display per common arity (all five statistics, or one) builds the
    dicts about twice as fast as ``dict(zip(names, row))``.
    """
    if len(names) == 5:
        a, b, c, d, e = names
        return [{a: v, b: w, c: x, d: y, e: z} for v, w, x, y, z in zip(*columns, strict=True)]
    if len(names) == 1:
        (a,) = names
        return [{a: v} for v in columns[0]]
    if not names:
        return [{} for _ in range(size)]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
