"""What each Lambda invocation leaves in CloudWatch: its log lines and its AWS/Lambda metrics.

- `ship_logs`: the run's lines into the function's log group ``/aws/lambda/<name>``.
- `LambdaMetrics`: Invocations, Errors, Throttles, Duration,
  ConcurrentExecutions, IteratorAge, DestinationDeliveryFailures in the
  ``AWS/Lambda`` namespace, through the shared `VendedMetrics` (counted now,
  published at the end of each minute).

Both are called by `awsmon.neighbours.lambda_.Lambda` for every invocation
record; the logs do nothing while the cloud has no ``logs`` service, the
metrics are dropped while it has no ``cloudwatch``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from awsmon import registry
from awsmon.cloudwatch import Dims, StandardUnit, VendedMetrics, dims
from awsmon.dispatch import ServiceContext
from awsmon.errors import NotFound
from awsmon.neighbours.lambda_.model import Invocation, LambdaFunction
from awsmon.neighbours.lambda_.runtime import execution_role

__all__ = ["LambdaMetrics", "publish_counts", "ship_logs", "sibling"]

_COUNT = StandardUnit.COUNT
_MILLISECONDS = StandardUnit.MILLISECONDS


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


class LambdaMetrics:
    """The AWS/Lambda metrics of one Lambda service instance, through `VendedMetrics`.

    Lambda counts each invocation as it happens and CloudWatch receives the
    minute's statistics at the end of the minute, stamped with its start, as
    for the other services' vended metrics (``awsmon.cloudwatch.vended``).
    Dimensions, as AWS documents them: ``FunctionName``, ``FunctionName`` +
    ``Resource`` (the function, version or alias invoked; awsmon runs the
    unqualified function, so the name) and the account-wide aggregate (no
    dimension). ``ExecutedVersion`` applies only to invocations through an
    alias, which awsmon does not model, so it is never published.

    Metrics and units: Invocations, Errors, Throttles (Count), Duration
    (Milliseconds), ConcurrentExecutions (Count; account-wide, and per
    function with reserved concurrency), IteratorAge (Milliseconds; stream
    sources), DestinationDeliveryFailures (Count).

    Attributes:
        vended: the ``AWS/Lambda`` `VendedMetrics` (``enabled = False`` silences it).
    """

    def __init__(self, ctx: ServiceContext) -> None:
        self.vended = VendedMetrics(ctx, "AWS/Lambda")
        self._scopes: dict[str, tuple[Dims, Dims, Dims]] = {}

    def scopes(self, name: str) -> tuple[Dims, Dims, Dims]:
        """The three dimension sets of function `name` (built once per name)."""
        found = self._scopes.get(name)
        if found is None:
            found = (dims(FunctionName=name), dims(FunctionName=name, Resource=name), ())
            self._scopes[name] = found
        return found

    def invocation(self, function: LambdaFunction, invocation: Invocation) -> None:
        """Count one invocation record (or a throttled request)."""
        vended = self.vended
        if not vended.enabled:
            return
        add = vended.add
        scopes = self.scopes(function.name)
        if invocation.throttled:
            for scope in scopes:
                add("Throttles", scope, 1.0, _COUNT)
            return
        error = 0.0 if invocation.function_error is None else 1.0
        duration = invocation.duration.total_seconds() * 1000
        for scope in scopes:
            add("Invocations", scope, 1.0, _COUNT)
            add("Errors", scope, error, _COUNT)
            add("Throttles", scope, 0.0, _COUNT)
            add("Duration", scope, duration, _MILLISECONDS)
        # Invocations run one at a time in awsmon: one execution at once.
        add("ConcurrentExecutions", (), 1.0, _COUNT)
        if function.reserved_concurrency is not None:
            add("ConcurrentExecutions", scopes[0], 1.0, _COUNT)

    def counts(
        self, function: LambdaFunction, values: Mapping[str, float], *, unit: str = "Count"
    ) -> None:
        """Count more metrics of `function` (IteratorAge, DestinationDeliveryFailures ...)."""
        if not self.vended.enabled:
            return
        kind = StandardUnit(unit)
        for metric, value in values.items():
            for scope in self.scopes(function.name):
                self.vended.add(metric, scope, value, kind)


def publish_counts(
    ctx: ServiceContext,
    function: LambdaFunction,
    values: Mapping[str, float],
    *,
    unit: str = "Count",
) -> None:
    """Count more AWS/Lambda metrics of `function` (IteratorAge, DestinationDeliveryFailures ...).

    Through the `LambdaMetrics` of the Lambda service of `ctx`'s place, under
    the same dimensions as the invocation metrics.
    """
    metrics: LambdaMetrics = ctx.sibling(ctx.spec.name).metrics
    metrics.counts(function, values, unit=unit)
