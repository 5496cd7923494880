"""Tests of `awsmon.xray.graph.round3` and its inlined copy in `GraphAggregate.add`.

The property: for any float, ``round3(x)`` is ``round(x, 3)`` exactly (same
value, same sign of zero), and a histogram built by `GraphAggregate.add`
has the buckets `round` gives.
"""

from __future__ import annotations

import math

from hypothesis import example, given
from hypothesis import strategies as st

from awsmon.xray.graph import GraphAggregate, round3


def _same(a: float, b: float) -> bool:
    if math.isnan(a):
        return math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


@given(x=st.floats(allow_nan=True, allow_infinity=True))
@example(x=0.0005)
@example(x=0.0015)
@example(x=2.675)
@example(x=-0.0)
@example(x=-0.0004)
@example(x=1.0005)
@example(x=1e300)
def test_round3_is_round_to_three_places(x: float) -> None:
    assert _same(round3(x), round(x, 3))


@given(
    x=st.one_of(
        st.floats(min_value=0, max_value=10),
        st.integers(0, 10**7).map(lambda n: n / 1000 + 0.0005),
        st.integers(0, 10**6).map(lambda n: n * 0.001),
    )
)
def test_near_ties_and_whole_milliseconds(x: float) -> None:
    assert _same(round3(x), round(x, 3))


@given(times=st.lists(st.floats(min_value=0, max_value=100), min_size=1, max_size=20))
def test_the_graph_histogram_has_the_buckets_round_gives(times: list[float]) -> None:
    key = ("api", None, None)
    graph = GraphAggregate()
    for t in times:
        graph.add((((key, False, 0, t, 1.0, 1.0 + t, True),), ()))
    expected: dict[float, int] = {}
    for t in times:
        expected[round(t, 3)] = expected.get(round(t, 3), 0) + 1
    histogram = graph.nodes[key].stats.histogram
    assert histogram == expected
    assert all(_same(a, b) for a, b in zip(sorted(histogram), sorted(expected), strict=True))
