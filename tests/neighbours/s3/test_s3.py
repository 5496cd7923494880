"""Tests of awsmon/neighbours/s3/: buckets, objects, listing and policies."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from awsmon import Cloud
from awsmon.errors import ServiceError
from awsmon.identity import Principal
from awsmon.neighbours.s3 import AccessDeniedError
from awsmon.testing.shapes import assert_shape


@pytest.fixture
def cloud() -> Cloud:
    return Cloud()


class TestBuckets:
    def test_create_list_delete_through_boto3(self, awsmon_boto3: Cloud) -> None:
        """Buckets are created per region, listed with their region, and deleted when empty."""
        s3 = boto3.client("s3")
        created = s3.create_bucket(Bucket="logs-bucket")
        assert_shape("s3", "CreateBucket", created)
        assert created["Location"] == "/logs-bucket"
        eu = boto3.client("s3", region_name="eu-west-1")
        eu.create_bucket(
            Bucket="eu-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        listed = s3.list_buckets()
        assert_shape("s3", "ListBuckets", listed)
        assert [(b["Name"], b["BucketRegion"]) for b in listed["Buckets"]] == [
            ("eu-bucket", "eu-west-1"),
            ("logs-bucket", "us-east-1"),
        ]
        # Through the wire client: botocore re-parses GetBucketLocation from the raw HTTP body,
        # which awsmon's boto3 routing does not provide (see the report on awsmon/boto.py).
        wire = awsmon_boto3.client("s3")
        assert wire.get_bucket_location(Bucket="eu-bucket")["LocationConstraint"] == "eu-west-1"
        assert wire.get_bucket_location(Bucket="logs-bucket")["LocationConstraint"] is None
        s3.put_object(Bucket="logs-bucket", Key="k", Body=b"x")
        with pytest.raises(ClientError) as caught:
            s3.delete_bucket(Bucket="logs-bucket")
        assert caught.value.response["Error"]["Code"] == "BucketNotEmpty"
        s3.delete_object(Bucket="logs-bucket", Key="k")
        s3.delete_bucket(Bucket="logs-bucket")
        with pytest.raises(ClientError) as caught:
            s3.head_bucket(Bucket="logs-bucket")
        assert caught.value.response["Error"]["Code"] == "404"

    def test_names_are_global(self, cloud: Cloud) -> None:
        """Another account cannot take a bucket name; the owner re-creating it in us-east-1 may."""
        cloud.s3.create_bucket("shared-name")
        assert cloud.s3.create_bucket("shared-name").name == "shared-name"
        with pytest.raises(ServiceError) as caught:
            cloud.account("210987654321").client("s3").create_bucket(Bucket="shared-name")
        assert caught.value.code == "BucketAlreadyExists"
        eu = cloud.client("s3", "eu-west-1")
        with pytest.raises(ServiceError) as caught:
            eu.create_bucket(
                Bucket="shared-name",
                CreateBucketConfiguration={"LocationConstraint": "eu-west-1"},
            )
        assert caught.value.code == "BucketAlreadyOwnedByYou"


ERRORS = [
    (
        "short-name",
        "create_bucket",
        {"Bucket": "ab"},
        "InvalidBucketName",
        r"^The specified bucket is not valid\.$",
    ),
    ("upper-name", "create_bucket", {"Bucket": "Logs"}, "InvalidBucketName", r"^The specified"),
    ("ip-name", "create_bucket", {"Bucket": "192.168.5.4"}, "InvalidBucketName", r"^The spec"),
    ("dots", "create_bucket", {"Bucket": "a..b"}, "InvalidBucketName", r"^The specified"),
    (
        "us-east-1-constraint",
        "create_bucket",
        {"Bucket": "abc", "CreateBucketConfiguration": {"LocationConstraint": "us-east-1"}},
        "InvalidLocationConstraint",
        r"^The specified location-constraint is not valid$",
    ),
    (
        "wrong-region",
        "create_bucket",
        {"Bucket": "abc", "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}},
        "IllegalLocationConstraintException",
        r"^The eu-west-1 location constraint is incompatible",
    ),
    (
        "no-bucket",
        "get_object",
        {"Bucket": "nope-bucket", "Key": "k"},
        "NoSuchBucket",
        r"^The specified bucket does not exist$",
    ),
    (
        "no-key",
        "get_object",
        {"Bucket": "base-bucket", "Key": "k"},
        "NoSuchKey",
        r"^The specified key does not exist\.$",
    ),
    (
        "no-policy",
        "get_bucket_policy",
        {"Bucket": "base-bucket"},
        "NoSuchBucketPolicy",
        r"^The bucket policy does not exist$",
    ),
    (
        "bad-policy",
        "put_bucket_policy",
        {"Bucket": "base-bucket", "Policy": "nope"},
        "MalformedPolicy",
        r"^Policies must be valid JSON",
    ),
    (
        "long-key",
        "put_object",
        {"Bucket": "base-bucket", "Key": "k" * 1025, "Body": b""},
        "KeyTooLongError",
        r"^Your key is too long$",
    ),
]


@pytest.mark.parametrize(
    ("method", "params", "code", "message"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_error_table(
    cloud: Cloud, method: str, params: dict[str, Any], code: str, message: str
) -> None:
    """Invalid calls raise S3's code and message and change nothing."""
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="base-bucket")
    with pytest.raises(ServiceError) as caught:
        getattr(s3, method)(**params)
    assert caught.value.code == code
    assert re.search(message, caught.value.message), caught.value.message
    assert [b.name for b in cloud.s3.list_buckets()] == ["base-bucket"]
    assert not cloud.s3.bucket("base-bucket").objects


class TestObjects:
    def test_put_get_head_through_boto3(self, awsmon_boto3: Cloud) -> None:
        """Objects round-trip through boto3 with a StreamingBody, ETag, metadata and ranges."""
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="data-bucket")
        put = s3.put_object(
            Bucket="data-bucket",
            Key="a/b.txt",
            Body=io.BytesIO(b"hello world"),
            ContentType="text/plain",
            Metadata={"Origin": "test"},
        )
        assert_shape("s3", "PutObject", put)
        assert put["ETag"] == '"5eb63bbbe01eeed093cb22bb8f5acdc3"'
        got = s3.get_object(Bucket="data-bucket", Key="a/b.txt")
        assert_shape("s3", "GetObject", got)
        assert got["Body"].read() == b"hello world"
        assert got["ContentType"] == "text/plain" and got["Metadata"] == {"origin": "test"}
        assert got["LastModified"] == awsmon_boto3.clock.now().replace(microsecond=0)
        part = s3.get_object(Bucket="data-bucket", Key="a/b.txt", Range="bytes=6-")
        assert part["Body"].read() == b"world" and part["ContentRange"] == "bytes 6-10/11"
        head = s3.head_object(Bucket="data-bucket", Key="a/b.txt")
        assert_shape("s3", "HeadObject", head)
        assert head["ContentLength"] == 11
        with pytest.raises(ClientError) as caught:
            s3.head_object(Bucket="data-bucket", Key="missing")
        assert caught.value.response["Error"] == {"Code": "404", "Message": "Not Found"}
        with pytest.raises(s3.exceptions.NoSuchKey):
            s3.get_object(Bucket="data-bucket", Key="missing")
        copied = s3.copy_object(
            Bucket="data-bucket", Key="copy", CopySource={"Bucket": "data-bucket", "Key": "a/b.txt"}
        )
        assert_shape("s3", "CopyObject", copied)
        assert cloud_object(awsmon_boto3, "data-bucket", "copy") == b"hello world"

    def test_list_objects_v2_prefix_delimiter_pages(self, awsmon_boto3: Cloud) -> None:
        """Listing rolls keys up into common prefixes and pages with continuation tokens."""
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="tree-bucket")
        for key in ["a/1", "a/2", "b/x/1", "b/y", "c", "d"]:
            s3.put_object(Bucket="tree-bucket", Key=key, Body=b"-")
        top = s3.list_objects_v2(Bucket="tree-bucket", Delimiter="/")
        assert_shape("s3", "ListObjectsV2", top)
        assert [c["Key"] for c in top["Contents"]] == ["c", "d"]
        assert top["CommonPrefixes"] == [{"Prefix": "a/"}, {"Prefix": "b/"}]
        assert top["KeyCount"] == 4 and top["IsTruncated"] is False
        under_b = s3.list_objects_v2(Bucket="tree-bucket", Prefix="b/", Delimiter="/")
        assert [c["Key"] for c in under_b["Contents"]] == ["b/y"]
        assert under_b["CommonPrefixes"] == [{"Prefix": "b/x/"}]
        first = s3.list_objects_v2(Bucket="tree-bucket", Delimiter="/", MaxKeys=1)
        assert first["IsTruncated"] is True and first["CommonPrefixes"] == [{"Prefix": "a/"}]
        second = s3.list_objects_v2(
            Bucket="tree-bucket",
            Delimiter="/",
            MaxKeys=1,
            ContinuationToken=first["NextContinuationToken"],
        )
        assert second["CommonPrefixes"] == [{"Prefix": "b/"}]
        pages = s3.get_paginator("list_objects_v2").paginate(
            Bucket="tree-bucket", PaginationConfig={"PageSize": 2}
        )
        keys = [c["Key"] for page in pages for c in page.get("Contents", [])]
        assert keys == ["a/1", "a/2", "b/x/1", "b/y", "c", "d"]
        empty = s3.list_objects_v2(Bucket="tree-bucket", Prefix="zzz")
        assert "Contents" not in empty and empty["KeyCount"] == 0

    @settings(max_examples=50)
    @given(
        st.lists(st.text(alphabet="ab/", min_size=1, max_size=5), unique=True, max_size=12),
        st.sampled_from(["", "a", "a/", "b"]),
        st.integers(min_value=1, max_value=4),
    )
    def test_paging_agrees_with_a_naive_listing(
        self, keys: list[str], prefix: str, page_size: int
    ) -> None:
        """Walking the pages gives exactly the naive prefix/delimiter roll-up, in order."""
        cloud = Cloud()
        cloud.s3.create_bucket("prop-bucket")
        for key in keys:
            cloud.s3.put_object("prop-bucket", key, b"")
        expected: list[str] = []
        for key in sorted(k for k in keys if k.startswith(prefix)):
            at = key.find("/", len(prefix))
            item = key[: at + 1] if at >= 0 else key
            if item not in expected:
                expected.append(item)
        seen: list[str] = []
        token = None
        while True:
            page = cloud.s3.list_objects_v2(
                "prop-bucket",
                prefix=prefix,
                delimiter="/",
                max_keys=page_size,
                continuation_token=token,
            )
            assert len(page.contents) + len(page.common_prefixes) <= page_size
            seen += sorted([o.key for o in page.contents] + list(page.common_prefixes))
            if not page.is_truncated:
                break
            token = page.next_continuation_token
        assert seen == expected


def cloud_object(cloud: Cloud, bucket: str, key: str) -> bytes:
    return cloud.s3.get_object(bucket, key).body


class TestPolicies:
    def test_policy_stored_and_checked_for_services(self, cloud: Cloud) -> None:
        """A bucket policy is stored; a service principal may write only where it allows."""
        cloud.s3.create_bucket("trail-bucket")
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AWSCloudTrailWrite",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": "arn:aws:s3:::trail-bucket/AWSLogs/123456789012/*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
                }
            ],
        }
        s3 = cloud.client("s3")
        s3.put_bucket_policy(Bucket="trail-bucket", Policy=json.dumps(policy))
        got = s3.get_bucket_policy(Bucket="trail-bucket")
        assert_shape("s3", "GetBucketPolicy", got)
        assert json.loads(got["Policy"]) == policy
        assert cloud.s3.policy_allows(
            "trail-bucket",
            "cloudtrail.amazonaws.com",
            "s3:PutObject",
            "AWSLogs/123456789012/x.json.gz",
            {"aws:SourceAccount": "123456789012"},
        )
        trail = Principal.service("cloudtrail.amazonaws.com", "123456789012")
        with cloud.as_principal(trail):
            cloud.s3.put_object("trail-bucket", "AWSLogs/123456789012/x.json.gz", b"{}")
            with pytest.raises(AccessDeniedError, match=r"^AccessDenied: Access Denied$"):
                cloud.s3.put_object("trail-bucket", "elsewhere/x", b"{}")
        with pytest.raises(AccessDeniedError):
            cloud.account("210987654321").client("s3").get_object(
                Bucket="trail-bucket", Key="AWSLogs/123456789012/x.json.gz"
            )
