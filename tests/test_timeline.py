"""Tests for Cloud.timeline (awsmon/timeline.py): one time-ordered view of a run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon import Cloud
from awsmon.timeline import Timeline


def _story() -> Cloud:
    cloud = Cloud()
    logs = cloud.client("logs")
    logs.create_log_group(logGroupName="app")
    logs.create_log_stream(logGroupName="app", logStreamName="s")
    logs.put_metric_filter(
        logGroupName="app", filterName="errors", filterPattern="ERROR",
        metricTransformations=[
            {"metricName": "Errors", "metricNamespace": "App", "metricValue": "1"}
        ],
    )
    cloud.client("cloudwatch").put_metric_alarm(
        AlarmName="errors", Namespace="App", MetricName="Errors", Statistic="Sum", Period=60,
        EvaluationPeriods=1, Threshold=0, ComparisonOperator="GreaterThanThreshold",
    )
    stamp = int(cloud.clock.time() * 1000)
    logs.put_log_events(
        logGroupName="app", logStreamName="s",
        logEvents=[
            {"timestamp": stamp, "message": "ERROR boom"},
            {"timestamp": stamp, "message": "ok"},
        ],
    )
    cloud.clock.advance(120)
    return cloud


class TestTimeline:
    def test_the_story_in_order(self) -> None:
        cloud = _story()
        line = cloud.timeline()
        kinds = line.kinds()
        assert kinds.index("log-events") < kinds.index("alarm-state")
        assert "metric-filter" in kinds and "job" in kinds and "call" in kinds
        times = [m.at for m in line]
        assert times == sorted(times)
        state = next(m for m in line if m.kind == "alarm-state")
        assert state.detail["new"] == "ALARM" and state.service == "cloudwatch"
        hit = next(m for m in line if m.kind == "metric-filter")
        assert hit.detail == {"filter": "errors", "group": "app", "values": 1}
        count = next(m for m in line if m.kind == "log-events")
        assert count.detail["count"] == 2

    def test_filters(self) -> None:
        cloud = _story()
        start = cloud.timeline()[0].at
        assert set(cloud.timeline(kinds=["call"]).kinds()) == {"call"}
        assert {m.service for m in cloud.timeline(services=["logs"])} == {"logs"}
        later = cloud.timeline(since=start + timedelta(seconds=1))
        assert all(m.at >= start + timedelta(seconds=1) for m in later)
        assert len(cloud.timeline(until=start)) == 0

    def test_text_and_html(self) -> None:
        cloud = _story()
        text = str(cloud.timeline(kinds=["alarm-state"]))
        assert "alarm errors: INSUFFICIENT_DATA → ALARM" in text
        assert "<table>" in cloud.timeline()._repr_html_()
        assert str(cloud.timeline(kinds=["nothing"])) == "(no moments)"

    def test_across_accounts(self) -> None:
        cloud = Cloud()
        with cloud.as_principal("arn:aws:iam::210987654321:user/bob"):
            cloud.client("logs").create_log_group(logGroupName="theirs")
        cloud.client("logs").create_log_group(logGroupName="ours")
        accounts = [m.account_id for m in cloud.timeline(kinds=["call"])]
        assert accounts == ["210987654321", "123456789012"]

    def test_bounded_and_off(self) -> None:
        cloud = Cloud(timeline=5)
        for n in range(10):
            cloud.client("logs").create_log_group(logGroupName=f"g{n}")
        assert len(cloud.timeline()) == 5
        assert cloud.timeline()[-1].detail["operation"] == "CreateLogGroup"
        quiet = Cloud(timeline=0)
        quiet.client("logs").create_log_group(logGroupName="g")
        quiet.clock.advance(3600)
        assert len(quiet.timeline()) == 0
        with pytest.raises(ValueError):
            Cloud(timeline=-1)

    def test_services_note(self) -> None:
        cloud = Cloud()
        cloud.logs.ctx.note("custom", "a thing happened", size=3)
        (moment,) = cloud.timeline(kinds=["custom"])
        assert (moment.service, moment.account_id, moment.region) == (
            "logs", "123456789012", "us-east-1",
        )
        assert moment.detail == {"size": 3}


@given(st.integers(0, 30), st.lists(st.integers(0, 1000), max_size=60))
def test_ring_keeps_the_newest(size: int, offsets: list[int]) -> None:
    """The ring holds the newest `size` moments, shown in time order."""
    cloud = Cloud()
    ring = Timeline(size)
    for n, offset in enumerate(offsets):
        ring.add(cloud.clock.now() + timedelta(seconds=offset), "k", "s", "", "", str(n))
    kept = list(ring.view())
    expected = [str(n) for n in range(len(offsets))][-size:] if size else []
    assert sorted(m.summary for m in kept) == sorted(expected)
    assert [m.at for m in kept] == sorted(m.at for m in kept)
    assert ring.dropped == (max(0, len(offsets) - size) if size else 0)
