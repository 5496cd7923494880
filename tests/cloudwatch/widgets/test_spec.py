"""The MetricWidget JSON parser: AWS's documented structure, defaults and errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon.cloudwatch.widgets.spec import (
    MetricWidget,
    WidgetError,
    parse_duration,
    parse_widget,
)

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)

#: The example of AWS's "Metric Widget Structure and Syntax" page, in substance.
AWS_EXAMPLE = {
    "metrics": [
        ["AWS/EC2", "CPUUtilization", "AutoScalingGroupName", "my-asg-name", {"period": 300}],
        ["...", "my-other-asg", {"stat": "Maximum", "yAxis": "right", "color": "#d62728"}],
        [".", "NetworkIn", ".", "my-asg-name", {"label": "In", "visible": False}],
        [{"expression": "SUM(METRICS())", "label": "Total", "id": "e1"}],
    ],
    "view": "timeSeries",
    "stacked": False,
    "stat": "Average",
    "period": 60,
    "width": 1200,
    "height": 200,
    "start": "-PT3H",
    "end": "P0D",
    "title": "CPU and network",
    "timezone": "+0130",
    "legend": {"position": "right"},
    "yAxis": {"left": {"min": 0, "max": 100, "label": "%", "showUnits": False}},
    "annotations": {
        "horizontal": [
            {"color": "#ff6961", "label": "Trouble ahead", "value": 80, "fill": "above"},
            [{"value": 20, "label": "band"}, {"value": 40}],
        ],
        "vertical": [
            {"value": "2024-03-01T10:00:00Z", "label": "Deploy", "fill": "after"},
            [{"value": "2024-03-01T10:30:00Z"}, {"value": "2024-03-01T11:00:00Z"}],
        ],
    },
}


def test_aws_example_parses_with_every_option() -> None:
    widget = parse_widget(json.dumps(AWS_EXAMPLE))
    first, second, third, expression = widget.metrics
    assert (first.namespace, first.name, first.dimensions) == (
        "AWS/EC2",
        "CPUUtilization",
        (("AutoScalingGroupName", "my-asg-name"),),
    )
    assert first.period == 300 and first.id == "m1"
    assert second.dimensions == (("AutoScalingGroupName", "my-other-asg"),)
    assert (second.stat, second.y_axis, second.color) == ("Maximum", "right", "#d62728")
    assert (third.namespace, third.name, third.label, third.visible) == (
        "AWS/EC2",
        "NetworkIn",
        "In",
        False,
    )
    assert third.dimensions == (("AutoScalingGroupName", "my-asg-name"),)
    assert (expression.expression, expression.id, expression.title) == (
        "SUM(METRICS())",
        "e1",
        "Total",
    )
    assert (widget.width, widget.height, widget.period, widget.legend) == (1200, 200, 60, "right")
    assert widget.timezone == timedelta(hours=1, minutes=30)
    assert (widget.left.min, widget.left.max, widget.left.label) == (0, 100, "%")
    assert widget.left.show_units is False
    assert widget.horizontal[0].fill == "above" and widget.horizontal[1].band_to == 40
    assert widget.vertical[0].value == datetime(2024, 3, 1, 10, tzinfo=UTC)
    assert widget.vertical[1].band_to == datetime(2024, 3, 1, 11, tzinfo=UTC)
    assert widget.time_range(NOW) == (NOW - timedelta(hours=3), NOW)


def test_defaults_are_aws_defaults() -> None:
    widget = parse_widget({"metrics": [["AWS/Lambda", "Errors"]]})
    assert widget == MetricWidget(metrics=widget.metrics)
    assert (widget.width, widget.height) == (600, 400)
    assert (widget.period, widget.stat, widget.view, widget.legend) == (
        300,
        "Average",
        "timeSeries",
        "bottom",
    )
    assert widget.time_range(NOW) == (NOW - timedelta(hours=3), NOW)


def test_absolute_times() -> None:
    widget = parse_widget(
        {"metrics": [["A", "B"]], "start": "2024-03-01T00:00:00Z", "end": "2024-03-01T06:00:00"}
    )
    assert widget.time_range(NOW) == (
        datetime(2024, 3, 1, tzinfo=UTC),
        datetime(2024, 3, 1, 6, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ("{not json", "MetricWidget"),
        ([], "MetricWidget"),
        ({}, "metrics"),
        ({"metrics": []}, "metrics"),
        ({"metrics": [["A", "B"]] * 101}, "metrics"),
        ({"metrics": [["A"]]}, "metrics[0]"),
        ({"metrics": [["A", "B", "Dim"]]}, "metrics[0]"),
        ({"metrics": [["A", "B", {"bogus": 1}]]}, "metrics[0].bogus"),
        ({"metrics": [["A", "B", {"yAxis": "top"}]]}, "metrics[0].yAxis"),
        ({"metrics": [["...", "x"]]}, "metrics[0]"),
        ({"metrics": [[".", "B"]]}, "metrics[0]"),
        ({"metrics": [["A", "B", {"id": "x"}], ["A", "C", {"id": "x"}]]}, "metrics"),
        ({"metrics": [["A", "B"]], "width": 2001}, "width"),
        ({"metrics": [["A", "B"]], "height": 0}, "height"),
        ({"metrics": [["A", "B"]], "view": "gauge"}, "view"),
        ({"metrics": [["A", "B"]], "start": "-PTXH"}, "start"),
        ({"metrics": [["A", "B"]], "end": "yesterday"}, "end"),
        ({"metrics": [["A", "B"]], "start": "-PT1H", "end": "-PT2H"}, "start"),
        ({"metrics": [["A", "B"]], "timezone": "UTC"}, "timezone"),
        ({"metrics": [["A", "B"]], "legend": {"position": "top"}}, "legend.position"),
        (
            {"metrics": [["A", "B"]], "annotations": {"horizontal": [{"label": "x"}]}},
            "annotations.horizontal[0].value",
        ),
        (
            {"metrics": [["A", "B"]], "annotations": {"vertical": [{"value": 3}]}},
            "annotations.vertical[0].value",
        ),
        ({"metrics": [["A", "B"]], "yAxis": {"left": {"min": "low"}}}, "yAxis.left.min"),
        ({"metrics": [[{"expression": "m1", "label": "x"}, "A"]]}, "metrics[0]"),
    ],
)
def test_errors_name_the_field(document: Any, field: str) -> None:
    text = document if isinstance(document, str) else json.dumps(document)
    with pytest.raises(WidgetError) as caught:
        parse_widget(text)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"The MetricWidget field {field} ")


@given(
    st.integers(0, 30),
    st.integers(0, 400),
    st.integers(0, 100),
    st.integers(0, 1000),
    st.booleans(),
)
def test_durations_round_trip(
    days: int, hours: int, minutes: int, seconds: int, back: bool
) -> None:
    text = f"{'-' if back else ''}P{days}DT{hours}H{minutes}M{seconds}S"
    span = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    assert parse_duration(text) == (-span if back else span)


@pytest.mark.parametrize("text", ["P", "PT", "-P1DT", "P1H", "PT1D", "1H", "P-1D", "P1.5D"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_duration(text)


def test_weeks() -> None:
    assert parse_duration("-P2W") == timedelta(weeks=-2)


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_KEYS = st.sampled_from(
    ["metrics", "width", "height", "view", "start", "end", "period", "stat", "yAxis",
     "annotations", "legend", "timezone", "title", "stacked"]
)  # fmt: skip


@given(st.dictionaries(_KEYS, _VALUES, max_size=6))
def test_any_json_is_parsed_or_refused_with_a_widget_error(document: dict[str, Any]) -> None:
    try:
        widget = parse_widget(json.dumps(document))
    except WidgetError:
        return
    assert 1 <= len(widget.metrics) <= 100
    assert 1 <= widget.width <= 2000 and 1 <= widget.height <= 2000
