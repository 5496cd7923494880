"""The character scanner and error helper shared by the filter-pattern parsers.

A filter pattern is parsed by hand-written recursive-descent parsers (terms,
JSON, space-delimited, regex), all walking the same `Scanner`. Every syntax
error comes out of `Scanner.error`, so each one reads the same way::

    Invalid filter pattern at position 14: expected ')', found '}'

with the 0-based character offset into the whole pattern, what the parser
expected there and what it found. The error is the service's
`InvalidParameterException` with ``param="filterPattern"`` and the pattern as
``value``.

Main names: `Scanner`, `invalid_pattern`, `NUMBER_RE`, `parse_number`,
`WORD_CHARS`.
"""

from __future__ import annotations

import re
import string

from awsmon.logs.errors import InvalidParameterException

__all__ = [
    "NUMBER_RE",
    "WORD_CHARS",
    "Scanner",
    "invalid_pattern",
    "parse_number",
]

#: Characters of an unquoted word or field name: ASCII letters, digits and ``_``.
WORD_CHARS = frozenset(string.ascii_letters + string.digits + "_")

#: A number as AWS documents it: optional sign, digits, optional decimals and
#: an optional exponent (``400``, ``-5``, ``+1000``, ``55.5``, ``1e-3``, ``10e3``).
NUMBER_RE = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")

_INTEGER_RE = re.compile(r"[+-]?[0-9]+")


def parse_number(text: str) -> int | float | None:
    """The number `text` spells in AWS's number syntax, or None if it is not one.

    Integers stay `int` so that comparisons with large JSON integers are exact
    (Python compares `int` with `float` exactly too).
    """
    if NUMBER_RE.fullmatch(text) is None:
        return None
    if _INTEGER_RE.fullmatch(text) is not None:
        try:
            return int(text)
        except ValueError:  # more digits than Python converts exactly
            return float(text)
    return float(text)


def invalid_pattern(pattern: str, position: int, detail: str) -> InvalidParameterException:
    """The error AWS answers a malformed filter pattern with, pointing at `position`."""
    return InvalidParameterException(
        f"Invalid filter pattern at position {position}: {detail}",
        param="filterPattern",
        value=pattern,
    )


class Scanner:
    """A cursor over the pattern text, with the small helpers the parsers share.

    The scanner is mutable parsing state; it never leaks into the compiled
    pattern.

    Attributes:
        text: the whole filter pattern (positions are offsets into it).
        pos: the offset of the next unread character.
        end: the offset where this scanner stops (defaults to the text's length).
    """

    def __init__(self, text: str, pos: int = 0, end: int | None = None) -> None:
        self.text = text
        self.pos = pos
        self.end = len(text) if end is None else end

    def at_end(self) -> bool:
        """True when every character up to `end` has been read."""
        return self.pos >= self.end

    def peek(self, offset: int = 0) -> str:
        """The character `offset` places ahead, or ``""`` past the end."""
        index = self.pos + offset
        return self.text[index] if index < self.end else ""

    def startswith(self, literal: str) -> bool:
        """True when the unread text starts with `literal`."""
        return self.text.startswith(literal, self.pos, self.end)

    def advance(self, count: int = 1) -> str:
        """Consume `count` characters and return them."""
        taken = self.text[self.pos : self.pos + count]
        self.pos += count
        return taken

    def skip_spaces(self) -> None:
        """Skip blanks (spaces, tabs, newlines) between tokens."""
        while self.pos < self.end and self.text[self.pos].isspace():
            self.pos += 1

    def accept(self, literal: str) -> bool:
        """Consume `literal` if the unread text starts with it."""
        if self.startswith(literal):
            self.pos += len(literal)
            return True
        return False

    def expect(self, literal: str) -> None:
        """Consume `literal`, or fail saying it was expected here."""
        if not self.accept(literal):
            raise self.error(f"'{literal}'")

    def read_while(self, chars: frozenset[str]) -> str:
        """Consume and return the longest run of characters from `chars`."""
        start = self.pos
        while self.pos < self.end and self.text[self.pos] in chars:
            self.pos += 1
        return self.text[start : self.pos]

    def read_quoted(self) -> str:
        """Consume a double-quoted string starting here and return its content.

        A backslash escapes the next character (``\\"`` is a quote inside the
        string, ``\\\\`` a backslash).
        """
        start = self.pos
        self.expect('"')
        parts: list[str] = []
        while True:
            if self.at_end():
                raise invalid_pattern(
                    self.text, start, "expected a closing '\"' for the string opened here"
                )
            char = self.advance()
            if char == '"':
                return "".join(parts)
            if char == "\\" and not self.at_end():
                char = self.advance()
            parts.append(char)

    def found(self) -> str:
        """How the next character reads in an error message."""
        char = self.peek()
        return "end of pattern" if not char else repr(char)

    def error(self, expected: str, position: int | None = None) -> InvalidParameterException:
        """An error saying what was `expected` at `position` (default: here)."""
        where = self.pos if position is None else position
        if position is None:
            detail = f"expected {expected}, found {self.found()}"
        else:
            detail = f"expected {expected}"
        return invalid_pattern(self.text, where, detail)
