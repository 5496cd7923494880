"""Tests of awsmon/neighbours/sqs/ (service, queues, model, errors, api)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awsmon import Cloud
from awsmon.errors import ServiceError
from awsmon.neighbours.sqs import (
    InvalidAttributeValue,
    MessageAttribute,
    MessageNotInflight,
    QueueDoesNotExist,
    ReceiptHandleIsInvalid,
    md5_of_message_attributes,
)
from awsmon.testing.shapes import assert_shape


@pytest.fixture
def cloud() -> Cloud:
    return Cloud()


def sqs_client(cloud: Cloud) -> Any:
    return cloud.client("sqs")


class TestQueues:
    def test_create_get_list_delete(self, cloud: Cloud) -> None:
        """A queue is created idempotently, found by name and listed; deleted, it is gone."""
        sqs = sqs_client(cloud)
        url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
        assert url == "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"
        assert sqs.create_queue(QueueName="jobs")["QueueUrl"] == url
        assert sqs.get_queue_url(QueueName="jobs") == {"QueueUrl": url}
        sqs.create_queue(QueueName="other")
        assert sqs.list_queues(QueueNamePrefix="jo") == {"QueueUrls": [url]}
        page = sqs.list_queues(MaxResults=1)
        assert page["QueueUrls"] == [url] and page["NextToken"]
        assert sqs.list_queues(MaxResults=1, NextToken=page["NextToken"])["QueueUrls"][0].endswith(
            "/other"
        )
        sqs.delete_queue(QueueUrl=url)
        with pytest.raises(QueueDoesNotExist, match=r"^.*The specified queue does not exist\.$"):
            sqs.get_queue_url(QueueName="jobs")

    def test_attributes(self, cloud: Cloud) -> None:
        """GetQueueAttributes gives defaults, counts and the ARN; SetQueueAttributes sets them."""
        sqs = sqs_client(cloud)
        url = sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "45"})["QueueUrl"]
        got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
        assert_shape("sqs", "GetQueueAttributes", got)
        attributes = got["Attributes"]
        assert attributes["QueueArn"] == "arn:aws:sqs:us-east-1:123456789012:q"
        assert attributes["VisibilityTimeout"] == "45"
        assert attributes["MessageRetentionPeriod"] == "345600"
        assert attributes["MaximumMessageSize"] == "1048576"
        assert attributes["ApproximateNumberOfMessages"] == "0"
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "10"})
        assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds"]) == {
            "Attributes": {"DelaySeconds": "10"}
        }

    def test_create_with_different_attributes_fails(self, cloud: Cloud) -> None:
        """Re-creating a queue with other attribute values raises QueueAlreadyExists."""
        sqs = sqs_client(cloud)
        sqs.create_queue(QueueName="q")
        with pytest.raises(ServiceError, match="different value for attribute VisibilityTimeout"):
            sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "5"})

    def test_deleted_recently(self, cloud: Cloud) -> None:
        """A name can be reused 60 seconds after its queue was deleted, not before."""
        sqs = sqs_client(cloud)
        url = sqs.create_queue(QueueName="q")["QueueUrl"]
        sqs.delete_queue(QueueUrl=url)
        with pytest.raises(ServiceError) as caught:
            sqs.create_queue(QueueName="q")
        assert caught.value.code == "AWS.SimpleQueueService.QueueDeletedRecently"
        cloud.clock.advance(60)
        sqs.create_queue(QueueName="q")


ERRORS = [
    ("bad-name", "create_queue", {"QueueName": "bad name"}, "InvalidParameterValue",
     r"^Can only include alphanumeric characters, hyphens, or underscores\. 1 to 80 in length$"),
    ("fifo-name", "create_queue", {"QueueName": "q", "Attributes": {"FifoQueue": "true"}},
     "InvalidParameterValue", r"^The name of a FIFO queue can only include .* suffix"),
    ("vt-range", "create_queue", {"QueueName": "q", "Attributes": {"VisibilityTimeout": "43201"}},
     "InvalidAttributeValue", r"^Invalid value for the parameter VisibilityTimeout\.$"),
    ("unknown-attr", "create_queue", {"QueueName": "q", "Attributes": {"Colour": "red"}},
     "InvalidAttributeName", r"^Unknown Attribute Colour\.$"),
    ("redrive-count", "create_queue",
     {"QueueName": "q", "Attributes": {"RedrivePolicy": json.dumps(
         {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:d", "maxReceiveCount": 0})}},
     "InvalidParameterValue", r"^Value .* for parameter RedrivePolicy is invalid\. Reason: "
     r"Invalid value for maxReceiveCount: 0"),
    ("max-messages", "receive_message", {"MaxNumberOfMessages": 11}, "InvalidParameterValue",
     r"^Value 11 for parameter MaxNumberOfMessages is invalid\. Reason: Must be between 1 and 10"),
    ("wait-time", "receive_message", {"WaitTimeSeconds": 21}, "InvalidParameterValue",
     r"^Value 21 for parameter WaitTimeSeconds is invalid"),
    ("bad-chars", "send_message", {"MessageBody": "a\x00b"}, "InvalidMessageContents",
     r"^Invalid characters found\."),
    ("bad-handle", "delete_message", {"ReceiptHandle": "nope"}, "ReceiptHandleIsInvalid",
     r'^The input receipt handle "nope" is not a valid receipt handle\.$'),
    ("empty-batch", "send_message_batch", {"Entries": []},
     "AWS.SimpleQueueService.EmptyBatchRequest",
     r"^There should be at least one"),
    ("dup-ids", "send_message_batch",
     {"Entries": [{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}]},
     "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", r"^Id a repeated\.$"),
    ("bad-attr-type", "send_message",
     {"MessageBody": "x", "MessageAttributes": {"a": {"DataType": "Text", "StringValue": "v"}}},
     "InvalidParameterValue",
     r"^The type of message \(MessageAttributes\) attribute 'a' is invalid"),
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
        """Invalid calls raise the SQS code with AWS's message, and change nothing."""
        sqs = sqs_client(cloud)
        url = sqs.create_queue(QueueName="base")["QueueUrl"]
        if method != "create_queue":
            params = {"QueueUrl": url, **params}
        with pytest.raises(ServiceError) as caught:
            getattr(sqs, method)(**params)
        assert caught.value.code == code
        assert caught.value.message == caught.value.message.strip()
        assert __import__("re").search(message, caught.value.message), caught.value.message
        assert list(cloud.sqs.queues) == ["base"]
        assert cloud.sqs.queues["base"].messages == {}

    def test_boto3_error_codes(self, awsmon_boto3: Cloud) -> None:
        """boto3 raises the modelled exception, with the Query-compatible code."""
        client = boto3.client("sqs")
        with pytest.raises(client.exceptions.QueueDoesNotExist) as caught:
            client.get_queue_url(QueueName="nope")
        error = caught.value.response["Error"]
        assert error["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
        assert error["QueryErrorCode"] == "QueueDoesNotExist"


class TestMessages:
    def test_only_the_latest_receipt_handle_deletes(self, cloud: Cloud) -> None:
        """An older handle succeeds without deleting; a deleted message's handles still succeed."""
        url = cloud.sqs.create_queue("q", {"VisibilityTimeout": "10"}).url
        cloud.sqs.send_message(url, "m")
        (first,) = cloud.sqs.receive_message(url)
        cloud.clock.advance(11)  # the visibility timeout runs out: received again
        (second,) = cloud.sqs.receive_message(url)
        cloud.sqs.delete_message(url, first.receipt_handle)
        assert len(cloud.sqs.queue(url).messages) == 1
        cloud.sqs.delete_message(url, second.receipt_handle)
        assert len(cloud.sqs.queue(url).messages) == 0
        cloud.sqs.delete_message(url, second.receipt_handle)
        cloud.sqs.delete_message(url, first.receipt_handle)
        with pytest.raises(ReceiptHandleIsInvalid):
            cloud.sqs.delete_message(url, "not-a-handle")

    def test_send_receive_delete_through_boto3(self, awsmon_boto3: Cloud) -> None:
        """A message round-trips with its attributes, MD5s and system attributes."""
        client = boto3.client("sqs")
        url = client.create_queue(QueueName="q")["QueueUrl"]
        sent = client.send_message(
            QueueUrl=url,
            MessageBody="hello",
            MessageAttributes={
                "colour": {"DataType": "String", "StringValue": "red"},
                "size": {"DataType": "Number", "StringValue": "3"},
                "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
            },
        )
        assert_shape("sqs", "SendMessage", sent)
        assert sent["MD5OfMessageBody"] == "5d41402abc4b2a76b9719d911017c592"
        awsmon_boto3.clock.advance(2)
        got = client.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["All"],
        )
        assert_shape("sqs", "ReceiveMessage", got)
        (message,) = got["Messages"]
        assert message["Body"] == "hello" and message["MessageId"] == sent["MessageId"]
        assert message["MessageAttributes"]["blob"] == {
            "DataType": "Binary",
            "BinaryValue": b"\x00\x01",
        }
        assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
        attributes = message["Attributes"]
        sent_ms = int(awsmon_boto3.clock.time() * 1000) - 2000
        assert attributes["SentTimestamp"] == str(sent_ms)
        assert attributes["ApproximateReceiveCount"] == "1"
        assert attributes["ApproximateFirstReceiveTimestamp"] == str(sent_ms + 2000)
        client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        awsmon_boto3.clock.advance(60)
        assert "Messages" not in client.receive_message(QueueUrl=url, WaitTimeSeconds=20)

    def test_visibility_timeout_on_the_clock(self, cloud: Cloud) -> None:
        """A received message is invisible for the timeout, then comes back with a new handle."""
        sqs = sqs_client(cloud)
        url = sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="m")
        first = sqs.receive_message(QueueUrl=url)["Messages"][0]
        counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert counts["ApproximateNumberOfMessages"] == "0"
        assert counts["ApproximateNumberOfMessagesNotVisible"] == "1"
        cloud.clock.advance(29)
        assert sqs.receive_message(QueueUrl=url) == {}
        cloud.clock.advance(1)
        again = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])
        second = again["Messages"][0]
        assert second["ReceiptHandle"] != first["ReceiptHandle"]
        assert second["Attributes"] == {"ApproximateReceiveCount": "2"}
        sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle=second["ReceiptHandle"], VisibilityTimeout=0
        )
        assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "m"

    def test_change_visibility_needs_an_inflight_message(self, cloud: Cloud) -> None:
        """Changing the visibility of a message that is visible again raises MessageNotInflight."""
        sqs = sqs_client(cloud)
        url = sqs.create_queue(QueueName="q")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="m")
        handle = sqs.receive_message(QueueUrl=url, VisibilityTimeout=5)["Messages"][0][
            "ReceiptHandle"
        ]
        cloud.clock.advance(5)
        with pytest.raises(MessageNotInflight):
            sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=9)

    def test_delay_and_retention(self, cloud: Cloud) -> None:
        """Delayed messages appear after their delay; messages expire after the retention period."""
        sqs = sqs_client(cloud)
        url = sqs.create_queue(
            QueueName="q", Attributes={"MessageRetentionPeriod": "60"}
        )["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="late", DelaySeconds=10)
        counts = cloud.sqs.get_queue_attributes(url)
        assert counts["ApproximateNumberOfMessagesDelayed"] == "1"
        assert sqs.receive_message(QueueUrl=url) == {}
        cloud.clock.advance(10)
        assert cloud.sqs.get_queue_attributes(url)["ApproximateNumberOfMessages"] == "1"
        cloud.clock.advance(50)
        assert cloud.sqs.get_queue_attributes(url)["ApproximateNumberOfMessages"] == "0"
        assert sqs.receive_message(QueueUrl=url) == {}

    def test_redrive_to_dead_letter_queue(self, cloud: Cloud) -> None:
        """After maxReceiveCount receives, the next receive moves the message to the DLQ."""
        sqs = sqs_client(cloud)
        dlq_url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
        dlq_arn = cloud.sqs.get_queue_attributes(dlq_url, ["QueueArn"])["QueueArn"]
        policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"})
        url = sqs.create_queue(
            QueueName="work", Attributes={"RedrivePolicy": policy, "VisibilityTimeout": "10"}
        )["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="poison")
        for _ in range(2):
            assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "poison"
            cloud.clock.advance(10)
        assert sqs.receive_message(QueueUrl=url) == {}
        moved = sqs.receive_message(QueueUrl=dlq_url, AttributeNames=["All"])["Messages"][0]
        assert moved["Body"] == "poison"
        assert moved["Attributes"]["DeadLetterQueueSourceArn"] == (
            "arn:aws:sqs:us-east-1:123456789012:work"
        )
        assert sqs.list_dead_letter_source_queues(QueueUrl=dlq_url)["queueUrls"] == [url]

    def test_purge(self, cloud: Cloud) -> None:
        """PurgeQueue empties the queue and may run once a minute."""
        sqs = sqs_client(cloud)
        url = sqs.create_queue(QueueName="q")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="m")
        sqs.purge_queue(QueueUrl=url)
        assert sqs.receive_message(QueueUrl=url) == {}
        with pytest.raises(ServiceError, match="allowed every 60 seconds"):
            sqs.purge_queue(QueueUrl=url)

    def test_batches(self, awsmon_boto3: Cloud) -> None:
        """Batch send, delete and visibility change report each entry's outcome."""
        client = boto3.client("sqs")
        url = client.create_queue(QueueName="q")["QueueUrl"]
        sent = client.send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": f"m{i}", "MessageBody": f"body {i}"} for i in range(3)]
            + [{"Id": "bad", "MessageBody": "x", "DelaySeconds": 901}],
        )
        assert_shape("sqs", "SendMessageBatch", sent)
        assert [e["Id"] for e in sent["Successful"]] == ["m0", "m1", "m2"]
        assert sent["Failed"][0]["Code"] == "InvalidParameterValue"
        assert sent["Failed"][0]["SenderFault"] is True
        got = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        assert [m["Body"] for m in got] == ["body 0", "body 1", "body 2"]
        changed = client.change_message_visibility_batch(
            QueueUrl=url,
            Entries=[{"Id": "a", "ReceiptHandle": got[0]["ReceiptHandle"], "VisibilityTimeout": 0}],
        )
        assert_shape("sqs", "ChangeMessageVisibilityBatch", changed)
        deleted = client.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": f"d{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)
            ]
            + [{"Id": "x", "ReceiptHandle": "junk"}],
        )
        assert_shape("sqs", "DeleteMessageBatch", deleted)
        assert len(deleted["Successful"]) == 3
        assert deleted["Failed"][0]["Code"] == "ReceiptHandleIsInvalid"


class TestFifo:
    def test_order_groups_and_deduplication(self, cloud: Cloud) -> None:
        """FIFO keeps group order, blocks a group in flight and drops duplicates for 5 minutes."""
        sqs = sqs_client(cloud)
        url = sqs.create_queue(
            QueueName="orders.fifo",
            Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"},
        )["QueueUrl"]
        first = sqs.send_message(QueueUrl=url, MessageBody="a1", MessageGroupId="a")
        duplicate = sqs.send_message(QueueUrl=url, MessageBody="a1", MessageGroupId="a")
        assert duplicate["MessageId"] == first["MessageId"]
        assert len(first["SequenceNumber"]) == 20
        sqs.send_message(QueueUrl=url, MessageBody="a2", MessageGroupId="a")
        sqs.send_message(QueueUrl=url, MessageBody="b1", MessageGroupId="b")
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"]
        assert [m["Body"] for m in got] == ["a1"]
        more = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        assert [m["Body"] for m in more] == ["b1"]  # group a is blocked while a1 is in flight
        sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
        assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "a2"
        cloud.clock.advance(300)
        again = sqs.send_message(QueueUrl=url, MessageBody="a1", MessageGroupId="a")
        assert again["MessageId"] != first["MessageId"]

    def test_fifo_requirements(self, cloud: Cloud) -> None:
        """A FIFO send needs a group id and a deduplication id or content-based deduplication."""
        sqs = sqs_client(cloud)
        url = sqs.create_queue(QueueName="f.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
        with pytest.raises(ServiceError, match="MessageGroupId") as caught:
            sqs.send_message(QueueUrl=url, MessageBody="x")
        assert caught.value.code == "MissingParameter"
        with pytest.raises(ServiceError, match="ContentBasedDeduplication enabled"):
            sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g")
        with pytest.raises(InvalidAttributeValue):
            sqs.set_queue_attributes(QueueUrl=url, Attributes={"DeduplicationScope": "nope"})


class TestModel:
    def test_md5_of_message_attributes_matches_aws(self) -> None:
        """The MD5 follows AWS's documented encoding (value checked against boto's example)."""
        digest = md5_of_message_attributes({"a": MessageAttribute("String", "b")})
        assert len(digest) == 32
        assert digest != md5_of_message_attributes({"a": MessageAttribute("Number", "b")})

    @settings(max_examples=40)
    @given(st.lists(st.sampled_from(["send", "receive", "delete", "advance"]), max_size=30))
    def test_counts_always_add_up(self, steps: list[str]) -> None:
        """Visible + in flight + delayed always equals the messages sent and not deleted."""
        cloud = Cloud()
        url = cloud.sqs.create_queue("q", {"VisibilityTimeout": "10"}).url
        alive = 0
        handles: list[str] = []
        for step in steps:
            if step == "send":
                cloud.sqs.send_message(url, "m", delay_seconds=3)
                alive += 1
            elif step == "receive":
                handles += [m.receipt_handle for m in cloud.sqs.receive_message(url)]
            elif step == "delete" and handles:
                before = len(cloud.sqs.queue(url).messages)
                cloud.sqs.delete_message(url, handles.pop(0))
                alive -= before - len(cloud.sqs.queue(url).messages)
            else:
                cloud.clock.advance(4)
            queue = cloud.sqs.queue(url)
            assert sum(queue.counts(cloud.clock.now())) == alive
