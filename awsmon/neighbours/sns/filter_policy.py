"""SNS subscription filter policies: parse once, match many messages.

A pure module. `FilterPolicy.parse` checks the JSON text of a filter policy
and compiles it; `FilterPolicy.matches` tests one message's attributes
(``MessageAttributes`` scope) or its JSON body (``MessageBody`` scope).

>>> policy = FilterPolicy.parse('{"store": ["example_corp"], "price": [{"numeric": [">", 100]}]}')
>>> policy.matches({"store": "example_corp", "price": 150})
True
>>> policy.matches({"store": "example_corp", "price": 50})
False
>>> FilterPolicy.parse('{"store": [{"prefix": 1}]}')
Traceback (most recent call last):
...
awsmon.neighbours.sns.filter_policy.InvalidFilterPolicy: prefix match pattern must be a string

Supported operators (AWS's SNS filter policy language): exact strings and
numbers, ``prefix``, ``suffix``, ``equals-ignore-case``, ``anything-but``
(a value, a list, or ``{"prefix": ...}``/``{"suffix": ...}``), ``numeric``
(``=``, ``<``, ``<=``, ``>``, ``>=`` with up to two bounds), ``exists``, and
``$or`` at any level of keys. In the body scope, nested objects in the policy
follow nested objects in the message; an array in the message matches when
any of its elements does (String.Array attributes likewise).

Simulation notes: the size and combination limits AWS puts on policies
(150 combinations, 5 keys for attributes scope) are not enforced; ``cidr``
and ``wildcard`` operands are refused as unsupported by awsmon. Numbers
compare at 5 decimal places, as AWS documents (``1.000001`` equals ``1``).
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Callable, Mapping
from typing import Any

from attrs import frozen

from awsmon import jsondoc

__all__ = ["FilterPolicy", "InvalidFilterPolicy", "PolicyExplanation"]

_MISSING = object()
Matcher = Callable[[Any], bool]


class InvalidFilterPolicy(ValueError):
    """The filter policy breaks the language (SNS answers ``InvalidParameter``)."""


def _number(value: Any) -> float | None:
    """A number as SNS compares it: at 5 decimal places (AWS's documented precision)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _fixed(float(value))
    if isinstance(value, str):
        try:
            return _fixed(float(value))
        except ValueError:
            return None
    return None


def _fixed(number: float) -> float | None:
    # SNS matches numbers "with 5-digit precision after the decimal point": 1.000001 = 1.
    if not math.isfinite(number):
        return None
    return round(number, 5)


_COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "=": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _numeric(spec: Any) -> Matcher:
    if not isinstance(spec, list) or not spec or len(spec) % 2:
        raise InvalidFilterPolicy("Value of numeric must be an array of operator/value pairs")
    checks: list[tuple[Callable[[float, float], bool], float]] = []
    for op, bound in zip(spec[::2], spec[1::2], strict=True):
        limit = _number(bound) if not isinstance(bound, str) else None
        if limit is None:
            raise InvalidFilterPolicy(f"Value of {op} must be numeric")
        if op not in _COMPARISONS:
            raise InvalidFilterPolicy(f"Unrecognized numeric range operator: {op}")
        checks.append((_COMPARISONS[op], limit))

    def match(value: Any) -> bool:
        number = _number(value)
        return number is not None and all(check(number, b) for check, b in checks)

    return match


def _string_operand(name: str, operand: Any) -> str:
    if not isinstance(operand, str):
        raise InvalidFilterPolicy(f"{name} match pattern must be a string")
    return operand


def _anything_but(operand: Any) -> Matcher:
    if isinstance(operand, Mapping):
        if len(operand) != 1:
            raise InvalidFilterPolicy(
                "Value of anything-but must be an array or single string/number value."
            )
        ((op, text),) = operand.items()
        text = _string_operand(op, text)
        if op == "prefix":
            return lambda v: isinstance(v, str) and not v.startswith(text)
        if op == "suffix":
            return lambda v: isinstance(v, str) and not v.endswith(text)
        raise InvalidFilterPolicy(f"Unsupported anything-but pattern: {op}")
    values = operand if isinstance(operand, list) else [operand]
    strings = {v for v in values if isinstance(v, str)}
    numbers = {_number(v) for v in values if _number(v) is not None and not isinstance(v, str)}

    def match(value: Any) -> bool:
        if isinstance(value, str):
            return value not in strings
        number = _number(value)
        return number is None or number not in numbers

    return match


def _condition(item: Any) -> tuple[Matcher, bool]:
    """A matcher for one element of a key's list, and whether it matches a missing key."""
    if item is None:
        return (lambda v: v is None), False
    if isinstance(item, bool):
        return (lambda v: v is item), False
    if isinstance(item, str):
        return (lambda v: v == item), False
    if isinstance(item, int | float):
        target = _number(item)
        return (lambda v: _number(v) == target and not isinstance(v, str)), False
    if not isinstance(item, Mapping) or len(item) != 1:
        raise InvalidFilterPolicy("Match value must be String, number, true, false, or null")
    ((op, operand),) = item.items()
    if op == "prefix":
        text = _string_operand(op, operand)
        return (lambda v: isinstance(v, str) and v.startswith(text)), False
    if op == "suffix":
        text = _string_operand(op, operand)
        return (lambda v: isinstance(v, str) and v.endswith(text)), False
    if op == "equals-ignore-case":
        text = _string_operand(op, operand).lower()
        return (lambda v: isinstance(v, str) and v.lower() == text), False
    if op == "anything-but":
        return _anything_but(operand), False
    if op == "numeric":
        return _numeric(operand), False
    if op == "exists":
        if not isinstance(operand, bool):
            raise InvalidFilterPolicy("exists match pattern must be either true or false.")
        if operand:
            return (lambda v: v is not _MISSING), False
        return (lambda v: False), True
    raise InvalidFilterPolicy(f"Unrecognized match type {op}")


@frozen
class _Leaf:
    matchers: tuple[Matcher, ...]
    matches_missing: bool

    def test(self, value: Any) -> bool:
        if value is _MISSING:
            return self.matches_missing
        values = value if isinstance(value, list) else [value]
        return any(m(v) for v in values for m in self.matchers)


@frozen
class _Node:
    """All keys must match (AND); each key's conditions are alternatives (OR)."""

    keys: tuple[tuple[str, _Leaf | _Node], ...]
    alternatives: tuple[_Node, ...] = ()

    def test(self, data: Any) -> bool:
        if not isinstance(data, Mapping):
            return False
        for key, rule in self.keys:
            value = data.get(key, _MISSING)
            if isinstance(rule, _Node):
                if value is _MISSING:
                    return False
                items = value if isinstance(value, list) else [value]
                if not any(rule.test(item) for item in items):
                    return False
            elif not rule.test(value):
                return False
        return not self.alternatives or any(alt.test(data) for alt in self.alternatives)


def _compile(data: Any, nested_ok: bool) -> _Node:
    if not isinstance(data, Mapping) or not data:
        raise InvalidFilterPolicy("Filter policy must be a non-empty JSON object")
    keys: list[tuple[str, _Leaf | _Node]] = []
    alternatives: tuple[_Node, ...] = ()
    for key, value in data.items():
        if key == "$or":
            if not isinstance(value, list) or len(value) < 2:
                raise InvalidFilterPolicy("Or condition must have at least 2 options")
            alternatives = tuple(_compile(option, nested_ok) for option in value)
        elif isinstance(value, Mapping):
            if not nested_ok:
                raise InvalidFilterPolicy(
                    f"Filter policy scope MessageAttributes does not support nested filter policy"
                    f" ({key})"
                )
            keys.append((key, _compile(value, nested_ok)))
        elif isinstance(value, list) and value:
            compiled = [_condition(item) for item in value]
            keys.append(
                (key, _Leaf(tuple(m for m, _ in compiled), any(miss for _, miss in compiled)))
            )
        else:
            raise InvalidFilterPolicy(f"Match value for {key} must be a non-empty array")
    return _Node(tuple(keys), alternatives)


@frozen
class FilterPolicy:
    """A compiled filter policy.

    Attributes:
        text: the JSON text it came from (what GetSubscriptionAttributes returns).
        scope: ``MessageAttributes`` (the default) or ``MessageBody``.
    """

    text: str
    scope: str
    _root: _Node

    @classmethod
    def parse(cls, text: str, scope: str = "MessageAttributes") -> FilterPolicy:
        """Compile a policy's JSON text for `scope`.

        Raises:
            InvalidFilterPolicy: not JSON, or not a filter policy.
        """
        try:
            data = jsondoc.loads(text)
        except ValueError:
            raise InvalidFilterPolicy("failed to parse JSON.") from None
        return cls(text, scope, _compile(data, nested_ok=scope == "MessageBody"))

    def matches(self, data: Mapping[str, Any]) -> bool:
        """True when `data` (attribute name → value, or the parsed body) passes the policy."""
        return self._root.test(data)

    def explain(self, data: Mapping[str, Any]) -> PolicyExplanation:
        """Whether `data` passes, else the first key that fails (dotted path) and why."""
        if self._root.test(data):
            return PolicyExplanation(True)
        found = _why(self._root, jsondoc.loads(self.text), data, "")
        key, values, expected, reason = found or ("", (), (), "no key decided")
        return PolicyExplanation(False, key, values, expected, reason)


@frozen
class PolicyExplanation:
    """Whether a message passes a filter policy, and the first key that fails.

    Attributes:
        matched: the policy matches (exactly `FilterPolicy.matches`).
        key: the failing key's dotted path ("" when matched).
        values: the message's values there.
        expected: the key's conditions, as written in the policy.
        reason: why, in words.
    """

    matched: bool
    key: str = ""
    values: tuple[Any, ...] = ()
    expected: tuple[Any, ...] = ()
    reason: str = "matched"

    def __str__(self) -> str:
        return "matched" if self.matched else f"no match: {self.key}: {self.reason}"

    def _repr_html_(self) -> str:
        import html

        return "<pre>" + html.escape(str(self)) + "</pre>"


_Why = tuple[str, tuple[Any, ...], tuple[Any, ...], str]


def _why(node: _Node, spec: Any, data: Any, path: str) -> _Why | None:
    """The first failing key under `node` (its policy JSON `spec`) for `data`, or None."""
    if not isinstance(data, Mapping):
        return (path or "(message)", (data,), (), "not a JSON object")
    for key, rule in node.keys:
        where = f"{path}.{key}" if path else key
        value = data.get(key, _MISSING)
        wanted = spec[key]
        if isinstance(rule, _Node):
            if value is _MISSING:
                return (where, (), (), "the key is absent; the policy looks inside it")
            items = value if isinstance(value, list) else [value]
            if not any(rule.test(item) for item in items):
                return _why(rule, wanted, items[0], where) if items else (
                    where, (), (), "an empty array matches nothing"
                )
        elif not rule.test(value):
            return (where, *_leaf_reason(wanted, value))
    options = spec.get("$or", []) if isinstance(spec, Mapping) else []
    if node.alternatives and not any(alt.test(data) for alt in node.alternatives):
        reasons = [_why(alt, option, data, path) for alt, option in zip(
            node.alternatives, options, strict=True
        )]
        first = next((r for r in reasons if r is not None), None)
        if first is not None:
            return (first[0], first[1], first[2], f"no $or option matches (first: {first[3]})")
    return None


def _leaf_reason(wanted: list[Any], value: Any) -> tuple[tuple[Any, ...], tuple[Any, ...], str]:
    shown = json.dumps(wanted)
    if value is _MISSING:
        return (), tuple(wanted), f"the key is absent; the policy wants {shown}"
    values = tuple(value) if isinstance(value, list) else (value,)
    if {"exists": False} in wanted:
        return values, tuple(wanted), "the key is present, and exists false wants it absent"
    listed = ", ".join(json.dumps(v, default=str) for v in values)
    return values, tuple(wanted), f"{listed} matches none of {shown}"
