"""Tests of awsmon/xray/sketch.py: filter verdicts from a trace's facts alone.

The property: on random traces (in-progress pieces, throttles, downstream
calls, inferred nodes, groups) and random expressions, a verdict from the
facts is either None or exactly what the full evaluation on the processed
trace gives; on complete traces, the keywords the facts hold always decide.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from awsmon import Cloud
from awsmon.xray.filter_expression import FilterExpression
from awsmon.xray.sketch import facts_part, make_facts

TRACE_ID = "1-67d446a6-000000000000000000000001"
NAMES = ["api", "db", "auth"]
START = 1741964966.0


@st.composite
def traces(draw: st.DrawFn) -> list[dict[str, Any]]:
    """1-3 services calling each other, with remote calls, statuses, flags and in-progress parts."""
    count = draw(st.integers(1, 3))
    names = draw(st.permutations(NAMES))[:count]
    docs = []
    for index, name in enumerate(names):
        start = START + index * 0.1
        doc: dict[str, Any] = {
            "name": name,
            "id": f"{index + 1:016x}",
            "trace_id": TRACE_ID,
            "start_time": start,
            "origin": draw(st.sampled_from(["AWS::EC2::Instance", "AWS::Lambda"])),
            "http": {"response": {"status": draw(st.sampled_from([200, 404, 429, 500]))}},
        }
        if draw(st.integers(0, 5)) == 0:
            doc["in_progress"] = True
        else:
            doc["end_time"] = start + draw(st.sampled_from([0.05, 0.5, 1.5, 3.0]))
        if draw(st.booleans()):
            doc["throttle"] = True
        if index:
            doc["parent_id"] = f"{index:03x}{'c' * 13}"
        subs = []
        if index + 1 < count:  # the call to the next service
            subs.append(call(draw, f"{index + 1:03x}{'c' * 13}", names[index + 1], start))
        if draw(st.booleans()):  # an untraced downstream: an inferred node
            subs.append(call(draw, f"{index + 1:03x}{'d' * 13}", "remote-store", start))
        if subs:
            doc["subsegments"] = subs
        docs.append(doc)
    return docs


def call(draw: st.DrawFn, sub_id: str, name: str, start: float) -> dict[str, Any]:
    sub: dict[str, Any] = {
        "id": sub_id,
        "name": name,
        "start_time": start + 0.01,
        "namespace": "remote",
        "http": {"response": {"status": draw(st.sampled_from([200, 429, 503]))}},
    }
    if draw(st.integers(0, 5)) == 0:
        sub["in_progress"] = True
    else:
        sub["end_time"] = start + draw(st.sampled_from([0.02, 0.4, 2.0]))
    return sub


ATOMS = [
    "ok",
    "error",
    "fault",
    "throttle",
    "partial",
    "inferred",
    "responsetime > 0.3",
    "duration > 1",
    "duration <= 0.5",
    "http.status = 500",
    'service("api")',
    'service("db") { fault }',
    'service("auth") { ok }',
    'service("remote-store") { inferred }',
    "service() { throttle }",
    'service("api") { root }',
    'service(id(type: "AWS::Lambda")) { responsetime > 1 }',
    'edge("api", "db")',
    'edge("api", "db") { error }',
    'edge("db", "remote-store") { inferred and responsetime > 1 }',
    'service() { name = "db" }',
    'group.name = "slow"',
    'user = "alice"',
]
#: What the facts of a complete trace always decide.
UNDECIDED = ("throttle", "service() { throttle }", "http.status = 500", 'user = "alice"')
DECIDED = {a for a in ATOMS if a not in UNDECIDED}
expressions = st.recursive(
    st.sampled_from(ATOMS),
    lambda inner: st.one_of(
        inner.map(lambda e: f"!({e})"),
        st.tuples(inner, st.sampled_from(["AND", "OR"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
    ),
    max_leaves=4,
)


@settings(max_examples=200, deadline=None)
@given(docs=traces(), texts=st.lists(expressions, min_size=1, max_size=4))
def test_verdict_is_none_or_the_full_answer(docs: list[dict[str, Any]], texts: list[str]) -> None:
    """A verdict from the facts never contradicts the full evaluation."""
    cloud = Cloud()
    cloud.xray.create_group("slow", filter_expression="duration > 1")
    assert cloud.xray.put_trace_segments(docs) == []
    store = cloud.xray.store
    view = store.view(TRACE_ID)
    assert view is not None
    for text in texts:
        expression = FilterExpression.parse(text)
        verdict = store.verdict(TRACE_ID, expression)
        assert verdict is None or verdict is expression.matches(view), text
        if not view.is_partial and text in DECIDED:
            assert verdict is not None, text


def test_summaries_skip_traces_the_facts_rule_out() -> None:
    """GetTraceSummaries with a decidable filter builds views only for the matches."""
    cloud = Cloud()
    now = cloud.clock.time()
    docs = []
    for n in range(40):
        docs.append(
            {
                "name": "api",
                "id": f"{n + 1:016x}",
                "trace_id": f"1-{int(now) - 60:08x}-{n:024x}",
                "start_time": now - 60,
                "end_time": now - 59,
                "fault": n % 10 == 0,
            }
        )
    assert cloud.xray.put_trace_segments(docs) == []
    store = cloud.xray.store
    store.process()
    store._views.clear()
    end = cloud.clock.now()
    from datetime import timedelta

    page = cloud.xray.get_trace_summaries(
        end - timedelta(minutes=5), end, filter_expression='service("api") { fault }'
    )
    assert len(page.traces) == 4 and page.processed_count == 40
    assert len(store._views) == 4


_KEY = st.tuples(st.sampled_from(NAMES), st.sampled_from([None, "remote"]), st.none())
_NODE = st.tuples(
    _KEY,
    st.booleans(),
    st.integers(0, 3),
    st.floats(0, 5),
    st.floats(0, 9),
    st.floats(0, 9),
    st.booleans(),
)
_EDGE = st.tuples(
    _KEY, _KEY, st.booleans(), st.integers(0, 3), st.floats(0, 5), st.floats(0, 9), st.floats(0, 9)
)


@given(
    nodes=st.lists(_NODE, max_size=6).map(tuple),
    edges=st.lists(_EDGE, max_size=6).map(tuple),
    minute=st.integers(0, 10**8),
    partial=st.booleans(),
)
def test_flat_facts_give_back_their_pieces(
    nodes: tuple[Any, ...], edges: tuple[Any, ...], minute: int, partial: bool
) -> None:
    """The store's flat facts keep every piece, the contribution's entries in order."""
    groups = (("Default", "arn:aws:xray:us-east-1:123456789012:group/Default", 1),)
    updated = (12.5, TRACE_ID, "1")
    facts = make_facts(minute, groups, (nodes, edges), updated, partial)
    assert (facts[0], facts[1], facts[2], facts[3]) == (minute, groups, updated, partial)
    assert facts_part(facts) == (nodes, edges)
