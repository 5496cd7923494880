"""Fast field access and prefilters for space-delimited filter patterns.

`awsmon.logs.filter_pattern_delimited` defines how a message splits into
fields (`split_fields`: a double-quoted string, a bracketed string, or a run
of non-spaces; runs of spaces separate). Splitting every field of every
message is what made space-delimited matching slow, so a compiled pattern
uses two cheaper steps that give the same answers:

- `Needles`: texts of which a matching message must contain at least one
  (or start with one). A field whose condition is ``= 5*`` has a value that
  starts with ``5``, and a field's value starts either at the start of the
  message or right after a space, a ``"``, a ``[`` or a ``]``, so the message
  contains ``" 5"``, ``'"5'``, ``"[5"`` or ``"]5"``, or starts with ``5``.
  A message with none of them cannot match; the check is a few ``in`` tests,
  or, in the event store, ``str.find`` over a whole block of messages.
- `field_reader`: one regex that reads only the first N fields of a message
  (N = the fields the pattern needs), capturing only those with conditions.
  The regex is made of atomic groups and possessive quantifiers only, so it
  never backtracks: matching is linear in the message whatever the pattern
  (its shape depends only on the number of fields; user text enters it only
  as escaped literal prefixes, below).
- a *gate*: the field reader with the fields' ``= prefix*`` conditions written
  into it (`prefix_token`), so that when those are a pattern's only
  conditions, one regex match decides a message at C speed, with no field
  extracted and no Python test called.

Main names: `Needles`, `field_reader`, `field_value`, `FIELD_SEPARATORS`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from attrs import frozen

__all__ = [
    "FIELD_SEPARATORS",
    "MAX_READER_FIELDS",
    "Needles",
    "field_reader",
    "field_value",
    "gate_prefix",
    "prefix_token",
]

#: The characters that can come right before the first character of a field's value.
FIELD_SEPARATORS = (" ", '"', "[", "]")

#: Above this many fields a reader regex is not worth building.
MAX_READER_FIELDS = 100

# One field, atomic: a quoted string, a bracketed string, or a run of non-spaces
# (the alternatives and their order are those of `split_fields`).
_TOKEN = r'(?>"[^"]*+"|\[[^\]]*+\]|[^ ]++)'
# What a prefix written into a token must not hold (see `gate_prefix`).
_GATE_UNSAFE = frozenset('"[] ')


@frozen
class Needles:
    """Texts of which every matching message contains one, or starts with one.

    Attributes:
        anywhere: substrings; a message containing one of them may match.
        at_start: prefixes; a message starting with one of them may match.
        core: a text every needle contains (or ""), checked first: one scan
            rejects most messages when it is longer than a character.
    """

    anywhere: tuple[str, ...]
    at_start: tuple[str, ...] = ()
    core: str = ""

    @classmethod
    def field_prefix(cls, prefix: str) -> Needles:
        """The needles of a field whose value starts with `prefix` (non-empty)."""
        core = prefix if len(prefix) > 1 else ""
        return cls(tuple(sep + prefix for sep in FIELD_SEPARATORS), (prefix,), core)

    @property
    def weight(self) -> int:
        """How selective the needles are: the length of the shortest (longer is rarer)."""
        return min(len(text) for text in (*self.anywhere, *self.at_start))

    def admits(self, message: str) -> bool:
        """False when `message` contains none of the needles (so it cannot match)."""
        if self.core and self.core not in message:
            return False  # one scan for the text every needle contains
        for text in self.anywhere:
            if text in message:
                return True
        return bool(self.at_start) and message.startswith(self.at_start)

    @staticmethod
    def union(alternatives: Iterable[Needles | None]) -> Needles | None:
        """Needles for a disjunction: None unless every alternative has needles."""
        anywhere: list[str] = []
        at_start: list[str] = []
        for needles in alternatives:
            if needles is None:
                return None
            anywhere.extend(t for t in needles.anywhere if t not in anywhere)
            at_start.extend(t for t in needles.at_start if t not in at_start)
        return Needles(tuple(anywhere), tuple(at_start)) if anywhere or at_start else None

    @staticmethod
    def best(candidates: Iterable[Needles | None]) -> Needles | None:
        """Needles for a conjunction: the most selective of those known."""
        known = [needles for needles in candidates if needles is not None]
        return max(known, key=lambda needles: needles.weight, default=None)


def glob_needles(pattern: str) -> Needles | None:
    """The needles of a field matching the ``*`` glob `pattern`, or None if it needs none."""
    if "*" not in pattern:
        return Needles.field_prefix(pattern) if pattern else None
    head = pattern.split("*", 1)[0]
    if head:
        return Needles.field_prefix(head)
    longest = max(pattern.split("*"), key=len)
    return Needles((longest,)) if longest else None


def field_reader(
    count: int,
    captured: Iterable[int],
    *,
    whole: bool,
    prefixes: Mapping[int, str] | None = None,
) -> re.Pattern[str] | None:
    """A regex reading the first `count` fields, one group per field index in `captured`.

    Args:
        count: how many fields to read.
        captured: 0-based indexes of the fields to capture, ascending.
        whole: the message must have exactly `count` fields (use ``fullmatch``);
            otherwise use ``match``, which reads only the first `count`.
        prefixes: field index → a text that field's value must start with
            (each one accepted by `gate_prefix`), checked by the regex itself.

    Returns:
        The regex, or None when `count` is above `MAX_READER_FIELDS`. A group
        holds the field's token, delimiters included (see `field_value`).
    """
    if count > MAX_READER_FIELDS:
        return None
    wanted = set(captured)
    prefixes = prefixes or {}
    tokens = []
    for index in range(count):
        prefix = prefixes.get(index)
        token = _TOKEN if prefix is None else prefix_token(prefix)
        tokens.append(f"({token})" if index in wanted else token)
    return re.compile(" *+" + " *+".join(tokens) + (" *+" if whole else ""), re.DOTALL)


def gate_prefix(prefix: str | None) -> bool:
    """Whether a ``= prefix*`` condition can be written into a reader (`prefix_token`).

    The prefix must be non-empty and free of ``"``, ``[``, ``]`` and spaces:
    then a token whose value starts with it is told by its first characters
    alone (a quoted or bracketed value right after the opening character, a
    bare one at its start), and no other kind of token can start that way.
    """
    return bool(prefix) and not any(char in _GATE_UNSAFE for char in prefix or "")


def prefix_token(prefix: str) -> str:
    """A one-field regex like the reader's token, matching only values starting with `prefix`.

    The alternatives are the token's own, in its order, each with `prefix`
    (escaped) after its opening character: a quoted string, a bracketed
    string, a run of non-spaces. With a `gate_prefix` prefix a token matches
    exactly when the reader's token there has a `field_value` starting with
    `prefix`, and the group is atomic, so it never backtracks either.
    """
    text = re.escape(prefix)
    return f'(?>"{text}[^"]*+"|\\[{text}[^\\]]*+\\]|{text}[^ ]*+)'


def field_value(token: str) -> str:
    """A field's value from its token: without the enclosing quotes or brackets.

    A token starting with ``"`` or ``[`` is a run of non-spaces, not a quoted
    or bracketed string, only when no closing character follows anywhere in the
    message, so it cannot end with one (unless it is that lone character).
    """
    if len(token) > 1:
        first = token[0]
        if (first == '"' and token[-1] == '"') or (first == "[" and token[-1] == "]"):
            return token[1:-1]
    return token
