"""Why an event matches an EventBridge pattern, or the first field that fails (pure).

`explain_pattern(pattern, event)` answers a `PatternExplanation`: ``matched``
(exactly `EventPattern.matches`), and for each ``$or`` branch the first field,
in the order the matcher visits them, that no leaf of the event satisfies, with
the event's values there, the operators expected and why they fail (value not
in the list, outside the numeric range, wrong prefix, excluded by
anything-but, absent where ``exists`` wants it, present where it must not be).
When every field has a satisfying leaf but no choice of leaves keeps to one
element of each shared array, the branch fails on array consistency.

    >>> from awsmon.events.pattern import EventPattern
    >>> pattern = EventPattern.parse('{"detail": {"state": ["running"]}}')
    >>> print(explain_pattern(pattern, {"detail": {"state": "pending"}}))
    no match: detail.state: "pending" is not "running"
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

from attrs import frozen

from awsmon.events.pattern import EventPattern, FieldPattern, FlatEvent, SubPattern, flatten_event

__all__ = [
    "BranchVerdict",
    "BusExplanation",
    "PatternExplanation",
    "explain_pattern",
    "explain_pattern_flat",
    "no_pattern",
]


@frozen
class BranchVerdict:
    """How one branch of a pattern fared.

    Attributes:
        matched: the branch matches.
        field: the first failing field's dotted path (None when matched, or
            when the branch fails on array consistency).
        values: the event's values at that path.
        expected: the field's match list, as pattern JSON.
        operator: the kind of test that failed (``exact``, ``prefix``,
            ``numeric``, ``anything-but``, ``exists``, ``array`` ...).
        reason: why, in words.
    """

    matched: bool
    field: str | None = None
    values: tuple[Any, ...] = ()
    expected: tuple[Any, ...] = ()
    operator: str = ""
    reason: str = ""

    def __str__(self) -> str:
        if self.matched:
            return "matched"
        return f"{self.field}: {self.reason}" if self.field else self.reason


@frozen
class PatternExplanation:
    """Whether an event matches a pattern, and why not.

    Attributes:
        matched: the pattern matches the event (as `EventPattern.matches`).
        branches: one verdict per ``$or`` branch (one without ``$or``).
        name: what was asked (a rule's name), for display.
    """

    matched: bool
    branches: tuple[BranchVerdict, ...]
    name: str = ""

    @property
    def field(self) -> str | None:
        """The first failing field of the first branch (None when matched)."""
        return None if self.matched else self.branches[0].field

    @property
    def reason(self) -> str:
        """``matched``, or why the first branch fails."""
        return "matched" if self.matched else str(self.branches[0])

    def __str__(self) -> str:
        who = f"{self.name}: " if self.name else ""
        if self.matched:
            return f"{who}matched"
        if len(self.branches) == 1:
            return f"{who}no match: {self.branches[0]}"
        lines = [f"{who}no match (no $or branch matches):"]
        lines += [f"  branch {i + 1}: {b}" for i, b in enumerate(self.branches)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(str(self)) + "</pre>"


@frozen
class BusExplanation:
    """Which rules of a bus an event matches, and why each other one does not.

    Attributes:
        bus: the bus's name.
        rules: one explanation per rule, named, in the bus's order.
        disabled: the rules that are disabled (they match nothing, whatever their pattern).
    """

    bus: str
    rules: tuple[PatternExplanation, ...]
    disabled: tuple[str, ...] = ()

    @property
    def matched(self) -> tuple[str, ...]:
        """The names of the enabled rules that match."""
        return tuple(r.name for r in self.rules if r.matched and r.name not in self.disabled)

    def __getitem__(self, name: str) -> PatternExplanation:
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise KeyError(f"no rule {name!r} on bus {self.bus!r}")

    def __str__(self) -> str:
        lines = [f"bus {self.bus}: {len(self.matched)} of {len(self.rules)} rules match"]
        for rule in self.rules:
            off = " [disabled]" if rule.name in self.disabled else ""
            lines.extend(f"  {line}{off}" for line in str(rule).splitlines()[:1])
            lines.extend(f"  {line}" for line in str(rule).splitlines()[1:])
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(str(self)) + "</pre>"


def no_pattern(name: str) -> PatternExplanation:
    """The explanation of a schedule-only rule: it matches no event."""
    return PatternExplanation(
        False, (BranchVerdict(False, reason="a schedule-only rule matches no event"),), name
    )


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _describe(matcher_json: Any) -> str:
    if isinstance(matcher_json, Mapping) and len(matcher_json) == 1:
        ((op, arg),) = matcher_json.items()
        return f"{op} {_show(arg)}"
    return _show(matcher_json)


def _operator(field: FieldPattern) -> str:
    kinds = {m.kind for m in field.matchers}
    if field.absent_ok and not kinds:
        return "exists"
    return kinds.pop() if len(kinds) == 1 else "any of"


def _field_reason(field: FieldPattern, values: Sequence[Any]) -> str:
    expected = [m.to_json() for m in field.matchers]
    if not values:
        if any(m.kind == "exists" for m in field.matchers):
            return "the field is absent, and exists true wants it present"
        return f"the field is absent; the pattern wants {_list(expected)}"
    if field.absent_ok and not field.matchers:
        return f"the field is present ({_values(values)}), and exists false wants it absent"
    kind = _operator(field)
    shown = _values(values)
    if kind == "exact":
        return f"{shown} is not {_list(expected)}"
    if kind.startswith("anything-but"):
        return f"{shown} is excluded by {_list([_describe(e) for e in expected], raw=True)}"
    if kind == "numeric":
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if not numbers:
            return f"{shown} is not a number, and numeric compares numbers only"
        return f"{shown} is outside {_list([_describe(e) for e in expected], raw=True)}"
    if kind in ("prefix", "suffix", "wildcard", "equals-ignore-case", "cidr"):
        texts = [v for v in values if isinstance(v, str)]
        if not texts:
            return f"{shown} is not a string, and {kind} matches strings only"
    if kind == "exists":
        return f"{shown} does not satisfy {_list([_describe(e) for e in expected], raw=True)}"
    return f"{shown} matches none of {_list([_describe(e) for e in expected], raw=True)}"


def _values(values: Sequence[Any]) -> str:
    return _show(values[0]) if len(values) == 1 else "[" + ", ".join(map(_show, values)) + "]"


def _list(items: Sequence[Any], raw: bool = False) -> str:
    shown = [item if raw else _show(item) for item in items]
    return shown[0] if len(shown) == 1 else "one of " + ", ".join(shown)


def _branch(sub: SubPattern, flat: FlatEvent) -> BranchVerdict:
    if sub.matches_flat(flat):
        return BranchVerdict(True)
    for field in sub.fields:
        leaves = flat.get(field.path, ())
        if any(field.test(leaf[0]) for leaf in leaves):
            continue
        if field.absent_ok and not leaves:
            continue
        values = tuple(leaf[0] for leaf in leaves)
        return BranchVerdict(
            False,
            field.path,
            values,
            tuple(field.to_json()),
            _operator(field),
            _field_reason(field, values),
        )
    return BranchVerdict(
        False,
        operator="array",
        reason=(
            "every field has a matching value, but not all in the same element of an array "
            "they share (array consistency)"
        ),
    )


def explain_pattern_flat(
    pattern: EventPattern, flat: FlatEvent, name: str = ""
) -> PatternExplanation:
    """`explain_pattern` for an event already flattened with `flatten_event`."""
    branches = tuple(_branch(sub, flat) for sub in pattern.subpatterns)
    return PatternExplanation(any(b.matched for b in branches), branches, name)


def explain_pattern(
    pattern: EventPattern, event: Mapping[str, Any], name: str = ""
) -> PatternExplanation:
    """Whether `event` matches `pattern`, and otherwise the first failing field of each branch.

    Raises:
        TypeError: `event` is not a mapping.
    """
    return explain_pattern_flat(pattern, flatten_event(event), name)
