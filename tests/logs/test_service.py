"""Tests of the CloudWatch Logs domain (service.py, filters.py); events are in test_ingest.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from logs_app import app_cloud, found, put

from awsmon import Cloud
from awsmon.cloudwatch import MetricKey
from awsmon.logs.errors import (
    LimitExceededException,
    ValidationException,
)
from awsmon.logs.model import MetricTransformation, to_millis

C1 = [
    "[ERROR 400] BAD REQUEST",
    "[ERROR 401] UNAUTHORIZED REQUEST",
    "[ERROR 419] MISSING ARGUMENTS",
    "[ERROR 420] INVALID ARGUMENTS",
    "[ERROR 500] INTERNAL SERVER ERROR",
]
C2 = ["ERROR WARN message", "ERROR message", "WARN message"]
J1 = (
    '{"eventType":"UpdateTrail","sourceIPAddress":"111.111.111.111",'
    '"arrayKey":["value","another value"],"objectList":[{"name":"a","id":1},{"name":"b","id":2}],'
    '"SomeObject":null,"ThisFlag":true}'
)
A1 = '127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534'


@pytest.fixture
def cloud() -> Cloud:
    return app_cloud()


class TestWorkedExamples:
    """D.14 corpora, stored and searched with FilterLogEvents."""

    @pytest.mark.parametrize(
        ("pattern", "indexes"),
        [
            ("ERROR", [0, 1, 2, 3, 4]),
            ("ERROR ARGUMENTS", [2, 3]),
            ("?ERROR ?ARGUMENTS", [0, 1, 2, 3, 4]),
            ('"INTERNAL SERVER ERROR"', [4]),
            ("ERROR -ARGUMENTS", [0, 1, 4]),
            ('" "', [0, 1, 2, 3, 4]),
        ],
        ids=["FP-01", "FP-02", "FP-03", "FP-04", "FP-05", "FP-06"],
    )
    def test_c1(self, cloud: Cloud, pattern: str, indexes: list[int]) -> None:
        """FP-01..06 on corpus C1."""
        put(cloud, C1)
        assert found(cloud, pattern) == [C1[i] for i in indexes]

    @pytest.mark.parametrize(
        ("pattern", "indexes"),
        [
            ("ERROR", [0, 1]),
            ("?ERROR ?WARN", [0, 1, 2]),
            ("ERROR WARN", [0]),
            ("ERROR -WARN", [1]),
            ("[w1=ERROR, w2]", [1]),
            ("[w1=ERROR || w1=WARN, w2]", [1, 2]),
        ],
        ids=["FP-07", "FP-08", "FP-09", "FP-10", "FP-11", "FP-12"],
    )
    def test_c2(self, cloud: Cloud, pattern: str, indexes: list[int]) -> None:
        """FP-07..12 on corpus C2, the events spread over two streams and interleaved."""
        put(cloud, C2[:1], "s2")
        put(cloud, C2[1:], "s1", offset_ms=1)
        assert found(cloud, pattern) == [C2[i] for i in indexes]

    @pytest.mark.parametrize(
        "pattern",
        [
            '{ $.eventType = "UpdateTrail" }',
            "{ $.sourceIPAddress != 123.123.* }",
            '{ $.arrayKey[0] = "value" }',
            "{ $.objectList[1].id = 2 }",
            "{ $.SomeObject IS NULL }",
            "{ $.SomeOtherObject NOT EXISTS }",
            "{ $.ThisFlag IS TRUE }",
            '{ $.eventType = "*" && $.sourceIPAddress != 123.123.* }',
        ],
        ids=[f"FP-{n}" for n in range(20, 28)],
    )
    def test_j1(self, cloud: Cloud, pattern: str) -> None:
        """FP-20..27: each JSON pattern finds J1 and not a plain line."""
        put(cloud, [J1, "not json"])
        assert found(cloud, pattern) == [J1]

    def test_fp40_extracted_values(self, cloud: Cloud) -> None:
        """FP-40 through TestMetricFilter: AWS's extractedValues."""
        pattern = "[ip, user, username, timestamp, request =*.html*, status_code = 4*, bytes]"
        (match,) = cloud.logs.test_metric_filter(pattern, [A1, "nope"])
        assert match.event_number == 1
        assert match.extracted_values == {
            "$ip": "127.0.0.1",
            "$user": "Prod",
            "$username": "frank",
            "$timestamp": "10/Oct/2000:13:25:15 -0700",
            "$request": "GET /index.html HTTP/1.0",
            "$status_code": "404",
            "$bytes": "1534",
        }

    def test_fp46_bytes_metric(self, cloud: Cloud) -> None:
        """FP-46: metricValue $size publishes each line's size, in Bytes, at the event's minute."""
        lines = [
            f'127.0.0.1 - - [24/Sep/2013:11:49:52 -0700] "GET {path} HTTP/1.1" {code} {size}'
            for path, code, size in [
                ("/index.html", 404, 287),
                ("/index.html", 404, 287),
                ("/~test/", 200, 3),
                ("/favicon.ico", 404, 308),
                ("/favicon.ico", 404, 308),
                ("/~test/index.html", 200, 3),
            ]
        ]
        cloud.logs.put_metric_filter(
            "app",
            "bytes",
            "[ip, id, user, timestamp, request, status_code, size]",
            [
                MetricTransformation(
                    metric_name="Bytes", metric_namespace="Web", metric_value="$size", unit="Bytes"
                )
            ],
        )
        put(cloud, lines)
        metric = cloud.cloudwatch.metric(MetricKey.of("Web", "Bytes"))
        assert metric is not None
        stats = cloud.cloudwatch.get_metric_statistics(
            "Web",
            "Bytes",
            start_time=cloud.clock.now() - timedelta(minutes=1),
            end_time=cloud.clock.now() + timedelta(minutes=1),
            period=60,
            statistics=["Sum", "SampleCount"],
        )
        (point,) = stats.datapoints
        assert (point.statistics["Sum"], point.statistics["SampleCount"]) == (1196.0, 6.0)

    def test_fp47_json_value_with_dimension(self, cloud: Cloud) -> None:
        """FP-47: { $.latency = * } with $.latency publishes 50, dimensioned by requestType."""
        cloud.logs.put_metric_filter(
            "app",
            "latency",
            "{ $.latency = * }",
            [
                MetricTransformation(
                    metric_name="Latency",
                    metric_namespace="Web",
                    metric_value="$.latency",
                    dimensions={"Type": "$.requestType"},
                )
            ],
        )
        put(cloud, ['{"latency": 50, "requestType": "GET"}', '{"other": 1}'])
        metric = cloud.cloudwatch.metric(MetricKey.of("Web", "Latency", {"Type": "GET"}))
        assert metric is not None


class TestRetention:
    def test_expired_events_hidden_then_freed(self, cloud: Cloud) -> None:
        """After the retention, reads skip the events and the hourly job frees them."""
        put(cloud, ["old"])
        cloud.logs.put_retention_policy("app", 1)
        cloud.clock.advance(timedelta(hours=23))
        assert found(cloud, "") == ["old"]
        cloud.clock.advance(timedelta(hours=1, seconds=1))
        assert found(cloud, "") == []
        assert len(cloud.logs.log_group("app").streams["s1"].store) == 1
        cloud.clock.advance(timedelta(hours=1))
        assert len(cloud.logs.log_group("app").streams["s1"].store) == 0

    @settings(max_examples=30)
    @given(
        st.sampled_from([1, 3, 5, 7]),
        st.lists(st.integers(0, 6 * 86_400_000), min_size=1, max_size=20),
        st.integers(0, 8 * 86_400_000),
    )
    def test_never_drops_an_event_inside_the_window(
        self, days: int, ages: list[int], wait: int
    ) -> None:
        """Every event younger than the retention is still returned, however time moves."""
        cloud = Cloud()
        cloud.logs.create_log_group("g")
        cloud.logs.create_log_stream("g", "s")
        cloud.logs.put_retention_policy("g", days)
        cloud.clock.advance(timedelta(days=7))
        now = to_millis(cloud.clock.now())
        stamps = sorted(now - age % (days * 86_400_000) for age in ages)
        if stamps[-1] - stamps[0] > 86_400_000:
            stamps = [s for s in stamps if s >= stamps[-1] - 86_400_000]
        cloud.logs.put_log_events("g", "s", [(t, str(t)) for t in stamps])
        cloud.clock.advance(timedelta(milliseconds=wait))
        cutoff = to_millis(cloud.clock.now()) - days * 86_400_000
        returned = [e.timestamp_ms for e in cloud.logs.filter_log_events("g").events]
        assert returned == [t for t in stamps if t >= cutoff]


class TestGroupsAndFilters:
    def test_deletion_protection(self, cloud: Cloud) -> None:
        """A protected group cannot be deleted."""
        cloud.logs.create_log_group("keep", deletion_protection_enabled=True)
        with pytest.raises(ValidationException):
            cloud.logs.delete_log_group("keep")

    def test_metric_filter_limit(self, cloud: Cloud) -> None:
        """100 metric filters per group."""
        transformation = MetricTransformation(
            metric_name="m", metric_namespace="n", metric_value="1"
        )
        for index in range(100):
            cloud.logs.put_metric_filter("app", f"f{index}", "ERROR", [transformation])
        with pytest.raises(LimitExceededException):
            cloud.logs.put_metric_filter("app", "f100", "ERROR", [transformation])
        cloud.logs.put_metric_filter("app", "f0", "WARN", [transformation])  # an update is fine

    def test_metric_filter_feeds_an_alarm_count(self, cloud: Cloud) -> None:
        """A count filter with defaultValue 0 publishes 1 per match and 0 per other event."""
        cloud.logs.put_metric_filter(
            "app",
            "errors",
            "Error",
            [
                MetricTransformation(
                    metric_name="Errors", metric_namespace="App", metric_value="1", default_value=0
                )
            ],
        )
        put(
            cloud, ["This message contains an Error", "fine", "This message also contains an Error"]
        )
        stats = cloud.cloudwatch.get_metric_statistics(
            "App",
            "Errors",
            start_time=cloud.clock.now() - timedelta(minutes=1),
            end_time=cloud.clock.now() + timedelta(minutes=1),
            period=60,
            statistics=["Sum", "SampleCount"],
        )
        (point,) = stats.datapoints
        assert (point.statistics["Sum"], point.statistics["SampleCount"]) == (2.0, 3.0)
