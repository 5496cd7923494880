"""User regexes of Logs Insights (``/.../``), checked before Python's `re` may run them.

AWS runs these on Hyperscan, which never backtracks. awsmon runs them on
Python's backtracking `re` only after `check_regex` has refused the shapes
that make a backtracking engine take exponential time:

- an unbounded quantifier (``*``, ``+``, ``{n,}``) on a group that itself
  holds a quantifier other than ``?`` or an alternation (``(a+)+``,
  ``(a|aa)*``, ``(\\w+\\s?)*``);
- a bounded repeat of more than 10 over such a group (``(a+){50}``);
- back-references and look-around (Hyperscan refuses them too).

What remains runs in polynomial time at worst (``.*a.*b`` is quadratic on a
line without ``b``), bounded by the 1 MB event size; a regex that is a plain
literal is searched with ``str.find``. Hyperscan's ``(?<name>...)`` becomes
Python's ``(?P<name>...)``; ``(?i)`` and the other inline flags carry over.

Main function: `check_regex` (returns the Python pattern or a reason).
"""

from __future__ import annotations

import re

__all__ = ["check_regex", "literal_of"]

_MAX_BOUNDED_REPEAT = 10
_META = frozenset(".^$*+?{}[]\\|()")
_QUANTIFIER = re.compile(r"\*|\+|\?|\{(\d*)(,?)(\d*)\}")


class _Group:
    __slots__ = ("alternation", "quantified")

    def __init__(self) -> None:
        self.quantified = False
        self.alternation = False


def check_regex(body: str) -> tuple[str, None] | tuple[None, str]:
    """(python_pattern, None) for a safe regex, else (None, reason)."""
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
            if (nxt.isdigit() and nxt != "0") or nxt == "k":
                return None, "back-references are not supported"
            out.append(body[index : index + 2])
            index += 2
            continue
        if char == "[":
            end = _class_end(body, index)
            if end < 0:
                return None, "unterminated character class"
            out.append(body[index:end])
            index = end
            continue
        if char == "(":
            rest = body[index + 1 : index + 4]
            if rest.startswith(("?=", "?!", "?<=", "?<!")):
                return None, "look-around assertions are not supported"
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
                return None, "unbalanced parenthesis"
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
            text = match.group(0)
            unbounded, repeat = _reach(match)
            if closed is not None and (closed.quantified or closed.alternation) and (
                unbounded or repeat > _MAX_BOUNDED_REPEAT
            ):
                return None, f"nested quantifier {text} may backtrack catastrophically"
            if text != "?":
                stack[-1].quantified = True
            out.append(text)
            index = match.end()
            continue
        out.append(char)
        index += 1
    if len(stack) != 1:
        return None, "unbalanced parenthesis"
    pattern = "".join(out)
    try:
        re.compile(pattern)
    except (re.error, OverflowError, RecursionError) as error:
        return None, str(error)
    return pattern, None


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
