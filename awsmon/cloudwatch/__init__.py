"""CloudWatch Metrics, Alarms and Dashboards, simulated.

The service is `CloudWatch` (``cloud.cloudwatch``); its values live in:

- `awsmon.cloudwatch.model`: `MetricKey`, `Dimension`, `MetricDatum`,
  `StatisticSet`, `StandardUnit`;
- `awsmon.cloudwatch.metric_data`: `MetricDataQuery`, `MetricStat` (GetMetricData);
- `awsmon.cloudwatch.alarm_model` and `alarm_records`: `AlarmState`,
  `ComparisonOperator`, `TreatMissingData`, `MetricAlarm`, `CompositeAlarm`,
  `ActionInvocation`;
- the pure languages: `statistics` (statistic names), `math` (metric math),
  `alarm_rule` (composite alarm rules), `evaluation` (the alarm algorithm).
"""

from __future__ import annotations

from awsmon.cloudwatch.alarm_model import AlarmState, ComparisonOperator, TreatMissingData
from awsmon.cloudwatch.alarm_records import ActionInvocation, CompositeAlarm, MetricAlarm
from awsmon.cloudwatch.metric_data import MetricDataQuery, MetricStat
from awsmon.cloudwatch.model import Dimension, MetricDatum, MetricKey, StandardUnit, StatisticSet
from awsmon.cloudwatch.service import CloudWatch

__all__ = [
    "ActionInvocation",
    "AlarmState",
    "CloudWatch",
    "ComparisonOperator",
    "CompositeAlarm",
    "Dimension",
    "MetricAlarm",
    "MetricDataQuery",
    "MetricDatum",
    "MetricKey",
    "MetricStat",
    "StandardUnit",
    "StatisticSet",
    "TreatMissingData",
]
