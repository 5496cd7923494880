"""The MetricWidget JSON of GetMetricWidgetImage (and of dashboards' metric widgets), parsed.

`parse_widget` turns the JSON text into an immutable `MetricWidget`, checking
it as AWS does (`WidgetError` names the field and value). Pure: no clock, no
store; the renderer (`awsmon.cloudwatch.widgets.render`) reads the data.

The structure (AWS's "GetMetricWidgetImage: Metric Widget Structure and Syntax"):

- ``metrics``: 1–100 arrays ``[Namespace, MetricName, DimName, DimValue, ...,
  {options}]``; ``"."`` repeats the value at the same place in the row above,
  ``"..."`` repeats the row above's leading values; a row ``[{"expression":
  "...", ...}]`` is a metric-math expression. Options: ``id``, ``label``,
  ``color``, ``stat``, ``period``, ``visible``, ``yAxis`` (left/right).
- ``start`` / ``end``: relative ISO 8601 durations (``-PT3H``, ``-P1D``) or
  absolute ISO 8601 times; defaults ``-PT3H`` and ``-PT0H`` (now).
- ``period`` (default 300), ``stat`` (default Average), ``view``
  (timeSeries, bar, pie, singleValue), ``stacked``, ``title``, ``legend``
  (``{"position": "bottom"|"right"|"hidden"}``), ``yAxis``
  (``{"left": {"min", "max", "label", "showUnits"}, "right": ...}``),
  ``annotations`` (``horizontal``: value lines or two-value bands, with
  ``fill`` above/below; ``vertical``: time lines or bands, ``fill``
  before/after), ``width`` / ``height`` in pixels (default 600 × 400, 1–2000),
  ``timezone`` (``+hhmm``), ``region``, ``liveData``, ``setPeriodToTimeRange``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from attrs import frozen

from awsmon import jsondoc

__all__ = [
    "HorizontalAnnotation",
    "MetricWidget",
    "VerticalAnnotation",
    "WidgetError",
    "WidgetMetric",
    "YAxis",
    "parse_duration",
    "parse_time",
    "parse_widget",
]

#: AWS's default and largest image size, in pixels.
DEFAULT_WIDTH, DEFAULT_HEIGHT, MAX_SIDE = 600, 400, 2000
#: The most metrics and expressions one widget may hold.
MAX_METRICS = 100
VIEWS = ("timeSeries", "bar", "pie", "singleValue")
LEGEND_POSITIONS = ("bottom", "right", "hidden")

_DURATION = re.compile(
    r"(?P<sign>[-+]?)P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?"
)
_TIMEZONE = re.compile(r"([+-])(\d\d)(\d\d)")


class WidgetError(ValueError):
    """The MetricWidget JSON breaks a rule: the message names the field and value."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"The MetricWidget field {field} {message}")
        self.field = field


@frozen
class WidgetMetric:
    """One row of the ``metrics`` array: a metric (or expression) with its options."""

    id: str
    namespace: str = ""
    name: str = ""
    dimensions: tuple[tuple[str, str], ...] = ()
    expression: str | None = None
    label: str | None = None
    color: str | None = None
    stat: str | None = None
    period: int | None = None
    visible: bool = True
    y_axis: str = "left"

    @property
    def title(self) -> str:
        """The legend text: the label, else the expression or metric name."""
        if self.label:
            return self.label
        return self.expression or self.name


@frozen
class HorizontalAnnotation:
    """A line at `value` (or a band up to `band_to`) on the `y_axis`."""

    value: float
    band_to: float | None = None
    label: str = ""
    color: str | None = None
    fill: str | None = None
    visible: bool = True
    y_axis: str = "left"


@frozen
class VerticalAnnotation:
    """A line at the instant `value` (or a band up to `band_to`)."""

    value: datetime
    band_to: datetime | None = None
    label: str = ""
    color: str | None = None
    fill: str | None = None
    visible: bool = True


@frozen
class YAxis:
    """One Y axis's bounds, label and whether units are shown."""

    min: float | None = None
    max: float | None = None
    label: str = ""
    show_units: bool = True


@frozen
class MetricWidget:
    """A parsed MetricWidget: what to read and how to draw it."""

    metrics: tuple[WidgetMetric, ...]
    start: timedelta | datetime = timedelta(hours=-3)
    end: timedelta | datetime = timedelta(0)
    period: int = 300
    stat: str = "Average"
    view: str = "timeSeries"
    stacked: bool = False
    title: str = ""
    legend: str = "bottom"
    left: YAxis = YAxis()
    right: YAxis = YAxis()
    horizontal: tuple[HorizontalAnnotation, ...] = ()
    vertical: tuple[VerticalAnnotation, ...] = ()
    width: int = DEFAULT_WIDTH
    height: int = DEFAULT_HEIGHT
    timezone: timedelta = timedelta(0)
    region: str | None = None
    set_period_to_time_range: bool = False

    def time_range(self, now: datetime) -> tuple[datetime, datetime]:
        """The (start, end) the widget shows, relative times counted back from `now`."""
        start = now + self.start if isinstance(self.start, timedelta) else self.start
        end = now + self.end if isinstance(self.end, timedelta) else self.end
        return start, end


def parse_duration(text: str) -> timedelta:
    """An ISO 8601 duration (``-PT3H``, ``P7D``, ``-P1W``, ``PT30M``) as a timedelta.

    Raises:
        ValueError: `text` is not such a duration.
    """
    match = _DURATION.fullmatch(text)
    if match is None or text.lstrip("+-") in ("P", "PT") or text.endswith("T"):
        raise ValueError(f"not an ISO 8601 duration: {text!r}")
    parts = {k: int(v or 0) for k, v in match.groupdict().items() if k != "sign"}
    span = timedelta(**parts)
    return -span if match["sign"] == "-" else span


def parse_time(field: str, value: Any) -> timedelta | datetime:
    """A relative (ISO 8601 duration) or absolute (ISO 8601 time) `start`/`end` value.

    Raises:
        WidgetError: neither.
    """
    if not isinstance(value, str):
        raise WidgetError(field, f"must be a string, got {value!r}")
    if value.lstrip("+-").startswith("P"):
        try:
            return parse_duration(value)
        except ValueError:
            raise WidgetError(field, f"has an invalid duration {value!r}") from None
    return _instant(field, value)


def _instant(field: str, value: Any) -> datetime:
    if not isinstance(value, str):
        raise WidgetError(field, f"must be an ISO 8601 time, got {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise WidgetError(field, f"has an invalid time {value!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _number(field: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WidgetError(field, f"must be a number, got {value!r}")
    return float(value)


def _integer(field: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise WidgetError(field, f"must be an integer from {low} to {high}, got {value!r}")
    return value


def _boolean(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise WidgetError(field, f"must be true or false, got {value!r}")
    return value


def _text(field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise WidgetError(field, f"must be a string, got {value!r}")
    return value


def _choice(field: str, value: Any, choices: Sequence[str]) -> str:
    if value not in choices:
        raise WidgetError(field, f"must be one of {', '.join(choices)}, got {value!r}")
    return str(value)


def _mapping(field: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise WidgetError(field, f"must be an object, got {value!r}")
    return value


def _expand(field: str, row: list[Any], previous: list[Any]) -> list[str]:
    """The row's positional values with ``.`` and ``...`` taken from the row above."""
    if row[:1] == ["..."]:
        rest = row[1:]
        if len(previous) < len(rest):
            raise WidgetError(field, "uses '...' with no row above to repeat")
        row = previous[: len(previous) - len(rest)] + rest
    values = []
    for place, value in enumerate(row):
        if value == ".":
            if place >= len(previous):
                raise WidgetError(field, f"uses '.' at {place} with no value above it")
            value = previous[place]
        if not isinstance(value, str):
            raise WidgetError(field, f"must hold strings, got {value!r}")
        values.append(value)
    return values


def _metric(
    field: str, row: Any, previous: list[Any], index: int
) -> tuple[WidgetMetric, list[Any]]:
    if not isinstance(row, list) or not row:
        raise WidgetError(field, f"must be a non-empty array, got {row!r}")
    options: Mapping[str, Any] = {}
    if isinstance(row[-1], dict):
        options, row = row[-1], row[:-1]
    values = _expand(field, row, previous)
    common = _options(field, options, index)
    if "expression" in options:
        if values:
            raise WidgetError(field, "is an expression and must hold only its options")
        expression = _text(f"{field}.expression", options["expression"])
        return WidgetMetric(expression=expression, **common), previous
    if len(values) < 2 or len(values) % 2:
        raise WidgetError(
            field,
            f"must be [Namespace, MetricName, DimensionName, DimensionValue, ...], got {row!r}",
        )
    pairs = tuple(zip(values[2::2], values[3::2], strict=True))
    if len(pairs) > 30:
        raise WidgetError(field, "has more than 30 dimensions")
    metric = WidgetMetric(namespace=values[0], name=values[1], dimensions=pairs, **common)
    return metric, values


def _options(field: str, options: Mapping[str, Any], index: int) -> dict[str, Any]:
    known = {"id", "label", "color", "stat", "period", "visible", "yAxis", "expression"}
    known |= {"region", "accountId"}
    for key in options:
        if key not in known:
            raise WidgetError(f"{field}.{key}", "is not a metric option")
    period = options.get("period")
    return {
        "id": _text(f"{field}.id", options.get("id", f"m{index}")),
        "label": None if "label" not in options else _text(f"{field}.label", options["label"]),
        "color": None if "color" not in options else _text(f"{field}.color", options["color"]),
        "stat": None if "stat" not in options else _text(f"{field}.stat", options["stat"]),
        "period": None if period is None else _integer(f"{field}.period", period, 1, 10**8),
        "visible": _boolean(f"{field}.visible", options.get("visible", True)),
        "y_axis": _choice(f"{field}.yAxis", options.get("yAxis", "left"), ("left", "right")),
    }


def _annotation(
    field: str, entry: Any, value_of: Callable[[str, Any], Any], fills: tuple[str, ...]
) -> tuple[Mapping[str, Any], dict[str, Any]]:
    """What horizontal and vertical annotations share, read from `entry`.

    Returns:
        The annotation's (first) mapping, and its value, band end, label,
        color, fill (one of `fills`) and visibility as keyword arguments.
    """
    first, second = (
        (entry[0], entry[1]) if isinstance(entry, list) and len(entry) == 2 else (entry, None)
    )
    first = _mapping(field, first)
    if "value" not in first:
        raise WidgetError(f"{field}.value", "is required")
    return first, {
        "value": value_of(f"{field}.value", first["value"]),
        "band_to": None
        if second is None
        else value_of(f"{field}.value", _mapping(field, second).get("value")),
        "label": _text(f"{field}.label", first.get("label", "")),
        "color": None if "color" not in first else _text(f"{field}.color", first["color"]),
        "fill": None if "fill" not in first else _choice(f"{field}.fill", first["fill"], fills),
        "visible": _boolean(f"{field}.visible", first.get("visible", True)),
    }


def _horizontal(field: str, entry: Any) -> HorizontalAnnotation:
    first, shared = _annotation(field, entry, _number, ("above", "below", "none"))
    y_axis = _choice(f"{field}.yAxis", first.get("yAxis", "left"), ("left", "right"))
    return HorizontalAnnotation(**shared, y_axis=y_axis)


def _vertical(field: str, entry: Any) -> VerticalAnnotation:
    _, shared = _annotation(field, entry, _instant, ("before", "after", "none"))
    return VerticalAnnotation(**shared)


def _axis(field: str, value: Any) -> YAxis:
    axis = _mapping(field, value)
    return YAxis(
        min=None if axis.get("min") is None else _number(f"{field}.min", axis["min"]),
        max=None if axis.get("max") is None else _number(f"{field}.max", axis["max"]),
        label=_text(f"{field}.label", axis.get("label", "")),
        show_units=_boolean(f"{field}.showUnits", axis.get("showUnits", True)),
    )


def _timezone(value: Any) -> timedelta:
    match = _TIMEZONE.fullmatch(value) if isinstance(value, str) else None
    if match is None or int(match[2]) > 14 or int(match[3]) > 59:
        raise WidgetError("timezone", f"must be +hhmm or -hhmm, got {value!r}")
    span = timedelta(hours=int(match[2]), minutes=int(match[3]))
    return -span if match[1] == "-" else span


def parse_widget(text: str | Mapping[str, Any]) -> MetricWidget:
    """Parse and check a MetricWidget (JSON text, or the already-decoded object).

    Raises:
        WidgetError: the JSON is malformed or breaks a rule (the message names the field).
    """
    if isinstance(text, str):
        try:
            document = jsondoc.loads(text)
        except ValueError as exc:
            raise WidgetError("MetricWidget", f"is not valid JSON: {exc}") from None
    else:
        document = text
    doc = _mapping("MetricWidget", document)
    rows = doc.get("metrics")
    if not isinstance(rows, list) or not 1 <= len(rows) <= MAX_METRICS:
        raise WidgetError(
            "metrics", f"must be an array of 1 to {MAX_METRICS} metrics, got {rows!r}"
        )
    metrics: list[WidgetMetric] = []
    previous: list[Any] = []
    for index, row in enumerate(rows, 1):
        metric, previous = _metric(f"metrics[{index - 1}]", row, previous, index)
        metrics.append(metric)
    ids = [m.id for m in metrics]
    if len(set(ids)) != len(ids):
        raise WidgetError(
            "metrics", f"has duplicate ids {sorted({i for i in ids if ids.count(i) > 1})}"
        )
    annotations = _mapping("annotations", doc.get("annotations", {}))
    axes = _mapping("yAxis", doc.get("yAxis", {}))
    legend = _mapping("legend", doc.get("legend", {}))
    widget = MetricWidget(
        metrics=tuple(metrics),
        start=parse_time("start", doc.get("start", "-PT3H")),
        end=parse_time("end", doc.get("end", "-PT0H")),
        period=_integer("period", doc.get("period", 300), 1, 10**8),
        stat=_text("stat", doc.get("stat", "Average")),
        view=_choice("view", doc.get("view", "timeSeries"), VIEWS),
        stacked=_boolean("stacked", doc.get("stacked", False)),
        title=_text("title", doc.get("title", "")),
        legend=_choice("legend.position", legend.get("position", "bottom"), LEGEND_POSITIONS),
        left=_axis("yAxis.left", axes.get("left", {})),
        right=_axis("yAxis.right", axes.get("right", {})),
        horizontal=tuple(
            _horizontal(f"annotations.horizontal[{i}]", a)
            for i, a in enumerate(
                _list("annotations.horizontal", annotations.get("horizontal", []))
            )
        ),
        vertical=tuple(
            _vertical(f"annotations.vertical[{i}]", a)
            for i, a in enumerate(_list("annotations.vertical", annotations.get("vertical", [])))
        ),
        width=_integer("width", doc.get("width", DEFAULT_WIDTH), 1, MAX_SIDE),
        height=_integer("height", doc.get("height", DEFAULT_HEIGHT), 1, MAX_SIDE),
        timezone=_timezone(doc["timezone"]) if "timezone" in doc else timedelta(0),
        region=None if "region" not in doc else _text("region", doc["region"]),
        set_period_to_time_range=_boolean(
            "setPeriodToTimeRange", doc.get("setPeriodToTimeRange", False)
        ),
    )
    _check_range(widget)
    return widget


def _list(field: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise WidgetError(field, f"must be an array, got {value!r}")
    return value


def _check_range(widget: MetricWidget) -> None:
    probe = datetime(2000, 1, 1, tzinfo=UTC)
    start, end = widget.time_range(probe)
    if isinstance(widget.start, timedelta) == isinstance(widget.end, timedelta) and start >= end:
        raise WidgetError("start", "must be before end")
