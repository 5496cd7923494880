"""Wire forms of X-Ray domain objects (internal to `awsmon.xray.api`).

Turns processed traces, rules, groups and statistics into the dicts boto3
returns: AWS casing, aware datetimes for timestamps, floats for durations.
"""

from __future__ import annotations

import json
from typing import Any

from awsmon.xray.graph import Stats, render_statistics
from awsmon.xray.graph_ops import SeriesPoint
from awsmon.xray.model import Group, ServiceId, epoch_to_datetime
from awsmon.xray.sampling import SamplingRule
from awsmon.xray.trace import FAULT, OK, THROTTLE, Node, TraceView

__all__ = ["group", "sampling_rule_record", "series_point", "trace", "trace_summary"]


def _service_id(node: Node | ServiceId) -> dict[str, Any]:
    out: dict[str, Any] = {"Name": node.name, "Names": [node.name]}
    if node.account_id is not None:
        out["AccountId"] = node.account_id
    if node.type is not None:
        out["Type"] = node.type
    return out


def _annotation_value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BooleanValue": value}
    if isinstance(value, int | float):
        return {"NumberValue": float(value)}
    return {"StringValue": str(value)}


def trace_summary(view: TraceView) -> dict[str, Any]:
    """A ``TraceSummary``."""
    root = view.root
    status = view.root_status
    summary: dict[str, Any] = {
        "Id": view.trace_id,
        "StartTime": epoch_to_datetime(view.start),
        "Duration": round(view.duration, 6),
    }
    if view.response_time is not None:
        summary["ResponseTime"] = round(view.response_time, 6)
    summary.update(
        HasFault=status == FAULT,
        HasError=status != OK and status != FAULT,
        HasThrottle=view.has_throttle or status == THROTTLE,
        IsPartial=view.is_partial,
    )
    http: dict[str, Any] = {}
    for key, field in (
        ("HttpURL", "url"),
        ("HttpStatus", "status"),
        ("HttpMethod", "method"),
        ("UserAgent", "useragent"),
        ("ClientIp", "clientip"),
    ):
        value = view.http_field(field)
        if value is not None:
            http[key] = value
    summary["Http"] = http
    annotations: dict[str, list[dict[str, Any]]] = {}
    for key, pairs in view.annotation_index().items():
        grouped: dict[str, tuple[Any, list[Node]]] = {}
        for value, node in pairs:
            marker = json.dumps(value)
            entry = grouped.setdefault(marker, (value, []))
            if node not in entry[1]:
                entry[1].append(node)
        annotations[key] = [
            {
                "AnnotationValue": _annotation_value(value),
                "ServiceIds": [_service_id(n) for n in nodes],
            }
            for value, nodes in grouped.values()
        ]
    summary["Annotations"] = annotations
    summary["Users"] = [
        {"UserName": user, "ServiceIds": [_service_id(n) for n in nodes]}
        for user, nodes in view.users().items()
    ]
    summary["ServiceIds"] = [_service_id(node) for node in view.nodes()]
    summary["ResourceARNs"] = [{"ARN": arn} for arn in view.segment_values(("resource_arn",))]
    summary["InstanceIds"] = [{"Id": i} for i in view.segment_values(("aws", "ec2", "instance_id"))]
    summary["AvailabilityZones"] = [
        {"Name": z} for z in view.segment_values(("aws", "ec2", "availability_zone"))
    ]
    if root is not None and root.node is not None:
        summary["EntryPoint"] = _service_id(root.node)
    causes = view.analysis()
    summary["FaultRootCauses"] = [c.document("fault") for c in causes.fault]
    summary["ErrorRootCauses"] = [c.document("error") for c in causes.error]
    summary["ResponseTimeRootCauses"] = [c.document("responsetime") for c in causes.responsetime]
    summary["Revision"] = view.revision
    return summary


def trace(view: TraceView) -> dict[str, Any]:
    """A ``Trace`` of BatchGetTraces: id, duration and processed segment documents."""
    return {
        "Id": view.trace_id,
        "Duration": round(view.duration, 6),
        "LimitExceeded": view.limit_exceeded,
        "Segments": [
            {"Id": segment_id, "Document": json.dumps(document, separators=(",", ":"))}
            for segment_id, document in view.documents()
        ],
    }


def sampling_rule_record(rule: SamplingRule) -> dict[str, Any]:
    """A ``SamplingRuleRecord``."""
    body: dict[str, Any] = {
        "RuleName": rule.rule_name,
        "RuleARN": rule.rule_arn,
        "ResourceARN": rule.resource_arn,
        "Priority": rule.priority,
        "FixedRate": rule.fixed_rate,
        "ReservoirSize": rule.reservoir_size,
        "ServiceName": rule.service_name,
        "ServiceType": rule.service_type,
        "Host": rule.host,
        "HTTPMethod": rule.http_method,
        "URLPath": rule.url_path,
        "Version": rule.version,
    }
    if rule.attributes:
        body["Attributes"] = dict(rule.attributes)
    record: dict[str, Any] = {"SamplingRule": body}
    if rule.created_at is not None:
        record["CreatedAt"] = rule.created_at
    if rule.modified_at is not None:
        record["ModifiedAt"] = rule.modified_at
    return record


def group(value: Group) -> dict[str, Any]:
    """A ``Group`` (or ``GroupSummary``)."""
    out: dict[str, Any] = {"GroupName": value.name, "GroupARN": value.arn}
    if value.filter_expression is not None:
        out["FilterExpression"] = value.filter_expression
    out["InsightsConfiguration"] = {
        "InsightsEnabled": value.insights.insights_enabled,
        "NotificationsEnabled": value.insights.notifications_enabled,
    }
    return out


def _histogram(stats: Stats) -> list[dict[str, Any]]:
    return [{"Value": v, "Count": c} for v, c in sorted(stats.histogram.items())]


def series_point(point: SeriesPoint) -> dict[str, Any]:
    """A ``TimeSeriesServiceStatistics`` entry."""
    out: dict[str, Any] = {"Timestamp": point.timestamp}
    stats = point.edge if point.edge is not None else point.service
    if point.edge is not None:
        out["EdgeSummaryStatistics"] = render_statistics(point.edge)
    if point.service is not None:
        out["ServiceSummaryStatistics"] = render_statistics(point.service)
    if point.forecast is not None:
        out["ServiceForecastStatistics"] = {
            "FaultCountHigh": point.forecast[0],
            "FaultCountLow": point.forecast[1],
        }
    out["ResponseTimeHistogram"] = [] if stats is None else _histogram(stats)
    return out
