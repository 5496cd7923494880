"""CloudWatch Logs Insights: the query language and the query lifecycle.

The language (pure, in `parser`, `query` and their helpers): `Query.parse`
compiles a query string once into an immutable `Query`, whose `Query.run`
evaluates it over events; syntax errors raise `MalformedQueryException` with
the position. The lifecycle (`queries.InsightsQueries`, reached as
``cloud.logs.insights``) runs StartQuery and the other operations on the
virtual clock; `api.InsightsApi` is their wire translation.

>>> query = Query.parse("stats count(*) as n")
>>> query.run([(0, "hello", "s", "1:g", 0, None)]).rows
({'n': 1},)
"""

from __future__ import annotations

from awsmon.logs.insights.errors import MalformedQueryException
from awsmon.logs.insights.query import Query, QueryResult, SourceEvent
from awsmon.logs.insights.records import QueryDefinition, QueryParameter, QueryRecord, QueryStatus

__all__ = [
    "MalformedQueryException",
    "Query",
    "QueryDefinition",
    "QueryParameter",
    "QueryRecord",
    "QueryResult",
    "QueryStatus",
    "SourceEvent",
]
