"""The Condition element of IAM policies: every operator family, compiled once.

A pure module. `Condition.compile(operator, key, values)` checks one
``{"Operator": {"key": values}}`` entry and returns an immutable condition
whose `holds` answers it against a request context (key names lowered,
each key to a tuple of values). AWS's documented rules:

- values listed for one key are ORed (NORed for the negated operators:
  ``StringNotEquals``, ``StringNotLike``, ``NumericNotEquals``, ``DateNotEquals``,
  ``ArnNotEquals``, ``ArnNotLike``, ``NotIpAddress``);
- a key missing from the request fails the condition, except that a negated
  operator then holds, ``...IfExists`` holds, and ``Null`` tests presence;
- ``ForAnyValue:`` holds when some request value matches (false on an empty
  or missing key); ``ForAllValues:`` when every request value matches (true
  on an empty or missing key);
- ``ArnEquals``/``ArnLike`` compare the six colon-separated parts one by one,
  each part a wildcard pattern; ``Date*`` take ISO 8601 or epoch seconds;
  ``IpAddress`` takes CIDR blocks (IPv4 and IPv6); ``Bool`` compares ``true``/``false``.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import operator as op
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from attrs import field, frozen

from awsmon.policy.wildcard import Glob

__all__ = ["OPERATORS", "Condition", "ConditionError"]


class ConditionError(ValueError):
    """An unknown operator or a value the operator cannot read (the policy is malformed)."""


_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": op.eq,
    "NotEquals": op.ne,
    "LessThan": op.lt,
    "LessThanEquals": op.le,
    "GreaterThan": op.gt,
    "GreaterThanEquals": op.ge,
}

_STRING = (
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
)
_ARN = ("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike")

OPERATORS = frozenset(
    {
        *_STRING,
        *_ARN,
        *(f"Numeric{name}" for name in _ORDER),
        *(f"Date{name}" for name in _ORDER),
        "Bool",
        "BinaryEquals",
        "IpAddress",
        "NotIpAddress",
        "Null",
    }
)
"""The base operators (each also takes ``IfExists`` and the set prefixes, except ``Null``)."""

_NEGATED = frozenset(
    {
        "StringNotEquals",
        "StringNotEqualsIgnoreCase",
        "StringNotLike",
        "NumericNotEquals",
        "DateNotEquals",
        "ArnNotEquals",
        "ArnNotLike",
        "NotIpAddress",
    }
)


def _date(text: str) -> float:
    """Epoch seconds of an ISO 8601 instant or of epoch seconds as text."""
    try:
        return float(text)
    except ValueError:
        pass
    stamp = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.timestamp()


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(text, strict=False)


def _arn_parts(text: str) -> tuple[str, ...] | None:
    parts = text.split(":", 5)
    return tuple(parts) if len(parts) == 6 else None


@frozen
class _ArnPattern:
    parts: tuple[Glob, ...]

    def matches(self, value: str) -> bool:
        parts = _arn_parts(value)
        if parts is None:
            return False
        return all(g.matches(p) for g, p in zip(self.parts, parts, strict=True))


def _compile_values(base: str, values: tuple[str, ...]) -> tuple[Any, ...]:
    """The policy's values in the form `base` compares (raises ValueError on unreadable ones)."""
    if base in ("StringLike", "StringNotLike"):
        return tuple(Glob.compile(v) for v in values)
    if base in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
        return tuple(v.lower() for v in values)
    if base in _ARN:
        found: list[Any] = []
        for value in values:
            parts = _arn_parts(value)
            if parts is None or ("*" not in value and "?" not in value):
                # not six parts ("*"), or no wildcard: one pattern over the whole text
                found.append(Glob.compile(value))
            else:
                found.append(_ArnPattern(tuple(Glob.compile(p) for p in parts)))
        return tuple(found)
    if base.startswith("Numeric"):
        return tuple(float(v) for v in values)
    if base.startswith("Date"):
        return tuple(_date(v) for v in values)
    if base in ("IpAddress", "NotIpAddress"):
        return tuple(_network(v) for v in values)
    if base == "BinaryEquals":
        return tuple(base64.b64decode(v, validate=True) for v in values)
    if base in ("Bool", "Null"):
        return tuple(v.lower() for v in values)
    return values


def _guarded(test: Callable[[str], bool]) -> Callable[[str], bool]:
    """`test`, answering False for a request value the operator cannot read."""

    def guarded(actual: str) -> bool:
        try:
            return test(actual)
        except (ValueError, binascii.Error):
            return False

    return guarded


def _matcher(base: str, compiled: tuple[Any, ...]) -> Callable[[str], bool]:
    """Whether one request value matches any of the policy's values (positively)."""
    if base in ("StringEquals", "StringNotEquals"):
        exact = frozenset(compiled)
        return exact.__contains__
    if base in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "Bool"):
        folded = frozenset(compiled)
        return lambda actual: actual.lower() in folded
    if base in ("StringLike", "StringNotLike") or base in _ARN:
        if len(compiled) == 1:
            return compiled[0].matches  # type: ignore[no-any-return]
        return lambda actual: any(pattern.matches(actual) for pattern in compiled)
    if base.startswith(("Numeric", "Date")):
        read = float if base.startswith("Numeric") else _date
        compare = _ORDER[base[7:] if base.startswith("Numeric") else base[4:]]
        if compare is op.ne:
            compare = op.eq  # NotEquals: the negation is applied by the caller
        return _guarded(lambda actual: any(compare(read(actual), value) for value in compiled))
    if base in ("IpAddress", "NotIpAddress"):
        return _guarded(
            lambda actual: any(ipaddress.ip_address(actual) in network for network in compiled)
        )
    return _guarded(lambda actual: base64.b64decode(actual) in compiled)  # BinaryEquals


@frozen
class Condition:
    """One compiled condition: an operator, a context key and the policy's values.

    Attributes:
        operator: the operator as written (``ForAnyValue:StringLikeIfExists``).
        key: the context key as written (matched case-insensitively).
        values: the policy's values as text.
        base: the operator without prefix or ``IfExists`` (``StringLike``).
        qualifier: ``ForAnyValue``, ``ForAllValues`` or None.
        if_exists: whether the operator ends in ``IfExists``.
        compiled: the values in the form the operator compares.
    """

    operator: str
    key: str
    values: tuple[str, ...]
    base: str
    qualifier: str | None
    if_exists: bool
    compiled: tuple[Any, ...]
    test: Callable[[str], bool] = field(eq=False, repr=False)
    lookup: str = field(eq=False, repr=False, default="")

    @classmethod
    def compile(cls, operator: str, key: str, values: tuple[str, ...]) -> Condition:
        """Check and compile one condition.

        Raises:
            ConditionError: an unknown operator, or a value it cannot read
                (``NumericLessThan`` of ``"ten"``, a bad CIDR block ...).
        """
        qualifier, _, base = operator.rpartition(":")
        if qualifier not in ("", "ForAnyValue", "ForAllValues"):
            raise ConditionError(f"Invalid Condition type : {operator}")
        if_exists = base.endswith("IfExists") and base != "IfExists"
        if if_exists:
            base = base[: -len("IfExists")]
        if base not in OPERATORS or (base == "Null" and (if_exists or qualifier)):
            raise ConditionError(f"Invalid Condition type : {operator}")
        try:
            compiled = _compile_values(base, values)
        except (ValueError, binascii.Error):
            raise ConditionError(
                f"Invalid value for {operator} condition key {key}: {list(values)!r}"
            ) from None
        test = _matcher(base, compiled) if base != "Null" else bool
        return cls(
            operator, key, values, base, qualifier or None, if_exists, compiled, test, key.lower()
        )

    def holds(self, context: Mapping[str, tuple[str, ...]]) -> bool:
        """Whether the condition holds for `context` (lowered keys to their values)."""
        actual = context.get(self.lookup)
        base = self.base
        if base == "Null":
            return (not actual) == (str(self.compiled[0]) == "true")
        negated = base in _NEGATED
        if not actual:
            if self.qualifier == "ForAllValues":
                return True
            if self.qualifier == "ForAnyValue":
                return False
            return self.if_exists or negated
        test = self.test
        if self.qualifier == "ForAllValues":
            return all(test(value) is not negated for value in actual)
        if self.qualifier == "ForAnyValue":
            return any(test(value) is not negated for value in actual)
        if len(actual) == 1:
            return test(actual[0]) is not negated
        return any(test(value) for value in actual) is not negated
