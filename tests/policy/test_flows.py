"""Every delivery asks the target's resource policy: flows x {no policy, AWS's guide's
policy, the guide's policy with a wrong aws:SourceArn, an explicit Deny}.

Each row says whether the message arrives, and checks the visible trace of each
refusal: the entry in ``cloud.deliveries(failed=True)`` (source, target, time,
reason in words) and the sender's own record (vended metric, failed invocation,
alarm action outcome).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from attrs import frozen

from awsmon import Cloud
from awsmon.cloudwatch import MetricKey
from awsmon.events import PutEventsEntry, Target

ACCOUNT = "123456789012"
REGION = "us-east-1"
WRONG = "arn:aws:sns:us-east-1:123456789012:not-the-source"


def _policy(variant: str, principal: str, action: str, resource: str, source: str) -> Any:
    """The target policy of one variant (None: no policy)."""
    if variant == "none":
        return None
    allow = {
        "Sid": "guide",
        "Effect": "Allow",
        "Principal": {"Service": principal},
        "Action": action,
        "Resource": resource,
        "Condition": {"ArnEquals": {"aws:SourceArn": WRONG if variant == "wrong" else source}},
    }
    statements = [allow]
    if variant == "deny":
        statements.append(
            {"Sid": "nope", "Effect": "Deny", "Principal": "*", "Action": action, "Resource": "*"}
        )
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def _lambda_permission(cloud: Cloud, name: str, variant: str, principal: str, source: str) -> None:
    if variant in ("guide", "wrong"):
        cloud.lambda_.add_permission(
            name,
            "guide",
            "lambda:InvokeFunction",
            principal,
            source_arn=WRONG if variant == "wrong" else source,
        )


@frozen
class Flow:
    """One flow's run: where from, where to, and whether the message arrived."""

    source: str
    target: str
    principal: str
    arrived: Callable[[], bool]
    trace: Callable[[], bool]


def sns_to_sqs(cloud: Cloud, variant: str) -> Flow:
    topic = cloud.sns.create_topic("t").arn
    queue = cloud.sqs.create_queue("q")
    policy = _policy(variant, "sns.amazonaws.com", "sqs:SendMessage", queue.arn, topic)
    if policy:
        cloud.sqs.set_queue_attributes(queue.url, {"Policy": policy})
    cloud.sns.subscribe(topic, "sqs", queue.arn)
    cloud.sns.publish(topic, "hello")
    cloud.clock.advance(60)
    return Flow(
        topic,
        queue.arn,
        "sns.amazonaws.com",
        lambda: bool(cloud.sqs.receive_message(queue.url)),
        lambda: _metric(cloud, "AWS/SNS", "NumberOfNotificationsFailed", {"TopicName": "t"}) == 1,
    )


def sns_to_lambda(cloud: Cloud, variant: str) -> Flow:
    seen: list[Any] = []
    function = cloud.lambda_.register("f", lambda event, context: seen.append(event))
    topic = cloud.sns.create_topic("t").arn
    _lambda_permission(cloud, "f", variant, "sns.amazonaws.com", topic)
    cloud.sns.subscribe(topic, "lambda", function.arn)
    cloud.sns.publish(topic, "hello")
    cloud.clock.advance(60)
    return Flow(
        topic,
        function.arn,
        "sns.amazonaws.com",
        lambda: bool(seen),
        lambda: _metric(cloud, "AWS/SNS", "NumberOfNotificationsFailed", {"TopicName": "t"}) == 1,
    )


def _events_rule(cloud: Cloud, target_arn: str) -> str:
    rule = cloud.events.put_rule("r", event_pattern={"source": ["shop"]})
    cloud.events.put_targets("r", [Target(id="t", arn=target_arn)])
    arn: str = rule.arn
    return arn


def _put_event(cloud: Cloud) -> None:
    cloud.events.put_events([PutEventsEntry(source="shop", detail_type="Order", detail="{}")])
    cloud.clock.advance(60)


def _failed_invocations(cloud: Cloud) -> bool:
    return bool(cloud.events.failed_invocations) and all(
        f.error_code == "NO_PERMISSIONS" for f in cloud.events.failed_invocations
    )


def events_to_sqs(cloud: Cloud, variant: str) -> Flow:
    queue = cloud.sqs.create_queue("q")
    rule = _events_rule(cloud, queue.arn)
    policy = _policy(variant, "events.amazonaws.com", "sqs:SendMessage", queue.arn, rule)
    if policy:
        cloud.sqs.set_queue_attributes(queue.url, {"Policy": policy})
    _put_event(cloud)
    return Flow(
        rule,
        queue.arn,
        "events.amazonaws.com",
        lambda: bool(cloud.sqs.receive_message(queue.url)),
        lambda: _failed_invocations(cloud),
    )


def events_to_sns(cloud: Cloud, variant: str) -> Flow:
    topic = cloud.sns.create_topic("t").arn
    cloud.sns.subscribe(topic, "email", "ops@example.com")
    rule = _events_rule(cloud, topic)
    policy = _policy(variant, "events.amazonaws.com", "sns:Publish", topic, rule)
    if policy:
        cloud.sns.set_topic_attributes(topic, "Policy", policy)
    _put_event(cloud)
    return Flow(
        rule,
        topic,
        "events.amazonaws.com",
        lambda: bool(cloud.sns.deliveries),
        lambda: _failed_invocations(cloud),
    )


def events_to_lambda(cloud: Cloud, variant: str) -> Flow:
    seen: list[Any] = []
    function = cloud.lambda_.register("f", lambda event, context: seen.append(event))
    rule = _events_rule(cloud, function.arn)
    _lambda_permission(cloud, "f", variant, "events.amazonaws.com", rule)
    _put_event(cloud)
    return Flow(
        rule,
        function.arn,
        "events.amazonaws.com",
        lambda: bool(seen),
        lambda: _failed_invocations(cloud),
    )


def alarm_to_sns(cloud: Cloud, variant: str) -> Flow:
    topic = cloud.sns.create_topic("t").arn
    cloud.sns.subscribe(topic, "email", "ops@example.com")
    alarm = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:high"
    policy = _policy(variant, "cloudwatch.amazonaws.com", "sns:Publish", topic, alarm)
    if policy:
        cloud.sns.set_topic_attributes(topic, "Policy", policy)
    cw = cloud.client("cloudwatch")
    cw.put_metric_alarm(
        AlarmName="high",
        MetricName="Latency",
        Namespace="App",
        Statistic="Average",
        Period=60,
        EvaluationPeriods=1,
        Threshold=100.0,
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[topic],
    )
    key = MetricKey.of("App", "Latency", {})
    cloud.cloudwatch.publish(key, [(cloud.clock.now(), 250.0)])
    cloud.clock.advance(120)

    def failed_action() -> bool:
        history = cw.describe_alarm_history(AlarmName="high", HistoryItemType="Action")
        return any(
            "not authorized" in item["HistorySummary"] + item.get("HistoryData", "")
            for item in history["AlarmHistoryItems"]
        )

    return Flow(
        alarm,
        topic,
        "cloudwatch.amazonaws.com",
        lambda: bool(cloud.sns.deliveries),
        failed_action,
    )


FLOWS = {
    "sns-sqs": sns_to_sqs,
    "sns-lambda": sns_to_lambda,
    "events-sqs": events_to_sqs,
    "events-sns": events_to_sns,
    "events-lambda": events_to_lambda,
    "alarm-sns": alarm_to_sns,
}

#: (flow, variant) → whether the message arrives. "none" for a topic is SNS's default
#: topic policy (the owner account only, by AWS:SourceOwner): alarms of the account
#: pass it, EventBridge does not. Lambda's AddPermission writes no Deny: n/a.
EXPECTED = {
    ("sns-sqs", "none"): False,
    ("sns-sqs", "guide"): True,
    ("sns-sqs", "wrong"): False,
    ("sns-sqs", "deny"): False,
    ("sns-lambda", "none"): False,
    ("sns-lambda", "guide"): True,
    ("sns-lambda", "wrong"): False,
    ("events-sqs", "none"): False,
    ("events-sqs", "guide"): True,
    ("events-sqs", "wrong"): False,
    ("events-sqs", "deny"): False,
    ("events-sns", "none"): False,
    ("events-sns", "guide"): True,
    ("events-sns", "wrong"): False,
    ("events-sns", "deny"): False,
    ("events-lambda", "none"): False,
    ("events-lambda", "guide"): True,
    ("events-lambda", "wrong"): False,
    ("alarm-sns", "none"): True,
    ("alarm-sns", "guide"): True,
    ("alarm-sns", "wrong"): False,
    ("alarm-sns", "deny"): False,
}


def _metric(cloud: Cloud, namespace: str, name: str, dimensions: dict[str, str]) -> float:
    stats = cloud.client("cloudwatch").get_metric_statistics(
        Namespace=namespace,
        MetricName=name,
        Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
        StartTime=cloud.clock.now().timestamp() - 3600,
        EndTime=cloud.clock.now().timestamp() + 60,
        Period=3600,
        Statistics=["Sum"],
    )
    return float(sum(p["Sum"] for p in stats["Datapoints"]))


@pytest.mark.parametrize(("flow", "variant"), sorted(EXPECTED))
def test_flow_outcome_and_trace(flow: str, variant: str) -> None:
    """The message arrives exactly when AWS would deliver it; a refusal leaves its traces."""
    cloud = Cloud()
    run = FLOWS[flow](cloud, variant)
    delivered = EXPECTED[(flow, variant)]
    assert run.arrived() is delivered
    refused = cloud.deliveries(failed=True, source=run.source, target=run.target)
    if delivered:
        assert refused == []
        assert cloud.deliveries(failed=False, source=run.source, target=run.target)
        return
    (first, *_) = refused
    assert first.principal == run.principal and first.at <= cloud.clock.now()
    assert run.principal in first.reason and run.target in first.reason
    if variant == "deny":
        assert "explicitly denies" in first.reason and first.statement == "nope"
    elif variant == "wrong":
        assert "aws:SourceArn=" + run.source in first.reason
    assert run.trace()


@pytest.mark.parametrize("flow", sorted(FLOWS))
def test_warn_delivers_and_records_off_delivers_silently(flow: str) -> None:
    """``warn`` delivers what enforce refuses but records it; ``off`` records nothing."""
    variant = "wrong"
    warned = Cloud(policies="warn")
    run = FLOWS[flow](warned, variant)
    assert run.arrived()
    assert [d.delivered for d in warned.deliveries(failed=True, target=run.target)][:1] == [True]
    quiet = Cloud(policies="off")
    run = FLOWS[flow](quiet, variant)
    assert run.arrived()
    assert quiet.deliveries() == []
