"""Tests of awsmon/events/api.py: EventBridge through boto3, with response shapes checked.

Flows a user's code runs (rule → SQS message, scheduled rule, retry then
DLQ, cross-account buses) and the error table of the wire layer (codes and
anchored messages as boto3 raises them). Archives and replays are in
test_api_archives.py, partner event sources in test_api_sources.py.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from events_boto import ACCOUNT, DEFAULT_BUS, OTHER, call, make_queue, receive

from awsmon import Cloud


class TestRuleToQueue:
    def test_rule_to_sqs_message(self, events: Any, sqs: Any) -> None:
        """PutRule, PutTargets, PutEvents → the event lands in the queue, shapes as boto3's."""
        url, arn = make_queue(sqs, "orders")
        rule = call(events, "PutRule", Name="orders", EventPattern='{"source": ["shop"]}')
        assert rule["RuleArn"] == f"arn:aws:events:us-east-1:{ACCOUNT}:rule/orders"
        put = call(events, "PutTargets", Rule="orders", Targets=[{"Id": "q", "Arn": arn}])
        assert put["FailedEntryCount"] == 0 and put["FailedEntries"] == []
        result = call(
            events,
            "PutEvents",
            Entries=[{"Source": "shop", "DetailType": "Order", "Detail": '{"total": 5}'}],
        )
        (message,) = receive(sqs, url)
        body = json.loads(message["Body"])
        assert body["id"] == result["Entries"][0]["EventId"]
        assert (body["detail"], body["time"]) == ({"total": 5}, "2024-01-05T09:07:30Z")

    def test_describe_and_list(self, events: Any, sqs: Any) -> None:
        """Describe and list operations answer with AWS's shapes, paging by Limit."""
        _, arn = make_queue(sqs, "q")
        call(events, "PutRule", Name="a", EventPattern='{"source": ["a"]}', Description="d")
        call(events, "PutRule", Name="b", ScheduleExpression="rate(1 hour)", State="DISABLED")
        target = {
            "Id": "t",
            "Arn": arn,
            "InputTransformer": {"InputPathsMap": {"s": "$.source"}, "InputTemplate": "<s>"},
            "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 120},
            "DeadLetterConfig": {"Arn": arn},
        }
        call(events, "PutTargets", Rule="a", Targets=[target])
        described = call(events, "DescribeRule", Name="a")
        assert described["CreatedBy"] == ACCOUNT and described["EventBusName"] == "default"
        listed = call(events, "ListRules", Limit=1)
        assert [r["Name"] for r in listed["Rules"]] == ["a"]
        rest = call(events, "ListRules", NextToken=listed["NextToken"])
        assert [(r["Name"], r["State"]) for r in rest["Rules"]] == [("b", "DISABLED")]
        assert call(events, "ListTargetsByRule", Rule="a")["Targets"] == [target]
        assert call(events, "ListRuleNamesByTarget", TargetArn=arn)["RuleNames"] == ["a"]

    def test_paginator(self, events: Any) -> None:
        """boto3's ListRules paginator walks every page."""
        for n in range(7):
            call(events, "PutRule", Name=f"r{n}", EventPattern='{"source": ["a"]}')
        pages = events.get_paginator("list_rules").paginate(PaginationConfig={"PageSize": 3})
        assert [r["Name"] for page in pages for r in page["Rules"]] == [f"r{n}" for n in range(7)]


class TestSchedulesAndRetries:
    def test_scheduled_rule_fires_at_the_right_minutes(
        self, cloud: Cloud, events: Any, sqs: Any
    ) -> None:
        """cron(0/10 * ? * MON-FRI *) from Friday 09:07:30 fires at 09:10, 09:20, 09:30."""
        url, arn = make_queue(sqs, "ticks")
        call(events, "PutRule", Name="tick", ScheduleExpression="cron(0/10 * ? * MON-FRI *)")
        call(events, "PutTargets", Rule="tick", Targets=[{"Id": "q", "Arn": arn}])
        cloud.clock.advance(timedelta(minutes=20))
        times = [json.loads(m["Body"])["time"] for m in receive(sqs, url)]
        assert times == ["2024-01-05T09:10:00Z", "2024-01-05T09:20:00Z"]

    def test_retry_then_dead_letter_queue(self, cloud: Cloud, events: Any, sqs: Any) -> None:
        """A failing target is retried on the clock, then the DLQ gets the event and attributes."""
        dlq_url, dlq_arn = make_queue(sqs, "dlq")
        target_arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:flaky"
        call(events, "PutRule", Name="r", EventPattern='{"source": ["shop"]}')
        call(
            events,
            "PutTargets",
            Rule="r",
            Targets=[
                {
                    "Id": "fn",
                    "Arn": target_arn,
                    "RetryPolicy": {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600},
                    "DeadLetterConfig": {"Arn": dlq_arn},
                }
            ],
        )
        cloud.events.fail_target(target_arn, "THROTTLING", "Rate exceeded.")
        events.put_events(Entries=[{"Source": "shop", "DetailType": "t", "Detail": "{}"}])
        assert receive(sqs, dlq_url) == []
        cloud.clock.advance(timedelta(minutes=1))
        (message,) = receive(sqs, dlq_url)
        attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
        assert attributes == {
            "RULE_ARN": f"arn:aws:events:us-east-1:{ACCOUNT}:rule/r",
            "TARGET_ARN": target_arn,
            "ERROR_CODE": "THROTTLING",
            "ERROR_MESSAGE": "Rate exceeded.",
            "RETRY_ATTEMPTS": "2",
            "EXHAUSTED_RETRY_CONDITION": "MaximumRetryAttempts",
        }
        assert json.loads(message["Body"])["source"] == "shop"


class TestBuses:
    def test_cross_account_bus(self, cloud: Cloud, events: Any) -> None:
        """PutPermission lets another account's PutEvents through; the bus shows its policy."""
        call(events, "CreateEventBus", Name="shared", Tags=[{"Key": "team", "Value": "x"}])
        bus_arn = f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/shared"
        with cloud.as_principal(f"arn:aws:iam::{OTHER}:root"):
            other = boto3.client("events")
            entry = {"Source": "s", "DetailType": "t", "Detail": "{}", "EventBusName": bus_arn}
            refused = other.put_events(Entries=[entry])["Entries"][0]
            assert refused["ErrorCode"] == "AccessDeniedException"
        call(
            events,
            "PutPermission",
            EventBusName="shared",
            Action="events:PutEvents",
            Principal=OTHER,
            StatementId="other",
        )
        policy = json.loads(call(events, "DescribeEventBus", Name="shared")["Policy"])
        assert policy["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{OTHER}:root"}
        with cloud.as_principal(f"arn:aws:iam::{OTHER}:root"):
            assert "EventId" in other.put_events(Entries=[entry])["Entries"][0]
        tags = call(events, "ListTagsForResource", ResourceARN=bus_arn)["Tags"]
        assert tags == [{"Key": "team", "Value": "x"}]


ERRORS = [
    (
        "PutRule",
        {"Name": "bad name", "EventPattern": "{}"},
        "ValidationException",
        r"1 validation error detected: Value 'bad name' at 'name' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: \[\\\.\\-_A-Za-z0-9\]\+",
    ),
    (
        "PutRule",
        {"Name": "r", "ScheduleExpression": "rate(0 minutes)"},
        "ValidationException",
        r"Parameter ScheduleExpression is not valid\..*",
    ),
    (
        "PutRule",
        {"Name": "r", "EventPattern": '{"detail": {"n": [{"numeric": [">"]}]}}'},
        "InvalidEventPatternException",
        r"Event pattern is not valid\. Reason: .*",
    ),
    (
        "DescribeRule",
        {"Name": "nope"},
        "ResourceNotFoundException",
        r"Rule nope does not exist on EventBus default\.",
    ),
    (
        "PutTargets",
        {"Rule": "nope", "Targets": [{"Id": "t", "Arn": "arn:aws:sqs:us-east-1:1:q"}]},
        "ResourceNotFoundException",
        r"Rule nope does not exist on EventBus default\.",
    ),
    (
        "PutTargets",
        {"Rule": "exists", "Targets": [{"Id": "!@#$@!#$", "Arn": "arn:aws:sqs:us-east-1:1:q"}]},
        "ValidationException",
        r"1 validation error detected: Value '!@#\$@!#\$' at 'targets\.1\.member\.id' failed to "
        r"satisfy constraint: Member must satisfy regular expression pattern: .*",
    ),
    (
        "PutTargets",
        {"Rule": "exists", "Targets": [{"Id": "x" * 65, "Arn": "arn:aws:sqs:us-east-1:1:q"}]},
        "ValidationException",
        r".* at 'targets\.1\.member\.id' failed to satisfy constraint: Member must have length "
        r"less than or equal to 64",
    ),
    (
        "PutTargets",
        {
            "Rule": "exists",
            "Targets": [
                {"Id": "t", "Arn": "arn:aws:sqs:us-east-1:1:q", "Input": "{}", "InputPath": "$"}
            ],
        },
        "ValidationException",
        r"Only one of Input, InputPath, or InputTransformer must be provided for target t\.",
    ),
    (
        "PutTargets",
        {
            "Rule": "exists",
            "Targets": [
                {
                    "Id": "t",
                    "Arn": "arn:aws:sqs:us-east-1:1:q",
                    "InputTransformer": {"InputTemplate": '{"a": <nope>}'},
                }
            ],
        },
        "ValidationException",
        r"InputTemplate for target t contains invalid placeholder nope\..*",
    ),
    (
        "PutTargets",
        {
            "Rule": "exists",
            "Targets": [
                {
                    "Id": "t",
                    "Arn": "arn:aws:sqs:us-east-1:1:q",
                    "RetryPolicy": {"MaximumRetryAttempts": 186},
                }
            ],
        },
        "ValidationException",
        r".* at 'targets\.1\.member\.retryPolicy\.maximumRetryAttempts' failed to satisfy "
        r"constraint: Member must have value less than or equal to 185",
    ),
    (
        "DeleteEventBus",
        {"Name": "default"},
        "ValidationException",
        r"Cannot delete event bus default\.",
    ),
    (
        "CreateEventBus",
        {"Name": "default"},
        "ResourceAlreadyExistsException",
        r"Event bus default already exists\.",
    ),
    (
        "DescribeEventBus",
        {"Name": "nope"},
        "ResourceNotFoundException",
        r"Event bus nope does not exist\.",
    ),
    (
        "RemovePermission",
        {"StatementId": "nope"},
        "ResourceNotFoundException",
        r"EventBus does not have a policy\.",
    ),
    (
        "TestEventPattern",
        {"EventPattern": '{"source": ["a"]}', "Event": "[]"},
        "ValidationException",
        r"Parameter Event is not valid\.",
    ),
    (
        "DescribeArchive",
        {"ArchiveName": "nope"},
        "ResourceNotFoundException",
        r"Archive nope does not exist\.",
    ),
    (
        "UpdateArchive",
        {"ArchiveName": "arch"},
        "ValidationException",
        r"At least one of EventPattern, RetentionDays or Description must be provided\.",
    ),
    (
        "CreateArchive",
        {"ArchiveName": "arch", "EventSourceArn": DEFAULT_BUS},
        "ResourceAlreadyExistsException",
        r"Archive arch already exists\.",
    ),
    (
        "CreateArchive",
        {
            "ArchiveName": "other",
            "EventSourceArn": f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/nope",
        },
        "ResourceNotFoundException",
        r"Event bus nope does not exist\.",
    ),
    (
        "StartReplay",
        {
            "ReplayName": "R",
            "EventSourceArn": f"arn:aws:events:us-east-1:{ACCOUNT}:archive/nope",
            "EventStartTime": datetime(2024, 1, 1, tzinfo=UTC),
            "EventEndTime": datetime(2024, 1, 2, tzinfo=UTC),
            "Destination": {"Arn": DEFAULT_BUS},
        },
        "ValidationException",
        r"Parameter EventSourceArn is not valid\. Reason: Archive nope does not exist\.",
    ),
    (
        "StartReplay",
        {
            "ReplayName": "R",
            "EventSourceArn": f"arn:aws:events:us-east-1:{ACCOUNT}:archive/arch",
            "EventStartTime": datetime(2024, 1, 2, tzinfo=UTC),
            "EventEndTime": datetime(2024, 1, 1, tzinfo=UTC),
            "Destination": {"Arn": DEFAULT_BUS},
        },
        "ValidationException",
        r"Parameter EventEndTime is not valid\. Reason: EventStartTime must be before "
        r"EventEndTime\.",
    ),
    (
        "StartReplay",
        {
            "ReplayName": "R",
            "EventSourceArn": f"arn:aws:events:us-east-1:{ACCOUNT}:archive/arch",
            "EventStartTime": datetime(2024, 1, 1, tzinfo=UTC),
            "EventEndTime": datetime(2024, 1, 2, tzinfo=UTC),
            "Destination": {"Arn": f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/custom"},
        },
        "ValidationException",
        r"Parameter Destination\.Arn is not valid\. Reason: Cross event bus replay is not "
        r"permitted\.",
    ),
    (
        "DescribeReplay",
        {"ReplayName": "nope"},
        "ResourceNotFoundException",
        r"Replay nope does not exist\.",
    ),
    (
        "DescribeEventSource",
        {"Name": "aws.partner/x.com/1/y"},
        "ResourceNotFoundException",
        r"Event source aws\.partner/x\.com/1/y does not exist\.",
    ),
    (
        "PutEvents",
        {
            "Entries": [
                {"Source": "s", "DetailType": "t", "Detail": json.dumps({"x": "a" * 1_048_600})}
            ]
        },
        "ValidationException",
        r"Total size of the entries in the request is over the limit\.",
    ),
]


@pytest.mark.parametrize(
    ("operation", "params", "code", "message"),
    ERRORS,
    ids=[f"{op}-{n}" for n, (op, *_rest) in enumerate(ERRORS)],
)
def test_error_table(
    events: Any, operation: str, params: dict[str, Any], code: str, message: str
) -> None:
    """Invalid calls raise the modelled ClientError with AWS's code and message."""
    from awsmon.wire import snake_case

    events.put_rule(Name="exists", EventPattern='{"source": ["a"]}')
    events.create_event_bus(Name="custom")
    events.create_archive(ArchiveName="arch", EventSourceArn=DEFAULT_BUS)
    with pytest.raises(ClientError) as caught:
        getattr(events, snake_case(operation))(**params)
    error = caught.value.response["Error"]
    assert error["Code"] == code
    import re

    assert re.fullmatch(message, error["Message"], re.DOTALL), error["Message"]


def test_put_events_entry_errors_through_boto3(events: Any) -> None:
    """E5 through boto3: per-entry InvalidArgument and MalformedDetail with HTTP 200."""
    result = call(
        events,
        "PutEvents",
        Entries=[
            {"Source": "s", "DetailType": "t", "Detail": "{}"},
            {"DetailType": "t", "Detail": "{}"},
            {"Source": "s", "DetailType": "t", "Detail": '"NotJSON"'},
        ],
    )
    assert result["FailedEntryCount"] == 2
    assert result["Entries"][1:] == [
        {
            "ErrorCode": "InvalidArgument",
            "ErrorMessage": "Parameter Source is not valid. Reason: Source is a required argument.",
        },
        {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."},
    ]
    with pytest.raises(ClientError, match="Member must have length less than or equal to 10"):
        events.put_events(Entries=[{"Source": "s", "DetailType": "t", "Detail": "{}"}] * 11)


def test_archive_rule_target_has_the_shape_of_other_targets(events: Any) -> None:
    """ListTargetsByRule gives an archive's managed target an InputTransformer, as AWS does."""
    archive = events.create_archive(ArchiveName="arch", EventSourceArn=DEFAULT_BUS)
    [target] = call(events, "ListTargetsByRule", Rule="Events-Archive-arch")["Targets"]
    assert target["Id"] == "Events-Archive-arch"
    assert target["Arn"] == "arn:aws:events:us-east-1:::"
    transformer = target["InputTransformer"]
    assert transformer["InputPathsMap"] == {}
    assert transformer["InputTemplate"].startswith(
        f'{{"archive-arn": "{archive["ArchiveArn"]}:'
    )
    assert '"event": <aws.events.event.json>' in transformer["InputTemplate"]
