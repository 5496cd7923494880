"""CloudWatch Logs, the stateful service of one account and region.

`CloudWatchLogs` gathers the operations; the event operations live in
`awsmon.logs.ingest`, the filters in `awsmon.logs.filters`, the export tasks
in `awsmon.logs.export`, and the shared state in `awsmon.logs._core`.

>>> from awsmon import Cloud
>>> cloud = Cloud()
>>> logs = cloud.logs
>>> _ = logs.create_log_group("app")
>>> _ = logs.create_log_stream("app", "web-1")
>>> now = cloud.clock.now()
>>> logs.put_log_events("app", "web-1", [(now, "GET /a 200"), (now, "GET /x 404")]).rejected
>>> [e.message for e in logs.filter_log_events("app", filter_pattern="404").events]
['GET /x 404']
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

from awsmon import registry
from awsmon.dispatch import operation
from awsmon.errors import AccessDenied, ServiceError
from awsmon.logs._core import Page, check_limit, paginate
from awsmon.logs.destinations import DestinationsMixin
from awsmon.logs.errors import (
    AccessDeniedException,
    InvalidParameterException,
    LimitExceededException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
    TooManyTagsException,
    ValidationException,
)
from awsmon.logs.export import ExportsMixin
from awsmon.logs.ingest import EventsMixin
from awsmon.logs.insights.queries import InsightsQueries
from awsmon.logs.model import (
    RETENTION_DAYS,
    LogGroup,
    LogGroupClass,
    LogStream,
    OrderBy,
    PolicyScope,
    ResourcePolicy,
    check_log_group_name,
    check_log_stream_name,
    validation_message,
)
from awsmon.logs.store import EventStore
from awsmon.logs.subscriptions import Delivery

__all__ = ["CloudWatchLogs"]

MAX_TAGS = 50
MAX_RESOURCE_POLICIES = 10
MAX_POLICY_LENGTH = 51_200
_TAG_KEY = re.compile(r"[\w.:/=+\-@ ]{1,128}")
_TAG_VALUE = re.compile(r"[\w.:/=+\-@ ]{0,256}")


class CloudWatchLogs(EventsMixin, ExportsMixin, DestinationsMixin):
    """CloudWatch Logs in one account and region.

    Operations, by purpose:

    - log groups: `create_log_group`, `delete_log_group`,
      `describe_log_groups`, `put_retention_policy`,
      `delete_retention_policy`, `associate_kms_key`, `disassociate_kms_key`
    - tags: `tag_resource`, `untag_resource`, `list_tags_for_resource`, and
      the older `tag_log_group`, `untag_log_group`, `list_tags_log_group`
    - log streams: `create_log_stream`, `delete_log_stream`, `describe_log_streams`
    - events: `put_log_events`, `get_log_events`, `filter_log_events`
    - metric filters: `put_metric_filter`, `describe_metric_filters`,
      `delete_metric_filter`, `test_metric_filter`
    - subscription filters: `put_subscription_filter`,
      `describe_subscription_filters`, `delete_subscription_filter`
    - export tasks: `create_export_task`, `describe_export_tasks`, `cancel_export_task`
    - resource policies: `put_resource_policy`, `describe_resource_policies`,
      `delete_resource_policy`
    - for tests: `log_group`, `log_groups`, `deliveries` (every subscription
      payload sent), `emf_rejections`, `purge_expired`

    Retention runs on the clock: events older than the retention are hidden
    from every read at once, and an hourly clock job frees them.

    Simulation notes: no throttling, no data protection, no Live Tail (Logs
    Insights: `insights`); KMS keys are checked through the ``kms`` service when it
    is registered (any well-formed key ARN is accepted before that).
    """

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.deliveries: deque[Delivery] = deque(maxlen=10_000)
        self.emf_rejections: deque[tuple[str, str]] = deque(maxlen=10_000)
        self.insights = InsightsQueries(self)

    # -- log groups ------------------------------------------------------------------

    @operation("CreateLogGroup")
    def create_log_group(
        self,
        log_group_name: str,
        *,
        kms_key_id: str | None = None,
        tags: Mapping[str, str] | None = None,
        log_group_class: LogGroupClass | str = LogGroupClass.STANDARD,
        deletion_protection_enabled: bool = False,
    ) -> LogGroup:
        """Create a log group (CreateLogGroup); events are kept forever until a retention is set.

        Raises:
            InvalidParameterException: a bad name (``aws/`` is reserved), tags or key.
            ResourceAlreadyExistsException: the group exists.
        """
        check_log_group_name(log_group_name)
        if log_group_name.startswith("aws/"):
            raise InvalidParameterException(
                "Log group names starting with 'aws/' are reserved for AWS.",
                param="logGroupName",
                value=log_group_name,
            )
        kind = LogGroupClass(log_group_class)
        checked_tags = _check_tags(tags or {})
        if log_group_name in self.log_groups:
            raise ResourceAlreadyExistsException(
                "The specified log group already exists", param="logGroupName", value=log_group_name
            )
        arn = self.group_arn(log_group_name)
        if kms_key_id is not None:
            self._check_kms_key(kms_key_id, arn[:-2])
        group = LogGroup(
            name=log_group_name,
            arn=arn,
            created_at_ms=self.now_ms(),
            kms_key_id=kms_key_id,
            tags=checked_tags,
            log_group_class=kind,
            deletion_protection_enabled=deletion_protection_enabled,
        )
        self.log_groups[log_group_name] = group
        return group

    @operation("DeleteLogGroup")
    def delete_log_group(self, log_group_name: str) -> None:
        """Delete a group with its streams, events and filters (DeleteLogGroup).

        Raises:
            ResourceNotFoundException: no such group.
            ValidationException: deletion protection is on.
        """
        group = self.log_group(log_group_name)
        if group.deletion_protection_enabled:
            raise ValidationException(
                f"Log group {log_group_name} has deletion protection enabled; disable it "
                "before deleting the log group.",
                param="logGroupName",
                value=log_group_name,
            )
        del self.log_groups[log_group_name]

    @operation("DescribeLogGroups")
    def describe_log_groups(
        self,
        *,
        log_group_name_prefix: str | None = None,
        log_group_name_pattern: str | None = None,
        log_group_class: LogGroupClass | str | None = None,
        log_group_identifiers: Sequence[str] | None = None,
        limit: int | None = None,
        next_token: str | None = None,
    ) -> Page[LogGroup]:
        """The log groups in name order (DescribeLogGroups).

        Args:
            log_group_name_prefix: names starting with this.
            log_group_name_pattern: names containing this (case-sensitive);
                not with a prefix.
            log_group_class: only groups of this class.
            log_group_identifiers: only these groups (names or ARNs, 1 to 50).
            limit: 1 to 50 (default 50).

        Raises:
            InvalidParameterException: prefix with pattern, a bad limit or token.
        """
        size = check_limit(limit, 50, 50)
        if log_group_name_prefix is not None and log_group_name_pattern is not None:
            raise InvalidParameterException(
                "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.",
                param="logGroupNamePattern",
                value=log_group_name_pattern,
            )
        kind = None if log_group_class is None else LogGroupClass(log_group_class)
        wanted = None
        if log_group_identifiers is not None:
            wanted = set()
            for identifier in log_group_identifiers:
                try:
                    wanted.add(self.group_name_of(identifier))
                except ServiceError:
                    continue
        found = [
            group
            for name, group in sorted(self.log_groups.items())
            if (log_group_name_prefix is None or name.startswith(log_group_name_prefix))
            and (log_group_name_pattern is None or log_group_name_pattern in name)
            and (kind is None or group.log_group_class is kind)
            and (wanted is None or name in wanted)
        ]
        return paginate(found, lambda group: group.name, next_token, size)

    @operation("PutRetentionPolicy")
    def put_retention_policy(self, log_group_name: str, retention_in_days: int) -> None:
        """Keep the group's events `retention_in_days` days (PutRetentionPolicy).

        Applies to the events already stored: those now past the retention
        disappear from reads at once and are freed by the hourly clock job.

        Raises:
            ResourceNotFoundException: no such group.
            InvalidParameterException: a value AWS does not offer (see `RETENTION_DAYS`).
        """
        if retention_in_days not in RETENTION_DAYS or isinstance(retention_in_days, bool):
            raise InvalidParameterException(
                validation_message(
                    "retentionInDays",
                    retention_in_days,
                    "Member must satisfy enum value set: "
                    f"[{', '.join(str(days) for days in RETENTION_DAYS)}]",
                ),
                param="retentionInDays",
                value=retention_in_days,
            )
        group = self.log_group(log_group_name)
        group.retention_in_days = retention_in_days
        self.ensure_purge_job()

    @operation("DeleteRetentionPolicy")
    def delete_retention_policy(self, log_group_name: str) -> None:
        """Keep the group's events forever again (DeleteRetentionPolicy).

        Raises:
            ResourceNotFoundException: no such group.
        """
        self.log_group(log_group_name).retention_in_days = None

    # -- KMS ----------------------------------------------------------------------------

    def _kms_group(self, log_group_name: str | None, resource_identifier: str | None) -> LogGroup:
        if (log_group_name is None) == (resource_identifier is None):
            raise InvalidParameterException(
                "Exactly one of logGroupName and resourceIdentifier must be specified.",
                param="logGroupName",
                value=log_group_name,
            )
        if log_group_name is not None:
            return self.log_group(log_group_name)
        assert resource_identifier is not None
        return self.log_group(self.group_name_of(resource_identifier))

    def _check_kms_key(self, kms_key_id: str, group_arn: str) -> None:
        """Refuse a key CloudWatch Logs could not use for the group, as AWS does."""
        parts = kms_key_id.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn" or parts[2] != "kms":
            raise InvalidParameterException(
                f"Specified KMS key {kms_key_id} is not a valid KMS key ARN.",
                param="kmsKeyId",
                value=kms_key_id,
            )
        try:
            registry.spec("kms")
        except KeyError:
            return
        kms = self.ctx.sibling("kms")
        try:
            kms.usable_key(
                kms_key_id,
                principal_service=f"logs.{self.region}.amazonaws.com",
                context={"kms:EncryptionContext:aws:logs:arn": group_arn},
            )
        except AccessDenied:
            raise AccessDeniedException(
                "The specified KMS key does not exist or is not allowed to be used with Arn "
                f"'{group_arn}'",
                param="kmsKeyId",
                value=kms_key_id,
            ) from None
        except ServiceError as error:
            raise InvalidParameterException(
                f"Specified KMS key {kms_key_id} cannot be used: {error.message}",
                param="kmsKeyId",
                value=kms_key_id,
            ) from None

    @operation("AssociateKmsKey")
    def associate_kms_key(
        self,
        kms_key_id: str,
        *,
        log_group_name: str | None = None,
        resource_identifier: str | None = None,
    ) -> None:
        """Encrypt the group's future events with a KMS key (AssociateKmsKey); replaces any key.

        Raises:
            ResourceNotFoundException: no such group.
            InvalidParameterException: not exactly one of name and identifier; a
                key that is not an ARN, does not exist or is disabled.
            AccessDeniedException: the key policy does not let CloudWatch Logs use it.
        """
        group = self._kms_group(log_group_name, resource_identifier)
        self._check_kms_key(kms_key_id, group.log_group_arn)
        group.kms_key_id = kms_key_id

    @operation("DisassociateKmsKey")
    def disassociate_kms_key(
        self, *, log_group_name: str | None = None, resource_identifier: str | None = None
    ) -> None:
        """Stop encrypting the group's new events with its key (DisassociateKmsKey).

        Raises:
            ResourceNotFoundException: no such group.
        """
        self._kms_group(log_group_name, resource_identifier).kms_key_id = None

    # -- tags ------------------------------------------------------------------------------

    def _tagged(self, resource_arn: str) -> LogGroup:
        try:
            name = self.group_name_of(resource_arn) if resource_arn.startswith("arn:") else None
        except ServiceError:
            name = None
        if name is None or name not in self.log_groups:
            raise ResourceNotFoundException(
                f"The specified resource does not exist: {resource_arn}",
                param="resourceArn",
                value=resource_arn,
            )
        return self.log_groups[name]

    @staticmethod
    def _add_tags(group: LogGroup, tags: Mapping[str, str]) -> None:
        checked = _check_tags(tags)
        merged = {**group.tags, **checked}
        if len(merged) > MAX_TAGS:
            raise TooManyTagsException(
                f"A resource can have no more than {MAX_TAGS} tags.",
                param="tags",
                value=len(merged),
            )
        group.tags = merged

    @operation("TagResource")
    def tag_resource(self, resource_arn: str, tags: Mapping[str, str]) -> None:
        """Add or overwrite tags on a log group named by ARN (TagResource).

        Raises:
            ResourceNotFoundException: no such group.
            InvalidParameterException: a bad key or value.
            TooManyTagsException: more than 50 tags.
        """
        self._add_tags(self._tagged(resource_arn), tags)

    @operation("UntagResource")
    def untag_resource(self, resource_arn: str, tag_keys: Sequence[str]) -> None:
        """Remove tags from a log group named by ARN (UntagResource).

        Raises:
            ResourceNotFoundException: no such group.
        """
        group = self._tagged(resource_arn)
        for key in tag_keys:
            group.tags.pop(key, None)

    @operation("ListTagsForResource")
    def list_tags_for_resource(self, resource_arn: str) -> dict[str, str]:
        """The tags of a log group named by ARN (ListTagsForResource).

        Raises:
            ResourceNotFoundException: no such group.
        """
        return dict(self._tagged(resource_arn).tags)

    @operation("TagLogGroup")
    def tag_log_group(self, log_group_name: str, tags: Mapping[str, str]) -> None:
        """Add or overwrite tags on a log group (TagLogGroup, deprecated by AWS)."""
        self._add_tags(self.log_group(log_group_name), tags)

    @operation("UntagLogGroup")
    def untag_log_group(self, log_group_name: str, tags: Sequence[str]) -> None:
        """Remove tags by key (UntagLogGroup, deprecated by AWS)."""
        group = self.log_group(log_group_name)
        for key in tags:
            group.tags.pop(key, None)

    @operation("ListTagsLogGroup")
    def list_tags_log_group(self, log_group_name: str) -> dict[str, str]:
        """The group's tags (ListTagsLogGroup, deprecated by AWS)."""
        return dict(self.log_group(log_group_name).tags)

    # -- log streams ------------------------------------------------------------------------

    @operation("CreateLogStream")
    def create_log_stream(self, log_group_name: str, log_stream_name: str) -> LogStream:
        """Create a stream in a group (CreateLogStream).

        Raises:
            ResourceNotFoundException: no such group.
            ResourceAlreadyExistsException: the stream exists.
            InvalidParameterException: a bad name (``:`` and ``*`` are not allowed).
        """
        check_log_stream_name(log_stream_name)
        group = self.log_group(log_group_name)
        if log_stream_name in group.streams:
            raise ResourceAlreadyExistsException(
                "The specified log stream already exists",
                param="logStreamName",
                value=log_stream_name,
            )
        stream = LogStream(
            name=log_stream_name,
            arn=self.ctx.arn(f"log-group:{log_group_name}:log-stream:{log_stream_name}"),
            created_at_ms=self.now_ms(),
            store=EventStore(),
        )
        group.streams[log_stream_name] = stream
        return stream

    @operation("DeleteLogStream")
    def delete_log_stream(self, log_group_name: str, log_stream_name: str) -> None:
        """Delete a stream and its events (DeleteLogStream).

        Raises:
            ResourceNotFoundException: no such group or stream.
        """
        group = self.log_group(log_group_name)
        self.log_stream(group, log_stream_name)
        del group.streams[log_stream_name]

    @operation("DescribeLogStreams")
    def describe_log_streams(
        self,
        log_group_name: str | None = None,
        *,
        log_group_identifier: str | None = None,
        log_stream_name_prefix: str | None = None,
        order_by: OrderBy | str = OrderBy.LOG_STREAM_NAME,
        descending: bool = False,
        limit: int | None = None,
        next_token: str | None = None,
    ) -> Page[LogStream]:
        """A group's streams, by name or by last event time (DescribeLogStreams).

        Raises:
            ResourceNotFoundException: no such group.
            InvalidParameterException: a prefix with ``LastEventTime`` ordering,
                a bad limit or token.
        """
        size = check_limit(limit, 50, 50)
        order = OrderBy(order_by)
        if order is OrderBy.LAST_EVENT_TIME and log_stream_name_prefix is not None:
            raise InvalidParameterException(
                "Cannot order by LastEventTime with a logStreamNamePrefix.",
                param="orderBy",
                value=order.value,
            )
        group = self.resolve_group(log_group_name, log_group_identifier)
        streams = [
            stream
            for name, stream in group.streams.items()
            if log_stream_name_prefix is None or name.startswith(log_stream_name_prefix)
        ]
        if order is OrderBy.LOG_STREAM_NAME:
            streams.sort(key=lambda s: s.name, reverse=descending)
            ranks = {s.name: f"{i:012d}" for i, s in enumerate(streams)}
        else:
            streams.sort(
                key=lambda s: (s.last_event_ms if s.last_event_ms is not None else -1, s.name),
                reverse=descending,
            )
            ranks = {s.name: f"{i:012d}" for i, s in enumerate(streams)}
        return paginate(streams, lambda s: ranks[s.name], next_token, size)

    # -- resource policies -----------------------------------------------------------------------

    @operation("PutResourcePolicy")
    def put_resource_policy(
        self,
        policy_name: str | None = None,
        policy_document: str | None = None,
        *,
        resource_arn: str | None = None,
        expected_revision_id: str | None = None,
    ) -> ResourcePolicy:
        """Create or replace a resource policy (PutResourcePolicy).

        An account policy has a `policy_name` (at most 10 per region); a
        log-group policy is named by `resource_arn` instead.

        Raises:
            InvalidParameterException: a document that is not a JSON object,
                or a revision id that does not match.
            LimitExceededException: an 11th account policy.
            ResourceNotFoundException: the log group of `resource_arn` does not exist.
        """
        if policy_document is None or not policy_document:
            raise InvalidParameterException(
                "The parameter policyDocument is required.", param="policyDocument", value=None
            )
        if len(policy_document) > MAX_POLICY_LENGTH:
            raise InvalidParameterException(
                validation_message(
                    "policyDocument",
                    policy_document,
                    f"Member must have length less than or equal to {MAX_POLICY_LENGTH}",
                ),
                param="policyDocument",
                value=len(policy_document),
            )
        try:
            parsed = json.loads(policy_document)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise InvalidParameterException(
                "Invalid policy document: it must be a JSON object.",
                param="policyDocument",
                value=policy_document,
            )
        if resource_arn is not None:
            self._tagged(resource_arn)
            key, scope = resource_arn, PolicyScope.RESOURCE
        elif policy_name:
            key, scope = policy_name, PolicyScope.ACCOUNT
        else:
            raise InvalidParameterException(
                "Either policyName or resourceArn must be specified.",
                param="policyName",
                value=None,
            )
        existing = self.resource_policies.get(key)
        if expected_revision_id is not None and (
            existing is None or existing.revision_id != expected_revision_id
        ):
            raise InvalidParameterException(
                "The expectedRevisionId does not match the policy's current revision.",
                param="expectedRevisionId",
                value=expected_revision_id,
            )
        accounts = sum(1 for p in self.resource_policies.values() if p.scope is PolicyScope.ACCOUNT)
        if existing is None and scope is PolicyScope.ACCOUNT and accounts >= MAX_RESOURCE_POLICIES:
            raise LimitExceededException("Resource limit exceeded.", param="policyName", value=key)
        policy = ResourcePolicy(
            name=policy_name,
            document=policy_document,
            last_updated_ms=self.now_ms(),
            scope=scope,
            resource_arn=resource_arn,
            revision_id=self.ctx.ids.uuid(),
        )
        self.resource_policies[key] = policy
        return policy

    @operation("DescribeResourcePolicies")
    def describe_resource_policies(
        self,
        *,
        resource_arn: str | None = None,
        policy_scope: PolicyScope | str | None = None,
        limit: int | None = None,
        next_token: str | None = None,
    ) -> Page[ResourcePolicy]:
        """The resource policies, by name (DescribeResourcePolicies)."""
        size = check_limit(limit, 50, 50)
        scope = None if policy_scope is None else PolicyScope(policy_scope)
        found = sorted(
            (
                (key, policy)
                for key, policy in self.resource_policies.items()
                if (scope is None or policy.scope is scope)
                and (resource_arn is None or policy.resource_arn == resource_arn)
            ),
            key=lambda item: item[0],
        )
        page = paginate(found, lambda item: item[0], next_token, size)
        return Page(tuple(policy for _key, policy in page.items), page.next_token)

    @operation("DeleteResourcePolicy")
    def delete_resource_policy(
        self,
        policy_name: str | None = None,
        *,
        resource_arn: str | None = None,
        expected_revision_id: str | None = None,
    ) -> None:
        """Delete a resource policy (DeleteResourcePolicy).

        Raises:
            ResourceNotFoundException: no such policy.
        """
        key = resource_arn if resource_arn is not None else policy_name
        found = None if key is None else self.resource_policies.get(key)
        if found is None:
            raise ResourceNotFoundException(
                f"Policy with name [{key}] does not exist", param="policyName", value=key
            )
        if expected_revision_id is not None and found.revision_id != expected_revision_id:
            raise InvalidParameterException(
                "The expectedRevisionId does not match the policy's current revision.",
                param="expectedRevisionId",
                value=expected_revision_id,
            )
        del self.resource_policies[key]  # type: ignore[arg-type]


def _check_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """Tags checked as AWS does (keys 1-128, values 0-256, ``aws:`` reserved).

    Raises:
        InvalidParameterException: a bad key or value.
        TooManyTagsException: more than 50.
    """
    if len(tags) > MAX_TAGS:
        raise TooManyTagsException(
            f"A resource can have no more than {MAX_TAGS} tags.", param="tags", value=len(tags)
        )
    for key, value in tags.items():
        if not isinstance(key, str) or _TAG_KEY.fullmatch(key) is None:
            raise InvalidParameterException(
                validation_message(
                    "tags",
                    key,
                    "Map keys must satisfy constraint: [Member must have length less than or "
                    "equal to 128, Member must have length greater than or equal to 1, Member "
                    r"must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$]",
                ),
                param="tags",
                value=key,
            )
        if key.lower().startswith("aws:"):
            raise InvalidParameterException(
                "Tag keys starting with 'aws:' are reserved for AWS.", param="tags", value=key
            )
        if not isinstance(value, str) or _TAG_VALUE.fullmatch(value) is None:
            raise InvalidParameterException(
                validation_message(
                    "tags",
                    value,
                    "Map value must satisfy constraint: [Member must have length less than or "
                    r"equal to 256, Member must satisfy regular expression pattern: "
                    r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$]",
                ),
                param="tags",
                value=value,
            )
    return dict(tags)
