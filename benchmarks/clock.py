"""The virtual clock's scheduler beside the standard library's `sched`, on the same work.

Work: N one-off jobs at random instants over a day plus 100 periodic jobs each
minute, then one advance over the day. The baseline is `sched.scheduler` driven
by a fake time function (the closest stock equivalent of a virtual clock).
Prints jobs per second for both and the ratio.
"""

from __future__ import annotations

import random
import sched
import time
from collections.abc import Callable
from datetime import timedelta

from awsmon import VirtualClock

ONE_OFFS = 200_000
PERIODIC = 100
DAY = 86_400


def awsmon_run(offsets: list[float]) -> int:
    clock = VirtualClock()
    count = [0]

    def job() -> None:
        count[0] += 1

    for offset in offsets:
        clock.call_later(offset, job)
    for _ in range(PERIODIC):
        clock.call_every(60, job)
    clock.advance(timedelta(seconds=DAY))
    return count[0]


def sched_run(offsets: list[float]) -> int:
    now = [0.0]
    scheduler = sched.scheduler(lambda: now[0], lambda delay: now.__setitem__(0, now[0] + delay))
    count = [0]

    def job() -> None:
        count[0] += 1

    def periodic(at: float) -> None:
        count[0] += 1
        if at + 60 <= DAY:
            scheduler.enterabs(at + 60, 1, periodic, (at + 60,))

    for offset in offsets:
        scheduler.enterabs(offset, 1, job)
    for _ in range(PERIODIC):
        scheduler.enterabs(60, 1, periodic, (60.0,))
    scheduler.run()
    return count[0]


def timed(fn: Callable[[list[float]], int], offsets: list[float]) -> tuple[int, float]:
    start = time.perf_counter()
    jobs = fn(offsets)
    return jobs, time.perf_counter() - start


def main() -> None:
    rng = random.Random(1)
    offsets = [rng.uniform(0, DAY) for _ in range(ONE_OFFS)]
    jobs, ours = timed(awsmon_run, offsets)
    base_jobs, theirs = timed(sched_run, offsets)
    assert jobs == base_jobs, (jobs, base_jobs)
    print(f"jobs run: {jobs:,} ({ONE_OFFS:,} one-off + {PERIODIC} every minute for a day)")
    print(f"awsmon VirtualClock: {jobs / ours:>12,.0f} jobs/s ({ours:.2f} s)")
    print(f"stdlib sched:        {jobs / theirs:>12,.0f} jobs/s ({theirs:.2f} s)")
    print(f"ratio awsmon/sched:  {theirs / ours:.2f}x")


if __name__ == "__main__":
    main()
