"""The CloudWatch wire API of alarms and anomaly detectors: AWS names, checks and shapes.

`AlarmsApi` is a `WireApi` whose handled operations `CloudWatchApi` inherits
(`WireApi.__init_subclass__` starts from the parent's ``operations``):
PutMetricAlarm, PutCompositeAlarm, DescribeAlarms, DescribeAlarmsForMetric,
DescribeAlarmHistory, DeleteAlarms, SetAlarmState, EnableAlarmActions,
DisableAlarmActions, PutAnomalyDetector, DescribeAnomalyDetectors,
DeleteAnomalyDetector, TagResource, UntagResource, ListTagsForResource.

Constraint errors use AWS's ValidationError wording, with the parameter in
camelCase (``Value 'INVALID' at 'stateValue' failed to satisfy constraint:
Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from awsmon.cloudwatch.alarm_config import constraint_error
from awsmon.cloudwatch.alarm_records import CompositeAlarm, MetricAlarm
from awsmon.cloudwatch.anomaly import AnomalyDetector
from awsmon.cloudwatch.errors import (
    InvalidParameterCombination,
    MissingParameter,
    ValidationError,
)
from awsmon.cloudwatch.metric_data import MetricDataQuery, MetricStat
from awsmon.cloudwatch.model import Dimension, MetricKey, StandardUnit
from awsmon.errors import ServiceError
from awsmon.wire import Params, WireApi, handles

if TYPE_CHECKING:
    from awsmon.cloudwatch.service import CloudWatch

__all__ = ["AlarmsApi"]

_STATES = ["INSUFFICIENT_DATA", "ALARM", "OK"]
_TYPES = ["CompositeAlarm", "MetricAlarm"]
_HISTORY_TYPES = [
    "ConfigurationUpdate",
    "StateUpdate",
    "Action",
    "AlarmContributorStateUpdate",
    "AlarmContributorAction",
]


class _Params(Params):
    """Params whose constraint errors are AWS's ValidationError with camelCase names."""

    def invalid(self, name: str, value: Any, constraint: str) -> ServiceError:
        return constraint_error(name, value, constraint)

    def nested(self, data: Any) -> _Params:  # type: ignore[override]  # dialect, to be folded into Params
        return _Params(data, invalid=ValidationError, missing=MissingParameter)


def _p(params: Params) -> _Params:
    return _Params(params.data, invalid=ValidationError, missing=MissingParameter)


def _required(p: Params, name: str, **checks: Any) -> str:
    value: str = p.string(name, required=True, **checks)
    return value


def _dimensions(p: Params, name: str = "Dimensions") -> list[Dimension]:
    found = []
    for item in p.items(name, max_items=30):
        entry = p.nested(item)
        found.append(
            Dimension(
                _required(entry, "Name", min_length=1, max_length=255),
                _required(entry, "Value", min_length=1, max_length=1024),
            )
        )
    return found


def _queries(p: Params, name: str) -> list[MetricDataQuery]:
    queries = []
    for item in p.items(name):
        q = p.nested(item)
        metric_stat = None
        stat_data = q.mapping("MetricStat")
        if stat_data:
            s = q.nested(stat_data)
            m = s.nested(s.mapping("Metric", required=True))
            unit = s.string("Unit")
            period = s.integer("Period", required=True, minimum=1)
            assert period is not None
            metric_stat = MetricStat(
                metric=MetricKey.of(
                    _required(m, "Namespace"), _required(m, "MetricName"), _dimensions(m)
                ),
                period=period,
                stat=_required(s, "Stat"),
                unit=None if unit is None else StandardUnit.parse(unit),
            )
        queries.append(
            MetricDataQuery(
                id=_required(q, "Id", min_length=1, max_length=255),
                metric_stat=metric_stat,
                expression=q.string("Expression", min_length=1, max_length=2048),
                label=q.string("Label"),
                return_data=bool(q.boolean("ReturnData", default=True)),
                period=q.integer("Period", minimum=1),
            )
        )
    return queries


def _tags(p: Params) -> dict[str, str] | None:
    if "Tags" not in p:
        return None
    tags: dict[str, str] = {}
    for item in p.items("Tags"):
        entry = p.nested(item)
        tags[_required(entry, "Key")] = entry.string("Value") or ""
    return tags


def _query_out(query: MetricDataQuery) -> dict[str, Any]:
    entry: dict[str, Any] = {"Id": query.id}
    if query.metric_stat is not None:
        stat = query.metric_stat
        entry["MetricStat"] = {
            "Metric": _metric_out(stat.metric),
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


def _metric_out(key: MetricKey) -> dict[str, Any]:
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
        out["Metrics"] = [_query_out(q) for q in alarm.metrics]
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


def _detector_out(detector: AnomalyDetector, state: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if detector.metric is not None:
        metric = _metric_out(detector.metric)
        out.update(metric)
        out["Stat"] = detector.stat
        out["SingleMetricAnomalyDetector"] = {**metric, "Stat": detector.stat}
    else:
        out["MetricMathAnomalyDetector"] = {
            "MetricDataQueries": [_query_out(q) for q in detector.metric_math_queries]
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


class AlarmsApi(WireApi):
    """Alarm and anomaly-detector operations on the wire (inherited by `CloudWatchApi`)."""

    domain: CloudWatch

    # -- alarms --------------------------------------------------------------------------

    @handles("PutMetricAlarm")
    def put_metric_alarm(self, params: Params) -> dict[str, Any]:
        """PutMetricAlarm."""
        p = _p(params)
        self.domain.put_metric_alarm(
            _required(p, "AlarmName", min_length=1, max_length=255),
            evaluation_periods=p.integer("EvaluationPeriods", required=True, minimum=1) or 0,
            comparison_operator=_required(p, "ComparisonOperator"),
            metric_name=p.string("MetricName", min_length=1, max_length=255),
            namespace=p.string("Namespace", min_length=1, max_length=255),
            statistic=p.string("Statistic"),
            extended_statistic=p.string("ExtendedStatistic"),
            dimensions=_dimensions(p),
            period=p.integer("Period", minimum=1),
            unit=p.string("Unit"),
            metrics=_queries(p, "Metrics"),
            threshold=p.number("Threshold"),
            threshold_metric_id=p.string("ThresholdMetricId", min_length=1, max_length=255),
            datapoints_to_alarm=p.integer("DatapointsToAlarm", minimum=1),
            treat_missing_data=p.string("TreatMissingData", min_length=1, max_length=255),
            evaluate_low_sample_count_percentile=p.string(
                "EvaluateLowSampleCountPercentile", min_length=1, max_length=255
            ),
            alarm_description=p.string("AlarmDescription", max_length=1024),
            actions_enabled=bool(p.boolean("ActionsEnabled", default=True)),
            ok_actions=p.items("OKActions"),
            alarm_actions=p.items("AlarmActions"),
            insufficient_data_actions=p.items("InsufficientDataActions"),
            tags=_tags(p),
        )
        return {}

    @handles("PutCompositeAlarm")
    def put_composite_alarm(self, params: Params) -> dict[str, Any]:
        """PutCompositeAlarm."""
        p = _p(params)
        self.domain.put_composite_alarm(
            _required(p, "AlarmName", min_length=1, max_length=255),
            _required(p, "AlarmRule", min_length=1, max_length=10240),
            alarm_description=p.string("AlarmDescription", max_length=1024),
            actions_enabled=bool(p.boolean("ActionsEnabled", default=True)),
            ok_actions=p.items("OKActions"),
            alarm_actions=p.items("AlarmActions"),
            insufficient_data_actions=p.items("InsufficientDataActions"),
            tags=_tags(p),
            actions_suppressor=p.string("ActionsSuppressor", min_length=1, max_length=1600),
            actions_suppressor_wait_period=p.integer("ActionsSuppressorWaitPeriod"),
            actions_suppressor_extension_period=p.integer("ActionsSuppressorExtensionPeriod"),
        )
        return {}

    @handles("DescribeAlarms")
    def describe_alarms(self, params: Params) -> dict[str, Any]:
        """DescribeAlarms."""
        p = _p(params)
        types = p.items("AlarmTypes")
        for index, kind in enumerate(types, 1):
            if kind not in _TYPES:
                raise constraint_error(
                    f"AlarmTypes.{index}",
                    kind,
                    f"Member must satisfy enum value set: [{', '.join(_TYPES)}]",
                )
        page = self.domain.describe_alarms(
            alarm_names=p.items("AlarmNames", max_items=100),
            alarm_name_prefix=p.string("AlarmNamePrefix", min_length=1, max_length=255),
            alarm_types=types,
            children_of_alarm_name=p.string("ChildrenOfAlarmName", min_length=1, max_length=255),
            parents_of_alarm_name=p.string("ParentsOfAlarmName", min_length=1, max_length=255),
            state_value=p.string("StateValue", choices=_STATES),
            action_prefix=p.string("ActionPrefix", min_length=1, max_length=1024),
            max_records=p.integer("MaxRecords", minimum=1, maximum=100),
            next_token=p.string("NextToken"),
        )
        out: dict[str, Any] = {
            "CompositeAlarms": [composite_alarm_out(a, page.view) for a in page.composite_alarms],
            "MetricAlarms": [metric_alarm_out(a, page.view) for a in page.metric_alarms],
        }
        if page.next_token is not None:
            out["NextToken"] = page.next_token
        return out

    @handles("DescribeAlarmsForMetric")
    def describe_alarms_for_metric(self, params: Params) -> dict[str, Any]:
        """DescribeAlarmsForMetric."""
        p = _p(params)
        found = self.domain.describe_alarms_for_metric(
            _required(p, "MetricName", min_length=1, max_length=255),
            _required(p, "Namespace", min_length=1, max_length=255),
            dimensions=_dimensions(p),
            statistic=p.string(
                "Statistic", choices=["SampleCount", "Average", "Sum", "Minimum", "Maximum"]
            ),
            extended_statistic=p.string("ExtendedStatistic"),
            period=p.integer("Period", minimum=1),
            unit=p.string("Unit"),
        )
        return {"MetricAlarms": [metric_alarm_out(a) for a in found]}

    @handles("DescribeAlarmHistory")
    def describe_alarm_history(self, params: Params) -> dict[str, Any]:
        """DescribeAlarmHistory."""
        p = _p(params)
        types = p.items("AlarmTypes")
        for index, kind in enumerate(types, 1):
            if kind not in _TYPES:
                raise constraint_error(
                    f"AlarmTypes.{index}",
                    kind,
                    f"Member must satisfy enum value set: [{', '.join(_TYPES)}]",
                )
        items, token = self.domain.describe_alarm_history(
            alarm_name=p.string("AlarmName", min_length=1, max_length=255),
            alarm_types=types,
            history_item_type=p.string("HistoryItemType", choices=_HISTORY_TYPES),
            start_date=p.timestamp("StartDate"),
            end_date=p.timestamp("EndDate"),
            scan_by=p.string(
                "ScanBy",
                choices=["TimestampDescending", "TimestampAscending"],
                default="TimestampDescending",
            )
            or "TimestampDescending",
            max_records=p.integer("MaxRecords", minimum=1, maximum=100),
            next_token=p.string("NextToken"),
        )
        out: dict[str, Any] = {
            "AlarmHistoryItems": [
                {
                    "AlarmName": item.alarm_name,
                    "AlarmType": item.alarm_type.value,
                    "Timestamp": item.timestamp,
                    "HistoryItemType": item.item_type.value,
                    "HistorySummary": item.summary,
                    "HistoryData": item.data,
                }
                for item in items
            ]
        }
        if token is not None:
            out["NextToken"] = token
        return out

    @handles("DeleteAlarms")
    def delete_alarms(self, params: Params) -> dict[str, Any]:
        """DeleteAlarms."""
        self.domain.delete_alarms(_p(params).items("AlarmNames", required=True, max_items=100))
        return {}

    @handles("SetAlarmState")
    def set_alarm_state(self, params: Params) -> dict[str, Any]:
        """SetAlarmState."""
        p = _p(params)
        self.domain.set_alarm_state(
            _required(p, "AlarmName", min_length=1, max_length=255),
            _required(p, "StateValue", choices=_STATES),
            _required(p, "StateReason", max_length=1023),
            state_reason_data=p.string("StateReasonData", max_length=4000),
        )
        return {}

    @handles("EnableAlarmActions")
    def enable_alarm_actions(self, params: Params) -> dict[str, Any]:
        """EnableAlarmActions."""
        self.domain.enable_alarm_actions(
            _p(params).items("AlarmNames", required=True, max_items=100)
        )
        return {}

    @handles("DisableAlarmActions")
    def disable_alarm_actions(self, params: Params) -> dict[str, Any]:
        """DisableAlarmActions."""
        self.domain.disable_alarm_actions(
            _p(params).items("AlarmNames", required=True, max_items=100)
        )
        return {}

    # -- tags ----------------------------------------------------------------------------

    @handles("TagResource")
    def tag_resource(self, params: Params) -> dict[str, Any]:
        """TagResource (alarms)."""
        p = _p(params)
        self.domain.tag_resource(
            _required(p, "ResourceARN", min_length=1, max_length=1024), _tags(p) or {}
        )
        return {}

    @handles("UntagResource")
    def untag_resource(self, params: Params) -> dict[str, Any]:
        """UntagResource (alarms)."""
        p = _p(params)
        self.domain.untag_resource(
            _required(p, "ResourceARN", min_length=1, max_length=1024),
            p.items("TagKeys", required=True),
        )
        return {}

    @handles("ListTagsForResource")
    def list_tags_for_resource(self, params: Params) -> dict[str, Any]:
        """ListTagsForResource (alarms)."""
        p = _p(params)
        tags = self.domain.list_tags_for_resource(
            _required(p, "ResourceARN", min_length=1, max_length=1024)
        )
        return {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}

    # -- anomaly detectors -------------------------------------------------------------------

    def _detector_args(self, p: Params) -> dict[str, Any]:
        single = p.mapping("SingleMetricAnomalyDetector")
        math = p.mapping("MetricMathAnomalyDetector")
        legacy = any(name in p for name in ("Namespace", "MetricName", "Stat", "Dimensions"))
        if single and legacy:
            raise InvalidParameterCombination(
                "Namespace, MetricName, Dimensions and Stat cannot be used together with "
                "SingleMetricAnomalyDetector.",
                param="SingleMetricAnomalyDetector",
            )
        source = p.nested(single) if single else p
        args: dict[str, Any] = {
            "namespace": source.string("Namespace", min_length=1, max_length=255),
            "metric_name": source.string("MetricName", min_length=1, max_length=255),
            "dimensions": _dimensions(source),
            "stat": source.string("Stat", max_length=50),
        }
        if math:
            args["metric_math_queries"] = _queries(p.nested(math), "MetricDataQueries")
        return args

    @handles("PutAnomalyDetector")
    def put_anomaly_detector(self, params: Params) -> dict[str, Any]:
        """PutAnomalyDetector."""
        p = _p(params)
        args = self._detector_args(p)
        configuration = p.nested(p.mapping("Configuration"))
        ranges = []
        for item in configuration.items("ExcludedTimeRanges"):
            entry = configuration.nested(item)
            start, end = (
                entry.timestamp("StartTime", required=True),
                entry.timestamp("EndTime", required=True),
            )
            assert start is not None and end is not None
            ranges.append((start, end))
        characteristics = p.nested(p.mapping("MetricCharacteristics"))
        self.domain.put_anomaly_detector(
            **args,
            excluded_time_ranges=ranges,
            metric_timezone=configuration.string("MetricTimezone", max_length=50),
            periodic_spikes=characteristics.boolean("PeriodicSpikes"),
        )
        return {}

    @handles("DescribeAnomalyDetectors")
    def describe_anomaly_detectors(self, params: Params) -> dict[str, Any]:
        """DescribeAnomalyDetectors."""
        p = _p(params)
        found, token = self.domain.describe_anomaly_detectors(
            namespace=p.string("Namespace", min_length=1, max_length=255),
            metric_name=p.string("MetricName", min_length=1, max_length=255),
            dimensions=_dimensions(p),
            anomaly_detector_types=[
                p.nested({"T": t}).string("T", choices=["SINGLE_METRIC", "METRIC_MATH"]) or ""
                for t in p.items("AnomalyDetectorTypes", max_items=2)
            ],
            max_results=p.integer("MaxResults", minimum=1),
            next_token=p.string("NextToken"),
        )
        out: dict[str, Any] = {
            "AnomalyDetectors": [
                _detector_out(d, self.domain.anomaly_state(d).value) for d in found
            ]
        }
        if token is not None:
            out["NextToken"] = token
        return out

    @handles("DeleteAnomalyDetector")
    def delete_anomaly_detector(self, params: Params) -> dict[str, Any]:
        """DeleteAnomalyDetector."""
        self.domain.delete_anomaly_detector(**self._detector_args(_p(params)))
        return {}
