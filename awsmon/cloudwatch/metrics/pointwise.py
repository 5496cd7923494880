"""Which metric-math expressions work period by period (so part of a range can be read).

GetMetricData reads only the periods a page returns when every expression of
the request gives, at each period, a value that depends on that period's
inputs alone (`pointwise`); otherwise it reads the whole range.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from awsmon.cloudwatch.metrics.insights import is_metrics_insights

__all__ = ["pointwise"]

#: Metric-math functions whose value at a period depends only on that period's inputs.
_POINTWISE_FUNCTIONS = frozenset(
    {
        "ABS", "CEIL", "FLOOR", "LOG", "LOG10", "EXP", "SQRT", "IF", "FILL", "TIME_SERIES",
        "MINUTE", "HOUR", "DAY", "DATE", "MONTH", "YEAR", "EPOCH", "PERIOD", "METRICS",
    }
)  # fmt: skip
_FUNCTION_NAME = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(")
_HISTORY_WORDS = re.compile(r"\b(?:REPEAT|LINEAR)\b")


def pointwise(expressions: Iterable[str]) -> bool:
    """True when every one of the metric-math `expressions` works period by period.

    Arithmetic, comparisons, the functions of `_POINTWISE_FUNCTIONS` and FILL
    with a constant qualify; functions over a whole series (SUM(m1),
    RUNNING_SUM, RATE, FILL(m, REPEAT), SORT ...), SEARCH and Metrics Insights
    do not.
    """
    for text in expressions:
        if is_metrics_insights(text) or _HISTORY_WORDS.search(text):
            return False
        if any(name.upper() not in _POINTWISE_FUNCTIONS for name in _FUNCTION_NAME.findall(text)):
            return False
    return True
