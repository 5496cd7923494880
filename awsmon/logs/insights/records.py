"""The records of Logs Insights queries and saved query definitions.

`QueryStatus` (AWS's enumeration), `QueryRecord` (one StartQuery and what
it produced), `QueryDefinition` and `QueryParameter` (PutQueryDefinition).
"""

from __future__ import annotations

import enum
from typing import Protocol

from attrs import define, field, frozen

from awsmon.logs.insights.query import Query, QueryResult

__all__ = ["QueryDefinition", "QueryParameter", "QueryRecord", "QueryStatus", "Timer"]


class Timer(Protocol):
    """A scheduled clock job, as far as a query needs it: something to cancel."""

    def cancel(self) -> None:
        """Stop the job."""
        ...


class QueryStatus(enum.Enum):
    """The status of a query (GetQueryResults ``status``)."""

    SCHEDULED = "Scheduled"
    RUNNING = "Running"
    COMPLETE = "Complete"
    FAILED = "Failed"
    CANCELLED = "Cancelled"
    TIMEOUT = "Timeout"
    UNKNOWN = "Unknown"

    @property
    def is_active(self) -> bool:
        """Scheduled or Running: counted against the concurrency quota, can be stopped."""
        return self in (QueryStatus.SCHEDULED, QueryStatus.RUNNING)


@define(eq=False, kw_only=True)
class QueryRecord:
    """One query started with StartQuery.

    Attributes:
        query_id: the id StartQuery returned.
        query: the compiled query.
        log_group_names: the groups searched, in the order given.
        start_ms, end_ms: the time range (inclusive), epoch milliseconds.
        limit: the most rows returned.
        status: where the query is in its lifecycle.
        created_at_ms: when StartQuery ran.
        finished_at_ms: when it completed, failed or was cancelled.
        result: the rows and statistics, once complete.
        user_identity: the caller's ARN.
    """

    query_id: str
    query: Query
    log_group_names: tuple[str, ...]
    start_ms: int
    end_ms: int
    limit: int
    created_at_ms: int
    user_identity: str = ""
    status: QueryStatus = QueryStatus.SCHEDULED
    finished_at_ms: int | None = None
    result: QueryResult | None = None
    jobs: list[Timer] = field(factory=list, repr=False)


@frozen(kw_only=True)
class QueryParameter:
    """A parameter of a saved query (name, optional default and description)."""

    name: str
    default_value: str | None = None
    description: str | None = None


@frozen(kw_only=True)
class QueryDefinition:
    """A saved query (PutQueryDefinition)."""

    query_definition_id: str
    name: str
    query_string: str
    log_group_names: tuple[str, ...] = ()
    parameters: tuple[QueryParameter, ...] = ()
    last_modified_ms: int = 0
