"""Tests of awsmon/boto.py: boto3 and botocore clients answered by a simulated cloud."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError, ParamValidationError
from botocore.stub import Stubber
from toy import toy_service

from awsmon import ApiCall, Cloud
from awsmon.boto import active_cloud
from awsmon.testing.shapes import assert_shape, problems

# Created at import time, long before any cloud exists: the common case in user code.
MODULE_LEVEL_STS = boto3.session.Session(region_name="eu-west-1").client("sts")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")


@pytest.fixture
def cloud() -> Iterator[Cloud]:
    with toy_service():
        yield Cloud()


class TestRouting:
    def test_clients_created_before_the_block_are_reached(self, cloud: Cloud) -> None:
        """A module-level client made before awsmon was routed answers from the cloud."""
        with cloud.patch_boto3():
            answer = MODULE_LEVEL_STS.get_caller_identity()
        assert answer["Arn"] == "arn:aws:iam::123456789012:root"
        assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200

    def test_clients_created_inside_the_block_are_reached(self, cloud: Cloud) -> None:
        """Clients of the default session, a new session and a raw botocore session all answer."""
        with cloud.patch_boto3():
            clients = [
                boto3.client("codecommit", region_name="eu-west-3"),
                boto3.session.Session(region_name="eu-west-3").client("codecommit"),
                botocore.session.get_session().create_client("codecommit", region_name="eu-west-3"),
            ]
            for index, client in enumerate(clients):
                client.create_repository(repositoryName=f"r{index}")
        assert sorted(cloud.region("eu-west-3").toy.repositories) == ["r0", "r1", "r2"]

    def test_routing_ends_with_the_block(self, cloud: Cloud) -> None:
        """After the block, clients go back to botocore's own path (here: no credentials)."""
        before = os.environ.get("AWS_EC2_METADATA_DISABLED")
        with cloud.patch_boto3():
            assert active_cloud() is cloud
            assert os.environ["AWS_EC2_METADATA_DISABLED"] == "true"
        assert active_cloud() is None
        assert os.environ.get("AWS_EC2_METADATA_DISABLED") == before
        client = boto3.session.Session(region_name="us-east-1").client(
            "sts",
            endpoint_url="http://127.0.0.1:9",
            aws_access_key_id="x",
            aws_secret_access_key="y",
        )
        with pytest.raises(Exception, match="network access attempted") as caught:
            client.get_caller_identity()
        assert not isinstance(caught.value, ClientError)

    def test_decorator_form(self, cloud: Cloud) -> None:
        """patch_boto3() also decorates a function."""

        @cloud.patch_boto3()
        def whoami() -> str:
            return str(
                boto3.client("sts", region_name="us-east-1").get_caller_identity()["Account"]
            )

        assert whoami() == "123456789012"
        assert active_cloud() is None

    def test_exceptions_inside_the_block_unroute(self, cloud: Cloud) -> None:
        """An exception leaving the block still ends the routing."""
        with pytest.raises(RuntimeError), cloud.patch_boto3():
            raise RuntimeError("user code failed")
        assert active_cloud() is None

    def test_nesting_and_two_clouds(self, cloud: Cloud) -> None:
        """The innermost cloud answers; leaving it gives the outer one back."""
        other = Cloud(account_id="210987654321")
        sts = boto3.client("sts", region_name="us-east-1")
        with cloud.patch_boto3():
            with other.patch_boto3():
                assert sts.get_caller_identity()["Account"] == "210987654321"
                with cloud.patch_boto3():
                    assert sts.get_caller_identity()["Account"] == "123456789012"
                assert sts.get_caller_identity()["Account"] == "210987654321"
            assert sts.get_caller_identity()["Account"] == "123456789012"
        assert active_cloud() is None

    def test_region_comes_from_the_client(self, cloud: Cloud) -> None:
        """Each client acts in its own region; the account is the current principal's."""
        with cloud.patch_boto3(), cloud.as_principal("arn:aws:iam::210987654321:user/bob"):
            boto3.client("codecommit", region_name="ap-southeast-2").create_repository(
                repositoryName="x"
            )
        assert "x" in cloud.account("210987654321").region("ap-southeast-2").toy.repositories

    def test_pytest_fixture(self, awsmon_boto3: Cloud) -> None:
        """The awsmon_boto3 fixture routes boto3 for the test and sets a default region."""
        assert active_cloud() is awsmon_boto3
        assert boto3.client("sts").get_caller_identity()["Account"] == "123456789012"


class TestErrors:
    def test_service_error_becomes_the_modelled_client_error(self, cloud: Cloud) -> None:
        """An AWS error raises the modelled ClientError subclass with the code and message."""
        with cloud.patch_boto3():
            client = boto3.client("codecommit", region_name="us-east-1")
            with pytest.raises(client.exceptions.RepositoryDoesNotExistException) as caught:
                client.get_repository(repositoryName="nope")
        error = caught.value.response["Error"]
        assert error == {
            "Code": "RepositoryDoesNotExistException",
            "Message": "nope does not exist",
            "Type": "Sender",
        }
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400

    def test_botocore_validation_still_runs(self, cloud: Cloud) -> None:
        """botocore's own parameter validation raises before the cloud is asked."""
        calls: list[ApiCall] = []
        cloud.on_api_call(calls.append)
        with cloud.patch_boto3():
            client = boto3.client("codecommit", region_name="us-east-1")
            with pytest.raises(ParamValidationError):
                client.create_repository()
        assert calls == []

    def test_unimplemented_operation_of_a_simulated_service(self, cloud: Cloud) -> None:
        """An operation awsmon lacks raises ClientError NotImplemented, never an empty answer."""
        with cloud.patch_boto3():
            client = boto3.client("codecommit", region_name="us-east-1")
            with pytest.raises(ClientError) as caught:
                client.delete_repository(repositoryName="x")
        assert caught.value.response["Error"]["Code"] == "NotImplemented"
        assert "codecommit.DeleteRepository" in caught.value.response["Error"]["Message"]
        assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 0

    def test_service_awsmon_does_not_simulate(self, cloud: Cloud) -> None:
        """A call to a service awsmon lacks raises NotImplemented and never reaches the network."""
        with cloud.patch_boto3():
            client = boto3.client(
                "dynamodb",
                region_name="us-east-1",
                aws_access_key_id="x",
                aws_secret_access_key="y",
            )
            with pytest.raises(ClientError) as caught:
                client.list_tables()
        assert caught.value.response["Error"]["Code"] == "NotImplemented"
        assert "dynamodb" in caught.value.response["Error"]["Message"]


class TestResponses:
    def test_request_id_matches_the_audit_record(self, cloud: Cloud) -> None:
        """boto3's RequestId is the id the dispatcher reported."""
        calls: list[ApiCall] = []
        cloud.on_api_call(calls.append)
        with cloud.patch_boto3():
            answer = boto3.client("sts", region_name="us-east-1").get_caller_identity()
        assert calls[0].request_id == answer["ResponseMetadata"]["RequestId"]
        assert calls[0].source == "boto3"

    def test_sts_answer_fits_botocore_shape(self, cloud: Cloud) -> None:
        """GetCallerIdentity's answer fits botocore's output shape, for every kind of caller."""
        for arn in (
            "arn:aws:iam::123456789012:root",
            "arn:aws:iam::123456789012:user/u",
            "arn:aws:sts::123456789012:assumed-role/R/s",
        ):
            with cloud.as_principal(arn):
                assert_shape("sts", "GetCallerIdentity", cloud.client("sts").get_caller_identity())

    def test_shape_checker_finds_problems(self) -> None:
        """The shape checker reports wrong types, unknown members and bad timestamps."""
        found = problems("sts", "GetCallerIdentity", {"Account": 1, "Bogus": "x"})
        assert found == [
            "Account: expected a string (accountType), got int",
            "Bogus: not a member of GetCallerIdentityResponse",
        ]
        with pytest.raises(AssertionError, match="does not fit"):
            assert_shape("sts", "GetCallerIdentity", {"Arn": ["x"]})

    def test_stubber_still_wins(self, cloud: Cloud) -> None:
        """botocore's Stubber answers before the cloud, as before-call handlers do."""
        client = boto3.client("sts", region_name="us-east-1")
        with cloud.patch_boto3(), Stubber(client) as stub:
            stub.add_response("get_caller_identity", {"Account": "999999999999"})
            assert client.get_caller_identity()["Account"] == "999999999999"

    def test_paginators_work(self, cloud: Cloud) -> None:
        """Paginators drive the routed client like any other."""
        with cloud.patch_boto3():
            client = boto3.client("codecommit", region_name="us-east-1")
            with pytest.raises(ClientError) as caught:
                list(client.get_paginator("list_repositories").paginate())
        assert caught.value.response["Error"]["Code"] == "NotImplemented"


class TestNeighbourDetails:
    def test_bucket_location_is_parsed_by_botocore(self, awsmon_boto3: Cloud) -> None:
        """GetBucketLocation, which botocore re-reads from the raw XML body, answers the region."""
        s3 = boto3.client("s3", region_name="eu-west-3")
        s3.create_bucket(
            Bucket="awsmon-location", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"}
        )
        assert s3.get_bucket_location(Bucket="awsmon-location")["LocationConstraint"] == "eu-west-3"

    def test_assumed_role_credentials_call_as_the_role(self, awsmon_boto3: Cloud) -> None:
        """A client built from AssumeRole's credentials calls as the role until they expire."""
        sts = boto3.client("sts", region_name="us-east-1")
        credentials = sts.assume_role(
            RoleArn="arn:aws:iam::123456789012:role/Deploy", RoleSessionName="ci"
        )["Credentials"]
        as_role = boto3.client(
            "sts",
            region_name="us-east-1",
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )
        assert as_role.get_caller_identity()["Arn"] == (
            "arn:aws:sts::123456789012:assumed-role/Deploy/ci"
        )
        assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::123456789012:root"
        awsmon_boto3.clock.advance(2 * 3600)
        with pytest.raises(ClientError) as caught:
            as_role.get_caller_identity()
        assert caught.value.response["Error"]["Code"] == "ExpiredTokenException"

    def test_payload_bodies_fit_the_shape(self) -> None:
        """A readable payload body (Lambda Invoke's Payload) fits its blob member."""
        import io

        assert problems("lambda", "Invoke", {"StatusCode": 200, "Payload": io.BytesIO(b"{}")}) == []
        assert problems("lambda", "Invoke", {"StatusCode": 200, "Payload": 5}) != []


class TestWaiters:
    def test_waiters_wait_on_the_virtual_clock(self, awsmon_boto3: Cloud) -> None:
        """A waiter's delays advance the virtual clock, so it sees the simulated state change."""
        import time

        kinesis = boto3.client("kinesis")
        kinesis.create_stream(StreamName="orders", ShardCount=1)
        before, wall = awsmon_boto3.clock.now(), time.monotonic()
        kinesis.get_waiter("stream_exists").wait(StreamName="orders")
        assert awsmon_boto3.clock.now() > before
        assert time.monotonic() - wall < 5
        summary = kinesis.describe_stream_summary(StreamName="orders")["StreamDescriptionSummary"]
        assert summary["StreamStatus"] == "ACTIVE"

    def test_waiter_sleep_is_restored(self, awsmon_boto3: Cloud) -> None:
        """Outside the routing, botocore's waiters use the real time module again."""
        import time

        import botocore.waiter

        assert botocore.waiter.time is not time
        awsmon_boto3.patch_boto3().__exit__(None, None, None)
        try:
            assert botocore.waiter.time is time
        finally:
            awsmon_boto3.patch_boto3().__enter__()


class TestHeaders:
    def test_logs_format_header_turns_on_embedded_metrics(self, awsmon_boto3: Cloud) -> None:
        """A PutLogEvents carrying x-amzn-logs-format: json/emf (as Lambda and the agent send it)
        has its EMF documents extracted into metrics; without the header it does not."""
        import json
        from datetime import timedelta

        logs = boto3.client("logs")

        def add_header(params: dict[str, Any], **_: Any) -> None:
            params["headers"]["x-amzn-logs-format"] = "json/emf"

        logs.create_log_group(logGroupName="/app")
        logs.create_log_stream(logGroupName="/app", logStreamName="s")
        now_ms = int(awsmon_boto3.clock.time() * 1000)
        document = {
            "_aws": {"Timestamp": now_ms, "CloudWatchMetrics": [
                {"Namespace": "Emf", "Dimensions": [["Api"]],
                 "Metrics": [{"Name": "Latency", "Unit": "Milliseconds"}]}]},
            "Api": "orders", "Latency": 42,
        }
        event = [{"timestamp": now_ms, "message": json.dumps(document)}]
        logs.put_log_events(logGroupName="/app", logStreamName="s", logEvents=event)
        cw = boto3.client("cloudwatch")
        assert cw.list_metrics(Namespace="Emf")["Metrics"] == []
        logs.meta.events.register("before-call.cloudwatch-logs.PutLogEvents", add_header)
        logs.put_log_events(logGroupName="/app", logStreamName="s", logEvents=event)
        answer = cw.get_metric_statistics(
            Namespace="Emf", MetricName="Latency", Dimensions=[{"Name": "Api", "Value": "orders"}],
            StartTime=awsmon_boto3.clock.now() - timedelta(minutes=5),
            EndTime=awsmon_boto3.clock.now() + timedelta(minutes=1), Period=60,
            Statistics=["Sum"],
        )
        assert [p["Sum"] for p in answer["Datapoints"]] == [42.0]

    def test_trace_header_reaches_lambda(self, awsmon_boto3: Cloud) -> None:
        """An X-Amzn-Trace-Id request header on Invoke makes the function join that trace."""
        seen: list[str] = []
        awsmon_boto3.lambda_.register(
            "traced", lambda event, context: seen.append(context.trace_header) or {}
        )
        header = "Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1"

        def add_header(params: dict[str, Any], **_: Any) -> None:
            params["headers"]["X-Amzn-Trace-Id"] = header

        client = boto3.client("lambda")
        client.meta.events.register("before-call.lambda.Invoke", add_header)
        client.invoke(FunctionName="traced", Payload=b"{}")
        assert seen and seen[0].startswith("Root=1-67891233-abcdef012345678912345678;")
