"""Draw a `MetricWidget` as GetMetricWidgetImage does: read its data, draw a `Chart`.

`widget_series` reads the widget's metrics and expressions through GetMetricData
(so labels, statistics and metric math are the service's own); `widget_chart`
draws them: a time series (lines or stacked areas, left and right axes,
horizontal and vertical annotations as lines or shaded bands), a bar chart, a
pie chart or single values, with the title and legend the widget asks for, at
its pixel size. matplotlib is imported only when the chart is drawn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from attrs import frozen

from awsmon.cloudwatch.metrics.model import Dimension, MetricKey
from awsmon.cloudwatch.metrics.queries import MetricDataQuery, MetricStat
from awsmon.cloudwatch.metrics.results import MetricDataResults
from awsmon.cloudwatch.widgets.spec import MetricWidget, WidgetError, WidgetMetric, YAxis
from awsmon.pictures import Chart, time_axis

__all__ = ["MetricReader", "WidgetSeries", "draw_widget", "widget_chart", "widget_series"]

#: The colours CloudWatch gives series in order (the category-10 palette).
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip


class MetricReader(Protocol):
    """What the renderer asks of the CloudWatch service: GetMetricData."""

    def get_metric_data(
        self,
        queries: Sequence[MetricDataQuery],
        *,
        start_time: datetime,
        end_time: datetime,
        scan_by: str = ...,
    ) -> MetricDataResults:
        """GetMetricData."""
        ...


@frozen
class WidgetSeries:
    """One drawn series: its legend text, colour, axis and (time, value) points."""

    label: str
    color: str
    y_axis: str
    timestamps: tuple[datetime, ...]
    values: tuple[float, ...]

    @property
    def last(self) -> float | None:
        """The newest value, or None without data."""
        return self.values[-1] if self.values else None


def _period(widget: MetricWidget, start: datetime, end: datetime) -> int:
    if not widget.set_period_to_time_range:
        return widget.period
    seconds = (end - start).total_seconds()
    return max(60, math.ceil(seconds / 60) * 60)


def _label(metric: WidgetMetric, names: Sequence[str]) -> str | None:
    """The metric's label; a metric named like another gets its dimension values added."""
    if metric.label or metric.expression is not None or names.count(metric.name) < 2:
        return metric.label
    return " ".join([metric.name, *(value for _, value in metric.dimensions)])


def _queries(widget: MetricWidget, period: int) -> list[MetricDataQuery]:
    queries = []
    names = [m.name for m in widget.metrics if m.expression is None]
    for metric in widget.metrics:
        if metric.expression is not None:
            queries.append(
                MetricDataQuery(
                    id=metric.id,
                    expression=metric.expression,
                    label=metric.label,
                    return_data=metric.visible,
                    period=metric.period or period,
                )
            )
            continue
        key = MetricKey.of(
            metric.namespace, metric.name, [Dimension(n, v) for n, v in metric.dimensions]
        )
        stat = MetricStat(
            metric=key, period=metric.period or period, stat=metric.stat or widget.stat
        )
        queries.append(
            MetricDataQuery(
                id=metric.id,
                metric_stat=stat,
                label=_label(metric, names),
                return_data=metric.visible,
            )
        )
    return queries


def widget_series(
    widget: MetricWidget, reader: MetricReader, now: datetime
) -> tuple[list[WidgetSeries], tuple[datetime, datetime]]:
    """Read the widget's visible series and its time range (relative times from `now`).

    Raises:
        WidgetError: the time range is empty.
        InvalidParameterValue, ValidationError: as GetMetricData raises them.
    """
    start, end = widget.time_range(now)
    if start >= end:
        raise WidgetError("start", f"must be before end ({start.isoformat()} >= {end.isoformat()})")
    answer = reader.get_metric_data(
        _queries(widget, _period(widget, start, end)),
        start_time=start,
        end_time=end,
        scan_by="TimestampAscending",
    )
    by_id = {m.id: m for m in widget.metrics}
    series = []
    taken = {m.color for m in widget.metrics if m.color}
    free = iter([c for c in PALETTE if c not in taken] * (1 + len(answer.results) // len(PALETTE)))
    for result in answer.results:
        metric = by_id.get(result.id)
        series.append(
            WidgetSeries(
                label=result.label,
                color=(metric.color if metric and metric.color else next(free)),
                y_axis=metric.y_axis if metric else "left",
                timestamps=result.timestamps,
                values=result.values,
            )
        )
    return series, (start, end)


def widget_chart(widget: MetricWidget, reader: MetricReader, now: datetime) -> Chart:
    """The widget as a `Chart` of its pixel size (the data is read now, drawn on demand)."""
    series, span = widget_series(widget, reader, now)
    return Chart(
        lambda figure: draw_widget(figure, widget, series, span),
        widget.width,
        widget.height,
        widget.title or "metric widget",
    )


def draw_widget(
    figure: Any,
    widget: MetricWidget,
    series: Sequence[WidgetSeries],
    span: tuple[datetime, datetime],
) -> None:
    """Draw `series` on `figure` the way `widget` asks."""
    figure.set_facecolor("white")
    top = 0.88 if widget.title else 0.96
    if widget.title:
        figure.text(0.02, 0.97, widget.title, fontsize=11, fontweight="bold", va="top")
    if not any(s.values for s in series):
        figure.text(0.5, 0.5, "No data available.", ha="center", va="center", color="#687078")
        return
    legend_room = 0.0 if widget.legend != "bottom" or widget.view == "singleValue" else 0.12
    right_room = 0.25 if widget.legend == "right" else 0.0
    box = (0.08, 0.1 + legend_room, 0.88 - right_room, top - 0.1 - legend_room)
    if widget.view == "singleValue":
        _single_values(figure, series, top)
        return
    axes = figure.add_axes(box)
    if widget.view == "timeSeries":
        _time_series(axes, widget, series, span)
    elif widget.view == "bar":
        _bars(axes, series)
    else:
        _pie(axes, series)
    _legend(figure, axes, widget)


def _local(moment: datetime, widget: MetricWidget) -> datetime:
    return (moment + widget.timezone).replace(tzinfo=None)


def _time_series(
    axes: Any, widget: MetricWidget, series: Sequence[WidgetSeries], span: tuple[datetime, datetime]
) -> None:
    right = axes.twinx() if any(s.y_axis == "right" for s in series) else None
    left_series = [s for s in series if s.y_axis == "left" or right is None]
    if widget.stacked and left_series:
        times = sorted({t for s in left_series for t in s.timestamps})
        stacks = [
            [dict(zip(s.timestamps, s.values, strict=True)).get(t, 0.0) for t in times]
            for s in left_series
        ]
        axes.stackplot(
            [_local(t, widget) for t in times],
            stacks,
            labels=[s.label for s in left_series],
            colors=[s.color for s in left_series],
            alpha=0.6,
        )
    for s in series:
        target = right if (right is not None and s.y_axis == "right") else axes
        if widget.stacked and target is axes:
            continue
        target.plot(
            [_local(t, widget) for t in s.timestamps],
            s.values,
            color=s.color,
            label=s.label,
            linewidth=1.5,
            marker="o" if len(s.values) == 1 else None,
            markersize=3,
        )
    axes.set_xlim(_local(span[0], widget), _local(span[1], widget))
    time_axis(axes)
    axes.grid(True, color="#e9ebed", linewidth=0.8)
    for side, target, settings in (("left", axes, widget.left), ("right", right, widget.right)):
        if target is not None:
            _y_axis(target, side, settings, widget, lone=right is None)
    _annotations(axes, right, widget, span)


def _y_axis(target: Any, side: str, settings: YAxis, widget: MetricWidget, *, lone: bool) -> None:
    """Bounds from the data and the axis's annotations (from 0 for data that is never negative)."""
    low, high = target.get_ylim()
    marks = [
        value
        for h in widget.horizontal
        if h.visible and (h.y_axis == side or lone)
        for value in (h.value, h.band_to)
        if value is not None
    ]
    low, high = min([low, *marks]), max([high, *marks])
    if marks and high == max(marks):
        high += 0.05 * (high - low or 1.0)
    target.set_ylim(
        settings.min if settings.min is not None else (0.0 if low >= 0 else low),
        settings.max if settings.max is not None else high,
    )
    if settings.label:
        target.set_ylabel(settings.label, fontsize=8)
    target.tick_params(labelsize=8)
    target.spines[side].set_color("#879596")


def _annotations(
    axes: Any, right: Any, widget: MetricWidget, span: tuple[datetime, datetime]
) -> None:
    """Horizontal lines and bands, then vertical ones, then the fills up to the plot's edges."""
    fills: list[tuple[Any, float, str, str]] = []
    for h in widget.horizontal:
        if not h.visible:
            continue
        target = right if (h.y_axis == "right" and right is not None) else axes
        color = h.color or "#d62728"
        if h.band_to is not None:
            target.axhspan(
                min(h.value, h.band_to), max(h.value, h.band_to), color=color, alpha=0.15
            )
        target.axhline(h.value, color=color, linewidth=1, linestyle="--", label=h.label or None)
        if h.fill in ("above", "below"):
            fills.append((target, h.value, h.fill, color))
    for target, value, fill, color in fills:
        low, high = target.get_ylim()
        target.axhspan(value, high, color=color, alpha=0.1) if fill == "above" else target.axhspan(
            low, value, color=color, alpha=0.1
        )
        target.set_ylim(low, high)
    first, last = _local(span[0], widget), _local(span[1], widget)
    for v in widget.vertical:
        if not v.visible:
            continue
        color = v.color or "#ff7f0e"
        at = _local(v.value, widget)
        if v.band_to is not None:
            axes.axvspan(at, _local(v.band_to, widget), color=color, alpha=0.15)
        axes.axvline(at, color=color, linewidth=1, label=v.label or None)
        if v.fill == "before":
            axes.axvspan(first, at, color=color, alpha=0.1)
        elif v.fill == "after":
            axes.axvspan(at, last, color=color, alpha=0.1)


def _bars(axes: Any, series: Sequence[WidgetSeries]) -> None:
    shown = [s for s in series if s.last is not None]
    axes.bar(
        range(len(shown)),
        [s.last for s in shown],
        color=[s.color for s in shown],
        label=[s.label for s in shown],
    )
    axes.set_xticks(range(len(shown)), [s.label for s in shown], fontsize=8, rotation=0)
    axes.tick_params(labelsize=8)
    axes.grid(True, axis="y", color="#e9ebed")


def _pie(axes: Any, series: Sequence[WidgetSeries]) -> None:
    shown = [s for s in series if s.last is not None and s.last > 0]
    if not shown:
        axes.set_axis_off()
        axes.text(0.5, 0.5, "No positive values to share.", ha="center", transform=axes.transAxes)
        return
    values = [s.last for s in shown if s.last is not None]
    total = sum(values)
    axes.pie(
        values,
        autopct=lambda share: f"{share * total / 100:.4g}",
        colors=[s.color for s in shown],
        startangle=90,
        counterclock=False,
        textprops={"fontsize": 8},
    )
    for s in shown:
        axes.plot([], [], color=s.color, label=s.label, linewidth=6)
    axes.set_aspect("equal")


def _single_values(figure: Any, series: Sequence[WidgetSeries], top: float) -> None:
    count = max(1, len(series))
    for index, s in enumerate(series):
        x = (index + 0.5) / count
        figure.text(x, top - 0.12, s.label, ha="center", fontsize=9, color="#545b64")
        shown = "—" if s.last is None else f"{s.last:.4g}"
        figure.text(
            x, (top - 0.12) / 2, shown, ha="center", va="center", fontsize=28, color=s.color
        )


def _legend(figure: Any, axes: Any, widget: MetricWidget) -> None:
    if widget.legend == "hidden":
        return
    handles, labels = [], []
    for target in figure.axes:
        found, texts = target.get_legend_handles_labels()
        handles.extend(found)
        labels.extend(texts)
    if not handles or widget.view == "bar":
        return
    if widget.legend == "right":
        figure.legend(handles, labels, loc="center right", fontsize=8, frameon=False)
    else:
        figure.legend(
            handles, labels, loc="lower center", ncol=min(4, len(labels)), fontsize=8, frameon=False
        )
