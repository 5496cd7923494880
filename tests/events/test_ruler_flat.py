"""Tests for awsmon.events._ruler_flat: flattening events for the rule automaton.

The pruned flattening must keep exactly `flatten_event`'s leaves at the paths
asked for, and array memberships only for the arrays that join two such paths.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from awsmon.events._ruler_flat import flatten_for, known_prefixes
from awsmon.events.pattern import flatten_event

HERE = Path(__file__).parent


def _load(name: str, filename: str) -> ModuleType:
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE / filename)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


oracle = _load("events_pattern_oracle", "pattern_oracle.py")


def test_known_prefixes() -> None:
    """Each path and its prefixes ending before a dot: what flattening descends into."""
    assert known_prefixes(["a.b.c", "d"]) == {"a", "a.b", "a.b.c", "d"}


def test_dotted_keys_reach_the_same_path() -> None:
    """A key holding a dot and nested objects give the same path, as in flatten_event."""
    event = {"a.b": 1, "a": {"b": 2, "c": 3}, "x": {"y": 4}}
    assert flatten_for(event, ["a.b"]) == {"a.b": [(1, ()), (2, ())]}


class TestFlattenFor:
    """The matcher's flattening keeps the leaves of the paths asked for, as flatten_event does."""

    def test_arrays_joining_two_paths_keep_membership(self) -> None:
        """Only arrays whose leaves lie at two kept paths keep their element indexes."""
        event = {"r": ["x", "y"], "t": [{"k": 1, "v": 2}, {"k": 3}], "u": {"w": 0}}
        flat = flatten_for(event, ["r", "t.k", "t.v"])
        assert flat == {
            "r": [("x", ()), ("y", ())],
            "t.k": [(1, ((2, 0),)), (3, ((2, 1),))],
            "t.v": [(2, ((2, 0),))],
        }
        assert flatten_for(event, ["t.k"]) == {"t.k": [(1, ()), (3, ())]}

    @settings(max_examples=150)
    @given(
        oracle.events(),
        st.lists(st.sampled_from(["a", "b", "n.x", "list.x", "list.y", "x.y", "c"]), max_size=4),
    )
    def test_agrees_with_flatten_event(self, event: dict[str, Any], paths: list[str]) -> None:
        """Same values in the same order at each kept path, and two leaves at different
        kept paths conflict over an array element exactly when they do in flatten_event."""
        full = flatten_event(event)
        kept = flatten_for(event, paths)
        assert set(kept) == set(full) & set(paths)
        for path, leaves in kept.items():
            assert [repr(v) for v, _ in leaves] == [repr(v) for v, _ in full[path]]
        pairs = [(p, i) for p, leaves in kept.items() for i in range(len(leaves))]
        for p, i in pairs:
            for q, j in pairs:
                if p < q:
                    assert _agree(kept[p][i][1], kept[q][j][1]) == _agree(
                        full[p][i][1], full[q][j][1]
                    )
        everything = flatten_for(event)
        assert {p: [repr(v) for v, _ in leaves] for p, leaves in everything.items()} == {
            p: [repr(v) for v, _ in leaves] for p, leaves in full.items()
        }


def _agree(one: tuple[tuple[int, int], ...], other: tuple[tuple[int, int], ...]) -> bool:
    """True when two memberships pick the same element of every array they share."""
    chosen = dict(one)
    return all(chosen.get(array, index) == index for array, index in other)
