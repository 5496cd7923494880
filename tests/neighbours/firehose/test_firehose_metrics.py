"""Tests of awsmon/neighbours/firehose/metrics.py: the AWS/Firehose vended metrics."""

from __future__ import annotations

from datetime import timedelta

import pytest
from vended_helpers import alarm_state, stat

from awsmon import Cloud

ROLE = "arn:aws:iam::123456789012:role/firehose"


@pytest.fixture
def cloud() -> Cloud:
    cloud = Cloud()
    cloud.s3.create_bucket("archive")
    return cloud


def create(cloud: Cloud, bucket: str = "archive", interval: int = 60) -> None:
    cloud.client("firehose").create_delivery_stream(
        DeliveryStreamName="fh",
        ExtendedS3DestinationConfiguration={
            "RoleARN": ROLE,
            "BucketARN": f"arn:aws:s3:::{bucket}",
            "BufferingHints": {"IntervalInSeconds": interval},
        },
    )


def firehose(cloud: Cloud, metric: str, statistic: str = "Sum") -> list[float]:
    return stat(cloud, "AWS/Firehose", metric, {"DeliveryStreamName": "fh"}, statistic)


class TestMetrics:
    def test_incoming_and_delivery(self, cloud: Cloud) -> None:
        """Puts count as incoming; the buffered object counts as delivered with its freshness."""
        create(cloud)
        client = cloud.client("firehose")
        client.put_record(DeliveryStreamName="fh", Record={"Data": b"abc"})
        client.put_record_batch(
            DeliveryStreamName="fh", Records=[{"Data": b"de"}, {"Data": b"f"}]
        )
        cloud.clock.advance(timedelta(minutes=3))
        assert sum(firehose(cloud, "IncomingRecords")) == 3.0
        assert sum(firehose(cloud, "IncomingBytes")) == 6.0
        assert sum(firehose(cloud, "IncomingPutRequests")) == 2.0
        assert sum(firehose(cloud, "DeliveryToS3.Records")) == 3.0
        assert firehose(cloud, "DeliveryToS3.Success", "Average")[-1] == 1.0
        assert max(firehose(cloud, "DeliveryToS3.DataFreshness", "Maximum")) == 60.0

    def test_alarm_on_data_freshness(self, cloud: Cloud) -> None:
        """Records that cannot reach their bucket age in DataFreshness until the alarm fires."""
        create(cloud, bucket="missing")
        cloud.cloudwatch.put_metric_alarm(
            "stale", namespace="AWS/Firehose", metric_name="DeliveryToS3.DataFreshness",
            dimensions={"DeliveryStreamName": "fh"}, statistic="Maximum", period=60,
            evaluation_periods=1, threshold=600, comparison_operator="GreaterThanThreshold",
        )  # fmt: skip
        cloud.client("firehose").put_record(DeliveryStreamName="fh", Record={"Data": b"x"})
        cloud.clock.advance(timedelta(minutes=5))
        assert alarm_state(cloud, "stale") != "ALARM"
        assert firehose(cloud, "DeliveryToS3.Success", "Average")[-1] == 0.0
        cloud.clock.advance(timedelta(minutes=8))
        assert alarm_state(cloud, "stale") == "ALARM"
