"""Amazon EventBridge, simulated: buses, rules, targets, schedules and the pattern language.

The public pieces: `EventBridge` (the service, ``cloud.events``) and its
values and entities from `awsmon.events.model`; the languages live in
`awsmon.events.pattern`, `awsmon.events.ruler`, `awsmon.events.schedule` and
`awsmon.events.transform`; the error classes in `awsmon.events.errors`.
Importing this package loads the service (the registry imports it lazily).
"""

from __future__ import annotations

from awsmon.events.model import (
    DEFAULT_BUS,
    LEGACY_PUT_EVENTS_LIMIT,
    PUT_EVENTS_LIMIT,
    Archive,
    ArchiveState,
    EventBus,
    EventSource,
    EventSourceState,
    Invocation,
    PutEventsEntry,
    PutEventsResult,
    PutEventsResultEntry,
    Replay,
    ReplayState,
    RetryPolicy,
    Rule,
    RuleState,
    Target,
    entry_size,
)
from awsmon.events.service import EventBridge

__all__ = [
    "DEFAULT_BUS",
    "LEGACY_PUT_EVENTS_LIMIT",
    "PUT_EVENTS_LIMIT",
    "Archive",
    "ArchiveState",
    "EventBridge",
    "EventBus",
    "EventSource",
    "EventSourceState",
    "Invocation",
    "PutEventsEntry",
    "PutEventsResult",
    "PutEventsResultEntry",
    "Replay",
    "ReplayState",
    "RetryPolicy",
    "Rule",
    "RuleState",
    "Target",
    "entry_size",
]
