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

from awsmon.cloudwatch.alarms.checks import ALARM_WORDING, MAX_TAGS
from awsmon.cloudwatch.alarms.shapes import composite_alarm_out, detector_out, metric_alarm_out
from awsmon.cloudwatch.errors import (
    InvalidParameterCombination,
    MissingParameter,
    ValidationError,
)
from awsmon.cloudwatch.metrics.model import Dimension, MetricKey, StandardUnit
from awsmon.cloudwatch.metrics.queries import MetricDataQuery, MetricStat
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


def _dimensions(p: Params, name: str = "Dimensions") -> list[Dimension]:
    return [
        Dimension(
            entry.string("Name", required=True, min_length=1, max_length=255),
            entry.string("Value", required=True, min_length=1, max_length=1024),
        )
        for entry in p.structs(name, max_items=30)
    ]


def _metric_stat(q: Params) -> MetricStat | None:
    if not q.mapping("MetricStat"):
        return None
    s = q.nested(q.mapping("MetricStat"), "MetricStat")
    m = s.nested(s.mapping("Metric", required=True), "Metric")
    unit = s.string("Unit")
    return MetricStat(
        metric=MetricKey.of(
            m.string("Namespace", required=True),
            m.string("MetricName", required=True),
            _dimensions(m),
        ),
        period=s.integer("Period", required=True, minimum=1),
        stat=s.string("Stat", required=True),
        unit=None if unit is None else StandardUnit.parse(unit),
    )


def _queries(p: Params, name: str) -> list[MetricDataQuery]:
    return [
        MetricDataQuery(
            id=q.string("Id", required=True, min_length=1, max_length=255),
            metric_stat=_metric_stat(q),
            expression=q.string("Expression", min_length=1, max_length=2048),
            label=q.string("Label"),
            return_data=q.boolean("ReturnData", default=True),
            period=q.integer("Period", minimum=1),
        )
        for q in p.structs(name)
    ]


def _tags(p: Params) -> dict[str, str] | None:
    """The Tags given (None when absent: an update then keeps the alarm's tags)."""
    return p.tag_list("Tags", max_items=MAX_TAGS) if "Tags" in p else None


class AlarmsApi(WireApi):
    """Alarm and anomaly-detector operations on the wire (inherited by `CloudWatchApi`).

    Their parameters are checked with the alarms' errors and wording
    (`alarm_params`), whatever the inheriting API's own are.
    """

    domain: CloudWatch

    def alarm_params(self, params: Params) -> Params:
        """The request's parameters, checked as AWS checks alarm requests: ValidationError
        with camelCase member paths, MissingParameter for an absent required one."""
        return Params(
            params.data, invalid=ValidationError, missing=MissingParameter, wording=ALARM_WORDING
        )

    # -- alarms --------------------------------------------------------------------------

    @handles("PutMetricAlarm")
    def put_metric_alarm(self, params: Params) -> dict[str, Any]:
        """PutMetricAlarm."""
        p = self.alarm_params(params)
        self.domain.put_metric_alarm(
            p.string("AlarmName", required=True, min_length=1, max_length=255),
            evaluation_periods=p.integer("EvaluationPeriods", required=True, minimum=1),
            comparison_operator=p.string("ComparisonOperator", required=True),
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
            actions_enabled=p.boolean("ActionsEnabled", default=True),
            ok_actions=p.strings("OKActions"),
            alarm_actions=p.strings("AlarmActions"),
            insufficient_data_actions=p.strings("InsufficientDataActions"),
            tags=_tags(p),
        )
        return {}

    @handles("PutCompositeAlarm")
    def put_composite_alarm(self, params: Params) -> dict[str, Any]:
        """PutCompositeAlarm."""
        p = self.alarm_params(params)
        self.domain.put_composite_alarm(
            p.string("AlarmName", required=True, min_length=1, max_length=255),
            p.string("AlarmRule", required=True, min_length=1, max_length=10240),
            alarm_description=p.string("AlarmDescription", max_length=1024),
            actions_enabled=p.boolean("ActionsEnabled", default=True),
            ok_actions=p.strings("OKActions"),
            alarm_actions=p.strings("AlarmActions"),
            insufficient_data_actions=p.strings("InsufficientDataActions"),
            tags=_tags(p),
            actions_suppressor=p.string("ActionsSuppressor", min_length=1, max_length=1600),
            actions_suppressor_wait_period=p.integer("ActionsSuppressorWaitPeriod"),
            actions_suppressor_extension_period=p.integer("ActionsSuppressorExtensionPeriod"),
        )
        return {}

    @handles("DescribeAlarms")
    def describe_alarms(self, params: Params) -> dict[str, Any]:
        """DescribeAlarms."""
        p = self.alarm_params(params)
        types = p.strings("AlarmTypes", choices=_TYPES)
        page = self.domain.describe_alarms(
            alarm_names=p.strings("AlarmNames", max_items=100),
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
        p = self.alarm_params(params)
        found = self.domain.describe_alarms_for_metric(
            p.string("MetricName", required=True, min_length=1, max_length=255),
            p.string("Namespace", required=True, min_length=1, max_length=255),
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
        p = self.alarm_params(params)
        types = p.strings("AlarmTypes", choices=_TYPES)
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
            ),
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
        p = self.alarm_params(params)
        self.domain.delete_alarms(p.strings("AlarmNames", required=True, max_items=100))
        return {}

    @handles("SetAlarmState")
    def set_alarm_state(self, params: Params) -> dict[str, Any]:
        """SetAlarmState."""
        p = self.alarm_params(params)
        self.domain.set_alarm_state(
            p.string("AlarmName", required=True, min_length=1, max_length=255),
            p.string("StateValue", required=True, choices=_STATES),
            p.string("StateReason", required=True, max_length=1023),
            state_reason_data=p.string("StateReasonData", max_length=4000),
        )
        return {}

    @handles("EnableAlarmActions")
    def enable_alarm_actions(self, params: Params) -> dict[str, Any]:
        """EnableAlarmActions."""
        self.domain.enable_alarm_actions(
            self.alarm_params(params).strings("AlarmNames", required=True, max_items=100)
        )
        return {}

    @handles("DisableAlarmActions")
    def disable_alarm_actions(self, params: Params) -> dict[str, Any]:
        """DisableAlarmActions."""
        self.domain.disable_alarm_actions(
            self.alarm_params(params).strings("AlarmNames", required=True, max_items=100)
        )
        return {}

    # -- tags ----------------------------------------------------------------------------

    @handles("TagResource")
    def tag_resource(self, params: Params) -> dict[str, Any]:
        """TagResource (alarms)."""
        p = self.alarm_params(params)
        self.domain.tag_resource(
            p.string("ResourceARN", required=True, min_length=1, max_length=1024), _tags(p) or {}
        )
        return {}

    @handles("UntagResource")
    def untag_resource(self, params: Params) -> dict[str, Any]:
        """UntagResource (alarms)."""
        p = self.alarm_params(params)
        self.domain.untag_resource(
            p.string("ResourceARN", required=True, min_length=1, max_length=1024),
            p.strings("TagKeys", required=True),
        )
        return {}

    @handles("ListTagsForResource")
    def list_tags_for_resource(self, params: Params) -> dict[str, Any]:
        """ListTagsForResource (alarms)."""
        p = self.alarm_params(params)
        tags = self.domain.list_tags_for_resource(
            p.string("ResourceARN", required=True, min_length=1, max_length=1024)
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
        source = p.nested(single, "SingleMetricAnomalyDetector") if single else p
        args: dict[str, Any] = {
            "namespace": source.string("Namespace", min_length=1, max_length=255),
            "metric_name": source.string("MetricName", min_length=1, max_length=255),
            "dimensions": _dimensions(source),
            "stat": source.string("Stat", max_length=50),
        }
        if math:
            args["metric_math_queries"] = _queries(
                p.nested(math, "MetricMathAnomalyDetector"), "MetricDataQueries"
            )
        return args

    @handles("PutAnomalyDetector")
    def put_anomaly_detector(self, params: Params) -> dict[str, Any]:
        """PutAnomalyDetector."""
        p = self.alarm_params(params)
        args = self._detector_args(p)
        configuration = p.nested(p.mapping("Configuration"), "Configuration")
        ranges = [
            (entry.timestamp("StartTime", required=True), entry.timestamp("EndTime", required=True))
            for entry in configuration.structs("ExcludedTimeRanges")
        ]
        characteristics = p.nested(p.mapping("MetricCharacteristics"), "MetricCharacteristics")
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
        p = self.alarm_params(params)
        found, token = self.domain.describe_anomaly_detectors(
            namespace=p.string("Namespace", min_length=1, max_length=255),
            metric_name=p.string("MetricName", min_length=1, max_length=255),
            dimensions=_dimensions(p),
            anomaly_detector_types=p.strings(
                "AnomalyDetectorTypes", max_items=2, choices=["SINGLE_METRIC", "METRIC_MATH"]
            ),
            max_results=p.integer("MaxResults", minimum=1),
            next_token=p.string("NextToken"),
        )
        out: dict[str, Any] = {
            "AnomalyDetectors": [detector_out(d, self.domain.anomaly_state(d).value) for d in found]
        }
        if token is not None:
            out["NextToken"] = token
        return out

    @handles("DeleteAnomalyDetector")
    def delete_anomaly_detector(self, params: Params) -> dict[str, Any]:
        """DeleteAnomalyDetector."""
        self.domain.delete_anomaly_detector(**self._detector_args(self.alarm_params(params)))
        return {}
