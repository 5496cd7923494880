"""Alarm history items as AWS writes them: configuration updates, state updates, actions.

Pure builders the alarm owner (`awsmon.cloudwatch.alarms.store.Alarms`) appends
from; nothing here keeps a history.

- `history_item`: one `AlarmHistoryItem` with its HistoryData as compact JSON.
- `config_snapshot`: an alarm's configuration as ConfigurationUpdate items write it.
- `configuration_item`: the Create / Update / Delete item of an alarm.
- `state_update_item`: the StateUpdate item of a change of state.
- `action_item`: the Action item of one action carried out.

Simulation notes:
    The wording of ConfigurationUpdate and Action history items
    (``Alarm "x" created``, ``Successfully executed action arn:...``) and the
    fields of their HistoryData are not documented; awsmon writes camelCase
    configuration snapshots.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from awsmon import jsondoc
from awsmon.cloudwatch.alarms.model import AlarmState
from awsmon.cloudwatch.alarms.records import (
    ActionInvocation,
    Alarm,
    AlarmHistoryItem,
    CompositeAlarm,
    HistoryItemType,
    MetricAlarm,
)

__all__ = [
    "Previous",
    "action_item",
    "config_snapshot",
    "configuration_item",
    "deletion_item",
    "history_item",
    "state_update_item",
]

#: (state, reason, reason data, since) of an alarm before a transition.
Previous = tuple[AlarmState, str, str | None, datetime]


def history_item(
    alarm: Alarm, item_type: HistoryItemType, summary: str, data: dict[str, Any], at: datetime
) -> AlarmHistoryItem:
    """One history item of `alarm`, its data as compact JSON."""
    return AlarmHistoryItem(
        alarm_name=alarm.name,
        alarm_type=alarm.alarm_type,
        timestamp=at,
        item_type=item_type,
        summary=summary,
        data=json.dumps(data, separators=(",", ":")),
    )


def _metric_snapshot(alarm: MetricAlarm) -> dict[str, Any]:
    snapshot: dict[str, Any] = {}
    if alarm.metric is not None:
        snapshot["namespace"] = alarm.metric.namespace
        snapshot["metricName"] = alarm.metric.name
        snapshot["dimensions"] = [
            {"name": d.name, "value": d.value} for d in alarm.metric.dimensions
        ]
        snapshot["statistic" if alarm.statistic else "extendedStatistic"] = (
            alarm.statistic or alarm.extended_statistic
        )
    else:
        snapshot["metrics"] = [
            {"id": q.id, "expression": q.expression, "returnData": q.return_data}
            if q.expression is not None
            else {"id": q.id, "returnData": q.return_data}
            for q in alarm.metrics
        ]
    snapshot["period"] = alarm.period
    if alarm.unit is not None:
        snapshot["unit"] = alarm.unit.value
    snapshot["evaluationPeriods"] = alarm.config.evaluation_periods
    if alarm.config.datapoints_to_alarm is not None:
        snapshot["datapointsToAlarm"] = alarm.config.datapoints_to_alarm
    snapshot["comparisonOperator"] = alarm.config.comparison_operator.value
    if alarm.config.threshold is not None:
        snapshot["threshold"] = alarm.config.threshold
    if alarm.threshold_metric_id is not None:
        snapshot["thresholdMetricId"] = alarm.threshold_metric_id
    if alarm.treat_missing_data_given is not None:
        snapshot["treatMissingData"] = alarm.treat_missing_data_given
    return snapshot


def config_snapshot(alarm: Alarm) -> dict[str, Any]:
    """The alarm's configuration in camelCase, for ConfigurationUpdate history items."""
    snapshot: dict[str, Any] = {"alarmName": alarm.name, "alarmArn": alarm.arn}
    if alarm.description is not None:
        snapshot["alarmDescription"] = alarm.description
    snapshot["actionsEnabled"] = alarm.actions_enabled
    snapshot["okActions"] = list(alarm.ok_actions)
    snapshot["alarmActions"] = list(alarm.alarm_actions)
    snapshot["insufficientDataActions"] = list(alarm.insufficient_data_actions)
    if isinstance(alarm, MetricAlarm):
        snapshot.update(_metric_snapshot(alarm))
    elif isinstance(alarm, CompositeAlarm):
        snapshot["alarmRule"] = alarm.rule_text
        if alarm.actions_suppressor is not None:
            snapshot["actionsSuppressor"] = alarm.actions_suppressor
    return snapshot


def configuration_item(alarm: Alarm, old: Alarm | None, at: datetime) -> AlarmHistoryItem:
    """The ConfigurationUpdate item of creating `alarm`, or of replacing `old` with it."""
    verb, kind = ("updated", "Update") if old is not None else ("created", "Create")
    data: dict[str, Any] = {"type": kind, "version": "1.0"}
    if old is not None:
        data["originalUpdatedFields"] = config_snapshot(old)
        data["updatedAlarm"] = config_snapshot(alarm)
    else:
        data["createdAlarm"] = config_snapshot(alarm)
    return history_item(
        alarm, HistoryItemType.CONFIGURATION_UPDATE, f'Alarm "{alarm.name}" {verb}', data, at
    )


def deletion_item(alarm: Alarm, at: datetime) -> AlarmHistoryItem:
    """The ConfigurationUpdate item of deleting `alarm`."""
    return history_item(
        alarm,
        HistoryItemType.CONFIGURATION_UPDATE,
        f'Alarm "{alarm.name}" deleted',
        {"type": "Delete", "version": "1.0", "deletedAlarm": config_snapshot(alarm)},
        at,
    )


def _parsed(text: str) -> Any:
    try:
        return jsondoc.loads(text)
    except ValueError:
        return text


def state_update_item(alarm: Alarm, previous: Previous, reason_data: Any) -> AlarmHistoryItem:
    """The StateUpdate item of `alarm`'s move from `previous` to its current state.

    Args:
        reason_data: the new StateReasonData as an object (None when absent).
    """
    old_state: dict[str, Any] = {"stateValue": previous[0].value, "stateReason": previous[1]}
    if previous[2] is not None:
        old_state["stateReasonData"] = _parsed(previous[2])
    new_state: dict[str, Any] = {"stateValue": alarm.state.value, "stateReason": alarm.state_reason}
    if reason_data is not None:
        new_state["stateReasonData"] = reason_data
    return history_item(
        alarm,
        HistoryItemType.STATE_UPDATE,
        f"Alarm updated from {previous[0].value} to {alarm.state.value}",
        {"version": "1.0", "oldState": old_state, "newState": new_state},
        alarm.state_updated_at,
    )


def action_item(alarm: Alarm, invocation: ActionInvocation) -> AlarmHistoryItem:
    """The Action item of one action `alarm` carried out (or failed to)."""
    failed = invocation.outcome == "Failed"
    summary = (
        f'Failed to execute action {invocation.action_arn}. Received error: "{invocation.error}"'
        if failed
        else f"Successfully executed action {invocation.action_arn}"
    )
    data: dict[str, Any] = {
        "actionState": "Failed" if failed else "Succeeded",
        "stateUpdateTimestamp": int(invocation.at.timestamp() * 1000),
        "notificationResource": invocation.action_arn,
    }
    if isinstance(invocation.payload, str):
        data["publishedMessage"] = invocation.payload
    if failed:
        data["error"] = invocation.error
    return history_item(alarm, HistoryItemType.ACTION, summary[:255], data, invocation.at)
