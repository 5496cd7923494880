"""S3 wire operations: AWS parameter names in, boto3 response shapes out.

S3 speaks REST-XML; boto3 hands over ``Bucket``/``Key``/``Body`` and gets
parsed dicts back, with ``GetObject.Body`` a botocore ``StreamingBody``.

>>> from awsmon import Cloud
>>> s3 = Cloud().client("s3")
>>> _ = s3.create_bucket(Bucket="my-bucket")
>>> _ = s3.put_object(Bucket="my-bucket", Key="k", Body=b"data")
>>> s3.get_object(Bucket="my-bucket", Key="k")["Body"].read()
b'data'
"""

from __future__ import annotations

import re
from typing import Any

from awsmon.body import streaming_body
from awsmon.neighbours.s3.errors import InvalidArgument, InvalidRange
from awsmon.neighbours.s3.model import ListPage, MetricsConfiguration, S3Object
from awsmon.neighbours.s3.service import S3
from awsmon.wire import Params, WireApi, handles

__all__ = ["S3Api"]

Response = dict[str, Any]


def _body_bytes(body: Any) -> bytes:
    """The object's bytes: a blob as given, text as UTF-8, or what a readable object holds."""
    if hasattr(body, "read"):
        if hasattr(body, "seek") and hasattr(body, "tell") and body.tell() != 0:
            body.seek(0)
        body = body.read()
    if body is None:
        return b""
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    if isinstance(body, str):
        try:
            return body.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidArgument("Body text must be valid UTF-8", param="Body") from None
    raise InvalidArgument("Body must be bytes or a readable object", param="Body")


def _head(stored: S3Object) -> Response:
    response: Response = {
        "AcceptRanges": "bytes",
        "LastModified": stored.last_modified,
        "ContentLength": stored.size,
        "ETag": stored.etag,
        "ContentType": stored.content_type,
        "ServerSideEncryption": "AES256",
        "Metadata": dict(stored.metadata),
    }
    if stored.content_encoding:
        response["ContentEncoding"] = stored.content_encoding
    return response


class S3Api(WireApi):
    """The S3 wire API."""

    domain: S3
    invalid_parameter = InvalidArgument
    missing_parameter = InvalidArgument

    def _bucket(self, params: Params) -> str:
        name = params.string("Bucket", required=True)
        return name

    def _key(self, params: Params) -> str:
        key = params.string("Key", required=True)
        return key

    @handles("CreateBucket")
    def create_bucket(self, params: Params) -> Response:
        """CreateBucket → ``Location`` and ``BucketArn``."""
        member = "CreateBucketConfiguration"
        config = params.nested(params.mapping(member), member)
        bucket = self.domain.create_bucket(
            self._bucket(params), location_constraint=config.string("LocationConstraint")
        )
        location = (
            f"/{bucket.name}"
            if bucket.region == "us-east-1"
            else f"http://{bucket.name}.s3.amazonaws.com/"
        )
        return {"Location": location, "BucketArn": bucket.arn}

    @handles("DeleteBucket")
    def delete_bucket(self, params: Params) -> Response:
        """DeleteBucket → nothing."""
        self.domain.delete_bucket(self._bucket(params))
        return {}

    @handles("ListBuckets")
    def list_buckets(self, params: Params) -> Response:
        """ListBuckets → ``Buckets`` and ``Owner``."""
        buckets = [
            {"Name": b.name, "CreationDate": b.created_at, "BucketRegion": b.region}
            for b in self.domain.list_buckets()
            if b.name.startswith(params.string("Prefix") or "")
        ]
        owner = self.domain.ctx.principal.account_id
        return {"Buckets": buckets, "Owner": {"ID": _canonical_id(owner)}}

    @handles("HeadBucket")
    def head_bucket(self, params: Params) -> Response:
        """HeadBucket → ``BucketRegion`` (a miss is a bare 404)."""
        bucket = self.domain.head_bucket(self._bucket(params))
        return {"BucketRegion": bucket.region, "AccessPointAlias": False}

    @handles("GetBucketLocation")
    def get_bucket_location(self, params: Params) -> Response:
        """GetBucketLocation → ``LocationConstraint`` (None for us-east-1, as boto3 gives it)."""
        return {"LocationConstraint": self.domain.get_bucket_location(self._bucket(params))}

    @handles("PutBucketPolicy")
    def put_bucket_policy(self, params: Params) -> Response:
        """PutBucketPolicy → nothing."""
        policy = params.string("Policy", required=True)
        self.domain.put_bucket_policy(self._bucket(params), policy)
        return {}

    @handles("GetBucketPolicy")
    def get_bucket_policy(self, params: Params) -> Response:
        """GetBucketPolicy → ``Policy``."""
        return {"Policy": self.domain.get_bucket_policy(self._bucket(params))}

    @handles("DeleteBucketPolicy")
    def delete_bucket_policy(self, params: Params) -> Response:
        """DeleteBucketPolicy → nothing."""
        self.domain.delete_bucket_policy(self._bucket(params))
        return {}

    @handles("PutObject")
    def put_object(self, params: Params) -> Response:
        """PutObject → ``ETag``, ``ServerSideEncryption`` and ``Size``."""
        stored = self.domain.put_object(
            self._bucket(params),
            self._key(params),
            _body_bytes(params.raw("Body")),
            content_type=params.string("ContentType"),
            content_encoding=params.string("ContentEncoding"),
            metadata={str(k): str(v) for k, v in params.mapping("Metadata").items()},
        )
        return {"ETag": stored.etag, "ServerSideEncryption": "AES256", "Size": stored.size}

    @handles("GetObject")
    def get_object(self, params: Params) -> Response:
        """GetObject → the object's headers and ``Body`` (a readable StreamingBody)."""
        stored = self.domain.get_object(self._bucket(params), self._key(params))
        response = _head(stored)
        body = stored.body
        wanted = params.string("Range")
        if wanted:
            start, end = _range(wanted, stored.size)
            body = body[start : end + 1]
            response["ContentRange"] = f"bytes {start}-{end}/{stored.size}"
            response["ContentLength"] = len(body)
        response["Body"] = streaming_body(body)
        return response

    @handles("HeadObject")
    def head_object(self, params: Params) -> Response:
        """HeadObject → the object's headers (a miss is a bare 404)."""
        return _head(self.domain.head_object(self._bucket(params), self._key(params)))

    @handles("DeleteObject")
    def delete_object(self, params: Params) -> Response:
        """DeleteObject → nothing."""
        self.domain.delete_object(self._bucket(params), self._key(params))
        return {}

    @handles("DeleteObjects")
    def delete_objects(self, params: Params) -> Response:
        """DeleteObjects → ``Deleted`` (unless Quiet)."""
        request = params.nested(params.raw("Delete", {}), "Delete")
        bucket = self._bucket(params)
        keys = [item.string("Key", required=True) for item in request.structs("Objects")]
        quiet = request.boolean("Quiet")
        for key in keys:
            self.domain.delete_object(bucket, key)
        return {} if quiet else {"Deleted": [{"Key": key} for key in keys]}

    @handles("CopyObject")
    def copy_object(self, params: Params) -> Response:
        """CopyObject → ``CopyObjectResult`` with the new ETag and LastModified."""
        source = params.raw("CopySource")
        if isinstance(source, dict):
            copied = params.nested(source, "CopySource")
            source_bucket = copied.string("Bucket", required=True)
            source_key = copied.string("Key", required=True)
        else:
            text = params.string("CopySource", required=True)
            source_bucket, _, source_key = text.lstrip("/").partition("/")
        stored = self.domain.copy_object(
            self._bucket(params), self._key(params), source_bucket, source_key
        )
        return {
            "CopyObjectResult": {"ETag": stored.etag, "LastModified": stored.last_modified},
            "ServerSideEncryption": "AES256",
        }

    def _contents(self, bucket: str, page: ListPage, fetch_owner: bool) -> list[Response]:
        owner = {"Owner": {"ID": _canonical_id(self.domain.bucket(bucket).owner)}}
        return [
            {
                "Key": o.key,
                "LastModified": o.last_modified,
                "ETag": o.etag,
                "Size": o.size,
                "StorageClass": o.storage_class,
                **(owner if fetch_owner else {}),
            }
            for o in page.contents
        ]

    @handles("ListObjects")
    def list_objects(self, params: Params) -> Response:
        """ListObjects (v1) → ``Contents`` (with owners), ``CommonPrefixes``, ``NextMarker``."""
        bucket = self._bucket(params)
        prefix = params.string("Prefix") or ""
        delimiter = params.string("Delimiter")
        max_keys = params.integer("MaxKeys", default=1000)
        marker = params.string("Marker") or ""
        page = self.domain.list_objects(
            bucket, prefix=prefix, delimiter=delimiter, max_keys=max_keys, marker=marker
        )
        response: Response = {"IsTruncated": page.is_truncated, "Marker": marker}
        if page.next_continuation_token is not None:
            response["NextMarker"] = page.next_continuation_token
        if page.contents:
            response["Contents"] = self._contents(bucket, page, True)
        response["Name"] = bucket
        response["Prefix"] = prefix
        if delimiter:
            response["Delimiter"] = delimiter
        response["MaxKeys"] = max_keys
        if page.common_prefixes:
            response["CommonPrefixes"] = [{"Prefix": p} for p in page.common_prefixes]
        if params.string("EncodingType"):
            response["EncodingType"] = params.string("EncodingType")
        return response

    @handles("PutBucketMetricsConfiguration")
    def put_bucket_metrics_configuration(self, params: Params) -> Response:
        """PutBucketMetricsConfiguration → nothing."""
        config_id = params.string("Id", required=True)
        config = _metrics_configuration(params)
        self.domain.put_bucket_metrics_configuration(self._bucket(params), config_id, config)
        return {}

    @handles("GetBucketMetricsConfiguration")
    def get_bucket_metrics_configuration(self, params: Params) -> Response:
        """GetBucketMetricsConfiguration → ``MetricsConfiguration``."""
        config = self.domain.get_bucket_metrics_configuration(
            self._bucket(params), params.string("Id", required=True)
        )
        return {"MetricsConfiguration": _metrics_configuration_response(config)}

    @handles("ListBucketMetricsConfigurations")
    def list_bucket_metrics_configurations(self, params: Params) -> Response:
        """ListBucketMetricsConfigurations → ``MetricsConfigurationList`` (one page)."""
        configs = self.domain.list_bucket_metrics_configurations(self._bucket(params))
        response: Response = {"IsTruncated": False}
        if configs:
            response["MetricsConfigurationList"] = [
                _metrics_configuration_response(c) for c in configs
            ]
        return response

    @handles("DeleteBucketMetricsConfiguration")
    def delete_bucket_metrics_configuration(self, params: Params) -> Response:
        """DeleteBucketMetricsConfiguration → nothing."""
        self.domain.delete_bucket_metrics_configuration(
            self._bucket(params), params.string("Id", required=True)
        )
        return {}

    @handles("ListObjectsV2")
    def list_objects_v2(self, params: Params) -> Response:
        """ListObjectsV2 → ``Contents``, ``CommonPrefixes``, ``KeyCount`` and the tokens."""
        bucket = self._bucket(params)
        prefix = params.string("Prefix") or ""
        delimiter = params.string("Delimiter")
        max_keys = params.integer("MaxKeys", default=1000)
        token = params.string("ContinuationToken")
        start_after = params.string("StartAfter")
        page = self.domain.list_objects_v2(
            bucket,
            prefix=prefix,
            delimiter=delimiter,
            max_keys=max_keys,
            continuation_token=token,
            start_after=start_after,
        )
        response: Response = {"IsTruncated": page.is_truncated}
        if page.contents:
            response["Contents"] = self._contents(bucket, page, bool(params.boolean("FetchOwner")))
        response["Name"] = bucket
        response["Prefix"] = prefix
        if delimiter:
            response["Delimiter"] = delimiter
        response["MaxKeys"] = max_keys
        if page.common_prefixes:
            response["CommonPrefixes"] = [{"Prefix": p} for p in page.common_prefixes]
        if params.string("EncodingType"):
            response["EncodingType"] = params.string("EncodingType")
        response["KeyCount"] = len(page.contents) + len(page.common_prefixes)
        if token:
            response["ContinuationToken"] = token
        if page.next_continuation_token:
            response["NextContinuationToken"] = page.next_continuation_token
        if start_after:
            response["StartAfter"] = start_after
        return response


def _metrics_configuration(params: Params) -> MetricsConfiguration:
    """A MetricsConfiguration structure (Id and an optional Filter) from the wire."""
    name = "MetricsConfiguration"
    given = params.nested(params.mapping(name, required=True), name)
    config_id = given.string("Id", required=True)
    prefix = access_point = None
    tags: list[tuple[str, str]] = []
    if "Filter" in given:
        where = given.nested(given.mapping("Filter"), "Filter")
        both = where.nested(where.mapping("And"), "And") if "And" in where else where
        prefix = both.string("Prefix")
        access_point = both.string("AccessPointArn")
        for tag in both.structs("Tags") if "Tags" in both else []:
            tags.append((tag.string("Key", required=True), tag.string("Value", required=True)))
        if "Tag" in both:
            tag = both.nested(both.mapping("Tag"), "Tag")
            tags.append((tag.string("Key", required=True), tag.string("Value", required=True)))
    return MetricsConfiguration(
        id=config_id, prefix=prefix, tags=tuple(tags), access_point_arn=access_point
    )


def _metrics_configuration_response(config: MetricsConfiguration) -> Response:
    conditions: Response = {}
    if config.prefix is not None:
        conditions["Prefix"] = config.prefix
    if config.access_point_arn is not None:
        conditions["AccessPointArn"] = config.access_point_arn
    tags = [{"Key": k, "Value": v} for k, v in config.tags]
    response: Response = {"Id": config.id}
    if len(conditions) + len(tags) > 1:
        response["Filter"] = {"And": {**conditions, **({"Tags": tags} if tags else {})}}
    elif tags:
        response["Filter"] = {"Tag": tags[0]}
    elif conditions:
        response["Filter"] = conditions
    return response


def _range(header: str, size: int) -> tuple[int, int]:
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", header.strip())
    if not match or match.groups() == ("", ""):
        return 0, size - 1
    first, last = match.groups()
    if first == "":
        start, end = max(size - int(last), 0), size - 1
    else:
        start = int(first)
        end = min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        raise InvalidRange("The requested range is not satisfiable", param="Range", value=header)
    return start, end


def _canonical_id(account_id: str) -> str:
    import hashlib

    return hashlib.sha256(f"canonical:{account_id}".encode()).hexdigest()
