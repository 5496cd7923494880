"""Linear-time wildcard matching (``*`` any run, optionally ``?`` one character), for every user.

The one owner of glob matching in awsmon: Logs' space-delimited ``[w=*a*b]``,
EventBridge's ``{"wildcard": "*a*b"}``, IAM policy ``Action``/``Resource``
patterns (`awsmon.policy.wildcard`), X-Ray sampling rules (case-insensitive)
and EC2's Describe* filter values (``\\`` escapes). Turning a pattern into a
backtracking regex (``.*a.*b``) makes ``*a*a*a*a*b`` against a long run of
``a`` take hours; here nothing backtracks.

One algorithm, the segment scan: the pattern is split at its stars into
segments; the first must begin the text, the last must end it, and each
middle segment is found at its leftmost place after the previous one. A
segment has a fixed length (``?`` is exactly one character), so taking the
leftmost occurrence never loses a match (a later one leaves less room for
what follows), and the scan only moves forward: the middle segments together
read each character of the text at most once.

- A segment of literal text is found by ``str.find``: O(n) for the match.
- A segment with ``?`` holes is found by a bit-parallel scan (shift-and:
  bit ``i`` of one integer means "the segment's first ``i + 1`` atoms match
  here"), which jumps with ``str.find`` to the segment's first character
  whenever no partial match is alive. Each character costs a few integer
  operations on ⌈k / w⌉ machine words for a segment of k atoms, so a match
  costs O(n · ⌈m / w⌉) for a text of n characters and a pattern of m atoms:
  O(n) for any pattern under ~60 atoms, O(n · m) at the very worst. The head
  and tail are anchored comparisons, O(m).

`Wildcard.parse` reads the pattern syntax: ``*`` always, ``?`` when
`question` is set, a backslash escaping the next character when `escapes`
is set; `ignore_case` lowers pattern and text (as the X-Ray SDKs and IAM's
action names do).

Main names: `Wildcard`.

>>> Wildcard.parse("*a*a*a*a*a*a*b").matches("a" * 10_000)
False
>>> Wildcard.parse("GE?", question=True, ignore_case=True).matches("get")
True
>>> Wildcard.parse(r"\\*amazon\\?\\\\", question=True, escapes=True).matches("*amazon?\\\\")
True
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["ANY_ONE", "ANY_RUN", "Wildcard"]

ANY_RUN = 0
"""The atom of ``*``: any run of characters, the empty run included."""
ANY_ONE = 1
"""The atom of ``?``: exactly one character."""

Atom = str | int


class Wildcard:
    """A compiled wildcard pattern; `matches` tests a whole text.

    Attributes:
        segments: the text between the stars, ``?`` standing for a one-character
            atom (one segment: no star); the atoms are exact when ``?`` is literal.
        atoms: the pattern as a tuple of literal characters, `ANY_RUN` and `ANY_ONE`.
        ignore_case: whether letters match whatever their case.
    """

    __slots__ = (
        "_head",
        "_holey",
        "_middle",
        "_middle_parts",
        "_minimum",
        "_parts",
        "_tail",
        "atoms",
        "ignore_case",
        "segments",
    )

    def __init__(self, segments: Sequence[str], *, ignore_case: bool = False) -> None:
        """Build from the literal segments between the stars (at least one, maybe empty)."""
        if not segments:
            raise ValueError("a wildcard has at least one segment")
        atoms: list[Atom] = []
        for index, segment in enumerate(segments):
            if index:
                atoms.append(ANY_RUN)
            atoms.extend(segment.lower() if ignore_case else segment)
        self._setup(tuple(atoms), ignore_case)

    @classmethod
    def parse(
        cls,
        pattern: str,
        *,
        question: bool = False,
        escapes: bool = False,
        ignore_case: bool = False,
    ) -> Wildcard:
        """The wildcard of `pattern`: ``*`` any run; ``?`` one character if `question`.

        Args:
            pattern: the pattern text.
            question: ``?`` is a one-character wildcard (else a literal ``?``).
            escapes: a backslash makes the next character literal (a trailing
                backslash is itself literal).
            ignore_case: letters match whatever their case.
        """
        if not question and not escapes:
            return cls(pattern.split("*"), ignore_case=ignore_case)
        atoms: list[Atom] = []
        index, size = 0, len(pattern)
        while index < size:
            char = pattern[index]
            if escapes and char == "\\" and index + 1 < size:
                atoms.append(pattern[index + 1])
                index += 2
                continue
            if char == "*":
                atoms.append(ANY_RUN)
            elif char == "?" and question:
                atoms.append(ANY_ONE)
            else:
                atoms.append(char)
            index += 1
        return cls.from_atoms(atoms, ignore_case=ignore_case)

    @classmethod
    def from_atoms(cls, atoms: Sequence[Atom], *, ignore_case: bool = False) -> Wildcard:
        """The wildcard of a sequence of literal characters, `ANY_RUN` and `ANY_ONE`."""
        self = cls.__new__(cls)
        lowered: list[Atom] = []
        for atom in atoms:
            if ignore_case and isinstance(atom, str):
                lowered.extend(atom.lower())  # one character may lower to two
            else:
                lowered.append(atom)
        self._setup(tuple(lowered), ignore_case)
        return self

    def _setup(self, atoms: tuple[Atom, ...], ignore_case: bool) -> None:
        collapsed: list[Atom] = []
        for atom in atoms:
            if atom == ANY_RUN and collapsed and collapsed[-1] == ANY_RUN:
                continue
            collapsed.append(atom)
        self.atoms = tuple(collapsed)
        self.ignore_case = ignore_case
        self.segments = _segments(self.atoms)
        self._head = self.segments[0]
        self._tail = self.segments[-1] if len(self.segments) > 1 else ""
        self._middle = tuple(s for s in self.segments[1:-1] if s)
        self._minimum = sum(len(s) for s in self.segments)
        self._parts = tuple(_Segment(part) for part in _split(self.atoms))
        self._middle_parts = tuple(part for part in self._parts[1:-1] if part.length)
        self._holey = ANY_ONE in self.atoms

    def __repr__(self) -> str:
        flags = ", ignore_case=True" if self.ignore_case else ""
        return f"Wildcard({'*'.join(self.segments)!r}{flags})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Wildcard)
            and other.atoms == self.atoms
            and other.ignore_case == self.ignore_case
        )

    def __hash__(self) -> int:
        return hash((self.atoms, self.ignore_case))

    @property
    def has_any_one(self) -> bool:
        """Whether the pattern holds a ``?`` atom (one character)."""
        return self._holey

    def matches(self, text: str) -> bool:
        """True when the whole of `text` matches the pattern."""
        if self.ignore_case:
            text = text.lower()
        if self._holey:
            return self._match_holey(text)
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

    def _match_holey(self, text: str) -> bool:
        """The segment scan, with ``?`` in the segments: head, tail, then leftmost middles."""
        parts = self._parts
        head = parts[0]
        if len(parts) == 1:
            return len(text) == head.length and head.fits(text, 0)
        if len(text) < self._minimum:
            return False
        tail = parts[-1]
        end = len(text) - tail.length
        if not head.fits(text, 0) or not tail.fits(text, end):
            return False
        position = head.length
        for part in self._middle_parts:
            found = part.find(text, position, end)
            if found < 0:
                return False
            position = found + part.length
        return True


class _Segment:
    """The atoms between two stars: literal runs at fixed offsets, and ``?`` holes.

    `find` is a shift-and scan (one bit per atom, so one or two machine words
    for any real pattern) that jumps with ``str.find`` to the next place the
    segment's first character occurs whenever no partial match is alive.
    """

    __slots__ = ("_accept", "_anchor", "_masks", "_one", "length", "literal", "runs")

    def __init__(self, atoms: Sequence[Atom]) -> None:
        self.length = len(atoms)
        runs: list[tuple[int, str]] = []
        self._masks: dict[str, int] = {}
        self._one = 0
        for offset, atom in enumerate(atoms):
            if atom == ANY_ONE:
                self._one |= 1 << offset
                continue
            char = str(atom)
            self._masks[char] = self._masks.get(char, 0) | 1 << offset
            if runs and runs[-1][0] + len(runs[-1][1]) == offset:
                runs[-1] = (runs[-1][0], runs[-1][1] + char)
            else:
                runs.append((offset, char))
        for char in self._masks:
            self._masks[char] |= self._one
        self.runs = tuple(runs)
        self.literal = runs[0][1] if not self._one and runs else None
        self._accept = 1 << (self.length - 1) if self.length else 0
        first = atoms[0] if atoms else ANY_ONE
        self._anchor = first if isinstance(first, str) else None

    def fits(self, text: str, at: int) -> bool:
        """Whether the segment matches `text` at `at` (the caller checked the length)."""
        return all(text.startswith(run, at + offset) for offset, run in self.runs)

    def find(self, text: str, start: int, end: int) -> int:
        """The leftmost place in ``text[start:end]`` where the segment fits, or -1."""
        if not self._one:
            return text.find(self.literal or "", start, end)
        masks, one, accept, anchor = self._masks, self._one, self._accept, self._anchor
        state = 0
        index = start
        while index < end:
            if not state and anchor is not None:
                index = text.find(anchor, index, end)
                if index < 0:
                    return -1
            state = ((state << 1) | 1) & masks.get(text[index], one)
            index += 1
            if state & accept:
                return index - self.length
        return -1


def _split(atoms: tuple[Atom, ...]) -> list[list[Atom]]:
    """The atoms between the `ANY_RUN` atoms."""
    out: list[list[Atom]] = [[]]
    for atom in atoms:
        if atom == ANY_RUN:
            out.append([])
        else:
            out[-1].append(atom)
    return out


def _segments(atoms: tuple[Atom, ...]) -> tuple[str, ...]:
    """The text between the `ANY_RUN` atoms, ``?`` for `ANY_ONE`."""
    out: list[str] = []
    current: list[str] = []
    for atom in atoms:
        if atom == ANY_RUN:
            out.append("".join(current))
            current = []
        else:
            current.append("?" if atom == ANY_ONE else str(atom))
    out.append("".join(current))
    return tuple(out)
