"""The events themselves: a PutEvents entry, its size, the envelope, results, an event in flight.

- `PutEventsEntry`, `PutEventsResultEntry`, `PutEventsResult`: what PutEvents
  (and PutPartnerEvents) take and answer.
- `entry_size` and `put_events_limit_on`: AWS's size accounting and limit.
- `envelope` and `event_time`: the event as targets receive it. Events travel
  as plain JSON-like dicts (the envelope of reference A.1: ``version, id,
  detail-type, source, account, time, region, [replay-name], resources,
  detail``), because that is what patterns match and transformers read.
- `Received`: an event arriving on a bus, with what routing needs.

`awsmon.events.model` re-exports every name here.

Size accounting (`entry_size`) follows AWS's documented formula: 14 bytes
when ``Time`` is set, plus the UTF-8 length of Source, DetailType, Detail and
every resource.

>>> entry_size(PutEventsEntry(source="com.mycompany.myapp", detail_type="myDetailType",
...     detail='{"key1":"value1"}', resources=("resource1", "resource2"),
...     time=datetime(2024, 1, 1, tzinfo=UTC)))
80
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import attrs
from attrs import define, field, frozen

__all__ = [
    "LEGACY_PUT_EVENTS_LIMIT",
    "PUT_EVENTS_LIMIT",
    "PUT_EVENTS_LIMIT_RAISED_ON",
    "PutEventsEntry",
    "PutEventsResult",
    "PutEventsResultEntry",
    "Received",
    "entry_size",
    "envelope",
    "event_time",
    "put_events_limit_on",
]

PUT_EVENTS_LIMIT = 1_048_576
"""PutEvents request size limit in bytes since 2026-01-29 (1 MB)."""

LEGACY_PUT_EVENTS_LIMIT = 262_144
"""PutEvents request size limit in bytes before 2026-01-29 (256 KB)."""

PUT_EVENTS_LIMIT_RAISED_ON = date(2026, 1, 29)
"""The day AWS raised the PutEvents payload limit from 256 KB to 1 MB."""


def put_events_limit_on(day: date | datetime) -> int:
    """The PutEvents size limit AWS applied on `day` (1 MB from 2026-01-29, 256 KB before).

    >>> put_events_limit_on(date(2025, 6, 1)), put_events_limit_on(date(2026, 2, 1))
    (262144, 1048576)
    """
    when = day.date() if isinstance(day, datetime) else day
    return PUT_EVENTS_LIMIT if when >= PUT_EVENTS_LIMIT_RAISED_ON else LEGACY_PUT_EVENTS_LIMIT


@functools.lru_cache(maxsize=16)  # the events of one instant share their text
def event_time(when: datetime) -> str:
    """An instant as EventBridge writes it in an envelope: ``YYYY-MM-DDThh:mm:ssZ``.

    >>> event_time(datetime(2024, 1, 5, 10, 0, 0, 500_000, tzinfo=UTC))
    '2024-01-05T10:00:00Z'
    """
    when = when.astimezone(UTC)
    return (
        f"{when.year:04d}-{when.month:02d}-{when.day:02d}"
        f"T{when.hour:02d}:{when.minute:02d}:{when.second:02d}Z"
    )


def envelope(
    *,
    event_id: str,
    detail_type: str,
    source: str,
    account: str,
    time: datetime,
    region: str,
    resources: Sequence[str],
    detail: Mapping[str, Any],
    replay_name: str | None = None,
) -> dict[str, Any]:
    """The event as targets receive it, with AWS's member order (reference A.1)."""
    event: dict[str, Any] = {
        "version": "0",
        "id": event_id,
        "detail-type": detail_type,
        "source": source,
        "account": account,
        "time": event_time(time),
        "region": region,
    }
    if replay_name is not None:
        event["replay-name"] = replay_name
    event["resources"] = list(resources)
    event["detail"] = detail
    return event


def _texts(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@frozen(kw_only=True)
class PutEventsEntry:
    """One entry of PutEvents (or PutPartnerEvents).

    Attributes:
        source: the event's ``source`` (required; customers may not use ``aws.``).
        detail_type: the ``detail-type`` (required).
        detail: a JSON object as text (required), or a mapping, serialised first.
        resources: ARNs of the resources involved.
        time: the event's time (None: the time of the call; naive is UTC).
        event_bus_name: the bus name or ARN (None: the default bus).
        trace_header: an X-Ray trace header, kept but not part of the event.
    """

    source: str | None = None
    detail_type: str | None = None
    detail: str | Mapping[str, Any] | None = None
    resources: tuple[str, ...] = field(default=(), converter=_texts)
    time: datetime | None = None
    event_bus_name: str | None = None
    trace_header: str | None = None


def _utf8(text: str | None) -> int:
    if not text:
        return 0
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def entry_size(entry: PutEventsEntry) -> int:
    """An entry's size as AWS counts it against the PutEvents limit (reference A.2.1)."""
    detail = entry.detail
    if detail is not None and not isinstance(detail, str):
        detail = json.dumps(detail, separators=(",", ":"), ensure_ascii=False)
    size = 14 if entry.time is not None else 0
    size += _utf8(entry.source) + _utf8(entry.detail_type) + _utf8(detail)
    for resource in entry.resources:
        size += _utf8(resource)
    return size


@frozen
class PutEventsResultEntry:
    """The outcome of one entry: an event id, or an error code and message."""

    event_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None

    @property
    def failed(self) -> bool:
        """True when the entry was refused."""
        return self.error_code is not None


@frozen
class PutEventsResult:
    """PutEvents' answer: one result per entry, in request order."""

    entries: tuple[PutEventsResultEntry, ...]

    @property
    def failed_entry_count(self) -> int:
        """How many entries were refused."""
        return sum(1 for e in self.entries if e.failed)

    @property
    def event_ids(self) -> list[str]:
        """The ids of the accepted events, in order."""
        return [e.event_id for e in self.entries if e.event_id is not None]


@define(kw_only=True)
class Received:
    """An event arriving on a bus, with what routing needs beside the envelope.

    Attributes:
        event: the envelope (a JSON-like dict).
        at: the event's time.
        ingested_at: when EventBridge took it in.
        forwarded: it came from another bus (a bus target), so it may not be
            sent on to a third.
        only_rules: for a replay with FilterArns, the rule ARNs it may reach.
    """

    event: dict[str, Any]
    at: datetime
    ingested_at: datetime
    forwarded: bool = False
    cross_region: bool = False
    only_rules: frozenset[str] | None = None

    def forward(self, *, cross_region: bool) -> Received:
        """This event as another bus receives it from a bus target."""
        return attrs.evolve(self, forwarded=True, cross_region=cross_region, only_rules=None)
