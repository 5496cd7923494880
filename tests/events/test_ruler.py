"""Tests for awsmon.events.ruler: the shared, indexed matcher of a bus's rules.

The index must give exactly the answers of matching each rule on its own: the
recorded cases (E1, E2) are run through one matcher holding all their rules, the
operators' index lookups are probed at their boundaries, and Hypothesis compares
the matcher with the naive oracle of ``pattern_oracle.py`` under random adds,
removals and events.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from awsmon.events.errors import InvalidEventPatternException
from awsmon.events.pattern import EventPattern, PatternLimits, flatten_event
from awsmon.events.ruler import RuleMatcher

HERE = Path(__file__).parent
NO_COMPLEXITY = PatternLimits(max_wildcard_complexity=None)
NAN, INF = float("nan"), float("inf")


def _load(name: str, filename: str) -> ModuleType:
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE / filename)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


oracle = _load("events_pattern_oracle", "pattern_oracle.py")
E1 = json.loads((HERE / "pattern_cases.json").read_text(encoding="utf-8"))["cases"]
ENVELOPE = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "x",
    "source": "x",
    "account": "123456789012",
    "time": "2022-01-01T00:00:00Z",
    "region": "us-east-1",
    "resources": [],
    "detail": {},
}


def one_by_one(rules: RuleMatcher, event: dict[str, Any]) -> list[str]:
    """The naive answer: every rule's pattern matched on its own, in order."""
    return [name for name in rules.names() if rules.get(name).matches(event)]  # type: ignore[union-attr]


class TestRuleMatcher:
    """Adding, replacing and removing rules."""

    def test_add_match_remove(self) -> None:
        """Rules match by name in the order added; removal takes a rule out."""
        rules = RuleMatcher()
        rules.add("ec2", '{"source": ["aws.ec2"]}')
        rules.add("any", {"source": [{"exists": True}]})
        rules.add("s3", '{"source": ["aws.s3"]}')
        assert rules.matching({"source": "aws.ec2"}) == ["ec2", "any"]
        assert rules.remove("ec2") is True and rules.remove("ec2") is False
        assert rules.matching({"source": "aws.ec2"}) == ["any"]
        assert len(rules) == 2 and "s3" in rules and "ec2" not in rules
        assert list(rules.names()) == ["any", "s3"]
        rules._check()

    def test_replace_keeps_position(self) -> None:
        """Adding an existing name replaces its pattern, keeping its place in the order."""
        rules = RuleMatcher()
        rules.add("a", '{"x": [1]}')
        rules.add("b", '{"x": [2]}')
        rules.add("a", '{"x": [2]}')
        assert rules.matching({"x": 2}) == ["a", "b"] and rules.matching({"x": 1}) == []
        rules._check()

    def test_invalid_pattern_leaves_rules_unchanged(self) -> None:
        """A pattern that does not parse raises, and the old pattern stays."""
        rules = RuleMatcher()
        rules.add("a", '{"x": [1]}')
        with pytest.raises(InvalidEventPatternException):
            rules.add("a", '{"x": []}')
        assert rules.matching({"x": 1}) == ["a"]
        rules._check()

    def test_or_branches_name_the_rule_once(self) -> None:
        """A rule whose several $or branches match is listed once."""
        rules = RuleMatcher()
        rules.add("r", '{"$or": [{"a": [1]}, {"b": [2]}]}')
        assert rules.matching({"a": 1, "b": 2}) == ["r"]

    def test_removing_everything_empties_the_index(self) -> None:
        """After every rule is removed no index entry is left."""
        rules = RuleMatcher()
        for n, case in enumerate(c for c in E1 if c["reason"] is None):
            rules.add(f"r{n}", case["pattern"])
        for name in list(rules.names()):
            rules.remove(name)
            rules._check()
        root = rules._root
        assert root.children == {} and root.fields == {} and rules._path_refs == {}

    def test_accepts_compiled_patterns_and_limits(self) -> None:
        """add() takes an EventPattern as is, and parses text with the matcher's limits."""
        rules = RuleMatcher(limits=PatternLimits(numeric_bound=None))
        rules.add("big", '{"n": [{"numeric": [">", 6e9]}]}')
        rules.add("compiled", EventPattern.parse('{"n": [7e9]}'))
        assert rules.matching({"n": 7e9}) == ["big", "compiled"]


class TestRecordedCasesInOneMatcher:
    """E1 and E2 through a single matcher holding every rule at once."""

    @pytest.fixture(scope="class")
    def recorded(self) -> RuleMatcher:
        rules = RuleMatcher()
        for case in E1:
            if case["reason"] is None:
                rules.add(case["id"], case["pattern"])
        return rules

    @pytest.mark.parametrize("case", [c for c in E1 if c["reason"] is None], ids=lambda c: c["id"])
    def test_case(self, recorded: RuleMatcher, case: dict[str, Any]) -> None:
        """Each recorded event matches its own rule as AWS said, and the others as they do alone."""
        event = {**ENVELOPE, **case["event"]}
        found = recorded.matching(event)
        assert (case["id"] in found) is case["expected"]
        assert found == one_by_one(recorded, event)

    def test_readme_patterns(self) -> None:
        """E2: the README event against all README-style rules at once."""
        examples = _load("events_pattern_examples", "test_pattern.py")
        rules = RuleMatcher()
        for name, pattern, _ in examples.README_CASES:
            rules.add(name, pattern)
        expected = [name for name, _, result in examples.README_CASES if result]
        assert rules.matching(examples.README_EVENT) == expected
        images = RuleMatcher()
        for n, (pattern, _) in enumerate(examples.IMAGE_CASES):
            images.add(f"image-{n}", pattern)
        expected = [f"image-{n}" for n, (_, result) in enumerate(examples.IMAGE_CASES) if result]
        assert images.matching(examples.IMAGE_EVENT) == expected


class TestIndexLookups:
    """Each indexed operator finds exactly the events it should, at its boundaries."""

    @pytest.mark.parametrize(
        ("match_list", "values"),
        [
            ('["x", 3, true, null]', ["x", 3, 3.0, True, None, "3", 1, False, "X", ""]),
            ('[{"numeric": ["=", 3]}]', [3, 3.0, "3", 2.9999, True]),
            ('[{"prefix": "ab"}, {"prefix": ""}]', ["", "a", "ab", "abc", 1, None]),
            ('[{"prefix": "ab"}]', ["", "a", "ab", "abc", "Abc", 1]),
            ('[{"prefix": {"equals-ignore-case": "aB"}}]', ["ab", "ABc", "a", "xab"]),
            ('[{"suffix": "bc"}, {"suffix": ""}]', ["", "c", "bc", "abc", 7]),
            ('[{"suffix": "bc"}]', ["", "c", "bc", "abc", "aBC"]),
            ('[{"suffix": {"equals-ignore-case": "Bc"}}]', ["bc", "ABC", "c", "bcx"]),
            ('[{"equals-ignore-case": "AbC"}]', ["abc", "ABC", "abcd", "", None]),
            ('[{"numeric": [">", 1]}]', [0, 1, 1.0000001, 2, 1e12, "2", True, NAN, INF]),
            ('[{"numeric": [">=", 1]}]', [0.999, 1, 1.0, 2]),
            ('[{"numeric": ["<", 1]}]', [-1e12, 0, 1, 2, NAN, -INF]),
            ('[{"numeric": ["<=", 1]}]', [0, 1, 1.5]),
            ('[{"numeric": [">", 0, "<", 2]}]', [0, 0.5, 2, 3, -1]),
            ('[{"numeric": [">=", 0, "<=", 2]}]', [0, 2, 2.0001, -0.0001]),
            ('[{"cidr": "10.0.0.0/24"}]', ["10.0.0.0", "10.0.0.255", "10.0.1.0", "9.255.255.255"]),
            ('[{"cidr": "2001:db8::/64"}]', ["2001:db8::1", "2001:db8:0:1::", "10.0.0.1", "x"]),
            ('[{"anything-but": "x"}]', ["x", "y", 1, None]),
            ('[{"wildcard": "a*z"}]', ["az", "abz", "za", 3]),
            ('[{"exists": true}]', ["", None, 0, False]),
            ('[{"exists": false}]', ["anything"]),
        ],
    )
    def test_lookup(self, match_list: str, values: list[Any]) -> None:
        """The indexed answer equals the pattern's own answer for each value and absence."""
        rules = RuleMatcher()
        rules.add("r", f'{{"f": {match_list}}}')
        pattern = rules.get("r")
        assert pattern is not None
        for event in [{"f": value} for value in values] + [{}, {"f": values}, {"g": 1}]:
            assert rules.matching(event) == (["r"] if pattern.matches(event) else []), event

    def test_nan_is_in_no_range(self) -> None:
        """NaN (which Python's json accepts) matches no numeric range, indexed or not."""
        for bounds in ('[">", 1]', '["<", 1]', '[">=", 0, "<", 9]'):
            rules = RuleMatcher()
            pattern = rules.add("r", f'{{"f": [{{"numeric": {bounds}}}]}}')
            assert not pattern.matches({"f": NAN}) and rules.matching({"f": NAN}) == []

    def test_shared_fields_share_states(self) -> None:
        """Rules that begin with the same field share its state, as in a trie."""
        rules = RuleMatcher()
        for n in range(50):
            rules.add(f"r{n}", {"account": ["1"], "source": [f"app.{n}"]})
        (state,) = rules._root.children.values()
        assert state.refs == 50 and len(state.fields["source"].strings) == 50
        assert rules.matching({"account": "1", "source": "app.7"}) == ["r7"]

    def test_selective_fields_first(self) -> None:
        """Exact values are tried before ranges and anything-but, whatever their paths."""
        rules = RuleMatcher()
        rules.add("r", {"a": [{"anything-but": "x"}], "b": [{"numeric": [">", 1]}], "c": ["v"]})
        ((key, state),) = rules._root.children.items()
        (after,) = state.children.values()
        assert key[0] == "c" and after.fields.keys() == {"a"}

    def test_exists_false_keeps_path_order(self) -> None:
        """A branch with exists: false tries its fields in Java path order, as the reference."""
        rules = RuleMatcher()
        rules.add("r", {"a": [{"exists": False}], "b": ["v"]})
        ((key, _),) = rules._root.children.items()
        assert key[0] == "a"

    def test_true_is_not_one(self) -> None:
        """Fields differing only by true vs 1 (equal in Python) get states of their own."""
        rules = RuleMatcher()
        rules.add("bool", {"f": [True]})
        rules.add("num", {"f": [1]})
        rules.add("both", {"f": [True, 1]})
        assert rules.matching({"f": True}) == ["bool", "both"]
        assert rules.matching({"f": 1.0}) == ["num", "both"]
        rules._check()


#: Patterns drawn from few fields and values, so that routes begin alike.
SHARED_PATTERNS = [
    {"a": ["a"]},
    {"a": ["a"], "b": [1]},
    {"a": ["a"], "b": [{"numeric": [">", 0]}]},
    {"a": ["a", "ab"], "b": [{"anything-but": [1, 2]}]},
    {"a": [{"prefix": "a"}], "list": {"x": ["a"], "y": [1]}},
    {"list": {"x": ["a"], "y": [{"exists": False}]}},
    {"list": {"x": [{"exists": True}], "y": ["ab"]}},
    {"a": [{"exists": False}], "b": [{"numeric": ["<", 3]}]},
    {"c": [{"wildcard": "a*"}], "$or": [{"a": ["a"]}, {"b": [True]}]},
    {"c": [{"cidr": "10.0.0.0/8"}], "n": {"x": [300]}},
    {"n.x": [{"anything-but": {"prefix": "a"}}], "a": ["b"]},
    {"b": [1, True], "c": [{"equals-ignore-case": "AB"}]},
]


class TestAgreesWithOracle:
    """Hypothesis: the shared matcher gives the naive per-rule oracle's answers."""

    @settings(max_examples=60)
    @given(
        st.lists(oracle.patterns(), min_size=1, max_size=12),
        st.lists(oracle.events(), min_size=1, max_size=6),
    )
    def test_random_rules_and_events(
        self, patterns: list[dict[str, Any]], events: list[dict[str, Any]]
    ) -> None:
        """For random rules over every operator, matching(event) is the oracle's rule list."""
        rules = RuleMatcher(limits=NO_COMPLEXITY)
        for n, pattern in enumerate(patterns):
            rules.add(f"r{n}", pattern)
        for event in events:
            expected = [f"r{n}" for n, p in enumerate(patterns) if oracle.matches(p, event)]
            assert rules.matching(event) == expected

    @settings(max_examples=40)
    @given(
        st.lists(st.sampled_from(SHARED_PATTERNS), min_size=5, max_size=40),
        st.lists(st.integers(0, 39), max_size=15),
        st.lists(oracle.events(), min_size=1, max_size=4),
    )
    def test_shared_states_after_removals(
        self, chosen: list[dict[str, Any]], removed: list[int], events: list[dict[str, Any]]
    ) -> None:
        """Rules sharing states, some removed: each event gets the rules that match on their own."""
        rules = RuleMatcher(limits=NO_COMPLEXITY)
        for n, pattern in enumerate(chosen):
            rules.add(f"r{n}", pattern)
        for n in removed:
            rules.remove(f"r{n}")
        rules._check()
        for event in events:
            assert rules.matching(event) == one_by_one(rules, event)
            assert rules.matching_flat(flatten_event(event)) == one_by_one(rules, event)


class RulerMachine(RuleBasedStateMachine):
    """Random adds, replacements, removals and events against a dict of patterns."""

    def __init__(self) -> None:
        super().__init__()
        self.rules = RuleMatcher(limits=NO_COMPLEXITY)
        self.model: dict[str, dict[str, Any]] = {}

    @rule(name=st.sampled_from(["a", "b", "c", "d", "e"]), pattern=oracle.patterns())
    def add(self, name: str, pattern: dict[str, Any]) -> None:
        self.rules.add(name, pattern)
        self.model[name] = pattern

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data())
    def remove(self, data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(sorted(self.model)))
        assert self.rules.remove(name) is True
        del self.model[name]

    @rule(event=oracle.events())
    def match(self, event: dict[str, Any]) -> None:
        expected = {name for name, pattern in self.model.items() if oracle.matches(pattern, event)}
        assert set(self.rules.matching(event)) == expected

    @invariant()
    def index_is_sound(self) -> None:
        self.rules._check()
        assert set(self.rules.names()) == set(self.model)


TestRulerMachine = RulerMachine.TestCase
TestRulerMachine.settings = settings(max_examples=40, stateful_step_count=20)
