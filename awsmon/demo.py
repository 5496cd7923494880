"""The demo scenario behind ``python -m awsmon demo``.

A short story, told as it happens, of what awsmon can do today. Each service
adds its chapter as it lands.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TextIO

from awsmon.cloud import Cloud
from awsmon.dispatch import ApiCall

__all__ = ["run"]


def run(*, seed: int = 0, out: TextIO) -> Cloud:
    """Play the demo on a fresh cloud seeded with `seed`, writing to `out`; return the cloud."""
    cloud = Cloud(seed=seed)
    clock = cloud.clock

    def say(text: str) -> None:
        print(f"[{clock.now():%Y-%m-%d %H:%M:%S}] {text}", file=out)

    say(f"A simulated cloud: account {cloud.default_account_id}, region {cloud.default_region}.")
    say("Nothing moves until we advance the virtual clock.")

    # 1. The clock and its jobs.
    heartbeat = clock.call_every(timedelta(minutes=1), lambda: say("  heartbeat job runs"))
    clock.call_later(timedelta(seconds=150), lambda: say("  a one-off job runs at +2m30s"))
    say("Scheduled a job every minute and a one-off job; advancing 3 minutes...")
    clock.advance(timedelta(minutes=3))
    heartbeat.cancel()
    say("Cancelled the heartbeat; advancing an hour runs nothing more.")
    clock.advance(timedelta(hours=1))

    # 2. Every call is dispatched, and recorded for whoever listens (CloudTrail will).
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

    # 3. CloudWatch metrics: put datapoints, read statistics, let retention roll them up.
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

    # 4. boto3 code, routed in-process (when boto3 is installed).
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
