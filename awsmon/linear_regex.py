"""User regular expressions, run without catastrophic backtracking: RE2 if installed, else `re`.

The user regexes of Logs Insights (``/.../``, which AWS runs on Hyperscan) and
of the CloudWatch agent's configuration (``multi_line_start_pattern``,
``filters``: the agent is Go, so RE2 syntax) are compiled here, once, into a
`UserRegex`. Neither Hyperscan nor RE2 (nor Go's regexp) ever backtracks, and
both refuse back-references and look-around, so the same refusals apply on
every path, with the same words, whichever engine runs the regex:

- ``back-references are not supported`` (``\\1``, ``\\k<name>``, ``(?P=name)``);
- ``look-around assertions are not supported`` (``(?=``, ``(?!``, ``(?<=``, ``(?<!``);
- ``atomic groups are not supported`` (``(?>``), ``conditionals are not supported``
  (``(?(``) and ``possessive quantifiers are not supported`` (``a*+``).

Which engine runs an accepted regex, measured (benchmarks/adversarial.py):

- a plain literal: ``str.find``;
- a regex with no unbounded quantifier (``*``, ``+``, ``{n,}``): Python's `re`,
  which then costs O(n·m) at worst for a text of n characters and a regex
  matching at most m, and is 3-50 times faster than RE2's Python binding on
  log-line-sized texts (the binding's per-call cost dominates there);
- any other regex: RE2 (the optional extra ``awsmon[re2]``, package
  ``google-re2``), linear in the text whatever the regex: ``.*a.*b`` over
  100,000 characters takes 0.4 ms where `re` takes 25 s over 3,000.

Without RE2, or for a regex RE2's syntax refuses but Python's accepts, `re`
runs it after a shape check that refuses what makes a backtracking engine
exponential: an unbounded quantifier (or a bounded repeat over 10) on a group
that holds a quantifier other than ``?`` or an alternation (``(a+)+``,
``(a|aa)*``, ``(\\w+\\s?)*``), refused as ``nested quantifier + may backtrack
catastrophically`` (with RE2 installed such a regex runs, as on AWS). What
remains is polynomial at worst (``.*a.*b`` is quadratic on a line without
``b``), bounded by the 1 MB event size.

Hyperscan's ``(?<name>...)`` becomes Python's ``(?P<name>...)`` (RE2 reads
both); ``(?i)`` and the other inline flags carry over.

Main names: `compile_regex` (a `UserRegex`, or `RegexError`), `check_regex`
(the shape check alone: the Python pattern or a reason), `literal_of`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

try:  # the optional extra awsmon[re2]
    import re2 as _re2
except ImportError:  # pragma: no cover - depends on the environment
    _re2 = None

__all__ = ["RE2", "RegexError", "UserRegex", "check_regex", "compile_regex", "literal_of"]

#: The RE2 module when ``google-re2`` is installed, else None (tests set it to None
#: to run the fallback).
RE2: Any = _re2

_MAX_BOUNDED_REPEAT = 10
_META = frozenset(".^$*+?{}[]\\|()")
_QUANTIFIER = re.compile(r"\*|\+|\?|\{(\d*)(,?)(\d*)\}")
_BACKREFERENCES = "back-references are not supported"
_LOOKAROUND = "look-around assertions are not supported"


class RegexError(ValueError):
    """A user regex that is refused, with the reason and the offset it starts at.

    Attributes:
        reason: why (``back-references are not supported``).
        position: the offset in the regex as written, or None when not known.
    """

    def __init__(self, reason: str, position: int | None = None) -> None:
        where = "" if position is None else f" at position {position}"
        super().__init__(f"{reason}{where}")
        self.reason = reason
        self.position = position


class _Group:
    __slots__ = ("alternation", "quantified")

    def __init__(self) -> None:
        self.quantified = False
        self.alternation = False


class _Shape:
    """What the scan of a regex found: its Python form, refusals, and whether it is unbounded."""

    __slots__ = ("nested", "pattern", "refusal", "unbounded")

    def __init__(self) -> None:
        self.pattern = ""
        self.refusal: RegexError | None = None  # refused on every engine
        self.nested: RegexError | None = None  # refused where `re` runs it
        self.unbounded = False


def check_regex(body: str) -> tuple[str, None] | tuple[None, str]:
    """(python_pattern, None) for a regex `re` may run safely, else (None, reason)."""
    shape = _scan(body)
    refusal = shape.refusal or shape.nested
    if refusal is not None:
        return None, refusal.reason
    return shape.pattern, None


def _scan(body: str) -> _Shape:
    shape = _Shape()
    out: list[str] = []
    stack: list[_Group] = [_Group()]
    index = 0
    size = len(body)
    last_group: _Group | None = None  # the group that just closed, a quantifier may follow
    while index < size:
        char = body[index]
        closed, last_group = last_group, None
        if char == "\\":
            nxt = body[index + 1 : index + 2]
            if (nxt.isdecimal() and nxt != "0") or nxt == "k":
                shape.refusal = RegexError(_BACKREFERENCES, index)
                return shape
            out.append(body[index : index + 2])
            index += 2
            continue
        if char == "[":
            end = _class_end(body, index)
            if end < 0:
                shape.refusal = RegexError("unterminated character class", index)
                return shape
            out.append(body[index:end])
            index = end
            continue
        if char == "(":
            rest = body[index + 1 : index + 4]
            refused = _refused_group(rest)
            if refused is not None:
                shape.refusal = RegexError(refused, index)
                return shape
            if rest.startswith("?<"):
                out.append("(?P<")
                index += 3
            else:
                out.append("(")
                index += 1
            stack.append(_Group())
            continue
        if char == ")":
            if len(stack) == 1:
                shape.refusal = RegexError("unbalanced parenthesis", index)
                return shape
            group = stack.pop()
            if group.quantified or group.alternation:
                stack[-1].quantified = stack[-1].quantified or group.quantified
                stack[-1].alternation = stack[-1].alternation or group.alternation
            out.append(")")
            index += 1
            last_group = group
            continue
        if char == "|":
            stack[-1].alternation = True
        match = _QUANTIFIER.match(body, index) if char in "*+?{" else None
        if match is not None:
            shape.refusal = _quantifier(shape, stack[-1], closed, match, body)
            if shape.refusal is not None:
                return shape
            out.append(match.group(0))
            index = match.end()
            continue
        out.append(char)
        index += 1
    if len(stack) != 1:
        shape.refusal = RegexError("unbalanced parenthesis", size)
        return shape
    shape.pattern = "".join(out)
    try:
        re.compile(shape.pattern)
    except (re.error, OverflowError, RecursionError) as error:
        position = getattr(error, "pos", None)
        reason = getattr(error, "msg", None) or str(error)
        shape.refusal = RegexError(reason, position)
    return shape


def _quantifier(
    shape: _Shape, group: _Group, closed: _Group | None, match: re.Match[str], body: str
) -> RegexError | None:
    """Note the quantifier `match` in `shape` and `group`; a refusal, or None."""
    text, index = match.group(0), match.start()
    if body[match.end() : match.end() + 1] == "+":
        return RegexError("possessive quantifiers are not supported", index)
    unbounded, repeat = _reach(match)
    shape.unbounded = shape.unbounded or unbounded
    if (
        shape.nested is None
        and closed is not None
        and (closed.quantified or closed.alternation)
        and (unbounded or repeat > _MAX_BOUNDED_REPEAT)
    ):
        shape.nested = RegexError(f"nested quantifier {text} may backtrack catastrophically", index)
    if text != "?":
        group.quantified = True
    return None


def _refused_group(rest: str) -> str | None:
    """Why the group opening with `rest` (three characters after ``(``) is refused, or None."""
    if rest.startswith(("?=", "?!", "?<=", "?<!")):
        return _LOOKAROUND
    if rest.startswith("?P="):
        return _BACKREFERENCES
    if rest.startswith("?>"):
        return "atomic groups are not supported"
    if rest.startswith("?("):
        return "conditionals are not supported"
    return None


def _reach(match: re.Match[str]) -> tuple[bool, int]:
    """(unbounded, largest count) of a quantifier."""
    text = match.group(0)
    if text in "*+":
        return True, 0
    if text == "?":
        return False, 1
    low, comma, high = match.group(1), match.group(2), match.group(3)
    if comma and not high:
        return True, 0
    return False, int(high or low or "0")


def _class_end(body: str, start: int) -> int:
    """The index after the ``]`` closing the character class at `start`, or -1."""
    index = start + 1
    if body[index : index + 1] == "^":
        index += 1
    if body[index : index + 1] == "]":
        index += 1
    while index < len(body):
        char = body[index]
        if char == "\\":
            index += 2
            continue
        if char == "]":
            return index + 1
        index += 1
    return -1


def literal_of(pattern: str) -> str | None:
    """The text a regex matches literally (no metacharacters), or None."""
    if any(char in _META for char in pattern):
        return None
    return pattern


class UserRegex:
    """A compiled user regex: `search` finds it in a text, on the engine chosen for it.

    Attributes:
        source: the regex as written.
        pattern: its Python/RE2 form (``(?<n>`` written ``(?P<n>``).
        engine: ``"literal"`` (``str.find``), ``"re"`` or ``"re2"``.
        groupindex: the named groups, name → number.
    """

    __slots__ = ("_search", "engine", "groupindex", "pattern", "source")

    def __init__(self, source: str, pattern: str, engine: str, compiled: Any) -> None:
        self.source = source
        self.pattern = pattern
        self.engine = engine
        numbered = sorted(compiled.groupindex.items(), key=lambda item: item[1])
        self.groupindex: Mapping[str, int] = dict(numbered)  # in group order, as `re` keeps it
        self._search: Callable[[str], Any] = compiled.search

    def __repr__(self) -> str:
        return f"UserRegex({self.source!r}, engine={self.engine!r})"

    def search(self, text: str) -> Any:
        """The first match in `text` (a match object: ``group``, ``groupdict``), or None."""
        return self._search(text)


@lru_cache(maxsize=512)
def compile_regex(body: str) -> UserRegex:
    """The `UserRegex` of `body`, on the fastest engine that cannot blow up.

    >>> compile_regex("ERROR").engine, compile_regex(r"5\\d\\d").engine
    ('literal', 're')
    >>> compile_regex(r"(a)\\1")
    Traceback (most recent call last):
    awsmon.linear_regex.RegexError: back-references are not supported at position 3

    Raises:
        RegexError: a construct no linear-time engine has, a syntax error, or
            (without RE2) a nested quantifier.
    """
    shape = _scan(body)
    if shape.refusal is not None:
        raise shape.refusal
    pattern = shape.pattern
    needle = literal_of(pattern)
    if needle is not None:
        return UserRegex(body, pattern, "literal", re.compile(re.escape(needle)))
    if shape.unbounded and RE2 is not None:
        compiled = _compile_re2(pattern)
        if compiled is not None:
            return UserRegex(body, pattern, "re2", compiled)
    if shape.nested is not None:
        raise shape.nested
    return UserRegex(body, pattern, "re", re.compile(pattern))


def _compile_re2(pattern: str) -> Any:
    """RE2's compiled `pattern`, or None where RE2's syntax differs from Python's."""
    options = RE2.Options()
    options.log_errors = False
    try:
        return RE2.compile(pattern, options)
    except (RE2.error, ValueError, TypeError):
        return None
