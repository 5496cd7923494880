"""Wildcards of IAM policies (``*`` any run, ``?`` one character), matched in linear time.

A pure module. `Glob.compile` turns a pattern into an immutable matcher once;
`wildcard_match` is the one-shot form. The matching is `awsmon.wildcard.Wildcard`'s
(the one glob matcher of awsmon: ``str.find`` over the pieces between ``*``,
a bit-parallel automaton when ``?`` occurs, O(len(value)) for patterns under
~60 characters, O(len(value) x len(pattern)) at worst); IAM's patterns have
no escapes, are case-sensitive except where the caller says (action names),
and `Glob` keeps fast paths for the exact, ``prefix*`` and ``*`` patterns
policies use most.
"""

from __future__ import annotations

from functools import lru_cache

from attrs import field, frozen

from awsmon.wildcard import Wildcard

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
    matcher: Wildcard | None = field(default=None, eq=False, repr=False)

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
        matcher = Wildcard.parse(text, question=True) if kind == _GENERAL else None
        return cls(
            pattern=pattern, pieces=pieces, ignore_case=ignore_case, kind=kind, matcher=matcher
        )

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
        assert self.matcher is not None
        return self.matcher.matches(value)


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
