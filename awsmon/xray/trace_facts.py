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

from awsmon.xray.graph import Contribution, EdgeEntry, NodeEntry
from awsmon.xray.record import TraceRecord
from awsmon.xray.segments import digest_of

__all__ = ["TraceFacts", "digest_facts"]

#: (start epoch seconds, graph contribution, partial) of a processed trace.
TraceFacts = tuple[float, Contribution, bool]


def digest_facts(record: TraceRecord) -> TraceFacts | None:
    """The facts of `record`; None when `build_view` must process it (or it has no segment).

    Returns:
        (start, contribution, partial), as `build_view` and `contribution` give them.
    """
    if record.subsegments or not record.segments:
        return None
    segments = sorted(record.segments.values(), key=lambda s: (s.start_time, s.id))
    digests = [
        s.digest if s.digest is not None else digest_of(s.document, False) for s in segments
    ]
    # Each entity id -> (digest index, position of its first value): the first one wins.
    by_id: dict[str, tuple[int, int]] = {}
    for index, digest in enumerate(digests):
        for at in range(0, len(digest), 5):
            if digest[at] not in by_id:
                by_id[digest[at]] = (index, at)
    parents = [s.parent_id for s in segments]
    called = set(parents)
    root = next((i for i, p in enumerate(parents) if p not in by_id), 0)
    nodes: list[NodeEntry] = []
    inferred: list[NodeEntry] = []
    edges: list[EdgeEntry] = []
    start = digests[0][1]
    partial = False
    for index, digest in enumerate(digests):
        key = digest[4]
        seg_start, seg_end = digest[1], digest[2]
        if seg_start < start:
            start = seg_start
        if seg_end is not None:
            response = seg_end - seg_start
            nodes.append((key, False, digest[3], response, seg_start, seg_end, index == root))
        parent = by_id.get(parents[index] or "")
        if parent is not None and parent[0] != index:
            caller, at = digests[parent[0]], parent[1]
            end = caller[at + 2]
            if end is not None:
                begin = caller[at + 1]
                edges.append((caller[4], key, False, caller[at + 3], end - begin, begin, end))
        for at in range(0, len(digest), 5):
            end = digest[at + 2]
            if end is None:
                partial = True
            target = digest[at + 4]
            if at == 0 or target is None or digest[at] in called:
                continue
            begin = digest[at + 1]
            if begin < start:
                start = begin
            if end is None:
                continue
            status, response = digest[at + 3], end - begin
            inferred.append((target, True, status, response, begin, end, False))
            edges.append((key, target, True, status, response, begin, end))
    top = digests[root]
    if top[2] is not None:
        begin, end = top[1], top[2]
        client = ((top[4][0], "client", None), top[4], False, top[3], end - begin, begin, end)
        edges.insert(0, client)
    return start, (tuple(nodes + inferred), tuple(edges)), partial
