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

from typing import Any

from awsmon.xray.graph import Contribution, EdgeEntry, NodeEntry
from awsmon.xray.record import TraceRecord
from awsmon.xray.segments import DIGEST_STRIDE as _STRIDE

__all__ = ["TraceFacts", "digest_facts"]

#: (start epoch seconds, graph contribution, partial) of a processed trace.
TraceFacts = tuple[float, Contribution, bool]


def _locate(digests: list[tuple[Any, ...]], entity_id: str | None) -> tuple[int, int] | None:
    """(segment index, position of its id in the digest) of the first entity `entity_id`."""
    if entity_id is not None:
        for index, digest in enumerate(digests):
            ids = digest[1::_STRIDE]
            if entity_id in ids:
                return index, 1 + _STRIDE * ids.index(entity_id)
    return None


def digest_facts(record: TraceRecord) -> TraceFacts | None:
    """The facts of `record`; None when `build_view` must process it (or it has no segment).

    Returns:
        (start, contribution, partial), as `build_view` and `contribution` give them.
    """
    if record.has_subsegments or not record.has_segments:
        return None
    parents, digests = record.digests()
    callers = [_locate(digests, parent) for parent in parents]
    root = callers.index(None) if None in callers else 0
    called = set(parents)
    nodes: list[NodeEntry] = []
    inferred: list[NodeEntry] = []
    edges: list[EdgeEntry] = []
    # Each digest: (partial, then per entity: id, start, end, outcome, key, nested call).
    start = digests[0][2]
    partial = False
    for index, digest in enumerate(digests):
        unfinished, _, begin, end, status, key = digest[:6]
        if begin < start:
            start = begin
        if end is not None:
            nodes.append((key, False, status, end - begin, begin, end, index == root))
        caller = callers[index]
        if caller is not None and caller[0] != index:
            source = digests[caller[0]]
            at = caller[1]
            end = source[at + 2]
            if end is not None:
                begin = source[at + 1]
                edges.append((source[5], key, False, source[at + 3], end - begin, begin, end))
        if unfinished:
            partial = True
        for at in range(1 + _STRIDE, len(digest), _STRIDE):
            if not digest[at + 5] or digest[at] in called:
                continue
            begin, end = digest[at + 1], digest[at + 2]
            if begin < start:
                start = begin
            if end is not None:
                status, response, target = digest[at + 3], end - begin, digest[at + 4]
                inferred.append((target, True, status, response, begin, end, False))
                edges.append((key, target, True, status, response, begin, end))
    top = digests[root]
    if top[3] is not None:
        begin, end = top[2], top[3]
        client = ((top[5][0], "client", None), top[5], False, top[4], end - begin, begin, end)
        edges.insert(0, client)
    return start, (tuple(nodes + inferred), tuple(edges)), partial
