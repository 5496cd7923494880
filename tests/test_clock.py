"""Tests of awsmon/clock.py: the virtual clock and its job scheduler."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon import ClockError, VirtualClock
from awsmon.clock import DEFAULT_START, MAX_FAILURES, to_datetime, to_timedelta

T0 = datetime(2024, 1, 1, tzinfo=UTC)


class TestReadingTime:
    def test_default_start_is_fixed(self) -> None:
        """Two clocks made without a start agree, whatever the wall clock says."""
        assert VirtualClock().now() == VirtualClock().now() == DEFAULT_START

    def test_naive_start_is_utc(self) -> None:
        """A naive start datetime is taken as UTC."""
        assert VirtualClock(datetime(2024, 1, 1)).now() == T0

    def test_other_timezones_are_converted(self) -> None:
        """An aware start in another zone is the same instant, in UTC."""
        paris = timezone(timedelta(hours=1))
        clock = VirtualClock(datetime(2024, 1, 1, 1, tzinfo=paris))
        assert clock.now() == T0 and clock.now().tzinfo == UTC

    def test_time_is_epoch_seconds(self) -> None:
        """time() gives the same instant as epoch seconds."""
        assert VirtualClock(T0).time() == 1704067200.0


class TestAdvance:
    def test_advance_accepts_seconds_and_timedelta(self) -> None:
        """advance takes a float of seconds or a timedelta."""
        clock = VirtualClock(T0)
        clock.advance(1.5)
        clock.advance(timedelta(minutes=1))
        assert clock.now() == T0 + timedelta(seconds=61.5)

    def test_advance_to(self) -> None:
        """advance_to moves to an absolute instant (naive is UTC, or epoch seconds)."""
        clock = VirtualClock(T0)
        clock.advance_to(datetime(2024, 1, 2))
        assert clock.now() == T0 + timedelta(days=1)
        clock.advance_to(1704067200.0 + 2 * 86400)
        assert clock.now() == T0 + timedelta(days=2)

    def test_backwards_is_an_error(self) -> None:
        """Going backwards raises ClockError, which is also a ValueError."""
        clock = VirtualClock(T0)
        with pytest.raises(ClockError, match=r"^time can't go backwards: advance\(-1 day"):
            clock.advance(timedelta(days=-1))
        with pytest.raises(ValueError, match="is before now"):
            clock.advance_to(T0 - timedelta(seconds=1))
        assert clock.now() == T0

    def test_advance_from_a_job_is_an_error(self) -> None:
        """A job may not move the clock itself."""
        clock = VirtualClock(T0)
        clock.call_later(1, lambda: clock.advance(1))
        with pytest.raises(ClockError, match="inside a clock job"):
            clock.advance(5)

    def test_advance_zero_runs_jobs_due_now(self) -> None:
        """A job scheduled for now runs on advance(0) or run_pending()."""
        clock = VirtualClock(T0)
        ran: list[int] = []
        clock.call_later(0, ran.append, 1)
        clock.run_pending()
        clock.call_at(T0 - timedelta(hours=1), ran.append, 2)  # the past means: at once
        clock.advance(0)
        assert ran == [1, 2]

    def test_bad_types_are_rejected(self) -> None:
        """Strings are neither durations nor instants."""
        with pytest.raises(TypeError):
            to_timedelta("5")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            to_datetime("2024-01-01")  # type: ignore[arg-type]


class TestJobs:
    def test_job_sees_its_due_time(self) -> None:
        """While a job runs, now() is its due time, not the advance's target."""
        clock = VirtualClock(T0)
        seen: list[datetime] = []
        clock.call_later(timedelta(seconds=30), lambda: seen.append(clock.now()))
        clock.advance(timedelta(minutes=5))
        assert seen == [T0 + timedelta(seconds=30)]
        assert clock.now() == T0 + timedelta(minutes=5)

    def test_jobs_scheduled_by_jobs_run_in_the_same_advance(self) -> None:
        """A job's follow-up that falls due before the target runs in the same advance."""
        clock = VirtualClock(T0)
        seen: list[float] = []

        def first() -> None:
            seen.append(clock.time())
            clock.call_later(10, lambda: seen.append(clock.time()))
            clock.call_later(1000, lambda: seen.append(clock.time()))

        clock.call_later(10, first)
        clock.advance(60)
        assert [s - T0.timestamp() for s in seen] == [10, 20]
        assert len(clock.pending()) == 1

    def test_call_every_with_first(self) -> None:
        """call_every runs first at `first`, then every interval after it."""
        clock = VirtualClock(T0)
        seen: list[datetime] = []
        clock.call_every(60, lambda: seen.append(clock.now()), first=T0 + timedelta(seconds=5))
        clock.advance(150)
        assert seen == [
            T0 + timedelta(seconds=5),
            T0 + timedelta(seconds=65),
            T0 + timedelta(seconds=125),
        ]

    def test_cancel_from_inside_a_periodic_job(self) -> None:
        """A periodic job that cancels itself does not run again."""
        clock = VirtualClock(T0)
        count: list[int] = []

        def tick() -> None:
            count.append(1)
            if len(count) == 3:
                job.cancel()

        job = clock.call_every(1, tick)
        clock.advance(10)
        assert len(count) == 3 and job.cancelled and clock.pending() == []

    def test_a_failing_job_is_recorded_and_the_clock_goes_on(self) -> None:
        """An exception in a job is recorded in `failures` (with its traceback); time goes on."""
        clock = VirtualClock(T0)

        def boom() -> None:
            raise RuntimeError("boom")

        clock.call_later(10, boom)
        ran = []
        clock.call_later(20, lambda: ran.append(clock.now()))
        clock.advance(60)
        assert clock.now() == T0 + timedelta(seconds=60)
        assert ran == [T0 + timedelta(seconds=20)] and clock.pending() == []
        [failure] = clock.failures
        assert failure.at == T0 + timedelta(seconds=10) and failure.job.endswith("boom")
        assert failure.error == "RuntimeError('boom')" and "raise RuntimeError" in failure.traceback

    def test_failures_are_bounded(self) -> None:
        """Only the last MAX_FAILURES failures are kept."""
        clock = VirtualClock(T0)

        def boom(i: int) -> None:
            raise RuntimeError(i)

        for i in range(MAX_FAILURES + 5):
            clock.call_later(i + 1, boom, i)
        clock.advance(1000)
        assert len(clock.failures) == MAX_FAILURES
        assert clock.failures[0].error == "RuntimeError(5)"

    def test_pending_and_peek(self) -> None:
        """pending() lists live jobs in run order; peek() gives the next due time."""
        clock = VirtualClock(T0)
        b = clock.call_later(20, print, name="b")
        a = clock.call_later(10, print, name="a")
        c = clock.call_every(30, print, name="c")
        a.cancel()
        assert clock.pending() == [b, c]
        assert clock.peek() == T0 + timedelta(seconds=20)
        assert "b at 2024-01-01T00:00:20" in repr(b)

    def test_bad_intervals(self) -> None:
        """A non-positive interval or a negative delay is refused."""
        clock = VirtualClock(T0)
        with pytest.raises(ClockError, match="positive interval"):
            clock.call_every(0, print)
        with pytest.raises(ClockError, match="negative"):
            clock.call_later(-1, print)


class TestDriveWallClock:
    def test_wall_clock_follows_virtual_time(self) -> None:
        """Inside drive_wall_clock, time.time() and datetime.now() read virtual time."""
        clock = VirtualClock(T0)
        seen: list[float] = []
        clock.call_later(30, lambda: seen.append(time.time()))
        with clock.drive_wall_clock():
            assert time.time() == T0.timestamp()
            clock.advance(60)
            assert datetime.now(UTC) == T0 + timedelta(seconds=60)
        assert seen == [T0.timestamp() + 30]
        assert time.time() > datetime(2026, 1, 1, tzinfo=UTC).timestamp()


# -- properties ---------------------------------------------------------------------

delays = st.integers(min_value=0, max_value=10_000)


@given(st.lists(delays, max_size=40), st.integers(0, 20_000))
def test_jobs_fire_in_time_order_ties_in_insertion_order(offsets: list[int], span: int) -> None:
    """Jobs run in non-decreasing due time, equal times in the order scheduled."""
    clock = VirtualClock(T0)
    fired: list[tuple[float, int]] = []
    for index, offset in enumerate(offsets):
        clock.call_later(offset, lambda i=index: fired.append((clock.time(), i)))
    clock.advance(span)
    expected = sorted(((T0.timestamp() + off, i) for i, off in enumerate(offsets) if off <= span))
    assert fired == expected


@given(st.lists(delays, max_size=20), st.lists(delays, max_size=5), delays, delays)
def test_advance_is_additive(offsets: list[int], intervals: list[int], a: int, b: int) -> None:
    """advance(a); advance(b) runs the same jobs at the same times as advance(a + b)."""

    def run(steps: list[int]) -> list[tuple[float, str]]:
        clock = VirtualClock(T0)
        fired: list[tuple[float, str]] = []
        for index, offset in enumerate(offsets):
            clock.call_later(offset, lambda i=index: fired.append((clock.time(), f"once{i}")))
        for index, interval in enumerate(intervals):
            clock.call_every(
                interval + 1, lambda i=index: fired.append((clock.time(), f"every{i}"))
            )
        for step in steps:
            clock.advance(step)
        return fired

    assert run([a, b]) == run([a + b])


@given(st.lists(st.tuples(delays, st.booleans()), max_size=30), st.integers(0, 20_000))
def test_cancelled_jobs_never_fire(jobs: list[tuple[int, bool]], span: int) -> None:
    """A job cancelled before its time never runs; the others all run."""
    clock = VirtualClock(T0)
    fired: list[int] = []
    handles = [clock.call_later(offset, fired.append, i) for i, (offset, _) in enumerate(jobs)]
    for handle, (_, cancel) in zip(handles, jobs, strict=True):
        if cancel:
            handle.cancel()
    clock.advance(span)
    assert sorted(fired) == [
        i for i, (off, cancel) in enumerate(jobs) if not cancel and off <= span
    ]


@given(st.integers(1, 3600), st.integers(0, 100_000), st.integers(0, 5))
def test_periodic_jobs_fire_floor_span_over_interval_times(
    interval: int, span: int, pieces: int
) -> None:
    """A call_every job fires exactly floor(span / interval) times, however time is cut up."""
    clock = VirtualClock(T0)
    count: list[int] = []
    clock.call_every(interval, lambda: count.append(1))
    cut = [span // (pieces + 1)] * pieces
    for step in cut:
        clock.advance(step)
    clock.advance(span - sum(cut))
    assert len(count) == span // interval
