"""What the Python runtime's process looks like to a handler while it runs: output and logging.

In Lambda, a handler's stdout and stderr are the function's log, and the
runtime puts its own handler on the root logger (`awsmon.neighbours.lambda_.logformat`
formats). In awsmon the handler runs inside the host process, so for the
length of an invocation `runtime_io`:

- points ``sys.stdout`` and ``sys.stderr`` at the invocation's `LogSink`;
- adds the runtime's handler to the root logger (and, in the JSON format,
  sets the root level to ``ApplicationLogLevel``);
- points every other logger's ``StreamHandler`` that writes to the process's
  stdout or stderr at the sink too, so a logger created at import time, before
  the invocation (an aws-lambda-powertools ``Logger``), writes to the log as in
  Lambda;
- with the X-Ray SDK imported, gives its global recorder the SDK's own Lambda
  context (segments from ``_X_AMZN_TRACE_ID``) and an emitter into the
  simulated X-Ray (`xray_sdk_in_lambda`);

and puts everything back afterwards, whatever the handler did.
"""

from __future__ import annotations

import contextlib
import io
import logging
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from awsmon import jsondoc
from awsmon.neighbours.lambda_.logformat import LogSettings, application_line

__all__ = ["LogSink", "runtime_io", "xray_sdk_in_lambda"]


class LogSink:
    """The log events of one invocation: printed lines and logging records, timestamped.

    Attributes:
        events: (virtual time, text) pairs, in the order they were written.
    """

    def __init__(self, now: Callable[[], datetime], request_id: str, settings: LogSettings) -> None:
        self.events: list[tuple[datetime, str]] = []
        self._now = now
        self._request_id = request_id
        self._settings = settings
        self._partial = ""

    def write(self, text: str) -> None:
        """Take printed text; each complete line becomes an event."""
        if "\n" not in text:
            self._partial += text
            return
        *lines, self._partial = (self._partial + text).split("\n")
        at = self._now()
        for line in lines:
            if line and self._keeps(line):
                self.events.append((at, line))

    def record(self, record: logging.LogRecord) -> None:
        """Take a logging record, formatted as the runtime's root handler does."""
        self.events.append(
            (
                self._now(),
                application_line(
                    record,
                    at=self._now(),
                    request_id=self._request_id,
                    json_format=self._settings.json,
                ),
            )
        )

    def close(self) -> None:
        """Flush a last line printed without its newline."""
        if self._partial:
            self.write("\n")

    def _keeps(self, line: str) -> bool:
        """JSON format: a structured line with a ``level`` below ApplicationLogLevel is dropped."""
        if not self._settings.json or not line.startswith("{"):
            return True
        try:
            document = jsondoc.loads(line)
        except ValueError:
            return True
        level = document.get("level") if isinstance(document, dict) else None
        if not isinstance(level, str):
            return True
        return self._settings.keeps_application(level.upper().replace("WARNING", "WARN"))


class _SinkStream(io.TextIOBase):
    """A text stream writing into a `LogSink` (the handler's stdout and stderr)."""

    def __init__(self, sink: LogSink | None) -> None:
        super().__init__()
        self.sink = sink

    def write(self, text: str) -> int:
        if self.sink is not None:
            self.sink.write(text)
        return len(text)

    def writable(self) -> bool:
        return True


class _RuntimeHandler(logging.Handler):
    """The runtime's handler on the root logger."""

    def __init__(self, sink: LogSink | None) -> None:
        super().__init__()
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        if self.sink is None:
            return
        try:
            self.sink.record(record)
        except Exception:  # a bad format string, as logging reports it
            self.handleError(record)


def _redirected_handlers(stream: _SinkStream) -> list[tuple[logging.StreamHandler[Any], Any]]:
    """Point the non-root loggers' stdout/stderr StreamHandlers at `stream`; what they had."""
    process = {id(s) for s in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__)}
    changed: list[tuple[logging.StreamHandler[Any], Any]] = []
    for logger in list(logging.Logger.manager.loggerDict.values()):
        for handler in getattr(logger, "handlers", ()):
            if not isinstance(handler, logging.StreamHandler):
                continue
            current = handler.stream
            if id(current) in process or isinstance(current, _SinkStream):
                changed.append((handler, current))
                handler.stream = stream
    return changed


_STREAM = _SinkStream(None)
_HANDLER = _RuntimeHandler(None)
"""The runtime's stream and root handler, made once: each run points them at its sink
(creating a logging handler per run costs a lock and a weak reference every time)."""


@contextlib.contextmanager
def runtime_io(sink: LogSink, settings: LogSettings) -> Iterator[None]:
    """For the block: stdout, stderr and logging go to `sink` as in the Lambda runtime.

    Nested runs (a handler invoking a function synchronously) write to their
    own sink and give the outer run's back when they end.
    """
    stream, handler = _STREAM, _HANDLER
    root = logging.getLogger()
    saved_sinks = stream.sink, handler.sink
    stream.sink = handler.sink = sink
    saved_level = root.level
    saved_streams = sys.stdout, sys.stderr
    changed = _redirected_handlers(stream)
    added = handler not in root.handlers
    if added:
        root.addHandler(handler)
    if settings.python_level is not None:
        root.setLevel(settings.python_level)
    sys.stdout = sys.stderr = stream
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved_streams
        if added:
            root.removeHandler(handler)
        if root.level != saved_level:
            root.setLevel(saved_level)
        for changed_handler, previous in changed:
            changed_handler.stream = previous
        stream.sink, handler.sink = saved_sinks
        sink.close()


@contextlib.contextmanager
def xray_sdk_in_lambda(emitter: Callable[[], Any] | None) -> Iterator[None]:
    """For the block: the X-Ray SDK's global recorder, if imported, behaves as in Lambda.

    Its context becomes the SDK's ``LambdaContext`` (a facade segment from
    ``_X_AMZN_TRACE_ID``) and, when the `emitter` factory gives one (the
    simulated X-Ray's ``sdk_emitter``), its documents go there. Restored afterwards; a
    recorder first created during the block (the SDK imported by the handler,
    in Lambda mode for good) gets the SDK's ordinary context back.
    """
    before = sys.modules.get("aws_xray_sdk.core")
    if before is None:
        try:
            yield
        finally:
            after = sys.modules.get("aws_xray_sdk.core")
            if after is not None:
                after.xray_recorder.context = sys.modules["aws_xray_sdk.core.context"].Context()
        return
    recorder = before.xray_recorder
    saved = recorder.context, recorder.emitter, recorder.streaming_threshold
    recorder.context = sys.modules["aws_xray_sdk.core.lambda_launcher"].LambdaContext()
    recorder.streaming_threshold = 0
    sdk_emitter = None if emitter is None else emitter()
    if sdk_emitter is not None:
        recorder.emitter = sdk_emitter
    try:
        yield
    finally:
        recorder.context, recorder.emitter, recorder.streaming_threshold = saved
