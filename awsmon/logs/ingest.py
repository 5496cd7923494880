"""Log events in and out: PutLogEvents, GetLogEvents and FilterLogEvents.

`EventsMixin` adds these operations to `awsmon.logs.service.CloudWatchLogs`.

PutLogEvents applies every rule AWS documents for a batch: 1 to 10,000
events; at most 1,048,576 bytes counting each message's UTF-8 bytes plus 26;
events in chronological order (else the whole call fails); events older
than 14 days, older than the group's retention or more than 2 hours ahead
are rejected and reported in `RejectedLogEventsInfo` while the rest is
stored; the stored events may span at most 24 hours (else the whole call
fails). Sequence tokens are accepted and ignored, as AWS does now. The
ingestion time is the virtual now. The accepted events then go through the
group's metric filters and subscription filters, and through EMF extraction
when asked, before the call returns.

Tokens: GetLogEvents tokens are ``f/<56 digits>`` and ``b/<56 digits>``
naming a position between events; FilterLogEvents tokens name the last
event returned. Both stay valid while the events do.

Simulation notes: FilterLogEvents pages are always full when more events
match (AWS may return short or empty pages); `searchedLogStreams` is empty
as AWS has returned it since 2020; events past retention disappear from
every read at once (AWS may show them for up to 72 hours).
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from awsmon.dispatch import operation
from awsmon.logs._core import DAY_MS, check_limit, invalid_token
from awsmon.logs.emf import publish_emf
from awsmon.logs.errors import InvalidParameterException
from awsmon.logs.filter_pattern import FilterPattern
from awsmon.logs.filters import FiltersMixin
from awsmon.logs.model import (
    EventColumns,
    FilteredEventsPage,
    FilteredLogEvent,
    InputLogEvent,
    LogEventsPage,
    LogGroup,
    LogStream,
    OutputLogEvent,
    PutLogEventsResult,
    RejectedLogEventsInfo,
    to_millis,
    validation_message,
)
from awsmon.logs.store import MAX_KEY, MIN_KEY, Event, Key, Matcher
from awsmon.logs.subscriptions import event_id

if TYPE_CHECKING:
    from awsmon.pictures import Table

__all__ = [
    "EVENT_OVERHEAD",
    "MAX_BATCH_BYTES",
    "MAX_BATCH_EVENTS",
    "EventsMixin",
]

#: Bytes PutLogEvents counts per event on top of its message.
EVENT_OVERHEAD = 26
#: The largest PutLogEvents batch, in bytes.
MAX_BATCH_BYTES = 1_048_576
#: The most events in one PutLogEvents batch.
MAX_BATCH_EVENTS = 10_000
#: The most events GetLogEvents and FilterLogEvents return in one page.
MAX_PAGE_EVENTS = 10_000
#: The largest response page, in bytes of messages.
MAX_PAGE_BYTES = 1_048_576

TOO_OLD_MS = 14 * DAY_MS
TOO_NEW_MS = 2 * 3_600_000

_TOKEN = re.compile(r"([fb])/(\d{56})")
_FILTER_TOKEN = re.compile(r"(\d{20})(\d{36})")
# A row of a FilterLogEvents scan: (timestamp, seq, ingestion time, message[, stream]).
_Row = TypeVar("_Row", bound=tuple[Any, ...])

EventInput = InputLogEvent | tuple[datetime | int, str] | Mapping[str, Any]


def _columns(log_events: Sequence[EventInput] | EventColumns) -> tuple[list[int], list[str]]:
    """Timestamps (ms) and messages of PutLogEvents input in any accepted form."""
    if isinstance(log_events, EventColumns):
        return _split_columns(log_events)
    return _event_columns(log_events)


def _split_columns(columns: EventColumns) -> tuple[list[int], list[str]]:
    """`_columns` of `EventColumns`: their lists as they are when every type is right."""
    times, messages = columns.times, columns.messages
    if len(times) != len(messages):
        raise InvalidParameterException(
            f"EventColumns of {len(times)} timestamps and {len(messages)} messages",
            param="logEvents",
            value=None,
        )
    # The types by C-level passes; anything else goes the checking way, event by event.
    if set(map(type, times)) <= {int} and set(map(type, messages)) <= {str}:
        return (
            times if type(times) is list else list(times),
            messages if type(messages) is list else list(messages),
        )
    return _event_columns(list(zip(times, messages, strict=True)))


def _event_columns(log_events: Sequence[EventInput]) -> tuple[list[int], list[str]]:
    """`_columns` of a sequence of events."""
    if log_events and type(log_events[0]) is tuple:
        # The wire layer's form, (epoch ms, message) pairs: split at C speed.
        columns = list(zip(*log_events, strict=True))
        if len(columns) == 2:
            fast_times, fast_messages = list(columns[0]), list(columns[1])
            if all(type(t) is int for t in fast_times) and all(
                type(m) is str for m in fast_messages
            ):
                return fast_times, fast_messages
    times: list[int] = []
    messages: list[str] = []
    for index, event in enumerate(log_events):
        if isinstance(event, InputLogEvent):
            times.append(event.timestamp_ms)
            messages.append(event.message)
            continue
        if isinstance(event, Mapping):
            timestamp, message = event.get("timestamp"), event.get("message")
        else:
            timestamp, message = event
        if not isinstance(message, str):
            raise InvalidParameterException(
                validation_message(
                    f"logEvents.{index + 1}.member.message", message, "Member must be a string"
                ),
                param="message",
                value=message,
            )
        try:
            times.append(to_millis(timestamp))  # type: ignore[arg-type]
        except TypeError:
            raise InvalidParameterException(
                validation_message(
                    f"logEvents.{index + 1}.member.timestamp",
                    timestamp,
                    "Member must be a timestamp",
                ),
                param="timestamp",
                value=timestamp,
            ) from None
        messages.append(message)
    return times, messages


def _check_batch(times: list[int], messages: list[str]) -> int:
    """The rules that fail a whole PutLogEvents call, before any time rule.

    Returns:
        The UTF-8 bytes of the messages (IncomingBytes counts them).
    """
    count = len(times)
    if not 1 <= count <= MAX_BATCH_EVENTS:
        bound = (
            f"less than or equal to {MAX_BATCH_EVENTS}" if count else "greater than or equal to 1"
        )
        raise InvalidParameterException(
            validation_message(
                "logEvents", f"<{count} events>", f"Member must have length {bound}"
            ),
            param="logEvents",
            value=count,
        )
    if not all(messages):
        index = next(i for i, m in enumerate(messages) if not m)
        raise InvalidParameterException(
            validation_message(
                f"logEvents.{index + 1}.member.message",
                "",
                "Member must have length greater than or equal to 1",
            ),
            param="message",
            value="",
        )
    if min(times) < 0:
        index = next(i for i, t in enumerate(times) if t < 0)
        raise InvalidParameterException(
            validation_message(
                f"logEvents.{index + 1}.member.timestamp",
                times[index],
                "Member must have value greater than or equal to 0",
            ),
            param="timestamp",
            value=times[index],
        )
    text = "".join(messages)
    nbytes = len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
    size = nbytes + EVENT_OVERHEAD * count
    if size > MAX_BATCH_BYTES:
        raise InvalidParameterException(
            f"Upload too large: {size} bytes exceeds limit of {MAX_BATCH_BYTES}",
            param="logEvents",
            value=size,
        )
    if times != sorted(times):
        raise InvalidParameterException(
            "Log events in a single PutLogEvents request must be in chronological order.",
            param="logEvents",
            value=None,
        )
    return nbytes


def _token(direction: str, key: Key) -> str:
    timestamp, seq = key
    return f"{direction}/{max(timestamp, 0):020d}{max(seq + 1, 0):036d}"


def _parse_token(token: str) -> tuple[str, Key]:
    found = _TOKEN.fullmatch(token)
    if found is None:
        raise invalid_token(token)
    digits = found.group(2)
    return found.group(1), (int(digits[:20]), int(digits[20:]) - 1)


def _after(key: Key) -> Key:
    return (key[0], key[1] + 1)


def _page(events: Iterable[Event], limit: int) -> list[Event]:
    """Up to `limit` events, stopping before the page passes 1 MB of messages."""
    taken: list[Event] = []
    size = 0
    for event in events:
        size += len(event[3]) + EVENT_OVERHEAD
        if taken and size > MAX_PAGE_BYTES:
            break
        taken.append(event)
        if len(taken) >= limit:
            break
    return taken


class EventsMixin(FiltersMixin):
    """PutLogEvents, GetLogEvents and FilterLogEvents of `CloudWatchLogs`."""

    @operation("PutLogEvents")
    def put_log_events(
        self,
        log_group_name: str,
        log_stream_name: str,
        log_events: Sequence[EventInput] | EventColumns,
        *,
        sequence_token: str | None = None,
        emf: bool = False,
    ) -> PutLogEventsResult:
        """Store a batch of events in a stream (PutLogEvents).

        Args:
            log_group_name: the group.
            log_stream_name: the stream (it must exist).
            log_events: `InputLogEvent` records, ``(timestamp, message)``
                pairs or ``{"timestamp": ..., "message": ...}`` mappings;
                timestamps are datetimes or epoch milliseconds, in
                chronological order; or one `EventColumns` (epoch
                milliseconds and messages, the wire layer's form).
            sequence_token: accepted and ignored, as AWS does now.
            emf: extract Embedded Metric Format metrics from the messages (the
                ``x-amzn-logs-format: json/emf`` header, the CloudWatch agent
                and Lambda paths).

        Returns:
            The (ignored) next sequence token and the rejected events, if any.

        Raises:
            ResourceNotFoundException: no such group or stream.
            InvalidParameterException: a batch breaking a rule (see the module).
        """
        group = self.log_group(log_group_name)
        stream = self.log_stream(group, log_stream_name)
        times, messages = _columns(log_events)
        nbytes = _check_batch(times, messages)
        now = self.now_ms()
        count = len(times)
        if times:  # in time order: the ends are the farthest from now
            far = max(times[0], times[-1], key=lambda t: abs(t - now))
            self.ctx.check_skew("a log event", far / 1000)
        too_old_end = bisect_left(times, now - TOO_OLD_MS)
        too_new_start = bisect_right(times, now + TOO_NEW_MS)
        cutoff = self.retention_cutoff(group)
        expired_end = 0 if cutoff is None else bisect_left(times, cutoff)
        low = max(too_old_end, expired_end)
        high = max(too_new_start, low)
        if low < high and times[high - 1] - times[low] > DAY_MS:
            raise InvalidParameterException(
                "The batch of log events in a single PutLogEvents request cannot span more "
                "than 24 hours.",
                param="logEvents",
                value=None,
            )
        rejected = None
        if too_old_end or expired_end or too_new_start < count:
            rejected = RejectedLogEventsInfo(
                too_new_start_index=too_new_start if too_new_start < count else None,
                too_old_end_index=too_old_end or None,
                expired_end_index=expired_end or None,
            )
        if low < high:
            kept_times = times[low:high] if (low or high < count) else times
            kept = messages[low:high] if (low or high < count) else messages
            first_seq = group.next_seq
            group.next_seq += len(kept_times)
            stream.store.add(kept_times, first_seq, now, kept)
            self._bookkeep(stream, kept_times[0], kept_times[-1], now)
            self.ctx.note(
                "log-events",
                f"{len(kept_times)} log events into {group.name}/{log_stream_name}",
                group=group.name,
                stream=log_stream_name,
                count=len(kept_times),
            )
            self.count_incoming(group.name, kept, nbytes if kept is messages else None)
            self.apply_filters(group, log_stream_name, kept_times, first_seq, kept)
            if emf:
                publish_emf(self, kept_times, kept)
        return PutLogEventsResult(self.ctx.ids.digits(56), rejected)

    @staticmethod
    def _bookkeep(stream: LogStream, first: int, last: int, now: int) -> None:
        if stream.first_event_ms is None or first < stream.first_event_ms:
            stream.first_event_ms = first
        if stream.last_event_ms is None or last > stream.last_event_ms:
            stream.last_event_ms = last
        stream.last_ingestion_ms = now

    def _window(self, cutoff: int | None, start: int | None, stop: Key) -> tuple[Key, Key]:
        low = MIN_KEY if start is None else (start, -1)
        if cutoff is not None and low < (cutoff, -1):
            low = (cutoff, -1)
        return low, stop

    @operation("GetLogEvents")
    def get_log_events(
        self,
        log_group_name: str | None,
        log_stream_name: str,
        *,
        log_group_identifier: str | None = None,
        start_time: datetime | int | None = None,
        end_time: datetime | int | None = None,
        next_token: str | None = None,
        limit: int | None = None,
        start_from_head: bool | None = None,
        unmask: bool = False,
    ) -> LogEventsPage:
        """A page of one stream's events, oldest first within the page (GetLogEvents).

        Without a token the page is the newest events of the window, or the
        oldest with `start_from_head`. `next_forward_token` continues
        forward, `next_backward_token` backward; at the end of the stream the
        token passed in comes back unchanged (the stop condition).

        Args:
            start_time: inclusive (datetime or epoch ms).
            end_time: exclusive.
            limit: 1 to 10,000 events (default: as many as fit in 1 MB, up to 10,000).

        Raises:
            ResourceNotFoundException: no such group or stream.
            InvalidParameterException: a bad token or limit.
        """
        group = self.resolve_group(log_group_name, log_group_identifier)
        stream = self.log_stream(group, log_stream_name)
        size = check_limit(limit, MAX_PAGE_EVENTS, MAX_PAGE_EVENTS)
        high: Key = MAX_KEY if end_time is None else (to_millis(end_time), -1)
        low, high = self._window(
            self.retention_cutoff(group),
            None if start_time is None else to_millis(start_time),
            high,
        )
        store = stream.store
        direction = "f" if start_from_head else "b"
        if next_token is not None:
            direction, key = _parse_token(next_token)
            if direction == "f":
                low = max(low, _after(key))
            else:
                high = min(high, key)
        if direction == "f":
            taken = _page(store.events(low, high), size)
        else:
            taken = _page(store.events(low, high, reverse=True), size)
            taken.reverse()
        events = tuple(OutputLogEvent(t, m, i) for t, _s, i, m in taken)
        if taken:
            first, last = (taken[0][0], taken[0][1]), (taken[-1][0], taken[-1][1])
            return LogEventsPage(events, _token("f", last), _token("b", first))
        if next_token is not None:
            _, key = _parse_token(next_token)
            forward = next_token if direction == "f" else _token("f", key)
            backward = next_token if direction == "b" else _token("b", key)
            return LogEventsPage(events, forward, backward)
        return LogEventsPage(events, _token("f", low), _token("b", high))

    @operation("FilterLogEvents")
    def filter_log_events(
        self,
        log_group_name: str | None = None,
        *,
        log_group_identifier: str | None = None,
        log_stream_names: Sequence[str] | None = None,
        log_stream_name_prefix: str | None = None,
        start_time: datetime | int | None = None,
        end_time: datetime | int | None = None,
        filter_pattern: str | None = None,
        next_token: str | None = None,
        limit: int | None = None,
        interleaved: bool | None = None,
        unmask: bool = False,
    ) -> FilteredEventsPage:
        """A group's events matching a pattern, streams interleaved by time (FilterLogEvents).

        Args:
            log_stream_names: only these streams (1 to 100; unknown names are skipped).
            log_stream_name_prefix: only streams with this prefix (not with `log_stream_names`).
            start_time: inclusive (datetime or epoch ms).
            end_time: inclusive.
            filter_pattern: a filter pattern; None or ``""`` matches every event.
            limit: 1 to 10,000 (default 10,000; a page also stops at 1 MB).
            interleaved: ignored, as AWS has since 2019 (always interleaved).

        Raises:
            ResourceNotFoundException: no such group.
            InvalidParameterException: a bad pattern, token or limit, or both
                stream selections.
        """
        group = self.resolve_group(log_group_name, log_group_identifier)
        _check_stream_selection(log_stream_names, log_stream_name_prefix)
        size = check_limit(limit, MAX_PAGE_EVENTS, MAX_PAGE_EVENTS)
        matcher = Matcher(FilterPattern.parse(filter_pattern) if filter_pattern else None)
        high: Key = MAX_KEY if end_time is None else (to_millis(end_time) + 1, -1)
        low, high = self._window(
            self.retention_cutoff(group),
            None if start_time is None else to_millis(start_time),
            high,
        )
        if next_token is not None:
            found = _FILTER_TOKEN.fullmatch(next_token)
            if found is None:
                raise invalid_token(next_token)
            low = max(low, (int(found.group(1)), int(found.group(2)) + 1))
        names = _selected_streams(group, log_stream_names, log_stream_name_prefix)
        if len(names) == 1:  # one stream: no merge, no labels
            (name,) = names
            alone, more = _fill_page(group.streams[name].store.scan(low, high, matcher), size)
            events = tuple(
                [FilteredLogEvent(name, t, m, i, event_id(t, s)) for t, s, i, m in alone]
            )
            last: tuple[int, int] | None = alone[-1][:2] if alone else None
        else:
            scans = [
                self._labelled(name, group.streams[name].store.scan(low, high, matcher))
                for name in names
            ]
            taken, more = _fill_page(heapq.merge(*scans), size)
            events = tuple(
                [FilteredLogEvent(name, t, m, i, event_id(t, s)) for t, s, i, m, name in taken]
            )
            last = taken[-1][:2] if taken else None
        token = f"{last[0]:020d}{last[1]:036d}" if more and last is not None else None
        return FilteredEventsPage(events, token, ())

    def events_table(
        self,
        log_group_name: str,
        *,
        filter_pattern: str | None = None,
        start_time: datetime | int | None = None,
        end_time: datetime | int | None = None,
        limit: int = 100,
    ) -> Table:
        """The group's events (the first `limit` FilterLogEvents finds) as a `Table`.

        Raises:
            ResourceNotFoundException, InvalidParameterException: as FilterLogEvents.
        """
        from awsmon.logs.pictures import events_table

        page = self.filter_log_events(
            log_group_name,
            filter_pattern=filter_pattern,
            start_time=start_time,
            end_time=end_time,
            limit=limit,
        )
        shown = f" matching {filter_pattern}" if filter_pattern else ""
        return events_table(page.events, f"{log_group_name}{shown}")

    @staticmethod
    def _labelled(name: str, events: Iterator[Event]) -> Iterator[tuple[int, int, int, str, str]]:
        for timestamp, seq, ingested, message in events:
            yield timestamp, seq, ingested, message, name


def _check_stream_selection(names: Sequence[str] | None, prefix: str | None) -> None:
    """FilterLogEvents' stream selection: names or a prefix, not both; 1 to 100 names.

    Raises:
        InvalidParameterException: both given, or a list of the wrong length.
    """
    if names is not None and prefix is not None:
        raise InvalidParameterException(
            "Cannot specify both logStreamNamePrefix and logStreamNames",
            param="logStreamNames",
            value=list(names),
        )
    if names is not None and not 1 <= len(names) <= 100:
        bound = "less than or equal to 100" if names else "greater than or equal to 1"
        raise InvalidParameterException(
            validation_message("logStreamNames", list(names), f"Member must have length {bound}"),
            param="logStreamNames",
            value=len(names),
        )


def _selected_streams(
    group: LogGroup, names: Sequence[str] | None, prefix: str | None
) -> list[str]:
    """The names of the group's streams FilterLogEvents reads, sorted (unknown names skipped)."""
    if names is not None:
        return sorted({name for name in names if name in group.streams})
    return sorted(name for name in group.streams if prefix is None or name.startswith(prefix))


def _fill_page(merged: Iterator[_Row], size: int) -> tuple[list[_Row], bool]:
    """The events of one page (at most `size`, and 1 MB), and whether more follow."""
    taken: list[_Row] = []
    budget = 0
    for event in merged:
        budget += len(event[3]) + EVENT_OVERHEAD
        if len(taken) >= size or (taken and budget > MAX_PAGE_BYTES):
            return taken, True
        taken.append(event)
    return taken, False
