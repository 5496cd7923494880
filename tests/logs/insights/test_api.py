"""Tests of awsmon/logs/insights/api.py and queries.py through boto3: the query lifecycle."""

from __future__ import annotations

import json
import re
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from awsmon import Cloud
from awsmon.logs.insights import queries as lifecycle
from awsmon.testing.shapes import assert_shape


@pytest.fixture
def logs(awsmon_boto3: Cloud) -> Any:
    client = boto3.client("logs", region_name="us-east-1")
    for group in ("app", "api"):
        client.create_log_group(logGroupName=group)
        client.create_log_stream(logGroupName=group, logStreamName="web")
    return client


def now_s(cloud: Cloud) -> int:
    return int(cloud.clock.time())


def put(cloud: Cloud, logs: Any, group: str, *messages: str, offset_ms: int = 0) -> None:
    base = int(cloud.clock.time() * 1000) + offset_ms
    logs.put_log_events(
        logGroupName=group,
        logStreamName="web",
        logEvents=[{"timestamp": base + i, "message": m} for i, m in enumerate(messages)],
    )


def start(cloud: Cloud, logs: Any, query: str, **extra: Any) -> str:
    if not extra.get("logGroupNames") and not extra.get("logGroupIdentifiers"):
        extra.setdefault("logGroupName", "app")
    response = logs.start_query(
        startTime=now_s(cloud) - 3600, endTime=now_s(cloud) + 3600, queryString=query, **extra
    )
    assert_shape("logs", "StartQuery", response)
    return str(response["queryId"])


def results(logs: Any, query_id: str) -> dict[str, Any]:
    response = logs.get_query_results(queryId=query_id)
    assert_shape("logs", "GetQueryResults", response)
    return dict(response)


class TestLifecycle:
    def test_scheduled_running_complete_on_the_clock(self, awsmon_boto3: Cloud, logs: Any) -> None:
        """A query is Scheduled, Running after 1 s and Complete after 2 s, with its rows."""
        cloud = awsmon_boto3
        put(cloud, logs, "app", "ERROR disk full", "GET / 200", "ERROR timeout")
        query_id = start(cloud, logs, "filter @message like /ERROR/ | stats count(*) as errors")
        assert results(logs, query_id)["status"] == "Scheduled"
        cloud.clock.advance(1)
        assert results(logs, query_id)["status"] == "Running"
        assert results(logs, query_id)["results"] == []
        cloud.clock.advance(1)
        answer = results(logs, query_id)
        assert answer["status"] == "Complete"
        assert answer["results"] == [[{"field": "errors", "value": "2"}]]
        stats = answer["statistics"]
        assert (stats["recordsMatched"], stats["recordsScanned"]) == (2.0, 3.0)
        assert stats["bytesScanned"] == float(len("ERROR disk fullGET / 200ERROR timeout"))

    def test_rows_carry_ptr_for_get_log_record(self, awsmon_boto3: Cloud, logs: Any) -> None:
        """Rows of a non-stats query carry @ptr; GetLogRecord returns the whole event."""
        cloud = awsmon_boto3
        put(cloud, logs, "app", json.dumps({"user": "ann", "ms": 12}))
        query_id = start(cloud, logs, "fields @timestamp, user")
        cloud.clock.advance(5)
        (row,) = results(logs, query_id)["results"]
        fields = {f["field"]: f["value"] for f in row}
        assert set(fields) == {"@timestamp", "user", "@ptr"}
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}", fields["@timestamp"])
        record = logs.get_log_record(logRecordPointer=fields["@ptr"])
        assert_shape("logs", "GetLogRecord", record)
        assert record["logRecord"]["user"] == "ann"
        assert record["logRecord"]["@log"] == "123456789012:app"

    def test_several_groups_interleave_by_time(self, awsmon_boto3: Cloud, logs: Any) -> None:
        """logGroupNames reads every group; @log tells them apart."""
        cloud = awsmon_boto3
        put(cloud, logs, "app", "one", offset_ms=0)
        put(cloud, logs, "api", "two", offset_ms=5)
        query_id = start(cloud, logs, "fields @message, @log",
                         logGroupNames=["api", "app"])  # fmt: skip
        cloud.clock.advance(5)
        rows = [{f["field"]: f["value"] for f in row} for row in results(logs, query_id)["results"]]
        assert [(r["@message"], r["@log"]) for r in rows] == [
            ("one", "123456789012:app"), ("two", "123456789012:api"),
        ]  # fmt: skip

    def test_time_range_is_inclusive_seconds(self, awsmon_boto3: Cloud, logs: Any) -> None:
        """Events outside [startTime, endTime] (seconds, inclusive) are not scanned."""
        cloud = awsmon_boto3
        put(cloud, logs, "app", "early", offset_ms=-5000)
        put(cloud, logs, "app", "inside", offset_ms=999)
        t = now_s(cloud)
        query_id = logs.start_query(logGroupName="app", startTime=t, endTime=t,
                                    queryString="fields @message")["queryId"]  # fmt: skip
        cloud.clock.advance(5)
        answer = results(logs, query_id)
        assert [[f["value"] for f in r if f["field"] == "@message"] for r in answer["results"]] == [
            ["inside"]
        ]
        assert answer["statistics"]["recordsScanned"] == 1.0

    def test_stop_query(self, awsmon_boto3: Cloud, logs: Any) -> None:
        """StopQuery cancels a running query; stopping it again is refused."""
        cloud = awsmon_boto3
        query_id = start(cloud, logs, "stats count(*)")
        response = logs.stop_query(queryId=query_id)
        assert_shape("logs", "StopQuery", response)
        assert response["success"] is True
        cloud.clock.advance(10)
        assert results(logs, query_id)["status"] == "Cancelled"
        with pytest.raises(ClientError) as caught:
            logs.stop_query(queryId=query_id)
        assert caught.value.response["Error"]["Code"] == "InvalidParameterException"

    def test_describe_queries(self, awsmon_boto3: Cloud, logs: Any) -> None:
        """DescribeQueries lists queries newest first, filtered by group and status, paged."""
        cloud = awsmon_boto3
        first = start(cloud, logs, "stats count(*)")
        cloud.clock.advance(5)
        second = start(cloud, logs, "fields @message", logGroupName="api")
        answer = logs.describe_queries()
        assert_shape("logs", "DescribeQueries", answer)
        assert [q["queryId"] for q in answer["queries"]] == [second, first]
        complete = logs.describe_queries(status="Complete")["queries"]
        assert [q["queryId"] for q in complete] == [first]
        assert [q["queryId"] for q in logs.describe_queries(logGroupName="api")["queries"]] == [
            second
        ]
        page = logs.describe_queries(maxResults=1)
        assert len(page["queries"]) == 1
        rest = logs.describe_queries(maxResults=1, nextToken=page["nextToken"])
        assert [q["queryId"] for q in rest["queries"]] == [first]

    def test_results_expire_after_seven_days(self, awsmon_boto3: Cloud, logs: Any) -> None:
        """Seven days after completion GetQueryResults no longer finds the query."""
        cloud = awsmon_boto3
        query_id = start(cloud, logs, "stats count(*)")
        cloud.clock.advance(6 * 86_400)
        assert results(logs, query_id)["status"] == "Complete"
        cloud.clock.advance(86_400 + 10)
        with pytest.raises(ClientError) as caught:
            logs.get_query_results(queryId=query_id)
        assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"

    def test_concurrency_quota(self, awsmon_boto3: Cloud, logs: Any, monkeypatch: Any) -> None:
        """More than the concurrent-query quota is refused; a finished query frees a slot."""
        cloud = awsmon_boto3
        monkeypatch.setattr(lifecycle, "MAX_CONCURRENT", 2)
        start(cloud, logs, "stats count(*)")
        start(cloud, logs, "stats count(*)")
        with pytest.raises(ClientError) as caught:
            start(cloud, logs, "stats count(*)")
        assert caught.value.response["Error"]["Code"] == "LimitExceededException"
        cloud.clock.advance(5)
        start(cloud, logs, "stats count(*)")

    def test_get_log_group_fields(self, awsmon_boto3: Cloud, logs: Any) -> None:
        """GetLogGroupFields gives each field with the percent of recent events having it."""
        cloud = awsmon_boto3
        put(cloud, logs, "app", json.dumps({"a": 1, "b": {"c": 2}}), "plain",
            offset_ms=-60_000)  # fmt: skip
        cloud.clock.advance(1)
        answer = logs.get_log_group_fields(logGroupName="app")
        assert_shape("logs", "GetLogGroupFields", answer)
        fields = {f["name"]: f["percent"] for f in answer["logGroupFields"]}
        assert fields == {"@timestamp": 100, "@message": 100, "@logStream": 100, "@log": 100,
                          "@ingestionTime": 100, "a": 50, "b.c": 50}  # fmt: skip

    def test_query_definitions(self, awsmon_boto3: Cloud, logs: Any) -> None:
        """Put (create, then update), Describe (by prefix, paged) and Delete query definitions."""
        first = logs.put_query_definition(name="errors/by-host", queryString="stats count(*)",
                                          logGroupNames=["app"])["queryDefinitionId"]  # fmt: skip
        logs.put_query_definition(name="latency", queryString="stats avg(ms)",
                                  parameters=[{"name": "host", "defaultValue": "a"}])  # fmt: skip
        logs.put_query_definition(queryDefinitionId=first, name="errors/by-host",
                                  queryString="stats count(*) by host")  # fmt: skip
        answer = logs.describe_query_definitions()
        assert_shape("logs", "DescribeQueryDefinitions", answer)
        assert [d["name"] for d in answer["queryDefinitions"]] == ["errors/by-host", "latency"]
        assert answer["queryDefinitions"][0]["queryString"] == "stats count(*) by host"
        parameters = answer["queryDefinitions"][1]["parameters"]
        assert parameters == [{"name": "host", "defaultValue": "a"}]
        prefixed = logs.describe_query_definitions(queryDefinitionNamePrefix="lat")
        assert [d["name"] for d in prefixed["queryDefinitions"]] == ["latency"]
        page = logs.describe_query_definitions(maxResults=1)
        assert len(page["queryDefinitions"]) == 1 and "nextToken" in page
        assert logs.delete_query_definition(queryDefinitionId=first)["success"] is True
        with pytest.raises(ClientError) as caught:
            logs.delete_query_definition(queryDefinitionId=first)
        assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"

    def test_domain_calls_are_recorded_as_operations(self, awsmon_boto3: Cloud) -> None:
        """cloud.logs.insights methods go through the dispatcher like wire calls."""
        cloud = awsmon_boto3
        seen: list[str] = []
        cloud.dispatcher.listeners.append(lambda call: seen.append(call.operation))
        cloud.logs.create_log_group("g")
        query_id = cloud.logs.insights.start_query("stats count(*)", 0, 10, log_group_name="g")
        cloud.logs.insights.stop_query(query_id)
        assert seen[-2:] == ["StartQuery", "StopQuery"]


def test_malformed_query_error_carries_the_location(awsmon_boto3: Cloud, logs: Any) -> None:
    """A syntax error comes back as MalformedQueryException with queryCompileError."""
    with pytest.raises(ClientError) as caught:
        logs.start_query(logGroupName="app", startTime=0, endTime=10,
                         queryString="fields @message | stats avg(x) by")  # fmt: skip
    response = caught.value.response
    assert response["Error"]["Code"] == "MalformedQueryException"
    assert response["Error"]["Message"] == (
        "unexpected symbol found end of query at line 1 and position 34"
    )
    assert response["queryCompileError"]["location"] == {"startCharOffset": 33, "endCharOffset": 33}


ERRORS = [
    ("no group", {"startTime": 0, "endTime": 1, "queryString": "fields a"},
     "InvalidParameterException", r"Exactly one of logGroupName, logGroupNames and "
                                  r"logGroupIdentifiers must be specified\."),
    ("two ways", {"logGroupName": "app", "logGroupNames": ["app"], "startTime": 0, "endTime": 1,
                  "queryString": "fields a"},
     "InvalidParameterException", r"Exactly one of .*"),
    ("missing group", {"logGroupName": "nope", "startTime": 0, "endTime": 1,
                       "queryString": "fields a"},
     "ResourceNotFoundException", r"The specified log group does not exist\."),
    ("reversed range", {"logGroupName": "app", "startTime": 10, "endTime": 1,
                        "queryString": "fields a"},
     "InvalidParameterException", r"End time must be greater than or equal to start time\."),
    ("limit too big", {"logGroupName": "app", "startTime": 0, "endTime": 1,
                       "queryString": "fields a", "limit": 100_001},
     "InvalidParameterException", r"1 validation error detected: Value '100001' at 'limit' .*"),
    ("sql", {"logGroupName": "app", "startTime": 0, "endTime": 1, "queryString": "SELECT 1",
             "queryLanguage": "SQL"},
     "InvalidParameterException", r".*queryLanguage.*CWLI.*"),
    ("bad group name", {"logGroupName": "a b", "startTime": 0, "endTime": 1,
                        "queryString": "fields a"},
     "InvalidParameterException", r".*'logGroupName' failed to satisfy constraint.*"),
    ("foreign arn", {"logGroupIdentifiers": ["arn:aws:logs:eu-west-1:123456789012:log-group:app"],
                     "startTime": 0, "endTime": 1, "queryString": "fields a"},
     "ResourceNotFoundException", r"The specified log group does not exist\."),
]  # fmt: skip


@pytest.mark.parametrize(("params", "code", "message"), [e[1:] for e in ERRORS],
                         ids=[e[0] for e in ERRORS])  # fmt: skip
def test_start_query_errors(
    awsmon_boto3: Cloud, logs: Any, params: dict[str, Any], code: str, message: str
) -> None:
    """Bad StartQuery calls fail with AWS's code and leave no query behind."""
    with pytest.raises(ClientError) as caught:
        logs.start_query(**params)
    assert caught.value.response["Error"]["Code"] == code
    assert re.fullmatch(message, caught.value.response["Error"]["Message"])
    assert logs.describe_queries()["queries"] == []


def test_unknown_query_id(awsmon_boto3: Cloud, logs: Any) -> None:
    """GetQueryResults and StopQuery of an unknown id: ResourceNotFoundException."""
    for call in (logs.get_query_results, logs.stop_query):
        with pytest.raises(ClientError) as caught:
            call(queryId="00000000-0000-4000-8000-000000000000")
        assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_identifiers_by_arn(awsmon_boto3: Cloud, logs: Any) -> None:
    """logGroupIdentifiers accepts the group's ARN."""
    cloud = awsmon_boto3
    put(cloud, logs, "app", "hello")
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:app"
    query_id = start(cloud, logs, "stats count(*) as n",
                     logGroupIdentifiers=[arn])  # fmt: skip
    cloud.clock.advance(5)
    assert results(logs, query_id)["results"] == [[{"field": "n", "value": "1"}]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("filter @message like /ERROR/ | stats count(*) as n", "3"),
        ("filter @message like 'ERROR' and @message like /disk/ | stats count(*) as n", "2"),
        ("filter @message like 'ERROR \"disk' | stats count(*) as n", "2"),
        (r"filter @message like /ERR.R/ | stats count(*) as n", "3"),
    ],
    ids=["regex literal", "two texts", "a quote: no block scan", "a real regex"],
)
def test_statistics_are_the_same_with_or_without_the_block_scan(
    awsmon_boto3: Cloud, logs: Any, query: str, expected: str
) -> None:
    """Scanned counts cover every event in range, whichever way the events were read."""
    cloud = awsmon_boto3
    logs.create_log_stream(logGroupName="app", logStreamName="worker")
    put(cloud, logs, "app", 'ERROR "disk full', "INFO ok", "ERROR net")
    logs.put_log_events(logGroupName="app", logStreamName="worker", logEvents=[
        {"timestamp": int(cloud.clock.time() * 1000) + 1, "message": 'ERROR "disk gone'},
    ])  # fmt: skip
    query_id = start(cloud, logs, query)
    cloud.clock.advance(5)
    answer = results(logs, query_id)
    assert answer["statistics"]["recordsScanned"] == 4.0
    assert answer["statistics"]["bytesScanned"] == float(
        len('ERROR "disk full') + len("INFO ok") + len("ERROR net") + len('ERROR "disk gone')
    )
    assert answer["statistics"]["recordsMatched"] == float(expected)
    assert answer["results"] == [[{"field": "n", "value": expected}]]
