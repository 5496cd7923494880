"""Tests of awsmon/cloudwatch/alarms/window.py: the fast state decision agrees with `evaluate`,
the fast window read agrees with the store's own aggregation, and, end to end, an alarm on the
clock always holds the state a direct re-evaluation of its window gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from awsmon import Cloud, VirtualClock
from awsmon.cloudwatch.alarms.evaluation import evaluate
from awsmon.cloudwatch.alarms.model import AlarmState, EvaluationConfig, TreatMissingData
from awsmon.cloudwatch.alarms.window import (
    breach_test,
    quick_state,
    read_fast,
    read_window,
    window_end,
)
from awsmon.cloudwatch.metrics.model import MetricKey
from awsmon.cloudwatch.metrics.statistics import parse_statistic
from awsmon.cloudwatch.metrics.store import SeriesStore, epoch_seconds

STATIC = [
    "GreaterThanThreshold",
    "GreaterThanOrEqualToThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
]
values = st.sampled_from([0.0, 1.0, 2.0, 3.0, 4.0, -1.5, 2.5])


@st.composite
def configs_and_windows(draw: st.DrawFn) -> tuple[EvaluationConfig, list[float | None]]:
    n = draw(st.integers(1, 6))
    m = draw(st.none() | st.integers(1, n))
    config = EvaluationConfig(
        comparison_operator=draw(st.sampled_from(STATIC)),
        evaluation_periods=n,
        datapoints_to_alarm=m,
        threshold=draw(values),
        treat_missing_data=draw(st.sampled_from(list(TreatMissingData))),
        namespace=draw(st.sampled_from(["App", "AWS/DynamoDB"])),
    )
    window = draw(st.lists(st.none() | values, min_size=n + 2, max_size=n + 2))
    return config, window


class TestQuickState:
    @given(configs_and_windows(), st.sampled_from(list(AlarmState)))
    def test_agrees_with_evaluate(
        self, case: tuple[EvaluationConfig, list[float | None]], current: AlarmState
    ) -> None:
        """quick_state decides exactly what the full evaluation decides."""
        config, window = case
        fast = quick_state(
            breach_test(config),
            config.evaluation_periods,
            config.required_breaching,
            config.effective_treat_missing_data,
            window,
            current,
        )
        assert fast is evaluate(config, window, current).state

    def test_window_end_rounds_to_the_minute_or_the_period(self) -> None:
        """Minute alignment for long periods, period alignment under a minute."""
        assert window_end(3599, 300) == 3540
        assert window_end(3599, 20) == 3580


@st.composite
def stores(draw: st.DrawFn) -> SeriesStore:
    store = SeriesStore()
    for slot, value in draw(
        st.lists(st.tuples(st.integers(0, 40).map(lambda i: i * 30), values), max_size=40)
    ):
        if draw(st.booleans()):
            store.add_value(slot, value)
        else:
            store.add_values(slot, {value: 1.0, value + 1: 2.0})
    return store


class TestReadFast:
    @given(
        stores(),
        st.sampled_from(["Average", "Sum", "Minimum", "Maximum", "SampleCount", "p50"]),
        st.sampled_from([60, 120, 300]),
        st.integers(0, 600),
    )
    def test_agrees_with_the_aggregating_read(
        self, store: SeriesStore, name: str, period: int, start: int
    ) -> None:
        """The column read gives the values of the aggregate read, slot for slot."""
        statistic = parse_statistic(name)
        fast = read_fast(store, statistic, start, period, 5)
        full = read_window(store, statistic, start, period, 5)
        assert fast == [None if p is None else p.value for p in full]


T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
KEY = MetricKey.of("App", "Load")


class TestScenario:
    @settings(max_examples=30)
    @given(
        n=st.integers(1, 4),
        m_offset=st.integers(0, 3),
        treat=st.sampled_from(["missing", "ignore", "breaching", "notBreaching"]),
        period=st.sampled_from([60, 120]),
        stream=st.lists(st.lists(values, max_size=2), min_size=5, max_size=25),
    )
    def test_state_equals_a_direct_reevaluation(
        self, n: int, m_offset: int, treat: str, period: int, stream: list[list[float]]
    ) -> None:
        """After every minute, the alarm's state is what `evaluate` gives on the window read
        back through GetMetricStatistics at that instant."""
        cloud = Cloud(clock=VirtualClock(T0))
        cw = cloud.cloudwatch
        m = max(1, n - m_offset)
        alarm = cw.put_metric_alarm(
            "load",
            metric_name="Load",
            namespace="App",
            statistic="Average",
            period=period,
            evaluation_periods=n,
            datapoints_to_alarm=m,
            threshold=2.0,
            comparison_operator="GreaterThanOrEqualToThreshold",
            treat_missing_data=treat,
        )
        for minute, batch in enumerate(stream):
            now = cloud.clock.now()
            for offset, value in enumerate(batch):
                cw.publish(KEY, [(now + timedelta(seconds=10 + offset), value)])
            before = alarm.state
            cloud.clock.advance(60)
            instant = cloud.clock.now()
            size = alarm.config.range_size
            end = window_end(epoch_seconds(instant), period)
            start = T0 + timedelta(seconds=end - epoch_seconds(T0) - size * period)
            answer = cw.get_metric_statistics(
                "App",
                "Load",
                start_time=start,
                end_time=start + timedelta(seconds=size * period),
                period=period,
                statistics=["Average"],
            )
            window: list[float | None] = [None] * size
            for point in answer.datapoints:
                index = int((point.timestamp - start).total_seconds()) // period
                window[index] = point.statistics["Average"]
            expected = evaluate(alarm.config, window, before).state
            assert alarm.state is expected, (minute, window, before)
