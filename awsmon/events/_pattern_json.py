"""A streaming JSON reader with positions, for the event pattern compiler.

EventBridge validates a pattern while it streams through it with Jackson, so the
first problem met in reading order is the one reported, whether it is a JSON
syntax error or a grammar error. `JsonStream` gives the compiler the same
token-at-a-time view (``START_OBJECT``, ``FIELD_NAME``, ``VALUE_STRING``, ...)
with the character offsets of every token, and words its own syntax errors as
Jackson does. `pattern_error` builds the `InvalidEventPatternException` with
AWS's message layout for both kinds of error.

Main classes: `JsonStream`, `Token`, `TokenKind`.
"""

from __future__ import annotations

import enum
import re
from typing import Any

import attrs

from awsmon.events.errors import InvalidEventPatternException

__all__ = ["MAX_NESTING_DEPTH", "JsonStream", "Token", "TokenKind", "pattern_error"]

#: Jackson's default StreamReadConstraints nesting limit.
MAX_NESTING_DEPTH = 1000

_SOURCE_SHOWN = 500  # Jackson shows at most this many characters of the source
_VALUE_EXPECTED = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
_STRING_CHUNK = re.compile(r'[^"\\\x00-\x1f]*')
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_WORD = re.compile(r"[A-Za-z0-9_$]+")
_WHITESPACE = re.compile(r"[ \t\r\n]*")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class TokenKind(enum.Enum):
    """The kinds of token Jackson's streaming parser hands out."""

    START_OBJECT = "{"
    END_OBJECT = "}"
    START_ARRAY = "["
    END_ARRAY = "]"
    FIELD_NAME = "name"
    VALUE_STRING = "string"
    VALUE_NUMBER_INT = "int"
    VALUE_NUMBER_FLOAT = "float"
    VALUE_TRUE = "true"
    VALUE_FALSE = "false"
    VALUE_NULL = "null"
    END_OF_INPUT = "eof"


NUMBER_KINDS = frozenset({TokenKind.VALUE_NUMBER_INT, TokenKind.VALUE_NUMBER_FLOAT})


@attrs.frozen
class Token:
    """One token of the pattern text.

    Attributes:
        kind: what the token is.
        start: offset of its first character.
        end: offset just after it (for a field name: after the colon).
        text: its text as Jackson's ``getText()`` gives it (decoded for strings).
        value: the Python value (str, int, float, bool or None).
    """

    kind: TokenKind
    start: int
    end: int
    text: str
    value: Any = None


def pattern_error(source: str, reason: str, start: int, end: int) -> InvalidEventPatternException:
    """The AWS error for `reason`, located like Jackson locates it.

    Args:
        source: the whole pattern text.
        reason: AWS's reason text.
        start: 0-based offset of the offending token (kept as ``position``).
        end: offset just after what the parser had read (Jackson's location).
    """
    line = source.count("\n", 0, end) + 1
    column = end - (source.rfind("\n", 0, end) + 1) + 1
    shown = f'"{source}"'
    if len(source) > _SOURCE_SHOWN:
        shown = f'"{source[:_SOURCE_SHOWN]}"[truncated {len(source) - _SOURCE_SHOWN} chars]'
    message = (
        f"Event pattern is not valid. Reason: {reason}\n"
        f" at [Source: (String){shown}; line: {line}, column: {column}]"
    )
    return InvalidEventPatternException(
        message, value=source, reason=reason, position=start, line=line, column=column
    )


def char_desc(char: str) -> str:
    """Jackson's description of a character in an error message."""
    code = ord(char)
    if code < 32:
        return f"(CTRL-CHAR, code {code})"
    if code > 255:
        return f"'{char}' (code {code} / 0x{code:x})"
    return f"'{char}' (code {code})"


@attrs.define
class _Frame:
    is_object: bool
    state: str  # "first", "value", "after" (object also "name")


class JsonStream:
    """Reads a JSON text one token at a time, as Jackson's parser does.

    Syntax errors raise `InvalidEventPatternException` worded as Jackson words
    them. Text after the top-level value is an error too (Jackson would ignore
    it; see the Simulation notes of `awsmon.events.pattern`).
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self._pos = 0
        self._stack: list[_Frame] = []
        self._root_done = False
        self.last: Token = Token(TokenKind.END_OF_INPUT, 0, 0, "")

    def error(self, reason: str, token: Token | None = None) -> InvalidEventPatternException:
        """A grammar error reported at `token` (default: the last token read)."""
        token = token or self.last
        return pattern_error(self.source, reason, token.start, token.end)

    def next(self) -> Token:
        """Read the next token; `TokenKind.END_OF_INPUT` once the text is over."""
        token = self._read()
        self.last = token
        return token

    # -- reading -------------------------------------------------------------------

    def _syntax(self, reason: str, at: int) -> InvalidEventPatternException:
        return pattern_error(self.source, reason, at, min(at + 1, len(self.source)))

    def _unexpected(self, at: int, expecting: str) -> InvalidEventPatternException:
        return self._syntax(f"Unexpected character ({char_desc(self.source[at])}): {expecting}", at)

    def _eof(self) -> InvalidEventPatternException:
        kind = "Object" if self._stack[-1].is_object else "Array"
        at = len(self.source)
        return pattern_error(
            self.source, f"Unexpected end-of-input: expected close marker for {kind}", at, at
        )

    def _skip(self) -> int:
        match = _WHITESPACE.match(self.source, self._pos)
        assert match is not None
        self._pos = match.end()
        return self._pos

    def _read(self) -> Token:
        at = self._skip()
        src = self.source
        if not self._stack:
            if at >= len(src):
                return Token(TokenKind.END_OF_INPUT, at, at, "")
            if self._root_done:
                raise self._unexpected(at, "expected end-of-input")
            return self._value(at)
        frame = self._stack[-1]
        if at >= len(src):
            raise self._eof()
        char = src[at]
        if frame.is_object:
            if frame.state == "value":
                return self._value(at)
            if frame.state == "after":
                if char == "}":
                    return self._close(at, TokenKind.END_OBJECT)
                if char != ",":
                    raise self._unexpected(at, "was expecting comma to separate Object entries")
                self._pos = at + 1
                at = self._skip()
                if at >= len(src):
                    raise self._eof()
                return self._name(at)
            if char == "}" and frame.state == "first":
                return self._close(at, TokenKind.END_OBJECT)
            return self._name(at)
        if frame.state == "after":
            if char == "]":
                return self._close(at, TokenKind.END_ARRAY)
            if char != ",":
                raise self._unexpected(at, "was expecting comma to separate Array entries")
            self._pos = at + 1
            at = self._skip()
            if at >= len(src):
                raise self._eof()
            return self._value(at)
        if char == "]" and frame.state == "first":
            return self._close(at, TokenKind.END_ARRAY)
        return self._value(at)

    def _close(self, at: int, kind: TokenKind) -> Token:
        self._stack.pop()
        self._pos = at + 1
        if not self._stack:
            self._root_done = True
        return Token(kind, at, at + 1, kind.value)

    def _open(self, at: int, is_object: bool) -> Token:
        if len(self._stack) >= MAX_NESTING_DEPTH:
            raise self._syntax(
                f"Document nesting depth ({len(self._stack) + 1}) exceeds the maximum allowed"
                f" ({MAX_NESTING_DEPTH}, from `StreamReadConstraints.getMaxNestingDepth()`)",
                at,
            )
        self._mark_value_read()
        self._stack.append(_Frame(is_object, "first"))
        self._pos = at + 1
        kind = TokenKind.START_OBJECT if is_object else TokenKind.START_ARRAY
        return Token(kind, at, at + 1, kind.value)

    def _mark_value_read(self) -> None:
        if self._stack:
            self._stack[-1].state = "after"

    def _name(self, at: int) -> Token:
        src = self.source
        if src[at] != '"':
            raise self._unexpected(at, "was expecting double-quote to start field name")
        name, end = self._string(at)
        self._pos = end
        colon = self._skip()
        if colon >= len(src):
            raise self._eof()
        if src[colon] != ":":
            raise self._unexpected(colon, "was expecting a colon to separate field name and value")
        self._pos = colon + 1
        self._stack[-1].state = "value"
        return Token(TokenKind.FIELD_NAME, at, colon + 1, name, name)

    def _value(self, at: int) -> Token:
        src = self.source
        char = src[at]
        if char == "{":
            return self._open(at, True)
        if char == "[":
            return self._open(at, False)
        if char == '"':
            text, end = self._string(at)
            self._pos = end
            self._mark_value_read()
            return Token(TokenKind.VALUE_STRING, at, end, text, text)
        if char == "-" or char.isdecimal():
            return self._number(at)
        word = _WORD.match(src, at)
        if word is not None:
            literal = {"true": True, "false": False, "null": None}
            if word.group() not in literal:
                reason = f"Unrecognized token '{word.group()}': was expecting {_VALUE_EXPECTED}"
                raise pattern_error(src, reason, at, word.end())
            self._pos = word.end()
            self._mark_value_read()
            kind = TokenKind(word.group())
            return Token(kind, at, word.end(), word.group(), literal[word.group()])
        if char in "]}":
            raise self._unexpected(at, "expected a value")
        raise self._unexpected(at, f"expected a valid value {_VALUE_EXPECTED}")

    def _number(self, at: int) -> Token:
        src = self.source
        match = _NUMBER.match(src, at)
        if match is None:  # a minus sign not followed by a digit
            raise self._numeric_problem(
                at + 1, "expected digit (0-9) to follow minus sign, for valid numeric value"
            )
        end = match.end()
        if end < len(src):
            follow = src[end]
            if follow.isdecimal() and match.group().lstrip("-") == "0":
                raise pattern_error(
                    src, "Invalid numeric value: Leading zeroes not allowed", at, end + 1
                )
            if follow == "." and match.group(1) is None and match.group(2) is None:
                raise self._numeric_problem(end + 1, "Decimal point not followed by a digit")
            if follow in "eE" and match.group(2) is None:
                raise self._numeric_problem(end + 1, "Exponent indicator not followed by a digit")
        text = match.group()
        self._pos = end
        self._mark_value_read()
        if match.group(1) is None and match.group(2) is None:
            return Token(TokenKind.VALUE_NUMBER_INT, at, end, text, int(text))
        return Token(TokenKind.VALUE_NUMBER_FLOAT, at, end, text, float(text))

    def _numeric_problem(self, at: int, what: str) -> InvalidEventPatternException:
        src = self.source
        if at >= len(src):
            return pattern_error(src, f"Unexpected end-of-input in numeric value: {what}", at, at)
        reason = f"Unexpected character ({char_desc(src[at])}) in numeric value: {what}"
        return self._syntax(reason, at)

    def _string(self, at: int) -> tuple[str, int]:
        """Decode the string literal opening at `at`; return it and the offset after it."""
        src = self.source
        parts: list[str] = []
        pos = at + 1
        while True:
            chunk = _STRING_CHUNK.match(src, pos)
            assert chunk is not None
            parts.append(chunk.group())
            pos = chunk.end()
            if pos >= len(src):
                raise pattern_error(
                    src,
                    "Unexpected end-of-input: was expecting closing quote for a string value",
                    len(src),
                    len(src),
                )
            char = src[pos]
            if char == '"':
                return _join_surrogates("".join(parts)), pos + 1
            if char != "\\":
                reason = (
                    f"Illegal unquoted character ({char_desc(char)}): has to be escaped using"
                    " backslash to be included in string value"
                )
                raise self._syntax(reason, pos)
            if pos + 1 >= len(src):
                raise pattern_error(
                    src, "Unexpected end-of-input in character escape sequence", pos, len(src)
                )
            escape = src[pos + 1]
            if escape in _ESCAPES:
                parts.append(_ESCAPES[escape])
                pos += 2
                continue
            if escape != "u":
                raise self._syntax(f"Unrecognized character escape {char_desc(escape)}", pos + 1)
            digits = src[pos + 2 : pos + 6]
            for offset, digit in enumerate(digits):
                if digit not in "0123456789abcdefABCDEF":
                    reason = (
                        f"Unexpected character ({char_desc(digit)}): expected a hex-digit for"
                        " character escape sequence"
                    )
                    raise self._syntax(reason, pos + 2 + offset)
            if len(digits) < 4:
                raise pattern_error(
                    src, "Unexpected end-of-input in character escape sequence", pos, len(src)
                )
            parts.append(chr(int(digits, 16)))
            pos += 6


def _join_surrogates(text: str) -> str:
    """Combine escaped UTF-16 surrogate pairs into the characters they stand for."""
    if not any("\ud800" <= char <= "\udfff" for char in text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
