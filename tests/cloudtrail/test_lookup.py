"""Event history and LookupEvents, through boto3 as users write them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from awsmon import Cloud
from awsmon.cloudtrail.history import attribute_values
from awsmon.cloudtrail.service import HISTORY_DELAY


def _names(page: dict) -> list[str]:
    return [event["EventName"] for event in page["Events"]]


class TestLookupEvents:
    def test_call_appears_with_parameters_and_identity(self, awsmon_boto3: Cloud) -> None:
        """A call shows in LookupEvents after the delivery delay, with its parameters."""
        boto3.client("logs").create_log_group(logGroupName="orders")
        trail = boto3.client("cloudtrail")
        lookup = {"AttributeKey": "EventName", "AttributeValue": "CreateLogGroup"}
        assert trail.lookup_events(LookupAttributes=[lookup])["Events"] == []
        awsmon_boto3.clock.advance(HISTORY_DELAY)
        events = trail.lookup_events(LookupAttributes=[lookup])["Events"]
        assert len(events) == 1
        assert events[0]["Username"] == "root"
        assert events[0]["EventSource"] == "logs.amazonaws.com"
        assert events[0]["ReadOnly"] == "false"
        assert events[0]["Resources"] == [
            {"ResourceType": "AWS::Logs::LogGroup", "ResourceName": "orders"}
        ]
        record = json.loads(events[0]["CloudTrailEvent"])
        assert record["requestParameters"] == {"logGroupName": "orders"}
        assert record["eventID"] == events[0]["EventId"]

    def test_gone_after_90_days(self, awsmon_boto3: Cloud) -> None:
        """91 days later the event has left the history."""
        boto3.client("logs").create_log_group(logGroupName="old")
        trail = boto3.client("cloudtrail")
        lookup = [{"AttributeKey": "ResourceName", "AttributeValue": "old"}]
        awsmon_boto3.clock.advance(timedelta(days=89))
        assert _names(trail.lookup_events(LookupAttributes=lookup)) == ["CreateLogGroup"]
        awsmon_boto3.clock.advance(timedelta(days=2))
        assert trail.lookup_events(LookupAttributes=lookup)["Events"] == []

    def test_newest_first_and_pages(self, cloud: Cloud) -> None:
        """Events come newest first, in pages joined by NextToken (also via the paginator)."""
        logs = cloud.client("logs")
        for i in range(7):
            logs.create_log_group(logGroupName=f"g{i}")
            cloud.clock.advance(1)
        trail = cloud.client("cloudtrail")
        lookup = [{"AttributeKey": "EventName", "AttributeValue": "CreateLogGroup"}]
        first = trail.lookup_events(LookupAttributes=lookup, MaxResults=3)
        names = [
            json.loads(e["CloudTrailEvent"])["requestParameters"]["logGroupName"]
            for e in first["Events"]
        ]
        assert names == ["g6", "g5", "g4"]
        second = trail.lookup_events(
            LookupAttributes=lookup, MaxResults=3, NextToken=first["NextToken"]
        )
        third = trail.lookup_events(
            LookupAttributes=lookup, MaxResults=3, NextToken=second["NextToken"]
        )
        assert len(second["Events"]) == 3 and len(third["Events"]) == 1
        assert "NextToken" not in third

    def test_paginator(self, awsmon_boto3: Cloud) -> None:
        """boto3's LookupEvents paginator walks every page."""
        awsmon_boto3.cloudtrail.history_delay = timedelta(0)
        logs = boto3.client("logs")
        for i in range(5):
            logs.create_log_group(logGroupName=f"p{i}")
        paginator = boto3.client("cloudtrail").get_paginator("lookup_events")
        pages = paginator.paginate(
            LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateLogGroup"}],
            PaginationConfig={"PageSize": 2},
        )
        assert sum(len(page["Events"]) for page in pages) == 5

    def test_data_events_never_in_history(self, cloud: Cloud) -> None:
        """S3 object calls are data events: recorded, but not in the event history."""
        s3 = cloud.client("s3")
        s3.create_bucket(Bucket="data-bucket")
        s3.put_object(Bucket="data-bucket", Key="a", Body=b"1")
        names = _names(cloud.client("cloudtrail").lookup_events())
        assert "CreateBucket" in names and "PutObject" not in names
        assert [r.operation for r in cloud.cloudtrail.events(name="PutObject")] == ["PutObject"]

    def test_time_range_is_inclusive(self, cloud: Cloud) -> None:
        """StartTime and EndTime both include their instant."""
        at = cloud.clock.now()
        cloud.client("logs").create_log_group(logGroupName="edge")
        page = cloud.client("cloudtrail").lookup_events(StartTime=at, EndTime=at)
        assert _names(page) == ["CreateLogGroup"]

    def test_by_read_only(self, cloud: Cloud) -> None:
        """ReadOnly=true finds reads only."""
        logs = cloud.client("logs")
        logs.create_log_group(logGroupName="x")
        logs.describe_log_groups()
        page = cloud.client("cloudtrail").lookup_events(
            LookupAttributes=[{"AttributeKey": "ReadOnly", "AttributeValue": "true"}]
        )
        assert _names(page) == ["DescribeLogGroups"]

    def test_throttle_is_off_by_default_and_can_be_switched_on(self, cloud: Cloud) -> None:
        """With the throttle on, a third lookup within one second is throttled."""
        trail = cloud.client("cloudtrail")
        for _ in range(3):
            trail.lookup_events()
        cloud.cloudtrail.throttle_lookups = True
        trail.lookup_events()
        trail.lookup_events()
        with pytest.raises(Exception, match="ThrottlingException"):
            trail.lookup_events()
        cloud.clock.advance(1)
        trail.lookup_events()


class TestLookupErrors:
    @pytest.mark.parametrize(
        ("params", "code"),
        [
            pytest.param(
                {
                    "LookupAttributes": [
                        {"AttributeKey": "EventName", "AttributeValue": "a"},
                        {"AttributeKey": "Username", "AttributeValue": "b"},
                    ]
                },
                "InvalidLookupAttributesException",
                id="two-attributes",
            ),
            pytest.param(
                {"LookupAttributes": [{"AttributeKey": "Colour", "AttributeValue": "a"}]},
                "InvalidLookupAttributesException",
                id="unknown-key",
            ),
            pytest.param(
                {
                    "StartTime": datetime(2024, 1, 2, tzinfo=UTC),
                    "EndTime": datetime(2024, 1, 1, tzinfo=UTC),
                },
                "InvalidTimeRangeException",
                id="start-after-end",
            ),
            pytest.param({"MaxResults": 51}, "InvalidMaxResultsException", id="max-results-51"),
            pytest.param(
                {"EventCategory": "Insight"}, "InvalidEventCategoryException", id="category-case"
            ),
            pytest.param(
                {
                    "EventCategory": "insight",
                    "LookupAttributes": [{"AttributeKey": "Username", "AttributeValue": "root"}],
                },
                "InvalidLookupAttributesException",
                id="insight-username",
            ),
            pytest.param({"NextToken": "bm9wZQ=="}, "InvalidNextTokenException", id="bad-token"),
        ],
    )
    def test_error_table(self, awsmon_boto3: Cloud, params: dict, code: str) -> None:
        """Each invalid LookupEvents request gets CloudTrail's error code."""
        with pytest.raises(ClientError) as caught:
            boto3.client("cloudtrail").lookup_events(**params)
        assert caught.value.response["Error"]["Code"] == code

    def test_token_of_another_query(self, cloud: Cloud) -> None:
        """A NextToken reused with other attributes is refused."""
        logs = cloud.client("logs")
        for i in range(3):
            logs.create_log_group(logGroupName=f"t{i}")
        trail = cloud.client("cloudtrail")
        page = trail.lookup_events(MaxResults=1)
        with pytest.raises(Exception, match="InvalidNextTokenException"):
            trail.lookup_events(
                MaxResults=1,
                NextToken=page["NextToken"],
                LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "x"}],
            )


_CALLS = st.lists(
    st.tuples(
        st.sampled_from(["create", "describe", "delete", "topic"]),
        st.sampled_from(["a", "b", "c"]),
        st.sampled_from(
            [
                None,
                "arn:aws:iam::123456789012:user/ann",
                "arn:aws:sts::123456789012:assumed-role/R/s1",
            ]
        ),
        st.integers(min_value=0, max_value=3),
    ),
    max_size=25,
)


def _act(client: Any, action: str, name: str) -> None:
    if action == "create":
        client.create_log_group(logGroupName=name)
    elif action == "describe":
        client.describe_log_groups(logGroupNamePrefix=name)
    elif action == "delete":
        client.delete_log_group(logGroupName=name)
    else:
        client.create_topic(Name=name)


@settings(max_examples=30)
@given(
    calls=_CALLS,
    key=st.sampled_from(
        [
            "EventName",
            "ReadOnly",
            "Username",
            "ResourceType",
            "ResourceName",
            "EventSource",
            "EventId",
        ]
    ),
)
def test_lookup_equals_naive_filter(calls: list, key: str) -> None:
    """LookupEvents by each attribute returns what a naive filter over the records returns."""
    cloud = Cloud()
    cloud.cloudtrail.history_delay = timedelta(0)
    for action, name, who, wait in calls:
        cloud.clock.advance(wait)
        client = cloud.client("logs") if action != "topic" else cloud.client("sns")

        try:
            with cloud.as_principal(who or cloud.principal):
                _act(client, action, name)
        except Exception:
            pass
    records = [r for r in cloud.cloudtrail.events() if r.management]
    values = {v for r in records for k, v in attribute_values(r) if k == key}
    if key == "EventId":
        values = {r.event_id for r in records[:5]}
    trail = cloud.client("cloudtrail")
    for value in sorted(values) or ["nothing"]:
        # Each lookup is itself recorded: compare with the records as they stand now.
        records = [r for r in cloud.cloudtrail.events() if r.management]
        expected = [
            r.event_id
            for r in reversed(records)
            if (r.event_id == value if key == "EventId" else (key, value) in attribute_values(r))
        ]
        got: list[str] = []
        token = None
        while True:
            extra = {"NextToken": token} if token else {}
            page = trail.lookup_events(
                LookupAttributes=[{"AttributeKey": key, "AttributeValue": value}],
                MaxResults=4,
                **extra,
            )
            got.extend(e["EventId"] for e in page["Events"])
            token = page.get("NextToken")
            if token is None:
                break
        assert got == expected
    cloud.cloudtrail.history._check()
