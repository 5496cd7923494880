"""Kinesis stream state: `Stream` and `Shard`, and the record-level rules they follow.

Main pieces:

- `Shard`: a hash key range and its records, oldest first, trimmed by retention;
- `Stream`: a stream's shards, status, mode, retention and tags;
- `hash_key_for`, `check_record_size`, `counter_of`, `read`: the checks and
  computations of PutRecord(s), GetShardIterator and GetRecords, with
  Kinesis's error messages.

The service (`awsmon.neighbours.kinesis.Kinesis`) owns the streams and the
clock; these functions take the instants they need as arguments.
"""

from __future__ import annotations

import bisect
from datetime import datetime, timedelta

from attrs import Factory, define, field

from awsmon.clock import Job
from awsmon.cloudwatch import VendedMetrics
from awsmon.neighbours.kinesis.errors import InvalidArgumentException, ValidationException
from awsmon.neighbours.kinesis.model import (
    HASH_KEY_LIMIT,
    Record,
    SequenceNumber,
    ShardIteratorType,
    StreamMode,
    StreamStatus,
    hash_key_of,
    shard_id_of,
)

__all__ = [
    "Shard",
    "Stream",
    "check_record_size",
    "counter_of",
    "epoch_ms",
    "hash_key_for",
    "java_date",
    "read",
    "type_mismatch",
]

GET_RECORDS_MAX_BYTES = 10 * 1024 * 1024


def epoch_ms(when: datetime) -> int:
    """`when` in epoch milliseconds."""
    return round(when.timestamp() * 1000)


def java_date(when: datetime) -> str:
    """A UTC instant as Java's ``Date.toString`` writes it, as Kinesis messages quote it.

    >>> from datetime import UTC
    >>> java_date(datetime(2015, 1, 22, 1, 22, 2, tzinfo=UTC))
    'Thu Jan 22 01:22:02 UTC 2015'
    """
    return when.strftime("%a %b %d %H:%M:%S UTC %Y")


@define(eq=False)
class Shard:
    """One shard: a hash key range and the records that landed in it, oldest first.

    Records carry consecutive counters (1, 2, 3 ... in put order); the ones
    past the retention period are trimmed from the front when the shard is
    next used.
    """

    index: int
    starting_hash_key: int
    ending_hash_key: int
    created: int
    records: list[Record] = field(factory=list, repr=False)
    next_counter: int = 1
    parents: tuple[int, ...] = ()
    closed_at: int | None = None
    _start: int = field(default=0, repr=False)
    _window: tuple[int, int, int] = field(default=(-1, 0, 0), repr=False)

    @property
    def shard_id(self) -> str:
        """The shard id (``shardId-000000000000``)."""
        return shard_id_of(self.index)

    @property
    def starting_sequence_number(self) -> str:
        """The lower bound of the shard's sequence numbers."""
        return str(SequenceNumber(self.created, self.index, 0, self.created))

    @property
    def ending_sequence_number(self) -> str | None:
        """The upper bound of a closed shard's sequence numbers (None while open)."""
        if self.closed_at is None:
            return None
        return str(SequenceNumber(self.created, self.index, self.next_counter, self.closed_at))

    @property
    def is_open(self) -> bool:
        """True until a split, merge or scaling closes the shard."""
        return self.closed_at is None

    def retained(self) -> list[Record]:
        """The records still within the retention period (as of the last trim)."""
        return self.records[self._start :]

    def trim(self, horizon: datetime) -> None:
        """Drop the records that arrived at or before `horizon`."""
        records = self.records
        while self._start < len(records) and records[self._start].arrived_at <= horizon:
            self._start += 1
        if self._start > 1024 and self._start * 2 > len(records):
            del records[: self._start]
            self._start = 0

    def index_of_counter(self, counter: int) -> int:
        """The list index of the first retained record whose counter is ≥ `counter`."""
        if not self.records:
            return 0
        return min(max(self._start, counter - self.records[0].counter), len(self.records))

    def counter_at(self, when: datetime) -> int:
        """The counter of the first retained record that arrived at or after `when`."""
        at = bisect.bisect_left(self.records, when, lo=self._start, key=lambda r: r.arrived_at)
        return self.records[at].counter if at < len(self.records) else self.next_counter

    def admit(self, size: int, second: int, max_records: int, max_bytes: int) -> bool:
        """Count a write of `size` bytes in epoch `second`; False when over the rate."""
        window, count, used = self._window
        if window != second:
            count, used = 0, 0
        if count + 1 > max_records or used + size > max_bytes:
            self._window = (second, count, used)
            return False
        self._window = (second, count + 1, used + size)
        return True

    def append(self, data: bytes, partition_key: str, now: datetime) -> Record:
        """Store a record at `now` with the shard's next counter; return it."""
        number = SequenceNumber(self.created, self.index, self.next_counter, int(now.timestamp()))
        record = Record(
            sequence_number=str(number),
            counter=self.next_counter,
            shard_id=self.shard_id,
            partition_key=partition_key,
            data=bytes(data),
            arrived_at=now,
        )
        self.records.append(record)
        self.next_counter += 1
        return record


@define(eq=False)
class Stream:
    """A data stream: its shards, status, mode and retention.

    Attributes:
        name / arn / account_id / region: who and where it is.
        created_at: when CreateStream ran.
        mode: PROVISIONED or ON_DEMAND.
        status: CREATING, then ACTIVE after `Kinesis.creation_delay`;
            DELETING for `Kinesis.deletion_delay` before it is gone.
        retention: how long records stay readable (24 hours by default).
        shards: the shards, by index (closed ones too, until the stream goes).
        tags: the stream's tags.
        shard_level_metrics: the enhanced (shard-level) metrics turned on.
        encryption_type / key_id: ``NONE``, or ``KMS`` with the key's id.
        metrics: the owner's AWS/Kinesis counters; `dims` their dimensions.
    """

    name: str
    arn: str
    account_id: str
    region: str
    created_at: datetime
    mode: StreamMode
    shards: list[Shard] = field(repr=False)
    status: StreamStatus = StreamStatus.CREATING
    retention: timedelta = timedelta(hours=24)
    tags: dict[str, str] = field(factory=dict)
    max_record_size_kib: int = 1024
    job: Job | None = field(default=None, repr=False)
    shard_level_metrics: set[str] = field(factory=set)
    encryption_type: str = "NONE"
    key_id: str | None = None
    metrics: VendedMetrics | None = field(default=None, repr=False)
    dims: tuple[tuple[str, str], ...] = field(
        init=False, repr=False, default=Factory(lambda self: (("StreamName", self.name),), True)
    )

    @property
    def created_ms(self) -> int:
        """The creation time in epoch milliseconds."""
        return epoch_ms(self.created_at)

    @property
    def retention_hours(self) -> int:
        """The retention period in whole hours."""
        return int(self.retention.total_seconds() // 3600)

    @property
    def usable(self) -> bool:
        """True when records can be put and read (ACTIVE or UPDATING)."""
        return self.status in (StreamStatus.ACTIVE, StreamStatus.UPDATING)

    def visible_shards(self) -> list[Shard]:
        """The shards DescribeStream and ListShards show (none while CREATING)."""
        return [] if self.status is StreamStatus.CREATING else list(self.shards)

    def open_shards(self) -> list[Shard]:
        """The shards records go to (not closed by a reshard)."""
        return [s for s in self.shards if s.closed_at is None]

    def children_of(self, shard: Shard) -> list[Shard]:
        """The shards a reshard made from `shard`."""
        return [s for s in self.shards if shard.index in s.parents]

    def shard_for(self, hash_key: int) -> Shard:
        """The open shard whose hash key range holds `hash_key`."""
        for shard in self.shards:
            if shard.closed_at is not None:
                continue
            if shard.starting_hash_key <= hash_key <= shard.ending_hash_key:
                return shard
        raise AssertionError(f"no shard covers hash key {hash_key}")  # ranges cover 0..2**128-1

    def trim(self, now: datetime) -> None:
        """Drop every record past the retention period at `now`."""
        horizon = now - self.retention
        for shard in self.shards:
            shard.trim(horizon)


def hash_key_for(partition_key: str, explicit: int | str | None) -> int:
    """The hash key a record goes by: `explicit` (decimal) when given, else the key's MD5.

    Raises:
        InvalidArgumentException: `explicit` is not an integer in [0, 2**128).
    """
    if explicit is None:
        return hash_key_of(partition_key)
    text = str(explicit)
    value = int(text) if text.isdecimal() else -1
    if not 0 <= value < HASH_KEY_LIMIT:
        raise InvalidArgumentException(
            "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
            f"Specified value was {text}",
            param="ExplicitHashKey",
            value=explicit,
        )
    return value


def check_record_size(stream: Stream, data: bytes, partition_key: str) -> int:
    """The record's size (data and partition key), within the stream's maximum.

    Raises:
        ValidationException: the record is larger than the stream allows.
    """
    size = len(data) + len(partition_key.encode("utf-8"))
    limit = stream.max_record_size_kib * 1024
    if size > limit:
        raise ValidationException(
            "1 validation error detected: Value at 'data' failed to satisfy constraint: "
            f"Member must have length less than or equal to {limit}",
            param="Data",
            value=len(data),
        )
    return size


def type_mismatch(kind: ShardIteratorType, given: str) -> InvalidArgumentException:
    """The error for an iterator type given with (``"also a"``) or without (``"no"``) a number."""
    return InvalidArgumentException(
        "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
        "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. "
        f"Request specified {kind.value} and {given} StartingSequenceNumber.",
        param="ShardIteratorType",
        value=kind.value,
    )


def counter_of(stream: Stream, shard: Shard, text: str) -> int:
    """The shard counter a StartingSequenceNumber stands for.

    Raises:
        InvalidArgumentException: not a sequence number, one of another shard,
            or one this shard never handed out.
    """
    parsed = SequenceNumber.parse(text)
    where = (
        f"used in GetShardIterator on shard {shard.shard_id} in stream {stream.name} under "
        f"account {stream.account_id} is invalid"
    )
    if parsed is None:
        raise InvalidArgumentException(
            f"StartingSequenceNumber {text} {where}.", param="StartingSequenceNumber", value=text
        )
    if parsed.shard_index != shard.index:
        raise InvalidArgumentException(
            f"Invalid StartingSequenceNumber. It encodes {shard_id_of(parsed.shard_index)}, "
            f"while it was used in a call to a shard with {shard.shard_id}",
            param="StartingSequenceNumber",
            value=text,
        )
    if parsed.shard_created != shard.created or parsed.counter >= shard.next_counter:
        raise InvalidArgumentException(
            f"StartingSequenceNumber {text} {where} because it did not come from this stream.",
            param="StartingSequenceNumber",
            value=text,
        )
    return parsed.counter


def read(shard: Shard, position: int, limit: int, now: datetime) -> tuple[list[Record], int, int]:
    """Read a shard from `position`: (records, next position, milliseconds behind the tip).

    At most `limit` records and 10 MiB of data (always at least one record
    when any is left). "Behind" is 0 when nothing is left to read, else the
    age at `now` of the oldest record not returned.
    """
    begin = shard.index_of_counter(position)
    taken: list[Record] = []
    size = 0
    for record in shard.records[begin:]:
        if len(taken) >= limit or (taken and size + len(record.data) > GET_RECORDS_MAX_BYTES):
            break
        taken.append(record)
        size += len(record.data)
    following = begin + len(taken)
    after = taken[-1].counter + 1 if taken else max(position, 0)
    behind = 0
    if following < len(shard.records):
        behind = max(0, epoch_ms(now) - epoch_ms(shard.records[following].arrived_at))
    return taken, after, behind
