"""Tests of awsmon/cloudwatch/metrics/periods.py: every period's statistic set in one pass.

Both engines (the plain ``map`` engine and numpy) must give, bit for bit, what
the naive per-period loop (`summarize_plain`, the store's `buckets` + `summary`)
gives, on stores written with single values, values with counts, statistic
sets, signed zeros, high-resolution slots and rolled-up data.
"""

from __future__ import annotations

import random
import struct
from array import array
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awsmon.cloudwatch.metrics import periods
from awsmon.cloudwatch.metrics.periods import (
    PeriodSummaries,
    summarize,
    summarize_columns,
    summarize_numpy,
    summarize_plain,
)
from awsmon.cloudwatch.metrics.store import SeriesStore

DAY = 86_400

# Values with many fraction bits (so that the order of additions shows), and signed zeros.
values = st.one_of(
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 0.1, 1e-300, 3.0]),
)
slots = st.integers(0, 20_000)
write = st.one_of(
    st.tuples(st.just("value"), slots, values),
    st.tuples(
        st.just("values"),
        slots,
        st.dictionaries(values, st.sampled_from([1.0, 2.0, 0.5, 3.25]), min_size=1, max_size=3),
    ),
    st.tuples(st.just("set"), slots, st.tuples(st.sampled_from([1.0, 2.5, 7.0]), values, values)),
    st.tuples(st.just("run"), slots, st.lists(values, min_size=1, max_size=300)),
)


def _apply(store: SeriesStore, operation: tuple[Any, ...]) -> None:
    kind, slot, payload = operation
    if kind == "value":
        store.add_value(slot, payload)
    elif kind == "values":
        store.add_values(slot, payload)
    elif kind == "set":
        count, a, b = payload
        low, high = min(a, b), max(a, b)
        store.add_statistic_set(slot, count, (low + high) / 2 * count, low, high)
    else:  # a run of one value a second, high-resolution style
        for offset, value in enumerate(payload):
            store.add_value(slot + offset, value)


def _bits(found: PeriodSummaries) -> tuple[object, ...]:
    """The summaries with every float as its bit pattern (so -0.0 differs from 0.0)."""

    def pack(column: list[float]) -> list[bytes]:
        return [struct.pack("<d", number) for number in column]

    return (
        found.buckets,
        found.firsts,
        found.lasts,
        pack(found.counts),
        pack(found.sums),
        pack(found.mins),
        pack(found.maxs),
    )


def _columns(store: SeriesStore) -> periods.Columns:
    return store.times, store.counts, store.sums, store.mins, store.maxs


@settings(max_examples=150)
@given(
    st.lists(write, min_size=1, max_size=20),
    st.integers(0, 700 * DAY),
    st.integers(-5_000, 20_000),
    st.integers(1, 30_000),
    st.sampled_from([1, 10, 60, 300, 3600, 7, 86_400]),
)
def test_engines_agree_bit_for_bit_with_the_per_period_loop(
    operations: list[tuple[Any, ...]], age: int, start: int, span: int, period: int
) -> None:
    """The plain and numpy engines give the naive loop's numbers, bit for bit."""
    store = SeriesStore()
    for operation in operations:
        _apply(store, operation)
    store.roll_up(20_000 + age)
    first, stop = store.window(start, start + span)
    columns = _columns(store)
    expected = _bits(summarize_plain(columns, first, stop, start, period))
    assert _bits(summarize_columns(columns, first, stop, start, period)) == expected
    fast = summarize_numpy(columns, first, stop, start, period)
    if fast is not None:
        assert _bits(fast) == expected
    assert _bits(summarize(columns, first, stop, start, period)) == expected
    assert _bits(store.summaries(start, start + span, period)) == expected


@pytest.mark.skipif(periods._numpy() is None, reason="numpy is not installed")
@settings(max_examples=60)
@given(
    st.integers(0, 2**32),
    st.integers(300, 900),
    st.sampled_from([1, 3, 60, 61, 97]),
    st.integers(0, 3),
)
def test_the_numpy_engine_answers_long_windows_exactly(
    seed: int, size: int, period: int, gap_every: int
) -> None:
    """Long windows, regular or with gaps, sum in ``sum``'s order (random data shows the order)."""
    rng = random.Random(seed)
    numbers = [rng.uniform(-1e12, 1e12) for _ in range(size)]
    times = array("q", [i + (i // 50) * 40 * gap_every for i in range(size)])
    slot_counts = array("d", [rng.choice([1.0, 1.0, 1.0, 2.0, 0.25]) for _ in range(size)])
    if rng.random() < 0.5:
        slot_counts = array("d", [1.0] * size)
    sums = array("d", [v * c for v, c in zip(numbers, slot_counts, strict=True)])
    mins = array("d", numbers)
    columns = (times, slot_counts, sums, mins, mins)
    fast = summarize_numpy(columns, 0, size, 0, period)
    assert fast is not None
    assert _bits(fast) == _bits(summarize_plain(columns, 0, size, 0, period))


def test_a_window_with_both_zeros_keeps_min_and_max_of_the_loop() -> None:
    """-0.0 and 0.0 compare equal; the first in time order wins, as ``min`` and ``max`` pick."""
    store = SeriesStore()
    for second in range(600):
        store.add_value(second, (0.0, -0.0, 1.0)[second % 3])
    columns = _columns(store)
    expected = _bits(summarize_plain(columns, 0, 600, 0, 60))
    assert _bits(summarize(columns, 0, 600, 0, 60)) == expected
    assert _bits(summarize_columns(columns, 0, 600, 0, 60)) == expected
    # numpy's reduceat might pick the other zero: that engine declines the window.
    assert summarize_numpy(columns, 0, 600, 0, 60) is None


def test_an_all_negative_zero_period_sums_as_sum_does() -> None:
    """``sum`` starts from 0.0, so several -0.0 sum to 0.0; a single slot keeps its -0.0."""
    store = SeriesStore()
    for second in range(300):
        store.add_value(second, -0.0)
    store.add_value(600, -0.0)
    found = summarize(_columns(store), 0, len(store), 0, 60)
    assert [struct.pack("<d", s) for s in found.sums] == [struct.pack("<d", 0.0)] * 5 + [
        struct.pack("<d", -0.0)
    ]


def test_an_example_hour_by_hour() -> None:
    """Three hours of one value a minute: counts, sums, minima and maxima per hour."""
    store = SeriesStore()
    for minute in range(180):
        store.add_value(60 * minute, float(minute))
    found = store.summaries(0, 3 * 3600, 3600)
    assert found.buckets == [0, 3600, 7200]
    assert found.counts == [60.0, 60.0, 60.0]
    assert found.sums == [float(sum(range(60))), float(sum(range(60, 120))),
                          float(sum(range(120, 180)))]
    assert found.mins == [0.0, 60.0, 120.0] and found.maxs == [59.0, 119.0, 179.0]
    assert (found.firsts, found.lasts) == ([0, 60, 120], [60, 120, 180])


def test_empty_periods_are_absent_and_a_sparse_window_walks_its_slots() -> None:
    """Two slots far apart over many periods give two periods, in either engine."""
    store = SeriesStore()
    store.add_value(5, 1.5)
    store.add_value(50_000, 2.5)
    for engine in (summarize_columns, summarize_numpy, summarize_plain):
        found = engine(_columns(store), 0, 2, 0, 10)
        if found is None:  # numpy declines a window mostly made of empty periods
            continue
        assert found.buckets == [0, 50_000] and found.sums == [1.5, 2.5]
    assert len(summarize(_columns(store), 0, 0, 0, 10)) == 0
