"""Former home of the alarm window; kept only while `awsmon.neighbours` imports it.

Import `read_fast` from `awsmon.cloudwatch` instead. Delete this module once no
module imports `awsmon.cloudwatch.alarm_window`.
"""

from __future__ import annotations

from awsmon.cloudwatch.alarms.window import read_fast

__all__ = ["read_fast"]
