"""Tests for awsmon.events.pattern_explain: why an event matches a pattern, or what fails.

One example per pattern operator (the forms of AWS's "Content filtering in
Amazon EventBridge event patterns" page), the ``$or`` branches, array
consistency, rules and buses; Hypothesis checks that an explanation says
"matched" exactly when the pattern (and the bus's rule index) matches.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awsmon import Cloud
from awsmon.events.pattern import EventPattern, PatternLimits
from awsmon.events.pattern_explain import explain_pattern
from awsmon.events.ruler import RuleMatcher

HERE = Path(__file__).parent
NO_COMPLEXITY = PatternLimits(max_wildcard_complexity=None)


def _load(name: str, filename: str) -> ModuleType:
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE / filename)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


oracle = _load("events_pattern_oracle", "pattern_oracle.py")

# (pattern, failing event, operator, words in the reason, a matching event)
OPERATORS: list[tuple[dict[str, Any], dict[str, Any], str, str, dict[str, Any]]] = [
    ({"source": ["aws.ec2"]}, {"source": "aws.s3"}, "exact", '"aws.s3" is not "aws.ec2"',
     {"source": "aws.ec2"}),
    ({"d": {"state": ["a", "b"]}}, {"d": {"state": "c"}}, "exact", 'is not one of "a", "b"',
     {"d": {"state": "b"}}),
    ({"n": [{"numeric": [">", 0, "<=", 5]}]}, {"n": 9}, "numeric", "9 is outside numeric",
     {"n": 5}),
    ({"n": [{"numeric": ["=", 3]}]}, {"n": "3"}, "numeric", "is not a number", {"n": 3.0}),
    ({"s": [{"prefix": "us-"}]}, {"s": "eu-west-1"}, "prefix", 'matches none of prefix "us-"',
     {"s": "us-east-1"}),
    ({"s": [{"suffix": ".png"}]}, {"s": "a.jpg"}, "suffix", 'none of suffix ".png"',
     {"s": "b.png"}),
    ({"s": [{"equals-ignore-case": "ALICE"}]}, {"s": "bob"}, "equals-ignore-case",
     "none of equals-ignore-case", {"s": "alice"}),
    ({"s": [{"wildcard": "dir/*.png"}]}, {"s": "dir/a.jpg"}, "wildcard", "none of wildcard",
     {"s": "dir/a.png"}),
    ({"s": [{"anything-but": ["stopped", "x"]}]}, {"s": "stopped"}, "anything-but",
     '"stopped" is excluded by anything-but', {"s": "running"}),
    ({"s": [{"anything-but": {"prefix": "init"}}]}, {"s": "initial"}, "anything-but-pattern",
     "excluded by anything-but", {"s": "ready"}),
    ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "10.0.1.1"}, "cidr", "none of cidr",
     {"ip": "10.0.0.9"}),
    ({"k": [{"exists": True}]}, {"other": 1}, "exists", "exists true wants it present",
     {"k": "v"}),
    ({"k": [{"exists": False}]}, {"k": 1}, "exists", "exists false wants it absent", {"j": 1}),
    ({"k": ["v"]}, {"other": 1}, "exact", "the field is absent", {"k": "v"}),
]


class TestOperators:
    """Each operator: a failing event names field, operator and reason; a fitting one matches."""

    @pytest.mark.parametrize(("pattern", "event", "operator", "words", "fits"), OPERATORS)
    def test_operator(
        self,
        pattern: dict[str, Any],
        event: dict[str, Any],
        operator: str,
        words: str,
        fits: dict[str, Any],
    ) -> None:
        compiled = EventPattern.parse(pattern)
        why = explain_pattern(compiled, event)
        assert not why.matched
        (branch,) = why.branches
        assert branch.operator == operator
        assert words in branch.reason, branch.reason
        assert why.field == branch.field
        assert explain_pattern(compiled, fits).matched
        assert str(explain_pattern(compiled, fits)) == "matched"

    def test_first_failing_field_in_matching_order(self) -> None:
        """Fields are tried in the matcher's (Java string) order: the first that fails is named."""
        compiled = EventPattern.parse({"source": ["a"], "detail": {"x": [1]}})
        why = explain_pattern(compiled, {"source": "b", "detail": {"x": 2}})
        assert why.field == "detail.x"
        assert why.branches[0].values == (2,)
        assert why.branches[0].expected == (1,)

    def test_or_branches(self) -> None:
        """Each ``$or`` branch gets its own verdict; any matching branch matches."""
        compiled = EventPattern.parse({"$or": [{"a": [1]}, {"b": [2]}]})
        why = explain_pattern(compiled, {"a": 2})
        assert [b.field for b in why.branches] == ["a", "b"]
        assert "branch 2: b: the field is absent" in str(why)
        assert explain_pattern(compiled, {"b": 2}).matched

    def test_array_consistency(self) -> None:
        """Values from different elements of one array don't make a match, and it says so."""
        compiled = EventPattern.parse({"r": {"k": ["a"], "v": ["b"]}})
        why = explain_pattern(compiled, {"r": [{"k": "a", "v": "c"}, {"k": "z", "v": "b"}]})
        assert not why.matched
        assert why.branches[0].operator == "array"
        assert why.field is None
        assert "array consistency" in why.reason

    def test_html(self) -> None:
        """A notebook shows the text, escaped."""
        compiled = EventPattern.parse({"s": ["<b>"]})
        assert "&lt;b&gt;" in explain_pattern(compiled, {"s": "x"})._repr_html_()


class TestRulesAndBuses:
    """`Rule.explain` and `EventBus.explain`, through the service."""

    def test_bus_explains_each_rule(self) -> None:
        cloud = Cloud()
        events = cloud.client("events")
        events.put_rule(Name="mine", EventPattern='{"source": ["my.app"]}')
        events.put_rule(Name="theirs", EventPattern='{"source": ["their.app"]}')
        events.put_rule(Name="off", EventPattern='{"source": ["my.app"]}', State="DISABLED")
        events.put_rule(Name="tick", ScheduleExpression="rate(5 minutes)")
        bus = cloud.events.bus("default")
        why = bus.explain({"source": "my.app", "detail-type": "x", "detail": {}})
        assert why.matched == ("mine",)
        assert why["theirs"].field == "source"
        assert why["off"].matched and "off" in why.disabled
        assert not why["tick"].matched
        assert "schedule-only" in why["tick"].reason
        assert "1 of 4 rules match" in str(why)
        with pytest.raises(KeyError):
            why["nope"]

    def test_rule_explain(self) -> None:
        cloud = Cloud()
        cloud.client("events").put_rule(
            Name="r", EventPattern='{"detail": {"n": [{"numeric": [">", 3]}]}}'
        )
        rule = cloud.events.bus("default").rules["r"]
        assert str(rule.explain({"detail": {"n": 1}})) == (
            'r: no match: detail.n: 1 is outside numeric [">", 3]'
        )


class TestAgreesWithMatcher:
    """Hypothesis: an explanation says "matched" exactly when the pattern matches."""

    @settings(max_examples=150)
    @given(oracle.patterns(), st.lists(oracle.events(), min_size=1, max_size=4))
    def test_matched_iff_matches(
        self, pattern: dict[str, Any], events: list[dict[str, Any]]
    ) -> None:
        compiled = EventPattern.parse(pattern, limits=NO_COMPLEXITY)
        rules = RuleMatcher(limits=NO_COMPLEXITY)
        rules.add("r", pattern)
        for event in events:
            why = explain_pattern(compiled, event)
            assert why.matched == compiled.matches(event)
            assert why.matched == (rules.matching(event) == ["r"])
            assert why.matched == oracle.matches(pattern, event)
            if not why.matched:
                assert all(not b.matched and b.reason for b in why.branches)
