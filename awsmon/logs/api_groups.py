"""CloudWatch Logs wire operations for log groups, tags, log streams and resource policies.

Internal to `awsmon.logs.api`, whose `LogsApi` inherits `GroupsApi`.
"""

from __future__ import annotations

from awsmon.logs.api_common import LogsWireApi, Response, paged
from awsmon.logs.model import (
    LogGroup,
    LogStream,
    ResourcePolicy,
)
from awsmon.wire import Params, handles

__all__ = ["GroupsApi"]


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


class GroupsApi(LogsWireApi):
    """Handlers of the log group, tag, log stream and resource policy operations."""

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
        identifiers = params.strings("logGroupIdentifiers", min_items=1, max_items=50) or None
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
        return paged("logGroups", page, lambda g: _group(g, brief=pattern is not None))

    @handles("PutRetentionPolicy")
    def put_retention_policy(self, params: Params) -> Response:
        """PutRetentionPolicy."""
        name = self._group_name(params)
        days = params.integer("retentionInDays", required=True)
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
        return arn

    @handles("TagResource")
    def tag_resource(self, params: Params) -> Response:
        """TagResource."""
        self.domain.tag_resource(self._arn(params), params.mapping("tags", required=True))
        return {}

    @handles("UntagResource")
    def untag_resource(self, params: Params) -> Response:
        """UntagResource."""
        keys = params.strings("tagKeys", required=True, min_items=1, max_items=50)
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
        keys = params.strings("tags", required=True, min_items=1)
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
        return paged("logStreams", page, _stream)

    # -- events ------------------------------------------------------------------------------------

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
        return paged("resourcePolicies", page, _policy)

    @handles("DeleteResourcePolicy")
    def delete_resource_policy(self, params: Params) -> Response:
        """DeleteResourcePolicy."""
        self.domain.delete_resource_policy(
            params.string("policyName"),
            resource_arn=params.string("resourceArn"),
            expected_revision_id=params.string("expectedRevisionId", min_length=1),
        )
        return {}
