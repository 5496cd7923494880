"""Tests of awsmon/cloudwatch/alarms/composite.py: composite alarms evaluated
when children change, their reasons, and action suppression on the clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from awsmon import Cloud, VirtualClock
from awsmon.cloudwatch.alarms.model import AlarmState
from awsmon.cloudwatch.alarms.records import ActionsSuppressedBy, CompositeAlarm
from awsmon.cloudwatch.errors import ValidationError

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
ARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:"


@pytest.fixture
def cloud() -> Cloud:
    cloud = Cloud(clock=VirtualClock(T0))
    cloud.sns.create_topic("ops")
    return cloud


def child(cloud: Cloud, name: str) -> None:
    """A metric alarm without data that keeps any state it is set to (TreatMissingData=ignore)."""
    cloud.cloudwatch.put_metric_alarm(
        name,
        metric_name=name,
        namespace="App",
        statistic="Sum",
        period=60,
        evaluation_periods=1,
        threshold=1.0,
        comparison_operator="GreaterThanThreshold",
        treat_missing_data="ignore",
    )


def set_state(cloud: Cloud, name: str, state: str) -> None:
    cloud.cloudwatch.set_alarm_state(name, state, f"set to {state}")


def composite(cloud: Cloud, name: str) -> CompositeAlarm:
    found = cloud.cloudwatch.alarm(name)
    assert isinstance(found, CompositeAlarm)
    return found


class TestEvaluation:
    def test_rule_follows_children(self, cloud: Cloud) -> None:
        """INSUFFICIENT_DATA at creation, then OK, then ALARM when both children alarm."""
        child(cloud, "cpu")
        child(cloud, "disk")
        both = cloud.cloudwatch.put_composite_alarm("both", "ALARM(cpu) AND ALARM(disk)")
        assert both.state is AlarmState.INSUFFICIENT_DATA
        cloud.clock.run_pending()
        assert both.state is AlarmState.OK
        assert both.state_reason == f"{ARN}both was created and its alarm rule evaluates to OK"
        set_state(cloud, "cpu", "ALARM")
        assert both.state is AlarmState.OK
        cloud.clock.advance(90)
        set_state(cloud, "disk", "ALARM")
        assert both.state is AlarmState.ALARM
        assert both.state_reason == (
            f"{ARN}disk transitioned to ALARM at Sunday 01 June, 2025 12:01:30 UTC"
        )
        assert json.loads(both.state_reason_data or "") == {
            "triggeringAlarms": [
                {
                    "arn": f"{ARN}disk",
                    "state": {"value": "ALARM", "timestamp": "2025-06-01T12:01:30.000+0000"},
                }
            ]
        }
        set_state(cloud, "cpu", "OK")
        assert both.state is AlarmState.OK

    def test_nested_composites_and_arns(self, cloud: Cloud) -> None:
        """A composite of composites, children named by ARN, follows the leaves."""
        child(cloud, "a")
        cloud.cloudwatch.put_composite_alarm("inner", f"ALARM({ARN}a)")
        outer = cloud.cloudwatch.put_composite_alarm("outer", "NOT OK(inner)")
        cloud.clock.run_pending()
        assert outer.state is AlarmState.OK
        set_state(cloud, "a", "ALARM")
        assert composite(cloud, "inner").state is AlarmState.ALARM
        assert outer.state is AlarmState.ALARM

    def test_set_state_holds_until_a_child_changes(self, cloud: Cloud) -> None:
        """SetAlarmState on a composite holds across minutes, until a child changes."""
        child(cloud, "a")
        alarm = cloud.cloudwatch.put_composite_alarm("c", "ALARM(a)")
        cloud.clock.run_pending()
        cloud.cloudwatch.set_alarm_state("c", "ALARM", "drill")
        cloud.clock.advance(300)
        assert alarm.state is AlarmState.ALARM
        set_state(cloud, "a", "OK")
        assert alarm.state is AlarmState.OK

    def test_errors(self, cloud: Cloud) -> None:
        """Unknown children and bad rules are refused with AWS's messages."""
        with pytest.raises(ValidationError) as caught:
            cloud.cloudwatch.put_composite_alarm("c", "ALARM(nope) OR ALARM(gone)")
        assert caught.value.message == (
            "Could not save the composite alarm as alarms [gone, nope] in the alarm rule do not "
            "exist"
        )
        with pytest.raises(ValidationError, match=r"Error in AlarmRule"):
            cloud.cloudwatch.put_composite_alarm("c", "ALARM(a) AND")
        child(cloud, "a")
        with pytest.raises(ValidationError, match="Composite alarms do not support EC2"):
            cloud.cloudwatch.put_composite_alarm(
                "c", "ALARM(a)", alarm_actions=["arn:aws:automate:us-east-1:ec2:stop"]
            )


class TestSuppression:
    @pytest.fixture
    def held(self, cloud: Cloud) -> CompositeAlarm:
        child(cloud, "app")
        child(cloud, "maintenance")
        alarm = cloud.cloudwatch.put_composite_alarm(
            "page",
            "ALARM(app)",
            alarm_actions=["arn:aws:sns:us-east-1:123456789012:ops"],
            actions_suppressor="maintenance",
            actions_suppressor_wait_period=120,
            actions_suppressor_extension_period=180,
        )
        cloud.clock.run_pending()
        return alarm

    def test_wait_period_then_actions(self, cloud: Cloud, held: CompositeAlarm) -> None:
        """Actions wait W; the suppressor staying OK lets them run when W ends."""
        set_state(cloud, "app", "ALARM")
        assert held.actions_suppressed_by is ActionsSuppressedBy.WAIT_PERIOD
        assert held.actions_suppressed_reason == "Actions suppressed by WaitPeriod"
        assert cloud.cloudwatch.alarm_events[-1]["detail"]["state"]["actionsSuppressedBy"] == (
            "WaitPeriod"
        )
        cloud.clock.advance(119)
        assert held.action_invocations == []
        cloud.clock.advance(1)
        assert [i.state for i in held.action_invocations] == [AlarmState.ALARM]
        assert held.actions_suppressed_by is None
        assert held.action_invocations[0].outcome == "Succeeded"

    def test_suppressor_alarm_then_extension(self, cloud: Cloud, held: CompositeAlarm) -> None:
        """The suppressor alarming during W holds actions; after it recovers, X then actions."""
        set_state(cloud, "app", "ALARM")
        cloud.clock.advance(60)
        set_state(cloud, "maintenance", "ALARM")
        assert held.actions_suppressed_by is ActionsSuppressedBy.ALARM
        cloud.clock.advance(600)
        assert held.action_invocations == []
        set_state(cloud, "maintenance", "OK")
        assert held.actions_suppressed_by is ActionsSuppressedBy.EXTENSION_PERIOD
        cloud.clock.advance(179)
        assert held.action_invocations == []
        cloud.clock.advance(1)
        assert len(held.action_invocations) == 1
        invocation = held.action_invocations[0]
        assert invocation.at == T0 + timedelta(seconds=60 + 600 + 180)
        message = json.loads(invocation.payload)
        assert message["AlarmRule"] == "ALARM(app)"
        assert message["OldStateValue"] == "OK"

    def test_suppressor_in_alarm_at_transition(self, cloud: Cloud, held: CompositeAlarm) -> None:
        """Suppressor already in ALARM: held by Alarm; recovering the composite runs nothing."""
        set_state(cloud, "maintenance", "ALARM")
        set_state(cloud, "app", "ALARM")
        assert held.actions_suppressed_by is ActionsSuppressedBy.ALARM
        set_state(cloud, "app", "OK")
        assert held.actions_suppressed_by is None
        set_state(cloud, "maintenance", "OK")
        cloud.clock.advance(600)
        assert held.action_invocations == []
