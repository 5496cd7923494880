"""GetMetricWidgetImage: a MetricWidget JSON answered with a PNG, as AWS answers it.

The output format is ``png`` (AWS's default and only image type; ``image/png``
asks for the same picture as a raw HTTP body, which through an SDK is the same
bytes). A widget that breaks a rule is refused with ``InvalidParameterValue``
naming the field; a metric or expression GetMetricData refuses is refused the
same way GetMetricData refuses it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from awsmon.cloudwatch.errors import InvalidParameterValue
from awsmon.cloudwatch.widgets.render import MetricReader, widget_chart
from awsmon.cloudwatch.widgets.spec import WidgetError, parse_widget
from awsmon.pictures import Chart

__all__ = ["OUTPUT_FORMATS", "metric_widget_chart", "metric_widget_image"]

#: The OutputFormat values GetMetricWidgetImage accepts.
OUTPUT_FORMATS = ("png", "image/png")


def metric_widget_chart(
    reader: MetricReader, metric_widget: str | Mapping[str, Any], now: datetime
) -> Chart:
    """The widget's data read now, as a `Chart` (PNG, SVG, notebook display).

    Raises:
        InvalidParameterValue: the widget breaks a rule (the message names the field).
    """
    try:
        widget = parse_widget(metric_widget)
        return widget_chart(widget, reader, now)
    except WidgetError as exc:
        raise InvalidParameterValue(str(exc), param="MetricWidget", value=exc.field) from None


def metric_widget_image(
    reader: MetricReader, metric_widget: str, output_format: str, now: datetime
) -> bytes:
    """GetMetricWidgetImage's PNG bytes, of the widget's width × height.

    Raises:
        InvalidParameterValue: an unknown OutputFormat, or a widget that breaks a rule.
    """
    if output_format not in OUTPUT_FORMATS:
        raise InvalidParameterValue(
            f"The value {output_format} for parameter OutputFormat is invalid. "
            f"Valid values: {', '.join(OUTPUT_FORMATS)}",
            param="OutputFormat",
            value=output_format,
        )
    return metric_widget_chart(reader, metric_widget, now).png()
