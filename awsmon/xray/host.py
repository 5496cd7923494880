"""The part of the X-Ray service its adapters talk to, as a Protocol.

The UDP daemon (`awsmon.xray.daemon`), the aws-xray-sdk emitter and sampler
(`awsmon.xray.emitter`) and the simulated-application recorder
(`awsmon.xray.recorder`) feed one `awsmon.xray.service.XRay`, which creates
them. They know it only as an `XRayHost`, so the service can import them
without them importing it back.
"""

from __future__ import annotations

import collections
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any, Protocol

from awsmon.dispatch import ServiceContext
from awsmon.xray.sampling import Sampler
from awsmon.xray.segments import Rejection
from awsmon.xray.store import TraceStore

__all__ = ["XRayHost"]


class XRayHost(Protocol):
    """What the daemon, the SDK emitter and sampler, and the recorder use of `XRay`.

    Attributes:
        ctx: the service context (clock, ids, the cloud's dispatcher).
        store: the traces kept.
        max_trace_age: the oldest trace id time PutTraceSegments accepts.
        daemon_rejections: the last daemon datagrams refused, with why (bounded).
    """

    ctx: ServiceContext
    store: TraceStore
    max_trace_age: timedelta | None
    daemon_rejections: collections.deque[tuple[str, Rejection | None]]

    def put_trace_segments(
        self, trace_segment_documents: Sequence[str | Mapping[str, Any]]
    ) -> list[Rejection]:
        """Upload segment documents (PutTraceSegments); returns the rejected ones."""

    def receive_datagram(self, data: bytes) -> None:
        """Queue one daemon datagram (any thread)."""

    def pump_datagrams(self) -> None:
        """Bring the queued datagrams in (on the simulation's thread)."""

    def sampler(self, client_id: str | None = None) -> Sampler:
        """The SDK sampling algorithm for one simulated application."""
