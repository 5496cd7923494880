"""AWS Lambda: functions that are Python callables, invoked on the virtual clock.

Main pieces: `Lambda` (the service of one account and region),
`LambdaFunction`, `LambdaContext` (what a handler gets as ``context``),
`Invocation` (the record of each invocation), `InvokeResult`,
`TracingMode`, the error classes. Around them:

- `awsmon.neighbours.lambda_.model`: the records and FunctionConfiguration; `.errors`: the errors;
- `awsmon.neighbours.lambda_.functions`: function management (`FunctionOperations`,
  mixed into `Lambda`);
- `awsmon.neighbours.lambda_.runtime`: running a handler, its environment, its log;
- `awsmon.neighbours.lambda_.telemetry`: its logs and AWS/Lambda metrics;
- `awsmon.neighbours.lambda_.tracing`: its X-Ray segments;
- `awsmon.neighbours.lambda_.api`: the wire translation;
- `awsmon.neighbours.lambda_.events`: the event shapes of each source.

>>> from awsmon import Cloud
>>> cloud = Cloud()
>>> _ = cloud.lambda_.register("double", lambda event, context: {"n": event["n"] * 2})
>>> cloud.lambda_.invoke("double", {"n": 21}).payload
b'{"n": 42}'
>>> cloud.lambda_.function("double").invocations[0].function_error is None
True
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from awsmon.dispatch import Service, ServiceContext, operation
from awsmon.neighbours.lambda_.asynchronous import AsyncOperations
from awsmon.neighbours.lambda_.destinations import EventInvokeConfig
from awsmon.neighbours.lambda_.errors import (
    TooManyRequestsException,
)
from awsmon.neighbours.lambda_.mappings import EventSourceMapping, MappingOperations
from awsmon.neighbours.lambda_.model import (
    Handler,
    Invocation,
    InvocationType,
    InvokeResult,
    LambdaContext,
    LambdaFunction,
    _event,
)
from awsmon.neighbours.lambda_.pollers import poll_kinesis, poll_sqs
from awsmon.neighbours.lambda_.runtime import (
    HandlerRun,
    RunSettings,
    invocation_log,
    resolve_handler,
    run_handler,
    runtime_environment,
)
from awsmon.neighbours.lambda_.telemetry import LambdaMetrics, LogShipper, sibling
from awsmon.neighbours.lambda_.tracing import (
    AttemptOutcome,
    AttemptTrace,
    LambdaTracer,
    RequestTrace,
)

__all__ = ["Lambda"]


class Lambda(AsyncOperations, MappingOperations, Service):
    """AWS Lambda in one account and region.

    Operations, by purpose:

    - functions: `create_function`, `get_function`, `list_functions`,
      `delete_function`, `update_function_configuration`, `put_function_concurrency`
    - invocation: `invoke` (RequestResponse, Event, DryRun)
    - asynchronous settings and destinations (`asynchronous.AsyncOperations`):
      `put_function_event_invoke_config` and its Update/Get/Delete/List
    - event source mappings (`mappings.MappingOperations`):
      `create_event_source_mapping` and its Update/Delete/Get/List
    - resource policy: `add_permission`, `remove_permission`, `get_policy`
    - Python-side: `register` (a callable as a function), `handlers`
      (handler references for CreateFunction), `function`

    A handler is any Python callable ``handler(event, context)``; its return
    value is JSON-encoded as the payload; an exception becomes
    ``FunctionError: Unhandled`` with the error payload the Python runtime
    writes; what it prints or logs (the root logger carries the runtime's
    handler, `capture.runtime_io`) becomes log lines between START/END/REPORT,
    in the Text or JSON format of its LoggingConfig. An asynchronous (Event)
    invocation runs at once and, on error, is retried (up to twice) as clock
    jobs one and then two minutes later, as Lambda does; its record then goes
    to the OnSuccess/OnFailure destination, if any.

    CreateFunction's ``Handler`` (``module.function``) is resolved from
    `handlers` (a name → callable map you fill), then from a module in the
    ``ZipFile`` code (imported once per execution environment), never from the
    host's importable modules; a handler that resolves to nothing fails like
    AWS's ``Runtime.ImportModuleError`` or ``Runtime.HandlerNotFound``.

    Telemetry hooks: every invocation is appended to the function's
    ``invocations``, passed to each callable in `on_invocation`, and to
    `_ship_logs` and `_publish_metrics`, which hand it to CloudWatch Logs
    (log group ``/aws/lambda/<name>``) and CloudWatch (``AWS/Lambda``) once
    those services are registered, and do nothing before.

    While a handler runs, ``os.environ`` holds the function's environment
    variables and the ones Lambda sets (``AWS_LAMBDA_FUNCTION_NAME``,
    ``AWS_REGION``, ``_X_AMZN_TRACE_ID`` ...), restored afterwards.

    X-Ray (`tracer`, `awsmon.neighbours.lambda_.tracing`): with
    ``TracingConfig`` ``Active``, or a caller's trace header saying
    ``Sampled=1``, an invocation sends its ``AWS::Lambda`` and
    ``AWS::Lambda::Function`` segments to X-Ray; the handler gets the trace
    in ``_X_AMZN_TRACE_ID`` and ``context.trace_header``, and can record
    subsegments through ``context.xray``.

    Simulation notes: handlers run in this process, synchronously, with no
    isolation; a run takes the function's simulated `duration` (or the
    virtual time the handler itself advanced, if longer); the first run
    after creation or reconfiguration is a cold start of `init_duration`;
    concurrency is only limited by a reserved concurrency of 0 (everything
    runs one at a time).

    Attributes:
        tracer: the `LambdaTracer` (tracing decisions, X-Ray segments).
        metrics: the `LambdaMetrics` (AWS/Lambda, through `VendedMetrics`).
        on_invocation: callables told of every `Invocation` record.
    """

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self.functions: dict[str, LambdaFunction] = {}
        self.handlers: dict[str, Handler] = {}
        self.invoke_configs: dict[str, EventInvokeConfig] = {}
        self.mappings: dict[str, EventSourceMapping] = {}
        self.on_invocation: list[Callable[[Invocation], None]] = []
        self.tracer = LambdaTracer(ctx)
        self.metrics = LambdaMetrics(ctx)
        self.log_shipper = LogShipper(ctx)

    # -- invocation -------------------------------------------------------------------

    @operation("Invoke")
    def invoke(
        self,
        function_name: str,
        payload: Any = None,
        *,
        invocation_type: InvocationType | str = InvocationType.REQUEST_RESPONSE,
        log_type: str | None = None,
        trace_header: str | None = None,
    ) -> InvokeResult:
        """Run the function with `payload` (a JSON-able value, or JSON bytes/str) (Invoke).

        Args:
            trace_header: the caller's ``X-Amzn-Trace-Id`` (``Root=...;
                Parent=...;Sampled=1``): the invocation joins that trace and
                follows its sampling decision (`awsmon.neighbours.lambda_.tracing`).

        Raises:
            ResourceNotFoundException: no such function.
            InvalidRequestContentException: a payload that is not JSON.
            TooManyRequestsException: reserved concurrency 0 (synchronous calls).
        """
        function = self.function(function_name)
        kind = InvocationType(invocation_type)
        event = _event(payload)
        if kind is InvocationType.DRY_RUN:
            return InvokeResult(status_code=204, payload=b"", executed_version=None)
        if function.reserved_concurrency == 0:
            self._record_throttle(function, kind, event, trace_header)
            if kind is InvocationType.REQUEST_RESPONSE:
                raise TooManyRequestsException(
                    "Rate Exceeded.", param="FunctionName", value=function_name
                )
            return InvokeResult(status_code=202, payload=b"", executed_version=None)
        request = self.tracer.request(
            function, trace_header, asynchronous=kind is InvocationType.EVENT
        )
        if kind is InvocationType.EVENT:
            self._run_async(function, event, 1, request)
            return InvokeResult(status_code=202, payload=b"", executed_version=None)
        invocation = self._run(function, event, kind, 1, request)
        tail = None
        if log_type == "Tail":
            tail = base64.b64encode(invocation.log_text.encode()[-4096:]).decode()
        return InvokeResult(
            status_code=200,
            payload=invocation.payload,
            function_error=invocation.function_error,
            log_result=tail,
        )

    def _poll(self, mapping: EventSourceMapping) -> None:
        """One poll of an enabled event source mapping (a clock job)."""
        function = self.functions.get(mapping.function_arn.rpartition(":")[2])
        if function is None or function.reserved_concurrency == 0:
            return
        poll = poll_sqs if mapping.kind == "sqs" else poll_kinesis
        with self.log_shipper.batched():
            poll(self.ctx, mapping, function, self._invoke_batch)

    def _invoke_batch(self, function: LambdaFunction, event: Any) -> Invocation:
        """Invoke `function` synchronously with a batch from an event source mapping."""
        request = self.tracer.request(function, None, asynchronous=False)
        return self._run(function, event, InvocationType.REQUEST_RESPONSE, 1, request)

    def _run(
        self,
        function: LambdaFunction,
        event: Any,
        kind: InvocationType,
        attempt: int,
        request: RequestTrace,
    ) -> Invocation:
        now = self.ctx.now()
        request_id = self.ctx.ids.uuid()
        cold = not function.initialized
        if cold or not function.log_stream:
            # A new execution environment, and its log stream.
            function.log_stream = f"{now:%Y/%m/%d}/[$LATEST]{self.ctx.ids.hex(32)}"
        stream = function.log_stream
        if cold:
            function.modules.clear()
        function.initialized = True
        trace = self.tracer.attempt(function, request, attempt, now.timestamp(), request_id)
        context = self._context(function, request_id, stream, trace)
        run = run_handler(
            lambda: resolve_handler(function, self.handlers),
            event,
            context,
            RunSettings(
                environment=runtime_environment(function, context, self.region),
                log=function.log_settings,
                now=self.ctx.now,
                xray_emitter=self._xray_emitter,
            ),
        )
        duration, error, payload = _outcome(
            function, event, run, started=now, elapsed=self.ctx.now() - now, request_id=request_id
        )
        ms = duration.total_seconds() * 1000
        billed = max(int(-(-ms // 1)), 1)
        init = function.init_duration if cold else timedelta(0)
        metrics = {
            "durationMs": round(ms, 2),
            "billedDurationMs": billed,
            "memorySizeMB": function.memory_size,
            "maxMemoryUsedMB": min(function.memory_size, 40),
        }
        if init:
            metrics["initDurationMs"] = round(init.total_seconds() * 1000, 2)
        log_lines = invocation_log(
            function.log_settings,
            request_id,
            at=now,
            duration=duration,
            events=run.log,
            metrics=metrics,
            xray=(request.trace_id, trace.segment_id) if request.sampled else None,
            status="success" if error is None else "error",
        )
        invocation = Invocation(
            request_id=request_id,
            at=now,
            invocation_type=kind,
            event=event,
            payload=payload,
            function_error=None if error is None else "Unhandled",
            log_lines=log_lines,
            duration=duration,
            billed_ms=billed,
            max_memory_used_mb=min(function.memory_size, 40),
            attempt=attempt,
            log_stream_name=stream,
            trace_header=trace.header,
            sampled=request.sampled,
            cold_start=cold,
        )
        self.tracer.finish(
            function,
            request,
            trace,
            AttemptOutcome(
                request_id=request_id,
                start=now.timestamp(),
                init=init.total_seconds(),
                cold=cold,
                duration=duration.total_seconds(),
                error=error,
                stack=run.stack if error is run.error else (),
            ),
        )
        self._record(function, invocation)
        return invocation

    def _xray_emitter(self) -> Any:
        """An X-Ray SDK emitter into the simulated X-Ray, None while the cloud has no X-Ray."""
        xray = sibling(self.ctx, "xray")
        return None if xray is None else xray.sdk_emitter()

    def _context(
        self, function: LambdaFunction, request_id: str, stream: str, trace: AttemptTrace
    ) -> LambdaContext:
        """The context object the handler receives for one attempt."""
        return LambdaContext(
            function_name=function.name,
            function_version="$LATEST",
            invoked_function_arn=function.arn,
            memory_limit_in_mb=function.memory_size,
            aws_request_id=request_id,
            log_group_name=function.log_group_name,
            log_stream_name=stream,
            deadline=self.ctx.now() + timedelta(seconds=function.timeout),
            clock_now=self.ctx.now,
            trace_header=trace.header,
            xray=trace.handle,
        )

    def _record_throttle(
        self,
        function: LambdaFunction,
        kind: InvocationType,
        event: Any,
        trace_header: str | None,
    ) -> None:
        request_id = self.ctx.ids.uuid()
        if kind is InvocationType.REQUEST_RESPONSE and (
            trace_header is not None or function.tracing_mode == "Active"
        ):
            request = self.tracer.request(function, trace_header, asynchronous=False)
            self.tracer.throttled(function, request, request_id)
        self._record(
            function,
            Invocation(
                request_id=request_id,
                at=self.ctx.now(),
                invocation_type=kind,
                event=event,
                payload=b"",
                function_error=None,
                log_lines=(),
                duration=timedelta(0),
                billed_ms=0,
                max_memory_used_mb=0,
                throttled=True,
            ),
        )

    def _record(self, function: LambdaFunction, invocation: Invocation) -> None:
        function.invocations.append(invocation)
        for listener in list(self.on_invocation):
            listener(invocation)
        self._ship_logs(function, invocation)
        self._publish_metrics(function, invocation)

    # -- telemetry hooks ---------------------------------------------------------------

    def _ship_logs(self, function: LambdaFunction, invocation: Invocation) -> None:
        """Write the invocation's log lines to CloudWatch Logs (`telemetry.LogShipper`)."""
        self.log_shipper.ship(function, invocation)

    def _publish_metrics(self, function: LambdaFunction, invocation: Invocation) -> None:
        """Count its AWS/Lambda metrics (`telemetry.LambdaMetrics`), published each minute."""
        self.metrics.invocation(function, invocation)


def _outcome(
    function: LambdaFunction,
    event: Any,
    run: HandlerRun,
    *,
    started: datetime,
    elapsed: timedelta,
    request_id: str,
) -> tuple[timedelta, dict[str, Any] | None, bytes]:
    """An invocation's (billed duration, error payload or None, response payload).

    The duration is the function's declared one (or the time the handler
    advanced the clock, if longer), cut at the timeout, which is then an error
    as Lambda words it; a result that is not JSON is ``Runtime.MarshalError``.
    """
    error = run.error
    declared = function.duration(event) if callable(function.duration) else function.duration
    duration = max(declared, elapsed)
    if duration > timedelta(seconds=function.timeout):
        duration = timedelta(seconds=function.timeout)
        error = {
            "errorMessage": f"{started:%Y-%m-%dT%H:%M:%S.%f}"[:-3]
            + f"Z {request_id} Task timed out after {function.timeout:.2f} seconds"
        }
    if error is None:
        try:
            return duration, None, json.dumps(run.result).encode()
        except (TypeError, ValueError) as exc:
            error = {
                "errorMessage": f"Unable to marshal response: {exc}",
                "errorType": "Runtime.MarshalError",
                "requestId": request_id,
                "stackTrace": [],
            }
    return duration, error, json.dumps(error).encode()
