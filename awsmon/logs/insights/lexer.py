"""The tokens of a Logs Insights query, read on demand.

`Lexer.token_at(offset)` reads the token starting at or after `offset`; the
parser reads one token ahead. A ``/`` is division where an operand has just
ended and the start of a regex literal where an operand is expected: the
parser decides and calls `Lexer.regex_at` to read it again as a regex.

Tokens: names (``status``, ``@timestamp``, dotted paths ``a.b.0.c`` and
backquoted names ```foo-bar```), numbers, durations (``5m``, ``1h``), quoted
strings (single or double quotes, backslash escapes the quote and itself),
regex literals (``/.../`` with ``\\/`` for a slash) and operators. ``#``
starts a comment that runs to the end of the line.
"""

from __future__ import annotations

import enum

from attrs import frozen

from awsmon.logs.insights.errors import MalformedQueryException, syntax_error

__all__ = ["DURATION_UNITS", "Kind", "Lexer", "Token"]


class Kind(enum.Enum):
    """What a token is."""

    NAME = "name"
    NUMBER = "number"
    DURATION = "duration"
    STRING = "string"
    REGEX = "regex"
    OP = "op"
    EOF = "end of query"


@frozen
class Token:
    """One token: its kind, its text as written, its value, and its offsets [start, end)."""

    kind: Kind
    text: str
    value: object
    start: int
    end: int


_SECOND = 1000
#: Duration units in milliseconds; months, quarters and years are calendar units (negative marks).
DURATION_UNITS: dict[str, int] = {
    **dict.fromkeys(("ms", "msec", "msecs", "millisecond", "milliseconds"), 1),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), _SECOND),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60 * _SECOND),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600 * _SECOND),
    **dict.fromkeys(("d", "day", "days"), 86_400 * _SECOND),
    **dict.fromkeys(("w", "week", "weeks"), 7 * 86_400 * _SECOND),
    **dict.fromkeys(("mo", "mon", "mons", "month", "months"), -1),
    **dict.fromkeys(("q", "qtr", "qtrs", "quarter", "quarters"), -3),
    **dict.fromkeys(("y", "yr", "yrs", "year", "years"), -12),
}

_OPERATORS = ("=~", "!=", "<=", ">=", "|", ",", "(", ")", "[", "]", "=", "<", ">", "+", "-",
              "*", "/", "%", "^", "!", ".")  # fmt: skip
_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_@$")
_NAME_PART = _NAME_START | frozenset("0123456789")
_DIGITS = frozenset("0123456789")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


class Lexer:
    """Reads the tokens of one query string."""

    def __init__(self, text: str) -> None:
        self.text = text

    def error(self, start: int, end: int | None, what: str) -> MalformedQueryException:
        """A compile error about the text at [start, end]."""
        return syntax_error(self.text, start, end, what)

    def unexpected(self, token: Token) -> MalformedQueryException:
        """AWS's error for a token that cannot stand where it is."""
        shown = "end of query" if token.kind is Kind.EOF else token.text
        return self.error(token.start, max(token.end - 1, token.start),
                          f"unexpected symbol found {shown}")

    def _skip(self, offset: int) -> int:
        text = self.text
        size = len(text)
        while offset < size:
            char = text[offset]
            if char == "#":
                newline = text.find("\n", offset)
                offset = size if newline < 0 else newline + 1
            elif char.isspace():
                offset += 1
            else:
                break
        return offset

    def token_at(self, offset: int) -> Token:
        """The token that starts at `offset` (after spaces and comments)."""
        text = self.text
        start = self._skip(offset)
        if start >= len(text):
            return Token(Kind.EOF, "", None, start, start)
        char = text[start]
        if char in _NAME_START:
            return self._name(start)
        if char in _DIGITS or (char == "." and text[start + 1 : start + 2] in _DIGITS):
            return self._number(start)
        if char in "'\"":
            return self._string(start)
        if char == "`":
            close = text.find("`", start + 1)
            if close < 0:
                raise self.error(start, len(text) - 1, "unterminated quoted name")
            return Token(Kind.NAME, text[start : close + 1], text[start + 1 : close], start,
                         close + 1)
        for operator in _OPERATORS:
            if text.startswith(operator, start):
                return Token(Kind.OP, operator, operator, start, start + len(operator))
        raise self.error(start, start, f"unexpected symbol found {char}")

    def _name(self, start: int) -> Token:
        text = self.text
        size = len(text)
        end = start + 1
        while end < size:
            char = text[end]
            if char in _NAME_PART or (
                char == "." and end + 1 < size and text[end + 1] in _NAME_PART
            ):
                end += 1
            else:
                break
        word = text[start:end]
        return Token(Kind.NAME, word, word, start, end)

    def _number(self, start: int) -> Token:
        text = self.text
        size = len(text)
        end = start
        while end < size and text[end] in _DIGITS:
            end += 1
        is_float = False
        if end < size and text[end] == "." and text[end + 1 : end + 2] in _DIGITS:
            is_float = True
            end += 1
            while end < size and text[end] in _DIGITS:
                end += 1
        if end < size and text[end] in "eE":
            mark = end + 1
            if mark < size and text[mark] in "+-":
                mark += 1
            if mark < size and text[mark] in _DIGITS:
                is_float = True
                end = mark
                while end < size and text[end] in _DIGITS:
                    end += 1
        digits = text[start:end]
        try:
            number: float = float(digits) if is_float else int(digits)
        except ValueError:  # more digits than Python converts
            raise self.error(start, end - 1, f"number too large {digits[:20]}...") from None
        if end < size and text[end] in _LETTERS:
            unit_end = end
            while unit_end < size and text[unit_end] in _LETTERS:
                unit_end += 1
            unit = text[end:unit_end]
            scale = DURATION_UNITS.get(unit.lower()) if not is_float else None
            if scale is None:
                raise self.error(start, unit_end - 1,
                                 f"unexpected symbol found {text[start:unit_end]}")
            return Token(Kind.DURATION, text[start:unit_end], (int(number), scale), start,
                         unit_end)
        return Token(Kind.NUMBER, digits, number, start, end)

    def _string(self, start: int) -> Token:
        text = self.text
        quote = text[start]
        pieces: list[str] = []
        index = start + 1
        size = len(text)
        while index < size:
            char = text[index]
            if char == "\\" and index + 1 < size and text[index + 1] in (quote, "\\"):
                pieces.append(text[index + 1])
                index += 2
            elif char == quote:
                return Token(Kind.STRING, text[start : index + 1], "".join(pieces), start,
                             index + 1)
            else:
                pieces.append(char)
                index += 1
        raise self.error(start, size - 1, "unterminated string")

    def regex_at(self, start: int) -> Token:
        """The regex literal ``/.../`` whose opening slash is at `start`."""
        text = self.text
        index = start + 1
        size = len(text)
        while index < size:
            char = text[index]
            if char == "\\" and index + 1 < size:
                index += 2
            elif char == "/":
                body = text[start + 1 : index]
                return Token(Kind.REGEX, text[start : index + 1], body, start, index + 1)
            else:
                index += 1
        raise self.error(start, size - 1, "unterminated regular expression")
