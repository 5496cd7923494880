"""Tests of awsmon/xray/trace.py and store.py: traces assembled from pieces in any order."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awsmon import Cloud, VirtualClock
from awsmon.testing.shapes import assert_shape
from awsmon.xray.model import TimeRangeType
from awsmon.xray.trace import TraceLimits

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


# -- trace size limits (TraceLimits, reference C.2) ------------------------------------

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
BIG_TRACE = f"1-{int(NOW.timestamp()):08x}-{'b' * 24}"
TOO_LARGE = {
    "ErrorCode": "InvalidSegment",
    "Message": "Trace Size Exceeded. Reduce the number of segments per trace and the size of "
    "your segment documents.",
}


def sized(n: int, size: int, *, trace: str = BIG_TRACE, **extra: Any) -> str:
    """A segment document of exactly `size` bytes (padded with metadata)."""
    start = NOW.timestamp() - 1
    doc: dict[str, Any] = {
        "name": "api",
        "id": f"{n:016x}",
        "trace_id": trace,
        "start_time": start,
        "end_time": start + 0.5,
        **extra,
        "metadata": {"pad": ""},
    }
    base = len(json.dumps(doc))
    doc["metadata"]["pad"] = "x" * (size - base)
    text = json.dumps(doc)
    assert len(text) == size
    return text


def limited_cloud() -> Cloud:
    return Cloud(clock=VirtualClock(start=NOW))


def test_batched_trace_stops_at_500_kb() -> None:
    """Documents sent together fill a trace up to 500 KB; the rest is rejected, the trace kept."""
    cloud = limited_cloud()
    client = cloud.client("xray")
    docs = [sized(n, 60 * 1024, parent_id="a" * 16) for n in range(1, 10)]  # 9 x 60 KB
    answer = client.put_trace_segments(TraceSegmentDocuments=docs)
    assert_shape("xray", "PutTraceSegments", answer)
    assert answer["UnprocessedTraceSegments"] == [{"Id": f"{9:016x}", **TOO_LARGE}]
    # Once over, every later document of the trace is rejected, however small.
    small = sized(10, 300, parent_id="a" * 16)
    assert client.put_trace_segments(TraceSegmentDocuments=[small])["UnprocessedTraceSegments"] == [
        {"Id": f"{10:016x}", **TOO_LARGE}
    ]
    traces = client.batch_get_traces(TraceIds=[BIG_TRACE])
    assert_shape("xray", "BatchGetTraces", traces)
    assert traces["Traces"][0]["LimitExceeded"] is True
    assert len(traces["Traces"][0]["Segments"]) == 8
    # Other traces are not affected.
    other = sized(11, 300, trace=f"1-{int(NOW.timestamp()):08x}-{'c' * 24}")
    assert (
        client.put_trace_segments(TraceSegmentDocuments=[other])["UnprocessedTraceSegments"] == []
    )
    cloud.xray.store._check()


def test_trickled_trace_stops_at_100_kb() -> None:
    """Documents arriving with time gaps: the trace may only hold 100 KB."""
    cloud = limited_cloud()
    rejected = []
    for n in range(1, 4):  # 3 x 45 KB, two seconds apart
        cloud.clock.advance(2)
        rejected += cloud.xray.put_trace_segments([sized(n, 45 * 1024, parent_id="a" * 16)])
    assert [(r.id, r.error_code, r.message) for r in rejected] == [
        (f"{3:016x}", "InvalidSegment", TOO_LARGE["Message"])
    ]
    view = cloud.xray.store.view(BIG_TRACE)
    assert view is not None and view.limit_exceeded and len(view.segments) == 2


def test_batched_then_trickled() -> None:
    """A trace filled to 200 KB at once takes nothing more a few seconds later."""
    cloud = limited_cloud()
    docs = [sized(n, 50 * 1024, parent_id="a" * 16) for n in range(1, 5)]
    assert cloud.xray.put_trace_segments(docs) == []
    cloud.clock.advance(0.5)  # still within the batch window
    assert cloud.xray.put_trace_segments([sized(5, 1000, parent_id="a" * 16)]) == []
    cloud.clock.advance(5)
    assert [r.id for r in cloud.xray.put_trace_segments([sized(6, 1000)])] == [f"{6:016x}"]


def test_completed_segment_replaces_in_progress_size() -> None:
    """A complete document replacing an in-progress one counts once; no limit when None."""
    cloud = limited_cloud()
    cloud.xray.trace_limits = TraceLimits(max_bytes=1500, slow_max_bytes=1500)
    pending = json.loads(sized(1, 1000))
    del pending["end_time"]
    pending["in_progress"] = True
    assert cloud.xray.put_trace_segments([json.dumps(pending)]) == []
    assert cloud.xray.put_trace_segments([sized(1, 1200)]) == []
    assert cloud.xray.store.records[BIG_TRACE].size == 1200
    assert len(cloud.xray.put_trace_segments([sized(2, 400)])) == 1
    cloud.xray.trace_limits = None
    fresh_trace = f"1-{int(NOW.timestamp()):08x}-{'d' * 24}"
    docs = [sized(n, 60 * 1024, trace=fresh_trace) for n in range(1, 12)]
    assert cloud.xray.put_trace_segments(docs) == []


@settings(max_examples=60, deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.integers(1, 6),  # segment id
            st.integers(200, 700),  # size
            st.booleans(),  # in progress
            st.sampled_from([0.0, 0.3, 2.0]),  # clock advance before
        ),
        min_size=1,
        max_size=25,
    )
)
def test_trace_size_property(steps: list[tuple[int, int, bool, float]]) -> None:
    """The held size is the sum of the held documents and stays within the limit in force."""
    cloud = limited_cloud()
    limits = TraceLimits(max_bytes=2400, slow_max_bytes=1600, batch_window=1.0)
    cloud.xray.trace_limits = limits
    first = None
    exceeded = False
    before = 0
    for n, size, in_progress, advance in steps:
        cloud.clock.advance(advance)
        doc = json.loads(sized(n, size))
        if in_progress:
            del doc["end_time"]
            doc["in_progress"] = True
        rejected = cloud.xray.put_trace_segments([json.dumps(doc)])
        record = cloud.xray.store.records[BIG_TRACE]
        first = first if first is not None else cloud.clock.time()
        held = sum(s.size for s in record.segments.values())
        assert record.size == held
        if rejected:
            assert [r.message for r in rejected] == [TOO_LARGE["Message"]]
            assert held == before
        else:
            assert not exceeded
            assert held == before or held <= limits.limit(first, cloud.clock.time())
        exceeded = exceeded or bool(rejected)
        assert record.limit_exceeded == exceeded
        before = held
    cloud.xray.store._check()


def test_document_checks_for_parsed_input() -> None:
    """Parsed documents (the domain API) get the JSON and 64 KB checks that text gets."""
    cloud = limited_cloud()
    doc = json.loads(sized(1, 70 * 1024, parent_id="a" * 16))
    assert [r.error_code for r in cloud.xray.put_trace_segments([doc])] == ["InvalidSegment"]
    doc = json.loads(sized(2, 500)) | {"annotations": {"when": NOW}}
    assert [(r.id, r.error_code) for r in cloud.xray.put_trace_segments([doc])] == [
        (f"{2:016x}", "InvalidSegment")
    ]
    text = sized(3, 500).replace('"end_time": ', '"end_time": NaN, "x": ')
    assert [r.error_code for r in cloud.xray.put_trace_segments([text])] == ["InvalidSegment"]
    assert len(cloud.xray.store) == 0
