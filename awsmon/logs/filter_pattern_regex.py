"""Regular expressions in filter patterns: ``%...%``, AWS's restricted dialect.

A regex is written between percent signs, either as the whole filter pattern
(``%AUTHORIZED%``) or as the value of a JSON or space-delimited condition
(``{ $.eventType = %Trail% }``, ``[ip=%127\\.0\\.0\\.[1-9]%, ...]``). AWS
accepts only a subset of regex syntax (FilterAndPatternSyntax.html,
"Supported regular expressions"):

- ASCII letters and digits, and the symbols ``: _ # = @ / ; , -``;
- the operators ``^ $ ? [ ] { } | \\ * + .``;
- the escapes ``\\d \\D \\s \\S \\w \\W`` and ``\\xhh`` (two hex digits), and a
  backslash before any operator or symbol above to take it literally;
- ``(`` and ``)`` are not supported (no groups), nor are multi-byte characters
  or any other symbol (``%something!%`` is rejected).

A regex matches when it is found anywhere in the text (an unanchored search;
``^`` and ``$`` anchor to the start and end of the whole text). ``\\w`` is
``[a-zA-Z_0-9]`` and ``.`` matches any character, as AWS documents.

Python's `re` only checks the syntax (and locates errors); matching runs on
`awsmon.logs.filter_pattern_automaton`, linear in the text whatever the regex
(``%a*a*a*a*b%`` against 10,000 ``a`` takes a millisecond, not hours).

Simulation notes: a space is accepted inside a regex because AWS's own example
``%^starting|^initializing|^shutting down%`` uses one; spaces inside a
``{m, n}`` quantifier are ignored; an empty regex ``%%`` is rejected. Whether
AWS anchors or searches is UNCONFIRMED; awsmon searches, as the reference
recommends.

Main names: `parse_regex`, `MAX_REGEX_PER_PATTERN`.
"""

from __future__ import annotations

import re
import string
import warnings

from awsmon.logs.filter_pattern_automaton import (
    Automaton,
    FixedLengthRegex,
    UnsupportedRegex,
    compile_automaton,
)
from awsmon.logs.filter_pattern_scan import Scanner, invalid_pattern

__all__ = ["MAX_REGEX_PER_PATTERN", "RegexCounter", "parse_regex"]

#: AWS quota: at most two regexes in one JSON or space-delimited filter pattern.
MAX_REGEX_PER_PATTERN = 2

_ALNUM = frozenset(string.ascii_letters + string.digits)
_SYMBOLS = frozenset(":_#=@/;,-")
_OPERATORS = frozenset("^$?[]{}|\\*+.")
_ALLOWED = _ALNUM | _SYMBOLS | _OPERATORS | {" "}
_CLASS_ESCAPES = frozenset("dDsSwW")
_HEX = frozenset(string.hexdigits)
_QUANTIFIER_RE = re.compile(r"\{ *([0-9]*) *(?:(,) *([0-9]*) *)?\}")


class RegexCounter:
    """Counts the regexes of one JSON or space-delimited pattern against AWS's quota."""

    def __init__(self) -> None:
        self.count = 0

    def parse(self, scanner: Scanner) -> Automaton | FixedLengthRegex:
        """`parse_regex`, failing once the pattern has more than two regexes."""
        self.count += 1
        if self.count > MAX_REGEX_PER_PATTERN:
            raise scanner.error(
                f"at most {MAX_REGEX_PER_PATTERN} regexes in a JSON or space-delimited "
                "filter pattern",
                scanner.pos,
            )
        return parse_regex(scanner)


def parse_regex(scanner: Scanner) -> Automaton | FixedLengthRegex:
    """Read a ``%...%`` regex at the scanner's position and compile it.

    Args:
        scanner: positioned on the opening ``%``; left after the closing one.

    Returns:
        The compiled regex; its ``search(text)`` is True when it occurs in the text.

    Raises:
        InvalidParameterException: the regex is unclosed, empty, uses a
            character or construct AWS does not support, or does not compile.
    """
    opening = scanner.pos
    scanner.expect("%")
    start = scanner.pos
    closing = scanner.text.find("%", start, scanner.end)
    if closing < 0:
        raise invalid_pattern(
            scanner.text, opening, "expected a closing '%' for the regex opened here"
        )
    if closing == start:
        raise invalid_pattern(scanner.text, start, "expected a regular expression, found '%'")
    body = scanner.text[start:closing]
    translated, origins = _translate(scanner.text, start, body)
    scanner.pos = closing + 1
    try:
        with warnings.catch_warnings():
            # Python warns about constructs such as "[[" that it may read
            # differently one day; the translation already escapes them.
            warnings.simplefilter("ignore")
            re.compile(translated, re.ASCII | re.DOTALL)
    except re.error as exc:
        offset = start + origins[min(exc.pos or 0, len(origins) - 1)]
        raise invalid_pattern(
            scanner.text, offset, f"expected a valid regular expression ({exc.msg})"
        ) from None
    try:
        return compile_automaton(translated)
    except UnsupportedRegex as exc:
        offset = start + origins[min(exc.index, len(origins) - 1)]
        raise invalid_pattern(scanner.text, offset, f"expected {exc}") from None


def _translate(pattern: str, start: int, body: str) -> tuple[str, list[int]]:
    """Check `body` against AWS's regex subset and rewrite it as a Python regex.

    The rewriting keeps the meaning AWS documents: ``$`` outside a character
    class anchors at the very end (Python's ``$`` also matches before a final
    newline, so it becomes ``\\Z``), a ``[`` inside a class is literal, and
    spaces inside ``{m, n}`` are dropped.

    Returns:
        The Python regex, and for each of its characters the offset in `body`
        it came from (to point errors from `re.compile` at the right place).
    """
    out: list[str] = []
    origins: list[int] = []
    class_start = -1  # offset of the '[' opening the current class, -1 outside
    index = 0
    while index < len(body):
        char = body[index]
        position = start + index
        if char in "()":
            raise invalid_pattern(
                pattern,
                position,
                "expected a supported regex character; '(' and ')' (groups) are not supported",
            )
        if ord(char) > 127:
            raise invalid_pattern(
                pattern,
                position,
                "expected an ASCII character; multi-byte characters are not supported in a regex",
            )
        if char not in _ALLOWED:
            raise invalid_pattern(
                pattern, position, f"expected a supported regex character, found {char!r}"
            )
        consumed = 1
        if char == "\\":
            piece = _escape(pattern, start, body, index)
            consumed = len(piece)
        elif class_start >= 0:
            first = index == class_start + 1 or (
                index == class_start + 2 and body[class_start + 1] == "^"
            )
            if char == "]" and not first:
                class_start = -1
            piece = "\\[" if char == "[" else char
        elif char == "[":
            class_start = index
            piece = char
        elif char == "$":
            piece = r"\Z"
        elif char == "{":
            match = _QUANTIFIER_RE.match(body, index)
            if match is None or not (match.group(1) or match.group(3)):
                raise invalid_pattern(
                    pattern, position, "expected a quantifier such as {3}, {3,} or {3,5}"
                )
            piece = "{" + match.group(1) + (match.group(2) or "") + (match.group(3) or "") + "}"
            consumed = match.end() - index
        elif char == "}":
            piece = "\\}"
        else:
            piece = char
        out.append(piece)
        origins.extend([index] * len(piece))
        index += consumed
    if class_start >= 0:
        raise invalid_pattern(pattern, start + len(body), "expected ']' to close the class")
    return "".join(out), origins


def _escape(pattern: str, start: int, body: str, index: int) -> str:
    """The escape sequence starting at `index` (a backslash), validated."""
    position = start + index
    if index + 1 >= len(body):
        raise invalid_pattern(pattern, position, "expected a character after '\\'")
    char = body[index + 1]
    if char in _CLASS_ESCAPES or char in _OPERATORS or char in _SYMBOLS:
        return "\\" + char
    if char == "x":
        digits = body[index + 2 : index + 4]
        if len(digits) == 2 and all(d in _HEX for d in digits):
            return "\\x" + digits
        raise invalid_pattern(pattern, position, "expected two hex digits after '\\x'")
    raise invalid_pattern(
        pattern,
        position,
        f"expected a supported escape (\\d \\D \\s \\S \\w \\W \\xhh or an escaped "
        f"operator), found '\\{char}'",
    )
