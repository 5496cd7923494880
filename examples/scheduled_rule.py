"""Story: a scheduled EventBridge rule whose input transformer shapes what the target gets.

A cron rule fires at 09:00 UTC on weekdays; its input transformer turns the
"Scheduled Event" into the small JSON a report function wants. The function is a
Python callable deployed with ``cloud.lambda_.register``; EventBridge may invoke
it because the function's resource policy says so (``add_permission``).

Run: ``python examples/scheduled_rule.py`` (output kept in ``scheduled_rule.out``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from awsmon import Cloud


def main() -> None:
    """Run a week of the schedule and print what the function received."""
    cloud = Cloud(seed=3)
    received: list[dict[str, Any]] = []

    def report(event: dict[str, Any], context: Any) -> None:
        received.append(event)
        print(f"report for {event['due']}")  # Lambda sends a function's stdout to its log group

    function = cloud.lambda_.register("daily-report", report)
    rule_arn = cloud.client("events").put_rule(
        Name="weekday-9am", ScheduleExpression="cron(0 9 ? * MON-FRI *)"
    )["RuleArn"]
    cloud.client("lambda").add_permission(
        FunctionName="daily-report",
        StatementId="events-invoke",
        Action="lambda:InvokeFunction",
        Principal="events.amazonaws.com",
        SourceArn=rule_arn,
    )
    cloud.client("events").put_targets(
        Rule="weekday-9am",
        Targets=[
            {
                "Id": "report",
                "Arn": function.arn,
                "InputTransformer": {
                    "InputPathsMap": {"when": "$.time", "kind": "$.detail-type"},
                    "InputTemplate": '{"report": "daily", "due": <when>, "trigger": <kind>}',
                },
            }
        ],
    )
    print(f"rule weekday-9am: cron(0 9 ? * MON-FRI *), starting {cloud.clock.now():%a %d %b %Y}")
    cloud.clock.advance(timedelta(days=7))
    print(f"{len(received)} reports in a week (weekdays only); the first received:")
    print(f"  {received[0]}")
    logs = cloud.client("logs").filter_log_events(
        logGroupName="/aws/lambda/daily-report", filterPattern='"report for"'
    )["events"]
    print("its log group /aws/lambda/daily-report has:")
    for line in logs:
        print(f"  {line['message'].rstrip()}")
    assert len(received) == 5
    assert all(event["trigger"] == "Scheduled Event" for event in received)
    assert [event["due"][11:16] for event in received] == ["09:00"] * 5


if __name__ == "__main__":
    main()
