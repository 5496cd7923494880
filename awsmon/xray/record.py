"""The stored pieces of a trace, and how large a trace may grow.

`TraceRecord` keeps one trace's documents as received (segments, and
subsegments sent on their own, by id): a complete document replaces an
in-progress one with the same id, never the other way round. `TraceLimits`
caps the bytes a trace holds (reference C.2); a document that does not fit
raises `TraceFull`. `awsmon.xray.assembly` processes a record into a
`awsmon.xray.trace.TraceView`.
"""

from __future__ import annotations

from attrs import define, field, frozen

from awsmon.xray.model import Segment, trace_id_epoch

__all__ = ["TraceFull", "TraceLimits", "TraceRecord"]


@frozen
class TraceLimits:
    """How large a trace may grow (reference C.2).

    AWS caps the assembled trace document: 500 KB when a trace's segments
    arrive together in batches, 100 KB when they trickle in one by one with
    time gaps (re:Post knowledge center ``x-ray-trace-quota-error``). A
    document that does not fit is rejected (``InvalidSegment``, "Trace Size
    Exceeded. ...", as aws-xray-sdk-python#309 shows), the trace is marked
    ``LimitExceeded`` (BatchGetTraces) and every later document of the trace
    is rejected too; what was stored stays.

    Simulation notes: the size is the sum of the byte sizes of the documents
    the trace holds (a complete document replacing an in-progress one counts
    once). "Batched" is UNCONFIRMED and modelled as: every document arrived
    within `batch_window` seconds (virtual) of the trace's first document,
    one daemon flush; past that the slow limit applies. KB are 1,024 bytes,
    as for the 64 KB document limit.

    Attributes:
        max_bytes: the limit while the documents arrive together (500 KB).
        slow_max_bytes: the limit once a document came later (100 KB).
        batch_window: seconds after the first document that still count as
            "together".

    >>> TraceLimits().limit(first_at=100.0, now=100.5), TraceLimits().limit(100.0, 160.0)
    (512000, 102400)
    """

    max_bytes: int = 500 * 1024
    slow_max_bytes: int = 100 * 1024
    batch_window: float = 1.0

    def limit(self, first_at: float, now: float) -> int:
        """The size limit of a trace first written at `first_at`, for a document at `now`."""
        return self.max_bytes if now - first_at <= self.batch_window else self.slow_max_bytes


class TraceFull(Exception):
    """A document does not fit in its trace (`TraceLimits`)."""


@define(eq=False)
class TraceRecord:
    """The stored pieces of one trace.

    Attributes:
        trace_id: the trace id.
        segments: top-level segment documents by id.
        subsegments: subsegment documents sent on their own, by id.
        updated_at: epoch seconds (virtual) of the last accepted document.
        revision: how many times a document changed the trace.
        size: bytes of the documents held.
        first_at: epoch seconds (virtual) of the first accepted document.
        limit_exceeded: True once a document did not fit (`TraceLimits`).
    """

    trace_id: str
    segments: dict[str, Segment] = field(factory=dict)
    subsegments: dict[str, Segment] = field(factory=dict)
    updated_at: float = 0.0
    revision: int = 0
    size: int = 0
    first_at: float | None = None
    limit_exceeded: bool = False

    @property
    def id_epoch(self) -> int:
        """The epoch second in the trace id."""
        return trace_id_epoch(self.trace_id)

    def put(self, segment: Segment, now: float, limits: TraceLimits | None = None) -> bool:
        """Store `segment`; False when an older (in-progress) version was ignored.

        Raises:
            TraceFull: the trace is over its size limit, or would be with
                `segment` (the trace is marked `limit_exceeded`).
        """
        if self.limit_exceeded and limits is not None:
            raise TraceFull(self.trace_id)
        store = self.subsegments if segment.independent_subsegment else self.segments
        old = store.get(segment.id)
        if old is not None and segment.in_progress and not old.in_progress:
            return False
        size = self.size + segment.size - (0 if old is None else old.size)
        if limits is not None:
            first = now if self.first_at is None else self.first_at
            if size > limits.limit(first, now):
                self.limit_exceeded = True
                raise TraceFull(self.trace_id)
        if self.first_at is None:
            self.first_at = now
        store[segment.id] = segment
        self.size = size
        self.updated_at = now
        self.revision += 1
        return True
