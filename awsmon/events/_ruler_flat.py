"""Flattening an event for the rule automaton: only the leaves its rules can ask about.

`FlatLeaves` walks an event once, as `awsmon.events.pattern.flatten_event`
does (dotted paths, array elements as leaves of the array's path), but

- descends only into the paths the rules name (and their prefixes, see
  `known_prefixes`), so envelope members and detail fields no rule reads cost
  a set lookup and nothing more;
- keeps array memberships only for *tangled* arrays, those holding leaves at
  two or more kept paths: only they can make two fields of one branch pick
  leaves from different elements (an array whose leaves all sit at one path
  cannot, as a branch names each path once).

Main class: `FlatLeaves`; functions `known_prefixes` and `flatten_for` (the
same for tests). Pure, internal to `awsmon.events.ruler`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from awsmon.events.pattern import FlatEvent, Leaf, Membership

__all__ = ["FlatLeaves", "flatten_for", "known_prefixes"]

_SCALARS = frozenset({str, int, float, bool, type(None)})


class FlatLeaves:
    """The leaves of one event at the known paths, and the arrays met on the way."""

    __slots__ = ("array_paths", "arrays", "known", "leaves", "next_array", "tangled")

    def __init__(self, known: frozenset[str] | None) -> None:
        self.known = known
        self.leaves: dict[str, list[Leaf]] = {}
        self.arrays: dict[int, str] = {}  # array id -> a path with a leaf in it
        self.tangled: set[int] = set()  # arrays with leaves at two paths or more
        self.array_paths: set[str] = set()  # paths with leaves in arrays
        self.next_array = 0

    def leaf(self, path: str, value: Any, membership: Membership) -> None:
        leaves = self.leaves.get(path)
        if leaves is None:
            self.leaves[path] = [(value, membership)]
        else:
            leaves.append((value, membership))
        if membership:
            self.array_paths.add(path)
            for array_id, _ in membership:
                if self.arrays.setdefault(array_id, path) != path:
                    self.tangled.add(array_id)

    def value(self, value: Any, path: str, membership: Membership) -> None:
        kind = type(value)
        if kind in _SCALARS:
            self.leaf(path, value, membership)
        elif kind is dict or (kind is not list and isinstance(value, Mapping)):
            self.object(value, path + ".", membership)
        elif kind is list or isinstance(value, tuple | list):
            self.next_array += 1
            array_id = self.next_array
            for index, element in enumerate(value):
                self.value(element, path, (*membership, (array_id, index)))
        else:
            self.leaf(path, value, membership)

    def object(self, value: Mapping[Any, Any], prefix: str, membership: Membership) -> None:
        known, leaves = self.known, self.leaves
        for key, child in value.items():
            path = prefix + key if type(key) is str else prefix + str(key)
            if known is not None and path not in known:
                continue
            if not membership and type(child) in _SCALARS:  # the common case, inline
                found = leaves.get(path)
                if found is None:
                    leaves[path] = [(child, ())]
                else:
                    found.append((child, ()))
            else:
                self.value(child, path, membership)

    def result(self, *, cut: bool = False) -> tuple[dict[str, list[Leaf]], frozenset[str]]:
        """The leaves by path, and the paths with leaves in tangled arrays.

        Memberships are cut to the tangled arrays; when there are none they are
        left as they are (the walk ignores them then) unless `cut` is set.
        """
        tangled, leaves = self.tangled, self.leaves
        if not tangled and not cut:
            return leaves, frozenset()
        paths: set[str] = set()
        for path in self.array_paths:
            cut_leaves = [
                (value, tuple(entry for entry in membership if entry[0] in tangled))
                for value, membership in leaves[path]
            ]
            leaves[path] = cut_leaves
            if any(membership for _, membership in cut_leaves):
                paths.add(path)
        return leaves, frozenset(paths)


def flatten_for(event: Mapping[str, Any], paths: Iterable[str] | None = None) -> FlatEvent:
    """An event's leaves by dotted path, as the matcher sees them (a helper for tests).

    Args:
        event: the event.
        paths: keep only the leaves at these paths (None: every leaf).

    Returns:
        The leaves; each leaf's array membership keeps only the arrays holding
        leaves at two or more of the kept paths, the only ones that matter.
    """
    flat = FlatLeaves(None if paths is None else known_prefixes(paths))
    flat.object(event, "", ())
    leaves, _ = flat.result(cut=True)
    if paths is not None:
        wanted = set(paths)
        leaves = {path: found for path, found in leaves.items() if path in wanted}
    return leaves


def known_prefixes(paths: Iterable[str]) -> frozenset[str]:
    """Every dotted path and its prefixes ending before a dot: what flattening descends into."""
    found: set[str] = set()
    for path in paths:
        found.add(path)
        at = path.find(".")
        while at != -1:
            found.add(path[:at])
            at = path.find(".", at + 1)
    return frozenset(found)
