"""Tests of awsmon/cloudwatch/metrics/insights.py: the Metrics Insights query language."""

from __future__ import annotations

import re
from datetime import timedelta

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import given
from hypothesis import strategies as st

from awsmon import Cloud
from awsmon.cloudwatch import MetricKey
from awsmon.cloudwatch.errors import ValidationError
from awsmon.cloudwatch.metrics.insights import (
    Compare,
    InValues,
    Junction,
    LikeMatch,
    MetricsInsightsQuery,
    _like,
    is_metrics_insights,
)
from awsmon.testing.shapes import assert_shape

parse = MetricsInsightsQuery.parse


class TestParse:
    def test_aws_examples(self) -> None:
        """The examples of AWS's syntax page parse into their parts."""
        query = parse('SELECT AVG(CPUUtilization) FROM "AWS/EC2"')
        assert (query.function, query.metric_name, query.namespace, query.schema) == (
            "AVG", "CPUUtilization", "AWS/EC2", None,
        )  # fmt: skip
        assert parse('SELECT AVG(CPUUtilization) FROM SCHEMA("AWS/EC2")').schema == frozenset()
        query = parse(
            'select max(CPUUtilization) from schema("AWS/EC2", InstanceId) '
            "where InstanceType = 'c3.4xlarge' group by InstanceId order by max() desc limit 10"
        )
        assert query.schema == frozenset({"InstanceId"})
        assert query.where == Compare("InstanceType", "c3.4xlarge", False)
        assert query.group_by == ("InstanceId",)
        assert query.order_by == ("MAX", True)
        assert query.limit == 10

    def test_conditions(self) -> None:
        """AND binds tighter than OR; LIKE splits on %; IN takes a list."""
        query = parse(
            "SELECT SUM(Errors) FROM app WHERE a = 'x' OR b LIKE 'web-%' AND c NOT IN ('1', 2)"
        )
        assert query.where == Junction("OR", (
            Compare("a", "x", False),
            Junction("AND", (LikeMatch("b", ("web-", ""), False),
                             InValues("c", frozenset({"1", "2"}), True))),
        ))  # fmt: skip

    def test_quoted_identifiers_and_escapes(self) -> None:
        """Double quotes hold identifiers with other characters; a backslash escapes a quote."""
        query = parse(
            r"""SELECT COUNT("Request\"Count") FROM "My/App" WHERE "Host-Name" = 'it\'s'"""
        )
        assert query.metric_name == 'Request"Count' and query.namespace == "My/App"
        assert query.where == Compare("Host-Name", "it's", False)

    def test_is_metrics_insights(self) -> None:
        """Expressions starting with SELECT are Metrics Insights queries; math is not."""
        assert is_metrics_insights("  select AVG(x) FROM y")
        assert not is_metrics_insights("SELECTED + 1") and not is_metrics_insights("m1 * 2")


ERRORS = [
    ("SELECT", "expected one of AVG, COUNT, MAX, MIN, SUM, found the end of the query", 6),
    ("SELECT P99(x) FROM y", "expected one of AVG, COUNT, MAX, MIN, SUM, found 'P99'", 7),
    ("SELECT AVG(x) y", "expected FROM, found 'y'", 14),
    ("SELECT AVG(x) FROM AWS/EC2", "unexpected character '/'", 22),
    ("SELECT AVG(x) FROM SCHEMA()", "expected a namespace, found ')'", 26),
    ("SELECT AVG(x) FROM y WHERE a", "expected =, !=, LIKE or IN, found the end of the query", 28),
    ("SELECT AVG(x) FROM y WHERE a = b", "expected a quoted value, found 'b'", 31),
    ("SELECT AVG(x) FROM y WHERE a NOT = 'b'", "expected LIKE or IN, found '='", 33),
    ("SELECT AVG(x) FROM y GROUP a", "expected BY, found 'a'", 27),
    ("SELECT AVG(x) FROM y ORDER BY AVG DESC", "expected '(', found 'DESC'", 34),
    ("SELECT AVG(x) FROM y LIMIT 0", "LIMIT must be between 1 and 500", 27),
    ("SELECT AVG(x) FROM y LIMIT 501", "LIMIT must be between 1 and 500", 27),
    ("SELECT AVG(x) FROM y LIMIT 1.5", "expected a whole number, found '1.5'", 27),
    ("SELECT AVG(x) FROM y z", "expected the end of the query, found 'z'", 21),
    ("SELECT AVG(x) FROM y WHERE a = 'b", "unexpected character \"'\"", 31),
    ("SELECT AVG(x) FROM y WHERE " + "(" * 40 + "a = 'b'" + ")" * 40,
     "the condition nests too deeply", 57),
]


@pytest.mark.parametrize(("text", "detail", "position"), ERRORS, ids=[e[0][-30:] for e in ERRORS])
def test_errors(text: str, detail: str, position: int) -> None:
    """A malformed query is a ValidationError naming the position and what was expected."""
    with pytest.raises(ValidationError) as caught:
        parse(text)
    expected = f"Invalid Metrics Insights query at position {position}: {detail}"
    assert caught.value.message == expected
    assert caught.value.code == "ValidationError"


class TestSelection:
    QUERY = parse(
        "SELECT AVG(CPUUtilization) FROM SCHEMA(\"AWS/EC2\", InstanceId, InstanceType) "
        "WHERE InstanceType != 't3.micro' GROUP BY InstanceType"
    )

    def test_schema_needs_exactly_its_dimensions(self) -> None:
        """SCHEMA matches metrics with exactly the listed dimension names."""
        dims = {"InstanceId": "i-1", "InstanceType": "m5.large"}
        assert self.QUERY.selects("AWS/EC2", "CPUUtilization", dims)
        assert not self.QUERY.selects("AWS/EC2", "CPUUtilization", {"InstanceId": "i-1"})
        assert not self.QUERY.selects("AWS/EC2", "CPUUtilization", {**dims, "Az": "a"})
        assert not self.QUERY.selects("AWS/EC2", "NetworkIn", dims)
        assert not self.QUERY.selects("AWS/RDS", "CPUUtilization", dims)
        assert not self.QUERY.selects("AWS/EC2", "CPUUtilization",
                                      {**dims, "InstanceType": "t3.micro"})  # fmt: skip

    def test_from_namespace_reads_any_dimensions(self) -> None:
        """FROM namespace ignores the dimension set; a missing WHERE key passes !=."""
        query = parse("SELECT SUM(Errors) FROM app WHERE stage != 'dev'")
        assert query.selects("app", "Errors", {})
        assert query.selects("app", "Errors", {"stage": "prod", "host": "a"})
        assert not query.selects("app", "Errors", {"stage": "dev"})


class TestEvaluate:
    def test_group_by_aggregates_observations(self) -> None:
        """Each group aggregates every observation of its metrics per period."""
        query = parse(
            "SELECT AVG(CPU) FROM SCHEMA(ec2, InstanceId, Type) GROUP BY Type "
            "ORDER BY AVG() DESC LIMIT 2"
        )
        metrics = [
            ({"InstanceId": "i-1", "Type": "big"}, {0: (2.0, 100.0, 40.0, 60.0)}),
            ({"InstanceId": "i-2", "Type": "big"}, {0: (2.0, 20.0, 5.0, 15.0), 60: (1, 7, 7, 7)}),
            ({"InstanceId": "i-3", "Type": "small"}, {0: (1.0, 90.0, 90.0, 90.0)}),
            ({"InstanceId": "i-4", "Type": "tiny"}, {0: (1.0, 1.0, 1.0, 1.0)}),
            ({"InstanceId": "i-5"}, {0: (1.0, 1000.0, 1000.0, 1000.0)}),
        ]
        series = query.evaluate(metrics, label="q1")
        assert [(s.label, s.points) for s in series] == [
            ("small", {0: 90.0}),
            ("big", {0: 30.0, 60: 7.0}),
        ]

    @pytest.mark.parametrize(("function", "expected"), [
        ("AVG", 30.0), ("SUM", 120.0), ("COUNT", 4.0), ("MIN", 5.0), ("MAX", 60.0),
    ])  # fmt: skip
    def test_functions(self, function: str, expected: float) -> None:
        """AVG is total sum over total samples; COUNT counts samples."""
        query = parse(f"SELECT {function}(CPU) FROM ec2")
        metrics = [({"a": "1"}, {0: (2.0, 100.0, 40.0, 60.0)}), ({}, {0: (2.0, 20.0, 5.0, 15.0)})]
        (series,) = query.evaluate(metrics, label="cpu")
        assert series.label == "cpu" and series.points == {0: expected}

    def test_limit_caps_series(self) -> None:
        """LIMIT keeps the first n series; without ORDER BY they come in group order."""
        query = parse("SELECT MAX(x) FROM n GROUP BY k LIMIT 2")
        metrics = [({"k": key}, {0: (1.0, 1.0, 1.0, 1.0)}) for key in "dcba"]
        assert [s.label for s in query.evaluate(metrics, label="x")] == ["a", "b"]


@given(st.text(max_size=80))
def test_random_text_only_raises_validation_errors(text: str) -> None:
    """Any text parses or raises ValidationError with a position."""
    try:
        parse(text)
    except ValidationError as error:
        assert re.match(r"Invalid Metrics Insights query at position \d+: ", error.message)


WORDS = st.sampled_from(["SELECT", "AVG(", "x", ")", "FROM", "SCHEMA(", '"a/b"', ",", "WHERE",
                         "k", "=", "'v'", "AND", "OR", "NOT", "LIKE", "IN", "(", "GROUP", "BY",
                         "ORDER", "MAX()", "DESC", "LIMIT", "5", "!="])  # fmt: skip


@given(st.lists(WORDS, max_size=20).map(" ".join))
def test_token_soup_only_raises_validation_errors(text: str) -> None:
    """Sequences of query words parse or raise ValidationError."""
    try:
        query = parse(text)
    except ValidationError:
        return
    assert query.selects(query.namespace, query.metric_name, {}) in (True, False)


@given(st.lists(st.text(alphabet="ab", max_size=3), min_size=1, max_size=4),
       st.text(alphabet="ab", max_size=10))  # fmt: skip
def test_like_agrees_with_a_regex_oracle(pieces: list[str], text: str) -> None:
    """LIKE with % agrees with the equivalent anchored regex."""
    oracle = re.fullmatch(".*".join(map(re.escape, pieces)), text, re.DOTALL) is not None
    assert _like(tuple(pieces), text) is oracle


class TestGetMetricData:
    """Metrics Insights queries answered by GetMetricData and math alarms (through boto3)."""

    @staticmethod
    def _load(cloud: Cloud) -> None:
        now = cloud.clock.now()
        cloud.cloudwatch.publish(
            MetricKey("AWS/EC2", "CPUUtilization"),
            [(now - timedelta(minutes=5), 99.0)],
        )  # no dimensions: not in SCHEMA("AWS/EC2", InstanceId)
        for n in range(3):
            key = MetricKey("AWS/EC2", "CPUUtilization", {"InstanceId": f"i-{n}"})
            cloud.cloudwatch.publish(
                key, [(now - timedelta(minutes=m), 10.0 * n + m) for m in range(1, 10)]
            )
        old = MetricKey("AWS/EC2", "CPUUtilization", {"InstanceId": "i-old"})
        cloud.cloudwatch.publish(old, [(now - timedelta(hours=4), 1000.0)])

    def test_the_issue_query(self, awsmon_boto3: Cloud) -> None:
        """The issue's GROUP BY query returns one series per instance, labelled by its id."""
        cloud = awsmon_boto3
        self._load(cloud)
        cw = boto3.client("cloudwatch", region_name="us-east-1")
        now = cloud.clock.now()
        query = 'SELECT AVG(CPUUtilization) FROM SCHEMA("AWS/EC2", InstanceId) GROUP BY InstanceId'
        response = cw.get_metric_data(
            MetricDataQueries=[{"Id": "q1", "Expression": query, "Period": 600}],
            StartTime=now - timedelta(hours=6),
            EndTime=now,
        )
        assert_shape("cloudwatch", "GetMetricData", response)
        results = {r["Label"]: r["Values"] for r in response["MetricDataResults"]}
        assert results == {"i-0": [5.0], "i-1": [15.0], "i-2": [25.0]}
        assert {r["Id"] for r in response["MetricDataResults"]} == {"q1"}

    def test_order_limit_and_math_over_the_result(self, awsmon_boto3: Cloud) -> None:
        """ORDER BY ... DESC LIMIT keeps the top series; math reads the query by its Id."""
        cloud = awsmon_boto3
        self._load(cloud)
        cw = boto3.client("cloudwatch", region_name="us-east-1")
        now = cloud.clock.now()
        top = ('SELECT MAX(CPUUtilization) FROM SCHEMA("AWS/EC2", InstanceId) '
               "GROUP BY InstanceId ORDER BY MAX() DESC LIMIT 1")  # fmt: skip
        response = cw.get_metric_data(
            MetricDataQueries=[
                {"Id": "top", "Expression": top, "Period": 600, "ReturnData": False},
                {"Id": "scaled", "Expression": "top / 10", "Label": "scaled"},
            ],
            StartTime=now - timedelta(hours=1),
            EndTime=now,
        )
        (result,) = response["MetricDataResults"]
        assert (result["Id"], result["Values"]) == ("scaled", [2.9])

    def test_only_one_insights_query_per_call(self, awsmon_boto3: Cloud) -> None:
        """A second Metrics Insights query in one call is refused."""
        cw = boto3.client("cloudwatch", region_name="us-east-1")
        now = awsmon_boto3.clock.now()
        query = 'SELECT SUM(Errors) FROM "App"'
        with pytest.raises(ClientError) as caught:
            cw.get_metric_data(
                MetricDataQueries=[{"Id": "a", "Expression": query, "Period": 60},
                                   {"Id": "b", "Expression": query, "Period": 60}],
                StartTime=now - timedelta(hours=1), EndTime=now,
            )  # fmt: skip
        assert caught.value.response["Error"]["Code"] == "ValidationError"
        assert "Only one Metrics Insights query" in caught.value.response["Error"]["Message"]

    def test_syntax_error_names_the_position(self, awsmon_boto3: Cloud) -> None:
        """A malformed query is a ValidationError with the position, not a math error."""
        cw = boto3.client("cloudwatch", region_name="us-east-1")
        now = awsmon_boto3.clock.now()
        with pytest.raises(ClientError) as caught:
            cw.get_metric_data(
                MetricDataQueries=[{"Id": "a", "Expression": "SELECT AVG(x) FROM y LIMIT 0",
                                    "Period": 60}],
                StartTime=now - timedelta(hours=1), EndTime=now,
            )  # fmt: skip
        assert caught.value.response["Error"]["Message"] == (
            "Invalid Metrics Insights query at position 27: LIMIT must be between 1 and 500"
        )

    def test_math_alarm_on_a_metrics_insights_query(self, awsmon_boto3: Cloud) -> None:
        """A metric-math alarm whose returned query is a Metrics Insights query."""
        cloud = awsmon_boto3
        cw = boto3.client("cloudwatch", region_name="us-east-1")
        cw.put_metric_alarm(
            AlarmName="hot-fleet", EvaluationPeriods=1, Threshold=50,
            ComparisonOperator="GreaterThanThreshold",
            Metrics=[{"Id": "q1", "Expression": 'SELECT MAX(CPUUtilization) FROM "App/EC2"',
                      "Period": 60, "ReturnData": True}],
        )  # fmt: skip
        for _ in range(3):
            cw.put_metric_data(Namespace="App/EC2", MetricData=[
                {"MetricName": "CPUUtilization", "Value": 40.0 + 10 * n,
                 "Dimensions": [{"Name": "InstanceId", "Value": f"i-{n}"}]} for n in range(3)
            ])  # fmt: skip
            cloud.clock.advance(60)
        alarm = cw.describe_alarms(AlarmNames=["hot-fleet"])["MetricAlarms"][0]
        assert alarm["StateValue"] == "ALARM"
        assert "[60.0 " in alarm["StateReason"]
