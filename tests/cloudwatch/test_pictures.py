"""Alarm pictures: the metric with threshold and state bands, the state timeline; reprs."""

from __future__ import annotations

import itertools
import math
from datetime import timedelta

import pytest
from picture_checks import columns_with, count_near

from awsmon import Cloud
from awsmon.cloudwatch import AlarmState, Dimension, MetricKey
from awsmon.cloudwatch.errors import InvalidParameterValue
from awsmon.cloudwatch.pictures import STATE_COLORS, state_spans
from awsmon.pictures import png_size

KEY = MetricKey.of("AWS/EC2", "CPUUtilization", [Dimension("InstanceId", "i-1")])


@pytest.fixture
def cloud() -> Cloud:
    """An alarm over a sine wave that crosses 70 twice in 150 minutes."""
    cloud = Cloud(seed=1)
    cloud.cloudwatch.put_metric_alarm(
        "cpu-high",
        namespace="AWS/EC2",
        metric_name="CPUUtilization",
        dimensions={"InstanceId": "i-1"},
        statistic="Average",
        period=60,
        evaluation_periods=3,
        datapoints_to_alarm=2,
        threshold=70,
        comparison_operator="GreaterThanThreshold",
    )
    for i in range(150):
        cloud.cloudwatch.publish(KEY, [(cloud.clock.now(), 50 + 30 * math.sin(i / 12))])
        cloud.clock.advance(timedelta(minutes=1))
    return cloud


def test_a_metric_alarm_repr_is_one_short_line(cloud: Cloud) -> None:
    alarm = cloud.cloudwatch.alarm("cpu-high")
    assert repr(alarm) == (
        "<MetricAlarm 'cpu-high' OK: AWS/EC2 CPUUtilization (InstanceId=i-1) Average > 70 "
        "for 2 of 3 x 60s>"
    )
    assert "<b>cpu-high</b> <code>OK</code>" in alarm._repr_html_()


def test_a_composite_alarm_repr(cloud: Cloud) -> None:
    composite = cloud.cloudwatch.put_composite_alarm("any", alarm_rule='ALARM("cpu-high")')
    assert repr(composite) == """<CompositeAlarm 'any' INSUFFICIENT_DATA: ALARM("cpu-high")>"""


def test_state_spans_follow_the_history(cloud: Cloud) -> None:
    alarm = cloud.cloudwatch.alarm("cpu-high")
    spans = state_spans(alarm, cloud.cloudwatch.alarm_history, cloud.clock.now())
    states = [s.state for s in spans]
    assert states == [
        AlarmState.INSUFFICIENT_DATA,
        AlarmState.OK,
        AlarmState.ALARM,
        AlarmState.OK,
        AlarmState.ALARM,
        AlarmState.OK,
    ]
    assert all(a.end == b.start for a, b in itertools.pairwise(spans))
    assert spans[-1].end == cloud.clock.now()


def test_the_alarm_chart_shades_its_states(cloud: Cloud) -> None:
    png = cloud.cloudwatch.alarm_chart("cpu-high").png()
    assert png_size(png) == (800, 400)
    assert count_near(png, (0x1F, 0x77, 0xB4), 30) > 300  # the metric
    alarm_band = columns_with(png, (0xF9, 0xDF, 0xDF), 6)  # ALARM red at 12 % on white
    ok_band = columns_with(png, (0xE2, 0xF3, 0xE2), 6)  # OK green at 12 % on white
    assert alarm_band and ok_band
    assert len(ok_band) > len(alarm_band)  # more time OK than in ALARM


def test_the_timeline_has_one_colour_per_state(cloud: Cloud) -> None:
    png = cloud.cloudwatch.alarm_timeline("cpu-high").png()
    assert png_size(png) == (800, 160)
    for state in (AlarmState.OK, AlarmState.ALARM):
        rgb = tuple(int(STATE_COLORS[state][i : i + 2], 16) for i in (1, 3, 5))
        assert count_near(png, rgb, 60) > 500, state  # type: ignore[arg-type]


def test_a_composite_alarm_has_no_metric_chart(cloud: Cloud) -> None:
    cloud.cloudwatch.put_composite_alarm("any", alarm_rule='ALARM("cpu-high")')
    with pytest.raises(InvalidParameterValue, match="composite"):
        cloud.cloudwatch.alarm_chart("any")
    assert png_size(cloud.cloudwatch.alarm_timeline("any").png()) == (800, 160)


def test_short_reprs_of_metrics_and_dashboards(cloud: Cloud) -> None:
    (metric,) = cloud.cloudwatch.metrics()
    assert repr(metric) == "<Metric AWS/EC2 CPUUtilization (InstanceId=i-1), unit None>"
    cloud.cloudwatch.put_dashboard("d", '{"widgets": []}')
    assert repr(cloud.cloudwatch.get_dashboard("d")) == (
        f"<Dashboard 'd': 15 bytes, changed {cloud.clock.now():%Y-%m-%d %H:%M}>"
    )


def test_a_metric_chart_with_a_threshold(cloud: Cloud) -> None:
    chart = cloud.cloudwatch.metric_chart(KEY, period=60, threshold=70)
    assert chart.title == "AWS/EC2 CPUUtilization Average"
    png = chart.png()
    assert png_size(png) == (600, 400)
    assert count_near(png, (0x1F, 0x77, 0xB4), 30) > 300
    assert count_near(png, (0xD6, 0x27, 0x28), 30) > 100  # the threshold line
