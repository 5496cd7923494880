"""Tests of awsmon/cloudwatch/metrics/histogram.py and the rolled-up slots of the store."""

from __future__ import annotations

import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from awsmon.cloudwatch.metrics.aggregate import Aggregate
from awsmon.cloudwatch.metrics.histogram import (
    MAX_BUCKETS,
    MAX_SCALE,
    Histogram,
    HistogramColumns,
    decode,
    merge_histograms,
    relative_error_bound,
)
from awsmon.cloudwatch.metrics.statistics import parse_statistic
from awsmon.cloudwatch.metrics.store import SeriesStore

DAY = 86_400
NOW = 1_000 * DAY
HOUR_SLOT = NOW - 70 * DAY  # rolled up to one hour (on an hour boundary)
FIVE_SLOT = NOW - 20 * DAY  # rolled up to five minutes

positive = st.floats(1e-300, 1e300, allow_nan=False, allow_infinity=False)
latency = st.floats(0.001, 1e6, allow_nan=False).map(lambda v: round(v, 3))
pairs = st.lists(
    st.tuples(st.one_of(positive, st.just(0.0)), st.integers(1, 1000).map(float)),
    min_size=1,
    max_size=60,
)


def _bound(values: list[float]) -> float:
    """The documented relative error for a slot holding `values`."""
    kept = [v for v in values if v > 0]
    ratio = max(kept) / min(kept) if kept else 1.0
    return max(relative_error_bound(MAX_SCALE), math.log(ratio) / (MAX_BUCKETS - 2))


def _hour_of(values: list[float], order: random.Random | None = None) -> SeriesStore:
    """A store with `values` spread over the minutes of one hour 70 days old, rolled up."""
    writes = [(HOUR_SLOT + (i % 60) * 60, v) for i, v in enumerate(values)]
    if order is not None:
        order.shuffle(writes)
    store = SeriesStore()
    for slot, value in writes:
        store.add_value(slot, value)
    store.roll_up(NOW)
    return store


class TestHistogram:
    def test_powers_of_two_fall_on_bucket_bounds(self) -> None:
        """1, 2 and 4 are the upper bounds of their buckets (OpenTelemetry's layout)."""
        histogram = Histogram.of([(1.0, 1.0), (2.0, 1.0), (4.0, 1.0)])
        assert histogram.scale == MAX_SCALE and histogram.offset == -1
        assert len(histogram.counts) == (2 << MAX_SCALE) + 1

    def test_wide_ranges_reduce_the_scale(self) -> None:
        """Values a factor 2**9 apart keep 16 buckets per doubling (145), not 32 (289)."""
        histogram = Histogram.of([(1.0, 1.0), (512.0, 1.0)])
        assert histogram.scale == 4 and len(histogram.counts) <= MAX_BUCKETS

    def test_representatives_are_clamped_to_min_and_max(self) -> None:
        """A single bucket's stand-in lies within the slot's [Minimum, Maximum]."""
        histogram = Histogram.of([(10.0, 3.0), (10.01, 1.0)])
        values, counts = histogram.representatives(10.0, 10.01)
        assert all(10.0 <= v <= 10.01 for v in values) and sum(counts) == 4

    def test_columns_put_take_and_late_writes(self) -> None:
        """Slots arrive at the end, leave at the front, and may be rewritten in the middle."""
        columns = HistogramColumns()
        for slot in (300, 600, 900):
            columns.put(slot, Histogram.of([(float(slot), 1.0)]))
        columns.put(600, None)
        columns.put(450, Histogram.of([(1.0, 2.0), (3.0, 1.0)]))
        assert columns.get(600) == (True, None)
        found, histogram = columns.get(900)
        assert found and histogram is not None and histogram.total == 1.0
        taken = columns.take(0, 500)
        assert [slot for slot, _ in taken] == [300, 450]
        assert list(columns.times) == [600, 900] and columns.get(300) == (False, None)
        found, histogram = columns.get(900)
        assert histogram == Histogram.of([(900.0, 1.0)])


@given(pairs)
def test_bucket_count_never_over_the_bound(data: list[tuple[float, float]]) -> None:
    """Any values, however far apart, fit in MAX_BUCKETS buckets, and every count is kept."""
    histogram = Histogram.of(data)
    assert len(histogram.counts) <= MAX_BUCKETS
    assert histogram.total == math.fsum(c for _, c in data)
    encoded = bytearray()
    histogram.encode(encoded)
    assert decode(encoded, 0) == histogram


@given(pairs, st.randoms(use_true_random=False), st.integers(1, 5))
def test_merge_is_order_free(
    data: list[tuple[float, float]], rng: random.Random, parts: int
) -> None:
    """Merging histograms of any split of the data, in any order, gives the histogram of all."""
    split: list[list[tuple[float, float]]] = [[] for _ in range(parts)]
    for pair in data:
        split[rng.randrange(parts)].append(pair)
    histograms = [Histogram.of(chunk) for chunk in split if chunk]
    merged = merge_histograms(histograms)
    rng.shuffle(histograms)
    assert merge_histograms(histograms) == merged == Histogram.of(data)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.one_of(latency, st.just(0.0), st.floats(-100, 100)), min_size=1, max_size=90),
    st.randoms(use_true_random=False),
)
def test_statistic_set_is_exact_after_roll_up_in_any_order(
    values: list[float], rng: random.Random
) -> None:
    """SampleCount, Sum, Minimum and Maximum of a rolled-up hour do not depend on write order."""
    ordered, shuffled = _hour_of(values), _hour_of(values, rng)
    for store in (ordered, shuffled):
        store._check()
        assert list(store.times) == [HOUR_SLOT]
    columns = [(s.counts[0], s.sums[0], s.mins[0], s.maxs[0]) for s in (ordered, shuffled)]
    assert columns[0] == columns[1]
    count, total, low, high = columns[0]
    assert (count, low, high) == (len(values), min(values), max(values))
    assert math.isclose(total, math.fsum(values), rel_tol=1e-12, abs_tol=1e-9)
    assert ordered.aggregate(0, 1, raw=True) == shuffled.aggregate(0, 1, raw=True)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(latency, st.just(0.0)), min_size=1, max_size=120),
    st.sampled_from(["p0", "p1", "p10", "p50", "p90", "p99", "p99.9", "p100"]),
)
def test_percentile_of_a_rolled_slot_is_within_the_bound(values: list[float], name: str) -> None:
    """pNN of a rolled-up hour is within the documented relative error of the exact answer."""
    statistic = parse_statistic(name)
    exact = statistic.compute(Aggregate.of(values))
    got = statistic.compute(_hour_of(values).aggregate(0, 1, raw=True))
    assert exact is not None and got is not None
    assert abs(got - exact) <= _bound(values) * exact * (1 + 1e-9)


def test_five_minute_slots_and_the_hour_after_them() -> None:
    """Minutes roll into five-minute histograms after 15 days and those into hours after 63."""
    store = SeriesStore()
    for minute in range(60):
        store.add_value(FIVE_SLOT + minute * 60, float(minute + 1))
    store.roll_up(NOW)
    assert len(store) == 12 and len(store.coarse[300]) == 12
    store.roll_up(NOW + 50 * DAY)
    assert len(store) == 1 and len(store.coarse[300]) == 0 and len(store.coarse[3600]) == 1
    aggregate = store.aggregate(0, 1, raw=True)
    assert (aggregate.sample_count, aggregate.sum) == (60, 1830)
    median = parse_statistic("p50").compute(aggregate)
    assert median is not None and abs(median - 30) <= 30 * _bound([1.0, 60.0])
    store._check()


def test_negative_values_leave_no_percentiles() -> None:
    """AWS gives no percentile for a period with a negative value, rolled up or not."""
    store = _hour_of([5.0, -1.0, 7.0])
    aggregate = store.aggregate(0, 1, raw=True)
    assert aggregate.values is None and aggregate.minimum == -1.0
    assert parse_statistic("p50").compute(aggregate) is None


def test_statistic_sets_leave_no_percentiles_after_roll_up() -> None:
    """A statistic set that does not stand for values keeps only the statistic set."""
    store = SeriesStore()
    store.add_statistic_set(HOUR_SLOT, 4, 10.0, 1.0, 4.0)
    store.add_value(HOUR_SLOT + 60, 3.0)
    store.roll_up(NOW)
    aggregate = store.aggregate(0, 1, raw=True)
    assert (aggregate.sample_count, aggregate.sum, aggregate.values) == (5, 13.0, None)


def test_late_write_into_a_rolled_slot_merges_into_its_histogram() -> None:
    """A value written into an hour already rolled up keeps the statistic set exact."""
    store = _hour_of([1.0, 2.0, 3.0])
    store.add_values(HOUR_SLOT, {10.0: 2.0})
    store._check()
    aggregate = store.aggregate(0, 1, raw=True)
    assert (aggregate.sample_count, aggregate.sum, aggregate.maximum) == (5, 26.0, 10.0)
    assert parse_statistic("p100").compute(aggregate) == 10.0
