"""Tests of awsmon/neighbours/sqs/metrics.py: the AWS/SQS vended metrics."""

from __future__ import annotations

from datetime import timedelta

import pytest
from vended_helpers import alarm_state, stat

from awsmon import Cloud
from awsmon.cloudwatch import MetricKey
from awsmon.errors import ServiceError


@pytest.fixture
def cloud() -> Cloud:
    return Cloud()


def sqs(cloud: Cloud, metric: str, queue: str, statistic: str = "Sum") -> list[float]:
    """The one-minute `statistic` of an AWS/SQS metric of `queue`, oldest first."""
    return stat(cloud, "AWS/SQS", metric, {"QueueName": queue}, statistic)


class TestCounters:
    def test_sent_received_deleted_empty(self, cloud: Cloud) -> None:
        """A minute's sends, receives, deletes and empty receives are one datapoint each."""
        url = cloud.sqs.create_queue("jobs").url
        for body in ("a", "bb", "cccc"):
            cloud.sqs.send_message(url, body)
        got = cloud.sqs.receive_message(url, max_number_of_messages=10)
        for message in got:
            cloud.sqs.delete_message(url, message.receipt_handle)
        cloud.sqs.receive_message(url)
        cloud.clock.advance(timedelta(minutes=1))
        assert sqs(cloud, "NumberOfMessagesSent", "jobs") == [3.0]
        assert sqs(cloud, "NumberOfMessagesReceived", "jobs") == [3.0]
        assert sqs(cloud, "NumberOfMessagesDeleted", "jobs") == [3.0]
        assert sqs(cloud, "NumberOfEmptyReceives", "jobs") == [1.0]
        assert sqs(cloud, "SentMessageSize", "jobs", "Average") == [pytest.approx(7 / 3)]
        assert sqs(cloud, "SentMessageSize", "jobs", "Maximum") == [4.0]
        metric = cloud.cloudwatch.metric(
            MetricKey.of("AWS/SQS", "SentMessageSize", {"QueueName": "jobs"})
        )
        assert metric is not None and [u.value for u in metric.series] == ["Bytes"]

    def test_active_queue_publishes_zeros(self, cloud: Cloud) -> None:
        """An active queue without traffic in a minute shows 0, not a gap."""
        url = cloud.sqs.create_queue("jobs").url
        cloud.sqs.send_message(url, "x")
        cloud.clock.advance(timedelta(minutes=3))
        assert sqs(cloud, "NumberOfMessagesSent", "jobs") == [1.0, 0.0, 0.0]
        assert sqs(cloud, "ApproximateNumberOfMessagesVisible", "jobs", "Maximum") == [1.0] * 3

    def test_idle_empty_queue_stops_after_six_hours(self, cloud: Cloud) -> None:
        """An empty queue without activity for six hours publishes nothing more."""
        url = cloud.sqs.create_queue("jobs").url
        cloud.sqs.receive_message(url)
        cloud.clock.advance(timedelta(hours=7))
        assert not any(j.name and j.name.startswith("AWS/SQS") for j in cloud.clock.pending())
        cloud.clock.advance(timedelta(minutes=1))
        assert sqs(cloud, "NumberOfEmptyReceives", "jobs") == []

    def test_off(self, cloud: Cloud) -> None:
        """With vended metrics off nothing reaches CloudWatch."""
        cloud.sqs.vended.enabled = False
        url = cloud.sqs.create_queue("jobs").url
        cloud.sqs.send_message(url, "x")
        cloud.clock.advance(timedelta(minutes=2))
        assert sqs(cloud, "NumberOfMessagesSent", "jobs") == []


class TestGauges:
    def test_visible_in_flight_delayed(self, cloud: Cloud) -> None:
        """The Approximate* gauges count what the queue holds at the minute's end."""
        url = cloud.sqs.create_queue("jobs").url
        for _ in range(3):
            cloud.sqs.send_message(url, "x")
        cloud.sqs.send_message(url, "later", delay_seconds=600)
        cloud.sqs.receive_message(url, visibility_timeout=300)
        cloud.clock.advance(timedelta(minutes=1))
        assert sqs(cloud, "ApproximateNumberOfMessagesVisible", "jobs", "Maximum") == [2.0]
        assert sqs(cloud, "ApproximateNumberOfMessagesNotVisible", "jobs", "Maximum") == [1.0]
        assert sqs(cloud, "ApproximateNumberOfMessagesDelayed", "jobs", "Maximum") == [1.0]

    def test_alarm_on_age_of_oldest_message(self, cloud: Cloud) -> None:
        """An alarm on ApproximateAgeOfOldestMessage > 300 s fires once the message is 5 min old."""
        start = cloud.clock.now()
        url = cloud.sqs.create_queue("jobs").url
        cloud.sqs.send_message(url, "stuck")
        cloud.cloudwatch.put_metric_alarm(
            "stuck-jobs", namespace="AWS/SQS", metric_name="ApproximateAgeOfOldestMessage",
            dimensions={"QueueName": "jobs"}, statistic="Maximum", period=60,
            evaluation_periods=1, threshold=300, comparison_operator="GreaterThanThreshold",
        )  # fmt: skip
        cloud.clock.advance(timedelta(minutes=5))
        assert alarm_state(cloud, "stuck-jobs") != "ALARM"
        cloud.clock.advance(timedelta(minutes=3))
        assert alarm_state(cloud, "stuck-jobs") == "ALARM"
        alarm = cloud.cloudwatch.describe_alarms(alarm_names=["stuck-jobs"]).metric_alarms[0]
        assert alarm.state_transitioned_at - start <= timedelta(minutes=7)


class TestLimits:
    def test_tag_queue_needs_one_to_fifty_tags(self, cloud: Cloud) -> None:
        """TagQueue refuses no tags and more than 50 on the queue, changing nothing."""
        url = cloud.sqs.create_queue("jobs", tags={"a": "1"}).url
        client = cloud.client("sqs")
        with pytest.raises(ServiceError) as caught:
            client.tag_queue(QueueUrl=url, Tags={})
        assert caught.value.code == "MissingParameter"
        many = {f"k{n}": "v" for n in range(50)}
        with pytest.raises(ServiceError, match="Too many tags added for queue jobs"):
            cloud.sqs.tag_queue(url, many)
        assert cloud.sqs.list_queue_tags(url) == {"a": "1"}
        cloud.sqs.tag_queue(url, {"a": "2", **{f"k{n}": "v" for n in range(49)}})
        assert len(cloud.sqs.list_queue_tags(url)) == 50
        with pytest.raises(ServiceError, match="Too many tags"):
            cloud.sqs.create_queue("other", tags={f"k{n}": "v" for n in range(51)})

    def test_list_queues_caps_at_1000_without_max_results(self, cloud: Cloud) -> None:
        """ListQueues gives 1,000 URLs and no token unless MaxResults asks for pages."""
        for n in range(1001):
            cloud.sqs.create_queue(f"q{n:04d}")
        client = cloud.client("sqs")
        answer = client.list_queues()
        assert len(answer["QueueUrls"]) == 1000 and "NextToken" not in answer
        page = client.list_queues(MaxResults=1000)
        rest = client.list_queues(MaxResults=1000, NextToken=page["NextToken"])
        assert len(page["QueueUrls"]) + len(rest["QueueUrls"]) == 1001

    @pytest.mark.parametrize("count", [0, 11])
    def test_receive_refuses_counts_outside_1_to_10(self, cloud: Cloud, count: int) -> None:
        """MaxNumberOfMessages must be 1-10."""
        url = cloud.sqs.create_queue("jobs").url
        with pytest.raises(ServiceError) as caught:
            cloud.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=count)
        assert caught.value.code == "InvalidParameterValue"

    def test_stale_receipt_handle_deletes_nothing(self, cloud: Cloud) -> None:
        """An older handle succeeds without deleting; the latest deletes; a deleted one succeeds."""
        url = cloud.sqs.create_queue("jobs").url
        cloud.sqs.send_message(url, "x")
        old = cloud.sqs.receive_message(url, visibility_timeout=0)[0].receipt_handle
        new = cloud.sqs.receive_message(url)[0].receipt_handle
        cloud.sqs.delete_message(url, old)
        assert len(cloud.sqs.queue(url).messages) == 1
        cloud.sqs.delete_message(url, new)
        cloud.sqs.delete_message(url, new)
        cloud.sqs.delete_message(url, old)
        assert cloud.sqs.queue(url).messages == {}
