"""Example: the virtual clock, caller identities and the audit of every call.

Run: ``python examples/clock_and_audit.py`` (its output is kept beside it in
``clock_and_audit.out``, and the test suite checks that they agree).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from awsmon import ApiCall, Cloud, VirtualClock


def main() -> None:
    """Schedule a nightly job, call STS as two principals, and print the audit trail."""
    cloud = Cloud(clock=VirtualClock(start=datetime(2024, 1, 1, tzinfo=UTC)), seed=7)
    audit: list[ApiCall] = []
    cloud.on_api_call(audit.append)

    def nightly() -> None:
        who = cloud.client("sts").get_caller_identity()
        print(f"{cloud.clock.now():%a %H:%M} nightly job runs as {who['Arn']}")

    cloud.clock.call_every(timedelta(days=1), nightly, first=datetime(2024, 1, 1, 2, tzinfo=UTC))
    cloud.clock.advance(timedelta(days=2))

    with cloud.as_principal("arn:aws:sts::123456789012:assumed-role/Deploy/ci-42"):
        cloud.clock.advance(timedelta(hours=3))
        who = cloud.sts.get_caller_identity()
        print(f"{cloud.clock.now():%a %H:%M} deploy step runs as {who.type} {who.user_id}")

    print("audit trail:")
    for call in audit:
        print(f"  {call.at:%Y-%m-%d %H:%M} {call.request_id[:8]} {call.principal.type:<11} "
              f"{call.service}.{call.operation} via {call.source}")


if __name__ == "__main__":
    main()
