"""Tests of the AWS/Logs vended metrics (awsmon/logs/_core.py, subscriptions.py)."""

from __future__ import annotations

import gzip
import json
from datetime import timedelta

import pytest
from vended_helpers import alarm_state, stat

from awsmon import Cloud
from awsmon.errors import ServiceError

ROLE = "arn:aws:iam::123456789012:role/CWLtoKinesis"


@pytest.fixture
def cloud() -> Cloud:
    cloud = Cloud()
    cloud.logs.create_log_group("app")
    cloud.logs.create_log_stream("app", "web")
    return cloud


def put(cloud: Cloud, *messages: str) -> None:
    stamp = int(cloud.clock.now().timestamp() * 1000)
    cloud.logs.put_log_events("app", "web", [(stamp, m) for m in messages])


class TestIncoming:
    def test_incoming_events_and_bytes(self, cloud: Cloud) -> None:
        """Accepted events count per log group and for the account (no dimension)."""
        put(cloud, "hello", "wörld")
        cloud.clock.advance(timedelta(minutes=1))
        group = {"LogGroupName": "app"}
        assert stat(cloud, "AWS/Logs", "IncomingLogEvents", group) == [2.0]
        assert stat(cloud, "AWS/Logs", "IncomingBytes", group) == [11.0]
        assert stat(cloud, "AWS/Logs", "IncomingLogEvents", {}) == [2.0]

    def test_alarm_on_incoming_events(self, cloud: Cloud) -> None:
        """An alarm on a log group's IncomingLogEvents fires on a burst."""
        cloud.cloudwatch.put_metric_alarm(
            "noisy", namespace="AWS/Logs", metric_name="IncomingLogEvents",
            dimensions={"LogGroupName": "app"}, statistic="Sum", period=60,
            evaluation_periods=1, threshold=100, comparison_operator="GreaterThanThreshold",
        )  # fmt: skip
        put(cloud, *(f"line {n}" for n in range(150)))
        cloud.clock.advance(timedelta(minutes=2))
        assert alarm_state(cloud, "noisy") == "ALARM"


class TestForwarding:
    def subscribe(self, cloud: Cloud) -> None:
        cloud.kinesis.create_stream("logs", 1)
        cloud.clock.advance(1)
        cloud.logs.put_subscription_filter(
            "app", "errors", "ERROR", cloud.kinesis.stream("logs").arn, role_arn=ROLE
        )

    def where(self) -> dict[str, str]:
        return {"LogGroupName": "app", "DestinationType": "Kinesis", "FilterName": "errors"}

    def test_forwarded(self, cloud: Cloud) -> None:
        """Matching events delivered to Kinesis count as ForwardedLogEvents and ForwardedBytes."""
        self.subscribe(cloud)
        put(cloud, "ERROR a", "fine", "ERROR b")
        cloud.clock.advance(timedelta(minutes=1))
        assert stat(cloud, "AWS/Logs", "ForwardedLogEvents", self.where()) == [2.0]
        assert stat(cloud, "AWS/Logs", "ForwardedBytes", self.where()) == [14.0]

    def test_throttling_and_errors(self, cloud: Cloud) -> None:
        """A stream over its rate counts DeliveryThrottling; a deleted one DeliveryErrors."""
        self.subscribe(cloud)
        cloud.kinesis.shard_records_per_second = 0
        put(cloud, "ERROR a")
        cloud.kinesis.delete_stream("logs")
        put(cloud, "ERROR b", "ERROR c")
        cloud.clock.advance(timedelta(minutes=1))
        assert stat(cloud, "AWS/Logs", "DeliveryThrottling", self.where()) == [1.0]
        assert stat(cloud, "AWS/Logs", "DeliveryErrors", self.where()) == [2.0]


class TestExportBeforeCreation:
    def test_range_before_the_group_existed(self, cloud: Cloud) -> None:
        """CreateExportTask accepts from/to earlier than the group's creation, as AWS does."""
        cloud.s3.create_bucket("exports")
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
                    "Action": ["s3:GetBucketAcl", "s3:PutObject"],
                    "Resource": ["arn:aws:s3:::exports", "arn:aws:s3:::exports/*"],
                }
            ],
        }
        cloud.s3.put_bucket_policy("exports", json.dumps(policy))
        now = int(cloud.clock.now().timestamp() * 1000)
        day = 86_400_000
        cloud.logs.put_log_events("app", "web", [(now - 3 * day, "old line")])
        task = cloud.logs.create_export_task("app", now - 5 * day, now - 2 * day, "exports")
        cloud.clock.advance(60)
        keys = [o.key for o in cloud.s3.list_objects_v2("exports").contents]
        assert f"exportedlogs/{task}/web/000000.gz" in keys


class TestDestinations:
    def test_cross_account_subscription_reaches_the_kinesis_target(self) -> None:
        """A log group of account A subscribed to B's destination lands in B's stream."""
        cloud = Cloud()
        receiver = cloud.account("210987654321")
        receiver.kinesis.create_stream("central", 1)
        cloud.clock.advance(1)
        stream_arn = receiver.kinesis.stream("central").arn
        logs_b = receiver.client("logs")
        made = logs_b.put_destination(
            destinationName="central", targetArn=stream_arn, roleArn=ROLE
        )["destination"]
        arn = made["arn"]
        assert arn == "arn:aws:logs:us-east-1:210987654321:destination:central"
        cloud.logs.create_log_group("app")
        cloud.logs.create_log_stream("app", "web")
        with pytest.raises(ServiceError) as caught:
            cloud.logs.put_subscription_filter("app", "all", "", arn)
        assert caught.value.code == "AccessDeniedException"
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "123456789012"},
                    "Action": "logs:PutSubscriptionFilter",
                    "Resource": arn,
                }
            ],
        }
        logs_b.put_destination_policy(destinationName="central", accessPolicy=json.dumps(policy))
        described = logs_b.describe_destinations()["destinations"]
        assert described[0]["accessPolicy"] == json.dumps(policy)
        cloud.logs.put_subscription_filter("app", "all", "", arn)
        put(cloud, "shipped")
        records = receiver.kinesis.records("central")
        documents = [json.loads(gzip.decompress(r.data)) for r in records]
        assert [d["messageType"] for d in documents] == ["CONTROL_MESSAGE", "DATA_MESSAGE"]
        assert documents[1]["owner"] == "123456789012"
        assert documents[1]["logEvents"][0]["message"] == "shipped"
        logs_b.delete_destination(destinationName="central")
        assert logs_b.describe_destinations()["destinations"] == []
