"""Amazon Data Firehose: Direct PUT delivery streams buffering into S3 on the virtual clock.

Main pieces: `Firehose` (the service of one account and region),
`DeliveryStream`, `S3Destination`, `Delivery` (one delivery attempt, kept
for tests), `BatchEntry` (in `.model`), the error classes (in `.errors`);
prefixes are compiled by `awsmon.neighbours.firehose.prefix`, the wire
translation lives in `awsmon.neighbours.firehose.api`.

>>> from awsmon import Cloud
>>> cloud = Cloud()
>>> _ = cloud.s3.create_bucket("archive")
>>> _ = cloud.firehose.create_delivery_stream(
...     "events", S3Destination(bucket_arn="arn:aws:s3:::archive",
...                             role_arn="arn:aws:iam::123456789012:role/firehose"))
>>> _ = cloud.firehose.put_record("events", b'{"n": 1}\\n')
>>> cloud.clock.advance(300)            # the default 300 s buffer interval
>>> [o.key for o in cloud.s3.list_objects_v2("archive").contents]
['2025/03/14/15/events-1-2025-03-14-15-09-26-...']
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar

from dateutil import tz

import awsmon.neighbours.firehose.metrics as metrics
from awsmon.arn import Arn, InvalidArn
from awsmon.cloudwatch import VendedMetrics
from awsmon.dispatch import Service, operation
from awsmon.errors import ServiceError, Unsupported
from awsmon.neighbours.firehose.errors import (
    InvalidArgumentException,
    LimitExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
    ServiceUnavailableException,
    ValidationException,
)
from awsmon.neighbours.firehose.model import (
    BatchEntry,
    CompressionFormat,
    Delivery,
    DeliveryStream,
    DeliveryStreamStatus,
    PendingBatch,
    S3Destination,
)
from awsmon.neighbours.firehose.prefix import PrefixError, check_prefixes, compile_prefix

__all__ = ["Firehose"]

_MIB = 1024 * 1024
_MAX_RECORD = 1_024_000
_MAX_BATCH_BYTES = 4 * _MIB
_BIG_QUOTA_REGIONS = ("us-east-1", "us-west-2", "eu-west-1")


class Firehose(Service):
    """Amazon Data Firehose in one account and region (Direct PUT to S3).

    Operations, by purpose:

    - delivery streams: `create_delivery_stream`, `describe_delivery_stream`,
      `list_delivery_streams`, `delete_delivery_stream`,
      `tag_delivery_stream`, `untag_delivery_stream`, `list_tags_for_delivery_stream`
    - records: `put_record`, `put_record_batch`
    - for tests and other services: `delivery_stream` (by name or ARN, in
      any account or region), each stream's ``deliveries``

    Other services deliver with the domain call ``cloud.firehose.put_record(
    name_or_arn, data)`` (SNS firehose subscriptions, CloudWatch Logs
    subscription filters): it raises `ResourceNotFoundException` when the
    stream is missing or not ACTIVE.

    Buffering: records gather in the stream's buffer; the buffer is written
    to S3 as one object when it holds ``SizeInMBs`` MiB (at once, during the
    put) or when its oldest record is ``IntervalInSeconds`` old (a clock job),
    whichever comes first; an interval of 0 writes at the end of each put
    call. The object is the records' bytes concatenated (no delimiter, as
    Firehose writes them), gzip-compressed for GZIP, under the key
    ``<evaluated prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>``,
    the times being the arrival of the oldest record in the object (UTC
    unless CustomTimeZone). The S3 call runs as the destination's role
    (``assumed-role/<role>/AWSFirehoseToS3``). A failed write (missing
    bucket, access denied) is retried every `retry_interval` (5 s), as AWS
    documents, until the oldest record is `retention` (24 h) old; then the
    batch is dropped. Every attempt is recorded in ``deliveries``.

    Simulation notes: AWS takes some seconds to create a delivery stream;
    awsmon makes it ACTIVE after `creation_delay`, 0 by default (set it to
    simulate the CREATING state). Only Direct PUT to S3 is simulated (no
    Kinesis or MSK sources, no other destinations, no Lambda processing,
    dynamic partitioning, format conversion or record delimiters),
    compression is UNCOMPRESSED or GZIP, and the CloudWatch error logs of a
    delivery stream are not produced (its AWS/Firehose metrics are:
    `awsmon.neighbours.firehose.metrics`). Throughput is limited per
    virtual second (`bytes_per_second`, `records_per_second`: AWS's default
    quotas) and a record over it fails with ServiceUnavailableException.
    """

    creation_delay: ClassVar[timedelta] = timedelta(0)
    deletion_delay: ClassVar[timedelta] = timedelta(seconds=1)
    retry_interval: ClassVar[timedelta] = timedelta(seconds=5)
    retention: ClassVar[timedelta] = timedelta(hours=24)
    session_name: ClassVar[str] = "AWSFirehoseToS3"

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.delivery_streams: dict[str, DeliveryStream] = {}
        #: The AWS/Firehose metrics of this account's streams (see `metrics`).
        self.vended = VendedMetrics(
            ctx,
            metrics.NAMESPACE,
            sampler=lambda now: metrics.sample(self.delivery_streams.values(), now),
        )

    @property
    def bytes_per_second(self) -> int:
        """The per-stream throughput quota: 5 MiB/s in the big regions, else 1 MiB/s."""
        return 5 * _MIB if self.region in _BIG_QUOTA_REGIONS else _MIB

    @property
    def records_per_second(self) -> int:
        """The per-stream records quota: 500,000/s in the big regions, else 100,000/s."""
        return 500_000 if self.region in _BIG_QUOTA_REGIONS else 100_000

    # -- lookup -------------------------------------------------------------------

    def delivery_stream(self, name: str) -> DeliveryStream:
        """The delivery stream named by its name or ARN (any account or region), in any status.

        Raises:
            ResourceNotFoundException: no such delivery stream.
        """
        owner: Firehose = self
        if name.startswith("arn:"):
            try:
                arn = Arn.parse(name)
            except InvalidArn:
                arn = Arn("aws", "", "", "", "")
            if arn.service != "firehose" or arn.resource_type != "deliverystream":
                raise InvalidArgumentException(
                    f"Invalid delivery stream ARN {name}.", param="DeliveryStreamARN", value=name
                )
            owner = self.ctx.service_at(arn, self.ctx.spec.name)
            name = arn.resource_id
        found = owner.delivery_streams.get(name)
        if found is None:
            raise ResourceNotFoundException(
                f"Firehose {name} under account {owner.account_id} not found.",
                param="DeliveryStreamName",
                value=name,
            )
        return found

    def _active(self, name: str) -> DeliveryStream:
        found = self.delivery_stream(name)
        if found.status is not DeliveryStreamStatus.ACTIVE:
            raise ResourceNotFoundException(
                f"Firehose {found.name} under account {found.account_id} not found.",
                param="DeliveryStreamName",
                value=name,
            )
        return found

    # -- delivery streams -------------------------------------------------------------

    @operation("CreateDeliveryStream")
    def create_delivery_stream(
        self,
        delivery_stream_name: str,
        s3_destination: S3Destination,
        *,
        tags: Mapping[str, str] | None = None,
    ) -> DeliveryStream:
        """Create a Direct PUT delivery stream to S3 (CreateDeliveryStream).

        Raises:
            ResourceInUseException: a delivery stream of that name exists.
            InvalidArgumentException: bad prefixes, time zone or bucket ARN.
            LimitExceededException: the account has 5,000 delivery streams here.
            Unsupported: a compression format awsmon does not simulate.
        """
        destination = s3_destination
        if destination.compression_format not in (
            CompressionFormat.UNCOMPRESSED,
            CompressionFormat.GZIP,
        ):
            raise Unsupported(
                f"awsmon does not simulate CompressionFormat "
                f"{destination.compression_format.value}",
                param="CompressionFormat",
                value=destination.compression_format.value,
            )
        try:
            check_prefixes(destination.prefix, destination.error_output_prefix)
        except PrefixError as exc:
            raise InvalidArgumentException(
                str(exc), param="Prefix", value=destination.prefix
            ) from None
        zone = destination.custom_time_zone
        if zone and tz.gettz(zone) is None:
            raise InvalidArgumentException(
                f"CustomTimeZone {zone} is not a supported time zone.",
                param="CustomTimeZone",
                value=zone,
            )
        if delivery_stream_name in self.delivery_streams:
            raise ResourceInUseException(
                f"Firehose {delivery_stream_name} under accountId {self.account_id} already exists",
                param="DeliveryStreamName",
                value=delivery_stream_name,
            )
        if len(self.delivery_streams) >= 5000:
            raise LimitExceededException(
                "You have already consumed your firehose quota of 5000 hoses.",
                param="DeliveryStreamName",
            )
        now = self.ctx.now()
        stream = DeliveryStream(
            name=delivery_stream_name,
            arn=self.ctx.arn(f"deliverystream/{delivery_stream_name}"),
            account_id=self.account_id,
            region=self.region,
            created_at=now,
            destination=destination,
            tags=dict(tags or {}),
            metrics=self.vended,
        )
        self.delivery_streams[delivery_stream_name] = stream
        if self.creation_delay <= timedelta(0):
            stream.status = DeliveryStreamStatus.ACTIVE
        else:
            self.ctx.clock.call_later(self.creation_delay, self._activate, stream)
        return stream

    def _activate(self, stream: DeliveryStream) -> None:
        if stream.status is DeliveryStreamStatus.CREATING:
            stream.status = DeliveryStreamStatus.ACTIVE

    @operation("DescribeDeliveryStream")
    def describe_delivery_stream(self, delivery_stream_name: str) -> DeliveryStream:
        """The delivery stream (DescribeDeliveryStream).

        Raises:
            ResourceNotFoundException: no such delivery stream.
        """
        return self.delivery_stream(delivery_stream_name)

    @operation("ListDeliveryStreams")
    def list_delivery_streams(self) -> list[DeliveryStream]:
        """The account's delivery streams in this region, by name (ListDeliveryStreams)."""
        return [s for _, s in sorted(self.delivery_streams.items())]

    @operation("DeleteDeliveryStream")
    def delete_delivery_stream(
        self, delivery_stream_name: str, *, allow_force_delete: bool = False
    ) -> None:
        """Delete a delivery stream (DeleteDeliveryStream); buffered records are dropped.

        The stream is DELETING for `deletion_delay`, then gone.

        Raises:
            ResourceNotFoundException: no such delivery stream.
            ResourceInUseException: it is being deleted already.
        """
        found = self.delivery_stream(delivery_stream_name)
        if found.status is DeliveryStreamStatus.DELETING:
            raise ResourceInUseException(
                f"Firehose {found.name} under account {found.account_id} is being deleted.",
                param="DeliveryStreamName",
                value=delivery_stream_name,
            )
        found.status = DeliveryStreamStatus.DELETING
        for job in [found.flush_job, *found.retries]:
            if job is not None:
                job.cancel()
        found.buffer.clear()
        found.buffered_bytes = 0

        def forget() -> None:
            if self.delivery_streams.get(found.name) is found:
                del self.delivery_streams[found.name]

        self.ctx.clock.call_later(self.deletion_delay, forget, name=f"firehose:{found.name}")

    @operation("TagDeliveryStream")
    def tag_delivery_stream(self, delivery_stream_name: str, tags: Mapping[str, str]) -> None:
        """Add or overwrite tags (TagDeliveryStream); at most 50 per stream.

        Raises:
            LimitExceededException: more than 50 tags would result.
        """
        found = self.delivery_stream(delivery_stream_name)
        merged = {**found.tags, **tags}
        if len(merged) > 50:
            raise LimitExceededException(
                "A delivery stream cannot have more than 50 tags.", param="Tags"
            )
        found.tags = merged

    @operation("UntagDeliveryStream")
    def untag_delivery_stream(self, delivery_stream_name: str, tag_keys: Sequence[str]) -> None:
        """Remove tags by key (UntagDeliveryStream)."""
        found = self.delivery_stream(delivery_stream_name)
        for key in tag_keys:
            found.tags.pop(key, None)

    @operation("ListTagsForDeliveryStream")
    def list_tags_for_delivery_stream(self, delivery_stream_name: str) -> dict[str, str]:
        """The stream's tags, by key (ListTagsForDeliveryStream)."""
        return dict(sorted(self.delivery_stream(delivery_stream_name).tags.items()))

    # -- records ------------------------------------------------------------------------

    def _admit(self, stream: DeliveryStream, size: int) -> bool:
        second = int(self.ctx.clock.time())
        window, count, used = stream.window
        if window != second:
            count, used = 0, 0
        if count + 1 > self.records_per_second or used + size > self.bytes_per_second:
            stream.window = (second, count, used)
            return False
        stream.window = (second, count + 1, used + size)
        return True

    def _check_size(self, data: bytes) -> None:
        if len(data) > _MAX_RECORD:
            raise ValidationException(
                "1 validation error detected: Value at 'record.data' failed to satisfy "
                f"constraint: Member must have length less than or equal to {_MAX_RECORD}",
                param="Data",
                value=len(data),
            )

    def _buffer(self, stream: DeliveryStream, data: bytes) -> str:
        now = self.ctx.now()
        if not stream.buffer and stream.destination.interval_in_seconds > 0:
            stream.flush_job = self.ctx.clock.call_later(
                stream.destination.interval_in_seconds, self._flush, stream
            )
        stream.buffer.append((now, bytes(data)))
        stream.buffered_bytes += len(data)
        if stream.buffered_bytes >= stream.destination.size_in_mbs * _MIB:
            self._flush(stream)
        return self.ctx.ids.alphanumeric(224)

    def _end_of_put(self, stream: DeliveryStream) -> None:
        if stream.destination.interval_in_seconds == 0 and stream.buffer:
            self._flush(stream)

    @operation("PutRecord")
    def put_record(self, delivery_stream_name: str, data: bytes) -> str:
        """Write one record into the stream's buffer (PutRecord); returns its RecordId.

        Args:
            delivery_stream_name: the stream's name or ARN.
            data: the record (up to 1,000 KiB); add your own newline if the
                objects should be line-delimited.

        Raises:
            ResourceNotFoundException: no such delivery stream, or not ACTIVE.
            ServiceUnavailableException: over the stream's throughput quota.
        """
        stream = self._active(delivery_stream_name)
        self._check_size(data)
        if not self._admit(stream, len(data)):
            metrics.count_put(stream, (), 1)
            raise ServiceUnavailableException("Slow down.", param="DeliveryStreamName")
        metrics.count_put(stream, (len(data),), 0)
        record_id = self._buffer(stream, data)
        self._end_of_put(stream)
        return record_id

    @operation("PutRecordBatch")
    def put_record_batch(
        self, delivery_stream_name: str, records: Sequence[bytes]
    ) -> list[BatchEntry]:
        """Write up to 500 records (4 MiB) in one call (PutRecordBatch), each with its result.

        A record over the stream's throughput quota fails alone, with
        ``ServiceUnavailableException``; the others are buffered.

        Raises:
            ResourceNotFoundException: no such delivery stream, or not ACTIVE.
            InvalidArgumentException: more than 4 MiB in the call.
        """
        stream = self._active(delivery_stream_name)
        for data in records:
            self._check_size(data)
        total = sum(len(data) for data in records)
        if total > _MAX_BATCH_BYTES:
            raise InvalidArgumentException(
                f"Records size exceeds the PutRecordBatch limit of 4 MiB: {total} bytes.",
                param="Records",
                value=total,
            )
        results: list[BatchEntry] = []
        accepted: list[int] = []
        for data in records:
            if not self._admit(stream, len(data)):
                results.append(
                    BatchEntry(error_code="ServiceUnavailableException", error_message="Slow down.")
                )
                continue
            accepted.append(len(data))
            results.append(BatchEntry(record_id=self._buffer(stream, data)))
        metrics.count_put(stream, accepted, len(records) - len(accepted))
        self._end_of_put(stream)
        return results

    # -- delivery -------------------------------------------------------------------------

    def _key(self, stream: DeliveryStream, oldest: datetime) -> str:
        destination = stream.destination
        zone = tz.gettz(destination.custom_time_zone) if destination.custom_time_zone else None
        local = oldest.astimezone(zone) if zone is not None else oldest
        prefix = compile_prefix(destination.prefix or "").render(
            local, random_string=lambda: self.ctx.ids.uuid()[:11]
        )
        stamp = local.strftime("%Y-%m-%d-%H-%M-%S")
        suffix = f"{stream.name}-{stream.version_id}-{stamp}-{self.ctx.ids.uuid()}"
        return prefix + suffix + destination.extension

    def _flush(self, stream: DeliveryStream) -> None:
        if stream.flush_job is not None:
            stream.flush_job.cancel()
            stream.flush_job = None
        if not stream.buffer or stream.status is not DeliveryStreamStatus.ACTIVE:
            return
        batch = PendingBatch(stream.buffer)
        stream.buffer = []
        stream.buffered_bytes = 0
        batch.key = self._key(stream, batch.records[0][0])
        self._attempt(stream, batch)

    def _attempt(self, stream: DeliveryStream, batch: PendingBatch) -> None:
        if stream.status is not DeliveryStreamStatus.ACTIVE:
            return
        batch.attempt += 1
        destination = stream.destination
        body = b"".join(data for _, data in batch.records)
        if destination.compression_format is CompressionFormat.GZIP:
            body = gzip.compress(body, mtime=int(self.ctx.clock.time()))
        role = Arn.parse(destination.role_arn)
        session = (
            f"arn:{role.partition}:sts::{role.account_id}:assumed-role/"
            f"{role.resource_id.rsplit('/', 1)[-1]}"
        )
        error: str | None = None
        try:
            with self.ctx.as_principal(f"{session}/{self.session_name}"):
                self.ctx.sibling("s3").put_object(
                    destination.bucket,
                    batch.key,
                    body,
                    content_type="application/octet-stream",
                )
        except ServiceError as exc:
            error = exc.code
        now = self.ctx.now()
        # AWS retries for up to 24 hours: give up when the next try would be past that.
        age = now - batch.records[0][0]
        dropped = error is not None and age + self.retry_interval >= self.retention
        metrics.count_delivery(
            stream,
            records=len(batch.records),
            size=len(body),
            oldest=batch.records[0][0],
            now=now,
            ok=error is None,
        )
        if error is None or dropped:
            stream.failing.pop(id(batch), None)
        else:
            stream.failing[id(batch)] = batch.records[0][0]
        stream.deliveries.append(
            Delivery(
                at=now,
                bucket=destination.bucket,
                key=batch.key,
                record_count=len(batch.records),
                size=len(body),
                attempt=batch.attempt,
                error_code=error,
                dropped=dropped,
            )
        )
        if error is not None and not dropped:
            stream.retries = [job for job in stream.retries if not job.cancelled]
            job = self.ctx.clock.call_later(self.retry_interval, self._retry, stream, batch)
            stream.retries.append(job)

    def _retry(self, stream: DeliveryStream, batch: PendingBatch) -> None:
        stream.retries = [job for job in stream.retries if job.due_at > self.ctx.now()]
        self._attempt(stream, batch)
