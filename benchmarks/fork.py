"""Forking a cloud: `Cloud.fork()` on a cloud of 100,000 datapoints and 10,000 log events.

Work: 100 metrics (10 dimensions each) with 1,000 one-minute datapoints each,
5 alarms, and 10 log streams of 1,000 events each; then one fork. The baseline
is `pickle` round-trip of the same metric and log stores' data as plain
tuples (the cheapest stock way to copy that many values), measured in the same run.
Prints seconds for both and the ratio (the issue's target: fork under 0.5 s).
"""

from __future__ import annotations

import pickle
import time
from datetime import timedelta

from awsmon import Cloud

METRICS = 100
POINTS = 1_000
STREAMS = 10
EVENTS = 1_000


def build() -> Cloud:
    cloud = Cloud()
    start = cloud.clock.now()
    metrics = cloud.client("cloudwatch")
    for m in range(METRICS):
        for chunk in range(0, POINTS, 1000):
            metrics.put_metric_data(
                Namespace="Bench",
                MetricData=[
                    {
                        "MetricName": "Load",
                        "Dimensions": [{"Name": "Host", "Value": f"h{m}"}],
                        "Timestamp": start - timedelta(minutes=POINTS - i),
                        "Value": float(i % 97),
                    }
                    for i in range(chunk, min(chunk + 1000, POINTS))
                ],
            )
    for a in range(5):
        metrics.put_metric_alarm(
            AlarmName=f"load-{a}", Namespace="Bench", MetricName="Load",
            Dimensions=[{"Name": "Host", "Value": f"h{a}"}], Statistic="Average",
            Period=60, EvaluationPeriods=3, Threshold=50,
            ComparisonOperator="GreaterThanThreshold",
        )
    logs = cloud.client("logs")
    logs.create_log_group(logGroupName="bench")
    base = int(cloud.clock.time() * 1000) - EVENTS * 1000
    for s in range(STREAMS):
        logs.create_log_stream(logGroupName="bench", logStreamName=f"s{s}")
        logs.put_log_events(
            logGroupName="bench", logStreamName=f"s{s}",
            logEvents=[
                {"timestamp": base + i * 1000, "message": f"line {i} ok"} for i in range(EVENTS)
            ],
        )
    return cloud


def main() -> None:
    cloud = build()
    started = time.perf_counter()
    fork = cloud.fork()
    forked = time.perf_counter() - started
    plain: list[tuple[int, int, float | str]] = [
        (m, i, float(i % 97)) for m in range(METRICS) for i in range(POINTS)
    ]
    plain += [(s, i, f"line {i} ok") for s in range(STREAMS) for i in range(EVENTS)]
    started = time.perf_counter()
    pickle.loads(pickle.dumps(plain))
    baseline = time.perf_counter() - started
    assert fork.clock.now() == cloud.clock.now()
    size = f"{METRICS * POINTS:,} datapoints + {STREAMS * EVENTS:,} log events"
    print(f"fork of {size}: {forked:.3f} s")
    print(f"baseline pickle round-trip of the same values as tuples: {baseline:.3f} s")
    print(f"ratio fork / baseline: {forked / baseline:.1f}")


if __name__ == "__main__":
    main()
