"""Where Lambda sends the record of an invocation: asynchronous destinations and on-failure targets.

- `EventInvokeConfig`: a function's PutFunctionEventInvokeConfig settings
  (retries, event age, OnSuccess/OnFailure destinations) and its wire shape.
- `invocation_record`: the record AWS sends for an asynchronous invocation
  (``requestContext``, ``requestPayload``, ``responseContext``, ``responsePayload``).
- `deliver`: hand a record to an SQS queue, SNS topic, Lambda function or
  EventBridge bus, as the function's execution role; a destination that is gone
  counts a ``DestinationDeliveryFailures`` and nothing else happens, as in AWS.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from attrs import define

from awsmon.arn import Arn, InvalidArn
from awsmon.dispatch import ServiceContext
from awsmon.errors import ServiceError
from awsmon.neighbours.lambda_.errors import InvalidParameterValueException
from awsmon.neighbours.lambda_.logformat import timestamp
from awsmon.neighbours.lambda_.model import LambdaFunction
from awsmon.neighbours.lambda_.runtime import execution_role
from awsmon.neighbours.lambda_.telemetry import publish_counts

__all__ = ["DESTINATION_SERVICES", "EventInvokeConfig", "deliver", "invocation_record"]

#: ARN service part → registry name of the services a destination may be.
DESTINATION_SERVICES = {"sqs": "sqs", "sns": "sns", "lambda": "lambda_", "events": "events"}


@define(eq=False)
class EventInvokeConfig:
    """A function's asynchronous invocation settings.

    Attributes:
        maximum_retry_attempts: 0-2 retries after a failed attempt (default 2).
        maximum_event_age: seconds an event may wait, 60-21600 (default 21600).
        on_success / on_failure: destination ARNs, or None.
        last_modified: when it was last put or updated.
    """

    maximum_retry_attempts: int = 2
    maximum_event_age: int = 21600
    on_success: str | None = None
    on_failure: str | None = None
    last_modified: datetime | None = None

    def shape(self, function_arn: str) -> dict[str, Any]:
        """The FunctionEventInvokeConfig shape."""
        destinations: dict[str, Any] = {}
        if self.on_success:
            destinations["OnSuccess"] = {"Destination": self.on_success}
        if self.on_failure:
            destinations["OnFailure"] = {"Destination": self.on_failure}
        return {
            "LastModified": self.last_modified,
            "FunctionArn": f"{function_arn}:$LATEST",
            "MaximumRetryAttempts": self.maximum_retry_attempts,
            "MaximumEventAgeInSeconds": self.maximum_event_age,
            "DestinationConfig": destinations,
        }


def check_destination(arn: str, *, member: str, allowed: tuple[str, ...]) -> str:
    """`arn` when it names a destination service in `allowed` (ARN service parts).

    Raises:
        InvalidParameterValueException: not an ARN, or of another service.
    """
    try:
        service = Arn.parse(arn).service
    except InvalidArn:
        service = ""
    if service not in allowed:
        raise InvalidParameterValueException(
            f"The provided destination config DestinationConfig.{member} is invalid.",
            param=f"DestinationConfig.{member}.Destination",
            value=arn,
        )
    return arn


def invocation_record(
    function: LambdaFunction,
    *,
    request_id: str,
    at: datetime,
    event: Any,
    condition: str,
    attempts: int,
    response: Any,
    function_error: str | None,
) -> dict[str, Any]:
    """The record of an asynchronous invocation, as Lambda sends it to a destination.

    Args:
        condition: ``Success``, ``RetriesExhausted`` or ``EventAgeExceeded``.
        attempts: ``approximateInvokeCount``.
        response: the function's result, or its error payload.
        function_error: ``Unhandled`` for a failed run, None otherwise.
    """
    response_context: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
    if function_error is not None:
        response_context["functionError"] = function_error
    return {
        "version": "1.0",
        "timestamp": timestamp(at),
        "requestContext": {
            "requestId": request_id,
            "functionArn": f"{function.arn}:$LATEST",
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "requestPayload": event,
        "responseContext": response_context,
        "responsePayload": response,
    }


def deliver(
    ctx: ServiceContext,
    function: LambdaFunction,
    destination: str,
    record: Mapping[str, Any],
    *,
    success: bool,
) -> bool:
    """Send `record` to `destination` as the function's execution role; False when it failed."""
    try:
        arn = Arn.parse(destination)
        name = DESTINATION_SERVICES[arn.service]
        target = ctx.service_at(arn, name)
    except (InvalidArn, KeyError):
        target, name = None, ""
    if target is None:
        _count_failure(ctx, function)
        return False
    body = json.dumps(record)
    role = execution_role(function)
    try:
        with ctx.as_principal(role):
            if name == "sqs":
                target.deliver(destination, body, sender_id=role.user_id)
            elif name == "sns":
                target.publish(destination, body)
            elif name == "lambda_":
                target.invoke(destination, dict(record), invocation_type="Event")
            else:
                from awsmon.events import PutEventsEntry

                kind = "Success" if success else "Failure"
                entry: dict[str, Any] = {
                    "source": "lambda",
                    "detail_type": f"Lambda Function Invocation Result - {kind}",
                    "detail": dict(record),
                    "resources": (f"{function.arn}:$LATEST", destination),
                    "event_bus_name": destination,
                }
                target.put_events([PutEventsEntry(**entry)])
    except ServiceError:
        _count_failure(ctx, function)
        return False
    return True


def _count_failure(ctx: ServiceContext, function: LambdaFunction) -> None:
    publish_counts(ctx, function, {"DestinationDeliveryFailures": 1.0})
