"""Amazon Kinesis Data Streams: streams, shards and records on the virtual clock.

Main pieces: `Kinesis` (the service of one account and region), `Stream` and
`Shard`; the values, errors and codecs live in
`awsmon.neighbours.kinesis_model`, the wire translation in
`awsmon.neighbours.kinesis_api`.

>>> from awsmon import Cloud
>>> cloud = Cloud()
>>> cloud.kinesis.create_stream("clicks", 2).status
<StreamStatus.CREATING: 'CREATING'>
>>> cloud.clock.advance(1)
>>> cloud.kinesis.put_record("clicks", b"hello", "user-1").shard_id
'shardId-000000000001'
>>> it = cloud.kinesis.get_shard_iterator("clicks", "shardId-000000000001", "TRIM_HORIZON")
>>> [r.data for r in cloud.kinesis.get_records(it).records]
[b'hello']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar

from awsmon.arn import Arn, InvalidArn
from awsmon.clock import to_datetime
from awsmon.dispatch import Service, operation
from awsmon.neighbours.kinesis_model import (
    ExpiredIteratorException,
    GetRecordsResult,
    InvalidArgumentException,
    IteratorToken,
    LimitExceededException,
    ProvisionedThroughputExceededException,
    PutRecordsEntry,
    PutResult,
    Record,
    RecordInput,
    ResourceInUseException,
    ResourceNotFoundException,
    SequenceNumber,
    ShardIteratorType,
    StreamMode,
    StreamStatus,
    ValidationException,
    hash_key_ranges,
    shard_id_of,
)
from awsmon.neighbours.kinesis_store import (
    Shard,
    Stream,
    check_record_size,
    counter_of,
    epoch_ms,
    hash_key_for,
    java_date,
    read,
    type_mismatch,
)

__all__ = ["Kinesis", "Shard", "Stream"]

_MIB = 1024 * 1024
_ITERATOR_LIFETIME_MS = 300_000
_BIG_SHARD_QUOTA_REGIONS = ("us-east-1", "us-west-2", "eu-west-1")


class Kinesis(Service):
    """Amazon Kinesis Data Streams in one account and region.

    Operations, by purpose:

    - streams: `create_stream`, `describe_stream`, `describe_stream_summary`,
      `list_streams`, `list_shards`, `delete_stream`,
      `increase_stream_retention_period`, `decrease_stream_retention_period`,
      `add_tags_to_stream`, `remove_tags_from_stream`, `list_tags_for_stream`
    - records: `put_record`, `put_records`, `get_shard_iterator`, `get_records`
    - for tests and other services: `stream` (look up by name or ARN, in any
      account or region), `records` (every retained record of a stream)

    Other services deliver with the domain call ``cloud.kinesis.put_record(
    stream_name_or_arn, data, partition_key)`` (CloudWatch Logs subscription
    filters, EventBridge targets): an ARN reaches the stream in its own
    account and region, and the call raises `ResourceNotFoundException` when
    the stream is missing or not ACTIVE, and
    `ProvisionedThroughputExceededException` when the shard is over its rate.

    Time: a new stream is CREATING for `creation_delay` (1 second), then
    ACTIVE; a deleted one is DELETING for `deletion_delay` (1 second), then
    gone. Shard iterators expire 5 minutes after they were handed out.
    Records older than the retention period (24 hours unless changed) are
    no longer returned. ApproximateArrivalTimestamp is the virtual instant of
    the put.

    Simulation notes: AWS takes a few seconds to create or delete a stream and
    does not document how long; awsmon takes `creation_delay` and
    `deletion_delay`, class attributes a test may change. A CreateStream
    without ShardCount or StreamModeDetails makes an ON_DEMAND stream (4
    shards, as AWS starts one). Shards never split, merge or scale, so every
    shard stays open and reads never end. Writes are limited per shard to
    `shard_records_per_second` records and `shard_bytes_per_second` bytes in
    each virtual second (AWS's 1,000 records and 1 MiB, with no burst
    allowance); reads are not throttled. Resource policies are not checked:
    any account may use a stream by its ARN. No enhanced fan-out consumers,
    no server-side encryption.
    """

    creation_delay: ClassVar[timedelta] = timedelta(seconds=1)
    deletion_delay: ClassVar[timedelta] = timedelta(seconds=1)
    shard_records_per_second: ClassVar[int] = 1000
    shard_bytes_per_second: ClassVar[int] = _MIB
    on_demand_shards: ClassVar[int] = 4

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.streams: dict[str, Stream] = {}

    # -- lookup -------------------------------------------------------------------

    def _place(self, region: str, account: str) -> Kinesis:
        found: Kinesis = self.ctx.cloud.account(account).region(region).service(self.ctx.spec.name)
        return found

    def _owner_and_name(self, stream_name: str) -> tuple[Kinesis, str]:
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
        return self._place(arn.region, arn.account_id), arn.resource_id

    def stream(self, stream_name: str) -> Stream:
        """The stream named by its name or ARN (in any account or region), in any status.

        Raises:
            ResourceNotFoundException: no such stream.
        """
        owner, name = self._owner_and_name(stream_name)
        found = owner.streams.get(name)
        if found is None:
            raise owner._not_found(name)
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

    # -- records --------------------------------------------------------------------

    def _rate_exceeded(self, stream: Stream, shard: Shard) -> str:
        return (
            f"Rate exceeded for shard {shard.shard_id} in stream {stream.name} under account "
            f"{stream.account_id}."
        )

    def _admit(self, shard: Shard, size: int) -> bool:
        second = int(self.ctx.clock.time())
        return shard.admit(size, second, self.shard_records_per_second, self.shard_bytes_per_second)

    @operation("PutRecord")
    def put_record(
        self,
        stream_name: str,
        data: bytes,
        partition_key: str,
        *,
        explicit_hash_key: int | str | None = None,
        sequence_number_for_ordering: str | None = None,
    ) -> PutResult:
        """Write one record (PutRecord) to the shard its hash key falls in.

        Args:
            stream_name: the stream's name or ARN (another account or region too).
            data: the payload (up to 1 MiB with the partition key).
            partition_key: its MD5 picks the shard.
            explicit_hash_key: a decimal hash key that overrides the partition key's.
            sequence_number_for_ordering: a sequence number this record must
                follow; every record of a shard follows the ones before it anyway.

        Returns:
            The shard and the record's sequence number.

        Raises:
            ResourceNotFoundException: no such stream, or it is not ACTIVE.
            InvalidArgumentException: a bad hash key or ordering number.
            ProvisionedThroughputExceededException: the shard's write rate is exceeded.
        """
        stream = self._usable(stream_name)
        key = hash_key_for(partition_key, explicit_hash_key)
        if sequence_number_for_ordering is not None:
            parsed = SequenceNumber.parse(sequence_number_for_ordering)
            if parsed is None or parsed.at > self.ctx.clock.time():
                raise InvalidArgumentException(
                    f"ExclusiveMinimumSequenceNumber {sequence_number_for_ordering} used in "
                    f"PutRecord on stream {stream.name} under account {stream.account_id} is "
                    "invalid.",
                    param="SequenceNumberForOrdering",
                    value=sequence_number_for_ordering,
                )
        size = check_record_size(stream, data, partition_key)
        shard = stream.shard_for(key)
        if not self._admit(shard, size):
            raise ProvisionedThroughputExceededException(
                self._rate_exceeded(stream, shard), param="StreamName", value=stream.name
            )
        record = shard.append(data, partition_key, self.ctx.now())
        return PutResult(record.shard_id, record.sequence_number)

    @operation("PutRecords")
    def put_records(
        self, stream_name: str, records: Sequence[RecordInput]
    ) -> list[PutRecordsEntry]:
        """Write up to 500 records in one call (PutRecords), each to its own shard.

        Entries fail one by one (the others are stored): a shard over its
        write rate gives that entry ``ProvisionedThroughputExceededException``.
        Results come back in the order of `records`.

        Raises:
            ResourceNotFoundException: no such stream, or it is not ACTIVE.
            InvalidArgumentException: a bad explicit hash key (nothing is stored).
        """
        stream = self._usable(stream_name)
        keys = [hash_key_for(r.partition_key, r.explicit_hash_key) for r in records]
        sizes = [check_record_size(stream, r.data, r.partition_key) for r in records]
        now = self.ctx.now()
        results: list[PutRecordsEntry] = []
        for entry, key, size in zip(records, keys, sizes, strict=True):
            shard = stream.shard_for(key)
            if not self._admit(shard, size):
                message = self._rate_exceeded(stream, shard)
                code = "ProvisionedThroughputExceededException"
                results.append(PutRecordsEntry(error_code=code, error_message=message))
                continue
            stored = shard.append(entry.data, entry.partition_key, now)
            results.append(
                PutRecordsEntry(shard_id=stored.shard_id, sequence_number=stored.sequence_number)
            )
        return results

    def _shard(self, stream: Stream, shard_id: str) -> Shard:
        digits = shard_id.rsplit("-", 1)[-1]
        index = int(digits) if digits.isdigit() else -1
        if not 0 <= index < len(stream.shards) or shard_id not in (digits, shard_id_of(index)):
            raise ResourceNotFoundException(
                f"Shard {shard_id} in stream {stream.name} under account {stream.account_id} "
                "does not exist",
                param="ShardId",
                value=shard_id,
            )
        return stream.shards[index]

    @operation("GetShardIterator")
    def get_shard_iterator(
        self,
        stream_name: str,
        shard_id: str,
        shard_iterator_type: ShardIteratorType | str,
        *,
        starting_sequence_number: str | None = None,
        timestamp: datetime | float | None = None,
    ) -> str:
        """A shard iterator (GetShardIterator), valid for 5 minutes on the clock.

        Args:
            stream_name: the stream's name or ARN.
            shard_id: the shard (``shardId-000000000000``).
            shard_iterator_type: TRIM_HORIZON (the oldest retained record),
                LATEST (records put from now on), AT_SEQUENCE_NUMBER /
                AFTER_SEQUENCE_NUMBER (with `starting_sequence_number`),
                AT_TIMESTAMP (the first record that arrived at or after
                `timestamp`; naive datetimes are UTC, numbers epoch seconds).

        Raises:
            ResourceNotFoundException: no such stream or shard.
            InvalidArgumentException: the type and its arguments do not fit,
                or the sequence number is not one of this shard.
        """
        kind = ShardIteratorType(shard_iterator_type)
        stream = self._usable(stream_name)
        shard = self._shard(stream, shard_id)
        now = self.ctx.now()
        by_number = (ShardIteratorType.AT_SEQUENCE_NUMBER, ShardIteratorType.AFTER_SEQUENCE_NUMBER)
        if kind in by_number and starting_sequence_number is None:
            raise type_mismatch(kind, "no")
        if kind in (ShardIteratorType.TRIM_HORIZON, ShardIteratorType.LATEST) and (
            starting_sequence_number is not None
        ):
            raise type_mismatch(kind, "also a")
        if kind is ShardIteratorType.TRIM_HORIZON:
            position = 0
        elif kind is ShardIteratorType.LATEST:
            position = shard.next_counter
        elif kind is ShardIteratorType.AT_TIMESTAMP:
            if timestamp is None:
                raise InvalidArgumentException(
                    "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "
                    "Current request has no timestamp parameter.",
                    param="Timestamp",
                )
            when = to_datetime(timestamp)
            if when > now:
                raise InvalidArgumentException(
                    "The timestampInMillis parameter cannot be greater than the "
                    f"currentTimestampInMillis. timestampInMillis: {epoch_ms(when)}, "
                    f"currentTimestampInMillis: {epoch_ms(now)}",
                    param="Timestamp",
                    value=timestamp,
                )
            position = shard.counter_at(when)
        else:
            assert starting_sequence_number is not None
            counter = counter_of(stream, shard, starting_sequence_number)
            position = counter if kind is ShardIteratorType.AT_SEQUENCE_NUMBER else counter + 1
        return str(self._token(stream, shard.index, position, now))

    def _token(
        self, stream: Stream, shard_index: int, position: int, now: datetime
    ) -> IteratorToken:
        return IteratorToken(
            issued_ms=epoch_ms(now),
            account_id=stream.account_id,
            region=stream.region,
            stream_name=stream.name,
            stream_created_ms=stream.created_ms,
            shard_index=shard_index,
            position=position,
        )

    @operation("GetRecords")
    def get_records(self, shard_iterator: str, *, limit: int | None = None) -> GetRecordsResult:
        """Read records from a shard iterator's position (GetRecords).

        Returns up to `limit` records (10,000 by default) and at most 10 MiB
        of data, a fresh iterator for the next call and how far behind the
        tip the reader is.

        Raises:
            InvalidArgumentException: not a shard iterator.
            ExpiredIteratorException: the iterator was handed out 5 minutes ago or more.
            ResourceNotFoundException: its stream or shard is gone.
        """
        token = IteratorToken.parse(shard_iterator)
        if token is None:
            raise InvalidArgumentException(
                "Invalid ShardIterator.", param="ShardIterator", value=shard_iterator
            )
        now = self.ctx.now()
        if epoch_ms(now) - token.issued_ms >= _ITERATOR_LIFETIME_MS:
            issued = to_datetime(token.issued_ms / 1000)
            raise ExpiredIteratorException(
                f"Iterator expired. The iterator was created at time {java_date(issued)} while "
                f"right now it is {java_date(now)} which is further in the future than the "
                f"tolerated delay of {_ITERATOR_LIFETIME_MS} milliseconds.",
                param="ShardIterator",
                value=shard_iterator,
            )
        stream = self._place(token.region, token.account_id).streams.get(token.stream_name)
        if (
            stream is None
            or stream.created_ms != token.stream_created_ms
            or not stream.usable
            or token.shard_index >= len(stream.shards)
        ):
            raise ResourceNotFoundException(
                f"Shard {shard_id_of(token.shard_index)} in stream {token.stream_name} under "
                f"account {token.account_id} does not exist",
                param="ShardIterator",
                value=shard_iterator,
            )
        stream.trim(now)
        shard = stream.shards[token.shard_index]
        count = limit if limit is not None else 10_000
        taken, position, behind = read(shard, token.position, count, now)
        return GetRecordsResult(
            records=tuple(taken),
            next_shard_iterator=str(self._token(stream, shard.index, position, now)),
            millis_behind_latest=behind,
        )
