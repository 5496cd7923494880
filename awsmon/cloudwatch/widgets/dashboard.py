"""A CloudWatch dashboard (a PutDashboard body) as one self-contained HTML page.

The body's widgets sit on AWS's grid of 24 columns: each has ``x``, ``y``,
``width`` (1–24, default 6) and ``height`` (1–1000, default 6); a widget
without ``x`` and ``y`` is placed after the ones before it, left to right, top
to bottom. `layout` computes the places (pure); `dashboard_html` draws the
page in grid order (by row, then column):

- ``metric``: drawn as GetMetricWidgetImage draws its properties (the
  dashboard's ``start``/``end`` apply when the widget has none), inlined as a
  PNG data URI;
- ``text``: its ``markdown`` (headings, lists, bold, code and links);
- ``alarm``: each alarm of ``properties.alarms`` (ARNs) with its state;
- ``log``: the Logs Insights ``query`` (``SOURCE 'group' | ...``) run over the
  dashboard's time range, its rows as a table.

A widget that cannot be drawn shows why, in its place; the page still renders.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

from attrs import frozen

from awsmon import jsondoc
from awsmon.cloudwatch.widgets.render import MetricReader, widget_chart
from awsmon.cloudwatch.widgets.spec import WidgetError, parse_time, parse_widget
from awsmon.errors import ServiceError

__all__ = [
    "DashboardSources",
    "PlacedWidget",
    "dashboard_html",
    "layout",
    "logs_query_runner",
    "markdown_html",
]

COLUMNS = 24
#: Pixels per grid column and per grid row in the page.
COLUMN_PX, ROW_PX = 50, 40
WIDGET_TYPES = ("metric", "text", "alarm", "log", "explorer", "custom")


@frozen
class PlacedWidget:
    """A widget at its grid place: column `x`, row `y`, `width` × `height` cells."""

    index: int
    type: str
    x: int
    y: int
    width: int
    height: int
    properties: Mapping[str, Any]


@frozen
class DashboardSources:
    """What the page reads besides metrics: alarm states and Logs Insights results.

    Attributes:
        alarm_state: alarm ARN or name → (name, state, reason), or None when unknown.
        log_query: (query, start, end) → (field names, rows of text), or raises.
    """

    alarm_state: Callable[[str], tuple[str, str, str] | None]
    log_query: Callable[[str, datetime, datetime], tuple[Sequence[str], Sequence[Sequence[str]]]]


def _cell(value: Any, default: int, low: int, high: int, what: str) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise WidgetError(what, f"must be an integer from {low} to {high}, got {value!r}")
    return value


def layout(body: Mapping[str, Any]) -> list[PlacedWidget]:
    """The body's widgets at their grid places, in grid order (row, then column).

    Raises:
        WidgetError: a widget is not an object, has an unknown type or a bad place.
    """
    widgets = body.get("widgets", [])
    if not isinstance(widgets, list):
        raise WidgetError("widgets", "must be an array")
    placed: list[PlacedWidget] = []
    cursor_x = row_top = row_bottom = 0
    for index, widget in enumerate(widgets):
        if not isinstance(widget, dict):
            raise WidgetError(f"widgets[{index}]", f"must be an object, got {widget!r}")
        kind = widget.get("type")
        if kind not in WIDGET_TYPES:
            raise WidgetError(
                f"widgets[{index}].type", f"must be one of {WIDGET_TYPES}, got {kind!r}"
            )
        width = _cell(widget.get("width"), 6, 1, COLUMNS, f"widgets[{index}].width")
        height = _cell(widget.get("height"), 6, 1, 1000, f"widgets[{index}].height")
        if "x" in widget or "y" in widget:
            x = _cell(widget.get("x"), 0, 0, COLUMNS - width, f"widgets[{index}].x")
            y = _cell(widget.get("y"), 0, 0, 10**6, f"widgets[{index}].y")
        else:  # flows after the widget before it, wrapping at the 24th column
            if cursor_x + width > COLUMNS:
                cursor_x, row_top = 0, row_bottom
            x, y = cursor_x, row_top
        cursor_x, row_top = x + width, y
        row_bottom = max(row_bottom, y + height)
        properties = widget.get("properties", {})
        if not isinstance(properties, dict):
            raise WidgetError(f"widgets[{index}].properties", "must be an object")
        placed.append(PlacedWidget(index, kind, x, y, width, height, properties))
    return sorted(placed, key=lambda w: (w.y, w.x, w.index))


_INLINE = re.compile(r"\*\*([^*]+)\*\*|`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)")


def _inline(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if match[1] is not None:
            return f"<b>{match[1]}</b>"
        if match[2] is not None:
            return f"<code>{match[2]}</code>"
        url = match[4] if match[4].startswith(("http://", "https://", "#", "/")) else "#"
        return f'<a href="{url}">{match[3]}</a>'

    return _INLINE.sub(replace, escape(text, quote=True))


def markdown_html(text: str) -> str:
    """The text widget's Markdown as HTML: headings, lists, paragraphs, bold, code, links."""
    out: list[str] = []
    paragraph: list[str] = []
    in_list = False

    def flush() -> None:
        nonlocal in_list
        if paragraph:
            out.append("<p>" + " ".join(paragraph) + "</p>")
            paragraph.clear()
        if in_list:
            out.append("</ul>")
            in_list = False

    for raw in text.splitlines():
        line = raw.strip()
        heading = len(line) - len(line.lstrip("#"))
        if 1 <= heading <= 6 and line[heading : heading + 1] == " ":
            flush()
            level = min(heading + 2, 6)
            out.append(f"<h{level}>{_inline(line[heading + 1 :])}</h{level}>")
        elif line.startswith(("- ", "* ")):
            if paragraph:
                out.append("<p>" + " ".join(paragraph) + "</p>")
                paragraph.clear()
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{_inline(line[2:])}</li>")
        elif not line:
            flush()
        else:
            paragraph.append(_inline(line))
    flush()
    return "\n".join(out)


_STYLE = """
body { font-family: 'Amazon Ember', Helvetica, Arial, sans-serif; margin: 16px; color: #16191f; }
h1 { font-size: 20px; margin: 0 0 4px 0; } .range { color: #545b64; font-size: 12px; }
.grid { display: grid; grid-template-columns: repeat(24, %dpx); grid-auto-rows: %dpx; gap: 0; }
.widget { border: 1px solid #eaeded; margin: 4px; padding: 6px; overflow: auto; background: #fff; }
.widget h2 { font-size: 13px; margin: 0 0 4px 0; } .error { color: #d13212; font-size: 12px; }
table.awsmon { border-collapse: collapse; font-size: 11px; font-family: monospace; }
table.awsmon td, table.awsmon th { border: 1px solid #eaeded; padding: 2px 6px; text-align: left; }
.state-ALARM { color: #d13212; font-weight: bold; } .state-OK { color: #1d8102; font-weight: bold; }
.state-INSUFFICIENT_DATA { color: #687078; font-weight: bold; }
""" % (COLUMN_PX, ROW_PX)  # noqa: UP031


def _time_range(body: Mapping[str, Any], now: datetime) -> tuple[datetime, datetime]:
    start = parse_time("start", body.get("start", "-PT3H"))
    end = parse_time("end", body.get("end", "-PT0H"))
    return (
        now + start if isinstance(start, timedelta) else start,
        now + end if isinstance(end, timedelta) else end,
    )


def _metric(
    widget: PlacedWidget, body: Mapping[str, Any], reader: MetricReader, now: datetime
) -> str:
    properties = dict(widget.properties)
    for key in ("start", "end"):
        if key in body and key not in properties:
            properties[key] = body[key]
    properties["width"] = max(1, widget.width * COLUMN_PX - 22)
    properties["height"] = max(1, widget.height * ROW_PX - 22)
    chart = widget_chart(parse_widget(properties), reader, now)
    return chart.html()


def _alarms(widget: PlacedWidget, sources: DashboardSources) -> str:
    arns = widget.properties.get("alarms", [])
    if not isinstance(arns, list):
        raise WidgetError("alarms", "must be an array of alarm ARNs")
    items = []
    for arn in arns:
        found = sources.alarm_state(str(arn))
        if found is None:
            items.append(f'<li class="error">{escape(str(arn))}: no such alarm</li>')
            continue
        name, state, reason = found
        items.append(
            f'<li><span class="state-{state}">{state}</span> {escape(name)}'
            f' <small title="{escape(reason)}">{escape(reason[:120])}</small></li>'
        )
    return "<ul>" + "".join(items) + "</ul>"


def _log(
    widget: PlacedWidget, body: Mapping[str, Any], sources: DashboardSources, now: datetime
) -> str:
    from awsmon.pictures import Table

    query = widget.properties.get("query")
    if not isinstance(query, str):
        raise WidgetError("query", "must be a Logs Insights query string")
    start, end = _time_range(body, now)
    fields, rows = sources.log_query(query, start, end)
    return Table(fields, rows).html()


def _widget_body(
    widget: PlacedWidget,
    body: Mapping[str, Any],
    reader: MetricReader,
    sources: DashboardSources,
    now: datetime,
) -> str:
    try:
        if widget.type == "metric":
            return _metric(widget, body, reader, now)
        if widget.type == "text":
            return markdown_html(str(widget.properties.get("markdown", "")))
        if widget.type == "alarm":
            return _alarms(widget, sources)
        if widget.type == "log":
            return _log(widget, body, sources, now)
        return f'<p class="error">{escape(widget.type)} widgets are not drawn by awsmon.</p>'
    except (WidgetError, ServiceError) as exc:
        return f'<p class="error">{escape(str(exc))}</p>'


def dashboard_html(
    name: str, body_text: str, reader: MetricReader, sources: DashboardSources, now: datetime
) -> str:
    """The dashboard `name` (its PutDashboard body) as one HTML page, images inlined.

    Raises:
        WidgetError: the body is not a JSON object, or a widget has a bad place or type.
    """
    try:
        body = jsondoc.loads(body_text)
    except ValueError as exc:
        raise WidgetError("DashboardBody", f"is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise WidgetError("DashboardBody", "must be a JSON object")
    start, end = _time_range(body, now)
    sections = []
    for widget in layout(body):
        title = widget.properties.get("title")
        heading = f"<h2>{escape(str(title))}</h2>" if title and widget.type != "metric" else ""
        sections.append(
            f'<section class="widget widget-{widget.type}" data-type="{widget.type}" '
            f'data-x="{widget.x}" data-y="{widget.y}" data-width="{widget.width}" '
            f'data-height="{widget.height}" '
            f'style="grid-column: {widget.x + 1} / span {widget.width}; '
            f'grid-row: {widget.y + 1} / span {widget.height}">'
            f"{heading}{_widget_body(widget, body, reader, sources, now)}</section>"
        )
    when = f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} UTC"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"/>'
        f"<title>{escape(name)} – CloudWatch dashboard (awsmon)</title>"
        f"<style>{_STYLE}</style></head>\n"
        f'<body><h1>{escape(name)}</h1><p class="range">{when}</p>\n<div class="grid">\n'
        + "\n".join(sections)
        + "\n</div></body></html>\n"
    )


def _sources_query(query: str) -> tuple[list[str], str]:
    """The log groups of a log widget's leading ``SOURCE 'name' |`` clauses, and the rest."""
    groups = []
    rest = query.strip()
    while rest[:7].upper() == "SOURCE ":
        text = rest[7:].lstrip()
        quote = text[:1]
        end = text.find(quote, 1) if quote in ("'", '"') else -1
        if end < 0:
            raise WidgetError("query", f"has an unquoted SOURCE: {query!r}")
        groups.append(text[1:end])
        rest = text[end + 1 :].lstrip()
        if rest.startswith("|"):
            rest = rest[1:].lstrip()
    if not groups:
        raise WidgetError("query", f"must start with SOURCE 'log-group' |, got {query!r}")
    return groups, rest


def _shown(name: str, value: Any) -> str:
    """A result value as the console shows it (times as ``2024-01-01 00:00:00.000``)."""
    if name in ("@timestamp", "@ingestionTime") and isinstance(value, int):
        moment = datetime.fromtimestamp(value / 1000, UTC)
        return f"{moment:%Y-%m-%d %H:%M:%S}.{value % 1000:03d}"
    return str(value)


def logs_query_runner(
    logs: Any,
) -> Callable[[str, datetime, datetime], tuple[Sequence[str], Sequence[Sequence[str]]]]:
    """A `DashboardSources.log_query` that runs the query with `logs`' Logs Insights at once."""

    def run(query: str, start: datetime, end: datetime) -> tuple[list[str], list[list[str]]]:
        if logs is None:
            raise WidgetError("query", "needs the Logs service, which this cloud does not run")
        groups, text = _sources_query(query)
        query_id = logs.insights.start_query(
            text, int(start.timestamp()), int(end.timestamp()), log_group_names=groups
        )
        result = logs.insights.complete_now(query_id).result
        fields = [f for f in result.fields if f != "@ptr"]
        return fields, [[_shown(f, row.get(f, "")) for f in fields] for row in result.rows]

    return run
