"""The AWS/Kinesis metrics a stream vends, counted by the record operations.

Stream-level metrics (dimension ``StreamName``) are always on: IncomingRecords,
IncomingBytes, PutRecord.Bytes/Success, PutRecords.Bytes/Success/
TotalRecords/SuccessfulRecords/FailedRecords/ThrottledRecords,
GetRecords.Bytes/Records/Success/IteratorAgeMilliseconds,
WriteProvisionedThroughputExceeded and ReadProvisionedThroughputExceeded.
Shard-level metrics (dimensions ``StreamName`` and ``ShardId``) are published
only for those EnableEnhancedMonitoring turned on (`SHARD_LEVEL`). All are
one-minute metrics; Success and ThroughputExceeded count 1 or 0 per call, so
their Average is a rate, as AWS documents.

Simulation notes: the ``*.Latency`` metrics are not published (calls take no
virtual time), and reads are never throttled, so ReadProvisionedThroughputExceeded
is always 0.
"""

from __future__ import annotations

from collections.abc import Iterable

from awsmon.cloudwatch import StandardUnit, VendedMetrics
from awsmon.neighbours.kinesis.model import Record
from awsmon.neighbours.kinesis.store import Shard, Stream

__all__ = ["SHARD_LEVEL", "count_get", "count_put", "count_put_records"]

#: The shard-level metrics of enhanced monitoring (the "ALL" of EnableEnhancedMonitoring).
SHARD_LEVEL = (
    "IncomingBytes",
    "IncomingRecords",
    "OutgoingBytes",
    "OutgoingRecords",
    "WriteProvisionedThroughputExceeded",
    "ReadProvisionedThroughputExceeded",
    "IteratorAgeMilliseconds",
)

_BYTES = StandardUnit.BYTES
_MS = StandardUnit.MILLISECONDS


def _on(stream: Stream) -> VendedMetrics | None:
    vended = stream.metrics
    return vended if vended is not None and vended.enabled else None


def _shard(
    vended: VendedMetrics, stream: Stream, shard: Shard, values: Iterable[tuple[str, float]]
) -> None:
    wanted = stream.shard_level_metrics
    dims = (("ShardId", shard.shard_id), ("StreamName", stream.name))
    for name, value in values:
        if name in wanted:
            unit = _BYTES if name.endswith("Bytes") else _MS if name.endswith("ds") else None
            vended.add(name, dims, value, unit or StandardUnit.COUNT)


def count_put(stream: Stream, shard: Shard, size: int, *, admitted: bool) -> None:
    """Count one PutRecord call of `size` bytes to `shard` (throttled unless `admitted`)."""
    vended = _on(stream)
    if vended is None:
        return
    dims = stream.dims
    vended.add("PutRecord.Success", dims, 1.0 if admitted else 0.0)
    vended.add("WriteProvisionedThroughputExceeded", dims, 0.0 if admitted else 1.0)
    if admitted:
        vended.add("PutRecord.Bytes", dims, float(size), _BYTES)
        vended.add("IncomingRecords", dims, 1.0)
        vended.add("IncomingBytes", dims, float(size), _BYTES)
    if stream.shard_level_metrics:
        values = [("WriteProvisionedThroughputExceeded", 0.0 if admitted else 1.0)]
        if admitted:
            values += [("IncomingRecords", 1.0), ("IncomingBytes", float(size))]
        _shard(vended, stream, shard, values)


def count_put_records(
    stream: Stream, outcomes: Iterable[tuple[Shard, int, bool]]
) -> None:
    """Count one PutRecords call: (shard, size, admitted) per entry."""
    vended = _on(stream)
    if vended is None:
        return
    total = succeeded = throttled = 0
    size_in = 0
    per_shard: dict[int, tuple[Shard, int, int, int]] = {}
    for shard, size, admitted in outcomes:
        total += 1
        if admitted:
            succeeded += 1
            size_in += size
        else:
            throttled += 1
        if stream.shard_level_metrics:
            _, records, nbytes, over = per_shard.get(shard.index, (shard, 0, 0, 0))
            per_shard[shard.index] = (
                shard, records + admitted, nbytes + (size if admitted else 0), over + (not admitted)
            )
    dims = stream.dims
    vended.add("PutRecords.TotalRecords", dims, float(total))
    vended.add("PutRecords.SuccessfulRecords", dims, float(succeeded))
    vended.add("PutRecords.FailedRecords", dims, 0.0)
    vended.add("PutRecords.ThrottledRecords", dims, float(throttled))
    vended.add("PutRecords.Success", dims, 1.0 if succeeded else 0.0)
    vended.add("WriteProvisionedThroughputExceeded", dims, float(throttled))
    if succeeded:
        vended.add("PutRecords.Bytes", dims, float(size_in), _BYTES)
        vended.add("IncomingRecords", dims, float(succeeded))
        vended.add("IncomingBytes", dims, float(size_in), _BYTES)
    for shard, records, nbytes, over in per_shard.values():
        values = [("WriteProvisionedThroughputExceeded", float(over))]
        if records:
            values += [("IncomingRecords", float(records)), ("IncomingBytes", float(nbytes))]
        _shard(vended, stream, shard, values)


def count_get(stream: Stream, shard: Shard, taken: Iterable[Record], now_ms: int) -> None:
    """Count one GetRecords call that returned `taken` at epoch millisecond `now_ms`."""
    vended = _on(stream)
    if vended is None:
        return
    records = list(taken)
    size = float(sum(len(r.data) for r in records))
    age = 0.0
    if records:
        age = float(max(0, now_ms - int(records[-1].arrived_at.timestamp() * 1000)))
    dims = stream.dims
    vended.add("GetRecords.Success", dims, 1.0)
    vended.add("GetRecords.Records", dims, float(len(records)))
    vended.add("GetRecords.Bytes", dims, size, _BYTES)
    vended.add("GetRecords.IteratorAgeMilliseconds", dims, age, _MS)
    vended.add("ReadProvisionedThroughputExceeded", dims, 0.0)
    if stream.shard_level_metrics:
        _shard(
            vended,
            stream,
            shard,
            [
                ("OutgoingRecords", float(len(records))),
                ("OutgoingBytes", size),
                ("IteratorAgeMilliseconds", age),
                ("ReadProvisionedThroughputExceeded", 0.0),
            ],
        )
