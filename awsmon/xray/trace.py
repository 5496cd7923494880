"""Traces: assembled from segment documents arriving in any order, then processed.

Main classes:

- `TraceView`: the processed trace, computed from a `TraceRecord`
  (`awsmon.xray.record`, whose names this module re-exports) by
  `awsmon.xray.assembly`: segments with their independent
  subsegments attached, inferred segments for downstream calls nobody
  traced, the trace summary facts, the service nodes and calls that feed the
  service graph, and the filter-expression `Subject` of the trace.
- `Entity`, `Node`, `Call`: a segment or subsegment in the tree, a service
  node, a call from one node to another.

Processing (reference C.7.1): a subsegment with namespace ``aws`` or
``remote`` (or ``http.request.traced``) is a call to another node. When a
segment of the trace has it as ``parent_id``, that segment's node is the
callee; otherwise an *inferred segment* stands for the callee, built from
the subsegment (times, http, aws, error flags) with ``inferred: true`` and an
``origin`` naming the AWS resource type (`awsmon.xray.rootcause` has the
root-cause analysis, `awsmon.xray.graph` the aggregation).

Simulation notes: an inferred segment's id is derived from the calling
subsegment's id (a hash), so processing the same pieces twice gives the same
documents. Inferred node names beyond AWS's examples (DynamoDB tables by
table name, ``SNS``) are UNCONFIRMED: SQS queues by queue name, Lambda by
function name, S3 by bucket, SQL databases typed ``Database::SQL``, other
remote calls typed ``remote``. A segment without ``origin`` gives a node
without type. Only the first 50 annotation keys of a trace are indexed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import define, field

from awsmon.xray.filter_expression import node_matches
from awsmon.xray.filter_syntax import ServiceRef, Value
from awsmon.xray.record import TraceFull, TraceLimits, TraceRecord
from awsmon.xray.rootcause import analyse
from awsmon.xray.trace_tree import (
    ERROR,
    FAULT,
    OK,
    THROTTLE,
    Call,
    Entity,
    Node,
    http_status,
    status_of,
)

if TYPE_CHECKING:
    from awsmon.pictures import Chart

__all__ = [
    "ERROR",
    "FAULT",
    "OK",
    "THROTTLE",
    "Call",
    "Entity",
    "Node",
    "TraceFull",
    "TraceLimits",
    "TraceRecord",
    "TraceView",
    "status_of",
]

MAX_INDEXED_ANNOTATIONS = 50


@define(eq=False)
class TraceView:
    """A processed trace: what BatchGetTraces, summaries, filters and graphs read.

    Attributes:
        trace_id: the trace id.
        segments: real segments (by start time), subsegments attached.
        inferred: inferred segments.
        root: the root segment (the entry point), None if none arrived yet.
        calls: every call from one node to another.
        start: earliest start (epoch seconds); end: latest end.
        updated_at: when the trace last changed (virtual epoch seconds).
        revision: the record's revision when the view was built.
        is_partial: True while any segment or subsegment is in progress.
        limit_exceeded: True when a document did not fit in the trace (`TraceLimits`).
        groups: names and ARNs of the groups the trace belongs to (set by the store).
    """

    trace_id: str
    segments: list[Entity]
    inferred: list[Entity]
    root: Entity | None
    calls: list[Call]
    start: float
    end: float | None
    updated_at: float
    revision: int
    is_partial: bool = False
    limit_exceeded: bool = False
    groups: frozenset[str] = frozenset()
    _annotations: dict[str, list[tuple[Value, Node]]] = field(factory=dict, alias="annotations")
    _nodes: dict[tuple[str, str | None, str | None], list[Entity]] = field(
        factory=dict, alias="nodes"
    )
    _causes: Any = field(default=None, alias="causes")

    # -- pictures -------------------------------------------------------------------

    def waterfall(self) -> Chart:
        """The trace's segments as a waterfall `Chart` (`awsmon.xray.pictures`)."""
        from awsmon.xray.pictures import waterfall

        return waterfall(self.trace_id, self.segments, self.inferred)

    def to_png(self, path: str | Path) -> Path:
        """Write the waterfall as PNG to `path`."""
        return self.waterfall().to_png(path)

    def to_svg(self, path: str | Path) -> Path:
        """Write the waterfall as SVG to `path`."""
        return self.waterfall().to_svg(path)

    def _repr_png_(self) -> bytes:
        return self.waterfall().png()

    def _repr_svg_(self) -> str:
        return self.waterfall().svg()

    def _repr_html_(self) -> str:
        return self.waterfall().html()

    def __repr__(self) -> str:
        outcome = ("ok", "error", "throttle", "fault")[self.root_status]
        partial = ", in progress" if self.is_partial else ""
        return (
            f"<TraceView {self.trace_id}: {len(self.segments)} segments, "
            f"{self.duration:.3f} s, {outcome}{partial}>"
        )

    # -- facts ------------------------------------------------------------------

    @property
    def duration(self) -> float:
        """Earliest start to latest end, in seconds (0 while nothing has ended)."""
        return 0.0 if self.end is None else max(self.end - self.start, 0.0)

    @property
    def response_time(self) -> float | None:
        """The root segment's end minus start, None without a complete root."""
        return None if self.root is None else self.root.duration

    @property
    def root_status(self) -> int:
        """The root segment's outcome class."""
        return OK if self.root is None else self.root.status

    @property
    def has_throttle(self) -> bool:
        """True when any segment (real or inferred) was throttled."""
        return any(e.status == THROTTLE for e in self.all_segments())

    def all_segments(self) -> list[Entity]:
        """Real then inferred segments."""
        return self.segments + self.inferred

    def nodes(self) -> list[Node]:
        """Every service node of the trace, in order of first appearance."""
        return [segments[0].node for segments in self._nodes.values() if segments[0].node]

    def node_segments(self) -> Mapping[tuple[str, str | None, str | None], list[Entity]]:
        """The segments of each node, by node key."""
        return self._nodes

    def http_field(self, name: str) -> Any:
        """A field of the root segment's ``http.request`` (or ``status`` of the response)."""
        return _http_of(self.root, name)

    def users(self) -> dict[str, list[Node]]:
        """User name → the nodes whose segments name that user."""
        found: dict[str, list[Node]] = {}
        for segment in self.segments:
            user = segment.doc.get("user")
            if isinstance(user, str) and segment.node is not None:
                nodes = found.setdefault(user, [])
                if segment.node not in nodes:
                    nodes.append(segment.node)
        return found

    def annotation_index(self) -> Mapping[str, list[tuple[Value, Node]]]:
        """Annotation key → (value, node) pairs from every (sub)segment (first 50 keys)."""
        return self._annotations

    def segment_values(self, path: tuple[str, ...]) -> list[str]:
        """Distinct string values at `path` (``("aws", "ec2", "instance_id")``) in the segments."""
        found: list[str] = []
        for segment in self.segments:
            value: Any = segment.doc
            for part in path:
                value = value.get(part) if isinstance(value, dict) else None
            if isinstance(value, str) and value not in found:
                found.append(value)
        return found

    def analysis(self) -> Any:
        """The root-cause analysis (`awsmon.xray.rootcause.RootCauses`), computed once."""
        if self._causes is None:
            self._causes = analyse(self)
        return self._causes

    def documents(self) -> list[tuple[str, dict[str, Any]]]:
        """(id, processed document) of every real and inferred segment."""
        return [(segment.id, segment.render()) for segment in self.all_segments()]

    # -- the filter Subject -------------------------------------------------------

    def flag(self, keyword: str) -> bool | None:
        """Trace-level boolean keywords: the root's response, partial, inferred."""
        if keyword == "partial":
            return self.is_partial
        if keyword == "inferred":
            return bool(self.inferred)
        if self.root is None:
            return None
        return _status_flag(self.root, keyword)

    def number(self, keyword: str) -> float | None:
        """Trace-level numbers: responsetime, duration, http.status."""
        if keyword == "responsetime":
            return self.response_time
        if keyword == "duration":
            return self.duration
        if keyword == "http.status":
            status = self.http_field("status")
            return None if status is None else float(status)
        return None

    def strings(self, keyword: str) -> Sequence[str]:
        """Trace-level strings: the root's http fields; users, zones, instances, ARNs of all."""
        if keyword.startswith("http."):
            value = self.http_field(keyword[5:])
            return [value] if isinstance(value, str) else []
        if keyword == "user":
            return list(self.users())
        if keyword == "availabilityzone":
            return self.segment_values(("aws", "ec2", "availability_zone"))
        if keyword == "instance.id":
            return self.segment_values(("aws", "ec2", "instance_id"))
        if keyword == "resource.arn":
            return self.segment_values(("resource_arn",))
        if keyword == "name" and self.root is not None:
            return [self.root.name]
        return []

    def annotations(self, key: str) -> Sequence[Value]:
        """Every value of annotation `key` in the trace."""
        return [value for value, _ in self._annotations.get(key, ())]

    def services(self, ref: ServiceRef | None) -> Iterable[_SegmentSubject]:
        """A subject per segment of each node `ref` matches."""
        root_key = None if self.root is None or self.root.node is None else self.root.node.key
        for key, segments in self._nodes.items():
            if ref is None or node_matches(ref, key[0], key[1], key[2]):
                for segment in segments:
                    yield _SegmentSubject(segment, key == root_key)

    def edges(self, source: ServiceRef, target: ServiceRef) -> Iterable[_SegmentSubject]:
        """A subject per caller-side subsegment of each matching call."""
        for call in self.calls:
            s, t = call.source, call.target
            if node_matches(source, s.name, s.type, s.account_id) and node_matches(
                target, t.name, t.type, t.account_id
            ):
                yield _SegmentSubject(call.entity, False, target_inferred=t.inferred)

    def in_group(self, attribute: str, value: str) -> bool:
        """True when the trace belongs to the group named (or with the ARN) `value`."""
        return value in self.groups

    def root_causes(self, kind: str, level: str) -> Iterable[Any]:
        """Subjects for ``rootcause.<kind>.<level>`` (see `awsmon.xray.rootcause`)."""
        subjects: Iterable[Any] = self.analysis().subjects(kind, level)
        return subjects

    def root_cause_documents(self) -> Sequence[Mapping[str, Any]]:
        """The root causes in TraceSummary form, for ``rootcause.json``."""
        documents: Sequence[Mapping[str, Any]] = self.analysis().documents()
        return documents


def _http_of(entity: Entity | None, name: str) -> Any:
    if entity is None:
        return None
    http = entity.doc.get("http")
    if not isinstance(http, dict):
        return None
    if name == "status":
        return http_status(entity.doc)
    request = http.get("request")
    if not isinstance(request, dict):
        return None
    key = {"useragent": "user_agent", "clientip": "client_ip"}.get(name, name)
    return request.get(key)


def _status_flag(entity: Entity, keyword: str) -> bool | None:
    status = entity.status
    if keyword == "ok":
        return status == OK
    if keyword == "fault":
        return status == FAULT
    if keyword == "error":
        return status in (ERROR, THROTTLE)
    if keyword == "throttle":
        return status == THROTTLE or entity.doc.get("throttle") is True
    return None


class _SegmentSubject:
    """One segment of a node (inside ``service(){}``) or one call (inside ``edge(){}``)."""

    __slots__ = ("entity", "is_root", "target_inferred")

    def __init__(self, entity: Entity, is_root: bool, *, target_inferred: bool = False) -> None:
        self.entity = entity
        self.is_root = is_root
        self.target_inferred = target_inferred

    def flag(self, keyword: str) -> bool | None:
        if keyword == "root":
            return self.is_root
        if keyword == "partial":
            return self.entity.end is None
        if keyword == "inferred":
            return self.entity.inferred or self.target_inferred
        return _status_flag(self.entity, keyword)

    def number(self, keyword: str) -> float | None:
        if keyword in ("responsetime", "duration"):
            return self.entity.duration
        if keyword == "http.status":
            status = _http_of(self.entity, "status")
            return None if status is None else float(status)
        return None

    def strings(self, keyword: str) -> Sequence[str]:
        value: Any = None
        if keyword.startswith("http."):
            value = _http_of(self.entity, keyword[5:])
        elif keyword == "user":
            value = self.entity.doc.get("user")
        elif keyword == "name":
            value = self.entity.node.name if self.entity.node else self.entity.name
        elif keyword == "type":
            value = self.entity.node.type if self.entity.node else None
        return [value] if isinstance(value, str) else []

    def annotations(self, key: str) -> Sequence[Value]:
        return []

    def services(self, ref: ServiceRef | None) -> Iterable[Any]:
        return ()

    def edges(self, source: ServiceRef, target: ServiceRef) -> Iterable[Any]:
        return ()

    def in_group(self, attribute: str, value: str) -> bool:
        return False

    def root_causes(self, kind: str, level: str) -> Iterable[Any]:
        return ()

    def root_cause_documents(self) -> Sequence[Mapping[str, Any]]:
        return ()
