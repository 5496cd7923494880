"""Tests of awsmon/cloudwatch/alarms/store.py and its collaborators: `Alarms` is the one
owner of the alarms, their composite parents, suppression and history; `Composites` and
`MetricAlarmEvaluator` work through public methods only."""

from __future__ import annotations

import inspect
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import Any, get_type_hints

import pytest

from awsmon import Cloud, VirtualClock
from awsmon.cloudwatch import CloudWatch, MetricKey
from awsmon.cloudwatch.alarms.composite import AlarmBook, CompositeAlarmSettings, Composites
from awsmon.cloudwatch.alarms.config import MetricAlarmSettings
from awsmon.cloudwatch.alarms.history import Previous
from awsmon.cloudwatch.alarms.listing import AlarmQuery
from awsmon.cloudwatch.alarms.model import AlarmState
from awsmon.cloudwatch.alarms.records import (
    Alarm,
    CompositeAlarm,
    HistoryItemType,
    MetricAlarm,
)
from awsmon.cloudwatch.alarms.rule import AlarmRule
from awsmon.cloudwatch.alarms.runner import MetricAlarmEvaluator
from awsmon.cloudwatch.metrics.store import epoch_seconds

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
PREFIX = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:"


@pytest.fixture
def cloud() -> Cloud:
    return Cloud(clock=VirtualClock(T0))


def metric_alarm(cloud: Cloud, name: str, **extra: Any) -> MetricAlarm:
    return cloud.cloudwatch.put_metric_alarm(
        name,
        metric_name=name,
        namespace="App",
        statistic="Sum",
        period=60,
        evaluation_periods=1,
        threshold=1.0,
        comparison_operator="GreaterThanThreshold",
        treat_missing_data="ignore",
        **extra,
    )


class TestOwner:
    def test_service_delegates_to_one_owner(self, cloud: Cloud) -> None:
        """The service's alarm views are the owner's own lists, not copies."""
        metric_alarm(cloud, "cpu")
        cw = cloud.cloudwatch
        assert cw.alarm("cpu") is cw.alarms.get("cpu")
        assert cw.alarm_history is cw.alarms.history
        assert cw.alarm_events is cw.alarms.events
        assert cw.action_invocations is cw.alarms.action_invocations

    def test_parents_and_suppression_follow_puts_and_deletes(self, cloud: Cloud) -> None:
        """parents_of / suppressed_by track PutCompositeAlarm, its update and DeleteAlarms."""
        for name in ("cpu", "disk", "maintenance"):
            metric_alarm(cloud, name)
        cw = cloud.cloudwatch
        cw.put_composite_alarm(
            "both",
            f"ALARM(cpu) AND ALARM({PREFIX}disk)",
            actions_suppressor="maintenance",
            actions_suppressor_wait_period=60,
            actions_suppressor_extension_period=60,
        )
        assert cw.alarms.parents_of("cpu") == {"both"}
        assert cw.alarms.parents_of("disk") == {"both"}
        assert cw.alarms.suppressed_by("maintenance") == {"both"}
        cw.put_composite_alarm("both", "ALARM(cpu)")
        assert cw.alarms.parents_of("disk") == set()
        assert cw.alarms.suppressed_by("maintenance") == set()
        cw.delete_alarms(["both"])
        assert cw.alarms.parents_of("cpu") == set()

    def test_history_of_create_update_state_delete(self, cloud: Cloud) -> None:
        """Each change the owner makes leaves its history item, in order."""
        metric_alarm(cloud, "cpu")
        metric_alarm(cloud, "cpu", alarm_description="updated")
        cloud.cloudwatch.set_alarm_state("cpu", "ALARM", "by hand")
        cloud.cloudwatch.delete_alarms(["cpu"])
        summaries = [(i.item_type, i.summary) for i in cloud.cloudwatch.alarm_history]
        assert summaries == [
            (HistoryItemType.CONFIGURATION_UPDATE, 'Alarm "cpu" created'),
            (HistoryItemType.CONFIGURATION_UPDATE, 'Alarm "cpu" updated'),
            (HistoryItemType.STATE_UPDATE, "Alarm updated from INSUFFICIENT_DATA to ALARM"),
            (HistoryItemType.CONFIGURATION_UPDATE, 'Alarm "cpu" deleted'),
        ]

    def test_describe_goes_through_the_owner(self, cloud: Cloud) -> None:
        """DescribeAlarms' children view reads the owner's rule references."""
        metric_alarm(cloud, "cpu")
        cloud.cloudwatch.put_composite_alarm("parent", "ALARM(cpu)")
        page = cloud.cloudwatch.describe_alarms(children_of_alarm_name="parent")
        assert [a.name for a in page.metric_alarms] == ["cpu"]
        assert page.view == "children"


class TestWrittenOnce:
    def test_put_metric_alarm_signature_is_the_settings(self) -> None:
        """The domain method's keyword parameters are exactly MetricAlarmSettings' keys."""
        signature = inspect.signature(CloudWatch.put_metric_alarm)
        names = list(signature.parameters)
        assert names[:2] == ["self", "alarm_name"]
        assert names[2:] == list(get_type_hints(MetricAlarmSettings))
        required = [n for n, p in signature.parameters.items() if p.default is p.empty]
        assert required == ["self", "alarm_name", "evaluation_periods", "comparison_operator"]

    def test_composite_and_describe_signatures(self) -> None:
        """PutCompositeAlarm and DescribeAlarms show their settings as keyword parameters."""
        composite = list(inspect.signature(CloudWatch.put_composite_alarm).parameters)
        settings = list(get_type_hints(CompositeAlarmSettings))
        assert composite == ["self", "alarm_name", "alarm_rule", *settings]
        describe = list(inspect.signature(CloudWatch.describe_alarms).parameters)
        assert describe == ["self", *get_type_hints(AlarmQuery)]

    def test_domain_call_is_recorded_with_flat_parameters(self, cloud: Cloud) -> None:
        """A domain PutMetricAlarm reaches the call record as AWS names, one per parameter."""
        calls: list[Any] = []
        cloud.dispatcher.listeners.append(calls.append)
        metric_alarm(cloud, "cpu")
        assert calls[-1].operation == "PutMetricAlarm"
        assert calls[-1].parameters == {
            "AlarmName": "cpu",
            "EvaluationPeriods": 1,
            "ComparisonOperator": "GreaterThanThreshold",
            "MetricName": "cpu",
            "Namespace": "App",
            "Statistic": "Sum",
            "Period": 60,
            "Threshold": 1.0,
            "TreatMissingData": "ignore",
        }

    def test_unknown_keyword_is_refused(self, cloud: Cloud) -> None:
        """A keyword that is not a PutMetricAlarm parameter raises TypeError, as before."""
        with pytest.raises(TypeError):
            cloud.cloudwatch.put_metric_alarm(  # type: ignore[call-arg]
                "x", evaluation_periods=1, comparison_operator="LessThanThreshold", bogus=1
            )


class FakeBook:
    """An AlarmBook in a dict: what Composites needs, and nothing of the service."""

    def __init__(self, alarms: dict[str, MetricAlarm | CompositeAlarm]) -> None:
        self.alarms = alarms
        self.changes: list[tuple[str, AlarmState, str]] = []
        self.actions: list[str] = []

    def get(self, name: str) -> MetricAlarm | CompositeAlarm | None:
        return self.alarms.get(name)

    def parents_of(self, name: str) -> Collection[str]:
        return [n for n, a in self.alarms.items() if isinstance(a, CompositeAlarm)]

    def suppressed_by(self, name: str) -> Collection[str]:
        return []

    def change_state(
        self, alarm: Alarm, state: AlarmState, reason: str, reason_data: str | None, data: Any
    ) -> None:
        self.changes.append((alarm.name, state, reason))
        alarm.state = state

    def run_actions(
        self, alarm: Alarm, previous: Previous, *, triggering: list[dict[str, Any]]
    ) -> None:
        self.actions.append(alarm.name)


def _composite(rule: str) -> CompositeAlarm:
    return CompositeAlarm(
        name="parent",
        arn=PREFIX + "parent",
        configuration_updated_at=T0,
        state_updated_at=T0,
        state_transitioned_at=T0,
        rule=AlarmRule.parse(rule),
        rule_text=rule,
    )


class TestCollaborators:
    def test_composites_work_with_any_alarm_book(self, cloud: Cloud) -> None:
        """Composite evaluation asks its book only through the AlarmBook methods."""
        child = metric_alarm(cloud, "cpu")
        child.state = AlarmState.ALARM
        parent = _composite(f"ALARM({PREFIX}cpu)")
        book = FakeBook({"cpu": child, "parent": parent})
        checked: AlarmBook = book
        Composites(checked, cloud.clock, PREFIX).evaluate(parent)
        assert book.changes == [
            (
                "parent",
                AlarmState.ALARM,
                "arn:aws:cloudwatch:us-east-1:123456789012:alarm:parent was created and its "
                "alarm rule evaluates to ALARM",
            )
        ]

    def test_evaluator_answers_without_changing_the_alarm(self, cloud: Cloud) -> None:
        """MetricAlarmEvaluator returns the change to make and leaves the alarm as it was."""
        alarm = metric_alarm(cloud, "cpu", datapoints_to_alarm=1)
        key = MetricKey.of("App", "cpu")
        cloud.cloudwatch.publish(key, [(T0, 5.0)])
        evaluator = MetricAlarmEvaluator(
            cloud.cloudwatch.metric_catalog, cloud.cloudwatch.anomaly_detectors
        )
        change = evaluator.evaluate(alarm, epoch_seconds(T0 + timedelta(minutes=1)))
        assert change is not None
        assert change.state is AlarmState.ALARM
        assert change.reason.startswith(
            "Threshold Crossed: 1 out of the last 1 datapoints [5.0 (01/06/25 12:00:00)]"
        )
        assert alarm.state is AlarmState.INSUFFICIENT_DATA
        assert cloud.cloudwatch.alarm_history[-1].item_type is HistoryItemType.CONFIGURATION_UPDATE
