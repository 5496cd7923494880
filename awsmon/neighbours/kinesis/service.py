"""Amazon Kinesis Data Streams: streams, shards and records on the virtual clock.

Main pieces: `Kinesis` (the service of one account and region, the record
operations) on `Streams` (`awsmon.neighbours.kinesis.streams`: lookup and the
stream operations); `Stream` and `Shard` live in `.store`, the values and
codecs in `.model`, the errors in `.errors`, the wire translation in `.api`.

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

from collections.abc import Sequence
from datetime import datetime

from awsmon.clock import to_datetime
from awsmon.dispatch import operation
from awsmon.neighbours.kinesis.consumers import Consumers
from awsmon.neighbours.kinesis.errors import (
    ExpiredIteratorException,
    InvalidArgumentException,
    ProvisionedThroughputExceededException,
    ResourceNotFoundException,
)
from awsmon.neighbours.kinesis.metrics import count_get, count_put, count_put_records
from awsmon.neighbours.kinesis.model import (
    GetRecordsResult,
    IteratorToken,
    PutRecordsEntry,
    PutResult,
    RecordInput,
    SequenceNumber,
    ShardIteratorType,
    shard_id_of,
)
from awsmon.neighbours.kinesis.store import (
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

__all__ = ["Kinesis"]

_ITERATOR_LIFETIME_MS = 300_000


class Kinesis(Consumers):
    """Amazon Kinesis Data Streams in one account and region.

    Operations, by purpose:

    - streams: `create_stream`, `describe_stream`, `describe_stream_summary`,
      `list_streams`, `list_shards`, `delete_stream`,
      `increase_stream_retention_period`, `decrease_stream_retention_period`,
      `add_tags_to_stream`, `remove_tags_from_stream`, `list_tags_for_stream`
    - records: `put_record`, `put_records`, `get_shard_iterator`, `get_records`
    - resharding (`awsmon.neighbours.kinesis.reshard`): `split_shard`,
      `merge_shards`, `update_shard_count`
    - enhanced fan-out (`awsmon.neighbours.kinesis.consumers`):
      `register_stream_consumer`, `describe_stream_consumer`,
      `list_stream_consumers`, `deregister_stream_consumer`, `subscribe_to_shard`
    - options (`awsmon.neighbours.kinesis.options`): `enable_enhanced_monitoring`,
      `disable_enhanced_monitoring`, `start_stream_encryption`, `stop_stream_encryption`
    - metrics: AWS/Kinesis each minute (`awsmon.neighbours.kinesis.metrics`;
      ``vended.enabled = False`` turns them off)
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
    shards, as AWS starts one); an ON_DEMAND stream does not scale by itself.
    Shards close only by a reshard (`awsmon.neighbours.kinesis.reshard`).
    Writes are limited per shard to `shard_records_per_second` records and
    `shard_bytes_per_second` bytes in each virtual second (AWS's 1,000
    records and 1 MiB, with no burst allowance); reads are not throttled.
    Resource policies are not checked: any account may use a stream by its
    ARN. SubscribeToShard is a domain call; server-side encryption is a label
    (records are not encrypted).
    """

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
            count_put(stream, shard, size, admitted=False)
            raise ProvisionedThroughputExceededException(
                self._rate_exceeded(stream, shard), param="StreamName", value=stream.name
            )
        record = shard.append(data, partition_key, self.ctx.now())
        count_put(stream, shard, size, admitted=True)
        return PutResult(record.shard_id, record.sequence_number, stream.encryption_type)

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
        outcomes: list[tuple[Shard, int, bool]] = []
        for entry, key, size in zip(records, keys, sizes, strict=True):
            shard = stream.shard_for(key)
            admitted = self._admit(shard, size)
            outcomes.append((shard, size, admitted))
            if not admitted:
                message = self._rate_exceeded(stream, shard)
                code = "ProvisionedThroughputExceededException"
                results.append(PutRecordsEntry(error_code=code, error_message=message))
                continue
            stored = shard.append(entry.data, entry.partition_key, now)
            results.append(
                PutRecordsEntry(shard_id=stored.shard_id, sequence_number=stored.sequence_number)
            )
        count_put_records(stream, outcomes)
        return results

    def _shard(self, stream: Stream, shard_id: str) -> Shard:
        digits = shard_id.rsplit("-", 1)[-1]
        index = int(digits) if digits.isdecimal() else -1
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
        count_get(stream, shard, taken, epoch_ms(now))
        if not shard.is_open and position >= shard.next_counter:
            # a closed shard read to its end: no iterator, its children instead
            children = tuple(
                (c.shard_id, tuple(stream.shards[p].shard_id for p in c.parents),
                 c.starting_hash_key, c.ending_hash_key)
                for c in stream.children_of(shard)
            )  # fmt: skip
            return GetRecordsResult(
                records=tuple(taken),
                next_shard_iterator=None,
                millis_behind_latest=behind,
                child_shards=children,
            )
        return GetRecordsResult(
            records=tuple(taken),
            next_shard_iterator=str(self._token(stream, shard.index, position, now)),
            millis_behind_latest=behind,
        )
