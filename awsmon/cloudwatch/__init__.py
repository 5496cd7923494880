"""CloudWatch Metrics, Alarms and Dashboards, simulated.

The service is `CloudWatch` (``cloud.cloudwatch``, `awsmon.cloudwatch.service`);
the wire API is `awsmon.cloudwatch.api`. The code is in three packages:

- `awsmon.cloudwatch.metrics`: values (`MetricKey`, `Dimension`,
  `MetricDatum`, `StatisticSet`, `StandardUnit`), the store, statistics and
  GetMetricData (`MetricDataQuery`, `MetricStat`);
- `awsmon.cloudwatch.math`: the metric-math language (pure);
- `awsmon.cloudwatch.alarms`: metric and composite alarms (`AlarmState`,
  `ComparisonOperator`, `TreatMissingData`, `MetricAlarm`, `CompositeAlarm`,
  `ActionInvocation`), their evaluation and anomaly detectors.

Other services import what they need from this package only (never its
submodules): the names above, and `epoch_seconds`, `from_epoch` (the store's
time keys), `VendedMetrics` and `dims` (how services publish their vended
metrics) and `read_fast` (an alarm-style window of floats, which Auto Scaling's
target tracking reads).
"""

from __future__ import annotations

from awsmon.cloudwatch.alarms.model import AlarmState, ComparisonOperator, TreatMissingData
from awsmon.cloudwatch.alarms.records import ActionInvocation, CompositeAlarm, MetricAlarm
from awsmon.cloudwatch.alarms.window import read_fast
from awsmon.cloudwatch.metrics.model import (
    Dimension,
    MetricDatum,
    MetricKey,
    StandardUnit,
    StatisticSet,
)
from awsmon.cloudwatch.metrics.queries import MetricDataQuery, MetricStat
from awsmon.cloudwatch.metrics.store import epoch_seconds, from_epoch
from awsmon.cloudwatch.service import CloudWatch
from awsmon.cloudwatch.vended import Dims, VendedMetrics, dims

__all__ = [
    "ActionInvocation",
    "AlarmState",
    "CloudWatch",
    "ComparisonOperator",
    "CompositeAlarm",
    "Dimension",
    "Dims",
    "MetricAlarm",
    "MetricDataQuery",
    "MetricDatum",
    "MetricKey",
    "MetricStat",
    "StandardUnit",
    "StatisticSet",
    "TreatMissingData",
    "VendedMetrics",
    "dims",
    "epoch_seconds",
    "from_epoch",
    "read_fast",
]
