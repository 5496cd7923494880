"""Dashboards as one HTML page: the grid, each widget kind, the command line."""

from __future__ import annotations

import base64
import json
import math
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from picture_checks import table_rows

from awsmon import Cloud
from awsmon.__main__ import main
from awsmon.cloudwatch import Dimension, MetricKey
from awsmon.cloudwatch.errors import InvalidParameterValue
from awsmon.cloudwatch.widgets.dashboard import layout, markdown_html
from awsmon.cloudwatch.widgets.spec import WidgetError
from awsmon.pictures import png_size


class _Page(HTMLParser):
    """The widget sections of a dashboard page, in document order, with their images."""

    def __init__(self) -> None:
        super().__init__()
        self.widgets: list[dict[str, Any]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "title":
            self._in_title = True
        if tag == "section":
            self.widgets.append({**found, "images": [], "text": ""})
        elif tag == "img" and self.widgets:
            self.widgets[-1]["images"].append(found)

    def handle_endtag(self, tag: str) -> None:
        self._in_title = self._in_title and tag != "title"

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif self.widgets:
            self.widgets[-1]["text"] += data


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    return parser


def _png(img: dict[str, str]) -> bytes:
    prefix = "data:image/png;base64,"
    assert img["src"].startswith(prefix)
    return base64.b64decode(img["src"][len(prefix) :])


@pytest.fixture
def cloud() -> Cloud:
    cloud = Cloud(seed=2)
    cloud.clock.advance(timedelta(hours=3))
    now = cloud.clock.now()
    key = MetricKey.of("AWS/EC2", "CPUUtilization", [Dimension("InstanceId", "i-1")])
    cloud.cloudwatch.publish(
        key, [(now - timedelta(minutes=180 - i), 50 + 30 * math.sin(i / 10)) for i in range(180)]
    )
    cloud.cloudwatch.put_metric_alarm(
        "cpu-high",
        namespace="AWS/EC2",
        metric_name="CPUUtilization",
        dimensions={"InstanceId": "i-1"},
        statistic="Average",
        period=60,
        evaluation_periods=1,
        threshold=1000,
        comparison_operator="GreaterThanThreshold",
    )
    logs = cloud.logs
    logs.create_log_group("/app/web")
    logs.create_log_stream("/app/web", "s1")
    logs.put_log_events(
        "/app/web",
        "s1",
        [
            (now - timedelta(minutes=30 - i), f"GET /item/{i} status={500 if i % 7 == 0 else 200}")
            for i in range(30)
        ],
    )
    cloud.clock.advance(timedelta(minutes=2))
    return cloud


BODY = {
    "start": "-PT2H",
    "widgets": [
        {"type": "log", "x": 12, "y": 6, "width": 12, "height": 6,
         "properties": {"title": "Errors", "query": "SOURCE '/app/web' | fields @timestamp, "
                        "@message | filter @message like /status=500/ | sort @timestamp desc"}},
        {"type": "text", "x": 0, "y": 0, "width": 24, "height": 2,
         "properties": {"markdown": "# Web\nThe **web** fleet. <script>x</script>"}},
        {"type": "metric", "x": 0, "y": 2, "width": 12, "height": 6,
         "properties": {"title": "CPU", "period": 60,
                        "metrics": [["AWS/EC2", "CPUUtilization", "InstanceId", "i-1"]]}},
        {"type": "alarm", "x": 12, "y": 2, "width": 12, "height": 4,
         "properties": {"title": "Alarms", "alarms": [
             "arn:aws:cloudwatch:us-east-1:123456789012:alarm:cpu-high",
             "arn:aws:cloudwatch:us-east-1:123456789012:alarm:gone"]}},
        {"type": "metric", "width": 8, "height": 3,
         "properties": {"view": "gauge", "metrics": [["A", "B"]]}},
    ],
}  # fmt: skip


def test_a_dashboard_page_has_its_widgets_in_grid_order(cloud: Cloud, tmp_path: Path) -> None:
    cloud.cloudwatch.put_dashboard("web", json.dumps(BODY))
    page = cloud.cloudwatch.dashboard_html("web", tmp_path / "web.html")
    assert (tmp_path / "web.html").read_text() == page
    parsed = _parse(page)
    assert parsed.title.startswith("web")
    places = [(w["data-type"], int(w["data-x"]), int(w["data-y"])) for w in parsed.widgets]
    assert places == [
        ("text", 0, 0),
        ("metric", 0, 2),
        ("alarm", 12, 2),
        ("log", 12, 6),
        ("metric", 0, 12),  # no place given: after the others, on a new row
    ]
    text, metric, alarm, _, broken = parsed.widgets
    assert "<script>" not in page and "The web fleet." in text["text"]
    assert metric["style"] == "grid-column: 1 / span 12; grid-row: 3 / span 6"
    (image,) = metric["images"]
    assert png_size(_png(image)) == (12 * 50 - 22, 6 * 40 - 22)
    assert "OK cpu-high" in alarm["text"] and "gone: no such alarm" in alarm["text"]
    rows = table_rows(page[page.index('data-type="log"') :])
    assert rows[0] == ["@timestamp", "@message"]
    assert [r[1] for r in rows[1:]] == [f"GET /item/{i} status=500" for i in (28, 21, 14, 7, 0)]
    assert "The MetricWidget field view" in broken["text"]


def test_a_log_widget_needs_a_source(cloud: Cloud) -> None:
    body = {"widgets": [{"type": "log", "properties": {"query": "fields @message"}}]}
    cloud.cloudwatch.put_dashboard("logs", json.dumps(body))
    (widget,) = _parse(cloud.cloudwatch.dashboard_html("logs")).widgets
    assert "must start with SOURCE" in widget["text"]


def test_a_widget_in_a_bad_place_is_refused(cloud: Cloud) -> None:
    body = {"widgets": [{"type": "text", "x": 20, "width": 6, "properties": {}}]}
    cloud.cloudwatch.put_dashboard("bad", json.dumps(body))
    with pytest.raises(
        InvalidParameterValue, match=r"widgets\[0\].x must be an integer from 0 to 18"
    ):
        cloud.cloudwatch.dashboard_html("bad")


@given(st.lists(st.tuples(st.integers(1, 24), st.integers(1, 8)), max_size=15))
def test_flowing_widgets_never_overlap(sizes: list[tuple[int, int]]) -> None:
    body = {"widgets": [{"type": "text", "width": w, "height": h} for w, h in sizes]}
    placed = layout(body)
    cells = set()
    for widget in placed:
        assert widget.x >= 0 and widget.x + widget.width <= 24
        mine = {
            (x, y)
            for x in range(widget.x, widget.x + widget.width)
            for y in range(widget.y, widget.y + widget.height)
        }
        assert not mine & cells
        cells |= mine
    assert [(w.y, w.x) for w in placed] == sorted((w.y, w.x) for w in placed)


def test_widgets_without_a_type_are_refused() -> None:
    with pytest.raises(WidgetError, match=r"widgets\[0\].type"):
        layout({"widgets": [{"width": 3}]})


def test_markdown() -> None:
    html = markdown_html(
        "# Title\nSome **bold** and `code`.\n\n"
        "- one\n- [two](https://example.com)\n- [x](javascript:alert)"
    )
    assert html.splitlines() == [
        "<h3>Title</h3>",
        "<p>Some <b>bold</b> and <code>code</code>.</p>",
        "<ul>",
        "<li>one</li>",
        '<li><a href="https://example.com">two</a></li>',
        '<li><a href="#">x</a></li>',
        "</ul>",
    ]


def test_the_command_draws_a_scenario_dashboard(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "scenario.py"
    scenario.write_text(
        "import json\n"
        "cloud.cloudwatch.put_dashboard('ops', json.dumps({'widgets': [\n"
        "    {'type': 'text', 'width': 6, 'height': 2, 'properties': {'markdown': 'hello'}},\n"
        "    {'type': 'text', 'width': 6, 'height': 2, 'properties': {'markdown': 'world'}}]}))\n"
    )
    out = tmp_path / "ops.html"
    assert main(["dashboard", "ops", str(out), "--scenario", str(scenario)]) == 0
    widgets = _parse(out.read_text()).widgets
    assert [(w["data-x"], w["text"].strip()) for w in widgets] == [("0", "hello"), ("6", "world")]
    assert "wrote" in capsys.readouterr().out
    assert main(["dashboard", "nope", str(out), "--scenario", str(scenario)]) == 2
    assert "no dashboard 'nope' (dashboards: ops;" in capsys.readouterr().err


def test_the_command_draws_an_overview_of_the_demo(tmp_path: Path) -> None:
    out = tmp_path / "overview.html"
    assert main(["dashboard", "overview", str(out)]) == 0
    widgets = _parse(out.read_text()).widgets
    kinds = [w["data-type"] for w in widgets]
    assert kinds[:2] == ["text", "alarm"] and set(kinds[2:]) == {"metric"}
    assert all(png_size(_png(w["images"][0])) == (578, 218) for w in widgets[2:])
    assert re.search(r"(OK|ALARM|INSUFFICIENT_DATA) \S+", widgets[1]["text"])
