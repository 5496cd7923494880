"""A math alarm's ``Metrics``: checked and compiled once, at PutMetricAlarm.

`math_plan` applies PutMetricAlarm's rules for the ``Metrics`` form (exactly
one returned query besides the ThresholdMetricId one, at most 10 metrics,
GetMetricData's query rules, alarm periods) and compiles the expressions into a
`awsmon.cloudwatch.alarms.records.MathPlan` that each evaluation reuses. For
the anomaly-detection operators it finds the ANOMALY_DETECTION_BAND query and
the metric and width it names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from awsmon.cloudwatch.alarms.checks import check_alarm_period
from awsmon.cloudwatch.alarms.records import MathPlan
from awsmon.cloudwatch.errors import ValidationError
from awsmon.cloudwatch.math import Call, Number, Reference
from awsmon.cloudwatch.metrics.catalog import MetricCatalog
from awsmon.cloudwatch.metrics.queries import (
    BandModel,
    MetricDataQuery,
    MetricDataRequest,
    validate_queries,
)
from awsmon.errors import InvalidParameter

__all__ = ["MAX_ALARM_METRICS", "math_plan"]

#: MetricStat queries one alarm may have.
MAX_ALARM_METRICS = 10


def math_plan(
    metrics: Sequence[MetricDataQuery],
    *,
    threshold_metric_id: str | None,
    evaluation_periods: int,
    catalog: MetricCatalog,
    bands: BandModel,
    now: datetime,
) -> tuple[MathPlan, int]:
    """Check a math alarm's ``Metrics`` and compile them into a `MathPlan`.

    Args:
        metrics: the queries.
        threshold_metric_id: the Id of the ANOMALY_DETECTION_BAND query, or None.
        evaluation_periods: N (each MetricStat period must keep N periods in the limits).
        catalog, bands, now: what the queries compile against (nothing is read).

    Returns:
        The plan and the alarm's period (the returned query's, else the longest
        MetricStat period, else 60 seconds).

    Raises:
        ValidationError: not exactly one returned query, more than 10 metrics,
            an invalid query, period or ANOMALY_DETECTION_BAND.
    """
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
    request = MetricDataRequest(
        catalog, metrics, now - timedelta(hours=1), now, now=now, bands=bands
    )
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
