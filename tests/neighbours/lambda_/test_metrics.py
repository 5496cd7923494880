"""AWS/Lambda metrics through the shared vended metrics: names, units, dimensions, timing.

From AWS's "Types of metrics for Lambda functions": Invocations, Errors,
Throttles (Count), Duration (Milliseconds), ConcurrentExecutions (Count,
account-wide and for functions with reserved concurrency), IteratorAge
(Milliseconds); dimensions FunctionName, FunctionName + Resource, and none.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awsmon import Cloud, VirtualClock

T0 = datetime(2025, 6, 1, 12, 0, 10, tzinfo=UTC)


@pytest.fixture
def cloud() -> Cloud:
    return Cloud(clock=VirtualClock(T0), seed=5)


def _handler(event: Any, context: Any) -> Any:
    if event.get("fail"):
        raise ValueError("bad")
    return {"ok": True}


def _stats(
    cloud: Cloud, metric: str, dimensions: dict[str, str], statistic: str = "Sum", **extra: Any
) -> list[dict[str, Any]]:
    points: list[dict[str, Any]] = cloud.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/Lambda",
        MetricName=metric,
        Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
        StartTime=T0 - timedelta(minutes=5),
        EndTime=T0 + timedelta(minutes=5),
        Period=60,
        Statistics=[statistic],
        **extra,
    )["Datapoints"]
    return points


def test_counted_now_published_at_the_end_of_the_minute(cloud: Cloud) -> None:
    cloud.lambda_.register("worker", _handler, duration=timedelta(milliseconds=120))
    for payload in ({}, {}, {"fail": True}):
        cloud.lambda_.invoke("worker", payload)
    assert _stats(cloud, "Invocations", {"FunctionName": "worker"}) == []
    cloud.clock.advance(60)
    (point,) = _stats(cloud, "Invocations", {"FunctionName": "worker"})
    assert point["Sum"] == 3.0
    assert point["Unit"] == "Count"
    assert point["Timestamp"] == datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    assert _stats(cloud, "Errors", {"FunctionName": "worker"})[0]["Sum"] == 1.0
    assert _stats(cloud, "Throttles", {"FunctionName": "worker"})[0]["Sum"] == 0.0
    (duration,) = _stats(
        cloud, "Duration", {"FunctionName": "worker"}, "Average", Unit="Milliseconds"
    )
    assert duration["Average"] == pytest.approx(120.0)
    assert duration["Unit"] == "Milliseconds"


def test_dimensions_function_resource_and_account(cloud: Cloud) -> None:
    cloud.lambda_.register("worker", _handler)
    cloud.lambda_.invoke("worker", {})
    cloud.clock.advance(60)
    listed = cloud.client("cloudwatch").list_metrics(
        Namespace="AWS/Lambda", MetricName="Invocations"
    )["Metrics"]
    shapes = sorted(tuple(sorted((d["Name"], d["Value"]) for d in m["Dimensions"])) for m in listed)
    assert shapes == [
        (),
        (("FunctionName", "worker"),),
        (("FunctionName", "worker"), ("Resource", "worker")),
    ]
    account = _stats(cloud, "Invocations", {})
    assert account[0]["Sum"] == 1.0
    resource = _stats(cloud, "Invocations", {"FunctionName": "worker", "Resource": "worker"})
    assert resource[0]["Sum"] == 1.0


def test_concurrent_executions_account_wide_and_with_reserved_concurrency(cloud: Cloud) -> None:
    cloud.lambda_.register("plain", _handler)
    cloud.lambda_.register("reserved", _handler)
    cloud.lambda_.put_function_concurrency("reserved", 5)
    cloud.lambda_.invoke("plain", {})
    cloud.lambda_.invoke("reserved", {})
    cloud.clock.advance(60)
    assert _stats(cloud, "ConcurrentExecutions", {}, "Maximum")[0]["Maximum"] == 1.0
    assert _stats(cloud, "ConcurrentExecutions", {"FunctionName": "reserved"}, "Maximum")
    assert _stats(cloud, "ConcurrentExecutions", {"FunctionName": "plain"}, "Maximum") == []


def test_a_throttle_counts_throttles_not_invocations(cloud: Cloud) -> None:
    cloud.lambda_.register("worker", _handler)
    cloud.lambda_.put_function_concurrency("worker", 0)
    cloud.lambda_.invoke("worker", {}, invocation_type="Event")
    cloud.clock.advance(60)
    assert _stats(cloud, "Throttles", {"FunctionName": "worker"})[0]["Sum"] == 1.0
    assert _stats(cloud, "Invocations", {"FunctionName": "worker"}) == []


def test_disabled_vended_metrics_publish_nothing(cloud: Cloud) -> None:
    cloud.lambda_.register("worker", _handler)
    cloud.lambda_.metrics.vended.enabled = False
    cloud.lambda_.invoke("worker", {})
    cloud.clock.advance(120)
    assert cloud.client("cloudwatch").list_metrics(Namespace="AWS/Lambda")["Metrics"] == []


def test_minutes_are_published_apart(cloud: Cloud) -> None:
    cloud.lambda_.register("worker", _handler)
    cloud.lambda_.invoke("worker", {})
    cloud.clock.advance(60)
    cloud.lambda_.invoke("worker", {})
    cloud.lambda_.invoke("worker", {})
    cloud.clock.advance(60)
    points = sorted(
        _stats(cloud, "Invocations", {"FunctionName": "worker"}), key=lambda p: p["Timestamp"]
    )
    assert [p["Sum"] for p in points] == [1.0, 2.0]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(1, 3000)), min_size=1, max_size=12))
def test_statistics_agree_with_the_invocations(runs: list[tuple[bool, int]]) -> None:
    """Whatever the mix, Sum/Min/Max of the published minute match the invocation records."""
    cloud = Cloud(clock=VirtualClock(T0), seed=1)
    durations = iter(ms for _, ms in runs)
    cloud.lambda_.register(
        "worker", _handler, duration=lambda event: timedelta(milliseconds=next(durations))
    )
    for fail, _ in runs:
        cloud.lambda_.invoke("worker", {"fail": fail})
    cloud.clock.advance(60)
    name = {"FunctionName": "worker"}
    assert _stats(cloud, "Invocations", name)[0]["Sum"] == len(runs)
    assert _stats(cloud, "Errors", name)[0]["Sum"] == sum(fail for fail, _ in runs)
    longest = _stats(cloud, "Duration", name, "Maximum")[0]["Maximum"]
    shortest = _stats(cloud, "Duration", name, "Minimum")[0]["Minimum"]
    assert (shortest, longest) == (min(ms for _, ms in runs), max(ms for _, ms in runs))
