"""PutMetricAlarm: its parameters, written once, and the steps that build a `MetricAlarm`.

`MetricAlarmSettings` is PutMetricAlarm's parameter list (besides AlarmName):
the domain method ``CloudWatch.put_metric_alarm(name, **settings)`` takes it,
and `build_metric_alarm` turns it into a new `MetricAlarm` (in
INSUFFICIENT_DATA) or raises the AWS error. Nothing is stored here: the alarm
owner stores what comes back, so a refused request leaves nothing behind. The
checks PutMetricAlarm shares with PutCompositeAlarm are in
`awsmon.cloudwatch.alarms.checks`.

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

import functools
import inspect
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, TypedDict, TypeVar, cast

from attrs import frozen

from awsmon.cloudwatch.alarms.checks import (
    ALARM_CHECKS,
    BASIC_STATISTICS,
    check_alarm_period,
    check_common,
    enum_value,
)
from awsmon.cloudwatch.alarms.math_plan import math_plan
from awsmon.cloudwatch.alarms.model import (
    ComparisonOperator,
    EvaluateLowSampleCountPercentile,
    EvaluationConfig,
    TreatMissingData,
)
from awsmon.cloudwatch.alarms.records import FastPlan, MathPlan, MetricAlarm
from awsmon.cloudwatch.alarms.window import breach_test
from awsmon.cloudwatch.errors import (
    InvalidParameterCombination,
    InvalidParameterValue,
    MissingParameter,
    ValidationError,
)
from awsmon.cloudwatch.metrics.catalog import MetricCatalog
from awsmon.cloudwatch.metrics.model import Dimension, MetricKey, StandardUnit
from awsmon.cloudwatch.metrics.queries import (
    BandModel,
    MetricDataQuery,
)
from awsmon.cloudwatch.metrics.statistics import Statistic, parse_statistic

__all__ = [
    "AlarmPlace",
    "MetricAlarmSettings",
    "build_metric_alarm",
    "keyword_signature",
]

F = TypeVar("F", bound=Callable[..., Any])


class _RequiredSettings(TypedDict):
    evaluation_periods: int
    comparison_operator: ComparisonOperator | str


class MetricAlarmSettings(_RequiredSettings, total=False):
    """PutMetricAlarm's parameters besides AlarmName, snake_cased; the one list of them.

    Required: `evaluation_periods`, `comparison_operator`. Either the single-metric
    form (`metric_name`, `namespace`, `dimensions`, one of `statistic` and
    `extended_statistic`, `period`, `unit`) or `metrics` (a metric-math query
    list). Omitted values default as AWS does: no dimensions, no actions,
    `actions_enabled` True, TreatMissingData ``missing``.
    """

    metric_name: str | None
    namespace: str | None
    statistic: str | None
    extended_statistic: str | None
    dimensions: Mapping[str, str] | Iterable[Dimension]
    period: int | None
    unit: StandardUnit | str | None
    metrics: Sequence[MetricDataQuery]
    threshold: float | None
    threshold_metric_id: str | None
    datapoints_to_alarm: int | None
    treat_missing_data: TreatMissingData | str | None
    evaluate_low_sample_count_percentile: EvaluateLowSampleCountPercentile | str | None
    alarm_description: str | None
    actions_enabled: bool
    ok_actions: Sequence[str]
    alarm_actions: Sequence[str]
    insufficient_data_actions: Sequence[str]
    tags: Mapping[str, str] | None


def keyword_signature(settings: type[Any], *positional: str) -> Callable[[F], F]:
    """Give a ``(self, *positional, **settings)`` method the flat signature of its TypedDict.

    `inspect.signature` (help, and the dispatcher recording a domain call's
    parameters for CloudTrail) then sees each setting as a keyword parameter,
    as if it were written out (optional ones show None as their default), and a
    call with an unknown or missing keyword raises TypeError as it would then.
    """
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    parameters = [inspect.Parameter(name, kind) for name in ("self", *positional)]
    for name, annotation in settings.__annotations__.items():
        required = name in settings.__required_keys__
        parameters.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=inspect.Parameter.empty if required else None,
                annotation=getattr(annotation, "__forward_arg__", inspect.Parameter.empty),
            )
        )
    signature = inspect.Signature(parameters)

    def decorate(method: F) -> F:
        @functools.wraps(method)
        def checked(*args: Any, **kwargs: Any) -> Any:
            signature.bind(*args, **kwargs)
            return method(*args, **kwargs)

        checked.__signature__ = signature  # type: ignore[attr-defined]
        return cast(F, checked)

    return decorate


@frozen
class AlarmPlace:
    """Where an alarm is built: its account's ARN prefix, region, time and metrics.

    Attributes:
        arn_prefix: ``arn:aws:cloudwatch:<region>:<account>:alarm:``.
        region: the region (actions must be in it).
        now: the virtual time of the request.
        metrics: the metric store (math alarms' queries are compiled against it).
        bands: the anomaly models.
        new_id: a fresh id (a single-metric alarm's metric id).
    """

    arn_prefix: str
    region: str
    now: datetime
    metrics: MetricCatalog
    bands: BandModel
    new_id: Callable[[], str]


def _enum_text(value: Enum | str | None) -> str | None:
    return value.value if isinstance(value, Enum) else value


@frozen
class _Source:
    """What the alarm reads: a metric and statistic, or a math plan; its period and unit."""

    period: int
    key: MetricKey | None = None
    statistic: Statistic | None = None
    unit: StandardUnit | None = None
    plan: MathPlan | None = None


def _check_counts(evaluation_periods: int, datapoints_to_alarm: int | None) -> None:
    if isinstance(evaluation_periods, bool) or evaluation_periods < 1:
        raise ALARM_CHECKS.invalid(
            "EvaluationPeriods",
            evaluation_periods,
            "Member must have value greater than or equal to 1",
        )
    if datapoints_to_alarm is None:
        return
    if datapoints_to_alarm < 1:
        raise ALARM_CHECKS.invalid(
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


def _math_source(settings: MetricAlarmSettings, place: AlarmPlace) -> _Source:
    single = {
        "MetricName": settings.get("metric_name"),
        "Namespace": settings.get("namespace"),
        "Statistic": settings.get("statistic"),
        "ExtendedStatistic": settings.get("extended_statistic"),
        "Period": settings.get("period"),
        "Unit": settings.get("unit"),
        "Dimensions": list(settings.get("dimensions", ())) or None,
    }
    given = [name for name, value in single.items() if value is not None]
    if given:
        raise InvalidParameterCombination(
            f"The parameters {', '.join(given)} cannot be used together with Metrics.",
            param=given[0],
        )
    plan, period = math_plan(
        settings.get("metrics", ()),
        threshold_metric_id=settings.get("threshold_metric_id"),
        evaluation_periods=settings["evaluation_periods"],
        catalog=place.metrics,
        bands=place.bands,
        now=place.now,
    )
    return _Source(period, plan=plan)


def _statistic(statistic: str | None, extended_statistic: str | None) -> Statistic:
    if (statistic is None) == (extended_statistic is None):
        raise InvalidParameterCombination(
            "Exactly one of the parameters Statistic and ExtendedStatistic must be specified.",
            param="Statistic",
        )
    if statistic is not None:
        enum_value("Statistic", statistic, BASIC_STATISTICS)
        return parse_statistic(statistic)
    assert extended_statistic is not None
    parsed = parse_statistic(extended_statistic, param="ExtendedStatistic")
    if not parsed.is_extended:
        raise InvalidParameterValue(
            f"The value {extended_statistic} for parameter ExtendedStatistic is "
            "invalid: use Statistic for the basic statistics.",
            param="ExtendedStatistic",
            value=extended_statistic,
        )
    return parsed


def _metric_source(settings: MetricAlarmSettings) -> _Source:
    metric_name, namespace = settings.get("metric_name"), settings.get("namespace")
    if metric_name is None or namespace is None:
        missing = "MetricName" if metric_name is None else "Namespace"
        raise MissingParameter(
            f"The parameter {missing} is required when Metrics is not specified.",
            param=missing,
        )
    dimensions = settings.get("dimensions", ())
    key = MetricKey.of(namespace, metric_name, dimensions).check(custom=False)
    parsed = _statistic(settings.get("statistic"), settings.get("extended_statistic"))
    period = settings.get("period")
    if period is None:
        raise ValidationError(
            "Period must be specified for an alarm on a single metric.", param="Period"
        )
    unit = settings.get("unit")
    threshold_metric_id = settings.get("threshold_metric_id")
    if threshold_metric_id is not None:
        raise ValidationError(
            "ThresholdMetricId can only be used with the Metrics parameter.",
            param="ThresholdMetricId",
            value=threshold_metric_id,
        )
    return _Source(
        period, key=key, statistic=parsed, unit=None if unit is None else StandardUnit.parse(unit)
    )


def _check_threshold(
    operator: ComparisonOperator, threshold: float | None, threshold_metric_id: str | None
) -> None:
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


def _actions(settings: MetricAlarmSettings) -> dict[str, Sequence[str]]:
    return {
        "OKActions": settings.get("ok_actions", ()),
        "AlarmActions": settings.get("alarm_actions", ()),
        "InsufficientDataActions": settings.get("insufficient_data_actions", ()),
    }


def _fast_plan(
    config: EvaluationConfig, breaches: Callable[[float], bool] | None, source: _Source
) -> FastPlan | None:
    """The fast path's precomputed plan, for static single-metric alarms that need no
    per-period sample counts."""
    low_sample_ignored = (
        config.evaluate_low_sample_count_percentile is EvaluateLowSampleCountPercentile.IGNORE
        and config.minimum_sample_count is not None
    )
    if breaches is None or source.statistic is None or low_sample_ignored:
        return None
    return (
        config.range_size,
        config.evaluation_periods,
        config.required_breaching,
        config.effective_treat_missing_data,
        breaches,
        source.statistic,
    )


def _enumerations(
    settings: MetricAlarmSettings,
) -> tuple[ComparisonOperator, str | None, str | None]:
    """The operator, TreatMissingData and EvaluateLowSampleCountPercentile, checked."""
    operator_text = _enum_text(settings["comparison_operator"])
    enum_value("ComparisonOperator", operator_text, (o.value for o in ComparisonOperator))
    treat = enum_value(
        "TreatMissingData",
        _enum_text(settings.get("treat_missing_data")),
        (t.value for t in TreatMissingData),
    )
    low_sample = enum_value(
        "EvaluateLowSampleCountPercentile",
        _enum_text(settings.get("evaluate_low_sample_count_percentile")),
        (e.value for e in EvaluateLowSampleCountPercentile),
    )
    return ComparisonOperator(operator_text), treat, low_sample


def _check_actions_and_tags(
    alarm_name: str,
    settings: MetricAlarmSettings,
    operator: ComparisonOperator,
    source: _Source,
    region: str,
) -> dict[str, Sequence[str]]:
    actions = _actions(settings)
    check_common(
        name=alarm_name,
        description=settings.get("alarm_description"),
        actions=actions,
        tags=settings.get("tags"),
        region=region,
        composite=False,
        instance_metric=source.key is not None and source.key.dimension("InstanceId") is not None,
    )
    if operator.is_band and any("autoscaling" in a for arns in actions.values() for a in arns):
        raise ValidationError(
            "Anomaly detection alarms cannot have Auto Scaling actions.", param="AlarmActions"
        )
    return actions


def build_metric_alarm(
    alarm_name: str, settings: MetricAlarmSettings, place: AlarmPlace
) -> MetricAlarm:
    """A new `MetricAlarm` from PutMetricAlarm's arguments, every check passed.

    The steps, in AWS's order of refusals: the enumerations, EvaluationPeriods
    and DatapointsToAlarm, what the alarm reads (`metrics` or one metric), the
    period, the threshold, then the name, description, actions and tags.

    Raises:
        ValidationError, InvalidParameterValue, InvalidParameterCombination,
        MissingParameter: as AWS answers the request (see the module notes).
    """
    operator, treat, low_sample = _enumerations(settings)
    evaluation_periods = settings["evaluation_periods"]
    _check_counts(evaluation_periods, settings.get("datapoints_to_alarm"))
    metrics = settings.get("metrics", ())
    source = _math_source(settings, place) if metrics else _metric_source(settings)
    check_alarm_period(source.period, evaluation_periods)
    _check_threshold(operator, settings.get("threshold"), settings.get("threshold_metric_id"))
    actions = _check_actions_and_tags(alarm_name, settings, operator, source, place.region)
    config = EvaluationConfig(
        comparison_operator=operator,
        evaluation_periods=evaluation_periods,
        threshold=settings.get("threshold"),
        datapoints_to_alarm=settings.get("datapoints_to_alarm"),
        treat_missing_data=treat or TreatMissingData.MISSING,
        evaluate_low_sample_count_percentile=low_sample
        or EvaluateLowSampleCountPercentile.EVALUATE,
        statistic=settings.get("statistic"),
        extended_statistic=settings.get("extended_statistic"),
        period=timedelta(seconds=source.period),
        unit=None if source.unit is None else source.unit.value,
        namespace=None if source.key is None else source.key.namespace,
    )
    breaches = None if operator.is_band else breach_test(config)
    all_actions = [arn for listed in actions.values() for arn in listed]
    return MetricAlarm(
        name=alarm_name,
        arn=place.arn_prefix + alarm_name,
        description=settings.get("alarm_description"),
        actions_enabled=settings.get("actions_enabled", True),
        ok_actions=actions["OKActions"],
        alarm_actions=actions["AlarmActions"],
        insufficient_data_actions=actions["InsufficientDataActions"],
        tags=dict(settings.get("tags") or {}),
        configuration_updated_at=place.now,
        state_updated_at=place.now,
        state_transitioned_at=place.now,
        config=config,
        metric=source.key,
        statistic=config.statistic,
        extended_statistic=config.extended_statistic,
        period=source.period,
        unit=source.unit,
        metrics=tuple(metrics),
        threshold_metric_id=settings.get("threshold_metric_id"),
        treat_missing_data_given=treat,
        evaluate_low_sample_count_percentile_given=low_sample,
        metric_id=place.new_id() if source.key is not None else "",
        parsed_statistic=source.statistic,
        math_plan=source.plan,
        breaches=breaches,
        fast_plan=_fast_plan(config, breaches, source),
        repeats_actions=any(":autoscaling:" in arn for arn in all_actions),
    )
