"""Tests of awsmon.policy.deliveries and the flows with create-time checks: Logs export to
S3 (the export guide's bucket policy, with aws:SourceArn), Logs subscriptions to Lambda
(refused at delivery time once the permission is gone), the delivery log and the switch."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from awsmon import Cloud
from awsmon.errors import ServiceError
from awsmon.policy import DeliveryLog, guides

REGION, ACCOUNT = "us-east-1", "123456789012"
T0 = datetime(2025, 3, 14, tzinfo=UTC)


def _export_cloud(policy: str | None) -> tuple[Cloud, int]:
    cloud = Cloud()
    cloud.s3.create_bucket("exports")
    if policy is not None:
        cloud.s3.put_bucket_policy("exports", policy)
    logs = cloud.client("logs")
    logs.create_log_group(logGroupName="app")
    logs.create_log_stream(logGroupName="app", logStreamName="web")
    stamp = int(cloud.clock.now().timestamp() * 1000)
    logs.put_log_events(
        logGroupName="app",
        logStreamName="web",
        logEvents=[{"timestamp": stamp, "message": "hello"}],
    )
    return cloud, stamp


def _with_source(arn: str) -> str:
    document = json.loads(guides.logs_export_to_s3("exports", REGION, ACCOUNT))
    for statement in document["Statement"]:
        statement["Condition"]["ArnLike"] = {"aws:SourceArn": [arn]}
    return json.dumps(document)


class TestLogsExport:
    def test_the_export_guides_policy_works(self) -> None:
        """The guide's policy (ArnLike aws:SourceArn, SourceAccount, x-amz-acl) lets it export."""
        cloud, stamp = _export_cloud(guides.logs_export_to_s3("exports", REGION, ACCOUNT))
        logs = cloud.client("logs")
        task = cloud.logs.create_export_task("app", 0, stamp, "exports")
        cloud.clock.advance(3600)
        (found,) = logs.describe_export_tasks(taskId=task)["exportTasks"]
        assert found["status"]["code"] == "COMPLETED"
        keys = [k for k in cloud.s3.bucket("exports").objects if k.endswith(".gz")]
        assert keys
        assert cloud.deliveries(failed=True) == []

    @pytest.mark.parametrize(
        ("policy", "reason"),
        [
            (None, "has no bucket policy"),
            (_with_source("arn:aws:logs:us-east-1:123456789012:log-group:other*"), "no statement"),
        ],
    )
    def test_refusals_name_the_source(self, policy: str | None, reason: str) -> None:
        """No policy, or one for another log group: AWS's error, and the reason in the log."""
        cloud, stamp = _export_cloud(policy)
        with pytest.raises(ServiceError, match="GetBucketAcl call on the given bucket failed"):
            cloud.logs.create_export_task("app", 0, stamp, "exports")
        (refusal,) = cloud.deliveries(failed=True)
        assert refusal.source == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:app"
        assert refusal.target == "arn:aws:s3:::exports"
        assert refusal.principal == "logs.us-east-1.amazonaws.com"
        assert reason in refusal.reason


class TestLogsSubscriptions:
    def test_a_removed_permission_refuses_at_delivery(self) -> None:
        """The function policy is asked again at each delivery; refusals count DeliveryErrors."""
        cloud = Cloud()
        seen: list[object] = []
        function = cloud.lambda_.register("sink", lambda event, context: seen.append(event))
        group_arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:app:*"
        cloud.lambda_.add_permission(
            "sink", "logs", "lambda:InvokeFunction", "logs.amazonaws.com", source_arn=group_arn
        )
        logs = cloud.client("logs")
        logs.create_log_group(logGroupName="app")
        logs.create_log_stream(logGroupName="app", logStreamName="s")
        logs.put_subscription_filter(
            logGroupName="app", filterName="all", filterPattern="", destinationArn=function.arn
        )
        cloud.lambda_.remove_permission("sink", "logs")
        stamp = int(cloud.clock.now().timestamp() * 1000)
        logs.put_log_events(
            logGroupName="app", logStreamName="s", logEvents=[{"timestamp": stamp, "message": "m"}]
        )
        cloud.clock.advance(120)
        assert seen == []
        (refusal,) = cloud.deliveries(failed=True, target=function.arn)
        assert "function" in refusal.reason and refusal.action == "lambda:InvokeFunction"
        stats = cloud.client("cloudwatch").get_metric_statistics(
            Namespace="AWS/Logs",
            MetricName="DeliveryErrors",
            Dimensions=[
                {"Name": "LogGroupName", "Value": "app"},
                {"Name": "DestinationType", "Value": "Lambda"},
                {"Name": "FilterName", "Value": "all"},
            ],
            StartTime=cloud.clock.now().timestamp() - 3600,
            EndTime=cloud.clock.now().timestamp(),
            Period=3600,
            Statistics=["Sum"],
        )
        assert sum(p["Sum"] for p in stats["Datapoints"]) >= 1


class TestDeliveryLog:
    def test_modes(self) -> None:
        """enforce refuses, warn delivers and records, off delivers and records nothing."""
        for mode, delivered, recorded in [
            ("enforce", False, 1),
            ("warn", True, 1),
            ("off", True, 0),
        ]:
            log = DeliveryLog(mode)
            check = log.check(T0, source="s", target="t", principal="p", action="a:B", policy=None)
            assert check.delivered is delivered
            assert len(log.deliveries(failed=True)) == recorded

    def test_a_malformed_policy_refuses_with_its_reason(self) -> None:
        """A stored policy awsmon cannot read refuses (never more than AWS would grant)."""
        check = DeliveryLog().check(
            T0, source="s", target="t", principal="p", action="a:B", policy="{not json"
        )
        assert not check.allowed and "malformed" in check.reason

    def test_an_unknown_mode_is_refused(self) -> None:
        """Cloud(policies=...) takes enforce, warn or off."""
        with pytest.raises(ValueError, match="enforce, warn, off"):
            Cloud(policies="strict")

    def test_filters(self) -> None:
        """deliveries() filters by outcome, source and target."""
        log = DeliveryLog()
        allow = guides.events_to_sns("arn:aws:sns:us-east-1:1:t")
        for target, policy in [("arn:aws:sns:us-east-1:1:t", allow), ("other", None)]:
            log.check(
                T0,
                source="rule",
                target=target,
                principal="events.amazonaws.com",
                action="sns:Publish",
                policy=policy,
            )
        assert [d.target for d in log.deliveries(failed=False)] == ["arn:aws:sns:us-east-1:1:t"]
        assert [d.target for d in log.deliveries(failed=True)] == ["other"]
        assert log.deliveries(source="nobody") == []
        assert len(log) == 2
