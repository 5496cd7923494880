"""Tests of awsmon/neighbours/firehose/: delivery streams buffering into S3 on the clock."""

from __future__ import annotations

import gzip
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awsmon import Cloud
from awsmon.errors import ServiceError
from awsmon.neighbours.firehose import (
    Firehose,
    PrefixError,
    S3Destination,
    check_prefixes,
    compile_prefix,
)
from awsmon.testing.shapes import assert_shape

ROLE = "arn:aws:iam::123456789012:role/firehose"
KEY = re.compile(
    r"^(?P<prefix>(?:.*/)?)(?P<name>[\w.-]+)-1-(?P<stamp>\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d)-"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?P<ext>(\.gz)?)$"
)


@pytest.fixture
def cloud() -> Cloud:
    cloud = Cloud()
    cloud.s3.create_bucket("archive")
    return cloud


def create(cloud: Cloud, name: str = "fh", **config: Any) -> Any:
    client = cloud.client("firehose")
    destination = {"RoleARN": ROLE, "BucketARN": "arn:aws:s3:::archive", **config}
    client.create_delivery_stream(
        DeliveryStreamName=name, ExtendedS3DestinationConfiguration=destination
    )
    return client


def keys(cloud: Cloud, bucket: str = "archive") -> list[str]:
    return [o.key for o in cloud.s3.list_objects_v2(bucket).contents]


class TestPrefixes:
    @pytest.mark.parametrize(
        ("prefix", "expected"),
        [
            ("", "2018/08/27/10/"),
            ("myFirehosePrefix/", "myFirehosePrefix/2018/08/27/10/"),
            (
                "myPrefix/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/"
                "hour=!{timestamp:HH}/",
                "myPrefix/year=2018/month=08/day=27/hour=10/",
            ),
            ("!{timestamp:yyyy-MM-dd'T'HH:mm}/", "2018-08-27T10:30/"),
            ("d=!{timestamp:D}/", None),
        ],
    )
    def test_documented_examples(self, prefix: str, expected: str | None) -> None:
        """Prefixes evaluate as in Firehose's examples (at 10:30 UTC on Aug 27, 2018)."""
        at = datetime(2018, 8, 27, 10, 30, tzinfo=UTC)
        if expected is None:
            with pytest.raises(PrefixError, match=r"^unsupported timestamp pattern letters 'D' "):
                compile_prefix(prefix)
            return
        assert compile_prefix(prefix).render(at) == expected

    def test_random_string_is_new_at_each_use(self) -> None:
        """Each random-string expression calls the generator anew."""
        values = iter(["aaaaaaaa-aa", "bbbbbbbb-bb"])
        compiled = compile_prefix("r=!{firehose:random-string}/!{firehose:random-string}/")
        at = datetime(2018, 1, 1, tzinfo=UTC)
        rendered = compiled.render(at, random_string=lambda: next(values))
        assert rendered == "r=aaaaaaaa-aa/bbbbbbbb-bb/2018/01/01/00/"

    @pytest.mark.parametrize(
        ("prefix", "errors", "message"),
        [
            ("a/!{timestamp:yyyy}", None, r"^ErrorOutputPrefix cannot be null"),
            ("a/", "e/!{timestamp:yyyy}", r"must contain '!\{firehose:error-output-type\}'$"),
            ("a/!{firehose:error-output-type}", "e/", r"only allowed in ErrorOutputPrefix at "),
            ("a/!{nope:x}", "e/", r"^unknown expression '!\{nope:x\}' at position 2$"),
            ("a/!{timestamp:yyyy", "e/", r"^unclosed expression: expected '\}' at position 2$"),
            ("!{partitionKeyFromQuery:id}", "e/", r"needs dynamic partitioning"),
        ],
    )
    def test_rules(self, prefix: str, errors: str | None, message: str) -> None:
        """Firehose's prefix rules are enforced, naming the position when there is one."""
        with pytest.raises(PrefixError, match=message):
            check_prefixes(prefix, errors)

    @given(st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9999, 1, 1)))
    def test_default_prefix_is_the_utc_hour(self, when: datetime) -> None:
        """The default prefix is the instant's YYYY/MM/dd/HH/ (the oracle is strftime)."""
        at = when.replace(tzinfo=UTC)
        assert compile_prefix("").render(at) == at.strftime("%Y/%m/%d/%H/")


class TestDeliveryStreams:
    def test_create_describe_list_delete(self, awsmon_boto3: Cloud) -> None:
        """A delivery stream is described with AWS's defaults, listed, then deleted."""
        awsmon_boto3.s3.create_bucket("archive")
        client = boto3.client("firehose")
        created = client.create_delivery_stream(
            DeliveryStreamName="fh",
            S3DestinationConfiguration={"RoleARN": ROLE, "BucketARN": "arn:aws:s3:::archive"},
        )
        assert_shape("firehose", "CreateDeliveryStream", created)
        assert created["DeliveryStreamARN"] == (
            "arn:aws:firehose:us-east-1:123456789012:deliverystream/fh"
        )
        described = client.describe_delivery_stream(DeliveryStreamName="fh")
        assert_shape("firehose", "DescribeDeliveryStream", described)
        description = described["DeliveryStreamDescription"]
        assert description["DeliveryStreamStatus"] == "ACTIVE"
        assert description["VersionId"] == "1"
        destination = description["Destinations"][0]
        assert destination["DestinationId"] == "destinationId-000000000001"
        assert destination["S3DestinationDescription"]["BufferingHints"] == {
            "SizeInMBs": 5,
            "IntervalInSeconds": 300,
        }
        assert destination["ExtendedS3DestinationDescription"]["CompressionFormat"] == (
            "UNCOMPRESSED"
        )
        listed = client.list_delivery_streams()
        assert_shape("firehose", "ListDeliveryStreams", listed)
        assert listed["DeliveryStreamNames"] == ["fh"]
        deleted = client.delete_delivery_stream(DeliveryStreamName="fh")
        assert_shape("firehose", "DeleteDeliveryStream", deleted)
        status = client.describe_delivery_stream(DeliveryStreamName="fh")
        assert status["DeliveryStreamDescription"]["DeliveryStreamStatus"] == "DELETING"
        awsmon_boto3.clock.advance(1)
        assert client.list_delivery_streams()["DeliveryStreamNames"] == []

    def test_creating_state_when_a_delay_is_set(
        self, cloud: Cloud, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """With a creation delay, the stream is CREATING and refuses records until ACTIVE."""
        monkeypatch.setattr(Firehose, "creation_delay", timedelta(seconds=30))
        client = create(cloud)
        with pytest.raises(ServiceError, match=r"^.*Firehose fh under account 123456789012"):
            client.put_record(DeliveryStreamName="fh", Record={"Data": b"x"})
        cloud.clock.advance(30)
        client.put_record(DeliveryStreamName="fh", Record={"Data": b"x"})

    def test_tags(self, cloud: Cloud) -> None:
        """Tags are added, listed and removed."""
        client = create(cloud)
        client.tag_delivery_stream(DeliveryStreamName="fh", Tags=[{"Key": "a", "Value": "1"}])
        client.tag_delivery_stream(DeliveryStreamName="fh", Tags=[{"Key": "b", "Value": "2"}])
        client.untag_delivery_stream(DeliveryStreamName="fh", TagKeys=["a"])
        listed = client.list_tags_for_delivery_stream(DeliveryStreamName="fh")
        assert_shape("firehose", "ListTagsForDeliveryStream", listed)
        assert listed["Tags"] == [{"Key": "b", "Value": "2"}]


class TestBuffering:
    def test_interval_delivers_on_the_clock(self, awsmon_boto3: Cloud) -> None:
        """Records put at t=0 land in one object at t=IntervalInSeconds, not a second before."""
        cloud = awsmon_boto3
        cloud.s3.create_bucket("archive")
        create(cloud, BufferingHints={"IntervalInSeconds": 60, "SizeInMBs": 5})
        client = boto3.client("firehose")
        start = cloud.clock.now()
        put = client.put_record(DeliveryStreamName="fh", Record={"Data": b'{"n": 1}\n'})
        assert_shape("firehose", "PutRecord", put)
        cloud.clock.advance(30)
        batch = client.put_record_batch(
            DeliveryStreamName="fh", Records=[{"Data": b'{"n": 2}\n'}, {"Data": '{"n": 3}\n'}]
        )
        assert_shape("firehose", "PutRecordBatch", batch)
        assert batch["FailedPutCount"] == 0 and len(batch["RequestResponses"]) == 2
        cloud.clock.advance(29)
        assert keys(cloud) == []
        cloud.clock.advance(1)
        (key,) = keys(cloud)
        match = KEY.match(key)
        assert match is not None
        assert match["prefix"] == start.strftime("%Y/%m/%d/%H/")
        assert match["name"] == "fh"
        assert match["stamp"] == start.strftime("%Y-%m-%d-%H-%M-%S")
        body = boto3.client("s3").get_object(Bucket="archive", Key=key)["Body"].read()
        assert body == b'{"n": 1}\n{"n": 2}\n{"n": 3}\n'
        assert cloud.firehose.delivery_stream("fh").deliveries[0].record_count == 3

    def test_size_threshold_delivers_at_once(self, cloud: Cloud) -> None:
        """Once the buffer holds SizeInMBs MiB, it is written during the put itself."""
        client = create(cloud, BufferingHints={"IntervalInSeconds": 900, "SizeInMBs": 1})
        chunk = b"x" * 500_000
        client.put_record(DeliveryStreamName="fh", Record={"Data": chunk})
        client.put_record(DeliveryStreamName="fh", Record={"Data": chunk})
        assert keys(cloud) == []
        client.put_record(DeliveryStreamName="fh", Record={"Data": chunk})
        (key,) = keys(cloud)
        assert cloud.s3.get_object("archive", key).size == 1_500_000
        client.put_record(DeliveryStreamName="fh", Record={"Data": b"tail"})
        cloud.clock.advance(900)
        assert len(keys(cloud)) == 2

    def test_gzip_and_custom_prefix(self, cloud: Cloud) -> None:
        """GZIP objects end in .gz and decompress to the records; the prefix is evaluated."""
        client = create(
            cloud,
            CompressionFormat="GZIP",
            Prefix="app/!{timestamp:yyyy}/",
            ErrorOutputPrefix="errors/!{firehose:error-output-type}/",
            BufferingHints={"IntervalInSeconds": 0},
        )
        client.put_record_batch(
            DeliveryStreamName="fh", Records=[{"Data": b"a\n"}, {"Data": b"b\n"}]
        )
        (key,) = keys(cloud)
        match = KEY.match(key)
        assert match is not None and match["ext"] == ".gz"
        assert match["prefix"] == f"app/{cloud.clock.now().year}/"
        assert gzip.decompress(cloud.s3.get_object("archive", key).body) == b"a\nb\n"

    def test_missing_bucket_is_retried_every_five_seconds(self, cloud: Cloud) -> None:
        """A failed write is retried every 5 s; once the bucket exists the object lands."""
        hints = {"IntervalInSeconds": 0}
        client = create(cloud, BucketARN="arn:aws:s3:::later", BufferingHints=hints)
        client.put_record(DeliveryStreamName="fh", Record={"Data": b"x"})
        cloud.clock.advance(12)
        attempts = cloud.firehose.delivery_stream("fh").deliveries
        assert [(d.attempt, d.error_code) for d in attempts] == [
            (1, "NoSuchBucket"),
            (2, "NoSuchBucket"),
            (3, "NoSuchBucket"),
        ]
        cloud.s3.create_bucket("later")
        cloud.clock.advance(3)
        assert attempts[-1].succeeded and len(keys(cloud, "later")) == 1
        assert len({d.key for d in attempts}) == 1

    def test_failed_batch_is_dropped_after_24_hours(self, cloud: Cloud) -> None:
        """After 24 hours of failures the batch is dropped and no more attempts are made."""
        hints = {"IntervalInSeconds": 0}
        client = create(cloud, BucketARN="arn:aws:s3:::never", BufferingHints=hints)
        client.put_record(DeliveryStreamName="fh", Record={"Data": b"x"})
        cloud.clock.advance(timedelta(hours=25))
        attempts = cloud.firehose.delivery_stream("fh").deliveries
        assert attempts[-1].dropped and not any(d.dropped for d in attempts[:-1])
        assert len(attempts) == 24 * 3600 // 5
        # CloudWatch keeps its hourly retention job and S3 its daily storage metrics
        others = ("cloudwatch", "AWS/S3")
        left = [j for j in cloud.clock.pending() if not str(j.name).startswith(others)]
        assert left == []

    def test_batch_over_the_quota_fails_per_record(self) -> None:
        """Outside the big regions 1 MiB/s is the quota: the record over it fails alone."""
        cloud = Cloud(region="eu-west-3")
        cloud.s3.create_bucket("archive", location_constraint="eu-west-3")
        client = create(cloud)
        result = client.put_record_batch(
            DeliveryStreamName="fh", Records=[{"Data": b"x" * 400_000} for _ in range(3)]
        )
        assert result["FailedPutCount"] == 1
        assert result["RequestResponses"][2] == {
            "ErrorCode": "ServiceUnavailableException",
            "ErrorMessage": "Slow down.",
        }
        assert "RecordId" in result["RequestResponses"][0]

    @settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        st.lists(
            st.tuples(st.binary(min_size=0, max_size=300_000), st.integers(0, 120)),
            min_size=1,
            max_size=12,
        )
    )
    def test_objects_hold_every_record_once_in_order(self, puts: list[tuple[bytes, int]]) -> None:
        """Whatever the sizes and waits, the objects concatenate to the records in put order."""
        cloud = Cloud()
        cloud.s3.create_bucket("archive")
        client = create(cloud, BufferingHints={"IntervalInSeconds": 60, "SizeInMBs": 1})
        for data, wait in puts:
            client.put_record(DeliveryStreamName="fh", Record={"Data": data})
            cloud.clock.advance(wait)
        cloud.clock.advance(60)
        stream = cloud.firehose.delivery_stream("fh")
        written = b"".join(cloud.s3.get_object("archive", d.key).body for d in stream.deliveries)
        assert written == b"".join(data for data, _ in puts)
        assert all(d.succeeded for d in stream.deliveries)


class TestFlows:
    def test_sns_subscription_delivers_through_firehose(self, awsmon_boto3: Cloud) -> None:
        """An SNS firehose subscription's messages reach S3 after the buffer interval."""
        cloud = awsmon_boto3
        cloud.s3.create_bucket("archive")
        create(cloud, BufferingHints={"IntervalInSeconds": 60})
        sns = boto3.client("sns")
        topic = sns.create_topic(Name="alerts")["TopicArn"]
        stream_arn = cloud.firehose.delivery_stream("fh").arn
        sns.subscribe(
            TopicArn=topic,
            Protocol="firehose",
            Endpoint=stream_arn,
            Attributes={"SubscriptionRoleArn": ROLE, "RawMessageDelivery": "true"},
        )
        sns.publish(TopicArn=topic, Message="first")
        sns.publish(TopicArn=topic, Message="second")
        cloud.clock.advance(60)
        (key,) = keys(cloud)
        assert cloud.s3.get_object("archive", key).body == b"first\nsecond\n"

    def test_domain_put_by_arn(self, cloud: Cloud) -> None:
        """The domain put_record accepts the stream's ARN, as other services call it."""
        create(cloud, BufferingHints={"IntervalInSeconds": 0})
        arn = cloud.firehose.delivery_stream("fh").arn
        cloud.firehose.put_record(arn, b"by-arn")
        (key,) = keys(cloud)
        assert cloud.s3.get_object("archive", key).body == b"by-arn"


ERRORS = [
    ("exists", "create", {}, "ResourceInUseException",
     r"^Firehose fh under accountId 123456789012 already exists$"),
    ("bad-bucket-arn", "create", {"BucketARN": "archive"}, "ValidationException",
     r"^1 validation error detected: Value 'archive' at "
     r"'extendedS3DestinationConfiguration\.bucketARN' failed to satisfy constraint: Member must "
     r"satisfy regular expression pattern"),
    ("interval", "create", {"BufferingHints": {"IntervalInSeconds": 901}}, "ValidationException",
     r"^1 validation error detected: Value '901' at "
     r"'extendedS3DestinationConfiguration\.bufferingHints\.intervalInSeconds'"),
    ("prefix", "create", {"Prefix": "x/!{timestamp:yyyy}/"}, "InvalidArgumentException",
     r"^ErrorOutputPrefix cannot be null when Prefix contains expressions$"),
    ("time-zone", "create", {"CustomTimeZone": "Mars/Olympus"}, "InvalidArgumentException",
     r"^CustomTimeZone Mars/Olympus is not a supported time zone\.$"),
    ("snappy", "create", {"CompressionFormat": "Snappy"}, "NotImplemented",
     r"^awsmon does not simulate CompressionFormat Snappy$"),
    ("missing", "put_record", {"DeliveryStreamName": "nope", "Record": {"Data": b"x"}},
     "ResourceNotFoundException", r"^Firehose nope under account 123456789012 not found\.$"),
    ("no-record", "put_record", {"DeliveryStreamName": "fh"}, "ValidationException",
     r"^1 validation error detected: Value null at 'record' failed to satisfy constraint: "
     r"Member must not be null$"),
    ("too-big", "put_record", {"DeliveryStreamName": "fh", "Record": {"Data": b"x" * 1_024_001}},
     "ValidationException", r"^1 validation error detected: Value at 'record\.data'"),
    ("empty-batch", "put_record_batch", {"DeliveryStreamName": "fh", "Records": []},
     "ValidationException", r"Member must have length greater than or equal to 1$"),
    ("batch-size", "put_record_batch",
     {"DeliveryStreamName": "fh", "Records": [{"Data": b"x" * 1_000_000}] * 5},
     "InvalidArgumentException", r"^Records size exceeds the PutRecordBatch limit of 4 MiB"),
]


class TestErrors:
    @pytest.mark.parametrize(
        ("method", "params", "code", "message"),
        [e[1:] for e in ERRORS],
        ids=[e[0] for e in ERRORS],
    )
    def test_error_table(
        self, cloud: Cloud, method: str, params: dict[str, Any], code: str, message: str
    ) -> None:
        """Invalid calls raise the Firehose code with AWS's message, and change nothing."""
        client = create(cloud)
        with pytest.raises(ServiceError) as caught:
            if method == "create":
                create(cloud, name="fh" if not params else "other", **params)
            else:
                getattr(client, method)(**params)
        assert caught.value.code == code
        assert re.search(message, caught.value.message), caught.value.message
        assert list(cloud.firehose.delivery_streams) == ["fh"]
        assert cloud.firehose.delivery_stream("fh").buffer == []

    def test_boto3_raises_the_modelled_exception(self, awsmon_boto3: Cloud) -> None:
        """boto3 raises client.exceptions.ResourceNotFoundException with the AWS message."""
        client = boto3.client("firehose")
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.describe_delivery_stream(DeliveryStreamName="nope")

    def test_domain_destination_defaults(self) -> None:
        """S3Destination defaults are AWS's: 5 MiB, 300 s, uncompressed, no extension."""
        destination = S3Destination(bucket_arn="arn:aws:s3:::b", role_arn=ROLE)
        assert (destination.size_in_mbs, destination.interval_in_seconds) == (5, 300)
        assert (destination.bucket, destination.extension) == ("b", "")
