"""Tests for Cloud.fork, Cloud.snapshot and Cloud.restore (awsmon/fork.py).

A fork and its origin driven the same way give the same timeline; driven
differently, neither sees the other's state, time, jobs or random draws.
"""

from __future__ import annotations

import threading
import weakref
from datetime import timedelta
from typing import Any

import pytest

from awsmon import ClockError, Cloud
from awsmon.fork import deep_copy


def _alarmed_cloud() -> Cloud:
    cloud = Cloud(seed=3)
    sns = cloud.client("sns")
    topic = sns.create_topic(Name="ops")["TopicArn"]
    sqs = cloud.client("sqs")
    queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    cloud.client("cloudwatch").put_metric_alarm(
        AlarmName="cpu", Namespace="App", MetricName="CPU", Statistic="Average", Period=60,
        EvaluationPeriods=2, Threshold=80, ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[topic],
    )
    events = cloud.client("events")
    events.put_rule(Name="changes", EventPattern='{"source": ["aws.cloudwatch"]}')
    events.put_targets(Rule="changes", Targets=[{"Id": "q", "Arn": arn}])
    return cloud


def _drive(cloud: Cloud, cpu: float, minutes: int = 4) -> None:
    metrics = cloud.client("cloudwatch")
    logs = cloud.client("logs")
    if "app" not in [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]]:
        logs.create_log_group(logGroupName="app")
        logs.create_log_stream(logGroupName="app", logStreamName="s")
    for _ in range(minutes):
        metrics.put_metric_data(Namespace="App", MetricData=[{"MetricName": "CPU", "Value": cpu}])
        logs.put_log_events(
            logGroupName="app", logStreamName="s",
            logEvents=[{"timestamp": int(cloud.clock.time() * 1000), "message": f"cpu {cpu}"}],
        )
        cloud.clock.advance(60)


def _lines(cloud: Cloud) -> list[tuple[Any, ...]]:
    return [(m.at, m.kind, m.service, m.summary) for m in cloud.timeline()]


class TestFork:
    def test_same_driving_same_timeline(self) -> None:
        origin = _alarmed_cloud()
        fork = origin.fork()
        _drive(origin, 95)
        _drive(fork, 95)
        assert _lines(origin) == _lines(fork)
        assert origin.cloudwatch.alarms.named("cpu").state.value == "ALARM"
        assert origin.ids.uuid() == fork.ids.uuid()  # the random source in step too

    def test_different_driving_independent(self) -> None:
        origin = _alarmed_cloud()
        before = _lines(origin)
        fork = origin.fork()
        _drive(fork, 95)
        assert _lines(origin) == before
        assert origin.clock.now() < fork.clock.now()
        assert origin.cloudwatch.alarms.named("cpu").state.value == "INSUFFICIENT_DATA"
        assert fork.cloudwatch.alarms.named("cpu").state.value == "ALARM"
        _drive(origin, 10)
        assert origin.cloudwatch.alarms.named("cpu").state.value == "OK"
        assert fork.cloudwatch.alarms.named("cpu").state.value == "ALARM"
        fork_kinds = set(fork.timeline().kinds())
        assert {"alarm-state", "alarm-action", "rule-match", "delivery"} <= fork_kinds
        assert "alarm-action" not in set(origin.timeline().kinds())

    def test_fork_services_point_at_the_fork(self) -> None:
        origin = _alarmed_cloud()
        fork = origin.fork()
        assert fork.logs.ctx.cloud is fork
        assert fork.dispatcher is not origin.dispatcher
        assert fork.clock is not origin.clock
        assert fork.clock.lock is not origin.clock.lock
        with fork.as_principal("arn:aws:iam::210987654321:user/bob"):
            assert fork.client("sts").get_caller_identity()["Account"] == "210987654321"
            assert origin.client("sts").get_caller_identity()["Account"] == "123456789012"

    def test_pending_jobs_are_copied(self) -> None:
        origin = Cloud()
        fired: list[str] = []
        origin.clock.call_later(30, lambda: fired.append("origin"))
        fork = origin.fork()
        fork.clock.advance(60)
        assert fired == []  # the job ran in the fork, on the fork's copy of the list
        assert len(origin.clock.pending()) == 1
        assert fork.clock.pending() == []
        origin.clock.advance(60)
        assert fired == ["origin"]

    def test_a_daemon_is_refused(self) -> None:
        class Bridge:
            def __init__(self) -> None:
                self.lock = threading.Lock()

        with pytest.raises(ClockError, match="can't be copied"):
            deep_copy([Bridge()])


class TestDeepCopy:
    """The copy rules of awsmon.fork for closures and weak references."""

    def test_closures_follow_and_shared_cells_stay_shared(self) -> None:
        box = {"n": 0}

        def bump() -> None:
            box["n"] += 1

        def read() -> int:
            return box["n"]

        bump2, read2 = deep_copy((bump, read))
        bump2()
        assert read2() == 1 and box["n"] == 0

    def test_weakrefs_follow(self) -> None:
        class Node:
            pass

        parent = Node()
        child = Node()
        child.up = weakref.ref(parent)  # type: ignore[attr-defined]
        parent2, child2 = deep_copy((parent, child))
        assert child2.up() is parent2

    def test_plain_functions_are_shared(self) -> None:
        assert deep_copy(len) is len
        assert deep_copy(_drive) is _drive


class TestSnapshot:
    def test_restore_rewinds_state_time_and_jobs(self) -> None:
        cloud = _alarmed_cloud()
        snap = cloud.snapshot()
        clock = cloud.clock
        _drive(cloud, 95)
        assert cloud.cloudwatch.alarms.named("cpu").state.value == "ALARM"
        cloud.restore(snap)
        assert cloud.clock is clock
        assert cloud.clock.now() == snap.at
        assert cloud.cloudwatch.alarms.named("cpu").state.value == "INSUFFICIENT_DATA"
        assert cloud.logs.ctx.cloud is cloud
        _drive(cloud, 10)
        assert cloud.cloudwatch.alarms.named("cpu").state.value == "OK"

    def test_restore_twice_gives_the_same_run(self) -> None:
        cloud = _alarmed_cloud()
        snap = cloud.snapshot()
        _drive(cloud, 95)
        first = _lines(cloud)
        cloud.restore(snap)
        _drive(cloud, 95)
        assert _lines(cloud) == first

    def test_clock_keeps_its_observers(self) -> None:
        cloud = Cloud()
        seen: list[Any] = []
        cloud.clock.add_observer(seen.append)
        snap = cloud.snapshot()
        cloud.restore(snap)
        cloud.clock.advance(timedelta(seconds=5))
        assert seen == [cloud.clock.now()]
