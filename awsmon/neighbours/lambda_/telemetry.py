"""What each Lambda invocation leaves in CloudWatch: its log lines and its AWS/Lambda metrics.

- `ship_logs`: the run's lines into the function's log group ``/aws/lambda/<name>``.
- `publish_metrics`: Invocations, Errors, Throttles, Duration and
  ConcurrentExecutions in the ``AWS/Lambda`` namespace.

Both are called by `awsmon.neighbours.lambda_.Lambda` for every invocation
record, and do nothing while the cloud has no ``logs`` or ``cloudwatch``
service.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from awsmon import registry
from awsmon.dispatch import ServiceContext
from awsmon.errors import NotFound
from awsmon.neighbours.lambda_.model import Invocation, LambdaFunction
from awsmon.neighbours.lambda_.runtime import execution_role

__all__ = ["publish_counts", "publish_metrics", "ship_logs", "sibling"]


def sibling(ctx: ServiceContext, name: str) -> Any:
    """The service `name` of `ctx`'s place, or None while awsmon has no such service."""
    try:
        registry.spec(name)
    except KeyError:
        return None
    return ctx.sibling(name)


def ship_logs(ctx: ServiceContext, function: LambdaFunction, invocation: Invocation) -> None:
    """Write the invocation's log lines to ``/aws/lambda/<name>`` in CloudWatch Logs.

    The group and the invocation's stream (``YYYY/MM/DD/[$LATEST]<hex>``)
    are created when missing, as the function's execution role, and the
    lines are put with Embedded Metric Format extraction on (Lambda
    extracts EMF from its logs). Does nothing without a ``logs`` service.
    """
    logs = sibling(ctx, "logs")
    if invocation.throttled or logs is None or not invocation.log_lines:
        return
    group = function.log_group_name
    stream = invocation.log_stream_name
    with ctx.as_principal(execution_role(function)):
        try:
            logs.log_group(group)
        except NotFound:
            logs.create_log_group(group)
        try:
            logs.log_stream(logs.log_group(group), stream)
        except NotFound:
            logs.create_log_stream(group, stream)
        logs.put_log_events(group, stream, list(invocation.log_lines), emf=True)


def publish_metrics(ctx: ServiceContext, function: LambdaFunction, invocation: Invocation) -> None:
    """Publish the AWS/Lambda metrics of the invocation, at `invocation.at`.

    Invocations (1), Errors (0 or 1), Duration (ms) and Throttles (0; 1 and
    no Invocations for a throttled request) under ``FunctionName``,
    ``FunctionName`` + ``Resource`` and the account-wide aggregate (no
    dimension); ConcurrentExecutions (1 while it runs) account-wide, and
    per function when it has reserved concurrency. Does nothing without
    a ``cloudwatch`` service.

    Simulation notes: invocations run one at a time, so ConcurrentExecutions
    is always 1.
    """
    cloudwatch = sibling(ctx, "cloudwatch")
    if cloudwatch is None:
        return
    from awsmon.cloudwatch import MetricKey, StandardUnit

    name = function.name
    scopes: list[dict[str, str]] = [
        {"FunctionName": name},
        {"FunctionName": name, "Resource": name},
        {},
    ]
    at = invocation.at
    count = StandardUnit.COUNT
    if invocation.throttled:
        values = [("Throttles", 1.0, count)]
    else:
        values = [
            ("Invocations", 1.0, count),
            ("Errors", 0.0 if invocation.function_error is None else 1.0, count),
            ("Throttles", 0.0, count),
            (
                "Duration",
                invocation.duration.total_seconds() * 1000,
                StandardUnit.MILLISECONDS,
            ),
        ]
    for metric, value, unit in values:
        for dimensions in scopes:
            key = MetricKey.of("AWS/Lambda", metric, dimensions)
            cloudwatch.publish(key, [(at, value)], unit=unit, storage_resolution=60)
    if not invocation.throttled:
        concurrency = (
            [{}] if function.reserved_concurrency is None else [{}, {"FunctionName": name}]
        )
        for dimensions in concurrency:
            key = MetricKey.of("AWS/Lambda", "ConcurrentExecutions", dimensions)
            cloudwatch.publish(key, [(at, 1.0)], unit=count, storage_resolution=60)


def publish_counts(
    ctx: ServiceContext,
    function: LambdaFunction,
    at: datetime,
    values: Mapping[str, float],
    *,
    unit: str = "Count",
) -> None:
    """Publish more AWS/Lambda metrics of `function` (IteratorAge, DestinationDeliveryFailures ...).

    Under ``FunctionName``, ``FunctionName`` + ``Resource`` and the
    account-wide aggregate, as the invocation metrics. Does nothing without
    a ``cloudwatch`` service.
    """
    cloudwatch = sibling(ctx, "cloudwatch")
    if cloudwatch is None:
        return
    from awsmon.cloudwatch import MetricKey, StandardUnit

    name = function.name
    for metric, value in values.items():
        for dimensions in ({"FunctionName": name}, {"FunctionName": name, "Resource": name}, {}):
            key = MetricKey.of("AWS/Lambda", metric, dimensions)
            cloudwatch.publish(key, [(at, value)], unit=StandardUnit(unit), storage_resolution=60)
