"""Lambda's records and helpers: functions, contexts, invocations.

Main pieces: `LambdaFunction`, `LambdaContext`, `Invocation`, `InvokeResult`,
`InvocationType` and `function_configuration` (the
FunctionConfiguration shape). The stateful service is
`awsmon.neighbours.lambda_.Lambda`.
"""

from __future__ import annotations

import enum
import hashlib
import io
import json
import traceback
import types
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from attrs import define, field, frozen

from awsmon import jsondoc
from awsmon.neighbours.lambda_.errors import (
    InvalidParameterValueException,
    InvalidRequestContentException,
    ValidationException,
)
from awsmon.neighbours.lambda_.logformat import LogSettings

if TYPE_CHECKING:
    from awsmon.xray import ActiveSubsegment

__all__ = [
    "Handler",
    "Invocation",
    "InvocationType",
    "InvokeResult",
    "LambdaContext",
    "LambdaFunction",
    "TracingMode",
    "function_configuration",
]

Handler = Callable[[Any, "LambdaContext"], Any]


class InvocationType(enum.Enum):
    """How Invoke runs the function."""

    REQUEST_RESPONSE = "RequestResponse"
    EVENT = "Event"
    DRY_RUN = "DryRun"


class TracingMode(enum.Enum):
    """A function's X-Ray tracing mode (``TracingConfig.Mode``)."""

    ACTIVE = "Active"  #: Lambda samples requests itself and sends their segments
    PASS_THROUGH = "PassThrough"  #: traced only when the caller's header says sampled


@define(eq=False)
class LambdaContext:
    """The ``context`` a handler receives, with the Python runtime's attributes.

    `get_remaining_time_in_millis` counts down on the virtual clock from the
    function's timeout.

    Attributes:
        trace_header: the invocation's ``X-Amzn-Trace-Id``
            (``Root=...;Parent=<function segment id>;Sampled=0|1``), which the
            runtime also puts in the ``_X_AMZN_TRACE_ID`` environment variable
            while the handler runs.
        xray: the function segment's ``Invocation`` subsegment (an
            `awsmon.xray.recorder.ActiveSubsegment`): ``context.xray.subsegment(
            "DynamoDB", namespace="aws")``, ``annotate``, ``metadata`` add to it
            as the X-Ray SDK does in Lambda. Not sent when the invocation is not
            sampled. Simulation notes: an awsmon convenience; the Python runtime's
            context has no such attribute.
    """

    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str
    log_group_name: str
    log_stream_name: str
    deadline: datetime
    clock_now: Callable[[], datetime] = field(repr=False)
    identity: Any = None
    client_context: Any = None
    trace_header: str | None = None
    xray: ActiveSubsegment | None = field(default=None, repr=False)

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function times out, on the virtual clock."""
        left = self.deadline - self.clock_now()
        return max(int(left.total_seconds() * 1000), 0)


@frozen(kw_only=True)
class Invocation:
    """One run of a function, kept for tests and for telemetry.

    Attributes:
        request_id: the invocation's request id.
        at: when it ran.
        invocation_type: how it was invoked.
        event: the event the handler got.
        payload: the JSON bytes it answered (the error payload on failure).
        function_error: None, or ``Unhandled`` when the handler raised or timed out.
        log_lines: (timestamp, line) pairs: START, what the handler printed, END, REPORT.
        duration: the simulated run time; billed_ms and max_memory_used_mb as the REPORT says.
        attempt: 1 for the first try, 2 and 3 for asynchronous retries.
        throttled: True when the invocation was refused for lack of concurrency.
        log_stream_name: the stream of ``/aws/lambda/<name>`` its log lines go to.
        trace_header: the ``_X_AMZN_TRACE_ID`` the handler saw (None when throttled).
        sampled: True when the invocation's segments went to X-Ray.
        cold_start: True when the run began by initialising the function.
    """

    request_id: str
    at: datetime
    invocation_type: InvocationType
    event: Any
    payload: bytes
    function_error: str | None
    log_lines: tuple[tuple[datetime, str], ...]
    duration: timedelta
    billed_ms: int
    max_memory_used_mb: int
    attempt: int = 1
    throttled: bool = False
    log_stream_name: str = ""
    trace_header: str | None = None
    sampled: bool = False
    cold_start: bool = False

    @property
    def trace_id(self) -> str | None:
        """The X-Ray trace id (the ``Root`` of `trace_header`), if any."""
        if self.trace_header is None:
            return None
        for part in self.trace_header.split(";"):
            key, _, value = part.partition("=")
            if key.strip() == "Root":
                return value.strip()
        return None

    @property
    def log_text(self) -> str:
        """The invocation's log as one text."""
        return "".join(line if line.endswith("\n") else line + "\n" for _, line in self.log_lines)


@frozen(kw_only=True)
class InvokeResult:
    """What Invoke answers."""

    status_code: int
    payload: bytes
    function_error: str | None = None
    log_result: str | None = None
    executed_version: str | None = "$LATEST"


@define(eq=False)
class LambdaFunction:
    """A function: its configuration, its Python handler and its invocations.

    Attributes:
        duration: the simulated run time of each invocation (a timedelta, or a
            callable of the event giving one): used for the REPORT line, the
            timeout, the Duration metric and the X-Ray segments. Default 10 ms;
            a handler that advances the virtual clock runs at least that long.
        init_duration: the simulated initialisation (cold start) time: the
            ``Init Duration`` of the first REPORT after the function is created
            or reconfigured, and its ``Initialization`` subsegment. Default 0.
        tracing_mode: ``Active`` or ``PassThrough`` (`TracingMode` values).
        log_settings: the LoggingConfig (format and levels).
        log_group: ``LoggingConfig.LogGroup`` when not the default group.
        modules: the modules imported from its ``ZipFile`` in the current
            execution environment (emptied at a cold start).
        initialized: False until the first invocation after creation or a
            configuration change (the next one is a cold start).
        log_stream: the log stream of the current execution environment
            (``YYYY/MM/DD/[$LATEST]<hex>``, new at each cold start), "" before.
    """

    name: str
    arn: str
    handler_name: str
    runtime: str
    role: str
    memory_size: int
    timeout: int
    created_at: datetime
    last_modified: datetime
    code_sha256: str
    code_size: int
    description: str = ""
    environment: dict[str, str] = field(factory=dict)
    tracing_mode: str = "PassThrough"
    handler: Handler | None = field(default=None, repr=False)
    code: bytes | None = field(default=None, repr=False)
    duration: timedelta | Callable[[Any], timedelta] = timedelta(milliseconds=10)
    init_duration: timedelta = timedelta(0)
    initialized: bool = False
    reserved_concurrency: int | None = None
    policy: list[dict[str, Any]] = field(factory=list)
    revision: int = 1
    tags: dict[str, str] = field(factory=dict)
    invocations: list[Invocation] = field(factory=list, repr=False)
    log_settings: LogSettings = field(factory=LogSettings)
    log_group: str | None = None
    modules: dict[str, types.ModuleType] = field(factory=dict, repr=False)
    log_stream: str = ""

    @property
    def log_group_name(self) -> str:
        """The function's log group: ``LoggingConfig.LogGroup``, else ``/aws/lambda/<name>``."""
        return self.log_group or f"/aws/lambda/{self.name}"


class _HandlerMissing(Exception):
    def __init__(self, message: str, error_type: str) -> None:
        super().__init__(message)
        self.error_type = error_type


def _check_sizes(memory_size: int, timeout: int) -> None:
    if not 128 <= memory_size <= 10240:
        raise InvalidParameterValueException(
            f"1 validation error detected: Value '{memory_size}' at 'memorySize' failed to satisfy "
            "constraint: Member must have value less than or equal to 10240",
            param="MemorySize",
            value=memory_size,
        )
    if not 1 <= timeout <= 900:
        raise InvalidParameterValueException(
            f"1 validation error detected: Value '{timeout}' at 'timeout' failed to satisfy "
            "constraint: Member must have value less than or equal to 900",
            param="Timeout",
            value=timeout,
        )


def _tracing_mode(mode: TracingMode | str) -> str:
    """The AWS string of a tracing mode, refused as Lambda refuses a value outside the enum."""
    if isinstance(mode, TracingMode):
        return mode.value
    if mode not in ("Active", "PassThrough"):
        raise ValidationException(
            f"1 validation error detected: Value '{mode}' at 'tracingConfig.mode' failed to "
            "satisfy constraint: Member must satisfy enum value set: [Active, PassThrough]",
            param="TracingConfig.Mode",
            value=mode,
        )
    return mode


def _event(payload: Any) -> Any:
    if payload is None:
        return {}
    if isinstance(payload, bytes | bytearray | str):
        text = payload.decode() if isinstance(payload, bytes | bytearray) else payload
        if not text.strip():
            return {}
        try:
            return jsondoc.loads(text)
        except ValueError as exc:
            raise InvalidRequestContentException(
                f"Could not parse request body into json: Could not parse payload into json: {exc}",
                param="Payload",
                value=text[:100],
            ) from None
    return jsondoc.loads(json.dumps(payload))


def _error_payload(exc: BaseException, request_id: str) -> dict[str, Any]:
    frames = traceback.extract_tb(exc.__traceback__)
    here = __file__.rpartition("/")[0]
    user = [f for f in frames if not f.filename.startswith(here)]
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(user),
    }


def _module_from_zip(code: bytes | None, module_name: str) -> types.ModuleType | None:
    if not code:
        return None
    path = module_name.replace(".", "/") + ".py"
    try:
        with zipfile.ZipFile(io.BytesIO(code)) as archive:
            source = archive.read(path).decode()
    except (zipfile.BadZipFile, KeyError):
        return None
    module = types.ModuleType(module_name)
    module.__file__ = f"/var/task/{path}"
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    return module


def function_configuration(function: LambdaFunction) -> dict[str, Any]:
    """The FunctionConfiguration shape boto3 returns for a function."""
    return {
        "FunctionName": function.name,
        "FunctionArn": function.arn,
        "Runtime": function.runtime,
        "Role": function.role,
        "Handler": function.handler_name,
        "CodeSize": function.code_size,
        "Description": function.description,
        "Timeout": function.timeout,
        "MemorySize": function.memory_size,
        "LastModified": function.last_modified.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{function.last_modified.microsecond // 1000:03d}+0000",
        "CodeSha256": function.code_sha256,
        "Version": "$LATEST",
        "Environment": {"Variables": dict(function.environment)},
        "TracingConfig": {"Mode": function.tracing_mode},
        "RevisionId": _revision_id(function),
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": ["x86_64"],
        "EphemeralStorage": {"Size": 512},
        "LoggingConfig": function.log_settings.configuration(function.log_group_name),
    }


def _reference(handler: Any) -> str:
    return f"{getattr(handler, '__module__', 'main')}.{getattr(handler, '__name__', 'handler')}"


def _revision_id(function: LambdaFunction) -> str:
    digest = hashlib.md5(f"{function.arn}#{function.revision}".encode()).hexdigest()
    return f"{digest[:8]}-0000-4000-8000-000000000000"
