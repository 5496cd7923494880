"""Pictures of log events: a table of a log group's events, for notebooks and files.

`events_table` turns FilterLogEvents results into a `Table` (HTML in a
notebook, PNG or SVG in a file), with the time as CloudWatch's console shows
it. The hooks are `FilteredEventsPage.table` and `CloudWatchLogs.events_table`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Protocol

from awsmon.pictures import Table

__all__ = ["events_table"]


class ShownEvent(Protocol):
    """What a row needs: `awsmon.logs.model.FilteredLogEvent` has it."""

    @property
    def log_stream_name(self) -> str:
        """The stream the event is in."""
        ...

    @property
    def timestamp_ms(self) -> int:
        """The event time, epoch milliseconds."""
        ...

    @property
    def message(self) -> str:
        """The event text."""
        ...


def _when(timestamp_ms: int) -> str:
    moment = datetime.fromtimestamp(timestamp_ms / 1000, UTC)
    return f"{moment:%Y-%m-%d %H:%M:%S}.{timestamp_ms % 1000:03d}"


def events_table(events: Iterable[ShownEvent], title: str = "") -> Table:
    """The events, oldest first as given, as a table of time (UTC), stream and message."""
    rows = [(_when(e.timestamp_ms), e.log_stream_name, e.message.rstrip("\n")) for e in events]
    return Table(("timestamp (UTC)", "stream", "message"), rows, title=title)
