"""EventBridge event patterns: parse once, match many events.

`EventPattern.parse` reads a pattern (JSON text or a mapping), validates it as
EventBridge does and compiles it into an immutable `EventPattern`, whose
`EventPattern.matches` says whether an event matches. A pattern with ``$or``
compiles into several `SubPattern` branches (any may match); each branch is a
tuple of `FieldPattern` (a field path with its OR-ed value matchers), all of
which must hold.

    >>> text = '{"source": ["aws.ec2"], "detail": {"state": [{"anything-but": "pending"}]}}'
    >>> pattern = EventPattern.parse(text)
    >>> pattern.matches({"source": "aws.ec2", "detail": {"state": "running"}})
    True
    >>> pattern.matches({"source": "aws.ec2", "detail": {}})
    False

Main classes: `EventPattern`, `SubPattern`, `FieldPattern`, `PatternLimits`;
functions `flatten_event` (an event's leaves; the rule index prunes its own) and
`parse_event_pattern`. The value matchers live in `awsmon.events._pattern_values`
and the JSON reader in `awsmon.events._pattern_json`; the compiler that mirrors
aws/event-ruler's JsonRuleCompiler is `awsmon.events._pattern_compiler`.

Semantics (aws/event-ruler, checked against EventBridge's recorded answers):

- An event is flattened into leaves: each string, number, boolean or null with
  its dotted path (``{"a": {"b": 1}}`` and ``{"a.b": 1}`` both give ``a.b``);
  array elements are leaves of the array's own path; objects, ``[]`` and ``{}``
  are not leaves.
- A field matches when one of its leaves satisfies one of its matchers;
  ``{"exists": false}`` matches when there is no leaf at all.
- Array consistency: the leaves chosen for the fields of one branch may not
  come from different elements of the same array (``rulesForJSONEvent``).
  Fields are visited in sorted path order, and ``{"exists": false}`` looks for
  leaves consistent with the leaves chosen before it, as the reference does.

Simulation notes:
    - Numeric operands are validated against the documented range,
      -5.0e9..+5.0e9 (`PatternLimits.numeric_bound`); AWS's newer engine may
      accept any finite number (UNCONFIRMED). The documented precision of six
      decimals is not enforced unless `PatternLimits.numeric_decimals` is set;
      comparisons are exact on the parsed numbers, for event values of any size.
    - A CIDR block runs from the address as written to that address with all
      host bits set, and ``/32`` (IPv4) or ``/128`` (IPv6) is refused, as in
      aws/event-ruler (AWS's answer for ``/32`` is UNCONFIRMED).
    - The wildcard complexity threshold (`PatternLimits.max_wildcard_complexity`,
      default 10 live positions) is UNCONFIRMED; it accepts and rejects the
      three patterns recorded against AWS.
    - The messages for a pattern longer than the quota and for more than 1000
      ``$or`` combinations are UNCONFIRMED.
    - ``exactly`` is refused as an unknown operator; exact strings that look
      like IP addresses are compared as strings.
    - Text after the closing brace is an error (Jackson alone would ignore it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import attrs

from awsmon.events._pattern_compiler import compile_pattern
from awsmon.events._pattern_json import pattern_error
from awsmon.events._pattern_limits import DEFAULT_LIMITS, PatternLimits
from awsmon.events._pattern_values import ValueMatcher
from awsmon.events.errors import InvalidEventPatternException

__all__ = [
    "DEFAULT_LIMITS",
    "EventPattern",
    "FieldPattern",
    "FlatEvent",
    "Leaf",
    "PatternLimits",
    "SubPattern",
    "flatten_event",
    "parse_event_pattern",
]

#: Which elements of which arrays a leaf sits in: ((array id, index), ...), outermost first.
Membership: TypeAlias = tuple[tuple[int, int], ...]
#: One leaf of an event: its value and its array membership.
Leaf: TypeAlias = tuple[Any, Membership]
#: An event's leaves by dotted path.
FlatEvent: TypeAlias = Mapping[str, Sequence[Leaf]]


def _java_order(path: str) -> bytes:
    """Sort key giving Java's String order (UTF-16 code units), which the reference uses."""
    return path.encode("utf-16-be", "surrogatepass")


@attrs.frozen
class FieldPattern:
    """One field of a branch: its dotted path and OR-ed matchers.

    Attributes:
        path: the dotted path (``detail.state``).
        matchers: the value matchers; a leaf satisfying any of them matches.
        absent_ok: the list held ``{"exists": false}``: no leaf at all matches too.
    """

    path: str
    matchers: tuple[ValueMatcher, ...]
    absent_ok: bool = False

    def test(self, value: Any) -> bool:
        """True when the leaf `value` satisfies one of the matchers."""
        return any(matcher.matches(value) for matcher in self.matchers)

    def to_json(self) -> list[Any]:
        """The match list as JSON."""
        values = [matcher.to_json() for matcher in self.matchers]
        if self.absent_ok:
            values.append({"exists": False})
        return values


def _sort_fields(fields: Sequence[FieldPattern]) -> tuple[FieldPattern, ...]:
    return tuple(sorted(fields, key=lambda field: _java_order(field.path)))


@attrs.frozen
class SubPattern:
    """One branch of a pattern: every field must match (fields in Java sort order)."""

    fields: tuple[FieldPattern, ...] = attrs.field(converter=_sort_fields)

    def to_json(self, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
        """The branch as a pattern object with dotted keys (leaving out `skip`)."""
        return {f.path: f.to_json() for f in self.fields if f.path not in skip}

    def matches_flat(self, flat: FlatEvent) -> bool:
        """True when the flattened event satisfies every field, array-consistently."""
        for field in self.fields:  # quick rejection: a required field no leaf satisfies
            if not field.absent_ok and not any(
                field.test(leaf[0]) for leaf in flat.get(field.path, ())
            ):
                return False
        options: list[tuple[FieldPattern, Sequence[Leaf], list[Leaf]]] = []
        in_arrays = False
        for field in self.fields:
            leaves = flat.get(field.path, ())
            satisfying = [leaf for leaf in leaves if field.test(leaf[0])]
            if not satisfying and not field.absent_ok:
                return False
            options.append((field, leaves, satisfying))
            in_arrays = in_arrays or any(leaf[1] for leaf in leaves)
        shared = _shared_arrays(options) if in_arrays else set()
        if not shared:
            # No array joins two fields: each field can pick its leaf on its own.
            return all(satisfying or not leaves for _, leaves, satisfying in options)
        choices = [
            (
                field.absent_ok,
                {_project(leaf[1], shared) for leaf in leaves},
                list(dict.fromkeys(_project(leaf[1], shared) for leaf in satisfying)),
            )
            for field, leaves, satisfying in options
        ]
        return _search(choices, 0, {})


def _shared_arrays(options: Sequence[tuple[FieldPattern, Sequence[Leaf], list[Leaf]]]) -> set[int]:
    """Array ids that hold leaves of two or more fields (only those can conflict)."""
    first_field: dict[int, int] = {}
    shared: set[int] = set()
    for index, (_, leaves, _) in enumerate(options):
        for _, membership in leaves:
            for array_id, _ in membership:
                if first_field.setdefault(array_id, index) != index:
                    shared.add(array_id)
    return shared


def _project(membership: Membership, shared: set[int]) -> Membership:
    return tuple(entry for entry in membership if entry[0] in shared)


def _merge(chosen: dict[int, int], membership: Membership) -> dict[int, int] | None:
    """`chosen` extended by `membership`, or None when they disagree on an array."""
    merged = chosen
    for array_id, index in membership:
        known = chosen.get(array_id)
        if known is None:
            if merged is chosen:
                merged = dict(chosen)
            merged[array_id] = index
        elif known != index:
            return None
    return merged


def _search(
    choices: Sequence[tuple[bool, set[Membership], list[Membership]]],
    index: int,
    chosen: dict[int, int],
) -> bool:
    """Backtracking choice of one leaf per field, in order, keeping arrays consistent."""
    if index == len(choices):
        return True
    absent_ok, every, satisfying = choices[index]
    for membership in satisfying:
        merged = _merge(chosen, membership)
        if merged is not None and _search(choices, index + 1, merged):
            return True
    if absent_ok and all(_merge(chosen, membership) is None for membership in every):
        return _search(choices, index + 1, chosen)
    return False


def flatten_event(event: Mapping[str, Any]) -> dict[str, list[Leaf]]:
    """An event's leaves by dotted path, with the array elements each sits in.

    Every array met gets its own id, so two leaves are array-consistent when
    they agree on the element index of every array they share.

    Raises:
        TypeError: when `event` is not a mapping.
    """
    if not isinstance(event, Mapping):
        raise TypeError(f"an event must be a JSON object (a mapping), not {type(event).__name__}")
    flat: dict[str, list[Leaf]] = {}
    arrays = [0]

    def walk(value: Any, path: str, membership: Membership) -> None:
        if isinstance(value, Mapping):
            for key, child in value.items():
                walk(child, f"{path}.{key}", membership)
        elif isinstance(value, list | tuple):
            arrays[0] += 1
            array_id = arrays[0]
            for index, element in enumerate(value):
                walk(element, path, (*membership, (array_id, index)))
        else:
            leaves = flat.get(path)
            if leaves is None:
                flat[path] = [(value, membership)]
            else:
                leaves.append((value, membership))

    for key, child in event.items():
        walk(child, str(key), ())
    return flat


@attrs.frozen
class EventPattern:
    """A compiled, immutable EventBridge event pattern.

    Attributes:
        subpatterns: the ``$or`` branches (one when the pattern has no ``$or``);
            the pattern matches when any of them does.
        source: the pattern text it was parsed from (not part of equality).
    """

    subpatterns: tuple[SubPattern, ...]
    source: str = attrs.field(default="", eq=False, repr=False)

    @classmethod
    def parse(
        cls, pattern: str | Mapping[str, Any], *, limits: PatternLimits = DEFAULT_LIMITS
    ) -> EventPattern:
        """Parse and validate a pattern, as PutRule and TestEventPattern do.

        Args:
            pattern: the pattern as JSON text, or as a mapping (serialised to
                compact JSON first, so positions refer to that text).
            limits: the limits to validate against (AWS's by default).

        Raises:
            InvalidEventPatternException: with AWS's reason and the position.
        """
        text = pattern if isinstance(pattern, str) else _dump(pattern)
        if limits.max_length is not None and len(text) > limits.max_length:
            reason = (
                f"Event pattern is {len(text)} characters long; the maximum is {limits.max_length}"
            )
            raise pattern_error(text, reason, limits.max_length, len(text))
        branches = compile_pattern(text, limits)
        subpatterns = tuple(
            SubPattern(tuple(FieldPattern(*field) for field in branch)) for branch in branches
        )
        return cls(subpatterns, text)

    def matches(self, event: Mapping[str, Any]) -> bool:
        """True when `event` (a JSON object as a mapping) matches the pattern."""
        return self.matches_flat(flatten_event(event))

    def matches_flat(self, flat: FlatEvent) -> bool:
        """`matches` for an event already flattened with `flatten_event`."""
        return any(sub.matches_flat(flat) for sub in self.subpatterns)

    def to_json(self) -> dict[str, Any]:
        """The compiled pattern as pattern JSON (dotted keys; branches under ``$or``).

        Fields common to every branch are written once, outside ``$or``. A
        field named like an operator (``prefix``, ``numeric``, ...) cannot be
        written inside ``$or``, so such a pattern may not parse back.
        """
        if len(self.subpatterns) == 1:
            return self.subpatterns[0].to_json()
        common = frozenset.intersection(*(frozenset(sub.fields) for sub in self.subpatterns))
        paths = frozenset(f.path for f in common)
        if any(len(sub.fields) == len(common) for sub in self.subpatterns):
            common, paths = frozenset(), frozenset()
        rendered: dict[str, Any] = {
            f.path: f.to_json() for f in self.subpatterns[0].fields if f in common
        }
        rendered["$or"] = [sub.to_json(paths) for sub in self.subpatterns]
        return rendered

    def render(self) -> str:
        """`to_json` as compact JSON text; ``parse(render())`` gives an equal pattern."""
        return _dump(self.to_json())


def parse_event_pattern(
    pattern: str | Mapping[str, Any], *, limits: PatternLimits = DEFAULT_LIMITS
) -> EventPattern:
    """Same as `EventPattern.parse`."""
    return EventPattern.parse(pattern, limits=limits)


def _dump(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise InvalidEventPatternException(
            f"Event pattern is not valid. Reason: Filter is not valid JSON: {exc}",
            reason=f"Filter is not valid JSON: {exc}",
        ) from None
