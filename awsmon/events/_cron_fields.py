"""Cron field building blocks for `awsmon.events.schedule` (internal, pure).

What lives here:

- the day specifications a cron expression can hold instead of a plain set:
  `MonthDays`, `LastDayOfMonth`, `LastWeekdayOfMonth`, `NearestWeekday`
  (day-of-month) and `WeekDays`, `LastWeekdayInMonth`, `NthWeekdayInMonth`
  (day-of-week), each answering ``days_in(year, month)``;
- `Field`: the bounds, names and increment limit of each of the six fields,
  and `render_values`, the canonical text of a value set.

Calendar arithmetic uses dateutil's ``relativedelta`` (last day, last or n-th
weekday of a month).
"""

from __future__ import annotations

import calendar
from bisect import bisect_left
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Protocol

from attrs import frozen
from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta, weekday

__all__ = [
    "DAY_NAMES",
    "DAY_OF_MONTH",
    "DAY_OF_WEEK",
    "HOURS",
    "MAX_YEAR",
    "MINUTES",
    "MIN_YEAR",
    "MONTHS",
    "MONTH_NAMES",
    "YEARS",
    "DaySpec",
    "Field",
    "LastDayOfMonth",
    "LastWeekdayInMonth",
    "LastWeekdayOfMonth",
    "MonthDays",
    "NearestWeekday",
    "NthWeekdayInMonth",
    "WeekDays",
    "as_utc",
    "render_values",
    "tail_from",
]

MIN_YEAR = 1970
MAX_YEAR = 2199
MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
"""Day-of-week names in AWS numbering: 1 = SUN ... 7 = SAT."""

# dateutil weekday objects indexed by AWS day number - 1 (SUN first).
_DATEUTIL_DAYS: tuple[weekday, ...] = (SU, MO, TU, WE, TH, FR, SA)


def as_utc(t: datetime) -> datetime:
    """The same instant as an aware UTC datetime (a naive one is taken as UTC)."""
    if t.tzinfo is None:
        return t.replace(tzinfo=UTC)
    return t.astimezone(UTC)


def tail_from(values: Sequence[int], lowest: int | None) -> Sequence[int]:
    """The tail of a sorted sequence from ``lowest`` on (all of it when None)."""
    if lowest is None:
        return values
    return values[bisect_left(values, lowest) :]


def _month_length(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _aws_day_of_week(d: date) -> int:
    """AWS day-of-week number of a date: 1 = Sunday ... 7 = Saturday."""
    return d.isoweekday() % 7 + 1


# --------------------------------------------------------------------------- fields


@frozen
class Field:
    """What one cron field accepts.

    Attributes:
        label: the field's name in AWS's documentation.
        low: smallest value.
        high: largest value.
        names: names of the values from ``low`` up (months, days of week).
        max_step: largest ``/`` increment, or None when ``/`` is not allowed.
        wraps: whether a range may run past ``high`` back to ``low`` (``20-2``).
    """

    label: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    max_step: int | None = None
    wraps: bool = True

    @property
    def full(self) -> tuple[int, ...]:
        """Every value of the field, ascending."""
        return tuple(range(self.low, self.high + 1))

    def show(self, value: int) -> str:
        """A value's canonical text: its name when the field has names."""
        return self.names[value - self.low] if self.names else str(value)


MINUTES = Field("minutes", 0, 59, max_step=59)
HOURS = Field("hours", 0, 23, max_step=23)
DAY_OF_MONTH = Field("day-of-month", 1, 31, max_step=31)
MONTHS = Field("month", 1, 12, MONTH_NAMES, max_step=12)
DAY_OF_WEEK = Field("day-of-week", 1, 7, DAY_NAMES)
YEARS = Field("year", MIN_YEAR, MAX_YEAR, max_step=MAX_YEAR - MIN_YEAR, wraps=False)


def render_values(values: tuple[int, ...], field: Field) -> str:
    """Canonical text of a sorted, non-empty value set.

    ``*`` for the whole field; otherwise comma-separated items, found greedily
    from the smallest value not yet covered: the longest arithmetic
    progression of set members starting there (smallest step on ties), written
    ``a-b`` (step 1), ``a/step`` (reaching the field's end) or ``a-b/step``
    when it has three or more values, else the value alone.
    """
    if values == field.full:
        return "*"
    members = set(values)
    covered: set[int] = set()
    items: list[str] = []
    for start in values:
        if start in covered:
            continue
        best = [start]
        for step in range(1, (field.max_step or 1) + 1):
            run = [start]
            while run[-1] + step in members:
                run.append(run[-1] + step)
            if len(run) > len(best):
                best = run
        if len(best) < 3:
            best = [start]
        covered.update(best)
        items.append(_render_progression(best, field))
    return ",".join(items)


def _render_progression(run: list[int], field: Field) -> str:
    """One item for an arithmetic progression of one or at least three values."""
    first, last = field.show(run[0]), field.show(run[-1])
    if len(run) == 1:
        return first
    step = run[1] - run[0]
    if step == 1:
        return f"{first}-{last}"
    if run[-1] + step > field.high:
        return f"{first}/{step}"
    return f"{first}-{last}/{step}"


# --------------------------------------------------------------------------- day specifications


class DaySpec(Protocol):
    """A day-of-month or day-of-week field other than ``?``."""

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        """The selected days of that month, ascending."""
        ...

    def render(self) -> str:
        """The field's canonical text."""
        ...


@frozen
class MonthDays:
    """Plain day numbers, e.g. ``1``, ``1-15``, ``*``; days a month lacks are skipped."""

    days: tuple[int, ...]

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        """The listed days that exist in that month."""
        length = _month_length(year, month)
        return tuple(d for d in self.days if d <= length)

    def render(self) -> str:
        """Canonical text: ``*``, ranges and ``a/step``."""
        return render_values(self.days, DAY_OF_MONTH)


@frozen
class LastDayOfMonth:
    """``L`` in day-of-month: the last day of the month."""

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        """The month's last day."""
        return (_month_length(year, month),)

    def render(self) -> str:
        """``L``."""
        return "L"


@frozen
class LastWeekdayOfMonth:
    """``LW`` in day-of-month: the last Monday-to-Friday day of the month."""

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        """The month's last weekday."""
        last = date(year, month, 1) + relativedelta(day=31)
        if last.weekday() >= 5:  # Saturday or Sunday: back to the Friday before
            last += relativedelta(weekday=FR(-1))
        return (last.day,)

    def render(self) -> str:
        """``LW``."""
        return "LW"


@frozen
class NearestWeekday:
    """``nW`` in day-of-month: the Monday-to-Friday day nearest to day *n*.

    Quartz semantics (UNCONFIRMED for AWS): a Saturday moves to the Friday
    before and a Sunday to the Monday after, but never into another month
    (``1W`` on Saturday the 1st is Monday the 3rd); a month without day *n*
    has no firing.
    """

    day: int

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        """The one selected day of that month, or none."""
        length = _month_length(year, month)
        if self.day > length:
            return ()
        target = date(year, month, self.day)
        if target.weekday() == 5:  # Saturday
            moved = self.day - 1 if self.day > 1 else self.day + 2
        elif target.weekday() == 6:  # Sunday
            moved = self.day + 1 if self.day < length else self.day - 2
        else:
            moved = self.day
        return (moved,)

    def render(self) -> str:
        """``nW``."""
        return f"{self.day}W"


@frozen
class WeekDays:
    """Plain days of the week (AWS numbering, 1 = SUN ... 7 = SAT)."""

    days: tuple[int, ...]

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        """The days of that month falling on one of the listed weekdays."""
        wanted = set(self.days)
        first = _aws_day_of_week(date(year, month, 1))
        return tuple(
            d
            for d in range(1, _month_length(year, month) + 1)
            if (first - 1 + d - 1) % 7 + 1 in wanted
        )

    def render(self) -> str:
        """Canonical text: ``*``, names and name ranges (``MON-FRI``)."""
        return render_values(self.days, DAY_OF_WEEK)


@frozen
class LastWeekdayInMonth:
    """``nL`` in day-of-week: the last day *n* of the month (``6L`` = last Friday)."""

    day_of_week: int

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        """The month's last such weekday."""
        last = date(year, month, 1) + relativedelta(
            day=31, weekday=_DATEUTIL_DAYS[self.day_of_week - 1](-1)
        )
        return (last.day,)

    def render(self) -> str:
        """``nL``."""
        return f"{self.day_of_week}L"


@frozen
class NthWeekdayInMonth:
    """``d#k`` in day-of-week: the k-th day *d* of the month (``3#2`` = 2nd Tuesday)."""

    day_of_week: int
    nth: int

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        """The selected day, or none when the month has no k-th such weekday."""
        found = date(year, month, 1) + relativedelta(
            weekday=_DATEUTIL_DAYS[self.day_of_week - 1](+self.nth)
        )
        return (found.day,) if found.month == month else ()

    def render(self) -> str:
        """``d#k`` with the day as a name (``SAT#3``)."""
        return f"{DAY_NAMES[self.day_of_week - 1]}#{self.nth}"
