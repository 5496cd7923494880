"""One evaluation of a metric alarm: read its window, decide its state, explain a change.

`MetricAlarmEvaluator` is the alarm owner's
(`awsmon.cloudwatch.alarms.store.Alarms`) collaborator for the work the clock
drives. It reads the metric store below it and changes nothing: it answers
with the `StateChange` to make, or None.

- An evaluation reads the R = N + 2 most recent periods ending at the
  evaluation instant rounded down to the minute (`awsmon.cloudwatch.alarms.window`).
- Static single-metric alarms decide on plain floats
  (`awsmon.cloudwatch.alarms.window.quick_state`) and build the full result
  only when the state changes; the others run
  `awsmon.cloudwatch.alarms.evaluation.evaluate` on every evaluation.
- A change carries StateReason and StateReasonData
  (`awsmon.cloudwatch.alarms.reason`).

Simulation notes:
    Evaluation errors of math alarms (an expression failing on the data)
    count as missing data rather than setting EvaluationState.
"""

from __future__ import annotations

from typing import Any

from attrs import frozen

from awsmon.cloudwatch.alarms.evaluation import evaluate
from awsmon.cloudwatch.alarms.model import AlarmState, PeriodValue
from awsmon.cloudwatch.alarms.reason import (
    state_reason,
    state_reason_data,
    state_reason_data_json,
)
from awsmon.cloudwatch.alarms.records import MetricAlarm
from awsmon.cloudwatch.alarms.window import quick_state, read_fast, read_window, window_end
from awsmon.cloudwatch.math.expression import Series
from awsmon.cloudwatch.metrics.catalog import Metric, MetricCatalog
from awsmon.cloudwatch.metrics.queries import BandModel, MetricDataRequest
from awsmon.cloudwatch.metrics.store import SeriesStore, epoch_seconds, from_epoch
from awsmon.errors import ServiceError

__all__ = ["MetricAlarmEvaluator", "StateChange"]


@frozen
class StateChange:
    """A state an evaluation moves an alarm to, with its StateReason and StateReasonData.

    Attributes:
        state: the new state.
        reason: StateReason.
        reason_data: StateReasonData as JSON text.
        data: the same, as an object (for the history item).
    """

    state: AlarmState
    reason: str
    reason_data: str
    data: Any


class MetricAlarmEvaluator:
    """Evaluates metric alarms against `metrics`, with anomaly bands from `bands`."""

    def __init__(self, metrics: MetricCatalog, bands: BandModel) -> None:
        self._metrics = metrics
        self._bands = bands

    def _series(self, alarm: MetricAlarm) -> SeriesStore | None:
        assert alarm.metric is not None
        metric: Metric | None = alarm.metric_ref
        if metric is None:
            # Metrics are never removed, so the first lookup that finds one holds.
            metric = alarm.metric_ref = self._metrics.get(alarm.metric)
            if metric is None:
                return None
        return metric.series_of(alarm.unit)

    def evaluate(self, alarm: MetricAlarm, now: int) -> StateChange | None:
        """The change one evaluation at epoch second `now` makes to `alarm`, or None."""
        period = alarm.period
        fast = alarm.fast_plan
        if fast is not None:
            size, n, m, treat, breaches, statistic = fast
            start = window_end(now, period) - size * period
            series = self._series(alarm)
            values = read_fast(series, statistic, start, period, size)
            if quick_state(breaches, n, m, treat, values, alarm.state) is alarm.state:
                return None
            window = read_window(series, statistic, start, period, size)
        else:
            size = alarm.config.range_size
            start, window = self.window_at(alarm, now)
        config = alarm.config
        result = evaluate(config, window, alarm.state)
        if result.state is alarm.state:
            return None
        stamps = [from_epoch(start + i * period) for i in range(size)]
        data = state_reason_data(config, result, stamps, evaluated_at=from_epoch(now))
        return StateChange(
            result.state,
            state_reason(config, result, stamps),
            state_reason_data_json(data),
            data,
        )

    def window_at(self, alarm: MetricAlarm, now: int) -> tuple[int, list[PeriodValue | None]]:
        """The window an evaluation at epoch second `now` reads: its first period start, slots."""
        period = alarm.period
        size = alarm.config.range_size
        start = window_end(now, period) - size * period
        if alarm.math_plan is not None:
            return start, self._math_window(alarm, start, size, now)
        assert alarm.parsed_statistic is not None
        return start, read_window(self._series(alarm), alarm.parsed_statistic, start, period, size)

    def _math_window(
        self, alarm: MetricAlarm, start: int, size: int, now: int
    ) -> list[PeriodValue | None]:
        plan = alarm.math_plan
        assert plan is not None
        period = alarm.period
        window: list[PeriodValue | None] = [None] * size
        request = MetricDataRequest(
            self._metrics,
            alarm.metrics,
            from_epoch(start),
            from_epoch(start + size * period),
            now=from_epoch(now),
            bands=self._bands,
        )
        request.compiled.update(plan.compiled)
        request.statistics.update(plan.statistics)
        try:
            value = request.result(plan.return_id)
        except ServiceError:
            return window
        series = value if isinstance(value, Series) else (value[0] if len(value) == 1 else None)
        if series is None:
            return window
        for when, number in series.points():
            index = (epoch_seconds(when) - start) // period
            if 0 <= index < size:
                window[index] = PeriodValue(number)
        if plan.band is None:
            return window
        metric_id, width = plan.band
        query = next(q for q in alarm.metrics if q.id == metric_id)
        assert query.metric_stat is not None
        starts = [start + i * period for i in range(size)]
        bands = self._bands.anomaly_band(
            query.metric_stat.metric, query.metric_stat.stat, period, starts, width
        )
        for index, band in enumerate(bands):
            point = window[index]
            if point is not None:
                window[index] = (
                    None if band is None else PeriodValue(point.value, lower=band[0], upper=band[1])
                )
        return window
