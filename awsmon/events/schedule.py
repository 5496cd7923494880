"""EventBridge schedule expressions: ``rate(...)`` and ``cron(...)``.

A scheduled rule (PutRule with ``ScheduleExpression``) fires on a rate or on a
six-field cron expression, always in UTC and with one-minute resolution. This
module parses an expression once into an immutable value with a pure
``next_after`` method; it holds no iterator state and never reads a clock, so
the EventBridge service asks it "when next, after this instant?" and registers
a clock job for the answer.

Main classes and functions:

- `parse_schedule`: text → `CronSchedule` | `RateSchedule`, or
  `ValidationException` ("Parameter ScheduleExpression is not valid.").
- `RateSchedule`: ``rate(value unit)``; ``next_after(t, anchor=created_at)``.
- `CronSchedule`: ``cron(minutes hours day-of-month month day-of-week year)``;
  ``next_after(t)``, ``matches(t)``.
- Day specifications, the cron fields that are not plain sets (from
  `awsmon.events._cron_fields`): `MonthDays`, `LastDayOfMonth`,
  `LastWeekdayOfMonth`, `NearestWeekday` (day-of-month) and `WeekDays`,
  `LastWeekdayInMonth`, `NthWeekdayInMonth` (day-of-week).

Both schedule kinds render back to canonical text with ``render()``, and
``parse_schedule(s.render()) == s``.

Simulation notes:
    - AWS fires a schedule "within that minute, but not on the precise 0th
      second". ``next_after`` returns the minute boundary (second 0); a
      service that wants AWS's jitter adds its own offset within the minute.
    - Rate schedules count from an anchor, the rule's creation time: firings
      are ``anchor + k * period`` for k = 1, 2, ... The first firing is one
      period after creation, not at creation, and is not aligned to a minute
      boundary (AWS documents neither; UNCONFIRMED, the reference's default).
      What re-enabling a rule does is the caller's choice of anchor.
    - Points AWS leaves open, decided here (UNCONFIRMED): both day fields
      ``?`` is invalid; ``nW`` never crosses into another month and does not
      fire in a month without day *n*; ``L``, ``LW``, ``nW``, ``nL`` and
      ``d#k`` must each be the only item of their field (``#`` is documented,
      the others follow Quartz); ranges wrap around (``20-2`` hours,
      ``FRI-MON``) in every field except the year, as a set union; ``/``
      increments are limited as in Quartz (59 minutes, 23 hours, 31 days, 12
      months) and are not allowed in day-of-week (AWS's field table lists
      none); month and day names are accepted in any letter case (Quartz
      upper-cases the expression), while ``rate`` and its units are lower
      case only (observed); a rate value is at most 2,147,483,647 (a Java int).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import NoReturn, TypeAlias

from attrs import frozen

from awsmon.events._cron_fields import (
    DAY_NAMES,
    DAY_OF_MONTH,
    DAY_OF_WEEK,
    HOURS,
    MAX_YEAR,
    MINUTES,
    MONTHS,
    YEARS,
    DaySpec,
    Field,
    LastDayOfMonth,
    LastWeekdayInMonth,
    LastWeekdayOfMonth,
    MonthDays,
    NearestWeekday,
    NthWeekdayInMonth,
    WeekDays,
    as_utc,
    render_values,
    tail_from,
)
from awsmon.events.errors import REQUEST, ValidationException

__all__ = [
    "INVALID_MESSAGE",
    "CronSchedule",
    "DaySpec",
    "LastDayOfMonth",
    "LastWeekdayInMonth",
    "LastWeekdayOfMonth",
    "MonthDays",
    "NearestWeekday",
    "NthWeekdayInMonth",
    "RateSchedule",
    "RateUnit",
    "Schedule",
    "WeekDays",
    "parse_schedule",
]

INVALID_MESSAGE = "Parameter ScheduleExpression is not valid."
"""AWS's message for every malformed schedule expression (observed)."""

MAX_EXPRESSION_LENGTH = 256
MAX_RATE_VALUE = 2**31 - 1


# --------------------------------------------------------------------------- schedules


class RateUnit(Enum):
    """The unit of a ``rate()`` expression, by its singular AWS spelling."""

    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"

    @property
    def minutes(self) -> int:
        """Length of one unit in minutes."""
        return {"minute": 1, "hour": 60, "day": 1440}[self.value]


@frozen
class RateSchedule:
    """``rate(value unit)``: fire every ``value`` units, counted from an anchor.

    Attributes:
        value: the positive number of units.
        unit: minutes, hours or days.
    """

    value: int
    unit: RateUnit

    @property
    def period_minutes(self) -> int:
        """The period in whole minutes."""
        return self.value * self.unit.minutes

    @property
    def period(self) -> timedelta:
        """The period as a timedelta.

        Raises:
            OverflowError: beyond Python's timedelta range (999,999,999 days).
        """
        return timedelta(minutes=self.period_minutes)

    def render(self) -> str:
        """Canonical text, with AWS's singular/plural unit rule."""
        unit = self.unit.value if self.value == 1 else self.unit.value + "s"
        return f"rate({self.value} {unit})"

    def next_after(self, t: datetime, *, anchor: datetime) -> datetime | None:
        """The first firing strictly after ``t``.

        Firings are ``anchor + k * period`` for k >= 1 (see the module's
        simulation notes): one period after the anchor at the earliest.

        Args:
            t: the instant to search after (naive means UTC).
            anchor: when the schedule started counting, normally the rule's
                creation time (naive means UTC).

        Returns:
            An aware UTC datetime, or None past the end of datetime's range.

        >>> created = datetime(2024, 1, 5, 9, 7, 30, tzinfo=UTC)
        >>> parse_schedule("rate(5 minutes)").next_after(created, anchor=created)
        datetime.datetime(2024, 1, 5, 9, 12, 30, tzinfo=datetime.timezone.utc)
        """
        t, anchor = as_utc(t), as_utc(anchor)
        period_us = self.period_minutes * 60_000_000
        elapsed_us = (t - anchor) // timedelta(microseconds=1)
        k = 1 if elapsed_us < 0 else elapsed_us // period_us + 1
        try:
            return anchor + timedelta(microseconds=k * period_us)
        except OverflowError:
            return None


@frozen
class CronSchedule:
    """``cron(minutes hours day-of-month month day-of-week year)``, in UTC.

    Each set field is a sorted tuple of the selected values. Exactly one of
    ``day_of_month`` and ``day_of_week`` is None (written ``?``); the other
    selects the days.

    Attributes:
        minutes: 0-59.
        hours: 0-23.
        day_of_month: the day-of-month specification, or None for ``?``.
        months: 1-12.
        day_of_week: the day-of-week specification, or None for ``?``.
        years: 1970-2199.
    """

    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    day_of_month: DaySpec | None
    months: tuple[int, ...]
    day_of_week: DaySpec | None
    years: tuple[int, ...]

    def render(self) -> str:
        """Canonical text: ``*``, ranges, ``a/step``, month and day names."""
        fields = (
            render_values(self.minutes, MINUTES),
            render_values(self.hours, HOURS),
            self.day_of_month.render() if self.day_of_month is not None else "?",
            render_values(self.months, MONTHS),
            self.day_of_week.render() if self.day_of_week is not None else "?",
            render_values(self.years, YEARS),
        )
        return f"cron({' '.join(fields)})"

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        """The days of that month on which the schedule fires (ignoring month/year)."""
        spec = self.day_of_month or self.day_of_week
        assert spec is not None, "the parser guarantees one day field"
        return spec.days_in(year, month)

    def matches(self, t: datetime) -> bool:
        """Whether the schedule fires in the minute containing ``t`` (naive means UTC)."""
        t = as_utc(t)
        return (
            t.minute in self.minutes
            and t.hour in self.hours
            and t.month in self.months
            and t.year in self.years
            and t.day in self.days_in(t.year, t.month)
        )

    def next_after(self, t: datetime, *, anchor: datetime | None = None) -> datetime | None:
        """The first firing minute strictly after ``t``, or None once the years run out.

        Args:
            t: the instant to search after (naive means UTC).
            anchor: ignored; accepted so that any `Schedule` can be asked the
                same way.

        Returns:
            An aware UTC datetime on a minute boundary, or None.

        >>> friday_evening = datetime(2024, 1, 5, 18, 0, tzinfo=UTC)
        >>> parse_schedule("cron(0 18 ? * MON-FRI *)").next_after(friday_evening)
        datetime.datetime(2024, 1, 8, 18, 0, tzinfo=datetime.timezone.utc)
        """
        del anchor
        t = as_utc(t)
        if t.year > MAX_YEAR:
            return None
        start = t.replace(second=0, microsecond=0) + timedelta(minutes=1)
        return next(self._firings_from(start), None)

    def _firings_from(self, start: datetime) -> Iterator[datetime]:
        """Firing minutes at or after ``start``, in order (a fresh generator each call).

        Each level starts at ``start``'s own value only while every level
        above it is still on ``start``'s value; otherwise from its lowest.
        """
        for year in tail_from(self.years, start.year):
            on_year = year == start.year
            for month in tail_from(self.months, start.month if on_year else None):
                on_month = on_year and month == start.month
                days = self.days_in(year, month)
                for day in tail_from(days, start.day if on_month else None):
                    on_day = on_month and day == start.day
                    for hour in tail_from(self.hours, start.hour if on_day else None):
                        on_hour = on_day and hour == start.hour
                        for minute in tail_from(self.minutes, start.minute if on_hour else None):
                            yield datetime(year, month, day, hour, minute, tzinfo=UTC)


Schedule: TypeAlias = CronSchedule | RateSchedule
"""Any parsed schedule expression; both kinds answer ``next_after(t, anchor=...)``."""


# --------------------------------------------------------------------------- parsing


def parse_schedule(expression: str) -> Schedule:
    """Parse a ScheduleExpression the way PutRule validates it.

    Args:
        expression: ``rate(value unit)`` or ``cron(six fields)``, exactly,
            with no blanks around it or inside the parentheses.

    Returns:
        A `RateSchedule` or a `CronSchedule`.

    Raises:
        ValidationException: "Parameter ScheduleExpression is not valid.",
            then the expression, the position and what was expected there;
            or AWS's length-constraint message past 256 characters.

    >>> parse_schedule("cron(0/15 * * * ? *)").render()
    'cron(0/15 * * * ? *)'
    >>> parse_schedule("rate(1 hour)").period
    datetime.timedelta(seconds=3600)
    """
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise REQUEST.invalid(
            "ScheduleExpression",
            expression,
            f"Member must have length less than or equal to {MAX_EXPRESSION_LENGTH}",
        )
    return _Parser(expression).parse()


class _Parser:
    """A recursive-descent parser over one expression; positions are offsets in it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    # ----------------------------------------------------------------- scanning

    def fail(self, expected: str, position: int | None = None) -> NoReturn:
        """Raise AWS's error, saying where and what was expected."""
        where = self.pos if position is None else position
        raise ValidationException(
            f"{INVALID_MESSAGE} ScheduleExpression={self.text!r} "
            f"at position {where}: expected {expected}",
            param="ScheduleExpression",
            value=self.text,
            position=where,
            expected=expected,
        )

    def peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def accept(self, literal: str) -> bool:
        if self.text.startswith(literal, self.pos):
            self.pos += len(literal)
            return True
        return False

    def expect(self, literal: str, expected: str | None = None) -> None:
        if not self.accept(literal):
            self.fail(expected or repr(literal))

    def run(self, allowed: str) -> str:
        """Consume and return the longest run of characters from ``allowed``."""
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in allowed:
            self.pos += 1
        return self.text[start : self.pos]

    def digits(self) -> str:
        return self.run("0123456789")

    def letters(self) -> str:
        return self.run("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    def number(self, low: int, high: int, what: str) -> int:
        """A decimal number from ``low`` to ``high``."""
        start = self.pos
        digits = self.digits()
        if not digits or len(digits) > 10 or not low <= int(digits) <= high:
            self.fail(f"{what} from {low} to {high}", start)
        return int(digits)

    def end(self) -> None:
        if self.pos != len(self.text):
            self.fail("the end of the expression")

    # ----------------------------------------------------------------- grammar

    def parse(self) -> Schedule:
        if self.accept("rate("):
            return self.rate()
        if self.accept("cron("):
            return self.cron()
        self.fail("'rate(' or 'cron('")

    def rate(self) -> RateSchedule:
        start = self.pos
        digits = self.digits()
        if not digits or digits.startswith("0"):
            self.fail("a positive whole number", start)
        if len(digits) > 10 or int(digits) > MAX_RATE_VALUE:
            self.fail(f"a value of at most {MAX_RATE_VALUE}", start)
        value = int(digits)
        self.expect(" ", "' ' and a unit")
        unit_start = self.pos
        word = self.letters()
        units = [unit.value if value == 1 else unit.value + "s" for unit in RateUnit]
        if word not in units:
            rule = "singular for a value of 1" if value == 1 else "plural for a value above 1"
            self.fail(f"one of {', '.join(units)} (lower case, {rule})", unit_start)
        self.expect(")")
        self.end()
        return RateSchedule(value, RateUnit(word.removesuffix("s")))

    def cron(self) -> CronSchedule:
        minutes = self.value_field(MINUTES)
        hours = self.value_field(HOURS)
        day_of_month = self.day_of_month()
        months = self.value_field(MONTHS)
        day_of_week_start = self.pos
        day_of_week = self.day_of_week()
        years = self.value_field(YEARS, last=True)
        self.end()
        if day_of_month is None and day_of_week is None:
            self.fail("a day-of-week when day-of-month is '?'", day_of_week_start)
        if day_of_month is not None and day_of_week is not None:
            self.fail("'?' in day-of-week when day-of-month is given", day_of_week_start)
        return CronSchedule(minutes, hours, day_of_month, months, day_of_week, years)

    def field_end(self, field: Field, *, last: bool = False) -> None:
        """The separator after a field: ' ' before the next one, ')' after the year."""
        if last:
            self.expect(")", "',' or ')'")
        else:
            self.expect(" ", f"',' or ' ' after the {field.label} field")

    def value_field(self, field: Field, *, last: bool = False) -> tuple[int, ...]:
        """A plain field: items separated by commas, as a sorted value tuple."""
        values: set[int] = set()
        values.update(self.item(field))
        while self.accept(","):
            values.update(self.item(field))
        self.field_end(field, last=last)
        return tuple(sorted(values))

    def item(self, field: Field) -> list[int]:
        """``*``, ``v`` or ``v-w``, each optionally followed by ``/step``."""
        start = self.pos
        if self.accept("*"):
            first, last, single = field.low, field.high, False
        else:
            first = last = self.value(field)
            single = True
            if self.accept("-"):
                last, single = self.value(field), False
        step = 1
        if self.peek() == "/":
            if field.max_step is None:
                self.fail(f"',' or ' ' (no '/' increments in the {field.label} field)")
            self.pos += 1
            step = self.number(1, field.max_step, "an increment")
            if single:  # "a/b": from a, every b, up to the field's end
                last = field.high
        if first <= last:
            return list(range(first, last + 1, step))
        if not field.wraps:
            self.fail(f"a {field.label} range from low to high", start)
        wrapped = [*range(first, field.high + 1), *range(field.low, last + 1)]
        return wrapped[::step]

    def value(self, field: Field) -> int:
        """One value of a field: a number, or a name where the field has names."""
        start = self.pos
        what = f"a value for {field.label} ({field.low}-{field.high}"
        what += f" or {field.names[0]}-{field.names[-1]})" if field.names else ")"
        if self.peek().isdecimal():
            return self.number(field.low, field.high, f"a value for {field.label}")
        word = self.letters().upper()
        if word not in field.names:
            self.fail(what, start)
        return field.names.index(word) + field.low

    def day_of_month(self) -> DaySpec | None:
        """``?``, ``L``, ``LW``, ``nW``, or plain days."""
        if self.accept("?"):
            self.field_end(DAY_OF_MONTH)
            return None
        return self.day_field(DAY_OF_MONTH, self.day_of_month_special, MonthDays)

    def day_of_month_special(self) -> DaySpec | None:
        start = self.pos
        word = self.letters().upper()
        if word == "L":
            return LastDayOfMonth()
        if word == "LW":
            return LastWeekdayOfMonth()
        digits = "" if word else self.digits()
        if digits and self.peek() in ("W", "w"):
            self.pos = start
            day = self.number(1, 31, "a value for day-of-month")
            self.pos += 1
            return NearestWeekday(day)
        self.pos = start
        return None

    def day_of_week(self) -> DaySpec | None:
        """``?``, ``L``, ``nL``, ``d#k``, or plain days of the week."""
        if self.accept("?"):
            self.field_end(DAY_OF_WEEK)
            return None
        return self.day_field(DAY_OF_WEEK, self.day_of_week_special, WeekDays)

    def day_of_week_special(self) -> DaySpec | None:
        start = self.pos
        word = self.letters().upper()
        if word == "L":  # "L" alone: the last day of the week, Saturday
            return WeekDays((7,))
        if word.endswith("L") and word[:-1] in DAY_NAMES:  # "FRIL"
            return LastWeekdayInMonth(DAY_NAMES.index(word[:-1]) + 1)
        digits = "" if word else self.digits()
        if (word in DAY_NAMES or digits) and self.peek() in ("L", "l", "#"):
            self.pos = start
            day = self.value(DAY_OF_WEEK)
            if self.accept("#"):
                return NthWeekdayInMonth(day, self.number(1, 5, "a week number"))
            self.pos += 1
            return LastWeekdayInMonth(day)
        self.pos = start
        return None

    def day_field(
        self,
        field: Field,
        special: Callable[[], DaySpec | None],
        plain: Callable[[tuple[int, ...]], DaySpec],
    ) -> DaySpec:
        """A day field: plain items, or exactly one special expression."""
        specials: list[tuple[int, DaySpec]] = []
        values: set[int] = set()
        while True:
            start = self.pos
            found = special()
            if found is not None:
                specials.append((start, found))
            else:
                values.update(self.item(field))
            if not self.accept(","):
                break
        if specials and (len(specials) > 1 or values):
            self.fail(
                f"a single expression in the {field.label} field when it uses 'L', 'W' or '#'",
                specials[-1][0] if len(specials) > 1 else specials[0][0],
            )
        self.field_end(field)
        return specials[0][1] if specials else plain(tuple(sorted(values)))
