"""CloudTrail recording: its cost beside the same work with recording off (issue 12).

(a) one-datum PutMetricData wire calls with CloudTrail recording on, and with
    the recorder removed from the dispatch (no listener at all): the cost of
    recording, as a percentage of the call (target: under 15 %);
    the same for CreateLogGroup / DeleteLogGroup (management writes, indexed);
(b) LookupEvents by EventName, one page of 50, over 1,000,000 recorded calls
    (target: under 5 ms), and the first lookup, which indexes the calls
    recorded since the previous one (recording itself only appends);
(c) bytes of memory per recorded call (tracemalloc), and what 1,000,000 take
    (target: under 500 MB).

Prints figures and ratios; asserts nothing. Best of several runs.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from awsmon import Cloud
from awsmon.cloudtrail.classify import classify
from awsmon.cloudtrail.recording import recorder_of
from awsmon.cloudtrail.records import CallRecord
from awsmon.dispatch import ApiCall
from awsmon.identity import Principal

CALLS = 20_000


def best_of(fn: Callable[[], Any], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def interleaved(
    make: Callable[[bool], Callable[[], None]], calls: int, rounds: int = 25
) -> tuple[float, float]:
    """Seconds per call without and with recording: batches alternate, best of each.

    Alternating the two keeps a busy machine's drift out of the ratio, and the
    process's own CPU time (not wall time) leaves out waiting for a core. On a
    shared machine one run's ratio still moves by ±10 points: 25 rounds, and
    compare several runs.
    """
    runs = {False: make(False), True: make(True)}
    best = {False: float("inf"), True: float("inf")}
    for _ in range(rounds):
        for recording in (False, True):
            gc.collect()
            start = time.process_time()
            runs[recording]()
            best[recording] = min(best[recording], time.process_time() - start)
    return best[False] / calls, best[True] / calls


def put_metric_data(recording: bool) -> Callable[[], None]:
    """A batch of one-datum PutMetricData wire calls, with or without recording."""
    cloud = Cloud()
    if not recording:
        cloud.dispatcher.listeners.remove(recorder_of(cloud))
    client = cloud.client("cloudwatch")
    datum = [{"MetricName": "Latency", "Value": 1.0, "Unit": "Milliseconds"}]

    def run() -> None:
        for _ in range(CALLS // 10):
            client.put_metric_data(Namespace="App", MetricData=datum)

    return run


def log_groups(recording: bool) -> Callable[[], None]:
    """A batch of CreateLogGroup + DeleteLogGroup pairs through the wire."""
    cloud = Cloud()
    if not recording:
        cloud.dispatcher.listeners.remove(recorder_of(cloud))
    client = cloud.client("logs")

    def run() -> None:
        for i in range(CALLS // 20):
            client.create_log_group(logGroupName=f"g{i}")
            client.delete_log_group(logGroupName=f"g{i}")

    return run


def fill(cloud: Cloud, count: int) -> None:
    """Record `count` management calls straight into the history (what the recorder keeps)."""
    history = cloud.cloudtrail.history
    start = cloud.clock.now()
    principals = [
        Principal.root(cloud.default_account_id),
        Principal.from_arn(f"arn:aws:iam::{cloud.default_account_id}:user/alice"),
    ]
    names = [
        ("logs", "CreateLogGroup"),
        ("logs", "DescribeLogGroups"),
        ("ec2", "RunInstances"),
        ("ec2", "StopInstances"),
        ("sns", "CreateTopic"),
    ]
    for i in range(count):
        service, operation = names[i % len(names)]
        kind = classify(service, operation)
        assert kind is not None
        call = ApiCall(
            request_id=f"{i:08d}-0000-4000-8000-000000000000",
            at=start + timedelta(seconds=i // 20),
            service=service,
            operation=operation,
            account_id=cloud.default_account_id,
            region=cloud.default_region,
            principal=principals[i % 2],
            parameters={"logGroupName": f"g{i % 1000}"},
            source="wire",
        )
        history.append(CallRecord(call, kind))
    cloud.clock.advance(timedelta(seconds=count // 20 + 600))


def lookup_page(count: int) -> tuple[float, float]:
    """Seconds for the first LookupEvents page (EventName) over `count` recorded calls,
    which indexes them, and for a page once they are indexed."""
    cloud = Cloud()
    fill(cloud, count)
    client = cloud.client("cloudtrail")
    lookup = [{"AttributeKey": "EventName", "AttributeValue": "StopInstances"}]

    def run() -> None:
        page = client.lookup_events(LookupAttributes=lookup, MaxResults=50)
        assert len(page["Events"]) == 50

    start = time.perf_counter()
    run()
    first = time.perf_counter() - start
    return first, best_of(run, 20)


def traced_bytes(count: int, recording: bool, operation: str) -> int:
    """Bytes still allocated after `count` wire calls of `operation`."""
    cloud = Cloud()
    if not recording:
        cloud.dispatcher.listeners.remove(recorder_of(cloud))
    cloudwatch = cloud.client("cloudwatch")
    sns = cloud.client("sns")
    arn = sns.create_topic(Name="warm")["TopicArn"]
    datum = [{"MetricName": "Latency", "Value": 1.0, "Unit": "Milliseconds"}]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(count):
        if operation == "PutMetricData":
            cloudwatch.put_metric_data(Namespace="App", MetricData=datum)
        else:
            sns.tag_resource(ResourceArn=arn, Tags=[{"Key": f"k{i % 40}", "Value": "v"}])
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return after - before


def bytes_per_record(count: int, operation: str) -> float:
    """Bytes of memory per recorded call: with recording on, minus the same run with it off."""
    return (traced_bytes(count, True, operation) - traced_bytes(count, False, operation)) / count


def main() -> None:
    print("CloudTrail recording")
    off, on = interleaved(put_metric_data, CALLS // 10)
    print(f"  PutMetricData (1 datum), recording off    {off * 1e6:8.1f} µs/call")
    print(
        f"  PutMetricData (1 datum), recording on     {on * 1e6:8.1f} µs/call"
        f"   cost {100 * (on - off) / off:5.1f} % (target < 15 %)"
    )
    off, on = interleaved(log_groups, CALLS // 20)
    print(f"  Create+DeleteLogGroup, recording off      {off * 1e6:8.1f} µs/pair")
    print(
        f"  Create+DeleteLogGroup, recording on       {on * 1e6:8.1f} µs/pair"
        f"   cost {100 * (on - off) / off:5.1f} %"
    )
    for count in (10_000, 1_000_000):
        first, seconds = lookup_page(count)
        print(
            f"  LookupEvents page of 50 over {count:>9,} calls {seconds * 1e3:8.2f} ms"
            + ("   (target < 5 ms)" if count == 1_000_000 else "")
            + f"   first lookup, indexing them: {first:6.2f} s"
        )
    for operation in ("PutMetricData", "TagResource"):
        per = bytes_per_record(20_000, operation)
        print(
            f"  memory per recorded {operation:<21} {per:8.0f} B"
            f"   1,000,000 calls: {per * 1e6 / 2**20:6.0f} MB (target < 500 MB)"
        )


if __name__ == "__main__":
    main()
