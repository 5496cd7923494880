"""Wildcards of IAM policies (``*`` any run, ``?`` one character), matched in linear time.

A pure module. `Glob.compile` turns a pattern into an immutable matcher once;
`wildcard_match` is the one-shot form. Matching never backtracks: the pieces
between ``*`` must appear in order, the first at the start and the last at
the end, and taking each middle piece at its leftmost place is always right,
so a match costs O(len(value) x len(pattern)) at worst and O(len(value)) for
the patterns policies use (no ``?``).
"""

from __future__ import annotations

from functools import lru_cache

from attrs import frozen

__all__ = ["Glob", "wildcard_match"]


_EXACT, _PREFIX, _ANY, _GENERAL = 0, 1, 2, 3


@frozen
class Glob:
    """A compiled wildcard pattern.

    Attributes:
        pattern: the pattern as written.
        pieces: the texts between the ``*`` (one piece: no ``*``).
        ignore_case: whether letters match whatever their case.
        kind: the fast path: exact text, ``prefix*``, ``*`` alone, or the general scan.
    """

    pattern: str
    pieces: tuple[str, ...]
    ignore_case: bool
    kind: int = _GENERAL

    @classmethod
    def compile(cls, pattern: str, *, ignore_case: bool = False) -> Glob:
        """The matcher of `pattern` (lowered when `ignore_case`)."""
        text = pattern.lower() if ignore_case else pattern
        pieces = tuple(text.split("*"))
        kind = _GENERAL
        if "?" not in text:
            if len(pieces) == 1:
                kind = _EXACT
            elif text == "*":
                kind = _ANY
            elif len(pieces) == 2 and not pieces[1]:
                kind = _PREFIX
        return cls(pattern=pattern, pieces=pieces, ignore_case=ignore_case, kind=kind)

    def matches(self, value: str) -> bool:
        """True when `value` matches the whole pattern.

        >>> Glob.compile("sqs:*", ignore_case=True).matches("SQS:SendMessage")
        True
        >>> Glob.compile("arn:aws:s3:::b/logs/?").matches("arn:aws:s3:::b/logs/ab")
        False
        """
        kind = self.kind
        if kind == _ANY:
            return True
        if self.ignore_case:
            value = value.lower()
        pieces = self.pieces
        if kind == _EXACT:
            return value == pieces[0]
        if kind == _PREFIX:
            return value.startswith(pieces[0])
        if len(pieces) == 1:
            only = pieces[0]
            return len(value) == len(only) and _fits(only, value, 0)
        first, last = pieces[0], pieces[-1]
        end = len(value) - len(last)
        if len(first) > end or not _fits(first, value, 0) or not _fits(last, value, end):
            return False
        position = len(first)
        for piece in pieces[1:-1]:
            found = _find(piece, value, position, end)
            if found < 0:
                return False
            position = found + len(piece)
        return True


@lru_cache(maxsize=4096)
def _compiled(pattern: str, ignore_case: bool) -> Glob:
    return Glob.compile(pattern, ignore_case=ignore_case)


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """True when `value` matches `pattern`, where ``*`` is any run and ``?`` one character.

    >>> wildcard_match("sqs:*", "SQS:SendMessage", ignore_case=True)
    True
    >>> wildcard_match("*a*a*a*a*a*a*b", "a" * 10_000)
    False
    """
    return _compiled(pattern, ignore_case).matches(value)


def _fits(piece: str, value: str, at: int) -> bool:
    """Whether `piece` (``?`` any one character) matches `value` at `at`."""
    if "?" not in piece:
        return value.startswith(piece, at)
    if at < 0 or at + len(piece) > len(value):
        return False
    return all(char == "?" or char == value[at + i] for i, char in enumerate(piece))


def _find(piece: str, value: str, start: int, end: int) -> int:
    """The leftmost place in ``value[start:end]`` where `piece` fits, or -1."""
    if "?" not in piece:
        return value.find(piece, start, end)
    for at in range(start, end - len(piece) + 1):
        if _fits(piece, value, at):
            return at
    return -1
