"""CloudWatch alarms: a simulated day of 1,000 alarms on 1,000 metrics (issue 4's benchmark).

Each metric gets one datapoint a minute (mostly quiet, with bursts that cross
the threshold, so alarms do change state and write reasons, history and
events); the clock advances minute by minute for one day, so each alarm is
evaluated 1,440 times. Prints the wall time, the time spent advancing the
clock (the evaluations) and evaluations per second.

Baseline, in the same run: the same windows decided by calling the pure
`awsmon.cloudwatch.alarms.evaluation.evaluate` on every evaluation (what a naive
service would do), timed on a sample and scaled up. moto is not a baseline
here: its CloudWatch backend stores alarms but never evaluates them.
Asserts nothing.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from awsmon import Cloud, VirtualClock
from awsmon.cloudwatch.alarms.evaluation import evaluate
from awsmon.cloudwatch.alarms.window import read_fast
from awsmon.cloudwatch.metrics.model import MetricKey
from awsmon.cloudwatch.metrics.store import epoch_seconds

T0 = datetime(2025, 6, 1, tzinfo=UTC)
ALARMS = 1000
MINUTES = 24 * 60
TREATS = ["missing", "notBreaching", "breaching", "ignore"]


def build(seed: int = 7) -> tuple[Cloud, list[MetricKey], random.Random]:
    cloud = Cloud(clock=VirtualClock(T0), seed=seed)
    cw = cloud.cloudwatch
    keys = [MetricKey.of("Bench", "Latency", {"Service": f"svc-{i:04d}"}) for i in range(ALARMS)]
    for i, key in enumerate(keys):
        cw.put_metric_alarm(
            f"latency-{i:04d}",
            metric_name=key.name,
            namespace=key.namespace,
            dimensions=key.dimensions,
            statistic="Average",
            period=60,
            evaluation_periods=3,
            datapoints_to_alarm=2 if i % 2 else None,
            threshold=100.0,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data=TREATS[i % len(TREATS)],
        )
    return cloud, keys, random.Random(seed)


def value(rng: random.Random, minute: int, index: int) -> float | None:
    if (minute + index) % 97 == 0:
        return None  # a gap now and then
    burst = (minute // 30 + index) % 11 == 0
    return rng.uniform(110, 200) if burst else rng.uniform(10, 90)


def run_day() -> tuple[float, float, int, int]:
    cloud, keys, rng = build()
    cw = cloud.cloudwatch
    clock = cloud.clock
    advancing = 0.0
    start = time.perf_counter()
    for minute in range(MINUTES):
        now = clock.now()
        for index, key in enumerate(keys):
            point = value(rng, minute, index)
            if point is not None:
                cw.publish(key, [(now, point)])
        before = time.perf_counter()
        clock.advance(timedelta(minutes=1))
        advancing += time.perf_counter() - before
    total = time.perf_counter() - start
    changes = sum(1 for item in cw.alarm_history if item.item_type.value == "StateUpdate")
    return total, advancing, cw.evaluations, changes


def baseline_rate(sample_minutes: int = 60) -> float:
    """Evaluations per second when every evaluation calls the full `evaluate`."""
    cloud, keys, rng = build()
    cw = cloud.cloudwatch
    alarms = [cw.alarm(f"latency-{i:04d}") for i in range(ALARMS)]
    for minute in range(sample_minutes):
        now = cloud.clock.now()
        for index, key in enumerate(keys):
            point = value(rng, minute, index)
            if point is not None:
                cw.publish(key, [(now, point)])
        cloud.clock.advance_to(cloud.clock.now() + timedelta(minutes=1))
    now_s = epoch_seconds(cloud.clock.now())
    count = 0
    start = time.perf_counter()
    for alarm in alarms:
        assert alarm.metric is not None and alarm.parsed_statistic is not None
        series = cw.metric(alarm.metric).series
        store = next(iter(series.values()))
        size = alarm.config.range_size
        for offset in range(sample_minutes // 4):
            end = now_s - now_s % 60 - offset * 60
            window = read_fast(store, alarm.parsed_statistic, end - size * 60, 60, size)
            evaluate(alarm.config, window, alarm.state)
            count += 1
    return count / (time.perf_counter() - start)


def main() -> None:
    print(f"CloudWatch alarms: {ALARMS:,} alarms, {ALARMS:,} metrics, one datapoint per metric")
    print(f"per minute, {MINUTES:,} simulated minutes")
    total, advancing, evaluations, changes = run_day()
    rate = evaluations / advancing
    print(f"  wall time, whole day (publishing + evaluating)   {total:8.2f} s")
    print(f"  time advancing the clock (evaluations)            {advancing:8.2f} s")
    print(f"  evaluations                                       {evaluations:>11,}")
    print(f"  state changes (each with reason, history, event) {changes:>11,}")
    print(f"  evaluations per second                            {rate:>11,.0f} /s")
    base = baseline_rate()
    print(f"  baseline: full evaluate() per evaluation          {base:>11,.0f} /s")
    print(f"  awsmon / baseline                                 {rate / base:>11.1f}x")


if __name__ == "__main__":
    main()
