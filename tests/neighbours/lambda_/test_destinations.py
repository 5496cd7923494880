"""Tests of awsmon/neighbours/lambda_/asynchronous.py and destinations.py: async destinations."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from awsmon import Cloud
from awsmon.errors import ServiceError
from awsmon.neighbours.lambda_ import LambdaContext
from awsmon.policy import guides
from awsmon.testing.shapes import assert_shape


@pytest.fixture
def cloud() -> Cloud:
    return Cloud()


def _fail(event: Any, context: LambdaContext) -> None:
    raise ValueError(f"cannot handle {event['n']}")


def test_config_on_the_wire(awsmon_boto3: Cloud) -> None:
    """Put/Get/Update/List/DeleteFunctionEventInvokeConfig in AWS's shapes and checks."""
    awsmon_boto3.lambda_.register("f", lambda e, c: None)
    queue = awsmon_boto3.sqs.create_queue("done")
    client = boto3.client("lambda")
    put = client.put_function_event_invoke_config(
        FunctionName="f",
        MaximumRetryAttempts=1,
        DestinationConfig={"OnSuccess": {"Destination": queue.arn}},
    )
    assert_shape("lambda", "PutFunctionEventInvokeConfig", put)
    assert put["MaximumRetryAttempts"] == 1 and put["MaximumEventAgeInSeconds"] == 21600
    updated = client.update_function_event_invoke_config(
        FunctionName="f", MaximumEventAgeInSeconds=120
    )
    assert updated["MaximumRetryAttempts"] == 1 and updated["MaximumEventAgeInSeconds"] == 120
    assert updated["DestinationConfig"] == {"OnSuccess": {"Destination": queue.arn}}
    listed = client.list_function_event_invoke_configs(FunctionName="f")
    assert_shape("lambda", "ListFunctionEventInvokeConfigs", listed)
    assert len(listed["FunctionEventInvokeConfigs"]) == 1
    with pytest.raises(client.exceptions.InvalidParameterValueException):
        client.put_function_event_invoke_config(FunctionName="f", MaximumRetryAttempts=3)
    with pytest.raises(client.exceptions.InvalidParameterValueException):
        client.put_function_event_invoke_config(
            FunctionName="f",
            DestinationConfig={"OnFailure": {"Destination": "arn:aws:s3:::bucket"}},
        )
    assert client.get_function_event_invoke_config(FunctionName="f")["MaximumRetryAttempts"] == 1
    client.delete_function_event_invoke_config(FunctionName="f")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_function_event_invoke_config(FunctionName="f")


def test_success_record_to_sqs(cloud: Cloud) -> None:
    """An Event invocation that succeeds sends its record, condition Success, to OnSuccess."""
    cloud.lambda_.register("f", lambda e, c: {"doubled": e["n"] * 2})
    queue = cloud.sqs.create_queue("done")
    cloud.lambda_.put_function_event_invoke_config("f", on_success=queue.arn)
    cloud.lambda_.invoke("f", {"n": 4}, invocation_type="Event")
    (message,) = queue.messages.values()
    record = json.loads(message.body)
    assert record["version"] == "1.0"
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestContext"]["functionArn"].endswith(":function:f:$LATEST")
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["requestPayload"] == {"n": 4}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"] == {"doubled": 8}


def test_retries_exhausted_record_to_a_function(cloud: Cloud) -> None:
    """After MaximumRetryAttempts retries the record goes to the OnFailure function."""
    received: list[Any] = []
    cloud.lambda_.register("f", _fail)
    target = cloud.lambda_.register("on-failure", lambda e, c: received.append(e))
    cloud.lambda_.put_function_event_invoke_config(
        "f", maximum_retry_attempts=1, on_failure=target.arn
    )
    cloud.lambda_.invoke("f", {"n": 1}, invocation_type="Event")
    assert received == []
    cloud.clock.advance(60)
    (record,) = received
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorType"] == "ValueError"
    assert len(cloud.lambda_.function("f").invocations) == 2


def test_event_age_exceeded_to_sns(cloud: Cloud) -> None:
    """An event older than MaximumEventAgeInSeconds is not retried; SNS gets the record."""
    cloud.lambda_.register("f", _fail)
    topic = cloud.sns.create_topic("failures")
    queue = cloud.sqs.create_queue("inbox")
    cloud.sqs.set_queue_attributes(queue.url, {"Policy": guides.sns_to_sqs(topic.arn, queue.arn)})
    cloud.sns.subscribe(topic.arn, "sqs", queue.arn, {"RawMessageDelivery": "true"})
    cloud.lambda_.put_function_event_invoke_config(
        "f", maximum_event_age_in_seconds=60, on_failure=topic.arn
    )
    cloud.lambda_.invoke("f", {"n": 2}, invocation_type="Event")
    cloud.clock.advance(60)
    (message,) = queue.messages.values()
    record = json.loads(message.body)
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 2


def test_success_event_on_eventbridge(cloud: Cloud) -> None:
    """An EventBridge destination gets 'Lambda Function Invocation Result - Success' events."""
    cloud.lambda_.register("f", lambda e, c: "ok")
    queue = cloud.sqs.create_queue("events")
    cloud.events.enforce_target_policies = False  # the queue has no policy for EventBridge
    events = cloud.client("events")
    events.put_rule(Name="results", EventPattern=json.dumps({"source": ["lambda"]}))
    events.put_targets(Rule="results", Targets=[{"Id": "q", "Arn": queue.arn}])
    bus = events.describe_event_bus()["Arn"]
    cloud.lambda_.put_function_event_invoke_config("f", on_success=bus)
    cloud.lambda_.invoke("f", {"n": 3}, invocation_type="Event")
    (message,) = queue.messages.values()
    event = json.loads(message.body)
    assert event["source"] == "lambda"
    assert event["detail-type"] == "Lambda Function Invocation Result - Success"
    assert event["detail"]["responsePayload"] == "ok"
    assert cloud.lambda_.function("f").arn + ":$LATEST" in event["resources"]


def test_missing_destination_counts_a_delivery_failure(cloud: Cloud) -> None:
    """A destination that is gone drops the record and counts DestinationDeliveryFailures."""
    cloud.lambda_.register("f", lambda e, c: None)
    queue = cloud.sqs.create_queue("gone")
    cloud.lambda_.put_function_event_invoke_config("f", on_success=queue.arn)
    cloud.sqs.delete_queue(queue.url)
    cloud.lambda_.invoke("f", {}, invocation_type="Event")
    cloud.clock.advance(60)  # vended: published at the end of the minute
    metrics = cloud.client("cloudwatch").list_metrics(
        Namespace="AWS/Lambda", MetricName="DestinationDeliveryFailures"
    )["Metrics"]
    assert metrics
    with pytest.raises(ServiceError):
        cloud.lambda_.put_function_event_invoke_config("f", maximum_event_age_in_seconds=59)
