"""Cross-account access goes through the resource policy, one test per service that has one.

Account B (no policy in place) could receive from, send to, purge and delete account
A's queue, publish to A's topic, put records on A's stream, describe A's key and
invoke A's function. Now each is refused as AWS refuses it, and allowed once the
resource policy names B.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from awsmon import Cloud
from awsmon.errors import ServiceError
from awsmon.identity import Principal

A, B = "123456789012", "210987654321"
BOB = f"arn:aws:iam::{B}:user/bob"


def allow_b(action: str, resource: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": B}, "Action": action, "Resource": resource}
            ],
        }
    )


def as_bob(cloud: Cloud, service: str) -> Any:
    return cloud.client(service, principal=Principal.from_arn(BOB))


def refused(call: Any, code: str, **params: Any) -> str:
    with pytest.raises(ServiceError) as caught:
        call(**params)
    assert caught.value.code == code
    return caught.value.message


@pytest.fixture
def cloud() -> Cloud:
    return Cloud()


def test_sqs(cloud: Cloud) -> None:
    """B cannot send, receive, purge or delete A's queue until the queue policy allows it."""
    queue = cloud.sqs.create_queue("q")
    sqs = as_bob(cloud, "sqs")
    for call, extra in [
        (sqs.send_message, {"MessageBody": "x"}),
        (sqs.receive_message, {}),
        (sqs.purge_queue, {}),
        (sqs.delete_queue, {}),
    ]:
        message = refused(call, "AccessDenied", QueueUrl=queue.url, **extra)
        assert message == f"Access to the resource {queue.url} is denied."
    cloud.sqs.set_queue_attributes(queue.url, {"Policy": allow_b("sqs:SendMessage", queue.arn)})
    sqs.send_message(QueueUrl=queue.url, MessageBody="x")
    sqs.send_message_batch(QueueUrl=queue.url, Entries=[{"Id": "1", "MessageBody": "y"}])
    refused(sqs.receive_message, "AccessDenied", QueueUrl=queue.url)
    assert len(cloud.sqs.receive_message(queue.url, max_number_of_messages=10)) == 2
    assert {d.action for d in cloud.deliveries(failed=True)} >= {
        "sqs:SendMessage", "sqs:ReceiveMessage", "sqs:PurgeQueue", "sqs:DeleteQueue",
    }  # fmt: skip


def test_sns(cloud: Cloud) -> None:
    """The default topic policy is for the owner account only (AWS:SourceOwner)."""
    topic = cloud.sns.create_topic("t").arn
    sns = as_bob(cloud, "sns")
    message = refused(sns.publish, "AuthorizationError", TopicArn=topic, Message="m")
    assert message == (
        f"User: {BOB} is not authorized to perform: sns:Publish on resource: {topic} "
        "because no resource-based policy allows the sns:Publish action"
    )
    refused(sns.subscribe, "AuthorizationError", TopicArn=topic, Protocol="email", Endpoint="a@b.c")
    cloud.sns.set_topic_attributes(topic, "Policy", allow_b("sns:Publish", topic))
    sns.publish(TopicArn=topic, Message="m")


def test_kinesis(cloud: Cloud) -> None:
    """A stream of A refuses B's records (awsmon's streams hold no resource policy yet)."""
    kinesis = cloud.client("kinesis")
    kinesis.create_stream(StreamName="s", ShardCount=1)
    arn = kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["StreamARN"]
    theirs = as_bob(cloud, "kinesis")
    message = refused(
        theirs.put_record, "AccessDeniedException", StreamARN=arn, Data=b"x", PartitionKey="k"
    )
    assert "kinesis:PutRecord" in message and arn in message


def test_kms(cloud: Cloud) -> None:
    """The default key policy trusts the key's own account only."""
    key = cloud.client("kms").create_key()["KeyMetadata"]["Arn"]
    kms = as_bob(cloud, "kms")
    refused(kms.describe_key, "AccessDeniedException", KeyId=key)
    refused(kms.schedule_key_deletion, "AccessDeniedException", KeyId=key)


def test_lambda(cloud: Cloud) -> None:
    """Invoke needs lambda:InvokeFunction in the function policy; GetFunction its own action."""
    function = cloud.lambda_.register("f", lambda event, context: "ok")
    functions = as_bob(cloud, "lambda")
    message = refused(functions.invoke, "AccessDeniedException", FunctionName=function.arn)
    assert "lambda:InvokeFunction" in message
    refused(functions.get_function, "AccessDeniedException", FunctionName=function.arn)
    cloud.lambda_.add_permission("f", "b", "lambda:InvokeFunction", B)
    assert functions.invoke(FunctionName=function.arn)["StatusCode"] == 200
    refused(functions.get_function, "AccessDeniedException", FunctionName=function.arn)


def test_policies_off_lets_every_account_in(cloud: Cloud) -> None:
    """``Cloud(policies="off")``: the permissive behaviour of simulators that ignore policies."""
    loose = Cloud(policies="off")
    queue = loose.sqs.create_queue("q")
    as_bob(loose, "sqs").send_message(QueueUrl=queue.url, MessageBody="x")
    assert loose.deliveries() == []
