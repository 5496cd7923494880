"""The CloudWatch wire API: metric and dashboard operations with AWS names and shapes."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

from awsmon.cloudwatch.alarms.api import AlarmsApi
from awsmon.cloudwatch.errors import (
    InvalidParameterValue,
    MissingParameter,
    RequestEntityTooLarge,
    ValidationError,
)
from awsmon.cloudwatch.metrics.ingest import MAX_PUT_BYTES, KeyCache, read_values
from awsmon.cloudwatch.metrics.model import (
    Dimension,
    MetricDatum,
    MetricKey,
    StandardUnit,
    StatisticSet,
)
from awsmon.cloudwatch.metrics.queries import MetricDataQuery, MetricStat
from awsmon.cloudwatch.service import CloudWatch
from awsmon.wire import Params, handles

__all__ = ["CloudWatchApi"]

_UTC_TEXT = "x" * len("2026-01-01 00:00:00+00:00")
_MICROSECONDS_TEXT = "x" * len(".000000")


def _sized_text(value: Any) -> str:
    """Text as long as ``str(value)``, cheaper for UTC datetimes (PutMetricData's size check).

    ``str`` of a datetime is half of the cost of measuring a 1,000-datapoint
    request; a UTC one always prints as 25 characters, 32 with microseconds.
    """
    if type(value) is datetime.datetime and value.tzinfo is datetime.UTC:
        return _UTC_TEXT + _MICROSECONDS_TEXT if value.microsecond else _UTC_TEXT
    return str(value)


def _dimensions(params: Params, name: str = "Dimensions") -> list[Dimension]:
    return [
        Dimension(entry.string("Name", required=True), entry.string("Value", required=True))
        for entry in params.structs(name)
    ]


def _metric_key(p: Params) -> MetricKey:
    return MetricKey.of(
        p.string("Namespace", required=True), p.string("MetricName", required=True), _dimensions(p)
    )


def _double(value: Any) -> Any:
    """A double as the domain takes it: botocore (and the AWS CLI) may send `Decimal`.

    A Decimal with no float (a signalling NaN) stays as given, for the
    domain's check to refuse.
    """
    if isinstance(value, Decimal):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _statistic_set(entry: Params) -> StatisticSet | None:
    if not entry.mapping("StatisticValues"):
        return None
    s = entry.nested(entry.mapping("StatisticValues"), "StatisticValues")
    return StatisticSet(
        sample_count=s.number("SampleCount", required=True),
        sum=s.number("Sum", required=True),
        minimum=s.number("Minimum", required=True),
        maximum=s.number("Maximum", required=True),
    )


def _metric_stat(q: Params) -> MetricStat | None:
    if not q.mapping("MetricStat"):
        return None
    s = q.nested(q.mapping("MetricStat"), "MetricStat")
    unit = s.string("Unit")
    return MetricStat(
        metric=_metric_key(s.nested(s.mapping("Metric", required=True), "Metric")),
        period=s.integer("Period", required=True),
        stat=s.string("Stat", required=True),
        unit=None if unit is None else StandardUnit.parse(unit),
    )


class CloudWatchApi(AlarmsApi):
    """CloudWatch operations on the wire (API version 2010-08-01).

    The alarm and anomaly-detector operations are inherited from `AlarmsApi`.
    """

    domain: CloudWatch
    invalid_parameter = InvalidParameterValue
    missing_parameter = MissingParameter

    # -- metrics -----------------------------------------------------------------

    def __init__(self, domain: CloudWatch) -> None:
        super().__init__(domain)
        self._keys = KeyCache()

    @handles("PutMetricData")
    def put_metric_data(self, p: Params) -> dict[str, Any]:
        """PutMetricData.

        The common shape (single values, few distinct metrics) is checked and
        grouped in one pass (`read_values`); anything else, and every invalid
        request, takes the general path below, which words the error.
        """
        batch = read_values(p.data, self.domain.ctx.now(), self._keys)
        if batch is not None:
            self.domain.put_checked_values(batch)
            return {}
        size = len(json.dumps(p.data, default=_sized_text))
        if size > MAX_PUT_BYTES:
            raise RequestEntityTooLarge(
                f"Request size {size} exceeded {MAX_PUT_BYTES} bytes", param="MetricData"
            )
        namespace = p.string("Namespace", required=True)
        datums = []
        for index, entry in enumerate(p.structs("MetricData", required=True), 1):
            name = entry.string("MetricName", required=True)
            datums.append(
                MetricDatum(
                    key=MetricKey.of(namespace, name, _dimensions(entry)),
                    timestamp=entry.timestamp("Timestamp"),
                    value=_double(entry.raw("Value")),
                    statistic_values=_statistic_set(entry),
                    values=[_double(v) for v in entry.items("Values")],
                    counts=[_double(v) for v in entry.items("Counts")],
                    unit=StandardUnit.parse(
                        entry.string("Unit"), param=f"MetricData.member.{index}.Unit"
                    ),
                    storage_resolution=entry.integer("StorageResolution", default=60),
                )
            )
        self.domain.put_metric_data(namespace, datums)
        return {}

    @handles("GetMetricStatistics")
    def get_metric_statistics(self, p: Params) -> dict[str, Any]:
        """GetMetricStatistics."""
        key = _metric_key(p)
        answer = self.domain.get_metric_statistics(
            key.namespace,
            key.name,
            dimensions=key.dimensions,
            start_time=p.timestamp("StartTime", required=True),
            end_time=p.timestamp("EndTime", required=True),
            period=p.integer("Period", required=True, minimum=1),
            statistics=p.items("Statistics"),
            extended_statistics=p.items("ExtendedStatistics"),
            unit=p.string("Unit"),
        )
        datapoints = []
        for point in answer.datapoints:
            row: dict[str, Any] = {"Timestamp": point.timestamp, **point.statistics}
            if point.extended_statistics:
                row["ExtendedStatistics"] = dict(point.extended_statistics)
            row["Unit"] = point.unit.value
            datapoints.append(row)
        return {"Label": answer.label, "Datapoints": datapoints}

    @handles("GetMetricData")
    def get_metric_data(self, p: Params) -> dict[str, Any]:
        """GetMetricData."""
        # GetMetricData answers ValidationError for missing members too.
        q = Params(p.data, invalid=ValidationError, missing=ValidationError, wording=self.wording)
        queries = [
            MetricDataQuery(
                id=query.string("Id", required=True),
                metric_stat=_metric_stat(query),
                expression=query.string("Expression"),
                label=query.string("Label"),
                return_data=query.boolean("ReturnData", default=True),
                period=query.integer("Period"),
            )
            for query in q.structs("MetricDataQueries", required=True)
        ]
        answer = self.domain.get_metric_data(
            queries,
            start_time=p.timestamp("StartTime", required=True),
            end_time=p.timestamp("EndTime", required=True),
            scan_by=p.string("ScanBy", default="TimestampDescending"),
            max_datapoints=p.integer("MaxDatapoints", default=100_800),
            next_token=p.string("NextToken"),
        )
        response: dict[str, Any] = {
            "MetricDataResults": [
                {
                    "Id": r.id,
                    "Label": r.label,
                    "Timestamps": list(r.timestamps),
                    "Values": list(r.values),
                    "StatusCode": r.status_code,
                    **(
                        {"Messages": [{"Code": c, "Value": v} for c, v in r.messages]}
                        if r.messages
                        else {}
                    ),
                }
                for r in answer.results
            ],
            "Messages": [{"Code": c, "Value": v} for c, v in answer.messages],
        }
        if answer.next_token is not None:
            response["NextToken"] = answer.next_token
        return response

    @handles("ListMetrics")
    def list_metrics(self, p: Params) -> dict[str, Any]:
        """ListMetrics."""
        filters = []
        for entry in p.structs("Dimensions", max_items=10):
            name = entry.string("Name", required=True, min_length=1, max_length=255)
            filters.append((name, entry.string("Value", max_length=1024)))
        keys, token = self.domain.list_metrics(
            namespace=p.string("Namespace", min_length=1, max_length=255),
            metric_name=p.string("MetricName", min_length=1, max_length=255),
            dimensions=filters,
            recently_active=p.string("RecentlyActive"),
            next_token=p.string("NextToken"),
        )
        response: dict[str, Any] = {
            "Metrics": [
                {
                    "Namespace": key.namespace,
                    "MetricName": key.name,
                    "Dimensions": [{"Name": d.name, "Value": d.value} for d in key.dimensions],
                }
                for key in keys
            ]
        }
        if token is not None:
            response["NextToken"] = token
        return response

    @handles("GetMetricWidgetImage")
    def get_metric_widget_image(self, p: Params) -> dict[str, Any]:
        """GetMetricWidgetImage: the PNG bytes (the SDK's blob; base64 on the XML wire)."""
        image = self.domain.get_metric_widget_image(
            p.string("MetricWidget", required=True),
            p.string("OutputFormat", default="png"),
        )
        return {"MetricWidgetImage": image}

    # -- dashboards ---------------------------------------------------------------------

    @handles("PutDashboard")
    def put_dashboard(self, p: Params) -> dict[str, Any]:
        """PutDashboard."""
        messages = self.domain.put_dashboard(
            p.string("DashboardName", required=True), p.string("DashboardBody", required=True)
        )
        return {"DashboardValidationMessages": messages}

    @handles("GetDashboard")
    def get_dashboard(self, p: Params) -> dict[str, Any]:
        """GetDashboard."""
        found = self.domain.get_dashboard(p.string("DashboardName", required=True))
        return {"DashboardArn": found.arn, "DashboardBody": found.body, "DashboardName": found.name}

    @handles("ListDashboards")
    def list_dashboards(self, p: Params) -> dict[str, Any]:
        """ListDashboards (all in one page: the 1,000-entry page size is not reached)."""
        found = self.domain.list_dashboards(p.string("DashboardNamePrefix") or "")
        return {
            "DashboardEntries": [
                {
                    "DashboardName": d.name,
                    "DashboardArn": d.arn,
                    "LastModified": d.last_modified,
                    "Size": d.size,
                }
                for d in found
            ]
        }

    @handles("DeleteDashboards")
    def delete_dashboards(self, p: Params) -> dict[str, Any]:
        """DeleteDashboards."""
        self.domain.delete_dashboards(p.strings("DashboardNames", required=True))
        return {}
