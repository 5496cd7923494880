"""Tests of awsmon/cloudwatch/metrics/store.py: the columnar series store and AWS's retention."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from awsmon.cloudwatch.metrics.histogram import MAX_BUCKETS, MAX_SCALE, relative_error_bound
from awsmon.cloudwatch.metrics.statistics import parse_statistic
from awsmon.cloudwatch.metrics.store import (
    SeriesStore,
    align_start,
    epoch_seconds,
    period_allowed,
)

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
DAY = 86_400

values = st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 3))
slots = st.integers(0, 3600)
writes = st.lists(
    st.one_of(
        st.tuples(st.just("value"), slots, values),
        st.tuples(
            st.just("values"),
            slots,
            st.dictionaries(values, st.integers(1, 5), min_size=1, max_size=4),
        ),
        st.tuples(st.just("set"), slots, st.tuples(st.integers(1, 10), values, values)),
    ),
    max_size=60,
)


def _apply(store: SeriesStore, write: tuple[object, ...]) -> None:
    kind, slot, payload = write
    assert isinstance(slot, int)
    if kind == "value":
        store.add_value(slot, payload)  # type: ignore[arg-type]
    elif kind == "values":
        store.add_values(slot, payload)  # type: ignore[arg-type]
    else:
        count, a, b = payload  # type: ignore[misc]
        low, high = min(a, b), max(a, b)
        store.add_statistic_set(slot, count, (low + high) / 2 * count, low, high)


def _summary(store: SeriesStore, period: int = 60) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for bucket, first, last in store.buckets(0, 10_000, period):
        agg = store.aggregate(first, last, raw=True)
        rows.append(
            (bucket, agg.sample_count, agg.sum, agg.minimum, agg.maximum, agg.values, agg.counts)
        )
    return rows


class TestWrites:
    def test_in_order_values_are_appended_and_aggregated(self) -> None:
        """Values 2, 4, 5 in one minute give SampleCount 3, Sum 11, Min 2, Max 5 (AWS's example)."""
        store = SeriesStore()
        for value in (2.0, 4.0, 5.0):
            store.add_value(60, value)
        agg = store.aggregate(0, 1, raw=True)
        assert (agg.sample_count, agg.sum, agg.minimum, agg.maximum) == (3, 11, 2, 5)
        assert agg.average == 3.6666666666666665
        assert agg.values == (2.0, 4.0, 5.0) and agg.counts == (1.0, 1.0, 1.0)
        store._check()

    def test_repeated_value_stays_compact(self) -> None:
        """The same value seen many times needs no raw-value entry."""
        store = SeriesStore()
        for _ in range(5):
            store.add_value(0, 7.0)
        assert store.mixed == {} and store.counts[0] == 5.0 and store.sums[0] == 35.0
        assert store.aggregate(0, 1, raw=True).values == (7.0,)

    def test_statistic_sets_without_values_hide_percentiles(self) -> None:
        """A statistic set that does not stand for values leaves the period without raw values."""
        store = SeriesStore()
        store.add_statistic_set(0, 3, 9, 1, 5)
        store.add_value(0, 3.0)
        agg = store.aggregate(0, 1, raw=True)
        assert (agg.sample_count, agg.sum, agg.minimum, agg.maximum) == (4, 12, 1, 5)
        assert not agg.has_raw_values

    def test_statistic_set_standing_for_values_keeps_them(self) -> None:
        """Min = Max and Sum = Min × SampleCount is stored as that value, SampleCount times."""
        store = SeriesStore()
        store.add_statistic_set(0, 4, 8, 2, 2)
        agg = store.aggregate(0, 1, raw=True)
        assert agg.values == (2.0,) and agg.counts == (4.0,)

    def test_out_of_order_insert(self) -> None:
        """Slots written out of time order end up sorted."""
        store = SeriesStore()
        for slot in (300, 60, 180, 60, 0):
            store.add_value(slot, float(slot))
        assert list(store.times) == [0, 60, 180, 300]
        store._check()


class TestReads:
    def test_buckets_follow_the_period_from_start(self) -> None:
        """Buckets start at start + k × period and skip empty periods."""
        store = SeriesStore()
        for minute in (0, 1, 2, 7, 8):
            store.add_value(minute * 60, 1.0)
        assert [(b, last - first) for b, first, last in store.buckets(0, 600, 300)] == [
            (0, 3),
            (300, 2),
        ]
        assert [b for b, _, _ in store.buckets(120, 480, 120)] == [120, 360]


class TestRetention:
    def test_schedule(self) -> None:
        """Sub-minute data becomes minutes after 3 h, 5 minutes after 15 d, hours after 63 d, and
        is gone after 455 d; totals are kept at every step."""
        store = SeriesStore()
        start = epoch_seconds(NOW) - 500 * DAY
        for second in range(0, 500 * DAY, 1800):
            store.add_value(start + second, 1.0)
        store.add_value(epoch_seconds(NOW) - 100, 2.0)
        store.add_value(epoch_seconds(NOW) - 95, 3.0)
        total_before = math.fsum(store.counts)
        now = epoch_seconds(NOW)
        store.roll_up(now)
        store._check()
        times = list(store.times)
        assert times[0] >= now - 455 * DAY
        assert all(t % 3600 == 0 for t in times if t < now - 63 * DAY)
        assert all(t % 300 == 0 for t in times if t < now - 15 * DAY)
        assert times[-2:] == [now - 100, now - 95]
        dropped = sum(1 for s in range(0, 500 * DAY, 1800) if start + s < now - 455 * DAY)
        assert math.fsum(store.counts) == total_before - dropped
        later = now + 4 * 3600
        store.roll_up(later)
        minute = (now - 100) - (now - 100) % 60
        assert now - 100 not in store.times and now - 95 not in store.times
        assert store.times[-1] == minute and store.counts[-1] == 2.0 and store.sums[-1] == 5.0

    def test_rolled_slots_keep_raw_values(self) -> None:
        """Percentiles still work on rolled-up data: an hour of values 0..59 keeps its exact
        statistic set and a histogram whose percentiles are within the documented error."""
        store = SeriesStore()
        now = epoch_seconds(NOW)
        base = now - 70 * DAY
        base -= base % 3600
        for minute in range(60):
            store.add_value(base + minute * 60, float(minute))
        store.roll_up(now)
        assert list(store.times) == [base]
        agg = store.aggregate(0, 1, raw=True)
        assert (agg.sample_count, agg.sum, agg.minimum, agg.maximum) == (60, 1770, 0, 59)
        assert agg.values is not None and agg.counts is not None and sum(agg.counts) == 60
        bound = max(relative_error_bound(MAX_SCALE), math.log(59) / (MAX_BUCKETS - 2))
        for percent in (1, 10, 50, 90, 99, 100):
            exact = float(math.ceil(percent * 60 / 100) - 1)
            got = parse_statistic(f"p{percent}").compute(agg)
            assert got is not None and abs(got - exact) <= bound * exact
        store._check()


class TestQueryRules:
    def test_align_start(self) -> None:
        """StartTime rounds down to the minute, 5 minutes or hour by age; sub-minute periods to
        the period (AWS's examples)."""
        start = datetime(2024, 6, 1, 12, 32, 34, tzinfo=UTC)
        assert align_start(start + timedelta(days=1), start, 60).minute == 32
        assert align_start(start + timedelta(days=20), start, 300).minute == 30
        assert align_start(start + timedelta(days=70), start, 3600).minute == 0
        assert align_start(NOW, datetime(2024, 6, 1, 1, 5, 13, tzinfo=UTC), 10).second == 10
        assert align_start(NOW, datetime(2024, 6, 1, 15, 2, 17, tzinfo=UTC), 5).second == 15

    def test_period_allowed(self) -> None:
        """Old data needs coarse periods; otherwise nothing is returned."""
        assert period_allowed(NOW, NOW - timedelta(hours=2), 1)
        assert not period_allowed(NOW, NOW - timedelta(hours=4), 10)
        assert period_allowed(NOW, NOW - timedelta(days=14), 60)
        assert not period_allowed(NOW, NOW - timedelta(days=20), 60)
        assert period_allowed(NOW, NOW - timedelta(days=20), 600)
        assert not period_allowed(NOW, NOW - timedelta(days=64), 300)
        assert period_allowed(NOW, NOW - timedelta(days=64), 7200)


# -- properties -----------------------------------------------------------------------


@given(writes, st.randoms(use_true_random=False))
def test_aggregation_is_order_free(
    operations: list[tuple[object, ...]], rng: random.Random
) -> None:
    """The same writes in any order give exactly the same stored answers."""
    ordered, shuffled = SeriesStore(), SeriesStore()
    for write in operations:
        _apply(ordered, write)
    mixed = list(operations)
    rng.shuffle(mixed)
    for write in mixed:
        _apply(shuffled, write)
    ordered._check()
    shuffled._check()
    assert _summary(ordered) == _summary(shuffled)


@given(st.lists(st.tuples(slots, values), max_size=80), st.sampled_from([1, 10, 60, 300]))
def test_buckets_agree_with_a_naive_oracle(points: list[tuple[int, float]], period: int) -> None:
    """Per-period count, sum, min and max equal a plain computation over the raw points."""
    store = SeriesStore()
    for slot, value in points:
        store.add_value(slot, value)
    expected: dict[int, list[float]] = {}
    for slot, value in points:
        expected.setdefault(slot - slot % period, []).append(value)
    got = {b: store.aggregate(f, last, raw=True) for b, f, last in store.buckets(0, 4000, period)}
    assert sorted(got) == sorted(expected)
    for bucket, samples in expected.items():
        agg = got[bucket]
        assert agg.sample_count == len(samples)
        assert agg.minimum == min(samples) and agg.maximum == max(samples)
        assert math.isclose(agg.sum, math.fsum(samples), rel_tol=1e-9, abs_tol=1e-6)
        assert agg.values == tuple(sorted(set(samples)))


@given(writes, st.integers(0, 600 * DAY))
def test_roll_up_keeps_invariants_and_totals(
    operations: list[tuple[object, ...]], age: int
) -> None:
    """After any roll-up the store is consistent and keeps every sample not yet expired."""
    store = SeriesStore()
    for write in operations:
        _apply(store, write)
    store._check()  # settles pending counts before the columns are read directly
    total = math.fsum(store.counts)
    now = 3600 + age
    store.roll_up(now)
    store._check()
    if age < 455 * DAY - 3600:
        assert math.isclose(math.fsum(store.counts), total)


@given(st.lists(st.tuples(slots, values), min_size=1, max_size=60), st.sampled_from([60, 300]))
def test_summaries_agree_with_buckets_and_follow_writes(
    points: list[tuple[int, float]], period: int
) -> None:
    """`summaries` is `buckets` + `summary` in one pass, and a write is seen at once."""
    store = SeriesStore()
    for slot, value in points[:-1]:
        store.add_value(slot, value)
    for _ in range(2):
        expected = tuple(
            (bucket, first, last, *store.summary(first, last))
            for bucket, first, last in store.buckets(0, 4000, period)
        )
        assert store.summaries(0, 4000, period).rows() == expected
        store.add_value(*points[-1])
