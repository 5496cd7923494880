"""Former home of the metric store; kept only while `awsmon.neighbours` imports it.

Import these names from `awsmon.cloudwatch` instead. Delete this module once no
module imports `awsmon.cloudwatch.store`.
"""

from __future__ import annotations

from awsmon.cloudwatch.metrics.store import epoch_seconds, from_epoch

__all__ = ["epoch_seconds", "from_epoch"]
