"""PutMetricAlarm's and PutCompositeAlarm's validation: every check, in one place.

`build_metric_alarm` turns PutMetricAlarm's arguments into a new `MetricAlarm`
(in INSUFFICIENT_DATA) or raises the AWS error; `check_common` holds the checks
both alarm kinds share (name, description, actions, tags). Nothing is stored
here: the service stores what comes back, so a refused request leaves nothing
behind.

Checks of PutMetricAlarm (reference §C.1):

- AlarmName 1-255 characters without control characters; AlarmDescription ≤ 1024.
- At most 5 ARNs per action list, each a valid alarm action (see
  `awsmon.cloudwatch.alarms.actions.check_action`); at most 50 tags.
- The single-metric form (MetricName, Namespace, Dimensions, exactly one of
  Statistic and ExtendedStatistic, Period, Unit) or the ``Metrics`` form, not both.
- ``Metrics``: exactly one query with ReturnData (besides the ThresholdMetricId
  query), valid ids, statistics and expressions, at most 10 metrics.
- Period 10, 20, 30 or a multiple of 60; Period × EvaluationPeriods ≤ 7 days,
  and ≤ 1 day when the period is under an hour.
- DatapointsToAlarm ≤ EvaluationPeriods; a finite Threshold for the static
  operators; ThresholdMetricId, naming an ``ANOMALY_DETECTION_BAND`` query, for
  the band operators.

Simulation notes:
    AWS's messages are used where they are known (the Period × EvaluationPeriods
    and DatapointsToAlarm ones, "Metrics list must contain exactly one metric
    matching the ReturnData parameter"); the wording of the other refusals is
    awsmon's, with the code AWS uses for that class of error.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from awsmon.cloudwatch.alarms.actions import check_action
from awsmon.cloudwatch.alarms.model import (
    ComparisonOperator,
    EvaluateLowSampleCountPercentile,
    EvaluationConfig,
    TreatMissingData,
)
from awsmon.cloudwatch.alarms.records import MathPlan, MetricAlarm
from awsmon.cloudwatch.alarms.window import breach_test
from awsmon.cloudwatch.errors import (
    InvalidParameterCombination,
    InvalidParameterValue,
    MissingParameter,
    ValidationError,
)
from awsmon.cloudwatch.math.expression import Call, Number, Reference
from awsmon.cloudwatch.metrics.model import Dimension, MetricKey, StandardUnit
from awsmon.cloudwatch.metrics.queries import MetricDataQuery, MetricDataRequest, validate_queries
from awsmon.cloudwatch.metrics.statistics import parse_statistic
from awsmon.errors import InvalidParameter

if TYPE_CHECKING:
    from awsmon.cloudwatch.service import CloudWatch

__all__ = [
    "BASIC_STATISTICS",
    "MAX_ACTIONS",
    "MAX_TAGS",
    "build_metric_alarm",
    "check_alarm_period",
    "check_common",
    "constraint_error",
]

BASIC_STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
MAX_ACTIONS = 5
MAX_TAGS = 50
MAX_ALARM_METRICS = 10
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ONE_DAY = 86_400
_ONE_WEEK = 604_800


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def constraint_error(param: str, value: Any, constraint: str) -> ValidationError:
    """AWS's ValidationError for a value that breaks a modelled constraint.

    >>> print(constraint_error("AlarmName", "", "Member must have length greater than or "
    ...                        "equal to 1").message)
    1 validation error detected: Value '' at 'alarmName' failed to satisfy constraint: \
Member must have length greater than or equal to 1
    """
    shown = value if isinstance(value, str) else repr(value)
    return ValidationError(
        f"1 validation error detected: Value '{shown}' at '{_camel(param)}' failed to "
        f"satisfy constraint: {constraint}",
        param=param,
        value=value,
    )


def _length(param: str, value: str, low: int, high: int) -> None:
    if len(value) < low:
        raise constraint_error(
            param, value, f"Member must have length greater than or equal to {low}"
        )
    if len(value) > high:
        raise constraint_error(
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
        raise constraint_error(
            "AlarmName", name, "Member must not contain ASCII control characters"
        )
    if description is not None:
        _length("AlarmDescription", description, 0, 1024)
    for param, arns in actions.items():
        if len(arns) > MAX_ACTIONS:
            raise constraint_error(
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
            raise constraint_error(
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
        raise constraint_error(param, period, "Member must have value greater than or equal to 1")
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


def _enum_value(param: str, value: str | None, choices: Iterable[str]) -> str | None:
    if value is None:
        return None
    allowed = list(choices)
    if value not in allowed:
        raise constraint_error(
            param, value, f"Member must satisfy enum value set: [{', '.join(allowed)}]"
        )
    return value


def build_metric_alarm(
    service: CloudWatch,
    alarm_name: str,
    *,
    evaluation_periods: int,
    comparison_operator: ComparisonOperator | str,
    metric_name: str | None = None,
    namespace: str | None = None,
    statistic: str | None = None,
    extended_statistic: str | None = None,
    dimensions: Mapping[str, str] | Iterable[Dimension] = (),
    period: int | None = None,
    unit: StandardUnit | str | None = None,
    metrics: Sequence[MetricDataQuery] = (),
    threshold: float | None = None,
    threshold_metric_id: str | None = None,
    datapoints_to_alarm: int | None = None,
    treat_missing_data: TreatMissingData | str | None = None,
    evaluate_low_sample_count_percentile: EvaluateLowSampleCountPercentile | str | None = None,
    alarm_description: str | None = None,
    actions_enabled: bool = True,
    ok_actions: Sequence[str] = (),
    alarm_actions: Sequence[str] = (),
    insufficient_data_actions: Sequence[str] = (),
    tags: Mapping[str, str] | None = None,
) -> MetricAlarm:
    """A new `MetricAlarm` from PutMetricAlarm's arguments, every check passed.

    Raises:
        ValidationError, InvalidParameterValue, InvalidParameterCombination,
        MissingParameter: as AWS answers the request (see the module notes).
    """
    operator_text = (
        comparison_operator.value
        if isinstance(comparison_operator, ComparisonOperator)
        else comparison_operator
    )
    _enum_value("ComparisonOperator", operator_text, (o.value for o in ComparisonOperator))
    operator = ComparisonOperator(operator_text)
    treat = _enum_value(
        "TreatMissingData",
        treat_missing_data.value
        if isinstance(treat_missing_data, TreatMissingData)
        else treat_missing_data,
        (t.value for t in TreatMissingData),
    )
    low_sample = _enum_value(
        "EvaluateLowSampleCountPercentile",
        evaluate_low_sample_count_percentile.value
        if isinstance(evaluate_low_sample_count_percentile, EvaluateLowSampleCountPercentile)
        else evaluate_low_sample_count_percentile,
        (e.value for e in EvaluateLowSampleCountPercentile),
    )
    if isinstance(evaluation_periods, bool) or evaluation_periods < 1:
        raise constraint_error(
            "EvaluationPeriods",
            evaluation_periods,
            "Member must have value greater than or equal to 1",
        )
    if datapoints_to_alarm is not None:
        if datapoints_to_alarm < 1:
            raise constraint_error(
                "DatapointsToAlarm",
                datapoints_to_alarm,
                "Member must have value greater than or equal to 1",
            )
        if datapoints_to_alarm > evaluation_periods:
            raise ValidationError(
                "DatapointsToAlarm must be less than or equal to EvaluationPeriods",
                param="DatapointsToAlarm",
                value=datapoints_to_alarm,
            )
    key: MetricKey | None = None
    parsed = None
    plan: MathPlan | None = None
    alarm_unit: StandardUnit | None = None
    if metrics:
        single = {
            "MetricName": metric_name,
            "Namespace": namespace,
            "Statistic": statistic,
            "ExtendedStatistic": extended_statistic,
            "Period": period,
            "Unit": unit,
            "Dimensions": list(dimensions) or None,
        }
        given = [name for name, value in single.items() if value is not None]
        if given:
            raise InvalidParameterCombination(
                f"The parameters {', '.join(given)} cannot be used together with Metrics.",
                param=given[0],
            )
        plan, alarm_period = _math_plan(service, metrics, threshold_metric_id, evaluation_periods)
    else:
        if metric_name is None or namespace is None:
            missing = "MetricName" if metric_name is None else "Namespace"
            raise MissingParameter(
                f"The parameter {missing} is required when Metrics is not specified.",
                param=missing,
            )
        key = MetricKey.of(namespace, metric_name, dimensions).check(custom=False)
        if (statistic is None) == (extended_statistic is None):
            raise InvalidParameterCombination(
                "Exactly one of the parameters Statistic and ExtendedStatistic must be specified.",
                param="Statistic",
            )
        if statistic is not None:
            _enum_value("Statistic", statistic, BASIC_STATISTICS)
            parsed = parse_statistic(statistic)
        else:
            assert extended_statistic is not None
            parsed = parse_statistic(extended_statistic, param="ExtendedStatistic")
            if not parsed.is_extended:
                raise InvalidParameterValue(
                    f"The value {extended_statistic} for parameter ExtendedStatistic is "
                    "invalid: use Statistic for the basic statistics.",
                    param="ExtendedStatistic",
                    value=extended_statistic,
                )
        if period is None:
            raise ValidationError(
                "Period must be specified for an alarm on a single metric.", param="Period"
            )
        alarm_period = period
        if unit is not None:
            alarm_unit = StandardUnit.parse(unit)
        if threshold_metric_id is not None:
            raise ValidationError(
                "ThresholdMetricId can only be used with the Metrics parameter.",
                param="ThresholdMetricId",
                value=threshold_metric_id,
            )
    check_alarm_period(alarm_period, evaluation_periods)
    if operator.is_band != (threshold_metric_id is not None):
        raise ValidationError(
            f"ComparisonOperator {operator.value} "
            + (
                "requires ThresholdMetricId."
                if operator.is_band
                else "cannot be used with ThresholdMetricId."
            ),
            param="ComparisonOperator",
            value=operator.value,
        )
    if operator.is_band:
        if threshold is not None:
            raise InvalidParameterCombination(
                "Threshold cannot be specified together with ThresholdMetricId.",
                param="Threshold",
            )
    elif threshold is None or not math.isfinite(float(threshold)):
        raise ValidationError(
            f"Threshold must be specified and finite for ComparisonOperator {operator.value}.",
            param="Threshold",
            value=threshold,
        )
    actions = {
        "OKActions": ok_actions,
        "AlarmActions": alarm_actions,
        "InsufficientDataActions": insufficient_data_actions,
    }
    check_common(
        name=alarm_name,
        description=alarm_description,
        actions=actions,
        tags=tags,
        region=service.region,
        composite=False,
        instance_metric=key is not None and key.dimension("InstanceId") is not None,
    )
    if operator.is_band and any("autoscaling" in arn for arns in actions.values() for arn in arns):
        raise ValidationError(
            "Anomaly detection alarms cannot have Auto Scaling actions.", param="AlarmActions"
        )
    config = EvaluationConfig(
        comparison_operator=operator,
        evaluation_periods=evaluation_periods,
        threshold=threshold,
        datapoints_to_alarm=datapoints_to_alarm,
        treat_missing_data=treat or TreatMissingData.MISSING,
        evaluate_low_sample_count_percentile=low_sample
        or EvaluateLowSampleCountPercentile.EVALUATE,
        statistic=statistic,
        extended_statistic=extended_statistic,
        period=timedelta(seconds=alarm_period),
        unit=None if alarm_unit is None else alarm_unit.value,
        namespace=None if key is None else key.namespace,
    )
    now = service.ctx.now()
    breaches = None if operator.is_band else breach_test(config)
    fast_plan = None
    low_sample_ignored = (
        config.evaluate_low_sample_count_percentile is EvaluateLowSampleCountPercentile.IGNORE
        and config.minimum_sample_count is not None
    )
    if breaches is not None and parsed is not None and not low_sample_ignored:
        fast_plan = (
            config.range_size,
            config.evaluation_periods,
            config.required_breaching,
            config.effective_treat_missing_data,
            breaches,
            parsed,
        )
    return MetricAlarm(
        name=alarm_name,
        arn=service.ctx.arn(f"alarm:{alarm_name}"),
        description=alarm_description,
        actions_enabled=actions_enabled,
        ok_actions=ok_actions,
        alarm_actions=alarm_actions,
        insufficient_data_actions=insufficient_data_actions,
        tags=dict(tags or {}),
        configuration_updated_at=now,
        state_updated_at=now,
        state_transitioned_at=now,
        config=config,
        metric=key,
        statistic=statistic,
        extended_statistic=extended_statistic,
        period=alarm_period,
        unit=alarm_unit,
        metrics=tuple(metrics),
        threshold_metric_id=threshold_metric_id,
        treat_missing_data_given=treat,
        evaluate_low_sample_count_percentile_given=low_sample,
        metric_id=service.ctx.ids.uuid() if key is not None else "",
        parsed_statistic=parsed,
        math_plan=plan,
        breaches=breaches,
        fast_plan=fast_plan,
        repeats_actions=any(":autoscaling:" in arn for arns in actions.values() for arn in arns),
    )


def _math_plan(
    service: CloudWatch,
    metrics: Sequence[MetricDataQuery],
    threshold_metric_id: str | None,
    evaluation_periods: int,
) -> tuple[MathPlan, int]:
    returned = [q for q in metrics if q.return_data and q.id != threshold_metric_id]
    if len(returned) != 1:
        raise ValidationError(
            "Metrics list must contain exactly one metric matching the ReturnData parameter",
            param="Metrics",
        )
    stats = [q for q in metrics if q.metric_stat is not None]
    if len(stats) > MAX_ALARM_METRICS:
        raise ValidationError(
            f"The collection Metrics must not have more than {MAX_ALARM_METRICS} metrics.",
            param="Metrics",
            value=len(stats),
        )
    now = service.ctx.now()
    request = MetricDataRequest(service, metrics, now - timedelta(hours=1), now)
    try:
        validate_queries(metrics, request)
    except InvalidParameter as error:
        message = error.message.replace("MetricDataQueries", "Metrics")
        raise ValidationError(message, param="Metrics", value=error.value) from None
    for index, query in enumerate(metrics, 1):
        if query.metric_stat is not None:
            check_alarm_period(
                query.metric_stat.period,
                evaluation_periods,
                param=f"Metrics.member.{index}.MetricStat.Period",
            )
    by_id = {q.id: q for q in metrics}
    band: tuple[str, float] | None = None
    if threshold_metric_id is not None:
        band = _band(by_id, request.compiled, threshold_metric_id)
    result = returned[0]
    if result.metric_stat is not None:
        period = result.metric_stat.period
    elif result.period is not None:
        period = result.period
    else:
        period = max((q.metric_stat.period for q in stats if q.metric_stat), default=60)
    plan = MathPlan(
        return_id=result.id,
        compiled=dict(request.compiled),
        statistics=dict(request.statistics),
        band=band,
    )
    return plan, period


def _band(
    by_id: Mapping[str, MetricDataQuery], compiled: Mapping[str, Any], query_id: str
) -> tuple[str, float]:
    query = by_id.get(query_id)
    expression = compiled.get(query_id)
    root = None if expression is None else expression.root
    if query is None or not isinstance(root, Call) or root.name != "ANOMALY_DETECTION_BAND":
        raise ValidationError(
            f"ThresholdMetricId {query_id} must be the Id of an ANOMALY_DETECTION_BAND "
            "expression in Metrics.",
            param="ThresholdMetricId",
            value=query_id,
        )
    target = root.args[0]
    if not isinstance(target, Reference) or by_id.get(target.query_id) is None:
        raise ValidationError(
            "The first argument of ANOMALY_DETECTION_BAND must be the Id of a metric in Metrics.",
            param="Metrics",
            value=query.expression,
        )
    metric_query = by_id[target.query_id]
    if metric_query.metric_stat is None:
        raise ValidationError(
            "The first argument of ANOMALY_DETECTION_BAND must be the Id of a metric in Metrics.",
            param="Metrics",
            value=query.expression,
        )
    width = 2.0
    if len(root.args) > 1:
        second = root.args[1]
        if not isinstance(second, Number):
            raise ValidationError(
                "The second argument of ANOMALY_DETECTION_BAND must be a number.",
                param="Metrics",
                value=query.expression,
            )
        width = second.value
    return target.query_id, width


def utc(moment: datetime) -> datetime:
    """An aware UTC datetime (naive taken as UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
