"""Amazon S3: buckets, objects and bucket policies, enough for trail delivery and log exports.

Main pieces: `S3` (the service seen from one account and region); `Bucket`,
`S3Object`, `ListPage` live in `awsmon.neighbours.s3.model`, the error
classes in `.errors`, the wire translation in `.api`.

Bucket names are global, as in AWS: one namespace per `Cloud`, whatever
the account or region asking.

>>> from awsmon import Cloud
>>> cloud = Cloud()
>>> _ = cloud.s3.create_bucket("trail-logs")
>>> _ = cloud.s3.put_object("trail-logs", "AWSLogs/a.json", b"{}")
>>> [o.key for o in cloud.s3.list_objects_v2("trail-logs", prefix="AWSLogs/").contents]
['AWSLogs/a.json']
>>> cloud.s3.get_object("trail-logs", "AWSLogs/a.json").body
b'{}'
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from awsmon import jsondoc
from awsmon.cloudwatch import VendedMetrics
from awsmon.dispatch import Service, operation
from awsmon.errors import NotFound
from awsmon.neighbours.s3.errors import (
    AccessDeniedError,
    BucketAlreadyExists,
    BucketAlreadyOwnedByYou,
    BucketNotEmpty,
    HeadNotFound,
    IllegalLocationConstraintException,
    InvalidArgument,
    InvalidLocationConstraint,
    KeyTooLongError,
    MalformedPolicy,
    NoSuchBucket,
    NoSuchBucketPolicy,
    NoSuchConfiguration,
    NoSuchKey,
)
from awsmon.neighbours.s3.listing import walk
from awsmon.neighbours.s3.metrics import count_request, sample_storage
from awsmon.neighbours.s3.model import (
    Bucket,
    ListPage,
    MetricsConfiguration,
    S3Object,
    check_bucket_name,
)
from awsmon.policy import MalformedPolicy as _Malformed
from awsmon.policy import PolicyDocument

__all__ = ["S3"]


def _token(after: str, is_prefix: bool) -> str:
    return base64.b64encode(json.dumps([after, is_prefix]).encode()).decode()


def _untoken(token: str) -> tuple[str, bool]:
    try:
        after, is_prefix = jsondoc.loads(base64.b64decode(token.encode(), validate=True))
        return str(after), bool(is_prefix)
    except (ValueError, TypeError):
        raise InvalidArgument(
            "The continuation token provided is incorrect", param="ContinuationToken", value=token
        ) from None


class S3(Service):
    """Amazon S3 as seen from one account and region.

    Operations, by purpose:

    - buckets: `create_bucket`, `delete_bucket`, `list_buckets`, `head_bucket`,
      `get_bucket_location`, `put_bucket_policy`, `get_bucket_policy`, `delete_bucket_policy`
    - objects: `put_object`, `get_object`, `head_object`, `delete_object`,
      `list_objects` (v1), `list_objects_v2`, `copy_object`
    - metrics: `put_bucket_metrics_configuration`, `get_bucket_metrics_configuration`,
      `list_bucket_metrics_configurations`, `delete_bucket_metrics_configuration`;
      AWS/S3 storage metrics daily and request metrics each minute
      (`awsmon.neighbours.s3.metrics`)
    - for other services and tests: `bucket`, `policy_allows`

    Access: the bucket owner's principals may do anything; another account,
    or an AWS service principal (``cloudtrail.amazonaws.com`` delivering a
    trail, set with ``cloud.as_principal(Principal.service(...))``), needs
    the bucket policy to allow the action, else ``AccessDenied``.

    Simulation notes: one version per key (no versioning), no multipart
    uploads, no storage class transitions; objects are readable from any
    region's client (AWS would redirect the request to the bucket's region).
    """

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        #: The daily AWS/S3 storage metrics of this account's buckets in this region.
        self.storage_metrics = VendedMetrics(
            ctx,
            "AWS/S3",
            period=timedelta(days=1),
            sampler=lambda now: sample_storage(self._own_buckets(), now),
        )
        #: The one-minute AWS/S3 request metrics (buckets with a metrics configuration).
        self.request_metrics = VendedMetrics(ctx, "AWS/S3")

    def _own_buckets(self) -> list[Bucket]:
        return [
            b
            for b in self._buckets().values()
            if b.owner == self.account_id and b.region == self.region
        ]

    def _count_request(self, bucket: Bucket, metric: str, key: str, **sizes: Any) -> None:
        if bucket.metrics_configurations:
            owner = self._owner_of(bucket)
            if owner.request_metrics.enabled:
                count_request(owner.request_metrics, bucket, metric, key, **sizes)

    def _buckets(self) -> dict[str, Bucket]:
        buckets: dict[str, Bucket] = self.ctx.shared("s3.buckets", dict)
        return buckets

    def bucket(self, name: str) -> Bucket:
        """The bucket `name`, whoever owns it.

        Raises:
            NoSuchBucket: no such bucket.
        """
        found = self._buckets().get(name)
        if found is None:
            raise NoSuchBucket("The specified bucket does not exist", param="Bucket", value=name)
        return found

    def policy_allows(
        self,
        bucket: str,
        principal: str,
        action: str,
        key: str | None = None,
        context: Mapping[str, str] | None = None,
    ) -> bool:
        """Whether the bucket policy lets `principal` do `action` (``s3:PutObject``) on `key`.

        For services that check a bucket before using it (CloudTrail's
        ``InsufficientS3BucketPolicyException``, Logs export tasks).
        """
        found = self.bucket(bucket)
        if not found.policy:
            return False
        resource = found.arn if key is None else f"{found.arn}/{key}"
        return (
            PolicyDocument.parse(found.policy)
            .evaluate(principal, action, resource, context)
            .allowed
        )

    def _authorize(
        self,
        bucket: Bucket,
        action: str,
        key: str | None = None,
        context: Mapping[str, str] | None = None,
    ) -> None:
        """Let the bucket's owner through; ask the bucket policy for anyone else.

        A service principal (CloudTrail, Logs export) delivering to the bucket
        is asked through ``ctx.check_delivery`` (the ``Cloud(policies=...)``
        switch and ``cloud.deliveries()``), with the context it supplies.
        """
        who = self.ctx.principal
        if who.type != "AWSService" and who.account_id == bucket.owner:
            return
        known = {"aws:SourceAccount": who.account_id, **(context or {})}
        if who.type == "AWSService":
            check = self.ctx.check_delivery(
                source=known.get("aws:SourceArn", who.arn),
                target=bucket.arn if key is None else f"{bucket.arn}/{key}",
                principal=who.arn,
                action=action,
                policy=bucket.policy or None,
                context=known,
                what="bucket policy",
            )
            if check.delivered:
                return
        elif self.policy_allows(bucket.name, who.arn, action, key, known):
            return
        raise AccessDeniedError("Access Denied", param="Bucket", value=bucket.name)

    # -- buckets ------------------------------------------------------------------

    @operation("CreateBucket")
    def create_bucket(self, bucket: str, *, location_constraint: str | None = None) -> Bucket:
        """Create a bucket in this region (CreateBucket).

        Outside us-east-1 the `location_constraint` must name the client's
        region; in us-east-1 it must be omitted.

        Raises:
            InvalidBucketName: a bad name.
            BucketAlreadyExists: another account has it.
            BucketAlreadyOwnedByYou: you have it (in us-east-1 this succeeds instead).
            IllegalLocationConstraintException / InvalidLocationConstraint: a constraint mismatch.
        """
        check_bucket_name(bucket)
        if location_constraint == "us-east-1" or (
            location_constraint is not None
            and not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", location_constraint)
        ):
            raise InvalidLocationConstraint(
                "The specified location-constraint is not valid",
                param="LocationConstraint",
                value=location_constraint,
            )
        if self.region != "us-east-1" and location_constraint is None:
            raise IllegalLocationConstraintException(
                "The unspecified location constraint is incompatible for the region specific "
                "endpoint this request was sent to.",
                param="LocationConstraint",
            )
        if location_constraint is not None and location_constraint != self.region:
            raise IllegalLocationConstraintException(
                f"The {location_constraint} location constraint is incompatible for the region "
                "specific endpoint this request was sent to.",
                param="LocationConstraint",
                value=location_constraint,
            )
        caller = self.ctx.principal.account_id
        existing = self._buckets().get(bucket)
        if existing is not None:
            if existing.owner != caller:
                raise BucketAlreadyExists(
                    "The requested bucket name is not available. The bucket namespace is shared "
                    "by all users of the system. Please select a different name and try again.",
                    param="Bucket",
                    value=bucket,
                )
            if self.region == "us-east-1" and existing.region == "us-east-1":
                return existing
            raise BucketAlreadyOwnedByYou(
                "Your previous request to create the named bucket succeeded and you already own "
                "it.",
                param="Bucket",
                value=bucket,
            )
        created = Bucket(bucket, self.region, caller, self.ctx.now().replace(microsecond=0))
        self._buckets()[bucket] = created
        self._owner_of(created).storage_metrics.wake()
        return created

    def _owner_of(self, bucket: Bucket) -> S3:
        owner: S3 = self.ctx.sibling(
            self.ctx.spec.name, account_id=bucket.owner, region=bucket.region
        )
        return owner

    # -- metrics configurations -------------------------------------------------------

    @operation("PutBucketMetricsConfiguration")
    def put_bucket_metrics_configuration(
        self, bucket: str, id: str, metrics_configuration: MetricsConfiguration
    ) -> None:
        """Turn on request metrics for (part of) a bucket (PutBucketMetricsConfiguration).

        Requests on matching keys count in AWS/S3 from now on, with the
        dimension ``FilterId`` = `id` (`awsmon.neighbours.s3.metrics`).

        Raises:
            NoSuchBucket / AccessDeniedError; InvalidArgument: the ids differ
            or the bucket has 1,000 configurations.
        """
        found = self.bucket(bucket)
        self._authorize(found, "s3:PutMetricsConfiguration")
        if metrics_configuration.id != id:
            raise InvalidArgument(
                "Configuration id does not match the id in the request.", param="Id", value=id
            )
        if id not in found.metrics_configurations and len(found.metrics_configurations) >= 1000:
            raise InvalidArgument(
                "A bucket can have at most 1000 metrics configurations.", param="Id", value=id
            )
        found.metrics_configurations[id] = metrics_configuration

    @operation("GetBucketMetricsConfiguration")
    def get_bucket_metrics_configuration(self, bucket: str, id: str) -> MetricsConfiguration:
        """A bucket's metrics configuration by id (GetBucketMetricsConfiguration).

        Raises:
            NoSuchBucket / AccessDeniedError / NoSuchConfiguration.
        """
        found = self.bucket(bucket)
        self._authorize(found, "s3:GetMetricsConfiguration")
        config = found.metrics_configurations.get(id)
        if config is None:
            raise NoSuchConfiguration(
                "The specified configuration does not exist.", param="Id", value=id
            )
        return config

    @operation("ListBucketMetricsConfigurations")
    def list_bucket_metrics_configurations(self, bucket: str) -> list[MetricsConfiguration]:
        """A bucket's metrics configurations, by id (ListBucketMetricsConfigurations)."""
        found = self.bucket(bucket)
        self._authorize(found, "s3:GetMetricsConfiguration")
        return [found.metrics_configurations[k] for k in sorted(found.metrics_configurations)]

    @operation("DeleteBucketMetricsConfiguration")
    def delete_bucket_metrics_configuration(self, bucket: str, id: str) -> None:
        """Stop a bucket's request metrics of one id (DeleteBucketMetricsConfiguration).

        Raises:
            NoSuchBucket / AccessDeniedError / NoSuchConfiguration.
        """
        self.get_bucket_metrics_configuration(bucket, id)
        del self.bucket(bucket).metrics_configurations[id]

    @operation("DeleteBucket")
    def delete_bucket(self, bucket: str) -> None:
        """Delete an empty bucket (DeleteBucket).

        Raises:
            NoSuchBucket / BucketNotEmpty / AccessDeniedError.
        """
        found = self.bucket(bucket)
        self._authorize(found, "s3:DeleteBucket")
        if found.objects:
            raise BucketNotEmpty(
                "The bucket you tried to delete is not empty", param="Bucket", value=bucket
            )
        del self._buckets()[bucket]

    @operation("ListBuckets")
    def list_buckets(self) -> list[Bucket]:
        """The caller's buckets, in every region, by name (ListBuckets)."""
        caller = self.ctx.principal.account_id
        return [b for _, b in sorted(self._buckets().items()) if b.owner == caller]

    @operation("HeadBucket")
    def head_bucket(self, bucket: str) -> Bucket:
        """Whether the bucket exists and may be used (HeadBucket).

        Raises:
            HeadNotFound: no such bucket (boto3 sees code ``404``).
        """
        found = self._buckets().get(bucket)
        if found is None:
            raise HeadNotFound("Not Found", param="Bucket", value=bucket)
        self._authorize(found, "s3:ListBucket")
        return found

    @operation("GetBucketLocation")
    def get_bucket_location(self, bucket: str) -> str | None:
        """The bucket's region, None for us-east-1 as S3 answers (GetBucketLocation)."""
        found = self.bucket(bucket)
        return None if found.region == "us-east-1" else found.region

    @operation("PutBucketPolicy")
    def put_bucket_policy(self, bucket: str, policy: str) -> None:
        """Store the bucket's policy (PutBucketPolicy).

        Raises:
            NoSuchBucket / MalformedPolicy.
        """
        found = self.bucket(bucket)
        self._authorize(found, "s3:PutBucketPolicy")
        try:
            PolicyDocument.parse(policy)
        except _Malformed as exc:
            raise MalformedPolicy(
                f"Policies must be valid JSON and the first byte must be '{{' ({exc})",
                param="Policy",
                value=policy,
            ) from None
        found.policy = policy

    @operation("GetBucketPolicy")
    def get_bucket_policy(self, bucket: str) -> str:
        """The bucket's policy text (GetBucketPolicy).

        Raises:
            NoSuchBucket / NoSuchBucketPolicy.
        """
        found = self.bucket(bucket)
        self._authorize(found, "s3:GetBucketPolicy")
        if found.policy is None:
            raise NoSuchBucketPolicy(
                "The bucket policy does not exist", param="Bucket", value=bucket
            )
        return found.policy

    @operation("DeleteBucketPolicy")
    def delete_bucket_policy(self, bucket: str) -> None:
        """Remove the bucket's policy (DeleteBucketPolicy)."""
        found = self.bucket(bucket)
        self._authorize(found, "s3:DeleteBucketPolicy")
        found.policy = None

    # -- objects --------------------------------------------------------------------

    @operation("PutObject")
    def put_object(
        self,
        bucket: str,
        key: str,
        body: bytes = b"",
        *,
        content_type: str | None = None,
        content_encoding: str | None = None,
        metadata: Mapping[str, str] | None = None,
        acl: str | None = None,
        source_arn: str | None = None,
    ) -> S3Object:
        """Store an object, replacing any of the same key (PutObject).

        Args:
            acl: the canned ACL (``x-amz-acl``), the ``s3:x-amz-acl`` condition key.
            source_arn: for a service delivering on a resource's behalf (a trail,
                a log group's export): the ``aws:SourceArn`` bucket policies check.

        Raises:
            NoSuchBucket / AccessDeniedError / KeyTooLongError.
        """
        found = self.bucket(bucket)
        if not key or len(key.encode()) > 1024:
            raise KeyTooLongError("Your key is too long", param="Key", value=key)
        context = {}
        if acl is not None:
            context["s3:x-amz-acl"] = acl
        if source_arn is not None:
            context["aws:SourceArn"] = source_arn
        self._authorize(found, "s3:PutObject", key, context)
        stored = S3Object(
            key=key,
            body=bytes(body),
            etag=f'"{hashlib.md5(body).hexdigest()}"',
            last_modified=self.ctx.now().replace(microsecond=0),
            content_type=content_type or "binary/octet-stream",
            content_encoding=content_encoding,
            metadata={k.lower(): v for k, v in (metadata or {}).items()},
        )
        found.objects[key] = stored
        self._count_request(found, "PutRequests", key, uploaded=len(stored.body))
        return stored

    def _object(self, bucket: str, key: str, action: str, metric: str = "") -> S3Object:
        found = self.bucket(bucket)
        self._authorize(found, action, key)
        stored: S3Object | None = found.objects.get(key)
        if metric:
            size = len(stored.body) if stored is not None and metric == "GetRequests" else 0
            self._count_request(found, metric, key, downloaded=size, client_error=stored is None)
        if stored is None:
            raise NoSuchKey("The specified key does not exist.", param="Key", value=key)
        return stored

    @operation("GetObject")
    def get_object(self, bucket: str, key: str) -> S3Object:
        """The object (GetObject).

        Raises:
            NoSuchBucket / NoSuchKey / AccessDeniedError.
        """
        return self._object(bucket, key, "s3:GetObject", "GetRequests")

    @operation("HeadObject")
    def head_object(self, bucket: str, key: str) -> S3Object:
        """The object's metadata (HeadObject); a miss is a bare ``404`` as in AWS."""
        try:
            return self._object(bucket, key, "s3:GetObject", "HeadRequests")
        except NotFound:
            raise HeadNotFound("Not Found", param="Key", value=key) from None

    @operation("DeleteObject")
    def delete_object(self, bucket: str, key: str) -> None:
        """Delete an object; a missing key is no error (DeleteObject)."""
        found = self.bucket(bucket)
        self._authorize(found, "s3:DeleteObject", key)
        found.objects.pop(key, None)
        self._count_request(found, "DeleteRequests", key)

    @operation("CopyObject")
    def copy_object(self, bucket: str, key: str, source_bucket: str, source_key: str) -> S3Object:
        """Copy an object (CopyObject), keeping its content type and metadata."""
        source = self._object(source_bucket, source_key, "s3:GetObject")
        return self.put_object(
            bucket,
            key,
            source.body,
            content_type=source.content_type,
            content_encoding=source.content_encoding,
            metadata=source.metadata,
        )

    @operation("ListObjectsV2")
    def list_objects_v2(
        self,
        bucket: str,
        *,
        prefix: str = "",
        delimiter: str | None = None,
        max_keys: int = 1000,
        continuation_token: str | None = None,
        start_after: str | None = None,
    ) -> ListPage:
        """One page of the bucket's keys in UTF-8 order (ListObjectsV2).

        Keys sharing a prefix up to the next `delimiter` after `prefix` roll
        up into one common prefix, which counts once toward `max_keys`.

        Raises:
            NoSuchBucket / AccessDeniedError / InvalidArgument (a bad token).
        """
        found = self.bucket(bucket)
        self._authorize(found, "s3:ListBucket")
        after, after_is_prefix = ("", False)
        if continuation_token is not None:
            after, after_is_prefix = _untoken(continuation_token)
        elif start_after:
            after = start_after
        found_keys = walk(
            found.objects,
            prefix=prefix,
            delimiter=delimiter,
            max_keys=max_keys,
            after=after,
            after_is_prefix=after_is_prefix,
        )
        self._count_request(found, "ListRequests", prefix)
        truncated, last = found_keys.truncated, found_keys.last
        token = _token(*last) if truncated and last is not None else None
        return ListPage(
            contents=found_keys.contents,
            common_prefixes=found_keys.common_prefixes,
            is_truncated=truncated,
            next_continuation_token=token,
        )

    @operation("ListObjects")
    def list_objects(
        self,
        bucket: str,
        *,
        prefix: str = "",
        delimiter: str | None = None,
        max_keys: int = 1000,
        marker: str | None = None,
    ) -> ListPage:
        """One page of the bucket's keys after `marker` (ListObjects, version 1).

        As ListObjectsV2, with a `marker` instead of a token: the listing
        starts after it. ``next_continuation_token`` carries NextMarker, which
        AWS returns only with a `delimiter` (the last key or common prefix of
        the page); without one, the caller continues from the last key. A
        marker that is a common prefix skips every key under it, so paging
        with NextMarker never lists a prefix twice.

        Raises:
            NoSuchBucket / AccessDeniedError.
        """
        found = self.bucket(bucket)
        self._authorize(found, "s3:ListBucket")
        after = marker or ""
        rolled_up = bool(delimiter) and after.endswith(str(delimiter)) and after.startswith(prefix)
        found_keys = walk(
            found.objects,
            prefix=prefix,
            delimiter=delimiter,
            max_keys=max_keys,
            after=after,
            after_is_prefix=rolled_up,
        )
        self._count_request(found, "ListRequests", prefix)
        next_marker = None
        if found_keys.truncated and delimiter and found_keys.last is not None:
            next_marker = found_keys.last[0]
        return ListPage(
            contents=found_keys.contents,
            common_prefixes=found_keys.common_prefixes,
            is_truncated=found_keys.truncated,
            next_continuation_token=next_marker,
        )
