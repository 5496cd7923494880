"""Tests of awsmon/xray/trace.py and store.py: traces assembled from pieces in any order."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awsmon import Cloud, VirtualClock
from awsmon.xray.model import TimeRangeType

TRACE_ID = "1-59602603-23fc5b688855d396af79b496"


#: Fields a subsegment sent on its own carries besides its content.
IGNORED = ("subsegments", "type", "trace_id", "parent_id")


def pieces(documents: list[dict[str, Any]], split: list[bool]) -> list[dict[str, Any]]:
    """Cut some nested subsegments out of their segments and send them on their own."""
    out = []
    flags = iter(split + [False] * 20)
    for doc in copy.deepcopy(documents):
        kept = []
        for sub in doc.get("subsegments", []):
            if next(flags):
                out.append(
                    sub
                    | {"type": "subsegment", "trace_id": doc["trace_id"], "parent_id": doc["id"]}
                )
            else:
                kept.append(sub)
        if "subsegments" in doc:
            doc["subsegments"] = kept
        out.append(doc)
    return out


def processed(cloud: Cloud) -> tuple[Any, ...]:
    view = cloud.xray.store.view(TRACE_ID)
    assert view is not None
    docs = sorted(json.dumps(d, sort_keys=True) for _, d in view.documents())
    nested = sorted(
        json.dumps({k: v for k, v in d.items() if k not in IGNORED}, sort_keys=True)
        for _, top in view.documents()
        for d in _walk(top)
    )
    nodes = sorted((n.key for n in view.nodes()), key=str)
    root = view.root.id if view.root else None
    return (view.duration, view.response_time, root, len(docs), nested, nodes)


def _walk(doc: dict[str, Any]) -> list[dict[str, Any]]:
    found = [doc]
    for sub in doc.get("subsegments", []):
        found += _walk(sub)
    return found


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    order=st.permutations(range(8)),
    split=st.lists(st.booleans(), min_size=6, max_size=6),
    in_progress_first=st.booleans(),
)
def test_any_order_builds_the_same_trace(
    scorekeep_docs: list[dict[str, Any]],
    order: list[int],
    split: list[bool],
    in_progress_first: bool,
) -> None:
    """Segments and subsegments arriving in any order, in pieces, build the same trace."""
    reference = fresh()
    reference.xray.put_trace_segments(scorekeep_docs)
    expected = processed(reference)
    parts = pieces(scorekeep_docs, split)
    ordered = [parts[i] for i in order if i < len(parts)] + parts[len(order) :]
    cloud = fresh()
    if in_progress_first:
        root = dict(parts[-1 if "origin" not in parts[0] else 0])
        early = {k: v for k, v in root.items() if k not in ("end_time", "subsegments")}
        cloud.xray.put_trace_segments([early | {"in_progress": True}])
    for part in ordered:
        assert cloud.xray.put_trace_segments([json.dumps(part)]) == []
        cloud.xray.store.process()  # process between pieces: views must be rebuilt correctly
    assert processed(cloud) == expected
    cloud.xray.store._check()


def fresh() -> Cloud:
    return Cloud(clock=VirtualClock(start=reference_start()))


def test_orphan_subsegment_waits_for_its_parent(scorekeep_docs: list[dict[str, Any]]) -> None:
    """A subsegment whose parent has not arrived is kept and attached when the parent comes."""
    cloud = Cloud(clock=VirtualClock(start=reference_start()))
    root = scorekeep_docs[0]
    sub = root.pop("subsegments")[0] | {
        "type": "subsegment",
        "trace_id": TRACE_ID,
        "parent_id": root["id"],
    }
    cloud.xray.put_trace_segments([sub])
    assert cloud.xray.store.view(TRACE_ID) is None
    cloud.xray.put_trace_segments([root])
    view = cloud.xray.store.view(TRACE_ID)
    assert view is not None and [c.name for c in view.segments[0].children] == ["Lambda"]


def reference_start() -> Any:
    from datetime import UTC, datetime

    return datetime(2017, 7, 8, 0, 24, 30, tzinfo=UTC)


def test_store_indexes_and_expiry(scorekeep: Cloud) -> None:
    """The store's indexes agree; expiry removes the trace from every index."""
    store = scorekeep.xray.store
    store._check()
    assert store.candidates(1499473400, 1499473500, TimeRangeType.SERVICE) == [TRACE_ID]
    assert store.expire(1499473412) == 1
    store._check()
    assert store.candidates(0, 2e9, TimeRangeType.EVENT) == []
    assert store.graph(0, 2e9, "Default")[0].nodes == {} or all(
        n.stats.total == 0 for n in store.graph(0, 2e9, "Default")[0].nodes.values()
    )


def test_views_are_rebuilt_when_the_cache_is_small() -> None:
    """With a tiny view cache, queries rebuild traces from their documents: same answers."""
    answers = []
    for size in (10_000, 1):
        cloud = Cloud(clock=VirtualClock(start=reference_start()))
        cloud.xray.store.view_cache_size = size
        now = cloud.clock.time()
        docs = [
            {
                "name": "api",
                "id": f"{n + 1:016x}",
                "trace_id": f"1-{int(now) - 30:08x}-{n:024x}",
                "start_time": now - 30 + n,
                "end_time": now - 29 + n,
                "http": {"response": {"status": 500 if n % 3 == 0 else 200}},
            }
            for n in range(9)
        ]
        assert cloud.xray.put_trace_segments(docs) == []
        client = cloud.client("xray")
        window = {"StartTime": reference_start().replace(minute=0), "EndTime": reference_start()}
        summaries = client.get_trace_summaries(**window, FilterExpression="fault")
        ids = [s["Id"] for s in summaries["TraceSummaries"]]
        traces = client.batch_get_traces(TraceIds=ids)["Traces"]
        answers.append((summaries["TraceSummaries"], traces))
        assert len(cloud.xray.store._views) <= size
        cloud.xray.store._check()
    assert answers[0] == answers[1]
    assert len(answers[0][0]) == 3
