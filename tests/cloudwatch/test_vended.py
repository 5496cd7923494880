"""Tests of awsmon/cloudwatch/vended.py and usage.py: how services publish their own metrics."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st
from vended_helpers import alarm_state, stat

from awsmon import Cloud
from awsmon.cloudwatch import StandardUnit, VendedMetrics, dims


class TestVendedMetrics:
    def test_one_statistic_set_per_period(self) -> None:
        """Values added in a minute become one set: SampleCount, Sum, Minimum, Maximum."""
        cloud = Cloud()
        vended = VendedMetrics(cloud.cloudwatch.ctx, "AWS/Test")
        for value in (3.0, 1.0, 8.0):
            vended.add("M", dims(Name="x"), value)
        cloud.clock.advance(timedelta(minutes=1))
        for statistic, expected in (("SampleCount", 3.0), ("Sum", 12.0), ("Minimum", 1.0),
                                    ("Maximum", 8.0)):  # fmt: skip
            assert stat(cloud, "AWS/Test", "M", {"Name": "x"}, statistic) == [expected]

    def test_idle_job_stops(self) -> None:
        """With nothing counted the publishing job cancels itself; a new count restarts it."""
        cloud = Cloud()
        vended = VendedMetrics(cloud.cloudwatch.ctx, "AWS/Test")
        vended.add("M", (), 1.0)
        cloud.clock.advance(timedelta(minutes=3))
        assert not any(j.name and j.name.startswith("AWS/Test") for j in cloud.clock.pending())
        vended.add("M", (), 1.0)
        assert any(j.name and j.name.startswith("AWS/Test") for j in cloud.clock.pending())

    @given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=30))
    def test_statistics_agree_with_the_values(self, values: list[float]) -> None:
        """The published set agrees with a naive computation over the values."""
        cloud = Cloud()
        vended = VendedMetrics(cloud.cloudwatch.ctx, "AWS/Test")
        for value in values:
            vended.add("M", (), value)
        n, total, low, high = vended.pending()[("M", (), StandardUnit.COUNT)]
        assert (n, low, high) == (len(values), min(values), max(values))
        assert abs(total - sum(values)) <= 1e-6 * max(1.0, sum(abs(v) for v in values))


class TestUsage:
    def test_call_count_per_operation(self) -> None:
        """CloudWatch and Logs calls count in AWS/Usage CallCount, per operation."""
        cloud = Cloud()
        cloud.logs.create_log_group("a")
        cloud.logs.create_log_group("b")
        cloud.cloudwatch.list_metrics()
        cloud.clock.advance(timedelta(minutes=1))
        where = {"Service": "Logs", "Type": "API", "Resource": "CreateLogGroup", "Class": "None"}
        assert stat(cloud, "AWS/Usage", "CallCount", where) == [2.0]
        where = {**where, "Service": "CloudWatch", "Resource": "ListMetrics"}
        assert stat(cloud, "AWS/Usage", "CallCount", where) == [1.0]

    def test_alarm_on_call_count(self) -> None:
        """An alarm on PutMetricData's CallCount fires on a burst of calls."""
        cloud = Cloud()
        cloud.cloudwatch.put_metric_alarm(
            "chatty", namespace="AWS/Usage", metric_name="CallCount",
            dimensions={"Service": "CloudWatch", "Type": "API", "Resource": "PutMetricData",
                        "Class": "None"},
            statistic="Sum", period=60, evaluation_periods=1, threshold=50,
            comparison_operator="GreaterThanThreshold",
        )  # fmt: skip
        client = cloud.client("cloudwatch")
        for _ in range(60):
            client.put_metric_data(Namespace="App", MetricData=[{"MetricName": "M", "Value": 1}])
        cloud.clock.advance(timedelta(minutes=2))
        assert alarm_state(cloud, "chatty") == "ALARM"
