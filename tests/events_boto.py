"""Helpers of the EventBridge wire tests (tests/events/test_api*.py): calls through boto3.

The boto3-routed `cloud`, `events` and `sqs` fixtures are in
``tests/events/conftest.py``.
"""

from __future__ import annotations

import json
from typing import Any

from awsmon.testing.shapes import assert_shape

OTHER = "210987654321"
ACCOUNT = "123456789012"
DEFAULT_BUS = f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/default"


def call(client: Any, operation: str, **params: Any) -> dict[str, Any]:
    """Call an operation through boto3 and check the answer's shape."""
    from awsmon.wire import snake_case

    response: dict[str, Any] = getattr(client, snake_case(operation))(**params)
    assert_shape(client.meta.service_model.service_name, operation, response)
    return response


def make_queue(sqs: Any, name: str, *, allow_events: bool = True) -> tuple[str, str]:
    """A queue (URL, ARN) whose policy lets EventBridge send to it."""
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    if allow_events:
        statement = {
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": arn,
        }
        sqs.set_queue_attributes(
            QueueUrl=url, Attributes={"Policy": json.dumps({"Statement": [statement]})}
        )
    return url, arn


def receive(sqs: Any, url: str) -> list[dict[str, Any]]:
    """Every message waiting in the queue, received and deleted."""
    found: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not batch:
            return found
        found.extend(batch)
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
