"""An overview dashboard of what a CloudWatch service holds: its metrics and alarms.

`overview_body` writes a PutDashboard body (JSON text) with a text widget, an
alarm-status widget of every alarm, and one metric widget per metric name (up
to `MAX_GRAPHS`, each drawing that name's series, at most `MAX_SERIES`),
two per row on the 24-column grid. ``python -m awsmon dashboard overview``
draws it when the cloud has no dashboard of that name.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from awsmon.cloudwatch.metrics.model import MetricKey

__all__ = ["overview_body"]

MAX_GRAPHS = 12
MAX_SERIES = 8


def overview_body(
    keys: Sequence[MetricKey], alarm_arns: Sequence[str], *, start: str = "-PT3H"
) -> str:
    """The body of an overview of `keys` (metrics) and `alarm_arns`, as JSON text."""
    widgets: list[dict[str, object]] = [
        {
            "type": "text",
            "x": 0,
            "y": 0,
            "width": 24,
            "height": 2,
            "properties": {
                "markdown": (
                    f"# Overview\n{len(keys)} metrics and {len(alarm_arns)} alarms, "
                    "drawn by **awsmon** from the simulated cloud."
                )
            },
        }
    ]
    y = 2
    if alarm_arns:
        height = min(12, 2 + len(alarm_arns))
        widgets.append(
            {
                "type": "alarm",
                "x": 0,
                "y": y,
                "width": 24,
                "height": height,
                "properties": {"title": "Alarms", "alarms": list(alarm_arns)},
            }
        )
        y += height
    groups: dict[tuple[str, str], list[MetricKey]] = {}
    for key in sorted(keys, key=lambda k: (k.namespace, k.name, k.dimensions)):
        groups.setdefault((key.namespace, key.name), []).append(key)
    for index, ((namespace, name), members) in enumerate(list(groups.items())[:MAX_GRAPHS]):
        rows: list[list[object]] = []
        for key in members[:MAX_SERIES]:
            row: list[object] = [namespace, name]
            for dimension in key.dimensions:
                row += [dimension.name, dimension.value]
            rows.append(row)
        widgets.append(
            {
                "type": "metric",
                "x": 12 * (index % 2),
                "y": y + 6 * (index // 2),
                "width": 12,
                "height": 6,
                "properties": {
                    "title": f"{namespace} {name}",
                    "metrics": rows,
                    "period": 300,
                    "stat": "Average",
                },
            }
        )
    return json.dumps({"start": start, "widgets": widgets})
