"""Amazon S3's values: buckets, objects, list pages, and the bucket-name rules.

Main pieces: `Bucket`, `S3Object`, `ListPage` and `check_bucket_name`. The
stateful service is `awsmon.neighbours.s3.S3`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from attrs import define, field, frozen
from sortedcontainers import SortedDict

from awsmon.arn import partition_for
from awsmon.neighbours.s3.errors import InvalidBucketName

__all__ = ["Bucket", "ListPage", "MetricsConfiguration", "S3Object", "check_bucket_name"]


_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP = re.compile(r"\d+\.\d+\.\d+\.\d+")
_BAD_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BAD_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def check_bucket_name(name: str) -> None:
    """Raise `InvalidBucketName` unless `name` follows S3's general-purpose bucket rules.

    >>> check_bucket_name("my-logs.2024")
    >>> check_bucket_name("My_Logs")
    Traceback (most recent call last):
    ...
    awsmon.neighbours.s3.errors.InvalidBucketName: InvalidBucketName: The specified bucket ...
    """
    if (
        not _NAME.fullmatch(name)
        or ".." in name
        or ".-" in name
        or "-." in name
        or _IP.fullmatch(name)
        or name.startswith(_BAD_PREFIXES)
        or name.endswith(_BAD_SUFFIXES)
    ):
        raise InvalidBucketName("The specified bucket is not valid.", param="Bucket", value=name)


@frozen(kw_only=True)
class S3Object:
    """One stored object (its latest version).

    Attributes:
        key: the object key.
        body: the bytes.
        etag: the quoted MD5 of the bytes, as S3 gives it.
        last_modified: when it was written (whole seconds, as S3 reports it).
        content_type / content_encoding / metadata: what the writer set.
    """

    key: str
    body: bytes
    etag: str
    last_modified: datetime
    content_type: str = "binary/octet-stream"
    content_encoding: str | None = None
    metadata: Mapping[str, str] = field(factory=dict)
    storage_class: str = "STANDARD"

    @property
    def size(self) -> int:
        """The object's length in bytes."""
        return len(self.body)


@frozen(kw_only=True)
class MetricsConfiguration:
    """A bucket's request-metrics configuration (PutBucketMetricsConfiguration).

    Attributes:
        id: the configuration id, the ``FilterId`` dimension.
        prefix: only keys with this prefix count (None: no prefix filter).
        tags: tag conditions (objects have none here: such a filter matches nothing).
        access_point_arn: an access point condition (likewise).
    """

    id: str
    prefix: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    access_point_arn: str | None = None

    def matches(self, key: str) -> bool:
        """Whether a request on `key` counts for this configuration."""
        if self.tags or self.access_point_arn:
            return False
        return self.prefix is None or key.startswith(self.prefix)


@define(eq=False)
class Bucket:
    """A bucket: owner, region, objects (sorted by key) and policy."""

    name: str
    region: str
    owner: str
    created_at: datetime
    objects: SortedDict = field(factory=SortedDict, repr=False)
    policy: str | None = None
    metrics_configurations: dict[str, MetricsConfiguration] = field(factory=dict, repr=False)

    @property
    def arn(self) -> str:
        """The bucket's ARN (no region or account; the partition is its region's)."""
        return f"arn:{partition_for(self.region)}:s3:::{self.name}"


@frozen(kw_only=True)
class ListPage:
    """One page of ListObjectsV2."""

    contents: tuple[S3Object, ...]
    common_prefixes: tuple[str, ...]
    is_truncated: bool
    next_continuation_token: str | None
