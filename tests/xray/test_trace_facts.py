"""Tests of awsmon/xray/trace_facts.py: processing from digests equals processing from views.

The property: on random traces (segments and nested subsegments, in-progress
pieces, subsegments sent on their own, calls to traced and untraced nodes of
every kind, outcomes, annotations, duplicate ids, updates of the same
segment id) uploaded over several rounds with processing in between, and
with groups whose filter expressions the facts may or may not decide, the
facts the store keeps for every trace are exactly what the full view gives
(`build_view`, then `facts_of` with the groups the view matches).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from awsmon import Cloud, VirtualClock
from awsmon.xray.assembly import build_view
from awsmon.xray.graph import contribution
from awsmon.xray.model import Segment, TimeRangeType
from awsmon.xray.segments import digest_of, parse_documents
from awsmon.xray.sketch import facts_of
from awsmon.xray.trace_facts import digest_facts

NOW = datetime(2025, 3, 14, 15, 10, tzinfo=UTC)
T0 = NOW.timestamp() - 100
TRACE_IDS = [f"1-{int(T0):08x}-{n:024x}" for n in range(3)]
IDS = [f"{n:016x}" for n in range(1, 9)]  # few ids: duplicates and updates happen
SUBSEGMENT_IDS = [f"{n:016x}" for n in range(0xA1, 0xA4)]
NAMES = ["api", "orders", "DynamoDB", "SQS", "Lambda", "S3", "pay"]
EXPRESSIONS = [
    "fault",
    "ok OR partial",
    'service("api") { fault }',
    'edge("api", "orders")',
    "annotation.k = 1",
    "http.status = 500",
    "responsetime > 0.5 AND !inferred",
    'service(id(name: "orders", type: "remote")) { error }',
]

times = st.sampled_from([0.0, 0.1, 0.1, 0.25, 0.5])


@st.composite
def entities(draw: st.DrawFn, depth: int) -> dict[str, Any]:
    """A subsegment: maybe a call (aws, remote, traced, sql), outcomes, children."""
    start = T0 + draw(times)
    doc: dict[str, Any] = {
        "id": draw(st.sampled_from(IDS)),
        "name": draw(st.sampled_from(NAMES)),
        "start_time": start,
    }
    if draw(st.integers(0, 4)) == 0:
        doc["in_progress"] = True
        if draw(st.booleans()):
            doc["end_time"] = start + 0.1
    else:
        doc["end_time"] = start + draw(times)
    kind = draw(st.sampled_from(["aws", "remote", "traced", "sql", "local"]))
    if kind in ("aws", "remote"):
        doc["namespace"] = kind
    if kind == "traced":
        doc["http"] = {"request": {"traced": True}}
    if kind == "sql":
        doc["sql"] = {"url": "db"}
    if draw(st.booleans()):
        doc["aws"] = draw(
            st.sampled_from(
                [
                    {"table_name": "t1", "account_id": "123456789012"},
                    {"resource_names": ["r1"]},
                    {"queue_url": "https://sqs/1/q/"},
                    {"function_arn": "arn:aws:lambda:us-east-1:1:function:f:1"},
                    {"function_arn": "bad"},
                    {"bucket_name": "b"},
                    {"account_id": 7},
                ]
            )
        )
    _outcome(draw, doc)
    if depth < 2 and draw(st.integers(0, 2)) == 0:
        doc["subsegments"] = draw(st.lists(entities(depth + 1), max_size=2))
    return doc


def _outcome(draw: st.DrawFn, doc: dict[str, Any]) -> None:
    status = draw(st.sampled_from([None, 200, 404, 429, 503]))
    if status is not None:
        doc.setdefault("http", {})["response"] = {"status": status}
    flag = draw(st.sampled_from([None, "error", "fault", "throttle"]))
    if flag is not None:
        doc[flag] = draw(st.booleans())
    if draw(st.integers(0, 3)) == 0:
        doc["annotations"] = {"k": draw(st.sampled_from([1, "x", True]))}


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """A segment, or (sometimes) a subsegment sent on its own."""
    doc = draw(entities(0))
    doc["trace_id"] = draw(st.sampled_from(TRACE_IDS))
    if draw(st.integers(0, 5)) == 0:
        doc["type"] = "subsegment"
        # Sometimes a segment's id: the store keeps the two apart.
        doc["id"] = draw(st.sampled_from(IDS + SUBSEGMENT_IDS))
        doc["parent_id"] = draw(st.sampled_from(IDS + SUBSEGMENT_IDS))
        doc.pop("namespace", None) if draw(st.booleans()) else None
        return doc
    doc["name"] = draw(st.sampled_from(["api", "orders", "pay"]))
    doc["origin"] = draw(st.sampled_from(["AWS::EC2::Instance", "remote", 3]))
    if draw(st.booleans()):
        doc["parent_id"] = draw(st.sampled_from(IDS))
    return doc


def _expected(cloud: Cloud, trace_id: str, updated: tuple[float, str, str]) -> Any:
    """The facts the old processing kept: from the full view."""
    store = cloud.xray.store
    view = build_view(store.records[trace_id])
    if view is None:
        return None
    members = tuple(
        (g.group.name, g.group.arn, g.group.version)
        for g in cloud.xray.group_filters()
        if g.expression is None or g.expression.matches(view)
    )
    return facts_of(view, members, updated)


@settings(max_examples=150, deadline=None)
@given(
    rounds=st.lists(st.lists(documents(), min_size=1, max_size=5), min_size=1, max_size=3),
    expressions=st.lists(st.sampled_from(EXPRESSIONS), max_size=3, unique=True),
    as_text=st.booleans(),
)
def test_facts_from_digests_equal_facts_from_views(
    rounds: list[list[dict[str, Any]]], expressions: list[str], as_text: bool
) -> None:
    cloud = Cloud(clock=VirtualClock(start=NOW))
    for n, text in enumerate(expressions):
        cloud.xray.create_group(f"g{n}", filter_expression=text)
    store = cloud.xray.store
    for batch in rounds:
        cloud.xray.put_trace_segments([json.dumps(d) if as_text else d for d in batch])
        store.process()
        for trace_id, record in store.records.items():
            facts = store._facts.get(trace_id)
            updated = (record.updated_at, trace_id, str(record.revision))
            assert facts == _expected(cloud, trace_id, updated)
        store._check()


@settings(max_examples=100, deadline=None)
@given(docs=st.lists(documents(), min_size=1, max_size=6))
def test_digest_facts_are_the_view_facts(docs: list[dict[str, Any]]) -> None:
    """`digest_facts` directly: None exactly when the view path is needed."""
    cloud = Cloud(clock=VirtualClock(start=NOW))
    cloud.xray.put_trace_segments([json.dumps(d) for d in docs])
    for record in cloud.xray.store.records.values():
        quick = digest_facts(record)
        view = build_view(record)
        if quick is None:
            assert view is None or record.subsegments
            continue
        assert view is not None
        assert quick == (view.start, contribution(view), view.is_partial)


@given(doc=documents())
def test_the_digest_taken_at_upload_is_the_digest_of_the_stored_text(doc: dict[str, Any]) -> None:
    for given_doc in (json.dumps(doc), doc):
        accepted, _ = parse_documents(given_doc, now=NOW.timestamp())
        for segment in accepted:
            kept = digest_of(json.loads(segment.text), segment.independent_subsegment)
            assert segment.digest == kept


def test_a_start_time_too_large_for_a_float_is_refused_not_raised() -> None:
    doc = (
        '{"name":"a","id":"70de5b6f19ff9a0a","start_time":1' + "0" * 400 + ',"end_time":2,'
        '"trace_id":"1-581cf771-a006649127e371903a2de979"}'
    )
    accepted, rejected = parse_documents(doc, now=1.4783e9)
    assert accepted == []
    assert [r.error_code for r in rejected] == ["InvalidStartTime"]


def test_an_uploaded_segment_has_its_fields_by_name() -> None:
    doc = {
        "name": "api",
        "id": "70de5b6f19ff9a0a",
        "start_time": 10,
        "end_time": 12.5,
        "trace_id": "1-581cf771-a006649127e371903a2de979",
        "parent_id": "70de5b6f19ff9a0b",
    }
    text = json.dumps(doc)
    (segment,), _ = parse_documents(text, now=1.4783e9)
    assert segment == Segment(
        id="70de5b6f19ff9a0a",
        trace_id="1-581cf771-a006649127e371903a2de979",
        name="api",
        start_time=10.0,
        end_time=12.5,
        parent_id="70de5b6f19ff9a0b",
        independent_subsegment=False,
        text="ignored in comparisons",
    )
    assert (segment.text, segment.size, segment.document) == (text, len(text), doc)
    assert type(segment.start_time) is float and segment.in_progress is False
    assert repr(segment).startswith("Segment(id='70de5b6f19ff9a0a', trace_id=")
    assert hash(segment) == hash(segment._replace(text="other", size=1))


def test_end_time_index_after_an_end_set_back_and_a_shared_id() -> None:
    """The store's end-time index stays exact when a segment's end time goes back to an
    earlier value, and when a subsegment sent on its own has a segment's id."""
    cloud = Cloud(clock=VirtualClock(start=NOW))
    store = cloud.xray.store
    trace_id, segment_id = TRACE_IDS[0], IDS[0]
    segment = {"name": "api", "id": segment_id, "trace_id": trace_id, "start_time": T0}
    for end in (T0 + 1, T0 + 2, T0 + 1):  # updates of one segment: its end goes back
        assert cloud.xray.put_trace_segments([json.dumps(segment | {"end_time": end})]) == []
        store.process()
        store._check()
    subsegment = segment | {
        "type": "subsegment",
        "parent_id": segment_id,
        "end_time": T0 + 1,
    }
    assert cloud.xray.put_trace_segments([json.dumps(subsegment)]) == []
    store.process()
    store._check()
    assert store.candidates(T0, T0 + 1.5, TimeRangeType.SERVICE) == [trace_id]


@given(docs=st.lists(documents(), min_size=1, max_size=6))
def test_a_record_hands_back_every_field_of_what_it_keeps(docs: list[dict[str, Any]]) -> None:
    """The record keeps flat plain tuples; what it gives back is the accepted `Segment`."""
    cloud = Cloud(clock=VirtualClock(start=NOW))
    kept: dict[tuple[str, str, bool], Segment] = {}
    for doc in docs:
        accepted, _ = parse_documents(json.dumps(doc), now=NOW.timestamp())
        cloud.xray.put_trace_segments([json.dumps(doc)])
        for segment in accepted:
            key = (segment.trace_id, segment.id, segment.independent_subsegment)
            old = kept.get(key)
            if old is None or not (segment.in_progress and not old.in_progress):
                kept[key] = segment
    for trace_id, record in cloud.xray.store.records.items():
        held = list(record.documents())

        def order(s: Segment) -> tuple[bool, str]:
            return s.independent_subsegment, s.id

        expected = [s for (t, _, _), s in kept.items() if t == trace_id]
        assert [tuple(s) for s in sorted(held, key=order)] == [
            tuple(s) for s in sorted(expected, key=order)
        ]
        for segment in held:
            again = record.get(segment.id, segment.independent_subsegment)
            assert again is not None and tuple(again) == tuple(segment)
            assert type(again) is Segment and again.digest is not None
        parents, digests = record.digests()
        in_order = sorted(record.segments.values(), key=lambda s: (s.start_time, s.id))
        assert parents == [s.parent_id for s in in_order]
        assert digests == [s.digest for s in in_order]
