"""Tests for FilterPolicy.explain: the first key of an SNS filter policy that fails, and why.

One example per operator of AWS's "Amazon SNS message filtering" pages, nested
body policies and ``$or``; Hypothesis checks ``matched`` is `FilterPolicy.matches`.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon.neighbours.sns.filter_policy import FilterPolicy

# (policy, failing attributes, key, words, passing attributes)
OPERATORS: list[tuple[str, dict[str, Any], str, str, dict[str, Any]]] = [
    ('{"store": ["example_corp"]}', {"store": "other"}, "store", '"other" matches none of',
     {"store": "example_corp"}),
    ('{"price": [{"numeric": [">", 100]}]}', {"price": 50}, "price", "50 matches none of",
     {"price": 150}),
    ('{"c": [{"prefix": "bas"}]}', {"c": "cab"}, "c", "none of", {"c": "basic"}),
    ('{"c": [{"suffix": "ing"}]}', {"c": "cab"}, "c", "none of", {"c": "king"}),
    ('{"c": [{"equals-ignore-case": "RED"}]}', {"c": "blue"}, "c", "none of", {"c": "Red"}),
    ('{"c": [{"anything-but": ["red"]}]}', {"c": "red"}, "c", "none of", {"c": "blue"}),
    ('{"c": [{"exists": true}]}', {"d": "x"}, "c", "the key is absent", {"c": "x"}),
    ('{"c": [{"exists": false}]}', {"c": "x"}, "c", "exists false wants it absent", {"d": 1}),
    ('{"c": ["a", "b"]}', {"c": ["x", "y"]}, "c", '"x", "y" matches none of', {"c": ["y", "b"]}),
]


@pytest.mark.parametrize(("policy", "bad", "key", "words", "good"), OPERATORS)
def test_operator(
    policy: str, bad: dict[str, Any], key: str, words: str, good: dict[str, Any]
) -> None:
    compiled = FilterPolicy.parse(policy)
    why = compiled.explain(bad)
    assert not why.matched and why.key == key
    assert words in why.reason, why.reason
    assert str(why).startswith(f"no match: {key}: ")
    assert compiled.explain(good).matched and str(compiled.explain(good)) == "matched"


def test_nested_body_and_or() -> None:
    policy = FilterPolicy.parse(
        '{"order": {"kind": ["book"]},'
        ' "$or": [{"vip": [true]}, {"total": [{"numeric": [">", 9]}]}]}',
        scope="MessageBody",
    )
    assert policy.explain({"order": {"kind": "pen"}}).key == "order.kind"
    assert policy.explain({"total": 3}).reason == "the key is absent; the policy looks inside it"
    why = policy.explain({"order": {"kind": "book"}, "total": 3})
    assert why.key == "vip" and why.reason.startswith("no $or option matches")
    assert policy.explain({"order": [{"kind": "pen"}, {"kind": "book"}], "vip": True}).matched
    assert "&lt;" not in policy.explain({"order": {}})._repr_html_()


POLICIES = st.sampled_from(
    [
        '{"a": ["x", 1]}', '{"a": [{"numeric": [">=", 0, "<", 5]}], "b": [{"exists": false}]}',
        '{"a": [{"anything-but": {"prefix": "x"}}]}', '{"$or": [{"a": ["x"]}, {"b": [true]}]}',
        '{"n": {"a": [{"prefix": "x"}]}}',
    ]
)
VALUES = st.one_of(
    st.sampled_from(["x", "xy", "y", 1, 3, 7, True, None]),
    st.lists(st.sampled_from(["x", "y", 2]), max_size=3),
)
DATA = st.dictionaries(
    st.sampled_from(["a", "b", "n"]), VALUES | st.fixed_dictionaries({"a": VALUES})
)


@given(POLICIES, DATA)
def test_matched_iff_matches(policy: str, data: dict[str, Any]) -> None:
    compiled = FilterPolicy.parse(policy, scope="MessageBody")
    why = compiled.explain(data)
    assert why.matched == compiled.matches(data)
    assert why.reason
