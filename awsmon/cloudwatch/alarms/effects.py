"""What follows an alarm's state change: history items, actions and the EventBridge event.

Functions the alarm service calls (they take it as their first argument):

- `history_item`: append an item to the service's alarm history.
- `config_snapshot`: the configuration as ConfigurationUpdate history writes it.
- `run_actions`: carry out the actions of the state an alarm entered: SNS
  publish, Lambda invoke, or the service named in
  `awsmon.cloudwatch.alarms.actions.ACTION_ROUTES` when one is registered;
  otherwise the action is recorded only. Each becomes an `ActionInvocation`
  on the alarm and an ``Action`` history item.
- `emit_state_change`: the "CloudWatch Alarm State Change" event, kept in
  ``alarm_events`` and put on the default event bus when an ``events``
  service is registered (through its ``put_aws_event(source=, detail_type=,
  detail=, resources=, time=)`` method).

Simulation notes:
    The wording of ConfigurationUpdate and Action history items
    (``Alarm "x" created``, ``Successfully executed action arn:...``) and the
    fields of their HistoryData are not documented; awsmon writes camelCase
    configuration snapshots. Actions run as the service principal
    ``cloudwatch.amazonaws.com`` (Lambda: ``lambda.alarms.cloudwatch.amazonaws.com``).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from awsmon import registry
from awsmon.cloudwatch.alarms.actions import (
    ACTION_ROUTES,
    action_kind,
    lambda_payload,
    sns_message,
    sns_subject,
    state_change_event,
)
from awsmon.cloudwatch.alarms.model import AlarmState
from awsmon.cloudwatch.alarms.records import (
    ActionInvocation,
    Alarm,
    AlarmHistoryItem,
    CompositeAlarm,
    HistoryItemType,
    MetricAlarm,
)
from awsmon.errors import ServiceError
from awsmon.identity import Principal

if TYPE_CHECKING:
    from awsmon.cloudwatch.alarms.runner import AlarmRunner

__all__ = [
    "Previous",
    "config_snapshot",
    "emit_state_change",
    "history_item",
    "run_actions",
]

#: (state, reason, reason data, since) of an alarm before a transition.
Previous = tuple[AlarmState, str, str | None, datetime]


def _registered(name: str) -> bool:
    try:
        registry.spec(name)
    except KeyError:
        return False
    return True


def history_item(
    service: AlarmRunner,
    alarm: Alarm,
    item_type: HistoryItemType,
    summary: str,
    data: dict[str, Any],
    at: datetime,
) -> None:
    """Append one history item for `alarm`."""
    service.alarm_history.append(
        AlarmHistoryItem(
            alarm_name=alarm.name,
            alarm_type=alarm.alarm_type,
            timestamp=at,
            item_type=item_type,
            summary=summary,
            data=json.dumps(data, separators=(",", ":")),
        )
    )


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
    elif isinstance(alarm, CompositeAlarm):
        snapshot["alarmRule"] = alarm.rule_text
        if alarm.actions_suppressor is not None:
            snapshot["actionsSuppressor"] = alarm.actions_suppressor
    return snapshot


def _place(service: AlarmRunner, arn: str) -> Any:
    parts = arn.split(":")
    region = parts[3] or service.region
    account = parts[4] if len(parts) > 4 and parts[4].isdigit() else service.account_id
    return service.ctx.cloud.account(account).region(region)


def run_actions(
    service: AlarmRunner,
    alarm: Alarm,
    previous: Previous,
    at: datetime,
    *,
    only_kinds: frozenset[str] | None = None,
    triggering: list[dict[str, Any]] | None = None,
) -> None:
    """Carry out the actions of the state `alarm` is in (when its actions are enabled).

    Args:
        previous: the state it left, for the messages.
        only_kinds: run only actions of these kinds (Auto Scaling repeats).
        triggering: composite alarms: the children that triggered, for SNS.
    """
    if not alarm.actions_enabled:
        return
    for arn in alarm.actions_for(alarm.state):
        kind = action_kind(arn) or "unknown"
        if only_kinds is not None and kind not in only_kinds:
            continue
        _run_one(service, alarm, arn, kind, previous, at, triggering)


def _run_one(
    service: AlarmRunner,
    alarm: Alarm,
    arn: str,
    kind: str,
    previous: Previous,
    at: datetime,
    triggering: list[dict[str, Any]] | None,
) -> None:
    cloud = service.ctx.cloud
    payload: Any = None
    outcome, error = "Recorded", None
    try:
        if kind == "sns":
            payload = sns_message(
                alarm,
                account_id=service.account_id,
                region=service.region,
                previous=previous[0],
                at=at,
                triggering=triggering,
            )
            if _registered("sns"):
                with cloud.as_principal(
                    Principal.service("cloudwatch.amazonaws.com", service.account_id)
                ):
                    _place(service, arn).service("sns").publish(
                        arn, payload, subject=sns_subject(alarm, alarm.state, service.region)
                    )
                outcome = "Succeeded"
        elif kind == "lambda":
            payload = lambda_payload(
                alarm,
                account_id=service.account_id,
                region=service.region,
                previous=previous,
                at=at,
            )
            if _registered("lambda_"):
                with cloud.as_principal(
                    Principal.service("lambda.alarms.cloudwatch.amazonaws.com", service.account_id)
                ):
                    _place(service, arn).service("lambda_").invoke(
                        arn, payload, invocation_type="Event"
                    )
                outcome = "Succeeded"
        else:
            payload = {
                "alarmName": alarm.name,
                "alarmArn": alarm.arn,
                "state": alarm.state.value,
                "previousState": previous[0].value,
                "action": arn,
            }
            route = ACTION_ROUTES.get(kind)
            if route is not None and _registered(route):
                handler = getattr(_place(service, arn).service(route), "handle_alarm_action", None)
                if callable(handler):
                    outcome = "Pending"
    except ServiceError as failure:
        outcome, error = "Failed", failure.message
    invocation = ActionInvocation(
        at=at,
        alarm_name=alarm.name,
        alarm_arn=alarm.arn,
        action_arn=arn,
        kind=kind,
        state=alarm.state,
        previous_state=previous[0],
        payload=payload,
        outcome="Succeeded" if outcome == "Pending" else outcome,
        error=error,
    )
    if outcome == "Pending":
        route = ACTION_ROUTES[kind]
        try:
            _place(service, arn).service(route).handle_alarm_action(invocation)
        except ServiceError as failure:
            invocation = ActionInvocation(
                **{**_fields(invocation), "outcome": "Failed", "error": failure.message}
            )
    alarm.action_invocations.append(invocation)
    service.action_invocations.append(invocation)
    _action_history(service, alarm, invocation)


def _fields(invocation: ActionInvocation) -> dict[str, Any]:
    return {
        "at": invocation.at,
        "alarm_name": invocation.alarm_name,
        "alarm_arn": invocation.alarm_arn,
        "action_arn": invocation.action_arn,
        "kind": invocation.kind,
        "state": invocation.state,
        "previous_state": invocation.previous_state,
        "payload": invocation.payload,
    }


def _action_history(service: AlarmRunner, alarm: Alarm, invocation: ActionInvocation) -> None:
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
    history_item(service, alarm, HistoryItemType.ACTION, summary[:255], data, invocation.at)


def emit_state_change(service: AlarmRunner, alarm: Alarm, previous: Previous) -> None:
    """Put the state-change event of `alarm` on the default bus (and in ``alarm_events``)."""
    event = state_change_event(
        alarm,
        event_id=service.ctx.ids.uuid(),
        account_id=service.account_id,
        region=service.region,
        previous=previous,
        at=alarm.state_updated_at,
    )
    if _registered("events"):
        put = getattr(service.ctx.sibling("events"), "put_aws_event", None)
        if callable(put):
            event_id = put(
                source=event["source"],
                detail_type=event["detail-type"],
                detail=event["detail"],
                resources=event["resources"],
                time=alarm.state_updated_at,
            )
            if isinstance(event_id, str):
                event["id"] = event_id
    service.alarm_events.append(event)
