"""Tests of awsmon/cloudwatch/metrics/retention.py's epoch conversions."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from awsmon.cloudwatch.metrics.retention import epoch_seconds, from_epoch, from_epochs

seconds = st.integers(0, 4_000_000_000)


@given(st.lists(seconds, max_size=20))
def test_from_epochs_is_from_epoch_of_each(values: list[int]) -> None:
    """Any seconds, in any order: the same aware datetimes as one `from_epoch` call each."""
    assert from_epochs(values) == [from_epoch(v) for v in values]


@given(seconds, st.integers(-86_400, 86_400), st.integers(0, 1_500))
def test_evenly_spaced_seconds_step_exactly(first: int, step: int, count: int) -> None:
    """Periods one after another (the stepped path) give exactly `from_epoch` of each."""
    values = [first + step * k for k in range(count) if first + step * k >= 0]
    converted = from_epochs(values)
    assert converted == [from_epoch(v) for v in values]
    assert all(when.tzinfo is UTC for when in converted)
    assert [epoch_seconds(when) for when in converted] == values


def test_an_example() -> None:
    """Three hours from 2025-06-01 00:00 UTC."""
    start = epoch_seconds(datetime(2025, 6, 1, tzinfo=UTC))
    assert from_epochs([start, start + 3600, start + 7200]) == [
        datetime(2025, 6, 1, hour, tzinfo=UTC) for hour in range(3)
    ]
