"""Tests of awsmon/logs/subscription_filters.py: the subscription filter operations."""

from __future__ import annotations

import json

import pytest
from logs_app import app_cloud

from awsmon import Cloud
from awsmon.logs.errors import InvalidParameterException, LimitExceededException

DESTINATION = "arn:aws:logs:us-east-1:210987654321:destination:d"


@pytest.fixture
def cloud() -> Cloud:
    """The app cloud, with account 210987654321's destination ``d`` open to it."""
    cloud = app_cloud()
    other = cloud.account("210987654321")
    other.kinesis.create_stream("s", 1)
    cloud.clock.advance(1)
    other.logs.put_destination("d", other.kinesis.stream("s").arn, "arn:aws:iam::1:role/r")
    grant = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "123456789012"},
                       "Action": "logs:PutSubscriptionFilter", "Resource": "*"}],
    }  # fmt: skip
    other.logs.put_destination_policy("d", json.dumps(grant))
    return cloud


class TestPutSubscriptionFilter:
    def test_subscription_filter_limit(self, cloud: Cloud) -> None:
        """Two subscription filters per group; a third is LimitExceededException."""
        for name in ("a", "b"):
            cloud.logs.put_subscription_filter("app", name, "", DESTINATION)
        with pytest.raises(
            LimitExceededException, match=r"^LimitExceededException: Resource limit exceeded\.$"
        ):
            cloud.logs.put_subscription_filter("app", "c", "", DESTINATION)

    @pytest.mark.parametrize(
        "arn",
        [
            "not-an-arn",
            "arn:aws:sqs:us-east-1:123456789012:queue",
            "arn:aws:lambda:us-east-1:123456789012:layer:l",
            "arn:aws:kinesis:us-east-1:123456789012:deliverystream/x",
            "arn::logs:us-east-1:123456789012:destination:d",
        ],
        ids=["text", "sqs", "lambda-layer", "kinesis-firehose-type", "no-partition"],
    )
    def test_destinations_awsmon_cannot_send_to_are_refused(self, cloud: Cloud, arn: str) -> None:
        """Only Lambda functions, Kinesis and Firehose streams and Logs destinations serve."""
        with pytest.raises(
            InvalidParameterException, match=r"^InvalidParameterException: Invalid destinationArn: "
        ):
            cloud.logs.put_subscription_filter("app", "f", "", arn)
        assert cloud.logs.describe_subscription_filters("app").items == ()

    def test_describe_and_delete(self, cloud: Cloud) -> None:
        """Filters are listed by name, with a prefix; a deleted one is gone."""
        for name in ("b", "a"):
            cloud.logs.put_subscription_filter("app", name, "ERROR", DESTINATION)
        listed = cloud.logs.describe_subscription_filters("app")
        assert [f.name for f in listed.items] == ["a", "b"]
        assert [
            f.name
            for f in cloud.logs.describe_subscription_filters("app", filter_name_prefix="b").items
        ] == ["b"]
        cloud.logs.delete_subscription_filter("app", "a")
        assert [f.name for f in cloud.logs.describe_subscription_filters("app").items] == ["b"]
