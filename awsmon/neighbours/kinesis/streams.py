"""Kinesis streams: lookup by name or ARN, and the stream operations.

`Streams` is the base of `awsmon.neighbours.kinesis.Kinesis`: it owns the streams
of one account and region; the record operations are added by the subclass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any, ClassVar, Self

from awsmon.arn import Arn, InvalidArn
from awsmon.dispatch import Service, operation
from awsmon.neighbours.kinesis.errors import (
    InvalidArgumentException,
    KinesisAccessDeniedException,
    LimitExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
    ValidationException,
)
from awsmon.neighbours.kinesis.model import (
    Record,
    StreamMode,
    StreamStatus,
    hash_key_ranges,
)
from awsmon.neighbours.kinesis.store import (
    Shard,
    Stream,
)

__all__ = ["Streams"]

_MIB = 1024 * 1024
_BIG_SHARD_QUOTA_REGIONS = ("us-east-1", "us-west-2", "eu-west-1")


class Streams(Service):
    """The streams of one account and region, and the stream operations."""

    creation_delay: ClassVar[timedelta] = timedelta(seconds=1)
    deletion_delay: ClassVar[timedelta] = timedelta(seconds=1)
    shard_records_per_second: ClassVar[int] = 1000
    shard_bytes_per_second: ClassVar[int] = _MIB
    on_demand_shards: ClassVar[int] = 4

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.streams: dict[str, Stream] = {}

    # -- lookup -------------------------------------------------------------------

    def _place(self, region: str, account: str) -> Self:
        """The Kinesis of `account` in `region`."""
        found: Self = self.ctx.sibling(self.ctx.spec.name, account_id=account, region=region)
        return found

    def _owner_and_name(self, stream_name: str) -> tuple[Self, str]:
        if not stream_name.startswith("arn:"):
            return self, stream_name
        try:
            arn = Arn.parse(stream_name)
        except InvalidArn:
            arn = None
        if arn is None or arn.service != "kinesis" or arn.resource_type != "stream":
            raise InvalidArgumentException(
                f"Invalid StreamARN {stream_name}.", param="StreamARN", value=stream_name
            )
        owner: Self = self.ctx.service_at(arn, self.ctx.spec.name)
        return owner, arn.resource_id

    def stream(self, stream_name: str) -> Stream:
        """The stream named by its name or ARN (in any account or region), in any status.

        Raises:
            ResourceNotFoundException: no such stream.
        """
        owner, name = self._owner_and_name(stream_name)
        found = owner.streams.get(name)
        if found is None:
            raise owner._not_found(name)
        if owner.account_id != self.ctx.principal.account_id:
            refused = self.ctx.check_other_account(
                found.arn, owner.account_id, getattr(found, "policy", None)
            )
            if refused is not None:
                raise KinesisAccessDeniedException(
                    refused.not_authorized, param="StreamARN", value=stream_name
                )
        return found

    def _not_found(self, name: str) -> ResourceNotFoundException:
        return ResourceNotFoundException(
            f"Stream {name} under account {self.account_id} not found.",
            param="StreamName",
            value=name,
        )

    def _usable(self, stream_name: str) -> Stream:
        found = self.stream(stream_name)
        if not found.usable:
            raise ResourceNotFoundException(
                f"Stream {found.name} under account {found.account_id} not found.",
                param="StreamName",
                value=stream_name,
            )
        found.trim(self.ctx.now())
        return found

    def records(self, stream_name: str) -> list[Record]:
        """Every retained record of the stream, by arrival (ties: shard, then sequence).

        A test helper, not an AWS operation: what a consumer reading every
        shard from TRIM_HORIZON would get.
        """
        found = self.stream(stream_name)
        found.trim(self.ctx.now())
        merged = [r for shard in found.shards for r in shard.retained()]
        return sorted(merged, key=lambda r: (r.arrived_at, r.shard_id, r.counter))

    # -- streams --------------------------------------------------------------------

    @operation("CreateStream")
    def create_stream(
        self,
        stream_name: str,
        shard_count: int | None = None,
        *,
        stream_mode: StreamMode | str | None = None,
        tags: Mapping[str, str] | None = None,
        max_record_size_in_kib: int | None = None,
    ) -> Stream:
        """Create a stream (CreateStream); it is CREATING for `creation_delay`, then ACTIVE.

        Args:
            stream_name: the name, unique in the account and region.
            shard_count: the number of shards of a PROVISIONED stream.
            stream_mode: PROVISIONED (needs `shard_count`) or ON_DEMAND
                (4 shards); ON_DEMAND when neither is given.
            tags: the stream's tags.
            max_record_size_in_kib: the largest record (data and partition
                key), 1024 KiB unless given.

        Raises:
            ResourceInUseException: a stream of that name exists (in any status).
            InvalidArgumentException: a shard count that does not fit the mode.
            LimitExceededException: the account's shard quota would be exceeded.
        """
        mode = StreamMode(stream_mode) if stream_mode is not None else None
        if mode is None:
            mode = StreamMode.PROVISIONED if shard_count is not None else StreamMode.ON_DEMAND
        if mode is StreamMode.PROVISIONED and shard_count is None:
            raise InvalidArgumentException(
                "ShardCount is required for streams in PROVISIONED mode.",
                param="ShardCount",
            )
        if mode is StreamMode.ON_DEMAND and shard_count is not None:
            raise InvalidArgumentException(
                "ShardCount is not supported for streams in ON_DEMAND mode.",
                param="ShardCount",
                value=shard_count,
            )
        count = shard_count if shard_count is not None else self.on_demand_shards
        if count < 1:
            raise ValidationException(
                f"1 validation error detected: Value '{count}' at 'shardCount' failed to "
                "satisfy constraint: Member must have value greater than or equal to 1",
                param="ShardCount",
                value=count,
            )
        if stream_name in self.streams:
            raise ResourceInUseException(
                f"Stream {stream_name} under account {self.account_id} already exists.",
                param="StreamName",
                value=stream_name,
            )
        quota = 500 if self.region in _BIG_SHARD_QUOTA_REGIONS else 200
        current = sum(len(s.shards) for s in self.streams.values())
        if current + count > quota:
            raise LimitExceededException(
                f"This request would exceed the shard limit for the account {self.account_id} "
                f"in {self.region}. Current shard count for the account: {current}. Limit: "
                f"{quota}. Number of additional shards that would have resulted from this "
                f"request: {count}. Shard limit increases can be requested by submitting a "
                "case to the AWS Support Center at https://aws.amazon.com/support/createCase?"
                "type=service_limit_increase&serviceLimitIncreaseType=kinesis-limits.",
                param="ShardCount",
                value=count,
            )
        now = self.ctx.now()
        created = int(now.timestamp())
        shards = [
            Shard(index, start, end, created)
            for index, (start, end) in enumerate(hash_key_ranges(count))
        ]
        stream = Stream(
            name=stream_name,
            arn=self.ctx.arn(f"stream/{stream_name}"),
            account_id=self.account_id,
            region=self.region,
            created_at=now,
            mode=mode,
            shards=shards,
            tags=dict(tags or {}),
            max_record_size_kib=max_record_size_in_kib or 1024,
        )
        self.streams[stream_name] = stream
        stream.job = self.ctx.clock.call_later(
            self.creation_delay, lambda: self._activate(stream), name=f"kinesis:{stream_name}"
        )
        return stream

    def _activate(self, stream: Stream) -> None:
        if stream.status is StreamStatus.CREATING:
            stream.status = StreamStatus.ACTIVE
        stream.job = None

    @operation("DescribeStream")
    def describe_stream(self, stream_name: str) -> Stream:
        """The stream, its status and shards (DescribeStream).

        Raises:
            ResourceNotFoundException: no such stream.
        """
        found = self.stream(stream_name)
        found.trim(self.ctx.now())
        return found

    @operation("DescribeStreamSummary")
    def describe_stream_summary(self, stream_name: str) -> Stream:
        """The stream without its shard list (DescribeStreamSummary).

        Raises:
            ResourceNotFoundException: no such stream.
        """
        return self.stream(stream_name)

    @operation("ListStreams")
    def list_streams(self) -> list[Stream]:
        """Every stream of the account and region, by name (ListStreams)."""
        return [stream for _, stream in sorted(self.streams.items())]

    @operation("ListShards")
    def list_shards(self, stream_name: str) -> list[Shard]:
        """The stream's shards, by id (ListShards); none while the stream is CREATING.

        Raises:
            ResourceNotFoundException: no such stream.
        """
        return self.stream(stream_name).visible_shards()

    @operation("DeleteStream")
    def delete_stream(self, stream_name: str, *, enforce_consumer_deletion: bool = False) -> None:
        """Delete a stream (DeleteStream): DELETING for `deletion_delay`, then gone.

        Records are no longer readable or writable from the call on.

        Raises:
            ResourceNotFoundException: no such stream (or it is being deleted).
            ResourceInUseException: the stream is still CREATING.
        """
        found = self.stream(stream_name)
        owner, _ = self._owner_and_name(stream_name)
        if found.status is StreamStatus.DELETING:
            raise owner._not_found(found.name)
        if found.status is StreamStatus.CREATING:
            raise ResourceInUseException(
                f"Stream {found.name} under account {found.account_id} is in use.",
                param="StreamName",
                value=stream_name,
            )
        found.status = StreamStatus.DELETING

        def forget() -> None:
            if owner.streams.get(found.name) is found:
                del owner.streams[found.name]

        found.job = self.ctx.clock.call_later(
            self.deletion_delay, forget, name=f"kinesis:delete:{found.name}"
        )

    def _retention_hours(self, hours: int) -> None:
        if hours < 24:
            raise InvalidArgumentException(
                "Minimum allowed retention period is 24 hours. Requested retention period "
                f"({hours} hours) is too short.",
                param="RetentionPeriodHours",
                value=hours,
            )
        if hours > 8760:
            raise InvalidArgumentException(
                "Maximum allowed retention period is 8760 hours. Requested retention period "
                f"({hours} hours) is too long.",
                param="RetentionPeriodHours",
                value=hours,
            )

    def _retention_target(self, stream_name: str) -> Stream:
        found = self.stream(stream_name)
        if not found.usable:
            raise ResourceInUseException(
                f"Stream {found.name} under account {found.account_id} not ACTIVE, instead in "
                f"state {found.status.value}",
                param="StreamName",
                value=stream_name,
            )
        return found

    @operation("IncreaseStreamRetentionPeriod")
    def increase_stream_retention_period(
        self, stream_name: str, retention_period_hours: int
    ) -> Stream:
        """Keep records longer (IncreaseStreamRetentionPeriod), 24 to 8760 hours.

        Records still retained stay readable for the longer period.

        Raises:
            InvalidArgumentException: out of range, or shorter than the current period.
            ResourceNotFoundException / ResourceInUseException: no usable stream.
        """
        found = self._retention_target(stream_name)
        self._retention_hours(retention_period_hours)
        if retention_period_hours < found.retention_hours:
            raise InvalidArgumentException(
                f"Requested retention period ({retention_period_hours} hours) for stream "
                f"{found.name} can not be shorter than existing retention period "
                f"({found.retention_hours} hours). Use DecreaseRetentionPeriod API.",
                param="RetentionPeriodHours",
                value=retention_period_hours,
            )
        found.trim(self.ctx.now())
        found.retention = timedelta(hours=retention_period_hours)
        return found

    @operation("DecreaseStreamRetentionPeriod")
    def decrease_stream_retention_period(
        self, stream_name: str, retention_period_hours: int
    ) -> Stream:
        """Keep records for less time (DecreaseStreamRetentionPeriod), 24 to 8760 hours.

        Records older than the new period are unreadable at once.

        Raises:
            InvalidArgumentException: out of range, or longer than the current period.
            ResourceNotFoundException / ResourceInUseException: no usable stream.
        """
        found = self._retention_target(stream_name)
        self._retention_hours(retention_period_hours)
        if retention_period_hours > found.retention_hours:
            raise InvalidArgumentException(
                f"Requested retention period ({retention_period_hours} hours) for stream "
                f"{found.name} can not be longer than existing retention period "
                f"({found.retention_hours} hours). Use IncreaseRetentionPeriod API.",
                param="RetentionPeriodHours",
                value=retention_period_hours,
            )
        found.retention = timedelta(hours=retention_period_hours)
        found.trim(self.ctx.now())
        return found

    @operation("AddTagsToStream")
    def add_tags_to_stream(self, stream_name: str, tags: Mapping[str, str]) -> None:
        """Add or overwrite tags (AddTagsToStream); at most 50 per stream.

        Raises:
            InvalidArgumentException: more than 50 tags would result.
        """
        found = self.stream(stream_name)
        merged = {**found.tags, **tags}
        if len(merged) > 50:
            raise InvalidArgumentException(
                f"Failed to add tags to stream {found.name} under account {found.account_id} "
                "because a given stream cannot have more than 50 tags.",
                param="Tags",
            )
        found.tags = merged

    @operation("RemoveTagsFromStream")
    def remove_tags_from_stream(self, stream_name: str, tag_keys: Sequence[str]) -> None:
        """Remove tags by key (RemoveTagsFromStream); missing keys are ignored."""
        found = self.stream(stream_name)
        for key in tag_keys:
            found.tags.pop(key, None)

    @operation("ListTagsForStream")
    def list_tags_for_stream(self, stream_name: str) -> dict[str, str]:
        """The stream's tags (ListTagsForStream)."""
        return dict(sorted(self.stream(stream_name).tags.items()))
