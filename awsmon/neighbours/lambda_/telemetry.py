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

import contextlib
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from awsmon import registry
from awsmon.cloudwatch import Dims, StandardUnit, VendedMetrics, dims
from awsmon.dispatch import ServiceContext
from awsmon.errors import NotFound
from awsmon.neighbours.lambda_.model import Invocation, LambdaFunction
from awsmon.neighbours.lambda_.runtime import execution_role

__all__ = ["LambdaMetrics", "LogShipper", "publish_counts", "ship_lines", "ship_logs", "sibling"]

Line = tuple[datetime, str]
"""One log line: its timestamp and message."""

# PutLogEvents' limits (AWS's CloudWatch Logs quotas).
_BATCH_EVENTS = 10_000
_BATCH_BYTES = 1_048_576
_EVENT_OVERHEAD = 26
_BATCH_SPAN = timedelta(hours=24)
_ONE_MS = timedelta(milliseconds=1)

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

    The group and the invocation's stream (``YYYY/MM/DD/[$LATEST]<hex>``, one
    per execution environment) are created when missing, as the function's
    execution role, and the lines are put with Embedded Metric Format
    extraction on (Lambda extracts EMF from its logs). Does nothing without a
    ``logs`` service.
    """
    if invocation.throttled or not invocation.log_lines:
        return
    ship_lines(ctx, function, invocation.log_stream_name, list(invocation.log_lines))


def ship_lines(
    ctx: ServiceContext, function: LambdaFunction, stream: str, lines: list[Line]
) -> None:
    """Put `lines` (in time order) into `stream` of the function's log group (see `ship_logs`).

    In PutLogEvents batches within its limits (10,000 events, 1 MB counting
    26 bytes per event, 24 hours). Does nothing without a ``logs`` service.
    """
    logs = sibling(ctx, "logs")
    if logs is None or not lines:
        return
    group = function.log_group_name
    with ctx.as_principal(execution_role(function)):
        try:
            logs.log_group(group)
        except NotFound:
            logs.create_log_group(group)
        try:
            logs.log_stream(logs.log_group(group), stream)
        except NotFound:
            logs.create_log_stream(group, stream)
        for chunk in _batches(lines):
            logs.put_log_events(group, stream, chunk, emf=True)


def _batches(lines: list[Line]) -> Iterator[list[Line]]:
    """`lines` cut into PutLogEvents batches (count, bytes and time span within AWS's limits)."""
    chunk: list[Line] = []
    size = 0
    for line in lines:
        message = line[1]
        cost = (len(message) if message.isascii() else len(message.encode())) + _EVENT_OVERHEAD
        if chunk and (
            len(chunk) >= _BATCH_EVENTS
            or size + cost > _BATCH_BYTES
            or line[0] - chunk[0][0] > _BATCH_SPAN
        ):
            yield chunk
            chunk, size = [], 0
        chunk.append(line)
        size += cost
    if chunk:
        yield chunk


class LogShipper:
    """Ships each invocation's log lines, one PutLogEvents per invocation or per poll.

    An invocation outside a poll ships its lines at once (a test reads them
    right after ``invoke``). Within `batched` (one poll of an event source
    mapping, which may run thousands of invocations at one virtual instant)
    the lines wait, by stream, and go out together when the poll ends, in
    time order and in batches within PutLogEvents' limits: the same events in
    the same streams, in far fewer calls (Lambda's log delivery is
    asynchronous in AWS too).
    """

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self._depth = 0
        self._pending: dict[tuple[str, str], tuple[LambdaFunction, list[Line]]] = {}

    @contextlib.contextmanager
    def batched(self) -> Iterator[None]:
        """Hold the lines of the invocations run in the block; ship them when it ends."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if not self._depth:
                self.flush()

    def ship(self, function: LambdaFunction, invocation: Invocation) -> None:
        """Ship (or, within `batched`, hold) the lines of one invocation."""
        if invocation.throttled or not invocation.log_lines:
            return
        if not self._depth:
            ship_logs(self.ctx, function, invocation)
            return
        key = (function.log_group_name, invocation.log_stream_name)
        held = self._pending.get(key)
        if held is None:
            self._pending[key] = (function, list(invocation.log_lines))
        else:
            held[1].extend(invocation.log_lines)

    def flush(self) -> None:
        """Ship every held line now, stream by stream."""
        pending, self._pending = self._pending, {}
        for (_, stream), (function, lines) in pending.items():
            lines.sort(key=_at)  # stable: the lines of one instant keep their order
            ship_lines(self.ctx, function, stream, lines)


def _at(line: Line) -> datetime:
    return line[0]


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
        duration = invocation.duration / _ONE_MS  # exact: 1001 ms is 1001.0
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
