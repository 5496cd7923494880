"""Value matchers of the EventBridge event pattern language.

Each matcher is an immutable attrs object that tests one leaf value of an event
(a string, number, boolean or null) and renders itself back to pattern JSON:

- `ExactMatch`: ``"s"``, ``3``, ``true``, ``false``, ``null``;
- `Prefix`, `Suffix` (optionally case-insensitive), `EqualsIgnoreCase`;
- `Wildcard`: ``*`` runs with ``\\*`` and ``\\\\`` escapes;
- `NumericRange`: ``{"numeric": [...]}`` (``=`` is a closed one-point range);
- `Cidr`: IPv4 and IPv6 blocks;
- `Exists`: ``{"exists": true}`` (``false`` is a property of the field, not a value test);
- `AnythingBut` (string or number list) and `AnythingButPattern` (prefix, suffix,
  equals-ignore-case, wildcard).

Also here: `parse_wildcard` and `wildcard_complexity` (the syntax and the
"rule is too complex" measure of aws/event-ruler), `parse_cidr` and
`ip_address_value`, `typed_key` and `fold` (shared with the rule index).

Simulation notes:
    Case-insensitive comparisons lower-case both sides with `str.lower`; the
    reference implementation folds per character, which differs only for a few
    characters whose case mapping changes their length (such as ``ß``).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, TypeAlias

import attrs

from awsmon.wildcard import Wildcard as GlobWildcard

__all__ = [
    "STAR",
    "AnythingBut",
    "AnythingButPattern",
    "Cidr",
    "EqualsIgnoreCase",
    "ExactMatch",
    "Exists",
    "NumericRange",
    "Prefix",
    "Suffix",
    "ValueMatcher",
    "Wildcard",
    "fold",
    "ip_address_value",
    "is_number",
    "parse_cidr",
    "parse_wildcard",
    "typed_key",
    "wildcard_complexity",
]

Scalar: TypeAlias = str | int | float | bool | None

#: Marker for ``*`` in a parsed wildcard (literal bytes are 0..255).
STAR = -1
_OTHER_BYTE = -2  # stands for every byte that no pattern names

_IPV4_SHAPE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_IPV6_SHAPE = re.compile(r"[0-9a-fA-F:]*:[0-9a-fA-F:]*")
_JAVA_INT = re.compile(r"[+-]?[0-9]+")


def fold(text: str) -> str:
    """The case-folded form used by every case-insensitive comparison.

    The rule index (`awsmon.events._ruler_index`) inlines it as ``str.lower``
    on its hot path: change both together.
    """
    return text.lower()


def is_number(value: object) -> bool:
    """True for JSON numbers (Python int or float, but not bool)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def typed_key(value: object) -> tuple[str, Any] | None:
    """A hashable key under which equal JSON scalars (and only those) collide.

    Numbers compare by value (``3 == 3.0``), never with strings or booleans
    (``"3" != 3``, ``true != 1``). Returns None for arrays and objects.
    """
    if isinstance(value, str):
        return ("s", value)
    if isinstance(value, bool):
        return ("b", value)
    if value is None:
        return ("z", None)
    if isinstance(value, int | float):
        return ("n", value)
    return None


class ValueMatcher:
    """Base of the value matchers: `matches` one leaf value, `to_json` renders it."""

    #: The operator's name, used by the rule index to pick a strategy.
    kind: ClassVar[str] = ""

    def matches(self, value: Any) -> bool:
        """True when the leaf `value` satisfies this matcher."""
        raise NotImplementedError

    def to_json(self) -> Any:
        """The matcher as it appears in a pattern's match list."""
        raise NotImplementedError


@attrs.frozen
class ExactMatch(ValueMatcher):
    """A literal: string, number (by value), boolean or null."""

    kind: ClassVar[str] = "exact"
    value: Scalar
    key: tuple[str, Any] | None = attrs.field(init=False, repr=False, eq=False)

    @key.default
    def _key(self) -> tuple[str, Any] | None:
        return typed_key(self.value)

    def matches(self, value: Any) -> bool:
        """True when `value` is the same JSON scalar (numbers by value)."""
        return typed_key(value) == self.key

    def to_json(self) -> Any:
        """The literal itself."""
        return self.value


@attrs.frozen
class _Affix(ValueMatcher):
    """What `Prefix` and `Suffix` share: a text, compared folded when `ignore_case`."""

    text: str
    ignore_case: bool = False
    key: str = attrs.field(init=False, repr=False)

    @key.default
    def _key(self) -> str:
        return fold(self.text) if self.ignore_case else self.text

    def _compared(self, value: Any) -> str | None:
        """`value` as the comparison sees it (folded when ignoring case); None if no string."""
        if not isinstance(value, str):
            return None
        return fold(value) if self.ignore_case else value

    def to_json(self) -> Any:
        """The operator object."""
        inner: Any = {"equals-ignore-case": self.text} if self.ignore_case else self.text
        return {self.kind: inner}


@attrs.frozen
class Prefix(_Affix):
    """``{"prefix": s}`` or ``{"prefix": {"equals-ignore-case": s}}``."""

    kind: ClassVar[str] = "prefix"

    def matches(self, value: Any) -> bool:
        """True for strings that start with the prefix."""
        compared = self._compared(value)
        return compared is not None and compared.startswith(self.key)


@attrs.frozen
class Suffix(_Affix):
    """``{"suffix": s}`` or ``{"suffix": {"equals-ignore-case": s}}``."""

    kind: ClassVar[str] = "suffix"

    def matches(self, value: Any) -> bool:
        """True for strings that end with the suffix."""
        compared = self._compared(value)
        return compared is not None and compared.endswith(self.key)


@attrs.frozen
class EqualsIgnoreCase(ValueMatcher):
    """``{"equals-ignore-case": s}``."""

    kind: ClassVar[str] = "equals-ignore-case"
    text: str
    key: str = attrs.field(init=False, repr=False)

    @key.default
    def _key(self) -> str:
        return fold(self.text)

    def matches(self, value: Any) -> bool:
        """True for strings equal to the text, ignoring case."""
        return isinstance(value, str) and fold(value) == self.key

    def to_json(self) -> Any:
        """The operator object."""
        return {"equals-ignore-case": self.text}


def parse_wildcard(text: str) -> list[int]:
    """Parse a wildcard value into UTF-8 bytes and `STAR` markers.

    The value is read as aws/event-ruler reads it: wrapped in double quotes, byte
    by byte, so positions in the messages are byte offsets in ``"text"``.

    Raises:
        ValueError: ``Consecutive wildcard characters at pos N`` or ``Invalid
            escape character at pos N``, AWS's reasons.
    """
    raw = ('"' + text + '"').encode("utf-8", "surrogatepass")
    tokens: list[int] = []
    index = 0
    while index < len(raw):
        byte = raw[index]
        if byte == 0x2A:  # '*'
            if index + 1 < len(raw) and raw[index + 1] == 0x2A:
                raise ValueError(f"Consecutive wildcard characters at pos {index}")
            tokens.append(STAR)
        elif byte == 0x5C:  # '\\'
            if index + 1 < len(raw) and raw[index + 1] in (0x2A, 0x5C):
                tokens.append(raw[index + 1])
                index += 1
            else:
                raise ValueError(f"Invalid escape character at pos {index}")
        else:
            tokens.append(byte)
        index += 1
    return tokens


def _wildcard_segments(tokens: Sequence[int]) -> GlobWildcard:
    """The linear-time matcher of parsed wildcard tokens (quotes included)."""
    segments: list[str] = []
    literal = bytearray()
    for token in tokens[1:-1]:  # drop the wrapping quotes
        if token == STAR:
            segments.append(literal.decode("utf-8", "surrogatepass"))
            literal.clear()
        else:
            literal.append(token)
    segments.append(literal.decode("utf-8", "surrogatepass"))
    return GlobWildcard(segments)


def wildcard_complexity(patterns: Sequence[Sequence[int]], cap: int) -> int:
    """The largest number of wildcard-pattern positions one input can keep alive.

    This is aws/event-ruler's MachineComplexityEvaluator measure for the
    wildcard patterns of one field: run the patterns' NFA over every input
    (subset construction) and count the live positions, stopping early once
    the count passes `cap`.

    Args:
        patterns: parsed wildcards (`parse_wildcard`), quotes included.
        cap: stop and return as soon as the measure exceeds this.
    """
    alphabet = {t for pattern in patterns for t in pattern if t != STAR} | {_OTHER_BYTE}

    def closure(states: set[tuple[int, int]]) -> frozenset[tuple[int, int]]:
        todo = list(states)
        while todo:
            which, pos = todo.pop()
            tokens = patterns[which]
            if pos < len(tokens) and tokens[pos] == STAR and (which, pos + 1) not in states:
                states.add((which, pos + 1))
                todo.append((which, pos + 1))
        return frozenset(states)

    start = closure({(which, 0) for which in range(len(patterns))})
    seen = {start}
    todo = [start]
    best = 0
    while todo and len(seen) < 20_000:
        current = todo.pop()
        for byte in alphabet:
            following: set[tuple[int, int]] = set()
            for which, pos in current:
                tokens = patterns[which]
                if pos < len(tokens):
                    if tokens[pos] == STAR:
                        following.add((which, pos))
                    elif tokens[pos] == byte:
                        following.add((which, pos + 1))
            if not following:
                continue
            state = closure(following)
            best = max(best, len(state))
            if best > cap:
                return best
            if state not in seen:
                seen.add(state)
                todo.append(state)
    return best


@attrs.frozen
class Wildcard(ValueMatcher):
    """``{"wildcard": w}``: ``*`` matches any run of characters, even an empty one."""

    kind: ClassVar[str] = "wildcard"
    text: str
    glob: GlobWildcard = attrs.field(eq=False, repr=False)

    @classmethod
    def parse(cls, text: str) -> Wildcard:
        """Compile `text`; raises ValueError with AWS's reason for a bad escape or ``**``."""
        return cls(text, _wildcard_segments(parse_wildcard(text)))

    def matches(self, value: Any) -> bool:
        """True for strings the wildcard matches in full (linear time: `awsmon.wildcard`)."""
        return isinstance(value, str) and self.glob.matches(value)

    def to_json(self) -> Any:
        """The operator object."""
        return {"wildcard": self.text}


@attrs.frozen
class NumericRange(ValueMatcher):
    """``{"numeric": [...]}``; a bound of None is unbounded on that side.

    Attributes:
        operands: the JSON list as written, kept for rendering.
    """

    kind: ClassVar[str] = "numeric"
    low: int | float | None
    low_open: bool
    high: int | float | None
    high_open: bool
    operands: tuple[Any, ...]

    def matches(self, value: Any) -> bool:
        """True for JSON numbers inside the range (strings such as "300" never match)."""
        if not is_number(value):
            return False
        # Written as "inside" tests so that NaN, which compares false, is never inside.
        low, high = self.low, self.high
        if low is not None and not (value > low if self.low_open else value >= low):
            return False
        return high is None or bool(value < high if self.high_open else value <= high)

    def to_json(self) -> Any:
        """The operator object."""
        return {"numeric": list(self.operands)}


def _ip_bytes(text: str) -> tuple[int, int] | None:
    """(address length in bytes, integer value) of an IP literal, as Java reads it."""
    if _IPV4_SHAPE.fullmatch(text):
        octets = [int(part) for part in text.split(".")]
        if any(octet > 255 for octet in octets):
            raise ValueError(f"Invalid IP address: {text}")
        value = 0
        for octet in octets:
            value = value << 8 | octet
        return 4, value
    if _IPV6_SHAPE.fullmatch(text):
        try:
            address = ipaddress.IPv6Address(text)
        except ValueError:
            raise ValueError(f"Invalid IP address: {text}") from None
        if address.ipv4_mapped is not None:  # Java hands these back as IPv4 addresses
            return 4, int(address.ipv4_mapped)
        return 16, int(address)
    return None


def ip_address_value(text: str) -> tuple[int, int] | None:
    """(address length in bytes, integer value) of an event value, or None if not an IP."""
    try:
        return _ip_bytes(text)
    except ValueError:
        return None


def parse_cidr(text: str) -> tuple[int, int, int]:
    """Parse ``address/mask`` into (address length in bytes, low, high).

    As in aws/event-ruler (whose CIDR clears the host bits of the lower
    bound since it took its LEADING_MIN_BITS table), the block is the whole
    network: ``220.160.154.255/24`` runs from 220.160.154.0 to 220.160.154.255.

    Raises:
        ValueError: with AWS's reason (``Malformed CIDR, one '/' required``, ...).
    """
    parts = text.split("/")
    while parts and parts[-1] == "":  # Java's String.split drops trailing empties
        parts.pop()
    if len(parts) != 2:
        raise ValueError("Malformed CIDR, one '/' required")
    if not _JAVA_INT.fullmatch(parts[1]) or not -(2**31) <= int(parts[1]) < 2**31:
        raise ValueError("Malformed CIDR, mask bits must be an integer")
    mask = int(parts[1])
    if mask < 0:
        raise ValueError("Malformed CIDR, mask bits must not be negative")
    address = _ip_bytes(parts[0])
    if address is None:
        raise ValueError(f"Nonstandard IP address: {parts[0]}")
    length, low = address
    if length == 4 and mask > 31:
        raise ValueError("IPv4 mask bits must be < 32")
    if length == 16 and mask > 127:
        raise ValueError("IPv6 mask bits must be < 128")
    host_bits = length * 8 - mask
    hosts = (1 << host_bits) - 1
    return length, low & ~hosts, low | hosts


@attrs.frozen
class Cidr(ValueMatcher):
    """``{"cidr": "a/m"}``: strings holding an IP address inside the block."""

    kind: ClassVar[str] = "cidr"
    text: str
    length: int
    low: int
    high: int

    @classmethod
    def parse(cls, text: str) -> Cidr:
        """Compile `text`; raises ValueError with AWS's reason when malformed."""
        return cls(text, *parse_cidr(text))

    def matches(self, value: Any) -> bool:
        """True for strings that are IP literals of the same family inside the block."""
        if not isinstance(value, str):
            return False
        address = ip_address_value(value)
        return (
            address is not None
            and address[0] == self.length
            and self.low <= address[1] <= self.high
        )

    def to_json(self) -> Any:
        """The operator object."""
        return {"cidr": self.text}


@attrs.frozen
class Exists(ValueMatcher):
    """``{"exists": true}``: any leaf value at all, null included."""

    kind: ClassVar[str] = "exists"

    def matches(self, value: Any) -> bool:
        """Always true: a leaf is there."""
        return True

    def to_json(self) -> Any:
        """The operator object."""
        return {"exists": True}


@attrs.frozen
class AnythingBut(ValueMatcher):
    """``{"anything-but": v}`` or a list of strings, or of numbers.

    A value of another type than the excluded ones (null, a boolean, a string
    against numbers) is not excluded, so it matches.
    """

    kind: ClassVar[str] = "anything-but"
    values: tuple[str | int | float, ...]
    excluded: frozenset[tuple[str, Any] | None] = attrs.field(init=False, repr=False, eq=False)

    @excluded.default
    def _excluded(self) -> frozenset[tuple[str, Any] | None]:
        return frozenset(typed_key(value) for value in self.values)

    def matches(self, value: Any) -> bool:
        """True unless `value` is one of the excluded strings or numbers."""
        return typed_key(value) not in self.excluded

    def to_json(self) -> Any:
        """The operator object (a single value stays single)."""
        inner: Any = self.values[0] if len(self.values) == 1 else list(self.values)
        return {"anything-but": inner}


@attrs.frozen
class AnythingButPattern(ValueMatcher):
    """``{"anything-but": {"prefix"|"suffix"|"equals-ignore-case"|"wildcard": s or [s...]}}``.

    Matches every value that is not a string, and strings that none of the
    inner patterns match.
    """

    kind: ClassVar[str] = "anything-but-pattern"
    operator: str
    texts: tuple[str, ...]
    inner: tuple[ValueMatcher, ...] = attrs.field(init=False, repr=False, eq=False)

    @inner.default
    def _inner(self) -> tuple[ValueMatcher, ...]:
        builders: dict[str, Callable[[str], ValueMatcher]] = {
            "prefix": Prefix,
            "suffix": Suffix,
            "equals-ignore-case": EqualsIgnoreCase,
            "wildcard": Wildcard.parse,
        }
        build = builders[self.operator]
        return tuple(build(text) for text in self.texts)

    def matches(self, value: Any) -> bool:
        """True unless `value` is a string that an inner pattern matches."""
        if not isinstance(value, str):
            return True
        return not any(matcher.matches(value) for matcher in self.inner)

    def to_json(self) -> Any:
        """The operator object (a single value stays single)."""
        texts: Any = self.texts[0] if len(self.texts) == 1 else list(self.texts)
        return {"anything-but": {self.operator: texts}}
