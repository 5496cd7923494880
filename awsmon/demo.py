"""The demo scenario behind ``python -m awsmon demo``.

A short story, told as it happens, of what awsmon can do today. Each service
adds its chapter as it lands.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TextIO

from awsmon.cloud import Cloud
from awsmon.dispatch import ApiCall
from awsmon.policy import guides

__all__ = ["run"]


def run(*, seed: int = 0, out: TextIO) -> Cloud:
    """Play the demo on a fresh cloud seeded with `seed`, writing to `out`; return the cloud."""
    cloud = Cloud(seed=seed)
    clock = cloud.clock

    def say(text: str) -> None:
        print(f"[{clock.now():%Y-%m-%d %H:%M:%S}] {text}", file=out)

    say(f"A simulated cloud: account {cloud.default_account_id}, region {cloud.default_region}.")
    say("Nothing moves until we advance the virtual clock.")
    _clock_chapter(cloud, say)
    _identity_chapter(cloud, say)
    _metrics_chapter(cloud, say)
    _alarm_chapter(cloud, say)
    _incident_chapter(cloud, say)
    # boto3 code, routed in-process (when boto3 is installed).
    try:
        import boto3
    except ModuleNotFoundError:
        say("boto3 is not installed: skipping the boto3 chapter (pip install 'awsmon[boto3]').")
    else:
        with cloud.patch_boto3():
            say("Now the same through boto3, routed in-process (no network, no credentials):")
            sts = boto3.client("sts", region_name=cloud.default_region)
            say(f"  -> {sts.get_caller_identity()['Arn']}")
    say("The end. Same seed, same story: run it again and compare.")
    return cloud


def _clock_chapter(cloud: Cloud, say: Callable[[str], None]) -> None:
    """The clock and its jobs."""
    clock = cloud.clock
    heartbeat = clock.call_every(timedelta(minutes=1), lambda: say("  heartbeat job runs"))
    clock.call_later(timedelta(seconds=150), lambda: say("  a one-off job runs at +2m30s"))
    say("Scheduled a job every minute and a one-off job; advancing 3 minutes...")
    clock.advance(timedelta(minutes=3))
    heartbeat.cancel()
    say("Cancelled the heartbeat; advancing an hour runs nothing more.")
    clock.advance(timedelta(hours=1))


def _identity_chapter(cloud: Cloud, say: Callable[[str], None]) -> None:
    """Every call is dispatched, and recorded for whoever listens (CloudTrail does)."""
    def audit(call: ApiCall) -> None:
        outcome = "ok" if call.succeeded else f"failed: {call.error}"
        say(
            f"  audit: {call.principal.arn} called {call.service}.{call.operation} "
            f"via {call.source} ({outcome})"
        )

    cloud.on_api_call(audit)
    say("Asking STS who we are, through the wire client:")
    identity = cloud.client("sts").get_caller_identity()
    say(f"  -> account {identity['Account']}, arn {identity['Arn']}")
    with cloud.as_principal("arn:aws:iam::210987654321:user/alice"):
        say("The same question as alice, of another account:")
        identity = cloud.client("sts").get_caller_identity()
        say(f"  -> account {identity['Account']}, arn {identity['Arn']}")
    cloud.dispatcher.listeners.remove(audit)


def _metrics_chapter(cloud: Cloud, say: Callable[[str], None]) -> None:
    """CloudWatch metrics: put datapoints, read statistics, let retention roll them up."""
    clock = cloud.clock
    say("Publishing one latency datapoint a minute for 10 minutes to CloudWatch:")
    cloudwatch = cloud.client("cloudwatch")
    start = clock.now()
    for minute in range(10):
        cloudwatch.put_metric_data(
            Namespace="Shop",
            MetricData=[
                {
                    "MetricName": "Latency",
                    "Unit": "Milliseconds",
                    "Dimensions": [{"Name": "Api", "Value": "checkout"}],
                    "Value": 100.0 + 10 * minute,
                }
            ],
        )
        clock.advance(timedelta(minutes=1))
    answer = cloudwatch.get_metric_statistics(
        Namespace="Shop",
        MetricName="Latency",
        Dimensions=[{"Name": "Api", "Value": "checkout"}],
        StartTime=start,
        EndTime=clock.now(),
        Period=300,
        Statistics=["Average", "Maximum", "SampleCount"],
    )
    for point in sorted(answer["Datapoints"], key=lambda p: p["Timestamp"]):
        say(
            f"  5-minute period from {point['Timestamp']:%H:%M}: average {point['Average']:.0f} ms,"
            f" max {point['Maximum']:.0f} ms, {point['SampleCount']:.0f} samples"
        )
    say("Twenty days later the 1-minute data has been rolled up to 5-minute periods:")
    clock.advance(timedelta(days=20))
    for period in (60, 300):
        answer = cloudwatch.get_metric_statistics(
            Namespace="Shop",
            MetricName="Latency",
            Dimensions=[{"Name": "Api", "Value": "checkout"}],
            StartTime=start,
            EndTime=start + timedelta(minutes=10),
            Period=period,
            Statistics=["SampleCount"],
        )
        say(f"  Period={period}: {len(answer['Datapoints'])} datapoints")


def _alarm_chapter(cloud: Cloud, say: Callable[[str], None]) -> None:
    """Log lines → metric filter → alarm → SNS → SQS, and the state change on EventBridge."""
    clock = cloud.clock
    logs, cloudwatch = cloud.client("logs"), cloud.client("cloudwatch")
    sns, sqs = cloud.client("sns"), cloud.client("sqs")
    say("Wiring an alarm: log lines with ERROR count into Shop/Errors through a metric filter,")
    say(
        "  an alarm pages an SNS topic (delivered to an SQS queue) and EventBridge records changes."
    )
    logs.create_log_group(logGroupName="/shop/web")
    logs.create_log_stream(logGroupName="/shop/web", logStreamName="web-1")
    logs.put_metric_filter(
        logGroupName="/shop/web",
        filterName="errors",
        filterPattern="ERROR",
        metricTransformations=[
            {
                "metricName": "Errors",
                "metricNamespace": "Shop",
                "metricValue": "1",
                "defaultValue": 0,
            }
        ],
    )
    topic = sns.create_topic(Name="oncall")["TopicArn"]
    pager = _pager_queue(sns, sqs, topic)
    audit = _audit_queue(cloud)
    cloudwatch.put_metric_alarm(
        AlarmName="web-errors",
        Namespace="Shop",
        MetricName="Errors",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=3,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        TreatMissingData="notBreaching",
        AlarmActions=[topic],
        OKActions=[topic],
    )
    errors_per_minute = [0, 1, 4, 5, 0, 0]
    seen = "INSUFFICIENT_DATA"
    for count in errors_per_minute:
        now_ms = int(clock.time() * 1000)
        lines = [f"ERROR payment declined #{i}" for i in range(count)] + ["INFO ok"]
        logs.put_log_events(
            logGroupName="/shop/web",
            logStreamName="web-1",
            logEvents=[{"timestamp": now_ms, "message": line} for line in lines],
        )
        say(f"  wrote {count} ERROR line(s)")
        clock.advance(timedelta(minutes=1))
        state = cloudwatch.describe_alarms(AlarmNames=["web-errors"])["MetricAlarms"][0]
        if state["StateValue"] != seen:
            seen = state["StateValue"]
            say(f"  alarm web-errors is now {seen}: {state['StateReason']}")
    pages = sqs.receive_message(QueueUrl=pager, MaxNumberOfMessages=10).get("Messages", [])
    for page in pages:
        message = json.loads(json.loads(page["Body"])["Message"])
        say(
            f"  pager got: {message['AlarmName']} {message['OldStateValue']} -> "
            f"{message['NewStateValue']}"
        )
    changes = sqs.receive_message(QueueUrl=audit, MaxNumberOfMessages=10).get("Messages", [])
    say(f"  EventBridge delivered {len(changes)} alarm state change event(s) to the audit queue")


def _pager_queue(sns: Any, sqs: Any, topic: str) -> str:
    """A queue subscribed to `topic`, with the queue policy of SNS's guide (AWS requires it)."""
    pager = sqs.create_queue(QueueName="pager")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=pager, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sqs.set_queue_attributes(QueueUrl=pager, Attributes={"Policy": guides.sns_to_sqs(topic, arn)})
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    url: str = pager
    return url


def _audit_queue(cloud: Cloud) -> str:
    """A queue that an EventBridge rule feeds with alarm state changes; returns its URL."""
    sqs, events = cloud.client("sqs"), cloud.client("events")
    audit = sqs.create_queue(QueueName="alarm-audit")["QueueUrl"]
    audit_arn = sqs.get_queue_attributes(QueueUrl=audit, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    rule_arn = events.put_rule(
        Name="alarm-changes",
        EventPattern=json.dumps(
            {"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"]}
        ),
    )["RuleArn"]
    sqs.set_queue_attributes(
        QueueUrl=audit,
        Attributes={
            "Policy": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "events.amazonaws.com"},
                            "Action": "sqs:SendMessage",
                            "Resource": audit_arn,
                            "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
                        }
                    ],
                }
            )
        },
    )
    events.put_targets(Rule="alarm-changes", Targets=[{"Id": "audit", "Arn": audit_arn}])
    return str(audit)


DEPLOY = "arn:aws:sts::123456789012:assumed-role/Deploy/pipeline-7"


class _PaymentFailed(Exception):
    """The payments function answered with an error."""


def _incident_chapter(cloud: Cloud, say: Callable[[str], None]) -> None:
    """A deploy breaks payments; the alarm fires; X-Ray, Insights and CloudTrail say why."""
    clock = cloud.clock
    lam, cloudwatch = cloud.client("lambda"), cloud.client("cloudwatch")
    say("An incident. The web tier calls a payments function that takes 1.2 s (timeout 5 s);")
    say("  an alarm watches its AWS/Lambda Errors, and X-Ray traces every request.")
    cloud.lambda_.register(
        "payments", lambda event, context: {"paid": True}, timeout=5,
        duration=timedelta(milliseconds=1200),
    )  # fmt: skip
    cloudwatch.put_metric_alarm(
        AlarmName="payments-errors", Namespace="AWS/Lambda", MetricName="Errors",
        Dimensions=[{"Name": "FunctionName", "Value": "payments"}], Statistic="Sum",
        Period=60, EvaluationPeriods=2, Threshold=0, ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
    )  # fmt: skip
    web = cloud.xray.recorder("web", origin="AWS::EC2::Instance")
    start = clock.now()

    def serve(minutes: int) -> None:
        state = cloudwatch.describe_alarms(AlarmNames=["payments-errors"])["MetricAlarms"][0]
        for _ in range(minutes):
            for _ in range(4):
                with web.segment(method="POST", url="https://shop.example/pay") as request:
                    with contextlib.suppress(_PaymentFailed), request.subsegment(
                        "payments", namespace="aws", aws={"operation": "Invoke"}
                    ):
                        if "FunctionError" in lam.invoke(FunctionName="payments", Payload=b"{}"):
                            raise _PaymentFailed("payments failed")
                    request.respond(200 if "fault" not in request.doc else 502)
                clock.advance(timedelta(seconds=15))
            now = cloudwatch.describe_alarms(AlarmNames=["payments-errors"])["MetricAlarms"][0]
            if now["StateValue"] != state["StateValue"]:
                say(f"  alarm payments-errors: {state['StateValue']} -> {now['StateValue']}")
            state = now

    serve(3)
    with cloud.as_principal(DEPLOY):
        lam.update_function_configuration(FunctionName="payments", Timeout=1)
    say("A deploy pipeline changes something. Requests keep coming...")
    serve(3)
    say("On-call investigates, while the errors go on:")
    serve(2)
    xray = cloud.client("xray")
    faulty = xray.get_trace_summaries(
        StartTime=start, EndTime=clock.now(), FilterExpression='service("payments") { fault }'
    )["TraceSummaries"]
    total = xray.get_trace_summaries(StartTime=start, EndTime=clock.now())["TraceSummaries"]
    say(f"  X-Ray: {len(faulty)} of {len(total)} traces have a fault in payments")
    _insights(cloud, say, start)
    events = cloud.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "ResourceName", "AttributeValue": "payments"}]
    )["Events"]
    for event in events:
        detail = json.loads(event["CloudTrailEvent"])
        say(
            f"  CloudTrail: {event['EventTime']:%H:%M:%S} {event['EventName']} by "
            f"{detail['userIdentity']['arn']} {detail['requestParameters']}"
        )
    say("  Found it: the deploy cut the timeout to 1 s. Rolling back...")
    with cloud.as_principal(DEPLOY):
        lam.update_function_configuration(FunctionName="payments", Timeout=5)
    serve(3)


def _insights(cloud: Cloud, say: Callable[[str], None], start: datetime) -> None:
    """Ask Logs Insights how long payments ran, per 5 minutes."""
    logs = cloud.client("logs")
    query_id = logs.start_query(
        logGroupName="/aws/lambda/payments",
        startTime=int(start.timestamp()),
        endTime=int(cloud.clock.time()),
        queryString='filter @message like "REPORT" | parse @message "Duration: * ms" as ms'
        " | stats count(*) as runs, min(ms) as shortest by bin(5m)",
    )["queryId"]
    answer = logs.get_query_results(queryId=query_id)
    while answer["status"] in ("Scheduled", "Running"):
        cloud.clock.advance(timedelta(seconds=1))
        answer = logs.get_query_results(queryId=query_id)
    for row in answer["results"]:
        fields = {f["field"]: f["value"] for f in row}
        say(
            f"  Logs Insights: runs from {fields['bin(5m)'][11:16]}: {fields['runs']},"
            f" shortest {float(fields['shortest']):.0f} ms"
        )
