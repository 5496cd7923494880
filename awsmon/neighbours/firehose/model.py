"""Firehose values: delivery streams, S3 destinations, delivery attempts.

Main pieces: `DeliveryStreamStatus`, `CompressionFormat`, `S3Destination`,
`DeliveryStream`, `Delivery` (one attempt to write an object), `BatchEntry`
(one PutRecordBatch result). The service is `awsmon.neighbours.firehose.Firehose`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from attrs import define, field, frozen

from awsmon.clock import Job

if TYPE_CHECKING:
    from awsmon.cloudwatch import VendedMetrics

__all__ = [
    "BatchEntry",
    "CompressionFormat",
    "Delivery",
    "DeliveryStream",
    "DeliveryStreamStatus",
    "PendingBatch",
    "S3Destination",
]


class DeliveryStreamStatus(enum.Enum):
    """The life cycle of a delivery stream."""

    CREATING = "CREATING"
    CREATING_FAILED = "CREATING_FAILED"
    DELETING = "DELETING"
    DELETING_FAILED = "DELETING_FAILED"
    ACTIVE = "ACTIVE"


class CompressionFormat(enum.Enum):
    """How delivered objects are compressed."""

    UNCOMPRESSED = "UNCOMPRESSED"
    GZIP = "GZIP"
    ZIP = "ZIP"
    SNAPPY = "Snappy"
    HADOOP_SNAPPY = "HADOOP_SNAPPY"


@frozen(kw_only=True)
class S3Destination:
    """Where and how a delivery stream writes: an S3 bucket, buffering and object names.

    Attributes:
        bucket_arn: ``arn:aws:s3:::<bucket>``.
        role_arn: the IAM role Firehose assumes to write (the S3 calls run as it).
        prefix: the object key prefix (expressions allowed); None for the
            default ``YYYY/MM/dd/HH/``.
        error_output_prefix: the prefix for failed records.
        size_in_mbs: the buffer size that triggers a delivery (MiB, 1-128, default 5).
        interval_in_seconds: the buffer age that triggers a delivery (0-900, default 300).
        compression_format: UNCOMPRESSED or GZIP.
        extended: True when configured as ExtendedS3DestinationConfiguration.
        file_extension: appended to object names (default ``.gz`` for GZIP).
        custom_time_zone: the time zone of prefix and name timestamps (default UTC).
        cloudwatch_logging: the CloudWatchLoggingOptions as given (stored, not used).
    """

    bucket_arn: str
    role_arn: str
    prefix: str | None = None
    error_output_prefix: str | None = None
    size_in_mbs: int = 5
    interval_in_seconds: int = 300
    compression_format: CompressionFormat = CompressionFormat.UNCOMPRESSED
    extended: bool = True
    file_extension: str | None = None
    custom_time_zone: str | None = None
    cloudwatch_logging: Mapping[str, Any] | None = None

    @property
    def bucket(self) -> str:
        """The bucket name."""
        return self.bucket_arn.rsplit(":", 1)[-1]

    @property
    def extension(self) -> str:
        """What object names end with."""
        if self.file_extension is not None:
            return self.file_extension
        return ".gz" if self.compression_format is CompressionFormat.GZIP else ""


@frozen(kw_only=True)
class Delivery:
    """One attempt to write a buffered batch to S3.

    Attributes:
        at: when the attempt ran.
        bucket / key: where the object went (or would have gone).
        record_count: the records in the object.
        size: the object's size in bytes (after compression).
        attempt: 1 for the first attempt, then 2, 3 ... for retries.
        error_code: the S3 error of a failed attempt (None when it succeeded).
        dropped: True when Firehose gave up on the batch after this attempt.
    """

    at: datetime
    bucket: str
    key: str
    record_count: int
    size: int
    attempt: int = 1
    error_code: str | None = None
    dropped: bool = False

    @property
    def succeeded(self) -> bool:
        """True when the object was written."""
        return self.error_code is None


@frozen(kw_only=True)
class BatchEntry:
    """The outcome of one PutRecordBatch record: a record id, or an error."""

    record_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None


@define(eq=False)
class PendingBatch:
    """Records taken from a buffer, on their way to one S3 object (retried until written)."""

    records: list[tuple[datetime, bytes]]
    key: str = ""
    attempt: int = 0


@define(eq=False)
class DeliveryStream:
    """A Direct PUT delivery stream to S3, with its buffer and delivery history.

    Attributes:
        name / arn / account_id / region: who and where it is.
        created_at / updated_at: when it was created and last changed.
        destination: the S3 destination.
        status: ACTIVE (after `Firehose.creation_delay`), or DELETING.
        version_id: the configuration version (1), part of object names.
        tags: the stream's tags.
        deliveries: every delivery attempt, oldest first.
        metrics: the owner's AWS/Firehose counters.
        failing: the oldest record's arrival of each batch awaiting a retry (by id).
    """

    name: str
    arn: str
    account_id: str
    region: str
    created_at: datetime
    destination: S3Destination
    status: DeliveryStreamStatus = DeliveryStreamStatus.CREATING
    version_id: int = 1
    tags: dict[str, str] = field(factory=dict)
    deliveries: list[Delivery] = field(factory=list, repr=False)
    buffer: list[tuple[datetime, bytes]] = field(factory=list, repr=False)
    buffered_bytes: int = field(default=0, repr=False)
    flush_job: Job | None = field(default=None, repr=False)
    retries: list[Job] = field(factory=list, repr=False)
    window: tuple[int, int, int] = field(default=(-1, 0, 0), repr=False)
    metrics: VendedMetrics | None = field(default=None, repr=False)
    failing: dict[int, datetime] = field(factory=dict, repr=False)

    @property
    def undelivered_since(self) -> datetime | None:
        """When the oldest record not yet delivered arrived (buffered or being retried)."""
        times = list(self.failing.values())
        if self.buffer:
            times.append(self.buffer[0][0])
        return min(times, default=None)

    @property
    def destination_id(self) -> str:
        """The id of the stream's one destination."""
        return "destinationId-000000000001"
