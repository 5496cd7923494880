"""AWS Lambda: Python callables as functions, invoked on the virtual clock.

`Lambda` (service.py; function operations in functions.py, asynchronous
invocation settings in asynchronous.py, event source mappings in mappings.py)
is the service of one account and region; `runtime.py` runs a handler as the
Python runtime does, with `capture.py` (stdout, stderr and the root logger
into the function's log) and `logformat.py` (the Text and JSON log lines,
pure); `pollers.py` reads SQS queues and Kinesis streams for the mappings;
`destinations.py` sends invocation records on; `tracing.py` and
`telemetry.py` report to X-Ray, CloudWatch and Logs; `events.py` builds the
event payloads other services send (pure); `model.py` holds the records,
`errors.py` the error classes, `api.py` and `mapping_api.py` the wire
translation.
"""

from __future__ import annotations

from awsmon.neighbours.lambda_.api import LambdaApi
from awsmon.neighbours.lambda_.destinations import EventInvokeConfig
from awsmon.neighbours.lambda_.errors import (
    AccessDeniedException,
    InvalidParameterValueException,
    InvalidRequestContentException,
    ResourceConflictException,
    ResourceInUseException,
    ResourceNotFoundException,
    TooManyRequestsException,
    ValidationException,
)
from awsmon.neighbours.lambda_.events import (
    decode_logs_subscription_event,
    eventbridge_event,
    kinesis_event,
    logs_subscription_event,
    sns_event,
    sqs_event,
)
from awsmon.neighbours.lambda_.logformat import LogSettings
from awsmon.neighbours.lambda_.mappings import EventSourceMapping
from awsmon.neighbours.lambda_.model import (
    Handler,
    Invocation,
    InvocationType,
    InvokeResult,
    LambdaContext,
    LambdaFunction,
    TracingMode,
    function_configuration,
)
from awsmon.neighbours.lambda_.service import Lambda

__all__ = [
    "AccessDeniedException",
    "EventInvokeConfig",
    "EventSourceMapping",
    "Handler",
    "InvalidParameterValueException",
    "InvalidRequestContentException",
    "Invocation",
    "InvocationType",
    "InvokeResult",
    "Lambda",
    "LambdaApi",
    "LambdaContext",
    "LambdaFunction",
    "LogSettings",
    "ResourceConflictException",
    "ResourceInUseException",
    "ResourceNotFoundException",
    "TooManyRequestsException",
    "TracingMode",
    "ValidationException",
    "decode_logs_subscription_event",
    "eventbridge_event",
    "function_configuration",
    "kinesis_event",
    "logs_subscription_event",
    "sns_event",
    "sqs_event",
]
