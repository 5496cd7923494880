"""Tests of awsmon/neighbours/kinesis/metrics.py and options.py: AWS/Kinesis metrics,
enhanced monitoring and stream encryption."""

from __future__ import annotations

from datetime import timedelta

import pytest
from vended_helpers import alarm_state, stat

from awsmon import Cloud
from awsmon.neighbours.kinesis import InvalidArgumentException, RecordInput


@pytest.fixture
def cloud() -> Cloud:
    cloud = Cloud()
    cloud.kinesis.create_stream("s", 2)
    cloud.clock.advance(1)
    return cloud


def kinesis(cloud: Cloud, metric: str, statistic: str = "Sum", **extra: str) -> list[float]:
    return stat(cloud, "AWS/Kinesis", metric, {"StreamName": "s", **extra}, statistic)


class TestStreamMetrics:
    def test_puts_and_gets(self, cloud: Cloud) -> None:
        """PutRecord, PutRecords and GetRecords fill the stream-level metrics."""
        cloud.kinesis.put_record("s", b"abcd", "k")
        pair = [RecordInput(data=d, partition_key=k) for d, k in ((b"xy", "a"), (b"z", "b"))]
        cloud.kinesis.put_records("s", pair)
        shard = cloud.kinesis.put_record("s", b"q", "k").shard_id
        iterator = cloud.kinesis.get_shard_iterator("s", shard, "TRIM_HORIZON")
        cloud.clock.advance(10)
        got = cloud.kinesis.get_records(iterator)
        cloud.clock.advance(timedelta(minutes=1))
        assert kinesis(cloud, "IncomingRecords") == [4.0]
        # a record's size is its data and partition key, as Kinesis meters throughput
        assert kinesis(cloud, "IncomingBytes") == [12.0]
        assert kinesis(cloud, "PutRecord.Bytes") == [7.0]
        assert kinesis(cloud, "PutRecords.TotalRecords") == [2.0]
        assert kinesis(cloud, "PutRecords.SuccessfulRecords") == [2.0]
        assert kinesis(cloud, "GetRecords.Records") == [float(len(got.records))]
        assert kinesis(cloud, "GetRecords.IteratorAgeMilliseconds", "Maximum") == [10_000.0]
        assert kinesis(cloud, "WriteProvisionedThroughputExceeded") == [0.0]
        assert kinesis(cloud, "PutRecord.Success", "Average") == [1.0]

    def test_alarm_on_write_throttling(self, cloud: Cloud) -> None:
        """Throttled puts count in WriteProvisionedThroughputExceeded and fire its alarm."""
        cloud.kinesis.shard_records_per_second = 2
        cloud.cloudwatch.put_metric_alarm(
            "throttled", namespace="AWS/Kinesis", metric_name="WriteProvisionedThroughputExceeded",
            dimensions={"StreamName": "s"}, statistic="Sum", period=60, evaluation_periods=1,
            threshold=0, comparison_operator="GreaterThanThreshold",
        )  # fmt: skip
        five = [RecordInput(data=b"x", partition_key="k") for _ in range(5)]
        results = cloud.kinesis.put_records("s", five)
        assert sum(r.failed for r in results) == 3
        cloud.clock.advance(timedelta(minutes=2))
        assert kinesis(cloud, "PutRecords.ThrottledRecords") == [3.0]
        assert alarm_state(cloud, "throttled") == "ALARM"


class TestEnhancedMonitoring:
    def test_shard_level_metrics_only_when_enabled(self, cloud: Cloud) -> None:
        """Shard-level metrics appear for the metrics EnableEnhancedMonitoring named."""
        shard = cloud.kinesis.put_record("s", b"before", "k").shard_id
        current, desired = cloud.kinesis.enable_enhanced_monitoring("s", ["IncomingBytes"])
        assert (current, desired) == ([], ["IncomingBytes"])
        cloud.kinesis.put_record("s", b"after", "k")
        cloud.clock.advance(timedelta(minutes=1))
        assert kinesis(cloud, "IncomingBytes", ShardId=shard) == [6.0]
        assert kinesis(cloud, "IncomingRecords", ShardId=shard) == []

    def test_wire_all_and_disable(self, cloud: Cloud) -> None:
        """ALL turns every shard-level metric on; DescribeStream shows them."""
        client = cloud.client("kinesis")
        out = client.enable_enhanced_monitoring(StreamName="s", ShardLevelMetrics=["ALL"])
        assert len(out["DesiredShardLevelMetrics"]) == 7
        described = client.describe_stream(StreamName="s")["StreamDescription"]
        assert len(described["EnhancedMonitoring"][0]["ShardLevelMetrics"]) == 7
        out = client.disable_enhanced_monitoring(StreamName="s", ShardLevelMetrics=["ALL"])
        assert out["DesiredShardLevelMetrics"] == []

    def test_unknown_metric(self, cloud: Cloud) -> None:
        """An unknown name is refused before anything changes."""
        with pytest.raises(InvalidArgumentException):
            cloud.kinesis.enable_enhanced_monitoring("s", ["IncomingBytes", "Nope"])
        assert cloud.kinesis.stream("s").shard_level_metrics == set()


class TestEncryption:
    def test_start_and_stop(self, cloud: Cloud) -> None:
        """StartStreamEncryption marks the stream KMS (UPDATING for a moment); Stop undoes it."""
        client = cloud.client("kinesis")
        client.start_stream_encryption(StreamName="s", EncryptionType="KMS", KeyId="alias/k")
        described = client.describe_stream(StreamName="s")["StreamDescription"]
        assert described["StreamStatus"] == "UPDATING"
        assert (described["EncryptionType"], described["KeyId"]) == ("KMS", "alias/k")
        cloud.clock.advance(1)
        put = client.put_record(StreamName="s", Data=b"x", PartitionKey="k")
        assert put["EncryptionType"] == "KMS"
        with pytest.raises(InvalidArgumentException):
            client.stop_stream_encryption(StreamName="s", EncryptionType="KMS", KeyId="other")
        client.stop_stream_encryption(StreamName="s", EncryptionType="KMS", KeyId="alias/k")
        cloud.clock.advance(1)
        described = client.describe_stream(StreamName="s")["StreamDescription"]
        assert described["EncryptionType"] == "NONE" and "KeyId" not in described
