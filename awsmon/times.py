"""Instants and durations as awsmon takes them: pure conversions, no clock.

- `to_datetime`: an aware UTC datetime from a datetime (naive is UTC, as botocore
  takes it) or epoch seconds.
- `to_timedelta`: a timedelta from a timedelta or seconds.

>>> to_datetime(60).isoformat()
'1970-01-01T00:01:00+00:00'
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = ["EPOCH", "to_datetime", "to_timedelta"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_datetime(value: datetime | float | int) -> datetime:
    """An aware UTC datetime from a datetime or epoch seconds.

    A naive datetime is taken as UTC, as botocore does.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a datetime or epoch seconds, got {value!r}")
    return EPOCH + timedelta(seconds=value)


def to_timedelta(value: timedelta | float | int) -> timedelta:
    """A timedelta from a timedelta or a number of seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a timedelta or seconds, got {value!r}")
    return timedelta(seconds=value)
