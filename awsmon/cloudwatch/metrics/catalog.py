"""The metrics of one account and region: what PutMetricData fills and everything else reads.

Main classes:

- `Metric`: a metric's key and its stored data, one `SeriesStore` per unit.
- `MetricCatalog`: every metric by key; stores datums and published points,
  answers lookups (`get`, `all`, `series`) and applies the retention schedule.

The catalog sits below the alarms: alarm evaluation, anomaly models and
GetMetricData read it; only the CloudWatch service writes to it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from itertools import groupby
from math import isfinite
from operator import itemgetter

from attrs import define, field

from awsmon.cloudwatch.errors import InvalidParameterValue
from awsmon.cloudwatch.metrics.ingest import Grouped
from awsmon.cloudwatch.metrics.model import MetricDatum, MetricKey, StandardUnit, StatisticSet
from awsmon.cloudwatch.metrics.store import SeriesStore, epoch_seconds

__all__ = ["Metric", "MetricCatalog"]


@define(eq=False)
class Metric:
    """A metric: its identity and its stored data, one `SeriesStore` per unit.

    Attributes:
        key: namespace, name and dimensions.
        series: the data of each unit (CloudWatch never mixes or converts units).
        last_put_at: when data was last put (ListMetrics shows metrics with data
            in the last two weeks).
    """

    key: MetricKey
    series: dict[StandardUnit, SeriesStore] = field(factory=dict)
    last_put_at: datetime | None = None

    def __repr__(self) -> str:
        key = self.key
        dimensions = ", ".join(f"{d.name}={d.value}" for d in key.dimensions)
        units = ", ".join(sorted(unit.value for unit in self.series)) or "no data"
        return f"<Metric {key.namespace} {key.name} ({dimensions}), unit {units}>"

    def store(self, unit: StandardUnit) -> SeriesStore:
        """The series of `unit`, created on first use."""
        found = self.series.get(unit)
        if found is None:
            found = self.series[unit] = SeriesStore()
        return found

    def series_of(self, unit: StandardUnit | None) -> SeriesStore | None:
        """The series a reader of `unit` sees: that unit's, or without a unit the
        only one, else the alphabetically first unit's (as GetMetricData and
        alarms read a metric put in several units)."""
        if unit is not None:
            return self.series.get(unit)
        if len(self.series) == 1:
            return next(iter(self.series.values()))
        if not self.series:
            return None
        return self.series[min(self.series, key=lambda each: each.value)]


class MetricCatalog:
    """Every metric of one account and region, by key (see the module)."""

    def __init__(self) -> None:
        self._metrics: dict[MetricKey, Metric] = {}

    def get(self, key: MetricKey) -> Metric | None:
        """The stored metric `key`, or None."""
        return self._metrics.get(key)

    def all(self) -> list[Metric]:
        """Every stored metric, in the order they were first put."""
        return list(self._metrics.values())

    def _metric(self, key: MetricKey) -> Metric:
        found = self._metrics.get(key)
        if found is None:
            found = self._metrics[key] = Metric(key)
        return found

    def put(self, datum: MetricDatum, now: datetime) -> None:
        """Store one checked datum (a value, a statistic set or values with counts).

        A datum without a timestamp is stamped `now`; the value lands in the
        slot of its storage resolution (1 or 60 seconds).
        """
        metric = self._metric(datum.key)
        metric.last_put_at = now
        series = metric.store(datum.unit)
        seconds = epoch_seconds(datum.timestamp or now)
        slot = seconds - seconds % datum.storage_resolution
        if datum.value is not None:
            series.add_value(slot, float(datum.value))
        elif datum.statistic_values is not None:
            stats = datum.statistic_values
            series.add_statistic_set(
                slot, stats.sample_count, stats.sum, stats.minimum, stats.maximum
            )
        else:
            counts = datum.counts or [1.0] * len(datum.values)
            merged: dict[float, float] = {}
            for value, count in zip(datum.values, counts, strict=True):
                merged[float(value)] = merged.get(float(value), 0.0) + float(count)
            series.add_values(slot, merged)

    def put_grouped(self, grouped: Grouped, now: datetime) -> None:
        """Store checked single values grouped by (key, unit, slot): one write per slot.

        The store is order-free, so a slot's values written at once answer as
        the same values written one by one.
        """
        for (key, unit, slot), values in grouped.items():
            metric = self._metric(key)
            metric.last_put_at = now
            _write(metric.store(unit), slot, values)

    def publish(
        self,
        key: MetricKey,
        points: Iterable[tuple[datetime, float]],
        *,
        unit: StandardUnit,
        storage_resolution: int,
        now: datetime,
    ) -> None:
        """Store (timestamp, value) points of a checked key, each value checked finite.

        Points are grouped by slot and each slot written once (the store is
        order-free, so this answers as writing them one by one). A run of
        points sharing one time (a metric filter's minute) finds its slot once,
        and its values are converted, checked and counted by C-level passes.

        Raises:
            InvalidParameterValue: a value is not finite (the points before it
                are stored, as each is a separate publication).
        """
        metric = self._metric(key)
        metric.last_put_at = now
        grouped: dict[int, dict[float, float]] = {}
        try:
            for when, run in groupby(points, _TIME):
                seconds = epoch_seconds(when)
                slot = seconds - seconds % storage_resolution
                values = grouped.get(slot)
                raw = list(map(_VALUE, run))
                try:
                    numbers = list(map(float, raw))
                except (TypeError, ValueError):
                    numbers = []  # the one by one count raises at the same value
                if values is None and len(numbers) == len(raw) and all(map(isfinite, numbers)):
                    counts = Counter(numbers)
                    grouped[slot] = dict(zip(counts, map(float, counts.values()), strict=True))
                    continue
                _count(grouped.setdefault(slot, {}) if values is None else values, raw)
        finally:
            series = metric.store(unit)
            for slot, values in grouped.items():
                _write(series, slot, values)

    def publish_statistics(
        self,
        key: MetricKey,
        at: datetime,
        stats: StatisticSet,
        *,
        unit: StandardUnit,
        storage_resolution: int,
        now: datetime,
    ) -> None:
        """Store one statistic set of a checked key at `at` (a service's vended metrics)."""
        metric = self._metric(key)
        metric.last_put_at = now
        seconds = epoch_seconds(at)
        metric.store(unit).add_statistic_set(
            seconds - seconds % storage_resolution,
            stats.sample_count,
            stats.sum,
            stats.minimum,
            stats.maximum,
        )

    def apply_retention(self, now: int) -> None:
        """Roll up and expire data as AWS's retention schedule does, at epoch second `now`."""
        for metric in self._metrics.values():
            for series in metric.series.values():
                series.roll_up(now)


_TIME = itemgetter(0)
_VALUE = itemgetter(1)


def _count(values: dict[float, float], raw: list[float]) -> None:
    """Count each of `raw` into `values` (value → times seen), one by one.

    Raises:
        InvalidParameterValue: a value is not finite (those before it are counted).
    """
    for value in raw:
        number = float(value)
        if not isfinite(number):
            raise InvalidParameterValue(
                f"The value {value} for parameter Value is invalid.", param="Value", value=value
            )
        values[number] = values.get(number, 0.0) + 1.0


def _write(series: SeriesStore, slot: int, values: dict[float, float]) -> None:
    """Add a slot's raw values (value → times seen) to `series` in one write."""
    if len(values) == 1:
        ((value, count),) = values.items()
        if count == 1.0:
            series.add_value(slot, value)
            return
    series.add_values(slot, values)
