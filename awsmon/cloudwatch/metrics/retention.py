"""AWS's retention schedule and the query rules that depend on the age of the data.

- `epoch_seconds`, `from_epoch`, `from_epochs`: the store's time unit (whole epoch seconds).
- `Retention`, `RETENTION`: AWS's schedule as `SeriesStore.roll_up` steps.
- `align_start`, `period_allowed`: how StartTime is rounded, and which periods
  old data can be read with.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import accumulate, repeat
from operator import add, sub

from attrs import frozen

__all__ = [
    "RETENTION",
    "Retention",
    "align_start",
    "epoch_seconds",
    "from_epoch",
    "from_epochs",
    "period_allowed",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_seconds(when: datetime) -> int:
    """Whole epoch seconds of `when` (the store's time unit; AWS keeps 1 s granularity)."""
    return math.floor((when - _EPOCH).total_seconds())


def from_epoch(seconds: int) -> datetime:
    """The aware datetime of epoch `seconds`."""
    return _EPOCH + timedelta(seconds=seconds)


def from_epochs(seconds: Sequence[int]) -> list[datetime]:
    """`from_epoch` of each of `seconds`, without a Python call per value.

    Evenly spaced seconds (periods one after another) are stepped through by
    adding one `timedelta` (datetime arithmetic is exact), which is several
    times faster than converting each.
    """
    if len(seconds) > 2:
        steps = set(map(sub, seconds[1:], seconds[:-1]))
        if len(steps) == 1:
            step, count = timedelta(seconds=steps.pop()), len(seconds) - 1
            return list(accumulate(repeat(step, count), add, initial=from_epoch(seconds[0])))
    return list(map(add, repeat(_EPOCH), map(timedelta, repeat(0), seconds)))


@frozen
class Retention:
    """One step of AWS's retention schedule: data older than `age` keeps `width`-second slots.

    A `width` of 0 means the data is dropped.
    """

    age: timedelta
    width: int


#: AWS's schedule [S-CON]: 1 s slots for 3 hours, then 60 s up to 15 days, 300 s up
#: to 63 days, 3600 s up to 455 days, then gone.
RETENTION: tuple[Retention, ...] = (
    Retention(timedelta(hours=3), 60),
    Retention(timedelta(days=15), 300),
    Retention(timedelta(days=63), 3600),
    Retention(timedelta(days=455), 0),
)



def align_start(now: datetime, start: datetime, period: int) -> datetime:
    """StartTime as CloudWatch rounds it before a query [S-CWM].

    Under 15 days old it is rounded down to the minute, up to 63 days to 5
    minutes, beyond that to the hour; a high-resolution period (1, 5, 10, 20,
    30 s) rounds down to a multiple of the period within the minute instead.
    """
    seconds = epoch_seconds(start)
    if period < 60:
        return from_epoch(seconds - seconds % period)
    age = now - start
    if age < timedelta(days=15):
        unit = 60
    elif age <= timedelta(days=63):
        unit = 300
    else:
        unit = 3600
    return from_epoch(seconds - seconds % unit)


def period_allowed(now: datetime, start: datetime, period: int) -> bool:
    """Whether CloudWatch returns any datapoint for `period` over data starting at `start`.

    Data older than 3 hours needs a period that is a multiple of 60, older
    than 15 days a multiple of 300, older than 63 days a multiple of 3600;
    otherwise the answer is empty, not an error [S-CWM].
    """
    age = now - start
    if age <= timedelta(hours=3):
        return True
    if age <= timedelta(days=15):
        return period % 60 == 0
    if age <= timedelta(days=63):
        return period % 300 == 0
    return period % 3600 == 0
