"""A linear-time matcher for the regexes of filter patterns (``%...%``).

AWS's filter-pattern regex dialect has no groups and no back-references:
a regex is a set of alternatives, each a sequence of character sets (a
literal, ``.``, ``\\d``, ``[a-z]``...) and anchors (``^``, ``$``), each set
optionally repeated (``* + ? {m,n}``). Such a language is regular, so it is
matched here by an automaton rather than by Python's backtracking `re`,
whose running time explodes on ``%a*a*a*a*b%`` against a run of ``a``.

The regex becomes a Thompson NFA (one node per character set, a split node
per choice), and a search runs a lazily built DFA over it: each DFA state is
the set of NFA nodes alive after some prefix of the text, and its transition
on a character is computed once and cached. A search is one dictionary step
per character: linear in the text, whatever the regex. The cache is bounded
(`_MAX_STATES`); when full it starts over, as RE2 does.

The input is the Python regex that `awsmon.logs.filter_pattern_regex`
translates AWS's syntax into, after `re.compile` accepted it (so it is
well formed): literals and ``\\x`` escapes, ``.``, classes, ``^``, ``\\Z``,
``|``, and the quantifiers ``* + ? {m} {m,} {,n} {m,n}`` (a trailing ``?``,
laziness, makes no difference to whether a text matches).

Main names: `compile_automaton`, `Automaton`.
"""

from __future__ import annotations

import re
import string

__all__ = ["MAX_NODES", "Automaton", "FixedLengthRegex", "UnsupportedRegex", "compile_automaton"]

#: Most NFA nodes one regex may expand to (``x{1000}`` is a thousand nodes).
MAX_NODES = 20_000
#: Most cached DFA states per regex before the cache starts over.
_MAX_STATES = 2_000

_DIGITS = frozenset(string.digits)
_SPACES = frozenset(" \t\n\r\f\v")
_WORD = frozenset(string.ascii_letters + string.digits + "_")
_CLASS_ESCAPES: dict[str, tuple[frozenset[str], bool]] = {
    "d": (_DIGITS, False),
    "D": (_DIGITS, True),
    "s": (_SPACES, False),
    "S": (_SPACES, True),
    "w": (_WORD, False),
    "W": (_WORD, True),
}
_ANY: tuple[frozenset[str], bool] = (frozenset(), True)

# Node kinds.
_SET, _SPLIT, _BOL, _EOL, _MATCH = range(5)


class UnsupportedRegex(ValueError):
    """A regex `re` accepts but AWS's dialect does not, or one too large to expand.

    Attributes:
        index: the offset in the translated regex the problem starts at.
    """

    def __init__(self, message: str, index: int) -> None:
        super().__init__(message)
        self.index = index


# An atom: ("set", (chars, negated)) or ("bol",) or ("eol",); a piece: (atom, min, max|None).
_Atom = tuple[str, tuple[frozenset[str], bool]]
_Piece = tuple[_Atom, int, int | None]
# A node: (kind, (chars, negated) for a set node, following nodes).
_Node = tuple[int, tuple[frozenset[str], bool], tuple[int, ...]]


class Automaton:
    """A compiled regex: `search` tells whether it occurs anywhere in a text.

    Attributes:
        source: the Python regex it was compiled from.
    """

    def __init__(self, source: str, nodes: list[_Node], start: int):
        self.source = source
        self._kinds = [node[0] for node in nodes]
        self._sets = [node[1] for node in nodes]
        self._next = [node[2] for node in nodes]
        self._start = start
        self._ids: dict[frozenset[int], int] = {}
        self._states: list[frozenset[int]] = []
        self._moves: list[dict[str, int]] = []
        self._accepting: list[bool] = []
        self._inject = self._closure((start,), at_start=False)
        self._first = self._closure((start,), at_start=True)

    def __repr__(self) -> str:
        return f"Automaton({self.source!r})"

    def search(self, text: str) -> bool:
        """True when the regex matches some part of `text` (an unanchored search)."""
        state = self._state_id(self._first)
        if self._accepting[state]:
            return True
        moves = self._moves
        accepting = self._accepting
        for char in text:
            following = moves[state].get(char)
            if following is None:
                following = self._step(state, char)
            if accepting[following]:
                return True
            state = following
        return self._accepts_at_end(self._states[state], at_start=not text)

    # -- the lazy DFA -------------------------------------------------------------------

    def _state_id(self, nodes: frozenset[int]) -> int:
        found = self._ids.get(nodes)
        if found is not None:
            return found
        found = len(self._states)
        self._ids[nodes] = found
        self._states.append(nodes)
        self._moves.append({})
        self._accepting.append(any(self._kinds[n] == _MATCH for n in nodes))
        return found

    def _reset(self) -> None:
        self._ids.clear()
        self._states.clear()
        self._moves.clear()
        self._accepting.clear()

    def _step(self, state: int, char: str) -> int:
        """The state after reading `char` in `state`, cached."""
        targets: list[int] = []
        for node in self._states[state]:
            if self._kinds[node] == _SET:
                chars, negated = self._sets[node]
                if (char in chars) != negated:
                    targets.append(self._next[node][0])
        following = self._closure(targets, at_start=False) | self._inject
        known = self._ids.get(following)
        if known is None and len(self._states) >= _MAX_STATES:
            self._reset()  # `state` is gone: register `following` alone, cache nothing
            return self._state_id(following)
        result = self._state_id(following) if known is None else known
        self._moves[state][char] = result
        return result

    def _closure(self, seeds: list[int] | tuple[int, ...], *, at_start: bool) -> frozenset[int]:
        """The nodes reachable from `seeds` without reading a character.

        Split nodes are followed; ``^`` is passed only at the start of the text;
        ``$`` nodes are kept (they are passed by `_accepts_at_end`).
        """
        seen: set[int] = set()
        todo = list(seeds)
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            kind = self._kinds[node]
            if kind == _SPLIT or (kind == _BOL and at_start):
                todo.extend(self._next[node])
        return frozenset(n for n in seen if self._kinds[n] in (_SET, _EOL, _MATCH))

    def _accepts_at_end(self, nodes: frozenset[int], *, at_start: bool) -> bool:
        """Whether passing the ``$`` nodes of `nodes` at the text's end reaches a match."""
        seen: set[int] = set()
        todo = [n for n in nodes if self._kinds[n] == _EOL]
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            kind = self._kinds[node]
            if kind == _MATCH:
                return True
            if kind in (_SPLIT, _EOL) or (kind == _BOL and at_start):
                todo.extend(self._next[node])
        return False


class FixedLengthRegex:
    """A regex without variable repetition, searched by Python's `re` (C speed).

    Every alternative has a fixed length, so a backtracking search tries at most
    (alternatives x length) steps per text position: linear in the text, and
    several times faster than stepping the lazy DFA in Python.

    Attributes:
        source: the Python regex it was compiled from.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self._search = re.compile(source, re.ASCII | re.DOTALL).search

    def __repr__(self) -> str:
        return f"FixedLengthRegex({self.source!r})"

    def search(self, text: str) -> bool:
        """True when the regex matches some part of `text`."""
        return self._search(text) is not None


def compile_automaton(source: str) -> Automaton | FixedLengthRegex:
    """Compile a translated filter-pattern regex (already accepted by `re.compile`).

    A regex whose pieces all repeat a fixed number of times cannot backtrack
    far, and goes to `re`; any ``* + ? {m,n}`` makes it an `Automaton`.

    Raises:
        UnsupportedRegex: counted repetitions expand past `MAX_NODES` nodes, or a
            quantifier is followed by ``+`` (possessive in Python, not in AWS's dialect).
    """
    alternatives = _parse(source)
    if all(low == high for pieces in alternatives for _, low, high in pieces):
        return FixedLengthRegex(source)
    builder = _Builder()
    match = builder.add(_MATCH, _ANY, ())
    starts = [builder.sequence(pieces, match) for pieces in alternatives]
    start = starts[0] if len(starts) == 1 else builder.add(_SPLIT, _ANY, tuple(starts))
    return Automaton(source, builder.nodes, start)


class _Builder:
    """Builds the NFA from the end of each alternative backwards (no patching)."""

    def __init__(self) -> None:
        self.nodes: list[_Node] = []

    def add(self, kind: int, chars: tuple[frozenset[str], bool], following: tuple[int, ...]) -> int:
        if len(self.nodes) >= MAX_NODES:
            raise UnsupportedRegex(f"a regex expanding to at most {MAX_NODES} states", 0)
        self.nodes.append((kind, chars, following))
        return len(self.nodes) - 1

    def sequence(self, pieces: list[_Piece], following: int) -> int:
        for piece in reversed(pieces):
            following = self.piece(piece, following)
        return following

    def atom(self, atom: _Atom, following: int) -> int:
        kind = {"set": _SET, "bol": _BOL, "eol": _EOL}[atom[0]]
        return self.add(kind, atom[1], (following,))

    def piece(self, piece: _Piece, following: int) -> int:
        atom, low, high = piece
        if high is None:
            # x* : a split that either reads x and comes back, or leaves.
            loop = self.add(_SPLIT, _ANY, ())
            body = self.atom(atom, loop)
            self.nodes[loop] = (_SPLIT, _ANY, (body, following))
            following = loop
        else:
            for _ in range(high - low):
                following = self.add(_SPLIT, _ANY, (self.atom(atom, following), following))
        for _ in range(low):
            following = self.atom(atom, following)
        return following


def _parse(source: str) -> list[list[_Piece]]:
    """Split `source` into alternatives of (atom, min, max) pieces."""
    alternatives: list[list[_Piece]] = [[]]
    index = 0
    while index < len(source):
        char = source[index]
        if char == "|":
            alternatives.append([])
            index += 1
            continue
        if char in "*+?{":
            pieces = alternatives[-1]
            atom, _, _ = pieces.pop()
            low, high, index = _quantifier(source, index)
            pieces.append((atom, low, high))
            continue
        atom, index = _atom(source, index)
        alternatives[-1].append((atom, 1, 1))
    return alternatives


def _quantifier(source: str, index: int) -> tuple[int, int | None, int]:
    """The (min, max) of the quantifier at `index`, and the index after it."""
    char = source[index]
    end = index + 1
    if char == "*":
        low, high = 0, None
    elif char == "+":
        low, high = 1, None
    elif char == "?":
        low, high = 0, 1
    else:
        end = source.index("}", index) + 1
        first, comma, second = source[index + 1 : end - 1].partition(",")
        low = int(first) if first else 0
        high = (int(second) if second else None) if comma else low
    if end < len(source) and source[end] == "+":
        raise UnsupportedRegex("a single quantifier, found '+' after one", end)
    if end < len(source) and source[end] == "?":
        end += 1  # lazy marker: no difference to whether a text matches
    return low, high, end


def _atom(source: str, index: int) -> tuple[_Atom, int]:
    """The atom at `index` (not a quantifier or '|'), and the index after it."""
    char = source[index]
    if char == "^":
        return ("bol", _ANY), index + 1
    if char == ".":
        return ("set", _ANY), index + 1
    if char == "[":
        return _class(source, index)
    if char == "\\":
        if source[index + 1] == "Z":
            return ("eol", _ANY), index + 2
        chars, negated, end = _escape(source, index)
        return ("set", (chars, negated)), end
    return ("set", (frozenset(char), False)), index + 1


def _escape(source: str, index: int) -> tuple[frozenset[str], bool, int]:
    """The set an escape at `index` (a backslash) stands for, and the index after it."""
    char = source[index + 1]
    if char in _CLASS_ESCAPES:
        chars, negated = _CLASS_ESCAPES[char]
        return chars, negated, index + 2
    if char == "x":
        return frozenset(chr(int(source[index + 2 : index + 4], 16))), False, index + 4
    return frozenset(char), False, index + 2


def _class(source: str, index: int) -> tuple[_Atom, int]:
    """The character class opening at `index`, and the index after its ']'."""
    index += 1
    negated = source[index] == "^"
    if negated:
        index += 1
    members: set[str] = set()
    complements: list[frozenset[str]] = []  # \D \S \W inside a class
    first = True
    while first or source[index] != "]":
        first = False
        if source[index] == "\\":
            chars, inverse, index = _escape(source, index)
            if inverse:
                complements.append(chars)
                continue
            low = next(iter(chars)) if len(chars) == 1 else None
            if low is None:
                members |= chars
                continue
        else:
            low = source[index]
            index += 1
        if source[index] == "-" and source[index + 1] != "]":
            high_chars, _, index = (
                _escape(source, index + 1)
                if source[index + 1] == "\\"
                else (frozenset(source[index + 1]), False, index + 2)
            )
            members.update(chr(c) for c in range(ord(low), ord(next(iter(high_chars))) + 1))
        else:
            members.add(low)
    return ("set", _class_set(frozenset(members), complements, negated)), index + 1


def _class_set(
    members: frozenset[str], complements: list[frozenset[str]], negated: bool
) -> tuple[frozenset[str], bool]:
    """A class as (chars, negated): members plus every char outside each complement."""
    if not complements:
        return members, negated
    # [...\D...] holds every char not in some set: represent by its complement.
    outside = frozenset.intersection(*complements) - members
    return outside, not negated
