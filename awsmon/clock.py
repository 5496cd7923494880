"""The virtual clock: the only source of "now" in awsmon, and its job scheduler.

Main classes:

- `VirtualClock`: holds the current instant, moves only when told to
  (`advance`, `advance_to`) and runs the jobs that fall due on the way.
- `Job`: the handle of a scheduled job, with `cancel()`.

Everything time-driven in the simulation (alarm evaluation, retention expiry,
scheduled rules, retries, trail delivery) is a job on this clock, so a test or
a notebook decides exactly when time passes:

>>> from datetime import timedelta
>>> clock = VirtualClock()
>>> fired = []
>>> _ = clock.call_later(timedelta(minutes=1), lambda: fired.append(clock.now()))
>>> clock.advance(90)
>>> fired == [DEFAULT_START + timedelta(minutes=1)]
True
>>> clock.now() == DEFAULT_START + timedelta(seconds=90)
True
"""

from __future__ import annotations

import heapq
import itertools
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from attrs import frozen

from awsmon.errors import ClockError
from awsmon.times import EPOCH as _EPOCH
from awsmon.times import to_datetime, to_timedelta

__all__ = [
    "DEFAULT_START",
    "Job",
    "JobFailure",
    "VirtualClock",
    "to_datetime",
    "to_timedelta",
    "wall_minute",
]

#: How many job failures a clock remembers (the oldest are dropped first).
MAX_FAILURES = 100

#: Where a clock starts when no start is given: fixed, so every run repeats, and
#: deliberately not a round date, so a mix-up with the wall clock shows.
DEFAULT_START = datetime(2025, 3, 14, 15, 9, 26, tzinfo=UTC)


@frozen
class JobFailure:
    """A clock job that raised: recorded in `VirtualClock.failures`, and the clock went on.

    Attributes:
        at: the virtual instant the job ran.
        job: the job's name.
        error: ``repr`` of the exception.
        traceback: the formatted traceback text.
    """

    at: datetime
    job: str
    error: str
    traceback: str


def wall_minute() -> datetime:
    """The process's wall time now, rounded down to the minute (UTC).

    The one read of the wall clock in awsmon: where ``VirtualClock(start="wall")``
    starts. Nothing else in the simulation looks at the wall clock.
    """
    now = datetime.now(UTC)  # wall-clock-ok
    return now.replace(second=0, microsecond=0)


class Job:
    """A job scheduled on a `VirtualClock`; keep it to `cancel()` the job.

    Attributes:
        due_at: when the job runs next.
        interval: the period of a repeating job, None for a one-off.
        name: a label for `VirtualClock.pending()` (defaults to the callable's name).
    """

    __slots__ = ("_args", "_cancelled", "_fn", "due_at", "interval", "name")

    def __init__(
        self,
        due_at: datetime,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        interval: timedelta | None,
        name: str | None,
    ) -> None:
        self.due_at = due_at
        self.interval = interval
        self.name = name or getattr(fn, "__qualname__", repr(fn))
        self._fn = fn
        self._args = args
        self._cancelled = False

    @property
    def cancelled(self) -> bool:
        """True once `cancel()` was called."""
        return self._cancelled

    def cancel(self) -> None:
        """Stop the job: it will not run again. Cancelling twice is harmless."""
        self._cancelled = True

    def __repr__(self) -> str:
        every = f" every {self.interval}" if self.interval else ""
        state = " cancelled" if self._cancelled else ""
        return f"<Job {self.name} at {self.due_at.isoformat()}{every}{state}>"


class VirtualClock:
    """A clock that moves only when told to, running due jobs in order.

    Jobs run in order of due time, ties in the order they were scheduled. While
    a job runs, `now()` equals its due time. A job may schedule more jobs; those
    that fall due before the target of the current advance run in the same
    advance. Time never goes backwards.

    Methods, by purpose:

    - reading time: `now`, `time`
    - moving time: `advance`, `advance_to`, `run_pending`
    - scheduling: `call_at`, `call_later`, `call_every`
    - inspection: `pending`, `peek`
    - bridges to the outside: `add_observer`, `drive_wall_clock`

    Args:
        start: the initial instant (naive is taken as UTC); `DEFAULT_START` if
            omitted, so runs repeat; ``"wall"`` for the process's wall time
            rounded down to the minute (for a simulation that must line up with
            timestamps third-party code takes from the wall clock).
    """

    def __init__(self, start: datetime | float | str | None = None) -> None:
        if start == "wall":
            self._now = wall_minute()
        elif start is None:
            self._now = DEFAULT_START
        elif isinstance(start, str):
            raise ClockError(
                f"a clock starts at a datetime, epoch seconds or 'wall', got {start!r}"
            )
        else:
            self._now = to_datetime(start)
        self._queue: list[tuple[datetime, int, Job]] = []
        self._seq = itertools.count()
        self._running = False
        self._observers: list[Callable[[datetime], None]] = []
        #: The last `MAX_FAILURES` jobs that raised (a job's failure never stops the clock:
        #: what a user sent must not stop time for everyone else).
        self.failures: deque[JobFailure] = deque(maxlen=MAX_FAILURES)
        self._driving = 0
        #: Told of each job just before it runs (the cloud's timeline listens here).
        self.job_observers: list[Callable[[Job], None]] = []
        #: Serializes the simulation: clock moves and operation calls from many threads
        #: run one at a time (re-entrant, so a job may make calls).
        self.lock = threading.RLock()

    # -- reading time -----------------------------------------------------------

    def now(self) -> datetime:
        """The current virtual instant, an aware UTC datetime."""
        return self._now

    def time(self) -> float:
        """The current virtual instant as epoch seconds."""
        return (self._now - _EPOCH).total_seconds()

    # -- moving time ------------------------------------------------------------

    def advance(self, delta: timedelta | float | int) -> None:
        """Move time forward by `delta` (a timedelta or seconds), running due jobs.

        Raises:
            ClockError: `delta` is negative, or `advance` was called from a job.
        """
        step = to_timedelta(delta)
        if step < timedelta(0):
            raise ClockError(f"time can't go backwards: advance({step}) is negative")
        self._run_until(self._now + step)

    def advance_to(self, when: datetime | float | int) -> None:
        """Move time forward to `when` (naive is UTC; or epoch seconds), running due jobs.

        Raises:
            ClockError: `when` is before `now()`, or `advance_to` was called from a job.
        """
        target = to_datetime(when)
        if target < self._now:
            raise ClockError(
                f"time can't go backwards: advance_to({target.isoformat()}) "
                f"is before now ({self._now.isoformat()})"
            )
        self._run_until(target)

    def run_pending(self) -> None:
        """Run the jobs due at the current instant, without moving time."""
        self._run_until(self._now)

    def _run_until(self, target: datetime) -> None:
        with self.lock:
            self._run_jobs_until(target)

    def _run_jobs_until(self, target: datetime) -> None:
        if self._running:
            raise ClockError("the clock can't be moved from inside a clock job")
        self._running = True
        try:
            queue = self._queue
            while queue and queue[0][0] <= target:
                due, _, job = heapq.heappop(queue)
                if job.cancelled:
                    continue
                self._set_now(due)
                if job.interval is not None:
                    job.due_at = due + job.interval
                    heapq.heappush(queue, (job.due_at, next(self._seq), job))
                for seen in self.job_observers:
                    seen(job)
                self._run_job(due, job)
            self._set_now(target)
        finally:
            self._running = False

    def _run_job(self, due: datetime, job: Job) -> None:
        try:
            job._fn(*job._args)
        except ClockError:
            raise
        except Exception as error:  # recorded: one job must not stop the clock
            text = "".join(traceback.format_exception(error))
            self.failures.append(JobFailure(due, str(job.name), repr(error), text))

    def _set_now(self, when: datetime) -> None:
        if when != self._now:
            self._now = when
            for observer in self._observers:
                observer(when)

    # -- scheduling -------------------------------------------------------------

    def call_at(
        self,
        when: datetime | float | int,
        fn: Callable[..., Any],
        *args: Any,
        name: str | None = None,
    ) -> Job:
        """Run `fn(*args)` at `when`; an instant not after `now()` runs at the next move.

        Returns:
            The `Job`, whose `cancel()` stops it.
        """
        due = max(to_datetime(when), self._now)
        return self._schedule(Job(due, fn, args, None, name))

    def call_later(
        self,
        delay: timedelta | float | int,
        fn: Callable[..., Any],
        *args: Any,
        name: str | None = None,
    ) -> Job:
        """Run `fn(*args)` once, `delay` (a timedelta or seconds) from now.

        Raises:
            ClockError: `delay` is negative.
        """
        step = to_timedelta(delay)
        if step < timedelta(0):
            raise ClockError(f"can't schedule in the past: delay {step} is negative")
        return self._schedule(Job(self._now + step, fn, args, None, name))

    def call_every(
        self,
        interval: timedelta | float | int,
        fn: Callable[..., Any],
        *args: Any,
        first: datetime | float | int | None = None,
        name: str | None = None,
    ) -> Job:
        """Run `fn(*args)` every `interval`, first at `first` (default: one interval from now).

        Over a span of time S from scheduling, a job with the default `first`
        runs exactly floor(S / interval) times.

        Raises:
            ClockError: `interval` is not positive.
        """
        step = to_timedelta(interval)
        if step <= timedelta(0):
            raise ClockError(f"call_every needs a positive interval, got {step}")
        due = self._now + step if first is None else max(to_datetime(first), self._now)
        return self._schedule(Job(due, fn, args, step, name))

    def _schedule(self, job: Job) -> Job:
        heapq.heappush(self._queue, (job.due_at, next(self._seq), job))
        return job

    # -- observers ------------------------------------------------------------

    def add_observer(self, observer: Callable[[datetime], None]) -> None:
        """Call `observer(now)` each time the virtual time changes (also between jobs).

        For bridges to the world outside the simulation (the X-Ray daemon's
        socket, the process's wall clock); simulation logic uses jobs instead.
        """
        self._observers.append(observer)

    def remove_observer(self, observer: Callable[[datetime], None]) -> None:
        """Stop calling `observer`; removing one that is not there is harmless."""
        if observer in self._observers:
            self._observers.remove(observer)

    # -- inspection ------------------------------------------------------------

    def pending(self) -> list[Job]:
        """The jobs still to run, in the order they will run."""
        return [job for _, _, job in sorted(self._queue) if not job.cancelled]

    def peek(self) -> datetime | None:
        """When the next job is due, or None when nothing is scheduled."""
        while self._queue and self._queue[0][2].cancelled:
            heapq.heappop(self._queue)
        return self._queue[0][0] if self._queue else None

    # -- the process's wall clock -------------------------------------------

    @contextmanager
    def drive_wall_clock(self) -> Iterator[VirtualClock]:
        """Make the process's wall clock follow this virtual clock, inside the block.

        Third-party SDKs stamp their data with the process's clock (``time.time``
        and ``datetime.now``: aws-xray-sdk, aws-embedded-metrics). Inside this
        block those read the virtual time, and follow it as the clock advances,
        so what such an SDK sends lands on the virtual timeline. Built on the
        `time-machine` library (``pip install 'awsmon[boto3]'``, or ``awsmon[wallclock]``).

        Simulation notes: time-machine patches the C-level time functions of
        the whole process; the monotonic and performance counters are
        left alone (they measure durations, which the SDKs use for timeouts).

        Raises:
            ModuleNotFoundError: time-machine is not installed.
        """
        import time_machine

        traveller = time_machine.travel(self._now, tick=False)
        coordinates = traveller.start()

        def follow(when: datetime) -> None:
            coordinates.move_to(when)

        self.add_observer(follow)
        self._driving += 1
        try:
            yield self
        finally:
            self._driving -= 1
            self.remove_observer(follow)
            traveller.stop()

    @property
    def driving_wall_clock(self) -> bool:
        """True inside `drive_wall_clock`."""
        return self._driving > 0

    # -- copies (Cloud.fork, snapshot, restore) -----------------------------

    def __getstate__(self) -> dict[str, Any]:
        # A copy gets a lock of its own and no observers: those bridge this
        # clock to the world outside (the process's wall clock, a socket).
        state = dict(self.__dict__)
        state["lock"] = None
        state["_observers"] = []
        state["_driving"] = 0
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.lock = threading.RLock()

    def __repr__(self) -> str:
        return f"<VirtualClock {self._now.isoformat()} pending={len(self.pending())}>"
