"""The stored pieces of a trace, and how large a trace may grow.

`TraceRecord` keeps one trace's documents as received (segments, and
subsegments sent on their own, by id): a complete document replaces an
in-progress one with the same id, never the other way round. It holds each
`Segment` as one flat plain tuple, its fields with its digest's values in
place of the digest, and hands out `Segment` values: the cycle collector
stops tracking a plain tuple of strings and numbers at its first pass (a
named tuple never, a nested tuple only once every level is found untracked,
which can take until a full collection), and a day of traces is millions of
documents that every full collection would walk again. `TraceLimits`
caps the bytes a trace holds (reference C.2); a document that does not fit
raises `TraceFull`. `awsmon.xray.assembly` processes a record into a
`awsmon.xray.trace.TraceView`.
"""

from __future__ import annotations

from collections.abc import Iterator
from operator import itemgetter
from typing import Any

from attrs import define, field, frozen

from awsmon import jsondoc
from awsmon.xray.model import Segment, trace_id_epoch
from awsmon.xray.segments import digest_of

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
        updated_at: epoch seconds (virtual) of the last accepted document.
        revision: how many times a document changed the trace.
        size: bytes of the documents held.
        first_at: epoch seconds (virtual) of the first accepted document.
        limit_exceeded: True once a document did not fit (`TraceLimits`).
    """

    trace_id: str
    # Flat plain tuples of each Segment's fields, by id (see the module notes).
    _segments: dict[str, tuple[Any, ...]] = field(factory=dict, init=False)
    _subsegments: dict[str, tuple[Any, ...]] = field(factory=dict, init=False)
    updated_at: float = 0.0
    revision: int = 0
    size: int = 0
    first_at: float | None = None
    limit_exceeded: bool = False

    @property
    def segments(self) -> dict[str, Segment]:
        """Top-level segment documents by id, in first-arrival order (a new dict at every call)."""
        return {key: _segment(fields) for key, fields in self._segments.items()}

    @property
    def subsegments(self) -> dict[str, Segment]:
        """Subsegment documents sent on their own, by id (a new dict at every call)."""
        return {key: _segment(fields) for key, fields in self._subsegments.items()}

    @property
    def has_segments(self) -> bool:
        """True when the record holds a top-level segment document."""
        return bool(self._segments)

    @property
    def has_subsegments(self) -> bool:
        """True when the record holds a subsegment document sent on its own."""
        return bool(self._subsegments)

    def get(self, segment_id: str, independent_subsegment: bool = False) -> Segment | None:
        """The segment (or independent subsegment) document `segment_id`, if held."""
        held = (self._subsegments if independent_subsegment else self._segments).get(segment_id)
        return None if held is None else _segment(held)

    def digests(self) -> tuple[list[str | None], list[tuple[Any, ...]]]:
        """The parent ids and digests (`Segment.digest`) of the segments, by (start, id).

        What processing reads of a trace (`awsmon.xray.trace_facts`), without
        making a `Segment` of each document.
        """
        held = sorted(self._segments.values(), key=_START_ID)
        digests = [
            fields[_DIGEST:] or digest_of(jsondoc.loads(fields[_TEXT]), False) for fields in held
        ]
        return [fields[_PARENT] for fields in held], digests

    def documents(self) -> Iterator[Segment]:
        """Every document held: the segments, then the independent subsegments."""
        for held in (*self._segments.values(), *self._subsegments.values()):
            yield _segment(held)

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
        store = self._subsegments if segment.independent_subsegment else self._segments
        old = store.get(segment.id)
        if old is not None and segment.end_time is None and old[_END] is not None:
            return False
        size = self.size + segment.size - (0 if old is None else old[_SIZE])
        if limits is not None:
            first = now if self.first_at is None else self.first_at
            if size > limits.limit(first, now):
                self.limit_exceeded = True
                raise TraceFull(self.trace_id)
        if self.first_at is None:
            self.first_at = now
        digest = segment.digest
        fields = segment[:_DIGEST]
        store[segment.id] = fields if digest is None else (*fields, *digest)
        self.size = size
        self.updated_at = now
        self.revision += 1
        return True


# Positions in a held tuple: Segment's fields, the digest's values from _DIGEST on.
_ID, _START, _END, _PARENT, _TEXT, _SIZE, _DIGEST = map(
    Segment._fields.index, ("id", "start_time", "end_time", "parent_id", "text", "size", "digest")
)
_START_ID = itemgetter(_START, _ID)


def _segment(held: tuple[Any, ...]) -> Segment:
    """The `Segment` of a held flat tuple (no keyword parsing: the fields in order)."""
    return tuple.__new__(Segment, (*held[:_DIGEST], held[_DIGEST:] or None))
