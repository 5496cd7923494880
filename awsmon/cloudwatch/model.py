"""Former home of the metric values; kept only while `awsmon.neighbours` imports it.

Import these names from `awsmon.cloudwatch` instead. Delete this module once no
module imports `awsmon.cloudwatch.model`.
"""

from __future__ import annotations

from awsmon.cloudwatch.metrics.model import MetricKey, StandardUnit

__all__ = ["MetricKey", "StandardUnit"]
