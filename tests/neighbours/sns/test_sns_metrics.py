"""Tests of the AWS/SNS vended metrics and numeric filter precision (awsmon/neighbours/sns/)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from vended_helpers import alarm_state, stat

from awsmon import Cloud
from awsmon.neighbours.sns import FilterPolicy, MessageAttributeValue
from awsmon.policy import guides


@pytest.fixture
def cloud() -> Cloud:
    return Cloud()


def sns(cloud: Cloud, metric: str, statistic: str = "Sum") -> list[float]:
    return stat(cloud, "AWS/SNS", metric, {"TopicName": "t"}, statistic)


class TestMetrics:
    def test_published_delivered_filtered(self, cloud: Cloud) -> None:
        """Publishes, deliveries and filtered-out notifications are counted per topic."""
        topic = cloud.sns.create_topic("t").arn
        queue = cloud.sqs.create_queue("q")
        cloud.sqs.set_queue_attributes(queue.url, {"Policy": guides.sns_to_sqs(topic, queue.arn)})
        cloud.sns.subscribe(topic, "sqs", queue.arn)
        cloud.sns.subscribe(topic, "email", "a@example.com", {"FilterPolicy": '{"k": ["v"]}'})
        cloud.sns.publish(topic, "hello")
        attributes = {"k": MessageAttributeValue("String", "w")}
        cloud.sns.publish(topic, "hi", message_attributes=attributes)
        cloud.clock.advance(timedelta(minutes=1))
        assert sns(cloud, "NumberOfMessagesPublished") == [2.0]
        assert sns(cloud, "NumberOfNotificationsDelivered") == [2.0]
        assert sns(cloud, "NumberOfNotificationsFilteredOut") == [2.0]
        assert sns(cloud, "NumberOfNotificationsFilteredOut-NoMessageAttributes") == [1.0]
        assert sns(cloud, "NumberOfNotificationsFilteredOut-MessageAttributes") == [1.0]
        assert sns(cloud, "PublishSize", "Maximum") == [2.0 + 1 + 6 + 1]  # "hi", "k", "String", "w"

    def test_body_scope_reasons(self, cloud: Cloud) -> None:
        """Body policies count MessageBody and InvalidMessageBody rejections."""
        topic = cloud.sns.create_topic("t").arn
        cloud.sns.subscribe(
            topic, "email", "a@example.com",
            {"FilterPolicy": '{"k": ["v"]}', "FilterPolicyScope": "MessageBody"},
        )  # fmt: skip
        cloud.sns.publish(topic, "not json")
        cloud.sns.publish(topic, '{"k": "w"}')
        cloud.clock.advance(timedelta(minutes=1))
        assert sns(cloud, "NumberOfNotificationsFilteredOut-InvalidMessageBody") == [1.0]
        assert sns(cloud, "NumberOfNotificationsFilteredOut-MessageBody") == [1.0]

    def test_alarm_on_failed_notifications(self, cloud: Cloud) -> None:
        """An alarm on NumberOfNotificationsFailed fires when the queue is gone."""
        topic = cloud.sns.create_topic("t").arn
        queue = cloud.sqs.create_queue("q")
        cloud.sns.subscribe(topic, "sqs", queue.arn)
        cloud.sqs.delete_queue(queue.url)
        cloud.cloudwatch.put_metric_alarm(
            "undelivered", namespace="AWS/SNS", metric_name="NumberOfNotificationsFailed",
            dimensions={"TopicName": "t"}, statistic="Sum", period=60, evaluation_periods=1,
            threshold=0, comparison_operator="GreaterThanThreshold",
        )  # fmt: skip
        cloud.sns.publish(topic, "lost")
        cloud.clock.advance(timedelta(minutes=2))
        assert sns(cloud, "NumberOfNotificationsFailed") == [1.0]
        assert alarm_state(cloud, "undelivered") == "ALARM"


class TestNumericPrecision:
    @pytest.mark.parametrize(
        ("policy", "value", "expected"),
        [
            ([{"numeric": ["=", 1]}], 1.000001, True),
            ([{"numeric": ["=", 1]}], 1.00001, False),
            ([{"numeric": [">", 0.3]}], 0.1 + 0.2, False),
            ([{"numeric": ["<=", 5.123455]}], 5.1234549, True),
            ([2.5], 2.500004, True),
            ([{"anything-but": [7]}], 7.000001, False),
        ],
    )
    def test_five_decimal_places(self, policy: list[object], value: float, expected: bool) -> None:
        """SNS compares numbers at 5 decimal places (SNS developer guide, numeric matching)."""
        parsed = FilterPolicy.parse(json.dumps({"n": policy}))
        assert parsed.matches({"n": value}) is expected

    @given(st.integers(-10**9, 10**9), st.integers(0, 99_999), st.integers(0, 4))
    def test_digits_past_the_fifth_never_matter(self, whole: int, frac: int, noise: int) -> None:
        """Adding less than half a unit of the fifth decimal never changes an equality match."""
        base = whole + frac / 100_000
        parsed = FilterPolicy.parse(json.dumps({"n": [{"numeric": ["=", base]}]}))
        assert parsed.matches({"n": base + noise / 10_000_000})
