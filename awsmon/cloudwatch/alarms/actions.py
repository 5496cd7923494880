"""Alarm actions: which ARNs are valid, and what CloudWatch sends to each target.

Main names:

- `action_kind` / `check_action`: classify and validate an action ARN
  (SNS topic, Lambda function, Auto Scaling policy, EC2 automate/SWF action,
  Systems Manager OpsItem or Incident Manager response plan, investigation group).
- `sns_message`, `sns_subject`: the notification CloudWatch publishes to SNS.
- `lambda_payload`: the event a Lambda action is invoked with.
- `state_change_event`: the "CloudWatch Alarm State Change" EventBridge event.
- `ACTION_ROUTES`: the dispatch table for actions on services that are not
  simulated yet (kind → registry service name). A service registered under
  that name connects by defining ``handle_alarm_action(invocation)``; until
  one does, the action is only recorded on the alarm.
- `REGION_NAMES`: the long region names CloudWatch writes in notifications.

The shapes follow AWS's samples (user guide and aws-lambda-go test data).

Simulation notes:
    ``TreatMissingData`` in an SNS ``Trigger`` is the configured value, or ``""``
    when the alarm was created without it. The Subject's wording
    (``ALARM: "name" in US East (N. Virginia)``) is what AWS's emails show;
    it is cut at 100 characters. Composite-alarm notifications carry
    ``AlarmRule`` and ``TriggeringChildren`` instead of ``Trigger`` (AWS does not
    document that shape).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from awsmon.cloudwatch.alarms.model import AlarmState, reason_data_timestamp
from awsmon.cloudwatch.alarms.records import Alarm, CompositeAlarm, MetricAlarm
from awsmon.cloudwatch.errors import ValidationError

__all__ = [
    "ACTION_ROUTES",
    "REGION_NAMES",
    "action_kind",
    "check_action",
    "lambda_payload",
    "metrics_configuration",
    "sns_message",
    "sns_subject",
    "state_change_event",
]

_PARTITION = r"arn:aws(?:-[a-z]+)*"
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("sns", re.compile(rf"{_PARTITION}:sns:[a-z0-9-]+:\d{{12}}:[\w-]{{1,256}}(?:\.fifo)?")),
    (
        "lambda",
        re.compile(rf"{_PARTITION}:lambda:[a-z0-9-]+:\d{{12}}:function:[\w-]{{1,64}}(?::[\w$-]+)?"),
    ),
    (
        "autoscaling",
        re.compile(rf"{_PARTITION}:autoscaling:[a-z0-9-]+:\d{{12}}:scalingPolicy:\S+"),
    ),
    ("ec2", re.compile(rf"{_PARTITION}:automate:(?P<region>[a-z0-9-]+):ec2:(?P<action>[a-z]+)")),
    (
        "ec2",
        re.compile(
            rf"{_PARTITION}:swf:(?P<region>[a-z0-9-]+):\d{{12}}:action/actions/"
            r"AWS_EC2\.InstanceId\.(?P<action>Stop|Terminate|Reboot|Recover)/1\.0"
        ),
    ),
    ("ssm", re.compile(rf"{_PARTITION}:ssm:[a-z0-9-]+:\d{{12}}:opsitem:\d+(?:#CATEGORY=\w+)?")),
    ("ssm-incidents", re.compile(rf"{_PARTITION}:ssm-incidents::\d{{12}}:responseplan/\S+")),
    ("aiops", re.compile(rf"{_PARTITION}:aiops:[a-z0-9-]+:\d{{12}}:investigation-group:\S+")),
)
_EC2_ACTIONS = frozenset({"stop", "terminate", "reboot", "recover"})

#: Action kinds on services awsmon does not simulate yet → the registry name a
#: service will have when it does (it then receives ``handle_alarm_action``).
ACTION_ROUTES: dict[str, str] = {
    "autoscaling": "autoscaling",
    "ec2": "ec2",
    "ssm": "ssm",
    "ssm-incidents": "ssm_incidents",
    "aiops": "aiops",
}

#: Long region names, as CloudWatch writes ``Region`` in SNS notifications.
REGION_NAMES: dict[str, str] = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "af-south-1": "Africa (Cape Town)",
    "ap-east-1": "Asia Pacific (Hong Kong)",
    "ap-south-1": "Asia Pacific (Mumbai)",
    "ap-south-2": "Asia Pacific (Hyderabad)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
    "ap-northeast-2": "Asia Pacific (Seoul)",
    "ap-northeast-3": "Asia Pacific (Osaka)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-southeast-2": "Asia Pacific (Sydney)",
    "ap-southeast-3": "Asia Pacific (Jakarta)",
    "ap-southeast-4": "Asia Pacific (Melbourne)",
    "ca-central-1": "Canada (Central)",
    "ca-west-1": "Canada West (Calgary)",
    "eu-central-1": "EU (Frankfurt)",
    "eu-central-2": "EU (Zurich)",
    "eu-west-1": "EU (Ireland)",
    "eu-west-2": "EU (London)",
    "eu-west-3": "EU (Paris)",
    "eu-north-1": "EU (Stockholm)",
    "eu-south-1": "EU (Milan)",
    "eu-south-2": "EU (Spain)",
    "il-central-1": "Israel (Tel Aviv)",
    "me-central-1": "Middle East (UAE)",
    "me-south-1": "Middle East (Bahrain)",
    "sa-east-1": "South America (Sao Paulo)",
}


def action_kind(arn: str) -> str | None:
    """The kind of an alarm action ARN, or None when CloudWatch would not accept it.

    >>> action_kind("arn:aws:sns:us-east-1:123456789012:ops")
    'sns'
    >>> action_kind("arn:aws:automate:us-east-1:ec2:stop")
    'ec2'
    >>> action_kind("arn:aws:s3:::bucket") is None
    True
    """
    for kind, pattern in _KINDS:
        match = pattern.fullmatch(arn)
        if match is None:
            continue
        if kind == "ec2" and match.group("action").lower() not in _EC2_ACTIONS:
            return None
        return kind
    return None


def check_action(
    arn: str, *, region: str, composite: bool, instance_metric: bool, param: str
) -> str:
    """Validate one action ARN of an alarm; return its kind.

    Args:
        arn: the action ARN.
        region: the alarm's region (EC2 actions must act in it).
        composite: the alarm is a composite alarm (no EC2 or Auto Scaling actions).
        instance_metric: the alarm watches one metric with an ``InstanceId``
            dimension (the only alarms EC2 actions may have).
        param: the request parameter, for the error.

    Raises:
        ValidationError: an ARN CloudWatch does not accept here.
    """
    kind = action_kind(arn)
    if kind is None:
        raise ValidationError(f"Invalid arn syntax: {arn}", param=param, value=arn)
    if kind == "ec2":
        match = re.search(r":(?:automate|swf):([a-z0-9-]+):", arn)
        where = match.group(1) if match else region
        if where != region:
            raise ValidationError(
                f"Invalid region {where} specified. Only {region} is supported.",
                param=param,
                value=arn,
            )
    if composite and kind in ("ec2", "autoscaling"):
        raise ValidationError(
            f"Composite alarms do not support EC2 or Auto Scaling actions: {arn}",
            param=param,
            value=arn,
        )
    if kind == "ec2" and not instance_metric:
        raise ValidationError(
            "EC2 actions are only supported for alarms on a single metric with an "
            f"InstanceId dimension: {arn}",
            param=param,
            value=arn,
        )
    return kind


# -- payloads ---------------------------------------------------------------------------------


def sns_subject(alarm: Alarm, state: AlarmState, region: str) -> str:
    """The Subject of the notification: ``ALARM: "name" in US East (N. Virginia)``."""
    subject = f'{state.value}: "{alarm.name}" in {REGION_NAMES.get(region, region)}'
    return subject[:100]


def _upper_snake(statistic: str) -> str:
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", statistic).upper()


def _trigger(alarm: MetricAlarm) -> dict[str, Any]:
    trigger: dict[str, Any] = {}
    if alarm.metric is not None:
        trigger["MetricName"] = alarm.metric.name
        trigger["Namespace"] = alarm.metric.namespace
        if alarm.extended_statistic is not None:
            trigger["StatisticType"] = "ExtendedStatistic"
            trigger["ExtendedStatistic"] = alarm.extended_statistic
        else:
            trigger["StatisticType"] = "Statistic"
            trigger["Statistic"] = _upper_snake(alarm.statistic or "")
        trigger["Unit"] = None if alarm.unit is None else alarm.unit.value
        trigger["Dimensions"] = [
            {"value": d.value, "name": d.name} for d in alarm.metric.dimensions
        ]
    trigger["Period"] = alarm.period
    trigger["EvaluationPeriods"] = alarm.config.evaluation_periods
    if alarm.config.datapoints_to_alarm is not None:
        trigger["DatapointsToAlarm"] = alarm.config.datapoints_to_alarm
    trigger["ComparisonOperator"] = alarm.config.comparison_operator.value
    if alarm.threshold_metric_id is not None:
        trigger["ThresholdMetricId"] = alarm.threshold_metric_id
    else:
        trigger["Threshold"] = alarm.config.threshold
    trigger["TreatMissingData"] = alarm.treat_missing_data_given or ""
    trigger["EvaluateLowSampleCountPercentile"] = (
        alarm.evaluate_low_sample_count_percentile_given or ""
    )
    if alarm.metrics:
        trigger["Metrics"] = [_query_pascal(q) for q in alarm.metrics]
    return trigger


def _query_pascal(query: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if query.expression is not None:
        entry["Expression"] = query.expression
    entry["Id"] = query.id
    if query.label is not None:
        entry["Label"] = query.label
    if query.metric_stat is not None:
        stat = query.metric_stat
        entry["MetricStat"] = {
            "Metric": {
                "Dimensions": [{"value": d.value, "name": d.name} for d in stat.metric.dimensions],
                "MetricName": stat.metric.name,
                "Namespace": stat.metric.namespace,
            },
            "Period": stat.period,
            "Stat": stat.stat,
        }
        if stat.unit is not None:
            entry["MetricStat"]["Unit"] = stat.unit.value
    entry["ReturnData"] = query.return_data
    return entry


def sns_message(
    alarm: Alarm,
    *,
    account_id: str,
    region: str,
    previous: AlarmState,
    at: datetime,
    triggering: list[dict[str, Any]] | None = None,
) -> str:
    """The JSON text CloudWatch publishes to an SNS topic on a transition."""
    message: dict[str, Any] = {
        "AlarmName": alarm.name,
        "AlarmDescription": alarm.description,
        "AWSAccountId": account_id,
        "AlarmConfigurationUpdatedTimestamp": reason_data_timestamp(alarm.configuration_updated_at),
        "NewStateValue": alarm.state.value,
        "NewStateReason": alarm.state_reason,
        "StateChangeTime": reason_data_timestamp(at),
        "Region": REGION_NAMES.get(region, region),
        "AlarmArn": alarm.arn,
        "OldStateValue": previous.value,
        "OKActions": list(alarm.ok_actions),
        "AlarmActions": list(alarm.alarm_actions),
        "InsufficientDataActions": list(alarm.insufficient_data_actions),
    }
    if isinstance(alarm, MetricAlarm):
        message["Trigger"] = _trigger(alarm)
    elif isinstance(alarm, CompositeAlarm):
        message["AlarmRule"] = alarm.rule_text
        message["TriggeringChildren"] = triggering or []
    return json.dumps(message, separators=(",", ":"))


def metrics_configuration(alarm: MetricAlarm) -> list[dict[str, Any]]:
    """``configuration.metrics`` of events and Lambda payloads (camelCase, AWS's order)."""
    if alarm.metric is not None:
        stat: dict[str, Any] = {
            "metric": {
                "namespace": alarm.metric.namespace,
                "name": alarm.metric.name,
                "dimensions": {d.name: d.value for d in alarm.metric.dimensions},
            },
            "period": alarm.period,
            "stat": alarm.statistic or alarm.extended_statistic,
        }
        if alarm.unit is not None:
            stat["unit"] = alarm.unit.value
        return [{"id": alarm.metric_id, "metricStat": stat, "returnData": True}]
    found: list[dict[str, Any]] = []
    for query in alarm.metrics:
        entry: dict[str, Any] = {"id": query.id}
        if query.metric_stat is not None:
            metric = query.metric_stat.metric
            entry["metricStat"] = {
                "metric": {
                    "namespace": metric.namespace,
                    "name": metric.name,
                    "dimensions": {d.name: d.value for d in metric.dimensions},
                },
                "period": query.metric_stat.period,
                "stat": query.metric_stat.stat,
            }
        if query.expression is not None:
            entry["expression"] = query.expression
        if query.label is not None:
            entry["label"] = query.label
        entry["returnData"] = query.return_data
        found.append(entry)
    return found


def _configuration(alarm: Alarm) -> dict[str, Any]:
    config: dict[str, Any] = {}
    if alarm.description is not None:
        config["description"] = alarm.description
    if isinstance(alarm, MetricAlarm):
        config["metrics"] = metrics_configuration(alarm)
    elif isinstance(alarm, CompositeAlarm):
        config["alarmRule"] = alarm.rule_text
        if alarm.actions_suppressor is not None:
            config["actionsSuppressor"] = alarm.actions_suppressor
            config["actionsSuppressorWaitPeriod"] = _seconds(alarm.wait_period)
            config["actionsSuppressorExtensionPeriod"] = _seconds(alarm.extension_period)
    return config


def _seconds(value: Any) -> int | None:
    return None if value is None else int(value.total_seconds())


def _state(
    value: AlarmState,
    reason: str,
    reason_data: str | None,
    at: datetime,
    extra: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    state: dict[str, Any] = {"value": value.value, "reason": reason}
    if reason_data is not None:
        state["reasonData"] = reason_data
    state["timestamp"] = reason_data_timestamp(at)
    state.update(extra or {})
    return state


def lambda_payload(
    alarm: Alarm,
    *,
    account_id: str,
    region: str,
    previous: tuple[AlarmState, str, str | None, datetime],
    at: datetime,
) -> dict[str, Any]:
    """The event a Lambda alarm action is invoked with (``source: aws.cloudwatch``)."""
    old_state, old_reason, old_data, old_at = previous
    return {
        "source": "aws.cloudwatch",
        "alarmArn": alarm.arn,
        "accountId": account_id,
        "time": reason_data_timestamp(at),
        "region": region,
        "alarmData": {
            "alarmName": alarm.name,
            "state": _state(alarm.state, alarm.state_reason, alarm.state_reason_data, at),
            "previousState": _state(old_state, old_reason, old_data, old_at),
            "configuration": _configuration(alarm),
        },
    }


def state_change_event(
    alarm: Alarm,
    *,
    event_id: str,
    account_id: str,
    region: str,
    previous: tuple[AlarmState, str, str | None, datetime],
    at: datetime,
) -> dict[str, Any]:
    """The "CloudWatch Alarm State Change" event put on the default event bus."""
    old_state, old_reason, old_data, old_at = previous
    extra: dict[str, str] = {}
    if isinstance(alarm, CompositeAlarm) and alarm.actions_suppressed_by is not None:
        extra["actionsSuppressedBy"] = alarm.actions_suppressed_by.value
        extra["actionsSuppressedReason"] = alarm.actions_suppressed_reason or ""
    return {
        "version": "0",
        "id": event_id,
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": account_id,
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [alarm.arn],
        "detail": {
            "alarmName": alarm.name,
            "state": _state(alarm.state, alarm.state_reason, alarm.state_reason_data, at, extra),
            "previousState": _state(old_state, old_reason, old_data, old_at),
            "configuration": _configuration(alarm),
        },
    }
