"""Helpers of the CloudTrail tests: resource policies for AWS services, queues they may fill."""

from __future__ import annotations

import json
from typing import Any


def allowing(service: str, action: str, resource: str) -> str:
    """A resource policy letting the AWS service `service` (host name) do `action` on `resource`."""
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": action,
        "Resource": resource,
    }
    return json.dumps({"Statement": [statement]})


def queue_for(sqs: Any, name: str, service: str) -> tuple[str, str]:
    """A new queue `name` the AWS service `service` may send to: its (URL, ARN)."""
    url: str = sqs.create_queue(QueueName=name)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    arn: str = attributes["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(
        QueueUrl=url, Attributes={"Policy": allowing(service, "sqs:SendMessage", arn)}
    )
    return url, arn
