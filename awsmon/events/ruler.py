"""One matcher for all the rules of an event bus, in the spirit of aws/event-ruler.

`RuleMatcher` holds named `EventPattern`\\ s and answers "which rules match this
event?" without trying every rule. Each ``$or`` branch of each pattern is filed
under one *key field*, in a per-path index:

- exact values (strings, numbers by value, booleans, null, ``numeric =``) and
  ``equals-ignore-case`` in hash maps;
- prefixes and suffixes (either case) in hash maps probed with each distinct
  prefix/suffix length the path uses;
- numeric ranges in lists sorted by bound, CIDR blocks sorted by address;
- operators that cannot be indexed (``anything-but``, ``wildcard``,
  ``exists: true``) under the mere presence of the path;
- branches whose every field accepts absence (``exists: false``) are tried on
  every event.

An event is flattened once; each of its paths that the index knows is looked
up, which yields the candidate branches, and only those are checked in full with
`SubPattern.matches_flat` — the very check `EventPattern.matches` makes, so the
answers are the same as matching every rule one by one. The key field of a
branch is the indexable one whose buckets are currently the smallest, so rules
that share a common value (``source: aws.ec2``) spread over rarer ones.

Main class: `RuleMatcher`. The index is mutable (it is the bus's state) but pure:
no clock, no service.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sortedcontainers import SortedKeyList

from awsmon.events._pattern_values import (
    Cidr,
    EqualsIgnoreCase,
    ExactMatch,
    NumericRange,
    Prefix,
    Suffix,
    ValueMatcher,
    fold,
    ip_address_value,
    is_number,
    typed_key,
)
from awsmon.events.pattern import (
    DEFAULT_LIMITS,
    EventPattern,
    FieldPattern,
    FlatEvent,
    Leaf,
    PatternLimits,
    SubPattern,
    flatten_event,
)

__all__ = ["RuleMatcher"]

_INDEXABLE = (ExactMatch, EqualsIgnoreCase, Prefix, Suffix, NumericRange, Cidr)


def _first(entry: tuple[Any, ...]) -> Any:
    return entry[0]


class _PathIndex:
    """The branches filed under one field path, by the matcher of their key field."""

    def __init__(self) -> None:
        self.presence: set[int] = set()
        self.exact: dict[tuple[str, Any] | None, set[int]] = {}
        self.folded: dict[str, set[int]] = {}
        # (ignore_case, is_prefix) -> affix -> ids, and the affix lengths in use
        self.affixes: dict[tuple[bool, bool], dict[str, set[int]]] = {}
        self.affix_lengths: dict[tuple[bool, bool], Counter[int]] = {}
        self.above: SortedKeyList = SortedKeyList(key=_first)  # (low, open, id)
        self.below: SortedKeyList = SortedKeyList(key=_first)  # (high, open, id)
        self.between: SortedKeyList = SortedKeyList(key=_first)  # (low, lo_open, high, hi_open, id)
        self.blocks: dict[int, SortedKeyList] = {}  # address length -> (low, high, id)
        self.entries = 0
        self.filed: Counter[object] = Counter()  # entries per hash table, for hit_chance

    # -- filing ------------------------------------------------------------------------

    def hit_chance(self, matcher: ValueMatcher) -> float:
        """Estimated share of events (with this path) whose value hits `matcher`'s bucket.

        Rules tend to name the values events carry, so the share a value has among
        the values already filed here stands for how often events carry it;
        ranges and blocks get fixed guesses. A branch is best filed under the
        field its events hit least often.
        """
        if isinstance(matcher, ExactMatch | EqualsIgnoreCase | Prefix | Suffix) or (
            isinstance(matcher, NumericRange) and matcher.low == matcher.high
        ):
            if isinstance(matcher, Prefix | Suffix) and not matcher.key:
                return 1.0
            table = self._table(matcher)
            return (self.cost(matcher) + 1) / (self.filed[table] + 2)
        if isinstance(matcher, NumericRange):
            return 0.5 if matcher.low is None or matcher.high is None else 0.25
        return 0.25

    @staticmethod
    def _table(matcher: ValueMatcher) -> object:
        if isinstance(matcher, Prefix | Suffix):
            return (matcher.ignore_case, isinstance(matcher, Prefix))
        return "folded" if isinstance(matcher, EqualsIgnoreCase) else "exact"

    def cost(self, matcher: ValueMatcher) -> int:
        """How many branches a lookup for `matcher`'s bucket would hand out (an estimate)."""
        if isinstance(matcher, ExactMatch):
            return len(self.exact.get(typed_key(matcher.value), ()))
        if isinstance(matcher, NumericRange) and matcher.low == matcher.high:
            return len(self.exact.get(typed_key(matcher.low), ()))
        if isinstance(matcher, EqualsIgnoreCase):
            return len(self.folded.get(matcher.key, ()))
        if isinstance(matcher, Prefix | Suffix):
            table = self.affixes.get((matcher.ignore_case, isinstance(matcher, Prefix)), {})
            return 1 + len(table.get(matcher.key, ())) + 2 * (matcher.key == "")
        if isinstance(matcher, NumericRange):
            return 2 + len(self.above) + len(self.below) + len(self.between)
        assert isinstance(matcher, Cidr)
        return 2 + len(self.blocks.get(matcher.length, ()))

    def file(self, matcher: ValueMatcher, sid: int, *, add: bool) -> None:
        """Add (or remove) branch `sid` under `matcher`'s bucket."""
        self.entries += 1 if add else -1
        if not isinstance(matcher, Cidr) and not (
            isinstance(matcher, NumericRange) and matcher.low != matcher.high
        ):
            self.filed[self._table(matcher)] += 1 if add else -1
        if isinstance(matcher, NumericRange) and matcher.low == matcher.high:
            _toggle(self.exact, typed_key(matcher.low), sid, add)
        elif isinstance(matcher, ExactMatch):
            _toggle(self.exact, typed_key(matcher.value), sid, add)
        elif isinstance(matcher, EqualsIgnoreCase):
            _toggle(self.folded, matcher.key, sid, add)
        elif isinstance(matcher, Prefix | Suffix):
            slot = (matcher.ignore_case, isinstance(matcher, Prefix))
            _toggle(self.affixes.setdefault(slot, {}), matcher.key, sid, add)
            lengths = self.affix_lengths.setdefault(slot, Counter())
            lengths[len(matcher.key)] += 1 if add else -1
            if not lengths[len(matcher.key)]:
                del lengths[len(matcher.key)]
        elif isinstance(matcher, NumericRange):
            if matcher.high is None:
                _sorted_toggle(self.above, (matcher.low, matcher.low_open, sid), add)
            elif matcher.low is None:
                _sorted_toggle(self.below, (matcher.high, matcher.high_open, sid), add)
            else:
                entry = (matcher.low, matcher.low_open, matcher.high, matcher.high_open, sid)
                _sorted_toggle(self.between, entry, add)
        elif isinstance(matcher, Cidr):
            blocks = self.blocks.setdefault(matcher.length, SortedKeyList(key=_first))
            _sorted_toggle(blocks, (matcher.low, matcher.high, sid), add)
        else:  # pragma: no cover - callers file only indexable matchers
            raise TypeError(f"not an indexable matcher: {matcher!r}")

    def ids(self) -> Iterator[int]:
        """Every branch id filed here (once per bucket it sits in)."""
        yield from self.presence
        tables: list[Mapping[Any, set[int]]] = [self.exact, self.folded, *self.affixes.values()]
        for table in tables:
            for bucket in table.values():
                assert bucket, "empty bucket left behind"
                yield from bucket
        for entries in (self.above, self.below, self.between, *self.blocks.values()):
            for entry in entries:
                yield entry[-1]

    # -- looking up --------------------------------------------------------------------

    def lookup(self, value: Any, out: set[int]) -> None:
        """Add to `out` every branch whose key matcher may accept the leaf `value`."""
        if self.exact:
            bucket = self.exact.get(typed_key(value))
            if bucket:
                out |= bucket
        if isinstance(value, str):
            self._lookup_string(value, out)
        elif is_number(value) and value == value:  # NaN is in no range
            self._lookup_number(value, out)

    def _lookup_string(self, value: str, out: set[int]) -> None:
        folded = fold(value) if (self.folded or self.affixes) else value
        if self.folded:
            bucket = self.folded.get(folded)
            if bucket:
                out |= bucket
        for (ignore_case, is_prefix), table in self.affixes.items():
            text = folded if ignore_case else value
            for length in self.affix_lengths[(ignore_case, is_prefix)]:
                if length > len(text):
                    continue
                if is_prefix:
                    piece = text[:length]
                else:
                    piece = text[len(text) - length :]
                bucket = table.get(piece)
                if bucket:
                    out |= bucket
        if self.blocks:
            address = ip_address_value(value)
            if address is not None and address[0] in self.blocks:
                for _low, high, sid in self.blocks[address[0]].irange_key(max_key=address[1]):
                    if address[1] <= high:
                        out.add(sid)

    def _lookup_number(self, value: float, out: set[int]) -> None:
        for low, low_open, sid in self.above.irange_key(max_key=value):
            if not (low_open and low == value):
                out.add(sid)
        for high, high_open, sid in self.below.irange_key(min_key=value):
            if not (high_open and high == value):
                out.add(sid)
        for low, low_open, high, high_open, sid in self.between.irange_key(max_key=value):
            if (low_open and low == value) or value > high or (high_open and high == value):
                continue
            out.add(sid)


def _toggle(table: dict[Any, set[int]], key: Any, sid: int, add: bool) -> None:
    if add:
        table.setdefault(key, set()).add(sid)
        return
    bucket = table.get(key)
    if bucket is not None:  # two matchers may share a bucket (5 and numeric = 5)
        bucket.discard(sid)
        if not bucket:
            del table[key]


def _sorted_toggle(entries: SortedKeyList, entry: tuple[Any, ...], add: bool) -> None:
    if add:
        entries.add(entry)
    else:
        entries.remove(entry)


class RuleMatcher:
    """The rules of one event bus, indexed for matching.

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
        self._branches: dict[int, tuple[str, SubPattern]] = {}
        self._filed: dict[int, tuple[str, FieldPattern | None]] = {}  # id -> (path, key field)
        self._by_rule: dict[str, list[int]] = {}
        self._paths: dict[str, _PathIndex] = {}
        self._always: set[int] = set()
        self._next_id = 0

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
        self._by_rule[name] = [self._file(name, sub) for sub in pattern.subpatterns]
        return pattern

    def remove(self, name: str) -> bool:
        """Take rule `name` out; False when there was no such rule."""
        if name not in self._patterns:
            return False
        self._unfile(name)
        del self._patterns[name], self._order[name]
        return True

    def matching(self, event: Mapping[str, Any]) -> list[str]:
        """The names of the rules whose pattern `event` matches, in the order added."""
        return self.matching_flat(flatten_event(event))

    def matching_flat(self, flat: FlatEvent) -> list[str]:
        """`matching` for an event already flattened with `flatten_event`."""
        candidates = set(self._always)
        paths = self._paths
        pairs: Iterator[tuple[_PathIndex | None, Sequence[Leaf] | None]]
        if len(paths) < len(flat):
            pairs = ((index, flat.get(path)) for path, index in paths.items())
        else:
            pairs = ((paths.get(path), leaves) for path, leaves in flat.items())
        for index, leaves in pairs:
            if index is None or not leaves:
                continue
            if index.presence:
                candidates |= index.presence
            if index.entries:
                for value, _ in leaves:
                    index.lookup(value, candidates)
        matched: set[str] = set()
        for sid in candidates:
            name, sub = self._branches[sid]
            if name not in matched and sub.matches_flat(flat):
                matched.add(name)
        return sorted(matched, key=self._order.__getitem__)

    def _check(self) -> None:
        """Assert the index's invariants (for tests): every branch filed once, nothing stale."""
        assert set(self._patterns) == set(self._order) == set(self._by_rule)
        ids = {sid for sids in self._by_rule.values() for sid in sids}
        assert ids == set(self._branches) == set(self._filed)
        found = set(self._always)
        for path, index in self._paths.items():
            assert index.presence or index.entries, f"empty index left for {path!r}"
            here = set(index.ids())
            assert all(self._filed[sid][0] == path for sid in here)
            found |= here
        assert found == ids

    # -- filing ------------------------------------------------------------------------

    def _file(self, name: str, sub: SubPattern) -> int:
        sid = self._next_id
        self._next_id += 1
        self._branches[sid] = (name, sub)
        best: tuple[tuple[float, int, int], str, FieldPattern | None] | None = None
        for field in sub.fields:
            if field.absent_ok:
                continue
            index = self._paths.get(field.path) or _PathIndex()
            key: FieldPattern | None = None
            cost = (1.0, 1, len(index.presence))  # presence: every event with the path
            if all(isinstance(m, _INDEXABLE) for m in field.matchers):
                chance = min(1.0, sum(index.hit_chance(m) for m in field.matchers))
                cost, key = (chance, 0, sum(index.cost(m) for m in field.matchers)), field
            if best is None or cost < best[0]:
                best = (cost, field.path, key)
        if best is None:
            self._always.add(sid)
            self._filed[sid] = ("", None)
            return sid
        _, path, key = best
        index = self._paths.setdefault(path, _PathIndex())
        if key is None:
            index.presence.add(sid)
        else:
            for matcher in dict.fromkeys(key.matchers):
                index.file(matcher, sid, add=True)
        self._filed[sid] = (path, key)
        return sid

    def _unfile(self, name: str) -> None:
        for sid in self._by_rule.pop(name):
            path, key = self._filed.pop(sid)
            del self._branches[sid]
            if sid in self._always:
                self._always.discard(sid)
                continue
            index = self._paths[path]
            if key is None:
                index.presence.discard(sid)
            else:
                for matcher in dict.fromkeys(key.matchers):
                    index.file(matcher, sid, add=False)
            if not index.presence and not index.entries:
                del self._paths[path]
