"""The X-Ray wire API: AWS operation names, parameters and response shapes.

`XRayApi` translates each request (as boto3 sends it) into a call of the
`awsmon.xray.service.XRay` domain and returns the response dict boto3
returns. Bad parameters raise ``InvalidRequestException`` with the value
named in the message.

>>> from awsmon import Cloud
>>> client = Cloud().client("xray")
>>> client.get_sampling_rules()["SamplingRuleRecords"][0]["SamplingRule"]["RuleName"]
'Default'
>>> client.put_trace_segments(TraceSegmentDocuments=["{"])["UnprocessedTraceSegments"]
[{'ErrorCode': 'InvalidSegment', 'Message': 'Invalid segment. ErrorCode: InvalidSegment'}]
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import awsmon.xray._render as render
from awsmon.wire import Params, WireApi, handles
from awsmon.xray.errors import InvalidRequestException
from awsmon.xray.model import (
    EncryptionType,
    InsightsConfiguration,
    SamplingStrategyName,
    TimeRangeType,
)
from awsmon.xray.sampling import SamplingRule, StatisticsReport
from awsmon.xray.service import XRay

__all__ = ["XRayApi"]

Response = dict[str, Any]

_RULE_STRINGS = {
    "ResourceARN": ("resource_arn", 500),
    "ServiceName": ("service_name", 64),
    "ServiceType": ("service_type", 64),
    "Host": ("host", 64),
    "HTTPMethod": ("http_method", 10),
    "URLPath": ("url_path", 128),
}


class XRayApi(WireApi):
    """X-Ray wire operations (API 2016-04-12)."""

    domain: XRay
    invalid_parameter = InvalidRequestException
    missing_parameter = InvalidRequestException

    # -- segments and traces --------------------------------------------------------

    @handles("PutTraceSegments")
    def put_trace_segments(self, params: Params) -> Response:
        """PutTraceSegments: ``UnprocessedTraceSegments`` lists the rejected documents."""
        documents = params.strings("TraceSegmentDocuments", required=True)
        for index, document in enumerate(documents):
            if not isinstance(document, str):
                raise params.invalid(
                    f"TraceSegmentDocuments.{index + 1}", document, "Member must be a string"
                )
        rejected = self.domain.put_trace_segments(documents)
        unprocessed = []
        for item in rejected:
            entry: dict[str, Any] = {} if item.id is None else {"Id": item.id}
            entry.update(ErrorCode=item.error_code, Message=item.message)
            unprocessed.append(entry)
        return {"UnprocessedTraceSegments": unprocessed}

    def _window(self, params: Params) -> tuple[datetime, datetime]:
        start = params.timestamp("StartTime", required=True)
        end = params.timestamp("EndTime", required=True)
        return start, end

    @handles("GetTraceSummaries")
    def get_trace_summaries(self, params: Params) -> Response:
        """GetTraceSummaries: one page of summaries, most recent first."""
        start, end = self._window(params)
        kind = params.string(
            "TimeRangeType", choices=[t.value for t in TimeRangeType], default="TraceId"
        )
        strategy = params.mapping("SamplingStrategy")
        sampling_strategy = None
        if strategy:
            name = Params(strategy, invalid=InvalidRequestException).string(
                "Name", choices=[s.value for s in SamplingStrategyName], default="FixedRate"
            )
            value = Params(strategy, invalid=InvalidRequestException).number(
                "Value", minimum=0, maximum=1, default=0.1
            )
            sampling_strategy = (SamplingStrategyName(name), value)
        page = self.domain.get_trace_summaries(
            start,
            end,
            time_range_type=TimeRangeType(kind),
            filter_expression=params.string("FilterExpression", max_length=2000) or None,
            sampling=bool(params.boolean("Sampling", default=False)),
            sampling_strategy=sampling_strategy,
            next_token=params.string("NextToken"),
        )
        response: Response = {
            "TraceSummaries": [render.trace_summary(view) for view in page.traces],
            "ApproximateTime": page.approximate_time,
            "TracesProcessedCount": page.processed_count,
        }
        if page.next_token is not None:
            response["NextToken"] = page.next_token
        return response

    def _trace_ids(self, params: Params) -> list[str]:
        ids = params.strings("TraceIds", required=True)
        for index, trace_id in enumerate(ids):
            if not isinstance(trace_id, str) or not 1 <= len(trace_id) <= 35:
                raise params.invalid(
                    f"traceIds.{index + 1}.member",
                    trace_id,
                    "Member must have length less than or equal to 35",
                )
        return ids

    @handles("BatchGetTraces")
    def batch_get_traces(self, params: Params) -> Response:
        """BatchGetTraces: processed segment documents (inferred ones included)."""
        batch = self.domain.batch_get_traces(
            self._trace_ids(params), next_token=params.string("NextToken")
        )
        response: Response = {
            "Traces": [render.trace(view) for view in batch.traces],
            "UnprocessedTraceIds": batch.unprocessed,
        }
        if batch.next_token is not None:
            response["NextToken"] = batch.next_token
        return response

    @handles("GetTraceGraph")
    def get_trace_graph(self, params: Params) -> Response:
        """GetTraceGraph: the service graph of some traces."""
        graph = self.domain.get_trace_graph(
            self._trace_ids(params), next_token=params.string("NextToken")
        )
        return {"Services": graph.services()}

    # -- service graphs -------------------------------------------------------------

    def _group(self, params: Params) -> dict[str, str | None]:
        return {
            "group_name": params.string("GroupName", min_length=1, max_length=32),
            "group_arn": params.string("GroupARN", min_length=1, max_length=400),
        }

    @handles("GetServiceGraph")
    def get_service_graph(self, params: Params) -> Response:
        """GetServiceGraph: nodes and edges with their statistics."""
        start, end = self._window(params)
        graph = self.domain.get_service_graph(
            start, end, **self._group(params), next_token=params.string("NextToken")
        )
        return {
            "StartTime": start,
            "EndTime": end,
            "Services": graph.services(),
            "ContainsOldGroupVersions": graph.contains_old_group_versions,
        }

    @handles("GetTimeSeriesServiceStatistics")
    def get_time_series_service_statistics(self, params: Params) -> Response:
        """GetTimeSeriesServiceStatistics: per-period statistics of a node or an edge."""
        start, end = self._window(params)
        points = self.domain.get_time_series_service_statistics(
            start,
            end,
            **self._group(params),
            entity_selector_expression=params.string(
                "EntitySelectorExpression", min_length=1, max_length=500
            ),
            period=params.integer("Period", default=60) or 0,
            forecast_statistics=bool(params.boolean("ForecastStatistics", default=False)),
        )
        return {
            "TimeSeriesServiceStatistics": [render.series_point(p) for p in points],
            "ContainsOldGroupVersions": False,
        }

    # -- sampling -------------------------------------------------------------------

    @handles("CreateSamplingRule")
    def create_sampling_rule(self, params: Params) -> Response:
        """CreateSamplingRule."""
        body = params.mapping("SamplingRule", required=True)
        rule_params = self.params(body)
        fields: dict[str, Any] = {}
        for wire, (name, limit) in _RULE_STRINGS.items():
            fields[name] = rule_params.string(wire, required=True, max_length=limit)
        rule = SamplingRule(
            rule_name=rule_params.string("RuleName", required=True, min_length=1, max_length=32)
            or "",
            priority=rule_params.integer("Priority", required=True, minimum=1, maximum=9999) or 0,
            fixed_rate=rule_params.number("FixedRate", required=True, minimum=0, maximum=1) or 0.0,
            reservoir_size=rule_params.integer("ReservoirSize", required=True, minimum=0) or 0,
            version=rule_params.integer("Version", required=True, minimum=1) or 0,
            attributes=_attributes(rule_params),
            **fields,
        )
        created = self.domain.create_sampling_rule(rule, tags=_tags(params))
        return {"SamplingRuleRecord": render.sampling_rule_record(created)}

    @handles("GetSamplingRules")
    def get_sampling_rules(self, params: Params) -> Response:
        """GetSamplingRules: every rule, in the order they are tried."""
        rules = self.domain.get_sampling_rules()
        return {"SamplingRuleRecords": [render.sampling_rule_record(r) for r in rules]}

    @handles("UpdateSamplingRule")
    def update_sampling_rule(self, params: Params) -> Response:
        """UpdateSamplingRule: the fields given change, the others stay."""
        body = self.params(params.mapping("SamplingRuleUpdate", required=True))
        changes: dict[str, Any] = {}
        for wire, (name, limit) in _RULE_STRINGS.items():
            value = body.string(wire, max_length=limit)
            if value is not None:
                changes[name] = value
        for wire, name, getter in (
            ("Priority", "priority", lambda: body.integer("Priority", minimum=1, maximum=9999)),
            ("FixedRate", "fixed_rate", lambda: body.number("FixedRate", minimum=0, maximum=1)),
            ("ReservoirSize", "reservoir_size", lambda: body.integer("ReservoirSize", minimum=0)),
        ):
            if wire in body:
                changes[name] = getter()
        if "Attributes" in body:
            changes["attributes"] = _attributes(body)
        rule = self.domain.update_sampling_rule(
            rule_name=body.string("RuleName", min_length=1, max_length=32),
            rule_arn=body.string("RuleARN"),
            changes=changes,
        )
        return {"SamplingRuleRecord": render.sampling_rule_record(rule)}

    @handles("DeleteSamplingRule")
    def delete_sampling_rule(self, params: Params) -> Response:
        """DeleteSamplingRule: returns the deleted rule."""
        rule = self.domain.delete_sampling_rule(
            rule_name=params.string("RuleName"), rule_arn=params.string("RuleARN")
        )
        return {"SamplingRuleRecord": render.sampling_rule_record(rule)}

    @handles("GetSamplingTargets")
    def get_sampling_targets(self, params: Params) -> Response:
        """GetSamplingTargets: report counters, receive quotas."""
        documents = params.items("SamplingStatisticsDocuments", required=True, max_items=25)
        reports = []
        for document in documents:
            doc = self.params(document if isinstance(document, dict) else {})
            reports.append(
                StatisticsReport(
                    rule_name=doc.string("RuleName", required=True, min_length=1, max_length=32)
                    or "",
                    client_id=doc.string("ClientID", required=True, min_length=24, max_length=24)
                    or "",
                    timestamp=doc.timestamp("Timestamp", required=True) or datetime.min,
                    request_count=doc.integer("RequestCount", required=True, minimum=0) or 0,
                    sampled_count=doc.integer("SampledCount", required=True, minimum=0) or 0,
                    borrow_count=doc.integer("BorrowCount", minimum=0) or 0,
                )
            )
        params.items("SamplingBoostStatisticsDocuments", max_items=25)
        targets, modified, unprocessed = self.domain.get_sampling_targets(reports)
        return {
            "SamplingTargetDocuments": [
                {
                    "RuleName": t.rule_name,
                    "FixedRate": t.fixed_rate,
                    "ReservoirQuota": t.reservoir_quota,
                    "ReservoirQuotaTTL": t.reservoir_quota_ttl,
                    "Interval": t.interval,
                }
                for t in targets
            ],
            "LastRuleModification": modified,
            "UnprocessedStatistics": [
                {"RuleName": name, "ErrorCode": code, "Message": message}
                for name, code, message in unprocessed
            ],
            "UnprocessedBoostStatistics": [],
        }

    @handles("GetSamplingStatisticSummaries")
    def get_sampling_statistic_summaries(self, params: Params) -> Response:
        """GetSamplingStatisticSummaries: recent counts per rule."""
        return {
            "SamplingStatisticSummaries": [
                {
                    "RuleName": s.rule_name,
                    "Timestamp": s.timestamp,
                    "RequestCount": s.request_count,
                    "BorrowCount": s.borrow_count,
                    "SampledCount": s.sampled_count,
                }
                for s in self.domain.get_sampling_statistic_summaries()
            ]
        }

    # -- groups ---------------------------------------------------------------------

    @handles("CreateGroup")
    def create_group(self, params: Params) -> Response:
        """CreateGroup."""
        name = params.string("GroupName", required=True, min_length=1, max_length=32)
        group = self.domain.create_group(
            name,
            filter_expression=params.string("FilterExpression", max_length=2000),
            insights=_insights(params),
            tags=_tags(params),
        )
        return {"Group": render.group(group)}

    @handles("GetGroup")
    def get_group(self, params: Params) -> Response:
        """GetGroup."""
        return {"Group": render.group(self.domain.get_group(**self._group(params)))}

    @handles("GetGroups")
    def get_groups(self, params: Params) -> Response:
        """GetGroups: every group, Default first."""
        params.string("NextToken", min_length=1, max_length=100)
        return {"Groups": [render.group(g) for g in self.domain.get_groups()]}

    @handles("UpdateGroup")
    def update_group(self, params: Params) -> Response:
        """UpdateGroup."""
        group = self.domain.update_group(
            **self._group(params),
            filter_expression=params.string("FilterExpression", max_length=2000),
            insights=_insights(params),
        )
        return {"Group": render.group(group)}

    @handles("DeleteGroup")
    def delete_group(self, params: Params) -> Response:
        """DeleteGroup."""
        self.domain.delete_group(**self._group(params))
        return {}

    # -- encryption, telemetry, tags ------------------------------------------------

    @handles("GetEncryptionConfig")
    def get_encryption_config(self, params: Params) -> Response:
        """GetEncryptionConfig."""
        return {"EncryptionConfig": _encryption(self.domain.get_encryption_config())}

    @handles("PutEncryptionConfig")
    def put_encryption_config(self, params: Params) -> Response:
        """PutEncryptionConfig."""
        kind = params.string("Type", required=True, choices=["NONE", "KMS"])
        config = self.domain.put_encryption_config(
            EncryptionType(kind), key_id=params.string("KeyId", min_length=1, max_length=3000)
        )
        return {"EncryptionConfig": _encryption(config)}

    @handles("PutTelemetryRecords")
    def put_telemetry_records(self, params: Params) -> Response:
        """PutTelemetryRecords: accepted and kept."""
        records = params.items("TelemetryRecords", required=True)
        for record in records:
            self.params(record if isinstance(record, dict) else {}).timestamp(
                "Timestamp", required=True
            )
        params.string("EC2InstanceId", max_length=20)
        params.string("Hostname", max_length=255)
        params.string("ResourceARN", max_length=500)
        self.domain.put_telemetry_records(records)
        return {}

    @handles("TagResource")
    def tag_resource(self, params: Params) -> Response:
        """TagResource."""
        arn = params.string("ResourceARN", required=True, min_length=1, max_length=1011)
        self.domain.tag_resource(arn, _tags(params, required=True) or {})
        return {}

    @handles("UntagResource")
    def untag_resource(self, params: Params) -> Response:
        """UntagResource."""
        arn = params.string("ResourceARN", required=True, min_length=1, max_length=1011)
        keys = params.strings("TagKeys", required=True, max_items=200)
        self.domain.untag_resource(arn, [str(k) for k in keys])
        return {}

    @handles("ListTagsForResource")
    def list_tags_for_resource(self, params: Params) -> Response:
        """ListTagsForResource."""
        arn = params.string("ResourceARN", required=True, min_length=1, max_length=1011)
        tags = self.domain.list_tags_for_resource(arn)
        return {"Tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]}


def _attributes(params: Params) -> dict[str, str]:
    attributes = params.mapping("Attributes")
    if len(attributes) > 5:
        raise params.invalid(
            "samplingRule.attributes", attributes, "Member must have length less than or equal to 5"
        )
    return {str(k): str(v) for k, v in attributes.items()}


def _insights(params: Params) -> InsightsConfiguration | None:
    if "InsightsConfiguration" not in params:
        return None
    body = Params(params.mapping("InsightsConfiguration"), invalid=InvalidRequestException)
    return InsightsConfiguration(
        insights_enabled=bool(body.boolean("InsightsEnabled", default=False)),
        notifications_enabled=bool(body.boolean("NotificationsEnabled", default=False)),
    )


def _tags(params: Params, *, required: bool = False) -> dict[str, str] | None:
    return params.tag_list("Tags", required=required, max_items=200, value_required=True)


def _encryption(config: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if config.key_id is not None:
        out["KeyId"] = config.key_id
    out.update(Status=config.status.value, Type=config.type.value)
    return out
