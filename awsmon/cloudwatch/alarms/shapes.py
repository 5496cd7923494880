"""Alarms and anomaly detectors in the response shapes of the CloudWatch API.

`metric_alarm_out` and `composite_alarm_out` (DescribeAlarms and
DescribeAlarmsForMetric, full or the shorter children/parents views),
`detector_out` (DescribeAnomalyDetectors), and the shapes they share.
"""

from __future__ import annotations

from typing import Any

from awsmon.cloudwatch.alarms.anomaly import AnomalyDetector
from awsmon.cloudwatch.alarms.records import CompositeAlarm, MetricAlarm
from awsmon.cloudwatch.metrics.model import MetricKey
from awsmon.cloudwatch.metrics.queries import MetricDataQuery

__all__ = ["composite_alarm_out", "detector_out", "metric_alarm_out", "metric_out", "query_out"]


def query_out(query: MetricDataQuery) -> dict[str, Any]:
    """A metric-data query as DescribeAlarms and DescribeAnomalyDetectors return it."""
    entry: dict[str, Any] = {"Id": query.id}
    if query.metric_stat is not None:
        stat = query.metric_stat
        entry["MetricStat"] = {
            "Metric": metric_out(stat.metric),
            "Period": stat.period,
            "Stat": stat.stat,
        }
        if stat.unit is not None:
            entry["MetricStat"]["Unit"] = stat.unit.value
    if query.expression is not None:
        entry["Expression"] = query.expression
    if query.label is not None:
        entry["Label"] = query.label
    entry["ReturnData"] = query.return_data
    if query.period is not None:
        entry["Period"] = query.period
    return entry


def metric_out(key: MetricKey) -> dict[str, Any]:
    """A metric key in AWS's shape (Namespace, MetricName, Dimensions)."""
    return {
        "Namespace": key.namespace,
        "MetricName": key.name,
        "Dimensions": [{"Name": d.name, "Value": d.value} for d in key.dimensions],
    }


def _common_out(alarm: MetricAlarm | CompositeAlarm) -> dict[str, Any]:
    out: dict[str, Any] = {"AlarmName": alarm.name, "AlarmArn": alarm.arn}
    if alarm.description is not None:
        out["AlarmDescription"] = alarm.description
    out["AlarmConfigurationUpdatedTimestamp"] = alarm.configuration_updated_at
    out["ActionsEnabled"] = alarm.actions_enabled
    out["OKActions"] = list(alarm.ok_actions)
    out["AlarmActions"] = list(alarm.alarm_actions)
    out["InsufficientDataActions"] = list(alarm.insufficient_data_actions)
    out["StateValue"] = alarm.state.value
    out["StateReason"] = alarm.state_reason
    if alarm.state_reason_data is not None:
        out["StateReasonData"] = alarm.state_reason_data
    out["StateUpdatedTimestamp"] = alarm.state_updated_at
    return out


def metric_alarm_out(alarm: MetricAlarm, view: str = "full") -> dict[str, Any]:
    """A MetricAlarm as DescribeAlarms returns it."""
    if view != "full":
        return _short(alarm, view)
    out = _common_out(alarm)
    if alarm.metric is not None:
        out["MetricName"] = alarm.metric.name
        out["Namespace"] = alarm.metric.namespace
        if alarm.statistic is not None:
            out["Statistic"] = alarm.statistic
        if alarm.extended_statistic is not None:
            out["ExtendedStatistic"] = alarm.extended_statistic
        out["Dimensions"] = [{"Name": d.name, "Value": d.value} for d in alarm.metric.dimensions]
        out["Period"] = alarm.period
        if alarm.unit is not None:
            out["Unit"] = alarm.unit.value
    config = alarm.config
    out["EvaluationPeriods"] = config.evaluation_periods
    if config.datapoints_to_alarm is not None:
        out["DatapointsToAlarm"] = config.datapoints_to_alarm
    if config.threshold is not None:
        out["Threshold"] = config.threshold
    out["ComparisonOperator"] = config.comparison_operator.value
    if alarm.treat_missing_data_given is not None:
        out["TreatMissingData"] = alarm.treat_missing_data_given
    if alarm.evaluate_low_sample_count_percentile_given is not None:
        out["EvaluateLowSampleCountPercentile"] = alarm.evaluate_low_sample_count_percentile_given
    if alarm.metrics:
        out["Metrics"] = [query_out(q) for q in alarm.metrics]
    if alarm.threshold_metric_id is not None:
        out["ThresholdMetricId"] = alarm.threshold_metric_id
    out["StateTransitionedTimestamp"] = alarm.state_transitioned_at
    return out


def composite_alarm_out(alarm: CompositeAlarm, view: str = "full") -> dict[str, Any]:
    """A CompositeAlarm as DescribeAlarms returns it."""
    if view != "full":
        return _short(alarm, view)
    out = _common_out(alarm)
    out["AlarmRule"] = alarm.rule_text
    out["StateTransitionedTimestamp"] = alarm.state_transitioned_at
    if alarm.actions_suppressed_by is not None:
        out["ActionsSuppressedBy"] = alarm.actions_suppressed_by.value
        out["ActionsSuppressedReason"] = alarm.actions_suppressed_reason or ""
    if alarm.actions_suppressor is not None:
        out["ActionsSuppressor"] = alarm.actions_suppressor
        if alarm.wait_period is not None:
            out["ActionsSuppressorWaitPeriod"] = int(alarm.wait_period.total_seconds())
        if alarm.extension_period is not None:
            out["ActionsSuppressorExtensionPeriod"] = int(alarm.extension_period.total_seconds())
    return out


def _short(alarm: MetricAlarm | CompositeAlarm, view: str) -> dict[str, Any]:
    out: dict[str, Any] = {"AlarmName": alarm.name, "AlarmArn": alarm.arn}
    if view == "children":
        out["StateValue"] = alarm.state.value
        out["StateUpdatedTimestamp"] = alarm.state_updated_at
    return out


def detector_out(detector: AnomalyDetector, state: str) -> dict[str, Any]:
    """An anomaly detector as DescribeAnomalyDetectors returns it, in training `state`."""
    out: dict[str, Any] = {}
    if detector.metric is not None:
        metric = metric_out(detector.metric)
        out.update(metric)
        out["Stat"] = detector.stat
        out["SingleMetricAnomalyDetector"] = {**metric, "Stat": detector.stat}
    else:
        out["MetricMathAnomalyDetector"] = {
            "MetricDataQueries": [query_out(q) for q in detector.metric_math_queries]
        }
    configuration: dict[str, Any] = {
        "ExcludedTimeRanges": [
            {"StartTime": start, "EndTime": end} for start, end in detector.excluded_time_ranges
        ]
    }
    if detector.metric_timezone is not None:
        configuration["MetricTimezone"] = detector.metric_timezone
    out["Configuration"] = configuration
    out["StateValue"] = state
    if detector.periodic_spikes is not None:
        out["MetricCharacteristics"] = {"PeriodicSpikes": detector.periodic_spikes}
    return out
