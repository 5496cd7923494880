"""StateReason and StateReasonData, written exactly as CloudWatch writes them.

Pure text builders for the alarm service: they read an
`awsmon.cloudwatch.alarms.evaluation.EvaluationResult` (metric alarms) or a composite
alarm's children and return the strings and dicts AWS puts in
DescribeAlarms, alarm history, SNS messages and EventBridge events.

Main functions:

- `state_reason`, `state_reason_data`, `state_reason_data_json`: metric alarms.
- `composite_transition_reason`, `composite_creation_reason`,
  `composite_reason_data`: composite alarms.
- `INITIAL_REASON`: the reason of a freshly created alarm.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from attrs import frozen

from awsmon.cloudwatch.alarms.evaluation import EvaluationResult, PointClass
from awsmon.cloudwatch.alarms.model import (
    AlarmState,
    ComparisonOperator,
    EvaluationConfig,
    PeriodValue,
    java_double,
    reason_data_timestamp,
    reason_timestamp,
)

__all__ = [
    "INITIAL_REASON",
    "TriggeringAlarm",
    "composite_creation_reason",
    "composite_reason_data",
    "composite_transition_reason",
    "state_reason",
    "state_reason_data",
    "state_reason_data_json",
]

#: StateReason of every alarm right after PutMetricAlarm / PutCompositeAlarm creates it.
INITIAL_REASON = "Unchecked: Initial alarm creation"

_FILL_NAMES = {PointClass.BREACHING: "Breaching", PointClass.NOT_BREACHING: "NonBreaching"}


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _was(number: int) -> str:
    return "was" if number == 1 else "were"


def _check_timestamps(result: EvaluationResult, timestamps: Sequence[datetime]) -> None:
    if len(timestamps) != len(result.window):
        raise ValueError(
            f"need one timestamp per window slot ({len(result.window)}), got {len(timestamps)}"
        )


def state_reason(
    config: EvaluationConfig, result: EvaluationResult, timestamps: Sequence[datetime]
) -> str:
    """The StateReason AWS writes for this evaluation.

    Forms (numbers and datapoint lists newest first, as AWS writes them):

    - ``Threshold Crossed: 1 out of the last 1 datapoints [99.5 (02/10/19 16:59:00)] was
      greater than the threshold (50.0) (minimum 1 datapoint for OK -> ALARM transition).``
      when the alarm has DatapointsToAlarm; without it the short form
      ``Threshold Crossed: 1 datapoint [21.5 (26/10/23 16:42:00)] was greater than the
      threshold (2.0).``
    - `` and 2 missing datapoints were treated as [Breaching]`` is added when
      missing periods were filled.
    - ``Threshold Crossed: no datapoints were received for 2 periods and 2 missing
      datapoints were treated as [Breaching].`` when only filled periods decide.
    - ``Thresholds Crossed: ... was less than the lower thresholds [...] or greater than
      the upper thresholds [...]`` for anomaly-band alarms.
    - ``Insufficient Data: 1 datapoint was unknown.`` for INSUFFICIENT_DATA.

    The datapoints listed are the real ones that decided the state: the
    breaching ones for ALARM, the non-breaching ones for OK. The minimum is M
    for ALARM and N − M + 1 for OK, and the transition named is always
    ``OK -> ALARM`` or ``ALARM -> OK``, whatever the previous state was.

    Args:
        config: the alarm's evaluation settings.
        result: what `evaluate` returned.
        timestamps: the start of each slot of ``result.window`` (`window_timestamps`).

    Simulation notes:
        The long form for alarms with DatapointsToAlarm, the mixed "N datapoints were
        received" form and the unknown count of the INSUFFICIENT_DATA form follow
        reasons observed from AWS, not documentation.
    """
    _check_timestamps(result, timestamps)
    n = config.evaluation_periods
    unknown = result.evaluated.count(PointClass.MISSING)
    if result.state is AlarmState.INSUFFICIENT_DATA:
        return (
            f"Insufficient Data: {_count(unknown or n, 'datapoint')} {_was(unknown or n)} unknown."
        )
    deciding = (
        PointClass.BREACHING if result.state is AlarmState.ALARM else PointClass.NOT_BREACHING
    )
    listed = [i for i in reversed(result.real_indices) if result.classes[i] is deciding]
    filled = len(result.filled_indices) if result.fill_as is not None else 0
    fill_clause = ""
    if filled and result.fill_as is not None:
        fill_clause = (
            f" and {_count(filled, 'missing datapoint')} {_was(filled)} treated as "
            f"[{_FILL_NAMES[result.fill_as]}]"
        )
    if not listed:
        received = len(result.real_indices)
        who = (
            "no datapoints were"
            if received == 0
            else f"{_count(received, 'datapoint')} {_was(received)}"
        )
        return f"Threshold Crossed: {who} received for {_count(n, 'period')}{fill_clause}."

    window = result.window
    values = ", ".join(
        f"{java_double(_value(window[i]))} ({reason_timestamp(timestamps[i])})" for i in listed
    )
    k = len(listed)
    comparison = _comparison(config, [_value_point(window[i]) for i in listed], deciding)
    title = "Thresholds Crossed" if config.comparison_operator.is_band else "Threshold Crossed"
    if config.datapoints_to_alarm is None:
        return f"{title}: {_count(k, 'datapoint')} [{values}] {_was(k)} {comparison}{fill_clause}."
    m = config.required_breaching
    minimum = m if deciding is PointClass.BREACHING else n - m + 1
    # AWS names the rule, not the actual change: an alarm leaving INSUFFICIENT_DATA
    # still reads "for OK -> ALARM transition" (EventBridge samples).
    transition = "OK -> ALARM" if deciding is PointClass.BREACHING else "ALARM -> OK"
    return (
        f"{title}: {k} out of the last {n} datapoints [{values}] {_was(k)} {comparison}"
        f"{fill_clause} (minimum {_count(minimum, 'datapoint')} for {transition} transition)."
    )


def _value_point(point: PeriodValue | None) -> PeriodValue:
    assert point is not None
    return point


def _value(point: PeriodValue | None) -> float:
    return _value_point(point).value


def _comparison(
    config: EvaluationConfig, points: Sequence[PeriodValue], deciding: PointClass
) -> str:
    negation = "" if deciding is PointClass.BREACHING else "not "
    operator = config.comparison_operator
    if not operator.is_band:
        assert config.threshold is not None
        return f"{negation}{operator.phrase} the threshold ({java_double(config.threshold)})"
    lowers = "[" + ", ".join(java_double(p.lower or 0.0) for p in points) + "]"
    uppers = "[" + ", ".join(java_double(p.upper or 0.0) for p in points) + "]"
    below = f"{negation}less than the lower thresholds {lowers}"
    above = f"{negation}greater than the upper thresholds {uppers}"
    if operator is ComparisonOperator.LESS_THAN_LOWER_THRESHOLD:
        return below
    if operator is ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD:
        return above
    return f"{below} or {above}"


def state_reason_data(
    config: EvaluationConfig,
    result: EvaluationResult,
    timestamps: Sequence[datetime],
    *,
    evaluated_at: datetime,
    include_evaluated_datapoints: bool = True,
) -> dict[str, object]:
    """The StateReasonData AWS writes for this evaluation, as a dict in AWS's key order.

    Keys: ``version``, ``queryDate`` (the evaluation instant), ``startDate`` (the
    start of the oldest evaluated period; only when a real datapoint was
    evaluated), ``unit`` (when the alarm has one), ``statistic`` (single-metric
    alarms), ``period`` (seconds), ``recentDatapoints`` (the evaluated real
    values, oldest → newest), ``threshold`` for static alarms or
    ``recentLowerThresholds``/``recentUpperThresholds`` for band alarms, and
    ``evaluatedDatapoints`` (newest first; ``timestamp``, ``sampleCount`` when
    known and ``value``; a missing period has only its ``timestamp``).

    Args:
        config: the alarm's evaluation settings.
        result: what `evaluate` returned.
        timestamps: the start of each slot of ``result.window``.
        evaluated_at: the evaluation instant (naive taken as UTC).
        include_evaluated_datapoints: False writes the pre-2020 shape without
            ``evaluatedDatapoints``, as in AWS's EventBridge samples.

    Simulation notes:
        For ExtendedStatistic alarms ``statistic`` holds the extended statistic
        (``p99``); AWS's key for it is not documented.
    """
    _check_timestamps(result, timestamps)
    real = result.real_indices
    points = [_value_point(result.window[i]) for i in real]
    data: dict[str, object] = {
        "version": "1.0",
        "queryDate": reason_data_timestamp(evaluated_at),
    }
    if real:
        data["startDate"] = reason_data_timestamp(timestamps[result.evaluated_indices[0]])
    if config.unit is not None:
        data["unit"] = config.unit
    statistic = config.statistic or config.extended_statistic
    if statistic is not None:
        data["statistic"] = statistic
    data["period"] = int(config.period.total_seconds())
    data["recentDatapoints"] = [p.value for p in points]
    if config.comparison_operator.is_band:
        data["recentLowerThresholds"] = [p.lower for p in points]
        data["recentUpperThresholds"] = [p.upper for p in points]
    else:
        data["threshold"] = config.threshold
    if include_evaluated_datapoints:
        evaluated: list[dict[str, object]] = []
        for i in reversed(result.evaluated_indices):
            entry: dict[str, object] = {"timestamp": reason_data_timestamp(timestamps[i])}
            point = result.window[i]
            if point is not None:
                if point.sample_count is not None:
                    entry["sampleCount"] = float(point.sample_count)
                entry["value"] = point.value
            evaluated.append(entry)
        data["evaluatedDatapoints"] = evaluated
    return data


def state_reason_data_json(data: object) -> str:
    """Serialize StateReasonData compactly, numbers written as Java writes doubles.

    Integers (``period``) stay integers; floats are written with `java_double`
    (``50.0``, ``1.0E-5``); no spaces, key order kept.
    """
    if data is None:
        return "null"
    if isinstance(data, bool):
        return "true" if data else "false"
    if isinstance(data, int):
        return str(data)
    if isinstance(data, float):
        return java_double(data)
    if isinstance(data, str):
        return json.dumps(data, ensure_ascii=False)
    if isinstance(data, dict):
        items = (f"{json.dumps(str(k))}:{state_reason_data_json(v)}" for k, v in data.items())
        return "{" + ",".join(items) + "}"
    if isinstance(data, (list, tuple)):
        return "[" + ",".join(state_reason_data_json(v) for v in data) + "]"
    raise TypeError(f"cannot write {type(data).__name__} in StateReasonData")


# --- composite alarms ----------------------------------------------------------------------


@frozen
class TriggeringAlarm:
    """A child alarm named in a composite alarm's StateReasonData.

    Attributes:
        arn: the child alarm's ARN.
        state: the child's state.
        timestamp: when the child entered that state (naive taken as UTC).
    """

    arn: str
    state: AlarmState
    timestamp: datetime


def composite_transition_reason(child_arn: str, state: AlarmState, at: datetime) -> str:
    """StateReason of a composite alarm re-evaluated because a child changed state.

    ``arn:aws:cloudwatch:us-east-1:123456789012:alarm:X transitioned to ALARM at
    Friday 22 July, 2022 15:57:45 UTC``; a naive `at` is taken as UTC.

    Simulation notes:
        Whether AWS pads single-digit days with a zero is not documented; awsmon does.
    """
    moment = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return f"{child_arn} transitioned to {state.value} at {moment:%A %d %B, %Y %H:%M:%S} UTC"


def composite_creation_reason(composite_arn: str, state: AlarmState) -> str:
    """StateReason of a composite alarm's first evaluation after it was created."""
    return f"{composite_arn} was created and its alarm rule evaluates to {state.value}"


def composite_reason_data(triggering: Sequence[TriggeringAlarm]) -> dict[str, object]:
    """StateReasonData of a composite alarm: the children that decided its state."""
    return {
        "triggeringAlarms": [
            {
                "arn": alarm.arn,
                "state": {
                    "value": alarm.state.value,
                    "timestamp": reason_data_timestamp(alarm.timestamp),
                },
            }
            for alarm in triggering
        ]
    }
