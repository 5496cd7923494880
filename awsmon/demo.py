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

    # 3. boto3 code, routed in-process (when boto3 is installed).
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
