"""Tests of awsmon/events/api_archives.py: archives and replays through boto3 (E6)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from events_boto import ACCOUNT, DEFAULT_BUS, call, make_queue, receive

from awsmon import Cloud


class TestArchivesAndReplays:
    def test_e6_archive_and_replay(self, cloud: Cloud, events: Any, sqs: Any) -> None:
        """E6: three archived events replayed onto their bus arrive again with replay-name."""
        url, arn = make_queue(sqs, "q")
        call(events, "CreateEventBus", Name="B")
        bus_arn = f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/B"
        archive = call(events, "CreateArchive", ArchiveName="A", EventSourceArn=bus_arn)
        assert archive["State"] == "ENABLED"
        call(events, "PutRule", Name="r", EventBusName="B", EventPattern='{"source": ["core"]}')
        call(events, "PutTargets", Rule="r", EventBusName="B", Targets=[{"Id": "q", "Arn": arn}])
        detail = {"command": "update-account", "payload": {"acc_id": "0a787ecb-4015"}}
        entry = {"Source": "core", "DetailType": "core", "Detail": json.dumps(detail)}
        first = cloud.clock.now()
        originals = call(events, "PutEvents", Entries=[{**entry, "EventBusName": "B"}] * 3)
        assert len(receive(sqs, url)) == 3
        described = call(events, "DescribeArchive", ArchiveName="A")
        assert (described["EventCount"], described["SizeBytes"] > 0) == (3, True)
        start = call(
            events,
            "StartReplay",
            ReplayName="R",
            EventSourceArn=archive["ArchiveArn"],
            EventStartTime=first - timedelta(minutes=1),
            EventEndTime=first + timedelta(minutes=1),
            Destination={"Arn": bus_arn},
        )
        assert start["State"] == "STARTING"
        assert start["ReplayArn"] == f"arn:aws:events:us-east-1:{ACCOUNT}:replay/R"
        assert call(events, "DescribeReplay", ReplayName="R")["State"] == "STARTING"
        cloud.clock.advance(timedelta(minutes=1))
        replayed = [json.loads(m["Body"]) for m in receive(sqs, url)]
        assert len(replayed) == 3
        ids = {e["EventId"] for e in originals["Entries"]}
        for event in replayed:
            assert event["replay-name"] == "R" and event["id"] not in ids
            assert list(event)[7] == "replay-name"
            assert (event["detail"], event["time"]) == (detail, "2024-01-05T09:07:30Z")
        (listed,) = call(events, "ListReplays")["Replays"]
        assert listed["State"] == "COMPLETED"
        assert listed["EventLastReplayedTime"] == first
        assert call(events, "DescribeArchive", ArchiveName="A")["EventCount"] == 3
        rules = [r["Name"] for r in call(events, "ListRules", EventBusName="B")["Rules"]]
        assert rules == ["Events-Archive-A", "r"]

    def test_replays_can_be_ignored_and_cancelled(
        self, cloud: Cloud, events: Any, sqs: Any
    ) -> None:
        """A rule with replay-name exists:false ignores replays; CancelReplay stops one."""
        url, arn = make_queue(sqs, "q")
        archive = call(events, "CreateArchive", ArchiveName="A", EventSourceArn=DEFAULT_BUS)
        pattern = {"source": ["core"], "replay-name": [{"exists": False}]}
        call(events, "PutRule", Name="live", EventPattern=json.dumps(pattern))
        call(events, "PutTargets", Rule="live", Targets=[{"Id": "q", "Arn": arn}])
        events.put_events(Entries=[{"Source": "core", "DetailType": "t", "Detail": "{}"}])
        window = {
            "EventSourceArn": archive["ArchiveArn"],
            "EventStartTime": cloud.clock.now() - timedelta(minutes=1),
            "EventEndTime": cloud.clock.now() + timedelta(minutes=1),
            "Destination": {"Arn": DEFAULT_BUS},
        }
        events.start_replay(ReplayName="R1", **window)
        cloud.clock.advance(60)
        assert len(receive(sqs, url)) == 1
        events.start_replay(ReplayName="R2", **window)
        assert call(events, "CancelReplay", ReplayName="R2")["State"] == "CANCELLING"
        cloud.clock.advance(60)
        assert events.describe_replay(ReplayName="R2")["State"] == "CANCELLED"
        with pytest.raises(ClientError) as caught:
            events.cancel_replay(ReplayName="R2")
        assert caught.value.response["Error"]["Code"] == "IllegalStatusException"
