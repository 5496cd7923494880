"""Tests for alarm explanations: cloudwatch.explain_alarm (awsmon.cloudwatch.alarms.explain).

Every row of the two AWS tables of "How alarm state is evaluated when data is
missing" (reference C.13: R = 5, N = 3, M = 3 and M = 2, under each
TreatMissingData) is explained: the state it gives, how many missing periods
were filled, and the rule that decided; then actions (taken, disabled, not
run), composites' rule trees, and explanations at an earlier instant.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from awsmon import Cloud, NotFound

START = datetime(2025, 1, 1, 0, 10, tzinfo=UTC)

# points (oldest → newest), to fill, then the state under missing, ignore, breaching, notBreaching
N3M3 = [
    ("0 - X - X", 0, ("OK", "OK", "OK", "OK")),
    ("0 - - - -", 2, ("OK", "OK", "OK", "OK")),
    ("- - - - -", 3, ("INSUFFICIENT_DATA", "retain", "ALARM", "OK")),
    ("0 X X - X", 0, ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("- - X - -", 2, ("ALARM", "retain", "ALARM", "OK")),
]
N3M2 = [
    ("0 - X - X", 0, ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("0 0 X 0 X", 0, ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("0 - X - -", 1, ("OK", "OK", "ALARM", "OK")),
    ("- - - - 0", 2, ("OK", "OK", "ALARM", "OK")),
    ("- - - X -", 2, ("ALARM", "retain", "ALARM", "OK")),
]
TREATMENTS = ("missing", "ignore", "breaching", "notBreaching")
ROWS = [
    pytest.param(m, points, fill, treat, states[i], id=f"M{m} {points} {treat}")
    for m, table in ((3, N3M3), (2, N3M2))
    for points, fill, states in table
    for i, treat in enumerate(TREATMENTS)
]


def _cloud_with(points: str, m: int, treat: str) -> Cloud:
    cloud = Cloud(start=START)
    metrics = cloud.client("cloudwatch")
    metrics.put_metric_alarm(
        AlarmName="a", Namespace="T", MetricName="m", Statistic="Maximum", Period=60,
        EvaluationPeriods=3, DatapointsToAlarm=m, Threshold=1,
        ComparisonOperator="GreaterThanThreshold", TreatMissingData=treat,
    )
    for slot, mark in enumerate(points.split()):
        if mark == "-":
            continue
        when = START - timedelta(minutes=5 - slot) + timedelta(seconds=1)
        value = 5.0 if mark == "X" else 0.0
        metrics.put_metric_data(
            Namespace="T", MetricData=[{"MetricName": "m", "Value": value, "Timestamp": when}]
        )
    return cloud


@pytest.mark.parametrize(("m", "points", "fill", "treat", "expected"), ROWS)
def test_alarm_table_rows(m: int, points: str, fill: int, treat: str, expected: str) -> None:
    """Each row of AWS's tables: the state, the fill, and the datapoints as seen."""
    cloud = _cloud_with(points, m, treat)
    why = cloud.cloudwatch.explain_alarm("a")
    wanted = "INSUFFICIENT_DATA" if expected == "retain" else expected
    assert why.decided.value == wanted, str(why)
    marks = " ".join(
        "-" if p.value is None else ("X" if p.verdict == "breaching" else "0")
        for p in why.datapoints
    )
    assert marks == points
    real = points.count("X") + points.count("0")
    if real < 3:
        assert sum(1 for p in why.datapoints if p.evaluated and p.value is None) == fill
    assert why.rule == f"{m} out of 3 datapoints GreaterThanThreshold 1"
    assert why.range_start == START - timedelta(minutes=5)
    assert why.range_end == START
    assert f"TreatMissingData {treat}" in why.missing_data
    if expected == "retain":
        assert "keeps the state" in why.decision
    if "premature" in why.decision and expected != "retain":
        assert why.decided.value == "ALARM"


def test_text_and_html_show_the_range() -> None:
    cloud = _cloud_with("0 - X - X", 2, "missing")
    text = str(cloud.cloudwatch.explain_alarm("a"))
    assert "2 of the 3 evaluated datapoints breach, at least M = 2: ALARM" in text
    assert "00:09:00" in text and "breaching" in text
    assert "<table>" in cloud.cloudwatch.explain_alarm("a")._repr_html_()


def test_filled_points_say_what_they_became() -> None:
    cloud = _cloud_with("0 - X - -", 2, "breaching")
    why = cloud.cloudwatch.explain_alarm("a")
    (filled,) = [p for p in why.datapoints if p.filled_as]
    assert filled.filled_as == "breaching" and filled.start == START - timedelta(minutes=1)
    assert "1 missing period(s) filled" in why.missing_data


class TestActions:
    def _alarm(self, cloud: Cloud, enabled: bool = True) -> str:
        topic = cloud.client("sns").create_topic(Name="ops")["TopicArn"]
        cloud.client("cloudwatch").put_metric_alarm(
            AlarmName="cpu", Namespace="T", MetricName="cpu", Statistic="Average", Period=60,
            EvaluationPeriods=1, Threshold=50, ComparisonOperator="GreaterThanThreshold",
            AlarmActions=[topic], OKActions=[topic], ActionsEnabled=enabled,
        )
        return str(topic)

    def _breach(self, cloud: Cloud) -> None:
        cloud.client("cloudwatch").put_metric_data(
            Namespace="T", MetricData=[{"MetricName": "cpu", "Value": 90.0}]
        )
        cloud.clock.advance(60)

    def test_taken(self) -> None:
        cloud = Cloud(start=START)
        topic = self._alarm(cloud)
        self._breach(cloud)
        (action,) = cloud.cloudwatch.explain_alarm("cpu").actions
        assert (action.action, action.outcome) == (topic, "taken")

    def test_disabled(self) -> None:
        cloud = Cloud(start=START)
        self._alarm(cloud, enabled=False)
        self._breach(cloud)
        (action,) = cloud.cloudwatch.explain_alarm("cpu").actions
        assert action.outcome == "suppressed" and "disabled" in action.why

    def test_no_transition(self) -> None:
        """Set to ALARM by hand with actions disabled, then enabled: nothing ran for this state."""
        cloud = Cloud(start=START)
        self._alarm(cloud, enabled=False)
        self._breach(cloud)
        cloud.client("cloudwatch").enable_alarm_actions(AlarmNames=["cpu"])
        (action,) = cloud.cloudwatch.explain_alarm("cpu").actions
        assert action.outcome == "not run" and "only when the state changes" in action.why

    def test_no_actions_for_state(self) -> None:
        cloud = Cloud(start=START)
        self._alarm(cloud)
        why = cloud.cloudwatch.explain_alarm("cpu")
        assert why.state.value == "INSUFFICIENT_DATA" and why.actions == ()
        assert "actions: none for this state" in str(why)


def test_composite_tree() -> None:
    cloud = Cloud(start=START)
    metrics = cloud.client("cloudwatch")
    for name in ("cpu", "disk"):
        metrics.put_metric_alarm(
            AlarmName=name, Namespace="T", MetricName=name, Statistic="Average", Period=60,
            EvaluationPeriods=1, Threshold=50, ComparisonOperator="GreaterThanThreshold",
        )
    metrics.set_alarm_state(AlarmName="cpu", StateValue="ALARM", StateReason="test")
    metrics.set_alarm_state(AlarmName="disk", StateValue="OK", StateReason="test")
    metrics.put_composite_alarm(
        AlarmName="both", AlarmRule='ALARM("cpu") AND (ALARM(disk) OR NOT OK("disk"))'
    )
    why = cloud.cloudwatch.explain_alarm("both")
    assert why.kind == "composite" and why.decided.value == "OK"
    assert why.tree is not None and why.tree.text == "AND" and not why.tree.value
    cpu, either = why.tree.children
    assert (cpu.text, cpu.value, cpu.detail) == ('ALARM("cpu")', True, "cpu is ALARM")
    assert either.text == "OR" and not either.value
    assert 'NOT → false' in str(why)


def test_explain_at_an_earlier_instant_and_unknown() -> None:
    cloud = _cloud_with("X X X - -", 3, "missing")
    earlier = cloud.cloudwatch.explain_alarm("a", at=START - timedelta(minutes=2))
    assert earlier.decided.value == "ALARM"
    assert earlier.range_end == START - timedelta(minutes=2)
    with pytest.raises(NotFound):
        cloud.cloudwatch.explain_alarm("nope")
