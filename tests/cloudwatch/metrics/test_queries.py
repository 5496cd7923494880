"""Tests of GetMetricData's paging and cost (awsmon/cloudwatch/metrics/queries.py, results.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awsmon import Cloud, VirtualClock
from awsmon.cloudwatch.errors import InvalidNextToken
from awsmon.cloudwatch.metrics.model import MetricKey
from awsmon.cloudwatch.metrics.pointwise import pointwise
from awsmon.cloudwatch.metrics.queries import MetricDataQuery, MetricStat
from awsmon.cloudwatch.metrics.results import MAX_DATAPOINTS_PER_CALL, MetricDataResults

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
EVERY_MINUTE = MetricKey.of("App", "Busy")
EVERY_THIRD = MetricKey.of("App", "Sparse")


@pytest.fixture(scope="module")
def cloud() -> Cloud:
    """Two days of data: one metric every minute, one every third minute."""
    made = Cloud(clock=VirtualClock(NOW))
    minutes = range(1, 2 * 24 * 60)
    made.cloudwatch.publish(
        EVERY_MINUTE, [(NOW - timedelta(minutes=m), float(m % 50)) for m in minutes]
    )
    made.cloudwatch.publish(
        EVERY_THIRD, [(NOW - timedelta(minutes=m), float(m)) for m in minutes if m % 3 == 0]
    )
    return made


def _metric(query_id: str, key: MetricKey, *, shown: bool = True) -> MetricDataQuery:
    stat = MetricStat(metric=key, period=60, stat="Average")
    return MetricDataQuery(id=query_id, metric_stat=stat, return_data=shown)


QUERY_SETS = {
    "metrics": [_metric("busy", EVERY_MINUTE), _metric("sparse", EVERY_THIRD)],
    "pointwise": [
        _metric("busy", EVERY_MINUTE, shown=False),
        _metric("sparse", EVERY_THIRD, shown=False),
        MetricDataQuery(id="filled", expression="FILL(sparse, 0) + busy * 2"),
        MetricDataQuery(id="ones", expression="TIME_SERIES(1)"),
        MetricDataQuery(id="both", expression="METRICS() * 10"),
    ],
    "history": [
        _metric("sparse", EVERY_THIRD),
        MetricDataQuery(id="running", expression="RUNNING_SUM(sparse)"),
        MetricDataQuery(id="last", expression="FILL(sparse, REPEAT)"),
    ],
}


def _pages(
    cloud: Cloud, queries: list[MetricDataQuery], hours: int, size: int, scan_by: str
) -> list[MetricDataResults]:
    pages: list[MetricDataResults] = []
    token: str | None = None
    while True:
        page = cloud.cloudwatch.get_metric_data(
            queries,
            start_time=NOW - timedelta(hours=hours),
            end_time=NOW,
            scan_by=scan_by,
            max_datapoints=size,
            next_token=token,
        )
        pages.append(page)
        assert sum(len(r.values) for r in page.results) <= size
        token = page.next_token
        if token is None:
            return pages


def _joined(pages: list[MetricDataResults]) -> dict[tuple[str, str], list[tuple[datetime, float]]]:
    joined: dict[tuple[str, str], list[tuple[datetime, float]]] = {}
    for page in pages:
        for result in page.results:
            joined.setdefault((result.id, result.label), []).extend(
                zip(result.timestamps, result.values, strict=True)
            )
    return joined


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from(sorted(QUERY_SETS)),
    st.integers(1, 12),
    st.sampled_from([97, 500, 5000]),
    st.sampled_from(["TimestampDescending", "TimestampAscending"]),
)
def test_pages_join_to_the_whole_answer(
    cloud: Cloud, name: str, hours: int, size: int, scan_by: str
) -> None:
    """Whatever MaxDatapoints is, the pages together are the one-page answer, in order.

    (A query a page does not reach is listed empty with PartialData; its
    series come on the pages after.)
    """
    queries = QUERY_SETS[name]
    (whole,) = _pages(cloud, queries, hours, MAX_DATAPOINTS_PER_CALL, scan_by)
    paged = _joined(_pages(cloud, queries, hours, size, scan_by))
    assert {k: v for k, v in paged.items() if v} == {k: v for k, v in _joined([whole]).items() if v}
    assert all(r.status_code == "Complete" for r in whole.results)


def test_first_page_of_a_long_range_is_the_newest_data(cloud: Cloud) -> None:
    """With ScanBy=TimestampDescending a page holds the newest values, flagged PartialData."""
    page = cloud.cloudwatch.get_metric_data(
        [MetricDataQuery(id="ones", expression="TIME_SERIES(1)"), _metric("busy", EVERY_MINUTE)],
        start_time=NOW - timedelta(days=2),
        end_time=NOW,
        max_datapoints=10,
    )
    ones, busy = page.results
    assert ones.status_code == "PartialData" and len(ones.values) == 10
    assert ones.timestamps[0] == NOW - timedelta(minutes=1)
    assert busy.status_code == "PartialData" and busy.values == ()
    assert page.next_token is not None


def test_a_call_returns_at_most_100800_datapoints() -> None:
    """AWS: a call returns as many as 100,800 datapoints; a larger MaxDatapoints pages there.

    TIME_SERIES(1) over 455 days at Period=3600 is 10,920 points a query; 20
    such queries are 218,400 points, so three pages of at most 100,800.
    """
    cloud = Cloud(clock=VirtualClock(NOW))
    queries = [
        MetricDataQuery(id=f"t{i}", expression="TIME_SERIES(1)", period=3600) for i in range(20)
    ]
    sizes: list[int] = []
    token: str | None = None
    while True:
        page = cloud.cloudwatch.get_metric_data(
            queries,
            start_time=NOW - timedelta(days=455),
            end_time=NOW,
            max_datapoints=500_000,
            next_token=token,
        )
        sizes.append(sum(len(r.values) for r in page.results))
        token = page.next_token
        if token is None:
            break
    assert sizes == [100_800, 100_800, 16_800]


def test_a_token_of_another_request_is_refused(cloud: Cloud) -> None:
    """NextToken names its request; another request's token is InvalidNextToken."""
    queries = QUERY_SETS["metrics"]
    page = cloud.cloudwatch.get_metric_data(
        queries, start_time=NOW - timedelta(hours=1), end_time=NOW, max_datapoints=5
    )
    assert page.next_token is not None
    with pytest.raises(InvalidNextToken, match="NextToken"):
        cloud.cloudwatch.get_metric_data(
            queries[:1],
            start_time=NOW - timedelta(hours=1),
            end_time=NOW,
            next_token=page.next_token,
        )


def test_pointwise_expressions() -> None:
    """Period-by-period expressions may be read over part of the range; the others may not."""
    def texts(name: str) -> list[str]:
        return [q.expression for q in QUERY_SETS[name] if q.expression is not None]

    assert pointwise(texts("pointwise"))
    assert not pointwise(texts("history"))
    for text in ("SUM(m1)", "RATE(m1)", "FILL(m1, LINEAR)", "SEARCH('{A} x', 'Sum', 60)"):
        assert not pointwise([text])
    assert pointwise(["IF(m1 > 2, m1, 0) / PERIOD(m1)", "m1 * 2 + 1"])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 3000), st.floats(-1e6, 1e6, allow_nan=False) | st.just(-0.0)),
        min_size=1,
        max_size=400,
    ),
    st.sampled_from(["SampleCount", "Average", "Sum", "Minimum", "Maximum"]),
    st.sampled_from([60, 120, 300, 3600]),
)
def test_a_basic_statistic_reads_what_each_period_aggregates(
    points: list[tuple[int, float]], stat: str, period: int
) -> None:
    """MetricStat with a basic statistic (read from every period's statistic set at once)
    gives, bit for bit, the statistic of each period's aggregate, period by period."""
    import struct

    from awsmon.cloudwatch.metrics.statistics import parse_statistic
    from awsmon.cloudwatch.metrics.store import epoch_seconds, from_epoch

    made = Cloud(clock=VirtualClock(NOW))
    key = MetricKey.of("App", "Random")
    made.cloudwatch.publish(key, [(NOW - timedelta(seconds=s * 17), v) for s, v in points])
    start, end = NOW - timedelta(days=1), NOW + timedelta(minutes=1)
    query = MetricDataQuery(id="m", metric_stat=MetricStat(metric=key, period=period, stat=stat))
    page = made.cloudwatch.get_metric_data([query], start_time=start, end_time=end)
    (result,) = page.results
    metric = made.cloudwatch.metric(key)
    assert metric is not None
    (series,) = metric.series.values()
    statistic = parse_statistic(stat)
    expected = [
        (from_epoch(bucket), statistic.compute(series.aggregate(low, high, raw=False)))
        for bucket, low, high in series.buckets(epoch_seconds(start), epoch_seconds(end), period)
    ]
    expected.reverse()  # GetMetricData's default ScanBy is TimestampDescending
    assert list(result.timestamps) == [when for when, _ in expected]
    assert [struct.pack("<d", v) for v in result.values] == [
        struct.pack("<d", v) for _, v in expected
    ]
