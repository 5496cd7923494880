"""Tests for awsmon.events.schedule: rate and cron schedule expressions.

Examples come from the reference's E3 table and AWS's EventBridge user guide;
the error table from the expressions AWS was observed to reject; the
properties compare ``next_after`` with a minute-by-minute (or day-by-day)
scan driven by an oracle that knows what the generated expression means.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from awsmon.errors import InvalidParameter
from awsmon.events.errors import ValidationException
from awsmon.events.schedule import (
    CronSchedule,
    LastDayOfMonth,
    LastWeekdayInMonth,
    MonthDays,
    NearestWeekday,
    NthWeekdayInMonth,
    RateSchedule,
    RateUnit,
    WeekDays,
    parse_schedule,
)

T0 = datetime(2024, 1, 5, 9, 7, 30, tzinfo=UTC)  # a Friday (reference E3)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def cron(expression: str) -> CronSchedule:
    schedule = parse_schedule(expression)
    assert isinstance(schedule, CronSchedule)
    return schedule


def firings(expression: str, after: datetime, count: int) -> list[datetime | None]:
    schedule = cron(expression)
    found: list[datetime | None] = []
    t: datetime | None = after
    for _ in range(count):
        t = schedule.next_after(t) if t is not None else None
        found.append(t)
    return found


# --------------------------------------------------------------------------- examples


class TestWorkedExamplesE3:
    """The reference's E3 table: the next two firings after t0 = Fri 2024-01-05T09:07:30Z."""

    @pytest.mark.parametrize(
        ("expression", "first", "second"),
        [
            ("cron(0 10 * * ? *)", utc(2024, 1, 5, 10, 0), utc(2024, 1, 6, 10, 0)),
            ("cron(15 12 * * ? *)", utc(2024, 1, 5, 12, 15), utc(2024, 1, 6, 12, 15)),
            ("cron(0 18 ? * MON-FRI *)", utc(2024, 1, 5, 18, 0), utc(2024, 1, 8, 18, 0)),
            ("cron(0 8 1 * ? *)", utc(2024, 2, 1, 8, 0), utc(2024, 3, 1, 8, 0)),
            ("cron(0/15 * * * ? *)", utc(2024, 1, 5, 9, 15), utc(2024, 1, 5, 9, 30)),
            ("cron(0/10 * ? * MON-FRI *)", utc(2024, 1, 5, 9, 10), utc(2024, 1, 5, 9, 20)),
            ("cron(0/5 8-17 ? * MON-FRI *)", utc(2024, 1, 5, 9, 10), utc(2024, 1, 5, 9, 15)),
            ("cron(0/30 20-2 ? * MON-FRI *)", utc(2024, 1, 5, 20, 0), utc(2024, 1, 5, 20, 30)),
            ("cron(0 12 * * ? *)", utc(2024, 1, 5, 12, 0), utc(2024, 1, 6, 12, 0)),
            ("cron(5,35 14 * * ? *)", utc(2024, 1, 5, 14, 5), utc(2024, 1, 5, 14, 35)),
            ("cron(0 2 ? * SAT#3 *)", utc(2024, 1, 20, 2, 0), utc(2024, 2, 17, 2, 0)),
            ("cron(0 9 ? * 3#2 *)", utc(2024, 1, 9, 9, 0), utc(2024, 2, 13, 9, 0)),
            ("cron(0 0 L * ? *)", utc(2024, 1, 31, 0, 0), utc(2024, 2, 29, 0, 0)),
        ],
    )
    def test_next_two_firings(self, expression: str, first: datetime, second: datetime) -> None:
        """Each documented expression fires at the E3 times after t0."""
        assert firings(expression, T0, 2) == [first, second]

    def test_business_hours_roll_over_the_weekend(self) -> None:
        """After Friday 17:55 the every-5-minutes business-hours rule next fires Monday 08:00."""
        schedule = cron("cron(0/5 8-17 ? * MON-FRI *)")
        assert schedule.next_after(utc(2024, 1, 5, 17, 50)) == utc(2024, 1, 5, 17, 55)
        assert schedule.next_after(utc(2024, 1, 5, 17, 55)) == utc(2024, 1, 8, 8, 0)

    def test_hour_range_wraps_past_midnight_as_a_set(self) -> None:
        """``20-2`` fires 20:00-23:30 Friday, skips Saturday 00:00-02:00, resumes Monday 00:00."""
        found = firings("cron(0/30 20-2 ? * MON-FRI *)", T0, 9)
        evening = [utc(2024, 1, 5, h, m) for h in (20, 21, 22, 23) for m in (0, 30)]
        assert found == [*evening, utc(2024, 1, 8, 0, 0)]

    def test_last_friday_within_a_year_range_runs_out(self) -> None:
        """``6L 2019-2022`` never fires after t0; from December 2022 it fires once, then never."""
        schedule = cron("cron(15 10 ? * 6L 2019-2022)")
        assert schedule.next_after(T0) is None
        last = schedule.next_after(utc(2022, 12, 1))
        assert last == utc(2022, 12, 30, 10, 15)
        assert schedule.next_after(last) is None

    def test_nearest_weekday_moves_off_weekends(self) -> None:
        """``3W``: Saturday 3 Feb 2024 fires Friday the 2nd, Sunday 3 Mar fires Monday the 4th."""
        after_january = utc(2024, 1, 31)
        assert firings("cron(0 12 3W * ? *)", after_january, 2) == [
            utc(2024, 2, 2, 12, 0),
            utc(2024, 3, 4, 12, 0),
        ]

    def test_nearest_weekday_does_not_cross_into_the_previous_month(self) -> None:
        """``1W`` with Saturday 1 June 2024 fires Monday 3 June, not Friday 31 May."""
        assert cron("cron(0 12 1W * ? *)").next_after(utc(2024, 5, 25)) == utc(2024, 6, 3, 12, 0)

    def test_rate_counts_from_creation(self) -> None:
        """``rate(5 minutes)`` created at tc fires at tc+5 min, then tc+10 min."""
        schedule = parse_schedule("rate(5 minutes)")
        assert isinstance(schedule, RateSchedule)
        created = T0
        first = schedule.next_after(created, anchor=created)
        assert first == created + timedelta(minutes=5)
        assert first is not None
        assert schedule.next_after(first, anchor=created) == created + timedelta(minutes=10)


class TestDocumentedExpressions:
    """Every valid example of the reference (A.8.1) and the AWS user guide parses."""

    @pytest.mark.parametrize(
        "expression",
        [
            "cron(0 2 ? * SAT *)",
            "cron(0 12 * * ? *)",
            "cron(5,35 14 * * ? *)",
            "cron(15 10 ? * 6L 2002-2005)",
            "cron(15 10 ? * 6L 2019-2022)",
            "cron(0 2 ? * SAT#3 *)",
            "cron(* * ? * SAT#3 *)",
            "cron(0/5 5 ? JAN 1-5 2022)",
            "cron(0 10 * * ? *)",
            "cron(15 12 * * ? *)",
            "cron(0 18 ? * MON-FRI *)",
            "cron(0 8 1 * ? *)",
            "cron(0/15 * * * ? *)",
            "cron(0/10 * ? * MON-FRI *)",
            "cron(0/5 8-17 ? * MON-FRI *)",
            "cron(0/30 20-23 ? * MON-FRI *)",
            "cron(0/30 0-2 ? * MON-FRI *)",
            "cron(0/30 20-2 ? * MON-FRI *)",
            "cron(1/10 * * * ? *)",
            "cron(0 0 1-15 JAN,FEB,MAR ? *)",
            "rate(1 minute)",
            "rate(5 minutes)",
            "rate(1 hour)",
            "rate(1 day)",
        ],
    )
    def test_parses_and_round_trips(self, expression: str) -> None:
        """The expression parses, and its canonical text parses back to the same value."""
        schedule = parse_schedule(expression)
        assert parse_schedule(schedule.render()) == schedule

    def test_field_meanings(self) -> None:
        """Fields parse to the documented sets: ``1/10`` minutes are 1, 11, ... 51; names map."""
        schedule = cron("cron(1/10 20-2 ? JAN,MAR-APR MON-FRI 2022-2024)")
        assert schedule.minutes == (1, 11, 21, 31, 41, 51)
        assert schedule.hours == (0, 1, 2, 20, 21, 22, 23)
        assert schedule.months == (1, 3, 4)
        assert schedule.day_of_month is None
        assert schedule.day_of_week == WeekDays((2, 3, 4, 5, 6))
        assert schedule.years == (2022, 2023, 2024)

    @pytest.mark.parametrize(
        ("expression", "day_of_month", "day_of_week"),
        [
            ("cron(0 0 L * ? *)", LastDayOfMonth(), None),
            ("cron(0 0 15W * ? *)", NearestWeekday(15), None),
            ("cron(0 0 1,15 * ? *)", MonthDays((1, 15)), None),
            ("cron(0 0 ? * 6L *)", None, LastWeekdayInMonth(6)),
            ("cron(0 0 ? * FRIL *)", None, LastWeekdayInMonth(6)),
            ("cron(0 0 ? * 3#2 *)", None, NthWeekdayInMonth(3, 2)),
            ("cron(0 0 ? * L *)", None, WeekDays((7,))),
            ("cron(0 0 ? * mon-fri *)", None, WeekDays((2, 3, 4, 5, 6))),
        ],
    )
    def test_day_specifications(
        self, expression: str, day_of_month: object, day_of_week: object
    ) -> None:
        """The day wildcards parse to their specification objects."""
        schedule = cron(expression)
        assert (schedule.day_of_month, schedule.day_of_week) == (day_of_month, day_of_week)

    @pytest.mark.parametrize(
        ("expression", "canonical"),
        [
            ("cron(0/30 20-2 ? * MON-FRI *)", "cron(0,30 0-2,20-23 ? * MON-FRI *)"),
            ("cron(0-59 */1 1-31 1-12 ? 1970-2199)", "cron(* * * * ? *)"),
            ("cron(0/15 * * * ? *)", "cron(0/15 * * * ? *)"),
            ("cron(0 9 ? * 3#2 *)", "cron(0 9 ? * TUE#2 *)"),
            ("cron(0 0 ? 1,2,3,5 2,4 *)", "cron(0 0 ? JAN-MAR,MAY MON,WED *)"),
            ("cron(1-50/7,0 0 1,2,3,5 * ? *)", "cron(0,1-50/7 0 1-3,5 * ? *)"),
            ("cron(5/20,*/7 0 1 * ? 2000/50)", "cron(0/7,5/20 0 1 * ? 2000/50)"),
            ("rate(10 minutes)", "rate(10 minutes)"),
        ],
    )
    def test_render_is_canonical(self, expression: str, canonical: str) -> None:
        """``render`` gives the canonical spelling, not the input's."""
        assert parse_schedule(expression).render() == canonical


class TestFiringSemantics:
    """``next_after`` is strictly after, minute-aligned, UTC, and stateless."""

    def test_strictly_after_a_firing_instant(self) -> None:
        """Asking at a firing minute returns the following firing, not the same one."""
        schedule = cron("cron(0 10 * * ? *)")
        assert schedule.next_after(utc(2024, 1, 5, 10, 0)) == utc(2024, 1, 6, 10, 0)
        assert schedule.next_after(utc(2024, 1, 5, 9, 59, 59)) == utc(2024, 1, 5, 10, 0)

    def test_naive_and_foreign_zone_inputs_are_utc_instants(self) -> None:
        """A naive datetime is UTC; an aware one in another zone is converted; answers are UTC."""
        schedule = cron("cron(0 10 * * ? *)")
        paris = timezone(timedelta(hours=1))
        assert schedule.next_after(datetime(2024, 1, 5, 9, 30)) == utc(2024, 1, 5, 10, 0)
        answer = schedule.next_after(datetime(2024, 1, 5, 10, 30, tzinfo=paris))
        assert answer == utc(2024, 1, 5, 10, 0)
        assert answer is not None
        assert answer.tzinfo is UTC

    def test_no_hidden_state(self) -> None:
        """The same question gets the same answer however often it is asked."""
        schedule = cron("cron(0/15 * * * ? *)")
        answers = {schedule.next_after(T0) for _ in range(3)}
        assert answers == {utc(2024, 1, 5, 9, 15)}

    def test_matches_the_firing_minute(self) -> None:
        """``matches`` is true anywhere within a firing minute and false outside it."""
        schedule = cron("cron(0 10 * * ? *)")
        assert schedule.matches(utc(2024, 1, 5, 10, 0, 42))
        assert not schedule.matches(utc(2024, 1, 5, 10, 1))

    def test_before_and_after_the_year_range(self) -> None:
        """Before 1970 the first firing is in 1970; after 2199 there is none."""
        schedule = cron("cron(0 0 1 1 ? *)")
        assert schedule.next_after(datetime(1950, 6, 1, tzinfo=UTC)) == utc(1970, 1, 1, 0, 0)
        assert schedule.next_after(utc(2199, 1, 1, 0, 0)) is None
        assert schedule.next_after(datetime.max.replace(tzinfo=UTC)) is None

    @pytest.mark.parametrize(
        ("expression", "after", "expected"),
        [
            ("cron(0 0 30W * ? *)", utc(2024, 6, 1), utc(2024, 6, 28, 0, 0)),  # Sun 30 Jun
            ("cron(0 0 31W * ? *)", utc(2024, 3, 1), utc(2024, 3, 29, 0, 0)),  # Sun 31 Mar
            ("cron(0 0 1W * ? *)", utc(2024, 8, 31), utc(2024, 9, 2, 0, 0)),  # Sun 1 Sep
            ("cron(0 0 LW * ? *)", utc(2024, 8, 1), utc(2024, 8, 30, 0, 0)),  # Sat 31 Aug
            ("cron(0 0 LW * ? *)", utc(2024, 3, 1), utc(2024, 3, 29, 0, 0)),  # Sun 31 Mar
            ("cron(0 0 LW * ? *)", utc(2024, 1, 1), utc(2024, 1, 31, 0, 0)),  # Wed 31 Jan
        ],
    )
    def test_weekday_wildcards_at_month_edges(
        self, expression: str, after: datetime, expected: datetime
    ) -> None:
        """``nW`` and ``LW`` stay inside the month when the day falls on a weekend."""
        assert cron(expression).next_after(after) == expected

    def test_days_a_month_lacks_are_skipped(self) -> None:
        """Day 31 fires only in 31-day months; ``31W`` skips 30-day months."""
        assert firings("cron(0 0 31 * ? *)", utc(2024, 3, 31, 1), 2) == [
            utc(2024, 5, 31, 0, 0),
            utc(2024, 7, 31, 0, 0),
        ]
        assert cron("cron(0 0 31W * ? *)").next_after(utc(2024, 4, 1)) == utc(2024, 5, 31, 0, 0)

    def test_fifth_weekday_only_in_months_that_have_one(self) -> None:
        """``2#5`` (fifth Monday) skips months with four Mondays."""
        assert firings("cron(0 0 ? * 2#5 *)", utc(2024, 1, 1), 2) == [
            utc(2024, 1, 29, 0, 0),
            utc(2024, 4, 29, 0, 0),
        ]

    def test_rate_before_its_anchor_fires_one_period_after_it(self) -> None:
        """Asked before the anchor, a rate schedule answers anchor + period."""
        schedule = RateSchedule(1, RateUnit.HOUR)
        anchor = utc(2024, 1, 5, 9, 0)
        assert schedule.next_after(utc(2020, 1, 1), anchor=anchor) == utc(2024, 1, 5, 10, 0)

    def test_rate_past_datetime_range(self) -> None:
        """A rate firing beyond year 9999 is None rather than an overflow."""
        schedule = RateSchedule(days := 3_000_000, RateUnit.DAY)
        assert schedule.period == timedelta(days=days)
        assert schedule.next_after(utc(2024, 1, 1), anchor=utc(2024, 1, 1)) is None


# --------------------------------------------------------------------------- errors

INVALID = re.escape("Parameter ScheduleExpression is not valid.")


class TestInvalidExpressions:
    """Malformed expressions raise ValidationException with AWS's message, position and hint."""

    @pytest.mark.parametrize(
        ("expression", "position", "expected"),
        [
            # rate: observed invalid (OBS LS-SCHED)
            ("rate(10 seconds)", 8, "one of minutes, hours, days"),
            ("rate(10 years)", 8, "one of minutes, hours, days"),
            ("rate(1 minutes)", 7, "one of minute, hour, day"),
            ("rate(1 hours)", 7, "one of minute, hour, day"),
            ("rate(1 days)", 7, "one of minute, hour, day"),
            ("rate(10 minute)", 8, "one of minutes, hours, days"),
            ("rate(10 hour)", 8, "one of minutes, hours, days"),
            ("rate(10 day)", 8, "one of minutes, hours, days"),
            ("rate()", 5, "a positive whole number"),
            ("rate(10)", 7, "' ' and a unit"),
            ("rate(10 minutess)", 8, "one of minutes, hours, days"),
            ("rate(foo minutes)", 5, "a positive whole number"),
            ("rate(0 minutes)", 5, "a positive whole number"),
            ("rate(-10 minutes)", 5, "a positive whole number"),
            ("rate(10 MINUTES)", 8, "one of minutes, hours, days"),
            ("rate( 10 minutes )", 5, "a positive whole number"),
            (" rate(10 minutes)", 0, "'rate(' or 'cron('"),
            # rate: further cases
            ("rate(10 minutes) ", 16, "the end of the expression"),
            ("rate(10  minutes)", 8, "one of minutes, hours, days"),
            ("rate(05 minutes)", 5, "a positive whole number"),
            ("rate(2147483648 minutes)", 5, "a value of at most 2147483647"),
            ("rate(5 minutes", 14, "')'"),
            ("", 0, "'rate(' or 'cron('"),
            ("RATE(5 minutes)", 0, "'rate(' or 'cron('"),
            # cron: observed invalid (OBS LS-SCHED)
            ("cron(0 1 * * * *)", 13, "'?' in day-of-week when day-of-month is given"),
            ("cron(7 20 * * NOT *)", 14, "a value for day-of-week (1-7 or SUN-SAT)"),
            ("cron(INVALID)", 5, "a value for minutes (0-59)"),
            ("cron(0 dummy ? * MON-FRI *)", 7, "a value for hours (0-23)"),
            ("cron(71 8 1 * ? *)", 5, "a value for minutes from 0 to 59"),
            # cron: documented rules and the reference's decisions
            ("cron(0 0 ? * 3#1,6#3 *)", 17, "a single expression in the day-of-week field"),
            ("cron(0 0 ? * ? *)", 13, "a day-of-week when day-of-month is '?'"),
            ("cron(? 0 1 * ? *)", 5, "a value for minutes (0-59)"),
            ("cron(0 0 1 ? ? *)", 11, "a value for month (1-12 or JAN-DEC)"),
            ("cron(0 0 1 * ? ?)", 15, "a value for year (1970-2199)"),
            ("cron(0 0 1 * ? 1969)", 15, "a value for year from 1970 to 2199"),
            ("cron(0 0 1 * ? 2200)", 15, "a value for year from 1970 to 2199"),
            ("cron(0 0 1 * ? 2005-2002)", 15, "a year range from low to high"),
            ("cron(0 24 1 * ? *)", 7, "a value for hours from 0 to 23"),
            ("cron(0 0 0 * ? *)", 9, "a value for day-of-month from 1 to 31"),
            ("cron(0 0 32 * ? *)", 9, "a value for day-of-month from 1 to 31"),
            ("cron(0 0 1 13 ? *)", 11, "a value for month from 1 to 12"),
            ("cron(0 0 ? * 8 *)", 13, "a value for day-of-week from 1 to 7"),
            ("cron(0/0 * * * ? *)", 7, "an increment from 1 to 59"),
            ("cron(0/60 * * * ? *)", 7, "an increment from 1 to 59"),
            ("cron(0 0/24 * * ? *)", 9, "an increment from 1 to 23"),
            (
                "cron(0 0 ? * MON/2 *)",
                16,
                "',' or ' ' (no '/' increments in the day-of-week field)",
            ),
            ("cron(0 0 32W * ? *)", 9, "a value for day-of-month from 1 to 31"),
            ("cron(0 0 L,5 * ? *)", 9, "a single expression in the day-of-month field"),
            ("cron(0 0 1W,15W * ? *)", 12, "a single expression in the day-of-month field"),
            ("cron(0 0 L-3 * ? *)", 10, "',' or ' ' after the day-of-month field"),
            ("cron(0 0 ? * 8L *)", 13, "a value for day-of-week from 1 to 7"),
            ("cron(0 0 ? * 3#6 *)", 15, "a week number from 1 to 5"),
            ("cron(0 0 ? * 3#0 *)", 15, "a week number from 1 to 5"),
            ("cron(0 0 ? * 6L,2 *)", 13, "a single expression in the day-of-week field"),
            ("cron(0 0 ? * MON *", 18, "',' or ')'"),
            ("cron(0 0 ? * MON * )", 18, "',' or ')'"),
            ("cron(0 0 ? * MON * *)", 18, "',' or ')'"),
            ("cron(0 0 1 * ?)", 14, "',' or ' ' after the day-of-week field"),
            ("cron(0  0 1 * ? *)", 7, "a value for hours (0-23)"),
            ("cron(0 0 1 * ? *)x", 17, "the end of the expression"),
            ("cron(0,,5 0 1 * ? *)", 7, "a value for minutes (0-59)"),
            ("cron(0- 0 1 * ? *)", 7, "a value for minutes (0-59)"),
            ("cron(0 0 1 JANUARY ? *)", 11, "a value for month (1-12 or JAN-DEC)"),
        ],
    )
    def test_error_table(self, expression: str, position: int, expected: str) -> None:
        """The code is ValidationException and the message starts with AWS's sentence."""
        with pytest.raises(ValidationException) as caught:
            parse_schedule(expression)
        error = caught.value
        assert error.code == "ValidationException"
        assert error.service == "events"
        assert re.match(
            rf"^{INVALID} ScheduleExpression={re.escape(repr(expression))} "
            rf"at position {position}: expected {re.escape(expected)}",
            error.message,
        ), error.message
        assert (error.param, error.value, error.position) == (
            "ScheduleExpression",
            expression,
            position,
        )
        assert error.expected.startswith(expected)

    def test_too_long(self) -> None:
        """Past 256 characters AWS answers with its length-constraint message."""
        expression = "cron(" + "0," * 130 + "0 0 1 * ? *)"
        with pytest.raises(ValidationException) as caught:
            parse_schedule(expression)
        assert re.match(
            r"^1 validation error detected: Value '.*' at 'scheduleExpression' failed to satisfy "
            r"constraint: Member must have length less than or equal to 256$",
            caught.value.message,
        )

    def test_is_a_value_error(self) -> None:
        """Callers can catch the error by meaning or by builtin."""
        with pytest.raises(ValueError):
            parse_schedule("rate(0 minutes)")
        with pytest.raises(InvalidParameter):
            parse_schedule("rate(0 minutes)")


# --------------------------------------------------------------------------- properties


def _expected_sequence(first: int, last: int, step: int, low: int, high: int) -> list[int]:
    """The values ``first-last/step`` stands for, wrapping past ``high`` when first > last."""
    if first <= last:
        ordered = list(range(first, last + 1))
    else:
        ordered = list(range(first, high + 1)) + list(range(low, last + 1))
    return ordered[::step]


@st.composite
def value_field(
    draw: st.DrawFn,
    low: int,
    high: int,
    *,
    names: tuple[str, ...] = (),
    max_step: int | None = None,
    wraps: bool = True,
) -> tuple[str, frozenset[int]]:
    """A random plain field as (text, the set of values it means)."""

    def show(value: int) -> str:
        if names and draw(st.booleans()):
            return names[value - low]
        return str(value)

    values = st.integers(low, high)
    items: list[str] = []
    meaning: set[int] = set()
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(
            st.sampled_from(
                ["star", "value", "range", "step"] if max_step else ["value", "range", "star"]
            )
        )
        if kind == "star":
            items.append("*")
            meaning.update(range(low, high + 1))
        elif kind == "value":
            v = draw(values)
            items.append(show(v))
            meaning.add(v)
        elif kind == "range":
            a, b = draw(values), draw(values)
            if not wraps:
                a, b = min(a, b), max(a, b)
            items.append(f"{show(a)}-{show(b)}")
            meaning.update(_expected_sequence(a, b, 1, low, high))
        else:
            assert max_step is not None
            step = draw(st.integers(1, max_step))
            base = draw(st.sampled_from(["star", "value", "range"]))
            if base == "star":
                items.append(f"*/{step}")
                meaning.update(_expected_sequence(low, high, step, low, high))
            elif base == "value":
                v = draw(values)
                items.append(f"{show(v)}/{step}")
                meaning.update(_expected_sequence(v, high, step, low, high))
            else:
                a, b = draw(values), draw(values)
                if not wraps:
                    a, b = min(a, b), max(a, b)
                items.append(f"{show(a)}-{show(b)}/{step}")
                meaning.update(_expected_sequence(a, b, step, low, high))
    return ",".join(items), frozenset(meaning)


MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
DayTest = Callable[[date], bool]


def _aws_weekday(d: date) -> int:
    return d.isoweekday() % 7 + 1


def _is_last_day(d: date) -> bool:
    return (d + timedelta(days=1)).month != d.month


def _month_dates(d: date) -> list[date]:
    first = d.replace(day=1)
    return [
        first + timedelta(days=i) for i in range(31) if (first + timedelta(days=i)).month == d.month
    ]


def _nearest_weekday_oracle(n: int) -> DayTest:
    """Day d fires if it is the Mon-Fri day of its month closest to day n (and day n exists)."""

    def test(d: date) -> bool:
        month = _month_dates(d)
        if n > len(month):
            return False
        weekdays = [m for m in month if m.weekday() < 5]
        return min(weekdays, key=lambda m: abs(m.day - n)) == d

    return test


@st.composite
def day_of_month_field(draw: st.DrawFn) -> tuple[str, DayTest]:
    """A random day-of-month field other than '?', with its oracle."""
    kind = draw(st.sampled_from(["plain", "plain", "L", "LW", "W"]))
    if kind == "plain":
        text, days = draw(value_field(1, 31, max_step=31))
        return text, lambda d: d.day in days
    if kind == "L":
        return "L", _is_last_day
    if kind == "LW":

        def last_weekday(d: date) -> bool:
            return d.weekday() < 5 and all(
                later.weekday() >= 5 for later in _month_dates(d) if later > d
            )

        return "LW", last_weekday
    n = draw(st.integers(1, 31) | st.sampled_from([1, 28, 29, 30, 31]))
    return f"{n}W", _nearest_weekday_oracle(n)


@st.composite
def day_of_week_field(draw: st.DrawFn) -> tuple[str, DayTest]:
    """A random day-of-week field other than '?', with its oracle."""
    kind = draw(st.sampled_from(["plain", "plain", "L", "nL", "#"]))
    day = draw(st.integers(1, 7))
    shown = DAYS[day - 1] if draw(st.booleans()) else str(day)
    if kind == "plain":
        text, days = draw(value_field(1, 7, names=DAYS))
        return text, lambda d: _aws_weekday(d) in days
    if kind == "L":
        return "L", lambda d: _aws_weekday(d) == 7
    if kind == "nL":
        return (
            f"{shown}L",
            lambda d: _aws_weekday(d) == day and (d + timedelta(days=7)).month != d.month,
        )
    nth = draw(st.integers(1, 5))
    return f"{shown}#{nth}", lambda d: _aws_weekday(d) == day and (d.day - 1) // 7 + 1 == nth


@st.composite
def cron_expressions(
    draw: st.DrawFn, *, minutes: str | None = None, hours: str | None = None
) -> tuple[str, Callable[[datetime], bool]]:
    """A random valid cron expression and an oracle saying whether a minute fires."""
    minute_text, minute_set = (
        (minutes, frozenset({int(minutes)})) if minutes else draw(value_field(0, 59, max_step=59))
    )
    hour_text, hour_set = (
        (hours, frozenset({int(hours)})) if hours else draw(value_field(0, 23, max_step=23))
    )
    month_text, month_set = draw(value_field(1, 12, names=MONTHS, max_step=12))
    if draw(st.integers(0, 3)):
        year_text, year_set = "*", frozenset(range(1970, 2200))
    else:
        year_text, year_set = draw(value_field(1970, 2199, max_step=229, wraps=False))
    if draw(st.booleans()):
        dom_text, day_test = draw(day_of_month_field())
        dow_text = "?"
    else:
        dow_text, day_test = draw(day_of_week_field())
        dom_text = "?"
    text = f"cron({minute_text} {hour_text} {dom_text} {month_text} {dow_text} {year_text})"

    def fires(t: datetime) -> bool:
        return (
            t.minute in minute_set
            and t.hour in hour_set
            and t.month in month_set
            and t.year in year_set
            and day_test(t.date())
        )

    return text, fires


def chained_firings(schedule: CronSchedule, t: datetime, horizon: datetime) -> list[datetime]:
    """Every firing in (t, horizon), found by asking next_after repeatedly."""
    found: list[datetime] = []
    answer = schedule.next_after(t)
    while answer is not None and answer < horizon:
        found.append(answer)
        answer = schedule.next_after(answer)
    return found


instants = st.datetimes(
    min_value=datetime(2019, 1, 1), max_value=datetime(2031, 1, 1), timezones=st.just(UTC)
)


class TestCronProperties:
    """``next_after`` agrees with a brute-force scan driven by an independent oracle."""

    @given(expression=cron_expressions(), t=instants)
    def test_agrees_with_minute_scan(
        self, expression: tuple[str, Callable[[datetime], bool]], t: datetime
    ) -> None:
        """Over two days after t, chained next_after lists exactly the oracle's firing minutes."""
        text, fires = expression
        schedule = cron(text)
        horizon = t + timedelta(days=2)
        scanned: list[datetime] = []
        minute = t.replace(second=0, microsecond=0) + timedelta(minutes=1)
        while minute < horizon:
            if fires(minute):
                scanned.append(minute)
            minute += timedelta(minutes=1)
        assert chained_firings(schedule, t, horizon) == scanned

    @given(expression=cron_expressions(minutes="0", hours="0"), t=instants)
    def test_agrees_with_day_scan(
        self, expression: tuple[str, Callable[[datetime], bool]], t: datetime
    ) -> None:
        """For midnight schedules, over 800 days, chained next_after lists the oracle's days."""
        text, fires = expression
        schedule = cron(text)
        horizon = t + timedelta(days=800)
        scanned: list[datetime] = []
        midnight = datetime.combine(t.date() + timedelta(days=1), datetime.min.time(), UTC)
        while midnight < horizon:
            if fires(midnight):
                scanned.append(midnight)
            midnight += timedelta(days=1)
        assert chained_firings(schedule, t, horizon) == scanned

    @given(expression=cron_expressions(), t=instants)
    def test_strictly_increasing_firings(
        self, expression: tuple[str, Callable[[datetime], bool]], t: datetime
    ) -> None:
        """Successive answers are strictly increasing, minute-aligned, and each matches."""
        text, fires = expression
        schedule = cron(text)
        previous = t
        for _ in range(5):
            answer = schedule.next_after(previous)
            if answer is None:
                break
            assert answer > previous
            assert (answer.second, answer.microsecond) == (0, 0)
            assert schedule.matches(answer) and fires(answer)
            previous = answer

    @given(expression=cron_expressions())
    def test_render_round_trips(self, expression: tuple[str, Callable[[datetime], bool]]) -> None:
        """parse(render(x)) == x, and render is stable."""
        schedule = cron(expression[0])
        rendered = schedule.render()
        assume(len(rendered) <= 256)  # AWS's length limit applies to canonical text too
        assert parse_schedule(rendered) == schedule
        assert parse_schedule(rendered).render() == rendered


rate_schedules = st.builds(RateSchedule, st.integers(1, 100_000), st.sampled_from(list(RateUnit)))


class TestRateProperties:
    """Rate schedules fire at anchor + k * period, k >= 1."""

    @given(schedule=rate_schedules, anchor=instants, t=instants)
    def test_steps_by_exactly_the_rate(
        self, schedule: RateSchedule, anchor: datetime, t: datetime
    ) -> None:
        """The answer is the first anchor + k*period after t, and the next is one period later."""
        answer = schedule.next_after(t, anchor=anchor)
        assert answer is not None
        assert answer > t
        k, remainder = divmod(answer - anchor, schedule.period)
        assert remainder == timedelta(0) and k >= 1
        assert k == 1 or answer - schedule.period <= t
        assert schedule.next_after(answer, anchor=anchor) == answer + schedule.period

    @given(schedule=rate_schedules)
    def test_render_round_trips(self, schedule: RateSchedule) -> None:
        """parse(render(x)) == x, with the singular unit exactly when the value is 1."""
        rendered = schedule.render()
        assert parse_schedule(rendered) == schedule
        assert rendered.endswith("s)") == (schedule.value != 1)


cron_alphabet = st.sampled_from(
    [*"0123456789*?/-,#LW ()", "cron(", "rate(", "MON", "JAN", "minutes", "hour", "day"]
)


class TestParserRobustness:
    """The parser never fails other than with AWS's error."""

    @given(st.text(max_size=60) | st.lists(cron_alphabet, max_size=25).map("".join))
    def test_arbitrary_text(self, text: str) -> None:
        """Any text parses, or raises ValidationException naming a position inside it."""
        try:
            schedule = parse_schedule(text)
        except ValidationException as error:
            assert error.message.startswith("Parameter ScheduleExpression is not valid.")
            assert error.position is not None and 0 <= error.position <= len(text)
        else:
            assert parse_schedule(schedule.render()) == schedule

    @given(expression=cron_expressions(), data=st.data())
    def test_mutated_expressions(
        self, expression: tuple[str, Callable[[datetime], bool]], data: st.DataObject
    ) -> None:
        """A valid expression with one character replaced parses or raises the AWS error."""
        text = expression[0]
        index = data.draw(st.integers(0, len(text) - 1))
        replacement = data.draw(st.sampled_from(list("0123456789*?/-,#LW ()xA")))
        mutated = text[:index] + replacement + text[index + 1 :]
        assume(mutated != text)
        try:
            parse_schedule(mutated)
        except ValidationException as error:
            assert error.position is not None and 0 <= error.position <= len(mutated)
