"""Linear-time ``*`` wildcard matching, shared by the services' pattern languages.

A wildcard pattern is literal text where each ``*`` stands for any run of
characters, the empty run included (Logs' space-delimited ``[w=*a*b]``,
EventBridge's ``{"wildcard": "*a*b"}``). Turning it into a backtracking
regex (``.*a.*b``) makes ``*a*a*a*a*b`` against a long run of ``a`` take
hours; here the pattern is split at its stars into literal segments, the
first must begin the text, the last must end it, and each middle segment is
found by ``str.find`` at the leftmost place after the previous one. Taking
the leftmost occurrence never loses a match (a later one leaves less room
for what follows), so the scan moves forward only: linear in the text.

Main names: `Wildcard`.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["Wildcard"]


class Wildcard:
    """A compiled wildcard pattern; `matches` tests a whole text.

    Attributes:
        segments: the literal text between the stars (one segment: no star).
    """

    __slots__ = ("_head", "_middle", "_minimum", "_tail", "segments")

    def __init__(self, segments: Sequence[str]) -> None:
        """Build from the literal segments between the stars (at least one, maybe empty)."""
        if not segments:
            raise ValueError("a wildcard has at least one segment")
        self.segments = tuple(segments)
        self._head = self.segments[0]
        self._tail = self.segments[-1] if len(self.segments) > 1 else ""
        self._middle = tuple(s for s in self.segments[1:-1] if s)
        self._minimum = sum(len(s) for s in self.segments)

    @classmethod
    def parse(cls, pattern: str) -> Wildcard:
        """The wildcard where every ``*`` of `pattern` is a wildcard (no escapes)."""
        return cls(pattern.split("*"))

    def __repr__(self) -> str:
        return f"Wildcard({'*'.join(self.segments)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Wildcard) and other.segments == self.segments

    def __hash__(self) -> int:
        return hash(self.segments)

    def matches(self, text: str) -> bool:
        """True when the whole of `text` matches the pattern."""
        if len(self.segments) == 1:
            return text == self._head
        if len(text) < self._minimum:
            return False
        if not text.startswith(self._head) or not text.endswith(self._tail):
            return False
        position = len(self._head)
        limit = len(text) - len(self._tail)
        for segment in self._middle:
            found = text.find(segment, position, limit)
            if found < 0:
                return False
            position = found + len(segment)
        return True
