"""Amazon Kinesis Data Streams: streams, shards and records on the virtual clock.

`Kinesis` (service.py: the record operations) on `Streams` (streams.py: lookup
and the stream operations) is the service of one account and region;
`store.py` holds `Stream` and `Shard` and the record store, `model.py` the values
and codecs (pure), `errors.py` the error classes, `api.py` the wire translation.
"""

from __future__ import annotations

from awsmon.neighbours.kinesis.api import KinesisApi
from awsmon.neighbours.kinesis.errors import (
    ExpiredIteratorException,
    ExpiredNextTokenException,
    InvalidArgumentException,
    KinesisAccessDeniedException,
    LimitExceededException,
    ProvisionedThroughputExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
    ValidationException,
)
from awsmon.neighbours.kinesis.model import (
    HASH_KEY_LIMIT,
    GetRecordsResult,
    IteratorToken,
    PutRecordsEntry,
    PutResult,
    Record,
    RecordInput,
    SequenceNumber,
    ShardIteratorType,
    StreamMode,
    StreamStatus,
    hash_key_of,
    hash_key_ranges,
    shard_id_of,
)
from awsmon.neighbours.kinesis.service import Kinesis
from awsmon.neighbours.kinesis.store import Shard, Stream
from awsmon.neighbours.kinesis.streams import Streams

__all__ = [
    "HASH_KEY_LIMIT",
    "ExpiredIteratorException",
    "ExpiredNextTokenException",
    "GetRecordsResult",
    "InvalidArgumentException",
    "IteratorToken",
    "Kinesis",
    "KinesisAccessDeniedException",
    "KinesisApi",
    "LimitExceededException",
    "ProvisionedThroughputExceededException",
    "PutRecordsEntry",
    "PutResult",
    "Record",
    "RecordInput",
    "ResourceInUseException",
    "ResourceNotFoundException",
    "SequenceNumber",
    "Shard",
    "ShardIteratorType",
    "Stream",
    "StreamMode",
    "StreamStatus",
    "Streams",
    "ValidationException",
    "hash_key_of",
    "hash_key_ranges",
    "shard_id_of",
]
