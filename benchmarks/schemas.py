"""What schema discovery costs PutEvents: throughput at 100 rules with and without a discoverer.

Puts events (5,000 then 20,000 by default, PutEvents batches of 10, all at one
virtual instant, so all wait in one discovery window) on the default bus of
a fresh cloud holding the 100 mixed rules of ``benchmarks/events.py``, first
with no discoverer (the baseline), then with a discoverer on the bus. The
events come from four sources in eight detail-types (32 schemas), and one in
twenty carries an extra field, so discovery writes new versions. Two figures per setting:

- ``put_events``: the calls alone (the discoverer only queues events there);
- ``with discovery job``: the calls plus advancing the clock past the
  discovery delay, so the queued events are inferred and the schemas written.

Each figure is the best of `repeats` runs (3 by default; a shared machine's
noise only slows a run down), baseline and discoverer runs interleaved, each
after a full garbage collection (so one run does not pay for freeing the
clouds of the runs before it).
Prints events per second and the cost of discovery as a percentage of the
baseline; the aim is under 10 % for ``put_events``. The cost grows with the
events waiting for the discovery job (memory held, not work done), so both
sizes are shown. Nothing is asserted.

Run: ``python benchmarks/schemas.py [events] [repeats]``
"""

from __future__ import annotations

import gc
import importlib.util
import json
import random
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from awsmon import Cloud
from awsmon.events import PutEventsEntry

RULES = 100
BUS = "arn:aws:events:us-east-1:123456789012:event-bus/default"
DETAIL_TYPES = [f"Order {kind}" for kind in ("Placed", "Paid", "Packed", "Shipped")] + [
    f"Stock {kind}" for kind in ("Low", "Out", "Refilled", "Counted")
]


def _events_benchmark() -> Any:
    spec = importlib.util.spec_from_file_location(
        "bench_events", Path(__file__).with_name("events.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def batches(count: int, seed: int) -> list[list[PutEventsEntry]]:
    """`count` entries in batches of 10: rule-matching details of eight detail-types."""
    bench = _events_benchmark()
    rng = random.Random(seed)
    out: list[list[PutEventsEntry]] = []
    for start in range(0, count, 10):
        batch = []
        for _ in range(min(10, count - start)):
            n = rng.randrange(RULES)
            detail = bench.detail_for(n, rng)
            if rng.random() < 0.05:
                detail[f"extra{rng.randrange(50)}"] = {"note": "x", "at": "2024-01-01T00:00:00Z"}
            batch.append(
                PutEventsEntry(
                    source=f"app.{n % 4}",
                    detail_type=rng.choice(DETAIL_TYPES),
                    detail=json.dumps(detail),
                )
            )
        out.append(batch)
    return out


def run(prepared: list[list[PutEventsEntry]], discover: bool) -> tuple[float, float, int]:
    """(put_events rate, rate including the discovery job, discovered schema versions)."""
    bench = _events_benchmark()
    cloud = Cloud()
    events = cloud.events
    events.publish_metrics = False
    events.max_rules_per_bus = RULES + 1
    for n in range(RULES):
        events.put_rule(f"rule-{n}", event_pattern=bench.rule(n))
    if discover:
        cloud.schemas.create_discoverer(BUS)
    count = sum(map(len, prepared))
    gc.collect()  # earlier runs' clouds (reference cycles) are not this run's cost
    started = time.perf_counter()
    for batch in prepared:
        events.put_events(batch)
    calls = time.perf_counter() - started
    cloud.clock.advance(timedelta(minutes=5))
    total = time.perf_counter() - started
    versions = sum(
        len(s.versions) for s in cloud.schemas.registries["discovered-schemas"].schemas.values()
    )
    return count / calls, count / total, versions


def measure(count: int, repeats: int) -> None:
    """Print the figures for `count` events queued in one discovery window."""
    prepared = batches(count, seed=7)
    base_calls = base_total = with_calls = with_total = 0.0
    versions = 0
    for _ in range(repeats):
        calls, total, _ = run(prepared, discover=False)
        base_calls, base_total = max(base_calls, calls), max(base_total, total)
        calls, total, versions = run(prepared, discover=True)
        with_calls, with_total = max(with_calls, calls), max(with_total, total)
    print(f"-- {count:,} events in one discovery window ({versions} schema versions discovered)")
    print(f"  baseline, no discoverer      put_events {base_calls:>9,.0f} ev/s")
    print(f"  discoverer on the bus        put_events {with_calls:>9,.0f} ev/s")
    print(f"  discovery cost on put_events: {(base_calls / with_calls - 1) * 100:5.1f} %")
    print(f"  baseline incl. clock advance            {base_total:>9,.0f} ev/s")
    print(f"  discoverer incl. discovery job          {with_total:>9,.0f} ev/s")
    print(f"  discovery cost with its job:  {(base_total / with_total - 1) * 100:5.1f} %")


def main() -> None:
    counts = [int(sys.argv[1])] if len(sys.argv) > 1 and sys.argv[1] else [5_000, 20_000]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    print(
        f"{RULES} rules, PutEvents batches of 10, best of {repeats}, "
        f"Python {sys.version.split()[0]}"
    )
    for count in counts:
        measure(count, repeats)


if __name__ == "__main__":
    main()
