"""AWS Lambda: functions that are Python callables, invoked on the virtual clock.

Main pieces: `Lambda` (the service of one account and region),
`LambdaFunction`, `LambdaContext` (what a handler gets as ``context``),
`Invocation` (the record of each invocation), `InvokeResult`, the error
classes; the wire translation lives in `awsmon.neighbours.lambda_api`, the
event shapes of each source in `awsmon.neighbours.lambda_events`.

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
import contextlib
import hashlib
import importlib
import io
import json
import re
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from awsmon import registry
from awsmon.dispatch import Service, operation
from awsmon.errors import NotFound
from awsmon.identity import Principal
from awsmon.neighbours.lambda_model import (
    Handler,
    InvalidParameterValueException,
    InvalidRequestContentException,
    Invocation,
    InvocationType,
    InvokeResult,
    LambdaContext,
    LambdaFunction,
    ResourceConflictException,
    ResourceNotFoundException,
    TooManyRequestsException,
    ValidationException,
    _check_sizes,
    _error_payload,
    _event,
    _HandlerMissing,
    _module_from_zip,
    _reference,
    function_configuration,
)

__all__ = [
    "Handler",
    "InvalidParameterValueException",
    "InvalidRequestContentException",
    "Invocation",
    "InvocationType",
    "InvokeResult",
    "Lambda",
    "LambdaContext",
    "LambdaFunction",
    "ResourceConflictException",
    "ResourceNotFoundException",
    "TooManyRequestsException",
    "function_configuration",
]

_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")
_FUNCTION_ARN = re.compile(
    r"(?:arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z0-9-]+):)?(?:(?P<account>\d{12}):)?"
    r"(?:function:)?(?P<name>[a-zA-Z0-9_-]{1,64})(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9_-]+))?"
)
_ROLE = re.compile(r"arn:aws[a-zA-Z-]*:iam::\d{12}:role/[\w+=,.@/-]+")
_RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=2))


class Lambda(Service):
    """AWS Lambda in one account and region.

    Operations, by purpose:

    - functions: `create_function`, `get_function`, `list_functions`,
      `delete_function`, `update_function_configuration`, `put_function_concurrency`
    - invocation: `invoke` (RequestResponse, Event, DryRun)
    - resource policy: `add_permission`, `remove_permission`, `get_policy`
    - Python-side: `register` (a callable as a function), `handlers`
      (handler references for CreateFunction), `function`

    A handler is any Python callable ``handler(event, context)``; its return
    value is JSON-encoded as the payload; an exception becomes
    ``FunctionError: Unhandled`` with the error payload the Python runtime
    writes; what it prints becomes log lines between START/END/REPORT. An
    asynchronous (Event) invocation runs at once and, on error, is retried
    twice as clock jobs one and then two minutes later, as Lambda does.

    CreateFunction's ``Handler`` (``module.function``) is resolved, at each
    invocation, from `handlers` (a name → callable map you fill), then from a
    module in the ``ZipFile`` code, then from an importable module; a handler
    that resolves to nothing fails like AWS's ``Runtime.ImportModuleError``.

    Telemetry hooks: every invocation is appended to the function's
    ``invocations``, passed to each callable in `on_invocation`, and to
    `_ship_logs` and `_publish_metrics`, which hand it to CloudWatch Logs
    (log group ``/aws/lambda/<name>``) and CloudWatch (``AWS/Lambda``) once
    those services are registered, and do nothing before.

    Simulation notes: handlers run in this process, synchronously, with no
    isolation; a run takes the function's simulated `duration` (virtual
    time does not move while a handler runs); concurrency is only limited by
    a reserved concurrency of 0 (everything runs one at a time).
    """

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.functions: dict[str, LambdaFunction] = {}
        self.handlers: dict[str, Handler] = {}
        self.on_invocation: list[Callable[[Invocation], None]] = []

    # -- lookup -------------------------------------------------------------------

    def function(self, name_or_arn: str) -> LambdaFunction:
        """The function named by name, ARN or partial ARN (``123456789012:function:f``).

        Raises:
            ResourceNotFoundException: no such function.
        """
        match = _FUNCTION_ARN.fullmatch(name_or_arn)
        target: Lambda = self
        if match is not None and (match["region"] or match["account"]):
            target = (
                self.ctx.cloud.account(match["account"] or self.account_id)
                .region(match["region"] or self.region)
                .service(self.ctx.spec.name)
            )
        found = target.functions.get(match["name"]) if match else None
        if found is None:
            name = match["name"] if match else name_or_arn
            raise ResourceNotFoundException(
                f"Function not found: {target.ctx.arn('function:' + name)}",
                param="FunctionName",
                value=name_or_arn,
            )
        return found

    # -- functions ------------------------------------------------------------------

    def register(
        self,
        name: str,
        handler: Handler,
        *,
        memory_size: int = 128,
        timeout: int = 3,
        runtime: str = "python3.12",
        environment: Mapping[str, str] | None = None,
        duration: timedelta | Callable[[Any], timedelta] | None = None,
    ) -> LambdaFunction:
        """Make a Python callable a function named `name` (replacing one of that name).

        Not an AWS operation: the simulation's way of deploying code.
        """
        now = self.ctx.now()
        digest = hashlib.sha256(repr(handler).encode()).digest()
        function = LambdaFunction(
            name=name,
            arn=self.ctx.arn(f"function:{name}"),
            handler_name=_reference(handler),
            runtime=runtime,
            role=f"arn:aws:iam::{self.account_id}:role/awsmon-lambda-{name}",
            memory_size=memory_size,
            timeout=timeout,
            created_at=now,
            last_modified=now,
            code_sha256=base64.b64encode(digest).decode(),
            code_size=0,
            environment=dict(environment or {}),
            handler=handler,
        )
        if duration is not None:
            function.duration = duration
        self.functions[name] = function
        return function

    @operation("CreateFunction")
    def create_function(
        self,
        function_name: str,
        *,
        role: str,
        handler: str,
        runtime: str = "python3.12",
        zip_file: bytes | None = None,
        memory_size: int = 128,
        timeout: int = 3,
        description: str = "",
        environment: Mapping[str, str] | None = None,
        tracing_mode: str = "PassThrough",
        tags: Mapping[str, str] | None = None,
    ) -> LambdaFunction:
        """Create a function whose handler is resolved at invocation (CreateFunction).

        Raises:
            ResourceConflictException: the function exists.
            InvalidParameterValueException: a bad role, memory size or timeout.
        """
        if not _NAME.fullmatch(function_name):
            raise ValidationException(
                f"1 validation error detected: Value '{function_name}' at 'functionName' failed "
                "to satisfy constraint: Member must satisfy regular expression pattern: "
                "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?"
                "(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
                param="FunctionName",
                value=function_name,
            )
        if function_name in self.functions:
            raise ResourceConflictException(
                f"Function already exist: {function_name}",
                param="FunctionName",
                value=function_name,
            )
        if not _ROLE.fullmatch(role):
            raise InvalidParameterValueException(
                "The role defined for the function cannot be assumed by Lambda.",
                param="Role",
                value=role,
            )
        _check_sizes(memory_size, timeout)
        now = self.ctx.now()
        code = zip_file or b""
        function = LambdaFunction(
            name=function_name,
            arn=self.ctx.arn(f"function:{function_name}"),
            handler_name=handler,
            runtime=runtime,
            role=role,
            memory_size=memory_size,
            timeout=timeout,
            created_at=now,
            last_modified=now,
            code_sha256=base64.b64encode(hashlib.sha256(code).digest()).decode(),
            code_size=len(code),
            description=description,
            environment=dict(environment or {}),
            tracing_mode=tracing_mode,
            code=zip_file,
            tags=dict(tags or {}),
        )
        self.functions[function_name] = function
        return function

    @operation("GetFunction")
    def get_function(self, function_name: str) -> LambdaFunction:
        """The function (GetFunction / GetFunctionConfiguration)."""
        return self.function(function_name)

    @operation("ListFunctions")
    def list_functions(self) -> list[LambdaFunction]:
        """The functions of this account and region, by name (ListFunctions)."""
        return [self.functions[name] for name in sorted(self.functions)]

    @operation("DeleteFunction")
    def delete_function(self, function_name: str) -> None:
        """Delete a function (DeleteFunction)."""
        del self.functions[self.function(function_name).name]

    @operation("UpdateFunctionConfiguration")
    def update_function_configuration(
        self,
        function_name: str,
        *,
        memory_size: int | None = None,
        timeout: int | None = None,
        handler: str | None = None,
        environment: Mapping[str, str] | None = None,
        description: str | None = None,
        tracing_mode: str | None = None,
    ) -> LambdaFunction:
        """Change a function's settings (UpdateFunctionConfiguration)."""
        function = self.function(function_name)
        _check_sizes(
            memory_size if memory_size is not None else function.memory_size,
            timeout if timeout is not None else function.timeout,
        )
        if memory_size is not None:
            function.memory_size = memory_size
        if timeout is not None:
            function.timeout = timeout
        if handler is not None:
            function.handler_name = handler
            function.handler = None
        if environment is not None:
            function.environment = dict(environment)
        if description is not None:
            function.description = description
        if tracing_mode is not None:
            function.tracing_mode = tracing_mode
        function.last_modified = self.ctx.now()
        function.revision += 1
        return function

    @operation("PutFunctionConcurrency")
    def put_function_concurrency(
        self, function_name: str, reserved_concurrent_executions: int
    ) -> int:
        """Reserve concurrency (PutFunctionConcurrency); 0 throttles every invocation."""
        if reserved_concurrent_executions < 0:
            raise InvalidParameterValueException(
                "ReservedConcurrentExecutions must be >= 0",
                param="ReservedConcurrentExecutions",
                value=reserved_concurrent_executions,
            )
        self.function(function_name).reserved_concurrency = reserved_concurrent_executions
        return reserved_concurrent_executions

    @operation("DeleteFunctionConcurrency")
    def delete_function_concurrency(self, function_name: str) -> None:
        """Remove the reserved concurrency (DeleteFunctionConcurrency)."""
        self.function(function_name).reserved_concurrency = None

    # -- resource policy --------------------------------------------------------------

    @operation("AddPermission")
    def add_permission(
        self,
        function_name: str,
        statement_id: str,
        action: str,
        principal: str,
        *,
        source_arn: str | None = None,
        source_account: str | None = None,
    ) -> dict[str, Any]:
        """Add a statement to the function's resource policy (AddPermission).

        Raises:
            ResourceConflictException: a statement with that id exists.
        """
        function = self.function(function_name)
        if any(s["Sid"] == statement_id for s in function.policy):
            raise ResourceConflictException(
                f"The statement id ({statement_id}) provided already exists. Please provide a new "
                "statement id, or remove the existing statement.",
                param="StatementId",
                value=statement_id,
            )
        who: dict[str, str] = (
            {"Service": principal} if principal.endswith(".amazonaws.com") else {"AWS": principal}
        )
        statement: dict[str, Any] = {
            "Sid": statement_id,
            "Effect": "Allow",
            "Principal": who,
            "Action": action,
            "Resource": function.arn,
        }
        condition: dict[str, Any] = {}
        if source_arn:
            condition["ArnLike"] = {"AWS:SourceArn": source_arn}
        if source_account:
            condition["StringEquals"] = {"AWS:SourceAccount": source_account}
        if condition:
            statement["Condition"] = condition
        function.policy.append(statement)
        function.revision += 1
        return statement

    @operation("RemovePermission")
    def remove_permission(self, function_name: str, statement_id: str) -> None:
        """Remove a statement from the function's policy (RemovePermission)."""
        function = self.function(function_name)
        if not any(s["Sid"] == statement_id for s in function.policy):
            raise ResourceNotFoundException(
                "Statement not found", param="StatementId", value=statement_id
            )
        function.policy = [s for s in function.policy if s["Sid"] != statement_id]

    @operation("GetPolicy")
    def get_policy(self, function_name: str) -> str:
        """The function's resource policy as JSON (GetPolicy).

        Raises:
            ResourceNotFoundException: the function has no policy.
        """
        function = self.function(function_name)
        if not function.policy:
            raise ResourceNotFoundException(
                "The resource you requested does not exist.",
                param="FunctionName",
                value=function_name,
            )
        return json.dumps(
            {"Version": "2012-10-17", "Id": "default", "Statement": function.policy},
            separators=(",", ":"),
        )

    # -- invocation -------------------------------------------------------------------

    @operation("Invoke")
    def invoke(
        self,
        function_name: str,
        payload: Any = None,
        *,
        invocation_type: InvocationType | str = InvocationType.REQUEST_RESPONSE,
        log_type: str | None = None,
    ) -> InvokeResult:
        """Run the function with `payload` (a JSON-able value, or JSON bytes/str) (Invoke).

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
            self._record_throttle(function, kind, event)
            if kind is InvocationType.REQUEST_RESPONSE:
                raise TooManyRequestsException(
                    "Rate Exceeded.", param="FunctionName", value=function_name
                )
            return InvokeResult(status_code=202, payload=b"", executed_version=None)
        if kind is InvocationType.EVENT:
            self._run_async(function, event, attempt=1)
            return InvokeResult(status_code=202, payload=b"", executed_version=None)
        invocation = self._run(function, event, kind, attempt=1)
        tail = None
        if log_type == "Tail":
            tail = base64.b64encode(invocation.log_text.encode()[-4096:]).decode()
        return InvokeResult(
            status_code=200,
            payload=invocation.payload,
            function_error=invocation.function_error,
            log_result=tail,
        )

    def _run_async(self, function: LambdaFunction, event: Any, attempt: int) -> None:
        invocation = self._run(function, event, InvocationType.EVENT, attempt=attempt)
        if invocation.function_error is not None and attempt <= len(_RETRY_DELAYS):
            self.ctx.clock.call_later(
                _RETRY_DELAYS[attempt - 1],
                self._retry,
                function.name,
                event,
                attempt + 1,
                name=f"lambda retry {function.name}#{attempt + 1}",
            )

    def _retry(self, name: str, event: Any, attempt: int) -> None:
        function = self.functions.get(name)
        if function is not None:
            self._run_async(function, event, attempt)

    def _resolve(self, function: LambdaFunction) -> Handler:
        if function.handler is not None:
            return function.handler
        reference = function.handler_name
        if reference in self.handlers:
            return self.handlers[reference]
        module_name, _, attribute = reference.rpartition(".")
        module = _module_from_zip(function.code, module_name) if function.code else None
        if module is None:
            module = importlib.import_module(module_name)
        found = getattr(module, attribute, None)
        if not callable(found):
            raise _HandlerMissing(
                f"Handler '{attribute}' missing on module '{module_name}'",
                "Runtime.HandlerNotFound",
            )
        handler: Handler = found
        return handler

    def _run(
        self, function: LambdaFunction, event: Any, kind: InvocationType, attempt: int
    ) -> Invocation:
        now = self.ctx.now()
        request_id = self.ctx.ids.uuid()
        stream = f"{now:%Y/%m/%d}/[$LATEST]{self.ctx.ids.hex(32)}"
        context = LambdaContext(
            function_name=function.name,
            function_version="$LATEST",
            invoked_function_arn=function.arn,
            memory_limit_in_mb=function.memory_size,
            aws_request_id=request_id,
            log_group_name=function.log_group_name,
            log_stream_name=stream,
            deadline=now + timedelta(seconds=function.timeout),
            clock_now=self.ctx.now,
        )
        output = io.StringIO()
        error: dict[str, Any] | None = None
        result: Any = None
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            try:
                handler = self._resolve(function)
                result = handler(event, context)
            except _HandlerMissing as exc:
                error = {"errorMessage": str(exc), "errorType": exc.error_type}
            except ImportError as exc:
                module = function.handler_name.rpartition(".")[0]
                error = {
                    "errorMessage": f"Unable to import module '{module}': {exc}",
                    "errorType": "Runtime.ImportModuleError",
                }
            except Exception as exc:
                error = _error_payload(exc, request_id)
                print(f"[ERROR] {type(exc).__name__}: {exc}")
        duration = function.duration(event) if callable(function.duration) else function.duration
        if duration > timedelta(seconds=function.timeout):
            duration = timedelta(seconds=function.timeout)
            error = {
                "errorMessage": f"{now:%Y-%m-%dT%H:%M:%S.%f}"[:-3]
                + f"Z {request_id} Task timed out after {function.timeout:.2f} seconds"
            }
        payload = b""
        if error is None:
            try:
                payload = json.dumps(result).encode()
            except (TypeError, ValueError) as exc:
                error = {
                    "errorMessage": f"Unable to marshal response: {exc}",
                    "errorType": "Runtime.MarshalError",
                    "requestId": request_id,
                    "stackTrace": [],
                }
        if error is not None:
            payload = json.dumps(error).encode()
        ms = duration.total_seconds() * 1000
        billed = max(int(-(-ms // 1)), 1)
        lines = [(now, f"START RequestId: {request_id} Version: $LATEST")]
        lines += [(now, line) for line in output.getvalue().splitlines() if line]
        lines.append((now + duration, f"END RequestId: {request_id}"))
        lines.append(
            (
                now + duration,
                f"REPORT RequestId: {request_id}\tDuration: {ms:.2f} ms\tBilled Duration: "
                f"{billed} ms\tMemory Size: {function.memory_size} MB\tMax Memory Used: "
                f"{min(function.memory_size, 40)} MB\t",
            )
        )
        invocation = Invocation(
            request_id=request_id,
            at=now,
            invocation_type=kind,
            event=event,
            payload=payload,
            function_error=None if error is None else "Unhandled",
            log_lines=tuple(lines),
            duration=duration,
            billed_ms=billed,
            max_memory_used_mb=min(function.memory_size, 40),
            attempt=attempt,
            log_stream_name=stream,
        )
        self._record(function, invocation)
        return invocation

    def _record_throttle(self, function: LambdaFunction, kind: InvocationType, event: Any) -> None:
        self._record(
            function,
            Invocation(
                request_id=self.ctx.ids.uuid(),
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

    def _sibling(self, name: str) -> Any:
        """The service `name` of this place, or None while awsmon has no such service."""
        try:
            registry.spec(name)
        except KeyError:
            return None
        return self.ctx.sibling(name)

    def _ship_logs(self, function: LambdaFunction, invocation: Invocation) -> None:
        """Write the invocation's log lines to ``/aws/lambda/<name>`` in CloudWatch Logs.

        The group and the invocation's stream (``YYYY/MM/DD/[$LATEST]<hex>``)
        are created when missing, as the function's execution role, and the
        lines are put with Embedded Metric Format extraction on (Lambda
        extracts EMF from its logs). Does nothing without a ``logs`` service.
        """
        logs = self._sibling("logs")
        if invocation.throttled or logs is None or not invocation.log_lines:
            return
        group = function.log_group_name
        stream = invocation.log_stream_name
        with self.ctx.cloud.as_principal(_execution_role(function)):
            try:
                logs.log_group(group)
            except NotFound:
                logs.create_log_group(group)
            try:
                logs.log_stream(logs.log_group(group), stream)
            except NotFound:
                logs.create_log_stream(group, stream)
            logs.put_log_events(group, stream, list(invocation.log_lines), emf=True)

    def _publish_metrics(self, function: LambdaFunction, invocation: Invocation) -> None:
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
        cloudwatch = self._sibling("cloudwatch")
        if cloudwatch is None:
            return
        from awsmon.cloudwatch.model import MetricKey, StandardUnit

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


def _execution_role(function: LambdaFunction) -> Principal:
    """The assumed-role principal a function's code and logging run as."""
    account = function.arn.split(":")[4]
    role = function.role.rsplit("/", 1)[-1]
    return Principal.from_arn(f"arn:aws:sts::{account}:assumed-role/{role}/{function.name}")
