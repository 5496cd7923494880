"""CloudWatch Logs, the stateful service of one account and region.

`CloudWatchLogs` gathers the operations; the log group and stream operations
live here, the event operations in `awsmon.logs.ingest`, the metric filters
in `awsmon.logs.filters`, the subscription filters in
`awsmon.logs.subscription_filters`, the export tasks in `awsmon.logs.export`,
the tags in `awsmon.logs.tags`, the resource policies in
`awsmon.logs.resource_policies`, and the shared state in `awsmon.logs._core`.

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

from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

from awsmon import registry
from awsmon.arn import Arn, InvalidArn
from awsmon.dispatch import operation
from awsmon.errors import AccessDenied, ServiceError
from awsmon.logs._core import Page, check_limit, paginate
from awsmon.logs.destinations import DestinationsMixin
from awsmon.logs.errors import (
    AccessDeniedException,
    InvalidParameterException,
    ResourceAlreadyExistsException,
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
    check_log_group_name,
    check_log_stream_name,
    validation_message,
)
from awsmon.logs.resource_policies import ResourcePoliciesMixin
from awsmon.logs.store import EventStore
from awsmon.logs.subscription_filters import SubscriptionFiltersMixin
from awsmon.logs.subscriptions import Delivery
from awsmon.logs.tags import TagsMixin, check_tags

__all__ = ["CloudWatchLogs"]


class CloudWatchLogs(
    EventsMixin,
    SubscriptionFiltersMixin,
    ExportsMixin,
    TagsMixin,
    ResourcePoliciesMixin,
    DestinationsMixin,
):
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
        checked_tags = check_tags(tags or {})
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
        try:
            is_kms = Arn.parse(kms_key_id).service == "kms"
        except InvalidArn:
            is_kms = False
        if not is_kms:
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
