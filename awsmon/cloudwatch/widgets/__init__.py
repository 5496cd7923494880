"""Metric widgets: GetMetricWidgetImage's MetricWidget JSON, drawn; dashboards as HTML.

- `awsmon.cloudwatch.widgets.spec`: the MetricWidget JSON parsed and checked (pure);
- `awsmon.cloudwatch.widgets.render`: its data read through GetMetricData and drawn;
- `awsmon.cloudwatch.widgets.dashboard`: a PutDashboard body as one HTML page.
"""

from __future__ import annotations

from awsmon.cloudwatch.widgets.spec import MetricWidget, WidgetError, parse_widget

__all__ = ["MetricWidget", "WidgetError", "parse_widget"]
