"""Tests of awsmon/xray/service.py and api.py: X-Ray through the domain, wire client, boto3."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import boto3
import pytest
from botocore.exceptions import ClientError

from awsmon import Cloud, VirtualClock
from awsmon.testing.shapes import assert_shape
from awsmon.xray.errors import GroupNotFound, InvalidRequestException, RuleLimitExceededException
from awsmon.xray.sampling import SamplingRule

TRACE_ID = "1-59602603-23fc5b688855d396af79b496"
START = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def segment(
    trace: str,
    seg_id: str,
    start: float,
    duration: float = 0.1,
    *,
    name: str = "api",
    status: int = 200,
    **extra: Any,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": name,
        "id": seg_id,
        "trace_id": trace,
        "start_time": start,
        "end_time": start + duration,
        "http": {
            "request": {"method": "GET", "url": f"https://{name}/x"},
            "response": {"status": status},
        },
    }
    doc.update(extra)
    return doc


def trace_id(at: datetime, n: int) -> str:
    return f"1-{int(at.timestamp()):08x}-{n:024x}"


@pytest.fixture
def cloud() -> Cloud:
    return Cloud(clock=VirtualClock(start=START))


def shaped(operation: str, response: dict[str, Any]) -> dict[str, Any]:
    assert_shape("xray", operation, response)
    return response


class TestPutTraceSegments:
    def test_guide_minimal_segment_and_rejections(self) -> None:
        """E8.2: the minimal segment is kept; without end_time and with a bad trace id rejected."""
        cloud = Cloud(clock=VirtualClock(start=datetime(2016, 11, 4, 21, 5, tzinfo=UTC)))
        good = (
            '{"name":"example.com","id":"70de5b6f19ff9a0a","start_time":1.478293361271E9,'
            '"trace_id":"1-581cf771-a006649127e371903a2de979","end_time":1.478293361449E9}'
        )
        missing_end = json.dumps(
            {
                "name": "example.com",
                "id": "70de5b6f19ff9a0b",
                "start_time": 1.478293361271e9,
                "trace_id": "1-581cf771-a006649127e371903a2de979",
            }
        )
        bad_trace = json.dumps(
            {
                "name": "x",
                "id": "6226467e3f845502",
                "start_time": 1.4e9,
                "end_time": 1.4e9,
                "trace_id": "1-581cf771-zz",
            }
        )
        answer = shaped(
            "PutTraceSegments",
            cloud.client("xray").put_trace_segments(
                TraceSegmentDocuments=[good, missing_end, bad_trace]
            ),
        )
        assert answer["UnprocessedTraceSegments"] == [
            {
                "Id": "70de5b6f19ff9a0b",
                "ErrorCode": "MissingEndTime",
                "Message": "Invalid segment. ErrorCode: MissingEndTime",
            },
            {
                "Id": "6226467e3f845502",
                "ErrorCode": "InvalidTraceId",
                "Message": "Invalid segment. ErrorCode: InvalidTraceId",
            },
        ]
        assert [s.id for s in cloud.xray.segments("1-581cf771-a006649127e371903a2de979")] == [
            "70de5b6f19ff9a0a"
        ]

    REJECTIONS: ClassVar[list[tuple[Any, ...]]] = [
        ("not json", "{", None, "InvalidSegment"),
        ("no id", {"id": None}, None, "MissingId"),
        ("short id", {"id": "abc"}, None, "InvalidId"),
        ("no trace id", {"trace_id": None}, "a" * 16, "MissingTraceId"),
        (
            "old trace id",
            {"trace_id": "1-5759e988-bd862e3fe1be46a994272793"},
            "a" * 16,
            "InvalidTraceId",
        ),
        ("no name", {"name": None}, "a" * 16, "MissingName"),
        ("bad name", {"name": "a<b>"}, "a" * 16, "InvalidName"),
        ("no start", {"start_time": None}, "a" * 16, "MissingStartTime"),
        ("text start", {"start_time": "now"}, "a" * 16, "InvalidStartTime"),
        ("end before start", {"end_time": 1}, "a" * 16, "InvalidEndTime"),
        ("in_progress false", {"end_time": None, "in_progress": False}, "a" * 16, "MissingEndTime"),
        ("subsegment without parent", {"type": "subsegment"}, "a" * 16, "MissingParentId"),
        ("bad parent", {"parent_id": "xyz"}, "a" * 16, "InvalidParentId"),
        ("annotation object", {"annotations": {"k": {"a": 1}}}, "a" * 16, "InvalidAnnotations"),
        ("annotation key", {"annotations": {"bad-key": 1}}, "a" * 16, "InvalidAnnotations"),
        (
            "bad nested",
            {"subsegments": [{"id": "b" * 16, "name": "s", "start_time": 1.0}]},
            "a" * 16,
            "MissingEndTime",
        ),
    ]

    @pytest.mark.parametrize(
        ("changes", "rejected_id", "code"),
        [r[1:] for r in REJECTIONS],
        ids=[r[0] for r in REJECTIONS],
    )
    def test_rejections(
        self, cloud: Cloud, changes: Any, rejected_id: str | None, code: str
    ) -> None:
        """Each malformed document is returned with its error code; the good one is kept."""
        now = cloud.clock.time()
        good = segment(trace_id(START, 1), "f" * 16, now - 1)
        if isinstance(changes, dict):
            doc = segment(trace_id(START, 2), "a" * 16, now - 1)
            for key, value in changes.items():
                if value is None:
                    doc.pop(key, None)
                else:
                    doc[key] = value
            text = json.dumps(doc)
        else:
            text = changes
        answer = cloud.client("xray").put_trace_segments(
            TraceSegmentDocuments=[json.dumps(good), text]
        )
        entries = answer["UnprocessedTraceSegments"]
        assert len(entries) == 1
        assert entries[0]["ErrorCode"] == code
        assert entries[0].get("Id") == rejected_id
        assert entries[0]["Message"].endswith(f"ErrorCode: {code}")
        assert len(cloud.xray.store) == 1

    def test_in_progress_then_complete(self, cloud: Cloud) -> None:
        """An in-progress segment shows a partial trace until the complete one replaces it."""
        now = cloud.clock.time()
        tid = trace_id(START, 3)
        doc = segment(tid, "a" * 16, now)
        pending = {k: v for k, v in doc.items() if k != "end_time"} | {"in_progress": True}
        cloud.xray.put_trace_segments([pending])
        window = (START - timedelta(minutes=1), START + timedelta(minutes=5))
        page = cloud.xray.get_trace_summaries(*window)
        assert page.traces[0].is_partial
        cloud.clock.advance(1)
        cloud.xray.put_trace_segments([doc])
        cloud.xray.put_trace_segments([pending])  # a late in-progress copy does not win
        view = cloud.xray.get_trace_summaries(*window).traces[0]
        assert not view.is_partial
        assert view.response_time == pytest.approx(0.1)


class TestTraces:
    def test_batch_get_traces_guide_example(self, scorekeep: Cloud) -> None:
        """E8.6: 3 uploaded + 2 inferred segments, duration 3.232, no inferred Lambda segment."""
        answer = shaped(
            "BatchGetTraces",
            scorekeep.client("xray").batch_get_traces(
                TraceIds=[TRACE_ID, "1-59602603-000000000000000000000000"]
            ),
        )
        assert answer["UnprocessedTraceIds"] == ["1-59602603-000000000000000000000000"]
        trace = answer["Traces"][0]
        assert trace["Duration"] == pytest.approx(3.232)
        docs = [json.loads(s["Document"]) for s in trace["Segments"]]
        inferred = {d["name"]: d for d in docs if d.get("inferred")}
        assert sorted(inferred) == ["DynamoDB", "SNS"]
        dynamo = inferred["DynamoDB"]
        assert dynamo["parent_id"] == "4cd3f10b76c624b4"
        assert dynamo["origin"] == "AWS::DynamoDB::Table"
        assert dynamo["http"] == {"response": {"status": 200, "content_length": 57}}
        assert dynamo["aws"]["table_name"] == "scorekeep-user"
        assert inferred["SNS"]["parent_id"] == "b29b548af4d54a0f"
        assert inferred["SNS"]["origin"] == "AWS::SNS"
        assert len(docs) == 5

    def test_trace_summary_guide_example(self, scorekeep: Cloud) -> None:
        """E8.6: the summary's duration, response time, http, users and annotations."""
        now = scorekeep.clock.now()
        answer = shaped(
            "GetTraceSummaries",
            scorekeep.client("xray").get_trace_summaries(
                StartTime=now - timedelta(hours=1), EndTime=now
            ),
        )
        summary = answer["TraceSummaries"][0]
        assert summary["Id"] == TRACE_ID
        assert summary["Duration"] == pytest.approx(3.232)
        assert summary["ResponseTime"] == pytest.approx(3.232)
        assert (summary["HasError"], summary["HasFault"], summary["HasThrottle"]) == (False,) * 3
        assert summary["Http"] == {
            "HttpURL": "http://scorekeep.elasticbeanstalk.com/api/user",
            "HttpStatus": 200,
            "HttpMethod": "POST",
            "UserAgent": "Mozilla/5.0 (Windows NT 6.1; Win64; x64)",
            "ClientIp": "205.251.233.183",
        }
        assert [u["UserName"] for u in summary["Users"]] == ["5M388M1E"]
        assert summary["Annotations"]["UserID"][0]["AnnotationValue"] == {"StringValue": "5M388M1E"}
        assert summary["Annotations"]["Name"][0]["AnnotationValue"] == {"StringValue": "Ola"}
        assert summary["EntryPoint"]["Name"] == "Scorekeep"
        assert answer["TracesProcessedCount"] == 1

    def test_time_range_types_and_pagination(self, cloud: Cloud) -> None:
        """TraceId, Event and Service windows pick different traces; pages run newest first."""
        xray = cloud.xray
        xray.summaries_page_size = 2
        base = cloud.clock.time()
        for n in range(5):
            xray.put_trace_segments([segment(trace_id(START, n), f"{n + 1:016x}", base + n)])
        cloud.clock.advance(600)
        late = trace_id(START, 9)  # an old request whose segment ends (and arrives) late
        xray.put_trace_segments([segment(late, "9" * 16, base, duration=600)])
        client = cloud.client("xray")
        first = client.get_trace_summaries(StartTime=START, EndTime=START + timedelta(minutes=1))
        ids = [s["Id"] for s in first["TraceSummaries"]]
        pages = 1
        while "NextToken" in first:
            first = client.get_trace_summaries(
                StartTime=START, EndTime=START + timedelta(minutes=1), NextToken=first["NextToken"]
            )
            ids += [s["Id"] for s in first["TraceSummaries"]]
            pages += 1
        assert pages == 3 and len(ids) == 6 and len(set(ids)) == 6
        later = (START + timedelta(minutes=5), START + timedelta(minutes=15))
        event = client.get_trace_summaries(
            StartTime=later[0], EndTime=later[1], TimeRangeType="Event"
        )
        assert [s["Id"] for s in event["TraceSummaries"]] == [late]
        by_end = client.get_trace_summaries(
            StartTime=later[0], EndTime=later[1], TimeRangeType="Service"
        )
        assert [s["Id"] for s in by_end["TraceSummaries"]] == [late]
        by_id = client.get_trace_summaries(StartTime=later[0], EndTime=later[1])
        assert by_id["TraceSummaries"] == []

    def test_filter_and_sampling(self, cloud: Cloud) -> None:
        """A filter keeps matching traces; FixedRate sampling keeps a repeatable share."""
        base = cloud.clock.time()
        docs = [
            segment(
                trace_id(START, n),
                f"{n + 1:016x}",
                base,
                name="api" if n % 2 else "web",
                status=500 if n % 4 == 0 else 200,
            )
            for n in range(40)
        ]
        cloud.xray.put_trace_segments(docs)
        window = {
            "StartTime": START - timedelta(minutes=1),
            "EndTime": START + timedelta(minutes=1),
        }
        client = cloud.client("xray")
        faults = client.get_trace_summaries(**window, FilterExpression='service("web") AND fault')
        assert len(faults["TraceSummaries"]) == 10
        assert all(s["HasFault"] for s in faults["TraceSummaries"])
        sample = client.get_trace_summaries(
            **window, Sampling=True, SamplingStrategy={"Name": "FixedRate", "Value": 0.5}
        )
        again = client.get_trace_summaries(
            **window, Sampling=True, SamplingStrategy={"Name": "FixedRate", "Value": 0.5}
        )
        assert 5 < len(sample["TraceSummaries"]) < 35
        assert sample["TraceSummaries"] == again["TraceSummaries"]

    def test_retention_drops_traces_after_30_days(self, cloud: Cloud) -> None:
        """Traces disappear once their id time is 30 days old (an hourly clock job)."""
        cloud.xray.put_trace_segments([segment(trace_id(START, 1), "a" * 16, cloud.clock.time())])
        cloud.clock.advance(timedelta(days=29))
        assert len(cloud.xray.store) == 1
        cloud.clock.advance(timedelta(days=1, hours=1))
        assert len(cloud.xray.store) == 0
        assert cloud.xray.batch_get_traces([trace_id(START, 1)]).unprocessed == [trace_id(START, 1)]


class TestServiceGraph:
    def test_guide_example(self, cloud: Cloud) -> None:
        """E8.8: four requests to an EC2 app calling DynamoDB and SNS; one 4xx."""
        base = cloud.clock.time()
        app = "xray-sample.elasticbeanstalk.com"
        table = "awseb-e-dixzws4s9p-stack-StartupSignupsTable-4IMSMHAYX2BA"
        calls = [
            (0.157, 200, [("DynamoDB", 0.076), ("SNS", 0.049)]),
            (0.096, 200, [("DynamoDB", 0.044), ("SNS", 0.076)]),
            (0.005, 404, []),
            (0.015, 200, []),
        ]
        for n, (rt, status, subs) in enumerate(calls):
            start = base + n
            doc = segment(
                trace_id(START, n),
                f"{n + 1:016x}",
                start,
                rt,
                name=app,
                status=status,
                origin="AWS::EC2::Instance",
            )
            doc["subsegments"] = [
                {
                    "id": f"{n + 1:08x}{i + 1:08x}",
                    "name": svc,
                    "start_time": start,
                    "end_time": start + d,
                    "namespace": "aws",
                    "aws": {"table_name": table} if svc == "DynamoDB" else {"operation": "Publish"},
                }
                for i, (svc, d) in enumerate(subs)
            ]
            cloud.xray.put_trace_segments([doc])
        answer = shaped(
            "GetServiceGraph",
            cloud.client("xray").get_service_graph(
                StartTime=START - timedelta(minutes=5), EndTime=START + timedelta(minutes=5)
            ),
        )
        nodes = {(s["Name"], s.get("Type")): s for s in answer["Services"]}
        client = nodes[(app, "client")]
        ec2 = nodes[(app, "AWS::EC2::Instance")]
        dynamo = nodes[(table, "AWS::DynamoDB::Table")]
        sns = nodes[("SNS", "AWS::SNS")]
        assert client["State"] == "unknown" and "SummaryStatistics" not in client
        assert ec2["Root"] is True and ec2["State"] == "active"
        assert dynamo["State"] == sns["State"] == "unknown"
        [edge] = client["Edges"]
        assert edge["ReferenceId"] == ec2["ReferenceId"]
        stats = edge["SummaryStatistics"]
        assert stats["OkCount"] == 3 and stats["TotalCount"] == 4
        assert stats["ErrorStatistics"] == {"ThrottleCount": 0, "OtherCount": 1, "TotalCount": 1}
        assert stats["FaultStatistics"] == {"OtherCount": 0, "TotalCount": 0}
        assert stats["TotalResponseTime"] == pytest.approx(0.273)
        assert sorted(h["Value"] for h in edge["ResponseTimeHistogram"]) == [
            0.005,
            0.015,
            0.096,
            0.157,
        ]
        assert ec2["SummaryStatistics"] == stats
        out = {e["ReferenceId"]: e for e in ec2["Edges"]}
        assert out[dynamo["ReferenceId"]]["SummaryStatistics"][
            "TotalResponseTime"
        ] == pytest.approx(0.12)
        assert out[sns["ReferenceId"]]["SummaryStatistics"]["OkCount"] == 2
        assert dynamo["SummaryStatistics"]["TotalResponseTime"] == pytest.approx(0.12)
        assert dynamo["Edges"] == []
        assert ec2["StartTime"] == datetime.fromtimestamp(int(base), UTC)

    def test_groups_filter_the_graph_and_versions(self, cloud: Cloud) -> None:
        """A group's graph counts its traces; a changed expression marks old versions."""
        client = cloud.client("xray")
        group = shaped(
            "CreateGroup",
            client.create_group(GroupName="slow", FilterExpression="responsetime > 1"),
        )
        assert group["Group"]["GroupARN"].startswith(
            "arn:aws:xray:us-east-1:123456789012:group/slow/"
        )
        base = cloud.clock.time()
        cloud.xray.put_trace_segments(
            [
                segment(trace_id(START, 1), "a" * 16, base, 2.0),
                segment(trace_id(START, 2), "b" * 16, base, 0.1),
            ]
        )
        window = {
            "StartTime": START - timedelta(minutes=1),
            "EndTime": START + timedelta(minutes=2),
        }
        graph = client.get_service_graph(**window, GroupName="slow")
        api = next(s for s in graph["Services"] if s.get("Type") is None)
        assert api["SummaryStatistics"]["TotalCount"] == 1
        assert graph["ContainsOldGroupVersions"] is False
        summaries = client.get_trace_summaries(**window, FilterExpression='group.name = "slow"')
        assert [s["Id"] for s in summaries["TraceSummaries"]] == [trace_id(START, 1)]
        client.update_group(GroupName="slow", FilterExpression="responsetime > 0.05")
        cloud.xray.put_trace_segments([segment(trace_id(START, 3), "c" * 16, base, 0.1)])
        graph = client.get_service_graph(**window, GroupName="slow")
        assert graph["ContainsOldGroupVersions"] is True
        series = shaped(
            "GetTimeSeriesServiceStatistics",
            client.get_time_series_service_statistics(
                **window, EntitySelectorExpression='service("api")'
            ),
        )
        total = sum(
            p["ServiceSummaryStatistics"]["TotalCount"]
            for p in series["TimeSeriesServiceStatistics"]
        )
        assert total == 3
        edges = client.get_time_series_service_statistics(**window, Period=300)
        assert (
            sum(
                p["EdgeSummaryStatistics"]["TotalCount"]
                for p in edges["TimeSeriesServiceStatistics"]
            )
            == 3
        )

    def test_trace_graph(self, scorekeep: Cloud) -> None:
        """GetTraceGraph gives the nodes of the named traces."""
        answer = shaped(
            "GetTraceGraph", scorekeep.client("xray").get_trace_graph(TraceIds=[TRACE_ID])
        )
        names = sorted((s["Name"], s.get("Type")) for s in answer["Services"])
        assert ("scorekeep-user", "AWS::DynamoDB::Table") in names
        assert ("Scorekeep", "client") in names


class TestConfiguration:
    def test_sampling_rule_crud(self, cloud: Cloud) -> None:
        """Rules are created, listed by priority with Default last, updated and deleted."""
        client = cloud.client("xray")
        rule = {
            "RuleName": "base-scorekeep",
            "ResourceARN": "*",
            "Priority": 9000,
            "FixedRate": 0.1,
            "ReservoirSize": 2,
            "ServiceName": "Scorekeep",
            "ServiceType": "*",
            "Host": "*",
            "HTTPMethod": "*",
            "URLPath": "*",
            "Version": 1,
        }
        created = shaped("CreateSamplingRule", client.create_sampling_rule(SamplingRule=rule))
        record = created["SamplingRuleRecord"]
        assert record["SamplingRule"]["RuleARN"] == (
            "arn:aws:xray:us-east-1:123456789012:sampling-rule/base-scorekeep"
        )
        listed = shaped("GetSamplingRules", client.get_sampling_rules())
        assert [r["SamplingRule"]["RuleName"] for r in listed["SamplingRuleRecords"]] == [
            "base-scorekeep",
            "Default",
        ]
        default = listed["SamplingRuleRecords"][1]["SamplingRule"]
        assert (default["Priority"], default["FixedRate"], default["ReservoirSize"]) == (
            10000,
            0.05,
            1,
        )
        updated = client.update_sampling_rule(
            SamplingRuleUpdate={"RuleName": "base-scorekeep", "FixedRate": 0.2}
        )
        assert updated["SamplingRuleRecord"]["SamplingRule"]["FixedRate"] == 0.2
        client.update_sampling_rule(SamplingRuleUpdate={"RuleName": "Default", "ReservoirSize": 0})
        deleted = client.delete_sampling_rule(RuleName="base-scorekeep")
        assert deleted["SamplingRuleRecord"]["SamplingRule"]["FixedRate"] == 0.2
        assert len(client.get_sampling_rules()["SamplingRuleRecords"]) == 1

    def test_rule_limit(self, cloud: Cloud) -> None:
        """The 26th rule besides Default is refused with RuleLimitExceededException."""
        for n in range(25):
            cloud.xray.create_sampling_rule(
                SamplingRule(rule_name=f"r{n}", priority=1, fixed_rate=0.1, reservoir_size=1)
            )
        with pytest.raises(RuleLimitExceededException):
            cloud.xray.create_sampling_rule(
                SamplingRule(rule_name="r25", priority=1, fixed_rate=0.1, reservoir_size=1)
            )

    def test_groups_crud_and_tags(self, cloud: Cloud) -> None:
        """Groups are created with tags, listed after Default, updated and deleted."""
        client = cloud.client("xray")
        arn = client.create_group(
            GroupName="errors",
            FilterExpression="error OR fault",
            Tags=[{"Key": "team", "Value": "a"}],
        )["Group"]["GroupARN"]
        assert shaped("GetGroups", client.get_groups())["Groups"][0]["GroupName"] == "Default"
        got = shaped("GetGroup", client.get_group(GroupARN=arn))["Group"]
        assert got["FilterExpression"] == "error OR fault"
        assert got["InsightsConfiguration"] == {
            "InsightsEnabled": False,
            "NotificationsEnabled": False,
        }
        client.tag_resource(ResourceARN=arn, Tags=[{"Key": "env", "Value": "prod"}])
        tags = shaped("ListTagsForResource", client.list_tags_for_resource(ResourceARN=arn))
        assert tags["Tags"] == [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "a"}]
        client.update_group(GroupName="errors", InsightsConfiguration={"InsightsEnabled": True})
        assert client.get_group(GroupName="errors")["Group"]["InsightsConfiguration"][
            "InsightsEnabled"
        ]
        client.delete_group(GroupName="errors")
        with pytest.raises(GroupNotFound) as caught:
            cloud.xray.get_group(group_name="errors")
        assert caught.value.message == "Group not found"

    def test_encryption_config(self, cloud: Cloud) -> None:
        """A KMS key is UPDATING at first, ACTIVE a minute later."""
        client = cloud.client("xray")
        assert shaped("GetEncryptionConfig", client.get_encryption_config())[
            "EncryptionConfig"
        ] == {"Status": "ACTIVE", "Type": "NONE"}
        put = shaped(
            "PutEncryptionConfig", client.put_encryption_config(Type="KMS", KeyId="alias/x")
        )
        assert put["EncryptionConfig"] == {"KeyId": "alias/x", "Status": "UPDATING", "Type": "KMS"}
        cloud.clock.advance(61)
        assert client.get_encryption_config()["EncryptionConfig"]["Status"] == "ACTIVE"

    def test_telemetry_records_are_accepted(self, cloud: Cloud) -> None:
        """PutTelemetryRecords answers an empty body and keeps the records."""
        answer = cloud.client("xray").put_telemetry_records(
            TelemetryRecords=[{"Timestamp": START, "SegmentsReceivedCount": 3}], Hostname="h"
        )
        assert shaped("PutTelemetryRecords", answer) == {}
        assert cloud.xray.telemetry_records[0]["SegmentsReceivedCount"] == 3


ERRORS = [
    (
        "summaries end before start",
        "get_trace_summaries",
        {"StartTime": START, "EndTime": START - timedelta(seconds=1)},
        "^EndTime must be after StartTime\\.$",
    ),
    (
        "summaries window too long",
        "get_trace_summaries",
        {"StartTime": START, "EndTime": START + timedelta(hours=25)},
        "cannot exceed 24 hours",
    ),
    (
        "bad filter",
        "get_trace_summaries",
        {"StartTime": START, "EndTime": START, "FilterExpression": "fault AND"},
        "^Invalid filter expression at position 9: ",
    ),
    (
        "bad token",
        "get_trace_summaries",
        {"StartTime": START, "EndTime": START, "NextToken": "x"},
        "^Invalid NextToken\\.$",
    ),
    ("group name", "create_group", {"GroupName": "bad name"}, "^Invalid group name: bad name"),
    ("group Default", "create_group", {"GroupName": "Default"}, "cannot be Default"),
    (
        "group filter",
        "create_group",
        {"GroupName": "g", "FilterExpression": "ok ="},
        "^Invalid filter expression at position 4",
    ),
    (
        "notifications",
        "create_group",
        {"GroupName": "g", "InsightsConfiguration": {"NotificationsEnabled": True}},
        "^Notifications can only be enabled",
    ),
    ("unknown group", "get_group", {"GroupName": "nope"}, "^Group not found$"),
    ("delete Default group", "delete_group", {"GroupName": "Default"}, "cannot be deleted"),
    (
        "delete Default rule",
        "delete_sampling_rule",
        {"RuleName": "Default"},
        "^Cannot delete the default sampling rule\\.$",
    ),
    (
        "unknown rule",
        "delete_sampling_rule",
        {"RuleName": "nope"},
        "^Sampling rule does not exist: nope$",
    ),
    (
        "Default rule field",
        "update_sampling_rule",
        {"SamplingRuleUpdate": {"RuleName": "Default", "ServiceName": "x"}},
        "^Only FixedRate",
    ),
    (
        "rule version",
        "create_sampling_rule",
        {
            "SamplingRule": {
                "RuleName": "r",
                "ResourceARN": "*",
                "Priority": 1,
                "FixedRate": 0.1,
                "ReservoirSize": 1,
                "ServiceName": "*",
                "ServiceType": "*",
                "Host": "*",
                "HTTPMethod": "*",
                "URLPath": "*",
                "Version": 2,
            }
        },
        "^Invalid version: 2",
    ),
    (
        "rule priority",
        "create_sampling_rule",
        {
            "SamplingRule": {
                "RuleName": "r",
                "ResourceARN": "*",
                "Priority": 10000,
                "FixedRate": 0.1,
                "ReservoirSize": 1,
                "ServiceName": "*",
                "ServiceType": "*",
                "Host": "*",
                "HTTPMethod": "*",
                "URLPath": "*",
                "Version": 1,
            }
        },
        "^1 validation error detected: Value '10000' at 'Priority'",
    ),
    (
        "encryption NONE with key",
        "put_encryption_config",
        {"Type": "NONE", "KeyId": "k"},
        "^KeyId must be omitted when Type is NONE\\.$",
    ),
    (
        "period",
        "get_time_series_service_statistics",
        {"StartTime": START, "EndTime": START, "Period": 30},
        "^Invalid period: 30\\.",
    ),
    (
        "selector",
        "get_time_series_service_statistics",
        {"StartTime": START, "EndTime": START, "EntitySelectorExpression": "ok"},
        "^Invalid EntitySelectorExpression: ok\\.",
    ),
    (
        "tags of unknown ARN",
        "list_tags_for_resource",
        {"ResourceARN": "arn:aws:xray:us-east-1:123456789012:group/x/y"},
        "^Resource not found",
    ),
]


@pytest.mark.parametrize(
    ("operation", "params", "message"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_error_table(cloud: Cloud, operation: str, params: dict[str, Any], message: str) -> None:
    """Each invalid call raises the AWS code with its message, and leaves nothing behind."""
    client = cloud.client("xray")
    before = (
        len(client.get_groups()["Groups"]),
        len(client.get_sampling_rules()["SamplingRuleRecords"]),
    )
    with pytest.raises(Exception) as caught:
        getattr(client, operation)(**params)
    error = caught.value
    expected = (
        "ResourceNotFoundException"
        if operation == "list_tags_for_resource"
        else ("InvalidRequestException")
    )
    assert getattr(error, "code", None) == expected
    assert re.search(message, error.message), error.message  # type: ignore[attr-defined]
    after = (
        len(client.get_groups()["Groups"]),
        len(client.get_sampling_rules()["SamplingRuleRecords"]),
    )
    assert after == before


def test_through_boto3(awsmon_boto3: Cloud) -> None:
    """boto3's xray client reaches the cloud: segments in, summaries and errors out."""
    xray = boto3.client("xray")
    now = awsmon_boto3.clock.now()
    tid = trace_id(now, 7)
    doc = segment(tid, "a" * 16, now.timestamp() - 1, name="checkout", status=502)
    assert (
        xray.put_trace_segments(TraceSegmentDocuments=[json.dumps(doc)])["UnprocessedTraceSegments"]
        == []
    )
    pages = xray.get_paginator("get_trace_summaries").paginate(
        StartTime=now - timedelta(minutes=5),
        EndTime=now,
        FilterExpression='service("checkout") { fault }',
    )
    summaries = [s for page in pages for s in page["TraceSummaries"]]
    assert [s["Id"] for s in summaries] == [tid]
    assert summaries[0]["HasFault"] is True
    with pytest.raises(ClientError) as caught:
        xray.get_group(GroupName="missing")
    assert caught.value.response["Error"]["Code"] == "InvalidRequestException"
    with pytest.raises(InvalidRequestException):
        awsmon_boto3.xray.get_group(group_name="missing")


def test_one_timeline_moment_per_put_trace_segments_call(cloud: Cloud) -> None:
    """A batch of documents is one moment naming its traces, not one moment per document."""
    now = cloud.clock.now()
    first, second = trace_id(now, 1), trace_id(now, 2)
    start = now.timestamp() - 1
    documents = [
        json.dumps(segment(first, "1000000000000001", start)),
        json.dumps(segment(second, "1000000000000002", start)),
        json.dumps(segment(first, "1000000000000003", start, parent_id="1000000000000001")),
        "not json",
    ]
    rejected = cloud.xray.put_trace_segments(documents)
    assert [r.error_code for r in rejected] == ["InvalidSegment"]
    (moment,) = cloud.timeline(kinds=["trace"])
    assert moment.detail["segments"] == 3
    assert moment.summary == f"3 segment document(s) for trace {first}, {second}"
    cloud.xray.put_trace_segments(["not json"])
    assert len(cloud.timeline(kinds=["trace"])) == 1  # nothing stored, nothing to note
