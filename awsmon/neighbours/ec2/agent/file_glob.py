"""The CloudWatch agent's ``file_path`` globs: a pure module.

A collect_list ``file_path`` names the files to ship with ``*`` (any run of
characters within one directory), ``?`` (one character other than ``/``) and
``**`` (any run, across directories; ``**/`` also matches no directory at all).
`glob_match` runs the pattern as a set of positions advanced one path character
at a time, so a match costs at most (path length × pattern length) steps however
many stars the pattern has: no backtracking.

>>> [glob_match("/var/log/*.log", p) for p in ("/var/log/app.log", "/var/log/a/b.log")]
[True, False]
>>> [glob_match("/var/log/**/*.log", p) for p in ("/var/log/a/b.log", "/var/log/b.log")]
[True, True]
"""

from __future__ import annotations

import enum

__all__ = ["glob_match"]


class _Kind(enum.Enum):
    LITERAL = 1
    ONE = 2  # ?: one character, not /
    RUN = 3  # *: any run without /
    ANY_RUN = 4  # **: any run
    OPTIONAL_SLASH = 5  # the / after **: present or not

    @property
    def skippable(self) -> bool:
        """Whether the token may match nothing."""
        return self in (_Kind.RUN, _Kind.ANY_RUN, _Kind.OPTIONAL_SLASH)


def _tokens(pattern: str) -> list[tuple[_Kind, str]]:
    tokens: list[tuple[_Kind, str]] = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**", index):
            tokens.append((_Kind.ANY_RUN, ""))
            index += 2
            if pattern.startswith("/", index):
                tokens.append((_Kind.OPTIONAL_SLASH, "/"))
                index += 1
            continue
        char = pattern[index]
        if char == "*":
            tokens.append((_Kind.RUN, ""))
        elif char == "?":
            tokens.append((_Kind.ONE, ""))
        else:
            tokens.append((_Kind.LITERAL, char))
        index += 1
    return tokens


def glob_match(pattern: str, path: str) -> bool:
    """True when `path` matches the agent's `file_path` glob `pattern` (see the module)."""
    if "*" not in pattern and "?" not in pattern:
        return pattern == path
    tokens = _tokens(pattern)
    states = _closure({0}, tokens)
    for char in path:
        following: set[int] = set()
        for at in states:
            if at == len(tokens):
                continue
            kind, literal = tokens[at]
            if kind is _Kind.ANY_RUN or (kind is _Kind.RUN and char != "/"):
                following.add(at)
            elif (
                (kind is _Kind.LITERAL and char == literal)
                or (kind is _Kind.ONE and char != "/")
                or (kind is _Kind.OPTIONAL_SLASH and char == "/")
            ):
                following.add(at + 1)
        if not following:
            return False
        states = _closure(following, tokens)
    return len(tokens) in states


def _closure(states: set[int], tokens: list[tuple[_Kind, str]]) -> set[int]:
    """`states` and every position reachable from them by skipping tokens that match nothing."""
    found = set(states)
    pending = list(states)
    while pending:
        at = pending.pop()
        if at < len(tokens) and tokens[at][0].skippable and at + 1 not in found:
            found.add(at + 1)
            pending.append(at + 1)
    return found
