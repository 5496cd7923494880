"""Tests of awsmon/cloudwatch/metrics/datapoints.py: GetMetricStatistics' answer on mixed,
aged data (through awsmon/cloudwatch/service.py).

GetMetricStatistics' Sum is, bit for bit, the plain time-ordered sum of the
period's stored slots (what the alarms add), and the whole answer (every
statistic, extended statistics, units, order) is the same whichever engine
summarizes the periods (`awsmon.cloudwatch.metrics.periods`).
"""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awsmon import Cloud, VirtualClock
from awsmon.cloudwatch.metrics import periods
from awsmon.cloudwatch.metrics.datapoints import MetricStatistics
from awsmon.cloudwatch.metrics.model import MetricDatum, MetricKey, StandardUnit, StatisticSet
from awsmon.cloudwatch.metrics.store import epoch_seconds, from_epoch

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
KEY = MetricKey.of("App", "Latency", {"Api": "orders"})
UNITS = [StandardUnit.MILLISECONDS, StandardUnit.COUNT, StandardUnit.NONE]

numbers = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False) | st.sampled_from(
    [0.0, -0.0, 0.1, 2.5]
)
datum = st.one_of(
    st.tuples(st.just("value"), numbers),
    st.tuples(
        st.just("values"),
        st.lists(numbers, min_size=1, max_size=4),
        st.lists(st.sampled_from([1.0, 2.0, 0.5]), min_size=4, max_size=4),
    ),
    st.tuples(st.just("set"), st.sampled_from([1.0, 3.0, 2.5]), numbers, numbers),
)
batch = st.tuples(
    st.lists(
        st.tuples(datum, st.integers(0, 13 * 24 * 60), st.sampled_from(UNITS), st.booleans()),
        min_size=1,
        max_size=25,
    ),
    # Then the clock moves on this many days: across the 15-, 63- and 455-day roll-ups.
    st.sampled_from([0, 1, 14, 16, 62, 64, 200]),
    st.integers(0, 1500),  # a run of that many 1-minute points (long windows)
)


def _datum(spec: tuple[Any, ...], at: datetime, unit: StandardUnit, high: bool) -> MetricDatum:
    common: dict[str, Any] = {
        "key": KEY,
        "timestamp": at,
        "unit": unit,
        "storage_resolution": 1 if high else 60,
    }
    if spec[0] == "value":
        return MetricDatum(value=spec[1], **common)
    if spec[0] == "values":
        values = list(dict.fromkeys(spec[1]))
        return MetricDatum(values=values, counts=spec[2][: len(values)], **common)
    count, a, b = spec[1:]
    low, high_value = min(a, b), max(a, b)
    return MetricDatum(
        statistic_values=StatisticSet(
            sample_count=count, sum=(low + high_value) / 2 * count, minimum=low, maximum=high_value
        ),
        **common,
    )


def _load(cloud: Cloud, batches: list[tuple[Any, ...]]) -> None:
    cw = cloud.cloudwatch
    for entries, days, run in batches:
        now = cloud.clock.now()
        data = [
            _datum(spec, now - timedelta(minutes=minutes_ago, seconds=7), unit, high)
            for spec, minutes_ago, unit, high in entries
        ]
        data += [
            MetricDatum(key=KEY, timestamp=now - timedelta(minutes=m), value=float(m % 89) / 7)
            for m in range(run)
        ]
        for start in range(0, len(data), 1000):
            cw.put_metric_data("App", data[start : start + 1000])
        cloud.clock.advance(timedelta(days=days, hours=1))


def _bits(answer: MetricStatistics) -> list[tuple[Any, ...]]:
    def pack(mapping: Any) -> dict[str, bytes]:
        return {name: struct.pack("<d", number) for name, number in mapping.items()}

    return [
        (p.timestamp, p.unit, pack(p.statistics), pack(p.extended_statistics))
        for p in answer.datapoints
    ]


QUERIES = [
    {"statistics": ["SampleCount", "Average", "Sum", "Minimum", "Maximum"]},
    {"statistics": ["Sum", "Minimum"]},
    {"extended_statistics": ["p50", "p99", "TM(10%:90%)", "tc90", "IQM", "PR(:300)"]},
]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(batch, min_size=1, max_size=3),
    st.data(),
    st.sampled_from([1, 60, 60, 300, 3600, 86_400]),
    st.sampled_from(QUERIES),
    st.sampled_from([None, None, StandardUnit.COUNT]),
)
def test_sum_is_the_plain_time_ordered_sum_and_engines_agree(
    batches: list[tuple[Any, ...]],
    data: st.DataObject,
    period: int,
    query: dict[str, list[str]],
    unit: StandardUnit | None,
) -> None:
    """Over fresh, rolled-up and boundary-spanning data, in every unit: Sum is ``sum`` of the
    period's slots in time order (one slot: its own sum), and both engines answer alike."""
    cloud = Cloud(clock=VirtualClock(T0))
    _load(cloud, batches)
    now = cloud.clock.now()
    metric = cloud.cloudwatch.metric(KEY)
    stored = sorted(t for series in metric.series.values() for t in series.times) if metric else []
    # From an hour (as CloudWatch aligns old start times) at or before a stored slot.
    slot = data.draw(st.sampled_from(stored), label="slot") if stored else epoch_seconds(now)
    hours = data.draw(st.integers(0, 3), label="hours before the slot")
    start = from_epoch(slot - slot % 3600 - 3600 * hours)
    span = timedelta(seconds=period * 1440)
    def ask() -> MetricStatistics:
        answer: MetricStatistics = cloud.cloudwatch.get_metric_statistics(
            "App",
            "Latency",
            dimensions={"Api": "orders"},
            start_time=start,
            end_time=start + span,
            period=period,
            unit=unit,
            **query,
        )
        return answer

    answers = []
    for threshold in (10**9, 0):  # the plain engine, then numpy wherever it answers
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(periods, "NUMPY_FROM", threshold)
            _clear_memos(cloud)
            answers.append(_bits(ask()))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("awsmon.cloudwatch.metrics.store.summarize", periods.summarize_plain)
        _clear_memos(cloud)
        plain = ask()
    assert answers[0] == _bits(plain) and answers[1] == _bits(plain)
    if "Sum" in query.get("statistics", []):
        _check_sums(cloud, plain, period)


def _clear_memos(cloud: Cloud) -> None:
    metric = cloud.cloudwatch.metric(KEY)
    for series in metric.series.values() if metric is not None else ():
        series.memo.clear()


def _check_sums(cloud: Cloud, answer: MetricStatistics, period: int) -> None:
    """Each datapoint's Sum against a plain loop over the stored slots of its period."""
    metric = cloud.cloudwatch.metric(KEY)
    assert metric is not None or not answer.datapoints
    for point in answer.datapoints:
        assert metric is not None
        series = metric.series[point.unit]
        bucket = epoch_seconds(point.timestamp)
        first, last = series.window(bucket, bucket + period)
        slot_sums = [series.sums[i] for i in range(first, last)]
        expected = slot_sums[0] if len(slot_sums) == 1 else sum(slot_sums)
        assert struct.pack("<d", point.statistics["Sum"]) == struct.pack("<d", expected)


def test_an_answer_in_aws_documentation_shape() -> None:
    """Hourly statistics over three hours of one value a minute (AWS's GetMetricStatistics
    example: Period=3600, Statistics=[Maximum, Average, SampleCount...])."""
    cloud = Cloud(clock=VirtualClock(T0))
    start = T0 - timedelta(hours=3)
    cloud.cloudwatch.put_metric_data(
        "App",
        [
            MetricDatum(key=KEY, timestamp=start + timedelta(minutes=m), value=float(m % 60))
            for m in range(180)
        ],
    )
    answer = cloud.cloudwatch.get_metric_statistics(
        "App",
        "Latency",
        dimensions={"Api": "orders"},
        start_time=start,
        end_time=T0,
        period=3600,
        statistics=["SampleCount", "Average", "Sum", "Minimum", "Maximum"],
    )
    hours = [start + timedelta(hours=h) for h in range(3)]
    assert [p.timestamp for p in answer.datapoints] == hours
    for point in answer.datapoints:
        assert point.unit is StandardUnit.NONE
        assert point.statistics == {
            "SampleCount": 60.0,
            "Average": 29.5,
            "Sum": 1770.0,
            "Minimum": 0.0,
            "Maximum": 59.0,
        }
        assert point.extended_statistics == {}
