"""GetMetricData's answer: results as AWS shapes them, a page at a time.

- `MetricDataResult`, `MetricDataResults`: one returned series; the page.
- `result_of`: a series as a result, in ScanBy order.
- `page_of`: at most MaxDatapoints values, the rest behind a NextToken with
  ``StatusCode=PartialData``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import datetime

from attrs import frozen

from awsmon import jsondoc
from awsmon.cloudwatch.errors import InvalidNextToken
from awsmon.cloudwatch.math.expression import Series

__all__ = ["MetricDataResult", "MetricDataResults", "page_of", "result_of"]


@frozen(kw_only=True)
class MetricDataResult:
    """The values of one returned query (or one series of an expression)."""

    id: str
    label: str
    timestamps: tuple[datetime, ...]
    values: tuple[float, ...]
    status_code: str = "Complete"
    messages: tuple[tuple[str, str], ...] = ()


@frozen
class MetricDataResults:
    """GetMetricData's answer: results in query order, a next token, call-wide messages."""

    results: tuple[MetricDataResult, ...]
    next_token: str | None = None
    messages: tuple[tuple[str, str], ...] = ()


def result_of(
    query_id: str, label: str, series: Series, scan_by: str, messages: tuple[tuple[str, str], ...]
) -> MetricDataResult:
    """One result of `series`, newest first for ``TimestampDescending``."""
    times, values = series.timestamps, series.values
    if scan_by == "TimestampDescending":
        times, values = times[::-1], values[::-1]
    return MetricDataResult(
        id=query_id, label=label, timestamps=times, values=values, messages=messages
    )


def page_of(
    results: Sequence[MetricDataResult],
    fingerprint: str,
    max_datapoints: int,
    next_token: str | None,
) -> MetricDataResults:
    """The page of `results` that `next_token` asks for, at most `max_datapoints` values.

    Args:
        fingerprint: names the request; a token of another request is refused.

    Raises:
        InvalidNextToken: a token this request did not hand out.
    """
    skip = 0
    if next_token is not None:
        try:
            state = jsondoc.loads(base64.urlsafe_b64decode(next_token.encode()))
            skip = int(state["skip"])
            if state["request"] != fingerprint or skip < 0:
                raise ValueError("token of another request")
        except (ValueError, KeyError, TypeError):
            raise InvalidNextToken(
                f"The value {next_token} for parameter NextToken is invalid.",
                param="NextToken",
                value=next_token,
            ) from None
    page: list[MetricDataResult] = []
    budget = max_datapoints
    offset = 0
    more = False
    for result in results:
        size = len(result.values)
        begin = max(0, skip - offset)
        offset += size
        if begin >= size and size:
            continue
        take = min(size - begin, budget)
        truncated = begin + take < size
        page.append(
            MetricDataResult(
                id=result.id,
                label=result.label,
                timestamps=result.timestamps[begin : begin + take],
                values=result.values[begin : begin + take],
                status_code="PartialData" if truncated else "Complete",
                messages=result.messages,
            )
        )
        budget -= take
        if truncated:
            more = True
    token = None
    if more:
        consumed = skip + (max_datapoints - budget)
        state = {"request": fingerprint, "skip": consumed}
        token = base64.urlsafe_b64encode(json.dumps(state).encode()).decode()
    return MetricDataResults(tuple(page), token)
