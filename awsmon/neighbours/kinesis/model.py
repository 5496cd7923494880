"""Kinesis Data Streams: values and pure pieces (hash keys, sequence numbers, iterators).

Main pieces:

- `StreamStatus`, `StreamMode`, `ShardIteratorType`: AWS enumerations;
- `hash_key_of` and `hash_key_ranges`: how a partition key picks a shard (the
  128-bit MD5 of the key, against ranges that split ``[0, 2**128)`` evenly);
- `SequenceNumber`: the 56-digit sequence numbers, encoding the shard, its
  creation second, a per-shard counter and the arrival second;
- `IteratorToken`: the opaque shard iterator, which carries everything a
  GetRecords call needs (stream, shard, position, when it was issued);
- `Record`, `PutResult`, `PutRecordsEntry`, `GetRecordsResult`: what the
  domain API returns.

Nothing here holds state or reads the clock.

>>> hash_key_ranges(3)[1]
(113427455640312821154458202477256070485, 226854911280625642308916404954512140969)
>>> hash_key_of("user-1")
285573413173782752570879317399258818820
>>> number = SequenceNumber(shard_created=1_700_000_000, shard_index=0, counter=7, at=1_700_000_005)
>>> len(str(number)), SequenceNumber.parse(str(number)) == number
(56, True)
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
from datetime import datetime

from attrs import frozen

__all__ = [
    "HASH_KEY_LIMIT",
    "GetRecordsResult",
    "IteratorToken",
    "PutRecordsEntry",
    "PutResult",
    "Record",
    "RecordInput",
    "SequenceNumber",
    "ShardIteratorType",
    "StreamMode",
    "StreamStatus",
    "hash_key_of",
    "hash_key_ranges",
    "shard_id_of",
]

HASH_KEY_LIMIT = 2**128
"""Hash keys are 128-bit: every key lies in ``[0, HASH_KEY_LIMIT)``."""


class StreamStatus(enum.Enum):
    """The life cycle of a stream."""

    CREATING = "CREATING"
    DELETING = "DELETING"
    ACTIVE = "ACTIVE"
    UPDATING = "UPDATING"


class StreamMode(enum.Enum):
    """The capacity mode of a stream."""

    PROVISIONED = "PROVISIONED"
    ON_DEMAND = "ON_DEMAND"


class ShardIteratorType(enum.Enum):
    """Where a shard iterator starts reading."""

    AT_SEQUENCE_NUMBER = "AT_SEQUENCE_NUMBER"
    AFTER_SEQUENCE_NUMBER = "AFTER_SEQUENCE_NUMBER"
    TRIM_HORIZON = "TRIM_HORIZON"
    LATEST = "LATEST"
    AT_TIMESTAMP = "AT_TIMESTAMP"


def hash_key_of(partition_key: str) -> int:
    """The 128-bit hash key of a partition key: its MD5 digest as an unsigned integer.

    This is how Kinesis maps a partition key to a shard (``PutRecord``
    documentation: "an MD5 hash function is used to map partition keys to
    128-bit integer values").
    """
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8")).digest(), "big")


def hash_key_ranges(count: int) -> list[tuple[int, int]]:
    """The hash key ranges of `count` new shards, as CreateStream splits them.

    Each shard gets ``2**128 // count`` keys, the last one taking the remainder,
    which gives the same boundaries AWS shows for a new stream.

    >>> [end for _, end in hash_key_ranges(2)]
    [170141183460469231731687303715884105727, 340282366920938463463374607431768211455]
    """
    step = HASH_KEY_LIMIT // count
    ranges = [(i * step, (i + 1) * step - 1) for i in range(count)]
    ranges[-1] = (ranges[-1][0], HASH_KEY_LIMIT - 1)
    return ranges


def shard_id_of(index: int) -> str:
    """The shard id of the shard at `index` (``shardId-000000000000``)."""
    return f"shardId-{index:012d}"


@frozen(order=True)
class SequenceNumber:
    """A Kinesis sequence number, as its parts.

    The text form is a 56-digit decimal number whose hexadecimal digits are
    ``2`` · shard creation second (9) · last digit of the shard index (1) ·
    per-shard counter (16) · ``00`` · arrival second (9) · shard index (8) ·
    ``2``, the layout of the version-2 numbers AWS hands out. The counter sits
    above the arrival time, so within one shard a later record always has a
    larger number.

    Attributes:
        shard_created: the shard's creation time, in epoch seconds.
        shard_index: the shard's position in the stream (0 for ``shardId-000000000000``).
        counter: the record's position in its shard (0 is the shard's start).
        at: the record's arrival time, in epoch seconds.
    """

    shard_created: int
    shard_index: int
    counter: int
    at: int

    def __str__(self) -> str:
        digits = (
            f"2{self.shard_created:09x}{self.shard_index % 16:x}{self.counter:016x}"
            f"00{self.at:09x}{self.shard_index:08x}2"
        )
        return str(int(digits, 16))

    @classmethod
    def parse(cls, text: str) -> SequenceNumber | None:
        """The parts of a sequence number made by awsmon, or None if `text` is not one."""
        if not text.isdecimal() or len(text) > 129:
            return None
        digits = f"{int(text):x}"
        if len(digits) != 47 or digits[0] != "2" or digits[-1] != "2" or digits[27:29] != "00":
            return None
        found = cls(
            shard_created=int(digits[1:10], 16),
            shard_index=int(digits[38:46], 16),
            counter=int(digits[11:27], 16),
            at=int(digits[29:38], 16),
        )
        if int(digits[10], 16) != found.shard_index % 16:
            return None
        return found


_ITERATOR_MAGIC = b"\x00\x00\x00\x00\x00\x00\x00\x01"


@frozen(kw_only=True)
class IteratorToken:
    """What a shard iterator stands for: a position in one shard, issued at one time.

    The text form is base64 (as AWS's iterators are), so it can travel
    through any client; it is not encrypted, only opaque by convention.

    Attributes:
        issued_ms: when the iterator was handed out (epoch milliseconds).
        account_id / region / stream_name: the stream.
        stream_created_ms: the stream's creation time, so an iterator of a
            deleted stream does not read a new stream of the same name.
        shard_index: the shard.
        position: the counter of the next record to read.
    """

    issued_ms: int
    account_id: str
    region: str
    stream_name: str
    stream_created_ms: int
    shard_index: int
    position: int

    def __str__(self) -> str:
        fields = (
            self.issued_ms,
            self.account_id,
            self.region,
            self.stream_name,
            self.stream_created_ms,
            self.shard_index,
            self.position,
        )
        text = "/".join(str(part) for part in fields)
        return base64.b64encode(_ITERATOR_MAGIC + text.encode()).decode()

    @classmethod
    def parse(cls, text: str) -> IteratorToken | None:
        """The token a shard iterator stands for, or None when `text` is not one."""
        try:
            raw = base64.b64decode(text.encode(), validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            return None
        if not raw.startswith(_ITERATOR_MAGIC):
            return None
        try:
            parts = raw[len(_ITERATOR_MAGIC) :].decode().split("/")
        except UnicodeDecodeError:
            return None
        if len(parts) != 7:
            return None
        issued, account, region, name, created, shard, position = parts
        numbers = (issued, created, shard, position)
        if not all(part.isdecimal() for part in numbers) or not name:
            return None
        return cls(
            issued_ms=int(issued),
            account_id=account,
            region=region,
            stream_name=name,
            stream_created_ms=int(created),
            shard_index=int(shard),
            position=int(position),
        )


@frozen(kw_only=True)
class RecordInput:
    """One record to put (an entry of PutRecords).

    Attributes:
        data: the payload.
        partition_key: picks the shard, through its MD5 hash key.
        explicit_hash_key: a hash key that overrides the partition key's.
    """

    data: bytes
    partition_key: str
    explicit_hash_key: int | None = None


@frozen(kw_only=True)
class Record:
    """A record stored in a shard.

    Attributes:
        sequence_number: its sequence number (text form).
        counter: its position in the shard (the sequence number's counter).
        shard_id: the shard it landed in.
        partition_key: the key it was put with.
        data: the payload.
        arrived_at: the approximate arrival time (the virtual instant of the put).
    """

    sequence_number: str
    counter: int
    shard_id: str
    partition_key: str
    data: bytes
    arrived_at: datetime

    @property
    def size(self) -> int:
        """The bytes the record counts against a shard's limits (data and key)."""
        return len(self.data) + len(self.partition_key.encode("utf-8"))


@frozen
class PutResult:
    """Where a put record landed: its shard and sequence number, and the stream's encryption."""

    shard_id: str
    sequence_number: str
    encryption_type: str = "NONE"


@frozen(kw_only=True)
class PutRecordsEntry:
    """The outcome of one PutRecords entry: a result, or an error code and message."""

    shard_id: str | None = None
    sequence_number: str | None = None
    error_code: str | None = None
    error_message: str | None = None

    @property
    def failed(self) -> bool:
        """True when this entry was not stored."""
        return self.error_code is not None


@frozen(kw_only=True)
class GetRecordsResult:
    """One GetRecords answer.

    Attributes:
        records: the records read, in sequence order.
        next_shard_iterator: where to read next (a fresh five-minute iterator);
            None once a closed shard (split or merged) has been read to its end.
        millis_behind_latest: how far the reader is behind the tip of the
            shard: 0 when nothing is left to read, else the age of the oldest
            record not yet read.
        child_shards: at the end of a closed shard, its children as
            (shard id, parent shard ids, starting hash key, ending hash key).
    """

    records: tuple[Record, ...]
    next_shard_iterator: str | None
    millis_behind_latest: int
    child_shards: tuple[tuple[str, tuple[str, ...], int, int], ...] = ()
