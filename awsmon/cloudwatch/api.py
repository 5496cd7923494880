"""The CloudWatch wire API: metric and dashboard operations with AWS names and shapes."""

from __future__ import annotations

import json
from typing import Any

from awsmon.cloudwatch.alarms.api import AlarmsApi
from awsmon.cloudwatch.errors import (
    InvalidParameterValue,
    MissingParameter,
    RequestEntityTooLarge,
    ValidationError,
)
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

#: The largest PutMetricData request AWS accepts (1 MB).
MAX_PUT_BYTES = 1_048_576


def _dimensions(params: Params, name: str = "Dimensions") -> list[Dimension]:
    found = []
    for item in params.items(name):
        entry = params.nested(item)
        dim_name = entry.string("Name", required=True)
        dim_value = entry.string("Value", required=True)
        assert dim_name is not None and dim_value is not None
        found.append(Dimension(dim_name, dim_value))
    return found


def _metric_key(p: Params) -> MetricKey:
    namespace = p.string("Namespace", required=True)
    name = p.string("MetricName", required=True)
    assert namespace is not None and name is not None
    return MetricKey.of(namespace, name, _dimensions(p))


class CloudWatchApi(AlarmsApi):
    """CloudWatch operations on the wire (API version 2010-08-01).

    The alarm and anomaly-detector operations are inherited from `AlarmsApi`.
    """

    domain: CloudWatch
    invalid_parameter = InvalidParameterValue
    missing_parameter = MissingParameter

    # -- metrics -----------------------------------------------------------------

    @handles("PutMetricData")
    def put_metric_data(self, p: Params) -> dict[str, Any]:
        """PutMetricData."""
        size = len(json.dumps(p.data, default=str))
        if size > MAX_PUT_BYTES:
            raise RequestEntityTooLarge(
                f"Request size {size} exceeded {MAX_PUT_BYTES} bytes", param="MetricData"
            )
        namespace = p.string("Namespace", required=True)
        assert namespace is not None
        items = p.items("MetricData", required=True)
        datums = []
        for index, item in enumerate(items, 1):
            entry = self.params(item)
            name = entry.string("MetricName", required=True)
            assert name is not None
            stats = entry.mapping("StatisticValues")
            statistic_set = None
            if stats:
                s = self.params(stats)
                statistic_set = StatisticSet(
                    sample_count=_number(s, "SampleCount"),
                    sum=_number(s, "Sum"),
                    minimum=_number(s, "Minimum"),
                    maximum=_number(s, "Maximum"),
                )
            datums.append(
                MetricDatum(
                    key=MetricKey.of(namespace, name, _dimensions(entry)),
                    timestamp=entry.timestamp("Timestamp"),
                    value=entry.raw("Value"),
                    statistic_values=statistic_set,
                    values=entry.items("Values"),
                    counts=entry.items("Counts"),
                    unit=StandardUnit.parse(
                        entry.string("Unit"), param=f"MetricData.member.{index}.Unit"
                    ),
                    storage_resolution=entry.integer("StorageResolution", default=60) or 60,
                )
            )
        self.domain.put_metric_data(namespace, datums)
        return {}

    @handles("GetMetricStatistics")
    def get_metric_statistics(self, p: Params) -> dict[str, Any]:
        """GetMetricStatistics."""
        key = _metric_key(p)
        start, end = p.timestamp("StartTime", required=True), p.timestamp("EndTime", required=True)
        period = p.integer("Period", required=True, minimum=1)
        assert start is not None and end is not None and period is not None
        answer = self.domain.get_metric_statistics(
            key.namespace,
            key.name,
            dimensions=key.dimensions,
            start_time=start,
            end_time=end,
            period=period,
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
        queries = []
        invalid, missing = ValidationError, ValidationError
        for item in p.items("MetricDataQueries", required=True):
            q = Params(item, invalid=invalid, missing=missing)
            stat_data = q.mapping("MetricStat")
            metric_stat = None
            if stat_data:
                s = Params(stat_data, invalid=invalid, missing=missing)
                period, stat = s.integer("Period", required=True), s.string("Stat", required=True)
                assert period is not None and stat is not None
                unit = s.string("Unit")
                metric_stat = MetricStat(
                    metric=_metric_key(s.nested(s.mapping("Metric", required=True))),
                    period=period,
                    stat=stat,
                    unit=None if unit is None else StandardUnit.parse(unit),
                )
            query_id = q.string("Id", required=True)
            assert query_id is not None
            queries.append(
                MetricDataQuery(
                    id=query_id,
                    metric_stat=metric_stat,
                    expression=q.string("Expression"),
                    label=q.string("Label"),
                    return_data=bool(q.boolean("ReturnData", default=True)),
                    period=q.integer("Period"),
                )
            )
        start, end = p.timestamp("StartTime", required=True), p.timestamp("EndTime", required=True)
        assert start is not None and end is not None
        answer = self.domain.get_metric_data(
            queries,
            start_time=start,
            end_time=end,
            scan_by=p.string("ScanBy", default="TimestampDescending") or "TimestampDescending",
            max_datapoints=p.integer("MaxDatapoints", default=100_800) or 100_800,
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
        for item in p.items("Dimensions", max_items=10):
            entry = self.params(item)
            name = entry.string("Name", required=True, min_length=1, max_length=255)
            assert name is not None
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

    # -- dashboards ---------------------------------------------------------------------

    @handles("PutDashboard")
    def put_dashboard(self, p: Params) -> dict[str, Any]:
        """PutDashboard."""
        name = p.string("DashboardName", required=True)
        body = p.string("DashboardBody", required=True)
        assert name is not None and body is not None
        messages = self.domain.put_dashboard(name, body)
        return {"DashboardValidationMessages": messages}

    @handles("GetDashboard")
    def get_dashboard(self, p: Params) -> dict[str, Any]:
        """GetDashboard."""
        name = p.string("DashboardName", required=True)
        assert name is not None
        found = self.domain.get_dashboard(name)
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
        self.domain.delete_dashboards(p.items("DashboardNames", required=True))
        return {}


def _number(p: Params, name: str) -> float:
    value = p.number(name, required=True)
    assert value is not None
    return value
