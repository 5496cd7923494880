"""Tests of awsmon/neighbours/sns/: topics, subscriptions, filter policies and deliveries."""

from __future__ import annotations

import json
import re
from typing import Any

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon import Cloud
from awsmon.errors import ServiceError
from awsmon.neighbours.sns import FilterPolicy, InvalidFilterPolicy
from awsmon.policy import guides
from awsmon.testing.shapes import assert_shape


@pytest.fixture
def cloud() -> Cloud:
    return Cloud()


class TestTopics:
    def test_create_list_attributes_delete(self, awsmon_boto3: Cloud) -> None:
        """Topics are idempotent, listed, carry AWS's attributes, and delete cleanly."""
        sns = boto3.client("sns")
        created = sns.create_topic(Name="alerts", Tags=[{"Key": "team", "Value": "ops"}])
        assert_shape("sns", "CreateTopic", created)
        arn = created["TopicArn"]
        assert arn == "arn:aws:sns:us-east-1:123456789012:alerts"
        assert sns.create_topic(Name="alerts")["TopicArn"] == arn
        listed = sns.list_topics()
        assert_shape("sns", "ListTopics", listed)
        assert listed["Topics"] == [{"TopicArn": arn}]
        got = sns.get_topic_attributes(TopicArn=arn)
        assert_shape("sns", "GetTopicAttributes", got)
        attributes = got["Attributes"]
        assert attributes["Owner"] == "123456789012"
        assert attributes["SubscriptionsConfirmed"] == "0"
        assert json.loads(attributes["Policy"])["Statement"][0]["Resource"] == arn
        sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="Ops")
        assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"] == "Ops"
        assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
            {"Key": "team", "Value": "ops"}
        ]
        sns.delete_topic(TopicArn=arn)
        sns.delete_topic(TopicArn=arn)  # deleting twice is fine, as in AWS
        with pytest.raises(sns.exceptions.NotFoundException):
            sns.get_topic_attributes(TopicArn=arn)

    def test_fifo_topic(self, cloud: Cloud) -> None:
        """FIFO topics need the .fifo suffix, a group id, and deduplicate for five minutes."""
        sns = cloud.client("sns")
        arn = sns.create_topic(
            Name="orders.fifo",
            Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"},
        )["TopicArn"]
        first = sns.publish(TopicArn=arn, Message="m", MessageGroupId="g")
        assert sns.publish(TopicArn=arn, Message="m", MessageGroupId="g") == first
        assert len(first["SequenceNumber"]) == 20
        with pytest.raises(ServiceError, match="MessageGroupId parameter is required"):
            sns.publish(TopicArn=arn, Message="m")

    def test_pagination(self, cloud: Cloud) -> None:
        """ListTopics pages by 100 with a NextToken."""
        for i in range(105):
            cloud.sns.create_topic(f"t{i:03d}")
        first = cloud.client("sns").list_topics()
        assert len(first["Topics"]) == 100
        second = cloud.client("sns").list_topics(NextToken=first["NextToken"])
        assert len(second["Topics"]) == 5 and "NextToken" not in second


ERRORS = [
    (
        "bad-name",
        "create_topic",
        {"Name": "a b"},
        "InvalidParameter",
        r"^Invalid parameter: Topic Name$",
    ),
    (
        "fifo-suffix",
        "create_topic",
        {"Name": "x", "Attributes": {"FifoTopic": "true"}},
        "InvalidParameter",
        r"^Invalid parameter: Topic Name$",
    ),
    (
        "empty-message",
        "publish",
        {"Message": ""},
        "InvalidParameter",
        r"^Invalid parameter: Empty message$",
    ),
    (
        "subject",
        "publish",
        {"Message": "m", "Subject": "two\nlines"},
        "InvalidParameter",
        r"^Invalid parameter: Subject$",
    ),
    (
        "structure",
        "publish",
        {"Message": '{"email": "x"}', "MessageStructure": "json"},
        "InvalidParameter",
        r"^Invalid parameter: Message Structure - No default entry in JSON message body$",
    ),
    (
        "attr-type",
        "publish",
        {"Message": "m", "MessageAttributes": {"a": {"DataType": "Text", "StringValue": "v"}}},
        "ParameterValueInvalid",
        r"^The message attribute 'a' has an invalid message attribute type",
    ),
    (
        "protocol",
        "subscribe",
        {"Protocol": "carrier-pigeon", "Endpoint": "x"},
        "InvalidParameter",
        r"^Invalid parameter: Invalid protocol type: carrier-pigeon$",
    ),
    (
        "sqs-endpoint",
        "subscribe",
        {"Protocol": "sqs", "Endpoint": "queue"},
        "InvalidParameter",
        r"^Invalid parameter: SQS endpoint ARN$",
    ),
    (
        "raw-email",
        "subscribe",
        {"Protocol": "email", "Endpoint": "a@b.c", "Attributes": {"RawMessageDelivery": "true"}},
        "InvalidParameter",
        r"^Invalid parameter: Delivery protocol \[email\] does not support raw message delivery\.$",
    ),
    (
        "filter",
        "subscribe",
        {"Protocol": "email", "Endpoint": "a@b.c", "Attributes": {"FilterPolicy": "{"}},
        "InvalidParameter",
        r"^Invalid parameter: FilterPolicy: failed to parse JSON\.$",
    ),
    (
        "attr-name",
        "set_topic_attributes",
        {"AttributeName": "Colour", "AttributeValue": "x"},
        "InvalidParameter",
        r"^Invalid parameter: AttributeName$",
    ),
]


@pytest.mark.parametrize(
    ("method", "params", "code", "message"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_error_table(
    cloud: Cloud, method: str, params: dict[str, Any], code: str, message: str
) -> None:
    """Invalid calls raise SNS's code and message, and leave nothing behind."""
    sns = cloud.client("sns")
    arn = sns.create_topic(Name="base")["TopicArn"]
    if method != "create_topic":
        params = {"TopicArn": arn, **params}
    with pytest.raises(ServiceError) as caught:
        getattr(sns, method)(**params)
    assert caught.value.code == code
    assert re.search(message, caught.value.message), caught.value.message
    assert list(cloud.sns.topics) == [arn] and cloud.sns.subscriptions == {}
    assert cloud.sns.deliveries == []


class TestDelivery:
    def test_sns_to_sqs_envelope(self, awsmon_boto3: Cloud) -> None:
        """A message published to a topic arrives in the subscribed queue in the SNS envelope."""
        sns, sqs = boto3.client("sns"), boto3.client("sqs")
        topic = sns.create_topic(Name="alerts")["TopicArn"]
        url = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        sqs.set_queue_attributes(
            QueueUrl=url, Attributes={"Policy": guides.sns_to_sqs(topic, queue_arn)}
        )
        sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
        assert_shape("sns", "Subscribe", sub)
        published = sns.publish(
            TopicArn=topic,
            Message="disk full",
            Subject="ALARM",
            MessageAttributes={"severity": {"DataType": "String", "StringValue": "high"}},
        )
        assert_shape("sns", "Publish", published)
        (message,) = sqs.receive_message(QueueUrl=url, AttributeNames=["SenderId"])["Messages"]
        envelope = json.loads(message["Body"])
        assert list(envelope) == [
            "Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp",
            "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL",
            "MessageAttributes",
        ]  # fmt: skip
        assert envelope["Type"] == "Notification"
        assert envelope["MessageId"] == published["MessageId"]
        assert envelope["TopicArn"] == topic and envelope["Message"] == "disk full"
        assert envelope["Subject"] == "ALARM"
        assert envelope["Timestamp"] == "2025-03-14T15:09:26.000Z"
        assert envelope["UnsubscribeURL"].endswith(sub["SubscriptionArn"])
        assert envelope["MessageAttributes"] == {"severity": {"Type": "String", "Value": "high"}}
        assert message["Attributes"]["SenderId"] == "AIDAIT2UOQQY3AUEKVGXU"

    def test_raw_delivery_keeps_attributes(self, cloud: Cloud) -> None:
        """With RawMessageDelivery the queue gets the bare message and SQS attributes."""
        topic = cloud.sns.create_topic("t").arn
        queue = cloud.sqs.create_queue("q")
        cloud.sqs.set_queue_attributes(queue.url, {"Policy": guides.sns_to_sqs(topic, queue.arn)})
        cloud.sns.subscribe(topic, "sqs", queue.arn, {"RawMessageDelivery": "true"})
        cloud.client("sns").publish(
            TopicArn=topic,
            Message="raw",
            MessageAttributes={"n": {"DataType": "Number", "StringValue": "7"}},
        )
        got = cloud.client("sqs").receive_message(
            QueueUrl=queue.url, MessageAttributeNames=["All"]
        )["Messages"][0]
        assert got["Body"] == "raw"
        assert got["MessageAttributes"] == {"n": {"DataType": "Number", "StringValue": "7"}}

    def test_filter_policies(self, cloud: Cloud) -> None:
        """Only messages passing the subscription's filter policy are delivered."""
        topic = cloud.sns.create_topic("t").arn
        cloud.sns.subscribe(
            topic, "email", "a@example.com", {"FilterPolicy": '{"severity": ["high"]}'}
        )
        cloud.sns.subscribe(
            topic,
            "https",
            "https://example.com/hook",
            {
                "FilterPolicy": '{"level": [{"numeric": [">=", 3]}]}',
                "FilterPolicyScope": "MessageBody",
            },
        )
        sns = cloud.client("sns")
        sns.publish(TopicArn=topic, Message='{"level": 5}')
        sns.publish(
            TopicArn=topic,
            Message="x",
            MessageAttributes={"severity": {"DataType": "String", "StringValue": "high"}},
        )
        sns.publish(TopicArn=topic, Message='{"level": 1}')
        assert [(d.protocol, d.message) for d in cloud.sns.deliveries] == [
            ("https", '{"level": 5}'),
            ("email", "x"),
        ]
        https = cloud.sns.deliveries[0].envelope()
        assert https["Type"] == "Notification" and "Subject" not in https

    def test_message_structure_per_protocol(self, cloud: Cloud) -> None:
        """MessageStructure json sends each protocol its own text, else the default."""
        topic = cloud.sns.create_topic("t").arn
        cloud.sns.subscribe(topic, "email", "a@example.com")
        cloud.sns.subscribe(topic, "sms", "+15555550100")
        cloud.sns.publish(
            topic, json.dumps({"default": "d", "sms": "short"}), message_structure="json"
        )
        assert {d.protocol: d.body for d in cloud.sns.deliveries} == {"email": "d", "sms": "short"}

    def test_confirmation_flow(self, cloud: Cloud) -> None:
        """Without auto-confirmation, an http subscription waits for ConfirmSubscription."""
        cloud.sns.auto_confirm = False
        sns = cloud.client("sns")
        topic = sns.create_topic(Name="t")["TopicArn"]
        answer = sns.subscribe(TopicArn=topic, Protocol="https", Endpoint="https://h.example/")
        assert answer == {"SubscriptionArn": "pending confirmation"}
        (confirmation,) = cloud.sns.deliveries
        assert confirmation.kind == "SubscriptionConfirmation"
        token = confirmation.envelope()["Token"]
        listed = sns.list_subscriptions_by_topic(TopicArn=topic)
        assert_shape("sns", "ListSubscriptionsByTopic", listed)
        assert listed["Subscriptions"][0]["SubscriptionArn"] == "PendingConfirmation"
        sns.publish(TopicArn=topic, Message="lost")
        assert len(cloud.sns.deliveries) == 1
        confirmed = sns.confirm_subscription(TopicArn=topic, Token=token)
        assert confirmed["SubscriptionArn"].startswith(topic + ":")
        sns.publish(TopicArn=topic, Message="kept")
        assert cloud.sns.deliveries[-1].message == "kept"

    def test_subscription_attributes_and_unsubscribe(self, awsmon_boto3: Cloud) -> None:
        """Subscription attributes read back in AWS's shape; Unsubscribe removes it."""
        sns = boto3.client("sns")
        topic = sns.create_topic(Name="t")["TopicArn"]
        arn = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="a@example.com")[
            "SubscriptionArn"
        ]
        sns.set_subscription_attributes(
            SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue='{"a": ["b"]}'
        )
        got = sns.get_subscription_attributes(SubscriptionArn=arn)
        assert_shape("sns", "GetSubscriptionAttributes", got)
        assert got["Attributes"]["FilterPolicyScope"] == "MessageAttributes"
        assert got["Attributes"]["PendingConfirmation"] == "false"
        assert_shape("sns", "ListSubscriptions", sns.list_subscriptions())
        sns.unsubscribe(SubscriptionArn=arn)
        assert sns.list_subscriptions()["Subscriptions"] == []
        with pytest.raises(sns.exceptions.NotFoundException):
            sns.get_subscription_attributes(SubscriptionArn=arn)

    def test_publish_batch(self, awsmon_boto3: Cloud) -> None:
        """PublishBatch reports each entry; bad entries fail alone."""
        sns = boto3.client("sns")
        topic = sns.create_topic(Name="t")["TopicArn"]
        answer = sns.publish_batch(
            TopicArn=topic,
            PublishBatchRequestEntries=[{"Id": "a", "Message": "x"}, {"Id": "b", "Message": ""}],
        )
        assert_shape("sns", "PublishBatch", answer)
        assert [e["Id"] for e in answer["Successful"]] == ["a"]
        assert answer["Failed"][0]["Code"] == "InvalidParameter"

    def test_deleted_queue_is_a_failed_delivery(self, cloud: Cloud) -> None:
        """A subscription to a queue that is gone records a failed delivery."""
        topic = cloud.sns.create_topic("t").arn
        queue = cloud.sqs.create_queue("q")
        cloud.sns.subscribe(topic, "sqs", queue.arn)
        cloud.sqs.delete_queue(queue.url)
        cloud.sns.publish(topic, "m")
        assert [d.succeeded for d in cloud.sns.deliveries] == [False]


class TestFilterPolicy:
    @pytest.mark.parametrize(
        ("policy", "data", "expected"),
        [
            ({"a": ["x", "y"]}, {"a": "y"}, True),
            ({"a": [{"prefix": "ab"}]}, {"a": "abc"}, True),
            ({"a": [{"suffix": "bc"}]}, {"a": "abd"}, False),
            ({"a": [{"anything-but": ["x"]}]}, {"a": "y"}, True),
            ({"a": [{"anything-but": ["x"]}]}, {}, False),
            ({"a": [{"exists": False}]}, {}, True),
            ({"a": [{"exists": True}]}, {}, False),
            ({"a": [{"numeric": [">", 0, "<=", 5]}]}, {"a": 5}, True),
            ({"a": [{"numeric": [">", 0, "<=", 5]}]}, {"a": 6}, False),
            ({"a": [{"equals-ignore-case": "HeLLo"}]}, {"a": "hello"}, True),
            ({"a": ["x"]}, {"a": ["z", "x"]}, True),
            ({"a": ["x"], "$or": [{"b": ["1"]}, {"c": ["2"]}]}, {"a": "x", "c": "2"}, True),
            ({"a": ["x"], "$or": [{"b": ["1"]}, {"c": ["2"]}]}, {"a": "x"}, False),
        ],
    )
    def test_examples(self, policy: dict[str, Any], data: dict[str, Any], expected: bool) -> None:
        """The operators behave as the SNS developer guide describes."""
        assert FilterPolicy.parse(json.dumps(policy)).matches(data) is expected

    def test_nested_body_policy(self) -> None:
        """Body-scope policies follow nested objects."""
        policy = FilterPolicy.parse('{"detail": {"state": ["ALARM"]}}', "MessageBody")
        assert policy.matches({"detail": {"state": "ALARM"}})
        assert not policy.matches({"detail": {"state": "OK"}})
        with pytest.raises(InvalidFilterPolicy, match="does not support nested"):
            FilterPolicy.parse('{"detail": {"state": ["ALARM"]}}')

    @given(st.lists(st.text(max_size=5), min_size=1, max_size=5), st.text(max_size=5))
    def test_exact_match_agrees_with_membership(self, values: list[str], value: str) -> None:
        """An exact-string list matches exactly the values it lists."""
        policy = FilterPolicy.parse(json.dumps({"k": values}))
        assert policy.matches({"k": value}) is (value in values)
