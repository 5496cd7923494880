"""Tests of awsmon/logs/insights/query.py: AWS's sample queries over realistic log lines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, ClassVar

import pytest

from awsmon.logs.insights import Query
from awsmon.logs.insights.query import SourceEvent
from awsmon.logs.insights.values import Instant, render

T0 = 1_704_067_200_000  # 2024-01-01 00:00:00 UTC


def events(
    messages: Sequence[str], *, step_ms: int = 1000, stream: str = "web"
) -> list[SourceEvent]:
    return [
        (T0 + i * step_ms, message, stream, "123456789012:app", T0 + i * step_ms + 5, i)
        for i, message in enumerate(messages)
    ]


def run(query: str, source: Sequence[SourceEvent]) -> list[dict[str, Any]]:
    return [
        {k: render(v) for k, v in row.items() if k != "@ptr"}
        for row in Query.parse(query).run(source).rows
    ]


class TestAwsSampleQueries:
    def test_25_most_recent_events(self) -> None:
        """``fields @timestamp, @message | sort @timestamp desc | limit 25`` gives the newest 25."""
        source = events([f"request {i}" for i in range(40)])
        rows = run("fields @timestamp, @message | sort @timestamp desc | limit 25", source)
        assert len(rows) == 25
        assert [r["@message"] for r in rows] == [f"request {i}" for i in range(39, 14, -1)]
        assert rows[0]["@timestamp"] == "2024-01-01 00:00:39.000"

    def test_exceptions_every_five_minutes(self) -> None:
        """``filter ... like /Exception/ | stats count(*) by bin(5m)`` counts per 5-minute bin."""
        lines = ["java.lang.NullPointerException at Foo", "GET /ok 200", "IOException: closed"]
        source = events(lines * 20, step_ms=30_000)  # 60 events over 30 minutes
        query = (
            "filter @message like /Exception/ | stats count(*) as exceptionCount by bin(5m)"
            " | sort exceptionCount desc"
        )
        result = Query.parse(query).run(source)
        counts = [row["exceptionCount"] for row in result.rows]
        assert len(counts) == 6 and sum(counts) == 40
        assert counts == sorted(counts, reverse=True)
        starts = [render(row["bin(5m)"]) for row in result.rows]
        assert all(int(s[14:16]) % 5 == 0 and s.endswith(":00.000") for s in starts)
        assert result.records_matched == 40 and result.records_scanned == 60

    def test_count_by_bin_is_exact(self) -> None:
        """Every event lands in the bin that floors its timestamp."""
        source = events(["x"] * 12, step_ms=60_000)
        rows = run("stats count(*) by bin(5m)", source)
        assert rows == [
            {"bin(5m)": "2024-01-01 00:00:00.000", "count(*)": "5"},
            {"bin(5m)": "2024-01-01 00:05:00.000", "count(*)": "5"},
            {"bin(5m)": "2024-01-01 00:10:00.000", "count(*)": "2"},
        ]

    def test_parse_glob_then_stats(self) -> None:
        """AWS's ephemeral-field sample: parse a glob, then average by two parsed fields."""
        lines = [
            "user=alice, method:GET, latency := 100",
            "user=alice, method:GET, latency := 300",
            "user=bob, method:POST, latency := 50",
            "health check",
        ]
        query = (
            'parse @message "user=*, method:*, latency := *" as @user, @method, @latency'
            " | stats avg(@latency) by @method, @user"
        )
        assert run(query, events(lines)) == [
            {"@method": "GET", "@user": "alice", "avg(@latency)": "200"},
            {"@method": "POST", "@user": "bob", "avg(@latency)": "50"},
            {},  # the line the glob misses: a group of absent values
        ]

    def test_parse_glob_leaves_unmatched_rows_without_fields(self) -> None:
        """A line the glob does not match keeps its row; the fields are absent."""
        rows = run('parse @message "user=* " as user | display @message, user',
                   events(["user=ann ok", "nothing"]))
        assert rows == [{"@message": "user=ann ok", "user": "ann"}, {"@message": "nothing"}]

    def test_lambda_report_durations(self) -> None:
        """REPORT lines give @duration and friends; AWS's latency sample averages them."""
        report = (
            "REPORT RequestId: {id}\tDuration: {d} ms\tBilled Duration: {b} ms\t"
            "Memory Size: 128 MB\tMax Memory Used: {m} MB\tInit Duration: 150.10 ms\t"
        )
        lines = [
            "START RequestId: a1 Version: $LATEST",
            report.format(id="a1", d="102.25", b="103", m="70"),
            "END RequestId: a1",
            report.format(id="b2", d="2.75", b="3", m="72"),
        ]
        query = (
            'filter @type = "REPORT" | stats avg(@duration), max(@duration), min(@duration),'
            " count(*) as invocations"
        )
        assert run(query, events(lines)) == [
            {"avg(@duration)": "52.5", "max(@duration)": "102.25", "min(@duration)": "2.75",
             "invocations": "2"}
        ]  # fmt: skip

    def test_lambda_memory(self) -> None:
        """AWS's over-provisioned memory sample, whose last item reads two earlier ones."""
        line = (
            "REPORT RequestId: {i}\tDuration: 1.00 ms\tBilled Duration: 1 ms\t"
            "Memory Size: 128 MB\tMax Memory Used: {m} MB\t"
        )
        lines = [line.format(i=i, m=m) for i, m in enumerate((60, 70, 80))]
        query = (
            'filter @type = "REPORT"'
            " | stats max(@memorySize / 1000 / 1000) as provisonedMemoryMB,"
            " min(@maxMemoryUsed / 1000 / 1000) as smallestMemoryRequestMB,"
            " avg(@maxMemoryUsed / 1000 / 1000) as avgMemoryUsedMB,"
            " max(@maxMemoryUsed / 1000 / 1000) as maxMemoryUsedMB,"
            " provisonedMemoryMB - maxMemoryUsedMB as overProvisionedMB"
        )
        assert run(query, events(lines)) == [
            {"provisonedMemoryMB": "128", "smallestMemoryRequestMB": "60",
             "avgMemoryUsedMB": "70", "maxMemoryUsedMB": "80", "overProvisionedMB": "48"}
        ]  # fmt: skip

    def test_vpc_flow_logs_top_talkers(self) -> None:
        """AWS's top-10 byte transfers by source and destination over default-format records."""
        flow = "2 123456789010 eni-1235b8ca123456789 {src} {dst} 20641 22 6 20 {bytes} 1418530010 1418530070 ACCEPT OK"  # noqa: E501
        lines = [
            flow.format(src="10.0.0.1", dst="10.0.0.2", bytes=4000),
            flow.format(src="10.0.0.3", dst="10.0.0.2", bytes=100),
            flow.format(src="10.0.0.1", dst="10.0.0.2", bytes=249),
            flow.format(src="10.0.0.9", dst="10.0.0.1", bytes=2000),
        ]
        query = (
            "stats sum(bytes) as bytesTransferred by srcAddr, dstAddr"
            " | sort bytesTransferred desc | limit 2"
        )
        assert run(query, events(lines)) == [
            {"srcAddr": "10.0.0.1", "dstAddr": "10.0.0.2", "bytesTransferred": "4249"},
            {"srcAddr": "10.0.0.9", "dstAddr": "10.0.0.1", "bytesTransferred": "2000"},
        ]

    def test_json_field_filter(self) -> None:
        """JSON events are flattened with dots; a nested field's filter picks CloudTrail events."""
        trail = [
            {"eventSource": "iam.amazonaws.com", "eventName": "CreateUser",
             "userIdentity": {"type": "Root"}, "awsRegion": "us-east-1"},
            {"eventSource": "ec2.amazonaws.com", "eventName": "RunInstances",
             "userIdentity": {"type": "IAMUser"}, "awsRegion": "eu-west-1",
             "requestParameters": {"instancesSet": {"items": [{"instanceId": "i-1"}]}}},
            {"eventSource": "iam.amazonaws.com", "eventName": "DeleteUser",
             "userIdentity": {"type": "Root"}, "awsRegion": "us-east-1"},
        ]  # fmt: skip
        source = events([json.dumps(event) for event in trail])
        rows = run('filter userIdentity.type = "Root" | stats count(*) by eventSource, eventName',
                   source)
        assert rows == [
            {"eventSource": "iam.amazonaws.com", "eventName": "CreateUser", "count(*)": "1"},
            {"eventSource": "iam.amazonaws.com", "eventName": "DeleteUser", "count(*)": "1"},
        ]
        rows = run("fields requestParameters.instancesSet.items.0.instanceId as id"
                   " | filter ispresent(id)", source)
        assert rows == [{"id": "i-1"}]


class TestReferenceExamples:
    LINE = (
        "25 May 2019 10:24:39,474 [ERROR] {foo=2, bar=data} The error was: DataIntegrityException"
    )

    @pytest.mark.parametrize(
        "query",
        [
            'parse @message "[*] * The error was: *" as level, config, exception',
            r"parse @message /\[(?<level>\S+)\]\s+(?<config>\{.*\})\s+"
            r"The error was: (?<exception>\S+)/",
        ],
        ids=["glob", "regex"],
    )
    def test_li_01_parse(self, query: str) -> None:
        """LI-01: the glob and the regex form extract the same three fields."""
        rows = run(query + " | display level, config, exception", events([self.LINE]))
        assert rows == [
            {"level": "ERROR", "config": "{foo=2, bar=data}", "exception": "DataIntegrityException"}
        ]

    def test_li_03_dedup_newest_per_server(self) -> None:
        """LI-03: sort newest first, then dedup keeps one row per server."""
        lines = [json.dumps({"server": s, "severity": "INFO", "message": f"m{i}"})
                 for i, s in enumerate(["a", "b", "a", "c", "b"])]  # fmt: skip
        query = "fields @timestamp, server, severity, message | sort @timestamp desc | dedup server"
        rows = run(query, events(lines))
        newest = [(r["server"], r["message"]) for r in rows]
        assert newest == [("b", "m4"), ("c", "m3"), ("a", "m2")]

    def test_li_04_filters(self) -> None:
        """LI-04: regex like, not in with mixed types, and a case-insensitive regex."""
        lines = [json.dumps({"statusCode": c, "Type": t, "f1": f}) for c, t, f in [
            (200, "foo", "an Exception"), (204, "baz", "exception here"), (404, 1, "fine"),
            (500, "qux", "EXCEPTION"),
        ]]  # fmt: skip
        source = events(lines)
        codes = run(r"filter statusCode like /2\d\d/ | fields statusCode", source)
        assert [r["statusCode"] for r in codes] == ["200", "204"]
        types = run('filter Type not in ["foo","bar",1] | fields Type', source)
        assert [r["Type"] for r in types] == ["baz", "qux"]
        found = run("filter f1 like /(?i)Exception/ | fields f1", source)
        assert [r["f1"] for r in found] == ["an Exception", "exception here", "EXCEPTION"]

    def test_li_05_exceptions_per_hour(self) -> None:
        """LI-05: count exceptions per hour, busiest first."""
        lines = ["Exception a"] * 3 + ["fine"] + ["Exception b"]
        source = [(T0 + h * 3_600_000, m, "s", "1:g", 0, None)
                  for h, m in zip((0, 0, 1, 1, 1), lines, strict=True)]  # fmt: skip
        query = ("filter @message like /Exception/ | stats count(*) as exceptionCount by bin(1h)"
                 " | sort exceptionCount desc")  # fmt: skip
        assert run(query, source) == [
            {"bin(1h)": "2024-01-01 00:00:00.000", "exceptionCount": "2"},
            {"bin(1h)": "2024-01-01 01:00:00.000", "exceptionCount": "2"},
        ]


FUNCTIONS = [
    ('ltrim("xyZxyfooxyZ","xyZ")', "fooxyZ"),
    ('rtrim("xyZfooxyxyZ","xyZ")', "xyZfoo"),
    ('trim("xyZxyfooxyxyZ","xyZ")', "foo"),
    ('substr("xyZfooxyZ",3,3)', "foo"),
    ("2 ^ 3", "8"),
    ("10 % 3", "1"),
    ('strlen("héllo")', "5"),
    ('toupper("abc")', "ABC"),
    ('tolower("ABC")', "abc"),
    ('replace("a-b-c", "-", "+")', "a+b+c"),
    ('concat("a", 1, "b")', "a1b"),
    ('strcontains("haystack", "st")', "1"),
    ('strcontains("haystack", "x")', "0"),
    ('isempty("")', "1"),
    ('isblank("  ")', "1"),
    ("abs(-3)", "3"),
    ("ceil(2.1)", "3"),
    ("floor(2.9)", "2"),
    ("greatest(1, 5, 3)", "5"),
    ("least(4, 2, 9)", "2"),
    ("sqrt(16)", "4"),
    ("log(1)", "0"),
    ("fromMillis(1704067200000)", "2024-01-01 00:00:00.000"),
    ('toMillis("2022-01-14T13:18:31.000-08:00")', "1642195111000"),
    ("datefloor(@timestamp, 1h)", "2024-01-01 01:00:00.000"),
    ("dateceil(@timestamp, 1d)", "2024-01-02 00:00:00.000"),
    ("bin(1mo)", "2024-01-01 00:00:00.000"),
    ('isValidIp("10.1.2.3")', "1"),
    ('isValidIpV6("10.1.2.3")', "0"),
    ('isValidIpV6("::1")', "1"),
    ('isIpInSubnet("10.1.2.3", "10.1.0.0/16")', "1"),
    ('isIpv4InSubnet("10.2.2.3", "10.1.0.0/16")', "0"),
    ('coalesce(missing, "fallback")', "fallback"),
    ("ispresent(@message)", "1"),
    ('jsonStringify(jsonParse("{\\"a\\": [1, 2]}"))', '{"a":[1,2]}'),
    ("7 / 2", "3.5"),
    ("-(2 + 3) * 2", "-10"),
]


@pytest.mark.parametrize(("expression", "expected"), FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_functions(expression: str, expected: str) -> None:
    """Each function of AWS's list gives its documented result."""
    source = [(T0 + 3_600_000 + 5, "hello", "s", "1:g", 0, None)]
    rows = run(f"fields {expression} as value", source)
    assert rows == [{"value": expected}]


def test_json_parse_dot_access() -> None:
    """A map made by jsonParse is read with dot access."""
    source = events(['payload {"user": {"name": "ann"}, "tags": ["x", "y"]}'])
    query = ('parse @message "payload *" as body | fields jsonParse(body) as doc'
             " | fields doc.user.name as name, doc.tags.1 as tag | display name, tag")
    assert run(query, source) == [{"name": "ann", "tag": "y"}]


def test_second_stats_groups_the_groups() -> None:
    """A second stats aggregates the rows of the first."""
    source = events([json.dumps({"host": h, "ms": ms}) for h, ms in
                     [("a", 10), ("a", 30), ("b", 5), ("c", 7), ("c", 9)]])  # fmt: skip
    query = "stats sum(ms) as total by host | stats max(total) as biggest, count(*) as hosts"
    assert run(query, source) == [{"biggest": "40", "hosts": "3"}]


def test_aggregations() -> None:
    """Every aggregation over one group of numbers and texts."""
    values = [3, 1, 4, 1, 5, 9, 2, 6]
    source = events([json.dumps({"v": v, "w": f"t{v}"}) for v in values])
    query = ("stats avg(v) as a, count(v) as c, count_distinct(v) as d, max(v) as mx,"
             " min(v) as mn, sum(v) as s, pct(v, 50) as p50, stddev(v) as sd,"
             " earliest(w) as e, latest(w) as l, sortsFirst(w) as sf, sortsLast(w) as sl")
    (row,) = run(query, source)
    assert row == {
        "a": "3.875", "c": "8", "d": "7", "mx": "9", "mn": "1", "s": "31", "p50": "3",
        "sd": row["sd"], "e": "t3", "l": "t6", "sf": "t1", "sl": "t9",
    }  # fmt: skip
    assert abs(float(row["sd"]) - 2.748376) < 1e-5


def test_timestamps_render_and_compare() -> None:
    """@timestamp renders as UTC text and compares as epoch milliseconds."""
    source = events(["a", "b", "c"])
    rows = run(f"filter @timestamp > {T0 + 500} | fields @timestamp", source)
    assert [r["@timestamp"] for r in rows] == ["2024-01-01 00:00:01.000", "2024-01-01 00:00:02.000"]
    assert isinstance(Query.parse("fields @timestamp").run(source).rows[0]["@timestamp"], Instant)


def test_statistics_and_limit_parameter() -> None:
    """records_scanned counts every event, bytes their UTF-8 size; the limit caps rows."""
    source = events(["é", "ab", "abc"])
    result = Query.parse("filter strlen(@message) > 1").run(source, limit=1)
    assert [row["@message"] for row in result.rows] == ["ab"]
    assert (result.records_scanned, result.bytes_scanned, result.records_matched) == (3, 7, 2)
    assert result.fields == ("@timestamp", "@message")
    assert result.rows[0]["@ptr"] == 1


def test_pattern_clusters_messages() -> None:
    """``pattern`` groups lines whose tokens differ only where they hold digits."""
    lines = [
        "ERROR timeout after 30s on host-1",
        "ERROR timeout after 31s on host-2",
        "INFO GET /a 200 12ms",
        "INFO GET /a 200 9ms",
        "starting",
    ]
    assert run("pattern @message", events(lines)) == [
        {"@pattern": "ERROR timeout after <*> on <*>", "@ratio": "0.4", "@sampleCount": "2",
         "@severityLabel": "Error"},
        {"@pattern": "INFO GET /a <*> <*>", "@ratio": "0.4", "@sampleCount": "2",
         "@severityLabel": "Info"},
        {"@pattern": "starting", "@ratio": "0.2", "@sampleCount": "1",
         "@severityLabel": "Unknown"},
    ]  # fmt: skip
    result = Query.parse("filter @message like /ERROR/ | pattern @message").run(events(lines))
    assert result.is_stats and result.records_matched == 2


def test_sort_follows_aws_natural_order() -> None:
    """AWS's documented ascending order: text first (natural chunks), then numbers."""
    documented = ["!:", "#", "*%04", "0#", "5A", "111A", "2345_", "@", "@_", "A", "A9876fghj",
                  "a12345hfh", "0", "01", "1", "2", "3"]  # fmt: skip
    shuffled = documented[::-1][5:] + documented[::-1][:5]
    source = events([json.dumps({"v": v}) for v in shuffled])
    rows = run("fields v | sort v asc", source)
    assert [r["v"] for r in rows] == documented
    rows = run("fields v | sort v desc", source)
    assert [r["v"] for r in rows][:3] == ["3", "2", "1"]


class TestStructureTypes:
    """AWS's structure-type examples: jsonParse, dot access, brackets, backquoted keys."""

    DOC: ClassVar[dict[str, Any]] = {
        "status_code": 200, "users": [{"action": "GetData"}, {"action": "PutData"}],
        "attributes": {"special.char": "x"},
    }  # fmt: skip

    def test_stats_by_a_map_attribute(self) -> None:
        """``stats count() by json_message.status_code``."""
        source = events([json.dumps(self.DOC), json.dumps({**self.DOC, "status_code": 500})])
        query = (
            "fields jsonParse(@message) as json_message"
            " | stats count() by json_message.status_code"
        )
        assert run(query, source) == [
            {"json_message.status_code": "200", "count()": "1"},
            {"json_message.status_code": "500", "count()": "1"},
        ]

    def test_bracket_and_backquote_access(self) -> None:
        """``json_message.users[1].action`` and ``json_message.attributes.`special.char```."""
        source = events([json.dumps(self.DOC)])
        query = (
            "fields jsonParse(@message) as json_message"
            ' | filter json_message.users[1].action = "PutData"'
            " | fields json_message.attributes.`special.char` as special | display special"
        )
        assert run(query, source) == [{"special": "x"}]
        assert run('filter users[0].action = "GetData" | display users.1.action', source) == [
            {"users.1.action": "PutData"}
        ]


def test_route53_query_log_fields() -> None:
    """Route 53 public DNS query log lines give their ten fields."""
    lines = [
        "1.0 2017-12-13T08:16:02.130Z Z123412341234 example.com A NOERROR UDP FRA6 192.168.1.1 -",
        "1.0 2017-12-13T08:16:03.983Z Z123412341234 example.com AAAA NOERROR UDP FRA6 10.0.0.1 -",
        "1.0 2017-12-13T08:16:05.100Z Z123412341234 bad.example.com A NXDOMAIN UDP IAD1 10.0.0.1 -",
    ]
    query = "stats count(*) as queries by queryName, responseCode | sort queries desc"
    assert run(query, events(lines)) == [
        {"queryName": "example.com", "responseCode": "NOERROR", "queries": "2"},
        {"queryName": "bad.example.com", "responseCode": "NXDOMAIN", "queries": "1"},
    ]
