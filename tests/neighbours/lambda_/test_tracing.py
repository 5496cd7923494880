"""Tests of awsmon/neighbours/lambda_/tracing.py: Lambda's X-Ray segments, on the virtual clock."""

from __future__ import annotations

import base64
import itertools
import json
import os
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awsmon import Cloud
from awsmon.errors import ServiceError
from awsmon.neighbours.lambda_ import LambdaContext, TracingMode
from awsmon.testing.shapes import assert_shape

ROLE = "arn:aws:iam::123456789012:role/lambda-exec"
CALLER = "Root=1-67d44600-a006649127e371903a2de979;Parent=53995c3f42cd8ad8"


@pytest.fixture
def cloud() -> Cloud:
    return Cloud()


def documents(cloud: Cloud, trace_id: str) -> list[dict[str, Any]]:
    """The processed segment documents of a trace, through the X-Ray wire API."""
    batch = cloud.client("xray").batch_get_traces(TraceIds=[trace_id])
    assert_shape("xray", "BatchGetTraces", batch)
    (trace,) = batch["Traces"]
    return [json.loads(s["Document"]) for s in trace["Segments"]]


def by_origin(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {d["origin"]: d for d in docs if "origin" in d and not d.get("inferred")}


def names(doc: dict[str, Any]) -> list[str]:
    return [s["name"] for s in doc.get("subsegments", [])]


def summaries(cloud: Cloud) -> list[dict[str, Any]]:
    now = cloud.clock.now()
    page = cloud.client("xray").get_trace_summaries(
        StartTime=now - timedelta(hours=1), EndTime=now + timedelta(minutes=1)
    )
    assert_shape("xray", "GetTraceSummaries", page)
    found: list[dict[str, Any]] = page["TraceSummaries"]
    return found


class TestActiveTracing:
    def test_invocation_traced_end_to_end_through_boto3(self, awsmon_boto3: Cloud) -> None:
        """Active: GetTraceSummaries finds one trace with the service and function segments."""
        lam = boto3.client("lambda")
        created = lam.create_function(
            FunctionName="orders",
            Role=ROLE,
            Handler="app.handle",
            Code={"ZipFile": b""},
            TracingConfig={"Mode": "Active"},
        )
        assert created["TracingConfig"] == {"Mode": "Active"}
        awsmon_boto3.lambda_.handlers["app.handle"] = lambda event, context: {"ok": True}
        answer = lam.invoke(FunctionName="orders", Payload=b"{}", LogType="Tail")
        xray = boto3.client("xray")
        now = awsmon_boto3.clock.now()
        page = xray.get_trace_summaries(
            StartTime=now - timedelta(minutes=5),
            EndTime=now + timedelta(minutes=1),
            FilterExpression='service(id(name: "orders", type: "AWS::Lambda::Function"))',
        )
        assert_shape("xray", "GetTraceSummaries", page)
        (summary,) = page["TraceSummaries"]
        assert summary["HasError"] is False and summary["HasFault"] is False
        assert summary["Duration"] == pytest.approx(0.01)
        assert {(s["Name"], s.get("Type")) for s in summary["ServiceIds"]} == {
            ("orders", "AWS::Lambda"),
            ("orders", "AWS::Lambda::Function"),
        }
        invocation = awsmon_boto3.lambda_.function("orders").invocations[0]
        assert summary["Id"] == invocation.trace_id and invocation.sampled
        batch = xray.batch_get_traces(TraceIds=[summary["Id"]])
        segments = by_origin([json.loads(s["Document"]) for s in batch["Traces"][0]["Segments"]])
        service, function = segments["AWS::Lambda"], segments["AWS::Lambda::Function"]
        assert service["name"] == function["name"] == "orders"
        assert function["parent_id"] == service["id"] and "parent_id" not in service
        assert service["http"] == {"response": {"status": 200}}
        assert service["aws"] == {"request_id": invocation.request_id}
        assert service["resource_arn"] == created["FunctionArn"]
        assert function["aws"]["function_arn"] == created["FunctionArn"]
        assert names(function) == ["Initialization", "Invocation", "Overhead"]
        log = base64.b64decode(answer["LogResult"]).decode()
        assert f"\nXRAY TraceId: {summary['Id']}\tSegmentId: {function['id']}\tSampled: true" in log

    def test_warm_invocation_has_no_initialization(self, cloud: Cloud) -> None:
        """Only a cold start records Initialization, lasting the function's init duration."""
        function = cloud.lambda_.register(
            "f",
            lambda e, c: None,
            tracing_mode=TracingMode.ACTIVE,
            init_duration=timedelta(milliseconds=250),
            duration=timedelta(milliseconds=40),
        )
        cloud.lambda_.invoke("f", {})
        cloud.clock.advance(5)
        cloud.lambda_.invoke("f", {})
        cold, warm = function.invocations
        assert (cold.cold_start, warm.cold_start) == (True, False)
        assert "Init Duration: 250.00 ms" in cold.log_text
        assert "Init Duration" not in warm.log_text
        first = by_origin(documents(cloud, str(cold.trace_id)))["AWS::Lambda::Function"]
        init, run, _ = first["subsegments"]
        assert init["end_time"] - init["start_time"] == pytest.approx(0.25)
        assert run["start_time"] == pytest.approx(init["end_time"])
        assert run["end_time"] - run["start_time"] == pytest.approx(0.04)
        second = by_origin(documents(cloud, str(warm.trace_id)))["AWS::Lambda::Function"]
        assert names(second) == ["Invocation", "Overhead"]

    def test_reconfiguring_makes_the_next_run_cold(self, cloud: Cloud) -> None:
        """UpdateFunctionConfiguration turns tracing on and forces a new cold start."""
        client = cloud.client("lambda")
        function = cloud.lambda_.register("f", lambda e, c: None)
        client.invoke(FunctionName="f")
        client.update_function_configuration(FunctionName="f", TracingConfig={"Mode": "Active"})
        client.invoke(FunctionName="f")
        first, second = function.invocations
        assert (first.sampled, second.sampled) == (False, True)
        assert (first.cold_start, second.cold_start) == (True, True)


class TestTraceHeader:
    def test_pass_through_without_header_sends_nothing(self, awsmon_boto3: Cloud) -> None:
        """PassThrough (the default), no caller header: no trace; the handler sees Sampled=0."""
        seen: list[str] = []
        awsmon_boto3.lambda_.register("quiet", lambda e, c: seen.append(c.trace_header))
        boto3.client("lambda").invoke(FunctionName="quiet")
        assert summaries(awsmon_boto3) == []
        (header,) = seen
        assert header.startswith("Root=1-") and header.endswith(";Sampled=0")
        assert not awsmon_boto3.lambda_.function("quiet").invocations[0].sampled

    @pytest.mark.parametrize("mode", ["Active", "PassThrough"])
    def test_sampled_caller_is_joined(self, cloud: Cloud, mode: str) -> None:
        """A caller's Sampled=1 header is followed in both modes, under the caller's Parent."""
        function = cloud.lambda_.register("f", lambda e, c: None, tracing_mode=mode)
        cloud.lambda_.invoke("f", {}, trace_header=CALLER + ";Sampled=1")
        invocation = function.invocations[0]
        assert invocation.trace_id == "1-67d44600-a006649127e371903a2de979"
        service = by_origin(documents(cloud, invocation.trace_id))["AWS::Lambda"]
        assert service["parent_id"] == "53995c3f42cd8ad8"

    @pytest.mark.parametrize(
        ("mode", "sampled", "traced"),
        [
            ("Active", "0", False),
            ("PassThrough", "0", False),
            ("PassThrough", "?", False),
            ("Active", "?", True),
        ],
        ids=["active-unsampled", "pass-unsampled", "pass-undecided", "active-undecided"],
    )
    def test_caller_decision(self, cloud: Cloud, mode: str, sampled: str, traced: bool) -> None:
        """Sampled=0 wins in both modes; Sampled=? lets an Active function decide (first: yes)."""
        function = cloud.lambda_.register("f", lambda e, c: None, tracing_mode=mode)
        cloud.lambda_.invoke("f", {}, trace_header=f"{CALLER};Sampled={sampled}")
        assert function.invocations[0].sampled is traced
        assert len(cloud.xray.segments("1-67d44600-a006649127e371903a2de979")) == (
            2 if traced else 0
        )

    def test_trace_id_visible_to_the_handler(self, cloud: Cloud) -> None:
        """_X_AMZN_TRACE_ID names the trace and the function segment while the handler runs."""
        seen: dict[str, Any] = {}

        def handler(event: Any, context: LambdaContext) -> None:
            seen["env"] = os.environ["_X_AMZN_TRACE_ID"]
            seen["context"] = context.trace_header
            seen["name"] = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
            seen["stage"] = os.environ["STAGE"]

        before = os.environ.get("_X_AMZN_TRACE_ID")
        cloud.lambda_.register("f", handler, tracing_mode="Active", environment={"STAGE": "test"})
        cloud.lambda_.invoke("f", {})
        assert os.environ.get("_X_AMZN_TRACE_ID") == before
        invocation = cloud.lambda_.function("f").invocations[0]
        function = by_origin(documents(cloud, str(invocation.trace_id)))["AWS::Lambda::Function"]
        expected = f"Root={invocation.trace_id};Parent={function['id']};Sampled=1"
        assert seen == {"env": expected, "context": expected, "name": "f", "stage": "test"}

    def test_lambda_calling_lambda_through_boto3_shares_the_trace(
        self, awsmon_boto3: Cloud
    ) -> None:
        """An Invoke made with boto3 inside a handler carries the handler's trace header."""

        def front(event: Any, context: Any) -> Any:
            answer = boto3.client("lambda").invoke(FunctionName="back", Payload=b"{}")
            return json.loads(answer["Payload"].read())

        awsmon_boto3.lambda_.register("front", front, tracing_mode="Active")
        awsmon_boto3.lambda_.register("back", lambda e, c: "deep")
        assert boto3.client("lambda").invoke(FunctionName="front")["Payload"].read() == b'"deep"'
        (outer,) = awsmon_boto3.lambda_.function("front").invocations
        (inner,) = awsmon_boto3.lambda_.function("back").invocations
        assert inner.trace_id == outer.trace_id and inner.sampled
        docs = documents(awsmon_boto3, str(outer.trace_id))
        front_fn = next(d for d in docs if d["name"] == "front" and "function_arn" in d["aws"])
        back_svc = next(d for d in docs if d["name"] == "back" and d["origin"] == "AWS::Lambda")
        assert back_svc["parent_id"] == front_fn["id"]


class TestErrors:
    def test_failing_handler_marks_fault_and_error(self, awsmon_boto3: Cloud) -> None:
        """A handler exception: fault and cause on the function, error on the Lambda service."""

        def broken(event: Any, context: Any) -> None:
            raise KeyError("customer")

        awsmon_boto3.lambda_.register("broken", broken, tracing_mode="Active")
        answer = boto3.client("lambda").invoke(FunctionName="broken")
        assert answer["FunctionError"] == "Unhandled"
        (summary,) = summaries(awsmon_boto3)
        assert summary["HasError"] is True and summary["HasFault"] is False
        segments = by_origin(documents(awsmon_boto3, summary["Id"]))
        service, function = segments["AWS::Lambda"], segments["AWS::Lambda::Function"]
        assert service["error"] is True and "fault" not in service
        assert service["http"] == {"response": {"status": 200}}
        assert function["fault"] is True
        (exception,) = function["cause"]["exceptions"]
        assert (exception["type"], exception["message"]) == ("KeyError", "'customer'")
        assert [frame["label"] for frame in exception["stack"]] == ["broken"]
        assert len(exception["id"]) == 16
        invocation = next(s for s in function["subsegments"] if s["name"] == "Invocation")
        assert invocation["fault"] is True and invocation["cause"] == function["cause"]
        faulty = boto3.client("xray").get_trace_summaries(
            StartTime=awsmon_boto3.clock.now() - timedelta(minutes=5),
            EndTime=awsmon_boto3.clock.now(),
            FilterExpression='service(id(type: "AWS::Lambda::Function")) { fault }',
        )
        assert [t["Id"] for t in faulty["TraceSummaries"]] == [summary["Id"]]

    def test_timeout_is_a_fault(self, cloud: Cloud) -> None:
        """A run past the timeout faults its function segment with the timeout message."""
        cloud.lambda_.register(
            "slow",
            lambda e, c: None,
            timeout=1,
            duration=timedelta(seconds=5),
            tracing_mode="Active",
        )
        cloud.lambda_.invoke("slow", {})
        invocation = cloud.lambda_.function("slow").invocations[0]
        function = by_origin(documents(cloud, str(invocation.trace_id)))["AWS::Lambda::Function"]
        assert function["end_time"] - function["start_time"] == pytest.approx(1.0)
        (exception,) = function["cause"]["exceptions"]
        assert exception["message"].endswith("Task timed out after 1.00 seconds")

    def test_throttled_request_is_a_429_service_segment(self, cloud: Cloud) -> None:
        """Reserved concurrency 0: the request's only segment is the throttled service segment."""
        cloud.lambda_.register("f", lambda e, c: None, tracing_mode="Active")
        cloud.lambda_.put_function_concurrency("f", 0)
        with pytest.raises(ServiceError, match=r"^TooManyRequestsException: Rate Exceeded\.$"):
            cloud.lambda_.invoke("f", {})
        (summary,) = summaries(cloud)
        assert summary["HasThrottle"] is True
        (service,) = documents(cloud, summary["Id"])
        assert service["origin"] == "AWS::Lambda" and service["throttle"] is True
        assert service["http"] == {"response": {"status": 429}}

    def test_async_retries_are_attempts_of_one_trace(self, cloud: Cloud) -> None:
        """An Event request keeps one trace: 202, Dwell Time, then an Attempt per try."""

        def down(event: Any, context: Any) -> None:
            raise RuntimeError("down")

        function = cloud.lambda_.register("flaky", down, tracing_mode="Active")
        cloud.lambda_.invoke("flaky", {}, invocation_type="Event")
        cloud.clock.advance(timedelta(minutes=10))
        assert len({i.trace_id for i in function.invocations}) == 1
        docs = documents(cloud, str(function.invocations[0].trace_id))
        service = by_origin(docs)["AWS::Lambda"]
        assert service["http"] == {"response": {"status": 202}}
        attempts = [s for s in service["subsegments"] if s["name"].startswith("Attempt")]
        assert names(service)[0] == "Dwell Time"
        assert [a["name"] for a in attempts] == ["Attempt #1", "Attempt #2", "Attempt #3"]
        assert all(a["error"] is True for a in attempts)
        functions = [d for d in docs if d.get("origin") == "AWS::Lambda::Function"]
        assert sorted(f["parent_id"] for f in functions) == sorted(a["id"] for a in attempts)
        starts = sorted(a["start_time"] for a in attempts)
        assert [round(b - a) for a, b in itertools.pairwise(starts)] == [60, 120]


class TestHandlerSubsegments:
    def test_context_xray_extends_the_invocation(self, cloud: Cloud) -> None:
        """What the handler records through context.xray hangs under Invocation."""

        def handler(event: Any, context: LambdaContext) -> None:
            assert context.xray is not None
            context.xray.annotate("order", "o-1")
            with context.xray.subsegment("DynamoDB", namespace="aws", aws={"table_name": "t"}):
                cloud.clock.advance(0.004)

        cloud.lambda_.register("f", handler, tracing_mode="Active")
        cloud.lambda_.invoke("f", {})
        invocation = cloud.lambda_.function("f").invocations[0]
        docs = documents(cloud, str(invocation.trace_id))
        function = by_origin(docs)["AWS::Lambda::Function"]
        run = next(s for s in function["subsegments"] if s["name"] == "Invocation")
        (call,) = run["subsegments"]
        assert call["name"] == "DynamoDB"
        assert call["end_time"] - call["start_time"] == pytest.approx(0.004, abs=1e-6)
        assert run["annotations"] == {"order": "o-1"}
        assert any(d.get("inferred") and d["name"] == "DynamoDB" for d in docs)
        found = cloud.client("xray").get_trace_summaries(
            StartTime=cloud.clock.now() - timedelta(minutes=1),
            EndTime=cloud.clock.now(),
            FilterExpression='annotation.order = "o-1"',
        )
        assert [t["Id"] for t in found["TraceSummaries"]] == [invocation.trace_id]

    def test_aws_xray_sdk_in_lambda_mode(self, cloud: Cloud) -> None:
        """The official SDK's Lambda context reads _X_AMZN_TRACE_ID and parents its subsegments."""
        pytest.importorskip("time_machine")
        from aws_xray_sdk.core import AWSXRayRecorder
        from aws_xray_sdk.core.lambda_launcher import LambdaContext as SdkContext

        recorder = AWSXRayRecorder()
        recorder.configure(
            context=SdkContext(),
            emitter=cloud.xray.sdk_emitter(),
            sampling=False,
            streaming_threshold=0,
        )

        def handler(event: Any, context: Any) -> None:
            with recorder.in_subsegment("work"):
                cloud.clock.advance(0.002)

        function = cloud.lambda_.register("sdk", handler, tracing_mode="Active")
        with cloud.clock.drive_wall_clock():
            cloud.lambda_.invoke("sdk", {})
        trace_id = str(function.invocations[0].trace_id)
        stored = {s.name: s for s in cloud.xray.segments(trace_id)}
        fn = by_origin(documents(cloud, trace_id))["AWS::Lambda::Function"]
        assert stored["work"].parent_id == fn["id"]


class TestSampling:
    def test_default_rule_one_per_second_then_five_percent(self, cloud: Cloud) -> None:
        """Lambda samples the first request of each second, then about 5 % of the others."""
        function = cloud.lambda_.register("busy", lambda e, c: None, tracing_mode="Active")
        for _ in range(10):
            cloud.lambda_.invoke("busy", {})
            cloud.clock.advance(1)
        assert all(i.sampled for i in function.invocations)
        burst = [cloud.lambda_.invoke("busy", {}) for _ in range(400)]
        assert len(burst) == 400
        sampled = [i.sampled for i in function.invocations[10:]]
        assert sampled[0] is True
        assert 1 + 5 <= sum(sampled) <= 1 + 40

    def test_same_seed_same_decisions(self) -> None:
        """The fixed-rate draws come from the cloud's seeded random source."""

        def run(seed: int) -> list[bool]:
            cloud = Cloud(seed=seed)
            function = cloud.lambda_.register("f", lambda e, c: None, tracing_mode="Active")
            for _ in range(60):
                cloud.lambda_.invoke("f", {})
            return [i.sampled for i in function.invocations]

        assert run(3) == run(3)

    def test_account_rules_when_asked(self, cloud: Cloud) -> None:
        """follow_sampling_rules: a rule with rate 1 for the function samples every request."""
        cloud.client("xray").create_sampling_rule(
            SamplingRule={
                "RuleName": "all-f",
                "ResourceARN": "*",
                "Priority": 1,
                "FixedRate": 1.0,
                "ReservoirSize": 0,
                "ServiceName": "f",
                "ServiceType": "AWS::Lambda::Function",
                "Host": "*",
                "HTTPMethod": "*",
                "URLPath": "*",
                "Version": 1,
            }
        )
        cloud.lambda_.tracer.follow_sampling_rules = True
        function = cloud.lambda_.register("f", lambda e, c: None, tracing_mode="Active")
        for _ in range(30):
            cloud.lambda_.invoke("f", {})
        assert all(i.sampled for i in function.invocations)

    @settings(max_examples=25, deadline=None)
    @given(st.lists(st.integers(min_value=0, max_value=3000), min_size=1, max_size=40))
    def test_first_request_of_each_second_is_sampled(self, gaps_ms: list[int]) -> None:
        """Whatever the arrival times, the reservoir samples the first request in each second."""
        cloud = Cloud(seed=1)
        function = cloud.lambda_.register("f", lambda e, c: None, tracing_mode="Active")
        for gap in gaps_ms:
            cloud.clock.advance(timedelta(milliseconds=gap))
            cloud.lambda_.invoke("f", {})
        seconds: set[int] = set()
        for invocation in function.invocations:
            second = int(invocation.at.timestamp())
            if second not in seconds:
                assert invocation.sampled
                seconds.add(second)


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        (
            "create_function",
            {
                "FunctionName": "f",
                "Role": ROLE,
                "Handler": "a.b",
                "Code": {"ZipFile": b""},
                "TracingConfig": {"Mode": "Passive"},
            },
        ),
        ("update_function_configuration", {"FunctionName": "g", "TracingConfig": {"Mode": "On"}}),
    ],
    ids=["create", "update"],
)
def test_bad_tracing_mode(cloud: Cloud, operation: str, params: dict[str, Any]) -> None:
    """A TracingConfig mode outside Active/PassThrough is refused, changing nothing."""
    cloud.lambda_.register("g", lambda e, c: None)
    with pytest.raises(ServiceError) as caught:
        getattr(cloud.client("lambda"), operation)(**params)
    assert caught.value.code == "ValidationException"
    bad = params["TracingConfig"]["Mode"]
    assert str(caught.value.message) == (
        f"1 validation error detected: Value '{bad}' at 'tracingConfig.mode' failed to satisfy "
        "constraint: Member must satisfy enum value set: [Active, PassThrough]"
    )
    assert "f" not in cloud.lambda_.functions
    assert cloud.lambda_.function("g").tracing_mode == "PassThrough"


def test_invocation_record_keeps_its_trace(cloud: Cloud) -> None:
    """Invocation.trace_id is the Root of the header the handler saw."""
    cloud.lambda_.register("f", lambda e, c: None)
    cloud.lambda_.invoke("f", {})
    invocation = cloud.lambda_.function("f").invocations[0]
    assert invocation.trace_header is not None
    assert invocation.trace_header.startswith(f"Root={invocation.trace_id};Parent=")
    assert isinstance(invocation.at, datetime)
