"""Tests of awsmon/xray/record.py: trace size limits (reference C.2), through every door.

Documents sent together fill a trace up to 500 KB, documents trickling in
with time gaps up to 100 KB; a document that does not fit is rejected with
``InvalidSegment`` / "Trace Size Exceeded. ..." and BatchGetTraces says
``LimitExceeded``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from awsmon import Cloud, VirtualClock
from awsmon.testing.shapes import assert_shape
from awsmon.xray.record import TraceLimits

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
