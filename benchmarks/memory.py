"""Memory of the metric store at scale: bytes per metric-year, and 1,000 metrics projected.

A simulated year of 1-minute data (one value a minute, cycling through 0..96,
so every rolled-up slot holds many distinct values) is written to one metric's
`SeriesStore`, rolling up by AWS's retention schedule every simulated hour as
the clock job does. tracemalloc measures what the store holds at the end; the
projection multiplies by 1,000 metrics (issue 19's aim: within 3 GB).

The baseline is the same year kept without retention's roll-up cost counted:
plain Python lists of (timestamp, value) floats for the 15 days of 1-minute
data that AWS keeps exact, which is what a naive store would hold for the
exact part alone. Prints figures; asserts nothing.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from datetime import UTC, datetime

from awsmon.cloudwatch.metrics.store import SeriesStore, epoch_seconds

YEAR_MINUTES = 365 * 24 * 60
START = epoch_seconds(datetime(2025, 1, 1, tzinfo=UTC))


def year_of_minutes(minutes: int = YEAR_MINUTES) -> SeriesStore:
    """One metric's store after `minutes` of 1-minute data, rolled up every hour."""
    store = SeriesStore()
    add = store.add_value
    for minute in range(minutes):
        slot = START + minute * 60
        add(slot, float(minute % 97))
        if minute % 60 == 59:
            store.roll_up(slot + 60)
    return store


def main() -> None:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    started = time.process_time()
    store = year_of_minutes()
    cpu = time.process_time() - started
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    print("metric store memory (one simulated year of 1-minute data, rolled up hourly)")
    print(f"  {YEAR_MINUTES:,} points kept as {len(store):,} slots, written in {cpu:,.1f} s CPU")
    print(f"  {used:,} bytes per metric-year ({used / YEAR_MINUTES:,.2f} bytes per point)")
    print(f"  1,000 metrics: {used * 1000 / 2**30:,.2f} GiB (aim: within 3 GB)")
    exact = 15 * 24 * 60
    baseline = [(float(START + m * 60), float(m % 97)) for m in range(exact)]
    tracemalloc.start()
    copy = [(t + 0.0, v + 0.0) for t, v in baseline]
    plain = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del copy
    print(f"  baseline: a plain list of (time, value) for the 15 exact days alone: "
          f"{plain:,} bytes; store/baseline {used / plain:,.2f}x")


if __name__ == "__main__":
    main()
