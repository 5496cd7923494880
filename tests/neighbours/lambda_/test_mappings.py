"""Tests of awsmon/neighbours/lambda_/mappings.py, pollers.py, mapping_api.py."""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon import Cloud
from awsmon.errors import ServiceError
from awsmon.neighbours.lambda_ import LambdaContext
from awsmon.neighbours.lambda_.model import Invocation, InvocationType
from awsmon.neighbours.lambda_.pollers import failed_items
from awsmon.testing.shapes import assert_shape


@pytest.fixture
def cloud() -> Cloud:
    return Cloud()


def _bodies(event: Any) -> list[str]:
    return [record["body"] for record in event["Records"]]


class TestLifeCycle:
    def test_states_and_shapes_on_the_wire(self, awsmon_boto3: Cloud) -> None:
        """Creating → Enabled, Disabling → Disabled, Deleting → gone, in AWS's shapes."""
        awsmon_boto3.lambda_.register("f", lambda e, c: None)
        queue = awsmon_boto3.sqs.create_queue("q")
        client = boto3.client("lambda")
        created = client.create_event_source_mapping(
            FunctionName="f", EventSourceArn=queue.arn, BatchSize=5
        )
        assert_shape("lambda", "CreateEventSourceMapping", created)
        assert created["State"] == "Creating" and created["BatchSize"] == 5
        uuid = created["UUID"]
        with pytest.raises(client.exceptions.ResourceInUseException):
            client.update_event_source_mapping(UUID=uuid, BatchSize=3)
        awsmon_boto3.clock.advance(1)
        got = client.get_event_source_mapping(UUID=uuid)
        assert_shape("lambda", "GetEventSourceMapping", got)
        assert got["State"] == "Enabled"
        assert got["FunctionArn"] == awsmon_boto3.lambda_.function("f").arn
        assert client.update_event_source_mapping(UUID=uuid, Enabled=False)["State"] == (
            "Disabling"
        )
        awsmon_boto3.clock.advance(1)
        listed = client.list_event_source_mappings(FunctionName="f")
        assert_shape("lambda", "ListEventSourceMappings", listed)
        assert [m["State"] for m in listed["EventSourceMappings"]] == ["Disabled"]
        assert client.delete_event_source_mapping(UUID=uuid)["State"] == "Deleting"
        awsmon_boto3.clock.advance(1)
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.get_event_source_mapping(UUID=uuid)

    @pytest.mark.parametrize(
        ("source", "settings", "message"),
        [
            ("arn:aws:s3:::bucket", {}, "Unrecognized event source."),
            ("arn:aws:sqs:us-east-1:123456789012:missing", {}, "NonExistentQueue"),
            ("queue", {"BatchSize": 11}, "Maximum batch window in seconds must be greater than 0"),
            ("queue", {"BatchSize": 10001}, "BatchSize must be between 1 and 10000"),
            ("queue", {"StartingPosition": "LATEST"}, "StartingPosition is not valid for SQS"),
            ("queue", {"MaximumRetryAttempts": 2}, "Unsupported MaximumRetryAttempts parameter"),
            ("stream", {}, "StartingPosition is required"),
        ],
    )
    def test_settings_refused(
        self, cloud: Cloud, source: str, settings: dict[str, Any], message: str
    ) -> None:
        """Settings that do not fit the source are refused, and no mapping is left behind."""
        cloud.lambda_.register("f", lambda e, c: None)
        arns = {"queue": cloud.sqs.create_queue("q").arn}
        arns["stream"] = cloud.kinesis.create_stream("s", 1).arn
        client = cloud.client("lambda")
        with pytest.raises(ServiceError) as caught:
            client.create_event_source_mapping(
                FunctionName="f", EventSourceArn=arns.get(source, source), **settings
            )
        assert caught.value.code == "InvalidParameterValueException"
        assert message in str(caught.value)
        assert cloud.lambda_.mappings == {}

    def test_one_mapping_per_source_and_function(self, cloud: Cloud) -> None:
        """A second mapping of the same queue to the same function is a conflict."""
        cloud.lambda_.register("f", lambda e, c: None)
        queue = cloud.sqs.create_queue("q")
        first = cloud.lambda_.create_event_source_mapping("f", queue.arn)
        with pytest.raises(ServiceError) as caught:
            cloud.lambda_.create_event_source_mapping("f", queue.arn)
        assert caught.value.code == "ResourceConflictException"
        assert first.uuid in str(caught.value)


class TestSqs:
    def test_batches_are_processed_and_deleted(self, cloud: Cloud) -> None:
        """Messages reach the handler in batches of BatchSize, with the SQS event shape."""
        batches: list[list[str]] = []
        cloud.lambda_.register("f", lambda e, c: batches.append(_bodies(e)))
        queue = cloud.sqs.create_queue("q")
        for index in range(7):
            cloud.sqs.send_message(queue.url, f"m{index}")
        cloud.lambda_.create_event_source_mapping("f", queue.arn, batch_size=3)
        cloud.clock.advance(2)
        assert batches == [["m0", "m1", "m2"], ["m3", "m4", "m5"], ["m6"]]
        assert queue.counts(cloud.clock.now()) == (0, 0, 0)
        record = cloud.lambda_.function("f").invocations[0].event["Records"][0]
        assert record["eventSource"] == "aws:sqs" and record["eventSourceARN"] == queue.arn
        assert record["attributes"]["ApproximateReceiveCount"] == "1"

    def test_batching_window_waits_for_a_full_batch(self, cloud: Cloud) -> None:
        """With a window, a partial batch waits until the window has passed."""
        batches: list[list[str]] = []
        cloud.lambda_.register("f", lambda e, c: batches.append(_bodies(e)))
        queue = cloud.sqs.create_queue("q")
        cloud.lambda_.create_event_source_mapping(
            "f", queue.arn, batch_size=100, maximum_batching_window_in_seconds=5
        )
        cloud.clock.advance(1)
        cloud.sqs.send_message(queue.url, "a")
        cloud.clock.advance(3)
        assert batches == []
        cloud.clock.advance(3)
        assert batches == [["a"]]

    def test_failed_batch_returns_and_is_redriven(self, cloud: Cloud) -> None:
        """A failing handler leaves the batch in flight; maxReceiveCount moves it to the DLQ."""
        calls: list[int] = []

        def handler(event: Any, context: LambdaContext) -> None:
            calls.append(len(event["Records"]))
            raise RuntimeError("cannot process")

        cloud.lambda_.register("f", handler)
        dlq = cloud.sqs.create_queue("dlq")
        queue = cloud.sqs.create_queue(
            "q",
            attributes={
                "VisibilityTimeout": "10",
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq.arn, "maxReceiveCount": 2}),
            },
        )
        cloud.sqs.send_message(queue.url, "poison")
        cloud.lambda_.create_event_source_mapping("f", queue.arn)
        cloud.clock.advance(2)
        assert calls == [1]
        cloud.clock.advance(11)
        assert calls == [1, 1]
        cloud.clock.advance(11)
        assert calls == [1, 1]
        assert [m.body for m in dlq.messages.values()] == ["poison"]

    def test_partial_batch_response(self, cloud: Cloud) -> None:
        """ReportBatchItemFailures: only the reported messages stay; a bad id fails the batch."""

        def handler(event: Any, context: LambdaContext) -> Any:
            failures = [r["messageId"] for r in event["Records"] if r["body"] == "bad"]
            return {"batchItemFailures": [{"itemIdentifier": i} for i in failures]}

        cloud.lambda_.register("f", handler)
        queue = cloud.sqs.create_queue("q")
        for body in ("ok", "bad", "ok"):
            cloud.sqs.send_message(queue.url, body)
        cloud.lambda_.create_event_source_mapping(
            "f", queue.arn, function_response_types=["ReportBatchItemFailures"]
        )
        cloud.clock.advance(2)
        assert [m.body for m in queue.messages.values()] == ["bad"]

    def test_fifo_group_waits_for_its_failed_message(self, cloud: Cloud) -> None:
        """In a FIFO queue a failed group is held back while other groups go on."""
        seen: list[str] = []

        def handler(event: Any, context: LambdaContext) -> None:
            bodies = _bodies(event)
            seen.extend(bodies)
            if "a1" in bodies and seen.count("a1") == 1:
                raise RuntimeError("first try of a1 fails")

        cloud.lambda_.register("f", handler)
        queue = cloud.sqs.create_queue(
            "q.fifo",
            attributes={
                "FifoQueue": "true",
                "ContentBasedDeduplication": "true",
                "VisibilityTimeout": "5",
            },
        )
        for body, group in (("a1", "a"), ("b1", "b"), ("a2", "a")):
            cloud.sqs.send_message(queue.url, body, message_group_id=group)
        cloud.lambda_.create_event_source_mapping("f", queue.arn, batch_size=1)
        cloud.clock.advance(2)
        assert seen == ["a1", "b1"]
        cloud.clock.advance(6)
        assert seen == ["a1", "b1", "a1", "a2"]


class TestKinesis:
    def _stream(self, cloud: Cloud) -> str:
        stream = cloud.kinesis.create_stream("s", 1)
        cloud.clock.advance(1)
        return str(stream.arn)

    def test_records_from_trim_horizon_and_iterator_age(self, cloud: Cloud) -> None:
        """Records put before the mapping are read from TRIM_HORIZON; IteratorAge is published."""
        seen: list[bytes] = []
        cloud.lambda_.register(
            "f",
            lambda e, c: seen.extend(base64.b64decode(r["kinesis"]["data"]) for r in e["Records"]),
        )
        arn = self._stream(cloud)
        for index in range(5):
            cloud.kinesis.put_record(arn, f"r{index}".encode(), "key")
        mapping = cloud.lambda_.create_event_source_mapping(
            "f", arn, starting_position="TRIM_HORIZON", batch_size=2
        )
        cloud.clock.advance(2)
        assert seen == [b"r0", b"r1", b"r2", b"r3", b"r4"]
        assert mapping.shape()["LastProcessingResult"] == "OK"
        cloud.clock.advance(60)  # vended: published at the end of the minute
        metrics = cloud.client("cloudwatch").list_metrics(
            Namespace="AWS/Lambda", MetricName="IteratorAge"
        )["Metrics"]
        assert {"Name": "FunctionName", "Value": "f"} in [
            d for m in metrics for d in m["Dimensions"]
        ]

    def test_bisect_retries_and_on_failure_record(self, cloud: Cloud) -> None:
        """A poison record is isolated by bisection; after the retries its batch goes OnFailure."""
        seen: list[list[str]] = []

        def handler(event: Any, context: LambdaContext) -> None:
            data = [base64.b64decode(r["kinesis"]["data"]).decode() for r in event["Records"]]
            seen.append(data)
            if "poison" in data:
                raise ValueError("poison")

        cloud.lambda_.register("f", handler)
        failures = cloud.sqs.create_queue("failures")
        arn = self._stream(cloud)
        for text in ("a", "poison", "b", "c"):
            cloud.kinesis.put_record(arn, text.encode(), "key")
        cloud.lambda_.create_event_source_mapping(
            "f",
            arn,
            starting_position="TRIM_HORIZON",
            bisect_batch_on_function_error=True,
            maximum_retry_attempts=2,
            on_failure=failures.arn,
        )
        cloud.clock.advance(10)
        assert seen[0] == ["a", "poison", "b", "c"]
        assert ["b", "c"] in seen and ["a"] in seen
        (message,) = failures.messages.values()
        record = json.loads(message.body)
        assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
        assert record["responseContext"]["functionError"] == "Unhandled"
        info = record["KinesisBatchInfo"]
        assert info["batchSize"] == 1 and info["streamArn"] == arn
        assert info["shardId"] == "shardId-000000000000"


def _invocation(payload: Any, error: str | None = None) -> Invocation:
    from datetime import UTC, datetime, timedelta

    return Invocation(
        request_id="r",
        at=datetime(2024, 1, 1, tzinfo=UTC),
        invocation_type=InvocationType.REQUEST_RESPONSE,
        event={},
        payload=json.dumps(payload).encode(),
        function_error=error,
        log_lines=(),
        duration=timedelta(0),
        billed_ms=1,
        max_memory_used_mb=1,
    )


@given(
    st.lists(st.sampled_from(["a", "b", "c", "", "zz"]), max_size=4),
    st.booleans(),
)
def test_failed_items_are_reported_ones_or_all(reported: list[str], report: bool) -> None:
    """The failed items are exactly the reported ones, or the whole batch for a bad id."""
    ids = ["a", "b", "c"]
    answer = {"batchItemFailures": [{"itemIdentifier": i} for i in reported]}
    failed = failed_items(_invocation(answer), ids, report)
    if not report or not reported:
        assert failed == set()
    elif all(i in ids for i in reported):
        assert failed == set(reported)
    else:
        assert failed == set(ids)
    assert failed_items(_invocation(answer, "Unhandled"), ids, report) == set(ids)
