"""Tests of awsmon/neighbours/lambda_/: functions as Python callables, invoked on the clock."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import boto3
import pytest

from awsmon import Cloud
from awsmon.errors import ServiceError
from awsmon.neighbours.lambda_ import (
    InvocationType,
    LambdaContext,
    decode_logs_subscription_event,
    eventbridge_event,
    kinesis_event,
    logs_subscription_event,
    sqs_event,
)
from awsmon.testing.shapes import assert_shape, problems

ROLE = "arn:aws:iam::123456789012:role/lambda-exec"


@pytest.fixture
def cloud() -> Cloud:
    return Cloud()


def assert_invoke_shape(response: dict[str, Any]) -> None:
    """Invoke's Payload is a StreamingBody, which the shape checker wants as bytes."""
    assert hasattr(response["Payload"], "read")
    rest = {k: v for k, v in response.items() if k != "Payload"}
    assert problems("lambda", "Invoke", rest) == []


class TestInvoke:
    def test_request_response_with_context(self, awsmon_boto3: Cloud) -> None:
        """A registered callable gets the event and a context with AWS's attributes."""
        seen: list[LambdaContext] = []

        def handler(event: Any, context: LambdaContext) -> Any:
            seen.append(context)
            print("working on", event["id"])
            return {"ok": True, "remaining": context.get_remaining_time_in_millis()}

        awsmon_boto3.lambda_.register("worker", handler, memory_size=256, timeout=5)
        client = boto3.client("lambda")
        answer = client.invoke(FunctionName="worker", Payload=b'{"id": 7}', LogType="Tail")
        assert_invoke_shape(answer)
        assert answer["StatusCode"] == 200 and "FunctionError" not in answer
        assert json.loads(answer["Payload"].read()) == {"ok": True, "remaining": 5000}
        (context,) = seen
        assert context.function_name == "worker"
        assert (
            context.invoked_function_arn == "arn:aws:lambda:us-east-1:123456789012:function:worker"
        )
        assert context.memory_limit_in_mb == 256
        assert context.log_group_name == "/aws/lambda/worker"
        log = base64.b64decode(answer["LogResult"]).decode()
        assert log.startswith(f"START RequestId: {context.aws_request_id} Version: $LATEST\n")
        assert "working on 7\n" in log
        assert f"REPORT RequestId: {context.aws_request_id}\tDuration: 10.00 ms\t" in log
        assert "Memory Size: 256 MB" in log

    def test_errors_become_function_error(self, cloud: Cloud) -> None:
        """An exception gives FunctionError Unhandled and the Python runtime's error payload."""

        def broken(event: Any, context: Any) -> None:
            raise ValueError("bad input")

        cloud.lambda_.register("broken", broken)
        answer = cloud.client("lambda").invoke(FunctionName="broken", Payload=b"{}")
        assert answer["FunctionError"] == "Unhandled"
        error = json.loads(answer["Payload"].read())
        assert error["errorMessage"] == "bad input" and error["errorType"] == "ValueError"
        assert error["requestId"] == cloud.lambda_.function("broken").invocations[0].request_id
        assert any("raise ValueError" in frame for frame in error["stackTrace"])
        assert all("awsmon/neighbours" not in frame for frame in error["stackTrace"])

    def test_timeout_and_marshal_errors(self, cloud: Cloud) -> None:
        """A run longer than the timeout, or an unserialisable result, is a function error."""
        cloud.lambda_.register(
            "slow", lambda e, c: "done", timeout=1, duration=timedelta(seconds=2)
        )
        answer = cloud.lambda_.invoke("slow", {})
        assert answer.function_error == "Unhandled"
        assert json.loads(answer.payload)["errorMessage"].endswith(
            "Task timed out after 1.00 seconds"
        )
        cloud.lambda_.register("odd", lambda e, c: object())
        odd = json.loads(cloud.lambda_.invoke("odd", {}).payload)
        assert odd["errorType"] == "Runtime.MarshalError"

    def test_event_invocation_retries_on_the_clock(self, cloud: Cloud) -> None:
        """An async invocation that fails is retried after one and then two more minutes."""
        calls: list[Any] = []

        def flaky(event: Any, context: Any) -> None:
            calls.append(cloud.clock.now())
            raise RuntimeError("down")

        cloud.lambda_.register("flaky", flaky)
        answer = cloud.client("lambda").invoke(FunctionName="flaky", InvocationType="Event")
        assert answer["StatusCode"] == 202 and answer["Payload"].read() == b""
        cloud.clock.advance(timedelta(minutes=10))
        start = calls[0]
        assert calls == [start, start + timedelta(minutes=1), start + timedelta(minutes=3)]
        assert [i.attempt for i in cloud.lambda_.function("flaky").invocations] == [1, 2, 3]

    def test_dry_run_and_throttle(self, cloud: Cloud) -> None:
        """DryRun answers 204 without running; reserved concurrency 0 throttles."""
        cloud.lambda_.register("f", lambda e, c: 1)
        client = cloud.client("lambda")
        assert client.invoke(FunctionName="f", InvocationType="DryRun")["StatusCode"] == 204
        assert cloud.lambda_.function("f").invocations == []
        client.put_function_concurrency(FunctionName="f", ReservedConcurrentExecutions=0)
        with pytest.raises(ServiceError) as caught:
            client.invoke(FunctionName="f")
        assert caught.value.code == "TooManyRequestsException"
        assert cloud.lambda_.function("f").invocations[0].throttled

    def test_invocation_listeners(self, cloud: Cloud) -> None:
        """on_invocation listeners see every invocation record."""
        seen: list[str] = []
        cloud.lambda_.on_invocation.append(lambda inv: seen.append(inv.request_id))
        cloud.lambda_.register("f", lambda e, c: None)
        cloud.lambda_.invoke("f", None, invocation_type=InvocationType.EVENT)
        assert seen == [cloud.lambda_.function("f").invocations[0].request_id]


def _zip(source: str, name: str = "lambda_function.py") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, source)
    return buffer.getvalue()


class TestFunctions:
    def test_create_from_zip_and_manage(self, awsmon_boto3: Cloud) -> None:
        """CreateFunction with zipped Python code runs it; Get/List/Delete follow AWS shapes."""
        client = boto3.client("lambda")
        code = _zip("def lambda_handler(event, context):\n    return {'got': event['x']}\n")
        created = client.create_function(
            FunctionName="zipped",
            Runtime="python3.12",
            Role=ROLE,
            Handler="lambda_function.lambda_handler",
            Code={"ZipFile": code},
            Environment={"Variables": {"STAGE": "test"}},
        )
        assert_shape("lambda", "CreateFunction", created)
        assert created["FunctionArn"].endswith(":function:zipped") and created["State"] == "Active"
        answer = client.invoke(FunctionName=created["FunctionArn"], Payload=json.dumps({"x": 1}))
        assert json.loads(answer["Payload"].read()) == {"got": 1}
        got = client.get_function(FunctionName="zipped")
        assert_shape("lambda", "GetFunction", got)
        assert got["Configuration"]["Environment"] == {"Variables": {"STAGE": "test"}}
        listed = client.list_functions()
        assert_shape("lambda", "ListFunctions", listed)
        assert [f["FunctionName"] for f in listed["Functions"]] == ["zipped"]
        client.delete_function(FunctionName="zipped")
        with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
            client.get_function(FunctionName="zipped")
        assert caught.value.response["Error"]["Message"] == (
            "Function not found: arn:aws:lambda:us-east-1:123456789012:function:zipped"
        )

    def test_handler_references(self, cloud: Cloud) -> None:
        """A Handler string resolves from the handlers map, else fails as an import error."""
        client = cloud.client("lambda")
        client.create_function(
            FunctionName="ref", Role=ROLE, Handler="app.handle", Code={"ZipFile": b""}
        )
        missing = json.loads(client.invoke(FunctionName="ref")["Payload"].read())
        assert missing["errorType"] == "Runtime.ImportModuleError"
        cloud.lambda_.handlers["app.handle"] = lambda event, context: "handled"
        assert client.invoke(FunctionName="ref")["Payload"].read() == b'"handled"'

    def test_permissions(self, awsmon_boto3: Cloud) -> None:
        """AddPermission statements are stored and returned by GetPolicy."""
        awsmon_boto3.lambda_.register("f", lambda e, c: None)
        client = boto3.client("lambda")
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.get_policy(FunctionName="f")
        added = client.add_permission(
            FunctionName="f",
            StatementId="sns",
            Action="lambda:InvokeFunction",
            Principal="sns.amazonaws.com",
            SourceArn="arn:aws:sns:us-east-1:123456789012:t",
        )
        assert_shape("lambda", "AddPermission", added)
        policy = json.loads(client.get_policy(FunctionName="f")["Policy"])
        assert policy["Statement"][0]["Principal"] == {"Service": "sns.amazonaws.com"}
        with pytest.raises(client.exceptions.ResourceConflictException):
            client.add_permission(
                FunctionName="f",
                StatementId="sns",
                Action="lambda:InvokeFunction",
                Principal="sns.amazonaws.com",
            )

    @pytest.mark.parametrize(
        ("params", "code", "message"),
        [
            ({"FunctionName": "bad name"}, "ValidationException", "at 'functionName' failed"),
            ({"Role": "nope"}, "InvalidParameterValueException", "cannot be assumed by Lambda"),
            ({"MemorySize": 64}, "InvalidParameterValueException", "at 'memorySize' failed"),
            ({"Timeout": 901}, "InvalidParameterValueException", "at 'timeout' failed"),
        ],
        ids=["name", "role", "memory", "timeout"],
    )
    def test_create_errors(
        self, cloud: Cloud, params: dict[str, Any], code: str, message: str
    ) -> None:
        """CreateFunction refuses bad names, roles and sizes, creating nothing."""
        request = {
            "FunctionName": "ok",
            "Role": ROLE,
            "Handler": "a.b",
            "Code": {"ZipFile": b""},
            **params,
        }
        with pytest.raises(ServiceError, match=message) as caught:
            cloud.client("lambda").create_function(**request)
        assert caught.value.code == code
        assert cloud.lambda_.functions == {}


class TestFlows:
    def test_sns_to_lambda(self, awsmon_boto3: Cloud) -> None:
        """A subscribed function is invoked with the SNS event when a message is published."""
        events: list[Any] = []
        function = awsmon_boto3.lambda_.register("on-alarm", lambda e, c: events.append(e))
        sns = boto3.client("sns")
        topic = sns.create_topic(Name="alarms")["TopicArn"]
        awsmon_boto3.lambda_.add_permission(
            "on-alarm", "sns", "lambda:InvokeFunction", "sns.amazonaws.com", source_arn=topic
        )
        sub = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function.arn)
        sns.publish(TopicArn=topic, Message="ALARM!", Subject="CPU")
        (event,) = events
        (record,) = event["Records"]
        assert record["EventSource"] == "aws:sns"
        assert record["EventSubscriptionArn"] == sub["SubscriptionArn"]
        assert record["Sns"]["Message"] == "ALARM!" and record["Sns"]["Subject"] == "CPU"
        assert record["Sns"]["TopicArn"] == topic
        assert "SigningCertUrl" in record["Sns"] and "UnsubscribeUrl" in record["Sns"]
        invocation = function.invocations[0]
        assert invocation.invocation_type is InvocationType.EVENT

    def test_event_builders(self) -> None:
        """The builders produce each source's documented shape."""
        logs = logs_subscription_event(
            owner="123456789012",
            log_group="/app",
            log_stream="s",
            subscription_filters=["f"],
            log_events=[{"id": "1", "timestamp": 1, "message": "m"}],
        )
        assert decode_logs_subscription_event(logs)["subscriptionFilters"] == ["f"]
        sqs = sqs_event(
            [{"MessageId": "m", "ReceiptHandle": "r", "Body": "b", "Attributes": {}}],
            queue_arn="arn:aws:sqs:us-east-1:123456789012:q",
            region="us-east-1",
        )
        assert sqs["Records"][0]["eventSource"] == "aws:sqs"
        assert sqs["Records"][0]["md5OfBody"] == "92eb5ffee6ae2fec3ad71c777531578f"
        assert eventbridge_event({"detail-type": "x"}) == {"detail-type": "x"}
        from datetime import UTC, datetime

        kinesis = kinesis_event(
            [
                {
                    "SequenceNumber": "1",
                    "Data": b"hi",
                    "PartitionKey": "k",
                    "ApproximateArrivalTimestamp": datetime(2024, 1, 1, tzinfo=UTC),
                }
            ],
            stream_arn="arn:aws:kinesis:us-east-1:123456789012:stream/s",
            region="us-east-1",
            shard_id="shardId-000000000000",
        )
        assert kinesis["Records"][0]["kinesis"]["data"] == "aGk="
