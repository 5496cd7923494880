"""A trace's processing facts straight from its documents' digests, without a view.

Processing a changed trace needs only a few things: when it started, whether
a piece is in progress, and its service-graph contribution (every completed
segment's node and outcome, every completed call). `digest_facts` computes
them from the digests taken at upload (`awsmon.xray.model.Segment.digest`)
in one pass over the trace's entities, giving exactly what
`awsmon.xray.assembly.build_view` followed by
`awsmon.xray.graph.contribution` gives (same entries, same order), without
parsing a document again or building the `TraceView` tree; the full view is
built only when a query (or a group's filter expression the facts cannot
decide) asks for it.

It follows `build_view` step by step: segments by (start, id); each entity
registered by id (the first one wins); the root is the first segment whose
parent is not in the trace; a segment whose parent entity is in another
segment is called by that segment's node; every other subsegment that calls
a node (`awsmon.xray.nodes.is_call`) and is nobody's parent stands for an
inferred segment. Traces with subsegments sent on their own are left to
`build_view` (their attachment rules rearrange the trees): `digest_facts`
returns None for them.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from awsmon.xray.graph import Contribution, EdgeEntry, NodeEntry
from awsmon.xray.record import TraceRecord
from awsmon.xray.segments import digest_of

__all__ = ["TraceFacts", "digest_facts"]

_ORDER = attrgetter("start_time", "id")

#: (start epoch seconds, graph contribution, partial) of a processed trace.
TraceFacts = tuple[float, Contribution, bool]


def _locate(digests: list[tuple[Any, ...]], entity_id: str | None) -> tuple[int, int] | None:
    """(segment index, entity position) of the first entity with `entity_id`, or None."""
    if entity_id is not None:
        for index, digest in enumerate(digests):
            ids = digest[0]
            if entity_id in ids:
                return index, ids.index(entity_id)
    return None


def digest_facts(record: TraceRecord) -> TraceFacts | None:
    """The facts of `record`; None when `build_view` must process it (or it has no segment).

    Returns:
        (start, contribution, partial), as `build_view` and `contribution` give them.
    """
    if record.subsegments or not record.segments:
        return None
    segments = sorted(record.segments.values(), key=_ORDER)
    digests = [
        s.digest if s.digest is not None else digest_of(s.document, False) for s in segments
    ]
    parents = [s.parent_id for s in segments]
    callers = [_locate(digests, parent) for parent in parents]
    root = callers.index(None) if None in callers else 0
    called = set(parents)
    nodes: list[NodeEntry] = []
    inferred: list[NodeEntry] = []
    edges: list[EdgeEntry] = []
    start = digests[0][1][0]
    partial = False
    for index, (_, values, calls, unfinished) in enumerate(digests):
        begin, end, status, key = values[0], values[1], values[2], values[3]
        if begin < start:
            start = begin
        if end is not None:
            nodes.append((key, False, status, end - begin, begin, end, index == root))
        caller = callers[index]
        if caller is not None and caller[0] != index:
            source = digests[caller[0]][1]
            at = caller[1] * 4
            end = source[at + 1]
            if end is not None:
                begin = source[at]
                edges.append((source[3], key, False, source[at + 2], end - begin, begin, end))
        if unfinished:
            partial = True
        if calls:
            ids = digests[index][0]
            for position in calls:
                if ids[position] in called:
                    continue
                at = position * 4
                begin, end = values[at], values[at + 1]
                if begin < start:
                    start = begin
                if end is not None:
                    status, response, target = values[at + 2], end - begin, values[at + 3]
                    inferred.append((target, True, status, response, begin, end, False))
                    edges.append((key, target, True, status, response, begin, end))
    top = digests[root][1]
    if top[1] is not None:
        begin, end = top[0], top[1]
        client = ((top[3][0], "client", None), top[3], False, top[2], end - begin, begin, end)
        edges.insert(0, client)
    return start, (tuple(nodes + inferred), tuple(edges)), partial
