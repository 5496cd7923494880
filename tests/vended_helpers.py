"""Helpers for the tests of vended metrics: read a metric's statistics, an alarm's state."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from awsmon import Cloud


def stat(
    cloud: Cloud,
    namespace: str,
    metric: str,
    dimensions: Mapping[str, str],
    statistic: str = "Sum",
    *,
    period: int = 60,
    span: timedelta = timedelta(hours=1),
) -> list[float]:
    """The `statistic` of a metric per `period` over the last `span`, oldest first."""
    now = cloud.clock.now()
    result = cloud.cloudwatch.get_metric_statistics(
        namespace,
        metric,
        start_time=now - span,
        end_time=now,
        period=period,
        dimensions=dimensions,
        statistics=[statistic],
    )
    return [p.statistics[statistic] for p in result.datapoints]


def alarm_state(cloud: Cloud, name: str) -> str:
    """The state of metric alarm `name`, as AWS's string."""
    return cloud.cloudwatch.describe_alarms(alarm_names=[name]).metric_alarms[0].state.value
