"""GetMetricData's answer: results as AWS shapes them, a page at a time.

- `MetricDataResult`, `MetricDataResults`: one returned series; the page.
- `result_of`: a series as a result, in ScanBy order.
- `page_of`: at most MaxDatapoints values (and never more than
  `MAX_DATAPOINTS_PER_CALL`, AWS's 100,800), the rest behind a NextToken with
  ``StatusCode=PartialData``; queries are computed only as far as the page
  needs them (`Evaluate`).
- `read_token`: where a NextToken resumes (`PagePosition`).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

import attrs
from attrs import frozen

from awsmon import jsondoc
from awsmon.cloudwatch.errors import InvalidNextToken
from awsmon.cloudwatch.math.expression import Series

__all__ = [
    "MAX_DATAPOINTS_PER_CALL",
    "Evaluate",
    "Evaluated",
    "MetricDataResult",
    "MetricDataResults",
    "PagePosition",
    "page_of",
    "read_token",
    "result_of",
]


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


#: The most datapoints one GetMetricData call returns; MaxDatapoints above it pages at it.
MAX_DATAPOINTS_PER_CALL = 100_800


@frozen
class PagePosition:
    """Where a page starts: a returned query, one of its series, datapoints already sent."""

    query: int = 0
    series: int = 0
    offset: int = 0


def read_token(next_token: str | None, fingerprint: str) -> PagePosition:
    """The position a NextToken resumes at (the first page without one).

    Raises:
        InvalidNextToken: a token this request did not hand out.
    """
    if next_token is None:
        return PagePosition()
    try:
        state = jsondoc.loads(base64.urlsafe_b64decode(next_token.encode()))
        position = PagePosition(*(int(state[k]) for k in ("query", "series", "offset")))
        if state["request"] != fingerprint or min(attrs.astuple(position)) < 0:
            raise ValueError("token of another request")
    except (ValueError, KeyError, TypeError, OverflowError):
        raise InvalidNextToken(
            f"The value {next_token} for parameter NextToken is invalid.",
            param="NextToken",
            value=next_token,
        ) from None
    return position


def _token(position: PagePosition, fingerprint: str) -> str:
    state = {"request": fingerprint, **attrs.asdict(position)}
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode()


@frozen
class Evaluated:
    """One series of a returned query, in ScanBy order; `complete` when it holds all its points.

    An incomplete result was read over a narrowed time range and holds at least
    the points the page asked for.
    """

    result: MetricDataResult
    complete: bool = True


class Evaluate(Protocol):
    """Computes returned query `index`'s series, each holding its first `needed` points."""

    def __call__(self, index: int, needed: int) -> list[Evaluated]: ...


def page_of(
    ids: Sequence[tuple[str, str]],
    evaluate: Evaluate,
    position: PagePosition,
    limit: int,
    fingerprint: str,
) -> MetricDataResults:
    """The page of at most `limit` datapoints that starts at `position`.

    Queries are computed only as far as the page needs them: a query the page
    does not reach is listed with ``StatusCode=PartialData`` and no values, to
    be computed by the call its NextToken makes, so a call costs what it returns.

    Args:
        ids: (id, label) of each returned query, in request order.
        evaluate: computes a returned query's series.
    """
    page: list[MetricDataResult] = []
    budget = limit
    resume: PagePosition | None = None
    for index in range(position.query, len(ids)):
        here = index == position.query
        if budget == 0:
            query_id, label = ids[index]
            page.append(
                MetricDataResult(
                    id=query_id, label=label, timestamps=(), values=(), status_code="PartialData"
                )
            )
            resume = resume or PagePosition(index)
            continue
        first = position.series if here else 0
        for number, evaluated in enumerate(evaluate(index, budget + (position.offset * here))):
            if number < first:
                continue
            result = evaluated.result
            begin = position.offset if here and number == first else 0
            take = max(0, min(len(result.values) - begin, budget))
            more = begin + take < len(result.values) or not evaluated.complete
            page.append(
                attrs.evolve(
                    result,
                    timestamps=result.timestamps[begin : begin + take],
                    values=result.values[begin : begin + take],
                    status_code="PartialData" if more else "Complete",
                )
            )
            budget -= take
            if more:
                resume = resume or PagePosition(index, number, begin + take)
    return MetricDataResults(tuple(page), None if resume is None else _token(resume, fingerprint))
