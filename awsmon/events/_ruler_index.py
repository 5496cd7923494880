"""The value index of one field in the rule automaton: leaf value → next states.

`awsmon.events.ruler` compiles a bus's patterns into states joined by field
transitions. At one state, every transition on one field path lives in a
`FieldIndex`, which answers "which next states does this leaf value reach?"
with a few lookups whatever the number of transitions:

- exact strings, numbers (by value: ``3 == 3.0``) and booleans/null in three
  hash maps (so ``"3" != 3`` and ``true != 1``), ``equals-ignore-case`` under
  the folded text;
- prefixes and suffixes (either case) in hash maps probed once per distinct
  affix length in use; wildcards under their literal prefix, then checked;
- numeric ranges and CIDR blocks in `Ranges`, a segment tree over their
  bounds (one bisection and a walk up the tree);
- ``exists: true`` reached by any leaf; ``anything-but`` a list of values
  by every leaf save those its excluded values map to; ``anything-but``
  prefix/suffix/... (and wildcards with no literal prefix) checked one by
  one; ``exists: false`` kept aside for the walker, which alone knows whether
  the field is absent.

Main classes: `FieldIndex`, `Ranges`. Also `field_rank` (how selective a field
is, for ordering a branch's fields) and `literal_prefix` (of a wildcard). Pure:
no clock, no service. The states are opaque to this module: any hashable
objects.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from awsmon.events._pattern_values import (
    STAR,
    AnythingBut,
    AnythingButPattern,
    Cidr,
    EqualsIgnoreCase,
    ExactMatch,
    Exists,
    NumericRange,
    Prefix,
    Suffix,
    ValueMatcher,
    Wildcard,
    ip_address_value,
    parse_wildcard,
    typed_key,
)

__all__ = ["FieldIndex", "Ranges", "field_rank", "literal_prefix"]

S = TypeVar("S")
T = TypeVar("T")

#: (low, low_open, high, high_open, state): a bound of None is unbounded on that side.
_Range = tuple[Any, bool, Any, bool, Any]


def literal_prefix(wildcard: Wildcard) -> str:
    """The text every value the wildcard matches starts with ("" when it starts with ``*``)."""
    tokens = parse_wildcard(wildcard.text)[1:-1]  # drop the quotes it is read within
    literal = bytearray()
    for token in tokens:
        if token == STAR:
            break
        literal.append(token)
    return literal.decode("utf-8", "surrogatepass")


def _is_point(matcher: NumericRange) -> bool:
    """True for ``{"numeric": ["=", x]}``, a closed one-point range."""
    return (
        matcher.low is not None
        and matcher.low == matcher.high
        and not (matcher.low_open or matcher.high_open)
    )


def field_rank(matchers: tuple[ValueMatcher, ...]) -> int:
    """How broad a field's matchers are: 0 for values, 1 for affixes, 2 ranges, 3 the rest.

    A branch without ``exists: false`` may try its fields in any order (the
    answer is the same), so the automaton tests the most selective first and
    rules sharing them share states.
    """
    rank = 0
    for matcher in matchers:
        if isinstance(matcher, ExactMatch | EqualsIgnoreCase):
            continue
        if isinstance(matcher, NumericRange):
            rank = max(rank, 0 if _is_point(matcher) else 2)
        elif isinstance(matcher, Prefix | Suffix):
            rank = max(rank, 1 if matcher.key else 3)
        elif isinstance(matcher, Cidr):
            rank = max(rank, 1)
        elif isinstance(matcher, Wildcard):
            rank = max(rank, 1 if literal_prefix(matcher) else 3)
        else:
            rank = 3
    return rank


class Ranges(Generic[S]):
    """Closed, open or unbounded ranges leading to states, found by stabbing.

    The distinct bounds cut the number line into elementary segments (each
    bound is a segment, and so is each gap between bounds); every range is
    filed in the O(log n) nodes of a segment tree that cover its segments. A
    lookup bisects for the value's segment and walks up the tree: O(log n)
    plus the answer. The tree is rebuilt lazily after a change.

    >>> ranges: Ranges[str] = Ranges()
    >>> ranges.add((0, True, 5, False, "a")); ranges.add((5, False, None, False, "b"))
    >>> [sorted(ranges.stab(v)) for v in (0, 3, 5, 9)]
    [[], ['a'], ['a', 'b'], ['b']]
    """

    def __init__(self) -> None:
        self.entries: Counter[_Range] = Counter()
        self._bounds: list[Any] = []
        self._tree: list[list[S] | None] | None = None
        self._size = 0

    def __len__(self) -> int:
        return sum(self.entries.values())

    def add(self, entry: _Range) -> None:
        """File a (low, low_open, high, high_open, state) range."""
        self.entries[entry] += 1
        self._tree = None

    def remove(self, entry: _Range) -> None:
        """Take one filing of `entry` out."""
        self.entries[entry] -= 1
        if not self.entries[entry]:
            del self.entries[entry]
        self._tree = None

    def stab(self, value: Any) -> list[S]:
        """The states of the ranges holding `value` (with repeats); NaN is in none."""
        out: list[S] = []
        if value == value:
            self.lookup(value, out)
        return out

    def lookup(self, value: Any, out: list[S]) -> None:
        """Append to `out` the states of the ranges holding `value` (not NaN)."""
        tree = self._tree
        if tree is None:
            tree = self._build()
        bounds = self._bounds
        at = bisect_left(bounds, value)
        node = self._size + (2 * at + 1 if at < len(bounds) and bounds[at] == value else 2 * at)
        while node:
            filed = tree[node]
            if filed:
                out += filed
            node >>= 1

    def _build(self) -> list[list[S] | None]:
        bounds = sorted({b for e in self.entries for b in (e[0], e[2]) if b is not None})
        where = {bound: at for at, bound in enumerate(bounds)}
        segments = 2 * len(bounds) + 1
        size = 1
        while size < segments:
            size <<= 1
        tree: list[list[S] | None] = [None] * (2 * size)
        for (low, low_open, high, high_open, state), count in self.entries.items():
            first = 0 if low is None else 2 * where[low] + (2 if low_open else 1)
            last = segments - 1 if high is None else 2 * where[high] + (0 if high_open else 1)
            left, right = first + size, last + size + 1
            while left < right:
                if left & 1:
                    tree[left] = (tree[left] or []) + [state] * count
                    left += 1
                if right & 1:
                    right -= 1
                    tree[right] = (tree[right] or []) + [state] * count
                left >>= 1
                right >>= 1
        self._bounds, self._size, self._tree = bounds, size, tree
        return tree


def _file(table: dict[Any, list[T]], key: Any, state: T, add: bool) -> None:
    if add:
        table.setdefault(key, []).append(state)
        return
    bucket = table[key]
    bucket.remove(state)
    if not bucket:
        del table[key]


def _toggle(table: dict[Any, set[T]], key: Any, state: T, add: bool) -> None:
    if add:
        table.setdefault(key, set()).add(state)
        return
    bucket = table[key]
    bucket.discard(state)
    if not bucket:
        del table[key]


def _count(lengths: Counter[int], length: int, add: bool) -> None:
    lengths[length] += 1 if add else -1
    if not lengths[length]:
        del lengths[length]


class FieldIndex(Generic[S]):
    """Every transition on one field path out of one state, indexed by value.

    Attributes:
        absent: the states reached when the field has no (consistent) leaf,
            from ``exists: false``.
        plain: only exact strings are filed (the walker's fast path).
        entries: how many transitions are filed.
    """

    def __init__(self) -> None:
        self.strings: dict[str, list[S]] = {}
        self.numbers: dict[int | float, list[S]] = {}
        self.others: dict[bool | None, list[S]] = {}
        self.folded: dict[str, list[S]] = {}
        # (ignore_case, is_prefix) -> affix -> states, and the affix lengths in use
        self.affixes: dict[tuple[bool, bool], dict[str, list[S]]] = {}
        self.lengths: dict[tuple[bool, bool], Counter[int]] = {}
        self.wildcards: dict[str, list[tuple[Wildcard, S]]] = {}  # by literal prefix
        self.wildcard_lengths: Counter[int] = Counter()
        self.ranges: Ranges[S] = Ranges()
        self.blocks: dict[int, Ranges[S]] = {}  # address length in bytes -> CIDR blocks
        self.present: list[S] = []
        self.checks: list[tuple[ValueMatcher, S]] = []
        # plain anything-but, at most one per state (a second goes to checks):
        # every such state, and by typed value key the states that exclude it
        self.but: list[S] = []
        self._but: set[S] = set()  # the same, for membership tests
        self.but_excluded: dict[tuple[str, Any] | None, set[S]] = {}
        self.absent: list[S] = []
        self.entries = 0
        self.plain = True
        self._texts = False  # anything beyond exact strings for string values
        self._fold = False  # string values need folding
        # (ignore_case, is_prefix, table, affix lengths ascending), from affixes and lengths
        self._probes: list[tuple[bool, bool, dict[str, list[S]], list[int]]] = []

    def file(self, matcher: ValueMatcher | None, state: S, *, add: bool) -> None:
        """Add (or remove) the transition `matcher` → `state` (None: ``exists: false``)."""
        self.entries += 1 if add else -1
        if matcher is None:
            if add:
                self.absent.append(state)
            else:
                self.absent.remove(state)
        elif isinstance(matcher, ExactMatch):
            value = matcher.value
            if isinstance(value, str):
                _file(self.strings, value, state, add)
            elif isinstance(value, bool) or value is None:
                _file(self.others, value, state, add)
            else:
                _file(self.numbers, value, state, add)
        elif isinstance(matcher, NumericRange) and _is_point(matcher):
            assert matcher.low is not None
            _file(self.numbers, matcher.low, state, add)
        elif isinstance(matcher, NumericRange):
            entry = (matcher.low, matcher.low_open, matcher.high, matcher.high_open, state)
            (self.ranges.add if add else self.ranges.remove)(entry)
        elif isinstance(matcher, EqualsIgnoreCase):
            _file(self.folded, matcher.key, state, add)
        elif isinstance(matcher, Prefix | Suffix):
            slot = (matcher.ignore_case, isinstance(matcher, Prefix))
            _file(self.affixes.setdefault(slot, {}), matcher.key, state, add)
            _count(self.lengths.setdefault(slot, Counter()), len(matcher.key), add)
            if not self.affixes[slot]:
                del self.affixes[slot], self.lengths[slot]
        elif isinstance(matcher, Cidr):
            blocks = self.blocks.setdefault(matcher.length, Ranges())
            entry = (matcher.low, False, matcher.high, False, state)
            (blocks.add if add else blocks.remove)(entry)
            if not blocks.entries:
                del self.blocks[matcher.length]
        elif isinstance(matcher, Exists):
            if add:
                self.present.append(state)
            else:
                self.present.remove(state)
        elif isinstance(matcher, Wildcard) and literal_prefix(matcher):
            prefix = literal_prefix(matcher)
            _file(self.wildcards, prefix, (matcher, state), add)
            _count(self.wildcard_lengths, len(prefix), add)
        elif isinstance(matcher, AnythingBut) and (
            (add and state not in self._but) or (not add and (matcher, state) not in self.checks)
        ):
            if add:
                self.but.append(state)
                self._but.add(state)
            else:
                self.but.remove(state)
                self._but.discard(state)
            for key in matcher.excluded:
                _toggle(self.but_excluded, key, state, add)
        else:
            assert isinstance(matcher, AnythingBut | AnythingButPattern | Wildcard), matcher
            if add:
                self.checks.append((matcher, state))
            else:
                self.checks.remove((matcher, state))
        self._texts = bool(self.folded or self.affixes or self.wildcards or self.blocks)
        self._fold = bool(self.folded) or any(slot[0] for slot in self.affixes)
        self._probes = [
            (ignore_case, is_prefix, table, sorted(self.lengths[(ignore_case, is_prefix)]))
            for (ignore_case, is_prefix), table in self.affixes.items()
        ]
        self.plain = (
            not (self.numbers or self.others or self.ranges.entries or self.present)
            and not (self.checks or self.but)
            and not self._texts
        )

    def states(self) -> list[S]:
        """Every state filed here, once per filing (for invariant checks)."""
        found: list[S] = [*self.present, *self.absent, *self.but, *(s for _, s in self.checks)]
        for key, excluding in self.but_excluded.items():
            assert excluding and excluding <= set(self.but), key
        tables: list[dict[Any, list[S]]] = [
            self.strings, self.numbers, self.others, self.folded, *self.affixes.values()
        ]  # fmt: skip
        for table in tables:
            for bucket in table.values():
                assert bucket, "empty bucket left behind"
                found += bucket
        for pairs in self.wildcards.values():
            assert pairs, "empty bucket left behind"
            found += [state for _, state in pairs]
        for ranges in (self.ranges, *self.blocks.values()):
            for entry, count in ranges.entries.items():
                found += [entry[-1]] * count
        return found

    def lookup(self, value: Any, out: list[S]) -> None:
        """Append to `out` the states that the leaf `value` reaches (repeats possible)."""
        self.reach(((value, ()),), out)

    def reach(self, leaves: Iterable[tuple[Any, Any]], out: list[S]) -> None:
        """Append to `out` the states that the leaves ``(value, membership)`` reach."""
        strings, texts, present, checks = self.strings, self._texts, self.present, self.checks
        but = self.but
        for value, _ in leaves:
            kind = type(value)
            if kind is str:
                hit = strings.get(value)
                if hit:
                    out += hit
                if texts:
                    self._lookup_text(value, out)
            elif kind is int or kind is float:
                self._lookup_number(value, out)
            elif kind is bool or value is None:
                hit = self.others.get(value)
                if hit:
                    out += hit
            elif isinstance(value, str):
                self.reach(((str(value), ()),), out)
                continue
            elif isinstance(value, int | float):
                self._lookup_number(value, out)
            if present:
                out += present
            if but:
                excluding = self.but_excluded.get(typed_key(value))
                out += [s for s in but if s not in excluding] if excluding else but
            for matcher, state in checks:
                if matcher.matches(value):
                    out.append(state)

    def _lookup_number(self, value: int | float, out: list[S]) -> None:
        hit = self.numbers.get(value)
        if hit:
            out += hit
        if self.ranges.entries and value == value:  # NaN is in no range
            self.ranges.lookup(value, out)

    def _lookup_text(self, value: str, out: list[S]) -> None:
        folded = value.lower() if self._fold else value  # `fold`, inlined
        if self.folded:
            hit = self.folded.get(folded)
            if hit:
                out += hit
        for ignore_case, is_prefix, table, lengths in self._probes:
            text = folded if ignore_case else value
            size = len(text)
            for length in lengths:
                if length > size:
                    break
                hit = table.get(text[:length] if is_prefix else text[size - length :])
                if hit:
                    out += hit
        if self.wildcards:
            size = len(value)
            for length in self.wildcard_lengths:
                if length <= size:
                    for wildcard, state in self.wildcards.get(value[:length], ()):
                        if wildcard.glob.matches(value):
                            out.append(state)
        if self.blocks:
            address = ip_address_value(value)
            if address is not None:
                blocks = self.blocks.get(address[0])
                if blocks is not None:
                    blocks.lookup(address[1], out)
