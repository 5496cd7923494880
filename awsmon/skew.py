"""The wall-clock seam: a warning when caller data is stamped far from virtual now.

awsmon's clock is virtual and starts at a fixed instant, so code that stamps
its data with the process's wall clock (``datetime.now``, watchtower,
aws-lambda-powertools, the X-Ray SDK) sends timestamps years away from the
simulation's now. awsmon answers such data exactly as AWS would (refusing a
metric datum "more than two hours in the future", dropping a log event too
old), and, the first time a service sees a timestamp more than `SKEW_LIMIT`
from virtual now, also emits one `ClockSkewWarning` saying what virtual now is
and how to line the two up.

>>> import warnings
>>> from datetime import UTC, datetime
>>> seen = set()
>>> now = datetime(2025, 3, 14, tzinfo=UTC)
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     first = warn_if_skewed(seen, "logs", "a log event", datetime(2026, 1, 1, tzinfo=UTC), now)
...     again = warn_if_skewed(seen, "logs", "a log event", datetime(2026, 1, 1, tzinfo=UTC), now)
>>> first, again, len(caught)
(True, True, 1)
"""

from __future__ import annotations

import warnings
from collections.abc import MutableSet
from datetime import UTC, datetime, timedelta

__all__ = ["SKEW_LIMIT", "ClockSkewWarning", "skew_message", "skewed", "warn_if_skewed"]

#: How far a caller's timestamp may be from virtual now before awsmon says so.
SKEW_LIMIT = timedelta(days=1)
_LIMIT_SECONDS = SKEW_LIMIT.total_seconds()


class ClockSkewWarning(UserWarning):
    """Caller data is stamped more than a day away from the virtual clock's now.

    Usually the caller took its timestamps from the wall clock. awsmon answers
    as AWS would (which may mean refusing or dropping the data); the warning
    says what virtual now is and how to align the clocks.
    """


def skew_message(service: str, what: str, when: datetime, now: datetime) -> str:
    """The words of the warning for `what` stamped `when` at virtual `now`."""
    gap = when - now
    direction = "after" if gap > timedelta(0) else "before"
    days = abs(gap) / timedelta(days=1)
    return (
        f"{service}: {what} is stamped {when.isoformat()}, {days:,.1f} days {direction} "
        f"the virtual clock's now ({now.isoformat()}). awsmon answers as AWS would at "
        "virtual now, so such data may be refused or dropped. To align the clocks: stamp "
        "data from cloud.clock.now(); start the cloud near your data with "
        "Cloud(start='wall') or VirtualClock(start=...); or make code that reads the wall "
        "clock read virtual time with `with cloud.clock.drive_wall_clock():` (pytest: the "
        "awsmon_wall_clock fixture or --awsmon-wall-clock). This warning is shown once "
        "per service."
    )


def skewed(when: datetime | float | None, now: datetime) -> datetime | None:
    """`when` as an aware datetime when it is over `SKEW_LIMIT` from `now`, else None."""
    if when is None:
        return None
    if not isinstance(when, datetime):
        try:
            seconds = float(when)
            if abs(seconds - now.timestamp()) <= _LIMIT_SECONDS:
                return None
            when = datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    elif when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return None if abs(when - now) <= SKEW_LIMIT else when


def warn_if_skewed(
    warned: MutableSet[str],
    service: str,
    what: str,
    when: datetime | float | None,
    now: datetime,
    *,
    stacklevel: int = 3,
) -> bool:
    """Warn once per `service` (tracked in `warned`) when `when` is over a day from `now`.

    Args:
        warned: the services already warned (the cloud keeps one set).
        service: the service's name, as the warning shows it.
        what: what carried the timestamp (``"a metric datum"``).
        when: the caller's timestamp: an aware datetime or epoch seconds (None: nothing).
        now: virtual now.

    Returns:
        True when the timestamp is skewed (whether or not a warning was shown now).
    """
    found = skewed(when, now)
    if found is None:
        return False
    when = found
    if service not in warned:
        warned.add(service)
        warnings.warn(
            skew_message(service, what, when, now), ClockSkewWarning, stacklevel=stacklevel
        )
    return True
