"""CloudWatch metrics: awsmon beside moto's backend on the same work (issue 3's benchmark).

(a) store 1,000,000 datapoints (100 metrics × 10,000 minutes) through the
    domain; 100,000 through the wire client's PutMetricData in batches of
    1,000 (beside the domain's publish of the same points, and moto's
    backend); and 10,000 through boto3 routing;
(b) GetMetricStatistics, Period=3600, five statistics, over one metric's
    20,000 stored 1-minute points (five metrics loaded): warm (unchanged
    data, the memo answers), cold after a write, cold with every memo
    cleared, the same without numpy (the plain engine), and the fixed cost of
    a call that answers nothing;
(c) GetMetricData Average, Period=3600, over the same range; and five series
    with SUM(METRICS()) (both cold: every series' memo cleared before each
    call); and 20 TIME_SERIES(1) queries over 455 days at Period=60 (655,200
    periods each), whose first page of 100,800 datapoints is all a call
    computes, beside the plain-Python floor of making 100,800 (timestamp,
    value) pairs;
(d) bytes of memory per stored datapoint (tracemalloc): 1-minute data written
    in time order, and after a simulated year has rolled it up (bytes per
    metric-year, and 1,000 metrics projected; `benchmarks/memory.py` does the
    year at the store alone, faster).

moto is used only if installed; its backend object is called directly for
(a)-(c), and through its boto3 mock for the boto3 part of (a). Prints figures
and ratios; asserts nothing.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from awsmon import Cloud, VirtualClock
from awsmon.cloudwatch.metrics import periods
from awsmon.cloudwatch.metrics.model import MetricKey, StandardUnit
from awsmon.cloudwatch.metrics.queries import MetricDataQuery, MetricStat

T0 = datetime(2025, 6, 1, tzinfo=UTC)
STATS = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"]

try:
    from moto.cloudwatch.models import cloudwatch_backends

    HAVE_MOTO = True
except ImportError:  # pragma: no cover - moto is optional
    HAVE_MOTO = False


def timed(fn: Callable[[], Any], repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def row(label: str, ours: float, theirs: float | None, unit: str) -> None:
    """One line of figures; the ratio is how many times better awsmon does than moto."""
    if theirs is None:
        print(f"  {label:<48} awsmon {ours:>12,.1f} {unit}")
        return
    ratio = ours / theirs if unit.endswith("/s") else theirs / ours
    print(f"  {label:<48} awsmon {ours:>12,.1f} {unit}  moto {theirs:>12,.1f} {unit}"
          f"  awsmon/moto {ratio:,.1f}x")


def fresh_cloud() -> Cloud:
    return Cloud(clock=VirtualClock(T0 + timedelta(days=8)))


def load_awsmon(cloud: Cloud, metrics: int, minutes: int) -> None:
    for m in range(metrics):
        key = MetricKey.of("Bench", "Latency", {"Host": f"h{m}"})
        cloud.cloudwatch.publish(
            key, [(T0 + timedelta(minutes=i), float(i % 97)) for i in range(minutes)]
        )


def moto_backend() -> Any:
    backend = cloudwatch_backends["123456789012"]["us-east-1"]
    backend.reset()
    return cloudwatch_backends["123456789012"]["us-east-1"]


def load_moto(backend: Any, metrics: int, minutes: int) -> None:
    for m in range(metrics):
        dims = [{"Name": "Host", "Value": f"h{m}"}]
        data = [{"MetricName": "Latency", "Value": float(i % 97), "Dimensions": dims,
                 "Timestamp": T0 + timedelta(minutes=i)} for i in range(minutes)]
        backend.put_metric_data("Bench", data)


def bench_ingest() -> None:
    print("(a) ingestion")
    metrics, minutes = 100, 10_000
    cloud = fresh_cloud()
    ours = timed(lambda: load_awsmon(cloud, metrics, minutes))
    theirs = None
    if HAVE_MOTO:
        backend = moto_backend()
        theirs = timed(lambda: load_moto(backend, metrics, minutes))
        theirs = metrics * minutes / theirs
    row("1,000,000 datapoints through the domain", metrics * minutes / ours, theirs, "points/s")

    bench_wire_batches()

    import boto3

    def boto_put(client: Any) -> None:
        for call in range(100):
            client.put_metric_data(Namespace="Bench", MetricData=[
                {"MetricName": "Latency", "Value": float(i),
                 "Timestamp": T0 + timedelta(days=7, minutes=call, seconds=i % 60)}
                for i in range(100)])

    cloud = fresh_cloud()
    with cloud.patch_boto3():
        routed = boto3.client("cloudwatch", region_name="us-east-1")
        ours_boto = cpu_timed(lambda: boto_put(routed))
    theirs_boto = None
    if HAVE_MOTO:
        from moto import mock_aws

        with mock_aws():
            client = boto3.client("cloudwatch", region_name="us-east-1",
                                  aws_access_key_id="x", aws_secret_access_key="y")
            theirs_boto = 10_000 / cpu_timed(lambda: boto_put(client))
    row("10,000 datapoints through boto3 (100 calls, CPU)", 10_000 / ours_boto, theirs_boto,
        "points/s")


def cpu_timed(fn: Callable[[], Any], repeat: int = 3) -> float:
    """Best CPU seconds (`time.process_time`) of `repeat` runs: the machine may be shared."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def bench_wire_batches(batches: int = 100, size: int = 1000) -> None:
    """PutMetricData through the wire client, 1,000 datums a call (10 metrics, each batch's
    timestamps within one minute), beside the domain's `publish` of the same points and
    moto's backend `put_metric_data` of the same datums; best CPU time of 3, fresh stores."""
    now = T0 + timedelta(days=8)
    requests: list[list[dict[str, Any]]] = []
    for b in range(batches):
        minute = now - timedelta(minutes=batches - b)
        requests.append([
            {"MetricName": f"M{i % 10}", "Value": float(i % 97), "Unit": "Milliseconds",
             "Dimensions": [{"Name": "Host", "Value": "h1"}],
             "Timestamp": minute + timedelta(seconds=i % 60)}
            for i in range(size)
        ])
    points = batches * size

    def wire() -> None:
        client = fresh_cloud().client("cloudwatch")
        for data in requests:
            client.put_metric_data(Namespace="Bench", MetricData=data)

    keys = {f"M{m}": MetricKey.of("Bench", f"M{m}", {"Host": "h1"}) for m in range(10)}
    by_metric = []
    for data in requests:
        grouped: dict[str, list[tuple[datetime, float]]] = {}
        for datum in data:
            grouped.setdefault(datum["MetricName"], []).append(
                (datum["Timestamp"], datum["Value"]))
        by_metric.append(grouped)

    def domain() -> None:
        cloudwatch = fresh_cloud().cloudwatch
        for grouped in by_metric:
            for name, metric_points in grouped.items():
                cloudwatch.publish(keys[name], metric_points, unit=StandardUnit.MILLISECONDS)

    ours, baseline = points / cpu_timed(wire), points / cpu_timed(domain)
    print(f"  {'PutMetricData, wire client, 1,000 a call':<48} awsmon {ours:>12,.1f} points/s"
          f"  domain publish {baseline:>12,.1f} points/s  wire/domain {ours / baseline:,.2f}x")
    if HAVE_MOTO:
        def moto() -> None:
            backend = moto_backend()
            for data in requests:
                backend.put_metric_data("Bench", data)

        row("PutMetricData, wire client vs moto's backend", ours, points / cpu_timed(moto),
            "points/s")


def bench_queries() -> None:
    print("(b, c) queries over 100,000 stored 1-minute points")
    cloud = fresh_cloud()
    load_awsmon(cloud, 5, 20_000)
    start, end = T0, T0 + timedelta(minutes=20_000)
    dims = {"Host": "h0"}
    backend = None
    if HAVE_MOTO:
        backend = moto_backend()
        load_moto(backend, 5, 20_000)
    # Both stores' millions of objects out of the collector's way, so that
    # neither side pays for full collections of the other's data.
    gc.collect()
    gc.freeze()

    def ours_stats() -> None:
        cloud.cloudwatch.get_metric_statistics("Bench", "Latency", dimensions=dims,
                                               start_time=start, end_time=end, period=3600,
                                               statistics=STATS)

    def moto_stats() -> None:
        assert backend is not None
        backend.get_metric_statistics("Bench", "Latency", start, end, 3600, STATS,
                                      [{"Name": "Host", "Value": "h0"}])

    ours = cpu_timed(ours_stats, 20)
    theirs = cpu_timed(moto_stats, 2) if backend else None
    row("GetMetricStatistics (20,000 points, warm, CPU time)", ours * 1000,
        None if theirs is None else theirs * 1000, "ms")
    series = next(iter(cloud.cloudwatch.metric_catalog.get(
        MetricKey.of("Bench", "Latency", dims)).series.values()))

    def cold_stats(prepare: Callable[[], None], repeat: int = 20) -> float:
        best = float("inf")
        for _ in range(repeat):
            prepare()
            began = time.process_time()
            ours_stats()
            best = min(best, time.process_time() - began)
        return best

    # A write before each call: no answer kept from the call before.
    cold = cold_stats(lambda: series.add_value(0, 1.0))
    row("  the same after a write to the metric (cold)", cold * 1000,
        None if theirs is None else theirs * 1000, "ms")
    # Every memo of every series cleared (the only thing kept between calls).
    metric = cloud.cloudwatch.metric_catalog.get(MetricKey.of("Bench", "Latency", dims))
    assert metric is not None

    def clear_memos() -> None:
        for each in metric.series.values():
            each.memo.clear()

    row("  the same, every memo cleared (cold)", cold_stats(clear_memos) * 1000,
        None if theirs is None else theirs * 1000, "ms")
    saved = periods.NUMPY_FROM
    periods.NUMPY_FROM = 1 << 62
    try:
        row("  the same, cold, without numpy (plain engine)", cold_stats(clear_memos) * 1000,
            None if theirs is None else theirs * 1000, "ms")
    finally:
        periods.NUMPY_FROM = saved
    empty = cpu_timed(lambda: cloud.cloudwatch.get_metric_statistics(
        "Bench", "Latency", dimensions=dims, start_time=start - timedelta(days=2),
        end_time=start - timedelta(days=1), period=3600, statistics=STATS), 20)
    row("  a call answering no datapoint (fixed overhead)", empty * 1000, None, "ms")

    def query(index: int, return_data: bool = True) -> MetricDataQuery:
        return MetricDataQuery(id=f"m{index}", return_data=return_data, metric_stat=MetricStat(
            metric=MetricKey.of("Bench", "Latency", {"Host": f"h{index}"}), period=3600,
            stat="Average"))

    def moto_query(index: int, return_data: bool = True) -> dict[str, Any]:
        return {"Id": f"m{index}", "ReturnData": return_data, "MetricStat": {
            "Metric": {"Namespace": "Bench", "MetricName": "Latency",
                       "Dimensions": [{"Name": "Host", "Value": f"h{index}"}]},
            "Period": 3600, "Stat": "Average"}}

    for label, queries, moto_queries in (
        ("GetMetricData Average, 1 series", [query(0)], [moto_query(0)]),
        ("GetMetricData SUM(METRICS()) over 5 series",
         [*(query(i, False) for i in range(5)),
          MetricDataQuery(id="total", expression="SUM(METRICS())")],
         [*(moto_query(i, False) for i in range(5)),
          {"Id": "total", "Expression": "SUM(METRICS())"}]),
    ):
        ours = float("inf")
        for _ in range(3):  # cold: every series' memo cleared before each call
            for each in cloud.cloudwatch.metrics():
                for stored in each.series.values():
                    stored.memo.clear()
            ours = min(ours, timed(
                lambda q=queries: cloud.cloudwatch.get_metric_data(  # type: ignore[misc]
                    q, start_time=start, end_time=end)))
        theirs = None
        if backend is not None:
            theirs = timed(lambda q=moto_queries: backend.get_metric_data(  # type: ignore[misc]
                q, start, end), 1)
        row(label, ours * 1000, None if theirs is None else theirs * 1000, "ms")
    bench_long_range()


def bench_long_range() -> None:
    """20 TIME_SERIES(1) queries over 455 days at Period=60: the cost of one page."""
    cloud = Cloud(clock=VirtualClock(T0 + timedelta(days=460)))
    now = cloud.clock.now()
    queries = [MetricDataQuery(id=f"t{i}", expression="TIME_SERIES(1)") for i in range(20)]

    def ours() -> None:
        page = cloud.cloudwatch.get_metric_data(
            queries, start_time=now - timedelta(days=455), end_time=now)
        assert sum(len(r.values) for r in page.results) == 100_800

    def floor() -> None:
        step = timedelta(minutes=1)
        [(now - i * step, 1.0) for i in range(100_800)]

    ours_ms, floor_ms = timed(ours, 3) * 1000, timed(floor, 3) * 1000
    print(f"  {'GetMetricData 20 x TIME_SERIES(1), 455 days, 60 s':<48} awsmon {ours_ms:>12,.1f} ms"
          f"  plain 100,800 pairs {floor_ms:,.1f} ms  awsmon/plain {floor_ms / ours_ms:,.2f}x")


def bench_memory() -> None:
    print("(d) memory per stored datapoint")
    gc.collect()
    tracemalloc.start()
    cloud = fresh_cloud()
    key = MetricKey.of("Bench", "Memory")
    cloud.cloudwatch.publish(key, [(T0 + timedelta(minutes=i), float(i % 97))
                                   for i in range(100_000)])
    before = tracemalloc.get_traced_memory()[0]
    del cloud
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    print(f"  1-minute data written in time order: {(before - after) / 100_000:,.1f} bytes/point")

    cloud = Cloud(clock=VirtualClock(T0))
    gc.collect()
    baseline = tracemalloc.get_traced_memory()[0]
    minutes = 365 * 24 * 60
    publish = cloud.cloudwatch.publish
    for minute in range(minutes):
        cloud.clock.advance(60)
        publish(key, [(cloud.clock.now(), float(minute % 97))])
    used = tracemalloc.get_traced_memory()[0] - baseline
    tracemalloc.stop()
    series = next(iter(cloud.cloudwatch.metric(key).series.values()))
    print(f"  a simulated year of 1-minute data ({minutes:,} points, {len(series):,} slots "
          f"after roll-up): {used / minutes:,.1f} bytes/point, {used / 1e6:,.2f} MB per "
          f"metric-year, {used * 1000 / 1e9:,.2f} GB for 1,000 metrics")


def main() -> None:
    print(f"moto backend: {'yes' if HAVE_MOTO else 'not installed'}")
    bench_ingest()
    bench_queries()
    bench_memory()


if __name__ == "__main__":
    main()
