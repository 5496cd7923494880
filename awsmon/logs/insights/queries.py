"""Logs Insights in one account and region: the query lifecycle and saved queries.

`InsightsQueries` is the component `CloudWatchLogs` creates; its methods are
the AWS operations StartQuery, GetQueryResults, StopQuery, DescribeQueries,
GetLogGroupFields, GetLogRecord and Put/Describe/DeleteQueryDefinition.

Lifecycle on the virtual clock: StartQuery compiles the query and checks
the groups at once (so errors come back from StartQuery, as in AWS); the
query is ``Scheduled``, turns ``Running`` `RUN_DELAY` later and ``Complete``
`COMPLETE_DELAY` after it started, when it reads the events stored at that
moment in the time range. StopQuery cancels it before that. Results are
kept `RESULT_RETENTION` (7 days), then GetQueryResults no longer finds the
query. At most `MAX_CONCURRENT` queries may be Scheduled or Running.

Simulation notes: a query never times out or fails (it completes in
`COMPLETE_DELAY`, whatever the data size); GetQueryResults on a running
query returns no partial rows; field discovery for GetLogGroupFields reads
the events of the 15 minutes before now (or ±8 minutes around ``time``).
"""

from __future__ import annotations

import base64
import binascii
import heapq
import json
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any, Protocol

from awsmon import jsondoc
from awsmon.dispatch import Service, ServiceContext, operation
from awsmon.logs.errors import (
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from awsmon.logs.filter_pattern import FilterPattern
from awsmon.logs.insights.discovery import discover
from awsmon.logs.insights.query import GENERATED, Query, SourceEvent
from awsmon.logs.insights.records import (
    QueryDefinition,
    QueryParameter,
    QueryRecord,
    QueryStatus,
)
from awsmon.logs.model import LogGroup
from awsmon.logs.store import Key, Matcher

__all__ = ["InsightsQueries", "LogGroups", "decode_pointer", "encode_pointer"]

MAX_CONCURRENT = 100
MAX_GROUPS = 50
DEFAULT_LIMIT = 10_000
MAX_LIMIT = 100_000
RUN_DELAY = timedelta(seconds=1)
COMPLETE_DELAY = timedelta(seconds=2)
RESULT_RETENTION = timedelta(days=7)
FIELDS_WINDOW_MS = 15 * 60_000
FIELDS_AROUND_MS = 8 * 60_000


class LogGroups(Protocol):
    """What the query component needs from the Logs service."""

    ctx: ServiceContext

    def log_group(self, log_group_name: str) -> LogGroup: ...

    def group_name_of(self, identifier: str) -> str: ...

    def retention_cutoff(self, group: LogGroup) -> int | None: ...

    def now_ms(self) -> int: ...


class InsightsQueries(Service):
    """Logs Insights queries and query definitions of one Logs service.

    Attributes:
        queries: query id → `QueryRecord`, in start order.
        definitions: definition id → `QueryDefinition`.
    """

    def __init__(self, logs: LogGroups) -> None:
        super().__init__(logs.ctx)
        self._logs = logs
        self.queries: dict[str, QueryRecord] = {}
        self.definitions: dict[str, QueryDefinition] = {}

    # -- queries ---------------------------------------------------------------------------

    def _groups(
        self,
        log_group_name: str | None,
        log_group_names: Sequence[str] | None,
        log_group_identifiers: Sequence[str] | None,
    ) -> tuple[str, ...]:
        given = [g for g in (log_group_name, log_group_names, log_group_identifiers) if g]
        if len(given) != 1:
            raise InvalidParameterException(
                "Exactly one of logGroupName, logGroupNames and logGroupIdentifiers must be "
                "specified.",
                param="logGroupName",
                value=log_group_name,
            )
        if log_group_name is not None:
            names: list[str] = [log_group_name]
        elif log_group_names:
            names = list(log_group_names)
        else:
            names = [self._logs.group_name_of(i) for i in log_group_identifiers or ()]
        if len(names) > MAX_GROUPS:
            raise InvalidParameterException(
                f"A query can search at most {MAX_GROUPS} log groups.",
                param="logGroupNames",
                value=len(names),
            )
        for name in names:
            self._logs.log_group(name)
        return tuple(dict.fromkeys(names))

    @operation("StartQuery")
    def start_query(
        self,
        query_string: str,
        start_time: int,
        end_time: int,
        *,
        log_group_name: str | None = None,
        log_group_names: Sequence[str] | None = None,
        log_group_identifiers: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> str:
        """Start a Logs Insights query (StartQuery); returns the query id.

        Args:
            query_string: the query, in the Logs Insights query language.
            start_time, end_time: the time range, epoch **seconds**, both inclusive.
            log_group_name, log_group_names, log_group_identifiers: exactly one
                of them names the groups (names or ARNs for identifiers).
            limit: the most rows returned (1 to 100,000; default 10,000); a
                ``limit`` command in the query wins.

        The query completes `COMPLETE_DELAY` later on the clock.

        Raises:
            MalformedQueryException: the query does not compile (with its position).
            InvalidParameterException: bad groups, range or limit.
            ResourceNotFoundException: a group does not exist.
            LimitExceededException: `MAX_CONCURRENT` queries are already active.
        """
        query = Query.parse(query_string)
        names = self._groups(log_group_name, log_group_names, log_group_identifiers)
        if end_time < start_time:
            raise InvalidParameterException(
                "End time must be greater than or equal to start time.",
                param="endTime",
                value=end_time,
            )
        if limit is not None and not 1 <= limit <= MAX_LIMIT:
            raise InvalidParameterException(
                f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
                f"constraint: Member must have value between 1 and {MAX_LIMIT}",
                param="limit",
                value=limit,
            )
        active = sum(1 for record in self.queries.values() if record.status.is_active)
        if active >= MAX_CONCURRENT:
            raise LimitExceededException(
                f"Account maximum query concurrency limit of [{MAX_CONCURRENT}] reached.",
                param="queryString",
                value=query_string,
            )
        self._purge()
        record = QueryRecord(
            query_id=self.ctx.ids.uuid(),
            query=query,
            log_group_names=names,
            start_ms=start_time * 1000,
            end_ms=end_time * 1000 + 999,
            limit=DEFAULT_LIMIT if limit is None else limit,
            created_at_ms=self._logs.now_ms(),
            user_identity=self.ctx.principal.arn,
        )
        self.queries[record.query_id] = record
        clock = self.ctx.clock
        record.jobs = [
            clock.call_later(RUN_DELAY, self._run, record, name=f"insights run {record.query_id}"),
            clock.call_later(
                COMPLETE_DELAY, self._complete, record, name=f"insights {record.query_id}"
            ),
        ]
        return record.query_id

    def complete_now(self, query_id: str) -> QueryRecord:
        """Finish the scheduled query `query_id` at once, as if its time had come.

        For readers that show results without waiting on the clock (a dashboard's
        log widgets drawn to HTML); the query stays in DescribeQueries as AWS
        keeps dashboard queries. A query already finished is returned as it is.

        Raises:
            ResourceNotFoundException: no such query.
        """
        record = self.query(query_id)
        self._complete(record)
        return record

    def _run(self, record: QueryRecord) -> None:
        if record.status is QueryStatus.SCHEDULED:
            record.status = QueryStatus.RUNNING

    def _complete(self, record: QueryRecord) -> None:
        if not record.status.is_active:
            return
        matcher = _matcher(record.query.required_texts)
        if matcher is None:
            record.result = record.query.run(self._events(record), limit=record.limit)
        else:  # scan the blocks' text for the required texts; count what was read apart
            scanned = self._scanned(record)
            events = self._events(record, matcher)
            record.result = record.query.run(events, limit=record.limit, scanned=scanned)
        record.status = QueryStatus.COMPLETE
        record.finished_at_ms = self._logs.now_ms()

    def _groups_of(self, record: QueryRecord) -> Iterator[LogGroup]:
        for name in record.log_group_names:
            try:
                yield self._logs.log_group(name)
            except ResourceNotFoundException:
                continue  # deleted while the query ran

    def _scanned(self, record: QueryRecord) -> tuple[int, int]:
        """(events, UTF-8 bytes) in the record's range: what AWS counts as scanned."""
        count = size = 0
        for group in self._groups_of(record):
            low, high = self._range(group, record.start_ms, record.end_ms)
            for stream in group.streams.values():
                store = stream.store
                first, last = store.first_key(), store.last_key()
                if first is None or last is None:
                    continue
                if low <= first and last < high:  # the whole stream: its own totals
                    count += len(store)
                    size += store.stored_bytes
                    continue
                for _, _, _, message in store.events(low, high):
                    count += 1
                    size += len(message) if message.isascii() else len(message.encode())
        return count, size

    def _events(self, record: QueryRecord, matcher: Matcher | None = None) -> Iterator[SourceEvent]:
        """The events of the record's groups in its range, in time order across streams."""
        sources = []
        for group in self._groups_of(record):
            sources.extend(self._group_events(group, record.start_ms, record.end_ms, matcher))
        if len(sources) == 1:
            return sources[0]
        return heapq.merge(*sources, key=_event_key)

    def _range(self, group: LogGroup, start_ms: int, end_ms: int) -> tuple[Key, Key]:
        cutoff = self._logs.retention_cutoff(group)
        low = (max(start_ms, cutoff if cutoff is not None else start_ms), -1)
        return low, (end_ms + 1, -1)

    def _group_events(
        self, group: LogGroup, start_ms: int, end_ms: int, matcher: Matcher | None = None
    ) -> list[Iterator[SourceEvent]]:
        low, high = self._range(group, start_ms, end_ms)
        log = f"{self.account_id}:{group.name}"
        return [
            _stream_events(
                group.name,
                stream_name,
                log,
                stream.store.events(low, high)
                if matcher is None
                else stream.store.scan(low, high, matcher),
            )
            for stream_name, stream in sorted(group.streams.items())
        ]

    def query(self, query_id: str) -> QueryRecord:
        """The query `query_id`.

        Raises:
            ResourceNotFoundException: no such query (or its results expired).
        """
        self._purge()
        found = self.queries.get(query_id)
        if found is None:
            raise ResourceNotFoundException(
                f"Query with id {query_id} does not exist or has expired.",
                param="queryId",
                value=query_id,
            )
        return found

    @operation("GetQueryResults")
    def get_query_results(self, query_id: str) -> QueryRecord:
        """The query with its status and, once Complete, its rows (GetQueryResults).

        Raises:
            ResourceNotFoundException: no such query.
        """
        return self.query(query_id)

    @operation("StopQuery")
    def stop_query(self, query_id: str) -> bool:
        """Cancel a Scheduled or Running query (StopQuery); returns True.

        Raises:
            ResourceNotFoundException: no such query.
            InvalidParameterException: the query is no longer running.
        """
        record = self.query(query_id)
        if not record.status.is_active:
            raise InvalidParameterException(
                f"Query {query_id} is not running (status {record.status.value}).",
                param="queryId",
                value=query_id,
            )
        for job in record.jobs:
            job.cancel()
        record.status = QueryStatus.CANCELLED
        record.finished_at_ms = self._logs.now_ms()
        return True

    @operation("DescribeQueries")
    def describe_queries(
        self, *, log_group_name: str | None = None, status: QueryStatus | str | None = None
    ) -> list[QueryRecord]:
        """The queries of the last `RESULT_RETENTION`, newest first (DescribeQueries).

        Raises:
            ResourceNotFoundException: `log_group_name` does not exist.
        """
        if log_group_name is not None:
            self._logs.log_group(log_group_name)
        wanted = None if status is None else QueryStatus(status)
        self._purge()
        return [
            record
            for record in reversed(self.queries.values())
            if (wanted is None or record.status is wanted)
            and (log_group_name is None or log_group_name in record.log_group_names)
        ]

    def _purge(self) -> None:
        horizon = self._logs.now_ms() - int(RESULT_RETENTION.total_seconds() * 1000)
        for query_id in [
            key
            for key, record in self.queries.items()
            if record.finished_at_ms is not None and record.finished_at_ms < horizon
        ]:
            del self.queries[query_id]

    # -- fields and records ------------------------------------------------------------------

    @operation("GetLogGroupFields")
    def get_log_group_fields(
        self,
        log_group_name: str | None = None,
        *,
        log_group_identifier: str | None = None,
        time: int | None = None,
    ) -> list[tuple[str, int]]:
        """The fields of a group's recent events with the percent of events having each.

        GetLogGroupFields: ``time`` (epoch seconds) searches 8 minutes either
        side of it, else the last 15 minutes; sorted by percent, then name.

        Raises:
            InvalidParameterException: both or neither of name and identifier.
            ResourceNotFoundException: no such group.
        """
        if (log_group_name is None) == (log_group_identifier is None):
            raise InvalidParameterException(
                "Exactly one of logGroupName and logGroupIdentifier must be specified.",
                param="logGroupName",
                value=log_group_name,
            )
        name = log_group_name or self._logs.group_name_of(log_group_identifier or "")
        group = self._logs.log_group(name)
        if time is None:
            end = self._logs.now_ms()
            start = end - FIELDS_WINDOW_MS
        else:
            start, end = time * 1000 - FIELDS_AROUND_MS, time * 1000 + FIELDS_AROUND_MS
        counts: Counter[str] = Counter()
        total = 0
        for stream_events in self._group_events(group, start, end):
            for event in stream_events:
                total += 1
                counts.update(discover(event[1]).keys())
        if not total:
            return []
        found = [(field, 100) for field in GENERATED]
        found += [(field, round(100 * count / total)) for field, count in counts.items()]
        return sorted(found, key=lambda pair: (-pair[1], pair[0]))

    @operation("GetLogRecord")
    def get_log_record(self, log_record_pointer: str) -> dict[str, Any]:
        """The fields of the event an ``@ptr`` points to (GetLogRecord).

        Raises:
            InvalidParameterException: not a pointer awsmon made.
            ResourceNotFoundException: the event is gone.
        """
        group_name, stream_name, stamp, seq = decode_pointer(log_record_pointer)
        group = self._logs.log_group(group_name)
        stream = group.streams.get(stream_name)
        found = None
        if stream is not None:
            found = next(iter(stream.store.events((stamp, seq), (stamp, seq + 1))), None)
        if found is None:
            raise ResourceNotFoundException(
                "The specified log record does not exist.",
                param="logRecordPointer",
                value=log_record_pointer,
            )
        _, _, ingested, message = found
        record: dict[str, Any] = {
            "@timestamp": stamp, "@message": message, "@logStream": stream_name,
            "@log": f"{self.account_id}:{group_name}", "@ingestionTime": ingested,
        }  # fmt: skip
        for key, value in discover(message).items():
            record.setdefault(key, value)
        return record

    # -- query definitions -----------------------------------------------------------------

    @operation("PutQueryDefinition")
    def put_query_definition(
        self,
        name: str,
        query_string: str,
        *,
        query_definition_id: str | None = None,
        log_group_names: Sequence[str] = (),
        parameters: Sequence[QueryParameter] = (),
    ) -> str:
        """Save a query, or replace the one `query_definition_id` names (PutQueryDefinition).

        Raises:
            ResourceNotFoundException: `query_definition_id` names no definition.
        """
        if query_definition_id is not None and query_definition_id not in self.definitions:
            raise ResourceNotFoundException(
                "The specified query definition does not exist.",
                param="queryDefinitionId",
                value=query_definition_id,
            )
        definition_id = query_definition_id or self.ctx.ids.uuid()
        self.definitions[definition_id] = QueryDefinition(
            query_definition_id=definition_id,
            name=name,
            query_string=query_string,
            log_group_names=tuple(log_group_names),
            parameters=tuple(parameters),
            last_modified_ms=self._logs.now_ms(),
        )
        return definition_id

    @operation("DescribeQueryDefinitions")
    def describe_query_definitions(
        self, *, query_definition_name_prefix: str | None = None
    ) -> list[QueryDefinition]:
        """The saved queries, by name (DescribeQueryDefinitions)."""
        prefix = query_definition_name_prefix or ""
        return sorted(
            (d for d in self.definitions.values() if d.name.startswith(prefix)),
            key=lambda d: (d.name, d.query_definition_id),
        )

    @operation("DeleteQueryDefinition")
    def delete_query_definition(self, query_definition_id: str) -> bool:
        """Delete a saved query (DeleteQueryDefinition); returns True.

        Raises:
            ResourceNotFoundException: no such definition.
        """
        if self.definitions.pop(query_definition_id, None) is None:
            raise ResourceNotFoundException(
                "The specified query definition does not exist.",
                param="queryDefinitionId",
                value=query_definition_id,
            )
        return True


def _matcher(texts: tuple[str, ...]) -> Matcher | None:
    """A block-scanning matcher for events containing every text, when a term pattern says it."""
    if not texts or any('"' in text or "\\" in text for text in texts):
        return None
    try:
        pattern = FilterPattern.parse(" ".join(f'"{text}"' for text in texts))
    except InvalidParameterException:  # too long for a filter pattern
        return None
    if pattern.terms is None or set(pattern.terms[0]) != set(texts):
        return None
    return Matcher(pattern)


def _stream_events(
    group: str, stream: str, log: str, events: Iterator[tuple[int, int, int, str]]
) -> Iterator[SourceEvent]:
    for stamp, seq, ingested, message in events:
        yield (stamp, message, stream, log, ingested, (group, stream, stamp, seq))


def _event_key(event: SourceEvent) -> tuple[int, int]:
    """Events of a group interleave by (timestamp, arrival), as FilterLogEvents does."""
    return (event[0], event[5][3])


def encode_pointer(pointer: tuple[str, str, int, int]) -> str:
    """The ``@ptr`` text of an event: its group, stream and key."""
    return base64.urlsafe_b64encode(json.dumps(list(pointer)).encode()).decode()


def decode_pointer(text: str) -> tuple[str, str, int, int]:
    """The event an ``@ptr`` names.

    Raises:
        InvalidParameterException: not a pointer awsmon made.
    """
    try:
        group, stream, stamp, seq = jsondoc.loads(base64.urlsafe_b64decode(text.encode()))
        if isinstance(group, str) and isinstance(stream, str):
            return group, stream, int(stamp), int(seq)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        pass
    raise InvalidParameterException(
        "The specified log record pointer is invalid.", param="logRecordPointer", value=text
    )
