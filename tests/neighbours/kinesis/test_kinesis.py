"""Tests of awsmon/neighbours/kinesis/: streams, shard routing, sequence numbers, iterators."""

from __future__ import annotations

import hashlib
import itertools
import re
from datetime import timedelta
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awsmon import Cloud
from awsmon.errors import ServiceError
from awsmon.neighbours.kinesis import (
    IteratorToken,
    RecordInput,
    ResourceNotFoundException,
    SequenceNumber,
    StreamStatus,
    hash_key_ranges,
)
from awsmon.testing.shapes import assert_shape


@pytest.fixture
def cloud() -> Cloud:
    return Cloud()


def active_stream(cloud: Cloud, name: str = "s", shards: int = 2) -> Any:
    client = cloud.client("kinesis")
    client.create_stream(StreamName=name, ShardCount=shards)
    cloud.clock.advance(1)
    return client


def naive_shard(partition_key: str, shards: list[dict[str, Any]]) -> str:
    """The shard whose HashKeyRange holds the key's MD5, by a linear scan of DescribeStream."""
    key = int(hashlib.md5(partition_key.encode()).hexdigest(), 16)
    for shard in shards:
        low = int(shard["HashKeyRange"]["StartingHashKey"])
        high = int(shard["HashKeyRange"]["EndingHashKey"])
        if low <= key <= high:
            return str(shard["ShardId"])
    raise AssertionError("no shard covers the key")


class TestHashRanges:
    def test_ranges_as_aws_splits_them(self) -> None:
        """Three shards split 2**128 at the boundaries AWS shows for a new stream."""
        assert hash_key_ranges(3) == [
            (0, 113427455640312821154458202477256070484),
            (113427455640312821154458202477256070485, 226854911280625642308916404954512140969),
            (226854911280625642308916404954512140970, 340282366920938463463374607431768211455),
        ]

    @given(st.integers(min_value=1, max_value=64))
    def test_ranges_tile_the_key_space(self, count: int) -> None:
        """The ranges are contiguous, start at 0 and end at 2**128 - 1."""
        ranges = hash_key_ranges(count)
        assert ranges[0][0] == 0 and ranges[-1][1] == 2**128 - 1
        assert all(a[1] + 1 == b[0] for a, b in itertools.pairwise(ranges))


class TestShardSelection:
    @settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        shard_count=st.integers(min_value=1, max_value=7),
        keys=st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=15),
    )
    def test_agrees_with_naive_md5_lookup(self, shard_count: int, keys: list[str]) -> None:
        """Every record lands in the shard a naive MD5 range scan of DescribeStream picks."""
        cloud = Cloud()
        client = active_stream(cloud, shards=shard_count)
        shards = client.describe_stream(StreamName="s")["StreamDescription"]["Shards"]
        result = client.put_records(
            StreamName="s", Records=[{"Data": b"x", "PartitionKey": k} for k in keys]
        )
        assert [r["ShardId"] for r in result["Records"]] == [naive_shard(k, shards) for k in keys]

    def test_explicit_hash_key_overrides_the_partition_key(self, cloud: Cloud) -> None:
        """ExplicitHashKey picks the shard whatever the partition key hashes to."""
        client = active_stream(cloud, shards=2)
        low = client.put_record(StreamName="s", Data=b"a", PartitionKey="k", ExplicitHashKey="0")
        high = client.put_record(
            StreamName="s", Data=b"b", PartitionKey="k", ExplicitHashKey=str(2**128 - 1)
        )
        assert (low["ShardId"], high["ShardId"]) == ("shardId-000000000000", "shardId-000000000001")


class TestSequenceNumbers:
    @given(
        st.builds(
            SequenceNumber,
            shard_created=st.integers(0, 16**9 - 1),
            shard_index=st.integers(0, 2**31 - 1),
            counter=st.integers(0, 2**63 - 1),
            at=st.integers(0, 16**9 - 1),
        )
    )
    def test_text_round_trips(self, number: SequenceNumber) -> None:
        """Every sequence number parses back to its parts."""
        assert SequenceNumber.parse(str(number)) == number

    @settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        st.lists(
            st.tuples(st.text(min_size=1, max_size=8), st.integers(min_value=0, max_value=90)),
            min_size=1,
            max_size=40,
        )
    )
    def test_strictly_increase_per_shard(self, puts: list[tuple[str, int]]) -> None:
        """Within a shard, each record's sequence number is larger than the one before."""
        cloud = Cloud()
        active_stream(cloud, shards=3)
        last: dict[str, int] = {}
        for key, wait in puts:
            cloud.clock.advance(wait)
            put = cloud.kinesis.put_record("s", key.encode(), key)
            number = int(put.sequence_number)
            assert number > last.get(put.shard_id, 0)
            last[put.shard_id] = number
            start = cloud.kinesis.stream("s").shards[int(put.shard_id[-1])]
            assert number > int(start.starting_sequence_number)

    def test_aws_shape(self, cloud: Cloud) -> None:
        """Sequence numbers are 56-digit decimal strings matching the modelled pattern."""
        client = active_stream(cloud)
        number = client.put_record(StreamName="s", Data=b"x", PartitionKey="k")["SequenceNumber"]
        assert re.fullmatch(r"[1-9]\d{55}", number)


class TestStreams:
    def test_status_moves_on_the_clock(self, awsmon_boto3: Cloud) -> None:
        """A new stream is CREATING with no shards, then ACTIVE one second later."""
        client = boto3.client("kinesis")
        assert_shape("kinesis", "CreateStream", client.create_stream(StreamName="s", ShardCount=2))
        described = client.describe_stream(StreamName="s")
        assert_shape("kinesis", "DescribeStream", described)
        assert described["StreamDescription"]["StreamStatus"] == "CREATING"
        assert described["StreamDescription"]["Shards"] == []
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.put_record(StreamName="s", Data=b"x", PartitionKey="k")
        awsmon_boto3.clock.advance(1)
        description = client.describe_stream(StreamName="s")["StreamDescription"]
        assert description["StreamStatus"] == "ACTIVE"
        assert description["StreamARN"] == "arn:aws:kinesis:us-east-1:123456789012:stream/s"
        assert description["RetentionPeriodHours"] == 24
        assert [s["ShardId"] for s in description["Shards"]] == [
            "shardId-000000000000",
            "shardId-000000000001",
        ]
        summary = client.describe_stream_summary(StreamName="s")
        assert_shape("kinesis", "DescribeStreamSummary", summary)
        assert summary["StreamDescriptionSummary"]["OpenShardCount"] == 2

    def test_on_demand_has_four_shards(self, cloud: Cloud) -> None:
        """ON_DEMAND streams (and streams created without a shard count) start with 4 shards."""
        client = cloud.client("kinesis")
        client.create_stream(StreamName="a", StreamModeDetails={"StreamMode": "ON_DEMAND"})
        client.create_stream(StreamName="b")
        cloud.clock.advance(1)
        for name in ("a", "b"):
            summary = client.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
            assert summary["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
            assert summary["OpenShardCount"] == 4

    def test_list_streams_and_shards_page(self, awsmon_boto3: Cloud) -> None:
        """ListStreams and ListShards page with their tokens; DescribeStream with HasMoreShards."""
        client = boto3.client("kinesis")
        for name in ("c", "a", "b"):
            client.create_stream(StreamName=name, ShardCount=3)
        awsmon_boto3.clock.advance(1)
        first = client.list_streams(Limit=2)
        assert_shape("kinesis", "ListStreams", first)
        assert first["StreamNames"] == ["a", "b"] and first["HasMoreStreams"]
        rest = client.list_streams(NextToken=first["NextToken"])
        assert rest["StreamNames"] == ["c"] and not rest["HasMoreStreams"]
        shards = client.list_shards(StreamName="a", MaxResults=2)
        assert_shape("kinesis", "ListShards", shards)
        more = client.list_shards(NextToken=shards["NextToken"])
        assert [s["ShardId"] for s in shards["Shards"] + more["Shards"]] == [
            f"shardId-00000000000{i}" for i in range(3)
        ]
        page = client.describe_stream(StreamName="a", Limit=2)["StreamDescription"]
        assert page["HasMoreShards"] and len(page["Shards"]) == 2
        paginated = client.get_paginator("list_streams").paginate(PaginationConfig={"PageSize": 1})
        assert [n for p in paginated for n in p["StreamNames"]] == ["a", "b", "c"]

    def test_delete_takes_a_second(self, cloud: Cloud) -> None:
        """A deleted stream is DELETING (and unusable) for a second, then its name is free."""
        client = active_stream(cloud)
        client.delete_stream(StreamName="s")
        summary = client.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]
        assert summary["StreamStatus"] == "DELETING"
        with pytest.raises(ResourceNotFoundException):
            client.put_record(StreamName="s", Data=b"x", PartitionKey="k")
        cloud.clock.advance(1)
        assert client.list_streams()["StreamNames"] == []
        client.create_stream(StreamName="s", ShardCount=1)

    def test_tags(self, cloud: Cloud) -> None:
        """Tags are added, listed by key and removed."""
        client = active_stream(cloud)
        client.add_tags_to_stream(StreamName="s", Tags={"team": "a", "env": "prod"})
        client.remove_tags_from_stream(StreamName="s", TagKeys=["team"])
        listed = client.list_tags_for_stream(StreamName="s")
        assert_shape("kinesis", "ListTagsForStream", listed)
        assert listed["Tags"] == [{"Key": "env", "Value": "prod"}]


class TestRecords:
    def test_round_trip_through_shards(self, awsmon_boto3: Cloud) -> None:
        """Records put with PutRecords come back from every shard, in order, with their data."""
        client = boto3.client("kinesis")
        client.create_stream(StreamName="s", ShardCount=3)
        awsmon_boto3.clock.advance(1)
        sent = [(f"key-{i}", f"payload {i}".encode()) for i in range(30)]
        put = client.put_records(
            StreamName="s", Records=[{"Data": d, "PartitionKey": k} for k, d in sent]
        )
        assert_shape("kinesis", "PutRecords", put)
        assert put["FailedRecordCount"] == 0
        awsmon_boto3.clock.advance(2)
        received: dict[str, bytes] = {}
        for shard in client.list_shards(StreamName="s")["Shards"]:
            iterator = client.get_shard_iterator(
                StreamName="s", ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )
            assert_shape("kinesis", "GetShardIterator", iterator)
            got = client.get_records(ShardIterator=iterator["ShardIterator"])
            assert_shape("kinesis", "GetRecords", got)
            assert got["MillisBehindLatest"] == 0
            numbers = [int(r["SequenceNumber"]) for r in got["Records"]]
            assert numbers == sorted(numbers)
            for record in got["Records"]:
                assert record["ApproximateArrivalTimestamp"] == awsmon_boto3.clock.now() - (
                    timedelta(seconds=2)
                )
                received[record["PartitionKey"]] = record["Data"]
        assert received == dict(sent)

    def test_iterator_types(self, cloud: Cloud) -> None:
        """AT/AFTER_SEQUENCE_NUMBER, LATEST and AT_TIMESTAMP start where AWS says."""
        client = active_stream(cloud, shards=1)
        numbers = []
        for i in range(3):
            put = client.put_record(StreamName="s", Data=str(i).encode(), PartitionKey="k")
            numbers.append(put["SequenceNumber"])
            cloud.clock.advance(10)

        def read(kind: str, **kwargs: Any) -> list[bytes]:
            it = client.get_shard_iterator(
                StreamName="s", ShardId="shardId-000000000000", ShardIteratorType=kind, **kwargs
            )["ShardIterator"]
            return [r["Data"] for r in client.get_records(ShardIterator=it)["Records"]]

        at = read("AT_SEQUENCE_NUMBER", StartingSequenceNumber=numbers[1])
        after = read("AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=numbers[1])
        assert (at, after) == ([b"1", b"2"], [b"2"])
        start = cloud.clock.now() - timedelta(seconds=25)
        assert read("AT_TIMESTAMP", Timestamp=start) == [b"1", b"2"]
        latest = client.get_shard_iterator(
            StreamName="s", ShardId="shardId-000000000000", ShardIteratorType="LATEST"
        )["ShardIterator"]
        assert client.get_records(ShardIterator=latest)["Records"] == []
        client.put_record(StreamName="s", Data=b"new", PartitionKey="k")
        assert [r["Data"] for r in client.get_records(ShardIterator=latest)["Records"]] == [b"new"]

    def test_limit_next_iterator_and_lag(self, cloud: Cloud) -> None:
        """Limit pages the shard; MillisBehindLatest is the age of the first unread record."""
        client = active_stream(cloud, shards=1)
        for i in range(5):
            client.put_record(StreamName="s", Data=bytes([i]), PartitionKey="k")
            cloud.clock.advance(1)
        it = client.get_shard_iterator(
            StreamName="s", ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        first = client.get_records(ShardIterator=it, Limit=2)
        assert [r["Data"] for r in first["Records"]] == [b"\x00", b"\x01"]
        assert first["MillisBehindLatest"] == 3000
        second = client.get_records(ShardIterator=first["NextShardIterator"], Limit=10)
        assert [r["Data"] for r in second["Records"]] == [b"\x02", b"\x03", b"\x04"]
        assert second["MillisBehindLatest"] == 0
        empty = client.get_records(ShardIterator=second["NextShardIterator"])
        assert empty["Records"] == [] and empty["NextShardIterator"]

    def test_iterator_expires_after_five_minutes(self, cloud: Cloud) -> None:
        """An iterator read 5 minutes after it was handed out raises ExpiredIteratorException."""
        client = active_stream(cloud, shards=1)
        it = client.get_shard_iterator(
            StreamName="s", ShardId="shardId-000000000000", ShardIteratorType="LATEST"
        )["ShardIterator"]
        cloud.clock.advance(299)
        fresh = client.get_records(ShardIterator=it)["NextShardIterator"]
        cloud.clock.advance(1)
        with pytest.raises(ServiceError) as caught:
            client.get_records(ShardIterator=it)
        assert caught.value.code == "ExpiredIteratorException"
        assert re.match(
            r"^Iterator expired\. The iterator was created at time \w{3} \w{3} \d\d "
            r"[\d:]{8} UTC \d{4} while right now it is .* tolerated delay of 300000 "
            r"milliseconds\.$",
            caught.value.message,
        )
        client.get_records(ShardIterator=fresh)

    def test_retention_on_the_clock(self, cloud: Cloud) -> None:
        """Records go after 24 hours; a longer retention keeps them; a shorter one drops them."""
        client = active_stream(cloud, shards=1)
        client.put_record(StreamName="s", Data=b"old", PartitionKey="k")
        cloud.clock.advance(timedelta(hours=23))
        client.increase_stream_retention_period(StreamName="s", RetentionPeriodHours=48)
        client.put_record(StreamName="s", Data=b"new", PartitionKey="k")
        cloud.clock.advance(timedelta(hours=2))
        assert [r.data for r in cloud.kinesis.records("s")] == [b"old", b"new"]
        client.decrease_stream_retention_period(StreamName="s", RetentionPeriodHours=24)
        assert [r.data for r in cloud.kinesis.records("s")] == [b"new"]
        it = client.get_shard_iterator(
            StreamName="s", ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        assert [r["Data"] for r in client.get_records(ShardIterator=it)["Records"]] == [b"new"]

    def test_per_record_throughput_failures(self, cloud: Cloud) -> None:
        """Past 1 MiB in a second a shard refuses records; PutRecords reports them one by one."""
        client = active_stream(cloud, shards=1)
        big = b"x" * 400_000
        result = client.put_records(
            StreamName="s", Records=[{"Data": big, "PartitionKey": str(i)} for i in range(3)]
        )
        assert result["FailedRecordCount"] == 1
        failed = result["Records"][2]
        assert failed == {
            "ErrorCode": "ProvisionedThroughputExceededException",
            "ErrorMessage": "Rate exceeded for shard shardId-000000000000 in stream s under "
            "account 123456789012.",
        }
        cloud.clock.advance(1)
        client.put_record(StreamName="s", Data=big, PartitionKey="again")

    def test_domain_put_by_arn_reaches_another_account(self, cloud: Cloud) -> None:
        """A domain put_record with an ARN lands in the stream of that account and region
        (called by that account: another one's caller needs the stream's resource policy)."""
        other = cloud.account("210987654321").region("eu-west-1").kinesis
        stream = other.create_stream("remote", 1)
        cloud.clock.advance(1)
        with pytest.raises(ServiceError, match="no resource-based policy allows"):
            cloud.kinesis.put_record(stream.arn, b"hi", "k")
        with cloud.as_principal("arn:aws:iam::210987654321:root"):
            result = cloud.kinesis.put_record(stream.arn, b"hi", "k")
            entries = cloud.kinesis.put_records(
                stream.arn, [RecordInput(data=b"x", partition_key="k")]
            )
        assert result.shard_id == "shardId-000000000000"
        assert [r.data for r in other.records("remote")] == [b"hi", b"x"]
        assert not entries[0].failed

    def test_iterator_of_a_recreated_stream_is_refused(self, cloud: Cloud) -> None:
        """An iterator of a deleted stream does not read a new stream of the same name."""
        client = active_stream(cloud, shards=1)
        it = client.get_shard_iterator(
            StreamName="s", ShardId="shardId-000000000000", ShardIteratorType="LATEST"
        )["ShardIterator"]
        client.delete_stream(StreamName="s")
        cloud.clock.advance(1)
        active_stream(cloud, shards=1)
        with pytest.raises(ResourceNotFoundException, match=r"^.*does not exist$"):
            client.get_records(ShardIterator=it)

    def test_iterator_token_round_trips(self) -> None:
        """The iterator text decodes back to the token it came from."""
        token = IteratorToken(
            issued_ms=1,
            account_id="123456789012",
            region="us-east-1",
            stream_name="s.1_x-y",
            stream_created_ms=2,
            shard_index=3,
            position=4,
        )
        assert IteratorToken.parse(str(token)) == token
        assert IteratorToken.parse("not-an-iterator") is None


SEQ_OTHER_SHARD = str(SequenceNumber(0, 1, 1, 0))

ERRORS = [
    ("exists", "create_stream", {"StreamName": "s", "ShardCount": 1}, "ResourceInUseException",
     r"^Stream s under account 123456789012 already exists\.$"),
    ("shard-count", "create_stream", {"StreamName": "n", "ShardCount": 0}, "ValidationException",
     r"^1 validation error detected: Value '0' at 'shardCount' failed to satisfy constraint: "
     r"Member must have value greater than or equal to 1$"),
    ("bad-name", "create_stream", {"StreamName": "bad name", "ShardCount": 1},
     "ValidationException", r"^1 validation error detected: Value 'bad name' at 'streamName'"),
    ("quota", "create_stream", {"StreamName": "n", "ShardCount": 501}, "LimitExceededException",
     r"^This request would exceed the shard limit for the account 123456789012 in us-east-1\. "
     r"Current shard count for the account: 2\. Limit: 500\."),
    ("mode-and-count", "create_stream",
     {"StreamName": "n", "ShardCount": 2, "StreamModeDetails": {"StreamMode": "ON_DEMAND"}},
     "InvalidArgumentException", r"^ShardCount is not supported"),
    ("missing", "describe_stream", {"StreamName": "nope"}, "ResourceNotFoundException",
     r"^Stream nope under account 123456789012 not found\.$"),
    ("no-stream", "describe_stream", {}, "InvalidArgumentException",
     r"^Either StreamName or StreamARN should be provided\.$"),
    ("partition-key", "put_record", {"StreamName": "s", "Data": b"x"}, "ValidationException",
     r"^1 validation error detected: Value null at 'partitionKey' failed to satisfy "
     r"constraint: Member must not be null$"),
    ("hash-key", "put_record",
     {"StreamName": "s", "Data": b"x", "PartitionKey": "k", "ExplicitHashKey": str(2**128)},
     "InvalidArgumentException",
     r"^Invalid ExplicitHashKey\. ExplicitHashKey must be in the range: \[0, 2\^128-1\]\. "
     r"Specified value was 340282366920938463463374607431768211456$"),
    ("too-big", "put_record",
     {"StreamName": "s", "Data": b"x" * 1_048_576, "PartitionKey": "k"}, "ValidationException",
     r"^1 validation error detected: Value at 'data' failed to satisfy constraint: Member must "
     r"have length less than or equal to 1048576$"),
    ("no-shard", "get_shard_iterator",
     {"StreamName": "s", "ShardId": "shardId-000000000009", "ShardIteratorType": "LATEST"},
     "ResourceNotFoundException",
     r"^Shard shardId-000000000009 in stream s under account 123456789012 does not exist$"),
    ("seq-missing", "get_shard_iterator",
     {"StreamName": "s", "ShardId": "shardId-000000000000",
      "ShardIteratorType": "AT_SEQUENCE_NUMBER"}, "InvalidArgumentException",
     r"^Must either specify \(1\) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
     r"StartingSequenceNumber or \(2\) TRIM_HORIZON or LATEST and no StartingSequenceNumber\. "
     r"Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber\.$"),
    ("seq-other-shard", "get_shard_iterator",
     {"StreamName": "s", "ShardId": "shardId-000000000000",
      "ShardIteratorType": "AT_SEQUENCE_NUMBER", "StartingSequenceNumber": SEQ_OTHER_SHARD},
     "InvalidArgumentException",
     r"^Invalid StartingSequenceNumber\. It encodes shardId-000000000001, while it was used in "
     r"a call to a shard with shardId-000000000000$"),
    ("seq-foreign", "get_shard_iterator",
     {"StreamName": "s", "ShardId": "shardId-000000000000",
      "ShardIteratorType": "AT_SEQUENCE_NUMBER", "StartingSequenceNumber": "12345"},
     "InvalidArgumentException",
     r"^StartingSequenceNumber 12345 used in GetShardIterator on shard shardId-000000000000 in "
     r"stream s under account 123456789012 is invalid\.$"),
    ("no-timestamp", "get_shard_iterator",
     {"StreamName": "s", "ShardId": "shardId-000000000000", "ShardIteratorType": "AT_TIMESTAMP"},
     "InvalidArgumentException", r"^Must specify timestampInMillis parameter"),
    ("future-timestamp", "get_shard_iterator",
     {"StreamName": "s", "ShardId": "shardId-000000000000", "ShardIteratorType": "AT_TIMESTAMP",
      "Timestamp": 4102444800}, "InvalidArgumentException",
     r"^The timestampInMillis parameter cannot be greater than the currentTimestampInMillis\. "
     r"timestampInMillis: 4102444800000, currentTimestampInMillis: \d+$"),
    ("bad-iterator", "get_records", {"ShardIterator": "AAAA"}, "InvalidArgumentException",
     r"^Invalid ShardIterator\.$"),
    ("retention-short", "increase_stream_retention_period",
     {"StreamName": "s", "RetentionPeriodHours": 12}, "InvalidArgumentException",
     r"^Minimum allowed retention period is 24 hours\. Requested retention period \(12 hours\) "
     r"is too short\.$"),
    ("retention-long", "decrease_stream_retention_period",
     {"StreamName": "s", "RetentionPeriodHours": 8761}, "InvalidArgumentException",
     r"^Maximum allowed retention period is 8760 hours\."),
    ("increase-shorter", "increase_stream_retention_period",
     {"StreamName": "s", "RetentionPeriodHours": 24}, "InvalidArgumentException",
     r"^Requested retention period \(24 hours\) for stream s can not be shorter than existing "
     r"retention period \(48 hours\)\. Use DecreaseRetentionPeriod API\.$"),
    ("decrease-longer", "decrease_stream_retention_period",
     {"StreamName": "s", "RetentionPeriodHours": 72}, "InvalidArgumentException",
     r"^Requested retention period \(72 hours\) for stream s can not be longer than existing "
     r"retention period \(48 hours\)\. Use IncreaseRetentionPeriod API\.$"),
    ("list-shards-both", "list_shards", {"StreamName": "s", "NextToken": "abc"},
     "InvalidArgumentException", r"^NextToken and StreamName cannot be provided together\.$"),
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
        """Invalid calls raise the Kinesis code with AWS's message, and change nothing."""
        client = active_stream(cloud, shards=2)
        client.increase_stream_retention_period(StreamName="s", RetentionPeriodHours=48)
        with pytest.raises(ServiceError) as caught:
            getattr(client, method)(**params)
        assert caught.value.code == code
        assert re.search(message, caught.value.message), caught.value.message
        assert sorted(cloud.kinesis.streams) == ["s"]
        assert cloud.kinesis.records("s") == []
        assert cloud.kinesis.stream("s").retention_hours == 48
        assert cloud.kinesis.stream("s").status is StreamStatus.ACTIVE

    def test_boto3_raises_the_modelled_exceptions(self, awsmon_boto3: Cloud) -> None:
        """boto3 raises client.exceptions.X with the Kinesis code and message."""
        client = boto3.client("kinesis")
        with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
            client.get_shard_iterator(
                StreamName="nope", ShardId="shardId-000000000000", ShardIteratorType="LATEST"
            )
        assert caught.value.response["Error"]["Message"] == (
            "Stream nope under account 123456789012 not found."
        )
