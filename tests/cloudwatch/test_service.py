"""Tests of awsmon/cloudwatch/service.py, api.py, metrics/queries.py and metrics/model.py:
CloudWatch metrics through the domain, the wire client and boto3."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from awsmon import Cloud, VirtualClock
from awsmon.cloudwatch.errors import InvalidNextToken, InvalidParameterValue, ValidationError
from awsmon.cloudwatch.metrics.model import MetricDatum, MetricKey, StandardUnit, StatisticSet
from awsmon.cloudwatch.metrics.queries import MetricDataQuery, MetricStat
from awsmon.testing.shapes import assert_shape

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
KEY = MetricKey.of("App", "Latency", {"Api": "orders"})


@pytest.fixture
def cloud() -> Cloud:
    return Cloud(clock=VirtualClock(T0))


def _put(cloud: Cloud, minutes_ago: float, value: float, **extra: Any) -> None:
    datum = {
        "MetricName": "Latency",
        "Value": value,
        "Dimensions": [{"Name": "Api", "Value": "orders"}],
        "Timestamp": cloud.clock.now() - timedelta(minutes=minutes_ago),
        **extra,
    }
    cloud.client("cloudwatch").put_metric_data(Namespace="App", MetricData=[datum])


def _stats(cloud: Cloud, **params: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "Namespace": "App",
        "MetricName": "Latency",
        "Dimensions": [{"Name": "Api", "Value": "orders"}],
        "StartTime": cloud.clock.now() - timedelta(hours=1),
        "EndTime": cloud.clock.now(),
        "Period": 60,
        "Statistics": ["SampleCount", "Sum", "Minimum", "Maximum", "Average"],
    }
    request.update(params)
    answer = cloud.client("cloudwatch").get_metric_statistics(**request)
    assert_shape("cloudwatch", "GetMetricStatistics", answer)
    return answer


class TestPutMetricData:
    def test_aws_worked_example(self, cloud: Cloud) -> None:
        """Values 2, 4, 5 in one minute: SampleCount 3, Sum 11, Min 2, Max 5, Average 3.67."""
        for value in (2, 4, 5):
            _put(cloud, 5, value)
        (point,) = _stats(cloud)["Datapoints"]
        assert point["SampleCount"] == 3 and point["Sum"] == 11
        assert (point["Minimum"], point["Maximum"]) == (2, 5)
        assert point["Average"] == 3.6666666666666665 and point["Unit"] == "None"
        assert point["Timestamp"] == datetime(2025, 6, 1, 11, 55, tzinfo=UTC)

    def test_decimal_values_as_the_cli_sends_them(self, cloud: Cloud) -> None:
        """botocore takes decimal.Decimal for a double (the AWS CLI sends it): stored as numbers."""
        client = cloud.client("cloudwatch")
        at = cloud.clock.now() - timedelta(minutes=5)
        dims = [{"Name": "Api", "Value": "orders"}]
        client.put_metric_data(Namespace="App", MetricData=[
            {"MetricName": "Latency", "Dimensions": dims, "Timestamp": at, "Value": Decimal("2.5")},
            {"MetricName": "Latency", "Dimensions": dims, "Timestamp": at,
             "Values": [Decimal("4"), Decimal("0.5")], "Counts": [Decimal("2"), 1]},
        ])  # fmt: skip
        (point,) = _stats(cloud)["Datapoints"]
        assert point["SampleCount"] == 4 and point["Sum"] == 11
        assert (point["Minimum"], point["Maximum"]) == (0.5, 4)

    def test_dimension_order_does_not_matter(self, cloud: Cloud) -> None:
        """A metric is the set of its dimensions: order does not make another metric."""
        client = cloud.client("cloudwatch")
        for dims in ([("A", "1"), ("B", "2")], [("B", "2"), ("A", "1")]):
            client.put_metric_data(
                Namespace="N",
                MetricData=[
                    {
                        "MetricName": "M",
                        "Value": 1,
                        "Dimensions": [{"Name": n, "Value": v} for n, v in dims],
                    }
                ],
            )
        assert len(client.list_metrics()["Metrics"]) == 1

    def test_statistic_values_and_values_arrays(self, cloud: Cloud) -> None:
        """StatisticValues and Values/Counts are accepted and aggregated."""
        _put(
            cloud,
            3,
            None,
            StatisticValues={"SampleCount": 2, "Sum": 10, "Minimum": 4, "Maximum": 6},
        )
        cloud.client("cloudwatch").put_metric_data(
            Namespace="App",
            MetricData=[
                {
                    "MetricName": "Latency",
                    "Dimensions": [{"Name": "Api", "Value": "orders"}],
                    "Values": [1, 9],
                    "Counts": [3, 1],
                    "Timestamp": T0 - timedelta(minutes=3),
                }
            ],
        )
        (point,) = _stats(cloud)["Datapoints"]
        assert (point["SampleCount"], point["Sum"], point["Minimum"], point["Maximum"]) == (
            6,
            22,
            1,
            9,
        )

    def test_no_partial_state(self, cloud: Cloud) -> None:
        """A request with one bad datum stores nothing."""
        with pytest.raises(InvalidParameterValue, match=r"member\.2\.Value"):
            cloud.client("cloudwatch").put_metric_data(
                Namespace="App",
                MetricData=[
                    {"MetricName": "Good", "Value": 1},
                    {"MetricName": "Bad", "Value": float("nan")},
                ],
            )
        assert cloud.cloudwatch.metrics() == []

    def test_datum_without_timestamp_uses_the_clock(self, cloud: Cloud) -> None:
        """A datum without a timestamp is stamped with the virtual time of the call."""
        cloud.clock.advance(90)
        cloud.cloudwatch.put_metric_data("App", [MetricDatum(key=KEY, value=3.0)])
        (point,) = _stats(cloud, Statistics=["Sum"])["Datapoints"]
        assert point["Timestamp"] == datetime(2025, 6, 1, 12, 1, tzinfo=UTC)


BAD_PUTS = [
    (
        "aws-namespace",
        {"Namespace": "AWS/EC2"},
        {},
        "InvalidParameterValue",
        r"^The value AWS/ for parameter Namespace is invalid\.$",
    ),
    (
        "colon-namespace",
        {"Namespace": ":x"},
        {},
        "InvalidParameterValue",
        r"^The value :x for parameter Namespace is invalid\.$",
    ),
    (
        "nan",
        {},
        {"Value": float("nan")},
        "InvalidParameterValue",
        r"^The value nan for parameter MetricData\.member\.1\.Value is invalid\.$",
    ),
    ("too-big", {}, {"Value": 2.0**361}, "InvalidParameterValue", r"member\.1\.Value is invalid"),
    (
        "both",
        {},
        {"Value": 1, "Values": [1]},
        "InvalidParameterCombination",
        r"^The parameters MetricData\.member\.1\.Value and MetricData\.member\.1\.Values are "
        r"mutually exclusive and you have specified both\.$",
    ),
    ("neither", {}, {"Value": None}, "InvalidParameterCombination", r"^At least one of"),
    (
        "counts-length",
        {},
        {"Value": None, "Values": [1, 2], "Counts": [1]},
        "InvalidParameterValue",
        r"must be of the same size\.$",
    ),
    (
        "too-old",
        {},
        {"Timestamp": T0 - timedelta(days=15)},
        "InvalidParameterValue",
        r"Timestamp must specify a time no more than two weeks in the past\.$",
    ),
    (
        "too-new",
        {},
        {"Timestamp": T0 + timedelta(hours=3)},
        "InvalidParameterValue",
        r"no more than two hours in the future\.$",
    ),
    (
        "resolution",
        {},
        {"StorageResolution": 30},
        "InvalidParameterValue",
        r"StorageResolution is invalid\. Valid values are 1 and 60\.$",
    ),
    (
        "unit",
        {},
        {"Unit": "Furlongs"},
        "InvalidParameterValue",
        r"^The value Furlongs for parameter MetricData\.member\.1\.Unit is invalid\.$",
    ),
    (
        "dimensions",
        {},
        {"Dimensions": [{"Name": f"d{i}", "Value": "v"} for i in range(31)]},
        "InvalidParameterValue",
        r"must not have a size greater than 30\.$",
    ),
    (
        "dimension-value",
        {},
        {"Dimensions": [{"Name": "d", "Value": "é"}]},
        "InvalidParameterValue",
        r"Dimensions\.member\.1\.Value is invalid",
    ),
]


class TestPutErrors:
    @pytest.mark.parametrize(
        ("request_update", "datum_update", "code", "message"),
        [case[1:] for case in BAD_PUTS],
        ids=[case[0] for case in BAD_PUTS],
    )
    def test_error_table(
        self,
        awsmon_boto3: Cloud,
        request_update: dict[str, Any],
        datum_update: dict[str, Any],
        code: str,
        message: str,
    ) -> None:
        """Each invalid PutMetricData gets AWS's code and message through boto3."""
        awsmon_boto3.clock.advance_to(T0)
        datum = {"MetricName": "M", "Value": 1.0, **datum_update}
        datum = {k: v for k, v in datum.items() if v is not None}
        client = boto3.client("cloudwatch")
        with pytest.raises(ClientError) as caught:
            client.put_metric_data(**{"Namespace": "App", "MetricData": [datum], **request_update})
        assert caught.value.response["Error"]["Code"] == code
        import re

        assert re.search(message, caught.value.response["Error"]["Message"])

    def test_more_than_1000_datums(self, cloud: Cloud) -> None:
        """A request may carry at most 1,000 datums."""
        with pytest.raises(InvalidParameterValue, match="greater than 1000"):
            cloud.client("cloudwatch").put_metric_data(
                Namespace="App", MetricData=[{"MetricName": "M", "Value": 1}] * 1001
            )


class TestGetMetricStatistics:
    def test_units_are_kept_apart(self, cloud: Cloud) -> None:
        """Without Unit, each unit gives its own datapoint; with Unit, only that unit counts."""
        _put(cloud, 2, 1, Unit="Seconds")
        _put(cloud, 2, 500, Unit="Milliseconds")
        _put(cloud, 2, 7)
        points = _stats(cloud, Statistics=["Sum"])["Datapoints"]
        assert sorted((p["Unit"], p["Sum"]) for p in points) == [
            ("Milliseconds", 500),
            ("None", 7),
            ("Seconds", 1),
        ]
        only = _stats(cloud, Statistics=["Sum"], Unit="Seconds")["Datapoints"]
        assert [(p["Unit"], p["Sum"]) for p in only] == [("Seconds", 1)]
        assert _stats(cloud, Statistics=["Sum"], Unit="Bytes")["Datapoints"] == []

    def test_extended_statistics(self, cloud: Cloud) -> None:
        """Percentiles and trimmed means come back under ExtendedStatistics (IQM of 1..10 keeps
        the values above p25 = 3 up to p75 = 8)."""
        for value in range(1, 11):
            _put(cloud, 5, value)
        (point,) = _stats(cloud, Statistics=[], ExtendedStatistics=["p90", "tm80", "IQM"])[
            "Datapoints"
        ]
        assert point["ExtendedStatistics"] == {"p90": 9.0, "tm80": 4.5, "IQM": 6.0}

    def test_percentiles_unavailable_from_statistic_sets(self, cloud: Cloud) -> None:
        """A statistic set that does not stand for raw values gives no percentile."""
        _put(
            cloud, 5, None, StatisticValues={"SampleCount": 3, "Sum": 9, "Minimum": 1, "Maximum": 5}
        )
        (point,) = _stats(cloud, Statistics=[], ExtendedStatistics=["p50"])["Datapoints"]
        assert "ExtendedStatistics" not in point

    def test_high_resolution(self, cloud: Cloud) -> None:
        """High-resolution data can be read with a 10-second period for 3 hours."""
        for second in (1, 3, 12, 15):
            _put(cloud, 10 - second / 60, 1, StorageResolution=1)
        points = _stats(
            cloud,
            Period=10,
            Statistics=["SampleCount"],
            StartTime=T0 - timedelta(minutes=10),
            EndTime=T0 - timedelta(minutes=9),
        )["Datapoints"]
        assert sorted(p["SampleCount"] for p in points) == [2, 2]
        cloud.clock.advance(timedelta(hours=4))
        old = _stats(
            cloud,
            Period=10,
            Statistics=["SampleCount"],
            StartTime=T0 - timedelta(minutes=10),
            EndTime=T0 - timedelta(minutes=9),
        )
        assert old["Datapoints"] == []
        (minute,) = _stats(
            cloud,
            Period=60,
            Statistics=["SampleCount"],
            StartTime=T0 - timedelta(minutes=10),
            EndTime=T0 - timedelta(minutes=9),
        )["Datapoints"]
        assert minute["SampleCount"] == 4

    def test_old_data_needs_coarse_periods(self, cloud: Cloud) -> None:
        """Data older than 15 days needs a multiple of 300 s; a finer period returns nothing."""
        cloud.cloudwatch.publish(KEY, [(T0 - timedelta(minutes=m), 1.0) for m in range(1, 11)])
        cloud.clock.advance(timedelta(days=20))
        window = {"StartTime": T0 - timedelta(hours=1), "EndTime": T0}
        assert _stats(cloud, Period=60, **window)["Datapoints"] == []
        points = _stats(cloud, Period=300, Statistics=["SampleCount"], **window)["Datapoints"]
        assert sum(p["SampleCount"] for p in points) == 10

    @pytest.mark.parametrize(
        ("update", "code", "message"),
        [
            (
                {"Period": 45},
                "InvalidParameterValue",
                "must be 1, 5, 10, 20, 30, or a multiple of 60",
            ),
            ({"Period": 90}, "InvalidParameterValue", "must be a multiple of 60"),
            (
                {"Statistics": ["Avg"]},
                "InvalidParameterValue",
                "The value Avg for parameter Statistics.member.1 is invalid.",
            ),
            ({"Statistics": None, "ExtendedStatistics": ["p101"]}, "InvalidParameterValue", "p101"),
            (
                {"ExtendedStatistics": ["p99"]},
                "InvalidParameterCombination",
                "either Statistics or ExtendedStatistics, but not both",
            ),
            (
                {"Period": 1, "StartTime": T0 - timedelta(hours=1)},
                "InvalidParameterCombination",
                "You have requested up to 3,600 datapoints, which exceeds the limit of 1,440.",
            ),
            (
                {"StartTime": T0, "EndTime": T0 - timedelta(hours=1)},
                "InvalidParameterValue",
                "StartTime must be less than the parameter EndTime",
            ),
        ],
    )
    def test_errors(
        self, awsmon_boto3: Cloud, update: dict[str, Any], code: str, message: str
    ) -> None:
        """Invalid queries get AWS's code and message through boto3."""
        awsmon_boto3.clock.advance_to(T0)
        request: dict[str, Any] = {
            "Namespace": "App",
            "MetricName": "Latency",
            "StartTime": T0 - timedelta(hours=1),
            "EndTime": T0,
            "Period": 60,
            "Statistics": ["Sum"],
        }
        request.update(update)
        request = {k: v for k, v in request.items() if v is not None}
        with pytest.raises(ClientError) as caught:
            boto3.client("cloudwatch").get_metric_statistics(**request)
        assert caught.value.response["Error"]["Code"] == code
        assert message in caught.value.response["Error"]["Message"]


def _query(query_id: str, stat: str = "Sum", period: int = 60, **extra: Any) -> dict[str, Any]:
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {
                "Namespace": "App",
                "MetricName": "Latency",
                "Dimensions": [{"Name": "Api", "Value": "orders"}],
            },
            "Period": period,
            "Stat": stat,
        },
        **extra,
    }


class TestGetMetricData:
    def _data(self, cloud: Cloud, queries: list[dict[str, Any]], **params: Any) -> dict[str, Any]:
        answer = cloud.client("cloudwatch").get_metric_data(
            MetricDataQueries=queries, StartTime=T0 - timedelta(minutes=10), EndTime=T0, **params
        )
        assert_shape("cloudwatch", "GetMetricData", answer)
        return answer

    def test_metrics_and_expressions(self, cloud: Cloud) -> None:
        """A MetricStat and an expression over it, newest first by default."""
        for minute in (3, 2, 1):
            _put(cloud, minute, minute * 10)
        answer = self._data(
            cloud, [_query("m1"), {"Id": "e1", "Expression": "m1 / 10", "Label": "scaled"}]
        )
        m1, e1 = answer["MetricDataResults"]
        assert m1["Values"] == [10, 20, 30] and m1["Label"] == "Latency"
        assert m1["Timestamps"][0] == T0 - timedelta(minutes=1)
        assert e1["Values"] == [1, 2, 3] and e1["Label"] == "scaled"
        ascending = self._data(cloud, [_query("m1")], ScanBy="TimestampAscending")
        assert ascending["MetricDataResults"][0]["Values"] == [30, 20, 10]

    def test_default_labels_disambiguate(self, cloud: Cloud) -> None:
        """Queries of one metric that differ in stat or period get it in their label."""
        _put(cloud, 1, 1)
        answer = self._data(
            cloud, [_query("a", "Sum", 60), _query("b", "Minimum", 120), _query("c", "Sum", 120)]
        )
        assert [r["Label"] for r in answer["MetricDataResults"]] == [
            "Latency Sum 60",
            "Latency Minimum 120",
            "Latency Sum 120",
        ]

    def test_return_data_false_and_metrics_function(self, cloud: Cloud) -> None:
        """Hidden queries feed SUM(METRICS()) without being returned."""
        _put(cloud, 1, 5)
        answer = self._data(
            cloud,
            [
                _query("m1", ReturnData=False),
                _query("m2", "Maximum", ReturnData=False),
                {"Id": "total", "Expression": "SUM(METRICS())"},
            ],
        )
        (total,) = answer["MetricDataResults"]
        assert total["Id"] == "total" and total["Values"] == [10]

    def test_pagination(self, cloud: Cloud) -> None:
        """MaxDatapoints pages the values; the token resumes; a foreign token is refused."""
        for minute in range(1, 8):
            _put(cloud, minute, minute)
        first = self._data(cloud, [_query("m1")], MaxDatapoints=5)
        assert first["MetricDataResults"][0]["StatusCode"] == "PartialData"
        assert len(first["MetricDataResults"][0]["Values"]) == 5
        second = self._data(cloud, [_query("m1")], MaxDatapoints=5, NextToken=first["NextToken"])
        assert second["MetricDataResults"][0]["Values"] == [6, 7]
        assert "NextToken" not in second
        with pytest.raises(InvalidNextToken, match="NextToken"):
            self._data(cloud, [_query("m2")], MaxDatapoints=5, NextToken=first["NextToken"])

    def test_multiple_units(self, cloud: Cloud) -> None:
        """Without Unit over several units, the alphabetically first is used and said so."""
        _put(cloud, 1, 1, Unit="Seconds")
        _put(cloud, 1, 1000, Unit="Milliseconds")
        (result,) = self._data(cloud, [_query("m1")])["MetricDataResults"]
        assert result["Values"] == [1000]
        assert result["Messages"] == [
            {"Code": "MultipleUnits", "Value": "Multiple units returned: '[Milliseconds, Seconds]'"}
        ]

    def test_search(self, cloud: Cloud) -> None:
        """SEARCH finds stored metrics by schema and term."""
        for api, value in (("orders", 1), ("users", 2)):
            cloud.cloudwatch.publish(
                MetricKey.of("App", "Latency", {"Api": api}), [(T0 - timedelta(minutes=1), value)]
            )
        answer = self._data(
            cloud,
            [{"Id": "s", "Expression": "SEARCH('{App,Api} MetricName=\"Latency\"', 'Sum', 60)"}],
        )
        assert sorted(r["Values"][0] for r in answer["MetricDataResults"]) == [1, 2]

    @pytest.mark.parametrize(
        ("queries", "message"),
        [
            (
                [_query("m1"), _query("m1")],
                "The values for parameter id in MetricDataQueries are not unique.",
            ),
            (
                [_query("M1")],
                "The value M1 for parameter MetricDataQueries.member.1.Id is not "
                "matching the expected pattern ^[a-z][a-zA-Z0-9_]*$.",
            ),
            ([_query("m1", "Avg")], "Avg"),
            ([{"Id": "e", "Expression": "m1 +"}], "position"),
            (
                [
                    {"Id": "e", "Expression": "a", "ReturnData": True},
                    {"Id": "a", "Expression": "e"},
                ],
                "Circular",
            ),
        ],
    )
    def test_errors(self, awsmon_boto3: Cloud, queries: list[dict[str, Any]], message: str) -> None:
        """Invalid requests get ValidationError with AWS's message through boto3."""
        awsmon_boto3.clock.advance_to(T0)
        with pytest.raises(ClientError) as caught:
            boto3.client("cloudwatch").get_metric_data(
                MetricDataQueries=queries, StartTime=T0 - timedelta(hours=1), EndTime=T0
            )
        assert caught.value.response["Error"]["Code"] == "ValidationError"
        assert message in caught.value.response["Error"]["Message"]

    def test_domain_query_objects(self, cloud: Cloud) -> None:
        """The domain takes typed queries and answers typed results."""
        cloud.cloudwatch.publish(KEY, [(T0 - timedelta(minutes=1), 4.0)], unit=StandardUnit.COUNT)
        answer = cloud.cloudwatch.get_metric_data(
            [
                MetricDataQuery(
                    id="m",
                    metric_stat=MetricStat(
                        metric=KEY, period=60, stat="p50", unit=StandardUnit.COUNT
                    ),
                )
            ],
            start_time=T0 - timedelta(minutes=5),
            end_time=T0,
        )
        assert answer.results[0].values == (4.0,)


class TestListMetrics:
    def test_filters_and_two_week_horizon(self, cloud: Cloud) -> None:
        """Filters match exactly; dimension filters need only the named dimensions; metrics with
        no data for two weeks disappear; RecentlyActive keeps the last 3 hours."""
        client = cloud.client("cloudwatch")
        client.put_metric_data(
            Namespace="A",
            MetricData=[
                {
                    "MetricName": "M",
                    "Value": 1,
                    "Dimensions": [{"Name": "X", "Value": "1"}, {"Name": "Y", "Value": "2"}],
                }
            ],
        )
        cloud.clock.advance(timedelta(hours=4))
        client.put_metric_data(Namespace="B", MetricData=[{"MetricName": "M", "Value": 1}])
        assert len(client.list_metrics()["Metrics"]) == 2
        assert [m["Namespace"] for m in client.list_metrics(RecentlyActive="PT3H")["Metrics"]] == [
            "B"
        ]
        found = client.list_metrics(Dimensions=[{"Name": "X"}])["Metrics"]
        assert found[0]["Dimensions"] == [{"Name": "X", "Value": "1"}, {"Name": "Y", "Value": "2"}]
        assert client.list_metrics(Dimensions=[{"Name": "X", "Value": "9"}])["Metrics"] == []
        assert client.list_metrics(Namespace="B", MetricName="M")["Metrics"][0]["Namespace"] == "B"
        cloud.clock.advance(timedelta(days=14, minutes=1))
        assert client.list_metrics()["Metrics"] == []
        assert_shape("cloudwatch", "ListMetrics", client.list_metrics())

    def test_paginator(self, awsmon_boto3: Cloud) -> None:
        """ListMetrics pages by 500 and boto3's paginator walks them all."""
        for index in range(1203):
            awsmon_boto3.cloudwatch.publish(
                MetricKey.of("P", f"M{index:04}"), [(awsmon_boto3.clock.now(), 1.0)]
            )
        pages = list(
            boto3.client("cloudwatch").get_paginator("list_metrics").paginate(Namespace="P")
        )
        assert [len(p["Metrics"]) for p in pages] == [500, 500, 203]
        with pytest.raises(ClientError, match="InvalidNextToken"):
            boto3.client("cloudwatch").list_metrics(NextToken="nonsense")


class TestDashboards:
    def test_lifecycle(self, awsmon_boto3: Cloud) -> None:
        """Put, get, list and delete dashboards through boto3."""
        client = boto3.client("cloudwatch")
        body = '{"widgets": []}'
        assert (
            client.put_dashboard(DashboardName="ops", DashboardBody=body)[
                "DashboardValidationMessages"
            ]
            == []
        )
        got = client.get_dashboard(DashboardName="ops")
        assert got["DashboardBody"] == body
        assert got["DashboardArn"] == "arn:aws:cloudwatch::123456789012:dashboard/ops"
        listed = client.list_dashboards()
        assert_shape("cloudwatch", "ListDashboards", listed)
        assert listed["DashboardEntries"][0]["Size"] == len(body)
        with pytest.raises(client.exceptions.ResourceNotFound):
            client.delete_dashboards(DashboardNames=["ops", "nope"])
        client.delete_dashboards(DashboardNames=["ops"])
        with pytest.raises(client.exceptions.ResourceNotFound):
            client.get_dashboard(DashboardName="ops")

    @pytest.mark.parametrize(
        ("name", "body"), [("ops", "{not json"), ("ops", "[1]"), ("bad name!", "{}")]
    )
    def test_invalid(self, awsmon_boto3: Cloud, name: str, body: str) -> None:
        """A body that is not a JSON object, or a bad name, is InvalidParameterInput."""
        client = boto3.client("cloudwatch")
        with pytest.raises(client.exceptions.DashboardInvalidInputError):
            client.put_dashboard(DashboardName=name, DashboardBody=body)


class TestRetentionJob:
    def test_a_simulated_year_keeps_memory_bounded(self, cloud: Cloud) -> None:
        """The hourly retention job rolls old data up and drops it after 455 days."""
        cloud.cloudwatch.publish(KEY, [(T0 - timedelta(minutes=m), 1.0) for m in range(1440)])
        cloud.clock.advance(timedelta(days=70))
        series = cloud.cloudwatch.metric(KEY).series[StandardUnit.NONE]
        assert len(series) == 25 and all(t % 3600 == 0 for t in series.times)
        cloud.clock.advance(timedelta(days=400))
        assert len(series) == 0


@settings(max_examples=40)
@given(
    st.lists(st.tuples(st.integers(0, 59), st.integers(-1000, 1000)), min_size=1, max_size=40),
    st.sampled_from([60, 120, 300]),
    st.sampled_from(["Sum", "Minimum", "Maximum", "SampleCount", "Average"]),
)
def test_statistics_agree_with_a_naive_oracle(
    points: list[tuple[int, int]], period: int, stat: str
) -> None:
    """GetMetricStatistics agrees with a direct computation over the published values."""
    cloud = Cloud(clock=VirtualClock(T0))
    for minute, value in points:
        cloud.cloudwatch.put_metric_data(
            "App",
            [
                MetricDatum(
                    key=KEY, value=float(value), timestamp=T0 - timedelta(minutes=60 - minute)
                )
            ],
        )
    start = T0 - timedelta(minutes=60)
    answer = cloud.cloudwatch.get_metric_statistics(
        "App",
        "Latency",
        dimensions={"Api": "orders"},
        start_time=start,
        end_time=T0,
        period=period,
        statistics=[stat],
    )
    buckets: dict[datetime, list[float]] = {}
    for minute, value in points:
        bucket = start + timedelta(seconds=minute * 60 // period * period)
        buckets.setdefault(bucket, []).append(float(value))
    naive = {
        "Sum": sum,
        "Minimum": min,
        "Maximum": max,
        "SampleCount": len,
        "Average": lambda v: sum(v) / len(v),
    }[stat]
    got = {p.timestamp: p.statistics[stat] for p in answer.datapoints}
    assert got.keys() == buckets.keys()
    for bucket, values in buckets.items():
        assert got[bucket] == pytest.approx(naive(values))


def test_statistic_set_domain_roundtrip() -> None:
    """A StatisticSet datum through the domain gives back its numbers."""
    cloud = Cloud(clock=VirtualClock(T0))
    cloud.cloudwatch.put_metric_data(
        "App",
        [
            MetricDatum(
                key=KEY,
                statistic_values=StatisticSet(sample_count=4, sum=20, minimum=1, maximum=9),
                timestamp=T0 - timedelta(minutes=1),
            )
        ],
    )
    (point,) = cloud.cloudwatch.get_metric_statistics(
        "App",
        "Latency",
        dimensions={"Api": "orders"},
        start_time=T0 - timedelta(minutes=5),
        end_time=T0,
        period=300,
        statistics=["Average", "SampleCount"],
    ).datapoints
    assert point.statistics == {"Average": 5.0, "SampleCount": 4.0}


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (T0, T0, "The parameter StartTime must not equal parameter EndTime."),
        (T0, T0 - timedelta(minutes=1), "The parameter EndTime must be greater than StartTime."),
    ],
)
def test_get_metric_data_time_range(start: datetime, end: datetime, message: str) -> None:
    """GetMetricData refuses an empty or reversed time range with ValidationError."""
    cloud = Cloud(clock=VirtualClock(T0))
    with pytest.raises(ValidationError) as caught:
        cloud.client("cloudwatch").get_metric_data(
            MetricDataQueries=[_query("m1")], StartTime=start, EndTime=end
        )
    assert caught.value.message == message


def test_anomaly_detection_band_in_get_metric_data(awsmon_boto3: Cloud) -> None:
    """ANOMALY_DETECTION_BAND(m1, 2) returns a lower and an upper series around a steady metric."""
    awsmon_boto3.clock.advance_to(T0)
    history = [(T0 - timedelta(minutes=m), 100.0 + (m % 7)) for m in range(1, 14 * 24 * 60)]
    awsmon_boto3.cloudwatch.publish(KEY, history)
    answer = boto3.client("cloudwatch").get_metric_data(
        MetricDataQueries=[
            _query("m1", "Average", 300),
            {"Id": "band", "Expression": "ANOMALY_DETECTION_BAND(m1, 2)"},
        ],
        StartTime=T0 - timedelta(hours=1),
        EndTime=T0,
    )
    assert_shape("cloudwatch", "GetMetricData", answer)
    metric, low, high = answer["MetricDataResults"]
    assert [r["Id"] for r in (low, high)] == ["band", "band"]
    assert low["Label"].endswith("Lower") and high["Label"].endswith("Upper")
    assert low["Values"] and len(low["Values"]) == len(high["Values"])
    for lower, upper, value in zip(low["Values"], high["Values"], metric["Values"], strict=False):
        assert lower <= value <= upper and lower < upper
