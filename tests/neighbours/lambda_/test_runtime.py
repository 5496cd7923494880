"""Tests of awsmon/neighbours/lambda_/runtime.py, capture.py, logformat.py: around a handler."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import sys
import zipfile
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon import Cloud
from awsmon.errors import ServiceError
from awsmon.neighbours.lambda_ import LambdaContext
from awsmon.neighbours.lambda_.capture import LogSink
from awsmon.neighbours.lambda_.logformat import LogSettings

ROLE = "arn:aws:iam::123456789012:role/lambda-exec"
_TEXT_LINE = re.compile(
    r"\[(?P<level>[A-Z]+)\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t(?P<id>[0-9a-f-]{36})\t(?P<msg>.*)",
    re.S,
)
# A logger made when this module is imported, long before any invocation.
_IMPORTED = logging.getLogger("awsmon-test.imported")


def _zip(source: str, name: str = "app.py") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, source)
    return buffer.getvalue()


def _group_messages(cloud: Cloud, group: str) -> list[str]:
    client = cloud.client("logs")
    return [e["message"] for e in client.filter_log_events(logGroupName=group)["events"]]


@pytest.fixture
def cloud() -> Cloud:
    return Cloud()


class TestTextLogging:
    def test_logging_print_and_stderr_reach_the_group(self, cloud: Cloud) -> None:
        """Root-logger records, print and stderr all land in /aws/lambda/<name>."""

        def handler(event: Any, context: LambdaContext) -> None:
            logging.getLogger().error("root says %s", "boom")
            _IMPORTED.warning("imported logger")
            logging.getLogger("quiet").info("below WARNING: dropped")
            print("printed")
            print("to stderr", file=sys.stderr)

        cloud.lambda_.register("f", handler)
        cloud.lambda_.invoke("f", {})
        request_id = cloud.lambda_.function("f").invocations[0].request_id
        messages = _group_messages(cloud, "/aws/lambda/f")
        assert messages[0] == f"START RequestId: {request_id} Version: $LATEST"
        first = _TEXT_LINE.fullmatch(messages[1])
        assert first is not None
        assert (first["level"], first["id"], first["msg"]) == (
            "ERROR",
            request_id,
            "root says boom",
        )
        second = _TEXT_LINE.fullmatch(messages[2])
        assert second is not None and second["level"] == "WARNING"
        assert messages[3:5] == ["printed", "to stderr"]
        assert messages[5] == f"END RequestId: {request_id}"
        assert messages[6].startswith(f"REPORT RequestId: {request_id}\tDuration: 10.00 ms")
        assert not any("dropped" in m for m in messages)

    def test_root_level_set_by_the_code_is_the_level(self, cloud: Cloud) -> None:
        """`logger.setLevel(logging.INFO)` in the handler's module lets INFO through."""
        code = _zip(
            "import logging\n"
            "logger = logging.getLogger()\n"
            "logger.setLevel(logging.INFO)\n"
            "def handle(event, context):\n"
            "    logger.info('info %s', event['n'])\n"
        )
        client = cloud.client("lambda")
        client.create_function(
            FunctionName="z", Role=ROLE, Handler="app.handle", Code={"ZipFile": code}
        )
        before = logging.getLogger().level
        try:
            client.invoke(FunctionName="z", Payload=b'{"n": 3}')
        finally:
            logging.getLogger().setLevel(before)
        lines = cloud.lambda_.function("z").invocations[0].log_lines
        assert any(text.startswith("[INFO]\t") and text.endswith("\tinfo 3") for _, text in lines)

    def test_a_stream_handler_made_before_the_run_writes_to_the_log(self, cloud: Cloud) -> None:
        """A StreamHandler on stdout made at import time writes to the log during a run only."""
        logger = logging.getLogger("awsmon-test.stream")
        logger.propagate = False
        handler_out = logging.StreamHandler(sys.stdout)
        logger.addHandler(handler_out)
        original = handler_out.stream
        try:
            cloud.lambda_.register("f", lambda e, c: logger.warning("via stream handler"))
            cloud.lambda_.invoke("f", {})
            texts = [t for _, t in cloud.lambda_.function("f").invocations[0].log_lines]
            assert "via stream handler" in texts
            assert handler_out.stream is original
        finally:
            logger.removeHandler(handler_out)

    def test_unhandled_error_event(self, cloud: Cloud) -> None:
        """An exception writes the runtime's [ERROR] event with its traceback."""

        def handler(event: Any, context: LambdaContext) -> None:
            raise ValueError("bad input")

        cloud.lambda_.register("f", handler)
        cloud.lambda_.invoke("f", {})
        texts = [t for _, t in cloud.lambda_.function("f").invocations[0].log_lines]
        (error,) = [t for t in texts if t.startswith("[ERROR]")]
        assert error.startswith("[ERROR] ValueError: bad input\nTraceback (most recent call last):")
        assert "raise ValueError" in error


class TestJsonLogging:
    def test_json_records_and_platform_lines(self, cloud: Cloud) -> None:
        """LogFormat JSON: records as JSON objects, platform.start/report, INFO by default."""

        def handler(event: Any, context: LambdaContext) -> None:
            logging.getLogger("app").info("hello", extra={"order": 7})
            logging.getLogger("app").debug("too low")

        cloud.lambda_.register("f", handler, logging_config={"LogFormat": "JSON"})
        before = logging.getLogger().level
        cloud.lambda_.invoke("f", {})
        assert logging.getLogger().level == before
        invocation = cloud.lambda_.function("f").invocations[0]
        documents = [json.loads(t) for _, t in invocation.log_lines]
        assert [d.get("type") for d in documents] == ["platform.start", None, "platform.report"]
        assert documents[0]["record"] == {"requestId": invocation.request_id, "version": "$LATEST"}
        record = documents[1]
        assert record["level"] == "INFO" and record["message"] == "hello"
        assert record["logger"] == "app" and record["requestId"] == invocation.request_id
        assert record["order"] == 7
        assert documents[2]["record"]["status"] == "success"
        assert documents[2]["record"]["metrics"]["billedDurationMs"] == 10

    def test_levels_filter_application_and_system_logs(self, cloud: Cloud) -> None:
        """ApplicationLogLevel ERROR drops WARN lines, SystemLogLevel WARN the platform lines."""

        def handler(event: Any, context: LambdaContext) -> None:
            logging.getLogger().warning("dropped")
            print(json.dumps({"level": "WARNING", "message": "dropped too"}))
            print(json.dumps({"level": "ERROR", "message": "kept"}))
            print("plain text is kept")
            logging.getLogger().error("kept as well")

        cloud.lambda_.register(
            "f",
            handler,
            logging_config={
                "LogFormat": "JSON",
                "ApplicationLogLevel": "ERROR",
                "SystemLogLevel": "WARN",
            },
        )
        cloud.lambda_.invoke("f", {})
        texts = [t for _, t in cloud.lambda_.function("f").invocations[0].log_lines]
        assert len(texts) == 3
        assert json.loads(texts[0])["message"] == "kept"
        assert texts[1] == "plain text is kept"
        assert json.loads(texts[2])["level"] == "ERROR"

    def test_logging_config_on_the_wire(self, cloud: Cloud) -> None:
        """Create/UpdateFunctionConfiguration take LoggingConfig and check it as AWS does."""
        client = cloud.client("lambda")
        code = _zip("def handle(e, c):\n    return 1\n")
        created = client.create_function(
            FunctionName="j",
            Role=ROLE,
            Handler="app.handle",
            Code={"ZipFile": code},
            LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG"},
        )
        assert created["LoggingConfig"] == {
            "LogFormat": "JSON",
            "LogGroup": "/aws/lambda/j",
            "ApplicationLogLevel": "DEBUG",
            "SystemLogLevel": "INFO",
        }
        updated = client.update_function_configuration(
            FunctionName="j", LoggingConfig={"LogFormat": "Text"}
        )
        assert updated["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": "/aws/lambda/j"}
        with pytest.raises(ServiceError) as caught:
            client.update_function_configuration(
                FunctionName="j", LoggingConfig={"ApplicationLogLevel": "INFO"}
            )
        assert caught.value.code == "InvalidParameterValueException"
        assert "LogLevel is not supported when LogFormat is set to" in str(caught.value)
        with pytest.raises(ServiceError) as refused:
            cloud.lambda_.register("k", lambda e, c: None, logging_config={"LogFormat": "XML"})
        assert refused.value.code == "ValidationException"
        assert "k" not in cloud.lambda_.functions


class TestEnvironment:
    def test_variables_during_the_run_restored_after(self, cloud: Cloud) -> None:
        """The handler sees Lambda's variables and its own; all are undone, even on error."""
        seen: dict[str, str] = {}

        def handler(event: Any, context: LambdaContext) -> None:
            seen.update(os.environ)
            os.environ["SET_BY_HANDLER"] = "1"
            raise RuntimeError("after changing the environment")

        cloud.lambda_.register("envy", handler, environment={"STAGE": "prod"}, memory_size=256)
        before = dict(os.environ)
        cloud.lambda_.invoke("envy", {})
        assert dict(os.environ) == before
        invocation = cloud.lambda_.function("envy").invocations[0]
        assert seen["AWS_LAMBDA_FUNCTION_NAME"] == "envy"
        assert seen["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
        assert seen["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
        assert seen["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/envy"
        assert seen["AWS_LAMBDA_LOG_STREAM_NAME"] == invocation.log_stream_name
        assert seen["LAMBDA_TASK_ROOT"] == "/var/task"
        assert seen["AWS_REGION"] == seen["AWS_DEFAULT_REGION"] == "us-east-1"
        assert seen["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
        assert seen["_HANDLER"].endswith(".handler")
        assert seen["_X_AMZN_TRACE_ID"] == invocation.trace_header
        assert seen["STAGE"] == "prod"

    @pytest.mark.parametrize(
        ("handler", "error_type", "message"),
        [
            (
                "shutil.rmtree",
                "Runtime.ImportModuleError",
                "Unable to import module 'shutil': No module named 'shutil'",
            ),
            ("app.nothing", "Runtime.HandlerNotFound", "Handler 'nothing' missing on module 'app'"),
            ("nodot", "Runtime.MalformedHandlerName", "Bad handler 'nodot'"),
        ],
    )
    def test_handlers_only_from_the_functions_code(
        self, cloud: Cloud, handler: str, error_type: str, message: str
    ) -> None:
        """A Handler outside the function's zip fails as Lambda fails an unknown handler."""
        client = cloud.client("lambda")
        client.create_function(
            FunctionName="h",
            Role=ROLE,
            Handler=handler,
            Code={"ZipFile": _zip("def handle(e, c):\n    return 1\n")},
        )
        answer = client.invoke(FunctionName="h")
        assert answer["FunctionError"] == "Unhandled"
        error = json.loads(answer["Payload"].read())
        assert error["errorType"] == error_type and error["errorMessage"].startswith(message)

    def test_zip_module_imported_once_per_environment(self, cloud: Cloud) -> None:
        """Module code runs at a cold start only; warm runs reuse its state."""
        code = _zip("COUNT = [0]\ndef handle(e, c):\n    COUNT[0] += 1\n    return COUNT[0]\n")
        client = cloud.client("lambda")
        client.create_function(
            FunctionName="w", Role=ROLE, Handler="app.handle", Code={"ZipFile": code}
        )
        answers = [client.invoke(FunctionName="w")["Payload"].read() for _ in range(2)]
        client.update_function_configuration(FunctionName="w", Timeout=10)
        answers.append(client.invoke(FunctionName="w")["Payload"].read())
        assert answers == [b"1", b"2", b"1"]


@given(st.lists(st.text(alphabet="ab\n", max_size=8), max_size=8))
def test_log_sink_events_are_the_printed_lines(chunks: list[str]) -> None:
    """However the text is cut into writes, the events are its non-empty lines."""
    at = datetime(2024, 1, 1, tzinfo=UTC)
    sink = LogSink(lambda: at, "r", LogSettings())
    for chunk in chunks:
        sink.write(chunk)
    sink.close()
    assert [text for _, text in sink.events] == [x for x in "".join(chunks).split("\n") if x]
