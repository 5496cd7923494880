"""Tests of awsmon/cloudwatch/metrics/catalog.py: the metrics of one place, by key and unit."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon.cloudwatch.errors import InvalidParameterValue
from awsmon.cloudwatch.metrics.catalog import MetricCatalog, _write
from awsmon.cloudwatch.metrics.model import MetricDatum, MetricKey, StandardUnit, StatisticSet
from awsmon.cloudwatch.metrics.store import epoch_seconds

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
KEY = MetricKey.of("App", "Latency", {"Service": "api"})

points = st.lists(st.tuples(st.integers(0, 7200), st.integers(-1000, 1000).map(float)), max_size=40)


class TestPutAndRead:
    def test_datum_kinds_land_in_their_slot(self) -> None:
        """A value, a statistic set and values with counts add up in one slot of one unit."""
        catalog = MetricCatalog()
        when = T0 + timedelta(seconds=42)
        for datum in (
            MetricDatum(key=KEY, timestamp=when, value=1.0, unit=StandardUnit.MILLISECONDS),
            MetricDatum(
                key=KEY,
                timestamp=when,
                statistic_values=StatisticSet(sample_count=2, sum=10, minimum=4, maximum=6),
                unit=StandardUnit.MILLISECONDS,
            ),
            MetricDatum(
                key=KEY,
                timestamp=when,
                values=[3.0, 3.0, 9.0],
                counts=[1, 2, 1],
                unit=StandardUnit.MILLISECONDS,
            ),
        ):
            catalog.put(datum, T0)
        metric = catalog.get(KEY)
        assert metric is not None and metric.last_put_at == T0
        series = metric.series_of(StandardUnit.MILLISECONDS)
        assert series is not None
        slot = epoch_seconds(T0)
        assert series.summary(*next(iter(series.buckets(slot, slot + 60, 60)))[1:]) == (
            7.0,
            1.0 + 10.0 + 3.0 * 3 + 9.0,
            1.0,
            9.0,
        )

    def test_series_of_without_a_unit(self) -> None:
        """Without a unit a reader sees the only unit, else the alphabetically first."""
        catalog = MetricCatalog()
        catalog.publish(KEY, [(T0, 1.0)], unit=StandardUnit.SECONDS, storage_resolution=60, now=T0)
        metric = catalog.get(KEY)
        assert metric is not None
        assert metric.series_of(None) is metric.series[StandardUnit.SECONDS]
        catalog.publish(KEY, [(T0, 1.0)], unit=StandardUnit.BYTES, storage_resolution=60, now=T0)
        assert metric.series_of(None) is metric.series[StandardUnit.BYTES]
        assert metric.series_of(StandardUnit.COUNT) is None
        assert catalog.get(MetricKey.of("App", "Other")) is None

    def test_publish_refuses_a_value_that_is_not_finite(self) -> None:
        """A NaN or infinite value is InvalidParameterValue naming the value."""
        catalog = MetricCatalog()
        with pytest.raises(InvalidParameterValue, match="The value inf for parameter Value"):
            catalog.publish(
                KEY, [(T0, math.inf)], unit=StandardUnit.NONE, storage_resolution=60, now=T0
            )


class TestProperties:
    @given(points, st.sampled_from([1, 60]))
    def test_publish_agrees_with_a_naive_sum_per_slot(
        self, published: list[tuple[int, float]], resolution: int
    ) -> None:
        """Each slot of the catalog holds the count and sum of the points that fall in it."""
        catalog = MetricCatalog()
        start = epoch_seconds(T0)
        catalog.publish(
            KEY,
            [(T0 + timedelta(seconds=s), v) for s, v in published],
            unit=StandardUnit.NONE,
            storage_resolution=resolution,
            now=T0,
        )
        expected: dict[int, tuple[float, float]] = {}
        for offset, value in published:
            slot = (start + offset) - (start + offset) % resolution
            count, total = expected.get(slot, (0.0, 0.0))
            expected[slot] = (count + 1, total + value)
        metric = catalog.get(KEY)
        if not published:
            assert metric is not None and metric.series_of(None) is not None
            return
        assert metric is not None
        series = metric.series_of(None)
        assert series is not None
        series._check()
        found = {
            bucket: series.summary(low, high)[:2]
            for bucket, low, high in series.buckets(start, start + 7201, resolution)
        }
        assert found == expected

    @given(st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=12))
    def test_all_lists_each_metric_once_in_first_put_order(self, names: list[str]) -> None:
        """`all` holds every key put, once, in the order each was first put."""
        catalog = MetricCatalog()
        for name in names:
            catalog.put(MetricDatum(key=MetricKey.of("App", name), value=1.0), T0)
        assert [m.key.name for m in catalog.all()] == list(dict.fromkeys(names))


def _stored(catalog: MetricCatalog) -> object:
    """Everything the catalog's series of KEY holds (columns and raw values), comparable."""
    metric = catalog.get(KEY)
    if metric is None:
        return None
    series = metric.series_of(None)
    if series is None:
        return None
    columns = (series.times, series.counts, series.sums, series.mins, series.maxs)
    raw = {slot: sorted(mixed.items()) for slot, mixed in series.mixed.items()}
    return repr((columns, raw))


def _publish_point_by_point(
    catalog: MetricCatalog, pairs: list[tuple[datetime, object]], resolution: int
) -> None:
    """The plain loop `MetricCatalog.publish` replaced: each point converted, checked, counted."""
    catalog.publish(KEY, [], unit=StandardUnit.NONE, storage_resolution=resolution, now=T0)
    grouped: dict[int, dict[float, float]] = {}
    try:
        for when, value in pairs:
            number = float(value)  # type: ignore[arg-type]  # bad values raise, as they should
            if not math.isfinite(number):
                raise InvalidParameterValue(f"The value {value} for parameter Value is invalid.")
            seconds = epoch_seconds(when)
            values = grouped.setdefault(seconds - seconds % resolution, {})
            values[number] = values.get(number, 0.0) + 1.0
    finally:
        metric = catalog.get(KEY)
        assert metric is not None
        for slot, values in grouped.items():
            _write(metric.store(StandardUnit.NONE), slot, values)


class TestPublishRuns:
    @given(
        st.lists(
            st.tuples(
                st.integers(0, 3),
                st.one_of(
                    st.sampled_from([0.0, -0.0, 1.0, 1, 2.5, True]),
                    st.floats(-5, 5),
                    st.sampled_from([math.inf, math.nan, "3", "x", None]),
                ),
            ),
            max_size=30,
        ),
        st.sampled_from([1, 60]),
    )
    def test_runs_store_what_the_point_by_point_loop_stores(
        self, published: list[tuple[int, object]], resolution: int
    ) -> None:
        """Runs counted by C-level passes store what the plain loop stores, errors included."""
        minutes = [T0 + timedelta(seconds=30 * step) for step in range(4)]  # shared objects
        pairs = [(minutes[step], value) for step, value in published]
        whole, plain = MetricCatalog(), MetricCatalog()
        error: type[Exception] | None = None
        try:
            points: Any = pairs  # bad values on purpose
            whole.publish(
                KEY, points, unit=StandardUnit.NONE, storage_resolution=resolution, now=T0
            )
        except (InvalidParameterValue, TypeError, ValueError) as raised:
            error = type(raised)
        expected: type[Exception] | None = None
        try:
            _publish_point_by_point(plain, pairs, resolution)
        except (InvalidParameterValue, TypeError, ValueError) as raised:
            expected = type(raised)
        assert error is expected
        assert _stored(whole) == _stored(plain)
