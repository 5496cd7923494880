"""Pictures of alarms: the metric with its threshold and state bands, and a state timeline.

`alarm_chart` draws what an alarm watches (its metric and statistic, or its math
expression's series) with the threshold line and the alarm's states shaded
behind (OK green, ALARM red, INSUFFICIENT_DATA grey); `alarm_timeline` draws
the states alone as one bar with the transitions marked. The states come from
the alarm's StateUpdate history items, so the pictures show what
DescribeAlarmHistory tells. Used through `CloudWatch.alarm_chart` and
`CloudWatch.alarm_timeline`; matplotlib is imported only when drawn.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from attrs import frozen

from awsmon.cloudwatch.alarms.model import AlarmState
from awsmon.cloudwatch.alarms.records import (
    AlarmHistoryItem,
    CompositeAlarm,
    HistoryItemType,
    MetricAlarm,
)
from awsmon.cloudwatch.metrics.queries import MetricDataQuery, MetricStat
from awsmon.cloudwatch.widgets.render import MetricReader
from awsmon.pictures import Chart, time_axis

__all__ = ["StateSpan", "alarm_chart", "alarm_timeline", "state_spans"]

#: The colour of each state, as the CloudWatch console shades them.
STATE_COLORS = {
    AlarmState.OK: "#2ca02c",
    AlarmState.ALARM: "#d62728",
    AlarmState.INSUFFICIENT_DATA: "#9e9e9e",
}


@frozen
class StateSpan:
    """The alarm was in `state` from `start` to `end`."""

    start: datetime
    end: datetime
    state: AlarmState


def state_spans(
    alarm: MetricAlarm | CompositeAlarm, history: Sequence[AlarmHistoryItem], now: datetime
) -> list[StateSpan]:
    """The alarm's states over time, from its first history item (or last change) to `now`."""
    mine = [h for h in history if h.alarm_name == alarm.name]
    updates = [h for h in mine if h.item_type is HistoryItemType.STATE_UPDATE]
    start = mine[0].timestamp if mine else alarm.state_transitioned_at
    if not updates:
        return [StateSpan(start, now, alarm.state)]
    spans = []
    state = AlarmState(json.loads(updates[0].data)["oldState"]["stateValue"])
    for item in updates:
        if item.timestamp > start:
            spans.append(StateSpan(start, item.timestamp, state))
        start = item.timestamp
        state = AlarmState(json.loads(item.data)["newState"]["stateValue"])
    spans.append(StateSpan(start, now, state))
    return spans


def _queries(alarm: MetricAlarm) -> list[MetricDataQuery]:
    if alarm.metric is not None:
        stat = alarm.statistic or alarm.extended_statistic or "Average"
        return [
            MetricDataQuery(
                id="m1",
                metric_stat=MetricStat(
                    metric=alarm.metric, period=alarm.period, stat=stat, unit=alarm.unit
                ),
                label=f"{alarm.metric.name} {stat}",
            )
        ]
    return list(alarm.metrics)


def alarm_chart(
    alarm: MetricAlarm,
    history: Sequence[AlarmHistoryItem],
    reader: MetricReader,
    now: datetime,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    width: int = 800,
    height: int = 400,
) -> Chart:
    """The alarm's metric with its threshold and its states shaded behind.

    The range defaults to the alarm's life (from three hours back when it is
    younger, at most one day), ending now.
    """
    spans = state_spans(alarm, history, now)
    end = end or now
    if start is None:
        start = max(min(spans[0].start, end - timedelta(hours=3)), end - timedelta(days=1))
    answer = reader.get_metric_data(
        _queries(alarm), start_time=start, end_time=end, scan_by="TimestampAscending"
    )
    series = [(r.label, r.timestamps, r.values) for r in answer.results]

    def draw(figure: Any) -> None:
        axes = figure.add_axes((0.08, 0.2, 0.88, 0.65))
        figure.text(0.02, 0.96, f"{alarm.name}: {alarm.state.value}", fontsize=11,
                    fontweight="bold", va="top", color=STATE_COLORS[alarm.state])  # fmt: skip
        figure.text(0.02, 0.905, alarm.rule_text(), fontsize=8, va="top", color="#545b64")
        for label, times, values in series:
            axes.plot([t.replace(tzinfo=None) for t in times], values, label=label, color="#1f77b4",
                      marker="o" if len(values) < 30 else None, markersize=3)  # fmt: skip
        if alarm.config.threshold is not None:
            axes.axhline(alarm.config.threshold, color="#d62728", linestyle="--", linewidth=1,
                         label=f"threshold {alarm.config.threshold:g}")  # fmt: skip
        _shade(axes, spans, start, end)
        axes.set_xlim(start.replace(tzinfo=None), end.replace(tzinfo=None))
        _time_axis(axes)
        _state_legend(figure, axes)

    return Chart(draw, width, height, f"alarm {alarm.name}")


def alarm_timeline(
    alarm: MetricAlarm | CompositeAlarm,
    history: Sequence[AlarmHistoryItem],
    now: datetime,
    *,
    width: int = 800,
    height: int = 160,
) -> Chart:
    """The alarm's states as one bar over time, each transition marked with its new state."""
    spans = state_spans(alarm, history, now)

    def draw(figure: Any) -> None:
        axes = figure.add_axes((0.03, 0.35, 0.94, 0.35))
        figure.text(0.02, 0.95, f"{alarm.name}: state timeline", fontsize=10,
                    fontweight="bold", va="top")  # fmt: skip
        begin, finish = spans[0].start.replace(tzinfo=None), now.replace(tzinfo=None)
        if finish <= begin:
            finish = begin + timedelta(minutes=1)
        for span in spans:
            left = span.start.replace(tzinfo=None)
            right = max(span.end.replace(tzinfo=None), left)
            axes.axvspan(left, right, color=STATE_COLORS[span.state], alpha=0.8)
            if (span.end - span.start) / (finish - begin) >= 0.08:  # room for its name
                axes.text(left, 1.05, span.state.value, fontsize=7, color=STATE_COLORS[span.state],
                          transform=axes.get_xaxis_transform())  # fmt: skip
        axes.set_xlim(begin, finish)
        axes.set_yticks([])
        _time_axis(axes)
        _state_legend(figure, axes, with_lines=False)

    return Chart(draw, width, height, f"alarm {alarm.name} states")


def _shade(axes: Any, spans: Sequence[StateSpan], start: datetime, end: datetime) -> None:
    for span in spans:
        left, right = max(span.start, start), min(span.end, end)
        if left < right:
            axes.axvspan(left.replace(tzinfo=None), right.replace(tzinfo=None),
                         color=STATE_COLORS[span.state], alpha=0.12, linewidth=0)  # fmt: skip


def _time_axis(axes: Any) -> None:
    time_axis(axes)
    axes.grid(True, axis="x", color="#e9ebed")


def _state_legend(figure: Any, axes: Any, *, with_lines: bool = True) -> None:
    from matplotlib.patches import Patch

    handles, labels = axes.get_legend_handles_labels() if with_lines else ([], [])
    for state, color in STATE_COLORS.items():
        handles.append(Patch(color=color, alpha=0.5))
        labels.append(state.value)
    figure.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8, frameon=False)
