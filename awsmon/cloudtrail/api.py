"""The CloudTrail wire API (2013-11-01): AWS's operations, parameters and shapes.

Each method takes the request `Params` and returns the response as boto3
returns it; the domain (`awsmon.cloudtrail.service.CloudTrail`) does the work
and raises the AWS errors.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from awsmon.cloudtrail.errors import (
    InvalidEventSelectorsException,
    InvalidParameterException,
    InvalidTagParameterException,
)
from awsmon.cloudtrail.history import attribute_values
from awsmon.cloudtrail.records import CallRecord, username
from awsmon.cloudtrail.selectors import (
    AdvancedEventSelector,
    DataResource,
    EventSelector,
    FieldSelector,
)
from awsmon.cloudtrail.service import CloudTrail
from awsmon.cloudtrail.trails import Trail, TrailStatus
from awsmon.wire import Params, WireApi, handles

__all__ = ["CloudTrailApi"]

Response = dict[str, Any]
_OPERATORS = ("Equals", "StartsWith", "EndsWith", "NotEquals", "NotStartsWith", "NotEndsWith")


def _text(
    params: Params, name: str, *, min_length: int | None = None, max_length: int | None = None
) -> str:
    return params.string(name, required=True, min_length=min_length, max_length=max_length)


def _trail_body(trail: Trail, *, full: bool) -> Response:
    body: dict[str, Any] = {
        "Name": trail.name,
        "S3BucketName": trail.s3_bucket_name,
        "S3KeyPrefix": trail.s3_key_prefix,
        "SnsTopicName": trail.sns_topic_name,
        "SnsTopicARN": trail.sns_topic_arn,
        "IncludeGlobalServiceEvents": trail.include_global_service_events,
        "IsMultiRegionTrail": trail.is_multi_region_trail,
        "HomeRegion": trail.home_region if full else None,
        "TrailARN": trail.arn,
        "LogFileValidationEnabled": trail.log_file_validation_enabled,
        "CloudWatchLogsLogGroupArn": trail.cloudwatch_logs_log_group_arn,
        "CloudWatchLogsRoleArn": trail.cloudwatch_logs_role_arn,
        "KmsKeyId": trail.kms_key_id,
        "HasCustomEventSelectors": trail.selection.custom if full else None,
        "HasInsightSelectors": bool(trail.insight_types) if full else None,
        "IsOrganizationTrail": trail.is_organization_trail,
    }
    return {key: value for key, value in body.items() if value is not None}


def _status_body(status: TrailStatus) -> Response:
    body: dict[str, Any] = {
        "IsLogging": status.is_logging,
        "LatestDeliveryError": status.latest_delivery_error,
        "LatestNotificationError": status.latest_notification_error,
        "LatestDeliveryTime": status.latest_delivery_time,
        "LatestNotificationTime": status.latest_notification_time,
        "StartLoggingTime": status.start_logging_time,
        "StopLoggingTime": status.stop_logging_time,
        "LatestCloudWatchLogsDeliveryError": status.latest_cloudwatch_logs_delivery_error,
        "LatestCloudWatchLogsDeliveryTime": status.latest_cloudwatch_logs_delivery_time,
        "LatestDigestDeliveryTime": status.latest_digest_delivery_time,
        "LatestDigestDeliveryError": status.latest_digest_delivery_error,
    }
    if status.start_logging_time is not None:
        body["TimeLoggingStarted"] = _legacy(status.start_logging_time)
    if status.stop_logging_time is not None:
        body["TimeLoggingStopped"] = _legacy(status.stop_logging_time)
    return {key: value for key, value in body.items() if value is not None}


def _legacy(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


class CloudTrailApi(WireApi):
    """CloudTrail's wire operations."""

    domain: CloudTrail
    invalid_parameter = InvalidParameterException
    missing_parameter = InvalidParameterException

    # -- event history -----------------------------------------------------------------

    @handles("LookupEvents")
    def lookup_events(self, params: Params) -> Response:
        """LookupEvents: ``Events`` newest first and ``NextToken``."""
        attributes = []
        for index, item in enumerate(params.items("LookupAttributes")):
            entry = params.nested(item if isinstance(item, Mapping) else {})
            key = entry.string("AttributeKey", required=True)
            value = entry.string("AttributeValue", required=True, min_length=1, max_length=2000)
            assert key is not None and value is not None, index
            attributes.append((key, value))
        page = self.domain.lookup_events(
            attributes,
            start_time=params.timestamp("StartTime"),
            end_time=params.timestamp("EndTime"),
            event_category=params.string("EventCategory"),
            max_results=params.integer("MaxResults"),
            next_token=params.string("NextToken"),
        )
        events = [
            self._event(item) if isinstance(item, CallRecord) else self._insight(item)
            for item in page.events
        ]
        response: Response = {"Events": events}
        if page.next_token is not None:
            response["NextToken"] = page.next_token
        return response

    def _event(self, record: CallRecord) -> Response:
        resources = [
            {"ResourceType": value, "ResourceName": name}
            for (key, value), (_, name) in zip(
                [p for p in attribute_values(record) if p[0] == "ResourceType"],
                [p for p in attribute_values(record) if p[0] == "ResourceName"],
                strict=True,
            )
            if key == "ResourceType"
        ]
        body: Response = {
            "EventId": record.event_id,
            "EventName": record.operation,
            "ReadOnly": "true" if record.read_only else "false",
            "EventTime": record.at,
            "EventSource": record.event_source,
            "Username": username(record.principal),
            "Resources": resources,
            "CloudTrailEvent": json.dumps(self.domain.render(record)),
        }
        if record.access_key_id:
            body["AccessKeyId"] = record.access_key_id
        return body

    @staticmethod
    def _insight(event: Mapping[str, Any]) -> Response:
        details = event.get("insightDetails", {})
        return {
            "EventId": event["eventID"],
            "EventName": details.get("eventName"),
            "EventTime": datetime.fromisoformat(event["eventTime"].replace("Z", "+00:00")),
            "EventSource": details.get("eventSource"),
            "Resources": [],
            "CloudTrailEvent": json.dumps(event),
        }

    # -- trails ----------------------------------------------------------------------

    def _trail_options(self, params: Params) -> dict[str, Any]:
        return {
            "s3_key_prefix": params.string("S3KeyPrefix"),
            "sns_topic_name": params.string("SnsTopicName"),
            "cloud_watch_logs_log_group_arn": params.string("CloudWatchLogsLogGroupArn"),
            "cloud_watch_logs_role_arn": params.string("CloudWatchLogsRoleArn"),
            "kms_key_id": params.string("KmsKeyId"),
        }

    @handles("CreateTrail")
    def create_trail(self, params: Params) -> Response:
        """CreateTrail: the trail's settings."""
        tags = self._tags(params, "TagsList")
        trail = self.domain.create_trail(
            _text(params, "Name"),
            _text(params, "S3BucketName"),
            include_global_service_events=bool(
                params.boolean("IncludeGlobalServiceEvents", default=True)
            ),
            is_multi_region_trail=bool(params.boolean("IsMultiRegionTrail", default=False)),
            enable_log_file_validation=bool(
                params.boolean("EnableLogFileValidation", default=False)
            ),
            is_organization_trail=bool(params.boolean("IsOrganizationTrail", default=False)),
            tags_list=tags,
            **self._trail_options(params),
        )
        return _trail_body(trail, full=False)

    @handles("UpdateTrail")
    def update_trail(self, params: Params) -> Response:
        """UpdateTrail: the trail's settings after the change."""
        trail = self.domain.update_trail(
            _text(params, "Name"),
            s3_bucket_name=params.string("S3BucketName"),
            include_global_service_events=params.boolean("IncludeGlobalServiceEvents"),
            is_multi_region_trail=params.boolean("IsMultiRegionTrail"),
            enable_log_file_validation=params.boolean("EnableLogFileValidation"),
            is_organization_trail=params.boolean("IsOrganizationTrail"),
            **self._trail_options(params),
        )
        return _trail_body(trail, full=False)

    @handles("DeleteTrail")
    def delete_trail(self, params: Params) -> Response:
        """DeleteTrail."""
        self.domain.delete_trail(_text(params, "Name"))
        return {}

    @handles("DescribeTrails")
    def describe_trails(self, params: Params) -> Response:
        """DescribeTrails: ``trailList``."""
        names = [str(n) for n in params.strings("trailNameList")]
        trails = self.domain.describe_trails(
            names, include_shadow_trails=bool(params.boolean("includeShadowTrails", default=True))
        )
        return {"trailList": [_trail_body(t, full=True) for t in trails]}

    @handles("GetTrail")
    def get_trail(self, params: Params) -> Response:
        """GetTrail: ``Trail``."""
        return {"Trail": _trail_body(self.domain.get_trail(_text(params, "Name")), full=True)}

    @handles("ListTrails")
    def list_trails(self, params: Params) -> Response:
        """ListTrails: ``Trails`` (TrailARN, Name, HomeRegion)."""
        params.string("NextToken")
        return {
            "Trails": [
                {"TrailARN": t.arn, "Name": t.name, "HomeRegion": t.home_region}
                for t in self.domain.list_trails()
            ]
        }

    @handles("GetTrailStatus")
    def get_trail_status(self, params: Params) -> Response:
        """GetTrailStatus."""
        return _status_body(self.domain.get_trail_status(_text(params, "Name")))

    @handles("StartLogging")
    def start_logging(self, params: Params) -> Response:
        """StartLogging."""
        self.domain.start_logging(_text(params, "Name"))
        return {}

    @handles("StopLogging")
    def stop_logging(self, params: Params) -> Response:
        """StopLogging."""
        self.domain.stop_logging(_text(params, "Name"))
        return {}

    # -- tags --------------------------------------------------------------------------

    def _tags(self, params: Params, name: str) -> dict[str, str]:
        tags: dict[str, str] = {}
        for item in params.items(name):
            entry = params.nested(item if isinstance(item, Mapping) else {})
            key = entry.string("Key")
            if not key or len(key) > 128:
                raise InvalidTagParameterException(
                    f"Tag key {key!r} must be 1 to 128 characters.", param="Key", value=key
                )
            value = entry.string("Value", default="") or ""
            if len(value) > 256:
                raise InvalidTagParameterException(
                    "Tag value must be at most 256 characters.", param="Value", value=value
                )
            tags[key] = value
        return tags

    @handles("AddTags")
    def add_tags(self, params: Params) -> Response:
        """AddTags."""
        self.domain.add_tags(_text(params, "ResourceId"), self._tags(params, "TagsList"))
        return {}

    @handles("RemoveTags")
    def remove_tags(self, params: Params) -> Response:
        """RemoveTags."""
        self.domain.remove_tags(_text(params, "ResourceId"), list(self._tags(params, "TagsList")))
        return {}

    @handles("ListTags")
    def list_tags(self, params: Params) -> Response:
        """ListTags: ``ResourceTagList``."""
        ids = [str(i) for i in params.strings("ResourceIdList", required=True)]
        found = self.domain.list_tags(ids)
        return {
            "ResourceTagList": [
                {"ResourceId": arn, "TagsList": [{"Key": k, "Value": v} for k, v in tags.items()]}
                for arn, tags in found.items()
            ]
        }

    # -- selectors ---------------------------------------------------------------------

    @handles("PutEventSelectors")
    def put_event_selectors(self, params: Params) -> Response:
        """PutEventSelectors: the trail ARN and its selectors."""
        name = _text(params, "TrailName")
        basic = advanced = None
        if "EventSelectors" in params:
            basic = [self._basic(params, item) for item in params.items("EventSelectors")]
        if "AdvancedEventSelectors" in params:
            advanced = [
                self._advanced(params, item) for item in params.items("AdvancedEventSelectors")
            ]
        trail = self.domain.put_event_selectors(name, basic, advanced)
        return self._selectors_body(trail)

    def _basic(self, params: Params, item: Any) -> EventSelector:
        entry = params.nested(item if isinstance(item, Mapping) else {})
        resources = []
        for raw in entry.items("DataResources"):
            resource = entry.nested(raw if isinstance(raw, Mapping) else {})
            kind = resource.string("Type")
            if kind is None:
                raise InvalidEventSelectorsException(
                    "A data resource needs a Type.", param="Type", value=None
                )
            values = tuple(str(v) for v in resource.items("Values"))
            resources.append(DataResource(kind, values))
        return EventSelector(
            read_write_type=entry.string("ReadWriteType", default="All") or "All",
            include_management_events=bool(entry.boolean("IncludeManagementEvents", default=True)),
            data_resources=tuple(resources),
            exclude_management_event_sources=tuple(
                str(v) for v in entry.items("ExcludeManagementEventSources")
            ),
        )

    def _advanced(self, params: Params, item: Any) -> AdvancedEventSelector:
        entry = params.nested(item if isinstance(item, Mapping) else {})
        conditions = []
        for raw in entry.items("FieldSelectors", required=True, min_items=1):
            condition = entry.nested(raw if isinstance(raw, Mapping) else {})
            field_name = _text(condition, "Field", min_length=1, max_length=1000)
            operators = tuple(
                (op, tuple(str(v) for v in condition.items(op)))
                for op in _OPERATORS
                if op in condition
            )
            conditions.append(FieldSelector(field_name, operators))
        return AdvancedEventSelector(
            name=entry.string("Name", max_length=1000), field_selectors=tuple(conditions)
        )

    @staticmethod
    def _selectors_body(trail: Trail) -> Response:
        selection = trail.selection
        body: Response = {"TrailARN": trail.arn}
        if selection.advanced:
            body["AdvancedEventSelectors"] = [
                {
                    **({"Name": s.name} if s.name is not None else {}),
                    "FieldSelectors": [
                        {"Field": c.field, **{op: list(v) for op, v in c.operators}}
                        for c in s.field_selectors
                    ],
                }
                for s in selection.advanced
            ]
        else:
            body["EventSelectors"] = [
                {
                    "ReadWriteType": s.read_write_type,
                    "IncludeManagementEvents": s.include_management_events,
                    "DataResources": [
                        {"Type": r.type, "Values": list(r.values)} for r in s.data_resources
                    ],
                    "ExcludeManagementEventSources": list(s.exclude_management_event_sources),
                }
                for s in selection.basic
            ]
        return body

    @handles("GetEventSelectors")
    def get_event_selectors(self, params: Params) -> Response:
        """GetEventSelectors."""
        return self._selectors_body(self.domain.get_event_selectors(_text(params, "TrailName")))

    @handles("PutInsightSelectors")
    def put_insight_selectors(self, params: Params) -> Response:
        """PutInsightSelectors."""
        name = _text(params, "TrailName")
        chosen = []
        for item in params.items("InsightSelectors", required=True):
            entry = params.nested(item if isinstance(item, Mapping) else {})
            chosen.append(
                (_text(entry, "InsightType"), [str(c) for c in entry.items("EventCategories")])
            )
        trail = self.domain.put_insight_selectors(name, chosen)
        return self._insights_body(trail)

    @handles("GetInsightSelectors")
    def get_insight_selectors(self, params: Params) -> Response:
        """GetInsightSelectors."""
        return self._insights_body(self.domain.get_insight_selectors(_text(params, "TrailName")))

    @staticmethod
    def _insights_body(trail: Trail) -> Response:
        return {
            "TrailARN": trail.arn,
            "InsightSelectors": [
                {"InsightType": kind, "EventCategories": list(categories)}
                for kind, categories in trail.insight_types.items()
            ],
        }
