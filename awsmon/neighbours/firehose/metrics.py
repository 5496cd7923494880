"""The AWS/Firehose metrics a delivery stream vends (dimension ``DeliveryStreamName``).

Counted by the service: IncomingPutRequests, IncomingRecords and IncomingBytes
for each accepted put, ThrottledRecords for each refused record, and for
each S3 delivery attempt DeliveryToS3.Success (1 or 0, so its Average is the
success rate), DeliveryToS3.Records and DeliveryToS3.Bytes (written ones) and
DeliveryToS3.DataFreshness (the age in seconds of the oldest record
delivered). `sample` adds, each minute, the DataFreshness of records still
buffered, so a stream that cannot deliver shows its data ageing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from awsmon.cloudwatch import StandardUnit
from awsmon.neighbours.firehose.model import DeliveryStream

__all__ = ["NAMESPACE", "count_delivery", "count_put", "sample"]

NAMESPACE = "AWS/Firehose"
_COUNT = StandardUnit.COUNT
_BYTES = StandardUnit.BYTES
_SECONDS = StandardUnit.SECONDS


def dims(stream: DeliveryStream) -> tuple[tuple[str, str], ...]:
    """The dimensions of the stream's metrics."""
    return (("DeliveryStreamName", stream.name),)


def count_put(stream: DeliveryStream, sizes: Iterable[int], throttled: int) -> None:
    """Count one PutRecord(Batch) call: the accepted records' sizes and the refused count."""
    vended = stream.metrics
    if vended is None or not vended.enabled:
        return
    accepted = list(sizes)
    where = dims(stream)
    if accepted:
        vended.add("IncomingPutRequests", where)
        vended.add("IncomingRecords", where, float(len(accepted)))
        vended.add("IncomingBytes", where, float(sum(accepted)), _BYTES)
    if throttled:
        vended.add("ThrottledRecords", where, float(throttled))


def count_delivery(
    stream: DeliveryStream, *, records: int, size: int, oldest: datetime, now: datetime, ok: bool
) -> None:
    """Count one S3 delivery attempt of `records` records (`size` bytes), oldest from `oldest`."""
    vended = stream.metrics
    if vended is None or not vended.enabled:
        return
    where = dims(stream)
    vended.add("DeliveryToS3.Success", where, 1.0 if ok else 0.0)
    if ok:
        vended.add("DeliveryToS3.Records", where, float(records))
        vended.add("DeliveryToS3.Bytes", where, float(size), _BYTES)
        age = max(0.0, (now - oldest).total_seconds())
        vended.add("DeliveryToS3.DataFreshness", where, age, _SECONDS)


def sample(
    streams: Iterable[DeliveryStream], now: datetime
) -> Iterator[tuple[str, tuple[tuple[str, str], ...], float, StandardUnit]]:
    """DataFreshness of the streams holding undelivered records at `now`."""
    for stream in streams:
        oldest = stream.undelivered_since
        if oldest is not None:
            age = max(0.0, (now - oldest).total_seconds())
            yield "DeliveryToS3.DataFreshness", dims(stream), age, _SECONDS
