"""Time series values for metric math, and the context an expression is evaluated in.

Main classes:

- `Series`: one time series (CloudWatch's **TS**): timestamps aligned to a
  period, one value each, a label and the period. Missing data is an absent
  timestamp; series are sparse.
- `EvaluationContext`: the `Protocol` a caller implements to evaluate a
  `MetricExpression` (the stateful CloudWatch service for GetMetricData and
  math alarms): it resolves query ids, lists the MetricStat queries for
  ``METRICS()``, runs ``SEARCH`` queries and gives the query's period and
  time range.
- `StaticContext`: a ready-made context over fixed series, for tests,
  notebooks and anything that already has its data in hand.
- `SearchableMetric`: one catalogue entry of a `StaticContext` for SEARCH.

This module is pure: it holds values only, and never reads a clock.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from attrs import Factory, field, frozen

if TYPE_CHECKING:
    from awsmon.cloudwatch.math.search import SearchQuery

__all__ = [
    "EvaluationContext",
    "SearchableMetric",
    "Series",
    "StaticContext",
    "period_grid",
]


def _utc(moment: datetime) -> datetime:
    """An aware UTC datetime; a naive one is taken as UTC, as botocore does."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _timestamps(moments: Iterable[datetime]) -> tuple[datetime, ...]:
    return tuple(_utc(m) for m in moments)


def _floats(values: Iterable[float]) -> tuple[float, ...]:
    return tuple(float(v) for v in values)


@frozen
class Series:
    """One time series: ascending timestamps with one finite value each.

    Attributes:
        timestamps: strictly ascending, timezone-aware UTC datetimes (naive
            ones are taken as UTC), each the start of its period.
        values: the value at each timestamp (finite floats).
        label: the series label (for a metric, its label or metric name).
        period: the period of the data in seconds, when known; functions that
            build non-sparse series (FILL, TIME_SERIES, HOUR ...) use it.

    >>> t0 = datetime(2024, 1, 1, tzinfo=UTC)
    >>> Series([t0, t0 + timedelta(minutes=1)], [1, 2], label="m").values
    (1.0, 2.0)
    """

    timestamps: tuple[datetime, ...] = field(converter=_timestamps)
    values: tuple[float, ...] = field(converter=_floats)
    label: str = ""
    period: int | None = None

    def __attrs_post_init__(self) -> None:
        if len(self.timestamps) != len(self.values):
            raise ValueError(
                f"a series needs one value per timestamp: {len(self.timestamps)} timestamps, "
                f"{len(self.values)} values"
            )
        for before, after in zip(self.timestamps, self.timestamps[1:], strict=False):
            if not before < after:
                raise ValueError(
                    f"series timestamps must be strictly ascending: {after} after {before}"
                )
        for value in self.values:
            if not math.isfinite(value):
                raise ValueError(f"series values must be finite, got {value}")

    @classmethod
    def from_points(
        cls,
        points: Mapping[datetime, float] | Iterable[tuple[datetime, float]],
        *,
        label: str = "",
        period: int | None = None,
    ) -> Series:
        """A series from (timestamp, value) pairs in any order (timestamps must be distinct)."""
        pairs = sorted(points.items() if isinstance(points, Mapping) else points)
        return cls([t for t, _ in pairs], [v for _, v in pairs], label, period)

    def points(self) -> Iterator[tuple[datetime, float]]:
        """The (timestamp, value) pairs in time order."""
        return zip(self.timestamps, self.values, strict=True)

    def as_dict(self) -> dict[datetime, float]:
        """The series as a timestamp → value mapping."""
        return dict(self.points())

    def with_points(self, points: Iterable[tuple[datetime, float]]) -> Series:
        """A series with the same label and period and these (sorted, distinct) points."""
        pairs = list(points)
        return Series([t for t, _ in pairs], [v for _, v in pairs], self.label, self.period)

    def __len__(self) -> int:
        return len(self.values)


def period_grid(start: datetime, end: datetime, period: int) -> list[datetime]:
    """Every period start from `start` (inclusive) to `end` (exclusive).

    This is the set of timestamps GetMetricData can return for a query with
    that period; non-sparse metric-math results (FILL, TIME_SERIES, the time
    functions) have a point at each of them.
    """
    if period <= 0:
        raise ValueError(f"period must be positive, got {period}")
    step = timedelta(seconds=period)
    moment, stop = _utc(start), _utc(end)
    grid: list[datetime] = []
    while moment < stop:
        grid.append(moment)
        moment += step
    return grid


class EvaluationContext(Protocol):
    """What a metric-math expression needs from the request it is evaluated in.

    The CloudWatch service implements this for GetMetricData (one context per
    call) and for math alarms (one per evaluation); `StaticContext` is a
    simple implementation over fixed data.
    """

    @property
    def start(self) -> datetime:
        """Start of the query range (inclusive), already aligned to the period."""
        ...

    @property
    def end(self) -> datetime:
        """End of the query range (exclusive)."""
        ...

    @property
    def period(self) -> int:
        """The period in seconds used for results that have no period of their own."""
        ...

    def resolve(self, query_id: str) -> Series | Sequence[Series] | None:
        """The result of the query with this id (a metric or another expression), or None.

        The context evaluates referenced expressions itself (and detects cycles).
        """
        ...

    def metric_ids(self) -> Sequence[str]:
        """Ids of the MetricStat queries of the request, in request order (for METRICS())."""
        ...

    def metric_period(self, query_id: str) -> int | None:
        """The period of MetricStat query `query_id`; None when it is not a metric query."""
        ...

    def search(self, query: SearchQuery) -> Sequence[Series]:
        """One series per metric that `query` matches (see `SearchQuery.matches`)."""
        ...


@frozen
class SearchableMetric:
    """A metric a `StaticContext` can find with SEARCH, with the series to return for it."""

    namespace: str
    metric_name: str
    dimensions: Mapping[str, str]
    series: Series


@frozen(kw_only=True)
class StaticContext:
    """An `EvaluationContext` over series given up front.

    Attributes:
        start: start of the query range.
        end: end of the query range (exclusive).
        period: default period in seconds.
        data: query id → its series (a Series, or a sequence for array results).
        metric_query_ids: the ids that are MetricStat queries, in request
            order; by default every id of `data` whose value is one Series.
        catalogue: metrics SEARCH may find; each match returns its series as is
            (the statistic and period of the search are not re-applied).
    """

    start: datetime = field(converter=_utc)
    end: datetime = field(converter=_utc)
    period: int = 60
    data: Mapping[str, Series | Sequence[Series]] = Factory(dict)
    metric_query_ids: Sequence[str] | None = None
    catalogue: Sequence[SearchableMetric] = ()

    def resolve(self, query_id: str) -> Series | Sequence[Series] | None:
        """The series stored for `query_id`."""
        return self.data.get(query_id)

    def metric_ids(self) -> Sequence[str]:
        """The MetricStat query ids."""
        if self.metric_query_ids is not None:
            return self.metric_query_ids
        return [key for key, value in self.data.items() if isinstance(value, Series)]

    def metric_period(self, query_id: str) -> int | None:
        """The period of a metric query: its series' period, else the context's."""
        if query_id not in self.metric_ids():
            return None
        value = self.data.get(query_id)
        if isinstance(value, Series) and value.period is not None:
            return value.period
        return self.period

    def search(self, query: SearchQuery) -> Sequence[Series]:
        """The catalogue entries the query matches, in catalogue order."""
        return [
            entry.series
            for entry in self.catalogue
            if query.matches(entry.namespace, entry.metric_name, entry.dimensions)
        ]
