"""The checks PutMetricAlarm, PutCompositeAlarm and TagResource share, in AWS's wording.

- `ALARM_CHECKS`: the one `awsmon.params.Params` wording these checks' errors:
  ``ALARM_CHECKS.invalid(name, value, constraint)`` is AWS's ValidationError
  (``1 validation error detected: Value 'x' at 'alarmName' ...``).
- `check_common`: name, description, action lists and tags.
- `check_alarm_period`: an alarm period and the evaluation-span limits.
- `enum_value`: a value of a modelled enumeration.

>>> print(ALARM_CHECKS.invalid("AlarmName", "", "Member must not be empty").message)
1 validation error detected: Value '' at 'alarmName' failed to satisfy constraint: \
Member must not be empty
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from awsmon.cloudwatch.alarms.actions import check_action
from awsmon.cloudwatch.errors import MissingParameter, ValidationError
from awsmon.params import Params, Wording

__all__ = [
    "ALARM_CHECKS",
    "ALARM_WORDING",
    "BASIC_STATISTICS",
    "MAX_ACTIONS",
    "MAX_NAMES",
    "MAX_TAGS",
    "check_alarm_period",
    "check_common",
    "check_names",
    "enum_value",
]

BASIC_STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
MAX_ACTIONS = 5
MAX_TAGS = 50
#: Alarm names one DescribeAlarms / DeleteAlarms / Enable... call may give.
MAX_NAMES = 100
#: How CloudWatch words the alarm checks' errors: members in camelCase, as AWS does
#: (``Value 'x' at 'alarmName' failed to satisfy constraint: ...``).
ALARM_WORDING = Wording(member_case="camel")
#: The alarm checks' errors, worded by the one `Params` (``ALARM_CHECKS.invalid(name,
#: value, constraint)`` gives ``1 validation error detected: Value 'v' at 'name' ...``).
ALARM_CHECKS = Params({}, invalid=ValidationError, missing=MissingParameter, wording=ALARM_WORDING)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ONE_DAY = 86_400
_ONE_WEEK = 604_800


def _length(param: str, value: str, low: int, high: int) -> None:
    if len(value) < low:
        raise ALARM_CHECKS.invalid(
            param, value, f"Member must have length greater than or equal to {low}"
        )
    if len(value) > high:
        raise ALARM_CHECKS.invalid(
            param, value, f"Member must have length less than or equal to {high}"
        )


def check_common(
    *,
    name: str,
    description: str | None,
    actions: Mapping[str, Sequence[str]],
    tags: Mapping[str, str] | None,
    region: str,
    composite: bool,
    instance_metric: bool,
) -> None:
    """The checks PutMetricAlarm and PutCompositeAlarm share.

    Args:
        actions: parameter name (``AlarmActions``...) → its ARNs.

    Raises:
        ValidationError: a bad name, description, action list or tag.
    """
    _length("AlarmName", name, 1, 255)
    if _CONTROL.search(name):
        raise ALARM_CHECKS.invalid(
            "AlarmName", name, "Member must not contain ASCII control characters"
        )
    if description is not None:
        _length("AlarmDescription", description, 0, 1024)
    for param, arns in actions.items():
        if len(arns) > MAX_ACTIONS:
            raise ALARM_CHECKS.invalid(
                param, list(arns), f"Member must have length less than or equal to {MAX_ACTIONS}"
            )
        for arn in arns:
            _length(param, arn, 1, 1024)
            check_action(
                arn,
                region=region,
                composite=composite,
                instance_metric=instance_metric,
                param=param,
            )
    if tags is not None:
        if len(tags) > MAX_TAGS:
            raise ALARM_CHECKS.invalid(
                "Tags", dict(tags), f"Member must have length less than or equal to {MAX_TAGS}"
            )
        for key, value in tags.items():
            _length("Tags.Key", key, 1, 128)
            _length("Tags.Value", value, 0, 256)


def check_alarm_period(period: int, evaluation_periods: int, param: str = "Period") -> None:
    """An alarm period: 10, 20, 30 or a multiple of 60, and within the evaluation span limits.

    Raises:
        ValidationError: any other period, or Period × EvaluationPeriods over
            7 days (over 1 day when the period is under an hour).
    """
    if isinstance(period, bool) or not isinstance(period, int) or period < 1:
        raise ALARM_CHECKS.invalid(
            param, period, "Member must have value greater than or equal to 1"
        )
    if period not in (10, 20, 30) and period % 60:
        raise ValidationError(
            f"Period must be 10, 20, 30 or a multiple of 60 (got {period})",
            param=param,
            value=period,
        )
    span = period * evaluation_periods
    if period < 3600 and span > _ONE_DAY:
        raise ValidationError(
            "Metrics cannot be checked across more than a day (EvaluationPeriods * Period "
            "must be <= 86400) for alarms using period < 3600",
            param="EvaluationPeriods",
            value=evaluation_periods,
        )
    if span > _ONE_WEEK:
        raise ValidationError(
            "Metrics cannot be checked across more than a week (EvaluationPeriods * Period "
            "must be <= 604800) for alarms using period >= 3600",
            param="EvaluationPeriods",
            value=evaluation_periods,
        )


def enum_value(param: str, value: str | None, choices: Iterable[str]) -> str | None:
    if value is None:
        return None
    allowed = list(choices)
    if value not in allowed:
        raise ALARM_CHECKS.invalid(
            param, value, f"Member must satisfy enum value set: [{', '.join(allowed)}]"
        )
    return value


def check_names(names: Sequence[str], param: str = "AlarmNames") -> None:
    """At most 100 alarm names in one call.

    Raises:
        ValidationError: more.
    """
    if len(names) > MAX_NAMES:
        raise ALARM_CHECKS.invalid(
            param, list(names), f"Member must have length less than or equal to {MAX_NAMES}"
        )
