"""What the Lambda runtime does around one invocation: the handler, its environment, its log.

Main pieces:

- `resolve_handler`: the callable behind a function's ``Handler`` reference.
- `run_handler`: call a handler with the event and context, its output and
  logging captured (`capture.runtime_io`) and the runtime's environment
  variables set (`runtime_environment`), and tell what came out (`HandlerRun`).
- `invocation_log`: the platform's lines around the handler's (START, END,
  REPORT or their JSON forms, `logformat.platform_lines`).
- `execution_role`: the assumed-role principal the function's code runs as.

The stateful service is `awsmon.neighbours.lambda_.Lambda`; it calls these for
each run.

"""

from __future__ import annotations

import contextlib
import json
import os
import traceback
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from attrs import frozen

from awsmon.arn import Arn
from awsmon.identity import Principal
from awsmon.neighbours.lambda_.capture import LogSink, runtime_io, xray_sdk_in_lambda
from awsmon.neighbours.lambda_.logformat import LogSettings, platform_lines, timestamp
from awsmon.neighbours.lambda_.model import (
    Handler,
    LambdaContext,
    LambdaFunction,
    _error_payload,
    _HandlerMissing,
    _module_from_zip,
)

__all__ = [
    "HandlerRun",
    "RunSettings",
    "error_event",
    "execution_role",
    "invocation_log",
    "resolve_handler",
    "run_handler",
    "runtime_environment",
]

#: The function's code directory in the execution environment.
TASK_ROOT = "/var/task"
_HERE = os.path.dirname(os.path.abspath(__file__))


@frozen(kw_only=True)
class HandlerRun:
    """What one call of a handler produced.

    Attributes:
        result: what the handler returned (None when it failed).
        error: the error payload the Python runtime writes, or None.
        log: the (virtual time, text) log events of the run: printed lines,
            logging records, the runtime's ``[ERROR]`` event.
        stack: the handler's frames of the exception, innermost last, as
            X-Ray ``stack`` entries (``path``, ``line``, ``label``).
    """

    result: Any
    error: dict[str, Any] | None
    log: tuple[tuple[datetime, str], ...]
    stack: tuple[Mapping[str, Any], ...] = ()


def resolve_handler(function: LambdaFunction, handlers: Mapping[str, Handler]) -> Handler:
    """The callable behind `function`, from its own code only.

    Its registered callable, else `handlers` (the simulation's name → callable
    map for CreateFunction), else the ``module.function`` of its ``ZipFile``
    (imported once per execution environment, kept in `LambdaFunction.modules`).
    Never an importable module of the host process: a handler outside the
    function's code is unknown, as it would be in Lambda.

    Raises:
        _HandlerMissing: a malformed reference, a module the code does not
            hold (``Runtime.ImportModuleError``), a module without that
            callable (``Runtime.HandlerNotFound``), a syntax error.
    """
    if function.handler is not None:
        return function.handler
    reference = function.handler_name
    if reference in handlers:
        return handlers[reference]
    module_name, dot, attribute = reference.rpartition(".")
    if not dot or not module_name:
        raise _HandlerMissing(
            f"Bad handler '{reference}': not enough values to unpack (expected 2, got 1)",
            "Runtime.MalformedHandlerName",
        )
    module = function.modules.get(module_name)
    if module is None:
        try:
            module = _module_from_zip(function.code, module_name)
        except SyntaxError as exc:
            raise _HandlerMissing(
                f"Syntax error in module '{module_name}': {exc}", "Runtime.UserCodeSyntaxError"
            ) from None
        if module is None:
            raise _HandlerMissing(
                f"Unable to import module '{module_name}': No module named '{module_name}'",
                "Runtime.ImportModuleError",
            )
        function.modules[module_name] = module
    found = getattr(module, attribute, None)
    if not callable(found):
        raise _HandlerMissing(
            f"Handler '{attribute}' missing on module '{module_name}'",
            "Runtime.HandlerNotFound",
        )
    handler: Handler = found
    return handler


def runtime_environment(
    function: LambdaFunction, context: LambdaContext, region: str
) -> dict[str, str]:
    """The environment variables the runtime sets for a run: the function's, then Lambda's own.

    Lambda's reserved variables (``AWS_REGION``, ``AWS_LAMBDA_FUNCTION_NAME``,
    ``LAMBDA_TASK_ROOT``, ``_X_AMZN_TRACE_ID`` ...) win over the function's
    variables of the same name. The JSON log format adds
    ``AWS_LAMBDA_LOG_FORMAT`` and ``AWS_LAMBDA_LOG_LEVEL``.

    Simulation notes: no credentials (``AWS_ACCESS_KEY_ID`` ...) are set.
    """
    variables = dict(function.environment)
    variables.update(
        {
            "_HANDLER": function.handler_name,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
            "AWS_LAMBDA_FUNCTION_VERSION": context.function_version,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": context.log_group_name,
            "AWS_LAMBDA_LOG_STREAM_NAME": context.log_stream_name,
            "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
            "LAMBDA_TASK_ROOT": TASK_ROOT,
            "LAMBDA_RUNTIME_DIR": "/var/runtime",
            "TZ": ":UTC",
        }
    )
    if function.log_settings.json:
        variables["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
        variables["AWS_LAMBDA_LOG_LEVEL"] = function.log_settings.application_level or "INFO"
    if context.trace_header is not None:
        variables["_X_AMZN_TRACE_ID"] = context.trace_header
    return variables


@contextlib.contextmanager
def _environ(variables: Mapping[str, str]) -> Iterator[None]:
    """Set `variables` in ``os.environ`` for the block, then put back exactly what was there.

    Whatever the block did to ``os.environ`` (the handler's own changes
    included) is undone, even when it raised. When the block changed nothing
    else (told by comparing CPython's underlying byte mapping, a C-speed
    copy and compare), only `variables` are put back.

    On POSIX CPython, the variables are encoded once per distinct environment
    (a function's, between cold starts) and written the way ``os.environ``
    writes them (``putenv`` and its byte mapping), without its per-item
    Python-level encoding: the per-invocation cost of the runtime's
    environment.
    """
    raw = getattr(os.environ, "_data", None)
    if not isinstance(raw, dict) or os.name != "posix":
        with _environ_portable(variables):
            yield
        return
    pairs = _encoded(variables)
    before = dict(raw)
    for key, value in pairs:
        os.putenv(key, value)
        raw[key] = value
    expected = dict(raw)
    try:
        yield
    finally:
        if raw == expected:
            for key, _ in pairs:
                old = before.get(key)
                if old is None:
                    os.unsetenv(key)
                    del raw[key]
                else:
                    os.putenv(key, old)
                    raw[key] = old
        else:
            _restore({os.fsdecode(k): os.fsdecode(v) for k, v in before.items()})


_ENCODED: dict[tuple[str, str], tuple[bytes, bytes]] = {}
"""Variables already encoded (a function's stay the same from one invocation to the next)."""
_PER_INVOCATION = "_X_AMZN_TRACE_ID"


def _encoded(variables: Mapping[str, str]) -> list[tuple[bytes, bytes]]:
    """The variables as ``os.environ`` stores them on POSIX (file-system encoded bytes)."""
    pairs = []
    for item in variables.items():
        pair = _ENCODED.get(item)
        if pair is None:
            pair = (os.fsencode(item[0]), os.fsencode(item[1]))
            if item[0] != _PER_INVOCATION:  # a new value every time: not worth keeping
                if len(_ENCODED) >= 4096:
                    _ENCODED.clear()
                _ENCODED[item] = pair
        pairs.append(pair)
    return pairs


@contextlib.contextmanager
def _environ_portable(variables: Mapping[str, str]) -> Iterator[None]:
    """`_environ` through ``os.environ``'s own methods (where its byte mapping is not there)."""
    raw = getattr(os.environ, "_data", None)
    if not isinstance(raw, dict):
        raw = None
    everything = dict(os.environ) if raw is None else None
    before = dict(raw) if raw is not None else None
    previous = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    expected = dict(raw) if raw is not None else None
    try:
        yield
    finally:
        if raw is not None and raw == expected:
            for name, value in previous.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        else:
            saved = everything
            if saved is None and before is not None:
                saved = {os.fsdecode(k): os.fsdecode(v) for k, v in before.items()}
            _restore(saved or {})


def _restore(saved: Mapping[str, str]) -> None:
    """Make ``os.environ`` exactly `saved`."""
    for name in [n for n in os.environ if n not in saved]:
        del os.environ[name]
    for name, value in saved.items():
        if os.environ.get(name) != value:
            os.environ[name] = value


@frozen(kw_only=True)
class RunSettings:
    """How the runtime around a handler is set up for one run.

    Attributes:
        environment: the variables of `runtime_environment`.
        log: the function's LoggingConfig.
        now: the virtual clock (log timestamps).
        xray_emitter: a factory of the simulated X-Ray's SDK emitter, or None.
    """

    environment: Mapping[str, str]
    log: LogSettings
    now: Callable[[], datetime]
    xray_emitter: Callable[[], Any] | None = None


def run_handler(
    resolve: Callable[[], Handler],
    event: Any,
    context: LambdaContext,
    settings: RunSettings,
) -> HandlerRun:
    """Resolve the handler and call it as the runtime does, catching what it raises.

    While it runs, ``os.environ`` holds the run's environment, stdout, stderr
    and the root logger write to the invocation's log (`capture.runtime_io`)
    and an imported X-Ray SDK is in its Lambda mode; all are restored
    afterwards, so nested invocations see their own. A handler that cannot be
    resolved fails with the runtime's error type (``Runtime.ImportModuleError``,
    ``Runtime.HandlerNotFound`` ...); an exception becomes the Python
    runtime's error payload and its ``[ERROR]`` log event.
    """
    sink = LogSink(settings.now, context.aws_request_id, settings.log)
    error: dict[str, Any] | None = None
    result: Any = None
    stack: tuple[Mapping[str, Any], ...] = ()
    with (
        _environ(settings.environment),
        runtime_io(sink, settings.log),
        xray_sdk_in_lambda(settings.xray_emitter),
    ):
        try:
            handler = resolve()
        except _HandlerMissing as exc:
            error = {
                "errorMessage": str(exc),
                "errorType": exc.error_type,
                "requestId": "",
                "stackTrace": [],
            }
        else:
            try:
                result = handler(event, context)
            except Exception as exc:
                error = _error_payload(exc, context.aws_request_id)
                stack = _user_stack(exc)
        if error is not None:
            sink.events.append((settings.now(), error_event(error, settings.log, settings.now())))
    return HandlerRun(
        result=None if error else result, error=error, log=tuple(sink.events), stack=stack
    )


def error_event(error: Mapping[str, Any], log: LogSettings, at: datetime) -> str:
    """The runtime's log event for an unhandled error: ``[ERROR] Type: message`` and the trace."""
    if log.json:
        return json.dumps(
            {
                "timestamp": timestamp(at),
                "level": "ERROR",
                "message": error.get("errorMessage", ""),
                "errorType": error.get("errorType", ""),
                "errorMessage": error.get("errorMessage", ""),
                "stackTrace": list(error.get("stackTrace", [])),
                "requestId": error.get("requestId", ""),
            }
        )
    lines = [f"[ERROR] {error.get('errorType', '')}: {error.get('errorMessage', '')}"]
    lines.append("Traceback (most recent call last):")
    for element in error.get("stackTrace", []):
        lines.extend(str(element).splitlines())
    return "\n".join(lines)


def _user_stack(exc: BaseException) -> tuple[Mapping[str, Any], ...]:
    frames = traceback.extract_tb(exc.__traceback__)
    return tuple(
        {"path": frame.filename, "line": frame.lineno, "label": frame.name}
        for frame in frames
        if not os.path.abspath(frame.filename).startswith(_HERE)
    )


def invocation_log(
    settings: LogSettings,
    request_id: str,
    *,
    at: datetime,
    duration: timedelta,
    events: tuple[tuple[datetime, str], ...],
    metrics: Mapping[str, float],
    xray: tuple[str, str] | None = None,
    status: str = "success",
) -> tuple[tuple[datetime, str], ...]:
    """The (timestamp, line) pairs of a run: the platform's start, the handler's events, the end.

    Text: START, the events, END, REPORT; JSON: ``platform.start``, the events,
    ``platform.report`` (`logformat.platform_lines`).
    """
    start, end = platform_lines(
        settings, request_id, at=at, duration=duration, metrics=metrics, xray=xray, status=status
    )
    lines = [start] if start[1] else []
    lines += events
    lines += end
    return tuple(lines)


def execution_role(function: LambdaFunction) -> Principal:
    """The assumed-role principal a function's code, logging and tracing run as."""
    arn = Arn.parse(function.arn)
    role = function.role.rsplit("/", 1)[-1]
    session = Arn(arn.partition, "sts", "", arn.account_id, f"assumed-role/{role}/{function.name}")
    return Principal.from_arn(str(session))
