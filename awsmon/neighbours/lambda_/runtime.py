"""What the Lambda runtime does around one invocation: the handler, its environment, its log.

Main pieces:

- `resolve_handler`: the callable behind a function's ``Handler`` reference.
- `run_handler`: call a handler with the event and context, its output captured
  and the runtime's environment variables set (`runtime_environment`), and
  tell what came out (`HandlerRun`).
- `invocation_log`: the START, printed, END and REPORT lines of a run.
- `execution_role`: the assumed-role principal the function's code runs as.

The stateful service is `awsmon.neighbours.lambda_.Lambda`; it calls these for
each run.

>>> line = report_line("r-1", duration_ms=10.0, billed_ms=10, memory_mb=128, used_mb=40)
>>> line.split("\\t")[:2]
['REPORT RequestId: r-1', 'Duration: 10.00 ms']
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import traceback
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from attrs import frozen

from awsmon.arn import Arn
from awsmon.identity import Principal
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
    "execution_role",
    "invocation_log",
    "report_line",
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
        output: what the handler printed (stdout and stderr).
        stack: the handler's frames of the exception, innermost last, as
            X-Ray ``stack`` entries (``path``, ``line``, ``label``).
    """

    result: Any
    error: dict[str, Any] | None
    output: str
    stack: tuple[Mapping[str, Any], ...] = ()


def resolve_handler(function: LambdaFunction, handlers: Mapping[str, Handler]) -> Handler:
    """The callable behind `function`: its own, then `handlers`, the zip, an importable module.

    Raises:
        ImportError: the module cannot be imported.
        _HandlerMissing: the module has no such callable.
    """
    if function.handler is not None:
        return function.handler
    reference = function.handler_name
    if reference in handlers:
        return handlers[reference]
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


def runtime_environment(
    function: LambdaFunction, context: LambdaContext, region: str
) -> dict[str, str]:
    """The environment variables the runtime sets for a run: the function's, then Lambda's own.

    Lambda's reserved variables (``AWS_REGION``, ``AWS_LAMBDA_FUNCTION_NAME``,
    ``_X_AMZN_TRACE_ID`` ...) win over the function's variables of the same name.

    Simulation notes: no credentials (``AWS_ACCESS_KEY_ID`` ...) and no
    ``LAMBDA_TASK_ROOT`` (which would switch an imported X-Ray SDK to its
    Lambda mode for the whole process) are set.
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
            "AWS_LAMBDA_LOG_GROUP_NAME": context.log_group_name,
            "AWS_LAMBDA_LOG_STREAM_NAME": context.log_stream_name,
            "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        }
    )
    if context.trace_header is not None:
        variables["_X_AMZN_TRACE_ID"] = context.trace_header
    return variables


@contextlib.contextmanager
def _environ(variables: Mapping[str, str]) -> Iterator[None]:
    """Set `variables` in ``os.environ`` for the block, then put back what was there."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_handler(
    resolve: Callable[[], Handler],
    event: Any,
    context: LambdaContext,
    environment: Mapping[str, str],
    *,
    handler_name: str,
) -> HandlerRun:
    """Resolve the handler and call it as the runtime does, catching what it raises.

    What the handler prints is captured; while it runs, ``os.environ`` holds
    `environment` (restored afterwards, so nested invocations see their own).
    A handler that cannot be resolved (`handler_name` is its reference) fails
    as ``Runtime.ImportModuleError`` or ``Runtime.HandlerNotFound``; an
    exception becomes the Python runtime's error payload and an ``[ERROR]`` line.
    """
    output = io.StringIO()
    error: dict[str, Any] | None = None
    result: Any = None
    stack: tuple[Mapping[str, Any], ...] = ()
    with (
        contextlib.redirect_stdout(output),
        contextlib.redirect_stderr(output),
        _environ(environment),
    ):
        try:
            result = resolve()(event, context)
        except _HandlerMissing as exc:
            error = {"errorMessage": str(exc), "errorType": exc.error_type}
        except ImportError as exc:
            module = handler_name.rpartition(".")[0]
            error = {
                "errorMessage": f"Unable to import module '{module}': {exc}",
                "errorType": "Runtime.ImportModuleError",
            }
        except Exception as exc:
            error = _error_payload(exc, context.aws_request_id)
            stack = _user_stack(exc)
            print(f"[ERROR] {type(exc).__name__}: {exc}")
    return HandlerRun(
        result=None if error else result, error=error, output=output.getvalue(), stack=stack
    )


def _user_stack(exc: BaseException) -> tuple[Mapping[str, Any], ...]:
    frames = traceback.extract_tb(exc.__traceback__)
    return tuple(
        {"path": frame.filename, "line": frame.lineno, "label": frame.name}
        for frame in frames
        if not os.path.abspath(frame.filename).startswith(_HERE)
    )


def report_line(
    request_id: str,
    *,
    duration_ms: float,
    billed_ms: int,
    memory_mb: int,
    used_mb: int,
    init_ms: float | None = None,
    xray: tuple[str, str] | None = None,
) -> str:
    """The REPORT line of a run, as Lambda writes it.

    Args:
        init_ms: the ``Init Duration`` of a cold start, if any.
        xray: (trace id, segment id) of a sampled run: adds the ``XRAY`` line.
    """
    line = (
        f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\tBilled Duration: "
        f"{billed_ms} ms\tMemory Size: {memory_mb} MB\tMax Memory Used: {used_mb} MB\t"
    )
    if init_ms is not None:
        line += f"Init Duration: {init_ms:.2f} ms\t"
    if xray is not None:
        line += f"\nXRAY TraceId: {xray[0]}\tSegmentId: {xray[1]}\tSampled: true\t"
    return line


def invocation_log(
    request_id: str,
    *,
    at: datetime,
    duration: timedelta,
    output: str,
    report: str,
) -> tuple[tuple[datetime, str], ...]:
    """The (timestamp, line) pairs of a run: START, printed lines, END, REPORT."""
    lines = [(at, f"START RequestId: {request_id} Version: $LATEST")]
    lines += [(at, line) for line in output.splitlines() if line]
    lines.append((at + duration, f"END RequestId: {request_id}"))
    lines.append((at + duration, report))
    return tuple(lines)


def execution_role(function: LambdaFunction) -> Principal:
    """The assumed-role principal a function's code, logging and tracing run as."""
    arn = Arn.parse(function.arn)
    role = function.role.rsplit("/", 1)[-1]
    session = Arn(arn.partition, "sts", "", arn.account_id, f"assumed-role/{role}/{function.name}")
    return Principal.from_arn(str(session))
