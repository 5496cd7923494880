"""Lambda's X-Ray integration: the tracing decision and the segments of each invocation.

`LambdaTracer` (``cloud.lambda_.tracer``) decides, for each invocation
request, whether it is traced, gives the handler its trace header, and sends
the segments of sampled invocations to the X-Ray of the function's account
and region with PutTraceSegments.

The decision (reference C.4, AWS Lambda Developer Guide "Visualize Lambda
function invocations using AWS X-Ray"):

- an incoming ``X-Amzn-Trace-Id`` with ``Sampled=1`` or ``Sampled=0`` decides,
  in both modes; the invocation joins that trace (``Root``), under the
  caller's ``Parent``;
- otherwise a function whose ``TracingConfig.Mode`` is ``Active`` samples the
  request itself with X-Ray's default rule (the first request each second,
  then 5 % of the others: `awsmon.xray.sampling.Sampler` on the virtual clock
  and the cloud's seeded random source), joining the header's trace if it
  names one; a ``PassThrough`` function is not traced.

A sampled invocation sends two segments, both named after the function:

- the ``AWS::Lambda`` service segment: the request's time in Lambda, with
  ``http.response.status`` (200; 202 for an asynchronous request; 429 when
  throttled), ``aws.request_id`` and ``resource_arn``; an asynchronous
  request has ``Dwell Time`` and ``Attempt #n`` subsegments (later attempts
  are sent as subsegments on their own);
- the ``AWS::Lambda::Function`` function segment, a child of the service
  segment (of its attempt for an asynchronous request), with its
  ``Initialization`` (cold starts only), ``Invocation`` (the handler: what it
  records through ``context.xray`` hangs here) and ``Overhead`` subsegments.

The handler's ``_X_AMZN_TRACE_ID`` is ``Root=<trace>;Parent=<function
segment id>;Sampled=<1|0>``, so the X-Ray SDK in Lambda mode, or awsmon's
recorder given that header, continues the trace under the function segment.

Errors: a function error (the handler raised, timed out, or could not be
imported, resolved or marshalled) sets ``fault`` and a ``cause`` (the
runtime's exception: message, type, the handler's stack) on the function
segment and its ``Invocation`` subsegment, and ``error`` on the service
segment (synchronous) or the failed attempt's subsegment (asynchronous); a
throttled synchronous request is a service segment alone, with status 429,
``throttle`` and ``error``.

Simulation notes: AWS documents the segments and subsegments but not every
field: the flags above (fault on the function, error on the service), the
``aws`` blocks, the ``Attempt #n``/``Dwell Time`` names and the extent of an
asynchronous service segment (its first attempt) follow observed traces and
are UNCONFIRMED. ``Overhead`` lasts 0 s; ``Initialization`` lasts the
function's `init_duration` and ends when the handler starts. Lambda does not
apply the account's sampling rules (the rate "cannot be configured"); set
`LambdaTracer.follow_sampling_rules` to use them (and their reservoir quotas)
instead.

>>> from awsmon import Cloud
>>> cloud = Cloud()
>>> function = cloud.lambda_.register("hello", lambda event, context: "hi", tracing_mode="Active")
>>> _ = cloud.lambda_.invoke("hello", {})
>>> invocation = function.invocations[0]
>>> invocation.sampled, invocation.trace_header.endswith(";Sampled=1")
(True, True)
>>> sorted((s.name, s.parent_id is None) for s in cloud.xray.segments(invocation.trace_id))
[('hello', False), ('hello', True)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from attrs import define, frozen

from awsmon.neighbours.lambda_.model import LambdaFunction
from awsmon.neighbours.lambda_.runtime import TASK_ROOT, execution_role
from awsmon.neighbours.lambda_.telemetry import sibling

if TYPE_CHECKING:
    from awsmon.dispatch import ServiceContext
    from awsmon.xray import ActiveSubsegment, Sampler

__all__ = ["AttemptOutcome", "AttemptTrace", "LambdaTracer", "RequestTrace"]

_FUNCTION_ORIGIN = "AWS::Lambda::Function"


@define(eq=False)
class RequestTrace:
    """The X-Ray side of one invocation request, shared by its attempts.

    Attributes:
        trace_id: the trace the request belongs to ("" until the first run of
            an unsampled request without a caller's trace names one).
        parent_id: the caller's segment or subsegment (the header's ``Parent``).
        sampled: True when its segments go to X-Ray.
        segment_id: the id of its ``AWS::Lambda`` service segment ("" when unsampled).
        requested_at: when Lambda received it (epoch seconds).
        asynchronous: an ``Event`` invocation.
        service_sent: whether the service segment was sent already.
    """

    trace_id: str
    parent_id: str | None
    sampled: bool
    segment_id: str
    requested_at: float
    asynchronous: bool
    service_sent: bool = False


@define(eq=False)
class AttemptTrace:
    """The X-Ray side of one run (attempt) of a request.

    Attributes:
        number: 1 for the first attempt.
        segment_id: the id of its ``AWS::Lambda::Function`` segment.
        attempt_id: the id of its ``Attempt #n`` subsegment (asynchronous requests).
        header: the ``_X_AMZN_TRACE_ID`` the handler gets.
        invocation: the ``Invocation`` subsegment document being built.
        handle: the same subsegment as a recorder object (``context.xray``).
    """

    number: int
    segment_id: str
    attempt_id: str | None
    header: str
    invocation: dict[str, Any]
    handle: ActiveSubsegment | None


@frozen(kw_only=True)
class AttemptOutcome:
    """How a run went, for its segments.

    Attributes:
        request_id: the run's request id.
        start: when the handler started (epoch seconds).
        init: the cold start before it (seconds; 0 when warm).
        cold: whether the run began with an initialisation.
        duration: the handler's run time (seconds).
        error: the error payload of a function error, or None.
        stack: the handler's frames of the exception, if it raised.
    """

    request_id: str
    start: float
    init: float
    cold: bool
    duration: float
    error: Mapping[str, Any] | None = None
    stack: Sequence[Mapping[str, Any]] = ()


class LambdaTracer:
    """Tracing decisions and segment documents for the functions of one Lambda service.

    Attributes:
        follow_sampling_rules: sample ``Active`` functions with the account's
            X-Ray sampling rules (`XRay.sampler`, with its reporting clock
            jobs) instead of Lambda's fixed default rule. Default False, as
            in AWS.
    """

    follow_sampling_rules: bool = False

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._samplers: dict[str, Sampler] = {}

    def _xray(self) -> Any:
        """The X-Ray service of the Lambda's account and region (None without one)."""
        return sibling(self._ctx, "xray")

    # -- decisions -------------------------------------------------------------------

    def request(
        self, function: LambdaFunction, header: str | None, *, asynchronous: bool
    ) -> RequestTrace:
        """Decide how a new request to `function` is traced, given the caller's header."""
        from awsmon.xray import TraceHeader

        parsed = TraceHeader.parse(header)
        now = self._ctx.clock.time()
        if parsed is not None and parsed.sampled in ("0", "1"):
            sampled = parsed.sampled == "1"
        elif function.tracing_mode == "Active":
            sampled = self._sample(function)
        else:
            sampled = False
        ids = self._ctx.ids
        trace_id = parsed.root if parsed is not None else ""
        if sampled and not trace_id:
            trace_id = f"1-{int(now):08x}-{ids.hex(24)}"
        return RequestTrace(
            trace_id=trace_id,
            parent_id=parsed.parent if parsed is not None else None,
            sampled=sampled,
            segment_id=ids.hex(16) if sampled else "",
            requested_at=now,
            asynchronous=asynchronous,
        )

    def _sample(self, function: LambdaFunction) -> bool:
        from awsmon.xray import Sampler, SamplingRequest, SamplingRule

        sampler = self._samplers.get(function.name)
        if sampler is None:
            xray = self._xray()
            if self.follow_sampling_rules and xray is not None:
                sampler = xray.sampler()
            else:
                sampler = Sampler(
                    client_id=self._ctx.ids.hex(24),
                    now=self._ctx.clock.time,
                    rng=self._ctx.rng,
                    fetch_rules=lambda: [
                        SamplingRule(
                            rule_name="Default", priority=10000, fixed_rate=0.05, reservoir_size=1
                        )
                    ],
                    fetch_targets=lambda reports: ([], None),
                )
            self._samplers[function.name] = sampler
        assert sampler is not None
        decision = sampler.should_sample(
            SamplingRequest(service_name=function.name, service_type=_FUNCTION_ORIGIN)
        )
        return decision.sampled

    def attempt(
        self,
        function: LambdaFunction,
        request: RequestTrace,
        number: int,
        start: float,
        request_id: str,
    ) -> AttemptTrace:
        """Open the trace of one run starting at `start`: its ids, header and Invocation.

        An unsampled run draws nothing from the seeded source: its trace and
        segment ids (which only the handler's header shows) come from its
        request id, so untraced runs replay exactly as before tracing existed.
        """
        if request.sampled:
            ids = self._ctx.ids
            segment_id = ids.hex(16)
            attempt_id = ids.hex(16) if request.asynchronous else None
            invocation_id = ids.hex(16)
        else:
            digits = request_id.replace("-", "").lower().ljust(32, "0")
            if not request.trace_id:
                request.trace_id = f"1-{int(start):08x}-{digits[:24]}"
            segment_id, attempt_id, invocation_id = digits[16:32], None, digits[:16]
        header = (
            f"Root={request.trace_id};Parent={segment_id};Sampled={1 if request.sampled else 0}"
        )
        invocation: dict[str, Any] = {
            "id": invocation_id,
            "name": "Invocation",
            "start_time": start,
        }
        handle = None
        xray = self._xray()
        if xray is not None:
            from awsmon.xray import ActiveSubsegment

            recorder = xray.recorder(function.name, origin=_FUNCTION_ORIGIN)
            handle = ActiveSubsegment(recorder, invocation, request.trace_id, request.sampled)
        return AttemptTrace(
            number=number,
            segment_id=segment_id,
            attempt_id=attempt_id,
            header=header,
            invocation=invocation,
            handle=handle,
        )

    # -- documents -------------------------------------------------------------------

    def finish(
        self,
        function: LambdaFunction,
        request: RequestTrace,
        attempt: AttemptTrace,
        outcome: AttemptOutcome,
    ) -> None:
        """Send the segments of a finished run, when its request is sampled."""
        xray = self._xray()
        if not request.sampled or xray is None:
            return
        ids = self._ctx.ids
        began = outcome.start - outcome.init
        end = outcome.start + outcome.duration
        invocation = attempt.invocation
        invocation["end_time"] = max(end, float(invocation.get("end_time") or end))
        subsegments: list[dict[str, Any]] = []
        if outcome.cold:
            subsegments.append(_timed(ids.hex(16), "Initialization", began, outcome.start))
        subsegments.append(invocation)
        subsegments.append(_timed(ids.hex(16), "Overhead", end, end))
        parent = attempt.attempt_id or request.segment_id
        account = self._ctx.account_id
        document: dict[str, Any] = {
            "id": attempt.segment_id,
            "name": function.name,
            "trace_id": request.trace_id,
            "parent_id": parent,
            "start_time": began,
            "end_time": end,
            "origin": _FUNCTION_ORIGIN,
            "resource_arn": function.arn,
            "aws": {
                "account_id": account,
                "function_arn": function.arn,
                "resource_names": [function.name],
            },
            "subsegments": subsegments,
        }
        if outcome.error is not None:
            cause = self._cause(outcome)
            for failed in (document, invocation):
                failed["fault"] = True
                failed["cause"] = cause
        documents = [document]
        if request.asynchronous:
            documents.append(
                self._attempt_document(function, request, attempt, outcome, began, end)
            )
        else:
            documents.append(
                self._service_document(
                    function,
                    request,
                    start=began,
                    end=end,
                    status=200,
                    request_id=outcome.request_id,
                    error=outcome.error is not None,
                )
            )
        self._send(function, documents)

    def throttled(self, function: LambdaFunction, request: RequestTrace, request_id: str) -> None:
        """Send the service segment of a synchronous request refused for lack of concurrency."""
        if not request.sampled:
            return
        document = self._service_document(
            function,
            request,
            start=request.requested_at,
            end=request.requested_at,
            status=429,
            request_id=request_id,
            error=True,
        )
        document["throttle"] = True
        self._send(function, [document])

    def _attempt_document(
        self,
        function: LambdaFunction,
        request: RequestTrace,
        attempt: AttemptTrace,
        outcome: AttemptOutcome,
        began: float,
        end: float,
    ) -> dict[str, Any]:
        assert attempt.attempt_id is not None
        sub = _timed(attempt.attempt_id, f"Attempt #{attempt.number}", began, end)
        if outcome.error is not None:
            sub["error"] = True
        if request.service_sent:
            sub.update(type="subsegment", trace_id=request.trace_id, parent_id=request.segment_id)
            return sub
        queued = min(request.requested_at, began)
        service = self._service_document(
            function,
            request,
            start=queued,
            end=end,
            status=202,
            request_id=outcome.request_id,
            error=False,
        )
        dwell = _timed(self._ctx.ids.hex(16), "Dwell Time", queued, began)
        service["subsegments"] = [dwell, sub]
        request.service_sent = True
        return service

    def _service_document(
        self,
        function: LambdaFunction,
        request: RequestTrace,
        *,
        start: float,
        end: float,
        status: int,
        request_id: str,
        error: bool,
    ) -> dict[str, Any]:
        document: dict[str, Any] = {
            "id": request.segment_id,
            "name": function.name,
            "trace_id": request.trace_id,
            "start_time": start,
            "end_time": end,
            "origin": "AWS::Lambda",
            "resource_arn": function.arn,
            "http": {"response": {"status": status}},
            "aws": {"request_id": request_id},
        }
        if request.parent_id is not None:
            document["parent_id"] = request.parent_id
        if error:
            document["error"] = True
        request.service_sent = True
        return document

    def _cause(self, outcome: AttemptOutcome) -> dict[str, Any]:
        error = outcome.error or {}
        exception: dict[str, Any] = {
            "id": self._ctx.ids.hex(16),
            "message": str(error.get("errorMessage", "")),
            "type": str(error.get("errorType", "Sandbox.Timedout")),
        }
        if outcome.stack:
            exception["stack"] = [dict(frame) for frame in outcome.stack]
        paths = sorted({str(frame["path"]) for frame in outcome.stack})
        return {"working_directory": TASK_ROOT, "paths": paths, "exceptions": [exception]}

    def _send(self, function: LambdaFunction, documents: list[dict[str, Any]]) -> None:
        xray = self._xray()
        with self._ctx.as_principal(execution_role(function)):
            xray.put_trace_segments(documents)


def _timed(entity_id: str, name: str, start: float, end: float) -> dict[str, Any]:
    """A subsegment document with its id, name and times."""
    return {"id": entity_id, "name": name, "start_time": start, "end_time": end}
