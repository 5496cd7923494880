"""The AWS/S3 metrics: daily storage metrics and one-minute request metrics.

Storage metrics, once a day for every bucket (`sample_storage`, on a daily
`VendedMetrics` job stamped at midnight UTC of the day they describe):
``BucketSizeBytes`` (Bytes, dimensions BucketName and
``StorageType=StandardStorage``) and ``NumberOfObjects`` (Count, BucketName
and ``StorageType=AllStorageTypes``).

Request metrics, each minute, only for buckets with a metrics configuration
(PutBucketMetricsConfiguration), per configuration whose filter matches the
object key (dimensions BucketName and ``FilterId``): AllRequests,
GetRequests, PutRequests, DeleteRequests, HeadRequests, ListRequests,
BytesDownloaded, BytesUploaded and 4xxErrors (`count_request`).

Simulation notes: objects carry no tags and there are no access points, so
a configuration filtering on them matches nothing; latencies are not
published (requests take no virtual time).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from awsmon.cloudwatch import StandardUnit, VendedMetrics
from awsmon.neighbours.s3.model import Bucket

__all__ = ["count_request", "sample_storage"]

_BYTES = StandardUnit.BYTES
_COUNT = StandardUnit.COUNT


def count_request(
    vended: VendedMetrics,
    bucket: Bucket,
    metric: str,
    key: str,
    *,
    downloaded: int = 0,
    uploaded: int = 0,
    client_error: bool = False,
) -> None:
    """Count one request of kind `metric` (``GetRequests`` ...) on `key` of `bucket`."""
    for config in bucket.metrics_configurations.values():
        if not config.matches(key):
            continue
        where = (("BucketName", bucket.name), ("FilterId", config.id))
        vended.add("AllRequests", where)
        vended.add(metric, where)
        if downloaded:
            vended.add("BytesDownloaded", where, float(downloaded), _BYTES)
        if uploaded:
            vended.add("BytesUploaded", where, float(uploaded), _BYTES)
        if client_error:
            vended.add("4xxErrors", where, 1.0)


def sample_storage(
    buckets: Iterable[Bucket], now: datetime
) -> Iterator[tuple[str, tuple[tuple[str, str], ...], float, StandardUnit]]:
    """The daily storage metrics of `buckets` as they are at `now`."""
    for bucket in buckets:
        size = float(sum(o.size for o in bucket.objects.values()))
        count = float(len(bucket.objects))
        yield (
            "BucketSizeBytes",
            (("BucketName", bucket.name), ("StorageType", "StandardStorage")),
            size,
            _BYTES,
        )
        yield (
            "NumberOfObjects",
            (("BucketName", bucket.name), ("StorageType", "AllStorageTypes")),
            count,
            _COUNT,
        )
