"""CloudWatch Logs wire operations: AWS parameter names in, boto3 response shapes out.

Logs speaks JSON 1.1 with camelCase members; timestamps are epoch
milliseconds (longs) both ways, so responses carry ints where boto3 does.
Bad input raises ``InvalidParameterException`` with AWS's validation wording.

>>> from awsmon import Cloud
>>> logs = Cloud().client("logs")
>>> _ = logs.create_log_group(logGroupName="app")
>>> [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]]
['app']
>>> logs.put_retention_policy(logGroupName="app", retentionInDays=2)
Traceback (most recent call last):
...
awsmon.logs.errors.InvalidParameterException: ... Value '2' at 'retentionInDays' failed ...
"""

from __future__ import annotations

from typing import Any

from awsmon.logs._core import Page
from awsmon.logs.destinations_api import DestinationsApi
from awsmon.logs.errors import InvalidParameterException
from awsmon.logs.insights.api import InsightsApi
from awsmon.logs.model import (
    LOG_GROUP_NAME_PATTERN,
    LOG_STREAM_NAME_PATTERN,
    ExportTask,
    LogGroup,
    LogStream,
    MetricFilter,
    MetricTransformation,
    ResourcePolicy,
    SubscriptionFilter,
    validation_message,
)
from awsmon.logs.service import CloudWatchLogs
from awsmon.wire import Params, handles

__all__ = ["LogsApi"]

Response = dict[str, Any]

_IDENTIFIER = r"[\w#+=/:,.@-]*"
_UNITS = (
    "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes",
    "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
    "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second",
    "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second",
    "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
)  # fmt: skip


def _group(group: LogGroup, *, brief: bool = False) -> Response:
    out: Response = {
        "logGroupName": group.name,
        "creationTime": group.created_at_ms,
        "arn": group.arn,
    }
    if brief:
        return out
    if group.retention_in_days is not None:
        out["retentionInDays"] = group.retention_in_days
    out["metricFilterCount"] = len(group.metric_filters)
    out["storedBytes"] = group.stored_bytes
    if group.kms_key_id is not None:
        out["kmsKeyId"] = group.kms_key_id
    out["logGroupClass"] = group.log_group_class.value
    out["logGroupArn"] = group.log_group_arn
    out["deletionProtectionEnabled"] = group.deletion_protection_enabled
    return out


def _stream(stream: LogStream) -> Response:
    out: Response = {"logStreamName": stream.name, "creationTime": stream.created_at_ms}
    if stream.first_event_ms is not None:
        out["firstEventTimestamp"] = stream.first_event_ms
    if stream.last_event_ms is not None:
        out["lastEventTimestamp"] = stream.last_event_ms
    if stream.last_ingestion_ms is not None:
        out["lastIngestionTime"] = stream.last_ingestion_ms
    out["arn"] = stream.arn
    out["storedBytes"] = 0  # always 0 since 2019-06-17
    return out


def _transformation(t: MetricTransformation) -> Response:
    out: Response = {
        "metricName": t.metric_name,
        "metricNamespace": t.metric_namespace,
        "metricValue": t.metric_value,
    }
    if t.default_value is not None:
        out["defaultValue"] = t.default_value
    if t.dimensions:
        out["dimensions"] = dict(t.dimensions)
    if t.unit is not None:
        out["unit"] = t.unit.value
    return out


def _metric_filter(f: MetricFilter) -> Response:
    return {
        "filterName": f.name,
        "filterPattern": f.pattern.text,
        "metricTransformations": [_transformation(t) for t in f.transformations],
        "creationTime": f.created_at_ms,
        "logGroupName": f.log_group_name,
        "applyOnTransformedLogs": f.apply_on_transformed_logs,
    }


def _subscription(f: SubscriptionFilter) -> Response:
    out: Response = {
        "filterName": f.name,
        "logGroupName": f.log_group_name,
        "filterPattern": f.pattern.text,
        "destinationArn": f.destination_arn,
    }
    if f.role_arn is not None:
        out["roleArn"] = f.role_arn
    out["distribution"] = f.distribution.value
    out["applyOnTransformedLogs"] = f.apply_on_transformed_logs
    out["creationTime"] = f.created_at_ms
    return out


def _export(task: ExportTask) -> Response:
    out: Response = {"taskId": task.task_id}
    if task.task_name is not None:
        out["taskName"] = task.task_name
    out.update(
        logGroupName=task.log_group_name,
        destination=task.destination,
        destinationPrefix=task.destination_prefix,
        status={"code": task.status_code.value, "message": task.status_message or ""},
        executionInfo={"creationTime": task.created_at_ms},
    )
    out["from"] = task.from_ms
    out["to"] = task.to_ms
    if task.completed_at_ms is not None:
        out["executionInfo"]["completionTime"] = task.completed_at_ms
    return out


def _policy(policy: ResourcePolicy) -> Response:
    out: Response = {}
    if policy.name is not None:
        out["policyName"] = policy.name
    out.update(
        policyDocument=policy.document,
        lastUpdatedTime=policy.last_updated_ms,
        policyScope=policy.scope.value,
        revisionId=policy.revision_id,
    )
    if policy.resource_arn is not None:
        out["resourceArn"] = policy.resource_arn
    return out


def _paged(key: str, page: Page[Any], render: Any) -> Response:
    out: Response = {key: [render(item) for item in page.items]}
    if page.next_token is not None:
        out["nextToken"] = page.next_token
    return out


class LogsApi(InsightsApi, DestinationsApi):
    """The CloudWatch Logs wire API (API 2014-03-28)."""

    domain: CloudWatchLogs
    invalid_parameter = InvalidParameterException
    missing_parameter = InvalidParameterException

    # -- shared readers --------------------------------------------------------------------

    @staticmethod
    def _group_name(params: Params, name: str = "logGroupName", required: bool = True) -> Any:
        return params.string(
            name, required=required, min_length=1, max_length=512, pattern=LOG_GROUP_NAME_PATTERN
        )

    @staticmethod
    def _stream_name(params: Params, name: str = "logStreamName", required: bool = True) -> Any:
        return params.string(
            name, required=required, min_length=1, max_length=512, pattern=LOG_STREAM_NAME_PATTERN
        )

    @staticmethod
    def _identifier(params: Params) -> Any:
        return params.string(
            "logGroupIdentifier", min_length=1, max_length=2048, pattern=_IDENTIFIER
        )

    @staticmethod
    def _pattern(params: Params, required: bool = False) -> Any:
        return params.string("filterPattern", required=required, max_length=1024)

    @staticmethod
    def _time(params: Params, name: str, required: bool = False) -> int | None:
        return params.integer(name, required=required, minimum=0)

    @staticmethod
    def _limit(params: Params, maximum: int) -> int | None:
        return params.integer("limit", minimum=1, maximum=maximum)

    # -- log groups ------------------------------------------------------------------------

    @handles("CreateLogGroup")
    def create_log_group(self, params: Params) -> Response:
        """CreateLogGroup."""
        self.domain.create_log_group(
            self._group_name(params),
            kms_key_id=params.string("kmsKeyId", max_length=256),
            tags=params.mapping("tags") or None,
            log_group_class=params.string(
                "logGroupClass",
                choices=("STANDARD", "INFREQUENT_ACCESS", "DELIVERY"),
                default="STANDARD",
            )
            or "STANDARD",
            deletion_protection_enabled=bool(params.boolean("deletionProtectionEnabled")),
        )
        return {}

    @handles("DeleteLogGroup")
    def delete_log_group(self, params: Params) -> Response:
        """DeleteLogGroup."""
        self.domain.delete_log_group(self._group_name(params))
        return {}

    @handles("DescribeLogGroups")
    def describe_log_groups(self, params: Params) -> Response:
        """DescribeLogGroups: ``logGroups`` in name order, ``nextToken`` when more remain."""
        pattern = params.string(
            "logGroupNamePattern", max_length=512, pattern=r"[\.\-_/#A-Za-z0-9]*"
        )
        identifiers = params.items("logGroupIdentifiers", min_items=1, max_items=50) or None
        page = self.domain.describe_log_groups(
            log_group_name_prefix=self._group_name(params, "logGroupNamePrefix", required=False),
            log_group_name_pattern=pattern,
            log_group_class=params.string(
                "logGroupClass", choices=("STANDARD", "INFREQUENT_ACCESS", "DELIVERY")
            ),
            log_group_identifiers=identifiers,
            limit=self._limit(params, 50),
            next_token=params.string("nextToken", min_length=1),
        )
        return _paged("logGroups", page, lambda g: _group(g, brief=pattern is not None))

    @handles("PutRetentionPolicy")
    def put_retention_policy(self, params: Params) -> Response:
        """PutRetentionPolicy."""
        name = self._group_name(params)
        days = params.integer("retentionInDays", required=True)
        assert days is not None
        self.domain.put_retention_policy(name, days)
        return {}

    @handles("DeleteRetentionPolicy")
    def delete_retention_policy(self, params: Params) -> Response:
        """DeleteRetentionPolicy."""
        self.domain.delete_retention_policy(self._group_name(params))
        return {}

    @handles("AssociateKmsKey")
    def associate_kms_key(self, params: Params) -> Response:
        """AssociateKmsKey."""
        key = params.string("kmsKeyId", required=True, max_length=256)
        assert key is not None
        self.domain.associate_kms_key(
            key,
            log_group_name=self._group_name(params, required=False),
            resource_identifier=params.string("resourceIdentifier", min_length=1, max_length=2048),
        )
        return {}

    @handles("DisassociateKmsKey")
    def disassociate_kms_key(self, params: Params) -> Response:
        """DisassociateKmsKey."""
        self.domain.disassociate_kms_key(
            log_group_name=self._group_name(params, required=False),
            resource_identifier=params.string("resourceIdentifier", min_length=1, max_length=2048),
        )
        return {}

    # -- tags ---------------------------------------------------------------------------------

    def _arn(self, params: Params) -> str:
        arn = params.string("resourceArn", required=True, min_length=1, max_length=1011)
        assert arn is not None
        return arn

    @handles("TagResource")
    def tag_resource(self, params: Params) -> Response:
        """TagResource."""
        self.domain.tag_resource(self._arn(params), params.mapping("tags", required=True))
        return {}

    @handles("UntagResource")
    def untag_resource(self, params: Params) -> Response:
        """UntagResource."""
        keys = params.items("tagKeys", required=True, min_items=1, max_items=50)
        self.domain.untag_resource(self._arn(params), keys)
        return {}

    @handles("ListTagsForResource")
    def list_tags_for_resource(self, params: Params) -> Response:
        """ListTagsForResource."""
        return {"tags": self.domain.list_tags_for_resource(self._arn(params))}

    @handles("TagLogGroup")
    def tag_log_group(self, params: Params) -> Response:
        """TagLogGroup."""
        self.domain.tag_log_group(self._group_name(params), params.mapping("tags", required=True))
        return {}

    @handles("UntagLogGroup")
    def untag_log_group(self, params: Params) -> Response:
        """UntagLogGroup."""
        keys = params.items("tags", required=True, min_items=1)
        self.domain.untag_log_group(self._group_name(params), keys)
        return {}

    @handles("ListTagsLogGroup")
    def list_tags_log_group(self, params: Params) -> Response:
        """ListTagsLogGroup."""
        return {"tags": self.domain.list_tags_log_group(self._group_name(params))}

    # -- streams ---------------------------------------------------------------------------------

    @handles("CreateLogStream")
    def create_log_stream(self, params: Params) -> Response:
        """CreateLogStream."""
        self.domain.create_log_stream(self._group_name(params), self._stream_name(params))
        return {}

    @handles("DeleteLogStream")
    def delete_log_stream(self, params: Params) -> Response:
        """DeleteLogStream."""
        self.domain.delete_log_stream(self._group_name(params), self._stream_name(params))
        return {}

    @handles("DescribeLogStreams")
    def describe_log_streams(self, params: Params) -> Response:
        """DescribeLogStreams."""
        page = self.domain.describe_log_streams(
            self._group_name(params, required=False),
            log_group_identifier=self._identifier(params),
            log_stream_name_prefix=self._stream_name(params, "logStreamNamePrefix", required=False),
            order_by=params.string(
                "orderBy", choices=("LogStreamName", "LastEventTime"), default="LogStreamName"
            )
            or "LogStreamName",
            descending=bool(params.boolean("descending")),
            limit=self._limit(params, 50),
            next_token=params.string("nextToken", min_length=1),
        )
        return _paged("logStreams", page, _stream)

    # -- events ------------------------------------------------------------------------------------

    @handles("PutLogEvents")
    def put_log_events(self, params: Params) -> Response:
        """PutLogEvents: ``nextSequenceToken``, and ``rejectedLogEventsInfo`` if any."""
        group = self._group_name(params)
        stream = self._stream_name(params)
        events = params.items("logEvents", required=True, min_items=1, max_items=10_000)
        try:
            pairs = [(event["timestamp"], event["message"]) for event in events]
        except (KeyError, TypeError):
            index = next(
                i
                for i, e in enumerate(events)
                if not isinstance(e, dict) or "timestamp" not in e or "message" not in e
            )
            raise InvalidParameterException(
                f"The parameter logEvents.{index + 1} must have a timestamp and a message.",
                param="logEvents",
                value=events[index],
            ) from None
        for index, (timestamp, message) in enumerate(pairs):
            if type(timestamp) is not int or type(message) is not str:
                what = "timestamp" if type(timestamp) is not int else "message"
                raise InvalidParameterException(
                    validation_message(
                        f"logEvents.{index + 1}.member.{what}",
                        timestamp if what == "timestamp" else message,
                        "Member must be a long"
                        if what == "timestamp"
                        else "Member must be a string",
                    ),
                    param=what,
                    value=timestamp if what == "timestamp" else message,
                )
        params.string("sequenceToken", min_length=1)
        # The header AWS Lambda and the CloudWatch agent send for embedded metrics.
        emf = (params.header("x-amzn-logs-format") or "").lower() == "json/emf"
        result = self.domain.put_log_events(group, stream, pairs, emf=emf)
        out: Response = {"nextSequenceToken": result.next_sequence_token}
        rejected = result.rejected
        if rejected is not None:
            info: Response = {}
            if rejected.too_new_start_index is not None:
                info["tooNewLogEventStartIndex"] = rejected.too_new_start_index
            if rejected.too_old_end_index is not None:
                info["tooOldLogEventEndIndex"] = rejected.too_old_end_index
            if rejected.expired_end_index is not None:
                info["expiredLogEventEndIndex"] = rejected.expired_end_index
            out["rejectedLogEventsInfo"] = info
        return out

    @handles("GetLogEvents")
    def get_log_events(self, params: Params) -> Response:
        """GetLogEvents: ``events``, ``nextForwardToken``, ``nextBackwardToken``."""
        page = self.domain.get_log_events(
            self._group_name(params, required=False),
            self._stream_name(params),
            log_group_identifier=self._identifier(params),
            start_time=self._time(params, "startTime"),
            end_time=self._time(params, "endTime"),
            next_token=params.string("nextToken", min_length=1),
            limit=self._limit(params, 10_000),
            start_from_head=params.boolean("startFromHead"),
            unmask=bool(params.boolean("unmask")),
        )
        return {
            "events": [
                {
                    "timestamp": e.timestamp_ms,
                    "message": e.message,
                    "ingestionTime": e.ingestion_time_ms,
                }
                for e in page.events
            ],
            "nextForwardToken": page.next_forward_token,
            "nextBackwardToken": page.next_backward_token,
        }

    @handles("FilterLogEvents")
    def filter_log_events(self, params: Params) -> Response:
        """FilterLogEvents: ``events``, ``searchedLogStreams`` (empty), ``nextToken``."""
        names = None
        if "logStreamNames" in params:
            names = params.items("logStreamNames", min_items=1, max_items=100)
            for index, name in enumerate(names):
                if (
                    not isinstance(name, str)
                    or not 1 <= len(name) <= 512
                    or ":" in name
                    or "*" in name
                ):
                    raise params.invalid(
                        f"logStreamNames.{index + 1}.member",
                        name,
                        "Member must satisfy regular expression pattern: "
                        + LOG_STREAM_NAME_PATTERN,
                    )
        page = self.domain.filter_log_events(
            self._group_name(params, required=False),
            log_group_identifier=self._identifier(params),
            log_stream_names=names,
            log_stream_name_prefix=self._stream_name(params, "logStreamNamePrefix", required=False),
            start_time=self._time(params, "startTime"),
            end_time=self._time(params, "endTime"),
            filter_pattern=self._pattern(params),
            next_token=params.string("nextToken", min_length=1),
            limit=self._limit(params, 10_000),
            interleaved=params.boolean("interleaved"),
            unmask=bool(params.boolean("unmask")),
        )
        out: Response = {
            "events": [
                {
                    "logStreamName": e.log_stream_name,
                    "timestamp": e.timestamp_ms,
                    "message": e.message,
                    "ingestionTime": e.ingestion_time_ms,
                    "eventId": e.event_id,
                }
                for e in page.events
            ],
            "searchedLogStreams": [],
        }
        if page.next_token is not None:
            out["nextToken"] = page.next_token
        return out

    # -- metric filters -------------------------------------------------------------------------

    @handles("PutMetricFilter")
    def put_metric_filter(self, params: Params) -> Response:
        """PutMetricFilter."""
        group = self._group_name(params)
        name = self._stream_name(params, "filterName")
        pattern = self._pattern(params, required=True)
        raw = params.items("metricTransformations", required=True, min_items=1, max_items=1)
        transformations = []
        for item in raw:
            each = params.nested(item if isinstance(item, dict) else {})
            unit = each.string("unit", choices=_UNITS)
            transformations.append(
                MetricTransformation(
                    metric_name=each.string("metricName", required=True, max_length=255) or "",
                    metric_namespace=each.string("metricNamespace", required=True, max_length=255)
                    or "",
                    metric_value=each.string("metricValue", required=True, max_length=100) or "",
                    default_value=each.number("defaultValue"),
                    dimensions=each.mapping("dimensions"),
                    unit=unit,
                )
            )
        self.domain.put_metric_filter(
            group,
            name,
            pattern,
            transformations,
            apply_on_transformed_logs=bool(params.boolean("applyOnTransformedLogs")),
        )
        return {}

    @handles("DescribeMetricFilters")
    def describe_metric_filters(self, params: Params) -> Response:
        """DescribeMetricFilters."""
        page = self.domain.describe_metric_filters(
            log_group_name=self._group_name(params, required=False),
            filter_name_prefix=self._stream_name(params, "filterNamePrefix", required=False),
            metric_name=params.string("metricName", max_length=255),
            metric_namespace=params.string("metricNamespace", max_length=255),
            limit=self._limit(params, 50),
            next_token=params.string("nextToken", min_length=1),
        )
        return _paged("metricFilters", page, _metric_filter)

    @handles("DeleteMetricFilter")
    def delete_metric_filter(self, params: Params) -> Response:
        """DeleteMetricFilter."""
        self.domain.delete_metric_filter(
            self._group_name(params), self._stream_name(params, "filterName")
        )
        return {}

    @handles("TestMetricFilter")
    def test_metric_filter(self, params: Params) -> Response:
        """TestMetricFilter: ``matches`` (eventNumber, eventMessage, extractedValues)."""
        pattern = self._pattern(params, required=True)
        messages = params.items("logEventMessages", required=True, min_items=1, max_items=50)
        for index, message in enumerate(messages):
            if not isinstance(message, str) or not message:
                raise params.invalid(
                    f"logEventMessages.{index + 1}.member",
                    message,
                    "Member must have length greater than or equal to 1",
                )
        matches = self.domain.test_metric_filter(pattern, messages)
        return {
            "matches": [
                {
                    "eventNumber": m.event_number,
                    "eventMessage": m.event_message,
                    "extractedValues": dict(m.extracted_values),
                }
                for m in matches
            ]
        }

    # -- subscription filters ----------------------------------------------------------------------

    @handles("PutSubscriptionFilter")
    def put_subscription_filter(self, params: Params) -> Response:
        """PutSubscriptionFilter."""
        destination = params.string("destinationArn", required=True, min_length=1)
        assert destination is not None
        self.domain.put_subscription_filter(
            self._group_name(params),
            self._stream_name(params, "filterName"),
            self._pattern(params, required=True),
            destination,
            role_arn=params.string("roleArn", min_length=1),
            distribution=params.string(
                "distribution", choices=("Random", "ByLogStream"), default="ByLogStream"
            )
            or "ByLogStream",
            apply_on_transformed_logs=bool(params.boolean("applyOnTransformedLogs")),
        )
        return {}

    @handles("DescribeSubscriptionFilters")
    def describe_subscription_filters(self, params: Params) -> Response:
        """DescribeSubscriptionFilters."""
        page = self.domain.describe_subscription_filters(
            self._group_name(params),
            filter_name_prefix=self._stream_name(params, "filterNamePrefix", required=False),
            limit=self._limit(params, 50),
            next_token=params.string("nextToken", min_length=1),
        )
        return _paged("subscriptionFilters", page, _subscription)

    @handles("DeleteSubscriptionFilter")
    def delete_subscription_filter(self, params: Params) -> Response:
        """DeleteSubscriptionFilter."""
        self.domain.delete_subscription_filter(
            self._group_name(params), self._stream_name(params, "filterName")
        )
        return {}

    # -- export tasks ------------------------------------------------------------------------------

    @handles("CreateExportTask")
    def create_export_task(self, params: Params) -> Response:
        """CreateExportTask: ``taskId``."""
        group = self._group_name(params)
        start = self._time(params, "from", required=True)
        stop = self._time(params, "to", required=True)
        destination = params.string("destination", required=True, min_length=1, max_length=512)
        assert start is not None and stop is not None and destination is not None
        task_id = self.domain.create_export_task(
            group,
            start,
            stop,
            destination,
            task_name=params.string("taskName", min_length=1, max_length=512),
            log_stream_name_prefix=self._stream_name(params, "logStreamNamePrefix", required=False),
            destination_prefix=params.string("destinationPrefix"),
        )
        return {"taskId": task_id}

    @handles("DescribeExportTasks")
    def describe_export_tasks(self, params: Params) -> Response:
        """DescribeExportTasks."""
        page = self.domain.describe_export_tasks(
            task_id=params.string("taskId", min_length=1, max_length=512),
            status_code=params.string(
                "statusCode",
                choices=(
                    "CANCELLED",
                    "COMPLETED",
                    "FAILED",
                    "PENDING",
                    "PENDING_CANCEL",
                    "RUNNING",
                ),
            ),
            limit=self._limit(params, 50),
            next_token=params.string("nextToken", min_length=1),
        )
        return _paged("exportTasks", page, _export)

    @handles("CancelExportTask")
    def cancel_export_task(self, params: Params) -> Response:
        """CancelExportTask."""
        task_id = params.string("taskId", required=True, min_length=1, max_length=512)
        assert task_id is not None
        self.domain.cancel_export_task(task_id)
        return {}

    # -- resource policies -------------------------------------------------------------------------

    @handles("PutResourcePolicy")
    def put_resource_policy(self, params: Params) -> Response:
        """PutResourcePolicy: ``resourcePolicy`` and ``revisionId``."""
        policy = self.domain.put_resource_policy(
            params.string("policyName"),
            params.string("policyDocument", min_length=1),
            resource_arn=params.string("resourceArn"),
            expected_revision_id=params.string("expectedRevisionId", min_length=1),
        )
        return {"resourcePolicy": _policy(policy), "revisionId": policy.revision_id}

    @handles("DescribeResourcePolicies")
    def describe_resource_policies(self, params: Params) -> Response:
        """DescribeResourcePolicies."""
        page = self.domain.describe_resource_policies(
            resource_arn=params.string("resourceArn"),
            policy_scope=params.string("policyScope", choices=("ACCOUNT", "RESOURCE")),
            limit=self._limit(params, 50),
            next_token=params.string("nextToken", min_length=1),
        )
        return _paged("resourcePolicies", page, _policy)

    @handles("DeleteResourcePolicy")
    def delete_resource_policy(self, params: Params) -> Response:
        """DeleteResourcePolicy."""
        self.domain.delete_resource_policy(
            params.string("policyName"),
            resource_arn=params.string("resourceArn"),
            expected_revision_id=params.string("expectedRevisionId", min_length=1),
        )
        return {}
