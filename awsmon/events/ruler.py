"""One matcher for all the rules of an event bus: an automaton in the spirit of aws/event-ruler.

`RuleMatcher` holds named `EventPattern`\\ s and answers "which rules match this
event?" by walking the event's fields once through an automaton compiled from
every pattern of the bus, not by trying the rules one by one.

Each ``$or`` branch of each pattern is a *route*: its fields in a fixed order,
each field a transition from one state to the next. Routes that begin with the
same fields share their states, as in a trie, so a thousand rules naming
``"source": ["aws.ec2"]`` cost one lookup between them. At each state, the
transitions on one field path sit in a `FieldIndex`
(`awsmon.events._ruler_index`): exact values in hash maps, prefixes and
suffixes by length, numeric ranges and CIDR blocks in segment trees, and so on.
Matching starts at the root: at every state reached, each field path it knows
is looked up for each of the event's leaves at that path, leading to the next
states; a state where a route ends names its rule. ``exists: false`` is a
transition taken when the field has no leaf.

Order of a route's fields: a branch without ``exists: false`` gives the same
answer whatever order its fields are tried in, so its route takes the most
selective first (exact values, then affixes and CIDR blocks, then ranges, then
``exists``/``anything-but``; Java path order within a kind), which keeps the
states reached few. A branch with ``exists: false`` keeps the Java order of its
paths, because there the reference decides absence against the leaves chosen
before the field.

Arrays: the leaves chosen along a route may not come from different elements of
one array (event-ruler's ``rulesForJSONEvent``). Only arrays whose leaves lie at
two or more of the rules' paths can break that, so the event is flattened with
its leaves' array memberships kept for those arrays alone; when there are none
(most events) the walk ignores membership altogether, and otherwise it carries
the array elements chosen so far along each route.

Main class: `RuleMatcher`. The automaton is mutable (it is the bus's state) but
pure: no clock, no service. Its answers are those of `EventPattern.matches` on
each rule, which the tests check against a naive oracle.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from awsmon.events._pattern_values import ExactMatch, ValueMatcher, typed_key
from awsmon.events._ruler_flat import FlatLeaves, flatten_for, known_prefixes
from awsmon.events._ruler_index import FieldIndex, field_rank
from awsmon.events.pattern import (
    DEFAULT_LIMITS,
    EventPattern,
    FieldPattern,
    FlatEvent,
    Leaf,
    Membership,
    PatternLimits,
    SubPattern,
)

__all__ = ["RuleMatcher", "flatten_for"]

_Route = tuple[FieldPattern, ...]


class _State:
    """A state of the automaton: the transitions out of it and the rules ending in it."""

    __slots__ = ("absent_fields", "children", "fields", "names", "refs")

    def __init__(self) -> None:
        self.children: dict[tuple[Any, ...], _State] = {}  # by _field_key
        self.fields: dict[str, FieldIndex[_State]] = {}
        self.absent_fields: dict[str, FieldIndex[_State]] = {}  # those with exists: false
        self.names: dict[str, int] = {}  # rule -> routes ending here
        self.refs = 0  # routes passing through


def _matcher_key(matcher: ValueMatcher) -> tuple[Any, ...]:
    """A key under which matchers collide only when they accept the same values.

    attrs equality would take ``true`` for ``1`` (``True == 1`` in Python).
    """
    if isinstance(matcher, ExactMatch):
        return (ExactMatch, typed_key(matcher.value))
    return (type(matcher), matcher)


def _field_key(field: FieldPattern) -> tuple[Any, ...]:
    return (field.path, tuple(_matcher_key(m) for m in field.matchers), field.absent_ok)


def _distinct(matchers: Iterable[ValueMatcher]) -> list[ValueMatcher]:
    return list({_matcher_key(m): m for m in matchers}.values())


def _route(sub: SubPattern) -> _Route:
    """The order the automaton tests a branch's fields in (see the module docstring)."""
    if any(field.absent_ok for field in sub.fields):
        return sub.fields
    return tuple(sorted(sub.fields, key=lambda field: field_rank(field.matchers)))


def _merge(chosen: Membership, membership: Membership) -> Membership | None:
    """`chosen` extended by `membership` (both sorted by array id), or None on a conflict."""
    if not chosen:
        return membership
    merged = dict(chosen)
    for array_id, index in membership:
        known = merged.setdefault(array_id, index)
        if known != index:
            return None
    return tuple(sorted(merged.items()))


def _split(
    index: FieldIndex[_State],
    leaves: Iterable[Leaf],
    out: list[_State],
    deferred: list[tuple[_State, Membership]],
) -> None:
    """Look leaves up, keeping apart the states reached by leaves in tangled arrays."""
    for leaf in leaves:
        membership = leaf[1]
        if not membership:
            index.reach((leaf,), out)
            continue
        hits: list[_State] = []
        index.reach((leaf,), hits)
        deferred += [(child, membership) for child in hits]


class RuleMatcher:
    """The rules of one event bus, compiled into one automaton for matching.

    Methods:
        add / remove: put a named pattern in (replacing one of the same name) or take it out.
        matching / matching_flat: the names of the rules an event matches.
        get, names, ``len``, ``in``: what is there.

    Example:
        >>> rules = RuleMatcher()
        >>> _ = rules.add("ec2", '{"source": ["aws.ec2"]}')
        >>> _ = rules.add("big", {"detail": {"size": [{"numeric": [">", 100]}]}})
        >>> rules.matching({"source": "aws.ec2", "detail": {"size": 500}})
        ['ec2', 'big']
    """

    def __init__(self, *, limits: PatternLimits = DEFAULT_LIMITS) -> None:
        self._limits = limits
        self._patterns: dict[str, EventPattern] = {}
        self._order: dict[str, int] = {}
        self._sequence = 0
        self._routes: dict[str, list[_Route]] = {}
        self._root = _State()
        self._path_refs: Counter[str] = Counter()  # transitions per field path
        self._known: frozenset[str] | None = frozenset()

    def __len__(self) -> int:
        return len(self._patterns)

    def __contains__(self, name: object) -> bool:
        return name in self._patterns

    def names(self) -> Iterator[str]:
        """The rule names, in the order they were first added."""
        return iter(sorted(self._patterns, key=self._order.__getitem__))

    def get(self, name: str) -> EventPattern | None:
        """The pattern of rule `name`, or None."""
        return self._patterns.get(name)

    def add(self, name: str, pattern: EventPattern | str | Mapping[str, Any]) -> EventPattern:
        """File rule `name` under `pattern`, replacing its previous pattern if any.

        Raises:
            InvalidEventPatternException: when `pattern` is text or a mapping that
                does not parse (the matcher is left unchanged).
        """
        if not isinstance(pattern, EventPattern):
            pattern = EventPattern.parse(pattern, limits=self._limits)
        if name in self._patterns:
            self._unfile(name)
        else:
            self._order[name] = self._sequence
            self._sequence += 1
        self._patterns[name] = pattern
        routes = [_route(sub) for sub in pattern.subpatterns]
        for route in routes:
            self._file(name, route)
        self._routes[name] = routes
        return pattern

    def remove(self, name: str) -> bool:
        """Take rule `name` out; False when there was no such rule."""
        if name not in self._patterns:
            return False
        self._unfile(name)
        del self._patterns[name], self._order[name]
        return True

    # -- matching ----------------------------------------------------------------------

    def matching(self, event: Mapping[str, Any]) -> list[str]:
        """The names of the rules whose pattern `event` matches, in the order added.

        Raises:
            TypeError: when `event` is not a mapping.
        """
        if not isinstance(event, Mapping):
            raise TypeError(
                f"an event must be a JSON object (a mapping), not {type(event).__name__}"
            )
        root = self._root
        if not root.children:
            return []
        known = self._known
        if known is None:
            known = self._known = known_prefixes(self._path_refs)
        flat = FlatLeaves(known)
        flat.object(event, "", ())
        leaves, tangled = flat.result()
        return self._walk(leaves, tangled)

    def matching_flat(self, flat: FlatEvent) -> list[str]:
        """`matching` for an event already flattened with `flatten_event`."""
        cut = FlatLeaves(None)
        for path, found in flat.items():
            for value, membership in found:
                cut.leaf(path, value, membership)
        leaves, tangled = cut.result()
        return self._walk(leaves, tangled)

    def _walk(self, flat: FlatEvent, tangled: frozenset[str]) -> list[str]:
        found: set[str] = set()
        self._walk_plain(flat, tangled, found)
        if len(found) < 2:
            return list(found)
        return sorted(found, key=self._order.__getitem__)

    def _walk_plain(self, flat: FlatEvent, tangled: frozenset[str], found: set[str]) -> None:
        """The walk while no leaf from a tangled array is chosen: each state is reached once.

        A leaf at a `tangled` path that sits in such an array hands the states
        it reaches over to `_walk_arrays`, with its array elements.
        """
        stack = [self._root]
        pop, push, get, update = stack.pop, stack.append, flat.get, found.update
        size = len(flat)
        deferred: list[tuple[_State, Membership]] = []
        while stack:
            fields = (state := pop()).fields
            out: list[_State] = []
            if len(fields) <= size:
                for path, index in fields.items():
                    leaves = get(path)
                    if leaves is None:
                        if index.absent:
                            out += index.absent
                    elif tangled and path in tangled:
                        _split(index, leaves, out, deferred)
                    elif index.plain:
                        strings = index.strings
                        for value, _ in leaves:
                            if type(value) is str:
                                hit = strings.get(value)
                                if hit:
                                    out += hit
                    else:
                        index.reach(leaves, out)
            else:  # few paths in the event: look its paths up instead
                for path, leaves in flat.items():
                    found_index = fields.get(path)
                    if found_index is None:
                        continue
                    if tangled and path in tangled:
                        _split(found_index, leaves, out, deferred)
                    else:
                        found_index.reach(leaves, out)
                for path, index in state.absent_fields.items():
                    if path not in flat:
                        out += index.absent
            for child in dict.fromkeys(out) if len(out) > 1 else out:
                if child.names:
                    update(child.names)
                if child.fields:
                    push(child)
        if deferred:
            self._walk_arrays(flat, tangled, found, deferred)

    @staticmethod
    def _walk_arrays(
        flat: FlatEvent,
        tangled: frozenset[str],
        found: set[str],
        starts: list[tuple[_State, Membership]],
    ) -> None:
        """The walk carrying, along each route, the array elements its leaves came from.

        It starts from the states reached by leaves in tangled arrays (`starts`,
        with those leaves' elements); only leaves at `tangled` paths can change
        the elements chosen.
        """
        stack: list[tuple[_State, Membership]] = []
        seen: set[tuple[_State, Membership]] = set()
        update = found.update

        def reached(children: Iterable[_State], chosen: Membership) -> None:
            for child in children:
                if child.names:
                    update(child.names)
                if child.fields and (child, chosen) not in seen:
                    seen.add((child, chosen))
                    stack.append((child, chosen))

        for child, chosen in starts:
            reached((child,), chosen)
        while stack:
            state, chosen = stack.pop()
            out: list[_State] = []  # states reached keeping `chosen`
            for path, index in state.fields.items():
                leaves = flat.get(path)
                if leaves is None:
                    if index.absent:
                        out += index.absent
                    continue
                if path not in tangled:
                    if index.plain:
                        strings = index.strings
                        for value, _ in leaves:
                            if type(value) is str:
                                hit = strings.get(value)
                                if hit:
                                    out += hit
                    else:
                        index.reach(leaves, out)
                    continue
                consistent = False
                for leaf in leaves:
                    membership = leaf[1]
                    merged = _merge(chosen, membership) if membership else chosen
                    if merged is None:
                        continue
                    consistent = True
                    if merged == chosen:
                        index.reach((leaf,), out)
                        continue
                    hits: list[_State] = []
                    index.reach((leaf,), hits)
                    reached(hits, merged)
                if not consistent:  # no leaf consistent with the leaves chosen
                    out += index.absent
            if out:
                reached(dict.fromkeys(out) if len(out) > 1 else out, chosen)

    # -- filing ------------------------------------------------------------------------

    def _file(self, name: str, route: _Route) -> None:
        state = self._root
        for field in route:
            key = _field_key(field)
            child = state.children.get(key)
            if child is None:
                child = state.children[key] = _State()
                self._link(state, field, child, add=True)
            child.refs += 1
            state = child
        state.names[name] = state.names.get(name, 0) + 1

    def _unfile(self, name: str) -> None:
        for route in self._routes.pop(name):
            states = [self._root]
            for field in route:
                states.append(states[-1].children[_field_key(field)])
            end = states[-1]
            end.names[name] -= 1
            if not end.names[name]:
                del end.names[name]
            for at in range(len(route) - 1, -1, -1):
                child = states[at + 1]
                child.refs -= 1
                if not child.refs:
                    del states[at].children[_field_key(route[at])]
                    self._link(states[at], route[at], child, add=False)

    def _link(self, state: _State, field: FieldPattern, child: _State, *, add: bool) -> None:
        """Add (or take out) the transitions of `field` from `state` to `child`."""
        path = field.path
        index = state.fields.get(path)
        if index is None:
            index = state.fields[path] = FieldIndex()
        for matcher in _distinct(field.matchers):
            index.file(matcher, child, add=add)
        if field.absent_ok:
            index.file(None, child, add=add)
        if index.absent:
            state.absent_fields[path] = index
        else:
            state.absent_fields.pop(path, None)
        if not index.entries:
            del state.fields[path]
        self._path_refs[path] += 1 if add else -1
        if self._path_refs[path] in (0, 1):  # a path came or went
            if not self._path_refs[path]:
                del self._path_refs[path]
            self._known = None

    def _check(self) -> None:
        """Assert the automaton's invariants (for tests): counts right, nothing stale."""
        assert set(self._patterns) == set(self._order) == set(self._routes)
        refs: Counter[int] = Counter()
        ends: dict[int, Counter[str]] = {}
        states: dict[int, _State] = {id(self._root): self._root}
        for name, routes in self._routes.items():
            assert routes == [_route(sub) for sub in self._patterns[name].subpatterns]
            for route in routes:
                state = self._root
                for field in route:
                    state = state.children[_field_key(field)]
                    refs[id(state)] += 1
                    states[id(state)] = state
                ends.setdefault(id(state), Counter())[name] += 1
        paths: Counter[str] = Counter()
        for state in states.values():
            assert state is self._root or state.refs == refs[id(state)] > 0
            assert state.names == dict(ends.get(id(state), {}))
            filed: Counter[int] = Counter()
            for path, index in state.fields.items():
                assert index.entries > 0 and (path in state.absent_fields) == bool(index.absent)
                for child in index.states():
                    filed[id(child)] += 1
            assert set(state.absent_fields) <= set(state.fields)
            for key, child in state.children.items():
                path, matchers, absent_ok = key
                assert filed[id(child)] == len(dict.fromkeys(matchers)) + absent_ok
                paths[path] += 1
            assert sum(filed.values()) == sum(filed[id(c)] for c in state.children.values())
        assert paths == self._path_refs
        assert self._known is None or self._known == known_prefixes(self._path_refs)
