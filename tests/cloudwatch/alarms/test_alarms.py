"""Tests of awsmon/cloudwatch/alarms/store.py, runner.py and config.py: metric alarms
evaluated on the virtual clock, through the domain."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from awsmon import Cloud, VirtualClock
from awsmon.cloudwatch.alarms.model import AlarmState
from awsmon.cloudwatch.alarms.records import HistoryItemType, MetricAlarm
from awsmon.cloudwatch.errors import (
    InvalidFormatFault,
    InvalidParameterCombination,
    ResourceNotFound,
    ValidationError,
)
from awsmon.cloudwatch.metrics.model import MetricKey, StandardUnit
from awsmon.cloudwatch.metrics.queries import MetricDataQuery, MetricStat
from awsmon.errors import ServiceError

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
KEY = MetricKey.of("App", "Latency", {"Api": "orders"})
OK, ALARM, INSUFFICIENT = AlarmState.OK, AlarmState.ALARM, AlarmState.INSUFFICIENT_DATA


@pytest.fixture
def cloud() -> Cloud:
    return Cloud(clock=VirtualClock(T0))


def make_alarm(cloud: Cloud, name: str = "latency", **overrides: Any) -> MetricAlarm:
    args: dict[str, Any] = {
        "metric_name": KEY.name,
        "namespace": KEY.namespace,
        "dimensions": KEY.dimensions,
        "statistic": "Average",
        "period": 60,
        "evaluation_periods": 3,
        "threshold": 100.0,
        "comparison_operator": "GreaterThanThreshold",
    }
    args.update(overrides)
    return cloud.cloudwatch.put_metric_alarm(name, **args)


def put(cloud: Cloud, minute: float, value: float, key: MetricKey = KEY) -> None:
    """One datapoint stamped `minute` minutes after T0 (5 s into that minute)."""
    cloud.cloudwatch.publish(key, [(T0 + timedelta(minutes=minute, seconds=5), value)])


def advance_to(cloud: Cloud, minute: float) -> None:
    cloud.clock.advance_to(T0 + timedelta(minutes=minute))


# AWS user guide tables (reference §C.13), R = 5, oldest → newest.
TABLE_N3_M3 = [
    ("0 - X - X", {"missing": OK, "ignore": OK, "breaching": OK, "notBreaching": OK}),
    ("0 - - - -", {"missing": OK, "ignore": OK, "breaching": OK, "notBreaching": OK}),
    (
        "- - - - -",
        {"missing": INSUFFICIENT, "ignore": None, "breaching": ALARM, "notBreaching": OK},
    ),
    ("0 X X - X", {"missing": ALARM, "ignore": ALARM, "breaching": ALARM, "notBreaching": ALARM}),
    ("- - X - -", {"missing": ALARM, "ignore": None, "breaching": ALARM, "notBreaching": OK}),
]
TABLE_N3_M2 = [
    ("0 - X - X", {"missing": ALARM, "ignore": ALARM, "breaching": ALARM, "notBreaching": ALARM}),
    ("0 0 X 0 X", {"missing": ALARM, "ignore": ALARM, "breaching": ALARM, "notBreaching": ALARM}),
    ("0 - X - -", {"missing": OK, "ignore": OK, "breaching": ALARM, "notBreaching": OK}),
    ("- - - - 0", {"missing": OK, "ignore": OK, "breaching": ALARM, "notBreaching": OK}),
    ("- - - X -", {"missing": ALARM, "ignore": None, "breaching": ALARM, "notBreaching": OK}),
]
CASES = [
    pytest.param(points, m, treat, expected, id=f"M{m}-{points.replace(' ', '')}-{treat}")
    for m, table in ((3, TABLE_N3_M3), (2, TABLE_N3_M2))
    for points, outcomes in table
    for treat, expected in outcomes.items()
]


class TestAwsTables:
    @pytest.mark.parametrize(("points", "m", "treat", "expected"), CASES)
    def test_table_row_through_the_clock(
        self, cloud: Cloud, points: str, m: int, treat: str, expected: AlarmState | None
    ) -> None:
        """Each row of the user guide's tables, published and evaluated at 12:10 (None = kept)."""
        alarm = make_alarm(cloud, datapoints_to_alarm=m, treat_missing_data=treat)
        for index, symbol in enumerate(points.split()):
            if symbol != "-":
                put(cloud, 5 + index, 150.0 if symbol == "X" else 50.0)
        advance_to(cloud, 9.5)
        cloud.cloudwatch.set_alarm_state("latency", "INSUFFICIENT_DATA", "held for the test")
        advance_to(cloud, 10)
        assert alarm.state is (INSUFFICIENT if expected is None else expected)

    def test_breaching_fill_goes_to_alarm_once_the_ok_point_leaves_the_range(
        self, cloud: Cloud
    ) -> None:
        """Row 2 of the first table alarms at the next evaluation when data stays missing."""
        alarm = make_alarm(cloud, treat_missing_data="breaching")
        put(cloud, 5, 50.0)
        advance_to(cloud, 10)
        assert alarm.state is OK
        advance_to(cloud, 11)
        assert alarm.state is ALARM

    def test_simple_threshold_example(self, cloud: Cloud) -> None:
        """Threshold 3, N = M = 3: three breaching periods alarm; one OK period recovers,
        and a single breaching period after it keeps OK."""
        alarm = make_alarm(cloud, threshold=3.0)
        for minute, value in enumerate([1, 5, 5, 5, 2, 5]):
            put(cloud, minute, value)
        advance_to(cloud, 3)
        assert alarm.state is OK
        advance_to(cloud, 4)
        assert alarm.state is ALARM
        assert alarm.state_transitioned_at == T0 + timedelta(minutes=4)
        advance_to(cloud, 5)
        assert alarm.state is OK
        advance_to(cloud, 6)
        assert alarm.state is OK


class TestReasons:
    def test_high_resolution_alarm_as_aws_wrote_it(self) -> None:
        """Period 30, N = 1, two samples averaging 21.5: AWS's observed reason and data."""
        start = datetime(2023, 10, 26, 16, 42, tzinfo=UTC)
        cloud = Cloud(clock=VirtualClock(start))
        key = MetricKey.of("Test", "m")
        alarm = cloud.cloudwatch.put_metric_alarm(
            "hr",
            metric_name="m",
            namespace="Test",
            statistic="Average",
            period=30,
            evaluation_periods=1,
            threshold=2.0,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="notBreaching",
        )
        cloud.cloudwatch.publish(
            key,
            [(start + timedelta(seconds=3), 20.0), (start + timedelta(seconds=7), 23.0)],
            storage_resolution=1,
        )
        cloud.clock.advance(30)
        assert alarm.state is ALARM
        assert alarm.state_reason == (
            "Threshold Crossed: 1 datapoint [21.5 (26/10/23 16:42:00)] was greater than the "
            "threshold (2.0)."
        )
        data = json.loads(alarm.state_reason_data or "")
        assert data["evaluatedDatapoints"] == [
            {"timestamp": "2023-10-26T16:42:00.000+0000", "sampleCount": 2.0, "value": 21.5}
        ]
        assert data["queryDate"] == "2023-10-26T16:42:30.000+0000"
        cloud.clock.advance(60)
        assert alarm.state is ALARM  # the datapoint is still inside the evaluation range
        cloud.clock.advance(30)
        assert alarm.state is OK
        assert alarm.state_reason == (
            "Threshold Crossed: no datapoints were received for 1 period and 1 missing "
            "datapoint was treated as [NonBreaching]."
        )

    def test_breaching_without_data(self, cloud: Cloud) -> None:
        """Period 10, N = 2, breaching, no data: the observed all-missing reason."""
        alarm = make_alarm(cloud, period=10, evaluation_periods=2, treat_missing_data="breaching")
        cloud.clock.advance(10)
        assert alarm.state is ALARM
        assert alarm.state_reason == (
            "Threshold Crossed: no datapoints were received for 2 periods and 2 missing "
            "datapoints were treated as [Breaching]."
        )

    def test_m_of_n_long_form(self, cloud: Cloud) -> None:
        """With DatapointsToAlarm the reason has AWS's long form, newest datapoint first."""
        alarm = make_alarm(cloud, evaluation_periods=3, datapoints_to_alarm=2)
        put(cloud, 0, 120.0)
        put(cloud, 1, 130.5)
        put(cloud, 2, 10.0)
        advance_to(cloud, 3)
        assert alarm.state_reason == (
            "Threshold Crossed: 2 out of the last 3 datapoints [130.5 (01/06/25 12:01:00), "
            "120.0 (01/06/25 12:00:00)] were greater than the threshold (100.0) (minimum 2 "
            "datapoints for OK -> ALARM transition)."
        )


class TestHistoryAndEvents:
    def test_every_transition_is_history_and_an_event(self, cloud: Cloud) -> None:
        """Creation, then each state change, is recorded; the event has AWS's shape."""
        alarm = make_alarm(cloud, evaluation_periods=1, treat_missing_data="notBreaching")
        put(cloud, 1, 150.0)
        advance_to(cloud, 2)
        assert alarm.state is ALARM
        kinds = [item.item_type for item in cloud.cloudwatch.alarm_history]
        assert kinds == [
            HistoryItemType.CONFIGURATION_UPDATE,
            HistoryItemType.STATE_UPDATE,
            HistoryItemType.STATE_UPDATE,
        ]
        last = cloud.cloudwatch.alarm_history[-1]
        assert last.summary == "Alarm updated from OK to ALARM"
        data = json.loads(last.data)
        assert data["oldState"]["stateValue"] == "OK"
        assert data["newState"]["stateReasonData"]["recentDatapoints"] == [150.0]
        event = cloud.cloudwatch.alarm_events[-1]
        assert event["detail-type"] == "CloudWatch Alarm State Change"
        assert event["source"] == "aws.cloudwatch"
        assert event["resources"] == [alarm.arn]
        assert event["time"] == "2025-06-01T12:02:00Z"
        detail = event["detail"]
        assert detail["state"]["value"] == "ALARM"
        assert detail["previousState"]["value"] == "OK"
        metric = detail["configuration"]["metrics"][0]
        assert metric["metricStat"] == {
            "metric": {"namespace": "App", "name": "Latency", "dimensions": {"Api": "orders"}},
            "period": 60,
            "stat": "Average",
        }

    def test_history_filters(self, cloud: Cloud) -> None:
        """Filters by name, item type, dates and order; composite items need AlarmTypes."""
        make_alarm(cloud, "a", evaluation_periods=1, treat_missing_data="notBreaching")
        make_alarm(cloud, "b", evaluation_periods=1, treat_missing_data="breaching")
        advance_to(cloud, 1)
        cw = cloud.cloudwatch
        items, token = cw.describe_alarm_history(alarm_name="a")
        assert token is None
        assert [i.item_type.value for i in items] == ["StateUpdate", "ConfigurationUpdate"]
        items, _ = cw.describe_alarm_history(
            history_item_type="StateUpdate", scan_by="TimestampAscending"
        )
        assert [i.alarm_name for i in items] == ["a", "b"]
        items, _ = cw.describe_alarm_history(start_date=T0 + timedelta(seconds=30))
        assert {i.item_type.value for i in items} == {"StateUpdate"}
        first, token = cw.describe_alarm_history(max_records=3)
        rest, end = cw.describe_alarm_history(max_records=3, next_token=token)
        assert len(first) == 3 and len(rest) == 1 and end is None
        cw.put_composite_alarm("c", "ALARM(a)")
        assert cw.describe_alarm_history(alarm_name="c")[0] == []
        assert len(cw.describe_alarm_history(alarm_name="c", alarm_types=["CompositeAlarm"])[0])

    def test_history_outlives_the_alarm(self, cloud: Cloud) -> None:
        """After DeleteAlarms the history still has the alarm's items and a deletion item."""
        make_alarm(cloud)
        cloud.cloudwatch.delete_alarms(["latency"])
        items, _ = cloud.cloudwatch.describe_alarm_history(alarm_name="latency")
        assert [i.summary for i in items] == ['Alarm "latency" deleted', 'Alarm "latency" created']


class TestSetAlarmState:
    def test_holds_until_the_next_evaluation(self, cloud: Cloud) -> None:
        """A metric alarm set by hand goes back to what its data says at the next minute."""
        alarm = make_alarm(cloud, evaluation_periods=1, treat_missing_data="notBreaching")
        advance_to(cloud, 1)
        cloud.cloudwatch.set_alarm_state("latency", "ALARM", "testing", state_reason_data="{}")
        assert (alarm.state, alarm.state_reason, alarm.state_reason_data) == (
            ALARM,
            "testing",
            "{}",
        )
        advance_to(cloud, 2)
        assert alarm.state is OK

    def test_errors(self, cloud: Cloud) -> None:
        """Unknown alarms and non-JSON reason data are refused with AWS's codes."""
        make_alarm(cloud)
        with pytest.raises(ResourceNotFound):
            cloud.cloudwatch.set_alarm_state("nope", "OK", "x")
        with pytest.raises(InvalidFormatFault):
            cloud.cloudwatch.set_alarm_state("latency", "OK", "x", state_reason_data="{nope")


class TestUpdates:
    def test_update_keeps_state_and_replaces_configuration(self, cloud: Cloud) -> None:
        """PutMetricAlarm on an existing name keeps the state and tags, replaces the rest."""
        alarm = make_alarm(
            cloud, evaluation_periods=1, treat_missing_data="notBreaching", tags={"team": "a"}
        )
        advance_to(cloud, 1)
        updated = make_alarm(cloud, evaluation_periods=2, tags={"team": "b"})
        assert updated is not alarm
        assert updated.state is OK and updated.tags == {"team": "a"}
        assert updated.config.evaluation_periods == 2
        assert updated.treat_missing_data_given is None
        assert cloud.cloudwatch.alarm("latency") is updated


class TestMathAlarms:
    def test_expression_alarm(self, cloud: Cloud) -> None:
        """An error-rate alarm m1 / m2 * 100 evaluated from two metrics."""
        errors = MetricKey.of("App", "Errors")
        calls = MetricKey.of("App", "Calls")
        queries = [
            MetricDataQuery(
                id="m1",
                metric_stat=MetricStat(metric=errors, period=60, stat="Sum"),
                return_data=False,
            ),
            MetricDataQuery(
                id="m2",
                metric_stat=MetricStat(metric=calls, period=60, stat="Sum"),
                return_data=False,
            ),
            MetricDataQuery(id="e1", expression="m1 / m2 * 100", label="ErrorRate"),
        ]
        alarm = cloud.cloudwatch.put_metric_alarm(
            "error-rate",
            metrics=queries,
            evaluation_periods=1,
            threshold=5.0,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="notBreaching",
        )
        put(cloud, 0, 10.0, errors)
        put(cloud, 0, 100.0, calls)
        advance_to(cloud, 1)
        assert alarm.state is ALARM
        assert "[10.0 (01/06/25 12:00:00)]" in alarm.state_reason
        assert "statistic" not in json.loads(alarm.state_reason_data or "")

    def test_anomaly_band_alarm(self, cloud: Cloud) -> None:
        """ANOMALY_DETECTION_BAND(m1, 2) trained on steady data alarms on a spike."""
        for minute in range(-120, 0):
            put(cloud, minute, 50.0 + (minute % 3))
        queries = [
            MetricDataQuery(id="m1", metric_stat=MetricStat(metric=KEY, period=60, stat="Average")),
            MetricDataQuery(id="ad1", expression="ANOMALY_DETECTION_BAND(m1, 2)"),
        ]
        alarm = cloud.cloudwatch.put_metric_alarm(
            "band",
            metrics=queries,
            threshold_metric_id="ad1",
            evaluation_periods=1,
            comparison_operator="LessThanLowerOrGreaterThanUpperThreshold",
        )
        put(cloud, 0, 51.0)
        advance_to(cloud, 1)
        assert alarm.state is OK
        put(cloud, 1, 500.0)
        advance_to(cloud, 2)
        assert alarm.state is ALARM
        assert alarm.state_reason.startswith("Thresholds Crossed: 1 datapoint [500.0")
        data = json.loads(alarm.state_reason_data or "")
        assert data["recentUpperThresholds"][0] == pytest.approx(
            51.0 + 2 * (2 / 3) ** 0.5, rel=1e-3
        )
        detectors, _ = cloud.cloudwatch.describe_anomaly_detectors()
        assert [(d.metric, d.stat) for d in detectors] == [(KEY, "Average")]


class TestValidation:
    @pytest.mark.parametrize(
        ("overrides", "error", "message"),
        [
            pytest.param(
                {"period": 45},
                ValidationError,
                r"^Period must be 10, 20, 30 or a multiple of 60",
                id="period",
            ),
            pytest.param(
                {"period": 60, "evaluation_periods": 1441},
                ValidationError,
                r"^Metrics cannot be checked across more than a day \(EvaluationPeriods "
                r"\* Period must be <= 86400\)",
                id="day",
            ),
            pytest.param(
                {"period": 3600, "evaluation_periods": 169},
                ValidationError,
                r"^Metrics cannot be checked across more than a week",
                id="week",
            ),
            pytest.param(
                {"datapoints_to_alarm": 4},
                ValidationError,
                r"^DatapointsToAlarm must be less than or equal to EvaluationPeriods$",
                id="m-over-n",
            ),
            pytest.param(
                {"extended_statistic": "p99"},
                InvalidParameterCombination,
                r"^Exactly one of the parameters Statistic and ExtendedStatistic",
                id="both-statistics",
            ),
            pytest.param(
                {"threshold": None},
                ValidationError,
                r"^Threshold must be specified",
                id="no-threshold",
            ),
            pytest.param(
                {"alarm_actions": ["arn:aws:s3:::bucket"]},
                ValidationError,
                r"^Invalid arn syntax: arn:aws:s3:::bucket$",
                id="bad-action",
            ),
            pytest.param(
                {"alarm_actions": ["arn:aws:automate:us-east-1:ec2:stop"]},
                ValidationError,
                r"^EC2 actions are only supported",
                id="ec2-no-instance",
            ),
        ],
    )
    def test_refused_and_nothing_stored(
        self, cloud: Cloud, overrides: dict[str, Any], error: type[ServiceError], message: str
    ) -> None:
        """Each invalid PutMetricAlarm raises AWS's code and leaves no alarm behind."""
        with pytest.raises(error) as caught:
            make_alarm(cloud, **overrides)
        assert re.match(message, caught.value.message)
        with pytest.raises(ResourceNotFound):
            cloud.cloudwatch.alarm("latency")

    def test_unit_filters_the_data(self, cloud: Cloud) -> None:
        """An alarm with a Unit reads only that unit's data."""
        alarm = make_alarm(
            cloud, evaluation_periods=1, unit="Milliseconds", treat_missing_data="notBreaching"
        )
        cloud.cloudwatch.publish(KEY, [(T0, 500.0)], unit=StandardUnit.SECONDS)
        advance_to(cloud, 1)
        assert alarm.state is OK
