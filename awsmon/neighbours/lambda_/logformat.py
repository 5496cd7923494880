"""The lines the Lambda Python runtime and the Lambda platform write to a function's log.

Pure: formatting only, nothing stateful.

- `LogSettings`: a function's ``LoggingConfig`` (``LogFormat`` Text or JSON,
  ``ApplicationLogLevel``, ``SystemLogLevel``) with the questions the runtime
  asks of it (`LogSettings.python_level`, `LogSettings.keeps_application`).
- `application_line`: a ``logging`` record as the runtime's root handler writes
  it: ``[LEVEL]\\t<timestamp>\\t<request id>\\t<message>`` (Text) or the JSON
  object (``timestamp``, ``level``, ``message``, ``logger``, ``requestId`` ...).
- `platform_lines`: START/END/REPORT (Text), ``platform.start`` /
  ``platform.report`` (JSON), filtered by the system log level.

>>> from datetime import datetime, timezone
>>> at = datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc)
>>> timestamp(at)
'2024-01-02T03:04:05.678Z'
>>> LogSettings().python_level is None, LogSettings("JSON").python_level
(True, 20)
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from attrs import frozen

__all__ = [
    "APPLICATION_LEVELS",
    "SYSTEM_LEVELS",
    "LogSettings",
    "application_line",
    "json_level",
    "platform_lines",
    "timestamp",
]

#: ApplicationLogLevel values, lowest first.
APPLICATION_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
#: SystemLogLevel values, lowest first.
SYSTEM_LEVELS = ("DEBUG", "INFO", "WARN")
_PYTHON_LEVELS = {
    "TRACE": logging.DEBUG,
    "DEBUG": logging.DEBUG,
    "INFO": logging.INFO,
    "WARN": logging.WARNING,
    "ERROR": logging.ERROR,
    "FATAL": logging.CRITICAL,
}
# The ``logging.LogRecord`` attributes that are not a caller's ``extra=`` fields.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "aws_request_id",
    "taskName",
}


@frozen
class LogSettings:
    """A function's LoggingConfig.

    Attributes:
        log_format: ``Text`` or ``JSON``.
        application_level: ``ApplicationLogLevel`` (JSON only; INFO when unset).
        system_level: ``SystemLogLevel`` (JSON only; INFO when unset).
    """

    log_format: str = "Text"
    application_level: str | None = None
    system_level: str | None = None

    @property
    def json(self) -> bool:
        """True for the JSON log format."""
        return self.log_format == "JSON"

    @property
    def python_level(self) -> int | None:
        """The root logger level the runtime sets (JSON format), None to leave it alone."""
        if not self.json:
            return None
        return _PYTHON_LEVELS[self.application_level or "INFO"]

    def keeps_application(self, level: str) -> bool:
        """Whether a JSON application line of `level` passes ApplicationLogLevel."""
        if not self.json or level not in APPLICATION_LEVELS:
            return True
        floor = APPLICATION_LEVELS.index(self.application_level or "INFO")
        return APPLICATION_LEVELS.index(level) >= floor

    def keeps_system(self, level: str) -> bool:
        """Whether a platform line of `level` (DEBUG, INFO, WARN) passes SystemLogLevel."""
        if not self.json:
            return True
        return SYSTEM_LEVELS.index(level) >= SYSTEM_LEVELS.index(self.system_level or "INFO")

    def configuration(self, log_group: str) -> dict[str, str]:
        """The ``LoggingConfig`` shape of FunctionConfiguration."""
        shape = {"LogFormat": self.log_format, "LogGroup": log_group}
        if self.json:
            shape["ApplicationLogLevel"] = self.application_level or "INFO"
            shape["SystemLogLevel"] = self.system_level or "INFO"
        return shape


def timestamp(at: datetime) -> str:
    """The runtime's timestamp: UTC, milliseconds, ``Z``."""
    return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z"


def json_level(levelno: int) -> str:
    """The JSON ``level`` of a Python level number (WARNING is WARN, CRITICAL is FATAL)."""
    if levelno >= logging.CRITICAL:
        return "FATAL"
    if levelno >= logging.ERROR:
        return "ERROR"
    if levelno >= logging.WARNING:
        return "WARN"
    if levelno >= logging.INFO:
        return "INFO"
    return "DEBUG"


def application_line(
    record: logging.LogRecord, *, at: datetime, request_id: str, json_format: bool
) -> str:
    """A ``logging`` record as the runtime's root handler writes it.

    Text: ``[LEVEL]\\t<timestamp>\\t<request id>\\t<message>`` then, for a
    record with an exception, the traceback on the following lines. JSON: one
    object with ``timestamp``, ``level``, ``message``, ``logger``,
    ``requestId``, the caller's ``extra`` fields, and ``errorType``,
    ``errorMessage``, ``stackTrace``, ``location`` for an exception.
    """
    message = record.getMessage()
    exc_info = record.exc_info
    if not json_format:
        line = f"[{record.levelname}]\t{timestamp(at)}\t{request_id}\t{message}"
        if exc_info and exc_info[1] is not None:
            line += "\n" + logging.Formatter().formatException(exc_info)
        elif record.stack_info:
            line += "\n" + record.stack_info
        return line
    document: dict[str, Any] = {
        "timestamp": timestamp(at),
        "level": json_level(record.levelno),
        "message": message,
        "logger": record.name,
        "requestId": request_id,
    }
    for name, value in vars(record).items():
        if name not in _RECORD_FIELDS:
            document.setdefault(name, value)
    if exc_info and exc_info[1] is not None:
        error = exc_info[1]
        document["errorType"] = type(error).__name__
        document["errorMessage"] = str(error)
        document["stackTrace"] = logging.Formatter().formatException(exc_info).splitlines()
        document["location"] = f"{record.pathname}:{record.funcName}:{record.lineno}"
    return json.dumps(document, default=str)


def platform_lines(
    settings: LogSettings,
    request_id: str,
    *,
    at: datetime,
    duration: timedelta,
    metrics: Mapping[str, float],
    xray: tuple[str, str] | None,
    status: str,
) -> tuple[tuple[datetime, str], tuple[tuple[datetime, str], ...]]:
    """The platform's (start line, end lines) of one run, as the log format writes them.

    Args:
        metrics: ``durationMs``, ``billedDurationMs``, ``memorySizeMB``,
            ``maxMemoryUsedMB`` and, on a cold start, ``initDurationMs``.
        xray: (trace id, segment id) of a sampled run.
        status: ``success``, ``error`` or ``timeout``.

    A JSON start line filtered out by ``SystemLogLevel`` comes back as an empty text.
    """
    end = at + duration
    if not settings.json:
        report = (
            f"REPORT RequestId: {request_id}\tDuration: {metrics['durationMs']:.2f} ms\t"
            f"Billed Duration: {int(metrics['billedDurationMs'])} ms\t"
            f"Memory Size: {int(metrics['memorySizeMB'])} MB\t"
            f"Max Memory Used: {int(metrics['maxMemoryUsedMB'])} MB\t"
        )
        if "initDurationMs" in metrics:
            report += f"Init Duration: {metrics['initDurationMs']:.2f} ms\t"
        if xray is not None:
            report += f"\nXRAY TraceId: {xray[0]}\tSegmentId: {xray[1]}\tSampled: true\t"
        return (at, f"START RequestId: {request_id} Version: $LATEST"), (
            (end, f"END RequestId: {request_id}"),
            (end, report),
        )
    if not settings.keeps_system("INFO"):
        return (at, ""), ()
    start = {"requestId": request_id, "version": "$LATEST"}
    record: dict[str, Any] = {"requestId": request_id, "metrics": dict(metrics), "status": status}
    if xray is not None:
        record["tracing"] = {
            "spanId": xray[1],
            "type": "X-Amzn-Trace-Id",
            "value": f"Root={xray[0]};Parent={xray[1]};Sampled=1",
        }
    return (at, _platform(at, "platform.start", start)), (
        (end, _platform(end, "platform.report", record)),
    )


def _platform(at: datetime, kind: str, record: Mapping[str, Any]) -> str:
    return json.dumps({"time": timestamp(at), "type": kind, "record": record})
